//! The default store: one OGC GeoPackage file (`incidents.gpkg`, SQLite underneath) in the
//! data directory, so GDAL and QGIS open the data directly.
//!
//! Durability: WAL with `synchronous=FULL`, one transaction per [`Store::apply`]; SQLite syncs
//! the WAL before the commit returns, so an acknowledged write survives a crash or power loss.
//! The file is a valid GeoPackage (application id, `gpkg_spatial_ref_sys`, `gpkg_contents`,
//! `gpkg_geometry_columns`, geometry blobs); our own bookkeeping lives in `im_*` tables that
//! GeoPackage readers ignore.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};

use super::{Change, Expect, HistoryEntry, Loaded, Store, StoreError};
use crate::model::{Incident, OccurredAt, ReportRecord};

/// GeoPackage's SQLite application id: "GPKG".
const GPKG_APPLICATION_ID: i32 = 0x4750_4B47;
/// GeoPackage 1.4.0.
const GPKG_USER_VERSION: i32 = 10400;
/// The schema this code writes; older files are migrated forward at open.
pub const SCHEMA_VERSION: i64 = 3;

const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]"#;

/// Schema migrations, applied in order; entry `n` takes the schema from version `n` to `n+1`.
const MIGRATIONS: &[&str] = &[
    // 0 → 1: the GeoPackage core tables and the incidents feature table.
    r#"
    CREATE TABLE gpkg_spatial_ref_sys (
        srs_name TEXT NOT NULL,
        srs_id INTEGER PRIMARY KEY,
        organization TEXT NOT NULL,
        organization_coordsys_id INTEGER NOT NULL,
        definition TEXT NOT NULL,
        description TEXT
    );
    INSERT INTO gpkg_spatial_ref_sys VALUES
        ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
        ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
        ('WGS 84 geodetic', 4326, 'EPSG', 4326, '{WGS84}', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
    CREATE TABLE gpkg_contents (
        table_name TEXT NOT NULL PRIMARY KEY,
        data_type TEXT NOT NULL,
        identifier TEXT UNIQUE,
        description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
        srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
    );
    CREATE TABLE gpkg_geometry_columns (
        table_name TEXT NOT NULL,
        column_name TEXT NOT NULL,
        geometry_type_name TEXT NOT NULL,
        srs_id INTEGER NOT NULL,
        z TINYINT NOT NULL,
        m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT uk_gc_table_name UNIQUE (table_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
    );
    CREATE TABLE incidents (
        fid INTEGER PRIMARY KEY AUTOINCREMENT,
        geom POINT NOT NULL,
        id TEXT NOT NULL UNIQUE,
        occurred_at TEXT NOT NULL,
        category TEXT NOT NULL,
        fatalities INTEGER,
        injured INTEGER,
        arrested INTEGER,
        place TEXT,
        place_id INTEGER,
        precision TEXT NOT NULL,
        source TEXT,
        notes TEXT
    );
    INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
        VALUES ('incidents', 'features', 'incidents', 'Incidents mapped by incidentmap', 4326);
    INSERT INTO gpkg_geometry_columns VALUES ('incidents', 'geom', 'POINT', 4326, 0, 0);
    CREATE TABLE im_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO im_meta VALUES ('data_version', 0);
    "#,
    // 1 → 2: the history of every change. `after` is the incident as GeoJSON after the
    // change (NULL for a deletion); the state before a change is the previous entry's `after`.
    r#"
    CREATE TABLE im_history (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        op TEXT NOT NULL,
        after TEXT
    );
    CREATE INDEX im_history_incident ON im_history (incident_id, seq);
    "#,
    // 2 → 3: the review queue. Incidents drafted from a report wait as 'draft' until an
    // editor publishes or rejects them; `report_id` names the report, kept in `im_reports`.
    r#"
    ALTER TABLE incidents ADD COLUMN status TEXT NOT NULL DEFAULT 'published'
        CHECK (status IN ('draft', 'published', 'rejected'));
    ALTER TABLE incidents ADD COLUMN report_id TEXT;
    CREATE TABLE im_reports (
        id TEXT PRIMARY KEY,
        received_at TEXT NOT NULL,
        actor TEXT NOT NULL,
        text TEXT NOT NULL,
        source TEXT,
        url TEXT,
        published_at TEXT,
        language TEXT NOT NULL,
        drafts TEXT NOT NULL
    );
    "#,
];

pub struct GpkgStore {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl GpkgStore {
    /// The file name inside the data directory.
    pub const FILE: &'static str = "incidents.gpkg";

    /// Opens (creating if needed) `DIR/incidents.gpkg` and migrates it to the current schema.
    pub fn open_dir(dir: &Path) -> Result<GpkgStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
            path: dir.display().to_string(),
            message: format!("cannot create the data directory: {e}"),
        })?;
        GpkgStore::open(&dir.join(Self::FILE))
    }

    pub fn open(path: &Path) -> Result<GpkgStore, StoreError> {
        let shown = path.display().to_string();
        let mut conn = Connection::open(path).map_err(|e| StoreError::Open {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        // WAL lets readers (ogrinfo, backups) in while we write; FULL syncs the WAL on every
        // commit, which is what makes an acknowledged write survive power loss.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn, &shown)?;
        Ok(GpkgStore {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Folds the write-ahead log into the database file (for copies that must be one file).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (the transaction is
        // rolled back on drop), so a poisoned lock is safe to reuse.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn schema_version(conn: &Connection) -> Result<i64, StoreError> {
    let has_meta: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='im_meta'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)?;
    if !has_meta {
        return Ok(0);
    }
    Ok(conn
        .query_row(
            "SELECT value FROM im_meta WHERE key='schema_version'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(1))
}

fn migrate(conn: &mut Connection, path: &str) -> Result<(), StoreError> {
    let found = schema_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_string(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == 0 {
        // An empty file, or someone else's SQLite file: refuse the latter rather than
        // scribbling our tables into it.
        let tables: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type='table'",
            [],
            |r| r.get(0),
        )?;
        if tables > 0 {
            return Err(StoreError::Open {
                path: path.to_string(),
                message:
                    "is a SQLite database that incidentmap did not create; refusing to modify it"
                        .into(),
            });
        }
        conn.pragma_update(None, "application_id", GPKG_APPLICATION_ID)?;
        conn.pragma_update(None, "user_version", GPKG_USER_VERSION)?;
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(&sql.replace("{WGS84}", WGS84_WKT))?;
        tx.execute(
            "INSERT INTO im_meta (key, value) VALUES ('schema_version', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [from as i64 + 1],
        )?;
        tx.commit()?;
    }
    Ok(())
}

impl Store for GpkgStore {
    fn load(&self) -> Result<Loaded, StoreError> {
        let conn = self.conn();
        let version: i64 = conn.query_row(
            "SELECT value FROM im_meta WHERE key='data_version'",
            [],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM incidents"))?;
        let mut rows = stmt.query([])?;
        let mut incidents = Vec::new();
        while let Some(r) = rows.next()? {
            incidents.push(read_incident(r)?);
        }
        Ok(Loaded {
            incidents,
            version: version as u64,
        })
    }

    fn apply(&self, changes: &[Change], actor: &str) -> Result<u64, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let version = write_changes(&tx, changes, actor)?;
        tx.commit()?;
        Ok(version)
    }

    fn apply_checked(
        &self,
        change: &Change,
        expect: &Expect,
        actor: &str,
    ) -> Result<u64, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let current = tx
            .query_row(
                &format!("SELECT {COLUMNS} FROM incidents WHERE id = ?1"),
                [change.id()],
                |r| Ok(read_incident(r)),
            )
            .optional()?
            .transpose()?;
        expect.check(change.id(), current.as_ref())?;
        let version = write_changes(&tx, std::slice::from_ref(change), actor)?;
        tx.commit()?;
        Ok(version)
    }

    fn add_report(
        &self,
        report: &ReportRecord,
        drafts: &[Change],
        actor: &str,
    ) -> Result<u64, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO im_reports (id, received_at, actor, text, source, url, published_at,
                 language, drafts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                report.id,
                report.received_at,
                report.actor,
                report.text,
                report.source,
                report.url,
                report.published_at,
                report.language,
                report.drafts
            ],
        )?;
        let version = write_changes(&tx, drafts, actor)?;
        tx.commit()?;
        Ok(version)
    }

    fn report(&self, id: &str) -> Result<Option<ReportRecord>, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT id, received_at, actor, text, source, url, published_at, language,
                     drafts
                 FROM im_reports WHERE id = ?1",
                [id],
                |r| {
                    Ok(ReportRecord {
                        id: r.get(0)?,
                        received_at: r.get(1)?,
                        actor: r.get(2)?,
                        text: r.get(3)?,
                        source: r.get(4)?,
                        url: r.get(5)?,
                        published_at: r.get(6)?,
                        language: r.get(7)?,
                        drafts: r.get(8)?,
                    })
                },
            )
            .optional()?)
    }

    fn history(&self, id: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT version, at, actor, op, after FROM im_history WHERE incident_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(HistoryEntry {
                version: r.get::<_, i64>(0)? as u64,
                at: r.get(1)?,
                actor: r.get(2)?,
                op: r.get(3)?,
                after: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.checkpoint()
    }

    fn describe(&self) -> String {
        format!("GeoPackage {}", self.path.display())
    }
}

/// The columns [`read_incident`] reads, in its order.
const COLUMNS: &str = "id, geom, occurred_at, category, fatalities, injured, arrested, \
                       place, place_id, precision, source, notes, status, report_id";

/// One incident from a row of [`COLUMNS`].
fn read_incident(r: &rusqlite::Row<'_>) -> Result<Incident, StoreError> {
    let id: String = r.get(0)?;
    let corrupt = |message: String| StoreError::Corrupt {
        id: id.clone(),
        message,
    };
    let blob: Vec<u8> = r.get(1)?;
    let (lon, lat) = decode_point(&blob).map_err(corrupt)?;
    let occurred: String = r.get(2)?;
    let category: String = r.get(3)?;
    let precision: String = r.get(9)?;
    let status: String = r.get(12)?;
    Ok(Incident {
        lon,
        lat,
        occurred_at: OccurredAt::parse(&occurred).map_err(|e| corrupt(e.to_string()))?,
        category: category
            .parse()
            .map_err(|e: crate::model::ModelError| corrupt(e.to_string()))?,
        fatalities: r.get(4)?,
        injured: r.get(5)?,
        arrested: r.get(6)?,
        place: r.get(7)?,
        place_id: r.get::<_, Option<i64>>(8)?.map(|v| v as u64),
        precision: precision
            .parse()
            .map_err(|e: crate::model::ModelError| corrupt(e.to_string()))?,
        source: r.get(10)?,
        notes: r.get(11)?,
        status: status
            .parse()
            .map_err(|e: crate::model::ModelError| corrupt(e.to_string()))?,
        report_id: r.get(13)?,
        id,
        admin1: None,
    })
}

/// Writes the changes and their history as the next data version, inside `tx`.
fn write_changes(
    tx: &rusqlite::Transaction<'_>,
    changes: &[Change],
    actor: &str,
) -> Result<u64, StoreError> {
    let version: i64 = tx.query_row(
        "UPDATE im_meta SET value = value + 1 WHERE key = 'data_version' RETURNING value",
        [],
        |r| r.get(0),
    )?;
    let at = now_rfc3339();
    {
        let mut exists = tx.prepare_cached("SELECT 1 FROM incidents WHERE id = ?1")?;
        let mut history = tx.prepare_cached(
            "INSERT INTO im_history (incident_id, version, at, actor, op, after)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let mut put = tx.prepare_cached(
            "INSERT INTO incidents (geom, id, occurred_at, category, fatalities, injured,
                 arrested, place, place_id, precision, source, notes, status, report_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT(id) DO UPDATE SET geom = excluded.geom,
                 occurred_at = excluded.occurred_at, category = excluded.category,
                 fatalities = excluded.fatalities, injured = excluded.injured,
                 arrested = excluded.arrested, place = excluded.place,
                 place_id = excluded.place_id, precision = excluded.precision,
                 source = excluded.source, notes = excluded.notes,
                 status = excluded.status, report_id = excluded.report_id",
        )?;
        let mut del = tx.prepare_cached("DELETE FROM incidents WHERE id = ?1")?;
        let mut extent: Option<crate::bbox::Bbox> = None;
        let keep = super::last_of_each(changes);
        for (c, _) in changes.iter().zip(&keep).filter(|(_, keep)| **keep) {
            let existed = exists.exists([c.id()])?;
            match c {
                Change::Put(i) => {
                    let op = if existed { "update" } else { "create" };
                    let after = String::from_utf8(crate::format::geojson::feature(i))
                        .expect("GeoJSON is UTF-8");
                    history.execute(params![i.id, version, at, actor, op, after])?;
                    put.execute(params![
                        encode_point(i.lon, i.lat),
                        i.id,
                        i.occurred_at.to_string(),
                        i.category.as_str(),
                        i.fatalities,
                        i.injured,
                        i.arrested,
                        i.place,
                        i.place_id.map(|v| v as i64),
                        i.precision.as_str(),
                        i.source,
                        i.notes,
                        i.status.as_str(),
                        i.report_id,
                    ])?;
                    extent = Some(crate::bbox::Bbox::union_point(extent, i.lon, i.lat));
                }
                Change::Delete(id) => {
                    if existed {
                        let none: Option<String> = None;
                        history.execute(params![id, version, at, actor, "delete", none])?;
                        del.execute([id])?;
                    }
                }
            }
        }
        // The layer extent GDAL reports; it only grows (shrinking would need a full scan,
        // and GeoPackage calls it informative).
        if let Some(e) = extent {
            tx.execute(
                "UPDATE gpkg_contents SET
                    min_x = min(coalesce(min_x, ?1), ?1), min_y = min(coalesce(min_y, ?2), ?2),
                    max_x = max(coalesce(max_x, ?3), ?3), max_y = max(coalesce(max_y, ?4), ?4),
                    last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now')
                 WHERE table_name = 'incidents'",
                params![e.west, e.south, e.east, e.north],
            )?;
        }
    }
    Ok(version as u64)
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A GeoPackage geometry blob holding a 2-D point in EPSG:4326: the 8-byte GeoPackage header
/// (magic "GP", version 0, flags = little-endian without envelope, srs id) then the point as
/// little-endian WKB.
pub fn encode_point(lon: f64, lat: f64) -> Vec<u8> {
    let mut b = Vec::with_capacity(29);
    b.extend_from_slice(b"GP");
    b.push(0); // version
    b.push(0b0000_0001); // little-endian, no envelope, not empty, standard
    b.extend_from_slice(&4326i32.to_le_bytes());
    b.push(1); // WKB little-endian
    b.extend_from_slice(&1u32.to_le_bytes()); // Point
    b.extend_from_slice(&lon.to_le_bytes());
    b.extend_from_slice(&lat.to_le_bytes());
    b
}

/// Reads a point back from a GeoPackage geometry blob, whoever wrote it (any envelope, either
/// byte order).
pub fn decode_point(b: &[u8]) -> Result<(f64, f64), String> {
    if b.len() < 8 || &b[..2] != b"GP" {
        return Err("geometry is not a GeoPackage blob".into());
    }
    let flags = b[3];
    if flags & 0b1_0000 != 0 {
        return Err("geometry is an empty point".into());
    }
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        e => return Err(format!("invalid envelope indicator {e}")),
    };
    let wkb = b.get(8 + envelope..).ok_or("geometry blob is truncated")?;
    if wkb.len() < 21 {
        return Err("WKB point is truncated".into());
    }
    let le = wkb[0] == 1;
    let u32_at = |i: usize| {
        let a: [u8; 4] = wkb[i..i + 4].try_into().unwrap();
        if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        }
    };
    let f64_at = |i: usize| {
        let a: [u8; 8] = wkb[i..i + 8].try_into().unwrap();
        if le {
            f64::from_le_bytes(a)
        } else {
            f64::from_be_bytes(a)
        }
    };
    if u32_at(1) != 1 {
        return Err(format!("geometry type {} is not a 2-D point", u32_at(1)));
    }
    Ok((f64_at(5), f64_at(13)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Precision};
    use proptest::prelude::*;

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

    // The store contract itself (versions, history, conditional writes, batches) is tested
    // against every backend in tests/integration/store.rs; these are GeoPackage matters.

    #[test]
    fn a_version_1_file_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("old.gpkg");
        {
            let mut c = Connection::open(&p).unwrap();
            c.pragma_update(None, "application_id", GPKG_APPLICATION_ID)
                .unwrap();
            let tx = c.transaction().unwrap();
            tx.execute_batch(&MIGRATIONS[0].replace("{WGS84}", WGS84_WKT))
                .unwrap();
            tx.execute("INSERT INTO im_meta VALUES ('schema_version', 1)", [])
                .unwrap();
            tx.execute(
                "INSERT INTO incidents (geom, id, occurred_at, category, precision)
                 VALUES (?1, 'old', '2022-01-04', 'protest', 'city')",
                [encode_point(76.9, 43.2)],
            )
            .unwrap();
            tx.commit().unwrap();
        }
        let s = GpkgStore::open(&p).unwrap();
        s.apply(&[Change::Put(incident("a", 1.0))], "t").unwrap();
        assert_eq!(s.history("a").unwrap().len(), 1);
        // What was there before the review queue existed is published.
        let old = s.load().unwrap().incidents;
        let old = old.iter().find(|i| i.id == "old").unwrap();
        assert_eq!(
            (old.status, old.report_id.as_deref()),
            (crate::model::Status::Published, None)
        );
    }

    #[test]
    fn the_file_is_a_geopackage() {
        let dir = tempfile::tempdir().unwrap();
        let s = GpkgStore::open_dir(dir.path()).unwrap();
        s.apply(&[Change::Put(incident("a", 76.9))], "t").unwrap();
        let c = s.conn();
        let app: i32 = c
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap();
        assert_eq!(app, GPKG_APPLICATION_ID);
        let (t, min_x): (String, f64) = c
            .query_row("SELECT data_type, min_x FROM gpkg_contents", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((t.as_str(), min_x), ("features", 76.9));
        let ok: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
    }

    #[test]
    fn refuses_a_foreign_database() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("other.sqlite");
        Connection::open(&p)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        let e = GpkgStore::open(&p).err().unwrap().to_string();
        assert!(e.contains("did not create"), "{e}");
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let s = GpkgStore::open_dir(dir.path()).unwrap();
        s.conn()
            .execute(
                "UPDATE im_meta SET value = 99 WHERE key = 'schema_version'",
                [],
            )
            .unwrap();
        drop(s);
        let e = GpkgStore::open_dir(dir.path()).err().unwrap().to_string();
        assert!(e.contains("schema version 99"), "{e}");
    }

    #[test]
    fn rejects_broken_blobs() {
        assert!(decode_point(b"XX").is_err());
        assert!(decode_point(&encode_point(1.0, 2.0)[..20]).is_err());
        let mut b = encode_point(1.0, 2.0);
        b[12] = 2; // a linestring
        assert!(decode_point(&b).is_err());
    }

    proptest! {
        #[test]
        fn points_round_trip(lon in -180.0f64..=180.0, lat in -90.0f64..=90.0) {
            prop_assert_eq!(decode_point(&encode_point(lon, lat)).unwrap(), (lon, lat));
        }
    }
}
