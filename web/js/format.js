// @ts-check
// Owns how values are shown: numbers, dates, and the categories' names and colours.

/** @param {number} n */
export function pad(n) { return String(n).padStart(2, '0'); }

/** Today in the browser's time zone, as YYYY-MM-DD. */
export function todayLocal() {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const DAY = 86400000;
/** Days since 1970-01-01 of a YYYY-MM-DD date. @param {string} iso */
export const dayNum = (iso) => Math.round(Date.parse(iso + 'T00:00:00Z') / DAY);
/** The YYYY-MM-DD date of a day number. @param {number} n */
export const dayIso = (n) => new Date(n * DAY).toISOString().slice(0, 10);

/** A legend value: few digits, grouped thousands. @param {number} v */
export function fmtNumber(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toLocaleString('en');
  if (a >= 10) return String(Number(v.toFixed(1)));
  if (a >= 0.01) return String(Number(v.toFixed(2)));
  return v.toPrecision(1);
}

/** `armed_clash` → `Armed clash`. @param {unknown} s */
export function titleCase(s) {
  const t = String(s).replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** @type {Record<string, string>} */
export const CATEGORY_LABELS = {
  protest: 'Protest', riot: 'Riot', armed_clash: 'Armed clash',
  violence_against_civilians: 'Violence against civilians', explosion: 'Explosion',
  arrests: 'Arrests', deployment: 'Deployment', shortage: 'Shortage', other: 'Other',
};
/** @type {Record<string, string>} */
const CATEGORY_COLORS = {
  protest: '#2f6fde', riot: '#f07c14', armed_clash: '#c81e1e',
  violence_against_civilians: '#8b3fd9', explosion: '#e11d74', arrests: '#0e8a7e',
  deployment: '#5b7d12', shortage: '#b8860b', other: '#64748b',
};
/** @param {string} c */
export const catLabel = (c) => CATEGORY_LABELS[c] || titleCase(c);
/** @param {string} c */
export const catColor = (c) => CATEGORY_COLORS[c] || '#64748b';

/** What an incident's `precision` means, for its popup. @type {Record<string, string>} */
export const PRECISION_TEXT = {
  exact: 'the exact point',
  city: 'the city: drawn at its centre',
  near: 'near the named place',
  region: 'the region: drawn at its centre, spread over its area in the heat map',
  country: 'the country: drawn at its centre, spread over its area in the heat map',
};
