//! Reading GeoNames dumps (allCountries.txt or a country file such as KZ.txt, plus
//! alternateNamesV2.txt and admin1CodesASCII.txt) into our gazetteer files, so users can extend
//! coverage: `incidentmap gazetteer import --out DIR …`, then `--gazetteer DIR`.
//!
//! The files are streamed line by line: allCountries.txt is over a gigabyte.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, Write};

use super::data::{DataError, Kind};
use crate::bbox::Bbox;

/// What to keep.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Populated places smaller than this are left out (countries and regions are always kept).
    pub min_population: u64,
    /// Only these countries (ISO alpha-2); empty for all.
    pub countries: HashSet<String>,
}

/// A place read from a dump.
#[derive(Debug, Clone, PartialEq)]
pub struct DumpPlace {
    pub id: u64,
    pub kind: Kind,
    pub name: String,
    pub country: String,
    pub admin1: String,
    pub lon: f64,
    pub lat: f64,
    pub population: u64,
    pub bbox: Option<Bbox>,
    pub feature_code: String,
}

/// A name read from a dump.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DumpName {
    pub id: u64,
    pub lang: String,
    pub name: String,
    pub flags: String,
}

/// What an import produced.
#[derive(Debug, Default)]
pub struct Imported {
    pub places: Vec<DumpPlace>,
    pub names: Vec<DumpName>,
}

fn kind_of(class: &str, code: &str) -> Option<Kind> {
    match (class, code) {
        // historical, abandoned and destroyed places are not where incidents happen
        ("P", "PPLH" | "PPLQ" | "PPLW" | "PPLCH") => None,
        ("P", _) => Some(Kind::City),
        ("A", "ADM1") => Some(Kind::Region),
        ("A", "ADM2") => Some(Kind::District),
        ("A", "PCLI" | "PCLD" | "PCLF" | "PCLS" | "PCL" | "PCLIX" | "TERR") => Some(Kind::Country),
        _ => None,
    }
}

fn parse_err(file: &str, line: usize, message: String) -> DataError {
    DataError::Parse {
        file: file.to_string(),
        line,
        message,
    }
}

fn io_err(file: &str, source: std::io::Error) -> DataError {
    DataError::Io {
        file: file.to_string(),
        source,
    }
}

/// Reads a geoname table (19 tab-separated columns). Points of every row of a kept country
/// also feed the extents from which region and country boxes are derived.
pub fn read_geonames(
    file: &str,
    input: impl BufRead,
    opts: &ImportOptions,
    out: &mut Imported,
    extents: &mut HashMap<String, Bbox>,
) -> Result<(), DataError> {
    for (n, line) in input.lines().enumerate() {
        let line = line.map_err(|e| io_err(file, e))?;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 15 {
            return Err(parse_err(
                file,
                n + 1,
                format!(
                    "expected the 19 columns of a GeoNames table, found {}",
                    f.len()
                ),
            ));
        }
        let country = f[8].to_string();
        if !opts.countries.is_empty() && !opts.countries.contains(&country) {
            continue;
        }
        let (lat, lon) = match (f[4].parse::<f64>(), f[5].parse::<f64>()) {
            (Ok(lat), Ok(lon)) if crate::model::validate_lon_lat(lon, lat).is_ok() => (lat, lon),
            _ => {
                return Err(parse_err(
                    file,
                    n + 1,
                    format!("latitude {:?} / longitude {:?} are not valid", f[4], f[5]),
                ));
            }
        };
        let admin1 = if f[10].is_empty() {
            String::new()
        } else {
            format!("{country}.{}", f[10])
        };
        for key in [country.clone(), admin1.clone()] {
            if !key.is_empty() {
                let e = extents.get(&key).copied();
                extents.insert(key, Bbox::union_point(e, lon, lat));
            }
        }
        let Some(kind) = kind_of(f[6], f[7]) else {
            continue;
        };
        let population = f[14].parse::<u64>().unwrap_or(0);
        if kind == Kind::City && population < opts.min_population {
            continue;
        }
        let id = f[0]
            .parse::<u64>()
            .map_err(|_| parse_err(file, n + 1, format!("geonameid {:?} is not a number", f[0])))?;
        out.places.push(DumpPlace {
            id,
            kind,
            name: clean(f[1]),
            country,
            admin1: if kind == Kind::Country {
                String::new()
            } else {
                admin1
            },
            lon,
            lat,
            population,
            bbox: None,
            feature_code: f[7].to_string(),
        });
        for alt in f[3]
            .split(',')
            .map(clean)
            .filter(|a| !a.is_empty() && a != f[1])
        {
            out.names.push(DumpName {
                id,
                lang: String::new(),
                name: alt,
                flags: String::new(),
            });
        }
    }
    Ok(())
}

/// Reads alternateNamesV2.txt (or the older alternateNames.txt), keeping names of the places
/// already read, with their language and flags.
pub fn read_alternate_names(
    file: &str,
    input: impl BufRead,
    out: &mut Imported,
) -> Result<(), DataError> {
    let ids: HashSet<u64> = out.places.iter().map(|p| p.id).collect();
    for (n, line) in input.lines().enumerate() {
        let line = line.map_err(|e| io_err(file, e))?;
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 4 {
            return Err(parse_err(
                file,
                n + 1,
                format!("expected the columns of alternateNames, found {}", f.len()),
            ));
        }
        let Ok(id) = f[1].parse::<u64>() else {
            return Err(parse_err(
                file,
                n + 1,
                format!("geonameid {:?} is not a number", f[1]),
            ));
        };
        if !ids.contains(&id) {
            continue;
        }
        let lang = f[2];
        // pseudo-languages: links, postal codes, airport codes…
        if matches!(
            lang,
            "link" | "wkdt" | "post" | "iata" | "icao" | "faac" | "fr_1793" | "unlc" | "tcid"
        ) {
            continue;
        }
        let name = clean(f[3]);
        if name.is_empty() || name.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let flag = |i: usize, word: &'static str| (f.get(i) == Some(&"1")).then_some(word);
        let mut flags: Vec<&str> = [
            flag(4, "preferred"),
            flag(5, "short"),
            flag(6, "colloquial"),
            flag(7, "historic"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let lang = if lang == "abbr" {
            flags.push("abbr");
            ""
        } else {
            lang
        };
        out.names.push(DumpName {
            id,
            lang: lang.to_string(),
            name,
            flags: flags.join(","),
        });
    }
    Ok(())
}

/// Reads admin1CodesASCII.txt (`CC.XX name asciiname geonameid`): regions the geoname table
/// lacks are added at the centre of their places' extent.
pub fn read_admin1(
    file: &str,
    input: impl BufRead,
    out: &mut Imported,
    extents: &HashMap<String, Bbox>,
) -> Result<(), DataError> {
    let have: HashSet<u64> = out.places.iter().map(|p| p.id).collect();
    for (n, line) in input.lines().enumerate() {
        let line = line.map_err(|e| io_err(file, e))?;
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 4 {
            return Err(parse_err(
                file,
                n + 1,
                format!("expected 4 columns, found {}", f.len()),
            ));
        }
        let Ok(id) = f[3].parse::<u64>() else {
            return Err(parse_err(
                file,
                n + 1,
                format!("geonameid {:?} is not a number", f[3]),
            ));
        };
        if have.contains(&id) {
            continue;
        }
        let Some(e) = extents.get(f[0]) else {
            continue; // no place of ours lies in it: nothing to place it by
        };
        out.places.push(DumpPlace {
            id,
            kind: Kind::Region,
            name: clean(f[1]),
            country: f[0].split('.').next().unwrap_or("").to_string(),
            admin1: f[0].to_string(),
            lon: (e.west + e.east) / 2.0,
            lat: (e.south + e.north) / 2.0,
            population: 0,
            bbox: None,
            feature_code: "ADM1".into(),
        });
        if f[2] != f[1] {
            out.names.push(DumpName {
                id,
                lang: String::new(),
                name: clean(f[2]),
                flags: String::new(),
            });
        }
    }
    Ok(())
}

/// Gives regions and countries the extent of their places (padded by a tenth of a degree,
/// and always containing their own point), then sorts and deduplicates.
pub fn finish(out: &mut Imported, extents: &HashMap<String, Bbox>) {
    for p in out.places.iter_mut() {
        let key = match p.kind {
            Kind::Country => &p.country,
            Kind::Region => &p.admin1,
            _ => continue,
        };
        if let Some(e) = extents.get(key) {
            let e = Bbox::union_point(Some(*e), p.lon, p.lat);
            p.bbox = Bbox::new(
                (e.west - 0.1).max(-180.0),
                (e.south - 0.1).max(-90.0),
                (e.east + 0.1).min(180.0),
                (e.north + 0.1).min(90.0),
            )
            .ok();
        }
    }
    out.places.sort_by_key(|p| p.id);
    out.places.dedup_by_key(|p| p.id);
    out.names.sort();
    out.names
        .dedup_by(|a, b| a.id == b.id && a.lang == b.lang && a.name == b.name);
}

/// Writes places.tsv and names.tsv in our format.
pub fn write(
    out: &Imported,
    places: &mut impl Write,
    names: &mut impl Write,
) -> std::io::Result<()> {
    writeln!(
        places,
        "id\tkind\tname\tcountry\tadmin1\tlon\tlat\tpopulation\tbbox\tfeature_code"
    )?;
    for p in &out.places {
        let bbox = p
            .bbox
            .map(|b| format!("{:.5},{:.5},{:.5},{:.5}", b.west, b.south, b.east, b.north))
            .unwrap_or_default();
        writeln!(
            places,
            "{}\t{}\t{}\t{}\t{}\t{:.5}\t{:.5}\t{}\t{}\t{}",
            p.id,
            p.kind,
            p.name,
            p.country,
            p.admin1,
            p.lon,
            p.lat,
            p.population,
            bbox,
            p.feature_code
        )?;
    }
    writeln!(names, "id\tlang\tname\tflags")?;
    for n in &out.names {
        writeln!(names, "{}\t{}\t{}\t{}", n.id, n.lang, n.name, n.flags)?;
    }
    Ok(())
}

/// Names never hold tabs or line breaks in our files.
fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ").trim().to_string()
}

/// Counts by kind, for the import summary.
pub fn summary(out: &Imported) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for p in &out.places {
        *m.entry(p.kind.as_str()).or_default() += 1;
    }
    m.insert("names", out.names.len());
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "\
1526384\tAlmaty\tAlmaty\tAlma-Ata,Алматы,ألماتي\t43.25667\t76.92861\tP\tPPLA\tKZ\t\t02\t\t\t\t2000900\t\t\tAsia/Almaty\t2024-01-01
1537162\tAlmaty Oblysy\tAlmaty Oblysy\t\t45.0\t78.0\tA\tADM1\tKZ\t\t01\t\t\t\t0\t\t\tAsia/Almaty\t2024-01-01
9999001\tTinyville\tTinyville\t\t44.0\t77.0\tP\tPPL\tKZ\t\t01\t\t\t\t12\t\t\tAsia/Almaty\t2024-01-01
9999002\tOld Fort\tOld Fort\t\t44.5\t77.5\tP\tPPLH\tKZ\t\t01\t\t\t\t0\t\t\tAsia/Almaty\t2024-01-01
9999003\tSomewhere\tSomewhere\t\t10.0\t10.0\tP\tPPL\tNG\t\t05\t\t\t\t90000\t\t\tAfrica/Lagos\t2024-01-01
";

    #[test]
    fn reads_a_table_with_filters_and_boxes() {
        let opts = ImportOptions {
            min_population: 100,
            countries: ["KZ".to_string()].into_iter().collect(),
        };
        let mut out = Imported::default();
        let mut ext = HashMap::new();
        read_geonames("KZ.txt", TABLE.as_bytes(), &opts, &mut out, &mut ext).unwrap();
        finish(&mut out, &ext);
        let ids: Vec<u64> = out.places.iter().map(|p| p.id).collect();
        assert_eq!(
            ids,
            vec![1526384, 1537162],
            "small, historical and foreign places are left out"
        );
        let region = &out.places[1];
        assert_eq!(
            (region.kind, region.admin1.as_str()),
            (Kind::Region, "KZ.01")
        );
        let b = region.bbox.unwrap();
        assert!(b.contains(77.5, 44.5) && b.contains(78.0, 45.0), "{b:?}");
        assert!(
            out.names
                .iter()
                .any(|n| n.id == 1526384 && n.name == "ألماتي")
        );
    }

    #[test]
    fn alternate_names_keep_language_and_flags() {
        let mut out = Imported::default();
        let mut ext = HashMap::new();
        read_geonames(
            "t",
            TABLE.as_bytes(),
            &ImportOptions::default(),
            &mut out,
            &mut ext,
        )
        .unwrap();
        let alt = "1\t1526384\tru\tАлма-Ата\t\t\t\t1\t\t\n2\t1526384\tlink\thttps://x\t\t\t\t\t\t\n3\t42\tar\tx\t\t\t\t\t\t\n4\t1526384\tabbr\tALA\t\t\t\t\t\t\n";
        read_alternate_names("alt", alt.as_bytes(), &mut out).unwrap();
        let ru = out.names.iter().find(|n| n.name == "Алма-Ата").unwrap();
        assert_eq!((ru.lang.as_str(), ru.flags.as_str()), ("ru", "historic"));
        assert!(!out.names.iter().any(|n| n.name.starts_with("https")));
        assert!(
            out.names
                .iter()
                .any(|n| n.name == "ALA" && n.flags == "abbr")
        );
    }

    #[test]
    fn bad_rows_name_file_and_line() {
        let e = read_geonames(
            "KZ.txt",
            "1\tX\tX\t\tnorth\t76\tP\tPPL\tKZ\t\t01\t\t\t\t5\t\t\t\t\n".as_bytes(),
            &ImportOptions::default(),
            &mut Imported::default(),
            &mut HashMap::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("KZ.txt:1:"), "{e}");
    }

    #[test]
    fn written_files_load_as_a_gazetteer() {
        let mut out = Imported::default();
        let mut ext = HashMap::new();
        read_geonames(
            "t",
            TABLE.as_bytes(),
            &ImportOptions::default(),
            &mut out,
            &mut ext,
        )
        .unwrap();
        read_admin1(
            "admin1",
            "NG.05\tSomestate\tSomestate\t7777\n".as_bytes(),
            &mut out,
            &ext,
        )
        .unwrap();
        finish(&mut out, &ext);
        let (mut p, mut n) = (Vec::new(), Vec::new());
        write(&out, &mut p, &mut n).unwrap();
        let (p, n) = (String::from_utf8(p).unwrap(), String::from_utf8(n).unwrap());
        let g = super::super::Gazetteer::from_files(&[super::super::Files {
            origin: "out",
            places: &p,
            names: &n,
            aliases: "",
            outlines: "",
        }])
        .unwrap();
        let r = g.geocode("Somestate", &Default::default());
        assert_eq!(r[0].id, 7777);
        assert_eq!(g.geocode("Alma-Ata", &Default::default())[0].id, 1526384);
    }
}
