//! Tile paths and the query strings of tiles and items parse without panicking, and what they
//! accept is in range.
#![no_main]
use incidentmap::filter::FilterArgs;
use incidentmap::http::items::{filter_from, ITEMS, LIMIT, OFFSET};
use incidentmap::http::params::Params;
use incidentmap::http::tiles::{parse_tile_path, tile_filter, tile_filter_params, TILE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (path, query) = text.split_once('?').unwrap_or((text, ""));
    if let Ok((_, tile, scale)) = parse_tile_path(path) {
        assert!(tile.z <= 22 && (tile.x as u64) < (1u64 << tile.z) && (tile.y as u64) < (1u64 << tile.z));
        assert!(scale == 1 || scale == 2);
    }
    if let Ok(p) = Params::declared(Some(query), tile_filter_params(), TILE) {
        let _ = tile_filter(&p);
    }
    if let Ok(p) = Params::declared(Some(query), FilterArgs::NAMES, ITEMS) {
        if let Ok(Some(limit)) = p.int(&LIMIT) {
            assert!((1..=10_000).contains(&limit));
        }
        let _ = p.int(&OFFSET);
        if let Ok(f) = filter_from(&p) {
            if let Some(b) = f.bbox {
                assert!(b.south <= b.north && b.west.abs() <= 180.0 && b.east.abs() <= 180.0);
            }
        }
    }
    let _ = incidentmap::bbox::Bbox::parse(query);
    let _ = incidentmap::filter::TimeRange::parse(query);
});
