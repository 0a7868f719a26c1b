//! Writes: create, replace, patch, delete, history and restore, auth, optimistic locking,
//! geocoding on write, bad input, bulk import, CORS for writes.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{
    ALMATY_ID, EDITOR_ORIGIN, TOKEN, TOKEN_B, TestServer, on_both_stores, point_of,
};

const ITEMS: &str = "/collections/incidents/items";

on_both_stores!(
    create_by_place_name_geocodes_it,
    writes_need_a_valid_token_and_are_off_without_tokens,
    if_match_guards_against_lost_updates,
    concurrent_editors_exactly_one_wins,
    patch_merges_and_a_new_place_moves_the_point,
    history_records_every_change_and_a_deleted_incident_comes_back,
    places_that_cannot_be_resolved_are_422_with_candidates,
    bad_input_is_refused_clearly_and_writes_nothing,
    bulk_import_is_all_or_nothing_unless_told_otherwise,
    only_configured_origins_may_write_from_a_browser,
    every_incident_is_counted_in_a_region,
);

impl TestServer {
    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        ct: &str,
        body: Value,
    ) -> reqwest::Response {
        let mut r = self
            .client
            .request(method, self.url(path))
            .header("content-type", ct);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.body(body.to_string()).send().await.unwrap()
    }

    async fn count_and_version(&self) -> (u64, u64) {
        let (_, h) = self.json("/health").await;
        (
            h["incidents"].as_u64().unwrap(),
            h["data_version"].as_u64().unwrap(),
        )
    }
}

fn feature(props: Value) -> Value {
    json!({"type": "Feature", "geometry": null, "properties": props})
}

async fn create_by_place_name_geocodes_it(db: Option<String>) {
    let s = TestServer::writable_on(db.as_deref()).await;
    let r = s
        .send(Method::POST, ITEMS, Some(TOKEN), "application/geo+json",
            feature(json!({"occurred_at": "2022-01-07", "category": "protest", "place": "وأكتاو", "notes": "new"})))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let tag = r.headers()["etag"].clone();
    let f: Value = r.json().await.unwrap();
    let id = f["id"].as_str().unwrap();
    assert!(loc.ends_with(&format!("{ITEMS}/{id}")), "{loc}");
    assert_eq!(f["properties"]["place_id"], 610612, "Aktau, clitic and all");
    assert_eq!(f["properties"]["admin1"], "Mangystau", "derived on write");
    assert_eq!(f["properties"]["admin1_code"], "KZ.09");
    assert_eq!(f["properties"]["precision"], "city");
    assert_eq!(
        f["properties"]["place"], "وأكتاو",
        "the place as reported is kept"
    );
    let got = s.client.get(&loc).send().await.unwrap();
    assert_eq!(got.headers()["etag"], tag);
}

/// `admin1` is derived from the gazetteer, the counts' rule: a bare point takes the region
/// whose outline holds it; it follows the point when it moves; it filters items; a client that
/// sends it back has it ignored (and the ETag it read still matches).
async fn every_incident_is_counted_in_a_region(db: Option<String>) {
    let s = TestServer::writable_on(db.as_deref()).await;
    let point = |lon: f64, lat: f64| {
        json!({"type": "Feature", "id": "bare-point",
               "geometry": {"type": "Point", "coordinates": [lon, lat]},
               "properties": {"occurred_at": "2022-01-06", "category": "riot", "precision": "exact"}})
    };
    // Between Zhanaozen and Aktau, nowhere named: Mangystau by its outline.
    let r = s
        .send(
            Method::POST,
            ITEMS,
            Some(TOKEN),
            "application/geo+json",
            point(52.2, 43.5),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let f: Value = r.json().await.unwrap();
    assert_eq!(f["properties"]["admin1_code"], "KZ.09", "{f}");
    let (_, page) = s
        .json(&format!("{ITEMS}?admin1=kz.09&datetime=2022-01-06"))
        .await;
    let ids: Vec<&str> = page["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["bare-point"], "{page}");
    // What a client read, sent back whole with its ETag: accepted, admin1 re-derived.
    let path = format!("{ITEMS}/bare-point");
    let r = s.get(&path).await;
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    let mut f: Value = r.json().await.unwrap();
    f.as_object_mut().unwrap().remove("links");
    f["geometry"]["coordinates"] = json!([71.4, 42.9]); // Taraz
    f["properties"]["admin1"] = json!("Somewhere else");
    let r = s
        .client
        .put(s.url(&path))
        .bearer_auth(TOKEN)
        .header("content-type", "application/geo+json")
        .header("if-match", tag)
        .body(f.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let f: Value = r.json().await.unwrap();
    assert_eq!(f["properties"]["admin1"], "Zhambyl", "{f}");
    let (_, page) = s
        .json(&format!("{ITEMS}?admin1=Zhambyl&datetime=2022-01-06"))
        .await;
    assert_eq!(page["numberMatched"], 1, "{page}");
    s.expect_error(&format!("{ITEMS}?admin1=,"), 400, "admin1")
        .await;
}

async fn writes_need_a_valid_token_and_are_off_without_tokens(db: Option<String>) {
    let s = TestServer::writable_on(db.as_deref()).await;
    let before = s.count_and_version().await;
    let body =
        feature(json!({"occurred_at": "2022-01-07", "category": "protest", "place": "Almaty"}));
    let r = s
        .send(
            Method::POST,
            ITEMS,
            None,
            "application/geo+json",
            body.clone(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let r = s
        .send(
            Method::POST,
            ITEMS,
            Some("not-the-token-at-all"),
            "application/geo+json",
            body.clone(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(s.count_and_version().await, before, "nothing written");

    let ro = TestServer::demo().await;
    let r = ro
        .send(
            Method::POST,
            ITEMS,
            Some(TOKEN),
            "application/geo+json",
            body,
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let e: Value = r.json().await.unwrap();
    assert!(
        e["description"]
            .as_str()
            .unwrap()
            .contains("INCIDENTMAP_WRITE_TOKEN")
    );
}

async fn if_match_guards_against_lost_updates(db: Option<String>) {
    let s = TestServer::writable_on(db.as_deref()).await;
    let path = format!("{ITEMS}/kz22-011");
    let r = s.get(&path).await;
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    let mut f: Value = r.json().await.unwrap();
    f["properties"]["fatalities"] = json!(105);
    f.as_object_mut().unwrap().remove("links");
    let put = |tag: String, f: Value| {
        let s = &s;
        let path = path.clone();
        async move {
            s.client
                .put(s.url(&path))
                .bearer_auth(TOKEN)
                .header("content-type", "application/geo+json")
                .header("if-match", tag)
                .body(f.to_string())
                .send()
                .await
                .unwrap()
        }
    };
    let ok = put(tag.clone(), f.clone()).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let new_tag = ok.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(new_tag, tag);
    let stale = put(tag.clone(), f.clone()).await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let e: Value = stale.json().await.unwrap();
    assert!(e["description"].as_str().unwrap().contains("has changed"));
}

async fn concurrent_editors_exactly_one_wins(db: Option<String>) {
    let s = TestServer::writable_on(db.as_deref()).await;
    let path = format!("{ITEMS}/kz22-017");
    let tag = s.get(&path).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    let mut tasks = Vec::new();
    for n in 0..12u32 {
        let client = s.client.clone();
        let url = s.url(&path);
        let tag = tag.clone();
        let token = if n % 2 == 0 { TOKEN } else { TOKEN_B };
        tasks.push(tokio::spawn(async move {
            let r = client
                .patch(url)
                .bearer_auth(token)
                .header("content-type", "application/merge-patch+json")
                .header("if-match", tag)
                .body(json!({"properties": {"arrested": 900 + n}}).to_string())
                .send()
                .await
                .unwrap();
            (r.status(), n)
        }));
    }
    let mut winners = Vec::new();
    for t in tasks {
        let (status, n) = t.await.unwrap();
        match status {
            StatusCode::OK => winners.push(n),
            StatusCode::PRECONDITION_FAILED => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one editor wins");
    let (_, f) = s.json(&path).await;
    assert_eq!(
        f["properties"]["arrested"],
        900 + winners[0],
        "no lost update"
    );
}

async fn patch_merges_and_a_new_place_moves_the_point(db: Option<String>) {
    let s = TestServer::writable_on(db.as_deref()).await;
    let path = format!("{ITEMS}/kz22-006");
    let r = s
        .send(
            Method::PATCH,
            &path,
            Some(TOKEN),
            "application/merge-patch+json",
            json!({"properties": {"fatalities": 2, "notes": null}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let f: Value = r.json().await.unwrap();
    assert_eq!(f["properties"]["fatalities"], 2);
    assert!(f["properties"].get("notes").is_none(), "null removes");
    assert_eq!(f["properties"]["category"], "protest", "the rest is kept");
    // The report was wrong about the place: Almaty, not Kyzylorda.
    let r = s
        .send(
            Method::PATCH,
            &path,
            Some(TOKEN),
            "application/merge-patch+json",
            json!({"properties": {"place": "ألما آتا"}}),
        )
        .await;
    let f: Value = r.json().await.unwrap();
    assert_eq!(f["properties"]["place_id"], ALMATY_ID);
    assert_eq!(
        f["properties"]["admin1"], "Almaty",
        "the region moves with the place"
    );
    let (lon, lat) = point_of(ALMATY_ID);
    assert!((f["geometry"]["coordinates"][0].as_f64().unwrap() - lon).abs() < 1e-5);
    assert!((f["geometry"]["coordinates"][1].as_f64().unwrap() - lat).abs() < 1e-5);
    // ids cannot change; merge patches need their media type
    let r = s
        .send(
            Method::PATCH,
            &path,
            Some(TOKEN),
            "application/merge-patch+json",
            json!({"id": "other"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = s
        .send(Method::PATCH, &path, Some(TOKEN), "text/plain", json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

async fn history_records_every_change_and_a_deleted_incident_comes_back(db: Option<String>) {
    let s = TestServer::writable_on(db.as_deref()).await;
    let path = format!("{ITEMS}/kz22-010");
    s.send(
        Method::PATCH,
        &path,
        Some(TOKEN_B),
        "application/merge-patch+json",
        json!({"properties": {"notes": "Queues for bread"}}),
    )
    .await;
    let r = s
        .client
        .delete(s.url(&path))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(s.get(&path).await.status(), StatusCode::NOT_FOUND);
    let (status, h) = s.json(&format!("{path}/history")).await;
    assert_eq!(status, 200);
    let c = h["changes"].as_array().unwrap();
    let ops: Vec<(&str, &str)> = c
        .iter()
        .map(|c| (c["op"].as_str().unwrap(), c["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        ops,
        vec![("create", "demo"), ("update", "bob"), ("delete", "alice")]
    );
    assert_eq!(
        c[1]["before"]["properties"]["notes"],
        "Food shortages in Almaty."
    );
    assert_eq!(c[1]["after"]["properties"]["notes"], "Queues for bread");
    assert!(c[2]["after"].is_null());
    let r = s
        .client
        .post(s.url(&format!("{path}/restore")))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, f) = s.json(&path).await;
    assert_eq!(f["properties"]["notes"], "Queues for bread");
    let version = c[0]["version"].as_u64().unwrap();
    let r = s
        .client
        .post(s.url(&format!("{path}/restore?version={version}")))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, f) = s.json(&path).await;
    assert_eq!(f["properties"]["notes"], "Food shortages in Almaty.");
    s.expect_error(&format!("{ITEMS}/never-was/history"), 404, "never-was")
        .await;
}

async fn places_that_cannot_be_resolved_are_422_with_candidates(db: Option<String>) {
    let s = TestServer::writable_on(db.as_deref()).await;
    let r = s.send(Method::POST, ITEMS, Some(TOKEN), "application/geo+json",
        feature(json!({"occurred_at": "2022-01-07", "category": "protest", "place": "Qwxzvkjh Blorf"}))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["code"], "UnknownPlace");
    let r = s.send(Method::POST, ITEMS, Some(TOKEN), "application/geo+json",
        feature(json!({"occurred_at": "2022-01-07", "category": "protest", "place": "Aktau, Karaganda Region"}))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["code"], "AmbiguousPlace");
    let c = e["candidates"].as_array().unwrap();
    assert!(
        c.len() >= 2
            && c.iter()
                .all(|c| c["id"].is_u64() && c["kind"].is_string() && c["country"] == "KZ"),
        "{e}"
    );
    // resent with the editor's choice, it goes in
    let pick = c[1]["id"].as_u64().unwrap();
    let r = s.send(Method::POST, ITEMS, Some(TOKEN), "application/geo+json",
        feature(json!({"occurred_at": "2022-01-07", "category": "protest", "place": "Aktau, Karaganda Region", "place_id": pick}))).await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

async fn bad_input_is_refused_clearly_and_writes_nothing(db: Option<String>) {
    let s = TestServer::writable_on(db.as_deref()).await;
    let before = s.count_and_version().await;
    let raw = |body: &'static str| {
        let s = &s;
        async move {
            s.client
                .post(s.url(ITEMS))
                .bearer_auth(TOKEN)
                .header("content-type", "application/geo+json")
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    for (body, needle) in [
        ("{", "GeoJSON"),
        ("[]", "GeoJSON"),
        (
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[NaN,1]},"properties":{}}"#,
            "GeoJSON",
        ),
        (
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[181,1]},"properties":{"occurred_at":"2022-01-07","category":"riot"}}"#,
            "longitude",
        ),
        (
            r#"{"type":"Feature","geometry":null,"properties":{"occurred_at":"2022-01-07","category":"riot","fatalities":"many","place":"Almaty"}}"#,
            "fatalities",
        ),
        (
            r#"{"type":"Feature","geometry":null,"properties":{"occurred_at":"2022-01-07","category":"riot","colour":"red","place":"Almaty"}}"#,
            "colour",
        ),
        (
            r#"{"type":"Feature","geometry":null,"properties":{"occurred_at":"soon","category":"riot","place":"Almaty"}}"#,
            "occurred_at",
        ),
        (
            r#"{"type":"Feature","id":"a b","geometry":null,"properties":{"occurred_at":"2022-01-07","category":"riot","place":"Almaty"}}"#,
            "id",
        ),
        (
            r#"{"type":"Feature","geometry":null,"properties":{"occurred_at":"2022-01-07","category":"riot"}}"#,
            "location",
        ),
        (
            r#"{"type":"Feature","geometry":null,"properties":{"occurred_at":"2022-01-07","place":"Almaty"}}"#,
            "category",
        ),
    ] {
        let r = raw(body).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
        let e: Value = r.json().await.unwrap();
        assert!(
            e["description"].as_str().unwrap().contains(needle),
            "{body}: {e}"
        );
    }
    let huge = "x".repeat(2 * 1024 * 1024);
    let r = s
        .client
        .post(s.url(ITEMS))
        .bearer_auth(TOKEN)
        .header("content-type", "application/geo+json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let r = s
        .send(Method::POST, ITEMS, Some(TOKEN), "text/plain", json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = s.send(Method::POST, ITEMS, Some(TOKEN), "application/geo+json",
        feature(json!({"id": "kz22-001", "occurred_at": "2022-01-07", "category": "protest", "place": "Almaty"}))).await;
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "an existing id is not overwritten by POST"
    );
    let r = s
        .client
        .delete(s.url(&format!("{ITEMS}/no-such-incident")))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(s.count_and_version().await, before, "nothing was written");
}

async fn bulk_import_is_all_or_nothing_unless_told_otherwise(db: Option<String>) {
    let s = TestServer::writable_on(db.as_deref()).await;
    let before = s.count_and_version().await;
    let csv = "id,occurred_at,category,place,lon,lat\nb1,2022-01-10,protest,Almaty,,\nb2,2022-01-10,protest,Nowhere Qwx,,\n";
    let post = |q: &'static str| {
        let s = &s;
        async move {
            s.client
                .post(s.url(&format!("/collections/incidents/import{q}")))
                .bearer_auth(TOKEN)
                .header("content-type", "text/csv")
                .body(csv)
                .send()
                .await
                .unwrap()
        }
    };
    let r = post("").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let rep: Value = r.json().await.unwrap();
    assert_eq!(rep["written"], false);
    assert_eq!(rep["rejected"][0]["row"], "line 3");
    assert_eq!(s.count_and_version().await, before);
    let r = post("?skip_invalid=true").await;
    assert_eq!(r.status(), StatusCode::OK);
    let rep: Value = r.json().await.unwrap();
    assert_eq!(
        (rep["added"].as_u64(), rep["written"].as_bool()),
        (Some(1), Some(true))
    );
    assert_eq!(s.count_and_version().await.0, before.0 + 1);
}

async fn only_configured_origins_may_write_from_a_browser(db: Option<String>) {
    let s = TestServer::writable_on(db.as_deref()).await;
    let preflight = |origin: &'static str, method: &'static str| {
        let s = &s;
        async move {
            s.client
                .request(Method::OPTIONS, s.url(ITEMS))
                .header("origin", origin)
                .header("access-control-request-method", method)
                .header(
                    "access-control-request-headers",
                    "authorization,content-type",
                )
                .send()
                .await
                .unwrap()
        }
    };
    let ok = preflight(EDITOR_ORIGIN, "POST").await;
    assert_eq!(ok.headers()["access-control-allow-origin"], EDITOR_ORIGIN);
    let evil = preflight("https://evil.example", "POST").await;
    assert!(evil.headers().get("access-control-allow-origin").is_none());
    let read = preflight("https://evil.example", "GET").await;
    assert!(
        read.headers().get("access-control-allow-origin").is_some(),
        "reads stay open"
    );
}
