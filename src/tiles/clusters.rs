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
/// The same for the (category, week) runs: their cells hold few incidents, so their blocks
/// are short, or every cell would be read point by point and cost would follow the data.
const WEEK_BLOCK: usize = 4;
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

/// Incidents in Morton order as packed columns, with block sums: all of a base's incidents,
/// or one category's in one week.
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
/// category, the runs of the weeks a window covers whole, then of the days it covers whole
/// within the (at most two) weeks it covers in part, each through its block sums, and only the
/// (at most two) days it covers in part point by point — so their cost follows the number of
/// weeks, days and cells, hardly the number of incidents. Other filters scan `all` within the
/// tile.
pub struct ClusterIndex {
    all: Run,
    /// Rank in `all` by base position, to find the records an overlay shadows.
    rank: Vec<u32>,
    /// Runs by (category, week), sorted so.
    weeks: Vec<Part>,
    /// Runs by (category, day), sorted so.
    days: Vec<Part>,
}

/// A category's incidents in one week or day.
struct Part {
    class: u8,
    /// The week or day number (since 1970-01-01).
    period: i64,
    /// The first start and the last end of its incidents.
    first_ms: i64,
    last_ms: i64,
    run: Run,
}

const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;

/// The runs of rows grouped by (category, period of `len` ms); `rows` must be sorted by that
/// key and then by code.
fn parts(rows: &[Row], len: i64) -> Vec<Part> {
    let key = |r: &Row| (r.class, r.start.div_euclid(len));
    rows.chunk_by(|a, b| key(a) == key(b))
        .map(|group| {
            let run = Run::build(group, WEEK_BLOCK);
            Part {
                class: group[0].class,
                period: key(&group[0]).1,
                first_ms: run.start.iter().copied().min().unwrap_or(0),
                last_ms: run.end.iter().copied().max().unwrap_or(0),
                run,
            }
        })
        .collect()
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

    /// The ranks of a tile's codes `[lo, hi)`.
    fn range(&self, lo: u64, hi: u64) -> (usize, usize) {
        let a = self.seek(0, self.codes.len(), lo);
        (a, self.seek(a, self.codes.len(), hi))
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
            let j = self.seek(i, hi, (code + 1) << cell_shift);
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
        // The same rows split by (category, week) and by (category, day), codes ascending
        // within each.
        rows.sort_unstable_by_key(|r| (r.class, r.start.div_euclid(DAY_MS), r.code, r.pos));
        let days = parts(&rows, DAY_MS);
        rows.sort_unstable_by_key(|r| (r.class, r.start.div_euclid(WEEK_MS), r.code, r.pos));
        let weeks = parts(&rows, WEEK_MS);
        ClusterIndex {
            all,
            rank,
            weeks,
            days,
        }
    }

    /// Bytes held, for the memory report.
    pub fn heap_bytes(&self) -> usize {
        self.all.heap_bytes()
            + self.rank.capacity() * 4
            + self
                .weeks
                .iter()
                .chain(&self.days)
                .map(|w| w.run.heap_bytes() + std::mem::size_of::<Part>())
                .sum::<usize>()
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
        let (lo, hi) = self.all.range(codes.0, codes.1);
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
        } else if q.by_weeks && shadowed.is_empty() {
            let window = q.time.unwrap_or_default();
            let (from, to) = (
                window.start.unwrap_or(i64::MIN),
                window.end.unwrap_or(i64::MAX),
            );
            // A part's incidents: all of them when the window covers the part whole, else
            // the matching ones; `None` when the part is only partly covered.
            let whole = |p: &Part| from <= p.first_ms && p.last_ms <= to;
            let wanted =
                |p: &Part| q.classes >> p.class & 1 == 1 && window.overlaps(p.first_ms, p.last_ms);
            for w in self.weeks.iter().filter(|w| wanted(w)) {
                if whole(w) {
                    let range = w.run.range(codes.0, codes.1);
                    w.run.add_whole(snap, range, cell_shift, &mut cells);
                    continue;
                }
                // A week the window covers in part: its days.
                let first = (w.class, w.period * 7);
                let at = self.days.partition_point(|d| (d.class, d.period) < first);
                let days = self.days[at..]
                    .iter()
                    .take_while(|d| d.class == w.class && d.period < w.period * 7 + 7);
                for d in days.filter(|d| wanted(d)) {
                    let range = d.run.range(codes.0, codes.1);
                    if whole(d) {
                        d.run.add_whole(snap, range, cell_shift, &mut cells);
                    } else {
                        d.run
                            .add_matching(snap, range, cell_shift, &q, filter, &[], &mut cells);
                    }
                }
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
    /// Only time and categories: the weeks' runs answer.
    by_weeks: bool,
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
            by_weeks: !Filter {
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

    fn incident(n: usize, lon: f64, lat: f64, class: usize, day: i64) -> Incident {
        Incident {
            id: format!("i{n}"),
            lon,
            lat,
            occurred_at: OccurredAt::Instant(
                time::OffsetDateTime::from_unix_timestamp(day * 86_400 + 43_200).unwrap(),
            ),
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
                0i64..30,
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
                .map(|(n, (s, dx, dy, c, d, exact))| {
                    let (lon, lat) = spots[s];
                    let (dx, dy) = if exact { (0.0, 0.0) } else { (dx, dy) };
                    incident(
                        n,
                        (lon + dx).clamp(-180.0, 180.0),
                        (lat + dy).clamp(-90.0, 90.0),
                        c,
                        d,
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
            day_window in prop::option::of((0i64..30, 0i64..10)),
            classes in prop::option::of(1u16..512),
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
            let ix = ClusterIndex::build(&base);
            index.apply(changes, 2);
            let snap = index.snapshot();
            let base = &*base;
            let snap = &*snap;
            prop_assert_eq!(snap.base_id(), base.base_id());
            let mut filter = Filter::default();
            if let Some((a, len)) = day_window {
                filter.time = Some(crate::filter::TimeRange {
                    start: Some(a * 86_400_000 + 3_600_000),
                    end: Some((a + len) * 86_400_000),
                });
            }
            filter.categories = classes.map(|bits| {
                let mut set = crate::model::CategorySet::default();
                Category::ALL.iter().filter(|c| bits & c.bit() != 0).for_each(|&c| set.insert(c));
                set
            });
            // Without the overlay (the weeks' runs answer time and category filters), and
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
