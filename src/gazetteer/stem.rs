//! Russian stems: where an inflected name in running text meets the nominative in the
//! gazetteer.
//!
//! Russian declines place names, and region names are adjectives: the gazetteer holds
//! "Мангистауская область", a report writes "в Мангистауской области", "в Оше", "из
//! Баткена". Both sides are reduced to their Snowball stems ("мангистауск област", "ош",
//! "баткен") and compared there. The stemmer works on the unfolded lower-case word (its
//! endings are written with й and ё, which folding turns into и and е), and the stem is then
//! folded like every other key.

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

use super::normalize::fold;

static RUSSIAN: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Russian));

/// Whether a word is written in Cyrillic.
pub fn is_cyrillic(s: &str) -> bool {
    s.chars().any(|c| matches!(c, '\u{0400}'..='\u{04FF}'))
}

/// The folded Snowball stem of one Cyrillic word.
pub fn russian_word(word: &str) -> String {
    let lower = word.to_lowercase();
    fold(&RUSSIAN.stem(&lower)).replace(' ', "")
}

/// Whether the stemmer took a past-tense ending off a folded word (`stem` is its
/// [`russian_word`]). Snowball reads a final -л, -ла, -ло, -ли after а or я as a verb's
/// ending, and names in -ал, -ял are common (Урал, Арал, Ямал): "Урал" would meet every name
/// whose stem is "ура" (Урай). A name is no past tense.
pub fn lost_a_past_tense(folded: &str, stem: &str) -> bool {
    folded
        .strip_prefix(stem)
        .is_some_and(|removed| matches!(removed, "л" | "ла" | "ло" | "ли"))
}

/// Whether a folded Cyrillic word ends like a Russian surname or patronymic (-ов, -ев, -ин,
/// -ова, -евич…): such a word is a person, not an inflected place name.
pub fn looks_like_surname(folded: &str) -> bool {
    const ENDINGS: &[&str] = &[
        "ов",
        "ев",
        "ин",
        "ова",
        "ева",
        "ина",
        "ович",
        "евич",
        "овна",
        "евна",
        "ову",
        "еву",
        "ым",
        "ым",
        "енко",
        "швили",
        "дзе",
        "ян",
        "улы",
        "кызы",
        "ұлы",
        "қызы",
    ];
    folded.chars().count() >= 5 && ENDINGS.iter().any(|e| folded.ends_with(e))
}

/// The stem key of a whole Cyrillic name ("Мангистауская область" → "мангистаускоблас…"),
/// and its first word's stem when it has several words; `None` for names in other scripts.
pub fn russian_name(name: &str) -> Option<(String, Option<String>)> {
    if !is_cyrillic(name) {
        return None;
    }
    // Stem each word, then fold them all at once: folding works letter by letter, so this is
    // the same as folding each stem, with one allocation instead of one per word.
    let lower = name.to_lowercase();
    let mut stems = String::with_capacity(lower.len());
    let mut words = 0;
    for w in lower
        .split(|c: char| {
            !(c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c))
        })
        .filter(|w| !w.is_empty())
    {
        if words > 0 {
            stems.push(' ');
        }
        stems.push_str(&RUSSIAN.stem(w));
        words += 1;
    }
    let folded = fold(&stems);
    let first = (words > 1).then(|| folded.split(' ').next().unwrap_or("").to_string());
    let key = folded.replace(' ', "");
    if key.is_empty() {
        return None;
    }
    Some((key, first))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflected_forms_meet_the_nominative() {
        let nom = russian_name("Мангистауская область").unwrap();
        let genitive = russian_name("Мангистауской области").unwrap();
        let acc = russian_name("Мангистаускую область").unwrap();
        assert_eq!(nom.0, genitive.0);
        assert_eq!(nom.0, acc.0);
        assert_eq!(russian_word("Оше"), russian_word("Ош"));
        assert_eq!(russian_word("Баткена"), russian_word("Баткен"));
        // Snowball reads the -ен of a Kazakh name as an ending ("Жанаозен" → жанаоз), so
        // not every oblique form of a non-Russian name meets here: geoparsing also tries the
        // nominative endings of its own table.
        assert_eq!(russian_word("Россией"), russian_word("Россия"));
    }

    #[test]
    fn a_past_tense_ending_is_no_inflection_of_a_name() {
        for w in ["Урал", "Урала", "Ямал"] {
            assert!(lost_a_past_tense(&fold(w), &russian_word(w)), "{w}");
        }
        for w in [
            "Баткена",
            "Оше",
            "Мангистауской",
            "Россией",
            "Сибае",
            "Казани",
        ] {
            assert!(!lost_a_past_tense(&fold(w), &russian_word(w)), "{w}");
        }
    }

    #[test]
    fn other_scripts_have_no_russian_stem() {
        assert!(russian_name("Almaty").is_none());
        assert!(russian_name("ألماتي").is_none());
    }
}
