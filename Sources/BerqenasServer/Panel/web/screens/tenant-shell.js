// The frame of one tenant's pages: its name, its tabs, and whether the signed-in user may change things
// there (a tenant viewer sees every tab without the buttons that write).

import { canWrite, isAdmin } from '../core/api.js';
import { h } from '../core/dom.js';
import { tabNav } from '../components/tabs.js';

export const TENANT_TABS = [
  ['Overview', ''],
  ['VPN', '/vpn'],
  ['Publications', '/publications'],
  ['Remote databases', '/remote-databases'],
  ['Conflicts', '/conflicts'],
  ['Schedules', '/schedules'],
  ['APIs', '/apis'],
  ['Alerts', '/alerts'],
  ['Events', '/events'],
  ['Users', '/users'],
];

/** The base path of a tenant's pages. */
export function tenantPath(tenant) {
  return `/tenants/${encodeURIComponent(tenant)}`;
}

/**
 * Draws the tenant's heading and tabs into `main` (with `tab`, e.g. '/vpn', marked current) and answers
 * { body, writable }: the element the tab draws into, and whether its write controls are shown.
 */
export function tenantFrame(main, tenant, tab, heading) {
  const base = tenantPath(tenant);
  const body = h('div', { class: 'tab-body' });
  main.append(
    h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumbs' },
      isAdmin() ? h('a', { href: '#/tenants' }, 'Tenants') : null, isAdmin() ? ' / ' : null,
      h('a', { href: '#' + base }, tenant)),
    h('h1', {}, heading || tenant),
    tabNav(TENANT_TABS.map(([label, suffix]) => ({ label, href: base + suffix })), base + tab, `Tenant ${tenant}`),
    body);
  return { body, writable: canWrite(tenant) };
}
