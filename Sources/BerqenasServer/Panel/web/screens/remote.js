// One remote database: its connection (tested on demand, the typed failure shown), state, tables and
// what sync can do with each, "sync now" with the running job's live progress, continuous sync, history.

import { api } from '../core/api.js';
import { ago, h, mount, number } from '../core/dom.js';
import { follow } from '../core/realtime.js';
import { confirm } from '../components/dialog.js';
import { facts } from '../components/facts.js';
import { jobProgress } from '../components/job-progress.js';
import { failure, load, loading } from '../components/states.js';
import { toast } from '../components/toast.js';
import { continuousForm, historyTable, statusBadge, syncForm, tablesTable } from './remote-parts.js';
import { tenantFrame, tenantPath } from './tenant-shell.js';

function connectionFacts(remote) {
  const rows = [
    ['Engine', remote.engine], ['Host', remote.engine === 'sqlite' ? '—' : `${remote.host}:${remote.port}`],
    ['Database', remote.database], ['Schema', remote.schema || '—'], ['Username', remote.username || '—'],
    ['TLS', remote.tls], ['Capture', remote.capture_mode], ['Cloud tables prefix', remote.target_prefix || '—'],
  ];
  return facts(rows.map(([k, v]) => [k, String(v)]), 'Connection');
}

function statusFacts(status, tenantBase, id) {
  return facts([
    ['Reachable', status.reachable ? `yes, ${Math.round(status.latency_ms ?? 0)} ms` : `no: ${status.error || 'unknown'}`],
    ['Changes waiting', number(status.pending_changes)],
    ['Open conflicts', status.open_conflicts
      ? h('a', { href: `#${tenantBase}/remote-databases/${encodeURIComponent(id)}/conflicts` }, `${number(status.open_conflicts)} to decide`) : '0'],
    ['Last job', status.last_job
      ? h('a', { href: `#${tenantBase}/jobs/${encodeURIComponent(status.last_job.id)}` }, `${status.last_job.mode}, ${status.last_job.status}, ${ago(status.last_job.finished_at)}`) : 'none'],
    ['Next scheduled run', status.next_run_at ? new Date(status.next_run_at).toLocaleString() : 'not scheduled'],
  ], 'State');
}

export default {
  title: () => 'Remote database',
  async render({ main, params, cleanup, navigate, current }) {
    const { tenant, id } = params;
    const tenantBase = tenantPath(tenant);
    const base = `/tenants/${encodeURIComponent(tenant)}/remote-databases/${encodeURIComponent(id)}`;
    const { body, writable } = tenantFrame(main, tenant, '/remote-databases');
    mount(body, loading());
    let remote;
    try { remote = await api('GET', base); } catch (error) { mount(body, failure(error)); return; }
    if (!current()) return;

    const badge = h('span', {}, statusBadge(remote));
    const testResult = h('div', { class: 'test-result', 'aria-live': 'polite' });
    const stateBox = h('div', {}, loading());
    const tablesBox = h('div', {}, loading());
    const jobBox = h('div', { class: 'current-job' });
    const historyBox = h('div', {}, loading());
    const syncBox = h('div', {});

    const readState = () => load(stateBox, () => api('GET', `${base}/status`), (s) => statusFacts(s, tenantBase, id));
    const readHistory = () => load(historyBox, () => api('GET', `/tenants/${encodeURIComponent(tenant)}/sync-jobs`, { query: { remote_database_id: id, limit: 20 } }),
      (page) => historyTable(tenantBase, page.items).element);

    let stopJob = () => {};
    let shownJob = null;
    let asked = 0; // the latest showJob call: an older one that answers later gives way
    const showJob = async (jobId) => {
      if (String(jobId).toUpperCase() === shownJob) return;
      const mine = ++asked;
      const job = await api('GET', `/tenants/${encodeURIComponent(tenant)}/sync-jobs/${encodeURIComponent(jobId)}`);
      if (mine !== asked || !current()) return;
      stopJob();
      shownJob = String(jobId).toUpperCase();
      const shown = jobProgress(tenant, job, { onFinish: () => { readHistory(); readState(); } });
      stopJob = shown.stop;
      mount(jobBox, h('h3', {}, h('a', { href: `#${tenantBase}/jobs/${jobId}` }, 'Current job')), shown.element);
    };
    cleanup(() => stopJob());

    const test = async () => {
      mount(testResult, loading('Testing the connection…'));
      try {
        const result = await api('POST', `${base}/test`);
        mount(testResult, h('p', { class: 'ok-text' }, `Connected: ${result.server_version}, ${Math.round(result.latency_ms)} ms, `,
          result.encrypted ? 'encrypted' : 'not encrypted', result.can_create_triggers ? ', can capture changes' : ', cannot create triggers'));
      } catch (error) {
        mount(testResult, h('p', { class: 'error-text', role: 'alert' }, `${error.message} (${error.code}${error.field ? `, check the ${error.field}` : ''})`));
      }
      remote = await api('GET', base).catch(() => remote);
      mount(badge, statusBadge(remote));
    };
    const remove = async () => {
      if (!(await confirm({ title: 'Unregister remote database', message: `Unregister ${remote.name}? Its capture triggers are removed from the site when it is reachable; the cloud copy stays.`, action: 'Unregister', danger: true, typed: remote.name }))) return;
      try {
        await api('DELETE', base);
      } catch (error) {
        toast(`${error.message} (${error.code})`, 'error');
        return;
      }
      toast(`${remote.name} unregistered.`);
      navigate(`${tenantBase}/remote-databases`);
    };

    mount(body,
      h('h2', {}, remote.name, ' ', badge),
      h('section', { class: 'grid-2' },
        h('div', { class: 'card' }, h('h3', {}, 'Connection'), connectionFacts(remote),
          h('div', { class: 'actions' },
            writable ? h('button', { type: 'button', onClick: test }, 'Test connection') : null,
            writable ? h('button', { type: 'button', class: 'danger', onClick: remove }, 'Unregister') : null),
          testResult),
        h('div', { class: 'card' }, h('h3', {}, 'State'), stateBox)),
      h('section', { 'aria-labelledby': 'sync-title', class: 'card' }, h('h2', { id: 'sync-title' }, 'Sync'), syncBox, jobBox),
      h('section', { 'aria-labelledby': 'tables-title' }, h('h2', { id: 'tables-title' }, 'Tables'), tablesBox),
      writable ? h('section', { class: 'card', 'aria-labelledby': 'continuous-title' }, h('h2', { id: 'continuous-title' }, 'Continuous sync'),
        continuousForm(base, remote, (saved) => { remote = saved; })) : null,
      h('section', { 'aria-labelledby': 'history-title' }, h('h2', { id: 'history-title' }, 'History'), historyBox));

    readState();
    readHistory();
    if (writable) {
      const tables = await load(tablesBox, () => api('GET', `${base}/tables`), tablesTable);
      if (tables) mount(syncBox, syncForm(base, tables, (jobId) => showJob(jobId).catch((e) => toast(e.message, 'error'))));
    } else {
      // Listing them connects to the store with its stored login, which the hub leaves to the tenant's admins.
      mount(tablesBox, h('p', { class: 'muted' }, 'The tenant\'s admins can list this database\'s tables.'));
      mount(syncBox, h('p', { class: 'muted' }, 'The tenant\'s admins can start a sync here.'));
    }
    // A job already queued or running shows at once.
    const active = await api('GET', `/tenants/${encodeURIComponent(tenant)}/sync-jobs`, { query: { remote_database_id: id, limit: 1 } }).catch(() => null);
    const latest = active?.items?.[0];
    if (latest && (latest.status === 'queued' || latest.status === 'running') && current()) showJob(latest.id).catch(() => {});

    cleanup(follow(`remote_database:${id}`, (event) => {
      if (!event) return;
      if (event.kind === 'sync.job.queued' && event.data?.job_id) showJob(event.data.job_id).catch(() => {});
      if (/^remote_database\.|^sync\.conflict\./.test(event.kind)) readState();
    }));
  },
};
