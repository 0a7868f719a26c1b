// @ts-check
// Owns the small DOM helpers: element lookup, building elements (createElement/textContent,
// never HTML strings), debouncing and the toast.

/**
 * The element with this id (the page's markup has every id the scripts use).
 * @param {string} id
 * @returns {HTMLElement}
 */
export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * A form field by id: an <input>, <select> or <textarea> (typed as an input: all three have
 * `value`, `disabled` and `focus`).
 * @param {string} id
 * @returns {HTMLInputElement}
 */
export const field = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));

/**
 * @template {(...args: any[]) => void} F
 * @typedef {F & { cancel: () => void }} Debounced
 */

/**
 * Calls `fn` once calls have paused for `ms`; `.cancel()` drops a pending call.
 * @template {(...args: any[]) => void} F
 * @param {F} fn
 * @param {number} ms
 * @returns {Debounced<F>}
 */
export function debounce(fn, ms) {
  let t = 0;
  const d = /** @type {Debounced<F>} */ ((...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); });
  d.cancel = () => clearTimeout(t);
  return d;
}

/** @typedef {Node | string | number | null | undefined | false} Leaf */
/** @typedef {Leaf | Leaf[]} Child an element's child, or a list of them (flattened once) */

/**
 * Builds an element. `attrs`: `class`, `text` (textContent), `style` (through the CSSOM: the
 * page's CSP forbids style attributes, not style properties), `on<event>` listeners; any
 * other key is an attribute (`true` sets it empty; null, undefined and false leave it out).
 * @param {string} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElement}
 */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'style') e.style.cssText = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of /** @type {Child[]} */ (children).flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

let toastTimer = 0;

/**
 * Shows a short message at the bottom of the page, with an optional action button.
 * @param {string} message
 * @param {{ label: string, run: () => void }} [action]
 */
export function toast(message, action) {
  const t = $('toast');
  t.replaceChildren(el('span', { text: message }));
  if (action) t.append(el('button', { type: 'button', class: 'link-button', text: action.label, onclick: () => { t.classList.remove('show'); action.run(); } }));
  t.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.remove('show'), action ? 9000 : 4500);
}
