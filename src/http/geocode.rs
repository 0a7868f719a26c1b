//! `/geocode?q=…` (place lookup) and `POST /geoparse` (places in a text), against the
//! offline gazetteer.

use axum::Json;
use axum::extract::{RawQuery, State};
use serde::Serialize;

use super::AppState;
use super::error::ApiError;
use super::params::Params;
use crate::bbox::Bbox;
use crate::gazetteer::geoparse::{DEFAULT_MIN_CONFIDENCE, Demonym, GeoparseOptions, Mention};
use crate::gazetteer::{GeocodeOptions, GeocodeResult};

/// Largest text `POST /geoparse` accepts by default: 256 KiB, ten times a long news report,
/// and a few hundred milliseconds of work at the densest (a text of nothing but place names).
pub const MAX_GEOPARSE_BYTES: usize = 256 * 1024;

/// Most mentions `POST /geoparse` answers with by default; past it the answer says it was cut.
pub const MAX_MENTIONS: usize = 1000;

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
    /// Demonyms and nationality adjectives (الروسية, "Azerbaijani"): not places, but they
    /// say whose forces, citizens or goods a report is about.
    pub demonyms: Vec<Demonym>,
    /// The threshold applied: mentions less sure than this were left out.
    pub min_confidence: f64,
    /// Whether mentions were left out to stay within `limit`.
    pub truncated: bool,
    /// The most mentions one answer holds (`geoparse_max_mentions`).
    pub limit: usize,
    /// How many mentions the text has, all told.
    pub found: usize,
}

/// `POST /geoparse` with the text as the body (UTF-8, any language), at most
/// `geoparse_max_bytes`. The request takes a geoparsing slot (or a place in its short queue;
/// 503 past that) *before* its body is read, so the texts held in memory at once are bounded
/// by the slots, not by the connections.
pub async fn geoparse(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Json<Mentions>, ApiError> {
    let p = Params::parse(raw.as_deref(), &["min_confidence"])?;
    let min_confidence: f64 = p
        .num("min_confidence", "a number from 0 to 1")?
        .unwrap_or(DEFAULT_MIN_CONFIDENCE);
    if !(0.0..=1.0).contains(&min_confidence) {
        return Err(ApiError::bad_request(format!(
            "min_confidence: {min_confidence} is outside 0..1"
        )));
    }
    let limit = s.opts.geoparse_max_bytes;
    let too_large = || {
        super::body::too_large(
            "a text to geoparse",
            limit,
            "geoparse_max_bytes; split longer texts",
        )
    };
    if super::body::declared_over(&headers, limit) {
        return Err(too_large());
    }
    let slot = s.geoparse.slot().await?;
    let body = super::body::read(body, limit, too_large()).await?;
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "the body must be the text to search for places (UTF-8)",
        ));
    }
    let text = String::from_utf8(body.into())
        .map_err(|e| ApiError::bad_request(format!("the body is not UTF-8 text: {e}")))?;
    let app = s.app.clone();
    let max = s.opts.geoparse_max_mentions;
    let answer = tokio::task::spawn_blocking(move || {
        let g = app.gazetteer().geoparse_with(
            &text,
            &GeoparseOptions {
                max_mentions: max,
                min_confidence,
            },
        );
        let large = text.len() >= 64 * 1024;
        drop(text);
        drop(slot);
        if large {
            // A long text's working memory was freed into this worker thread's malloc arena;
            // hand it back to the system so a burst leaves no lasting growth behind.
            crate::server::release_free_memory();
        }
        Mentions {
            truncated: g.found > max,
            limit: max,
            found: g.found,
            mentions: g.mentions,
            demonyms: g.demonyms,
            min_confidence,
        }
    })
    .await?;
    Ok(Json(answer))
}
