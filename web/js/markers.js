// @ts-check
// Owns the incident markers: loading the incidents in view, one marker each (grouped in
// clusters drawn as category pies), the incident count, and showing one incident.

import { getItems, itemsUrl } from './api.js';
import { $, debounce, el } from './dom.js';
import { catColor, catLabel } from './format.js';
import { viewBBox } from './map.js';
import { freshen, popupContent } from './popup.js';
import { filterParams, filtered, hook, itemsLoading, itemsScheduled, layers, noCategories, server } from './state.js';

/**
 * A marker of one incident.
 * @typedef {L.Marker & { feature: import('./api.js').Feature, incidentId: string, etag?: string | null }} IncidentMarker
 */

/** @type {Map<string, { marker: IncidentMarker, key: string }>} id → its marker and what it was drawn from */
const shown = new Map();
/** @type {AbortController | null} */
let itemsAbort = null;
let itemsSeq = 0;

/** Creates the cluster group and adds it to the map. */
export function buildMarkers() {
  const markers = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 48,
    spiderfyOnMaxZoom: true,
    chunkedLoading: true,
    iconCreateFunction: clusterIcon,
  });
  layers.markers = markers;
  hook.markers = markers;
  markers.addTo(layers.map);
}

const loadItemsLater = debounce(() => loadItems(), 250);
/** Loads the incidents soon (the view is still moving); pending meanwhile. */
export function loadItemsSoon() { itemsScheduled(true); loadItemsLater(); }
function cancelLoadItemsSoon() { loadItemsLater.cancel(); itemsScheduled(false); }

/** Loads the incidents in view that pass the filters, replacing an unfinished load. */
export async function loadItems() {
  cancelLoadItemsSoon();
  if (itemsAbort) itemsAbort.abort();
  const seq = ++itemsSeq;
  if (noCategories()) {
    layers.markers.clearLayers();
    shown.clear();
    setCount(0, 0);
    hook.loads++;
    return;
  }
  const url = itemsUrl(Object.assign({ bbox: viewBBox(), limit: 2000 }, filterParams()));
  hook.lastItemsUrl = url;
  const ctrl = itemsAbort = new AbortController();
  itemsLoading(1);
  try {
    const fc = await getItems(url, ctrl.signal);
    if (seq !== itemsSeq) return;
    showFeatures(fc.features || []);
    setCount(fc.numberMatched, fc.numberReturned);
    hook.loads++;
  } catch (e) {
    const err = /** @type {Error & { description?: string }} */ (e);
    if (err.name === 'AbortError') return;
    console.warn('items:', err.message);
    $('count').textContent = 'Could not load incidents: ' + (err.description || err.message);
  } finally {
    itemsLoading(-1);
    if (itemsAbort === ctrl) itemsAbort = null;
  }
}

/** @param {number} matched @param {number} returned */
function setCount(matched, returned) {
  hook.count = matched;
  const n = Number(matched).toLocaleString('en');
  let text = `${n} incident${matched === 1 ? '' : 's'} in view`;
  if (filtered()) text += ' (filtered)';
  if (returned < matched) text += ` — showing ${returned.toLocaleString('en')}`;
  $('count').textContent = text;
  const badge = document.querySelector('.count-badge');
  if (badge) badge.textContent = text;
}

/** Updates the markers to these features: unchanged ones stay. @param {import('./api.js').Feature[]} features */
function showFeatures(features) {
  const centerLng = layers.map.getCenter().lng;
  const seen = new Set();
  /** @type {IncidentMarker[]} */
  const add = [];
  /** @type {IncidentMarker[]} */
  const remove = [];
  for (const f of features) {
    if (!f.geometry || f.geometry.type !== 'Point') continue;
    const id = String(f.id != null ? f.id : f.properties.id);
    const [lon, lat] = f.geometry.coordinates;
    // Draw the copy of the world the view is looking at.
    const lng = lon + 360 * Math.round((centerLng - lon) / 360);
    const key = JSON.stringify(f) + '@' + (lng - lon);
    seen.add(id);
    const old = shown.get(id);
    if (old && old.key === key) continue;
    if (old) remove.push(old.marker);
    const m = makeMarker(f, id, L.latLng(lat, lng));
    shown.set(id, { marker: m, key });
    add.push(m);
  }
  for (const [id, v] of shown) {
    if (!seen.has(id)) { remove.push(v.marker); shown.delete(id); }
  }
  if (remove.length) layers.markers.removeLayers(remove);
  if (add.length) layers.markers.addLayers(add);
}

/**
 * @param {import('./api.js').Feature} f
 * @param {string} id
 * @param {L.LatLng} latlng
 * @returns {IncidentMarker}
 */
function makeMarker(f, id, latlng) {
  const p = f.properties || {};
  const prec = p.precision || 'exact';
  // The colour goes in through the CSSOM, which the page's CSP allows, not a style
  // attribute in markup, which it forbids.
  const dot = el('span', {});
  dot.style.setProperty('--c', catColor(p.category));
  const icon = L.divIcon({
    className: `incident-marker prec-${prec}`,
    html: dot,
    iconSize: [18, 18],
    iconAnchor: [9, 9],
    popupAnchor: [0, -8],
  });
  const title = `${catLabel(p.category)}, ${p.occurred_at || 'undated'}${p.place ? ', ' + p.place : ''}`;
  const m = /** @type {IncidentMarker} */ (L.marker(latlng, { icon, title, alt: title, keyboard: true, riseOnHover: true }));
  m.feature = f;
  m.incidentId = id;
  m.on('add', () => {
    const e = m.getElement();
    if (e) { e.dataset.id = id; e.dataset.category = p.category || ''; e.setAttribute('role', 'button'); e.setAttribute('aria-label', title); }
  });
  m.bindPopup(() => popupContent(m), { maxWidth: 360, minWidth: 260, className: 'incident-popup', autoPanPadding: [40, 40] });
  m.on('popupopen', () => freshen(m));
  return m;
}

/** A cluster's icon: a ring of its categories' shares around the count. @param {import('leaflet').MarkerCluster} cluster */
function clusterIcon(cluster) {
  const children = /** @type {IncidentMarker[]} */ (cluster.getAllChildMarkers());
  const n = children.length;
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const c of children) {
    const cat = (c.feature && c.feature.properties.category) || 'other';
    counts.set(cat, (counts.get(cat) || 0) + 1);
  }
  let acc = 0;
  const stops = [];
  const categories = server.categories;
  for (const cat of categories.concat([...counts.keys()].filter((k) => !categories.includes(k)))) {
    const k = counts.get(cat);
    if (!k) continue;
    const a = (acc / n) * 360;
    acc += k;
    const b = (acc / n) * 360;
    stops.push(`${catColor(cat)} ${a.toFixed(1)}deg ${b.toFixed(1)}deg`);
  }
  const size = Math.round(28 + Math.min(24, Math.log2(n) * 4));
  const ring = el('div', { class: 'ring', 'data-count': String(n) });
  ring.style.setProperty('--ring', `conic-gradient(${stops.join(',')})`);
  return L.divIcon({
    className: 'incident-cluster',
    // One element (Leaflet appends it); `display: contents` keeps the ring and the count
    // laid out as direct children of the icon.
    html: el('div', { class: 'cluster-body' }, ring, el('span', { class: 'n', text: String(n) })),
    iconSize: [size, size],
  });
}

/**
 * Opens an incident's popup, zooming into its cluster; when it is not loaded yet (`feature`
 * given), flies to it first.
 * @param {string} id
 * @param {import('./api.js').Feature} [feature]
 */
export function showIncident(id, feature) {
  const { map, markers } = layers;
  const find = () => (shown.get(id) || { marker: null }).marker;
  const m = find();
  if (m) { markers.zoomToShowLayer(m, () => m.openPopup()); return; }
  if (feature && feature.geometry) {
    const [lon, lat] = feature.geometry.coordinates;
    map.once('moveend', () => setTimeout(() => {
      const again = find();
      if (again) markers.zoomToShowLayer(again, () => again.openPopup());
    }, 600));
    map.flyTo([lat, lon], Math.max(map.getZoom(), 8));
  }
}
