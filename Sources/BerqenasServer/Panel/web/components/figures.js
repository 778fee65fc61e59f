// The dashboard's figures as a list of cards, each linking to where it comes from.

import { h, number } from '../core/dom.js';

function figure(label, value, detail, href) {
  const body = [h('span', { class: 'figure-value' }, value), h('span', { class: 'figure-label' }, label),
    detail ? h('span', { class: 'figure-detail' }, detail) : null];
  return h('li', { class: 'figure' }, href ? h('a', { href }, body) : body);
}

/** The figures of `/api/v1/dashboard/stats` (the platform's or a tenant's). */
export function figures(stats) {
  const jobs = stats.sync_jobs_24h;
  const rows = stats.rows_synced_24h;
  const tenantLink = stats.tenant ? `#/tenants/${encodeURIComponent(stats.tenant)}` : null;
  return h('ul', { class: 'figures', 'aria-label': 'Figures' },
    stats.tenants ? figure('Tenants', number(Object.values(stats.tenants).reduce((a, b) => a + b, 0)),
      Object.entries(stats.tenants).map(([status, count]) => `${count} ${status}`).join(', '), '#/tenants') : null,
    figure('Peers connected', `${number(stats.peers.up)} / ${number(stats.peers.total)}`, null, tenantLink && tenantLink + '/vpn'),
    figure('Remote databases reachable', `${number(stats.remote_databases.up)} / ${number(stats.remote_databases.total)}`, null,
      tenantLink && tenantLink + '/remote-databases'),
    figure('Sync jobs, 24 h', number(jobs.succeeded + jobs.failed + jobs.cancelled),
      `${jobs.succeeded} succeeded, ${jobs.failed} failed, ${jobs.cancelled} cancelled; ${jobs.running} running, ${jobs.queued} queued`),
    figure('Rows synced, 24 h', number(rows.local_to_cloud + rows.cloud_to_local),
      `${number(rows.local_to_cloud)} to the cloud, ${number(rows.cloud_to_local)} to sites`),
    figure('Open conflicts', number(stats.open_conflicts), null, tenantLink && tenantLink + '/conflicts'),
    figure('APIs', number(stats.apis), `${number(stats.api_requests_last_hour)} requests in the last hour`, tenantLink && tenantLink + '/apis'));
}
