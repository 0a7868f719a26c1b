//! The map page's files: the page itself (served at `/` to browsers, see [`super::ogc`]), its
//! ES modules (`web/js/*.js`, under `/js/`) and style sheet, its settings, and the vendored
//! libraries when they were installed at build time.
//!
//! The page can hold a write token (session storage), so it is served with a
//! Content-Security-Policy that lets it run only this server's scripts and talk only to this
//! server, and it may not be framed (clickjacking): see [`page_policy`].

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use super::error::ApiError;

include!(concat!(env!("OUT_DIR"), "/vendor.rs"));
// `MODULES`: every web/js/*.js, embedded by build.rs.
include!(concat!(env!("OUT_DIR"), "/web_modules.rs"));

const MAP_HTML: &str = include_str!("../../web/index.html");
const APP_CSS: &str = include_str!("../../web/app.css");

fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        body,
    )
        .into_response()
}

/// Where the page loads MapLibre from when this binary has no copy: the pinned version only
/// (web/js/libraries.js checks its module and style sheet by Subresource Integrity too).
const CDN_SOURCES: &str = "https://unpkg.com/maplibre-gl@6.20.0/dist/";

/// The CSP source that matches a base-map URL template's tiles: its scheme, host and port,
/// with a host label holding a placeholder (`{s}.tile.example.org`) as a wildcard. `None`
/// when there is no base map or the template cannot be expressed (then tiles are refused).
fn tile_source(template: &str) -> Option<String> {
    let (scheme, rest) = template.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
        _ => (authority, None),
    };
    let mut labels: Vec<&str> = host.split('.').collect();
    if labels.iter().skip(1).any(|l| l.contains('{')) {
        return None; // CSP wildcards only stand for leading labels
    }
    if labels[0].contains('{') {
        labels[0] = "*";
    }
    let ok = |l: &&str| {
        *l == "*" || (!l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    };
    if (labels.len() < 2 && labels[0] == "*") || !labels.iter().all(ok) {
        return None;
    }
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    Some(format!("{scheme}://{}{port}", labels.join(".")))
}

/// The map page's Content-Security-Policy.
///
/// - Scripts and style sheets from this server only (`web/index.html` has no inline script or
///   style; its ES modules, under `/js/`, are this server's scripts). The CDN — path-restricted
///   to the pinned MapLibre version — is allowed only when this binary has no vendored copy,
///   the one case in which the page needs it: a build that embeds the libraries (every build
///   that could reach npm) never widens the policy.
/// - MapLibre's worker: its module beside MapLibre's under `/vendor/` (`worker-src 'self'`);
///   without a vendored copy, a `blob:` worker that imports the CDN's (MapLibre's way to start
///   a cross-origin worker), whose imports the script sources above still govern.
/// - No inline styles either: the page's scripts set the markers' colours through the CSSOM
///   (`style.setProperty`), which a policy does not govern, never as `style` attributes.
/// - Images: this server's tiles, `data:` (the page's icon, MapLibre's control icons) and
///   `blob:` (decoded tiles), and the configured base map's host, which MapLibre fetches
///   tiles from (so it is in `connect-src` too).
/// - `connect-src 'self'` and the base map: the page sends requests to this server only, so
///   a token could not be sent elsewhere.
/// - `frame-ancestors 'none'` (and `X-Frame-Options: DENY` for older browsers): the page may
///   not be framed, so no other site can trick a user into clicks on it.
pub fn page_policy(vendored: bool, basemap_url: &str) -> String {
    let (cdn, worker) = if vendored {
        (String::new(), "'self'")
    } else {
        (format!(" {CDN_SOURCES}"), "blob:")
    };
    let tiles = tile_source(basemap_url.trim())
        .map(|t| format!(" {t}"))
        .unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'{cdn}; style-src 'self'{cdn}; \
         img-src 'self' data: blob:{tiles}; connect-src 'self'{tiles}; worker-src {worker}; \
         frame-ancestors 'none'; base-uri 'self'; form-action 'none'; \
         object-src 'none'"
    )
}

/// The map page (`GET /` for browsers) with its security headers.
pub fn page(s: &AppState) -> Response {
    let policy = page_policy(!VENDOR.is_empty(), &s.opts.basemap_url);
    let mut res = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            // The base map's tile server learns this server's origin, never the page's path
            // or query (OpenStreetMap's tile policy asks browsers' requests to carry one).
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("strict-origin-when-cross-origin"),
            ),
        ],
        MAP_HTML,
    )
        .into_response();
    let policy = HeaderValue::from_str(&policy).expect("tile_source keeps the policy ASCII");
    res.headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, policy);
    res
}

/// `GET /js/{name}`: one of the page's ES modules (`web/js/main.js` imports the others). Module
/// scripts load only with a JavaScript media type.
pub async fn module(Path(name): Path<String>) -> Result<Response, ApiError> {
    let (_, text) = MODULES
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| ApiError::not_found(format!("no page module {name:?}")))?;
    Ok(asset("text/javascript; charset=utf-8", text.as_bytes()))
}

pub async fn app_css() -> Response {
    asset("text/css; charset=utf-8", APP_CSS.as_bytes())
}

/// `GET /vendor/{*path}`: MapLibre GL JS (the map page's, and any client page's) and
/// OpenLayers (the client test's), when installed at build time (build.rs).
pub async fn vendor(Path(path): Path<String>) -> Result<Response, ApiError> {
    let (_, bytes) = VENDOR.iter().find(|(p, _)| *p == path).ok_or_else(|| {
        ApiError::not_found(if VENDOR.is_empty() {
            "the web libraries were not installed when this binary was built (npm ci --prefix web); the map page uses its CDN copies".to_string()
        } else {
            format!("no vendored file {path:?}")
        })
    })?;
    let ct = match path.rsplit('.').next() {
        // ES modules (MapLibre's build) load only with a JavaScript media type.
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(ct)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        *bytes,
    )
        .into_response())
}

/// `GET /config.json`: what the map page needs to know about this server.
pub async fn config(State(s): State<AppState>) -> Json<serde_json::Value> {
    let styles: Vec<_> = s
        .app
        .styles()
        .iter()
        .map(|st| json!({"name": st.name, "title": st.title, "description": st.description}))
        .collect();
    Json(json!({
        "basemap": {"url": s.opts.basemap_url, "attribution": s.opts.basemap_attribution},
        "vendored": !VENDOR.is_empty(),
        "styles": styles,
        "writes": !s.opts.tokens.is_empty(),
        "categories": crate::model::Category::ALL.map(crate::model::Category::as_str),
    }))
}
