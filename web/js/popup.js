// @ts-check
// Owns the map's popup: an incident's details (from its vector-tile properties at once, then
// its full record from the API), with editing on the Edit and Delete actions (deleting
// happens here; editing opens the form, edit.js); and the list of a cluster whose incidents
// share one spot.

import { ApiError, deleteFeature, getFeature } from './api.js';
import { clearToken, token } from './auth.js';
import { refreshData } from './data.js';
import { el, toast } from './dom.js';
import { openEdit, syncEditing } from './edit.js';
import { catColor, catLabel, PRECISION_TEXT, titleCase } from './format.js';
import { layers } from './state.js';

/**
 * An incident shown in the popup: what the page knows of it, and its ETag once fetched.
 * @typedef {{ feature: import('./api.js').Feature, incidentId: string, etag?: string | null }} IncidentView
 */

/** @type {import('maplibre-gl').Popup | null} */
let popup = null;
/** @type {IncidentView | null} the incident the popup shows, if it shows one */
let current = null;

/** Closes the popup, if one is open. */
export function closePopup() {
  if (popup) popup.remove();
  popup = null;
  current = null;
}

/** @param {[number, number]} at @param {HTMLElement} content */
function show(at, content) {
  closePopup();
  const p = new layers.lib.Popup({ maxWidth: '360px', className: 'incident-popup', focusAfterOpen: false, offset: 12 })
    .setLngLat(at).setDOMContent(content).addTo(layers.map);
  p.on('close', () => { if (popup === p) { popup = null; current = null; } });
  popup = p;
}

/** Replaces the open popup's content when it still shows `v`. @param {IncidentView} v @param {string} [note] */
function redraw(v, note) {
  if (popup && current === v) popup.setDOMContent(popupContent(v, note));
}

/**
 * Opens an incident's popup: the properties at hand at once, then its full record (source,
 * notes, exact point, and the ETag editing needs).
 * @param {import('./api.js').Feature} feature
 */
export function openIncident(feature) {
  const id = String(feature.id != null ? feature.id : feature.properties.id);
  /** @type {IncidentView} */
  const v = { feature, incidentId: id };
  show(/** @type {[number, number]} */ (feature.geometry.coordinates.slice(0, 2)), popupContent(v));
  current = v;
  freshen(v);
}

/**
 * Lists the incidents of a cluster whose members share one spot; each opens its popup.
 * @param {[number, number]} at
 * @param {import('./api.js').Feature[]} features
 * @param {number} matched
 * @param {string} [error]
 */
export function openList(at, features, matched, error) {
  const items = features.map((f) => {
    const p = f.properties || {};
    const id = String(f.id != null ? f.id : p.id);
    const dot = el('span', { class: 'cat-chip' });
    dot.style.setProperty('--c', catColor(p.category));
    return el('li', {}, el('button', {
      type: 'button', class: 'link-button list-item', 'data-id': id,
      onclick: (/** @type {Event} */ e) => { e.stopPropagation(); openIncident(f); },
    }, dot, `${catLabel(p.category)}, ${p.occurred_at || 'undated'}`, p.place ? [' · ', el('bdi', { dir: 'auto', text: p.place })] : null));
  });
  const more = matched > features.length ? el('p', { class: 'muted', text: `and ${matched - features.length} more` }) : null;
  show(at, el('div', { class: 'popup-body cluster-list' },
    el('h3', { text: `${matched.toLocaleString('en')} incidents here` }),
    error ? el('p', { class: 'error', role: 'alert', text: error }) : null,
    el('ul', { class: 'plain' }, items), more));
}

const KNOWN = new Set(['id', 'occurred_at', 'category', 'place', 'precision', 'fatalities', 'injured', 'arrested', 'source', 'notes', 'place_id', 'admin1', 'admin1_code']);

/**
 * The popup of an incident, with a note (an error) under the details.
 * @param {IncidentView} m
 * @param {string} [note]
 * @returns {HTMLElement}
 */
export function popupContent(m, note) {
  const f = m.feature;
  const p = f.properties || {};
  const id = m.incidentId;
  /** @type {HTMLElement[]} */
  const rows = [];
  /** @param {string} label @param {import('./dom.js').Child} value @param {Record<string, any>} [attrs] */
  const row = (label, value, attrs) => {
    if (value === undefined || value === null || value === '') return;
    rows.push(el('tr', {}, el('th', { scope: 'row', text: label }), el('td', attrs || {}, value)));
  };
  row('Date', p.occurred_at);
  row('Category', el('span', { class: 'cat-chip', style: `--c:${catColor(p.category)}` }, catLabel(p.category)));
  row('Place (as reported)', el('bdi', { dir: 'auto', lang: /[\u0600-\u06ff]/.test(p.place || '') ? 'ar' : null }, p.place), { dir: 'auto' });
  row('Region', p.admin1 ? [p.admin1, el('span', { class: 'muted', text: ` (${p.admin1_code})` })] : null);
  row('Precision', p.precision ? [p.precision, PRECISION_TEXT[p.precision] ? el('span', { class: 'muted', text: ` (${PRECISION_TEXT[p.precision]})` }) : null] : null);
  row('Fatalities', p.fatalities);
  row('Injured', p.injured);
  row('Arrested', p.arrested);
  row('Source', p.source, { dir: 'auto' });
  row('Notes', p.notes, { dir: 'auto' });
  row('Gazetteer place', p.place_id);
  for (const [k, v] of Object.entries(p)) {
    if (!KNOWN.has(k)) row(titleCase(k), typeof v === 'object' ? JSON.stringify(v) : v, { dir: 'auto' });
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
    // Each handler stops the click first: the map would take a click whose target has left
    // the document (the popup's content is replaced) for a click on the map.
    const edit = el('button', { type: 'button', class: 'edit-btn', text: 'Edit', onclick: (/** @type {Event} */ e) => { e.stopPropagation(); openEdit(m); } });
    const del = el('button', { type: 'button', class: 'danger delete-btn', text: 'Delete', onclick: (/** @type {Event} */ e) => {
      e.stopPropagation();
      actions.replaceChildren(
        el('span', { text: 'Delete this incident?' }),
        el('button', { type: 'button', class: 'danger confirm-delete', text: 'Yes, delete', onclick: (/** @type {Event} */ ev) => { ev.stopPropagation(); deleteIncident(m); } }),
        el('button', { type: 'button', text: 'Keep', onclick: (/** @type {Event} */ ev) => { ev.stopPropagation(); redraw(m); } }));
      /** @type {HTMLElement} */ (actions.querySelector('.confirm-delete')).focus();
    } });
    actions.append(edit, del);
    box.append(actions);
  }
  return box;
}

/**
 * Fetches the incident shown for its full record and its ETag (needed for If-Match), and
 * shows its newest version.
 * @param {IncidentView} m
 */
async function freshen(m) {
  try {
    const { feature, etag } = await getFeature(m.incidentId);
    m.etag = etag;
    if (JSON.stringify(feature.properties) !== JSON.stringify(m.feature.properties)) {
      m.feature = feature;
      redraw(m);
    }
  } catch (e) {
    if (/** @type {ApiError} */ (e).status === 404) redraw(m, 'This incident has been deleted by someone else.');
  }
}

/** @param {IncidentView} m */
async function deleteIncident(m) {
  try {
    await deleteFeature(m.incidentId, m.etag, token());
  } catch (err) {
    if (!(err instanceof ApiError)) {
      redraw(m, 'Could not reach the server: ' + /** @type {Error} */ (err).message);
      return;
    }
    const e = err;
    if (e.status === 412) {
      try {
        const { feature, etag } = await getFeature(m.incidentId);
        m.feature = feature;
        m.etag = etag;
        redraw(m, 'Someone else changed this incident meanwhile; here is the latest version. Delete again if you still mean to.');
      } catch (again) {
        redraw(m, 'Someone else changed or deleted this incident: ' + /** @type {ApiError} */ (again).description);
      }
      return;
    }
    if (e.status === 401) {
      clearToken();
      syncEditing();
      toast(`The server refused the token: ${e.description}`);
      return;
    }
    redraw(m, e.description);
    return;
  }
  closePopup();
  toast(`Incident ${m.incidentId} deleted.`);
  await refreshData();
}
