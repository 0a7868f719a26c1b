//! The outlines of countries and first-level regions (`gazetteer/outlines.tsv`: Natural
//! Earth's, cut at the antimeridian and simplified to about 1 km by the gazetteer build), and
//! which of them contain a point.
//!
//! Simplified separately, neighbouring regions can overlap or leave slivers along their
//! borders (up to ~1 km): a point there is in the first outline found, or in none (the
//! caller falls back to the nearest settlement, [`super::areas`]).

use geo::{BoundingRect, MultiPolygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::data::DataError;
use crate::bands::Bands;

/// An outline's box in the tree, with the outline's index.
type Entry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// Outlines by place (the index of the place in the gazetteer).
#[derive(Default)]
pub struct Outlines {
    shapes: Vec<(u32, MultiPolygon<f64>)>,
    /// The same outlines' edges in horizontal bands, for point-in-outline tests.
    banded: Vec<Bands>,
    /// Each place's outline, by place.
    by_place: std::collections::HashMap<u32, u32>,
    tree: RTree<Entry>,
}

/// An outline's edges, for [`Bands`].
fn edges(shape: &MultiPolygon<f64>) -> impl Iterator<Item = [f64; 4]> + '_ {
    shape
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|ring| ring.lines())
        .map(|l| [l.start.x, l.start.y, l.end.x, l.end.y])
}

impl Outlines {
    /// Reads `id \t kind \t GeoJSON geometry` lines; `place` maps a gazetteer id to its
    /// index (outlines of places the gazetteer lacks are skipped).
    pub fn parse(
        file: &str,
        text: &str,
        place: impl Fn(u64) -> Option<u32>,
    ) -> Result<Outlines, DataError> {
        let mut shapes = Vec::new();
        for (n, line) in text.lines().enumerate().skip(1) {
            let bad = |why: String| DataError::Parse {
                file: file.to_string(),
                line: n + 1,
                message: why,
            };
            let mut cols = line.splitn(3, '\t');
            let (Some(id), Some(_kind), Some(json)) = (cols.next(), cols.next(), cols.next())
            else {
                return Err(bad("expected id, kind and geometry".into()));
            };
            let id: u64 = id.parse().map_err(|_| bad(format!("bad id {id:?}")))?;
            let Some(at) = place(id) else { continue };
            let g: geojson::Geometry =
                serde_json::from_str(json).map_err(|e| bad(format!("geometry: {e}")))?;
            let shape = MultiPolygon::<f64>::try_from(g.value)
                .map_err(|e| bad(format!("not a multipolygon: {e}")))?;
            shapes.push((at, shape));
        }
        let tree = RTree::bulk_load(
            shapes
                .iter()
                .enumerate()
                .filter_map(|(k, (_, s))| {
                    let r = s.bounding_rect()?;
                    let rect =
                        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                    Some(GeomWithData::new(rect, k as u32))
                })
                .collect(),
        );
        let banded = shapes.iter().map(|(_, s)| Bands::new(edges(s))).collect();
        let by_place = shapes
            .iter()
            .enumerate()
            .map(|(k, (place, _))| (*place, k as u32))
            .collect();
        Ok(Outlines {
            shapes,
            banded,
            by_place,
            tree,
        })
    }

    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }

    /// The places whose outline contains the point.
    pub fn containing(&self, lon: f64, lat: f64) -> impl Iterator<Item = u32> + '_ {
        self.tree
            .locate_in_envelope_intersecting(AABB::from_point([lon, lat]))
            .map(|e| e.data as usize)
            .filter(move |&k| self.banded[k].contains(lon, lat))
            .map(|k| self.shapes[k].0)
    }

    /// A place's outline, if it has one.
    pub fn of(&self, place: u32) -> Option<&MultiPolygon<f64>> {
        self.by_place
            .get(&place)
            .map(|&k| &self.shapes[k as usize].1)
    }

    /// The outlines whose box meets a box (west, south, east, north), with their places.
    pub fn intersecting(
        &self,
        [west, south, east, north]: [f64; 4],
    ) -> impl Iterator<Item = (u32, &MultiPolygon<f64>)> {
        self.tree
            .locate_in_envelope_intersecting(AABB::from_corners([west, south], [east, north]))
            .map(|e| &self.shapes[e.data as usize])
            .map(|(place, s)| (*place, s))
    }

    /// Every outline, with its place.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &MultiPolygon<f64>)> {
        self.shapes.iter().map(|(place, s)| (*place, s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "id\tkind\tgeometry\n\
        1\tcountry\t{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[10,0],[10,10],[0,10],[0,0]]]]}\n\
        2\tregion\t{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[5,0],[5,5],[0,5],[0,0]]],[[[8,8],[9,8],[9,9],[8,9],[8,8]]]]}\n\
        3\tregion\t{\"type\":\"MultiPolygon\",\"coordinates\":[[[[170,0],[180,0],[180,5],[170,5],[170,0]]]]}\n";

    #[test]
    fn points_are_in_the_outlines_that_hold_them() {
        // Place 3 is not in this gazetteer: skipped.
        let o = Outlines::parse("t", TEXT, |id| (id < 3).then_some(id as u32 * 10)).unwrap();
        assert_eq!(o.len(), 2);
        let at = |lon, lat| {
            let mut v: Vec<u32> = o.containing(lon, lat).collect();
            v.sort();
            v
        };
        assert_eq!(at(2.0, 2.0), [10, 20]);
        assert_eq!(at(7.0, 2.0), [10]);
        assert_eq!(at(8.5, 8.5), [10, 20]); // the region's second part
        assert_eq!(at(20.0, 2.0), Vec::<u32>::new());
        assert!(o.of(20).is_some() && o.of(30).is_none());
    }

    proptest::proptest! {
        /// The banded test agrees with geo's `Contains` on an irregular outline with a hole
        /// (away from the edges, where either answer is right).
        #[test]
        fn bands_agree_with_geo(x in -1.0f64..11.0, y in -1.0f64..11.0) {
            use geo::{Contains, Distance, Euclidean, Point};
            let outer: Vec<(f64, f64)> = (0..200)
                .map(|k| {
                    let a = k as f64 / 200.0 * std::f64::consts::TAU;
                    let r = 4.0 + (7.0 * a).sin() + 0.5 * (13.0 * a).cos();
                    (5.0 + r * a.cos(), 5.0 + r * a.sin())
                })
                .collect();
            let hole: Vec<(f64, f64)> = vec![(4.5, 4.5), (5.5, 4.5), (5.5, 5.5), (4.5, 5.5)];
            let shape = MultiPolygon(vec![geo::Polygon::new(outer.into(), vec![hole.into()])]);
            let p = Point::new(x, y);
            let border: geo::MultiLineString<f64> = shape
                .iter()
                .flat_map(|q| std::iter::once(q.exterior().clone()).chain(q.interiors().iter().cloned()))
                .collect();
            proptest::prop_assume!(Euclidean.distance(&p, &border) > 1e-9);
            proptest::prop_assert_eq!(Bands::new(edges(&shape)).contains(x, y), shape.contains(&p));
        }
    }

    #[test]
    fn bad_lines_name_the_file_and_line() {
        let e = Outlines::parse(
            "o.tsv",
            "id\tkind\tgeometry\n1\tcountry\t{\"type\":\"Point\",\"coordinates\":[1,2]}\n",
            |_| Some(0),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.starts_with("o.tsv:2: not a multipolygon"), "{e}");
    }
}
