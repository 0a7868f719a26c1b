//! The review queue: a report in (`POST /reports`), drafts only editors see, publishing and
//! rejecting as writes with If-Match and history, corroboration of incidents already known,
//! and bad reports refused with nothing written. On both stores.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TOKEN, TestServer, on_both_stores};

const ITEMS: &str = "/collections/incidents/items";

/// Protests yesterday in Aktobe; clashes and 40 arrests in Shymkent (published 2022-01-07).
const ARABIC: &str = "خرج مئات المتظاهرين أمس إلى شوارع مدينة أكتوبي احتجاجا على ارتفاع أسعار \
                      الغاز. وفي مدينة شيمكنت، اعتقلت الشرطة 40 شخصا بعد مواجهات مع المحتجين.";

on_both_stores!(
    drafts_wait_in_a_queue_only_editors_see,
    a_report_of_a_known_incident_proposes_corroboration,
    bad_reports_are_refused_and_nothing_is_written,
);

impl TestServer {
    async fn post_report(
        &self,
        token: Option<&str>,
        query: &str,
        ct: &str,
        body: &str,
    ) -> reqwest::Response {
        let mut r = self
            .client
            .post(self.url(&format!("/reports{query}")))
            .header("content-type", ct)
            .body(body.to_string());
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.unwrap()
    }

    async fn get_as(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut r = self.client.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let r = r.send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn set_status(&self, id: &str, etag: &str, status: &str) -> reqwest::Response {
        self.client
            .patch(self.url(&format!("{ITEMS}/{id}")))
            .bearer_auth(TOKEN)
            .header("content-type", "application/merge-patch+json")
            .header("if-match", etag)
            .body(json!({"properties": {"status": status}}).to_string())
            .send()
            .await
            .unwrap()
    }

    async fn public_count(&self) -> u64 {
        let (_, v) = self.json(&format!("{ITEMS}?limit=1")).await;
        v["numberMatched"].as_u64().unwrap()
    }
}

async fn drafts_wait_in_a_queue_only_editors_see(db: Option<String>) {
    let s = TestServer::writable_on(db.as_deref()).await;
    let before = s.public_count().await;

    // Without a token: refused before the body is read.
    let r = s.post_report(None, "", "text/plain", ARABIC).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let r = s
        .post_report(
            Some(TOKEN),
            "?published_at=2022-01-07&source=Al%20Jazeera",
            "text/plain; charset=utf-8",
            ARABIC,
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["cache-control"], "private, no-store");
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["language"], "ar");
    let drafts = report["drafts"].as_array().unwrap();
    let by_place = |name: &str| {
        drafts
            .iter()
            .find(|d| d["place"]["name"] == name)
            .unwrap_or_else(|| panic!("a draft at {name}: {report:#}"))
    };
    let aktobe = by_place("Aktobe");
    assert_eq!(aktobe["occurred_at"], "2022-01-06", "yesterday");
    assert_eq!(aktobe["category"], "protest");
    let shymkent = by_place("Shymkent");
    assert_eq!(shymkent["arrested"]["value"], 40);
    // Evidence: the offsets point at the words in the text.
    let chars: Vec<char> = ARABIC.chars().collect();
    let span = |v: &Value| -> String {
        let (a, b) = (
            v["start"].as_u64().unwrap() as usize,
            v["end"].as_u64().unwrap() as usize,
        );
        chars[a..b].iter().collect()
    };
    assert!(span(&aktobe["place_evidence"]).ends_with("أكتوبي"));
    assert_eq!(span(&aktobe["date_evidence"]), "أمس");
    assert!(span(&shymkent["arrested"]["evidence"]).contains("40"));

    // The drafts are in the queue, not on the public map.
    assert_eq!(s.public_count().await, before, "drafts are not published");
    let (st, _) = s.get_as(&format!("{ITEMS}?status=draft"), None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "the queue needs a token");
    let (st, queue) = s
        .get_as(&format!("{ITEMS}?status=draft&limit=100"), Some(TOKEN))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        queue["numberMatched"].as_u64().unwrap() as usize,
        drafts.len()
    );
    for f in queue["features"].as_array().unwrap() {
        assert_eq!(f["properties"]["status"], "draft");
        assert_eq!(f["properties"]["report_id"], report["id"]);
        assert_eq!(f["properties"]["source"], "Al Jazeera");
    }
    let aktobe_id = aktobe["incident_id"].as_str().unwrap();
    let shymkent_id = shymkent["incident_id"].as_str().unwrap();
    let item = format!("{ITEMS}/{aktobe_id}");
    assert_eq!(s.get_as(&item, None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        s.get_as(&format!("{item}/history"), None).await.0,
        StatusCode::NOT_FOUND,
        "a draft's history is for editors"
    );
    let r = s
        .client
        .get(s.url(&item))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "private, no-store");
    let etag = r.headers()["etag"].to_str().unwrap().to_string();

    // Publishing is a write with If-Match: a stale tag is refused.
    let r = s.set_status(aktobe_id, "\"stale\"", "published").await;
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    let r = s.set_status(aktobe_id, &etag, "published").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(s.public_count().await, before + 1);
    let (st, f) = s.get_as(&item, None).await;
    assert_eq!(st, StatusCode::OK, "published: public");
    assert!(
        f["properties"].get("status").is_none(),
        "published is the default: {f}"
    );
    assert_eq!(f["properties"]["admin1"], "Aktobe");
    let (_, day) = s
        .json(&format!("{ITEMS}?datetime=2022-01-06&bbox=56,49,58,51"))
        .await;
    assert!(
        day["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == aktobe_id),
        "the published draft is found by the public filters: {day}"
    );

    // Rejecting leaves no trace outside the queue and its history.
    let r = s
        .client
        .get(s.url(&format!("{ITEMS}/{shymkent_id}")))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let r = s.set_status(shymkent_id, &etag, "rejected").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(s.public_count().await, before + 1);
    assert_eq!(
        s.get_as(&format!("{ITEMS}/{shymkent_id}"), None).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, rejected) = s
        .get_as(&format!("{ITEMS}?status=rejected"), Some(TOKEN))
        .await;
    assert_eq!(rejected["features"][0]["id"], shymkent_id);
    let (st, h) = s
        .get_as(&format!("{ITEMS}/{shymkent_id}/history"), Some(TOKEN))
        .await;
    assert_eq!(st, StatusCode::OK);
    let ops: Vec<&str> = h["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["op"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["create", "update"]);
    assert_eq!(h["changes"][1]["actor"], "alice");
    assert_eq!(h["changes"][1]["after"]["properties"]["status"], "rejected");

    // The report keeps its text and says where each draft stands now.
    let path = location.trim_start_matches(&format!("http://{}", s.addr));
    assert_eq!(s.get_as(path, None).await.0, StatusCode::UNAUTHORIZED);
    let (st, back) = s.get_as(path, Some(TOKEN)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(back["text"], ARABIC);
    assert_eq!(back["published_at"], "2022-01-07");
    assert_eq!(back["drafts"], report["drafts"]);
    let status_of = |id: &str| {
        back["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .map(|i| i["feature"]["properties"]["status"].clone())
    };
    assert_eq!(status_of(aktobe_id), Some(Value::Null), "published");
    assert_eq!(status_of(shymkent_id), Some(json!("rejected")));

    // After a restart the queue is as it was.
    let store = s.app.store().clone();
    let reopened = tokio::task::spawn_blocking(move || {
        incidentmap::app::App::new(
            store,
            crate::common::gazetteer(),
            incidentmap::tiles::style::Styles::embedded().unwrap(),
        )
        .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(reopened.snapshot().len() as u64, before + 1);
    let queued = reopened.queue();
    assert_eq!(queued.len(), drafts.len() - 1);
    assert_eq!(
        queued.get(shymkent_id).map(|i| i.status),
        Some(incidentmap::model::Status::Rejected)
    );
}

async fn a_report_of_a_known_incident_proposes_corroboration(db: Option<String>) {
    let s = TestServer::writable_on(db.as_deref()).await;
    let text = "Riots broke out in Almaty on Wednesday as protesters stormed the mayor's office. \
                In Aktobe, police detained 30 people.";
    let body = json!({"text": text, "published_at": "2022-01-06", "url": "https://example.org/a"});
    let r = s
        .post_report(Some(TOKEN), "", "application/json", &body.to_string())
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["language"], "en", "detected");
    let drafts = report["drafts"].as_array().unwrap();
    let almaty = drafts
        .iter()
        .find(|d| d["place"]["name"] == "Almaty")
        .unwrap();
    // The demo's riot in Almaty on 5 January.
    assert_eq!(almaty["corroborates"], "kz22-005", "{report:#}");
    assert!(almaty.get("incident_id").is_none(), "no duplicate drafted");
    let known = report["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "kz22-005");
    assert!(
        known.is_some_and(|i| i["etag"].is_string()),
        "with its ETag to add the source"
    );
    let aktobe = drafts
        .iter()
        .find(|d| d["place"]["name"] == "Aktobe")
        .unwrap();
    let id = aktobe["incident_id"].as_str().unwrap();
    let (_, f) = s.get_as(&format!("{ITEMS}/{id}"), Some(TOKEN)).await;
    assert_eq!(
        f["properties"]["source"], "https://example.org/a",
        "the URL when no source"
    );
}

async fn bad_reports_are_refused_and_nothing_is_written(db: Option<String>) {
    let s = TestServer::writable_on(db.as_deref()).await;
    let (_, h) = s.json("/health").await;
    let version = h["data_version"].clone();
    for (query, ct, body, status, needle) in [
        ("", "text/plain", "   ", 400, "empty"),
        (
            "",
            "application/json",
            r#"{"text": "x", "author": "y"}"#,
            400,
            "author",
        ),
        ("", "application/json", r#"{"source": "y"}"#, 400, "text"),
        (
            "",
            "application/json",
            r#"{"text": "a", "text": "b"}"#,
            400,
            "twice",
        ),
        (
            "?language=fr",
            "text/plain",
            "Riots in Almaty",
            400,
            "language",
        ),
        (
            "?published_at=yesterday",
            "text/plain",
            "Riots in Almaty",
            400,
            "published_at",
        ),
        ("?author=x", "text/plain", "Riots in Almaty", 400, "author"),
        (
            "?source=x",
            "application/json",
            r#"{"text": "x"}"#,
            400,
            "source",
        ),
        ("", "application/xml", "<r/>", 415, "text/plain"),
    ] {
        let r = s.post_report(Some(TOKEN), query, ct, body).await;
        assert_eq!(r.status().as_u16(), status, "{query} {ct} {body}");
        let v: Value = r.json().await.unwrap();
        let d = v["description"].as_str().unwrap_or_default();
        assert!(d.contains(needle), "{body}: {d:?} should name {needle:?}");
    }
    let (_, h) = s.json("/health").await;
    assert_eq!(h["data_version"], version, "nothing was written");
    let r = s
        .post_report(Some(TOKEN), "", "text/plain", &"x".repeat(2 * 1024 * 1024))
        .await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
}
