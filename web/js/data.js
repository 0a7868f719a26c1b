// @ts-check
// Owns what the page knows about the data as a whole: its extent (the date filter's bounds,
// "Zoom to all incidents") and its version (in tile URLs), and refreshing everything
// shown after a write.

import { getCollection, getHealth } from './api.js';
import { syncDates } from './filters.js';
import { loadHistogram } from './histogram.js';
import { loadLegend } from './legend.js';
import { updateSources } from './map.js';
import { refreshIncidents } from './markers.js';
import { server } from './state.js';

export async function loadExtent() {
  try {
    const c = await getCollection();
    const iv = c.extent && c.extent.temporal && c.extent.temporal.interval && c.extent.temporal.interval[0];
    server.extent = iv && iv[0] && iv[1] ? { start: iv[0].slice(0, 10), end: iv[1].slice(0, 10) } : null;
    const bb = c.extent && c.extent.spatial && c.extent.spatial.bbox && c.extent.spatial.bbox[0];
    server.dataBBox = Array.isArray(bb) && bb.length >= 4 ? bb : null;
  } catch (e) {
    console.warn('collection extent:', /** @type {Error} */ (e).message);
  }
}

export async function loadVersion() {
  try {
    server.dataVersion = (await getHealth()).data_version;
  } catch {
    server.dataVersion = null;
  }
}

/** After a write: the data version (tiles refetch), the extent (bounds of the date filter),
 * the count and the legend. */
export async function refreshData() {
  await Promise.all([loadVersion(), loadExtent()]);
  syncDates();
  updateSources();
  loadLegend();
  loadHistogram(true);
  await refreshIncidents();
}
