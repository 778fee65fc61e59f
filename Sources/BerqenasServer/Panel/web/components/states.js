// Loading, empty and error states, and `load`, which shows them around an API call.

import { h, mount } from '../core/dom.js';

export function loading(text = 'Loading…') {
  return h('p', { class: 'state loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

export function empty(text, action) {
  return h('div', { class: 'state empty' }, h('p', {}, text), action);
}

/** The hub's message (and code) where a screen could not be drawn, with a way to try again. */
export function failure(error, retry) {
  return h('div', { class: 'state error', role: 'alert' },
    h('p', {}, h('strong', {}, 'Could not load this: '), error?.message || String(error)),
    error?.code ? h('p', { class: 'muted' }, `code: ${error.code}`) : null,
    retry ? h('button', { type: 'button', onClick: retry }, 'Try again') : null);
}

/**
 * Shows a loading state in `container`, runs `fetcher`, then draws `draw(result)` (an element or list of
 * them) or the error with a retry. Answers the result (undefined after an error).
 */
export async function load(container, fetcher, draw) {
  mount(container, loading());
  try {
    const result = await fetcher();
    mount(container, draw(result));
    return result;
  } catch (error) {
    mount(container, failure(error, () => load(container, fetcher, draw)));
    return undefined;
  }
}
