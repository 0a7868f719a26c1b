//! Misspelling search by deletion neighbourhoods (SymSpell): every key is indexed under itself
//! and under each string made by deleting one of its letters; a query probes with itself and
//! its own deletions. One deletion on each side makes two strings meet whenever they are one
//! insertion, deletion, substitution or swap of neighbours apart; when that finds nothing and
//! two edits are allowed, the query's two-letter deletions are probed too (two insertions, an
//! insertion and a substitution, …). Each candidate is then measured exactly.
//!
//! Why not an automaton: fst's Levenshtein automaton costs 50–400 µs just to build per query
//! and misses non-ASCII letters; here a query is a dozen binary searches, in any script.

use std::hash::{BuildHasher, Hasher};

/// Keys shorter than this are not indexed: too many real names lie one edit apart.
pub const MIN_LEN: usize = 4;

/// The top 40 bits of a deletion's hash, with the key's number in the low 24.
const ID_BITS: u32 = 24;
const ID_MASK: u64 = (1 << ID_BITS) - 1;

pub struct FuzzyIndex {
    keys: Vec<Box<str>>,
    /// Sorted (hash << 24 | key id) of every key and every one-deletion of it.
    entries: Vec<u64>,
    hasher: rustc_hash::FxBuildHasher,
}

impl FuzzyIndex {
    /// Indexes the keys at least [`MIN_LEN`] letters long.
    pub fn build<'a>(keys: impl Iterator<Item = &'a str>) -> FuzzyIndex {
        let keys: Vec<Box<str>> = keys
            .filter(|k| k.chars().count() >= MIN_LEN)
            .take(ID_MASK as usize)
            .map(Into::into)
            .collect();
        let mut idx = FuzzyIndex {
            entries: Vec::with_capacity(keys.len() * 12),
            keys: Vec::new(),
            hasher: Default::default(),
        };
        let mut buf = String::new();
        let mut entries = std::mem::take(&mut idx.entries);
        for (id, k) in keys.iter().enumerate() {
            for h in idx.neighbourhood(k, &mut buf) {
                entries.push(h << ID_BITS | id as u64);
            }
        }
        entries.sort_unstable();
        entries.dedup();
        idx.entries = entries;
        idx.keys = keys;
        idx
    }

    /// Hashes of the string and of each one-letter deletion of it.
    fn neighbourhood(&self, s: &str, buf: &mut String) -> Vec<u64> {
        let mut out = Vec::with_capacity(s.len() + 1);
        out.push(self.hash(s));
        for d in deletions(s) {
            buf.clear();
            buf.extend(d);
            out.push(self.hash(buf));
        }
        out
    }

    fn hash(&self, s: &str) -> u64 {
        let mut h = self.hasher.build_hasher();
        h.write(s.as_bytes());
        h.finish() >> ID_BITS
    }

    fn probe(&self, h: u64, ids: &mut Vec<u32>) {
        let lo = self.entries.partition_point(|&e| e >> ID_BITS < h);
        for &e in self.entries[lo..]
            .iter()
            .take_while(|&&e| e >> ID_BITS == h)
        {
            ids.push((e & ID_MASK) as u32);
        }
    }

    /// Keys within `max` edits of `q` (optimal string alignment distance), nearest first,
    /// excluding `q` itself.
    pub fn search(&self, q: &str, max: usize) -> Vec<(&str, usize)> {
        let mut buf = String::new();
        let mut ids: Vec<u32> = Vec::new();
        for h in self.neighbourhood(q, &mut buf) {
            self.probe(h, &mut ids);
        }
        let mut found = self.measure(q, max, ids);
        if found.is_empty() && max >= 2 {
            let mut ids = Vec::new();
            for once in deletions(q) {
                let once: String = once.collect();
                for twice in deletions(&once) {
                    buf.clear();
                    buf.extend(twice);
                    self.probe(self.hash(&buf), &mut ids);
                }
            }
            found = self.measure(q, max, ids);
        }
        found
    }

    fn measure(&self, q: &str, max: usize, mut ids: Vec<u32>) -> Vec<(&str, usize)> {
        ids.sort_unstable();
        ids.dedup();
        let mut out: Vec<(&str, usize)> = ids
            .into_iter()
            .map(|id| self.keys[id as usize].as_ref())
            .filter(|k| *k != q)
            .map(|k| (k, strsim::osa_distance(q, k)))
            .filter(|&(_, d)| d <= max)
            .collect();
        out.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(b.0)));
        out
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Bytes held by the index.
    pub fn heap_size(&self) -> usize {
        self.entries.capacity() * 8 + self.keys.iter().map(|k| k.len() + 16).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Each distinct string made by deleting one letter of `s` ("ll" gives one deletion, not two).
fn deletions(s: &str) -> impl Iterator<Item = impl Iterator<Item = char> + '_> + '_ {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    (0..n)
        .filter(move |&i| i == 0 || chars[i - 1] != chars[i])
        .map(move |i| {
            s.chars()
                .enumerate()
                .filter(move |&(j, _)| j != i)
                .map(|(_, c)| c)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx() -> FuzzyIndex {
        FuzzyIndex::build(
            [
                "almaty",
                "kyzylorda",
                "كيزيلوردا",
                "жанаозен",
                "aktau",
                "abc",
            ]
            .into_iter(),
        )
    }

    #[test]
    fn finds_single_edits_in_any_script() {
        let i = idx();
        assert_eq!(i.search("almayt", 1), vec![("almaty", 1)]); // swap
        assert_eq!(i.search("almatty", 1), vec![("almaty", 1)]); // insertion
        assert_eq!(i.search("almty", 1), vec![("almaty", 1)]); // deletion
        assert_eq!(i.search("almaxy", 1), vec![("almaty", 1)]); // substitution
        assert_eq!(i.search("كيزيلورد", 1), vec![("كيزيلوردا", 1)]);
        assert_eq!(i.search("жанаозн", 1), vec![("жанаозен", 1)]);
    }

    #[test]
    fn respects_the_budget_and_skips_short_keys() {
        let i = idx();
        assert!(i.search("almxxy", 1).is_empty());
        assert_eq!(i.search("kyzilordaa", 2), vec![("kyzylorda", 2)]);
        assert!(
            i.search("abd", 1).is_empty(),
            "keys under 4 letters are not indexed"
        );
        assert!(
            i.search("almaty", 1).is_empty(),
            "the query itself is not a neighbour"
        );
    }
}
