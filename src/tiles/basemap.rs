//! The offline base map as Mapbox Vector Tiles, from the gazetteer alone: land (the
//! countries' outlines), country and region borders as lines, regions as polygons, and the
//! place names chosen for the zoom ([`crate::gazetteer::labels`]), with their names in the
//! languages the map page offers.
//!
//! Outlines are clipped to the tile and a buffer ([`super::clip`]), projected into the
//! tile's coordinates and simplified to a pixel there. What lies in the buffer is drawn by no
//! client (MapLibre and OpenLayers clip each tile to its extent), so the edges clipping adds
//! along it never show; borders are lines of their own, so no tile edge is ever stroked as a
//! border.

use geo::{MultiPolygon, Simplify};

use super::clip::clip_ring;
use super::mercator::{TileId, lon_lat, world_px};
use super::mvt::{EXTENT, LayerSpec, MvtError, f};
use crate::gazetteer::{Gazetteer, Kind, LABEL_LANGUAGES};

/// The deepest zoom with its own tiles: the outlines hold no more detail (about 1 km), and
/// the names are chosen up to it. Clients overzoom beyond.
pub const MAX_ZOOM: u8 = 12;
/// Regions (polygons and borders) from this zoom on; below, they would be a tangle.
pub const REGION_MIN_ZOOM: u8 = 3;
/// Tile units beyond each edge that features are kept in (a line's width at the edge).
const BUFFER: f64 = 64.0;
/// Simplification tolerance, tile units: one pixel of a 256-px tile.
const TOLERANCE: f64 = EXTENT as f64 / 256.0;

/// The base map's layers, drawn in this order.
pub const LAYERS: [LayerSpec; 4] = [
    LayerSpec {
        id: "countries",
        description: "Land: every country's outline (Natural Earth, simplified to about 1 km)",
        fields: &[
            f("id", "String", "gazetteer id"),
            f("name", "String", "main name"),
            f("country", "String", "ISO 3166-1 alpha-2 code"),
        ],
    },
    LayerSpec {
        id: "regions",
        description: "First-level regions' outlines (approximate where Natural Earth has none), from zoom 3",
        fields: &[
            f("id", "String", "gazetteer id"),
            f("name", "String", "main name"),
            f("country", "String", "ISO 3166-1 alpha-2 code"),
            f(
                "admin1",
                "String",
                "GeoNames admin1 code (CC.XX), as incidents' aggregates give it",
            ),
        ],
    },
    LayerSpec {
        id: "borders",
        description: "The outlines' rings as lines, to draw borders and coasts with (polygon edges would also stroke the tile edges)",
        fields: &[f("kind", "String", "country or region")],
    },
    LayerSpec {
        id: "places",
        description: "The countries and towns named at this zoom, most important first, chosen so that no two names overlap (see /basemap/labels)",
        fields: &[
            f("id", "String", "gazetteer id"),
            f("name", "String", "main name"),
            f(
                "name_ar",
                "String",
                "Arabic name, where the gazetteer has one",
            ),
            f(
                "name_ru",
                "String",
                "Russian name, where the gazetteer has one",
            ),
            f(
                "name_kk",
                "String",
                "Kazakh name, where the gazetteer has one",
            ),
            f("kind", "String", "country or town"),
            f("population", "Number", "people"),
            f("minzoom", "Number", "the first zoom the place is named at"),
            f(
                "anchor",
                "String",
                "the side of its dot its name stands on: right, left, above, below; center for a country",
            ),
        ],
    },
];

/// The tile's box in degrees (west, south, east, north), widened by the buffer.
fn tile_box(t: TileId) -> [f64; 4] {
    let pad = BUFFER / EXTENT as f64 * 256.0;
    let (x0, y0) = (t.x as f64 * 256.0 - pad, t.y as f64 * 256.0 - pad);
    let (x1, y1) = (
        (t.x + 1) as f64 * 256.0 + pad,
        (t.y + 1) as f64 * 256.0 + pad,
    );
    let (west, north) = lon_lat(x0.max(0.0), y0.max(0.0), t.z, 256);
    let world = 256.0 * f64::from(1u32 << t.z);
    let (east, south) = lon_lat(x1.min(world), y1.min(world), t.z, 256);
    [west, south, east, north]
}

/// A position in degrees as tile units.
fn to_tile(t: TileId, lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = world_px(lon, lat, t.z, 256);
    let k = EXTENT as f64 / 256.0;
    ((x - t.x as f64 * 256.0) * k, (y - t.y as f64 * 256.0) * k)
}

/// What of an outline the tile (with its buffer, `bx` in degrees) holds, in tile units,
/// simplified to a pixel. Clipped first, in degrees: a country's outline has thousands of
/// vertices, a tile at zoom 12 a handful of them.
fn project(t: TileId, outline: &MultiPolygon<f64>, bx: [f64; 4]) -> MultiPolygon<f64> {
    use geo::{BoundingRect, MapCoords};
    let [w, s, e, n] = bx;
    let inside = |r: &geo::LineString<f64>| {
        r.bounding_rect()
            .is_some_and(|b| b.min().x >= w && b.max().x <= e && b.min().y >= s && b.max().y <= n)
    };
    let clip = |r: &geo::LineString<f64>| {
        if inside(r) {
            r.clone()
        } else {
            clip_ring(r, [w, s, e, n])
        }
    };
    let polygons = outline.iter().filter_map(|p| {
        let exterior = clip(p.exterior());
        if exterior.0.is_empty() {
            return None;
        }
        let holes = p
            .interiors()
            .iter()
            .map(clip)
            .filter(|r| !r.0.is_empty())
            .collect();
        Some(geo::Polygon::new(exterior, holes))
    });
    MultiPolygon::new(polygons.collect())
        .map_coords(|c| {
            let (x, y) = to_tile(t, c.x, c.y);
            geo::coord! { x: x, y: y }
        })
        .simplify(TOLERANCE)
}

fn encoder(kind: mvt::GeomType) -> mvt::GeomEncoder<f64> {
    let e = EXTENT as f64;
    mvt::GeomEncoder::new(kind).bbox(pointy::BBox::new([
        (-BUFFER, -BUFFER),
        (e + BUFFER, e + BUFFER),
    ]))
}

/// Whether a ring's box meets the tile and its buffer.
fn meets(ring: &geo::LineString<f64>) -> bool {
    use geo::BoundingRect;
    let e = EXTENT as f64;
    ring.bounding_rect().is_some_and(|r| {
        r.max().x >= -BUFFER
            && r.min().x <= e + BUFFER
            && r.max().y >= -BUFFER
            && r.min().y <= e + BUFFER
    })
}

/// Twice the signed area of a ring in tile units (y down): positive for a ring MVT calls
/// exterior.
fn signed_area(ring: &geo::LineString<f64>) -> f64 {
    ring.lines()
        .map(|l| l.start.x * l.end.y - l.end.x * l.start.y)
        .sum()
}

/// A projected outline as an MVT polygon (exteriors positive, holes negative, as MVT 2
/// wants whatever the source's winding), `None` when nothing of it meets the tile.
fn polygon(shape: &MultiPolygon<f64>) -> Result<Option<mvt::GeomData>, mvt::Error> {
    let mut e = encoder(mvt::GeomType::Polygon);
    let mut any = false;
    for p in shape {
        if p.exterior().0.len() < 4 || !meets(p.exterior()) {
            continue;
        }
        for (ring, exterior) in
            std::iter::once((p.exterior(), true)).chain(p.interiors().iter().map(|r| (r, false)))
        {
            if ring.0.len() < 4 || !meets(ring) {
                continue;
            }
            let forward = (signed_area(ring) > 0.0) == exterior;
            let pts: Vec<_> = ring.0[..ring.0.len() - 1].to_vec();
            let ordered: Box<dyn Iterator<Item = &geo::Coord<f64>>> = if forward {
                Box::new(pts.iter())
            } else {
                Box::new(pts.iter().rev())
            };
            for c in ordered {
                e.add_point(c.x, c.y)?;
            }
            e.complete_geom()?;
            any = true;
        }
    }
    if any { e.encode().map(Some) } else { Ok(None) }
}

/// A projected outline's rings as MVT lines.
fn rings(shape: &MultiPolygon<f64>) -> Result<Option<mvt::GeomData>, mvt::Error> {
    let mut e = encoder(mvt::GeomType::Linestring);
    let mut any = false;
    for ring in shape
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
    {
        if ring.0.len() < 2 || !meets(ring) {
            continue;
        }
        for c in &ring.0 {
            e.add_point(c.x, c.y)?;
        }
        e.complete_geom()?;
        any = true;
    }
    if any { e.encode().map(Some) } else { Ok(None) }
}

/// A country or region feature.
fn area(layer: mvt::Layer, g: mvt::GeomData, p: &crate::gazetteer::Place) -> mvt::Layer {
    let mut f = layer.into_feature(g);
    f.set_id(p.id);
    f.add_tag_string("id", &p.id.to_string());
    f.add_tag_string("name", &p.name);
    f.add_tag_string("country", &p.country);
    if p.kind == Kind::Region {
        f.add_tag_string("admin1", &p.admin1);
    }
    f.into_layer()
}

/// The base map tile `t` as MVT bytes (uncompressed); `None` when it is empty (open sea
/// with no name).
pub fn encode(gaz: &Gazetteer, t: TileId) -> Result<Option<Vec<u8>>, MvtError> {
    let t = TileId {
        z: t.z.min(MAX_ZOOM),
        ..t
    };
    let bx = tile_box(t);
    let mut tile = mvt::Tile::new(EXTENT);
    let mut countries = tile.create_layer(LAYERS[0].id);
    let mut regions = tile.create_layer(LAYERS[1].id);
    let mut borders = tile.create_layer(LAYERS[2].id);
    let mut places = tile.create_layer(LAYERS[3].id);
    let mut outlines: Vec<(u32, &MultiPolygon<f64>)> = gaz.outlines().intersecting(bx).collect();
    // In id order, so a tile's bytes are the same on every run.
    outlines.sort_by_key(|(place, _)| gaz.place_at(*place).id);
    for (place, outline) in outlines {
        let p = gaz.place_at(place);
        let is_region = p.kind == Kind::Region;
        if is_region && t.z < REGION_MIN_ZOOM {
            continue;
        }
        let shape = project(t, outline, bx);
        if let Some(g) = polygon(&shape)? {
            if is_region {
                regions = area(regions, g, p);
            } else {
                countries = area(countries, g, p);
            }
        }
        if let Some(g) = rings(&shape)? {
            let mut f = borders.into_feature(g);
            f.add_tag_string("kind", if is_region { "region" } else { "country" });
            borders = f.into_layer();
        }
    }
    // Each name in the one tile its point lies in.
    let (x0, y0) = (t.x as f64 * 256.0, t.y as f64 * 256.0);
    for l in gaz.labels() {
        let Some(anchor) = l.placement.at(t.z) else {
            continue;
        };
        let p = gaz.place_at(l.place);
        let (x, y) = world_px(p.lon, p.lat, t.z, 256);
        if !(x0..x0 + 256.0).contains(&x) || !(y0..y0 + 256.0).contains(&y) {
            continue;
        }
        let (tx, ty) = to_tile(t, p.lon, p.lat);
        let g = mvt::GeomEncoder::new(mvt::GeomType::Point)
            .point(tx, ty)?
            .encode()?;
        let mut f = places.into_feature(g);
        f.set_id(p.id);
        f.add_tag_string("id", &p.id.to_string());
        f.add_tag_string("name", &p.name);
        for lang in LABEL_LANGUAGES.iter().filter(|l| **l != "en") {
            if let (name, Some(_)) = gaz.label_name(l, lang) {
                f.add_tag_string(&format!("name_{lang}"), name);
            }
        }
        let country = p.kind == Kind::Country;
        f.add_tag_string("kind", if country { "country" } else { "town" });
        f.add_tag_uint("population", p.population);
        f.add_tag_uint("minzoom", u64::from(l.placement.min_zoom()));
        f.add_tag_string("anchor", if country { "center" } else { anchor.as_str() });
        places = f.into_layer();
    }
    let mut any = false;
    for layer in [countries, regions, borders, places] {
        if layer.num_features() > 0 {
            tile.add_layer(layer)?;
            any = true;
        }
    }
    Ok(any.then(|| tile.to_bytes()).transpose()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tile_of(lon: f64, lat: f64, z: u8) -> TileId {
        let (x, y) = world_px(lon, lat, z, 256);
        TileId::new(z as u64, (x / 256.0) as u64, (y / 256.0) as u64).unwrap()
    }

    #[test]
    fn a_ring_is_exterior_when_its_area_is_positive_in_tile_units() {
        // Clockwise on screen (y down): positive.
        let cw = geo::LineString::from(vec![
            (0.0, 0.0),
            (10.0, 0.0),
            (10.0, 10.0),
            (0.0, 10.0),
            (0.0, 0.0),
        ]);
        assert!(signed_area(&cw) > 0.0);
    }

    #[test]
    fn the_box_of_a_tile_holds_its_centre_and_reaches_past_its_edges() {
        let t = tile_of(76.9, 43.25, 6);
        let [w, s, e, n] = tile_box(t);
        let (cw, cn) = lon_lat(t.x as f64 * 256.0, t.y as f64 * 256.0, 6, 256);
        assert!(w < cw && n > cn, "{w} < {cw}, {n} > {cn}");
        assert!(w < 76.9 && e > 76.9 && s < 43.25 && n > 43.25);
    }
}
