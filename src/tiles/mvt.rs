//! Mapbox Vector Tile encoding of a tile's features (the `mvt` crate writes the protobuf):
//! layer `incidents` (one point per incident) and layer `clusters`.
//!
//! The layers and their fields are declared once here ([`LAYERS`]); TileJSON's
//! `vector_layers`, the tileset metadata and the docs are built from that list.
//!
//! Every feature sits inside its own tile: the features are not repeated in the neighbours'
//! buffers, so the counts of a zoom add up, and point symbols are drawn whole anyway
//! (MapLibre and OpenLayers do not clip circles and labels at tile edges).

use std::io::Write;

use super::clusters::{Cluster, Feature, MAX_ZOOM};
use super::mercator::TileId;
use crate::model::{Category, Incident};

/// Tile coordinates per side (the MVT default).
pub const EXTENT: u32 = 4096;

pub const MEDIA_TYPE: &str = "application/vnd.mapbox-vector-tile";

/// A field of a vector layer: its name, its TileJSON type and what it means.
pub struct Field {
    pub name: &'static str,
    pub kind: &'static str,
    pub description: &'static str,
}

pub struct LayerSpec {
    pub id: &'static str,
    pub description: &'static str,
    pub fields: &'static [Field],
}

/// A field, in the tables of layers ([`LAYERS`], the base map's).
pub(super) const fn f(name: &'static str, kind: &'static str, description: &'static str) -> Field {
    Field {
        name,
        kind,
        description,
    }
}

/// The vector layers, their fields and meaning. Per-category counts of clusters are fields
/// named after the categories (see [`Category::ALL`]), added by [`fields`].
pub const LAYERS: [LayerSpec; 2] = [
    LayerSpec {
        id: "incidents",
        description: "One point per incident, where its cell of the tile holds no other matching incident",
        fields: &[
            f("id", "String", "incident id"),
            f("occurred_at", "String", "RFC 3339 date or date-time"),
            f("category", "String", "event category"),
            f(
                "fatalities",
                "Number",
                "reported deaths (absent when not reported)",
            ),
            f(
                "injured",
                "Number",
                "reported injured (absent when not reported)",
            ),
            f(
                "arrested",
                "Number",
                "reported arrests (absent when not reported)",
            ),
            f(
                "precision",
                "String",
                "exact, city, near, region or country",
            ),
            f(
                "area",
                "Boolean",
                "true when located only to a region or country: the point stands for an area",
            ),
            f("place", "String", "place name as reported"),
            f(
                "admin1",
                "String",
                "the first-level region the incident is counted in (from the gazetteer)",
            ),
            f(
                "admin1_code",
                "String",
                "that region's GeoNames admin1 code",
            ),
        ],
    },
    LayerSpec {
        id: "clusters",
        description: "Two or more matching incidents of one cell of the tile, at their centre",
        fields: &[
            f("count", "Number", "incidents in the cluster"),
            f(
                "expansion_zoom",
                "Number",
                "the zoom at which the cluster breaks apart (absent when its incidents share one spot)",
            ),
            f("fatalities", "Number", "sum of reported deaths"),
            f("injured", "Number", "sum of reported injured"),
            f("arrested", "Number", "sum of reported arrests"),
            f(
                "area_count",
                "Number",
                "incidents located only to a region or country",
            ),
        ],
    },
];

/// The fields of a layer, with the per-category counts of clusters.
pub fn fields(layer: &LayerSpec) -> Vec<(&'static str, &'static str, String)> {
    let mut out: Vec<_> = layer
        .fields
        .iter()
        .map(|f| (f.name, f.kind, f.description.to_string()))
        .collect();
    if layer.id == "clusters" {
        for c in Category::ALL {
            out.push((
                c.as_str(),
                "Number",
                format!("incidents of category {}", c.as_str()),
            ));
        }
    }
    out
}

#[derive(Debug, thiserror::Error)]
pub enum MvtError {
    #[error("encoding a vector tile: {0}")]
    Encode(#[from] mvt::Error),
    #[error("compressing a vector tile: {0}")]
    Gzip(#[from] std::io::Error),
}

/// A position in world pixels of a 256-px tile at [`MAX_ZOOM`] as tile coordinates.
fn to_tile(t: TileId, (x, y): (f64, f64)) -> (f64, f64) {
    // One tile of zoom z spans 2^(MAX_ZOOM − z) · 256 of those pixels.
    let span = (1u64 << (MAX_ZOOM - t.z)) as f64 * 256.0;
    let k = EXTENT as f64 / span;
    ((x - t.x as f64 * span) * k, (y - t.y as f64 * span) * k)
}

/// The tile as MVT bytes; `None` when it has no features (the caller answers 204 or an empty
/// body as it prefers).
pub fn encode(t: TileId, features: &[Feature]) -> Result<Option<Vec<u8>>, MvtError> {
    if features.is_empty() {
        return Ok(None);
    }
    let mut tile = mvt::Tile::new(EXTENT);
    let mut points = tile.create_layer(LAYERS[0].id);
    let mut clusters = tile.create_layer(LAYERS[1].id);
    for f in features {
        match f {
            Feature::Point(i) => points = point(points, t, i)?,
            Feature::Cluster(c) => clusters = cluster(clusters, t, c)?,
        }
    }
    for layer in [points, clusters] {
        if layer.num_features() > 0 {
            tile.add_layer(layer)?;
        }
    }
    Ok(Some(tile.to_bytes()?))
}

fn geometry(xy: (f64, f64)) -> Result<mvt::GeomData, mvt::Error> {
    mvt::GeomEncoder::new(mvt::GeomType::Point)
        .point(xy.0, xy.1)?
        .encode()
}

fn point(layer: mvt::Layer, t: TileId, i: &Incident) -> Result<mvt::Layer, mvt::Error> {
    let (x, y) = super::mercator::world_px(i.lon, i.lat, MAX_ZOOM, 256);
    let mut f = layer.into_feature(geometry(to_tile(t, (x, y)))?);
    f.add_tag_string("id", &i.id);
    f.add_tag_string("occurred_at", &i.occurred_at.to_string());
    f.add_tag_string("category", i.category.as_str());
    for (k, v) in [
        ("fatalities", i.fatalities),
        ("injured", i.injured),
        ("arrested", i.arrested),
    ] {
        if let Some(v) = v {
            f.add_tag_uint(k, v as u64);
        }
    }
    f.add_tag_string("precision", i.precision.as_str());
    f.add_tag_bool("area", i.precision.is_area());
    if let Some(p) = &i.place {
        f.add_tag_string("place", p);
    }
    if let Some(a) = &i.admin1 {
        f.add_tag_string("admin1", &a.name);
        f.add_tag_string("admin1_code", &a.code);
    }
    Ok(f.into_layer())
}

fn cluster(layer: mvt::Layer, t: TileId, c: &Cluster) -> Result<mvt::Layer, mvt::Error> {
    let mut f = layer.into_feature(geometry(to_tile(t, c.centre))?);
    f.set_id(c.id);
    let s = &c.sums;
    f.add_tag_uint("count", s.count as u64);
    if let Some(z) = c.expansion_zoom {
        f.add_tag_uint("expansion_zoom", z as u64);
    }
    f.add_tag_uint("fatalities", s.fatalities);
    f.add_tag_uint("injured", s.injured);
    f.add_tag_uint("arrested", s.arrested);
    f.add_tag_uint("area_count", s.area as u64);
    for (cat, n) in Category::ALL.iter().zip(s.by_category) {
        if n > 0 {
            f.add_tag_uint(cat.as_str(), n as u64);
        }
    }
    Ok(f.into_layer())
}

/// Gzip, as tiles are stored and most clients accept them.
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>, MvtError> {
    let mut e = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 2 + 64),
        flate2::Compression::fast(),
    );
    e.write_all(bytes)?;
    Ok(e.finish()?)
}
