// Tabs as links: each tab is a page of its own (so it has an address, and Back works).

import { h } from '../core/dom.js';

/** tabs: [{ label, href }]; `current` is the href shown. */
export function tabNav(tabs, current, label = 'Sections') {
  return h('nav', { class: 'tabs', 'aria-label': label },
    h('ul', {}, tabs.map((tab) => h('li', {},
      h('a', { href: '#' + tab.href, 'aria-current': tab.href === current ? 'page' : null }, tab.label)))));
}
