//! The GeoJSON import parser never panics, and whatever it accepts is a valid incident draft.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(rows) = incidentmap::import::read("fuzz.geojson", text) {
        for row in rows.into_iter().filter_map(|r| r.draft.ok()) {
            if let Some((lon, lat)) = row.point {
                assert!(incidentmap::model::validate_lon_lat(lon, lat).is_ok());
            }
            if let Some(id) = &row.id {
                assert!(incidentmap::model::validate_id(id).is_ok());
            }
        }
    }
    let _ = incidentmap::format::geojson::parse_feature_text(text);
});
