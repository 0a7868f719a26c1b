// @ts-check
// Owns the offline base map's place names: the countries and towns the server chose for the
// zoom (GET basemap/labels: most important first, none overlapping at that zoom), in the
// language picked, as DOM labels. They show when the online base map is not (switched off,
// unreachable or not configured), since its own tiles carry names.
//
// DOM rather than WebGL symbols for the same reason as the markers: MapLibre's text needs
// glyph files, which a map without internet does not have; the browser's fonts cover every
// script.

import { getJSON, query } from './api.js';
import { $, debounce, el, field } from './dom.js';
import { viewBBox } from './map.js';
import { hook, layers } from './state.js';

/** The languages the server sizes labels for (gazetteer::LABEL_LANGUAGES). */
export const LABEL_LANGUAGES = { en: 'English', ar: 'العربية', ru: 'Русский', kk: 'Қазақша' };
/** Half a town's dot, px: the label's anchor point is the dot's centre. */
const DOT_RADIUS = 3;

/** @type {Map<string, import('maplibre-gl').Marker>} place id + language → its label */
const shown = new Map();
let seq = 0;
let onlineShown = false;
let built = false;

/** Where a name stands beside its dot → MapLibre's anchor for the element and the offset that
 * puts the dot's centre on the place. */
const ANCHORS = /** @type {const} */ ({
  right: { anchor: 'left', offset: [-DOT_RADIUS, 0] },
  left: { anchor: 'right', offset: [DOT_RADIUS, 0] },
  above: { anchor: 'bottom', offset: [0, DOT_RADIUS] },
  below: { anchor: 'top', offset: [0, -DOT_RADIUS] },
  center: { anchor: 'center', offset: [0, 0] },
});

/** The language the page's reader most likely reads, among those offered. */
function defaultLanguage() {
  for (const l of navigator.languages || [navigator.language]) {
    const code = String(l || '').slice(0, 2).toLowerCase();
    if (code in LABEL_LANGUAGES) return code;
  }
  return 'en';
}

/** Builds the language picker and loads names whenever the view or the choice changes. */
export function buildLabels() {
  const select = field('label-lang');
  for (const [code, name] of Object.entries(LABEL_LANGUAGES)) {
    select.append(el('option', { value: code, lang: code, text: name }));
  }
  select.value = defaultLanguage();
  const reload = () => loadLabels();
  select.addEventListener('change', reload);
  field('show-labels').addEventListener('change', reload);
  layers.map.on('moveend', debounce(reload, 150));
  built = true;
  reload();
}

/** The online base map is showing (true) or not: names show only when it is not.
 * @param {boolean} on */
export function onlineBasemapShown(on) {
  if (on === onlineShown) return;
  onlineShown = on;
  if (built) loadLabels();
}

async function loadLabels() {
  const map = layers.map;
  const my = ++seq;
  if (onlineShown || !field('show-labels').checked) { draw([], ''); return; }
  const lang = field('label-lang').value || 'en';
  try {
    // MapLibre's zoom z shows the world as 256-px tiles show it at z + 1, the server's zooms.
    const fc = await getJSON('basemap/labels?' + query({ zoom: Math.floor(map.getZoom()) + 1, bbox: viewBBox(), lang }));
    if (my === seq) draw(fc.features || [], lang);
  } catch (e) {
    console.warn('place names:', /** @type {Error} */ (e).message);
  }
}

/** @param {any[]} features @param {string} lang */
function draw(features, lang) {
  const map = layers.map;
  const want = new Set();
  for (const f of features) {
    const p = f.properties || {};
    const key = `${f.id}:${lang}:${p.anchor}`;
    want.add(key);
    if (shown.has(key)) continue;
    const side = ANCHORS[/** @type {keyof typeof ANCHORS} */ (p.anchor)] || ANCHORS.right;
    const country = p.kind === 'country';
    const node = el('div', { class: `place-label ${country ? 'country' : 'town'} name-${p.anchor}`, 'aria-hidden': 'true' },
      country ? null : el('span', { class: 'dot' }),
      el('span', { class: 'name', dir: 'auto', lang: p.lang || 'en', text: p.name }));
    const marker = new layers.lib.Marker({ element: node, anchor: side.anchor, offset: [...side.offset] })
      .setLngLat(f.geometry.coordinates)
      .addTo(map);
    // Under every incident marker and popup: first among the elements over the canvas.
    map.getCanvasContainer().insertBefore(node, map.getCanvas().nextSibling);
    shown.set(key, marker);
  }
  for (const [key, marker] of shown) {
    if (!want.has(key)) { marker.remove(); shown.delete(key); }
  }
  hook.labels = features.map((f) => String((f.properties || {}).name));
  $('labels-row').classList.toggle('muted', onlineShown);
}
