//! The CSV import parsers (our columns, and ACLED exports) never panic, and what they accept
//! is a valid incident draft.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for name in ["fuzz.csv", "fuzz-acled.csv"] {
        if let Ok(rows) = incidentmap::import::read(name, text) {
            for row in rows.into_iter().filter_map(|r| r.draft.ok()) {
                if let Some((lon, lat)) = row.point {
                    assert!(incidentmap::model::validate_lon_lat(lon, lat).is_ok());
                }
            }
        }
    }
    let _ = incidentmap::format::acled::parse_lenient(text);
});
