//! GeoJSON (RFC 7946) in and out.
//!
//! Out: a hand-written writer straight into a byte buffer — no `serde_json::Value` per feature
//! — with coordinates rounded to 6 decimals (about 10 cm) and never NaN or Infinity. serde_json
//! is used only to escape strings. A round-trip test through the `geojson` crate's parser keeps
//! it honest.
//!
//! In: a Feature or FeatureCollection parsed with the `geojson` crate into [`Draft`]s, every
//! field checked with a message that names it. A body that names a key twice in one object is
//! refused ([`check_unique_keys`]) rather than read last-wins as serde_json would.

use std::io::Write;

use geojson::{GeoJson, GeometryValue};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::draft::Draft;
use crate::model::{Incident, OccurredAt};

/// The properties an incident feature may carry.
pub const PROPERTIES: &[&str] = &[
    "id",
    "occurred_at",
    "category",
    "fatalities",
    "injured",
    "arrested",
    "place",
    "place_id",
    "precision",
    "source",
    "notes",
    "status",
    "report_id",
];

/// Properties derived from the gazetteer: written, never read (a client that sends back what
/// it got has them ignored).
pub const DERIVED: &[&str] = &["admin1", "admin1_code"];

/// Appends a JSON string.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Appends a coordinate rounded to 6 decimals. Non-finite values cannot reach here (the model
/// rejects them), but if one did it would be written as 0 rather than break the document.
pub fn write_coord(out: &mut Vec<u8>, v: f64) {
    let r = (v * 1e6).round() / 1e6;
    let r = if r.is_finite() { r } else { 0.0 };
    let mut b = ryu_like(r);
    if b.ends_with(".0") {
        b.truncate(b.len() - 2);
    }
    out.extend_from_slice(b.as_bytes());
}

fn ryu_like(v: f64) -> String {
    // serde_json prints the shortest representation that round-trips (ryu).
    serde_json::to_string(&v).unwrap_or_else(|_| "0".into())
}

/// The order of a point's coordinates: GeoJSON's longitude first, or latitude first for a
/// client that asked for EPSG:4326 (OGC API – Features Part 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AxisOrder {
    #[default]
    LonLat,
    LatLon,
}

/// Appends one incident as a GeoJSON Feature. The id is written both as the feature id and as
/// a property, because GDAL turns string feature ids into sequence numbers and would lose it.
pub fn write_feature(out: &mut Vec<u8>, i: &Incident) {
    write(out, i, true, AxisOrder::LonLat)
}

/// [`write_feature`], its point in the given axis order.
pub fn write_feature_in(out: &mut Vec<u8>, i: &Incident, order: AxisOrder) {
    write(out, i, true, order)
}

/// The feature with only the stored fields: what the incident's ETag is computed from, so the
/// tag a reader got is the tag a store checks If-Match against, derived fields or not.
pub fn stored_feature(i: &Incident) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    write(&mut out, i, false, AxisOrder::LonLat);
    out
}

fn write(out: &mut Vec<u8>, i: &Incident, derived: bool, order: AxisOrder) {
    out.extend_from_slice(b"{\"type\":\"Feature\",\"id\":");
    write_str(out, &i.id);
    out.extend_from_slice(b",\"geometry\":{\"type\":\"Point\",\"coordinates\":[");
    let (first, second) = match order {
        AxisOrder::LonLat => (i.lon, i.lat),
        AxisOrder::LatLon => (i.lat, i.lon),
    };
    write_coord(out, first);
    out.push(b',');
    write_coord(out, second);
    out.extend_from_slice(b"]},\"properties\":{\"id\":");
    write_str(out, &i.id);
    out.extend_from_slice(b",\"occurred_at\":");
    write_str(out, &i.occurred_at.to_string());
    out.extend_from_slice(b",\"category\":\"");
    out.extend_from_slice(i.category.as_str().as_bytes());
    out.push(b'"');
    for (k, v) in [
        ("fatalities", i.fatalities),
        ("injured", i.injured),
        ("arrested", i.arrested),
    ] {
        if let Some(v) = v {
            let _ = write!(out, ",\"{k}\":{v}");
        }
    }
    if let Some(p) = &i.place {
        out.extend_from_slice(b",\"place\":");
        write_str(out, p);
    }
    if let Some(p) = i.place_id {
        let _ = write!(out, ",\"place_id\":{p}");
    }
    out.extend_from_slice(b",\"precision\":\"");
    out.extend_from_slice(i.precision.as_str().as_bytes());
    out.push(b'"');
    for (k, v) in [("source", &i.source), ("notes", &i.notes)] {
        if let Some(v) = v {
            let _ = write!(out, ",\"{k}\":");
            write_str(out, v);
        }
    }
    // Published is what almost every incident is: left out, so the features (and the ETags)
    // of incidents that never went through review read as they always have.
    if i.status != crate::model::Status::Published {
        let _ = write!(out, ",\"status\":\"{}\"", i.status);
    }
    if let Some(r) = &i.report_id {
        out.extend_from_slice(b",\"report_id\":");
        write_str(out, r);
    }
    if derived && let Some(a) = &i.admin1 {
        out.extend_from_slice(b",\"admin1\":");
        write_str(out, &a.name);
        out.extend_from_slice(b",\"admin1_code\":");
        write_str(out, &a.code);
    }
    out.extend_from_slice(b"}}");
}

/// One incident as a standalone Feature document.
pub fn feature(i: &Incident) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    write_feature(&mut out, i);
    out
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ParseError {
    #[error("not valid GeoJSON: {0}")]
    Syntax(String),
    #[error("{0}")]
    Shape(String),
    #[error("feature {index}{}: {message}", id.as_ref().map(|i| format!(" (id {i})")).unwrap_or_default())]
    Feature {
        /// 1-based position in the collection.
        index: usize,
        id: Option<String>,
        message: String,
    },
}

/// Checks that no object in a JSON text names a key twice.
///
/// RFC 8259 leaves the meaning of `{"notes": "a", "notes": "b"}` to the reader, and readers
/// differ (serde_json keeps the last, others the first): a proxy or a validator in front of us
/// could approve one value while we store the other. So such bodies are refused, naming the
/// key and where it repeats. serde_json has no switch for this and no well-kept crate adds one;
/// this is one extra pass over the text that keeps nothing but the keys of the objects it is
/// inside, then the usual parsers run unchanged. Malformed JSON fails here with serde_json's
/// own message.
pub fn check_unique_keys(json: &[u8]) -> Result<(), serde_json::Error> {
    serde_json::from_slice::<UniqueKeys>(json).map(|_| ())
}

/// Parses JSON text into a value, refusing duplicate keys ([`check_unique_keys`]): for bodies
/// that are not features, such as merge patches.
pub fn parse_json_strict(json: &[u8]) -> Result<Value, serde_json::Error> {
    check_unique_keys(json)?;
    serde_json::from_slice(json)
}

/// A JSON value, checked for duplicate keys and thrown away.
struct UniqueKeys;

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeys)
    }
}

impl<'de> Visitor<'de> for UniqueKeys {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_i64<E>(self, _: i64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_u64<E>(self, _: u64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_f64<E>(self, _: f64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_str<E>(self, _: &str) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_unit<E>(self) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<UniqueKeys, A::Error> {
        while seq.next_element::<UniqueKeys>()?.is_some() {}
        Ok(UniqueKeys)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UniqueKeys, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(de::Error::custom(format_args!(
                    "the key {key:?} appears twice in one object (duplicate keys are refused)"
                )));
            }
            map.next_value::<UniqueKeys>()?;
            seen.insert(key);
        }
        Ok(UniqueKeys)
    }
}

/// Parses a FeatureCollection (or a single Feature) into drafts. Any bad feature fails the
/// whole document: callers decide whether to skip, with [`parse_features_lenient`].
pub fn parse_document(text: &str) -> Result<Vec<Draft>, ParseError> {
    parse_features_lenient(text)?
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
}

/// Parses a document, keeping each feature's own success or failure.
pub fn parse_features_lenient(text: &str) -> Result<Vec<Result<Draft, ParseError>>, ParseError> {
    check_unique_keys(text.as_bytes()).map_err(|e| ParseError::Syntax(e.to_string()))?;
    let gj: GeoJson = text
        .parse()
        .map_err(|e: geojson::Error| ParseError::Syntax(e.to_string()))?;
    let features = match gj {
        GeoJson::FeatureCollection(fc) => fc.features,
        GeoJson::Feature(f) => vec![f],
        GeoJson::Geometry(_) => {
            return Err(ParseError::Shape(
                "expected a Feature or FeatureCollection, found a bare Geometry".into(),
            ));
        }
    };
    Ok(features
        .into_iter()
        .enumerate()
        .map(|(n, f)| {
            let id = feature_id(&f);
            parse_feature(f).map_err(|message| ParseError::Feature {
                index: n + 1,
                id,
                message,
            })
        })
        .collect())
}

fn feature_id(f: &geojson::Feature) -> Option<String> {
    match &f.id {
        Some(geojson::feature::Id::String(s)) => Some(s.clone()),
        Some(geojson::feature::Id::Number(n)) => Some(n.to_string()),
        None => f
            .properties
            .as_ref()
            .and_then(|p| p.get("id"))
            .and_then(|v| v.as_str())
            .map(String::from),
    }
}

/// Parses one Feature (as JSON text) into a draft: the body of a POST or PUT.
pub fn parse_feature_text(text: &str) -> Result<Draft, ParseError> {
    check_unique_keys(text.as_bytes()).map_err(|e| ParseError::Syntax(e.to_string()))?;
    let f: geojson::Feature = text
        .parse()
        .map_err(|e: geojson::Error| ParseError::Syntax(e.to_string()))?;
    parse_feature(f).map_err(ParseError::Shape)
}

/// Reads the draft out of a parsed feature; errors name the field.
pub fn parse_feature(f: geojson::Feature) -> Result<Draft, String> {
    let mut d = Draft::default();
    let props = f.properties.unwrap_or_default();
    d.point = match f.geometry {
        None => None,
        Some(g) => match g.value {
            GeometryValue::Point { coordinates } => {
                let c = coordinates.as_slice();
                if c.len() < 2 {
                    return Err("geometry: a Point needs [longitude, latitude]".into());
                }
                crate::model::validate_lon_lat(c[0], c[1]).map_err(|e| e.to_string())?;
                Some((c[0], c[1]))
            }
            other => {
                return Err(format!(
                    "geometry: incidents are Points, not {}",
                    other.type_name()
                ));
            }
        },
    };
    let top_id = match f.id {
        Some(geojson::feature::Id::String(s)) => Some(s),
        Some(geojson::feature::Id::Number(n)) => Some(n.to_string()),
        None => None,
    };
    read_properties(&mut d, &props)?;
    match (top_id, d.id.take()) {
        (Some(a), Some(b)) if a != b => {
            return Err(format!(
                "id: the feature id {a:?} and properties.id {b:?} differ"
            ));
        }
        (a, b) => d.id = a.or(b),
    }
    if let Some(id) = &d.id {
        crate::model::validate_id(id).map_err(|e| e.to_string())?;
    }
    Ok(d)
}

/// Fills a draft from a properties object. Unknown properties are refused by name.
pub fn read_properties(d: &mut Draft, props: &Map<String, Value>) -> Result<(), String> {
    for (k, v) in props {
        if v.is_null() {
            continue; // absent and null both mean unknown
        }
        match k.as_str() {
            "id" => d.id = Some(string(k, v)?),
            "occurred_at" => {
                d.occurred_at = Some(OccurredAt::parse(&string(k, v)?).map_err(|e| e.to_string())?)
            }
            "category" => {
                d.category = Some(
                    string(k, v)?
                        .parse()
                        .map_err(|e: crate::model::ModelError| e.to_string())?,
                )
            }
            "fatalities" => d.fatalities = Some(count(k, v)?),
            "injured" => d.injured = Some(count(k, v)?),
            "arrested" => d.arrested = Some(count(k, v)?),
            "place" => d.place = Some(string(k, v)?).filter(|s| !s.trim().is_empty()),
            "place_id" => {
                d.place_id = Some(v.as_u64().ok_or_else(|| {
                    format!("place_id: expected a gazetteer id (a positive integer), got {v}")
                })?)
            }
            "precision" => {
                d.precision = Some(
                    string(k, v)?
                        .parse()
                        .map_err(|e: crate::model::ModelError| e.to_string())?,
                )
            }
            "source" => d.source = Some(string(k, v)?),
            "notes" => d.notes = Some(string(k, v)?),
            "status" => {
                d.status = Some(
                    string(k, v)?
                        .parse()
                        .map_err(|e: crate::model::ModelError| e.to_string())?,
                )
            }
            "report_id" => d.report_id = Some(string(k, v)?),
            k if DERIVED.contains(&k) => {}
            other => {
                return Err(format!(
                    "unknown property {other:?}; incidents have {}",
                    PROPERTIES.join(", ")
                ));
            }
        }
    }
    Ok(())
}

fn string(k: &str, v: &Value) -> Result<String, String> {
    v.as_str()
        .map(String::from)
        .ok_or_else(|| format!("{k}: expected a string, got {v}"))
}

fn count(k: &str, v: &Value) -> Result<u32, String> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| format!("{k}: expected a non-negative integer, got {v}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Precision};
    use proptest::prelude::*;

    fn sample() -> Incident {
        Incident {
            id: "kz-1".into(),
            lon: 76.928_611_4,
            lat: 43.256_667,
            occurred_at: OccurredAt::parse("2022-01-05T18:30:00+06:00").unwrap(),
            category: Category::Riot,
            fatalities: Some(103),
            injured: None,
            arrested: Some(0),
            place: Some("ألما آتا \"quoted\"\n".into()),
            place_id: Some(1526384),
            precision: Precision::City,
            source: Some("MoH".into()),
            notes: None,
            status: Default::default(),
            report_id: None,
            admin1: None,
        }
    }

    #[test]
    fn written_features_parse_back() {
        let i = sample();
        let text = String::from_utf8(feature(&i)).unwrap();
        assert!(text.contains("[76.928611,43.256667]"), "{text}");
        let f: geojson::Feature = text.parse().unwrap();
        assert!(f.geometry.is_some());
        let d = parse_feature(f).unwrap();
        assert_eq!(d.id.as_deref(), Some("kz-1"));
        assert_eq!(d.place, i.place);
        assert_eq!(d.fatalities, Some(103));
        assert_eq!(d.injured, None);
        assert_eq!(d.occurred_at, Some(i.occurred_at));
    }

    #[test]
    fn bad_features_name_the_field() {
        let cases = [
            (
                r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[200,0]},"properties":{}}"#,
                "longitude",
            ),
            (
                r#"{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]},"properties":{}}"#,
                "LineString",
            ),
            (
                r#"{"type":"Feature","geometry":null,"properties":{"fatalities":-1}}"#,
                "fatalities",
            ),
            (
                r#"{"type":"Feature","geometry":null,"properties":{"fatalities":"3"}}"#,
                "fatalities",
            ),
            (
                r#"{"type":"Feature","geometry":null,"properties":{"colour":"red"}}"#,
                "colour",
            ),
            (
                r#"{"type":"Feature","geometry":null,"properties":{"category":"party"}}"#,
                "party",
            ),
            (
                r#"{"type":"Feature","geometry":null,"properties":{"occurred_at":"5 Jan"}}"#,
                "occurred_at",
            ),
            (
                r#"{"type":"Feature","id":"a","geometry":null,"properties":{"id":"b"}}"#,
                "differ",
            ),
            (
                r#"{"type":"Feature","id":"a/b","geometry":null,"properties":{}}"#,
                "id",
            ),
        ];
        for (text, needle) in cases {
            let e = parse_feature_text(text).unwrap_err().to_string();
            assert!(e.contains(needle), "{needle}: {e}");
        }
        assert!(matches!(
            parse_feature_text("{"),
            Err(ParseError::Syntax(_))
        ));
    }

    #[test]
    fn collections_report_the_bad_feature() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":null,"properties":{"place":"x"}},
            {"type":"Feature","id":"z","geometry":null,"properties":{"injured":1.5}}]}"#;
        let e = parse_document(text).unwrap_err().to_string();
        assert!(e.starts_with("feature 2 (id z): injured"), "{e}");
    }

    #[test]
    fn duplicate_keys_are_refused_by_name() {
        let feature = |props: &str| {
            format!(r#"{{"type":"Feature","geometry":null,"properties":{{{props}}}}}"#)
        };
        let e = parse_feature_text(&feature(r#""notes":"a","source":"s","notes":"b""#))
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"notes\" appears twice"), "{e}");
        assert!(e.contains("line 1 column"), "{e}");
        // At the top level, deep inside, and in a collection.
        let e = parse_feature_text(r#"{"type":"Feature","type":"Feature","properties":{}}"#)
            .unwrap_err();
        assert!(e.to_string().contains("\"type\""), "{e}");
        let e = parse_feature_text(
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2],"bbox":[{"a":1,"a":2}]},"properties":{}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("\"a\""), "{e}");
        let fc = format!(
            r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
            feature(r#""notes":"x""#),
            feature(r#""category":"riot","category":"protest""#)
        );
        let e = parse_document(&fc).unwrap_err().to_string();
        assert!(e.contains("\"category\" appears twice"), "{e}");
        assert!(
            parse_features_lenient(&fc).is_err(),
            "the whole document is refused"
        );
        // The same key in different objects, or different keys, are fine.
        let ok = feature(r#""notes":"a","source":"a""#);
        assert!(parse_feature_text(&ok).is_ok());
        let e = parse_json_strict(br#"{"properties":{"x":1},"properties":null}"#).unwrap_err();
        assert!(e.to_string().contains("\"properties\""), "{e}");
        assert_eq!(
            parse_json_strict(br#"{"a":{"a":[{"a":1},{"a":2}]},"b":[1,2.5,-3,"s",true,null]}"#)
                .unwrap()["b"][1],
            2.5
        );
        assert!(parse_json_strict(b"{").is_err());
        assert!(parse_json_strict(b"{} x").is_err(), "trailing text");
        // Keys are compared after unescaping: \u0061 is "a".
        assert!(parse_json_strict(br#"{"a":1,"\u0061":2}"#).is_err());
    }

    proptest! {
        #[test]
        fn any_incident_round_trips(lon in -180.0f64..=180.0, lat in -90.0f64..=90.0, s in "\\PC{0,30}", n in proptest::option::of(0u32..100000)) {
            let mut i = sample();
            i.lon = lon; i.lat = lat; i.notes = Some(s.clone()); i.injured = n;
            let text = String::from_utf8(feature(&i)).unwrap();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            let c = &v["geometry"]["coordinates"];
            prop_assert!((c[0].as_f64().unwrap() - lon).abs() <= 5e-7);
            prop_assert!((c[1].as_f64().unwrap() - lat).abs() <= 5e-7);
            let d = parse_feature_text(&text).unwrap();
            prop_assert_eq!(d.notes, Some(s));
            prop_assert_eq!(d.injured, n);
        }
    }
}
