//! Which incidents a request wants: box, time, categories and property filters. One
//! definition shared by the items endpoint, the heat tiles and exports, so that the same
//! parameters always mean the same thing.

use std::fmt;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::bbox::Bbox;
use crate::model::{Category, CategorySet, Incident, OccurredAt, Precision, PrecisionSet};

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{0}")]
pub struct FilterError(pub String);

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
    }
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
