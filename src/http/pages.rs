//! Health and liveness.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;

use super::AppState;

pub async fn health(State(s): State<AppState>) -> impl IntoResponse {
    let snap = s.app.snapshot();
    let store_up = s.app.store().is_up();
    // Still 200 when the store is down: reads are served from memory, so a load balancer
    // should keep sending traffic; "degraded" tells monitoring that writes fail.
    (
        StatusCode::OK,
        Json(json!({
            "status": if store_up { "ok" } else { "degraded" },
            "store_reachable": store_up,
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
