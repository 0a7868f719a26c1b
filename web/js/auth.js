// @ts-check
// Owns the write token: kept in this tab's session storage only.

const TOKEN_KEY = 'incidentmap.token';

/** The write token, or '' when editing is locked. */
export function token() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
}

/** @param {string} t */
export function setToken(t) {
  try { sessionStorage.setItem(TOKEN_KEY, t); } catch { /* ignore */ }
}

export function clearToken() {
  try { sessionStorage.removeItem(TOKEN_KEY); } catch { /* ignore */ }
}
