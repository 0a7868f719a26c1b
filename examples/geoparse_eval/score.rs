//! Scoring the geoparser against the hand-marked corpus in `tests/data/geoparse/`, shared by
//! `examples/geoparse_eval` (the report) and the integration test that holds the development
//! part to its floor.
//!
//! A found mention *matches* a gold place span when the two overlap (a system may return
//! `Kenya` inside `Kenya's`), and is *right* when it also resolves to the place meant —
//! within 25 km for a city, district or other point; for a region, country or body of water
//! within 250 km, with the gold point inside the found area's box, or by the same name.
//! Precision is right mentions over all found; recall is gold places found right over all
//! gold places; "detected" is recall by overlap alone.

// Two binaries include this file and each uses a different part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use incidentmap::gazetteer::geoparse::GeoparseOptions;
use incidentmap::gazetteer::{Gazetteer, GeocodeOptions, GeocodeResult};

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

#[derive(Default, Clone, Copy, Debug)]
pub struct Tally {
    pub found: usize,
    pub right: usize,
    pub gold: usize,
    pub gold_right: usize,
    pub gold_detected: usize,
    /// Gold places the gazetteer knows at all: a lookup of the place's name, or of the
    /// text as written, gives it (the ceiling of recall, whatever the geoparser does).
    pub gold_known: usize,
    pub traps: usize,
    pub traps_hit: usize,
}

impl Tally {
    pub fn add(&mut self, o: Tally) {
        self.found += o.found;
        self.right += o.right;
        self.gold += o.gold;
        self.gold_right += o.gold_right;
        self.gold_detected += o.gold_detected;
        self.gold_known += o.gold_known;
        self.traps += o.traps;
        self.traps_hit += o.traps_hit;
    }

    pub fn precision(&self) -> f64 {
        ratio(self.right, self.found)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.gold_right, self.gold)
    }

    pub fn detected(&self) -> f64 {
        ratio(self.gold_detected, self.gold)
    }

    pub fn known(&self) -> f64 {
        ratio(self.gold_known, self.gold)
    }
}

pub fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}

/// One found mention, for calibration: its split, confidence and whether it was right.
pub struct Judged {
    pub split: String,
    pub confidence: f64,
    pub right: bool,
}

/// What a run over the corpus gives.
#[derive(Default)]
pub struct Scored {
    /// (split, language) → tally.
    pub table: BTreeMap<(String, String), Tally>,
    /// The development part's mistakes, one line each (never the held-out part's).
    pub errors: Vec<String>,
    pub judged: Vec<Judged>,
}

impl Scored {
    /// Tallies per split over all languages.
    pub fn totals(&self) -> BTreeMap<String, Tally> {
        let mut out: BTreeMap<String, Tally> = BTreeMap::new();
        for ((split, _), t) in &self.table {
            out.entry(split.clone()).or_default().add(*t);
        }
        out
    }
}

/// Whether a place found for a gold span is the place meant.
fn resolves_to(gd: &Gold, p: &GeocodeResult) -> bool {
    let d = km((p.lon, p.lat), (gd.lon, gd.lat));
    let area = matches!(gd.kind.as_str(), "region" | "country" | "water");
    let inside = p
        .bbox
        .is_some_and(|b| gd.lon >= b[0] && gd.lon <= b[2] && gd.lat >= b[1] && gd.lat <= b[3]);
    // A sea's or a country's "point" is a matter of convention: the same feature by name
    // counts too.
    let same_name = p.name.eq_ignore_ascii_case(&gd.place);
    if area {
        d <= 250.0 || inside || same_name
    } else {
        d <= 25.0
    }
}

/// Whether the gazetteer has the gold place under its name or the text as written.
fn known(g: &Gazetteer, gd: &Gold) -> bool {
    let opts = GeocodeOptions {
        limit: 25,
        ..Default::default()
    };
    [&gd.place, &gd.text]
        .iter()
        .any(|q| g.geocode(q, &opts).iter().any(|p| resolves_to(gd, p)))
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

/// Geoparses every report of the corpus at `root` and compares with the gold marks.
pub fn score(root: &Path, g: &Gazetteer, min_confidence: f64, want_errors: bool) -> Scored {
    let manifest = std::fs::read_to_string(root.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut errors = Vec::new();
    let mut judged = Vec::new();
    let mut table: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for line in manifest.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let (file, lang, split) = (f[0], f[1], f[2]);
        let text = std::fs::read_to_string(root.join(file)).expect("report text");
        let gold = read_gold(&root.join(file.replace(".txt", ".tsv")));
        let found = g
            .geoparse_with(
                &text,
                &GeoparseOptions {
                    min_confidence,
                    ..Default::default()
                },
            )
            .mentions;
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
                let ok = resolves_to(gd, &m.place);
                if ok && !gold_right[i] {
                    gold_right[i] = true;
                    right = true;
                } else if want_errors && split == "dev" && !ok {
                    errors.push(format!(
                        "{file}\twrong place\t{:?} → {} ({:.0} km from {}) ({})",
                        m.text, m.place.name, d, gd.place, m.place.confidence
                    ));
                }
            }
            judged.push(Judged {
                split: split.to_string(),
                confidence: m.place.confidence,
                right,
            });
            if right {
                t.right += 1;
            } else if want_errors
                && split == "dev"
                && overlapping.iter().all(|&i| !gold[i].is_place)
            {
                let why = if overlapping.is_empty() {
                    "spurious".to_string()
                } else {
                    format!("trap ({})", gold[overlapping[0]].text)
                };
                errors.push(format!(
                    "{file}\t{why}\t{:?} → {} ({})",
                    m.text, m.place.name, m.place.confidence
                ));
            }
        }
        for (i, gd) in gold.iter().enumerate() {
            if gd.is_place {
                t.gold += 1;
                t.gold_right += gold_right[i] as usize;
                t.gold_detected += gold_detected[i] as usize;
                let is_known = gold_right[i] || known(g, gd);
                t.gold_known += is_known as usize;
                if want_errors && split == "dev" && !gold_detected[i] {
                    let why = if is_known {
                        "missed"
                    } else {
                        "not in gazetteer"
                    };
                    errors.push(format!("{file}\t{why}\t{:?} ({})", gd.text, gd.place));
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
    Scored {
        table,
        errors,
        judged,
    }
}
