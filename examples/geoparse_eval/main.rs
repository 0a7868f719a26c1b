//! Scores the geoparser on the hand-marked corpus in `tests/data/geoparse/` (issue #14).
//!
//! cargo run --release --example geoparse_eval [-- --errors] [--calibration] [--min-confidence P] [--dir DIR]
//!
//! For every report of `MANIFEST.tsv`, geoparses the text and compares with the gold marks:
//! a found mention *matches* a gold place span when the two overlap (a system may return
//! `Kenya` inside `Kenya's`), and is *right* when it also resolves to the place meant —
//! within 25 km for a city, district or other point; for a region, country or body of water
//! within 250 km, with the gold point inside the found area's box, or by the same name. Precision is right
//! mentions over all found; recall is gold places found right over all gold places;
//! "detected" is recall by overlap alone; "in gazetteer" is the share of gold places a plain
//! lookup of their name (or of the text as written) finds, the ceiling of recall. Prints a table per language and split.
//!
//! `--errors` lists the development part's mistakes, one a line. It never lists the
//! held-out part's: that part is for reporting, not for tuning (see the corpus README).

mod score;

use std::path::Path;

use incidentmap::gazetteer::Gazetteer;
use incidentmap::gazetteer::geoparse::DEFAULT_MIN_CONFIDENCE;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let errors = args.iter().any(|a| a == "--errors");
    let calibration = args.iter().any(|a| a == "--calibration");
    let min_confidence = args
        .iter()
        .position(|a| a == "--min-confidence")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse::<f64>().expect("--min-confidence takes a number"))
        .unwrap_or(DEFAULT_MIN_CONFIDENCE);
    // `--dir DIR` scores another corpus laid out the same way (DIR/dev, DIR/heldout): a new
    // batch on its own, on arrival.
    let root = args
        .iter()
        .position(|a| a == "--dir")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/geoparse"));
    let g = Gazetteer::embedded().expect("the embedded gazetteer loads");
    let s = score::score(&root, &g, min_confidence, errors);
    for e in &s.errors {
        println!("{e}");
    }
    println!("min_confidence = {min_confidence}");
    println!();
    println!(
        "| split | language | found | precision | recall | detected | in gazetteer | gold places | traps hit |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let row = |split: &str, lang: &str, t: &score::Tally| {
        println!(
            "| {split} | {lang} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {} | {} of {} |",
            t.found,
            t.precision(),
            t.recall(),
            t.detected(),
            t.known(),
            t.gold,
            t.traps_hit,
            t.traps
        )
    };
    for ((split, lang), t) in &s.table {
        row(split, lang, t);
    }
    for (split, t) in &s.totals() {
        row(split, "all", t);
    }
    if calibration {
        // How often a mention of each confidence is right: the returned confidence should
        // mean what it says (issue #14: >= 0.9 should be right >= 98% of the time).
        println!();
        println!("| split | confidence | mentions | right |");
        println!("|---|---|---|---|");
        let bins = [(0.9, 1.01), (0.8, 0.9), (0.7, 0.8), (0.5, 0.7), (0.0, 0.5)];
        for split in ["dev", "heldout"] {
            for (lo, hi) in bins {
                let inside: Vec<&score::Judged> = s
                    .judged
                    .iter()
                    .filter(|j| j.split == split && j.confidence >= lo && j.confidence < hi)
                    .collect();
                let right = inside.iter().filter(|j| j.right).count();
                println!(
                    "| {split} | {lo:.1}–{:.1} | {} | {:.3} |",
                    hi.min(1.0),
                    inside.len(),
                    score::ratio(right, inside.len())
                );
            }
        }
    }
}
