// Conflicts: rows changed differently on both sides, shown as base, cloud and site values side by side
// with the changed fields marked; resolved one at a time (cloud, site, or an edited row) or many at once.

import { api } from '../core/api.js';
import { ago, h, mount, uid } from '../core/dom.js';
import { follow } from '../core/realtime.js';
import { modal } from '../components/dialog.js';
import { form } from '../components/form.js';
import { empty, failure, loading } from '../components/states.js';
import { toast } from '../components/toast.js';
import { tenantFrame } from './tenant-shell.js';

function show(value) {
  if (value === undefined) return '—';
  if (value === null) return 'null';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

/** The three versions of the row, one line per column, changed values marked. */
function comparison(conflict) {
  const columns = [...new Set([conflict.base, conflict.cloud, conflict.local].flatMap((row) => Object.keys(row || {})))];
  const cell = (row, column) => {
    const changed = conflict.base && row && !same(row[column], conflict.base[column]);
    const text = row ? show(row[column]) : '(deleted)';
    return h('td', { class: changed ? 'changed' : null }, changed ? h('mark', { title: 'changed since the base' }, text) : text);
  };
  return h('div', { class: 'table-wrap' }, h('div', { class: 'scroll' }, h('table', { class: 'sides' },
    h('caption', { class: 'visually-hidden' }, `Versions of ${conflict.table} ${JSON.stringify(conflict.key)}`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Column'), h('th', { scope: 'col' }, 'Base (last synced)'),
      h('th', { scope: 'col' }, `Cloud (${ago(conflict.cloud_captured_at)})`), h('th', { scope: 'col' }, `Site (${ago(conflict.local_captured_at)})`))),
    h('tbody', {}, columns.map((column) => h('tr', {}, h('th', { scope: 'row' }, column),
      h('td', {}, conflict.base ? show(conflict.base[column]) : '(new)'), cell(conflict.cloud, column), cell(conflict.local, column)))))));
}

/** The text of a field as the type its column's value had: a number, true or false, JSON, or null when emptied. */
function typed(text, original) {
  if (original === null && text === '') return null;
  if (typeof original === 'number' && text !== '' && !Number.isNaN(Number(text))) return Number(text);
  if (typeof original === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  if (typeof original === 'object' && original !== null) {
    try { return JSON.parse(text); } catch { return text; }
  }
  return text;
}

function customRow(conflict, onSave) {
  const start = conflict.cloud || conflict.local || {};
  const fields = Object.keys(start).map((column) => ({
    name: column, label: column, value: typeof start[column] === 'object' && start[column] !== null ? JSON.stringify(start[column]) : start[column] ?? '',
  }));
  const dialog = modal(`Edit the row of ${conflict.table}`, form({
    label: 'Custom row',
    submit: 'Apply this row to both sides',
    fields,
    async onSubmit(values) {
      const row = {};
      for (const [column, text] of Object.entries(values)) row[column] = typed(text, start[column]);
      await onSave(row);
      dialog.close();
    },
  }));
}

export default {
  title: ({ tenant }) => `${tenant}: conflicts`,
  async render({ main, params, query, cleanup, current }) {
    const { tenant, id } = params;
    const base = `/tenants/${encodeURIComponent(tenant)}/conflicts`;
    const { body, writable } = tenantFrame(main, tenant, '/conflicts');
    const status = query.status === 'resolved' ? 'resolved' : 'open';
    const list = h('div', { class: 'conflicts' });
    const selected = new Set();

    /** Resolves one conflict; the list is read again after it unless `reread` is false (a bulk resolve). */
    const resolve = async (conflict, winner, row, { reread = true } = {}) => {
      try {
        await api('POST', `${base}/${encodeURIComponent(conflict.id)}/resolve`, { body: row ? { winner, row } : { winner } });
        toast(`Conflict on ${conflict.table} resolved: ${winner === 'local' ? 'site' : winner} wins.`);
      } catch (error) {
        toast(`${error.message} (${error.code})`, 'error');
        throw error;
      } finally {
        if (reread) await read();
      }
    };

    const card = (conflict) => {
      const boxId = uid('pick');
      return h('article', { class: 'card conflict', dataset: { id: conflict.id } },
        h('header', { class: 'conflict-head' },
          writable && conflict.status === 'open' ? h('span', { class: 'checkbox' },
            h('input', { type: 'checkbox', id: boxId, onChange: (e) => (e.target.checked ? selected.add(conflict) : selected.delete(conflict)) }),
            h('label', { for: boxId }, 'Select', h('span', { class: 'visually-hidden' }, ` ${conflict.table} ${JSON.stringify(conflict.key)}`))) : null,
          h('h2', {}, h('code', {}, conflict.table), ' ', h('span', { class: 'muted' }, `key ${JSON.stringify(conflict.key)}`)),
          conflict.status === 'resolved' ? h('span', { class: 'badge muted' }, `resolved: ${conflict.winner} by ${conflict.resolved_by}`) : null),
        comparison(conflict),
        writable && conflict.status === 'open' ? h('div', { class: 'actions' },
          h('button', { type: 'button', onClick: () => resolve(conflict, 'cloud') }, 'Keep cloud'),
          h('button', { type: 'button', onClick: () => resolve(conflict, 'local') }, 'Keep site'),
          h('button', { type: 'button', onClick: () => customRow(conflict, (row) => resolve(conflict, 'custom', row)) }, 'Edit a custom row…')) : null);
    };

    const bulk = writable && status === 'open' ? h('div', { class: 'toolbar' },
      h('button', { type: 'button', onClick: () => resolveSelected('cloud') }, 'Keep cloud for selected'),
      h('button', { type: 'button', onClick: () => resolveSelected('local') }, 'Keep site for selected')) : null;
    const resolveSelected = async (winner) => {
      if (selected.size === 0) { toast('Select conflicts first.', 'error'); return; }
      for (const conflict of [...selected]) await resolve(conflict, winner, null, { reread: false }).catch(() => {});
      selected.clear();
      await read();
    };

    let reads = 0; // the latest read: an older answer arriving later is dropped
    async function read() {
      const mine = ++reads;
      try {
        const page = await api('GET', base, { query: { status, remote_database_id: id, limit: 100 } });
        if (mine !== reads || !current()) return;
        selected.clear();
        mount(list, page.items.length ? page.items.map(card) : empty(status === 'open' ? 'No open conflicts: both sides agree.' : 'No resolved conflicts yet.'),
          page.total > page.items.length ? h('p', { class: 'muted' }, `Showing ${page.items.length} of ${page.total}.`) : null);
      } catch (error) {
        mount(list, failure(error, read));
      }
    }

    body.append(
      h('nav', { class: 'toolbar', 'aria-label': 'Which conflicts' },
        h('a', { href: `#/tenants/${encodeURIComponent(tenant)}${id ? `/remote-databases/${id}` : ''}/conflicts`, 'aria-current': status === 'open' ? 'page' : null }, 'Open'),
        h('a', { href: `#/tenants/${encodeURIComponent(tenant)}${id ? `/remote-databases/${id}` : ''}/conflicts?status=resolved`, 'aria-current': status === 'resolved' ? 'page' : null }, 'Resolved')),
      bulk, list);
    mount(list, loading());
    await read();
    cleanup(follow(`tenant:${tenant}/sync`, (event) => { if (event && /^sync\.conflict\./.test(event.kind)) read(); }));
  },
};
