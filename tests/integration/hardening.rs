//! The server under hostile or careless clients (issue #13): nobody without a token can make
//! it buffer an upload, slow and idle connections are closed, the connection count is capped,
//! geoparsing is bounded, no client input grows the metrics, imports never say "abandoned" for
//! work that commits, and errors hyper answers by itself are JSON too.

use std::time::{Duration, Instant};

use incidentmap::http::HttpOptions;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::common::{TOKEN, TestServer};

fn tokens() -> incidentmap::auth::Tokens {
    incidentmap::auth::Tokens::default()
        .with_file("test", &format!("alice {TOKEN}\n"))
        .unwrap()
}

/// A demo server that accepts writes with [`TOKEN`], with these options.
async fn writable(opts: HttpOptions) -> TestServer {
    let s = TestServer::start(HttpOptions {
        tokens: tokens(),
        ..opts
    })
    .await;
    let app = s.app.clone();
    tokio::task::spawn_blocking(move || app.load_demo_if_empty())
        .await
        .unwrap()
        .unwrap();
    s
}

/// Sends raw bytes and reads what comes back until the server closes or `wait` passes.
async fn raw(s: &TestServer, request: &[u8], wait: Duration) -> String {
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    // The server may answer and close before it has read everything: that is fine.
    let _ = tcp.write_all(request).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(wait, tcp.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// The status and JSON body of a raw HTTP/1.1 response.
fn parse(response: &str) -> (u16, Value) {
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((response, ""));
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "errors are JSON: {head}"
    );
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn writes_without_a_token_are_refused_before_the_body_is_read() {
    let s = writable(HttpOptions::default()).await;
    // 200 MB announced, not a byte sent: the answer must come from the headers alone.
    for (path, ct) in [
        ("/collections/incidents/import", "text/csv"),
        ("/collections/incidents/items", "application/geo+json"),
    ] {
        let req = format!(
            "POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: {ct}\r\ncontent-length: 200000000\r\n\r\n"
        );
        let started = Instant::now();
        let answer = raw(&s, req.as_bytes(), Duration::from_secs(5)).await;
        let (status, body) = parse(&answer);
        assert_eq!(status, 401, "{path}: {answer}");
        assert_eq!(body["code"], "Unauthorized");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{path}: answered without waiting for the body"
        );
        // Bearer with a wrong token: 401 too; the scheme is case-insensitive.
        let req = format!(
            "POST {path} HTTP/1.1\r\nhost: x\r\nauthorization: BEARER wrong-token-wrong-token\r\ncontent-type: {ct}\r\ncontent-length: 200000000\r\n\r\n"
        );
        let (status, _) = parse(&raw(&s, req.as_bytes(), Duration::from_secs(5)).await);
        assert_eq!(status, 401);
    }
    // A client that sends its whole body before it reads (most libraries do) still gets the
    // 401, not a reset: the server discards what arrives after its answer before closing.
    let r = s
        .client
        .post(s.url("/collections/incidents/import"))
        .header("content-type", "text/csv")
        .body(vec![b'x'; 32 * 1024 * 1024])
        .send()
        .await
        .expect("an answer, not a reset");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The scheme in any case works with the right token.
    let r = s
        .client
        .post(s.url("/collections/incidents/import?dry_run=true"))
        .header("authorization", format!("bEaReR {TOKEN}"))
        .header("content-type", "text/csv")
        .body("id,occurred_at,category,place,lon,lat\nz1,2022-01-10,protest,Almaty,,\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let rep: Value = r.json().await.unwrap();
    assert_eq!(rep["written"], false);
    assert_eq!(
        rep["would_add"], 1,
        "what was not written is not called added: {rep}"
    );
    assert!(rep.get("added").is_none());
}

#[tokio::test]
async fn idle_and_half_sent_connections_are_closed_and_their_number_capped() {
    let s = TestServer::start(HttpOptions {
        header_read_timeout: Duration::from_millis(800),
        max_connections: 30,
        ..HttpOptions::default()
    })
    .await;
    let mut held = Vec::new();
    for n in 0..20 {
        let mut tcp = TcpStream::connect(s.addr).await.unwrap();
        if n % 2 == 0 {
            // Half a request head, never finished (slowloris).
            tcp.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\nx-slow: ")
                .await
                .unwrap();
        }
        held.push(tcp);
    }
    // One kept-alive connection that completed a request, then goes idle.
    let mut idle = TcpStream::connect(s.addr).await.unwrap();
    idle.write_all(b"GET /ping HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).contains("pong"));
    held.push(idle);

    let started = Instant::now();
    for (i, tcp) in held.iter_mut().enumerate() {
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut rest))
            .await
            .is_ok();
        assert!(closed, "connection {i} is still open after 10 s");
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "closed after the header-read timeout, not much later"
    );

    // Over the cap: 30 open connections, and the next is answered 503 JSON. (A server whose
    // idle connections stay long enough that none closes during the check.)
    let s = TestServer::start(HttpOptions {
        max_connections: 30,
        ..HttpOptions::default()
    })
    .await;
    let mut full = Vec::new();
    for _ in 0..30 {
        full.push(TcpStream::connect(s.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let answer = raw(
        &s,
        b"GET /health HTTP/1.1\r\nhost: x\r\n\r\n",
        Duration::from_secs(3),
    )
    .await;
    let (status, body) = parse(&answer);
    assert_eq!(status, 503);
    assert_eq!(body["code"], "TooManyConnections");
    drop(full);
    // Once they are gone, connections are accepted again.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, _) = s.json("/health").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_client_that_stops_reading_is_disconnected() {
    let s = TestServer::start(HttpOptions {
        request_timeout: Duration::from_secs(1),
        ..HttpOptions::default()
    })
    .await;
    let one = s.get("/api").await.bytes().await.unwrap().len();
    // A small receive window, and 200 pipelined requests for the OpenAPI document, never read.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut tcp = socket.connect(s.addr).await.unwrap();
    tcp.write_all(
        "GET /api HTTP/1.1\r\nhost: x\r\n\r\n"
            .repeat(200)
            .as_bytes(),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mut got = Vec::new();
    let ended = tokio::time::timeout(Duration::from_secs(8), tcp.read_to_end(&mut got))
        .await
        .is_ok();
    assert!(ended, "the server closed the connection");
    assert!(
        got.len() < 200 * one,
        "it gave up on the stalled responses: {} of {} bytes",
        got.len(),
        200 * one
    );
}

#[tokio::test]
async fn errors_hyper_answers_by_itself_are_json() {
    let s = TestServer::start(HttpOptions::default()).await;
    // A 100 KB query is past the head limit (64 KiB by default) before it is past hyper's
    // URI limit (64 KiB - 2); a server with a larger head limit shows the 414.
    let long_query = |len: usize| {
        format!(
            "GET /collections/incidents/items?q={} HTTP/1.1\r\nhost: x\r\n\r\n",
            "a".repeat(len)
        )
        .into_bytes()
    };
    let roomy = TestServer::start(HttpOptions {
        max_header_bytes: 256 * 1024,
        ..HttpOptions::default()
    })
    .await;
    let (status, body) = parse(&raw(&roomy, &long_query(70_000), Duration::from_secs(5)).await);
    assert_eq!((status, body["code"].as_str()), (414, Some("UriTooLong")));
    let huge_header = format!(
        "GET /health HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
        "b".repeat(1024 * 1024)
    );
    let control = b"PATCH /collections/incidents/items/x HTTP/1.1\r\nhost: x\r\nif-match: \"a\x01b\"\r\ncontent-length: 0\r\n\r\n".to_vec();
    for (request, want) in [
        (long_query(100 * 1024), 431),
        (huge_header.into_bytes(), 431),
        (control, 400),
    ] {
        let answer = raw(&s, &request, Duration::from_secs(5)).await;
        let (status, body) = parse(&answer);
        assert_eq!(status, want, "{answer}");
        assert!(
            body["code"].as_str().is_some_and(|c| !c.is_empty())
                && body["description"].as_str().is_some_and(|d| d.len() > 20),
            "{body}"
        );
    }
}

#[tokio::test]
async fn geoparse_is_bounded_in_text_mentions_and_concurrency() {
    let s = TestServer::start(HttpOptions {
        geoparse_max_mentions: 50,
        geoparse_concurrency: 1,
        ..HttpOptions::default()
    })
    .await;
    let limit = HttpOptions::default().geoparse_max_bytes;
    // Over the text limit: 413 naming it.
    let r = s
        .client
        .post(s.url("/geoparse"))
        .body("Almaty ".repeat(limit / 7 + 1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let e: Value = r.json().await.unwrap();
    assert!(
        e["description"]
            .as_str()
            .unwrap()
            .contains("geoparse_max_bytes")
    );
    // Many mentions: cut at the limit, and the answer says so.
    let text = "Almaty ".repeat(limit / 7 - 1);
    let r = s
        .client
        .post(s.url("/geoparse"))
        .body(text.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["mentions"].as_array().unwrap().len(), 50);
    assert_eq!(v["truncated"], true);
    assert_eq!(v["limit"], 50);
    assert!(v["found"].as_u64().unwrap() > 1000);
    // One slot and a queue of 16: a burst of 40 is partly shed with 503 + Retry-After.
    let burst: Vec<_> = (0..40)
        .map(|_| {
            let (c, url, t) = (s.client.clone(), s.url("/geoparse"), text.clone());
            tokio::spawn(async move { c.post(url).body(t).send().await.unwrap() })
        })
        .collect();
    let mut shed = 0;
    for b in burst {
        let r = b.await.unwrap();
        if r.status() == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(r.headers()["retry-after"], "1");
            let e: Value = r.json().await.unwrap();
            assert!(e["description"].as_str().unwrap().contains("geoparsing"));
            shed += 1;
        } else {
            assert_eq!(r.status(), StatusCode::OK);
        }
    }
    assert!(shed > 0, "a burst beyond the queue is shed");
}

#[tokio::test]
async fn clients_cannot_grow_the_metrics() {
    let s = TestServer::start(HttpOptions::default()).await;
    let scrape = || async { s.get("/metrics").await.text().await.unwrap() };
    for n in 0..300 {
        let m = reqwest::Method::from_bytes(format!("M{n:04}X").as_bytes()).unwrap();
        let path = if n % 2 == 0 {
            format!("/no/such/path/{n}")
        } else {
            "/health".to_string()
        };
        let _ = s.client.request(m, s.url(&path)).send().await.unwrap();
    }
    let _ = s.get(&format!("/tiles/heat/0/0/{}.png", 7)).await;
    let after = scrape().await;
    assert!(!after.contains("M0001X"), "methods are folded");
    assert!(after.contains("method=\"other\""));
    assert!(!after.contains("/no/such/path"), "routes are templates");
    for line in after.lines().filter(|l| l.contains("route=")) {
        let route = line
            .split("route=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(
            route == "unmatched" || route.starts_with('/') && !route.contains("/0/0/"),
            "{line}"
        );
    }
}

#[tokio::test]
async fn a_long_import_becomes_a_job_and_is_never_called_abandoned() {
    let s = writable(HttpOptions {
        request_timeout: Duration::from_secs(1),
        ..HttpOptions::default()
    })
    .await;
    let mut csv = String::from("id,occurred_at,category,lon,lat\n");
    for n in 0..200_000 {
        csv.push_str(&format!(
            "j{n},2022-01-05,protest,{},42\n",
            50.0 + (n % 300) as f64 * 0.1
        ));
    }
    let before = s.app.snapshot().len();
    let r = s
        .client
        .post(s.url("/collections/incidents/import"))
        .bearer_auth(TOKEN)
        .header("content-type", "text/csv")
        .body(csv.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::ACCEPTED,
        "a long import answers 202"
    );
    let job_url = r.headers()["location"].to_str().unwrap().to_string();
    let job: Value = r.json().await.unwrap();
    assert_eq!(job["status"], "running");
    // While it runs, a second import is refused, not queued behind it.
    let second = s
        .client
        .post(s.url("/collections/incidents/import"))
        .bearer_auth(TOKEN)
        .header("content-type", "text/csv")
        .body("id,occurred_at,category,lon,lat\nk1,2022-01-05,protest,50,42\n")
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Jobs are writers' business.
    assert_eq!(
        s.client.get(&job_url).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    let done = loop {
        let v: Value = s
            .client
            .get(&job_url)
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if v["status"] != "running" {
            break v;
        }
        assert!(Instant::now() < deadline, "the job ends");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(done["status"], "successful", "{done}");
    assert_eq!(done["result"]["added"], 200_000);
    assert_eq!(s.app.snapshot().len(), before + 200_000);
    // The slot is free again; `Prefer: respond-async` answers 202 at once.
    let r = s
        .client
        .post(s.url("/collections/incidents/import"))
        .bearer_auth(TOKEN)
        .header("content-type", "text/csv")
        .header("prefer", "respond-async")
        .body("id,occurred_at,category,lon,lat\nk1,2022-01-05,protest,50,42\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn forwarding_headers_count_only_behind_a_trusted_proxy() {
    let spoofed = |s: &TestServer| {
        s.client
            .get(s.url("/collections"))
            .header("x-forwarded-host", "evil.example")
            .header("x-forwarded-proto", "https")
            .send()
    };
    let s = TestServer::start(HttpOptions::default()).await;
    let r = spoofed(&s).await.unwrap();
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let body = r.text().await.unwrap();
    assert!(!body.contains("evil.example"), "not trusted by default");
    assert!(body.contains(&format!("http://{}", s.addr)));
    // The API's HTML page cannot be framed or run anything either.
    let r = s.get("/api.html").await;
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    // The landing page is HTML or JSON by Accept: caches are told.
    let r = s.get("/").await;
    let vary: Vec<_> = r.headers().get_all("vary").iter().collect();
    assert!(
        vary.iter().any(|v| v.to_str().unwrap().contains("accept")),
        "{vary:?}"
    );

    let s = TestServer::start(HttpOptions {
        trust_proxy: true,
        ..HttpOptions::default()
    })
    .await;
    let r = spoofed(&s).await.unwrap();
    let vary: Vec<_> = r
        .headers()
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        vary.iter().any(|v| v.contains("x-forwarded-host")),
        "{vary:?}"
    );
    assert!(r.text().await.unwrap().contains("https://evil.example"));
}

#[tokio::test]
async fn endpoints_without_parameters_refuse_unknown_ones() {
    let s = TestServer::start(HttpOptions::default()).await;
    for path in ["/tiles", "/health", "/metrics", "/config.json", "/ping"] {
        s.expect_error(&format!("{path}?bogus=1"), 400, "takes none")
            .await;
    }
}
