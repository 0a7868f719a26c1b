//! Which places a web-mercator map labels at each zoom: the most important first, no two
//! labels overlapping, and a town labelled at one zoom labelled at every deeper one (so
//! zooming in only ever adds names). The offline base map's place names come from here.
//!
//! The choice is made once for the whole world and every zoom, not per tile or per view:
//! that is what keeps labels from overlapping across tile edges and from jumping when the
//! map pans. It is a greedy pass per zoom, as cartographic label placement usually is.

use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree, RTreeObject};

use crate::tiles::mercator::world_px;

/// The deepest zoom chosen for: beyond it places only move apart, so its labels stay.
pub const MAX_ZOOM: u8 = 12;

/// Height of a label's box in pixels (the 16 px line of an 11 px font).
const HEIGHT: f64 = 16.0;
/// The dot a town's label starts with, and the gap before its text.
const DOT: f64 = 8.0;
/// Half the dot's size.
const DOT_RADIUS: f64 = 3.0;
/// Zooms at which countries are named (below, too small; above, towns say where one is).
const COUNTRY_ZOOMS: std::ops::RangeInclusive<u8> = 2..=5;

/// Where a town's name stands beside its dot. Four positions give a label the room one
/// side lacks (a capital's name to the right of its dot would hide a larger town just
/// east of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Right = 0,
    Left = 1,
    Above = 2,
    Below = 3,
}

impl Anchor {
    /// In the order tried: right of the dot reads best, then left, then above and below.
    pub const ALL: [Anchor; 4] = [Anchor::Right, Anchor::Left, Anchor::Above, Anchor::Below];

    pub fn as_str(self) -> &'static str {
        match self {
            Anchor::Right => "right",
            Anchor::Left => "left",
            Anchor::Above => "above",
            Anchor::Below => "below",
        }
    }
}

/// At which zooms a candidate is labelled, and where its name stands at each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Placement {
    /// Bit z: named at zoom z.
    pub zooms: u16,
    /// Two bits per zoom: the [`Anchor`] at that zoom (a country's name is centred).
    anchors: u32,
}

impl Placement {
    /// Whether and where it is named at zoom `z` (zooms beyond [`MAX_ZOOM`] as that one).
    pub fn at(&self, z: u8) -> Option<Anchor> {
        let z = z.min(MAX_ZOOM);
        (self.zooms & (1 << z) != 0).then(|| Anchor::ALL[(self.anchors >> (2 * z)) as usize & 3])
    }

    /// The first zoom it is named at.
    pub fn min_zoom(&self) -> u8 {
        self.zooms.trailing_zeros() as u8
    }

    fn set(&mut self, z: u8, a: Anchor) {
        self.zooms |= 1 << z;
        self.anchors |= (a as u32) << (2 * z);
    }
}

/// What a label names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    /// A country, named at its centre at small scales.
    Country,
    /// A town: a dot with its name to the right.
    Town { capital: bool, population: u64 },
}

/// A place that may be labelled, in the order of importance (the caller sorts).
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub lon: f64,
    pub lat: f64,
    /// The width of its widest name, in pixels.
    pub width: f64,
    pub kind: LabelKind,
}

/// The fewest people a town needs to be named at a zoom, so that small scales show the
/// towns a reader knows rather than whichever small ones happen to have room. A capital
/// is always a candidate.
fn min_population(z: u8) -> u64 {
    match z {
        0..=2 => 2_000_000,
        3 => 700_000,
        4 => 200_000,
        5 => 50_000,
        6 => 20_000,
        _ => 0,
    }
}

/// Where each candidate is labelled, in the candidates' order.
pub fn choose(candidates: &[Candidate]) -> Vec<Placement> {
    let mut out = vec![Placement::default(); candidates.len()];
    for z in 0..=MAX_ZOOM {
        // Towns named one zoom out keep their names and sides: they only moved apart.
        let mut kept = Vec::new();
        for (i, c) in candidates.iter().enumerate() {
            if let (Some(a), LabelKind::Town { .. }) =
                (z.checked_sub(1).and_then(|y| out[i].at(y)), c.kind)
            {
                out[i].set(z, a);
                kept.push(Placed(label_box(c, a, z)));
            }
        }
        let mut tree = RTree::bulk_load(kept);
        // The towns that may be named at this zoom, by their dots: of the sides with room,
        // a name takes the one covering fewest of them, leaving room for the next.
        let dots: RTree<GeomWithData<[f64; 2], usize>> = RTree::bulk_load(
            candidates
                .iter()
                .enumerate()
                .filter(|(_, c)| eligible(c, z))
                .map(|(i, c)| GeomWithData::new(pixel(c, z), i))
                .collect(),
        );
        let mut offer = |i: usize, tree: &mut RTree<Placed>| {
            if out[i].zooms & (1 << z) != 0 {
                return;
            }
            let sides: &[Anchor] = match candidates[i].kind {
                LabelKind::Country => &Anchor::ALL[..1],
                LabelKind::Town { .. } => &Anchor::ALL,
            };
            let best = sides
                .iter()
                .map(|&a| (a, label_box(&candidates[i], a, z)))
                .filter(|(_, b)| tree.locate_in_envelope_intersecting(*b).next().is_none())
                .min_by_key(|(_, b)| {
                    // A dot is covered when the box meets any of it, not just its centre.
                    let r = DOT_RADIUS;
                    let grown = AABB::from_corners(
                        [b.lower()[0] - r, b.lower()[1] - r],
                        [b.upper()[0] + r, b.upper()[1] + r],
                    );
                    dots.locate_in_envelope_intersecting(grown)
                        .filter(|d| d.data != i)
                        .count()
                });
            if let Some((a, b)) = best {
                tree.insert(Placed(b));
                out[i].set(z, a);
            }
        };
        if COUNTRY_ZOOMS.contains(&z) {
            for (i, c) in candidates.iter().enumerate() {
                if c.kind == LabelKind::Country {
                    offer(i, &mut tree);
                }
            }
        }
        for (i, c) in candidates.iter().enumerate() {
            if eligible(c, z) {
                offer(i, &mut tree);
            }
        }
    }
    out
}

/// Whether a town may be named at zoom `z` (countries are named by [`COUNTRY_ZOOMS`]).
fn eligible(c: &Candidate, z: u8) -> bool {
    matches!(c.kind, LabelKind::Town { capital, population } if capital || population >= min_population(z))
}

/// A place's position in world pixels of a 256-px-tile map at zoom `z`.
fn pixel(c: &Candidate, z: u8) -> [f64; 2] {
    let (x, y) = world_px(c.lon, c.lat, z, 256);
    [x, y]
}

/// A label's box in world pixels at zoom `z`, with its
/// name on side `a` of its dot (a country's name is centred on its point).
fn label_box(c: &Candidate, a: Anchor, z: u8) -> AABB<[f64; 2]> {
    let [x, y] = pixel(c, z);
    let h = HEIGHT / 2.0;
    match c.kind {
        LabelKind::Country => {
            AABB::from_corners([x - c.width / 2.0, y - h], [x + c.width / 2.0, y + h])
        }
        LabelKind::Town { .. } => {
            let (d, w) = (DOT_RADIUS, c.width);
            match a {
                Anchor::Right => AABB::from_corners([x - d, y - h], [x + DOT + w, y + h]),
                Anchor::Left => AABB::from_corners([x - DOT - w, y - h], [x + d, y + h]),
                Anchor::Above => AABB::from_corners(
                    [x - (w / 2.0).max(d), y - d - HEIGHT],
                    [x + (w / 2.0).max(d), y + d],
                ),
                Anchor::Below => AABB::from_corners(
                    [x - (w / 2.0).max(d), y - d],
                    [x + (w / 2.0).max(d), y + d + HEIGHT],
                ),
            }
        }
    }
}

/// A label already placed at the zoom being chosen.
struct Placed(AABB<[f64; 2]>);

impl RTreeObject for Placed {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.0
    }
}

/// The width in pixels of a name in the page's 11 px sans-serif: an estimate per
/// character that holds for wide fonts (DejaVu Sans, the usual Linux default) in Latin and
/// Cyrillic, and is generous for Arabic.
pub fn text_width(name: &str) -> f64 {
    6.8 * name.chars().count() as f64 + 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstar::Envelope;

    fn town(lon: f64, lat: f64, population: u64, width: f64) -> Candidate {
        Candidate {
            lon,
            lat,
            width,
            kind: LabelKind::Town {
                capital: false,
                population,
            },
        }
    }

    fn boxes_at(c: &[Candidate], placed: &[Placement], z: u8) -> Vec<AABB<[f64; 2]>> {
        (0..c.len())
            .filter_map(|i| placed[i].at(z).map(|a| label_box(&c[i], a, z)))
            .collect()
    }

    #[test]
    fn the_larger_of_two_close_towns_is_named_first_and_both_deeper_in() {
        // Almaty and a suburb 20 km away.
        let c = [
            town(76.91, 43.25, 1_977_011, 40.0),
            town(77.0, 43.3, 60_000, 60.0),
        ];
        let z = choose(&c);
        assert_eq!(z[0].at(5), Some(Anchor::Right), "Almaty at zoom 5");
        assert_eq!(z[1].at(5), None, "not the suburb over it at zoom 5");
        assert!(z[1].at(10).is_some(), "both at zoom 10");
    }

    #[test]
    fn a_name_with_no_room_on_the_right_goes_left() {
        // Bishkek, a capital, is named first, and its name runs east into Almaty's dot; Almaty's
        // name goes where there is room.
        let c = [
            Candidate {
                kind: LabelKind::Town {
                    capital: true,
                    population: 1_000_000,
                },
                ..town(74.6, 42.87, 0, 50.0)
            },
            town(76.91, 43.25, 1_977_011, 44.0),
        ];
        let z = choose(&c);
        assert_eq!(z[0].at(5), Some(Anchor::Right));
        assert!(
            matches!(z[1].at(5), Some(a) if a != Anchor::Right),
            "{:?}",
            z[1].at(5)
        );
    }

    #[test]
    fn a_name_goes_where_it_hides_no_other_town() {
        // Aktau's name to the right would cover Zhanaozen's dot at zoom 5; to the left is sea.
        let c = [
            town(51.17392, 43.66105, 147_443, 36.0),
            town(52.86192, 43.34116, 103_598, 63.0),
        ];
        let z = choose(&c);
        assert_eq!(z[0].at(5), Some(Anchor::Left));
        assert_eq!(z[1].at(5), Some(Anchor::Right));
    }

    #[test]
    fn small_towns_wait_for_their_zoom_even_with_room() {
        let c = [town(10.0, 10.0, 30_000, 40.0)];
        let z = choose(&c);
        assert_eq!(z[0].min_zoom(), 6, "first named at zoom 6: {:?}", z[0]);
    }

    #[test]
    fn countries_are_named_only_at_small_scales() {
        let c = [Candidate {
            lon: 68.0,
            lat: 48.0,
            width: 70.0,
            kind: LabelKind::Country,
        }];
        let z = choose(&c);
        let expected: u16 = COUNTRY_ZOOMS.map(|z| 1 << z).sum();
        assert_eq!(z[0].zooms, expected);
        assert_eq!(
            z[0].at(3),
            Some(Anchor::Right),
            "a country's name is centred"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// No two labels overlap at any zoom; towns keep their names deeper in; and a town
        /// big enough for a zoom but unnamed there is kept out by a label in its way.
        #[test]
        fn labels_never_overlap_and_only_accumulate(
            seed in proptest::collection::vec((60.0f64..80.0, 38.0f64..52.0, 0u64..3_000_000, 20.0f64..90.0, 0u8..20), 1..120)
        ) {
            let c: Vec<Candidate> = seed.iter().map(|&(lon, lat, pop, w, k)| {
                if k == 0 { Candidate { lon, lat, width: w, kind: LabelKind::Country } } else { town(lon, lat, pop, w) }
            }).collect();
            let placed = choose(&c);
            for z in 0..=MAX_ZOOM {
                let b = boxes_at(&c, &placed, z);
                for i in 0..b.len() {
                    for j in i + 1..b.len() {
                        prop_assert!(!b[i].intersects(&b[j]), "overlap at zoom {}", z);
                    }
                }
                for (i, ci) in c.iter().enumerate() {
                    if ci.kind == LabelKind::Country { continue }
                    if z > 0 && placed[i].at(z - 1).is_some() {
                        prop_assert_eq!(placed[i].at(z), placed[i].at(z - 1), "a town lost its name or side at zoom {}", z);
                    }
                    if placed[i].at(z).is_none() && eligible(ci, z) {
                        for a in Anchor::ALL {
                            let mine = label_box(ci, a, z);
                            prop_assert!(b.iter().any(|o| o.intersects(&mine)), "room for a town at zoom {} left empty", z);
                        }
                    }
                }
            }
        }
    }
}
