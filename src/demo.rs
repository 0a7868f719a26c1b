//! The demo dataset: the January 2022 unrest in Kazakhstan as an Arabic news report gives it,
//! place names in Arabic and no coordinates — every point comes from the gazetteer when it
//! loads, which makes the demo an end-to-end test of geocoding as well.

/// Where the file lives in the repository (and the name it is imported under).
pub const FILE_NAME: &str = "demo/kazakhstan-2022.geojson";

/// The file itself, compiled in so that `serve --demo` works from any directory.
pub const GEOJSON: &str = include_str!("../demo/kazakhstan-2022.geojson");
