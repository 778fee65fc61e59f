// The panel's entry point: the page frame (navigation, live status, sign-out), the routes, and the rule
// that every page but sign-in needs a session (a 401 comes back here and returns to the same page after).

import { currentUser, isAdmin, isSignedIn, onSessionEnd, resume, signOut } from './core/api.js';
import { h, mount } from './core/dom.js';
import { onStatus } from './core/realtime.js';
import { configure, currentPath, navigate, route, start } from './core/router.js';
import { region as toastRegion } from './components/toast.js';

route('/login', () => import('./screens/login.js'), { open: true });
route('/', () => import('./screens/dashboard.js'));
route('/tenants', () => import('./screens/tenants.js'));
route('/tenants/:tenant', () => import('./screens/tenant-overview.js'));
route('/tenants/:tenant/vpn', () => import('./screens/vpn.js'));
route('/tenants/:tenant/vpn/peers/:id', () => import('./screens/vpn-peer.js'));
route('/tenants/:tenant/publications', () => import('./screens/publications.js'));
route('/tenants/:tenant/remote-databases', () => import('./screens/remotes.js'));
route('/tenants/:tenant/remote-databases/:id', () => import('./screens/remote.js'));
route('/tenants/:tenant/remote-databases/:id/conflicts', () => import('./screens/conflicts.js'));
route('/tenants/:tenant/jobs/:id', () => import('./screens/job.js'));
route('/tenants/:tenant/conflicts', () => import('./screens/conflicts.js'));
route('/tenants/:tenant/schedules', () => import('./screens/schedules.js'));
route('/tenants/:tenant/apis', () => import('./screens/apis.js'));
route('/tenants/:tenant/apis/:api', () => import('./screens/api-docs.js'));
route('/tenants/:tenant/alerts', () => import('./screens/alerts.js'));
route('/tenants/:tenant/events', () => import('./screens/events.js'));
route('/tenants/:tenant/users', () => import('./screens/users.js'));
route('/alerts', () => import('./screens/alerts.js'), { admin: true });
route('/events', () => import('./screens/events.js'), { admin: true });
route('/users', () => import('./screens/users.js'));
route('/audit', () => import('./screens/audit.js'));
route('/account', () => import('./screens/account.js'));

const liveText = { live: 'Live', connecting: 'Connecting…', offline: 'Not live' };
let stopStatus = () => {};

function frame() {
  const user = currentUser();
  const home = user && user.role !== 'admin' && user.tenant ? `/tenants/${encodeURIComponent(user.tenant)}` : '/';
  const links = user ? [
    ['Dashboard', '/'],
    isAdmin() ? ['Tenants', '/tenants'] : ['My tenant', home],
    ...(user.role === 'tenant_viewer' ? [] : [['Users', '/users'], ['Audit log', '/audit']]),
    ...(isAdmin() ? [['Platform alerts', '/alerts'], ['Platform events', '/events']] : []),
  ] : [];
  const live = h('span', { class: 'live-status', role: 'status' });
  const menu = h('nav', { class: 'site-nav', 'aria-label': 'Main' },
    h('ul', {}, links.map(([label, path]) => h('li', {}, h('a', { href: '#' + path, dataset: { path } }, label)))));
  const account = user ? h('div', { class: 'account' },
    live,
    h('a', { href: '#/account' }, user.username),
    h('button', { type: 'button', onClick: () => signOut().then(() => navigate('/login')) }, 'Sign out')) : null;
  stopStatus();
  stopStatus = user ? onStatus((status) => { live.textContent = liveText[status]; live.dataset.status = status; }) : () => {};
  mount(document.getElementById('frame'),
    h('header', { class: 'site-header' },
      h('a', { class: 'brand', href: '#/' }, 'Berqenas'),
      menu, account));
}

function markCurrent(path) {
  for (const link of document.querySelectorAll('.site-nav a')) {
    const target = link.dataset.path;
    const current = target === '/' ? path === '/' : path === target || path.startsWith(target + '/');
    if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
}

configure({
  async before(found) {
    if (found.route.open) return true;
    if (!isSignedIn()) {
      navigate('/login?next=' + encodeURIComponent(currentPath()), { replace: true });
      return false;
    }
    if (found.route.admin && !isAdmin()) {
      navigate('/', { replace: true });
      return false;
    }
    return true;
  },
  after(found) {
    if (!document.querySelector('.site-header') || document.body.dataset.user !== (currentUser()?.username || '')) {
      document.body.dataset.user = currentUser()?.username || '';
      frame();
    }
    markCurrent(currentPath().split('?')[0]);
    document.getElementById('main').focus({ preventScroll: true });
  },
  notFound(main) {
    mount(main, h('h1', {}, 'No such page'), h('p', {}, h('a', { href: '#/' }, 'Back to the dashboard')));
  },
});

onSessionEnd((reason) => {
  document.body.dataset.user = '';
  mount(document.getElementById('frame'));
  const path = currentPath();
  if (path.startsWith('/login')) return;
  const next = reason === 'expired' ? '?next=' + encodeURIComponent(path) : '';
  navigate('/login' + next, { replace: true });
});

document.addEventListener('click', (event) => {
  const skip = event.target.closest('.skip-link');
  if (skip) { event.preventDefault(); document.getElementById('main').focus(); }
});

toastRegion();
await resume();
await start();
