//! Counts of incidents grouped by area (first-level region, country), category and period
//! (day, week, month): what `/collections/incidents/aggregate` answers, as JSON and as CSV
//! with the columns of ACLED's aggregated data where they fit.
//!
//! The incidents come from the same filter as the items (the caller visits them), so the
//! events of all groups add up to the items' `numberMatched` by construction.

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use time::{Date, Duration, Month};

use crate::gazetteer::{Area, Gazetteer};
use crate::model::{Category, Incident, Precision};

/// What incidents can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Region,
    Country,
    Category,
    Day,
    Week,
    Month,
}

impl Key {
    pub const ALL: [Key; 6] = [
        Key::Region,
        Key::Country,
        Key::Category,
        Key::Day,
        Key::Week,
        Key::Month,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Key::Region => "region",
            Key::Country => "country",
            Key::Category => "category",
            Key::Day => "day",
            Key::Week => "week",
            Key::Month => "month",
        }
    }
}

/// A `groupby` value that cannot be used, and why.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("groupby: {0}")]
pub struct GroupByError(String);

/// The keys to group by, in the order given (the order of the columns).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupBy(Vec<Key>);

impl GroupBy {
    /// Parses `region,week`-style lists: known keys, none twice. Periods combine (`week,month`:
    /// a week across two months is counted in each month it has incidents in).
    pub fn parse(s: &str) -> Result<GroupBy, GroupByError> {
        let mut keys = Vec::new();
        for name in s.split(',').map(str::trim) {
            let key = Key::ALL
                .into_iter()
                .find(|k| k.name() == name)
                .ok_or_else(|| {
                    let names: Vec<&str> = Key::ALL.iter().map(|k| k.name()).collect();
                    GroupByError(format!("{name:?} is not one of {}", names.join(", ")))
                })?;
            if keys.contains(&key) {
                return Err(GroupByError(format!("{name:?} is given twice")));
            }
            keys.push(key);
        }
        Ok(GroupBy(keys))
    }

    pub fn keys(&self) -> &[Key] {
        &self.0
    }

    fn has(&self, k: Key) -> bool {
        self.0.contains(&k)
    }
}

/// A group: the values of the keys grouped by (the others are `None`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Group {
    /// The first days of the periods grouped by.
    pub day: Option<Date>,
    pub week: Option<Date>,
    pub month: Option<Date>,
    pub area: Area,
    pub category: Option<Category>,
}

/// A group's counts. Unknown counts add nothing (as in ACLED's aggregates).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub events: u64,
    pub fatalities: u64,
    pub injured: u64,
    pub arrested: u64,
}

/// Counts incidents into their groups.
pub struct Counter<'g> {
    by: GroupBy,
    gaz: &'g Gazetteer,
    groups: HashMap<Group, Totals>,
}

/// The first day of the period an incident's start falls in (UTC); weeks start on Monday
/// (ISO 8601).
fn period_of(key: Key, day: Date) -> Date {
    match key {
        Key::Week => day - Duration::days(day.weekday().number_days_from_monday() as i64),
        Key::Month => day.replace_day(1).expect("every month has a first day"),
        _ => day,
    }
}

impl<'g> Counter<'g> {
    pub fn new(by: GroupBy, gaz: &'g Gazetteer) -> Self {
        Counter {
            by,
            gaz,
            groups: HashMap::new(),
        }
    }

    pub fn add(&mut self, i: &Incident) {
        let by = &self.by;
        let area = if by.has(Key::Region) || by.has(Key::Country) {
            let a = self
                .gaz
                .area_of(i.lon, i.lat, i.place_id, i.precision == Precision::Country);
            Area {
                country: a.country.filter(|_| by.has(Key::Country)),
                region: a.region.filter(|_| by.has(Key::Region)),
            }
        } else {
            Area::default()
        };
        let day = i.occurred_at.start_utc().date();
        let period = |k: Key| by.has(k).then(|| period_of(k, day));
        let group = Group {
            day: period(Key::Day),
            week: period(Key::Week),
            month: period(Key::Month),
            area,
            category: by.has(Key::Category).then_some(i.category),
        };
        let t = self.groups.entry(group).or_default();
        t.events += 1;
        t.fatalities += i.fatalities.unwrap_or(0) as u64;
        t.injured += i.injured.unwrap_or(0) as u64;
        t.arrested += i.arrested.unwrap_or(0) as u64;
    }

    /// The groups, periods in order (months, then weeks, then days), most events first
    /// within each.
    pub fn finish(self) -> Aggregates<'g> {
        let mut groups: Vec<(Group, Totals)> = self.groups.into_iter().collect();
        groups.sort_by(|(ga, ta), (gb, tb)| {
            let when = |g: &Group| (g.month, g.week, g.day);
            (when(ga), std::cmp::Reverse(ta.events), ga).cmp(&(
                when(gb),
                std::cmp::Reverse(tb.events),
                gb,
            ))
        });
        Aggregates {
            by: self.by,
            gaz: self.gaz,
            groups,
        }
    }
}

/// The counted groups, ready to be written.
pub struct Aggregates<'g> {
    by: GroupBy,
    gaz: &'g Gazetteer,
    pub groups: Vec<(Group, Totals)>,
}

/// A period's first day as text: `2022-01-03`, or `2022-01` for a month.
fn period_text(key: Key, d: Date) -> String {
    let (y, m, day) = (d.year(), d.month() as u8, d.day());
    match key {
        Key::Month => format!("{y:04}-{m:02}"),
        _ => format!("{y:04}-{m:02}-{day:02}"),
    }
}

impl Aggregates<'_> {
    /// The events of all groups: the number of incidents counted.
    pub fn events(&self) -> u64 {
        self.groups.iter().map(|(_, t)| t.events).sum()
    }

    /// The columns of one group, in the order of the keys, then the counts: (name, value)
    /// pairs, `None` for an incident outside any area.
    fn cells(&self, g: &Group, t: &Totals) -> Vec<(&'static str, Value)> {
        let mut out = Vec::new();
        let name = |i: Option<u32>| i.map(|i| self.gaz.place_at(i));
        for &k in self.by.keys() {
            match k {
                Key::Region => {
                    let r = name(g.area.region);
                    out.push(("admin1", r.map(|p| p.name.clone()).into()));
                    out.push(("admin1_code", r.map(|p| p.admin1.clone()).into()));
                }
                Key::Country => {
                    let c = name(g.area.country);
                    out.push(("country", c.map(|p| p.name.clone()).into()));
                    out.push(("iso", c.map(|p| p.country.clone()).into()));
                }
                Key::Category => {
                    let c = g.category.expect("grouped by category");
                    out.push(("category", c.as_str().into()));
                    out.push(("event_type", crate::format::acled::event_type(c).0.into()));
                }
                Key::Day | Key::Week | Key::Month => {
                    let d = match k {
                        Key::Day => g.day,
                        Key::Week => g.week,
                        _ => g.month,
                    };
                    let d = d.expect("grouped by this period");
                    out.push((k.name(), period_text(k, d).into()));
                }
            }
        }
        out.push(("events", t.events.into()));
        out.push(("fatalities", t.fatalities.into()));
        out.push(("injured", t.injured.into()));
        out.push(("arrested", t.arrested.into()));
        out
    }

    /// The groups as JSON objects.
    pub fn to_json(&self) -> Vec<Value> {
        self.groups
            .iter()
            .map(|(g, t)| {
                Value::Object(
                    self.cells(g, t)
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect::<Map<_, _>>(),
                )
            })
            .collect()
    }

    /// The groups as CSV: a header of the columns, a row per group; text escaped against
    /// spreadsheet formulas.
    pub fn write_csv(&self, out: impl std::io::Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let header: Vec<&str> = match self.groups.first() {
            Some((g, t)) => self.cells(g, t).into_iter().map(|(k, _)| k).collect(),
            None => self
                .cells(&self.empty_group(), &Totals::default())
                .into_iter()
                .map(|(k, _)| k)
                .collect(),
        };
        w.write_record(&header)?;
        for (g, t) in &self.groups {
            w.write_record(self.cells(g, t).into_iter().map(|(_, v)| match v {
                Value::String(s) => crate::format::csv::escape_cell(&s).into_owned(),
                Value::Null => String::new(),
                v => v.to_string(),
            }))?;
        }
        w.flush()
    }

    /// A group with every key set, for the header of an empty answer.
    fn empty_group(&self) -> Group {
        let day = Some(Date::from_calendar_date(1970, Month::January, 1).expect("a date"));
        Group {
            day,
            week: day,
            month: day,
            area: Area::default(),
            category: Some(Category::ALL[0]),
        }
    }

    /// The JSON answer: the grouping, the total and the groups.
    pub fn document(&self) -> Value {
        json!({
            "groupby": self.by.keys().iter().map(|k| k.name()).collect::<Vec<_>>(),
            "numberMatched": self.events(),
            "groups": self.to_json(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn groupby_names_what_is_wrong() {
        assert_eq!(
            GroupBy::parse("region, week").unwrap().keys(),
            [Key::Region, Key::Week]
        );
        let e = GroupBy::parse("region,province").unwrap_err().to_string();
        assert!(
            e.contains("\"province\"") && e.contains("region, country"),
            "{e}"
        );
        assert!(GroupBy::parse("week,week").unwrap_err().0.contains("twice"));
        assert_eq!(
            GroupBy::parse("week,month").unwrap().keys(),
            [Key::Week, Key::Month]
        );
        assert!(GroupBy::parse("").is_err());
    }

    #[test]
    fn periods_start_on_their_first_day() {
        // 2022-01-05 is a Wednesday: its ISO week starts on Monday 2022-01-03.
        assert_eq!(
            period_of(Key::Week, date!(2022 - 01 - 05)),
            date!(2022 - 01 - 03)
        );
        assert_eq!(
            period_of(Key::Week, date!(2022 - 01 - 03)),
            date!(2022 - 01 - 03)
        );
        assert_eq!(
            period_of(Key::Week, date!(2022 - 01 - 02)),
            date!(2021 - 12 - 27)
        );
        assert_eq!(
            period_of(Key::Month, date!(2022 - 02 - 28)),
            date!(2022 - 02 - 01)
        );
        assert_eq!(period_text(Key::Month, date!(2022 - 02 - 01)), "2022-02");
    }
}
