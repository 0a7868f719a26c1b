//! Name folding is total and idempotent, keys are what folding says, and query parsing never
//! panics, in any script.
#![no_main]
use incidentmap::gazetteer::{normalize, query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let folded = normalize::fold(text);
    assert_eq!(normalize::fold(&folded), folded, "fold is idempotent");
    assert!(!folded.starts_with(' ') && !folded.ends_with(' ') && !folded.contains("  "));
    assert!(normalize::phonetic(&folded).is_ascii());
    for stem in normalize::strip_clitics(&folded) {
        assert!(folded.ends_with(stem));
    }
    let q = query::parse(text);
    for v in query::variants(&q) {
        assert!(!v.key.contains(' '));
    }
});
