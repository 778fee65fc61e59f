// Users: all of them (`/users`; a tenant admin sees their tenant's) or one tenant's (its Users tab).
// Admins and tenant admins create users, change a user's role or disabled flag, set a new password, and
// delete users; the hub decides who may touch whom (a tenant admin only their own tenant's users) and its
// refusals show where they belong. Tenant viewers cannot list users: they see their own account.

import { api, canWrite, currentUser, isAdmin } from '../core/api.js';
import { h, mount, when } from '../core/dom.js';
import { confirm, modal } from '../components/dialog.js';
import { form } from '../components/form.js';
import { empty, failure, loading } from '../components/states.js';
import { dataTable } from '../components/table.js';
import { toast } from '../components/toast.js';
import { tenantFrame, tenantPath } from './tenant-shell.js';
import { listAll } from './tenants-parts.js';

const ROLE_LABELS = { admin: 'Admin', tenant_admin: 'Tenant admin', tenant_viewer: 'Tenant viewer' };
const TENANT_ROLES = [['tenant_admin', 'Tenant admin'], ['tenant_viewer', 'Tenant viewer']];
const userUrl = (user) => `/users/${encodeURIComponent(user.id)}`;

function createForm({ roles, tenants, onCreated }) {
  const element = form({
    label: 'Create user',
    submit: 'Create user',
    fields: [
      { name: 'username', label: 'Username', required: true, help: '3 to 64 letters, digits, dots, underscores, hyphens or @.' },
      { name: 'password', label: 'Password', type: 'password', required: true, help: 'At least 10 characters.', autocomplete: 'new-password' },
      { name: 'role', label: 'Role', type: 'select', options: roles, value: roles[roles.length - 1][0] },
      { name: 'tenant', label: 'Tenant', type: 'select', options: tenants, value: tenants.length === 1 ? tenants[0][0] : '',
        help: 'Tenant roles need a tenant; admins have none.' },
    ],
    async onSubmit(values) {
      const body = {
        username: values.username.trim(), password: values.password, role: values.role,
        tenant: values.role === 'admin' ? null : values.tenant || null,
      };
      const user = await api('POST', '/users', { body });
      element.reset();
      toast(`User ${user.username} created`);
      onCreated(user);
    },
  });
  return element;
}

function editUser(user, onSaved) {
  const fields = [
    ...(user.role === 'admin' ? [] : [{ name: 'role', label: 'Role', type: 'select', options: TENANT_ROLES, value: user.role }]),
    { name: 'disabled', label: 'Disabled', type: 'checkbox', value: user.disabled,
      help: 'A disabled user cannot sign in, and their sessions end.' },
  ];
  const dialog = modal(`Edit ${user.username}`, form({
    label: `Edit ${user.username}`,
    submit: 'Save changes',
    fields,
    secondary: h('button', { type: 'button', onClick: () => dialog.close() }, 'Cancel'),
    async onSubmit(values) {
      const body = {};
      if (values.role !== undefined && values.role !== user.role) body.role = values.role;
      if (values.disabled !== user.disabled) body.disabled = values.disabled;
      if (Object.keys(body).length) {
        onSaved(await api('PATCH', userUrl(user), { body }));
        toast(`User ${user.username} saved`);
      }
      dialog.close();
    },
  }));
}

function resetPassword(user) {
  const element = form({
    label: `New password for ${user.username}`,
    submit: 'Reset password',
    fields: [
      { name: 'password', label: 'New password', type: 'password', required: true, help: 'At least 10 characters. Their sessions end.', autocomplete: 'new-password' },
      { name: 'again', label: 'New password again', type: 'password', required: true, autocomplete: 'new-password' },
    ],
    secondary: h('button', { type: 'button', onClick: () => dialog.close() }, 'Cancel'),
    async onSubmit({ password, again }) {
      if (password !== again) { element.showError('again', 'The two passwords differ'); return; }
      await api('PATCH', userUrl(user), { body: { password } });
      toast(`Password of ${user.username} reset`);
      dialog.close();
    },
  });
  const dialog = modal(`Reset the password of ${user.username}`, element);
}

export default {
  title: (params) => (params.tenant ? `Users · ${params.tenant}` : 'Users'),
  async render({ params, main, current }) {
    const me = currentUser();
    const tenant = params.tenant || null;
    let body = main;
    let writable;
    if (tenant) {
      ({ body, writable } = tenantFrame(main, tenant, '/users'));
    } else {
      main.append(h('h1', {}, 'Users'));
      writable = isAdmin() || me.role === 'tenant_admin';
    }
    if (me.role === 'tenant_viewer') {
      body.append(empty('Only admins and tenant admins see the users. Your own account is on your account page.',
        h('a', { href: '#/account' }, 'Your account')));
      return;
    }

    const list = h('div', {}, loading('Loading users…'));
    body.append(h('section', { 'aria-labelledby': 'user-list-title' },
      h('h2', { id: 'user-list-title' }, tenant ? `Users of ${tenant}` : isAdmin() ? 'All users' : `Users of ${me.tenant}`),
      list));
    const createBox = h('div', {});
    if (writable) {
      body.append(h('section', { class: 'card', 'aria-labelledby': 'user-create-title' },
        h('h2', { id: 'user-create-title' }, 'Create user'), createBox));
    }

    let table = null;
    const manageable = (user) => user.id !== me.id && (isAdmin() || (user.tenant && canWrite(user.tenant)));
    const actions = (user) => {
      if (user.id === me.id) return h('a', { href: '#/account' }, 'Your account');
      if (!manageable(user)) return '—';
      const update = (changed) => table.update(user.id, changed);
      return h('div', { class: 'actions' },
        h('button', { type: 'button', 'aria-label': `Edit ${user.username}`, onClick: () => editUser(user, update) }, 'Edit'),
        h('button', { type: 'button', 'aria-label': `Reset the password of ${user.username}`, onClick: () => resetPassword(user) },
          'Reset password'),
        h('button', {
          type: 'button', class: 'danger', 'aria-label': `Delete ${user.username}`,
          onClick: async () => {
            const yes = await confirm({
              title: `Delete ${user.username}?`, action: 'Delete', danger: true,
              message: `${user.username} can no longer sign in, and their sessions end. This cannot be undone.`,
            });
            if (!yes) return;
            try {
              await api('DELETE', userUrl(user));
              table.setRows(table.rows().filter((row) => row.id !== user.id));
              toast(`User ${user.username} deleted`);
            } catch (error) { toast(`Could not delete ${user.username}: ${error.message}`, 'error'); }
          },
        }, 'Delete'));
    };
    const columns = [
      { key: 'username', label: 'Username', render: (u) => h('span', { class: 'wrap' }, u.username) },
      { key: 'role', label: 'Role', value: (u) => ROLE_LABELS[u.role] || u.role },
      ...(tenant ? [] : [{ key: 'tenant', label: 'Tenant',
        render: (u) => (u.tenant ? h('a', { class: 'wrap', href: '#' + tenantPath(u.tenant) }, u.tenant) : '—') }]),
      { key: 'disabled', label: 'Disabled', value: (u) => (u.disabled ? 'Yes' : 'No'),
        render: (u) => (u.disabled ? h('span', { class: 'badge bad' }, 'Disabled') : 'No') },
      { key: 'created_at', label: 'Created', render: (u) => h('time', { datetime: u.created_at }, when(u.created_at)) },
      ...(writable ? [{ key: 'actions', label: 'Actions', sort: false, render: actions }] : []),
    ];

    const show = async () => {
      mount(list, loading('Loading users…'));
      try {
        const users = await listAll('/users', { tenant });
        if (!current()) return;
        table = dataTable({ columns, rows: users, caption: 'Users', empty: 'No users here yet.' });
        mount(list, table.element);
      } catch (error) {
        if (current()) mount(list, failure(error, show));
      }
    };

    // The tenant choices: the tenant of the page, a tenant admin's own, or (admins) every tenant.
    const fillCreate = async () => {
      let tenants;
      if (tenant) tenants = [[tenant, tenant]];
      else if (!isAdmin()) tenants = [[me.tenant, me.tenant]];
      else tenants = [['', 'None (admins)'], ...(await listAll('/tenants')).map((t) => [t.name, t.name])];
      if (!current()) return;
      const roles = isAdmin() && !tenant ? [['admin', 'Admin'], ...TENANT_ROLES] : TENANT_ROLES;
      mount(createBox, createForm({ roles, tenants, onCreated: (user) => table?.setRows([...table.rows(), user]) }));
    };
    await Promise.all([
      show(),
      writable ? fillCreate().catch((error) => mount(createBox, failure(error, fillCreate))) : null,
    ]);
  },
};
