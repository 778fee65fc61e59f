// A small hash router: `#/tenants/acme/jobs/42?tab=tables` → the screen registered for
// `/tenants/:tenant/jobs/:id`, with its parameters and query. Screens are modules loaded on first use.
//
// A screen module exports `title` (text, or a function of the parameters) and `render(context)`, where
// context = { params, query, main, cleanup(fn), navigate }. `cleanup` functions run when the page changes
// (a live subscription closes, a timer stops).

const routes = [];
let cleanups = [];
let renderId = 0;

/** Registers `pattern` (e.g. '/tenants/:tenant') for a screen module loaded by `load`. */
export function route(pattern, load, options = {}) {
  const names = [];
  const source = pattern.replace(/:([a-z_]+)/g, (_, name) => { names.push(name); return '([^/]+)'; });
  routes.push({ pattern, regex: new RegExp('^' + source + '$'), names, load, ...options });
}

/** The current location inside the panel: path and query, e.g. '/tenants?x=1'. */
export function currentPath() {
  const hash = location.hash.replace(/^#/, '');
  return hash.startsWith('/') ? hash : '/';
}

export function navigate(path, { replace = false } = {}) {
  const target = '#' + path;
  if (location.hash === target) { render(); return; }
  if (replace) history.replaceState(null, '', target); else location.hash = target;
  if (replace) render();
}

function match(path) {
  const [pathname, search = ''] = path.split('?');
  for (const candidate of routes) {
    const found = candidate.regex.exec(pathname);
    if (!found) continue;
    const params = {};
    candidate.names.forEach((name, index) => { params[name] = decodeURIComponent(found[index + 1]); });
    return { route: candidate, params, query: Object.fromEntries(new URLSearchParams(search)) };
  }
  return null;
}

let hooks = { before: () => true, after: () => {}, notFound: () => {} };

/** `before(match)` may redirect (answering false); `after(match)` updates navigation; `notFound(main)`. */
export function configure(options) { hooks = { ...hooks, ...options }; }

export async function render() {
  for (const fn of cleanups.splice(0)) { try { fn(); } catch { /* a cleanup never stops the next page */ } }
  const id = ++renderId;
  const main = document.getElementById('main');
  const found = match(currentPath());
  if (!found) { hooks.notFound(main); return; }
  if (!(await hooks.before(found))) return;
  let module;
  try {
    module = await found.route.load();
  } catch {
    // A page open across a hub upgrade asks for files of the old version, which are gone: load the new one.
    location.reload();
    return;
  }
  if (id !== renderId) return; // another page was asked for meanwhile
  const screen = module.default;
  const title = typeof screen.title === 'function' ? screen.title(found.params) : screen.title;
  document.title = `${title} · Berqenas`;
  main.replaceChildren();
  hooks.after(found, title);
  const context = {
    params: found.params,
    query: found.query,
    main,
    navigate,
    // Registered after the user left (an answer came late), it runs at once rather than on the next page.
    cleanup: (fn) => (id === renderId ? cleanups.push(fn) : fn()),
    /** Whether this page is still the one shown (an answer arriving late must not draw over another page). */
    current: () => id === renderId,
  };
  await screen.render(context);
}

export function start() {
  window.addEventListener('hashchange', () => render());
  return render();
}
