// @ts-check
// The map page's entry point: loads the server's settings and MapLibre, builds each
// part of the page and wires them together. Plain browser ES modules, no build step; every
// URL is relative to the page, so the map works behind a reverse proxy under a path prefix
// (https://host/maps/ asks /maps/collections/...).

import { getConfig, getTileStyles } from './api.js';
import { buildAreas } from './areas.js';
import { buildLabels } from './labels.js';
import { loadExtent, loadVersion } from './data.js';
import { $ } from './dom.js';
import { buildEditing, onMapClick } from './edit.js';
import { buildCategoryControls, buildDateControls, buildStylePicker, filtersChanged, syncControls } from './filters.js';
import { CATEGORY_LABELS } from './format.js';
import { applyHashState, hashIsOurs, readHash, writeHash } from './hash.js';
import { addLegendControl, loadLegend, loadLegendSoon } from './legend.js';
import { loadLibraries } from './libraries.js';
import { buildMap, fitData } from './map.js';
import { buildMarkers, refreshIncidents, refreshIncidentsSoon } from './markers.js';
import { buildPanelToggle } from './panel.js';
import { buildReports } from './reports.js';
import { buildSearch } from './search.js';
import { filters, hook, layers, server } from './state.js';

async function start() {
  try {
    server.config = await getConfig();
  } catch (e) {
    console.warn('config.json:', /** @type {Error} */ (e).message);
  }
  const config = server.config;
  try {
    const { lib, from } = await loadLibraries(config.vendored);
    layers.lib = lib;
    hook.libraries = from;
  } catch {
    $('count').textContent = 'The map library could not be loaded (no vendored copy and no internet).';
    document.body.classList.add('failed');
    return;
  }
  server.categories = Array.isArray(config.categories) && config.categories.length ? config.categories : Object.keys(CATEGORY_LABELS);
  server.styles = Array.isArray(config.styles) ? config.styles : [];
  if (!server.styles.length) {
    try { server.styles = (await getTileStyles()).styles || []; } catch { server.styles = []; }
  }
  filters.style = (server.styles.find((s) => s.name === 'heat') || server.styles[0] || { name: null }).name || null;
  const fromHash = readHash();
  applyHashState(fromHash);

  await Promise.all([loadExtent(), loadVersion()]);

  const map = buildMap();
  buildMarkers();
  buildAreas();
  buildLabels();
  addLegendControl();
  if (fromHash.view) map.jumpTo({ center: [fromHash.view.center[1], fromHash.view.center[0]], zoom: fromHash.view.zoom });
  else fitData(false);
  map.on('moveend', () => { writeHash(); refreshIncidentsSoon(); });
  map.on('zoomend', () => loadLegendSoon());
  map.on('click', (e) => onMapClick(e));
  refreshIncidents();
  loadLegend();
  writeHash();

  buildStylePicker();
  buildDateControls();
  buildCategoryControls();
  buildSearch();
  $('fit-data').addEventListener('click', () => fitData(true));
  buildEditing();
  buildReports();
  buildPanelToggle();

  window.addEventListener('hashchange', () => {
    if (hashIsOurs()) return;
    const h = readHash();
    applyHashState(h);
    syncControls();
    if (h.view) map.jumpTo({ center: [h.view.center[1], h.view.center[0]], zoom: h.view.zoom });
    filtersChanged();
  });
  hook.ready = true;
}

start().catch((e) => {
  console.error(e);
  const c = document.getElementById('count');
  if (c) c.textContent = 'The map failed to start: ' + e.message;
});
