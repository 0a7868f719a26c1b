//! `/collections/countries` and `/collections/regions`: the gazetteer's countries and
//! first-level regions with their outlines, as OGC API – Features collections (read-only),
//! so GIS clients load the areas incidents are counted and spread in.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use geo::{MapCoords, MultiPolygon, Simplify};
use serde_json::{Value, json};

use super::api;
use super::crs::{self, Crs};
use super::error::ApiError;
use super::items::tagged;
use super::items::{F_GEOJSON, OFFSET};
use super::ogc::{CRS84, json_response, link, no_params};
use super::params::{self, Param, Params, query_string};
use super::routes::Endpoint;
use super::{AppState, etag, not_modified};
use crate::bbox::Bbox;
use crate::gazetteer::{Gazetteer, Kind};

/// The area collections: id, the kind of place, title and description.
pub const COLLECTIONS: [(&str, Kind, &str, &str); 2] = [
    (
        "countries",
        Kind::Country,
        "Countries",
        "Countries with their outlines (Natural Earth 1:10m, simplified to about 1 km) and names in the gazetteer's languages.",
    ),
    (
        "regions",
        Kind::Region,
        "First-level regions",
        "First-level administrative regions with their outlines (Natural Earth admin-1, simplified to about 1 km; regions Natural Earth lacks approximated from their settlements) and names in the gazetteer's languages.",
    ),
];

/// `GET /collections/{countries|regions}[/items[/{areaId}]]`, for the route table.
pub fn endpoints() -> Vec<Endpoint> {
    COLLECTIONS
        .iter()
        .flat_map(|&(id, kind, title, _)| {
            [
                Endpoint::at(format!("/collections/{id}")).get(
                    move |State(s): State<AppState>, RawQuery(q): RawQuery, h: HeaderMap| async move {
                        no_params(q.as_deref())?;
                        Ok::<_, ApiError>(json_response(collection(id, &s.base_url(&h))))
                    },
                    api::describe_areas(id, title),
                ),
                Endpoint::at(format!("/collections/{id}/items")).get(
                    move |State(s): State<AppState>, RawQuery(q): RawQuery, h: HeaderMap| {
                        items(s, id, kind, q, h)
                    },
                    api::get_areas(id, title),
                ),
                Endpoint::at(format!("/collections/{id}/items/{{areaId}}")).get(
                    move |State(s): State<AppState>,
                          Path(area): Path<String>,
                          RawQuery(q): RawQuery,
                          h: HeaderMap| async move {
                        one(s, id, kind, &area, q, h).await
                    },
                    api::get_area(id, title),
                ),
            ]
        })
        .collect()
}

/// The kind of place a collection id names, if it names an area collection.
pub fn kind_of(collection: &str) -> Option<Kind> {
    COLLECTIONS.iter().find(|c| c.0 == collection).map(|c| c.1)
}

const MAX_LIMIT: usize = 1000;
const DEFAULT_LIMIT: usize = 10;
/// The deepest `zoom` that simplifies: beyond it the stored outline is finer than a pixel.
const MAX_ZOOM: u8 = 12;

const LIMIT: Param = Param::new(
    "limit",
    "Features per page, default 10; above 1,000 the page holds 1,000.",
    params::Kind::Int {
        min: 1,
        max: MAX_LIMIT as u64,
        default: Some(DEFAULT_LIMIT as u64),
        clamp: true,
    },
);
const BBOX: Param = Param::new(
    "bbox",
    "Only areas whose outline's box meets this one: lon,lat,lon,lat (west, south, east, north).",
    params::Kind::Bbox,
);
const COUNTRY: Param = Param::new(
    "country",
    "Only this country's (ISO 3166-1 alpha-2).",
    params::Kind::Country,
);
const ZOOM: Param = Param::new(
    "zoom",
    "Simplify the outlines to a pixel at this zoom (256-px tiles); without it, the outlines as stored (about 1 km).",
    params::Kind::Int {
        min: 0,
        max: MAX_ZOOM as u64,
        default: None,
        clamp: false,
    },
);
/// The query parameters of the areas' items.
pub const ITEMS: &[Param] = &[
    LIMIT,
    OFFSET,
    BBOX,
    COUNTRY,
    ZOOM,
    F_GEOJSON,
    crs::CRS,
    crs::BBOX_CRS,
];
/// The query parameters of one area.
pub const ONE: &[Param] = &[ZOOM, F_GEOJSON, crs::CRS];

/// A collection's metadata.
pub fn collection(id: &str, base: &str) -> Value {
    let (id, _, title, description) = COLLECTIONS
        .iter()
        .find(|c| c.0 == id)
        .expect("an area collection");
    json!({
        "id": id,
        "title": title,
        "description": description,
        "itemType": "feature",
        "crs": crs::SUPPORTED,
        "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [[-180.0, -90.0, 180.0, 90.0]], "crs": CRS84}},
        "links": [
            link("self", "application/json", title, format!("{base}/collections/{id}")),
            link("items", "application/geo+json", &format!("{title} as GeoJSON"), format!("{base}/collections/{id}/items")),
        ],
    })
}

/// The places of a kind that have an outline, in id order, with the filters applied.
fn matching<'g>(
    gaz: &'g Gazetteer,
    kind: Kind,
    country: Option<&str>,
    bbox: Option<&Bbox>,
) -> Vec<(u32, &'g MultiPolygon<f64>)> {
    let mut out: Vec<(u32, &MultiPolygon<f64>)> = gaz
        .outlines()
        .iter()
        .filter(|(i, _)| {
            let p = gaz.place_at(*i);
            p.kind == kind && country.is_none_or(|c| p.country == c)
        })
        .filter(|(_, o)| {
            bbox.is_none_or(|b| {
                use geo::{BoundingRect, Intersects};
                // The outline's box first (cheap), then the outline itself: the box of an
                // area across the antimeridian (Chukotka, Fiji) spans the whole world.
                o.bounding_rect().is_some_and(|r| {
                    b.parts().iter().any(|p| {
                        r.min().x <= p.east
                            && r.max().x >= p.west
                            && r.min().y <= p.north
                            && r.max().y >= p.south
                            && o.intersects(&geo::Rect::new(
                                geo::coord! { x: p.west, y: p.south },
                                geo::coord! { x: p.east, y: p.north },
                            ))
                    })
                })
            })
        })
        .collect();
    out.sort_by_key(|(i, _)| gaz.place_at(*i).id);
    out
}

/// One area as a GeoJSON feature, its outline simplified to a pixel at `zoom` if given, in
/// the axis order of `crs`.
fn feature(
    gaz: &Gazetteer,
    i: u32,
    outline: &MultiPolygon<f64>,
    zoom: Option<u8>,
    crs: Crs,
) -> Value {
    let p = gaz.place_at(i);
    let shape = match zoom {
        Some(z) => outline.simplify(360.0 / (256.0 * (1u64 << z) as f64)),
        None => outline.clone(),
    };
    let shape = match crs {
        Crs::Crs84 => shape,
        Crs::Epsg4326 => shape.map_coords(|c| geo::coord! { x: c.y, y: c.x }),
    };
    let geometry = geojson::Geometry::from(&shape);
    let names: serde_json::Map<String, Value> = gaz
        .area_names(i)
        .into_iter()
        .filter(|(lang, _)| !lang.is_empty())
        .map(|(lang, name)| (lang.to_string(), name.into()))
        .collect();
    json!({
        "type": "Feature",
        "id": p.id.to_string(),
        "geometry": geometry,
        "properties": {
            "name": p.name,
            "kind": p.kind.as_str(),
            "country": p.country,
            "admin1": if p.admin1.is_empty() { Value::Null } else { p.admin1.clone().into() },
            "names": names,
        },
    })
}

fn zoom_of(params: &Params) -> Result<Option<u8>, ApiError> {
    Ok(params.int(&ZOOM)?.map(|z| z as u8))
}

fn geojson_response(body: Value, tag: HeaderValue, max_age: u32, crs: Crs) -> Response {
    let bytes = serde_json::to_vec(&body).expect("JSON values serialize");
    let mut r = tagged(super::items::GEOJSON, tag, max_age, bytes.into());
    r.headers_mut().insert(crs::CONTENT_CRS, crs.header());
    r
}

fn check_format(params: &Params) -> Result<(), ApiError> {
    params.word(&F_GEOJSON).map(drop)
}

/// `GET /collections/{countries|regions}/items`.
async fn items(
    s: AppState,
    id: &'static str,
    kind: Kind,
    raw: Option<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::declared(raw.as_deref(), &[], ITEMS)?;
    check_format(&params)?;
    let limit = params.int(&LIMIT)?.unwrap_or(DEFAULT_LIMIT as u64) as usize;
    let offset = usize::try_from(params.int(&OFFSET)?.unwrap_or(0)).unwrap_or(usize::MAX);
    let out_crs = crs::requested(&params)?;
    let bbox_crs = crs::of_bbox(&params)?;
    let bbox = params
        .value(&BBOX)?
        .map(|b| Bbox::parse(&bbox_crs.bbox_to_crs84(b)))
        .transpose()
        .map_err(|e| ApiError::bad_request(format!("bbox: {}", e.0)))?;
    let country = params.country(&COUNTRY)?;
    let zoom = zoom_of(&params)?;
    // The outlines are fixed for the binary's life: the query alone tells one answer from
    // another.
    let tag = etag(&[
        b"areas",
        id.as_bytes(),
        raw.as_deref().unwrap_or("").as_bytes(),
    ]);
    if not_modified(&headers, &tag) {
        return Ok(super::items::not_modified_response(tag, s.opts.max_age));
    }
    let base = s.base_url(&headers);
    let app = s.app.clone();
    let pairs = params.pairs().to_vec();
    let id = id.to_string();
    let body = tokio::task::spawn_blocking(move || {
        let gaz = app.gazetteer();
        let all = matching(gaz, kind, country.as_deref(), bbox.as_ref());
        let page: Vec<Value> = all
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(i, o)| feature(gaz, *i, o, zoom, out_crs))
            .collect();
        let url = |o: usize| {
            let q = query_string(&pairs, &[("offset", o.to_string())]);
            format!("{base}/collections/{id}/items?{q}")
        };
        let mut links = vec![link(
            "self",
            "application/geo+json",
            "This page",
            url(offset),
        )];
        if offset + page.len() < all.len() {
            links.push(link(
                "next",
                "application/geo+json",
                "Next page",
                url(offset + limit),
            ));
        }
        if offset > 0 {
            links.push(link(
                "prev",
                "application/geo+json",
                "Previous page",
                url(offset.saturating_sub(limit)),
            ));
        }
        let now = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            });
        json!({
            "type": "FeatureCollection",
            "numberMatched": all.len(),
            "numberReturned": page.len(),
            "timeStamp": now,
            "links": links,
            "features": page,
        })
    })
    .await?;
    Ok(geojson_response(body, tag, s.opts.max_age, out_crs))
}

/// `GET /collections/{countries|regions}/items/{id}`.
async fn one(
    s: AppState,
    collection: &str,
    kind: Kind,
    id: &str,
    raw: Option<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::declared(raw.as_deref(), &[], ONE)?;
    check_format(&params)?;
    let zoom = zoom_of(&params)?;
    let out_crs = crs::requested(&params)?;
    let gaz = s.app.gazetteer();
    let found = id
        .parse::<u64>()
        .ok()
        .and_then(|n| gaz.index_of(n))
        .filter(|&i| gaz.place_at(i).kind == kind)
        .and_then(|i| gaz.outlines().of(i).map(|o| (i, o)));
    let Some((i, outline)) = found else {
        return Err(ApiError::not_found(format!(
            "no {} with id {id:?} and an outline",
            kind.as_str()
        )));
    };
    let tag = etag(&[
        b"area",
        id.as_bytes(),
        raw.as_deref().unwrap_or("").as_bytes(),
    ]);
    let base = s.base_url(&headers);
    let mut body = feature(gaz, i, outline, zoom, out_crs);
    // A feature served alone links to itself and to its collection (OGC API – Features,
    // /req/core/f-links).
    body["links"] = json!([
        link(
            "self",
            "application/geo+json",
            "This area",
            format!("{base}/collections/{collection}/items/{id}")
        ),
        link(
            "collection",
            "application/json",
            "The collection",
            format!("{base}/collections/{collection}")
        ),
    ]);
    Ok(geojson_response(body, tag, s.opts.max_age, out_crs))
}
