//! Renders one heat tile from a CSV of incidents and times it: the Rust half of
//! `scripts/bench/datashader_compare.sh`, which renders the same tile with datashader.
//!
//! cargo run --release --example render_tile -- FILE.csv STYLE Z X Y OUT.png [REPEATS]
//!
//! Prints one JSON line: the median and minimum uncached render time (density, colouring,
//! PNG encoding) over REPEATS runs, and the one-off time to build the style's pyramid.

use std::sync::Arc;
use std::time::Instant;

use incidentmap::app::area_resolver;
use incidentmap::filter::Filter;
use incidentmap::gazetteer::Gazetteer;
use incidentmap::import;
use incidentmap::spatial::Index;
use incidentmap::tiles::mercator::TileId;
use incidentmap::tiles::style::Styles;
use incidentmap::tiles::{Layer, build_pyramid, render, top_of_ramp};

fn main() -> anyhow::Result<()> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 7 {
        anyhow::bail!("usage: render_tile FILE.csv STYLE Z X Y OUT.png [REPEATS]");
    }
    let repeats: usize = a.get(7).map(|r| r.parse()).transpose()?.unwrap_or(50);
    let gaz = Arc::new(Gazetteer::embedded()?);
    let text = std::fs::read_to_string(&a[1])?;
    let incidents = import::read(&a[1], &text)?
        .into_iter()
        .map(|row| {
            let d = row
                .draft
                .map_err(|e| anyhow::anyhow!("{}: {e}", row.origin))?;
            d.resolve(&gaz, incidentmap::draft::Draft::content_id)
                .map_err(|e| anyhow::anyhow!("{}: {e}", row.origin))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let idx = Index::new(incidents, 1, area_resolver(gaz.clone()));
    let snap = idx.snapshot();
    let styles = Styles::embedded()?;
    let style = styles
        .get(&a[2])
        .ok_or_else(|| anyhow::anyhow!("no style {}", a[2]))?;
    let tile = TileId::new(a[3].parse()?, a[4].parse()?, a[5].parse()?)?;
    let t = Instant::now();
    let pyramid = build_pyramid(&snap, style);
    let layer = Layer {
        snap: &snap,
        style,
        pyramid: Some(&pyramid),
    };
    let top = top_of_ramp(&layer, tile.z);
    let prepare = t.elapsed();
    let mut times = Vec::with_capacity(repeats);
    let mut png = None;
    for _ in 0..repeats {
        let t = Instant::now();
        png = render(&layer, &Filter::default(), tile, 1, top)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    std::fs::write(&a[6], png.unwrap_or_default())?;
    println!(
        "{{\"median_ms\": {:.4}, \"min_ms\": {:.4}, \"prepare_ms\": {:.1}, \"sigma_px\": {:.3}, \"top\": {}}}",
        times[times.len() / 2],
        times[0],
        prepare.as_secs_f64() * 1e3,
        style.radius_at(tile.z) / 3.0,
        top
    );
    Ok(())
}
