//! Work that outlives its request: `GET /jobs/{id}` reports a bulk import's progress and, once
//! it ends, its result.
//!
//! Why jobs: a write that commits must never be answered "abandoned". An import can take
//! longer than any sensible request time limit, so it runs on its own, holding the one import
//! slot until it ends, and its request only waits for it for a while: the answer is the
//! result if it came in time, or `202 Accepted` with this job's URL if not.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;

use super::AppState;
use super::error::ApiError;

/// Finished jobs kept for `GET /jobs/{id}`; the oldest are forgotten first.
const KEPT: usize = 64;

/// Where a job is; the names are OGC API – Processes' job statuses.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Running,
    Successful,
    Failed,
}

/// A job as `GET /jobs/{id}` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub id: String,
    /// `import`.
    pub kind: &'static str,
    pub status: Status,
    /// What it is doing now: `parsing`, `writing`, `done`.
    pub phase: &'static str,
    /// Rows read from the upload, once parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
    /// Rows resolved (checked and geocoded) so far, while writing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<u64>,
    pub created: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
    /// The HTTP status the result would have had as a direct answer (200, 422, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_status: Option<u16>,
    /// The import report, or the error `{code, description}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
}

/// One job: its view, and a channel that tells waiters when it ends.
pub struct Job {
    view: Mutex<View>,
    done: watch::Sender<bool>,
}

impl Job {
    pub fn id(&self) -> String {
        self.lock().id.clone()
    }

    pub fn view(&self) -> View {
        self.lock().clone()
    }

    pub fn set_phase(&self, phase: &'static str, rows: Option<usize>) {
        let mut v = self.lock();
        v.phase = phase;
        if rows.is_some() {
            v.rows = rows;
        }
    }

    pub fn set_resolved(&self, n: u64) {
        self.lock().resolved = Some(n);
    }

    /// Ends the job with the answer its request would have had.
    pub fn finish(&self, status: StatusCode, result: Value) {
        {
            let mut v = self.lock();
            v.status = if status.is_success() {
                Status::Successful
            } else {
                Status::Failed
            };
            v.phase = "done";
            v.finished = Some(now());
            v.result_status = Some(status.as_u16());
            v.result = Some(result);
        }
        self.done.send_replace(true);
    }

    /// Waits until the job ends or `limit` passes; true if it ended.
    pub async fn wait(&self, limit: Duration) -> bool {
        let mut rx = self.done.subscribe();
        tokio::time::timeout(limit, rx.wait_for(|d| *d))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, View> {
        // A panic while holding this lock leaves a view that is still whole.
        self.view.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The jobs this instance knows: running ones and the last [`KEPT`] finished ones.
#[derive(Default)]
pub struct Jobs {
    list: Mutex<VecDeque<Arc<Job>>>,
}

impl Jobs {
    /// Registers a new running job.
    pub fn start(&self, kind: &'static str) -> Arc<Job> {
        let job = Arc::new(Job {
            view: Mutex::new(View {
                id: format!("job-{}", uuid::Uuid::now_v7()),
                kind,
                status: Status::Running,
                phase: "parsing",
                rows: None,
                resolved: None,
                created: now(),
                finished: None,
                result_status: None,
                result: None,
            }),
            done: watch::Sender::new(false),
        });
        let mut list = self.list.lock().unwrap_or_else(|p| p.into_inner());
        list.push_back(job.clone());
        while list.len() > KEPT {
            // Forget the oldest finished job; running ones stay whatever their number.
            match list
                .iter()
                .position(|j| !matches!(j.lock().status, Status::Running))
            {
                Some(i) => {
                    list.remove(i);
                }
                None => break,
            }
        }
        job
    }

    pub fn get(&self, id: &str) -> Option<Arc<Job>> {
        let list = self.list.lock().unwrap_or_else(|p| p.into_inner());
        list.iter().find(|j| j.lock().id == id).cloned()
    }
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `GET /jobs/{id}`: a job's status, progress and result. Jobs are writes' work, so only
/// writers see them.
pub async fn one(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Json<View>, ApiError> {
    super::edit::authorize(&s, &headers)?;
    s.jobs.get(&id).map(|j| Json(j.view())).ok_or_else(|| {
        ApiError::not_found(format!(
            "no job {id:?} on this instance (finished jobs are kept for the last {KEPT})"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_job_reports_its_end_to_waiters() {
        let jobs = Jobs::default();
        let job = jobs.start("import");
        assert!(!job.wait(Duration::from_millis(10)).await);
        let j = job.clone();
        tokio::spawn(async move { j.finish(StatusCode::OK, serde_json::json!({"added": 1})) });
        assert!(job.wait(Duration::from_secs(5)).await);
        let v = jobs.get(&job.id()).unwrap().view();
        assert!(matches!(v.status, Status::Successful));
        assert_eq!(v.result_status, Some(200));
    }

    #[test]
    fn finished_jobs_are_forgotten_oldest_first_running_ones_never() {
        let jobs = Jobs::default();
        let running = jobs.start("import");
        let first_done = jobs.start("import");
        first_done.finish(StatusCode::OK, Value::Null);
        for _ in 0..KEPT {
            jobs.start("import").finish(StatusCode::OK, Value::Null);
        }
        assert!(jobs.get(&running.id()).is_some());
        assert!(jobs.get(&first_done.id()).is_none());
        assert_eq!(jobs.list.lock().unwrap().len(), KEPT);
    }
}
