//! Web Mercator (EPSG:3857) tile math for the XYZ scheme: tile ids, their bounds, and "world
//! pixel" coordinates — pixels of the whole world at a zoom, whose integer grid is the same
//! for every tile, which is what makes heat tiles line up without seams.

use crate::bbox::Bbox;

/// Highest zoom served.
pub const MAX_ZOOM: u8 = 22;
/// Web Mercator's latitude limit: the world is square at ±85.0511°.
pub const MAX_LAT: f64 = 85.051_128_779_806_59;

/// An XYZ tile: x grows east, y grows south, both in `0..2^z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TileError {
    #[error("zoom {0} is out of range: zoom levels are 0..={MAX_ZOOM}")]
    Zoom(u64),
    #[error("{axis} = {value} is out of range at zoom {z}: it must be below {limit}")]
    Coordinate {
        axis: char,
        value: u64,
        z: u8,
        limit: u64,
    },
}

impl TileId {
    /// A checked tile id.
    pub fn new(z: u64, x: u64, y: u64) -> Result<TileId, TileError> {
        if z > MAX_ZOOM as u64 {
            return Err(TileError::Zoom(z));
        }
        let z = z as u8;
        let limit = 1u64 << z;
        for (axis, value) in [('x', x), ('y', y)] {
            if value >= limit {
                return Err(TileError::Coordinate {
                    axis,
                    value,
                    z,
                    limit,
                });
            }
        }
        Ok(TileId {
            z,
            x: x as u32,
            y: y as u32,
        })
    }

    /// The tile's lon/lat bounds.
    pub fn bounds(&self) -> Bbox {
        let n = (1u64 << self.z) as f64;
        let lon = |x: f64| x / n * 360.0 - 180.0;
        let lat = |y: f64| {
            (std::f64::consts::PI * (1.0 - 2.0 * y / n))
                .sinh()
                .atan()
                .to_degrees()
        };
        Bbox {
            west: lon(self.x as f64),
            south: lat(self.y as f64 + 1.0),
            east: lon(self.x as f64 + 1.0),
            north: lat(self.y as f64),
        }
    }

    /// The parent tile, one zoom up.
    pub fn parent(&self) -> Option<TileId> {
        (self.z > 0).then(|| TileId {
            z: self.z - 1,
            x: self.x / 2,
            y: self.y / 2,
        })
    }

    /// The four children, one zoom down.
    pub fn children(&self) -> [TileId; 4] {
        let (z, x, y) = (self.z + 1, self.x * 2, self.y * 2);
        [
            TileId { z, x, y },
            TileId { z, x: x + 1, y },
            TileId { z, x, y: y + 1 },
            TileId {
                z,
                x: x + 1,
                y: y + 1,
            },
        ]
    }
}

/// Position in world pixels at zoom `z` for tiles of `tile_size` pixels. Latitudes beyond
/// Web Mercator's limit are clamped to the edge.
pub fn world_px(lon: f64, lat: f64, z: u8, tile_size: u32) -> (f64, f64) {
    let size = tile_size as f64 * (1u64 << z) as f64;
    let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    let x = (lon + 180.0) / 360.0 * size;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * size;
    (x, y)
}

/// The inverse of [`world_px`].
pub fn lon_lat(x: f64, y: f64, z: u8, tile_size: u32) -> (f64, f64) {
    let size = tile_size as f64 * (1u64 << z) as f64;
    let lon = x / size * 360.0 - 180.0;
    let lat = (std::f64::consts::PI * (1.0 - 2.0 * y / size))
        .sinh()
        .atan()
        .to_degrees();
    (lon, lat)
}

/// The lon/lat box covering a tile grown by `pad` pixels on every side (clamped to the
/// world): the incidents that can paint a tile when kernels reach `pad` pixels.
pub fn padded_bounds(t: TileId, tile_size: u32, pad: u32) -> Bbox {
    let world = tile_size as f64 * (1u64 << t.z) as f64;
    let x0 = (t.x as f64 * tile_size as f64 - pad as f64).max(0.0);
    let y0 = (t.y as f64 * tile_size as f64 - pad as f64).max(0.0);
    let x1 = ((t.x + 1) as f64 * tile_size as f64 + pad as f64).min(world);
    let y1 = ((t.y + 1) as f64 * tile_size as f64 + pad as f64).min(world);
    let (west, north) = lon_lat(x0, y0, t.z, tile_size);
    let (east, south) = lon_lat(x1, y1, t.z, tile_size);
    Bbox {
        west,
        south,
        east,
        north,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn zoom_zero_is_the_world() {
        let b = TileId::new(0, 0, 0).unwrap().bounds();
        assert!((b.west + 180.0).abs() < 1e-9 && (b.east - 180.0).abs() < 1e-9);
        assert!((b.north - MAX_LAT).abs() < 1e-9);
    }

    #[test]
    fn out_of_range_tiles_are_refused_with_a_reason() {
        assert_eq!(TileId::new(23, 0, 0).unwrap_err(), TileError::Zoom(23));
        let e = TileId::new(2, 4, 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x = 4 is out of range at zoom 2: it must be below 4"
        );
        assert!(TileId::new(22, (1 << 22) - 1, 0).is_ok());
    }

    #[test]
    fn almaty_at_zoom_six() {
        // Almaty 76.93E 43.26N lies in tile 6/45/23.
        let (x, y) = world_px(76.93, 43.26, 6, 256);
        assert_eq!(((x / 256.0) as u32, (y / 256.0) as u32), (45, 23));
    }

    proptest! {
        #[test]
        fn world_px_round_trips(lon in -180.0f64..180.0, lat in -85.0f64..85.0, z in 0u8..=22) {
            let (x, y) = world_px(lon, lat, z, 256);
            let (lo, la) = lon_lat(x, y, z, 256);
            prop_assert!((lo - lon).abs() < 1e-7 && (la - lat).abs() < 1e-7);
        }

        #[test]
        fn a_point_lies_in_the_tile_its_pixel_names(lon in -179.9f64..179.9, lat in -85.0f64..85.0, z in 0u8..=22) {
            let (x, y) = world_px(lon, lat, z, 256);
            let t = TileId::new(z as u64, (x / 256.0) as u64, (y / 256.0) as u64).unwrap();
            let b = t.bounds();
            prop_assert!(lon >= b.west - 1e-9 && lon <= b.east + 1e-9);
            prop_assert!(lat >= b.south - 1e-9 && lat <= b.north + 1e-9);
        }

        #[test]
        fn children_lie_inside_their_parent(z in 0u8..22, fx in 0.0f64..1.0, fy in 0.0f64..1.0) {
            let n = 1u64 << z;
            let t = TileId::new(z as u64, (fx * n as f64) as u64, (fy * n as f64) as u64).unwrap();
            let pb = t.bounds();
            for c in t.children() {
                prop_assert_eq!(c.parent(), Some(t));
                let cb = c.bounds();
                prop_assert!(cb.west >= pb.west - 1e-9 && cb.east <= pb.east + 1e-9);
                prop_assert!(cb.south >= pb.south - 1e-9 && cb.north <= pb.north + 1e-9);
            }
        }
    }
}
