//! What a report's drafted events become: new draft incidents for the review queue, or
//! proposals to add the report as a source of an incident already published (corroboration),
//! so that ten wires about one riot do not become ten incidents.

use geo::{Distance, Haversine, Point};
use serde::Serialize;

use super::{Count, DraftEvent};
use crate::bbox::Bbox;
use crate::filter::{Filter, TimeRange};
use crate::model::{CategorySet, Incident, OccurredAt, Status};
use crate::spatial::Snapshot;

/// Two points-level places this close are the same place for corroboration (a city and a
/// district of it; a town and the village next to it the wire also names).
pub const SAME_PLACE_KM: f64 = 25.0;
/// Dates this many days apart are the same event for corroboration (reports straddle
/// midnight and time zones, and "yesterday" is counted from different days).
pub const SAME_DAY_SLACK: i64 = 1;

/// What the report's source is called on the incidents drafted from it.
#[derive(Debug, Clone, Default)]
pub struct Origin<'a> {
    pub report_id: &'a str,
    /// The report's source (an agency, a channel), else its URL.
    pub source: Option<&'a str>,
}

/// A drafted event as a draft incident of the review queue, under the id `id`.
pub fn draft_incident(text: &str, e: &DraftEvent, id: String, origin: &Origin<'_>) -> Incident {
    let value = |c: &Option<Count>| c.as_ref().map(|c| c.value);
    Incident {
        id,
        lon: e.place.lon,
        lat: e.place.lat,
        occurred_at: OccurredAt::Date(e.occurred_at),
        category: e.category,
        fatalities: value(&e.fatalities),
        injured: value(&e.injured),
        arrested: value(&e.arrested),
        // As the report names it, in its own script, like any incident's place.
        place: Some(slice(text, e.place_evidence.start, e.place_evidence.end)),
        place_id: Some(e.place.id),
        precision: e.precision,
        source: origin.source.map(String::from),
        notes: qualifiers(e),
        status: Status::Draft,
        report_id: Some(origin.report_id.to_string()),
        admin1: None,
    }
}

/// The hedges a count came with ("at least 12"), which the incident's integer fields cannot
/// hold: kept in the notes so an editor sees them.
fn qualifiers(e: &DraftEvent) -> Option<String> {
    let parts: Vec<String> = [
        ("fatalities", &e.fatalities),
        ("injured", &e.injured),
        ("arrested", &e.arrested),
    ]
    .into_iter()
    .filter_map(|(k, c)| {
        let c = c.as_ref()?;
        let q = c.qualifier?;
        let q = serde_json::to_value(q).ok()?;
        Some(format!(
            "{k}: {} {}",
            q.as_str()?.replace('_', " "),
            c.value
        ))
    })
    .collect();
    (!parts.is_empty()).then(|| format!("counts as reported: {}", parts.join("; ")))
}

/// Characters `start..end` (code points) of `text`.
pub fn slice(text: &str, start: usize, end: usize) -> String {
    text.chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect()
}

/// The published incident a drafted event corroborates, if any: the same category, a date
/// within [`SAME_DAY_SLACK`] days, and the same place — the same gazetteer place, or for
/// point-level places within [`SAME_PLACE_KM`]. The nearest such incident's id wins.
pub fn corroborated(snap: &Snapshot, e: &DraftEvent) -> Option<String> {
    let day_ms = 86_400_000;
    let start = OccurredAt::Date(e.occurred_at).start_ms();
    // 25 km is under 0.25° of latitude; longitude degrees shrink towards the poles.
    let dlat = 0.25;
    let dlon = (0.25 / e.place.lat.to_radians().cos().max(0.05)).min(180.0);
    let filter = Filter {
        bbox: Bbox::new(
            (e.place.lon - dlon).max(-180.0),
            (e.place.lat - dlat).max(-90.0),
            (e.place.lon + dlon).min(180.0),
            (e.place.lat + dlat).min(90.0),
        )
        .ok(),
        time: Some(TimeRange {
            start: Some(start - SAME_DAY_SLACK * day_ms),
            end: Some(start + (1 + SAME_DAY_SLACK) * day_ms - 1),
        }),
        categories: Some([e.category].into_iter().collect::<CategorySet>()),
        ..Filter::default()
    };
    let here = Point::new(e.place.lon, e.place.lat);
    // Every candidate is visited (no page to build, no cap on how many).
    let mut best: Option<(f64, String)> = None;
    snap.for_each(&filter, |i| {
        let km = Haversine.distance(here, Point::new(i.lon, i.lat)) / 1000.0;
        let same_place = i.place_id == Some(e.place.id)
            || (!i.precision.is_area() && !e.precision.is_area() && km <= SAME_PLACE_KM);
        if same_place && best.as_ref().is_none_or(|(d, _)| km < *d) {
            best = Some((km, i.id.clone()));
        }
    });
    best.map(|(_, id)| id)
}

/// One drafted event of a report, as the answer to `POST /reports` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal<'a> {
    /// What the extractor found, with the evidence of every field.
    #[serde(flatten)]
    pub event: &'a DraftEvent,
    /// The draft incident it became (absent when it corroborates one instead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<String>,
    /// The published incident this event is most likely already: add the report to its
    /// sources instead of publishing a duplicate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corroborates: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::Kind;
    use crate::model::{Category, Precision};
    use crate::report::{DraftPlace, Qualifier, Span};
    use crate::spatial::Index;
    use std::sync::Arc;
    use time::macros::date;

    fn event(lon: f64, lat: f64, day: time::Date, category: Category) -> DraftEvent {
        let span = Span { start: 0, end: 5 };
        DraftEvent {
            place: DraftPlace {
                id: 610529,
                name: "Zhanaozen".into(),
                kind: Kind::City,
                country: "KZ".into(),
                admin1: None,
                lon,
                lat,
                confidence: 0.9,
            },
            precision: Precision::City,
            place_evidence: span,
            occurred_at: day,
            date_evidence: None,
            category,
            category_evidence: span,
            fatalities: Some(Count {
                value: 12,
                qualifier: Some(Qualifier::AtLeast),
                evidence: span,
            }),
            injured: None,
            arrested: None,
        }
    }

    fn published(id: &str, lon: f64, lat: f64, day: &str, category: Category) -> Incident {
        let mut i = draft_incident(
            "Жанаозен",
            &event(lon, lat, date!(2022 - 01 - 01), category),
            id.into(),
            &Origin::default(),
        );
        i.occurred_at = OccurredAt::parse(day).unwrap();
        i.status = Status::Published;
        i.place_id = None;
        i.report_id = None;
        i
    }

    fn snapshot(incidents: Vec<Incident>) -> Arc<Snapshot> {
        Index::new(incidents, 1, Arc::new(|_: &Incident| None)).snapshot()
    }

    #[test]
    fn a_draft_keeps_the_report_and_the_hedges() {
        let text = "Жанаозен: не менее 12 погибших";
        let e = event(52.8, 43.34, date!(2022 - 01 - 05), Category::Riot);
        let origin = Origin {
            report_id: "rep-1",
            source: Some("Interfax"),
        };
        let i = draft_incident(text, &e, "inc-1".into(), &origin);
        assert_eq!(i.status, Status::Draft);
        assert_eq!(i.report_id.as_deref(), Some("rep-1"));
        assert_eq!(i.place.as_deref(), Some("Жанао"));
        assert_eq!(i.fatalities, Some(12));
        assert_eq!(
            i.notes.as_deref(),
            Some("counts as reported: fatalities: at least 12")
        );
        assert_eq!(i.validate(), Ok(()));
    }

    #[test]
    fn corroboration_needs_the_same_place_day_and_kind() {
        let snap = snapshot(vec![
            published("near", 52.9, 43.35, "2022-01-04", Category::Riot),
            published("far", 51.2, 43.65, "2022-01-05", Category::Riot),
            published("other-kind", 52.8, 43.34, "2022-01-05", Category::Protest),
            published("too-late", 52.8, 43.34, "2022-01-08", Category::Riot),
        ]);
        let e = event(52.8, 43.34, date!(2022 - 01 - 05), Category::Riot);
        assert_eq!(corroborated(&snap, &e).as_deref(), Some("near"));
        let e = event(52.8, 43.34, date!(2022 - 01 - 07), Category::Riot);
        assert_eq!(corroborated(&snap, &e).as_deref(), Some("too-late"));
        let e = event(52.8, 43.34, date!(2022 - 01 - 05), Category::Arrests);
        assert!(corroborated(&snap, &e).is_none());
        let e = event(52.8, 43.34, date!(2022 - 01 - 10), Category::Riot);
        assert!(corroborated(&snap, &e).is_none());
    }
}
