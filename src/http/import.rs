//! `POST /collections/incidents/import`: a GeoJSON FeatureCollection or a CSV (ours or an
//! ACLED export), all or nothing unless `skip_invalid=true`; `dry_run=true` checks without
//! writing.
//!
//! In order, each step before any cost the next one has: the token (from the headers, by
//! [`super::edit::writers_only`]), the parameters and content type, the declared length, the
//! one import slot; then the upload is spooled to a temporary file — never held in memory —
//! within the request time limit; then the import runs as a [job](super::jobs) that holds the
//! slot until it ends. The request waits for the job up to the time limit and answers with its
//! result (200, or 422 when bad rows stopped it), or with `202 Accepted` and the job's URL:
//! never with "abandoned" for a write that goes on to commit. `Prefer: respond-async` asks
//! for the 202 at once.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

use super::AppState;
use super::edit::Writer;
use super::error::ApiError;
use super::jobs::Job;
use super::ogc::check_collection;
use super::params::{Kind, Param, Params};

const SKIP_INVALID: Param = Param::new(
    "skip_invalid",
    "Store the valid rows even if some are invalid.",
    Kind::Flag,
);
const DRY_RUN: Param = Param::new("dry_run", "Check everything, write nothing.", Kind::Flag);
/// The query parameters of an import.
pub const IMPORT: &[Param] = &[SKIP_INVALID, DRY_RUN];

pub async fn import(
    State(s): State<AppState>,
    axum::extract::Extension(Writer(actor)): axum::extract::Extension<Writer>,
    Path(collection): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    check_collection(&collection)?;
    let p = Params::declared(raw.as_deref(), &[], IMPORT)?;
    let opts = crate::import::Options {
        skip_invalid: p.flag(&SKIP_INVALID)?,
        dry_run: p.flag(&DRY_RUN)?,
    };
    let name = match super::edit::content_type(&headers).as_str() {
        "application/geo+json" | "application/json" => "upload.geojson",
        "text/csv" => "upload.csv",
        _ => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                "send a GeoJSON FeatureCollection (application/geo+json) or a CSV (text/csv)",
            ));
        }
    };
    let limit = s.opts.max_import_bytes;
    if super::body::declared_over(&headers, limit) {
        return Err(too_large(limit));
    }
    // One bulk import at a time, counted from before the upload to the end of the work.
    let slot = s.imports.clone().try_lock_owned().map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Busy",
            "another import is running; retry when it is done",
        )
        .with_retry_after(5)
    })?;
    let time_limit = s.opts.request_timeout;
    let file = spool(body, limit, time_limit).await?;

    let job = s.jobs.start("import");
    let location = format!("{}/jobs/{}", s.base_url(&headers), job.id());
    let location = match HeaderValue::from_str(&location) {
        Ok(v) => v,
        Err(e) => {
            // Nothing has run: end the job so it does not show as running for ever.
            let e = ApiError::internal(format!("the job's URL is not a valid header: {e}"));
            job.finish(e.status, e.to_json());
            return Err(e);
        }
    };
    let app = s.app.clone();
    let worker = job.clone();
    tokio::task::spawn_blocking(move || {
        let work = std::panic::AssertUnwindSafe(|| run(&app, &worker, file, name, &opts, &actor));
        let (status, result) = std::panic::catch_unwind(work).unwrap_or_else(|_| {
            // A bug, not bad input: the job must still end, or its pollers would wait for
            // ever. The store's write is all or nothing.
            tracing::error!("an import job panicked");
            let e = ApiError::internal("the import failed unexpectedly; nothing was written");
            (e.status, e.to_json())
        });
        // Free the slot first: whoever sees the job finished may start the next import.
        drop(slot);
        worker.finish(status, result);
    });

    let respond_async = headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim().eq_ignore_ascii_case("respond-async"));
    if !respond_async && job.wait(time_limit).await {
        let v = job.view();
        let status = v
            .result_status
            .and_then(|c| StatusCode::from_u16(c).ok())
            .unwrap_or(StatusCode::OK);
        let mut r = (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            Body::from(v.result.unwrap_or(Value::Null).to_string()),
        )
            .into_response();
        r.headers_mut().insert(header::CONTENT_LOCATION, location);
        return Ok(r);
    }
    let mut r = (
        StatusCode::ACCEPTED,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from(serde_json::to_string(&job.view()).unwrap_or_default()),
    )
        .into_response();
    r.headers_mut().insert(header::LOCATION, location);
    Ok(r)
}

fn too_large(limit: usize) -> ApiError {
    super::body::too_large("an import", limit, "max_import_bytes")
}

/// Writes the request body to a temporary file (in `TMPDIR`), refusing it past `limit` bytes
/// or when no part of it arrives for `idle` — a slow link may take as long as it needs, a
/// stalled one does not hold the import slot.
async fn spool(
    body: Body,
    limit: usize,
    idle: Duration,
) -> Result<tempfile::NamedTempFile, ApiError> {
    let tmp = tempfile::NamedTempFile::new()
        .map_err(|e| ApiError::internal(format!("cannot create a temporary file: {e}")))?;
    let file = tmp
        .reopen()
        .map_err(|e| ApiError::internal(format!("cannot open the temporary file: {e}")))?;
    let mut out = tokio::io::BufWriter::new(tokio::fs::File::from_std(file));
    let mut stream = body.into_data_stream();
    let mut total = 0usize;
    loop {
        let next = tokio::time::timeout(idle, stream.next())
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "UploadTimeout",
                    format!(
                        "no part of the upload arrived for {} s; nothing was imported",
                        idle.as_secs_f32()
                    ),
                )
            })?;
        let Some(chunk) = next else { break };
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "InvalidBody",
                format!("the request body could not be read: {e}"),
            )
        })?;
        total += chunk.len();
        if total > limit {
            return Err(too_large(limit));
        }
        tokio::io::AsyncWriteExt::write_all(&mut out, &chunk)
            .await
            .map_err(|e| ApiError::internal(format!("cannot spool the upload: {e}")))?;
    }
    tokio::io::AsyncWriteExt::flush(&mut out)
        .await
        .map_err(|e| ApiError::internal(format!("cannot spool the upload: {e}")))?;
    Ok(tmp)
}

/// The job's work: parse the spooled file, import, and say what the answer is.
fn run(
    app: &crate::app::App,
    job: &Job,
    file: tempfile::NamedTempFile,
    name: &str,
    opts: &crate::import::Options,
    actor: &str,
) -> (StatusCode, Value) {
    let error = |e: ApiError| (e.status, e.to_json());
    let text = match std::fs::read(file.path()) {
        Ok(bytes) => bytes,
        Err(e) => return error(ApiError::internal(format!("cannot read the upload: {e}"))),
    };
    drop(file);
    let Ok(text) = String::from_utf8(text) else {
        return error(ApiError::bad_request("the body is not UTF-8"));
    };
    let rows = match crate::import::read(name, &text) {
        Ok(rows) => rows,
        Err(e) => return error(ApiError::bad_request(e.to_string())),
    };
    drop(text);
    job.set_phase("writing", Some(rows.len()));
    let report = match app.import_with_progress(rows, opts, actor, |n| job.set_resolved(n)) {
        Ok(r) => r,
        Err(e) => return error(ApiError::from(e)),
    };
    let status = if report.rejected.is_empty() || opts.skip_invalid {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // A report names at most this many bad rows (a file of millions of them would make an
    // answer, and a kept job, of hundreds of megabytes); `rejected_total` counts them all.
    const LISTED: usize = 1000;
    let rejected: Vec<Value> = report
        .rejected
        .iter()
        .take(LISTED)
        .map(|(origin, reason)| json!({"row": origin, "reason": reason}))
        .collect();
    // Counts of what was written go under `added`/`updated`; when nothing was written (a dry
    // run, or bad rows stopped the file) they go under names that cannot be read as done.
    let mut body = if report.written {
        json!({"added": report.added, "updated": report.updated})
    } else {
        json!({"would_add": report.added, "would_update": report.updated})
    };
    body["unchanged"] = report.unchanged.into();
    body["rejected"] = rejected.into();
    body["rejected_total"] = report.rejected.len().into();
    body["written"] = report.written.into();
    body["dry_run"] = opts.dry_run.into();
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        body["code"] = "InvalidRows".into();
        body["description"] = format!(
            "{} rows are invalid; nothing was written (send skip_invalid=true to store the others)",
            report.rejected.len()
        )
        .into();
    }
    (status, body)
}
