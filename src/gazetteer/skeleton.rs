//! Consonant skeletons: the key on which an Arabic-script name meets its Latin romanization.
//!
//! Arabic writes consonants and long vowels; romanizations add short vowels and disagree on
//! how to spell the rest (Mellit, Mellite; Shahhat, Shahat; Umm Qasr, Umm Qaşr). Both sides
//! are reduced to classes of consonants that romanizations of Arabic spell alike (ح ه خ are
//! all h, ق ك are k, ج غ are g), vowels and the letters that write them (ا و ي) dropped, the
//! article dropped, and repeated classes merged. مليط and "Mellit" are both `mlt`.
//!
//! A skeleton is coarse on purpose: many words share one. The geoparser uses it only for
//! Arabic words that no name in Arabic script matched, only for places in the countries a
//! document is about, and only where the text itself says a place follows
//! ([`crate::gazetteer::geoparse`]).

use rustc_hash::FxHashMap as HashMap;

use super::index::NameRec;
use super::normalize::{fold, is_abjad};

/// Shortest skeleton worth looking up: two consonants match far too many names.
pub const MIN_LEN: usize = 3;

/// Articles and particles that romanizations write before Arabic names as separate words
/// (Ar Raqqah, Ras al-Ain, Umm el-Fahm).
const LATIN_PARTICLES: &[&str] = &[
    "al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ed", "es", "et", "en", "ez",
];

/// The skeleton of one folded Arabic-script word, or of several joined (their skeletons in
/// order, with the article of each taken off).
pub fn arabic(words: &[&str]) -> String {
    let mut out = String::new();
    for w in words {
        let w = w
            .strip_prefix("ال")
            .filter(|r| r.chars().count() >= 2)
            .unwrap_or(w);
        let n = w.chars().count();
        for (i, c) in w.chars().enumerate() {
            let class = match c {
                'ب' | 'پ' => 'b',
                'ت' | 'ط' | 'ث' => 't',
                'ج' | 'غ' | 'گ' => 'g',
                'چ' | 'ش' => 'x',
                // a final ه is mostly the folded ta marbuta, which romanizations write as a
                // vowel (Tabqa, Tabqah)
                'ه' if i + 1 == n => continue,
                'ح' | 'ه' | 'خ' => 'h',
                'د' | 'ض' | 'ذ' => 'd',
                'ر' => 'r',
                'ز' | 'ظ' => 'z',
                'س' | 'ص' => 's',
                'ف' | 'ڤ' => 'f',
                'ق' | 'ك' => 'k',
                'ل' => 'l',
                'م' => 'm',
                'ن' => 'n',
                _ => continue,
            };
            push_class(&mut out, class);
        }
    }
    out
}

/// The skeleton of a Latin name (any script any_ascii can romanize; empty for Arabic script).
pub fn latin(name: &str) -> String {
    // (most names are ASCII already: folding them only drops apostrophes and case)
    let ascii = if name.is_ascii() {
        ascii_folded(name)
    } else {
        match romanized(name) {
            Some(r) => r,
            None => return String::new(),
        }
    };
    let words: Vec<&str> = ascii
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = String::new();
    for (k, w) in words.iter().enumerate() {
        if k + 1 < words.len() && LATIN_PARTICLES.contains(w) {
            continue;
        }
        latin_word(w.as_bytes(), &mut out);
    }
    out
}

/// An ASCII name as [`fold`] would leave it, as far as skeletons go: lower case, no
/// apostrophes.
fn ascii_folded(name: &str) -> String {
    name.bytes()
        .filter(|&b| b != b'\'' && b != b'`')
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
}

/// Any name folded and romanized; `None` for Arabic script.
fn romanized(name: &str) -> Option<String> {
    let folded = fold(name);
    if folded.chars().any(is_abjad) {
        return None;
    }
    Some(any_ascii::any_ascii(&folded).to_ascii_lowercase())
}

fn latin_word(w: &[u8], out: &mut String) {
    let vowel = |b: u8| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'w');
    let mut i = 0;
    while i < w.len() {
        let rest = &w[i..];
        let starts = |s: &[u8]| rest.starts_with(s);
        let (class, used) = if starts(b"sch") {
            ('x', 3)
        } else if starts(b"dzh") {
            ('g', 3)
        } else if starts(b"sh") || starts(b"ch") {
            ('x', 2)
        } else if starts(b"kh") {
            ('h', 2)
        } else if starts(b"gh") || starts(b"zh") || starts(b"dj") {
            ('g', 2)
        } else if starts(b"dh") {
            ('d', 2)
        } else if starts(b"th") {
            ('t', 2)
        } else if starts(b"ph") {
            ('f', 2)
        } else if starts(b"ck") {
            ('k', 2)
        } else {
            let b = rest[0];
            let class = match b {
                b'b' | b'p' => 'b',
                b't' => 't',
                b'j' | b'g' => 'g',
                // a final h after a vowel only lengthens it (Tabqah, Jeddah)
                b'h' if i + 1 == w.len() && i > 0 && vowel(w[i - 1]) => {
                    i += 1;
                    continue;
                }
                b'h' => 'h',
                b'd' => 'd',
                b'r' => 'r',
                b'z' => 'z',
                b's' => 's',
                b'c' if rest
                    .get(1)
                    .is_some_and(|&n| matches!(n, b'e' | b'i' | b'y')) =>
                {
                    's'
                }
                b'c' | b'k' | b'q' => 'k',
                b'x' => {
                    push_class(out, 'k');
                    's'
                }
                b'f' | b'v' => 'f',
                b'l' => 'l',
                b'm' => 'm',
                b'n' => 'n',
                _ => {
                    i += 1;
                    continue;
                }
            };
            (class, 1)
        };
        push_class(out, class);
        i += used;
    }
}

/// Appends a class unless it repeats the last one (doubled letters, shadda, "ll").
fn push_class(out: &mut String, class: char) {
    if !out.ends_with(class) {
        out.push(class);
    }
}

/// Latin names by skeleton (indices into the gazetteer's names). Built on first use (only
/// Arabic documents need it) or by `Gazetteer::prepare` on a server's background thread.
pub struct SkeletonIndex {
    by_key: HashMap<Box<str>, Vec<u32>>,
}

impl SkeletonIndex {
    pub fn build(names: &[NameRec]) -> SkeletonIndex {
        let mut by_key: HashMap<Box<str>, Vec<u32>> = HashMap::default();
        for (i, n) in names.iter().enumerate() {
            if !n.text.chars().any(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            let key = latin(&n.text);
            if key.len() < MIN_LEN {
                continue;
            }
            let v = by_key.entry(key.into()).or_default();
            // several names of one place often share a skeleton; the same place may still
            // appear twice in a bucket (candidates keep each place once)
            if v.last()
                .is_none_or(|&last| names[last as usize].place != n.place)
            {
                v.push(i as u32);
            }
        }
        SkeletonIndex { by_key }
    }

    /// Names whose skeleton is `key`.
    pub fn get(&self, key: &str) -> &[u32] {
        self.by_key.get(key).map(Vec::as_slice).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ar(s: &str) -> String {
        let f = fold(s);
        arabic(&f.split(' ').collect::<Vec<_>>())
    }

    #[test]
    fn arabic_names_meet_their_romanizations() {
        for (a, l) in [
            ("مليط", "Mellit"),
            ("شحات", "Shahhat"),
            ("أم قصر", "Umm Qaşr"),
            ("الطبقة", "At Tabqah"),
            ("الطبقة", "Tabqa"),
            ("مانغيستاو", "Mangystau"),
            ("أقتوبي", "Aktobe"),
            ("جاناوزين", "Zhanaozen"),
            ("مرجعيون", "Marjayoun"),
            ("بنت جبيل", "Bint Jbeil"),
            ("رأس العين", "Ras al-Ain"),
        ] {
            assert_eq!(ar(a), latin(l), "{a} / {l}");
            assert!(ar(a).len() >= MIN_LEN, "{a}");
        }
    }

    #[test]
    fn different_consonants_stay_apart() {
        assert_ne!(ar("درنة"), latin("Tripoli"));
        assert_ne!(ar("سرت"), latin("Shahhat"));
        assert_ne!(latin("Sousse"), latin("Shush"));
    }

    #[test]
    fn arabic_script_has_no_latin_skeleton() {
        assert_eq!(latin("مليط"), "");
    }

    proptest! {
        #[test]
        fn the_ascii_shortcut_folds_as_fold_does(s in "[ -~]{0,30}") {
            let words = |t: &str| -> Vec<String> {
                t.split(|c: char| !c.is_ascii_alphabetic())
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect()
            };
            prop_assert_eq!(words(&ascii_folded(&s)), words(&romanized(&s).unwrap()));
        }

        #[test]
        fn skeletons_are_ascii_without_repeats(s in "\\PC{0,30}") {
            let k = latin(&s);
            prop_assert!(k.is_ascii());
            prop_assert!(!k.as_bytes().windows(2).any(|w| w[0] == w[1]));
            let f = fold(&s);
            let a = arabic(&f.split(' ').collect::<Vec<_>>());
            prop_assert!(!a.as_bytes().windows(2).any(|w| w[0] == w[1]));
        }
    }
}
