//! The in-memory index of all incidents: an R-tree for boxes, an id map, and a stable order
//! for paging — published as immutable snapshots so readers never wait for writers.
//!
//! A [`Snapshot`] is a large immutable *base* (records sorted by time then id, an rstar R-tree
//! bulk-loaded over them, an id map) plus a small *overlay* of the changes made since the base
//! was built. A write copies only the overlay and swaps in a new snapshot ([`ArcSwap`]);
//! readers holding the old one carry on undisturbed. When the overlay grows past a fraction of
//! the base, the writer folds it into a new base with `bulk_load` — so a single edit costs
//! O(overlay), not O(all incidents), and the tree stays as well-shaped as a bulk load makes it.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use arc_swap::ArcSwap;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::bbox::Bbox;
use crate::filter::Filter;
use crate::model::Incident;
use crate::store::Change;

type Entry = GeomWithData<[f64; 2], u32>;
type AreaEntry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// Tells the area an incident stands for when its precision is region or country (from the
/// gazetteer); `None` for point incidents. The index keeps these areas in a second R-tree so a
/// heat tile finds the country-wide incidents whose area covers it even though their point is
/// far away.
pub type AreaOf = Arc<dyn Fn(&Incident) -> Option<AreaExtent> + Send + Sync>;

/// Tells the first-level region an incident is counted in (from the gazetteer; see
/// [`crate::model::Incident::admin1`]). The index fills it in as incidents enter, so every
/// reader of a snapshot sees it without a gazetteer at hand.
pub type Admin1Of = Arc<dyn Fn(&Incident) -> Option<Arc<crate::model::Admin1>> + Send + Sync>;

/// Fills in the derived fields of incidents entering the index, on every core: at start a
/// million incidents pass through here.
fn derive(incidents: &mut [Incident], admin1_of: Option<&Admin1Of>) {
    let Some(admin1_of) = admin1_of else { return };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = incidents.len().div_ceil(threads).max(4096);
    std::thread::scope(|scope| {
        for part in incidents.chunks_mut(chunk) {
            scope.spawn(move || {
                for i in part {
                    i.admin1 = admin1_of(i);
                }
            });
        }
    });
}

/// The area a region- or country-level incident stands for: a box that holds it, and its
/// outline where the gazetteer has one (heat tiles spread the incident over the outline,
/// else over the box).
#[derive(Debug, Clone)]
pub struct AreaExtent {
    pub bbox: Bbox,
    pub shape: Option<Arc<crate::tiles::shape::Shape>>,
}

impl AreaExtent {
    /// An area known only by its box.
    pub fn boxed(bbox: Bbox) -> AreaExtent {
        AreaExtent { bbox, shape: None }
    }
}

fn envelope(b: &Bbox) -> AABB<[f64; 2]> {
    AABB::from_corners([b.west, b.south], [b.east, b.north])
}

/// Overlay size that triggers folding it into the base: large enough that edits rarely pay
/// for a rebuild, small enough that scanning it per query stays cheap.
fn overlay_limit(base_len: usize) -> usize {
    (base_len / 64).clamp(1024, 16_384)
}

/// The order of items pages: by time, then id. Stable across snapshots, so paging through a
/// changing dataset neither repeats nor skips unchanged incidents.
fn order(a: &Incident, b: &Incident) -> Ordering {
    a.occurred_at
        .start_ms()
        .cmp(&b.occurred_at.start_ms())
        .then_with(|| a.id.cmp(&b.id))
}

struct Base {
    /// Unique per base build: caches of derived data (heat pyramids) key on it.
    id: u64,
    records: Vec<Arc<Incident>>,
    tree: RTree<Entry>,
    /// Area incidents by the box of their area (split at the antimeridian).
    areas: RTree<AreaEntry>,
    /// The area of each area incident, by position.
    area_of: HashMap<u32, AreaExtent>,
    /// Positions by id. The table holds only positions, hashing and comparing through the
    /// records: no copy of a million ids, no million allocations at start.
    by_id: hashbrown::HashTable<u32>,
}

fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(id)
}

impl Base {
    fn build(mut records: Vec<Arc<Incident>>, area_of: &AreaOf) -> Base {
        // Page order: time, then id. Sorting precomputed times keeps id comparisons (and
        // their cost) to the ties.
        let mut order: Vec<(i64, u32)> = records
            .iter()
            .enumerate()
            .map(|(pos, i)| (i.occurred_at.start_ms(), pos as u32))
            .collect();
        order.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| records[a.1 as usize].id.cmp(&records[b.1 as usize].id))
        });
        let mut slots: Vec<Option<Arc<Incident>>> = records.drain(..).map(Some).collect();
        let records: Vec<Arc<Incident>> = order
            .iter()
            .map(|&(_, pos)| slots[pos as usize].take().expect("each position once"))
            .collect();
        drop(slots);

        // The three structures are independent: build them on the available cores.
        let (tree, (by_id, (areas, area_boxes))) = std::thread::scope(|s| {
            let tree = s.spawn(|| {
                let entries: Vec<Entry> = records
                    .iter()
                    .enumerate()
                    .map(|(pos, i)| GeomWithData::new([i.lon, i.lat], pos as u32))
                    .collect();
                RTree::bulk_load(entries)
            });
            let mut by_id = hashbrown::HashTable::with_capacity(records.len());
            for (pos, i) in records.iter().enumerate() {
                by_id.insert_unique(id_hash(&i.id), pos as u32, |&p| {
                    id_hash(&records[p as usize].id)
                });
            }
            let mut area_boxes = HashMap::new();
            let mut area_entries = Vec::new();
            for (pos, i) in records.iter().enumerate() {
                if let Some(a) = area_of(i) {
                    for part in a.bbox.parts() {
                        let r = Rectangle::from_aabb(envelope(&part));
                        area_entries.push(GeomWithData::new(r, pos as u32));
                    }
                    area_boxes.insert(pos as u32, a);
                }
            }
            let tree = tree.join().expect("R-tree build panicked");
            (tree, (by_id, (RTree::bulk_load(area_entries), area_boxes)))
        });
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Base {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            records,
            tree,
            areas,
            area_of: area_boxes,
            by_id,
        }
    }

    /// The position of the record with this id.
    fn position(&self, id: &str) -> Option<u32> {
        self.by_id
            .find(id_hash(id), |&p| self.records[p as usize].id == id)
            .copied()
    }

    /// Positions of the records inside the box, ascending (that is, in page order).
    fn positions_in(&self, b: &Bbox) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for p in b.parts() {
            out.extend(
                self.tree
                    .locate_in_envelope_intersecting(envelope(&p))
                    .map(|e| e.data),
            );
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Space and time covered by the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub bbox: Bbox,
    pub start_ms: i64,
    pub end_ms: i64,
}

/// One page of a query.
#[derive(Debug)]
pub struct Page {
    /// All incidents that match, counted exactly while the page is collected.
    pub matched: usize,
    pub items: Vec<Arc<Incident>>,
}

/// An immutable view of all incidents at one data version.
pub struct Snapshot {
    version: u64,
    base: Arc<Base>,
    area_of: AreaOf,
    /// Changes since the base: `Some` replaces or adds, `None` deletes.
    overlay: HashMap<Box<str>, Option<Arc<Incident>>>,
    len: usize,
    extent: OnceLock<Option<Extent>>,
}

impl Snapshot {
    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Identifies the snapshot's base: equal for snapshots that differ only by their overlay,
    /// so data derived from the base can be cached under it.
    pub fn base_id(&self) -> u64 {
        self.base.id
    }

    /// Every incident of the base, including those the overlay has since replaced or deleted
    /// (see [`Snapshot::overlay_changes`]).
    pub fn base_records(&self) -> impl Iterator<Item = &Arc<Incident>> {
        self.base.records.iter()
    }

    /// Every area incident (region or country precision) of the base with its area, including
    /// those the overlay has since replaced or deleted (see [`Snapshot::for_each_area_change`]).
    pub fn for_each_base_area(&self, mut visit: impl FnMut(&Incident, &AreaExtent)) {
        for (&pos, area) in &self.base.area_of {
            visit(&self.base.records[pos as usize], area);
        }
    }

    /// The overlay's changes to area incidents, each with its area: the base's version it
    /// shadows with sign -1, the current version with sign +1. Base-derived sums plus these
    /// are the snapshot's.
    pub fn for_each_area_change(&self, mut visit: impl FnMut(&Incident, &AreaExtent, f32)) {
        for (id, now) in &self.overlay {
            if let Some(pos) = self.base.position(id)
                && let Some(area) = self.base.area_of.get(&pos)
            {
                visit(&self.base.records[pos as usize], area, -1.0);
            }
            if let Some(i) = now
                && let Some(area) = (self.area_of)(i)
            {
                visit(i, &area, 1.0);
            }
        }
    }

    /// The overlay as changes to the base: (the base record it shadows, if any; the record
    /// now, if any). Base-derived data plus these changes is the snapshot.
    pub fn overlay_changes(
        &self,
    ) -> impl Iterator<Item = (Option<&Arc<Incident>>, Option<&Arc<Incident>>)> {
        self.overlay.iter().map(|(id, now)| {
            let old = self
                .base
                .position(id)
                .map(|p| &self.base.records[p as usize]);
            (old, now.as_ref())
        })
    }

    /// The overlay as changes to the base by position: (the position in [`Snapshot::base_records`]
    /// of the record it shadows, if any; the record now, if any). For derived data indexed by
    /// base position.
    pub fn overlay_positions(&self) -> impl Iterator<Item = (Option<u32>, Option<&Arc<Incident>>)> {
        self.overlay
            .iter()
            .map(|(id, now)| (self.base.position(id), now.as_ref()))
    }

    /// The base record at a position of [`Snapshot::base_records`].
    pub fn base_record(&self, pos: u32) -> &Arc<Incident> {
        &self.base.records[pos as usize]
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Incident>> {
        match self.overlay.get(id) {
            Some(v) => v.as_ref(),
            None => self
                .base
                .position(id)
                .map(|p| &self.base.records[p as usize]),
        }
    }

    fn shadowed(&self, i: &Incident) -> bool {
        !self.overlay.is_empty() && self.overlay.contains_key(i.id.as_str())
    }

    fn overlay_matches<'a>(&'a self, f: &'a Filter) -> impl Iterator<Item = &'a Arc<Incident>> {
        self.overlay.values().flatten().filter(|i| f.matches(i))
    }

    /// Calls `visit` for every incident the filter matches, in no particular order. For
    /// renderers and aggregations that do not page.
    pub fn for_each(&self, f: &Filter, mut visit: impl FnMut(&Incident)) {
        let base = &self.base;
        let mut consider = |i: &Arc<Incident>| {
            if !self.shadowed(i) && f.matches_attributes(i) {
                visit(i);
            }
        };
        match &f.bbox {
            Some(b) => {
                for p in b.parts() {
                    for e in base.tree.locate_in_envelope_intersecting(envelope(&p)) {
                        consider(&base.records[e.data as usize]);
                    }
                }
            }
            None => base.records.iter().for_each(&mut consider),
        }
        for i in self.overlay_matches(f) {
            visit(i);
        }
    }

    /// Calls `visit` with every area incident (region or country precision) the filter's
    /// attributes match whose *area* meets `bbox`, and that area. For heat tiles: the point of
    /// a country-wide incident may be far outside the tile its area covers.
    pub fn for_each_area(
        &self,
        bbox: &Bbox,
        f: &Filter,
        mut visit: impl FnMut(&Incident, &AreaExtent),
    ) {
        let base = &self.base;
        let mut seen: Vec<u32> = Vec::new();
        for p in bbox.parts() {
            seen.extend(
                base.areas
                    .locate_in_envelope_intersecting(envelope(&p))
                    .map(|e| e.data),
            );
        }
        seen.sort_unstable();
        seen.dedup();
        for pos in seen {
            let i = &base.records[pos as usize];
            if !self.shadowed(i) && f.matches_attributes(i) {
                visit(i, &base.area_of[&pos]);
            }
        }
        for i in self.overlay.values().flatten() {
            if !f.matches_attributes(i) {
                continue;
            }
            if let Some(a) = (self.area_of)(i) {
                if a.bbox.meets(bbox) {
                    visit(i, &a);
                }
            }
        }
    }

    /// The page `[offset, offset + limit)` of the incidents the filter matches, in time-then-id
    /// order, with the exact number matched — in one pass.
    pub fn page(&self, f: &Filter, offset: usize, limit: usize) -> Page {
        let base = &self.base;
        let positions: Box<dyn Iterator<Item = u32>> = match &f.bbox {
            Some(b) => Box::new(base.positions_in(b).into_iter()),
            None => Box::new(0..base.records.len() as u32),
        };
        let mut from_base = positions
            .map(|p| &base.records[p as usize])
            .filter(|i| !self.shadowed(i) && f.matches_attributes(i))
            .peekable();
        let mut from_overlay: Vec<&Arc<Incident>> = self.overlay_matches(f).collect();
        from_overlay.sort_by(|a, b| order(a, b));
        let mut from_overlay = from_overlay.into_iter().peekable();

        let mut matched = 0usize;
        let mut items = Vec::with_capacity(limit.min(10_000));
        loop {
            let next = match (from_base.peek(), from_overlay.peek()) {
                (None, None) => break,
                (Some(_), None) => from_base.next(),
                (None, Some(_)) => from_overlay.next(),
                (Some(a), Some(b)) => {
                    if order(a, b) == Ordering::Greater {
                        from_overlay.next()
                    } else {
                        from_base.next()
                    }
                }
            };
            let Some(i) = next else { break };
            if matched >= offset && items.len() < limit {
                items.push(Arc::clone(i));
            }
            matched += 1;
        }
        Page { matched, items }
    }

    /// The page `[offset, offset + limit)` of the incidents the filter matches in the order
    /// `sort` gives (its keys, then the id: a total order, so pages neither repeat nor skip),
    /// with the exact number matched. Only the first `offset + limit` are ordered fully.
    pub fn page_sorted(
        &self,
        f: &Filter,
        sort: &crate::filter::sort::SortBy,
        offset: usize,
        limit: usize,
    ) -> Page {
        if sort.is_empty() {
            return self.page(f, offset, limit);
        }
        let mut all: Vec<&Arc<Incident>> = Vec::new();
        let base = &self.base;
        let positions: Box<dyn Iterator<Item = u32>> = match &f.bbox {
            Some(b) => Box::new(base.positions_in(b).into_iter()),
            None => Box::new(0..base.records.len() as u32),
        };
        all.extend(
            positions
                .map(|p| &base.records[p as usize])
                .filter(|i| !self.shadowed(i) && f.matches_attributes(i)),
        );
        all.extend(self.overlay_matches(f));
        let matched = all.len();
        let cmp = |a: &&Arc<Incident>, b: &&Arc<Incident>| sort.compare(a, b);
        let end = offset.saturating_add(limit).min(matched);
        if end < matched && end > 0 {
            all.select_nth_unstable_by(end - 1, cmp);
            all.truncate(end);
        }
        all.sort_unstable_by(cmp);
        let items = all
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(Arc::clone)
            .collect();
        Page { matched, items }
    }

    /// Space and time the data covers, or `None` when there is none. Computed once per
    /// snapshot, on first use.
    pub fn extent(&self) -> Option<Extent> {
        *self.extent.get_or_init(|| {
            let mut e: Option<Extent> = None;
            self.for_each(&Filter::default(), |i| {
                let (s, t) = (i.occurred_at.start_ms(), i.occurred_at.end_ms());
                e = Some(match e {
                    None => Extent {
                        bbox: Bbox::union_point(None, i.lon, i.lat),
                        start_ms: s,
                        end_ms: t,
                    },
                    Some(x) => Extent {
                        bbox: Bbox::union_point(Some(x.bbox), i.lon, i.lat),
                        start_ms: x.start_ms.min(s),
                        end_ms: x.end_ms.max(t),
                    },
                });
            });
            e
        })
    }
}

/// The live index. Cheap to read from any thread; written by one writer at a time (the
/// caller serializes writes, see [`crate::app`]).
pub struct Index {
    current: ArcSwap<Snapshot>,
    area_of: AreaOf,
    admin1_of: Option<Admin1Of>,
}

impl Index {
    /// An index that derives no region for its incidents (tests and benches of the geometry).
    pub fn new(incidents: Vec<Incident>, version: u64, area_of: AreaOf) -> Index {
        Index::deriving(incidents, version, area_of, None)
    }

    /// An index that fills in each incident's region with `admin1_of` as it enters.
    pub fn deriving(
        mut incidents: Vec<Incident>,
        version: u64,
        area_of: AreaOf,
        admin1_of: Option<Admin1Of>,
    ) -> Index {
        derive(&mut incidents, admin1_of.as_ref());
        let base = Base::build(incidents.into_iter().map(Arc::new).collect(), &area_of);
        let len = base.records.len();
        Index {
            admin1_of,
            area_of: Arc::clone(&area_of),
            current: ArcSwap::from_pointee(Snapshot {
                version,
                area_of,
                base: Arc::new(base),
                overlay: HashMap::new(),
                len,
                extent: OnceLock::new(),
            }),
        }
    }

    /// The current snapshot; hold it for the whole of a request so every part of the answer
    /// comes from one data version.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Replaces everything with `incidents` as data version `version` (a shared store that was
    /// restored or replaced). The same single-writer rule as [`Index::apply`] holds.
    pub fn replace(&self, mut incidents: Vec<Incident>, version: u64) {
        derive(&mut incidents, self.admin1_of.as_ref());
        let base = Base::build(incidents.into_iter().map(Arc::new).collect(), &self.area_of);
        let len = base.records.len();
        self.current.store(Arc::new(Snapshot {
            version,
            area_of: Arc::clone(&self.area_of),
            base: Arc::new(base),
            overlay: HashMap::new(),
            len,
            extent: OnceLock::new(),
        }));
    }

    /// Publishes the changes as data version `version`. Callers must not run two `apply`s at
    /// once (the writer lock in [`crate::app::App`] sees to it).
    pub fn apply(&self, changes: Vec<Change>, version: u64) {
        let old = self.current.load_full();
        let mut overlay = old.overlay.clone();
        let mut len = old.len;
        for c in changes {
            let was = old_or_new(&old, &overlay, c.id()).is_some();
            let (id, now) = match c {
                Change::Put(mut i) => {
                    if let Some(f) = &self.admin1_of {
                        i.admin1 = f(&i);
                    }
                    (i.id.clone(), Some(Arc::new(i)))
                }
                Change::Delete(id) => (id, None),
            };
            let in_base = old.base.position(&id).is_some();
            match (&now, in_base) {
                // Deleting something the base never had: forget it entirely.
                (None, false) => {
                    overlay.remove(id.as_str());
                }
                _ => {
                    overlay.insert(id.into(), now.clone());
                }
            }
            len = len + now.is_some() as usize - was as usize;
        }
        let snapshot = if overlay.len() > overlay_limit(old.base.records.len()) {
            let mut records: Vec<Arc<Incident>> = old
                .base
                .records
                .iter()
                .filter(|i| !overlay.contains_key(i.id.as_str()))
                .cloned()
                .collect();
            records.extend(overlay.into_values().flatten());
            let base = Base::build(records, &self.area_of);
            Snapshot {
                version,
                area_of: Arc::clone(&self.area_of),
                len: base.records.len(),
                base: Arc::new(base),
                overlay: HashMap::new(),
                extent: OnceLock::new(),
            }
        } else {
            Snapshot {
                version,
                area_of: Arc::clone(&self.area_of),
                base: Arc::clone(&old.base),
                overlay,
                len,
                extent: OnceLock::new(),
            }
        };
        self.current.store(Arc::new(snapshot));
    }
}

fn old_or_new<'a>(
    old: &'a Snapshot,
    overlay: &'a HashMap<Box<str>, Option<Arc<Incident>>>,
    id: &str,
) -> Option<&'a Arc<Incident>> {
    match overlay.get(id) {
        Some(v) => v.as_ref(),
        None => old.base.position(id).map(|p| &old.base.records[p as usize]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, OccurredAt, Precision};
    use proptest::prelude::*;

    fn inc(id: u32, lon: f64, lat: f64, day: u32) -> Incident {
        Incident {
            id: format!("i{id}"),
            lon,
            lat,
            occurred_at: OccurredAt::parse(&format!("2022-01-{:02}", day % 28 + 1)).unwrap(),
            category: if id % 2 == 0 {
                Category::Protest
            } else {
                Category::Riot
            },
            fatalities: Some(id % 5),
            injured: None,
            arrested: None,
            place: None,
            place_id: None,
            precision: Precision::Exact,
            source: None,
            notes: None,
            status: Default::default(),
            report_id: None,
            admin1: None,
        }
    }

    /// The reference answer: filter and sort a plain list.
    fn naive(all: &[Incident], f: &Filter) -> Vec<String> {
        let mut v: Vec<&Incident> = all.iter().filter(|i| f.matches(i)).collect();
        v.sort_by(|a, b| order(a, b));
        v.into_iter().map(|i| i.id.clone()).collect()
    }

    fn no_areas() -> AreaOf {
        Arc::new(|_| None)
    }

    fn ids(p: &Page) -> Vec<String> {
        p.items.iter().map(|i| i.id.clone()).collect()
    }

    #[test]
    fn antimeridian_boxes_find_both_sides() {
        let idx = Index::new(
            vec![
                inc(1, 179.5, 0.0, 1),
                inc(2, -179.5, 0.0, 1),
                inc(3, 0.0, 0.0, 1),
            ],
            1,
            no_areas(),
        );
        let f = Filter {
            bbox: Some(Bbox::parse("179,-1,-179,1").unwrap()),
            ..Default::default()
        };
        let p = idx.snapshot().page(&f, 0, 10);
        assert_eq!(p.matched, 2);
    }

    #[test]
    fn readers_keep_their_snapshot_while_writers_move_on() {
        let idx = Index::new(vec![inc(1, 1.0, 1.0, 1)], 1, no_areas());
        let before = idx.snapshot();
        idx.apply(vec![Change::Delete("i1".into())], 2);
        assert_eq!(before.len(), 1);
        assert!(before.get("i1").is_some());
        let after = idx.snapshot();
        assert_eq!((after.len(), after.version()), (0, 2));
        assert!(after.get("i1").is_none());
    }

    #[test]
    fn area_incidents_are_found_by_their_area() {
        let mut country = inc(1, 68.0, 48.0, 1);
        country.precision = Precision::Country;
        let area: AreaOf = Arc::new(|i: &Incident| {
            (i.precision == Precision::Country)
                .then(|| AreaExtent::boxed(Bbox::new(46.0, 40.0, 87.0, 55.0).unwrap()))
        });
        let idx = Index::new(vec![country.clone(), inc(2, 76.9, 43.2, 1)], 1, area);
        let almaty = Bbox::new(76.0, 43.0, 77.5, 43.5).unwrap();
        let mut found = vec![];
        idx.snapshot()
            .for_each_area(&almaty, &Filter::default(), |i, _| found.push(i.id.clone()));
        assert_eq!(found, vec!["i1"]);
        // the same through the overlay
        country.id = "i3".into();
        idx.apply(vec![Change::Put(country)], 2);
        let mut found = vec![];
        idx.snapshot()
            .for_each_area(&almaty, &Filter::default(), |i, _| found.push(i.id.clone()));
        found.sort();
        assert_eq!(found, vec!["i1", "i3"]);
    }

    #[test]
    fn extent_covers_space_and_time() {
        let idx = Index::new(
            vec![inc(1, 10.0, 20.0, 0), inc(2, -5.0, 40.0, 9)],
            1,
            no_areas(),
        );
        let e = idx.snapshot().extent().unwrap();
        assert_eq!(
            (e.bbox.west, e.bbox.south, e.bbox.east, e.bbox.north),
            (-5.0, 20.0, 10.0, 40.0)
        );
        assert!(e.end_ms > e.start_ms);
        assert!(
            Index::new(vec![], 0, no_areas())
                .snapshot()
                .extent()
                .is_none()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Whatever sequence of writes (enough to force compactions), every page equals the
        /// plain filter-and-sort answer.
        #[test]
        fn pages_match_a_naive_scan(
            seed in proptest::collection::vec((0u32..3000, -180.0f64..180.0, -80.0f64..80.0, 0u32..60), 0..400),
            writes in proptest::collection::vec((0u32..3000, -180.0f64..180.0, -80.0f64..80.0, 0u32..60, any::<bool>()), 0..1500),
            w in -180.0f64..180.0, e in -180.0f64..180.0, s in -80.0f64..0.0, n in 0.0f64..80.0,
            offset in 0usize..50, limit in 1usize..50, cat in any::<bool>(),
        ) {
            let mut truth: std::collections::BTreeMap<String, Incident> = Default::default();
            let first: Vec<Incident> = seed.iter().map(|&(id, x, y, d)| inc(id, x, y, d)).collect();
            for i in &first { truth.insert(i.id.clone(), i.clone()); }
            let idx = Index::new(truth.values().cloned().collect(), 0, no_areas());
            for (k, chunk) in writes.chunks(7).enumerate() {
                let changes: Vec<Change> = chunk.iter().map(|&(id, x, y, d, del)| {
                    if del { truth.remove(&format!("i{id}")); Change::Delete(format!("i{id}")) }
                    else { let i = inc(id, x, y, d); truth.insert(i.id.clone(), i.clone()); Change::Put(i) }
                }).collect();
                idx.apply(changes, k as u64 + 1);
            }
            let all: Vec<Incident> = truth.values().cloned().collect();
            let snap = idx.snapshot();
            prop_assert_eq!(snap.len(), all.len());
            let f = Filter {
                bbox: Some(Bbox::new(w, s, e, n).unwrap()),
                categories: cat.then(|| [Category::Protest].into_iter().collect()),
                ..Default::default()
            };
            for f in [f, Filter::default()] {
                let want = naive(&all, &f);
                let page = snap.page(&f, offset, limit);
                prop_assert_eq!(page.matched, want.len());
                let end = (offset + limit).min(want.len());
                let expected: Vec<String> = if offset < want.len() { want[offset..end].to_vec() } else { vec![] };
                prop_assert_eq!(ids(&page), expected);
                let mut seen = 0;
                snap.for_each(&f, |_| seen += 1);
                prop_assert_eq!(seen, want.len());
            }
        }
    }
}
