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
