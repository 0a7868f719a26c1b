//! OGC API – Features resources: landing, conformance, collections, queryables, the API
//! definition, CSV, content negotiation.

use crate::common::{TOKEN, TestServer};

fn link<'a>(doc: &'a serde_json::Value, rel: &str) -> &'a serde_json::Value {
    doc["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == rel)
        .unwrap_or_else(|| panic!("no {rel} link in {doc}"))
}

#[tokio::test]
async fn the_landing_page_links_everything_with_types() {
    let s = TestServer::demo().await;
    let (_, d) = s.json("/").await;
    for rel in ["self", "service-desc", "service-doc", "conformance", "data"] {
        assert!(link(&d, rel)["type"].is_string(), "{rel}");
    }
    assert_eq!(
        link(&d, "service-desc")["type"],
        "application/vnd.oai.openapi+json;version=3.0"
    );
    assert_eq!(link(&d, "service-desc")["href"], s.url("/api"));
    let (_, c) = s.json("/conformance").await;
    let classes: Vec<&str> = c["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"));
    assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"));
}

#[tokio::test]
async fn the_collection_has_its_extent_from_the_data() {
    let s = TestServer::demo().await;
    let (_, all) = s.json("/collections").await;
    // The incidents, then the areas they are counted in (tests/integration/areas.rs).
    assert_eq!(all["collections"][0]["id"], "incidents");
    let (status, c) = s.json("/collections/incidents").await;
    assert_eq!(status, 200);
    assert_eq!(c["itemType"], "feature");
    let b = &c["extent"]["spatial"]["bbox"][0];
    assert!(
        b[0].as_f64().unwrap() > 45.0 && b[2].as_f64().unwrap() < 90.0,
        "{b}"
    );
    let t = &c["extent"]["temporal"]["interval"][0];
    assert_eq!(t[0], "2022-01-02T00:00:00Z");
    assert!(t[1].as_str().unwrap().starts_with("2022-01-09T23:59:59"));
    assert_eq!(link(&c, "items")["type"], "application/geo+json");
    assert!(
        c["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["href"].as_str().unwrap().ends_with("tilejson.json"))
    );
    s.expect_error("/collections/events", 404, "incidents")
        .await;
    s.expect_error("/collections/events/items", 404, "incidents")
        .await;
}

#[tokio::test]
async fn queryables_are_a_json_schema() {
    let s = TestServer::demo().await;
    let r = s.get("/collections/incidents/queryables").await;
    assert_eq!(r.headers()["content-type"], "application/schema+json");
    let q: serde_json::Value = r.json().await.unwrap();
    assert_eq!(q["type"], "object");
    assert!(
        q["properties"]["category"]["enum"]
            .as_array()
            .unwrap()
            .len()
            >= 9
    );
    assert!(q["properties"]["fatalities"]["type"] == "integer");
}

#[tokio::test]
async fn the_api_document_is_self_contained_and_declares_every_parameter() {
    // Writable, so that the operations for token holders can be asked too.
    let s = TestServer::writable_on(None).await;
    let r = s.get("/api").await;
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.oai.openapi+json;version=3.0"
    );
    let text = r.text().await.unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    // every $ref points inside the document
    for (i, _) in text.match_indices("\"$ref\"") {
        let rest = &text[i + 7..];
        let target = rest.trim_start_matches([':', ' ', '"']);
        assert!(
            target.starts_with("#/"),
            "external $ref near {}",
            &text[i..i + 60]
        );
    }
    // Every GET operation declares exactly the query parameters its endpoint accepts: an
    // unknown one is refused with the list of those the endpoint takes, and that list must be
    // the document's.
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else { continue };
        let mut declared: Vec<String> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| match p["$ref"].as_str() {
                Some(r) => doc["components"]["parameters"][r.rsplit('/').next().unwrap()].clone(),
                None => p.clone(),
            })
            .filter(|p| p["in"] == "query")
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        declared.sort();
        let url = path
            .replace("{collectionId}", "incidents")
            .replace("{tileMatrixSetId}", "WebMercatorQuad")
            .replace("{style}", "heat")
            .replace("{featureId}", "no-such-id")
            .replace("{areaId}", "1")
            .replace("{reportId}", "rep-none")
            .replace("{jobId}", "job-none")
            .replace("{id}", "WebMercatorQuad");
        // Raster tiles are named with their image type.
        let url = match url.strip_prefix("/tiles/") {
            Some(_) => url.replace("{y}", "0.png"),
            None => url,
        };
        let url = [
            "{tileMatrix}",
            "{tileRow}",
            "{tileCol}",
            "{z}",
            "{x}",
            "{y}",
        ]
        .iter()
        .fold(url, |u, v| u.replace(v, "0"));
        assert!(
            !url.contains('{'),
            "{url}: a path parameter this test does not fill"
        );
        let r = reqwest::Client::new()
            .get(s.url(&format!("{url}?zz_unknown=1")))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{url}: an unknown parameter is accepted");
        let e: serde_json::Value = r.json().await.unwrap();
        let d = e["description"].as_str().unwrap();
        let mut accepted: Vec<String> = match d.split_once("this endpoint accepts ") {
            Some((_, list)) => list.split(", ").map(String::from).collect(),
            None => {
                assert!(d.ends_with("takes none"), "{url}: {d}");
                vec![]
            }
        };
        accepted.sort();
        assert_eq!(
            accepted, declared,
            "{url}: accepted (left) and declared (right) differ"
        );
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} operations checked");
    let html = s.get("/api.html").await.text().await.unwrap();
    assert!(html.contains("/collections/incidents/items"));
}

#[tokio::test]
async fn csv_for_spreadsheets() {
    let s = TestServer::demo().await;
    let r = s.get("/collections/incidents/items?f=csv&limit=100").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = r.text().await.unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("event_id_cnty,event_date,year,event_type,sub_event_type,country,admin1,location,latitude,longitude,geo_precision"));
    assert_eq!(text.lines().count(), 19, "a header and the 18 incidents");
    assert!(text.contains("kz22-011,2022-01-09,2022,Riots,Violent demonstration,Kazakhstan"));
    let by_accept = s
        .client
        .get(s.url("/collections/incidents/items?limit=2"))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert!(
        by_accept.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let refused = s
        .client
        .get(s.url("/collections/incidents/items"))
        .header("accept", "application/xml")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 406);
    // GDAL's GeoJSON driver asks for text/plain: it gets GeoJSON, never a 406
    let gdal = s
        .client
        .get(s.url("/collections/incidents/items"))
        .header("accept", "text/plain, application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(gdal.headers()["content-type"], "application/geo+json");
}

#[tokio::test]
async fn large_pages_stream_and_still_parse() {
    let s = TestServer::empty().await;
    let app = s.app.clone();
    tokio::task::spawn_blocking(move || {
        let gaz = app.gazetteer();
        let opts = incidentmap::synth::SynthOptions {
            count: 5000,
            seed: 9,
            ..Default::default()
        };
        let changes = incidentmap::synth::generate(gaz, &opts)
            .unwrap()
            .map(incidentmap::store::Change::Put)
            .collect();
        app.write(changes, "test").unwrap();
    })
    .await
    .unwrap();
    let (status, fc) = s
        .json("/collections/incidents/items?limit=4000&offset=500")
        .await;
    assert_eq!(status, 200);
    assert_eq!(fc["numberReturned"], 4000);
    assert_eq!(fc["features"].as_array().unwrap().len(), 4000);
    assert_eq!(fc["numberMatched"], 5000);
    let next = link(&fc, "next")["href"].as_str().unwrap();
    assert!(
        next.contains("offset=4500") && next.contains("limit=4000"),
        "{next}"
    );
}

/// OGC API – Features Part 2: EPSG:4326 (latitude first) beside CRS84, for the answer and for
/// `bbox`, said in `Content-Crs`; anything else is refused by name.
#[tokio::test]
async fn features_in_epsg_4326_are_latitude_first() {
    const EPSG_4326: &str = "http://www.opengis.net/def/crs/EPSG/0/4326";
    let s = TestServer::demo().await;
    let (_, c) = s.json("/conformance").await;
    assert!(
        c["conformsTo"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs")
    );
    let (_, coll) = s.json("/collections/incidents").await;
    assert!(
        coll["crs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == EPSG_4326)
    );

    let lonlat = s
        .get("/collections/incidents/items?bbox=76.7,43.1,77.2,43.45&limit=100")
        .await;
    assert_eq!(
        lonlat.headers()["content-crs"],
        "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    );
    let lonlat: serde_json::Value = lonlat.json().await.unwrap();
    let q = format!(
        "/collections/incidents/items?bbox=43.1,76.7,43.45,77.2&bbox-crs={EPSG_4326}&crs={EPSG_4326}&limit=100"
    );
    let latlon = s.get(&q).await;
    assert_eq!(latlon.status(), 200);
    assert_eq!(latlon.headers()["content-crs"], format!("<{EPSG_4326}>"));
    let latlon: serde_json::Value = latlon.json().await.unwrap();
    let features = |d: &serde_json::Value| d["features"].as_array().unwrap().clone();
    assert!(!features(&lonlat).is_empty());
    assert_eq!(features(&lonlat).len(), features(&latlon).len());
    for (a, b) in features(&lonlat).iter().zip(features(&latlon).iter()) {
        assert_eq!(a["id"], b["id"]);
        let (ca, cb) = (&a["geometry"]["coordinates"], &b["geometry"]["coordinates"]);
        assert_eq!((&ca[0], &ca[1]), (&cb[1], &cb[0]), "{}", a["id"]);
    }
    // One incident, and an area, in EPSG:4326 too.
    let one = s
        .get(&format!(
            "/collections/incidents/items/kz22-011?crs={EPSG_4326}"
        ))
        .await;
    assert_eq!(one.headers()["content-crs"], format!("<{EPSG_4326}>"));
    let one: serde_json::Value = one.json().await.unwrap();
    let lat = one["geometry"]["coordinates"][0].as_f64().unwrap();
    assert!((40.0..56.0).contains(&lat), "latitude first: {one}");
    s.expect_error(
        "/collections/incidents/items?crs=http://www.opengis.net/def/crs/EPSG/0/3857",
        400,
        "crs",
    )
    .await;
    s.expect_error(
        "/collections/incidents/items?bbox=1,2,3,4&bbox-crs=EPSG:4326",
        400,
        "bbox-crs",
    )
    .await;
}

/// Areas are filtered by their outlines, not by their boxes: the box of a region across the
/// antimeridian (Chukotka) spans the world, yet it is nowhere near Europe. And an area served
/// alone links to itself and to its collection.
#[tokio::test]
async fn areas_meet_a_bbox_by_their_outlines_and_link_to_themselves() {
    let s = TestServer::demo().await;
    let (_, d) = s
        .json("/collections/regions/items?bbox=5,48,20,70&limit=10000&zoom=4")
        .await;
    let names: Vec<&str> = d["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["name"].as_str().unwrap())
        .collect();
    assert!(!names.is_empty());
    assert!(
        !names.iter().any(|n| n.contains("Chukot")),
        "a region across the antimeridian matched a box in Europe: {names:?}"
    );
    let first = &d["features"][0]["id"];
    let (status, one) = s
        .json(&format!(
            "/collections/regions/items/{}?zoom=3",
            first.as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200);
    assert!(
        link(&one, "self")["href"]
            .as_str()
            .unwrap()
            .ends_with(first.as_str().unwrap())
    );
    assert_eq!(link(&one, "collection")["type"], "application/json");
}
