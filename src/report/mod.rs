//! From a news report to draft incidents: places from the geoparser, dates resolved against
//! the report's publication day, the kind of event from cue words, and counts with their
//! qualifiers — every field with its evidence (code-point offsets into the report), for an
//! editor to confirm, fix or reject.
//!
//! - [`text`]: words, folding and sentences; [`lexicon`]: the words of each language;
//! - [`dates`] and [`numbers`]: dates and counts found in the words;
//! - [`extract`] (here): sentence by sentence, events at places, one draft per place × day ×
//!   category as incident coders count them;
//! - [`intake`]: what the events become: draft incidents for the review queue, or proposals to
//!   corroborate an incident already published.
//!
//! Pure and synchronous; the HTTP layer and the CLI only adapt it.

pub mod dates;
pub mod intake;
pub mod lexicon;
pub mod numbers;
pub mod text;

use std::collections::HashMap;

use serde::Serialize;
use time::Date;

use crate::gazetteer::{Gazetteer, GeocodeResult, Kind};
use crate::model::{Category, Precision};

/// The languages the extractor reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ar,
    Ru,
    Kk,
    En,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::Ar, Lang::Ru, Lang::Kk, Lang::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::Ru => "ru",
            Lang::Kk => "kk",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The language of a text by its letters: Arabic script; Cyrillic with Kazakh's own
    /// letters (ә ғ қ ң ө ұ ү һ і) or without; Latin.
    pub fn detect(text: &str) -> Lang {
        let (mut ar, mut cyr, mut kk, mut lat) = (0usize, 0usize, 0usize, 0usize);
        for c in text.chars() {
            match c {
                '\u{600}'..='\u{6ff}' => ar += 1,
                'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ' | 'і' | 'Ә' | 'Ғ' | 'Қ' | 'Ң'
                | 'Ө' | 'Ұ' | 'Ү' | 'Һ' | 'І' => {
                    kk += 1;
                    cyr += 1
                }
                '\u{400}'..='\u{4ff}' => cyr += 1,
                'a'..='z' | 'A'..='Z' => lat += 1,
                _ => {}
            }
        }
        if ar >= cyr && ar >= lat && ar > 0 {
            Lang::Ar
        } else if cyr >= lat && cyr > 0 {
            // Kazakh letters are a few percent of Kazakh text, and absent from Russian.
            if kk * 100 >= cyr { Lang::Kk } else { Lang::Ru }
        } else {
            Lang::En
        }
    }
}

/// What a number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CountKind {
    Fatalities,
    Injured,
    Arrested,
}

impl CountKind {
    /// The dead or the hurt, as against the detained.
    pub fn is_casualty(self) -> bool {
        matches!(self, CountKind::Fatalities | CountKind::Injured)
    }
}

/// How a count was hedged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    AtLeast,
    MoreThan,
    About,
}

/// Code-point offsets into the report; `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A count of a draft, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub value: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<Qualifier>,
    pub evidence: Span,
}

/// The place of a draft.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftPlace {
    pub id: u64,
    pub name: String,
    pub kind: Kind,
    pub country: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin1: Option<String>,
    pub lon: f64,
    pub lat: f64,
    pub confidence: f64,
}

impl From<&GeocodeResult> for DraftPlace {
    fn from(r: &GeocodeResult) -> DraftPlace {
        DraftPlace {
            id: r.id,
            name: r.name.clone(),
            kind: r.kind,
            country: r.country.clone(),
            admin1: r.admin1.clone(),
            lon: r.lon,
            lat: r.lat,
            confidence: r.confidence,
        }
    }
}

/// One machine-drafted incident: one place, one day, one kind of event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftEvent {
    pub place: DraftPlace,
    pub precision: Precision,
    /// Where the text names the place (the first mention in the event's sentences).
    pub place_evidence: Span,
    /// `YYYY-MM-DD`.
    #[serde(serialize_with = "iso_date")]
    pub occurred_at: Date,
    /// Where the text gives the date; absent when it is the publication day by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_evidence: Option<Span>,
    pub category: Category,
    pub category_evidence: Span,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fatalities: Option<Count>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub injured: Option<Count>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrested: Option<Count>,
}

fn iso_date<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!(
        "{:04}-{:02}-{:02}",
        d.year(),
        d.month() as u8,
        d.day()
    ))
}

/// What the extractor was given.
#[derive(Debug, Clone)]
pub struct ReportText<'a> {
    pub text: &'a str,
    /// The day the report was published: relative dates count from it.
    pub published: Date,
    /// Detected from the letters when absent.
    pub language: Option<Lang>,
}

/// The drafts of one report.
#[derive(Debug, Clone, Serialize)]
pub struct Extraction {
    pub language: Lang,
    pub drafts: Vec<DraftEvent>,
}

/// A report's explicit date this long before publication is background, not news.
const BACKGROUND_DAYS: i64 = 31;

/// How far before publication an event may be that a toll told without a day of its own
/// updates.
const TOLL_DAYS: i64 = 7;

/// What the sentences before have established: where and when the story is, and the last
/// event (a sentence of counts without a cue adds to it).
#[derive(Default)]
struct Context {
    places: Vec<(GeocodeResult, Span)>,
    date: Option<(Date, Option<Span>)>,
    last: Vec<usize>,
    /// A natural disaster or an accident has been named without casualties.
    disaster: bool,
    /// `places` are the dateline's only: where the story was filed, which a region named
    /// next does not narrow to ("АҚТАУ. ҚазАқпарат – Маңғыстау облысында…" is the region).
    places_from_dateline: bool,
}

/// Drafts the incidents a report tells of.
pub fn extract(gaz: &Gazetteer, report: &ReportText<'_>) -> Extraction {
    let language = report.language.unwrap_or_else(|| Lang::detect(report.text));
    let chars: Vec<char> = report.text.chars().collect();
    let words = text::words(&chars);
    let mentions = gaz.geoparse(report.text);
    let mut found_dates = dates::find(&words, report.published);
    let mut used = vec![false; words.len()];
    for d in &found_dates {
        used[d.first..=d.last].iter_mut().for_each(|u| *u = true);
    }
    // A dateline ("TBILISI, Dec 1 (Agency) -") dates the report, not an event.
    let dateline_end = dateline(&chars);
    found_dates.retain(|d| words[d.first].start >= dateline_end);
    // "Sunday's election": a day that qualifies a vote, a meeting or a game dates that, not
    // the clause's event ("Saturday's explosion" still dates the explosion).
    found_dates.retain(|d| {
        let possessive = words
            .get(d.last + 1)
            .is_some_and(|w| w.folded == "s" && matches!(w.before, '\'' | '\u{2019}'));
        // (the noun may follow an adjective or two: "Sunday's snap parliamentary election")
        !(possessive
            && words.iter().skip(d.last + 2).take(3).any(|w| {
                lexicon::NOT_EVENT_NOUNS
                    .iter()
                    .any(|n| w.folded.starts_with(n))
            }))
    });
    let counts = numbers::find(&words, &used);
    // Event words in a part of a clause told in the future ("…, the governor said
    // reinforcements «will arrive within hours»") are no event's: what the clause's counts
    // tell is.
    // (the plan's words: up to five before the phrase, back to "that" or a verb of telling,
    // "said reinforcements of the rapid response forces «will arrive»", and six after it,
    // "will hold another protest next week", within its comma's reach)
    let mut planned_part = vec![false; words.len()];
    for k in 0..words.len() {
        if lexicon::any_at(&words, k, lexicon::FUTURE)
            && !lexicon::any_at(&words, k, lexicon::INTENDED)
        {
            let opens = |i: usize| {
                matches!(words[i].folded.as_str(), "that" | "что" | "ان")
                    || lexicon::CONJUNCTIONS.contains(&words[i].folded.as_str())
                    || lexicon::any_at(&words, i, lexicon::REPORTING)
            };
            let mut a = k;
            while a > 0 && k - a < 5 && !words[a].comma_before && !opens(a - 1) {
                a -= 1;
            }
            let b = (k + 1..(k + 7).min(words.len()))
                .find(|&i| words[i].comma_before)
                .unwrap_or((k + 7).min(words.len()));
            planned_part[a..b].iter_mut().for_each(|u| *u = true);
        }
    }
    for k in 0..words.len() {
        if let Some((p, n)) = lexicon::CALLS
            .iter()
            .map(|p| (p, lexicon::match_at(&words, k, p)))
            .find(|&(_, n)| n > 0)
        {
            // (the Russian phrase names no event: what was called for follows it, "выйти на
            // акцию протеста", up to a comma or "и")
            let tail = if crate::gazetteer::stem::is_cyrillic(p) {
                3
            } else {
                0
            };
            let end = (k + n + tail).min(words.len());
            let b = (k + n..end)
                .find(|&i| words[i].comma_before || words[i].folded == "и")
                .unwrap_or(end);
            planned_part[k..b].iter_mut().for_each(|u| *u = true);
        }
    }
    let no_cue: Vec<bool> = used
        .iter()
        .zip(&planned_part)
        .map(|(a, b)| *a || *b)
        .collect();
    let span = |first: usize, last: usize| Span {
        start: words[first].start,
        end: words[last].end,
    };

    let mut drafts: Vec<DraftEvent> = Vec::new();
    let mut by_key: HashMap<(u64, Date, Category), usize> = HashMap::new();
    let mut ctx = Context::default();
    let clauses: Vec<(usize, usize, usize)> = text::sentences(&chars)
        .into_iter()
        .flat_map(|se| {
            text::clauses(&chars, &words, se)
                .into_iter()
                .map(move |(s, e)| (se.1, s, e))
        })
        .collect();
    // The end of a sentence told as background: its later clauses are background too ("in
    // 2018, when 39 people died"), unless they give a date of their own.
    let mut background_until = 0;
    let (mut sentence, mut sentence_start) = (usize::MAX, 0);
    for (sentence_end, s, e) in clauses {
        if sentence_end != sentence {
            (sentence, sentence_start) = (sentence_end, s);
        }
        let in_sentence = |start: usize| start >= s && start < e;
        // Words are in text order: the clause's are a run, found by binary search (a long
        // report has thousands of clauses and words).
        let w0 = words.partition_point(|w| w.start < s);
        let w_end = words.partition_point(|w| w.start < e);
        if w0 >= w_end {
            continue;
        }
        let w1 = w_end - 1;
        let here: Vec<&numbers::CountMention> = counts
            .iter()
            .filter(|c| c.first >= w0 && c.first <= w1)
            .collect();
        // A flood or a fire is an incident only where the report counts its dead or hurt —
        // a count of none included ("пожар; пострадавших нет"), as coders record it — in the
        // same sentence ("four drowned when the floods swept their car away").
        let casualties_told = || {
            counts.iter().any(|c| {
                c.kind.is_casualty()
                    && (sentence_start..sentence_end).contains(&words[c.first].start)
            })
        };
        let raw_cue = category_cue(&words, w0, w1, &no_cue);
        // An event that was only intended ("пикет өткізбек болған", "had planned to hold a
        // rally") did not happen: what happened instead is the sentence's news.
        // (a gathering anywhere in the sentence is the one intended: "its seven participants
        // were detained" is told of the picket that never was)
        let sentence_words = words.partition_point(|w| w.start < sentence_start)
            ..words.partition_point(|w| w.start < sentence_end);
        let intended_at = sentence_words
            .clone()
            .find(|&k| lexicon::any_at(&words, k, lexicon::INTENDED));
        // (the event word the phrase governs, "had planned to march", "пикет өткізбек";
        // or a gathering read from who took part in it, "its seven participants were
        // detained", when the sentence tells of one that never was)
        let intended = |(kind, c): &(Category, usize)| {
            intended_at.is_some_and(|k| {
                let governed = (k.saturating_sub(2)..=(k + 5).min(words.len() - 1)).contains(c)
                    && !words[k.min(*c) + 1..=k.max(*c)]
                        .iter()
                        .any(|w| w.comma_before);
                let from_taking_part = matches!(kind, Category::Protest | Category::Riot)
                    && lexicon::first_match(&words, *c, lexicon::CATEGORY_CUES)
                        .is_none_or(|(k, _)| !matches!(k, Category::Protest | Category::Riot));
                governed || from_taking_part
            })
        };
        let was_intended = intended_at.is_some();
        let cue = raw_cue
            .filter(|(c, _)| *c != Category::Other || casualties_told())
            .filter(|c| !intended(c));
        // A disaster named with no dead or hurt yet ("the flood is getting worse") is what
        // the dead counted after it died in.
        match (raw_cue, cue) {
            (Some((Category::Other, _)), None) => ctx.disaster = true,
            // another kind of event: the disaster is no longer the story
            (Some((c, _)), Some(_)) if c != Category::Other => ctx.disaster = false,
            _ => {}
        }
        // The sentence's date nearest its event word (a report says when it was told as well
        // as when it happened), else the story's, else the publication day.
        let focus = cue
            .map(|(_, k)| k)
            .or(here.first().map(|c| c.first))
            .unwrap_or(w0);
        // (not a day of telling: dates::told)
        let date_here = found_dates
            .iter()
            .filter(|d| d.first >= w0 && d.first <= w1 && !dates::told(&words, d, w0, w1))
            .min_by_key(|d| d.first.abs_diff(focus).min(d.last.abs_diff(focus)));
        if date_here.is_none() && s < background_until {
            continue;
        }
        if let Some(d) = date_here
            && d.explicit
            && (report.published - d.date).whole_days() > BACKGROUND_DAYS
        {
            background_until = sentence_end;
            continue; // background: an earlier event recalled
        }
        // "Last year…", "in 2021" (a year alone, before the report's): background too.
        let earlier_year = (w0..=w1).any(|k| {
            !used[k]
                && words[k].folded.chars().count() == 4
                && words[k]
                    .digits()
                    .is_some_and(|y| (1900..i64::from(report.published.year()) as u64).contains(&y))
        });
        // (not a recollection trailing the clause's dated event: "petrol stations ran dry
        // yesterday after gangs hijacked two tankers last week")
        // Its places are those named up to the event's date ("near Arcahaie" is the
        // hijacking's).
        let background_at = (w0..=w1).find(|&k| lexicon::any_at(&words, k, lexicon::BACKGROUND));
        let trailing = background_at.and_then(|k| {
            date_here
                .filter(|d| d.last < k && cue.is_some_and(|(_, c)| c < d.first))
                .map(|d| words[d.last].end)
        });
        let recalled = background_at.is_some() && trailing.is_none();
        // A running total since an earlier month ("112 lightning deaths since March", "с
        // марта", "наурыздан бері", "منذ مارس") reaches back beyond the news.
        // (the words around first: they are cheap to compare, the months are many)
        let since_month = (w0..=w1).filter(|&k| !used[k]).any(|k| {
            let before = |n: usize| k >= w0 + n && words[k - n].folded == "منذ";
            let since = k > w0 && matches!(words[k - 1].folded.as_str(), "since" | "с")
                || before(1)
                || before(2) && words[k - 1].folded == "شهر"
                || words.get(k + 1).is_some_and(|w| w.folded == "бері");
            since
                && lexicon::MONTHS
                    .iter()
                    .find(|(p, _)| lexicon::match_at(&words, k, p) > 0)
                    .is_some_and(|(_, m)| *m != u8::from(report.published.month()))
        });
        // So is a part of a month ("в начале марта", "in early March", "наурыз айының
        // басында", "في أوائل مارس"): an earlier stage, told without its day.
        let part_of_month = (w0..=w1).filter(|&k| !used[k]).find(|&k| {
            let before = k > w0
                && matches!(
                    words[k - 1].folded.as_str(),
                    "начале"
                        | "конце"
                        | "середине"
                        | "early"
                        | "mid"
                        | "اوائل"
                        | "اواخر"
                        | "مطلع"
                );
            let after = words.get(k + 1).is_some_and(|w| w.folded == "айының")
                && words.get(k + 2).is_some_and(|w| {
                    matches!(w.folded.as_str(), "басында" | "соңында" | "ортасында")
                });
            (before || after)
                && lexicon::MONTHS
                    .iter()
                    .any(|(p, _)| lexicon::match_at(&words, k, p) > 0)
        });
        // (a clause dated itself is news, when its event word stands apart from the month:
        // "rallied on Sunday, continuing protests that began in mid-April")
        let part_of_month = part_of_month.is_some_and(|m| {
            date_here.is_none()
                || cue.is_some_and(|(_, c)| {
                    !words[m.min(c) + 1..=m.max(c)]
                        .iter()
                        .any(|w| w.comma_before)
                })
        });
        if earlier_year || recalled || since_month || part_of_month {
            background_until = sentence_end;
            continue;
        }
        // A plan told ("the leaders said they will hold a new rally on Saturday") is no
        // event; the counts of a clause that also tells a plan are ("пикет өткізбек болған,
        // бірақ жеті қатысушысы ұсталды"; a plan that was, "өткізбек болған", is past).
        // (an event told beside the plan has a day of its own, outside the plan: "rallied on
        // Sunday, and said they will hold another protest next week")
        let planned = here.is_empty()
            && (w0..=w1).any(|k| planned_part[k])
            && !(cue.is_some() && date_here.is_some_and(|d| !planned_part[d.first]));
        if planned {
            continue;
        }
        // A victim who died of their wounds or in hospital later ("died in hospital on
        // Sunday", "скончался от полученных травм", "توفي متأثرا بجروحه") updates the toll of
        // the story's event: the day they died is not the event's, nor the story's.
        let death = |k: usize| {
            lexicon::first_match(&words, k, lexicon::COUNT_CUES)
                .is_some_and(|(c, _)| c == CountKind::Fatalities)
        };
        let succumbed = cue.is_none()
            && !ctx.last.is_empty()
            && (w0..=w1).any(|k| {
                lexicon::any_at(&words, k, lexicon::SUCCUMBED)
                    // died in hospital: a death word beside the hospital
                    || lexicon::any_at(&words, k, lexicon::HOSPITAL)
                        && (k.saturating_sub(3).max(w0)..=(k + 3).min(w1)).any(death)
            });
        let date_here = date_here.filter(|_| !succumbed);
        let nationwide = (w0..=w1).any(|k| lexicon::any_at(&words, k, lexicon::NATIONWIDE));
        // A total for the whole country over several days ("on Saturday and Sunday", "since
        // Monday") is dated on its first day, as coders date a range.
        let date_here = if nationwide && !here.is_empty() {
            found_dates
                .iter()
                .filter(|d| d.first >= w0 && d.first <= w1 && !dates::told(&words, d, w0, w1))
                .filter(|d| (report.published - d.date).whole_days() <= BACKGROUND_DAYS)
                .min_by_key(|d| d.date)
                .or(date_here)
        } else {
            date_here
        };
        let date = match date_here {
            Some(d) => (d.date, Some(span(d.first, d.last))),
            None => ctx.date.unwrap_or((report.published, None)),
        };
        // The dateline's city is where the story was filed: a place of the first sentence
        // only when that names no other.
        let body_named = mentions.iter().any(|m| {
            in_sentence(m.start) && m.start >= dateline_end && !is_source(&words, m.start, m.end)
        });
        // An organisation's seat ("a London-based group said 150 were arrested across the
        // country", "منظمة حقوقية مقرها لندن") is not where it happened, when the sentence
        // names another place or a whole country. (A unit based in Engels that a drone struck,
        // told with no other place, was struck there.)
        let seat = |start: usize, end: usize| {
            let first = words.partition_point(|w| w.end <= start);
            let after = words.partition_point(|w| w.start < end);
            (first.saturating_sub(4)..first).any(|j| {
                lexicon::SEAT
                    .iter()
                    .any(|p| j + lexicon::match_at(&words, j, p) == first)
            }) || words
                .get(after)
                .is_some_and(|w| w.folded == "based" && w.before == '-')
        };
        let other_place = |m: &crate::gazetteer::geoparse::Mention| {
            mentions
                .iter()
                .any(|o| in_sentence(o.start) && o.place.id != m.place.id && !seat(o.start, o.end))
        };
        let places = most_specific(
            mentions
                .iter()
                .filter(|m| in_sentence(m.start) && !is_source(&words, m.start, m.end))
                .filter(|m| !(seat(m.start, m.end) && (nationwide || other_place(m))))
                .filter(|m| m.start >= dateline_end || !body_named)
                .filter(|m| trailing.is_none_or(|end| m.start < end))
                .map(|m| {
                    (
                        m.place.clone(),
                        Span {
                            start: m.start,
                            end: m.end,
                        },
                    )
                })
                .collect(),
        );
        // A place named as the point of reference of the place before it ("in the town of
        // Thumrait north of Salalah", "بلدة ثمريت شمال صلالة") is not where it happened.
        let reference = |sp: &Span| {
            let first = words.partition_point(|w| w.end <= sp.start);
            (first.saturating_sub(4)..first).any(|j| {
                lexicon::REFERENCE_POINTS.iter().any(|p| {
                    let n = lexicon::match_at(&words, j, p);
                    n > 0 && j + n == first
                }) && places.iter().any(|(op, o)| {
                    // (a town before it, right before: "in Kabul and near Jalalabad" names
                    // two places, and "ريف إدلب قرب سراقب" narrows the region to the town)
                    let end = words.partition_point(|w| w.end <= o.end.saturating_sub(1));
                    op.kind == Kind::City
                        && o.end <= words[j].start
                        && j.saturating_sub(end) <= 2
                        && !words[end + 1..j]
                            .iter()
                            .any(|w| matches!(w.folded.as_str(), "and" | "и" | "мен" | "or"))
                        && !words[j].folded.starts_with('و')
                })
            })
        };
        let places = if places.iter().any(|(_, sp)| !reference(sp)) {
            places
                .iter()
                .filter(|(_, sp)| !reference(sp))
                .cloned()
                .collect()
        } else {
            places
        };
        // Where people or forces came from ("300 carabinieri from Chisinau", "из Кишинева")
        // is not where it happened, when the clause names that place too.
        // (Arabic's من is "from" after a verb of launching: "صاروخ أطلقته جماعة الحوثي من
        // اليمن", a missile the Houthis fired from Yemen)
        // (Kazakh says "from" with the ablative case: "Қазақстаннан жөнелтілген астық",
        // grain sent from Kazakhstan — a name written longer than the gazetteer's, ending so)
        let from = |p: &GeocodeResult, sp: &Span| {
            let first = words.partition_point(|w| w.end <= sp.start);
            // (not where something began: "Жаңаөзеннен басталған наразылық")
            let ablative = language == Lang::Kk && {
                let written = text::fold(&chars[sp.start..sp.end].iter().collect::<String>());
                let after = words.partition_point(|w| w.start < sp.end);
                written != text::fold(&p.matched_name)
                    && lexicon::KAZAKH_ABLATIVE
                        .iter()
                        .any(|e| written.ends_with(e))
                    && !words
                        .get(after)
                        .is_some_and(|w| w.folded.starts_with("баста"))
            };
            ablative
                || first > 0
                    && (lexicon::ORIGIN.contains(&words[first - 1].folded.as_str())
                        || words[first - 1].folded == "من"
                            && (first.saturating_sub(7)..first - 1)
                                .any(|j| lexicon::any_at(&words, j, lexicon::LAUNCHED)))
        };
        // (both ends of a route are kept: "fled from Wad Madani to Sennar")
        let to = |sp: &Span| {
            let first = words.partition_point(|w| w.end <= sp.start);
            first > 0 && words[first - 1].folded == "to"
        };
        let places =
            if places.iter().any(|(p, sp)| !from(p, sp)) && !places.iter().any(|(_, sp)| to(sp)) {
                places.into_iter().filter(|(p, sp)| !from(p, sp)).collect()
            } else {
                places
            };
        // A country whose border is named ("Өзбекстан шекарасындағы Хайратан көпірі", the
        // Hairatan bridge on the Uzbek border) is a point of reference, when the clause names
        // another place.
        let border_of = |sp: &Span| {
            let after = words.partition_point(|w| w.start < sp.end);
            words
                .get(after)
                .is_some_and(|w| w.folded.starts_with("шекарас"))
        };
        let places = if places.iter().any(|(_, sp)| !border_of(sp)) {
            places
                .into_iter()
                .filter(|(_, sp)| !border_of(sp))
                .collect()
        } else {
            places
        };
        // Where refugees fled from or to, told beside another place's event ("fuel ran out
        // in Abéché … with the refugees who fled from Geneina to Adré"), is not where it
        // happened.
        // Where they fled to is never where it happened, even alone in its clause ("400
        // villagers have fled to the town of Balboa since the fighting began").
        let flight = |sp: &Span| {
            let first = words.partition_point(|w| w.end <= sp.start);
            (first.saturating_sub(5)..first)
                .find(|&j| lexicon::any_at(&words, j, lexicon::FLIGHT))
                .map(|j| {
                    // "fled to [the town of] X", "فروا من الجنينة إلى أدري"; not "fled to
                    // escape clashes in Gwoza"
                    let toward = |w: &text::Word| {
                        matches!(w.folded.as_str(), "to" | "into" | "الي" | "в" | "во")
                    };
                    let filler = |w: &text::Word| {
                        matches!(
                            w.folded.as_str(),
                            "the" | "a" | "town" | "city" | "village" | "camp" | "of" | "nearby"
                        )
                    };
                    // (Russian "в" is "in" as often as "to": only right after the verb)
                    let destination = (toward(&words[first - 1])
                        && !matches!(words[first - 1].folded.as_str(), "в" | "во"))
                        || (j + 1 < first
                            && toward(&words[j + 1])
                            && words[j + 2..first].iter().all(filler));
                    (first - j <= 4, destination)
                })
        };
        let fled = |sp: &Span| flight(sp).is_some_and(|(near, _)| near);
        let fled_to = |sp: &Span| flight(sp).is_some_and(|(_, to)| to);
        // (a route told whole stays: "fled from Wad Madani to Sennar after fighters stormed
        // the city")
        let route = places.iter().any(|(_, sp)| to(sp));
        let places: Vec<_> = if route {
            places
        } else {
            places.into_iter().filter(|(_, sp)| !fled_to(sp)).collect()
        };
        let places = if !route && places.iter().any(|(_, sp)| !fled(sp)) {
            places.into_iter().filter(|(_, sp)| !fled(sp)).collect()
        } else {
            places
        };
        // A lede that names only a region or a country, with no day and no count ("Маңғыстау
        // облысында … наразылық үшінші күнге ұласты", 'the protest in Mangystau region entered
        // its third day') sums up the story told below: no event of its own.
        // (the whole sentence: its day or its count may stand in another clause)
        let in_this_sentence = |k: usize| (sentence_start..sentence_end).contains(&words[k].start);
        if drafts.is_empty()
            && !found_dates.iter().any(|d| in_this_sentence(d.first))
            && !counts.iter().any(|c| in_this_sentence(c.first))
            && !places.is_empty()
            && places
                .iter()
                .all(|(p, _)| matches!(p.kind, Kind::Region | Kind::Country))
        {
            ctx.places_from_dateline = false;
            ctx.places = places;
            continue;
        }
        // A river or a lake named beside a town ("the Ilek burst its banks in Aktobe") is what
        // happened there, not a second place of it.
        let places = if places.iter().any(|(p, _)| p.kind != Kind::Water) {
            places
                .into_iter()
                .filter(|(p, _)| p.kind != Kind::Water)
                .collect()
        } else {
            places
        };

        // Arrests told after an event, with no new place: the event's count, not an event.
        // So are the dead and hurt of a sentence about shortages ("more than 60 wounded are
        // treated, amid a shortage of blood"): no shortage kills.
        let counts_of_last = (matches!(cue, Some((Category::Arrests, _)))
            || (matches!(cue, Some((Category::Shortage, _)))
                && here.iter().any(|c| c.kind.is_casualty() && c.value > 0)))
            && places.is_empty()
            && !ctx.last.is_empty()
            && !nationwide;
        let category = match cue {
            Some((c, _)) if !counts_of_last => Some(c),
            _ => None,
        };
        // Arrests on another day than the story's riot, naming the riot only as what they
        // were for ("on Saturday police detained 47 people over the riots"): an arrests
        // event of its own, not the riot again.
        let category = match category {
            Some(Category::Riot | Category::Protest)
                if date_here.is_some()
                    && here.iter().any(|c| c.kind == CountKind::Arrested)
                    && has_cue(&words, w0, w1, &used, Category::Arrests)
                    && ctx.last.iter().any(|&d| {
                        matches!(drafts[d].category, Category::Riot | Category::Protest)
                            && drafts[d].occurred_at != date.0
                    }) =>
            {
                Some(Category::Arrests)
            }
            c => c,
        };
        if category.is_none() && here.is_empty() {
            if date_here.is_some() {
                ctx.date = Some(date);
            }
            // Where nothing happens, places abroad are reactions ("Washington threatened…",
            // "in Brussels, the EU's envoy called…"): the story stays in its countries.
            let home: Vec<_> = places
                .into_iter()
                .filter(|(p, _)| {
                    drafts.is_empty() || drafts.iter().any(|d| d.place.country == p.country)
                })
                .collect();
            if !home.is_empty() {
                ctx.places_from_dateline = home.iter().all(|(_, sp)| sp.start < dateline_end);
                ctx.places = home;
            }
            continue;
        }
        // Counts without an event word are of the story's kind of event (the last one's);
        // arrests alone are arrests.
        // (a disaster named since the last event's word is the story now: "a storm tore roofs
        // off in Ridder; four people were hurt by falling trees")
        let arrests_alone = || {
            here.iter().all(|c| c.kind == CountKind::Arrested) && here.iter().any(|c| c.value > 0)
        };
        let Some(category) = category
            // (those held on their way to a picket that never was: arrests)
            .or_else(|| (was_intended && arrests_alone()).then_some(Category::Arrests))
            // (not after fighting: "Soldiers returned fire. Three attackers were killed.")
            .or_else(|| {
                let armed = ctx.last.first().is_some_and(|&k| {
                    matches!(
                        drafts[k].category,
                        Category::ArmedClash
                            | Category::ViolenceAgainstCivilians
                            | Category::Explosion
                            | Category::Riot
                    )
                });
                (ctx.disaster && !armed && here.iter().any(|c| c.kind.is_casualty() && c.value > 0))
                    .then_some(Category::Other)
            })
            .or_else(|| ctx.last.first().map(|&k| drafts[k].category))
            .or(cue.map(|c| c.0))
            // (nobody detained, and nothing else: no event)
            .or_else(|| arrests_alone().then_some(Category::Arrests))
        else {
            continue;
        };
        let cue_span = cue
            .map(|(_, k)| span(k, k))
            .or_else(|| here.first().map(|c| span(c.first, c.last)))
            .unwrap_or(Span { start: s, end: s });

        // A sentence naming only the country or region the story is in ("Georgia's interior
        // ministry said…") is about the story's places.
        let only_containers = !places.is_empty()
            && !ctx.places.is_empty()
            && !ctx.places_from_dateline
            && places
                .iter()
                .all(|(p, _)| ctx.places.iter().all(|(q, _)| contains(p, q)));
        // Where it happened: the places the sentence puts the event in ("in Eldoret", "в
        // Бишкеке", "Ақтауда", "في أكتوبي") rather than those that act or speak ("Washington
        // condemned"), when it has any.
        let located: Vec<(GeocodeResult, Span)> = places
            .iter()
            .filter(|(_, sp)| locative(&chars, &words, *sp))
            .cloned()
            .collect();
        // Counts with no event word of their own, at places the text does not put them in
        // ("80 injured, taken to hospitals in Tripoli and Beirut"), are the story's.
        let elsewhere = cue.is_none() && located.is_empty() && !ctx.places.is_empty();
        // ...unless the text puts the event in that country or region ("were detained in
        // Kazakhstan"): then it is told at that level.
        // (unless the clause names a town or village the gazetteer lacks, in that region:
        // "Алматы облысындағы Қаскелең қаласы … жарықсыз қалды" is the region's, not the
        // story's town's)
        let unknown_locality = (w0..=w1).any(|k| {
            lexicon::any_at(&words, k, lexicon::LOCALITY_WORDS)
                && !mentions
                    .iter()
                    .any(|m| m.start <= words[k].start && words[k].end <= m.end)
        });
        let only_containers = only_containers && located.is_empty() && !unknown_locality;
        let places = if located.is_empty() { places } else { located };
        let mut targets = if places.is_empty() || only_containers && !nationwide || elsewhere {
            ctx.places.clone()
        } else {
            places.clone()
        };
        if nationwide && !here.is_empty() {
            // A total for the whole country: one country-level draft.
            let country = targets
                .iter()
                .find(|(p, _)| p.kind == Kind::Country)
                .cloned()
                .or_else(|| {
                    targets.first().and_then(|(p, sp)| {
                        let c = gaz.country(&p.country)?;
                        Some((gaz.describe(c.id)?, *sp))
                    })
                });
            targets = country.into_iter().collect();
        }
        if targets.is_empty() {
            continue;
        }
        let mut events = Vec::new();
        for (p, sp) in &targets {
            // One event told with a stated day in one sentence and the publication day by
            // default in another is one event: the stated day wins.
            // So is a toll told on the publication day ("the death toll rose to four, the
            // ministry said on Tuesday") and the same kind of event at the same place on a
            // stated day of the week before: the toll is that event's.
            let near = (-1..=1)
                .find_map(|d: i64| {
                    let other = date.0 + time::Duration::days(d);
                    let &k = by_key.get(&(p.id, other, category))?;
                    let stated = (drafts[k].date_evidence.is_some(), date.1.is_some());
                    (d == 0 || stated.0 != stated.1).then_some(k)
                })
                .or_else(|| {
                    // (only where a toll is told: dead or hurt counted in this clause or in
                    // the undated draft; "another rally on Sunday" is another rally)
                    let toll_here = here.iter().any(|c| c.kind.is_casualty());
                    drafts.iter().position(|o| {
                        let defaulted =
                            |d: Date, ev: Option<Span>| ev.is_none() && d == report.published;
                        let toll_there = o.fatalities.is_some() || o.injured.is_some();
                        let before = |d: Date| {
                            d < report.published && (report.published - d).whole_days() <= TOLL_DAYS
                        };
                        o.place.id == p.id
                            && o.category == category
                            && (defaulted(o.occurred_at, o.date_evidence)
                                && date.1.is_some()
                                && before(date.0)
                                && toll_there
                                || defaulted(date.0, date.1)
                                    && o.date_evidence.is_some()
                                    && before(o.occurred_at)
                                    && toll_here)
                    })
                });
            if let Some(k) = near {
                if drafts[k].date_evidence.is_none() && date.1.is_some() {
                    by_key.remove(&(p.id, drafts[k].occurred_at, category));
                    drafts[k].occurred_at = date.0;
                    drafts[k].date_evidence = date.1;
                    by_key.insert((p.id, date.0, category), k);
                }
                events.push(k);
                continue;
            }
            let key = (p.id, date.0, category);
            let k = *by_key.entry(key).or_insert_with(|| {
                drafts.push(DraftEvent {
                    place: DraftPlace::from(p),
                    precision: p.precision,
                    place_evidence: *sp,
                    occurred_at: date.0,
                    date_evidence: date.1,
                    category,
                    category_evidence: cue_span,
                    fatalities: None,
                    injured: None,
                    arrested: None,
                });
                drafts.len() - 1
            });
            events.push(k);
        }
        // each count to the place named nearest before it in the sentence
        for c in &here {
            let at = words[c.first].start;
            let k = targets
                .iter()
                .enumerate()
                .filter(|(_, (_, sp))| sp.start <= at && in_sentence(sp.start))
                .max_by_key(|(_, (_, sp))| sp.start)
                .map_or(0, |(i, _)| i);
            add_count(&mut drafts[events[k]], c, span(c.first, c.last));
        }
        ctx.places_from_dateline = targets.iter().all(|(_, sp)| sp.start < dateline_end);
        ctx.places = targets;
        ctx.date = Some(date);
        ctx.last = events;
    }
    // A country's total of arrests "during the riots" is a count of arrests, not a riot of
    // the whole country.
    for d in &mut drafts {
        if d.precision == Precision::Country
            && matches!(d.category, Category::Riot | Category::Protest)
            && d.arrested.is_some()
            && d.fatalities.is_none()
            && d.injured.is_none()
        {
            d.category = Category::Arrests;
        }
    }
    // Clashes in a paragraph that tells of tear gas or batons, or next to one, are a crowd
    // against the police. (wire copy gives each sentence a paragraph; but tear gas at a
    // students' march three paragraphs on says nothing of armed herders clashing with farmers)
    let crowd_control: Vec<usize> = (0..words.len())
        .filter(|&k| lexicon::any_at(&words, k, lexicon::CROWD_CONTROL))
        .map(|k| words[k].start)
        .collect();
    // the paragraph of `at` and the ones before and after it (blank lines aside)
    let paragraph = |at: usize| {
        let at = at.min(chars.len());
        let breaks_before: Vec<usize> = chars[..at]
            .iter()
            .enumerate()
            .filter(|&(i, &c)| c == '\n' && chars.get(i + 1).is_some_and(|&n| n != '\n'))
            .map(|(i, _)| i)
            .collect();
        let start = breaks_before
            .len()
            .checked_sub(2)
            .map_or(0, |i| breaks_before[i] + 1);
        let mut end = chars.len();
        let mut seen = 0;
        for (i, &c) in chars.iter().enumerate().skip(at) {
            if c == '\n' && chars.get(i + 1).is_some_and(|&n| n != '\n') {
                seen += 1;
                if seen == 2 {
                    end = i;
                    break;
                }
            }
        }
        start..end
    };
    for d in drafts.iter_mut().filter(|d| {
        d.category == Category::ArmedClash && is_clash_word(d, &chars) && {
            let around = paragraph(d.category_evidence.start);
            crowd_control.iter().any(|at| around.contains(at))
        }
    }) {
        d.category = Category::Riot;
    }
    Extraction {
        language,
        drafts: fold_same_day(drafts, &chars),
    }
}

/// Whether a draft's category comes from "clashes" (with the police, between crowds) rather
/// than "fighting" or "battles" between armed forces.
fn is_clash_word(d: &DraftEvent, chars: &[char]) -> bool {
    let sp = d.category_evidence;
    let word: String = chars[sp.start..sp.end.min(chars.len())].iter().collect();
    let word = text::fold(&word);
    lexicon::CLASH_WORDS
        .iter()
        .any(|c| text::arabic_forms(&word).any(|f| f.starts_with(c)))
}

/// One event per place and day of unrest, as coders count them: arrests at the place and day
/// of a protest or riot are its count, not an event of their own; a protest or clashes at the
/// place and day of a riot are that riot (it turned violent); shelling at the place and day of
/// a battle is that battle's. Counts are merged.
fn fold_same_day(mut drafts: Vec<DraftEvent>, chars: &[char]) -> Vec<DraftEvent> {
    // A protest and clashes at one place on one day, told in different sentences ("thousands
    // gathered on the square… clashes went on overnight"), are a protest that turned violent.
    // Only "clashes" (with the police, between crowds), not "fighting" between armies: a
    // protest in El Fasher and the army fighting the RSF there the same day are two events.
    let clashes: std::collections::HashSet<(u64, Date)> = drafts
        .iter()
        .filter(|d| {
            d.category == Category::ArmedClash
                && d.precision != Precision::Country
                && is_clash_word(d, chars)
        })
        .map(|d| (d.place.id, d.occurred_at))
        .collect();
    for d in drafts.iter_mut().filter(|d| {
        d.category == Category::Protest && clashes.contains(&(d.place.id, d.occurred_at))
    }) {
        d.category = Category::Riot;
    }
    // What a witness says in quotes retells the event told around it ("They went from house
    // to house and set fire to everything"; «نعيش بلا كهرباء»): its event word makes no second
    // event at the place and day.
    let quotes = text::quotations(chars);
    let quoted = |d: &DraftEvent| {
        quotes
            .iter()
            .any(|q| q.contains(&d.category_evidence.start))
    };
    let absorbs = |big: &DraftEvent, small: &DraftEvent| {
        big.place.id == small.place.id
            && big.occurred_at == small.occurred_at
            && (quoted(small) && !quoted(big) && big.category != small.category
                || small.category == Category::Arrests
                    && matches!(big.category, Category::Riot | Category::Protest)
                || matches!(small.category, Category::Protest | Category::ArmedClash)
                    && big.category == Category::Riot
                || small.category == Category::Explosion && big.category == Category::ArmedClash)
    };
    let (small, mut out): (Vec<DraftEvent>, Vec<DraftEvent>) = drafts
        .iter()
        .cloned()
        .partition(|d| drafts.iter().any(|o| absorbs(o, d)));
    for d in small {
        let Some(big) = out.iter_mut().find(|o| absorbs(o, &d)) else {
            continue;
        };
        for (slot, c) in [
            (&mut big.fatalities, d.fatalities),
            (&mut big.injured, d.injured),
            (&mut big.arrested, d.arrested),
        ] {
            if let Some(c) = c
                && slot.as_ref().is_none_or(|o| o.value < c.value)
            {
                *slot = Some(c);
            }
        }
    }
    out
}

/// Where a wire dateline ends (`NAIROBI, June 26 (Desk) - `, `ألماتي – (وكالة)`): the first
/// dash standing between spaces within the opening 100 characters of the first line; 0 when
/// there is none.
/// Also a short first line of its own (`Астана, 20 қазан. «Дала дидары».`), and an agency's
/// name in guillemets closing the opening words (`АЛМАТЫ, 11 января. /«Вестник»/.`).
fn dateline(chars: &[char]) -> usize {
    let line_end = chars.iter().position(|&c| c == '\n').unwrap_or(chars.len());
    // a line of its own: short, a place and a comma, a date's digits, an agency in «» or ()
    let first_line = &chars[..line_end];
    let spaced_dash = |i: usize| {
        matches!(chars[i], '-' | '–' | '—') && chars[i - 1] == ' ' && chars[i + 1] == ' '
    };
    // (or a place, a dash and the agency: `عمّان – «شبكة وادي الأردن»`)
    if line_end <= 60
        && line_end < chars.len()
        && (first_line.contains(&',') && first_line.iter().any(|c| c.is_ascii_digit())
            // (the agency right after the dash, a place of a few words before it: not a
            // headline "Пожар в Алматы — погибли трое (видео)")
            || (1..line_end.saturating_sub(1)).any(|i| {
                spaced_dash(i)
                    && matches!(chars.get(i + 2), Some('«' | '('))
                    && chars[..i].iter().filter(|c| **c == ' ').count() <= 3
            }))
        && first_line.iter().any(|c| matches!(c, '«' | '('))
    {
        return line_end;
    }
    let opening = &chars[..line_end.min(100)];
    // the agency that may follow, between slashes, guillemets or brackets
    let agency_after = |start: usize| {
        let mut end = start;
        while opening.get(end) == Some(&' ') {
            end += 1;
        }
        let close = match opening.get(end) {
            Some('/') => '/',
            Some('«') => '»',
            Some('(') => ')',
            _ => return start,
        };
        let Some(len) = opening[end + 1..].iter().position(|&c| c == close) else {
            return start;
        };
        end += len + 2;
        end + opening[end..]
            .iter()
            .take_while(|c| matches!(c, '/' | '.' | ')' | '»'))
            .count()
    };
    // (what stands before the dash must read as a dateline: a word or two, or a place with a
    // comma, a date or an agency; not a headline "Пожар в Алматы — погибли трое")
    let dash = (1..line_end.min(100).saturating_sub(1))
        .find(|&i| spaced_dash(i))
        .filter(|&i| {
            let before = &chars[..i];
            let words = before.iter().filter(|c| **c == ' ').count() + 1;
            words <= 2
                || words <= 8
                    && before
                        .iter()
                        .any(|c| matches!(c, ',' | '(' | '«') || c.is_numeric())
        })
        .map_or(0, |i| agency_after(i + 1));
    let agency = opening
        .iter()
        .position(|&c| c == '«')
        // after the date's full stop ("11 января. /«Вестник»/."), not inside a sentence
        // ("акция «Против цен»")
        .filter(|&open| {
            opening[..open].contains(&',')
                && opening[..open]
                    .iter()
                    .rev()
                    .find(|c| !matches!(c, ' ' | '/'))
                    .is_some_and(|&c| c == '.')
        })
        .and_then(|open| {
            opening[open..]
                .iter()
                .position(|&c| c == '»')
                .map(|e| open + e + 1)
        })
        .map_or(0, |end| {
            end + opening[end..]
                .iter()
                .take_while(|c| matches!(c, '/' | '.' | ')'))
                .count()
        });
    // "УФА, 19 января. /Агидель-Пресс/. Число…": a place and a date as a short sentence of
    // their own, then the agency between slashes, guillemets or brackets.
    // (a capitalised place of one or two words, no digit; then a day and a month's name: not
    // "В субботу 1,5 тыс. человек", "On Sunday, 3 died.")
    let short = opening[..opening.len().min(40)]
        .iter()
        .position(|&c| c == '.')
        .filter(|&dot| {
            let Some(comma) = opening[..dot].iter().position(|&c| c == ',') else {
                return false;
            };
            let place: String = opening[..comma].iter().collect();
            let words = place.split_whitespace().count();
            let date = text::words(&opening[comma + 1..dot]);
            (1..=2).contains(&words)
                && place.chars().next().is_some_and(char::is_uppercase)
                && !place.chars().any(|c| c.is_numeric())
                && (words == 1 || place.chars().all(|c| !c.is_lowercase()))
                && date.len() <= 3
                && date.iter().any(text::Word::is_digits)
                && (0..date.len()).any(|k| {
                    lexicon::MONTHS
                        .iter()
                        .any(|(m, _)| lexicon::match_at(&date, k, m) > 0)
                })
        })
        .map_or(0, |dot| agency_after(dot + 1));
    dash.max(agency).max(short)
}

/// The sentence's event cue: the most serious kind named ([`lexicon::CATEGORY_ORDER`]), with
/// the word that names it.
fn category_cue(
    words: &[text::Word],
    w0: usize,
    w1: usize,
    used: &[bool],
) -> Option<(Category, usize)> {
    let mut found: Vec<(Category, usize)> = Vec::new();
    let blocked = lexicon::not_cues_in(words, w0..w1 + 1);
    // What people are accused of taking part in is an earlier event, not a new one.
    let taken_part_in = |k: usize| {
        (k.saturating_sub(6).max(w0)..k).any(|j| lexicon::any_at(words, j, lexicon::PARTICIPATION))
            || (k.saturating_sub(4).max(w0)..k).any(|j| {
                // the frame, then at most one word ("protesting the shelling")
                lexicon::TOPIC_FRAMES.iter().any(|p| {
                    let n = lexicon::match_at(words, j, p);
                    n > 0 && j + n <= k && k <= j + n + 1
                })
            })
            || (k + 1..=(k + 4).min(w1))
                .any(|j| lexicon::any_at(words, j, lexicon::PARTICIPATION_AFTER))
    };
    // An event denied is no event ("the rally passed without clashes").
    // (Being without is what a shortage is: "жылусыз қалды", 'were left without heat'.)
    let denied = |k: usize, n: usize, c: Category| {
        (k.saturating_sub(2).max(w0)..k).any(|j| {
            !words[j + 1].comma_before
                && lexicon::any_at(words, j, lexicon::NEGATIONS)
        }) || c != Category::Shortage
            && lexicon::PRIVATIVE_ENDINGS
                .iter()
                .any(|e| words[k].folded.ends_with(e))
            // Russian and Kazakh deny after the noun ("перебоев с газом нет"), unless what
            // is denied is a count ("пострадавших при пожаре нет": there was a fire)
            // (not the cue's own word: "су жоқ", 'there is no water', is the shortage)
            || (k + n..=(k + 3).min(w1)).any(|j| {
                matches!(words[j].folded.as_str(), "нет" | "жоқ")
                    && !words[k + 1..=j].iter().any(|w| w.comma_before)
            }) && !(w0..k).any(|j| lexicon::first_match(words, j, lexicon::COUNT_CUES).is_some())
            || (k + n..=(k + 8).min(w1)).any(|j| lexicon::any_at(words, j, lexicon::DENIALS_AFTER))
            // (the frame, then at most one word: "denied reports of widespread looting")
            || (k.saturating_sub(6).max(w0)..k).any(|j| {
                // (not "не опровергли", did not deny)
                (j == 0 || words[j - 1].folded != "не")
                    && lexicon::DENIAL_FRAMES.iter().any(|p| {
                        let m = lexicon::match_at(words, j, p);
                        m > 0 && j + m <= k && k <= j + m + 1
                    })
            })
    };
    // Who spoke, after a quote: "— сказал один из участников акции", "said one of the
    // protesters": no event of its own.
    let speaker = |k: usize| {
        (k.saturating_sub(3).max(w0 + 1)..k).any(|j| {
            matches!(words[j].folded.as_str(), "один" | "одна" | "one" | "احد")
                && lexicon::any_at(words, j - 1, lexicon::REPORTING)
        })
    };
    for k in (w0..=w1).filter(|&k| !used[k] && !blocked[k - w0]) {
        if let Some((c, n)) = lexicon::first_match(words, k, lexicon::CATEGORY_CUES)
            && !denied(k, n, c)
            && !taken_part_in(k)
            && !speaker(k)
        {
            // tyres right after an arson word, or before it (Kazakh puts the object first:
            // "дөңгелектерді өртеді")
            let tyres = c == Category::Riot
                && lexicon::any_at(words, k, lexicon::ARSON)
                && (k.saturating_sub(2).max(w0)..=(k + 3).min(w1))
                    .any(|j| lexicon::any_at(words, j, lexicon::TYRES));
            found.push((if tyres { Category::Protest } else { c }, k));
        }
    }
    let first = |c: Category| found.iter().find(|(f, _)| *f == c).copied();
    // Demonstrators clashing (with the police, with each other) is a riot, not a battle
    // between armed groups.
    if let (Some(_), Some((_, k))) = (first(Category::Protest), first(Category::ArmedClash))
        && first(Category::Explosion).is_none()
    {
        return Some((Category::Riot, k));
    }
    lexicon::CATEGORY_ORDER.iter().find_map(|&c| first(c))
}

/// Whether the mention at `start..end` is the source of what is told ("according to
/// Bishkek") rather than a place where something happened.
fn is_source(words: &[text::Word], start: usize, end: usize) -> bool {
    let first = words.partition_point(|w| w.end <= start);
    let after = words.partition_point(|w| w.start < end);
    let before = lexicon::SOURCE_BEFORE.iter().any(|p| {
        let n = p.split(' ').count();
        first >= n && lexicon::match_at(words, first - n, p) == n
    });
    before
        || words.get(after).is_some_and(|w| {
            lexicon::SOURCE_AFTER
                .iter()
                .any(|p| w.folded.starts_with(p))
        })
        || is_hospital_town(words, first, after)
}

/// Whether the mention (words `first..after`) names where the hurt were treated: a hospital
/// word just before it ("hospitals in Tripoli", "в больницу в Беслане", "مستشفى في بيروت")
/// or right after it ("a Tripoli hospital", "Беслан ауруханасына"), in the same clause.
/// Only a hospital the hurt are taken to, or where someone died: a hospital shelled or
/// struck is where it happened ("قصف مستشفى في غزة", "взрыв в больнице в Донецке").
fn is_hospital_town(words: &[text::Word], first: usize, after: usize) -> bool {
    let hospital = |k: usize| {
        numbers::taken_to_hospital(words, k)
            || lexicon::any_at(words, k, lexicon::HOSPITAL)
                && (words[k].folded.ends_with("на")
                    || (k.saturating_sub(4)..k).any(|j| {
                        matches!(words[j].folded.as_str(), "to" | "into" | "الي" | "treated")
                            || lexicon::first_match(words, j, lexicon::COUNT_CUES)
                                .is_some_and(|(c, _)| c.is_casualty())
                    }))
    };
    let before = (first.saturating_sub(3)..first)
        .rev()
        .take_while(|&k| !words[k + 1].comma_before)
        .any(hospital);
    let next = after < words.len() && !words[after].comma_before && hospital(after);
    before || next
}

/// Whether the clause has a cue of this kind.
fn has_cue(words: &[text::Word], w0: usize, w1: usize, used: &[bool], kind: Category) -> bool {
    (w0..=w1).filter(|&k| !used[k]).any(|k| {
        lexicon::CATEGORY_CUES
            .iter()
            .filter(|(c, _)| *c == kind)
            .any(|(_, phrases)| lexicon::any_at(words, k, phrases))
    })
}

/// The places of a sentence without those that only contain another of them (Kazakhstan
/// beside Almaty, Mangystau beside Zhanaozen); the same place once.
fn most_specific(places: Vec<(GeocodeResult, Span)>) -> Vec<(GeocodeResult, Span)> {
    let mut out: Vec<(GeocodeResult, Span)> = Vec::new();
    for (p, sp) in &places {
        if places.iter().any(|(q, _)| contains(p, q)) || out.iter().any(|(q, _)| q.id == p.id) {
            continue;
        }
        out.push((p.clone(), *sp));
    }
    out
}

/// Words that put what follows in a place: prepositions, and the generic words that may
/// stand between one and the name ("in the city of", "в городе", "في مدينة").
const LOCATIVE_BEFORE: &[&str] = &[
    "in",
    "at",
    "near",
    "outside",
    "around",
    "across",
    "inside",
    "в",
    "во",
    "на",
    "под",
    "около",
    "у",
    "возле",
    "близ",
    "في",
    "قرب",
    "داخل",
    "حول",
];
/// Kazakh locative endings, on the name or on the generic word after it (Ақтауда, Ош
/// қаласында).
const KAZAKH_LOCATIVE: &[&str] = &["да", "де", "та", "те", "нда", "нде"];

/// Whether the text puts an event in the place mentioned at `sp`.
fn locative(chars: &[char], words: &[text::Word], sp: Span) -> bool {
    let Some(first) = words.iter().position(|w| w.end > sp.start) else {
        return false;
    };
    let last = words
        .iter()
        .rposition(|w| w.start < sp.end)
        .unwrap_or(first);
    let kk = |w: &text::Word| KAZAKH_LOCATIVE.iter().any(|e| w.folded.ends_with(e));
    // (a Kazakh generic word in the locative closes the mention: "Маңғыстау облысында")
    let generic = |w: &text::Word| {
        ["облыс", "қала", "аудан", "ауыл"]
            .iter()
            .any(|g| w.folded.starts_with(g))
    };
    if kk(&words[last])
        && (words[last].folded.chars().any(|c| "әғқңөұүһі".contains(c)) || generic(&words[last]))
        || words
            .get(last + 1)
            .is_some_and(|w| w.folded.starts_with("қала") || w.folded.starts_with("облыс"))
            && words.get(last + 1).is_some_and(kk)
    {
        return true;
    }
    if words[first].start < sp.start {
        // A prefix of the word was cut off: an Arabic proclitic (و, ب, ل). Mentions never
        // include their proclitics, so a name's own ب (وبيروت) is not the preposition.
        let pre: String = chars[words[first].start..sp.start].iter().collect();
        if pre.contains('ب') {
            return true;
        }
    }
    // A preposition a few words before, within the clause: "in Mombasa and Kisumu", "in the
    // western city of Zugdidi", "в Бишкеке и Оше", "في ألماتي وأكتاو".
    for j in (first.saturating_sub(5)..first).rev() {
        let w = &words[j];
        let gap: String = chars[w.end..words[j + 1].start].iter().collect();
        if gap
            .chars()
            .any(|c| matches!(c, '.' | ';' | '؛' | ':' | '(' | ')' | '«' | '»' | '"'))
        {
            return false;
        }
        // "in the police department of Zhambyl region" says who spoke, not where it happened
        if INSTITUTIONS.iter().any(|p| w.folded.starts_with(p)) {
            return false;
        }
        if LOCATIVE_BEFORE.contains(&w.folded.as_str())
            || text::arabic_forms(&w.folded).any(|f| f == "في")
        {
            return true;
        }
    }
    false
}

/// Words of institutions: a place after one ("в департаменте полиции Жамбылской области",
/// "at the interior ministry of …") names who speaks, not where something happened.
const INSTITUTIONS: &[&str] = &[
    "ministry",
    "department",
    "office",
    "министерств",
    "департамент",
    "управлени",
    "ведомств",
    "прокуратур",
    "министрлі",
    "департаменті",
    "وزاره",
    "مديريه",
    "قياده",
];

/// Whether `outer` (a country or region) holds `inner`.
fn contains(outer: &GeocodeResult, inner: &GeocodeResult) -> bool {
    outer.id != inner.id
        && match outer.kind {
            Kind::Country => inner.country == outer.country && inner.kind != Kind::Country,
            Kind::Region => {
                matches!(inner.kind, Kind::City | Kind::District)
                    && inner.admin1_code.is_some()
                    && inner.admin1_code == outer.admin1_code
            }
            _ => false,
        }
}

/// A count onto a draft: the larger of two reports of the same count.
fn add_count(d: &mut DraftEvent, c: &numbers::CountMention, evidence: Span) {
    let Ok(value) = u32::try_from(c.value) else {
        return;
    };
    let slot = match c.kind {
        CountKind::Fatalities => &mut d.fatalities,
        CountKind::Injured => &mut d.injured,
        CountKind::Arrested => &mut d.arrested,
    };
    if slot.as_ref().is_none_or(|old| old.value < value) {
        *slot = Some(Count {
            value,
            qualifier: c.qualifier,
            evidence,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drafts(text: &str, published: Date) -> Vec<DraftEvent> {
        static GAZ: std::sync::LazyLock<Gazetteer> =
            std::sync::LazyLock::new(|| Gazetteer::embedded().unwrap());
        extract(
            &GAZ,
            &ReportText {
                text,
                published,
                language: None,
            },
        )
        .drafts
    }

    #[test]
    fn arrests_after_a_protest_are_its_count_and_a_national_total_is_the_country() {
        let d = drafts(
            "В четверг в Бишкеке прошёл митинг у здания парламента. Полиция задержала 20 \
             человек. Всего по стране погибли не менее 3 человек.",
            time::macros::date!(2020 - 10 - 09),
        );
        let got: Vec<_> = d
            .iter()
            .map(|d| {
                (
                    d.place.name.as_str(),
                    d.precision,
                    d.occurred_at.to_string(),
                    d.category,
                    d.arrested.as_ref().map(|c| c.value),
                    d.fatalities.as_ref().map(|c| (c.value, c.qualifier)),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Bishkek",
                    Precision::City,
                    "2020-10-08".to_string(),
                    Category::Protest,
                    Some(20),
                    None
                ),
                (
                    "Kyrgyzstan",
                    Precision::Country,
                    "2020-10-08".to_string(),
                    Category::Protest,
                    None,
                    Some((3, Some(Qualifier::AtLeast)))
                ),
            ]
        );
    }

    /// (place, day, category) of each draft.
    fn events(text: &str, published: time::Date) -> Vec<(String, String, Category)> {
        drafts(text, published)
            .iter()
            .map(|d| (d.place.name.clone(), d.occurred_at.to_string(), d.category))
            .collect()
    }

    #[test]
    fn the_third_batchs_rules_do_not_misfire() {
        // sentences a reviewer wrote against this session's rules (each had misfired)
        let day = time::macros::date!(2026 - 05 - 13);
        let monday = "2026-05-11";
        // a road closed by the authorities is no protest
        assert!(
            events(
                "В понедельник в Оренбурге власти перекрыли мост через Урал.",
                day
            )
            .is_empty()
        );
        // drone footage is no drone strike; a plan to march leaves the clash it follows
        let e = events(
            "Footage from drones showed thousands of protesters marching in Tbilisi on Monday.",
            day,
        );
        assert_eq!(e, [("Tbilisi".into(), monday.into(), Category::Protest)]);
        let e = events(
            "Protesters who clashed with police in Lagos on Monday will march again on Friday.",
            day,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        // a call for calm is no call for an event
        let e = events(
            "Opposition leaders called for calm after clashes in Tbilisi on Monday left 20 injured.",
            day,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        // fleeing to escape clashes, and Russian "в" after a comma, are no destination
        let e = events(
            "Dozens of families fled to escape clashes in Gwoza on Monday in which 12 people \
             were killed.",
            day,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        let e = events(
            "Жители бежали, когда в Шебекино в понедельник начался обстрел; погибли 2 человека.",
            day,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        // where they fled to is none
        assert!(
            events(
                "More than 400 villagers have fled to the town of Balboa since the fighting \
                 began on Monday.",
                day
            )
            .iter()
            .all(|(p, _, _)| p != "Balboa")
        );
        // a denial not made is no denial
        assert_eq!(
            events(
                "Власти не опровергли сообщения о беспорядках в Уфе в понедельник.",
                day
            )
            .len(),
            1
        );
        // "near" after "and" is a second place
        let e = events(
            "Clashes broke out in Kabul and near Jalalabad on Monday, killing 5.",
            day,
        );
        assert_eq!(e.len(), 2, "{e:?}");
        // a planned power cut and a bout are no events
        assert!(events("Сейсенбі күні Шымкентте жарық сөндіріледі.", day).is_empty());
        assert!(events("Бүгін Астанада спортшы төбелесте қарсыласын жеңді.", day).is_empty());
        // the mayor of Moscow before his surname leaves Moscow a place
        let e = events(
            "Мэр Москвы Собянин сообщил, что в понедельник при пожаре на складе в Москве \
             погибли 3 человека.",
            day,
        );
        assert_eq!(e.len(), 1, "{e:?}");
    }

    #[test]
    fn taking_part_is_an_event_being_accused_of_it_is_not() {
        let day = time::macros::date!(2020 - 10 - 09);
        let friday = |c| ("Bishkek".to_string(), "2020-10-09".to_string(), c);
        assert_eq!(
            events(
                "Thousands took part in the rally in Bishkek on Friday.",
                day
            ),
            [friday(Category::Protest)]
        );
        assert_eq!(
            events(
                "Police in Bishkek detained 5 men on Friday on suspicion of taking part in the riots.",
                day
            ),
            [friday(Category::Arrests)]
        );
        // denied, it is no event
        assert!(
            events("The rally in Bishkek on Friday ended without clashes.", day)
                .iter()
                .all(|e| e.2 != Category::Riot && e.2 != Category::ArmedClash)
        );
    }

    #[test]
    fn crowds_storming_fires_at_markets_and_hospitals_struck_are_read_as_such() {
        let day = time::macros::date!(2020 - 10 - 09);
        let cats = |t: &str| -> Vec<Category> { events(t, day).into_iter().map(|e| e.2).collect() };
        // "stormed" is a crowd's, not a storm
        assert!(
            !cats("On Friday protesters stormed the White House in Bishkek; two were killed.")
                .contains(&Category::Other)
        );
        // a fire at a market is a fire
        assert_eq!(
            cats("A fire at a market in Bishkek on Friday killed five people."),
            [Category::Other]
        );
        // a hospital struck is where it happened
        let d = drafts(
            "On Friday a blast hit a hospital in Bishkek, killing three people.",
            day,
        );
        assert!(d.iter().any(|d| d.place.name == "Bishkek"), "{d:?}");
        // a relative day and a weekday in the next sentence are two dates
        let d = drafts(
            "Протестующие вчера перекрыли трассу в Бишкеке. В среду в Оше прошел митинг.",
            day,
        );
        let dates: Vec<String> = d.iter().map(|d| d.occurred_at.to_string()).collect();
        assert!(dates.contains(&"2020-10-08".to_string()), "{dates:?}");
    }

    #[test]
    fn being_left_without_heat_is_a_shortage() {
        let day = time::macros::date!(2026 - 01 - 14);
        let got = events(
            "Екібастұзда дүйсенбі күні 200-ден астам көппәтерлі үй жылусыз қалды.",
            day,
        );
        assert_eq!(
            got,
            [(
                "Ekibastuz".to_string(),
                "2026-01-12".to_string(),
                Category::Shortage
            )]
        );
        // a district the gazetteer lacks is not a region abroad named like it (Maio)
        let got = events(
            "Екібастұзда және Павлодарда жылу берілмей тұр. Павлодар облысының Май \
             ауданындағы он екі ауыл кеше жарықсыз отырды. Ақсу мен Екібастұзға Астанадан \
             жөндеу бригадалары жіберілді.",
            day,
        );
        assert!(got.iter().all(|(p, _, _)| p != "Maio"), "{got:?}");
    }

    #[test]
    fn a_road_blocked_is_a_protest_and_a_shortage_denied_is_none() {
        let day = time::macros::date!(2025 - 12 - 17);
        let at = |p: &str, d: &str, c| (p.to_string(), d.to_string(), c);
        assert_eq!(
            events(
                "Во вторник жители Асаки перекрыли трассу, требуя вернуть газ.",
                day
            ),
            [at("Asaka", "2025-12-16", Category::Protest)]
        );
        assert_eq!(
            events("В Андижане жители остаются без газа.", day),
            [at("Andijon", "2025-12-17", Category::Shortage)]
        );
        assert_eq!(events("В Ташкенте перебоев с газом нет.", day), []);
        // a count denied is no event denied: the blast was
        assert_eq!(
            events("В Ташкенте погибших при взрыве нет.", day),
            [at("Tashkent", "2025-12-17", Category::Explosion)]
        );
    }

    #[test]
    fn the_hurt_are_counted_where_it_happened_not_where_they_were_treated() {
        let day = time::macros::date!(2025 - 11 - 11);
        let d = drafts(
            "В воскресенье в Ольгинском взорвался газовый баллон в жилом доме в Северной \
             Осетии. Двое детей с ожогами доставлены в районную больницу в Беслане.",
            day,
        );
        let got: Vec<_> = d
            .iter()
            .map(|d| (d.place.name.as_str(), d.injured.as_ref().map(|c| c.value)))
            .collect();
        assert!(got.iter().all(|(p, _)| *p != "Beslan"), "{got:?}");
        assert!(got.iter().any(|(_, i)| *i == Some(2)), "{got:?}");
        // died in hospital days later: the fire's toll, not a death on the day it was told
        let d = drafts(
            "A fire in a dormitory in Aktobe on Friday night killed four students. One more \
             student died in hospital on Sunday. About 20 others were taken to hospital.",
            time::macros::date!(2026 - 01 - 26),
        );
        let got: Vec<_> = d
            .iter()
            .map(|d| {
                (
                    d.occurred_at.to_string(),
                    d.injured.as_ref().map(|c| c.value),
                )
            })
            .collect();
        assert_eq!(got, [("2026-01-23".to_string(), Some(20))]);
        // a flood named in one sentence, its dead in the next; the river is no second place
        let d = drafts(
            "The flooding in Aktobe region is getting worse. On Tuesday the Ilek River burst its \
             banks in Aktobe and flooded hundreds of homes. One elderly man was killed.",
            time::macros::date!(2025 - 04 - 09),
        );
        let got: Vec<_> = d
            .iter()
            .map(|d| {
                (
                    d.place.name.as_str(),
                    d.category,
                    d.fatalities.as_ref().map(|c| c.value),
                )
            })
            .collect();
        assert_eq!(got, [("Aktobe", Category::Other, Some(1))]);
        // a running total since an earlier month is no event's count
        let d = drafts(
            "Lightning killed 17 people in Bangladesh on Monday. It has counted 112 \
             lightning deaths since March.",
            time::macros::date!(2026 - 06 - 24),
        );
        let got: Vec<_> = d
            .iter()
            .map(|d| d.fatalities.as_ref().map(|c| c.value))
            .collect();
        assert_eq!(got, [Some(17)]);
        // a gun's fire is no fire
        let d = drafts(
            "Police opened fire on protesters in Bishkek on Friday, killing three.",
            time::macros::date!(2020 - 10 - 09),
        );
        assert!(d.iter().all(|d| d.category != Category::Other), "{d:?}");
    }

    #[test]
    fn clashes_with_tear_gas_are_a_riot_fighting_between_forces_is_not() {
        let day = time::macros::date!(2020 - 10 - 09);
        let friday = |c| ("Bishkek".to_string(), "2020-10-09".to_string(), c);
        assert_eq!(
            events(
                "Clashes broke out in Bishkek on Friday. Police fired tear gas at the crowd.",
                day
            ),
            [friday(Category::Riot)]
        );
        assert_eq!(
            events("Clashes broke out in Bishkek on Friday.", day),
            [friday(Category::ArmedClash)]
        );
        assert_eq!(
            events(
                "On Friday a march in Bishkek turned violent as youths pelted police cars.",
                day
            ),
            [friday(Category::Riot)]
        );
        assert_eq!(
            events(
                "Fighting broke out in Bishkek on Friday. Police fired tear gas elsewhere.",
                day
            ),
            [friday(Category::ArmedClash)]
        );
    }

    #[test]
    fn a_toll_told_today_is_the_event_of_its_stated_day() {
        // Tuesday 11 November: the toll is told today, the blast was on Saturday night
        let day = time::macros::date!(2025 - 11 - 11);
        let d = drafts(
            "The death toll from the gas explosion in Bishkek rose to four, the ministry said. \
             The explosion happened on Saturday night.",
            day,
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].occurred_at.to_string(), "2025-11-08");
        assert_eq!(d[0].fatalities.as_ref().map(|c| c.value), Some(4));
    }

    #[test]
    fn burning_tyres_is_a_protest_burning_buildings_a_riot() {
        let day = time::macros::date!(2023 - 07 - 16);
        let saturday = |c| ("Basrah".to_string(), "2023-07-15".to_string(), c);
        assert_eq!(
            events("Protesters set fire to tyres in Basra on Saturday.", day),
            [saturday(Category::Protest)]
        );
        assert_eq!(
            events(
                "Protesters set fire to the governorate building in Basra on Saturday.",
                day
            ),
            [saturday(Category::Riot)]
        );
    }

    #[test]
    fn review_cases_stay_right() {
        let monday = time::macros::date!(2025 - 11 - 10);
        // a day qualifying the event itself still dates it
        assert_eq!(
            events(
                "Saturday's explosion in Bishkek killed four people.",
                monday
            ),
            [(
                "Bishkek".to_string(),
                "2025-11-08".to_string(),
                Category::Explosion
            )]
        );
        // what protesters protest is no event; what they do later in the sentence is
        assert_eq!(
            events(
                "Demonstrators protesting the election results stormed the parliament building \
                 in Bishkek on Monday.",
                monday
            ),
            [(
                "Bishkek".to_string(),
                "2025-11-10".to_string(),
                Category::Riot
            )]
        );
    }

    #[test]
    fn plans_are_no_events_and_a_picket_that_never_was_leaves_its_arrests() {
        let published = time::macros::date!(2026 - 03 - 17);
        let e = events(
            "В воскресенье в Комрате прошел митинг. Лидеры протеста объявили, что в субботу \
             проведут новый митинг в Комрате.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].1, "2026-03-15");
        let e = events(
            "Жексенбі күні Петропавлда шағын топ пикет өткізбек болған, бірақ оның жеті \
             қатысушысы алаңға жетпей жатып ұсталды.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].2, Category::Arrests);
    }

    #[test]
    fn a_storm_named_after_a_shortage_is_what_the_hurt_were_hurt_in() {
        let e = events(
            "В четверг в Риддере 18 сел остались без света. В пятницу шторм сорвал крыши в \
             Риддере. Четыре человека получили травмы.",
            time::macros::date!(2026 - 06 - 15),
        );
        assert!(
            e.iter()
                .any(|(_, d, c)| d == "2026-06-12" && *c == Category::Other),
            "{e:?}"
        );
    }

    #[test]
    fn where_forces_came_from_and_what_was_recalled_are_not_the_event() {
        let published = time::macros::date!(2026 - 03 - 17);
        let e = events(
            "В понедельник в Комрат прибыли около 300 карабинеров из Кишинева, они взяли под \
             охрану административные здания.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].0.as_str(), e[0].2), ("Comrat", Category::Deployment));
        // a region named by a direction with its generic word
        let e = events(
            "Kenyan soldiers took up positions in Mirebalais, in Haiti's Centre department, \
             on Sunday.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].0.as_str(), e[0].2), ("Centre", Category::Deployment));
        // a recollection trailing the dated event, and its place
        let e = events(
            "Petrol stations in Cap-Haïtien ran dry yesterday after gangs hijacked two fuel \
             tankers near Arcahaie last week.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(
            (e[0].1.as_str(), e[0].2),
            ("2026-03-16", Category::Shortage)
        );
        // a part of a month, told without its day; a court keeping someone in custody
        assert!(
            events(
                "Чолака задержали в начале марта, в прошлую пятницу палата Кагула оставила \
                 его под арестом.",
                published
            )
            .is_empty()
        );
    }

    #[test]
    fn seats_calls_stun_grenades_and_origins_are_not_where_or_what_happened() {
        let published = time::macros::date!(2026 - 07 - 23);
        // an organisation's seat
        let e = events(
            "Правозащитная организация со штаб-квартирой в Лондоне сообщила, что в Иране \
             вчера задержаны 150 человек.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].0.as_str(), e[0].2), ("Iran", Category::Arrests));
        // a call to protest somewhere else
        let e = events(
            "تجمع مئات المحتجين أمس في الأهواز، فيما دعا ناشطون إلى التظاهر في أصفهان يوم \
             الجمعة المقبل.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].0.as_str(), e[0].2), ("Ahvaz", Category::Protest));
        // the police's stun grenades
        let e = events(
            "Police fired rubber bullets and stun grenades to break up a picket in Durban on \
             Monday.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].2, Category::Protest);
        // where a missile was fired from
        let e = events(
            "أصيب 6 مدنيين أمس جراء سقوط شظايا صاروخ أطلقته جماعة الحوثي من اليمن فوق مدينة \
             جازان.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, "Jizan");
        // Kazakh's ablative: a truck from Kazakhstan blew up in Termez
        let e = events(
            "Кеше Термезде Қазақстаннан келген жүк көлігі жарылып, екі адам қаза тапты.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].0.as_str(), e[0].2), ("Tirmiz", Category::Explosion));
        // a power cut, told with the verb; talks broken off are none
        let e = events("وفي خرمشهر انقطع التيار الكهربائي أمس.", published);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].2, Category::Shortage);
        assert!(
            events(
                "انقطعت المفاوضات بين الحكومة والمعارضة في جنيف يوم الاثنين.",
                published
            )
            .is_empty()
        );
        // (a reviewer's probes) the seat is where it happened when the sentence says so, or
        // names nothing else; a call beside a real event leaves the event
        let e = events(
            "Two people were killed in an explosion at a Moscow-based company's warehouse in \
             Moscow on Tuesday, officials said.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].0.as_str(), e[0].2), ("Moscow", Category::Explosion));
        let e = events(
            "Во вторник беспилотник атаковал военную часть, базирующуюся в Энгельсе; погибли \
             два военнослужащих.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, "Engels");
        let e = events(
            "Unions called for a strike after a bomb killed four people in Lagos on Monday.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].0.as_str(), e[0].2), ("Lagos", Category::Explosion));
        let e = events(
            "Protesters who had called for a rally clashed with police in Tbilisi on Sunday; 20 \
             people were injured.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].2, Category::Riot);
        assert!(
            events(
                "Оппозиция призвала выйти на акцию протеста в Уфе в субботу.",
                published
            )
            .is_empty()
        );
        // where a protest began is where it happened
        let e = events(
            "Дүйсенбі күні Жаңаөзеннен басталған наразылық акциясы кезінде 14 адам қаза тапты.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, "Zhanaozen");
    }

    #[test]
    fn a_witness_quoted_retells_and_reinforcements_to_come_are_none() {
        let published = time::macros::date!(2026 - 10 - 14);
        let e = events(
            "Gunmen killed at least 17 people in an attack on Tuesday in the Artibonite \
             department. \"They went from house to house and set fire to everything,\" said \
             an official.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].2, Category::ViolenceAgainstCivilians);
        let e = events(
            "اعتقلت القوات الأمنية أمس أكثر من 20 شخصاً في الناصرية، وقال المحافظ إن تعزيزات \
             من قوات الرد السريع «ستصل خلال ساعات».",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].2, Category::Arrests);
        // a denial is no event
        assert!(events("The army denied its troops were involved.", published).is_empty());
        // where the displaced went is not where it happened
        let e = events(
            "هاجم مسلحون يوم الأحد قرية في ولاية شمال كردفان وقتلوا ثمانية مدنيين، ما دفع \
             أكثر من ٥ آلاف شخص إلى النزوح نحو ولاية النيل الأبيض.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, "North Kordofan");
    }

    #[test]
    fn plans_recollections_and_gunfire_beside_real_events() {
        let published = time::macros::date!(2026 - 05 - 12);
        for text in [
            "Thousands of people rallied in central Chisinau on Sunday, and opposition leaders \
             said they will hold another protest next week.",
            "Opposition supporters who had planned to march on parliament held a rally in \
             Chisinau on Sunday instead.",
            "Thousands rallied in Yerevan on Sunday, continuing protests that began in \
             mid-April.",
        ] {
            let e = events(text, published);
            assert_eq!(e.len(), 1, "{text}: {e:?}");
            assert_eq!(e[0].2, Category::Protest, "{text}");
        }
        // charged today for what was done last week: background
        assert!(
            events(
                "Almaty prosecutors on Monday charged 12 protesters arrested last week.",
                published
            )
            .is_empty()
        );
        // gunfire is no disaster that takes the next sentence's dead
        let e = events(
            "Gunmen attacked an army checkpoint near Kidal on Sunday. Soldiers returned fire. \
             Three attackers were killed, the army said.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        // a feature's word before "state" is no region ("Gulf" Province, Papua New Guinea)
        let e = events(
            "Police in the Gulf state of Kuwait arrested 20 protesters on Sunday.",
            published,
        );
        assert!(e.iter().all(|(p, _, _)| !p.contains("Gulf")), "{e:?}");
        // both ends of a route
        let e = events(
            "Residents fled from Wad Madani to Sennar on Sunday after RSF fighters stormed \
             the city.",
            published,
        );
        assert_eq!(e.len(), 2, "{e:?}");
    }

    #[test]
    fn ledes_localities_speakers_and_more_event_words() {
        let published = time::macros::date!(2026 - 08 - 18);
        // yesterday's riots are yesterday's
        let e = events(
            "Трое полицейских пострадали в ходе вчерашних беспорядков в Назрани.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].1.as_str(), e[0].2), ("2026-08-17", Category::Riot));
        // a lede naming only a region, with no day and no count, sums up what follows
        let e = events(
            "АҚТАУ. ҚазАқпарат – Маңғыстау облысында ауыз су тапшылығы ушығып барады. \
             Дүйсенбі күні Бейнеуде су тасушы көліктің кезегінде тұрғындар арасында төбелес \
             шығып, екі адам жарақат алды.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].0.as_str(), e[0].2), ("Beyneu", Category::Riot));
        // a town the gazetteer lacks, in a region: the region, not the story's town
        let e = events(
            "Кеше Талғар қаласында сел жүріп, бір адам қаза тапты. Бейсенбіге қараған түні \
             Алматы облысындағы Қаскелең қаласы жарықсыз қалды.",
            published,
        );
        assert!(
            e.iter()
                .any(|(p, _, c)| p == "Almaty Region" && *c == Category::Shortage),
            "{e:?}"
        );
        // who spoke after a quote is no event
        let e = events(
            "В пятницу в Малгобеке двое боевиков были убиты в перестрелке. «Люди неделю без \
             воды», — сказал один из участников акции.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        // an ambush is a clash
        let e = events(
            "On Monday, a soldier was killed when insurgents ambushed an army patrol near \
             Macomia.",
            published,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].2, Category::ArmedClash);
    }

    #[test]
    fn datelines_in_four_styles() {
        let end = |t: &str| {
            let c: Vec<char> = t.chars().collect();
            c[..dateline(&c)].iter().collect::<String>()
        };
        assert_eq!(
            end("NAIROBI, June 26 (Desk) - Soldiers"),
            "NAIROBI, June 26 (Desk) -"
        );
        assert_eq!(
            end("Астана, 20 қазан. «Дала».\nНаразылықтар"),
            "Астана, 20 қазан. «Дала»."
        );
        assert_eq!(
            end("АЛМАТЫ, 11 января. /«Вестник»/. Около восьми тысяч человек задержаны"),
            "АЛМАТЫ, 11 января. /«Вестник»/."
        );
        assert_eq!(
            end("УФА, 19 января. /Агидель-Пресс/. Число пострадавших выросло"),
            "УФА, 19 января. /Агидель-Пресс/."
        );
        assert_eq!(end("Алматы, 5 наурыз. Кеше түнде"), "Алматы, 5 наурыз.");
        // a headline or a first sentence is no dateline
        assert_eq!(end("В субботу 1,5 тыс. человек вышли на митинг"), "");
        assert_eq!(end("Sunday, 3 died in Aktobe. Police said"), "");
        assert_eq!(end("Пожар в Алматы — погибли трое (видео)\nТекст"), "");
        assert_eq!(
            end("ВЛАДИКАВКАЗ, 11 ноября — «Терек-Информ». Число погибших"),
            "ВЛАДИКАВКАЗ, 11 ноября — «Терек-Информ»."
        );
        assert_eq!(
            end("عمّان – «شبكة وادي الأردن»\nارتفعت حصيلة"),
            "عمّان – «شبكة وادي الأردن»"
        );
        assert_eq!(
            end("Soldiers patrolled the streets of Nairobi on Tuesday."),
            ""
        );
    }

    #[test]
    fn languages_by_their_letters() {
        assert_eq!(Lang::detect("قتل ١٠٣ أشخاص في ألما آتا"), Lang::Ar);
        assert_eq!(Lang::detect("В Алматы погибли 103 человека"), Lang::Ru);
        assert_eq!(Lang::detect("Алматыда 103 адам қаза тапты"), Lang::Kk);
        assert_eq!(Lang::detect("103 people were killed in Almaty"), Lang::En);
    }
}
