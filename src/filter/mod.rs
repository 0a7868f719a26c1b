//! Which incidents a request wants: box, time, categories, property filters and CQL2. One
//! definition shared by the items endpoint, the heat tiles and exports, so that the same
//! parameters always mean the same thing.
//!
//! - [`FilterArgs`]: the filter parameters as given (query string, command line), the one
//!   place each is declared; [`FilterArgs::build`] checks them into a [`Filter`];
//! - [`cql`]: CQL2 filters (OGC API – Features Part 3);
//! - [`sort`]: the `sortby` order.

pub mod cql;
pub mod sort;

use std::fmt;
use std::sync::Arc;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::bbox::Bbox;
use crate::model::{Category, CategorySet, Incident, OccurredAt, Precision, PrecisionSet};

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{0}")]
pub struct FilterError(pub String);

impl From<cql::CqlError> for FilterError {
    fn from(e: cql::CqlError) -> Self {
        FilterError(e.to_string())
    }
}

/// A closed or half-open time interval in Unix milliseconds, ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TimeRange {
    pub start: Option<i64>,
    pub end: Option<i64>,
}

impl TimeRange {
    /// Parses an OGC `datetime`: an instant or date (`2022-01-05`, `2022-01-05T10:00:00Z`),
    /// or an interval `start/end` where either end may be `..` or empty for open.
    pub fn parse(s: &str) -> Result<TimeRange, FilterError> {
        let s = s.trim();
        let bound = |part: &str| -> Result<Option<OccurredAt>, FilterError> {
            match part.trim() {
                "" | ".." => Ok(None),
                p => OccurredAt::parse(p).map(Some).map_err(|_| {
                    FilterError(format!(
                        "datetime: {p:?} is not an RFC 3339 date or date-time (e.g. 2022-01-05 or 2022-01-05T10:00:00Z)"
                    ))
                }),
            }
        };
        let range = match s.split_once('/') {
            None => {
                let t = bound(s)?.ok_or_else(|| {
                    FilterError("datetime: an instant must not be empty or '..'".into())
                })?;
                TimeRange {
                    start: Some(t.start_ms()),
                    end: Some(t.end_ms()),
                }
            }
            Some((a, b)) => {
                if b.contains('/') {
                    return Err(FilterError(format!(
                        "datetime: {s:?} has more than one '/'; an interval is start/end"
                    )));
                }
                let (a, b) = (bound(a)?, bound(b)?);
                if a.is_none() && b.is_none() {
                    return Err(FilterError(
                        "datetime: an interval needs at least one end ('../..' is not allowed)"
                            .into(),
                    ));
                }
                TimeRange {
                    start: a.map(|t| t.start_ms()),
                    end: b.map(|t| t.end_ms()),
                }
            }
        };
        if let (Some(a), Some(b)) = (range.start, range.end) {
            if a > b {
                return Err(FilterError(format!(
                    "datetime: interval {s:?} ends before it starts"
                )));
            }
        }
        Ok(range)
    }

    /// Whether the incident's time span touches this range.
    pub fn overlaps(&self, start_ms: i64, end_ms: i64) -> bool {
        self.start.is_none_or(|s| end_ms >= s) && self.end.is_none_or(|e| start_ms <= e)
    }
}

impl fmt::Display for TimeRange {
    /// The canonical form, used in links and cache keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |ms: Option<i64>| match ms {
            None => "..".to_string(),
            Some(ms) => OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
                .ok()
                .and_then(|t| t.format(&Rfc3339).ok())
                .unwrap_or_else(|| "..".into()),
        };
        write!(f, "{}/{}", show(self.start), show(self.end))
    }
}

/// Parses a comma list of categories (`protest,riot`).
pub fn parse_categories(s: &str) -> Result<CategorySet, FilterError> {
    let set = s
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<Category>()
                .map_err(|e| FilterError(e.to_string()))
        })
        .collect::<Result<CategorySet, _>>()?;
    if set.is_empty() {
        return Err(FilterError(format!(
            "category: empty list; expected a comma list of {}",
            Category::names()
        )));
    }
    Ok(set)
}

/// Parses a comma list of precisions (`exact,city`).
pub fn parse_precisions(s: &str) -> Result<PrecisionSet, FilterError> {
    let mut set = PrecisionSet::default();
    let mut any = false;
    for p in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        set.insert(
            p.parse::<Precision>()
                .map_err(|e| FilterError(e.to_string()))?,
        );
        any = true;
    }
    if !any {
        return Err(FilterError(format!(
            "precision: empty list; expected a comma list of {}",
            Precision::names()
        )));
    }
    Ok(set)
}

/// The filters of one request. `Default` matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub bbox: Option<Bbox>,
    pub time: Option<TimeRange>,
    pub categories: Option<CategorySet>,
    pub precisions: Option<PrecisionSet>,
    pub min_fatalities: Option<u32>,
    pub min_injured: Option<u32>,
    pub min_arrested: Option<u32>,
    pub place_id: Option<u64>,
    /// First-level regions, each by name or admin1 code, lowercased ([`parse_admin1`]).
    pub admin1: Option<Vec<String>>,
    /// What a CQL2 filter asks beyond the fields above (see [`cql::Cql::lower`]).
    pub cql: Option<Arc<cql::Cql>>,
    /// Only incidents with this review status. Only the review queue holds other statuses
    /// than published, so only its readers set this ([`crate::app::App::queue`]).
    pub status: Option<crate::model::Status>,
}

impl Filter {
    /// Everything but the box (which the R-tree answers).
    pub fn matches_attributes(&self, i: &Incident) -> bool {
        self.time
            .is_none_or(|t| t.overlaps(i.occurred_at.start_ms(), i.occurred_at.end_ms()))
            && self.categories.is_none_or(|c| c.contains(i.category))
            && self.precisions.is_none_or(|p| p.contains(i.precision))
            && at_least(i.fatalities, self.min_fatalities)
            && at_least(i.injured, self.min_injured)
            && at_least(i.arrested, self.min_arrested)
            && self.place_id.is_none_or(|p| i.place_id == Some(p))
            && self
                .admin1
                .as_ref()
                .is_none_or(|wanted| in_admin1(i, wanted))
            && self.cql.as_ref().is_none_or(|c| c.matches(i))
            && self.status.is_none_or(|s| i.status == s)
    }

    pub fn matches(&self, i: &Incident) -> bool {
        self.bbox.is_none_or(|b| b.contains(i.lon, i.lat)) && self.matches_attributes(i)
    }

    /// Whether anything but the box is set.
    pub fn has_attributes(&self) -> bool {
        self.time.is_some()
            || self.categories.is_some()
            || self.precisions.is_some()
            || self.min_fatalities.is_some()
            || self.min_injured.is_some()
            || self.min_arrested.is_some()
            || self.place_id.is_some()
            || self.admin1.is_some()
            || self.cql.is_some()
            || self.status.is_some()
    }

    /// Whether a check needs the incident's record, beyond the columns (time, category,
    /// precision, counts) that tile summaries keep.
    pub fn needs_records(&self) -> bool {
        self.place_id.is_some()
            || self.admin1.is_some()
            || self.cql.is_some()
            || self.status.is_some()
    }

    /// A canonical text of everything but the box, for cache keys and ETags (`None` when
    /// nothing is set).
    pub fn attributes_key(&self) -> Option<String> {
        if !self.has_attributes() {
            return None;
        }
        let list = |v: Vec<&str>| v.join(",");
        Some(format!(
            "{}|{}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{:?}",
            self.time.map(|t| t.to_string()).unwrap_or_default(),
            self.categories
                .map(|c| list(c.iter().map(|c| c.as_str()).collect()))
                .unwrap_or_default(),
            self.precisions
                .map(|p| list(p.iter().map(|p| p.as_str()).collect()))
                .unwrap_or_default(),
            self.min_fatalities,
            self.min_injured,
            self.min_arrested,
            self.place_id,
            self.admin1,
            self.cql.as_ref().map(|c| c.key()).unwrap_or_default(),
            self.status,
        ))
    }
}

/// The filter parameters as a client gives them: the query string of items, tiles and
/// exports, and the export command's options. Each is declared here once; the HTTP layer
/// reads the same names ([`FilterArgs::NAMES`]) and [`FilterArgs::build`] is the one place they
/// are checked.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only incidents inside this box: west,south,east,north in degrees (CRS84); west > east
    /// crosses the antimeridian.
    #[arg(long, value_name = "W,S,E,N", allow_hyphen_values = true)]
    pub bbox: Option<String>,
    /// Only incidents in this time: an RFC 3339 date or date-time, or an interval start/end
    /// with `..` for an open end.
    #[arg(long, value_name = "TIME")]
    pub datetime: Option<String>,
    /// Only these categories (comma list).
    #[arg(long, value_name = "LIST")]
    pub category: Option<String>,
    /// Only incidents whose location is known this well (comma list of exact, city, near,
    /// region, country).
    #[arg(long, value_name = "LIST")]
    pub precision: Option<String>,
    /// At least this many deaths (unknown counts never pass).
    #[arg(long, value_name = "N")]
    pub min_fatalities: Option<String>,
    /// At least this many injured.
    #[arg(long, value_name = "N")]
    pub min_injured: Option<String>,
    /// At least this many arrested.
    #[arg(long, value_name = "N")]
    pub min_arrested: Option<String>,
    /// Only incidents placed at this gazetteer place.
    #[arg(long, value_name = "ID")]
    pub place_id: Option<String>,
    /// Only incidents counted in these first-level regions (comma list of names or admin1
    /// codes, any case: Mangystau,KZ.02).
    #[arg(long, value_name = "LIST")]
    pub admin1: Option<String>,
    /// A CQL2 filter (OGC API – Features Part 3), e.g. "category = 'riot' AND fatalities > 5".
    #[arg(long, value_name = "CQL2")]
    pub filter: Option<String>,
    /// The language of --filter: cql2-text (the default) or cql2-json.
    #[arg(long = "filter-lang", value_name = "LANG")]
    pub filter_lang: Option<String>,
    /// The coordinate reference system of geometries in --filter: CRS84 (the default) or
    /// EPSG:4326 (latitude first), as URIs.
    #[arg(long = "filter-crs", value_name = "URI")]
    pub filter_crs: Option<String>,
}

impl FilterArgs {
    /// Every filter parameter's name, as the query string spells it.
    pub const NAMES: &'static [&'static str] = &[
        "bbox",
        "datetime",
        "category",
        "precision",
        "min_fatalities",
        "min_injured",
        "min_arrested",
        "place_id",
        "admin1",
        "filter",
        "filter-lang",
        "filter-crs",
    ];

    /// Each filter as an OpenAPI 3.0 query parameter: the description is the option's help
    /// (the doc comment above), so the CLI and `/api` say the same; the schema is the type the
    /// parameter's text must parse as.
    pub fn openapi_parameters() -> Vec<(&'static str, serde_json::Value)> {
        use clap::Args;
        use serde_json::json;
        let cmd = FilterArgs::augment_args(clap::Command::new("filters"));
        let u64_max = json!(u64::MAX);
        let list = |items: Vec<&str>| json!({"type": "array", "minItems": 1, "items": {"type": "string", "enum": items}});
        Self::NAMES
            .iter()
            .map(|&name| {
                let arg = cmd
                    .get_arguments()
                    .find(|a| a.get_long() == Some(name.replace('_', "-").as_str()) || a.get_long() == Some(name))
                    .unwrap_or_else(|| panic!("filter {name} has no option"));
                // Options are spelled --min-fatalities on the command line, min_fatalities in
                // a query string.
                let description = arg
                    .get_help()
                    .map(|h| h.to_string())
                    .unwrap_or_default()
                    .replace("--filter", "filter");
                let count = json!({"type": "integer", "minimum": 0, "maximum": u32::MAX});
                let schema = match name {
                    // OGC API – Features' own definition (/req/core/fc-bbox-definition),
                    // narrowed: four or six numbers, never five. (Each branch says it all
                    // again: schema-driven generators read a branch on its own.)
                    "bbox" => {
                        let number = json!({"type": "number", "minimum": -180, "maximum": 180});
                        let of = |n: usize| {
                            json!({"type": "array", "minItems": n, "maxItems": n, "items": number})
                        };
                        json!({
                            "type": "array", "minItems": 4, "maxItems": 6, "items": number,
                            "oneOf": [of(4), of(6)],
                        })
                    }
                    "datetime" => json!({"type": "string", "format": "date"}),
                    "category" => list(Category::ALL.iter().map(|c| c.as_str()).collect()),
                    "precision" => list(Precision::ALL.iter().map(|p| p.as_str()).collect()),
                    "min_fatalities" | "min_injured" | "min_arrested" => count,
                    "place_id" => json!({"type": "integer", "minimum": 0, "maximum": u64_max}),
                    // One string holding the comma list, not an array: a region's name may be
                    // anything ("0.0" is a valid one-item list), so a query string cannot tell
                    // an array of names from a number, and declaring an array had schemathesis
                    // send numbers as "invalid" values the server rightly accepts.
                    "admin1" => json!({"type": "string", "minLength": 1, "pattern": "[^,\\s]"}),
                    "filter" => json!({"type": "string"}),
                    "filter-lang" => json!({"type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text"}),
                    "filter-crs" => json!({"type": "string", "enum": [cql::CRS84, "http://www.opengis.net/def/crs/EPSG/0/4326"], "default": cql::CRS84}),
                    other => panic!("filter {other} has no schema"),
                };
                // Every parameter says how it is written, as OGC API – Features writes `bbox`
                // and `datetime`; lists are one comma list.
                let p = json!({
                    "name": name, "in": "query", "required": false,
                    "description": description, "schema": schema,
                    "style": "form", "explode": false,
                });
                (name, p)
            })
            .collect()
    }

    /// Reads the parameters by name (from a query string).
    pub fn from_lookup<'a>(get: impl Fn(&str) -> Option<&'a str>) -> FilterArgs {
        let s = |n: &str| get(n).map(str::to_string);
        FilterArgs {
            bbox: s("bbox"),
            datetime: s("datetime"),
            category: s("category"),
            precision: s("precision"),
            min_fatalities: s("min_fatalities"),
            min_injured: s("min_injured"),
            min_arrested: s("min_arrested"),
            place_id: s("place_id"),
            admin1: s("admin1"),
            filter: s("filter"),
            filter_lang: s("filter-lang"),
            filter_crs: s("filter-crs"),
        }
    }

    /// Checks the parameters into a filter; the error names the parameter at fault.
    pub fn build(&self) -> Result<Filter, FilterError> {
        fn num<T: std::str::FromStr>(
            name: &str,
            v: &Option<String>,
            what: &str,
        ) -> Result<Option<T>, FilterError> {
            v.as_deref()
                .map(|v| {
                    v.trim()
                        .parse::<T>()
                        .map_err(|_| FilterError(format!("{name}: {v:?} is not {what}")))
                })
                .transpose()
        }
        let mut f = Filter {
            bbox: self
                .bbox
                .as_deref()
                .map(Bbox::parse)
                .transpose()
                .map_err(|e| FilterError(format!("bbox: {e}")))?,
            time: self.datetime.as_deref().map(TimeRange::parse).transpose()?,
            categories: self.category.as_deref().map(parse_categories).transpose()?,
            precisions: self
                .precision
                .as_deref()
                .map(parse_precisions)
                .transpose()?,
            min_fatalities: num(
                "min_fatalities",
                &self.min_fatalities,
                "a non-negative integer",
            )?,
            min_injured: num("min_injured", &self.min_injured, "a non-negative integer")?,
            min_arrested: num("min_arrested", &self.min_arrested, "a non-negative integer")?,
            place_id: num("place_id", &self.place_id, "a gazetteer id")?,
            admin1: self.admin1.as_deref().map(parse_admin1).transpose()?,
            cql: None,
            status: None,
        };
        let lang: cql::Lang = self
            .filter_lang
            .as_deref()
            .map(str::parse)
            .transpose()?
            .unwrap_or_default();
        let Some(src) = &self.filter else {
            if self.filter_lang.is_some() || self.filter_crs.is_some() {
                return Err(FilterError(
                    "filter-lang and filter-crs go with a filter, and there is none".into(),
                ));
            }
            return Ok(f);
        };
        let parsed = cql::Cql::parse(src, lang, self.filter_crs.as_deref())?;
        // What the typed fields can say, they say: the same question asked either way takes
        // the same path (the heat pyramid, the R-tree) and gets the same answer.
        let taken = cql::Lowered {
            categories: f.categories,
            precisions: f.precisions,
            time: f.time,
            bbox: f.bbox,
            min_counts: [
                (crate::model::CountField::Fatalities, f.min_fatalities),
                (crate::model::CountField::Injured, f.min_injured),
                (crate::model::CountField::Arrested, f.min_arrested),
            ]
            .into_iter()
            .filter_map(|(c, v)| v.map(|v| (c, v)))
            .collect(),
            place_id: f.place_id,
        };
        let (low, rest) = parsed.lower(&taken);
        f.categories = f.categories.or(low.categories);
        f.precisions = f.precisions.or(low.precisions);
        f.time = f.time.or(low.time);
        f.bbox = f.bbox.or(low.bbox);
        f.place_id = f.place_id.or(low.place_id);
        for (c, v) in low.min_counts {
            let slot = match c {
                crate::model::CountField::Fatalities => &mut f.min_fatalities,
                crate::model::CountField::Injured => &mut f.min_injured,
                crate::model::CountField::Arrested => &mut f.min_arrested,
            };
            *slot = Some(v);
        }
        f.cql = rest.map(Arc::new);
        Ok(f)
    }
}

/// Parses `admin1`: a comma list of region names or codes, compared without case.
pub fn parse_admin1(s: &str) -> Result<Vec<String>, FilterError> {
    let list: Vec<String> = s
        .split(',')
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
        .collect();
    if list.is_empty() {
        return Err(FilterError(
            "admin1: give one or more region names or admin1 codes, comma-separated".into(),
        ));
    }
    Ok(list)
}

/// Whether the incident's region is one of `wanted` (lowercased names or codes).
fn in_admin1(i: &Incident, wanted: &[String]) -> bool {
    let Some(a) = &i.admin1 else { return false };
    let same = |s: &str, w: &str| s.chars().flat_map(char::to_lowercase).eq(w.chars());
    wanted.iter().any(|w| same(&a.name, w) || same(&a.code, w))
}

/// An unknown count never passes a minimum: "at least 5 dead" excludes "deaths unknown".
fn at_least(v: Option<u32>, min: Option<u32>) -> bool {
    match min {
        None => true,
        Some(m) => v.is_some_and(|v| v >= m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_is_documented_once_for_the_cli_and_the_api() {
        use clap::Args;
        let cmd = FilterArgs::augment_args(clap::Command::new("filters"));
        let params = FilterArgs::openapi_parameters();
        assert_eq!(params.len(), FilterArgs::NAMES.len());
        assert_eq!(
            cmd.get_arguments().count(),
            FilterArgs::NAMES.len(),
            "an option without a name"
        );
        for (name, p) in params {
            assert_eq!(p["name"], name);
            let d = p["description"].as_str().unwrap();
            assert!(d.len() > 10 && !d.contains("--"), "{name}: {d}");
        }
    }

    #[test]
    fn instants_dates_and_intervals() {
        let d = TimeRange::parse("2022-01-05").unwrap();
        assert_eq!(d.end.unwrap() - d.start.unwrap(), 86_400_000 - 1);
        let i = TimeRange::parse("2022-01-05T10:00:00Z").unwrap();
        assert_eq!(i.start, i.end);
        let open = TimeRange::parse("2022-01-05/..").unwrap();
        assert!(open.end.is_none() && open.start.is_some());
        let open = TimeRange::parse("/2022-01-05T00:00:00Z").unwrap();
        assert!(open.start.is_none());
        let both = TimeRange::parse("2022-01-02/2022-01-06").unwrap();
        // a date as the end covers that whole day
        assert!(
            both.overlaps(
                TimeRange::parse("2022-01-06T23:00:00Z")
                    .unwrap()
                    .start
                    .unwrap(),
                TimeRange::parse("2022-01-06T23:00:00Z")
                    .unwrap()
                    .start
                    .unwrap()
            )
        );
    }

    #[test]
    fn bad_datetimes_say_why() {
        for (s, needle) in [
            ("../..", "at least one end"),
            ("2022-01-06/2022-01-05", "ends before"),
            ("yesterday", "not an RFC 3339"),
            ("a/b/c", "more than one"),
            ("..", "must not be empty"),
        ] {
            let e = TimeRange::parse(s).unwrap_err();
            assert!(e.0.contains(needle), "{s}: {e}");
        }
    }

    #[test]
    fn canonical_form_round_trips() {
        for s in [
            "2022-01-05/..",
            "../2022-01-06T12:00:00Z",
            "2022-01-01/2022-02-01",
        ] {
            let t = TimeRange::parse(s).unwrap();
            assert_eq!(TimeRange::parse(&t.to_string()).unwrap(), t, "{s}");
        }
    }

    #[test]
    fn regions_by_name_or_code_in_any_case() {
        let f = FilterArgs {
            admin1: Some(" mangystau , KZ.02".into()),
            ..Default::default()
        }
        .build()
        .unwrap();
        let mut i = Incident {
            id: "a".into(),
            lon: 52.9,
            lat: 43.3,
            occurred_at: OccurredAt::parse("2022-01-05").unwrap(),
            category: Category::Riot,
            fatalities: None,
            injured: None,
            arrested: None,
            place: None,
            place_id: None,
            precision: Precision::Exact,
            source: None,
            notes: None,
            status: Default::default(),
            report_id: None,
            admin1: None,
        };
        assert!(!f.matches(&i), "no region: never matches");
        let region = |code: &str, name: &str| {
            Some(Arc::new(crate::model::Admin1 {
                code: code.into(),
                name: name.into(),
            }))
        };
        i.admin1 = region("KZ.09", "Mangystau");
        assert!(f.matches(&i));
        i.admin1 = region("KZ.02", "Almaty");
        assert!(f.matches(&i));
        i.admin1 = region("KZ.01", "Almaty Region");
        assert!(!f.matches(&i), "whole names only");
        let e = FilterArgs {
            admin1: Some(" , ".into()),
            ..Default::default()
        }
        .build()
        .unwrap_err();
        assert!(e.0.starts_with("admin1:"), "{e}");
    }

    #[test]
    fn category_lists() {
        let c = parse_categories("protest, riot").unwrap();
        assert!(c.contains(Category::Riot) && !c.contains(Category::Arrests));
        assert!(parse_categories("").is_err());
        assert!(
            parse_categories("protest,party")
                .unwrap_err()
                .0
                .contains("party")
        );
    }

    #[test]
    fn minimums_exclude_unknown_counts() {
        assert!(at_least(Some(5), Some(5)));
        assert!(!at_least(None, Some(1)));
        assert!(at_least(None, None));
    }
}
