// @ts-check
// Owns the page's shared state: the filters shown (mirrored in location.hash), what the
// server said about itself and its data, MapLibre and the map, what is loading, and the
// window.incidentmap hook the browser test reads. Other modules change it through the
// functions here.

import { CATEGORY_LABELS } from './format.js';

/**
 * What the page shows.
 * @typedef {object} Filters
 * @property {string | null} style heat style name, or null for none
 * @property {string | null} from YYYY-MM-DD, or null for an open start
 * @property {string | null} to YYYY-MM-DD, or null for an open end
 * @property {Set<string> | null} cats the categories shown, or null for all
 */

/** @type {Filters} */
export const filters = { style: null, from: null, to: null, cats: null };

/**
 * @typedef {{ name: string, title?: string, description?: string }} Style
 * @typedef {{ basemap: { url: string, attribution: string }, vendored?: boolean, styles: Style[], writes: boolean, categories: string[] }} Config
 */

/** What the server said: its settings (config.json) and its data's extent and version. */
export const server = {
  /** @type {Config} */
  config: { basemap: { url: '', attribution: '' }, styles: [], writes: false, categories: Object.keys(CATEGORY_LABELS) },
  /** @type {string[]} */
  categories: [],
  /** @type {Style[]} */
  styles: [],
  /** @type {{ start: string, end: string } | null} the data's dates as YYYY-MM-DD, null when there is none */
  extent: null,
  /** @type {number[] | null} [west, south, east, north] */
  dataBBox: null,
  /** @type {unknown} heat tile URLs carry it, so tiles refetch after a write */
  dataVersion: null,
};

/** MapLibre (the module, loaded by libraries.js) and the map, once built (map.js). */
export const layers = {
  /** @type {import('./libraries.js').MapLibre} */
  lib: /** @type {any} */ (null),
  /** @type {import('maplibre-gl').Map} */
  map: /** @type {any} */ (null),
};

/**
 * What the browser test (scripts/ci/browser.mjs) reads of the page: `pending` is 0 when the
 * count, the markers and the tiles match the view, `loads` counts finished incident counts.
 */
export const hook = /** @type {Window['incidentmap']} */ ({
  map: null,
  lastItemsUrl: null, lastTileUrl: null, lastVectorUrl: null, count: null,
  loads: 0, pending: 0, ready: false, libraries: null, lastCreated: null,
  state: filters,
});
window.incidentmap = hook;

// What is loading: count requests in flight, one scheduled (debounced), tiles (heat or
// vector: from a change of view or sources until the map is idle).
const loading = { items: 0, itemsScheduled: false, tiles: false };

function showBusy() {
  hook.pending = loading.items + (loading.itemsScheduled ? 1 : 0) + (loading.tiles ? 1 : 0);
  /** @type {HTMLElement} */ (document.getElementById('busy')).classList.toggle('active', hook.pending > 0);
}

/** An incident request started (+1) or ended (-1). @param {number} delta */
export function itemsLoading(delta) {
  loading.items += delta;
  showBusy();
}

/** Whether an incident load is scheduled: it counts as pending, so "nothing pending" means
 * the markers match the view. @param {boolean} on */
export function itemsScheduled(on) {
  loading.itemsScheduled = on;
  showBusy();
}

/** Tiles are loading (the view or the sources changed) or not (the map is idle). @param {boolean} on */
export function tilesLoading(on) {
  loading.tiles = on;
  showBusy();
}

/** The filters as API query parameters. @returns {Record<string, string>} */
export function filterParams() {
  /** @type {Record<string, string>} */
  const p = {};
  if (filters.from || filters.to) p.datetime = `${filters.from || '..'}/${filters.to || '..'}`;
  const cats = filters.cats;
  if (cats) p.category = server.categories.filter((c) => cats.has(c)).join(',');
  return p;
}

/** Whether every category is switched off (nothing is shown). */
export const noCategories = () => filters.cats !== null && filters.cats.size === 0;

/** Whether the filters are narrowed at all. */
export const filtered = () => !!(filters.from || filters.to || filters.cats);

/** Whether an incident's properties pass the filters. @param {Record<string, any>} p */
export function matchesFilters(p) {
  const d = String(p.occurred_at || '').slice(0, 10);
  if (filters.from && d < filters.from) return false;
  if (filters.to && d > filters.to) return false;
  if (filters.cats && !filters.cats.has(p.category)) return false;
  return true;
}

/** @param {string | null} style */
export function setStyle(style) {
  filters.style = style;
}

/** Sets the dates as given (callers order and clamp them). @param {string | null} from @param {string | null} to */
export function setDateRange(from, to) {
  filters.from = from;
  filters.to = to;
}

/** @param {Set<string> | null} cats null for all */
export function setCategories(cats) {
  filters.cats = cats;
}

export function clearFilters() {
  filters.from = filters.to = null;
  filters.cats = null;
}

/** The category names in the server's order, those of `cats` only. @param {Set<string>} cats */
export const orderedCategories = (cats) => server.categories.filter((c) => cats.has(c));
