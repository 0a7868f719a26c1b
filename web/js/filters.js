// @ts-check
// Owns the panel's Layers and Filters cards: heat style, opacity and markers switch; the date
// range (inputs and a two-handle slider) and the categories. Each control changes the state
// (state.js), then the map, the markers and the address follow (filtersChanged).

import { areasFiltersChanged, showChoropleth } from './areas.js';
import { $, debounce, el, field } from './dom.js';
import { buildHistogram, loadHistogram, syncHistogram } from './histogram.js';
import { catColor, catLabel, dayIso, dayNum } from './format.js';
import { writeHash } from './hash.js';
import { loadLegend } from './legend.js';
import { setHeatOpacity, showBasemap, updateSources } from './map.js';
import { refreshIncidents, showMarkers } from './markers.js';
import { filters, itemsScheduled, server, setCategories, setDateRange, setStyle } from './state.js';

function describeStyle() {
  const s = server.styles.find((x) => x.name === filters.style);
  $('style-desc').textContent = s ? s.description || '' : '';
}

/** The Layers card: heat style, its opacity, and the markers on or off. */
export function buildStylePicker() {
  const sel = field('style');
  const styles = server.styles;
  sel.replaceChildren(...styles.map((s) => el('option', { value: s.name, text: s.title || s.name })));
  if (!styles.length) { sel.disabled = true; $('style-desc').textContent = 'This server has no heat styles.'; }
  sel.value = filters.style || '';
  describeStyle();
  sel.addEventListener('change', () => {
    setStyle(sel.value);
    describeStyle();
    updateSources();
    loadLegend();
    writeHash();
  });
  const op = field('heat-opacity');
  op.addEventListener('input', () => setHeatOpacity(Number(op.value) / 100));
  field('show-markers').addEventListener('change', (e) => showMarkers(/** @type {HTMLInputElement} */ (e.target).checked));
  field('show-choropleth').addEventListener('change', (e) => showChoropleth(/** @type {HTMLInputElement} */ (e.target).checked));
  // Without an online base map configured there is nothing to switch: the offline one shows.
  const basemap = server.config.basemap;
  $('basemap-row').hidden = !(basemap && basemap.url);
  if (basemap && basemap.url) $('basemap-name').textContent = `(${new URL(basemap.url.replace(/[{}]/g, '')).hostname})`;
  field('show-basemap').addEventListener('change', (e) => showBasemap(/** @type {HTMLInputElement} */ (e.target).checked));
}

/** After the filters changed: the tiles, the count, the address and the summaries. */
export function filtersChanged() {
  updateSources();
  refreshIncidents();
  areasFiltersChanged();
  loadHistogram();
  writeHash();
  summarizeFilters();
}

const applyFiltersLater = debounce(() => filtersChanged(), 200);
/** filtersChanged soon (a slider is moving); the markers count as pending meanwhile. */
const applyFiltersSoon = () => { itemsScheduled(true); applyFiltersLater(); };

/** The Dates fieldset. */
export function buildDateControls() {
  const from = field('date-from'), to = field('date-to'), a = field('day-from'), b = field('day-to');
  from.addEventListener('change', () => { setDates(from.value || null, filters.to); });
  to.addEventListener('change', () => { setDates(filters.from, to.value || null); });
  /** @param {boolean} final */
  const slid = (final) => {
    let x = Number(a.value), y = Number(b.value);
    if (x > y) { if (document.activeElement === a) y = x; else x = y; a.value = String(x); b.value = String(y); }
    const s = server.extent ? dayNum(server.extent.start) : 0;
    const max = Number(a.max);
    setDateRange(x <= 0 ? null : dayIso(s + x), y >= max ? null : dayIso(s + y));
    syncDates();
    if (final) filtersChanged(); else applyFiltersSoon();
  };
  for (const r of [a, b]) {
    r.addEventListener('input', () => slid(false));
    r.addEventListener('change', () => slid(true));
  }
  $('dates-all').addEventListener('click', () => setDates(null, null));
  syncDates();
  buildHistogram(setDates);
}

/** Sets the date range (in order; a bound at or past the data's is open). @param {string | null} f @param {string | null} t */
function setDates(f, t) {
  if (f && t && f > t) [f, t] = [t, f];
  const extent = server.extent;
  if (extent) {
    if (f && f <= extent.start) f = null;
    if (t && t >= extent.end) t = null;
  }
  setDateRange(f, t);
  syncDates();
  filtersChanged();
}

/** Shows the date range in the inputs and the slider. */
export function syncDates() {
  const from = field('date-from'), to = field('date-to'), a = field('day-from'), b = field('day-to');
  const extent = server.extent;
  const disabled = !extent;
  for (const i of [from, to, a, b]) i.disabled = disabled && !(i === from && filters.from) && !(i === to && filters.to);
  if (extent) {
    const s = dayNum(extent.start);
    const n = dayNum(extent.end) - s;
    for (const i of [from, to]) { i.min = extent.start; i.max = extent.end; }
    a.max = b.max = String(n);
    const x = filters.from ? Math.max(0, Math.min(n, dayNum(filters.from) - s)) : 0;
    const y = filters.to ? Math.max(0, Math.min(n, dayNum(filters.to) - s)) : n;
    a.value = String(x);
    b.value = String(y);
    a.setAttribute('aria-valuetext', dayIso(s + x));
    b.setAttribute('aria-valuetext', dayIso(s + y));
    $('date-fill').style.left = n ? `${(x / n) * 100}%` : '0%';
    $('date-fill').style.right = n ? `${100 - (y / n) * 100}%` : '0%';
    from.value = filters.from || extent.start;
    to.value = filters.to || extent.end;
    syncHistogram();
  } else {
    from.value = filters.from || '';
    to.value = filters.to || '';
  }
  summarizeFilters();
}

function summarizeFilters() {
  const extent = server.extent;
  let d;
  if (!filters.from && !filters.to) d = extent ? `All dates (${extent.start} to ${extent.end})` : 'All dates';
  else if (filters.from && filters.to) d = filters.from === filters.to ? `On ${filters.from}` : `${filters.from} to ${filters.to}`;
  else if (filters.from) d = `From ${filters.from}`;
  else d = `Up to ${filters.to}`;
  $('date-summary').textContent = d;
  $('dates-all').hidden = !filters.from && !filters.to;
  const c = filters.cats === null ? 'All categories' : filters.cats.size === 0 ? 'No category: nothing is shown' : `${filters.cats.size} of ${server.categories.length} categories`;
  $('category-summary').textContent = c;
}

/** The Categories fieldset. */
export function buildCategoryControls() {
  const list = $('category-list');
  list.replaceChildren(...server.categories.map((c) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', value: c, checked: true, onchange: categoryChanged }),
    el('span', { class: 'swatch', style: `--c:${catColor(c)}`, 'aria-hidden': 'true' }),
    catLabel(c))));
  $('cats-all').addEventListener('click', () => { setCategories(null); syncCategories(); filtersChanged(); });
  $('cats-none').addEventListener('click', () => { setCategories(new Set()); syncCategories(); filtersChanged(); });
  syncCategories();
}

function categoryChanged() {
  const on = [...$('category-list').querySelectorAll('input:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value);
  setCategories(on.length === server.categories.length ? null : new Set(on));
  applyFiltersSoon();
  summarizeFilters();
}

function syncCategories() {
  for (const i of $('category-list').querySelectorAll('input')) i.checked = filters.cats === null || filters.cats.has(i.value);
  summarizeFilters();
}

/** Shows the state in every control (after the address changed it), and the heat layer. */
export function syncControls() {
  field('style').value = filters.style || '';
  describeStyle();
  syncDates();
  syncCategories();
  updateSources();
  loadLegend();
}
