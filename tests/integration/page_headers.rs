//! The map page's security headers (issue #13, item 11): it can hold a write token, so it runs
//! only this server's scripts, talks only to this server, and may not be framed.

use incidentmap::http::HttpOptions;
use incidentmap::http::web::page_policy;

use crate::common::TestServer;

/// GETs the page as a browser asks for it; returns its headers and body.
async fn page(s: &TestServer) -> (reqwest::header::HeaderMap, String) {
    let r = s
        .client
        .get(s.url("/"))
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let headers = r.headers().clone();
    (headers, r.text().await.unwrap())
}

/// The policy's directives: name → sources.
fn directives(policy: &str) -> Vec<(String, Vec<String>)> {
    policy
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut words = d.split_ascii_whitespace().map(str::to_string);
            (words.next().unwrap(), words.collect())
        })
        .collect()
}

fn sources<'a>(policy: &'a [(String, Vec<String>)], name: &str) -> &'a [String] {
    policy
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| &s[..])
        .unwrap_or_else(|| panic!("no {name} in the policy {policy:?}"))
}

#[tokio::test]
async fn the_map_page_has_a_strict_policy_and_cannot_be_framed() {
    let s = TestServer::demo().await;
    let (h, body) = page(&s).await;
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
    let csp = h
        .get("content-security-policy")
        .expect("the page has a Content-Security-Policy")
        .to_str()
        .unwrap();
    let p = directives(csp);
    let (_, config) = s.json("/config.json").await;
    let vendored = config["vendored"].as_bool().unwrap();

    assert_eq!(sources(&p, "default-src"), ["'none'"], "{csp}");
    assert_eq!(sources(&p, "frame-ancestors"), ["'none'"], "{csp}");
    // The demo's base map is OpenStreetMap's tile server: MapLibre fetches its tiles.
    assert_eq!(
        sources(&p, "connect-src"),
        ["'self'", "https://tile.openstreetmap.org"],
        "{csp}"
    );
    let worker = if vendored { "'self'" } else { "blob:" };
    assert_eq!(sources(&p, "worker-src"), [worker], "{csp}");
    assert_eq!(sources(&p, "base-uri"), ["'self'"], "{csp}");
    assert_eq!(sources(&p, "object-src"), ["'none'"], "{csp}");
    for d in ["script-src", "style-src"] {
        let src = sources(&p, d);
        assert_eq!(src[0], "'self'", "{d}: {csp}");
        assert!(
            !src.iter()
                .any(|s| s.contains("unsafe") || s == "https:" || s == "*"),
            "{d} must not allow inline code or any host: {csp}"
        );
        // The CDN only when this binary has no copy of the libraries, and then only the
        // pinned versions' files.
        let cdn: Vec<&String> = src.iter().filter(|s| s.contains("unpkg.com")).collect();
        if vendored {
            assert!(cdn.is_empty(), "{d}: a vendored build needs no CDN: {csp}");
        } else {
            assert_eq!(cdn, ["https://unpkg.com/maplibre-gl@6.20.0/dist/"], "{csp}");
        }
    }
    let img = sources(&p, "img-src");
    for want in ["'self'", "data:", "https://tile.openstreetmap.org"] {
        assert!(img.iter().any(|s| s == want), "img-src lacks {want}: {csp}");
    }

    // Nothing in the page itself that the policy would block.
    let lower = body.to_ascii_lowercase();
    assert!(
        !lower.contains("<style"),
        "the page has an inline style sheet"
    );
    for (at, _) in lower.match_indices("<script") {
        let tag = &lower[at..at + lower[at..].find('>').unwrap()];
        assert!(
            tag.contains(" src="),
            "the page has an inline script: {tag}>"
        );
    }
    assert!(
        !lower.contains(" style=") && !lower.contains("javascript:"),
        "the page has inline styles or javascript: URLs"
    );
    for handler in [
        " onclick=",
        " onload=",
        " onerror=",
        " onsubmit=",
        " onchange=",
    ] {
        assert!(!lower.contains(handler), "the page has an inline {handler}");
    }
}

#[tokio::test]
async fn the_policy_allows_the_configured_base_map_and_only_it() {
    for (basemap, want) in [
        (
            "https://{s}.tile.example.org/{z}/{x}/{y}.png",
            Some("https://*.tile.example.org"),
        ),
        (
            "http://tiles.internal:8081/osm/{z}/{x}/{y}.png?key=abc",
            Some("http://tiles.internal:8081"),
        ),
        ("", None),
    ] {
        let s = TestServer::start(HttpOptions {
            basemap_url: basemap.into(),
            ..HttpOptions::default()
        })
        .await;
        let (h, _) = page(&s).await;
        let csp = h["content-security-policy"].to_str().unwrap().to_string();
        let p = directives(&csp);
        // MapLibre fetches raster tiles (connect-src) and decodes them to images (img-src).
        for directive in ["img-src", "connect-src"] {
            let others: Vec<&String> = sources(&p, directive)
                .iter()
                .filter(|s| !["'self'", "data:", "blob:"].contains(&s.as_str()))
                .collect();
            assert_eq!(
                others,
                want.into_iter().collect::<Vec<_>>(),
                "{basemap} {directive}: {csp}"
            );
        }
    }
}

#[test]
fn the_cdn_is_in_the_policy_only_without_vendored_libraries() {
    let osm = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
    let with = page_policy(true, osm);
    assert!(!with.contains("unpkg"), "{with}");
    let without = page_policy(false, osm);
    for d in directives(&without)
        .iter()
        .filter(|(n, _)| ["script-src", "style-src"].contains(&n.as_str()))
    {
        assert!(
            d.1.iter()
                .any(|s| s == "https://unpkg.com/maplibre-gl@6.20.0/dist/"),
            "{without}"
        );
        assert!(
            !d.1.iter()
                .any(|s| s == "https://unpkg.com" || s == "https://unpkg.com/")
        );
    }
    // A template a CSP source cannot express allows no extra host rather than a wrong one.
    let odd = page_policy(true, "https://tiles.{s}.example.org/{z}/{x}/{y}.png");
    assert!(!odd.contains("example.org"), "{odd}");
}
