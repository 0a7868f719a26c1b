//! CQL2 filters (issue #15): the same question asked with query parameters and in CQL2 gets
//! the same answer from the items (GeoJSON ids and numberMatched, CSV bytes), the aggregates
//! (groups adding up to numberMatched, CSV bytes), the heat tiles (PNG bytes) and the vector
//! tiles (counts adding up to numberMatched); the queryables and conformance say what is supported; mistakes are 400s
//! that name them.

use incidentmap::model::Incident;
use incidentmap::store::Change;
use incidentmap::synth::{SynthOptions, generate};

use crate::common::{TestServer, gazetteer};

/// The demo plus 2,500 synthetic incidents over Kazakhstan in 2023 (folded into the index's
/// base) and 300 more written after (held in its overlay), some with whole days for times and
/// unknown counts: both paths of the heat tiles, and null logic, are exercised.
pub async fn server() -> TestServer {
    fill(TestServer::demo().await).await
}

/// The same on a fresh PostgreSQL database.
async fn server_on_postgres() -> TestServer {
    let url = tokio::task::spawn_blocking(|| crate::postgres::Cluster::shared().database())
        .await
        .unwrap();
    let s = TestServer::start_on(Some(&url), incidentmap::http::HttpOptions::default()).await;
    let app = s.app.clone();
    tokio::task::spawn_blocking(move || app.load_demo_if_empty())
        .await
        .unwrap()
        .unwrap();
    fill(s).await
}

async fn fill(s: TestServer) -> TestServer {
    let app = s.app.clone();
    tokio::task::spawn_blocking(move || {
        let opts = SynthOptions {
            count: 2800,
            seed: 15,
            countries: vec!["KZ".into()],
            ..Default::default()
        };
        let mut all: Vec<Incident> = generate(&gazetteer(), &opts).unwrap().collect();
        for (n, i) in all.iter_mut().enumerate() {
            if n % 5 == 0 {
                let day = i.occurred_at.start_utc().date();
                i.occurred_at = incidentmap::model::OccurredAt::Date(day);
            }
            if n % 7 == 0 {
                i.fatalities = None;
            }
        }
        let later = all.split_off(2500);
        app.write(all.into_iter().map(Change::Put).collect(), "test")
            .unwrap();
        app.write(later.into_iter().map(Change::Put).collect(), "test")
            .unwrap();
    })
    .await
    .unwrap();
    s
}

/// Twenty-two filters, each as query parameters and as CQL2 (text, or JSON where it starts with
/// `{`).
const PAIRS: &[(&str, &str)] = &[
    ("category=riot", "category = 'riot'"),
    ("category=riot,protest", "category IN ('riot', 'protest')"),
    (
        "datetime=2023-03-01/2023-03-31",
        "T_INTERSECTS(occurred_at, INTERVAL('2023-03-01', '2023-03-31'))",
    ),
    (
        "datetime=2023-06-15T12:00:00Z/..",
        "T_INTERSECTS(occurred_at, INTERVAL('2023-06-15T12:00:00Z', '..'))",
    ),
    ("min_fatalities=1", "fatalities >= 1"),
    ("min_fatalities=3", "fatalities > 2"),
    ("precision=exact", "precision = 'exact'"),
    ("precision=city,near", "precision IN ('city', 'near')"),
    (
        "bbox=76.5,43,77.5,43.6",
        "S_INTERSECTS(geometry, BBOX(76.5, 43, 77.5, 43.6))",
    ),
    (
        "category=arrests&min_arrested=5",
        "category = 'arrests' AND arrested >= 5",
    ),
    (
        "datetime=2023-01-01/2023-01-31&category=protest",
        "T_INTERSECTS(occurred_at, INTERVAL('2023-01-01', '2023-01-31')) AND category = 'protest'",
    ),
    ("place_id=1526384", "place_id = 1526384"),
    ("admin1=Mangystau", "admin1 = 'Mangystau'"),
    (
        "admin1=kz.02,almaty region&category=riot,protest",
        "(admin1_code = 'KZ.02' OR CASEI(admin1) = CASEI('almaty region')) AND category IN ('riot', 'protest')",
    ),
    (
        "min_injured=2&precision=exact",
        "injured >= 2 AND precision = 'exact'",
    ),
    (
        "bbox=50,40,60,48&datetime=2023-05-01/2023-08-31",
        "S_INTERSECTS(geometry, POLYGON((50 40, 60 40, 60 48, 50 48, 50 40))) AND T_INTERSECTS(occurred_at, INTERVAL('2023-05-01', '2023-08-31'))",
    ),
    (
        "datetime=2023-02-10",
        "T_INTERSECTS(occurred_at, DATE('2023-02-10'))",
    ),
    (
        "category=shortage,deployment&min_fatalities=0",
        "category IN ('shortage', 'deployment') AND fatalities >= 0",
    ),
    (
        "category=riot&min_fatalities=2",
        r#"{"op":"and","args":[{"op":"=","args":[{"property":"category"},"riot"]},{"op":">=","args":[{"property":"fatalities"},2]}]}"#,
    ),
    // not lowered into the typed fields: evaluated as CQL2 (the R-tree path for tiles)
    (
        "datetime=../2023-02-28",
        "T_BEFORE(occurred_at, DATE('2023-03-01'))",
    ),
    (
        "min_fatalities=1&min_arrested=1",
        "NOT (fatalities < 1 OR arrested < 1)",
    ),
    (
        "category=violence_against_civilians,armed_clash&precision=exact",
        "(category = 'violence_against_civilians' OR category = 'armed_clash') AND NOT precision IN ('city', 'near', 'region', 'country')",
    ),
];

fn cql_query(cql: &str) -> String {
    let lang = if cql.starts_with('{') {
        "cql2-json"
    } else {
        "cql2-text"
    };
    let enc: String = form_urlencoded::byte_serialize(cql.as_bytes()).collect();
    format!("filter={enc}&filter-lang={lang}")
}

async fn ids(s: &TestServer, query: &str) -> (u64, Vec<String>) {
    let (status, body) = s
        .json(&format!("/collections/incidents/items?limit=10000&{query}"))
        .await;
    assert_eq!(status, 200, "{query}: {body}");
    let mut ids: Vec<String> = body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    (body["numberMatched"].as_u64().unwrap(), ids)
}

async fn bytes(s: &TestServer, path: &str) -> Vec<u8> {
    let r = s.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn query_parameters_and_cql2_agree_on_items_tiles_and_csv() {
    agree(&server().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn query_parameters_and_cql2_agree_on_postgres_too() {
    if crate::postgres::not_installed() {
        return;
    }
    agree(&server_on_postgres().await).await;
}

async fn agree(s: &TestServer) {
    let (total, _) = ids(s, "").await;
    let mut narrowing = 0;
    let zooms = [0u8, 4];
    let mut tiles = Vec::new();
    for z in zooms {
        tiles.push(crate::vector::tiles_with_data(s, z).await);
    }
    for (params, cql) in PAIRS {
        let q = cql_query(cql);
        let (n1, a) = ids(s, params).await;
        let (n2, b) = ids(s, &q).await;
        assert_eq!(n1, n2, "numberMatched: {params} vs {cql}");
        assert_eq!(a, b, "ids: {params} vs {cql}");
        if n1 > 0 && n1 < total {
            narrowing += 1;
        }
        let csv1 = bytes(
            s,
            &format!("/collections/incidents/items?f=csv&limit=10000&{params}"),
        )
        .await;
        let csv2 = bytes(
            s,
            &format!("/collections/incidents/items?f=csv&limit=10000&{q}"),
        )
        .await;
        assert_eq!(csv1, csv2, "CSV: {params} vs {cql}");
        // Aggregates: the groups add up to the number matched, and are the same both ways.
        let agg =
            |q: &str| format!("/collections/incidents/aggregate?groupby=region,category,week&{q}");
        let (st, g1) = s.json(&agg(params)).await;
        assert_eq!(st, 200, "{params}: {g1}");
        let (_, g2) = s.json(&agg(&q)).await;
        assert_eq!(
            g1["numberMatched"].as_u64(),
            Some(n1),
            "aggregate: {params}"
        );
        let events: u64 = g1["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["events"].as_u64().unwrap())
            .sum();
        assert_eq!(events, n1, "aggregate events: {params}");
        assert_eq!(g1["groups"], g2["groups"], "aggregate: {params} vs {cql}");
        let csv =
            |q: &str| format!("/collections/incidents/aggregate?groupby=country,month&f=csv&{q}");
        assert_eq!(
            bytes(s, &csv(params)).await,
            bytes(s, &csv(&q)).await,
            "aggregate CSV: {params} vs {cql}"
        );
        // Tiles take every filter but the box; a box filter is the tile's business.
        if params.contains("bbox") {
            continue;
        }
        for (z, x, y) in [(3, 5, 2), (5, 22, 11), (8, 182, 94), (11, 1461, 758)] {
            let t1 = bytes(s, &format!("/tiles/heat/{z}/{x}/{y}.png?{params}")).await;
            let t2 = bytes(s, &format!("/tiles/heat/{z}/{x}/{y}.png?{q}")).await;
            assert_eq!(t1, t2, "tile {z}/{x}/{y}: {params} vs {cql}");
        }
        // Vector tiles: the same bytes both ways, and every zoom's features add up to the
        // number matched.
        for (z, tiles) in zooms.iter().zip(&tiles) {
            for (filter, label) in [(*params, "parameters"), (q.as_str(), "CQL2")] {
                let n = crate::vector::zoom_total(s, *z, tiles, filter).await;
                assert_eq!(
                    n, n1,
                    "vector tiles at zoom {z} ({label}): {params} vs {cql}"
                );
            }
        }
    }
    assert!(
        narrowing >= PAIRS.len() - 2,
        "the filters must select something and not everything ({narrowing} of {} do)",
        PAIRS.len()
    );
}

#[tokio::test]
async fn cql2_reaches_what_query_parameters_cannot() {
    let s = server().await;
    // A district as a polygon, text matching, and null logic.
    let (n, _) = ids(
        &s,
        &cql_query(
            "S_INTERSECTS(geometry, POLYGON((76.7 43.1, 77.1 43.1, 77.1 43.4, 76.8 43.45, 76.7 43.1)))",
        ),
    )
    .await;
    let (n_box, _) = ids(&s, "bbox=76.7,43.1,77.1,43.45").await;
    assert!(
        n > 0 && n < n_box,
        "a polygon selects less than its box ({n} vs {n_box})"
    );
    let (unknown, _) = ids(&s, &cql_query("fatalities IS NULL")).await;
    assert!(unknown > 0);
    let (more, _) = ids(&s, &cql_query("fatalities > 0")).await;
    let (not_more, _) = ids(&s, &cql_query("NOT (fatalities > 0)")).await;
    let (total, _) = ids(&s, "").await;
    assert_eq!(
        more + not_more + unknown,
        total,
        "unknown counts are neither > 0 nor NOT > 0"
    );
    let (casei, _) = ids(&s, &cql_query("CASEI(source) = CASEI('SYNTHETIC')")).await;
    assert!(casei >= 2800);
    let (like, _) = ids(&s, &cql_query("source LIKE 'synth%'")).await;
    assert_eq!(like, casei);
}

#[tokio::test]
async fn mistakes_in_filters_are_named() {
    let s = server().await;
    for (q, needle) in [
        ("filter=deaths%20%3E%205", "\"deaths\""),
        ("filter=fatalities%20%3E%20%27many%27", "cannot be compared"),
        ("filter=category%20%3D%20%27riott%27", "riott"),
        (
            "filter=A_CONTAINS(category%2C%20(%27riot%27))",
            "A_CONTAINS",
        ),
        ("filter=category%20%3D", "cql2-text"),
        ("filter=true&filter-lang=cql", "filter-lang"),
        ("filter=true&filter-crs=EPSG%3A3857", "filter-crs"),
        ("filter-lang=cql2-text", "there is none"),
        ("filter=%7B%22op%22%3A", "cql2-json"),
    ] {
        let q = if q.contains("%7B") {
            format!("{q}&filter-lang=cql2-json")
        } else {
            q.to_string()
        };
        s.expect_error(&format!("/collections/incidents/items?{q}"), 400, needle)
            .await;
        s.expect_error(&format!("/tiles/heat/5/22/11.png?{q}"), 400, needle)
            .await;
    }
}

#[tokio::test]
async fn queryables_and_conformance_say_what_is_filterable() {
    let s = server().await;
    let (status, conf) = s.json("/conformance").await;
    assert_eq!(status, 200);
    let classes: Vec<&str> = conf["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for c in incidentmap::filter::cql::CONFORMANCE {
        assert!(classes.contains(c), "{c}");
    }
    let r = s.get("/collections/incidents/queryables").await;
    let schema: serde_json::Value = r.json().await.unwrap();
    for q in incidentmap::filter::cql::QUERYABLES {
        assert!(
            schema["properties"][q.name].is_object(),
            "{} is not in the queryables",
            q.name
        );
        // every queryable can be filtered on
        let probe = match q.ty {
            incidentmap::filter::cql::Type::Point => {
                format!("S_INTERSECTS({}, BBOX(-180, -90, 180, 90))", q.name)
            }
            incidentmap::filter::cql::Type::Time => {
                format!("T_INTERSECTS({}, INTERVAL('..', '2100-01-01'))", q.name)
            }
            incidentmap::filter::cql::Type::Integer => format!("{} >= 0", q.name),
            _ => format!("{} IS NULL OR {} LIKE '%'", q.name, q.name),
        };
        let (status, body) = s
            .json(&format!(
                "/collections/incidents/items?{}",
                cql_query(&probe)
            ))
            .await;
        assert_eq!(status, 200, "{probe}: {body}");
    }
}

#[tokio::test]
async fn tilejson_carries_a_cql2_filter_into_its_tile_urls() {
    let s = server().await;
    let (status, tj) = s
        .json(&format!(
            "/tiles/heat/tilejson.json?{}",
            cql_query("category = 'riot' AND place LIKE 'А%'")
        ))
        .await;
    assert_eq!(status, 200, "{tj}");
    let url = tj["tiles"][0].as_str().unwrap();
    assert!(
        url.contains("filter=") && url.contains("filter-lang=cql2-text"),
        "{url}"
    );
    let path = url[url.find("/tiles/").unwrap()..]
        .replace("{z}", "5")
        .replace("{x}", "22")
        .replace("{y}", "11");
    assert_eq!(s.get(&path).await.status(), 200);
}
