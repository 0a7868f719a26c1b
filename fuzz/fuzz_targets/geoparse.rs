//! Geoparsing never panics on any text, and every mention and demonym slices back out of the
//! text at its code-point offsets, in order and without overlap.
#![no_main]
use std::sync::LazyLock;

use incidentmap::gazetteer::Gazetteer;
use incidentmap::gazetteer::geoparse::GeoparseOptions;
use libfuzzer_sys::fuzz_target;

static GAZ: LazyLock<Gazetteer> =
    LazyLock::new(|| Gazetteer::embedded().expect("the embedded gazetteer loads"));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let chars: Vec<char> = text.chars().collect();
    let g = GAZ.geoparse_with(
        text,
        &GeoparseOptions {
            min_confidence: 0.0,
            ..Default::default()
        },
    );
    let mut end = 0;
    for m in &g.mentions {
        assert!(m.start < m.end && m.end <= chars.len());
        assert!(m.start >= end, "mentions are in order and do not overlap");
        end = m.end;
        assert_eq!(chars[m.start..m.end].iter().collect::<String>(), m.text);
        assert!(m.place.confidence > 0.0 && m.place.confidence <= 1.0);
    }
    for d in &g.demonyms {
        assert_eq!(chars[d.start..d.end].iter().collect::<String>(), d.text);
    }
    assert_eq!(g.found, g.mentions.len());
});
