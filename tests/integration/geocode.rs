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

/// An Arabic paragraph on the January 2022 events: every place it names is found, each span
/// once, with code-point offsets that slice back to the mention.
const ARABIC_REPORT: &str = "شهدت كازاخستان في مطلع يناير 2022 احتجاجات بدأت في جاناوزين وأكتاو بعد ارتفاع أسعار الغاز المسال، ثم امتدت إلى ألما آتا وكيزيلوردا وجامبيل. وأعلنت وزارة الصحة مقتل 103 أشخاص في ألما آتا و21 في منطقة كيزيلوردا. وأرسلت منظمة معاهدة الأمن الجماعي قوات حفظ السلام من روسيا وبيلاروسيا وأرمينيا وطاجيكستان وقيرغيزستان لحماية المنشآت الحيوية.";

#[tokio::test]
async fn geoparsing_an_arabic_report_finds_every_place() {
    let s = TestServer::empty().await;
    let r = s
        .client
        .post(s.url("/geoparse"))
        .header("content-type", "text/plain; charset=utf-8")
        .body(ARABIC_REPORT)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    let chars: Vec<char> = ARABIC_REPORT.chars().collect();
    let mut found = Vec::new();
    for m in v["mentions"].as_array().unwrap() {
        let (start, end) = (
            m["start"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        let slice: String = chars[start..end].iter().collect();
        assert_eq!(
            slice,
            m["text"].as_str().unwrap(),
            "offsets slice back to the mention"
        );
        found.push((
            m["text"].as_str().unwrap().to_string(),
            m["place"]["id"].as_u64().unwrap(),
        ));
    }
    let want: &[(&str, u64)] = &[
        ("كازاخستان", 1522867),
        ("جاناوزين", 607610),
        ("أكتاو", 610612),
        ("ألما آتا", 1526384),
        ("كيزيلوردا", 1519922),
        ("جامبيل", 1524444),
        ("ألما آتا", 1526384),
        ("منطقة كيزيلوردا", 1521406),
        ("روسيا", 2017370),
        ("بيلاروسيا", 630336),
        ("أرمينيا", 174982),
        ("طاجيكستان", 1220409),
        ("قيرغيزستان", 1527747),
    ];
    let want: Vec<(String, u64)> = want.iter().map(|(t, i)| (t.to_string(), *i)).collect();
    assert_eq!(found, want);
}

#[tokio::test]
async fn geoparse_refuses_bytes_that_are_not_text() {
    let s = TestServer::empty().await;
    let r = s
        .client
        .post(s.url("/geoparse"))
        .body(vec![0xff, 0xfe, 0x00])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v["description"].as_str().unwrap().contains("UTF-8"));
}

/// Ordinary words, demonyms and people are not places; the threshold is the caller's.
#[tokio::test]
async fn geoparse_sets_demonyms_apart_and_takes_a_confidence_threshold() {
    let s = TestServer::empty().await;
    let text = "وقال الخبر إن القوات الروسية انتشرت في ألماتي. \
                Azerbaijani forces shelled Jermuk, Armenia, on Tuesday, Jordan Matthews said.";
    let post = |path: &str| {
        s.client
            .post(s.url(path))
            .header("content-type", "text/plain; charset=utf-8")
            .body(text)
            .send()
    };
    let r = post("/geoparse").await.unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    let names: Vec<&str> = v["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["place"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Almaty", "Jermuk", "Armenia"], "{v}");
    let demonyms: Vec<(&str, &str)> = v["demonyms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["text"].as_str().unwrap(), d["country"].as_str().unwrap()))
        .collect();
    assert_eq!(demonyms, [("الروسية", "RU"), ("Azerbaijani", "AZ")]);
    assert_eq!(v["min_confidence"], 0.5);
    for m in v["mentions"].as_array().unwrap() {
        assert!(m["place"]["confidence"].as_f64().unwrap() >= 0.5);
    }

    // Everything, however doubtful: at least as much, and the threshold is echoed.
    let all: serde_json::Value = post("/geoparse?min_confidence=0")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all["min_confidence"], 0.0);
    assert!(all["mentions"].as_array().unwrap().len() >= names.len());

    for bad in ["min_confidence=2", "min_confidence=high"] {
        let r = post(&format!("/geoparse?{bad}")).await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        let e: serde_json::Value = r.json().await.unwrap();
        assert!(
            e["description"]
                .as_str()
                .unwrap()
                .contains("min_confidence"),
            "{bad}: {e}"
        );
    }
}
