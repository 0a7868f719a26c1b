//! Writing incidents out in the formats analysts use: GeoJSON, our CSV, ACLED-style CSV, and
//! a standalone GeoPackage — with the same filters as the items endpoint.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use crate::filter::Filter;
use crate::filter::sort::SortBy;
use crate::gazetteer::Gazetteer;
use crate::model::Incident;
use crate::spatial::Snapshot;
use crate::store::{Change, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    GeoJson,
    Csv,
    Acled,
    Gpkg,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "geojson" => Format::GeoJson,
            "csv" => Format::Csv,
            "acled" => Format::Acled,
            "gpkg" => Format::Gpkg,
            other => return Err(format!("{other:?} is not geojson, csv, acled or gpkg")),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0} already exists; remove it or choose another file")]
    Exists(String),
}

/// The incidents the filter matches, in page order or the order `sort` gives.
pub fn select(snap: &Snapshot, filter: &Filter, sort: &SortBy) -> Vec<Arc<Incident>> {
    snap.page_sorted(filter, sort, 0, usize::MAX).items
}

/// Writes incidents as a text format.
pub fn write_text(
    out: impl Write,
    format: Format,
    gaz: &Gazetteer,
    incidents: &[Arc<Incident>],
) -> Result<(), ExportError> {
    let items = incidents.iter().map(|i| i.as_ref());
    match format {
        Format::GeoJson => {
            let mut out = std::io::BufWriter::new(out);
            out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
            let mut buf = Vec::with_capacity(1024);
            for (n, i) in items.enumerate() {
                buf.clear();
                if n > 0 {
                    buf.push(b',');
                }
                crate::format::geojson::write_feature(&mut buf, i);
                out.write_all(&buf)?;
            }
            out.write_all(b"]}\n")?;
            out.flush()?;
        }
        Format::Csv => crate::format::csv::write(out, items)?,
        Format::Acled => crate::format::acled::write(out, gaz, items)?,
        Format::Gpkg => unreachable!("a GeoPackage is a file, see write_gpkg"),
    }
    Ok(())
}

/// Writes incidents into a new GeoPackage file (refusing to overwrite one).
pub fn write_gpkg(path: &Path, incidents: &[Arc<Incident>]) -> Result<(), ExportError> {
    if path.exists() {
        return Err(ExportError::Exists(path.display().to_string()));
    }
    let tmp = path.with_extension("gpkg.partial");
    let _ = std::fs::remove_file(&tmp);
    {
        let store = crate::store::gpkg::GpkgStore::open(&tmp)?;
        let changes: Vec<Change> = incidents
            .iter()
            .map(|i| Change::Put(i.as_ref().clone()))
            .collect();
        store.apply(&changes, "export")?;
        store.checkpoint()?;
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}
