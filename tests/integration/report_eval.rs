//! Draft incidents from reports (issue #18), on the hand-coded reports of
//! `tests/data/reports/`: the development part is held to its floors, so a change that loses
//! events, counts or dates there fails here. The held-out part is reported
//! (`cargo run --release --example report_eval`, docs/PERFORMANCE.md), never asserted on.

#[path = "../../examples/report_eval/score.rs"]
mod score;

use std::path::Path;

use crate::common::gazetteer;

/// Where the development part stands (issue #18 asks 0.80 of each on the held-out part;
/// counts 0.90, dates 0.95). Floors only rise, except when a change trades a little of one
/// for more of another on the development part (say so in the commit), or when the
/// development part grows: six reports written on 2026-12-07 (kk10–12, ru10–12), as new to
/// the drafter as the held-out ones, took recall from 0.851 to 0.750 and dates from 1.000 to
/// 0.955 on the day they were added. Twelve more the same day (ar10–12, en10–12, kk13–15,
/// ru13–15) scored P 0.50 / R 0.48 and P 0.67 / R 0.57 before any change made with them in
/// view, and took the part from P 0.796 / R 0.841 to P 0.724 / R 0.735. Eight more, written
/// later that day (ar13–14, en13–14, kk16–17, ru16–17), scored P 0.43 / R 0.42 on arrival
/// (Arabic 0.17 / 0.10: a flood report whose deaths are told with قضى and غرقاً gave no draft)
/// and took the part from P 0.761 / R 0.773 to P 0.692 / R 0.696. Clashes in a report of tear
/// gas and batons read as a riot then gained events and lost a count (counts 0.847 → 0.840).
/// The next session's general changes (the hurt taken to hospital, deaths of wounds later,
/// disasters named before their dead, being without heat) took it to P 0.782 / R 0.810,
/// counts 0.875, dates 0.963; number words split at commas, tolls across asides and running
/// totals since an earlier month took counts to 0.890. Eight more, written in a later session
/// (ar15–16, en15–16, kk18–19, ru18–19), scored P 0.750 / R 0.711 / counts 0.667 on arrival
/// and took the part from P 0.782 / R 0.810 / counts 0.890 to P 0.776 / R 0.791 / 0.853.
/// General rules made from the errors (people named one by one, plans, quotes, relatives,
/// denials…) took it to P 0.832 / R 0.840 / counts 0.925; eight more reports (ar17–18,
/// en17–18, kk30–31, ru30–31) then scored P 0.771 / R 0.675 / counts 0.778 on arrival and
/// took the part to P 0.823 / R 0.813 / counts 0.905. Rules made from the second batch's
/// errors (summary ledes, localities the gazetteer lacks, yesterday's, Arabic duals…) took it
/// to P 0.840 / R 0.854 / counts 0.924 / dates 0.976. The geoparser then found a district by
/// its town's adjective ("Баймакского района"), which matched one more event whose count it
/// misses ("еще двоих — в деревне …"): R 0.858, counts 0.919. Eight more (ar19, en19, kk32,
/// ru32, ar30, en30, kk33, ru33) scored P 0.659 / R 0.659 on arrival; rules made from them and a
/// reviewer's fixes took the part to P 0.854 / R 0.866 / counts 0.920 / dates 0.980. Eight more
/// (ar31–32, en31–32, kk34–35, ru34–35) scored P 0.593 / R 0.727 / counts 0.906 on arrival and
/// took it to P 0.824 / R 0.856 / counts 0.920 / dates 0.979. Eight more (ar33–34, en33–34,
/// kk36–37, ru36–37: the Bekaa, Mali, Ecuador, Myanmar, Kostanay, North Kazakhstan, Yakutia,
/// Khabarovsk) scored P 0.623 / R 0.731 / counts 0.868 on arrival and took the part to
/// P 0.794 / R 0.839 / counts 0.914 / dates 0.981; P 0.802 / counts 0.917 with bare Arabic
/// one-word names abroad dropped (أفران 'ovens', as Ifrane) and gas pipes that blow up kept as
/// explosions; P 0.805 / R 0.847 / dates 0.982 with "the same day" and "the next day" dated
/// from the day named last, and bare Arabic words far from the story's places dropped. Eight
/// more (ar35–36, en35–36, kk38–39, ru38–39: Khuzestan, southern Saudi Arabia, Nepal, South
/// Africa, northern Afghanistan, Astrakhan, Karachay-Cherkessia, Sakhalin) scored P 0.737 /
/// R 0.764 / counts 0.833 / dates 0.976 on arrival and took the part to P 0.805 / R 0.841 /
/// counts 0.911 / dates 0.981; P 0.811 / R 0.846 / counts 0.912 with organisations' seats
/// ("a London-based group"), calls to protest, stun grenades, Arabic من after a launch and the
/// Kazakh ablative as origins, a country whose border is named as a point of reference, the
/// verb انقطع as a cut and "18 ألفاً و422".
const PRECISION_FLOOR: f64 = 0.80;
const RECALL_FLOOR: f64 = 0.845;
const COUNTS_FLOOR: f64 = 0.911;
const DATES_FLOOR: f64 = 0.975;

#[test]
fn development_events_counts_and_dates_hold_their_floors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/reports");
    let s = score::score(&root, &gazetteer());
    let dev = s.split("dev");
    assert_eq!(dev.reports, 94, "the development part has 94 reports");
    let report = || s.errors.join("\n");
    for (what, got, floor) in [
        ("precision", dev.precision(), PRECISION_FLOOR),
        ("recall", dev.recall(), RECALL_FLOOR),
        ("counts right", dev.counts(), COUNTS_FLOOR),
        ("dates right", dev.dates(), DATES_FLOOR),
    ] {
        assert!(
            got >= floor,
            "development {what} {got:.3} < {floor}:\n{}",
            report()
        );
    }
}
