// Alerts: a tenant's (/tenants/:tenant/alerts) or, for admins, the platform's own (/alerts, whose rules
// watch every tenant). Three sections: channels, rules, and the deliveries they made (docs/alerts.md).

import { api, isAdmin, rows } from '../core/api.js';
import { h, mount, uid, when } from '../core/dom.js';
import { follow } from '../core/realtime.js';
import { failure, loading } from '../components/states.js';
import { dataTable } from '../components/table.js';
import { channelsSection } from './alerts-channels.js';
import { rulesSection } from './alerts-rules.js';
import { tenantFrame } from './tenant-shell.js';

const STATUS = { delivered: ['Delivered', 'ok'], pending: ['Pending', 'warn'], failed: ['Failed', 'bad'] };
// Events after which a rule may start or stop firing, and so a delivery may follow.
const ALERTING = /^(sync\.job\.(succeeded|failed|cancelled|started)|sync\.conflict\.|remote_database\.|vpn\.peer\.)/;

function section(title, ...content) {
  const id = uid('h');
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...content);
}

export default {
  title: (params) => (params.tenant ? `Alerts · ${params.tenant}` : 'Platform alerts'),
  async render({ params, main, cleanup, current }) {
    const tenant = params.tenant || null;
    let body;
    let writable;
    if (tenant) {
      ({ body, writable } = tenantFrame(main, tenant, '/alerts'));
    } else {
      body = h('div');
      writable = isAdmin();
      main.append(h('h1', {}, 'Platform alerts'),
        h('p', { class: 'muted' }, 'The platform\'s rules watch every tenant; they send only to the platform\'s channels.'),
        body);
    }
    const page = {
      tenant,
      base: tenant ? `/tenants/${encodeURIComponent(tenant)}` : '',
      writable,
      current,
      channels: [],
      rules: [],
      remotes: [],
      peers: [],
      changed: () => { rules.redraw(); deliveries.setRows(deliveries.rows()); },
      deliveriesChanged: () => loadDeliveries(),
    };
    const channels = channelsSection(page);
    const rules = rulesSection(page);

    const ruleName = (id) => (id ? page.rules.find((r) => r.id === id)?.name || 'a removed rule' : '—');
    const channelName = (id) => page.channels.find((c) => c.id === id)?.name || 'a removed channel';
    const deliveries = dataTable({
      caption: 'Alert deliveries, newest first',
      empty: 'Nothing sent yet.',
      pageSize: 25,
      columns: [
        { key: 'created_at', label: 'Time', value: (d) => -Date.parse(d.created_at),
          render: (d) => h('time', { datetime: d.created_at }, when(d.created_at)) },
        { key: 'kind', label: 'Kind' },
        { key: 'rule', label: 'Rule', value: (d) => ruleName(d.rule_id), render: (d) => h('span', { class: 'wrap' }, d.kind === 'test' ? 'Test message' : ruleName(d.rule_id)) },
        { key: 'channel', label: 'Channel', value: (d) => channelName(d.channel_id), render: (d) => h('span', { class: 'wrap' }, channelName(d.channel_id)) },
        { key: 'title', label: 'Message', render: (d) => h('span', { class: 'wrap' }, d.title) },
        { key: 'status', label: 'State', render: (d) => {
          const [label, kind] = STATUS[d.status] || [d.status, 'muted'];
          return [h('span', { class: ['badge', kind] }, label),
            d.status === 'pending' && d.next_attempt_at ? h('span', { class: 'muted' }, ` next try ${when(d.next_attempt_at)}`) : null];
        } },
        { key: 'attempts', label: 'Attempts' },
        { key: 'last_error', label: 'Last error', render: (d) => (d.last_error ? h('span', { class: 'wrap' }, d.last_error) : '—') },
      ],
    });
    const deliveriesBox = h('div', {}, loading());

    async function loadDeliveries() {
      try {
        const found = await rows(`${page.base}/alert-deliveries`, { query: { limit: 200 } });
        if (!current()) return;
        deliveries.setRows(found);
        if (!deliveriesBox.contains(deliveries.element)) mount(deliveriesBox, deliveries.element);
      } catch (error) {
        if (current()) mount(deliveriesBox, failure(error, loadDeliveries));
      }
    }

    const refreshButton = h('button', {
      type: 'button',
      async onClick() {
        refreshButton.disabled = true;
        await Promise.all([loadDeliveries(), rules.load().catch(() => {})]);
        refreshButton.disabled = false;
      },
    }, 'Refresh');

    const channelsBox = h('div', {}, loading());
    const rulesBox = h('div', {}, loading());
    mount(body,
      section('Channels', channelsBox),
      section('Rules', rulesBox),
      section('Deliveries', h('div', { class: 'toolbar' }, refreshButton), deliveriesBox));

    async function start() {
      mount(channelsBox, loading());
      mount(rulesBox, loading());
      try {
        // Remote databases and peers name rules' scopes and firing subjects (a tenant's only: the platform
        // has no such lists).
        [page.remotes, page.peers] = tenant ? await Promise.all([
          rows(`${page.base}/remote-databases`).catch(() => []),
          rows(`${page.base}/vpn/peers`).catch(() => [])]) : [[], []];
        await channels.load();
        await rules.load();
        if (!current()) return;
        deliveries.setRows(deliveries.rows()); // rule names are known now
        mount(channelsBox, channels.table.element, page.writable ? [h('h3', {}, 'Add channel'), channels.addForm] : null);
        mount(rulesBox, rules.table.element, page.writable ? [h('h3', {}, 'Add rule'), rules.addForm] : null);
      } catch (error) {
        if (current()) { mount(channelsBox, failure(error, start)); mount(rulesBox); }
      }
    }

    // Rules are looked at as soon as such an event is logged: read firing states and deliveries a moment
    // later, and once more when retries or slow channels had time to answer.
    let soon = null;
    let later = null;
    const again = () => {
      clearTimeout(soon);
      clearTimeout(later);
      soon = setTimeout(() => { rules.load().catch(() => {}); loadDeliveries(); }, 2000);
      later = setTimeout(() => { rules.load().catch(() => {}); loadDeliveries(); }, 12_000);
    };
    cleanup(() => { clearTimeout(soon); clearTimeout(later); });
    await Promise.all([start(), loadDeliveries()]);
    if (!current()) return;
    // The platform's rules watch every tenant: follow them all (as the dashboard does).
    const topics = tenant ? [`tenant:${tenant}`]
      : await api('GET', '/tenants', { query: { limit: 500 } }).then((p) => p.items.map((t) => `tenant:${t.name}`)).catch(() => []);
    for (const topic of topics) {
      cleanup(follow(topic, (event) => { if (event && ALERTING.test(event.kind)) again(); }));
    }
  },
};
