//! What every request goes through on its way in and out: a time limit, one log line
//! (method, matched route, status, latency), the request metrics, and JSON bodies for errors
//! that layers or the framework produced without one. Plus `GET /metrics`.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use super::AppState;
use super::error::ApiError;

/// The process's metrics recorder (one per process, shared by every server in it).
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let seconds = [
            0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
            2.5, 5.0, 10.0,
        ];
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &seconds)
            .expect("buckets are valid")
            .build_recorder();
        let handle = recorder.handle();
        // Fails only if another recorder was installed first; ours would then render an
        // empty page, which the metrics test would notice.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Per-route middleware: time limit, access log line, request metrics.
pub async fn observe(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let limit = s.opts.request_timeout;
    // Writes are not cut off: one that is committing must get its real answer. What a client
    // controls in them, the upload, has its own time limit (edit::writers_buffered, import).
    let is_read =
        matches!(method, Method::GET | Method::HEAD | Method::OPTIONS) || route == "/geoparse";
    if !is_read {
        let response = next.run(req).await;
        record(&method, &route, response.status(), started.elapsed());
        return response;
    }
    let response = match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Timeout",
            format!(
                "the request took longer than {} s and was abandoned",
                limit.as_secs_f32()
            ),
        )
        .with_retry_after(1)
        .into_response(),
    };
    record(&method, &route, response.status(), started.elapsed());
    response
}

/// Whether a rate-limited log line may be written now: true at most once per second of wall
/// time for each `last` (which holds the second of the last line written).
pub fn once_a_second(last: &std::sync::atomic::AtomicU64) -> bool {
    use std::sync::atomic::Ordering;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let prev = last.load(Ordering::Relaxed);
    now > prev
        && last
            .compare_exchange(prev, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
}

/// The method as a metrics label: the standard ones by name, anything else as `other`, so
/// clients cannot grow the label set by inventing methods.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The access log line and the request metrics. Every label comes from a closed set: the
/// method folded by [`method_label`], the route template the router matched (never the raw
/// path; `unmatched` for 404s), and the status code, which the server chooses.
pub fn record(method: &Method, route: &str, status: StatusCode, elapsed: Duration) {
    let method = method_label(method);
    tracing::info!(
        target: "incidentmap::access",
        method,
        route,
        status = status.as_u16(),
        latency_ms = elapsed.as_secs_f64() * 1e3,
        "request"
    );
    metrics::counter!(
        "incidentmap_http_requests_total",
        "method" => method,
        "route" => route.to_owned(),
        "status" => status.as_u16().to_string()
    )
    .increment(1);
    metrics::histogram!(
        "incidentmap_http_request_duration_seconds",
        "route" => route.to_owned()
    )
    .record(elapsed.as_secs_f64());
}

/// Outer middleware: an error without a JSON body (from a layer or the framework) gets one,
/// so every 4xx/5xx a client sees is `{"code", "description"}`.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if status.as_u16() < 400 || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_string();
    let reason = status.canonical_reason().unwrap_or("Error");
    let description = if text.is_empty() {
        reason.to_string()
    } else {
        text
    };
    let mut r = ApiError::new(status, code_for(status), description).into_response();
    for (k, v) in parts.headers.iter() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            r.headers_mut().insert(k.clone(), v.clone());
        }
    }
    r
}

fn code_for(s: StatusCode) -> &'static str {
    match s.as_u16() {
        400 => "InvalidRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        408 | 503 => "ServiceUnavailable",
        413 => "PayloadTooLarge",
        415 => "UnsupportedMediaType",
        422 => "UnprocessableEntity",
        _ if s.is_server_error() => "InternalError",
        _ => "Error",
    }
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(s): State<AppState>) -> Response {
    let snap = s.app.snapshot();
    metrics::gauge!("incidentmap_incidents").set(snap.len() as f64);
    metrics::gauge!("incidentmap_data_version").set(snap.version() as f64);
    metrics::gauge!("incidentmap_store_up").set(if s.app.store().is_up() { 1.0 } else { 0.0 });
    let (hits, misses, bytes, tiles) = s.tiles.cache.stats();
    metrics::counter!("incidentmap_tile_cache_hits_total").absolute(hits);
    metrics::counter!("incidentmap_tile_cache_misses_total").absolute(misses);
    metrics::gauge!("incidentmap_tile_cache_bytes").set(bytes as f64);
    metrics::gauge!("incidentmap_tile_cache_tiles").set(tiles as f64);
    metrics::gauge!("incidentmap_tile_cache_capacity_bytes").set(s.opts.tile_cache_bytes as f64);
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        Body::from(recorder().render()),
    )
        .into_response()
}
