//! The offline gazetteer and geocoder: places with their names in every script, looked up by
//! any spelling, ranked, and answered with how sure and how precise the match is.
//!
//! - [`normalize`]: folding text so spellings meet;
//! - [`query`]: taking a query apart (parents, generic words, "near", clitics);
//! - [`index`]: the name → places maps;
//! - [`rank`]: scores and confidence;
//! - [`stem`]: Russian stems, where inflected names meet the nominative;
//! - [`words`]: ordinary language (common words, demonyms) that geoparsing must not take for places;
//! - [`geoparse`]: finding places in running text;
//! - [`outlines`]: country and region outlines, and which hold a point; [`areas`]: the
//!   nearest settlement's region where none does;
//! - [`labels`]: which places a map names at each zoom, none overlapping;
//! - [`data`]: the records and the TSV reader.

pub mod areas;
pub mod data;
pub mod fuzzy;
pub mod geonames;
pub mod geoparse;
pub mod index;
pub mod labels;
pub mod normalize;
pub mod outlines;
pub mod query;
pub mod rank;
pub mod skeleton;
pub mod stem;
pub mod words;

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::bbox::Bbox;
use crate::model::Precision;
pub use data::{DataError, Kind, Place};
use data::{Name, flags};
use index::{NameIndex, NameRec, Posting};
pub use rank::MatchType;

#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("{file}: place id {id} is listed twice")]
    DuplicatePlace { file: String, id: u64 },
    #[error("{file}: name {name:?} refers to place id {id}, which no places file defines")]
    UnknownPlace { file: String, id: u64, name: String },
}

/// One set of gazetteer files, already read into memory.
pub struct Files<'a> {
    /// For error messages: the directory or "embedded".
    pub origin: &'a str,
    pub places: &'a str,
    pub names: &'a str,
    pub aliases: &'a str,
    /// Country and region outlines (outlines.tsv), or empty.
    pub outlines: &'a str,
}

/// The gazetteer shipped in `gazetteer/`, compiled into the binary so that it runs anywhere.
pub const EMBEDDED: Files<'static> = Files {
    origin: "gazetteer",
    places: include_str!("../../gazetteer/places.tsv"),
    names: include_str!("../../gazetteer/names.tsv"),
    aliases: include_str!("../../gazetteer/aliases.tsv"),
    outlines: include_str!("../../gazetteer/outlines.tsv"),
};

/// What the caller knows that narrows a lookup.
#[derive(Debug, Clone, Default)]
pub struct GeocodeOptions {
    /// Most results to return.
    pub limit: usize,
    /// Prefer places in this country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// Prefer places inside this box.
    pub bbox: Option<Bbox>,
}

/// One answer to a lookup.
#[derive(Debug, Clone, Serialize)]
pub struct GeocodeResult {
    pub id: u64,
    pub name: String,
    pub kind: Kind,
    pub country: String,
    /// Name of the first-level region the place is in (or is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin1_code: Option<String>,
    pub lon: f64,
    pub lat: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bbox: Option<[f64; 4]>,
    pub population: u64,
    #[serde(rename = "match")]
    pub match_type: MatchType,
    pub matched_name: String,
    pub confidence: f64,
    /// The incident precision a point taken from this match has.
    pub precision: Precision,
    #[serde(skip)]
    pub score: f64,
}

pub struct Gazetteer {
    places: Vec<Place>,
    names: Vec<NameRec>,
    by_id: HashMap<u64, u32>,
    admin1: HashMap<String, u32>,
    countries: HashMap<String, u32>,
    index: NameIndex,
    /// Ordinary language, for geoparsing: frequent words and demonyms.
    words: words::Words,
    /// The settlements by position, for the area of a point (built on first use).
    areas: std::sync::OnceLock<areas::Areas>,
    /// The outlines' files (origin, text), parsed on first use into `outlines`.
    outline_files: Vec<(String, String)>,
    outlines: std::sync::OnceLock<outlines::Outlines>,
    /// Names of countries and regions by place (indices into `names`), built on first use.
    area_names: std::sync::OnceLock<HashMap<u32, Vec<u32>>>,
    /// The places the base map names and at which zooms, chosen on first use.
    labels: std::sync::OnceLock<Vec<Label>>,
    /// Latin names by consonant skeleton, for Arabic text (built on first use).
    skeletons: std::sync::OnceLock<skeleton::SkeletonIndex>,
}

/// A place the base map names ([`labels`]): a country or a town, with the zooms (bit z)
/// it is named at and its names (indices into the gazetteer's names).
pub struct Label {
    pub place: u32,
    pub placement: labels::Placement,
    names: Vec<u32>,
}

/// The languages the map page offers place names in: their widths decide which labels fit.
pub const LABEL_LANGUAGES: [&str; 4] = ["en", "ar", "ru", "kk"];

/// The country and first-level region an incident is counted in, as indices of places.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Area {
    pub country: Option<u32>,
    pub region: Option<u32>,
}

/// What the ranking knows besides the names: the query's hints and the caller's biases.
struct Context<'a> {
    kind_hint: Option<Kind>,
    near: bool,
    parents: Vec<&'a Place>,
    country: Option<&'a str>,
    bbox: Option<Bbox>,
}

/// Candidates by place, keeping each place's best match.
#[derive(Default, Clone)]
struct Candidates(HashMap<u32, Cand>);

impl Candidates {
    fn offer(&mut self, c: Cand) {
        self.0
            .entry(c.place)
            .and_modify(|old| {
                if c.weight > old.weight {
                    *old = c
                }
            })
            .or_insert(c);
    }
}

/// A place found for a query, before ranking.
#[derive(Debug, Clone, Copy)]
struct Cand {
    place: u32,
    name: u32,
    match_type: MatchType,
    weight: f64,
    score: f64,
}

impl Gazetteer {
    /// The gazetteer compiled into the binary.
    pub fn embedded() -> Result<Gazetteer, GazetteerError> {
        Gazetteer::from_files(&[EMBEDDED])
    }

    /// The embedded gazetteer plus the files in `dir` (places.tsv, names.tsv, aliases.tsv,
    /// each optional). Places in `dir` replace embedded places with the same id.
    pub fn embedded_with_dir(dir: &Path) -> Result<Gazetteer, GazetteerError> {
        let read = |f: &str| -> Result<String, GazetteerError> {
            let p = dir.join(f);
            match std::fs::read_to_string(&p) {
                Ok(s) => Ok(s),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
                Err(source) => Err(DataError::Io {
                    file: p.display().to_string(),
                    source,
                }
                .into()),
            }
        };
        let (places, names, aliases, outlines) = (
            read("places.tsv")?,
            read("names.tsv")?,
            read("aliases.tsv")?,
            read("outlines.tsv")?,
        );
        let origin = dir.display().to_string();
        Gazetteer::from_files(&[
            EMBEDDED,
            Files {
                origin: &origin,
                places: &places,
                names: &names,
                aliases: &aliases,
                outlines: &outlines,
            },
        ])
    }

    /// Builds a gazetteer from sets of files; later sets override earlier places by id.
    pub fn from_files(sets: &[Files<'_>]) -> Result<Gazetteer, GazetteerError> {
        // The word lists load on their own thread while the files are parsed (one core).
        let words = std::thread::spawn(words::Words::embedded);
        let mut places: Vec<Place> = Vec::new();
        let mut by_id: HashMap<u64, u32> = HashMap::new();
        // (the file of each name, by index: a copy of its path per name cost 600,000
        // allocations at load)
        let mut files: Vec<String> = Vec::new();
        let mut all_names: Vec<(usize, Name)> = Vec::new();
        for set in sets {
            let file = format!("{}/places.tsv", set.origin);
            let mut seen = std::collections::HashSet::new();
            for p in data::parse_places(&file, set.places)? {
                if !seen.insert(p.id) {
                    return Err(GazetteerError::DuplicatePlace { file, id: p.id });
                }
                match by_id.get(&p.id) {
                    Some(&i) => places[i as usize] = p,
                    None => {
                        by_id.insert(p.id, places.len() as u32);
                        places.push(p);
                    }
                }
            }
            let file = format!("{}/names.tsv", set.origin);
            let parsed = data::parse_names(&file, set.names, 0)?;
            files.push(file);
            all_names.extend(parsed.into_iter().map(|n| (files.len() - 1, n)));
            let file = format!("{}/aliases.tsv", set.origin);
            let parsed = data::parse_names(&file, set.aliases, flags::CURATED)?;
            files.push(file);
            all_names.extend(parsed.into_iter().map(|n| (files.len() - 1, n)));
        }

        // Main names first, so that among equally good names the main one is shown.
        let mut names: Vec<NameRec> = places
            .iter()
            .enumerate()
            .map(|(i, p)| NameRec {
                place: i as u32,
                text: p.name.as_str().into(),
                lang: "".into(),
                flags: flags::MAIN,
            })
            .collect();
        for (file, n) in all_names {
            let Some(&place) = by_id.get(&n.place_id) else {
                return Err(GazetteerError::UnknownPlace {
                    file: files[file].clone(),
                    id: n.place_id,
                    name: n.text,
                });
            };
            names.push(NameRec {
                place,
                text: n.text.into(),
                lang: n.lang.into(),
                flags: n.flags,
            });
        }

        // The largest city of each region stands in for its seat (the data has no PPLA codes).
        let mut largest: HashMap<&str, usize> = HashMap::new();
        for (i, p) in places.iter().enumerate() {
            if p.kind == Kind::City && !p.admin1.is_empty() {
                let e = largest.entry(p.admin1.as_str()).or_insert(i);
                if places[*e].population < p.population {
                    *e = i;
                }
            }
        }
        let seats: Vec<usize> = largest.into_values().collect();
        for i in seats {
            places[i].largest_in_region = true;
        }
        let mut towns: HashMap<String, u64> = HashMap::new();
        for p in places
            .iter()
            .filter(|p| p.kind == Kind::City && !p.admin1.is_empty())
        {
            *towns.entry(p.admin1.clone()).or_default() += p.population;
        }
        for p in places.iter_mut().filter(|p| p.kind == Kind::Region) {
            p.towns_population = towns.get(&p.admin1).copied().unwrap_or(0);
        }

        let mut admin1 = HashMap::new();
        let mut countries = HashMap::new();
        for (i, p) in places.iter().enumerate() {
            match p.kind {
                // Regions that are no first-level division (Darfur, the Sahel) have no code.
                Kind::Region if !p.admin1.is_empty() => {
                    admin1.insert(p.admin1.clone(), i as u32);
                }
                Kind::Country => {
                    countries.insert(p.country.clone(), i as u32);
                }
                _ => {}
            }
        }
        let index = NameIndex::build(&names);
        Ok(Gazetteer {
            places,
            names,
            by_id,
            admin1,
            countries,
            index,
            words: words.join().expect("word list thread panicked")?,
            areas: std::sync::OnceLock::new(),
            outline_files: sets
                .iter()
                .filter(|s| !s.outlines.is_empty())
                .map(|s| (format!("{}/outlines.tsv", s.origin), s.outlines.to_string()))
                .collect(),
            outlines: std::sync::OnceLock::new(),
            area_names: std::sync::OnceLock::new(),
            skeletons: std::sync::OnceLock::new(),
            labels: std::sync::OnceLock::new(),
        })
    }

    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// Builds the lazily built parts (the misspelling index, the skeleton index) now. Servers
    /// call this on a background thread at start, so the first misspelled query or Arabic
    /// text does not pay for it.
    pub fn prepare(&self) {
        self.index.prepare_fuzzy();
        self.skeletons();
    }

    /// Latin names by consonant skeleton ([`skeleton`]).
    fn skeletons(&self) -> &skeleton::SkeletonIndex {
        self.skeletons
            .get_or_init(|| skeleton::SkeletonIndex::build(&self.names))
    }

    /// Parses the outlines and indexes the settlements by position now, so the first request
    /// that needs an area does not pay for it. Servers call this on a background thread once
    /// the incidents are indexed: it would compete with that for the cores.
    pub fn prepare_areas(&self) {
        self.outlines();
        self.areas.get_or_init(|| areas::Areas::build(&self.places));
        let t = std::time::Instant::now();
        let n = self.labels().len();
        tracing::debug!(
            labels = n,
            ms = t.elapsed().as_millis() as u64,
            "base map names chosen"
        );
    }

    /// The countries and towns the base map names, most important first, with the zooms
    /// at which each is named ([`labels::choose`]), chosen on first use.
    pub fn labels(&self) -> &[Label] {
        self.labels.get_or_init(|| {
            let mut order: Vec<u32> = (0..self.places.len() as u32)
                .filter(|&i| matches!(self.places[i as usize].kind, Kind::Country | Kind::City))
                .collect();
            // Countries, then capitals, then towns by size; ids break ties so the choice
            // is the same on every run.
            order.sort_by_key(|&i| {
                let p = &self.places[i as usize];
                (
                    p.kind != Kind::Country,
                    p.feature_code != "PPLC",
                    std::cmp::Reverse(p.population),
                    p.id,
                )
            });
            let order: std::collections::HashMap<u32, usize> =
                order.into_iter().enumerate().map(|(k, i)| (i, k)).collect();
            let mut labels: Vec<Label> = Vec::with_capacity(order.len());
            labels.resize_with(order.len(), || Label {
                place: 0,
                placement: Default::default(),
                names: Vec::new(),
            });
            for (&i, &k) in &order {
                labels[k].place = i;
            }
            for (n, rec) in self.names.iter().enumerate() {
                if let Some(&k) = order.get(&rec.place)
                    && !rec.lang.is_empty()
                    && rec.flags & (flags::ABBR | flags::HISTORIC | flags::COLLOQUIAL) == 0
                {
                    labels[k].names.push(n as u32);
                }
            }
            let candidates: Vec<labels::Candidate> = labels
                .iter()
                .map(|l| {
                    let p = &self.places[l.place as usize];
                    let width = LABEL_LANGUAGES
                        .iter()
                        .map(|lang| labels::text_width(self.label_name(l, lang).0))
                        .fold(0.0, f64::max);
                    labels::Candidate {
                        lon: p.lon,
                        lat: p.lat,
                        width,
                        kind: match p.kind {
                            Kind::Country => labels::LabelKind::Country,
                            _ => labels::LabelKind::Town {
                                capital: p.feature_code == "PPLC",
                                population: p.population,
                            },
                        },
                    }
                })
                .collect();
            for (l, p) in labels.iter_mut().zip(labels::choose(&candidates)) {
                l.placement = p;
            }
            labels.retain(|l| l.placement.zooms != 0);
            labels
        })
    }

    /// A label's name in a language (and that language), or its main name (and `None`)
    /// where the gazetteer has none in it. Of several names, a preferred one in the
    /// language's own script wins (GeoNames lists Kazakh names in Latin and Cyrillic).
    pub fn label_name<'a>(&'a self, label: &Label, lang: &str) -> (&'a str, Option<&'a str>) {
        let main = &self.places[label.place as usize].name;
        if lang == "en" {
            return (main, None);
        }
        let script = |text: &str| -> bool {
            let range = match lang {
                "ar" | "fa" | "ur" | "ps" => '\u{0600}'..='\u{06FF}',
                "ru" | "kk" | "uk" | "be" | "bg" | "ky" | "tg" | "mn" | "sr" => {
                    '\u{0400}'..='\u{04FF}'
                }
                _ => return true,
            };
            text.chars().any(|c| range.contains(&c))
        };
        // Reversed, so that of equally good names the first listed wins.
        label
            .names
            .iter()
            .rev()
            .map(|&n| &self.names[n as usize])
            .filter(|n| &*n.lang == lang)
            .max_by_key(|n| {
                (
                    script(&n.text),
                    n.flags & flags::PREFERRED != 0,
                    n.flags & flags::SHORT == 0,
                )
            })
            .map_or((main.as_str(), None), |n| (&*n.text, Some(&*n.lang)))
    }

    /// The country and region outlines, parsed on first use (the last file that has any
    /// wins; a file that does not parse is reported and skipped).
    pub fn outlines(&self) -> &outlines::Outlines {
        self.outlines.get_or_init(|| {
            let by_id = |id| self.by_id.get(&id).copied();
            let mut all = outlines::Outlines::default();
            for (file, text) in &self.outline_files {
                match outlines::Outlines::parse(file, text, by_id) {
                    Ok(o) => all = o,
                    Err(e) => tracing::warn!("{e}"),
                }
            }
            all
        })
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// A short text that differs between gazetteers of different content (the counts of
    /// places, names and outline files' bytes), for ETags of what is derived from it alone.
    pub fn fingerprint(&self) -> String {
        let outline_bytes: usize = self.outline_files.iter().map(|(_, t)| t.len()).sum();
        format!(
            "{}:{}:{}",
            self.places.len(),
            self.names.len(),
            outline_bytes
        )
    }

    pub fn names_len(&self) -> usize {
        self.names.len()
    }

    /// A place by its id.
    pub fn place(&self, id: u64) -> Option<&Place> {
        self.by_id.get(&id).map(|&i| &self.places[i as usize])
    }

    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// The region a place lies in (or is).
    pub fn region_of(&self, p: &Place) -> Option<&Place> {
        self.admin1
            .get(&p.admin1)
            .map(|&i| &self.places[i as usize])
    }

    /// A country's or region's name in each language the gazetteer has one for (the first of
    /// each language), as (language, name); the main name under "".
    pub fn area_names(&self, place: u32) -> Vec<(&str, &str)> {
        let index = self.area_names.get_or_init(|| {
            let mut m: HashMap<u32, Vec<u32>> = HashMap::new();
            for (k, n) in self.names.iter().enumerate() {
                if matches!(
                    self.places[n.place as usize].kind,
                    Kind::Country | Kind::Region
                ) {
                    m.entry(n.place).or_default().push(k as u32);
                }
            }
            m
        });
        let mut out: Vec<(&str, &str)> = Vec::new();
        for &k in index.get(&place).map(Vec::as_slice).unwrap_or_default() {
            let n = &self.names[k as usize];
            if !out.iter().any(|(l, _)| *l == &*n.lang) {
                out.push((&n.lang, &n.text));
            }
        }
        out
    }

    /// The index of a place (as in [`Area`] and the outlines) by its id.
    pub fn index_of(&self, id: u64) -> Option<u32> {
        self.by_id.get(&id).copied()
    }

    /// A place by its index (as in [`Area`]).
    pub fn place_at(&self, i: u32) -> &Place {
        &self.places[i as usize]
    }

    /// The area an incident is counted in: its gazetteer place's when it has one (a region
    /// is its own region; a country has none), else the nearest settlement's
    /// ([`areas::Areas`]); a country-level incident only in its country.
    pub fn area_of(&self, lon: f64, lat: f64, place_id: Option<u64>, country_level: bool) -> Area {
        let mut outlined = Area::default();
        if place_id.is_none() {
            for i in self.outlines().containing(lon, lat) {
                match self.places[i as usize].kind {
                    Kind::Country => outlined.country = outlined.country.or(Some(i)),
                    Kind::Region if !country_level => outlined.region = outlined.region.or(Some(i)),
                    _ => {}
                }
            }
            if outlined.country.is_some() && (outlined.region.is_some() || country_level) {
                return outlined;
            }
        }
        let place = place_id
            .and_then(|id| self.by_id.get(&id).copied())
            .or_else(|| {
                self.areas
                    .get_or_init(|| areas::Areas::build(&self.places))
                    .nearest(lon, lat)
            });
        let from_place = place.map_or(Area::default(), |i| {
            let p = &self.places[i as usize];
            Area {
                country: self.countries.get(&p.country).copied(),
                region: match p.kind {
                    _ if country_level => None,
                    Kind::Region => Some(i),
                    _ => self.admin1.get(&p.admin1).copied(),
                },
            }
        });
        match outlined.country {
            // In a country's outline but in no region's (a sliver between simplified
            // borders): the country stays; the nearest settlement's region only if it is in
            // that country.
            Some(c) => Area {
                country: Some(c),
                region: from_place.region.filter(|_| from_place.country == Some(c)),
            },
            None => from_place,
        }
    }

    pub fn country(&self, code: &str) -> Option<&Place> {
        self.countries.get(code).map(|&i| &self.places[i as usize])
    }

    /// The answer for one place, as if it had been matched exactly by its main name.
    pub fn describe(&self, id: u64) -> Option<GeocodeResult> {
        let &i = self.by_id.get(&id)?;
        Some(self.result(
            Cand {
                place: i,
                name: i, // main names come first: name i is place i's main name
                match_type: MatchType::Exact,
                weight: 1.0,
                score: 1.0,
            },
            1.0,
            false,
        ))
    }

    /// Looks a place name up. Best first; empty when nothing matches.
    pub fn geocode(&self, q: &str, opts: &GeocodeOptions) -> Vec<GeocodeResult> {
        let parsed = query::parse(q);
        if parsed.literal.is_empty() {
            return Vec::new();
        }
        let variants = query::variants(&parsed);
        let mut cands = Candidates::default();
        for v in &variants {
            self.exact_candidates(&v.key, v.weight, parsed.kind_hint, &mut cands);
        }
        for v in variants.iter().filter(|v| !v.clitic) {
            let key = normalize::phonetic(&v.folded);
            if key.len() < 3 {
                continue;
            }
            for p in self.index.phonetic(&key) {
                cands.offer(cand(
                    p,
                    MatchType::Transliteration,
                    rank::TRANSLITERATION_WEIGHT,
                ));
            }
        }
        // Misspellings are tried only when nothing matched as written (as Mordecai does):
        // an edit-distance neighbour of a real name is more often another real name.
        if cands.0.is_empty() {
            for v in variants.iter().filter(|v| !v.clitic) {
                self.fuzzy_candidates(&v.key, parsed.kind_hint, &mut cands);
            }
        }
        let ctx = Context {
            kind_hint: parsed.kind_hint,
            near: parsed.near,
            parents: self.resolve_parents(&parsed.parents),
            country: opts.country.as_deref(),
            bbox: opts.bbox,
        };
        self.rank(cands, &ctx, opts.limit.max(1))
    }

    /// Every place bearing the exact key, weighted.
    fn exact_candidates(&self, key: &str, weight: f64, hint: Option<Kind>, out: &mut Candidates) {
        for p in self.index.exact(key) {
            let flags = self.names[p.name as usize].flags;
            let (match_type, mut w) = rank::name_match(flags);
            // "Almaty region" should not land on "Almaty Qalasy" (Almaty city as a region)
            // when "Almaty Oblysy" is there. And a bare "Dzhambul" should prefer the city once
            // called that over "Dzhambul Oblast": a name that needed its generic word dropped
            // matches a little less.
            match (p.qualifier, hint) {
                (Some(q), Some(h)) if q != h => w *= 0.9,
                (Some(_), None) => w *= 0.93,
                _ => {}
            }
            out.offer(cand(p, match_type, w * weight));
        }
    }

    /// Places with a Cyrillic name whose Russian stem key is `key` (an inflected mention).
    fn stemmed_candidates(&self, key: &str, weight: f64, out: &mut Candidates) {
        for p in self.index.stemmed(key) {
            let flags = self.names[p.name as usize].flags;
            let (match_type, w) = rank::name_match(flags);
            out.offer(cand(p, match_type, w * weight));
        }
    }

    /// Places whose names are a small edit away from the key.
    fn fuzzy_candidates(&self, key: &str, hint: Option<Kind>, out: &mut Candidates) {
        let len = key.chars().count();
        let Some(max) = rank::fuzzy_budget(len) else {
            return;
        };
        for (k, d) in self.index.fuzzy(key, max) {
            let weight = rank::fuzzy_weight(d);
            for p in self.index.exact(k) {
                let mut c = cand(p, MatchType::Fuzzy, weight);
                if p.qualifier.is_some() && p.qualifier != hint {
                    c.weight *= 0.93;
                }
                out.offer(c);
            }
        }
    }

    /// Scores, orders and describes candidates.
    fn rank(&self, cands: Candidates, ctx: &Context<'_>, limit: usize) -> Vec<GeocodeResult> {
        let mut ranked: Vec<Cand> = cands
            .0
            .into_values()
            .map(|mut c| {
                let p = &self.places[c.place as usize];
                let mut s = rank::base_score(c.weight, p);
                if let Some(k) = ctx.kind_hint {
                    let fits = k == p.kind
                        || matches!(
                            (k, p.kind),
                            (Kind::Region, Kind::District) | (Kind::District, Kind::Region)
                        );
                    if fits {
                        s += 0.08;
                    } else {
                        // not what was asked for: ranked lower, and less sure
                        s -= 0.15;
                        c.weight *= 0.85;
                    }
                }
                if ctx
                    .country
                    .is_some_and(|cc| cc.eq_ignore_ascii_case(&p.country))
                {
                    s += 0.1;
                }
                if ctx.bbox.is_some_and(|b| b.contains(p.lon, p.lat)) {
                    s += 0.1;
                }
                if !ctx.parents.is_empty() {
                    let inside = ctx.parents.iter().any(|par| {
                        par.country == p.country
                            && (par.kind == Kind::Country || par.admin1 == p.admin1)
                            && par.id != p.id
                    });
                    s += if inside { 0.15 } else { -0.15 };
                }
                c.score = s;
                c
            })
            .collect();

        // A region yields to the major city of the same name unless the query asked for a
        // region or the region matched better (CLIFF-CLAVIN's rule).
        if ctx.kind_hint != Some(Kind::Region) {
            let cities: Vec<Cand> = ranked
                .iter()
                .filter(|c| self.places[c.place as usize].kind == Kind::City)
                .copied()
                .collect();
            for r in ranked.iter_mut() {
                let rp = &self.places[r.place as usize];
                if !matches!(rp.kind, Kind::Region | Kind::District) {
                    continue;
                }
                let region_flags = self.names[r.name as usize].flags;
                if let Some(c) = cities.iter().find(|c| {
                    let flags = self.names[c.name as usize].flags;
                    c.weight >= r.weight * 0.85
                        && rank::city_beats_region(
                            &self.places[c.place as usize],
                            flags,
                            rp,
                            region_flags,
                        )
                }) {
                    r.score = r.score.min(c.score - 0.01);
                }
            }
        }

        ranked.sort_by(|a, b| {
            let (pa, pb) = (
                &self.places[a.place as usize],
                &self.places[b.place as usize],
            );
            b.score
                .total_cmp(&a.score)
                .then(pb.population.cmp(&pa.population))
                .then(pa.id.cmp(&pb.id))
        });
        (0..ranked.len().min(limit))
            .map(|i| {
                let c = ranked[i];
                let me = &self.places[c.place as usize];
                let rival = ranked
                    .iter()
                    .enumerate()
                    .filter(|(j, o)| *j != i && !rank::related(me, &self.places[o.place as usize]))
                    .map(|(_, o)| o.score)
                    .next();
                let mut sure = c.weight;
                if c.match_type == MatchType::Fuzzy {
                    // A slip is believable for a place people write about, much less for a
                    // hamlet: scale how sure we are by prominence.
                    sure *= 0.5 + 0.5 * rank::importance(me);
                }
                let confidence = rank::confidence(sure, rival.map(|r| c.score - r));
                self.result(c, confidence, ctx.near)
            })
            .collect()
    }

    /// Places named by the parts after commas ("…, Mangystau, Kazakhstan"): countries and
    /// regions only.
    fn resolve_parents(&self, parents: &[String]) -> Vec<&Place> {
        let mut out = Vec::new();
        for p in parents {
            let parsed = query::parse(p);
            for v in query::variants(&parsed) {
                for post in self.index.exact(&v.key) {
                    let place = &self.places[post.place as usize];
                    if matches!(place.kind, Kind::Country | Kind::Region | Kind::District) {
                        out.push(place);
                    }
                }
            }
        }
        out
    }

    fn result(&self, c: Cand, confidence: f64, near: bool) -> GeocodeResult {
        let p = &self.places[c.place as usize];
        let region = self.region_of(p);
        let precision = match (near, p.kind.precision()) {
            (true, Precision::City | Precision::Exact) => Precision::Near,
            (_, prec) => prec,
        };
        GeocodeResult {
            id: p.id,
            name: p.name.clone(),
            kind: p.kind,
            country: p.country.clone(),
            admin1: region.map(|r| r.name.clone()),
            admin1_code: (!p.admin1.is_empty()).then(|| p.admin1.clone()),
            lon: round(p.lon, 5),
            lat: round(p.lat, 5),
            bbox: p.bbox.map(|b| [b.west, b.south, b.east, b.north]),
            population: p.population,
            match_type: c.match_type,
            matched_name: self.names[c.name as usize].text.to_string(),
            confidence: round(confidence, 3),
            precision,
            score: c.score,
        }
    }
}

fn cand(p: &Posting, match_type: MatchType, weight: f64) -> Cand {
    Cand {
        place: p.place,
        name: p.name,
        match_type,
        weight,
        score: 0.0,
    }
}

fn round(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLACES: &str = "id\tkind\tname\tcountry\tadmin1\tlon\tlat\tpopulation\tbbox\tfeature_code
1522867\tcountry\tKazakhstan\tKZ\t\t68\t48\t18276499\t46.49,40.57,87.36,55.44\tPCLI
1537162\tregion\tAlmaty Oblysy\tKZ\tKZ.01\t78\t45\t0\t73.3,42.2,85.3,46.5\tADM1
1526395\tregion\tAlmaty Qalasy\tKZ\tKZ.02\t76.9\t43.25\t0\t76.7,43.0,77.2,43.45\tADM1
1524444\tregion\tZhambyl Oblysy\tKZ\tKZ.17\t71.5\t44\t0\t68.9,42.5,75.6,46.6\tADM1
1519921\tregion\tKyzylorda Oblysy\tKZ\tKZ.14\t64\t45\t0\t59.5,42.8,68.4,48.4\tADM1
1526384\tcity\tAlmaty\tKZ\tKZ.02\t76.92861\t43.25667\t2000900\t\tPPLA
610612\tcity\tAktau\tKZ\tKZ.09\t51.19962\t43.65114\t178000\t\tPPLA
1526269\tcity\tAktau\tKZ\tKZ.12\t72.9\t50.2\t900\t\tPPL
1519922\tcity\tKyzylorda\tKZ\tKZ.14\t65.50917\t44.85278\t300000\t\tPPLA
1516905\tcity\tTaraz\tKZ\tKZ.17\t71.36667\t42.9\t358153\t\tPPLA
1500001\tcity\tZhambyl\tKZ\tKZ.01\t75\t44\t1500\t\tPPL
";
    const NAMES: &str = "id\tlang\tname\tflags
1526384\tar\tألماتي\t
1526384\t\tAlma-Ata\thistoric
1526384\tru\tАлматы\t
610612\tar\tأكتاو\t
1519922\tar\tكيزيلوردا\t
1519922\t\tQyzylorda\t
1516905\t\tDzhambul\thistoric
1516905\t\tZhambyl\thistoric
1522867\tar\tكازاخستان\t
";
    const ALIASES: &str = "id\tlang\tname\tflags
# Arabic reports write Alma-Ata
1526384\tar\tألما آتا\thistoric
1524444\tar\tجامبيل\t
";

    fn gaz() -> Gazetteer {
        Gazetteer::from_files(&[Files {
            origin: "test",
            places: PLACES,
            names: NAMES,
            aliases: ALIASES,
            outlines: "",
        }])
        .unwrap()
    }

    fn top(g: &Gazetteer, q: &str) -> GeocodeResult {
        let r = g.geocode(
            q,
            &GeocodeOptions {
                limit: 5,
                ..Default::default()
            },
        );
        r.into_iter()
            .next()
            .unwrap_or_else(|| panic!("no result for {q}"))
    }

    #[test]
    fn arabic_names_resolve() {
        let g = gaz();
        assert_eq!(top(&g, "ألما آتا").id, 1526384);
        assert_eq!(top(&g, "أكتاو").id, 610612);
        assert_eq!(top(&g, "وأكتاو").id, 610612);
        assert_eq!(top(&g, "كيزيلوردا").id, 1519922);
        let z = top(&g, "جامبيل");
        assert_eq!(
            (z.id, z.kind, z.precision),
            (1524444, Kind::Region, Precision::Region)
        );
        assert_eq!(top(&g, "كازاخستان").precision, Precision::Country);
    }

    #[test]
    fn the_major_city_wins_over_its_region_unless_asked() {
        let g = gaz();
        let r = top(&g, "Almaty");
        assert_eq!(r.id, 1526384);
        assert!(r.confidence > 0.9, "{r:?}");
        assert_eq!(top(&g, "Almaty region").id, 1537162);
    }

    #[test]
    fn a_current_name_beats_an_old_one() {
        let g = gaz();
        assert_eq!(top(&g, "Zhambyl").id, 1524444);
        let d = top(&g, "Dzhambul");
        assert_eq!((d.id, d.match_type), (1516905, MatchType::Alias));
    }

    #[test]
    fn the_big_aktau_wins_and_a_parent_can_pick_the_other() {
        let g = gaz();
        let r = top(&g, "Aktau");
        assert_eq!(r.id, 610612);
        assert!(r.confidence > 0.8, "{r:?}");
        assert_eq!(r.admin1_code.as_deref(), Some("KZ.09"));
    }

    #[test]
    fn transliterations_match() {
        let g = gaz();
        let r = top(&g, "Qyzylorda");
        assert_eq!(r.id, 1519922);
        let r = top(&g, "Aqtau");
        assert_eq!((r.id, r.match_type), (610612, MatchType::Transliteration));
    }

    #[test]
    fn near_phrases_give_near_precision() {
        let g = gaz();
        let r = top(&g, "المناطق المجاورة لألما آتا");
        assert_eq!((r.id, r.precision), (1526384, Precision::Near));
    }

    #[test]
    fn nonsense_finds_nothing() {
        let g = gaz();
        assert!(g.geocode("qwxzv", &GeocodeOptions::default()).is_empty());
        assert!(g.geocode("", &GeocodeOptions::default()).is_empty());
        assert!(g.geocode(" ,، ", &GeocodeOptions::default()).is_empty());
    }

    #[test]
    fn names_must_point_at_places() {
        let e = Gazetteer::from_files(&[Files {
            origin: "t",
            places: PLACES,
            names: "h\n999\tar\tx\t\n",
            aliases: "",
            outlines: "",
        }]);
        assert!(matches!(
            e,
            Err(GazetteerError::UnknownPlace { id: 999, .. })
        ));
    }

    #[test]
    fn geoparse_at_most_keeps_the_first_and_counts_all() {
        let g = gaz();
        let text = "Protests in Almaty and Aktau, then in Алматы again; وأكتاو and Alma-Ata.";
        let all = g.geoparse(text);
        assert!(all.len() > 2, "{all:?}");
        let (first, found) = g.geoparse_at_most(text, 2);
        assert_eq!(found, all.len());
        let starts = |m: &[geoparse::Mention]| m.iter().map(|m| m.start).collect::<Vec<_>>();
        assert_eq!(starts(&first), starts(&all[..2]));
        let (none, found) = g.geoparse_at_most(text, 0);
        assert!(none.is_empty());
        assert_eq!(found, all.len());
    }

    #[test]
    fn kazakh_case_endings_are_undone() {
        let g = gaz();
        for text in [
            "Түнде Алматыда атыс болды.",
            "Алматының әкімдігі өртенді.",
            "Алматыдағы наразылық тоқтады.",
            "Алматыға әскер келді.",
        ] {
            let m = g.geoparse(text);
            assert_eq!(m.len(), 1, "{text}: {m:?}");
            assert_eq!(m[0].place.id, 1526384, "{text}");
            assert!(
                m[0].text.starts_with("Алматы"),
                "the span is the whole word: {text}"
            );
        }
        // A lower-case word is not a name, however it ends.
        assert!(g.geoparse("алматыда").is_empty());
        // The English possessive, with either apostrophe.
        for text in [
            "Almaty's mayor resigned.",
            "Almaty\u{2019}s mayor resigned.",
        ] {
            let m = g.geoparse(text);
            assert_eq!(m.len(), 1, "{text}: {m:?}");
            assert_eq!(m[0].place.id, 1526384, "{text}");
        }
    }
}
