// @ts-check
// Owns the Reports card: pasting a news report for the server to draft incidents from, the
// text with what the drafts rest on highlighted (places, dates, event words, counts), the
// drafts on the map, and per draft: edit, publish, reject — or, for an event already mapped,
// adding the report to that incident's sources.

import { ApiError, getReport, patchFeature, postReport } from './api.js';
import { token } from './auth.js';
import { refreshData } from './data.js';
import { $, el, field, toast } from './dom.js';
import { openEdit } from './edit.js';
import { catLabel, titleCase } from './format.js';
import { hook, layers } from './state.js';

/** @typedef {import('./api.js').Report} Report */
/** @typedef {import('./api.js').DraftedEvent} DraftedEvent */
/** @typedef {import('./api.js').Span} Span */

/** The report shown, as the server last described it. @type {Report | null} */
let shown = null;

/** The map's drafts: a GeoJSON source and its layers, put into the style by map.js. */
export function draftSources() {
  /** @type {import('maplibre-gl').StyleSpecification['sources']} */
  const sources = { drafts: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } } };
  return sources;
}

/** @returns {import('maplibre-gl').LayerSpecification[]} */
export function draftLayers() {
  return [{
    // Hollow rings: not yet incidents. Orange while waiting, grey once rejected.
    id: 'drafts', type: 'circle', source: 'drafts',
    paint: {
      'circle-radius': 9, 'circle-color': 'rgba(255, 255, 255, 0.35)', 'circle-stroke-width': 3,
      'circle-stroke-color': ['match', ['get', 'status'], 'rejected', '#8a8f98', '#e07b00'],
    },
  }];
}

export function buildReports() {
  $('report-form').addEventListener('submit', (e) => { e.preventDefault(); submit(); });
  $('report-clear').addEventListener('click', () => { show(null); field('report-text').value = ''; });
  document.addEventListener('incident-saved', (e) => {
    const id = /** @type {CustomEvent<string>} */ (e).detail;
    if (shown && shown.drafts.some((d) => d.incident_id === id)) reload(shown.id);
  });
}

/** Sends the pasted report; shows what was drafted from it. */
async function submit() {
  const text = field('report-text').value;
  if (!text.trim()) { reportError('Paste the text of a report first.'); field('report-text').focus(); return; }
  const published = field('report-date').value;
  const source = field('report-source').value.trim();
  const button = field('report-submit');
  button.disabled = true;
  reportError(null);
  try {
    const report = await postReport({ text, ...(published ? { published_at: published } : {}), ...(source ? { source } : {}) }, token());
    show(report);
    const n = report.drafts.length;
    toast(n ? `${n} event${n === 1 ? '' : 's'} drafted from the report: check each, then publish or reject it.` : 'No incident found in this report.');
  } catch (e) {
    reportError(e instanceof ApiError ? e.description : 'Could not reach the server: ' + /** @type {Error} */ (e).message);
  } finally {
    button.disabled = false;
  }
}

/** @param {string | null} message */
function reportError(message) {
  $('report-error').hidden = !message;
  $('report-error').textContent = message || '';
}

/** Shows a report (or nothing): its marked text, its drafts listed and on the map.
 * @param {Report | null} report */
function show(report) {
  shown = report;
  $('report-view').hidden = !report;
  $('report-form').hidden = !!report;
  hook.report = report ? { id: report.id, drafts: report.drafts.length } : null;
  const source = /** @type {import('maplibre-gl').GeoJSONSource | undefined} */ (layers.map.getSource('drafts'));
  if (!report) {
    if (source) source.setData({ type: 'FeatureCollection', features: [] });
    return;
  }
  $('report-marked').replaceChildren(...marked(report));
  $('report-drafts').replaceChildren(...report.drafts.map((d, n) => draftItem(report, d, n)));
  if (source) source.setData({ type: 'FeatureCollection', features: report.drafts.flatMap((d) => {
    const inc = d.incident_id ? incident(report, d.incident_id) : null;
    const status = inc ? inc.feature.properties.status || 'published' : 'corroborates';
    if (!inc || status === 'published') return [];
    const g = inc.feature.geometry;
    return [{ type: 'Feature', geometry: g, properties: { id: d.incident_id, status } }];
  }) });
}

/** @param {Report} r @param {string} id */
const incident = (r, id) => r.incidents.find((i) => i.id === id) || null;

/**
 * The report's text with the evidence of every draft marked: place, date, event word and
 * counts. Offsets are code points (the server's), so the text is split into code points.
 * Overlapping marks keep the first.
 * @param {Report} r
 * @returns {Node[]}
 */
function marked(r) {
  const chars = Array.from(r.text);
  /** @type {{ span: Span, kind: string, title: string }[]} */
  const marks = [];
  for (const d of r.drafts) {
    marks.push({ span: d.place_evidence, kind: 'place', title: `Place: ${d.place.name} (${d.place.country})` });
    if (d.date_evidence) marks.push({ span: d.date_evidence, kind: 'date', title: `Date: ${d.occurred_at}` });
    marks.push({ span: d.category_evidence, kind: 'event', title: `Event: ${catLabel(d.category)}` });
    for (const k of /** @type {const} */ (['fatalities', 'injured', 'arrested'])) {
      const c = d[k];
      if (c) marks.push({ span: c.evidence, kind: 'count', title: `${titleCase(k)}: ${qualified(c)}` });
    }
  }
  marks.sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
  /** @type {Node[]} */
  const out = [];
  let at = 0;
  for (const m of marks) {
    if (m.span.start < at || m.span.end <= m.span.start) continue;
    if (m.span.start > at) out.push(document.createTextNode(chars.slice(at, m.span.start).join('')));
    out.push(el('mark', { class: `ev-${m.kind}`, title: m.title }, chars.slice(m.span.start, m.span.end).join('')));
    at = m.span.end;
  }
  if (at < chars.length) out.push(document.createTextNode(chars.slice(at).join('')));
  return out;
}

/** "at least 12". @param {import('./api.js').Count} c */
const qualified = (c) => (c.qualifier ? c.qualifier.replace('_', ' ') + ' ' : '') + c.value;

/**
 * One drafted event: what it says, where it stands, and what the editor can do with it.
 * @param {Report} r @param {DraftedEvent} d @param {number} n
 */
function draftItem(r, d, n) {
  const counts = /** @type {const} */ (['fatalities', 'injured', 'arrested'])
    .flatMap((k) => (d[k] ? [`${titleCase(k)} ${qualified(/** @type {import('./api.js').Count} */ (d[k]))}`] : []));
  const head = el('p', { class: 'draft-head' },
    el('strong', { text: catLabel(d.category) }), ' · ', el('bdi', { dir: 'auto', text: d.place.name }),
    ` (${d.precision}) · ${d.occurred_at}`);
  const item = el('li', { class: 'draft', 'data-n': String(n) }, head);
  if (counts.length) item.append(el('p', { class: 'draft-counts', text: counts.join(' · ') }));
  const show = el('button', { type: 'button', class: 'link-button', text: 'Show', onclick: () => fly(d) });
  if (d.corroborates) {
    const known = incident(r, d.corroborates);
    const sources = known ? String(known.feature.properties.source || '') : '';
    const already = !!known && !!r.source && sources.split('; ').includes(r.source);
    item.dataset.status = 'corroborates';
    item.append(
      el('p', { class: 'hint', text: `Already mapped as incident ${d.corroborates}: add this report to its sources rather than publish a duplicate.` }),
      el('div', { class: 'inline' },
        el('button', {
          type: 'button', class: 'primary corroborate-btn', disabled: !known || already,
          text: already ? 'Source added' : 'Add as source', onclick: () => corroborate(r, d),
        }), show));
    return item;
  }
  const inc = d.incident_id ? incident(r, d.incident_id) : null;
  const status = inc ? String(inc.feature.properties.status || 'published') : 'deleted';
  item.dataset.status = status;
  item.dataset.id = d.incident_id || '';
  item.append(el('p', { class: `draft-status status-${status}`, text: titleCase(status) }));
  if (status === 'draft') {
    item.append(el('div', { class: 'inline' },
      el('button', { type: 'button', class: 'primary publish-btn', text: 'Publish', onclick: () => review(r, d, 'published') }),
      el('button', { type: 'button', class: 'reject-btn', text: 'Reject', onclick: () => review(r, d, 'rejected') }),
      el('button', { type: 'button', class: 'link-button edit-draft', text: 'Edit', onclick: () => edit(d) }),
      show));
  } else {
    item.append(el('div', { class: 'inline' }, show));
  }
  return item;
}

/** @param {DraftedEvent} d */
function fly(d) {
  layers.map.flyTo({ center: [d.place.lon, d.place.lat], zoom: Math.max(layers.map.getZoom(), 7) });
}

/** Opens the editing form on a draft (it stays a draft until published here). @param {DraftedEvent} d */
function edit(d) {
  const inc = shown && d.incident_id ? incident(shown, d.incident_id) : null;
  if (!inc || !d.incident_id) return;
  openEdit({ incidentId: d.incident_id, feature: inc.feature });
}

/**
 * Publishes or rejects a draft: a write with If-Match, so a draft changed by someone else
 * since it was shown is not published unseen.
 * @param {Report} r @param {DraftedEvent} d @param {'published' | 'rejected'} status
 */
async function review(r, d, status) {
  const inc = d.incident_id ? incident(r, d.incident_id) : null;
  if (!inc) return;
  try {
    await patchFeature(inc.id, { properties: { status } }, inc.etag, token());
    toast(status === 'published' ? `Incident ${inc.id} published.` : `Draft ${inc.id} rejected.`);
  } catch (e) {
    const err = /** @type {ApiError} */ (e);
    toast(err.status === 412 ? 'This draft changed since it was shown: check it again, then publish or reject it.'
      : `Could not ${status === 'published' ? 'publish' : 'reject'} the draft: ${err.description || err.message}`);
  }
  await reload(r.id);
  if (status === 'published') await refreshData();
}

/** Adds the report to the sources of the incident an event corroborates.
 * @param {Report} r @param {DraftedEvent} d */
async function corroborate(r, d) {
  const known = d.corroborates ? incident(r, d.corroborates) : null;
  if (!known) return;
  const ours = r.source || r.url || `report ${r.id}`;
  const before = String(known.feature.properties.source || '');
  const source = before ? `${before}; ${ours}` : ours;
  try {
    await patchFeature(known.id, { properties: { source } }, known.etag, token());
    toast(`Added as a source of incident ${known.id}.`);
  } catch (e) {
    toast(`Could not add the source: ${/** @type {ApiError} */ (e).description}`);
  }
  await reload(r.id);
}

/** Fetches the report again (the drafts' statuses and ETags) and shows it. @param {string} id */
async function reload(id) {
  try {
    const r = await getReport(id, token());
    // The server keeps the report's source; the page shows what was typed with it.
    show(r);
  } catch (e) {
    toast('Could not reload the report: ' + /** @type {ApiError} */ (e).description);
  }
}
