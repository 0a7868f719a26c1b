//! Query strings, read strictly: every endpoint lists the parameters it accepts, and anything
//! else — an unknown name, a repeated name, a malformed value — is a 400 that says which.
//! OGC API – Features asks for exactly this, and it catches typos (`bbbox=`) that a lenient
//! server would silently ignore.

use std::str::FromStr;

use super::error::ApiError;

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
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            if k.is_empty() && v.is_empty() {
                continue;
            }
            if !allowed.contains(&k.as_ref()) {
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

    /// A parameter parsed as `T`, with a message naming it when it does not parse.
    pub fn num<T: FromStr>(&self, name: &str, what: &str) -> Result<Option<T>, ApiError> {
        self.get(name)
            .map(|v| {
                v.trim()
                    .parse::<T>()
                    .map_err(|_| ApiError::bad_request(format!("{name}: {v:?} is not {what}")))
            })
            .transpose()
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
    fn values_are_decoded_and_numbers_checked() {
        let p = Params::parse(
            Some("q=%D8%A3%D9%83%D8%AA%D8%A7%D9%88&limit=x"),
            &["q", "limit"],
        )
        .unwrap();
        assert_eq!(p.get("q"), Some("أكتاو"));
        let e = p.num::<u32>("limit", "an integer").err().unwrap();
        assert_eq!(e.description, "limit: \"x\" is not an integer");
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
