//! The heat of region- and country-level incidents summed per area: each area's incidents as
//! compact records (time span, category, weight), so a heat tile spreads every area once with
//! the weight a filter selects, reading a few bytes per incident rather than the incidents.
//!
//! Built per style with the pyramid, from the base of the data; the overlay's edits are
//! applied on top by the renderer, as for the pyramid's points.

use std::collections::HashMap;

use crate::bbox::Bbox;
use crate::filter::TimeRange;
use crate::spatial::AreaExtent;

/// What tells one area from another when summing their incidents: its box, and its shape
/// (shared by every incident of a place) when it has one. Ordered by the box first, so the
/// order areas are spread in (and so the float sums) is the same in every process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaKey([u64; 4], usize);

impl AreaKey {
    pub fn of(area: &AreaExtent) -> AreaKey {
        let b = &area.bbox;
        AreaKey(
            [b.west, b.south, b.east, b.north].map(f64::to_bits),
            area.shape
                .as_ref()
                .map_or(0, |s| std::sync::Arc::as_ptr(s) as usize),
        )
    }
}

/// One incident of an area, as much of it as a heat filter reads.
#[derive(Debug, Clone, Copy)]
pub struct Record {
    pub start_ms: i64,
    pub end_ms: i64,
    pub class: u8,
    pub weight: f32,
}

struct Group {
    extent: AreaExtent,
    /// By start time, so a window's end cuts the scan short.
    records: Vec<Record>,
    total: f64,
}

/// The area incidents of a base, grouped by area.
#[derive(Default)]
pub struct AreaSums {
    groups: Vec<Group>,
}

impl AreaSums {
    /// Groups records by area. Zero weights are dropped.
    pub fn build(items: impl IntoIterator<Item = (AreaExtent, Record)>) -> AreaSums {
        let mut slot: HashMap<AreaKey, usize> = HashMap::new();
        let mut groups: Vec<(AreaKey, Group)> = Vec::new();
        for (extent, r) in items {
            if r.weight == 0.0 {
                continue;
            }
            let key = AreaKey::of(&extent);
            let k = *slot.entry(key).or_insert_with(|| {
                groups.push((
                    key,
                    Group {
                        extent,
                        records: Vec::new(),
                        total: 0.0,
                    },
                ));
                groups.len() - 1
            });
            groups[k].1.records.push(r);
        }
        groups.sort_unstable_by_key(|g| g.0);
        let groups = groups
            .into_iter()
            .map(|(_, mut g)| {
                g.records.sort_unstable_by(|a, b| {
                    (a.start_ms, a.end_ms, a.class)
                        .cmp(&(b.start_ms, b.end_ms, b.class))
                        .then(a.weight.total_cmp(&b.weight))
                });
                g.total = g.records.iter().map(|r| f64::from(r.weight)).sum();
                g
            })
            .collect();
        AreaSums { groups }
    }

    /// Calls `visit(area, weight)` for every area that meets `reach`, with the summed weight
    /// of its incidents in `time` (overlapping it) and of the categories in `classes` (bits);
    /// areas with none are skipped.
    pub fn for_each(
        &self,
        reach: &Bbox,
        time: Option<TimeRange>,
        classes: u16,
        mut visit: impl FnMut(&AreaExtent, f64),
    ) {
        for g in &self.groups {
            if !g.extent.bbox.meets(reach) {
                continue;
            }
            let w = if time.is_none() && classes == u16::MAX {
                g.total
            } else {
                let end = time.and_then(|t| t.end).unwrap_or(i64::MAX);
                g.records
                    .iter()
                    .take_while(|r| r.start_ms <= end)
                    .filter(|r| {
                        classes & (1 << r.class) != 0
                            && time.is_none_or(|t| t.overlaps(r.start_ms, r.end_ms))
                    })
                    .map(|r| f64::from(r.weight))
                    .sum()
            };
            if w != 0.0 {
                visit(&g.extent, w);
            }
        }
    }

    /// Memory held, bytes (the shapes are shared with the index and not counted).
    pub fn bytes(&self) -> usize {
        self.groups
            .iter()
            .map(|g| {
                std::mem::size_of::<Group>() + g.records.capacity() * std::mem::size_of::<Record>()
            })
            .sum()
    }

    pub fn areas(&self) -> usize {
        self.groups.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(west: f64) -> AreaExtent {
        AreaExtent::boxed(Bbox::new(west, 40.0, west + 5.0, 45.0).unwrap())
    }

    fn rec(day: i64, class: u8, weight: f32) -> Record {
        Record {
            start_ms: day * 86_400_000,
            end_ms: day * 86_400_000 + 86_399_999,
            class,
            weight,
        }
    }

    #[test]
    fn sums_per_area_what_the_filter_selects() {
        let s = AreaSums::build([
            (area(50.0), rec(1, 0, 1.0)),
            (area(50.0), rec(2, 1, 2.0)),
            (area(50.0), rec(3, 0, 4.0)),
            (area(70.0), rec(2, 0, 8.0)),
        ]);
        assert_eq!(s.areas(), 2);
        let collect = |time, classes| {
            let mut out = Vec::new();
            s.for_each(&Bbox::WORLD, time, classes, |a, w| {
                out.push((a.bbox.west, w))
            });
            out
        };
        assert_eq!(collect(None, u16::MAX), [(50.0, 7.0), (70.0, 8.0)]);
        assert_eq!(collect(None, 1), [(50.0, 5.0), (70.0, 8.0)]);
        let day2 = TimeRange {
            start: Some(2 * 86_400_000),
            end: Some(2 * 86_400_000 + 1),
        };
        assert_eq!(collect(Some(day2), u16::MAX), [(50.0, 2.0), (70.0, 8.0)]);
        assert_eq!(collect(Some(day2), 1), [(70.0, 8.0)]);
        // Only the areas that meet the box.
        let mut seen = Vec::new();
        s.for_each(
            &Bbox::new(60.0, 0.0, 80.0, 50.0).unwrap(),
            None,
            u16::MAX,
            |a, _| seen.push(a.bbox.west),
        );
        assert_eq!(seen, [70.0]);
    }
}
