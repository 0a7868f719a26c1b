//! Scores the report extractor on the hand-coded reports in `tests/data/reports/` (issue
//! #18): event precision and recall, counts and dates right among matched events, per
//! language and part (see `score.rs` for what matches).
//!
//! cargo run --release --example report_eval [-- --errors] [--dir DIR]
//!
//! `--errors` lists the development part's mistakes only: the held-out part is for
//! reporting, never for tuning. `--dir` scores another folder of the same layout (`dev/`,
//! `heldout/`): a batch of new reports, scored once before any tuning on them.

mod score;

use std::path::{Path, PathBuf};

fn main() {
    let errors = std::env::args().any(|a| a == "--errors");
    let args: Vec<String> = std::env::args().collect();
    let root = match args.iter().position(|a| a == "--dir") {
        Some(i) => PathBuf::from(args.get(i + 1).expect("--dir takes a folder")),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/reports"),
    };
    let gaz = incidentmap::gazetteer::Gazetteer::embedded().expect("the built-in gazetteer");
    let s = score::score(&root, &gaz);
    println!(
        "{:<8} {:<4} {:>7} {:>5} {:>6} {:>9} {:>7} {:>7} {:>6}",
        "part", "lang", "reports", "gold", "drafts", "precision", "recall", "counts", "dates"
    );
    let row = |part: &str, lang: &str, t: &score::Tally| {
        println!(
            "{:<8} {:<4} {:>7} {:>5} {:>6} {:>9.3} {:>7.3} {:>7.3} {:>6.3}",
            part,
            lang,
            t.reports,
            t.gold,
            t.drafts,
            t.precision(),
            t.recall(),
            t.counts(),
            t.dates()
        )
    };
    for ((part, lang), t) in &s.by {
        row(part, lang, t);
    }
    for part in ["dev", "heldout"] {
        row(part, "all", &s.split(part));
    }
    if errors {
        for e in &s.errors {
            println!("{e}");
        }
    }
}
