//! `/collections/incidents/items` and `/collections/incidents/items/{id}`: incidents as GeoJSON.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::error::ApiError;
use super::params::{Params, query_string};
use super::{AppState, etag, not_modified};
use crate::bbox::Bbox;
use crate::filter::{Filter, TimeRange, parse_categories, parse_precisions};
use crate::format::geojson::{write_feature, write_str};
use crate::model::Incident;

pub const GEOJSON: &str = "application/geo+json";
/// Items pages hold at most this many features; larger limits are served with this many.
pub const MAX_LIMIT: usize = 10_000;
pub const DEFAULT_LIMIT: usize = 10;

/// Query parameters the items endpoint accepts.
pub const ITEMS_PARAMS: &[&str] = &[
    "bbox",
    "limit",
    "offset",
    "datetime",
    "category",
    "precision",
    "min_fatalities",
    "min_injured",
    "min_arrested",
    "place_id",
    "f",
];

/// The filter parameters shared with the tiles (`datetime`, `category`) and the rest.
pub fn filter_from(p: &Params) -> Result<Filter, ApiError> {
    let bad = |e: crate::filter::FilterError| ApiError::bad_request(e.0);
    Ok(Filter {
        bbox: p
            .get("bbox")
            .map(Bbox::parse)
            .transpose()
            .map_err(|e| ApiError::bad_request(format!("bbox: {e}")))?,
        time: p
            .get("datetime")
            .map(TimeRange::parse)
            .transpose()
            .map_err(bad)?,
        categories: p
            .get("category")
            .map(parse_categories)
            .transpose()
            .map_err(bad)?,
        precisions: p
            .get("precision")
            .map(parse_precisions)
            .transpose()
            .map_err(bad)?,
        min_fatalities: p.num("min_fatalities", "a non-negative integer")?,
        min_injured: p.num("min_injured", "a non-negative integer")?,
        min_arrested: p.num("min_arrested", "a non-negative integer")?,
        place_id: p.num("place_id", "a gazetteer id")?,
    })
}

/// `limit` and `offset`: default 10, above the maximum served with the maximum, 0 refused.
fn paging(p: &Params) -> Result<(usize, usize), ApiError> {
    let limit = match p.get("limit") {
        None => DEFAULT_LIMIT,
        Some(v) => {
            let n: u64 = v.trim().parse().map_err(|_| {
                ApiError::bad_request(format!("limit: {v:?} is not a positive integer"))
            })?;
            if n == 0 {
                return Err(ApiError::bad_request("limit: must be at least 1"));
            }
            n.min(MAX_LIMIT as u64) as usize
        }
    };
    let offset: usize = p.num("offset", "a non-negative integer")?.unwrap_or(0);
    Ok((limit, offset))
}

fn check_format(p: &Params) -> Result<(), ApiError> {
    match p.get("f") {
        None | Some("json") | Some("geojson") => Ok(()),
        Some(other) => Err(ApiError::bad_request(format!(
            "f: {other:?} is not a format this endpoint serves; use json"
        ))),
    }
}

pub async fn list(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), ITEMS_PARAMS)?;
    check_format(&params)?;
    let filter = filter_from(&params)?;
    let (limit, offset) = paging(&params)?;
    let snap = s.app.snapshot();
    let tag = etag(&[
        b"items",
        &snap.version().to_le_bytes(),
        raw.as_deref().unwrap_or("").as_bytes(),
    ]);
    if not_modified(&headers, &tag) {
        return Ok(not_modified_response(tag, s.opts.max_age));
    }
    let base = s.base_url(&headers);
    let body = tokio::task::spawn_blocking(move || {
        let page = snap.page(&filter, offset, limit);
        collection(
            &page.items,
            page.matched,
            offset,
            limit,
            &base,
            params.pairs(),
        )
    })
    .await?;
    Ok(geojson_response(body, tag, s.opts.max_age))
}

pub async fn one(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), &["f"])?;
    check_format(&params)?;
    let snap = s.app.snapshot();
    let incident = snap
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("no incident with id {id:?}")))?;
    let mut body = Vec::with_capacity(1024);
    write_feature(&mut body, &incident);
    // The feature's ETag depends only on its own content, so it survives unrelated edits.
    let tag = etag(&[b"feature", &body]);
    if not_modified(&headers, &tag) {
        return Ok(not_modified_response(tag, s.opts.max_age));
    }
    let base = s.base_url(&headers);
    add_feature_links(&mut body, &base, &incident);
    Ok(geojson_response(body, tag, s.opts.max_age))
}

fn add_feature_links(body: &mut Vec<u8>, base: &str, i: &Incident) {
    // Feature links are a foreign member, which RFC 7946 allows; they go before the closing
    // brace of the feature.
    body.pop();
    let link = |rel: &str, href: &str, ty: &str| {
        format!(
            "{{\"rel\":\"{rel}\",\"type\":\"{ty}\",\"href\":{}}}",
            serde_json::to_string(href).unwrap_or_default()
        )
    };
    let own = format!("{base}/collections/incidents/items/{}", i.id);
    let links = [
        link("self", &own, GEOJSON),
        link(
            "collection",
            &format!("{base}/collections/incidents"),
            "application/json",
        ),
    ];
    body.extend_from_slice(format!(",\"links\":[{}]}}", links.join(",")).as_bytes());
}

/// Writes a FeatureCollection page with its counts and links.
pub fn collection(
    items: &[Arc<Incident>],
    matched: usize,
    offset: usize,
    limit: usize,
    base: &str,
    pairs: &[(String, String)],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + items.len() * 400);
    out.extend_from_slice(b"{\"type\":\"FeatureCollection\",\"numberMatched\":");
    out.extend_from_slice(matched.to_string().as_bytes());
    out.extend_from_slice(b",\"numberReturned\":");
    out.extend_from_slice(items.len().to_string().as_bytes());
    out.extend_from_slice(b",\"timeStamp\":");
    let now = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default();
    write_str(&mut out, &now);
    out.extend_from_slice(b",\"links\":[");
    let url = |overrides: &[(&str, String)]| {
        let q = query_string(pairs, overrides);
        let sep = if q.is_empty() { "" } else { "?" };
        format!("{base}/collections/incidents/items{sep}{q}")
    };
    let mut links = vec![("self", url(&[]))];
    if offset + items.len() < matched {
        links.push((
            "next",
            url(&[
                ("offset", (offset + items.len()).to_string()),
                ("limit", limit.to_string()),
            ]),
        ));
    }
    if offset > 0 {
        links.push((
            "prev",
            url(&[
                ("offset", offset.saturating_sub(limit).to_string()),
                ("limit", limit.to_string()),
            ]),
        ));
    }
    links.push(("collection", format!("{base}/collections/incidents")));
    for (n, (rel, href)) in links.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        let ty = if *rel == "collection" {
            "application/json"
        } else {
            GEOJSON
        };
        out.extend_from_slice(
            format!("{{\"rel\":\"{rel}\",\"type\":\"{ty}\",\"href\":").as_bytes(),
        );
        write_str(&mut out, href);
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"features\":[");
    for (n, i) in items.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        write_feature(&mut out, i);
    }
    out.extend_from_slice(b"]}");
    out
}

fn geojson_response(body: Vec<u8>, tag: HeaderValue, max_age: u32) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)),
            (header::ETAG, tag),
            (header::CACHE_CONTROL, cache_control(max_age)),
        ],
        Body::from(body),
    )
        .into_response()
}

pub fn cache_control(max_age: u32) -> HeaderValue {
    HeaderValue::from_str(&format!("public, max-age={max_age}")).expect("valid header")
}

pub fn not_modified_response(tag: HeaderValue, max_age: u32) -> Response {
    (
        StatusCode::NOT_MODIFIED,
        [
            (header::ETAG, tag),
            (header::CACHE_CONTROL, cache_control(max_age)),
        ],
    )
        .into_response()
}
