//! Durable storage of incidents: the [`Store`] trait every backend implements, and the
//! backends (one folder or file each).
//!
//! A store is the source of truth; the in-memory index ([`crate::spatial`]) is rebuilt from it
//! at start and kept in step by the writer ([`crate::app`]). A store call returns only once
//! its change is durable: that is what lets the HTTP layer acknowledge a write.
//!
//! Two backends: [`gpkg`], one GeoPackage file owned by one process (the default), and
//! [`postgres`], a PostGIS database shared by several instances. A shared store also tells
//! its instances what the others changed ([`Store::changes_since`], [`Store::watch`]).

pub mod gpkg;
pub mod postgres;

use std::sync::Arc;

use crate::model::{Incident, ReportRecord};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(String),
    /// The store cannot be reached just now (a shared database is down or restarting). The
    /// change was not acknowledged; the same request can be sent again later.
    #[error("the database is unreachable ({0}); retry shortly")]
    Unavailable(String),
    /// A conditional write found the incident not as expected; nothing was written.
    #[error(transparent)]
    Conflict(#[from] Conflict),
    #[error("{path}: {message}")]
    Open { path: String, message: String },
    #[error("stored incident {id:?} is unreadable: {message}")]
    Corrupt { id: String, message: String },
    #[error(
        "{path} has schema version {found}, newer than this incidentmap supports ({supported}); upgrade incidentmap"
    )]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
}

/// One change in a write.
#[derive(Debug, Clone)]
pub enum Change {
    /// Insert, or replace the incident with the same id.
    Put(Incident),
    /// Remove the incident with this id (no error if absent).
    Delete(String),
}

impl Change {
    pub fn id(&self) -> &str {
        match self {
            Change::Put(i) => &i.id,
            Change::Delete(id) => id,
        }
    }
}

/// Which changes of a batch a store writes: the last of each id. Every backend records one
/// state per incident per data version (the shared store's change log relies on it).
pub(crate) fn last_of_each(changes: &[Change]) -> Vec<bool> {
    let mut last = std::collections::HashMap::with_capacity(changes.len());
    for (n, c) in changes.iter().enumerate() {
        last.insert(c.id(), n);
    }
    let mut keep = vec![false; changes.len()];
    for n in last.into_values() {
        keep[n] = true;
    }
    keep
}

/// What a conditional write expects of the incident it touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Whatever is there.
    Anything,
    /// It must exist (If-Match: *, or an update without If-Match).
    Exists,
    /// It must not exist (a create).
    Absent,
    /// It must exist with one of these ETags (If-Match).
    ETag(Vec<String>),
}

/// Why a conditional write was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    #[error("no incident with id {0:?}")]
    NotFound(String),
    #[error("an incident with id {0:?} already exists")]
    Exists(String),
    #[error("incident {id:?} has changed: its ETag is {current}, the request expected {expected}")]
    PreconditionFailed {
        id: String,
        expected: String,
        current: String,
    },
}

impl Expect {
    /// Checks the incident's current state (`None`: it does not exist) against the
    /// expectation. Every backend calls this inside its write transaction, so the check and
    /// the write see the same state.
    pub fn check(&self, id: &str, current: Option<&Incident>) -> Result<(), Conflict> {
        match (self, current) {
            (Expect::Anything, _) => Ok(()),
            (Expect::Exists, None) => Err(Conflict::NotFound(id.to_string())),
            (Expect::Exists, Some(_)) => Ok(()),
            (Expect::Absent, Some(_)) => Err(Conflict::Exists(id.to_string())),
            (Expect::Absent, None) => Ok(()),
            (Expect::ETag(tags), None) => Err(Conflict::PreconditionFailed {
                id: id.to_string(),
                expected: tags.join(", "),
                current: "(none: it does not exist)".into(),
            }),
            (Expect::ETag(tags), Some(cur)) => {
                let now = crate::etag::of_incident(cur);
                if tags.contains(&now) {
                    Ok(())
                } else {
                    Err(Conflict::PreconditionFailed {
                        id: id.to_string(),
                        expected: tags.join(", "),
                        current: now,
                    })
                }
            }
        }
    }
}

/// What changed in a shared store since a given data version.
#[derive(Debug)]
pub enum Delta {
    /// These changes take the data from the version asked about to `version`.
    Changes { version: u64, changes: Vec<Change> },
    /// The store no longer continues from the version asked about (it was restored from a
    /// backup, or replaced): here is everything.
    Reload(Loaded),
}

/// Called by a shared store when another instance may have changed the data: with the data
/// version a change announced, or `None` when unknown (after reconnecting).
pub type Wake = Arc<dyn Fn(Option<u64>) + Send + Sync>;

/// What a store holds, read at start.
#[derive(Debug)]
pub struct Loaded {
    pub incidents: Vec<Incident>,
    /// Moves on with every committed write; survives restarts, so ETags and tile URLs built
    /// from it never repeat for different data.
    pub version: u64,
}

/// One recorded change of an incident.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// The data version the change created.
    pub version: u64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who: the name of the token that made it ("cli" and "demo" for local loads).
    pub actor: String,
    /// create, update or delete.
    pub op: String,
    /// The incident after the change, as a GeoJSON Feature; `None` after a deletion.
    pub after: Option<String>,
}

/// A durable incident store. Implementations are synchronous: callers on the async runtime
/// use `spawn_blocking`.
pub trait Store: Send + Sync + 'static {
    /// Every incident and the current data version.
    fn load(&self) -> Result<Loaded, StoreError>;

    /// Applies the changes atomically and durably; returns the new data version. `actor`
    /// names who made the change (kept in the history).
    fn apply(&self, changes: &[Change], actor: &str) -> Result<u64, StoreError>;

    /// Applies one change if the incident's current state meets `expect`, checked inside the
    /// same transaction as the write; otherwise writes nothing and returns
    /// [`StoreError::Conflict`]. This is what makes "exactly one of two editors holding the
    /// same ETag wins" hold across instances sharing a database.
    fn apply_checked(
        &self,
        change: &Change,
        expect: &Expect,
        actor: &str,
    ) -> Result<u64, StoreError>;

    /// Stores a report and the incidents drafted from it in one transaction, as one data
    /// version: a report is never kept without its drafts, nor drafts without their report.
    fn add_report(
        &self,
        report: &ReportRecord,
        drafts: &[Change],
        actor: &str,
    ) -> Result<u64, StoreError>;

    /// A stored report.
    fn report(&self, id: &str) -> Result<Option<ReportRecord>, StoreError>;

    /// Every recorded change of one incident, oldest first (empty if it never existed).
    fn history(&self, id: &str) -> Result<Vec<HistoryEntry>, StoreError>;

    /// Moves everything acknowledged into the store's main files (writes are already durable
    /// before this; it only tidies, e.g. a write-ahead log, at shutdown).
    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// For a store other processes write to: what changed after data version `since`.
    /// `None` for a store only this process writes.
    fn changes_since(&self, since: u64) -> Result<Option<Delta>, StoreError> {
        let _ = since;
        Ok(None)
    }

    /// For a store other processes write to: calls `wake` whenever the data may have changed
    /// (and after every reconnection), from a background task, until the store is dropped.
    /// Returns false when there is nothing to watch.
    fn watch(&self, wake: Wake) -> bool {
        let _ = wake;
        false
    }

    /// Whether the store can be reached now (for health checks and metrics).
    fn is_up(&self) -> bool {
        true
    }

    /// What this store is, for logs: a file path, or a database without its password.
    fn describe(&self) -> String;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, OccurredAt, Precision};

    #[test]
    fn a_batch_keeps_the_last_change_of_each_id() {
        let del = |id: &str| Change::Delete(id.into());
        let batch = [del("a"), del("b"), del("a"), del("c"), del("b")];
        assert_eq!(last_of_each(&batch), [false, false, true, true, true]);
        assert!(last_of_each(&[]).is_empty());
    }

    fn incident() -> Incident {
        Incident {
            id: "a".into(),
            lon: 76.9,
            lat: 43.2,
            occurred_at: OccurredAt::parse("2022-01-05").unwrap(),
            category: Category::Protest,
            fatalities: None,
            injured: None,
            arrested: None,
            place: None,
            place_id: None,
            precision: Precision::City,
            source: None,
            notes: None,
            status: Default::default(),
            report_id: None,
            admin1: None,
        }
    }

    #[test]
    fn expectations_are_checked_against_the_current_state() {
        let i = incident();
        let tag = crate::etag::of_incident(&i);
        assert!(Expect::Anything.check("a", None).is_ok());
        assert!(Expect::Exists.check("a", Some(&i)).is_ok());
        assert_eq!(
            Expect::Exists.check("a", None),
            Err(Conflict::NotFound("a".into()))
        );
        assert_eq!(
            Expect::Absent.check("a", Some(&i)),
            Err(Conflict::Exists("a".into()))
        );
        assert!(Expect::ETag(vec![tag.clone()]).check("a", Some(&i)).is_ok());
        let moved = Incident {
            lon: 77.0,
            ..i.clone()
        };
        let e = Expect::ETag(vec![tag.clone()])
            .check("a", Some(&moved))
            .unwrap_err();
        assert!(e.to_string().contains(&tag), "{e}");
        assert!(matches!(
            Expect::ETag(vec![tag]).check("a", None),
            Err(Conflict::PreconditionFailed { .. })
        ));
    }
}
