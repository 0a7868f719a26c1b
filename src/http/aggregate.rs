//! `/collections/incidents/aggregate`: counts of the incidents a filter matches, grouped by
//! region, country, category and day, week or month, as JSON or CSV ([`crate::aggregate`]).

use std::sync::LazyLock;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::error::ApiError;
use super::items::{Format, data_etag, filter_from, format, not_modified_response, tagged};
use super::ogc::check_collection;
use super::params::Params;
use super::{AppState, not_modified};
use crate::aggregate::{Counter, GroupBy};
use crate::filter::FilterArgs;

/// Query parameters the aggregate accepts: the items' filters, `groupby` and `f`.
pub fn aggregate_params() -> &'static [&'static str] {
    static P: LazyLock<Vec<&'static str>> =
        LazyLock::new(|| [FilterArgs::NAMES, &["groupby", "f"]].concat());
    &P
}

pub async fn aggregate(
    State(s): State<AppState>,
    Path(collection_id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_collection(&collection_id)?;
    let params = Params::parse(raw.as_deref(), aggregate_params())?;
    // The groups are not features: `f=geojson`, which the items take, is refused here.
    if let Some(f) = params.get("f").filter(|f| !matches!(*f, "json" | "csv")) {
        return Err(ApiError::bad_request(format!(
            "f: {f:?} is not one of json, csv"
        )));
    }
    let fmt = format(&params, &headers, true)?;
    let filter = filter_from(&params)?;
    let by = params.get("groupby").ok_or_else(|| {
        ApiError::bad_request(
            "groupby: required, e.g. groupby=region,week (region, country, category, day, week, month)",
        )
    })?;
    let by = GroupBy::parse(by).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let snap = s.app.snapshot();
    let tag = data_etag(b"aggregate", snap.version(), raw.as_deref(), fmt);
    if not_modified(&headers, &tag) {
        return Ok(not_modified_response(tag, s.opts.max_age));
    }
    let app = s.app.clone();
    // Every matching incident is visited: CPU work, off the async workers.
    let (content_type, body) = tokio::task::spawn_blocking(move || {
        let mut counter = Counter::new(by, app.gazetteer());
        snap.for_each(&filter, |i| counter.add(i));
        let groups = counter.finish();
        match fmt {
            Format::Csv => {
                let mut out = Vec::new();
                groups
                    .write_csv(&mut out)
                    .map(|_| ("text/csv; charset=utf-8", out))
            }
            Format::GeoJson => Ok((
                "application/json",
                serde_json::to_vec(&groups.document()).expect("JSON values serialize"),
            )),
        }
    })
    .await?
    .map_err(|e| ApiError::internal(format!("writing CSV: {e}")))?;
    Ok(tagged(content_type, tag, s.opts.max_age, body.into()))
}
