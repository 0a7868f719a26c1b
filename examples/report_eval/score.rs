//! Scoring of the report extractor against the hand-coded incidents of
//! `tests/data/reports/{dev,heldout}/*.json` (issue #18), shared by the example and the test.
//!
//! A draft *matches* a coded incident when the category is the same, the dates are at most a
//! day apart, and the place agrees: within 50 km for a city; the same first-level region for
//! a region-level incident; the same country, drafted at country level, for a country-level
//! one. Matching is one-to-one, in the coder's order, each coded incident taking the matching
//! draft closest in day, then in counts. Counts are right when all three
//! (deaths, injured, arrested) equal the coder's (unknown = unknown); dates when equal.

use std::collections::BTreeMap;
use std::path::Path;

use incidentmap::gazetteer::Gazetteer;
use incidentmap::model::{Category, Precision};
use incidentmap::report::{DraftEvent, Lang, ReportText, extract};
use serde_json::Value;
use time::Date;

#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub reports: usize,
    pub gold: usize,
    pub drafts: usize,
    pub matched: usize,
    pub counts_right: usize,
    pub dates_right: usize,
}

impl Tally {
    pub fn precision(&self) -> f64 {
        ratio(self.matched, self.drafts)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.matched, self.gold)
    }
    pub fn counts(&self) -> f64 {
        ratio(self.counts_right, self.matched)
    }
    pub fn dates(&self) -> f64 {
        ratio(self.dates_right, self.matched)
    }
    fn add(&mut self, o: &Tally) {
        self.reports += o.reports;
        self.gold += o.gold;
        self.drafts += o.drafts;
        self.matched += o.matched;
        self.counts_right += o.counts_right;
        self.dates_right += o.dates_right;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Tallies by (split, language), and the mistakes of the development part.
pub struct Scores {
    pub by: BTreeMap<(String, String), Tally>,
    pub errors: Vec<String>,
}

impl Scores {
    pub fn split(&self, split: &str) -> Tally {
        let mut t = Tally::default();
        for ((s, _), v) in &self.by {
            if s == split {
                t.add(v);
            }
        }
        t
    }
}

fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, la2) = (a.1.to_radians(), b.1.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.0 - a.0).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

fn date(s: &str) -> Date {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &f).unwrap_or_else(|e| panic!("date {s:?}: {e}"))
}

fn count(v: &Value) -> Option<u32> {
    v.as_u64().map(|n| n as u32)
}

fn place_agrees(gaz: &Gazetteer, g: &Value, d: &DraftEvent) -> bool {
    let precision = g["precision"].as_str().unwrap_or("city");
    let gold = g["place_id"].as_u64().and_then(|id| gaz.describe(id));
    let drafted = gaz.describe(d.place.id);
    match precision {
        "country" => {
            d.precision == Precision::Country
                && gold
                    .zip(drafted)
                    .is_some_and(|(a, b)| a.country == b.country)
        }
        "region" => gold.zip(drafted).is_some_and(|(a, b)| {
            a.admin1_code.is_some() && a.admin1_code == b.admin1_code && a.country == b.country
        }),
        _ => {
            let g = (g["lon"].as_f64().unwrap(), g["lat"].as_f64().unwrap());
            haversine_km(g, (d.place.lon, d.place.lat)) <= 50.0
        }
    }
}

/// Scores every report of both parts. Mistakes are listed for the development part only.
pub fn score(root: &Path, gaz: &Gazetteer) -> Scores {
    let mut by: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let mut errors = Vec::new();
    for split in ["dev", "heldout"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(split))
            .unwrap_or_else(|e| panic!("{}: {e}", root.join(split).display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for path in files {
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let lang = doc["language"].as_str().unwrap().to_string();
            let x = extract(
                gaz,
                &ReportText {
                    text: doc["text"].as_str().unwrap(),
                    published: date(doc["published_at"].as_str().unwrap()),
                    language: Lang::parse(&lang),
                },
            );
            let gold = doc["incidents"].as_array().unwrap();
            let mut t = Tally {
                reports: 1,
                gold: gold.len(),
                drafts: x.drafts.len(),
                ..Default::default()
            };
            let mut taken = vec![false; x.drafts.len()];
            let show = |d: &DraftEvent| {
                format!(
                    "{} {} {} f={:?} i={:?} a={:?}",
                    d.place.name,
                    d.occurred_at,
                    d.category,
                    d.fatalities.as_ref().map(|c| c.value),
                    d.injured.as_ref().map(|c| c.value),
                    d.arrested.as_ref().map(|c| c.value)
                )
            };
            for g in gold {
                let cat: Category = g["category"].as_str().unwrap().parse().unwrap();
                let day = date(g["date"].as_str().unwrap());
                // Of the drafts that match, the one closest in day, then in counts: a report
                // told over two days may give two drafts of one event, and the scoring should
                // not pair the coder's event with the wrong one of them.
                let gold_counts = (
                    count(&g["fatalities"]),
                    count(&g["injured"]),
                    count(&g["arrested"]),
                );
                let v = |c: &Option<incidentmap::report::Count>| c.as_ref().map(|c| c.value);
                let found = x
                    .drafts
                    .iter()
                    .enumerate()
                    .filter(|(k, d)| {
                        !taken[*k]
                            && d.category == cat
                            && (d.occurred_at - day).whole_days().abs() <= 1
                            && place_agrees(gaz, g, d)
                    })
                    .min_by_key(|(_, d)| {
                        let off = [
                            v(&d.fatalities) != gold_counts.0,
                            v(&d.injured) != gold_counts.1,
                            v(&d.arrested) != gold_counts.2,
                        ];
                        (
                            (d.occurred_at - day).whole_days().abs(),
                            off.iter().filter(|o| **o).count(),
                        )
                    })
                    .map(|(k, _)| k);
                let want = format!(
                    "{} {} {} f={:?} i={:?} a={:?}",
                    g["place"].as_str().unwrap_or(""),
                    day,
                    cat,
                    count(&g["fatalities"]),
                    count(&g["injured"]),
                    count(&g["arrested"])
                );
                let Some(k) = found else {
                    errors.push(format!("{split}/{name} missed: {want}"));
                    continue;
                };
                taken[k] = true;
                let d = &x.drafts[k];
                t.matched += 1;
                let v = |c: &Option<incidentmap::report::Count>| c.as_ref().map(|c| c.value);
                if (v(&d.fatalities), v(&d.injured), v(&d.arrested))
                    == (
                        count(&g["fatalities"]),
                        count(&g["injured"]),
                        count(&g["arrested"]),
                    )
                {
                    t.counts_right += 1;
                } else {
                    errors.push(format!(
                        "{split}/{name} counts: want {want}, got {}",
                        show(d)
                    ));
                }
                if d.occurred_at == day {
                    t.dates_right += 1;
                } else {
                    errors.push(format!("{split}/{name} date: want {want}, got {}", show(d)));
                }
            }
            for (k, d) in x.drafts.iter().enumerate() {
                if !taken[k] {
                    errors.push(format!("{split}/{name} extra: {}", show(d)));
                }
            }
            by.entry((split.to_string(), lang)).or_default().add(&t);
        }
    }
    errors.retain(|e| e.starts_with("dev/"));
    Scores { by, errors }
}
