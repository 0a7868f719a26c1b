//! Longitude/latitude boxes (CRS84), including boxes that cross the antimeridian.
//!
//! RFC 7946 and OGC API – Features write a box as west, south, east, north; when west > east
//! the box crosses 180°. Everything that filters by box goes through [`Bbox::parts`], so the
//! antimeridian is handled in exactly one place.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{0}")]
pub struct BboxError(pub String);

impl Bbox {
    /// A box, checked: finite numbers, longitudes in -180..180, latitudes in -90..90,
    /// south ≤ north. west > east is allowed and means the box crosses the antimeridian.
    pub fn new(west: f64, south: f64, east: f64, north: f64) -> Result<Bbox, BboxError> {
        for (name, v) in [
            ("west", west),
            ("south", south),
            ("east", east),
            ("north", north),
        ] {
            if !v.is_finite() {
                return Err(BboxError(format!("{name} is not a finite number")));
            }
        }
        for (name, v) in [("west", west), ("east", east)] {
            if !(-180.0..=180.0).contains(&v) {
                return Err(BboxError(format!(
                    "{name} longitude {v} is outside -180..180"
                )));
            }
        }
        for (name, v) in [("south", south), ("north", north)] {
            if !(-90.0..=90.0).contains(&v) {
                return Err(BboxError(format!("{name} latitude {v} is outside -90..90")));
            }
        }
        if south > north {
            return Err(BboxError(format!(
                "south latitude {south} is greater than north latitude {north}"
            )));
        }
        Ok(Bbox {
            west,
            south,
            east,
            north,
        })
    }

    /// The whole world.
    pub const WORLD: Bbox = Bbox {
        west: -180.0,
        south: -90.0,
        east: 180.0,
        north: 90.0,
    };

    /// Parses `minLon,minLat,maxLon,maxLat` (or the 6-number 3-D form, whose heights are
    /// ignored). Numbers may be in any decimal form, including exponents: GDAL writes them
    /// with `%.18g`.
    pub fn parse(s: &str) -> Result<Bbox, BboxError> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        let nums = parts
            .iter()
            .map(|p| {
                p.parse::<f64>()
                    .map_err(|_| BboxError(format!("{p:?} is not a number")))
            })
            .collect::<Result<Vec<f64>, _>>()?;
        match nums[..] {
            [w, s, e, n] => Bbox::new(w, s, e, n),
            [w, s, _, e, n, _] => Bbox::new(w, s, e, n),
            _ => Err(BboxError(format!(
                "expected 4 numbers (minLon,minLat,maxLon,maxLat), got {}",
                nums.len()
            ))),
        }
    }

    /// The box grown by `d` degrees on every side, clamped to the world (a box that crosses
    /// the antimeridian still does).
    pub fn padded(&self, d: f64) -> Bbox {
        Bbox {
            west: (self.west - d).max(-180.0),
            south: (self.south - d).max(-90.0),
            east: (self.east + d).min(180.0),
            north: (self.north + d).min(90.0),
        }
    }

    pub fn crosses_antimeridian(&self) -> bool {
        self.west > self.east
    }

    /// Whether two boxes share a point, either of them possibly crossing the antimeridian.
    pub fn meets(&self, other: &Bbox) -> bool {
        let overlaps = |a: &Bbox, b: &Bbox| {
            a.west <= b.east && b.west <= a.east && a.south <= b.north && b.south <= a.north
        };
        let theirs = other.parts();
        self.parts()
            .iter()
            .any(|a| theirs.iter().any(|b| overlaps(a, b)))
    }

    /// The box as one or two boxes that do not cross the antimeridian.
    pub fn parts(&self) -> Vec<Bbox> {
        if self.crosses_antimeridian() {
            vec![
                Bbox {
                    east: 180.0,
                    ..*self
                },
                Bbox {
                    west: -180.0,
                    ..*self
                },
            ]
        } else {
            vec![*self]
        }
    }

    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        let in_lat = lat >= self.south && lat <= self.north;
        let in_lon = if self.crosses_antimeridian() {
            lon >= self.west || lon <= self.east
        } else {
            lon >= self.west && lon <= self.east
        };
        in_lat && in_lon
    }

    /// Width in degrees of longitude, going east from west.
    pub fn width(&self) -> f64 {
        if self.crosses_antimeridian() {
            self.east + 360.0 - self.west
        } else {
            self.east - self.west
        }
    }

    pub fn height(&self) -> f64 {
        self.north - self.south
    }

    /// The smallest box holding both (for extents). Never produces an antimeridian-crossing
    /// box: extents are computed from points.
    pub fn union_point(b: Option<Bbox>, lon: f64, lat: f64) -> Bbox {
        match b {
            None => Bbox {
                west: lon,
                south: lat,
                east: lon,
                north: lat,
            },
            Some(b) => Bbox {
                west: b.west.min(lon),
                south: b.south.min(lat),
                east: b.east.max(lon),
                north: b.north.max(lat),
            },
        }
    }
}

impl fmt::Display for Bbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{},{},{},{}",
            self.west, self.south, self.east, self.north
        )
    }
}

/// A bbox written latitude first (EPSG:4326: `minLat,minLon,maxLat,maxLon`, or with heights
/// after each corner) rewritten longitude first, as [`Bbox::parse`] reads it. Text that is
/// not 4 or 6 comma-separated parts is returned as it is, for the parser to name the fault.
pub fn swap_axis_order(text: &str) -> String {
    let p: Vec<&str> = text.split(',').map(str::trim).collect();
    match p[..] {
        [a, b, c, d] => [b, a, d, c].join(","),
        [a, b, h1, c, d, h2] => [b, a, h1, d, c, h2].join(","),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latitude_first_boxes_are_read_longitude_first() {
        assert_eq!(
            swap_axis_order("43.1, 76.7,43.45,77.2"),
            "76.7,43.1,77.2,43.45"
        );
        assert_eq!(swap_axis_order("1,2,0,3,4,9"), "2,1,0,4,3,9");
        assert_eq!(swap_axis_order("1,2,3"), "1,2,3");
        let b = Bbox::parse(&swap_axis_order("43.1,76.7,43.45,77.2")).unwrap();
        assert_eq!(
            (b.west, b.south, b.east, b.north),
            (76.7, 43.1, 77.2, 43.45)
        );
    }
    use proptest::prelude::*;

    #[test]
    fn parses_plain_and_gdal_forms() {
        let b = Bbox::parse("76.7,43.1,77.2,43.4").unwrap();
        assert_eq!(b.west, 76.7);
        let g = Bbox::parse("7.6700000000000003e+01,4.31e1,77.2,43.4").unwrap();
        assert_eq!(g.west, 76.7);
        assert_eq!(g.south, 43.1);
        let six = Bbox::parse("1,2,0,3,4,100").unwrap();
        assert_eq!((six.east, six.north), (3.0, 4.0));
    }

    #[test]
    fn rejects_bad_boxes_with_a_reason() {
        for (s, needle) in [
            ("1,2,3", "expected 4 numbers"),
            ("a,2,3,4", "not a number"),
            ("0,10,1,5", "greater than north"),
            ("0,0,200,1", "outside -180..180"),
            ("0,-91,1,1", "outside -90..90"),
            ("NaN,0,1,1", "finite"),
            ("inf,0,1,1", "finite"),
            ("", "not a number"),
        ] {
            let e = Bbox::parse(s).unwrap_err();
            assert!(e.0.contains(needle), "{s}: {e}");
        }
    }

    #[test]
    fn antimeridian_boxes_split_in_two() {
        let b = Bbox::parse("170,-20,-170,-10").unwrap();
        assert!(b.crosses_antimeridian());
        assert_eq!(b.parts().len(), 2);
        assert!(b.contains(175.0, -15.0));
        assert!(b.contains(-175.0, -15.0));
        assert!(!b.contains(0.0, -15.0));
        assert!((b.width() - 20.0).abs() < 1e-9);
    }

    proptest! {
        #[test]
        fn contains_agrees_with_parts(
            w in -180.0f64..180.0, e in -180.0f64..180.0,
            s in -90.0f64..0.0, n in 0.0f64..90.0,
            lon in -180.0f64..180.0, lat in -90.0f64..90.0,
        ) {
            let b = Bbox::new(w, s, e, n).unwrap();
            let in_parts = b.parts().iter().any(|p| p.contains(lon, lat));
            prop_assert_eq!(b.contains(lon, lat), in_parts);
        }

        #[test]
        fn display_round_trips(
            w in -180.0f64..180.0, e in -180.0f64..180.0,
            s in -90.0f64..0.0, n in 0.0f64..90.0,
        ) {
            let b = Bbox::new(w, s, e, n).unwrap();
            prop_assert_eq!(Bbox::parse(&b.to_string()).unwrap(), b);
        }
    }
}
