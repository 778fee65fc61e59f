// Pieces the VPN pages share: a peer's badges and facts, the port check, the wg-quick file (download and
// QR code) and revoking a peer.

import { api } from '../core/api.js';
import { ago, bytes, h, mount, when } from '../core/dom.js';
import { confirm, modal } from '../components/dialog.js';
import { form } from '../components/form.js';
import { toast } from '../components/toast.js';

/** The API path of a tenant's peers. */
export function peersPath(tenant) {
  return `/tenants/${encodeURIComponent(tenant)}/vpn/peers`;
}

/** The panel address of a peer's page. */
export function peerHref(tenant, id) {
  return `#/tenants/${encodeURIComponent(tenant)}/vpn/peers/${encodeURIComponent(id)}`;
}

/** Ids compare as the API writes them (events carry uppercase UUIDs). */
export function sameId(a, b) {
  return String(a || '').toUpperCase() === String(b || '').toUpperCase();
}

export function badge(text, kind) {
  return h('span', { class: ['badge', kind] }, text);
}

export function connectedBadge(peer) {
  return peer.connected ? badge('Connected', 'ok') : badge('Not connected', 'muted');
}

/** "2 min ago", or "never" for a peer that has not shaken hands yet. */
export function handshakeAge(peer) {
  return peer.latest_handshake ? ago(peer.latest_handshake) : 'never';
}

/** A peer's facts as a <dl>. */
export function peerFacts(peer) {
  const rows = [
    ['Status', connectedBadge(peer)],
    ['Tunnel address', peer.address || '—'],
    ['Public key', h('code', { class: 'wrap' }, peer.public_key)],
    ['Last seen from', peer.endpoint || '—'],
    ['Last handshake', peer.latest_handshake
      ? h('time', { datetime: peer.latest_handshake, title: when(peer.latest_handshake) }, handshakeAge(peer)) : 'never'],
    ['Received by the hub', bytes(peer.rx_bytes)],
    ['Sent by the hub', bytes(peer.tx_bytes)],
    ['Persistent keepalive', peer.persistent_keepalive ? `every ${peer.persistent_keepalive} s` : 'off'],
    ['Keys', peer.keys_generated_by_hub ? 'made by the hub' : 'brought by the peer (its own public key)'],
    ['Added', when(peer.created_at)],
  ];
  return h('dl', { class: 'kv' }, rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

/** The name wg-quick takes the interface from: letters, digits and _=+.- only, at most 15 of them. */
export function configFileName(peer) {
  return `${String(peer.name).replace(/[^A-Za-z0-9_=+.-]/g, '').slice(0, 15) || 'peer'}.conf`;
}

/** Hands `text` to the browser as a file download (a Blob behind an object URL). */
export function saveFile(name, text, type = 'text/plain') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: name, class: 'visually-hidden' }, name);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * "Download config" and "Show QR code" for a peer whose keys the hub made. With `config` (the answer of
 * adding the peer) the download needs no request; otherwise the hub hands the file out (audited). Answers
 * { element, release } — release frees the QR code's object URL.
 */
export function configActions(tenant, peer, config = null) {
  let qrUrl = null;
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const picture = h('div', { class: 'qr-code' });
  const fail = (e) => { error.textContent = e?.code ? `${e.message} (${e.code})` : String(e?.message || e); error.hidden = false; };
  const download = h('button', {
    type: 'button',
    async onClick() {
      error.hidden = true;
      download.disabled = true;
      try {
        const text = config ?? await api('GET', `${peersPath(tenant)}/${encodeURIComponent(peer.id)}/config`);
        saveFile(configFileName(peer), text);
      } catch (e) { fail(e); } finally { download.disabled = false; }
    },
  }, 'Download config');
  const showQr = h('button', {
    type: 'button',
    async onClick() {
      error.hidden = true;
      showQr.disabled = true;
      try {
        const response = await api('GET', `${peersPath(tenant)}/${encodeURIComponent(peer.id)}/config`,
          { query: { format: 'qr' }, raw: true });
        if (qrUrl) URL.revokeObjectURL(qrUrl);
        qrUrl = URL.createObjectURL(await response.blob());
        mount(picture,
          h('img', { class: 'qr', src: qrUrl, alt: "QR code of the peer's WireGuard configuration" }),
          h('p', { class: 'muted' }, 'Scan it with the WireGuard app on a phone or tablet.'));
      } catch (e) {
        fail(e);
        showQr.disabled = false;
      }
    },
  }, 'Show QR code');
  return {
    element: h('div', { class: 'config-actions' }, h('div', { class: 'toolbar' }, download, showQr), error, picture),
    release: () => { if (qrUrl) URL.revokeObjectURL(qrUrl); qrUrl = null; },
  };
}

/** The wg-quick file of a peer just added, shown once in a modal. */
export function showNewConfig(tenant, peer, config) {
  const actions = configActions(tenant, peer, config);
  modal(`Configuration of ${peer.name}`, [
    h('p', { class: 'notice warn', role: 'note' },
      h('strong', {}, 'Save this file now: the private key is not shown again. '),
      'It gives its holder a place on the network. Admins can download the file later from the peer\'s page; each download is audited.'),
    h('pre', { class: 'code-block wrap', tabindex: '0', 'aria-label': `wg-quick configuration of ${peer.name}` }, config),
    actions.element,
  ], { onClose: actions.release });
}

/** The port check form with its answer; `submit` is its button's text. */
export function checkPort(tenant, peer, submit = 'Check port') {
  const result = h('p', { class: 'check-result', role: 'status', 'aria-live': 'polite' });
  const element = form({
    label: `Check a port of ${peer.name}`,
    submit,
    fields: [{ name: 'port', label: 'Port', type: 'number', min: 1, max: 65535, required: true,
      help: 'A TCP port on the peer, tried through the tunnel (3 s timeout).' }],
    async onSubmit({ port }) {
      mount(result, 'Checking…');
      try {
        const answer = await api('POST', `${peersPath(tenant)}/${encodeURIComponent(peer.id)}/check`, { body: { port } });
        mount(result, answer.reachable
          ? [badge('Reachable', 'ok'), ` Port ${port} answered`, answer.latency_ms != null ? ` in ${Number(answer.latency_ms).toFixed(1)} ms.` : '.']
          : [badge('Not reachable', 'bad'), ` Port ${port}: ${answer.error || 'no answer'}.`]);
      } catch (error) {
        mount(result);
        throw error;
      }
    },
  });
  element.classList.add('inline-form');
  return h('div', { class: 'check-port' }, element, result);
}

/** Opens the port check for `peer` in a modal (the peers table). */
export function openCheckPort(tenant, peer) {
  const { element } = modal(`Check a port of ${peer.name}`, checkPort(tenant, peer, 'Check'));
  element.querySelector('input')?.focus();
}

/** Asks, then revokes `peer`; answers true when it was revoked. */
export async function revokePeer(tenant, peer) {
  const yes = await confirm({
    title: 'Revoke peer',
    message: `Revoke ${peer.name}${peer.address ? ` (${peer.address})` : ''}? It leaves the network at once and its tunnel stops; `
      + 'its address is held for a day before another peer may take it. This cannot be undone.',
    action: 'Revoke',
    danger: true,
  });
  if (!yes) return false;
  try {
    await api('DELETE', `${peersPath(tenant)}/${encodeURIComponent(peer.id)}`);
    toast(`Peer ${peer.name} revoked`);
    return true;
  } catch (error) {
    toast(`Could not revoke ${peer.name}: ${error.message}`, 'error');
    return false;
  }
}
