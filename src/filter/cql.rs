//! CQL2 filters (OGC API – Features Part 3): text or JSON, parsed by the `cql2` crate, checked
//! against the queryables, and compiled into a predicate over incidents.
//!
//! What is implemented is exactly what [`CONFORMANCE`] lists: basic CQL2 (comparisons, AND, OR,
//! NOT, IS NULL), advanced comparison (LIKE, BETWEEN, IN), case- and accent-insensitive
//! comparison (CASEI, ACCENTI), every spatial function on the incident's point (S_INTERSECTS
//! with points, lines, polygons and boxes, and the other DE-9IM relations) and every temporal
//! function on `occurred_at`. Anything else — an unknown property, a function we do not have,
//! a text compared with a number — is refused with a message that names it, never ignored.
//!
//! Logic is SQL's three-valued logic: a comparison with a missing value (deaths not reported)
//! is *unknown*, and so is its negation — "NOT fatalities > 5" does not find incidents whose
//! deaths are unknown, as it would not in PostgreSQL.
//!
//! [`Cql::lower`] takes out of a filter the conjuncts that the typed [`super::Filter`] fields
//! say as well (a category list, a time window, a box, minimum counts), so the same question
//! asked with query parameters or in CQL2 takes the same path — the heat pyramid, the R-tree —
//! and gets the same answer to the pixel.

use std::fmt;
use std::str::FromStr;

use crate::model::{Category, CountField, Incident, OccurredAt, Precision};
use geo::{Rect, Relate};

/// The conformance classes this module implements.
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/accent-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
];

/// CRS84, the only coordinate reference system geometry literals may be given in besides
/// EPSG:4326 (latitude first).
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const EPSG4326: &str = "http://www.opengis.net/def/crs/EPSG/0/4326";

/// What a queryable holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Text,
    /// Text from a closed list.
    Enum(&'static [&'static str]),
    Integer,
    /// A time span (`occurred_at`: a day or an instant).
    Time,
    /// The incident's point.
    Point,
}

/// A property filters can name.
#[derive(Debug, Clone, Copy)]
pub struct Queryable {
    pub name: &'static str,
    pub title: &'static str,
    pub ty: Type,
}

const CATEGORIES: &[&str] = &[
    "protest",
    "riot",
    "armed_clash",
    "violence_against_civilians",
    "explosion",
    "arrests",
    "deployment",
    "shortage",
    "other",
];
const PRECISIONS: &[&str] = &["exact", "city", "near", "region", "country"];

/// Every property a filter may name: the one list the queryables document, the OpenAPI
/// document and the error messages are made from.
pub const QUERYABLES: &[Queryable] = &[
    Queryable {
        name: "geometry",
        title: "Where (a point)",
        ty: Type::Point,
    },
    Queryable {
        name: "occurred_at",
        title: "When: a day or an instant",
        ty: Type::Time,
    },
    Queryable {
        name: "category",
        title: "What happened",
        ty: Type::Enum(CATEGORIES),
    },
    Queryable {
        name: "precision",
        title: "How well the point is known",
        ty: Type::Enum(PRECISIONS),
    },
    Queryable {
        name: "fatalities",
        title: "Deaths",
        ty: Type::Integer,
    },
    Queryable {
        name: "injured",
        title: "Injured",
        ty: Type::Integer,
    },
    Queryable {
        name: "arrested",
        title: "Arrested",
        ty: Type::Integer,
    },
    Queryable {
        name: "place",
        title: "The place as the source named it",
        ty: Type::Text,
    },
    Queryable {
        name: "place_id",
        title: "Gazetteer id of the place",
        ty: Type::Integer,
    },
    Queryable {
        name: "source",
        title: "Where the report came from",
        ty: Type::Text,
    },
    Queryable {
        name: "notes",
        title: "Notes",
        ty: Type::Text,
    },
    Queryable {
        name: "id",
        title: "Incident id",
        ty: Type::Text,
    },
    Queryable {
        name: "admin1",
        title: "The first-level region the incident is counted in (from the gazetteer)",
        ty: Type::Text,
    },
    Queryable {
        name: "admin1_code",
        title: "That region's GeoNames admin1 code, e.g. KZ.09",
        ty: Type::Text,
    },
];

fn queryable_names() -> String {
    QUERYABLES
        .iter()
        .map(|q| q.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CqlError {
    #[error("filter: not valid {lang}: {message}")]
    Syntax { lang: &'static str, message: String },
    #[error("filter: unknown property {0:?}; the queryable properties are {names}", names = queryable_names())]
    UnknownProperty(String),
    #[error(
        "filter: {0:?} is not supported; supported are AND, OR, NOT, =, <>, <, <=, >, >=, LIKE, BETWEEN, IN, IS NULL, CASEI, ACCENTI, the S_ spatial and the T_ temporal functions"
    )]
    Unsupported(String),
    #[error("filter: {0}")]
    Type(String),
    #[error("filter-lang: {0:?} is not a filter language; use cql2-text or cql2-json")]
    Lang(String),
    #[error("filter-crs: {0:?} is not supported; use {CRS84} or {EPSG4326}")]
    Crs(String),
}

/// The two encodings of CQL2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Text,
    Json,
}

impl FromStr for Lang {
    type Err = CqlError;
    fn from_str(s: &str) -> Result<Lang, CqlError> {
        match s {
            "cql2-text" => Ok(Lang::Text),
            "cql2-json" => Ok(Lang::Json),
            other => Err(CqlError::Lang(other.to_string())),
        }
    }
}

// ---------------------------------------------------------------- compiled form

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextField {
    Id,
    Admin1,
    Admin1Code,
    Place,
    Source,
    Notes,
    Category,
    Precision,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumField {
    Count(CountField),
    PlaceId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    Case,
    Accent,
}

#[derive(Debug, Clone, PartialEq)]
enum Text {
    Field(TextField),
    Lit(String),
    Folded(Fold, Box<Text>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    Field(NumField),
    Lit(f64),
}

/// A time span in Unix milliseconds, ends inclusive; open ends are the extremes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Time {
    OccurredAt,
    Lit(i64, i64),
}

#[derive(Debug, Clone, PartialEq)]
enum Geom {
    Point,
    Lit(geo::Geometry<f64>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Cmp::Eq => o == Equal,
            Cmp::Ne => o != Equal,
            Cmp::Lt => o == Less,
            Cmp::Le => o != Greater,
            Cmp::Gt => o == Greater,
            Cmp::Ge => o != Less,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spatial {
    Intersects,
    Disjoint,
    Equals,
    Touches,
    Within,
    Contains,
    Overlaps,
    Crosses,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Temporal {
    After,
    Before,
    Contains,
    Disjoint,
    During,
    Equals,
    FinishedBy,
    Finishes,
    Intersects,
    Meets,
    MetBy,
    OverlappedBy,
    Overlaps,
    StartedBy,
    Starts,
}

#[derive(Debug, Clone, PartialEq)]
enum Pred {
    Const(bool),
    And(Vec<Pred>),
    Or(Vec<Pred>),
    Not(Box<Pred>),
    TextCmp(Cmp, Text, Text),
    NumCmp(Cmp, Num, Num),
    TimeCmp(Cmp, Time, Time),
    Like(Text, Text),
    Between(Num, Num, Num),
    TextIn(Text, Vec<Text>),
    NumIn(Num, Vec<Num>),
    IsNull(&'static str),
    Spatial(Spatial, Geom, Geom),
    Temporal(Temporal, Time, Time),
}

/// A parsed, checked filter.
#[derive(Clone)]
pub struct Cql {
    pred: Pred,
    /// Says what the filter is, for cache keys and ETags: its canonical CQL2 text, or (once
    /// parts were lowered into typed fields) the canonical form of what remains.
    key: String,
}

impl fmt::Debug for Cql {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cql({})", self.key)
    }
}

impl PartialEq for Cql {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

/// Filter parts that the typed filter fields also express (see [`Cql::lower`]).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Lowered {
    pub categories: Option<crate::model::CategorySet>,
    pub precisions: Option<crate::model::PrecisionSet>,
    pub time: Option<super::TimeRange>,
    pub bbox: Option<crate::bbox::Bbox>,
    pub min_counts: Vec<(CountField, u32)>,
    pub place_id: Option<u64>,
}

impl Cql {
    /// Parses and checks a filter. `crs` is the `filter-crs` (CRS84 when absent).
    pub fn parse(src: &str, lang: Lang, crs: Option<&str>) -> Result<Cql, CqlError> {
        let swap = match crs {
            None | Some(CRS84) => false,
            Some(EPSG4326) => true,
            Some(other) => return Err(CqlError::Crs(other.to_string())),
        };
        if src.len() > MAX_LEN {
            return Err(CqlError::Type(format!(
                "longer than {MAX_LEN} bytes; a filter that long is better split or sent as \
                 cql2-json"
            )));
        }
        if lang == Lang::Text && nesting(src) > MAX_NESTING {
            return Err(CqlError::Type(format!(
                "parentheses nested deeper than {MAX_NESTING}"
            )));
        }
        let expr = match lang {
            Lang::Text => cql2::parse_text(src).map_err(|e| CqlError::Syntax {
                lang: "cql2-text",
                message: one_line(&e.to_string()),
            })?,
            Lang::Json => cql2::parse_json(src).map_err(|e| CqlError::Syntax {
                lang: "cql2-json",
                message: one_line(&e.to_string()),
            })?,
        };
        let pred = Compiler { swap }.pred(&expr)?;
        let key = expr.to_text().map_err(|e| CqlError::Syntax {
            lang: "cql2",
            message: one_line(&e.to_string()),
        })?;
        Ok(Cql { pred, key })
    }

    /// What the filter is, as a string fit for cache keys.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether the incident matches (unknown counts as no).
    pub fn matches(&self, i: &Incident) -> bool {
        eval(&self.pred, i) == Some(true)
    }

    /// Takes out the top-level conjuncts that typed filter fields express, where `taken`
    /// says a field is still free; returns them and what remains (`None`: nothing).
    pub fn lower(self, taken: &Lowered) -> (Lowered, Option<Cql>) {
        let conjuncts: Vec<&Pred> = match &self.pred {
            Pred::And(v) => v.iter().collect(),
            p => vec![p],
        };
        let mut out = Lowered::default();
        let rest: Vec<Pred> = conjuncts
            .into_iter()
            .filter(|p| !lower_one(p, taken, &mut out))
            .cloned()
            .collect();
        if out == Lowered::default() {
            return (out, Some(self));
        }
        let rest = match rest.len() {
            0 => None,
            n => {
                let pred = if n == 1 {
                    rest.into_iter().next().expect("one")
                } else {
                    Pred::And(rest)
                };
                // What is left, for cache keys (the parts lowered are keyed by the typed
                // fields): its debug form is canonical, if not pretty.
                let key = format!("{pred:?}");
                Some(Cql { pred, key })
            }
        };
        (out, rest)
    }
}

/// The longest filter taken, bytes.
const MAX_LEN: usize = 16 * 1024;

/// The deepest nesting of parentheses a cql2-text filter may have. The grammar the parser
/// uses backtracks on unclosed parentheses, doubling its time with each level (twenty levels
/// took seconds, found by fuzzing): refused before parsing, so no request can hold a thread
/// that long. Ten levels parse in under a millisecond, deeper than any filter people write.
const MAX_NESTING: usize = 10;

/// How deep parentheses nest, outside quoted text.
fn nesting(src: &str) -> usize {
    let (mut depth, mut deepest, mut quoted) = (0usize, 0usize, false);
    for c in src.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Error messages of the parser span several lines (a caret under the input): one line reads
/// better in a JSON body.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn lower_one(p: &Pred, taken: &Lowered, out: &mut Lowered) -> bool {
    let text_values = |vals: &[&Text]| -> Option<Vec<String>> {
        vals.iter()
            .map(|t| match t {
                Text::Lit(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    };
    match p {
        Pred::TextCmp(Cmp::Eq, Text::Field(f), lit @ Text::Lit(_))
        | Pred::TextCmp(Cmp::Eq, lit @ Text::Lit(_), Text::Field(f)) => {
            lower_set(*f, &text_values(&[lit]).unwrap_or_default(), taken, out)
        }
        Pred::TextIn(Text::Field(f), vals) => match text_values(&vals.iter().collect::<Vec<_>>()) {
            Some(v) if !v.is_empty() => lower_set(*f, &v, taken, out),
            _ => false,
        },
        Pred::Temporal(Temporal::Intersects, Time::OccurredAt, Time::Lit(a, b))
        | Pred::Temporal(Temporal::Intersects, Time::Lit(a, b), Time::OccurredAt)
            if taken.time.is_none() && out.time.is_none() =>
        {
            out.time = Some(super::TimeRange {
                start: (*a != i64::MIN).then_some(*a),
                end: (*b != i64::MAX).then_some(*b),
            });
            true
        }
        Pred::Spatial(Spatial::Intersects, Geom::Point, Geom::Lit(g))
        | Pred::Spatial(Spatial::Intersects, Geom::Lit(g), Geom::Point)
            if taken.bbox.is_none() && out.bbox.is_none() =>
        {
            match as_box(g) {
                Some(b) => {
                    out.bbox = Some(b);
                    true
                }
                None => false,
            }
        }
        Pred::NumCmp(op @ (Cmp::Ge | Cmp::Gt), Num::Field(NumField::Count(c)), Num::Lit(v))
            if v.fract() == 0.0
                && *v >= 0.0
                && *v < u32::MAX as f64
                && !taken
                    .min_counts
                    .iter()
                    .chain(&out.min_counts)
                    .any(|m| m.0 == *c) =>
        {
            let min = *v as u32 + u32::from(*op == Cmp::Gt);
            out.min_counts.push((*c, min));
            true
        }
        Pred::NumCmp(Cmp::Eq, Num::Field(NumField::PlaceId), Num::Lit(v))
            if v.fract() == 0.0
                && *v >= 0.0
                && taken.place_id.is_none()
                && out.place_id.is_none() =>
        {
            out.place_id = Some(*v as u64);
            true
        }
        _ => false,
    }
}

/// Lowers `field = v` / `field IN (…)` for the two closed lists.
fn lower_set(field: TextField, values: &[String], taken: &Lowered, out: &mut Lowered) -> bool {
    match field {
        TextField::Category if taken.categories.is_none() && out.categories.is_none() => {
            let set: Option<crate::model::CategorySet> =
                values.iter().map(|v| v.parse::<Category>().ok()).collect();
            match set {
                Some(s) => {
                    out.categories = Some(s);
                    true
                }
                None => false,
            }
        }
        TextField::Precision if taken.precisions.is_none() && out.precisions.is_none() => {
            let mut set = crate::model::PrecisionSet::default();
            for v in values {
                match v.parse::<Precision>() {
                    Ok(p) => set.insert(p),
                    Err(_) => return false,
                }
            }
            out.precisions = Some(set);
            true
        }
        _ => false,
    }
}

/// The box a geometry literal is, if it is one (an axis-aligned rectangle, as BBOX gives).
fn as_box(g: &geo::Geometry<f64>) -> Option<crate::bbox::Bbox> {
    use geo::BoundingRect;
    let poly = match g {
        geo::Geometry::Polygon(p) => p,
        geo::Geometry::Rect(r) => {
            return crate::bbox::Bbox::new(r.min().x, r.min().y, r.max().x, r.max().y).ok();
        }
        _ => return None,
    };
    let r = poly.bounding_rect()?;
    let ring = poly.exterior();
    let is_rect = poly.interiors().is_empty()
        && ring.0.len() == 5
        && ring.0.iter().all(|c| {
            (c.x == r.min().x || c.x == r.max().x) && (c.y == r.min().y || c.y == r.max().y)
        });
    is_rect
        .then(|| crate::bbox::Bbox::new(r.min().x, r.min().y, r.max().x, r.max().y).ok())
        .flatten()
}

// ---------------------------------------------------------------- compiling

struct Compiler {
    /// EPSG:4326 literals are latitude first.
    swap: bool,
}

type E = cql2::Expr;

fn arity(op: &str, args: &[Box<E>], n: usize) -> Result<(), CqlError> {
    if args.len() == n {
        Ok(())
    } else {
        Err(CqlError::Type(format!(
            "{} takes {n} arguments, not {}",
            op.to_uppercase(),
            args.len()
        )))
    }
}

/// What an operand is, for messages.
fn describe(e: &E) -> String {
    match e {
        E::Property { property } => format!("property {property:?}"),
        E::Literal(s) => format!("text '{s}'"),
        E::Float(v) => format!("number {v}"),
        E::Bool(b) => format!("boolean {b}"),
        E::Timestamp { .. } | E::Date { .. } | E::Interval { .. } => "a time".into(),
        E::Geometry(_) | E::BBox { .. } => "a geometry".into(),
        E::Array(_) => "a list".into(),
        E::Null => "NULL".into(),
        E::Operation { op, .. } => format!("{}(…)", op.to_uppercase()),
    }
}

fn queryable(name: &str) -> Result<&'static Queryable, CqlError> {
    QUERYABLES
        .iter()
        .find(|q| q.name == name)
        .ok_or_else(|| CqlError::UnknownProperty(name.to_string()))
}

impl Compiler {
    fn pred(&self, e: &E) -> Result<Pred, CqlError> {
        let (op, args) = match e {
            E::Bool(b) => return Ok(Pred::Const(*b)),
            E::Operation { op, args } => (op.as_str(), args.as_slice()),
            E::Property { property } => {
                queryable(property)?;
                return Err(CqlError::Type(format!(
                    "property {property:?} is not a condition; compare it with something"
                )));
            }
            other => {
                return Err(CqlError::Type(format!(
                    "{} is not a condition",
                    describe(other)
                )));
            }
        };
        let op_lc = op.to_ascii_lowercase();
        match op_lc.as_str() {
            "and" | "or" => {
                let parts = args
                    .iter()
                    .map(|a| self.pred(a))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if op_lc == "and" {
                    Pred::And(parts)
                } else {
                    Pred::Or(parts)
                })
            }
            "not" => {
                arity(op, args, 1)?;
                Ok(Pred::Not(Box::new(self.pred(&args[0])?)))
            }
            "=" | "<>" | "<" | "<=" | ">" | ">=" => {
                arity(op, args, 2)?;
                let cmp = match op_lc.as_str() {
                    "=" => Cmp::Eq,
                    "<>" => Cmp::Ne,
                    "<" => Cmp::Lt,
                    "<=" => Cmp::Le,
                    ">" => Cmp::Gt,
                    _ => Cmp::Ge,
                };
                self.comparison(cmp, &args[0], &args[1])
            }
            "like" => {
                arity(op, args, 2)?;
                let (a, b) = (self.text(&args[0])?, self.text(&args[1])?);
                if !matches!(strip_folds(&b), Text::Lit(_)) {
                    return Err(CqlError::Type(
                        "LIKE takes a text pattern on its right".into(),
                    ));
                }
                Ok(Pred::Like(a, b))
            }
            "between" => {
                arity(op, args, 3)?;
                Ok(Pred::Between(
                    self.num(&args[0])?,
                    self.num(&args[1])?,
                    self.num(&args[2])?,
                ))
            }
            "in" => {
                arity(op, args, 2)?;
                let E::Array(list) = &*args[1] else {
                    return Err(CqlError::Type(format!(
                        "IN takes a list on its right, not {}",
                        describe(&args[1])
                    )));
                };
                if self.kind(&args[0])? == Kind::Num {
                    Ok(Pred::NumIn(
                        self.num(&args[0])?,
                        list.iter().map(|v| self.num(v)).collect::<Result<_, _>>()?,
                    ))
                } else {
                    let field = self.text(&args[0])?;
                    let values: Vec<Text> = list
                        .iter()
                        .map(|v| self.text(v))
                        .collect::<Result<_, _>>()?;
                    for v in &values {
                        check_enum(&field, v)?;
                    }
                    Ok(Pred::TextIn(field, values))
                }
            }
            "isnull" => {
                arity(op, args, 1)?;
                match &*args[0] {
                    E::Property { property } => Ok(Pred::IsNull(queryable(property)?.name)),
                    other => Err(CqlError::Type(format!(
                        "IS NULL applies to a property, not {}",
                        describe(other)
                    ))),
                }
            }
            s if s.starts_with("s_") => {
                arity(op, args, 2)?;
                let rel = match s {
                    "s_intersects" => Spatial::Intersects,
                    "s_disjoint" => Spatial::Disjoint,
                    "s_equals" => Spatial::Equals,
                    "s_touches" => Spatial::Touches,
                    "s_within" => Spatial::Within,
                    "s_contains" => Spatial::Contains,
                    "s_overlaps" => Spatial::Overlaps,
                    "s_crosses" => Spatial::Crosses,
                    _ => return Err(CqlError::Unsupported(op.to_uppercase())),
                };
                Ok(Pred::Spatial(
                    rel,
                    self.geom(&args[0])?,
                    self.geom(&args[1])?,
                ))
            }
            t if t.starts_with("t_") => {
                arity(op, args, 2)?;
                let rel = match t {
                    "t_after" => Temporal::After,
                    "t_before" => Temporal::Before,
                    "t_contains" => Temporal::Contains,
                    "t_disjoint" => Temporal::Disjoint,
                    "t_during" => Temporal::During,
                    "t_equals" => Temporal::Equals,
                    "t_finishedby" => Temporal::FinishedBy,
                    "t_finishes" => Temporal::Finishes,
                    "t_intersects" => Temporal::Intersects,
                    "t_meets" => Temporal::Meets,
                    "t_metby" => Temporal::MetBy,
                    "t_overlappedby" => Temporal::OverlappedBy,
                    "t_overlaps" => Temporal::Overlaps,
                    "t_startedby" => Temporal::StartedBy,
                    "t_starts" => Temporal::Starts,
                    _ => return Err(CqlError::Unsupported(op.to_uppercase())),
                };
                Ok(Pred::Temporal(
                    rel,
                    self.time(&args[0])?,
                    self.time(&args[1])?,
                ))
            }
            _ => Err(CqlError::Unsupported(op.to_uppercase())),
        }
    }

    fn comparison(&self, cmp: Cmp, a: &E, b: &E) -> Result<Pred, CqlError> {
        let (ka, kb) = (self.kind(a)?, self.kind(b)?);
        if ka != kb && ka != Kind::Any && kb != Kind::Any {
            return Err(CqlError::Type(format!(
                "{} and {} cannot be compared",
                describe(a),
                describe(b)
            )));
        }
        match if ka == Kind::Any { kb } else { ka } {
            Kind::Num => Ok(Pred::NumCmp(cmp, self.num(a)?, self.num(b)?)),
            Kind::Time => Ok(Pred::TimeCmp(cmp, self.time(a)?, self.time(b)?)),
            Kind::Geom => Err(CqlError::Type(
                "geometries are compared with the S_ functions (S_EQUALS, S_INTERSECTS …)".into(),
            )),
            Kind::Text | Kind::Any => {
                let (ta, tb) = (self.text(a)?, self.text(b)?);
                check_enum(&ta, &tb)?;
                check_enum(&tb, &ta)?;
                Ok(Pred::TextCmp(cmp, ta, tb))
            }
        }
    }

    /// The type of an operand.
    fn kind(&self, e: &E) -> Result<Kind, CqlError> {
        Ok(match e {
            E::Property { property } => match queryable(property)?.ty {
                Type::Text | Type::Enum(_) => Kind::Text,
                Type::Integer => Kind::Num,
                Type::Time => Kind::Time,
                Type::Point => Kind::Geom,
            },
            E::Literal(_) => Kind::Text,
            E::Float(_) => Kind::Num,
            E::Timestamp { .. } | E::Date { .. } | E::Interval { .. } => Kind::Time,
            E::Geometry(_) | E::BBox { .. } => Kind::Geom,
            E::Null => Kind::Any,
            E::Operation { op, .. } if matches!(op.as_str(), "casei" | "accenti") => Kind::Text,
            E::Operation { op, .. } => return Err(CqlError::Unsupported(op.to_uppercase())),
            E::Bool(_) | E::Array(_) => {
                return Err(CqlError::Type(format!(
                    "{} cannot be compared",
                    describe(e)
                )));
            }
        })
    }

    fn text(&self, e: &E) -> Result<Text, CqlError> {
        match e {
            E::Literal(s) => Ok(Text::Lit(s.clone())),
            E::Property { property } => {
                let q = queryable(property)?;
                let field = match q.name {
                    "id" => TextField::Id,
                    "admin1" => TextField::Admin1,
                    "admin1_code" => TextField::Admin1Code,
                    "place" => TextField::Place,
                    "source" => TextField::Source,
                    "notes" => TextField::Notes,
                    "category" => TextField::Category,
                    "precision" => TextField::Precision,
                    _ => {
                        return Err(CqlError::Type(format!("property {:?} is not text", q.name)));
                    }
                };
                Ok(Text::Field(field))
            }
            E::Operation { op, args } if op == "casei" || op == "accenti" => {
                arity(op, args, 1)?;
                let fold = if op == "casei" {
                    Fold::Case
                } else {
                    Fold::Accent
                };
                Ok(Text::Folded(fold, Box::new(self.text(&args[0])?)))
            }
            other => Err(CqlError::Type(format!("{} is not text", describe(other)))),
        }
    }

    fn num(&self, e: &E) -> Result<Num, CqlError> {
        match e {
            E::Float(v) => Ok(Num::Lit(*v)),
            E::Property { property } => {
                let q = queryable(property)?;
                let field = match q.name {
                    "fatalities" => NumField::Count(CountField::Fatalities),
                    "injured" => NumField::Count(CountField::Injured),
                    "arrested" => NumField::Count(CountField::Arrested),
                    "place_id" => NumField::PlaceId,
                    _ => {
                        return Err(CqlError::Type(format!(
                            "property {:?} is not a number",
                            q.name
                        )));
                    }
                };
                Ok(Num::Field(field))
            }
            other => Err(CqlError::Type(format!(
                "{} is not a number",
                describe(other)
            ))),
        }
    }

    fn time(&self, e: &E) -> Result<Time, CqlError> {
        match e {
            E::Property { property } => {
                if queryable(property)?.ty == Type::Time {
                    Ok(Time::OccurredAt)
                } else {
                    Err(CqlError::Type(format!(
                        "property {property:?} is not a time"
                    )))
                }
            }
            E::Timestamp { timestamp } => {
                let t = literal_time(timestamp)?;
                Ok(Time::Lit(t.0, t.0))
            }
            E::Date { date } => {
                let t = literal_time(date)?;
                Ok(Time::Lit(t.0, t.1))
            }
            E::Interval { interval } => {
                if interval.len() != 2 {
                    return Err(CqlError::Type("INTERVAL takes a start and an end".into()));
                }
                let bound = |e: &E, start: bool| -> Result<i64, CqlError> {
                    let inner = match e {
                        E::Timestamp { timestamp } => &**timestamp,
                        E::Date { date } => &**date,
                        other => other,
                    };
                    if matches!(inner, E::Literal(s) if s == "..") {
                        return Ok(if start { i64::MIN } else { i64::MAX });
                    }
                    let t = literal_time(inner)?;
                    Ok(if start { t.0 } else { t.1 })
                };
                let (a, b) = (bound(&interval[0], true)?, bound(&interval[1], false)?);
                if a > b {
                    return Err(CqlError::Type("INTERVAL ends before it starts".into()));
                }
                Ok(Time::Lit(a, b))
            }
            other => Err(CqlError::Type(format!("{} is not a time", describe(other)))),
        }
    }

    fn geom(&self, e: &E) -> Result<Geom, CqlError> {
        let g: geo::Geometry<f64> = match e {
            E::Property { property } => {
                return if queryable(property)?.ty == Type::Point {
                    Ok(Geom::Point)
                } else {
                    Err(CqlError::Type(format!(
                        "property {property:?} is not a geometry"
                    )))
                };
            }
            E::BBox { bbox } => {
                let v: Vec<f64> = bbox
                    .iter()
                    .map(|b| match **b {
                        E::Float(v) => Ok(v),
                        _ => Err(CqlError::Type("BBOX takes numbers".into())),
                    })
                    .collect::<Result<_, _>>()?;
                let (w, s, e, n) = match v.as_slice() {
                    [w, s, e, n] => (*w, *s, *e, *n),
                    [w, s, _, e, n, _] => (*w, *s, *e, *n),
                    _ => return Err(CqlError::Type("BBOX takes 4 or 6 numbers".into())),
                };
                let (w, s, e, n) = if self.swap {
                    (s, w, n, e)
                } else {
                    (w, s, e, n)
                };
                if w > e {
                    // across the antimeridian: two boxes
                    geo::Geometry::MultiPolygon(geo::MultiPolygon(vec![
                        Rect::new((w, s), (180.0, n)).to_polygon(),
                        Rect::new((-180.0, s), (e, n)).to_polygon(),
                    ]))
                } else {
                    geo::Geometry::Polygon(Rect::new((w, s), (e, n)).to_polygon())
                }
            }
            E::Geometry(g) => {
                let wkt_text = g.to_wkt().map_err(|e| {
                    CqlError::Type(format!("a geometry literal does not read: {e}"))
                })?;
                let w = wkt::Wkt::<f64>::from_str(&wkt_text).map_err(|e| {
                    CqlError::Type(format!("a geometry literal does not read: {e}"))
                })?;
                let g: geo::Geometry<f64> = w.try_into().map_err(|_| {
                    CqlError::Type("empty geometries are not supported in filters".to_string())
                })?;
                if self.swap {
                    use geo::MapCoords;
                    g.map_coords(|c| geo::coord! { x: c.y, y: c.x })
                } else {
                    g
                }
            }
            other => {
                return Err(CqlError::Type(format!(
                    "{} is not a geometry",
                    describe(other)
                )));
            }
        };
        Ok(Geom::Lit(g))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Num,
    Time,
    Geom,
    /// NULL: compares with anything (and is never equal).
    Any,
}

fn strip_folds(t: &Text) -> &Text {
    match t {
        Text::Folded(_, inner) => strip_folds(inner),
        t => t,
    }
}

/// A literal compared with `category` or `precision` must be one of their values: a typo
/// would otherwise match nothing, silently.
fn check_enum(field: &Text, value: &Text) -> Result<(), CqlError> {
    let (Text::Field(f), Text::Lit(v)) = (field, value) else {
        return Ok(());
    };
    let (name, allowed) = match f {
        TextField::Category => ("category", CATEGORIES),
        TextField::Precision => ("precision", PRECISIONS),
        _ => return Ok(()),
    };
    if allowed.contains(&v.as_str()) {
        Ok(())
    } else {
        Err(CqlError::Type(format!(
            "{name} has no value {v:?}; its values are {}",
            allowed.join(", ")
        )))
    }
}

/// A TIMESTAMP or DATE literal as a span: an instant, or the whole UTC day.
fn literal_time(e: &E) -> Result<(i64, i64), CqlError> {
    let E::Literal(s) = e else {
        return Err(CqlError::Type(format!(
            "{} is not a date or timestamp",
            describe(e)
        )));
    };
    let t = OccurredAt::parse(s).map_err(|_| {
        CqlError::Type(format!(
            "{s:?} is not an RFC 3339 date (2022-01-05) or timestamp (2022-01-05T10:00:00Z)"
        ))
    })?;
    Ok((t.start_ms(), t.end_ms()))
}

// ---------------------------------------------------------------- evaluating

fn text_of(i: &Incident, f: TextField) -> Option<&str> {
    match f {
        TextField::Id => Some(&i.id),
        TextField::Admin1 => i.admin1.as_ref().map(|a| &*a.name),
        TextField::Admin1Code => i.admin1.as_ref().map(|a| &*a.code),
        TextField::Place => i.place.as_deref(),
        TextField::Source => i.source.as_deref(),
        TextField::Notes => i.notes.as_deref(),
        TextField::Category => Some(i.category.as_str()),
        TextField::Precision => Some(i.precision.as_str()),
    }
}

fn text_value(t: &Text, i: &Incident) -> Option<String> {
    match t {
        Text::Field(f) => text_of(i, *f).map(str::to_string),
        Text::Lit(s) => Some(s.clone()),
        Text::Folded(fold, inner) => text_value(inner, i).map(|s| apply_fold(*fold, &s)),
    }
}

fn apply_fold(fold: Fold, s: &str) -> String {
    match fold {
        Fold::Case => s.to_lowercase(),
        Fold::Accent => {
            use unicode_normalization::UnicodeNormalization;
            s.nfd()
                .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
                .nfc()
                .collect()
        }
    }
}

fn num_value(n: &Num, i: &Incident) -> Option<f64> {
    match n {
        Num::Lit(v) => Some(*v),
        Num::Field(NumField::Count(c)) => i.field(*c).map(f64::from),
        Num::Field(NumField::PlaceId) => i.place_id.map(|v| v as f64),
    }
}

fn time_value(t: &Time, i: &Incident) -> (i64, i64) {
    match t {
        Time::OccurredAt => (i.occurred_at.start_ms(), i.occurred_at.end_ms()),
        Time::Lit(a, b) => (*a, *b),
    }
}

fn geom_value(g: &Geom, i: &Incident) -> geo::Geometry<f64> {
    match g {
        Geom::Point => geo::Geometry::Point(geo::Point::new(i.lon, i.lat)),
        Geom::Lit(g) => g.clone(),
    }
}

/// AND (`decisive` false) or OR (`decisive` true) in Kleene logic: one decisive part decides;
/// otherwise any unknown part makes the whole unknown.
fn kleene(parts: &[Pred], i: &Incident, decisive: bool) -> Option<bool> {
    let mut unknown = false;
    for q in parts {
        match eval(q, i) {
            Some(b) if b == decisive => return Some(decisive),
            None => unknown = true,
            Some(_) => {}
        }
    }
    (!unknown).then_some(!decisive)
}

/// Kleene logic: `None` is unknown.
fn eval(p: &Pred, i: &Incident) -> Option<bool> {
    match p {
        Pred::Const(b) => Some(*b),
        Pred::And(v) => kleene(v, i, false),
        Pred::Or(v) => kleene(v, i, true),
        Pred::Not(q) => eval(q, i).map(|b| !b),
        Pred::TextCmp(cmp, a, b) => {
            let (a, b) = (text_value(a, i)?, text_value(b, i)?);
            Some(cmp.holds(a.cmp(&b)))
        }
        Pred::NumCmp(cmp, a, b) => {
            let (a, b) = (num_value(a, i)?, num_value(b, i)?);
            a.partial_cmp(&b).map(|o| cmp.holds(o))
        }
        Pred::TimeCmp(cmp, a, b) => {
            // instants compare by their start (a day by its first millisecond)
            let (a, b) = (time_value(a, i).0, time_value(b, i).0);
            Some(cmp.holds(a.cmp(&b)))
        }
        Pred::Like(a, pattern) => {
            let (a, p) = (text_value(a, i)?, text_value(pattern, i)?);
            Some(like(&a, &p))
        }
        Pred::Between(v, lo, hi) => {
            let (v, lo, hi) = (num_value(v, i)?, num_value(lo, i)?, num_value(hi, i)?);
            Some(lo <= v && v <= hi)
        }
        Pred::TextIn(a, list) => {
            let a = text_value(a, i)?;
            let mut unknown = false;
            for v in list {
                match text_value(v, i) {
                    Some(v) if v == a => return Some(true),
                    None => unknown = true,
                    _ => {}
                }
            }
            (!unknown).then_some(false)
        }
        Pred::NumIn(a, list) => {
            let a = num_value(a, i)?;
            Some(list.iter().any(|v| num_value(v, i) == Some(a)))
        }
        Pred::IsNull(name) => Some(match *name {
            "fatalities" => i.fatalities.is_none(),
            "injured" => i.injured.is_none(),
            "arrested" => i.arrested.is_none(),
            "place" => i.place.is_none(),
            "place_id" => i.place_id.is_none(),
            "source" => i.source.is_none(),
            "notes" => i.notes.is_none(),
            "admin1" | "admin1_code" => i.admin1.is_none(),
            _ => false,
        }),
        Pred::Spatial(rel, a, b) => {
            let m = geom_value(a, i).relate(&geom_value(b, i));
            Some(match rel {
                Spatial::Intersects => m.is_intersects(),
                Spatial::Disjoint => m.is_disjoint(),
                Spatial::Equals => m.is_equal_topo(),
                Spatial::Touches => m.is_touches(),
                Spatial::Within => m.is_within(),
                Spatial::Contains => m.is_contains(),
                Spatial::Overlaps => m.is_overlaps(),
                Spatial::Crosses => m.is_crosses(),
            })
        }
        Pred::Temporal(rel, a, b) => {
            let ((as_, ae), (bs, be)) = (time_value(a, i), time_value(b, i));
            Some(match rel {
                Temporal::After => as_ > be,
                Temporal::Before => ae < bs,
                Temporal::Contains => as_ < bs && ae > be,
                Temporal::Disjoint => ae < bs || as_ > be,
                Temporal::During => as_ > bs && ae < be,
                Temporal::Equals => as_ == bs && ae == be,
                Temporal::FinishedBy => as_ < bs && ae == be,
                Temporal::Finishes => as_ > bs && ae == be,
                Temporal::Intersects => as_ <= be && ae >= bs,
                Temporal::Meets => ae == bs,
                Temporal::MetBy => as_ == be,
                Temporal::OverlappedBy => as_ > bs && as_ < be && ae > be,
                Temporal::Overlaps => as_ < bs && ae > bs && ae < be,
                Temporal::StartedBy => as_ == bs && ae > be,
                Temporal::Starts => as_ == bs && ae < be,
            })
        }
    }
}

/// SQL LIKE: `%` any run of characters, `_` one, `\` escapes the next.
fn like(s: &str, pattern: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum Tok {
        Any,
        One,
        Char(char),
    }
    let mut toks = Vec::new();
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        toks.push(match c {
            '%' => Tok::Any,
            '_' => Tok::One,
            '\\' => Tok::Char(it.next().unwrap_or('\\')),
            c => Tok::Char(c),
        });
    }
    let s: Vec<char> = s.chars().collect();
    // Greedy matching with one backtrack point per `%` (linear in practice).
    let (mut si, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match toks.get(pi) {
            Some(Tok::Any) => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(Tok::One) => {
                si += 1;
                pi += 1;
            }
            Some(Tok::Char(c)) if *c == s[si] => {
                si += 1;
                pi += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    toks[pi..].iter().all(|t| *t == Tok::Any)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Precision;

    fn inc(cat: Category, fatalities: Option<u32>, place: &str, day: &str) -> Incident {
        Incident {
            id: "a1".into(),
            lon: 76.9,
            lat: 43.25,
            occurred_at: OccurredAt::parse(day).unwrap(),
            category: cat,
            fatalities,
            injured: None,
            arrested: Some(3),
            place: Some(place.into()),
            place_id: Some(1526384),
            precision: Precision::Exact,
            source: None,
            notes: None,
            status: Default::default(),
            report_id: None,
            admin1: None,
        }
    }

    fn m(src: &str, i: &Incident) -> bool {
        Cql::parse(src, Lang::Text, None)
            .unwrap_or_else(|e| panic!("{src}: {e}"))
            .matches(i)
    }

    #[test]
    fn basic_and_advanced_comparisons() {
        let i = inc(Category::Riot, Some(7), "Алматы", "2022-01-05");
        assert!(m("category = 'riot' AND fatalities > 5", &i));
        assert!(!m("category = 'protest' OR fatalities < 5", &i));
        assert!(m("fatalities BETWEEN 7 AND 9", &i));
        assert!(m("category IN ('protest', 'riot')", &i));
        assert!(m("place LIKE 'Алм%'", &i));
        assert!(m("place LIKE '_лматы'", &i));
        assert!(!m("place LIKE 'Алм'", &i));
        assert!(m("CASEI(place) = CASEI('АЛМАТЫ')", &i));
        assert!(m("ACCENTI(place) = ACCENTI('Алматы')", &i));
        assert!(m("injured IS NULL AND arrested IS NOT NULL", &i));
        assert!(m("place_id = 1526384", &i));
        assert!(m("true", &i));
    }

    #[test]
    fn unknown_counts_are_unknown_not_false() {
        let i = inc(Category::Riot, None, "x", "2022-01-05");
        assert!(!m("fatalities > 5", &i));
        assert!(!m("NOT (fatalities > 5)", &i));
        assert!(m("fatalities > 5 OR category = 'riot'", &i));
        assert!(!m("NOT (fatalities > 5 AND category = 'riot')", &i));
    }

    #[test]
    fn time_and_space() {
        let day = inc(Category::Riot, Some(1), "x", "2022-01-05");
        assert!(m(
            "T_INTERSECTS(occurred_at, INTERVAL('2022-01-05T12:00:00Z', '..'))",
            &day
        ));
        assert!(m(
            "T_DURING(occurred_at, INTERVAL('2022-01-01', '2022-01-31'))",
            &day
        ));
        assert!(m("T_AFTER(occurred_at, DATE('2022-01-04'))", &day));
        assert!(!m(
            "T_AFTER(occurred_at, TIMESTAMP('2022-01-05T00:00:00Z'))",
            &day
        ));
        assert!(m(
            "T_BEFORE(occurred_at, TIMESTAMP('2022-01-06T00:00:00Z'))",
            &day
        ));
        assert!(m("T_EQUALS(occurred_at, DATE('2022-01-05'))", &day));
        assert!(m("occurred_at >= DATE('2022-01-05')", &day));
        assert!(m("S_INTERSECTS(geometry, BBOX(76, 43, 77, 44))", &day));
        assert!(!m("S_INTERSECTS(geometry, BBOX(77, 43, 78, 44))", &day));
        assert!(m(
            "S_INTERSECTS(geometry, POLYGON((76 43, 78 43, 78 44, 76 44, 76 43)))",
            &day
        ));
        assert!(m(
            "S_WITHIN(geometry, POLYGON((76 43, 78 43, 78 44, 76 44, 76 43)))",
            &day
        ));
        assert!(m("S_DISJOINT(geometry, POINT(0 0))", &day));
        // EPSG:4326 literals are latitude first
        let swapped = Cql::parse(
            "S_INTERSECTS(geometry, BBOX(43, 76, 44, 77))",
            Lang::Text,
            Some(EPSG4326),
        )
        .unwrap();
        assert!(swapped.matches(&day));
    }

    #[test]
    fn json_says_the_same() {
        let i = inc(Category::Riot, Some(7), "x", "2022-01-05");
        let j = r#"{"op":"and","args":[{"op":"=","args":[{"property":"category"},"riot"]},{"op":">","args":[{"property":"fatalities"},5]}]}"#;
        assert!(Cql::parse(j, Lang::Json, None).unwrap().matches(&i));
    }

    #[test]
    fn mistakes_are_named() {
        let err = |s: &str| Cql::parse(s, Lang::Text, None).unwrap_err().to_string();
        assert!(
            err("deaths > 5").contains("\"deaths\""),
            "{}",
            err("deaths > 5")
        );
        assert!(err("fatalities > 'many'").contains("cannot be compared"));
        assert!(err("category = 'riott'").contains("riott"));
        assert!(err("A_CONTAINS(category, ('riot'))").contains("A_CONTAINS"));
        assert!(err("category = ").contains("cql2-text"));
        assert!(err("fatalities + 1 > 2").contains('+'));
        assert!(
            Cql::parse("true", Lang::Text, Some("EPSG:3857"))
                .unwrap_err()
                .to_string()
                .contains("EPSG:3857")
        );
        assert!("cql-text".parse::<Lang>().is_err());
        // Unclosed parentheses make the grammar backtrack exponentially: refused at once.
        let deep = format!("{}x", "(".repeat(40));
        let t = std::time::Instant::now();
        assert!(err(&deep).contains("nested deeper"));
        assert!(t.elapsed() < std::time::Duration::from_secs(1));
        assert!(Cql::parse("place = '((((((((((((((((((((('", Lang::Text, None).is_ok());
    }

    #[test]
    fn lowering_keeps_the_meaning() {
        let c = Cql::parse(
            "category IN ('riot','protest') AND T_INTERSECTS(occurred_at, INTERVAL('2022-01-01','2022-01-31')) AND fatalities > 2 AND place LIKE 'A%'",
            Lang::Text,
            None,
        )
        .unwrap();
        let (low, rest) = c.lower(&Lowered::default());
        let cats = low.categories.unwrap();
        assert!(cats.contains(Category::Riot) && cats.contains(Category::Protest));
        assert_eq!(low.min_counts, vec![(CountField::Fatalities, 3)]);
        assert!(low.time.is_some());
        assert!(rest.is_some(), "LIKE stays");
    }

    #[test]
    fn the_closed_lists_are_the_models() {
        assert_eq!(CATEGORIES, Category::ALL.map(Category::as_str));
        assert_eq!(PRECISIONS, Precision::ALL.map(Precision::as_str));
    }

    #[test]
    fn like_patterns() {
        assert!(like("abc", "a%"));
        assert!(like("abc", "%c"));
        assert!(like("abc", "%b%"));
        assert!(like("abc", "a_c"));
        assert!(!like("abc", "a_"));
        assert!(like("a%c", "a\\%c"));
        assert!(!like("abc", "a\\%c"));
        assert!(like("", "%"));
        assert!(like("aXbXc", "a%b%c"));
    }
}
