use incidentmap::tiles::mercator::{lon_lat, world_px};

use crate::common::{ALMATY_ID, TestServer, point_of};

/// The tile at zoom `z` holding a point.
fn tile_of(lon: f64, lat: f64, z: u8) -> (u8, u32, u32) {
    let (x, y) = world_px(lon, lat, z, 256);
    (z, (x / 256.0) as u32, (y / 256.0) as u32)
}

async fn png(s: &TestServer, path: &str) -> image::RgbaImage {
    let r = s.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(r.headers()["content-type"], "image/png");
    let bytes = r.bytes().await.unwrap();
    image::load_from_memory(&bytes).expect("a PNG").to_rgba8()
}

fn opaque_pixels(img: &image::RgbaImage) -> usize {
    img.pixels().filter(|p| p.0[3] > 0).count()
}

#[tokio::test]
async fn the_heat_tile_over_almaty_is_coloured_and_the_atlantic_is_empty() {
    let s = TestServer::demo().await;
    let (lon, lat) = point_of(ALMATY_ID);
    let (z, x, y) = tile_of(lon, lat, 6);
    let img = png(&s, &format!("/tiles/heat/{z}/{x}/{y}.png")).await;
    assert_eq!(img.dimensions(), (256, 256));
    assert!(opaque_pixels(&img) > 100, "Almaty's tile is painted");
    // The hottest pixel is where Almaty is.
    let (px, py) = world_px(lon, lat, 6, 256);
    let (cx, cy) = (
        (px - x as f64 * 256.0) as u32,
        (py - y as f64 * 256.0) as u32,
    );
    let hot = img.get_pixel(cx, cy).0[3];
    assert!(hot > 0, "Almaty itself is painted");

    let (z, x, y) = tile_of(-30.0, 30.0, 6);
    let img = png(&s, &format!("/tiles/heat/{z}/{x}/{y}.png")).await;
    assert_eq!(opaque_pixels(&img), 0, "the Atlantic is fully transparent");
}

#[tokio::test]
async fn retina_tiles_cover_the_same_ground_at_twice_the_pixels() {
    let s = TestServer::demo().await;
    let (lon, lat) = point_of(ALMATY_ID);
    let (z, x, y) = tile_of(lon, lat, 7);
    let one = png(&s, &format!("/tiles/heat/{z}/{x}/{y}.png")).await;
    let two = png(&s, &format!("/tiles/heat/{z}/{x}/{y}@2x.png")).await;
    assert_eq!(two.dimensions(), (512, 512));
    // Painted in the same places: compare coverage in quarters.
    let quarter = |img: &image::RgbaImage, qx: u32, qy: u32| {
        let h = img.width() / 2;
        (0..h)
            .flat_map(|dy| (0..h).map(move |dx| (dx, dy)))
            .filter(|&(dx, dy)| img.get_pixel(qx * h + dx, qy * h + dy).0[3] > 0)
            .count() as f64
            / (h * h) as f64
    };
    for (qx, qy) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
        let (a, b) = (quarter(&one, qx, qy), quarter(&two, qx, qy));
        assert!((a - b).abs() < 0.1, "quarter {qx},{qy}: {a} vs {b}");
    }
}

#[tokio::test]
async fn the_time_filter_changes_what_is_painted() {
    let s = TestServer::demo().await;
    let (lon, lat) = point_of(ALMATY_ID);
    let (z, x, y) = tile_of(lon, lat, 6);
    let all = png(&s, &format!("/tiles/heat/{z}/{x}/{y}.png")).await;
    let before = png(
        &s,
        &format!("/tiles/heat/{z}/{x}/{y}.png?datetime=../2022-01-03"),
    )
    .await;
    assert!(opaque_pixels(&all) > 0);
    assert_eq!(
        opaque_pixels(&before),
        0,
        "nothing happened in Almaty before 4 January"
    );
}

#[tokio::test]
async fn tiles_carry_etags_and_cache_headers() {
    let s = TestServer::demo().await;
    let r = s.get("/tiles/heat/3/5/2.png").await;
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let tag = r.headers()["etag"].clone();
    let again = s
        .client
        .get(s.url("/tiles/heat/3/5/2.png"))
        .header("if-none-match", tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn bad_tile_requests_are_refused_clearly() {
    let s = TestServer::demo().await;
    s.expect_error("/tiles/heat/23/0/0.png", 400, "zoom 23")
        .await;
    s.expect_error("/tiles/heat/2/4/0.png", 404, "x = 4").await;
    s.expect_error("/tiles/heat/2/0/9.png", 404, "y = 9").await;
    s.expect_error("/tiles/heat/a/0/0.png", 404, "z").await;
    s.expect_error("/tiles/heat/1/0/0.jpg", 404, "png").await;
    s.expect_error("/tiles/nope/1/0/0.png", 404, "heat").await;
    s.expect_error("/tiles/heat/1/0/0.png?datetime=x", 400, "datetime")
        .await;
}

#[tokio::test]
async fn every_shipped_style_renders_the_demo() {
    let s = TestServer::demo().await;
    let (_, list) = s.json("/tiles").await;
    let names: Vec<String> = list["styles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| st["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.len() >= 3, "{names:?}");
    let (lon, lat) = point_of(ALMATY_ID);
    let (z, x, y) = tile_of(lon, lat, 6);
    for name in &names {
        let img = png(&s, &format!("/tiles/{name}/{z}/{x}/{y}.png")).await;
        assert!(opaque_pixels(&img) > 0, "{name} paints Almaty");
    }
}

#[tokio::test]
async fn tilejson_describes_the_layer_with_versioned_absolute_urls() {
    let s = TestServer::demo().await;
    let (status, tj) = s.json("/tiles/fatalities/tilejson.json").await;
    assert_eq!(status, 200);
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(tj["tileSize"], 256);
    let url = tj["tiles"][0].as_str().unwrap();
    assert!(
        url.starts_with(&format!(
            "http://{}/tiles/fatalities/{{z}}/{{x}}/{{y}}.png?v=",
            s.addr
        )),
        "{url}"
    );
    let b = tj["bounds"].as_array().unwrap();
    assert!(
        b[0].as_f64().unwrap() < 52.0 && b[2].as_f64().unwrap() > 76.0,
        "bounds cover the data: {b:?}"
    );
    let maxes = tj["incidentmap"]["normalization"]["max_by_zoom"]
        .as_array()
        .unwrap();
    assert_eq!(maxes.len(), 23);
    assert!(maxes.iter().all(|m| m.as_f64().unwrap() > 0.0));
    // A write moves the version, and with it the tile URLs clients use.
    let before = url.to_string();
    let app = s.app.clone();
    tokio::task::spawn_blocking(move || {
        let mut i = app.snapshot().get("kz22-011").unwrap().as_ref().clone();
        i.fatalities = Some(104);
        app.write(vec![incidentmap::store::Change::Put(i)], "test")
            .unwrap();
    })
    .await
    .unwrap();
    let (_, tj) = s.json("/tiles/fatalities/tilejson.json").await;
    assert_ne!(tj["tiles"][0].as_str().unwrap(), before);
}

#[tokio::test]
async fn the_legend_gives_the_value_of_each_colour() {
    let s = TestServer::demo().await;
    let (status, l) = s.json("/tiles/heat/legend?z=6").await;
    assert_eq!(status, 200);
    let stops = l["stops"].as_array().unwrap();
    assert!(stops.len() >= 2);
    let values: Vec<f64> = stops
        .iter()
        .map(|st| st["value"].as_f64().unwrap())
        .collect();
    assert!(
        values.windows(2).all(|w| w[0] <= w[1]),
        "ascending: {values:?}"
    );
    assert!((values.last().unwrap() - l["max"].as_f64().unwrap()).abs() < 0.01);
    assert!(stops[1]["color"].as_str().unwrap().starts_with('#'));
    let img = png(&s, "/tiles/heat/legend.png").await;
    assert_eq!(img.dimensions(), (256, 16));
    assert!(
        img.get_pixel(255, 8).0[3] > 0,
        "the top of the ramp is opaque"
    );
    s.expect_error("/tiles/heat/legend?z=30", 400, "z").await;
    s.expect_error("/tiles/nope/legend", 404, "heat").await;
}

#[tokio::test]
async fn neighbouring_tiles_meet_without_a_seam() {
    // Put incidents just west of a tile edge, fetch the tiles on either side of it, and check
    // the colours continue across the edge.
    let s = TestServer::empty().await;
    let (z, x, y) = (8u8, 182u32, 93u32);
    let (lon, lat) = lon_lat(
        (x + 1) as f64 * 256.0 - 3.0,
        y as f64 * 256.0 + 128.0,
        z,
        256,
    );
    let app = s.app.clone();
    tokio::task::spawn_blocking(move || {
        let changes = (0..3)
            .map(|n| {
                let d = incidentmap::draft::Draft {
                    id: Some(format!("edge-{n}")),
                    point: Some((lon, lat + n as f64 * 0.01)),
                    occurred_at: Some(incidentmap::model::OccurredAt::parse("2022-01-05").unwrap()),
                    category: Some(incidentmap::model::Category::Protest),
                    ..Default::default()
                };
                incidentmap::store::Change::Put(app.resolve(d).unwrap())
            })
            .collect();
        app.write(changes, "test").unwrap();
    })
    .await
    .unwrap();
    let left = png(&s, &format!("/tiles/heat/{z}/{x}/{y}.png")).await;
    let right = png(&s, &format!("/tiles/heat/{z}/{}/{y}.png", x + 1)).await;
    let mut crossings = 0;
    for row in 0..256 {
        let a = left.get_pixel(255, row).0;
        let b = right.get_pixel(0, row).0;
        if a[3] > 0 || b[3] > 0 {
            crossings += 1;
            let gap = a
                .iter()
                .zip(b.iter())
                .map(|(p, q)| (*p as i32 - *q as i32).abs())
                .max()
                .unwrap();
            assert!(gap <= 40, "row {row}: {a:?} | {b:?}");
        }
    }
    assert!(
        crossings > 5,
        "the heat crosses the edge ({crossings} rows)"
    );
}

#[tokio::test]
async fn cached_tiles_are_served_from_memory() {
    let s = TestServer::demo().await;
    let path = "/tiles/heat/5/22/11.png";
    let first = s.get(path).await.bytes().await.unwrap();
    let (hits_before, ..) = s.app_state_tiles().cache.stats();
    let second = s.get(path).await.bytes().await.unwrap();
    let (hits_after, ..) = s.app_state_tiles().cache.stats();
    assert_eq!(first, second);
    assert_eq!(hits_after, hits_before + 1);
}

/// Issue #17: a region-level incident colours its region's outline and nothing outside it —
/// every pixel of the tiles over Zhambyl region, checked against the outline.
#[tokio::test]
async fn the_zhambyl_incident_colours_zhambyl_and_nothing_outside_it() {
    use geo::{Contains, Distance, Euclidean, Point};
    let s = TestServer::demo().await;
    let gaz = crate::common::gazetteer();
    let zhambyl = gaz.index_of(1524444).expect("Zhambyl region");
    let outline = gaz
        .outlines()
        .of(zhambyl)
        .expect("Zhambyl has an outline")
        .clone();
    let border: geo::MultiLineString<f64> = outline
        .iter()
        .flat_map(|p| std::iter::once(p.exterior().clone()).chain(p.interiors().iter().cloned()))
        .collect();
    let z = 7u8;
    // The kernel reaches 14 px at zoom 6 and a little more at 7: half a degree is ~47 px.
    let margin = 0.5;
    let (mut inside, mut outside) = (0, 0);
    for (lon, lat) in [(70.0, 43.5), (72.5, 44.5), (74.5, 45.5), (70.5, 45.5)] {
        let (z, x, y) = tile_of(lon, lat, z);
        // kz22-013 alone: the region-level riot in جامبيل.
        let img = png(&s, &format!("/tiles/heat/{z}/{x}/{y}.png?place_id=1524444")).await;
        for (px, py, p) in img.enumerate_pixels() {
            let (plon, plat) = lon_lat(
                (x * 256 + px) as f64 + 0.5,
                (y * 256 + py) as f64 + 0.5,
                z,
                256,
            );
            let pt = Point::new(plon, plat);
            let coloured = p.0[3] > 0;
            if outline.contains(&pt) {
                if Euclidean.distance(&pt, &border) > margin {
                    assert!(
                        coloured,
                        "({plon:.3}, {plat:.3}) is deep inside Zhambyl but blank"
                    );
                    inside += 1;
                }
            } else if Euclidean.distance(&pt, &outline) > margin {
                assert!(
                    !coloured,
                    "({plon:.3}, {plat:.3}) is outside Zhambyl but coloured"
                );
                outside += 1;
            }
        }
    }
    assert!(
        inside > 10_000 && outside > 10_000,
        "{inside} inside, {outside} outside"
    );
}
