// @ts-check
// Owns an incident's popup: its details, and with editing on the Edit and Delete actions
// (deleting happens here; editing opens the form, edit.js).

import { ApiError, deleteFeature, getFeature } from './api.js';
import { clearToken, token } from './auth.js';
import { refreshData } from './data.js';
import { el, toast } from './dom.js';
import { openEdit, syncEditing } from './edit.js';
import { catColor, catLabel, PRECISION_TEXT, titleCase } from './format.js';
import { layers } from './state.js';

/** @typedef {import('./markers.js').IncidentMarker} IncidentMarker */

const KNOWN = new Set(['id', 'occurred_at', 'category', 'place', 'precision', 'fatalities', 'injured', 'arrested', 'source', 'notes', 'place_id']);

/**
 * The popup of an incident's marker, with a note (an error) under the details.
 * @param {IncidentMarker} m
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
    // Each handler stops the click first: Leaflet takes a click whose target has left the
    // document (the popup's content is replaced) for a click on the map.
    const edit = el('button', { type: 'button', class: 'edit-btn', text: 'Edit', onclick: (/** @type {Event} */ e) => { L.DomEvent.stop(e); openEdit(m); } });
    const del = el('button', { type: 'button', class: 'danger delete-btn', text: 'Delete', onclick: (/** @type {Event} */ e) => {
      L.DomEvent.stop(e);
      actions.replaceChildren(
        el('span', { text: 'Delete this incident?' }),
        el('button', { type: 'button', class: 'danger confirm-delete', text: 'Yes, delete', onclick: (/** @type {Event} */ ev) => { L.DomEvent.stop(ev); deleteIncident(m); } }),
        el('button', { type: 'button', text: 'Keep', onclick: (/** @type {Event} */ ev) => { L.DomEvent.stop(ev); m.setPopupContent(popupContent(m)); } }));
      /** @type {HTMLElement} */ (actions.querySelector('.confirm-delete')).focus();
    } });
    actions.append(edit, del);
    box.append(actions);
  }
  return box;
}

/**
 * When a popup opens with editing on: fetches the incident for its ETag (needed for
 * If-Match) and shows its newest version.
 * @param {IncidentMarker} m
 */
export async function freshen(m) {
  if (!token()) return;
  try {
    const { feature, etag } = await getFeature(m.incidentId);
    m.etag = etag;
    if (JSON.stringify(feature.properties) !== JSON.stringify(m.feature.properties)) {
      m.feature = feature;
      if (m.isPopupOpen()) m.setPopupContent(popupContent(m));
    }
  } catch (e) {
    if (/** @type {ApiError} */ (e).status === 404 && m.isPopupOpen()) m.setPopupContent(popupContent(m, 'This incident has been deleted by someone else.'));
  }
}

/** @param {IncidentMarker} m */
async function deleteIncident(m) {
  try {
    await deleteFeature(m.incidentId, m.etag, token());
  } catch (err) {
    if (!(err instanceof ApiError)) {
      m.setPopupContent(popupContent(m, 'Could not reach the server: ' + /** @type {Error} */ (err).message));
      return;
    }
    const e = err;
    if (e.status === 412) {
      try {
        const { feature, etag } = await getFeature(m.incidentId);
        m.feature = feature;
        m.etag = etag;
        m.setPopupContent(popupContent(m, 'Someone else changed this incident meanwhile; here is the latest version. Delete again if you still mean to.'));
      } catch (again) {
        m.setPopupContent(popupContent(m, 'Someone else changed or deleted this incident: ' + /** @type {ApiError} */ (again).description));
      }
      return;
    }
    if (e.status === 401) {
      clearToken();
      syncEditing();
      toast(`The server refused the token: ${e.description}`);
      return;
    }
    m.setPopupContent(popupContent(m, e.description));
    return;
  }
  layers.map.closePopup();
  toast(`Incident ${m.incidentId} deleted.`);
  await refreshData();
}
