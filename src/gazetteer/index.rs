//! The name index: folded keys → the places that bear them.
//!
//! Two maps: the compact folded form (exact and alias matches) and the phonetic Latin key
//! (transliteration matches across romanizations). Both are built once at load and never
//! change, so lookups are plain hash probes.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use super::data::Kind;
use super::data::flags;
use super::fuzzy::FuzzyIndex;
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

/// The postings under one key. Most keys name one place, so that case needs no allocation
/// of its own (half a million fewer at load).
#[derive(Debug, Clone)]
enum Postings {
    One(Posting),
    Many(Vec<Posting>),
}

impl Postings {
    fn as_slice(&self) -> &[Posting] {
        match self {
            Postings::One(p) => std::slice::from_ref(p),
            Postings::Many(v) => v,
        }
    }
}

pub struct NameIndex {
    exact: HashMap<Box<str>, Postings>,
    phonetic: HashMap<Box<str>, Postings>,
    first_words: rustc_hash::FxHashSet<Box<str>>,
    /// Cyrillic names by their Russian stem key (see [`super::stem`]), for inflected mentions.
    stemmed: HashMap<Box<str>, Postings>,
    stemmed_first_words: rustc_hash::FxHashSet<Box<str>>,
    /// Misspelling search over the exact keys, built on first use (or by
    /// [`NameIndex::prepare_fuzzy`] in the background) so that start-up does not wait for it.
    fuzzy: OnceLock<FuzzyIndex>,
}

impl NameIndex {
    pub fn build(names: &[NameRec]) -> NameIndex {
        let keys = fold_all(names);
        let mut exact: HashMap<Box<str>, Postings> =
            HashMap::with_capacity_and_hasher(keys.len(), Default::default());
        let mut phon: HashMap<Box<str>, Postings> =
            HashMap::with_capacity_and_hasher(keys.len(), Default::default());
        let mut first_words = rustc_hash::FxHashSet::default();
        let mut stemmed: HashMap<Box<str>, Postings> = HashMap::default();
        let mut stemmed_first_words = rustc_hash::FxHashSet::default();
        for (i, folded) in keys.into_iter().enumerate() {
            let Folded {
                key: k,
                phonetic: p,
                bare,
                first_word,
                stem,
            } = folded;
            if let Some(w) = first_word {
                first_words.insert(w);
            }
            let posting = Posting {
                place: names[i].place,
                name: i as u32,
                qualifier: None,
            };
            if let Some((key, first)) = stem {
                if let Some(f) = first {
                    stemmed_first_words.insert(f.into());
                }
                push_best(&mut stemmed, key.into(), posting, names);
            }
            if k.is_empty() {
                continue;
            }
            push_best(&mut exact, k, posting, names);
            if let Some((b, qualifier)) = bare {
                let p = Posting {
                    qualifier,
                    ..posting
                };
                push_best(&mut exact, b, p, names);
            }
            if p.len() >= 3 {
                push_best(&mut phon, p, posting, names);
            }
        }
        NameIndex {
            exact,
            phonetic: phon,
            first_words,
            stemmed,
            stemmed_first_words,
            fuzzy: OnceLock::new(),
        }
    }

    /// Whether some name of several words starts with this (compact, folded) word.
    pub fn starts_a_name(&self, word: &str) -> bool {
        self.first_words.contains(word)
    }

    /// Whether some Cyrillic name of several words starts with this Russian stem.
    pub fn starts_a_stemmed_name(&self, stem: &str) -> bool {
        self.stemmed_first_words.contains(stem)
    }

    /// Cyrillic names whose Russian stem key is `key`.
    pub fn stemmed(&self, key: &str) -> &[Posting] {
        self.stemmed.get(key).map(Postings::as_slice).unwrap_or(&[])
    }

    /// Builds the misspelling index now, if it is not built yet.
    pub fn prepare_fuzzy(&self) -> &FuzzyIndex {
        self.fuzzy
            .get_or_init(|| FuzzyIndex::build(self.exact.keys().map(|k| k.as_ref())))
    }

    /// Keys within `max` edits of `key` (optimal string alignment: insertions, deletions,
    /// substitutions and swaps of neighbours each count one), with their distance, nearest
    /// first. `key` itself is not included.
    pub fn fuzzy(&self, key: &str, max: usize) -> Vec<(&str, usize)> {
        self.prepare_fuzzy().search(key, max)
    }

    pub fn exact(&self, key: &str) -> &[Posting] {
        self.exact.get(key).map(Postings::as_slice).unwrap_or(&[])
    }

    pub fn phonetic(&self, key: &str) -> &[Posting] {
        self.phonetic
            .get(key)
            .map(Postings::as_slice)
            .unwrap_or(&[])
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
fn push_best(map: &mut HashMap<Box<str>, Postings>, key: Box<str>, p: Posting, names: &[NameRec]) {
    // A key reached only by dropping a generic word ("Zhambyl Region" → zhambyl) is the
    // weaker of two equal names (see the matching penalty in `Gazetteer::geocode`).
    // Among equals a curated name wins, so its flags (historic…) are the ones the ranking sees.
    let weight = |p: &Posting| {
        let f = names[p.name as usize].flags;
        let curated = if f & flags::CURATED != 0 { 0.001 } else { 0.0 };
        name_match(f).1 + curated - if p.qualifier.is_some() { 0.07 } else { 0.0 }
    };
    let list = match map.entry(key) {
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert(Postings::One(p));
            return;
        }
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
    };
    if let Postings::One(q) = list {
        if q.place == p.place {
            if weight(&p) > weight(q) {
                *q = p;
            }
            return;
        }
        *list = Postings::Many(vec![*q]);
    }
    let Postings::Many(v) = list else {
        unreachable!("converted above")
    };
    match v.iter_mut().find(|q| q.place == p.place) {
        Some(q) if weight(&p) > weight(q) => *q = p,
        Some(_) => {}
        None => v.push(p),
    }
}

/// The keys one name is indexed under.
struct Folded {
    /// Compact folded form.
    key: Box<str>,
    phonetic: Box<str>,
    /// The key without a generic word, and the kind that word named.
    bare: Option<(Box<str>, Option<Kind>)>,
    /// For names of several words, the first (compact): geoparsing only tries runs of tokens
    /// that start with one.
    first_word: Option<Box<str>>,
    /// For Cyrillic names: the Russian stem key, and the first word's stem for names of
    /// several words.
    stem: Option<(String, Option<String>)>,
}

/// Folds every name into its keys; for names that carry a generic word ("Almaty Oblysy",
/// "Жамбылская область", "Kuwait City") also the key without it, so that the name meets a
/// query the same way whichever side the word is on. This is the bulk of load time, so it is
/// spread over the available cores.
fn fold_all(names: &[NameRec]) -> Vec<Folded> {
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
                        .map(|n| fold_name(&n.text, &n.lang))
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

/// Languages whose Cyrillic names Russian text writes as they are (Russian itself, the
/// languages of the region, and untagged names): only these get a Russian stem key.
const STEMMED_LANGS: &[&str] = &["", "ru", "kk", "ky", "uk", "be", "uz", "tg"];

fn fold_name(text: &str, lang: &str) -> Folded {
    let f = fold(text);
    let words = f.contains(' ');
    Folded {
        key: if words {
            compact(&f).into()
        } else {
            f.as_str().into()
        },
        phonetic: phonetic(&f).into(),
        bare: words
            .then(|| query::parse_name(&f))
            .filter(|q| q.main != f && !q.main.is_empty())
            .map(|q| (compact(&q.main).into(), q.kind_hint)),
        first_word: words.then(|| f.split(' ').next().unwrap_or("").into()),
        stem: STEMMED_LANGS
            .contains(&lang)
            .then(|| super::stem::russian_name(text))
            .flatten(),
    }
}
