//! The store contract, run against both backends: the GeoPackage file and PostgreSQL/PostGIS.
//! Then what only a shared store does: catching up from the change log, and noticing that
//! the database was restored or replaced.

use std::sync::Arc;

use incidentmap::model::{Category, Incident, OccurredAt, Precision, ReportRecord, Status};
use incidentmap::store::gpkg::GpkgStore;
use incidentmap::store::postgres::PgStore;
use incidentmap::store::{Change, Delta, Expect, Store, StoreError};

use crate::postgres::Cluster;

/// Opens the same underlying store again and again (a restart, or another instance).
struct Opener {
    open: Box<dyn Fn() -> Arc<dyn Store>>,
    _dir: Option<tempfile::TempDir>,
}

impl Opener {
    fn gpkg() -> Opener {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        Opener {
            open: Box::new(move || Arc::new(GpkgStore::open_dir(&path).unwrap())),
            _dir: Some(dir),
        }
    }

    fn postgres() -> Opener {
        let url = Cluster::shared().database();
        Opener {
            open: Box::new(move || Arc::new(PgStore::connect(&url).unwrap())),
            _dir: None,
        }
    }

    fn open(&self) -> Arc<dyn Store> {
        (self.open)()
    }
}

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod gpkg {
            $(#[test] fn $name() { super::$name(&super::Opener::gpkg()) })*
        }
        mod postgres {
            $(#[test] fn $name() {
                if crate::postgres::not_installed() { return; }
                super::$name(&super::Opener::postgres())
            })*
        }
    };
}

both_backends!(
    writes_survive_reopening_and_the_version_moves,
    every_field_round_trips,
    every_change_is_in_the_history,
    refused_conditional_writes_write_nothing,
    a_batch_records_one_state_per_incident,
    big_batches_keep_the_last_change_of_each_id,
    bulk_batches_keep_the_last_change_of_each_id,
    a_report_and_its_drafts_are_stored_together,
);

fn a_report_and_its_drafts_are_stored_together(o: &Opener) {
    let s = o.open();
    let report = ReportRecord {
        id: "rep-1".into(),
        received_at: "2022-01-07T10:00:00Z".into(),
        actor: "alice".into(),
        text: "خرج مئات المتظاهرين أمس في أكتوبي".into(),
        source: Some("Al Jazeera".into()),
        url: None,
        published_at: Some("2022-01-07".into()),
        language: "ar".into(),
        drafts: r#"[{"incident_id":"d1"}]"#.into(),
    };
    let draft = |id: &str| Incident {
        status: Status::Draft,
        report_id: Some("rep-1".into()),
        ..incident(id, 57.2)
    };
    let v = s
        .add_report(
            &report,
            &[Change::Put(draft("d1")), Change::Put(draft("d2"))],
            "alice",
        )
        .unwrap();
    let reopened = o.open();
    // The store's own clock stamps PostgreSQL's timestamps: compare the instant.
    let mut back = reopened.report("rep-1").unwrap().expect("stored");
    assert!(
        back.received_at.starts_with("2022-01-07T10:00:00"),
        "{}",
        back.received_at
    );
    back.received_at = report.received_at.clone();
    assert_eq!(back, report);
    assert!(reopened.report("rep-2").unwrap().is_none());
    let loaded = reopened.load().unwrap();
    assert_eq!(loaded.version, v);
    assert_eq!(sorted(loaded.incidents), vec![draft("d1"), draft("d2")]);
    assert_eq!(reopened.history("d1").unwrap()[0].actor, "alice");
    // The same report id again: refused, and its drafts with it.
    let e = s.add_report(&report, &[Change::Put(draft("d3"))], "alice");
    assert!(e.is_err());
    let loaded = o.open().load().unwrap();
    assert_eq!(
        (loaded.version, loaded.incidents.len()),
        (v, 2),
        "nothing half-written"
    );
}

fn incident(id: &str, lon: f64) -> Incident {
    Incident {
        id: id.into(),
        lon,
        lat: 43.25,
        occurred_at: OccurredAt::parse("2022-01-05").unwrap(),
        category: Category::Protest,
        fatalities: Some(3),
        injured: None,
        arrested: Some(0),
        place: Some("ألما آتا".into()),
        place_id: Some(1526384),
        precision: Precision::City,
        source: None,
        notes: Some("n".into()),
        status: Default::default(),
        report_id: None,
        admin1: None,
    }
}

fn sorted(mut v: Vec<Incident>) -> Vec<Incident> {
    v.sort_by(|a, b| a.id.cmp(&b.id));
    v
}

fn writes_survive_reopening_and_the_version_moves(o: &Opener) {
    let s = o.open();
    assert_eq!(s.load().unwrap().version, 0);
    let v1 = s
        .apply(
            &[
                Change::Put(incident("a", 76.9)),
                Change::Put(incident("b", 77.0)),
            ],
            "t",
        )
        .unwrap();
    let v2 = s
        .apply(
            &[Change::Put(incident("a", 76.5)), Change::Delete("b".into())],
            "t",
        )
        .unwrap();
    assert!(v2 > v1 && v1 > 0);
    drop(s);
    let l = o.open().load().unwrap();
    assert_eq!(l.version, v2);
    assert_eq!(l.incidents, vec![incident("a", 76.5)]);
}

fn every_field_round_trips(o: &Opener) {
    let s = o.open();
    let full = Incident {
        id: "full".into(),
        lon: -179.999_999_999_9,
        lat: 89.123_456_789_012_3,
        occurred_at: OccurredAt::parse("2022-01-05T18:30:00.250+06:00").unwrap(),
        category: Category::ViolenceAgainstCivilians,
        fatalities: Some(u32::MAX),
        injured: Some(0),
        arrested: Some(7),
        place: Some("Жаңаөзен".into()),
        place_id: Some(u32::MAX as u64 + 5),
        precision: Precision::Region,
        source: Some("Reuters; \"quoted\"\ttab".into()),
        notes: Some("line\nbreak, emoji 🗺, RTL كيزيلوردا".into()),
        status: Status::Draft,
        report_id: Some("rep-0190b0b2-7d4e-7a1c-8f00-0123456789ab".into()),
        admin1: None,
    };
    let bare = Incident {
        id: "bare".into(),
        fatalities: None,
        arrested: None,
        place: None,
        place_id: None,
        notes: None,
        ..incident("bare", 0.0)
    };
    s.apply(&[Change::Put(full.clone()), Change::Put(bare.clone())], "t")
        .unwrap();
    assert_eq!(sorted(o.open().load().unwrap().incidents), vec![bare, full]);
}

fn every_change_is_in_the_history(o: &Opener) {
    let s = o.open();
    s.apply(&[Change::Put(incident("a", 76.9))], "alice")
        .unwrap();
    s.apply(&[Change::Put(incident("a", 77.0))], "bob").unwrap();
    s.apply(
        &[Change::Delete("a".into()), Change::Delete("never".into())],
        "carol",
    )
    .unwrap();
    let h = s.history("a").unwrap();
    let ops: Vec<(&str, &str)> = h
        .iter()
        .map(|e| (e.op.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        ops,
        vec![("create", "alice"), ("update", "bob"), ("delete", "carol")]
    );
    let after: serde_json::Value = serde_json::from_str(h[1].after.as_deref().unwrap()).unwrap();
    assert_eq!(
        after["geometry"]["coordinates"],
        serde_json::json!([77, 43.25])
    );
    assert!(h[2].after.is_none());
    assert!(h.windows(2).all(|w| w[0].version < w[1].version));
    assert!(
        time::OffsetDateTime::parse(&h[0].at, &time::format_description::well_known::Rfc3339)
            .is_ok(),
        "{}",
        h[0].at
    );
    assert!(s.history("never").unwrap().is_empty());
}

fn refused_conditional_writes_write_nothing(o: &Opener) {
    let s = o.open();
    let v = s.apply(&[Change::Put(incident("a", 76.9))], "t").unwrap();
    let tag = incidentmap::etag::of_incident(&incident("a", 76.9));
    let refusals = [
        (Change::Put(incident("a", 1.0)), Expect::Absent),
        (Change::Put(incident("z", 1.0)), Expect::Exists),
        (
            Change::Put(incident("a", 1.0)),
            Expect::ETag(vec!["\"stale\"".into()]),
        ),
        (Change::Delete("z".into()), Expect::ETag(vec![tag.clone()])),
    ];
    for (change, expect) in &refusals {
        let e = s.apply_checked(change, expect, "t").unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e}");
    }
    let l = s.load().unwrap();
    assert_eq!(l.version, v, "a refused write does not use up a version");
    assert_eq!(l.incidents, vec![incident("a", 76.9)]);
    assert_eq!(s.history("a").unwrap().len(), 1);
    let v2 = s
        .apply_checked(
            &Change::Put(incident("a", 2.0)),
            &Expect::ETag(vec![tag]),
            "t",
        )
        .unwrap();
    assert_eq!(v2, v + 1);
    assert_eq!(s.load().unwrap().incidents, vec![incident("a", 2.0)]);
}

fn a_batch_records_one_state_per_incident(o: &Opener) {
    let s = o.open();
    s.apply(
        &[
            Change::Put(incident("a", 1.0)),
            Change::Put(incident("a", 2.0)),
            Change::Put(incident("brief", 1.0)),
            Change::Delete("brief".into()),
        ],
        "t",
    )
    .unwrap();
    assert_eq!(s.load().unwrap().incidents, vec![incident("a", 2.0)]);
    let h = s.history("a").unwrap();
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].op, "create");
    assert!(
        h[0].after.as_deref().unwrap().contains("[2,43.25]"),
        "{h:?}"
    );
    assert!(s.history("brief").unwrap().is_empty());
}

fn big_batches_keep_the_last_change_of_each_id(o: &Opener) {
    big_batch(o, 300);
}

/// Larger than the table and than PostgreSQL's bulk threshold: the path that drops and
/// rebuilds the indexes.
fn bulk_batches_keep_the_last_change_of_each_id(o: &Opener) {
    big_batch(o, 12_000);
}

fn big_batch(o: &Opener, size: usize) {
    let s = o.open();
    s.apply(
        &[
            Change::Put(incident("keep", 1.0)),
            Change::Put(incident("gone", 1.0)),
        ],
        "t",
    )
    .unwrap();
    // More than a backend's "few rows" path, with an id changed twice, one put then deleted,
    // one deleted that never existed, and one that exists deleted.
    // Every third waits in the review queue: the statuses go through the bulk path too.
    let mut changes: Vec<Change> = (0..size)
        .map(|n| {
            let mut i = incident(&format!("n{n:03}"), n as f64 / 1000.0);
            if n % 3 == 0 {
                i.status = Status::Rejected;
                i.report_id = Some(format!("rep-{n}"));
            }
            Change::Put(i)
        })
        .collect();
    changes.push(Change::Put(incident("n000", 99.0)));
    changes.push(Change::Put(incident("brief", 5.0)));
    changes.push(Change::Delete("brief".into()));
    changes.push(Change::Delete("never".into()));
    changes.push(Change::Delete("gone".into()));
    changes.push(Change::Put(incident("keep", 2.0)));
    s.apply(&changes, "bulk").unwrap();
    let l = o.open().load().unwrap();
    assert_eq!(l.incidents.len(), size + 1);
    let get = |id: &str| l.incidents.iter().find(|i| i.id == id).cloned();
    assert_eq!(get("n000"), Some(incident("n000", 99.0)));
    assert_eq!(get("n299"), Some(incident("n299", 0.299)));
    assert_eq!(get("keep"), Some(incident("keep", 2.0)));
    assert_eq!(get("brief"), None);
    assert_eq!(get("gone"), None);
    let last_op = |id: &str| s.history(id).unwrap().last().map(|e| e.op.clone());
    assert_eq!(last_op("keep").as_deref(), Some("update"));
    assert_eq!(last_op("gone").as_deref(), Some("delete"));
    assert_eq!(last_op("n150").as_deref(), Some("create"));
    assert_eq!(last_op("never"), None);
    assert_eq!(
        s.history("n000").unwrap().len(),
        1,
        "one version, one state"
    );
    // And the store takes small writes as before.
    s.apply(
        &[
            Change::Put(incident("n001", 7.0)),
            Change::Put(incident("small", 7.0)),
        ],
        "t",
    )
    .unwrap();
    let l = o.open().load().unwrap();
    assert_eq!(l.incidents.len(), size + 2);
    assert_eq!(last_op("n001").as_deref(), Some("update"));
}

#[test]
fn a_bulk_write_rebuilds_secondary_indexes_and_keeps_the_rest() {
    if crate::postgres::not_installed() {
        return;
    }
    let pg = PgStore::connect(&Cluster::shared().database()).unwrap();
    let s: &dyn Store = &pg;
    s.apply(&[Change::Put(incident("a", 1.0))], "t").unwrap();
    let expect = |sql: &str| {
        pg.execute_batch(&format!(
            "DO $$ BEGIN IF NOT ({sql}) THEN RAISE EXCEPTION 'not so: %', '{}'; END IF; END $$",
            sql.replace('\'', "''")
        ))
        .unwrap_or_else(|e| panic!("{e}"))
    };
    // An index an operator added, and one with a comment (which a rebuild would lose).
    pg.execute_batch(
        "CREATE INDEX ops_category ON incidents (category);
         CREATE INDEX ops_place ON incidents (place);
         COMMENT ON INDEX ops_place IS 'for the place report';
         CREATE TABLE seen AS SELECT c.relname::text AS name, c.oid AS oid FROM pg_class c
             WHERE c.relkind = 'i' AND c.relname IN ('incidents_pkey', 'incidents_geom',
                 'incidents_occurred', 'ops_category', 'ops_place', 'im_history_pkey',
                 'im_history_incident', 'im_history_version');",
    )
    .unwrap();
    let same = |name: &str| {
        format!("(SELECT oid FROM seen WHERE name = '{name}') = '{name}'::regclass::oid")
    };
    let batch = |prefix: &str, n: usize| -> Vec<Change> {
        (0..n)
            .map(|k| Change::Put(incident(&format!("{prefix}{k}"), 1.0)))
            .collect()
    };

    // Outnumbers both tables: their secondary indexes are rebuilt (new oids), the constraints'
    // and the commented index are kept as they were.
    s.apply(&batch("b", 12_000), "bulk").unwrap();
    for rebuilt in ["incidents_geom", "incidents_occurred", "ops_category"] {
        expect(&format!("NOT {}", same(rebuilt)));
    }
    for rebuilt in ["im_history_incident", "im_history_version"] {
        expect(&format!("NOT {}", same(rebuilt)));
    }
    for kept in ["incidents_pkey", "ops_place", "im_history_pkey"] {
        expect(&same(kept));
    }
    expect(
        "(SELECT indexdef FROM pg_indexes WHERE indexname = 'incidents_geom') LIKE '%USING gist (geom)%'",
    );

    // Big, but smaller than the table now: maintained row by row, nothing rebuilt.
    pg.execute_batch(
        "DELETE FROM seen; INSERT INTO seen SELECT c.relname, c.oid FROM pg_class c
             WHERE c.relname IN ('incidents_geom', 'im_history_incident');",
    )
    .unwrap();
    s.apply(&batch("c", 11_000), "bulk").unwrap();
    expect(&same("incidents_geom"));
    expect(&same("im_history_incident"));
    assert_eq!(s.load().unwrap().incidents.len(), 1 + 12_000 + 11_000);
}

#[test]
fn geopackage_has_no_one_else_to_follow() {
    let o = Opener::gpkg();
    let s = o.open();
    assert!(s.changes_since(0).unwrap().is_none());
    assert!(!s.watch(Arc::new(|_| {})));
}

fn expect_changes(d: Option<Delta>) -> (u64, Vec<Change>) {
    match d.expect("a shared store reports changes") {
        Delta::Changes { version, changes } => (version, changes),
        Delta::Reload(l) => panic!("expected changes, got a reload to {}", l.version),
    }
}

#[test]
fn a_second_instance_catches_up_from_the_change_log() {
    if crate::postgres::not_installed() {
        return;
    }
    let o = Opener::postgres();
    let a = o.open();
    let b = o.open();
    let start = b.load().unwrap().version;
    a.apply(
        &[
            Change::Put(incident("x", 1.0)),
            Change::Put(incident("y", 1.0)),
        ],
        "a",
    )
    .unwrap();
    let v = a
        .apply(
            &[Change::Put(incident("x", 2.0)), Change::Delete("y".into())],
            "a",
        )
        .unwrap();
    let (version, changes) = expect_changes(b.changes_since(start).unwrap());
    assert_eq!(version, v);
    let mut puts = Vec::new();
    let mut deletes = Vec::new();
    for c in changes {
        match c {
            Change::Put(i) => puts.push(i),
            Change::Delete(id) => deletes.push(id),
        }
    }
    assert_eq!(puts, vec![incident("x", 2.0)], "the current state, once");
    assert_eq!(deletes, vec!["y".to_string()]);
    let (same, none) = expect_changes(b.changes_since(v).unwrap());
    assert_eq!((same, none.len()), (v, 0));
}

#[test]
fn a_restored_database_is_reloaded_and_its_versions_move_past_ours() {
    if crate::postgres::not_installed() {
        return;
    }
    let url = Cluster::shared().database();
    let a = PgStore::connect(&url).unwrap();
    let b = PgStore::connect(&url).unwrap();
    for n in 0..5 {
        a.apply(&[Change::Put(incident(&format!("i{n}"), 1.0))], "t")
            .unwrap();
        if n == 2 {
            // B lags: it last saw version 3.
            assert_eq!(b.load().unwrap().version, 3);
        }
    }
    let served = a.load().unwrap().version;
    assert_eq!(served, 5);
    // "Restore a backup" taken at version 2.
    a.execute_batch(
        "DELETE FROM incidents WHERE id IN ('i2', 'i3', 'i4');
         DELETE FROM im_history WHERE version > 2;
         UPDATE im_meta SET value = 2 WHERE key = 'data_version';",
    )
    .unwrap();
    let reloaded = |d: Option<Delta>| match d {
        Some(Delta::Reload(l)) => l,
        other => panic!("expected a reload, got {other:?}"),
    };
    let l = reloaded(a.changes_since(served).unwrap());
    assert!(
        l.version > served,
        "version {} must not reuse numbers already served",
        l.version
    );
    assert_eq!(l.incidents.len(), 2);
    // B was behind the restored version's new number, so it cannot see the regression in
    // the numbers: the new epoch tells it.
    let l = reloaded(b.changes_since(3).unwrap());
    assert_eq!(l.incidents.len(), 2);
    assert!(matches!(
        b.changes_since(l.version).unwrap(),
        Some(Delta::Changes { .. })
    ));

    // A different database behind the same URL (its epoch differs): reload as well.
    let now = a.load().unwrap().version;
    a.execute_batch("UPDATE im_meta SET value = value + 1 WHERE key = 'epoch'")
        .unwrap();
    reloaded(a.changes_since(now).unwrap());
}

#[test]
fn the_schema_is_created_once_and_foreign_or_newer_ones_refused() {
    if crate::postgres::not_installed() {
        return;
    }
    let c = Cluster::shared();
    let url = c.database();
    let first = PgStore::connect(&url).unwrap();
    first
        .apply(&[Change::Put(incident("a", 1.0))], "t")
        .unwrap();
    // Several instances starting at once migrate once, and keep the data.
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || PgStore::connect(&url).unwrap().load().unwrap())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().incidents.len(), 1);
    }
    first
        .execute_batch("UPDATE im_meta SET value = 99 WHERE key = 'schema_version'")
        .unwrap();
    let e = PgStore::connect(&url).err().unwrap().to_string();
    assert!(e.contains("schema version 99"), "{e}");

    let foreign = c.database();
    c.psql(
        foreign.rsplit('/').next().unwrap(),
        "CREATE TABLE incidents (x int)",
    );
    let e = PgStore::connect(&foreign).err().unwrap().to_string();
    assert!(e.contains("did not create"), "{e}");

    // A database without PostGIS gets it (the test role is a superuser).
    c.psql("postgres", "CREATE DATABASE bare TEMPLATE template0");
    PgStore::connect(&c.url("bare")).unwrap();
    assert_eq!(
        c.psql(
            "bare",
            "SELECT count(*) FROM pg_extension WHERE extname = 'postgis'"
        ),
        "1"
    );
}

#[test]
fn an_unreachable_database_is_named_without_its_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = PgStore::connect(&format!("postgres://im:s3cret@127.0.0.1:{port}/im"))
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains(&format!("postgres://im@127.0.0.1:{port}/im")) && !e.contains("s3cret"),
        "{e}"
    );
    assert!(e.contains("cannot connect"), "{e}");
}
