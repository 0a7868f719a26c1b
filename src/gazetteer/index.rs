//! The name index: folded keys → the places that bear them.
//!
//! Two maps: the compact folded form (exact and alias matches) and the phonetic Latin key
//! (transliteration matches across romanizations). Both are built once at load and never
//! change, so lookups are plain hash probes.

use std::collections::HashMap;

use super::data::Kind;
use super::data::flags;
use super::normalize::{compact, fold, phonetic};
use super::query;
use super::rank::name_match;

/// A name as the index keeps it.
#[derive(Debug, Clone)]
pub struct NameRec {
    /// Index into the gazetteer's places.
    pub place: u32,
    pub text: Box<str>,
    pub lang: Box<str>,
    pub flags: u8,
}

/// One name of one place under a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    pub place: u32,
    /// Index into the gazetteer's names.
    pub name: u32,
    /// Set when the key is the name without its generic word: the kind that word named
    /// ("Almaty Qalasy" → city, "Almaty Oblysy" → region).
    pub qualifier: Option<Kind>,
}

pub struct NameIndex {
    exact: HashMap<Box<str>, Vec<Posting>>,
    phonetic: HashMap<Box<str>, Vec<Posting>>,
    /// The exact keys again, for edit-distance searches: one finite-state set per script.
    fuzzy: Vec<FuzzySet>,
}

/// The script a key is written in, by its first letter: keys are searched for misspellings
/// among keys of the same script.
fn script(key: &str) -> u8 {
    match key.chars().next().map(|c| c as u32).unwrap_or(0) {
        0..=0x024F => 0,      // Latin
        0x0370..=0x03FF => 1, // Greek
        0x0400..=0x052F => 2, // Cyrillic
        0x0590..=0x05FF => 3, // Hebrew
        0x0600..=0x08FF => 4, // Arabic
        _ => 5,
    }
}

/// The keys of one script, written one ASCII byte per letter. fst's Levenshtein automaton
/// miscounts (in fact misses) non-ASCII letters, and would count a two-byte UTF-8 letter as
/// two edits anyway; re-encoding each script's 127 most common letters as single ASCII bytes
/// makes its distances exact. Keys with rarer letters are left out of fuzzy search.
struct FuzzySet {
    script: u8,
    code: HashMap<char, u8>,
    letter: Vec<char>,
    set: fst::Set<Vec<u8>>,
}

impl FuzzySet {
    fn build(script: u8, keys: &[&str]) -> FuzzySet {
        let mut freq: HashMap<char, usize> = HashMap::new();
        for k in keys {
            for c in k.chars() {
                *freq.entry(c).or_default() += 1;
            }
        }
        let mut by_freq: Vec<(char, usize)> = freq.into_iter().collect();
        by_freq.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let letter: Vec<char> = by_freq.into_iter().take(127).map(|(c, _)| c).collect();
        let code = letter
            .iter()
            .enumerate()
            .map(|(i, &c)| (c, i as u8 + 1))
            .collect();
        let mut f = FuzzySet {
            script,
            code,
            letter,
            set: fst::Set::default(),
        };
        let mut encoded: Vec<Vec<u8>> = keys.iter().filter_map(|k| f.encode(k)).collect();
        encoded.sort_unstable();
        encoded.dedup();
        f.set = fst::Set::from_iter(encoded).expect("sorted unique keys build an fst");
        f
    }

    fn encode(&self, s: &str) -> Option<Vec<u8>> {
        s.chars().map(|c| self.code.get(&c).copied()).collect()
    }

    fn decode(&self, b: &[u8]) -> String {
        b.iter().map(|&x| self.letter[x as usize - 1]).collect()
    }
}

impl NameIndex {
    pub fn build(names: &[NameRec]) -> NameIndex {
        let keys = fold_all(names);
        let mut exact: HashMap<Box<str>, Vec<Posting>> = HashMap::with_capacity(keys.len());
        let mut phon: HashMap<Box<str>, Vec<Posting>> = HashMap::with_capacity(keys.len());
        for (i, (k, p, bare)) in keys.into_iter().enumerate() {
            let posting = Posting {
                place: names[i].place,
                name: i as u32,
                qualifier: None,
            };
            if k.is_empty() {
                continue;
            }
            push_best(exact.entry(k).or_default(), posting, names);
            if let Some((b, qualifier)) = bare {
                let p = Posting {
                    qualifier,
                    ..posting
                };
                push_best(exact.entry(b).or_default(), p, names);
            }
            if p.len() >= 3 {
                push_best(phon.entry(p).or_default(), posting, names);
            }
        }
        let mut by_script: Vec<Vec<&str>> = vec![Vec::new(); 6];
        for k in exact.keys().filter(|k| k.chars().count() >= 4) {
            by_script[script(k) as usize].push(k);
        }
        let fuzzy = by_script
            .iter()
            .enumerate()
            .map(|(i, keys)| FuzzySet::build(i as u8, keys))
            .collect();
        NameIndex {
            exact,
            phonetic: phon,
            fuzzy,
        }
    }

    /// Keys within `max` edits of `key` (optimal string alignment: insertions, deletions,
    /// substitutions and swaps of neighbours each count one), with their distance, nearest
    /// first. `key` itself is not included.
    pub fn fuzzy(&self, key: &str, max: u32) -> Vec<(String, usize)> {
        use fst::{IntoStreamer, Streamer};
        // The automaton counts a swap of neighbours as two edits: for one edit, ask it for two
        // and measure properly after (at two, the automaton gets expensive; a double swap is
        // rare enough to miss).
        let set = &self.fuzzy[script(key) as usize];
        debug_assert_eq!(set.script, script(key));
        let Some(encoded) = set.encode(key) else {
            return Vec::new();
        };
        let query = String::from_utf8(encoded).expect("codes are ASCII");
        let Ok(aut) = fst::automaton::Levenshtein::new(&query, max.max(2)) else {
            return Vec::new();
        };
        let mut stream = set.set.search(aut).into_stream();
        let mut out = Vec::new();
        while let Some(k) = stream.next() {
            let k = set.decode(k);
            if k == key {
                continue;
            }
            let d = strsim::osa_distance(key, &k);
            if d as u32 <= max {
                out.push((k, d));
            }
        }
        out.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    pub fn exact(&self, key: &str) -> &[Posting] {
        self.exact.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn phonetic(&self, key: &str) -> &[Posting] {
        self.phonetic.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn len(&self) -> usize {
        self.exact.len()
    }

    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
    }

    /// Every exact key with its postings (for geoparsing automata).
    pub fn keys(&self) -> impl Iterator<Item = (&str, &[Posting])> {
        self.exact.iter().map(|(k, v)| (k.as_ref(), v.as_slice()))
    }
}

/// Keeps one posting per place under a key: the name that makes the best match (a current
/// name over a historic one); among equals the first loaded, which is the main name.
fn push_best(v: &mut Vec<Posting>, p: Posting, names: &[NameRec]) {
    // A key reached only by dropping a generic word ("Zhambyl Region" → zhambyl) is the
    // weaker of two equal names (see the matching penalty in `Gazetteer::geocode`).
    // Among equals a curated name wins, so its flags (historic…) are the ones the ranking sees.
    let weight = |p: &Posting| {
        let f = names[p.name as usize].flags;
        let curated = if f & flags::CURATED != 0 { 0.001 } else { 0.0 };
        name_match(f).1 + curated - if p.qualifier.is_some() { 0.07 } else { 0.0 }
    };
    match v.iter_mut().find(|q| q.place == p.place) {
        Some(q) if weight(&p) > weight(q) => *q = p,
        Some(_) => {}
        None => v.push(p),
    }
}

/// Folds every name into its keys: (compact, phonetic), and for names that carry a generic
/// word ("Almaty Oblysy", "Жамбылская область", "Kuwait City") the compact form without it,
/// so that the name meets a query the same way whichever side the word is on. This is the
/// bulk of load time, so it is spread over the available cores.
#[allow(clippy::type_complexity)]
fn fold_all(names: &[NameRec]) -> Vec<(Box<str>, Box<str>, Option<(Box<str>, Option<Kind>)>)> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let chunk = names.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = names
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|n| {
                            let f = fold(&n.text);
                            let bare = f
                                .contains(' ')
                                .then(|| query::parse(&n.text))
                                .filter(|q| q.main != f && !q.main.is_empty())
                                .map(|q| (compact(&q.main).into(), q.kind_hint));
                            (compact(&f).into(), phonetic(&f).into(), bare)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("name folding thread panicked"))
            .collect()
    })
}
