// @ts-check
// Owns editing: unlocking with a write token, the incident form (add at a clicked point or by
// place name, edit an incident), saving, and what the page says when the server refuses.

import { ApiError, createFeature, getFeature, patchFeature } from './api.js';
import { clearToken, setToken, token } from './auth.js';
import { refreshData } from './data.js';
import { $, el, field, toast } from './dom.js';
import { filtersChanged, syncControls } from './filters.js';
import { catLabel, titleCase, todayLocal } from './format.js';
import { showIncident } from './markers.js';
import { openPanel } from './panel.js';
import { closePopup } from './popup.js';
import { clearFilters, hook, layers, matchesFilters, server } from './state.js';

/** @typedef {import('./popup.js').IncidentView} IncidentView */
/** @typedef {{ lng: number, lat: number }} LngLat */
/** @typedef {import('./api.js').Feature} Feature */
/** @typedef {{ id: string, name: string, kind: string, country?: string, admin1?: string, confidence?: number }} Candidate */

/**
 * The open form, or null: adding, or editing `view`'s incident as it was (`original`,
 * `etag`); the point clicked, and the gazetteer place chosen among candidates.
 * @typedef {{ mode: 'add', point: LngLat | null, placeId: string | null }} AddForm
 * @typedef {{ mode: 'edit', view: IncidentView, id: string, etag: string | null, original: Feature, point: LngLat | null, placeId: string | null }} EditForm
 * @type {AddForm | EditForm | null}
 */
let form = null;
/** @type {import('maplibre-gl').Marker | null} the form's point on the map, draggable */
let draftMarker = null;

/** The Editing card: locked, unlocked or switched off by the server. */
export function buildEditing() {
  if (!server.config.writes) {
    $('edit-disabled').hidden = false;
    $('token-form').hidden = true;
    $('edit-tools').hidden = true;
    clearToken();
    return;
  }
  field('f-category').replaceChildren(...server.categories.map((c) => el('option', { value: c, text: catLabel(c) })));
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const t = field('token').value.trim();
    if (!t) { field('token').focus(); return; }
    setToken(t);
    field('token').value = '';
    syncEditing();
    toast('Editing unlocked: click the map to add an incident.');
  });
  $('lock').addEventListener('click', () => {
    clearToken();
    closeForm();
    syncEditing();
  });
  $('add-by-name').addEventListener('click', () => openAdd(null));
  $('incident-form').addEventListener('submit', (e) => { e.preventDefault(); submitForm(); });
  $('f-cancel').addEventListener('click', closeForm);
  $('f-clear-point').addEventListener('click', () => setFormPoint(null));
  syncEditing();
}

/** Shows the Editing card as the token says (unlocked or not). */
export function syncEditing() {
  const on = !!token();
  $('token-form').hidden = on;
  $('edit-tools').hidden = !on;
  $('reports-card').hidden = !on;
  document.body.classList.toggle('editing', on);
  closePopup();
}

/** A click on the map, with editing on: the form's point, or a new incident there.
 * @param {import('maplibre-gl').MapMouseEvent} e */
export function onMapClick(e) {
  if (!token() || !server.config.writes) return;
  const target = e.originalEvent && e.originalEvent.target;
  if (!(target instanceof Node) || !$('map').contains(target)) return;
  if (form) setFormPoint(e.lngLat);
  else openAdd(e.lngLat);
}

/** @param {LngLat | null} latlng */
function openAdd(latlng) {
  form = { mode: 'add', point: null, placeId: null };
  $('form-title').textContent = 'New incident';
  field('f-date').value = todayLocal();
  field('f-time').value = '';
  field('f-category').value = server.categories[0];
  for (const id of ['f-place', 'f-fatalities', 'f-injured', 'f-arrested', 'f-source', 'f-notes']) field(id).value = '';
  $('f-save').textContent = 'Add incident';
  showForm();
  setFormPoint(latlng);
  (latlng ? field('f-category') : field('f-place')).focus();
}

/** Opens the form on an incident, fetched fresh (with its ETag). @param {IncidentView} m */
export async function openEdit(m) {
  closePopup();
  try {
    const { feature, etag } = await getFeature(m.incidentId);
    m.feature = feature;
    fillEdit(m, feature, etag);
  } catch (e) {
    toast('Could not open the incident: ' + /** @type {ApiError} */ (e).description);
  }
}

/** @param {IncidentView} m @param {Feature} feature @param {string | null} etag */
function fillEdit(m, feature, etag) {
  const p = feature.properties || {};
  form = { mode: 'edit', view: m, id: m.incidentId, etag, original: feature, point: null, placeId: null };
  $('form-title').textContent = `Edit incident ${m.incidentId}`;
  const at = String(p.occurred_at || '');
  if (at.includes('T')) {
    const d = new Date(at);
    const iso = isNaN(d.getTime()) ? at : d.toISOString();
    field('f-date').value = iso.slice(0, 10);
    field('f-time').value = iso.slice(11, 16);
  } else {
    field('f-date').value = at.slice(0, 10);
    field('f-time').value = '';
  }
  field('f-category').value = p.category;
  field('f-place').value = p.place || '';
  field('f-fatalities').value = p.fatalities ?? '';
  field('f-injured').value = p.injured ?? '';
  field('f-arrested').value = p.arrested ?? '';
  field('f-source').value = p.source || '';
  field('f-notes').value = p.notes || '';
  $('f-save').textContent = 'Save changes';
  showForm();
  setFormPoint(null);
  field('f-category').focus();
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
  if (draftMarker) { draftMarker.remove(); draftMarker = null; }
  formError(null);
}

/** The form's point (a draggable marker), or none. @param {LngLat | null} latlng */
function setFormPoint(latlng) {
  if (!form) return;
  form.point = latlng ? { lat: latlng.lat, lng: ((((latlng.lng + 180) % 360) + 360) % 360) - 180 } : null;
  if (draftMarker) { draftMarker.remove(); draftMarker = null; }
  const label = $('f-point');
  if (latlng && form.point) {
    const element = el('div', { class: 'draft-marker', title: 'New position (drag to adjust)' }, el('span'));
    const draft = draftMarker = new layers.lib.Marker({ element, draggable: true })
      .setLngLat([latlng.lng, latlng.lat]).addTo(layers.map);
    draft.on('dragend', () => setFormPoint(draft.getLngLat()));
    label.textContent = `Point: ${form.point.lat.toFixed(5)}, ${form.point.lng.toFixed(5)}` + (form.mode === 'edit' ? ' (moves the incident)' : '');
  } else if (form.mode === 'edit') {
    label.textContent = 'Click the map to move the incident; otherwise it stays where it is.';
  } else {
    label.textContent = 'No point: the server will locate the place name. Or click the map.';
  }
  $('f-clear-point').hidden = !latlng;
}

/** Shows an error under the form, with the places a name may mean to choose from. @param {string | null} message @param {Candidate[]} [candidates] */
function formError(message, candidates) {
  const box = $('form-error');
  const list = $('form-candidates');
  box.hidden = !message;
  box.textContent = message || '';
  list.hidden = !candidates || !candidates.length;
  list.replaceChildren(...(candidates || []).map((c) => el('li', {}, el('button', {
    type: 'button', class: 'result candidate',
    onclick: () => { if (form) form.placeId = c.id; submitForm(); },
  }, el('span', { class: 'r-main' }, el('bdi', { dir: 'auto', text: c.name }), ` — ${c.kind}, ${c.country || '?'}, ${Math.round((c.confidence || 0) * 100)}%`),
  el('span', { class: 'r-sub', text: [c.admin1, `gazetteer id ${c.id}`].filter(Boolean).join(' · ') })))));
}

/** The form's properties; throws an Error that says what to fix. @returns {Record<string, any>} */
function readForm() {
  const date = field('f-date').value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error('Enter the date of the incident.');
  const time = field('f-time').value;
  /** @type {Record<string, any>} */
  const p = {
    occurred_at: time ? `${date}T${time.length === 5 ? time + ':00' : time}Z` : date,
    category: field('f-category').value,
  };
  /** @param {string} id */
  const text = (id) => field(id).value.trim();
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
    formError(/** @type {Error} */ (e).message);
    return;
  }
  const save = field('f-save');
  save.disabled = true;
  formError(null);
  try {
    if (form.mode === 'add') await createIncident(form, props);
    else await patchIncident(form, props);
  } catch (e) {
    handleWriteError(/** @type {Error} */ (e));
  } finally {
    save.disabled = false;
  }
}

/** @param {LngLat} p @returns {import('./api.js').Point} */
const pointOf = (p) => ({ type: 'Point', coordinates: [Number(p.lng.toFixed(6)), Number(p.lat.toFixed(6))] });

/** @param {AddForm} f @param {Record<string, any>} props */
async function createIncident(f, props) {
  if (!f.point && !props.place) throw new ApiError(0, 'Local', 'Click the map to set the point, or type the place name.');
  /** @type {Record<string, any>} */
  const properties = {};
  for (const [k, v] of Object.entries(props)) if (v !== null) properties[k] = v;
  if (f.placeId) properties.place_id = f.placeId;
  /** @type {import('./api.js').NewFeature} */
  const feature = { type: 'Feature', geometry: f.point ? pointOf(f.point) : null, properties };
  const created = await createFeature(feature, token());
  const id = String(created.id != null ? created.id : created.properties.id);
  hook.lastCreated = id;
  closeForm();
  await refreshData();
  const hidden = !matchesFilters(created.properties);
  toast(hidden ? `Incident ${id} added; the current filters hide it.` : `Incident ${id} added.`,
    hidden ? { label: 'Clear filters', run: () => { clearFilters(); syncControls(); filtersChanged(); } }
      : { label: 'Show it', run: () => showIncident(id, created) });
}

/** @param {EditForm} f @param {Record<string, any>} props */
async function patchIncident(f, props) {
  const orig = f.original.properties || {};
  /** @type {Record<string, any>} */
  const changed = {};
  for (const [k, v] of Object.entries(props)) {
    const before = orig[k] === undefined ? null : orig[k];
    if (k === 'occurred_at' && v === before) continue;
    if (JSON.stringify(v) !== JSON.stringify(before)) changed[k] = v;
  }
  if (f.placeId) changed.place_id = f.placeId;
  /** @type {Record<string, any>} */
  const patch = {};
  if (Object.keys(changed).length) patch.properties = changed;
  if (f.point) patch.geometry = pointOf(f.point);
  if (!Object.keys(patch).length) { closeForm(); toast('Nothing changed.'); return; }
  const id = f.id;
  await patchFeature(id, patch, f.etag, token());
  closeForm();
  // The Reports card shows drafts with their ETags: it reloads when one of them changed.
  document.dispatchEvent(new CustomEvent('incident-saved', { detail: id }));
  await refreshData();
  toast(`Incident ${id} saved.`, { label: 'Show it', run: () => showIncident(id) });
}

/** What the form says when a write fails. @param {Error} e */
async function handleWriteError(e) {
  if (!(e instanceof ApiError)) { formError('Could not reach the server: ' + e.message); return; }
  if (e.status === 401) {
    formError(`The server refused the token: ${e.description} Enter it again under Editing.`);
    clearToken();
    $('token-form').hidden = false;
    document.body.classList.remove('editing');
    return;
  }
  if (e.status === 403) { formError('Writes are switched off on this server: ' + e.description); return; }
  if (e.status === 422 && (e.code === 'AmbiguousPlace' || e.code === 'UnknownPlace')) {
    const c = e.detail.candidates || [];
    if (form) form.placeId = null;
    // The server's description lists the candidates for API clients; the list below does.
    const said = e.description.split(' (')[0].replace(/[;.\s]+$/, '');
    formError(c.length ? `${said.charAt(0).toUpperCase() + said.slice(1)}. Choose the place you mean, or click the map to set the point:`
      : `${e.description} Check the spelling, or click the map to set the point yourself.`, c);
    return;
  }
  if (e.status === 412 && form && form.mode === 'edit') {
    try {
      const { feature, etag } = await getFeature(form.id);
      const m = form.view;
      m.feature = feature;
      fillEdit(m, feature, etag);
      formError('Someone else changed this incident since you opened it. The form now shows their version: make your changes again and save.');
    } catch (err) {
      formError('Someone else changed or deleted this incident meanwhile: ' + /** @type {ApiError} */ (err).description);
    }
    refreshData();
    return;
  }
  if (e.status === 404 && form && form.mode === 'edit') {
    formError('This incident no longer exists: someone deleted it. ' + e.description);
    refreshData();
    return;
  }
  formError(e.description);
}
