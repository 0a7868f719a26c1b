//! Heat tiles over HTTP: `/tiles` (the styles), `/tiles/{style}/{z}/{x}/{y}.png` (and
//! `@2x.png`), `/tiles/{style}/tilejson.json`, `/tiles/{style}/legend` and `legend.png`.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error::ApiError;
use super::items::{cache_control, not_modified_response, tagged_json};
use super::limit::Limiter;
use super::params::{Kind, Param, Params};
use super::{AppState, not_modified};
use crate::filter::{Filter, FilterArgs};
use crate::spatial::Snapshot;
use crate::tiles::cache::{Derived, TileCache, TileKey};
use crate::tiles::mercator::{MAX_ZOOM, TileError, TileId};
use crate::tiles::style::{Palette, Scale, Style};
use crate::tiles::{Layer, png, render};

/// Shared tile machinery: bounded rendering, the caches, the empty tiles.
pub struct TileService {
    /// Uncached renders at once, with a bounded queue in front.
    renders: Limiter,
    pub cache: TileCache,
    pub derived: Derived,
    empty: [Arc<[u8]>; 2],
    /// `Cache-Control` of tile responses, built once.
    pub cache_control: HeaderValue,
}

impl TileService {
    pub fn new(concurrency: usize, cache_bytes: u64, max_age: u32) -> TileService {
        let blank = Palette::from_ramp(&[(0.0, [0, 0, 0, 0]), (1.0, [0, 0, 0, 0])], 0.0);
        let empty = [256u32, 512].map(|size| {
            Arc::from(
                png::encode_indexed(&vec![0u8; (size * size) as usize], size, &blank)
                    .expect("encoding an empty tile cannot fail"),
            )
        });
        TileService {
            renders: Limiter::new("tile renders", concurrency, Duration::from_secs(5)),
            cache: TileCache::new(cache_bytes),
            derived: Derived::default(),
            empty,
            cache_control: cache_control(max_age),
        }
    }

    pub fn empty(&self, scale: u32) -> Arc<[u8]> {
        self.empty[(scale == 2) as usize].clone()
    }

    /// A render slot, or a 503 saying when to retry.
    pub(super) async fn slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        self.renders.slot().await
    }
}

pub(super) fn style_or_404(s: &AppState, name: &str) -> Result<Arc<Style>, ApiError> {
    s.app.styles().get(name).cloned().ok_or_else(|| {
        ApiError::not_found(format!(
            "no heat style {name:?}; the styles are {}",
            s.app.styles().names().join(", ")
        ))
    })
}

/// Splits "12.png" / "12@2x.png" into (12, scale).
fn parse_y(y: &str) -> Result<(u64, u32), ApiError> {
    let (num, scale) = if let Some(n) = y.strip_suffix("@2x.png") {
        (n, 2)
    } else if let Some(n) = y.strip_suffix(".png") {
        (n, 1)
    } else {
        return Err(ApiError::not_found(format!(
            "tile {y:?}: tiles are {{y}}.png or {{y}}@2x.png"
        )));
    };
    let v = num.parse::<u64>().map_err(|_| {
        ApiError::not_found(format!("no such tile: y {num:?} is not a tile row number"))
    })?;
    Ok((v, scale))
}

/// Reads `/…/{style}/{z}/{x}/{y}.png` (or `@2x.png`): the style name, the tile and the scale.
/// A path that names no tile (letters where numbers go, a row beyond the zoom's grid) is not
/// found; a zoom beyond 22 is a bad request. Pure, for the fuzzer.
pub fn parse_tile_path(path: &str) -> Result<(std::borrow::Cow<'_, str>, TileId, u32), ApiError> {
    // The route matched /tiles/{style}/{z}/{x}/{y}: split the path here rather than through
    // `Path`, which would allocate four strings on the hottest route of the service.
    let mut parts = path.rsplitn(5, '/');
    let (y, x, z, style_name) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(x), Some(z), Some(st)) => (y, x, z, st),
        _ => return Err(ApiError::not_found(format!("no resource at {path}"))),
    };
    // Segments may be percent-encoded ("6%402x.png"); decoding borrows unless there is a '%'.
    let decode = |seg| {
        percent_encoding::percent_decode_str(seg)
            .decode_utf8()
            .map_err(|_| ApiError::bad_request(format!("{seg:?} is not UTF-8 once decoded")))
    };
    let (y, x, z, style_name) = (decode(y)?, decode(x)?, decode(z)?, decode(style_name)?);
    let int = |name: &str, v: &str| {
        v.parse::<u64>().map_err(|_| {
            ApiError::not_found(format!("no such tile: {name} {v:?} is not a tile number"))
        })
    };
    let (y, scale) = parse_y(&y)?;
    let tile = TileId::new(int("z", &z)?, int("x", &x)?, y).map_err(|e| match e {
        TileError::Zoom(_) => ApiError::bad_request(e.to_string()),
        TileError::Coordinate { .. } => ApiError::not_found(format!("no such tile: {e}")),
    })?;
    Ok((style_name, tile, scale))
}

/// The filters tiles and TileJSON take: every filter of the items endpoint but the box (the
/// tile is the box), with the same names and meaning.
pub fn tile_filter_params() -> &'static [&'static str] {
    static P: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        FilterArgs::NAMES
            .iter()
            .copied()
            .filter(|n| *n != "bbox")
            .collect()
    });
    &P
}

/// `v`, the data version TileJSON puts in tile URLs so clients refetch after edits.
const V: Param = Param::new(
    "v",
    "Data version (TileJSON adds it so clients refetch after edits); ignored.",
    Kind::Parsed {
        schema: || serde_json::json!({"type": "string"}),
    },
);
/// The query parameters of a tile, beside [`tile_filter_params`].
pub const TILE: &[Param] = &[V];

const LEGEND_Z: Param = Param::new(
    "z",
    "Zoom level.",
    Kind::Int {
        min: 0,
        max: MAX_ZOOM as u64,
        default: Some(0),
        clamp: false,
    },
);
/// The query parameters of a legend.
pub const LEGEND: &[Param] = &[LEGEND_Z];

/// A query string carrying the request's parameters into tile URLs, and the data version
/// (`v`) when given, so clients refetch after edits.
pub fn carried_query(params: &Params, version: Option<u64>) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.pairs() {
        q.append_pair(k, v);
    }
    if let Some(v) = version {
        q.append_pair("v", &v.to_string());
    }
    q.finish()
}

/// The filters tiles take, and their canonical text (for cache keys and ETags; `None` without
/// filters).
pub fn tile_filter(p: &Params) -> Result<(Filter, Option<Box<str>>), ApiError> {
    let filter = FilterArgs::from_lookup(|n| p.get(n))
        .build()
        .map_err(|e| ApiError::bad_request(e.0))?;
    let key = filter.attributes_key().map(String::into_boxed_str);
    Ok((filter, key))
}

pub async fn tile(
    State(s): State<AppState>,
    uri: axum::http::Uri,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (style_name, tile, scale) = parse_tile_path(uri.path())?;
    let style = style_or_404(&s, &style_name)?;
    heat_tile(&s, style, tile, scale, raw.as_deref(), &headers).await
}

/// A heat tile of a style, with the request's filters: from the cache, or rendered within
/// the render limit. Shared by the XYZ path and the OGC map tileset.
pub async fn heat_tile(
    s: &AppState,
    style: Arc<Style>,
    tile: TileId,
    scale: u32,
    raw: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::declared(raw, tile_filter_params(), TILE)?;
    let (filter, filter_key) = tile_filter(&params)?;
    let snap = s.app.snapshot();
    let key = TileKey {
        version: snap.version(),
        style: style.id,
        z: tile.z,
        x: tile.x,
        y: tile.y,
        scale: scale as u8,
        filter: filter_key,
    };
    let tag = key.etag();
    if not_modified(headers, &tag) {
        return Ok(not_modified_response(tag, s.opts.tile_max_age));
    }
    let tiles = s.tiles.clone();
    let png = match tiles.cache.get(&key) {
        Some(png) => png,
        None => {
            let slot = tiles.slot().await?;
            let t = tiles.clone();
            let started = std::time::Instant::now();
            // The slot goes with the render: it is held until the render ends, even if the
            // client hangs up first.
            let rendered = tokio::task::spawn_blocking(move || {
                let png = render_tile(&t, &snap, &style, &filter, tile, scale);
                drop(slot);
                png
            })
            .await?
            .map_err(|e| ApiError::internal(e.to_string()))?;
            metrics::histogram!("incidentmap_tile_render_seconds")
                .record(started.elapsed().as_secs_f64());
            let png = rendered.unwrap_or_else(|| tiles.empty(scale));
            tiles.cache.insert(key, png.clone());
            png
        }
    };
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (header::ETAG, tag),
            (header::CACHE_CONTROL, tiles.cache_control.clone()),
        ],
        Body::from(axum::body::Bytes::from_owner(png)),
    )
        .into_response())
}

/// Draws a tile with the cached pyramid and ramp top.
fn render_tile(
    t: &TileService,
    snap: &Snapshot,
    style: &Style,
    filter: &Filter,
    tile: TileId,
    scale: u32,
) -> Result<Option<Arc<[u8]>>, png::PngError> {
    let pyramid = t.derived.pyramid(snap, style);
    let layer = Layer {
        snap,
        style,
        pyramid: Some(&pyramid),
    };
    let top = t.derived.top(&layer, tile.z);
    Ok(render(&layer, filter, tile, scale, top)?.map(Arc::from))
}

/// The ramp tops at every zoom, for TileJSON and legends.
fn tops(t: &TileService, snap: &Snapshot, style: &Style) -> Vec<f32> {
    let pyramid = t.derived.pyramid(snap, style);
    let layer = Layer {
        snap,
        style,
        pyramid: Some(&pyramid),
    };
    (0..=MAX_ZOOM).map(|z| t.derived.top(&layer, z)).collect()
}

fn hex(c: [u8; 4]) -> String {
    format!("#{:02x}{:02x}{:02x}{:02x}", c[0], c[1], c[2], c[3])
}

fn normalization(style: &Style, tops: &[f32]) -> serde_json::Value {
    json!({
        "mode": match style.scale { Scale::Fixed(_) => "fixed", Scale::Zoom => "zoom" },
        "curve": style.curve.as_str(),
        "unit": format!("{} at the kernel's centre (1 = a single incident of weight 1 on that spot)", style.weight.as_str()),
        "max_by_zoom": tops.iter().map(|v| (v * 1000.0).round() / 1000.0).collect::<Vec<_>>(),
    })
}

/// `GET /tiles`: the heat styles.
pub async fn styles(State(s): State<AppState>, headers: HeaderMap) -> Json<serde_json::Value> {
    let base = s.base_url(&headers);
    let list: Vec<_> = s
        .app
        .styles()
        .iter()
        .map(|st| {
            json!({
                "name": st.name,
                "title": st.title,
                "description": st.description,
                "weight": st.weight.as_str(),
                "tilejson": format!("{base}/tiles/{}/tilejson.json", st.name),
                "legend": format!("{base}/tiles/{}/legend", st.name),
                "tiles": format!("{base}/tiles/{}/{{z}}/{{x}}/{{y}}.png", st.name),
            })
        })
        .collect();
    Json(json!({ "styles": list }))
}

/// `GET /tiles/{style}/tilejson.json` (TileJSON 3.0.0).
pub async fn tilejson(
    State(s): State<AppState>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // The tiles' filters (not `v`: the TileJSON puts the data version in the URLs itself).
    let params = Params::parse(raw.as_deref(), tile_filter_params())?;
    let (_, _) = tile_filter(&params)?;
    let style = style_or_404(&s, &name)?;
    let snap = s.app.snapshot();
    let base = s.base_url(&headers);
    let t = s.tiles.clone();
    let (st, sn) = (style.clone(), snap.clone());
    let tops = tokio::task::spawn_blocking(move || tops(&t, &sn, &st)).await?;
    // Tile URLs carry the data version, so a client refetches once the data changes, and any
    // filters given here, so one TileJSON can describe a filtered layer.
    let q = carried_query(&params, Some(snap.version()));
    let bounds = crate::tiles::paint_bounds(&snap, &style)
        .map(|b| [b.west, b.south, b.east, b.north])
        .unwrap_or([-180.0, -85.051129, 180.0, 85.051129]);
    let body = json!({
        "tilejson": "3.0.0",
        "name": style.title,
        "description": style.description,
        "version": "1.0.0",
        "attribution": style.attribution,
        "scheme": "xyz",
        "tiles": [format!("{base}/tiles/{name}/{{z}}/{{x}}/{{y}}.png?{q}")],
        "minzoom": style.minzoom,
        "maxzoom": style.maxzoom,
        "bounds": bounds,
        "center": [(bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0, style.minzoom.max(3)],
        "tileSize": 256,
        "incidentmap": {
            "data_version": snap.version(),
            "retina_tiles": [format!("{base}/tiles/{name}/{{z}}/{{x}}/{{y}}@2x.png?{q}")],
            "kernel": style.kernel.as_str(),
            "weight": style.weight.as_str(),
            "legend": format!("{base}/tiles/{name}/legend"),
            "normalization": normalization(&style, &tops),
        },
    });
    Ok(tagged_json(&headers, b"tilejson", body, s.opts.max_age))
}

/// `GET /tiles/{style}/legend?z=Z`: the ramp's stops with the density each colour stands for
/// at that zoom.
pub async fn legend(
    State(s): State<AppState>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let params = Params::declared(raw.as_deref(), &[], LEGEND)?;
    let z = params.int(&LEGEND_Z)?.unwrap_or_default() as u8;
    let style = style_or_404(&s, &name)?;
    let snap = s.app.snapshot();
    let t = s.tiles.clone();
    let st = style.clone();
    let tops = tokio::task::spawn_blocking(move || tops(&t, &snap, &st)).await?;
    let top = tops[z as usize];
    let stops: Vec<_> = style
        .ramp
        .iter()
        .map(|&(t, c)| {
            let value = style.curve.invert(t * style.curve.apply(top));
            json!({
                "position": t,
                "color": hex([c[0], c[1], c[2], (c[3] as f32 * style.opacity).round() as u8]),
                "value": (value * 1000.0).round() / 1000.0,
            })
        })
        .collect();
    Ok(Json(json!({
        "style": name,
        "title": style.title,
        "weight": style.weight.as_str(),
        "zoom": z,
        "max": top,
        "normalization": normalization(&style, &tops),
        "stops": stops,
    })))
}

/// `GET /tiles/{style}/legend.png`: the ramp as a 256×16 image, low values on the left.
pub async fn legend_png(
    State(s): State<AppState>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    let style = style_or_404(&s, &name)?;
    let (w, h) = (256u32, 16u32);
    let mut rgba = Vec::with_capacity((w * h * 4) as usize);
    for _ in 0..h {
        for x in 0..w {
            rgba.extend_from_slice(&style.palette.rgba(x as u8));
        }
    }
    let png = png::encode_rgba(&rgba, w, h).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (header::CACHE_CONTROL, cache_control(s.opts.tile_max_age)),
        ],
        png,
    )
        .into_response())
}
