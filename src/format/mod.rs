//! Interchange formats for incidents: GeoJSON, our CSV and ACLED-style CSV, both directions.

pub mod acled;
pub mod csv;
pub mod geojson;
