//! The OGC API – Features resources around the items: landing page, conformance, the
//! collections, and the queryables.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::AppState;
use super::error::ApiError;
use super::params::{self, Param, Params};

pub const COLLECTION: &str = "incidents";
pub use super::crs::CRS84;
pub const OPENAPI: &str = "application/vnd.oai.openapi+json;version=3.0";

/// The conformance classes of Features Part 1 and the queryables this service implements;
/// [`conformance_classes`] adds the filter classes ([`crate::filter::cql::CONFORMANCE`]).
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
];

/// Every conformance class this service implements.
pub fn conformance_classes() -> Vec<&'static str> {
    CONFORMANCE
        .iter()
        .chain(super::crs::CONFORMANCE)
        .chain(crate::filter::cql::CONFORMANCE)
        .chain(super::ogc_tiles::CONFORMANCE)
        .copied()
        .collect()
}

/// Whether the client prefers HTML: browsers send `text/html` first; GDAL, QGIS and owslib
/// send JSON types or `*/*`, which get JSON.
pub fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut best_html = 0.0f32;
    let mut best_json = 0.0f32;
    for part in accept.split(',') {
        let mut it = part.split(';');
        let ty = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = it
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|v| v.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        match ty.as_str() {
            "text/html" | "application/xhtml+xml" => best_html = best_html.max(q),
            "application/json" | "application/geo+json" | "*/*" => best_json = best_json.max(q),
            _ => {}
        }
    }
    best_html > 0.0 && best_html >= best_json
}

pub(super) fn link(rel: &str, ty: &str, title: &str, href: String) -> Value {
    json!({"rel": rel, "type": ty, "title": title, "href": href})
}

pub(super) fn json_response(body: Value) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        Json(body),
    )
        .into_response()
}

/// `f` on the JSON-only resources (landing page, conformance, collections, …).
pub const F_JSON: Param = Param::new("f", "Output format.", params::Kind::OneOf(&["json"]));

/// The JSON-only resources take `f=json` and nothing else.
pub(super) fn no_params(raw: Option<&str>) -> Result<(), ApiError> {
    Params::declared(raw, &[], &[F_JSON]).and_then(|p| p.word(&F_JSON).map(drop))
}

/// `GET /`: the map for browsers, the landing page for everyone else.
pub async fn landing(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    no_params(raw.as_deref())?;
    // One URL, two representations: caches must key on Accept.
    let vary = |mut r: Response| {
        r.headers_mut()
            .append(header::VARY, HeaderValue::from_static("accept"));
        r
    };
    if wants_html(&headers) {
        return Ok(vary(super::web::page(&s)));
    }
    let base = s.base_url(&headers);
    Ok(vary(json_response(json!({
        "title": "incidentmap",
        "description": "Incidents geocoded from reports in any language, served as OGC API – Features (GeoJSON), OGC API – Tiles (vector tiles with clusters, heat-map tiles) and a MapLibre style.",
        "links": [
            link("self", "application/json", "This document", format!("{base}/")),
            link("alternate", "text/html", "The map", format!("{base}/")),
            link("service-desc", OPENAPI, "The API definition", format!("{base}/api")),
            link("service-doc", "text/html", "The API documentation", format!("{base}/api.html")),
            link("conformance", "application/json", "Conformance classes", format!("{base}/conformance")),
            link("data", "application/json", "Collections", format!("{base}/collections")),
            link("http://www.opengis.net/def/rel/ogc/1.0/tilesets-map", "application/json", "Heat-map styles", format!("{base}/tiles")),
            link("http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", "application/json", "Tile matrix sets", format!("{base}/tileMatrixSets")),
            link("stylesheet", "application/json", "MapLibre style: heat map, clusters and incidents", format!("{base}/style.json")),
        ],
    }))))
}

/// `GET /conformance`.
pub async fn conformance(RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    no_params(raw.as_deref())?;
    Ok(json_response(
        json!({ "conformsTo": conformance_classes() }),
    ))
}

/// The collection's description, with its extent computed from the data.
fn collection(s: &AppState, base: &str) -> Value {
    let snap = s.app.snapshot();
    let fmt = |ms: i64| {
        OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
    };
    let (bbox, interval) = match snap.extent() {
        Some(e) => (
            json!([[e.bbox.west, e.bbox.south, e.bbox.east, e.bbox.north]]),
            json!([[fmt(e.start_ms), fmt(e.end_ms)]]),
        ),
        None => (json!([[-180.0, -90.0, 180.0, 90.0]]), json!([[null, null]])),
    };
    let items = format!("{base}/collections/{COLLECTION}/items");
    let mut links = vec![
        link(
            "self",
            "application/json",
            "This collection",
            format!("{base}/collections/{COLLECTION}"),
        ),
        link(
            "items",
            "application/geo+json",
            "Incidents as GeoJSON",
            items.clone(),
        ),
        link(
            "items",
            "text/csv",
            "Incidents as CSV (ACLED-like columns)",
            format!("{items}?f=csv"),
        ),
        link(
            "http://www.opengis.net/def/rel/ogc/1.0/queryables",
            "application/schema+json",
            "Properties to filter by",
            format!("{base}/collections/{COLLECTION}/queryables"),
        ),
        link(
            "http://www.opengis.net/def/rel/ogc/1.0/sortables",
            "application/schema+json",
            "Properties to sort by (sortby)",
            format!("{base}/collections/{COLLECTION}/sortables"),
        ),
    ];
    links.push(link(
        "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
        "application/json",
        "Vector tiles: incidents and clusters (MVT)",
        format!("{base}/collections/{COLLECTION}/tiles"),
    ));
    links.push(link(
        "http://www.opengis.net/def/rel/ogc/1.0/tilesets-map",
        "application/json",
        "Heat map tiles (OGC API – Tiles)",
        format!("{base}/collections/{COLLECTION}/map/tiles"),
    ));
    for st in s.app.styles().iter() {
        links.push(link(
            "http://www.opengis.net/def/rel/ogc/1.0/tilesets-map",
            "application/json",
            &format!("Heat map: {} (TileJSON)", st.title),
            format!("{base}/tiles/{}/tilejson.json", st.name),
        ));
    }
    json!({
        "id": COLLECTION,
        "title": "Incidents",
        "description": "Protests, riots, clashes, casualties, arrests, deployments and shortages, each placed by the gazetteer from the place name its source gave.",
        "itemType": "feature",
        "crs": super::crs::SUPPORTED,
        "storageCrs": CRS84,
        "extent": {
            "spatial": {"bbox": bbox, "crs": CRS84},
            "temporal": {"interval": interval, "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"},
        },
        "links": links,
    })
}

/// `GET /collections`.
pub async fn collections(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    no_params(raw.as_deref())?;
    let base = s.base_url(&headers);
    Ok(json_response(json!({
        "links": [link("self", "application/json", "The collections", format!("{base}/collections"))],
        "collections": [
            collection(&s, &base),
            super::areas::collection("countries", &base),
            super::areas::collection("regions", &base),
        ],
    })))
}

pub fn check_collection(id: &str) -> Result<(), ApiError> {
    if id == COLLECTION {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "no collection {id:?}; the collection is {COLLECTION:?}"
        )))
    }
}

/// `GET /collections/{collectionId}`.
pub async fn one_collection(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    no_params(raw.as_deref())?;
    let base = s.base_url(&headers);
    check_collection(&id)?;
    Ok(json_response(collection(&s, &base)))
}

/// A JSON Schema of some of the incidents' properties, at `{collection}/{resource}`.
fn properties_schema(base: &str, resource: &str, props: serde_json::Map<String, Value>) -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/collections/{COLLECTION}/{resource}"),
        "type": "object",
        "title": "Incidents",
        "properties": props,
        "additionalProperties": false,
    })
}

/// The schema of each queryable, from the one list of them ([`crate::filter::cql::QUERYABLES`]).
fn queryable_properties() -> serde_json::Map<String, Value> {
    use crate::filter::cql::{QUERYABLES, Type};
    let mut props = serde_json::Map::new();
    for q in QUERYABLES {
        let mut p = match q.ty {
            Type::Point => json!({"format": "geometry-point", "x-ogc-role": "primary-geometry"}),
            Type::Time => {
                json!({"type": "string", "format": "date-time", "x-ogc-role": "primary-instant"})
            }
            Type::Enum(values) => json!({"type": "string", "enum": values}),
            Type::Integer => json!({"type": "integer", "minimum": 0}),
            Type::Text => json!({"type": "string"}),
        };
        p["title"] = json!(q.title);
        props.insert(q.name.to_string(), p);
    }
    props
}

/// The JSON Schema of the properties incidents can be filtered by.
pub fn queryables_schema(base: &str) -> Value {
    properties_schema(base, "queryables", queryable_properties())
}

/// The JSON Schema of the properties incidents can be sorted by (`sortby`): the sortables
/// ([`crate::filter::sort::SORTABLES`]), described as the queryables are.
pub fn sortables_schema(base: &str) -> Value {
    let mut all = queryable_properties();
    let props = crate::filter::sort::SORTABLES
        .iter()
        .filter_map(|(name, _)| all.remove(*name).map(|p| (name.to_string(), p)))
        .collect();
    properties_schema(base, "sortables", props)
}

/// `GET /collections/{collectionId}/queryables` and `…/sortables`: a schema of the collection.
async fn schema_resource(
    s: &AppState,
    id: &str,
    raw: Option<&str>,
    headers: &HeaderMap,
    schema: fn(&str) -> Value,
) -> Result<Response, ApiError> {
    check_collection(id)?;
    no_params(raw)?;
    let base = s.base_url(headers);
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/schema+json"),
        )],
        Json(schema(&base)),
    )
        .into_response())
}

/// `GET /collections/{collectionId}/sortables`.
pub async fn sortables(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    schema_resource(&s, &id, raw.as_deref(), &headers, sortables_schema).await
}

/// `GET /collections/{collectionId}/queryables`.
pub async fn queryables(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    schema_resource(&s, &id, raw.as_deref(), &headers, queryables_schema).await
}

/// `GET /api`: the OpenAPI 3.0 document. `GET /api.html`: a readable page from it.
/// The OpenAPI document of the route table as this server has it.
fn document(s: &AppState, base: &str) -> Value {
    let paths = super::routes::paths(&super::endpoints(s));
    super::api::document(base, s.app.styles().names(), paths)
}

pub async fn api(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    no_params(raw.as_deref())?;
    let base = s.base_url(&headers);
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(OPENAPI))],
        Json(document(&s, &base)),
    )
        .into_response())
}

pub async fn api_html(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    no_params(raw.as_deref())?;
    let base = s.base_url(&headers);
    let mut r = Html(super::api::html(&document(&s, &base))).into_response();
    // A static page: its one inline style sheet, links, nothing else; not framable.
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    r.headers_mut()
        .insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    Ok(r)
}
