//! Query strings, read strictly: every endpoint lists the parameters it accepts, and anything
//! else — an unknown name, a repeated name, a malformed value — is a 400 that says which.
//! OGC API – Features asks for exactly this, and it catches typos (`bbbox=`) that a lenient
//! server would silently ignore.

use serde_json::{Value, json};

use super::error::ApiError;
use crate::bbox::Bbox;

/// One query parameter, declared once: [`Params::declared`] accepts it by name, the typed
/// readers ([`Params::int`], [`Params::word`], …) check its value against its [`Kind`], and
/// `/api` publishes its name, help and schema from the same declaration, so what the document
/// says and what the server checks cannot drift apart. (The filters have their own single
/// declaration, [`crate::filter::FilterArgs`], shared with the CLI.)
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    /// What it does, in a sentence or two: `/api`'s description.
    pub help: &'static str,
    pub kind: Kind,
    pub required: bool,
}

/// The values a parameter takes.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A whole number from `min` to `max`, `default` when absent. With `clamp`, a larger one
    /// is served as `max` (how OGC API treats `limit`); without, it is refused.
    Int {
        min: u64,
        max: u64,
        default: Option<u64>,
        clamp: bool,
    },
    /// A number from `min` to `max`, `default` when absent.
    Number { min: f64, max: f64, default: f64 },
    /// One of these words.
    OneOf(&'static [&'static str]),
    /// Text of 1 to `max` characters.
    Text { max: usize },
    /// `true` or `false` (the default).
    Flag,
    /// An ISO 3166-1 alpha-2 country code (`KZ`, any case).
    Country,
    /// An ISO 639 language code: two or three lowercase letters.
    Language,
    /// A bounding box, written as the filters' `bbox`.
    Bbox,
    /// A value with a grammar of its own, which the handler parses; `schema` publishes it.
    Parsed { schema: fn() -> Value },
}

impl Param {
    pub const fn new(name: &'static str, help: &'static str, kind: Kind) -> Param {
        Param {
            name,
            help,
            kind,
            required: false,
        }
    }

    pub const fn required(self) -> Param {
        Param {
            required: true,
            ..self
        }
    }

    /// The JSON Schema of the parameter's values.
    pub fn schema(&self) -> Value {
        match self.kind {
            Kind::Int {
                min, max, default, ..
            } => {
                let mut s = json!({"type": "integer", "minimum": min});
                // A clamped maximum is no limit on what may be asked, only on what is served.
                s["maximum"] = json!(if matches!(self.kind, Kind::Int { clamp: true, .. }) {
                    u64::MAX
                } else {
                    max
                });
                if let Some(d) = default {
                    s["default"] = json!(d);
                }
                s
            }
            Kind::Number { min, max, default } => {
                json!({"type": "number", "minimum": min, "maximum": max, "default": default})
            }
            Kind::OneOf(words) => json!({"type": "string", "enum": words}),
            Kind::Text { max } => json!({"type": "string", "minLength": 1, "maxLength": max}),
            Kind::Flag => json!({"type": "boolean", "default": false}),
            Kind::Country => json!({"type": "string", "pattern": "^[A-Za-z]{2}$"}),
            Kind::Language => json!({"type": "string", "pattern": "^[a-z]{2,3}$"}),
            Kind::Bbox => crate::filter::FilterArgs::openapi_parameters()
                .into_iter()
                .find(|(n, _)| *n == "bbox")
                .map(|(_, p)| p["schema"].clone())
                .expect("the filters declare bbox"),
            Kind::Parsed { schema } => schema(),
        }
    }

    /// The parameter as an OpenAPI 3.0 parameter object.
    pub fn openapi(&self) -> Value {
        let mut p = json!({
            "name": self.name, "in": "query", "required": self.required,
            "description": self.help, "schema": self.schema(),
        });
        // Lists are written as one comma list (`groupby=region,week`), though repeating the
        // name is accepted too (see LISTS). Said of every parameter, as OGC API – Features
        // writes `limit`, `bbox` and `datetime` (/req/core/fc-limit-definition …).
        p["style"] = json!("form");
        p["explode"] = json!(false);
        p
    }
}

pub struct Params {
    pairs: Vec<(String, String)>,
}

/// Parameters whose value is a list: given more than once (OpenAPI's exploded form,
/// `category=a&category=b`), the values are joined as if written `category=a,b`.
const LISTS: &[&str] = &["bbox", "category", "precision"];

/// Route middleware for endpoints that take no query parameters (`/health`, `/tiles`, …):
/// refuses any, as every other endpoint refuses the ones it does not know.
pub async fn none(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    match Params::parse(req.uri().query(), &[]) {
        Ok(_) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

impl Params {
    /// Parses a raw query string, refusing names not in `allowed`.
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Params, ApiError> {
        Params::parse_with(raw, |k| allowed.contains(&k), || allowed.to_vec())
    }

    /// Parses a raw query string, refusing names that are neither one of `filters` nor
    /// declared in `own`.
    pub fn declared(
        raw: Option<&str>,
        filters: &[&str],
        own: &[Param],
    ) -> Result<Params, ApiError> {
        Params::parse_with(
            raw,
            |k| filters.contains(&k) || own.iter().any(|p| p.name == k),
            || {
                let mut names = filters.to_vec();
                names.extend(own.iter().map(|p| p.name));
                names
            },
        )
    }

    fn parse_with<'n>(
        raw: Option<&str>,
        accepts: impl Fn(&str) -> bool,
        names: impl FnOnce() -> Vec<&'n str>,
    ) -> Result<Params, ApiError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            if k.is_empty() && v.is_empty() {
                continue;
            }
            if !accepts(k.as_ref()) {
                let allowed = names();
                return Err(ApiError::bad_request(if allowed.is_empty() {
                    format!("unknown query parameter {k:?}; this endpoint takes none")
                } else {
                    format!(
                        "unknown query parameter {k:?}; this endpoint accepts {}",
                        allowed.join(", ")
                    )
                }));
            }
            if let Some((_, v0)) = pairs.iter_mut().find(|(p, _)| *p == k) {
                if LISTS.contains(&k.as_ref()) {
                    v0.push(',');
                    v0.push_str(&v);
                    continue;
                }
                return Err(ApiError::bad_request(format!(
                    "query parameter {k:?} is given more than once"
                )));
            }
            pairs.push((k.into_owned(), v.into_owned()));
        }
        Ok(Params { pairs })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A declared parameter's text; a 400 naming it when it is required and absent.
    pub fn value(&self, p: &Param) -> Result<Option<&str>, ApiError> {
        match self.get(p.name) {
            None if p.required => Err(ApiError::bad_request(format!(
                "{}: required. {}",
                p.name, p.help
            ))),
            v => Ok(v),
        }
    }

    /// A declared [`Kind::Int`]: the default when absent, a larger value clamped or refused
    /// as declared.
    pub fn int(&self, p: &Param) -> Result<Option<u64>, ApiError> {
        let Kind::Int {
            min,
            max,
            default,
            clamp,
        } = p.kind
        else {
            unreachable!("{} is not declared an integer", p.name)
        };
        let Some(v) = self.value(p)? else {
            return Ok(default);
        };
        let range = || {
            if clamp {
                format!("a whole number, at least {min}")
            } else {
                format!("a whole number from {min} to {max}")
            }
        };
        let n: u64 = v
            .trim()
            .parse()
            .map_err(|_| ApiError::bad_request(format!("{}: {v:?} is not {}", p.name, range())))?;
        if n < min {
            return Err(ApiError::bad_request(format!(
                "{}: {n} is too small; it must be at least {min}",
                p.name
            )));
        }
        if n > max && !clamp {
            return Err(ApiError::bad_request(format!(
                "{}: {n} is too large; it must be at most {max}",
                p.name
            )));
        }
        Ok(Some(n.min(max)))
    }

    /// A declared [`Kind::Number`], the default when absent.
    pub fn number(&self, p: &Param) -> Result<f64, ApiError> {
        let Kind::Number { min, max, default } = p.kind else {
            unreachable!("{} is not declared a number", p.name)
        };
        let Some(v) = self.value(p)? else {
            return Ok(default);
        };
        match v.trim().parse::<f64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_request(format!(
                "{}: {v:?} is not a number from {min} to {max}",
                p.name
            ))),
        }
    }

    /// A declared [`Kind::OneOf`].
    pub fn word(&self, p: &Param) -> Result<Option<&str>, ApiError> {
        let Kind::OneOf(words) = p.kind else {
            unreachable!("{} is not declared a choice", p.name)
        };
        match self.value(p)? {
            Some(v) if !words.contains(&v) => Err(ApiError::bad_request(format!(
                "{}: {v:?} is not one of {}",
                p.name,
                words.join(", ")
            ))),
            v => Ok(v),
        }
    }

    /// A declared [`Kind::Text`].
    pub fn text(&self, p: &Param) -> Result<Option<&str>, ApiError> {
        let Kind::Text { max } = p.kind else {
            unreachable!("{} is not declared text", p.name)
        };
        match self.value(p)? {
            Some(v) if v.is_empty() || v.chars().count() > max => Err(ApiError::bad_request(
                format!("{}: must be 1 to {max} characters", p.name),
            )),
            v => Ok(v),
        }
    }

    /// A declared [`Kind::Flag`]: false when absent.
    pub fn flag(&self, p: &Param) -> Result<bool, ApiError> {
        assert!(matches!(p.kind, Kind::Flag), "{} is not a flag", p.name);
        match self.value(p)? {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(v) => Err(ApiError::bad_request(format!(
                "{}: {v:?} is not true or false",
                p.name
            ))),
        }
    }

    /// A declared [`Kind::Country`], in upper case.
    pub fn country(&self, p: &Param) -> Result<Option<String>, ApiError> {
        assert!(
            matches!(p.kind, Kind::Country),
            "{} is not a country",
            p.name
        );
        match self.value(p)? {
            None => Ok(None),
            Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
                Ok(Some(c.to_ascii_uppercase()))
            }
            Some(c) => Err(ApiError::bad_request(format!(
                "{}: {c:?} is not an ISO 3166-1 alpha-2 code such as KZ",
                p.name
            ))),
        }
    }

    /// A declared [`Kind::Language`].
    pub fn language(&self, p: &Param) -> Result<Option<&str>, ApiError> {
        assert!(
            matches!(p.kind, Kind::Language),
            "{} is not a language",
            p.name
        );
        match self.value(p)? {
            Some(l)
                if !(2..=3).contains(&l.len()) || !l.bytes().all(|b| b.is_ascii_lowercase()) =>
            {
                Err(ApiError::bad_request(format!(
                    "{}: {l:?} is not a two- or three-letter lowercase language code (ISO 639)",
                    p.name
                )))
            }
            l => Ok(l),
        }
    }

    /// A declared [`Kind::Bbox`].
    pub fn bbox(&self, p: &Param) -> Result<Option<Bbox>, ApiError> {
        assert!(matches!(p.kind, Kind::Bbox), "{} is not a bbox", p.name);
        self.value(p)?
            .map(Bbox::parse)
            .transpose()
            .map_err(|e| ApiError::bad_request(format!("{}: {}", p.name, e.0)))
    }

    /// The pairs, for rebuilding links that keep every filter.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}

/// Rebuilds a query string from pairs, replacing or adding `overrides`.
pub fn query_string(pairs: &[(String, String)], overrides: &[(&str, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !overrides.iter().any(|(o, _)| o == k) {
            s.append_pair(k, v);
        }
    }
    for (k, v) in overrides {
        s.append_pair(k, v);
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_repeated_parameters_are_refused() {
        let e = Params::parse(Some("bbbox=1"), &["bbox"]).err().unwrap();
        assert!(e.description.contains("\"bbbox\""), "{}", e.description);
        let e = Params::parse(Some("limit=1&limit=2"), &["limit"])
            .err()
            .unwrap();
        assert!(e.description.contains("more than once"));
        let p = Params::parse(Some("bbox=1&bbox=2&bbox=3&bbox=4"), &["bbox"]).unwrap();
        assert_eq!(
            p.get("bbox"),
            Some("1,2,3,4"),
            "list parameters may be exploded"
        );
        assert!(Params::parse(Some("&&"), &[]).is_ok());
        let e = Params::parse(Some("x=1"), &[]).err().unwrap();
        assert!(e.description.ends_with("takes none"), "{}", e.description);
    }

    #[test]
    fn values_are_decoded() {
        let p = Params::parse(Some("q=%D8%A3%D9%83%D8%AA%D8%A7%D9%88"), &["q"]).unwrap();
        assert_eq!(p.get("q"), Some("أكتاو"));
    }

    const LIMIT: Param = Param::new(
        "limit",
        "Most.",
        Kind::Int {
            min: 1,
            max: 50,
            default: Some(5),
            clamp: false,
        },
    );
    const PAGE: Param = Param::new(
        "page",
        "Per page.",
        Kind::Int {
            min: 1,
            max: 100,
            default: None,
            clamp: true,
        },
    )
    .required();
    const F: Param = Param::new("f", "Format.", Kind::OneOf(&["json", "csv"]));
    const DRY: Param = Param::new("dry", "Dry run.", Kind::Flag);
    const C: Param = Param::new("c", "Country.", Kind::Country);
    const X: Param = Param::new(
        "x",
        "Share.",
        Kind::Number {
            min: 0.0,
            max: 1.0,
            default: 0.5,
        },
    );
    const ALL: &[Param] = &[LIMIT, PAGE, F, DRY, C, X];

    fn read(q: &str) -> Params {
        Params::declared(Some(q), &["bbox"], ALL).unwrap()
    }

    fn message(r: Result<impl std::fmt::Debug, ApiError>) -> String {
        r.expect_err("refused").description
    }

    #[test]
    fn declared_parameters_are_read_as_declared() {
        let p = read("page=7&f=csv&dry=true&c=kz&x=0.25&bbox=1,2,3,4");
        assert_eq!(p.int(&LIMIT).unwrap(), Some(5), "the default");
        assert_eq!(p.int(&PAGE).unwrap(), Some(7));
        assert_eq!(p.word(&F).unwrap(), Some("csv"));
        assert!(p.flag(&DRY).unwrap());
        assert_eq!(p.country(&C).unwrap().as_deref(), Some("KZ"));
        assert_eq!(p.number(&X).unwrap(), 0.25);
        assert_eq!(read("page=1000").int(&PAGE).unwrap(), Some(100), "clamped");
        assert_eq!(read("").number(&X).unwrap(), 0.5);
        assert!(!read("").flag(&DRY).unwrap());
    }

    #[test]
    fn declared_parameters_are_refused_with_their_name_and_rule() {
        let e = message(read("limit=51").int(&LIMIT));
        assert_eq!(e, "limit: 51 is too large; it must be at most 50");
        let e = message(read("limit=0").int(&LIMIT));
        assert_eq!(e, "limit: 0 is too small; it must be at least 1");
        let e = message(read("limit=five").int(&LIMIT));
        assert_eq!(e, "limit: \"five\" is not a whole number from 1 to 50");
        assert!(message(read("").int(&PAGE)).starts_with("page: required."));
        assert_eq!(
            message(read("f=xml").word(&F)),
            "f: \"xml\" is not one of json, csv"
        );
        assert!(message(read("dry=yes").flag(&DRY)).contains("true or false"));
        assert!(message(read("c=KAZ").country(&C)).contains("alpha-2"));
        assert!(message(read("x=2").number(&X)).contains("from 0 to 1"));
        let e = Params::declared(Some("y=1"), &["bbox"], ALL).err().unwrap();
        assert_eq!(
            e.description,
            "unknown query parameter \"y\"; this endpoint accepts bbox, limit, page, f, dry, c, x"
        );
    }

    #[test]
    fn declared_parameters_publish_their_rules() {
        let l = LIMIT.openapi();
        assert_eq!(l["schema"]["maximum"], 50);
        assert_eq!(l["schema"]["default"], 5);
        assert_eq!(l["required"], false);
        assert_eq!(
            PAGE.openapi()["schema"]["maximum"],
            u64::MAX,
            "a clamped maximum limits the answer, not the question"
        );
        assert_eq!(PAGE.openapi()["required"], true);
        assert_eq!(F.openapi()["schema"]["enum"], json!(["json", "csv"]));
        assert_eq!(DRY.openapi()["schema"]["type"], "boolean");
    }

    #[test]
    fn query_strings_keep_other_pairs() {
        let pairs = vec![
            ("bbox".to_string(), "1,2,3,4".to_string()),
            ("offset".into(), "10".into()),
        ];
        let q = query_string(&pairs, &[("offset", "20".into())]);
        assert_eq!(q, "bbox=1%2C2%2C3%2C4&offset=20");
    }
}
