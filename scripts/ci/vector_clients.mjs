// Real clients of the vector tiles, the OGC API - Tiles tilesets and /style.json (issue #16):
// MapLibre GL JS and OpenLayers, the versions pinned in web/package-lock.json as this server
// serves them under /vendor/, in Debian's Chromium (WebGL through SwiftShader) driven by
// playwright-core, against a running `incidentmap serve --demo`.
//
//   node scripts/ci/vector_clients.mjs <server URL> <artifact dir>
//
// The client pages are the test's, not the product's: they are answered by page.route() at
// <server>/__clients/*.html (same origin as the server, so no CORS question), and load the
// libraries from <server>/vendor/.
//
// Writes <artifact dir>/maplibre.png and openlayers.png (vector-failure-*.png on failure).
// Exits 1 when a check fails.

import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const pinned = JSON.parse(readFileSync(new URL('../../web/package.json', import.meta.url), 'utf8')).dependencies;

const [serverArg, artDir = 'ci-artifacts'] = process.argv.slice(2);
if (!serverArg) {
  console.error('usage: node scripts/ci/vector_clients.mjs <server URL> <artifact dir>');
  process.exit(2);
}
const BASE = serverArg.replace(/\/+$/, '');
const server = new URL(BASE + '/');
mkdirSync(artDir, { recursive: true });

const VIEW = { width: 1024, height: 768 };
// The demo: Kazakhstan, January 2022. This view holds every incident.
const KAZAKHSTAN = { center: [64, 45.7], zoom: 4 };
// The old heat TileJSON bounds ended here; tiles beyond must be requested now.
const OLD_EAST = 78.7;
const OLD_NORTH = 45;

const t0 = Date.now();
const secs = (t) => `${((Date.now() - t) / 1000).toFixed(1)}s`;
let passed = 0;
let failed = 0;
const failures = [];

class Check extends Error {}
function expect(cond, message) {
  if (!cond) throw new Check(message);
}

// Arguments WebGL needs headless: SwiftShader through ANGLE. (Chromium 156 headless and
// playwright-core 1.65 give WebGL without them too; they keep it so on other versions.)
const WEBGL_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', ...WEBGL_ARGS, '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const context = await browser.newContext({
  viewport: VIEW, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC',
});
context.setDefaultTimeout(30000);

// Everything the pages did wrong: script errors, console errors, failed or refused requests.
const problems = [];

const tile = (u) => {
  let m = /^\/tiles\/([^/]+)\/(\d+)\/(\d+)\/(\d+)(?:@2x)?\.png$/.exec(u.pathname);
  if (m) return { kind: 'heat', style: m[1], z: +m[2], x: +m[3], y: +m[4] };
  m = /^\/collections\/incidents\/tiles\/WebMercatorQuad\/(\d+)\/(\d+)\/(\d+)$/.exec(u.pathname);
  if (m) return { kind: 'vector', z: +m[1], y: +m[2], x: +m[3] };
  m = /^\/collections\/incidents\/map\/tiles\/WebMercatorQuad\/(\d+)\/(\d+)\/(\d+)$/.exec(u.pathname);
  if (m) return { kind: 'map', z: +m[1], y: +m[2], x: +m[3] };
  return null;
};

function watch(page, name) {
  const log = { requests: [], problems: [] };
  const problem = (p) => { log.problems.push(p); problems.push(`${name}: ${p}`); };
  page.on('pageerror', (e) => problem(`script error: ${(e.stack || String(e)).split('\n').slice(0, 3).join(' ')}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problem(`console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => {
    const why = (r.failure() || {}).errorText || '';
    // Tiles a client cancels on moving on are aborted on purpose.
    if (/ERR_ABORTED/.test(why)) return;
    problem(`request failed: ${r.method()} ${r.url()}: ${why}`);
  });
  page.on('response', async (r) => {
    const u = new URL(r.url());
    if (u.origin !== server.origin) return;
    const entry = { url: r.url(), path: u.pathname, status: r.status(), type: r.headers()['content-type'] || '', tile: tile(u) };
    log.requests.push(entry);
    if (r.status() >= 400) problem(`${r.status()} for ${r.request().method()} ${u.pathname}${u.search}`);
  });
  return log;
}

async function step(page, name, fn) {
  const s = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${secs(s)})`);
  } catch (e) {
    failed++;
    const msg = e instanceof Check ? e.message : (e.stack || String(e)).split('\n').slice(0, 4).join('\n');
    failures.push(`${name}: ${msg}`);
    console.log(`FAIL ${name}: ${msg}`);
    const shot = join(artDir, `vector-failure-${passed + failed}.png`);
    if (page) await page.screenshot({ path: shot }).catch(() => {});
    console.log(`     screenshot: ${shot}`);
  }
}

const html = (head, body) => `<!doctype html>
<html><head><meta charset="utf-8"><title>incidentmap client test</title>
<link rel="icon" href="data:,">
<style>html,body{margin:0;height:100%}#map{position:absolute;inset:0}</style>
${head}</head><body><div id="map"></div>${body}</body></html>`;

// The test's pages, answered by the browser itself (never asked of the server).
const PAGES = {
  'maplibre.html': html(
    `<link rel="stylesheet" href="${BASE}/vendor/maplibre-gl/maplibre-gl.css">`,
    `<script type="module">
import * as maplibregl from '${BASE}/vendor/maplibre-gl/maplibre-gl.mjs';
const t = window.__t = { idle: 0, errors: [], heatTiles: 0, clicks: [], version: maplibregl.getVersion() };
const map = window.map = new maplibregl.Map({
  // ?filter=<query> loads the style with those filters (e.g. category=riot).
  container: 'map', style: '${BASE}/style.json' + (new URLSearchParams(location.search).has('filter') ? '?' + new URLSearchParams(location.search).get('filter') : ''),
  center: ${JSON.stringify(KAZAKHSTAN.center)},
  zoom: ${KAZAKHSTAN.zoom}, fadeDuration: 0, attributionControl: false,
});
map.on('error', (e) => t.errors.push(String((e.error && (e.error.message || e.error.status)) || e.type) + (e.sourceId ? ' (source ' + e.sourceId + ')' : '')));
map.on('idle', () => { t.idle++; });
map.on('sourcedata', (e) => { if (e.sourceId === 'heat' && e.tile) t.heatTiles++; });
// What a MapLibre app does with a click on a cluster: zoom to where it breaks apart.
map.on('click', 'clusters', (e) => {
  const f = e.features[0];
  const click = { properties: f.properties, lngLat: f.geometry.coordinates, point: [e.point.x, e.point.y] };
  t.clicks.push(click);
  if (f.properties.expansion_zoom != null) {
    map.easeTo({ center: f.geometry.coordinates, zoom: f.properties.expansion_zoom, duration: 300 });
  }
});
map.on('load', () => { t.loaded = true; });
</script>`),
  'openlayers.html': html(
    `<link rel="stylesheet" href="${BASE}/vendor/ol/ol.css">
<script src="${BASE}/vendor/ol/dist/ol.js"></script>`,
    `<script>
const t = window.__t = {
  version: ol.util.VERSION, renders: 0, errors: [],
  vector: { start: 0, end: 0, error: 0, tiles: {} },
  heat: { start: 0, end: 0, error: 0, tiles: {} },
};
const vectorSource = new ol.source.OGCVectorTile({
  url: '${BASE}/collections/incidents/tiles/WebMercatorQuad',
  format: new ol.format.MVT(),
});
vectorSource.on('tileloadstart', () => t.vector.start++);
vectorSource.on('tileloaderror', (e) => { t.vector.error++; t.errors.push('vector tile ' + e.tile.getTileCoord().join('/')); });
vectorSource.on('tileloadend', (e) => {
  t.vector.end++;
  const c = e.tile.getTileCoord();
  t.vector.tiles[c.join('/')] = (e.tile.getFeatures() || []).map((f) => ({
    layer: f.get('layer'), count: f.get('count'), expansion_zoom: f.get('expansion_zoom'),
    id: f.get('id'), area: f.get('area'), coordinate: f.getFlatCoordinates().slice(0, 2),
  }));
});
const heatSource = new ol.source.OGCMapTile({ url: '${BASE}/collections/incidents/map/tiles/WebMercatorQuad' });
heatSource.on('tileloadstart', () => t.heat.start++);
heatSource.on('tileloaderror', (e) => { t.heat.error++; t.errors.push('map tile ' + e.tile.getTileCoord().join('/')); });
heatSource.on('tileloadend', (e) => {
  t.heat.end++;
  const img = e.tile.getImage();
  let coloured = false;
  try {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth || img.width; c.height = img.naturalHeight || img.height;
    const ctx = c.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) { coloured = true; break; }
  } catch (err) { t.errors.push('reading a map tile: ' + err); }
  t.heat.tiles[e.tile.getTileCoord().join('/')] = { coloured, width: img.naturalWidth || img.width };
});
for (const [name, s] of [['vector', vectorSource], ['map', heatSource]]) {
  s.on('change', () => { if (s.getState() === 'error') t.errors.push(name + ' source: error state'); });
}
// declutterMode 'none' on the symbols: OpenLayers 10.11's vector-tile renderer passes an empty
// list of decluttered features (not null, as its vector-layer renderer does) to hit detection
// when the layer does not declutter, so map.getFeaturesAtPixel/forEachFeatureAtPixel find no
// point symbol of any vector tile layer otherwise (renderer/canvas/VectorTileLayer.js,
// forEachFeatureAtCoordinate; ExecutorGroup's featureCallback then drops every Image hit).
const fill = (n) => (n >= 100 ? '#b2182b' : n >= 10 ? '#e66101' : '#f1a340');
const styles = {};
const style = (f) => {
  if (f.get('layer') === 'clusters') {
    const n = f.get('count');
    return styles['c' + n] || (styles['c' + n] = new ol.style.Style({
      image: new ol.style.Circle({ radius: n >= 100 ? 19 : n >= 10 ? 14 : 10, fill: new ol.style.Fill({ color: fill(n) }),
        stroke: new ol.style.Stroke({ color: '#fff', width: 1.5 }), declutterMode: 'none' }),
      text: new ol.style.Text({ text: String(n), fill: new ol.style.Fill({ color: '#fff' }), font: 'bold 11px sans-serif' }),
    }));
  }
  const area = !!f.get('area');
  return styles['p' + area] || (styles['p' + area] = new ol.style.Style({
    image: new ol.style.Circle({ radius: 5, fill: area ? undefined : new ol.style.Fill({ color: '#5e3c99' }),
      stroke: new ol.style.Stroke({ color: area ? '#5e3c99' : '#fff', width: area ? 2 : 1 }), declutterMode: 'none' }),
  }));
};
const vectorLayer = window.vectorLayer = new ol.layer.VectorTile({ source: vectorSource, style });
const heatLayer = window.heatLayer = new ol.layer.Tile({ source: heatSource, opacity: 0.85 });
const map = window.map = new ol.Map({
  target: 'map', layers: [heatLayer, vectorLayer],
  view: new ol.View({ center: ol.proj.fromLonLat(${JSON.stringify(KAZAKHSTAN.center)}), zoom: ${KAZAKHSTAN.zoom} }),
});
// A render with every tile of the view loaded (OpenLayers also fires rendercomplete while a
// source still reads its tileset metadata: those do not count).
map.on('rendercomplete', () => {
  if (vectorSource.getState() === 'ready' && heatSource.getState() === 'ready') t.renders++;
});
map.on('pointermove', (e) => {
  t.hover = map.getFeaturesAtPixel(e.pixel, { hitTolerance: 2, layerFilter: (l) => l === vectorLayer })
    .map((f) => ({ layer: f.get('layer'), count: f.get('count') }));
});
</script>`),
};

await context.route((u) => u.origin === server.origin && u.pathname.startsWith('/__clients/'), async (route) => {
  const name = new URL(route.request().url()).pathname.slice('/__clients/'.length);
  if (!(name in PAGES)) return route.fulfill({ status: 404, body: 'no such test page' });
  return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: PAGES[name] });
});

const numberMatched = async (filter) => {
  const path = `/collections/incidents/items?limit=1${filter ? '&' + filter : ''}`;
  const r = await context.request.get(BASE + path, { headers: { Accept: 'application/geo+json' } });
  expect(r.ok(), `GET ${path} answered ${r.status()}`);
  const n = (await r.json()).numberMatched;
  expect(Number.isInteger(n) && n > 0, `numberMatched is ${n}`);
  return n;
};

// A tile answered as it should be: 200 with its media type (or 304, revalidated).
const tileOk = (type) => (r) => r.status === 304 || (r.status === 200 && r.type.startsWith(type));
// A tile's west and south edges.
const tileWest = (x, z) => (x / 2 ** z) * 360 - 180;
const tileSouth = (y, z) => {
  const n = Math.PI - (2 * Math.PI * (y + 1)) / 2 ** z;
  return (180 / Math.PI) * Math.atan(Math.sinh(n));
};

try {
  const matched = await numberMatched();
  console.log(`     ${BASE}: numberMatched ${matched}`);

  // ---------------------------------------------------------------- MapLibre GL JS
  const ml = await context.newPage();
  const mlLog = watch(ml, 'MapLibre');
  // Moves the map (a function of `map` run in the page) and waits until it has rendered
  // the new view with everything loaded.
  const mlMove = async (fn, arg, what) => {
    const before = await ml.evaluate(() => window.__t.idle);
    await ml.evaluate(fn, arg);
    try {
      await ml.waitForFunction((n) => window.__t.idle > n && !window.map.isMoving() && window.map.loaded(), before, { timeout: 30000 });
    } catch (e) {
      throw new Check(`${what}: the map did not become idle within 30 s (${JSON.stringify(await ml.evaluate(() => window.__t.errors))})`);
    }
  };
  const rendered = (layers) => ml.evaluate((ls) => window.map.queryRenderedFeatures({ layers: ls }).map((f) => ({
    layer: f.layer.id, properties: f.properties, lngLat: f.geometry.coordinates,
    point: (({ x, y }) => [x, y])(window.map.project(f.geometry.coordinates)),
  })), layers);

  let heatSourceUrl = null;
  const mapErrors = []; // the map's error events on pages left behind
  await step(ml, 'maplibre a. MapLibre GL JS loads /style.json and its sources', async () => {
    const r = await ml.goto(`${BASE}/__clients/maplibre.html`, { waitUntil: 'domcontentloaded' });
    expect(r && r.ok(), 'the test page did not load');
    try {
      await ml.waitForFunction(() => window.__t && window.__t.loaded && window.__t.idle > 0 && !window.map.isMoving(), null, { timeout: 45000 });
    } catch (e) {
      throw new Check(`the map did not load and go idle within 45 s: ${mlLog.problems.slice(0, 5).join(' | ') || 'no error reported'}`);
    }
    const info = await ml.evaluate(() => {
      const s = window.map.getStyle();
      return {
        version: window.__t.version,
        sources: Object.fromEntries(Object.entries(s.sources).map(([k, v]) => [k, { type: v.type, url: v.url }])),
        layers: s.layers.map((l) => l.id),
        heat: window.map.getSource('heat').tiles,
        heatLoaded: window.map.isSourceLoaded('heat'),
        webgl: (() => { const gl = window.map.painter.context.gl; const e = gl.getExtension('WEBGL_debug_renderer_info'); return e ? gl.getParameter(e.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER); })(),
      };
    });
    console.log(`     maplibre-gl ${info.version}; WebGL: ${info.webgl}`);
    expect(info.version === pinned['maplibre-gl'], `the page runs maplibre-gl ${info.version}, web/package.json pins ${pinned['maplibre-gl']}`);
    expect(JSON.stringify(info.layers) === JSON.stringify(['background', 'heat', 'clusters', 'points']), `layers: ${info.layers}`);
    expect(info.sources.heat && info.sources.heat.type === 'raster' && info.sources.incidents && info.sources.incidents.type === 'vector',
      `sources: ${JSON.stringify(info.sources)}`);
    expect(info.heatLoaded, 'the heat source is not loaded');
    heatSourceUrl = info.sources.heat.url;
  });

  await step(ml, 'maplibre a2. the style\'s heat source is the map page\'s default heat map', async () => {
    // The `heat` style (every incident counts once), as on the map page (web/js/main.js) and as
    // the tileset metadata calls it ("the heat map").
    expect(heatSourceUrl === `${BASE}/tiles/heat/tilejson.json`,
      `/style.json's heat source is ${heatSourceUrl}, expected ${BASE}/tiles/heat/tilejson.json (the all-incidents heat map the map page shows)`);
  });

  await step(ml, 'maplibre b. heat raster tiles load, east of 78.7°E and north of 45°N too', async () => {
    await mlMove((v) => window.map.jumpTo(v), KAZAKHSTAN, 'Kazakhstan view');
    const heat = mlLog.requests.filter((r) => r.tile && r.tile.kind === 'heat');
    const ok = heat.filter(tileOk('image/png'));
    const events = await ml.evaluate(() => window.__t.heatTiles);
    expect(ok.length > 0 && events > 0, `heat tiles: ${heat.length} requested, ${ok.length} answered 200 image/png (or 304), ${events} tile loads in the heat source`);
    const east = ok.filter((r) => tileWest(r.tile.x, r.tile.z) >= OLD_EAST);
    const north = ok.filter((r) => tileSouth(r.tile.y, r.tile.z) >= OLD_NORTH);
    const ne = east.filter((r) => north.includes(r));
    const bounds = await ml.evaluate(() => window.map.getBounds().toArray());
    const coords = ok.map((r) => `${r.tile.z}/${r.tile.x}/${r.tile.y}`);
    expect(bounds[1][0] > OLD_EAST + 5 && bounds[1][1] > OLD_NORTH + 5, `the view ${JSON.stringify(bounds)} does not reach far enough`);
    expect(east.length > 0 && north.length > 0 && ne.length > 0,
      `no heat tile wholly east of ${OLD_EAST}°E (${east.length}) / north of ${OLD_NORTH}°N (${north.length}) / both (${ne.length}) was loaded although the view ${JSON.stringify(bounds)} covers them; loaded: ${coords.join(' ')}`);
    console.log(`     ${ok.length} heat tiles (style ${[...new Set(ok.map((r) => r.tile.style))].join(', ')}), ${east.length} east of ${OLD_EAST}°E, ${north.length} north of ${OLD_NORTH}°N, e.g. ${ne[0].path}`);
  });

  let clusterToClick = null;
  await step(ml, 'maplibre c. clusters and points render; their counts add up to numberMatched; screenshot', async () => {
    const vector = mlLog.requests.filter((r) => r.tile && r.tile.kind === 'vector');
    expect(vector.length > 0 && vector.every(tileOk('application/vnd.mapbox-vector-tile')),
      `vector tiles: ${vector.map((r) => `${r.path} ${r.status} ${r.type}`).join(', ') || 'none requested'}`);
    const features = await rendered(['clusters', 'points']);
    const clusters = features.filter((f) => f.layer === 'clusters');
    const points = features.filter((f) => f.layer === 'points');
    expect(clusters.length > 0, `queryRenderedFeatures({layers: ['clusters']}) is empty at zoom ${KAZAKHSTAN.zoom} over Kazakhstan`);
    const sum = clusters.reduce((s, f) => s + f.properties.count, 0) + points.length;
    console.log(`     zoom ${KAZAKHSTAN.zoom}: ${clusters.length} clusters (${clusters.map((c) => c.properties.count + (c.properties.expansion_zoom != null ? '→z' + c.properties.expansion_zoom : '')).join(', ')}), ${points.length} points`);
    expect(sum === matched, `the rendered clusters' counts plus points add up to ${sum}, numberMatched is ${matched}`);
    const almaty = clusters.find((c) => Math.abs(c.lngLat[0] - 76.9) < 1.5 && Math.abs(c.lngLat[1] - 43.25) < 1.5);
    expect(almaty && almaty.properties.count >= 7, `no cluster of 7 or more over Almaty: ${JSON.stringify(clusters.map((c) => [c.lngLat, c.properties.count]))}`);
    // The one to click: one that breaks apart deeper, not too near the edge.
    clusterToClick = clusters
      .filter((c) => c.properties.expansion_zoom != null && c.point[0] > 40 && c.point[1] > 40 && c.point[0] < VIEW.width - 40 && c.point[1] < VIEW.height - 40)
      .sort((a, b) => b.properties.count - a.properties.count)[0] || null;
    expect(clusterToClick, 'no rendered cluster has an expansion_zoom');
    await ml.screenshot({ path: join(artDir, 'maplibre.png') });
    // Zoomed in on the single incidents: points, area-level ones marked.
    await mlMove(() => window.map.jumpTo({ center: [67.5, 45.5], zoom: 6 }), null, 'zoom 6');
    const pts = await rendered(['points']);
    expect(pts.length > 0, 'queryRenderedFeatures({layers: [\'points\']}) is empty at zoom 6 over central Kazakhstan');
    expect(pts.every((p) => typeof p.properties.area === 'boolean' && typeof p.properties.id === 'string'), `points lack id/area: ${JSON.stringify(pts.map((p) => p.properties))}`);
    console.log(`     zoom 6: ${pts.length} points (${pts.map((p) => p.properties.id + (p.properties.area ? ' area' : '')).join(', ')})`);
  });

  await step(ml, 'maplibre d. clicking a cluster zooms to its expansion_zoom, where it breaks apart', async () => {
    expect(clusterToClick, 'no cluster to click (see above)');
    await mlMove((v) => window.map.jumpTo(v), KAZAKHSTAN, 'Kazakhstan view');
    const target = (await rendered(['clusters'])).find((c) => c.properties.count === clusterToClick.properties.count
      && c.properties.expansion_zoom === clusterToClick.properties.expansion_zoom);
    expect(target, 'the cluster to click is no longer rendered');
    const want = target.properties.expansion_zoom;
    const before = await ml.evaluate(() => window.__t.idle);
    await ml.mouse.click(target.point[0], target.point[1]);
    const clicks = await ml.evaluate(() => window.__t.clicks);
    expect(clicks.length === 1, `the click at ${target.point} reached ${clicks.length} clusters`);
    expect(clicks[0].properties.count === target.properties.count, `the click hit a cluster of ${clicks[0].properties.count}, aimed at one of ${target.properties.count}`);
    try {
      await ml.waitForFunction((n) => window.__t.idle > n && !window.map.isMoving() && window.map.loaded(), before, { timeout: 30000 });
    } catch (e) {
      throw new Check(`after the click the map did not settle (zoom ${await ml.evaluate(() => window.map.getZoom())})`);
    }
    const zoom = await ml.evaluate(() => window.map.getZoom());
    expect(zoom === want, `after the click the zoom is ${zoom}, the cluster's expansion_zoom is ${want}`);
    // Its members are within a cell of zoom want-1 (128 px at zoom want) around the centre.
    const c = await ml.evaluate(() => (({ x, y }) => [x, y])(window.map.project(window.map.getCenter())));
    const near = (await rendered(['clusters', 'points'])).filter((f) => Math.hypot(f.point[0] - c[0], f.point[1] - c[1]) <= 190);
    const same = near.filter((f) => f.layer === 'clusters' && f.properties.count === target.properties.count
      && Math.hypot(f.lngLat[0] - target.lngLat[0], f.lngLat[1] - target.lngLat[1]) < 1e-4);
    const members = near.reduce((s, f) => s + (f.layer === 'clusters' ? f.properties.count : 1), 0);
    expect(same.length === 0, `at zoom ${want} the cluster of ${target.properties.count} is still there`);
    expect(near.length >= 2 && members >= target.properties.count,
      `at zoom ${want} around the cluster: ${near.map((f) => f.layer + ':' + (f.properties.count || f.properties.id)).join(', ')} (expected its ${target.properties.count} incidents in two or more features)`);
    console.log(`     cluster of ${target.properties.count} at ${target.lngLat.map((v) => v.toFixed(2))} → zoom ${zoom}: ${near.map((f) => (f.layer === 'clusters' ? 'cluster of ' + f.properties.count : f.properties.id)).join(', ')}`);
  });

  await step(ml, 'maplibre e. /style.json?category=riot carries the filter into both sources', async () => {
    const riots = await numberMatched('category=riot');
    expect(riots > 0 && riots < matched, `numberMatched of category=riot is ${riots} of ${matched}`);
    const before = mlLog.requests.length;
    mapErrors.push(...await ml.evaluate(() => window.__t.errors));
    await ml.goto(`${BASE}/__clients/maplibre.html?filter=category%3Driot`, { waitUntil: 'domcontentloaded' });
    await ml.waitForFunction(() => window.__t && window.__t.loaded && window.__t.idle > 0 && !window.map.isMoving(), null, { timeout: 45000 })
      .catch(() => { throw new Check('the filtered map did not load and go idle within 45 s'); });
    const features = await rendered(['clusters', 'points']);
    const sum = features.reduce((n, f) => n + (f.layer === 'clusters' ? f.properties.count : 1), 0);
    const points = features.filter((f) => f.layer === 'points');
    expect(sum === riots, `with category=riot the rendered clusters and points add up to ${sum}, numberMatched is ${riots}`);
    expect(points.every((p) => p.properties.category === 'riot'), `points of other categories: ${points.filter((p) => p.properties.category !== 'riot').map((p) => p.properties.id)}`);
    const tiles = mlLog.requests.slice(before).filter((r) => r.tile && (r.tile.kind === 'heat' || r.tile.kind === 'vector'));
    const unfiltered = tiles.filter((r) => new URL(r.url).searchParams.get('category') !== 'riot');
    expect(tiles.length > 0 && unfiltered.length === 0, `tile requests without category=riot: ${unfiltered.map((r) => r.path).slice(0, 5).join(', ') || `(of ${tiles.length})`}`);
    console.log(`     ${riots} riots: ${features.length} features, ${tiles.length} tile requests, all with category=riot`);
  });

  await step(ml, 'maplibre f. no map errors, no failed requests, no script or console errors', async () => {
    const errors = [...mapErrors, ...await ml.evaluate(() => window.__t.errors)];
    expect(errors.length === 0, `map error events: ${errors.slice(0, 5).join(' | ')}`);
    expect(mlLog.problems.length === 0, mlLog.problems.slice(0, 8).join('\n     '));
    const tiles = mlLog.requests.filter((r) => r.tile);
    console.log(`     ${mlLog.requests.length} requests to the server, ${tiles.length} of them tiles`);
  });
  await ml.close();

  // ---------------------------------------------------------------- OpenLayers
  const olp = await context.newPage();
  const olLog = watch(olp, 'OpenLayers');
  // Waits for a rendercomplete after `before` renders with nothing loading.
  const olRendered = async (before, what) => {
    try {
      await olp.waitForFunction((n) => {
        const t = window.__t;
        return t && t.renders > n && window.map.getLayers().getArray().every((l) => l.getSource().getState() !== 'loading')
          && t.vector.start === t.vector.end + t.vector.error && t.heat.start === t.heat.end + t.heat.error;
      }, before, { timeout: 45000 });
    } catch (e) {
      const t = await olp.evaluate(() => window.__t && { renders: window.__t.renders, vector: { ...window.__t.vector, tiles: undefined }, heat: { ...window.__t.heat, tiles: undefined }, errors: window.__t.errors });
      throw new Check(`${what}: OpenLayers did not finish rendering within 45 s: ${JSON.stringify(t)}; ${olLog.problems.slice(0, 3).join(' | ')}`);
    }
  };

  await step(olp, 'openlayers a. OGCVectorTile and OGCMapTile load the tilesets and their tiles', async () => {
    const r = await olp.goto(`${BASE}/__clients/openlayers.html`, { waitUntil: 'domcontentloaded' });
    expect(r && r.ok(), 'the test page did not load');
    await olRendered(0, 'first view');
    const t = await olp.evaluate(() => ({
      version: window.__t.version, errors: window.__t.errors,
      vector: { ...window.__t.vector, tiles: Object.keys(window.__t.vector.tiles) },
      heat: window.__t.heat,
      states: window.map.getLayers().getArray().map((l) => l.getSource().getState()),
    }));
    console.log(`     ol ${t.version}; vector tiles ${t.vector.end} loaded, ${t.vector.error} failed; map tiles ${t.heat.end} loaded, ${t.heat.error} failed`);
    expect(t.version === pinned.ol, `the page runs ol ${t.version}, web/package.json pins ${pinned.ol}`);
    expect(t.states.every((s) => s === 'ready'), `source states: ${t.states} (an error state means the tileset metadata was not understood)`);
    expect(t.vector.end > 0 && t.vector.error === 0, `vector tiles: ${t.vector.end} loaded, ${t.vector.error} failed: ${t.errors.join(' | ')}`);
    const heatTiles = Object.values(t.heat.tiles);
    expect(t.heat.end > 0 && t.heat.error === 0, `map tiles: ${t.heat.end} loaded, ${t.heat.error} failed: ${t.errors.join(' | ')}`);
    expect(heatTiles.every((h) => h.width === 256) && heatTiles.some((h) => h.coloured),
      `map tiles: ${heatTiles.filter((h) => h.coloured).length} of ${heatTiles.length} have colour; widths ${[...new Set(heatTiles.map((h) => h.width))]}`);
    const mapReqs = olLog.requests.filter((q) => q.tile && q.tile.kind === 'map');
    expect(mapReqs.length > 0 && mapReqs.every(tileOk('image/png')),
      `map tile requests: ${mapReqs.map((q) => `${q.path} ${q.status} ${q.type}`).join(', ') || 'none'}`);
    const vecReqs = olLog.requests.filter((q) => q.tile && q.tile.kind === 'vector');
    expect(vecReqs.length > 0 && vecReqs.every(tileOk('application/vnd.mapbox-vector-tile')),
      `vector tile requests: ${vecReqs.map((q) => `${q.path} ${q.status} ${q.type}`).join(', ') || 'none'}`);
    const meta = olLog.requests.filter((q) => /\/(tiles|map\/tiles)\/WebMercatorQuad$|\/tileMatrixSets\/WebMercatorQuad$/.test(q.path)).map((q) => `${q.path} ${q.status}`);
    console.log(`     metadata read: ${meta.join(', ')}`);
  });

  await step(olp, 'openlayers a2. the map tileset is the map page\'s default heat map', async () => {
    // Its tiles are the `heat` style's (every incident counts once), as the map page shows.
    const drawn = olLog.requests.filter((q) => q.tile && q.tile.kind === 'map' && q.status === 200);
    expect(drawn.length > 0, 'no map tile was loaded');
    const get = async (path) => {
      const r = await context.request.get(BASE + path);
      expect(r.ok(), `GET ${path} answered ${r.status()}`);
      return r.body();
    };
    const differ = [];
    for (const { tile: { z, x, y } } of drawn) {
      const ogc = await get(`/collections/incidents/map/tiles/WebMercatorQuad/${z}/${y}/${x}`);
      const heat = await get(`/tiles/heat/${z}/${x}/${y}.png`);
      if (Buffer.compare(ogc, heat) !== 0) differ.push(`${z}/${y}/${x}`);
    }
    const meta = await (await context.request.get(`${BASE}/collections/incidents/map/tiles/WebMercatorQuad`)).json();
    expect(differ.length === 0,
      `${differ.length} of ${drawn.length} map tiles differ from /tiles/heat's (e.g. ${differ[0]}); the tileset is "${meta.title}", described by ${(meta.links || []).filter((l) => l.rel === 'describedby').map((l) => l.href).join(', ')}`);
  });

  await step(olp, 'openlayers b. the features of one zoom\'s tiles add up to numberMatched', async () => {
    const res = await olp.evaluate(() => {
      const z = window.map.getView().getZoom();
      const t = window.__t.vector.tiles;
      const size = window.map.getSize();
      const extent = window.map.getView().calculateExtent(size);
      const tiles = Object.entries(t).filter(([k]) => Number(k.split('/')[0]) === z);
      let clusters = 0; let points = 0; let sum = 0;
      for (const [, feats] of tiles) {
        for (const f of feats) {
          if (f.layer === 'clusters') { clusters++; sum += f.count; } else if (f.layer === 'incidents') { points++; sum += 1; }
        }
      }
      // Every tile of zoom z the view touches must have been read.
      const grid = window.vectorLayer.getSource().getTileGrid();
      const wanted = [];
      grid.forEachTileCoord(extent, z, (c) => wanted.push(c.join('/')));
      return { z, tiles: tiles.length, wanted, missing: wanted.filter((k) => !(k in t)), clusters, points, sum, layers: [...new Set(tiles.flatMap(([, f]) => f.map((x) => x.layer)))] };
    });
    console.log(`     zoom ${res.z}: ${res.tiles} tiles read, ${res.clusters} clusters + ${res.points} points = ${res.sum} incidents`);
    expect(res.missing.length === 0, `tiles of zoom ${res.z} in view not read: ${res.missing.join(' ')}`);
    expect(res.layers.every((l) => l === 'clusters' || l === 'incidents'), `unexpected layers: ${res.layers}`);
    expect(res.clusters > 0 && res.points > 0, `expected clusters and points at zoom ${res.z}: ${res.clusters} clusters, ${res.points} points`);
    expect(res.sum === matched, `clusters' counts plus points over zoom ${res.z}'s tiles: ${res.sum}; numberMatched: ${matched}`);
  });

  await step(olp, 'openlayers c. map.getFeaturesAtPixel finds a cluster where it is drawn', async () => {
    const res = await olp.evaluate(() => {
      const z = window.map.getView().getZoom();
      const all = Object.entries(window.__t.vector.tiles).filter(([k]) => Number(k.split('/')[0]) === z).flatMap(([, f]) => f);
      const cluster = all.filter((f) => f.layer === 'clusters').sort((a, b) => b.count - a.count)[0];
      if (!cluster) return { none: true };
      const pixel = window.map.getPixelFromCoordinate(cluster.coordinate);
      const hits = window.map.getFeaturesAtPixel(pixel, { hitTolerance: 2, layerFilter: (l) => l === window.vectorLayer })
        .map((f) => ({ layer: f.get('layer'), count: f.get('count') }));
      return { cluster: { count: cluster.count, expansion_zoom: cluster.expansion_zoom }, pixel, hits };
    });
    expect(!res.none, 'no cluster in the tiles');
    expect(res.hits.some((h) => h.layer === 'clusters' && h.count === res.cluster.count),
      `at ${res.pixel} (a cluster of ${res.cluster.count}) getFeaturesAtPixel gave ${JSON.stringify(res.hits)}`);
    // And a real pointer there: what an OpenLayers app's hover or click handler sees.
    await olp.evaluate(() => { window.__t.hover = null; });
    await olp.mouse.move(res.pixel[0], res.pixel[1]);
    await olp.waitForFunction(() => window.__t.hover !== null, null, { timeout: 10000 })
      .catch(() => { throw new Check('no pointermove reached the map'); });
    const hover = await olp.evaluate(() => window.__t.hover);
    expect(hover.some((h) => h.layer === 'clusters' && h.count === res.cluster.count),
      `the pointer at ${res.pixel} (a cluster of ${res.cluster.count}) is over ${JSON.stringify(hover)}`);
    console.log(`     cluster of ${res.cluster.count} at pixel ${res.pixel.map((v) => Math.round(v))}: ${JSON.stringify(res.hits)}`);
  });

  await step(olp, 'openlayers d. zoomed in, the tiles of that zoom are read and hold points', async () => {
    const z = 6;
    const before = await olp.evaluate(() => window.__t.renders);
    await olp.evaluate((zz) => window.map.getView().setZoom(zz), z);
    await olRendered(before, `zoom ${z}`);
    const res = await olp.evaluate((zz) => {
      const t = window.__t.vector.tiles;
      const grid = window.vectorLayer.getSource().getTileGrid();
      const extent = window.map.getView().calculateExtent(window.map.getSize());
      const wanted = [];
      grid.forEachTileCoord(extent, zz, (c) => wanted.push(c.join('/')));
      const feats = wanted.flatMap((k) => t[k] || []);
      return { missing: wanted.filter((k) => !(k in t)), points: feats.filter((f) => f.layer === 'incidents').length, clusters: feats.filter((f) => f.layer === 'clusters').length };
    }, z);
    expect(res.missing.length === 0, `tiles of zoom ${z} in view not read: ${res.missing.join(' ')}`);
    expect(res.points > 0, `no points at zoom ${z}: ${JSON.stringify(res)}`);
    console.log(`     zoom ${z}: ${res.clusters} clusters, ${res.points} points in view`);
  });

  await step(olp, 'openlayers e. no errors, no failed requests; screenshot', async () => {
    const before = await olp.evaluate(() => window.__t.renders);
    await olp.evaluate((v) => { window.map.getView().setCenter(ol.proj.fromLonLat(v.center)); window.map.getView().setZoom(v.zoom); }, KAZAKHSTAN);
    await olRendered(before, 'Kazakhstan view');
    await olp.screenshot({ path: join(artDir, 'openlayers.png') });
    const errors = await olp.evaluate(() => window.__t.errors);
    expect(errors.length === 0, `errors: ${errors.slice(0, 5).join(' | ')}`);
    expect(olLog.problems.length === 0, olLog.problems.slice(0, 8).join('\n     '));
    console.log(`     ${olLog.requests.length} requests to the server, ${olLog.requests.filter((r) => r.tile).length} of them tiles`);
  });
  await olp.close();
} catch (e) {
  failed++;
  failures.push(`unexpected: ${(e.stack || String(e)).split('\n').slice(0, 4).join(' ')}`);
  console.log(`FAIL unexpected: ${e.stack || e}`);
} finally {
  await browser.close().catch(() => {});
}

if (problems.length) console.log(`problems seen:\n  ${problems.slice(0, 20).join('\n  ')}`);
console.log(`vector clients finished in ${secs(t0)}`);
console.log(`vector clients: ${passed} passed, ${failed} failed`);
if (failed) {
  console.log('failures:\n  ' + failures.join('\n  '));
  process.exit(1);
}
