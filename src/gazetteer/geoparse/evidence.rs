//! Whether a match is a place or an ordinary word, a person, a nationality: the evidence
//! around a mention, and how much of it a mention needs.
//!
//! A name that is also a frequent word (الخبر 'the news' = Khobar, "Reading", сол 'that')
//! needs support before it counts as a place, more the more its use as a word outweighs what
//! the place's size would explain. Support is a capital where ordinary words have none, a
//! generic word ("city of", "محافظة", "облысы"), a preposition of place before it, a place it
//! is listed with, and the document's focus countries.

/// Frequent words that are also the name of some place, in the languages of our reports.
/// Folded forms.
pub(super) const STOP_WORDS: &[&str] = &[
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
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
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
    "жителеи",
    "мен",
    "және",
    "бен",
    "пен",
    "үшін",
];

pub(super) fn is_stop_word(w: &str) -> bool {
    static SET: std::sync::LazyLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::LazyLock::new(|| STOP_WORDS.iter().copied().collect());
    SET.contains(w)
}

/// Folded words before a name that say "at, in, to, from, near" (and Arabic proclitics that
/// do: بالخرطوم, لأكتاو).
const CUES_BEFORE: &[&str] = &[
    // English
    "in",
    "at",
    "near",
    "from",
    "to",
    "into",
    "outside",
    "across",
    "around",
    "towards",
    "toward",
    "via",
    "between",
    "throughout",
    // Arabic
    "في",
    "الي",
    "من",
    "قرب",
    "بالقرب",
    "نحو",
    "داخل",
    "خارج",
    "شمال",
    "جنوب",
    "شرق",
    "غرب",
    "شمالي",
    "جنوبي",
    "شرقي",
    "غربي",
    "وسط",
    "ضواحي",
    "اطراف",
    "انحاء",
    "مدن",
    // plurals and duals of settlement words: "بلدات البيضاء وشحات" (the towns of …)
    "بلدات",
    "بلدتي",
    "قري",
    "قريتي",
    "مدينتي",
    "بين",
    "وفي",
    "ومن",
    "والي",
    // what is named after the place it is at: ميناء أم قصر (the port of Umm Qasr), مطار
    // بنينا (Benina airport), معبر رفح (the Rafah crossing)
    "ميناء",
    "مطار",
    "معبر",
    "مخيم",
    // (سد الطبقة, the Tabqa dam; قاعدة حميميم; حقل الرميلة, the Rumaila field; مصفاة بيجي)
    "سد",
    "قاعده",
    "حقل",
    "مصفاه",
    "جسر",
    // Russian
    "в",
    "во",
    "из",
    "под",
    "около",
    "близ",
    "возле",
    "через",
    "между",
    "до",
    "у",
    "г",
    "города",
    "городе",
    "поселке",
    "поселок",
    "села",
    "селе",
];

/// Arabic proclitics meaning "in" or "to".
const CUE_CLITICS: &[&str] = &["ب", "ل", "وب", "ول", "فب", "فل", "بال", "لل", "وبال", "ولل"];

/// Words that join items of a list: a place listed with a sure place is a place.
const CONNECTORS: &[&str] = &[
    "and", "or", "و", "او", "и", "или", "және", "мен", "бен", "пен",
];

/// Folded titles and roles before a person's name (President Nursultan Nazarbayev,
/// الرئيس نور سلطان نزارباييف).
const TITLES: &[&str] = &[
    "president",
    "mr",
    "mrs",
    "ms",
    "dr",
    "general",
    "minister",
    "premier",
    "senator",
    "sheikh",
    "الرئيس",
    "رئيس",
    "السيد",
    "السيده",
    "الزعيم",
    "الجنرال",
    "الشيخ",
    "الامير",
    "الملك",
    "الوزير",
    "اللواء",
    "العقيد",
    "الناشط",
    "الصحفي",
    "الكاتب",
    "президент",
    "президента",
    "президенту",
    "господин",
    "генерал",
    "министр",
    "премьер",
    "президенті",
    "мырза",
];

/// Endings of surnames from the former Soviet Union in Arabic transliteration
/// (نزارباييف, توكاييف, ميرزويان).
const ARABIC_SURNAME_ENDINGS: &[&str] = &[
    "ييف",
    "يف",
    "وف",
    "يفا",
    "وفا",
    "ييفا",
    "يان",
    "ينكو",
    "وفيتش",
];

/// Directions and generic nominals: never a place on their own, whatever region somewhere is
/// named like them (غربي → Western, Fiji; العاصمة → Amman's governorate; "Centre", France).
const DIRECTIONS: &[&str] = &[
    "north",
    "south",
    "east",
    "west",
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "centre",
    "center",
    "northwest",
    "northeast",
    "southwest",
    "southeast",
    "capital",
    "شمال",
    "جنوب",
    "شرق",
    "غرب",
    "وسط",
    "شمالي",
    "جنوبي",
    "شرقي",
    "غربي",
    "الشمال",
    "الجنوب",
    "الشرق",
    "الغرب",
    "الوسط",
    "الشماليه",
    "الجنوبيه",
    "الشرقيه",
    "الغربيه",
    "الوسطي",
    "العاصمه",
    "مركز",
    "المركز",
    "عاصمه",
    "الشمالي",
    "الجنوبي",
    "الشرقي",
    "الغربي",
    "الاوسط",
    "الادني",
    "север",
    "юг",
    "восток",
    "запад",
    "центр",
    "столица",
    "северныи",
    "южныи",
    "восточныи",
    "западныи",
    "центральныи",
    "солтүстік",
    "оңтүстік",
    "шығыс",
    "батыс",
    "орталық",
];

/// Words after a town's name that make it a facility's or a feature's name, which is still
/// the town (Almaty International Airport), unlike a surname after a given name.
const FACILITIES: &[&str] = &[
    "airport",
    "international",
    "port",
    "airbase",
    "station",
    "square",
    "street",
    "avenue",
    "highway",
    "road",
    "bridge",
    "dam",
    "river",
    "lake",
    "sea",
    "gulf",
    "bay",
    "valley",
    "province",
    "region",
    "district",
    "city",
    "oblast",
    "governorate",
    "state",
    "mountains",
    "crossing",
    "border",
    "checkpoint",
    "corridor",
    "oasis",
    "field",
    "basin",
    "desert",
    "аэропорт",
    "аэропорту",
    "аэропорта",
    "площадь",
    "площади",
    "улица",
    "улице",
    "проспект",
    "трасса",
    "трассе",
    "мост",
    "водохранилище",
    "водохранилища",
    "ущелье",
    "долина",
    "әуежаиы",
    "әуежаиында",
    "алаңы",
    "алаңында",
    "көшесі",
    "көшесінде",
    "өзені",
    "көлі",
    "теңізі",
    "облысы",
    "ауданы",
    "қаласы",
];

/// Whether a folded token (or a form of it without Arabic proclitics) is a direction or
/// generic nominal.
pub(super) fn is_direction(folded: &str) -> bool {
    DIRECTIONS.contains(&folded)
        || (crate::gazetteer::normalize::is_arabic(folded)
            && crate::gazetteer::normalize::strip_clitics(folded)
                .iter()
                .any(|s| DIRECTIONS.contains(s)))
}

/// Capitalized English words after a name that make it the qualifier of an institution
/// ("Interior Ministry", "Justice Department", "Defence Forces").
const INSTITUTIONS_AFTER: &[&str] = &[
    "ministry",
    "minister",
    "ministers",
    "department",
    "committee",
    "council",
    "commission",
    "agency",
    "service",
    "party",
    "front",
    "movement",
    "union",
    "association",
    "office",
    "court",
    "bank",
    "company",
    "corporation",
    "forces",
    "guard",
    "directorate",
    "bureau",
];

pub(super) fn is_institution(folded: &str) -> bool {
    INSTITUTIONS_AFTER.contains(&folded)
}

/// Folded Arabic words before a name that make it the name of a medium, company or party
/// (قناة الجزيرة, وكالة الأناضول, حزب ...).
const ORGANISATION_HEADS: &[&str] = &[
    // بنك مسقط, مصرف الرافدين: a bank named after its city
    "بنك",
    "مصرف",
    "قناه",
    "وكاله",
    "صحيفه",
    "شركه",
    "حزب",
    "جبهه",
    "حركه",
    "اذاعه",
    "تلفزيون",
    "مجموعه",
    "جريده",
    "موقع",
    "نادي",
    "فريق",
    "منتخب",
    "جمعيه",
    "موسسه",
    "اتحاد",
    "رابطه",
    "تجمع",
];

/// Whether a folded Arabic word, with or without its proclitics (لقناة), heads an
/// organisation's name.
pub(super) fn is_organisation_head(folded: &str) -> bool {
    ORGANISATION_HEADS.contains(&folded)
        || crate::gazetteer::normalize::strip_clitics(folded)
            .iter()
            .any(|s| ORGANISATION_HEADS.contains(s))
}

/// Capitalized words before a name that are part of the place's name or say where in it
/// ("Northern Mali", "Lake Balkhash", "Upper Galilee"), rather than a given name or an
/// organisation's name before it.
const NAME_PARTS_BEFORE: &[&str] = &[
    "lake",
    "mount",
    "upper",
    "lower",
    "greater",
    "port",
    "cape",
    "saint",
    "st",
    "gulf",
    "озеро",
    "озера",
    "озере",
    "река",
    "реки",
    "реке",
    "гора",
    "город",
    "села",
    "поселок",
    "республика",
    "республики",
    "республике",
    "республикои",
    "республику",
    "republic",
];

pub(super) fn is_name_part_before(folded: &str) -> bool {
    NAME_PARTS_BEFORE.contains(&folded) || is_direction(folded) || is_cue(folded)
}

pub(super) fn is_facility(folded: &str) -> bool {
    FACILITIES.contains(&folded)
}

pub(super) fn is_cue(folded: &str) -> bool {
    CUES_BEFORE.contains(&folded)
}

pub(super) fn is_cue_clitic(folded_clitic: &str) -> bool {
    CUE_CLITICS.contains(&folded_clitic)
}

pub(super) fn is_connector(folded: &str) -> bool {
    CONNECTORS.contains(&folded)
}

pub(super) fn is_title(folded: &str) -> bool {
    TITLES.contains(&folded)
}

pub(super) fn looks_like_arabic_surname(folded: &str) -> bool {
    // (a transliterated surname takes no article: والرديف 'and Redeyef' is the next town of a
    // list, not a surname in -يف)
    let with_article = ["ال", "وال", "فال", "بال", "لل"]
        .iter()
        .any(|a| folded.starts_with(a));
    !with_article
        && folded.chars().count() >= 5
        && ARABIC_SURNAME_ENDINGS.iter().any(|e| folded.ends_with(e))
}

/// What is known about one mention besides its name.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Evidence {
    /// Zipf frequency of the mention as an ordinary word (0: not a frequent word).
    pub commonness: f32,
    /// The Zipf frequency the place's prominence alone would give its name.
    pub expected: f32,
    /// A capital where ordinary words have none.
    pub capital: bool,
    /// A generic word joined the mention ("Zhambyl region", "مدينة", "облысы").
    pub generic: bool,
    /// A word of place before it ("in", "في", "в") or an Arabic "in/to" proclitic.
    pub cue: bool,
    /// In one of the document's focus countries (or one of them).
    pub in_focus: bool,
    /// Listed with a place that needs no support.
    pub listed: bool,
    /// Arabic: the text has the article and the name has none (السيول 'the floods' read as
    /// سيول Seoul). Names of places that take no article rarely get one in running text.
    pub article_added: bool,
    /// Arabic: the document writes the same word with the article elsewhere, so it uses it as
    /// an ordinary noun ("ضحايا السيول … في سيول مماثلة"): two signs are needed.
    pub article_elsewhere: bool,
    /// Arabic: the word as written, clitic and all, is a commoner word than the name inside
    /// it (كريم 'Karim, generous' read as ك + ريم, like Rome).
    pub ordinary_whole: bool,
    /// Glued to a word that may make it part of another name: a capitalized word right
    /// before at a sentence's start ("Air Astana said"), or in Arabic a definite adjective
    /// right after a country (قوات سوريا الديمقراطية, روسيا اليوم).
    pub glued: bool,
}

impl Evidence {
    /// How far the word's frequency exceeds what the place explains.
    pub fn excess(&self) -> f32 {
        if self.commonness < 3.0 {
            return 0.0;
        }
        (self.commonness - self.expected).max(0.0)
    }

    /// Support needed: none for a rare word or a name as frequent as its place is big, one
    /// sign for a word somewhat more frequent, two for a word far more frequent.
    pub fn needed(&self) -> u32 {
        let by_frequency = match self.excess() {
            x if x < 0.5 => 0,
            x if x < 1.5 => 1,
            _ => 2,
        };
        if self.article_elsewhere {
            return 2;
        }
        (by_frequency + u32::from(self.article_added) + u32::from(self.ordinary_whole)).min(2)
    }

    pub fn support(&self) -> u32 {
        2 * u32::from(self.capital)
            + 2 * u32::from(self.generic)
            + u32::from(self.cue)
            + u32::from(self.in_focus)
            + u32::from(self.listed)
    }

    /// How much to believe that this is a place mention at all, from 0 (no) to 1; the
    /// resolution's own confidence is multiplied by it. Calibrated on the development part of
    /// the corpus in `tests/data/geoparse/` (see docs/PERFORMANCE.md).
    pub fn belief(&self) -> f64 {
        let (need, have) = (self.needed(), self.support());
        if have < need {
            return 0.0;
        }
        let glued = if self.glued { 0.85 } else { 1.0 };
        glued
            * match (need, have - need) {
                // A frequent word its place explains, with nothing else for it (سيول, a country
                // inside an organisation's name): usually right, not always.
                (0, 0) if self.commonness >= 3.0 => 0.88,
                // A rare word, with nothing for it or against it.
                (0, 0) => 0.95,
                (0, _) => 1.0,
                (_, 0) => 0.75,
                (_, 1) => 0.88,
                _ => 0.95,
            }
    }
}

/// How much less often news names a region than a city of its population.
const REGION_STEP: f32 = 1.0;

/// The Zipf frequency a place's name would have from its prominence alone: countries are
/// named constantly, a big city often, a hamlet almost never. A rough line through how often
/// news names cities of each size, not a fit to any one language.
pub(super) fn expected_zipf(kind: crate::gazetteer::Kind, population: u64, capital: bool) -> f32 {
    use crate::gazetteer::Kind;
    match kind {
        Kind::Country => 9.0,
        // Population is unknown for most regions: a small city's worth, or what the people
        // of its towns give, less a step: news names a province less often than a city as
        // big.
        Kind::Region | Kind::District => {
            (0.9 * (population.max(1) as f32).log10() - 1.5 - REGION_STEP).max(2.5)
        }
        Kind::Water => 3.5,
        _ => {
            let base = 0.9 * (population.max(1) as f32).log10() - 1.5;
            base + if capital { 0.7 } else { 0.0 }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::Kind;

    #[test]
    fn a_frequent_word_needs_support_a_rare_one_does_not() {
        let rare = Evidence {
            commonness: 0.0,
            expected: expected_zipf(Kind::City, 100_000, false),
            ..Default::default()
        };
        assert_eq!(rare.belief(), 0.95);
        assert_eq!(Evidence { cue: true, ..rare }.belief(), 1.0);
        // الخبر: zipf ~5 against a city of 165,000
        let khobar = Evidence {
            commonness: 5.0,
            expected: expected_zipf(Kind::City, 165_000, false),
            ..Default::default()
        };
        assert_eq!(khobar.needed(), 2);
        assert_eq!(khobar.belief(), 0.0);
        let in_khobar = Evidence {
            cue: true,
            in_focus: true,
            ..khobar
        };
        assert!(in_khobar.belief() > 0.0);
        // Moscow is as frequent as a capital of 12 million explains
        let moscow = Evidence {
            commonness: 4.4,
            expected: expected_zipf(Kind::City, 12_000_000, true),
            ..Default::default()
        };
        assert_eq!(moscow.needed(), 0);
    }

    #[test]
    fn a_mid_sentence_capital_is_enough_for_any_word() {
        let reading = Evidence {
            commonness: 5.1,
            expected: expected_zipf(Kind::City, 230_000, false),
            capital: true,
            ..Default::default()
        };
        assert!(reading.belief() >= 0.5);
    }

    #[test]
    fn countries_are_never_rejected_for_frequency() {
        let e = Evidence {
            commonness: 5.0,
            expected: expected_zipf(Kind::Country, 0, false),
            ..Default::default()
        };
        assert_eq!(e.needed(), 0);
        assert!(e.belief() >= 0.88);
    }
}
