//! `/geocode?q=…` (place lookup) and `POST /geoparse` (places in a text), against the
//! offline gazetteer.

use axum::Json;
use axum::extract::{RawQuery, State};
use serde::Serialize;

use super::AppState;
use super::error::ApiError;
use super::params::{Kind, Param, Params};
use crate::gazetteer::geoparse::{DEFAULT_MIN_CONFIDENCE, Demonym, GeoparseOptions, Mention};
use crate::gazetteer::{GeocodeOptions, GeocodeResult};

/// Largest text `POST /geoparse` accepts by default: 256 KiB, ten times a long news report,
/// and a few hundred milliseconds of work at the densest (a text of nothing but place names).
pub const MAX_GEOPARSE_BYTES: usize = 256 * 1024;

/// Most mentions `POST /geoparse` answers with by default; past it the answer says it was cut.
pub const MAX_MENTIONS: usize = 1000;

pub const MAX_LIMIT: usize = 50;

const Q: Param = Param::new(
    "q",
    "The place name, in any language or script.",
    Kind::Text { max: 200 },
)
.required();
const LIMIT: Param = Param::new(
    "limit",
    "Most results.",
    Kind::Int {
        min: 1,
        max: MAX_LIMIT as u64,
        default: Some(5),
        clamp: false,
    },
);
const COUNTRY: Param = Param::new(
    "country",
    "Prefer places in this country (ISO 3166-1 alpha-2).",
    Kind::Country,
);
const BBOX: Param = Param::new(
    "bbox",
    "Prefer places in this box: lon,lat,lon,lat (west, south, east, north).",
    Kind::Bbox,
);
/// The query parameters of `GET /geocode`.
pub const GEOCODE: &[Param] = &[Q, LIMIT, COUNTRY, BBOX];

const MIN_CONFIDENCE: Param = Param::new(
    "min_confidence",
    "Leave out mentions less sure than this (0 to 1). The default keeps mentions that are usually right; 0 returns every candidate, however doubtful.",
    Kind::Number {
        min: 0.0,
        max: 1.0,
        default: DEFAULT_MIN_CONFIDENCE,
    },
);
/// The query parameters of `POST /geoparse`.
pub const GEOPARSE: &[Param] = &[MIN_CONFIDENCE];

#[derive(Serialize)]
pub struct Answer {
    pub query: String,
    pub results: Vec<GeocodeResult>,
}

pub async fn geocode(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Answer>, ApiError> {
    let p = Params::declared(raw.as_deref(), &[], GEOCODE)?;
    let q = p.text(&Q)?.unwrap_or_default().to_string();
    let limit = p.int(&LIMIT)?.unwrap_or(5) as usize;
    let country = p.country(&COUNTRY)?;
    let bbox = p.bbox(&BBOX)?;
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
    let p = Params::declared(raw.as_deref(), &[], GEOPARSE)?;
    let min_confidence = p.number(&MIN_CONFIDENCE)?;
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
