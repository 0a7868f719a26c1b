//! Vector tiles (MVT) and OGC API – Tiles: read back with an independent MVT reader; the
//! counts of every zoom add up to the items' numberMatched; clusters part where they say.

use std::collections::{BTreeSet, HashMap};

use incidentmap::tiles::mercator::world_px;
use mvt_reader::feature::Value;

use crate::common::{TOKEN, TestServer};

/// A decoded feature: its layer, its properties, and its point in tile coordinates (0..4096).
pub type TileFeature = (String, HashMap<String, Value>, (f32, f32));

pub struct Decoded {
    pub features: Vec<TileFeature>,
}

impl Decoded {
    /// Incidents in the tile: a point counts one, a cluster its `count`.
    pub fn count(&self) -> u64 {
        self.features
            .iter()
            .map(|(layer, p, _)| match layer.as_str() {
                "incidents" => 1,
                _ => uint(&p["count"]),
            })
            .sum()
    }
}

pub fn uint(v: &Value) -> u64 {
    match v {
        Value::UInt(n) => *n,
        Value::Int(n) | Value::SInt(n) => *n as u64,
        other => panic!("not a count: {other:?}"),
    }
}

pub fn decode(bytes: Vec<u8>) -> Decoded {
    if bytes.is_empty() {
        return Decoded {
            features: Vec::new(),
        };
    }
    let reader = mvt_reader::Reader::new(bytes).expect("a valid MVT");
    let mut features = Vec::new();
    for (i, layer) in reader.get_layer_names().unwrap().into_iter().enumerate() {
        for f in reader.get_features(i).unwrap() {
            let p = match f.geometry {
                geo::Geometry::Point(p) => p,
                geo::Geometry::MultiPoint(m) if m.0.len() == 1 => m.0[0],
                other => panic!("features are single points: {other:?}"),
            };
            features.push((
                layer.clone(),
                f.properties.unwrap_or_default(),
                (p.x(), p.y()),
            ));
        }
    }
    Decoded { features }
}

pub async fn vector_tile(s: &TestServer, z: u8, x: u32, y: u32, query: &str) -> Decoded {
    let path = format!("/collections/incidents/tiles/WebMercatorQuad/{z}/{y}/{x}?{query}");
    let r = s.get(&path).await;
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.mapbox-vector-tile"
    );
    assert!(
        r.headers().get("content-encoding").is_none(),
        "no gzip unless asked"
    );
    decode(r.bytes().await.unwrap().to_vec())
}

/// Every tile of zoom `z` that holds an incident (from the items' points), and its
/// neighbours: GeoJSON rounds coordinates, which may move a point across a tile's edge.
pub async fn tiles_with_data(s: &TestServer, z: u8) -> BTreeSet<(u32, u32)> {
    let (_, body) = s.json("/collections/incidents/items?limit=10000").await;
    let n = 1i64 << z;
    body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            // As the server bins them: world pixels of zoom 16, then shifted (a point on a
            // tile's edge must land in the same tile both ways).
            let (x, y) = world_px(c[0].as_f64().unwrap(), c[1].as_f64().unwrap(), 16, 256);
            let max = ((1u64 << 24) - 1) as f64;
            let shift = 24 - z as u32;
            (
                (x.clamp(0.0, max) as u32) >> shift,
                (y.clamp(0.0, max) as u32) >> shift,
            )
        })
        .flat_map(|(x, y)| {
            (-1i64..=1)
                .flat_map(move |dx| (-1i64..=1).map(move |dy| (x as i64 + dx, y as i64 + dy)))
        })
        .filter(|&(x, y)| (0..n).contains(&x) && (0..n).contains(&y))
        .map(|(x, y)| (x as u32, y as u32))
        .collect()
}

/// The incidents the vector tiles of zoom `z` hold, with a filter.
pub async fn zoom_total(s: &TestServer, z: u8, tiles: &BTreeSet<(u32, u32)>, query: &str) -> u64 {
    let mut total = 0;
    for &(x, y) in tiles {
        total += vector_tile(s, z, x, y, query).await.count();
    }
    total
}

/// The features of zoom `z` whose points lie in a square of zoom-3 world pixels (x, y, side).
async fn features_in(
    s: &TestServer,
    z: u8,
    (x, y, side): (f64, f64, f64),
) -> Vec<HashMap<String, Value>> {
    let k = (1u64 << (z - 3)) as f64;
    let (x0, y0, x1, y1) = (x * k, y * k, (x + side) * k, (y + side) * k);
    let mut out = Vec::new();
    for tx in (x0 / 256.0) as u32..=((x1 - 1.0) / 256.0) as u32 {
        for ty in (y0 / 256.0) as u32..=((y1 - 1.0) / 256.0) as u32 {
            for (_, p, (px, py)) in vector_tile(s, z, tx, ty, "").await.features {
                let wx = tx as f64 * 256.0 + px as f64 / 16.0;
                let wy = ty as f64 * 256.0 + py as f64 / 16.0;
                if (x0..x1).contains(&wx) && (y0..y1).contains(&wy) {
                    out.push(p);
                }
            }
        }
    }
    out
}

async fn matched(s: &TestServer, query: &str) -> u64 {
    let (status, body) = s
        .json(&format!("/collections/incidents/items?limit=1&{query}"))
        .await;
    assert_eq!(status, 200, "{body}");
    body["numberMatched"].as_u64().unwrap()
}

#[tokio::test]
async fn the_counts_of_every_zoom_add_up_to_number_matched() {
    let s = crate::cql::server().await;
    for query in [
        "",
        "category=riot,protest&datetime=2023-02-01/2023-06-30T12:00:00Z",
        "precision=region,country",
    ] {
        let expected = matched(&s, query).await;
        assert!(expected > 0, "{query}");
        let zooms: Vec<u8> = if query.is_empty() {
            (0..=16).collect()
        } else {
            vec![0, 3, 6, 9, 12, 16]
        };
        for z in zooms {
            let tiles = tiles_with_data(&s, z).await;
            let total = zoom_total(&s, z, &tiles, query).await;
            assert_eq!(total, expected, "zoom {z}, filter {query:?}");
        }
    }
}

#[tokio::test]
async fn a_cluster_holds_together_until_its_expansion_zoom() {
    let s = crate::cql::server().await;
    let t0 = vector_tile(&s, 3, 5, 2, "").await;
    let clusters: Vec<_> = t0.features.iter().filter(|f| f.0 == "clusters").collect();
    assert!(!clusters.is_empty(), "the demo clusters at zoom 3");
    let mut checked = 0;
    for (_, props, (px, py)) in clusters {
        let count = uint(&props["count"]);
        assert!(count >= 2);
        let categories: u64 = incidentmap::model::Category::ALL
            .iter()
            .filter_map(|c| props.get(c.as_str()).map(uint))
            .sum();
        assert_eq!(categories, count, "per-category counts add up");
        let Some(ez) = props.get("expansion_zoom").map(uint) else {
            continue;
        };
        assert!(ez > 3);
        // The cluster's cell (1/8 of a z3 tile) seen at deeper zooms: one feature, the whole
        // cluster, the zoom before its expansion zoom; several at it.
        let cell = |v: f32| (v / 512.0).floor() as f64 * 32.0;
        let (cx, cy) = (5.0 * 256.0 + cell(*px), 2.0 * 256.0 + cell(*py));
        let before = ez as u8 - 1;
        let whole = features_in(&s, before, (cx, cy, 32.0)).await;
        assert_eq!(whole.len(), 1, "one feature at zoom {before}");
        assert_eq!(uint(&whole[0]["count"]), count, "whole at zoom {before}");
        let parted = features_in(&s, ez as u8, (cx, cy, 32.0)).await;
        assert!(parted.len() >= 2, "parted at zoom {ez}");
        let n: u64 = parted.iter().map(|p| p.get("count").map_or(1, uint)).sum();
        assert_eq!(n, count, "the parts hold the members");
        checked += 1;
    }
    assert!(checked > 0, "some cluster has an expansion zoom");
}

#[tokio::test]
async fn points_carry_their_properties_and_area_incidents_are_marked() {
    let s = TestServer::demo().await;
    let mut seen_area = false;
    let mut seen_exact = false;
    for (x, y) in tiles_with_data(&s, 12).await {
        for (layer, p, (px, py)) in vector_tile(&s, 12, x, y, "").await.features {
            assert!((0.0..4096.0).contains(&px) && (0.0..4096.0).contains(&py));
            if layer != "incidents" {
                continue;
            }
            for k in ["id", "occurred_at", "category", "precision", "area"] {
                assert!(p.contains_key(k), "{k} in {p:?}");
            }
            let Value::String(precision) = &p["precision"] else {
                panic!()
            };
            let area = p["area"] == Value::Bool(true);
            assert_eq!(area, precision == "region" || precision == "country");
            seen_area |= area;
            seen_exact |= !area;
        }
    }
    assert!(seen_area && seen_exact);
}

#[tokio::test]
async fn tiles_are_gzipped_when_asked_and_change_with_the_data() {
    let s = TestServer::writable_on(None).await;
    let path = "/collections/incidents/tiles/WebMercatorQuad/3/2/5";
    let r = s
        .client
        .get(s.url(path))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    let gz = r.bytes().await.unwrap();
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut raw).unwrap();
    let before = decode(raw).count();
    // Unchanged: 304.
    let r = s
        .client
        .get(s.url(path))
        .header("accept-encoding", "gzip")
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    // The plain bytes are another representation, with their own tag.
    let r = s
        .client
        .get(s.url(path))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_ne!(r.headers()["etag"].to_str().unwrap(), tag);
    // A write: a new ETag and one more incident.
    let r = s
        .client
        .post(s.url("/collections/incidents/items"))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [76.9, 43.25]},
            "properties": {"occurred_at": "2024-05-01", "category": "protest"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let r = s.get(path).await;
    assert_ne!(r.headers()["etag"].to_str().unwrap(), tag);
    assert_eq!(
        decode(r.bytes().await.unwrap().to_vec()).count(),
        before + 1
    );
}

#[tokio::test]
async fn ogc_tiles_metadata_leads_a_client_to_the_tiles() {
    let s = TestServer::demo().await;
    let (status, conf) = s.json("/conformance").await;
    assert_eq!(status, 200);
    let conf = conf.to_string();
    for c in [
        "ogcapi-tiles-1/1.0/conf/core",
        "conf/tileset",
        "conf/mvt",
        "conf/png",
    ] {
        assert!(conf.contains(c), "{c}");
    }
    // Collection → tilesets → tileset → item template → a tile, as OpenLayers walks it.
    let (_, coll) = s.json("/collections/incidents").await;
    let link = |doc: &serde_json::Value, rel: &str| {
        doc["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == rel)
            .unwrap_or_else(|| panic!("no {rel} link in {doc}"))["href"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let tilesets = link(
        &coll,
        "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
    );
    let (status, list) = s.json(tilesets.trim_start_matches(&s.url(""))).await;
    assert_eq!(status, 200);
    let ts_url = link(&list["tilesets"][0], "self");
    let (_, ts) = s.json(ts_url.trim_start_matches(&s.url(""))).await;
    assert_eq!(ts["dataType"], "vector");
    let tms = link(&ts, "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme");
    let (status, tms) = s.json(tms.trim_start_matches(&s.url(""))).await;
    assert_eq!(status, 200);
    assert_eq!(tms["tileMatrices"][3]["matrixWidth"], 8);
    let item = ts["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "item")
        .unwrap();
    assert_eq!(item["type"], "application/vnd.mapbox-vector-tile");
    let href = item["href"]
        .as_str()
        .unwrap()
        .replace("{tileMatrix}", "3")
        .replace("{tileRow}", "2")
        .replace("{tileCol}", "5");
    let r = s.get(href.trim_start_matches(&s.url(""))).await;
    assert_eq!(r.status(), 200);
    assert!(decode(r.bytes().await.unwrap().to_vec()).count() > 0);

    // The heat map is a map tileset of the same collection.
    let (_, maps) = s.json("/collections/incidents/map/tiles").await;
    let (_, map) = s
        .json(link(&maps["tilesets"][0], "self").trim_start_matches(&s.url("")))
        .await;
    assert_eq!(map["dataType"], "map");
    let r = s
        .get("/collections/incidents/map/tiles/WebMercatorQuad/3/2/5")
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");

    // TileJSON lists the layers and their fields; the style points at both sources.
    let (_, tj) = s
        .json("/collections/incidents/tiles/WebMercatorQuad/tilejson.json?category=riot")
        .await;
    assert_eq!(tj["tilejson"], "3.0.0");
    let layers: Vec<&str> = tj["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(layers, ["incidents", "clusters"]);
    assert_eq!(tj["vector_layers"][1]["fields"]["expansion_zoom"], "Number");
    let tile_url = tj["tiles"][0].as_str().unwrap();
    assert!(tile_url.contains("category=riot") && tile_url.contains("v="));
    let (status, style) = s.json("/style.json").await;
    assert_eq!(status, 200);
    assert_eq!(style["version"], 8);
    assert_eq!(style["sources"]["incidents"]["type"], "vector");
    assert_eq!(style["sources"]["heat"]["type"], "raster");
    let heat = style["sources"]["heat"]["url"].as_str().unwrap();
    assert!(heat.contains("/tiles/heat/tilejson.json"), "{heat}");
    assert_eq!(map["title"], "Heat map: Incidents");
}

#[tokio::test]
async fn heat_tilejson_bounds_cover_what_area_incidents_paint() {
    let s = TestServer::demo().await;
    let (_, items) = s.json("/collections/incidents").await;
    let points = &items["extent"]["spatial"]["bbox"][0];
    let (_, tj) = s.json("/tiles/heat/tilejson.json").await;
    let b = &tj["bounds"];
    // Strictly wider than the points on every side: the kernel reaches beyond them, and the
    // demo's region- and country-level incidents spread over their areas.
    assert!(b[0].as_f64().unwrap() < points[0].as_f64().unwrap());
    assert!(b[1].as_f64().unwrap() < points[1].as_f64().unwrap());
    assert!(b[2].as_f64().unwrap() > points[2].as_f64().unwrap());
    assert!(b[3].as_f64().unwrap() > points[3].as_f64().unwrap());
    // Every tile painted at zoom 5 lies within the bounds.
    let (west, south, east, north) = (
        b[0].as_f64().unwrap(),
        b[1].as_f64().unwrap(),
        b[2].as_f64().unwrap(),
        b[3].as_f64().unwrap(),
    );
    let (x0, y1) = world_px(west, south, 5, 256);
    let (x1, y0) = world_px(east, north, 5, 256);
    for x in 0..32u32 {
        for y in 0..32u32 {
            let r = s.get(&format!("/tiles/heat/5/{x}/{y}.png")).await;
            let img = image::load_from_memory(&r.bytes().await.unwrap())
                .unwrap()
                .to_rgba8();
            if img.pixels().any(|p| p.0[3] > 0) {
                let inside = (x as f64 + 1.0) * 256.0 > x0
                    && (x as f64) * 256.0 < x1
                    && (y as f64 + 1.0) * 256.0 > y0
                    && (y as f64) * 256.0 < y1;
                assert!(inside, "tile 5/{x}/{y} is painted but outside the bounds");
            }
        }
    }
}

#[tokio::test]
async fn bad_vector_tile_requests_are_named() {
    let s = TestServer::demo().await;
    s.expect_error(
        "/collections/incidents/tiles/WebMercatorQuad/3/9/1",
        404,
        "no such tile",
    )
    .await;
    s.expect_error(
        "/collections/incidents/tiles/WebMercatorQuad/30/0/0",
        400,
        "zoom",
    )
    .await;
    s.expect_error(
        "/collections/incidents/tiles/WorldCRS84Quad/3/2/5",
        404,
        "WebMercatorQuad",
    )
    .await;
    s.expect_error("/collections/other/tiles", 404, "incidents")
        .await;
    s.expect_error(
        "/collections/incidents/tiles/WebMercatorQuad/3/2/5?category=riott",
        400,
        "riott",
    )
    .await;
    s.expect_error(
        "/collections/incidents/tiles/WebMercatorQuad/3/2/5?colour=red",
        400,
        "colour",
    )
    .await;
    // Beyond the deepest zoom: empty, for clients that overzoom anyway.
    let r = s
        .get("/collections/incidents/tiles/WebMercatorQuad/18/0/0")
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().is_empty());
}
