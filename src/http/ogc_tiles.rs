//! OGC API – Tiles over the incidents: the vector tileset (MVT: incidents and server-side
//! clusters), the heat map as a map tileset, the WebMercatorQuad tile matrix set, the vector
//! TileJSON, and a MapLibre style that shows them all.
//!
//! Paths put the row before the column (`{tileMatrix}/{tileRow}/{tileCol}`), as OGC does.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::ApiError;
use super::items::{not_modified_response, tagged_json};
use super::ogc::{COLLECTION, check_collection, json_response, link, no_params};
use super::params::Params;
use super::tiles::{TILE, carried_query, heat_tile, style_or_404, tile_filter, tile_filter_params};
use super::{AppState, not_modified};
use crate::tiles::cache::TileKey;
use crate::tiles::clusters::{FEATURE_BUDGET, MAX_ZOOM as VECTOR_MAX_ZOOM};
use crate::tiles::mercator::{MAX_LAT, MAX_ZOOM, TileError, TileId};
use crate::tiles::mvt;

pub const TMS: &str = "WebMercatorQuad";
const TMS_URI: &str = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
const EPSG_3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";
const TILING_SCHEME: &str = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme";
/// The `style` of [`TileKey`] that marks a vector tile (heat styles count from 0).
const VECTOR_KEY: u16 = u16::MAX;

/// The OGC API – Tiles conformance classes served here.
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/png",
];

fn check_tms(id: &str) -> Result<(), ApiError> {
    if id == TMS {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "no tile matrix set {id:?}; the tile matrix set is {TMS:?}"
        )))
    }
}

/// Reads `{tileMatrix}/{tileRow}/{tileCol}`; numbers beyond the grid are not found, a zoom
/// beyond the deepest is a bad request.
fn tile_of(z: &str, row: &str, col: &str) -> Result<TileId, ApiError> {
    let int = |name: &str, v: &str| {
        v.parse::<u64>().map_err(|_| {
            ApiError::not_found(format!("no such tile: {name} {v:?} is not a tile number"))
        })
    };
    TileId::new(
        int("tileMatrix", z)?,
        int("tileCol", col)?,
        int("tileRow", row)?,
    )
    .map_err(|e| match e {
        TileError::Zoom(_) => ApiError::bad_request(e.to_string()),
        TileError::Coordinate { .. } => ApiError::not_found(format!("no such tile: {e}")),
    })
}

/// The WebMercatorQuad tile matrix set (OGC Two Dimensional Tile Matrix Set 2.0, JSON).
fn web_mercator_quad(base: &str) -> Value {
    const HALF: f64 = 20_037_508.342_789_244;
    let matrices: Vec<Value> = (0..=MAX_ZOOM)
        .map(|z| {
            let n = 1u64 << z;
            let cell = 2.0 * HALF / (256.0 * n as f64);
            json!({
                "id": z.to_string(),
                // 0.28 mm pixels, as the standard defines the scale denominator
                "scaleDenominator": cell / 0.00028,
                "cellSize": cell,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-HALF, HALF],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": n,
                "matrixHeight": n,
            })
        })
        .collect();
    json!({
        "id": TMS,
        "title": "Google Maps Compatible for the World",
        "uri": TMS_URI,
        "crs": EPSG_3857,
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices,
        "links": [link("self", "application/json", "This tile matrix set", format!("{base}/tileMatrixSets/{TMS}"))],
    })
}

/// `GET /tileMatrixSets`.
pub async fn tile_matrix_sets(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    no_params(raw.as_deref())?;
    let base = s.base_url(&headers);
    Ok(json_response(json!({
        "tileMatrixSets": [{
            "id": TMS,
            "title": "Google Maps Compatible for the World",
            "uri": TMS_URI,
            "links": [link("self", "application/json", TMS, format!("{base}/tileMatrixSets/{TMS}"))],
        }],
    })))
}

/// `GET /tileMatrixSets/{id}`.
pub async fn tile_matrix_set(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_tms(&id)?;
    no_params(raw.as_deref())?;
    Ok(json_response(web_mercator_quad(&s.base_url(&headers))))
}

/// The vector layers as the tileset metadata describes them.
fn vector_layers_ogc() -> Vec<Value> {
    mvt::LAYERS
        .iter()
        .map(|l| {
            let props: serde_json::Map<String, Value> = mvt::fields(l)
                .into_iter()
                .map(|(name, kind, description)| {
                    let ty = match kind {
                        "Number" => "integer",
                        "Boolean" => "boolean",
                        _ => "string",
                    };
                    (
                        name.to_string(),
                        json!({"type": ty, "description": description}),
                    )
                })
                .collect();
            json!({
                "id": l.id,
                "description": l.description,
                "dataType": "vector",
                "geometryDimension": 0,
                "minTileMatrix": "0",
                "maxTileMatrix": VECTOR_MAX_ZOOM.to_string(),
                "propertiesSchema": {"type": "object", "properties": props},
            })
        })
        .collect()
}

fn vector_tileset(base: &str, query: &str) -> Value {
    let root = format!("{base}/collections/{COLLECTION}/tiles/{TMS}");
    let q = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    json!({
        "title": "Incidents and clusters (vector tiles)",
        "description": format!("Mapbox Vector Tiles: a point per incident, or a cluster per cell of 1/8 of a tile when a cell holds more than one; at most {FEATURE_BUDGET} features per tile. Deepest zoom {VECTOR_MAX_ZOOM}; clients overzoom beyond."),
        "dataType": "vector",
        "crs": EPSG_3857,
        "tileMatrixSetURI": TMS_URI,
        "layers": vector_layers_ogc(),
        "tileMatrixSetLimits": (0..=VECTOR_MAX_ZOOM).map(|z| json!({
            "tileMatrix": z.to_string(),
            "minTileRow": 0, "maxTileRow": (1u64 << z) - 1,
            "minTileCol": 0, "maxTileCol": (1u64 << z) - 1,
        })).collect::<Vec<_>>(),
        "links": [
            link("self", "application/json", "This tileset", root.clone()),
            link(TILING_SCHEME, "application/json", TMS, format!("{base}/tileMatrixSets/{TMS}")),
            json!({"rel": "item", "type": mvt::MEDIA_TYPE, "title": "Vector tiles", "templated": true,
                   "href": format!("{root}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}{q}")}),
            link("describedby", "application/json", "TileJSON", format!("{root}/tilejson.json{q}")),
        ],
    })
}

fn map_tileset(s: &AppState, base: &str, query: &str) -> Result<Value, ApiError> {
    let style = default_style(s)?;
    let root = format!("{base}/collections/{COLLECTION}/map/tiles/{TMS}");
    let q = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    Ok(json!({
        "title": format!("Heat map: {}", style.title),
        "description": style.description,
        "dataType": "map",
        "crs": EPSG_3857,
        "tileMatrixSetURI": TMS_URI,
        "links": [
            link("self", "application/json", "This tileset", root.clone()),
            link(TILING_SCHEME, "application/json", TMS, format!("{base}/tileMatrixSets/{TMS}")),
            json!({"rel": "item", "type": "image/png", "title": "Heat-map tiles", "templated": true,
                   "href": format!("{root}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}{q}")}),
            link("describedby", "application/json", "TileJSON", format!("{base}/tiles/{}/tilejson.json{q}", style.name)),
        ],
    }))
}

/// The style of the map tileset and of `style.json`: `heat` (every incident once), or the
/// first style when a styles directory has none by that name.
fn default_style(s: &AppState) -> Result<Arc<crate::tiles::style::Style>, ApiError> {
    let names = s.app.styles().names();
    let name = names
        .iter()
        .find(|n| **n == "heat")
        .or(names.first())
        .map(|n| n.to_string())
        .ok_or_else(|| ApiError::not_found("no heat styles are loaded"))?;
    style_or_404(s, &name)
}

/// Checks the filters of a metadata request and gives the query to carry into tile URLs.
fn filters_query(raw: Option<&str>, version: Option<u64>) -> Result<String, ApiError> {
    let params = Params::parse(raw, tile_filter_params())?;
    tile_filter(&params)?;
    Ok(carried_query(&params, version))
}

/// `GET /collections/{c}/tiles`: the vector tilesets (one: WebMercatorQuad).
pub async fn vector_tilesets(
    State(s): State<AppState>,
    Path(c): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_collection(&c)?;
    let query = filters_query(raw.as_deref(), None)?;
    let base = s.base_url(&headers);
    let mut ts = vector_tileset(&base, &query);
    ts["links"] = json!([link(
        "self",
        "application/json",
        "The tileset",
        format!("{base}/collections/{COLLECTION}/tiles/{TMS}")
    )]);
    Ok(json_response(json!({ "tilesets": [ts] })))
}

/// `GET /collections/{c}/tiles/{tms}`: the vector tileset's metadata.
pub async fn vector_tileset_metadata(
    State(s): State<AppState>,
    Path((c, tms)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_collection(&c)?;
    check_tms(&tms)?;
    let query = filters_query(raw.as_deref(), None)?;
    Ok(json_response(vector_tileset(&s.base_url(&headers), &query)))
}

/// `GET /collections/{c}/map/tiles`: the map tilesets (the heat map).
pub async fn map_tilesets(
    State(s): State<AppState>,
    Path(c): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_collection(&c)?;
    let query = filters_query(raw.as_deref(), None)?;
    let base = s.base_url(&headers);
    let ts = map_tileset(&s, &base, &query)?;
    Ok(json_response(json!({ "tilesets": [ts] })))
}

/// `GET /collections/{c}/map/tiles/{tms}`: the heat map tileset's metadata.
pub async fn map_tileset_metadata(
    State(s): State<AppState>,
    Path((c, tms)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_collection(&c)?;
    check_tms(&tms)?;
    let query = filters_query(raw.as_deref(), None)?;
    Ok(json_response(map_tileset(
        &s,
        &s.base_url(&headers),
        &query,
    )?))
}

/// `GET /collections/{c}/map/tiles/{tms}/{z}/{row}/{col}`: a heat tile of the first style.
pub async fn map_tile(
    State(s): State<AppState>,
    Path((c, tms, z, row, col)): Path<(String, String, String, String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_collection(&c)?;
    check_tms(&tms)?;
    let tile = tile_of(&z, &row, &col)?;
    heat_tile(&s, default_style(&s)?, tile, 1, raw.as_deref(), &headers).await
}

pub(super) fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|e| {
            let mut parts = e.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

/// `GET /collections/{c}/tiles/{tms}/{z}/{row}/{col}`: a vector tile, gzipped when the
/// client accepts it. An empty tile is an empty body (a valid MVT).
pub async fn vector_tile(
    State(s): State<AppState>,
    Path((c, tms, z, row, col)): Path<(String, String, String, String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_collection(&c)?;
    check_tms(&tms)?;
    let tile = tile_of(&z, &row, &col)?;
    let params = Params::declared(raw.as_deref(), tile_filter_params(), TILE)?;
    let (filter, filter_key) = tile_filter(&params)?;
    let snap = s.app.snapshot();
    let key = TileKey {
        version: snap.version(),
        style: VECTOR_KEY,
        z: tile.z,
        x: tile.x,
        y: tile.y,
        scale: 0,
        filter: filter_key,
    };
    // The gzipped and the plain bytes are two representations: each has its own strong tag.
    let gzip = accepts_gzip(&headers);
    let tag = if gzip {
        key.etag()
    } else {
        let t = key.etag();
        let t = t.to_str().expect("hex");
        HeaderValue::from_str(&format!("{}-identity\"", &t[..t.len() - 1])).expect("hex")
    };
    if not_modified(&headers, &tag) {
        return Ok(not_modified_response(tag, s.opts.tile_max_age));
    }
    let tiles = s.tiles.clone();
    // Cached gzipped: nearly every client takes gzip; the others get it unpacked.
    let gz = match tiles.cache.get(&key) {
        Some(gz) => gz,
        None => {
            let slot = tiles.slot().await?;
            let t = tiles.clone();
            let started = std::time::Instant::now();
            let built = tokio::task::spawn_blocking(move || {
                let index = t.derived.clusters(&snap);
                let features = index.tile(&snap, &filter, tile);
                let bytes = match mvt::encode(tile, &features)? {
                    Some(b) => mvt::gzip(&b)?,
                    None => Vec::new(),
                };
                drop(slot);
                Ok::<_, mvt::MvtError>(Arc::<[u8]>::from(bytes))
            })
            .await?
            .map_err(|e| ApiError::internal(e.to_string()))?;
            metrics::histogram!("incidentmap_vector_tile_seconds")
                .record(started.elapsed().as_secs_f64());
            tiles.cache.insert(key, built.clone());
            built
        }
    };
    let mut h = vec![
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(mvt::MEDIA_TYPE),
        ),
        (header::ETAG, tag),
        (header::CACHE_CONTROL, tiles.cache_control.clone()),
        (header::VARY, HeaderValue::from_static("accept-encoding")),
    ];
    let body = if gz.is_empty() {
        Body::empty()
    } else if gzip {
        h.push((header::CONTENT_ENCODING, HeaderValue::from_static("gzip")));
        Body::from(axum::body::Bytes::from_owner(gz))
    } else {
        use std::io::Read;
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut raw)
            .map_err(|e| ApiError::internal(format!("unpacking a cached tile: {e}")))?;
        Body::from(raw)
    };
    let mut r = (StatusCode::OK, body).into_response();
    for (k, v) in h {
        r.headers_mut().append(k, v);
    }
    Ok(r)
}

/// The vector TileJSON's `vector_layers`.
fn vector_layers_tilejson() -> Vec<Value> {
    mvt::LAYERS
        .iter()
        .map(|l| {
            let fields: serde_json::Map<String, Value> = mvt::fields(l)
                .into_iter()
                .map(|(name, kind, _)| (name.to_string(), json!(kind)))
                .collect();
            json!({
                "id": l.id,
                "description": l.description,
                "minzoom": 0,
                "maxzoom": VECTOR_MAX_ZOOM,
                "fields": fields,
            })
        })
        .collect()
}

/// `GET /collections/{c}/tiles/{tms}/tilejson.json`: TileJSON 3.0.0 of the vector tiles,
/// their filters and data version in the tile URLs.
pub async fn vector_tilejson(
    State(s): State<AppState>,
    Path((c, tms)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_collection(&c)?;
    check_tms(&tms)?;
    let snap = s.app.snapshot();
    let q = filters_query(raw.as_deref(), Some(snap.version()))?;
    let base = s.base_url(&headers);
    // Every feature lies in the tile of its incidents' points, so their extent is the
    // bounds (widened a hair: a point on the edge is in the tile beyond it).
    let bounds = snap
        .extent()
        .map(|e| {
            [
                (e.bbox.west - 1e-6).max(-180.0),
                (e.bbox.south - 1e-6).max(-MAX_LAT),
                (e.bbox.east + 1e-6).min(180.0),
                (e.bbox.north + 1e-6).min(MAX_LAT),
            ]
        })
        .unwrap_or([-180.0, -MAX_LAT, 180.0, MAX_LAT]);
    let body = json!({
        "tilejson": "3.0.0",
        "name": "incidents",
        "description": "Incidents and server-side clusters",
        "version": "1.0.0",
        "scheme": "xyz",
        "tiles": [format!("{base}/collections/{COLLECTION}/tiles/{TMS}/{{z}}/{{y}}/{{x}}?{q}")],
        "minzoom": 0,
        "maxzoom": VECTOR_MAX_ZOOM,
        "bounds": bounds,
        "center": [(bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0, 3],
        "vector_layers": vector_layers_tilejson(),
        "incidentmap": {"data_version": snap.version(), "feature_budget": FEATURE_BUDGET},
    });
    Ok(tagged_json(
        &headers,
        b"vector-tilejson",
        body,
        s.opts.max_age,
    ))
}

/// `GET /style.json`: a MapLibre style with the heat map under the clusters and points. Takes
/// the tiles' filters and carries them into its sources.
pub async fn style_json(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let q = filters_query(raw.as_deref(), None)?;
    let q = if q.is_empty() { q } else { format!("?{q}") };
    let base = s.base_url(&headers);
    let heat = default_style(&s)?;
    let snap = s.app.snapshot();
    let center = snap
        .extent()
        .map(|e| {
            [
                (e.bbox.west + e.bbox.east) / 2.0,
                (e.bbox.south + e.bbox.north) / 2.0,
            ]
        })
        .unwrap_or([0.0, 0.0]);
    let count = json!(["get", "count"]);
    let body = json!({
        "version": 8,
        "name": "incidentmap",
        "center": center,
        "zoom": 3,
        "sources": {
            "heat": {"type": "raster", "url": format!("{base}/tiles/{}/tilejson.json{q}", heat.name), "tileSize": 256},
            "incidents": {"type": "vector", "url": format!("{base}/collections/{COLLECTION}/tiles/{TMS}/tilejson.json{q}")},
        },
        "layers": [
            {"id": "background", "type": "background", "paint": {"background-color": "#f4f1ea"}},
            {"id": "heat", "type": "raster", "source": "heat", "paint": {"raster-opacity": 0.85}},
            {"id": "clusters", "type": "circle", "source": "incidents", "source-layer": "clusters",
             "paint": {
                "circle-color": ["step", count, "#f1a340", 10, "#e66101", 100, "#b2182b"],
                "circle-radius": ["step", count, 10, 10, 14, 100, 19, 1000, 24],
                "circle-opacity": 0.85,
                "circle-stroke-width": 1.5, "circle-stroke-color": "#ffffff"}},
            {"id": "points", "type": "circle", "source": "incidents", "source-layer": "incidents",
             "paint": {
                "circle-color": "#5e3c99",
                "circle-radius": 5,
                // area-level incidents: a hollow ring, the point only stands for an area
                "circle-opacity": ["case", ["get", "area"], 0.0, 0.9],
                "circle-stroke-width": ["case", ["get", "area"], 2.0, 1.0],
                "circle-stroke-color": ["case", ["get", "area"], "#5e3c99", "#ffffff"]}},
        ],
    });
    Ok(tagged_json(&headers, b"style", body, s.opts.max_age))
}
