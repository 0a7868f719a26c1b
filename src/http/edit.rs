//! Writes (OGC API – Features Part 4): create, replace, update (JSON merge patch) and delete
//! incidents, with bearer-token auth, optimistic locking by ETag, geocoding of place names,
//! the history of every change, restore, and bulk import.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use super::error::ApiError;
use super::items::{GEOJSON, add_feature_links};
use super::ogc::check_collection;
use super::params::{Kind, Param, Params};
use crate::app::{AppError, Expect};
use crate::draft::{Draft, ResolveError};
use crate::format::geojson::{parse_feature, parse_feature_text, write_feature};
use crate::model::{Incident, Precision};
use crate::store::{Change, Conflict};

/// Largest feature body accepted.
pub const MAX_FEATURE_BYTES: usize = 1024 * 1024;
/// Largest import body accepted.
pub const MAX_IMPORT_BYTES: usize = 256 * 1024 * 1024;

/// Who is writing: the name of the token that authorized the request, put in the request's
/// extensions by [`writers_only`].
#[derive(Debug, Clone)]
pub struct Writer(pub String);

/// The name of the token that authorizes this request, or why not. Reads only the headers.
pub(super) fn authorize(s: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    if s.opts.tokens.is_empty() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "WritesDisabled",
            "writes are disabled on this server: start it with INCIDENTMAP_WRITE_TOKEN set, or with --tokens FILE (one `name token` per line)",
        ));
    }
    let unauthorized = |why: &str| {
        ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized", why.to_string())
            .with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"incidentmap\"")
    };
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| unauthorized("writes need an Authorization: Bearer TOKEN header"))?;
    let token = value
        .to_str()
        .ok()
        .and_then(bearer_token)
        .ok_or_else(|| unauthorized("the Authorization header must be `Bearer TOKEN`"))?;
    s.opts
        .tokens
        .check(token.as_bytes())
        .map(String::from)
        .ok_or_else(|| unauthorized("the bearer token is not valid here"))
}

/// The token of a `Bearer` credential; the scheme is case-insensitive (RFC 7235 §2.1).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Route middleware in front of every write: decides 401/403 from the headers alone, before a
/// byte of the body is read, so nobody without a token can make the server buffer an upload.
/// Safe methods pass through (the write routes also serve reads). The import route streams
/// its own body; see [`writers_buffered`] for the others.
pub async fn writers_only(
    State(s): State<AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if is_safe(req.method()) {
        return next.run(req).await;
    }
    match admit(&s, &mut req) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// Authorizes a write from its headers and records who is writing.
fn admit(s: &AppState, req: &mut axum::extract::Request) -> Result<(), ApiError> {
    let name = authorize(s, req.headers())?;
    req.extensions_mut().insert(Writer(name));
    Ok(())
}

/// [`writers_only`], then the body read in full within `request_timeout` and `max_body_bytes`.
/// Feature writes are not under the general request time limit (a write that is committing
/// must not be answered "abandoned"), so the one part a client controls, how slowly it sends
/// its body, is bounded here.
pub async fn writers_buffered(
    State(s): State<AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if is_safe(req.method()) {
        return next.run(req).await;
    }
    if let Err(e) = admit(&s, &mut req) {
        return e.into_response();
    }
    let (parts, body) = req.into_parts();
    let limit = s.opts.max_body_bytes;
    let time = s.opts.request_timeout;
    let too_large = super::body::too_large("a feature write", limit, "max_body_bytes");
    let bytes = match tokio::time::timeout(time, super::body::read(body, limit, too_large)).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => return e.into_response(),
        Err(_) => {
            return ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "UploadTimeout",
                format!(
                    "the request body did not arrive within {} s; nothing was written",
                    time.as_secs_f32()
                ),
            )
            .into_response();
        }
    };
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(bytes),
    ))
    .await
}

fn is_safe(m: &axum::http::Method) -> bool {
    use axum::http::Method;
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The body, or a JSON error saying why not (too large, unreadable).
fn body(b: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    b.map_err(|e| {
        let status = e.status();
        ApiError::new(
            status,
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                "PayloadTooLarge"
            } else {
                "InvalidBody"
            },
            format!("the request body could not be read: {}", e.body_text()),
        )
    })
}

pub(super) fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn require_type(headers: &HeaderMap, allowed: &[&str]) -> Result<(), ApiError> {
    let ct = content_type(headers);
    if allowed.contains(&ct.as_str()) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            format!(
                "the body must be sent as {}, not {}",
                allowed.join(" or "),
                if ct.is_empty() {
                    "an unlabelled body".into()
                } else {
                    ct
                }
            ),
        ))
    }
}

/// What every feature write checks after the token ([`writers_only`]): the collection, and
/// that no query parameters were given.
fn target(collection: &str, raw: Option<&str>) -> Result<(), ApiError> {
    check_collection(collection)?;
    Params::parse(raw, &[])?;
    Ok(())
}

/// A GeoJSON Feature body, as a draft incident.
fn feature_body(b: Result<Bytes, BytesRejection>) -> Result<Draft, ApiError> {
    let b = body(b)?;
    let text =
        std::str::from_utf8(&b).map_err(|_| ApiError::bad_request("the body is not UTF-8"))?;
    parse_feature_text(text).map_err(|e| ApiError::bad_request(e.to_string()))
}

/// If-Match as an expectation: `*` means it must exist; tags must match.
fn if_match(headers: &HeaderMap, otherwise: Expect) -> Result<Expect, ApiError> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(otherwise);
    };
    let v = v
        .to_str()
        .map_err(|_| ApiError::bad_request("If-Match is not readable text"))?;
    let tags: Vec<String> = v
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect();
    if tags.iter().any(|t| t == "*") {
        return Ok(Expect::Exists);
    }
    if tags.iter().any(|t| t.starts_with("W/")) {
        return Err(ApiError::bad_request(
            "If-Match needs the strong ETag of the incident, not a weak one",
        ));
    }
    Ok(Expect::ETag(tags))
}

impl From<ResolveError> for ApiError {
    fn from(e: ResolveError) -> Self {
        match &e {
            ResolveError::Invalid(_) | ResolveError::NoLocation => {
                ApiError::bad_request(e.to_string())
            }
            ResolveError::Ambiguous { candidates, .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "AmbiguousPlace",
                e.to_string(),
            )
            .with_detail(json!({ "candidates": candidates })),
            ResolveError::UnknownPlace { .. } | ResolveError::UnknownPlaceId(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "UnknownPlace",
                e.to_string(),
            ),
        }
    }
}

/// Maps the core's write errors onto HTTP.
fn write_error(e: AppError) -> ApiError {
    match e {
        AppError::Conflict(c @ Conflict::NotFound(_)) => ApiError::not_found(c.to_string()),
        AppError::Conflict(c @ Conflict::Exists(_)) => {
            ApiError::new(StatusCode::CONFLICT, "Conflict", c.to_string())
        }
        AppError::Conflict(c @ Conflict::PreconditionFailed { .. }) => ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            c.to_string(),
        ),
        other => ApiError::from(other),
    }
}

/// The stored feature as a response, with its ETag and links.
fn feature_response(
    s: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    i: &Incident,
) -> Response {
    let base = s.base_url(headers);
    // The index's copy carries the derived fields (the region); it is the one written unless
    // another write has already replaced it.
    let indexed = s.app.get_any(&i.id);
    let i = match &indexed {
        Some(indexed) if crate::etag::of_incident(indexed) == crate::etag::of_incident(i) => {
            indexed
        }
        _ => i,
    };
    let mut body = Vec::with_capacity(1024);
    write_feature(&mut body, i);
    add_feature_links(&mut body, &base, i);
    let tag = crate::etag::of_incident(i);
    let mut r = (
        status,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)),
            (header::ETAG, HeaderValue::from_str(&tag).expect("hex")),
        ],
        body,
    )
        .into_response();
    if status == StatusCode::CREATED {
        let loc = format!("{base}/collections/incidents/items/{}", i.id);
        if let Ok(v) = HeaderValue::from_str(&loc) {
            r.headers_mut().insert(header::LOCATION, v);
        }
    }
    r
}

/// Resolves and writes on the blocking pool.
async fn commit(
    s: &AppState,
    draft: Draft,
    id: String,
    expect: Expect,
    actor: String,
) -> Result<Incident, ApiError> {
    let app = s.app.clone();
    tokio::task::spawn_blocking(move || {
        let incident = app.resolve_with_id(draft, id)?;
        app.write_checked(Change::Put(incident.clone()), &expect, &actor)
            .map_err(write_error)?;
        Ok::<_, ApiError>(incident)
    })
    .await?
}

/// `POST /collections/incidents/items`: create. The geometry may be left out when
/// `properties.place` (or `place_id`) says where: the server geocodes it.
pub async fn create(
    State(s): State<AppState>,
    Extension(Writer(actor)): Extension<Writer>,
    Path(collection): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    b: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    target(&collection, raw.as_deref())?;
    require_type(&headers, &["application/geo+json", "application/json"])?;
    let draft = feature_body(b)?;
    let id = draft.id.clone().unwrap_or_else(crate::model::new_id);
    let incident = commit(&s, draft, id, Expect::Absent, actor).await?;
    Ok(feature_response(
        &s,
        &headers,
        StatusCode::CREATED,
        &incident,
    ))
}

/// `PUT /collections/incidents/items/{id}`: replace.
pub async fn replace(
    State(s): State<AppState>,
    Extension(Writer(actor)): Extension<Writer>,
    Path((collection, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    b: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    target(&collection, raw.as_deref())?;
    require_type(&headers, &["application/geo+json", "application/json"])?;
    let expect = if_match(&headers, Expect::Exists)?;
    let draft = feature_body(b)?;
    if draft.id.as_deref().is_some_and(|d| d != id) {
        return Err(ApiError::bad_request(format!(
            "the body's id {:?} is not the id in the path {id:?}; ids cannot be changed",
            draft.id.unwrap_or_default()
        )));
    }
    let incident = commit(&s, draft, id, expect, actor).await?;
    Ok(feature_response(&s, &headers, StatusCode::OK, &incident))
}

/// RFC 7396 JSON merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            let t = target.as_object_mut().expect("made an object above");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// `PATCH /collections/incidents/items/{id}` with `application/merge-patch+json`: update.
/// Changing the place of an incident whose point came from the gazetteer re-geocodes it.
pub async fn patch(
    State(s): State<AppState>,
    Extension(Writer(actor)): Extension<Writer>,
    Path((collection, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    b: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    target(&collection, raw.as_deref())?;
    require_type(
        &headers,
        &["application/merge-patch+json", "application/json"],
    )?;
    let expect = if_match(&headers, Expect::Exists)?;
    let b = body(b)?;
    let patch: Value = crate::format::geojson::parse_json_strict(&b)
        .map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?;
    if !patch.is_object() {
        return Err(ApiError::bad_request("a merge patch must be a JSON object"));
    }
    let current = s
        .app
        .get_any(&id)
        .ok_or_else(|| ApiError::not_found(format!("no incident with id {id:?}")))?;
    let mut doc: Value = serde_json::from_slice(&crate::format::geojson::feature(&current))
        .expect("our own GeoJSON parses");
    merge_patch(&mut doc, &patch);
    let props = patch.get("properties");
    let touches = |k: &str| props.and_then(|p| p.get(k)).is_some();
    if (touches("place") || touches("place_id"))
        && patch.get("geometry").is_none()
        && current.precision != Precision::Exact
    {
        // The point came from the old place: find the new one's.
        doc["geometry"] = Value::Null;
        if !touches("precision") {
            if let Some(p) = doc["properties"].as_object_mut() {
                p.remove("precision");
            }
        }
        if !touches("place_id") {
            if let Some(p) = doc["properties"].as_object_mut() {
                p.remove("place_id");
            }
        }
    }
    let feature: geojson::Feature = serde_json::from_value(doc).map_err(|e| {
        ApiError::bad_request(format!(
            "the patched incident is not a GeoJSON Feature: {e}"
        ))
    })?;
    let draft = parse_feature(feature).map_err(ApiError::bad_request)?;
    if draft.id.as_deref() != Some(id.as_str()) {
        return Err(ApiError::bad_request(format!(
            "a patch cannot change an incident's id ({id:?})"
        )));
    }
    let incident = commit(&s, draft, id, expect, actor).await?;
    Ok(feature_response(&s, &headers, StatusCode::OK, &incident))
}

/// `DELETE /collections/incidents/items/{id}`.
pub async fn delete(
    State(s): State<AppState>,
    Extension(Writer(actor)): Extension<Writer>,
    Path((collection, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    target(&collection, raw.as_deref())?;
    let expect = if_match(&headers, Expect::Exists)?;
    let app = s.app.clone();
    tokio::task::spawn_blocking(move || app.write_checked(Change::Delete(id), &expect, &actor))
        .await?
        .map_err(write_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /collections/incidents/items/{id}/history`: every change, oldest first, with the
/// incident before and after; also for deleted incidents.
pub async fn history(
    State(s): State<AppState>,
    Path((collection, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_collection(&collection)?;
    Params::parse(raw.as_deref(), &[])?;
    let app = s.app.clone();
    let key = id.clone();
    let entries = tokio::task::spawn_blocking(move || app.history(&key)).await??;
    if entries.is_empty() {
        return Err(ApiError::not_found(format!(
            "no incident with id {id:?} has ever existed"
        )));
    }
    let parse = |a: &Option<String>| -> Value {
        a.as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(Value::Null)
    };
    // An incident that was ever a draft has a history only token holders see: a rejected
    // draft leaves no trace outside the queue and its history.
    let afters: Vec<Value> = entries.iter().map(|e| parse(&e.after)).collect();
    let reviewed = afters.iter().any(|a| {
        a["properties"]["status"]
            .as_str()
            .is_some_and(|st| st != "published")
    });
    if reviewed && authorize(&s, &headers).is_err() {
        return Err(ApiError::not_found(format!(
            "no incident with id {id:?} has ever existed"
        )));
    }
    let mut before = Value::Null;
    let changes: Vec<Value> = entries
        .iter()
        .zip(afters)
        .map(|(e, after)| {
            let c = json!({
                "version": e.version, "at": e.at, "actor": e.actor, "op": e.op,
                "before": before, "after": after,
            });
            before = after;
            c
        })
        .collect();
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        axum::Json(json!({ "id": id, "changes": changes })),
    )
        .into_response())
}

const VERSION: Param = Param::new(
    "version",
    "The data version of the change to restore (from the incident's history); without it, the last state it had before it was deleted.",
    Kind::Int {
        min: 0,
        max: u64::MAX,
        default: None,
        clamp: false,
    },
);
/// The query parameters of a restore.
pub const RESTORE: &[Param] = &[VERSION];

/// `POST /collections/incidents/items/{id}/restore[?version=N]`: puts back the incident as it
/// was after change N (by default the last state it had before it was deleted).
pub async fn restore(
    State(s): State<AppState>,
    Extension(Writer(actor)): Extension<Writer>,
    Path((collection, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_collection(&collection)?;
    let p = Params::declared(raw.as_deref(), &[], RESTORE)?;
    let version = p.int(&VERSION)?;
    let expect = if_match(&headers, Expect::Anything)?;
    let app = s.app.clone();
    let restored = tokio::task::spawn_blocking(move || {
        let entries = app.history(&id).map_err(ApiError::from)?;
        let state = match version {
            Some(v) => entries
                .iter()
                .find(|e| e.version == v)
                .ok_or_else(|| {
                    ApiError::not_found(format!("incident {id:?} has no change at version {v}"))
                })?
                .after
                .clone()
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "version {v} of {id:?} is its deletion: nothing to restore"
                    ))
                })?,
            None => entries
                .iter()
                .rev()
                .find_map(|e| e.after.clone())
                .ok_or_else(|| {
                    ApiError::not_found(format!("no incident with id {id:?} has ever existed"))
                })?,
        };
        let draft = parse_feature_text(&state)
            .map_err(|e| ApiError::internal(format!("stored history is unreadable: {e}")))?;
        let incident = app.resolve_with_id(draft, id)?;
        app.write_checked(Change::Put(incident.clone()), &expect, &actor)
            .map_err(write_error)?;
        Ok::<_, ApiError>(incident)
    })
    .await??;
    Ok(feature_response(&s, &headers, StatusCode::OK, &restored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        let mut t = json!({"a": [1, 2]});
        merge_patch(&mut t, &json!({"a": [3], "b": {"x": 1}}));
        assert_eq!(t, json!({"a": [3], "b": {"x": 1}}));
    }
}
