//! `/reports`: a news report in, draft incidents out — the review queue's intake — and a stored
//! report back with what was drafted from it and where each draft stands now.

use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::edit::{Writer, authorize, content_type};
use super::error::ApiError;
use super::params::{Kind, Param, Params};
use crate::model::{MAX_SHORT_TEXT, OccurredAt, ReportRecord, new_id, new_report_id};
use crate::report::intake::{Origin, Proposal, corroborated, draft_incident};
use crate::report::{Lang, ReportText, extract};

/// Longest URL kept with a report.
const MAX_URL: usize = 2048;

/// The metadata a report may come with, as JSON fields or (for a `text/plain` body) query
/// parameters of the same names. [`Submitted::read`] checks them.
pub const METADATA: &[Param] = &[
    Param::new(
        "source",
        "Who published it; copied into the drafts' source.",
        Kind::Parsed {
            schema: || json!({"type": "string", "maxLength": MAX_SHORT_TEXT}),
        },
    ),
    Param::new(
        "url",
        "Where it was published.",
        Kind::Parsed {
            schema: || json!({"type": "string", "maxLength": MAX_URL}),
        },
    ),
    Param::new(
        "published_at",
        "RFC 3339 date or date-time: 'yesterday' and weekday names count from it (default: today).",
        Kind::Parsed {
            schema: || json!({"type": "string"}),
        },
    ),
    Param::new(
        "language",
        "ar, ru, kk or en; detected from the letters when left out.",
        Kind::Parsed {
            schema: || json!({"type": "string", "enum": Lang::ALL.map(Lang::as_str)}),
        },
    ),
];

/// A JSON report.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportBody {
    text: String,
    source: Option<String>,
    url: Option<String>,
    published_at: Option<String>,
    language: Option<String>,
}

/// A report and its metadata, checked.
struct Submitted {
    text: String,
    source: Option<String>,
    url: Option<String>,
    /// As given; the day relative dates count from is [`Submitted::day`].
    published_at: Option<OccurredAt>,
    language: Option<Lang>,
}

impl Submitted {
    fn read(headers: &HeaderMap, raw: Option<&str>, body: &[u8]) -> Result<Submitted, ApiError> {
        let ct = content_type(headers);
        let b = match ct.as_str() {
            "application/json" => {
                Params::parse(raw, &[])?;
                crate::format::geojson::check_unique_keys(body)
                    .and_then(|_| serde_json::from_slice::<ReportBody>(body))
                    .map_err(|e| ApiError::bad_request(format!("the report is not valid: {e}")))?
            }
            "text/plain" => {
                let p = Params::declared(raw, &[], METADATA)?;
                let text = std::str::from_utf8(body)
                    .map_err(|e| ApiError::bad_request(format!("the report is not UTF-8: {e}")))?;
                let get = |k: &str| p.get(k).map(String::from);
                ReportBody {
                    text: text.to_string(),
                    source: get("source"),
                    url: get("url"),
                    published_at: get("published_at"),
                    language: get("language"),
                }
            }
            other => {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "UnsupportedMediaType",
                    format!(
                        "a report is sent as text/plain (metadata as query parameters) or as \
                         application/json {{text, source, url, published_at, language}}, not {}",
                        if other.is_empty() {
                            "an unlabelled body"
                        } else {
                            other
                        }
                    ),
                ));
            }
        };
        if b.text.trim().is_empty() {
            return Err(ApiError::bad_request("text: the report is empty"));
        }
        let short = |k: &str, v: Option<String>, max: usize| -> Result<Option<String>, ApiError> {
            let v = v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
            match v {
                Some(v) if v.chars().count() > max => Err(ApiError::bad_request(format!(
                    "{k}: at most {max} characters are accepted"
                ))),
                v => Ok(v),
            }
        };
        let published_at = b
            .published_at
            .as_deref()
            .map(OccurredAt::parse)
            .transpose()
            .map_err(|e| ApiError::bad_request(format!("published_at: {e}")))?;
        let language = b
            .language
            .as_deref()
            .map(|l| {
                Lang::parse(l).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "language: {l:?} is not one the drafter reads (ar, ru, kk, en); leave it \
                         out to have it detected"
                    ))
                })
            })
            .transpose()?;
        Ok(Submitted {
            text: b.text,
            source: short("source", b.source, MAX_SHORT_TEXT)?,
            url: short("url", b.url, MAX_URL)?,
            published_at,
            language,
        })
    }

    /// The day "yesterday" and weekday names count from: the publication day where it was
    /// published (an instant keeps its offset), else today in UTC.
    fn day(&self) -> time::Date {
        match self.published_at {
            Some(OccurredAt::Date(d)) => d,
            Some(OccurredAt::Instant(t)) => t.date(),
            None => time::OffsetDateTime::now_utc().date(),
        }
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// `POST /reports` (token): stores the report and drafts its incidents into the review queue;
/// an event that matches a published incident is proposed as its corroboration instead.
/// Drafting is CPU work: it takes a geoparsing slot, like `POST /geoparse`.
pub async fn submit(
    State(s): State<AppState>,
    Extension(Writer(actor)): Extension<Writer>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let sub = Submitted::read(&headers, raw.as_deref(), &body)?;
    drop(body);
    let slot = s.geoparse.slot().await?;
    let app = s.app.clone();
    let base = s.base_url(&headers);
    let record = tokio::task::spawn_blocking(move || {
        let x = extract(
            app.gazetteer(),
            &ReportText {
                text: &sub.text,
                published: sub.day(),
                language: sub.language,
            },
        );
        drop(slot);
        let id = new_report_id();
        let origin = Origin {
            report_id: &id,
            source: sub.source.as_deref().or(sub.url.as_deref()),
        };
        let published = app.snapshot();
        let mut drafts = Vec::new();
        let mut proposals = Vec::with_capacity(x.drafts.len());
        for e in &x.drafts {
            match corroborated(&published, e) {
                Some(id) => proposals.push(Proposal {
                    event: e,
                    incident_id: None,
                    corroborates: Some(id),
                }),
                None => {
                    let i = draft_incident(&sub.text, e, new_id(), &origin);
                    proposals.push(Proposal {
                        event: e,
                        incident_id: Some(i.id.clone()),
                        corroborates: None,
                    });
                    drafts.push(i);
                }
            }
        }
        let record = ReportRecord {
            received_at: now_rfc3339(),
            actor: actor.clone(),
            text: sub.text.clone(),
            source: sub.source.clone(),
            url: sub.url.clone(),
            published_at: sub.published_at.map(|p| p.to_string()),
            language: x.language.as_str().to_string(),
            drafts: serde_json::to_string(&proposals).expect("drafts serialize"),
            id,
        };
        app.submit_report(&record, drafts, &actor)?;
        Ok::<_, ApiError>(record)
    })
    .await??;
    let location = format!("{base}/reports/{}", record.id);
    let mut r = (StatusCode::CREATED, report_json(&s, &base, &record)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    private(&mut r);
    Ok(r)
}

/// `GET /reports/{id}` (token): the report, what was drafted from it, and each draft as it
/// stands now.
pub async fn one(
    State(s): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&s, &headers)?;
    Params::parse(raw.as_deref(), &[])?;
    let app = s.app.clone();
    let key = id.clone();
    let record = tokio::task::spawn_blocking(move || app.report(&key))
        .await??
        .ok_or_else(|| ApiError::not_found(format!("no report with id {id:?}")))?;
    let base = s.base_url(&headers);
    let mut r = report_json(&s, &base, &record).into_response();
    private(&mut r);
    Ok(r)
}

/// The report as JSON: its metadata and text, the drafted events with their evidence, and
/// the incidents they became or corroborate, as they are now (with their ETags, for the
/// If-Match of a publish or reject).
fn report_json(s: &AppState, base: &str, r: &ReportRecord) -> axum::Json<Value> {
    let drafts: Value = serde_json::from_str(&r.drafts).unwrap_or(Value::Array(vec![]));
    let mut incidents = Vec::new();
    if let Value::Array(items) = &drafts {
        for d in items {
            let Some(id) = d
                .get("incident_id")
                .or_else(|| d.get("corroborates"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            let Some(i) = s.app.get_any(id) else {
                continue;
            };
            let feature: Value = serde_json::from_slice(&crate::format::geojson::feature(&i))
                .expect("our own GeoJSON parses");
            incidents.push(json!({
                "id": i.id,
                "etag": crate::etag::of_incident(&i),
                "feature": feature,
            }));
        }
    }
    axum::Json(json!({
        "id": r.id,
        "received_at": r.received_at,
        "source": r.source,
        "url": r.url,
        "published_at": r.published_at,
        "language": r.language,
        "text": r.text,
        "drafts": drafts,
        "incidents": incidents,
        "links": [
            {"rel": "self", "type": "application/json", "href": format!("{base}/reports/{}", r.id)},
            {"rel": "queue", "type": "application/geo+json",
             "href": format!("{base}/collections/incidents/items?status=draft")},
        ],
    }))
}

/// Answers about the queue are for the token holder who asked: never cached by anyone else.
pub(super) fn private(r: &mut Response) {
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
}
