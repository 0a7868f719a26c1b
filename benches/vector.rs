//! Vector tiles (MVT with server-side clusters) at 100,000, 1,000,000 and 10,000,000
//! synthetic incidents over Kazakhstan: the uncached build of random tiles from zoom 0 to 14
//! that hold incidents — clustering, MVT encoding and gzip, as the server does on a cache
//! miss — unfiltered and with a random time window and categories per tile; how it changes
//! with the size of the data; and the memory of the cluster index beside the incidents' index.
//!
//! Run: cargo bench --bench vector
//! Sizes: VECTOR_BENCH_SIZES=100000,1000000,10000000 (the default). 10 million needs ~5 GB of
//! memory and a minute or two to generate and index.
//!
//! The cluster index is built before timing: the server builds it once per base and caches it.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use incidentmap::app::area_resolver;
use incidentmap::filter::Filter;
use incidentmap::gazetteer::Gazetteer;
use incidentmap::spatial::{Index, Snapshot};
use incidentmap::synth::{SynthOptions, generate};
use incidentmap::tiles::clusters::ClusterIndex;
use incidentmap::tiles::mercator::{TileId, world_px};
use incidentmap::tiles::mvt;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

mod shared;
use shared::{percentile, random_filters, resident_bytes, sizes};

/// Random tiles of zoom 0 to 14 that hold incidents: the tile of a random incident at a random
/// zoom, seeded.
fn tiles(snap: &Snapshot, n: usize) -> Vec<TileId> {
    let mut rng = SmallRng::seed_from_u64(42);
    let all: Vec<(f64, f64)> = snap.base_records().map(|i| (i.lon, i.lat)).collect();
    (0..n)
        .map(|_| {
            let (lon, lat) = all[rng.random_range(0..all.len())];
            let z = rng.random_range(0..=14u8);
            let (x, y) = world_px(lon, lat, z, 256);
            let max = (1u64 << z) - 1;
            TileId::new(
                z as u64,
                ((x / 256.0) as u64).min(max),
                ((y / 256.0) as u64).min(max),
            )
            .unwrap()
        })
        .collect()
}

/// A tile as the server builds it on a cache miss: features, MVT, gzip.
fn build(ix: &ClusterIndex, snap: &Snapshot, f: &Filter, t: TileId) -> usize {
    let features = ix.tile(snap, f, t);
    match mvt::encode(t, &features).unwrap() {
        Some(b) => mvt::gzip(&b).unwrap().len(),
        None => 0,
    }
}

/// Best of three, ms.
fn time(mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::MAX, f64::min)
}

fn bench(c: &mut Criterion) {
    let sizes = sizes("VECTOR_BENCH_SIZES");
    let gaz = Arc::new(Gazetteer::embedded().unwrap());
    let mut medians = Vec::new();
    let mut g = c.benchmark_group("vector_tile");
    g.sample_size(10);
    for &n in &sizes {
        let rss_before = resident_bytes();
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
        let t0 = Instant::now();
        let ix = ClusterIndex::build(&snap);
        println!(
            "{n} incidents: index {:.0} MB resident; cluster index {:.0} MB, built in {:.1?}",
            index_bytes as f64 / 1e6,
            ix.heap_bytes() as f64 / 1e6,
            t0.elapsed()
        );
        let sample = tiles(&snap, 300);
        let filters = random_filters(sample.len());
        let none = Filter::default();
        let mut plain = Vec::new();
        let mut low = Vec::new();
        let mut filtered = Vec::new();
        let mut filtered_low = Vec::new();
        let mut bytes = Vec::new();
        // The index's part alone (the features, before MVT and gzip), filtered.
        let mut core = Vec::new();
        let mut features = Vec::new();
        for (&t, f) in sample.iter().zip(&filters) {
            let a = time(|| {
                black_box(build(&ix, &snap, &none, t));
            });
            let b = time(|| {
                black_box(build(&ix, &snap, f, t));
            });
            core.push(time(|| {
                black_box(ix.tile(&snap, f, t));
            }));
            features.push(ix.tile(&snap, f, t).len() as f64);
            bytes.push(build(&ix, &snap, &none, t) as f64);
            plain.push(a);
            filtered.push(b);
            if t.z <= 5 {
                low.push(a);
                filtered_low.push(b);
            }
        }
        let m = percentile(&mut plain, 0.5);
        let fm = percentile(&mut filtered, 0.5);
        println!(
            "{n} incidents, {} random tiles z0-14 holding incidents (median {:.0} bytes gzipped): unfiltered median {m:.3} ms, p90 {:.3} ms, median z0-5 {:.3} ms; filtered median {fm:.3} ms, p90 {:.3} ms, median z0-5 {:.3} ms",
            sample.len(),
            percentile(&mut bytes, 0.5),
            percentile(&mut plain, 0.9),
            percentile(&mut low, 0.5),
            percentile(&mut filtered, 0.9),
            percentile(&mut filtered_low, 0.5),
        );
        let cm = percentile(&mut core, 0.5);
        println!(
            "{n} incidents, filtered, the index's part alone (features before MVT and gzip): median {cm:.3} ms, p90 {:.3} ms; median features per tile {:.0}",
            percentile(&mut core, 0.9),
            percentile(&mut features, 0.5),
        );
        medians.push((n, m, fm, cm));
        let mut k = 0;
        g.bench_function(format!("random_tile/{n}"), |b| {
            b.iter(|| {
                let t = sample[k % sample.len()];
                k += 1;
                black_box(build(&ix, &snap, &none, t))
            })
        });
    }
    g.finish();
    if let (Some(first), Some(last)) = (medians.first(), medians.last()) {
        println!(
            "median at {} / at {} incidents: unfiltered {:.2}, filtered {:.2}, filtered index part {:.2}",
            last.0,
            first.0,
            last.1 / first.1,
            last.2 / first.2,
            last.3 / first.3
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
