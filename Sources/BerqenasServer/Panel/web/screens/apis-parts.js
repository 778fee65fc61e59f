// Pieces the APIs list and an API's page share: how a source and an auth mode read, the tenant's remote
// databases as sources, the "Refresh schema" and "Delete API" actions, and the table picker of the create
// and edit forms (docs/auto-api.md, "Definitions").

import { api, rows } from '../core/api.js';
import { h, mount, number, uid } from '../core/dom.js';
import { confirm } from '../components/dialog.js';
import { toast } from '../components/toast.js';

export const AUTH_MODES = [
  ['api_key', 'API key required'],
  ['public_read', 'Anonymous read (writes need a key)'],
  ['jwt', 'Berqenas sign-in token required'],
];

export const OPERATIONS = ['read', 'insert', 'update', 'delete'];

export function authLabel(mode) {
  return AUTH_MODES.find(([value]) => value === mode)?.[1] || mode;
}

export function authBadge(mode) {
  return h('span', { class: ['badge', mode === 'public_read' ? 'warn' : 'muted'] }, authLabel(mode));
}

/** Where the generated API answers (PostgREST clients take this as their base URL). */
export function restBase(tenant, name) {
  return `/rest/v1/${encodeURIComponent(tenant)}/${encodeURIComponent(name)}`;
}

export function apisPath(tenant) {
  return `/tenants/${encodeURIComponent(tenant)}/apis`;
}

/** The tenant's remote databases (a plain array); an empty list when they cannot be read. */
export async function remoteDatabases(tenant) {
  try {
    return await rows(`/tenants/${encodeURIComponent(tenant)}/remote-databases`);
  } catch {
    return [];
  }
}

/** A source as the select of the forms names it: 'tenant_store' or a remote database's id. */
export function sourceValue(source) {
  return source?.kind === 'remote_database' ? String(source.id || '').toUpperCase() : 'tenant_store';
}

export function sourceOptions(remotes) {
  return [['tenant_store', 'Tenant store'], ...remotes.map((r) => [String(r.id).toUpperCase(), `Remote database: ${r.name} (${r.engine})`])];
}

/** The source object the API takes, from the select's value. */
export function sourceBody(value) {
  return value === 'tenant_store' ? { kind: 'tenant_store' } : { kind: 'remote_database', id: value };
}

/** "Tenant store", or the remote database's name linking to its page. */
export function sourceLabel(tenant, source, remotes) {
  if (source?.kind !== 'remote_database') return 'Tenant store';
  const id = String(source.id || '').toUpperCase();
  const remote = remotes.find((r) => String(r.id).toUpperCase() === id);
  return h('a', { href: `#/tenants/${encodeURIComponent(tenant)}/remote-databases/${encodeURIComponent(id)}` },
    remote ? remote.name : `Remote database ${id.slice(0, 8)}`);
}

/** "Refresh schema": the source is introspected again (new columns, dropped tables). */
export async function refreshSchema(tenant, name) {
  await api('POST', `${apisPath(tenant)}/${encodeURIComponent(name)}/refresh`);
  toast(`Schema of API ${name} refreshed`);
}

/** "Delete API", after a confirmation; answers whether it was deleted. */
export async function deleteApi(tenant, name) {
  const yes = await confirm({
    title: `Delete API ${name}?`,
    message: `${restBase(tenant, name)} stops answering at once, and its keys go with it. The tables themselves are not touched.`,
    action: 'Delete API',
    danger: true,
  });
  if (!yes) return false;
  await api('DELETE', `${apisPath(tenant)}/${encodeURIComponent(name)}`);
  toast(`API ${name} deleted`);
  return true;
}

function checkbox(name, value, label, checked, detail) {
  const id = uid('opt');
  return h('span', { class: 'checkbox' },
    h('input', { type: 'checkbox', id, name, value, checked }),
    h('label', { for: id }, label, detail ? h('span', { class: 'muted' }, ' ', detail) : null));
}

/**
 * The tables an API serves and what it may do to them. Over a remote database its tables are listed as
 * checkboxes (GET …/remote-databases/{id}/tables); the tenant store has no such list in the API, so its
 * names are typed. `selected` preselects names (the edit form); `dirty()` tells whether the user changed
 * anything, so an edit leaves an "all tables" definition alone unless asked. Answers { element, setSource,
 * value, dirty, showError, clearError }; `value()` throws an Error when nothing is picked.
 */
export function tablePicker({ tenant, selected = [], operations = ['read'], help = null }) {
  const group = uid('tables');
  const errorId = uid('error');
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const all = checkbox(`${group}-all`, '*', 'All tables and views of the source', false);
  const allBox = all.querySelector('input');
  const list = h('div', { class: 'checkboxes' });
  const ops = h('fieldset', { class: 'field' },
    h('legend', {}, 'Operations allowed on these tables'),
    h('div', { class: 'checkboxes' }, OPERATIONS.map((op) => checkbox(`${group}-ops`, op, op, operations.includes(op)))));
  const element = h('fieldset', { class: 'field', 'aria-describedby': errorId },
    h('legend', {}, 'Tables'),
    help ? h('p', { class: 'help' }, help) : null,
    all, list, ops, error);
  let changed = false;
  let typed = null; // the text field, when names are typed
  let token = 0;

  const sync = () => {
    for (const input of list.querySelectorAll('input')) input.disabled = allBox.checked;
  };
  element.addEventListener('change', () => { changed = true; sync(); });
  element.addEventListener('input', () => { changed = true; });

  function textField(note) {
    const id = uid('field');
    const noteId = uid('help');
    typed = h('input', {
      id, type: 'text', value: selected.join(', '), placeholder: 'orders, customers', spellcheck: 'false',
      autocomplete: 'off', 'aria-describedby': noteId,
    });
    mount(list, h('div', { class: 'field' },
      h('label', { for: id }, 'Table names'),
      typed,
      h('p', { class: 'help', id: noteId }, note)));
    sync();
  }

  /** Lists what the source `value` ('tenant_store' or a remote database's id) can serve. */
  async function setSource(value) {
    const mine = ++token;
    typed = null;
    if (value === 'tenant_store') {
      textField('Names of tables in the tenant store, separated by commas (the API has no list of them to pick from).');
      return;
    }
    mount(list, h('p', { class: 'muted', role: 'status' }, 'Listing the tables of this database…'));
    try {
      const tables = await rows(`/tenants/${encodeURIComponent(tenant)}/remote-databases/${encodeURIComponent(value)}/tables`);
      if (mine !== token) return;
      if (tables.length === 0) {
        textField('This database lists no tables; type their names, separated by commas.');
        return;
      }
      mount(list, tables.map((t) => checkbox(`${group}-names`, t.name, t.name, selected.includes(t.name),
        [t.kind && t.kind !== 'table' ? t.kind : null, t.row_estimate != null ? `~${number(t.row_estimate)} rows` : null]
          .filter(Boolean).join(', '))));
      sync();
    } catch (failure) {
      if (mine !== token) return;
      textField(`Its tables could not be listed (${failure.message}); type their names, separated by commas.`);
    }
  }

  function showError(message) {
    error.textContent = message;
    error.hidden = false;
    element.classList.add('invalid');
    (element.querySelector('input:not(:disabled)') || allBox).focus();
  }

  function clearError() {
    error.hidden = true;
    element.classList.remove('invalid');
  }

  /** The `tables` the API takes: [{name, operations}], or [{name: '*', …}]. */
  function value() {
    const chosen = [...ops.querySelectorAll('input:checked')].map((box) => box.value);
    if (chosen.length === 0) throw new Error('Pick at least one operation');
    if (allBox.checked) return [{ name: '*', operations: chosen }];
    const names = typed
      ? typed.value.split(',').map((name) => name.trim()).filter(Boolean)
      : [...list.querySelectorAll('input:checked')].map((box) => box.value);
    if (names.length === 0) throw new Error('Pick at least one table, or all tables');
    return [...new Set(names)].map((name) => ({ name, operations: chosen }));
  }

  return {
    element, setSource, value, showError, clearError,
    dirty: () => changed,
    markChanged: () => { changed = true; },
  };
}
