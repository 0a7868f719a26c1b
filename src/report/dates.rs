//! Dates in a report, resolved against its publication day: relative days (أمس, вчера, кеше,
//! yesterday), weekdays (the latest such day on or before publication), day and month names
//! with or without a year (5 января, 5 қаңтарда, ٥ يناير, January 5), and numeric dates
//! (05.01.2022, 2022-01-05).

use time::{Date, Duration, Month};

use super::lexicon::{self, CHAINED_DAYS, MONTHS, RELATIVE_DAYS, WEEKDAYS};
use super::text::Word;

/// A date the text names: words `first..=last`.
#[derive(Debug, Clone, PartialEq)]
pub struct DateMention {
    pub date: Date,
    pub first: usize,
    pub last: usize,
    /// Named by its day and month (not relative to publication).
    pub explicit: bool,
}

/// Every date in `words`, in order.
pub fn find(words: &[Word], published: Date) -> Vec<DateMention> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < words.len() {
        // "the same day", "на следующий день": counted from the day named last — the day of
        // an event, not of its telling ("задержаны в субботу …, сообщил в воскресенье
        // департамент. В тот же день …" is Saturday).
        if let Some((after, n)) = first_of(words, k, CHAINED_DAYS) {
            // (when the text named only days of telling, the last of them: "police said on
            // Monday … the same day")
            let last_word = words.len().saturating_sub(1);
            let prev = out
                .iter()
                .rev()
                .find(|m| !told(words, m, 0, last_word))
                .or(out.last());
            if let Some(prev) = prev.map(|m| m.date) {
                out.push(DateMention {
                    date: prev + Duration::days(after),
                    first: k,
                    last: k + n - 1,
                    explicit: false,
                });
            }
            k += n;
            continue;
        }
        if let Some(mut m) = at(words, k, published) {
            // "накануне, в среду", "yesterday, Tuesday", "أمس السبت": the day named after a
            // relative one is the same day, and says it better (the relative word may count
            // from the story's day rather than from publication).
            if first_of(words, k, RELATIVE_DAYS).is_some()
                && let Some(named) = (m.last + 1..(m.last + 4).min(words.len()))
                    .take_while(|&j| !words[j].stop_before)
                    .find_map(|j| at(words, j, published))
                    .filter(|n| first_of(words, n.first, RELATIVE_DAYS).is_none())
            {
                m = DateMention {
                    first: m.first,
                    ..named
                };
            }
            k = m.last + 1;
            out.push(m);
        } else {
            k += 1;
        }
    }
    out
}

/// Whether a date is when something was told: a verb of telling within two words of it,
/// inside words `lo..=hi` (a clause), with no comma between ("сообщил в воскресенье"; not
/// "killed on Monday, police said": Monday is the killing's).
pub(super) fn told(words: &[Word], m: &DateMention, lo: usize, hi: usize) -> bool {
    (m.first.saturating_sub(2).max(lo)..=(m.last + 2).min(hi))
        .filter(|&k| k < m.first || k > m.last)
        .filter(|&k| {
            let between = if k < m.first {
                k + 1..=m.first
            } else {
                m.last + 1..=k
            };
            !between.into_iter().any(|j| words[j].comma_before)
        })
        .any(|k| lexicon::any_at(words, k, lexicon::REPORTING))
}

fn day_of(w: &Word) -> Option<u8> {
    w.digits()
        .filter(|d| (1..=31).contains(d) && w.folded.chars().count() <= 2)
        .map(|d| d as u8)
}

fn year_of(w: Option<&Word>) -> Option<i32> {
    w.and_then(Word::digits)
        .filter(|y| (1900..=2100).contains(y))
        .map(|y| y as i32)
}

/// The year that puts day/month nearest before publication (a report tells of the past; a
/// day a little after publication is allowed for a date announced ahead).
fn infer_year(month: Month, day: u8, published: Date) -> Option<Date> {
    let y = published.year();
    [y, y - 1]
        .into_iter()
        .filter_map(|y| Date::from_calendar_date(y, month, day).ok())
        .find(|d| *d <= published + Duration::days(7))
}

fn at(words: &[Word], k: usize, published: Date) -> Option<DateMention> {
    // relative days and weekdays
    if let Some((back, n)) = first_of(words, k, RELATIVE_DAYS) {
        return Some(DateMention {
            date: published + Duration::days(back),
            first: k,
            last: k + n - 1,
            explicit: false,
        });
    }
    // "until Monday", "до понедельника", "дүйсенбіге дейін", "next Monday": ahead, not a
    // day of the story
    let ahead = |w: Option<&Word>| {
        w.is_some_and(|w| {
            matches!(
                w.folded.as_str(),
                "until" | "till" | "next" | "до" | "дейін" | "келесі" | "حتي" | "المقبل" | "القادم"
            ) || w.folded.starts_with("следующ")
        })
    };
    if let Some((wd, n)) = first_of(words, k, WEEKDAYS)
        && !ahead(k.checked_sub(1).map(|j| &words[j]))
        && !ahead(words.get(k + n))
    {
        let today = published.weekday().number_days_from_monday() as i64;
        let back = (today - wd + 7) % 7;
        // "в ночь на воскресенье", "overnight into Sunday", "жексенбіге қараған түні": a
        // night event is dated by its evening, the day before.
        let folded = |j: usize| words.get(j).map_or("", |w| w.folded.as_str());
        // (not when it only began then: "боевые действия, начавшиеся в ночь на вторник"
        // went on through Tuesday)
        let began = (k.saturating_sub(4)..k.saturating_sub(2)).any(|j| {
            ["начав", "начал", "began", "begun", "start"]
                .iter()
                .any(|p| folded(j).starts_with(p))
        });
        let night_before = k >= 2
            && !began
            && matches!(
                (folded(k - 2), folded(k - 1)),
                ("ночь", "на") | ("overnight", "into" | "to") | ("night", "into" | "to")
            );
        let night_after = folded(k + n) == "қараған" && folded(k + n + 1).starts_with("түн");
        let (first, last, back) = if night_before {
            (k - 2, k + n - 1, back + 1)
        } else if night_after {
            (k, k + n + 1, back + 1)
        } else {
            (k, k + n - 1, back)
        };
        return Some(DateMention {
            date: published - Duration::days(back),
            first,
            last,
            explicit: false,
        });
    }
    // numeric: d.m.yyyy, yyyy-mm-dd
    if let (Some(a), Some(b), Some(c)) = (words.get(k), words.get(k + 1), words.get(k + 2)) {
        let adjacent = b.start == a.end + 1 && c.start == b.end + 1;
        if adjacent && matches!(b.before, '.' | '/') && b.before == c.before {
            if let (Some(d), Some(m), Some(y)) = (day_of(a), b.digits(), year_of(Some(c))) {
                if let Ok(month) = Month::try_from(m as u8)
                    && let Ok(date) = Date::from_calendar_date(y, month, d)
                {
                    return Some(DateMention {
                        date,
                        first: k,
                        last: k + 2,
                        explicit: true,
                    });
                }
            }
        }
        if adjacent && b.before == '-' && c.before == '-' {
            if let (Some(y), Some(m), Some(d)) = (year_of(Some(a)), b.digits(), day_of(c)) {
                if let Ok(month) = Month::try_from(m as u8)
                    && let Ok(date) = Date::from_calendar_date(y, month, d)
                {
                    return Some(DateMention {
                        date,
                        first: k,
                        last: k + 2,
                        explicit: true,
                    });
                }
            }
        }
    }
    // day month [year] / month day[,] [year]
    if let Some(day) = words.get(k).and_then(day_of)
        && let Some((m, n)) = words.get(k + 1).and(first_of(words, k + 1, MONTHS))
    {
        // a range of days (4-7 қаңтар, 4–7 января) is dated by its first day
        let (first, day) = match k.checked_sub(1).map(|j| &words[j]) {
            Some(prev)
                if matches!(words[k].before, '-' | '–') && words[k].start == prev.end + 1 =>
            {
                match day_of(prev) {
                    Some(d) if d < day => (k - 1, d),
                    _ => (k, day),
                }
            }
            // with a word between: с 4 по 10 января, from 4 to 10 January, من 4 إلى 10 يناير
            Some(prev) if RANGE_WORDS.contains(&prev.folded.as_str()) && k >= 2 => {
                match day_of(&words[k - 2]) {
                    Some(d) if d < day => (k - 2, d),
                    _ => (k, day),
                }
            }
            _ => (k, day),
        };
        return named(words, first, k + n, m, day, published);
    }
    if let Some((m, n)) = first_of(words, k, MONTHS)
        && let Some(day) = words.get(k + n).and_then(day_of)
    {
        return named(words, k, k + n, m, day, published);
    }
    None
}

/// The words between the two days of a range ("4 по 10 января", "4 to 10 January").
const RANGE_WORDS: &[&str] = &[
    "to",
    "and",
    "until",
    "till",
    "through",
    "по",
    "до",
    "и",
    "мен",
    "дейін",
    "الي",
    "حتي",
    "و",
];

/// A date named by day and month, words `first..=last`, with the year that follows it or, when
/// none does, the one that puts it nearest before publication.
fn named(
    words: &[Word],
    first: usize,
    mut last: usize,
    month: i64,
    day: u8,
    published: Date,
) -> Option<DateMention> {
    let month = Month::try_from(month as u8).ok()?;
    let date = match year_of(words.get(last + 1)) {
        Some(y) => {
            last += 1;
            Date::from_calendar_date(y, month, day).ok()?
        }
        None => infer_year(month, day, published)?,
    };
    Some(DateMention {
        date,
        first,
        last,
        explicit: true,
    })
}

/// The first phrase of a `(phrase, value)` table matching at `k`.
fn first_of<T: Copy + Into<i64>>(
    words: &[Word],
    k: usize,
    table: &[(&str, T)],
) -> Option<(i64, usize)> {
    table.iter().find_map(|(p, v)| {
        let n = lexicon::match_at(words, k, p);
        (n > 0).then(|| ((*v).into(), n))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::text::words;
    use time::macros::date;

    fn dates(s: &str, published: Date) -> Vec<Date> {
        let c: Vec<char> = s.chars().collect();
        find(&words(&c), published)
            .into_iter()
            .map(|m| m.date)
            .collect()
    }

    #[test]
    fn the_same_day_and_the_next_are_counted_from_the_day_named_last() {
        let p = date!(2026 - 12 - 02);
        assert_eq!(
            dates(
                "Clashes broke out on Sunday. Troops arrived the next day.",
                p
            ),
            [date!(2026 - 11 - 29), date!(2026 - 11 - 30)]
        );
        assert_eq!(
            dates("اشتباكات يوم الأحد. ووصلت في اليوم نفسه تعزيزات", p),
            [date!(2026 - 11 - 29), date!(2026 - 11 - 29)]
        );
        assert_eq!(
            dates(
                "В воскресенье прошел митинг. На следующий день задержали двоих.",
                p
            ),
            [date!(2026 - 11 - 29), date!(2026 - 11 - 30)]
        );
        // nothing named before: no date
        assert!(dates("The next day troops arrived.", p).is_empty());
        // the day of an event, not of its telling — but an event told with a comma is one
        assert_eq!(
            dates(
                "Gunmen killed five on Monday, police said. The next day a bomb exploded.",
                p
            ),
            [date!(2026 - 11 - 30), date!(2026 - 12 - 01)]
        );
        assert_eq!(
            dates(
                "Задержаны в субботу, сообщил в воскресенье департамент. В тот же день прошел митинг.",
                p
            ),
            [
                date!(2026 - 11 - 28),
                date!(2026 - 11 - 29),
                date!(2026 - 11 - 28)
            ]
        );
    }

    #[test]
    fn relative_days_weekdays_and_names() {
        // 2022-01-06 was a Thursday
        let p = date!(2022 - 01 - 06);
        assert_eq!(dates("قُتل أمس", p), [date!(2022 - 01 - 05)]);
        assert_eq!(
            dates("вчера и позавчера", p),
            [date!(2022 - 01 - 05), date!(2022 - 01 - 04)]
        );
        assert_eq!(dates("кеше кешке", p), [date!(2022 - 01 - 05)]);
        assert_eq!(dates("on Tuesday", p), [date!(2022 - 01 - 04)]);
        // a relative day and the day it is: one date, the named one
        assert_eq!(
            dates("Накануне, в среду, прошёл пикет", date!(2026 - 01 - 19)),
            [date!(2026 - 01 - 14)]
        );
        assert_eq!(
            dates("أمس السبت", date!(2026 - 01 - 18)),
            [date!(2026 - 01 - 17)]
        );
        assert_eq!(dates("в четверг", p), [p]);
        assert_eq!(dates("يوم الأربعاء", p), [date!(2022 - 01 - 05)]);
        assert_eq!(dates("5 января", p), [date!(2022 - 01 - 05)]);
        assert_eq!(dates("5 қаңтарда", p), [date!(2022 - 01 - 05)]);
        assert_eq!(dates("في ٥ يناير", p), [date!(2022 - 01 - 05)]);
        assert_eq!(dates("on January 4, 2022", p), [date!(2022 - 01 - 04)]);
        assert_eq!(dates("28 декабря", p), [date!(2021 - 12 - 28)]);
        assert_eq!(
            dates("05.01.2022 and 2022-01-03", p),
            [date!(2022 - 01 - 05), date!(2022 - 01 - 03)]
        );
        assert_eq!(dates("14 كانون الثاني 2021", p), [date!(2021 - 01 - 14)]);
        // the Maghreb's month names, in both digit forms
        assert_eq!(dates("مساء ١٩ ماي", p), [date!(2021 - 05 - 19)]);
        assert_eq!(dates("يوم 3 جويلية 2021", p), [date!(2021 - 07 - 03)]);
        assert_eq!(dates("4-7 қаңтар аралығында", p), [date!(2022 - 01 - 04)]);
        assert_eq!(dates("с 4 по 10 января", p), [date!(2022 - 01 - 04)]);
        assert_eq!(dates("from 4 to 10 January", p), [date!(2022 - 01 - 04)]);
        assert_eq!(dates("من ٤ إلى ١٠ يناير", p), [date!(2022 - 01 - 04)]);
        // the range's mention runs from its first day to its month
        let c: Vec<char> = "4-7 қаңтар".chars().collect();
        let m = &find(&words(&c), p)[0];
        assert_eq!((m.first, m.last), (0, 2));
    }

    #[test]
    fn a_night_is_dated_by_its_evening_unless_the_event_went_on() {
        // 2022-01-06 was a Thursday
        let p = date!(2022 - 01 - 06);
        assert_eq!(dates("взрыв в ночь на вторник", p), [date!(2022 - 01 - 03)]);
        assert_eq!(
            dates("shelling overnight into Tuesday", p),
            [date!(2022 - 01 - 03)]
        );
        assert_eq!(dates("сейсенбіге қараған түні", p), [date!(2022 - 01 - 03)]);
        assert_eq!(
            dates("бои, начавшиеся в ночь на вторник", p),
            [date!(2022 - 01 - 04)]
        );
        assert_eq!(dates("во вторник", p), [date!(2022 - 01 - 04)]);
    }

    #[test]
    fn numbers_that_are_not_dates() {
        let p = date!(2022 - 01 - 06);
        assert!(dates("40 человек", p).is_empty());
        assert!(dates("may be 5 people", p).is_empty());
    }
}
