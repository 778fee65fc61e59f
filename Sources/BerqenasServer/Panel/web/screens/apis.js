// A tenant's generated REST APIs (docs/auto-api.md): the list with where each answers, kept current by
// `api.changed` events, and — for those who may write — creating one over the tenant store or a remote
// database, refreshing its schema and deleting it.

import { api } from '../core/api.js';
import { ago, h, mount } from '../core/dom.js';
import { follow } from '../core/realtime.js';
import { form } from '../components/form.js';
import { failure, load, loading } from '../components/states.js';
import { dataTable } from '../components/table.js';
import { toast } from '../components/toast.js';
import { tenantFrame } from './tenant-shell.js';
import {
  AUTH_MODES, apisPath, authBadge, deleteApi, refreshSchema, remoteDatabases, restBase, sourceBody, sourceLabel, sourceOptions,
  tablePicker,
} from './apis-parts.js';

/** Runs a row's action, showing a failure as an error notice. */
async function attempt(button, action) {
  button.disabled = true;
  try { await action(); } catch (error) {
    toast(`${error.message}${error.code ? ` (${error.code})` : ''}`, 'error');
  } finally {
    button.disabled = false;
  }
}

function createForm(tenant, remotes, onCreated) {
  const fields = [
    { name: 'name', label: 'Name', required: true, placeholder: 'shop',
      help: 'Lowercase letters, digits, _ or -, starting with a letter. It is part of the URL and cannot change later.' },
    { name: 'source', label: 'Source', type: 'select', options: sourceOptions(remotes), value: 'tenant_store' },
    { name: 'auth', label: 'Access', type: 'select', options: AUTH_MODES, value: 'api_key',
      help: 'An API key works in every mode; so does the sign-in token of a user of this tenant.' },
    { name: 'max_rows', label: 'Max rows per read', type: 'number', min: 1, max: 1000000, placeholder: '1000',
      help: 'The most rows one request returns (1 to 1,000,000; 1000 when left empty).' },
    { name: 'allow_unfiltered_writes', label: 'Allow updates and deletes without a filter', type: 'checkbox' },
  ];
  const picker = tablePicker({ tenant });
  const element = form({
    label: 'Create API',
    submit: 'Create API',
    fields,
    async onSubmit(values) {
      picker.clearError();
      let tables;
      try { tables = picker.value(); } catch (error) { picker.showError(error.message); return; }
      const body = {
        name: values.name.trim(),
        source: sourceBody(values.source),
        tables,
        auth: values.auth,
        allow_unfiltered_writes: values.allow_unfiltered_writes,
      };
      if (values.max_rows !== undefined) body.max_rows = values.max_rows;
      try {
        const created = await api('POST', apisPath(tenant), { body });
        toast(`API ${created.name} created: ${created.tables.length} table${created.tables.length === 1 ? '' : 's'} served`);
        element.reset();
        picker.setSource('tenant_store');
        onCreated(created);
      } catch (error) {
        if (error.field === 'tables') { picker.showError(`${error.message} (${error.code})`); return; }
        throw error;
      }
    },
  });
  // The picker sits after the source it lists, before the access fields.
  element.insertBefore(picker.element, element.children[2]);
  element.elements.namedItem('source').addEventListener('change', (event) => picker.setSource(event.target.value));
  picker.setSource('tenant_store');
  return element;
}

export default {
  title: ({ tenant }) => `${tenant}: APIs`,
  async render({ main, params, cleanup, current }) {
    const { tenant } = params;
    const { body, writable } = tenantFrame(main, tenant, '/apis');
    const listBox = h('div');
    body.append(h('section', { 'aria-labelledby': 'apis-title' },
      h('h2', { id: 'apis-title' }, 'APIs'),
      h('p', { class: 'muted' }, 'REST APIs in PostgREST\'s grammar over the tenant store or a remote database. ',
        'Open one for its keys, its documentation and a place to try it.'),
      listBox));

    mount(listBox, loading());
    const remotes = await remoteDatabases(tenant);
    if (!current()) return;

    const columns = [
      { key: 'name', label: 'Name', render: (a) => h('a', { href: `#${apisPath(tenant)}/${encodeURIComponent(a.name)}` }, a.name) },
      { key: 'source', label: 'Source', value: (a) => a.source?.kind, render: (a) => sourceLabel(tenant, a.source, remotes) },
      { key: 'tables', label: 'Tables', value: (a) => a.tables.length, render: (a) => String(a.tables.length) },
      { key: 'auth', label: 'Access', render: (a) => authBadge(a.auth) },
      { key: 'url', label: 'Base URL', sort: false, render: (a) => h('code', { class: 'wrap' }, restBase(tenant, a.name)) },
      { key: 'refreshed_at', label: 'Schema read', render: (a) => ago(a.refreshed_at) },
    ];
    if (writable) {
      columns.push({
        key: 'actions', label: 'Actions', sort: false,
        render: (a) => h('div', { class: 'actions' },
          h('button', { type: 'button', onClick: (e) => attempt(e.currentTarget, () => refreshSchema(tenant, a.name).then(reload)) }, 'Refresh schema'),
          h('button', { type: 'button', class: 'danger', onClick: (e) => attempt(e.currentTarget, () => deleteApi(tenant, a.name).then((done) => done && reload())) }, 'Delete API')),
      });
    }
    const table = dataTable({
      columns,
      rowKey: (a) => a.name,
      empty: writable ? 'No APIs yet. Create one below to serve tables over REST.' : 'This tenant has no APIs yet.',
    });
    const fetchList = () => api('GET', apisPath(tenant)).then((page) => page.items || []);

    // Redraws from a fresh list without a loading flash (a live event, an action's end).
    let shown = false;
    async function reload() {
      if (!shown) return;
      try {
        const items = await fetchList();
        if (current()) table.setRows(items);
      } catch (error) {
        if (current()) mount(listBox, failure(error, first));
        shown = false;
      }
    }
    async function first() {
      const items = await load(listBox, fetchList, () => table.element);
      if (items) { table.setRows(items); shown = true; }
    }
    await first();

    // Another tab, the CLI or a sync job's refresh changed an API: read the list again, at most once a second.
    let pending = null;
    cleanup(() => clearTimeout(pending));
    cleanup(follow(`tenant:${tenant}`, (event) => {
      if (!event || event.kind !== 'api.changed' || pending) return;
      pending = setTimeout(() => { pending = null; reload(); }, 1000);
    }));

    if (writable && current()) {
      body.append(h('section', { class: 'card', 'aria-labelledby': 'create-api-title' },
        h('h2', { id: 'create-api-title' }, 'Create API'),
        createForm(tenant, remotes, reload)));
    }
  },
};
