// One generated API: what it serves (tables, columns, operations) and its settings, changed in place by
// those who may write; its keys; its own OpenAPI document; and a console to try reads against it. Kept
// current by the tenant's `api.changed` events for this API.

import { api } from '../core/api.js';
import { ago, h, mount, number, when } from '../core/dom.js';
import { follow } from '../core/realtime.js';
import { form } from '../components/form.js';
import { empty, load, loading } from '../components/states.js';
import { toast } from '../components/toast.js';
import { tenantFrame } from './tenant-shell.js';
import {
  AUTH_MODES, OPERATIONS, apisPath, authBadge, deleteApi, refreshSchema, remoteDatabases, restBase, sourceBody, sourceLabel,
  sourceOptions, sourceValue, tablePicker,
} from './apis-parts.js';
import { docsSection, tryItSection } from './api-docs-parts.js';
import { keysSection } from './api-keys-parts.js';

function detailsView(tenant, definition, remotes) {
  return h('dl', { class: 'kv' },
    h('dt', {}, 'Source'), h('dd', {}, sourceLabel(tenant, definition.source, remotes)),
    h('dt', {}, 'Access'), h('dd', {}, authBadge(definition.auth)),
    h('dt', {}, 'Max rows per read'), h('dd', {}, definition.max_rows ? number(definition.max_rows) : '1,000 (default)'),
    h('dt', {}, 'Unfiltered updates and deletes'), h('dd', {}, definition.allow_unfiltered_writes ? 'Allowed' : 'Refused'),
    h('dt', {}, 'Base URL'), h('dd', {}, h('code', { class: 'wrap' }, restBase(tenant, definition.name))),
    h('dt', {}, 'Tables served'), h('dd', {}, String(definition.tables.length)),
    h('dt', {}, 'Schema read'), h('dd', {}, `${when(definition.refreshed_at)} (${ago(definition.refreshed_at)})`));
}

function tablesView(definition) {
  if (definition.tables.length === 0) {
    return empty('This API serves no tables: the source had none of those it names when its schema was last read.');
  }
  return definition.tables.map((table) => h('div', {},
    h('h3', {}, h('code', { class: 'wrap' }, table.name)),
    h('p', {}, OPERATIONS.map((op) => h('span', { class: ['badge', table.operations.includes(op) ? 'ok' : 'muted'] },
      table.operations.includes(op) ? op : `no ${op}`)).flatMap((badge) => [badge, ' ']),
    table.primary_key.length ? h('span', { class: 'muted' }, `Primary key: ${table.primary_key.join(', ')}`) : h('span', { class: 'muted' }, 'No primary key')),
    h('div', { class: 'table-wrap' }, h('table', {},
      h('caption', { class: 'visually-hidden' }, `Columns of ${table.name}`),
      h('thead', {}, h('tr', {}, ['Column', 'Type', 'Nullable'].map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, table.columns.map((c) => h('tr', {},
        h('td', { 'data-label': 'Column' }, h('code', { class: 'wrap' }, c.name)),
        h('td', { 'data-label': 'Type' }, c.type),
        h('td', { 'data-label': 'Nullable' }, c.nullable ? 'yes' : 'no'))))))));
}

/** "Edit API": PATCH with only what changed (the tables only when the picker was touched). */
function editForm(tenant, definition, remotes, onSaved) {
  const base = `${apisPath(tenant)}/${encodeURIComponent(definition.name)}`;
  const operations = OPERATIONS.filter((op) => definition.tables.some((t) => t.operations.includes(op)));
  const picker = tablePicker({
    tenant,
    selected: definition.tables.map((t) => t.name),
    operations: operations.length ? operations : ['read'],
    help: 'Left untouched, the API keeps the tables it names now (all of them, if it was made that way).',
  });
  const current = sourceValue(definition.source);
  const options = sourceOptions(remotes);
  if (!options.some(([value]) => value === current)) options.push([current, `Remote database ${current}`]);
  const element = form({
    label: 'Edit API',
    submit: 'Save changes',
    fields: [
      { name: 'source', label: 'Source', type: 'select', options, value: current },
      { name: 'auth', label: 'Access', type: 'select', options: AUTH_MODES, value: definition.auth },
      { name: 'max_rows', label: 'Max rows per read', type: 'number', min: 1, max: 1000000, value: definition.max_rows ?? '',
        help: '1 to 1,000,000.' },
      { name: 'allow_unfiltered_writes', label: 'Allow updates and deletes without a filter', type: 'checkbox',
        value: definition.allow_unfiltered_writes },
    ],
    async onSubmit(values) {
      picker.clearError();
      const patch = {};
      if (values.source !== current) patch.source = sourceBody(values.source);
      if (picker.dirty()) {
        try { patch.tables = picker.value(); } catch (error) { picker.showError(error.message); return; }
      }
      if (values.auth !== definition.auth) patch.auth = values.auth;
      if (values.max_rows !== undefined && values.max_rows !== definition.max_rows) patch.max_rows = values.max_rows;
      if (values.allow_unfiltered_writes !== definition.allow_unfiltered_writes) patch.allow_unfiltered_writes = values.allow_unfiltered_writes;
      if (Object.keys(patch).length === 0) { element.showError(null, 'Nothing to save: no setting was changed.'); return; }
      try {
        const updated = await api('PATCH', base, { body: patch });
        toast(`API ${definition.name} saved`);
        onSaved(updated);
      } catch (error) {
        if (error.field === 'tables') { picker.showError(`${error.message} (${error.code})`); return; }
        throw error;
      }
    },
  });
  element.insertBefore(picker.element, element.children[1]);
  element.elements.namedItem('source').addEventListener('change', (event) => {
    picker.markChanged();
    picker.setSource(event.target.value);
  });
  picker.setSource(current);
  return element;
}

function section(title, id, ...content) {
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), content);
}

export default {
  title: ({ tenant, api: name }) => `${tenant}: API ${name}`,
  async render({ main, params, cleanup, current, navigate }) {
    const { tenant, api: name } = params;
    const { body, writable } = tenantFrame(main, tenant, '/apis', name);
    const base = `${apisPath(tenant)}/${encodeURIComponent(name)}`;
    const page = h('div');
    body.append(h('p', {}, h('a', { href: `#${apisPath(tenant)}` }, '← All APIs')), page);
    mount(page, loading());

    const remotes = await remoteDatabases(tenant);
    if (!current()) return;

    let definition = null;
    let createdKey = ''; // a key made on this page, for "Try it" and the docs
    let tryIt = null;
    const detailsBox = h('div');
    const tablesBox = h('div');
    const editBox = h('div');
    const tryBox = h('div');
    const docs = docsSection({ tenant, name, getKey: () => tryIt?.getKey() || createdKey, getAuth: () => definition?.auth });
    const keys = keysSection({
      tenant, name, writable,
      onCreated(key) { createdKey = key; tryIt?.setKey(key); docs.reload(); },
      onRevoked(prefix) {
        if (createdKey.startsWith(prefix)) createdKey = '';
        if (tryIt?.getKey().startsWith(prefix)) tryIt.setKey('');
      },
    });

    const run = (button, action) => async () => {
      button.disabled = true;
      try { await action(); } catch (error) { toast(`${error.message}${error.code ? ` (${error.code})` : ''}`, 'error'); }
      finally { button.disabled = false; }
    };
    const tools = [];
    if (writable) {
      const refreshButton = h('button', { type: 'button' }, 'Refresh schema');
      refreshButton.addEventListener('click', run(refreshButton, async () => {
        await refreshSchema(tenant, name);
        await reload(true);
      }));
      const deleteButton = h('button', { type: 'button', class: 'danger' }, 'Delete API');
      deleteButton.addEventListener('click', run(deleteButton, async () => {
        if (await deleteApi(tenant, name)) navigate(apisPath(tenant));
      }));
      tools.push(h('div', { class: 'toolbar' }, refreshButton, deleteButton));
    }

    /** Draws what depends on the definition; the edit form is left alone while the user is in it. */
    function draw(next, { force = false } = {}) {
      definition = next;
      mount(detailsBox, detailsView(tenant, next, remotes));
      mount(tablesBox, tablesView(next));
      if (writable && (force || !editBox.contains(document.activeElement))) mount(editBox, editForm(tenant, next, remotes, saved));
      const key = tryIt ? tryIt.getKey() : createdKey;
      tryIt = tryItSection({ tenant, name, definition: next });
      tryIt.setKey(key);
      mount(tryBox, tryIt.element);
    }
    function saved(updated) {
      draw(updated, { force: true });
      docs.reload();
    }
    async function reload(force = false) {
      try {
        const next = await api('GET', base);
        if (current()) { draw(next, { force }); docs.reload(); }
      } catch (error) {
        if (current() && error.status === 404) gone();
      }
    }
    function gone() {
      mount(page, empty(`API ${name} no longer exists.`, h('a', { href: `#${apisPath(tenant)}` }, 'Back to the APIs')));
    }

    let started = false;
    await load(page, () => api('GET', base), (first) => {
      draw(first);
      if (!started) { started = true; keys.reload(); docs.reload(); }
      return [
        section('Details', 'api-details-title', tools, detailsBox),
        section('Tables', 'api-tables-title', h('p', { class: 'muted' }, 'What the API serves, as its source described it when its schema was last read.'), tablesBox),
        writable ? h('section', { class: 'card', 'aria-labelledby': 'api-edit-title' }, h('h2', { id: 'api-edit-title' }, 'Edit API'), editBox) : null,
        keys.element,
        docs.element,
        tryBox,
      ];
    });
    if (!current()) return;

    // Changed elsewhere (another tab, the CLI, a sync job's refresh) or deleted: follow it.
    let pending = null;
    cleanup(() => clearTimeout(pending));
    cleanup(follow(`tenant:${tenant}`, (event) => {
      if (!event || event.kind !== 'api.changed' || event.data?.api !== name) return;
      if (event.data.action === 'deleted') { clearTimeout(pending); gone(); return; }
      if (!pending && definition) pending = setTimeout(() => { pending = null; reload(); }, 500);
    }));
  },
};
