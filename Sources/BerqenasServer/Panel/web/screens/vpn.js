// A tenant's VPN: the network's state (enable, disable, spoke-to-spoke), its peers with their live state
// and traffic, adding a peer (the config the hub makes is shown once), checking a port and revoking.

import { api } from '../core/api.js';
import { bytes, h, mount, uid, when } from '../core/dom.js';
import { follow } from '../core/realtime.js';
import { confirm } from '../components/dialog.js';
import { form } from '../components/form.js';
import { failure, loading } from '../components/states.js';
import { dataTable } from '../components/table.js';
import { toast } from '../components/toast.js';
import { tenantFrame } from './tenant-shell.js';
import { badge, connectedBadge, handshakeAge, openCheckPort, peerHref, peersPath, revokePeer, sameId, showNewConfig } from './vpn-parts.js';

const STATES = {
  up: ['Up', 'ok'],
  down: ['Down', 'muted'],
  error: ['Error', 'bad'],
  not_applied: ['Not applied', 'warn'],
};

function networkFacts(vpn) {
  const [label, kind] = STATES[vpn.state] || [vpn.state, 'muted'];
  const rows = [
    ['State', [badge(label, kind), vpn.state === 'not_applied' ? h('span', { class: 'muted' }, ' backend none: stored, no interface is made') : null]],
    ['Network', vpn.network || '—'],
    ['Hub address', vpn.hub_address || '—'],
    ['Hub public key', vpn.public_key ? h('code', { class: 'wrap' }, vpn.public_key) : '—'],
    ['Endpoint', vpn.endpoint || h('span', { class: 'muted' }, 'not set (BERQENAS_PUBLIC_ENDPOINT is unset)')],
    ['Port', vpn.listen_port ? `${vpn.listen_port}/udp` : '—'],
    ['Interface', vpn.interface || '—'],
    ['Backend', vpn.backend],
    ['Spoke-to-spoke', vpn.spoke_to_spoke ? 'allowed' : 'blocked'],
  ];
  if (vpn.error) rows.push(['Error', h('span', { class: 'wrap' }, vpn.error)]);
  return h('dl', { class: 'kv' }, rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

export default {
  title: (params) => `VPN · ${params.tenant}`,
  async render({ params, main, cleanup, current }) {
    const tenant = params.tenant;
    const { body, writable } = tenantFrame(main, tenant, '/vpn');
    const vpnPath = `/tenants/${encodeURIComponent(tenant)}/vpn`;
    const ids = { network: uid('h'), peers: uid('h'), add: uid('h') };
    const network = h('div', {}, loading());
    const peers = h('div', {}, loading());
    const adding = h('div');
    mount(body,
      h('section', { 'aria-labelledby': ids.network }, h('h2', { id: ids.network }, 'Network'), network),
      h('section', { 'aria-labelledby': ids.peers }, h('h2', { id: ids.peers }, 'Peers'), peers),
      writable ? h('section', { 'aria-labelledby': ids.add }, h('h2', { id: ids.add }, 'Add peer'), adding) : null);

    // Live cells: updated in place, so a refresh does not redraw the table under the keyboard focus.
    const cells = new Map();
    const cellsOf = (peer) => {
      const key = peer.id.toUpperCase();
      if (!cells.has(key)) cells.set(key, { status: h('span'), age: h('time'), rx: h('span'), tx: h('span') });
      return cells.get(key);
    };
    const fill = (peer) => {
      const c = cellsOf(peer);
      mount(c.status, connectedBadge(peer));
      c.age.textContent = handshakeAge(peer);
      if (peer.latest_handshake) { c.age.setAttribute('datetime', peer.latest_handshake); c.age.title = when(peer.latest_handshake); }
      c.rx.textContent = bytes(peer.rx_bytes);
      c.tx.textContent = bytes(peer.tx_bytes);
    };

    const table = dataTable({
      caption: 'Peers of the network; traffic as the hub counts it',
      empty: 'No peers yet.',
      rowKey: (peer) => peer.id.toUpperCase(),
      columns: [
        { key: 'name', label: 'Name', render: (p) => h('a', { class: 'wrap', href: peerHref(tenant, p.id) }, p.name) },
        { key: 'address', label: 'Address' },
        { key: 'connected', label: 'Status', value: (p) => (p.connected ? 0 : 1), render: (p) => { fill(p); return cellsOf(p).status; } },
        { key: 'latest_handshake', label: 'Last handshake', value: (p) => -(Date.parse(p.latest_handshake) || 0), render: (p) => cellsOf(p).age },
        { key: 'rx_bytes', label: 'Received', render: (p) => cellsOf(p).rx },
        { key: 'tx_bytes', label: 'Sent', render: (p) => cellsOf(p).tx },
        ...(writable ? [{
          key: 'actions', label: 'Actions', sort: false,
          render: (p) => h('div', { class: 'actions' },
            h('button', { type: 'button', 'aria-label': `Check port of ${p.name}`, onClick: () => openCheckPort(tenant, p) }, 'Check port'),
            h('button', {
              type: 'button', class: 'danger', 'aria-label': `Revoke ${p.name}`,
              onClick: async () => { if (await revokePeer(tenant, p)) remove(p.id); },
            }, 'Revoke')),
        }] : []),
      ],
    });

    const findRow = (id) => table.rows().find((row) => sameId(row.id, id));
    function remove(id) {
      cells.delete(String(id).toUpperCase());
      table.setRows(table.rows().filter((row) => !sameId(row.id, id)));
    }
    function upsert(peer) {
      const row = findRow(peer.id);
      if (row) { Object.assign(row, peer); fill(row); } else table.setRows([...table.rows(), peer]);
    }

    // The network's facts and its switches.
    let vpn = null;
    const actionError = h('p', { class: 'form-error', role: 'alert', hidden: true });
    async function setVpn(change, message) {
      actionError.hidden = true;
      try {
        vpn = await api('PUT', vpnPath, { body: change });
        if (!current()) return;
        toast(message);
        drawNetwork();
      } catch (error) {
        actionError.textContent = `${error.message}${error.code ? ` (${error.code})` : ''}`;
        actionError.hidden = false;
      }
    }
    async function disable() {
      const yes = await confirm({
        title: 'Disable VPN',
        message: 'Disable the VPN? The interface goes down and every peer\'s tunnel stops (publications too). The network, its '
          + 'addresses and its peers are kept: enabling it again restores them.',
        action: 'Disable VPN',
        danger: true,
      });
      if (yes) await setVpn({ enabled: false }, 'VPN disabled');
    }
    function drawNetwork() {
      const buttons = !writable ? null : vpn.enabled
        ? [h('button', { type: 'button', class: 'danger', onClick: disable }, 'Disable VPN'),
          h('button', {
            type: 'button',
            onClick: () => setVpn({ enabled: true, spoke_to_spoke: !vpn.spoke_to_spoke },
              vpn.spoke_to_spoke ? 'Spoke-to-spoke traffic blocked' : 'Spoke-to-spoke traffic allowed'),
          }, vpn.spoke_to_spoke ? 'Block spoke-to-spoke' : 'Allow spoke-to-spoke')]
        : [h('button', { type: 'button', class: 'primary', onClick: () => setVpn({ enabled: true }, 'VPN enabled') }, 'Enable VPN')];
      mount(network,
        vpn.enabled ? null : h('p', { class: 'muted' }, vpn.network
          ? 'The VPN is disabled: its network and peers are kept for when it is enabled again.'
          : 'The VPN is not enabled. Enabling it gives the tenant a network, a UDP port and the hub\'s key pair.'),
        networkFacts(vpn),
        buttons ? h('div', { class: 'actions' }, buttons) : null,
        actionError);
      if (writable) drawAdding();
    }
    async function loadNetwork() {
      try {
        vpn = await api('GET', vpnPath);
        if (current()) drawNetwork();
      } catch (error) {
        if (current()) mount(network, failure(error, loadNetwork));
      }
    }

    function drawAdding() {
      if (!vpn.enabled) {
        mount(adding, h('p', { class: 'muted' }, 'Enable the VPN to add peers.'));
        return;
      }
      if (adding.querySelector('form')) return;
      const addForm = form({
        label: 'Add peer',
        submit: 'Add peer',
        fields: [
          { name: 'name', label: 'Name', required: true, help: 'Unique among the network\'s peers, e.g. the site\'s name.' },
          { name: 'public_key', label: 'Public key (optional)',
            help: 'The peer\'s own WireGuard public key. Leave it empty and the hub makes the key pair and hands you the configuration file once.' },
          { name: 'persistent_keepalive', label: 'Persistent keepalive, seconds (optional)', type: 'number', min: 1, max: 65535,
            help: 'For a peer behind NAT, e.g. 25.' },
        ],
        async onSubmit(values) {
          const request = { name: values.name.trim() };
          if (values.public_key.trim()) request.public_key = values.public_key.trim();
          if (values.persistent_keepalive !== undefined) request.persistent_keepalive = values.persistent_keepalive;
          const peer = await api('POST', `${peersPath(tenant)}`, { body: request });
          addForm.reset();
          toast(`Peer ${peer.name} added at ${peer.address}`);
          const { config, ...stored } = peer;
          upsert(stored);
          if (config) showNewConfig(tenant, stored, config);
        },
      });
      mount(adding, addForm);
    }

    async function loadPeers({ quiet = false } = {}) {
      try {
        const list = (await api('GET', peersPath(tenant))).items || [];
        if (!current()) return;
        const same = list.length === table.rows().length && list.every((p) => findRow(p.id));
        if (same) list.forEach(upsert); else { table.setRows(list); }
        if (!quiet || !peers.contains(table.element)) mount(peers, table.element);
      } catch (error) {
        if (current() && !quiet) mount(peers, failure(error, () => loadPeers()));
      }
    }

    // A peer's event: read that peer again (gone after a revocation). A network's: read the network.
    async function reread(id) {
      try {
        const peer = await api('GET', `${peersPath(tenant)}/${encodeURIComponent(id)}`);
        if (current()) upsert(peer);
      } catch (error) {
        if (current() && error.status === 404) remove(id);
      }
    }
    cleanup(follow(`tenant:${tenant}/vpn`, (event) => {
      if (!event) return;
      if (event.kind.startsWith('vpn.peer.') && event.data?.peer_id) reread(event.data.peer_id);
      else if (event.kind.startsWith('vpn.network.')) loadNetwork();
    }));
    // Traffic and handshake ages move without events: read the list again now and then while shown.
    const timer = setInterval(() => { if (!document.hidden) loadPeers({ quiet: true }); }, 15_000);
    cleanup(() => clearInterval(timer));

    await Promise.all([loadNetwork(), loadPeers()]);
  },
};
