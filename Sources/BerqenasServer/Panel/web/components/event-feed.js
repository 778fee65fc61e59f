// A live list of events (newest first): what the dashboard and a tenant's pages show as it happens.

import { h, when } from '../core/dom.js';

/** A short link to the page an event is about, from its data. */
export function eventLink(event) {
  const t = event.tenant ? encodeURIComponent(event.tenant) : null;
  const data = event.data || {};
  if (!t) return null;
  if (data.job_id) return `#/tenants/${t}/jobs/${encodeURIComponent(data.job_id)}`;
  if (data.remote_database_id) return `#/tenants/${t}/remote-databases/${encodeURIComponent(data.remote_database_id)}`;
  if (data.peer_id) return `#/tenants/${t}/vpn/peers/${encodeURIComponent(data.peer_id)}`;
  if (data.api) return `#/tenants/${t}/apis/${encodeURIComponent(data.api)}`;
  return `#/tenants/${t}`;
}

function item(event) {
  const link = eventLink(event);
  const severity = /failed|unreachable|disconnected|opened/.test(event.kind) ? 'bad' : /succeeded|reachable|connected|resolved/.test(event.kind) ? 'good' : '';
  return h('li', { class: ['event', severity], dataset: { id: String(event.id), kind: event.kind } },
    h('time', { datetime: event.occurred_at }, when(event.occurred_at)),
    h('code', { class: 'kind' }, event.kind),
    event.tenant ? h('span', { class: 'tenant' }, event.tenant) : null,
    link ? h('a', { href: link }, event.message) : h('span', {}, event.message));
}

/** Answers { element, add(event), set(events) }; keeps the newest `limit`. */
export function eventFeed({ label = 'Activity', limit = 50, empty = 'No events yet. They appear here as they happen.' } = {}) {
  const list = h('ol', { class: 'event-feed', 'aria-label': label, 'aria-live': 'polite', 'aria-relevant': 'additions' });
  const placeholder = h('p', { class: 'state empty' }, empty);
  const element = h('div', { class: 'feed' }, placeholder, list);
  const trim = () => { while (list.children.length > limit) list.lastElementChild.remove(); };
  return {
    element,
    add(event) {
      if (list.querySelector(`[data-id="${event.id}"]`)) return;
      placeholder.hidden = true;
      list.prepend(item(event));
      trim();
    },
    set(events) {
      list.replaceChildren(...events.slice().reverse().map(item));
      placeholder.hidden = events.length > 0;
      trim();
    },
  };
}
