// A labelled progress bar (native <progress>, so assistive technology reads its value).

import { h, uid } from '../core/dom.js';

/** Answers { element, update(done, total) }; an unknown total shows a moving bar. */
export function progressBar(label) {
  const id = uid('progress');
  const bar = h('progress', { id, max: 100 });
  const text = h('span', { class: 'progress-text' }, '—');
  const element = h('div', { class: 'progress' }, h('label', { for: id }, label), bar, text);
  const update = (done, total) => {
    if (!total) {
      bar.removeAttribute('value');
      text.textContent = `${Number(done || 0).toLocaleString()} rows`;
      return;
    }
    const percent = Math.min(100, Math.round((Number(done) / Number(total)) * 100));
    bar.value = percent;
    text.textContent = `${percent} % (${Number(done).toLocaleString()} of ${Number(total).toLocaleString()})`;
  };
  return { element, update };
}
