//! Durable storage of incidents: the [`Store`] trait every backend implements, and the
//! backends (one folder or file each).
//!
//! A store is the source of truth; the in-memory index ([`crate::spatial`]) is rebuilt from it
//! at start and kept in step by the writer ([`crate::app`]). A store call returns only once
//! its change is durable: that is what lets the HTTP layer acknowledge a write.

pub mod gpkg;

use crate::model::Incident;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
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

/// What a store holds, read at start.
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

    /// Every recorded change of one incident, oldest first (empty if it never existed).
    fn history(&self, id: &str) -> Result<Vec<HistoryEntry>, StoreError>;

    /// Moves everything acknowledged into the store's main files (writes are already durable
    /// before this; it only tidies, e.g. a write-ahead log, at shutdown).
    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
