// One VPN peer: its facts, live (events, and read again every 10 s for traffic and handshake age), its
// configuration file and QR code when the hub made its keys, a port check, and revoking it.

import { api } from '../core/api.js';
import { h, mount, uid } from '../core/dom.js';
import { follow } from '../core/realtime.js';
import { empty, failure, loading } from '../components/states.js';
import { tenantFrame } from './tenant-shell.js';
import { checkPort, configActions, peerFacts, peersPath, revokePeer, sameId } from './vpn-parts.js';

export default {
  title: (params) => `VPN peer · ${params.tenant}`,
  async render({ params, main, cleanup, current, navigate }) {
    const { tenant, id } = params;
    const { body, writable } = tenantFrame(main, tenant, '/vpn');
    const vpnHref = `#/tenants/${encodeURIComponent(tenant)}/vpn`;
    const path = `${peersPath(tenant)}/${encodeURIComponent(id)}`;
    let facts = null;
    let release = () => {};
    cleanup(() => release());

    const gone = () => empty('This peer does not exist, or it was revoked.', h('a', { href: vpnHref }, 'Back to the VPN\'s peers'));

    function draw(peer) {
      const ids = { peer: uid('h'), check: uid('h') };
      facts = h('div', {}, peerFacts(peer));
      let config = null;
      if (writable && peer.keys_generated_by_hub) {
        const actions = configActions(tenant, peer);
        release = actions.release;
        config = actions.element;
      } else if (!peer.keys_generated_by_hub) {
        config = h('p', { class: 'muted' }, 'This peer brought its own key: the hub has no configuration file for it.');
      }
      mount(body,
        h('p', {}, h('a', { href: vpnHref }, '← All peers')),
        h('section', { 'aria-labelledby': ids.peer },
          h('h2', { id: ids.peer, class: 'wrap' }, `Peer ${peer.name}`),
          facts,
          config,
          writable ? h('div', { class: 'actions' },
            h('button', {
              type: 'button', class: 'danger',
              onClick: async () => { if (await revokePeer(tenant, peer)) navigate(`/tenants/${encodeURIComponent(tenant)}/vpn`); },
            }, 'Revoke')) : null),
        writable ? h('section', { 'aria-labelledby': ids.check },
          h('h2', { id: ids.check }, 'Check a port'),
          checkPort(tenant, peer)) : null);
    }

    // Reads the peer again and updates its facts in place (the forms and the QR code stay as they are).
    async function refresh() {
      try {
        const peer = await api('GET', path);
        if (current() && facts) mount(facts, peerFacts(peer));
      } catch (error) {
        if (!current()) return;
        if (error.status === 404) { facts = null; mount(body, gone()); }
      }
    }

    async function start() {
      mount(body, loading());
      try {
        const peer = await api('GET', path);
        if (current()) draw(peer);
      } catch (error) {
        if (current()) mount(body, error.status === 404 ? gone() : failure(error, start));
      }
    }

    cleanup(follow(`tenant:${tenant}/vpn`, (event) => {
      if (event && event.kind.startsWith('vpn.peer.') && sameId(event.data?.peer_id, id)) refresh();
    }));
    const timer = setInterval(() => { if (facts && !document.hidden) refresh(); }, 10_000);
    cleanup(() => clearInterval(timer));
    await start();
  },
};
