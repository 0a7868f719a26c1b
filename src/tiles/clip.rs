//! Clipping a ring to an axis-aligned box (Sutherland–Hodgman): what of a country's outline
//! a tile needs, found in one pass over its vertices before anything costlier (projection,
//! simplification) touches them.
//!
//! The result of a concave ring may run along the box's edges where the ring left and came
//! back; filled, it covers exactly the ring's part inside the box (tested against `geo`'s
//! boolean intersection below), which is all a tile's fill needs.

use geo::{Coord, LineString};

/// One edge of the box: which side of it is inside, where a segment crosses it, and its
/// coordinate.
type Edge = (
    fn(Coord<f64>, f64) -> bool,
    fn(Coord<f64>, Coord<f64>, f64) -> Coord<f64>,
    f64,
);

/// The part of a closed ring inside `[x0, x1] × [y0, y1]`, closed; empty when none is.
pub fn clip_ring(ring: &LineString<f64>, [x0, y0, x1, y1]: [f64; 4]) -> LineString<f64> {
    let mut pts: Vec<Coord<f64>> = ring.0.clone();
    if pts.first() == pts.last() {
        pts.pop();
    }
    // One pass per edge of the box: keep what is inside it, cut where a segment crosses.
    let edges: [Edge; 4] = [
        (|p, v| p.x >= v, cut_x, x0),
        (|p, v| p.x <= v, cut_x, x1),
        (|p, v| p.y >= v, cut_y, y0),
        (|p, v| p.y <= v, cut_y, y1),
    ];
    for (inside, cut, v) in edges {
        if pts.is_empty() {
            break;
        }
        let mut out = Vec::with_capacity(pts.len() + 4);
        let mut prev = *pts.last().expect("not empty");
        for &p in &pts {
            match (inside(prev, v), inside(p, v)) {
                (true, true) => out.push(p),
                (true, false) => out.push(cut(prev, p, v)),
                (false, true) => {
                    out.push(cut(prev, p, v));
                    out.push(p);
                }
                (false, false) => {}
            }
            prev = p;
        }
        pts = out;
    }
    if pts.len() < 3 {
        return LineString::new(Vec::new());
    }
    pts.push(pts[0]);
    LineString::new(pts)
}

/// Where the segment a–b crosses the vertical line x = v.
fn cut_x(a: Coord<f64>, b: Coord<f64>, v: f64) -> Coord<f64> {
    let t = (v - a.x) / (b.x - a.x);
    Coord {
        x: v,
        y: a.y + t * (b.y - a.y),
    }
}

/// Where the segment a–b crosses the horizontal line y = v.
fn cut_y(a: Coord<f64>, b: Coord<f64>, v: f64) -> Coord<f64> {
    let t = (v - a.y) / (b.y - a.y);
    Coord {
        x: a.x + t * (b.x - a.x),
        y: v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, BooleanOps, Polygon, Rect};
    use proptest::prelude::*;

    #[test]
    fn a_square_half_out_keeps_its_inner_half() {
        let ring = LineString::from(vec![
            (0.0, 0.0),
            (10.0, 0.0),
            (10.0, 10.0),
            (0.0, 10.0),
            (0.0, 0.0),
        ]);
        let c = clip_ring(&ring, [5.0, -1.0, 20.0, 20.0]);
        assert_eq!(Polygon::new(c, vec![]).unsigned_area(), 50.0);
        assert!(clip_ring(&ring, [20.0, 20.0, 30.0, 30.0]).0.is_empty());
    }

    proptest! {
        /// For star-shaped rings (concave ones included), the clipped ring covers what
        /// geo's boolean intersection with the box covers.
        #[test]
        fn clipping_covers_the_intersection(
            radii in proptest::collection::vec(1.0f64..10.0, 3..40),
            bx in (-12.0f64..8.0, -12.0f64..8.0, 1.0f64..15.0, 1.0f64..15.0),
        ) {
            let n = radii.len();
            let mut pts: Vec<(f64, f64)> = radii.iter().enumerate().map(|(k, r)| {
                let a = k as f64 / n as f64 * std::f64::consts::TAU;
                (r * a.cos(), r * a.sin())
            }).collect();
            pts.push(pts[0]);
            let ring = LineString::from(pts);
            let (x0, y0, w, h) = bx;
            let clipped = clip_ring(&ring, [x0, y0, x0 + w, y0 + h]);
            let ours = Polygon::new(clipped, vec![]).unsigned_area();
            let rect = Rect::new((x0, y0), (x0 + w, y0 + h)).to_polygon();
            let theirs = Polygon::new(ring, vec![]).intersection(&rect).unsigned_area();
            prop_assert!((ours - theirs).abs() <= 1e-6 * theirs.max(1.0), "{} vs {}", ours, theirs);
        }
    }
}
