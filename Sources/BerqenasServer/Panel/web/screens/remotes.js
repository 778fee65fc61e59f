// A tenant's remote databases: the list with their reachability, and registering one. Registering tests
// the connection at once; a failure (DNS, refused, TLS, wrong password…) shows at the field it points at,
// and the same form then fixes that field and tests again.

import { api, rows } from '../core/api.js';
import { ago, h, mount } from '../core/dom.js';
import { follow } from '../core/realtime.js';
import { form } from '../components/form.js';
import { load } from '../components/states.js';
import { dataTable } from '../components/table.js';
import { toast } from '../components/toast.js';
import { statusBadge } from './remote-parts.js';
import { tenantFrame, tenantPath } from './tenant-shell.js';

const ENGINES = [['postgresql', 'PostgreSQL'], ['mssql', 'SQL Server'], ['sqlite', 'SQLite (a file on the hub)']];
const TLS = [['prefer', 'Prefer'], ['require', 'Require'], ['verify_full', 'Verify full'], ['disable', 'Disable']];

function registerForm(tenant, peers, onDone) {
  let created = null; // the remote registered by a first submit whose test failed
  const base = `/tenants/${encodeURIComponent(tenant)}/remote-databases`;
  const element = form({
    label: 'Register a remote database',
    submit: 'Register and test',
    fields: [
      { name: 'name', label: 'Name', required: true, help: 'How the hub calls it, e.g. store-042.' },
      { name: 'engine', label: 'Engine', type: 'select', options: ENGINES, value: 'postgresql' },
      { name: 'host', label: 'Host', help: 'An address reachable from the hub, or the peer\'s VPN address.' },
      { name: 'port', label: 'Port', type: 'number', min: 1, max: 65535, placeholder: '5432 or 1433' },
      { name: 'database', label: 'Database', required: true },
      { name: 'schema', label: 'Schema', placeholder: 'public or dbo' },
      { name: 'username', label: 'Username', autocomplete: 'off' },
      { name: 'password', label: 'Password', type: 'password' },
      { name: 'tls', label: 'TLS', type: 'select', options: TLS, value: 'prefer' },
      { name: 'wireguard_peer_id', label: 'Through VPN peer', type: 'select', options: [['', 'None (direct)'], ...peers.map((p) => [p.id, p.name])] },
    ],
    async onSubmit(values) {
      const body = {};
      for (const [key, value] of Object.entries(values)) {
        if (value !== '' && value !== undefined) body[key] = value;
      }
      if (!created) {
        created = await api('POST', base, { body });
      } else {
        const { name: _name, engine: _engine, ...changes } = body;
        created = await api('PATCH', `${base}/${created.id}`, { body: changes });
      }
      // Throws the typed failure, naming the field it points at.
      const result = await api('POST', `${base}/${created.id}/test`);
      toast(`Connected to ${created.name}: ${result.server_version}, ${Math.round(result.latency_ms)} ms`);
      onDone(created);
    },
  });
  return element;
}

export default {
  title: ({ tenant }) => `${tenant}: remote databases`,
  async render({ main, params, cleanup, navigate }) {
    const { tenant } = params;
    const { body, writable } = tenantFrame(main, tenant, '/remote-databases');
    const list = h('section', { 'aria-labelledby': 'remotes-title' });
    const table = dataTable({
      empty: 'No remote databases yet. Register one to sync it with the cloud.',
      columns: [
        { key: 'name', label: 'Name', render: (r) => h('a', { href: `#${tenantPath(tenant)}/remote-databases/${r.id}` }, r.name) },
        { key: 'engine', label: 'Engine' },
        { key: 'host', label: 'Where', value: (r) => `${r.host || '—'}:${r.port} / ${r.database}`, render: (r) => h('span', { class: 'wrap' }, r.engine === 'sqlite' ? r.database : `${r.host}:${r.port} / ${r.database}`) },
        { key: 'status', label: 'State', render: statusBadge },
        { key: 'continuous', label: 'Continuous', render: (r) => (r.continuous ? `on (${r.continuous_mode})` : 'off') },
        { key: 'updated_at', label: 'Changed', render: (r) => ago(r.updated_at) },
      ],
    });
    const path = `/tenants/${encodeURIComponent(tenant)}/remote-databases`;
    const listBox = h('div', {});
    mount(list, h('h2', { id: 'remotes-title' }, 'Remote databases'), listBox);
    body.append(list);
    await load(listBox, () => rows(path), (remotes) => { table.setRows(remotes); return table.element; });

    if (writable) {
      const peers = await rows(`/tenants/${encodeURIComponent(tenant)}/vpn/peers`).catch(() => []);
      body.append(h('section', { class: 'card', 'aria-labelledby': 'register-title' },
        h('h2', { id: 'register-title' }, 'Register a remote database'),
        registerForm(tenant, peers, (remote) => navigate(`${tenantPath(tenant)}/remote-databases/${remote.id}`))));
    }
    cleanup(follow(`tenant:${tenant}`, (event) => {
      if (event && /^remote_database\./.test(event.kind)) {
        rows(path).then((remotes) => table.setRows(remotes)).catch(() => {});
      }
    }));
  },
};
