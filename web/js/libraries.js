// @ts-check
// Owns loading Leaflet and leaflet.markercluster (classic scripts that define the global L):
// from this server under vendor/ when it was built with them (config.json says "vendored"),
// else the same pinned versions from a CDN, checked by Subresource Integrity.

const CDN = 'https://unpkg.com/';
/** @type {{ vendor: string, cdn: string, css: [string, string][], js: [string, string][] }[]} */
const LIBS = [
  {
    vendor: 'vendor/leaflet/', cdn: CDN + 'leaflet@1.9.4/dist/',
    css: [['leaflet.css', 'sha256-p4NxAoJBhIIN+hmNHrzRCf9tD/miZyoHS5obTRR9BMY=']],
    js: [['leaflet.js', 'sha256-20nQCchB9co0qIjJZRGuk2/Z9VM+kNiyxNV1lvTlZBo=']],
  },
  {
    vendor: 'vendor/leaflet.markercluster/', cdn: CDN + 'leaflet.markercluster@1.5.3/dist/',
    css: [
      ['MarkerCluster.css', 'sha256-YU3qCpj/P06tdPBJGPax0bm6Q1wltfwjsho5TR4+TYc='],
      ['MarkerCluster.Default.css', 'sha256-YSWCMtmNZNwqex4CEw1nQhvFub2lmU7vcCKP+XVwwXA='],
    ],
    js: [['leaflet.markercluster.js', 'sha256-Hk4dIpcqOSb0hZjgyvFOP+cEmDXUKKNE/tT542ZbNQg=']],
  },
];

/**
 * Adds a <link rel=stylesheet> or an ordered <script> to the head; resolves when it loaded.
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
      el.src = url;
      el.async = false;
    }
    el.onload = () => resolve(el);
    el.onerror = () => { el.remove(); reject(new Error('could not load ' + url)); };
    if (before) document.head.insertBefore(el, before);
    else document.head.appendChild(el);
  });
}

/**
 * Loads the libraries; says where from.
 * @param {boolean | undefined} vendored what config.json said (undefined: it did not answer)
 * @returns {Promise<'vendor' | 'cdn'>}
 */
export async function loadLibraries(vendored) {
  const appCss = document.getElementById('app-css');
  /** @param {boolean} fromVendor */
  const load = async (fromVendor) => {
    for (const lib of LIBS) {
      const base = fromVendor ? lib.vendor : lib.cdn;
      // Style sheets go before the page's own, so the page's rules win.
      const sheets = lib.css.map(([f, sri]) => loadTag('link', base + f, fromVendor ? null : sri, appCss));
      for (const [f, sri] of lib.js) await loadTag('script', base + f, fromVendor ? null : sri);
      await Promise.all(sheets);
    }
  };
  if (vendored !== false) {
    try {
      await load(true);
      return 'vendor';
    } catch (e) {
      if (vendored === true) console.warn('vendored libraries failed, trying the CDN:', /** @type {Error} */ (e).message);
      document.querySelectorAll('link[href^="vendor/"],script[src^="vendor/"]').forEach((el) => el.remove());
    }
  }
  await load(false);
  return 'cdn';
}
