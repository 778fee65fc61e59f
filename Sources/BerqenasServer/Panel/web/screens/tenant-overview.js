// A tenant's overview: its facts, its figures of the last 24 hours, how to reach its store, the form that
// changes it (status and quotas for admins only), and its latest events as they happen.

import { api, isAdmin } from '../core/api.js';
import { h, mount } from '../core/dom.js';
import { follow } from '../core/realtime.js';
import { confirm } from '../components/dialog.js';
import { eventFeed } from '../components/event-feed.js';
import { form } from '../components/form.js';
import { failure, load, loading } from '../components/states.js';
import { toast } from '../components/toast.js';
import { figures } from '../components/figures.js';
import { eventsBefore } from './events-parts.js';
import { tenantFrame, tenantPath } from './tenant-shell.js';
import { facts } from '../components/facts.js';
import { quotaFields, quotaValues, tenantFacts } from './tenants-parts.js';

const FEED_SIZE = 15;

/** The store's connection details; the password asked for only when the user wants it (each reveal is audited). */
function connectionFacts(info, url, writable) {
  let password = 'Shown to admins and tenant admins only.';
  if (writable && info.engine !== 'sqlite') {
    const value = h('code', { class: 'wrap' }, '••••••••');
    const toggle = h('button', { type: 'button', class: 'link-button' }, 'Show password');
    let revealed = null;
    toggle.addEventListener('click', async () => {
      if (revealed === null) {
        try {
          revealed = (await api('GET', `${url}/connection`, { query: { reveal: true } })).password ?? '';
        } catch (error) {
          value.textContent = `${error.message} (${error.code})`;
          return;
        }
      }
      const show = value.textContent !== revealed;
      value.textContent = show ? revealed || 'None: this store has no password.' : '••••••••';
      toggle.textContent = show ? 'Hide password' : 'Show password';
    });
    password = h('span', {}, value, ' ', toggle);
  } else if (writable) {
    password = 'None: a SQLite store is a file on the hub.';
  }
  const code = (text) => (text === null || text === undefined ? null : h('code', { class: 'wrap' }, String(text)));
  return facts([
    ['Engine', info.engine === 'postgresql' ? 'PostgreSQL' : info.engine === 'sqlite' ? 'SQLite' : info.engine],
    ['Host', code(info.host)],
    ['Port', code(info.port)],
    ['Database', code(info.database)],
    ['Schema', code(info.schema)],
    ['Username', code(info.username)],
    ['Password', password],
  ], 'Store connection');
}

/** The "Edit tenant" form: only the fields changed are sent. */
function editForm(tenant, onSaved) {
  const admin = isAdmin();
  const fields = [
    { name: 'display_name', label: 'Display name', value: tenant.display_name },
    { name: 'subdomain', label: 'Subdomain', value: tenant.subdomain || '', help: 'A DNS label; empty removes it.' },
    { name: 'vpn_enabled', label: 'VPN enabled', type: 'checkbox', value: tenant.vpn_enabled,
      help: 'The flag only; the network and its peers are set up on the VPN tab.' },
    ...(admin ? [
      { name: 'status', label: 'Status', type: 'select', value: tenant.status, options: [['active', 'Active'], ['suspended', 'Suspended']],
        help: 'A suspended tenant\'s syncs, APIs, tunnels and store logins stop; its data stays.' },
      ...quotaFields(tenant.quotas),
    ] : []),
  ];
  return form({
    label: 'Edit tenant',
    submit: 'Save changes',
    fields,
    async onSubmit(values) {
      const body = {};
      if (values.display_name.trim() !== tenant.display_name) body.display_name = values.display_name.trim();
      const subdomain = values.subdomain.trim();
      if (subdomain !== (tenant.subdomain || '')) body.subdomain = subdomain || null;
      if (values.vpn_enabled !== tenant.vpn_enabled) body.vpn_enabled = values.vpn_enabled;
      if (admin) {
        if (values.status !== tenant.status) body.status = values.status;
        const quotas = quotaValues(values, tenant.quotas);
        if (quotas) body.quotas = quotas;
      }
      if (Object.keys(body).length === 0) { toast('Nothing to save: no field was changed'); return; }
      if (body.status === 'suspended') {
        const yes = await confirm({
          title: `Suspend ${tenant.name}?`, action: 'Suspend', danger: true,
          message: 'Its syncs, APIs, tunnels and store logins stop; its data stays, and it can be reactivated.',
        });
        if (!yes) return;
      }
      const updated = await api('PATCH', `/tenants/${encodeURIComponent(tenant.name)}`, { body });
      toast(`Tenant ${updated.name} saved`);
      onSaved(updated);
    },
  });
}

function section(id, title, ...content) {
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...content);
}

export default {
  title: (params) => params.tenant,
  async render({ params, main, navigate, cleanup, current }) {
    const tenant = params.tenant;
    const url = `/tenants/${encodeURIComponent(tenant)}`;
    const { body, writable } = tenantFrame(main, tenant, '');

    // The tenant first: when it cannot be read (no such tenant, another tenant's), nothing else can.
    let record;
    mount(body, loading('Loading the tenant…'));
    try {
      record = await api('GET', url);
    } catch (error) {
      if (current()) mount(body, failure(error, () => navigate(tenantPath(tenant))));
      return;
    }
    if (!current()) return;

    const factsBox = h('div', {});
    const figuresBox = h('div', {}, loading('Loading figures…'));
    const connectionBox = h('div', {});
    const editBox = h('div', {});
    const feed = eventFeed({ label: `Recent events of ${tenant}`, limit: FEED_SIZE });
    mount(body,
      h('div', { class: 'grid-2' },
        section('tenant-facts-title', 'Facts', factsBox),
        section('tenant-connection-title', 'Store connection', connectionBox)),
      section('tenant-figures-title', 'Last 24 hours', figuresBox),
      writable ? h('section', { class: 'card', 'aria-labelledby': 'tenant-edit-title' },
        h('h2', { id: 'tenant-edit-title' }, 'Edit tenant'), editBox) : null,
      section('tenant-feed-title', 'Recent events', feed.element,
        h('p', {}, h('a', { href: `#${tenantPath(tenant)}/events` }, 'All events of this tenant'))));

    // The facts, and the form drawn from the same state (after a save, from the hub's answer; a live
    // change redraws the facts only, so what is being typed stays).
    const drawTenant = (next, { form: redrawForm = true } = {}) => {
      mount(factsBox, tenantFacts(next));
      if (writable && redrawForm) mount(editBox, editForm(next, (updated) => drawTenant(updated)));
    };
    const readTenant = async () => {
      try {
        const next = await api('GET', url);
        if (current()) drawTenant(next, { form: false });
      } catch (error) {
        if (current()) mount(factsBox, failure(error, readTenant));
      }
    };
    const readFigures = async () => {
      try {
        const stats = await api('GET', '/dashboard/stats', { query: { tenant } });
        if (current()) mount(figuresBox, figures(stats));
      } catch (error) {
        if (current()) mount(figuresBox, failure(error, readFigures));
      }
    };
    drawTenant(record);
    await Promise.all([
      readFigures(),
      load(connectionBox, () => api('GET', `${url}/connection`), (info) => connectionFacts(info, url, writable)),
    ]);
    if (!current()) return;

    // Live: the feed, the figures (read again at most every two seconds) and the facts on tenant events.
    let pending = null;
    const soon = () => { if (!pending) pending = setTimeout(() => { pending = null; readFigures(); }, 2000); };
    cleanup(() => clearTimeout(pending));
    let since = 0;
    try {
      const { items } = await eventsBefore(`${url}/events`, { size: FEED_SIZE });
      if (!current()) return;
      feed.set(items);
      since = items.length ? items[items.length - 1].id : 0;
    } catch { /* the feed starts empty and fills as events happen */ }
    cleanup(follow(`tenant:${tenant}`, (event) => {
      if (!event) return;
      feed.add(event);
      soon();
      if (event.kind.startsWith('tenant.')) readTenant();
    }, { since }));
  },
};
