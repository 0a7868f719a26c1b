//! `sortby` (OGC API – Features Part 5 style): `sortby=-occurred_at,fatalities` orders by
//! time, newest first, then by deaths. Properties are the sortables; `-` means descending,
//! `+` or nothing ascending. Unknown values (deaths not reported) come last either way, and
//! the id breaks every tie, so the order is total and paging through it neither repeats nor
//! skips an incident while the data stands still.

use std::cmp::Ordering;

use super::FilterError;
use crate::model::{CountField, Incident};

/// A property incidents can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    OccurredAt,
    Category,
    Precision,
    Count(CountField),
    Place,
    PlaceId,
    Source,
    Id,
}

/// The sortables: name and field.
pub const SORTABLES: &[(&str, SortField)] = &[
    ("occurred_at", SortField::OccurredAt),
    ("category", SortField::Category),
    ("precision", SortField::Precision),
    ("fatalities", SortField::Count(CountField::Fatalities)),
    ("injured", SortField::Count(CountField::Injured)),
    ("arrested", SortField::Count(CountField::Arrested)),
    ("place", SortField::Place),
    ("place_id", SortField::PlaceId),
    ("source", SortField::Source),
    ("id", SortField::Id),
];

/// One key of a sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub field: SortField,
    pub descending: bool,
}

/// A parsed `sortby`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SortBy(pub Vec<SortKey>);

impl SortBy {
    /// What [`SortBy::parse`] reads, as a regular expression (for `/api`).
    pub const PATTERN: &str = "^[+-]?[a-z_]+(:(asc|desc))?(,[+-]?[a-z_]+(:(asc|desc))?)*$";

    pub fn parse(s: &str) -> Result<SortBy, FilterError> {
        let mut keys = Vec::new();
        for part in s.split(',').map(str::trim) {
            if part.is_empty() {
                return Err(FilterError(format!(
                    "sortby: {s:?} has an empty item; expected a comma list like -occurred_at,fatalities"
                )));
            }
            let (descending, name) = match part.as_bytes()[0] {
                b'-' => (true, &part[1..]),
                b'+' => (false, &part[1..]),
                _ => (false, part),
            };
            // `name:desc` / `name:asc` are a common variant; say so rather than fail obscurely.
            let (name, descending) = match name.split_once(':') {
                Some((n, "desc")) => (n, true),
                Some((n, "asc")) => (n, false),
                Some(_) => {
                    return Err(FilterError(format!(
                        "sortby: {part:?}: a direction is written as a leading - (descending) or + (ascending)"
                    )));
                }
                None => (name, descending),
            };
            let field = SORTABLES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, f)| *f)
                .ok_or_else(|| {
                    FilterError(format!(
                        "sortby: {name:?} is not sortable; the sortables are {}",
                        SORTABLES.iter().map(|s| s.0).collect::<Vec<_>>().join(", ")
                    ))
                })?;
            if keys.iter().any(|k: &SortKey| k.field == field) {
                return Err(FilterError(format!(
                    "sortby: {name:?} is given more than once"
                )));
            }
            keys.push(SortKey { field, descending });
        }
        Ok(SortBy(keys))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The order of two incidents: the keys in turn, then the id.
    pub fn compare(&self, a: &Incident, b: &Incident) -> Ordering {
        for k in &self.0 {
            let o = compare_field(k.field, a, b, k.descending);
            if o != Ordering::Equal {
                return o;
            }
        }
        a.id.cmp(&b.id)
    }
}

/// Compares one field; unknown values last whatever the direction.
fn compare_field(f: SortField, a: &Incident, b: &Incident, descending: bool) -> Ordering {
    fn known<T: Ord>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
        match (a, b) {
            (Some(x), Some(y)) if descending => y.cmp(&x),
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    match f {
        SortField::OccurredAt => known(
            Some(a.occurred_at.start_ms()),
            Some(b.occurred_at.start_ms()),
            descending,
        ),
        SortField::Category => known(
            Some(a.category.as_str()),
            Some(b.category.as_str()),
            descending,
        ),
        SortField::Precision => known(Some(a.precision), Some(b.precision), descending),
        SortField::Count(c) => known(a.field(c), b.field(c), descending),
        SortField::Place => known(a.place.as_deref(), b.place.as_deref(), descending),
        SortField::PlaceId => known(a.place_id, b.place_id, descending),
        SortField::Source => known(a.source.as_deref(), b.source.as_deref(), descending),
        SortField::Id => known(Some(a.id.as_str()), Some(b.id.as_str()), descending),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, OccurredAt, Precision};

    fn inc(id: &str, day: &str, fatalities: Option<u32>) -> Incident {
        Incident {
            id: id.into(),
            lon: 0.0,
            lat: 0.0,
            occurred_at: OccurredAt::parse(day).unwrap(),
            category: Category::Riot,
            fatalities,
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
        }
    }

    #[test]
    fn keys_in_turn_then_the_id_with_unknowns_last() {
        let mut v = [
            inc("d", "2022-01-05", None),
            inc("a", "2022-01-05", Some(3)),
            inc("c", "2022-01-06", Some(1)),
            inc("b", "2022-01-05", Some(3)),
        ];
        let s = SortBy::parse("-occurred_at,fatalities").unwrap();
        v.sort_by(|x, y| s.compare(x, y));
        let ids: Vec<&str> = v.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["c", "a", "b", "d"]);
        let s = SortBy::parse("-fatalities").unwrap();
        v.sort_by(|x, y| s.compare(x, y));
        let ids: Vec<&str> = v.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            ids,
            ["a", "b", "c", "d"],
            "unknown deaths last, descending too"
        );
    }

    #[test]
    fn mistakes_are_named() {
        assert!(
            SortBy::parse("deaths")
                .unwrap_err()
                .0
                .contains("\"deaths\"")
        );
        assert!(SortBy::parse("id,,place").unwrap_err().0.contains("empty"));
        assert!(
            SortBy::parse("id,-id")
                .unwrap_err()
                .0
                .contains("more than once")
        );
        assert_eq!(
            SortBy::parse("fatalities:desc").unwrap(),
            SortBy::parse("-fatalities").unwrap()
        );
    }
}
