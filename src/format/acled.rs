//! ACLED-style CSV: the columns conflict analysts' spreadsheets and scripts already expect
//! (event_id_cnty, event_date, event_type, sub_event_type, country, admin1, location,
//! latitude, longitude, geo_precision, source, notes, fatalities), both ways.
//!
//! Out, incidentmap's own fields follow the ACLED ones (injured, arrested, category,
//! precision, place_id, occurred_at) so nothing is lost and the file re-imports exactly.
//! In, ACLED exports map onto our fields: event types onto categories, geo_precision 1/2/3
//! onto city/near/region.

use crate::draft::Draft;
use crate::format::csv::{escape_cell, unescape_cell};
use crate::gazetteer::Gazetteer;
use crate::model::{Category, Incident, OccurredAt, Precision};

/// Columns we write.
pub const COLUMNS: &[&str] = &[
    "event_id_cnty",
    "event_date",
    "year",
    "event_type",
    "sub_event_type",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
    "injured",
    "arrested",
    "category",
    "precision",
    "place_id",
    "occurred_at",
];

/// ACLED's (event_type, sub_event_type) for a category.
pub fn event_type(c: Category) -> (&'static str, &'static str) {
    match c {
        Category::Protest => ("Protests", "Peaceful protest"),
        Category::Riot => ("Riots", "Violent demonstration"),
        Category::ArmedClash => ("Battles", "Armed clash"),
        Category::ViolenceAgainstCivilians => ("Violence against civilians", "Attack"),
        Category::Explosion => (
            "Explosions/Remote violence",
            "Remote explosive/landmine/IED",
        ),
        Category::Arrests => ("Strategic developments", "Arrests"),
        Category::Deployment => ("Strategic developments", "Change to group/activity"),
        Category::Shortage => ("Strategic developments", "Other"),
        Category::Other => ("Strategic developments", "Other"),
    }
}

/// Our category for an ACLED event type and sub-type.
pub fn category_of(event_type: &str, sub_event_type: &str) -> Option<Category> {
    Some(match (event_type.trim(), sub_event_type.trim()) {
        ("Protests", _) => Category::Protest,
        ("Riots", _) => Category::Riot,
        ("Battles", _) => Category::ArmedClash,
        ("Violence against civilians", _) => Category::ViolenceAgainstCivilians,
        ("Explosions/Remote violence", _) => Category::Explosion,
        ("Strategic developments", "Arrests") => Category::Arrests,
        ("Strategic developments", "Change to group/activity") => Category::Deployment,
        ("Strategic developments", _) => Category::Other,
        _ => return None,
    })
}

/// ACLED geo_precision for a precision.
pub fn geo_precision(p: Precision) -> u8 {
    match p {
        Precision::Exact | Precision::City => 1,
        Precision::Near => 2,
        Precision::Region | Precision::Country => 3,
    }
}

/// Writes incidents with [`COLUMNS`]; the gazetteer names their country and region. Text
/// cells are escaped against CSV injection ([`escape_cell`]).
pub fn write<I: std::borrow::Borrow<Incident>>(
    out: impl std::io::Write,
    gaz: &Gazetteer,
    incidents: impl IntoIterator<Item = I>,
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for i in incidents {
        let i = i.borrow();
        let place = i.place_id.and_then(|id| gaz.place(id));
        // Gazetteer names are text too: `--gazetteer DIR` may bring any.
        let country = place
            .and_then(|p| gaz.country(&p.country))
            .map(|c| escape_cell(&c.name).into_owned())
            .unwrap_or_default();
        // The derived region (the counts' rule, so exact points without a place have one too);
        // the place's region for an incident that never went through the index.
        let admin1 = match &i.admin1 {
            Some(a) => escape_cell(&a.name).into_owned(),
            None => place
                .and_then(|p| gaz.region_of(p))
                .map(|r| escape_cell(&r.name).into_owned())
                .unwrap_or_default(),
        };
        let text = |v: Option<&str>| escape_cell(v.unwrap_or_default()).into_owned();
        let (et, sub) = event_type(i.category);
        let utc = i.occurred_at.start_utc();
        let opt = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
        w.write_record([
            text(Some(&i.id)),
            format!(
                "{:04}-{:02}-{:02}",
                utc.year(),
                utc.month() as u8,
                utc.day()
            ),
            utc.year().to_string(),
            et.to_string(),
            sub.to_string(),
            country,
            admin1,
            text(i.place.as_deref()),
            format!("{:.6}", i.lat),
            format!("{:.6}", i.lon),
            geo_precision(i.precision).to_string(),
            text(i.source.as_deref()),
            text(i.notes.as_deref()),
            // ACLED has no "unknown": an absent count is written as 0 there, but here we
            // keep it empty so it stays unknown on re-import.
            opt(i.fatalities),
            opt(i.injured),
            opt(i.arrested),
            i.category.to_string(),
            i.precision.to_string(),
            i.place_id.map(|v| v.to_string()).unwrap_or_default(),
            i.occurred_at.to_string(),
        ])?;
    }
    w.flush()
}

/// Whether a CSV header looks like an ACLED export.
pub fn is_acled_header(header: &str) -> bool {
    let h = header.to_ascii_lowercase();
    h.contains("event_id_cnty") && h.contains("event_date")
}

/// A row's line number and its own success or failure.
pub type AcledRow = (u64, Result<Draft, String>);

/// Parses an ACLED-style CSV into drafts with their line numbers.
pub fn parse_lenient(text: &str) -> Result<Vec<AcledRow>, String> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    for required in ["event_id_cnty", "event_date", "latitude", "longitude"] {
        if col(required).is_none() {
            return Err(format!("an ACLED file needs a {required:?} column"));
        }
    }
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let get = |name: &str| {
            col(name)
                .and_then(|i| rec.get(i))
                .map(unescape_cell)
                .filter(|v| !v.is_empty())
        };
        out.push((line, row(&get)));
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
    let point = match (num("longitude")?, num("latitude")?) {
        (Some(lon), Some(lat)) => {
            crate::model::validate_lon_lat(lon, lat).map_err(|e| e.to_string())?;
            Some((lon, lat))
        }
        (None, None) => None,
        _ => return Err("latitude and longitude must both be given or both be empty".into()),
    };
    // Our own columns, when the file came from us, say exactly what we had.
    let occurred_at = match (get("occurred_at"), get("event_date")) {
        (Some(t), _) | (None, Some(t)) => Some(parse_date(t)?),
        (None, None) => None,
    };
    let category = match get("category") {
        Some(c) => Some(c.parse::<Category>().map_err(|e| e.to_string())?),
        None => {
            let (et, sub) = (
                get("event_type").unwrap_or(""),
                get("sub_event_type").unwrap_or(""),
            );
            Some(
                category_of(et, sub)
                    .ok_or_else(|| format!("event_type {et:?} is not an ACLED event type"))?,
            )
        }
    };
    let precision = match (get("precision"), get("geo_precision")) {
        (Some(p), _) => Some(p.parse::<Precision>().map_err(|e| e.to_string())?),
        (None, Some("1")) => Some(Precision::City),
        (None, Some("2")) => Some(Precision::Near),
        (None, Some("3")) => Some(Precision::Region),
        (None, Some(other)) => return Err(format!("geo_precision: {other:?} is not 1, 2 or 3")),
        (None, None) => None,
    };
    let id = get("event_id_cnty").map(String::from);
    if let Some(id) = &id {
        crate::model::validate_id(id).map_err(|e| e.to_string())?;
    }
    Ok(Draft {
        id,
        point,
        occurred_at,
        category,
        fatalities: count("fatalities")?,
        injured: count("injured")?,
        arrested: count("arrested")?,
        place: get("location").map(String::from),
        place_id: get("place_id")
            .map(|v| {
                v.parse::<u64>()
                    .map_err(|_| format!("place_id: {v:?} is not a gazetteer id"))
            })
            .transpose()?,
        precision,
        source: get("source").map(String::from),
        notes: get("notes").map(String::from),
        // An ACLED row is a coded, published event.
        status: None,
        report_id: None,
    })
}

/// ACLED dates: `2022-01-05`, or the older `05 January 2022`.
fn parse_date(s: &str) -> Result<OccurredAt, String> {
    if let Ok(t) = OccurredAt::parse(s) {
        return Ok(t);
    }
    let fmt = time::macros::format_description!("[day padding:none] [month repr:long] [year]");
    time::Date::parse(s, &fmt)
        .map(OccurredAt::Date)
        .map_err(|_| format!("event_date: {s:?} is neither 2022-01-05 nor 5 January 2022"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_survive_the_round_trip_through_acled_types() {
        for c in Category::ALL {
            let (et, sub) = event_type(c);
            let back = category_of(et, sub).unwrap();
            // shortage has no ACLED type of its own
            if c != Category::Shortage {
                assert_eq!(back, c, "{c}");
            }
        }
    }

    #[test]
    fn reads_an_acled_export() {
        let t = "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,admin1,location,latitude,longitude,geo_precision,source,notes,fatalities\n\
                 KAZ123,05 January 2022,2022,Riots,Mob violence,Rioters,Almaty,Almaty,43.2567,76.9286,1,Kazinform,Akimat stormed,4\n\
                 KAZ124,2022-01-06,2022,Strategic developments,Arrests,Police,Mangystau,Aktau,43.65,51.2,2,Reuters,,0\n";
        assert!(is_acled_header(t.lines().next().unwrap()));
        let rows = parse_lenient(t).unwrap();
        let a = rows[0].1.as_ref().unwrap();
        assert_eq!(a.id.as_deref(), Some("KAZ123"));
        assert_eq!(a.category, Some(Category::Riot));
        assert_eq!(a.precision, Some(Precision::City));
        assert_eq!(a.occurred_at.unwrap().to_string(), "2022-01-05");
        assert_eq!(a.fatalities, Some(4));
        let b = rows[1].1.as_ref().unwrap();
        assert_eq!(
            (b.category, b.precision),
            (Some(Category::Arrests), Some(Precision::Near))
        );
    }

    #[test]
    fn formula_text_is_escaped_and_reads_back() {
        let gaz = Gazetteer::from_files(&[crate::gazetteer::Files {
            origin: "empty",
            places: "",
            names: "",
            aliases: "",
            outlines: "",
        }])
        .unwrap();
        let i = Incident {
            id: "KAZ1".into(),
            lon: -12.5,
            lat: 43.25,
            occurred_at: OccurredAt::parse("2022-01-05").unwrap(),
            category: Category::Riot,
            fatalities: Some(2),
            injured: None,
            arrested: None,
            place: Some("+Aktau".into()),
            place_id: None,
            precision: Precision::City,
            source: Some("=HYPERLINK(\"http://evil.example\",\"x\")".into()),
            notes: Some("@SUM(A1:A9)".into()),
            status: Default::default(),
            report_id: None,
            admin1: None,
        };
        let mut out = Vec::new();
        write(&mut out, &gaz, [&i]).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rec = r.records().next().unwrap().unwrap();
        let cell = |name: &str| rec.get(COLUMNS.iter().position(|c| *c == name).unwrap());
        assert_eq!(
            cell("longitude"),
            Some("-12.500000"),
            "numbers stay numbers"
        );
        assert_eq!(cell("location"), Some("'+Aktau"));
        assert_eq!(cell("source").unwrap().get(..2), Some("'="), "{text}");
        assert_eq!(cell("notes"), Some("'@SUM(A1:A9)"));
        let d = parse_lenient(&text).unwrap()[0].1.clone().unwrap();
        assert_eq!((d.place, d.source, d.notes), (i.place, i.source, i.notes));
        assert_eq!(d.point, Some((-12.5, 43.25)));
    }

    #[test]
    fn bad_rows_say_why() {
        let t = "event_id_cnty,event_date,event_type,latitude,longitude,geo_precision\n\
                 K1,2022-01-05,Parties,1,1,1\nK2,2022-01-05,Riots,1,1,7\nK3,yesterday,Riots,1,1,1\n";
        let rows = parse_lenient(t).unwrap();
        assert!(rows[0].1.as_ref().unwrap_err().contains("Parties"));
        assert!(rows[1].1.as_ref().unwrap_err().contains("geo_precision"));
        assert!(rows[2].1.as_ref().unwrap_err().contains("event_date"));
        assert!(parse_lenient("event_date\n").is_err());
    }
}
