// A tenant's publications: a peer's TCP service published on a hub port, who may reach it, and live
// counters of what it carries (read every 5 s while the page is open).

import { api } from '../core/api.js';
import { bytes, h, mount, number, uid } from '../core/dom.js';
import { follow } from '../core/realtime.js';
import { confirm, modal } from '../components/dialog.js';
import { form } from '../components/form.js';
import { empty, failure, loading } from '../components/states.js';
import { dataTable } from '../components/table.js';
import { toast } from '../components/toast.js';
import { tenantFrame } from './tenant-shell.js';
import { badge, peerHref, peersPath, sameId } from './vpn-parts.js';

const STATES = {
  active: ['Active', 'ok'],
  disabled: ['Disabled', 'muted'],
  waiting: ['Waiting', 'warn'],
  not_applied: ['Not applied', 'muted'],
  error: ['Error', 'bad'],
};
const STATE_HELP = {
  waiting: 'its network is down or its peer revoked',
  not_applied: 'VPN backend none',
};

/** "10.0.0.0/8, 192.168.1.0/24" or a textarea's lines → a list. */
function networks(text) {
  return String(text || '').split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
}

function stateView(publication) {
  const [label, kind] = STATES[publication.state] || [publication.state, 'muted'];
  const note = publication.error || STATE_HELP[publication.state];
  return [badge(label, kind), note ? h('span', { class: 'muted wrap' }, ` ${note}`) : null];
}

export default {
  title: (params) => `Publications · ${params.tenant}`,
  async render({ params, main, cleanup, current }) {
    const tenant = params.tenant;
    const { body, writable } = tenantFrame(main, tenant, '/publications');
    const path = `/tenants/${encodeURIComponent(tenant)}/publications`;
    const ids = { list: uid('h'), add: uid('h') };
    const list = h('div', {}, loading());
    const adding = h('div');
    mount(body,
      h('p', { class: 'muted' }, 'A publication opens a TCP port on the hub and forwards it through the tunnel to a port of a peer.'),
      h('section', { 'aria-labelledby': ids.list }, h('h2', { id: ids.list }, 'Publications'), list),
      writable ? h('section', { 'aria-labelledby': ids.add }, h('h2', { id: ids.add }, 'Add publication'), adding) : null);

    let peers = [];
    const peerOf = (publication) => peers.find((p) => sameId(p.id, publication.peer_id));

    // Live cells, changed in place so the 5 s refresh never redraws the table under the keyboard focus.
    const cells = new Map();
    const cellsOf = (publication) => {
      const key = publication.id.toUpperCase();
      if (!cells.has(key)) cells.set(key, { state: h('span'), connections: h('span', {}, '—'), in: h('span', {}, '—'), out: h('span', {}, '—') });
      return cells.get(key);
    };

    async function patch(publication, change, message) {
      const changed = await api('PATCH', `${path}/${encodeURIComponent(publication.id)}`, { body: change });
      Object.assign(publication, changed);
      mount(cellsOf(publication).state, stateView(publication));
      toast(message);
      return changed;
    }

    function toggle(publication) {
      const boxId = uid('enabled');
      const box = h('input', { type: 'checkbox', id: boxId, checked: publication.enabled });
      box.addEventListener('change', async () => {
        box.disabled = true;
        try {
          await patch(publication, { enabled: box.checked },
            box.checked ? `Publication on port ${publication.public_port} enabled` : `Publication on port ${publication.public_port} disabled`);
        } catch (error) {
          box.checked = publication.enabled;
          toast(`Could not change port ${publication.public_port}: ${error.message}`, 'error');
        } finally {
          box.disabled = false;
        }
      });
      return h('span', { class: 'checkbox' }, box,
        h('label', { for: boxId }, 'Enabled', h('span', { class: 'visually-hidden' }, ` (port ${publication.public_port})`)));
    }

    function editNetworks(publication) {
      const dialog = modal(`Allowed networks of port ${publication.public_port}`, form({
        submit: 'Save networks',
        fields: [{ name: 'allowed_cidrs', label: 'Allowed networks', type: 'textarea', value: publication.allowed_cidrs.join('\n'),
          required: true, help: 'One network per line, e.g. 203.0.113.0/24; 0.0.0.0/0 lets anyone in.' }],
        async onSubmit(values) {
          await patch(publication, { allowed_cidrs: networks(values.allowed_cidrs) }, `Allowed networks of port ${publication.public_port} saved`);
          dialog.close();
          table.setRows(table.rows());
        },
      }));
      dialog.element.querySelector('textarea')?.focus();
    }

    async function removePublication(publication) {
      const yes = await confirm({
        title: 'Remove publication',
        message: `Remove the publication on port ${publication.public_port}? The port closes and its open connections are cut.`,
        action: 'Remove',
        danger: true,
      });
      if (!yes) return;
      try {
        await api('DELETE', `${path}/${encodeURIComponent(publication.id)}`);
        toast(`Publication on port ${publication.public_port} removed`);
        cells.delete(publication.id.toUpperCase());
        table.setRows(table.rows().filter((p) => p !== publication));
      } catch (error) {
        toast(`Could not remove port ${publication.public_port}: ${error.message}`, 'error');
      }
    }

    const table = dataTable({
      caption: 'Publications; bytes in go from clients to the site, bytes out back to the clients',
      empty: 'Nothing is published yet.',
      rowKey: (p) => p.id.toUpperCase(),
      columns: [
        { key: 'public_port', label: 'Hub port' },
        { key: 'peer_name', label: 'Peer', render: (p) => h('a', { class: 'wrap', href: peerHref(tenant, p.peer_id) }, p.peer_name || p.peer_id) },
        { key: 'target', label: 'Target', value: (p) => p.target_port,
          render: (p) => `${peerOf(p)?.address || p.peer_name || '?'}:${p.target_port}` },
        { key: 'protocol', label: 'Protocol', sort: false, render: () => 'TCP' },
        { key: 'state', label: 'State', render: (p) => { mount(cellsOf(p).state, stateView(p)); return cellsOf(p).state; } },
        { key: 'enabled', label: 'Enabled', render: (p) => (writable ? toggle(p) : badge(p.enabled ? 'Enabled' : 'Disabled', p.enabled ? 'ok' : 'muted')) },
        { key: 'allowed_cidrs', label: 'Allowed networks', value: (p) => p.allowed_cidrs.join(', '),
          render: (p) => [h('span', { class: 'wrap' }, p.allowed_cidrs.join(', ')),
            writable ? h('button', { type: 'button', class: 'link-button', 'aria-label': `Edit networks of port ${p.public_port}`,
              onClick: () => editNetworks(p) }, 'Edit networks') : null] },
        { key: 'connections', label: 'Connections', sort: false, render: (p) => cellsOf(p).connections },
        { key: 'bytes_in', label: 'Bytes in', sort: false, render: (p) => cellsOf(p).in },
        { key: 'bytes_out', label: 'Bytes out', sort: false, render: (p) => cellsOf(p).out },
        ...(writable ? [{ key: 'actions', label: 'Actions', sort: false,
          render: (p) => h('button', { type: 'button', class: 'danger', 'aria-label': `Remove publication on port ${p.public_port}`,
            onClick: () => removePublication(p) }, 'Remove') }] : []),
      ],
    });

    async function refreshStats() {
      await Promise.all(table.rows().map(async (publication) => {
        try {
          const stats = await api('GET', `${path}/${encodeURIComponent(publication.id)}/stats`);
          const c = cellsOf(publication);
          c.connections.textContent = number(stats.connections);
          c.in.textContent = bytes(stats.bytes_in);
          c.out.textContent = bytes(stats.bytes_out);
        } catch { /* the next round tries again */ }
      }));
    }

    function drawAdding() {
      if (!writable) return;
      if (peers.length === 0) {
        mount(adding, empty('A publication forwards to a VPN peer: add a peer first.',
          h('a', { href: `#/tenants/${encodeURIComponent(tenant)}/vpn` }, 'Go to the VPN')));
        return;
      }
      const addForm = form({
        label: 'Add publication',
        submit: 'Add publication',
        fields: [
          { name: 'peer_id', label: 'Peer', type: 'select', required: true,
            options: peers.map((p) => [p.id, `${p.name}${p.address ? ` (${p.address})` : ''}`]) },
          { name: 'target_port', label: 'Port on the peer', type: 'number', min: 1, max: 65535, required: true, help: 'Where the service listens at the site, e.g. 5432.' },
          { name: 'public_port', label: 'Port on the hub', type: 'number', min: 1, max: 65535, required: true, help: 'Unique across the hub; clients connect here.' },
          { name: 'allowed_cidrs', label: 'Allowed networks (optional)', type: 'textarea', rows: 3,
            help: 'One network per line. Empty: anyone (0.0.0.0/0).' },
          { name: 'enabled', label: 'Enabled', type: 'checkbox', value: true },
        ],
        async onSubmit(values) {
          const request = { peer_id: values.peer_id, target_port: values.target_port, public_port: values.public_port, enabled: values.enabled };
          const allowed = networks(values.allowed_cidrs);
          if (allowed.length) request.allowed_cidrs = allowed;
          const created = await api('POST', path, { body: request });
          addForm.reset();
          addForm.elements.namedItem('enabled').checked = true; // reset() forgets a default set as a property
          toast(`Port ${created.public_port} published`);
          table.setRows([...table.rows(), created]);
          mount(list, table.element);
          refreshStats();
        },
      });
      mount(adding, addForm);
    }

    async function reload({ quiet = false } = {}) {
      try {
        const [publications, peerList] = await Promise.all([api('GET', path), api('GET', peersPath(tenant))]);
        if (!current()) return;
        peers = peerList.items || [];
        table.setRows(publications.items || []);
        mount(list, table.element);
        if (!quiet || !adding.querySelector('form')) drawAdding();
        refreshStats();
      } catch (error) {
        if (current() && !quiet) mount(list, failure(error, () => reload()));
      }
    }

    // A publication can change state without anyone here acting: its port was withdrawn, its peer revoked,
    // its network went down or came back.
    let pending = null;
    cleanup(follow(`tenant:${tenant}`, (event) => {
      if (!event || !/^(publication\.|vpn\.peer\.revoked|vpn\.network\.)/.test(event.kind)) return;
      clearTimeout(pending);
      pending = setTimeout(() => reload({ quiet: true }), 500);
    }));
    const timer = setInterval(() => { if (!document.hidden) refreshStats(); }, 5000);
    cleanup(() => { clearInterval(timer); clearTimeout(pending); });
    await reload();
  },
};
