// The panel's one way to the hub: the public management API under /api/v1, as the CLI uses it.
//
// The access token lives in this module's memory only (never in storage a script could read later); the
// refresh token is an HttpOnly cookie the hub sets, sent only to /api/v1/auth. A refresh runs a minute
// before the access token expires, and once more when a request answers 401. Tabs refresh one at a time
// (Web Locks), since a refresh token works once; signing out in one tab signs out the others.

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }

  /** The request field the hub named as wrong, if any. */
  get field() { return this.details.field; }
}

const PANEL_HEADER = { 'X-Requested-With': 'berqenas-panel' };
const session = { token: null, expiresAt: 0, user: null, timer: null, refreshing: null };
const listeners = new Set();
const channel = 'BroadcastChannel' in window ? new BroadcastChannel('berqenas-session') : null;

if (channel) {
  channel.onmessage = (message) => {
    if (message.data === 'signed-out') forget('signed-out');
  };
}

/** Calls `listener(reason)` when the session ends ('expired' or 'signed-out'). */
export function onSessionEnd(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function currentUser() { return session.user; }
export function isSignedIn() { return session.token !== null; }
export function isAdmin() { return session.user?.role === 'admin'; }
/** Whether the signed-in user may change things of `tenant` (admins, and that tenant's admins). */
export function canWrite(tenant) {
  const user = session.user;
  if (!user) return false;
  return user.role === 'admin' || (user.role === 'tenant_admin' && user.tenant === tenant);
}

function forget(reason) {
  const wasSignedIn = session.token !== null;
  clearTimeout(session.timer);
  session.token = null;
  session.user = null;
  session.expiresAt = 0;
  if (wasSignedIn || reason === 'expired') for (const listener of listeners) listener(reason);
}

function adopt(tokens) {
  session.token = tokens.access_token;
  const lifetime = Number(tokens.expires_in) || 900;
  session.expiresAt = Date.now() + lifetime * 1000;
  clearTimeout(session.timer);
  // A minute early, or at four fifths of a short lifetime. Without Web Locks (a page not served over HTTPS or
  // from localhost) tabs cannot take turns: a random part of the margin keeps their timers apart.
  const early = Math.min(60, lifetime / 5);
  const spread = navigator.locks ? 0 : Math.random() * early * 0.8;
  session.timer = setTimeout(() => { refresh().catch(() => forget('expired')); }, (lifetime - early - spread) * 1000);
}

async function decodeError(response) {
  let body = null;
  try { body = await response.json(); } catch { /* not JSON */ }
  const error = body?.error;
  if (error && typeof error === 'object') {
    return new ApiError(response.status, error.code || 'error', error.message || response.statusText, error.details);
  }
  // PostgREST-shaped errors (the auto-API) and anything else.
  if (body && typeof body.message === 'string') return new ApiError(response.status, body.code || 'error', body.message, {});
  return new ApiError(response.status, 'http_' + response.status, response.statusText || 'request failed');
}

async function post(path, body, extraHeaders = {}) {
  return fetch('/api/v1' + path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', ...PANEL_HEADER, ...extraHeaders },
    body: JSON.stringify(body ?? {}),
  });
}

/** Signs in; the refresh token goes into the hub's HttpOnly cookie. */
export async function signIn(username, password) {
  const response = await post('/auth/login', { username, password, refresh_cookie: true });
  if (!response.ok) throw await decodeError(response);
  adopt(await response.json());
  session.user = await api('GET', '/auth/me');
  return session.user;
}

/** Exchanges the refresh cookie for a new access token (and cookie); one tab at a time. */
export function refresh() {
  if (session.refreshing) return session.refreshing;
  const run = async () => {
    const response = await fetch('/api/v1/auth/refresh', {
      method: 'POST', credentials: 'same-origin', headers: PANEL_HEADER,
    });
    if (!response.ok) throw await decodeError(response);
    adopt(await response.json());
  };
  const locked = navigator.locks ? navigator.locks.request('berqenas-refresh', run) : run();
  session.refreshing = locked.finally(() => { session.refreshing = null; });
  return session.refreshing;
}

/** Picks the session up again after a page load, from the refresh cookie; false when there is none. */
export async function resume() {
  if (!document.cookie.split(';').some((c) => c.trim() === 'berqenas_session=1')) return false;
  try {
    await refresh();
    session.user = await api('GET', '/auth/me');
    return true;
  } catch {
    // The cookie's session is over (revoked, expired): forget it, and the hint that there was one.
    clearTimeout(session.timer);
    session.token = null;
    session.user = null;
    document.cookie = 'berqenas_session=; Max-Age=0; Path=/; SameSite=Strict';
    return false;
  }
}

/** Signs out this browser, or every session of the user with `everywhere`. */
export async function signOut({ everywhere = false } = {}) {
  try {
    if (session.token) {
      // `everywhere: false`: with this browser's cookie already gone, nothing else is revoked.
      await post('/auth/logout', { everywhere }, { Authorization: 'Bearer ' + session.token });
    }
  } finally {
    channel?.postMessage('signed-out');
    forget('signed-out');
  }
}

/** An access token valid for a while longer (the realtime socket authenticates with it). */
export async function freshToken() {
  if (!session.token || session.expiresAt - Date.now() < 30_000) await refresh();
  return session.token;
}

function url(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return '/api/v1' + path + (text ? '?' + text : '');
}

/**
 * The rows of a list: the API answers most lists as pages (`{items, total, …}`) and a few (a tenant's remote
 * databases, tables, alert channels and rules) as arrays. One place knows both.
 */
export async function rows(path, options) {
  const answer = await api('GET', path, options);
  return Array.isArray(answer) ? answer : answer?.items || [];
}

/**
 * Calls the management API: `api('POST', '/tenants', {body: {...}})`. Answers the decoded JSON (null for
 * 204), or the Response itself with `raw: true`. Throws ApiError with the hub's code, message and field.
 */
export async function api(method, path, { body, query, raw = false } = {}) {
  const send = () => fetch(url(path, query), {
    method,
    credentials: 'same-origin',
    headers: {
      ...(session.token ? { Authorization: 'Bearer ' + session.token } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  let response = await send();
  if (response.status === 401 && session.token) {
    try {
      await refresh();
    } catch {
      forget('expired');
      throw await decodeError(response);
    }
    response = await send();
    if (response.status === 401) forget('expired');
  }
  if (!response.ok) throw await decodeError(response);
  if (raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}
