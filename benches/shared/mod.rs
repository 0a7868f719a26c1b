//! What the tile benches share: the sizes to run, seeded random filters, percentiles, resident
//! memory.

use incidentmap::filter::{Filter, TimeRange};
use incidentmap::model::Category;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// A random filter per tile, seeded: a window of one day to a year in 2023 (log-uniform
/// length; whole days or starting and ending at any second) and, half the time, a random
/// non-empty set of categories.
/// The data sizes from a comma list in the environment variable `var`, by default 100k, 1M
/// and 10M.
pub fn sizes(var: &str) -> Vec<usize> {
    std::env::var(var)
        .unwrap_or_else(|_| "100000,1000000,10000000".into())
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .unwrap_or_else(|_| panic!("{var}: a comma list of counts"))
        })
        .collect()
}

pub fn random_filters(n: usize) -> Vec<Filter> {
    let mut rng = SmallRng::seed_from_u64(9);
    let year = 1_672_531_200_000i64;
    let day = 86_400_000i64;
    (0..n)
        .map(|_| {
            let days = 365f64.powf(rng.random::<f64>()).round().max(1.0) as i64;
            let start_day = rng.random_range(0..=365 - days);
            let (start, end) = if rng.random::<bool>() {
                (year + start_day * day, year + (start_day + days) * day - 1)
            } else {
                let s = year + start_day * day + rng.random_range(0..day);
                (s, s + days * day - rng.random_range(0..day))
            };
            let categories = rng.random::<bool>().then(|| {
                let bits: u16 = rng.random_range(1..(1 << Category::ALL.len()));
                Category::ALL
                    .into_iter()
                    .filter(|c| bits & c.bit() != 0)
                    .collect()
            });
            Filter {
                time: Some(TimeRange {
                    start: Some(start),
                    end: Some(end),
                }),
                categories,
                ..Filter::default()
            }
        })
        .collect()
}

/// Resident memory of this process, bytes (Linux; 0 elsewhere).
pub fn resident_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}

pub fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}
