//! Heat styles: one TOML file in `styles/` per layer, validated at start into a [`Style`] with
//! its 256-colour palette.
//!
//! ```toml
//! title = "Incidents"
//! kernel = "gaussian"             # or "quartic"
//! radius = [[0, 6], [8, 18]]      # pixels (256-px tiles); a number, or [zoom, px] stops
//! weight = "count"                # or "fatalities", "injured", "arrested"
//! areas = "spread"                # region/country-level incidents: "spread" or "omit"
//! opacity = 0.85
//! minzoom = 0
//! maxzoom = 22
//! ramp = [[0.0, "#0000ff00"], [0.5, "#00ff00"], [1.0, "#ff0000"]]
//! [normalize]
//! mode = "zoom"                   # top of the ramp = the zoom's densest spot in the data
//! # mode = "fixed", max = 8       # or a fixed density
//! curve = "sqrt"                  # linear, sqrt or log
//! [filter]
//! category = ["protest"]
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use crate::model::{Category, CategorySet, CountField};

#[derive(Debug, thiserror::Error)]
pub enum StyleError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("{dir}: {source}")]
    Io { dir: String, source: std::io::Error },
    #[error("{dir}: no style files (*.toml) found")]
    Empty { dir: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kernel {
    /// Three box blurs; `radius` is three standard deviations.
    Gaussian,
    /// (1 - d²/r²)², zero beyond `radius` (QGIS's default).
    Quartic,
}

impl Kernel {
    pub fn as_str(self) -> &'static str {
        match self {
            Kernel::Gaussian => "gaussian",
            Kernel::Quartic => "quartic",
        }
    }
}

/// How densities map onto the ramp before the maximum divides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Curve {
    Linear,
    /// Lifts thin areas, so a few incidents stay visible beside a big cluster.
    Sqrt,
    /// ln(1 + density): for counts spread over orders of magnitude (fatalities).
    Log,
}

impl Curve {
    pub fn as_str(self) -> &'static str {
        match self {
            Curve::Linear => "linear",
            Curve::Sqrt => "sqrt",
            Curve::Log => "log",
        }
    }

    pub fn apply(self, d: f32) -> f32 {
        let d = d.max(0.0);
        match self {
            Curve::Linear => d,
            Curve::Sqrt => d.sqrt(),
            Curve::Log => d.ln_1p(),
        }
    }

    /// The density at which the curve reaches `v`.
    pub fn invert(self, v: f32) -> f32 {
        match self {
            Curve::Linear => v,
            Curve::Sqrt => v * v,
            Curve::Log => v.exp_m1(),
        }
    }

    /// Ramp position 0..1 of density `d` when `max` is the top.
    pub fn position(self, d: f32, max: f32) -> f32 {
        let top = self.apply(max);
        if top <= 0.0 {
            return 0.0;
        }
        (self.apply(d) / top).clamp(0.0, 1.0)
    }
}

/// What density reaches the top of the ramp.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// A fixed density, the same at every zoom.
    Fixed(f32),
    /// At each zoom, the densest spot of the whole dataset (computed once per data version,
    /// published in the TileJSON and the legend): neighbouring tiles always agree.
    Zoom,
}
/// What each incident adds to the density.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Count,
    Field(CountField),
}

impl Weight {
    pub fn as_str(self) -> &'static str {
        match self {
            Weight::Count => "count",
            Weight::Field(f) => f.as_str(),
        }
    }
}

/// What to do with incidents whose point stands for a region or a whole country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Areas {
    /// Spread the weight evenly over the area's box.
    Spread,
    /// Leave them off the map.
    Omit,
}

/// The 256 colours of a style: index = round(t·255) for a normalized density t; index 0 is
/// always transparent, so a tile without incidents is empty whatever the ramp says.
#[derive(Debug, Clone, PartialEq)]
pub struct Palette {
    rgba: [[u8; 4]; 256],
    rgb: Vec<u8>,
    alpha: Vec<u8>,
}

impl Palette {
    pub fn from_ramp(ramp: &[(f32, [u8; 4])], opacity: f32) -> Palette {
        let mut rgba = [[0u8; 4]; 256];
        for (i, px) in rgba.iter_mut().enumerate().skip(1) {
            let t = i as f32 / 255.0;
            let c = interpolate(ramp, t);
            *px = [c[0], c[1], c[2], (c[3] as f32 * opacity).round() as u8];
        }
        Palette {
            rgb: rgba.iter().flat_map(|c| [c[0], c[1], c[2]]).collect(),
            alpha: rgba.iter().map(|c| c[3]).collect(),
            rgba,
        }
    }

    pub fn rgba(&self, i: u8) -> [u8; 4] {
        self.rgba[i as usize]
    }
    pub fn rgb(&self) -> &[u8] {
        &self.rgb
    }
    pub fn alpha(&self) -> &[u8] {
        &self.alpha
    }
}

fn interpolate(ramp: &[(f32, [u8; 4])], t: f32) -> [u8; 4] {
    let first = ramp[0];
    if t <= first.0 {
        return first.1;
    }
    for w in ramp.windows(2) {
        let ((a, ca), (b, cb)) = (w[0], w[1]);
        if t <= b {
            let f = if b > a { (t - a) / (b - a) } else { 1.0 };
            let mut out = [0u8; 4];
            for k in 0..4 {
                out[k] = (ca[k] as f32 + (cb[k] as f32 - ca[k] as f32) * f).round() as u8;
            }
            return out;
        }
    }
    ramp[ramp.len() - 1].1
}

/// A validated heat layer.
#[derive(Debug, Clone)]
pub struct Style {
    /// The file stem: the name in tile URLs.
    pub name: String,
    /// Position among the loaded styles (set when they are loaded; cache keys use it).
    pub id: u16,
    pub title: String,
    pub description: String,
    pub kernel: Kernel,
    /// (zoom, pixels) stops, ascending by zoom.
    pub radius: Vec<(f32, f32)>,
    pub weight: Weight,
    pub areas: Areas,
    pub scale: Scale,
    pub curve: Curve,
    pub opacity: f32,
    pub minzoom: u8,
    pub maxzoom: u8,
    pub categories: Option<CategorySet>,
    pub ramp: Vec<(f32, [u8; 4])>,
    pub palette: Palette,
    pub attribution: String,
}

impl Style {
    /// Kernel radius in pixels of a 256-px tile at zoom `z`, interpolated between the stops.
    pub fn radius_at(&self, z: u8) -> f32 {
        let z = z as f32;
        let s = &self.radius;
        if z <= s[0].0 {
            return s[0].1;
        }
        for w in s.windows(2) {
            if z <= w[1].0 {
                let f = (z - w[0].0) / (w[1].0 - w[0].0);
                return w[0].1 + (w[1].1 - w[0].1) * f;
            }
        }
        s[s.len() - 1].1
    }

    /// What one incident weighs (0 = does not paint).
    pub fn weight_of(&self, i: &crate::model::Incident) -> f32 {
        match self.weight {
            Weight::Count => 1.0,
            Weight::Field(f) => i.field(f).unwrap_or(0) as f32,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStyle {
    title: Option<String>,
    description: Option<String>,
    kernel: Option<Kernel>,
    radius: RawRadius,
    weight: Option<String>,
    areas: Option<Areas>,
    opacity: Option<f32>,
    minzoom: Option<u8>,
    maxzoom: Option<u8>,
    ramp: Vec<(f32, String)>,
    normalize: RawNormalize,
    filter: Option<RawFilter>,
    attribution: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRadius {
    Fixed(f32),
    Stops(Vec<(f32, f32)>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNormalize {
    mode: Option<String>,
    max: Option<f32>,
    curve: Option<Curve>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFilter {
    category: Option<Vec<String>>,
}

/// Parses `#rgb`, `#rrggbb` or `#rrggbbaa`.
pub fn parse_color(s: &str) -> Result<[u8; 4], String> {
    let hex = s
        .strip_prefix('#')
        .ok_or_else(|| format!("colour {s:?} must start with '#'"))?;
    let digit = |i: usize, len: usize| {
        u8::from_str_radix(&hex[i..i + len], 16).map_err(|_| format!("colour {s:?} is not hex"))
    };
    if !hex.is_ascii() {
        return Err(format!("colour {s:?} is not hex"));
    }
    Ok(match hex.len() {
        3 => [digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17, 255],
        6 => [digit(0, 2)?, digit(2, 2)?, digit(4, 2)?, 255],
        8 => [digit(0, 2)?, digit(2, 2)?, digit(4, 2)?, digit(6, 2)?],
        _ => return Err(format!("colour {s:?} must be #rgb, #rrggbb or #rrggbbaa")),
    })
}

/// Parses and validates one style file; `file` names it in errors.
pub fn parse_style(name: &str, file: &str, text: &str) -> Result<Style, StyleError> {
    let invalid = |message: String| StyleError::Invalid {
        file: file.to_string(),
        message,
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(invalid(format!(
            "style name {name:?} (the file name) may hold only a-z, 0-9, - and _"
        )));
    }
    let raw: RawStyle =
        toml::from_str(text).map_err(|e| invalid(e.to_string().trim().to_string()))?;
    let radius = match raw.radius {
        RawRadius::Fixed(r) => vec![(0.0, r)],
        RawRadius::Stops(s) => s,
    };
    if radius.is_empty() {
        return Err(invalid(
            "radius: needs at least one [zoom, pixels] stop".into(),
        ));
    }
    for (i, &(z, r)) in radius.iter().enumerate() {
        if !(0.5..=200.0).contains(&r) {
            return Err(invalid(format!("radius: {r} pixels is outside 0.5..200")));
        }
        if !(0.0..=22.0).contains(&z) || (i > 0 && z <= radius[i - 1].0) {
            return Err(invalid(
                "radius: zoom stops must be ascending and within 0..22".into(),
            ));
        }
    }
    let weight = match raw.weight.as_deref().unwrap_or("count") {
        "count" => Weight::Count,
        "fatalities" => Weight::Field(CountField::Fatalities),
        "injured" => Weight::Field(CountField::Injured),
        "arrested" => Weight::Field(CountField::Arrested),
        other => {
            return Err(invalid(format!(
                "weight: {other:?} is not one of count, fatalities, injured, arrested"
            )));
        }
    };
    if raw.ramp.len() < 2 {
        return Err(invalid(
            "ramp: needs at least two [position, colour] stops".into(),
        ));
    }
    let mut ramp = Vec::with_capacity(raw.ramp.len());
    for (i, (t, c)) in raw.ramp.iter().enumerate() {
        if !(0.0..=1.0).contains(t) || (i > 0 && *t < raw.ramp[i - 1].0) {
            return Err(invalid(
                "ramp: positions must be ascending and within 0..1".into(),
            ));
        }
        ramp.push((
            *t,
            parse_color(c).map_err(|e| invalid(format!("ramp: {e}")))?,
        ));
    }
    let opacity = raw.opacity.unwrap_or(1.0);
    if !(0.0..=1.0).contains(&opacity) {
        return Err(invalid(format!("opacity: {opacity} is outside 0..1")));
    }
    let (minzoom, maxzoom) = (raw.minzoom.unwrap_or(0), raw.maxzoom.unwrap_or(22));
    if minzoom > maxzoom || maxzoom > 22 {
        return Err(invalid(format!(
            "minzoom/maxzoom: {minzoom}..{maxzoom} must satisfy minzoom <= maxzoom <= 22"
        )));
    }
    let n = &raw.normalize;
    let scale = match (n.mode.as_deref(), n.max) {
        (None | Some("fixed"), Some(max)) => {
            if !(max.is_finite() && max > 0.0) {
                return Err(invalid(format!(
                    "normalize.max: {max} must be a positive number"
                )));
            }
            Scale::Fixed(max)
        }
        (Some("fixed"), None) => {
            return Err(invalid("normalize.max: mode \"fixed\" needs a max".into()));
        }
        (None | Some("zoom"), None) => Scale::Zoom,
        (Some("zoom"), Some(_)) => {
            return Err(invalid(
                "normalize.max: mode \"zoom\" computes the maximum; remove max or use mode \"fixed\"".into(),
            ));
        }
        (Some(other), _) => {
            return Err(invalid(format!(
                "normalize.mode: {other:?} is not \"fixed\" or \"zoom\""
            )));
        }
    };
    let categories = match raw.filter.and_then(|f| f.category) {
        None => None,
        Some(list) => Some(
            list.iter()
                .map(|c| c.parse::<Category>())
                .collect::<Result<CategorySet, _>>()
                .map_err(|e| invalid(format!("filter.{e}")))?,
        ),
    };
    Ok(Style {
        name: name.to_string(),
        id: 0,
        title: raw.title.unwrap_or_else(|| name.to_string()),
        description: raw.description.unwrap_or_default(),
        kernel: raw.kernel.unwrap_or(Kernel::Gaussian),
        radius,
        weight,
        areas: raw.areas.unwrap_or(Areas::Spread),
        scale,
        curve: raw.normalize.curve.unwrap_or(Curve::Linear),
        opacity,
        minzoom,
        maxzoom,
        categories,
        palette: Palette::from_ramp(&ramp, opacity),
        ramp,
        attribution: raw.attribution.unwrap_or_default(),
    })
}

/// The styles shipped in `styles/`, compiled in.
const EMBEDDED: &[(&str, &str)] = &[
    ("heat", include_str!("../../styles/heat.toml")),
    ("fatalities", include_str!("../../styles/fatalities.toml")),
    ("protests", include_str!("../../styles/protests.toml")),
    ("arrests", include_str!("../../styles/arrests.toml")),
];

/// All heat layers, by name.
#[derive(Debug, Clone)]
pub struct Styles {
    by_name: BTreeMap<String, Arc<Style>>,
}

impl Styles {
    pub fn embedded() -> Result<Styles, StyleError> {
        let mut by_name = BTreeMap::new();
        for (name, text) in EMBEDDED {
            let s = parse_style(name, &format!("styles/{name}.toml"), text)?;
            by_name.insert(name.to_string(), s);
        }
        Ok(Styles::numbered(by_name))
    }

    fn numbered(by_name: BTreeMap<String, Style>) -> Styles {
        Styles {
            by_name: by_name
                .into_iter()
                .enumerate()
                .map(|(i, (n, mut s))| {
                    s.id = i as u16;
                    (n, Arc::new(s))
                })
                .collect(),
        }
    }

    /// Every `*.toml` in `dir`; the first bad file stops the load.
    pub fn load_dir(dir: &Path) -> Result<Styles, StyleError> {
        let io = |source| StyleError::Io {
            dir: dir.display().to_string(),
            source,
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(io)?
            .into_iter()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(StyleError::Empty {
                dir: dir.display().to_string(),
            });
        }
        let mut by_name = BTreeMap::new();
        for p in files {
            let name = p
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("")
                .to_string();
            let text = std::fs::read_to_string(&p).map_err(io)?;
            let s = parse_style(&name, &p.display().to_string(), &text)?;
            by_name.insert(name, s);
        }
        Ok(Styles::numbered(by_name))
    }

    pub fn get(&self, name: &str) -> Option<&Arc<Style>> {
        self.by_name.get(name)
    }

    pub fn names(&self) -> Vec<&str> {
        self.by_name.keys().map(String::as_str).collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<Style>> {
        self.by_name.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r##"
title = "Test"
radius = [[0, 5], [10, 25]]
ramp = [[0.0, "#0000ff00"], [1.0, "#ff0000"]]
[normalize]
max = 4
"##;

    #[test]
    fn shipped_styles_are_valid() {
        let s = Styles::embedded().unwrap();
        for name in ["heat", "fatalities", "protests", "arrests"] {
            assert!(s.get(name).is_some(), "{name}");
        }
        // the files on disk are the ones compiled in
        let dir =
            Styles::load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/styles"))).unwrap();
        assert_eq!(dir.names(), s.names());
    }

    #[test]
    fn curves_invert() {
        for c in [Curve::Linear, Curve::Sqrt, Curve::Log] {
            for d in [0.0f32, 0.5, 3.0, 250.0] {
                assert!(
                    (c.invert(c.apply(d)) - d).abs() < 1e-3 * d.max(1.0),
                    "{c:?} {d}"
                );
            }
            assert_eq!(c.position(10.0, 10.0), 1.0);
            assert_eq!(c.position(20.0, 10.0), 1.0);
        }
    }

    #[test]
    fn normalization_modes() {
        let zoom = GOOD.replace("max = 4", "mode = \"zoom\"\ncurve = \"log\"");
        let s = parse_style("t", "t.toml", &zoom).unwrap();
        assert_eq!((s.scale, s.curve), (Scale::Zoom, Curve::Log));
        let e = parse_style("t", "t.toml", &GOOD.replace("max = 4", "mode = \"fixed\""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("normalize.max"), "{e}");
        let e = parse_style("t", "t.toml", &GOOD.replace("max = 4", "mode = \"daily\""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("normalize.mode"), "{e}");
    }

    #[test]
    fn radius_interpolates_by_zoom() {
        let s = parse_style("t", "t.toml", GOOD).unwrap();
        assert_eq!(s.radius_at(0), 5.0);
        assert_eq!(s.radius_at(5), 15.0);
        assert_eq!(s.radius_at(20), 25.0);
    }

    #[test]
    fn palette_keeps_zero_transparent_and_applies_opacity() {
        let p = Palette::from_ramp(&[(0.0, [0, 0, 255, 255]), (1.0, [255, 0, 0, 255])], 0.5);
        assert_eq!(p.rgba(0)[3], 0);
        assert_eq!(p.rgba(255), [255, 0, 0, 128]);
    }

    #[test]
    fn errors_name_the_file_and_the_key() {
        let cases = [
            (GOOD.replace("radius", "radious"), "radious"),
            (GOOD.replace("#ff0000", "red"), "ramp"),
            (GOOD.replace("max = 4", "max = -1"), "normalize.max"),
            (
                GOOD.replace("title", "weight = \"deaths\"\ntitle"),
                "weight",
            ),
            (
                format!("{GOOD}\n[filter]\ncategory = [\"party\"]"),
                "category",
            ),
        ];
        for (text, key) in cases {
            let e = parse_style("t", "styles/t.toml", &text)
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("styles/t.toml: "), "{e}");
            assert!(e.contains(key), "{key}: {e}");
        }
        let e = parse_style("Bad Name", "x.toml", GOOD)
            .unwrap_err()
            .to_string();
        assert!(e.contains("style name"), "{e}");
    }

    #[test]
    fn colours() {
        assert_eq!(parse_color("#f00").unwrap(), [255, 0, 0, 255]);
        assert_eq!(parse_color("#00ff0080").unwrap(), [0, 255, 0, 128]);
        assert!(parse_color("00ff00").is_err());
        assert!(parse_color("#ééé").is_err());
    }
}
