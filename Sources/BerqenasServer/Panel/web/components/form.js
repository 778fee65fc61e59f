// Forms from a list of fields, with the hub's field errors shown at the field they name.
//
// fields: [{ name, label, type: 'text'|'password'|'number'|'select'|'checkbox'|'textarea'|'checkboxes',
//            options?: [[value, label]], value?, required?, help?, placeholder?, min?, max?, autocomplete? }]

import { h, uid } from '../core/dom.js';

const TEXT_LIKE = new Set(['text', 'password', 'email', 'search', 'url', 'tel']);

function control(field, id, describedBy) {
  const common = { id, name: field.name, 'aria-describedby': describedBy, required: field.required };
  switch (field.type) {
    case 'select':
      return h('select', common, (field.options || []).map(([value, label]) =>
        h('option', { value, selected: String(field.value ?? '') === String(value) }, label)));
    case 'textarea':
      return h('textarea', { ...common, rows: field.rows || 4, placeholder: field.placeholder, spellcheck: 'false' }, field.value ?? '');
    case 'checkbox':
      return h('input', { ...common, type: 'checkbox', checked: Boolean(field.value) });
    case 'checkboxes':
      return h('div', { id, class: 'checkboxes', role: 'group', 'aria-describedby': describedBy },
        (field.options || []).map(([value, label]) => {
          const boxId = uid('opt');
          return h('span', { class: 'checkbox' },
            h('input', { type: 'checkbox', id: boxId, name: field.name, value, checked: (field.value || []).includes(value) }),
            h('label', { for: boxId }, label));
        }));
    default:
      return h('input', {
        ...common, type: field.type || 'text', value: field.value ?? '', placeholder: field.placeholder,
        min: field.min, max: field.max, spellcheck: 'false',
        // Browsers fill in text-like fields only: a hint on a number or a date is not one.
        // A password field says what it is only when it is the hub's own (sign-in, account): a database's or an
        // SMTP server's password is not the hub's login to remember.
        autocomplete: field.autocomplete || (TEXT_LIKE.has(field.type || 'text') && field.type !== 'password' ? 'off' : null),
      });
  }
}

function read(form, field) {
  if (field.type === 'checkboxes') {
    return [...form.querySelectorAll(`input[name="${field.name}"]:checked`)].map((box) => box.value);
  }
  const element = form.elements.namedItem(field.name);
  if (field.type === 'checkbox') return element.checked;
  if (field.type === 'number') return element.value === '' ? undefined : Number(element.value);
  return element.value;
}

/**
 * Answers a <form>. `onSubmit(values)` runs on submit; an ApiError naming a field shows under that field
 * (`details.field`, or `settings.host` for a field named `host`), any other error above the buttons.
 */
export function form({ fields, submit = 'Save', onSubmit, secondary = null, label = null }) {
  const rows = new Map();
  const general = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary' }, submit);
  const element = h('form', { class: 'form', novalidate: true, 'aria-label': label },
    fields.map((field) => {
      const id = uid('field');
      const helpId = field.help ? uid('help') : null;
      const errorId = uid('error');
      const error = h('p', { class: 'field-error', id: errorId, hidden: true });
      const input = control(field, id, [helpId, errorId].filter(Boolean).join(' '));
      const row = h('div', { class: ['field', field.type === 'checkbox' ? 'inline' : null] },
        field.type === 'checkboxes' ? h('span', { class: 'label', id: id + '-label' }, field.label) : h('label', { for: id }, field.label),
        input,
        field.help ? h('p', { class: 'help', id: helpId }, field.help) : null,
        error);
      if (field.type === 'checkboxes') input.setAttribute('aria-labelledby', id + '-label');
      rows.set(field.name, { row, input, error });
      return row;
    }),
    general,
    h('div', { class: 'actions' }, secondary, button));

  function clearErrors() {
    general.hidden = true;
    for (const { row, input, error } of rows.values()) {
      row.classList.remove('invalid');
      input.removeAttribute('aria-invalid');
      error.hidden = true;
    }
  }

  /** Shows `message` at field `name` (or above the buttons when no such field). */
  function showError(name, message) {
    const target = rows.get(name) || rows.get(String(name || '').split('.').pop());
    if (!target) {
      general.textContent = message;
      general.hidden = false;
      return;
    }
    target.row.classList.add('invalid');
    target.input.setAttribute('aria-invalid', 'true');
    target.error.textContent = message;
    target.error.hidden = false;
    target.input.focus();
  }

  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    const values = {};
    for (const field of fields) values[field.name] = read(element, field);
    const missing = fields.find((f) => f.required && (values[f.name] === '' || values[f.name] === undefined));
    if (missing) { showError(missing.name, `${missing.label} is required`); return; }
    button.disabled = true;
    try {
      await onSubmit(values);
    } catch (error) {
      const message = error?.code ? `${error.message} (${error.code})` : String(error?.message || error);
      showError(error?.field, message);
    } finally {
      button.disabled = false;
    }
  });

  return Object.assign(element, { showError, clearErrors });
}
