// An API's keys (docs/auto-api.md, "Auth and keys"): listed by prefix, made with a name, permissions,
// expiry, networks and a rate limit, and revoked. A new key is in the answer that made it and nowhere else:
// it is shown once, in a dialog with a copy button.

import { api } from '../core/api.js';
import { h, number, uid, when } from '../core/dom.js';
import { confirm, modal } from '../components/dialog.js';
import { form } from '../components/form.js';
import { load } from '../components/states.js';
import { dataTable } from '../components/table.js';
import { toast } from '../components/toast.js';
import { apisPath } from './apis-parts.js';

/** The dialog that shows a new key once, with "Copy key" (the clipboard, else the text selected). */
export function showKey(created) {
  const id = uid('key');
  const input = h('input', { id, type: 'text', readonly: true, value: created.key, spellcheck: 'false', autocomplete: 'off' });
  const status = h('p', { class: 'muted', role: 'status' });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      status.textContent = 'Copied to the clipboard.';
    } catch {
      // No clipboard access (an http:// hub, a refused permission): select the text for the user to copy.
      input.focus();
      input.select();
      let copied = false;
      try { copied = document.execCommand('copy'); } catch { /* unsupported */ }
      status.textContent = copied ? 'Copied to the clipboard.' : 'The key is selected: press Ctrl+C (⌘C on a Mac) to copy it.';
    }
  };
  const copyButton = h('button', { type: 'button', class: 'primary', onClick: copy }, 'Copy key');
  const dialog = modal('API key created', [
    h('p', { role: 'alert' }, h('span', { class: 'badge warn' }, 'Shown once'), ' ',
      'Copy this key now and keep it somewhere safe: it is not shown again. The hub keeps only its prefix and a digest.'),
    h('div', { class: 'field' }, h('label', { for: id }, `Key "${created.name}" (${created.permissions})`), input),
    status,
    h('div', { class: 'actions' }, copyButton, h('button', { type: 'button', onClick: () => dialog.close() }, 'Done')),
  ]);
  copyButton.focus();
  return dialog;
}

function createForm(base, onCreated) {
  const element = form({
    label: 'Create key',
    submit: 'Create key',
    fields: [
      { name: 'name', label: 'Key name', required: true, placeholder: 'web shop', help: 'Who or what uses it (1 to 100 characters).' },
      { name: 'permissions', label: 'Permissions', type: 'select', value: 'read', options: [['read', 'Read only'], ['write', 'Read and write']] },
      { name: 'expires_at', label: 'Expires at', type: 'datetime-local', help: 'Your local time. Empty: never.' },
      { name: 'allowed_cidrs', label: 'Allowed networks', placeholder: '203.0.113.0/24, 198.51.100.7/32',
        help: 'IPv4 networks the key may be used from, separated by commas. Empty: anywhere.' },
      { name: 'rate_limit_per_minute', label: 'Rate limit (requests per minute)', type: 'number', min: 1, max: 1000000,
        help: 'Empty: no limit of its own.' },
    ],
    async onSubmit(values) {
      const body = { name: values.name.trim(), permissions: values.permissions };
      if (values.expires_at) {
        const at = new Date(values.expires_at);
        if (Number.isNaN(at.getTime())) { element.showError('expires_at', 'Not a date and time'); return; }
        body.expires_at = at.toISOString();
      }
      const networks = values.allowed_cidrs.split(/[\s,]+/).filter(Boolean);
      if (networks.length) body.allowed_cidrs = networks;
      if (values.rate_limit_per_minute !== undefined) body.rate_limit_per_minute = values.rate_limit_per_minute;
      const created = await api('POST', base, { body });
      element.reset();
      toast(`Key ${created.name} created`);
      onCreated(created);
    },
  });
  return element;
}

/**
 * The "Keys" section. `onCreated(key)` gets the new key's secret (the page's "Try it" uses it);
 * `onRevoked(prefix)` the prefix of a revoked one. Answers { element, reload }.
 */
export function keysSection({ tenant, name, writable, onCreated = () => {}, onRevoked = () => {} }) {
  const base = `${apisPath(tenant)}/${encodeURIComponent(name)}/keys`;
  const titleId = uid('keys');
  const listBox = h('div');

  async function revoke(button, key) {
    const yes = await confirm({
      title: `Revoke key ${key.name}?`,
      message: `Requests with the key ${key.prefix}… are refused from the next one on. This cannot be undone.`,
      action: 'Revoke',
      danger: true,
    });
    if (!yes) return;
    button.disabled = true;
    try {
      await api('DELETE', `${base}/${key.id}`);
      toast(`Key ${key.name} revoked`);
      onRevoked(key.prefix);
      reload();
    } catch (error) {
      button.disabled = false;
      toast(`${error.message} (${error.code})`, 'error');
    }
  }

  const columns = [
    { key: 'name', label: 'Name', render: (k) => h('span', { class: 'wrap' }, k.name) },
    { key: 'prefix', label: 'Prefix', render: (k) => h('code', {}, `${k.prefix}…`) },
    { key: 'permissions', label: 'Permissions', render: (k) => h('span', { class: ['badge', k.permissions === 'write' ? 'warn' : 'muted'] }, k.permissions) },
    { key: 'created_at', label: 'Created', render: (k) => when(k.created_at) },
    { key: 'expires_at', label: 'Expires', render: (k) => (k.expires_at ? when(k.expires_at) : 'Never') },
    { key: 'allowed_cidrs', label: 'Networks', value: (k) => (k.allowed_cidrs || []).join(', '),
      render: (k) => h('span', { class: 'wrap' }, (k.allowed_cidrs || []).join(', ') || 'Anywhere') },
    { key: 'rate_limit_per_minute', label: 'Rate limit', render: (k) => (k.rate_limit_per_minute ? `${number(k.rate_limit_per_minute)} / min` : 'None') },
  ];
  if (writable) {
    columns.push({ key: 'actions', label: 'Actions', sort: false,
      render: (k) => h('button', { type: 'button', class: 'danger', onClick: (e) => revoke(e.currentTarget, k) }, 'Revoke') });
  }
  const table = dataTable({ columns, empty: writable ? 'No keys yet. Create one below.' : 'This API has no keys.' });

  const reload = () => load(listBox, () => api('GET', base).then((page) => page.items || []),
    (items) => { table.setRows(items); return table.element; });

  const element = h('section', { 'aria-labelledby': titleId },
    h('h2', { id: titleId }, 'Keys'),
    h('p', { class: 'muted' }, 'Callers send a key in the apikey header (or as Authorization: Bearer). Only its prefix is kept.'),
    listBox,
    writable ? h('div', { class: 'card' }, h('h3', {}, 'Create key'), createForm(base, (created) => {
      showKey(created);
      reload();
      onCreated(created.key);
    })) : null);
  return { element, reload };
}
