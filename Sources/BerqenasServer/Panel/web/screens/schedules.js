// A tenant's schedules: for each remote database, when it syncs by itself (every N minutes or on a cron
// expression, in UTC) and its next five runs, worked out here; setting and removing a schedule.

import { api, rows } from '../core/api.js';
import { MODES, STRATEGIES, optionLabel as label } from '../components/sync-options.js';
import { h, mount, uid, when } from '../core/dom.js';
import { follow } from '../core/realtime.js';
import { confirm } from '../components/dialog.js';
import { form } from '../components/form.js';
import { empty, failure, loading } from '../components/states.js';
import { toast } from '../components/toast.js';
import { nextRuns } from './cron.js';
import { tenantFrame } from './tenant-shell.js';


/** A run time in the browser's zone, with the UTC time the schedule is written in. */
function runTime(date) {
  const local = date.toLocaleString(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const utc = date.toLocaleString(undefined, { timeZone: 'UTC', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return h('time', { datetime: date.toISOString() }, local, h('span', { class: 'muted' }, ` (${utc} UTC)`));
}

/** The next five runs: from the hub's next run, every N minutes or by the cron expression after it. */
function upcoming(schedule) {
  if (!schedule.enabled || !schedule.next_run_at) return [];
  const first = new Date(schedule.next_run_at);
  if (schedule.every_minutes) return [0, 1, 2, 3, 4].map((k) => new Date(first.getTime() + k * schedule.every_minutes * 60_000));
  try { return nextRuns(schedule.cron, 5, first, first); } catch { return [first]; }
}

function describe(schedule) {
  if (schedule.every_minutes) return `Every ${schedule.every_minutes} minute${schedule.every_minutes === 1 ? '' : 's'}`;
  return [h('code', {}, schedule.cron), ' (cron, UTC)'];
}

export default {
  title: (params) => `Schedules · ${params.tenant}`,
  async render({ params, main, cleanup, current }) {
    const tenant = params.tenant;
    const { body, writable } = tenantFrame(main, tenant, '/schedules');
    const remotesPath = `/tenants/${encodeURIComponent(tenant)}/remote-databases`;
    const schedulePath = (id) => `${remotesPath}/${encodeURIComponent(id)}/schedule`;
    const ids = { list: uid('h'), set: uid('h') };
    const list = h('div', {}, loading());
    const setting = h('div');
    mount(body,
      h('p', { class: 'muted' }, 'Schedules are written in UTC; times below are in your browser\'s time zone, with UTC beside them.'),
      h('section', { 'aria-labelledby': ids.list }, h('h2', { id: ids.list }, 'Schedules'), list),
      writable ? h('section', { 'aria-labelledby': ids.set }, h('h2', { id: ids.set }, 'Set schedule'), setting) : null);

    let remotes = [];
    const schedules = new Map(); // remote id → schedule, or null when it has none

    /** Every schedule of the tenant in one request (a remote database without one is simply absent). */
    async function readSchedules() {
      const all = await api('GET', `/tenants/${encodeURIComponent(tenant)}/schedules`);
      schedules.clear();
      for (const remote of remotes) schedules.set(remote.id, null);
      for (const schedule of all) {
        const remote = remotes.find((r) => r.id.toUpperCase() === String(schedule.remote_database_id).toUpperCase());
        if (remote) schedules.set(remote.id, schedule);
      }
    }

    async function removeSchedule(remote) {
      const yes = await confirm({
        title: 'Remove schedule',
        message: `Remove the schedule of ${remote.name}? It then syncs only when someone asks (or continuously, if that is on).`,
        action: 'Remove schedule',
        danger: true,
      });
      if (!yes) return;
      try {
        await api('DELETE', schedulePath(remote.id));
        schedules.set(remote.id, null);
        toast(`Schedule of ${remote.name} removed`);
        drawList();
      } catch (error) {
        toast(`Could not remove the schedule of ${remote.name}: ${error.message}`, 'error');
      }
    }

    function card(remote) {
      const schedule = schedules.get(remote.id);
      const headingId = uid('h');
      const buttons = writable ? h('div', { class: 'actions' },
        h('button', { type: 'button', 'aria-label': `Edit schedule of ${remote.name}`, onClick: () => drawForm(remote.id, true) }, 'Edit schedule'),
        schedule ? h('button', { type: 'button', class: 'danger', 'aria-label': `Remove schedule of ${remote.name}`,
          onClick: () => removeSchedule(remote) }, 'Remove schedule') : null) : null;
      const link = h('a', { href: `#${remotesPath}/${encodeURIComponent(remote.id)}` }, remote.name);
      if (!schedule) {
        return h('article', { class: 'card', 'aria-labelledby': headingId }, h('h3', { id: headingId, class: 'wrap' }, link),
          h('p', { class: 'muted' }, 'No schedule: it syncs only when asked.'), buttons);
      }
      const runs = upcoming(schedule);
      const facts = [
        ['When', describe(schedule)],
        ['Mode', label(MODES, schedule.mode)],
        ['Conflicts', label(STRATEGIES, schedule.conflict_strategy)],
        ['Tables', schedule.tables?.length ? h('span', { class: 'wrap' }, schedule.tables.join(', ')) : 'all'],
        ['State', h('span', { class: ['badge', schedule.enabled ? 'ok' : 'muted'] }, schedule.enabled ? 'Enabled' : 'Paused')],
        ['Last run', schedule.last_run_at ? when(schedule.last_run_at) : 'not yet'],
      ];
      return h('article', { class: 'card', 'aria-labelledby': headingId },
        h('h3', { id: headingId, class: 'wrap' }, link),
        h('dl', { class: 'kv' }, facts.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
        h('h4', {}, 'Next runs'),
        runs.length ? h('ol', { class: 'next-runs' }, runs.map((date) => h('li', {}, runTime(date))))
          : h('p', { class: 'muted' }, 'None while it is paused.'),
        buttons);
    }

    function drawList() {
      if (remotes.length === 0) {
        mount(list, empty('No remote databases yet: a schedule syncs one of them.',
          h('a', { href: `#${remotesPath}` }, 'Go to remote databases')));
        return;
      }
      mount(list, remotes.map(card));
    }

    // The form: its fields depend on the remote database (prefilled from its schedule) and the kind.
    // `focus`: true focuses the form's first control, a field name that field (after a redraw).
    function drawForm(remoteId, focus = false, kept = null) {
      if (!writable || remotes.length === 0) { if (writable) mount(setting, h('p', { class: 'muted' }, 'Register a remote database first.')); return; }
      const remote = remotes.find((r) => r.id === remoteId) || remotes[0];
      const existing = schedules.get(remote.id);
      const values = kept || {
        kind: existing?.cron ? 'cron' : 'every',
        every_minutes: existing?.every_minutes ?? 60,
        cron: existing?.cron ?? '',
        mode: existing?.mode ?? 'incremental',
        conflict_strategy: existing?.conflict_strategy ?? 'latest_wins',
        tables: (existing?.tables || []).join(', '),
        enabled: existing ? existing.enabled : true,
      };
      const preview = h('div', { class: 'cron-preview', 'aria-live': 'polite' });
      const scheduleForm = form({
        label: 'Set schedule',
        submit: 'Set schedule',
        fields: [
          { name: 'remote_database_id', label: 'Remote database', type: 'select', value: remote.id, options: remotes.map((r) => [r.id, r.name]) },
          { name: 'kind', label: 'Runs', type: 'select', value: values.kind, options: [['every', 'Every N minutes'], ['cron', 'On a cron expression (UTC)']] },
          values.kind === 'cron'
            ? { name: 'cron', label: 'Cron expression', value: values.cron, required: true, placeholder: '0 3 * * 1-5',
              help: 'Five fields in UTC: minute hour day-of-month month day-of-week (0 or 7 is Sunday); *, a-b, */n and lists.' }
            : { name: 'every_minutes', label: 'Every how many minutes', type: 'number', min: 1, max: 525600, value: values.every_minutes, required: true },
          { name: 'mode', label: 'Mode', type: 'select', value: values.mode, options: MODES },
          { name: 'conflict_strategy', label: 'Conflicts', type: 'select', value: values.conflict_strategy, options: STRATEGIES },
          { name: 'tables', label: 'Tables (optional)', value: values.tables, help: 'Comma-separated; empty: every table.' },
          { name: 'enabled', label: 'Enabled', type: 'checkbox', value: values.enabled },
        ],
        async onSubmit(v) {
          const request = { mode: v.mode, conflict_strategy: v.conflict_strategy, enabled: v.enabled,
            tables: v.tables.split(',').map((t) => t.trim()).filter(Boolean) };
          if (v.kind === 'cron') request.cron = v.cron.trim(); else request.every_minutes = v.every_minutes;
          const target = remotes.find((r) => r.id === v.remote_database_id);
          const saved = await api('PUT', schedulePath(target.id), { body: request });
          schedules.set(target.id, saved);
          toast(`Schedule of ${target.name} saved`);
          drawList();
        },
      });
      const field = (name) => scheduleForm.elements.namedItem(name);
      const read = () => ({
        kind: field('kind').value,
        every_minutes: field('every_minutes')?.value ?? values.every_minutes,
        cron: field('cron')?.value ?? values.cron,
        mode: field('mode').value,
        conflict_strategy: field('conflict_strategy').value,
        tables: field('tables').value,
        enabled: field('enabled').checked,
      });
      const showPreview = () => {
        const v = read();
        if (v.kind !== 'cron' || !v.cron.trim()) { mount(preview); return; }
        try {
          const runs = nextRuns(v.cron, 5);
          mount(preview, h('p', {}, 'It would run next at:'), h('ol', { class: 'next-runs' }, runs.map((d) => h('li', {}, runTime(d)))));
        } catch (error) {
          mount(preview, h('p', { class: 'muted' }, `Not valid yet: ${error.message}.`));
        }
      };
      field('remote_database_id').addEventListener('change', (e) => drawForm(e.target.value, 'remote_database_id'));
      field('kind').addEventListener('change', () => drawForm(remote.id, 'kind', read()));
      field('cron')?.addEventListener('input', showPreview);
      mount(setting, scheduleForm, preview);
      showPreview();
      if (focus === true) { setting.scrollIntoView({ block: 'start' }); field('remote_database_id').focus(); }
      else if (focus) field(focus).focus();
    }

    async function load() {
      mount(list, loading());
      try {
        remotes = await rows(remotesPath);
        await readSchedules();
        if (!current()) return;
        drawList();
        drawForm(remotes[0]?.id);
      } catch (error) {
        if (current()) mount(list, failure(error, load));
      }
    }

    // A scheduled run queues a job: read that remote database's schedule again (its last and next run).
    cleanup(follow(`tenant:${tenant}/sync`, async (event) => {
      const remote = event?.kind === 'sync.job.queued' && remotes.find((r) => r.id.toUpperCase() === String(event.data?.remote_database_id).toUpperCase());
      if (!remote) return;
      try { await readSchedules(); } catch { return; }
      if (current()) drawList();
    }));
    await load();
  },
};
