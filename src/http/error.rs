//! The one error shape every endpoint answers with: a status and a JSON body
//! `{"code": ..., "description": ...}` whose description names the problem.

use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub description: String,
    /// Extra structured detail (e.g. geocoding candidates), merged into the body. Boxed: errors
    /// travel in every `Result` of the HTTP layer and should stay small.
    pub detail: Option<Box<serde_json::Value>>,
    /// Seconds for a `Retry-After` header (503s).
    pub retry_after: Option<u32>,
    /// Other headers (WWW-Authenticate on 401s).
    pub headers: Vec<(header::HeaderName, &'static str)>,
    /// Load shedding (see [`ApiError::overloaded`]): logged as a rate-limited warning.
    pub shed: bool,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    description: &'a str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    detail: Option<&'a serde_json::Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, description: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            description: description.into(),
            detail: None,
            retry_after: None,
            headers: Vec::new(),
            shed: false,
        }
    }

    pub fn with_header(mut self, name: header::HeaderName, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn with_retry_after(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn bad_request(description: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "InvalidParameterValue",
            description,
        )
    }

    pub fn not_found(description: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "NotFound", description)
    }

    pub fn internal(description: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            description,
        )
    }

    /// The JSON body this error is sent with.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(Body {
            code: self.code,
            description: &self.description,
            detail: self.detail.as_deref(),
        })
        .unwrap_or_default()
    }

    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = Some(Box::new(detail));
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.shed {
            shed_warning(&self.description);
        } else if self.status.is_server_error() {
            tracing::error!(code = self.code, "{}", self.description);
        }
        let body = serde_json::to_vec(&Body {
            code: self.code,
            description: &self.description,
            detail: self.detail.as_deref(),
        })
        .unwrap_or_default();
        let mut r = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
        if let Some(s) = self.retry_after {
            r.headers_mut().insert(header::RETRY_AFTER, s.into());
        }
        for (name, value) in self.headers {
            r.headers_mut()
                .insert(name, axum::http::HeaderValue::from_static(value));
        }
        r
    }
}

/// One warning a second at most while requests are being shed, with how many were shed
/// since the last one: a burst that sheds thousands must not write thousands of log lines.
fn shed_warning(description: &str) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SHED: AtomicU64 = AtomicU64::new(0);
    static LAST_SECOND: AtomicU64 = AtomicU64::new(0);
    metrics::counter!("incidentmap_http_shed_total").increment(1);
    let shed = SHED.fetch_add(1, Ordering::Relaxed) + 1;
    if super::observe::once_a_second(&LAST_SECOND) {
        SHED.store(0, Ordering::Relaxed);
        tracing::warn!(shed, "shedding load: {description}");
    }
}

impl From<crate::app::AppError> for ApiError {
    fn from(e: crate::app::AppError) -> Self {
        if e.is_unavailable() {
            // A shared database is down or restarting: reads still work from memory, and the
            // same request will succeed once it is back.
            return ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "StoreUnavailable",
                e.to_string(),
            )
            .with_retry_after(5);
        }
        ApiError::internal(e.to_string())
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::internal(format!("a worker task failed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn shed_load_is_a_rate_limited_warning_not_an_error() {
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            for _ in 0..500 {
                let r = ApiError::overloaded("test renders: the queue is full").into_response();
                assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
                assert_eq!(r.headers()[header::RETRY_AFTER], "1");
            }
            let _ = ApiError::internal("a real failure").into_response();
        });
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        let warnings = text.lines().filter(|l| l.contains("WARN")).count();
        let errors = text.lines().filter(|l| l.contains("ERROR")).count();
        // 500 shed requests within a second or two: one or two lines, not 500.
        assert!((1..=2).contains(&warnings), "{text}");
        assert_eq!(errors, 1, "only the real failure is an error: {text}");
    }
}
