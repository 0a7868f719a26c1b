//! Health and liveness.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;

use super::AppState;

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
