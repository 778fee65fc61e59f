// Reading the event log newest first (`GET …/events?before=N&limit=M`), and an event as a table row.

import { api } from '../core/api.js';
import { ago, h, when } from '../core/dom.js';
import { eventLink } from '../components/event-feed.js';

/** A `before` above every event number (the largest number the API takes). */
const NEWEST = 1e12;

/** Kind prefixes offered by the filters (docs/events.md). */
export const KIND_PREFIXES = ['sync.', 'sync.job.', 'sync.conflict.', 'vpn.', 'vpn.peer.', 'remote_database.', 'api.', 'tenant.', 'publication.'];
export const PLATFORM_KIND_PREFIXES = ['hub.', 'sync.job.', 'tenant.'];

/**
 * The newest `size` events of `path` (e.g. '/tenants/acme/events') numbered below `before` (Infinity: the
 * newest of all), whose kind starts with `kind`, oldest first. Answers { items, more }, `more` when older
 * ones may exist.
 */
export async function eventsBefore(path, { before = Infinity, size = 50, kind = '' } = {}) {
  const answer = await api('GET', path, { query: { before: Number.isFinite(before) ? before : NEWEST, limit: size, kind } });
  return { items: answer.items, more: answer.items.length === size };
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
