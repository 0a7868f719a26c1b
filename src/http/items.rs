//! `/collections/incidents/items` and `/collections/incidents/items/{id}`: incidents as GeoJSON.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::crs;
use super::error::ApiError;
use super::ogc::check_collection;
use super::params::{Kind, Param, Params, query_string};
use super::{AppState, etag, not_modified};
use crate::filter::sort::SortBy;
use crate::filter::{Filter, FilterArgs};
use crate::format::geojson::{AxisOrder, write_feature_in, write_str};
use crate::model::{Incident, Status};

pub const GEOJSON: &str = "application/geo+json";
/// Items pages hold at most this many features; larger limits are served with this many.
pub const MAX_LIMIT: usize = 10_000;
pub const DEFAULT_LIMIT: usize = 10;

/// `limit`, as OGC API has it: a larger one is served with the most a page holds.
pub const LIMIT: Param = Param::new(
    "limit",
    "Features per page, default 10; above 10,000 the page holds 10,000.",
    Kind::Int {
        min: 1,
        max: MAX_LIMIT as u64,
        default: Some(DEFAULT_LIMIT as u64),
        clamp: true,
    },
);
pub const OFFSET: Param = Param::new(
    "offset",
    "Features to skip.",
    Kind::Int {
        min: 0,
        max: u64::MAX,
        default: Some(0),
        clamp: false,
    },
);
const SORTBY: Param = Param::new(
    "sortby",
    "Order: a comma list of sortables (see /sortables), each with - for descending or + (or nothing) for ascending, e.g. -occurred_at,fatalities. Unknown values come last; the id breaks ties. Default: occurred_at, then id.",
    Kind::Parsed {
        schema: || json!({"type": "string", "pattern": SortBy::PATTERN}),
    },
);
/// `f` where features may also be had as CSV.
pub const F_FEATURES: Param = Param::new(
    "f",
    "Output format: GeoJSON (json), or CSV with ACLED-like columns (csv). Accept: text/csv also gives CSV.",
    Kind::OneOf(&["json", "geojson", "csv"]),
);
/// `f` where the answer is GeoJSON only.
pub const F_GEOJSON: Param = Param::new(
    "f",
    "Output format: GeoJSON.",
    Kind::OneOf(&["json", "geojson"]),
);
const STATUS: Param = Param::new(
    "status",
    "Which incidents: published (the default), or the review queue's drafts or rejected incidents (those two need a write token: Authorization: Bearer TOKEN).",
    Kind::Parsed {
        schema: || json!({"type": "string", "enum": Status::ALL.map(Status::as_str)}),
    },
);
/// The items endpoint's own parameters, beside the filters: paging, format, order, status,
/// and the coordinate reference systems of the answer and of `bbox`.
pub const ITEMS: &[Param] = &[
    LIMIT,
    OFFSET,
    F_FEATURES,
    SORTBY,
    STATUS,
    crs::CRS,
    crs::BBOX_CRS,
];
/// One incident's parameters.
pub const ONE: &[Param] = &[F_GEOJSON, crs::CRS];

/// The filter parameters shared with the tiles and exports ([`FilterArgs`]).
pub fn filter_from(p: &Params) -> Result<Filter, ApiError> {
    FilterArgs::from_lookup(|n| p.get(n))
        .build()
        .map_err(|e| ApiError::bad_request(e.0))
}

/// `limit` and `offset`, as declared.
fn paging(p: &Params) -> Result<(usize, usize), ApiError> {
    let limit = p.int(&LIMIT)?.unwrap_or(DEFAULT_LIMIT as u64) as usize;
    let offset = usize::try_from(p.int(&OFFSET)?.unwrap_or(0)).unwrap_or(usize::MAX);
    Ok((limit, offset))
}

/// What an items request is answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    GeoJson,
    Csv,
}

/// `f` (declared as `f`, with the formats this resource serves) decides; without it,
/// `Accept` does (GDAL sends geo+json and json, browsers and owslib `*/*`, spreadsheets
/// `text/csv`). Anything that accepts JSON, or anything at all, gets GeoJSON; 406 only when
/// nothing we serve is acceptable.
pub(super) fn format(p: &Params, f: &Param, headers: &HeaderMap) -> Result<Format, ApiError> {
    let csv_ok = matches!(f.kind, Kind::OneOf(words) if words.contains(&"csv"));
    match p.word(f)? {
        Some("csv") => return Ok(Format::Csv),
        Some(_) => return Ok(Format::GeoJson),
        None => {}
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("*/*");
    let (mut json, mut csv, mut other) = (0.0f32, 0.0f32, false);
    for part in accept.split(',') {
        let mut it = part.split(';');
        let ty = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = it
            .find_map(|x| {
                x.trim()
                    .strip_prefix("q=")
                    .and_then(|v| v.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        match ty.as_str() {
            "application/geo+json"
            | "application/json"
            | "*/*"
            | "application/*"
            | "text/plain" => json = json.max(q),
            "text/csv" => csv = csv.max(q),
            "" => {}
            _ => other = true,
        }
    }
    if csv_ok && csv > json {
        Ok(Format::Csv)
    } else if json > 0.0 || !other {
        Ok(Format::GeoJson)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_ACCEPTABLE,
            "NotAcceptable",
            format!(
                "this resource is served as application/geo+json{}; the request accepts only {accept}",
                if csv_ok { " or text/csv" } else { "" }
            ),
        ))
    }
}

/// Pages above this many features are streamed rather than built in one buffer.
const STREAM_ABOVE: usize = 1000;

pub async fn list(
    State(s): State<AppState>,
    Path(collection_id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_collection(&collection_id)?;
    let params = Params::declared(raw.as_deref(), FilterArgs::NAMES, ITEMS)?;
    let fmt = format(&params, &F_FEATURES, &headers)?;
    let out_crs = crs::requested(&params)?;
    let bbox_crs = crs::of_bbox(&params)?;
    let mut args = FilterArgs::from_lookup(|n| params.get(n));
    args.bbox = args.bbox.map(|b| bbox_crs.bbox_to_crs84(&b));
    let mut filter = args.build().map_err(|e| ApiError::bad_request(e.0))?;
    let queue = review_status(&s, &params, &headers)?;
    filter.status = queue;
    let sort = params
        .value(&SORTBY)?
        .map(SortBy::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request(e.0))?
        .unwrap_or_default();
    let (limit, offset) = paging(&params)?;
    let snap = match queue {
        Some(_) => s.app.queue(),
        None => s.app.snapshot(),
    };
    let tag = data_etag(b"items", snap.version(), raw.as_deref(), fmt);
    if not_modified(&headers, &tag) {
        return Ok(not_modified_response(tag, s.opts.max_age));
    }
    let base = s.base_url(&headers);
    let app = s.app.clone();
    let (content_type, body) = match fmt {
        Format::Csv => {
            let body = tokio::task::spawn_blocking(move || {
                let page = snap.page_sorted(&filter, &sort, offset, limit);
                let mut out = Vec::with_capacity(page.items.len() * 200);
                crate::format::acled::write(
                    &mut out,
                    app.gazetteer(),
                    page.items.iter().map(|i| i.as_ref()),
                )
                .map(|_| out)
            })
            .await?
            .map_err(|e| ApiError::internal(format!("writing CSV: {e}")))?;
            ("text/csv; charset=utf-8", Body::from(body))
        }
        Format::GeoJson => {
            let page = tokio::task::spawn_blocking(move || {
                snap.page_sorted(&filter, &sort, offset, limit)
            })
            .await?;
            let pairs = params.pairs().to_vec();
            let page_of = Page {
                offset,
                limit,
                base,
                pairs,
                order: out_crs.axis_order(),
            };
            if page.items.len() <= STREAM_ABOVE {
                let body = collection(&page.items, page.matched, &page_of);
                (GEOJSON, Body::from(body))
            } else {
                (GEOJSON, stream_collection(page, page_of))
            }
        }
    };
    let mut r = tagged(content_type, tag, s.opts.max_age, body);
    if fmt == Format::GeoJson {
        r.headers_mut().insert(crs::CONTENT_CRS, out_crs.header());
    }
    if queue.is_some() {
        super::reports::private(&mut r);
    }
    Ok(r)
}

/// `status`: `published` (the default) reads the public index; `draft` or `rejected` read the
/// review queue, which only token holders see.
fn review_status(
    s: &AppState,
    p: &Params,
    headers: &HeaderMap,
) -> Result<Option<Status>, ApiError> {
    let Some(v) = p.value(&STATUS)? else {
        return Ok(None);
    };
    let status: Status = v
        .trim()
        .parse()
        .map_err(|e: crate::model::ModelError| ApiError::bad_request(e.to_string()))?;
    if status == Status::Published {
        return Ok(None);
    }
    super::edit::authorize(s, headers)?;
    Ok(Some(status))
}

/// A large page written chunk by chunk on the blocking pool and sent as it is written, so
/// the first bytes leave before the last feature is serialized and memory stays bounded.
fn stream_collection(page: crate::spatial::Page, p: Page) -> Body {
    const CHUNK: usize = 64 * 1024;
    let (tx, rx) = tokio::sync::mpsc::channel::<axum::body::Bytes>(4);
    tokio::task::spawn_blocking(move || {
        let mut buf = collection_head(page.matched, page.items.len(), &p);
        for (n, i) in page.items.iter().enumerate() {
            if n > 0 {
                buf.push(b',');
            }
            write_feature_in(&mut buf, i, p.order);
            if buf.len() >= CHUNK {
                let chunk = std::mem::replace(&mut buf, Vec::with_capacity(CHUNK + 1024));
                if tx.blocking_send(chunk.into()).is_err() {
                    return; // the client went away
                }
            }
        }
        buf.extend_from_slice(b"]}");
        let _ = tx.blocking_send(buf.into());
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, std::convert::Infallible>(b), rx))
    });
    Body::from_stream(stream)
}

pub async fn one(
    State(s): State<AppState>,
    Path((collection_id, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_collection(&collection_id)?;
    let params = Params::declared(raw.as_deref(), &[], ONE)?;
    format(&params, &F_GEOJSON, &headers)?;
    let out_crs = crs::requested(&params)?;
    let snap = s.app.snapshot();
    let missing = || ApiError::not_found(format!("no incident with id {id:?}"));
    // A draft or rejected incident is shown to token holders only; to anyone else it does not
    // exist.
    let (incident, queued) = match snap.get(&id) {
        Some(i) => (Arc::clone(i), false),
        None => {
            let i = s.app.queue().get(&id).cloned().ok_or_else(missing)?;
            super::edit::authorize(&s, &headers).map_err(|_| missing())?;
            (i, true)
        }
    };
    let mut body = Vec::with_capacity(1024);
    write_feature_in(&mut body, &incident, out_crs.axis_order());
    // The feature's ETag depends only on its own content, so it survives unrelated edits; it
    // is the tag If-Match is checked against on writes. (Each CRS is a URL of its own, so
    // the two representations never meet in one cache entry.)
    let tag =
        HeaderValue::from_str(&crate::etag::of_incident(&incident)).expect("hex is a valid header");
    if not_modified(&headers, &tag) {
        return Ok(not_modified_response(tag, s.opts.max_age));
    }
    let base = s.base_url(&headers);
    add_feature_links(&mut body, &base, &incident);
    let mut r = geojson_response(body, tag, s.opts.max_age);
    r.headers_mut().insert(crs::CONTENT_CRS, out_crs.header());
    if queued {
        super::reports::private(&mut r);
    }
    Ok(r)
}

pub fn add_feature_links(body: &mut Vec<u8>, base: &str, i: &Incident) {
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

/// Where a page sits and how it is written: its place in the answer, the links' base and
/// query, and the axis order of its points.
pub struct Page {
    pub offset: usize,
    pub limit: usize,
    pub base: String,
    pub pairs: Vec<(String, String)>,
    pub order: AxisOrder,
}

/// Writes a FeatureCollection page with its counts and links.
pub fn collection(items: &[Arc<Incident>], matched: usize, p: &Page) -> Vec<u8> {
    let mut out = collection_head(matched, items.len(), p);
    out.reserve(items.len() * 400);
    for (n, i) in items.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        write_feature_in(&mut out, i, p.order);
    }
    out.extend_from_slice(b"]}");
    out
}

/// Everything of a page before its first feature, ending in `"features":[`.
fn collection_head(matched: usize, returned: usize, p: &Page) -> Vec<u8> {
    let (offset, limit, base, pairs) = (p.offset, p.limit, p.base.as_str(), &p.pairs[..]);
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(b"{\"type\":\"FeatureCollection\",\"numberMatched\":");
    out.extend_from_slice(matched.to_string().as_bytes());
    out.extend_from_slice(b",\"numberReturned\":");
    out.extend_from_slice(returned.to_string().as_bytes());
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
    let mut links = vec![("self", GEOJSON, url(&[]))];
    links.push(("alternate", "text/csv", url(&[("f", "csv".into())])));
    if offset.saturating_add(returned) < matched {
        links.push((
            "next",
            GEOJSON,
            url(&[
                ("offset", offset.saturating_add(returned).to_string()),
                ("limit", limit.to_string()),
            ]),
        ));
    }
    if offset > 0 {
        links.push((
            "prev",
            GEOJSON,
            url(&[
                ("offset", offset.saturating_sub(limit).to_string()),
                ("limit", limit.to_string()),
            ]),
        ));
    }
    links.push((
        "collection",
        "application/json",
        format!("{base}/collections/incidents"),
    ));
    for (n, (rel, ty, href)) in links.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(
            format!("{{\"rel\":\"{rel}\",\"type\":\"{ty}\",\"href\":").as_bytes(),
        );
        write_str(&mut out, href);
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"features\":[");
    out
}

fn geojson_response(body: Vec<u8>, tag: HeaderValue, max_age: u32) -> Response {
    tagged(GEOJSON, tag, max_age, Body::from(body))
}

/// The ETag of an answer computed from the data: what it is (`kind`), the data version, the
/// query as sent and the format.
pub(super) fn data_etag(kind: &[u8], version: u64, raw: Option<&str>, fmt: Format) -> HeaderValue {
    etag(&[
        kind,
        &version.to_le_bytes(),
        raw.unwrap_or("").as_bytes(),
        &[fmt as u8],
    ])
}

/// A 200 answer of this type with its ETag, cacheable for `max_age` s.
pub(super) fn tagged(
    content_type: &'static str,
    tag: HeaderValue,
    max_age: u32,
    body: Body,
) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::ETAG, tag),
            (header::CACHE_CONTROL, cache_control(max_age)),
        ],
        body,
    )
        .into_response()
}

pub fn cache_control(max_age: u32) -> HeaderValue {
    HeaderValue::from_str(&format!("public, max-age={max_age}")).expect("valid header")
}

/// A JSON document with a strong ETag of its text (`kind` keeps equal texts of different
/// resources apart), cacheable for `max_age` s; 304 when `If-None-Match` holds the tag.
pub fn tagged_json(
    headers: &HeaderMap,
    kind: &[u8],
    body: serde_json::Value,
    max_age: u32,
) -> Response {
    let tag = super::etag(&[kind, body.to_string().as_bytes()]);
    if super::not_modified(headers, &tag) {
        return not_modified_response(tag, max_age);
    }
    (
        [
            (header::ETAG, tag),
            (header::CACHE_CONTROL, cache_control(max_age)),
        ],
        axum::Json(body),
    )
        .into_response()
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
