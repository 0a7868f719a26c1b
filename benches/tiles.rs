//! Heat tile rendering at 100,000, 1,000,000 and 10,000,000 synthetic incidents over
//! Kazakhstan: the median uncached render (density, colouring and PNG encoding) of random
//! tiles from zoom 3 to 14, and how it changes with the size of the data — unfiltered, and
//! with a random time window (one day to the whole year, whole days or not) and a random set
//! of categories per tile, on the pyramid and, for comparison, on the R-tree. Also the
//! pyramid's memory beside the index's (resident memory before and after indexing).
//!
//! Run: cargo bench --bench tiles
//! Sizes: TILE_BENCH_SIZES=100000,1000000,10000000 (the default). 10 million needs ~5 GB of
//! memory and a minute or two to generate and index.
//!
//! The pyramid and the ramp tops are built before timing: the server builds them once per data
//! version and caches them. Every render below is uncached.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use incidentmap::app::area_resolver;
use incidentmap::filter::Filter;
use incidentmap::gazetteer::Gazetteer;
use incidentmap::model::{Incident, Precision};
use incidentmap::spatial::Index;
use incidentmap::synth::{SynthOptions, generate};
use incidentmap::tiles::mercator::{TileId, world_px};
use incidentmap::tiles::style::{Style, Styles};
use incidentmap::tiles::{Layer, build_pyramid, render, top_of_ramp};
mod shared;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// Random tiles over Kazakhstan, zoom 3 to 14, seeded; about half hold data at high zoom.
fn tiles(gaz: &Gazetteer, n: usize) -> Vec<TileId> {
    let mut rng = SmallRng::seed_from_u64(42);
    let cities: Vec<(f64, f64)> = gaz
        .places()
        .iter()
        .filter(|p| p.country == "KZ" && p.population > 50_000)
        .map(|p| (p.lon, p.lat))
        .collect();
    (0..n)
        .map(|i| {
            let z = rng.random_range(3..=14u8);
            // half near cities (where the data is), half anywhere in the country's box
            let (lon, lat) = if i % 2 == 0 {
                let c = cities[rng.random_range(0..cities.len())];
                (
                    c.0 + rng.random_range(-0.3..0.3),
                    c.1 + rng.random_range(-0.2..0.2),
                )
            } else {
                (rng.random_range(46.5..87.3), rng.random_range(40.6..55.4))
            };
            let (x, y) = world_px(lon, lat, z, 256);
            TileId::new(z as u64, (x / 256.0) as u64, (y / 256.0) as u64).unwrap()
        })
        .collect()
}

use shared::{percentile, random_filters, resident_bytes, sizes};

fn bench(c: &mut Criterion) {
    let sizes = sizes("TILE_BENCH_SIZES");
    let gaz = Arc::new(Gazetteer::embedded().unwrap());
    let styles = Styles::embedded().unwrap();
    let style = styles.get("heat").unwrap();
    let sample = tiles(&gaz, 200);
    let mut medians = Vec::new();
    let mut g = c.benchmark_group("tile_render");
    g.sample_size(10);
    for &n in &sizes {
        let rss_before = resident_bytes();
        let t0 = Instant::now();
        let opts = SynthOptions {
            count: n,
            seed: 7,
            ..Default::default()
        };
        let idx = Index::new(
            generate(&gaz, &opts).unwrap().collect(),
            1,
            area_resolver(gaz.clone()),
        );
        let snap = idx.snapshot();
        let index_bytes = resident_bytes().saturating_sub(rss_before);
        let t1 = Instant::now();
        let pyramid = build_pyramid(&snap, style);
        let layer = Layer {
            snap: &snap,
            style,
            pyramid: Some(&pyramid),
        };
        let tops: Vec<f32> = (0..=22).map(|z| top_of_ramp(&layer, z)).collect();
        println!(
            "{n} incidents: generated and indexed in {:.1?} ({:.0} MB resident); pyramid ({} bins, {:.0} MB) and ramp tops in {:.1?}",
            t1 - t0,
            index_bytes as f64 / 1e6,
            pyramid.bins(),
            pyramid.bytes() as f64 / 1e6,
            t1.elapsed()
        );
        let f = Filter::default();
        // Median and 90th percentile per tile, each the best of 3 renders.
        let timed: Vec<(f64, bool)> = sample
            .iter()
            .map(|&t| {
                let mut painted = false;
                let best = (0..3)
                    .map(|_| {
                        let s = Instant::now();
                        painted = black_box(render(&layer, &f, t, 1, tops[t.z as usize]).unwrap())
                            .is_some();
                        s.elapsed().as_secs_f64() * 1e3
                    })
                    .fold(f64::MAX, f64::min);
                (best, painted)
            })
            .collect();
        let mut times: Vec<f64> = timed.iter().map(|t| t.0).collect();
        let mut painted: Vec<f64> = timed.iter().filter(|t| t.1).map(|t| t.0).collect();
        let median = percentile(&mut times, 0.5);
        let p90 = percentile(&mut times, 0.9);
        println!(
            "{n} incidents: {} of {} tiles painted; their median {:.3} ms, p90 {:.3} ms",
            painted.len(),
            sample.len(),
            percentile(&mut painted, 0.5),
            percentile(&mut painted, 0.9)
        );
        // The same tiles, each with a random filter: on the pyramid, and on the R-tree (the
        // path every filtered tile took before issue #15) for comparison.
        let filters = random_filters(sample.len());
        let whole_days = |f: &Filter| {
            f.time
                .and_then(|t| t.start)
                .is_some_and(|s| s % 86_400_000 == 0)
        };
        let filtered = |layer: &Layer| -> (Vec<f64>, Vec<f64>, Vec<f64>) {
            let mut all = Vec::new();
            let mut low = Vec::new();
            let mut whole = Vec::new();
            for (&t, f) in sample.iter().zip(&filters) {
                let best = (0..3)
                    .map(|_| {
                        let s = Instant::now();
                        black_box(render(layer, f, t, 1, tops[t.z as usize]).unwrap());
                        s.elapsed().as_secs_f64() * 1e3
                    })
                    .fold(f64::MAX, f64::min);
                all.push(best);
                if t.z <= 7 {
                    low.push(best);
                }
                if whole_days(f) {
                    whole.push(best);
                }
            }
            (all, low, whole)
        };
        let (mut fp, mut fp_low, mut fp_whole) = filtered(&layer);
        let rtree = Layer {
            pyramid: None,
            ..layer
        };
        let (mut fr, mut fr_low, _) = filtered(&rtree);
        println!(
            "{n} incidents: uncached render over {} random tiles z3-14: median {median:.3} ms, p90 {p90:.3} ms",
            sample.len(),
        );
        println!(
            "{n} incidents: random filters, pyramid: median {:.3} ms, p90 {:.3} ms, median z3-7 {:.3} ms, median on whole days {:.3} ms; R-tree: median {:.3} ms, p90 {:.3} ms, median z3-7 {:.3} ms",
            percentile(&mut fp, 0.5),
            percentile(&mut fp, 0.9),
            percentile(&mut fp_low, 0.5),
            percentile(&mut fp_whole, 0.5),
            percentile(&mut fr, 0.5),
            percentile(&mut fr, 0.9),
            percentile(&mut fr_low, 0.5),
        );
        medians.push((n, median));
        areas_variant(&gaz, n, style, &sample);
        let mut k = 0;
        g.bench_function(format!("random_tile/{n}"), |b| {
            b.iter(|| {
                let t = sample[k % sample.len()];
                k += 1;
                black_box(render(&layer, &f, t, 1, tops[t.z as usize]).unwrap())
            })
        });
    }
    g.finish();
    if let (Some(first), Some(last)) = (medians.first(), medians.last()) {
        println!(
            "median render at {} incidents / at {} incidents = {:.2}",
            last.0,
            first.0,
            last.1 / first.1
        );
    }
}

/// The same data with one incident in 20 known only by its region and one in 200 only by its
/// country (issue #17): spread over their outlines, one spread per area and tile. Unfiltered
/// and with the random filters, medians and p90s over the same tiles.
fn areas_variant(gaz: &Arc<Gazetteer>, n: usize, style: &Style, sample: &[TileId]) {
    let opts = SynthOptions {
        count: n,
        seed: 7,
        ..Default::default()
    };
    let kz = gaz.country("KZ").expect("Kazakhstan in the gazetteer");
    let incidents: Vec<Incident> = generate(gaz, &opts)
        .unwrap()
        .enumerate()
        .map(|(k, mut i)| {
            let region = i
                .place_id
                .and_then(|id| gaz.place(id))
                .and_then(|p| gaz.region_of(p));
            let area = match (k % 200, k % 20, region) {
                (0, _, _) => Some((kz, Precision::Country)),
                (_, 0, Some(r)) => Some((r, Precision::Region)),
                _ => None,
            };
            if let Some((p, precision)) = area {
                (i.lon, i.lat, i.place_id, i.place) =
                    (p.lon, p.lat, Some(p.id), Some(p.name.clone()));
                i.precision = precision;
            }
            i
        })
        .collect();
    let areas = incidents.iter().filter(|i| i.precision.is_area()).count();
    let idx = Index::new(incidents, 1, area_resolver(gaz.clone()));
    let snap = idx.snapshot();
    let pyramid = build_pyramid(&snap, style);
    let layer = Layer {
        snap: &snap,
        style,
        pyramid: Some(&pyramid),
    };
    let tops: Vec<f32> = (0..=22).map(|z| top_of_ramp(&layer, z)).collect();
    let filters = random_filters(sample.len());
    let time = |f: &dyn Fn(usize) -> Filter| -> Vec<f64> {
        sample
            .iter()
            .enumerate()
            .map(|(k, &t)| {
                let f = f(k);
                (0..3)
                    .map(|_| {
                        let s = Instant::now();
                        black_box(render(&layer, &f, t, 1, tops[t.z as usize]).unwrap());
                        s.elapsed().as_secs_f64() * 1e3
                    })
                    .fold(f64::MAX, f64::min)
            })
            .collect()
    };
    let mut plain = time(&|_| Filter::default());
    let mut filtered = time(&|k| filters[k].clone());
    println!(
        "{n} incidents, {areas} of them region- or country-level spread over outlines: unfiltered median {:.3} ms, p90 {:.3} ms; random filters median {:.3} ms, p90 {:.3} ms",
        percentile(&mut plain, 0.5),
        percentile(&mut plain, 0.9),
        percentile(&mut filtered, 0.5),
        percentile(&mut filtered, 0.9),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
