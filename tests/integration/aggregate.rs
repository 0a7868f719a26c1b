//! `/collections/incidents/aggregate` (issue #17, item 4): counts by region, country,
//! category and period that add up to the items' numberMatched for the same filter, as JSON
//! and CSV; mistakes named.

use serde_json::Value;

use crate::common::TestServer;

fn events(doc: &Value) -> u64 {
    doc["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["events"].as_u64().unwrap())
        .sum()
}

#[tokio::test]
async fn groups_add_up_to_the_items_for_every_filter() {
    let s = crate::cql::server().await;
    for filter in [
        "",
        "category=riot,protest",
        "datetime=2022-01-05/2022-01-07",
        "bbox=50,40,60,48",
        "min_fatalities=1",
        "precision=region,country",
    ] {
        let (st, items) = s
            .json(&format!("/collections/incidents/items?limit=1&{filter}"))
            .await;
        assert_eq!(st, 200, "{filter}: {items}");
        let matched = items["numberMatched"].as_u64().unwrap();
        for by in [
            "region",
            "country,week",
            "category,day",
            "region,category,month",
        ] {
            let (st, doc) = s
                .json(&format!(
                    "/collections/incidents/aggregate?groupby={by}&{filter}"
                ))
                .await;
            assert_eq!(st, 200, "{by} {filter}: {doc}");
            assert_eq!(
                doc["numberMatched"].as_u64(),
                Some(matched),
                "{by} {filter}"
            );
            assert_eq!(events(&doc), matched, "{by} {filter}");
        }
    }
}

/// Every region group of the counts is what the items' `admin1` filter selects: the property
/// and the counts follow one rule.
#[tokio::test]
async fn region_counts_are_the_admin1_filter() {
    let s = crate::cql::server().await;
    let (_, doc) = s
        .json("/collections/incidents/aggregate?groupby=region")
        .await;
    let groups = doc["groups"].as_array().unwrap();
    assert!(groups.len() >= 10, "{doc}");
    let mut named = 0;
    for g in groups {
        let Some(code) = g["admin1_code"].as_str() else {
            continue; // country-level incidents: in no region
        };
        let (_, items) = s
            .json(&format!(
                "/collections/incidents/items?limit=1&admin1={code}"
            ))
            .await;
        assert_eq!(items["numberMatched"], g["events"], "{code}");
        let name = g["admin1"].as_str().unwrap();
        assert_eq!(items["features"][0]["properties"]["admin1"], name, "{code}");
        named += g["events"].as_u64().unwrap();
    }
    let (_, none) = s
        .json("/collections/incidents/items?limit=1&filter=admin1%20IS%20NULL")
        .await;
    assert_eq!(
        none["numberMatched"].as_u64().unwrap() + named,
        doc["numberMatched"].as_u64().unwrap()
    );
}

#[tokio::test]
async fn the_demo_counts_by_region_and_week() {
    let s = TestServer::demo().await;
    let (_, doc) = s
        .json("/collections/incidents/aggregate?groupby=region,week")
        .await;
    let groups = doc["groups"].as_array().unwrap();
    // The Zhambyl-region deaths (kz22-013, region-level, جامبيل) count in Zhambyl.
    let zhambyl = groups
        .iter()
        .find(|g| g["admin1"] == "Zhambyl" && g["week"] == "2022-01-03")
        .unwrap_or_else(|| panic!("no Zhambyl group: {doc}"));
    assert!(zhambyl["fatalities"].as_u64().unwrap() >= 10, "{zhambyl}");
    assert_eq!(zhambyl["admin1_code"], "KZ.17");
    // Zhanaozen's protests of 2 January (a Sunday) are in the week of Monday 27 December.
    let mangystau = groups
        .iter()
        .find(|g| g["admin1"] == "Mangystau" && g["week"] == "2021-12-27")
        .unwrap_or_else(|| panic!("no Mangystau group for the first days: {doc}"));
    assert!(mangystau["events"].as_u64().unwrap() >= 1);
    // Country-level incidents (nationwide totals) are in no region.
    let (_, items) = s
        .json("/collections/incidents/items?precision=country&limit=1")
        .await;
    let nationwide = items["numberMatched"].as_u64().unwrap();
    let outside: u64 = groups
        .iter()
        .filter(|g| g["admin1"].is_null())
        .map(|g| g["events"].as_u64().unwrap())
        .sum();
    assert_eq!(outside, nationwide, "{doc}");
}

#[tokio::test]
async fn csv_has_acled_like_columns() {
    let s = TestServer::demo().await;
    let r = s
        .get("/collections/incidents/aggregate?groupby=country,category,week&f=csv")
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = r.text().await.unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("country,iso,category,event_type,week,events,fatalities,injured,arrested")
    );
    let rows: Vec<&str> = lines.collect();
    assert!(
        rows.iter().all(|l| l.starts_with("Kazakhstan,KZ,")),
        "{text}"
    );
    let total: u64 = rows
        .iter()
        .map(|l| l.split(',').nth(5).unwrap().parse::<u64>().unwrap())
        .sum();
    let (_, items) = s.json("/collections/incidents/items?limit=1").await;
    assert_eq!(Some(total), items["numberMatched"].as_u64());
    // An empty answer still has its header.
    let r = s
        .get("/collections/incidents/aggregate?groupby=region,day&f=csv&category=shortage&datetime=1990-01-01/1990-01-02")
        .await;
    assert_eq!(
        r.text().await.unwrap(),
        "admin1,admin1_code,day,events,fatalities,injured,arrested\n"
    );
}

#[tokio::test]
async fn mistakes_are_named() {
    let s = TestServer::demo().await;
    for (query, needle) in [
        ("", "groupby: required"),
        ("groupby=province", "\"province\" is not one of"),
        ("groupby=region,region", "twice"),
        ("groupby=region&category=riots", "riots"),
        ("groupby=region&colour=red", "colour"),
    ] {
        let (st, body) = s
            .json(&format!("/collections/incidents/aggregate?{query}"))
            .await;
        assert_eq!(st, 400, "{query}: {body}");
        assert!(
            body["description"].as_str().unwrap().contains(needle),
            "{query}: {body}"
        );
    }
    let (st, _) = s
        .json("/collections/nothing/aggregate?groupby=region")
        .await;
    assert_eq!(st, 404);
}

/// Points fall in the region whose outline holds them — Natural Earth's, or the approximate
/// ones of the regions created in 2022 (Abai, Jetisu, Ulytau), cut out of the old ones.
#[test]
fn points_are_counted_in_the_region_whose_outline_holds_them() {
    let gaz = crate::common::gazetteer();
    for (lon, lat, region, country) in [
        (71.37, 42.90, "Zhambyl", "Kazakhstan"),         // Taraz
        (52.86, 43.34, "Mangystau", "Kazakhstan"),       // Zhanaozen
        (80.23, 50.41, "Abai Region", "Kazakhstan"),     // Semey, East Kazakhstan until 2022
        (82.61, 49.95, "East Kazakhstan", "Kazakhstan"), // Oskemen
        (78.37, 45.02, "Zhetysu Region", "Kazakhstan"),  // Taldykorgan
        (67.71, 47.80, "Ulytau Region", "Kazakhstan"),   // Zhezkazgan
        (74.59, 42.87, "Bishkek", "Kyrgyzstan"),
        (44.51, 40.18, "Yerevan", "Armenia"),
    ] {
        let a = gaz.area_of(lon, lat, None, false);
        let name = |i: Option<u32>| i.map(|i| gaz.place_at(i).name.clone());
        assert_eq!(
            (name(a.region).as_deref(), name(a.country).as_deref()),
            (Some(region), Some(country)),
            "({lon}, {lat})"
        );
    }
    // The open sea is in no area.
    assert_eq!(
        gaz.area_of(-30.0, 0.0, None, false),
        incidentmap::gazetteer::Area::default()
    );
}
