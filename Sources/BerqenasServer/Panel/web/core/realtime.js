// The hub's live event stream (GET /api/v1/realtime, docs/events.md): one WebSocket for the whole panel.
// It authenticates with the first message, subscribes each topic a screen asks for, and after a dropped
// connection connects again and replays what was missed (`since` the last event seen on each topic).

import { freshToken, isSignedIn, onSessionEnd } from './api.js';

const topics = new Map(); // topic → { handlers: Set, lastId }
const statusListeners = new Set();
let socket = null;
let connecting = false;
let idleTimer = null;
let ready = false;
let retry = 0;
let retryTimer = null;
let status = 'offline';

function setStatus(next) {
  status = next;
  for (const listener of statusListeners) listener(status);
}

/** Calls `listener(status)` now and on each change: 'live', 'connecting' or 'offline'. */
export function onStatus(listener) {
  statusListeners.add(listener);
  listener(status);
  return () => statusListeners.delete(listener);
}

function send(message) {
  if (socket && ready) socket.send(JSON.stringify(message));
}

function subscribeMessage(topic) {
  const entry = topics.get(topic);
  return entry.lastId ? { action: 'subscribe', topic, since: entry.lastId } : { action: 'subscribe', topic };
}

async function connect() {
  if (socket || connecting || topics.size === 0 || !isSignedIn()) return;
  connecting = true;
  setStatus('connecting');
  let token;
  try { token = await freshToken(); } catch { setStatus('offline'); return; } finally { connecting = false; }
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const opened = new WebSocket(`${scheme}//${location.host}/api/v1/realtime`);
  socket = opened;
  opened.onopen = () => opened.send(JSON.stringify({ action: 'auth', token }));
  opened.onmessage = (message) => {
    if (socket !== opened) return;
    let data;
    try { data = JSON.parse(message.data); } catch { return; }
    if (data.type === 'authenticated') {
      ready = true;
      retry = 0;
      setStatus('live');
      for (const topic of topics.keys()) send(subscribeMessage(topic));
    } else if (data.type === 'event') {
      const entry = topics.get(data.topic);
      if (!entry) return;
      if (entry.lastId && data.event.id <= entry.lastId) return;
      entry.lastId = data.event.id;
      for (const handler of entry.handlers) handler(data.event);
    } else if (data.type === 'error' || (data.type === 'unsubscribed' && data.code)) {
      const entry = topics.get(data.topic);
      for (const handler of entry?.handlers || []) handler(null, data);
    }
  };
  opened.onclose = () => {
    if (socket !== opened) return;
    socket = null;
    ready = false;
    setStatus('offline');
    if (topics.size === 0 || !isSignedIn()) return;
    // 1 s, 2 s, 4 s … up to 30 s between attempts.
    const delay = Math.min(30, 2 ** retry) * 1000;
    retry += 1;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  };
}

/**
 * Follows `topic` (e.g. 'tenant:acme', 'job:<id>'): `handler(event)` for each event, `handler(null, error)`
 * when the hub refuses the topic. `since` replays the logged events after that id first. Returns the
 * function that stops following.
 */
export function follow(requested, handler, { since } = {}) {
  // The hub names topics with ids as the API writes them (uppercase); a page's address may not.
  const topic = requested.replace(/^(job|remote_database):(.+)$/, (_, kind, id) => `${kind}:${id.toUpperCase()}`);
  clearTimeout(idleTimer);
  let entry = topics.get(topic);
  if (!entry) {
    entry = { handlers: new Set(), lastId: since || 0 };
    topics.set(topic, entry);
    if (ready) send(subscribeMessage(topic));
  }
  entry.handlers.add(handler);
  connect();
  return () => {
    entry.handlers.delete(handler);
    if (entry.handlers.size > 0 || topics.get(topic) !== entry) return;
    topics.delete(topic);
    send({ action: 'unsubscribe', topic });
    // Kept a moment: the next page usually follows something at once, and a socket kept open misses nothing.
    if (topics.size === 0 && socket) {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        if (topics.size > 0 || !socket) return;
        const closing = socket;
        socket = null;
        ready = false;
        closing.close(1000, 'nothing followed');
        setStatus('offline');
      }, 5000);
    }
  };
}

onSessionEnd(() => {
  topics.clear();
  clearTimeout(retryTimer);
  if (socket) { const closing = socket; socket = null; ready = false; closing.close(1000, 'signed out'); }
  setStatus('offline');
});
