//! Interchange formats for incidents: GeoJSON and CSV, both directions.

pub mod csv;
pub mod geojson;
