// Building the page from data: every text goes in as a text node, never as HTML, so nothing the API
// returns (a tenant name, an error message, a row value) can become markup or script.

const SVG_NS = 'http://www.w3.org/2000/svg';
// Boolean states set as properties (an attribute would only set the initial state).
const PROPERTIES = new Set(['checked', 'selected', 'disabled', 'multiple', 'required', 'indeterminate']);

function apply(element, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      element.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else if (key === 'text') {
      element.textContent = String(value);
    } else if (key === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (key === 'value' && 'value' in element) {
      element.value = value;
    } else if (PROPERTIES.has(key) && key in element) {
      element[key] = Boolean(value);
    } else {
      element.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** An HTML element: `h('button', {class: 'primary', onClick}, 'Save')`. */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  apply(element, props);
  append(element, children);
  return element;
}

/** An SVG element (charts). */
export function svg(tag, props, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  apply(element, props);
  append(element, children);
  return element;
}

/** Replaces what `element` holds. */
export function mount(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

let lastId = 0;
/** A page-unique id, to tie a label or a description to its control. */
export function uid(prefix = 'f') {
  lastId += 1;
  return `${prefix}-${lastId}`;
}

/** "3 min ago", "in 2 h": how far `date` is from now. */
export function ago(value) {
  if (!value) return '—';
  const seconds = Math.round((Date.now() - new Date(value).getTime()) / 1000);
  const past = seconds >= 0;
  const s = Math.abs(seconds);
  const text = s < 60 ? `${s} s` : s < 3600 ? `${Math.round(s / 60)} min` : s < 86400 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} d`;
  return past ? `${text} ago` : `in ${text}`;
}

/** A date and time as the browser's locale writes it. */
export function when(value) {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

/** 1234567 → "1.2 MB". */
export function bytes(count) {
  const n = Number(count) || 0;
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** 1234567 → "1,234,567". */
export function number(value) {
  return Number(value || 0).toLocaleString();
}
