// @ts-check
// Owns the areas on the map, from this server's base map vector tiles (so they show with no
// internet): land, country and region borders and coasts, and the choropleth of incidents per
// region (the regions' polygons coloured by /collections/incidents/aggregate for the current
// filters). The place names are labels.js's.

import { absolute, getJSON, query } from './api.js';
import { filterParams, hook, layers, noCategories } from './state.js';

/** Region borders from this zoom on (below it they would be a tangle; the tiles have
 * regions from zoom 3). */
const REGION_MIN_ZOOM = 3;
/** The deepest zoom of the base map's tiles; MapLibre overzooms beyond. */
const BASEMAP_MAX_ZOOM = 12;
/** The choropleth's ramp: events per region → colour. */
const RAMP = [1, '#fde8c8', 5, '#f9b36b', 20, '#e8663a', 100, '#b3202f'];

let choropleth = false;
/** @type {Record<string, number>} events per region code for the current filters */
let counts = {};

/** The sources and layers, in drawing order, for the map's style (map.js puts them in). */
export function areaSources() {
  /** @type {import('maplibre-gl').StyleSpecification['sources']} */
  const sources = {
    base: { type: 'vector', tiles: [absolute('basemap/tiles/{z}/{x}/{y}.mvt')], minzoom: 0, maxzoom: BASEMAP_MAX_ZOOM },
  };
  return sources;
}

/** @returns {{ below: import('maplibre-gl').LayerSpecification[], above: import('maplibre-gl').LayerSpecification[] }} */
export function areaLayers() {
  return {
    // Under the base map (which covers them when it loads) and the heat.
    below: [
      { id: 'land', type: 'fill', source: 'base', 'source-layer': 'countries', paint: { 'fill-color': '#f6f5f0' } },
    ],
    // Over the heat: borders to read it by, the choropleth under them.
    above: [
      {
        id: 'choropleth', type: 'fill', source: 'base', 'source-layer': 'regions', layout: { visibility: 'none' },
        paint: { 'fill-color': '#000', 'fill-opacity': 0.55 },
      },
      {
        id: 'region-borders', type: 'line', source: 'base', 'source-layer': 'borders', minzoom: REGION_MIN_ZOOM,
        filter: ['==', ['get', 'kind'], 'region'],
        paint: { 'line-color': 'rgba(90, 90, 110, 0.55)', 'line-width': 0.8, 'line-dasharray': [3, 2] },
      },
      {
        id: 'country-borders', type: 'line', source: 'base', 'source-layer': 'borders',
        filter: ['==', ['get', 'kind'], 'country'],
        paint: { 'line-color': 'rgba(70, 70, 90, 0.8)', 'line-width': ['interpolate', ['linear'], ['zoom'], 2, 0.6, 8, 1.6] },
      },
    ],
  };
}

/** Counts the regions drawn (for the browser test) whenever the map comes to rest. */
export function buildAreas() {
  const map = layers.map;
  map.on('idle', () => {
    const ids = new Set(map.querySourceFeatures('base', { sourceLayer: 'regions' }).map((f) => f.properties && f.properties.admin1));
    hook.regions = ids.size;
  });
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
