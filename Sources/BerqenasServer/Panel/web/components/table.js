// A table with sortable columns and pages, drawn from rows already fetched.
//
// columns: [{ key, label, value?(row) → sortable value, render?(row) → node or text, sort?: false }]

import { h, mount } from '../core/dom.js';
import { empty as emptyState } from './states.js';

function compare(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/**
 * Answers { element, setRows(rows), update(key, patch) } for `rows`. `rowKey(row)` identifies rows (for
 * live updates); `empty` is what an empty table says.
 */
export function dataTable({ columns, rows = [], caption, empty = 'Nothing here yet.', pageSize = 20, rowKey = (row) => row.id }) {
  let data = rows.slice();
  let sortKey = null;
  let ascending = true;
  let page = 0;
  const wrapper = h('div', { class: 'table-wrap' });

  const valueOf = (column, row) => (column.value ? column.value(row) : row[column.key]);

  /** Draws the rows; `focus` names the control to give focus back to (a redraw replaces it). */
  function draw(focus = null) {
    if (data.length === 0) { mount(wrapper, emptyState(empty)); return; }
    const sorted = data.slice();
    const column = columns.find((c) => c.key === sortKey);
    if (column) sorted.sort((x, y) => compare(valueOf(column, x), valueOf(column, y)) * (ascending ? 1 : -1));
    const pages = Math.max(1, Math.ceil(sorted.length / pageSize));
    page = Math.min(page, pages - 1);
    const shown = sorted.slice(page * pageSize, (page + 1) * pageSize);
    const head = h('tr', {}, columns.map((c) => {
      const state = c.key === sortKey ? (ascending ? 'ascending' : 'descending') : 'none';
      if (c.sort === false) return h('th', { scope: 'col' }, c.label);
      return h('th', { scope: 'col', 'aria-sort': state },
        h('button', {
          type: 'button', class: 'sort', dataset: { control: `sort-${c.key}` },
          onClick: () => { ascending = sortKey === c.key ? !ascending : true; sortKey = c.key; draw(`sort-${c.key}`); },
        }, c.label, h('span', { 'aria-hidden': 'true' }, state === 'ascending' ? ' ▲' : state === 'descending' ? ' ▼' : '')));
    }));
    const body = shown.map((row) => h('tr', { dataset: { key: String(rowKey(row)) } },
      columns.map((c) => h('td', { 'data-label': c.label }, c.render ? c.render(row) : String(valueOf(c, row) ?? '—')))));
    const table = h('table', {}, caption ? h('caption', {}, caption) : null, h('thead', {}, head), h('tbody', {}, body));
    const pager = pages > 1 ? h('nav', { class: 'pager', 'aria-label': 'Pages' },
      h('button', { type: 'button', disabled: page === 0, dataset: { control: 'previous' }, onClick: () => { page -= 1; draw('previous'); } }, 'Previous'),
      h('span', { role: 'status' }, `Page ${page + 1} of ${pages}`),
      h('button', { type: 'button', disabled: page >= pages - 1, dataset: { control: 'next' }, onClick: () => { page += 1; draw('next'); } }, 'Next')) : null;
    mount(wrapper, h('div', { class: 'scroll' }, table), pager);
    if (focus) {
      const target = wrapper.querySelector(`[data-control="${focus}"]:not(:disabled)`) || wrapper.querySelector('.pager button:not(:disabled)');
      target?.focus();
    }
  }

  draw();
  return {
    element: wrapper,
    setRows(next) { data = next.slice(); draw(); },
    /** Changes the row with key `key` (a live event) and redraws; false when no such row is shown. */
    update(key, patch) {
      const row = data.find((r) => String(rowKey(r)) === String(key));
      if (!row) return false;
      Object.assign(row, patch);
      draw();
      return true;
    },
    rows: () => data,
  };
}
