//! Gazetteer speed: load time, exact and fuzzy lookups, geoparsing throughput.
//! Run: cargo bench --bench gazetteer

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use incidentmap::gazetteer::{Gazetteer, GeocodeOptions, MatchType};

fn opts() -> GeocodeOptions {
    GeocodeOptions {
        limit: 5,
        ..Default::default()
    }
}

/// Names as reports give them: Arabic, Russian, Kazakh, English, old names.
const EXACT: &[&str] = &[
    "ألما آتا",
    "جاناوزين",
    "أكتاو",
    "كيزيلوردا",
    "جامبيل",
    "Almaty",
    "Aktau",
    "Astana",
    "Алма-Ата",
    "Жаңаөзен",
    "Qyzylorda",
    "Moscow",
    "Tashkent",
    "كازاخستان",
    "Taraz",
    "Dzhambul",
    "Shymkent",
    "Bishkek",
    "Ust-Kamenogorsk",
    "Karaganda",
];

/// Slips that only the misspelling search resolves (checked at start: each must come back
/// as a fuzzy match, not an exact or transliterated one).
const FUZZY: &[&str] = &[
    "Almayt",
    "Zhanaozn",
    "Shymkemt",
    "Tashkant",
    "Karagnada",
    "Pavlodr",
    "كيزيلورد",
    "اكتاوو",
    "Жанаозн",
    "Кызылорд",
];

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("gazetteer");
    g.sample_size(10);
    // The drop of the loaded gazetteer is left out: load time is what start-up waits for.
    g.bench_function("load_embedded", |b| {
        b.iter_with_large_drop(|| Gazetteer::embedded().unwrap())
    });
    g.finish();
}

fn lookups(c: &mut Criterion) {
    let gaz = Gazetteer::embedded().unwrap();
    gaz.prepare();
    let o = opts();
    for q in FUZZY {
        let r = gaz.geocode(q, &o);
        assert_eq!(
            r.first().map(|r| r.match_type),
            Some(MatchType::Fuzzy),
            "{q}"
        );
    }
    let mut g = c.benchmark_group("geocode");
    g.throughput(Throughput::Elements(EXACT.len() as u64));
    g.bench_function("exact", |b| {
        b.iter(|| {
            for q in EXACT {
                black_box(gaz.geocode(q, &o));
            }
        })
    });
    g.throughput(Throughput::Elements(FUZZY.len() as u64));
    g.bench_function("fuzzy", |b| {
        b.iter(|| {
            for q in FUZZY {
                black_box(gaz.geocode(q, &o));
            }
        })
    });
    g.finish();
}

/// Reports in Arabic, English and Russian about the January 2022 events, repeated to about
/// 1 MB: mostly ordinary words, a place every dozen or so.
fn corpus() -> String {
    let parts = [
        include_str!("data/report_ar.txt"),
        include_str!("data/report_en.txt"),
        include_str!("data/report_ru.txt"),
    ];
    let mut s = String::new();
    while s.len() < 1_000_000 {
        for p in parts {
            s.push_str(p);
            s.push('\n');
        }
    }
    s
}

fn geoparse(c: &mut Criterion) {
    let gaz = Gazetteer::embedded().unwrap();
    let text = corpus();
    assert!(gaz.geoparse(&text).len() > 1000);
    let mut g = c.benchmark_group("geoparse");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("mixed_1mb", |b| b.iter(|| black_box(gaz.geoparse(&text))));
    g.finish();
}

criterion_group!(benches, load, lookups, geoparse);
criterion_main!(benches);
