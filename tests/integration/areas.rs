//! `/collections/countries` and `/collections/regions` (issue #17, item 3): the gazetteer's
//! areas with their outlines and names, as OGC API – Features collections.

use crate::common::TestServer;

fn vertices(geometry: &serde_json::Value) -> usize {
    geometry["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|poly| poly.as_array().unwrap())
        .map(|ring| ring.as_array().unwrap().len())
        .sum()
}

#[tokio::test]
async fn the_collections_list_the_areas_beside_the_incidents() {
    let s = TestServer::demo().await;
    let (_, c) = s.json("/collections").await;
    let ids: Vec<&str> = c["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["incidents", "countries", "regions"]);
    let (st, regions) = s.json("/collections/regions").await;
    assert_eq!(st, 200);
    assert!(
        regions["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["rel"] == "items")
    );
}

#[tokio::test]
async fn kazakhstan_s_regions_with_outlines_and_names() {
    let s = TestServer::demo().await;
    let (st, page) = s
        .json("/collections/regions/items?country=kz&limit=100")
        .await;
    assert_eq!(st, 200, "{page}");
    let features = page["features"].as_array().unwrap();
    assert_eq!(page["numberMatched"].as_u64(), Some(features.len() as u64));
    assert!(features.len() >= 17, "{} regions", features.len());
    let zhambyl = features
        .iter()
        .find(|f| f["properties"]["name"] == "Zhambyl")
        .expect("Zhambyl");
    assert_eq!(zhambyl["id"], "1524444");
    assert_eq!(zhambyl["geometry"]["type"], "MultiPolygon");
    assert_eq!(zhambyl["properties"]["admin1"], "KZ.17");
    let names = &zhambyl["properties"]["names"];
    assert!(names["ar"].as_str().unwrap().contains("جامبيل"), "{names}");
    assert!(
        names["ru"].is_string() && names["kk"].is_string(),
        "{names}"
    );
    // The regions of 2022 are there too (approximate outlines).
    assert!(
        features
            .iter()
            .any(|f| f["properties"]["name"] == "Abai Region")
    );

    // One by id; simplified for a zoom, with fewer vertices.
    let (_, full) = s.json("/collections/regions/items/1524444").await;
    let (_, coarse) = s.json("/collections/regions/items/1524444?zoom=4").await;
    assert!(
        vertices(&coarse["geometry"]) < vertices(&full["geometry"]) / 2,
        "{} vs {}",
        vertices(&coarse["geometry"]),
        vertices(&full["geometry"])
    );
    let (st, country) = s.json("/collections/countries/items/1522867").await;
    assert_eq!(st, 200);
    assert_eq!(country["properties"]["country"], "KZ");
    assert!(country["properties"]["admin1"].is_null());
}

#[tokio::test]
async fn paging_and_boxes() {
    let s = TestServer::demo().await;
    let (_, first) = s.json("/collections/countries/items?limit=100").await;
    let total = first["numberMatched"].as_u64().unwrap();
    assert!(total > 200, "{total} countries");
    let next = first["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .expect("a next link")["href"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        next.contains("offset=100") && next.contains("limit=100"),
        "{next}"
    );
    // A box over Central Asia holds Kazakhstan and not France.
    let (_, boxed) = s
        .json("/collections/countries/items?bbox=60,40,80,50&limit=100")
        .await;
    let names: Vec<&str> = boxed["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Kazakhstan") && !names.contains(&"France"),
        "{names:?}"
    );
}

#[tokio::test]
async fn mistakes_are_named() {
    let s = TestServer::demo().await;
    for (path, needle) in [
        ("/collections/regions/items?zoom=13", "zoom"),
        ("/collections/regions/items?country=KAZ", "country"),
        ("/collections/regions/items?limit=0", "limit"),
        ("/collections/regions/items?bbox=1,2,3", "bbox"),
        ("/collections/regions/items?colour=red", "colour"),
        ("/collections/regions/items?f=csv", "f"),
    ] {
        let (st, body) = s.json(path).await;
        assert_eq!(st, 400, "{path}: {body}");
        assert!(
            body["description"].as_str().unwrap().contains(needle),
            "{path}: {body}"
        );
    }
    let (st, _) = s.json("/collections/regions/items/1522867").await; // a country
    assert_eq!(st, 404);
    let (st, _) = s.json("/collections/countries/items/nothing").await;
    assert_eq!(st, 404);
    // Read-only: writes are not a method these resources have, token or not.
    let client = reqwest::Client::new();
    for (method, path) in [
        (reqwest::Method::POST, "/collections/regions/items"),
        (reqwest::Method::PUT, "/collections/countries/items/1522867"),
        (
            reqwest::Method::DELETE,
            "/collections/regions/items/1524444",
        ),
    ] {
        let r = client
            .request(method.clone(), s.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{method} {path}");
    }
}

/// The five towns the January 2022 reports name, as the base map labels them at zoom 5.
const KZ_TOWNS: [(&str, &str); 5] = [
    ("1526384", "Almaty"),
    ("610612", "Aktau"),
    ("607610", "Zhanaozen"),
    ("1519922", "Kyzylorda"),
    ("1516905", "Taraz"),
];

#[tokio::test]
async fn the_base_map_names_kazakhstan_s_towns_at_zoom_5_in_the_language_asked() {
    let s = TestServer::demo().await;
    let view = "bbox=46,40,88,56";
    for z in [5, 6] {
        let (st, fc) = s.json(&format!("/basemap/labels?zoom={z}&{view}")).await;
        assert_eq!(st, 200, "{fc}");
        let features = fc["features"].as_array().unwrap();
        for (id, name) in KZ_TOWNS {
            let f = features
                .iter()
                .find(|f| f["id"] == id)
                .unwrap_or_else(|| panic!("{name} not labelled at zoom {z}"));
            assert_eq!(f["properties"]["name"], name);
            assert!(f["properties"]["minzoom"].as_u64().unwrap() <= 5);
        }
        // Zoom 6 names more towns than zoom 5, all of zoom 5's among them.
        if z == 6 {
            let (_, z5) = s.json(&format!("/basemap/labels?zoom=5&{view}")).await;
            let z5 = z5["features"].as_array().unwrap();
            assert!(
                features.len() > z5.len(),
                "{} > {}",
                features.len(),
                z5.len()
            );
        }
    }
    let (_, ar) = s
        .json(&format!("/basemap/labels?zoom=5&{view}&lang=ar"))
        .await;
    let almaty = ar["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "1526384")
        .unwrap();
    assert_eq!(almaty["properties"]["name"], "ألماتي");
    assert_eq!(almaty["properties"]["lang"], "ar");
    let (_, kk) = s
        .json(&format!("/basemap/labels?zoom=5&{view}&lang=kk"))
        .await;
    let zhanaozen = kk["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "607610")
        .unwrap();
    assert_eq!(
        zhanaozen["properties"]["name"], "Жаңаөзен",
        "Cyrillic Kazakh"
    );
    // The whole world at zoom 2: countries and the largest towns only.
    let (_, world) = s.json("/basemap/labels?zoom=2&limit=5000").await;
    let world = world["features"].as_array().unwrap();
    assert!(world.iter().any(|f| f["properties"]["kind"] == "country"));
    assert!(world.len() < 300, "{} labels at zoom 2", world.len());
}

#[tokio::test]
async fn bad_label_queries_are_400_naming_the_parameter() {
    let s = TestServer::demo().await;
    for (q, word) in [
        ("", "zoom"),
        ("zoom=x", "zoom"),
        ("zoom=30", "zoom"),
        ("zoom=3&lang=arabic", "lang"),
        ("zoom=3&bbox=1,2", "bbox"),
        ("zoom=3&limit=0", "limit"),
        ("zoom=3&style=x", "style"),
    ] {
        let (st, body) = s.json(&format!("/basemap/labels?{q}")).await;
        assert_eq!(st, 400, "{q}: {body}");
        assert!(
            body["description"].as_str().unwrap().contains(word),
            "{q}: {body}"
        );
    }
}

/// The base map's vector tile over Almaty at zoom 6, read back with an independent reader:
/// land, borders (as lines), regions with their admin1 codes, and the names of the zoom.
#[tokio::test]
async fn the_base_map_as_vector_tiles_holds_land_borders_regions_and_names() {
    use incidentmap::tiles::mercator::world_px;
    let s = TestServer::demo().await;
    let (x, y) = world_px(76.91, 43.25, 6, 256);
    let (x, y) = ((x / 256.0) as u32, (y / 256.0) as u32);
    let r = s.get(&format!("/basemap/tiles/6/{x}/{y}.mvt")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.mapbox-vector-tile"
    );
    let reader = mvt_reader::Reader::new(r.bytes().await.unwrap().to_vec()).expect("a valid MVT");
    let names = reader.get_layer_names().unwrap();
    assert_eq!(names, ["countries", "regions", "borders", "places"]);
    let mut seen: std::collections::HashMap<String, Vec<mvt_reader::feature::Feature>> =
        Default::default();
    for (i, layer) in names.iter().enumerate() {
        seen.insert(layer.clone(), reader.get_features(i).unwrap());
    }
    let prop = |f: &mvt_reader::feature::Feature, k: &str| match f
        .properties
        .as_ref()
        .and_then(|p| p.get(k))
    {
        Some(mvt_reader::feature::Value::String(s)) => s.clone(),
        other => format!("{other:?}"),
    };
    let countries: Vec<String> = seen["countries"].iter().map(|f| prop(f, "name")).collect();
    assert!(
        countries.contains(&"Kazakhstan".to_string()),
        "{countries:?}"
    );
    assert!(seen["countries"].iter().all(|f| matches!(
        f.geometry,
        geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_)
    )));
    let regions: Vec<String> = seen["regions"].iter().map(|f| prop(f, "admin1")).collect();
    assert!(
        regions.contains(&"KZ.02".to_string()),
        "Almaty region: {regions:?}"
    );
    assert!(seen["borders"].iter().all(|f| matches!(
        f.geometry,
        geo::Geometry::LineString(_) | geo::Geometry::MultiLineString(_)
    )));
    let almaty = seen["places"]
        .iter()
        .find(|f| prop(f, "name") == "Almaty")
        .expect("Almaty named at zoom 6");
    assert_eq!(prop(almaty, "name_ar"), "ألماتي");
    assert_eq!(prop(almaty, "name_ru"), "Алматы");
    // Gzip when asked; the TileJSON and style point at these tiles.
    let gz = s
        .client
        .get(s.url(&format!("/basemap/tiles/6/{x}/{y}")))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let (st, tj) = s.json("/basemap/tilejson.json").await;
    assert_eq!(st, 200);
    assert!(
        tj["tiles"][0]
            .as_str()
            .unwrap()
            .ends_with("/basemap/tiles/{z}/{x}/{y}.mvt")
    );
    assert_eq!(tj["vector_layers"].as_array().unwrap().len(), 4);
    let (st, style) = s.json("/basemap/style.json").await;
    assert_eq!(st, 200);
    assert!(
        style["sources"]["basemap"]["url"]
            .as_str()
            .unwrap()
            .ends_with("/basemap/tilejson.json")
    );
    // Open sea far from any name: an empty tile, still a 200.
    let r = s.get("/basemap/tiles/8/10/150").await;
    assert_eq!(r.status(), 200);
    for (bad, status) in [
        ("/basemap/tiles/6/99/1", 404),
        ("/basemap/tiles/6/1/x", 404),
        ("/basemap/tiles/x/1/1", 404),
        ("/basemap/tiles/%7Bz%7D/%7Bx%7D/%7By%7D.mvt", 404),
        ("/basemap/tiles/30/1/1", 400),
    ] {
        let (st, body) = s.json(bad).await;
        assert_eq!(st, status, "{bad}: {body}");
    }
}
