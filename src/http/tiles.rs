//! `/tiles/{style}/{z}/{x}/{y}.png` (and `@2x.png`): heat-map tiles.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use super::error::ApiError;
use super::items::{cache_control, not_modified_response};
use super::params::Params;
use super::{AppState, etag, not_modified};
use crate::filter::{Filter, TimeRange, parse_categories};
use crate::tiles::mercator::TileId;
use crate::tiles::style::Palette;
use crate::tiles::{TileRequest, png, render};

/// Query parameters tiles accept: the same names and meaning as on the items endpoint.
pub const TILE_PARAMS: &[&str] = &["datetime", "category", "v"];

/// Shared tile machinery: the bound on concurrent renders, and the empty tiles.
pub struct TileService {
    renders: Semaphore,
    empty: [Vec<u8>; 2],
}

impl TileService {
    pub fn new(concurrency: usize) -> TileService {
        let blank = Palette::from_ramp(&[(0.0, [0, 0, 0, 0]), (1.0, [0, 0, 0, 0])], 0.0);
        let empty = [256u32, 512].map(|size| {
            png::encode_indexed(&vec![0u8; (size * size) as usize], size, &blank)
                .expect("encoding an empty tile cannot fail")
        });
        TileService {
            renders: Semaphore::new(concurrency.max(1)),
            empty,
        }
    }

    pub fn empty(&self, scale: u32) -> &[u8] {
        &self.empty[(scale == 2) as usize]
    }
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
    let v = num
        .parse::<u64>()
        .map_err(|_| ApiError::bad_request(format!("y: {num:?} is not a tile row number")))?;
    Ok((v, scale))
}

pub async fn tile(
    State(s): State<AppState>,
    Path((style_name, z, x, y)): Path<(String, String, String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let app = Arc::clone(&s.app);
    let style = app.styles().get(&style_name).cloned().ok_or_else(|| {
        ApiError::not_found(format!(
            "no heat style {style_name:?}; the styles are {}",
            app.styles().names().join(", ")
        ))
    })?;
    let int = |name: &str, v: &str| {
        v.parse::<u64>()
            .map_err(|_| ApiError::bad_request(format!("{name}: {v:?} is not a tile number")))
    };
    let (y, scale) = parse_y(&y)?;
    let tile = TileId::new(int("z", &z)?, int("x", &x)?, y)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let params = Params::parse(raw.as_deref(), TILE_PARAMS)?;
    let filter = Filter {
        time: params
            .get("datetime")
            .map(TimeRange::parse)
            .transpose()
            .map_err(|e| ApiError::bad_request(e.0))?,
        categories: params
            .get("category")
            .map(parse_categories)
            .transpose()
            .map_err(|e| ApiError::bad_request(e.0))?,
        ..Default::default()
    };
    let snap = app.snapshot();
    let filter_key = format!(
        "{:?}|{:?}",
        filter.time,
        filter
            .categories
            .map(|c| c.iter().map(|c| c.as_str()).collect::<Vec<_>>())
    );
    let tag = etag(&[
        b"tile",
        &snap.version().to_le_bytes(),
        style_name.as_bytes(),
        format!("{}/{}/{}@{scale}", tile.z, tile.x, tile.y).as_bytes(),
        filter_key.as_bytes(),
    ]);
    let max_age = s.opts.tile_max_age;
    if not_modified(&headers, &tag) {
        return Ok(not_modified_response(tag, max_age));
    }
    let _permit = s
        .tiles
        .renders
        .acquire()
        .await
        .map_err(|_| ApiError::internal("the tile renderer is shutting down"))?;
    let rendered = tokio::task::spawn_blocking(move || {
        render(
            &snap,
            &TileRequest {
                tile,
                scale,
                style: &style,
                filter: &filter,
            },
        )
    })
    .await?
    .map_err(|e| ApiError::internal(e.to_string()))?;
    let body = match rendered {
        Some(png) => png,
        None => s.tiles.empty(scale).to_vec(),
    };
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (header::ETAG, tag),
            (header::CACHE_CONTROL, cache_control(max_age)),
        ],
        Body::from(body),
    )
        .into_response())
}
