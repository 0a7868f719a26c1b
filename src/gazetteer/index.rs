//! The name index: folded keys → the places that bear them.
//!
//! Two maps: the compact folded form (exact and alias matches) and the phonetic Latin key
//! (transliteration matches across romanizations). Both are built once at load and never
//! change, so lookups are plain hash probes.

use std::collections::HashMap;

use super::data::Kind;
use super::normalize::{compact, fold, phonetic};
use super::query;
use super::rank::{curated_bonus, name_match};

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

#[derive(Debug, Default)]
pub struct NameIndex {
    exact: HashMap<Box<str>, Vec<Posting>>,
    phonetic: HashMap<Box<str>, Vec<Posting>>,
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
        NameIndex {
            exact,
            phonetic: phon,
        }
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
    let weight = |p: &Posting| {
        let f = names[p.name as usize].flags;
        name_match(f).1 + curated_bonus(f) - if p.qualifier.is_some() { 0.07 } else { 0.0 }
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
