// @ts-check
// Owns every request the page makes to the server: the URLs (all relative to the page, so
// the map works behind a reverse proxy under a path prefix), fetch helpers and API errors.

import { token } from './auth.js';

/**
 * @typedef {{ type: 'Point', coordinates: number[] }} Point
 * @typedef {import('geojson').Feature<import('geojson').Point, any>} Feature an incident as the API serves it
 * @typedef {{ type: 'Feature', geometry: Point | null, properties: Record<string, any> }} NewFeature an incident to create (no point: the server locates the place name)
 * @typedef {{ features?: Feature[], numberMatched: number, numberReturned: number }} FeatureCollection
 */

/** An error answer of the API (or a local one, status 0), with the server's description. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string | null | undefined} code
   * @param {string | null | undefined} description
   * @param {Record<string, any>} [detail]
   */
  constructor(status, code, description, detail) {
    super(description || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.description = description || `The server answered ${status}.`;
    this.detail = detail || {};
  }
}

/** @param {Response} r */
export async function apiError(r) {
  let body = null;
  try { body = await r.json(); } catch { /* not JSON */ }
  if (body && typeof body === 'object') return new ApiError(r.status, body.code, body.description, body);
  return new ApiError(r.status, null, `The server answered ${r.status} ${r.statusText}.`);
}

/**
 * @param {string} url
 * @param {RequestInit} [opts]
 * @returns {Promise<any>}
 */
export async function getJSON(url, opts) {
  const r = await fetch(url, Object.assign({ cache: 'no-cache', headers: { Accept: 'application/json' } }, opts));
  if (!r.ok) throw await apiError(r);
  return r.json();
}

/** A query value, keeping `,`, `/` and `:` readable. @param {unknown} v */
export const enc = (v) => encodeURIComponent(String(v)).replace(/%2C/gi, ',').replace(/%2F/gi, '/').replace(/%3A/gi, ':');

/**
 * A query string of the parameters that have a value.
 * @param {Record<string, unknown>} params
 */
export const query = (params) => Object.entries(params)
  .filter(([, v]) => v !== undefined && v !== null && v !== '')
  .map(([k, v]) => `${k}=${enc(v)}`).join('&');

/**
 * The heat tiles' URL template (XYZ, 256-px tiles; 512-px ones for high-density screens).
 * @param {string} style
 * @param {Record<string, unknown>} params
 * @param {boolean} retina
 */
export function tileUrl(style, params, retina) {
  const q = query(params);
  return `tiles/${encodeURIComponent(style)}/{z}/{x}/{y}${retina ? '@2x' : ''}.png${q ? '?' + q : ''}`;
}

/**
 * The vector tiles' URL template (OGC API – Tiles: row before column).
 * @param {Record<string, unknown>} params
 */
export function vectorTileUrl(params) {
  const q = query(params);
  return `collections/incidents/tiles/WebMercatorQuad/{z}/{y}/{x}${q ? '?' + q : ''}`;
}

/**
 * A URL relative to the page made absolute, as MapLibre needs for tile templates (its workers
 * would resolve them against their own script). `new URL` is not used on the template: it
 * would percent-encode the `{z}` placeholders.
 * @param {string} relative
 */
export const absolute = (relative) => new URL('.', document.baseURI).href + relative;

/** @param {string} style @param {number} z */
export const getLegend = (style, z) => getJSON(`tiles/${encodeURIComponent(style)}/legend?${query({ z })}`);

/** @param {string} q @param {AbortSignal} signal */
export const geocode = (q, signal) => getJSON(`geocode?${query({ q, limit: 5 })}`, { signal });

export const getConfig = () => getJSON('config.json');
export const getTileStyles = () => getJSON('tiles');
export const getCollection = () => getJSON('collections/incidents');
export const getHealth = () => getJSON('health');

/** @param {Record<string, unknown>} params */
export const itemsUrl = (params) => 'collections/incidents/items?' + query(params);

/** @param {string} id */
const itemUrl = (id) => `collections/incidents/items/${encodeURIComponent(id)}`;

/**
 * @param {string} url from itemsUrl
 * @param {AbortSignal} signal
 * @returns {Promise<FeatureCollection>}
 */
export async function getItems(url, signal) {
  const r = await fetch(url, { signal, cache: 'no-cache', headers: { Accept: 'application/geo+json' } });
  if (!r.ok) throw await apiError(r);
  return r.json();
}

/**
 * One incident, with its ETag (for If-Match). With editing unlocked the token goes along: a
 * draft of the review queue is shown to token holders only.
 * @param {string} id
 * @returns {Promise<{ feature: Feature, etag: string | null }>}
 */
export async function getFeature(id) {
  const t = token();
  const headers = t ? authHeaders(t, {}) : { Accept: 'application/geo+json' };
  const r = await fetch(itemUrl(id), { cache: 'no-cache', headers });
  if (!r.ok) throw await apiError(r);
  return { feature: await r.json(), etag: r.headers.get('ETag') };
}

/**
 * @param {string} token
 * @param {Record<string, string>} extra
 * @returns {Record<string, string>}
 */
function authHeaders(token, extra) {
  return Object.assign({ Authorization: 'Bearer ' + token, Accept: 'application/geo+json' }, extra);
}

/**
 * @param {NewFeature} feature
 * @param {string} token
 * @returns {Promise<Feature>} the created incident
 */
export async function createFeature(feature, token) {
  const r = await fetch('collections/incidents/items', {
    method: 'POST', headers: authHeaders(token, { 'Content-Type': 'application/geo+json' }), body: JSON.stringify(feature),
  });
  if (r.status !== 201 && !r.ok) throw await apiError(r);
  return r.json();
}

/**
 * A JSON merge patch of one incident.
 * @param {string} id
 * @param {Record<string, unknown>} patch
 * @param {string | null} etag
 * @param {string} token
 */
export async function patchFeature(id, patch, etag, token) {
  const headers = authHeaders(token, { 'Content-Type': 'application/merge-patch+json' });
  if (etag) headers['If-Match'] = etag;
  const r = await fetch(itemUrl(id), { method: 'PATCH', headers, body: JSON.stringify(patch) });
  if (!r.ok) throw await apiError(r);
  return r.json();
}

/**
 * Deletes one incident; throws the ApiError of a refusal, or the fetch error when the
 * server cannot be reached.
 * @param {string} id
 * @param {string | null | undefined} etag
 * @param {string} token
 */
export async function deleteFeature(id, etag, token) {
  const headers = authHeaders(token, {});
  if (etag) headers['If-Match'] = etag;
  const r = await fetch(itemUrl(id), { method: 'DELETE', headers });
  if (r.status === 204 || r.ok) return;
  throw await apiError(r);
}

/**
 * What `POST /reports` answers, and `GET /reports/{id}`: the report, each drafted event with
 * the evidence of its fields (code-point offsets into the text), and the incidents the events
 * became or corroborate, as they stand now.
 * @typedef {{ start: number, end: number }} Span
 * @typedef {{ value: number, qualifier?: string, evidence: Span }} Count
 * @typedef {{ place: { id: number, name: string, country: string, admin1?: string, lon: number, lat: number }, precision: string,
 *   place_evidence: Span, occurred_at: string, date_evidence?: Span, category: string, category_evidence: Span,
 *   fatalities?: Count, injured?: Count, arrested?: Count, incident_id?: string, corroborates?: string }} DraftedEvent
 * @typedef {{ id: string, text: string, language: string, source?: string | null, url?: string | null, published_at?: string | null,
 *   drafts: DraftedEvent[], incidents: { id: string, etag: string, feature: Feature }[] }} Report
 */

/**
 * Sends a report to be drafted into incidents.
 * @param {{ text: string, source?: string, published_at?: string }} report
 * @param {string} t the write token
 * @returns {Promise<Report>}
 */
export async function postReport(report, t) {
  const r = await fetch('reports', {
    method: 'POST', headers: authHeaders(t, { 'Content-Type': 'application/json', Accept: 'application/json' }), body: JSON.stringify(report),
  });
  if (r.status !== 201) throw await apiError(r);
  return r.json();
}

/**
 * A stored report, with where its drafts stand now.
 * @param {string} id
 * @param {string} t the write token
 * @returns {Promise<Report>}
 */
export const getReport = (id, t) => getJSON(`reports/${encodeURIComponent(id)}`, { headers: authHeaders(t, { Accept: 'application/json' }) });
