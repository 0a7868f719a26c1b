//! Finding places in running text (geoparsing), in any language.
//!
//! 1. The text is split into word tokens, each folded like gazetteer names; their code-point
//!    offsets are kept, so every mention slices back out of the original text.
//! 2. At each token, runs of up to four tokens are looked up in the name index, longest first
//!    (leftmost-longest, so "Ust-Kamenogorsk" is one mention and no span is reported twice).
//!    Arabic proclitics (وأكتاو) are tried off the first token, and a generic word before or
//!    after ("منطقة كيزيلوردا", "Zhambyl region") joins the mention and says what kind of place
//!    is meant.
//! 3. Common words that happen to name a hamlet somewhere are kept out: stop words, short
//!    tokens, lower-case words in scripts that capitalize names, and obscure matches that no
//!    context supports.
//! 4. Mentions are resolved twice: once alone, to find the document's focus country (the one
//!    its countries, regions and cities point at), then again with that focus as a bias — a
//!    text about Kazakhstan prefers Kazakh places.

use std::collections::HashMap;

use serde::Serialize;

use super::data::Kind;
use super::normalize::{fold, is_arabic, strip_clitics};
use super::{Candidates, Context, Gazetteer, GeocodeResult};

/// Longest run of tokens looked up as one name.
const MAX_TOKENS: usize = 4;

/// A place found in a text.
#[derive(Debug, Clone, Serialize)]
pub struct Mention {
    /// The mention as written (the text sliced at `start..end`).
    pub text: String,
    /// Offsets in Unicode code points; `end` is exclusive.
    pub start: usize,
    pub end: usize,
    pub place: GeocodeResult,
}

struct Token<'a> {
    /// Code-point offsets in the text.
    start: usize,
    end: usize,
    /// Byte offsets in the text.
    byte_start: usize,
    byte_end: usize,
    raw: &'a str,
    /// Folded, without spaces.
    folded: String,
    /// Starts with a capital letter (in a script that has them).
    capital: bool,
    /// Written in a script that has capitals at all.
    cased: bool,
}

/// Words that come before a name and say what it is ("منطقة كيزيلوردا", "г. Алматы").
const PREFIX_GENERIC: &[(&str, Kind)] = &[
    ("مدينه", Kind::City),
    ("بلده", Kind::City),
    ("منطقه", Kind::Region),
    ("ولايه", Kind::Region),
    ("محافظه", Kind::Region),
    ("مقاطعه", Kind::Region),
    ("اقليم", Kind::Region),
    ("город", Kind::City),
    ("г", Kind::City),
    ("city", Kind::City),
];

/// Words that come after a name and say what it is ("Zhambyl region", "Жамбыл облысы").
const SUFFIX_GENERIC: &[(&str, Kind)] = &[
    ("region", Kind::Region),
    ("oblast", Kind::Region),
    ("province", Kind::Region),
    ("область", Kind::Region),
    // Russian oblique cases of the same words: в Мангистауской области, района.
    ("области", Kind::Region),
    ("областью", Kind::Region),
    ("облысы", Kind::Region),
    ("oblysy", Kind::Region),
    ("district", Kind::District),
    ("район", Kind::District),
    ("района", Kind::District),
    ("районе", Kind::District),
    ("району", Kind::District),
    ("ауданы", Kind::District),
    ("қаласы", Kind::City),
    ("city", Kind::City),
];

/// Russian case endings and the nominative ending they replace: place names in Russian text
/// are inflected (в Жанаозене, из России, на Алма-Ату), the gazetteer holds the nominative.
const RUSSIAN_ENDINGS: &[(&str, &str)] = &[
    ("е", ""),
    ("е", "а"),
    ("е", "я"),
    ("у", "а"),
    ("у", ""),
    ("ю", "я"),
    ("ы", "а"),
    ("и", "я"),
    ("и", "ь"),
    ("и", "а"),
    ("ой", "а"),
    ("ей", "я"),
    ("ом", ""),
    ("ем", ""),
    ("а", ""),
    ("я", ""),
    ("ах", "а"),
    ("ах", ""),
];

/// Kazakh case endings, longest first. Kazakh adds them to the unchanged nominative, with the
/// vowel and first consonant chosen by the stem (vowel harmony, voicing): Алматыда, Таразда,
/// Ақтауға, Қазақстанның, Жаңаөзенде, Шымкенттегі. After a possessive ending (облысы) an
/// `н` comes first: облысында, облысының.
const KAZAKH_ENDINGS: &[&str] = &[
    // locative + attributive "the one in …"
    "ндағы",
    "ндегі",
    "дағы",
    "дегі",
    "тағы",
    "тегі",
    // ablative
    "нан",
    "нен",
    "дан",
    "ден",
    "тан",
    "тен",
    // genitive
    "ның",
    "нің",
    "дың",
    "дің",
    "тың",
    "тің",
    // instrumental
    "мен",
    "бен",
    "пен",
    // locative
    "нда",
    "нде",
    "да",
    "де",
    "та",
    "те",
    // dative
    "ға",
    "ге",
    "қа",
    "ке",
    "на",
    "не",
    // accusative
    "ны",
    "ні",
    "ды",
    "ді",
    "ты",
    "ті",
];

/// A Kazakh word without its case ending, when it has one.
fn kazakh_stems(word: &str) -> impl Iterator<Item = &str> {
    KAZAKH_ENDINGS
        .iter()
        .filter_map(move |e| word.strip_suffix(e))
        .filter(|stem| stem.chars().count() >= 3)
}

/// The English possessive (Kenya's), with either apostrophe.
const POSSESSIVES: &[&str] = &["'s", "\u{2019}s"];

/// Weight of a match that needed a case ending undone.
const INFLECTED_WEIGHT: f64 = 0.95;

fn is_cyrillic(s: &str) -> bool {
    s.chars().any(|c| matches!(c, '\u{0400}'..='\u{04FF}'))
}

/// Frequent words that are also the name of some place, in the languages of our reports.
/// Folded forms.
const STOP_WORDS: &[&str] = &[
    // English
    "the",
    "and",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "by",
    "with",
    "from",
    "as",
    "is",
    "was",
    "are",
    "were",
    "be",
    "been",
    "has",
    "had",
    "have",
    "not",
    "but",
    "or",
    "an",
    "a",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "after",
    "before",
    "during",
    "over",
    "under",
    "into",
    "about",
    "more",
    "than",
    "most",
    "some",
    "all",
    "new",
    "city",
    "police",
    "army",
    "people",
    "president",
    "government",
    "minister",
    "ministry",
    "health",
    "security",
    "forces",
    "troops",
    "protest",
    "protests",
    "gas",
    "price",
    "prices",
    "state",
    "national",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "said",
    "says",
    "according",
    "reported",
    "killed",
    "dead",
    "injured",
    "arrested",
    "least",
    "also",
    "other",
    "central",
    "north",
    "south",
    "east",
    "west",
    "union",
    "republic",
    "region",
    "district",
    "airport",
    "square",
    "street",
    // Arabic
    "في",
    "من",
    "الي",
    "علي",
    "عن",
    "مع",
    "هذا",
    "هذه",
    "ذلك",
    "تلك",
    "التي",
    "الذي",
    "الذين",
    "كان",
    "كانت",
    "قد",
    "لا",
    "ما",
    "بعد",
    "قبل",
    "حيث",
    "حتي",
    "ثم",
    "او",
    "ان",
    "انه",
    "كما",
    "بين",
    "خلال",
    "منذ",
    "عند",
    "لدي",
    "اكثر",
    "اقل",
    "كل",
    "بعض",
    "غير",
    "الا",
    "يوم",
    "عام",
    "قال",
    "قالت",
    "وقال",
    "اعلن",
    "اعلنت",
    "وزاره",
    "الصحه",
    "الداخليه",
    "الشرطه",
    "قوات",
    "الامن",
    "الجيش",
    "الرئيس",
    "الحكومه",
    "مقتل",
    "اصابه",
    "اعتقال",
    "احتجاجات",
    "الغاز",
    "اسعار",
    "شخصا",
    "اشخاص",
    "الناس",
    "المدينه",
    "البلاد",
    "يناير",
    "فبراير",
    "مارس",
    "ابريل",
    "مايو",
    "يونيو",
    "يوليو",
    "اغسطس",
    "سبتمبر",
    "اكتوبر",
    "نوفمبر",
    "ديسمبر",
    "منظمه",
    "معاهده",
    "الجماعي",
    "السلام",
    "حفظ",
    "المسال",
    // Russian and Kazakh
    "и",
    "в",
    "во",
    "на",
    "с",
    "со",
    "по",
    "к",
    "о",
    "об",
    "от",
    "до",
    "из",
    "за",
    "для",
    "не",
    "что",
    "это",
    "как",
    "так",
    "но",
    "или",
    "а",
    "же",
    "бы",
    "при",
    "после",
    "около",
    "город",
    "года",
    "году",
    "января",
    "полиция",
    "жителей",
    "мен",
    "және",
    "бен",
    "пен",
    "үшін",
];

fn is_stop_word(w: &str) -> bool {
    static SET: std::sync::LazyLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::LazyLock::new(|| STOP_WORDS.iter().copied().collect());
    SET.contains(w)
}

fn tokens<'t>(text: &'t str) -> Vec<Token<'t>> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (byte, code point)
    let mut cp = 0usize;
    let is_word = |c: char| {
        c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c) || c == '\u{0640}'
    };
    let push = |s: usize, scp: usize, e: usize, ecp: usize, out: &mut Vec<Token<'t>>| {
        let raw = &text[s..e];
        let first = raw.chars().next().unwrap_or(' ');
        let cased = first.is_uppercase() || first.is_lowercase();
        out.push(Token {
            start: scp,
            end: ecp,
            byte_start: s,
            byte_end: e,
            raw,
            // a token holds no separators, but compatibility forms can fold to several words
            folded: fold(raw).replace(' ', ""),
            capital: first.is_uppercase(),
            cased,
        });
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (n, &(b, c)) in chars.iter().enumerate() {
        // An apostrophe between letters stays inside the word (Jan'aozen, Qostanai').
        let inner_apostrophe = matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
            && start.is_some()
            && chars.get(n + 1).is_some_and(|&(_, d)| d.is_alphabetic());
        if is_word(c) || inner_apostrophe {
            if start.is_none() {
                start = Some((b, cp));
            }
        } else if let Some((s, scp)) = start.take() {
            push(s, scp, b, cp, &mut out);
        }
        cp += 1;
    }
    if let Some((s, scp)) = start {
        push(s, scp, text.len(), cp, &mut out);
    }
    out
}

/// Code points taken by the first `letters` letters of an Arabic token (marks and tatweel
/// ride along), for offsets that skip a clitic.
fn arabic_prefix_len(raw: &str, letters: usize) -> usize {
    let mut seen = 0;
    for (i, c) in raw.chars().enumerate() {
        let base = !(unicode_normalization::char::is_combining_mark(c) || c == '\u{0640}');
        if base {
            if seen == letters {
                return i;
            }
            seen += 1;
        }
    }
    raw.chars().count()
}

fn generic(word: &str, table: &[(&str, Kind)]) -> Option<Kind> {
    table.iter().find(|(w, _)| *w == word).map(|(_, k)| *k)
}

/// A generic word, perhaps with an Arabic clitic on it ("بمدينة").
fn generic_with_clitic(word: &str, table: &[(&str, Kind)]) -> Option<Kind> {
    generic(word, table).or_else(|| {
        if is_arabic(word) {
            strip_clitics(word).iter().find_map(|s| generic(s, table))
        } else {
            None
        }
    })
}

/// A mention before resolution.
struct Raw {
    first: usize,
    last: usize,
    /// Code points to skip at the start of the first token (an Arabic clitic).
    skip: usize,
    hint: Option<Kind>,
    cands: Candidates,
    single_word: bool,
}

impl Gazetteer {
    /// Finds the places a text mentions.
    pub fn geoparse(&self, text: &str) -> Vec<Mention> {
        self.geoparse_at_most(text, usize::MAX).0
    }

    /// Finds the places a text mentions, keeping the first `max`; also says how many there
    /// are in all. Memory stays proportional to the text and `max`, not to the mentions: a
    /// text of nothing but place names (tens of thousands of mentions) is counted, not kept.
    pub fn geoparse_at_most(&self, text: &str, max: usize) -> (Vec<Mention>, usize) {
        let toks = tokens(text);
        let raws = self.find_mentions(&toks);

        // Pass 1: each mention alone, to find where the document is.
        let mut weight: HashMap<&str, f64> = HashMap::new();
        let mut resolved: Vec<bool> = Vec::with_capacity(raws.len());
        for r in &raws {
            let best = self
                .rank(r.cands.clone(), &self.context(r.hint, None), 1)
                .into_iter()
                .next();
            if let Some(b) = &best {
                let w = match b.kind {
                    Kind::Country => 2.0,
                    Kind::Region | Kind::District => 1.5,
                    Kind::City => 1.0,
                } * b.confidence;
                *weight.entry(self.country_code(b.id)).or_default() += w;
            }
            resolved.push(best.is_some());
        }
        let total: f64 = weight.values().sum();
        let focus = weight
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
            .filter(|(_, w)| **w >= 0.3 * total)
            .map(|(c, _)| c.to_string());

        // Pass 2: with the focus as a bias.
        let mut out = Vec::new();
        let mut found = 0;
        for (r, first_guess) in raws.into_iter().zip(resolved) {
            if !first_guess {
                continue;
            }
            let ctx = self.context(r.hint, focus.as_deref());
            let Some(place) = self.rank(r.cands, &ctx, 1).into_iter().next() else {
                continue;
            };
            if !self.plausible(&place, r.single_word, focus.as_deref()) {
                continue;
            }
            found += 1;
            if out.len() >= max {
                continue;
            }
            let first = &toks[r.first];
            let skip_bytes: usize = first.raw.chars().take(r.skip).map(char::len_utf8).sum();
            let last = &toks[r.last];
            out.push(Mention {
                text: text[first.byte_start + skip_bytes..last.byte_end].to_string(),
                start: first.start + r.skip,
                end: last.end,
                place,
            });
        }
        (out, found)
    }

    fn context<'a>(&self, hint: Option<Kind>, country: Option<&'a str>) -> Context<'a> {
        Context {
            kind_hint: hint,
            near: false,
            parents: Vec::new(),
            country,
            bbox: None,
        }
    }

    fn country_code(&self, id: u64) -> &str {
        self.place(id).map(|p| p.country.as_str()).unwrap_or("")
    }

    /// Whether a resolved mention is believable as a place rather than a word.
    fn plausible(&self, place: &GeocodeResult, single_word: bool, focus: Option<&str>) -> bool {
        if place.confidence < 0.5 {
            return false;
        }
        if !single_word || place.kind != Kind::City {
            return true;
        }
        // A one-word match on an obscure place far from the story is more likely a word.
        place.population >= 50_000 || focus == Some(place.country.as_str())
    }

    /// Pass over the tokens: leftmost-longest dictionary matches.
    fn find_mentions(&self, toks: &[Token<'_>]) -> Vec<Raw> {
        let mut out = Vec::new();
        let mut key = String::new();
        let mut i = 0;
        while i < toks.len() {
            // A generic word before a name ("منطقة كيزيلوردا") joins the mention.
            let prefix =
                generic_with_clitic(&toks[i].folded, PREFIX_GENERIC).filter(|_| i + 1 < toks.len());
            let at = if prefix.is_some() { i + 1 } else { i };
            match self.match_at(toks, at, &mut key) {
                Some((n, skip, cands)) => {
                    let mut last = at + n - 1;
                    let mut hint = prefix;
                    if let Some(k) = toks.get(last + 1).and_then(|t| {
                        generic(&t.folded, SUFFIX_GENERIC).or_else(|| {
                            kazakh_stems(&t.folded).find_map(|w| generic(w, SUFFIX_GENERIC))
                        })
                    }) {
                        hint = hint.or(Some(k));
                        last += 1;
                    }
                    out.push(Raw {
                        first: i,
                        last,
                        skip: if prefix.is_some() { 0 } else { skip },
                        hint,
                        cands,
                        single_word: n == 1,
                    });
                    i = last + 1;
                }
                None => i += 1,
            }
        }
        out
    }

    /// The longest run of tokens from `at` that names a place: (tokens, clitic code points to
    /// skip, candidates).
    fn match_at(
        &self,
        toks: &[Token<'_>],
        at: usize,
        key: &mut String,
    ) -> Option<(usize, usize, Candidates)> {
        let first = toks.get(at)?;
        if !self.worth_looking_up(first) {
            return None;
        }
        // Names in cased scripts are capitalized in running text.
        if first.cased && !first.capital {
            return None;
        }
        let arabic = is_arabic(&first.folded);
        let stems: Vec<&str> = if arabic {
            strip_clitics(&first.folded)
        } else {
            Vec::new()
        };
        // Runs of several tokens only where some name of several words starts this way.
        let multi = self.index.starts_a_name(&first.folded)
            || stems.iter().any(|s| self.index.starts_a_name(s));
        let max = if multi {
            MAX_TOKENS.min(toks.len() - at)
        } else {
            1
        };
        let mut cands = Candidates::default();
        for n in (1..=max).rev() {
            let run = &toks[at..at + n];
            let single = n == 1;
            let rest = |key: &mut String| {
                for t in &run[1..] {
                    key.push_str(&t.folded);
                }
            };
            // A stop word is not a name, nor are its clitic readings ("الأمن", security).
            if single && is_stop_word(&first.folded) {
                continue;
            }
            {
                key.clear();
                key.push_str(&first.folded);
                rest(key);
                if key.chars().count() >= 3 {
                    self.exact_candidates(key, 1.0, None, &mut cands);
                    if !cands.0.is_empty() {
                        return Some((n, 0, cands));
                    }
                }
            }
            for stem in &stems {
                if single && is_stop_word(stem) {
                    continue;
                }
                key.clear();
                key.push_str(stem);
                rest(key);
                if key.chars().count() < 3 {
                    continue;
                }
                self.exact_candidates(key, 0.97, None, &mut cands);
                if !cands.0.is_empty() {
                    let clitic = first.folded.chars().count() - stem.chars().count();
                    return Some((n, arabic_prefix_len(first.raw, clitic), cands));
                }
            }
            let last = &run[n - 1].folded;
            // The last word of the run with an inflection undone: its stem, and the ending of
            // the nominative to put back. An iterator, not a list: this runs for every run
            // that found no exact match.
            let cyrillic = is_cyrillic(last);
            let possessive = !cyrillic && POSSESSIVES.iter().any(|p| run[n - 1].raw.ends_with(p));
            let russian = RUSSIAN_ENDINGS
                .iter()
                .filter(|_| cyrillic)
                .filter_map(|(ending, nom)| last.strip_suffix(ending).map(|s| (s, *nom)));
            let kazakh = cyrillic
                .then(|| kazakh_stems(last))
                .into_iter()
                .flatten()
                .map(|s| (s, ""));
            // Folding may keep or drop the apostrophe: take off the `s` and whichever
            // apostrophe is left.
            let english = last
                .strip_suffix('s')
                .filter(|_| possessive)
                .map(|s| (s.trim_end_matches(['\'', '\u{2019}']), ""));
            let readings = russian.chain(kazakh).chain(english);
            for (stem, nominative) in readings {
                key.clear();
                for t in &run[..n - 1] {
                    key.push_str(&t.folded);
                }
                key.push_str(stem);
                key.push_str(nominative);
                if key.chars().count() < 3 {
                    continue;
                }
                self.exact_candidates(key, INFLECTED_WEIGHT, None, &mut cands);
                if !cands.0.is_empty() {
                    return Some((n, 0, cands));
                }
            }
        }
        None
    }

    fn worth_looking_up(&self, t: &Token<'_>) -> bool {
        !t.folded.is_empty() && !t.folded.chars().all(|c| c.is_numeric())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_code_point_offsets() {
        let t = tokens("في ألما آتا، و Ust-Kamenogorsk.");
        let words: Vec<(&str, usize, usize)> = t.iter().map(|t| (t.raw, t.start, t.end)).collect();
        assert_eq!(
            words,
            vec![
                ("في", 0, 2),
                ("ألما", 3, 7),
                ("آتا", 8, 11),
                ("و", 13, 14),
                ("Ust", 15, 18),
                ("Kamenogorsk", 19, 30)
            ]
        );
        assert!(t[4].capital && t[4].cased && !t[1].cased);
    }

    #[test]
    fn apostrophes_inside_words_stay() {
        let t = tokens("Jan'aozen 'quoted'");
        assert_eq!(t[0].raw, "Jan'aozen");
        assert_eq!(t[1].raw, "quoted");
    }

    #[test]
    fn clitic_offsets_skip_marks() {
        assert_eq!(arabic_prefix_len("وأكتاو", 1), 1);
        assert_eq!(arabic_prefix_len("وَأكتاو", 1), 2); // the fatha rides with the و
        assert_eq!(arabic_prefix_len("بال", 2), 2);
    }
}
