// Modal dialogs on the native <dialog> element (focus kept inside, Escape closes), and confirmations,
// typed ones for what cannot be undone.

import { h, uid } from '../core/dom.js';

/** Opens a modal with `content`; answers { element, close }. `onClose` runs once it is closed. */
export function modal(title, content, { onClose } = {}) {
  const titleId = uid('dialog');
  const close = () => element.close();
  const element = h('dialog', { class: 'modal', 'aria-labelledby': titleId },
    h('header', {},
      h('h2', { id: titleId }, title),
      h('button', { type: 'button', class: 'icon', 'aria-label': 'Close', onClick: close }, '×')),
    h('div', { class: 'modal-body' }, content));
  element.addEventListener('close', () => { element.remove(); onClose?.(); });
  document.body.append(element);
  element.showModal();
  return { element, close };
}

/**
 * Asks before doing `action`. With `typed`, the user must type that text (a tenant's name before its
 * permanent deletion). Answers true when confirmed.
 */
export function confirm({ title, message, action = 'Confirm', danger = false, typed = null }) {
  return new Promise((resolve) => {
    let answered = false;
    const inputId = uid('confirm');
    const input = typed ? h('input', { id: inputId, autocomplete: 'off', spellcheck: 'false' }) : null;
    const yes = h('button', { type: 'submit', class: danger ? 'danger' : 'primary', disabled: Boolean(typed) }, action);
    input?.addEventListener('input', () => { yes.disabled = input.value !== typed; });
    const form = h('form', { method: 'dialog' },
      h('p', {}, message),
      typed ? h('label', { for: inputId }, 'Type ', h('code', {}, typed), ' to confirm') : null,
      input,
      h('div', { class: 'actions' },
        h('button', { type: 'button', onClick: () => dialog.close() }, 'Cancel'),
        yes));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (typed && input.value !== typed) return;
      answered = true;
      dialog.close();
    });
    const dialog = modal(title, form, { onClose: () => resolve(answered) });
    (input || yes).focus();
  });
}
