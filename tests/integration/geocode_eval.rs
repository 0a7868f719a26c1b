//! Geocoder accuracy on tests/data/geocode_eval.tsv: top-1 over real queries in every script
//! (Arabic with and without clitics, Russian, Kazakh Cyrillic and Latin, English, old names,
//! misspellings, regions, countries, "X, Y"), plus nonsense that must come back empty or
//! below 0.5 confidence. Fails under 97%.

use std::collections::BTreeMap;

use incidentmap::gazetteer::GeocodeOptions;

use crate::common::gazetteer;

const EVAL: &str = include_str!("../data/geocode_eval.tsv");
/// Written after the ranking was tuned on EVAL, by someone who had not seen the geocoder's
/// answers: an honest estimate of accuracy on queries nobody tuned for.
const HOLDOUT: &str = include_str!("../data/geocode_holdout.tsv");
const GOAL: f64 = 0.97;
/// The held-out bar: below the development goal, since nothing was tuned on it.
const HOLDOUT_GOAL: f64 = 0.90;

#[test]
fn top1_accuracy_is_at_least_97_percent() {
    let acc = accuracy("development set", EVAL);
    assert!(
        acc >= GOAL,
        "top-1 accuracy {:.1}% is below {:.0}%",
        acc * 100.0,
        GOAL * 100.0
    );
}

#[test]
fn held_out_accuracy_is_at_least_90_percent() {
    let acc = accuracy("held-out set", HOLDOUT);
    assert!(
        acc >= HOLDOUT_GOAL,
        "held-out top-1 accuracy {:.1}% is below {:.0}%",
        acc * 100.0,
        HOLDOUT_GOAL * 100.0
    );
}

/// Top-1 accuracy over a set, printed per group with every miss.
fn accuracy(name: &str, set: &str) -> f64 {
    let gaz = gazetteer();
    let mut per_group: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for line in set
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        let (query, expected, country, group) = (f[0], f[1], f[2], f[3]);
        let results = gaz.geocode(
            query,
            &GeocodeOptions {
                limit: 3,
                country: (!country.is_empty()).then(|| country.to_string()),
                bbox: None,
            },
        );
        let ok = if expected.is_empty() {
            results.first().is_none_or(|r| r.confidence < 0.5)
        } else {
            let want: u64 = expected.parse().unwrap();
            results.first().is_some_and(|r| r.id == want)
        };
        let e = per_group.entry(group.to_string()).or_default();
        e.1 += 1;
        if ok {
            e.0 += 1;
        } else {
            let got = results
                .first()
                .map(|r| format!("{} {} ({}, {:.2})", r.id, r.name, r.kind, r.confidence))
                .unwrap_or_else(|| "nothing".into());
            misses.push(format!(
                "{group:>16} {query:?}: want {expected:?}, got {got}"
            ));
        }
    }
    let (hit, all) = per_group
        .values()
        .fold((0, 0), |(h, a), (gh, ga)| (h + gh, a + ga));
    println!(
        "geocoder, {name}: {hit}/{all} = {:.1}%",
        100.0 * hit as f64 / all as f64
    );
    for (g, (h, a)) in &per_group {
        println!("  {g:>16}: {h}/{a}");
    }
    for m in &misses {
        println!("  miss {m}");
    }
    assert!(
        all >= 100,
        "the {name} has {all} queries; it needs at least 100"
    );
    hit as f64 / all as f64
}
