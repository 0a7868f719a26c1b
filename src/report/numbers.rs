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
            // and the rest after "and": "18 ألفاً و422" is 18,422
            if let Some(rest) = words
                .get(last + 1)
                .filter(|n| !n.comma_before)
                .and_then(|n| {
                    let r = n.folded.strip_prefix('و')?;
                    let v: u64 = r
                        .chars()
                        .map(super::text::digit)
                        .try_fold(0u64, |a, d| Some(a * 10 + d? as u64))?;
                    (!r.is_empty() && v < by).then_some(v)
                })
            {
                v += rest;
                last += 1;
            }
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
    // the count words numbers took: a count word is one number's
    let mut claimed: Vec<(usize, usize)> = Vec::new();
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
        // one person named before the number: "the promoter and two officials were
        // arrested" is three, "a police officer and five gunmen were killed" six
        let joined = first >= 2
            && lexicon::AND.contains(&words[first - 1].folded.as_str())
            && !words[first].comma_before
            && !words[first - 1].comma_before
            && is_person(words, first - 2);
        // The count word is looked for from the number; from the person only when the
        // number has none ("arrested the concert's promoter and two officials"). The person
        // is counted with the number unless a count word of its own governs it ("shot dead a
        // soldier and two civilians were wounded": the soldier is dead, the two hurt).
        let own = count_word(words, first, last, &claimed);
        let lead = first.saturating_sub(2);
        let person_governed = joined
            && (lead.saturating_sub(3)..lead)
                .filter(|&i| !words[i + 1..=lead].iter().any(|w| w.comma_before))
                .any(|i| lexicon::first_match(words, i, COUNT_CUES).is_some());
        let (found, joined) = match own {
            Some(o) if joined && o.2 > last => (Some(o), !person_governed),
            Some(o) => (Some(o), joined),
            None if joined => (count_word(words, lead, last, &claimed), true),
            None => (None, false),
        };
        if let Some((kind, _, cue)) = found.or_else(|| toll(words, first)) {
            claimed.push((cue, k));
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
            let (value, first) = if joined {
                (value + 1, lead)
            } else {
                (value, first)
            };
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
    out.extend(people_named(words, used, &claimed));
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

/// How far before its count word a person named in the singular may stand ("a 41-year-old
/// man was killed"), and after it ("погиб мужчина", "قتلت امرأة").
const PERSON_BEFORE: usize = 8;
const PERSON_AFTER: usize = 2;

/// Whether word `k` is a hospital someone was taken to ("ауруханаға", "в больницу", "taken
/// to hospital", "نقل الى المستشفى").
pub(super) fn taken_to_hospital(words: &[Word], k: usize) -> bool {
    lexicon::any_at(words, k, lexicon::HOSPITAL)
        && (words[k].folded.ends_with("ға")
            || words[k].folded.starts_with("больницу")
            || k > 0 && matches!(words[k - 1].folded.as_str(), "to" | "into" | "الي"))
}

/// Whether word `i` names one person (lexicon::PERSONS).
fn is_person(words: &[Word], i: usize) -> bool {
    lexicon::any_at(words, i, lexicon::PERSONS)
}

/// Whether word `i` names one person counted by the count word at `cue`: not a noun that
/// qualifies the next one in English ("student leaders", "an official death toll", "civilian
/// deaths", "a passenger bus"), and a Russian noun that is an adjective too ("полицейский
/// автобус", "военный госпиталь") only right beside the count word.
fn is_person_at(words: &[Word], i: usize, cue: usize) -> bool {
    if !is_person(words, i) {
        return false;
    }
    if lexicon::any_at(words, i, lexicon::ADJECTIVE_PERSONS) && i + 1 != cue && cue + 1 != i {
        return false;
    }
    !words[i].folded.is_ascii()
        || words.get(i + 1).is_none_or(|n| {
            n.comma_before
                || i + 1 == cue
                || lexicon::ENGLISH_AFTER_PERSON.contains(&n.folded.as_str())
        })
}

/// Counts of people named one by one with a count word no number took: each person is one,
/// and persons joined by "and" add up ("a policeman was hurt" 1; "кеніштің бас инженері мен
/// ауысым бастығы ұсталды" 2; "وأصيب متظاهر" 1). Not across a number, a comma or a verb of
/// telling ("a spokesman said a man was arrested" is one).
fn people_named(words: &[Word], used: &[bool], claimed: &[(usize, usize)]) -> Vec<CountMention> {
    let is_number = |i: usize| words[i].is_digits() || number_word(&words[i].folded).is_some();
    // (words inside a phrase that is no count: "remains in custody", "returned fire")
    let blocked = lexicon::not_cues_in(words, 0..words.len());
    let mut out = Vec::new();
    for j in (0..words.len())
        .filter(|&j| !used[j] && !blocked[j] && !claimed.iter().any(|&(c, _)| c == j))
    {
        let Some((kind, n)) = lexicon::first_match(words, j, COUNT_CUES) else {
            continue;
        };
        // Only what happened to people: a hospital is a count word only beside the hurt it
        // counts; not "lives", "held", "the killing of", "deaths", "casualties", "the
        // injured" (nouns and other senses, whose person is no one counted).
        // (a hospital counts the one taken there: "бала ауруханаға жеткізілді")
        if lexicon::any_at(words, j, lexicon::HOSPITAL) && !taken_to_hospital(words, j)
            || of_relatives(words, j)
            || lexicon::any_at(words, j, lexicon::NOT_PEOPLE_COUNTED)
            || j > 0 && matches!(words[j - 1].folded.as_str(), "the" | "of")
        {
            continue;
        }
        let mut people: Vec<usize> = Vec::new();
        let mut i = j;
        // (a person joined by "and" may stand a few words before the one found)
        while i > 0
            && people.last().map_or(j - i < PERSON_BEFORE, |&p| p - i < 4)
            && !words[i].comma_before
        {
            i -= 1;
            // (a number before the person is an age: "62 жастағы ауыл тұрғыны"; the one who
            // tells stands before the person told of: "police said a man was killed")
            if is_number(i) && people.is_empty()
                || lexicon::any_at(words, i, lexicon::NEGATIONS)
                || lexicon::any_at(words, i, lexicon::ASIDES)
            {
                people.clear();
                break;
            }
            if is_number(i) || lexicon::any_at(words, i, lexicon::REPORTING) {
                break;
            }
            if is_person_at(words, i, j) {
                // a second person only when joined to the first by "and"
                let joined = people.last().is_none_or(|&p| {
                    (i + 1..p).any(|m| lexicon::AND.contains(&words[m].folded.as_str()))
                });
                if !joined {
                    break;
                }
                people.push(i);
            }
        }
        if people.is_empty() {
            people.extend(
                (j + n..(j + n + PERSON_AFTER).min(words.len()))
                    .take_while(|&i| !words[i].comma_before && !is_number(i))
                    .find(|&i| is_person_at(words, i, j)),
            );
        }
        let (Some(&lo), Some(&hi)) = (people.iter().min(), people.iter().max()) else {
            continue;
        };
        out.push(CountMention {
            kind,
            value: people.len() as u64,
            qualifier: None,
            first: lo.min(j),
            last: hi.max(j + n - 1),
        });
    }
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
fn toll(words: &[Word], first: usize) -> Option<(CountKind, usize, usize)> {
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
        if let Some((kind, j)) = near
            .filter(|&j| j != i)
            .find_map(|j| lexicon::first_match(words, j, COUNT_CUES).map(|(c, _)| (c, j)))
        {
            return Some((kind, first - i, j));
        }
    }
    None
}

/// Whether the count word at `i` says whose relatives are counted: "200 miners and relatives
/// of those killed gathered", "200-ге жуық кенші мен қаза тапқандардың туыстары жиналды".
fn of_relatives(words: &[Word], i: usize) -> bool {
    (i.saturating_sub(3)..i)
        .filter(|&j| !words[j + 1..=i].iter().any(|w| w.comma_before))
        .any(|j| lexicon::any_at(words, j, lexicon::RELATIVES))
        || (i + 1..(i + 3).min(words.len()))
            .filter(|&j| !words[i + 1..=j].iter().any(|w| w.comma_before))
            .any(|j| lexicon::any_at(words, j, lexicon::RELATIVES))
}

/// The count word nearest the number at `first..=last`, not across another number.
fn count_word(
    words: &[Word],
    first: usize,
    last: usize,
    claimed: &[(usize, usize)],
) -> Option<(CountKind, usize, usize)> {
    // not across a comma: "11 адам қаза тапты, 190-нан астам адам жарақат алды"
    // A hospital counts the hurt taken there ("two taken to hospital"), not when it is what is
    // counted ("три больницы остались без света", "12 hospitals damaged") nor before the number.
    let hospital = |i: usize| lexicon::any_at(words, i, lexicon::HOSPITAL);
    let relatives = |i: usize| of_relatives(words, i);
    let after = (last + 1..(last + 1 + REACH_AFTER).min(words.len()))
        .take_while(|&i| !words[i].is_digits() && !words[i].comma_before)
        .filter(|&i| !(i == last + 1 && hospital(i)))
        .filter(|&i| !relatives(i))
        .find_map(|i| lexicon::first_match(words, i, COUNT_CUES).map(|(c, _)| (c, i - last)))
        .or_else(|| after_aside(words, last));
    let before = (first.saturating_sub(REACH_BEFORE)..first)
        .rev()
        .take_while(|&i| !words[i].is_digits() && !words[i + 1].comma_before)
        .filter(|&i| !hospital(i) && !relatives(i))
        .find_map(|i| lexicon::first_match(words, i, COUNT_CUES).map(|(c, _)| (c, first - i)));
    let conjunction_between = |from: usize| {
        (from..first).any(|i| lexicon::CONJUNCTIONS.contains(&words[i].folded.as_str()))
    };
    // A count word an earlier number took after it, before "and", is that clause's: "Nine
    // others were wounded and more than 3,000 residents fled" counts nine wounded, not 3,000.
    // (one standing before both numbers counts both: "killed three soldiers and 15
    // civilians")
    let before = before.filter(|b| {
        let cue = first - b.1;
        !(claimed.iter().any(|&(c, n)| c == cue && c > n) && conjunction_between(cue))
    });
    // A count word before "and" belongs to the clause before when the number has its own
    // after it ("one inmate died and at least 15 people were hurt"); with none after, it is
    // the number's ("police arrested and charged 15 people").
    let across_and = |b: &(CountKind, usize)| conjunction_between(first - b.1);
    // (at the same distance, Arabic's verb before its subject wins: "توفي شخصان اختناقاً",
    // two died of suffocation)
    let arabic = crate::gazetteer::normalize::is_arabic(&words[first].folded);
    match (after, before) {
        (Some(a), Some(b)) if (b.1 < a.1 || arabic && b.1 == a.1) && !across_and(&b) => {
            Some((b.0, b.1, first - b.1))
        }
        (Some(a), _) => Some((a.0, a.1, last + a.1)),
        (None, b) => b.map(|b| (b.0, b.1, first - b.1)),
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
        // thousands in the accusative, and the rest after "and"
        assert_eq!(
            counts("اعتقلت الشرطة 18 ألفاً و422 شخصاً"),
            [(Arrested, 18_422, None)]
        );
        assert_eq!(
            counts("اعتقلت الشرطة 3 آلاف و50 شخصاً"),
            [(Arrested, 3_050, None)]
        );
        // (not across a comma: "6,000 injured, 500 of them badly")
        assert_eq!(
            counts("أسفر الانفجار عن إصابة 6 آلاف، و500 منهم في حالة خطرة")[0],
            (Injured, 6_000, None)
        );
    }

    #[test]
    fn people_named_one_by_one_are_counted() {
        assert_eq!(counts("A policeman was injured."), [(Injured, 1, None)]);
        assert_eq!(
            counts("В Новокузнецке сегодня задержан начальник участка шахты."),
            [(Arrested, 1, None)]
        );
        assert_eq!(
            counts("Кеніштің бас инженері мен ауысым бастығы күдікпен ұсталды."),
            [(Arrested, 2, None)]
        );
        assert_eq!(counts("قتلت امرأة في القصف"), [(Fatalities, 1, None)]);
        // an age before the person is no number of people
        assert_eq!(
            counts("62 жастағы ауыл тұрғыны ауруханада көз жұмды."),
            [(Fatalities, 1, None)]
        );
        // a person joined to a number adds one
        assert_eq!(
            counts("Police arrested the promoter and two municipal officials."),
            [(Arrested, 3, None)]
        );
        assert_eq!(
            counts("A police officer and five gang members were killed."),
            [(Fatalities, 6, None)]
        );
        // the one who tells is not counted, nor a person denied, nor one beside a number
        assert_eq!(
            counts("A spokesman said that 14 people were arrested."),
            [(Arrested, 14, None)]
        );
        assert_eq!(
            counts("The spokesman said nobody was arrested."),
            [(Arrested, 0, None)]
        );
        assert!(counts("No officer was hurt.").is_empty());
        // a count word an earlier number took is not the next number's across "and"
        assert_eq!(
            counts("Nine others were wounded and more than 3,000 residents fled."),
            [(Injured, 9, None)]
        );
    }

    #[test]
    fn people_are_counted_only_where_something_happened_to_them() {
        // a count word before both numbers counts both (the larger is the draft's)
        assert_eq!(
            counts("An air strike killed three soldiers and 15 civilians."),
            [(Fatalities, 3, None), (Fatalities, 15, None)]
        );
        // a person governed by a count word of its own is not added to the next number
        assert_eq!(
            counts("Gunmen shot dead a soldier and two civilians were wounded."),
            [(Fatalities, 1, None), (Injured, 2, None)]
        );
        // the one who tells comes before the person told of
        assert_eq!(
            counts("Police said a man was killed."),
            [(Fatalities, 1, None)]
        );
        // other senses and nouns qualifying nouns
        assert!(counts("A woman who lives near the market heard the blast.").is_empty());
        assert!(counts("A protester held a placard.").is_empty());
        assert!(counts("Police arrested student leaders on Sunday.").is_empty());
        assert!(counts("An official death toll was not available.").is_empty());
        assert!(counts("The suspect remains in custody.").is_empty());
        assert!(counts("Полицейский автобус с задержанными уехал.").is_empty());
    }

    #[test]
    fn relatives_of_the_dead_are_no_dead_and_burns_are_hurt() {
        assert!(counts("200-ге жуық кенші мен қаза тапқандардың туыстары жиналды.").is_empty());
        assert!(counts("About 200 relatives of those killed gathered.").is_empty());
        assert_eq!(
            counts("two boys drowned in a flooded street"),
            [(Fatalities, 2, None)]
        );
        // Arabic duals are two; a verb before its subject wins a tie
        assert_eq!(counts("وأُصيب خلالها شرطيان"), [(Injured, 2, None)]);
        assert_eq!(counts("توفي شخصان اختناقاً"), [(Fatalities, 2, None)]);
        // taken to hospital, one person
        assert_eq!(
            counts("он жасар бала ауруханаға жеткізілді"),
            [(Injured, 1, None)]
        );
        assert_eq!(
            counts("үш адам, оның ішінде екі бала, күйік алды"),
            [(Injured, 3, None)]
        );
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
