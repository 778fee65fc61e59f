// The signed-in user's own account: who they are, changing their password (the present one first), and
// signing out of every browser and client at once.

import { api, currentUser, signOut } from '../core/api.js';
import { h, mount, when } from '../core/dom.js';
import { form } from '../components/form.js';
import { load } from '../components/states.js';
import { toast } from '../components/toast.js';
import { tenantPath } from './tenant-shell.js';
import { facts } from '../components/facts.js';

const ROLE_LABELS = { admin: 'Admin', tenant_admin: 'Tenant admin', tenant_viewer: 'Tenant viewer' };

function passwordForm(me, navigate) {
  const element = form({
    label: 'Change password',
    submit: 'Change password',
    fields: [
      { name: 'current_password', label: 'Current password', type: 'password', required: true, autocomplete: 'current-password' },
      { name: 'password', label: 'New password', type: 'password', required: true, help: 'At least 10 characters.', autocomplete: 'new-password' },
      { name: 'again', label: 'New password again', type: 'password', required: true, autocomplete: 'new-password' },
    ],
    async onSubmit({ current_password: current, password, again }) {
      if (password !== again) { element.showError('again', 'The two new passwords differ'); return; }
      await api('PATCH', `/users/${encodeURIComponent(me.id)}`, { body: { current_password: current, password } });
      // The hub ends every session of the user, this one included: sign in again with the new password.
      toast('Password changed. Sign in again with the new one.');
      await signOut();
      navigate('/login');
    },
  });
  // The account's name beside the passwords, for password managers.
  element.prepend(h('input', { type: 'text', name: 'username', autocomplete: 'username', value: me.username, hidden: true, readonly: true }));
  return element;
}

export default {
  title: 'Your account',
  async render({ main, navigate }) {
    const about = h('div', {});
    const password = h('div', {});
    const everywhere = h('button', { type: 'button', class: 'danger' }, 'Sign out everywhere');
    everywhere.addEventListener('click', async () => {
      everywhere.disabled = true;
      try {
        await signOut({ everywhere: true });
        navigate('/login');
      } catch (error) {
        everywhere.disabled = false;
        toast(`Could not sign out everywhere: ${error.message}`, 'error');
      }
    });
    main.append(
      h('h1', {}, 'Your account'),
      h('section', { 'aria-labelledby': 'account-facts-title' }, h('h2', { id: 'account-facts-title' }, 'Account'), about),
      h('section', { class: 'card', 'aria-labelledby': 'account-password-title' },
        h('h2', { id: 'account-password-title' }, 'Change password'), password),
      h('section', { 'aria-labelledby': 'account-sessions-title' },
        h('h2', { id: 'account-sessions-title' }, 'Sessions'),
        h('p', {}, 'Signing out everywhere ends every session of your account: in this and other browsers, and the command line\'s.'),
        h('div', { class: 'actions' }, everywhere)));

    mount(password, passwordForm(currentUser(), navigate));
    await load(about, () => api('GET', '/auth/me'), (user) => facts([
      ['Username', user.username],
      ['Role', ROLE_LABELS[user.role] || user.role],
      ['Tenant', user.tenant ? h('a', { href: '#' + tenantPath(user.tenant) }, user.tenant) : null],
      ['State', user.disabled ? 'Disabled' : 'Enabled'],
      ['Created', when(user.created_at)],
    ], 'Your account'));
  },
};
