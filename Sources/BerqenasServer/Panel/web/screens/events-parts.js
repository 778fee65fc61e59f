// Reading the event log newest first, and an event as a table row.
//
// The API pages the log oldest first from a number (`GET …/events?after=N&limit=M`), with no way to ask
// for the newest. So the newest `size` events below a bound are found by bisecting `after`: the largest N
// whose page still holds `size` events, all below the bound, is the page wanted. That takes about two
// small requests per doubling of the event numbers (twenty-odd for a million), each an indexed read.

import { api } from '../core/api.js';
import { ago, h, when } from '../core/dom.js';
import { eventLink } from '../components/event-feed.js';

/** Kind prefixes offered by the filters (docs/events.md). */
export const KIND_PREFIXES = ['sync.', 'sync.job.', 'sync.conflict.', 'vpn.', 'vpn.peer.', 'remote_database.', 'api.', 'tenant.', 'publication.'];
export const PLATFORM_KIND_PREFIXES = ['hub.', 'sync.job.', 'tenant.'];

/**
 * The newest `size` events of `path` (e.g. '/tenants/acme/events') numbered below `before` (Infinity: the
 * newest of all), whose kind starts with `kind`, oldest first. Answers { items, more }, `more` when older
 * ones may exist.
 */
export async function eventsBefore(path, { before = Infinity, size = 50, kind = '' } = {}) {
  const pages = new Map();
  const page = async (after) => {
    if (!pages.has(after)) {
      const answer = await api('GET', path, { query: { after, limit: size, kind } });
      pages.set(after, answer.items.filter((event) => event.id < before));
    }
    return pages.get(after);
  };
  const full = (items) => items.length === size;

  let items = await page(0);
  if (!full(items)) return { items, more: false };
  // `lo` is a number whose page is full (a page starting at event e is the same for every N from the
  // previous event to e - 1, so lo moves to e - 1), `hi` one whose page is not.
  let lo = items[0].id - 1;
  let hi;
  if (Number.isFinite(before)) {
    hi = before - 1;
  } else {
    // Gallop forward until a page runs short.
    let step = Math.max(size, items[items.length - 1].id - lo);
    for (;;) {
      const found = await page(lo + step);
      if (!full(found)) { hi = lo + step; break; }
      lo = found[0].id - 1;
      items = found;
      step *= 2;
    }
  }
  while (hi - lo > 1) {
    const middle = Math.floor((lo + hi) / 2);
    const found = await page(middle);
    if (full(found)) { lo = found[0].id - 1; items = found; } else { hi = middle; }
  }
  return { items, more: true };
}

/** Whether `event` passes a kind-prefix filter. */
export function kindMatches(event, prefix) {
  return !prefix || String(event.kind).startsWith(prefix);
}

/** One event as a table row: time, kind, subject, and the message linking to what it is about. */
export function eventRow(event) {
  const link = eventLink(event);
  return h('tr', { dataset: { id: String(event.id), kind: event.kind } },
    h('td', { 'data-label': 'Time' }, h('time', { datetime: event.occurred_at, title: ago(event.occurred_at) }, when(event.occurred_at))),
    h('td', { 'data-label': 'Kind' }, h('code', {}, event.kind)),
    h('td', { 'data-label': 'Subject', class: 'wrap' }, event.subject),
    h('td', { 'data-label': 'Message', class: 'wrap' }, link ? h('a', { href: link }, event.message) : event.message));
}

/** The table events are drawn into: answers { element, body } (rows go into `body`). */
export function eventTable(caption) {
  const body = h('tbody', {});
  const element = h('div', { class: 'table-wrap' },
    h('div', { class: 'scroll' },
      h('table', { class: 'events' },
        h('caption', { class: 'visually-hidden' }, caption),
        h('thead', {}, h('tr', {}, ['Time', 'Kind', 'Subject', 'Message'].map((label) => h('th', { scope: 'col' }, label)))),
        body)));
  return { element, body };
}
