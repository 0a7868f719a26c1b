// @ts-check
// Owns the place search (the server's gazetteer, any language): results as you type,
// keyboard navigation, and flying to the chosen place with a pin for a few seconds.

import { geocode } from './api.js';
import { $, debounce, el, field } from './dom.js';
import { layers } from './state.js';

/** How far to zoom in on a place of each kind. @type {Record<string, number>} */
const KIND_ZOOM = { country: 4, region: 6, district: 8, city: 10 };

/**
 * @typedef {{ id: string, name: string, kind: string, country?: string, admin1?: string,
 *   matched_name?: string, confidence?: number, lat: number, lon: number, bbox?: number[] }} Place
 */

export function buildSearch() {
  const input = field('search');
  const list = $('search-results');
  const status = $('search-status');
  /** @type {Place[]} */
  let results = [];
  let seq = 0;
  let lastQuery = '';
  /** @type {AbortController | null} */
  let abort = null;
  /** @type {import('maplibre-gl').Marker | null} */
  let searchPin = null;

  const render = () => {
    list.replaceChildren(...results.map((r, i) => {
      const pct = Math.round((r.confidence || 0) * 100);
      const where = [r.admin1 && r.admin1 !== r.name ? r.admin1 : null, r.country].filter(Boolean).join(', ');
      return el('li', {}, el('button', { type: 'button', class: 'result', 'data-index': i, onclick: () => choose(r), onkeydown: (/** @type {KeyboardEvent} */ e) => move(e, i) },
        el('span', { class: 'r-main' }, el('bdi', { dir: 'auto', text: r.name }), ` — ${r.kind}, ${r.country || '?'}, ${pct}%`),
        el('span', { class: 'r-sub' }, where, r.matched_name && r.matched_name !== r.name ? el('span', {}, ' · matched ', el('bdi', { dir: 'auto', text: r.matched_name })) : null)));
    }));
    list.hidden = !results.length;
  };

  /** @param {KeyboardEvent} e @param {number} i */
  const move = (e, i) => {
    const buttons = list.querySelectorAll('button');
    if (e.key === 'ArrowDown') { e.preventDefault(); (buttons[i + 1] || buttons[0]).focus(); }
    if (e.key === 'ArrowUp') { e.preventDefault(); if (i === 0) input.focus(); else buttons[i - 1].focus(); }
    if (e.key === 'Escape') { e.preventDefault(); input.focus(); results = []; render(); }
  };

  /** @param {string} q */
  const search = async (q) => {
    q = q.trim();
    if (q === lastQuery && results.length) return;
    lastQuery = q;
    if (abort) abort.abort();
    if (q.length < 2) { results = []; render(); status.textContent = ''; return; }
    const my = ++seq;
    abort = new AbortController();
    status.textContent = 'Searching…';
    try {
      const d = await geocode(q, abort.signal);
      if (my !== seq) return;
      results = d.results || [];
      render();
      status.textContent = results.length ? `${results.length} place${results.length === 1 ? '' : 's'} found` : `No place matches “${q}”.`;
    } catch (err) {
      const e = /** @type {Error & { description?: string }} */ (err);
      if (e.name === 'AbortError') return;
      if (my !== seq) return;
      results = [];
      render();
      status.textContent = 'Search failed: ' + (e.description || e.message);
    }
  };
  const searchSoon = debounce(() => search(input.value), 300);

  /** @param {Place} r */
  const choose = (r) => {
    const map = layers.map;
    results = [];
    render();
    status.textContent = `Showing ${r.name}.`;
    if (searchPin) searchPin.remove();
    const zoom = KIND_ZOOM[r.kind] || 9;
    if (Array.isArray(r.bbox) && r.bbox.length === 4 && r.kind !== 'city') {
      const [w, so, e, n] = r.bbox;
      map.fitBounds([[w, so], [e, n]], { maxZoom: zoom + 2, padding: 20, duration: 1200 });
    } else {
      map.flyTo({ center: [r.lon, r.lat], zoom, duration: 1200 });
    }
    const pin = el('div', { class: 'search-pin' }, el('span'), el('span', { class: 'search-tip', dir: 'auto', text: r.name }));
    const placed = searchPin = new layers.lib.Marker({ element: pin }).setLngLat([r.lon, r.lat]).addTo(map);
    setTimeout(() => { placed.remove(); if (searchPin === placed) searchPin = null; }, 8000);
  };

  input.addEventListener('input', searchSoon);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && results.length) { e.preventDefault(); /** @type {HTMLElement} */ (list.querySelector('button')).focus(); }
    if (e.key === 'Escape') { results = []; render(); status.textContent = ''; }
  });
  $('search-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    searchSoon.cancel();
    const q = input.value.trim();
    if (q === lastQuery && results.length) { choose(results[0]); return; }
    await search(q);
    if (results.length === 1) choose(results[0]);
  });
}
