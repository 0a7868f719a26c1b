//! Geoparsing on the hand-marked corpus in tests/data/geoparse/ (issue #14): the development
//! part is held to its floor, so a change that loses precision or recall there fails here.
//! The held-out part is reported (examples/geoparse_eval, docs/PERFORMANCE.md), never
//! asserted on, so that nobody tunes against it.

#[path = "../../examples/geoparse_eval/score.rs"]
mod score;

use std::path::Path;

use incidentmap::gazetteer::geoparse::DEFAULT_MIN_CONFIDENCE;

use crate::common::gazetteer;

/// Issue #14 asks for 0.95. Reached on the development part (0.964 on 40 reports, 0.952 on
/// 52). Four more development reports, written later on 2026-12-07 with 16–22 planted
/// look-alikes each (السيول, العقبة, بنك القاهرة عمان, "Sui Southern Gas"), took it to 0.935
/// on arrival; 0.945 after the changes that took recall to 0.900. Eight more (ar19–20, en13–14,
/// kk19–20, ru19–20: Somaliland, Tunisia's south, Maiduguri, the Karakum, Ekibastuz, Talas,
/// Tuva, Nakhchivan) scored 0.885 on arrival and took the part to 0.939; 0.941 with a given
/// name's surname in its case ("Игоря Бикина") and bare Arabic words far from the story. The
/// four of 2026-12-08 (ar22, en16, kk22, ru22) scored 0.868 on arrival and took it to 0.935;
/// 0.938 with banks named after their city (بنك مسقط) and مسقط رأسه 'his birthplace'.
const PRECISION_FLOOR: f64 = 0.935;
/// Issue #14 asks for 0.92. The development part stood at 0.937 on 40 reports; 12 more,
/// written on 2026-12-07 and as new to the geoparser as the held-out ones, took it to 0.874
/// (their places: districts, villages, rivers, Russian towns under 15,000). It stands at 0.900
/// after the gazetteer grew by rule (Russia's towns, rivers and lakes by size, named regions).
/// What it still misses is mostly what the gazetteer lacks: districts, squares, dams,
/// quarters, villages no source lists. The four reports added after that took it to 0.883 on
/// arrival, 0.888 with Russian names in -ай and plural names in the genitive (из Сибая, Учалов),
/// 0.900 with datelines, rivers and lakes after a lower-case "реке"/"озере", districts named by
/// their town's adjective and Arabic names whose article form is no word (المتلوي). The eight
/// added next scored 0.714 on arrival (their in-gazetteer ceiling: 0.811 — deserts, passes,
/// dams, Tuvan districts and villages, Tunisian villages no source lists) and took the part to
/// 0.856; 0.859 with an Arabic final -a read as alif or ta marbuta (هرجيسا, هرجيسة). Four
/// more (ar22, en16, kk22, ru22: Oman's cyclone floods, Kenya's floods, the Volga delta, the
/// Kerch Strait spill) scored 0.653 on arrival (in-gazetteer ceiling 0.736: Nairobi's quarters
/// and rivers, Kenyan dams, spits, lagoons, Astrakhan's villages and rivers) and took the part
/// to 0.838; 0.840 with Russian neuter names in -о in their cases (от Витязева).
/// The floor is where it stands, so it only rises.
const RECALL_FLOOR: f64 = 0.839;

#[test]
fn development_precision_and_recall_hold_their_floor() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/geoparse");
    let s = score::score(&root, &gazetteer(), DEFAULT_MIN_CONFIDENCE, true);
    let dev = s.totals()["dev"];
    let (p, r) = (dev.precision(), dev.recall());
    let report = || s.errors.join("\n");
    assert!(
        p >= PRECISION_FLOOR,
        "development precision {p:.3} < {PRECISION_FLOOR}; mistakes:\n{}",
        report()
    );
    assert!(
        r >= RECALL_FLOOR,
        "development recall {r:.3} < {RECALL_FLOOR}; mistakes:\n{}",
        report()
    );
}

/// 98.7% on the 40 development reports; 97.7% on the 52 of 2026-12-07, whose new places (a
/// town named like a river, a company named like a town) are sure and wrong more often; 97.0%
/// on the 56 with the trap-dense reports added last; 96.3% on the 64 with the eight of the
/// seventh session (Somaliland's Sheikh and Chad's look-alikes among them); 95.8% with the
/// four of 2026-12-08 (Kikuyu the language, Tuzla the spit), 96.1% with banks and مسقط رأسه.
const SURE_RIGHT_FLOOR: f64 = 0.96;

#[test]
fn confidence_of_at_least_0_9_is_right_96_percent_of_the_time() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/geoparse");
    let s = score::score(&root, &gazetteer(), 0.0, false);
    let sure: Vec<&score::Judged> = s
        .judged
        .iter()
        .filter(|j| j.split == "dev" && j.confidence >= 0.9)
        .collect();
    let right = sure.iter().filter(|j| j.right).count();
    let share = score::ratio(right, sure.len());
    assert!(sure.len() > 300, "most mentions are sure: {}", sure.len());
    assert!(
        share >= SURE_RIGHT_FLOOR,
        "{right} of {} mentions with confidence >= 0.9 are right ({share:.3})",
        sure.len()
    );
}

/// The names of the places a text mentions, in order.
fn names(text: &str) -> Vec<String> {
    gazetteer()
        .geoparse(text)
        .into_iter()
        .map(|m| m.place.name)
        .collect()
}

/// Arabic words that are words first: كريم (Karim, 'generous') is not ك + ريم (like Rome),
/// and للاشتباه ('on suspicion', ل + a town's consonants) no town, though Algeria is the story.
#[test]
fn arabic_words_that_contain_a_name_stay_words() {
    let text = "وقال المكلف بالإعلام كريم التلمساني إن الشرطة أوقفت في ولاية بجاية ١١ شخصاً \
                للاشتباه في تورطهم في إضرام النار في الجزائر.";
    assert_eq!(names(text), ["Béjaïa", "Algeria"]);
}

/// Russian declension of names the Snowball stemmer does not undo: names in -ай (из Сибая, в
/// Сибае) and names that are plurals, in the genitive (из Учалов, Туймазов).
#[test]
fn russian_names_in_ai_and_plural_names_are_found_in_every_case() {
    let text = "Автобусы с участниками акции выехали из Сибая, Учалов и Туймазов.";
    assert_eq!(names(text), ["Sibay", "Uchaly", "Tuymazy"]);
}

/// An English possessive is read without its ending: "Peru's" is Peru, not a place spelt
/// "Perus".
#[test]
fn possessives_name_the_place_they_are_of() {
    assert_eq!(
        names("Peru's ombudsman said the protests in Juliaca had left 17 dead."),
        ["Peru", "Juliaca"]
    );
}

/// Arabic spells a foreign name's final -a with alif or ta marbuta (هرجيسا for هرجيسة), but a
/// word ending in the pronoun "his" (أنفه, not Anfa) or an ordinary word stays a word; and a
/// bare word far from everything the story names (أفران 'ovens' in a Lebanese report, as
/// Ifrane in Morocco) is no place, while a town across the border is one.
#[test]
fn arabic_final_a_and_bare_words_far_from_the_story() {
    assert_eq!(names("وصلت تعزيزات إلى هرجيسا أمس."), ["Hargeysa"]);
    assert_eq!(
        names("أصيب الطفل بكسر في أنفه جراء الانفجار في حلب."),
        ["Aleppo"]
    );
    assert_eq!(
        names("بيروت - نفد الطحين من معظم أفران بلدة عرسال."),
        ["Beirut", "Aarsâl"]
    );
    assert_eq!(
        names("الهرمل (لبنان) - قصفت الطائرات يبرود وتلكلخ."),
        ["El Hermel", "Lebanon", "Yabrūd", "Tallkalakh"]
    );
}

/// A bank named after its city and مسقط رأسه 'his birthplace' are no mention of Muscat; a
/// Russian town in -о is met in its cases after a preposition of place (от Витязева до Анапы),
/// not a surname declined alike (Медведеву), nor a short word ("Бе" is not Bo).
#[test]
fn banks_idioms_and_russian_neuter_towns() {
    assert_eq!(
        names("صحار - أعلن بنك مسقط تأجيل الأقساط، وعاد الصياد إلى مسقط رأسه في صور."),
        ["Sohar", "Sur"]
    );
    assert_eq!(
        names("Мазут выбросило на пляжи от Витязева до Анапы."),
        ["Vityazevo", "Anapa"]
    );
    // a surname declines the same way: only after a preposition of place is it a town
    assert_eq!(
        names(
            "Вчера в Анапе губернатор доложил Медведеву о выбросе; сторонников Смирнова задержали."
        ),
        ["Anapa"]
    );
}
