// The Channels section of the alerts page: where alerts go (email, Slack, a signed webhook), with the
// settings of each type (docs/alerts.md). Secrets are write-only: the hub only says whether one is set.

import { api, rows } from '../core/api.js';
import { h, mount } from '../core/dom.js';
import { confirm, modal } from '../components/dialog.js';
import { form } from '../components/form.js';
import { dataTable } from '../components/table.js';
import { toast } from '../components/toast.js';

export const TYPES = [['email', 'Email (SMTP)'], ['slack', 'Slack'], ['webhook', 'Webhook (signed JSON POST)']];
// The setting of each type that is a secret (sealed by the hub, never shown again).
const SECRET = { email: 'password', slack: 'webhook_url', webhook: 'secret' };

const addresses = (text) => String(text || '').split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);

/** The settings fields of `type`, prefilled from `channel` when editing it. */
function settingsFields(type, channel = null) {
  const s = channel?.settings || {};
  const creating = !channel;
  const keep = channel?.secret_set ? 'A value is set: leave this empty to keep it. ' : '';
  switch (type) {
    case 'email': return [
      { name: 'host', label: 'SMTP host', value: s.host, required: creating, placeholder: 'smtp.example.com' },
      { name: 'port', label: 'Port (optional)', type: 'number', min: 1, max: 65535, value: s.port,
        help: 'Default: 587 with STARTTLS, 465 with implicit TLS, 25 without TLS.' },
      { name: 'tls', label: 'TLS', type: 'select', value: s.tls || 'starttls',
        options: [['starttls', 'STARTTLS'], ['implicit', 'Implicit TLS (from the first byte)'], ['none', 'None (no sign-in allowed)']] },
      { name: 'username', label: 'Username (optional)', value: s.username, help: 'Give the password with it.' },
      { name: 'password', label: 'Password (optional)', type: 'password',
        help: `${keep}Changing the host, port, TLS or username needs the password again.` },
      { name: 'from', label: 'From address', value: s.from, required: creating, placeholder: 'alerts@example.com' },
      { name: 'to', label: 'To addresses', type: 'textarea', rows: 3, value: (s.to || []).join('\n'), required: creating,
        help: '1 to 50 addresses, one per line or separated by commas.' },
      { name: 'ca_certificate', label: 'CA certificate (optional)', type: 'textarea', rows: 4, value: s.ca_certificate,
        help: 'PEM, trusted instead of the system\'s CAs (for a private relay).' },
    ];
    case 'slack': return [
      { name: 'webhook_url', label: 'Slack webhook URL', type: 'password', required: creating, autocomplete: 'off',
        help: `${keep}Slack's incoming webhook (https://hooks.slack.com/…); whoever has it may post, so it is kept secret.` },
    ];
    default: return [
      { name: 'url', label: 'URL', type: 'url', value: s.url, required: creating, placeholder: 'https://example.com/hooks/berqenas' },
      { name: 'secret', label: 'Signing secret', type: 'password', required: creating,
        help: `${keep}16 to 256 characters; signs each request (X-Berqenas-Signature, HMAC-SHA256).` },
    ];
  }
}

/** The `settings` of a request: everything given when creating; only what changed when editing. */
function settingsFrom(type, values, channel = null) {
  const prior = channel?.settings || {};
  const settings = {};
  for (const field of settingsFields(type, channel)) {
    const name = field.name;
    let value = values[name];
    if (name === SECRET[type]) { if (value) settings[name] = value; continue; }
    if (name === 'to') {
      const list = addresses(value);
      if (channel ? list.join(',') !== (prior.to || []).join(',') : list.length) settings.to = list;
      continue;
    }
    if (field.type === 'number') {
      if (value !== undefined && value !== prior.port) settings[name] = value;
      continue;
    }
    value = String(value ?? '').trim();
    if (channel ? value !== (prior[name] ?? '') : value !== '') settings[name] = value; // '' removes an optional one
  }
  return settings;
}

function target(channel) {
  const s = channel.settings || {};
  if (channel.type === 'email') return `${(s.to || []).join(', ')} via ${s.host || '?'}${s.port ? `:${s.port}` : ''}`;
  if (channel.type === 'slack') return 'Slack incoming webhook';
  return s.url || '—';
}

/**
 * The section's parts: { table, addForm, load() }. `page` holds { base, writable, current, channels,
 * changed() (channels changed: rules and deliveries show their names), deliveriesChanged() }.
 */
export function channelsSection(page) {
  const path = `${page.base}/alert-channels`;

  async function sendTest(channel, button) {
    button.disabled = true;
    button.textContent = 'Sending…';
    try {
      const delivery = await api('POST', `${path}/${encodeURIComponent(channel.id)}/test`);
      if (delivery.status === 'delivered') toast(`Test message delivered to ${channel.name}`);
      else toast(`Test message to ${channel.name} failed: ${delivery.last_error || delivery.status}`, 'error');
    } catch (error) {
      toast(`Could not send a test to ${channel.name}: ${error.message}`, 'error');
    } finally {
      button.disabled = false;
      button.textContent = 'Send test';
      page.deliveriesChanged();
    }
  }

  function edit(channel) {
    const dialog = modal(`Edit channel ${channel.name}`, [
      h('p', { class: 'muted' }, `Type: ${channel.type} (it cannot change).`),
      form({
        submit: 'Save channel',
        fields: [{ name: 'name', label: 'Name', value: channel.name, required: true }, ...settingsFields(channel.type, channel)],
        async onSubmit(values) {
          const request = { settings: settingsFrom(channel.type, values, channel) };
          if (values.name.trim() !== channel.name) request.name = values.name.trim();
          await api('PATCH', `${path}/${encodeURIComponent(channel.id)}`, { body: request });
          dialog.close();
          toast(`Channel ${values.name.trim()} saved`);
          await load();
        },
      }),
    ]);
    dialog.element.querySelector('input')?.focus();
  }

  async function remove(channel) {
    const yes = await confirm({
      title: 'Remove channel',
      message: `Remove the channel ${channel.name}? Its deliveries go with it, and rules stop sending to it.`,
      action: 'Remove',
      danger: true,
    });
    if (!yes) return;
    try {
      await api('DELETE', `${path}/${encodeURIComponent(channel.id)}`);
      toast(`Channel ${channel.name} removed`);
      await load();
    } catch (error) {
      toast(`Could not remove ${channel.name}: ${error.message}`, 'error');
    }
  }

  const table = dataTable({
    caption: 'Alert channels',
    empty: 'No channels yet: add one so rules have somewhere to send.',
    columns: [
      { key: 'name', label: 'Name', render: (c) => h('span', { class: 'wrap' }, c.name) },
      { key: 'type', label: 'Type' },
      { key: 'target', label: 'Sends to', value: target, render: (c) => h('span', { class: 'wrap' }, target(c)) },
      { key: 'secret_set', label: 'Secret', render: (c) => (c.secret_set
        ? h('span', { class: 'badge ok' }, 'set') : h('span', { class: 'badge muted' }, 'not set')) },
      ...(page.writable ? [{
        key: 'actions', label: 'Actions', sort: false,
        render: (c) => {
          const test = h('button', { type: 'button', 'aria-label': `Send test to ${c.name}`, onClick: () => sendTest(c, test) }, 'Send test');
          return h('div', { class: 'actions' }, test,
            h('button', { type: 'button', 'aria-label': `Edit ${c.name}`, onClick: () => edit(c) }, 'Edit'),
            h('button', { type: 'button', class: 'danger', 'aria-label': `Remove ${c.name}`, onClick: () => remove(c) }, 'Remove'));
        },
      }] : []),
    ],
  });

  // The add form shows the settings of the chosen type; changing the type draws it again.
  const addForm = h('div');
  function drawAdd(type = 'email', name = '', focusType = false) {
    const created = form({
      label: 'Add channel',
      submit: 'Add channel',
      fields: [
        { name: 'name', label: 'Name', value: name, required: true },
        { name: 'type', label: 'Type', type: 'select', value: type, options: TYPES },
        ...settingsFields(type),
      ],
      async onSubmit(values) {
        const channel = await api('POST', path, { body: { name: values.name.trim(), type, settings: settingsFrom(type, values) } });
        toast(`Channel ${channel.name} added`);
        drawAdd();
        await load();
      },
    });
    const typeSelect = created.elements.namedItem('type');
    typeSelect.addEventListener('change', () => drawAdd(typeSelect.value, created.elements.namedItem('name').value, true));
    mount(addForm, created);
    if (focusType) created.elements.namedItem('type').focus();
  }
  if (page.writable) drawAdd();

  async function load() {
    page.channels = await rows(path);
    if (!page.current()) return;
    table.setRows(page.channels);
    page.changed();
  }

  return { table, addForm, load };
}
