//! Heat-map raster tiles: XYZ PNGs rendered from the index.
//!
//! - [`mercator`]: tile ids and Web Mercator pixel math;
//! - [`heat`]: binning and blurring on a padded grid;
//! - [`style`]: the styles in `styles/` and their palettes;
//! - [`png`]: indexed PNG encoding.
//!
//! [`render`] ties them together; it is pure and synchronous (the HTTP layer runs it on the
//! blocking pool).

pub mod heat;
pub mod mercator;
pub mod png;
pub mod style;

use crate::bbox::Bbox;
use crate::filter::Filter;
use crate::spatial::Snapshot;
use mercator::{TileId, padded_bounds, world_px};
use style::{Areas, Style};

/// One tile to draw.
pub struct TileRequest<'a> {
    pub tile: TileId,
    /// 1 for 256-px tiles, 2 for 512-px (`@2x`) tiles of the same geography.
    pub scale: u32,
    pub style: &'a Style,
    /// The request's filters (time, categories); the style's own filter is added here.
    pub filter: &'a Filter,
}

impl TileRequest<'_> {
    pub fn size(&self) -> u32 {
        256 * self.scale
    }

    /// The Gaussian's standard deviation in pixels: the style's radius is where the kernel
    /// has faded to nothing, three sigmas out.
    pub fn sigma(&self) -> f32 {
        self.style.radius_at(self.tile.z) * self.scale as f32 / 3.0
    }
}

/// Renders one tile. `Ok(None)` means no incident paints it: the caller answers with the
/// shared empty tile.
pub fn render(snap: &Snapshot, req: &TileRequest) -> Result<Option<Vec<u8>>, png::PngError> {
    let density = match density(snap, req) {
        Some(d) => d,
        None => return Ok(None),
    };
    let max = req.style.max;
    let mut any = false;
    let indices: Vec<u8> = density
        .iter()
        .map(|&d| {
            let i = ((d / max).clamp(0.0, 1.0) * 255.0).round() as u8;
            any |= i > 0;
            i
        })
        .collect();
    if !any {
        return Ok(None);
    }
    png::encode_indexed(&indices, req.size(), &req.style.palette).map(Some)
}

/// The tile's densities (row-major, `size`²), or `None` when nothing reaches it.
pub fn density(snap: &Snapshot, req: &TileRequest) -> Option<Vec<f32>> {
    let style = req.style;
    let z = req.tile.z;
    if z < style.minzoom || z > style.maxzoom {
        return None;
    }
    let size = req.size();
    let sigma = req.sigma();
    let pad = heat::reach(sigma);
    let tile_size = size as f64;
    let x0 = req.tile.x as f64 * tile_size;
    let y0 = req.tile.y as f64 * tile_size;

    let mut filter = req.filter.clone();
    filter.categories = match (filter.categories, style.categories) {
        (Some(a), Some(b)) => Some(a.iter().filter(|c| b.contains(*c)).collect()),
        (a, b) => a.or(b),
    };
    let reach_box = padded_bounds(req.tile, size, pad as u32);
    filter.bbox = Some(reach_box);

    let mut canvas = heat::Canvas::new(x0, y0, size as usize, pad);
    let mut painted = false;
    snap.for_each(&filter, |i| {
        if i.precision.is_area() {
            return; // drawn below from their area, or not at all
        }
        let w = style.weight_of(i);
        if w > 0.0 {
            let (x, y) = world_px(i.lon, i.lat, z, size);
            canvas.add_point(x, y, w);
            painted = true;
        }
    });
    if style.areas == Areas::Spread {
        let attributes = Filter {
            bbox: None,
            ..filter
        };
        snap.for_each_area(&reach_box, &attributes, |i, area| {
            let w = style.weight_of(i);
            if w > 0.0 {
                spread(&mut canvas, area, w, z, size);
                painted = true;
            }
        });
    }
    painted.then(|| canvas.finish(sigma))
}

/// Spreads `w` evenly over an area's box, in proportion to pixel area when the box crosses the
/// antimeridian and so comes in two parts.
fn spread(canvas: &mut heat::Canvas, area: &Bbox, w: f32, z: u8, size: u32) {
    let rects: Vec<(f64, f64, f64, f64)> = area
        .parts()
        .iter()
        .map(|p| {
            let (x0, y0) = world_px(p.west, p.north, z, size);
            let (x1, y1) = world_px(p.east, p.south, z, size);
            (x0, y0, x1.max(x0 + 1.0), y1.max(y0 + 1.0))
        })
        .collect();
    let total: f64 = rects.iter().map(|r| (r.2 - r.0) * (r.3 - r.1)).sum();
    for r in rects {
        let share = ((r.2 - r.0) * (r.3 - r.1) / total) as f32;
        canvas.add_rect(r.0, r.1, r.2, r.3, w * share);
    }
}
