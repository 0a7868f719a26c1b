//! Server-side clusters for vector tiles: the incidents of a tile grouped on a grid of 8×8
//! cells per tile, answered from sums over the incidents in Morton order.
//!
//! Why a grid aligned with the tiles rather than supercluster's radius search:
//! - every cell lies in exactly one tile, so every incident is in exactly one feature of one
//!   tile at every zoom, and the counts of a zoom add up to the number matched;
//! - the cells of zoom z+1 nest in those of zoom z, so a cluster's members stay together until
//!   the first zoom at which they fall into two cells: its `expansion_zoom`, read off the
//!   Morton codes of its first and last member without looking at the others;
//! - a tile needs nothing from its neighbours, and a cell is a contiguous range of the sorted
//!   codes, so an unfiltered tile costs two binary searches per cell whatever the data size.
//!
//! A cell with one matching incident gives that incident as a point; a cell with more gives a
//! cluster. A tile therefore never holds more than [`FEATURE_BUDGET`] features.
//!
//! Filters on time, category, precision and counts are checked on packed columns in Morton
//! order (no record is touched); other filters (place, CQL2) read the records of the tile.

use std::sync::Arc;

use super::mercator::{TileId, world_px};
use crate::filter::Filter;
use crate::model::{Category, Incident};
use crate::spatial::Snapshot;

/// Cells per tile side, as a power of two: 8×8 cells, each 32 px of a 256-px tile (64 px as
/// MapLibre draws vector tiles at 512 px), about supercluster's default radius.
pub const CELL_BITS: u8 = 3;
/// The most features a tile holds: one per cell.
pub const FEATURE_BUDGET: usize = 1 << (2 * CELL_BITS);
/// The deepest zoom served; clients overzoom beyond it.
pub const MAX_ZOOM: u8 = 16;
/// Bits per axis of the codes: world pixels of a 256-px tile at [`MAX_ZOOM`], finer than any
/// cell (`MAX_ZOOM + CELL_BITS ≤ LEVEL`).
const LEVEL: u8 = 24;
/// Points per block of the prefix sums of all incidents: a range costs two block sums and at
/// most two partial blocks read point by point — 1/32 of the memory of a sum per point.
const BLOCK: usize = 32;
/// The same for the runs by (category, period): their cells hold few incidents, so their
/// blocks are short, or every cell would be read point by point and cost would follow the data.
const PERIOD_BLOCK: usize = 4;
/// The time levels of the runs by (category, period), coarsest first: weeks, days, hours.
/// Each divides the one before, so a part's finer parts are a contiguous range of the next
/// level's.
const PERIODS_MS: [i64; 3] = [WEEK_MS, DAY_MS, HOUR_MS];
/// A part the window covers only in part is read point by point when the tile holds at most
/// this many of its incidents; beyond, through the next level's parts. Each finer part costs
/// two binary searches, which only pays when there are many incidents to skip.
const SCAN_ROWS: usize = 64;
const CATEGORIES: usize = Category::ALL.len();
/// `None` of a count column.
const NONE: u32 = u32::MAX;

/// What a cluster reports of its members.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    pub count: u32,
    pub fatalities: u64,
    pub injured: u64,
    pub arrested: u64,
    /// Members located only to a region or a country.
    pub area: u32,
    /// Members per category, in [`Category::ALL`] order.
    pub by_category: [u32; CATEGORIES],
    /// Sums of the members' codes' x and y (world pixels at [`LEVEL`]), for their centre.
    x: u64,
    y: u64,
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.count += o.count;
        self.fatalities += o.fatalities;
        self.injured += o.injured;
        self.arrested += o.arrested;
        self.area += o.area;
        for (a, b) in self.by_category.iter_mut().zip(o.by_category) {
            *a += b;
        }
        self.x += o.x;
        self.y += o.y;
    }

    fn minus(mut self, o: &Sums) -> Sums {
        self.count -= o.count;
        self.fatalities -= o.fatalities;
        self.injured -= o.injured;
        self.arrested -= o.arrested;
        self.area -= o.area;
        for (a, b) in self.by_category.iter_mut().zip(o.by_category) {
            *a -= b;
        }
        self.x -= o.x;
        self.y -= o.y;
        self
    }

    fn add_member(&mut self, m: &Member) {
        self.count += 1;
        self.fatalities += m.fatalities as u64;
        self.injured += m.injured as u64;
        self.arrested += m.arrested as u64;
        self.area += m.area as u32;
        self.by_category[m.class as usize] += 1;
        let (x, y) = decode(m.code);
        self.x += x as u64;
        self.y += y as u64;
    }
}

/// One incident as the sums see it.
struct Member {
    code: u64,
    class: u8,
    area: bool,
    fatalities: u32,
    injured: u32,
    arrested: u32,
}

impl Member {
    fn of(i: &Incident) -> Member {
        Row::of(0, i).member()
    }
}

/// The Morton code of a point at [`LEVEL`] (latitudes beyond Web Mercator's clamp to its
/// edge, so every incident is in some tile).
fn code_of(lon: f64, lat: f64) -> u64 {
    let (x, y) = world_px(lon, lat, LEVEL - 8, 256);
    let max = ((1u64 << LEVEL) - 1) as f64;
    let clamp = |v: f64| {
        if v.is_nan() {
            0
        } else {
            v.clamp(0.0, max) as u32
        }
    };
    super::morton::encode(clamp(x), clamp(y))
}

fn decode(code: u64) -> (u32, u32) {
    super::morton::decode(code)
}

/// Incidents as packed columns with block sums: all of a base's incidents in Morton order, or
/// a time level's, in Morton order within each (category, period) part.
struct Run {
    codes: Vec<u64>,
    /// Position of each in [`Snapshot::base_records`].
    pos: Vec<u32>,
    start: Vec<i64>,
    end: Vec<i64>,
    class: Vec<u8>,
    precision: Vec<u8>,
    /// Counts, [`NONE`] when not reported.
    fatalities: Vec<u32>,
    injured: Vec<u32>,
    arrested: Vec<u32>,
    /// `blocks[k]`: the sums of the first `k · block` incidents.
    blocks: Vec<Sums>,
    block: usize,
}

/// The vector tiles' index of a snapshot's base.
///
/// Unfiltered tiles read `all`. Tiles filtered by time and category read, for each chosen
/// category, the parts of the weeks a window covers whole through their block sums; a week it
/// covers in part through its days, and a day in part through its hours, the same way; only
/// the (at most two) hours it covers in part are read point by point, or a part of which the
/// tile holds few incidents ([`SCAN_ROWS`]). So their cost follows the number of periods and
/// cells, hardly the number of incidents. Other filters scan `all` within the tile.
pub struct ClusterIndex {
    all: Run,
    /// Rank in `all` by base position, to find the records an overlay shadows.
    rank: Vec<u32>,
    /// The rows by (category, period) at each of [`PERIODS_MS`].
    levels: Vec<Level>,
    /// [`SCAN_ROWS`], or another threshold in tests.
    scan_rows: usize,
}

/// The rows sorted by (category, period, code), and the parts that key splits them into.
struct Level {
    period_ms: i64,
    run: Run,
    parts: Vec<Part>,
}

/// A category's incidents in one period: ranks `[from, to)` of its level's run.
struct Part {
    class: u8,
    /// The period's number (since 1970-01-01).
    period: i64,
    /// The first start and the last end of its incidents.
    first_ms: i64,
    last_ms: i64,
    from: usize,
    to: usize,
}

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
const WEEK_MS: i64 = 7 * DAY_MS;

impl Level {
    /// The level of `period_ms`; `rows` must be sorted by (category, period, code).
    fn build(rows: &[Row], period_ms: i64) -> Level {
        let key = |r: &Row| (r.class, r.start.div_euclid(period_ms));
        let mut from = 0;
        let parts = rows
            .chunk_by(|a, b| key(a) == key(b))
            .map(|group| {
                let part = Part {
                    class: group[0].class,
                    period: key(&group[0]).1,
                    first_ms: group.iter().map(|r| r.start).min().unwrap_or(0),
                    last_ms: group.iter().map(|r| r.end).max().unwrap_or(0),
                    from,
                    to: from + group.len(),
                };
                from = part.to;
                part
            })
            .collect();
        Level {
            period_ms,
            run: Run::build(rows, PERIOD_BLOCK),
            parts,
        }
    }

    fn heap_bytes(&self) -> usize {
        self.run.heap_bytes() + self.parts.capacity() * std::mem::size_of::<Part>()
    }
}

/// What a filtered tile asks of the levels' parts.
struct Window<'q> {
    /// The window, inclusive, in ms.
    from: i64,
    to: i64,
    q: &'q Columns,
    filter: &'q Filter,
    /// The tile's codes, `[lo, hi)`.
    codes: (u64, u64),
    cell_shift: u32,
}

impl Window<'_> {
    /// Whether the window holds every incident of the part.
    fn covers(&self, p: &Part) -> bool {
        self.from <= p.first_ms && p.last_ms <= self.to
    }

    /// Whether the part may hold matching incidents.
    fn wants(&self, p: &Part) -> bool {
        self.q.classes >> p.class & 1 == 1 && self.from <= p.last_ms && p.first_ms <= self.to
    }
}

/// A feature of a vector tile.
#[derive(Debug, Clone)]
pub enum Feature<'a> {
    /// A cell's only matching incident.
    Point(&'a Arc<Incident>),
    Cluster(Cluster),
}

/// A cell's matching incidents, when there are two or more.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Unique among the clusters of all zooms: the cell's code and its zoom.
    pub id: u64,
    pub sums: Sums,
    /// The members' centre, in world pixels of a 256-px tile at zoom `MAX_ZOOM`.
    pub centre: (f64, f64),
    /// The first zoom at which the members are no longer one feature; `None` when they never
    /// part up to [`MAX_ZOOM`] (reported at one spot, say a city's centre).
    pub expansion_zoom: Option<u8>,
}

/// A cell's running totals while a tile is built.
struct Cell<'a> {
    code: u64,
    sums: Sums,
    first: u64,
    last: u64,
    /// The member when there is exactly one.
    single: Option<&'a Arc<Incident>>,
}

impl Cell<'_> {
    fn new(code: u64) -> Self {
        Cell {
            code,
            sums: Sums::default(),
            first: u64::MAX,
            last: 0,
            single: None,
        }
    }
}

impl<'a> Cell<'a> {
    /// Adds a range of members at once: their sums, first and last code, and the record when
    /// the range holds exactly one.
    fn merge(&mut self, sums: &Sums, first: u64, last: u64, one: Option<&'a Arc<Incident>>) {
        let was = self.sums.count;
        self.sums.add(sums);
        self.first = self.first.min(first);
        self.last = self.last.max(last);
        self.single = match (was, sums.count) {
            (0, 1) => one,
            (_, 0) => self.single,
            _ => None,
        };
    }

    fn add(&mut self, m: &Member, record: &'a Arc<Incident>) {
        self.sums.add_member(m);
        self.first = self.first.min(m.code);
        self.last = self.last.max(m.code);
        self.single = (self.sums.count == 1).then_some(record);
    }
}

/// The first zoom, after `z`, at which incidents with Morton codes `first` and `last` (in one
/// cell of zoom `z`) fall into different cells.
fn expansion_zoom(first: u64, last: u64) -> Option<u8> {
    let diff = first ^ last;
    if diff == 0 {
        return None;
    }
    // The highest differing bit pair is the first level at which they part.
    let pair = (63 - diff.leading_zeros()) / 2;
    let shared = LEVEL as u32 - 1 - pair;
    // Cells of zoom z are level z + CELL_BITS: they part at the zoom whose cells are one
    // level below the deepest they share.
    let z = (shared + 1).checked_sub(CELL_BITS as u32)? as u8;
    (z <= MAX_ZOOM).then_some(z)
}

/// One incident as the runs store it, read once from its record.
#[derive(Clone, Copy)]
struct Row {
    code: u64,
    pos: u32,
    start: i64,
    end: i64,
    class: u8,
    precision: u8,
    fatalities: u32,
    injured: u32,
    arrested: u32,
}

impl Row {
    /// What the sums count of it (unreported counts add nothing).
    fn member(&self) -> Member {
        let count = |v: u32| if v == NONE { 0 } else { v };
        Member {
            code: self.code,
            class: self.class,
            area: crate::model::Precision::ALL
                .get(self.precision as usize)
                .is_some_and(|p| p.is_area()),
            fatalities: count(self.fatalities),
            injured: count(self.injured),
            arrested: count(self.arrested),
        }
    }

    fn of(pos: u32, i: &Incident) -> Row {
        let opt = |v: Option<u32>| v.map_or(NONE, |v| v.min(NONE - 1));
        Row {
            code: code_of(i.lon, i.lat),
            pos,
            start: i.occurred_at.start_ms(),
            end: i.occurred_at.end_ms(),
            class: i.category as u8,
            precision: i.precision as u8,
            fatalities: opt(i.fatalities),
            injured: opt(i.injured),
            arrested: opt(i.arrested),
        }
    }
}

impl Run {
    /// The run of these rows, sorted by code, with a block sum every `block` rows.
    fn build(rows: &[Row], block: usize) -> Run {
        let n = rows.len();
        let mut run = Run {
            codes: Vec::with_capacity(n),
            pos: Vec::with_capacity(n),
            start: Vec::with_capacity(n),
            end: Vec::with_capacity(n),
            class: Vec::with_capacity(n),
            precision: Vec::with_capacity(n),
            fatalities: Vec::with_capacity(n),
            injured: Vec::with_capacity(n),
            arrested: Vec::with_capacity(n),
            blocks: Vec::with_capacity(n / block + 1),
            block,
        };
        let mut running = Sums::default();
        for (k, r) in rows.iter().enumerate() {
            if k % block == 0 {
                run.blocks.push(running);
            }
            run.codes.push(r.code);
            run.pos.push(r.pos);
            run.start.push(r.start);
            run.end.push(r.end);
            run.class.push(r.class);
            run.precision.push(r.precision);
            run.fatalities.push(r.fatalities);
            run.injured.push(r.injured);
            run.arrested.push(r.arrested);
            running.add_member(&r.member());
        }
        if n % block == 0 {
            run.blocks.push(running);
        }
        run
    }

    fn heap_bytes(&self) -> usize {
        self.codes.capacity() * 8
            + self.pos.capacity() * 4
            + (self.start.capacity() + self.end.capacity()) * 8
            + self.class.capacity()
            + self.precision.capacity()
            + (self.fatalities.capacity() + self.injured.capacity() + self.arrested.capacity()) * 4
            + self.blocks.capacity() * std::mem::size_of::<Sums>()
    }

    fn member(&self, k: usize) -> Member {
        Row {
            code: self.codes[k],
            pos: self.pos[k],
            start: self.start[k],
            end: self.end[k],
            class: self.class[k],
            precision: self.precision[k],
            fatalities: self.fatalities[k],
            injured: self.injured[k],
            arrested: self.arrested[k],
        }
        .member()
    }

    /// The sums of the incidents at ranks `[a, b)`.
    fn sums(&self, a: usize, b: usize) -> Sums {
        let mut s = Sums::default();
        let block = self.block;
        let (ka, kb) = (a.div_ceil(block), b / block);
        if ka >= kb {
            (a..b).for_each(|k| s.add_member(&self.member(k)));
            return s;
        }
        s = self.blocks[kb].minus(&self.blocks[ka]);
        (a..ka * block).for_each(|k| s.add_member(&self.member(k)));
        (kb * block..b).for_each(|k| s.add_member(&self.member(k)));
        s
    }

    /// The first rank in `[from, to)` whose code is ≥ `code` (`to` if none).
    fn seek(&self, from: usize, to: usize, code: u64) -> usize {
        from + self.codes[from..to].partition_point(|&c| c < code)
    }

    /// [`Run::seek`] for a code likely near `from`: steps of 1, 2, 4, … then a binary search
    /// in the last step, so a cell of k incidents costs about log k reads, close together,
    /// instead of log of the whole range.
    fn gallop(&self, from: usize, to: usize, code: u64) -> usize {
        let (mut lo, mut step) = (from, 1);
        while lo + step < to && self.codes[lo + step] < code {
            lo += step;
            step *= 2;
        }
        // codes[lo] < code (or lo = from) and codes[lo + step] ≥ code (or beyond `to`)
        self.seek(lo, (lo + step + 1).min(to), code)
    }

    /// The ranks within `[from, to)` of a tile's codes `[lo, hi)`.
    fn range(&self, (from, to): (usize, usize), (lo, hi): (u64, u64)) -> (usize, usize) {
        let a = self.seek(from, to, lo);
        (a, self.seek(a, to, hi))
    }

    /// Whether the incident at rank `k` matches the filter's columns.
    fn matches(&self, k: usize, q: &Columns) -> bool {
        let at_least = |v: u32, min: Option<u32>| min.is_none_or(|m| v != NONE && v >= m);
        q.time
            .is_none_or(|t| t.overlaps(self.start[k], self.end[k]))
            && q.classes >> self.class[k] & 1 == 1
            && q.precisions >> self.precision[k] & 1 == 1
            && at_least(self.fatalities[k], q.min_fatalities)
            && at_least(self.injured[k], q.min_injured)
            && at_least(self.arrested[k], q.min_arrested)
    }

    /// Adds the ranks `[lo, hi)` cell by cell, each cell whole from the block sums.
    fn add_whole<'a>(
        &self,
        snap: &'a Snapshot,
        (lo, hi): (usize, usize),
        cell_shift: u32,
        cells: &mut Cells<'a>,
    ) {
        let mut i = lo;
        while i < hi {
            let code = self.codes[i] >> cell_shift;
            let j = self.gallop(i, hi, (code + 1) << cell_shift);
            let one = (j - i == 1).then(|| snap.base_record(self.pos[i]));
            cells
                .at(code)
                .merge(&self.sums(i, j), self.codes[i], self.codes[j - 1], one);
            i = j;
        }
    }

    /// Adds the ranks `[lo, hi)` that match the filter, one by one, skipping the ranks in
    /// `shadowed` (sorted).
    #[allow(clippy::too_many_arguments)]
    fn add_matching<'a>(
        &self,
        snap: &'a Snapshot,
        (lo, hi): (usize, usize),
        cell_shift: u32,
        q: &Columns,
        filter: &Filter,
        shadowed: &[usize],
        cells: &mut Cells<'a>,
    ) {
        let mut s = 0;
        for k in lo..hi {
            while s < shadowed.len() && shadowed[s] < k {
                s += 1;
            }
            if s < shadowed.len() && shadowed[s] == k {
                continue;
            }
            if !self.matches(k, q) {
                continue;
            }
            let record = snap.base_record(self.pos[k]);
            if q.records && !filter.matches_attributes(record) {
                continue;
            }
            cells
                .at(self.codes[k] >> cell_shift)
                .add(&self.member(k), record);
        }
    }
}

/// A tile's cells, in code order.
struct Cells<'a>(Vec<Cell<'a>>);

impl<'a> Cells<'a> {
    fn at(&mut self, code: u64) -> &mut Cell<'a> {
        // Runs add their cells in code order: the last cell is the usual answer.
        let v = &mut self.0;
        let at = match v.last() {
            Some(c) if c.code == code => v.len() - 1,
            Some(c) if c.code < code => {
                v.push(Cell::new(code));
                v.len() - 1
            }
            None => {
                v.push(Cell::new(code));
                0
            }
            _ => {
                let at = v.partition_point(|c| c.code < code);
                if v[at].code != code {
                    v.insert(at, Cell::new(code));
                }
                at
            }
        };
        &mut v[at]
    }
}

impl ClusterIndex {
    pub fn build(snap: &Snapshot) -> ClusterIndex {
        Self::build_scanning(snap, SCAN_ROWS)
    }

    fn build_scanning(snap: &Snapshot, scan_rows: usize) -> ClusterIndex {
        let mut rows: Vec<Row> = snap
            .base_records()
            .enumerate()
            .map(|(p, i)| Row::of(p as u32, i))
            .collect();
        rows.sort_unstable_by_key(|r| (r.code, r.pos));
        let all = Run::build(&rows, BLOCK);
        let mut rank = vec![0u32; rows.len()];
        for (k, r) in rows.iter().enumerate() {
            rank[r.pos as usize] = k as u32;
        }
        // The same rows by (category, period) at each level, codes ascending within each.
        let levels = PERIODS_MS
            .iter()
            .map(|&len| {
                rows.sort_unstable_by_key(|r| (r.class, r.start.div_euclid(len), r.code, r.pos));
                Level::build(&rows, len)
            })
            .collect();
        ClusterIndex {
            all,
            rank,
            levels,
            scan_rows,
        }
    }

    /// Bytes held, for the memory report.
    pub fn heap_bytes(&self) -> usize {
        self.all.heap_bytes()
            + self.rank.capacity() * 4
            + self.levels.iter().map(Level::heap_bytes).sum::<usize>()
    }

    /// Adds the matching incidents of a part of `level` in the tile: all of them from the
    /// block sums when the window covers the part, else through the next level's parts, or
    /// one by one at the finest level or when the tile holds few of them.
    fn add_part<'a>(
        &self,
        snap: &'a Snapshot,
        level: usize,
        p: &Part,
        w: &Window,
        cells: &mut Cells<'a>,
    ) {
        let here = &self.levels[level];
        let range = here.run.range((p.from, p.to), w.codes);
        if range.0 == range.1 {
            return;
        }
        if w.covers(p) {
            return here.run.add_whole(snap, range, w.cell_shift, cells);
        }
        let finer = self.levels.get(level + 1);
        let Some(finer) = finer.filter(|_| range.1 - range.0 > self.scan_rows) else {
            return here
                .run
                .add_matching(snap, range, w.cell_shift, w.q, w.filter, &[], cells);
        };
        let k = here.period_ms / finer.period_ms;
        let first = (p.class, p.period * k);
        let at = finer.parts.partition_point(|d| (d.class, d.period) < first);
        let inside = finer.parts[at..]
            .iter()
            .take_while(|d| d.class == p.class && d.period < (p.period + 1) * k);
        for d in inside.filter(|d| w.wants(d)) {
            self.add_part(snap, level + 1, d, w, cells);
        }
    }

    /// The features of a tile: a point per cell with one matching incident, a cluster per
    /// cell with more, in Morton order of their cells. Tiles beyond [`MAX_ZOOM`] are empty
    /// (clients overzoom). The filter's box is not used: the tile is the box.
    pub fn tile<'a>(&self, snap: &'a Snapshot, filter: &Filter, t: TileId) -> Vec<Feature<'a>> {
        if t.z > MAX_ZOOM {
            return Vec::new();
        }
        let tile_shift = 2 * (LEVEL - t.z) as u32;
        let cell_shift = tile_shift - 2 * CELL_BITS as u32;
        let tile_code = super::morton::encode(t.x, t.y);
        let codes = (tile_code << tile_shift, (tile_code + 1) << tile_shift);
        let (lo, hi) = self.all.range((0, self.all.codes.len()), codes);
        // Base records the overlay has replaced or deleted, by rank, and the overlay's
        // records in this tile.
        let mut shadowed: Vec<usize> = Vec::new();
        let mut added: Vec<(Member, &Arc<Incident>)> = Vec::new();
        for (old, now) in snap.overlay_positions() {
            if let Some(p) = old {
                let k = self.rank[p as usize] as usize;
                if (lo..hi).contains(&k) {
                    shadowed.push(k);
                }
            }
            if let Some(i) = now.filter(|i| filter.matches_attributes(i)) {
                let m = Member::of(i);
                if m.code >> tile_shift == tile_code {
                    added.push((m, i));
                }
            }
        }
        shadowed.sort_unstable();
        let q = Columns::of(filter);
        let mut cells = Cells(Vec::new());
        if q.all && shadowed.is_empty() {
            self.all.add_whole(snap, (lo, hi), cell_shift, &mut cells);
        } else if q.by_periods && shadowed.is_empty() {
            let window = q.time.unwrap_or_default();
            let w = Window {
                from: window.start.unwrap_or(i64::MIN),
                to: window.end.unwrap_or(i64::MAX),
                q: &q,
                filter,
                codes,
                cell_shift,
            };
            for p in self.levels[0].parts.iter().filter(|p| w.wants(p)) {
                self.add_part(snap, 0, p, &w, &mut cells);
            }
        } else {
            self.all.add_matching(
                snap,
                (lo, hi),
                cell_shift,
                &q,
                filter,
                &shadowed,
                &mut cells,
            );
        }
        for (m, record) in &added {
            cells.at(m.code >> cell_shift).add(m, record);
        }
        let zoom_bits = t.z as u64;
        cells
            .0
            .into_iter()
            .map(|c| match c.single {
                Some(i) if c.sums.count == 1 => Feature::Point(i),
                _ => {
                    let n = c.sums.count as f64;
                    let scale = (1u64 << (LEVEL - 8 - MAX_ZOOM)) as f64;
                    Feature::Cluster(Cluster {
                        id: (c.code << 5) | zoom_bits,
                        // +0.5: the centre of the member's pixel
                        centre: (
                            (c.sums.x as f64 / n + 0.5) / scale,
                            (c.sums.y as f64 / n + 0.5) / scale,
                        ),
                        expansion_zoom: expansion_zoom(c.first, c.last),
                        sums: c.sums,
                    })
                }
            })
            .collect()
    }
}

/// A filter as the packed columns check it.
struct Columns {
    /// Nothing to check: every incident matches.
    all: bool,
    /// Only time and categories: the levels' parts answer.
    by_periods: bool,
    /// Checks the columns cannot make (place, CQL2): read the record.
    records: bool,
    time: Option<crate::filter::TimeRange>,
    classes: u16,
    precisions: u8,
    min_fatalities: Option<u32>,
    min_injured: Option<u32>,
    min_arrested: Option<u32>,
}

impl Columns {
    fn of(f: &Filter) -> Columns {
        Columns {
            all: !f.has_attributes(),
            by_periods: !Filter {
                time: None,
                categories: None,
                bbox: None,
                ..f.clone()
            }
            .has_attributes(),
            records: f.needs_records(),
            time: f.time,
            classes: f.categories.map_or(u16::MAX, |c| c.bits()),
            precisions: f.precisions.map_or(u8::MAX, |p| p.bits()),
            min_fatalities: f.min_fatalities,
            min_injured: f.min_injured,
            min_arrested: f.min_arrested,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OccurredAt, Precision};
    use crate::spatial::Index;
    use proptest::prelude::*;

    /// An incident at minute `minute` since 1970 (or on its day, with `minute` < 0).
    fn incident(n: usize, lon: f64, lat: f64, class: usize, minute: i64) -> Incident {
        let at = |m: i64| time::OffsetDateTime::from_unix_timestamp(m * 60).unwrap();
        Incident {
            id: format!("i{n}"),
            lon,
            lat,
            occurred_at: if minute < 0 {
                OccurredAt::Date(at(-minute).date())
            } else {
                OccurredAt::Instant(at(minute))
            },
            category: Category::ALL[class % CATEGORIES],
            fatalities: (n % 3 == 0).then_some(n as u32 % 7),
            injured: None,
            arrested: (n % 2 == 0).then_some(1),
            place: None,
            place_id: None,
            precision: if n % 5 == 0 {
                Precision::Region
            } else {
                Precision::Exact
            },
            source: None,
            notes: None,
            status: Default::default(),
            report_id: None,
            admin1: None,
        }
    }

    fn count(features: &[Feature]) -> u64 {
        features
            .iter()
            .map(|f| match f {
                Feature::Point(_) => 1,
                Feature::Cluster(c) => c.sums.count as u64,
            })
            .sum()
    }

    /// Every tile of zoom `z` that the data reaches.
    fn tiles_of(snap: &Snapshot, z: u8) -> Vec<TileId> {
        let mut t: Vec<(u64, u64)> = Vec::new();
        snap.for_each(&Filter::default(), |i| {
            let code = code_of(i.lon, i.lat) >> (2 * (LEVEL - z) as u32);
            let (x, y) = decode(code);
            t.push((x as u64, y as u64));
        });
        t.sort_unstable();
        t.dedup();
        t.into_iter()
            .map(|(x, y)| TileId::new(z as u64, x, y).unwrap())
            .collect()
    }

    fn arb_incidents() -> impl Strategy<Value = Vec<Incident>> {
        // Clumps: many incidents share a spot, as geocoded ones do.
        prop::collection::vec(
            (
                0usize..6,
                -0.01f64..0.01,
                -0.01f64..0.01,
                0usize..9,
                // Minutes over 30 days; a fifth of them dates (whole days).
                (0i64..30 * 1440, 0u8..5),
                any::<bool>(),
            ),
            1..300,
        )
        .prop_map(|v| {
            let spots = [
                (76.9, 43.2),
                (51.2, 43.6),
                (71.4, 51.1),
                (-179.99, -85.2),
                (30.0, 10.0),
                (76.95, 43.25),
            ];
            v.into_iter()
                .enumerate()
                .map(|(n, (s, dx, dy, c, (minute, date), exact))| {
                    let (lon, lat) = spots[s];
                    let (dx, dy) = if exact { (0.0, 0.0) } else { (dx, dy) };
                    incident(
                        n,
                        (lon + dx).clamp(-180.0, 180.0),
                        (lat + dy).clamp(-90.0, 90.0),
                        c,
                        if date == 0 { -minute } else { minute },
                    )
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// The features of all tiles of a zoom add up to the incidents the filter matches, at
        /// every zoom, with edits and deletions in the overlay; and a cluster's members stay
        /// one feature until its expansion zoom and not after.
        #[test]
        fn counts_add_up_and_clusters_part_where_they_say(
            data in arb_incidents(),
            edits in prop::collection::vec((0usize..300, any::<bool>(), 0usize..9), 0..20),
            window in prop::option::of((0i64..30 * 1440, 0i64..10 * 1440)),
            classes in prop::option::of(1u16..512),
            scan_rows in prop::sample::select(vec![0usize, 3, SCAN_ROWS]),
        ) {
            let n = data.len();
            let index = Index::new(data.clone(), 1, Arc::new(|_| None));
            let mut changes = Vec::new();
            for (k, delete, c) in edits {
                let mut i = data[k % n].clone();
                if delete {
                    changes.push(crate::store::Change::Delete(i.id.clone()));
                } else {
                    i.category = Category::ALL[c];
                    i.lon = (i.lon + 0.5).min(180.0);
                    changes.push(crate::store::Change::Put(i));
                }
            }
            let base = index.snapshot();
            let ix = ClusterIndex::build_scanning(&base, scan_rows);
            index.apply(changes, 2);
            let snap = index.snapshot();
            let base = &*base;
            let snap = &*snap;
            prop_assert_eq!(snap.base_id(), base.base_id());
            let mut filter = Filter::default();
            if let Some((a, len)) = window {
                filter.time = Some(crate::filter::TimeRange {
                    start: Some(a * 60_000),
                    end: Some((a + len) * 60_000),
                });
            }
            filter.categories = classes.map(|bits| {
                let mut set = crate::model::CategorySet::default();
                Category::ALL.iter().filter(|c| bits & c.bit() != 0).for_each(|&c| set.insert(c));
                set
            });
            // Without the overlay (the levels' parts answer time and category filters), and
            // with it.
            for snap in [base, snap] {
                let mut matched = 0u64;
                snap.for_each(&filter, |_| matched += 1);
                for z in [0u8, 1, 3, 6, 9, 12, 16] {
                    let mut total = 0;
                    for t in tiles_of(snap, z) {
                        let f = ix.tile(snap, &filter, t);
                        prop_assert!(f.len() <= FEATURE_BUDGET);
                        total += count(&f);
                        let clusters = f.iter().filter_map(|f| match f {
                            Feature::Cluster(c) => Some(c),
                            _ => None,
                        });
                        for c in clusters {
                            prop_assert!(c.sums.count >= 2);
                            // The cluster is whole at every zoom before its expansion zoom,
                            // and not at it.
                            let (cx, cy) = c.centre;
                            let at = |z2: u8| {
                                let side = (1u64 << (MAX_ZOOM - z2)) as f64 * 256.0;
                                TileId::new(z2 as u64, (cx / side) as u64, (cy / side) as u64)
                                    .unwrap()
                            };
                            let whole = |z2: u8| {
                                ix.tile(snap, &filter, at(z2)).into_iter().any(
                                    |g| matches!(g, Feature::Cluster(d) if d.sums == c.sums),
                                )
                            };
                            let ez = c.expansion_zoom.unwrap_or(MAX_ZOOM + 1);
                            prop_assert!(ez > z);
                            for z2 in (z + 1)..ez.min(MAX_ZOOM + 1) {
                                prop_assert!(whole(z2), "{} at z{} parted at z{}", c.sums.count, z, z2);
                            }
                            if ez <= MAX_ZOOM {
                                prop_assert!(!whole(ez), "{} at z{} whole at z{}", c.sums.count, z, ez);
                            }
                        }
                    }
                    prop_assert_eq!(total, matched, "zoom {}", z);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn galloping_finds_what_a_binary_search_finds(
            mut codes in prop::collection::vec(0u64..64, 0..200),
            from in 0usize..200,
            code in 0u64..70,
        ) {
            codes.sort_unstable();
            let rows: Vec<Row> = codes
                .iter()
                .map(|&code| Row { code, ..Row::of(0, &incident(0, 0.0, 0.0, 0, 0)) })
                .collect();
            let run = Run::build(&rows, BLOCK);
            let from = from.min(codes.len());
            let to = codes.len();
            prop_assert_eq!(run.gallop(from, to, code), run.seek(from, to, code));
        }
    }

    #[test]
    fn expansion_zoom_is_where_two_codes_part() {
        // Same pixel: never.
        assert_eq!(expansion_zoom(42, 42), None);
        // Differing in the last bit pair: they share every level but the finest (24), so
        // they part at the zoom whose cells are level 24: 21 > MAX_ZOOM.
        assert_eq!(expansion_zoom(0, 1), None);
        // Sharing levels up to 10: part where cells are level 11, zoom 8.
        let a = 0u64;
        let b = 1u64 << (2 * (LEVEL as u32 - 11));
        assert_eq!(expansion_zoom(a, b), Some(8));
    }
}
