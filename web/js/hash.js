// @ts-check
// Owns location.hash: the view and the filters, written as they change so a view can be
// shared, and read at start and when the user edits the address.

import { enc } from './api.js';
import { filters, layers, orderedCategories, server } from './state.js';

let lastHash = '';

/** Writes the map's view and the filters into the address (replacing, not adding, history). */
export function writeHash() {
  const map = layers.map;
  if (!map) return;
  const c = map.getCenter();
  const z = map.getZoom();
  const d = Math.max(2, Math.ceil(z * Math.LN2 / Math.LN10));
  const p = [`map=${z}/${c.lat.toFixed(d)}/${c.lng.toFixed(d)}`];
  if (filters.style) p.push(`style=${enc(filters.style)}`);
  if (filters.from) p.push(`from=${filters.from}`);
  if (filters.to) p.push(`to=${filters.to}`);
  if (filters.cats) p.push(`cat=${enc(orderedCategories(filters.cats).join(','))}`);
  const hash = '#' + p.join('&');
  if (hash !== location.hash) history.replaceState(null, '', hash);
  lastHash = hash;
}

/** Whether the address holds what writeHash last wrote (the change is the page's own). */
export const hashIsOurs = () => location.hash === lastHash;

/**
 * @typedef {object} HashState
 * @property {{ zoom: number, center: [number, number] }} [view]
 * @property {string | null} [style]
 * @property {string | null} from
 * @property {string | null} to
 * @property {Set<string> | null} cats
 */

/** @returns {HashState} */
export function readHash() {
  const h = new URLSearchParams(location.hash.replace(/^#/, ''));
  /** @param {string | null} v */
  const date = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || '') ? v : null);
  /** @type {HashState} */
  const out = { from: date(h.get('from')), to: date(h.get('to')), cats: null };
  const m = /^(\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(h.get('map') || '');
  if (m) out.view = { zoom: Number(m[1]), center: [Number(m[2]), Number(m[3])] };
  if (h.has('style')) out.style = h.get('style');
  const cat = h.get('cat');
  if (cat !== null) out.cats = new Set(cat.split(',').filter((c) => server.categories.includes(c)));
  return out;
}

/** Takes the filters from the address (a style the server lacks is ignored). @param {HashState} h */
export function applyHashState(h) {
  if (h.style && server.styles.some((s) => s.name === h.style)) filters.style = h.style;
  filters.from = h.from;
  filters.to = h.to;
  if (filters.from && filters.to && filters.from > filters.to) [filters.from, filters.to] = [filters.to, filters.from];
  filters.cats = h.cats && h.cats.size === server.categories.length ? null : h.cats;
}
