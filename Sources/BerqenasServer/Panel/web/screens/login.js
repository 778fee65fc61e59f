// Sign-in. After it, the page asked for before (`next`) opens again.

import { signIn } from '../core/api.js';
import { h } from '../core/dom.js';
import { form } from '../components/form.js';

export default {
  title: 'Sign in',
  render({ main, query, navigate }) {
    const next = query.next && query.next.startsWith('/') && !query.next.startsWith('/login') ? query.next : '/';
    const signInForm = form({
      label: 'Sign in',
      submit: 'Sign in',
      fields: [
        { name: 'username', label: 'Username', required: true, autocomplete: 'username' },
        { name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' },
      ],
      async onSubmit({ username, password }) {
        await signIn(username, password);
        navigate(next, { replace: true });
      },
    });
    main.append(h('section', { class: 'login card' },
      h('h1', {}, 'Sign in to Berqenas'),
      query.next ? h('p', { class: 'muted' }, 'Your session ended; sign in to go on where you were.') : null,
      signInForm));
    signInForm.querySelector('input').focus();
  },
};
