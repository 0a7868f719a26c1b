// @ts-check
// Owns the incidents on the map, drawn from the server's vector tiles: one DOM marker per
// point and per cluster of the tiles in view (category rings, counts, keyboard focus), what
// a click on them does, the count of incidents in view, and showing one incident.
//
// The server clusters (its counts add up to the items' numberMatched at every zoom); the page
// only draws what the tiles hold. Markers are DOM elements rather than WebGL symbols: text
// needs glyph files a map without internet does not have, and elements can be focused and
// read by a screen reader.

import { getFeature, getItems, itemsUrl } from './api.js';
import { $, debounce, el } from './dom.js';
import { catColor, catLabel } from './format.js';
import { viewBBox } from './map.js';
import { closePopup, openIncident, openList } from './popup.js';
import { filterParams, filtered, hook, itemsLoading, itemsScheduled, layers, noCategories, server } from './state.js';

/** @typedef {import('./api.js').Feature} Feature */
/** @typedef {import('maplibre-gl').GeoJSONFeature} TileFeature */

/** @type {Map<string, import('maplibre-gl').Marker>} key → its marker (points `p:<id>`, clusters by place and count) */
const shown = new Map();
let visible = true;
/** @type {AbortController | null} */
let countAbort = null;
let countSeq = 0;

/** Draws the markers whenever tiles arrive or the map comes to rest. */
export function buildMarkers() {
  const map = layers.map;
  let frame = 0;
  const drawSoon = () => {
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; drawMarkers(); });
  };
  map.on('sourcedata', (e) => { if (e.sourceId === 'incidents' && e.tile) drawSoon(); });
  map.on('idle', drawMarkers);
}

/** Shows or hides the incident markers (the Layers card's switch). @param {boolean} on */
export function showMarkers(on) {
  visible = on;
  drawMarkers();
}

/** Replaces the markers with those of the loaded vector tiles; unchanged ones stay. */
function drawMarkers() {
  const map = layers.map;
  // The discs under area-level incidents go with their markers.
  if (map.getLayer('areas')) map.setLayoutProperty('areas', 'visibility', visible && !noCategories() ? 'visible' : 'none');
  /** @type {Map<string, () => HTMLElement>} */
  const want = new Map();
  /** @type {Map<string, [number, number]>} */
  const where = new Map();
  if (visible && !noCategories() && map.getSource('incidents')) {
    for (const layer of ['incidents', 'clusters']) {
      for (const f of map.querySourceFeatures('incidents', { sourceLayer: layer })) {
        if (f.geometry.type !== 'Point') continue;
        const at = /** @type {[number, number]} */ (f.geometry.coordinates.slice(0, 2));
        const p = f.properties || {};
        // The same feature comes from every tile that shows it (overzoomed tiles share one).
        const key = layer === 'incidents' ? `p:${p.id}:${JSON.stringify(p)}` : `c:${at[0].toFixed(6)},${at[1].toFixed(6)}:${JSON.stringify(p)}`;
        if (want.has(key)) continue;
        want.set(key, layer === 'incidents' ? () => pointElement(f, at) : () => clusterElement(p, at));
        where.set(key, at);
      }
    }
  }
  for (const [key, marker] of shown) {
    if (!want.has(key)) { marker.remove(); shown.delete(key); }
  }
  for (const [key, make] of want) {
    if (shown.has(key)) continue;
    const marker = new layers.lib.Marker({ element: make() }).setLngLat(/** @type {[number, number]} */ (where.get(key))).addTo(map);
    shown.set(key, marker);
  }
  hook.drawn = shown.size;
}

/**
 * A point of the `incidents` layer: a dot in its category's colour; a click opens its popup.
 * @param {TileFeature} f
 * @param {[number, number]} at
 */
function pointElement(f, at) {
  const p = f.properties || {};
  const id = String(p.id);
  const title = `${catLabel(p.category)}, ${p.occurred_at || 'undated'}${p.place ? ', ' + p.place : ''}`;
  // The colour goes in through the CSSOM, which the page's CSP allows, not a style
  // attribute in markup, which it forbids.
  const dot = el('span', {});
  dot.style.setProperty('--c', catColor(p.category));
  const node = el('div', {
    class: `incident-marker prec-${p.precision || 'exact'}`, role: 'button', tabindex: '0',
    title, 'aria-label': title, 'data-id': id, 'data-category': p.category || '',
  }, dot);
  /** @type {Feature} */
  const feature = { type: 'Feature', id, geometry: { type: 'Point', coordinates: at }, properties: { ...p } };
  activate(node, () => openIncident(feature));
  return node;
}

/**
 * A cluster of the `clusters` layer: a ring of its categories' shares around its count. A
 * click zooms to where it breaks apart, or lists its incidents when they share one spot.
 * @param {Record<string, any>} p
 * @param {[number, number]} at
 */
function clusterElement(p, at) {
  const n = Number(p.count) || 0;
  let acc = 0;
  const stops = [];
  const parts = [];
  for (const cat of server.categories) {
    const k = Number(p[cat]) || 0;
    if (!k) continue;
    const a = (acc / n) * 360;
    acc += k;
    stops.push(`${catColor(cat)} ${a.toFixed(1)}deg ${((acc / n) * 360).toFixed(1)}deg`);
    parts.push(`${k} ${catLabel(cat).toLowerCase()}`);
  }
  const size = Math.round(28 + Math.min(24, Math.log2(Math.max(1, n)) * 4));
  const ring = el('div', { class: 'ring', 'data-count': String(n) });
  ring.style.setProperty('--ring', `conic-gradient(${stops.join(',')})`);
  const zoom = p.expansion_zoom;
  const label = `${n} incidents (${parts.join(', ')})${zoom != null ? `: zoom in to part them` : ': at one spot, list them'}`;
  const node = el('div', {
    class: 'incident-cluster', role: 'button', tabindex: '0', title: label, 'aria-label': label,
    'data-count': String(n), 'data-expansion-zoom': zoom != null ? String(zoom) : null,
  }, ring, el('span', { class: 'n', text: n.toLocaleString('en') }));
  node.style.setProperty('width', `${size}px`);
  node.style.setProperty('height', `${size}px`);
  activate(node, () => {
    const map = layers.map;
    if (zoom != null) map.easeTo({ center: at, zoom: Math.max(Number(zoom), map.getZoom() + 0.5), duration: 400 });
    else listCluster(at, n);
  });
  return node;
}

/** Runs `fn` on a click (not passed on to the map, which would take it for a click on the
 * map) or Enter or Space. @param {HTMLElement} node @param {() => void} fn */
function activate(node, fn) {
  node.addEventListener('click', (e) => { e.stopPropagation(); fn(); });
  node.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); fn(); }
  });
}

/** The incidents of a cluster whose members share one spot, listed in a popup.
 * @param {[number, number]} at @param {number} n */
async function listCluster(at, n) {
  // Members of such a cluster lie within centimetres of its centre; the box allows for the
  // tile's coordinate grid.
  const d = 0.0005;
  const bbox = [at[0] - d, at[1] - d, at[0] + d, at[1] + d].map((v) => v.toFixed(6)).join(',');
  try {
    const fc = await getItems(itemsUrl(Object.assign({ bbox, limit: Math.min(Math.max(n, 1), 500) }, filterParams())), new AbortController().signal);
    openList(at, fc.features || [], fc.numberMatched);
  } catch (e) {
    const err = /** @type {Error & { description?: string }} */ (e);
    openList(at, [], 0, 'Could not list the incidents: ' + (err.description || err.message));
  }
}

const loadCountLater = debounce(() => refreshIncidents(), 250);
/** Refreshes the count soon (the view is still moving); pending meanwhile. */
export function refreshIncidentsSoon() { itemsScheduled(true); loadCountLater(); }

/** Counts the incidents in view that pass the filters (the tiles follow the sources, map.js),
 * replacing an unfinished count. */
export async function refreshIncidents() {
  loadCountLater.cancel();
  itemsScheduled(false);
  if (countAbort) countAbort.abort();
  const seq = ++countSeq;
  drawMarkers();
  if (noCategories()) {
    setCount(0);
    hook.loads++;
    return;
  }
  const url = itemsUrl(Object.assign({ bbox: viewBBox(), limit: 1 }, filterParams()));
  hook.lastItemsUrl = url;
  const ctrl = countAbort = new AbortController();
  itemsLoading(1);
  try {
    const fc = await getItems(url, ctrl.signal);
    if (seq !== countSeq) return;
    setCount(fc.numberMatched);
    hook.loads++;
  } catch (e) {
    const err = /** @type {Error & { description?: string }} */ (e);
    if (err.name === 'AbortError') return;
    console.warn('items:', err.message);
    $('count').textContent = 'Could not count incidents: ' + (err.description || err.message);
  } finally {
    itemsLoading(-1);
    if (countAbort === ctrl) countAbort = null;
  }
}

/** @param {number} matched */
function setCount(matched) {
  hook.count = matched;
  const n = Number(matched).toLocaleString('en');
  let text = `${n} incident${matched === 1 ? '' : 's'} in view`;
  if (filtered()) text += ' (filtered)';
  $('count').textContent = text;
  const badge = document.querySelector('.count-badge');
  if (badge) badge.textContent = text;
}

/**
 * Shows an incident: flies to it (close enough for its point to stand alone, unless it shares
 * its spot with others) and opens its popup.
 * @param {string} id
 * @param {Feature} [feature] the incident, when the caller has it
 */
export function showIncident(id, feature) {
  const map = layers.map;
  const open = (/** @type {Feature} */ f) => {
    closePopup();
    const [lon, lat] = f.geometry.coordinates;
    map.once('moveend', () => openIncident(f));
    map.flyTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 12), duration: 800 });
  };
  if (feature && feature.geometry) { open(feature); return; }
  getFeature(id).then(({ feature: f }) => open(f))
    .catch((e) => console.warn('show incident:', /** @type {Error} */ (e).message));
}
