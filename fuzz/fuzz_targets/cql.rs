//! CQL2 filters, text and JSON, parse or are refused without panicking, and whatever parses
//! can be evaluated on an incident and lowered into the typed filter.
#![no_main]
use incidentmap::filter::FilterArgs;
use incidentmap::filter::cql::{Cql, Lang};
use incidentmap::model::{Admin1, Category, Incident, OccurredAt, Precision};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let incident = Incident {
        id: "kz22-001".into(),
        lon: 76.93,
        lat: 43.25,
        occurred_at: OccurredAt::parse("2022-01-05").unwrap(),
        category: Category::Riot,
        fatalities: Some(3),
        injured: None,
        arrested: Some(12),
        place: Some("ألما آتا".into()),
        place_id: Some(1526384),
        precision: Precision::City,
        source: None,
        notes: None,
        status: Default::default(),
        report_id: None,
        // as the index derives it, so admin1 and admin1_code are evaluated too
        admin1: Some(std::sync::Arc::new(Admin1 {
            code: "KZ.02".into(),
            name: "Almaty".into(),
        })),
    };
    for lang in [Lang::Text, Lang::Json] {
        if let Ok(c) = Cql::parse(text, lang, None) {
            let _ = c.matches(&incident);
        }
    }
    let args = FilterArgs {
        filter: Some(text.to_string()),
        ..Default::default()
    };
    if let Ok(f) = args.build() {
        let _ = f.matches(&incident);
    }
});
