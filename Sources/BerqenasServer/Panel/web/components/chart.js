// Line and bar charts drawn as SVG: axes with a few round ticks, and each point's value on hover or focus
// (the chart is one tab stop whose arrow keys move between points, and its label sums it up for screen readers).

import { h, svg } from '../core/dom.js';

const WIDTH = 600;
const HEIGHT = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };

/** A round step so that about four ticks span 0…max. */
function ticks(max) {
  if (max <= 0) return [0, 1];
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  const values = [];
  for (let v = 0; v <= max + step / 2; v += step) values.push(v);
  if (values[values.length - 1] < max) values.push(values[values.length - 1] + step);
  return values;
}

function short(value) {
  if (value >= 1e6) return `${+(value / 1e6).toFixed(1)}M`;
  if (value >= 1e3) return `${+(value / 1e3).toFixed(1)}k`;
  return String(value);
}

/**
 * points: [{ label: '14:00', value: 12 }]. kind: 'line' or 'bar'. Answers a <figure> with the chart and a
 * tooltip line showing the point under the pointer or focus.
 */
export function chart({ title, points, kind = 'line', unit = '' }) {
  const values = points.map((p) => Number(p.value) || 0);
  const scale = ticks(Math.max(...values, 0));
  const top = scale[scale.length - 1] || 1;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = plotWidth / Math.max(points.length, 1);
  const x = (i) => PAD.left + step * i + step / 2;
  const y = (v) => PAD.top + plotHeight - (v / top) * plotHeight;
  const readout = h('p', { class: 'chart-readout', 'aria-live': 'polite' }, 'Point at a value to read it.');
  const total = values.reduce((a, b) => a + b, 0);
  const peak = Math.max(...values, 0);

  const grid = scale.map((v) => svg('g', { class: 'tick' },
    svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v) }),
    svg('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, short(v))));
  // Every fourth hour, counted back from the last, so that the newest is always named.
  const labels = points.map((p, i) => ((points.length - 1 - i) % 4 === 0)
    ? svg('text', { class: 'axis-label', x: x(i), y: HEIGHT - 8, 'text-anchor': 'middle' }, p.label) : null);

  const marks = points.map((p, i) => {
    const value = values[i];
    const describe = `${p.label}: ${value.toLocaleString()}${unit ? ' ' + unit : ''}`;
    const show = () => { readout.textContent = describe; };
    const shape = kind === 'bar'
      ? svg('rect', { class: 'bar', x: x(i) - step * 0.35, width: step * 0.7, y: y(value), height: Math.max(0, y(0) - y(value)) })
      : svg('circle', { class: 'dot', cx: x(i), cy: y(value), r: 4 });
    // One tab stop for the chart (the newest point); the arrow keys move between points.
    return svg('g', { class: 'mark', tabindex: i === points.length - 1 ? '0' : '-1', role: 'img', 'aria-label': describe, onMouseenter: show, onFocus: show },
      svg('title', {}, describe), shape);
  });
  const line = kind === 'line' && points.length > 1
    ? svg('polyline', { class: 'line', points: points.map((_, i) => `${x(i)},${y(values[i])}`).join(' ') })
    : null;

  const summary = `${title}: ${points.length} points, total ${total.toLocaleString()}, highest ${peak.toLocaleString()}`;
  const picture = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: ['chart', kind], role: 'group', 'aria-label': summary },
    svg('g', { class: 'grid' }, grid),
    svg('line', { class: 'axis', x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: y(0) }),
    svg('line', { class: 'axis', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(0), y2: y(0) }),
    line, marks, labels);
  picture.addEventListener('keydown', (event) => {
    const step = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity }[event.key];
    const at = marks.indexOf(document.activeElement);
    if (step === undefined || at < 0) return;
    event.preventDefault();
    const next = marks[Math.max(0, Math.min(marks.length - 1, at + step))];
    marks[at].setAttribute('tabindex', '-1');
    next.setAttribute('tabindex', '0');
    next.focus();
  });
  return h('figure', { class: 'chart-figure' }, h('figcaption', {}, title), picture, readout);
}
