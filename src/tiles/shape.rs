//! An area's outline in Web Mercator, for spreading a region- or country-level incident's
//! weight evenly over the area's shape rather than its box.
//!
//! A world pixel belongs to the shape when its centre does (even-odd rule), decided row by
//! row from the outline's edges, so the same pixel gets the same answer in every tile and
//! tiles stay seamless. Each pixel in the shape gets the weight divided by the shape's area
//! in pixels at that zoom, so the area's total is kept (up to the pixels cut by its edges).

use geo::{Area as _, MultiPolygon};

use super::mercator;
use crate::bands::Bands;

/// The rings of an outline in unit Web Mercator coordinates (x right, y down, the world is
/// the unit square), and its area there.
#[derive(Debug, Clone)]
pub struct Shape {
    /// The rings' edges, for the crossings of a row.
    bands: Bands,
    /// The northernmost and southernmost y of the edges.
    north: f64,
    south: f64,
    /// Area in the unit square.
    area: f64,
}

/// Unit Web Mercator coordinates of a longitude and latitude: a world one pixel wide.
fn unit(lon: f64, lat: f64) -> (f64, f64) {
    mercator::world_px(lon, lat, 0, 1)
}

impl Shape {
    /// Projects an outline given in longitude and latitude (within -180..180). `None` for an
    /// outline with no area.
    pub fn new(outline: &MultiPolygon<f64>) -> Option<Shape> {
        let mut edges = Vec::new();
        let mut area = 0.0;
        let (mut north, mut south) = (f64::MAX, f64::MIN);
        for poly in outline {
            let mut projected = Vec::new();
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                let pts: Vec<(f64, f64)> = ring.coords().map(|c| unit(c.x, c.y)).collect();
                for w in pts.windows(2) {
                    let ((x0, y0), (x1, y1)) = (w[0], w[1]);
                    (north, south) = (north.min(y0), south.max(y0));
                    if y0 != y1 {
                        edges.push([x0, y0, x1, y1]);
                    }
                }
                projected.push(geo::LineString::from(pts));
            }
            let mut rings = projected.into_iter();
            let exterior = rings.next()?;
            area += geo::Polygon::new(exterior, rings.collect()).unsigned_area();
        }
        (area > 0.0 && !edges.is_empty()).then(|| Shape {
            bands: Bands::new(edges),
            north,
            south,
            area,
        })
    }

    /// The shape's area in pixels of a world `size` pixels wide.
    pub fn pixels(&self, size: f64) -> f64 {
        self.area * size * size
    }

    /// The spans of pixel row `row` (of a world `size` pixels wide) inside the shape, as
    /// half-open pixel column ranges, left to right.
    pub fn spans(&self, row: i64, size: f64, out: &mut Vec<(i64, i64)>) {
        out.clear();
        let mut xs = Vec::new();
        self.bands.crossings((row as f64 + 0.5) / size, &mut xs);
        xs.iter_mut().for_each(|x| *x *= size);
        xs.sort_by(f64::total_cmp);
        // Pixel x is in when its centre x + 0.5 lies between a pair of crossings.
        for pair in xs.chunks_exact(2) {
            let (a, b) = ((pair[0] - 0.5).ceil() as i64, (pair[1] - 0.5).ceil() as i64);
            if a < b {
                out.push((a, b));
            }
        }
    }

    /// The rows the shape can have pixels in, for a world `size` pixels wide.
    pub fn rows(&self, size: f64) -> (i64, i64) {
        (
            (self.north * size - 0.5).floor() as i64,
            (self.south * size + 0.5).ceil() as i64,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{MultiPolygon, polygon};

    fn square(w: f64, s: f64, e: f64, n: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: w, y: s), (x: e, y: s), (x: e, y: n), (x: w, y: n), (x: w, y: s)
        ]])
    }

    fn count(shape: &Shape, size: f64) -> i64 {
        let (r0, r1) = shape.rows(size);
        let mut spans = Vec::new();
        let mut n = 0;
        for r in r0..r1 {
            shape.spans(r, size, &mut spans);
            n += spans.iter().map(|(a, b)| b - a).sum::<i64>();
        }
        n
    }

    #[test]
    fn the_pixels_inside_match_the_area() {
        // A triangle in Kazakhstan and a square with a hole.
        let tri = MultiPolygon(vec![
            polygon![(x: 60.0, y: 40.0), (x: 80.0, y: 42.0), (x: 70.0, y: 52.0), (x: 60.0, y: 40.0)],
        ]);
        let holed = MultiPolygon(vec![geo::Polygon::new(
            square(10.0, 10.0, 20.0, 20.0).0[0].exterior().clone(),
            vec![square(12.0, 12.0, 14.0, 14.0).0[0].exterior().clone()],
        )]);
        for shape in [tri, holed] {
            let s = Shape::new(&shape).unwrap();
            for z in [6u32, 8, 10] {
                let size = 256.0 * (1u64 << z) as f64;
                let (n, want) = (count(&s, size) as f64, s.pixels(size));
                assert!(
                    (n - want).abs() / want < 0.02,
                    "z{z}: {n} pixels, area {want}"
                );
            }
        }
    }

    #[test]
    fn a_pixel_is_in_or_out_whatever_the_window() {
        // Spans depend only on the row and the world size: any tile asks the same question.
        let s = Shape::new(&square(-3.3, 50.1, 7.7, 54.9)).unwrap();
        let size = 256.0 * 64.0;
        let (r0, r1) = s.rows(size);
        let mut a = Vec::new();
        let mut b = Vec::new();
        for r in r0..r1 {
            s.spans(r, size, &mut a);
            s.spans(r, size, &mut b);
            assert_eq!(a, b);
            for &(x0, x1) in &a {
                // The edge pixels' centres are inside, their outer neighbours' are not.
                let lon = |x: i64| (x as f64 + 0.5) / size * 360.0 - 180.0;
                assert!(lon(x0) > -3.3 && lon(x1 - 1) < 7.7);
                assert!(lon(x0 - 1) < -3.3 && lon(x1) > 7.7);
            }
        }
    }

    #[test]
    fn nothing_for_an_outline_without_area() {
        assert!(Shape::new(&MultiPolygon(vec![])).is_none());
    }
}
