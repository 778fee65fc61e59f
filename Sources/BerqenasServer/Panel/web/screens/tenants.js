// Tenants: the list (admins see all, a tenant's users their own), each one's status kept live; for admins
// creating a tenant, suspending, reactivating, and deleting a suspended one for good (its name typed first:
// the store and its data go with it).

import { api, isAdmin } from '../core/api.js';
import { h, mount, when } from '../core/dom.js';
import { follow } from '../core/realtime.js';
import { confirm } from '../components/dialog.js';
import { form } from '../components/form.js';
import { failure, loading } from '../components/states.js';
import { dataTable } from '../components/table.js';
import { toast } from '../components/toast.js';
import { tenantPath } from './tenant-shell.js';
import { listAll, quotaFields, quotaValues, statusBadge } from './tenants-parts.js';

const tenantUrl = (name) => `/tenants/${encodeURIComponent(name)}`;

function createForm(onCreated) {
  const element = form({
    label: 'Create tenant',
    submit: 'Create tenant',
    fields: [
      { name: 'name', label: 'Name', required: true, placeholder: 'acme',
        help: '2 to 31 lowercase letters, digits or underscores, starting with a letter. It names the store and cannot change.' },
      { name: 'display_name', label: 'Display name', placeholder: 'Acme Ltd' },
      { name: 'subdomain', label: 'Subdomain', help: 'Optional: a DNS label, e.g. acme.' },
      { name: 'vpn_enabled', label: 'Enable VPN', type: 'checkbox' },
      ...quotaFields(),
    ],
    async onSubmit(values) {
      const body = { name: values.name.trim(), vpn_enabled: values.vpn_enabled };
      if (values.display_name.trim()) body.display_name = values.display_name.trim();
      if (values.subdomain.trim()) body.subdomain = values.subdomain.trim();
      const quotas = quotaValues(values);
      if (quotas) body.quotas = quotas;
      const tenant = await api('POST', '/tenants', { body });
      element.reset();
      toast(`Tenant ${tenant.name} created`);
      onCreated(tenant);
    },
  });
  return element;
}

export default {
  title: 'Tenants',
  async render({ main, cleanup, current }) {
    const admin = isAdmin();
    const list = h('div', {}, loading('Loading tenants…'));
    main.append(
      h('h1', {}, 'Tenants'),
      h('section', { 'aria-labelledby': 'tenant-list-title' },
        h('h2', { id: 'tenant-list-title' }, admin ? 'All tenants' : 'Your tenant'),
        list));

    const following = new Map(); // tenant name → stop following its topic
    let table = null;

    const replace = (tenant) => { if (!table.update(tenant.name, tenant)) table.setRows([...table.rows(), tenant]); };
    const forget = (name) => {
      table?.setRows(table.rows().filter((row) => row.name !== name));
      following.get(name)?.();
      following.delete(name);
    };

    async function suspend(tenant) {
      const yes = await confirm({
        title: `Suspend ${tenant.name}?`,
        message: 'Its syncs, APIs, tunnels and store logins stop; its data stays, and it can be reactivated.',
        action: 'Suspend', danger: true,
      });
      if (!yes) return;
      try {
        replace(await api('DELETE', tenantUrl(tenant.name)));
        toast(`Tenant ${tenant.name} suspended`);
      } catch (error) { toast(`Could not suspend ${tenant.name}: ${error.message}`, 'error'); }
    }

    async function reactivate(tenant) {
      try {
        replace(await api('PATCH', tenantUrl(tenant.name), { body: { status: 'active' } }));
        toast(`Tenant ${tenant.name} reactivated`);
      } catch (error) { toast(`Could not reactivate ${tenant.name}: ${error.message}`, 'error'); }
    }

    async function destroy(tenant) {
      const yes = await confirm({
        title: `Delete ${tenant.name} permanently?`,
        message: `This drops the tenant's store with all its data, its users, APIs and VPN. It cannot be undone.`,
        action: 'Delete permanently', danger: true, typed: tenant.name,
      });
      if (!yes) return;
      try {
        await api('DELETE', tenantUrl(tenant.name), { query: { permanent: true } });
        forget(tenant.name);
        toast(`Tenant ${tenant.name} deleted`);
      } catch (error) { toast(`Could not delete ${tenant.name}: ${error.message}`, 'error'); }
    }

    const actions = (tenant) => h('div', { class: 'actions' },
      tenant.status === 'active'
        ? h('button', { type: 'button', 'aria-label': `Suspend ${tenant.name}`, onClick: () => suspend(tenant) }, 'Suspend')
        : [
          h('button', { type: 'button', 'aria-label': `Reactivate ${tenant.name}`, onClick: () => reactivate(tenant) }, 'Reactivate'),
          h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${tenant.name} permanently`, onClick: () => destroy(tenant) },
            'Delete permanently'),
        ]);

    const columns = [
      { key: 'name', label: 'Name', render: (t) => h('a', { class: 'wrap', href: '#' + tenantPath(t.name) }, t.name) },
      { key: 'display_name', label: 'Display name', render: (t) => h('span', { class: 'wrap' }, t.display_name || '—') },
      { key: 'status', label: 'Status', render: (t) => statusBadge(t.status) },
      { key: 'subdomain', label: 'Subdomain', render: (t) => h('span', { class: 'wrap' }, t.subdomain || '—') },
      { key: 'vpn_enabled', label: 'VPN', value: (t) => (t.vpn_enabled ? 'Enabled' : 'Disabled') },
      { key: 'created_at', label: 'Created', render: (t) => h('time', { datetime: t.created_at }, when(t.created_at)) },
      ...(admin ? [{ key: 'actions', label: 'Actions', sort: false, render: actions }] : []),
    ];

    // Each tenant's topic says when it is suspended or reactivated; the platform's when one is deleted.
    const onTenantEvent = (event) => {
      if (!event || !table) return;
      if (event.kind === 'tenant.suspended') table.update(event.tenant, { status: 'suspended' });
      else if (event.kind === 'tenant.reactivated') table.update(event.tenant, { status: 'active' });
    };
    const watch = (name) => { if (!following.has(name)) following.set(name, follow(`tenant:${name}`, onTenantEvent)); };
    cleanup(() => { for (const stop of following.values()) stop(); following.clear(); });

    const read = async () => {
      const tenants = await listAll('/tenants');
      if (!current()) return;
      if (table) table.setRows(tenants);
      else {
        table = dataTable({ columns, rows: tenants, caption: 'Tenants', rowKey: (t) => t.name,
          empty: admin ? 'No tenants yet. Create the first one below.' : 'No tenant to show.' });
        mount(list, table.element);
      }
      for (const tenant of tenants) watch(tenant.name);
      for (const name of [...following.keys()]) if (!tenants.some((t) => t.name === name)) forget(name);
    };
    const show = async () => {
      if (!table) mount(list, loading('Loading tenants…'));
      try { await read(); } catch (error) { if (current() && !table) mount(list, failure(error, show)); }
    };

    if (admin) {
      main.append(h('section', { class: 'card', 'aria-labelledby': 'tenant-create-title' },
        h('h2', { id: 'tenant-create-title' }, 'Create tenant'),
        createForm((tenant) => { if (table) replace(tenant); watch(tenant.name); })));
      cleanup(follow('platform', (event) => {
        if (event?.kind === 'tenant.deleted' && event.data?.tenant) forget(event.data.tenant);
      }));
      // A tenant created elsewhere is announced only on its own topic: read the list again when the
      // page is looked at again.
      const onVisible = () => { if (document.visibilityState === 'visible') show(); };
      document.addEventListener('visibilitychange', onVisible);
      cleanup(() => document.removeEventListener('visibilitychange', onVisible));
    }
    await show();
  },
};
