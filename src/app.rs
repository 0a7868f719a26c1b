//! The service core, independent of HTTP: the store, the index kept in step with it, the
//! gazetteer and the styles — and the one write path through which every change passes.
//!
//! Writes are serialized by a mutex held across "store durably, then publish to the index", so
//! the index always shows a prefix of what the store has acknowledged, in the same order.
//! Reads never take that lock: they work on an immutable [`Snapshot`].
//!
//! Two indexes are kept: the public one, of published incidents, which every read of the
//! service answers from (items, tiles, aggregates, exports), and the review queue, of incidents
//! drafted from reports and not yet published (or rejected), which only token holders see. A
//! write routes each incident to the index its status says ([`route`]), so publishing a draft
//! moves it from the queue to the map and rejecting it leaves no trace outside the queue.
//!
//! With a shared store (PostgreSQL), other instances write too. The index then only ever
//! moves from data version `n` to the store's state at a later version, by applying what the
//! store's change log says changed in between ([`App::catch_up`]): after this instance's own
//! write when another came in between, when the store's change feed wakes the follower thread
//! ([`App::follow`]), and on a periodic poll in case a wake-up was missed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use crate::bbox::Bbox;
use crate::draft::{Draft, ResolveError};
use crate::gazetteer::{Gazetteer, GazetteerError, Kind};
use crate::model::{Admin1, Incident, Precision, ReportRecord, Status};
use crate::spatial::{Admin1Of, AreaExtent, AreaOf, Index, Snapshot};
pub use crate::store::Expect;
use crate::store::{Change, Conflict, Delta, Store, StoreError};
use crate::tiles::shape::Shape;
use crate::tiles::style::{StyleError, Styles};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("gazetteer: {0}")]
    Gazetteer(#[from] GazetteerError),
    #[error("styles: {0}")]
    Styles(#[from] StyleError),
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
    #[error("the demo dataset does not load: {0}")]
    Demo(String),
    #[error("cannot start a worker thread: {0}")]
    Thread(#[from] std::io::Error),
    /// A conditional write refused (no such incident, it exists already, its ETag moved).
    #[error(transparent)]
    Conflict(#[from] Conflict),
}

impl AppError {
    /// Whether the failure is the store being unreachable just now (retrying may succeed).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, AppError::Store(StoreError::Unavailable(_)))
    }
}

/// How often a follower asks a shared store for changes even without a wake-up.
const POLL: Duration = Duration::from_secs(2);

pub struct App {
    store: Arc<dyn Store>,
    /// Published incidents.
    index: Arc<Index>,
    /// Drafts and rejected incidents (the review queue); the same data version as `index`.
    queue: Arc<Index>,
    gazetteer: Arc<Gazetteer>,
    styles: Styles,
    writer: Mutex<()>,
    /// Set once the follower thread runs (see [`App::follow`]).
    following: OnceLock<()>,
}

/// The first-level region an incident is counted in: the same rule as the counts by region
/// ([`Gazetteer::area_of`]): its gazetteer place's region, else the region outline holding the
/// point, else the nearest settlement's. A country-level incident has none. One shared
/// [`Admin1`] per region, so a million incidents cost a pointer each.
pub fn admin1_resolver(gaz: Arc<Gazetteer>) -> Admin1Of {
    let regions: HashMap<u32, Arc<Admin1>> = gaz
        .places()
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == Kind::Region)
        .map(|(i, p)| {
            let a = Admin1 {
                code: p.admin1.as_str().into(),
                name: p.name.as_str().into(),
            };
            (i as u32, Arc::new(a))
        })
        .collect();
    Arc::new(move |i: &Incident| {
        let area = gaz.area_of(i.lon, i.lat, i.place_id, i.precision == Precision::Country);
        regions.get(&area.region?).cloned()
    })
}

/// Half-widths in degrees of the box an area incident is spread over when the gazetteer has no
/// box for its place.
const FALLBACK_REGION_DEG: f64 = 1.5;
const FALLBACK_COUNTRY_DEG: f64 = 5.0;

/// The area an incident of region or country precision stands for: its place's box and
/// outline, the box and outline of the region or country around it, or a default box around
/// the point. Outlines are projected once per place and shared.
pub fn area_resolver(gaz: Arc<Gazetteer>) -> AreaOf {
    let shapes: Mutex<HashMap<u64, Option<Arc<Shape>>>> = Mutex::new(HashMap::new());
    Arc::new(move |i: &Incident| {
        if !i.precision.is_area() {
            return None;
        }
        let place = i.place_id.and_then(|id| gaz.place(id));
        let area_place = place.and_then(|p| {
            let wanted = if i.precision == Precision::Country {
                Kind::Country
            } else {
                Kind::Region
            };
            match (p.kind, wanted) {
                (k, w)
                    if k == w
                        || (matches!(k, Kind::District | Kind::Water) && w == Kind::Region) =>
                {
                    Some(p)
                }
                (_, Kind::Country) => gaz.country(&p.country),
                _ => gaz.region_of(p).or(Some(p)),
            }
        });
        // A region without a box: the place's own box will do (not for a country).
        let area_place = match area_place {
            Some(a) if a.bbox.is_some() => Some(a),
            _ if i.precision != Precision::Country => place,
            _ => None,
        };
        if let Some(a) = area_place
            && let Some(bbox) = a.bbox
        {
            let shape = shapes
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(a.id)
                .or_insert_with(|| {
                    let outline = gaz.outlines().of(gaz.index_of(a.id)?)?;
                    Shape::new(outline).map(Arc::new)
                })
                .clone();
            // The outline is simplified from the polygon the box was measured on: it stays
            // within the simplification's tolerance of the box.
            let bbox = match shape {
                Some(_) => bbox.padded(OUTLINE_TOLERANCE_DEG),
                None => bbox,
            };
            return Some(AreaExtent { bbox, shape });
        }
        let d = if i.precision == Precision::Country {
            FALLBACK_COUNTRY_DEG
        } else {
            FALLBACK_REGION_DEG
        };
        Bbox::new(
            (i.lon - d).max(-180.0),
            (i.lat - d).max(-90.0),
            (i.lon + d).min(180.0),
            (i.lat + d).min(90.0),
        )
        .ok()
        .map(AreaExtent::boxed)
    })
}

/// How far a simplified outline may stray from the polygon it came from (the gazetteer
/// build's tolerance, `OUTLINE_TOLERANCE` in scripts/gazetteer/build_gazetteer.py).
const OUTLINE_TOLERANCE_DEG: f64 = 0.01;

/// Which store holds the incidents.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreSpec {
    /// `incidents.gpkg` in this data directory (the default).
    Dir(std::path::PathBuf),
    /// A PostgreSQL/PostGIS database shared with other instances (a `postgres://` URL).
    Postgres(String),
}

impl StoreSpec {
    /// Opens the store.
    pub fn open(&self) -> Result<Arc<dyn Store>, StoreError> {
        Ok(match self {
            StoreSpec::Dir(d) => Arc::new(crate::store::gpkg::GpkgStore::open_dir(d)?),
            StoreSpec::Postgres(url) => Arc::new(crate::store::postgres::PgStore::connect(url)?),
        })
    }
}

/// Where an [`App`] gets its parts.
#[derive(Debug, Clone)]
pub struct Sources {
    pub store: StoreSpec,
    /// Extra gazetteer files on top of the embedded ones.
    pub gazetteer_dir: Option<std::path::PathBuf>,
    /// Styles to use instead of the embedded ones.
    pub styles_dir: Option<std::path::PathBuf>,
}

impl App {
    /// Opens the store in the data directory, loads the gazetteer and styles, builds the index.
    pub fn open(src: &Sources) -> Result<App, AppError> {
        let styles = match &src.styles_dir {
            Some(d) => Styles::load_dir(d)?,
            None => Styles::embedded()?,
        };
        // The gazetteer and the store are independent: load them side by side.
        let (gazetteer, store) = std::thread::scope(|s| {
            let gaz = s.spawn(|| match &src.gazetteer_dir {
                Some(d) => Gazetteer::embedded_with_dir(d),
                None => Gazetteer::embedded(),
            });
            let store = src.store.open().and_then(|st| st.load().map(|l| (st, l)));
            (gaz.join().expect("gazetteer loading panicked"), store)
        });
        let (store, loaded) = store?;
        App::with_loaded(store, loaded, Arc::new(gazetteer?), styles)
    }

    /// Loads everything from the store and builds the index.
    pub fn new(
        store: Arc<dyn Store>,
        gazetteer: Arc<Gazetteer>,
        styles: Styles,
    ) -> Result<App, AppError> {
        let loaded = store.load()?;
        App::with_loaded(store, loaded, gazetteer, styles)
    }

    /// An app over a store whose contents were already read.
    pub fn with_loaded(
        store: Arc<dyn Store>,
        loaded: crate::store::Loaded,
        gazetteer: Arc<Gazetteer>,
        styles: Styles,
    ) -> Result<App, AppError> {
        // The misspelling index is not needed to start serving: build it meanwhile.
        let gaz = Arc::clone(&gazetteer);
        std::thread::Builder::new()
            .name("gazetteer-prepare".into())
            .spawn(move || gaz.prepare())?;
        let (published, queued) = partition(loaded.incidents);
        let admin1 = admin1_resolver(Arc::clone(&gazetteer));
        let area = area_resolver(Arc::clone(&gazetteer));
        let queue = Arc::new(Index::deriving(
            queued,
            loaded.version,
            Arc::clone(&area),
            Some(Arc::clone(&admin1)),
        ));
        let index = Arc::new(Index::deriving(
            published,
            loaded.version,
            area,
            Some(admin1),
        ));
        // The outlines (parsed already if any incident is region- or country-level) and the
        // settlements' tree are not needed to start serving either.
        let gaz = Arc::clone(&gazetteer);
        std::thread::Builder::new()
            .name("gazetteer-areas".into())
            .spawn(move || gaz.prepare_areas())?;
        Ok(App {
            store,
            index,
            queue,
            gazetteer,
            styles,
            writer: Mutex::new(()),
            following: OnceLock::new(),
        })
    }

    /// The store, for tools that talk to it directly.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Keeps the index in step with writes made by other instances to a shared store: a
    /// background thread catches up whenever the store's change feed wakes it, and every
    /// [`POLL`] regardless. Does nothing for a store only this process writes, or when
    /// already following. The thread ends when the app is dropped.
    pub fn follow(self: &Arc<Self>) {
        if self.following.set(()).is_err() {
            return;
        }
        let (tx, rx) = std::sync::mpsc::sync_channel::<()>(1);
        let weak: Weak<App> = Arc::downgrade(self);
        // Only the index, not the app: the last reference to the app must never be dropped on
        // the store's own runtime thread.
        let index = Arc::downgrade(&self.index);
        let wake: crate::store::Wake = Arc::new(move |version| {
            // This instance's own writes come back as notifications too: the index already
            // shows them, so there is nothing to catch up on.
            if let (Some(v), Some(index)) = (version, index.upgrade()) {
                if index.snapshot().version() >= v {
                    return;
                }
            }
            // A full channel already holds a wake-up: dropping this one loses nothing.
            let _ = tx.try_send(());
        });
        if !self.store.watch(wake) {
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("incidentmap-follow".into())
            .spawn(move || follow_loop(weak, rx));
        if let Err(e) = spawned {
            tracing::error!("cannot start the thread following the store: {e}");
        }
    }

    /// Brings the index up to the store's current version using the store's change log.
    /// Returns whether anything changed. A store only this process writes has nothing to
    /// catch up on.
    pub fn catch_up(&self) -> Result<bool, AppError> {
        let _guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        self.catch_up_locked()
    }

    fn catch_up_locked(&self) -> Result<bool, AppError> {
        let since = self.snapshot().version();
        match self.store.changes_since(since)? {
            None => Ok(false),
            Some(Delta::Changes { version, changes }) => {
                if version <= since {
                    return Ok(false);
                }
                tracing::debug!(since, version, changes = changes.len(), "caught up");
                self.apply_to_indexes(changes, version);
                Ok(true)
            }
            Some(Delta::Reload(loaded)) => {
                tracing::warn!(
                    version = loaded.version,
                    incidents = loaded.incidents.len(),
                    "the store does not continue from data version {since} (restored or \
                     replaced?): reloaded everything"
                );
                let (published, queued) = partition(loaded.incidents);
                self.queue.replace(queued, loaded.version);
                self.index.replace(published, loaded.version);
                Ok(true)
            }
        }
    }

    /// Publishes this instance's own write, stored as `version`. When another instance wrote
    /// in between, the index must first take in that write too: catch up instead, which
    /// includes ours.
    fn publish(&self, changes: Vec<Change>, version: u64) {
        let current = self.snapshot().version();
        if version == current + 1 {
            self.apply_to_indexes(changes, version);
            return;
        }
        match self.catch_up_locked() {
            Ok(_) if self.snapshot().version() >= version => {}
            // A store nobody else writes, whose versions skipped (another process wrote the
            // file): take ours in.
            Ok(_) => self.apply_to_indexes(changes, version),
            // The write is durable; the follower will show it once the store answers again.
            Err(e) => tracing::warn!(
                "stored data version {version}, but could not read the changes before it \
                 ({e}); it will show once the store answers"
            ),
        }
    }

    /// Applies committed changes to both indexes, each incident to the one its status says.
    /// The queue goes first: a draft being published is never in neither.
    fn apply_to_indexes(&self, changes: Vec<Change>, version: u64) {
        let (in_public, in_queue) = (self.index.snapshot(), self.queue.snapshot());
        let (public, queue) = route(
            changes,
            |id| in_public.get(id).is_some(),
            |id| in_queue.get(id).is_some(),
        );
        self.queue.apply(queue, version);
        self.index.apply(public, version);
    }

    /// The published incidents: what every public read answers from.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.index.snapshot()
    }

    /// The review queue: drafts and rejected incidents, for token holders.
    pub fn queue(&self) -> Arc<Snapshot> {
        self.queue.snapshot()
    }

    /// An incident whatever its status (published first).
    pub fn get_any(&self, id: &str) -> Option<Arc<Incident>> {
        let public = self.snapshot();
        match public.get(id) {
            Some(i) => Some(Arc::clone(i)),
            None => self.queue().get(id).cloned(),
        }
    }

    /// Stores a report with the incidents drafted from it (one transaction, one data version)
    /// and shows the drafts in the queue. Returns the new data version.
    pub fn submit_report(
        &self,
        report: &ReportRecord,
        drafts: Vec<Incident>,
        actor: &str,
    ) -> Result<u64, AppError> {
        let changes: Vec<Change> = drafts.into_iter().map(Change::Put).collect();
        let _guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let version = self.timed(|| self.store.add_report(report, &changes, actor))?;
        self.publish(changes, version);
        Ok(version)
    }

    /// A stored report.
    pub fn report(&self, id: &str) -> Result<Option<ReportRecord>, AppError> {
        Ok(self.store.report(id)?)
    }

    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    pub fn styles(&self) -> &Styles {
        &self.styles
    }

    /// Stores the changes durably, then publishes them. Returns the new data version.
    pub fn write(&self, changes: Vec<Change>, actor: &str) -> Result<u64, AppError> {
        if changes.is_empty() {
            return Ok(self.snapshot().version());
        }
        let _guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let version = self.timed(|| self.store.apply(&changes, actor))?;
        self.publish(changes, version);
        Ok(version)
    }

    /// One change, checked against the incident's current state under the writer lock, so that
    /// of two editors holding the same ETag exactly one wins. Returns the new data version.
    pub fn write_checked(
        &self,
        change: Change,
        expect: &Expect,
        actor: &str,
    ) -> Result<u64, AppError> {
        let _guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        // The store checks `expect` inside its write transaction: with a shared store the
        // index here may lag another instance's write, the store cannot.
        let version = self
            .timed(|| self.store.apply_checked(&change, expect, actor))
            .map_err(|e| match e {
                StoreError::Conflict(c) => AppError::from(c),
                e => AppError::Store(e),
            })?;
        self.publish(vec![change], version);
        Ok(version)
    }

    /// A store write, timed for the metrics.
    fn timed(&self, write: impl FnOnce() -> Result<u64, StoreError>) -> Result<u64, StoreError> {
        let started = std::time::Instant::now();
        let version = write()?;
        metrics::histogram!("incidentmap_store_write_seconds")
            .record(started.elapsed().as_secs_f64());
        Ok(version)
    }

    /// Makes everything acknowledged durable in the store's main file (at shutdown).
    pub fn flush(&self) -> Result<(), AppError> {
        let _guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        Ok(self.store.flush()?)
    }

    /// Every recorded change of an incident, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<crate::store::HistoryEntry>, AppError> {
        Ok(self.store.history(id)?)
    }

    /// Resolves a draft under a given id (its own id, if any, must already be that one).
    pub fn resolve_with_id(&self, mut draft: Draft, id: String) -> Result<Incident, ResolveError> {
        draft.id = Some(id);
        draft.resolve(&self.gazetteer, Draft::content_id)
    }

    /// Resolves a draft (geocoding its place if needed) into an incident.
    pub fn resolve(&self, draft: Draft) -> Result<Incident, ResolveError> {
        draft.resolve(&self.gazetteer, Draft::content_id)
    }

    /// Imports rows read from a file: resolves each, then writes them all in one transaction —
    /// or nothing when any row is bad, unless `skip_invalid`.
    pub fn import(
        &self,
        rows: Vec<crate::import::Row>,
        opts: &crate::import::Options,
        actor: &str,
    ) -> Result<crate::import::Report, AppError> {
        self.import_with_progress(rows, opts, actor, |_| {})
    }

    /// [`App::import`], calling `progress` with the number of rows resolved so far.
    pub fn import_with_progress(
        &self,
        rows: Vec<crate::import::Row>,
        opts: &crate::import::Options,
        actor: &str,
        mut progress: impl FnMut(u64),
    ) -> Result<crate::import::Report, AppError> {
        let snap = self.snapshot();
        let mut report = crate::import::Report::default();
        let mut changes = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (n, row) in rows.into_iter().enumerate() {
            if n % 1024 == 0 {
                progress(n as u64);
            }
            let incident = row
                .draft
                .map_err(|e| e.to_string())
                .and_then(|d| self.resolve(d).map_err(|e| e.to_string()));
            match incident {
                Err(reason) => report.rejected.push((row.origin, reason)),
                Ok(i) => {
                    if !seen.insert(i.id.clone()) {
                        report.rejected.push((
                            row.origin,
                            format!("id {:?} appears twice in the file", i.id),
                        ));
                        continue;
                    }
                    match snap.get(&i.id) {
                        Some(old) if **old == i => report.unchanged += 1,
                        Some(_) => {
                            report.updated += 1;
                            changes.push(Change::Put(i));
                        }
                        None => {
                            report.added += 1;
                            changes.push(Change::Put(i));
                        }
                    }
                }
            }
        }
        if !report.rejected.is_empty() && !opts.skip_invalid {
            report.written = false;
            return Ok(report);
        }
        if !opts.dry_run {
            self.write(changes, actor)?;
            report.written = true;
        }
        Ok(report)
    }

    /// Loads the demo dataset when the store is empty. Returns how many incidents it added.
    pub fn load_demo_if_empty(&self) -> Result<usize, AppError> {
        if !self.snapshot().is_empty() {
            return Ok(0);
        }
        let rows = crate::import::read(crate::demo::FILE_NAME, crate::demo::GEOJSON)?;
        let report = self.import(rows, &crate::import::Options::default(), "demo")?;
        if let Some((origin, reason)) = report.rejected.first() {
            // The demo ships with the binary, so this means the gazetteer and the demo file
            // disagree: say so rather than serve half a demo.
            return Err(AppError::Demo(format!("{origin}: {reason}")));
        }
        Ok(report.added)
    }
}

/// Splits incidents into the published and the queued (drafts and rejected).
fn partition(incidents: Vec<Incident>) -> (Vec<Incident>, Vec<Incident>) {
    // Almost always everything is published: then nothing moves (a million incidents would
    // otherwise be copied into a new vector at start).
    if incidents.iter().all(|i| i.status == Status::Published) {
        return (incidents, Vec::new());
    }
    incidents
        .into_iter()
        .partition(|i| i.status == Status::Published)
}

/// Which index each change goes to: `(public, queue)`. A put lands in the index of its status
/// and leaves the other if that one holds it (its status just changed); a deletion goes to
/// whichever holds it. `in_public` and `in_queue` say what each index holds before the
/// changes; asking them keeps a million-row import from sending the queue a million deletions
/// of nothing. Only the last change of each id counts, as in the stores
/// ([`crate::store::last_of_each`]), so no change depends on an earlier one of the batch.
pub fn route(
    changes: Vec<Change>,
    in_public: impl Fn(&str) -> bool,
    in_queue: impl Fn(&str) -> bool,
) -> (Vec<Change>, Vec<Change>) {
    let keep = crate::store::last_of_each(&changes);
    let mut public = Vec::with_capacity(changes.len());
    let mut queue = Vec::new();
    for (c, _) in changes.into_iter().zip(keep).filter(|(_, k)| *k) {
        let to = match &c {
            Change::Put(i) => Some(i.status == Status::Published),
            Change::Delete(_) => None,
        };
        if to != Some(true) && in_public(c.id()) {
            public.push(Change::Delete(c.id().to_string()));
        }
        if to != Some(false) && in_queue(c.id()) {
            queue.push(Change::Delete(c.id().to_string()));
        }
        match to {
            Some(true) => public.push(c),
            Some(false) => queue.push(c),
            None => {}
        }
    }
    (public, queue)
}

/// The follower thread: catch up on every wake-up and every [`POLL`]; stop with the app.
fn follow_loop(app: Weak<App>, wake: std::sync::mpsc::Receiver<()>) {
    let mut failing = false;
    loop {
        if let Err(std::sync::mpsc::RecvTimeoutError::Disconnected) = wake.recv_timeout(POLL) {
            return;
        }
        let Some(app) = app.upgrade() else {
            return;
        };
        match app.catch_up() {
            Ok(_) => failing = false,
            // The change feed logs outages; say it here once, not every poll.
            Err(e) if !failing => {
                failing = true;
                tracing::warn!("cannot catch up with the store: {e}");
            }
            Err(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, OccurredAt};

    fn incident(id: &str, status: Status) -> Incident {
        Incident {
            id: id.into(),
            lon: 57.2,
            lat: 50.3,
            occurred_at: OccurredAt::parse("2022-01-06").unwrap(),
            category: Category::Protest,
            fatalities: None,
            injured: None,
            arrested: None,
            place: None,
            place_id: None,
            precision: Precision::City,
            source: None,
            notes: None,
            status,
            report_id: None,
            admin1: None,
        }
    }

    fn ids(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .map(|c| match c {
                Change::Put(i) => format!("put {} {}", i.id, i.status),
                Change::Delete(id) => format!("delete {id}"),
            })
            .collect()
    }

    #[test]
    fn each_incident_goes_to_the_index_of_its_status() {
        // Before: "p" is published, "d" is a draft; "new" is nowhere.
        let in_public = |id: &str| id == "p";
        let in_queue = |id: &str| id == "d";
        let (public, queue) = route(
            vec![
                // Publishing the draft moves it; rejecting the published one moves it back.
                Change::Put(incident("d", Status::Published)),
                Change::Put(incident("p", Status::Rejected)),
                // A new draft touches only the queue; a new published incident only the map.
                Change::Put(incident("new", Status::Draft)),
                Change::Put(incident("pub", Status::Draft)),
                Change::Put(incident("pub", Status::Published)),
                // Deleting what neither holds reaches neither.
                Change::Delete("ghost".into()),
            ],
            in_public,
            in_queue,
        );
        assert_eq!(
            ids(&public),
            ["put d published", "delete p", "put pub published"]
        );
        assert_eq!(ids(&queue), ["delete d", "put p rejected", "put new draft"]);
        let (public, queue) = route(vec![Change::Delete("d".into())], in_public, in_queue);
        assert!(public.is_empty());
        assert_eq!(ids(&queue), ["delete d"]);
    }
}
