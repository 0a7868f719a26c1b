//! Pre-aggregated point weights by zoom, day and category: what makes a heat tile cost the
//! same at a million incidents as at a thousand — with a time window and a set of categories
//! as much as without.
//!
//! Points are binned into world pixels at [`BASE_LEVEL`] and kept sorted by Morton code. Each
//! coarser zoom sums 2×2 bins of the next finer one; a zoom is stored only when that actually
//! shrinks the data (where points are sparse, the finer level *is* the aggregate, read with a
//! shift). Drawing a tile then reads the bins of its padded area — at most the pixels of that
//! area, whatever the number of incidents — from one or a few contiguous ranges.
//!
//! Every pixel keeps its total (what an unfiltered tile reads) and, per category present, a
//! *run*: the days on which it has weight, ascending, with the weight accumulated over the
//! run. The weight of any range of days is then two binary searches and a subtraction, so a
//! filtered tile costs a few operations per (pixel, category) whatever the length of the
//! window — a day or the whole record. Windows that do not start and end on UTC day
//! boundaries are the caller's to finish: it adds the incidents of the two partial days one
//! by one ([`super::density`]).

use super::area_sums::AreaSums;
use super::mercator::world_px;
use super::morton::{block_range, decode, encode};

/// The finest level: world pixels of 256-px tiles at zoom 16 (about 2.4 m at the equator).
pub const BASE_LEVEL: u8 = 16;

/// A zoom is stored when it holds at most this share of the runs of the last stored level
/// (runs are what a filtered tile reads).
const KEEP_BELOW: f64 = 0.7;

/// Milliseconds in a UTC day.
pub const DAY_MS: i64 = 86_400_000;

/// The UTC day (since the Unix epoch) of an instant in milliseconds: what the pyramid's sums
/// are kept by.
pub fn day_of(ms: i64) -> i32 {
    ms.div_euclid(DAY_MS) as i32
}

/// One point to bin: where, how heavy, which category (0..16), and when: the first and last
/// millisecond (Unix epoch) of a span of at most one UTC day — an instant, or a whole day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lon: f64,
    pub lat: f64,
    pub weight: f32,
    pub class: u8,
    pub start_ms: i64,
    pub end_ms: i64,
}

impl Point {
    fn day(&self) -> i32 {
        day_of(self.start_ms)
    }
}

/// The points themselves, by day and, within a day, by pixel (Morton code at [`BASE_LEVEL`]):
/// a window that starts or ends inside a day reads that day's points in a tile's area from
/// here, a binary search away, instead of every incident of the day.
#[derive(Default)]
struct Days {
    days: Vec<i32>,
    /// Points of `days[i]`: `start[i]..start[i + 1]`.
    start: Vec<u32>,
    key: Vec<u64>,
    class: Vec<u8>,
    weight: Vec<f32>,
    /// First and last millisecond, from the start of the day.
    from: Vec<u32>,
    to: Vec<u32>,
}

impl Days {
    fn bytes(&self) -> usize {
        self.days.len() * 4 + self.start.len() * 4 + self.key.len() * (8 + 1 + 4 + 4 + 4)
    }
}

/// Which part of the weight to read: the categories in `classes` (a bit per category) and the
/// days in `days` (inclusive; `None` for all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slice {
    pub classes: u16,
    pub days: Option<(i32, i32)>,
}

/// One zoom's bins. Pixels, their runs and the runs' days are three levels of one sorted
/// list, each indexing into the next (a CSR layout: no per-pixel allocation).
struct Level {
    z: u8,
    keys: Vec<u64>,
    totals: Vec<f32>,
    /// Runs of pixel `i`: `run_start[i]..run_start[i + 1]`.
    run_start: Vec<u32>,
    run_class: Vec<u8>,
    /// Days of run `r`: `day_start[r]..day_start[r + 1]`.
    day_start: Vec<u32>,
    days: Vec<i32>,
    /// Weight of the run up to and including this day.
    cumulative: Vec<f32>,
}

impl Level {
    /// Builds a level from entries sorted by (key, class, day), equal ones merged.
    fn from_sorted(z: u8, entries: &[(u64, u8, i32, f32)]) -> Level {
        let mut l = Level {
            z,
            keys: Vec::new(),
            totals: Vec::new(),
            run_start: Vec::new(),
            run_class: Vec::new(),
            day_start: Vec::new(),
            days: Vec::with_capacity(entries.len()),
            cumulative: Vec::with_capacity(entries.len()),
        };
        let mut run_sum = 0f64;
        for (i, &(key, class, day, w)) in entries.iter().enumerate() {
            let new_pixel = i == 0 || entries[i - 1].0 != key;
            if new_pixel {
                l.keys.push(key);
                l.totals.push(0.0);
                l.run_start.push(l.run_class.len() as u32);
            }
            if new_pixel || entries[i - 1].1 != class {
                l.run_class.push(class);
                l.day_start.push(l.days.len() as u32);
                run_sum = 0.0;
            }
            run_sum += w as f64;
            l.days.push(day);
            l.cumulative.push(run_sum as f32);
            *l.totals.last_mut().expect("a pixel was pushed") += w;
        }
        l.run_start.push(l.run_class.len() as u32);
        l.day_start.push(l.days.len() as u32);
        l
    }

    fn runs(&self) -> usize {
        self.run_class.len()
    }

    /// The weight of pixel `i` in the slice.
    fn weight(&self, i: usize, slice: &Slice) -> f32 {
        let mut sum = 0f32;
        for r in self.run_start[i] as usize..self.run_start[i + 1] as usize {
            if slice.classes & (1 << self.run_class[r]) == 0 {
                continue;
            }
            let (a, b) = (self.day_start[r] as usize, self.day_start[r + 1] as usize);
            let before = |k: usize| if k == a { 0.0 } else { self.cumulative[k - 1] };
            match slice.days {
                None => sum += self.cumulative[b - 1],
                // A run wholly inside or outside the window needs no search.
                Some((first, last)) if self.days[a] >= first && self.days[b - 1] <= last => {
                    sum += self.cumulative[b - 1]
                }
                Some((first, last)) if self.days[b - 1] < first || self.days[a] > last => {}
                Some((first, last)) => {
                    let days = &self.days[a..b];
                    let lo = a + days.partition_point(|&d| d < first);
                    let hi = a + days.partition_point(|&d| d <= last);
                    if hi > lo {
                        sum += before(hi) - before(lo);
                    }
                }
            }
        }
        sum
    }

    fn bytes(&self) -> usize {
        self.keys.len() * 8
            + self.totals.len() * 4
            + self.run_start.len() * 4
            + self.run_class.len()
            + self.day_start.len() * 4
            + self.days.len() * 4
            + self.cumulative.len() * 4
    }
}

/// Sorts by (key, class, day) and sums equal entries.
fn sort_and_merge(mut v: Vec<(u64, u8, i32, f32)>) -> Vec<(u64, u8, i32, f32)> {
    v.sort_unstable_by_key(|e| (e.0, e.1, e.2));
    let mut out: Vec<(u64, u8, i32, f32)> = Vec::with_capacity(v.len());
    for e in v {
        match out.last_mut() {
            Some(last) if (last.0, last.1, last.2) == (e.0, e.1, e.2) => last.3 += e.3,
            _ => out.push(e),
        }
    }
    out
}

/// The entries of the next coarser zoom: keys shifted, each parent's entries (from up to four
/// children, each sorted) sorted again and merged.
fn coarser(entries: &[(u64, u8, i32, f32)]) -> Vec<(u64, u8, i32, f32)> {
    let mut out = Vec::with_capacity(entries.len());
    let mut group: Vec<(u64, u8, i32, f32)> = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let parent = entries[i].0 >> 2;
        let mut j = i;
        let mut children = 0;
        while j < entries.len() && entries[j].0 >> 2 == parent {
            if j == i || entries[j].0 != entries[j - 1].0 {
                children += 1;
            }
            j += 1;
        }
        if children == 1 {
            // one child: already in (class, day) order
            out.extend(entries[i..j].iter().map(|e| (parent, e.1, e.2, e.3)));
        } else {
            group.clear();
            group.extend(entries[i..j].iter().map(|e| (parent, e.1, e.2, e.3)));
            group.sort_unstable_by_key(|e| (e.1, e.2));
            for &e in &group {
                match out.last_mut() {
                    Some(last) if last.0 == parent && (last.1, last.2) == (e.1, e.2) => {
                        last.3 += e.3
                    }
                    _ => out.push(e),
                }
            }
        }
        i = j;
    }
    out
}

pub struct Pyramid {
    /// Stored levels, finest first.
    levels: Vec<Level>,
    /// For each zoom 0..=BASE_LEVEL, the stored level to read (the coarsest at or below it).
    read_from: [usize; BASE_LEVEL as usize + 1],
    points: usize,
    days: Days,
    /// Region- and country-level incidents, summed per area ([`AreaSums`]).
    areas: AreaSums,
}

impl Pyramid {
    /// Bins points. Zero weights are dropped.
    pub fn build(points: impl IntoIterator<Item = Point>) -> Pyramid {
        let max = (1u64 << (BASE_LEVEL as u32 + 8)) as f64 - 1.0;
        let mut pts: Vec<(i32, u64, Point)> = points
            .into_iter()
            .filter(|p| p.weight != 0.0)
            .map(|p| {
                let (x, y) = world_px(p.lon, p.lat, BASE_LEVEL, 256);
                (
                    p.day(),
                    encode(x.clamp(0.0, max) as u32, y.clamp(0.0, max) as u32),
                    p,
                )
            })
            .collect();
        let points = pts.len();
        pts.sort_unstable_by_key(|e| (e.0, e.1));
        let mut days = Days::default();
        for (i, &(day, key, p)) in pts.iter().enumerate() {
            if i == 0 || pts[i - 1].0 != day {
                days.days.push(day);
                days.start.push(i as u32);
            }
            let midnight = day as i64 * DAY_MS;
            days.key.push(key);
            days.class.push(p.class);
            days.weight.push(p.weight);
            days.from.push((p.start_ms - midnight) as u32);
            days.to
                .push((p.end_ms.min(midnight + DAY_MS - 1) - midnight) as u32);
        }
        days.start.push(pts.len() as u32);
        let base: Vec<(u64, u8, i32, f32)> = pts
            .into_iter()
            .map(|(day, key, p)| (key, p.class, day, p.weight))
            .collect();
        let mut current = sort_and_merge(base);
        let mut levels = vec![Level::from_sorted(BASE_LEVEL, &current)];
        let mut read_from = [0usize; BASE_LEVEL as usize + 1];
        // Each zoom is aggregated from the one above it, whether or not that one was kept.
        for z in (0..BASE_LEVEL).rev() {
            current = coarser(&current);
            let level = Level::from_sorted(z, &current);
            let last = levels.last().expect("the base level");
            if (level.runs() as f64) <= KEEP_BELOW * last.runs() as f64 {
                levels.push(level);
            }
            read_from[z as usize] = levels.len() - 1;
        }
        Pyramid {
            levels,
            read_from,
            points,
            days,
            areas: AreaSums::default(),
        }
    }

    /// The same pyramid with the base's area incidents summed per area.
    pub fn with_areas(self, areas: AreaSums) -> Pyramid {
        Pyramid { areas, ..self }
    }

    pub fn areas(&self) -> &AreaSums {
        &self.areas
    }

    /// Calls `f(px, py, weight)` for every point of UTC `day` (days since the epoch) inside
    /// `[x0, x1) × [y0, y1)` (world pixels at zoom `z`) whose category is in `classes` and
    /// whose time touches `[start_ms, end_ms]`: the days a window covers in part.
    #[allow(clippy::too_many_arguments)]
    pub fn for_each_point_of_day(
        &self,
        z: u8,
        (x0, y0, x1, y1): (i64, i64, i64, i64),
        day: i32,
        classes: u16,
        (start_ms, end_ms): (i64, i64),
        mut f: impl FnMut(u32, u32, f32),
    ) {
        assert!(
            z <= BASE_LEVEL,
            "the pyramid holds zooms up to {BASE_LEVEL}"
        );
        let d = &self.days;
        let Ok(i) = d.days.binary_search(&day) else {
            return;
        };
        let (a, b) = (d.start[i] as usize, d.start[i + 1] as usize);
        let keys = &d.key[a..b];
        let world = 1i64 << (z as u32 + 8);
        let (x0, y0) = (x0.clamp(0, world), y0.clamp(0, world));
        let (x1, y1) = (x1.clamp(0, world), y1.clamp(0, world));
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        let midnight = day as i64 * DAY_MS;
        let shift = (BASE_LEVEL - z) as u32;
        for ty in (y0 >> 8)..=((y1 - 1) >> 8) {
            for tx in (x0 >> 8)..=((x1 - 1) >> 8) {
                let (lo_key, hi_key) = block_range(tx as u32, ty as u32, 8 + shift);
                let lo = keys.partition_point(|&k| k < lo_key);
                let hi = keys.partition_point(|&k| k < hi_key);
                for j in a + lo..a + hi {
                    if classes & (1 << d.class[j]) == 0 {
                        continue;
                    }
                    let (from, to) = (midnight + d.from[j] as i64, midnight + d.to[j] as i64);
                    if from > end_ms || to < start_ms {
                        continue;
                    }
                    let (lx, ly) = decode(d.key[j]);
                    let (px, py) = ((lx >> shift) as i64, (ly >> shift) as i64);
                    if px >= x0 && px < x1 && py >= y0 && py < y1 {
                        f(px as u32, py as u32, d.weight[j]);
                    }
                }
            }
        }
    }

    /// Number of points binned.
    pub fn points(&self) -> usize {
        self.points
    }

    /// Pixels kept over all stored levels.
    pub fn bins(&self) -> usize {
        self.levels.iter().map(|l| l.keys.len()).sum()
    }

    /// Memory the stored levels and the points by day take, bytes.
    pub fn bytes(&self) -> usize {
        self.levels.iter().map(Level::bytes).sum::<usize>() + self.days.bytes() + self.areas.bytes()
    }

    /// Calls `f(px, py, weight)` for every non-empty pixel of zoom `z` (256-px tiles) inside
    /// `[x0, x1) × [y0, y1)` (world pixels at that zoom, clamped to the world); all of each
    /// pixel's weight, or only the `slice` of it.
    #[allow(clippy::too_many_arguments)]
    pub fn for_each_bin(
        &self,
        z: u8,
        x0: i64,
        y0: i64,
        x1: i64,
        y1: i64,
        slice: Option<&Slice>,
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
                        let w = match slice {
                            None => level.totals[i],
                            Some(s) => level.weight(i, s),
                        };
                        if w != 0.0 {
                            f(px as u32, py as u32, w);
                        }
                    }
                }
            }
        }
    }

    /// The `k` heaviest pixels at zoom `z`, heaviest first: where the density peaks are.
    pub fn heaviest(&self, z: u8, k: usize) -> Vec<(u32, u32, f32)> {
        let level = &self.levels[self.read_from[z as usize]];
        let shift = 2 * (level.z - z) as u32;
        let mut keys: Vec<u64> = Vec::new();
        let mut weights: Vec<f32> = Vec::new();
        for (key, w) in level
            .keys
            .iter()
            .map(|key| key >> shift)
            .zip(level.totals.iter().copied())
        {
            match keys.last() {
                Some(&last) if last == key => *weights.last_mut().expect("same length") += w,
                _ => {
                    keys.push(key);
                    weights.push(w);
                }
            }
        }
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

    #[allow(clippy::too_many_arguments)]
    fn naive(
        points: &[Point],
        z: u8,
        x0: i64,
        y0: i64,
        x1: i64,
        y1: i64,
        slice: Option<&Slice>,
    ) -> std::collections::BTreeMap<(u32, u32), f32> {
        let mut m = std::collections::BTreeMap::new();
        for p in points {
            if let Some(s) = slice {
                let in_days = s.days.is_none_or(|(a, b)| p.day() >= a && p.day() <= b);
                if s.classes & (1 << p.class) == 0 || !in_days {
                    continue;
                }
            }
            let (x, y) = world_px(p.lon, p.lat, BASE_LEVEL, 256);
            let (px, py) = (
                (x as u64 >> (BASE_LEVEL - z)) as i64,
                (y as u64 >> (BASE_LEVEL - z)) as i64,
            );
            if px >= x0 && px < x1 && py >= y0 && py < y1 && p.weight != 0.0 {
                *m.entry((px as u32, py as u32)).or_insert(0.0) += p.weight;
            }
        }
        m
    }

    fn point(lon: f64, lat: f64, weight: f32, class: u8, day: i32) -> Point {
        let start_ms = day as i64 * DAY_MS;
        Point {
            lon,
            lat,
            weight,
            class,
            start_ms,
            end_ms: start_ms + DAY_MS - 1,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Every zoom's bins equal a plain binning of the points, wherever the area lies,
        /// whole or sliced by days and categories.
        #[test]
        fn bins_match_plain_binning(
            pts in proptest::collection::vec((60.0f64..80.0, 40.0f64..50.0, 0.5f32..3.0, 0u8..9, 0i32..40), 0..300),
            cluster in proptest::collection::vec((-0.01f64..0.01, -0.01f64..0.01, 0u8..9, 0i32..40), 0..300),
            z in 0u8..=16, fx in 0.0f64..1.0, fy in 0.0f64..1.0, w in 1i64..600, h in 1i64..600,
            classes in 0u16..512, first in 0i32..40, len in 0i32..40, all_days in any::<bool>(),
        ) {
            let mut all: Vec<Point> = pts.iter().map(|&(lon, lat, w, c, d)| point(lon, lat, w, c, d)).collect();
            all.extend(cluster.iter().map(|&(dx, dy, c, d)| point(76.9 + dx, 43.25 + dy, 1.0, c, d)));
            let p = Pyramid::build(all.iter().copied());
            // an area around a random point of the data, or anywhere when there is none
            let (cx, cy) = all.first().map(|q| {
                let (x, y) = world_px(q.lon, q.lat, z, 256);
                (x as i64, y as i64)
            }).unwrap_or(((fx * 256.0) as i64, (fy * 256.0) as i64));
            let (x0, y0) = (cx - (fx * w as f64) as i64, cy - (fy * h as f64) as i64);
            let slice = Slice { classes, days: (!all_days).then_some((first, first + len)) };
            for s in [None, Some(&slice)] {
                let want = naive(&all, z, x0, y0, x0 + w, y0 + h, s);
                let mut got = std::collections::BTreeMap::new();
                p.for_each_bin(z, x0, y0, x0 + w, y0 + h, s, |x, y, v| { *got.entry((x, y)).or_insert(0.0f32) += v; });
                for (k, v) in &want {
                    prop_assert!((got.get(k).copied().unwrap_or(0.0) - v).abs() < 1e-3, "{:?}: {:?} vs {}", k, got.get(k), v);
                }
                prop_assert!(got.keys().all(|k| want.contains_key(k)), "no weight where there is none");
            }
        }
    }

    #[test]
    fn dense_data_is_aggregated_and_sparse_data_is_not_copied() {
        let dense: Vec<Point> = (0..10_000)
            .map(|i| {
                point(
                    76.9 + (i % 100) as f64 * 1e-4,
                    43.2 + (i / 100) as f64 * 1e-4,
                    1.0,
                    (i % 3) as u8,
                    i % 30,
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

    #[test]
    fn a_window_of_days_reads_only_those_days() {
        // one pixel, one category, a point a day for 100 days
        let pts: Vec<Point> = (0..100).map(|d| point(76.9, 43.2, 1.0, 2, d)).collect();
        let p = Pyramid::build(pts);
        let read = |slice: Slice| {
            let mut sum = 0.0;
            p.for_each_bin(4, 0, 0, 1 << 12, 1 << 12, Some(&slice), |_, _, w| sum += w);
            sum
        };
        assert_eq!(
            read(Slice {
                classes: 1 << 2,
                days: Some((10, 19))
            }),
            10.0
        );
        assert_eq!(
            read(Slice {
                classes: 1 << 2,
                days: Some((-5, 0))
            }),
            1.0
        );
        assert_eq!(
            read(Slice {
                classes: 1 << 2,
                days: Some((100, 200))
            }),
            0.0
        );
        assert_eq!(
            read(Slice {
                classes: 1 << 3,
                days: None
            }),
            0.0
        );
        assert_eq!(
            read(Slice {
                classes: u16::MAX,
                days: None
            }),
            100.0
        );
    }
}
