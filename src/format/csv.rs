//! CSV in and out, with our own columns:
//! `id,occurred_at,category,lon,lat,place,place_id,precision,fatalities,injured,arrested,source,notes`,
//! written with the derived `admin1,admin1_code` after them (read back, those two are ignored).
//!
//! Reading needs a header; columns may come in any order and all but `occurred_at` and
//! `category` may be missing. A row without `lon`/`lat` is geocoded from `place`. Errors carry
//! the file's line number.
//!
//! Every CSV the service writes (this one and [`crate::format::acled`]) guards against CSV
//! injection: see [`escape_cell`].

use std::borrow::Cow;

use crate::draft::Draft;
use crate::format::geojson::DERIVED;
use crate::model::{Incident, OccurredAt};

/// Our columns, in the order we write them.
pub const COLUMNS: &[&str] = &[
    "id",
    "occurred_at",
    "category",
    "lon",
    "lat",
    "place",
    "place_id",
    "precision",
    "fatalities",
    "injured",
    "arrested",
    "source",
    "notes",
];

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum CsvError {
    #[error("not valid CSV: {0}")]
    Syntax(String),
    #[error("header: {0}")]
    Header(String),
    #[error("line {line}: {message}")]
    Row { line: u64, message: String },
}

/// The first characters that make a spreadsheet (Excel, LibreOffice, Google Sheets) read a
/// cell as a formula, or (tab, carriage return) hide one: OWASP's CSV-injection list.
const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// A text cell as written to CSV: one that a spreadsheet would run as a formula
/// (`=HYPERLINK(…)`, `@SUM(…)`, `-2+3`) gets a leading `'`, which spreadsheets show as text;
/// OWASP's rule for CSV injection.
///
/// Only text is escaped: the numeric columns (coordinates, counts, ids of places) are written
/// by us from numbers, so `-12.5` there stays a number. A text cell is escaped whenever it
/// starts with `= + - @`, tab or CR, even when it looks like a number: in a text column it is
/// text. A cell that already starts with `'` before such a character gets one more, so
/// [`unescape_cell`] gives every value back exactly and our own exports re-import unchanged.
pub fn escape_cell(s: &str) -> Cow<'_, str> {
    if s.trim_start_matches('\'').starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Undoes [`escape_cell`] when reading a CSV: one leading `'` is dropped from a cell whose
/// quotes are followed by a formula character. Anything else is read as written.
pub fn unescape_cell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(FORMULA_STARTS) => rest,
        _ => s,
    }
}

/// A row's line number and its own success or failure.
pub type CsvRow = (u64, Result<Draft, CsvError>);

/// Parses CSV text, keeping each row's own success or failure (with its line number).
pub fn parse_lenient(text: &str) -> Result<Vec<CsvRow>, CsvError> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = r
        .headers()
        .map_err(|e| CsvError::Syntax(e.to_string()))?
        .clone();
    let mut col = [usize::MAX; 13];
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim_start_matches('\u{feff}').to_ascii_lowercase();
        if DERIVED.contains(&h.as_str()) {
            continue; // our own export, read back: the region is derived again
        }
        match COLUMNS.iter().position(|c| *c == h) {
            Some(k) if col[k] != usize::MAX => {
                return Err(CsvError::Header(format!("column {h:?} appears twice")));
            }
            Some(k) => col[k] = i,
            None => {
                return Err(CsvError::Header(format!(
                    "unknown column {h:?}; the columns are {}",
                    COLUMNS.join(", ")
                )));
            }
        }
    }
    let has = |name: &str| col[COLUMNS.iter().position(|c| *c == name).unwrap()] != usize::MAX;
    if has("lon") != has("lat") {
        return Err(CsvError::Header("lon and lat must come together".into()));
    }
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| CsvError::Syntax(e.to_string()))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let get = |name: &str| -> Option<&str> {
            let k = COLUMNS.iter().position(|c| *c == name).unwrap();
            rec.get(col[k]).map(unescape_cell).filter(|s| !s.is_empty())
        };
        out.push((
            line,
            row(&get).map_err(|message| CsvError::Row { line, message }),
        ));
    }
    Ok(out)
}

fn row<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Result<Draft, String> {
    let num = |name: &str| -> Result<Option<f64>, String> {
        get(name)
            .map(|v| {
                v.parse::<f64>()
                    .map_err(|_| format!("{name}: {v:?} is not a number"))
            })
            .transpose()
    };
    let count = |name: &str| -> Result<Option<u32>, String> {
        get(name)
            .map(|v| {
                v.parse::<u32>()
                    .map_err(|_| format!("{name}: {v:?} is not a non-negative integer"))
            })
            .transpose()
    };
    let point = match (num("lon")?, num("lat")?) {
        (Some(lon), Some(lat)) => {
            crate::model::validate_lon_lat(lon, lat).map_err(|e| e.to_string())?;
            Some((lon, lat))
        }
        (None, None) => None,
        _ => return Err("lon and lat must both be given or both be empty".into()),
    };
    let d = Draft {
        id: get("id").map(String::from),
        point,
        occurred_at: get("occurred_at")
            .map(OccurredAt::parse)
            .transpose()
            .map_err(|e| e.to_string())?,
        category: get("category")
            .map(str::parse)
            .transpose()
            .map_err(|e: crate::model::ModelError| e.to_string())?,
        fatalities: count("fatalities")?,
        injured: count("injured")?,
        arrested: count("arrested")?,
        place: get("place").map(String::from),
        place_id: get("place_id")
            .map(|v| {
                v.parse::<u64>()
                    .map_err(|_| format!("place_id: {v:?} is not a gazetteer id"))
            })
            .transpose()?,
        precision: get("precision")
            .map(str::parse)
            .transpose()
            .map_err(|e: crate::model::ModelError| e.to_string())?,
        source: get("source").map(String::from),
        notes: get("notes").map(String::from),
        // A CSV row is published: the review queue is kept in the store, not in files.
        status: None,
        report_id: None,
    };
    if let Some(id) = &d.id {
        crate::model::validate_id(id).map_err(|e| e.to_string())?;
    }
    Ok(d)
}

/// Writes incidents as CSV with [`COLUMNS`].
pub fn write<I: std::borrow::Borrow<Incident>>(
    out: impl std::io::Write,
    incidents: impl IntoIterator<Item = I>,
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS.iter().chain(DERIVED))?;
    for i in incidents {
        let i = i.borrow();
        let opt = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
        // Text goes through escape_cell; the other columns are numbers and our own
        // vocabularies (dates, categories, precisions), which never start a formula.
        let text = |v: Option<&str>| escape_cell(v.unwrap_or_default()).into_owned();
        w.write_record([
            text(Some(&i.id)),
            i.occurred_at.to_string(),
            i.category.to_string(),
            format!("{:.6}", i.lon),
            format!("{:.6}", i.lat),
            text(i.place.as_deref()),
            i.place_id.map(|v| v.to_string()).unwrap_or_default(),
            i.precision.to_string(),
            opt(i.fatalities),
            opt(i.injured),
            opt(i.arrested),
            text(i.source.as_deref()),
            text(i.notes.as_deref()),
            text(i.admin1.as_ref().map(|a| &*a.name)),
            text(i.admin1.as_ref().map(|a| &*a.code)),
        ])?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Category;

    #[test]
    fn reads_rows_with_or_without_points() {
        let t = "occurred_at,category,place,lon,lat,fatalities\n\
                 2022-01-05,riot,ألما آتا,,,103\n\
                 2022-01-02,protest,\"Zhanaozen, KZ\",52.8,43.34,\n";
        let rows = parse_lenient(t).unwrap();
        let a = rows[0].1.as_ref().unwrap();
        assert_eq!(
            (a.point, a.fatalities, a.category),
            (None, Some(103), Some(Category::Riot))
        );
        let b = rows[1].1.as_ref().unwrap();
        assert_eq!(b.point, Some((52.8, 43.34)));
        assert_eq!(b.place.as_deref(), Some("Zhanaozen, KZ"));
    }

    #[test]
    fn errors_carry_line_numbers() {
        let t = "occurred_at,category,lon,lat\n2022-01-05,riot,1,2\n2022-01-05,riot,1,95\n";
        let rows = parse_lenient(t).unwrap();
        assert!(rows[0].1.is_ok());
        let e = rows[1].1.as_ref().unwrap_err().to_string();
        assert!(e.starts_with("line 3: ") && e.contains("latitude"), "{e}");
        let e = parse_lenient("when,category\n").unwrap_err().to_string();
        assert!(e.contains("unknown column \"when\""), "{e}");
        let e = parse_lenient("lon,category\n").unwrap_err().to_string();
        assert!(e.contains("lon and lat"), "{e}");
    }

    #[test]
    fn written_csv_reads_back() {
        let i = Incident {
            id: "a".into(),
            lon: 76.9,
            lat: 43.2,
            occurred_at: OccurredAt::parse("2022-01-05").unwrap(),
            category: Category::Arrests,
            fatalities: None,
            injured: None,
            arrested: Some(800),
            place: Some("Almaty, \"city\"".into()),
            place_id: Some(1526384),
            precision: crate::model::Precision::City,
            source: None,
            notes: Some("line\nbreak".into()),
            status: Default::default(),
            report_id: None,
            admin1: None,
        };
        let mut out = Vec::new();
        write(&mut out, [&i]).unwrap();
        let rows = parse_lenient(std::str::from_utf8(&out).unwrap()).unwrap();
        let d = rows[0].1.clone().unwrap();
        assert_eq!(d.place, i.place);
        assert_eq!(d.notes, i.notes);
        assert_eq!(d.arrested, Some(800));
        assert_eq!(d.point, Some((76.9, 43.2)));
    }

    #[test]
    fn cells_that_start_a_formula_are_escaped() {
        for (cell, written) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("@SUM(1+1)", "'@SUM(1+1)"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("-12.5", "'-12.5"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("'=1", "''=1"),
            ("''@x", "'''@x"),
            ("'quoted'", "'quoted'"),
            ("a=b", "a=b"),
            (" =1", " =1"),
            ("", ""),
            ("ألما آتا", "ألما آتا"),
        ] {
            assert_eq!(escape_cell(cell), written, "{cell:?}");
            assert_eq!(unescape_cell(&escape_cell(cell)), cell, "{cell:?}");
        }
    }

    #[test]
    fn text_columns_are_escaped_numbers_are_not_and_all_read_back() {
        let i = Incident {
            id: "a".into(),
            lon: -12.5,
            lat: -43.25,
            occurred_at: OccurredAt::parse("2022-01-05").unwrap(),
            category: Category::Protest,
            fatalities: Some(3),
            injured: None,
            arrested: None,
            place: Some("-Almaty".into()),
            place_id: None,
            precision: crate::model::Precision::Exact,
            source: Some("=HYPERLINK(\"http://evil.example\",\"click\")".into()),
            notes: Some("@SUM(1+1)*cmd|' /C calc'!A0".into()),
            status: Default::default(),
            report_id: None,
            admin1: None,
        };
        let mut out = Vec::new();
        write(&mut out, [&i]).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rec = r.records().next().unwrap().unwrap();
        let cell = |name: &str| rec.get(COLUMNS.iter().position(|c| *c == name).unwrap());
        assert_eq!(cell("lon"), Some("-12.500000"));
        assert_eq!(cell("lat"), Some("-43.250000"));
        assert_eq!(cell("place"), Some("'-Almaty"));
        assert!(
            cell("source").unwrap().starts_with("'=HYPERLINK("),
            "{text}"
        );
        assert!(cell("notes").unwrap().starts_with("'@SUM("), "{text}");
        let d = parse_lenient(&text).unwrap()[0].1.clone().unwrap();
        assert_eq!((d.place, d.source, d.notes), (i.place, i.source, i.notes));
        assert_eq!(d.point, Some((-12.5, -43.25)));
    }
}
