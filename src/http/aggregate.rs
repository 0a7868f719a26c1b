//! `/collections/incidents/aggregate`: counts of the incidents a filter matches, grouped by
//! region, country, category and day, week or month, as JSON or CSV ([`crate::aggregate`]).

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::error::ApiError;
use super::items::{Format, data_etag, filter_from, format, not_modified_response, tagged};
use super::ogc::check_collection;
use super::params::{Kind, Param, Params};
use super::{AppState, not_modified};
use crate::aggregate::{Counter, GroupBy, Key};
use crate::filter::FilterArgs;

const GROUPBY: Param = Param::new(
    "groupby",
    "What to count by, a comma list: region (first-level region: the incident's gazetteer place's, else the nearest settlement's), country, category, day, week (ISO, from Monday) and month; e.g. region,week. Country-level incidents are in no region.",
    Kind::Parsed {
        schema: || {
            let keys: Vec<&str> = Key::ALL.iter().map(|k| k.name()).collect();
            json!({"type": "array", "items": {"type": "string", "enum": keys}, "minItems": 1, "uniqueItems": true})
        },
    },
)
.required();
const F: Param = Param::new(
    "f",
    "Output format: JSON, or CSV with ACLED-like columns (csv). Accept: text/csv also gives CSV.",
    Kind::OneOf(&["json", "csv"]),
);
/// The aggregate's own parameters, beside the items' filters.
pub const AGGREGATE: &[Param] = &[GROUPBY, F];

pub async fn aggregate(
    State(s): State<AppState>,
    Path(collection_id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_collection(&collection_id)?;
    let params = Params::declared(raw.as_deref(), FilterArgs::NAMES, AGGREGATE)?;
    // The groups are not features: `f=geojson`, which the items take, is refused here.
    let fmt = format(&params, &F, &headers)?;
    let filter = filter_from(&params)?;
    let by = params.value(&GROUPBY)?.unwrap_or_default();
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
