//! Scores the geoparser on the hand-marked corpus in `tests/data/geoparse/` (issue #14).
//!
//! cargo run --release --example geoparse_eval [-- --errors]
//!
//! For every report of `MANIFEST.tsv`, geoparses the text and compares with the gold marks:
//! a found mention *matches* a gold place span when the two overlap (a system may return
//! `Kenya` inside `Kenya's`), and is *right* when it also resolves to the place meant —
//! within 25 km for a city, district or other point; for a region, country or body of water
//! within 250 km, with the gold point inside the found area's box, or by the same name. Precision is right
//! mentions over all found; recall is gold places found right over all gold places;
//! "detected" is recall by overlap alone. Prints a table per language and split.
//!
//! `--errors` lists the development part's mistakes, one a line. It never lists the
//! held-out part's: that part is for reporting, not for tuning (see the corpus README).

use std::collections::BTreeMap;
use std::path::Path;

use incidentmap::gazetteer::Gazetteer;

struct Gold {
    start: usize,
    end: usize,
    text: String,
    is_place: bool,
    place: String,
    lon: f64,
    lat: f64,
    kind: String,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    found: usize,
    right: usize,
    gold: usize,
    gold_right: usize,
    gold_detected: usize,
    traps: usize,
    traps_hit: usize,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.found += o.found;
        self.right += o.right;
        self.gold += o.gold;
        self.gold_right += o.gold_right;
        self.gold_detected += o.gold_detected;
        self.traps += o.traps;
        self.traps_hit += o.traps_hit;
    }
}

fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, la2) = (a.1.to_radians(), b.1.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.0 - a.0).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

fn read_gold(path: &Path) -> Vec<Gold> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let num = |i: usize| f.get(i).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
            Gold {
                start: f[0].parse().expect("start"),
                end: f[1].parse().expect("end"),
                text: f[2].to_string(),
                is_place: f[3] == "place",
                place: f.get(4).unwrap_or(&"").to_string(),
                lon: num(5),
                lat: num(6),
                kind: f.get(7).unwrap_or(&"").to_string(),
            }
        })
        .collect()
}

fn main() {
    let errors = std::env::args().any(|a| a == "--errors");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/geoparse");
    let manifest = std::fs::read_to_string(root.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let g = Gazetteer::embedded().expect("the embedded gazetteer loads");
    let mut table: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for line in manifest.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let (file, lang, split) = (f[0], f[1], f[2]);
        let text = std::fs::read_to_string(root.join(file)).expect("report text");
        let gold = read_gold(&root.join(file.replace(".txt", ".tsv")));
        let found = g.geoparse(&text);
        let mut t = Tally::default();
        let mut gold_right = vec![false; gold.len()];
        let mut gold_detected = vec![false; gold.len()];
        let mut trap_hit = vec![false; gold.len()];
        for m in &found {
            t.found += 1;
            let overlapping: Vec<usize> = (0..gold.len())
                .filter(|&i| gold[i].start < m.end && m.start < gold[i].end)
                .collect();
            let mut right = false;
            for &i in &overlapping {
                let gd = &gold[i];
                if !gd.is_place {
                    trap_hit[i] = true;
                    continue;
                }
                gold_detected[i] = true;
                let d = km((m.place.lon, m.place.lat), (gd.lon, gd.lat));
                let area = matches!(gd.kind.as_str(), "region" | "country" | "water");
                let inside = m.place.bbox.is_some_and(|b| {
                    gd.lon >= b[0] && gd.lon <= b[2] && gd.lat >= b[1] && gd.lat <= b[3]
                });
                // A sea's or a country's "point" is a matter of convention: the same feature
                // by name counts too.
                let same_name = m.place.name.eq_ignore_ascii_case(&gd.place);
                let ok = if area {
                    d <= 250.0 || inside || same_name
                } else {
                    d <= 25.0
                };
                if ok && !gold_right[i] {
                    gold_right[i] = true;
                    right = true;
                } else if errors && split == "dev" && !ok {
                    println!(
                        "{file}\twrong place\t{:?} → {} ({:.0} km from {})",
                        m.text, m.place.name, d, gd.place
                    );
                }
            }
            if right {
                t.right += 1;
            } else if errors && split == "dev" && overlapping.iter().all(|&i| !gold[i].is_place) {
                let why = if overlapping.is_empty() {
                    "spurious".to_string()
                } else {
                    format!("trap ({})", gold[overlapping[0]].text)
                };
                println!("{file}\t{why}\t{:?} → {}", m.text, m.place.name);
            }
        }
        for (i, gd) in gold.iter().enumerate() {
            if gd.is_place {
                t.gold += 1;
                t.gold_right += gold_right[i] as usize;
                t.gold_detected += gold_detected[i] as usize;
                if errors && split == "dev" && !gold_detected[i] {
                    println!("{file}\tmissed\t{:?} ({})", gd.text, gd.place);
                }
            } else {
                t.traps += 1;
                t.traps_hit += trap_hit[i] as usize;
            }
        }
        table
            .entry((split.to_string(), lang.to_string()))
            .or_default()
            .add(t);
    }
    let ratio = |a: usize, b: usize| {
        if b == 0 {
            f64::NAN
        } else {
            a as f64 / b as f64
        }
    };
    println!(
        "| split | language | found | precision | recall | detected | gold places | traps hit |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut totals: BTreeMap<String, Tally> = BTreeMap::new();
    let row = |split: &str, lang: &str, t: &Tally| {
        println!(
            "| {split} | {lang} | {} | {:.3} | {:.3} | {:.3} | {} | {} of {} |",
            t.found,
            ratio(t.right, t.found),
            ratio(t.gold_right, t.gold),
            ratio(t.gold_detected, t.gold),
            t.gold,
            t.traps_hit,
            t.traps
        )
    };
    for ((split, lang), t) in &table {
        row(split, lang, t);
        totals.entry(split.clone()).or_default().add(*t);
    }
    for (split, t) in &totals {
        row(split, "all", t);
    }
}
