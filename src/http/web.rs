//! The map page's files: the page itself (served at `/` to browsers, see [`super::ogc`]), its
//! script and style sheet, its settings, and the vendored libraries when they were installed
//! at build time.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use super::error::ApiError;

include!(concat!(env!("OUT_DIR"), "/vendor.rs"));

const APP_JS: &str = include_str!("../../web/app.js");
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

pub async fn app_js() -> Response {
    asset("text/javascript; charset=utf-8", APP_JS.as_bytes())
}

pub async fn app_css() -> Response {
    asset("text/css; charset=utf-8", APP_CSS.as_bytes())
}

/// `GET /vendor/{*path}`: Leaflet and the marker-cluster plugin, when installed at build time.
pub async fn vendor(Path(path): Path<String>) -> Result<Response, ApiError> {
    let (_, bytes) = VENDOR.iter().find(|(p, _)| *p == path).ok_or_else(|| {
        ApiError::not_found(if VENDOR.is_empty() {
            "the web libraries were not installed when this binary was built (npm ci --prefix web); the map page uses its CDN copies".to_string()
        } else {
            format!("no vendored file {path:?}")
        })
    })?;
    let ct = match path.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
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
