//! Finding places in running text (geoparsing), in any language.
//!
//! 1. The text is split into word tokens ([`tokens`]), each folded like gazetteer names;
//!    their code-point offsets are kept, so every mention slices back out of the original.
//! 2. At each token, runs of up to four tokens are looked up in the name index, longest first
//!    (leftmost-longest, so "Ust-Kamenogorsk" is one mention and no span is reported twice).
//!    Arabic proclitics (وأكتاو), Kazakh case endings, Russian stems and the English
//!    possessive are undone ([`morphology`], [`crate::gazetteer::stem`]); a generic word
//!    before or after ("منطقة كيزيلوردا", "Zhambyl region") joins the mention and says what
//!    kind of place is meant. Demonyms (الروسية, "Azerbaijani", казахстанских) are set aside
//!    and reported on their own.
//! 3. Each match is resolved alone, and the places that need no support (see [`evidence`])
//!    say where the document is: its focus countries.
//! 4. Each match is resolved again with the focus as a bias (Tripoli in a Libyan report), and
//!    weighed: a name that is also a frequent word needs support (a mid-sentence capital, a
//!    generic word, a preposition of place, a sure place it is listed with, the focus); a
//!    given name before a surname is a person; a direction is not a place. What is left is
//!    returned with a confidence that says both how sure the match is a place and how sure
//!    the place is the right one; those below the caller's threshold are dropped.

mod evidence;
mod morphology;
mod tokens;

use std::collections::HashMap;

use geo::{Distance, Haversine, Point};
use serde::Serialize;

use super::data::{Kind, flags};
use super::normalize::{compact, fold, is_arabic, strip_clitics};
use super::skeleton;
use super::stem::{self, is_cyrillic};
use super::{Candidates, Context, Gazetteer, GeocodeResult};
use evidence::{Evidence, expected_zipf, is_stop_word};
use morphology::{
    INFLECTED_WEIGHT, POSSESSIVES, PREFIX_GENERIC, RUSSIAN_ENDINGS, SUFFIX_GENERIC, generic,
    generic_with_clitic, kazakh_stems, suffix_generic,
};
use tokens::{Token, arabic_prefix_len, tokens};

/// Arabic words that begin names of places and are also ordinary words (أم 'or', Umm Qasr).
const ARABIC_NAME_HEADS: &[&str] = &[
    "ام", "ابو", "بني", "عين", "راس", "بئر", "تل", "دير", "كفر", "بيت", "جبل", "وادي", "سيدي",
];

/// Russian prepositions of place and direction (not "с" 'with', "по" 'according to').
const PLACE_PREPOSITIONS: &[&str] = &[
    "в",
    "во",
    "из",
    "от",
    "до",
    "под",
    "к",
    "ко",
    "у",
    "около",
    "близ",
    "возле",
    "вблизи",
    "через",
    "за",
];

/// Weight of a match by consonant skeleton: below a transliteration, since it knows no vowels.
const SKELETON_WEIGHT: f64 = 0.8;

/// Longest run of tokens looked up as one name.
const MAX_TOKENS: usize = 4;

/// Generic words that start a name of water or relief in lower case, in their case forms
/// (folded): "на реке Урал", "в озере Балхаш", "Каспийского моря" is the other order.
const LOWER_CASE_HEADS: &[&str] = &[
    "река",
    "реки",
    "реке",
    "реку",
    "рекои",
    "озеро",
    "озера",
    "озере",
    "озером",
    "водохранилище",
    "водохранилища",
    "водохранилищем",
    "залив",
    "залива",
    "заливе",
    "пролив",
    "пролива",
    "проливе",
    "перевал",
    "перевала",
    "перевале",
];

/// Mentions less sure than this are not returned unless the caller asks
/// (`min_confidence`). At 0.5 a frequent word with just enough support (belief 0.8) and a
/// plain match stays; a match on a name that is a frequent word with no support is never
/// returned at all.
pub const DEFAULT_MIN_CONFIDENCE: f64 = 0.5;

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

/// A demonym or nationality adjective (الروسية, "Azerbaijani", казахстанских): not a place
/// mention, but worth knowing about.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Demonym {
    pub text: String,
    /// Offsets in Unicode code points; `end` is exclusive.
    pub start: usize,
    pub end: usize,
    /// ISO 3166-1 alpha-2 code of the country it names the people or things of.
    pub country: String,
}

/// What a caller asks of a geoparse.
#[derive(Debug, Clone, Copy)]
pub struct GeoparseOptions {
    /// Most mentions to keep (all are counted).
    pub max_mentions: usize,
    /// Mentions with a lower confidence are left out (and not counted).
    pub min_confidence: f64,
}

impl Default for GeoparseOptions {
    fn default() -> Self {
        GeoparseOptions {
            max_mentions: usize::MAX,
            min_confidence: DEFAULT_MIN_CONFIDENCE,
        }
    }
}

/// The answer of a geoparse.
#[derive(Debug, Clone, Default)]
pub struct Geoparsed {
    pub mentions: Vec<Mention>,
    /// Mentions at or above the threshold, kept or not.
    pub found: usize,
    pub demonyms: Vec<Demonym>,
}

/// A dictionary match, before resolution.
struct Match {
    tokens: usize,
    /// Code points to skip at the start of the first token (an Arabic clitic).
    skip: usize,
    /// The Arabic proclitic undone (folded), if any.
    clitic: String,
    /// A case ending was undone (Украины, Алматыда, Kenya's).
    inflected: bool,
    cands: Candidates,
}

impl Match {
    fn plain(tokens: usize, cands: Candidates) -> Match {
        Match {
            tokens,
            skip: 0,
            clitic: String::new(),
            inflected: false,
            cands,
        }
    }

    fn inflected(tokens: usize, cands: Candidates) -> Match {
        Match {
            inflected: true,
            ..Match::plain(tokens, cands)
        }
    }
}

/// A mention before resolution.
struct Raw {
    /// First token of the mention (a generic word before the name included).
    first: usize,
    /// First and last token of the name itself.
    name_first: usize,
    name_last: usize,
    last: usize,
    skip: usize,
    clitic: String,
    inflected: bool,
    hint: Option<Kind>,
    cands: Candidates,
    /// Found by consonant skeleton ([`crate::gazetteer::skeleton`]), not by a name as written.
    skeleton: bool,
}

impl Gazetteer {
    /// Finds the places a text mentions, at the default confidence threshold.
    pub fn geoparse(&self, text: &str) -> Vec<Mention> {
        self.geoparse_with(text, &GeoparseOptions::default())
            .mentions
    }

    /// Finds the places a text mentions, keeping the first `max`; also says how many there
    /// are in all.
    pub fn geoparse_at_most(&self, text: &str, max: usize) -> (Vec<Mention>, usize) {
        let g = self.geoparse_with(
            text,
            &GeoparseOptions {
                max_mentions: max,
                ..Default::default()
            },
        );
        (g.mentions, g.found)
    }

    /// Finds the places and demonyms a text mentions. Only the first `max_mentions` mentions
    /// are built into the answer; the rest are counted. (The working state holds one match
    /// per candidate mention, so memory grows with the text, which callers bound.)
    pub fn geoparse_with(&self, text: &str, opts: &GeoparseOptions) -> Geoparsed {
        let toks = tokens(text);
        let (raws, demonyms) = self.find_mentions(&toks);
        let demonym_tokens: Vec<usize> = demonyms.iter().map(|d| d.0).collect();
        let demonyms: Vec<Demonym> = demonyms
            .into_iter()
            .map(|(i, skip, country)| {
                let t = &toks[i];
                let skip_bytes: usize = t.raw.chars().take(skip).map(char::len_utf8).sum();
                Demonym {
                    text: t.raw[skip_bytes..].to_string(),
                    start: t.start + skip,
                    end: t.end,
                    country,
                }
            })
            .collect();

        // Pass 1: each mention alone; the ones that need no document context say where the
        // document is.
        let mut first_guess: Vec<Option<GeocodeResult>> = Vec::with_capacity(raws.len());
        let mut person = Vec::with_capacity(raws.len());
        // a person, or nothing but direction words: never a place, whatever the focus
        let mut not_place = Vec::with_capacity(raws.len());
        let mut sure = Vec::with_capacity(raws.len());
        for (k, r) in raws.iter().enumerate() {
            let best = self
                .rank(r.cands.clone(), &self.context(r.hint, None), 1)
                .into_iter()
                .next();
            let after_person = k > 0 && person[k - 1] && raws[k - 1].last + 1 == r.first;
            let is_person = self.is_person(&toks, &raws, k, after_person);
            let ev = best
                .as_ref()
                .map(|b| self.evidence(&toks, r, b, &[]))
                .unwrap_or_default();
            let never = is_person
                || is_direction_run(&toks, r)
                || is_street_name(&toks, r)
                || is_idiom(&toks, r)
                || (names_a_school(&toks, r) && self.may_be_area(r));
            // (a district read as its town says little about the story's country: "Аксуском
            // районе" may meet a town of that name abroad)
            let district = names_a_district(&toks, r);
            sure.push(best.is_some() && !never && !district && ev.support() >= ev.needed());
            person.push(is_person);
            not_place.push(never);
            first_guess.push(best);
        }
        let mut weight: HashMap<&str, f64> = HashMap::new();
        for (b, _) in first_guess.iter().zip(&sure).filter(|(_, s)| **s) {
            let b = b.as_ref().expect("sure mentions are resolved");
            let w = match b.kind {
                Kind::Country => 2.0,
                Kind::Region | Kind::District => 1.5,
                Kind::City => 1.0,
                // seas and rivers are shared: they say little about which country
                Kind::Water => 0.0,
            } * b.confidence;
            *weight.entry(self.country_code(b.id)).or_default() += w;
        }
        let total: f64 = weight.values().sum();
        let primary = weight
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
            .filter(|(_, w)| **w >= 0.3 * total)
            .map(|(c, _)| c.to_string());
        // Every country with a good share of the document is in focus (a report on the
        // Armenia–Azerbaijan border is about both).
        let focus: Vec<String> = weight
            .iter()
            .filter(|(_, w)| **w >= 0.2 * total)
            .map(|(c, _)| c.to_string())
            .collect();

        // Where in its countries the story is: the box around its sure towns, a degree wider
        // each way. A name of two places resolves toward the one there (Susa next to Derna, not
        // Sousse in Tunisia).
        let area = {
            // (a name that is also a town elsewhere says nothing about where)
            let one_country = |r: &Raw| {
                let mut countries = r.cands.0.keys().map(|&p| &self.places[p as usize].country);
                let first = countries.next();
                countries.all(|c| Some(c) == first)
            };
            let towns: Vec<(f64, f64)> = first_guess
                .iter()
                .zip(&sure)
                .zip(&raws)
                .filter_map(|((b, s), r)| b.as_ref().filter(|_| *s && one_country(r)))
                .filter(|b| b.kind == Kind::City && focus.contains(&b.country))
                .map(|b| (b.lon, b.lat))
                .collect();
            let (w, e) = towns
                .iter()
                .fold((f64::MAX, f64::MIN), |(w, e), t| (w.min(t.0), e.max(t.0)));
            let (so, n) = towns
                .iter()
                .fold((f64::MAX, f64::MIN), |(s, n), t| (s.min(t.1), n.max(t.1)));
            (!towns.is_empty())
                .then(|| {
                    crate::bbox::Bbox::new(
                        (w - 1.0).max(-180.0),
                        (so - 1.0).max(-90.0),
                        (e + 1.0).min(180.0),
                        (n + 1.0).min(90.0),
                    )
                    .ok()
                })
                .flatten()
        };

        // Names the gazetteer has no Arabic form of, met by their Latin one, in the countries
        // the document is about. Found only now because they need the focus.
        let doubtful: Vec<bool> = (0..raws.len())
            .map(|k| {
                !sure[k]
                    && first_guess[k]
                        .as_ref()
                        .is_none_or(|b| !focus.contains(&b.country))
            })
            .collect();
        let extra = self.skeleton_mentions(&toks, &raws, &doubtful, &demonym_tokens, &focus);
        let (raws, first_guess, not_place, sure) = if extra.is_empty() {
            (raws, first_guess, not_place, sure)
        } else {
            // (a doubtful match inside a longer skeleton match gives way: قصر in أم قصر)
            let inside = |r: &Raw| extra.iter().any(|e| e.first <= r.first && r.last <= e.last);
            let mut all: Vec<_> = raws
                .into_iter()
                .zip(first_guess)
                .zip(person.into_iter().zip(not_place).zip(sure))
                .map(|((r, b), ((p, n), s))| (r, b, p, n, s))
                .filter(|e| !inside(&e.0))
                .collect();
            all.extend(extra.into_iter().map(|r| {
                let ctx = self.context(r.hint, primary.as_deref());
                let best = self.rank(r.cands.clone(), &ctx, 1).into_iter().next();
                (r, best, false, false, false)
            }));
            all.sort_by_key(|e| e.0.first);
            let mut raws = Vec::with_capacity(all.len());
            let (mut fg, mut pe, mut np, mut su) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for (r, b, p, n, s) in all {
                raws.push(r);
                fg.push(b);
                pe.push(p);
                np.push(n);
                su.push(s);
            }
            for k in 0..raws.len() {
                if raws[k].skeleton {
                    let after_person = k > 0 && pe[k - 1] && raws[k - 1].last + 1 == raws[k].first;
                    pe[k] = self.is_person(&toks, &raws, k, after_person);
                    np[k] = pe[k]
                        || is_direction_run(&toks, &raws[k])
                        || is_street_name(&toks, &raws[k]);
                }
            }
            (raws, fg, np, su)
        };

        // The Arabic words the text writes with the article, as they are without it.
        let with_article: rustc_hash::FxHashSet<&str> = toks
            .iter()
            .filter(|t| is_arabic(&t.folded))
            .filter_map(|t| {
                ["وال", "فال", "بال", "كال", "وبال", "ال", "لل", "ولل"]
                    .iter()
                    .filter_map(|a| t.folded.strip_prefix(a))
                    .find(|rest| rest.chars().count() >= 3)
            })
            .collect();

        // Where the story's sure places are (seas and rivers aside: they are shared).
        let anchors: Vec<(usize, f64, f64)> = first_guess
            .iter()
            .zip(&sure)
            .enumerate()
            .filter_map(|(j, (b, s))| {
                b.as_ref()
                    .filter(|b| *s && b.kind != Kind::Water)
                    .map(|b| (j, b))
            })
            .map(|(j, b)| (j, b.lon, b.lat))
            .collect();

        // Pass 2: with the focus as a bias, then weighed.
        let mut out = Vec::new();
        let mut found = 0;
        for (k, r) in raws.iter().enumerate() {
            // The first part of a hyphenated name whose second part is no place
            // ("Pan-American Highway", "Кызыл-Жылдыз"): not a place of its own.
            // (a second part that is an ordinary word: "Kabul-Torkham highway",
            // "Russia-NATO council" keep their places)
            let hyphen_head = toks.get(r.last + 1).is_some_and(|t| {
                t.after_hyphen
                    && t.cased
                    && t.capital
                    && toks[r.name_last].cased
                    && (self.words.zipf(&t.folded) >= 3.0 || self.demonym_at(t).is_some())
            }) && raws.get(k + 1).is_none_or(|o| o.first != r.last + 1);
            if first_guess[k].is_none() || not_place[k] || is_fragment(&toks, r) || hyphen_head {
                continue;
            }
            let mut ctx = self.context(r.hint, primary.as_deref());
            ctx.bbox = area;
            let Some(mut place) = self.rank(r.cands.clone(), &ctx, 1).into_iter().next() else {
                continue;
            };
            // Listed with a sure place, or with another name of the same country: two
            // ordinary words rarely both read as places of one country.
            // (a skeleton match supports nothing: it needs support itself)
            let country_of = |j: usize| {
                first_guess[j]
                    .as_ref()
                    .filter(|_| !not_place[j] && !raws[j].skeleton)
                    .map(|b| b.country.as_str())
            };
            let supports =
                |j: usize| sure[j] || (country_of(j).is_some() && country_of(j) == country_of(k));
            let listed = listed_with(&toks, &raws, supports, k);
            let mut ev = self.evidence(&toks, r, &place, &focus);
            ev.listed = listed;
            // One sense per document: a word the text also writes with the article (ضحايا
            // السيول 'the floods' … في سيول مماثلة) is its ordinary word there too.
            // (a frequent word only: a rarer name is written both ways as the same place)
            if !ev.article_added
                && ev.commonness >= 3.0
                && r.name_first == r.name_last
                && let Some(bare) = toks[r.name_first].folded.get(r.clitic.len()..)
                && with_article.contains(bare)
            {
                ev.article_elsewhere = true;
            }
            if !self.plausible(&toks, &place, r, &focus, &ev) {
                continue;
            }
            // Arabic has no capitals: a one-word name far from everything else the story
            // names, with nothing in the text saying a place is meant, is more often a word
            // (أفران 'ovens', as Ifrane in Morocco) or a namesake (شتورة in the Bekaa, as
            // Štore in Slovenia) than a place the story travels to — unless it is a place
            // anyone names bare (a country, a capital, a city of half a million). A town
            // across the border (يبرود in Syria, in a report from Hermel) is near.
            let name_tok = &toks[r.name_first];
            let bare = r.name_first == r.name_last
                && !name_tok.cased
                && r.hint.is_none()
                && !(ev.cue || ev.generic || ev.listed);
            // (the other places: a word may be "sure" of itself)
            let mut others = anchors.iter().filter(|a| a.0 != k).peekable();
            if bare
                && !self.named_bare(&place)
                && others.peek().is_some()
                && others.all(|&(_, lon, lat)| {
                    Haversine.distance(Point::new(lon, lat), Point::new(place.lon, place.lat))
                        > FAR_FROM_THE_STORY_M
                })
            {
                continue;
            }
            // A skeleton is shared by many words: the text must say a place is meant.
            // (ل 'for, to' is too weak a cue here: للاشتباه 'on suspicion' shares its
            // consonants with a town)
            let only_lam = ev.cue
                && r.clitic.ends_with('ل')
                && !r.clitic.ends_with("ال")
                && !r
                    .first
                    .checked_sub(1)
                    .is_some_and(|i| evidence::is_cue(&toks[i].folded));
            if r.skeleton
                && !(ev.in_focus
                    && ev.commonness < 3.0
                    && (ev.cue && !only_lam || ev.generic || ev.listed))
            {
                continue;
            }
            // "Балқаш ауданы", "Олекминский район": a district, which the gazetteer does not
            // hold, read as the town it is named after: often its seat, sometimes 200 km away.
            // Kept (the story is there or near), but not as sure.
            let district_as_town = names_a_district(&toks, r) && place.kind != Kind::District;
            // ...and a district read as a place abroad ("Май ауданы", Mai district of
            // Pavlodar, as Maio in Cape Verde; "Ак-Талинского района" in Kyrgyzstan as Talin
            // in Armenia) is a district the gazetteer lacks, not that place: a district is
            // named with its country in the story.
            if district_as_town && !focus.is_empty() && !ev.in_focus {
                continue;
            }
            let confidence =
                place.confidence * ev.belief() * if district_as_town { 0.85 } else { 1.0 };
            if confidence <= 0.0 || confidence < opts.min_confidence {
                continue;
            }
            place.confidence = (confidence * 1000.0).round() / 1000.0;
            found += 1;
            if out.len() >= opts.max_mentions {
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
        Geoparsed {
            mentions: out,
            found,
            demonyms,
        }
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

    /// What supports reading a match as the place it resolved to.
    fn evidence(
        &self,
        toks: &[Token<'_>],
        r: &Raw,
        place: &GeocodeResult,
        focus: &[String],
    ) -> Evidence {
        let name = &toks[r.name_first..=r.name_last];
        // How common the words of the name are: a name of several words is ordinary language
        // only if each of its words is.
        let commonness = name
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut z = self.words.zipf(&t.folded);
                if i == 0 && is_arabic(&t.folded) {
                    for s in strip_clitics(&t.folded) {
                        z = z.max(self.words.zipf(s));
                    }
                }
                z
            })
            .fold(f32::INFINITY, f32::min);
        // What the most prominent place of this name would explain: الخرطوم is as frequent
        // as the capital of Sudan makes it, whichever Khartoum this mention turns out to be.
        let expected = r
            .cands
            .0
            .keys()
            .map(|&i| {
                let p = &self.places[i as usize];
                expected_zipf(
                    p.kind,
                    p.population.max(p.towns_population),
                    p.feature_code == "PPLC",
                )
            })
            .fold(f32::NEG_INFINITY, f32::max);
        let before = r.first.checked_sub(1).map(|i| &toks[i]);
        // In Kazakh a case ending does what a preposition does elsewhere ("Бақанаста", in
        // Bakanas): a sentence's first word in the locative is as placed as "In Bakanas".
        // Kazakh, not Russian ("Бишкеке"): some word nearby has a letter Russian lacks.
        let kazakh_case = r.inflected
            && is_cyrillic(&toks[r.name_last].folded)
            && morphology::kazakh_spatial(&toks[r.name_last].folded)
            && toks[r.first.saturating_sub(4)..(r.last + 5).min(toks.len())]
                .iter()
                .any(|t| morphology::has_kazakh_letter(&t.folded));
        // (a proclitic "in, to" on a frequent word is as often its ordinary use: بالعبور 'to
        // cross', not "in Al-'Ubur")
        let common_word = Evidence {
            commonness,
            expected,
            ..Default::default()
        }
        .excess()
            >= 0.5;
        let cue = before.is_some_and(|t| evidence::is_cue(&t.folded))
            || (!r.clitic.is_empty() && evidence::is_cue_clitic(&r.clitic) && !common_word)
            || kazakh_case
            || tokens::opens_dateline(toks, r.first, r.last);
        // "Interior Ministry", "Justice Department": a capitalized word that qualifies an
        // institution is no sign of a place name.
        let institution_after = toks.get(r.last + 1).is_some_and(|t| {
            t.capital && only_space(toks, r.last, r.last + 1) && evidence::is_institution(&t.folded)
        });
        Evidence {
            commonness,
            expected,
            capital: name[0].capital_says_name() && !institution_after,
            generic: r.hint.is_some(),
            cue,
            in_focus: focus.contains(&place.country),
            listed: false,
            // (only when the word with the article is an ordinary word: المتلوي is no word
            // of Arabic, only Metlaoui as news writes it)
            article_added: (r.clitic.ends_with("ال") || r.clitic.ends_with("لل"))
                && name[0]
                    .folded
                    .get(r.clitic.len()..)
                    .is_some_and(|bare| self.words.zipf(&format!("ال{bare}")) >= 3.0),
            article_elsewhere: false,
            // كريم (Karim) is more often the word itself than ك + ريم (like Rome)
            ordinary_whole: !r.clitic.is_empty()
                && r.name_first == r.name_last
                && is_arabic(&name[0].folded)
                && self.words.zipf(&name[0].folded)
                    > strip_clitics(&name[0].folded)
                        .iter()
                        .map(|s| self.words.zipf(s))
                        .fold(0.0, f32::max)
                && self.words.zipf(&name[0].folded) >= 3.0,
            glued: self.glued(toks, r, place),
        }
    }

    /// Whether a mention is glued to a word that may make it part of another name (see
    /// [`Evidence::glued`]).
    fn glued(&self, toks: &[Token<'_>], r: &Raw, place: &GeocodeResult) -> bool {
        let name = &toks[r.name_first];
        let before =
            (r.first > 0 && r.first == r.name_first && only_space(toks, r.first - 1, r.first))
                .then(|| &toks[r.first - 1]);
        let capital_before = name.cased
            && before.is_some_and(|b| {
                b.capital
                    && b.sentence_start
                    && !is_stop_word(&b.folded)
                    && !evidence::is_cue(&b.folded)
            });
        let after = toks
            .get(r.last + 1)
            .filter(|_| r.last + 1 < toks.len() && only_space(toks, r.last, r.last + 1));
        let adjective_after = place.kind == Kind::Country
            && is_arabic(&name.folded)
            && after.is_some_and(|a| {
                a.folded.starts_with("ال")
                    && !is_stop_word(&a.folded)
                    && self.words.demonym(&a.folded).is_none()
            });
        capital_before || adjective_after
    }

    /// A given name before a surname, a surname after a given name, a name after a title,
    /// or part of an organisation's name: a person or a body, not a place (Vladimir Putin,
    /// Jordan Matthews, Lyudmila Ivanova, الرئيس نور سلطان نزارباييف, Air Astana,
    /// Интерфакс-Казахстан, «Алматы» телеарнасы, قناة الجزيرة).
    fn is_person(&self, toks: &[Token<'_>], raws: &[Raw], k: usize, after_person: bool) -> bool {
        let r = &raws[k];
        let name = &toks[r.name_first];
        // Mentions are in text order and never overlap: the ones touching this one are its
        // neighbours in the list.
        let prev = k.checked_sub(1).map(|j| &raws[j]);
        let next_raw = raws.get(k + 1);
        // A surname after a given name that was itself a place name (Victoria Ivanova).
        if after_person
            && name.cased
            && name.capital
            && r.first > 0
            && only_space(toks, r.first - 1, r.first)
        {
            return true;
        }
        if toks[r.name_first..=r.name_last].iter().all(|t| t.quoted) {
            return true;
        }
        if r.first > 0 && r.first == r.name_first {
            let before = &toks[r.first - 1];
            let joined = only_space(toks, r.first - 1, r.first) || name.after_hyphen;
            // (a country or region right before is a place of its own: "Kazakhstan Almaty")
            let outside_any = !prev.is_some_and(|o| o.last + 1 == r.first && self.may_be_area(o));
            // "President Nursultan Nazarbayev", but "Президент Украины" (of Ukraine).
            if joined && r.clitic.is_empty() && !r.inflected && evidence::is_title(&before.folded) {
                return true;
            }
            if joined && is_arabic(&before.folded) && evidence::is_organisation_head(&before.folded)
            {
                return true;
            }
            // A capitalized word right before that is no place and no part of one. (An
            // inflected name too, when it is shaped like a surname and takes the case of the
            // word before: "председателя … Игоря Бикина" is a man, not Bikin.)
            let surname_in_case = r.inflected
                && stem::looks_like_surname(&name.folded)
                && same_case_ending(&before.folded, &name.folded);
            if joined
                && outside_any
                && (!r.inflected || surname_in_case)
                && name.cased
                && before.capital_says_name()
                && is_cyrillic(&before.folded) == is_cyrillic(&name.folded)
                && !evidence::is_name_part_before(&before.folded)
                && !is_stop_word_except_state(&before.folded)
            {
                return true;
            }
        }
        // Given names are one word in cased scripts; a name of several ("Жамбыл облысының",
        // "Nur-Sultan") or with a generic word after it ("Zhambyl region") is not one. Arabic
        // writes some as two (نور سلطان).
        if r.last != r.name_last || (name.cased && r.name_first != r.name_last) {
            return false;
        }
        let Some(next) = toks.get(r.last + 1) else {
            return false;
        };
        if !only_space(toks, r.last, r.last + 1)
            || next_raw.is_some_and(|o| o.first == r.last + 1 && self.may_be_area(o))
            || is_stop_word(&next.folded)
            || evidence::is_facility(&next.folded)
            || generic(&next.folded, SUFFIX_GENERIC).is_some()
        {
            return false;
        }
        if name.cased {
            // A capitalized word right after, in the same script, outside a headline. Not
            // after an inflected country or region: "Президент Узбекистана Шавкат
            // Мирзиёев" (of Uzbekistan).
            // An inflected name is a given name only when the next word takes the same case
            // (Нурсултану Назарбаеву), not when a genitive or locative complements it
            // (Президент Узбекистана Шавкат Мирзиёев, Атыраудағы Теңіз кен орны).
            // A country or region in Cyrillic is a given name only before a surname: names
            // of ministries and bodies follow it capitalized (Қазақстан Сыртқы істер
            // министрлігі). The surname may be inflected (Абай Құнанбайұлының).
            let area_not_before_surname = is_cyrillic(&name.folded)
                && self.may_be_area(r)
                && !stem::looks_like_surname(&next.folded)
                && !kazakh_stems(&next.folded).any(stem::looks_like_surname);
            // A word that met a name only by its stem, before a surname and after no
            // preposition, is a given name in its own right: "Сергей Меликов" (not Серго,
            // Kadiyivka), "Радий Хабиров" (not Radom); "в Астане Токаев" stays a place.
            // (a given name before a surname is in the nominative, as Сергей and Радий are;
            // "мэр Москвы Собянин", "глава Чечни Кадыров" are a place in the genitive)
            // (the word as written: folding makes the й of Радий an и)
            let nominative_like = !name.raw.chars().next_back().is_some_and(|c| {
                c.to_lowercase()
                    .any(|l| matches!(l, 'а' | 'я' | 'ы' | 'и' | 'е' | 'у' | 'ю' | 'о' | 'ё'))
            });
            let given_by_stem = r.inflected
                && nominative_like
                && stem::looks_like_surname(&next.folded)
                && !r
                    .first
                    .checked_sub(1)
                    .is_some_and(|i| evidence::is_cue(&toks[i].folded))
                && !morphology::kazakh_spatial(&name.folded);
            (!r.inflected || same_ending(&name.folded, &next.folded) || given_by_stem)
                && !area_not_before_surname
                && name.capital
                && !name.title_case
                && next.cased
                && next.capital
                && is_cyrillic(&next.folded) == is_cyrillic(&name.folded)
        } else {
            is_arabic(&name.folded) && evidence::looks_like_arabic_surname(&next.folded)
        }
    }

    /// Whether a match may name a country or region (rather than only towns).
    fn may_be_area(&self, r: &Raw) -> bool {
        r.cands.0.keys().any(|&p| {
            matches!(
                self.places[p as usize].kind,
                Kind::Country | Kind::Region | Kind::Water
            )
        })
    }

    /// Whether a place is one anyone names bare, with nothing around it: a country, a
    /// capital, a city of half a million.
    fn named_bare(&self, place: &GeocodeResult) -> bool {
        place.kind == Kind::Country
            || place.population >= 500_000
            || self
                .place(place.id)
                .is_some_and(|p| p.feature_code == "PPLC")
    }

    /// Whether a resolved mention is believable as a place rather than a word.
    fn plausible(
        &self,
        toks: &[Token<'_>],
        place: &GeocodeResult,
        r: &Raw,
        focus: &[String],
        ev: &Evidence,
    ) -> bool {
        if place.confidence < 0.5 {
            return false;
        }
        let single_word = r.name_first == r.name_last;
        let name = &toks[r.name_first];
        // A capitalized word where every word is capitalized (a sentence's first, a
        // headline's) may be any word: unless it is a country, it needs support — the story
        // being there, a generic word, a preposition, a list. This is what guards languages
        // without a frequency list (Kazakh "Биыл" 'this year').
        let prominent = self.named_bare(place);
        if single_word
            && name.cased
            && !name.capital_says_name()
            && !prominent
            && !(ev.in_focus || ev.generic || ev.cue || ev.listed)
        {
            return false;
        }
        if !single_word || place.kind != Kind::City || r.hint.is_some() {
            return true;
        }
        // A one-word match on an obscure place far from the story is more likely a word or
        // a name — unless it is written like a name and the story is in its country.
        // Arabic has no capitals: there a name that is no word at all stands for one.
        let written_as_name = ev.capital || (!name.cased && ev.commonness < 3.0);
        place.population >= 50_000
            || (ev.in_focus && (written_as_name || ev.cue || ev.listed))
            || focus.is_empty() && ev.capital && ev.cue
    }

    /// Pass over the tokens: leftmost-longest dictionary matches, and demonyms.
    fn find_mentions(&self, toks: &[Token<'_>]) -> (Vec<Raw>, Vec<(usize, usize, String)>) {
        let mut out = Vec::new();
        let mut demonyms = Vec::new();
        let mut key = String::new();
        let mut i = 0;
        while i < toks.len() {
            // A generic word before a name ("منطقة كيزيلوردا") joins the mention.
            let prefix =
                generic_with_clitic(&toks[i].folded, PREFIX_GENERIC).filter(|_| i + 1 < toks.len());
            let at = if prefix.is_some() { i + 1 } else { i };
            let found = self.match_at(toks, at, &mut key);
            // A demonym is not a place, unless a longer name starts with it (Russian
            // Federation) or it is also a country's name (السعودية is Saudi Arabia as often
            // as it is "Saudi").
            let names_a_country = found
                .as_ref()
                .is_some_and(|m| self.is_country_name(m, &toks[at]));
            if prefix.is_none() && !names_a_country && found.as_ref().is_none_or(|m| m.tokens == 1)
            {
                if let Some((skip, country)) = self.demonym_at(&toks[i]) {
                    demonyms.push((i, skip, country));
                    i += 1;
                    continue;
                }
            }
            match found {
                Some(m) => {
                    let name_last = at + m.tokens - 1;
                    let mut last = name_last;
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
                        name_first: at,
                        name_last,
                        last,
                        skip: if prefix.is_some() { 0 } else { m.skip },
                        clitic: if prefix.is_some() {
                            String::new()
                        } else {
                            m.clitic
                        },
                        inflected: m.inflected,
                        hint,
                        cands: m.cands,
                        skeleton: false,
                    });
                    i = last + 1;
                }
                None => i += 1,
            }
        }
        (out, demonyms)
    }

    /// Whether a one-word match is a country's own name in the languages of our reports
    /// (not a name in another language, nor a long form with its generic word dropped:
    /// "Italian Republic" → "Italian").
    fn is_country_name(&self, m: &Match, t: &Token<'_>) -> bool {
        m.cands.0.values().any(|c| {
            let rec = &self.names[c.name as usize];
            self.places[c.place as usize].kind == Kind::Country
                && matches!(&*rec.lang, "" | "en" | "ar" | "ru" | "kk")
                && t.folded.ends_with(&compact(&fold(&rec.text)))
        })
    }

    /// A demonym at this token: (code points of an Arabic clitic to skip, country).
    fn demonym_at(&self, t: &Token<'_>) -> Option<(usize, String)> {
        if let Some(c) = self.words.demonym(&t.folded) {
            return Some((0, c.to_string()));
        }
        if is_arabic(&t.folded) {
            for s in strip_clitics(&t.folded) {
                if let Some(c) = self.words.demonym(s) {
                    let clitic = t.folded.chars().count() - s.chars().count();
                    return Some((arabic_prefix_len(t.raw, clitic), c.to_string()));
                }
            }
        }
        None
    }

    /// The longest run of tokens from `at` that names a place: (tokens, clitic code points to
    /// skip, candidates).
    fn match_at(&self, toks: &[Token<'_>], at: usize, key: &mut String) -> Option<Match> {
        let first = toks.get(at)?;
        if !self.worth_looking_up(first) {
            return None;
        }
        // Names in cased scripts are capitalized in running text — but Russian writes the
        // generic word of a river's, lake's or sea's name in lower case ("на реке Урал",
        // "озеро Балхаш"), and the gazetteer holds the name with it.
        // (and the generic word alone is no name: "озере" is not Ozyory)
        let lower_head = first.cased && !first.capital;
        if lower_head
            && !(LOWER_CASE_HEADS.contains(&first.folded.as_str())
                && toks.get(at + 1).is_some_and(|t| t.capital && t.after_space))
        {
            return None;
        }
        let arabic = is_arabic(&first.folded);
        let stems: Vec<&str> = if arabic {
            strip_clitics(&first.folded)
        } else {
            Vec::new()
        };
        let cyrillic_first = is_cyrillic(&first.folded);
        // Two-letter names (Ош, Шу) only where a capital mid-sentence says it is a name.
        // (or where a generic word follows: "Шу қаласы")
        let generic_next = toks
            .get(at + 1)
            .is_some_and(|t| suffix_generic(&t.folded).is_some());
        let min_key = if cyrillic_first && (first.capital_says_name() || generic_next) {
            2
        } else {
            3
        };
        let first_stem = cyrillic_first.then(|| stem::russian_word(first.raw));
        // Runs of several tokens only where some name of several words starts this way.
        let multi = self.index.starts_a_name(&first.folded)
            || stems.iter().any(|s| self.index.starts_a_name(s))
            || first_stem
                .as_deref()
                .is_some_and(|s| self.index.starts_a_stemmed_name(s));
        let max = if multi {
            MAX_TOKENS.min(toks.len() - at)
        } else {
            1
        };
        let mut cands = Candidates::default();
        for n in (1 + usize::from(lower_head)..=max).rev() {
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
            // "Peru's" is Peru's, not a place spelt "Perus": a possessive is read without its
            // ending (below), never as written.
            let possessive_end = !is_cyrillic(&run[n - 1].folded)
                && POSSESSIVES.iter().any(|p| run[n - 1].raw.ends_with(p));
            if !possessive_end {
                key.clear();
                key.push_str(&first.folded);
                rest(key);
                if key.chars().count() >= min_key {
                    self.exact_candidates(key, 1.0, None, &mut cands);
                    if !cands.0.is_empty() {
                        // Sources write the article on some names and not on others:
                        // الخرطوم is the state's name in one list and خرطوم the city's in
                        // another. When the article names only an area, both readings
                        // compete, so the city named plainly can win.
                        if arabic
                            && first.folded.starts_with("ال")
                            && cands.0.keys().all(|&p| {
                                matches!(
                                    self.places[p as usize].kind,
                                    Kind::Region | Kind::District
                                )
                            })
                        {
                            key.clear();
                            key.push_str(&first.folded["ال".len()..]);
                            rest(key);
                            if key.chars().count() >= 3 {
                                self.exact_candidates(key, 0.97, None, &mut cands);
                            }
                        }
                        return Some(Match::plain(n, cands));
                    }
                }
            }
            // Each reading without proclitics may name something (وباريس: و+باريس Paris, or
            // وب+اريس Arys): the one whose best place is the most prominent wins.
            let mut best: Option<(f64, &str, Candidates)> = None;
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
                let mut found = Candidates::default();
                self.exact_candidates(key, 0.97, None, &mut found);
                let top = found
                    .0
                    .values()
                    .map(|c| super::rank::base_score(c.weight, &self.places[c.place as usize]))
                    .fold(f64::NEG_INFINITY, f64::max);
                if !found.0.is_empty() && best.as_ref().is_none_or(|b| top > b.0) {
                    best = Some((top, stem, found));
                }
            }
            if let Some((_, stem, found)) = best {
                let clitic = first.folded.chars().count() - stem.chars().count();
                return Some(Match {
                    tokens: n,
                    skip: arabic_prefix_len(first.raw, clitic),
                    clitic: first.folded.chars().take(clitic).collect(),
                    inflected: false,
                    cands: found,
                });
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
                .filter_map(|(ending, nom)| last.strip_suffix(ending).map(|s| (s, *nom)))
                // The neuter names (Витязево, Пушкино) decline as surnames in -ов, -ин do:
                // only after a preposition of place ("от Витязева", not "Медведеву
                // доложили", "сторонников Смирнова"); and they are long ("Бе" is not Bo).
                .filter(|(s, nom)| {
                    *nom != "о"
                        || s.chars().count() >= 4
                            && at.checked_sub(1).is_some_and(|j| {
                                PLACE_PREPOSITIONS.contains(&toks[j].folded.as_str())
                            })
                });
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
            // Arabic writes a foreign name's final -a with alif or with ta marbuta (هرجيسا,
            // هرجيسة; أسمرا, أسمرة): either spelling is read as the other. Not a word that
            // ends in the pronoun ه ("his": أنفه, مالكه — folding makes ة and ه one letter,
            // the text does not), nor an ordinary word (عاليا 'high' is not Aley).
            let raw_last = run[n - 1]
                .raw
                .chars()
                .rev()
                .find(|c| !('\u{064B}'..='\u{0652}').contains(c) && *c != '\u{0640}');
            let arabic_final = (is_arabic(last)
                && last.chars().count() >= 4
                && matches!(raw_last, Some('ا' | 'ة'))
                && self.words.zipf(last) < 3.0)
                .then(|| {
                    last.strip_suffix('ا')
                        .map(|s| (s, "ه"))
                        .or_else(|| last.strip_suffix('ه').map(|s| (s, "ا")))
                })
                .flatten();
            let readings = russian.chain(kazakh).chain(english).chain(arabic_final);
            for (stem, nominative) in readings {
                key.clear();
                for t in &run[..n - 1] {
                    key.push_str(&t.folded);
                }
                key.push_str(stem);
                key.push_str(nominative);
                if key.chars().count() < min_key {
                    continue;
                }
                self.exact_candidates(key, INFLECTED_WEIGHT, None, &mut cands);
                // Two letters left by an ending are a name (в Оше), never an abbreviation
                // ("Ока" is no inflection of ОК, the United Kingdom).
                if key.chars().count() < 3 {
                    cands.0.retain(|_, c| {
                        self.names[c.name as usize].flags & (flags::SHORT | flags::ABBR) == 0
                    });
                }
                if !cands.0.is_empty() {
                    return Some(Match::inflected(n, cands));
                }
            }
            // Russian: the run's Snowball stems against the stems of Cyrillic names
            // (Мангистауской области, Оше, Баткена).
            // A word that is its own stem had no ending to undo ("Александр" is no form of
            // "Александрия").
            // Nor is a surname a form of a town (Галиев → Гали).
            if let Some(fs) = first_stem.as_ref() {
                let last_stem = if n == 1 {
                    fs.clone()
                } else {
                    stem::russian_word(run[n - 1].raw)
                };
                let last_has_ending = run[n - 1].folded != last_stem
                    && !stem::lost_a_past_tense(&run[n - 1].folded, &last_stem)
                    && !stem::looks_like_surname(&run[n - 1].folded);
                // (or a lower-case generic word before the name is inflected: "в озере Балхаш")
                let head_has_ending = lower_head && n > 1 && first.folded != *fs;
                if (last_has_ending || head_has_ending)
                    && run[1..].iter().all(|t| is_cyrillic(&t.folded))
                {
                    key.clear();
                    key.push_str(fs);
                    for t in &run[1..] {
                        key.push_str(&stem::russian_word(t.raw));
                    }
                    if key.chars().count() >= 2 {
                        self.stemmed_candidates(key, INFLECTED_WEIGHT, &mut cands);
                        if !cands.0.is_empty() {
                            return Some(Match::inflected(n, cands));
                        }
                    }
                }
                // A district or region named by the adjective of its town ("в Баймакском
                // районе", "Уфимского района"): the town's stem without the suffix -ск-
                // (and the -им-/-ин- some towns take before it: Уфа, Уфимский).
                if n == 1
                    && last_has_ending
                    && !first.after_hyphen
                    && generic_next
                    && let Some(base) = fs.strip_suffix("ск")
                {
                    let shorter = ["им", "ин"]
                        .iter()
                        .filter_map(|infix| base.strip_suffix(infix));
                    for town in std::iter::once(base).chain(shorter) {
                        if town.chars().count() < 2 {
                            continue;
                        }
                        key.clear();
                        key.push_str(town);
                        self.stemmed_candidates(key, INFLECTED_WEIGHT, &mut cands);
                        if !cands.0.is_empty() {
                            return Some(Match::inflected(n, cands));
                        }
                    }
                }
            }
        }
        None
    }

    /// Runs of up to three Arabic words, outside every sure mention (a doubtful one wholly
    /// inside a longer run gives way), whose consonant skeleton
    /// is that of a Latin name of a city, district or region in a focus country (مليط →
    /// Mellit, أم قصر → Umm Qasr). Their candidates are those places only.
    fn skeleton_mentions(
        &self,
        toks: &[Token<'_>],
        raws: &[Raw],
        doubtful: &[bool],
        demonyms: &[usize],
        focus: &[String],
    ) -> Vec<Raw> {
        const FREE: u8 = 0;
        // a dictionary match that is not sure and names nothing in the focus: a longer
        // skeleton match may take its place
        const DOUBTFUL: u8 = 1;
        const TAKEN: u8 = 2;
        let mut out = Vec::new();
        if focus.is_empty() || !toks.iter().any(|t| is_arabic(&t.folded)) {
            return out;
        }
        let mut covered = vec![FREE; toks.len()];
        // the dictionary match each token is part of
        let mut owner: Vec<Option<usize>> = vec![None; toks.len()];
        for (k, (r, &d)) in raws.iter().zip(doubtful).enumerate() {
            covered[r.first..=r.last].fill(if d { DOUBTFUL } else { TAKEN });
            owner[r.first..=r.last].fill(Some(k));
        }
        for &i in demonyms {
            covered[i] = TAKEN;
        }
        // Whether tokens a..b may be one skeleton match: Arabic, and free or (in a run of
        // several) doubtful matches that lie wholly inside the run.
        let fits = |covered: &[u8], a: usize, b: usize| {
            (a..b).all(|j| {
                is_arabic(&toks[j].folded)
                    && (covered[j] == FREE || (b - a > 1 && covered[j] == DOUBTFUL))
            }) && (a..b).all(|j| owner[j].is_none_or(|k| a <= raws[k].first && raws[k].last < b))
        };
        let index = self.skeletons();
        let mut i = 0;
        'tokens: while i < toks.len() {
            let first = &toks[i];
            // (أم 'or' is a stop word, and the first word of Umm Qasr)
            let head = ARABIC_NAME_HEADS.contains(&first.folded.as_str());
            if covered[i] == TAKEN
                || !is_arabic(&first.folded)
                || (is_stop_word(&first.folded) && !head)
                || generic_with_clitic(&first.folded, PREFIX_GENERIC).is_some()
            {
                i += 1;
                continue;
            }
            let readings =
                std::iter::once(first.folded.as_str()).chain(strip_clitics(&first.folded));
            let readings: Vec<&str> = readings.filter(|w| head || !is_stop_word(w)).collect();
            for n in (1..=3).rev() {
                if (head && n == 1)
                    || i + n > toks.len()
                    || !fits(&covered, i, i + n)
                    || !(i + 1..i + n).all(|j| only_space(toks, j - 1, j))
                {
                    continue;
                }
                for w in &readings {
                    let mut words = vec![*w];
                    words.extend(toks[i + 1..i + n].iter().map(|t| t.folded.as_str()));
                    let key = skeleton::arabic(&words);
                    if key.len() < skeleton::MIN_LEN {
                        continue;
                    }
                    let mut cands = Candidates::default();
                    for &name in index.get(&key) {
                        let place = self.names[name as usize].place;
                        let p = &self.places[place as usize];
                        if p.kind == Kind::Country
                            || p.kind == Kind::Water
                            || !focus.contains(&p.country)
                        {
                            continue;
                        }
                        cands.offer(super::Cand {
                            place,
                            name,
                            match_type: super::rank::MatchType::Transliteration,
                            weight: SKELETON_WEIGHT,
                            score: 0.0,
                        });
                    }
                    if cands.0.is_empty() {
                        continue;
                    }
                    // The skeleton drops و and ا: وأقتوبي reads as itself, but its و is the
                    // conjunction that lists it with the places before.
                    // (not in names that begin with و: وادي, واد)
                    let w = match first.folded.strip_prefix('و') {
                        Some(rest)
                            if *w == first.folded
                                && !head
                                && !first.folded.starts_with("واد")
                                && rest.chars().count() >= 2 =>
                        {
                            rest
                        }
                        _ => w,
                    };
                    let clitic = first.folded.chars().count() - w.chars().count();
                    let prefix = i
                        .checked_sub(1)
                        .filter(|&j| covered[j] == FREE && only_space(toks, j, i))
                        .and_then(|j| {
                            generic_with_clitic(&toks[j].folded, PREFIX_GENERIC).map(|k| (j, k))
                        });
                    out.push(Raw {
                        first: prefix.map_or(i, |(j, _)| j),
                        name_first: i,
                        name_last: i + n - 1,
                        last: i + n - 1,
                        // (with a generic word before, the mention starts at that word, as
                        // in `find_mentions`)
                        skip: if prefix.is_some() {
                            0
                        } else {
                            arabic_prefix_len(first.raw, clitic)
                        },
                        clitic: if prefix.is_some() {
                            String::new()
                        } else {
                            first.folded.chars().take(clitic).collect()
                        },
                        inflected: false,
                        hint: prefix.map(|(_, k)| k),
                        cands,
                        skeleton: true,
                    });
                    covered[i..i + n].fill(TAKEN);
                    i += n;
                    continue 'tokens;
                }
            }
            i += 1;
        }
        out
    }

    fn worth_looking_up(&self, t: &Token<'_>) -> bool {
        !t.folded.is_empty() && !t.folded.chars().all(|c| c.is_numeric())
    }
}

/// Stop words before a name that do not make it part of another name; "State" does
/// (Islamic State Sahel Province).
fn is_stop_word_except_state(folded: &str) -> bool {
    folded != "state" && is_stop_word(folded)
}

/// Whether two Cyrillic words end in the same letter, as a given name and surname in the
/// same case do (Нурсултану Назарбаеву).
fn same_ending(a: &str, b: &str) -> bool {
    a.chars().last() == b.chars().last()
}

/// Whether two Cyrillic words end alike up to the hard and soft spelling of one ending, as a
/// given name and a surname in one case do (Игоря Бикина, Юрию Ильину).
fn same_case_ending(a: &str, b: &str) -> bool {
    let class = |w: &str| {
        w.chars().last().map(|c| match c {
            'я' => 'а',
            'ю' => 'у',
            'ё' => 'е',
            'ы' => 'и',
            c => c,
        })
    };
    class(a).is_some() && class(a) == class(b)
}

/// How far from every sure place of a story a bare Arabic one-word name must be to be taken
/// for a word or a namesake rather than a place (metres).
const FAR_FROM_THE_STORY_M: f64 = 1_000_000.0;

/// Arabic articles and particles that transliterated names carry (Bab al-Hawa, Ras el-Ain,
/// Souq al-Juma): a match next to one is a fragment of a longer name the gazetteer lacks.
const NAME_PARTICLES: &[&str] = &["al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ul"];

/// Whether a Latin-script mention is glued by a particle to more of a name ("Bab" in "Bab
/// al-Hawa", "Juma" in "Souq al-Juma").
fn is_fragment(toks: &[Token<'_>], r: &Raw) -> bool {
    let particle = |i: usize| NAME_PARTICLES.contains(&toks[i].folded.as_str());
    let after = r.last + 2 < toks.len()
        && particle(r.last + 1)
        && toks[r.last + 1].after_space
        && toks[r.last + 2].after_hyphen;
    let before = r.first >= 2 && particle(r.first - 1) && toks[r.first].after_hyphen;
    toks[r.name_first].cased && (after || before)
}

/// Whether only spaces separate token `a` from the next one, `b`.
fn only_space(toks: &[Token<'_>], a: usize, b: usize) -> bool {
    b == a + 1 && toks[b].after_space
}

/// Whether a mention is nothing but direction or generic words ("غربي", "شمال غربي",
/// "Western", "River") with no generic word that makes it a proper name ("الولاية
/// الشمالية").
/// A generic word after directions makes them a name ("Centre department", "Western
/// Province"), not after a feature's word ("the Gulf state of Kuwait").
fn is_direction_run(toks: &[Token<'_>], r: &Raw) -> bool {
    let name = &toks[r.name_first..=r.name_last];
    name.iter()
        .all(|t| evidence::is_direction(&t.folded) || evidence::is_facility(&t.folded))
        && (r.hint.is_none() || name.iter().any(|t| !evidence::is_direction(&t.folded)))
}

/// Words for a street or road before its name ("улица Московская", "شارع بغداد") or after it
/// ("Baghdad Street", "Абай көшесі"), folded (й is и).
const STREET_BEFORE: &[&str] = &[
    "улица",
    "улице",
    "улицу",
    // (not улицы: "вышли на улицы Алматы" is "took to the streets of Almaty")
    "улицеи",
    "проспект",
    "проспекте",
    "проспекта",
    "переулок",
    "переулке",
    "бульвар",
    "бульваре",
    // roads named for the towns they join ("автотрассу Бишкек — Ош")
    "трасса",
    "трассу",
    "трассе",
    "трассы",
    "автотрасса",
    "автотрассу",
    "автотрассе",
    "автотрассы",
    "шоссе",
    "شارع",
    "وشارع",
    "بشارع",
];
const STREET_AFTER: &[&str] = &["street", "avenue"];
/// Kazakh words for a street or an avenue after its name, in any case ("Әйтеке би көшесін
/// жауып", closing Aiteke Bi street — not the town once named Әйтеке би).
const STREET_AFTER_STEMS: &[&str] = &["көшес", "даңғыл"];

/// Whether a match names a district: "Жамбыл ауданы", "в Баймакском районе" (a district
/// word joined to it, or right after).
fn names_a_district(toks: &[Token<'_>], r: &Raw) -> bool {
    r.hint == Some(Kind::District)
        || toks
            .get(r.last + 1)
            .is_some_and(|t| suffix_generic(&t.folded) == Some(Kind::District))
}

/// Words for a university or an institute after the name it bears, in any case
/// ("Жетісу университетінің", "Zhetysu University").
const SCHOOL_AFTER_STEMS: &[&str] = &[
    "университет",
    "university",
    "институт",
    "institute",
    "академия",
    "академиясы",
    "academy",
];

/// Whether a match is the name of a university or an institute ("Жетісу университетінің
/// жанындағы алаңда", at the square by Zhetysu University): for a region or a country, that
/// is no place the story happened in.
fn names_a_school(toks: &[Token<'_>], r: &Raw) -> bool {
    // (Latin script capitalizes the name of one: "Punjab university campuses" are the
    // universities in Punjab)
    toks.get(r.last + 1)
        .filter(|_| only_space(toks, r.last, r.last + 1))
        .is_some_and(|t| {
            (is_cyrillic(&t.folded) || t.capital)
                && SCHOOL_AFTER_STEMS.iter().any(|s| t.folded.starts_with(s))
        })
}

/// Whether a match names a street: a street named after a town is not the town (the
/// geoparser would put the story in Moscow for "на улице Московской").
fn is_street_name(toks: &[Token<'_>], r: &Raw) -> bool {
    let before = r
        .first
        .checked_sub(1)
        .filter(|&j| only_space(toks, j, r.first))
        .is_some_and(|j| STREET_BEFORE.contains(&toks[j].folded.as_str()));
    let after = toks
        .get(r.last + 1)
        .filter(|_| only_space(toks, r.last, r.last + 1))
        .is_some_and(|t| {
            STREET_AFTER.contains(&t.folded.as_str())
                || STREET_AFTER_STEMS.iter().any(|s| t.folded.starts_with(s))
        });
    before || after
}

/// Fixed expressions whose first word is a place's name: مسقط رأسه 'his birthplace' (the
/// place his head fell), not Muscat. (name, the next word's start), folded.
const IDIOMS: &[(&str, &str)] = &[("مسقط", "راس")];

/// Whether a one-word match opens a fixed expression ([`IDIOMS`]).
fn is_idiom(toks: &[Token<'_>], r: &Raw) -> bool {
    let name = &toks[r.name_first].folded;
    let bare = name.get(r.clitic.len()..).unwrap_or(name);
    r.name_first == r.name_last
        && toks
            .get(r.last + 1)
            .filter(|_| only_space(toks, r.last, r.last + 1))
            .is_some_and(|next| {
                IDIOMS
                    .iter()
                    .any(|(w, after)| bare == *w && next.folded.starts_with(after))
            })
}

/// Whether mention `k` is listed with a neighbouring mention that `supports` it ("X, Y and
/// Z", "X و Y", "X и Y").
fn listed_with(
    toks: &[Token<'_>],
    raws: &[Raw],
    supports: impl Fn(usize) -> bool,
    k: usize,
) -> bool {
    let joined = |a: &Raw, b: &Raw| -> bool {
        // between them: punctuation, or one connector word, or an Arabic و on the second
        let between = &toks[a.last + 1..b.first];
        match between {
            // (a comma or the like: not only a space, nor a sentence's end, nor a hyphen)
            [] => {
                let t = &toks[b.first];
                b.clitic.starts_with('و') || !(t.after_space || t.sentence_start || t.after_hyphen)
            }
            [c] => evidence::is_connector(&c.folded),
            _ => false,
        }
    };
    (k > 0 && joined(&raws[k - 1], &raws[k]) && supports(k - 1))
        || (k + 1 < raws.len() && joined(&raws[k], &raws[k + 1]) && supports(k + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::Files;

    const PLACES: &str = "id\tkind\tname\tcountry\tadmin1\tlon\tlat\tpopulation\tbbox\tfeature_code
1522867\tcountry\tKazakhstan\tKZ\t\t68\t48\t18276499\t46.49,40.57,87.36,55.44\t
248816\tcountry\tJordan\tJO\t\t36.5\t31\t10000000\t34.9,29.2,39.3,33.4\t
2194370\tregion\tWestern\tFJ\tFJ.05\t177.5\t-17.6\t0\t177.2,-18.3,178.0,-17.2\tADM1
1526384\tcity\tAlmaty\tKZ\tKZ.02\t76.93\t43.26\t2000900\t\tPPLA
109323\tcity\tKhobar\tSA\tSA.06\t50.2\t26.28\t165799\t\t
473247\tcity\tVladimir\tRU\tRU.83\t40.4\t56.1\t350000\t\t
170017\tcity\tAl Bab\tSY\tSY.09\t37.52\t36.37\t130745\t\t
366755\tcountry\tSudan\tSD\t\t30\t15\t43849269\t21.8,8.7,38.6,22.2\t
379252\tcity\tKhartoum\tSD\tSD.29\t32.53\t15.55\t1974647\t\tPPLC
370181\tcity\tMellit\tSD\tSD.55\t25.55\t14.13\t50165\t\t
2215636\tcountry\tLibya\tLY\t\t18\t27\t6678567\t9.3,19.5,25.2,33.2\t
87205\tcity\tDarnah\tLY\tLY.51\t22.64\t32.77\t78782\t\t
2464915\tcity\tSousse\tTN\tTN.23\t10.64\t35.83\t221715\t\t
80509\tcity\tSusah\tLY\tLY.51\t21.96\t32.89\t7285\t\t
1835848\tcity\tSeoul\tKR\tKR.11\t126.98\t37.57\t10349312\t\tPPLC
3088171\tcity\tRadom\tPL\tPL.78\t21.15\t51.4\t226794\t\t
1519948\tcity\tKonayev\tKZ\tKZ.01\t77.06\t43.87\t42167\t\t
578531\tcity\tBaymak\tRU\tRU.08\t58.34\t52.59\t17000\t\t
479561\tcity\tUfa\tRU\tRU.08\t55.97\t54.74\t1033338\t\tPPLA
2100000027\twater\tUral River\tKZ\t\t51.5\t49\t0\t50.0,46.9,59.8,54.6\tSTM
2100000010\twater\tLake Balkhash\tKZ\t\t74.9\t46.5\t0\t73.4,44.9,79.3,47.2\tLK
2100000212\twater\tOka River\tRU\t\t41\t55\t0\t35.0,52.0,45.0,56.5\tSTM
2635167\tcountry\tUnited Kingdom\tGB\t\t-2\t54\t66488991\t-8.6,49.9,1.8,60.9\t
522260\tcity\tOzyory\tRU\tRU.47\t38.56\t54.86\t25000\t\t
2473517\tcity\tMetlaoui\tTN\tTN.30\t8.4\t34.32\t39021\t\t
2467920\tcity\tAr Rudayyif\tTN\tTN.30\t8.15\t34.38\t26976\t\t
";
    const NAMES: &str = "id\tlang\tname\tflags
1526384\tru\tАлматы\t
1526384\tar\tألماتي\t
109323\tar\tالخبر\t
473247\tru\tВладимир\t
2194370\tar\tغربي\t
170017\ten\tBab\t
366755\tar\tالسودان\t
379252\tar\tالخرطوم\t
87205\tar\tدرنة\t
2215636\tar\tليبيا\t
2464915\tar\tسوسة\t
80509\tar\tسوسة\t
248816\tar\tالأردن\t
1835848\tar\tسيول\t
3088171\tru\tРадом\t
1519948\tkk\tҚонаев\t
578531\tru\tБаймак\t
479561\tru\tУфа\t
2100000027\tru\tрека Урал\t
2100000010\tru\tозеро Балхаш\t
2100000212\tru\tрека Ока\t
2635167\tmk\tОК\tshort
522260\tru\tОзёры\t
2473517\tar\tمتلوي\t
2467920\tar\tالرديف\t
";

    fn gaz() -> Gazetteer {
        Gazetteer::from_files(&[Files {
            origin: "test",
            places: PLACES,
            names: NAMES,
            aliases: "",
            outlines: "",
        }])
        .unwrap()
    }

    fn places(g: &Gazetteer, text: &str) -> Vec<String> {
        let all = GeoparseOptions {
            min_confidence: 0.0,
            ..Default::default()
        };
        g.geoparse_with(text, &all)
            .mentions
            .into_iter()
            .map(|m| m.place.name)
            .collect()
    }

    #[test]
    fn a_town_with_only_a_latin_name_is_met_by_its_skeleton_where_the_text_says_place() {
        let g = gaz();
        // Sudan is the focus; في says a place follows; مليط has no Arabic name anywhere.
        assert_eq!(
            places(&g, "اشتباكات في الخرطوم وفي مليط بشمال دارفور"),
            ["Khartoum", "Mellit"]
        );
        // listed with a sure place (و on the second)
        assert_eq!(
            places(&g, "نزح الآلاف من الخرطوم ومليط"),
            ["Khartoum", "Mellit"]
        );
        // nothing says a place: a word with the same consonants stays a word
        assert_eq!(places(&g, "الخرطوم. مليط"), ["Khartoum"]);
        // outside the document's countries: never
        assert_eq!(places(&g, "في ألماتي وفي مليط"), ["Almaty"]);
    }

    #[test]
    fn a_street_named_after_a_town_is_not_the_town() {
        let g = gaz();
        assert_eq!(
            places(&g, "تظاهر المئات في شارع الخرطوم"),
            Vec::<String>::new()
        );
        assert_eq!(places(&g, "рядом с улицей Алматы"), Vec::<String>::new());
        assert_eq!(places(&g, "تظاهر المئات في الخرطوم"), ["Khartoum"]);
    }

    #[test]
    fn a_name_of_two_towns_resolves_toward_the_story() {
        let g = gaz();
        assert_eq!(places(&g, "فيضانات في سوسة"), ["Sousse"]);
        assert_eq!(
            places(&g, "فيضانات في ليبيا: غرق أحياء في درنة وسوسة"),
            ["Libya", "Darnah", "Susah"]
        );
    }

    #[test]
    fn a_frequent_word_needs_support_to_be_a_place() {
        let g = gaz();
        // الخبر 'the news' is far more frequent than the city of Khobar explains
        assert_eq!(
            places(&g, "وقال الخبر إن المحتجين تجمعوا في ألماتي"),
            ["Almaty"]
        );
    }

    #[test]
    fn a_word_the_text_also_writes_with_the_article_is_that_word() {
        let g = gaz();
        // سيول 'floods' is as frequent as Seoul explains; السيول elsewhere says which it is
        assert!(
            !places(
                &g,
                "ارتفع عدد ضحايا السيول في الأردن إلى 14. وضربت السيول جنوب الأردن. وقضى 21 \
                 شخصا في سيول مماثلة عام 2018 في الأردن."
            )
            .contains(&"Seoul".to_string())
        );
        assert!(places(&g, "وصل الوفد إلى سيول أمس.").contains(&"Seoul".to_string()));
    }

    #[test]
    fn people_are_not_places() {
        let g = gaz();
        assert_eq!(
            places(&g, "Президент Владимир Путин прилетел в Алматы."),
            ["Almaty"]
        );
        assert_eq!(
            places(
                &g,
                "Aid reached Almaty, said Jordan Matthews of the agency."
            ),
            ["Almaty"]
        );
        // but a country after a title in the genitive is the country: "of Kazakhstan"
        assert_eq!(
            places(&g, "Police in Almaty and the army of Jordan were there."),
            ["Almaty", "Jordan"]
        );
    }

    #[test]
    fn demonyms_are_reported_apart() {
        let g = gaz();
        let got = g.geoparse("Kazakh troops and القوات الروسية left Almaty.");
        assert_eq!(
            got.iter()
                .map(|m| m.place.name.as_str())
                .collect::<Vec<_>>(),
            ["Almaty"]
        );
        let d = g
            .geoparse_with(
                "Kazakh troops and القوات الروسية",
                &GeoparseOptions::default(),
            )
            .demonyms;
        let d: Vec<(&str, &str)> = d
            .iter()
            .map(|d| (d.text.as_str(), d.country.as_str()))
            .collect();
        assert_eq!(d, [("Kazakh", "KZ"), ("الروسية", "RU")]);
    }

    #[test]
    fn names_of_media_and_fragments_of_longer_names_are_not_places() {
        let g = gaz();
        assert!(places(&g, "«Алматы» телеарнасының ғимараты өртенді.").is_empty());
        assert!(places(&g, "Trucks crossed at Bab al-Hawa on Monday.").is_empty());
        assert_eq!(places(&g, "Түнде Алматыда атыс болды."), ["Almaty"]);
    }

    #[test]
    fn a_given_name_met_only_by_its_stem_is_a_person_before_a_surname() {
        let g = gaz();
        // "Радий" stems like "Радом"; "Баймакском" is found by its town's adjective
        assert!(places(&g, "глава республики Радий Хабиров заявил").is_empty());
        assert_eq!(places(&g, "в Баймаке Хабиров заявил"), ["Baymak"]);
    }

    #[test]
    fn a_dateline_names_a_place() {
        let g = gaz();
        // a capital at the start of a text says nothing; the dateline does
        assert_eq!(places(&g, "ҚОНАЕВ, 22 шілде. Аптап ыстық"), ["Konayev"]);
        assert!(places(&g, "Қонаев айтты").is_empty());
    }

    #[test]
    fn russian_writes_rivers_and_lakes_with_a_lower_case_generic_word() {
        let g = gaz();
        assert_eq!(places(&g, "Вода в реке Урал поднялась"), ["Ural River"]);
        assert_eq!(places(&g, "Вода в озере Балхаш"), ["Lake Balkhash"]);
        // the generic word alone is no name, nor is a word an inflection of an abbreviation
        assert!(places(&g, "Вода в озере поднялась").is_empty());
        assert_eq!(places(&g, "Вода в реке Ока"), ["Oka River"]);
        assert!(places(&g, "Ока поднялась, и Ока").is_empty());
    }

    #[test]
    fn a_district_named_by_its_towns_adjective_is_near_that_town() {
        let g = gaz();
        assert_eq!(places(&g, "Пожар в Баймакском районе"), ["Baymak"]);
        assert_eq!(places(&g, "Пожар в Уфимском районе"), ["Ufa"]);
    }

    #[test]
    fn the_article_on_a_name_that_is_no_word_is_no_sign_of_a_word() {
        let g = gaz();
        // المتلوي is no Arabic word; والرديف ends like a surname in -يف but has the article
        assert_eq!(places(&g, "وقال إن المتلوي"), ["Metlaoui"]);
        assert!(places(&g, "من مناجم المتلوي والرديف").contains(&"Metlaoui".to_string()));
    }

    #[test]
    fn a_direction_alone_is_no_place() {
        let g = gaz();
        assert_eq!(places(&g, "في شمال غربي ألماتي"), ["Almaty"]);
        assert_eq!(places(&g, "انتشرت القوات في غربي ألماتي"), ["Almaty"]);
    }

    #[test]
    fn the_threshold_drops_doubtful_mentions() {
        let g = gaz();
        // A capital mid-sentence is sure (1.0); a match that needed a proclitic undone is
        // a little less (0.97).
        let text = "Police reached Almaty and وألماتي on Monday.";
        let with = |min_confidence| {
            g.geoparse_with(
                text,
                &GeoparseOptions {
                    min_confidence,
                    ..Default::default()
                },
            )
        };
        let all = with(0.0);
        let confidences: Vec<f64> = all.mentions.iter().map(|m| m.place.confidence).collect();
        assert_eq!(confidences.len(), 2, "{:?}", all.mentions);
        assert!(confidences[0] > confidences[1], "{confidences:?}");
        let strict = with(confidences[0]);
        assert_eq!(strict.found, 1);
        assert_eq!(strict.mentions[0].text, "Almaty");
        assert!(with(confidences[0] + 0.001).mentions.is_empty());
    }
}
