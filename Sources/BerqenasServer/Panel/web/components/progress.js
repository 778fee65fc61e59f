// A labelled progress bar (native <progress>, so assistive technology reads its value).

import { h, uid } from '../core/dom.js';

/** Answers { element, update(done, total) }; an unknown total shows a moving bar. */
export function progressBar(label) {
  const id = uid('progress');
  const bar = h('progress', { id, max: 100 });
  const text = h('span', { class: 'progress-text' }, '—');
  const element = h('div', { class: 'progress' }, h('label', { for: id }, label), bar, text);
  /** Shows `done` of `total`; without a total a moving bar, and once `finished` the count alone. */
  const update = (done, total, { finished = false } = {}) => {
    const count = Number(done || 0);
    if (finished) {
      bar.value = count > 0 ? 100 : 0;
      text.textContent = `${count.toLocaleString()} rows`;
      return;
    }
    if (!total) {
      bar.removeAttribute('value');
      text.textContent = `${count.toLocaleString()} rows`;
      return;
    }
    const percent = Math.min(100, Math.round((count / Number(total)) * 100));
    bar.value = percent;
    text.textContent = `${percent} % (${count.toLocaleString()} of ${Number(total).toLocaleString()})`;
  };
  return { element, update };
}
