//! The binary, run as a user would.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_incidentmap"))
}

#[test]
fn geocode_prints_json() {
    let out = bin().args(["geocode", "جامبيل"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["results"][0]["id"], 1524444);
    assert_eq!(v["results"][0]["kind"], "region");
}

#[test]
fn import_is_all_or_nothing_and_reports_lines() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let csv = dir.path().join("in.csv");
    std::fs::write(
        &csv,
        "id,occurred_at,category,place,lon,lat,fatalities\n\
         a1,2022-01-05,riot,ألما آتا,,,3\n\
         a2,2022-01-05,protest,Nowhereville Qwx,,,\n\
         a3,2022-01-06,protest,,52.8,95.0,\n",
    )
    .unwrap();
    let out = bin()
        .args(["import", "--data"])
        .arg(&data)
        .arg(&csv)
        .output()
        .unwrap();
    assert!(!out.status.success(), "bad rows fail the import");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 3") && err.contains("Nowhereville"),
        "{err}"
    );
    assert!(err.contains("line 4") && err.contains("latitude"), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("NOT imported"), "{stdout}");

    // Nothing was written: the same data dir holds no incidents.
    let store = incidentmap::store::gpkg::GpkgStore::open_dir(&data).unwrap();
    use incidentmap::store::Store;
    assert_eq!(store.load().unwrap().incidents.len(), 0);
    drop(store);

    // With --skip-invalid the good row goes in, geocoded.
    let out = bin()
        .args(["import", "--skip-invalid", "--data"])
        .arg(&data)
        .arg(&csv)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = incidentmap::store::gpkg::GpkgStore::open_dir(&data).unwrap();
    let loaded = store.load().unwrap().incidents;
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].place_id, Some(1526384));

    // Importing the same file again changes nothing.
    drop(store);
    let out = bin()
        .args(["import", "--skip-invalid", "--data"])
        .arg(&data)
        .arg(&csv)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("0 added, 0 updated, 1 unchanged"),
        "{stdout}"
    );
}

#[test]
fn a_malformed_file_is_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.geojson");
    std::fs::write(&f, "{\"type\": \"FeatureCollection\", \"features\": [").unwrap();
    let out = bin()
        .args(["import", "--data"])
        .arg(dir.path().join("data"))
        .arg(&f)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.geojson") && err.contains("GeoJSON"),
        "{err}"
    );
}

#[test]
fn the_demo_file_imports_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["import", "--data"])
        .arg(dir.path())
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/demo/kazakhstan-2022.geojson"
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("18 added"));
}

#[test]
fn serve_refuses_a_bad_bind_address() {
    let out = bin()
        .args(["serve", "--bind", "nonsense"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bind"));
}

#[test]
fn geoparse_reads_a_file_and_handles_russian_inflection() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("ru.txt");
    std::fs::write(
        &f,
        "Беспорядки начались в Жанаозене и Актау, затем перекинулись на Алматы. В Алма-Ате были захвачены здания. Миротворцы прибыли из России и Беларуси.",
    )
    .unwrap();
    let out = bin().arg("geoparse").arg(&f).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<u64> = v["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["place"]["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![607610, 610612, 1526384, 1526384, 2017370, 630336]);
}

#[test]
fn report_prints_draft_incidents_with_their_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("ar.txt");
    let text = "قالت وزارة الداخلية إن أكثر من ١٦٠ شخصا قتلوا أمس في أعمال الشغب في ألما آتا.";
    std::fs::write(&f, text).unwrap();
    let out = bin()
        .args(["report", "--published-at", "2022-01-06"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["language"], "ar");
    let d = &v["drafts"][0];
    assert_eq!(v["drafts"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(d["place"]["id"], 1526384, "Almaty: {d}");
    assert_eq!(
        d["occurred_at"], "2022-01-05",
        "أمس: the day before publication"
    );
    assert_eq!(d["category"], "riot");
    assert_eq!(d["fatalities"]["value"], 160);
    assert_eq!(d["fatalities"]["qualifier"], "more_than");
    // evidence: code-point offsets into the text
    let chars: Vec<char> = text.chars().collect();
    let cut = |e: &serde_json::Value| -> String {
        let (a, b) = (
            e["start"].as_u64().unwrap() as usize,
            e["end"].as_u64().unwrap() as usize,
        );
        chars[a..b].iter().collect()
    };
    assert_eq!(cut(&d["place_evidence"]), "ألما آتا");
    assert_eq!(cut(&d["date_evidence"]), "أمس");
    assert!(
        cut(&d["fatalities"]["evidence"]).starts_with("أكثر من ١٦٠"),
        "{d}"
    );

    let bad = bin()
        .args(["report", "--published-at", "yesterday"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--published-at"));
}

#[test]
fn geonames_dumps_extend_the_gazetteer() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/geonames");
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["gazetteer", "import", "--min-population", "100", "--out"])
        .arg(dir.path())
        .args(["--alternate-names", &format!("{data}/alternateNamesV2.txt")])
        .args(["--admin1", &format!("{data}/admin1CodesASCII.txt")])
        .arg(format!("{data}/KZ.txt"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 city"));
    // Found by its Arabic name, only with the imported files.
    let geocode = |with: bool| {
        let mut c = bin();
        c.arg("geocode");
        if with {
            c.arg("--gazetteer").arg(dir.path());
        }
        let o = c.arg("قاراقيستاق").output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["results"][0]["id"].as_u64()
    };
    assert_eq!(geocode(true), Some(9000000001));
    assert_ne!(geocode(false), Some(9000000001));
}

#[test]
fn a_broken_geonames_table_is_refused_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("bad.txt");
    std::fs::write(&table, "1\tX\tX\n").unwrap();
    let out_dir = dir.path().join("out");
    let out = bin()
        .args(["gazetteer", "import", "--out"])
        .arg(&out_dir)
        .arg(&table)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.txt:1"));
    assert!(!out_dir.join("places.tsv").exists());
}

#[test]
fn exports_round_trip_and_filter() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/kazakhstan-2022.geojson");
    assert!(
        bin()
            .args(["import", "--data"])
            .arg(&data)
            .arg(demo)
            .status()
            .unwrap()
            .success()
    );
    let export = |format: &str, file: &str, extra: &[&str]| {
        let out = dir.path().join(file);
        let o = bin()
            .args(["export", "--data"])
            .arg(&data)
            .args(["--format", format, "--out"])
            .arg(&out)
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    };
    // Filtered GeoJSON holds only what the filter matches.
    let riots = export(
        "geojson",
        "riots.geojson",
        &["--category", "riot", "--min-fatalities", "10"],
    );
    let fc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&riots).unwrap()).unwrap();
    let n = fc["features"].as_array().unwrap().len();
    assert_eq!(n, 4, "103 Almaty, 21 Kyzylorda, 10 Zhambyl, 22 nationwide");
    // CSV and ACLED exports re-import into another store unchanged.
    for (format, file) in [("csv", "all.csv"), ("acled", "all-acled.csv")] {
        let out = export(format, file, &[]);
        let other = dir.path().join(format!("data-{format}"));
        let o = bin()
            .args(["import", "--data"])
            .arg(&other)
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("18 added"),
            "{format}"
        );
        let o = bin()
            .args(["import", "--data"])
            .arg(&data)
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("0 added, 0 updated, 18 unchanged"),
            "{format}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
    // A GeoPackage export opens as a store with the same incidents.
    let gpkg = export("gpkg", "almaty.gpkg", &["--bbox", "76.7,43.1,77.2,43.45"]);
    let store = incidentmap::store::gpkg::GpkgStore::open(&gpkg).unwrap();
    use incidentmap::store::Store;
    assert_eq!(store.load().unwrap().incidents.len(), 7);
    // and is not overwritten
    let o = bin()
        .args(["export", "--data"])
        .arg(&data)
        .args(["--format", "gpkg", "--out"])
        .arg(&gpkg)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));
}

#[test]
fn config_check_prints_the_effective_configuration_with_tokens_masked() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("incidentmap.toml");
    std::fs::write(
        &f,
        "bind = \"127.0.0.1:9999\"\ntile_cache_bytes = 1000000\n",
    )
    .unwrap();
    let out = bin()
        .args(["config", "check", "--config"])
        .arg(&f)
        .env("INCIDENTMAP_WRITE_TOKEN", "a-very-secret-token-123")
        .env("INCIDENTMAP_RENDER_CONCURRENCY", "3")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("bind = \"127.0.0.1:9999\""), "{text}");
    assert!(text.contains("render_concurrency = 3"), "{text}");
    assert!(text.contains("tile_cache_bytes = 1000000"), "{text}");
    assert!(
        text.contains("env = ********") && !text.contains("a-very-secret"),
        "{text}"
    );
    std::fs::write(&f, "bind = \"127.0.0.1:9999\"\ncache_size = 1\n").unwrap();
    let out = bin()
        .args(["config", "check", "--config"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cache_size"));
}

#[test]
fn csv_exports_escape_formulas_and_re_import_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let csv = dir.path().join("in.csv");
    std::fs::write(
        &csv,
        "id,occurred_at,category,lon,lat,place,source,notes\n\
         f1,2022-01-05,riot,-12.5,10.25,-Almaty,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",@SUM(1+1)\n\
         f2,2022-01-06,protest,-0.5,-1.25,Aktau,+7 701,'=already quoted\n",
    )
    .unwrap();
    let run = |args: &[&str], file: &std::path::Path| {
        let o = bin()
            .arg(args[0])
            .arg("--data")
            .arg(&data)
            .args(&args[1..])
            .arg(file)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    run(&["import"], &csv);
    for (format, text_columns) in [
        ("csv", ["place", "source", "notes"]),
        ("acled", ["location", "source", "notes"]),
    ] {
        let out = dir.path().join(format!("out-{format}.csv"));
        run(&["export", "--format", format, "--out"], &out);
        let mut rd = ::csv::Reader::from_path(&out).unwrap();
        let header = rd.headers().unwrap().clone();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let rows: Vec<::csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        let cells = |name: &str| -> Vec<String> {
            let mut v: Vec<String> = rows.iter().map(|r| r[col(name)].to_string()).collect();
            v.sort();
            v
        };
        let [place, source, notes] = text_columns.map(cells);
        assert_eq!(place, ["'-Almaty", "Aktau"], "{format}");
        assert_eq!(
            source,
            ["'+7 701", "'=HYPERLINK(\"http://evil.example\",\"x\")"],
            "{format}"
        );
        // A cell escaped by whoever wrote the file was read without its quote, and written
        // with one again.
        assert_eq!(notes, ["'=already quoted", "'@SUM(1+1)"], "{format}");
        let lon = if format == "csv" { "lon" } else { "longitude" };
        assert_eq!(cells(lon), ["-0.500000", "-12.500000"], "{format}");
        // Our own export reads back as exactly what was stored.
        let report = run(&["import"], &out);
        assert!(
            report.contains("0 added, 0 updated, 2 unchanged"),
            "{format}: {report}"
        );
    }
}

#[test]
fn imports_refuse_unsafe_ids_and_duplicate_keys() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let csv = dir.path().join("ids.csv");
    std::fs::write(
        &csv,
        "id,occurred_at,category,lon,lat\n\
         ok-1,2022-01-05,riot,1,2\n\
         ..,2022-01-05,riot,1,2\n\
         a/b,2022-01-05,riot,1,2\n",
    )
    .unwrap();
    let o = bin()
        .args(["import", "--data"])
        .arg(&data)
        .arg(&csv)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 3") && err.contains("\"..\""), "{err}");
    assert!(err.contains("line 4") && err.contains("'/'"), "{err}");

    let json = dir.path().join("dup.geojson");
    std::fs::write(
        &json,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"ok-2",
           "geometry":{"type":"Point","coordinates":[1,2]},
           "properties":{"occurred_at":"2022-01-05","category":"riot","notes":"a","notes":"b"}}]}"#,
    )
    .unwrap();
    let o = bin()
        .args(["import", "--data"])
        .arg(&data)
        .arg(&json)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("\"notes\" appears twice"), "{err}");
}

/// Starts `serve` on an ephemeral port with `token` passed as the flag or in the variable, and
/// returns what it logged up to listening.
fn serve_log(token_as_flag: bool) -> String {
    use std::io::{BufRead, BufReader};
    const SECRET: &str = "flag-or-env-token-0123456789";
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = bin();
    cmd.args(["serve", "--bind", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .env_remove("INCIDENTMAP_WRITE_TOKEN")
        .env("RUST_LOG", "incidentmap=info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    if token_as_flag {
        cmd.args(["--write-token", SECRET]);
    } else {
        cmd.env("INCIDENTMAP_WRITE_TOKEN", SECRET);
    }
    let mut child = cmd.spawn().unwrap();
    let mut log = String::new();
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        log.push_str(&line);
        log.push('\n');
        if line.contains("listening on") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(log.contains("writes are enabled"), "{log}");
    assert!(!log.contains(SECRET), "the token is never logged: {log}");
    log
}

#[test]
fn the_write_token_flag_warns_and_the_variable_does_not() {
    let flag = serve_log(true);
    assert!(
        flag.contains("WARN") && flag.contains("--write-token on the command line"),
        "{flag}"
    );
    assert!(
        flag.contains("INCIDENTMAP_WRITE_TOKEN"),
        "says what to use: {flag}"
    );
    let env = serve_log(false);
    assert!(!env.contains("--write-token"), "{env}");
    // `config check` warns the same way.
    let o = bin()
        .args([
            "config",
            "check",
            "--write-token",
            "flag-or-env-token-0123456789",
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning: --write-token on the command line"),
        "{err}"
    );
}
