//! Ordinary language: how often a name is used as a plain word, and which words name a
//! country's people rather than the country.
//!
//! Both lists are generated from wordfreq's Arabic, Russian and English frequency lists by
//! `scripts/gazetteer/words.py` (see `gazetteer/ATTRIBUTION.md`): `common_words.tsv` keeps
//! the frequent words that could meet a gazetteer name (الخبر 'the news' and Khobar, "Reading",
//! "мирный"), `demonyms.tsv` the attested demonyms and nationality adjectives (الروسية,
//! "Azerbaijani", казахстанских). Kazakh has no frequency list there; Kazakh text relies on
//! capitalization and the Kazakh rules in [`crate::gazetteer::geoparse`].

use rustc_hash::FxHashMap;

use super::data::DataError;
use super::normalize::{compact, fold};

const COMMON_WORDS: &str = include_str!("../../gazetteer/common_words.tsv");
const DEMONYMS: &str = include_str!("../../gazetteer/demonyms.tsv");

/// The word model: folded word → Zipf frequency, folded demonym → country code.
pub struct Words {
    zipf: FxHashMap<Box<str>, f32>,
    demonyms: FxHashMap<Box<str>, Box<str>>,
}

impl Words {
    /// The lists compiled into the binary.
    pub fn embedded() -> Result<Words, DataError> {
        Words::parse(COMMON_WORDS, DEMONYMS)
    }

    /// Reads `common_words.tsv` (lang, word, zipf) and `demonyms.tsv` (lang, word, country).
    /// Words that fold alike (وأن and وان) are one word: their frequencies add up.
    pub fn parse(common: &str, demonyms: &str) -> Result<Words, DataError> {
        let mut freq: FxHashMap<Box<str>, f64> = FxHashMap::default();
        for (line, f) in rows("common_words.tsv", common, 3)? {
            let z: f64 = f[2].parse().map_err(|_| DataError::Parse {
                file: "common_words.tsv".into(),
                line,
                message: format!("zipf {:?} is not a number", f[2]),
            })?;
            *freq.entry(compact(&fold(f[1])).into()).or_default() += 10f64.powf(z);
        }
        let zipf = freq
            .into_iter()
            .map(|(k, v)| (k, v.log10() as f32))
            .collect();
        let mut dem = FxHashMap::default();
        for (_, f) in rows("demonyms.tsv", demonyms, 3)? {
            dem.insert(compact(&fold(f[1])).into(), f[2].into());
        }
        Ok(Words {
            zipf,
            demonyms: dem,
        })
    }

    /// How common a folded word is as a word: its Zipf frequency (3 = once per million
    /// words), 0 when it is not a frequent word that meets a name.
    pub fn zipf(&self, folded: &str) -> f32 {
        self.zipf.get(folded).copied().unwrap_or(0.0)
    }

    /// The country a folded word is the demonym or nationality adjective of.
    pub fn demonym(&self, folded: &str) -> Option<&str> {
        self.demonyms.get(folded).map(|c| c.as_ref())
    }

    pub fn len(&self) -> usize {
        self.zipf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.zipf.is_empty()
    }
}

/// The rows of a TSV with a header line, each with at least `min` fields, and its line number.
fn rows<'a>(
    file: &str,
    text: &'a str,
    min: usize,
) -> Result<Vec<(usize, Vec<&'a str>)>, DataError> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate().skip(1) {
        if l.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = l.split('\t').collect();
        if f.len() < min {
            return Err(DataError::Parse {
                file: file.into(),
                line: i + 1,
                message: format!("expected {min} tab-separated fields"),
            });
        }
        out.push((i + 1, f));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_lists_load() {
        let w = Words::embedded().unwrap();
        assert!(w.len() > 10_000);
        // 'the news' is far more frequent than anything named Khobar would make it
        assert!(w.zipf(&fold("الخبر")) > 4.5);
        assert!(w.zipf("reading") > 4.5);
        assert_eq!(w.zipf("zhanaozen"), 0.0);
        assert_eq!(w.demonym(&fold("الروسية")), Some("RU"));
        assert_eq!(w.demonym("azerbaijani"), Some("AZ"));
        assert_eq!(w.demonym(&fold("казахстанских")), Some("KZ"));
    }

    #[test]
    fn spellings_that_fold_alike_add_up() {
        let w = Words::parse(
            "lang\tword\tzipf\nar\tوأن\t5\nar\tوان\t5\n",
            "lang\tword\tcountry\n",
        )
        .unwrap();
        assert!((w.zipf(&fold("وأن")) - 5.301).abs() < 0.01);
    }

    #[test]
    fn a_short_row_is_an_error_with_its_line() {
        let e = Words::parse("lang\tword\tzipf\nar\tوأن\n", "")
            .err()
            .unwrap();
        assert!(e.to_string().contains("common_words.tsv:2"), "{e}");
    }
}
