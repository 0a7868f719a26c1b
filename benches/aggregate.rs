//! Counts by region and week (`/collections/incidents/aggregate?groupby=region,week`) over
//! every incident, at 100,000 and 1,000,000 synthetic incidents over Kazakhstan: with the
//! gazetteer places the incidents were generated from, and with none (points only, so every
//! incident's region is its nearest settlement's, the worst case); and by category and month,
//! which needs no area.
//!
//! Run: cargo bench --bench aggregate
//! Sizes: AGGREGATE_BENCH_SIZES=100000,1000000 (the default).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use incidentmap::aggregate::{Counter, GroupBy};
use incidentmap::gazetteer::Gazetteer;
use incidentmap::model::Incident;
use incidentmap::synth::{SynthOptions, generate};

fn count(gaz: &Gazetteer, by: &str, incidents: &[Incident]) -> usize {
    let mut c = Counter::new(GroupBy::parse(by).unwrap(), gaz);
    incidents.iter().for_each(|i| c.add(i));
    c.finish().groups.len()
}

fn bench(c: &mut Criterion) {
    let gaz = Arc::new(Gazetteer::embedded().unwrap());
    let sizes: Vec<usize> = std::env::var("AGGREGATE_BENCH_SIZES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("a size"))
        .collect();
    let mut g = c.benchmark_group("aggregate");
    g.sample_size(10);
    for n in sizes {
        let opts = SynthOptions {
            count: n,
            countries: vec!["KZ".into()],
            ..SynthOptions::default()
        };
        let with_places: Vec<Incident> = generate(&gaz, &opts).unwrap().collect();
        let points: Vec<Incident> = with_places
            .iter()
            .cloned()
            .map(|mut i| {
                i.place_id = None;
                i
            })
            .collect();
        // The first lookup builds the settlements' tree: not part of a request's time.
        count(&gaz, "region", &points[..1]);
        g.bench_function(format!("region,week/places/{n}"), |b| {
            b.iter(|| black_box(count(&gaz, "region,week", &with_places)))
        });
        g.bench_function(format!("region,week/points/{n}"), |b| {
            b.iter(|| black_box(count(&gaz, "region,week", &points)))
        });
        g.bench_function(format!("category,month/{n}"), |b| {
            b.iter(|| black_box(count(&gaz, "category,month", &points)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
