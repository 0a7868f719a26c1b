//! Pre-aggregated point weights by zoom: what makes a heat tile cost the same at a million
//! incidents as at a thousand.
//!
//! Points are binned into world pixels at [`BASE_LEVEL`] and kept sorted by Morton code. Each
//! coarser zoom sums 2×2 bins of the next finer one; a zoom is stored only when that actually
//! shrinks the data (where points are sparse, the finer level *is* the aggregate, read with a
//! shift). Drawing a tile then reads the bins of its padded area — at most the pixels of that
//! area, whatever the number of incidents — from one or a few contiguous ranges.

use super::mercator::world_px;
use super::morton::{block_range, decode, encode};

/// The finest level: world pixels of 256-px tiles at zoom 16 (about 2.4 m at the equator).
pub const BASE_LEVEL: u8 = 16;

/// A zoom is stored when it holds at most this share of the bins of the last stored level.
const KEEP_BELOW: f64 = 0.7;

struct Level {
    z: u8,
    keys: Vec<u64>,
    weights: Vec<f32>,
}

pub struct Pyramid {
    /// Stored levels, finest first.
    levels: Vec<Level>,
    /// For each zoom 0..=BASE_LEVEL, the stored level to read (the coarsest at or below it).
    read_from: [usize; BASE_LEVEL as usize + 1],
    points: usize,
}

/// Sorted (key, weight) pairs with equal keys summed.
fn merge_sorted(keys: impl Iterator<Item = (u64, f32)>) -> (Vec<u64>, Vec<f32>) {
    let mut ks: Vec<u64> = Vec::new();
    let mut ws: Vec<f32> = Vec::new();
    for (k, w) in keys {
        match ks.last() {
            Some(&last) if last == k => *ws.last_mut().expect("same length") += w,
            _ => {
                ks.push(k);
                ws.push(w);
            }
        }
    }
    (ks, ws)
}

impl Pyramid {
    /// Bins `(lon, lat, weight)` points. Zero weights are dropped.
    pub fn build(points: impl IntoIterator<Item = (f64, f64, f32)>) -> Pyramid {
        let max = (1u64 << (BASE_LEVEL as u32 + 8)) as f64 - 1.0;
        let mut base: Vec<(u64, f32)> = points
            .into_iter()
            .filter(|p| p.2 != 0.0)
            .map(|(lon, lat, w)| {
                let (x, y) = world_px(lon, lat, BASE_LEVEL, 256);
                (
                    encode(x.clamp(0.0, max) as u32, y.clamp(0.0, max) as u32),
                    w,
                )
            })
            .collect();
        let points = base.len();
        base.sort_unstable_by_key(|p| p.0);
        let (keys, weights) = merge_sorted(base.into_iter());
        let mut levels = vec![Level {
            z: BASE_LEVEL,
            keys,
            weights,
        }];
        let mut read_from = [0usize; BASE_LEVEL as usize + 1];
        // Each zoom is aggregated from the one above it, whether or not that one was kept.
        let mut current: (Vec<u64>, Vec<f32>) = (levels[0].keys.clone(), levels[0].weights.clone());
        for z in (0..BASE_LEVEL).rev() {
            current = merge_sorted(
                current
                    .0
                    .iter()
                    .map(|k| k >> 2)
                    .zip(current.1.iter().copied()),
            );
            let last = levels.last().expect("the base level");
            if (current.0.len() as f64) <= KEEP_BELOW * last.keys.len() as f64 {
                levels.push(Level {
                    z,
                    keys: current.0.clone(),
                    weights: current.1.clone(),
                });
            }
            read_from[z as usize] = levels.len() - 1;
        }
        Pyramid {
            levels,
            read_from,
            points,
        }
    }

    /// Number of points binned.
    pub fn points(&self) -> usize {
        self.points
    }

    /// Bins kept over all stored levels.
    pub fn bins(&self) -> usize {
        self.levels.iter().map(|l| l.keys.len()).sum()
    }

    /// Calls `f(px, py, weight)` for every non-empty pixel of zoom `z` (256-px tiles) inside
    /// `[x0, x1) × [y0, y1)` (world pixels at that zoom, clamped to the world).
    pub fn for_each_bin(
        &self,
        z: u8,
        x0: i64,
        y0: i64,
        x1: i64,
        y1: i64,
        mut f: impl FnMut(u32, u32, f32),
    ) {
        assert!(
            z <= BASE_LEVEL,
            "the pyramid holds zooms up to {BASE_LEVEL}"
        );
        let world = 1i64 << (z as u32 + 8);
        let (x0, y0) = (x0.clamp(0, world), y0.clamp(0, world));
        let (x1, y1) = (x1.clamp(0, world), y1.clamp(0, world));
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        let level = &self.levels[self.read_from[z as usize]];
        let shift = (level.z - z) as u32;
        // Walk the area tile by tile: each tile is one range of codes at any finer level.
        for ty in (y0 >> 8)..=((y1 - 1) >> 8) {
            for tx in (x0 >> 8)..=((x1 - 1) >> 8) {
                let (start, end) = block_range(tx as u32, ty as u32, 8 + shift);
                let lo = level.keys.partition_point(|&k| k < start);
                let hi = level.keys.partition_point(|&k| k < end);
                for i in lo..hi {
                    let (lx, ly) = decode(level.keys[i]);
                    let (px, py) = ((lx >> shift) as i64, (ly >> shift) as i64);
                    if px >= x0 && px < x1 && py >= y0 && py < y1 {
                        f(px as u32, py as u32, level.weights[i]);
                    }
                }
            }
        }
    }

    /// The `k` heaviest pixels at zoom `z`, heaviest first: where the density peaks are.
    pub fn heaviest(&self, z: u8, k: usize) -> Vec<(u32, u32, f32)> {
        let level = &self.levels[self.read_from[z as usize]];
        let shift = 2 * (level.z - z) as u32;
        let (keys, weights) = merge_sorted(
            level
                .keys
                .iter()
                .map(|key| key >> shift)
                .zip(level.weights.iter().copied()),
        );
        let mut order: Vec<usize> = (0..keys.len()).collect();
        let k = k.min(order.len());
        if k == 0 {
            return Vec::new();
        }
        order.select_nth_unstable_by(k - 1, |&a, &b| weights[b].total_cmp(&weights[a]));
        order.truncate(k);
        order.sort_by(|&a, &b| weights[b].total_cmp(&weights[a]));
        order
            .into_iter()
            .map(|i| {
                let (x, y) = decode(keys[i]);
                (x, y, weights[i])
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive(
        points: &[(f64, f64, f32)],
        z: u8,
        x0: i64,
        y0: i64,
        x1: i64,
        y1: i64,
    ) -> std::collections::BTreeMap<(u32, u32), f32> {
        let mut m = std::collections::BTreeMap::new();
        for &(lon, lat, w) in points {
            let (x, y) = world_px(lon, lat, BASE_LEVEL, 256);
            let (px, py) = (
                (x as u64 >> (BASE_LEVEL - z)) as i64,
                (y as u64 >> (BASE_LEVEL - z)) as i64,
            );
            if px >= x0 && px < x1 && py >= y0 && py < y1 && w != 0.0 {
                *m.entry((px as u32, py as u32)).or_insert(0.0) += w;
            }
        }
        m
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Every zoom's bins equal a plain binning of the points, wherever the area lies.
        #[test]
        fn bins_match_plain_binning(
            pts in proptest::collection::vec((60.0f64..80.0, 40.0f64..50.0, 0.5f32..3.0), 0..300),
            cluster in proptest::collection::vec((-0.01f64..0.01, -0.01f64..0.01), 0..300),
            z in 0u8..=16, fx in 0.0f64..1.0, fy in 0.0f64..1.0, w in 1i64..600, h in 1i64..600,
        ) {
            let mut all = pts.clone();
            all.extend(cluster.iter().map(|&(dx, dy)| (76.9 + dx, 43.25 + dy, 1.0)));
            let p = Pyramid::build(all.iter().copied());
            // an area around a random point of the data, or anywhere when there is none
            let (cx, cy) = all.first().map(|&(lon, lat, _)| {
                let (x, y) = world_px(lon, lat, z, 256);
                (x as i64, y as i64)
            }).unwrap_or(((fx * 256.0) as i64, (fy * 256.0) as i64));
            let (x0, y0) = (cx - (fx * w as f64) as i64, cy - (fy * h as f64) as i64);
            let want = naive(&all, z, x0, y0, x0 + w, y0 + h);
            let mut got = std::collections::BTreeMap::new();
            p.for_each_bin(z, x0, y0, x0 + w, y0 + h, |x, y, v| { *got.entry((x, y)).or_insert(0.0f32) += v; });
            prop_assert_eq!(got.len(), want.len());
            for (k, v) in want {
                prop_assert!((got[&k] - v).abs() < 1e-3, "{:?}: {} vs {}", k, got[&k], v);
            }
        }
    }

    #[test]
    fn dense_data_is_aggregated_and_sparse_data_is_not_copied() {
        let dense: Vec<(f64, f64, f32)> = (0..10_000)
            .map(|i| {
                (
                    76.9 + (i % 100) as f64 * 1e-4,
                    43.2 + (i / 100) as f64 * 1e-4,
                    1.0,
                )
            })
            .collect();
        let p = Pyramid::build(dense);
        assert_eq!(p.points(), 10_000);
        assert!(p.levels.len() > 3, "coarser zooms compress the cluster");
        let top = p.heaviest(4, 10);
        assert!(
            top.len() <= 4,
            "at zoom 4 the cluster falls in at most 2×2 pixels"
        );
        assert_eq!(top.iter().map(|t| t.2).sum::<f32>(), 10_000.0);
        assert!(top.windows(2).all(|w| w[0].2 >= w[1].2), "heaviest first");
    }
}
