//! Synthetic incidents for load tests and benchmarks: clustered around the gazetteer's cities
//! in proportion to their population, spread over a year, with categories and casualty counts
//! in roughly the proportions conflict datasets show. Seeded: the same seed gives the same
//! data.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use time::OffsetDateTime;

use crate::gazetteer::{Gazetteer, Kind};
use crate::model::{Category, Incident, OccurredAt, Precision};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    pub count: usize,
    pub seed: u64,
    /// Countries to place incidents in (ISO alpha-2); empty for the whole world.
    pub countries: Vec<String>,
    /// Unix seconds of the first instant of the year covered.
    pub year_start: i64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            count: 1000,
            seed: 1,
            countries: vec!["KZ".into()],
            // 2023-01-01T00:00:00Z
            year_start: 1_672_531_200,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("no populated places in {0}")]
pub struct NoPlaces(String);

/// (category, share of incidents) — roughly ACLED's mix for unrest in Central Asia.
const MIX: &[(Category, f64)] = &[
    (Category::Protest, 0.45),
    (Category::Riot, 0.12),
    (Category::ArmedClash, 0.07),
    (Category::ViolenceAgainstCivilians, 0.09),
    (Category::Explosion, 0.04),
    (Category::Arrests, 0.12),
    (Category::Deployment, 0.04),
    (Category::Shortage, 0.03),
    (Category::Other, 0.04),
];

/// Generates incidents lazily (millions never sit in memory twice).
pub fn generate<'g>(
    gaz: &'g Gazetteer,
    opts: &SynthOptions,
) -> Result<impl Iterator<Item = Incident> + 'g, NoPlaces> {
    let cities: Vec<(u64, f64, f64, f64, String)> = gaz
        .places()
        .iter()
        .filter(|p| p.kind == Kind::City && p.population > 0)
        .filter(|p| opts.countries.is_empty() || opts.countries.contains(&p.country))
        .map(|p| (p.id, p.lon, p.lat, p.population as f64, p.name.clone()))
        .collect();
    if cities.is_empty() {
        return Err(NoPlaces(opts.countries.join(", ")));
    }
    // Cumulative population, for picking a city in proportion to its size.
    let mut cumulative = Vec::with_capacity(cities.len());
    let mut total = 0.0;
    for c in &cities {
        total += c.3;
        cumulative.push(total);
    }
    let mut rng = SmallRng::seed_from_u64(opts.seed);
    let (seed, start) = (opts.seed, opts.year_start);
    Ok((0..opts.count).map(move |n| {
        let r = rng.random::<f64>() * total;
        let k = cumulative.partition_point(|&c| c < r).min(cities.len() - 1);
        let (place_id, lon, lat, pop, name) = &cities[k];
        // Bigger cities sprawl: about 2 km for 100,000 people, 9 km for two million.
        let spread = 0.02 * (pop / 100_000.0).sqrt().clamp(0.3, 5.0);
        let (dx, dy) = normal_pair(&mut rng);
        let precision = match rng.random::<f64>() {
            p if p < 0.80 => Precision::Exact,
            p if p < 0.92 => Precision::City,
            _ => Precision::Near,
        };
        let (lon, lat) = if precision == Precision::City {
            (*lon, *lat)
        } else {
            (
                (lon + dx * spread / lat.to_radians().cos().max(0.2)).clamp(-180.0, 180.0),
                (lat + dy * spread).clamp(-85.0, 85.0),
            )
        };
        let category = pick_category(rng.random::<f64>());
        let (fatalities, injured, arrested) = casualties(category, &mut rng);
        let secs = start + rng.random_range(0..365 * 86_400);
        let occurred_at = OffsetDateTime::from_unix_timestamp(secs)
            .map(OccurredAt::Instant)
            .expect("a time within a year of 2023 is valid");
        Incident {
            id: format!("syn-{seed}-{n}"),
            lon,
            lat,
            occurred_at,
            category,
            fatalities,
            injured,
            arrested,
            place: Some(name.clone()),
            place_id: Some(*place_id),
            precision,
            source: Some("synthetic".into()),
            notes: None,
            status: Default::default(),
            report_id: None,
            admin1: None,
        }
    }))
}

fn pick_category(u: f64) -> Category {
    let mut acc = 0.0;
    for &(c, share) in MIX {
        acc += share;
        if u < acc {
            return c;
        }
    }
    Category::Other
}

/// A geometric-like count with the given mean (many small, a few large).
fn count(rng: &mut SmallRng, mean: f64) -> u32 {
    let u: f64 = rng.random::<f64>().max(1e-12);
    (-u.ln() * mean).floor() as u32
}

fn casualties(c: Category, rng: &mut SmallRng) -> (Option<u32>, Option<u32>, Option<u32>) {
    match c {
        Category::Protest => (Some(0), Some(count(rng, 0.3)), Some(count(rng, 1.0))),
        Category::Riot => (
            Some(count(rng, 0.3)),
            Some(count(rng, 3.0)),
            Some(count(rng, 5.0)),
        ),
        Category::ArmedClash => (Some(count(rng, 3.0)), Some(count(rng, 4.0)), None),
        Category::ViolenceAgainstCivilians => {
            (Some(count(rng, 1.5) + 1), Some(count(rng, 1.0)), None)
        }
        Category::Explosion => (Some(count(rng, 2.0)), Some(count(rng, 5.0)), None),
        Category::Arrests => (Some(0), None, Some(count(rng, 20.0) + 1)),
        Category::Deployment | Category::Shortage | Category::Other => (None, None, None),
    }
}

/// Two independent standard normal numbers (Box–Muller).
fn normal_pair(rng: &mut SmallRng) -> (f64, f64) {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random::<f64>();
    let r = (-2.0 * u1.ln()).sqrt();
    let t = std::f64::consts::TAU * u2;
    (r * t.cos(), r * t.sin())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_sums_to_one() {
        let s: f64 = MIX.iter().map(|m| m.1).sum();
        assert!((s - 1.0).abs() < 1e-9);
    }

    #[test]
    fn casualty_counts_look_like_conflict_data() {
        let mut rng = SmallRng::seed_from_u64(7);
        let n = 20_000;
        let mean = (0..n).map(|_| count(&mut rng, 3.0) as f64).sum::<f64>() / n as f64;
        assert!((mean - 2.5).abs() < 0.3, "{mean}"); // floor of an exponential of mean 3
    }
}
