// @ts-check
// Owns the side panel: hiding and showing it (closed at first on a narrow screen).

import { $ } from './dom.js';
import { layers } from './state.js';

export function buildPanelToggle() {
  const btn = $('panel-toggle');
  /** @param {boolean} open */
  const set = (open) => {
    document.body.classList.toggle('panel-closed', !open);
    btn.setAttribute('aria-expanded', String(open));
    btn.title = open ? 'Hide the panel' : 'Show the panel';
    /** @type {Element} */ (btn.firstElementChild).textContent = open ? '‹' : '›';
    // The map follows its container's size itself; this settles it after the transition.
    setTimeout(() => layers.map.resize(), 260);
  };
  btn.addEventListener('click', () => set(document.body.classList.contains('panel-closed')));
  if (window.matchMedia('(max-width: 720px)').matches) set(false);
}

/** Opens the panel if it is closed. */
export function openPanel() {
  if (document.body.classList.contains('panel-closed')) $('panel-toggle').click();
}
