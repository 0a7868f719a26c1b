// @ts-check
// Owns the areas on the map, from this server (so they show with no internet): land and
// country borders from /collections/countries, region borders from /collections/regions for
// the view, and the choropleth of incidents per region (/collections/incidents/aggregate for
// the current filters).

import { absolute, getJSON, query } from './api.js';
import { debounce } from './dom.js';
import { viewBBox } from './map.js';
import { filterParams, hook, layers, noCategories } from './state.js';

/** Region borders from this zoom on (below it they would be a tangle). */
const REGION_MIN_ZOOM = 3;
/** The choropleth's ramp: events per region → colour. */
const RAMP = [1, '#fde8c8', 5, '#f9b36b', 20, '#e8663a', 100, '#b3202f'];

let choropleth = false;
let seq = 0;
/** @type {Record<string, number>} events per region code for the current filters */
let counts = {};

/** The sources and layers, in drawing order, for the map's style (map.js puts them in). */
export function areaSources() {
  /** @type {import('maplibre-gl').StyleSpecification['sources']} */
  const sources = {
    // Every country, simplified for a small-scale map: light enough to load at once.
    countries: { type: 'geojson', data: absolute('collections/countries/items?' + query({ limit: 1000, zoom: 4 })) },
    regions: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
  };
  return sources;
}

/** @returns {{ below: import('maplibre-gl').LayerSpecification[], above: import('maplibre-gl').LayerSpecification[] }} */
export function areaLayers() {
  return {
    // Under the base map (which covers them when it loads) and the heat.
    below: [
      { id: 'land', type: 'fill', source: 'countries', paint: { 'fill-color': '#f6f5f0' } },
    ],
    // Over the heat: borders to read it by, the choropleth under them.
    above: [
      {
        id: 'choropleth', type: 'fill', source: 'regions', layout: { visibility: 'none' },
        paint: { 'fill-color': '#000', 'fill-opacity': 0.55 },
      },
      {
        id: 'region-borders', type: 'line', source: 'regions', minzoom: REGION_MIN_ZOOM,
        paint: { 'line-color': 'rgba(90, 90, 110, 0.55)', 'line-width': 0.8, 'line-dasharray': [3, 2] },
      },
      {
        id: 'country-borders', type: 'line', source: 'countries',
        paint: { 'line-color': 'rgba(70, 70, 90, 0.8)', 'line-width': ['interpolate', ['linear'], ['zoom'], 2, 0.6, 8, 1.6] },
      },
    ],
  };
}

/** Loads the regions in view and the counts when the view or the filters change. */
export function buildAreas() {
  const map = layers.map;
  const soon = debounce(() => loadRegions(), 300);
  map.on('moveend', soon);
  loadRegions();
}

/** Shows the choropleth of incidents per region or not. @param {boolean} on */
export function showChoropleth(on) {
  choropleth = on;
  layers.map.setLayoutProperty('choropleth', 'visibility', on ? 'visible' : 'none');
  if (on) loadCounts();
}

/** The filters changed: the choropleth's counts follow. */
export function areasFiltersChanged() {
  if (choropleth) loadCounts();
}

/** The regions in view, simplified for the zoom. */
async function loadRegions() {
  const map = layers.map;
  const source = /** @type {import('maplibre-gl').GeoJSONSource | undefined} */ (map.getSource('regions'));
  if (!source) return;
  const z = Math.floor(map.getZoom());
  if (z < REGION_MIN_ZOOM && !choropleth) return;
  const my = ++seq;
  try {
    const fc = await getJSON('collections/regions/items?' + query({ bbox: viewBBox(), zoom: Math.min(12, z + 1), limit: 1000 }));
    if (my !== seq) return;
    source.setData(fc);
    hook.regions = (fc.features || []).length;
  } catch (e) {
    console.warn('regions:', /** @type {Error} */ (e).message);
  }
}

/** Events per region for the current filters, painted as the choropleth's colours. */
async function loadCounts() {
  const map = layers.map;
  if (noCategories()) { counts = {}; paint(); return; }
  try {
    const doc = await getJSON('collections/incidents/aggregate?' + query(Object.assign({ groupby: 'region' }, filterParams())));
    counts = {};
    for (const g of doc.groups || []) if (g.admin1_code) counts[g.admin1_code] = g.events;
    hook.regionCounts = counts;
    if (map.getLayer('choropleth')) paint();
  } catch (e) {
    console.warn('counts by region:', /** @type {Error} */ (e).message);
  }
}

function paint() {
  const entries = Object.entries(counts);
  /** @type {any} */
  const events = entries.length
    ? ['match', ['get', 'admin1'], ...entries.flat(), 0]
    : 0;
  layers.map.setPaintProperty('choropleth', 'fill-color',
    ['case', ['==', events, 0], 'rgba(0, 0, 0, 0)', ['interpolate', ['linear'], events, ...RAMP]]);
}
