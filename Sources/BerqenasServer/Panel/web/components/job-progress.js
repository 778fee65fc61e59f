// A sync job as it runs: its state, and progress bars for the rows, the tables and each direction,
// moved by the job's live events (`job:{id}`). At the end the job is read again for its final figures.

import { api } from '../core/api.js';
import { h, mount, number } from '../core/dom.js';
import { follow } from '../core/realtime.js';
import { progressBar } from './progress.js';

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

export function jobStatusBadge(status) {
  const kind = { succeeded: 'ok', failed: 'bad', cancelled: 'muted', running: 'warn', queued: 'muted' }[status] || 'muted';
  return h('span', { class: ['badge', kind], dataset: { status } }, status);
}

/**
 * Answers { element, stop } showing job `job` (as the API returns it) of `tenant`; `onFinish(job)` runs
 * once it has ended (at once for a job that already had).
 */
export function jobProgress(tenant, job, { onFinish } = {}) {
  const rows = progressBar('Rows');
  const tables = progressBar('Tables');
  const toCloud = progressBar('Site → cloud');
  const toSite = progressBar('Cloud → site');
  const state = h('p', { class: 'job-state', role: 'status' });
  const element = h('div', { class: 'job-progress', dataset: { jobId: job.id } }, state, rows.element, tables.element, toCloud.element, toSite.element);
  let told = false; // onFinish ran

  function draw(current) {
    // An answer that left earlier never takes a job that has ended back to running.
    if (told && !FINISHED.has(current.status)) return;
    const p = current.progress || {};
    mount(state, 'Job ', jobStatusBadge(current.status), current.dry_run ? ' (dry run)' : '',
      current.error ? h('span', { class: 'error-text' }, ` ${current.error.message} (${current.error.code})`) : '');
    element.dataset.status = current.status;
    if (current.status === 'succeeded') {
      // The estimate was an estimate: a job that finished did all of its rows and tables.
      rows.update(p.rows_done || 1, p.rows_done || 1);
      tables.update(p.tables_total || 1, p.tables_total || 1);
    } else {
      rows.update(p.rows_done || 0, p.rows_total_estimate || 0);
      tables.update(p.tables_done || 0, p.tables_total || 0);
    }
    const moved = (current.results || []).reduce((sum, r) => ({
      l: sum.l + (r.local_to_cloud || 0), c: sum.c + (r.cloud_to_local || 0),
    }), { l: p.local_to_cloud || 0, c: p.cloud_to_local || 0 });
    const total = Math.max(p.rows_total_estimate || 0, moved.l + moved.c);
    const ended = FINISHED.has(current.status);
    toCloud.update(moved.l, total, { finished: ended });
    toSite.update(moved.c, total, { finished: ended });
    if (ended && !told) {
      told = true;
      onFinish?.(current);
    }
  }

  function fromEvent(event) {
    if (!event) return;
    const data = event.data || {};
    if (event.kind === 'sync.job.progress') {
      draw({ ...job, status: 'running', progress: { ...job.progress, ...data, local_to_cloud: data.local_to_cloud, cloud_to_local: data.cloud_to_local }, results: [] });
    } else if (/^sync\.job\.(started|succeeded|failed|cancelled)$/.test(event.kind)) {
      api('GET', `/tenants/${encodeURIComponent(tenant)}/sync-jobs/${job.id}`).then((fresh) => { job = fresh; draw(fresh); }).catch(() => {});
    }
  }

  draw(job);
  const stop = FINISHED.has(job.status) ? () => {} : follow(`job:${job.id}`, fromEvent);
  if (!FINISHED.has(job.status)) {
    // The job may have ended between reading it and following it: read it once more.
    api('GET', `/tenants/${encodeURIComponent(tenant)}/sync-jobs/${job.id}`).then((fresh) => { job = fresh; draw(fresh); }).catch(() => {});
  }
  return { element, stop };
}

/** One line of figures for a finished job. */
export function jobSummary(job) {
  const results = job.results || [];
  const sum = (key) => results.reduce((total, r) => total + (r[key] || 0), 0);
  return `${number(sum('local_to_cloud'))} to the cloud, ${number(sum('cloud_to_local'))} to the site, ${number(sum('conflicts_open'))} conflicts open`;
}
