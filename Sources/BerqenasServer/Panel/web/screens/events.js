// The event log, newest first: a tenant's (`/tenants/:tenant/events`) or, for admins, the platform's own
// (`/events`). A kind filter (kept in the address, so Back and links work), older pages on request, and
// new events at the top as they happen.

import { h, mount, number, uid } from '../core/dom.js';
import { follow } from '../core/realtime.js';
import { form } from '../components/form.js';
import { empty, failure, loading } from '../components/states.js';
import { toast } from '../components/toast.js';
import { tenantFrame, tenantPath } from './tenant-shell.js';
import { eventRow, eventsBefore, eventTable, kindMatches, KIND_PREFIXES, PLATFORM_KIND_PREFIXES } from './events-parts.js';

const PAGE = 50;
const KEEP = 1000; // rows kept on the page while live events arrive; the oldest leave first

function filterForm({ kind, prefixes, base, navigate }) {
  const examples = prefixes === KIND_PREFIXES ? 'sync., vpn.peer. or tenant.' : 'hub. or tenant.';
  const listId = uid('kinds');
  const target = (value) => (value ? `${base}?kind=${encodeURIComponent(value)}` : base);
  const element = form({
    label: 'Filter events',
    submit: 'Filter',
    fields: [{
      name: 'kind', label: 'Kind starts with', value: kind, placeholder: 'sync.',
      help: `For example ${examples}; empty shows every kind.`,
    }],
    secondary: kind ? h('button', { type: 'button', onClick: () => navigate(base) }, 'Show all kinds') : null,
    onSubmit: ({ kind: next }) => navigate(target(next.trim())),
  });
  element.classList.add('inline-form');
  element.elements.namedItem('kind').setAttribute('list', listId);
  element.append(h('datalist', { id: listId }, prefixes.map((prefix) => h('option', { value: prefix }))));
  return element;
}

export default {
  title: (params) => (params.tenant ? `Events · ${params.tenant}` : 'Platform events'),
  async render({ params, query, main, navigate, cleanup, current }) {
    const tenant = params.tenant || null;
    const kind = (query.kind || '').trim();
    const base = tenant ? `${tenantPath(tenant)}/events` : '/events';
    const path = tenant ? `/tenants/${encodeURIComponent(tenant)}/events` : '/events';
    const topic = tenant ? `tenant:${tenant}` : 'platform';

    let body = main;
    if (tenant) {
      body = tenantFrame(main, tenant, '/events').body;
    } else {
      main.append(h('h1', {}, 'Platform events'),
        h('p', { class: 'muted' }, 'The hub\'s own events: servers starting, jobs taken over, tenants deleted. Each tenant\'s events are on its Events tab.'));
    }

    const results = h('div', { class: 'event-log' }, loading('Loading events…'));
    body.append(
      h('section', { 'aria-labelledby': 'event-filter-title' },
        h('h2', { id: 'event-filter-title', class: 'visually-hidden' }, 'Filter'),
        filterForm({ kind, prefixes: tenant ? KIND_PREFIXES : PLATFORM_KIND_PREFIXES, base, navigate })),
      h('section', { 'aria-labelledby': 'event-log-title' },
        h('h2', { id: 'event-log-title' }, kind ? `Events of kind ${kind}…` : 'Events'),
        results));

    const table = eventTable(tenant ? `Events of tenant ${tenant}, newest first` : 'Platform events, newest first');
    const none = empty(kind ? `No events of kind ${kind}… are kept.` : 'No events are kept yet. They appear here as they happen.');
    const summary = h('p', { class: 'muted', role: 'status' });
    const live = h('p', { class: 'muted' }, 'New events appear at the top as they happen.');
    const older = h('button', { type: 'button', hidden: true }, 'Load older');
    const end = h('p', { class: 'muted', hidden: true }, 'That is the oldest event kept (the log keeps a week by default).');
    const seen = new Set();
    let oldestId = Infinity;

    const redrawState = () => {
      const count = table.body.children.length;
      none.hidden = count > 0;
      table.element.hidden = count === 0;
      summary.textContent = count ? `Showing ${number(count)} ${count === 1 ? 'event' : 'events'}, newest first.` : '';
      const last = table.body.lastElementChild;
      oldestId = last ? Number(last.dataset.id) : Infinity;
    };
    const addNewest = (event) => {
      if (seen.has(event.id)) return;
      seen.add(event.id);
      table.body.prepend(eventRow(event));
      while (table.body.children.length > KEEP) {
        seen.delete(Number(table.body.lastElementChild.dataset.id));
        table.body.lastElementChild.remove();
        older.hidden = false;
        end.hidden = true;
      }
      redrawState();
    };
    const addOlder = (events) => {
      for (const event of events.slice().reverse()) {
        if (seen.has(event.id)) continue;
        seen.add(event.id);
        table.body.append(eventRow(event));
      }
      redrawState();
    };

    older.addEventListener('click', async () => {
      older.disabled = true;
      try {
        const { items, more } = await eventsBefore(path, { before: oldestId, size: PAGE, kind });
        if (!current()) return;
        addOlder(items);
        if (!more || items.length === 0) { older.hidden = true; end.hidden = false; }
      } catch (error) {
        toast(`Could not load older events: ${error.message}`, 'error');
      } finally {
        older.disabled = false;
      }
    });

    // Live events that arrive while the page loads wait until it is drawn.
    let drawn = false;
    const early = [];
    const onEvent = (event, refusal) => {
      if (!event) { live.textContent = `Not following live: ${refusal?.message || 'the hub refused'}.`; return; }
      if (!kindMatches(event, kind)) return;
      if (drawn) addNewest(event); else early.push(event);
    };
    // With a filter the newest matching event may be old, and replaying everything after it would be
    // large: follow from now on instead, before reading.
    if (kind) cleanup(follow(topic, onEvent));

    let page;
    try {
      page = await eventsBefore(path, { size: PAGE, kind });
    } catch (error) {
      if (current()) mount(results, failure(error, () => navigate(kind ? `${base}?kind=${encodeURIComponent(kind)}` : base)));
      return;
    }
    if (!current()) return;
    mount(results, summary, none, table.element, h('div', { class: 'actions' }, older), end, live);
    addOlder(page.items);
    older.hidden = !page.more;
    drawn = true;
    for (const event of early.splice(0)) addNewest(event);
    if (!kind) {
      const newest = page.items.length ? page.items[page.items.length - 1].id : 0;
      cleanup(follow(topic, onEvent, { since: newest }));
    }
  },
};
