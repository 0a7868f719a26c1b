//! OGC API – Features Part 2 (coordinate reference systems by reference), as far as a
//! point layer kept in WGS 84 needs it: features are served in CRS84 (longitude first, the
//! default) or EPSG:4326 (the same datum, latitude first, as QGIS and GDAL may ask for), by
//! the `crs` parameter; a `bbox` may be given in either by `bbox-crs`; every answer that holds
//! geometries says which in `Content-Crs`.

use axum::http::{HeaderName, HeaderValue};

use super::error::ApiError;
use super::params::{Kind, Param, Params};
use crate::format::geojson::AxisOrder;

pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
pub const EPSG_4326: &str = "http://www.opengis.net/def/crs/EPSG/0/4326";
/// The CRSs features can be had in, the storage CRS first.
pub const SUPPORTED: [&str; 2] = [CRS84, EPSG_4326];
pub const CONFORMANCE: &[&str] = &["http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"];

pub const CRS: Param = Param::new(
    "crs",
    "The coordinate reference system of the answer's geometries, as a URI: CRS84 (longitude first, the default) or EPSG:4326 (latitude first).",
    Kind::OneOf(&SUPPORTED),
);
pub const BBOX_CRS: Param = Param::new(
    "bbox-crs",
    "The coordinate reference system bbox is written in, as a URI: CRS84 (longitude first, the default) or EPSG:4326 (latitude first).",
    Kind::OneOf(&SUPPORTED),
);

pub const CONTENT_CRS: HeaderName = HeaderName::from_static("content-crs");

/// One of the [`SUPPORTED`] systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Crs {
    #[default]
    Crs84,
    Epsg4326,
}

impl Crs {
    fn from_uri(uri: &str) -> Crs {
        if uri == EPSG_4326 {
            Crs::Epsg4326
        } else {
            Crs::Crs84
        }
    }

    pub fn uri(self) -> &'static str {
        match self {
            Crs::Crs84 => CRS84,
            Crs::Epsg4326 => EPSG_4326,
        }
    }

    pub fn axis_order(self) -> AxisOrder {
        match self {
            Crs::Crs84 => AxisOrder::LonLat,
            Crs::Epsg4326 => AxisOrder::LatLon,
        }
    }

    /// The `Content-Crs` header's value: the URI in angle brackets.
    pub fn header(self) -> HeaderValue {
        HeaderValue::from_str(&format!("<{}>", self.uri())).expect("a URI is a valid header")
    }

    /// `bbox` text as given in this CRS, rewritten longitude first (as [`crate::bbox::Bbox`]
    /// reads it).
    pub fn bbox_to_crs84(self, text: &str) -> String {
        match self {
            Crs::Crs84 => text.to_string(),
            Crs::Epsg4326 => crate::bbox::swap_axis_order(text),
        }
    }
}

/// The `crs` asked for (CRS84 when absent).
pub fn requested(p: &Params) -> Result<Crs, ApiError> {
    Ok(p.word(&CRS)?.map(Crs::from_uri).unwrap_or_default())
}

/// The CRS of `bbox` (CRS84 when absent).
pub fn of_bbox(p: &Params) -> Result<Crs, ApiError> {
    Ok(p.word(&BBOX_CRS)?.map(Crs::from_uri).unwrap_or_default())
}
