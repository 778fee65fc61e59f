// The Rules section of the alerts page: what is watched (docs/alerts.md), which channels hear about it,
// and what each rule is firing for now.

import { api, rows } from '../core/api.js';
import { h, mount } from '../core/dom.js';
import { confirm, modal } from '../components/dialog.js';
import { form } from '../components/form.js';
import { dataTable } from '../components/table.js';
import { toast } from '../components/toast.js';

// Each condition: its name, its threshold field (none for job_failed), and whether it can watch one remote database.
export const CONDITIONS = {
  job_failed: { label: 'A sync job failed', remote: true },
  conflicts_open_over: { label: 'Open conflicts over a count', remote: true,
    threshold: { label: 'More than how many open conflicts', value: 0, min: 0, max: 1_000_000 } },
  peer_disconnected_for: { label: 'A VPN peer disconnected for a while', remote: false,
    threshold: { label: 'Minutes without a handshake', value: 5, min: 0, max: 10_080, help: 'Counted after the 3-minute connected window.' } },
  remote_unreachable_for: { label: 'A remote database unreachable for a while', remote: true,
    threshold: { label: 'Minutes unreachable', value: 5, min: 0, max: 10_080, help: '0: as soon as it fails.' } },
  job_duration_over: { label: 'A sync job running too long', remote: true,
    threshold: { label: 'Minutes running', value: 60, min: 0, max: 10_080 } },
};

/** What a rule fires for, in words. */
export function describeRule(rule) {
  const t = rule.threshold;
  switch (rule.condition) {
    case 'job_failed': return 'A sync job fails';
    case 'conflicts_open_over': return `More than ${t} open conflict${t === 1 ? '' : 's'}`;
    case 'peer_disconnected_for': return `A peer without a handshake for ${t} min`;
    case 'remote_unreachable_for': return t ? `A remote database unreachable for ${t} min` : 'A remote database unreachable';
    case 'job_duration_over': return `A sync job running over ${t} min`;
    default: return rule.condition;
  }
}

/**
 * The section's parts: { table, addForm, load(), redraw() }. `page` holds { base, tenant, writable,
 * current, channels, remotes, peers, rules }.
 */
export function rulesSection(page) {
  const path = `${page.base}/alert-rules`;
  const t = page.tenant ? encodeURIComponent(page.tenant) : null;
  const channelName = (id) => page.channels.find((c) => c.id === id)?.name || 'a removed channel';
  const byId = (list, id) => list.find((item) => item.id.toUpperCase() === String(id).toUpperCase());
  const remoteName = (id) => byId(page.remotes, id)?.name || id;

  // A firing subject ("remote-database:<id>", "vpn-peer:<id>", "sync-job:<id>"), linked on a tenant's page.
  function subject(text) {
    const [kind, id] = text.split(':');
    const named = { 'remote-database': ['remote database', `remote-databases/${id}`, remoteName(id)],
      'vpn-peer': ['peer', `vpn/peers/${id}`, byId(page.peers, id)?.name || id], 'sync-job': ['job', `jobs/${id}`, id] }[kind];
    if (!named) return h('span', { class: 'wrap' }, text);
    const words = `${named[0]} ${named[2]}`;
    return t ? h('a', { class: 'wrap', href: `#/tenants/${t}/${named[1]}` }, words) : h('span', { class: 'wrap' }, words);
  }

  function toggle(rule) {
    const box = h('input', { type: 'checkbox', id: `rule-enabled-${rule.id}`, checked: rule.enabled });
    box.addEventListener('change', async () => {
      box.disabled = true;
      try {
        Object.assign(rule, await api('PATCH', `${path}/${encodeURIComponent(rule.id)}`, { body: { enabled: box.checked } }));
        toast(`Rule ${rule.name} ${rule.enabled ? 'enabled' : 'disabled'}`);
      } catch (error) {
        box.checked = rule.enabled;
        toast(`Could not change ${rule.name}: ${error.message}`, 'error');
      } finally {
        box.disabled = false;
      }
    });
    return h('span', { class: 'checkbox' }, box,
      h('label', { for: box.id }, 'Enabled', h('span', { class: 'visually-hidden' }, ` (${rule.name})`)));
  }

  async function remove(rule) {
    const yes = await confirm({
      title: 'Remove rule',
      message: `Remove the rule ${rule.name}? Nothing is sent for it any more, not even a "resolved".`,
      action: 'Remove',
      danger: true,
    });
    if (!yes) return;
    try {
      await api('DELETE', `${path}/${encodeURIComponent(rule.id)}`);
      toast(`Rule ${rule.name} removed`);
      await load();
    } catch (error) {
      toast(`Could not remove ${rule.name}: ${error.message}`, 'error');
    }
  }

  /** The fields of a rule with `condition`; with `rule`, prefilled for editing (condition and scope fixed). */
  function fields(condition, values, rule = null) {
    const spec = CONDITIONS[condition];
    return [
      { name: 'name', label: 'Name', value: values.name, required: true },
      rule ? null : { name: 'condition', label: 'Condition', type: 'select', value: condition,
        options: Object.entries(CONDITIONS).map(([key, c]) => [key, c.label]) },
      spec.threshold ? { name: 'threshold', label: spec.threshold.label, type: 'number', min: spec.threshold.min,
        max: spec.threshold.max, value: values.threshold ?? spec.threshold.value, help: spec.threshold.help } : null,
      !rule && spec.remote && page.tenant ? { name: 'remote_database_id', label: 'Remote database (optional)', type: 'select',
        value: values.remote_database_id || '', options: [['', 'Any remote database'], ...page.remotes.map((r) => [r.id, r.name])] } : null,
      { name: 'channel_ids', label: 'Channels to tell', type: 'checkboxes', value: values.channel_ids || [],
        options: page.channels.map((c) => [c.id, `${c.name} (${c.type})`]),
        help: page.channels.length ? '1 to 10 channels.' : 'Add a channel first.' },
      rule ? null : { name: 'enabled', label: 'Enabled', type: 'checkbox', value: values.enabled ?? true },
    ].filter(Boolean);
  }

  function edit(rule) {
    const dialog = modal(`Edit rule ${rule.name}`, [
      h('p', { class: 'muted' }, `${describeRule(rule)}${rule.remote_database_id ? ` on ${remoteName(rule.remote_database_id)}` : ''}. `
        + 'The condition cannot change: add another rule for another one.'),
      form({
        submit: 'Save rule',
        fields: fields(rule.condition, rule, rule),
        async onSubmit(values) {
          const request = { name: values.name.trim(), channel_ids: values.channel_ids };
          if (values.threshold !== undefined) request.threshold = values.threshold;
          await api('PATCH', `${path}/${encodeURIComponent(rule.id)}`, { body: request });
          dialog.close();
          toast(`Rule ${request.name} saved`);
          await load();
        },
      }),
    ]);
    dialog.element.querySelector('input')?.focus();
  }

  const table = dataTable({
    caption: 'Alert rules and what each is firing for now',
    empty: 'No rules yet.',
    columns: [
      { key: 'name', label: 'Name', render: (r) => h('span', { class: 'wrap' }, r.name) },
      { key: 'condition', label: 'Fires when', value: describeRule, render: (r) => describeRule(r) },
      ...(page.tenant ? [{ key: 'remote_database_id', label: 'Remote database', value: (r) => (r.remote_database_id ? remoteName(r.remote_database_id) : ''),
        render: (r) => (r.condition === 'peer_disconnected_for' ? '—' : r.remote_database_id ? remoteName(r.remote_database_id) : 'any') }] : []),
      { key: 'channel_ids', label: 'Channels', value: (r) => r.channel_ids.map(channelName).join(', '),
        render: (r) => h('span', { class: 'wrap' }, r.channel_ids.map(channelName).join(', ') || '—') },
      { key: 'firing', label: 'Firing for', value: (r) => r.firing.length,
        render: (r) => (r.firing.length
          ? [h('span', { class: 'badge bad' }, `Firing (${r.firing.length})`), h('ul', { class: 'firing' }, r.firing.map((s) => h('li', {}, subject(s))))]
          : h('span', { class: 'badge ok' }, 'Quiet')) },
      { key: 'enabled', label: 'Enabled', render: (r) => (page.writable ? toggle(r)
        : h('span', { class: ['badge', r.enabled ? 'ok' : 'muted'] }, r.enabled ? 'Enabled' : 'Disabled')) },
      ...(page.writable ? [{ key: 'actions', label: 'Actions', sort: false,
        render: (r) => h('div', { class: 'actions' },
          h('button', { type: 'button', 'aria-label': `Edit ${r.name}`, onClick: () => edit(r) }, 'Edit'),
          h('button', { type: 'button', class: 'danger', 'aria-label': `Remove ${r.name}`, onClick: () => remove(r) }, 'Remove')) }] : []),
    ],
  });

  // The add form: the threshold field (and whether a remote database applies) follows the condition.
  const addForm = h('div');
  let drawnFor = null; // the channels and remote databases the form's options were drawn from
  const optionsKey = () => JSON.stringify([page.channels.map((c) => [c.id, c.name]), page.remotes.map((r) => [r.id, r.name])]);
  const typed = (created) => ({
    name: created.elements.namedItem('name').value,
    remote_database_id: created.elements.namedItem('remote_database_id')?.value,
    channel_ids: [...created.querySelectorAll('input[name="channel_ids"]:checked')].map((box) => box.value),
    enabled: created.elements.namedItem('enabled').checked,
  });
  function drawAdd(condition = 'job_failed', values = {}, focusCondition = false) {
    const created = form({
      label: 'Add rule',
      submit: 'Add rule',
      fields: fields(condition, values),
      async onSubmit(v) {
        const request = { name: v.name.trim(), condition, channel_ids: v.channel_ids, enabled: v.enabled };
        if (v.threshold !== undefined) request.threshold = v.threshold;
        if (v.remote_database_id) request.remote_database_id = v.remote_database_id;
        const rule = await api('POST', path, { body: request });
        toast(`Rule ${rule.name} added`);
        drawAdd();
        await load();
      },
    });
    const select = created.elements.namedItem('condition');
    select.addEventListener('change', () => drawAdd(select.value, typed(created), true));
    drawnFor = optionsKey();
    mount(addForm, created);
    if (focusCondition) created.elements.namedItem('condition').focus();
  }

  async function load() {
    page.rules = await rows(path);
    if (page.current()) redraw();
  }

  /** Draws the table again; the add form too when its options changed (keeping what was typed). */
  function redraw() {
    table.setRows(page.rules);
    if (!page.writable || drawnFor === optionsKey() || addForm.contains(document.activeElement)) return;
    const shown = addForm.querySelector('form');
    if (shown) drawAdd(shown.elements.namedItem('condition').value, typed(shown)); else drawAdd();
  }

  return { table, addForm, load, redraw };
}
