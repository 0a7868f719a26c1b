//! The incident: its fields, the values they may hold, and the checks every incident passes
//! before it is stored, whatever door it came in by (HTTP, import, demo).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

/// Longest accepted incident id. Ids travel in URL paths, so they are kept short and plain.
pub const MAX_ID_LEN: usize = 128;
/// Longest accepted `place`, `source` (characters).
pub const MAX_SHORT_TEXT: usize = 500;
/// Longest accepted `notes` (characters).
pub const MAX_NOTES: usize = 20_000;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ModelError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
}

impl ModelError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ModelError::Invalid {
            field,
            message: message.into(),
        }
    }

    /// The name of the offending field.
    pub fn field(&self) -> &'static str {
        match self {
            ModelError::Invalid { field, .. } => field,
        }
    }
}

/// What happened. The vocabulary follows ACLED's event types, flattened to what incident
/// analysts filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Protest,
    Riot,
    ArmedClash,
    ViolenceAgainstCivilians,
    Explosion,
    Arrests,
    Deployment,
    Shortage,
    Other,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::Protest,
        Category::Riot,
        Category::ArmedClash,
        Category::ViolenceAgainstCivilians,
        Category::Explosion,
        Category::Arrests,
        Category::Deployment,
        Category::Shortage,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Protest => "protest",
            Category::Riot => "riot",
            Category::ArmedClash => "armed_clash",
            Category::ViolenceAgainstCivilians => "violence_against_civilians",
            Category::Explosion => "explosion",
            Category::Arrests => "arrests",
            Category::Deployment => "deployment",
            Category::Shortage => "shortage",
            Category::Other => "other",
        }
    }

    /// A bit for [`CategorySet`].
    pub fn bit(self) -> u16 {
        1 << (self as u16)
    }

    pub fn names() -> String {
        Category::ALL.map(Category::as_str).join(", ")
    }
}

impl FromStr for Category {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                ModelError::invalid(
                    "category",
                    format!(
                        "unknown category {s:?}; expected one of {}",
                        Category::names()
                    ),
                )
            })
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of categories, as a bit mask (cheap to test in the hot query loop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CategorySet(u16);

impl CategorySet {
    /// The set as a bit mask, a bit per category ([`Category::bit`]).
    pub fn bits(self) -> u16 {
        self.0
    }
    pub fn contains(self, c: Category) -> bool {
        self.0 & c.bit() != 0
    }
    pub fn insert(&mut self, c: Category) {
        self.0 |= c.bit();
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Category> {
        Category::ALL.into_iter().filter(move |c| self.contains(*c))
    }
}

impl FromIterator<Category> for CategorySet {
    fn from_iter<I: IntoIterator<Item = Category>>(iter: I) -> Self {
        let mut set = CategorySet::default();
        for c in iter {
            set.insert(c);
        }
        set
    }
}

/// A set of precisions, as a bit mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PrecisionSet(u8);

impl PrecisionSet {
    /// The set as a bit mask, bit `p as u8` per precision.
    pub fn bits(self) -> u8 {
        self.0
    }
    pub fn contains(self, p: Precision) -> bool {
        self.0 & (1 << p as u8) != 0
    }
    pub fn insert(&mut self, p: Precision) {
        self.0 |= 1 << p as u8;
    }
    pub fn iter(self) -> impl Iterator<Item = Precision> {
        Precision::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }
}

impl FromIterator<Precision> for PrecisionSet {
    fn from_iter<I: IntoIterator<Item = Precision>>(iter: I) -> Self {
        let mut set = PrecisionSet::default();
        for p in iter {
            set.insert(p);
        }
        set
    }
}

/// How well the incident's point is known. Mirrors ACLED's geo_precision and UCDP's
/// where_prec, coarsened to what a map can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// The point itself is known.
    Exact,
    /// The named town or city; the point is its centre.
    City,
    /// Near a named place, or a part of it: the point is a representative place nearby.
    Near,
    /// Only a first- or second-level region is known.
    Region,
    /// Only the country is known: never a hotspot on a map.
    Country,
}

impl Precision {
    pub const ALL: [Precision; 5] = [
        Precision::Exact,
        Precision::City,
        Precision::Near,
        Precision::Region,
        Precision::Country,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Exact => "exact",
            Precision::City => "city",
            Precision::Near => "near",
            Precision::Region => "region",
            Precision::Country => "country",
        }
    }

    /// Whether the point stands for an area rather than a spot.
    pub fn is_area(self) -> bool {
        matches!(self, Precision::Region | Precision::Country)
    }

    pub fn names() -> String {
        Precision::ALL.map(Precision::as_str).join(", ")
    }
}

impl FromStr for Precision {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Precision::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                ModelError::invalid(
                    "precision",
                    format!(
                        "unknown precision {s:?}; expected one of {}",
                        Precision::names()
                    ),
                )
            })
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A news report as received by `POST /reports`, kept with its metadata so that every
/// incident drafted from it can point back to the text its evidence offsets refer to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRecord {
    /// `rep-` and a UUIDv7 ([`new_report_id`]).
    pub id: String,
    /// When it was received (RFC 3339, UTC).
    pub received_at: String,
    /// The name of the token that sent it.
    pub actor: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The date or time the report was published, which relative dates are resolved against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// The language it is written in, as given or detected (`ar`, `ru`, `kk`, `en`).
    pub language: String,
    /// What was drafted from it, as the answer to `POST /reports` listed it (a JSON array):
    /// the evidence of every field, and which incident each event became.
    #[serde(skip)]
    pub drafts: String,
}

/// A fresh report id: `rep-` and a UUIDv7, as [`new_id`].
pub fn new_report_id() -> String {
    format!("rep-{}", uuid::Uuid::now_v7().hyphenated())
}

/// Where an incident stands in review. Incidents drafted from a report wait as `draft` until
/// an editor publishes or rejects them; everything else is `published`. Only published
/// incidents are in the public index (items, tiles, aggregates, exports); drafts and
/// rejected ones are kept apart for token holders (see [`crate::app`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    #[default]
    Published,
    Rejected,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Draft, Status::Published, Status::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
            Status::Rejected => "rejected",
        }
    }

    pub fn names() -> String {
        Status::ALL.map(Status::as_str).join(", ")
    }
}

impl FromStr for Status {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                ModelError::invalid(
                    "status",
                    format!("unknown status {s:?}; expected one of {}", Status::names()),
                )
            })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When the incident happened: a whole day (`2022-01-05`) or an instant
/// (`2022-01-05T18:30:00+06:00`). A day covers its 24 UTC hours, so a time filter that touches
/// any part of that day finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OccurredAt {
    Date(Date),
    Instant(OffsetDateTime),
}

const DAY_MS: i64 = 86_400_000;

impl OccurredAt {
    /// Parses an RFC 3339 date or date-time.
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        let s = s.trim();
        if s.len() == 10 {
            let fmt = format_description!("[year]-[month]-[day]");
            return Date::parse(s, &fmt).map(OccurredAt::Date).map_err(|e| {
                ModelError::invalid(
                    "occurred_at",
                    format!("{s:?} is not a valid RFC 3339 date (YYYY-MM-DD): {e}"),
                )
            });
        }
        OffsetDateTime::parse(s, &Rfc3339)
            .map(OccurredAt::Instant)
            .map_err(|e| {
                ModelError::invalid(
                    "occurred_at",
                    format!(
                        "{s:?} is not an RFC 3339 date (2022-01-05) or date-time (2022-01-05T18:30:00Z): {e}"
                    ),
                )
            })
    }

    /// First millisecond (Unix epoch, UTC) covered.
    pub fn start_ms(&self) -> i64 {
        match self {
            OccurredAt::Date(d) => d.midnight().assume_utc().unix_timestamp() * 1000,
            OccurredAt::Instant(t) => (t.unix_timestamp_nanos() / 1_000_000) as i64,
        }
    }

    /// Last millisecond covered (inclusive).
    pub fn end_ms(&self) -> i64 {
        match self {
            OccurredAt::Date(_) => self.start_ms() + DAY_MS - 1,
            OccurredAt::Instant(_) => self.start_ms(),
        }
    }

    /// The instant at UTC, for formats that want one (CSV exports, extents).
    pub fn start_utc(&self) -> OffsetDateTime {
        match self {
            OccurredAt::Date(d) => d.midnight().assume_utc(),
            OccurredAt::Instant(t) => t.to_offset(UtcOffset::UTC),
        }
    }
}

impl fmt::Display for OccurredAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OccurredAt::Date(d) => {
                let fmt = format_description!("[year]-[month]-[day]");
                f.write_str(&d.format(&fmt).map_err(|_| fmt::Error)?)
            }
            OccurredAt::Instant(t) => f.write_str(&t.format(&Rfc3339).map_err(|_| fmt::Error)?),
        }
    }
}

/// A stored incident. Every constructor path ends in [`Incident::validate`].
#[derive(Debug, Clone)]
pub struct Incident {
    pub id: String,
    pub lon: f64,
    pub lat: f64,
    pub occurred_at: OccurredAt,
    pub category: Category,
    pub fatalities: Option<u32>,
    pub injured: Option<u32>,
    pub arrested: Option<u32>,
    /// The place name as the source reported it, in its own script.
    pub place: Option<String>,
    /// The gazetteer id of the place the point was taken from, if any.
    pub place_id: Option<u64>,
    pub precision: Precision,
    pub source: Option<String>,
    pub notes: Option<String>,
    /// Where it stands in review; `published` unless it was drafted from a report.
    pub status: Status,
    /// The report it was drafted from (`POST /reports`), if any.
    pub report_id: Option<String>,
    /// The first-level region the incident is counted in. Derived from the gazetteer when the
    /// incident enters the index (see [`crate::spatial::Admin1Of`]), never stored or read
    /// from a client: a gazetteer update re-derives it. Not part of the incident's ETag.
    pub admin1: Option<std::sync::Arc<Admin1>>,
}

/// A first-level region (province, oblast, governorate) as the gazetteer names it: its
/// GeoNames admin1 code (`KZ.09`) and its main name (`Mangystau`), as ACLED's `admin1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Admin1 {
    pub code: Box<str>,
    pub name: Box<str>,
}

/// Two incidents are equal when their stored fields are: the derived region follows from them
/// (and the gazetteer), so an incident read back from a store equals the indexed one. The
/// destructuring names every field, so a new one cannot be forgotten here.
impl PartialEq for Incident {
    fn eq(&self, o: &Incident) -> bool {
        let Incident {
            id,
            lon,
            lat,
            occurred_at,
            category,
            fatalities,
            injured,
            arrested,
            place,
            place_id,
            precision,
            source,
            notes,
            status,
            report_id,
            admin1: _,
        } = self;
        *id == o.id
            && *lon == o.lon
            && *lat == o.lat
            && *occurred_at == o.occurred_at
            && *category == o.category
            && *fatalities == o.fatalities
            && *injured == o.injured
            && *arrested == o.arrested
            && *place == o.place
            && *place_id == o.place_id
            && *precision == o.precision
            && *source == o.source
            && *notes == o.notes
            && *status == o.status
            && *report_id == o.report_id
    }
}

impl Incident {
    /// Checks every field's range. Called before anything is stored.
    pub fn validate(&self) -> Result<(), ModelError> {
        validate_id(&self.id)?;
        if let Some(r) = &self.report_id {
            validate_id(r).map_err(|e| ModelError::invalid("report_id", e.to_string()))?;
        }
        validate_lon_lat(self.lon, self.lat)?;
        for (field, value, max) in [
            ("place", &self.place, MAX_SHORT_TEXT),
            ("source", &self.source, MAX_SHORT_TEXT),
            ("notes", &self.notes, MAX_NOTES),
        ] {
            if let Some(v) = value {
                let n = v.chars().count();
                if n > max {
                    return Err(ModelError::invalid(
                        field,
                        format!("is {n} characters long; at most {max} are accepted"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The value a heat style weighs this incident by.
    pub fn field(&self, f: CountField) -> Option<u32> {
        match f {
            CountField::Fatalities => self.fatalities,
            CountField::Injured => self.injured,
            CountField::Arrested => self.arrested,
        }
    }
}

/// The integer counts an incident carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountField {
    Fatalities,
    Injured,
    Arrested,
}

impl CountField {
    pub fn as_str(self) -> &'static str {
        match self {
            CountField::Fatalities => "fatalities",
            CountField::Injured => "injured",
            CountField::Arrested => "arrested",
        }
    }
}

/// The characters an id may hold besides ASCII letters and digits: RFC 3986's unreserved
/// `- . _ ~` and `:`.
pub const ID_PUNCTUATION: &[char] = &['-', '.', '_', '~', ':'];

/// What [`validate_id`] accepts, in words, for error messages and the API description.
pub const ID_PATTERN: &str =
    "1 to 128 ASCII letters, digits and - . _ ~ :, starting with a letter or digit";

/// Ids are plain so they survive URLs, CSV cells and shell scripts unquoted: 1 to
/// [`MAX_ID_LEN`] of `[A-Za-z0-9._~:-]`, starting with a letter or digit
/// (`^[A-Za-z0-9][A-Za-z0-9._~:-]{0,127}$`).
///
/// The first character rules out `.` and `..` (which a URL resolves to the collection or its
/// parent, so the incident could never be addressed), names hidden as dot-files, ids that a
/// command line reads as an option (`-x`) and ids that a spreadsheet reads as a formula
/// (`-1+2`). Slashes, whitespace, control characters, quotes and anything non-ASCII are
/// refused everywhere. Every id we make or have shipped fits: `inc-<UUIDv7>` ([`new_id`]),
/// `h<hash>` (content ids of imported rows), `syn-<seed>-<n>` (synthetic data), `kz22-011`
/// (demo), ACLED event ids (`KAZ123`).
pub fn validate_id(id: &str) -> Result<(), ModelError> {
    if id.is_empty() {
        return Err(ModelError::invalid("id", "must not be empty"));
    }
    if id.len() > MAX_ID_LEN {
        return Err(ModelError::invalid(
            "id",
            format!(
                "is {} bytes long; at most {MAX_ID_LEN} are accepted",
                id.len()
            ),
        ));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || ID_PUNCTUATION.contains(c)))
    {
        return Err(ModelError::invalid(
            "id",
            format!("{id:?} contains {c:?}; ids are {ID_PATTERN}"),
        ));
    }
    if !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(ModelError::invalid(
            "id",
            format!("{id:?} does not start with a letter or digit; ids are {ID_PATTERN}"),
        ));
    }
    Ok(())
}

/// A fresh id for an incident created without one: `inc-` and a UUIDv7 (RFC 9562). Its first
/// 48 bits are the Unix time in milliseconds, so ids sort by creation time; the rest is a
/// counter that keeps the ids one process makes in order within a millisecond, and random bits
/// that keep instances sharing a database apart (74 of them: a collision is not a concern).
pub fn new_id() -> String {
    format!("inc-{}", uuid::Uuid::now_v7().hyphenated())
}

/// WGS84 longitude and latitude, finite and in range.
pub fn validate_lon_lat(lon: f64, lat: f64) -> Result<(), ModelError> {
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Err(ModelError::invalid(
            "geometry",
            format!("longitude {lon} is outside -180..180"),
        ));
    }
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(ModelError::invalid(
            "geometry",
            format!("latitude {lat} is outside -90..90"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_round_trips() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>().unwrap(), c);
        }
        let err = "protests".parse::<Category>().unwrap_err();
        assert!(err.to_string().contains("armed_clash"), "{err}");
    }

    #[test]
    fn precision_round_trips() {
        for p in Precision::ALL {
            assert_eq!(p.as_str().parse::<Precision>().unwrap(), p);
        }
        assert!("town".parse::<Precision>().is_err());
    }

    #[test]
    fn a_date_covers_its_whole_day() {
        let d = OccurredAt::parse("2022-01-05").unwrap();
        assert_eq!(d.to_string(), "2022-01-05");
        assert_eq!(d.start_ms(), 1_641_340_800_000);
        assert_eq!(d.end_ms(), 1_641_340_800_000 + DAY_MS - 1);
    }

    #[test]
    fn an_instant_keeps_its_offset() {
        let t = OccurredAt::parse("2022-01-05T18:30:00+06:00").unwrap();
        assert_eq!(t.to_string(), "2022-01-05T18:30:00+06:00");
        assert_eq!(t.start_ms(), t.end_ms());
        assert_eq!(t.start_ms(), 1_641_385_800_000);
    }

    #[test]
    fn bad_dates_name_the_field() {
        for s in ["2022-13-01", "yesterday", "2022-01-05 18:30", ""] {
            let e = OccurredAt::parse(s).unwrap_err();
            assert_eq!(e.field(), "occurred_at", "{s}");
        }
    }

    #[test]
    fn coordinates_must_be_finite_and_in_range() {
        assert!(validate_lon_lat(76.9, 43.2).is_ok());
        assert!(validate_lon_lat(180.0, -90.0).is_ok());
        assert!(validate_lon_lat(f64::NAN, 0.0).is_err());
        assert!(validate_lon_lat(0.0, f64::INFINITY).is_err());
        assert!(validate_lon_lat(181.0, 0.0).is_err());
        assert!(validate_lon_lat(0.0, -90.5).is_err());
    }

    #[test]
    fn ids_are_plain() {
        assert!(validate_id("kz-2022-001").is_ok());
        assert!(validate_id("KAZ123").is_ok());
        assert!(validate_id("").is_err());
        assert!(validate_id("a/b").is_err());
        assert!(validate_id("ألما").is_err());
        assert!(validate_id(&"x".repeat(129)).is_err());
    }

    #[test]
    fn ids_follow_the_documented_pattern() {
        let long = "x".repeat(MAX_ID_LEN);
        for ok in [
            "a",
            "7",
            "KAZ123",
            "kz22-011",
            "syn-1-99999",
            "h0123456789abcdef",
            "inc-0190b0b2-7d4e-7a1c-8f00-0123456789ab",
            "acled:KAZ123",
            "v1.2_x~y",
            long.as_str(),
        ] {
            assert_eq!(validate_id(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            (".", "start"),
            ("..", "start"),
            (".hidden", "start"),
            ("-x", "start"),
            ("_x", "start"),
            ("~x", "start"),
            (":x", "start"),
            ("a/b", "'/'"),
            ("a\\b", "'\\\\'"),
            ("a b", "' '"),
            ("a\tb", "'\\t'"),
            ("a\nb", "'\\n'"),
            ("a\u{0}b", "'\\0'"),
            ("a%2Fb", "'%'"),
            ("a?b", "'?'"),
            ("a#b", "'#'"),
            ("é", "'é'"),
            ("", "empty"),
        ] {
            let e = validate_id(bad).unwrap_err();
            assert_eq!(e.field(), "id");
            assert!(e.to_string().contains(why), "{bad:?}: {e}");
        }
        assert!(validate_id(&format!("{long}x")).is_err());
    }

    #[test]
    fn new_ids_fit_the_pattern_and_are_uuid_v7() {
        let id = new_id();
        assert_eq!(validate_id(&id), Ok(()), "{id}");
        let u = uuid::Uuid::parse_str(id.strip_prefix("inc-").unwrap()).unwrap();
        assert_eq!(u.get_version_num(), 7, "{id}");
        // Its time is now.
        let (secs, _) = u.get_timestamp().unwrap().to_unix();
        let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
        assert!(secs.abs_diff(now) <= 5, "{secs} vs {now}");
    }

    #[test]
    fn ids_minted_at_once_in_two_threads_are_distinct_and_each_in_order() {
        let mint = || (0..10_000).map(|_| new_id()).collect::<Vec<_>>();
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(mint);
            let b = s.spawn(mint);
            (a.join().unwrap(), b.join().unwrap())
        });
        for ids in [&a, &b] {
            assert!(ids.windows(2).all(|w| w[0] < w[1]), "time-ordered");
        }
        let all: std::collections::HashSet<&String> = a.iter().chain(&b).collect();
        assert_eq!(all.len(), 20_000);
    }
}
