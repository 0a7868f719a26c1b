// @ts-check
// Owns the time histogram: the incidents in view per day (per week when the data spans more
// than 120 days) for the categories chosen, the chosen dates highlighted. Dragging across it,
// or clicking a bar, sets the date range of every layer.

import { getJSON, query } from './api.js';
import { $, debounce, el } from './dom.js';
import { dayIso, dayNum } from './format.js';
import { viewBBox } from './map.js';
import { filterParams, filters, hook, layers, noCategories, server } from './state.js';

/** Beyond this many days the bars are weeks. */
const DAYS_AS_DAYS = 120;

/**
 * A bar: its first day (day number), its length in days, its incidents.
 * @typedef {{ start: number, days: number, events: number }} Bar
 */
/** @type {Bar[]} */
let bars = [];
let seq = 0;
/** What the bars show: the extent, the view and the categories (the dates only highlight). */
let shownKey = '';
/** @type {(from: string | null, to: string | null) => void} */
let pick = () => {};

/**
 * Builds the histogram; `choose` sets the date range (filters.js).
 * @param {(from: string | null, to: string | null) => void} choose
 */
export function buildHistogram(choose) {
  pick = choose;
  layers.map.on('moveend', debounce(() => loadHistogram(), 300));
  const box = $('histogram');
  /** @param {PointerEvent} e */
  const barAt = (e) => {
    const r = box.getBoundingClientRect();
    return Math.max(0, Math.min(bars.length - 1, Math.floor(((e.clientX - r.left) / r.width) * bars.length)));
  };
  /** @type {number | null} */
  let anchor = null;
  box.addEventListener('pointerdown', (e) => {
    if (!bars.length) return;
    anchor = barAt(e);
    box.setPointerCapture(e.pointerId);
    highlight(anchor, anchor);
  });
  box.addEventListener('pointermove', (e) => { if (anchor !== null) highlight(anchor, barAt(e)); });
  box.addEventListener('pointerup', (e) => {
    if (anchor === null) return;
    const [a, b] = [anchor, barAt(e)].sort((x, y) => x - y);
    anchor = null;
    pick(dayIso(bars[a].start), dayIso(bars[b].start + bars[b].days - 1));
  });
  loadHistogram();
}

/**
 * Counts the incidents in view per period, for the chosen categories (all dates). Unless
 * `force`d (the data changed), nothing is fetched when only the dates changed.
 * @param {boolean} [force]
 */
export async function loadHistogram(force) {
  const extent = server.extent;
  const box = $('histogram');
  box.hidden = !extent;
  if (!extent) return;
  const params = filterParams();
  delete params.datetime;
  const key = JSON.stringify([extent, viewBBox(), noCategories(), params]);
  if (key === shownKey && !force) return;
  const first = dayNum(extent.start), last = dayNum(extent.end);
  const weekly = last - first + 1 > DAYS_AS_DAYS;
  // Weeks start on Monday (ISO), as the aggregate's do; day 0 (1970-01-01) was a Thursday.
  const start = weekly ? first - ((first + 3) % 7) : first;
  const step = weekly ? 7 : 1;
  /** @type {Bar[]} */
  const next = [];
  for (let d = start; d <= last; d += step) next.push({ start: d, days: step, events: 0 });
  const my = ++seq;
  if (!noCategories()) {
    try {
      const doc = await getJSON('collections/incidents/aggregate?' + query(Object.assign({ groupby: weekly ? 'week' : 'day', bbox: viewBBox() }, params)));
      if (my !== seq) return;
      for (const g of doc.groups || []) {
        const at = (dayNum(weekly ? g.week : g.day) - start) / step;
        if (next[at]) next[at].events = g.events;
      }
    } catch (e) {
      console.warn('histogram:', /** @type {Error} */ (e).message);
      return;
    }
  }
  if (my !== seq) return;
  bars = next;
  shownKey = key;
  render();
  hook.histogram = { bars: bars.length, total: bars.reduce((s, b) => s + b.events, 0) };
}

function render() {
  const max = Math.max(1, ...bars.map((b) => b.events));
  const unit = bars.length && bars[0].days === 7 ? 'week of ' : '';
  $('histogram').replaceChildren(...bars.map((b) => {
    const bar = el('div', { class: 'bar', title: `${unit}${dayIso(b.start)}: ${b.events} incident${b.events === 1 ? '' : 's'}` });
    bar.style.setProperty('--h', `${(b.events / max) * 100}%`);
    return bar;
  }));
  syncHistogram();
}

/** Marks the bars inside the chosen dates. */
export function syncHistogram() {
  const from = filters.from ? dayNum(filters.from) : -Infinity;
  const to = filters.to ? dayNum(filters.to) : Infinity;
  const els = $('histogram').children;
  bars.forEach((b, i) => els[i] && els[i].classList.toggle('in', b.start + b.days - 1 >= from && b.start <= to));
}

/** @param {number} a @param {number} b */
function highlight(a, b) {
  const [x, y] = a <= b ? [a, b] : [b, a];
  const els = $('histogram').children;
  for (let i = 0; i < els.length; i++) els[i].classList.toggle('in', i >= x && i <= y);
}
