//! `/geocode?q=…` (place lookup) and `POST /geoparse` (places in a text), against the
//! offline gazetteer.

use axum::Json;
use axum::extract::{RawQuery, State};
use serde::Serialize;

use super::AppState;
use super::error::ApiError;
use super::params::Params;
use crate::bbox::Bbox;
use crate::gazetteer::geoparse::Mention;
use crate::gazetteer::{GeocodeOptions, GeocodeResult};

/// Largest text `POST /geoparse` accepts.
pub const MAX_GEOPARSE_BYTES: usize = 5 * 1024 * 1024;

pub const MAX_LIMIT: usize = 50;

#[derive(Serialize)]
pub struct Answer {
    pub query: String,
    pub results: Vec<GeocodeResult>,
}

pub async fn geocode(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Answer>, ApiError> {
    let p = Params::parse(raw.as_deref(), &["q", "limit", "country", "bbox"])?;
    let q = p
        .get("q")
        .ok_or_else(|| ApiError::bad_request("q: the place name to look up is required"))?
        .to_string();
    if q.is_empty() || q.chars().count() > 200 {
        return Err(ApiError::bad_request(
            "q: the place name must be 1 to 200 characters",
        ));
    }
    let limit: usize = p.num("limit", "an integer between 1 and 50")?.unwrap_or(5);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit: {limit} is outside 1..{MAX_LIMIT}"
        )));
    }
    let country = match p.get("country") {
        None => None,
        Some(c) if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => {
            Some(c.to_ascii_uppercase())
        }
        Some(c) => {
            return Err(ApiError::bad_request(format!(
                "country: {c:?} is not an ISO 3166-1 alpha-2 code such as KZ"
            )));
        }
    };
    let bbox = p
        .get("bbox")
        .map(Bbox::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request(format!("bbox: {e}")))?;
    let opts = GeocodeOptions {
        limit,
        country,
        bbox,
    };
    let app = s.app.clone();
    let query = q.clone();
    let results =
        tokio::task::spawn_blocking(move || app.gazetteer().geocode(&query, &opts)).await?;
    Ok(Json(Answer { query: q, results }))
}

#[derive(Serialize)]
pub struct Mentions {
    pub mentions: Vec<Mention>,
}

/// `POST /geoparse` with the text as the body (UTF-8, any language).
pub async fn geoparse(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    body: axum::body::Bytes,
) -> Result<Json<Mentions>, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "the body must be the text to search for places (UTF-8)",
        ));
    }
    let text = String::from_utf8(body.to_vec())
        .map_err(|e| ApiError::bad_request(format!("the body is not UTF-8 text: {e}")))?;
    let app = s.app.clone();
    let mentions = tokio::task::spawn_blocking(move || app.gazetteer().geoparse(&text)).await?;
    Ok(Json(Mentions { mentions }))
}
