//! A report's text as the extractor reads it: words with code-point offsets, folded for
//! matching (case, Arabic letter variants and diacritics, ё), and sentences.

/// A word (a run of letters and digits) of the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// Offsets in code points; `end` is exclusive.
    pub start: usize,
    pub end: usize,
    /// Lowercased and folded ([`fold`]).
    pub folded: String,
    /// The character just before the word ('\0' at the start).
    pub before: char,
    /// A comma, a semicolon or a sentence's end stands between the previous word and this
    /// one: a count word or a negation does not reach across it.
    pub comma_before: bool,
    /// A sentence's end (or a line break, a semicolon) stands between the previous word and
    /// this one: a commaless [`Word::comma_before`].
    pub stop_before: bool,
    /// Where `folded`'s forms without Arabic proclitics start ([`arabic_forms`]), worked
    /// out once: every cue of the lexicon is compared with every word's forms.
    form_starts: [u16; 5],
    forms: u8,
}

impl Word {
    /// A word of the text: `folded` as [`fold`] made it.
    pub fn new(
        start: usize,
        end: usize,
        folded: String,
        before: char,
        (comma_before, stop_before): (bool, bool),
    ) -> Word {
        let mut form_starts = [0u16; 5];
        let mut forms = 0u8;
        for f in arabic_forms(&folded) {
            // Forms are suffixes of the word; a word too long for the offsets keeps its
            // first form (itself) only.
            match u16::try_from(folded.len() - f.len()) {
                Ok(at) if (forms as usize) < form_starts.len() => {
                    form_starts[forms as usize] = at;
                    forms += 1;
                }
                _ => break,
            }
        }
        Word {
            start,
            end,
            folded,
            before,
            comma_before,
            stop_before,
            form_starts,
            forms,
        }
    }

    /// The word and its forms without Arabic proclitics, as [`arabic_forms`] gives them.
    pub fn forms(&self) -> impl Iterator<Item = &str> {
        self.form_starts[..self.forms as usize]
            .iter()
            .map(|&at| &self.folded[at as usize..])
    }

    /// The word's digits as a number, in any of the scripts news uses (0-9, ٠-٩, ۰-۹).
    pub fn digits(&self) -> Option<u64> {
        if self.folded.is_empty() || self.folded.len() > 24 {
            return None;
        }
        let mut v: u64 = 0;
        for c in self.folded.chars() {
            v = v.checked_mul(10)?.checked_add(digit(c)? as u64)?;
        }
        Some(v)
    }

    pub fn is_digits(&self) -> bool {
        self.digits().is_some()
    }
}

/// The value of a decimal digit in Latin, Arabic-Indic or Extended Arabic-Indic script.
pub fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '\u{660}'..='\u{669}' => Some(c as u32 - 0x660),
        '\u{6f0}'..='\u{6f9}' => Some(c as u32 - 0x6f0),
        _ => None,
    }
}

/// Lowercase; Arabic without diacritics and tatweel, with one alef, final yeh and heh for teh
/// marbuta; Cyrillic ё as е. Cue words are folded the same way before comparing.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{64b}'..='\u{65f}' | '\u{670}' | '\u{640}' => {}
            'أ' | 'إ' | 'آ' | 'ٱ' => out.push('ا'),
            'ى' => out.push('ي'),
            'ة' => out.push('ه'),
            'ё' | 'Ё' => out.push('е'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The spans (code points) of quoted speech: text between «», “”, „“ or straight double
/// quotes holding at least four words — not a name or a term in quotes («Ұлытау Мыс»,
/// "load-shedding").
pub fn quotations(chars: &[char]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut open: Option<(usize, char)> = None;
    for (i, &c) in chars.iter().enumerate() {
        match (open, c) {
            (None, '«' | '“' | '„') => open = Some((i, c)),
            // a straight quote opens before a word and closes after one
            (None, '"') if chars.get(i + 1).is_some_and(|n| n.is_alphanumeric()) => {
                open = Some((i, c))
            }
            (Some((o, '«')), '»')
            | (Some((o, '“')), '”')
            | (Some((o, '„')), '“' | '”')
            | (Some((o, '"')), '"') => {
                let words = chars[o + 1..i]
                    .split(|c| c.is_whitespace())
                    .filter(|w| !w.is_empty())
                    .count();
                if words >= 4 {
                    out.push(o..i + 1);
                }
                open = None;
            }
            // a paragraph ends an unclosed quote
            (Some(_), '\n') => open = None,
            _ => {}
        }
    }
    out
}

/// The words of a text (`chars`), in order.
pub fn words(chars: &[char]) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_word_char(chars[i]) {
            let start = i;
            while i < chars.len() && is_word_char(chars[i]) {
                i += 1;
            }
            let raw: String = chars[start..i].iter().collect();
            let gap_start = out.last().map_or(0, |w| w.end);
            let gap = &chars[gap_start..start];
            // a full stop before a capital or an Arabic word ends a sentence; not "ок. 200",
            // "тыс. человек", "1.5"
            let stop = gap
                .iter()
                .any(|c| matches!(c, ';' | '؛' | '!' | '?' | '؟' | '\n'))
                || gap.contains(&'.') && !chars[start].is_lowercase() && !chars[start].is_numeric();
            let comma = stop || gap.iter().any(|c| matches!(c, ',' | '،'));
            out.push(Word::new(
                start,
                i,
                fold(&raw),
                if start == 0 { '\0' } else { chars[start - 1] },
                (comma, stop),
            ));
        } else {
            i += 1;
        }
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '\u{64b}'..='\u{65f}' | '\u{670}' | '\u{640}')
}

/// Sentence boundaries as code-point ranges: after `.`, `!`, `?`, `؟`, `…` followed by a space,
/// and at line breaks. A full stop between digits (`05.01.2022`, `1.5`) or after a single
/// capital (`J. Smith`) does not end a sentence.
pub fn sentences(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let end = match c {
            '\n' => true,
            '!' | '?' | '؟' | '…' => next.is_none_or(char::is_whitespace),
            '.' => {
                let initial = i >= 1
                    && chars[i - 1].is_uppercase()
                    && (i < 2 || !chars[i - 2].is_alphanumeric());
                next.is_none_or(char::is_whitespace) && !initial
            }
            _ => false,
        };
        if end {
            if chars[start..=i].iter().any(|c| c.is_alphanumeric()) {
                out.push((start, i + 1));
            }
            start = i + 1;
        }
    }
    if chars[start..].iter().any(|c| c.is_alphanumeric()) {
        out.push((start, chars.len()));
    }
    out
}

/// Words that open a new clause after a comma ("…in Mombasa and Kisumu, while in Eldoret
/// protesters torched…"): each clause is read as a sentence of its own, its event words
/// going with its own places.
const CLAUSE_OPENERS: &[&str] = &[
    "while",
    "whereas",
    "but",
    "meanwhile",
    "а",
    "но",
    "тогда",
    "однако",
    "ал",
    "бірақ",
    "алайда",
    "بينما",
    "فيما",
    "لكن",
    "اما",
    "وفيما",
    "وبينما",
    "ولكن",
];

/// The clauses of the sentence `s..e`: split at `;` and at a comma followed by a clause
/// opener.
pub fn clauses(chars: &[char], words: &[Word], (s, e): (usize, usize)) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = s;
    for w in words.iter().filter(|w| w.start > s && w.start < e) {
        let gap: String = chars[..w.start]
            .iter()
            .rev()
            .take_while(|c| !c.is_alphanumeric())
            .collect();
        let cut = gap.contains(';')
            || gap.contains('؛')
            || (gap.contains(',') || gap.contains('،'))
                && CLAUSE_OPENERS.contains(&w.folded.as_str());
        if cut && w.start > start {
            out.push((start, w.start));
            start = w.start;
        }
    }
    out.push((start, e));
    out
}

/// Strips Arabic proclitics (و ف, then ب ل ك, then ال / ل) from a folded word, longest
/// first; the word itself comes first. Each form is at least two letters.
pub fn arabic_forms(w: &str) -> impl Iterator<Item = &str> + Clone {
    // At most five forms: a fixed array, no allocation (this runs for every word against
    // every cue of the lexicon).
    let mut out: [Option<&str>; 5] = [Some(w), None, None, None, None];
    let mut n = 1;
    let mut rest = w;
    for set in [&["و", "ف"][..], &["ب", "ل", "ك"][..], &["ال"][..]] {
        for p in set {
            if let Some(r) = rest.strip_prefix(p)
                && r.chars().nth(1).is_some()
            {
                rest = r;
                out[n] = Some(rest);
                n += 1;
                break;
            }
        }
    }
    // لل = ل + ال
    if let Some(r) = w.strip_prefix("لل").or_else(|| w.strip_prefix("ولل"))
        && r.chars().nth(1).is_some()
    {
        out[n] = Some(r);
    }
    out.into_iter().flatten()
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotations_are_speech_not_names() {
        let c: Vec<char> = "«Ұлытау Мыс» компаниясы. «Күн сайын жер астына түскенде қорқамыз», \
                            – деді ол. \"We lost everything in one night,\" she said."
            .chars()
            .collect();
        let q: Vec<String> = quotations(&c)
            .into_iter()
            .map(|r| c[r].iter().collect())
            .collect();
        assert_eq!(
            q,
            [
                "«Күн сайын жер астына түскенде қорқамыз»",
                "\"We lost everything in one night,\""
            ]
        );
    }

    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn words_have_code_point_offsets_and_fold() {
        let c = chars("قُتل ١٠٣ أشخاص في ألما آتا. Ёлки");
        let w = words(&c);
        assert_eq!(w[0].folded, "قتل");
        assert_eq!(w[1].digits(), Some(103));
        assert_eq!(w[2].folded, "اشخاص");
        let last = w.last().unwrap();
        assert_eq!(last.folded, "елки");
        assert_eq!(c[last.start..last.end].iter().collect::<String>(), "Ёлки");
    }

    #[test]
    fn sentences_end_at_stops_but_not_in_numbers() {
        let c = chars("On 05.01.2022 J. Smith said 1.5 million. Police came! Was it? Yes\nNext");
        let s: Vec<String> = sentences(&c)
            .into_iter()
            .map(|(a, b)| c[a..b].iter().collect::<String>().trim().to_string())
            .collect();
        assert_eq!(
            s,
            [
                "On 05.01.2022 J. Smith said 1.5 million.",
                "Police came!",
                "Was it?",
                "Yes",
                "Next"
            ]
        );
    }

    #[test]
    fn arabic_clitics_come_off_one_layer_at_a_time() {
        assert_eq!(
            arabic_forms("والمتظاهرين").collect::<Vec<_>>(),
            ["والمتظاهرين", "المتظاهرين", "متظاهرين"]
        );
        assert_eq!(
            arabic_forms("للمحتجين").collect::<Vec<_>>(),
            ["للمحتجين", "لمحتجين", "محتجين"]
        );
        assert_eq!(arabic_forms("قتلى").collect::<Vec<_>>(), ["قتلى"]);
    }
}
