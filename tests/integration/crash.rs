//! Crash safety: a client writes continuously over HTTP while the server is killed with
//! SIGKILL at random moments, twenty times, and restarted; every write that got a 2xx must be
//! there afterwards, intact, and the store must open every time — with the GeoPackage store
//! and with PostgreSQL.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

const TOKEN: &str = "crash-test-token-000001";

struct Server {
    child: Child,
    url: String,
}

/// Starts the real binary on an ephemeral port and waits until it listens. `store` is
/// `["--data", DIR]` or `["--store", URL]`.
fn start(store: &[std::ffi::OsString]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_incidentmap"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(store)
        .env("INCIDENTMAP_WRITE_TOKEN", TOKEN)
        .env("RUST_LOG", "incidentmap=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(i) = line.find("listening on http://") {
                let _ = tx.send(line[i + "listening on ".len()..].trim().to_string());
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the server opens its store and listens");
    Server { child, url }
}

fn incident(n: u64) -> Value {
    json!({
        "type": "Feature",
        "id": format!("crash-{n}"),
        "geometry": {"type": "Point", "coordinates": [50.0 + (n % 300) as f64 * 0.1, 40.0 + (n % 97) as f64 * 0.1]},
        "properties": {
            "occurred_at": "2022-01-05",
            "category": "protest",
            "fatalities": n % 7,
            "notes": format!("write number {n}, with text: ألما آتا"),
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    kill_while_writing(&["--data".into(), dir.path().join("data").into()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_with_postgres() {
    if crate::postgres::not_installed() {
        return;
    }
    let url = crate::postgres::Cluster::shared().database();
    kill_while_writing(&["--store".into(), url.into()]).await;
}

async fn kill_while_writing(data: &[std::ffi::OsString]) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut rng = rand::rngs::SmallRng::seed_from_u64(20220105);
    let mut acked: BTreeMap<String, Value> = BTreeMap::new();
    let mut n = 0u64;
    for round in 0..20 {
        let mut server = start(data);
        // The first write after start waits for the region outlines (parsed in the background
        // at start, ~0.1 s; the region of a bare point comes from them): the first round runs
        // long enough to see writes acknowledged, the others kill at any moment.
        let window = if round == 0 { 600..900 } else { 50..400 };
        let deadline = Instant::now() + Duration::from_millis(rng.random_range(window));
        // Writes continue in the background while the server is killed mid-flight.
        let writer = {
            let client = client.clone();
            let url = server.url.clone();
            let first = n;
            tokio::spawn(async move {
                let mut done = Vec::new();
                let mut k = first;
                loop {
                    let body = incident(k);
                    let r = client
                        .post(format!("{url}/collections/incidents/items"))
                        .bearer_auth(TOKEN)
                        .header("content-type", "application/geo+json")
                        .body(body.to_string())
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status().is_success() => done.push((k, body)),
                        Ok(r) => panic!("write {k} refused: {}", r.status()),
                        Err(_) => return (done, k + 1), // the server is gone
                    }
                    k += 1;
                }
            })
        };
        tokio::time::sleep_until(deadline.into()).await;
        server.child.kill().expect("SIGKILL");
        server.child.wait().unwrap();
        let (done, next) = writer.await.unwrap();
        assert!(
            round > 0 || !done.is_empty(),
            "the first round wrote something"
        );
        for (k, body) in done {
            acked.insert(format!("crash-{k}"), body);
        }
        n = next;
    }
    // One last start: everything acknowledged is there, exactly as written.
    let mut server = start(data);
    let fc: Value = client
        .get(format!(
            "{}/collections/incidents/items?limit=10000",
            server.url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let stored: BTreeMap<String, Value> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap().to_string(), f.clone()))
        .collect();
    assert!(
        acked.len() > 20,
        "the test wrote enough ({} acknowledged)",
        acked.len()
    );
    for (id, sent) in &acked {
        let got = stored
            .get(id)
            .unwrap_or_else(|| panic!("acknowledged write {id} was lost"));
        for axis in 0..2 {
            let (a, b) = (
                got["geometry"]["coordinates"][axis].as_f64().unwrap(),
                sent["geometry"]["coordinates"][axis].as_f64().unwrap(),
            );
            assert!((a - b).abs() < 1e-6, "{id}: {a} vs {b}");
        }
        for k in ["occurred_at", "category", "fatalities", "notes"] {
            assert_eq!(got["properties"][k], sent["properties"][k], "{id}.{k}");
        }
    }
    // Writes in flight at a kill may or may not have landed, but nothing else appeared.
    assert!(stored.keys().all(|k| k.starts_with("crash-")));
    println!(
        "{} acknowledged writes over 20 kills, all present",
        acked.len()
    );
    server.child.kill().unwrap();
    let _ = server.child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_requests_flushes_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = start(&["--data".into(), data.clone().into()]);
    // A bulk import that takes a moment, still running when SIGTERM arrives.
    let mut csv = String::from("id,occurred_at,category,lon,lat\n");
    for n in 0..30_000 {
        csv.push_str(&format!(
            "t{n},2022-01-05,protest,{},{}\n",
            50.0 + (n % 300) as f64 * 0.1,
            42.0
        ));
    }
    let client = reqwest::Client::new();
    let url = server.url.clone();
    let import = tokio::spawn(async move {
        client
            .post(format!("{url}/collections/incidents/import"))
            .bearer_auth(TOKEN)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let r = import
        .await
        .unwrap()
        .expect("the in-flight import gets its answer");
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["added"], 30_000);
    let status = tokio::task::spawn_blocking(move || server.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "exit status {status:?}");
    // The write-ahead log was folded into the GeoPackage on the way out.
    let wal = data.join("incidents.gpkg-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "WAL left behind"
    );
    let store = incidentmap::store::gpkg::GpkgStore::open_dir(&data).unwrap();
    use incidentmap::store::Store;
    assert_eq!(store.load().unwrap().incidents.len(), 30_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_have_one_line_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_incidentmap"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--data",
        ])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let v: Value = serde_json::from_str(&line).expect("every log line is JSON");
            let _ = tx.send(v);
        }
    });
    let url = loop {
        let v = rx.recv_timeout(Duration::from_secs(60)).unwrap();
        if let Some(m) = v["message"]
            .as_str()
            .and_then(|m| m.strip_prefix("listening on "))
        {
            break m.to_string();
        }
    };
    reqwest::get(format!("{url}/collections/incidents/items?limit=1"))
        .await
        .unwrap();
    let access = loop {
        let v = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        if v["target"] == "incidentmap::access" {
            break v;
        }
    };
    assert_eq!(access["method"], "GET");
    assert_eq!(access["route"], "/collections/{collectionId}/items");
    assert_eq!(access["status"], 200);
    assert!(access["latency_ms"].as_f64().unwrap() >= 0.0);
    child.kill().unwrap();
    let _ = child.wait();
}
