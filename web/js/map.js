// @ts-check
// Owns the MapLibre map: its style (land, graticule, base map, heat raster, borders, the
// incidents' vector tiles), pointing the tile sources at the current filters and data version, and the view
// (fitting the data, the visible box as the API wants it).

import { absolute, tileUrl, vectorTileUrl } from './api.js';
import { areaLayers, areaSources } from './areas.js';
import { el } from './dom.js';
import { onlineBasemapShown } from './labels.js';
import { draftLayers, draftSources } from './reports.js';
import { filterParams, filters, hook, layers, noCategories, server, tilesLoading } from './state.js';

/** The deepest zoom the server makes vector tiles for; MapLibre overzooms beyond it. */
const VECTOR_MAX_ZOOM = 16;

/**
 * Graticule lines: the only orientation there is when base tiles cannot load (offline).
 * Each line says the spacing it belongs to; each spacing is drawn at its own zooms.
 */
const GRATICULE = [
  { step: 30, minzoom: 0, maxzoom: 2 },
  { step: 10, minzoom: 2, maxzoom: 3 },
  { step: 5, minzoom: 3, maxzoom: 5 },
  { step: 2, minzoom: 5, maxzoom: 7 },
  { step: 1, minzoom: 7, maxzoom: 24 },
];

/** @returns {import('geojson').FeatureCollection} */
function graticule() {
  /** @type {import('geojson').Feature[]} */
  const features = [];
  for (const { step } of GRATICULE) {
    // Straight lines in Web Mercator: two vertices each.
    for (let lon = -180; lon <= 180; lon += step) {
      features.push({ type: 'Feature', properties: { step }, geometry: { type: 'LineString', coordinates: [[lon, -85], [lon, 85]] } });
    }
    for (let lat = -80; lat <= 80; lat += step) {
      features.push({ type: 'Feature', properties: { step }, geometry: { type: 'LineString', coordinates: [[-180, lat], [180, lat]] } });
    }
  }
  return { type: 'FeatureCollection', features };
}

/** A base-map URL template as MapLibre takes it: no `{s}` subdomains, no `{r}`. @param {string} url */
const basemapTiles = (url) => url.replace('{s}', 'a').replace('{r}', '');

/** @returns {import('maplibre-gl').StyleSpecification} */
function style() {
  /** @type {import('maplibre-gl').StyleSpecification['sources']} */
  const sources = {
    graticule: { type: 'geojson', data: graticule() },
    heat: { type: 'raster', tiles: [heatTiles()], tileSize: 256, maxzoom: 22, attribution: 'Heat: incidentmap' },
    incidents: { type: 'vector', tiles: [vectorTiles()], minzoom: 0, maxzoom: VECTOR_MAX_ZOOM },
    ...areaSources(),
    ...draftSources(),
  };
  const areas = areaLayers();
  /** @type {import('maplibre-gl').LayerSpecification[]} */
  const styleLayers = [
    // The sea, where there is no land (areas.js) and no base map.
    { id: 'background', type: 'background', paint: { 'background-color': '#dde6ee' } },
    ...areas.below,
    ...GRATICULE.map(({ step, minzoom, maxzoom }) => /** @type {import('maplibre-gl').LineLayerSpecification} */ ({
      id: `graticule-${step}`, type: 'line', source: 'graticule', minzoom, maxzoom,
      filter: ['==', ['get', 'step'], step],
      paint: { 'line-color': 'rgba(70, 90, 110, 0.18)', 'line-width': 1 },
    })),
  ];
  const basemap = server.config.basemap;
  if (basemap && basemap.url) {
    sources.basemap = { type: 'raster', tiles: [basemapTiles(basemap.url)], tileSize: 256, maxzoom: 19, attribution: basemap.attribution || '' };
    styleLayers.push({ id: 'basemap', type: 'raster', source: 'basemap', paint: { 'raster-fade-duration': 0 } });
  }
  styleLayers.push(
    { id: 'heat', type: 'raster', source: 'heat', layout: { visibility: heatShown() ? 'visible' : 'none' }, paint: { 'raster-opacity': 1, 'raster-fade-duration': 0 } },
    ...areas.above,
    // Incidents spread over a region or a country: a pale disc under their marker says the
    // point stands for an area. (The markers themselves are DOM elements, markers.js.)
    {
      id: 'areas', type: 'circle', source: 'incidents', 'source-layer': 'incidents',
      filter: ['==', ['get', 'area'], true],
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 3, 14, 8, 40],
        'circle-color': 'rgba(60, 80, 120, 0.08)',
        'circle-stroke-color': 'rgba(60, 80, 120, 0.45)', 'circle-stroke-width': 1,
      },
    },
  );
  styleLayers.push(...draftLayers());
  return { version: 8, sources, layers: styleLayers };
}

/** Creates the map with its style (not yet a view). */
export function buildMap() {
  const lib = layers.lib;
  const map = new lib.Map({
    container: 'map', style: style(), center: [20, 30], zoom: 1, minZoom: 0, maxZoom: 19,
    attributionControl: { compact: false }, fadeDuration: 0, dragRotate: false, pitchWithRotate: false,
    // The server's vector tiles are 256-px-cell tiles of the same XYZ grid: MapLibre asks for
    // the zoom it shows (512-px tiles) and overzooms beyond VECTOR_MAX_ZOOM.
  });
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  map.addControl(new lib.NavigationControl({ showCompass: false }), 'top-left');
  layers.map = map;
  hook.map = map;

  // Whether the tiles match the view: pending from any change until the map is idle.
  map.on('movestart', () => tilesLoading(true));
  map.on('dataloading', () => tilesLoading(true));
  map.on('idle', () => tilesLoading(false));
  map.on('sourcedataloading', (e) => {
    if (e.sourceId === 'heat' && e.tile) hook.lastTileUrl = heatTiles();
  });
  watchBasemap(map);
  basemapChanged();
  return map;
}

/** Marks the page offline (body.basemap-offline, a note on the map) once several base-map
 * tiles failed and none loaded. @param {import('maplibre-gl').Map} map */
function watchBasemap(map) {
  let loaded = 0, failed = 0;
  map.on('error', (e) => {
    const src = /** @type {{ sourceId?: string }} */ (e).sourceId;
    if (src !== 'basemap') { console.warn('map:', e.error && e.error.message); return; }
    failed++;
    if (!loaded && failed >= 4 && !document.body.classList.contains('basemap-offline')) {
      document.body.classList.add('basemap-offline');
      const note = el('div', { class: 'maplibregl-ctrl offline-note', text: 'Base map unavailable: land and borders from this server' });
      map.addControl({ onAdd: () => note, onRemove: () => note.remove() }, 'bottom-left');
      basemapChanged();
    }
  });
  map.on('sourcedata', (e) => {
    if (e.sourceId === 'basemap' && e.tile && e.isSourceLoaded) {
      loaded++;
      if (document.body.classList.contains('basemap-offline')) { document.body.classList.remove('basemap-offline'); basemapChanged(); }
    }
  });
}

/** Tells the offline map's names whether the online base map (which has its own) shows. */
function basemapChanged() {
  const map = layers.map;
  onlineBasemapShown(!!map.getLayer('basemap')
    && map.getLayoutProperty('basemap', 'visibility') !== 'none'
    && !document.body.classList.contains('basemap-offline'));
}

/** Fits the view to the data's box, or the world when there is no data. @param {boolean} animate */
export function fitData(animate) {
  const map = layers.map;
  if (server.dataBBox) {
    const [w, s, e, n] = server.dataBBox;
    map.fitBounds([[w, s], [e, n]], { padding: 40, maxZoom: 8, animate });
  } else {
    map.jumpTo({ center: [20, 30], zoom: 1 });
  }
}

const heatShown = () => !!filters.style && !noCategories();

/** The heat tiles' URL template: style, filters and data version (a write changes the URLs). */
function heatTiles() {
  const retina = window.devicePixelRatio >= 1.5;
  return absolute(tileUrl(filters.style || 'heat', Object.assign(filterParams(), { v: server.dataVersion }), retina));
}

/** The vector tiles' URL template: the filters and the data version. */
function vectorTiles() {
  return absolute(vectorTileUrl(Object.assign(filterParams(), { v: server.dataVersion })));
}

/** Points the tile sources at the current style, filters and data version; shows the heat or not. */
export function updateSources() {
  const map = layers.map;
  if (!map) return;
  const heat = /** @type {import('maplibre-gl').RasterTileSource | undefined} */ (map.getSource('heat'));
  const incidents = /** @type {import('maplibre-gl').VectorTileSource | undefined} */ (map.getSource('incidents'));
  const vector = vectorTiles();
  hook.lastVectorUrl = vector;
  tilesLoading(true);
  if (heat && heat.tiles[0] !== heatTiles()) heat.setTiles([heatTiles()]);
  if (incidents && incidents.tiles[0] !== vector) incidents.setTiles([vector]);
  map.setLayoutProperty('heat', 'visibility', heatShown() ? 'visible' : 'none');
  // Nothing may have changed: a repaint still ends in `idle`, which ends the pending state.
  map.triggerRepaint();
}

/** Shows the online base map, or the offline one alone (land, borders and names from this server).
 * @param {boolean} on */
export function showBasemap(on) {
  const map = layers.map;
  if (map.getLayer('basemap')) map.setLayoutProperty('basemap', 'visibility', on ? 'visible' : 'none');
  basemapChanged();
}

/** @param {number} opacity 0 to 1 */
export function setHeatOpacity(opacity) {
  layers.map.setPaintProperty('heat', 'raster-opacity', opacity);
}

/** The visible box as the API wants it: lon in -180..180, lat in -90..90. A view across the
 * antimeridian becomes a box whose west is greater than its east. */
export function viewBBox() {
  const b = layers.map.getBounds();
  const s = Math.max(-90, b.getSouth());
  const n = Math.min(90, b.getNorth());
  let w = b.getWest();
  let e = b.getEast();
  if (e - w >= 360) { w = -180; e = 180; } else {
    /** @param {number} x */
    const wrap = (x) => ((((x + 180) % 360) + 360) % 360) - 180;
    const ww = wrap(w);
    const ew = wrap(e);
    w = ww; e = ew === -180 && e > w ? 180 : ew;
  }
  /** @param {number} v */
  const f = (v) => Number(v.toFixed(5));
  return [f(w), f(s), f(e), f(n)].join(',');
}
