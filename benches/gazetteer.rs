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
    "Almtay",
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

/// A report of 10,000 words (issue #18's size): the English reports of the evaluation set
/// (tests/data/reports), one after another, repeated to length. (One language: a report is
/// drafted in the one language detected.)
fn long_report() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/reports");
    let mut texts = Vec::new();
    for part in ["dev", "heldout"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(part))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                name.ends_with(".json") && name.starts_with("en")
            })
            .collect();
        files.sort();
        for f in files {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            texts.push(v["text"].as_str().unwrap().to_string());
        }
    }
    let mut s = String::new();
    'fill: loop {
        for t in &texts {
            s.push_str(t);
            s.push_str("\n\n");
            if s.split_whitespace().count() >= 10_000 {
                break 'fill;
            }
        }
    }
    s
}

fn report(c: &mut Criterion) {
    use incidentmap::report::{ReportText, extract};
    let gaz = Gazetteer::embedded().unwrap();
    let text = long_report();
    let words = text.split_whitespace().count();
    let r = ReportText {
        text: &text,
        published: time::macros::date!(2024 - 06 - 01),
        language: None,
    };
    assert!(extract(&gaz, &r).drafts.len() > 20);
    let mut g = c.benchmark_group("report");
    g.sample_size(20);
    g.throughput(Throughput::Elements(words as u64));
    g.bench_function("draft_10k_words", |b| {
        b.iter(|| black_box(extract(&gaz, &r)))
    });
    g.finish();
}

criterion_group!(benches, load, lookups, geoparse, report);
criterion_main!(benches);
