// The dashboard: the figures of /api/v1/dashboard/stats, 24-hour charts, and the live activity feed.

import { api, currentUser, isAdmin } from '../core/api.js';
import { h, mount } from '../core/dom.js';
import { follow } from '../core/realtime.js';
import { chart } from '../components/chart.js';
import { figures } from '../components/figures.js';
import { eventFeed } from '../components/event-feed.js';
import { failure, loading } from '../components/states.js';

function charts(stats) {
  const hour = (point) => new Date(point.hour).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return h('div', { class: 'charts' },
    chart({ title: 'Rows synced per hour', kind: 'line', unit: 'rows', points: stats.hourly.map((p) => ({ label: hour(p), value: p.rows_synced })) }),
    chart({ title: 'Jobs failed per hour', kind: 'bar', unit: 'jobs', points: stats.hourly.map((p) => ({ label: hour(p), value: p.jobs_failed })) }));
}

export default {
  title: 'Dashboard',
  async render({ main, cleanup, current }) {
    const user = currentUser();
    const scope = isAdmin() ? 'the whole platform' : `tenant ${user.tenant}`;
    const numbers = h('section', { 'aria-labelledby': 'figures-title' }, loading());
    const feed = eventFeed({ label: 'Live activity' });
    mount(main,
      h('h1', {}, 'Dashboard'),
      h('p', { class: 'muted' }, `Figures for ${scope}, over the last 24 hours.`),
      h('h2', { id: 'figures-title', class: 'visually-hidden' }, 'Figures'),
      numbers,
      h('section', { 'aria-labelledby': 'feed-title' }, h('h2', { id: 'feed-title' }, 'Live activity'), feed.element));

    let pending = null;
    const refresh = async () => {
      try {
        const stats = await api('GET', '/dashboard/stats');
        if (!current()) return;
        mount(numbers, figures(stats), charts(stats));
      } catch (error) {
        if (current()) mount(numbers, failure(error, refresh));
      }
    };
    // Live events change the figures: read them again, at most every two seconds.
    const soon = () => { if (!pending) pending = setTimeout(() => { pending = null; refresh(); }, 2000); };
    cleanup(() => clearTimeout(pending));
    await refresh();

    const topics = isAdmin()
      ? ['platform', ...(await api('GET', '/tenants', { query: { limit: 500 } }).then((page) => page.items.map((t) => `tenant:${t.name}`)).catch(() => []))]
      : [`tenant:${user.tenant}`];
    for (const topic of topics) {
      cleanup(follow(topic, (event) => {
        if (!event) return;
        feed.add(event);
        soon();
      }));
    }
  },
};
