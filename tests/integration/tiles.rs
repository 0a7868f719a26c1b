use incidentmap::tiles::mercator::world_px;

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
    s.expect_error("/tiles/heat/2/4/0.png", 400, "x = 4").await;
    s.expect_error("/tiles/heat/2/0/9.png", 400, "y = 9").await;
    s.expect_error("/tiles/heat/a/0/0.png", 400, "z").await;
    s.expect_error("/tiles/heat/1/0/0.jpg", 404, "png").await;
    s.expect_error("/tiles/nope/1/0/0.png", 404, "heat").await;
    s.expect_error("/tiles/heat/1/0/0.png?datetime=x", 400, "datetime")
        .await;
}
