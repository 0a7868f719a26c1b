// Browser test of the map page: a real Chromium (Debian's /usr/bin/chromium) driven by
// playwright-core against a running `incidentmap serve --demo`.
//
//   node scripts/ci/browser.mjs <server URL> <artifact dir>
//
// The page is loaded under a path prefix (<URL>/maps/, forwarded to the server with the
// prefix removed, as a reverse proxy would), so any URL in the page that is not relative
// shows up as a request outside the prefix and fails the test.
//
// The page is served with a Content-Security-Policy (src/http/web.rs): any violation of it,
// on any page of the test, fails the test.
//
// Environment: INCIDENTMAP_WRITE_TOKEN (the server's write token, for the editing steps);
// DOCS_SCREENSHOT=path also writes a larger screenshot for the documentation.

import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const [serverArg, artDir = 'ci-artifacts'] = process.argv.slice(2);
if (!serverArg) {
  console.error('usage: node scripts/ci/browser.mjs <server URL> <artifact dir>');
  process.exit(2);
}
const server = new URL(serverArg.endsWith('/') ? serverArg : serverArg + '/');
const PREFIX = '/maps/';
const pageUrl = new URL(PREFIX, server).href;
const TOKEN = process.env.INCIDENTMAP_WRITE_TOKEN || '';
const ALMATY = { lon: 76.9115, lat: 43.25249 };
mkdirSync(artDir, { recursive: true });

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
let passed = 0;
let failed = 0;
const failures = [];

class Check extends Error {}
function expect(cond, message) {
  if (!cond) throw new Check(message);
}

const userDataDir = mkdtempSync(join(tmpdir(), 'incidentmap-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
  viewport: { width: 1366, height: 860 },
  deviceScaleFactor: 1,
  locale: 'en-US',
  timezoneId: 'UTC',
});
context.setDefaultTimeout(20000);

// What the page did: script errors, requests, failures, Content-Security-Policy violations.
const pageErrors = [];
const consoleErrors = [];
const cspViolations = [];
const isCspReport = (text) => /Content Security Policy/i.test(text);
// Every page of the context reports the violations it sees (the console also says, but
// the event names the directive and what was blocked).
await context.exposeBinding('__cspViolation', ({ page: p }, v) => {
  if (p && p.__framingProbe) return; // expected there
  cspViolations.push(v);
});
await context.addInitScript(() => {
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolation(`${e.effectiveDirective || e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile || 'page'}:${e.lineNumber || 0})`);
  });
});
const tileRequests = [];
const vectorRequests = [];
const badRequests = []; // requests to our server outside the prefix, or local failures
const page = context.pages()[0] || await context.newPage();
page.on('pageerror', (e) => pageErrors.push(e.stack || String(e)));
page.on('console', (m) => {
  if (m.type() === 'error') consoleErrors.push(m.text());
  if (isCspReport(m.text())) cspViolations.push(m.text());
});
page.on('request', (r) => {
  const u = new URL(r.url());
  if (u.origin !== server.origin) return;
  if (!u.pathname.startsWith(PREFIX)) badRequests.push(`not relative to the page: ${r.method()} ${u.pathname}${u.search}`);
  if (/^\/maps\/tiles\/[^/]+\/\d+\/\d+\/\d+(@2x)?\.png/.test(u.pathname)) tileRequests.push(r.url());
  if (/^\/maps\/collections\/incidents\/tiles\/WebMercatorQuad\/\d+\/\d+\/\d+$/.test(u.pathname)) vectorRequests.push(r.url());
});
page.on('requestfailed', (r) => {
  const u = new URL(r.url());
  const why = (r.failure() || {}).errorText || '';
  // Offline: the base map's tiles and any CDN cannot be reached; cancelled tiles and
  // superseded fetches are aborted on purpose.
  if (u.origin !== server.origin || /ERR_ABORTED/.test(why)) return;
  badRequests.push(`failed: ${r.method()} ${u.pathname}${u.search}: ${why}`);
});
page.on('response', (r) => {
  const u = new URL(r.url());
  if (u.origin === server.origin && r.status() >= 500) badRequests.push(`server error ${r.status()}: ${u.pathname}${u.search}`);
});

// The reverse proxy: /maps/... is the server's /... . It forwards at most 6 requests at once,
// as a browser does over HTTP/1.1 to one host: playwright's route.fetch has no such limit,
// and requests the page has already given up on (tiles of a zoom it left) would otherwise all
// reach the server at once and be shed with 503, which no browser would cause.
let proxied = 0;
const waiting = [];
const proxySlot = () => (proxied < 6 ? (proxied++, Promise.resolve()) : new Promise((r) => waiting.push(r)));
const proxyDone = () => { const next = waiting.shift(); if (next) next(); else proxied--; };
await context.route((u) => u.origin === server.origin && u.pathname.startsWith(PREFIX), async (route) => {
  const u = new URL(route.request().url());
  u.pathname = '/' + u.pathname.slice(PREFIX.length);
  await proxySlot();
  try {
    const response = await route.fetch({ url: u.href, maxRedirects: 0 });
    await route.fulfill({ response });
  } catch (e) {
    await route.abort('failed').catch(() => {});
  } finally {
    proxyDone();
  }
});

async function step(name, fn) {
  const s = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${((Date.now() - s) / 1000).toFixed(1)}s)`);
  } catch (e) {
    failed++;
    const msg = e instanceof Check ? e.message : (e.stack || String(e)).split('\n').slice(0, 4).join('\n');
    failures.push(`${name}: ${msg}`);
    console.log(`FAIL ${name}: ${msg}`);
    const shot = join(artDir, `failure-${passed + failed}.png`);
    await page.screenshot({ path: shot }).catch(() => {});
    console.log(`     screenshot: ${shot}`);
  }
}

// Waits until the page's incident request made after `since` has been answered and nothing
// is loading.
async function settled(since, what) {
  try {
    await page.waitForFunction((n) => {
      const a = window.incidentmap;
      return a && a.loads > n && a.pending === 0;
    }, since, { timeout: 20000 });
  } catch (e) {
    const s = await page.evaluate(() => ({ loads: window.incidentmap.loads, pending: window.incidentmap.pending, url: window.incidentmap.lastItemsUrl }));
    throw new Check(`${what}: the incidents did not load (${JSON.stringify(s)})`);
  }
}
const loads = () => page.evaluate(() => window.incidentmap.loads);
const count = () => page.evaluate(() => window.incidentmap.count);

async function moveMap(fnBody, arg, what) {
  const before = await loads();
  await page.evaluate(fnBody, arg);
  await settled(before, what);
}

// MapLibre zooms: one less than a 256-px-tile map's for the same scale.
const jumpTo = (center, zoom, what) => moveMap(([c, z]) => window.incidentmap.map.jumpTo({ center: c, zoom: z }), [center, zoom], what);
const kazakhstanView = () => jumpTo([64, 46.5], 4, 'Kazakhstan view');

// Of these heat tile URLs (as the page requested them), how many have a non-transparent
// pixel: fetched again by the page and decoded.
function heatTilesDrawn(urls) {
  return page.evaluate(async (list) => {
    let drawn = 0;
    const c = document.createElement('canvas');
    const ctx = c.getContext('2d', { willReadFrequently: true });
    for (const u of list) {
      const img = await createImageBitmap(await (await fetch(u)).blob());
      c.width = img.width;
      c.height = img.height;
      ctx.clearRect(0, 0, c.width, c.height);
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) { drawn++; break; }
    }
    return drawn;
  }, urls);
}

// The incidents the markers on the map stand for: cluster counts plus single points.
const markerTotal = () => page.evaluate(() => [...document.querySelectorAll('.incident-cluster')].reduce((s, e) => s + Number(e.dataset.count), 0)
  + document.querySelectorAll('.incident-marker[data-id]').length);

// Opens incident `id`'s popup from the map as a person would: its point when it stands alone,
// otherwise the cluster nearest `near` — zooming in where the cluster parts, or picking the
// incident from the list of a cluster whose incidents share one spot.
async function openFromMap(id, near) {
  for (let i = 0; i < 8; i++) {
    const point = page.locator(`.incident-marker[data-id="${id}"]`);
    if (await point.count()) { await point.click(); return; }
    const listed = page.locator(`.cluster-list button[data-id="${id}"]`);
    if (await listed.count()) { await listed.click(); return; }
    const nearest = await page.evaluate((p) => {
      const map = window.incidentmap.map;
      const at = map.project(p);
      let best = null;
      document.querySelectorAll('.incident-cluster').forEach((e, i) => {
        const r = e.getBoundingClientRect();
        const box = map.getContainer().getBoundingClientRect();
        const d = Math.hypot(r.x + r.width / 2 - box.x - at.x, r.y + r.height / 2 - box.y - at.y);
        if (!best || d < best.d) best = { i, d, zoom: e.dataset.expansionZoom };
      });
      return best;
    }, [near.lon, near.lat]);
    if (!nearest) throw new Check(`neither a point nor a cluster near ${JSON.stringify(near)} for ${id}`);
    const before = await loads();
    await page.locator('.incident-cluster').nth(nearest.i).click();
    if (nearest.zoom !== undefined) await settled(before, 'after clicking a cluster');
    else await page.locator('.cluster-list').waitFor({ state: 'visible' }).catch(() => { throw new Check('clicking a one-spot cluster listed nothing'); });
  }
  throw new Check(`could not reach incident ${id} from the map`);
}

try {
  await step('a. the page loads with no script errors', async () => {
    const r = await page.goto(pageUrl, { waitUntil: 'domcontentloaded' });
    expect(r && r.ok(), `GET ${pageUrl} answered ${r && r.status()}`);
    expect((r.headers()['content-type'] || '').includes('text/html'), `the page is not HTML: ${r.headers()['content-type']}`);
    try {
      await page.waitForFunction(() => window.incidentmap && window.incidentmap.ready && window.incidentmap.loads > 0 && window.incidentmap.pending === 0, null, { timeout: 30000 });
    } catch (e) {
      throw new Check(`the map did not start within 30 s; page errors: ${pageErrors.join(' | ') || 'none'}; console: ${consoleErrors.slice(0, 5).join(' | ')}`);
    }
    const info = await page.evaluate(() => ({
      libraries: window.incidentmap.libraries, title: document.title,
      maplibre: !!(window.incidentmap.map && window.incidentmap.map.getStyle && window.incidentmap.map.getSource('incidents')),
    }));
    expect(info.maplibre, `no MapLibre map with the incidents' vector source: ${JSON.stringify(info)}`);
    console.log(`     MapLibre from ${info.libraries}, title "${info.title}"`);
    // A server that has the libraries must be where they came from: no internet needed.
    const cfg = await (await page.request.get(new URL('config.json', server).href)).json();
    expect(!cfg.vendored || info.libraries === 'vendor', `the server has the libraries, yet the page loaded them from ${info.libraries}`);
    const csp = r.headers()['content-security-policy'] || '';
    expect(/frame-ancestors 'none'/.test(csp) && /script-src 'self'/.test(csp), `the page's Content-Security-Policy: ${csp || 'none'}`);
    expect(pageErrors.length === 0, `uncaught script errors: ${pageErrors.join(' | ')}`);
  });

  await step('b. heat tiles are requested and drawn', async () => {
    await kazakhstanView();
    expect(tileRequests.length > 0, 'no request to tiles/<style>/{z}/{x}/{y}.png');
    const drawn = await heatTilesDrawn(tileRequests.slice(-24));
    expect(drawn > 0, `none of the last ${Math.min(24, tileRequests.length)} heat tiles requested has a non-transparent pixel`);
    console.log(`     ${tileRequests.length} heat tile requests; ${drawn} of the last ${Math.min(24, tileRequests.length)} have colour`);
  });

  await step('b2. the markers come from the vector tiles and add up to numberMatched', async () => {
    expect(vectorRequests.length > 0, 'no request to collections/incidents/tiles/WebMercatorQuad/{z}/{y}/{x}');
    const items = await page.evaluate(async () => (await fetch('collections/incidents/items?limit=1')).json());
    // At zoom 1 the whole world is in view: every incident is in one cluster or point.
    await jumpTo([40, 20], 1, 'world view');
    await page.waitForFunction(() => window.incidentmap.pending === 0);
    const total = await markerTotal();
    expect(total === items.numberMatched, `the markers stand for ${total} incidents, the items endpoint matches ${items.numberMatched}`);
    const itemsRequests = await page.evaluate(() => window.incidentmap.lastItemsUrl);
    expect(/limit=1\b/.test(itemsRequests), `the page pages incidents for markers: ${itemsRequests}`);
    console.log(`     ${vectorRequests.length} vector tile requests; markers for ${total} incidents = numberMatched`);
  });

  await step('c. the Almaty incidents appear as markers', async () => {
    await jumpTo([ALMATY.lon, ALMATY.lat], 11, 'Almaty view');
    const n = await count();
    expect(n >= 7, `expected at least 7 incidents in view at Almaty, the page counts ${n}`);
    const countText = await page.textContent('#count');
    expect(/\b\d+ incidents? in view/.test(countText), `the count reads "${countText}"`);
    const shown = await markerTotal();
    expect(shown >= 7, `the markers stand for ${shown} incidents, expected at least 7`);
    await openFromMap('kz22-004', ALMATY);
    const popup = page.locator('.incident-popup .popup-body[data-id="kz22-004"]');
    await popup.waitFor({ state: 'visible' });
    const text = await popup.textContent();
    expect(text.includes('ألما آتا') && text.includes('2022-01-04') && /city/.test(text), `the popup lacks fields: ${text}`);
    expect(await popup.locator('td[dir="auto"] bdi').count() > 0, 'the place is not rendered with dir="auto"');
    // The full record follows the tile's properties (the source is not in the tiles).
    await page.waitForFunction(() => /Source/.test(document.querySelector('.incident-popup .popup-body').textContent), null, { timeout: 5000 })
      .catch(() => { throw new Check('the popup did not load the full incident (no Source row)'); });
    // kz22-004 is in Almaty city: its derived region (admin1) is shown with its code.
    const region = await popup.locator('tr', { hasText: 'Region' }).textContent();
    expect(/Almaty\s*\(KZ\.02\)/.test(region), `the popup's region row says ${region}`);
    await page.click('.maplibregl-popup-close-button');
  });

  await step('d. the date filter changes heat tile URLs and the marker count', async () => {
    await kazakhstanView();
    const all = await count();
    const tilesBefore = tileRequests.length;
    const vectorBefore = vectorRequests.length;
    const before = await loads();
    await page.fill('#date-to', '2022-01-04');
    await settled(before, 'after the date filter');
    const filtered = await count();
    expect(filtered < all, `the count did not drop: ${all} before, ${filtered} after ending the range on 2022-01-04`);
    const itemsUrl = await page.evaluate(() => window.incidentmap.lastItemsUrl);
    expect(/datetime=\.\.\/2022-01-04|datetime=2022-01-0\d\/2022-01-04/.test(itemsUrl), `the items request lacks the datetime: ${itemsUrl}`);
    const newTiles = tileRequests.slice(tilesBefore);
    expect(newTiles.some((u) => u.includes('datetime=')), `no heat tile request with datetime= after the change (${newTiles.length} new tile requests)`);
    const newVector = vectorRequests.slice(vectorBefore);
    expect(newVector.length > 0 && newVector.every((u) => u.includes('datetime=')), `vector tile requests after the change: ${newVector.slice(0, 3).join(' ')}`);
    const hash = await page.evaluate(() => location.hash);
    expect(hash.includes('to=2022-01-04'), `the page URL does not keep the filter: ${hash}`);
    console.log(`     ${all} → ${filtered} incidents in view; hash ${hash}`);

    // A shared link restores the view.
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => window.incidentmap && window.incidentmap.ready && window.incidentmap.loads > 0 && window.incidentmap.pending === 0, null, { timeout: 30000 });
    const restored = { to: await page.inputValue('#date-to'), count: await count() };
    expect(restored.to === '2022-01-04' && restored.count === filtered, `reloading ${hash} gave ${JSON.stringify(restored)}`);

    const b2 = await loads();
    await page.click('#dates-all');
    await settled(b2, 'after clearing the dates');
    expect(await count() === all, `clearing the dates gave ${await count()} incidents, expected ${all}`);
  });

  await step('d2. the histogram counts the incidents in view per day; dragging across it sets the dates', async () => {
    await kazakhstanView();
    const all = await count();
    await page.waitForFunction((n) => window.incidentmap.histogram && window.incidentmap.histogram.total === n, all, { timeout: 15000 })
      .catch(async () => { throw new Check(`the histogram counts ${JSON.stringify(await page.evaluate(() => window.incidentmap.histogram))}, the page ${all} in view`); });
    const { bars } = await page.evaluate(() => window.incidentmap.histogram);
    const box = await page.locator('#histogram').boundingBox();
    const x = (i) => box.x + ((i + 0.5) / bars) * box.width;
    // The demo runs from 2022-01-02: bars 2 to 4 are 4 to 6 January.
    const before = await loads();
    await page.mouse.move(x(2), box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(x(3), box.y + box.height / 2);
    await page.mouse.move(x(4), box.y + box.height / 2);
    await page.mouse.up();
    await settled(before, 'after brushing the histogram');
    const range = [await page.inputValue('#date-from'), await page.inputValue('#date-to')];
    expect(range[0] === '2022-01-04' && range[1] === '2022-01-06', `the brush set ${range.join(' to ')}`);
    const hash = await page.evaluate(() => location.hash);
    expect(hash.includes('from=2022-01-04') && hash.includes('to=2022-01-06'), `the address: ${hash}`);
    const n = await count();
    const inBars = await page.evaluate(() => document.querySelectorAll('#histogram .bar.in').length);
    expect(n < all && inBars === 3, `${n} of ${all} incidents in view, ${inBars} bars chosen`);
    console.log(`     ${bars} bars, ${all} incidents; 4-6 January: ${n}`);
    const b2 = await loads();
    await page.click('#dates-all');
    await settled(b2, 'after clearing the dates');
  });

  await step('e. searching ألما آتا finds Almaty and flies there', async () => {
    await page.fill('#search', 'ألما آتا');
    const first = page.locator('#search-results button').first();
    await first.waitFor({ state: 'visible' }).catch(() => { throw new Check('no search results appeared'); });
    const label = await first.textContent();
    expect(/Almaty/.test(label) && /city/.test(label) && /KZ/.test(label) && /\d+%/.test(label), `the first result reads "${label}"`);
    await first.click();
    try {
      await page.waitForFunction((p) => {
        const c = window.incidentmap.map.getCenter();
        return Math.abs(c.lng - p.lon) < 0.5 && Math.abs(c.lat - p.lat) < 0.5 && window.incidentmap.map.getZoom() >= 8;
      }, ALMATY, { timeout: 15000 });
    } catch (e) {
      const c = await page.evaluate(() => [window.incidentmap.map.getCenter(), window.incidentmap.map.getZoom()]);
      throw new Check(`the map did not fly to Almaty: center ${JSON.stringify(c)}`);
    }
  });

  await step('f. editing: add by place name, then delete', async () => {
    expect(TOKEN, 'INCIDENTMAP_WRITE_TOKEN is not set for the test');
    await kazakhstanView();
    const before = await count();
    await page.fill('#token', TOKEN);
    await page.click('#token-form button[type=submit]');
    await page.locator('#add-by-name').waitFor({ state: 'visible' });

    // An ambiguous name lists the candidates.
    await page.click('#add-by-name');
    await page.fill('#f-place', 'Springfield');
    await page.click('#f-save');
    await page.locator('#form-candidates button').first().waitFor({ state: 'visible' })
      .catch(async () => { throw new Check(`no candidates for an ambiguous place; the form says: ${await page.textContent('#form-error')}`); });
    await page.click('#f-cancel');

    await page.click('#add-by-name');
    const today = await page.evaluate(() => { const d = new Date(); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; });
    await page.fill('#f-date', today);
    await page.selectOption('#f-category', 'protest');
    await page.fill('#f-place', 'جاناوزين');
    await page.fill('#f-source', 'browser test');
    const l0 = await loads();
    await page.click('#f-save');
    try {
      await page.waitForFunction(() => window.incidentmap.lastCreated, null, { timeout: 15000 });
    } catch (e) {
      throw new Check(`the incident was not created; the form says: ${await page.textContent('#form-error')}`);
    }
    await settled(l0, 'after adding');
    const id = await page.evaluate(() => window.incidentmap.lastCreated);
    const after = await count();
    expect(after === before + 1, `the count went from ${before} to ${after} after adding ${id}`);
    const stored = await page.evaluate(async (i) => (await fetch(`collections/incidents/items/${i}`)).json(), id);
    expect(stored.properties.place === 'جاناوزين' && stored.properties.category === 'protest' && stored.properties.occurred_at === today,
      `the stored incident differs: ${JSON.stringify(stored.properties)}`);
    const [lon, lat] = stored.geometry.coordinates;
    expect(Math.abs(lon - 52.86) < 0.3 && Math.abs(lat - 43.34) < 0.3, `the server put جاناوزين at ${lon},${lat}`);

    // Show it (the toast's button) and edit it from its popup; someone else changes it
    // meanwhile, so the first save meets 412 and the form reloads.
    const openPopup = async () => {
      await page.click('#toast button');
      const p = page.locator(`.incident-popup .popup-body[data-id="${id}"]`);
      await p.waitFor({ state: 'visible', timeout: 15000 }).catch(() => { throw new Check(`the popup of ${id} did not open`); });
      return p;
    };
    let popup = await openPopup();
    await popup.locator('.edit-btn').click();
    await page.locator('#incident-form').waitFor({ state: 'visible' });
    await page.waitForFunction(() => document.getElementById('f-place').value === 'جاناوزين');
    const other = await page.evaluate(async ([i, t]) => (await fetch(`collections/incidents/items/${i}`, {
      method: 'PATCH', headers: { Authorization: 'Bearer ' + t, 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ properties: { notes: 'changed elsewhere' } }),
    })).status, [id, TOKEN]);
    expect(other === 200, `the concurrent PATCH answered ${other}`);
    await page.fill('#f-fatalities', '2');
    await page.click('#f-save');
    await page.waitForFunction(() => /Someone else changed/.test(document.getElementById('form-error').textContent), null, { timeout: 10000 })
      .catch(async () => { throw new Check(`no conflict message after a concurrent change; the form says: "${await page.textContent('#form-error')}"`); });
    expect(await page.inputValue('#f-notes') === 'changed elsewhere', 'the form did not reload the latest version after 412');
    await page.fill('#f-fatalities', '2');
    await page.click('#f-save');
    await page.locator('#incident-form').waitFor({ state: 'hidden', timeout: 10000 })
      .catch(async () => { throw new Check(`the edit was not saved; the form says: "${await page.textContent('#form-error')}"`); });
    const edited = await page.evaluate(async (i) => (await fetch(`collections/incidents/items/${i}`, { cache: 'no-store' })).json(), id);
    expect(edited.properties.fatalities === 2 && edited.properties.notes === 'changed elsewhere' && edited.properties.place === 'جاناوزين',
      `after the edit the incident is ${JSON.stringify(edited.properties)}`);

    // Delete it from its popup.
    popup = await openPopup();
    await page.waitForFunction((i) => /Fatalities\s*2/.test(document.querySelector(`.popup-body[data-id="${i}"]`).textContent), id, { timeout: 5000 })
      .catch(() => { throw new Check('the popup does not show the edited fatalities'); });
    await popup.locator('.delete-btn').click();
    const l1 = await loads();
    await popup.locator('.confirm-delete').click();
    await settled(l1, 'after deleting');
    const gone = await page.evaluate(async (i) => (await fetch(`collections/incidents/items/${i}`)).status, id);
    expect(gone === 404, `after deleting, GET ${id} answered ${gone}`);
    const still = await page.locator(`.incident-marker[data-id="${id}"]`).count();
    expect(!still, `the marker of ${id} is still on the map`);
    await kazakhstanView();
    expect(await count() === before, `after deleting, ${await count()} incidents in view, expected ${before}`);
  });

  await step('f2. reports: an Arabic report becomes drafts; one published shows in the heat tile and the items, one rejected leaves no trace', async () => {
    expect(TOKEN, 'INCIDENTMAP_WRITE_TOKEN is not set for the test');
    if (await page.isVisible('#f-cancel')) await page.click('#f-cancel');
    if (await page.isVisible('#token-form')) {
      await page.fill('#token', TOKEN);
      await page.click('#token-form button[type=submit]');
    }
    await page.locator('#reports-card').waitFor({ state: 'visible' });
    // Every date and category, so the page's tiles and count include the drafts' day.
    for (const all of ['#dates-all', '#cats-all']) if (await page.isVisible(all)) await page.click(all);
    await kazakhstanView();
    const before = await count();
    const aktobe = { lon: 57.207, lat: 50.2797 }, shymkent = { lon: 69.5901, lat: 42.3 };
    // The page's heat tile at a point, as it would request it now: the strongest alpha around
    // the point, and a digest of the whole tile.
    // The template of the heat tiles the page requested last (its style, filters, version).
    const template = () => {
      const last = tileRequests[tileRequests.length - 1];
      expect(last, 'no heat tile requested yet');
      return last.replace(/\/(\d+)\/(\d+)\/(\d+)(@2x)?\.png/, '/{z}/{x}/{y}$4.png');
    };
    // A new heat tile request with another template (a new data version), within 15 s.
    const newTemplate = async (old, what) => {
      for (let i = 0; i < 150 && template() === old; i++) await page.waitForTimeout(100);
      expect(template() !== old, `the heat tiles were not refetched ${what}`);
      return template();
    };
    const heatAt = (p, url) => page.evaluate(async ({ p, url }) => {
      const z = 6, n = 2 ** z, retina = url.includes('@2x'), size = retina ? 512 : 256;
      const fx = (p.lon + 180) / 360 * n;
      const r = p.lat * Math.PI / 180;
      const fy = (1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * n;
      const [x, y] = [Math.floor(fx), Math.floor(fy)];
      const u = url.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y));
      const img = await createImageBitmap(await (await fetch(u, { cache: 'no-store' })).blob());
      const c = document.createElement('canvas');
      c.width = img.width; c.height = img.height;
      const ctx = c.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      const px = Math.floor((fx - x) * size), py = Math.floor((fy - y) * size);
      let max = 0, digest = 0;
      for (let j = Math.max(0, py - 4); j <= Math.min(size - 1, py + 4); j++) {
        for (let i = Math.max(0, px - 4); i <= Math.min(size - 1, px + 4); i++) max = Math.max(max, d[(j * size + i) * 4 + 3]);
      }
      for (let i = 0; i < d.length; i++) digest = (digest * 31 + d[i]) >>> 0;
      return { max, digest, url: u };
    }, { p, url });
    const itemsNear = (p) => page.evaluate(async (q) => (await (await fetch(`collections/incidents/items?datetime=2022-01-06&bbox=${q.lon - 1},${q.lat - 1},${q.lon + 1},${q.lat + 1}`, { cache: 'no-store' })).json()).numberMatched, p);
    const heatBefore = await heatAt(aktobe, template());
    expect(await itemsNear(aktobe) === 0, 'the demo already has an incident at Aktobe on 6 January');

    await page.fill('#report-text', 'خرج مئات المتظاهرين أمس إلى شوارع مدينة أكتوبي احتجاجا على ارتفاع أسعار الغاز. '
      + 'وفي مدينة شيمكنت، اعتقلت الشرطة 40 شخصا بعد مواجهات مع المحتجين.');
    await page.fill('#report-date', '2022-01-07');
    await page.fill('#report-source', 'browser test wire');
    await page.click('#report-submit');
    await page.locator('#report-drafts li.draft').first().waitFor({ state: 'visible', timeout: 15000 })
      .catch(async () => { throw new Check(`no drafts listed; the card says: ${await page.textContent('#report-error')}`); });
    const marks = await page.$$eval('#report-marked mark', (ms) => ms.map((m) => [m.className, m.textContent]));
    const has = (kind, text) => marks.some(([c, t]) => c === `ev-${kind}` && t.includes(text));
    expect(has('place', 'أكتوبي') && has('place', 'شيمكنت') && has('date', 'أمس') && has('count', '40') && has('event', ''),
      `the report's text is not marked as expected: ${JSON.stringify(marks)}`);
    const onMap = await page.evaluate(() => window.incidentmap.map.getSource('drafts').serialize().data.features.length);
    expect(onMap === 2, `${onMap} drafts on the map, expected 2`);
    expect(await count() === before, 'drafts changed the public count');

    // Publish the draft at Aktobe.
    const draftAt = (name) => page.locator('#report-drafts li.draft', { hasText: name });
    const aktobeId = await draftAt('Aktobe').getAttribute('data-id');
    const shymkentId = await draftAt('Shymkent').getAttribute('data-id');
    expect(aktobeId && shymkentId, 'the drafts have no incident ids');
    const anonymous = await page.evaluate(async (i) => (await fetch(`collections/incidents/items/${i}`)).status, aktobeId);
    expect(anonymous === 404, `a draft is visible without a token (${anonymous})`);
    const url0 = template();
    const l0 = await loads();
    await draftAt('Aktobe').locator('.publish-btn').click();
    await page.waitForFunction((i) => document.querySelector(`#report-drafts li[data-id="${i}"]`)?.dataset.status === 'published', aktobeId, { timeout: 15000 })
      .catch(() => { throw new Check('the draft at Aktobe did not become published'); });
    await settled(l0, 'after publishing');
    const url1 = await newTemplate(url0, 'after publishing');
    const heatAfter = await heatAt(aktobe, url1);
    expect(heatAfter.max > heatBefore.max, `the heat tile at Aktobe did not change: alpha ${heatBefore.max} → ${heatAfter.max} (${heatAfter.url})`);
    expect(await itemsNear(aktobe) === 1, 'the published draft is not in the items');
    await kazakhstanView();
    expect(await count() === before + 1, `after publishing, ${await count()} incidents in view, expected ${before + 1}`);

    // Reject the draft at Shymkent: nothing outside the queue changes.
    const shymkentBefore = await heatAt(shymkent, url1);
    await draftAt('Shymkent').locator('.reject-btn').click();
    await page.waitForFunction((i) => document.querySelector(`#report-drafts li[data-id="${i}"]`)?.dataset.status === 'rejected', shymkentId, { timeout: 15000 })
      .catch(() => { throw new Check('the draft at Shymkent did not become rejected'); });
    const status = await page.evaluate(async (i) => (await fetch(`collections/incidents/items/${i}`)).status, shymkentId);
    expect(status === 404, `a rejected draft answers ${status} without a token`);
    expect(await itemsNear(shymkent) === 0, 'the rejected draft is in the items');
    // The page does not refetch its tiles for a rejection (nothing public changed): ask for
    // the tile at the data version the rejection made.
    const version = await page.evaluate(async () => (await (await fetch('health', { cache: 'no-store' })).json()).data_version);
    const url2 = url1.replace(/([?&]v=)\d+/, `$1${version}`);
    expect(url2 !== url1, `the tile URL carries no data version: ${url1}`);
    const shymkentAfter = await heatAt(shymkent, url2);
    expect(shymkentAfter.digest === shymkentBefore.digest, 'the heat tile at Shymkent changed after a rejection');
    await kazakhstanView();
    expect(await count() === before + 1, `after rejecting, ${await count()} incidents in view, expected ${before + 1}`);
    console.log(`     drafts ${aktobeId} published (heat alpha ${heatBefore.max} → ${heatAfter.max}), ${shymkentId} rejected`);
    await page.screenshot({ path: join(artDir, 'reports.png') });
  });

  await step('g. screenshot of Kazakhstan', async () => {
    if (await page.isVisible('.maplibregl-popup-close-button')) await page.click('.maplibregl-popup-close-button');
    if (await page.isVisible('#f-cancel')) await page.click('#f-cancel');
    if (await page.isVisible('#lock')) await page.click('#lock');
    await page.evaluate(() => { document.getElementById('panel').scrollTop = 0; });
    await kazakhstanView();
    await page.waitForFunction(() => window.incidentmap.pending === 0);
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(artDir, 'map.png') });
    if (process.env.DOCS_SCREENSHOT) {
      // A fresh page at the default view (fitted to the data), one popup open.
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.goto(pageUrl, { waitUntil: 'domcontentloaded' });
      await page.waitForFunction(() => window.incidentmap && window.incidentmap.ready && window.incidentmap.loads > 0 && window.incidentmap.pending === 0, null, { timeout: 30000 });
      await page.waitForTimeout(500);
      const single = page.locator(process.env.DOCS_POPUP ? `.incident-marker[data-id="${process.env.DOCS_POPUP}"]` : '.incident-marker[data-id]').first();
      if (await single.count()) await single.click();
      await page.waitForFunction(() => window.incidentmap.pending === 0);
      await page.waitForTimeout(800);
      await page.screenshot({ path: process.env.DOCS_SCREENSHOT });
    }
  });

  await step('g2. offline, land and borders come from the server\'s base map tiles; the choropleth counts incidents per region', async () => {
    await kazakhstanView();
    await page.waitForFunction(() => (window.incidentmap.regions || 0) > 0, null, { timeout: 15000 })
      .catch(() => { throw new Check('no regions loaded for the view'); });
    const borders = await page.evaluate(() => {
      const map = window.incidentmap.map;
      const countries = map.querySourceFeatures('base', { sourceLayer: 'countries' }).map((f) => f.properties.name);
      const regions = map.querySourceFeatures('base', { sourceLayer: 'regions' }).map((f) => f.properties.admin1);
      return { kz: countries.includes('Kazakhstan'), regions: [...new Set(regions)] };
    });
    expect(borders.kz && borders.regions.includes('KZ.17') && borders.regions.length >= 17,
      `country and region outlines in view: ${JSON.stringify(borders)}`);
    await page.check('#show-choropleth');
    await page.waitForFunction(() => window.incidentmap.regionCounts && window.incidentmap.pending === 0, null, { timeout: 15000 });
    const agg = await page.evaluate(async () => (await fetch('collections/incidents/aggregate?groupby=region')).json());
    const zhambyl = agg.groups.find((g) => g.admin1_code === 'KZ.17');
    const shown = await page.evaluate(() => window.incidentmap.regionCounts['KZ.17']);
    expect(zhambyl && shown === zhambyl.events, `the choropleth counts ${shown} in Zhambyl, the aggregate ${zhambyl && zhambyl.events}`);
    // Drawn where Zhambyl is: the choropleth's feature under Taraz is Zhambyl's.
    await page.waitForTimeout(300);
    const under = await page.evaluate(() => {
      const map = window.incidentmap.map;
      return map.queryRenderedFeatures(map.project([71.37, 42.9]), { layers: ['choropleth'] }).map((f) => f.properties.admin1);
    });
    expect(under.includes('KZ.17'), `the choropleth under Taraz: ${JSON.stringify(under)}`);
    await page.screenshot({ path: join(artDir, 'choropleth.png') });
    await page.uncheck('#show-choropleth');
    // The online base map can be switched off: the offline one (land, borders) stays.
    await page.uncheck('#show-basemap');
    const base = await page.evaluate(() => window.incidentmap.map.getLayoutProperty('basemap', 'visibility'));
    expect(base === 'none', `the base map layer is ${base} after switching it off`);
    await page.check('#show-basemap');
    console.log(`     ${borders.regions.length} regions in view; Zhambyl ${shown} incidents`);
  });

  await step('g3. offline, the five towns of the January 2022 reports are named, in the language picked, no two names overlapping', async () => {
    const close = page.locator('.maplibregl-popup-close-button');
    if (await close.count()) await close.first().click();
    await page.uncheck('#show-basemap');
    const all = ['Almaty', 'Aktau', 'Zhanaozen', 'Kyzylorda', 'Taraz'];
    // MapLibre zooms 4 and 5 are zooms 5 and 6 of a 256-px-tile map; at 5 the five towns
    // span more than the screen, so two views.
    const views = [
      { center: [64, 46.5], zoom: 4, towns: all },
      { center: [58.3, 44], zoom: 5, towns: ['Aktau', 'Zhanaozen', 'Kyzylorda'] },
      { center: [74, 43.5], zoom: 5, towns: ['Taraz', 'Almaty'] },
    ];
    for (const { center, zoom, towns } of views) {
      await jumpTo(center, zoom, `Kazakhstan at zoom ${zoom}`);
      await page.waitForFunction((want) => want.every((t) => (window.incidentmap.labels || []).includes(t)), towns, { timeout: 15000 })
        .catch(async () => { throw new Check(`names at zoom ${zoom}: ${JSON.stringify(await page.evaluate(() => window.incidentmap.labels))}`); });
      const seen = await page.evaluate((want) => {
        const box = window.incidentmap.map.getContainer().getBoundingClientRect();
        const labels = [...document.querySelectorAll('.place-label')].map((e) => ({ name: e.textContent, r: e.getBoundingClientRect() }));
        const inView = (r) => r.right > box.left && r.left < box.right && r.bottom > box.top && r.top < box.bottom && r.width > 0;
        const overlaps = [];
        for (let i = 0; i < labels.length; i++) {
          for (let j = i + 1; j < labels.length; j++) {
            const a = labels[i].r, b = labels[j].r;
            if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) overlaps.push([labels[i].name, labels[j].name]);
          }
        }
        return { shown: want.filter((t) => labels.some((l) => l.name === t && inView(l.r))), overlaps, n: labels.length };
      }, towns);
      expect(seen.shown.length === towns.length, `named on screen at zoom ${zoom}: ${JSON.stringify(seen.shown)}`);
      expect(seen.overlaps.length === 0, `overlapping names at zoom ${zoom}: ${JSON.stringify(seen.overlaps.slice(0, 5))}`);
      console.log(`     zoom ${zoom}: ${seen.n} names, none overlapping`);
    }
    await kazakhstanView();
    await page.waitForFunction((want) => want.every((t) => (window.incidentmap.labels || []).includes(t)), all);
    await page.waitForFunction(() => window.incidentmap.pending === 0);
    await page.screenshot({ path: join(artDir, 'offline-map.png') });
    if (process.env.DOCS_SCREENSHOT) await page.screenshot({ path: join(dirname(process.env.DOCS_SCREENSHOT), 'offline-map.png') });
    // In Arabic: the page's reader asked, the gazetteer has the names.
    await page.selectOption('#label-lang', 'ar');
    await page.waitForFunction(() => (window.incidentmap.labels || []).includes('ألماتي'), null, { timeout: 15000 })
      .catch(async () => { throw new Check(`Arabic names: ${JSON.stringify(await page.evaluate(() => window.incidentmap.labels))}`); });
    await page.selectOption('#label-lang', 'en');
    // With the online base map on (its tiles carry names) the server's names go.
    await page.check('#show-basemap');
    const online = await page.evaluate(() => !document.body.classList.contains('basemap-offline'));
    if (online) {
      await page.waitForFunction(() => document.querySelectorAll('.place-label').length === 0, null, { timeout: 5000 })
        .catch(() => { throw new Check('names stayed over the online base map'); });
    }
  });

  await step('h. without vendored libraries the page loads the pinned CDN copies (SRI checked)', async () => {
    // The CDN is served from web/node_modules here (no internet): the integrity hashes in the
    // page must match the pinned packages' files.
    const cdnPage = await context.newPage();
    const errors = [];
    cdnPage.on('pageerror', (e) => errors.push(e.message));
    // MapLibre's worker, started from a blob, imports the worker module beside the CDN's.
    const workerImport = 'https://unpkg.com/maplibre-gl@6.20.0/dist/maplibre-gl-worker.mjs';
    const asked = cdnPage.waitForRequest((r) => r.url().startsWith(workerImport), { timeout: 20000 }).catch(() => null);
    cdnPage.on('console', (m) => {
      if (m.type() === 'error' && /integrity|Subresource/i.test(m.text())) errors.push(m.text());
      if (isCspReport(m.text())) cspViolations.push(`CDN page: ${m.text()}`);
    });
    const served = [];
    await cdnPage.route('https://unpkg.com/**', async (route) => {
      const m = /^https:\/\/unpkg\.com\/maplibre-gl@[\d.]+\/dist\/([^?]+)/.exec(route.request().url());
      if (!m) return route.abort();
      served.push(m[1]);
      const file = new URL(`../../web/node_modules/maplibre-gl/dist/${m[1]}`, import.meta.url);
      const type = m[1].endsWith('.css') ? 'text/css' : 'text/javascript';
      await route.fulfill({ status: 200, contentType: type, headers: { 'Access-Control-Allow-Origin': '*' }, body: readFileSync(file) });
    });
    // What a binary without the libraries sends: its policy allows the pinned CDN paths.
    await cdnPage.route((u) => u.origin === server.origin && u.pathname === PREFIX, async (route) => {
      const r = await route.fetch({ url: server.href, maxRedirects: 0 });
      const headers = r.headers();
      const cdn = ' https://unpkg.com/maplibre-gl@6.20.0/dist/';
      headers['content-security-policy'] = (headers['content-security-policy'] || '')
        .replace(/(script-src|style-src) ([^;]*)/g, (_, d, v) => (v.includes('unpkg.com') ? `${d} ${v}` : `${d} ${v}${cdn}`))
        .replace(/worker-src [^;]*/, 'worker-src blob:');
      await route.fulfill({ response: r, headers });
    });
    await cdnPage.route((u) => u.pathname === PREFIX + 'config.json', async (route) => {
      const r = await route.fetch({ url: new URL('config.json', server).href });
      const cfg = await r.json();
      cfg.vendored = false;
      await route.fulfill({ response: r, json: cfg });
    });
    await cdnPage.goto(pageUrl, { waitUntil: 'domcontentloaded' });
    try {
      await cdnPage.waitForFunction(() => window.incidentmap && window.incidentmap.ready && window.incidentmap.loads > 0, null, { timeout: 20000 });
    } catch (e) {
      throw new Check(`the page did not start from the CDN copies: ${errors.join(' | ') || 'no error reported'}; served ${served.join(', ')}`);
    }
    // Playwright cannot answer a dedicated worker's requests (its routes see the page's only),
    // so the worker's import of the CDN's module is checked as asked for, with the policy
    // allowing it (any violation fails the test); the worker itself runs in every other step.
    expect(await asked, `MapLibre's worker did not ask for ${workerImport}`);
    const info = await cdnPage.evaluate(() => ({
      libraries: window.incidentmap.libraries,
      sri: [...document.querySelectorAll('script[src^="https://"],link[href^="https://"]')].map((e) => [e.src || e.href, e.integrity, e.crossOrigin]),
    }));
    await cdnPage.close();
    expect(info.libraries === 'cdn', `the libraries came from ${info.libraries}`);
    expect(info.sri.length === 2 && info.sri.every(([, i, c]) => /^sha(256|384)-/.test(i) && c === 'anonymous'),
      `the CDN tags lack integrity or crossorigin: ${JSON.stringify(info.sri)}`);
    expect(errors.length === 0, errors.join(' | '));
  });

  await step('i. no other site can frame the page', async () => {
    const probe = await context.newPage();
    probe.__framingProbe = true;
    const refused = [];
    probe.on('console', (m) => { if (/frame-ancestors|Refused to (display|frame)/i.test(m.text())) refused.push(m.text()); });
    await probe.route('http://framer.example/', (route) => route.fulfill({
      status: 200, contentType: 'text/html', body: `<!doctype html><iframe src="${pageUrl}"></iframe>`,
    }));
    await probe.goto('http://framer.example/');
    const deadline = Date.now() + 10000;
    let inside = null;
    while (Date.now() < deadline && !refused.length) {
      const f = probe.frames().find((fr) => fr !== probe.mainFrame());
      inside = f ? await f.evaluate(() => !!document.getElementById('map')).catch(() => null) : null;
      if (inside) break;
      await probe.waitForTimeout(200);
    }
    await probe.close();
    expect(!inside, 'the map page rendered inside another site\'s frame');
    expect(refused.length > 0, 'the browser did not report refusing the frame');
    console.log(`     ${refused[0].slice(0, 140)}`);
  });

  await step('no Content-Security-Policy violation', async () => {
    expect(cspViolations.length === 0, cspViolations.slice(0, 10).join('\n     '));
  });

  await step('no script errors and every request relative to the page', async () => {
    expect(pageErrors.length === 0, `uncaught script errors: ${pageErrors.join(' | ')}`);
    expect(badRequests.length === 0, badRequests.slice(0, 10).join('\n     '));
  });
} finally {
  await context.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}

if (consoleErrors.length) {
  const local = consoleErrors.filter((t) => !/tile\.openstreetmap|ERR_INTERNET_DISCONNECTED|ERR_NAME_NOT_RESOLVED|ERR_CONNECTION|ERR_TUNNEL|ERR_PROXY/.test(t));
  if (local.length) console.log(`console errors (not failures):\n  ${local.slice(0, 10).join('\n  ')}`);
}
console.log(`browser test finished in ${elapsed()}`);
console.log(`browser: ${passed} passed, ${failed} failed`);
if (failed) {
  console.log('failures:\n  ' + failures.join('\n  '));
  process.exit(1);
}
