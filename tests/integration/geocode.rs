use crate::common::TestServer;

async fn top(s: &TestServer, q: &str) -> serde_json::Value {
    let path = format!("/geocode?q={}&limit=5", form_urlencoded_encode(q));
    let (status, v) = s.json(&path).await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(v["query"], q);
    v["results"][0].clone()
}

fn form_urlencoded_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_arabic_names_of_the_report_resolve() {
    let s = TestServer::empty().await;
    for (q, id, kind) in [
        ("ألما آتا", 1526384, "city"),
        ("جاناوزين", 607610, "city"),
        ("أكتاو", 610612, "city"),
        ("كيزيلوردا", 1519922, "city"),
        ("جامبيل", 1524444, "region"),
    ] {
        let r = top(&s, q).await;
        assert_eq!(r["id"], id, "{q}: {r}");
        assert_eq!(r["kind"], kind, "{q}");
        assert_eq!(r["country"], "KZ", "{q}");
        let c = r["confidence"].as_f64().unwrap();
        assert!((0.6..=1.0).contains(&c), "{q}: confidence {c}");
        for field in ["name", "lon", "lat", "match", "precision"] {
            assert!(!r[field].is_null(), "{q}: {field}");
        }
    }
}

#[tokio::test]
async fn geocode_checks_its_parameters() {
    let s = TestServer::empty().await;
    s.expect_error("/geocode", 400, "q").await;
    s.expect_error("/geocode?q=x&limit=0", 400, "limit").await;
    s.expect_error("/geocode?q=x&country=Kazakhstan", 400, "country")
        .await;
    s.expect_error("/geocode?q=x&lang=ar", 400, "lang").await;
    let (status, v) = s.json("/geocode?q=qwxzvkjh").await;
    assert_eq!(status, 200);
    assert_eq!(
        v["results"].as_array().unwrap().len(),
        0,
        "nonsense finds nothing"
    );
}
