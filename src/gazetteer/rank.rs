//! Ranking candidates and saying how sure we are.
//!
//! A candidate's score is how well its name matched (exact > alias > transliteration > fuzzy),
//! scaled by how prominent the place is (kind, population, capital), plus the caller's hints
//! (country, bbox, a parent after a comma, the kind the query asked for). Confidence then
//! comes from the match quality and the margin over the best *unrelated* rival: a city and
//! the region named after it are not rivals, two towns called Aktau are.

use serde::Serialize;

use super::data::{Kind, Place, flags};

/// How the query met the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchType {
    /// A current name of the place, in any language.
    Exact,
    /// A historic, colloquial, abbreviated or hand-curated name.
    Alias,
    /// The same name in another romanization.
    Transliteration,
    /// A misspelling within a small edit distance.
    Fuzzy,
}

impl MatchType {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchType::Exact => "exact",
            MatchType::Alias => "alias",
            MatchType::Transliteration => "transliteration",
            MatchType::Fuzzy => "fuzzy",
        }
    }
}

/// How a name matched, before the place is weighed. A hand-curated name (aliases.tsv) is an
/// editorial assertion for the places this service is about, so it counts in full whatever
/// its other flags say; its flags still classify it (a curated historic name is an alias, and
/// does not let a city take over a region's current name — see [`city_beats_region`]).
pub fn name_match(name_flags: u8) -> (MatchType, f64) {
    if name_flags & flags::CURATED != 0 {
        let t = if name_flags & (flags::HISTORIC | flags::COLLOQUIAL | flags::ABBR) != 0 {
            MatchType::Alias
        } else {
            MatchType::Exact
        };
        (t, 1.0)
    } else if name_flags & flags::HISTORIC != 0 {
        (MatchType::Alias, 0.88)
    } else if name_flags & flags::ABBR != 0 {
        (MatchType::Alias, 0.85)
    } else if name_flags & flags::COLLOQUIAL != 0 {
        (MatchType::Alias, 0.9)
    } else {
        (MatchType::Exact, 1.0)
    }
}

/// How many edits a misspelling of a name this long may have: none for short names (too many
/// real names lie one edit apart), one from 5 letters, two from 9.
pub fn fuzzy_budget(len: usize) -> Option<usize> {
    match len {
        0..=4 => None,
        5..=8 => Some(1),
        _ => Some(2),
    }
}

/// Weight of a match `d` edits away.
pub fn fuzzy_weight(d: usize) -> f64 {
    match d {
        0 | 1 => 0.85,
        _ => 0.65,
    }
}

/// Weight of a transliteration match.
pub const TRANSLITERATION_WEIGHT: f64 = 0.82;

/// How prominent a place is, 0..1: what a reader most likely means by a bare name. Cities
/// scale with the logarithm of their population (1,000 → 0, 100,000 → 0.5, 10 million → 1),
/// so a city of 150,000 clearly outranks a village of 10,000 with the same name.
pub fn importance(p: &Place) -> f64 {
    let pop = ((p.population.max(1) as f64).log10() - 3.0) / 4.0;
    match p.kind {
        Kind::Country => 1.0,
        // The water bodies the gazetteer has are the seas and great lakes news names: more
        // famous than a province named after them (the Red Sea, not Egypt's Red Sea
        // governorate).
        Kind::Water => 0.95,
        Kind::Region => 0.8,
        Kind::District => 0.55,
        Kind::City => {
            let capital = if p.feature_code == "PPLC" { 0.1 } else { 0.0 };
            (pop.clamp(0.0, 1.0) + capital).min(1.0)
        }
    }
}

/// Combines match quality and prominence.
pub fn base_score(match_weight: f64, p: &Place) -> f64 {
    match_weight * (0.7 + 0.3 * importance(p))
}

/// Whether two places are the same thing seen at two levels — a city and a region or country
/// of the same country — so that they do not make each other doubtful: choosing between them
/// is a question of precision, not of which place was meant.
pub fn related(a: &Place, b: &Place) -> bool {
    let levels = (a.kind == Kind::City) != (b.kind == Kind::City)
        || matches!(
            (a.kind, b.kind),
            (Kind::Region | Kind::District, Kind::Country)
                | (Kind::Country, Kind::Region | Kind::District)
        );
    a.country == b.country && levels
}

/// Whether a city should win over a region that matched the same query (CLIFF-CLAVIN's rule:
/// "Karaganda" is the city, not the region named after it). It does when the city is a major
/// place — a seat, or a city of 100,000 — inside or at that region, unless the region was
/// matched by its own current name and the city only by one of its old names: Taraz, once
/// Zhambyl, does not take "Zhambyl" from the region that bears that name today (but "Dzhambul",
/// an old name of both, is the city). The caller skips the rule when the query asked for a
/// region.
pub fn city_beats_region(city: &Place, city_flags: u8, region: &Place, region_flags: u8) -> bool {
    let old_name_against_current =
        city_flags & flags::HISTORIC != 0 && region_flags & flags::MAIN != 0;
    let same_region = city.admin1 == region.admin1;
    // Regions are redrawn (Shymkent left Turkistan region in 2018) and some have no box: a
    // large city within the region's box, or at its point, counts as inside.
    let inside = same_region
        || region.bbox.is_some_and(|b| b.contains(city.lon, city.lat))
        || region.bbox.is_none()
            && (city.lon - region.lon).abs() < 0.5
            && (city.lat - region.lat).abs() < 0.5;
    let major_here = (same_region && city.is_seat()) || (city.population >= 100_000 && inside);
    city.kind == Kind::City
        && !old_name_against_current
        && city.country == region.country
        && major_here
}

/// Confidence 0..1 from the winner's match weight and its margin over the best unrelated
/// rival's score.
pub fn confidence(match_weight: f64, margin: Option<f64>) -> f64 {
    let certainty = match margin {
        None => 1.0,
        Some(m) => 0.55 + 0.45 * (m / 0.12).clamp(0.0, 1.0),
    };
    (match_weight * certainty).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(kind: Kind, pop: u64, code: &str, admin1: &str) -> Place {
        Place {
            id: 1,
            kind,
            name: "x".into(),
            country: "KZ".into(),
            admin1: admin1.into(),
            lon: 0.0,
            lat: 0.0,
            population: pop,
            bbox: None,
            feature_code: code.into(),
            largest_in_region: false,
            towns_population: 0,
        }
    }

    #[test]
    fn big_cities_outrank_villages() {
        let city = place(Kind::City, 180_000, "PPLA", "KZ.09");
        let village = place(Kind::City, 900, "PPL", "KZ.12");
        assert!(base_score(1.0, &city) > base_score(1.0, &village) + 0.05);
    }

    #[test]
    fn a_current_name_beats_an_old_name_of_a_bigger_city() {
        // "Zhambyl": the region's own name vs the old name of Taraz.
        let region = place(Kind::Region, 0, "ADM1", "KZ.17");
        let taraz = place(Kind::City, 358_153, "PPLA", "KZ.17");
        let (_, old) = name_match(flags::HISTORIC);
        assert!(base_score(1.0, &region) > base_score(old, &taraz));
    }

    #[test]
    fn city_and_region_are_not_rivals() {
        let city = place(Kind::City, 300_000, "PPLA", "KZ.14");
        let region = place(Kind::Region, 0, "ADM1", "KZ.14");
        let other = place(Kind::City, 5_000, "PPL", "KZ.04");
        let mut abroad = region.clone();
        abroad.country = "UZ".into();
        assert!(related(&city, &region));
        assert!(!related(&city, &other));
        assert!(!related(&city, &abroad));
    }

    #[test]
    fn confidence_falls_with_a_close_rival() {
        assert_eq!(confidence(1.0, None), 1.0);
        assert!(confidence(1.0, Some(0.0)) < 0.6);
        assert!(confidence(1.0, Some(0.2)) > 0.99);
        assert!(confidence(0.82, Some(0.05)) < confidence(1.0, Some(0.05)));
    }
}
