//! Server time for an items page of about 1,000 features: the bbox query on the R-tree, the
//! filter, exact numberMatched, and GeoJSON serialization — everything the handler does but
//! the socket. At 100,000 and 1,000,000 synthetic incidents.
//!
//! Run: cargo bench --bench items

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use incidentmap::app::area_resolver;
use incidentmap::bbox::Bbox;
use incidentmap::filter::Filter;
use incidentmap::gazetteer::Gazetteer;
use incidentmap::http::items::{Page, collection};
use incidentmap::spatial::Index;
use incidentmap::synth::{SynthOptions, generate};

/// A box in Almaty (off the city's centre point, where the incidents known only at city
/// level pile up) grown until it holds about `want` incidents.
fn box_holding(idx: &Index, want: usize) -> Bbox {
    let (lon, lat) = (76.95, 43.22);
    let mut d = 0.0005;
    loop {
        let b = Bbox::new(lon - d, lat - d, lon + d, lat + d).unwrap();
        let f = Filter {
            bbox: Some(b),
            ..Default::default()
        };
        if idx.snapshot().page(&f, 0, 0).matched >= want {
            return b;
        }
        d *= 1.05;
    }
}

fn bench(c: &mut Criterion) {
    let gaz = Arc::new(Gazetteer::embedded().unwrap());
    let mut g = c.benchmark_group("items_page");
    for n in [100_000usize, 1_000_000] {
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
        let b = box_holding(&idx, 1000);
        let f = Filter {
            bbox: Some(b),
            ..Default::default()
        };
        let snap = idx.snapshot();
        let matched = snap.page(&f, 0, 1000).matched;
        let pairs = vec![
            ("bbox".to_string(), b.to_string()),
            ("limit".to_string(), "1000".to_string()),
        ];
        let page = Page {
            offset: 0,
            limit: 1000,
            base: "http://127.0.0.1:8080".into(),
            pairs,
            order: Default::default(),
        };
        let bytes = {
            let p = snap.page(&f, 0, 1000);
            collection(&p.items, p.matched, &page).len()
        };
        println!(
            "{n} incidents: box {b} holds {matched} incidents; a 1,000-feature page is {bytes} bytes"
        );
        g.throughput(Throughput::Elements(1));
        g.bench_function(format!("bbox_1000/{n}"), |bch| {
            bch.iter(|| {
                let p = snap.page(&f, 0, 1000);
                black_box(collection(&p.items, p.matched, &page))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
