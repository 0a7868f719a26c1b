//! Several instances over one PostgreSQL database (issue #9): what one instance writes, the
//! others serve within a second; of two conditional writes racing through different
//! instances exactly one wins; a database restart costs writes for its duration only, and
//! nothing acknowledged is lost.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{TOKEN, TOKEN_B, TestServer};
use crate::postgres::Cluster;

fn feature(id: &str, lon: f64, notes: &str) -> Value {
    json!({
        "type": "Feature",
        "id": id,
        "geometry": {"type": "Point", "coordinates": [lon, 43.25]},
        "properties": {"occurred_at": "2022-01-06", "category": "protest", "fatalities": 1, "notes": notes}
    })
}

async fn post(s: &TestServer, token: &str, f: &Value) -> reqwest::Response {
    s.client
        .post(s.url("/collections/incidents/items"))
        .bearer_auth(token)
        .header("content-type", "application/geo+json")
        .body(f.to_string())
        .send()
        .await
        .unwrap()
}

/// Polls `check` every 10 ms until it holds; returns how long that took, or panics after
/// `limit`.
async fn within<F, Fut>(limit: Duration, what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if check().await {
            return start.elapsed();
        }
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn etag(s: &TestServer, path: &str) -> String {
    let r = s.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.headers()["etag"].to_str().unwrap().to_string()
}

/// The incidents B's vector tile over Almaty holds.
async fn vcount(s: &TestServer) -> u64 {
    let r = s.get(VTILE).await;
    assert_eq!(r.status(), 200);
    crate::vector::decode(r.bytes().await.unwrap().to_vec()).count()
}

async fn data_version(s: &TestServer) -> u64 {
    s.json("/health").await.1["data_version"].as_u64().unwrap()
}

/// A heat tile over Almaty.
const TILE: &str = "/tiles/heat/5/22/11.png";
/// The vector tile over Almaty (OGC order: row before column) and the vector TileJSON.
const VTILE: &str = "/collections/incidents/tiles/WebMercatorQuad/5/11/22";
const VTILEJSON: &str = "/collections/incidents/tiles/WebMercatorQuad/tilejson.json";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_through_one_instance_is_served_by_the_other_within_a_second() {
    if crate::postgres::not_installed() {
        return;
    }
    let url = Cluster::shared().database();
    let a = TestServer::writable_on(Some(&url)).await;
    let b = TestServer::writable_on(Some(&url)).await;
    assert_eq!(data_version(&a).await, data_version(&b).await);
    assert!(a.app.snapshot().len() > 10, "the demo is loaded once");
    assert_eq!(a.app.snapshot().len(), b.app.snapshot().len());
    let tile_before = etag(&b, TILE).await;
    let tilejson_before = b.json("/tiles/heat/tilejson.json").await.1;
    let vtile_before = etag(&b, VTILE).await;
    let vtilejson_before = etag(&b, VTILEJSON).await;
    let vcount_before = vcount(&b).await;

    let r = post(&a, TOKEN, &feature("shared-1", 76.95, "through A")).await;
    assert_eq!(r.status(), 201);
    let took = within(Duration::from_secs(1), "B serves A's write", || async {
        b.get("/collections/incidents/items/shared-1")
            .await
            .status()
            == 200
    })
    .await;
    println!("B served A's write after {took:?}");
    assert_ne!(
        etag(&b, TILE).await,
        tile_before,
        "B's tile ETag changed with A's write"
    );
    let tilejson_a = a.json("/tiles/heat/tilejson.json").await.1;
    let tilejson_b = b.json("/tiles/heat/tilejson.json").await.1;
    assert_ne!(tilejson_b, tilejson_before);
    // Vector tiles and their TileJSON too, with the new incident in them (issue #16).
    assert_ne!(etag(&b, VTILE).await, vtile_before, "B's vector tile ETag");
    assert_ne!(
        etag(&b, VTILEJSON).await,
        vtilejson_before,
        "B's vector TileJSON ETag"
    );
    assert_eq!(vcount(&b).await, vcount_before + 1);
    assert_eq!(etag(&a, VTILE).await, etag(&b, VTILE).await);
    let path = |tj: &Value| {
        let u = tj["tiles"][0].as_str().unwrap();
        u[u.find("/tiles/").unwrap()..].to_string()
    };
    assert_eq!(path(&tilejson_a), path(&tilejson_b), "same versioned URLs");
    assert_eq!(
        etag(&a, "/collections/incidents/items/shared-1").await,
        etag(&b, "/collections/incidents/items/shared-1").await,
        "the same ETag from both"
    );
    assert_eq!(etag(&a, TILE).await, etag(&b, TILE).await);

    // And back: an update through B, then a delete through A.
    let mut moved = feature("shared-1", 77.0, "moved through B");
    moved["properties"]["fatalities"] = json!(4);
    let r = b
        .client
        .put(b.url("/collections/incidents/items/shared-1"))
        .bearer_auth(TOKEN_B)
        .header("content-type", "application/geo+json")
        .body(moved.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    within(Duration::from_secs(1), "A serves B's update", || async {
        let (_, f) = a.json("/collections/incidents/items/shared-1").await;
        f["properties"]["fatalities"] == json!(4)
    })
    .await;
    let r = a
        .client
        .delete(a.url("/collections/incidents/items/shared-1"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    within(
        Duration::from_secs(1),
        "B forgets the deleted one",
        || async {
            b.get("/collections/incidents/items/shared-1")
                .await
                .status()
                == 404
        },
    )
    .await;
    // The history is one history, whoever asks.
    let (_, h) = b
        .json("/collections/incidents/items/shared-1/history")
        .await;
    let ops: Vec<&str> = h["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["op"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["create", "update", "delete"], "{h}");
    assert_eq!(data_version(&a).await, data_version(&b).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conditional_writes_racing_through_two_instances_exactly_one_wins() {
    if crate::postgres::not_installed() {
        return;
    }
    let url = Cluster::shared().database();
    let a = TestServer::writable_on(Some(&url)).await;
    let b = TestServer::writable_on(Some(&url)).await;
    let r = post(&a, TOKEN, &feature("contested", 76.9, "v0")).await;
    assert_eq!(r.status(), 201);
    within(Duration::from_secs(1), "B has it", || async {
        b.get("/collections/incidents/items/contested")
            .await
            .status()
            == 200
    })
    .await;
    for round in 0..10 {
        let tag = etag(&a, "/collections/incidents/items/contested").await;
        let put = |s: &TestServer, who: &str| {
            let req = s
                .client
                .put(s.url("/collections/incidents/items/contested"))
                .bearer_auth(TOKEN)
                .header("content-type", "application/geo+json")
                .header("if-match", tag.clone())
                .body(feature("contested", 76.9, &format!("round {round} by {who}")).to_string());
            async move { req.send().await.unwrap().status().as_u16() }
        };
        let (sa, sb) = tokio::join!(put(&a, "A"), put(&b, "B"));
        let mut statuses = [sa, sb];
        statuses.sort();
        assert_eq!(statuses, [200, 412], "round {round}: exactly one wins");
        let winner = if sa == 200 { "A" } else { "B" };
        let expected = format!("round {round} by {winner}");
        // No lost update: both instances settle on the winner's version.
        for s in [&a, &b] {
            within(Duration::from_secs(1), "the winner everywhere", || async {
                let (_, f) = s.json("/collections/incidents/items/contested").await;
                f["properties"]["notes"] == json!(expected)
            })
            .await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restart_pauses_writes_only_and_loses_nothing() {
    if crate::postgres::not_installed() {
        return;
    }
    let cluster = Cluster::start();
    let url = cluster.database();
    let a = TestServer::writable_on(Some(&url)).await;
    let b = TestServer::writable_on(Some(&url)).await;
    let demo = a.app.snapshot().len();

    // Writers through both instances, all the way through the restart.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = |s: &TestServer, prefix: &'static str| {
        let client = s.client.clone();
        let base = s.url("");
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut acked = BTreeMap::new();
            let mut unavailable = 0;
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let f = feature(&format!("{prefix}-{n}"), 76.0 + n as f64 * 0.001, prefix);
                let r = client
                    .post(format!("{base}/collections/incidents/items"))
                    .bearer_auth(TOKEN)
                    .header("content-type", "application/geo+json")
                    .body(f.to_string())
                    .send()
                    .await
                    .unwrap();
                match r.status().as_u16() {
                    201 => {
                        acked.insert(format!("{prefix}-{n}"), f);
                    }
                    503 => {
                        assert!(r.headers().contains_key("retry-after"));
                        let e: Value = r.json().await.unwrap();
                        assert_eq!(e["code"], "StoreUnavailable", "{e}");
                        assert!(
                            e["description"].as_str().unwrap().contains("unreachable"),
                            "{e}"
                        );
                        unavailable += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    other => panic!("write {prefix}-{n}: {other} {}", r.text().await.unwrap()),
                }
                n += 1;
            }
            (acked, unavailable)
        })
    };
    let wa = writer(&a, "a");
    let wb = writer(&b, "b");
    tokio::time::sleep(Duration::from_millis(500)).await;

    cluster.stop_server();
    // Reads are served from memory meanwhile, by both; health says degraded.
    for s in [&a, &b] {
        let (status, fc) = s.json("/collections/incidents/items?limit=5").await;
        assert_eq!(status, 200);
        assert_eq!(fc["features"].as_array().unwrap().len(), 5);
        assert_eq!(s.get(TILE).await.status(), 200);
        within(Duration::from_secs(3), "health says degraded", || async {
            s.json("/health").await.1["status"] == "degraded"
        })
        .await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    cluster.start_server();

    // Writes succeed again by themselves; health recovers.
    for s in [&a, &b] {
        within(Duration::from_secs(15), "health says ok", || async {
            s.json("/health").await.1["status"] == "ok"
        })
        .await;
    }
    let before = a.app.snapshot().version();
    within(
        Duration::from_secs(15),
        "writes through A succeed",
        || async { a.app.snapshot().version() > before + 2 },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let (acked_a, unavailable_a) = wa.await.unwrap();
    let (acked_b, unavailable_b) = wb.await.unwrap();
    assert!(
        unavailable_a + unavailable_b > 0,
        "the restart was noticed by a writer"
    );
    println!(
        "{} + {} writes acknowledged, {} + {} answered 503 during the restart",
        acked_a.len(),
        acked_b.len(),
        unavailable_a,
        unavailable_b
    );

    // Everything acknowledged is in the database and served by both instances.
    let all: BTreeMap<String, Value> = acked_a.into_iter().chain(acked_b).collect();
    let in_db: usize = cluster
        .psql(
            url.rsplit('/').next().unwrap(),
            "SELECT count(*) FROM incidents",
        )
        .parse()
        .unwrap();
    assert!(
        in_db >= demo + all.len(),
        "{in_db} rows for {} acked",
        all.len()
    );
    for s in [&a, &b] {
        within(Duration::from_secs(2), "both caught up", || async {
            s.app.snapshot().len() == in_db
        })
        .await;
        for (id, sent) in &all {
            let (status, got) = s.json(&format!("/collections/incidents/items/{id}")).await;
            assert_eq!(status, 200, "acknowledged {id} is served");
            assert_eq!(got["properties"]["notes"], sent["properties"]["notes"]);
        }
    }
}
