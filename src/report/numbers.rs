//! Counts in a report: a number (digits in any script, with thousands separators, or number
//! words), what it counts (deaths, injured, arrests: the nearest count word), and the
//! qualifier before or after it ("at least", "более", "астам", "أكثر من").

use super::lexicon::{
    self, COUNT_CUES, KAZAKH_NUMBER_ENDINGS, NUMBER_WORDS, NumberWord, QUALIFIERS_AFTER,
    QUALIFIERS_BEFORE,
};
use super::text::{Word, arabic_forms};
use super::{CountKind, Qualifier};

/// A count found in the text; words `first..=last` (qualifier included), `number` the
/// words of the number alone.
#[derive(Debug, Clone, PartialEq)]
pub struct CountMention {
    pub kind: CountKind,
    pub value: u64,
    pub qualifier: Option<Qualifier>,
    pub first: usize,
    pub last: usize,
}

/// How far (in words) a count word may stand from its number.
const REACH_AFTER: usize = 7;
const REACH_BEFORE: usize = 4;

/// The value of one number word, case endings (Kazakh) and proclitics (Arabic) taken off.
fn number_word(w: &str) -> Option<NumberWord> {
    let find = |s: &str| NUMBER_WORDS.iter().find(|(k, _)| *k == s).map(|(_, v)| *v);
    if let Some(v) = find(w) {
        return Some(v);
    }
    // (only Cyrillic words have Kazakh endings: the first UTF-8 byte says which, and the
    // search below allocates; it runs for every word a number or a toll is looked for in)
    if !matches!(w.as_bytes().first(), Some(0xD0..=0xD4)) {
        return arabic_forms(w).skip(1).find_map(find);
    }
    // Kazakh endings stack: бес-еу-ге 'to the five of them', үш-еу-і-нің
    let mut stems = vec![w];
    for _ in 0..3 {
        let next: Vec<&str> = stems
            .iter()
            .flat_map(|s| {
                KAZAKH_NUMBER_ENDINGS
                    .iter()
                    .filter_map(move |e| s.strip_suffix(e))
            })
            .filter(|s| s.chars().count() >= 2)
            .collect();
        if let Some(v) = next.iter().find_map(|s| find(s)) {
            return Some(v);
        }
        stems = next;
    }
    arabic_forms(w).skip(1).find_map(find)
}

/// A number starting at word `k`: its value and its last word. `None` for a vague one
/// ("тысячи", "آلاف" alone: thousands).
fn number_at(words: &[Word], k: usize) -> Option<(u64, usize)> {
    let w = &words[k];
    if let Some(mut v) = w.digits() {
        let mut last = k;
        // 1,300 / 1 300 / ١٬٣٠٠: groups of three after a separator
        while let Some(n) = words.get(last + 1) {
            let sep = matches!(n.before, ',' | ' ' | '\u{a0}' | '\u{202f}' | '٬' | '.');
            let gap = n.start == words[last].end + 1;
            if sep && gap && n.folded.chars().count() == 3 && n.is_digits() {
                v = v * 1000 + n.digits()?;
                last += 1;
            } else {
                break;
            }
        }
        // 8 тысяч, 3 million
        if let Some(n) = words.get(last + 1)
            && let Some(NumberWord::Times { by, .. }) = number_word(&n.folded)
        {
            v *= by;
            last += 1;
        }
        return Some((v, last));
    }
    // أحد عشر, إحدى عشرة: 11 ("أحد" alone is "one of", no number).
    if matches!(w.folded.as_str(), "احد" | "احدي")
        && let Some(n) = words.get(k + 1)
        && matches!(n.folded.as_str(), "عشر" | "عشره")
    {
        return Some((11, k + 1));
    }
    let (mut total, mut cur, mut last) = (0u64, 0u64, None);
    let mut i = k;
    while let Some(w) = words.get(i) {
        // "at least nine, five of them children" is nine
        if i > k && w.comma_before {
            break;
        }
        let Some(nw) = number_word(&w.folded) else {
            break;
        };
        match nw {
            NumberWord::Value(v) => cur += v,
            NumberWord::Times { by, alone } => {
                if cur == 0 {
                    if !alone {
                        return None;
                    }
                    cur = 1;
                }
                if by >= 1000 {
                    total += cur * by;
                    cur = 0;
                } else {
                    cur *= by;
                }
            }
        }
        last = Some(i);
        i += 1;
    }
    last.map(|l| (total + cur, l))
}

/// Every count in `words`, skipping the words `used` (dates).
pub fn find(words: &[Word], used: &[bool]) -> Vec<CountMention> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < words.len() {
        if used[k] {
            k += 1;
            continue;
        }
        let Some((value, last)) = number_at(words, k) else {
            k += 1;
            continue;
        };
        // a year or a percentage is not a count
        let next = words.get(last + 1).map(|w| w.folded.as_str()).unwrap_or("");
        let percent = words.get(last + 1).is_some_and(|w| w.before == '%')
            || next.starts_with("percent")
            || next.starts_with("процент")
            || next.starts_with("пайыз")
            || next.starts_with("بالمئه")
            || next.starts_with("بالمائه");
        // an age ("a 19-year-old student", "78-летней", "19 жастағы", "24 عاما") is no count
        let age = next.starts_with("year")
            || next.starts_with("летн")
            || next.starts_with("жас")
            || next == "عاما"
            || next == "عام";
        // "no one was arrested" is nobody, not one person
        let nobody = k > 0 && words[k - 1].folded == "no" && words[k].folded == "one";
        if nobody || percent || age || (1900..=2100).contains(&value) && words[k].is_digits() {
            k = last + 1;
            continue;
        }
        // a part of a count told before ("among the injured, six staff"; "بينهم ثلاثة
        // أطفال") is no count of its own
        // ("among them six", "в том числе трое", "بينهم ثلاثة"; "среди раненых шестеро": среди
        // and a count word; not "среди 30 задержанных", the count itself)
        let subset = (k.saturating_sub(3)..k).any(|i| {
            !words[i + 1..k].iter().any(|w| w.comma_before)
                && lexicon::ASIDES
                    .iter()
                    .any(|p| i + lexicon::match_at(words, i, p) == k)
        }) || (k >= 2
            && matches!(words[k - 2].folded.as_str(), "среди" | "among")
            && lexicon::first_match(words, k - 1, COUNT_CUES).is_some());
        if subset {
            k = last + 1;
            continue;
        }
        let mut first = k;
        let mut qualifier = None;
        for (q, phrases) in QUALIFIERS_BEFORE {
            for p in *phrases {
                let n = p.split(' ').count();
                if k >= n && lexicon::match_at(words, k - n, p) == n {
                    qualifier = Some(*q);
                    first = k - n;
                }
            }
        }
        if let Some((kind, _)) = count_word(words, first, last).or_else(|| toll(words, first)) {
            let mut end = last;
            // a Kazakh case ending written after a hyphen (100-ден астам) stands between
            let mut after = last + 1;
            if words.get(after).is_some_and(|w| w.before == '-')
                && words[after].folded.chars().count() <= 3
            {
                after += 1;
            }
            if let Some((q, n)) = lexicon::first_match(words, after, QUALIFIERS_AFTER) {
                qualifier = qualifier.or(Some(q));
                end = after + n - 1;
            }
            out.push(CountMention {
                kind,
                value,
                qualifier,
                first,
                last: end,
            });
        }
        k = last + 1;
    }
    for k in (0..words.len()).filter(|&k| !used[k]) {
        // "данных о пострадавших нет" says nothing is known, not that nobody was hurt
        if k > 0
            && matches!(
                words[k - 1].folded.as_str(),
                "о" | "об" | "about" | "туралы"
            )
        {
            continue;
        }
        for (kinds, phrases) in lexicon::ZERO_COUNTS {
            let Some(n) = phrases
                .iter()
                .map(|p| lexicon::match_at(words, k, p))
                .find(|&n| n > 0)
            else {
                continue;
            };
            out.extend(kinds.iter().map(|&kind| CountMention {
                kind,
                value: 0,
                qualifier: None,
                first: k,
                last: k + n - 1,
            }));
        }
    }
    out.sort_by_key(|c| c.first);
    out
}

/// The count word after an aside between commas that follows the number ("32 people,
/// including 21 police officers, were hurt"; "20 человек, в том числе девять полицейских,
/// пострадали").
fn after_aside(words: &[Word], last: usize) -> Option<(CountKind, usize)> {
    // the number's noun, then the aside opening with its comma
    // ("four members of one family, among them two children, drowned")
    let open = (last + 1..(last + 7).min(words.len())).find(|&i| words[i].comma_before)?;
    if !lexicon::any_at(words, open, lexicon::ASIDES) {
        return None;
    }
    let close = (open + 1..(open + 10).min(words.len())).find(|&i| words[i].comma_before)?;
    (close..(close + REACH_AFTER).min(words.len()))
        .take_while(|&i| i == close || !words[i].is_digits() && !words[i].comma_before)
        .find_map(|i| lexicon::first_match(words, i, COUNT_CUES).map(|(c, _)| (c, i - last)))
}

/// How far before its number a toll may stand ("Число погибших в результате пятничных боев на
/// кыргызско-таджикской границе в Баткенской области возросло до 24").
const TOLL_REACH: usize = 24;

/// The kind of a toll the number at `first` completes: a toll word ("toll", "число",
/// "حصيلة", "саны") with a count word beside it, before the number in the same clause.
fn toll(words: &[Word], first: usize) -> Option<(CountKind, usize)> {
    let start = first.saturating_sub(TOLL_REACH);
    // (across commas: "the death toll from landslides at Ukhia, in Cox's Bazar district, has
    // risen to nine"; a number with a count word of its own never gets here)
    let heads = (start..first)
        .rev()
        .take_while(|&i| {
            !words[i].is_digits()
                && number_word(&words[i].folded).is_none()
                && !words[i + 1].stop_before
        })
        .filter(|&i| lexicon::any_at(words, i, lexicon::TOLL_WORDS));
    for i in heads {
        let near = i.saturating_sub(2)..=(i + 2).min(first - 1);
        if let Some(kind) = near
            .filter(|&j| j != i)
            .find_map(|j| lexicon::first_match(words, j, COUNT_CUES).map(|(c, _)| c))
        {
            return Some((kind, first - i));
        }
    }
    None
}

/// The count word nearest the number at `first..=last`, not across another number.
fn count_word(words: &[Word], first: usize, last: usize) -> Option<(CountKind, usize)> {
    // not across a comma: "11 адам қаза тапты, 190-нан астам адам жарақат алды"
    // A hospital counts the hurt taken there ("two taken to hospital"), not when it is what is
    // counted ("три больницы остались без света", "12 hospitals damaged") nor before the number.
    let hospital = |i: usize| lexicon::any_at(words, i, lexicon::HOSPITAL);
    let after = (last + 1..(last + 1 + REACH_AFTER).min(words.len()))
        .take_while(|&i| !words[i].is_digits() && !words[i].comma_before)
        .filter(|&i| !(i == last + 1 && hospital(i)))
        .find_map(|i| lexicon::first_match(words, i, COUNT_CUES).map(|(c, _)| (c, i - last)))
        .or_else(|| after_aside(words, last));
    let before = (first.saturating_sub(REACH_BEFORE)..first)
        .rev()
        .take_while(|&i| !words[i].is_digits() && !words[i + 1].comma_before)
        .filter(|&i| !hospital(i))
        .find_map(|i| lexicon::first_match(words, i, COUNT_CUES).map(|(c, _)| (c, first - i)));
    // A count word before "and" belongs to the clause before when the number has its own
    // after it ("one inmate died and at least 15 people were hurt"); with none after, it is
    // the number's ("police arrested and charged 15 people").
    let across_and = |b: &(CountKind, usize)| {
        (first - b.1..first).any(|i| lexicon::CONJUNCTIONS.contains(&words[i].folded.as_str()))
    };
    match (after, before) {
        (Some(a), Some(b)) if b.1 < a.1 && !across_and(&b) => Some(b),
        (Some(a), _) => Some(a),
        (None, b) => b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::text::words;

    fn counts(s: &str) -> Vec<(CountKind, u64, Option<Qualifier>)> {
        let c: Vec<char> = s.chars().collect();
        let w = words(&c);
        find(&w, &vec![false; w.len()])
            .into_iter()
            .map(|m| (m.kind, m.value, m.qualifier))
            .collect()
    }

    use CountKind::*;
    use Qualifier::*;

    #[test]
    fn digits_words_and_qualifiers_in_four_languages() {
        assert_eq!(
            counts("at least 12 people were killed and 1,300 injured"),
            [(Fatalities, 12, Some(AtLeast)), (Injured, 1300, None)]
        );
        assert_eq!(
            counts("задержаны около восьми тысяч человек"),
            [(Arrested, 8000, Some(About))]
        );
        assert_eq!(
            counts("قتل أكثر من ١٦٠ شخصا وأصيب خمسة وعشرون"),
            [(Fatalities, 160, Some(MoreThan)), (Injured, 25, None)]
        );
        assert_eq!(
            counts("100-ден астам адам қаза тапты"),
            [(Fatalities, 100, Some(MoreThan))]
        );
        assert_eq!(counts("он адам ұсталды"), [(Arrested, 10, None)]);
        assert_eq!(
            counts("اعتقلت الشرطة اثني عشر شخصاً"),
            [(Arrested, 12, None)]
        );
        assert_eq!(counts("قتل أحد عشر شخصا"), [(Fatalities, 11, None)]);
        // an aside between the number and its count word
        assert_eq!(
            counts("32 people, including 21 police officers, were hurt"),
            [(Injured, 32, None)]
        );
        // a toll, its number far after it
        assert_eq!(
            counts(
                "Число погибших в результате пятничных боев на границе в Баткенской области возросло до 24"
            ),
            [(Fatalities, 24, None)]
        );
        assert_eq!(
            counts("the death toll from Friday's fighting in the border region rose to 24"),
            [(Fatalities, 24, None)]
        );
        assert_eq!(
            counts("ارتفعت حصيلة القتلى في الاشتباكات التي شهدتها المدينة إلى 24"),
            [(Fatalities, 24, None)]
        );
        // Russian collective numerals
        assert_eq!(
            counts("сотрудники КНБ задержали еще четверых человек"),
            [(Arrested, 4, None)]
        );
        // "one of" is no number
        assert!(counts("قال أحد المعتقلين").is_empty());
    }

    #[test]
    fn nobody_hurt_is_zero_nothing_reported_is_no_count() {
        assert_eq!(
            counts("Пострадавших нет, сообщили в МЧС."),
            [(Fatalities, 0, None), (Injured, 0, None)]
        );
        assert_eq!(counts("ешкім ұсталмаған"), [(Arrested, 0, None)]);
        assert_eq!(counts("Задержаний не было."), [(Arrested, 0, None)]);
        assert_eq!(counts("No arrests were made."), [(Arrested, 0, None)]);
        assert!(counts("No injuries were reported.").is_empty());
    }

    #[test]
    fn vague_amounts_years_and_percentages_are_not_counts() {
        assert!(counts("тысячи человек задержаны").is_empty());
        assert!(counts("آلاف المعتقلين").is_empty());
        assert!(counts("In 2022 killed").is_empty());
        assert!(counts("prices rose 100 percent, dozens killed").is_empty());
        // қазандық 'boiler' and Қазақстан are no deaths (қаза тапты is)
        assert!(counts("екі қазандығы істен шықты").is_empty());
        assert!(counts("бес Қазақстан азаматы").is_empty());
        assert_eq!(counts("екі адам қаза тапты"), [(Fatalities, 2, None)]);
        // number words across a comma are two numbers; a toll's head may be far before
        // (the five, a part of the nine, are counted too: the larger count is the draft's)
        assert_eq!(
            counts("The death toll rose to nine, and eleven others are missing"),
            [(Fatalities, 9, None)]
        );
        assert!(counts("три больницы остались без света").is_empty());
        assert!(counts("12 hospitals were damaged").is_empty());
        assert_eq!(
            counts("two workers were taken to hospital"),
            [(Injured, 2, None)]
        );
        assert_eq!(
            counts(
                "The death toll from landslides that buried shelters in refugee camps at \
                 Ukhia, in Cox's Bazar district, has risen to at least nine, five of them \
                 children"
            )[0],
            (Fatalities, 9, Some(AtLeast))
        );
    }
}
