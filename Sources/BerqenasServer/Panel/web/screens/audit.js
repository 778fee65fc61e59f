// The audit log, newest first (admins: everything; tenant admins: their tenant's): who did what, to what,
// with what outcome, from which address. Filters are kept in the address (Back and links work); more
// entries load on request.

import { api, currentUser, isAdmin } from '../core/api.js';
import { h, mount, number, uid, when } from '../core/dom.js';
import { form } from '../components/form.js';
import { empty, failure, loading } from '../components/states.js';
import { dataTable } from '../components/table.js';
import { toast } from '../components/toast.js';

const PAGE = 100;
const FILTERS = ['actor', 'action', 'tenant', 'outcome', 'since', 'until'];
const OUTCOME_CLASS = { success: 'ok', denied: 'warn', failure: 'bad' };

// A datetime-local control holds local time without a zone; the address and the API carry ISO 8601.
function localInput(iso) {
  const date = new Date(iso || '');
  if (!iso || Number.isNaN(date.getTime())) return '';
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}
function isoFrom(local) {
  const date = new Date(local || '');
  return !local || Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** Suggests the hub's operation ids (its OpenAPI document) in the Action field, read on first focus. */
function suggestActions(input) {
  const listId = uid('actions');
  const list = h('datalist', { id: listId });
  input.setAttribute('list', listId);
  input.addEventListener('focus', async () => {
    if (list.dataset.loaded) return;
    list.dataset.loaded = 'yes';
    try {
      const doc = await api('GET', '/openapi.json');
      const ids = new Set(['tenants.connection.reveal']);
      for (const operations of Object.values(doc.paths || {})) {
        for (const operation of Object.values(operations || {})) if (operation?.operationId) ids.add(operation.operationId);
      }
      list.replaceChildren(...[...ids].sort().map((id) => h('option', { value: id })));
    } catch { /* suggestions only */ }
  }, { once: true });
  return list;
}

function filterForm(filters, navigate) {
  const target = (values) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
    const text = params.toString();
    return '/audit' + (text ? '?' + text : '');
  };
  const active = FILTERS.some((key) => filters[key]);
  const element = form({
    label: 'Filter the audit log',
    submit: 'Apply filters',
    fields: [
      { name: 'actor', label: 'User', value: filters.actor, placeholder: 'username' },
      { name: 'action', label: 'Action', value: filters.action, placeholder: 'tenants.create', help: 'An operation id, exactly.' },
      ...(isAdmin() ? [{ name: 'tenant', label: 'Tenant', value: filters.tenant }] : []),
      { name: 'outcome', label: 'Outcome', type: 'select', value: filters.outcome || '',
        options: [['', 'Any'], ['success', 'Success'], ['denied', 'Denied'], ['failure', 'Failure']] },
      { name: 'since', label: 'From', type: 'datetime-local', value: localInput(filters.since) },
      { name: 'until', label: 'To', type: 'datetime-local', value: localInput(filters.until), help: 'Entries before this time.' },
    ],
    secondary: active ? h('button', { type: 'button', onClick: () => navigate('/audit') }, 'Clear filters') : null,
    onSubmit(values) {
      navigate(target({ ...values, actor: values.actor.trim(), action: values.action.trim(), tenant: values.tenant?.trim(),
        since: isoFrom(values.since), until: isoFrom(values.until) }));
    },
  });
  element.classList.add('inline-form');
  element.append(suggestActions(element.elements.namedItem('action')));
  return element;
}

const columns = [
  { key: 'occurred_at', label: 'Time', render: (e) => h('time', { datetime: e.occurred_at }, when(e.occurred_at)) },
  { key: 'actor', label: 'User', render: (e) => h('span', { class: 'wrap' }, e.actor || '—') },
  { key: 'action', label: 'Action', render: (e) => h('code', { class: 'wrap' }, e.action) },
  { key: 'tenant', label: 'Tenant', render: (e) => h('span', { class: 'wrap' }, e.tenant || '—') },
  { key: 'target', label: 'Target', render: (e) => h('span', { class: 'wrap' }, e.target || '—') },
  { key: 'outcome', label: 'Outcome', render: (e) => h('span', { class: ['badge', OUTCOME_CLASS[e.outcome] || 'muted'], title: `HTTP ${e.status_code}` },
    `${e.outcome} (${e.status_code})`) },
  { key: 'client_address', label: 'Client address', render: (e) => h('span', { class: 'wrap' }, e.client_address || '—') },
];

export default {
  title: 'Audit log',
  async render({ main, query, navigate, current }) {
    main.append(h('h1', {}, 'Audit log'));
    if (!isAdmin() && currentUser().role !== 'tenant_admin') {
      main.append(empty('The audit log is for admins and tenant admins.'));
      return;
    }
    const filters = Object.fromEntries(FILTERS.map((key) => [key, (query[key] || '').trim()]));
    const filter = filterForm(filters, navigate);
    const results = h('div', {}, loading('Loading the audit log…'));
    main.append(
      h('p', { class: 'muted' }, isAdmin() ? 'Every change and sign-in on the hub, newest first.'
        : `The changes and sign-ins of tenant ${currentUser().tenant}, newest first.`),
      h('section', { 'aria-labelledby': 'audit-filter-title' }, h('h2', { id: 'audit-filter-title' }, 'Filters'), filter),
      h('section', { 'aria-labelledby': 'audit-list-title' }, h('h2', { id: 'audit-list-title' }, 'Entries'), results));

    const request = (offset) => api('GET', '/audit', { query: { ...filters, limit: PAGE, offset } });
    const summary = h('p', { class: 'muted', role: 'status' });
    const more = h('button', { type: 'button' }, 'Load more');
    let table = null;
    let total = 0;
    const counted = () => {
      const shown = table.rows().length;
      summary.textContent = total ? `Showing ${number(shown)} of ${number(total)} entries.` : '';
      more.hidden = shown >= total;
    };
    more.addEventListener('click', async () => {
      more.disabled = true;
      try {
        const page = await request(table.rows().length);
        if (!current()) return;
        // Entries written meanwhile shift the pages: keep each entry once.
        const known = new Set(table.rows().map((e) => e.id));
        table.setRows([...table.rows(), ...page.items.filter((e) => !known.has(e.id))]);
        total = page.total;
        if (page.items.length === 0) total = table.rows().length;
        counted();
      } catch (error) {
        toast(`Could not load more entries: ${error.message}`, 'error');
      } finally {
        more.disabled = false;
      }
    });

    const show = async () => {
      mount(results, loading('Loading the audit log…'));
      try {
        const page = await request(0);
        if (!current()) return;
        total = page.total;
        table = dataTable({ columns, rows: page.items, caption: 'Audit entries', pageSize: Number.MAX_SAFE_INTEGER,
          empty: FILTERS.some((key) => filters[key]) ? 'No entries match these filters.' : 'No entries yet.' });
        mount(results, summary, table.element, h('div', { class: 'actions' }, more));
        counted();
      } catch (error) {
        if (!current()) return;
        mount(results, failure(error, show));
        if (FILTERS.includes(error.field)) filter.showError(error.field, error.message);
      }
    };
    await show();
  },
};
