use crate::common::TestServer;

#[tokio::test]
async fn browsers_get_the_map_and_clients_get_json() {
    let s = TestServer::demo().await;
    let html = s
        .client
        .get(s.url("/"))
        .header(
            "accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .send()
        .await
        .unwrap();
    assert!(
        html.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = html.text().await.unwrap();
    assert!(
        page.contains(r#"<script type="module" src="js/main.js">"#),
        "the page loads its entry module"
    );
    // Module scripts load only with a JavaScript media type; api.js makes the page's requests.
    for module in ["main.js", "api.js"] {
        let js = s.get(&format!("/js/{module}")).await;
        assert_eq!(js.status(), 200, "{module}");
        assert!(
            js.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/javascript"),
            "{module}"
        );
    }
    let js = s.get("/js/api.js").await.text().await.unwrap();
    assert!(
        js.contains("tiles/") && js.contains("collections/incidents/items"),
        "the script uses the API"
    );
    assert_eq!(s.get("/js/missing.js").await.status(), 404);
    assert_eq!(
        s.get("/app.js").await.status(),
        404,
        "the old single script is gone"
    );
    for accept in ["*/*", "application/json"] {
        let r = s
            .client
            .get(s.url("/"))
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "application/json", "{accept}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert!(
            v["links"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["type"].is_string())
        );
    }
}

#[tokio::test]
async fn health_reports_ready_with_counts() {
    let s = TestServer::demo().await;
    let (status, v) = s.json("/health").await;
    assert_eq!(status, 200);
    assert_eq!(v["status"], "ok");
    assert_eq!(v["incidents"], 18);
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_json() {
    let s = TestServer::empty().await;
    s.expect_error("/nowhere", 404, "/nowhere").await;
    let r = s.client.delete(s.url("/health")).send().await.unwrap();
    assert_eq!(r.status(), 405);
}

#[tokio::test]
async fn reads_are_open_to_any_origin() {
    let s = TestServer::demo().await;
    let r = s
        .client
        .get(s.url("/collections/incidents/items"))
        .header("origin", "https://example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://example.org"
    );
    let exposed = r.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("link"),
        "{exposed}"
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let s = TestServer::demo().await;
    s.get("/collections/incidents/items?limit=2").await;
    s.get("/tiles/heat/3/5/2.png").await;
    s.get("/nowhere").await;
    let r = s.get("/metrics").await;
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = r.text().await.unwrap();
    for needle in [
        "incidentmap_http_requests_total{method=\"GET\",route=\"/collections/{collectionId}/items\",status=\"200\"}",
        "incidentmap_http_request_duration_seconds_bucket{route=\"/tiles/{style}/{z}/{x}/{y}\"",
        "route=\"unmatched\",status=\"404\"",
        "incidentmap_tile_render_seconds",
        "incidentmap_tile_cache_misses_total",
        "incidentmap_tile_cache_bytes",
        "incidentmap_incidents",
        "incidentmap_data_version",
        "incidentmap_store_write_seconds",
    ] {
        assert!(text.contains(needle), "{needle} is missing from:\n{text}");
    }
}

#[tokio::test]
async fn errors_made_by_the_framework_are_json_too() {
    let s = TestServer::demo().await;
    // an undecodable path parameter is rejected before any handler runs
    s.expect_error("/collections/incidents/items/%FF%FE", 400, "")
        .await;
}
