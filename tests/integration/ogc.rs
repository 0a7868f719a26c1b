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
