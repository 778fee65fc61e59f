// An API's documentation and its "Try it" console. Both talk to the generated API itself (under /rest/v1,
// not /api/v1), so they use fetch directly. How it authenticates (docs/auto-api.md, "Auth and keys";
// RestAccess.swift): an API key in the `apikey` header works in every mode; `public_read` reads without
// credentials; a Berqenas access token of a user of the tenant (or an admin) also works in every mode, so
// the signed-in session is the last resort — and in "Try it" only when the user leaves it ticked.

import { ApiError, freshToken } from '../core/api.js';
import { h, mount, uid, when } from '../core/dom.js';
import { empty, load } from '../components/states.js';
import { restBase } from './apis-parts.js';

export const OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'is', 'in'];
const METHODS = ['get', 'head', 'post', 'patch', 'delete'];
const RETRY_WITH_OTHER_CREDENTIALS = new Set([401, 403, 429]);

/** Request headers for one way of calling: 'key' (apikey header), 'session' (bearer token) or 'none'. */
async function credentialHeaders(kind, key) {
  if (kind === 'key') return { apikey: key };
  if (kind === 'session') return { Authorization: `Bearer ${await freshToken()}` };
  return {};
}

async function restError(response) {
  let body = null;
  try { body = await response.json(); } catch { /* not JSON */ }
  return new ApiError(response.status, body?.code || `http_${response.status}`, body?.message || response.statusText || 'request failed');
}

/** A query value as PostgREST clients write it: escaped, but with the commas and colons of its grammar kept. */
function keep(text) {
  return encodeURIComponent(text).replace(/%2C/gi, ',').replace(/%3A/gi, ':');
}

/** A short name for a JSON schema: a component's name, "array of …", one of several, or its type. */
function schemaText(schema) {
  if (!schema) return 'any';
  if (schema.$ref) return schema.$ref.split('/').pop();
  if (schema.oneOf || schema.anyOf) return (schema.oneOf || schema.anyOf).map(schemaText).join(' or ');
  if (schema.type === 'array') return `array of ${schemaText(schema.items)}`;
  return Array.isArray(schema.type) ? schema.type.join(' or ') : schema.type || 'any';
}

function operationView(method, operation, doc) {
  const parameters = operation.parameters || [];
  const security = operation.security ?? doc.security ?? [];
  const body = operation.requestBody?.content?.['application/json']?.schema;
  return h('details', {},
    h('summary', {}, h('code', {}, method.toUpperCase()), ' ', operation.summary || ''),
    h('p', { class: 'muted' }, security.length === 0
      ? 'No credentials needed.'
      : 'Needs an API key (apikey header or Authorization: Bearer bqk_…) or the access token of a user of this tenant.'),
    parameters.length === 0 ? h('p', {}, 'No parameters.') : h('div', { class: 'table-wrap' }, h('table', {},
      h('caption', {}, `Parameters of ${method.toUpperCase()}`),
      h('thead', {}, h('tr', {}, ['Name', 'In', 'Type', 'Description'].map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, parameters.map((p) => p.$ref
        ? h('tr', {}, h('td', { colspan: '4' }, p.$ref.split('/').pop()))
        : h('tr', {},
          h('td', { 'data-label': 'Name' }, h('code', { class: 'wrap' }, p.name)),
          h('td', { 'data-label': 'In' }, p.in),
          h('td', { 'data-label': 'Type' }, schemaText(p.schema)),
          h('td', { 'data-label': 'Description', class: 'wrap' }, p.description || '—')))))),
    body ? h('p', {}, 'Body: ', h('code', { class: 'wrap' }, schemaText(body))) : null,
    h('p', {}, 'Answers: ', Object.keys(operation.responses || {}).join(', ') || '—'));
}

function documentView(doc) {
  const paths = Object.keys(doc.paths || {}).sort();
  return [
    doc.info?.description ? h('p', {}, doc.info.description) : null,
    h('dl', { class: 'kv' },
      h('dt', {}, 'Title'), h('dd', {}, doc.info?.title || '—'),
      h('dt', {}, 'Server URL'), h('dd', {}, h('code', { class: 'wrap' }, doc.servers?.[0]?.url || '—')),
      h('dt', {}, 'Schema read'), h('dd', {}, when(doc.info?.version)),
      h('dt', {}, 'OpenAPI'), h('dd', {}, doc.openapi || '—')),
    paths.length === 0 ? empty('The document lists no tables.') : paths.map((path) => h('div', {},
      h('h3', {}, h('code', { class: 'wrap' }, path)),
      METHODS.filter((m) => doc.paths[path][m]).map((m) => operationView(m, doc.paths[path][m], doc)))),
  ];
}

/**
 * "Docs": the API's own OpenAPI document (GET /rest/v1/{tenant}/{api}/), read with the key `getKey()`
 * answers, else anonymously when the API reads publicly, else with the signed-in session. Answers
 * { element, reload }.
 */
export function docsSection({ tenant, name, getKey, getAuth }) {
  const url = `${restBase(tenant, name)}/`;
  const titleId = uid('docs');
  const via = h('p', { class: 'muted', role: 'status' });
  const box = h('div');
  const element = h('section', { 'aria-labelledby': titleId },
    h('h2', { id: titleId }, 'Docs'),
    h('p', {}, 'From the API\'s own OpenAPI document, ', h('code', { class: 'wrap' }, url), '.'),
    h('div', { class: 'toolbar' }, h('button', { type: 'button', onClick: () => reload() }, 'Reload docs')),
    via, box);

  async function fetchDocument() {
    const key = getKey();
    const ways = [];
    if (key) ways.push(['key', `the API key ${key.slice(0, 12)}…`]);
    if (getAuth() === 'public_read') ways.push(['none', 'no credentials (the API reads publicly)']);
    ways.push(['session', 'your sign-in session']);
    let last = null;
    for (const [kind, label] of ways) {
      const response = await fetch(url, { headers: await credentialHeaders(kind, key), credentials: 'omit' });
      if (response.ok) {
        via.textContent = `Read with ${label}.`;
        return response.json();
      }
      last = await restError(response);
      if (!RETRY_WITH_OTHER_CREDENTIALS.has(response.status)) break;
    }
    via.textContent = '';
    throw last;
  }

  const reload = () => load(box, fetchDocument, documentView);
  return { element, reload };
}

function labelled(text, control, extra = null) {
  return h('div', { class: 'field' }, h('label', { for: control.id }, text), control, extra);
}

function select(options, value = '') {
  return h('select', { id: uid('field') }, options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
}

/**
 * "Try it": a read of one table built from its parts (select=, filters, order, limit), sent as PostgREST
 * clients send it; shows the request URL, the status, the time taken and the answer. Answers
 * { element, getKey, setKey } (a key made on the page fills the key field).
 */
export function tryItSection({ tenant, name, definition }) {
  const titleId = uid('try');
  const readable = definition.tables.filter((t) => t.operations.includes('read'));
  const heading = h('h2', { id: titleId }, 'Try it');
  if (readable.length === 0) {
    const element = h('section', { 'aria-labelledby': titleId }, heading, empty('No table of this API allows reading, so there is nothing to try here.'));
    return { element, getKey: () => '', setKey() {} };
  }

  const table = select(readable.map((t) => [t.name, t.name]), readable[0].name);
  const columnsBox = h('div', { class: 'checkboxes' });
  const filters = h('div');
  const orderColumn = select([]);
  const orderDirection = select([['asc', 'ascending'], ['desc', 'descending']], 'asc');
  const limit = h('input', { id: uid('field'), type: 'number', min: 0, value: '10' });
  const keyHelp = uid('help');
  const key = h('input', {
    id: uid('field'), type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'bqk_…', 'aria-describedby': keyHelp,
  });
  const sessionId = uid('opt');
  // Off unless asked: the panel's token is for the management API; a key is what a client of this API uses.
  const useSession = h('input', { type: 'checkbox', id: sessionId, checked: false });
  const result = h('div', { 'aria-live': 'polite' });
  const send = h('button', { type: 'submit', class: 'primary' }, 'Send');

  const columnsOf = () => (readable.find((t) => t.name === table.value) || readable[0]).columns.map((c) => c.name);

  function filterRow() {
    const column = select([['', '— none —'], ...columnsOf().map((c) => [c, c])]);
    const operator = select(OPERATORS.map((op) => [op, op]), 'eq');
    const value = h('input', { id: uid('field'), type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: '10, a*, null, 1,2' });
    const row = h('div', { class: 'inline-form' },
      labelled('Column', column), labelled('Operator', operator), labelled('Value', value),
      h('button', { type: 'button', class: 'link-button', onClick: () => { row.remove(); if (!filters.children.length) filters.append(filterRow()); } }, 'Remove filter'));
    Object.assign(row, { parts: { column, operator, value } });
    return row;
  }

  function columnsChanged() {
    const names = columnsOf();
    mount(columnsBox, names.map((c) => {
      const id = uid('opt');
      return h('span', { class: 'checkbox' }, h('input', { type: 'checkbox', id, value: c }), h('label', { for: id }, c));
    }));
    mount(filters, filterRow());
    mount(orderColumn, [['', '— none —'], ...names.map((c) => [c, c])].map(([v, label]) => h('option', { value: v }, label)));
  }
  table.addEventListener('change', columnsChanged);
  columnsChanged();

  /** The query string in PostgREST's grammar, e.g. select=id,total&total=gt.10&order=id.desc&limit=5. */
  function queryString() {
    const parts = [];
    const picked = [...columnsBox.querySelectorAll('input:checked')].map((box) => box.value);
    if (picked.length) parts.push(`select=${picked.map(keep).join(',')}`);
    for (const row of filters.children) {
      const { column, operator, value } = row.parts;
      if (!column.value) continue;
      let text = value.value.trim();
      if (operator.value === 'in' && !/^\(.*\)$/.test(text)) text = `(${text})`;
      parts.push(`${keep(column.value)}=${operator.value}.${keep(text)}`);
    }
    if (orderColumn.value) parts.push(`order=${keep(orderColumn.value)}.${orderDirection.value}`);
    if (limit.value !== '') parts.push(`limit=${keep(limit.value)}`);
    return parts.join('&');
  }

  async function run(event) {
    event.preventDefault();
    const query = queryString();
    const path = `${restBase(tenant, name)}/${encodeURIComponent(table.value)}${query ? `?${query}` : ''}`;
    const secret = key.value.trim();
    const kind = secret ? 'key' : useSession.checked ? 'session' : 'none';
    const sentWith = { key: `API key ${secret.slice(0, 12)}… (apikey header)`, session: 'your sign-in session (Authorization: Bearer)', none: 'no credentials' }[kind];
    send.disabled = true;
    mount(result, h('p', { class: 'muted', role: 'status' }, `Sending GET ${path}…`));
    let status = 0;
    let statusText = '';
    let text = '';
    let range = null;
    let failed = null;
    const started = performance.now();
    try {
      const response = await fetch(path, {
        headers: { Accept: 'application/json', ...await credentialHeaders(kind, secret) }, credentials: 'omit',
      });
      status = response.status;
      statusText = response.statusText;
      range = response.headers.get('Content-Range');
      text = await response.text();
    } catch (error) {
      failed = error;
    }
    const elapsed = performance.now() - started;
    send.disabled = false;
    let shown = text;
    try { shown = text ? JSON.stringify(JSON.parse(text), null, 2) : '(empty body)'; } catch { /* not JSON: as sent */ }
    mount(result,
      h('dl', { class: 'kv' },
        h('dt', {}, 'Request'), h('dd', {}, h('code', { class: 'wrap' }, `GET ${path}`)),
        h('dt', {}, 'Sent with'), h('dd', {}, sentWith),
        h('dt', {}, 'Status'), h('dd', {}, failed
          ? h('span', { class: 'badge bad' }, `No answer: ${failed.message}`)
          : h('span', { class: ['badge', status < 300 ? 'ok' : status < 500 ? 'warn' : 'bad'] }, `${status} ${statusText}`.trim())),
        h('dt', {}, 'Time'), h('dd', {}, `${Math.round(elapsed)} ms`),
        range ? [h('dt', {}, 'Content-Range'), h('dd', {}, h('code', {}, range))] : null),
      failed ? null : h('pre', { class: 'code-block', tabindex: '0', 'aria-label': 'Response body' }, shown));
  }

  const element = h('section', { 'aria-labelledby': titleId },
    heading,
    h('p', { class: 'muted' }, 'Reads rows the way a PostgREST client does. Each part below becomes part of the query string.'),
    h('form', { class: 'form', 'aria-label': 'Try it', novalidate: true, onSubmit: run },
      labelled('Table', table),
      h('fieldset', { class: 'field' }, h('legend', {}, 'Columns (select=)'),
        h('p', { class: 'help' }, 'None ticked: every column.'), columnsBox),
      h('fieldset', { class: 'field' }, h('legend', {}, 'Filters'), filters,
        h('div', { class: 'toolbar' },
          h('button', { type: 'button', onClick: () => { const row = filterRow(); filters.append(row); row.parts.column.focus(); } }, 'Add filter'))),
      h('div', { class: 'inline-form' }, labelled('Order by', orderColumn), labelled('Direction', orderDirection)),
      labelled('Limit', limit),
      labelled('API key', key, h('p', { class: 'help', id: keyHelp }, 'Sent as the apikey header. A key created on this page fills it in.')),
      h('div', { class: 'field inline' }, useSession,
        h('label', { for: sessionId }, 'Without a key, send my sign-in session (it works for users of this tenant)')),
      h('div', { class: 'actions' }, send)),
    result);

  return { element, getKey: () => key.value.trim(), setKey(value) { key.value = value || ''; } };
}
