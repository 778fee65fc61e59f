// Facts as a definition list: [['Engine', 'postgresql'], ['Host', node], …]; an empty value shows "—".

import { h } from '../core/dom.js';

export function facts(pairs, label) {
  return h('dl', { class: 'kv', 'aria-label': label },
    pairs.map(([term, value]) => [
      h('dt', {}, term),
      h('dd', { class: 'wrap' }, value === null || value === undefined || value === '' ? '—' : value),
    ]));
}
