//! The landing page (JSON for clients, the map for browsers) and the health check.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::AppState;

/// The map page.
const MAP_HTML: &str = include_str!("../../web/index.html");

/// Whether the client prefers HTML: browsers send `text/html` first; GDAL, QGIS and owslib
/// send JSON types or `*/*`, which get JSON.
pub fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut best_html = 0.0f32;
    let mut best_json = 0.0f32;
    for part in accept.split(',') {
        let mut it = part.split(';');
        let ty = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = it
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|v| v.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        match ty.as_str() {
            "text/html" | "application/xhtml+xml" => best_html = best_html.max(q),
            "application/json" | "application/geo+json" | "*/*" => best_json = best_json.max(q),
            _ => {}
        }
    }
    best_html > 0.0 && best_html >= best_json
}

pub async fn landing(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if wants_html(&headers) {
        return Html(MAP_HTML).into_response();
    }
    let base = s.base_url(&headers);
    let body = json!({
        "title": "incidentmap",
        "description": "Incidents geocoded from reports in any language, as GeoJSON and heat-map tiles.",
        "links": [
            {"rel": "self", "type": "application/json", "title": "This document", "href": format!("{base}/")},
            {"rel": "alternate", "type": "text/html", "title": "The map", "href": format!("{base}/")},
            {"rel": "items", "type": "application/geo+json", "title": "Incidents", "href": format!("{base}/collections/incidents/items")},
        ],
    });
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        Json(body),
    )
        .into_response()
}

pub async fn health(State(s): State<AppState>) -> impl IntoResponse {
    let snap = s.app.snapshot();
    (
        StatusCode::OK,
        Json(json!({
            "status": "ok",
            "incidents": snap.len(),
            "data_version": snap.version(),
        })),
    )
}

/// `GET /ping`: a fixed answer, for liveness probes and as the baseline of the tile
/// throughput benchmark.
pub async fn ping() -> &'static str {
    "pong\n"
}
