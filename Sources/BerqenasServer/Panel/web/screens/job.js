// One sync job: what was asked, live progress while it runs, per-table counts, timings and errors, and
// rolling it back (the rows it changed that nobody changed since; the others are listed).

import { api } from '../core/api.js';
import { h, mount, number, when } from '../core/dom.js';
import { confirm } from '../components/dialog.js';
import { facts } from '../components/facts.js';
import { jobProgress, jobStatusBadge } from '../components/job-progress.js';
import { failure, loading } from '../components/states.js';
import { dataTable } from '../components/table.js';
import { toast } from '../components/toast.js';
import { tenantFrame, tenantPath } from './tenant-shell.js';

function jobFacts(job, tenantBase, remoteName) {
  const rows = [
    ['State', jobStatusBadge(job.status)],
    ['Mode', `${job.mode}${job.dry_run ? ' (dry run: nothing written)' : ''}`],
    ['Remote database', h('a', { href: `#${tenantBase}/remote-databases/${job.remote_database_id}` }, remoteName || 'open')],
    ['When a row changed on both sides', job.conflict_strategy],
    ['Requested by', job.requested_by || '—'],
    ['Queued', when(job.created_at)],
    ['Finished', when(job.finished_at)],
    ['Took', job.duration_ms !== undefined ? `${(job.duration_ms / 1000).toFixed(2)} s` : '—'],
    ['Attempts', String(job.attempts ?? 1)],
  ];
  if (job.restored !== undefined) rows.push(['Rows restored', number(job.restored)]);
  return facts(rows, 'The job');
}

function results(job) {
  return dataTable({
    rowKey: (r) => r.table,
    empty: job.status === 'succeeded' ? 'No table had anything to carry.' : 'No per-table results yet.',
    columns: [
      { key: 'table', label: 'Table', render: (r) => h('code', { class: 'wrap' }, r.table) },
      { key: 'local_to_cloud', label: 'Site → cloud', render: (r) => number(r.local_to_cloud) },
      { key: 'cloud_to_local', label: 'Cloud → site', render: (r) => number(r.cloud_to_local) },
      { key: 'conflicts_detected', label: 'Conflicts', render: (r) => `${number(r.conflicts_detected)} found, ${number(r.conflicts_resolved)} settled, ${number(r.conflicts_open)} open` },
      { key: 'verification', label: 'Verification', sort: false, render: (r) => (r.verification
        ? `${number(r.verification.differing_rows)} differing of ${number(r.verification.local_rows)} / ${number(r.verification.cloud_rows)} rows, ${number(r.verification.repaired)} repaired, ${r.verification.duration_ms} ms`
        : '—') },
      { key: 'errors', label: 'Errors', sort: false, render: (r) => (r.errors?.length ? h('span', { class: 'error-text wrap' }, r.errors.join('; ')) : '—') },
    ],
    rows: job.results || [],
  }).element;
}

export default {
  title: () => 'Sync job',
  async render({ main, params, cleanup, navigate, current }) {
    const { tenant, id } = params;
    const tenantBase = tenantPath(tenant);
    const base = `/tenants/${encodeURIComponent(tenant)}/sync-jobs/${encodeURIComponent(id)}`;
    let remoteName = null;
    let progress = null;
    const { body, writable } = tenantFrame(main, tenant, '/remote-databases', 'Sync job');
    const details = h('div', {});
    const perTable = h('section', { 'aria-labelledby': 'results-title' });
    body.append(details, perTable);

    const draw = (job) => {
      const actions = h('div', { class: 'actions' },
        writable && (job.status === 'queued' || job.status === 'running')
          ? h('button', { type: 'button', onClick: () => cancel() }, 'Cancel job') : null,
        writable && job.status === 'succeeded' && !job.dry_run && job.mode !== 'rollback' && job.mode !== 'verify'
          ? h('button', { type: 'button', class: 'danger', onClick: () => rollback(job) }, 'Roll back') : null);
      mount(details,
        h('div', { class: 'grid-2' }, h('div', { class: 'card' }, h('h2', {}, 'The job'), jobFacts(job, tenantBase, remoteName), actions),
          h('div', { class: 'card' }, h('h2', {}, 'Progress'), progress.element)),
        job.error ? h('div', { class: 'state error', role: 'alert' }, h('strong', {}, `${job.error.code}: `), job.error.message) : null,
        job.changed_since_count ? h('div', { class: 'card' }, h('h2', {}, 'Changed since (left alone by the rollback)'),
          h('ul', {}, (job.changed_since || []).map((c) => h('li', {}, `${c.side}: ${c.table} ${JSON.stringify(c.key)}`)))) : null);
      mount(perTable, h('h2', { id: 'results-title' }, 'Per table'), results(job));
    };
    const reload = async () => {
      try { const job = await api('GET', base); if (current()) draw(job); } catch (error) { mount(details, failure(error, reload)); }
    };
    const cancel = async () => {
      try { draw(await api('POST', `${base}/cancel`)); toast('Cancel asked: the job stops at its next batch.'); } catch (error) { toast(error.message, 'error'); }
    };
    const rollback = async (job) => {
      if (!(await confirm({ title: 'Roll back this job', message: 'Restore the rows this job changed to what they were before it, on both sides. Rows changed again since are left alone and listed.', action: 'Roll back', danger: true }))) return;
      try {
        const queued = await api('POST', `${base}/rollback`);
        toast('Rollback queued.');
        navigate(`${tenantBase}/jobs/${queued.job_id}`);
      } catch (error) { toast(`${error.message} (${error.code})`, 'error'); }
    };

    mount(details, loading());
    let job;
    try { job = await api('GET', base); } catch (error) { mount(details, failure(error, reload)); return; }
    if (!current()) return;
    remoteName = await api('GET', `/tenants/${encodeURIComponent(tenant)}/remote-databases/${encodeURIComponent(job.remote_database_id)}`)
      .then((remote) => remote.name).catch(() => null);
    progress = jobProgress(tenant, job, { onFinish: () => reload() });
    cleanup(progress.stop);
    draw(job);
  },
};
