//! Strong entity tags: a 128-bit FNV-1a hash of the parts that decide a representation's
//! bytes, so a collision (which would mean a wrong 304 or a lost update slipping past
//! If-Match) is out of reach in practice.

/// The quoted tag (`"…"`, 32 hex digits).
pub fn strong(parts: &[&[u8]]) -> String {
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for p in parts {
        // a separator byte, so ["ab", "c"] and ["a", "bc"] differ
        for &byte in p.iter().chain(&[0xff]) {
            h = (h ^ byte as u128).wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
        }
    }
    format!("\"{h:032x}\"")
}

/// The tag of one incident: its GeoJSON feature's bytes, stored fields only (the stores check
/// If-Match without the gazetteer that derives the region; the region changes only with the
/// gazetteer, that is with a new release). Every read and every conditional write uses this
/// one definition.
pub fn of_incident(i: &crate::model::Incident) -> String {
    strong(&[b"feature", &crate::format::geojson::stored_feature(i)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_separated() {
        assert_ne!(strong(&[b"ab", b"c"]), strong(&[b"a", b"bc"]));
        assert_eq!(strong(&[b"x"]), strong(&[b"x"]));
        assert_eq!(strong(&[]).len(), 34);
    }
}
