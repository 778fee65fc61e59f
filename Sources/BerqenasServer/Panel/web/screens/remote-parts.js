// Sections of one remote database's page: what sync can do with its tables, the "sync now" form, the
// continuous-sync settings and the job history.

import { api } from '../core/api.js';
import { ago, h, number } from '../core/dom.js';
import { MODES, STRATEGIES } from '../components/sync-options.js';
import { form } from '../components/form.js';
import { dataTable } from '../components/table.js';
import { jobStatusBadge, jobSummary } from '../components/job-progress.js';
import { toast } from '../components/toast.js';

/** A remote database's reachability as its last test or job found it. */
export function statusBadge(remote) {
  const ok = remote.status === 'ok';
  const untested = remote.status === 'untested';
  return h('span', { class: ['badge', ok ? 'ok' : untested ? 'muted' : 'bad'], title: remote.status_message || '' },
    ok ? 'Reachable' : untested ? 'Not tested' : `Failing: ${remote.status}`);
}

function eligibility(table) {
  if (table.two_way) return h('span', { class: 'badge ok' }, 'Two-way');
  if (table.one_way) return h('span', { class: 'badge warn', title: table.reason || '' }, 'One-way');
  return h('span', { class: 'badge bad' }, 'Cannot sync');
}

export function tablesTable(tables) {
  return dataTable({
    rowKey: (t) => `${t.schema}.${t.name}`,
    empty: 'The database has no tables the hub can see.',
    columns: [
      { key: 'name', label: 'Table', value: (t) => `${t.schema}.${t.name}`, render: (t) => h('code', { class: 'wrap' }, `${t.schema}.${t.name}`) },
      { key: 'kind', label: 'Kind' },
      { key: 'primary_key', label: 'Key', value: (t) => t.primary_key.join(', '), render: (t) => t.primary_key.join(', ') || '—' },
      { key: 'row_estimate', label: 'Rows (est.)', render: (t) => number(t.row_estimate) },
      { key: 'two_way', label: 'Sync', value: (t) => (t.two_way ? 2 : t.one_way ? 1 : 0), render: eligibility },
      { key: 'reason', label: 'Why not', sort: false, render: (t) => (t.two_way ? '' : h('span', { class: 'wrap' }, t.reason || '')) },
    ],
    rows: tables,
  }).element;
}

/** The "sync now" form; `onQueued(jobId)` shows the job that was queued. */
export function syncForm(base, tables, onQueued) {
  const names = tables.filter((t) => t.one_way || t.two_way).map((t) => [t.name, t.name]);
  return form({
    label: 'Sync now',
    submit: 'Sync now',
    fields: [
      { name: 'mode', label: 'Mode', type: 'select', options: MODES, value: 'full' },
      { name: 'conflict_strategy', label: 'When a row changed on both sides', type: 'select', options: STRATEGIES, value: 'latest_wins' },
      { name: 'tables', label: 'Tables (none ticked: every table)', type: 'checkboxes', options: names },
      { name: 'dry_run', label: 'Dry run (count what would change, write nothing)', type: 'checkbox' },
    ],
    async onSubmit(values) {
      const body = { mode: values.mode, dry_run: values.dry_run };
      if (values.mode !== 'verify' && values.mode !== 'full') body.conflict_strategy = values.conflict_strategy;
      if (values.mode === 'full') body.conflict_strategy = values.conflict_strategy;
      if (values.tables.length) body.tables = values.tables;
      const queued = await api('POST', `${base}/sync`, { body });
      toast(`Sync job queued (${values.mode}).`);
      onQueued(queued.job_id);
    },
  });
}

/** Continuous sync: on or off, its mode, strategy and poll interval. */
export function continuousForm(base, remote, onSaved) {
  return form({
    label: 'Continuous sync',
    submit: 'Save continuous sync',
    fields: [
      { name: 'continuous', label: 'Keep in step continuously (changes travel as they commit)', type: 'checkbox', value: remote.continuous },
      { name: 'continuous_mode', label: 'Mode', type: 'select', options: MODES.filter(([m]) => m === 'incremental' || m === 'bidirectional'), value: remote.continuous_mode },
      { name: 'continuous_strategy', label: 'When a row changed on both sides', type: 'select', options: STRATEGIES, value: remote.continuous_strategy },
      { name: 'poll_interval_ms', label: 'Poll interval (ms)', type: 'number', min: 100, value: remote.poll_interval_ms, help: 'PostgreSQL sites wake the hub at once; others are read this often.' },
    ],
    async onSubmit(values) {
      const saved = await api('PATCH', base, { body: values });
      toast(saved.continuous ? 'Continuous sync is on.' : 'Continuous sync is off.');
      onSaved(saved);
    },
  });
}

export function historyTable(tenantBase, jobs) {
  return dataTable({
    empty: 'No sync jobs yet.',
    columns: [
      { key: 'created_at', label: 'Queued', render: (j) => h('a', { href: `#${tenantBase}/jobs/${j.id}` }, ago(j.created_at)) },
      { key: 'mode', label: 'Mode', render: (j) => `${j.mode}${j.dry_run ? ' (dry run)' : ''}` },
      { key: 'status', label: 'State', render: (j) => jobStatusBadge(j.status) },
      { key: 'duration_ms', label: 'Took', render: (j) => (j.duration_ms !== undefined ? `${(j.duration_ms / 1000).toFixed(1)} s` : '—') },
      { key: 'results', label: 'Figures', sort: false, render: (j) => (j.status === 'succeeded' ? jobSummary(j) : j.error ? j.error.message : '') },
      { key: 'requested_by', label: 'By' },
    ],
    rows: jobs,
  });
}
