// @ts-check
// Owns the map's controls that describe it: the heat legend (fetched for the style and zoom)
// and the incident count badge.

import { getLegend } from './api.js';
import { $, debounce, el } from './dom.js';
import { fmtNumber } from './format.js';
import { filters, layers, server } from './state.js';

/** @type {HTMLElement | null} */
let legendBox = null;
let legendSeq = 0;

/** Adds the legend (bottom right) and the count badge (top right) to the map. */
export function addLegendControl() {
  const box = el('div', { class: 'legend maplibregl-ctrl', 'aria-live': 'polite' });
  legendBox = box;
  layers.map.addControl({ onAdd: () => box, onRemove: () => box.remove() }, 'bottom-right');
  const badge = el('div', { class: 'count-badge maplibregl-ctrl', 'aria-hidden': 'true', text: $('count').textContent });
  layers.map.addControl({ onAdd: () => badge, onRemove: () => badge.remove() }, 'top-right');
}

export const loadLegendSoon = debounce(() => loadLegend(), 200);

/** Fetches and shows the legend of the current style at the current zoom. */
export async function loadLegend() {
  const box = legendBox;
  if (!box) return;
  if (!filters.style) { box.hidden = true; return; }
  const seq = ++legendSeq;
  // The zoom of the heat tiles in view: 256-px tiles, one level above MapLibre's zoom.
  const z = Math.max(0, Math.min(22, Math.floor(layers.map.getZoom()) + 1));
  try {
    const lg = await getLegend(filters.style, z);
    if (seq !== legendSeq) return;
    renderLegend(box, lg);
  } catch (e) {
    if (seq !== legendSeq) return;
    box.replaceChildren(el('p', { class: 'error', text: 'Legend unavailable: ' + /** @type {{ description?: string }} */ (e).description }));
  }
}

/**
 * @typedef {{ position: number, value: number, color: string }} Stop
 * @typedef {{ stops?: Stop[], title?: string, zoom: number, weight?: string, normalization?: { unit?: string } }} Legend
 */

/** @param {HTMLElement} box @param {Legend} lg */
function renderLegend(box, lg) {
  const stops = (lg.stops || []).slice().sort((a, b) => a.position - b.position);
  /** @param {string} c */
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
  const style = server.styles.find((s) => s.name === filters.style) || { title: undefined };
  const weight = lg.weight && lg.weight !== 'count' ? `weighted by ${lg.weight}` : 'each incident counts once';
  const unit = lg.normalization && lg.normalization.unit;
  box.hidden = false;
  box.replaceChildren(
    el('div', { class: 'legend-title' }, el('strong', { text: lg.title || style.title || filters.style }), el('span', { text: ` · zoom ${lg.zoom}` })),
    el('div', { class: 'legend-sub', text: weight }),
    el('div', { class: 'bar', role: 'img', 'aria-label': 'Colour ramp: ' + stops.map((s) => `${fmtNumber(s.value)} at ${Math.round(s.position * 100)}%`).join(', '), style: `--ramp: linear-gradient(to right, ${gradient})` }),
    ticks,
    ...(unit ? [el('div', { class: 'legend-unit', text: 'Density: ' + unit })] : []));
}
