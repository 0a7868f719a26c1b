//! `/basemap/labels`: the place names of the offline base map, chosen per zoom from the
//! gazetteer (most important first, none overlapping, see [`crate::gazetteer::labels`]),
//! in the language a page asks for. The land and borders come from the area collections
//! ([`super::areas`]).

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::error::ApiError;
use super::items::tagged;
use super::params::Params;
use super::{AppState, etag, not_modified};
use crate::bbox::Bbox;
use crate::gazetteer::Kind;

/// Query parameters of `/basemap/labels`.
pub const PARAMS: &[&str] = &["zoom", "bbox", "lang", "limit"];
const DEFAULT_LIMIT: usize = 500;
const MAX_LIMIT: usize = 5000;

/// `GET /basemap/labels?zoom=&bbox=&lang=&limit=`: the places named at a zoom, in a view.
pub async fn labels(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), PARAMS)?;
    let zoom: u8 = params
        .num("zoom", "an integer from 0 to 24")?
        .ok_or_else(|| ApiError::bad_request("zoom: required (the map's zoom, 0 to 24)"))?;
    if zoom > 24 {
        return Err(ApiError::bad_request(format!("zoom: {zoom} is above 24")));
    }
    let bbox = params
        .get("bbox")
        .map(Bbox::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request(format!("bbox: {}", e.0)))?;
    let lang = params.get("lang").unwrap_or("en").to_string();
    if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(ApiError::bad_request(format!(
            "lang: {lang:?} is not a two- or three-letter lowercase language code (ISO 639)"
        )));
    }
    let limit = match params.num::<usize>("limit", "a positive integer")? {
        Some(0) => return Err(ApiError::bad_request("limit: must be at least 1")),
        Some(n) => n.min(MAX_LIMIT),
        None => DEFAULT_LIMIT,
    };
    // The gazetteer is fixed for the binary's life: the query alone tells answers apart.
    let tag = etag(&[b"labels", raw.as_deref().unwrap_or("").as_bytes()]);
    if not_modified(&headers, &tag) {
        return Ok(super::items::not_modified_response(tag, s.opts.max_age));
    }
    let app = s.app.clone();
    let body = tokio::task::spawn_blocking(move || {
        let gaz = app.gazetteer();
        let features: Vec<Value> = gaz
            .labels()
            .iter()
            .filter_map(|l| l.placement.at(zoom).map(|a| (l, a)))
            .filter(|(l, _)| {
                let p = gaz.place_at(l.place);
                bbox.as_ref().is_none_or(|b| b.contains(p.lon, p.lat))
            })
            .take(limit)
            .map(|(l, anchor)| {
                let p = gaz.place_at(l.place);
                let (name, name_lang) = gaz.label_name(l, &lang);
                json!({
                    "type": "Feature",
                    "id": p.id.to_string(),
                    "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                    "properties": {
                        "name": name,
                        "lang": name_lang,
                        "kind": if p.kind == Kind::Country { "country" } else { "town" },
                        "population": p.population,
                        "minzoom": l.placement.min_zoom(),
                        "anchor": if p.kind == Kind::Country { "center" } else { anchor.as_str() },
                    },
                })
            })
            .collect();
        json!({"type": "FeatureCollection", "numberReturned": features.len(), "features": features})
    })
    .await?;
    let bytes = serde_json::to_vec(&body).expect("JSON values serialize");
    Ok(tagged(
        super::items::GEOJSON,
        tag,
        s.opts.max_age,
        bytes.into(),
    ))
}
