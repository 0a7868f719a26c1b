// incidentmap: the map page.
//
// Plain browser JavaScript, no build step. Every URL is relative to the page, so the map works
// behind a reverse proxy under a path prefix (https://host/maps/ asks /maps/collections/...).
(function () {
  'use strict';

  // ---------------------------------------------------------------------------------------
  // Libraries: served by this server under vendor/ when it was built with them installed
  // (config.json says "vendored"), else the same pinned versions from a CDN, checked by
  // Subresource Integrity.

  const CDN = 'https://unpkg.com/';
  const LIBS = [
    {
      vendor: 'vendor/leaflet/', cdn: CDN + 'leaflet@1.9.4/dist/',
      css: [['leaflet.css', 'sha256-p4NxAoJBhIIN+hmNHrzRCf9tD/miZyoHS5obTRR9BMY=']],
      js: [['leaflet.js', 'sha256-20nQCchB9co0qIjJZRGuk2/Z9VM+kNiyxNV1lvTlZBo=']],
    },
    {
      vendor: 'vendor/leaflet.markercluster/', cdn: CDN + 'leaflet.markercluster@1.5.3/dist/',
      css: [
        ['MarkerCluster.css', 'sha256-YU3qCpj/P06tdPBJGPax0bm6Q1wltfwjsho5TR4+TYc='],
        ['MarkerCluster.Default.css', 'sha256-YSWCMtmNZNwqex4CEw1nQhvFub2lmU7vcCKP+XVwwXA='],
      ],
      js: [['leaflet.markercluster.js', 'sha256-Hk4dIpcqOSb0hZjgyvFOP+cEmDXUKKNE/tT542ZbNQg=']],
    },
  ];

  function loadTag(tag, url, integrity, before) {
    return new Promise((resolve, reject) => {
      const el = document.createElement(tag);
      if (integrity) {
        el.integrity = integrity;
        el.crossOrigin = 'anonymous';
      }
      if (tag === 'link') {
        el.rel = 'stylesheet';
        el.href = url;
      } else {
        el.src = url;
        el.async = false;
      }
      el.onload = () => resolve(el);
      el.onerror = () => { el.remove(); reject(new Error('could not load ' + url)); };
      if (before) document.head.insertBefore(el, before);
      else document.head.appendChild(el);
    });
  }

  async function loadLibraries(vendored) {
    const appCss = document.getElementById('app-css');
    const load = async (fromVendor) => {
      for (const lib of LIBS) {
        const base = fromVendor ? lib.vendor : lib.cdn;
        // Style sheets go before the page's own, so the page's rules win.
        const sheets = lib.css.map(([f, sri]) => loadTag('link', base + f, fromVendor ? null : sri, appCss));
        for (const [f, sri] of lib.js) await loadTag('script', base + f, fromVendor ? null : sri);
        await Promise.all(sheets);
      }
    };
    if (vendored !== false) {
      try {
        await load(true);
        return 'vendor';
      } catch (e) {
        if (vendored === true) console.warn('vendored libraries failed, trying the CDN:', e.message);
        document.querySelectorAll('link[href^="vendor/"],script[src^="vendor/"]').forEach((el) => el.remove());
      }
    }
    await load(false);
    return 'cdn';
  }

  // ---------------------------------------------------------------------------------------
  // Small helpers.

  const $ = (id) => document.getElementById(id);
  const debounce = (fn, ms) => {
    let t = 0;
    const d = (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
    d.cancel = () => clearTimeout(t);
    return d;
  };
  const enc = (v) => encodeURIComponent(v).replace(/%2C/gi, ',').replace(/%2F/gi, '/').replace(/%3A/gi, ':');
  const query = (params) => Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${enc(v)}`).join('&');

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      // Through the CSSOM: the page's CSP forbids style attributes, not style properties.
      else if (k === 'style') e.style.cssText = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  class ApiError extends Error {
    constructor(status, code, description, detail) {
      super(description || `HTTP ${status}`);
      this.status = status;
      this.code = code;
      this.description = description || `The server answered ${status}.`;
      this.detail = detail || {};
    }
  }

  async function apiError(r) {
    let body = null;
    try { body = await r.json(); } catch (e) { /* not JSON */ }
    if (body && typeof body === 'object') return new ApiError(r.status, body.code, body.description, body);
    return new ApiError(r.status, null, `The server answered ${r.status} ${r.statusText}.`);
  }

  async function getJSON(url, opts) {
    const r = await fetch(url, Object.assign({ cache: 'no-cache', headers: { Accept: 'application/json' } }, opts));
    if (!r.ok) throw await apiError(r);
    return r.json();
  }

  function pad(n) { return String(n).padStart(2, '0'); }
  function todayLocal() {
    const d = new Date();
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }
  const DAY = 86400000;
  const dayNum = (iso) => Math.round(Date.parse(iso + 'T00:00:00Z') / DAY);
  const dayIso = (n) => new Date(n * DAY).toISOString().slice(0, 10);

  function fmtNumber(v) {
    if (v === 0) return '0';
    const a = Math.abs(v);
    if (a >= 100) return Math.round(v).toLocaleString('en');
    if (a >= 10) return String(Number(v.toFixed(1)));
    if (a >= 0.01) return String(Number(v.toFixed(2)));
    return v.toPrecision(1);
  }

  function titleCase(s) {
    const t = String(s).replace(/_/g, ' ');
    return t.charAt(0).toUpperCase() + t.slice(1);
  }

  const CATEGORY_LABELS = {
    protest: 'Protest', riot: 'Riot', armed_clash: 'Armed clash',
    violence_against_civilians: 'Violence against civilians', explosion: 'Explosion',
    arrests: 'Arrests', deployment: 'Deployment', shortage: 'Shortage', other: 'Other',
  };
  const CATEGORY_COLORS = {
    protest: '#2f6fde', riot: '#f07c14', armed_clash: '#c81e1e',
    violence_against_civilians: '#8b3fd9', explosion: '#e11d74', arrests: '#0e8a7e',
    deployment: '#5b7d12', shortage: '#b8860b', other: '#64748b',
  };
  const catLabel = (c) => CATEGORY_LABELS[c] || titleCase(c);
  const catColor = (c) => CATEGORY_COLORS[c] || '#64748b';

  const PRECISION_TEXT = {
    exact: 'the exact point',
    city: 'the city: drawn at its centre',
    near: 'near the named place',
    region: 'the region: drawn at its centre, spread over its area in the heat map',
    country: 'the country: drawn at its centre, spread over its area in the heat map',
  };
  const KIND_ZOOM = { country: 5, region: 7, district: 9, city: 11 };

  let toastTimer = 0;
  function toast(message, action) {
    const t = $('toast');
    t.replaceChildren(el('span', { text: message }));
    if (action) t.append(el('button', { type: 'button', class: 'link-button', text: action.label, onclick: () => { t.classList.remove('show'); action.run(); } }));
    t.classList.add('show');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => t.classList.remove('show'), action ? 9000 : 4500);
  }

  // ---------------------------------------------------------------------------------------
  // State: what the page shows, mirrored in location.hash so a view can be shared.

  const state = {
    style: null,
    from: null, // YYYY-MM-DD or null for an open start
    to: null, // YYYY-MM-DD or null for an open end
    cats: null, // Set of category names, or null for all
  };
  let config = null;
  let categories = [];
  let styles = [];
  let extent = null; // {start, end} as YYYY-MM-DD, or null when there is no data
  let dataBBox = null;
  let dataVersion = null;
  let map, heat, markers, graticule, searchPin = null, draftMarker = null;

  const api = window.incidentmap = {
    map: null, markers: null, heat: null,
    lastItemsUrl: null, lastTileUrl: null, count: null,
    loads: 0, pending: 0, ready: false, libraries: null, lastCreated: null,
    state,
  };

  let itemsPending = 0;
  let itemsScheduled = false;
  let heatPending = false;
  function busy(delta) {
    itemsPending += delta;
    showBusy();
  }
  function heatLoading(on) {
    heatPending = on;
    showBusy();
  }
  function showBusy() {
    api.pending = itemsPending + (itemsScheduled ? 1 : 0) + (heatPending ? 1 : 0);
    $('busy').classList.toggle('active', api.pending > 0);
  }

  function filterParams() {
    const p = {};
    if (state.from || state.to) p.datetime = `${state.from || '..'}/${state.to || '..'}`;
    if (state.cats) p.category = categories.filter((c) => state.cats.has(c)).join(',');
    return p;
  }
  const noCategories = () => state.cats !== null && state.cats.size === 0;

  function writeHash() {
    if (!map) return;
    const c = map.getCenter();
    const z = map.getZoom();
    const d = Math.max(2, Math.ceil(z * Math.LN2 / Math.LN10));
    const p = [`map=${z}/${c.lat.toFixed(d)}/${c.lng.toFixed(d)}`];
    if (state.style) p.push(`style=${enc(state.style)}`);
    if (state.from) p.push(`from=${state.from}`);
    if (state.to) p.push(`to=${state.to}`);
    if (state.cats) p.push(`cat=${enc(categories.filter((x) => state.cats.has(x)).join(','))}`);
    const hash = '#' + p.join('&');
    if (hash !== location.hash) history.replaceState(null, '', hash);
    lastHash = hash;
  }
  let lastHash = '';

  function readHash() {
    const h = new URLSearchParams(location.hash.replace(/^#/, ''));
    const out = {};
    const m = /^(\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(h.get('map') || '');
    if (m) out.view = { zoom: Number(m[1]), center: [Number(m[2]), Number(m[3])] };
    if (h.has('style')) out.style = h.get('style');
    const date = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || '') ? v : null);
    out.from = date(h.get('from'));
    out.to = date(h.get('to'));
    if (h.has('cat')) out.cats = new Set(h.get('cat').split(',').filter((c) => categories.includes(c)));
    else out.cats = null;
    return out;
  }

  function applyHashState(h) {
    if (h.style && styles.some((s) => s.name === h.style)) state.style = h.style;
    state.from = h.from;
    state.to = h.to;
    if (state.from && state.to && state.from > state.to) [state.from, state.to] = [state.to, state.from];
    state.cats = h.cats && h.cats.size === categories.length ? null : h.cats;
  }

  // ---------------------------------------------------------------------------------------
  // Start.

  async function start() {
    try {
      config = await getJSON('config.json');
    } catch (e) {
      console.warn('config.json:', e.message);
      config = { basemap: { url: '', attribution: '' }, styles: [], writes: false, categories: Object.keys(CATEGORY_LABELS) };
    }
    try {
      api.libraries = await loadLibraries(config.vendored);
    } catch (e) {
      $('count').textContent = 'The map library could not be loaded (no vendored copy and no internet).';
      document.body.classList.add('failed');
      return;
    }
    categories = Array.isArray(config.categories) && config.categories.length ? config.categories : Object.keys(CATEGORY_LABELS);
    styles = Array.isArray(config.styles) ? config.styles : [];
    if (!styles.length) {
      try { styles = (await getJSON('tiles')).styles || []; } catch (e) { styles = []; }
    }
    state.style = (styles.find((s) => s.name === 'heat') || styles[0] || {}).name || null;
    const fromHash = readHash();
    applyHashState(fromHash);

    await Promise.all([loadExtent(), loadVersion()]);
    buildMap(fromHash.view);
    buildStylePicker();
    buildDateControls();
    buildCategoryControls();
    buildSearch();
    buildEditing();
    buildPanelToggle();

    window.addEventListener('hashchange', () => {
      if (location.hash === lastHash) return;
      const h = readHash();
      applyHashState(h);
      syncControls();
      if (h.view) map.setView(h.view.center, h.view.zoom);
      filtersChanged();
    });
    api.ready = true;
  }

  async function loadExtent() {
    try {
      const c = await getJSON('collections/incidents');
      const iv = c.extent && c.extent.temporal && c.extent.temporal.interval && c.extent.temporal.interval[0];
      extent = iv && iv[0] && iv[1] ? { start: iv[0].slice(0, 10), end: iv[1].slice(0, 10) } : null;
      const bb = c.extent && c.extent.spatial && c.extent.spatial.bbox && c.extent.spatial.bbox[0];
      dataBBox = Array.isArray(bb) && bb.length >= 4 ? bb : null;
    } catch (e) {
      console.warn('collection extent:', e.message);
    }
  }

  async function loadVersion() {
    try {
      dataVersion = (await getJSON('health')).data_version;
    } catch (e) {
      dataVersion = null;
    }
  }

  // ---------------------------------------------------------------------------------------
  // The map, its base map, heat layer and markers.

  function buildMap(view) {
    map = L.map('map', { zoomControl: true, maxZoom: 19, minZoom: 1, worldCopyJump: true, keyboard: true });
    api.map = map;
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" title="A JavaScript library for interactive maps">Leaflet</a>');

    // A light graticule under the base map: the only orientation there is when base tiles
    // cannot load (offline); real base tiles cover it.
    map.createPane('graticule').style.zIndex = 150;
    graticule = new (L.GridLayer.extend({
      createTile(coords) {
        const tile = document.createElement('canvas');
        const size = this.getTileSize();
        tile.width = size.x;
        tile.height = size.y;
        const ctx = tile.getContext('2d');
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
    }))({ pane: 'graticule', className: 'graticule', noWrap: false });
    graticule.addTo(map);

    if (config.basemap && config.basemap.url) {
      let loaded = 0, failed = 0;
      const base = L.tileLayer(config.basemap.url, {
        maxZoom: 19, attribution: config.basemap.attribution || '', className: 'base-tiles',
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

    map.createPane('heat').style.zIndex = 350;
    heat = L.tileLayer(tileUrl(), {
      pane: 'heat', className: 'heat-tiles', maxZoom: 22, maxNativeZoom: 22, opacity: 1,
      attribution: 'Heat: incidentmap',
    });
    heat.on('tileloadstart', (e) => { api.lastTileUrl = e.tile.src; });
    heat.on('loading', () => heatLoading(true));
    heat.on('load remove', () => heatLoading(false));
    api.heat = heat;
    if (state.style && !noCategories()) heat.addTo(map);

    markers = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 48,
      spiderfyOnMaxZoom: true,
      chunkedLoading: true,
      iconCreateFunction: clusterIcon,
    });
    api.markers = markers;
    markers.addTo(map);

    addLegendControl();

    if (view) map.setView(view.center, view.zoom);
    else fitData(false);

    map.on('moveend', () => { writeHash(); loadItemsSoon(); });
    map.on('zoomend', () => loadLegendSoon());
    map.on('click', onMapClick);
    loadItems();
    loadLegend();
    writeHash();
  }

  function fitData(animate) {
    if (dataBBox) {
      const [w, s, e, n] = dataBBox;
      const b = L.latLngBounds([s, w], [n, e]);
      map.fitBounds(b.pad(0.15), { maxZoom: 9, animate });
    } else {
      map.setView([30, 20], 2, { animate });
    }
  }

  function tileUrl() {
    const q = query(Object.assign(filterParams(), { v: dataVersion }));
    return `tiles/${encodeURIComponent(state.style || 'heat')}/{z}/{x}/{y}{r}.png${q ? '?' + q : ''}`;
  }

  function updateHeat() {
    if (!heat) return;
    heat.setUrl(tileUrl());
    const show = state.style && !noCategories();
    if (show && !map.hasLayer(heat)) heat.addTo(map);
    if (!show && map.hasLayer(heat)) map.removeLayer(heat);
  }

  // The visible box as the API wants it: lon in -180..180, lat in -90..90. A view across the
  // antimeridian becomes a box whose west is greater than its east.
  function viewBBox() {
    const b = map.getBounds();
    const s = Math.max(-90, b.getSouth());
    const n = Math.min(90, b.getNorth());
    let w = b.getWest();
    let e = b.getEast();
    if (e - w >= 360) { w = -180; e = 180; } else {
      const wrap = (x) => ((((x + 180) % 360) + 360) % 360) - 180;
      const ww = wrap(w);
      const ew = wrap(e);
      w = ww; e = ew === -180 && e > w ? 180 : ew;
    }
    const f = (v) => Number(v.toFixed(5));
    return [f(w), f(s), f(e), f(n)].join(',');
  }

  let itemsAbort = null;
  let itemsSeq = 0;
  const loadItemsLater = debounce(() => loadItems(), 250);
  // A load that is scheduled counts as pending, so "nothing pending" means the markers match
  // the view.
  const loadItemsSoon = () => { itemsScheduled = true; showBusy(); loadItemsLater(); };
  loadItemsSoon.cancel = () => { loadItemsLater.cancel(); itemsScheduled = false; showBusy(); };
  const shown = new Map(); // id -> {marker, key}

  async function loadItems() {
    loadItemsSoon.cancel();
    if (itemsAbort) itemsAbort.abort();
    const seq = ++itemsSeq;
    if (noCategories()) {
      markers.clearLayers();
      shown.clear();
      setCount(0, 0);
      api.loads++;
      return;
    }
    const url = 'collections/incidents/items?' + query(Object.assign({ bbox: viewBBox(), limit: 2000 }, filterParams()));
    api.lastItemsUrl = url;
    const ctrl = itemsAbort = new AbortController();
    busy(1);
    try {
      const r = await fetch(url, { signal: ctrl.signal, cache: 'no-cache', headers: { Accept: 'application/geo+json' } });
      if (!r.ok) throw await apiError(r);
      const fc = await r.json();
      if (seq !== itemsSeq) return;
      showFeatures(fc.features || []);
      setCount(fc.numberMatched, fc.numberReturned);
      api.loads++;
    } catch (e) {
      if (e.name === 'AbortError') return;
      console.warn('items:', e.message);
      $('count').textContent = 'Could not load incidents: ' + (e.description || e.message);
    } finally {
      busy(-1);
      if (itemsAbort === ctrl) itemsAbort = null;
    }
  }

  function setCount(matched, returned) {
    api.count = matched;
    const n = Number(matched).toLocaleString('en');
    let text = `${n} incident${matched === 1 ? '' : 's'} in view`;
    if (state.from || state.to || state.cats) text += ' (filtered)';
    if (returned < matched) text += ` — showing ${returned.toLocaleString('en')}`;
    $('count').textContent = text;
    const badge = document.querySelector('.count-badge');
    if (badge) badge.textContent = text;
  }

  function showFeatures(features) {
    const centerLng = map.getCenter().lng;
    const seen = new Set();
    const add = [];
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
    if (remove.length) markers.removeLayers(remove);
    if (add.length) markers.addLayers(add);
  }

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
    const m = L.marker(latlng, { icon, title, alt: title, keyboard: true, riseOnHover: true });
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

  function clusterIcon(cluster) {
    const children = cluster.getAllChildMarkers();
    const n = children.length;
    const counts = new Map();
    for (const c of children) {
      const cat = (c.feature && c.feature.properties.category) || 'other';
      counts.set(cat, (counts.get(cat) || 0) + 1);
    }
    let acc = 0;
    const stops = [];
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

  function popupContent(m, note) {
    const f = m.feature;
    const p = f.properties || {};
    const id = m.incidentId;
    const rows = [];
    const row = (label, value, attrs) => {
      if (value === undefined || value === null || value === '') return;
      rows.push(el('tr', {}, el('th', { scope: 'row', text: label }), el('td', attrs || {}, value)));
    };
    row('Date', p.occurred_at);
    row('Category', el('span', { class: 'cat-chip', style: `--c:${catColor(p.category)}` }, catLabel(p.category)));
    row('Place (as reported)', el('bdi', { dir: 'auto', lang: /[\u0600-\u06ff]/.test(p.place || '') ? 'ar' : null }, p.place), { dir: 'auto' });
    row('Precision', p.precision ? [p.precision, PRECISION_TEXT[p.precision] ? el('span', { class: 'muted', text: ` (${PRECISION_TEXT[p.precision]})` }) : null] : null);
    row('Fatalities', p.fatalities);
    row('Injured', p.injured);
    row('Arrested', p.arrested);
    row('Source', p.source, { dir: 'auto' });
    row('Notes', p.notes, { dir: 'auto' });
    row('Gazetteer place', p.place_id);
    const known = new Set(['id', 'occurred_at', 'category', 'place', 'precision', 'fatalities', 'injured', 'arrested', 'source', 'notes', 'place_id']);
    for (const [k, v] of Object.entries(p)) {
      if (!known.has(k)) row(titleCase(k), typeof v === 'object' ? JSON.stringify(v) : v, { dir: 'auto' });
    }
    if (f.geometry && f.geometry.coordinates) {
      const [lon, lat] = f.geometry.coordinates;
      row('Coordinates', `${lat.toFixed(5)}, ${lon.toFixed(5)}`);
    }
    row('ID', el('a', { href: `collections/incidents/items/${encodeURIComponent(id)}`, target: '_blank', rel: 'noopener' }, id));
    const box = el('div', { class: 'popup-body', 'data-id': id },
      el('h3', {}, catLabel(p.category), p.place ? el('span', { class: 'sub' }, ' · ', el('bdi', { dir: 'auto' }, p.place)) : null),
      el('table', {}, el('tbody', {}, rows)));
    if (note) box.append(el('p', { class: 'error', role: 'alert', text: note }));
    if (token()) {
      const actions = el('div', { class: 'popup-actions' });
      // Each handler stops the click first: Leaflet takes a click whose target has left the
      // document (the popup's content is replaced) for a click on the map.
      const edit = el('button', { type: 'button', class: 'edit-btn', text: 'Edit', onclick: (e) => { L.DomEvent.stop(e); openEdit(m); } });
      const del = el('button', { type: 'button', class: 'danger delete-btn', text: 'Delete', onclick: (e) => {
        L.DomEvent.stop(e);
        actions.replaceChildren(
          el('span', { text: 'Delete this incident?' }),
          el('button', { type: 'button', class: 'danger confirm-delete', text: 'Yes, delete', onclick: (ev) => { L.DomEvent.stop(ev); deleteIncident(m); } }),
          el('button', { type: 'button', text: 'Keep', onclick: (ev) => { L.DomEvent.stop(ev); m.setPopupContent(popupContent(m)); } }));
        actions.querySelector('.confirm-delete').focus();
      } });
      actions.append(edit, del);
      box.append(actions);
    }
    return box;
  }

  // When a popup opens with editing on, fetch the incident for its ETag (needed for If-Match)
  // and show its newest version.
  async function freshen(m) {
    if (!token()) return;
    try {
      const { feature, etag } = await getFeature(m.incidentId);
      m.etag = etag;
      if (JSON.stringify(feature.properties) !== JSON.stringify(m.feature.properties)) {
        m.feature = feature;
        if (m.isPopupOpen()) m.setPopupContent(popupContent(m));
      }
    } catch (e) {
      if (e.status === 404 && m.isPopupOpen()) m.setPopupContent(popupContent(m, 'This incident has been deleted by someone else.'));
    }
  }

  async function getFeature(id) {
    const r = await fetch(`collections/incidents/items/${encodeURIComponent(id)}`, { cache: 'no-cache', headers: { Accept: 'application/geo+json' } });
    if (!r.ok) throw await apiError(r);
    return { feature: await r.json(), etag: r.headers.get('ETag') };
  }

  // ---------------------------------------------------------------------------------------
  // Legend and count on the map.

  let legendBox = null;
  function addLegendControl() {
    const Legend = L.Control.extend({
      options: { position: 'bottomright' },
      onAdd() {
        legendBox = L.DomUtil.create('div', 'legend leaflet-control');
        legendBox.setAttribute('aria-live', 'polite');
        L.DomEvent.disableClickPropagation(legendBox);
        return legendBox;
      },
    });
    new Legend().addTo(map);
    const Count = L.Control.extend({
      options: { position: 'topright' },
      onAdd() {
        const d = L.DomUtil.create('div', 'count-badge leaflet-control');
        d.setAttribute('aria-hidden', 'true');
        d.textContent = $('count').textContent;
        return d;
      },
    });
    new Count().addTo(map);
  }

  let legendSeq = 0;
  const loadLegendSoon = debounce(() => loadLegend(), 200);
  async function loadLegend() {
    if (!legendBox) return;
    if (!state.style) { legendBox.hidden = true; return; }
    const seq = ++legendSeq;
    const z = Math.max(0, Math.min(22, Math.round(map.getZoom())));
    try {
      const lg = await getJSON(`tiles/${encodeURIComponent(state.style)}/legend?${query({ z })}`);
      if (seq !== legendSeq) return;
      renderLegend(lg);
    } catch (e) {
      if (seq !== legendSeq) return;
      legendBox.replaceChildren(el('p', { class: 'error', text: 'Legend unavailable: ' + e.description }));
    }
  }

  function renderLegend(lg) {
    const stops = (lg.stops || []).slice().sort((a, b) => a.position - b.position);
    const cssColor = (c) => (/^#[0-9a-f]{8}$/i.test(c) ? c : c || 'transparent');
    const gradient = stops.map((s) => `${cssColor(s.color)} ${(s.position * 100).toFixed(1)}%`).join(', ');
    const ticks = el('div', { class: 'ticks' });
    let last = -1;
    stops.forEach((s, i) => {
      const final = i === stops.length - 1;
      if (!final && s.position - last < 0.16 && last >= 0) return;
      if (!final && 1 - s.position < 0.16) return;
      last = s.position;
      ticks.append(el('span', { style: `left:${(s.position * 100).toFixed(1)}%`, class: final ? 'last' : (s.position === 0 ? 'first' : '') }, fmtNumber(s.value)));
    });
    const style = styles.find((s) => s.name === state.style) || {};
    const weight = lg.weight && lg.weight !== 'count' ? `weighted by ${lg.weight}` : 'each incident counts once';
    const unit = lg.normalization && lg.normalization.unit;
    legendBox.hidden = false;
    legendBox.replaceChildren(
      el('div', { class: 'legend-title' }, el('strong', { text: lg.title || style.title || state.style }), el('span', { text: ` · zoom ${lg.zoom}` })),
      el('div', { class: 'legend-sub', text: weight }),
      el('div', { class: 'bar', role: 'img', 'aria-label': 'Colour ramp: ' + stops.map((s) => `${fmtNumber(s.value)} at ${Math.round(s.position * 100)}%`).join(', '), style: `--ramp: linear-gradient(to right, ${gradient})` }),
      ticks,
      unit ? el('div', { class: 'legend-unit', text: 'Density: ' + unit }) : null);
  }

  // ---------------------------------------------------------------------------------------
  // Heat style picker.

  function describeStyle() {
    const s = styles.find((x) => x.name === state.style);
    $('style-desc').textContent = s ? s.description || '' : '';
  }

  function buildStylePicker() {
    const sel = $('style');
    sel.replaceChildren(...styles.map((s) => el('option', { value: s.name, text: s.title || s.name })));
    if (!styles.length) { sel.disabled = true; $('style-desc').textContent = 'This server has no heat styles.'; }
    sel.value = state.style || '';
    describeStyle();
    sel.addEventListener('change', () => {
      state.style = sel.value;
      describeStyle();
      updateHeat();
      loadLegend();
      writeHash();
    });
    const op = $('heat-opacity');
    op.addEventListener('input', () => heat.setOpacity(Number(op.value) / 100));
    $('show-markers').addEventListener('change', (e) => {
      if (e.target.checked) markers.addTo(map); else map.removeLayer(markers);
    });
  }

  // ---------------------------------------------------------------------------------------
  // Filters: dates and categories.

  const applyFiltersLater = debounce(() => filtersChanged(), 200);
  const applyFiltersSoon = () => { itemsScheduled = true; showBusy(); applyFiltersLater(); };
  function filtersChanged() {
    updateHeat();
    loadItems();
    writeHash();
    summarizeFilters();
  }

  function buildDateControls() {
    const from = $('date-from'), to = $('date-to'), a = $('day-from'), b = $('day-to');
    from.addEventListener('change', () => { setDates(from.value || null, state.to); });
    to.addEventListener('change', () => { setDates(state.from, to.value || null); });
    const slid = (final) => {
      let x = Number(a.value), y = Number(b.value);
      if (x > y) { if (document.activeElement === a) y = x; else x = y; a.value = x; b.value = y; }
      const s = extent ? dayNum(extent.start) : 0;
      const max = Number(a.max);
      state.from = x <= 0 ? null : dayIso(s + x);
      state.to = y >= max ? null : dayIso(s + y);
      syncDates();
      if (final) filtersChanged(); else applyFiltersSoon();
    };
    for (const r of [a, b]) {
      r.addEventListener('input', () => slid(false));
      r.addEventListener('change', () => slid(true));
    }
    $('dates-all').addEventListener('click', () => setDates(null, null));
    syncDates();
  }

  function setDates(f, t) {
    if (f && t && f > t) [f, t] = [t, f];
    if (extent) {
      if (f && f <= extent.start) f = null;
      if (t && t >= extent.end) t = null;
    }
    state.from = f;
    state.to = t;
    syncDates();
    filtersChanged();
  }

  function syncDates() {
    const from = $('date-from'), to = $('date-to'), a = $('day-from'), b = $('day-to');
    const disabled = !extent;
    for (const i of [from, to, a, b]) i.disabled = disabled && !(i === from && state.from) && !(i === to && state.to);
    if (extent) {
      const s = dayNum(extent.start);
      const n = dayNum(extent.end) - s;
      for (const i of [from, to]) { i.min = extent.start; i.max = extent.end; }
      a.max = b.max = String(n);
      const x = state.from ? Math.max(0, Math.min(n, dayNum(state.from) - s)) : 0;
      const y = state.to ? Math.max(0, Math.min(n, dayNum(state.to) - s)) : n;
      a.value = x;
      b.value = y;
      a.setAttribute('aria-valuetext', dayIso(s + x));
      b.setAttribute('aria-valuetext', dayIso(s + y));
      $('date-fill').style.left = n ? `${(x / n) * 100}%` : '0%';
      $('date-fill').style.right = n ? `${100 - (y / n) * 100}%` : '0%';
      from.value = state.from || extent.start;
      to.value = state.to || extent.end;
    } else {
      from.value = state.from || '';
      to.value = state.to || '';
    }
    summarizeFilters();
  }

  function summarizeFilters() {
    let d;
    if (!state.from && !state.to) d = extent ? `All dates (${extent.start} to ${extent.end})` : 'All dates';
    else if (state.from && state.to) d = state.from === state.to ? `On ${state.from}` : `${state.from} to ${state.to}`;
    else if (state.from) d = `From ${state.from}`;
    else d = `Up to ${state.to}`;
    $('date-summary').textContent = d;
    $('dates-all').hidden = !state.from && !state.to;
    const c = state.cats === null ? 'All categories' : state.cats.size === 0 ? 'No category: nothing is shown' : `${state.cats.size} of ${categories.length} categories`;
    $('category-summary').textContent = c;
  }

  function buildCategoryControls() {
    const list = $('category-list');
    list.replaceChildren(...categories.map((c) => el('label', { class: 'check' },
      el('input', { type: 'checkbox', value: c, checked: true, onchange: categoryChanged }),
      el('span', { class: 'swatch', style: `--c:${catColor(c)}`, 'aria-hidden': 'true' }),
      catLabel(c))));
    $('cats-all').addEventListener('click', () => { state.cats = null; syncCategories(); filtersChanged(); });
    $('cats-none').addEventListener('click', () => { state.cats = new Set(); syncCategories(); filtersChanged(); });
    syncCategories();
  }

  function categoryChanged() {
    const on = [...$('category-list').querySelectorAll('input:checked')].map((i) => i.value);
    state.cats = on.length === categories.length ? null : new Set(on);
    applyFiltersSoon();
    summarizeFilters();
  }

  function syncCategories() {
    for (const i of $('category-list').querySelectorAll('input')) i.checked = state.cats === null || state.cats.has(i.value);
    summarizeFilters();
  }

  function syncControls() {
    $('style').value = state.style || '';
    describeStyle();
    syncDates();
    syncCategories();
    updateHeat();
    loadLegend();
  }

  // ---------------------------------------------------------------------------------------
  // Place search.

  function buildSearch() {
    const input = $('search');
    const list = $('search-results');
    const status = $('search-status');
    let results = [];
    let seq = 0;
    let lastQuery = '';
    let abort = null;

    const render = () => {
      list.replaceChildren(...results.map((r, i) => {
        const pct = Math.round((r.confidence || 0) * 100);
        const where = [r.admin1 && r.admin1 !== r.name ? r.admin1 : null, r.country].filter(Boolean).join(', ');
        return el('li', {}, el('button', { type: 'button', class: 'result', 'data-index': i, onclick: () => choose(r), onkeydown: (e) => move(e, i) },
          el('span', { class: 'r-main' }, el('bdi', { dir: 'auto', text: r.name }), ` — ${r.kind}, ${r.country || '?'}, ${pct}%`),
          el('span', { class: 'r-sub' }, where, r.matched_name && r.matched_name !== r.name ? el('span', {}, ' · matched ', el('bdi', { dir: 'auto', text: r.matched_name })) : null)));
      }));
      list.hidden = !results.length;
    };

    const move = (e, i) => {
      const buttons = list.querySelectorAll('button');
      if (e.key === 'ArrowDown') { e.preventDefault(); (buttons[i + 1] || buttons[0]).focus(); }
      if (e.key === 'ArrowUp') { e.preventDefault(); if (i === 0) input.focus(); else buttons[i - 1].focus(); }
      if (e.key === 'Escape') { e.preventDefault(); input.focus(); results = []; render(); }
    };

    const search = async (q) => {
      q = q.trim();
      if (q === lastQuery && results.length) return;
      lastQuery = q;
      if (abort) abort.abort();
      if (q.length < 2) { results = []; render(); status.textContent = ''; return; }
      const my = ++seq;
      abort = new AbortController();
      status.textContent = 'Searching…';
      try {
        const d = await getJSON(`geocode?${query({ q, limit: 5 })}`, { signal: abort.signal });
        if (my !== seq) return;
        results = d.results || [];
        render();
        status.textContent = results.length ? `${results.length} place${results.length === 1 ? '' : 's'} found` : `No place matches “${q}”.`;
      } catch (e) {
        if (e.name === 'AbortError') return;
        if (my !== seq) return;
        results = [];
        render();
        status.textContent = 'Search failed: ' + (e.description || e.message);
      }
    };
    const searchSoon = debounce(() => search(input.value), 300);

    const choose = (r) => {
      results = [];
      render();
      status.textContent = `Showing ${r.name}.`;
      if (searchPin) map.removeLayer(searchPin);
      const zoom = KIND_ZOOM[r.kind] || 10;
      if (Array.isArray(r.bbox) && r.bbox.length === 4 && r.kind !== 'city') {
        const [w, s, e, n] = r.bbox;
        map.flyToBounds([[s, w], [n, e]], { maxZoom: zoom + 2, padding: [20, 20], duration: 1.2 });
      } else {
        map.flyTo([r.lat, r.lon], zoom, { duration: 1.2 });
      }
      searchPin = L.marker([r.lat, r.lon], {
        interactive: false, keyboard: false,
        icon: L.divIcon({ className: 'search-pin', html: '<span></span>', iconSize: [28, 28] }),
      }).bindTooltip(r.name, { permanent: true, direction: 'top', offset: [0, -12], className: 'search-tip' }).addTo(map);
      setTimeout(() => { if (searchPin) { map.removeLayer(searchPin); searchPin = null; } }, 8000);
    };

    input.addEventListener('input', searchSoon);
    input.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown' && results.length) { e.preventDefault(); list.querySelector('button').focus(); }
      if (e.key === 'Escape') { results = []; render(); status.textContent = ''; }
    });
    $('search-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      searchSoon.cancel();
      const q = input.value.trim();
      if (q === lastQuery && results.length) { choose(results[0]); return; }
      await search(q);
      if (results.length === 1) choose(results[0]);
    });
    $('fit-data').addEventListener('click', () => fitData(true));
  }

  // ---------------------------------------------------------------------------------------
  // Editing.

  const TOKEN_KEY = 'incidentmap.token';
  const token = () => {
    try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (e) { return ''; }
  };
  let form = null; // {mode: 'add'|'edit', marker, etag, original, point, placeId}

  function buildEditing() {
    if (!config.writes) {
      $('edit-disabled').hidden = false;
      $('token-form').hidden = true;
      $('edit-tools').hidden = true;
      try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* ignore */ }
      return;
    }
    $('f-category').replaceChildren(...categories.map((c) => el('option', { value: c, text: catLabel(c) })));
    $('token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const t = $('token').value.trim();
      if (!t) { $('token').focus(); return; }
      try { sessionStorage.setItem(TOKEN_KEY, t); } catch (err) { /* ignore */ }
      $('token').value = '';
      syncEditing();
      toast('Editing unlocked: click the map to add an incident.');
    });
    $('lock').addEventListener('click', () => {
      try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* ignore */ }
      closeForm();
      syncEditing();
    });
    $('add-by-name').addEventListener('click', () => openAdd(null));
    $('incident-form').addEventListener('submit', (e) => { e.preventDefault(); submitForm(); });
    $('f-cancel').addEventListener('click', closeForm);
    $('f-clear-point').addEventListener('click', () => setFormPoint(null));
    syncEditing();
  }

  function syncEditing() {
    const on = !!token();
    $('token-form').hidden = on;
    $('edit-tools').hidden = !on;
    document.body.classList.toggle('editing', on);
    map.closePopup();
  }

  function onMapClick(e) {
    if (!token() || !config.writes) return;
    const target = e.originalEvent && e.originalEvent.target;
    if (!target || !document.getElementById('map').contains(target)) return;
    if (form) setFormPoint(e.latlng);
    else openAdd(e.latlng);
  }

  function openPanel() {
    if (document.body.classList.contains('panel-closed')) $('panel-toggle').click();
  }

  function openAdd(latlng) {
    form = { mode: 'add', point: null, placeId: null };
    $('form-title').textContent = 'New incident';
    $('f-date').value = todayLocal();
    $('f-time').value = '';
    $('f-category').value = categories[0];
    for (const id of ['f-place', 'f-fatalities', 'f-injured', 'f-arrested', 'f-source', 'f-notes']) $(id).value = '';
    $('f-save').textContent = 'Add incident';
    showForm();
    setFormPoint(latlng);
    (latlng ? $('f-category') : $('f-place')).focus();
  }

  async function openEdit(m) {
    map.closePopup();
    try {
      const { feature, etag } = await getFeature(m.incidentId);
      m.feature = feature;
      fillEdit(m, feature, etag);
    } catch (e) {
      toast('Could not open the incident: ' + e.description);
    }
  }

  function fillEdit(m, feature, etag) {
    const p = feature.properties || {};
    form = { mode: 'edit', marker: m, id: m.incidentId, etag, original: feature, point: null, placeId: null };
    $('form-title').textContent = `Edit incident ${m.incidentId}`;
    const at = String(p.occurred_at || '');
    if (at.includes('T')) {
      const d = new Date(at);
      const iso = isNaN(d) ? at : d.toISOString();
      $('f-date').value = iso.slice(0, 10);
      $('f-time').value = iso.slice(11, 16);
    } else {
      $('f-date').value = at.slice(0, 10);
      $('f-time').value = '';
    }
    $('f-category').value = p.category;
    $('f-place').value = p.place || '';
    $('f-fatalities').value = p.fatalities ?? '';
    $('f-injured').value = p.injured ?? '';
    $('f-arrested').value = p.arrested ?? '';
    $('f-source').value = p.source || '';
    $('f-notes').value = p.notes || '';
    $('f-save').textContent = 'Save changes';
    showForm();
    setFormPoint(null);
    $('f-category').focus();
  }

  function showForm() {
    openPanel();
    $('incident-form').hidden = false;
    $('edit-tools').hidden = true;
    formError(null);
    $('incident-form').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  function closeForm() {
    form = null;
    $('incident-form').hidden = true;
    $('edit-tools').hidden = !token();
    if (draftMarker) { map.removeLayer(draftMarker); draftMarker = null; }
    formError(null);
  }

  function setFormPoint(latlng) {
    if (!form) return;
    form.point = latlng ? L.latLng(latlng.lat, ((((latlng.lng + 180) % 360) + 360) % 360) - 180) : null;
    if (draftMarker) { map.removeLayer(draftMarker); draftMarker = null; }
    const label = $('f-point');
    if (latlng) {
      draftMarker = L.marker(latlng, {
        draggable: true, keyboard: false, title: 'New position (drag to adjust)',
        icon: L.divIcon({ className: 'draft-marker', html: '<span></span>', iconSize: [22, 22] }),
      }).addTo(map);
      draftMarker.on('dragend', () => setFormPoint(draftMarker.getLatLng()));
      label.textContent = `Point: ${form.point.lat.toFixed(5)}, ${form.point.lng.toFixed(5)}` + (form.mode === 'edit' ? ' (moves the incident)' : '');
    } else if (form.mode === 'edit') {
      label.textContent = 'Click the map to move the incident; otherwise it stays where it is.';
    } else {
      label.textContent = 'No point: the server will locate the place name. Or click the map.';
    }
    $('f-clear-point').hidden = !latlng;
  }

  function formError(message, candidates) {
    const box = $('form-error');
    const list = $('form-candidates');
    box.hidden = !message;
    box.textContent = message || '';
    list.hidden = !candidates || !candidates.length;
    list.replaceChildren(...(candidates || []).map((c) => el('li', {}, el('button', {
      type: 'button', class: 'result candidate',
      onclick: () => { form.placeId = c.id; submitForm(); },
    }, el('span', { class: 'r-main' }, el('bdi', { dir: 'auto', text: c.name }), ` — ${c.kind}, ${c.country || '?'}, ${Math.round((c.confidence || 0) * 100)}%`),
    el('span', { class: 'r-sub', text: [c.admin1, `gazetteer id ${c.id}`].filter(Boolean).join(' · ') })))));
  }

  function readForm() {
    const date = $('f-date').value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error('Enter the date of the incident.');
    const time = $('f-time').value;
    const p = {
      occurred_at: time ? `${date}T${time.length === 5 ? time + ':00' : time}Z` : date,
      category: $('f-category').value,
    };
    const text = (id) => $(id).value.trim();
    p.place = text('f-place') || null;
    for (const [key, id] of [['fatalities', 'f-fatalities'], ['injured', 'f-injured'], ['arrested', 'f-arrested']]) {
      const v = text(id);
      if (v === '') { p[key] = null; continue; }
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${titleCase(key)} must be a whole number, 0 or more.`);
      p[key] = n;
    }
    p.source = text('f-source') || null;
    p.notes = text('f-notes') || null;
    return p;
  }

  async function submitForm() {
    if (!form) return;
    let props;
    try {
      props = readForm();
    } catch (e) {
      formError(e.message);
      return;
    }
    const save = $('f-save');
    save.disabled = true;
    formError(null);
    try {
      if (form.mode === 'add') await createIncident(props);
      else await patchIncident(props);
    } catch (e) {
      handleWriteError(e);
    } finally {
      save.disabled = false;
    }
  }

  function authHeaders(extra) {
    return Object.assign({ Authorization: 'Bearer ' + token(), Accept: 'application/geo+json' }, extra);
  }

  async function createIncident(props) {
    if (!form.point && !props.place) throw new ApiError(0, 'Local', 'Click the map to set the point, or type the place name.');
    const properties = {};
    for (const [k, v] of Object.entries(props)) if (v !== null) properties[k] = v;
    if (form.placeId) properties.place_id = form.placeId;
    const feature = {
      type: 'Feature',
      geometry: form.point ? { type: 'Point', coordinates: [Number(form.point.lng.toFixed(6)), Number(form.point.lat.toFixed(6))] } : null,
      properties,
    };
    const r = await fetch('collections/incidents/items', {
      method: 'POST', headers: authHeaders({ 'Content-Type': 'application/geo+json' }), body: JSON.stringify(feature),
    });
    if (r.status !== 201 && !r.ok) throw await apiError(r);
    const created = await r.json();
    const id = String(created.id != null ? created.id : created.properties.id);
    api.lastCreated = id;
    closeForm();
    await refreshData();
    const hidden = !matchesFilters(created.properties);
    toast(hidden ? `Incident ${id} added; the current filters hide it.` : `Incident ${id} added.`,
      hidden ? { label: 'Clear filters', run: () => { state.from = state.to = null; state.cats = null; syncControls(); filtersChanged(); } }
        : { label: 'Show it', run: () => showIncident(id, created) });
  }

  function matchesFilters(p) {
    const d = String(p.occurred_at || '').slice(0, 10);
    if (state.from && d < state.from) return false;
    if (state.to && d > state.to) return false;
    if (state.cats && !state.cats.has(p.category)) return false;
    return true;
  }

  function showIncident(id, feature) {
    const find = () => (shown.get(id) || {}).marker;
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

  async function patchIncident(props) {
    const orig = form.original.properties || {};
    const changed = {};
    for (const [k, v] of Object.entries(props)) {
      const before = orig[k] === undefined ? null : orig[k];
      if (k === 'occurred_at' && v === before) continue;
      if (JSON.stringify(v) !== JSON.stringify(before)) changed[k] = v;
    }
    if (form.placeId) changed.place_id = form.placeId;
    const patch = {};
    if (Object.keys(changed).length) patch.properties = changed;
    if (form.point) patch.geometry = { type: 'Point', coordinates: [Number(form.point.lng.toFixed(6)), Number(form.point.lat.toFixed(6))] };
    if (!Object.keys(patch).length) { closeForm(); toast('Nothing changed.'); return; }
    const headers = authHeaders({ 'Content-Type': 'application/merge-patch+json' });
    if (form.etag) headers['If-Match'] = form.etag;
    const id = form.id;
    const r = await fetch(`collections/incidents/items/${encodeURIComponent(id)}`, { method: 'PATCH', headers, body: JSON.stringify(patch) });
    if (!r.ok) throw await apiError(r);
    await r.json();
    closeForm();
    await refreshData();
    toast(`Incident ${id} saved.`, { label: 'Show it', run: () => showIncident(id) });
  }

  async function handleWriteError(e) {
    if (!(e instanceof ApiError)) { formError('Could not reach the server: ' + e.message); return; }
    if (e.status === 401) {
      formError(`The server refused the token: ${e.description} Enter it again under Editing.`);
      try { sessionStorage.removeItem(TOKEN_KEY); } catch (err) { /* ignore */ }
      $('token-form').hidden = false;
      document.body.classList.remove('editing');
      return;
    }
    if (e.status === 403) { formError('Writes are switched off on this server: ' + e.description); return; }
    if (e.status === 422 && (e.code === 'AmbiguousPlace' || e.code === 'UnknownPlace')) {
      const c = e.detail.candidates || [];
      form.placeId = null;
      // The server's description lists the candidates for API clients; the list below does.
      const said = e.description.split(' (')[0].replace(/[;.\s]+$/, '');
      formError(c.length ? `${said.charAt(0).toUpperCase() + said.slice(1)}. Choose the place you mean, or click the map to set the point:`
        : `${e.description} Check the spelling, or click the map to set the point yourself.`, c);
      return;
    }
    if (e.status === 412 && form && form.mode === 'edit') {
      try {
        const { feature, etag } = await getFeature(form.id);
        const m = form.marker;
        m.feature = feature;
        fillEdit(m, feature, etag);
        formError('Someone else changed this incident since you opened it. The form now shows their version: make your changes again and save.');
      } catch (err) {
        formError('Someone else changed or deleted this incident meanwhile: ' + err.description);
      }
      loadItems();
      return;
    }
    if (e.status === 404 && form && form.mode === 'edit') {
      formError('This incident no longer exists: someone deleted it. ' + e.description);
      loadItems();
      return;
    }
    formError(e.description);
  }

  async function deleteIncident(m) {
    const headers = authHeaders({});
    if (m.etag) headers['If-Match'] = m.etag;
    let r;
    try {
      r = await fetch(`collections/incidents/items/${encodeURIComponent(m.incidentId)}`, { method: 'DELETE', headers });
    } catch (e) {
      m.setPopupContent(popupContent(m, 'Could not reach the server: ' + e.message));
      return;
    }
    if (r.status === 204 || r.ok) {
      map.closePopup();
      toast(`Incident ${m.incidentId} deleted.`);
      await refreshData();
      return;
    }
    const e = await apiError(r);
    if (e.status === 412) {
      try {
        const { feature, etag } = await getFeature(m.incidentId);
        m.feature = feature;
        m.etag = etag;
        m.setPopupContent(popupContent(m, 'Someone else changed this incident meanwhile; here is the latest version. Delete again if you still mean to.'));
      } catch (err) {
        m.setPopupContent(popupContent(m, 'Someone else changed or deleted this incident: ' + err.description));
      }
      return;
    }
    if (e.status === 401) {
      try { sessionStorage.removeItem(TOKEN_KEY); } catch (err) { /* ignore */ }
      syncEditing();
      toast(`The server refused the token: ${e.description}`);
      return;
    }
    m.setPopupContent(popupContent(m, e.description));
  }

  // After a write: the data version (heat tile URLs carry it, so tiles refetch), the extent
  // (bounds of the date filter), the markers and the legend.
  async function refreshData() {
    await Promise.all([loadVersion(), loadExtent()]);
    syncDates();
    updateHeat();
    loadLegend();
    await loadItems();
  }

  // ---------------------------------------------------------------------------------------
  // Panel.

  function buildPanelToggle() {
    const btn = $('panel-toggle');
    const set = (open) => {
      document.body.classList.toggle('panel-closed', !open);
      btn.setAttribute('aria-expanded', String(open));
      btn.title = open ? 'Hide the panel' : 'Show the panel';
      btn.firstElementChild.textContent = open ? '‹' : '›';
      setTimeout(() => map.invalidateSize({ pan: false }), 260);
    };
    btn.addEventListener('click', () => set(document.body.classList.contains('panel-closed')));
    if (window.matchMedia('(max-width: 720px)').matches) set(false);
  }

  start().catch((e) => {
    console.error(e);
    const c = document.getElementById('count');
    if (c) c.textContent = 'The map failed to start: ' + e.message;
  });
})();
