// @ts-check
// Owns the Leaflet map: its graticule, base map and heat layer, and the view (fitting the
// data, the visible box as the API wants it).

import { tileUrl } from './api.js';
import { filterParams, filters, heatLoading, hook, layers, noCategories, server } from './state.js';

/** Creates the map with its graticule, base map and heat layer (not yet a view). */
export function buildMap() {
  const map = L.map('map', { zoomControl: true, maxZoom: 19, minZoom: 1, worldCopyJump: true, keyboard: true });
  layers.map = map;
  hook.map = map;
  // Leaflet renders the attribution as HTML: constant markup only.
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" title="A JavaScript library for interactive maps">Leaflet</a>');

  // A light graticule under the base map: the only orientation there is when base tiles
  // cannot load (offline); real base tiles cover it.
  /** @type {HTMLElement} */ (map.createPane('graticule')).style.zIndex = '150';
  const Graticule = /** @type {new (options: L.GridLayerOptions) => L.GridLayer} */ (L.GridLayer.extend({
    /** @this {L.GridLayer} @param {L.Coords} coords */
    createTile(coords) {
      const tile = document.createElement('canvas');
      const size = this.getTileSize();
      tile.width = size.x;
      tile.height = size.y;
      const ctx = /** @type {CanvasRenderingContext2D} */ (tile.getContext('2d'));
      const z = coords.z;
      const step = z <= 2 ? 30 : z <= 3 ? 10 : z <= 5 ? 5 : z <= 7 ? 2 : z <= 8 ? 1 : z <= 10 ? 0.25 : z <= 12 ? 0.05 : 0.01;
      const nw = map.unproject(coords.scaleBy(size), z);
      const se = map.unproject(coords.add([1, 1]).scaleBy(size), z);
      ctx.strokeStyle = 'rgba(70, 90, 110, 0.16)';
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let lon = Math.ceil(nw.lng / step) * step; lon <= se.lng; lon += step) {
        const x = Math.round(map.project([0, lon], z).x - coords.x * size.x) + 0.5;
        ctx.moveTo(x, 0); ctx.lineTo(x, size.y);
      }
      for (let lat = Math.ceil(se.lat / step) * step; lat <= nw.lat; lat += step) {
        const y = Math.round(map.project([lat, 0], z).y - coords.y * size.y) + 0.5;
        ctx.moveTo(0, y); ctx.lineTo(size.x, y);
      }
      ctx.stroke();
      return tile;
    },
  }));
  new Graticule({ pane: 'graticule', className: 'graticule', noWrap: false }).addTo(map);

  const basemap = server.config.basemap;
  if (basemap && basemap.url) {
    let loaded = 0, failed = 0;
    const base = L.tileLayer(basemap.url, {
      maxZoom: 19, attribution: basemap.attribution || '', className: 'base-tiles',
      crossOrigin: false,
    });
    base.on('tileload', () => { loaded++; document.body.classList.remove('basemap-offline'); });
    base.on('tileerror', () => {
      failed++;
      if (!loaded && failed >= 4 && !document.body.classList.contains('basemap-offline')) {
        document.body.classList.add('basemap-offline');
        map.attributionControl.addAttribution('<span class="offline-note">base map unavailable</span>');
      }
    });
    base.addTo(map);
  }

  /** @type {HTMLElement} */ (map.createPane('heat')).style.zIndex = '350';
  const heat = L.tileLayer(heatUrl(), {
    pane: 'heat', className: 'heat-tiles', maxZoom: 22, maxNativeZoom: 22, opacity: 1,
    attribution: 'Heat: incidentmap',
  });
  heat.on('tileloadstart', (e) => { hook.lastTileUrl = /** @type {L.TileEvent} */ (e).tile.src; });
  heat.on('loading', () => heatLoading(true));
  heat.on('load remove', () => heatLoading(false));
  layers.heat = heat;
  hook.heat = heat;
  if (filters.style && !noCategories()) heat.addTo(map);
  return map;
}

/** Fits the view to the data's box, or the world when there is no data. @param {boolean} animate */
export function fitData(animate) {
  const map = layers.map;
  if (server.dataBBox) {
    const [w, s, e, n] = server.dataBBox;
    const b = L.latLngBounds([s, w], [n, e]);
    map.fitBounds(b.pad(0.15), { maxZoom: 9, animate });
  } else {
    map.setView([30, 20], 2, { animate });
  }
}

function heatUrl() {
  return tileUrl(filters.style || 'heat', Object.assign(filterParams(), { v: server.dataVersion }));
}

/** Points the heat layer at the current style, filters and data version; shows it or not. */
export function updateHeat() {
  const { map, heat } = layers;
  if (!heat) return;
  heat.setUrl(heatUrl());
  const show = filters.style && !noCategories();
  if (show && !map.hasLayer(heat)) heat.addTo(map);
  if (!show && map.hasLayer(heat)) map.removeLayer(heat);
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
