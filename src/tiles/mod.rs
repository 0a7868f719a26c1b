//! Tiles: heat-map rasters (XYZ PNGs rendered from the index) and vector tiles (MVT).
//!
//! - [`mercator`]: tile ids and Web Mercator pixel math; [`morton`]: Z-order codes;
//! - [`pyramid`]: point weights pre-aggregated by zoom, so render time does not grow with
//!   the number of incidents;
//! - [`heat`]: binning and kernels on a padded grid; [`shape`]: an area's outline in Web
//!   Mercator, which region- and country-level incidents are spread over; [`area_sums`]:
//!   those incidents summed per area, so each area is spread once per tile;
//! - [`style`]: the styles in `styles/`, their palettes and normalization;
//! - [`png`]: indexed PNG encoding;
//! - [`clusters`]: server-side clusters on a grid aligned with the tiles; [`mvt`]: their
//!   encoding as Mapbox Vector Tiles.
//! - [`basemap`]: the offline base map (land, borders, regions, place names) as vector tiles;
//!   [`clip`]: rings clipped to a tile's box.
//!
//! Everything here is pure and synchronous; the HTTP layer runs it on the blocking pool and
//! caches what it can.

pub mod area_sums;
pub mod basemap;
pub mod cache;
pub mod clip;
pub mod clusters;
pub mod heat;
pub mod mercator;
pub mod morton;
pub mod mvt;
pub mod png;
pub mod pyramid;
pub mod shape;
pub mod style;

use std::collections::HashMap;

use crate::bbox::Bbox;
use crate::filter::Filter;
use crate::model::Incident;
use crate::spatial::{AreaExtent, Snapshot};
use area_sums::AreaKey;
use mercator::{TileId, lon_lat, world_px};
use pyramid::{BASE_LEVEL, DAY_MS, Pyramid, Slice, day_of};
use style::{Areas, Kernel, Scale, Style};

/// One style's heat over one snapshot.
#[derive(Clone, Copy)]
pub struct Layer<'a> {
    pub snap: &'a Snapshot,
    pub style: &'a Style,
    /// The style's pyramid for the snapshot's base ([`build_pyramid`]); `None` reads points
    /// from the R-tree instead (same result, slower at low zoom).
    pub pyramid: Option<&'a Pyramid>,
}

/// Whether an incident paints as a point in this style (area incidents are spread or
/// omitted; incidents outside the style's categories never paint).
fn paints_as_point(i: &Incident, style: &Style) -> bool {
    !i.precision.is_area() && style.categories.is_none_or(|c| c.contains(i.category))
}

/// Pre-aggregates the points of a snapshot's base for a style, by pixel, category and day.
pub fn build_pyramid(snap: &Snapshot, style: &Style) -> Pyramid {
    let points = Pyramid::build(
        snap.base_records()
            .filter(|i| paints_as_point(i, style))
            .map(|i| pyramid::Point {
                lon: i.lon,
                lat: i.lat,
                weight: style.weight_of(i),
                class: i.category as u8,
                start_ms: i.occurred_at.start_ms(),
                end_ms: i.occurred_at.end_ms(),
            }),
    );
    if style.areas != Areas::Spread {
        return points;
    }
    let mut areas = Vec::new();
    snap.for_each_base_area(|i, area| {
        areas.push((
            area.clone(),
            area_sums::Record {
                start_ms: i.occurred_at.start_ms(),
                end_ms: i.occurred_at.end_ms(),
                class: i.category as u8,
                weight: style.weight_of(i),
            },
        ))
    });
    points.with_areas(area_sums::AreaSums::build(areas))
}

/// How the pyramid answers a filter: the part of the weight it reads, and the days whose
/// incidents must be added one by one because the window covers only part of them.
struct Plan {
    slice: Option<Slice>,
    partial_days: Vec<i32>,
}

/// The plan for a filter, or `None` when the pyramid cannot answer it (it knows nothing but
/// pixels, categories and days; other filters read the points).
fn plan(f: &Filter) -> Option<Plan> {
    let pyramid_only = Filter {
        bbox: None,
        time: None,
        categories: None,
        ..f.clone()
    };
    if pyramid_only.has_attributes() {
        return None;
    }
    let classes = f.categories.map_or(u16::MAX, |c| c.bits());
    let Some(t) = f.time else {
        let slice = f.categories.map(|_| Slice {
            classes,
            days: None,
        });
        return Some(Plan {
            slice,
            partial_days: Vec::new(),
        });
    };
    // An incident lasts at most its day and starts on it: every incident of a day that the
    // window covers whole matches; those of a day it covers in part must be checked.
    let first_whole = t.start.map_or(i32::MIN, |s| day_of(s + DAY_MS - 1));
    let last_whole = t.end.map_or(i32::MAX, |e| day_of(e + 1) - 1);
    let mut partial_days = Vec::new();
    if let Some(s) = t.start.filter(|s| s.rem_euclid(DAY_MS) != 0) {
        partial_days.push(day_of(s));
    }
    if let Some(e) = t.end.filter(|e| (e + 1).rem_euclid(DAY_MS) != 0) {
        if !partial_days.contains(&day_of(e)) {
            partial_days.push(day_of(e));
        }
    }
    Some(Plan {
        slice: Some(Slice {
            classes,
            days: Some((first_whole, last_whole)),
        }),
        partial_days,
    })
}

/// The pixel of a point at a 256-px zoom `level`, exactly as the pyramid bins it (floor at
/// the base level, then shifted), so the pyramid and the R-tree paths agree to the bit.
fn bin_px(lon: f64, lat: f64, level: u8) -> (f64, f64) {
    if level <= BASE_LEVEL {
        let max = (1u64 << (BASE_LEVEL as u32 + 8)) as f64 - 1.0;
        let (x, y) = world_px(lon, lat, BASE_LEVEL, 256);
        let shift = BASE_LEVEL - level;
        let (bx, by) = (
            (x.clamp(0.0, max) as u64) >> shift,
            (y.clamp(0.0, max) as u64) >> shift,
        );
        (bx as f64 + 0.5, by as f64 + 0.5)
    } else {
        let (x, y) = world_px(lon, lat, level, 256);
        (x.floor() + 0.5, y.floor() + 0.5)
    }
}

/// A rectangle of world pixels at zoom `z` for tiles of `tile_size` pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub z: u8,
    pub tile_size: u32,
    pub x0: i64,
    pub y0: i64,
    pub w: usize,
    pub h: usize,
}

impl Window {
    pub fn tile(t: TileId, scale: u32) -> Window {
        let size = 256 * scale;
        Window {
            z: t.z,
            tile_size: size,
            x0: t.x as i64 * size as i64,
            y0: t.y as i64 * size as i64,
            w: size as usize,
            h: size as usize,
        }
    }

    /// The zoom whose 256-px world pixels are this window's pixels (a 512-px tile at z is a
    /// 256-px tile at z + 1).
    fn level(&self) -> u8 {
        self.z + (self.tile_size / 256).trailing_zeros() as u8
    }
}

/// The kernel's radius in this window's pixels, and the pad that covers its reach.
fn kernel_extent(style: &Style, win: &Window) -> (f32, usize) {
    let radius = style.radius_at(win.z) * (win.tile_size / 256) as f32;
    let pad = match style.kernel {
        Kernel::Gaussian => heat::reach(radius / 3.0),
        Kernel::Quartic => radius.ceil() as usize,
    };
    (radius, pad)
}

/// Densities of a window (row-major, `w`×`h`), or `None` when nothing reaches it.
///
/// Every window of the same zoom reads the same world-pixel grid, and each output pixel
/// depends only on the data within the kernel's reach: a tile equals the matching part of any
/// larger window — which is what makes tiles seamless.
pub fn density(layer: &Layer, request: &Filter, win: &Window) -> Option<Vec<f32>> {
    let style = layer.style;
    if win.z < style.minzoom || win.z > style.maxzoom {
        return None;
    }
    let (radius, pad) = kernel_extent(style, win);
    let level = win.level();
    let mut canvas = heat::Canvas::new(win.x0 as f64, win.y0 as f64, win.w, win.h, pad);
    let (gx, gy) = (win.x0 - pad as i64, win.y0 - pad as i64);
    let (gx1, gy1) = (gx + (win.w + 2 * pad) as i64, gy + (win.h + 2 * pad) as i64);
    let mut painted = false;

    let mut filter = request.clone();
    filter.categories = match (filter.categories, style.categories) {
        (Some(a), Some(b)) => Some(a.iter().filter(|c| b.contains(*c)).collect()),
        (a, b) => a.or(b),
    };
    let world = (win.tile_size as u64) << win.z;
    let (west, north) = lon_lat(gx.max(0) as f64, gy.max(0) as f64, win.z, win.tile_size);
    let (east, south) = lon_lat(
        (gx1 as f64).min(world as f64),
        (gy1 as f64).min(world as f64),
        win.z,
        win.tile_size,
    );
    let reach = Bbox {
        west,
        south,
        east,
        north,
    };

    match (layer.pyramid, plan(&filter)) {
        (Some(p), Some(plan)) if level <= BASE_LEVEL => {
            let empty = plan
                .slice
                .is_some_and(|s| s.days.is_some_and(|(a, b)| a > b) || s.classes == 0);
            if !empty {
                p.for_each_bin(level, gx, gy, gx1, gy1, plan.slice.as_ref(), |x, y, w| {
                    canvas.add_point(x as f64 + 0.5, y as f64 + 0.5, w);
                    painted = true;
                });
            }
            // Days the window covers in part: their incidents one by one, from the pyramid's
            // points by day. Like its sums, these are every record of the base, shadowed or
            // not; the overlay below corrects both alike.
            let classes = filter.categories.map_or(u16::MAX, |c| c.bits());
            let window = filter.time.map_or((i64::MIN, i64::MAX), |t| {
                (t.start.unwrap_or(i64::MIN), t.end.unwrap_or(i64::MAX))
            });
            for day in plan.partial_days {
                p.for_each_point_of_day(
                    level,
                    (gx, gy, gx1, gy1),
                    day,
                    classes,
                    window,
                    |x, y, w| {
                        canvas.add_point(x as f64 + 0.5, y as f64 + 0.5, w);
                        painted = true;
                    },
                );
            }
            // The pyramid holds the base; the overlay's edits since are applied on top.
            for (old, new) in layer.snap.overlay_changes() {
                for (i, sign) in [(old, -1.0f32), (new, 1.0)] {
                    let Some(i) =
                        i.filter(|i| paints_as_point(i, style) && filter.matches_attributes(i))
                    else {
                        continue;
                    };
                    let w = style.weight_of(i) * sign;
                    if w != 0.0 {
                        let (x, y) = bin_px(i.lon, i.lat, level);
                        canvas.add_point(x, y, w);
                        painted |= sign > 0.0;
                    }
                }
            }
        }
        _ => {
            filter.bbox = Some(reach);
            layer.snap.for_each(&filter, |i| {
                if paints_as_point(i, style) {
                    let w = style.weight_of(i);
                    if w > 0.0 {
                        let (x, y) = bin_px(i.lon, i.lat, level);
                        canvas.add_point(x, y, w);
                        painted = true;
                    }
                }
            });
        }
    }
    if style.areas == Areas::Spread {
        // One spread per area with the weights of its incidents summed (spreading is linear
        // in the weight): a region named by 50,000 incidents costs one pass, not 50,000.
        let mut by_area: HashMap<AreaKey, (f64, AreaExtent)> = HashMap::new();
        let mut add = |area: &AreaExtent, w: f64| {
            by_area
                .entry(AreaKey::of(area))
                .or_insert_with(|| (0.0, area.clone()))
                .0 += w
        };
        match layer.pyramid {
            // Sums per area of the base, then the overlay's edits on top, as for the points.
            Some(p) if plan(&filter).is_some() => {
                let classes = filter.categories.map_or(u16::MAX, |c| c.bits());
                p.areas().for_each(&reach, filter.time, classes, &mut add);
                layer.snap.for_each_area_change(|i, area, sign| {
                    if area.bbox.meets(&reach) && filter.matches_attributes(i) {
                        add(area, f64::from(style.weight_of(i) * sign));
                    }
                });
            }
            _ => {
                let attributes = Filter {
                    bbox: None,
                    ..filter
                };
                layer.snap.for_each_area(&reach, &attributes, |i, area| {
                    add(area, f64::from(style.weight_of(i)))
                });
            }
        }
        // In a fixed order, so a tile is the same on every render. Integral weights sum
        // exactly in f64: an edit's -w and +w cancel to nothing.
        let mut areas: Vec<(AreaKey, (f64, AreaExtent))> = by_area.into_iter().collect();
        areas.sort_unstable_by_key(|a| a.0);
        for (_, (w, area)) in &areas {
            if *w > 1e-9 {
                spread(&mut canvas, area, *w as f32, win);
                painted = true;
            }
        }
    }
    if !painted {
        return None;
    }
    let mut d = match style.kernel {
        Kernel::Gaussian => canvas.finish(radius / 3.0),
        Kernel::Quartic => canvas.finish_quartic(radius),
    };
    // Subtracting edited points leaves rounding dust around zero.
    d.iter_mut().for_each(|v| *v = v.max(0.0));
    Some(d)
}

/// The box a style can paint anything in: the points, the areas that region- and
/// country-level incidents are spread over, and the kernel's reach around both at the zoom
/// where it reaches furthest. TileJSON's `bounds`: MapLibre requests no tile outside them.
/// `None` when there is nothing to paint.
pub fn paint_bounds(snap: &Snapshot, style: &Style) -> Option<Bbox> {
    let mut b = snap.extent().map(|e| e.bbox)?;
    let mut crosses = b.west > b.east;
    if style.areas == Areas::Spread {
        snap.for_each_area(&Bbox::WORLD, &Filter::default(), |_, area| {
            crosses |= area.bbox.west > area.bbox.east;
            for p in area.bbox.parts() {
                b = Bbox::union_point(Some(b), p.west, p.south);
                b = Bbox::union_point(Some(b), p.east, p.north);
            }
        });
    }
    // Degrees per pixel halve with each zoom; the radius in pixels may grow: take the worst.
    let reach = (style.minzoom..=style.maxzoom)
        .map(|z| {
            let (_, pad) = kernel_extent(style, &Window::tile(TileId { z, x: 0, y: 0 }, 1));
            (pad as f64 + 1.0) * 360.0 / (256.0 * (1u64 << z) as f64)
        })
        .fold(0.0, f64::max);
    // Latitude degrees per Mercator pixel are never more than longitude's: one reach serves.
    let (west, east) = if crosses || b.east - b.west + 2.0 * reach >= 360.0 {
        (-180.0, 180.0)
    } else {
        ((b.west - reach).max(-180.0), (b.east + reach).min(180.0))
    };
    Some(Bbox {
        west,
        south: (b.south - reach).max(-mercator::MAX_LAT),
        east,
        north: (b.north + reach).min(mercator::MAX_LAT),
    })
}

/// Spreads `w` evenly over an area: over its outline when it has one that covers a few pixels
/// at this zoom, else over its box.
fn spread(canvas: &mut heat::Canvas, area: &AreaExtent, w: f32, win: &Window) {
    let size = win.tile_size as f64 * (1u64 << win.z) as f64;
    match &area.shape {
        Some(shape) if shape.pixels(size) >= MIN_SHAPE_PIXELS => {
            spread_shape(canvas, shape, w, win)
        }
        _ => spread_box(canvas, &area.bbox, w, win),
    }
}

/// An outline smaller than this many pixels at a zoom is spread over its box instead: too few
/// pixel centres fall inside it to carry its weight.
const MIN_SHAPE_PIXELS: f64 = 64.0;

/// Spreads `w` over the world pixels whose centres lie in the outline, the same share each
/// ([`shape::Shape`]), row by row over the canvas's window.
fn spread_shape(canvas: &mut heat::Canvas, shape: &shape::Shape, w: f32, win: &Window) {
    let size = win.tile_size as f64 * (1u64 << win.z) as f64;
    let density = (w as f64 / shape.pixels(size)) as f32;
    let (x0, y0) = canvas.origin();
    let (x0, y0) = (x0 as i64, y0 as i64);
    let (width, height) = canvas.grid();
    let (r0, r1) = shape.rows(size);
    let mut spans = Vec::new();
    // The world wraps: the window may see the outline one world to the left or right.
    for row in r0.max(y0)..r1.min(y0 + height as i64) {
        shape.spans(row, size, &mut spans);
        for &(a, b) in &spans {
            for shift in [-size as i64, 0, size as i64] {
                let (a, b) = (a + shift, b + shift);
                if b > x0 && a < x0 + width as i64 {
                    canvas.add_span(row, a, b, density);
                }
            }
        }
    }
}

/// Spreads `w` evenly over an area's box, in proportion to pixel area when the box crosses the
/// antimeridian and so comes in two parts.
fn spread_box(canvas: &mut heat::Canvas, area: &Bbox, w: f32, win: &Window) {
    let rects: Vec<(f64, f64, f64, f64)> = area
        .parts()
        .iter()
        .map(|p| {
            let (x0, y0) = world_px(p.west, p.north, win.z, win.tile_size);
            let (x1, y1) = world_px(p.east, p.south, win.z, win.tile_size);
            (x0, y0, x1.max(x0 + 1.0), y1.max(y0 + 1.0))
        })
        .collect();
    let total: f64 = rects.iter().map(|r| (r.2 - r.0) * (r.3 - r.1)).sum();
    for r in rects {
        let share = ((r.2 - r.0) * (r.3 - r.1) / total) as f32;
        canvas.add_rect(r.0, r.1, r.2, r.3, w * share);
    }
}

/// The density at the top of the ramp at zoom `z`: the style's fixed maximum, or the densest
/// spot of the whole dataset at that zoom — found by rendering small windows around the
/// heaviest pixels and the area incidents (the peaks of a kernel density lie where the
/// weight is). Request filters play no part: every filtered view shares the same scale, so
/// colours compare across filters. Always positive.
pub fn top_of_ramp(layer: &Layer, z: u8) -> f32 {
    match layer.style.scale {
        Scale::Fixed(m) => m,
        Scale::Zoom => max_density(layer, z).max(1e-6),
    }
}

/// How many peak candidates [`top_of_ramp`] examines.
const PEAK_CANDIDATES: usize = 48;
/// Side of the window rendered around each candidate, pixels.
const PEAK_WINDOW: usize = 24;

fn max_density(layer: &Layer, z: u8) -> f32 {
    let style = layer.style;
    // Candidates are found at the pyramid's finest level at most; windows are drawn at `z`.
    let level = z.min(BASE_LEVEL);
    let up = 1i64 << (z - level);
    let mut centres: Vec<(i64, i64)> = Vec::new();
    match layer.pyramid {
        Some(p) => centres.extend(
            p.heaviest(level, PEAK_CANDIDATES)
                .into_iter()
                .map(|(x, y, _)| (x as i64, y as i64)),
        ),
        None => {
            // No pyramid: take the heaviest incidents as candidates.
            let mut heavy: Vec<(f32, f64, f64)> = Vec::new();
            layer.snap.for_each(&Filter::default(), |i| {
                if paints_as_point(i, style) {
                    heavy.push((style.weight_of(i), i.lon, i.lat));
                }
            });
            heavy.sort_by(|a, b| b.0.total_cmp(&a.0));
            centres.extend(heavy.iter().take(PEAK_CANDIDATES).map(|&(_, lon, lat)| {
                let (x, y) = bin_px(lon, lat, level);
                (x as i64, y as i64)
            }));
        }
    }
    // Points edited since the base, and the centres of area incidents.
    for (_, new) in layer.snap.overlay_changes() {
        if let Some(i) = new.filter(|i| paints_as_point(i, style)) {
            let (x, y) = bin_px(i.lon, i.lat, level);
            centres.push((x as i64, y as i64));
        }
    }
    if style.areas == Areas::Spread {
        // Each area once, with its incidents' weights summed.
        let mut sums: HashMap<AreaKey, (f64, Bbox)> = HashMap::new();
        let attrs = Filter {
            categories: style.categories,
            ..Filter::default()
        };
        layer.snap.for_each_area(&Bbox::WORLD, &attrs, |i, a| {
            sums.entry(AreaKey::of(a)).or_insert((0.0, a.bbox)).0 += f64::from(style.weight_of(i));
        });
        let mut areas: Vec<(AreaKey, f64, Bbox)> =
            sums.into_iter().map(|(k, (w, b))| (k, w, b)).collect();
        areas.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for (_, _, a) in areas.iter().take(PEAK_CANDIDATES) {
            let p = a.parts()[0];
            let (x, y) = world_px(
                (p.west + p.east) / 2.0,
                (p.south + p.north) / 2.0,
                level,
                256,
            );
            centres.push((x as i64, y as i64));
        }
    }
    let mut best = 0.0f32;
    for (cx, cy) in centres {
        // Beyond the pyramid's finest level a candidate pixel is an `up`×`up` block at `z`.
        let side = PEAK_WINDOW + up as usize;
        let win = Window {
            z,
            tile_size: 256,
            x0: cx * up - PEAK_WINDOW as i64 / 2,
            y0: cy * up - PEAK_WINDOW as i64 / 2,
            w: side,
            h: side,
        };
        if let Some(d) = density(layer, &Filter::default(), &win) {
            best = d.iter().copied().fold(best, f32::max);
        }
    }
    best
}

/// Colours densities through the style's ramp and encodes the PNG; `None` when every pixel
/// is transparent.
pub fn encode(
    style: &Style,
    density: &[f32],
    top: f32,
    size: u32,
) -> Result<Option<Vec<u8>>, png::PngError> {
    let mut any = false;
    let indices: Vec<u8> = density
        .iter()
        .map(|&d| {
            let i = (style.curve.position(d, top) * 255.0).round() as u8;
            any |= i > 0;
            i
        })
        .collect();
    if !any {
        return Ok(None);
    }
    png::encode_indexed(&indices, size, &style.palette).map(Some)
}

/// Renders one tile: `Ok(None)` means no incident paints it (the caller answers with the
/// shared empty tile).
pub fn render(
    layer: &Layer,
    request: &Filter,
    tile: TileId,
    scale: u32,
    top: f32,
) -> Result<Option<Vec<u8>>, png::PngError> {
    let win = Window::tile(tile, scale);
    match density(layer, request, &win) {
        None => Ok(None),
        Some(d) => encode(layer.style, &d, top, win.tile_size),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, OccurredAt, Precision};
    use crate::spatial::{AreaExtent, AreaOf, Index};
    use crate::store::Change;
    use geo::polygon;
    use proptest::prelude::*;
    use std::sync::Arc;

    fn inc(n: u32, lon: f64, lat: f64, cat: Category, fatalities: u32) -> Incident {
        Incident {
            id: format!("t{n}"),
            lon,
            lat,
            occurred_at: OccurredAt::parse(&format!("2022-01-{:02}", n % 28 + 1)).unwrap(),
            category: cat,
            fatalities: Some(fatalities),
            injured: None,
            arrested: None,
            place: None,
            place_id: None,
            precision: Precision::Exact,
            source: None,
            notes: None,
            status: Default::default(),
            report_id: None,
            admin1: None,
        }
    }

    fn styles() -> style::Styles {
        style::Styles::embedded().unwrap()
    }

    fn no_areas() -> AreaOf {
        Arc::new(|_| None)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Two neighbouring tiles equal the two halves of one render of their union, in every
        /// style and on both paths (pyramid and R-tree), with edits in the overlay.
        #[test]
        fn neighbouring_tiles_equal_a_render_of_their_union(
            pts in proptest::collection::vec((76.0f64..78.0, 42.5f64..44.0, 0u32..20), 1..200),
            edits in proptest::collection::vec((0usize..200, 76.0f64..78.0, 42.5f64..44.0), 0..10),
            z in 5u8..11, style_name in proptest::sample::select(vec!["heat", "fatalities", "protests"]),
            use_pyramid in any::<bool>(),
        ) {
            let incidents: Vec<Incident> = pts.iter().enumerate().map(|(n, &(lon, lat, f))| {
                inc(n as u32, lon, lat, if n % 3 == 0 { Category::Protest } else { Category::Riot }, f)
            }).collect();
            let idx = Index::new(incidents.clone(), 1, no_areas());
            let changes: Vec<Change> = edits.iter().map(|&(n, lon, lat)| {
                let mut i = incidents[n % incidents.len()].clone();
                i.lon = lon; i.lat = lat;
                Change::Put(i)
            }).collect();
            idx.apply(changes, 2);
            let snap = idx.snapshot();
            let all = styles();
            let style = all.get(style_name).unwrap();
            let pyr = build_pyramid(&snap, style);
            let layer = Layer { snap: &snap, style, pyramid: use_pyramid.then_some(&pyr) };
            // the tile holding Almaty, and its east neighbour
            let (x, y) = world_px(76.93, 43.25, z, 256);
            let (tx, ty) = ((x / 256.0) as u32, (y / 256.0) as u32);
            let left = TileId::new(z as u64, tx as u64, ty as u64).unwrap();
            let right = TileId::new(z as u64, tx as u64 + 1, ty as u64).unwrap();
            let union = Window { w: 512, ..Window::tile(left, 1) };
            let f = Filter::default();
            let u = density(&layer, &f, &union);
            let (a, b) = (density(&layer, &f, &Window::tile(left, 1)), density(&layer, &f, &Window::tile(right, 1)));
            let u = u.unwrap_or_else(|| vec![0.0; 512 * 256]);
            let a = a.unwrap_or_else(|| vec![0.0; 256 * 256]);
            let b = b.unwrap_or_else(|| vec![0.0; 256 * 256]);
            for row in 0..256 {
                for col in 0..256 {
                    let (ua, ub) = (u[row * 512 + col], u[row * 512 + 256 + col]);
                    prop_assert!((ua - a[row * 256 + col]).abs() <= 1e-3 * ua.abs().max(1.0));
                    prop_assert!((ub - b[row * 256 + col]).abs() <= 1e-3 * ub.abs().max(1.0));
                }
            }
        }

        /// The pyramid path and the R-tree path draw the same tile, for any window of time
        /// (whole days or not, open or closed) and any categories, with edits and deletions
        /// in the overlay, region-level incidents (summed per area) included.
        #[test]
        fn the_pyramid_draws_what_the_points_draw(
            pts in proptest::collection::vec((76.5f64..77.5, 43.0f64..43.5, 0u32..20, 0usize..9, proptest::option::of(0i64..86_400)), 1..300),
            z in 3u8..15, deleted in proptest::collection::vec(0usize..300, 0..20),
            moved in proptest::collection::vec((0usize..300, 76.5f64..77.5, 0usize..9), 0..10),
            window in proptest::option::of((proptest::option::of(0i64..40 * 86_400), proptest::option::of(0i64..40 * 86_400), any::<bool>())),
            categories in proptest::option::of(1u16..512),
        ) {
            let incidents: Vec<Incident> = pts.iter().enumerate().map(|(n, &(lon, lat, f, c, secs))| {
                let mut i = inc(n as u32, lon, lat, Category::ALL[c], f);
                if let Some(secs) = secs {
                    // an instant on that day instead of the whole day
                    let day = i.occurred_at.start_ms() / 1000;
                    i.occurred_at = OccurredAt::Instant(time::OffsetDateTime::from_unix_timestamp(day + secs).unwrap());
                }
                // Every seventh known only by its region (of two, by where its point is).
                if n % 7 == 0 {
                    i.precision = Precision::Region;
                }
                i
            }).collect();
            let two_regions: AreaOf = Arc::new(|i: &Incident| {
                i.precision.is_area().then(|| {
                    AreaExtent::boxed(if i.lon < 77.0 {
                        Bbox::new(76.0, 42.5, 77.2, 43.8).unwrap()
                    } else {
                        Bbox::new(76.8, 43.0, 78.0, 44.0).unwrap()
                    })
                })
            });
            let idx = Index::new(incidents.clone(), 1, two_regions);
            idx.apply(deleted.iter().map(|&d| Change::Delete(format!("t{}", d % incidents.len()))).collect(), 2);
            idx.apply(moved.iter().map(|&(n, lon, c)| {
                let mut i = incidents[n % incidents.len()].clone();
                i.lon = lon;
                i.category = Category::ALL[c];
                Change::Put(i)
            }).collect(), 3);
            let snap = idx.snapshot();
            // Windows from 2021-12-25 on, whole days or not.
            let origin = 1_640_390_400_000i64;
            let time = window.and_then(|(a, b, whole)| {
                let day = |ms: i64| if whole { ms - ms.rem_euclid(DAY_MS) } else { ms };
                let (a, b) = (a.map(|a| origin + day(a * 1000)), b.map(|b| origin + day(b * 1000) + if whole { DAY_MS - 1 } else { 0 }));
                match (a, b) {
                    (Some(a), Some(b)) if a > b => None,
                    (None, None) => None,
                    (start, end) => Some(crate::filter::TimeRange { start, end }),
                }
            });
            let filter = Filter {
                time,
                categories: categories.map(|bits| Category::ALL.into_iter().filter(|c| bits & c.bit() != 0).collect()),
                ..Filter::default()
            };
            let all = styles();
            for name in ["heat", "fatalities", "protests"] {
                let style = all.get(name).unwrap();
                let pyr = build_pyramid(&snap, style);
                let (x, y) = world_px(77.0, 43.25, z, 256);
                let t = TileId::new(z as u64, (x / 256.0) as u64, (y / 256.0) as u64).unwrap();
                for f in [Filter::default(), filter.clone()] {
                    let with = density(&Layer { snap: &snap, style, pyramid: Some(&pyr) }, &f, &Window::tile(t, 1));
                    let without = density(&Layer { snap: &snap, style, pyramid: None }, &f, &Window::tile(t, 1));
                    let with = with.unwrap_or_else(|| vec![0.0; 65536]);
                    let without = without.unwrap_or_else(|| vec![0.0; 65536]);
                    for (p, q) in with.iter().zip(&without) {
                        prop_assert!((p - q).abs() <= 1e-2 * q.abs().max(1.0), "{} vs {} ({:?})", p, q, f);
                    }
                }
            }
        }
    }

    #[test]
    fn area_incidents_are_spread_not_piled_on_a_point() {
        let mut country = inc(1, 68.0, 48.0, Category::Arrests, 0);
        country.precision = Precision::Country;
        country.arrested = Some(5000);
        let area: AreaOf = Arc::new(|i: &Incident| {
            i.precision
                .is_area()
                .then(|| AreaExtent::boxed(Bbox::new(46.5, 40.5, 87.3, 55.4).unwrap()))
        });
        let idx = Index::new(vec![country], 1, area);
        let snap = idx.snapshot();
        let all = styles();
        let style = all.get("arrests").unwrap();
        let layer = Layer {
            snap: &snap,
            style,
            pyramid: None,
        };
        let z = 4;
        let (x, y) = world_px(68.0, 48.0, z, 256);
        let t = TileId::new(z as u64, (x / 256.0) as u64, (y / 256.0) as u64).unwrap();
        let d = density(&layer, &Filter::default(), &Window::tile(t, 1)).unwrap();
        let max = d.iter().cloned().fold(0.0f32, f32::max);
        let centre = d[((y as usize) % 256) * 256 + (x as usize) % 256];
        // flat over the country: the centre is no hotspot
        assert!(
            centre > 0.0 && (max - centre) / max < 0.05,
            "centre {centre}, max {max}"
        );
        let mut omit = style.as_ref().clone();
        omit.areas = Areas::Omit;
        let layer = Layer {
            snap: &snap,
            style: &omit,
            pyramid: None,
        };
        assert!(density(&layer, &Filter::default(), &Window::tile(t, 1)).is_none());
    }

    #[test]
    fn a_region_with_an_outline_paints_its_shape_seamlessly() {
        // A triangle of a region (its box is much larger than it).
        let outline = geo::MultiPolygon(vec![polygon![
            (x: 66.0, y: 44.0), (x: 72.0, y: 44.0), (x: 66.0, y: 49.0), (x: 66.0, y: 44.0)
        ]]);
        let shape = Arc::new(shape::Shape::new(&outline).unwrap());
        let area: AreaOf = Arc::new(move |i: &Incident| {
            i.precision.is_area().then(|| AreaExtent {
                bbox: Bbox::new(66.0, 44.0, 72.0, 49.0).unwrap(),
                shape: Some(shape.clone()),
            })
        });
        let mut region = inc(1, 67.0, 45.0, Category::Riot, 0);
        region.precision = Precision::Region;
        let idx = Index::new(vec![region], 1, area);
        let snap = idx.snapshot();
        let all = styles();
        let style = all.get("heat").unwrap();
        let layer = Layer {
            snap: &snap,
            style,
            pyramid: None,
        };
        let f = Filter::default();
        let z = 7;
        let at = |lon: f64, lat: f64| {
            let (x, y) = world_px(lon, lat, z, 256);
            let t = TileId::new(z as u64, (x / 256.0) as u64, (y / 256.0) as u64).unwrap();
            let d = density(&layer, &f, &Window::tile(t, 1)).unwrap_or_else(|| vec![0.0; 65536]);
            d[((y as usize) % 256) * 256 + (x as usize) % 256]
        };
        // Inside the triangle, evenly; in its box's empty corner, nothing.
        let (a, b) = (at(67.0, 44.8), at(68.0, 46.0));
        assert!(a > 0.0 && (a - b).abs() / a < 0.05, "{a} {b}");
        assert_eq!(at(71.0, 48.0), 0.0);
        // Seamless: two neighbouring tiles across the hypotenuse equal one render of both.
        let (x, y) = world_px(69.0, 46.4, z, 256);
        let left = TileId::new(z as u64, (x / 256.0) as u64, (y / 256.0) as u64).unwrap();
        let right = TileId::new(z as u64, left.x as u64 + 1, left.y as u64).unwrap();
        let u = density(
            &layer,
            &f,
            &Window {
                w: 512,
                ..Window::tile(left, 1)
            },
        )
        .unwrap();
        let l = density(&layer, &f, &Window::tile(left, 1)).unwrap();
        let r = density(&layer, &f, &Window::tile(right, 1)).unwrap_or_else(|| vec![0.0; 65536]);
        for row in 0..256 {
            for col in 0..256 {
                let (ul, ur) = (u[row * 512 + col], u[row * 512 + 256 + col]);
                assert!((ul - l[row * 256 + col]).abs() <= 1e-3 * ul.abs().max(1.0));
                assert!((ur - r[row * 256 + col]).abs() <= 1e-3 * ur.abs().max(1.0));
            }
        }
    }

    #[test]
    fn the_top_of_the_ramp_is_the_densest_spot() {
        let incidents: Vec<Incident> = (0..50)
            .map(|n| inc(n, 76.93, 43.25, Category::Riot, 1))
            .chain((50..60).map(|n| inc(n, 51.2, 43.65, Category::Riot, 1)))
            .collect();
        let idx = Index::new(incidents, 1, no_areas());
        let snap = idx.snapshot();
        let all = styles();
        let style = all.get("heat").unwrap();
        let pyr = build_pyramid(&snap, style);
        let layer = Layer {
            snap: &snap,
            style,
            pyramid: Some(&pyr),
        };
        for z in [2u8, 6, 12, 17, 22] {
            let top = top_of_ramp(&layer, z);
            // 50 incidents on one spot peak at 50 (a lone point of weight 1 peaks at 1)
            assert!((top - 50.0).abs() < 0.5, "z{z}: {top}");
        }
    }
}
