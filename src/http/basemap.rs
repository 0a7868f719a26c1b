//! The offline base map, from the gazetteer alone: `/basemap/tiles/{z}/{x}/{y}` (vector
//! tiles: land, borders, regions, place names; [`crate::tiles::basemap`]), its TileJSON and a
//! MapLibre style, and `/basemap/labels` (the place names chosen per zoom — most important
//! first, none overlapping, [`crate::gazetteer::labels`] — as GeoJSON in the language a page
//! asks for, for pages that draw names without glyph files).

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::ApiError;
use super::items::{cache_control, tagged, tagged_json};
use super::params::{self, Param, Params};
use super::{AppState, etag, not_modified};
use crate::gazetteer::Kind;
use crate::tiles::basemap::{self, LAYERS, MAX_ZOOM, REGION_MIN_ZOOM};
use crate::tiles::mercator::{TileError, TileId};
use crate::tiles::mvt;

const DEFAULT_LIMIT: usize = 500;
const MAX_LIMIT: usize = 5000;

const ZOOM: Param = Param::new(
    "zoom",
    "The zoom of a 256-px-tile map (MapLibre's zoom + 1). Names are chosen per zoom so that none overlap at it; beyond 12 as at 12.",
    params::Kind::Int {
        min: 0,
        max: 24,
        default: None,
        clamp: false,
    },
)
.required();
const BBOX: Param = Param::new(
    "bbox",
    "The view: lon,lat,lon,lat (west, south, east, north).",
    params::Kind::Bbox,
);
const LANG: Param = Param::new(
    "lang",
    "The language of the names (ISO 639), where the gazetteer has one; otherwise the main name. Default en; the page offers en, ar, ru, kk, the languages the names are sized for.",
    params::Kind::Language,
);
const LIMIT: Param = Param::new(
    "limit",
    "Most names, the most important first; above 5,000 the answer holds 5,000.",
    params::Kind::Int {
        min: 1,
        max: MAX_LIMIT as u64,
        default: Some(DEFAULT_LIMIT as u64),
        clamp: true,
    },
);
/// The query parameters of `/basemap/labels`.
pub const LABELS: &[Param] = &[ZOOM, BBOX, LANG, LIMIT];

/// `GET /basemap/labels?zoom=&bbox=&lang=&limit=`: the places named at a zoom, in a view.
pub async fn labels(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::declared(raw.as_deref(), &[], LABELS)?;
    let zoom = params.int(&ZOOM)?.unwrap_or_default() as u8;
    let bbox = params.bbox(&BBOX)?;
    let lang = params.language(&LANG)?.unwrap_or("en").to_string();
    let limit = params.int(&LIMIT)?.unwrap_or(DEFAULT_LIMIT as u64) as usize;
    // The gazetteer is fixed for the binary's life: the query alone tells answers apart.
    let tag = etag(&[
        b"labels",
        s.app.gazetteer().fingerprint().as_bytes(),
        raw.as_deref().unwrap_or("").as_bytes(),
    ]);
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

/// `GET /basemap/tiles/{z}/{x}/{y}` (`.mvt` or `.pbf` may follow `y`): a vector tile of the
/// base map, gzipped when the client accepts it; an empty body where there is nothing.
pub async fn tile(
    State(s): State<AppState>,
    Path((z, x, y)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    let y = y
        .strip_suffix(".mvt")
        .or_else(|| y.strip_suffix(".pbf"))
        .unwrap_or(&y);
    // As for the incidents' tiles: a zoom beyond the tiles' is a bad request; a path that
    // names no tile (not a number, or beyond its zoom's grid) is not found.
    let num = |v: &str, what: &str| {
        v.parse::<u64>().map_err(|_| {
            ApiError::not_found(format!("no such tile: {what} {v:?} is not a tile number"))
        })
    };
    let t = TileId::new(num(&z, "z")?, num(&x, "x")?, num(y, "y")?).map_err(|e| match e {
        TileError::Zoom(_) => ApiError::bad_request(e.to_string()),
        TileError::Coordinate { .. } => ApiError::not_found(format!("no such tile: {e}")),
    })?;
    let gzip = super::ogc_tiles::accepts_gzip(&headers);
    // The gazetteer is fixed for the binary's life: the tile alone tells answers apart.
    let tag = etag(&[
        b"basemap",
        s.app.gazetteer().fingerprint().as_bytes(),
        format!("{}/{}/{}/{gzip}", t.z, t.x, t.y).as_bytes(),
    ]);
    if not_modified(&headers, &tag) {
        return Ok(super::items::not_modified_response(
            tag,
            s.opts.tile_max_age,
        ));
    }
    let slot = s.tiles.slot().await?;
    let app = s.app.clone();
    let bytes = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let bytes = basemap::encode(app.gazetteer(), t)?;
        match bytes {
            Some(b) if gzip => mvt::gzip(&b),
            Some(b) => Ok(b),
            None => Ok(Vec::new()),
        }
    })
    .await?
    .map_err(|e| ApiError::internal(e.to_string()))?;
    let mut h = vec![
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(mvt::MEDIA_TYPE),
        ),
        (header::ETAG, tag),
        (header::CACHE_CONTROL, cache_control(s.opts.tile_max_age)),
        (header::VARY, HeaderValue::from_static("accept-encoding")),
    ];
    if gzip && !bytes.is_empty() {
        h.push((header::CONTENT_ENCODING, HeaderValue::from_static("gzip")));
    }
    let mut r = (StatusCode::OK, Body::from(bytes)).into_response();
    r.headers_mut().extend(h);
    Ok(r)
}

/// The base map's `vector_layers`, from [`LAYERS`].
fn vector_layers() -> Vec<Value> {
    LAYERS
        .iter()
        .map(|l| {
            let fields: serde_json::Map<String, Value> = l
                .fields
                .iter()
                .map(|f| (f.name.to_string(), json!(f.kind)))
                .collect();
            json!({
                "id": l.id,
                "description": l.description,
                "minzoom": if l.id == "regions" { REGION_MIN_ZOOM } else { 0 },
                "maxzoom": MAX_ZOOM,
                "fields": fields,
            })
        })
        .collect()
}

/// `GET /basemap/tilejson.json`: TileJSON 3.0.0 of the base map's vector tiles.
pub async fn tilejson(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    let base = s.base_url(&headers);
    let body = json!({
        "tilejson": "3.0.0",
        "name": "incidentmap base map",
        "description": "Land, country and region borders and place names from incidentmap's gazetteer, for maps without internet",
        "version": "1.0.0",
        "attribution": "Natural Earth, GeoNames (gazetteer/ATTRIBUTION.md)",
        "scheme": "xyz",
        "tiles": [format!("{base}/basemap/tiles/{{z}}/{{x}}/{{y}}.mvt")],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": [-180.0, -85.051129, 180.0, 85.051129],
        "vector_layers": vector_layers(),
    });
    Ok(tagged_json(
        &headers,
        b"basemap-tilejson",
        body,
        s.opts.max_age,
    ))
}

/// `GET /basemap/style.json`: a MapLibre style drawing the base map: sea, land, borders and
/// a dot per named place. Names need glyph files, which an offline map does not have: a
/// client that has them adds a symbol layer on `places` (`text-field` `name`, `name_ar`, …),
/// and the map page draws them as DOM labels from `/basemap/labels`.
pub async fn style(
    State(s): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    let base = s.base_url(&headers);
    let body = json!({
        "version": 8,
        "name": "incidentmap base map",
        "center": [68.0, 48.0],
        "zoom": 3,
        "sources": {
            "basemap": {"type": "vector", "url": format!("{base}/basemap/tilejson.json")},
        },
        "layers": [
            {"id": "sea", "type": "background", "paint": {"background-color": "#dde6ee"}},
            {"id": "land", "type": "fill", "source": "basemap", "source-layer": "countries",
             "paint": {"fill-color": "#f6f5f0"}},
            {"id": "region-borders", "type": "line", "source": "basemap", "source-layer": "borders",
             "filter": ["==", ["get", "kind"], "region"],
             "paint": {"line-color": "rgba(90, 90, 110, 0.55)", "line-width": 0.8, "line-dasharray": [3, 2]}},
            {"id": "country-borders", "type": "line", "source": "basemap", "source-layer": "borders",
             "filter": ["==", ["get", "kind"], "country"],
             "paint": {"line-color": "rgba(70, 70, 90, 0.8)", "line-width": ["interpolate", ["linear"], ["zoom"], 2, 0.6, 8, 1.6]}},
            {"id": "towns", "type": "circle", "source": "basemap", "source-layer": "places",
             "filter": ["==", ["get", "kind"], "town"],
             "paint": {"circle-radius": 3, "circle-color": "#555", "circle-stroke-color": "#fff", "circle-stroke-width": 1}},
        ],
    });
    Ok(tagged_json(
        &headers,
        b"basemap-style",
        body,
        s.opts.max_age,
    ))
}
