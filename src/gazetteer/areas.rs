//! Which country and first-level region a point lies in, from the gazetteer's settlements:
//! the region of the nearest settlement (so a region is the union of its settlements'
//! Voronoi cells on the sphere). The fallback where no outline holds a point
//! ([`super::outlines`]): slivers between simplified borders, coasts, places without one.

use rstar::RTree;
use rstar::primitives::GeomWithData;

use super::data::{Kind, Place};

/// A settlement as a unit vector (so the nearest in the tree is the nearest on the sphere),
/// with its index among the gazetteer's places.
type Site = GeomWithData<[f64; 3], u32>;

/// Farther than this from any settlement, a point is in no area (open sea, empty land
/// beyond the gazetteer's coverage): 300 km, as a chord of the unit sphere.
const MAX_CHORD: f64 = 300.0 / 6371.0;

/// The settlements of the gazetteer that name a region, for nearest-neighbour lookups.
pub struct Areas {
    sites: RTree<Site>,
}

fn unit(lon: f64, lat: f64) -> [f64; 3] {
    let (lon, lat) = (lon.to_radians(), lat.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

impl Areas {
    /// Indexes the cities and districts that have a first-level region.
    pub fn build(places: &[Place]) -> Areas {
        let sites = places
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p.kind, Kind::City | Kind::District) && !p.admin1.is_empty())
            .map(|(i, p)| GeomWithData::new(unit(p.lon, p.lat), i as u32))
            .collect();
        Areas {
            sites: RTree::bulk_load(sites),
        }
    }

    /// The index (among the places) of the settlement nearest to the point, if one is within
    /// reach.
    pub fn nearest(&self, lon: f64, lat: f64) -> Option<u32> {
        let at = unit(lon, lat);
        let (site, d2) = self
            .sites
            .nearest_neighbor_iter_with_distance_2(at)
            .next()?;
        (d2 <= MAX_CHORD * MAX_CHORD).then_some(site.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(kind: Kind, admin1: &str, lon: f64, lat: f64) -> Place {
        Place {
            id: 0,
            kind,
            name: String::new(),
            country: admin1.get(..2).unwrap_or("").to_string(),
            admin1: admin1.to_string(),
            lon,
            lat,
            population: 0,
            bbox: None,
            feature_code: String::new(),
            largest_in_region: false,
            towns_population: 0,
        }
    }

    #[test]
    fn the_nearest_settlement_on_the_sphere_within_reach() {
        let places = [
            place(Kind::City, "KZ.02", 76.91, 43.25), // Almaty
            place(Kind::City, "KZ.17", 71.37, 42.90), // Taraz
            place(Kind::Region, "KZ.17", 71.0, 44.5), // a region is not a site
            place(Kind::City, "", 70.0, 43.0),        // nor a city without a region
            place(Kind::City, "FJ.01", 179.9, -17.0),
        ];
        let a = Areas::build(&places);
        assert_eq!(a.nearest(76.0, 43.3), Some(0));
        assert_eq!(a.nearest(71.5, 43.5), Some(1));
        // Across the antimeridian the nearest is still found.
        assert_eq!(a.nearest(-179.9, -17.0), Some(4));
        // Too far from any settlement.
        assert_eq!(a.nearest(-30.0, 0.0), None);
    }
}
