//! Word tokens of a text, with their offsets and what their spelling says (a capital, the
//! start of a sentence, a headline in title case).

use crate::gazetteer::normalize::fold;

pub(super) struct Token<'a> {
    /// Code-point offsets in the text.
    pub start: usize,
    pub end: usize,
    /// Byte offsets in the text.
    pub byte_start: usize,
    pub byte_end: usize,
    pub raw: &'a str,
    /// Folded, without spaces.
    pub folded: String,
    /// Starts with a capital letter (in a script that has them).
    pub capital: bool,
    /// Written in a script that has capitals at all.
    pub cased: bool,
    /// First word of a sentence (or of a line, a quotation, a parenthesis): a capital there
    /// says nothing about being a name.
    pub sentence_start: bool,
    /// In a line whose words are mostly capitalized (a headline in title case): capitals
    /// there say nothing either.
    pub title_case: bool,
    /// Only spaces (no punctuation, no line break) between the previous token and this one.
    pub after_space: bool,
    /// Joined to the previous token by a hyphen (Интерфакс-Казахстан).
    pub after_hyphen: bool,
    /// Inside a short quotation of at most four words: the name of a medium, company, club
    /// or party («Алматы» телеарнасы, «Газпром добыча Оренбург»), not a place.
    pub quoted: bool,
    /// First word of the text or of a line.
    pub line_start: bool,
    /// The first mark other than a space between the previous token and this one.
    pub mark_before: Option<char>,
}

/// Whether the words `first..=last` open a dateline: the first words of the text or of a
/// line, then a comma, a parenthesis or a dash, and a date soon after on the same line
/// ("ҚОНАЕВ, 22 шілде.", "ЯКУТСК, 21 мая", "عمان (الأردن) -", "KHARTOUM, Jan 5 (Reuters) -").
/// Where an agency says it wrote from is a place, whatever else the word may be.
pub(super) fn opens_dateline(toks: &[Token<'_>], first: usize, last: usize) -> bool {
    let Some(next) = toks.get(last + 1) else {
        return false;
    };
    if !toks[first].line_start || toks[first + 1..=last].iter().any(|t| t.line_start) {
        return false;
    }
    match next.mark_before {
        Some('(' | '-' | '—' | '–') => true,
        Some(',') => toks[last + 1..]
            .iter()
            .take(4)
            .take_while(|t| !t.line_start)
            .any(|t| t.raw.starts_with(|c: char| c.is_numeric())),
        _ => false,
    }
}

impl Token<'_> {
    /// A capital where ordinary words have none: mid-sentence, outside a title-case
    /// headline. The strongest sign of a name in Latin and Cyrillic text.
    pub fn capital_says_name(&self) -> bool {
        self.cased && self.capital && !self.sentence_start && !self.title_case
    }
}

/// Characters after which the next word starts a sentence, line, quotation or parenthesis.
fn opens_sentence(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | '\n' | ':' | ';' | '…' | '«' | '“' | '"' | '(' | '[' | '—' | '–' | '„'
    )
}

pub(super) fn tokens<'t>(text: &'t str) -> Vec<Token<'t>> {
    let mut out: Vec<Token<'t>> = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (byte, code point)
    let mut cp = 0usize;
    let is_word = |c: char| {
        c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c) || c == '\u{0640}'
    };
    let push = |s: usize, scp: usize, e: usize, ecp: usize, out: &mut Vec<Token<'t>>| {
        let raw = &text[s..e];
        let first = raw.chars().next().unwrap_or(' ');
        let cased = first.is_uppercase() || first.is_lowercase();
        let gap_from = out.last().map_or(0, |t| t.byte_end);
        let gap = &text[gap_from..s];
        // Russian and Kazakh go on in lower case after a colon or a semicolon ("ахуал
        // ауыр: Шиеліден 40 шақырым"): a capital there says name as it does mid-sentence.
        let cyrillic = matches!(first, '\u{0400}'..='\u{04FF}');
        let sentence_start = out.is_empty()
            || gap
                .chars()
                .any(|c| opens_sentence(c) && !(cyrillic && matches!(c, ':' | ';')));
        let after_space = !out.is_empty() && !gap.is_empty() && gap.chars().all(|c| c == ' ');
        let after_hyphen = !out.is_empty() && matches!(gap, "-" | "\u{2010}" | "\u{2011}");
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
            sentence_start,
            title_case: false,
            after_space,
            after_hyphen,
            quoted: false,
            line_start: out.is_empty() || gap.contains('\n'),
            mark_before: gap.chars().find(|c| !c.is_whitespace()),
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
    mark_title_case(text, &mut out);
    mark_short_quotes(text, &mut out);
    out
}

/// Marks the tokens of quotations of one to four words.
fn mark_short_quotes(text: &str, toks: &mut [Token<'_>]) {
    let mut open: Option<(char, usize)> = None; // (closing mark, byte offset after opening)
    for (b, c) in text.char_indices() {
        if let Some((close, from)) = open {
            if c == close {
                // tokens are in text order: the ones inside are one run, found by bisection
                let lo = toks.partition_point(|t| t.byte_start < from);
                let hi = toks.partition_point(|t| t.byte_end <= b);
                if hi > lo && hi - lo <= 4 {
                    for t in &mut toks[lo..hi] {
                        t.quoted = true;
                    }
                }
                open = None;
                continue;
            }
            if c == '\n' {
                open = None;
            }
        }
        if open.is_none() {
            let close = match c {
                '«' => '»',
                '“' => '”',
                '„' => '“',
                '"' => '"',
                _ => continue,
            };
            open = Some((close, b + c.len_utf8()));
        }
    }
}

/// Marks the tokens of lines where most words of four letters or more are capitalized.
fn mark_title_case(text: &str, toks: &mut [Token<'_>]) {
    let mut i = 0;
    while i < toks.len() {
        let line_end = text[toks[i].byte_end..]
            .find('\n')
            .map_or(text.len(), |n| toks[i].byte_end + n);
        let j = toks[i..]
            .iter()
            .position(|t| t.byte_start > line_end)
            .map_or(toks.len(), |n| i + n);
        let long: Vec<&Token<'_>> = toks[i..j]
            .iter()
            .filter(|t| t.cased && t.raw.chars().count() >= 4)
            .collect();
        let capitals = long.iter().filter(|t| t.capital).count();
        if long.len() >= 3 && capitals * 10 >= long.len() * 7 {
            for t in &mut toks[i..j] {
                t.title_case = true;
            }
        }
        i = j;
    }
}

/// Code points taken by the first `letters` letters of an Arabic token (marks and tatweel
/// ride along), for offsets that skip a clitic.
pub(super) fn arabic_prefix_len(raw: &str, letters: usize) -> usize {
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

    #[test]
    fn capitals_count_only_mid_sentence() {
        let t = tokens("Reading was hard. Police came to Reading. «Nice» he said");
        let says: Vec<(&str, bool)> = t.iter().map(|t| (t.raw, t.capital_says_name())).collect();
        assert_eq!(says[0], ("Reading", false));
        assert_eq!(says[3], ("Police", false));
        assert_eq!(says[6], ("Reading", true));
        assert_eq!(says[7], ("Nice", false));
        // Cyrillic text goes on in lower case after a colon; English may not
        let t = tokens("Ахуал ауыр: Шиеліден келді. Note: Reading");
        assert!(t[2].capital_says_name());
        assert!(!t[5].capital_says_name());
    }

    #[test]
    fn short_quotations_are_marked() {
        let t = tokens("«Алматы» телеарнасы; \"We will stay in Almaty for now,\" she said.");
        assert!(t[0].quoted);
        assert!(!t.iter().rfind(|t| t.raw == "Almaty").unwrap().quoted);
        assert!(tokens("Интерфакс-Казахстан")[1].after_hyphen);
    }

    #[test]
    fn title_case_headlines_are_marked() {
        let t =
            tokens("Police Detain Hundreds In Almaty Protests\nPolice detained people in Almaty.");
        assert!(t[4].title_case && !t[4].capital_says_name());
        let almaty = t.iter().rfind(|t| t.raw == "Almaty").unwrap();
        assert!(!almaty.title_case && almaty.capital_says_name());
    }
}
