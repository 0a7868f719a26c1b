// @ts-check
// Owns loading MapLibre GL JS (an ES module and its style sheet): from this server under
// vendor/ when it was built with it (config.json says "vendored"), else the same pinned
// version from a CDN, checked by Subresource Integrity.

/** @typedef {typeof import('maplibre-gl')} MapLibre */

const VENDOR = 'vendor/maplibre-gl/';
const CDN = 'https://unpkg.com/maplibre-gl@6.20.0/dist/';
// Integrity of the pinned files (web/package.json pins the same version; the browser test
// serves the CDN from web/node_modules and fails when these do not match).
const SRI = {
  'maplibre-gl.mjs': 'sha384-DuR2y8bnIeEFo3Tp4r2J9SqN197QwqqBnSWgug70FtayOT+CtRKoHOrv2kU7KNI8',
  'maplibre-gl.css': 'sha384-S+OnE5M4U3Qc2nR0RgljGrVs06xqfRg8L7uFk/pOF5+sRuSDG4oKkqKZmFrx7w09',
};

/**
 * Adds a <link rel=stylesheet> or a module <script> to the head; resolves when it loaded.
 * @param {'link' | 'script'} tag
 * @param {string} url
 * @param {string | null} integrity
 * @param {Element | null} [before]
 * @returns {Promise<HTMLElement>}
 */
function loadTag(tag, url, integrity, before) {
  return new Promise((resolve, reject) => {
    const el = tag === 'link' ? document.createElement('link') : document.createElement('script');
    if (integrity) {
      el.integrity = integrity;
      el.crossOrigin = 'anonymous';
    }
    if (el instanceof HTMLLinkElement) {
      el.rel = 'stylesheet';
      el.href = url;
    } else {
      el.type = 'module';
      el.src = url;
    }
    el.onload = () => resolve(el);
    el.onerror = () => { el.remove(); reject(new Error('could not load ' + url)); };
    if (before) document.head.insertBefore(el, before);
    else document.head.appendChild(el);
  });
}

/**
 * Loads MapLibre; says where from.
 *
 * From the CDN, a module <script> with its integrity loads the module first; the import()
 * after it takes the same module from the browser's module map (keyed by URL), so the code
 * that runs is the code that was checked. MapLibre starts its worker from the file beside
 * its module: here through a blob (it is cross-origin), which the page's policy allows only
 * when the server has no vendored copy.
 * @param {boolean | undefined} vendored what config.json said (undefined: it did not answer)
 * @returns {Promise<{ lib: MapLibre, from: 'vendor' | 'cdn' }>}
 */
export async function loadLibraries(vendored) {
  const appCss = document.getElementById('app-css');
  /** @param {boolean} fromVendor @returns {Promise<MapLibre>} */
  const load = async (fromVendor) => {
    const base = fromVendor ? VENDOR : CDN;
    // The style sheet goes before the page's own, so the page's rules win.
    const sheet = loadTag('link', base + 'maplibre-gl.css', fromVendor ? null : SRI['maplibre-gl.css'], appCss);
    const url = new URL(base + 'maplibre-gl.mjs', document.baseURI).href;
    if (!fromVendor) await loadTag('script', url, SRI['maplibre-gl.mjs']);
    const lib = /** @type {MapLibre} */ (await import(url));
    await sheet;
    return lib;
  };
  if (vendored !== false) {
    try {
      return { lib: await load(true), from: 'vendor' };
    } catch (e) {
      if (vendored === true) console.warn('vendored MapLibre failed, trying the CDN:', /** @type {Error} */ (e).message);
      document.querySelectorAll('link[href^="vendor/"]').forEach((el) => el.remove());
    }
  }
  return { lib: await load(false), from: 'cdn' };
}
