//! Reading incident files (GeoJSON, our CSV, ACLED CSV exports) into rows for [`crate::app::App::import`], and the
//! report an import ends with.

use crate::draft::Draft;
use crate::format;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: {message}")]
    Unreadable { file: String, message: String },
}

/// One row of a file: where it came from ("line 12", "feature 3") and what it holds.
#[derive(Debug)]
pub struct Row {
    pub origin: String,
    pub draft: Result<Draft, String>,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Store the good rows even if some are bad.
    pub skip_invalid: bool,
    /// Check everything, write nothing.
    pub dry_run: bool,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Report {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// (origin, reason) of every row not stored.
    pub rejected: Vec<(String, String)>,
    /// Whether anything was written (false on a dry run or when bad rows stopped the file).
    pub written: bool,
}

/// File formats we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    GeoJson,
    /// Our columns.
    Csv,
    /// An ACLED export (or our ACLED-style export).
    Acled,
}

/// Picks the format from the file name, or failing that from the first character.
pub fn detect(name: &str, text: &str) -> Format {
    let lower = name.to_ascii_lowercase();
    let looks_like_json = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{');
    let first_line = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or("");
    if lower.ends_with(".geojson")
        || lower.ends_with(".json")
        || (looks_like_json && !lower.ends_with(".csv"))
    {
        Format::GeoJson
    } else if crate::format::acled::is_acled_header(first_line) {
        Format::Acled
    } else {
        Format::Csv
    }
}

/// Reads a whole file into rows. A file that cannot be parsed at all is an error; a bad row
/// is a row with an error.
pub fn read(name: &str, text: &str) -> Result<Vec<Row>, ImportError> {
    let unreadable = |message: String| ImportError::Unreadable {
        file: name.to_string(),
        message,
    };
    match detect(name, text) {
        Format::GeoJson => Ok(format::geojson::parse_features_lenient(text)
            .map_err(|e| unreadable(e.to_string()))?
            .into_iter()
            .enumerate()
            .map(|(n, r)| Row {
                origin: format!("feature {}", n + 1),
                draft: r.map_err(|e| match e {
                    format::geojson::ParseError::Feature { message, .. } => message,
                    other => other.to_string(),
                }),
            })
            .collect()),
        Format::Csv => Ok(format::csv::parse_lenient(text)
            .map_err(|e| unreadable(e.to_string()))?
            .into_iter()
            .map(|(line, r)| Row {
                origin: format!("line {line}"),
                draft: r.map_err(|e| match e {
                    format::csv::CsvError::Row { message, .. } => message,
                    other => other.to_string(),
                }),
            })
            .collect()),
        Format::Acled => Ok(format::acled::parse_lenient(text)
            .map_err(unreadable)?
            .into_iter()
            .map(|(line, r)| Row {
                origin: format!("line {line}"),
                draft: r,
            })
            .collect()),
    }
}
