// Short notices ("Tenant created") in a live region screen readers announce.

import { h } from '../core/dom.js';

/** The live region, made when the panel starts: one created with its first message is often not announced. */
export function region() {
  let element = document.getElementById('toasts');
  if (!element) {
    element = h('div', { id: 'toasts', class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(element);
  }
  return element;
}

/** Shows `message` for a few seconds; `kind` is 'ok' or 'error'. */
export function toast(message, kind = 'ok') {
  const item = h('div', { class: ['toast', kind] }, message);
  region().append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}
