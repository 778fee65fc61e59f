// Parts the tenant and user screens share: a tenant's status badge, reading every page of a list, and the
// facts of a tenant as a <dl>.

import { api } from '../core/api.js';
import { facts } from '../components/facts.js';
import { h, number, when } from '../core/dom.js';

/** "Active" or "Suspended" as a badge. */
export function statusBadge(status) {
  const label = status === 'active' ? 'Active' : status === 'suspended' ? 'Suspended' : String(status);
  return h('span', { class: ['badge', status === 'active' ? 'ok' : 'warn'] }, label);
}

/** Every item of a paged list (`{items, total, limit, offset}`), read 500 at a time. */
export async function listAll(path, query = {}) {
  const items = [];
  for (;;) {
    const page = await api('GET', path, { query: { ...query, limit: 500, offset: items.length } });
    items.push(...page.items);
    if (page.items.length === 0 || items.length >= page.total) return items;
  }
}

/** A tenant's facts: names, state, VPN flag, quotas and dates. */
export function tenantFacts(tenant) {
  const quotas = tenant.quotas || {};
  return facts([
    ['Name', h('code', {}, tenant.name)],
    ['Display name', tenant.display_name],
    ['Status', statusBadge(tenant.status)],
    ['Subdomain', tenant.subdomain],
    ['VPN', tenant.vpn_enabled ? 'Enabled' : 'Disabled'],
    ['Connections at most', number(quotas.max_connections)],
    ['Statement timeout', `${number(quotas.statement_timeout_ms)} ms`],
    ['Storage', `${number(quotas.storage_mb)} MB`],
    ['Created', when(tenant.created_at)],
    ['Updated', when(tenant.updated_at)],
  ], `Facts of tenant ${tenant.name}`);
}

/** Quota fields for a tenant form; `quotas` fills them (empty: the hub's defaults apply). */
export function quotaFields(quotas = null) {
  const help = quotas ? null : 'Leave empty for the default.';
  return [
    { name: 'max_connections', label: 'Connections at most', type: 'number', min: 1, max: 1000,
      value: quotas?.max_connections, placeholder: quotas ? null : '20', help },
    { name: 'statement_timeout_ms', label: 'Statement timeout (ms)', type: 'number', min: 100,
      value: quotas?.statement_timeout_ms, placeholder: quotas ? null : '30000', help },
    { name: 'storage_mb', label: 'Storage (MB)', type: 'number', min: 1,
      value: quotas?.storage_mb, placeholder: quotas ? null : '10240', help },
  ];
}

/** The quota values given in a form (`undefined` left out), or null when none was. */
export function quotaValues(values, previous = null) {
  const quotas = {};
  for (const key of ['max_connections', 'statement_timeout_ms', 'storage_mb']) {
    if (values[key] === undefined || Number.isNaN(values[key])) continue;
    if (previous && previous[key] === values[key]) continue;
    quotas[key] = values[key];
  }
  return Object.keys(quotas).length ? quotas : null;
}
