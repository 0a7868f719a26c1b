use crate::common::{ALMATY_ID, TestServer, point_of};

#[tokio::test]
async fn a_bbox_around_almaty_returns_the_almaty_incidents_at_almatys_point() {
    let s = TestServer::demo().await;
    let (status, fc) = s
        .json("/collections/incidents/items?bbox=76.7,43.1,77.2,43.45&limit=100")
        .await;
    assert_eq!(status, 200);
    assert_eq!(fc["type"], "FeatureCollection");
    let features = fc["features"].as_array().unwrap();
    assert!(features.len() >= 5, "{fc}");
    assert_eq!(fc["numberMatched"], features.len());
    assert_eq!(fc["numberReturned"], features.len());
    let (lon, lat) = point_of(ALMATY_ID);
    for f in features {
        let p = &f["properties"];
        assert_eq!(p["place_id"], ALMATY_ID, "{f}");
        let c = &f["geometry"]["coordinates"];
        assert!((c[0].as_f64().unwrap() - lon).abs() < 1e-5, "{f}");
        assert!((c[1].as_f64().unwrap() - lat).abs() < 1e-5, "{f}");
    }
    // The 103 deaths are among them, with the place as the Arabic report gave it.
    let deaths = features
        .iter()
        .find(|f| f["properties"]["fatalities"] == 103)
        .expect("the 103 deaths in Almaty");
    assert_eq!(deaths["properties"]["place"], "ألما آتا");
    assert_eq!(deaths["properties"]["precision"], "city");
}

#[tokio::test]
async fn country_wide_totals_are_country_precision() {
    let s = TestServer::demo().await;
    let (_, fc) = s
        .json("/collections/incidents/items?precision=country&limit=100")
        .await;
    let features = fc["features"].as_array().unwrap();
    assert!(features.len() >= 3);
    let arrests: u64 = features
        .iter()
        .filter_map(|f| f["properties"]["arrested"].as_u64())
        .sum();
    assert_eq!(
        arrests, 5169,
        "the nationwide remainder (5,969 less 800 in Almaty)"
    );
    // All 164 deaths reported on 9 January are accounted for, once each.
    let (_, all) = s
        .json("/collections/incidents/items?datetime=2022-01-09&category=riot&limit=100")
        .await;
    let deaths: u64 = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["fatalities"].as_u64())
        .sum();
    assert_eq!(deaths, 164);
}

#[tokio::test]
async fn paging_links_keep_every_filter() {
    let s = TestServer::demo().await;
    let first = "/collections/incidents/items?category=protest,riot&limit=2";
    let (_, fc) = s.json(first).await;
    let total = fc["numberMatched"].as_u64().unwrap();
    assert!(total > 4);
    let mut seen = vec![];
    let mut next = Some(s.url(first));
    while let Some(url) = next {
        let v: serde_json::Value = s
            .client
            .get(&url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for f in v["features"].as_array().unwrap() {
            let c = f["properties"]["category"].as_str().unwrap();
            assert!(c == "protest" || c == "riot");
            seen.push(f["id"].as_str().unwrap().to_string());
        }
        next = v["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
            .map(|l| {
                assert_eq!(l["type"], "application/geo+json");
                l["href"].as_str().unwrap().to_string()
            });
    }
    let n = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(
        (n as u64, seen.len() as u64),
        (total, total),
        "every feature once"
    );
}

#[tokio::test]
async fn one_feature_by_id_and_a_clear_404() {
    let s = TestServer::demo().await;
    let r = s.get("/collections/incidents/items/kz22-011").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/geo+json");
    let etag = r.headers()["etag"].clone();
    let f: serde_json::Value = r.json().await.unwrap();
    assert_eq!(f["type"], "Feature");
    assert_eq!(f["properties"]["fatalities"], 103);
    let again = s
        .client
        .get(s.url("/collections/incidents/items/kz22-011"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    s.expect_error("/collections/incidents/items/nope", 404, "\"nope\"")
        .await;
}

#[tokio::test]
async fn bad_queries_get_a_400_that_names_the_problem() {
    let s = TestServer::demo().await;
    let items = "/collections/incidents/items";
    for (q, needle) in [
        ("bbox=1,2,3", "expected 4 numbers"),
        ("bbox=0,0,200,1", "outside -180..180"),
        ("bbox=0,50,1,10", "greater than north"),
        ("bbox=a,b,c,d", "not a number"),
        ("limit=0", "at least 1"),
        ("limit=-5", "limit"),
        ("offset=x", "offset"),
        ("datetime=yesterday", "datetime"),
        ("category=party", "party"),
        ("bbbox=1,2,3,4", "unknown query parameter \"bbbox\""),
        ("limit=5&limit=6", "more than once"),
    ] {
        s.expect_error(&format!("{items}?{q}"), 400, needle).await;
    }
}

#[tokio::test]
async fn large_limits_are_clamped_not_refused() {
    let s = TestServer::demo().await;
    let (status, fc) = s.json("/collections/incidents/items?limit=1000000").await;
    assert_eq!(status, 200);
    assert_eq!(fc["numberReturned"], fc["numberMatched"]);
}

#[tokio::test]
async fn antimeridian_boxes_are_handled() {
    let s = TestServer::demo().await;
    // A box from 170E across 180 to 170W holds nothing of Kazakhstan…
    let (_, fc) = s
        .json("/collections/incidents/items?bbox=170,-10,-170,10")
        .await;
    assert_eq!(fc["numberMatched"], 0);
    // …and one from 40E all the way round to 30E holds everything.
    let (_, all) = s.json("/collections/incidents/items").await;
    let (_, wrap) = s
        .json("/collections/incidents/items?bbox=40,-90,30,90")
        .await;
    assert_eq!(wrap["numberMatched"], all["numberMatched"]);
}

#[tokio::test]
async fn sortby_orders_and_pages_without_repeats_or_gaps() {
    let s = TestServer::demo().await;
    let (_, all) = s
        .json("/collections/incidents/items?limit=10000&sortby=-fatalities,occurred_at")
        .await;
    let total = all["numberMatched"].as_u64().unwrap() as usize;
    let feats = all["features"].as_array().unwrap();
    assert_eq!(feats.len(), total);
    // deaths descending, unknown last; within equal deaths, time ascending
    let key = |f: &serde_json::Value| {
        (
            f["properties"]["fatalities"].as_u64(),
            f["properties"]["occurred_at"].as_str().unwrap().to_string(),
        )
    };
    for w in feats.windows(2) {
        let (a, b) = (key(&w[0]), key(&w[1]));
        match (a.0, b.0) {
            (Some(x), Some(y)) => assert!(
                x > y || (x == y && a.1[..10] <= b.1[..10]),
                "{a:?} then {b:?}"
            ),
            (None, Some(_)) => panic!("an unknown count before a known one"),
            _ => {}
        }
    }
    // page through in sevens, following next links: the same order, each once
    let mut paged = Vec::new();
    let mut next =
        Some("/collections/incidents/items?limit=7&sortby=-fatalities,occurred_at".to_string());
    while let Some(path) = next {
        let (status, page) = s.json(&path).await;
        assert_eq!(status, 200);
        for f in page["features"].as_array().unwrap() {
            paged.push(f["id"].as_str().unwrap().to_string());
        }
        next = page["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
            .map(|l| {
                let href = l["href"].as_str().unwrap();
                href[href.find("/collections").unwrap()..].to_string()
            });
    }
    let ids: Vec<String> = feats
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paged, ids);
    // the sortables say what can be sorted; anything else is named
    let r = s.get("/collections/incidents/sortables").await;
    let schema: serde_json::Value = r.json().await.unwrap();
    assert!(schema["properties"]["fatalities"].is_object());
    s.expect_error(
        "/collections/incidents/items?sortby=deaths",
        400,
        "\"deaths\"",
    )
    .await;
}
