//! Request bodies read within a size limit: the declared length checked before anything is
//! read, the count checked as bytes arrive, and errors that name the limit.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};

use super::error::ApiError;

/// Whether the request declares (`Content-Length`) more than `limit` bytes.
pub fn declared_over(headers: &HeaderMap, limit: usize) -> bool {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > limit as u64)
}

/// A 413 naming the limit: "`what` may be at most N bytes (`knob`)".
pub fn too_large(what: &str, limit: usize, knob: &str) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PayloadTooLarge",
        format!("{what} may be at most {limit} bytes ({knob})"),
    )
}

/// The whole body, or `too_large` past `limit` bytes, or a 400 when it cannot be read.
pub async fn read(body: Body, limit: usize, too_large: ApiError) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let over = std::error::Error::source(&e)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if over {
            too_large
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "InvalidBody",
                format!("the request body could not be read: {e}"),
            )
        }
    })
}
