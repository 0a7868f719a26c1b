//! The shapes a place name takes in running text: generic words around it ("منطقة
//! كيزيلوردا", "Zhambyl region", "Жамбыл облысы"), Kazakh case endings, the English
//! possessive, and the Russian endings that [`crate::gazetteer::stem`] does not cover.

use crate::gazetteer::data::Kind;
use crate::gazetteer::normalize::{is_arabic, strip_clitics};

/// Words that come before a name and say what it is ("منطقة كيزيلوردا", "г. Алматы").
pub(super) const PREFIX_GENERIC: &[(&str, Kind)] = &[
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
pub(super) const SUFFIX_GENERIC: &[(&str, Kind)] = &[
    ("region", Kind::Region),
    ("oblast", Kind::Region),
    ("province", Kind::Region),
    // (Haiti's, France's, Colombia's departments; Nigeria's, Sudan's, India's states;
    // Egypt's, Iraq's governorates: also what makes "Centre department" a name, not a word)
    ("department", Kind::Region),
    ("state", Kind::Region),
    ("governorate", Kind::Region),
    ("область", Kind::Region),
    // Russian oblique cases of the same words: в Мангистауской области, района.
    ("области", Kind::Region),
    ("областью", Kind::Region),
    ("облысы", Kind::Region),
    ("oblysy", Kind::Region),
    ("district", Kind::District),
    ("раион", Kind::District),
    ("раиона", Kind::District),
    ("раионе", Kind::District),
    ("раиону", Kind::District),
    ("ауданы", Kind::District),
    ("қаласы", Kind::City),
    // a settlement, a village: "Шиелі кенті", "Шиелі кентінде"
    ("кенті", Kind::City),
    ("ауылы", Kind::City),
    ("city", Kind::City),
];

/// Russian case endings and the nominative ending they replace: place names in Russian text
/// are inflected (в Жанаозене, из России, на Алма-Ату), the gazetteer holds the nominative.
pub(super) const RUSSIAN_ENDINGS: &[(&str, &str)] = &[
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
    ("ои", "а"),
    ("еи", "я"),
    ("ом", ""),
    ("ем", ""),
    ("а", ""),
    ("я", ""),
    // names in -ай/-ей (Сибай, Алтай, Шанхай), written folded: из Сибая, в Сибае
    ("ая", "аи"),
    ("ае", "аи"),
    ("аю", "аи"),
    ("аем", "аи"),
    ("ея", "еи"),
    ("ее", "еи"),
    ("ею", "еи"),
    ("еем", "еи"),
    ("ах", "а"),
    ("ах", ""),
    // neuter names in -о (Витязево, Домодедово, Пушкино): от Витязева, к Витязеву, под
    // Витязевом, в Витязеве
    ("а", "о"),
    ("у", "о"),
    ("ом", "о"),
    ("е", "о"),
    // names that are plurals (Бендеры, Черкассы, Химки): в Бендерах, из Бендер
    ("ах", "ы"),
    ("ах", "и"),
    ("ам", "ы"),
    ("ами", "ы"),
    ("ов", "ы"),
    ("", "ы"),
];

/// Kazakh case endings, longest first. Kazakh adds them to the unchanged nominative, with the
/// vowel and first consonant chosen by the stem (vowel harmony, voicing): Алматыда, Таразда,
/// Ақтауға, Қазақстанның, Жаңаөзенде, Шымкенттегі. After a possessive ending (облысы) an
/// `н` comes first: облысында, облысының.
pub(super) const KAZAKH_ENDINGS: &[&str] = &[
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

/// The Kazakh endings of [`KAZAKH_ENDINGS`] that do not put something in a place: genitive,
/// instrumental, accusative. The others do, as a preposition does in other languages:
/// locative (Бақанаста 'in Bakanas'), ablative (Шиеліден 'from Shieli'), dative (Ақтауға 'to
/// Aktau') and the attributive locative (Жаңатастағы).
const KAZAKH_NOT_SPATIAL: &[&str] = &[
    "ның", "нің", "дың", "дің", "тың", "тің", "мен", "бен", "пен", "ны", "ні", "ды", "ді", "ты",
    "ті",
];

/// Letters Kazakh has and Russian has not.
pub(super) fn has_kazakh_letter(word: &str) -> bool {
    word.chars().any(|c| "әғқңөұүһі".contains(c))
}

/// Whether a Kazakh word carries a spatial case ending.
pub(super) fn kazakh_spatial(word: &str) -> bool {
    KAZAKH_ENDINGS
        .iter()
        .filter(|e| !KAZAKH_NOT_SPATIAL.contains(e))
        .any(|e| {
            word.strip_suffix(e)
                .is_some_and(|stem| stem.chars().count() >= 2)
        })
}

/// A Kazakh word without its case ending, when it has one.
pub(super) fn kazakh_stems(word: &str) -> impl Iterator<Item = &str> {
    KAZAKH_ENDINGS
        .iter()
        .filter_map(move |e| word.strip_suffix(e))
        .filter(|stem| stem.chars().count() >= 2)
}

/// The English possessive (Kenya's), with either apostrophe.
pub(super) const POSSESSIVES: &[&str] = &["'s", "\u{2019}s"];

/// Weight of a match that needed a case ending undone.
pub(super) const INFLECTED_WEIGHT: f64 = 0.95;

pub(super) fn generic(word: &str, table: &[(&str, Kind)]) -> Option<Kind> {
    table.iter().find(|(w, _)| *w == word).map(|(_, k)| *k)
}

/// The generic word after a name, perhaps with a Kazakh case ending ("Жамбыл ауданында").
pub(super) fn suffix_generic(word: &str) -> Option<Kind> {
    generic(word, SUFFIX_GENERIC)
        .or_else(|| kazakh_stems(word).find_map(|w| generic(w, SUFFIX_GENERIC)))
}

/// A generic word, perhaps with an Arabic clitic on it ("بمدينة").
pub(super) fn generic_with_clitic(word: &str, table: &[(&str, Kind)]) -> Option<Kind> {
    generic(word, table).or_else(|| {
        if is_arabic(word) {
            strip_clitics(word).iter().find_map(|s| generic(s, table))
        } else {
            None
        }
    })
}
