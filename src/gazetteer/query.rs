//! Reading a place query: the parent after a comma, words that say "near", generic words
//! that say what kind of place is wanted ("city", "منطقة", "область"), and the Arabic clitic
//! forms to try as well.

use super::data::Kind;
use super::normalize::{compact, fold, is_arabic, strip_clitics};

/// A query taken apart. All text is folded (see [`fold`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedQuery {
    /// The name itself, with generic words removed.
    pub main: String,
    /// The name exactly as typed (folded), generic words included: tried first, so that
    /// "Kuwait City" or "Mexico City" match their own names.
    pub literal: String,
    /// Names after commas, most specific first: "Almaty, Kazakhstan" → ["kazakhstan"].
    pub parents: Vec<String>,
    /// The kind of place the generic words asked for.
    pub kind_hint: Option<Kind>,
    /// The query said "near", "outskirts of", "المناطق المجاورة ل"…
    pub near: bool,
}

/// One key to look up, with how much a match through it is worth (1.0 = as typed).
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub key: String,
    pub folded: String,
    pub weight: f64,
    /// Made by removing an Arabic clitic (not worth a transliteration lookup).
    pub clitic: bool,
}

/// Weight of a match that needed an Arabic clitic removed.
pub const CLITIC_WEIGHT: f64 = 0.95;
/// Weight of a match that needed the query's generic words removed: "Almaty Region" matching a
/// place named "Almaty Region" beats it matching one named "Almaty".
pub const BARE_WEIGHT: f64 = 0.97;

/// Words that ask for a kind of place, as folded token sequences.
const GENERIC: &[(&[&str], Kind)] = &[
    // regions
    (&["region"], Kind::Region),
    (&["oblast"], Kind::Region),
    (&["oblys"], Kind::Region),
    (&["oblysy"], Kind::Region),
    (&["oblisi"], Kind::Region),
    (&["oblasy"], Kind::Region),
    (&["viloyati"], Kind::Region),
    (&["viloyat"], Kind::Region),
    (&["oblasti"], Kind::Region),
    (&["province"], Kind::Region),
    (&["governorate"], Kind::Region),
    (&["prefecture"], Kind::Region),
    (&["region", "of"], Kind::Region),
    (&["province", "of"], Kind::Region),
    (&["منطقه"], Kind::Region),
    (&["ولايه"], Kind::Region),
    (&["محافظه"], Kind::Region),
    (&["مقاطعه"], Kind::Region),
    (&["اقليم"], Kind::Region),
    (&["اوبليس"], Kind::Region),
    (&["اوبلاست"], Kind::Region),
    (&["область"], Kind::Region),
    (&["обл"], Kind::Region),
    (&["облысы"], Kind::Region),
    (&["край"], Kind::Region),
    // districts
    (&["district"], Kind::District),
    (&["raion"], Kind::District),
    (&["rayon"], Kind::District),
    (&["audany"], Kind::District),
    (&["район"], Kind::District),
    (&["ауданы"], Kind::District),
    (&["قضاء"], Kind::District),
    // cities
    (&["city"], Kind::City),
    (&["town"], Kind::City),
    (&["city", "of"], Kind::City),
    (&["town", "of"], Kind::City),
    (&["مدينه"], Kind::City),
    (&["بلده"], Kind::City),
    (&["город"], Kind::City),
    (&["гор"], Kind::City),
    (&["г"], Kind::City),
    (&["қаласы"], Kind::City),
    (&["qalasy"], Kind::City),
    (&["kalasy"], Kind::City),
    // countries
    (&["republic", "of"], Kind::Country),
    (&["republic"], Kind::Country),
    (&["جمهوريه"], Kind::Country),
    (&["دوله"], Kind::Country),
    (&["республика"], Kind::Country),
    (&["respublikasy"], Kind::Country),
];

/// Phrases that put the incident near a place rather than at it.
const NEAR: &[&[&str]] = &[
    &["near"],
    &["outskirts", "of"],
    &["suburbs", "of"],
    &["vicinity", "of"],
    &["around"],
    &["areas", "around"],
    &["المناطق", "المجاوره"],
    &["المناطق", "المحيطه"],
    &["ضواحي"],
    &["محيط"],
    &["قرب"],
    &["بالقرب", "من"],
    &["окрестности"],
    &["пригород"],
    &["пригороды"],
    &["близ"],
    &["около"],
    &["под"],
];

/// Whether `tokens` starts with `phrase`, allowing an Arabic clitic on the first token
/// ("لمدينة", "بولاية"). Never matches the whole query: a lone "Region" is a name.
/// `arabic_first` says whether `tokens[0]` is Arabic: every name of several words in every
/// script passes through here at load, against every phrase, so the caller checks it once.
fn starts_with_phrase(tokens: &[&str], phrase: &[&str], arabic_first: bool) -> bool {
    if tokens.len() <= phrase.len() {
        return false;
    }
    // The clitic reading is tried only on an Arabic first word.
    phrase.iter().enumerate().all(|(i, p)| {
        tokens[i] == *p
            || (i == 0
                && arabic_first
                && is_arabic(p)
                && tokens[0].ends_with(p)
                && strip_clitics(tokens[0]).contains(p))
    })
}

fn ends_with_phrase(tokens: &[&str], phrase: &[&str]) -> bool {
    tokens.len() > phrase.len() && tokens[tokens.len() - phrase.len()..] == *phrase
}

/// Takes a query apart.
pub fn parse(q: &str) -> ParsedQuery {
    let mut parts = q.split([',', '،', ';']);
    let head = parts.next().unwrap_or("");
    let parents: Vec<String> = parts.map(fold).filter(|p| !p.is_empty()).collect();
    parse_folded(fold(head), parents)
}

/// [`parse`] for a name already folded, without parents.
pub fn parse_name(folded: &str) -> ParsedQuery {
    parse_folded(folded.to_string(), Vec::new())
}

fn parse_folded(literal: String, parents: Vec<String>) -> ParsedQuery {
    let mut tokens: Vec<&str> = literal.split(' ').filter(|t| !t.is_empty()).collect();
    let mut kind_hint = None;
    let mut near = false;
    // Strip from the front and back until nothing more matches; generic words can stack
    // ("the areas around the city of X").
    loop {
        let before = tokens.len();
        let arabic_first = tokens.first().is_some_and(|t| is_arabic(t));
        if let Some(p) = NEAR
            .iter()
            .find(|p| starts_with_phrase(&tokens, p, arabic_first))
        {
            near = true;
            // An Arabic near-phrase usually leaves "ل" on the next word ("المجاورة لألما");
            // the clitic readings of that word are tried by `variants`.
            tokens.drain(..p.len());
        }
        let arabic_first = tokens.first().is_some_and(|t| is_arabic(t));
        if let Some((p, k)) = GENERIC
            .iter()
            .find(|(p, _)| starts_with_phrase(&tokens, p, arabic_first))
        {
            kind_hint.get_or_insert(*k);
            tokens.drain(..p.len());
        }
        if let Some((p, k)) = GENERIC.iter().find(|(p, _)| ends_with_phrase(&tokens, p)) {
            kind_hint.get_or_insert(*k);
            let n = tokens.len() - p.len();
            tokens.truncate(n);
        }
        if tokens.len() == before {
            break;
        }
    }
    ParsedQuery {
        main: tokens.join(" "),
        literal,
        parents,
        kind_hint,
        near,
    }
}

/// The keys to look up for a parsed query, best first: the literal text, the text without its
/// generic words, then Arabic clitic readings of the first word.
pub fn variants(q: &ParsedQuery) -> Vec<Variant> {
    let mut out: Vec<Variant> = Vec::new();
    let mut push = |folded: String, weight: f64, clitic: bool| {
        let key = compact(&folded);
        if !key.is_empty() && !out.iter().any(|v| v.key == key) {
            out.push(Variant {
                key,
                folded,
                weight,
                clitic,
            });
        }
    };
    push(q.literal.clone(), 1.0, false);
    push(q.main.clone(), BARE_WEIGHT, false);
    for base in [&q.main, &q.literal] {
        if !is_arabic(base) {
            continue;
        }
        let (first, rest) = match base.split_once(' ') {
            Some((f, r)) => (f, Some(r)),
            None => (base.as_str(), None),
        };
        for stem in strip_clitics(first) {
            let folded = match rest {
                Some(r) => format!("{stem} {r}"),
                None => stem.to_string(),
            };
            push(folded, CLITIC_WEIGHT, true);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_words_become_a_kind_hint() {
        let q = parse("Almaty Region");
        assert_eq!(
            (q.main.as_str(), q.kind_hint),
            ("almaty", Some(Kind::Region))
        );
        let q = parse("ولاية جامبيل");
        assert_eq!(
            (q.main.as_str(), q.kind_hint),
            ("جامبيل", Some(Kind::Region))
        );
        let q = parse("Жамбыл облысы");
        assert_eq!(
            (q.main.as_str(), q.kind_hint),
            ("жамбыл", Some(Kind::Region))
        );
        let q = parse("г. Алматы");
        assert_eq!((q.main.as_str(), q.kind_hint), ("алматы", Some(Kind::City)));
        let q = parse("بمدينة أكتاو");
        assert_eq!((q.main.as_str(), q.kind_hint), ("اكتاو", Some(Kind::City)));
    }

    #[test]
    fn a_generic_word_alone_is_the_name() {
        let q = parse("Region");
        assert_eq!((q.main.as_str(), q.kind_hint), ("region", None));
    }

    #[test]
    fn near_phrases_set_near() {
        let q = parse("المناطق المجاورة لمدينة ألما آتا");
        assert!(q.near);
        assert_eq!(q.main, "الما اتا");
        assert_eq!(q.kind_hint, Some(Kind::City));
        let q = parse("outskirts of Almaty");
        assert!(q.near);
        assert_eq!(q.main, "almaty");
        let q = parse("المناطق المجاورة لألما آتا");
        assert!(q.near);
        assert!(variants(&q).iter().any(|v| v.folded == "الما اتا"));
    }

    #[test]
    fn commas_give_parents() {
        let q = parse("Aktau, Mangystau, Kazakhstan");
        assert_eq!(q.main, "aktau");
        assert_eq!(q.parents, vec!["mangystau", "kazakhstan"]);
        let q = parse("أكتاو، كازاخستان");
        assert_eq!(q.parents, vec![fold("كازاخستان")]);
    }

    #[test]
    fn variants_keep_the_literal_first() {
        let q = parse("وأكتاو");
        let v = variants(&q);
        assert_eq!(v[0].folded, "واكتاو");
        assert_eq!(v[0].weight, 1.0);
        assert!(
            v.iter()
                .any(|x| x.folded == "اكتاو" && x.weight == CLITIC_WEIGHT)
        );
        let q = parse("Kuwait City");
        assert_eq!(variants(&q)[0].key, "kuwaitcity");
    }
}
