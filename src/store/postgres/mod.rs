//! The shared store: incidents in a PostgreSQL/PostGIS database that several incidentmap
//! instances use at once (`--store postgres://…`).
//!
//! The [`Store`] trait is synchronous (callers are on blocking threads) and tokio-postgres is
//! asynchronous, so the store owns a small runtime of its own and blocks on it: its own rather
//! than the server's so the CLI can use it too, and so a slow database never occupies the
//! server's worker threads.
//!
//! Consistency across instances rests on one row, `im_meta.data_version`. Every write
//! transaction starts by incrementing it, which holds that row's lock until commit: writes
//! from all instances are serialized, each gets the next version, and versions become visible
//! in order. `im_history` records which incidents each version touched; it is the change log an
//! instance reads to catch up ([`Store::changes_since`]) when a NOTIFY arrives, after a
//! reconnection, or on its periodic poll.

mod listen;
mod schema;
pub mod tls;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod};
use futures_util::{StreamExt as _, pin_mut};
use tokio_postgres::IsolationLevel;
use tokio_postgres::binary_copy::{BinaryCopyInWriter, BinaryCopyOutStream};
use tokio_postgres::types::{FromSql, ToSql, Type};
use tokio_postgres_rustls::MakeRustlsConnect;

pub use schema::SCHEMA_VERSION;

use super::{Change, Delta, Expect, HistoryEntry, Loaded, Store, StoreError, Wake, last_of_each};
use crate::model::{Incident, OccurredAt, ReportRecord};

/// The NOTIFY channel every write announces itself on.
pub const CHANNEL: &str = "incidentmap_changes";

/// Most connections one instance opens (plus one for the change feed).
const POOL_SIZE: usize = 8;
/// How long a write waits for a connection before answering "unavailable".
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Batches larger than this go through COPY into a staging table.
const COPY_THRESHOLD: usize = 64;
/// Staged batches at least this large, and at least as large as a table, rebuild that table's
/// indexes instead of maintaining them row by row.
const BULK_THRESHOLD: usize = 10_000;
/// Past this many changed incidents, catching up reloads everything instead.
const RELOAD_THRESHOLD: i64 = 250_000;
/// A NOTIFY payload must stay under 8000 bytes; past this the ids are left out.
const MAX_PAYLOAD: usize = 7000;

/// The columns [`decode`] reads, in its order, for `incidents` aliased as `i`.
const COLUMNS: &str = "i.id, ST_X(i.geom), ST_Y(i.geom), i.occurred_at, i.category, \
                       i.fatalities, i.injured, i.arrested, i.place, i.place_id, i.precision, \
                       i.source, i.notes, i.status, i.report_id";
const COLUMN_TYPES: [Type; 15] = [
    Type::TEXT,
    Type::FLOAT8,
    Type::FLOAT8,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::TEXT,
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
];

pub struct PgStore {
    /// Taken at drop, to shut down without blocking (the drop may happen on an async thread).
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    pool: Pool,
    config: tokio_postgres::Config,
    /// TLS for every connection, the change feed's included.
    connector: MakeRustlsConnect,
    /// The database without its password, for messages.
    shown: String,
    /// Whether the change feed is connected.
    up: Arc<AtomicBool>,
    /// The database's identity, drawn when its schema was created; another value later means
    /// the database was replaced, and catching up must reload.
    epoch: AtomicI64,
}

impl PgStore {
    /// Connects to the database at `url` (a libpq-style URL or key=value string), installs
    /// PostGIS if needed and may, and migrates the schema.
    pub fn connect(url: &str) -> Result<PgStore, StoreError> {
        let (rest, tls) = tls::split(url).map_err(|message| StoreError::Open {
            path: redact(url),
            message,
        })?;
        let mut config: tokio_postgres::Config = rest.parse().map_err(|e| StoreError::Open {
            path: redact(url),
            message: format!("is not a PostgreSQL connection URL: {e}"),
        })?;
        // tokio-postgres must not have seen an sslmode we missed: overriding it would
        // silently weaken what the user asked for.
        if config.get_ssl_mode() != tokio_postgres::config::SslMode::Prefer {
            return Err(StoreError::Open {
                path: redact(url),
                message: "sslmode appears in a form incidentmap cannot read unambiguously; \
                          give it once, as ?sslmode=… or sslmode=…"
                    .into(),
            });
        }
        let mode = tls
            .pg_mode(config.get_hosts())
            .map_err(|message| StoreError::Open {
                path: redact(url),
                message,
            })?;
        config.ssl_mode(mode);
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("incidentmap");
        }
        // Notice a silently dead peer (a cable, not a restart) within a minute.
        config.keepalives_idle(Duration::from_secs(30));
        let shown = show(&config);
        let connector = tls::connector(&tls).map_err(|message| StoreError::Open {
            path: shown.clone(),
            message,
        })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("incidentmap-postgres")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Open {
                path: shown.clone(),
                message: format!("cannot start the database runtime: {e}"),
            })?;
        let handle = runtime.handle().clone();
        let manager = Manager::from_config(
            config.clone(),
            connector.clone(),
            // Verified: a connection the database dropped (a restart) is replaced before use
            // rather than failing the write that picked it.
            ManagerConfig {
                recycling_method: RecyclingMethod::Verified,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| StoreError::Open {
                path: shown.clone(),
                message: e.to_string(),
            })?;
        let store = PgStore {
            runtime: Some(runtime),
            handle,
            pool,
            config,
            connector,
            shown,
            up: Arc::new(AtomicBool::new(true)),
            epoch: AtomicI64::new(0),
        };
        let shown = store.shown.clone();
        let epoch = store
            .block_on(async {
                let mut client = store.pool.get().await.map_err(|e| StoreError::Open {
                    path: shown.clone(),
                    message: format!(
                        "cannot connect: {}",
                        match e {
                            PoolError::Backend(e) => describe_pg(&e),
                            e => e.to_string(),
                        }
                    ),
                })?;
                schema::migrate(&mut client, &shown).await?;
                let sync: String = client
                    .query_one("SHOW synchronous_commit", &[])
                    .await
                    .map_err(pg)?
                    .get(0);
                if sync == "off" {
                    tracing::warn!(
                        "synchronous_commit is off on {shown}: a write acknowledged just before \
                         a database crash can be lost; set it to on"
                    );
                }
                let tx = client.transaction().await.map_err(pg)?;
                let (_, epoch) = read_meta(&tx).await?;
                tx.commit().await.map_err(pg)?;
                Ok(epoch)
            })
            .map_err(|e| match e {
                StoreError::Unavailable(m) => StoreError::Open {
                    path: store.shown.clone(),
                    message: format!("the connection failed: {m}"),
                },
                e => e,
            })?;
        store.epoch.store(epoch, Ordering::SeqCst);
        Ok(store)
    }

    fn block_on<T>(&self, f: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
        self.handle.block_on(f)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| pool_error(e, &self.shown))
    }

    /// Runs `sql` (which may hold several statements) directly, for tests and tools.
    pub fn execute_batch(&self, sql: &str) -> Result<(), StoreError> {
        self.block_on(async {
            let client = self.client().await?;
            client.batch_execute(sql).await.map_err(pg)
        })
    }

    async fn write(
        &self,
        changes: &[Change],
        actor: &str,
        expect: Option<&Expect>,
        report: Option<&ReportRecord>,
    ) -> Result<u64, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        // Takes the version row's lock until commit: from here on no other instance writes.
        let version: i64 = tx
            .query_one(
                "UPDATE im_meta SET value = value + 1 WHERE key = 'data_version' RETURNING value",
                &[],
            )
            .await
            .map_err(pg)?
            .get(0);
        if let Some(expect) = expect {
            let id = changes[0].id();
            let row = tx
                .query_opt(
                    &format!("SELECT {COLUMNS} FROM incidents i WHERE i.id = $1"),
                    &[&id],
                )
                .await
                .map_err(pg)?;
            let current = row.as_ref().map(decode).transpose()?;
            // An early return drops the transaction, which rolls it back.
            expect.check(id, current.as_ref())?;
        }
        if let Some(r) = report {
            tx.execute(
                "INSERT INTO im_reports (id, received_at, actor, text, source, url,
                     published_at, language, drafts)
                 VALUES ($1, $2::text::timestamptz, $3, $4, $5, $6, $7, $8, $9::text::json)",
                &[
                    &r.id,
                    &r.received_at,
                    &r.actor,
                    &r.text,
                    &r.source,
                    &r.url,
                    &r.published_at,
                    &r.language,
                    &r.drafts,
                ],
            )
            .await
            .map_err(pg)?;
        }
        let keep = last_of_each(changes);
        if changes.len() > COPY_THRESHOLD {
            write_staged(&tx, changes, &keep, actor, version).await?;
        } else {
            write_rows(&tx, changes, &keep, actor, version).await?;
        }
        tx.execute(
            "SELECT pg_notify($1, $2)",
            &[&CHANNEL, &notify_payload(version as u64, changes)],
        )
        .await
        .map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        Ok(version as u64)
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Store for PgStore {
    fn load(&self) -> Result<Loaded, StoreError> {
        self.block_on(async {
            let mut client = self.client().await?;
            let tx = snapshot_tx(&mut client).await?;
            let (version, epoch) = read_meta(&tx).await?;
            let incidents = copy_out(&tx, "FROM incidents i").await?;
            tx.commit().await.map_err(pg)?;
            self.epoch.store(epoch, Ordering::SeqCst);
            Ok(Loaded {
                incidents,
                version: version as u64,
            })
        })
    }

    fn apply(&self, changes: &[Change], actor: &str) -> Result<u64, StoreError> {
        self.block_on(self.write(changes, actor, None, None))
    }

    fn apply_checked(
        &self,
        change: &Change,
        expect: &Expect,
        actor: &str,
    ) -> Result<u64, StoreError> {
        self.block_on(self.write(std::slice::from_ref(change), actor, Some(expect), None))
    }

    fn add_report(
        &self,
        report: &ReportRecord,
        drafts: &[Change],
        actor: &str,
    ) -> Result<u64, StoreError> {
        self.block_on(self.write(drafts, actor, None, Some(report)))
    }

    fn report(&self, id: &str) -> Result<Option<ReportRecord>, StoreError> {
        self.block_on(async {
            let client = self.client().await?;
            let row = client
                .query_opt(
                    "SELECT id, to_char(received_at AT TIME ZONE 'UTC', \
                         'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), actor, text, source, url, \
                         published_at, language, drafts::text \
                     FROM im_reports WHERE id = $1",
                    &[&id],
                )
                .await
                .map_err(pg)?;
            Ok(row.map(|r| ReportRecord {
                id: r.get(0),
                received_at: r.get(1),
                actor: r.get(2),
                text: r.get(3),
                source: r.get(4),
                url: r.get(5),
                published_at: r.get(6),
                language: r.get(7),
                drafts: r.get(8),
            }))
        })
    }

    fn history(&self, id: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        self.block_on(async {
            let client = self.client().await?;
            let rows = client
                .query(
                    "SELECT version, to_char(at AT TIME ZONE 'UTC', \
                         'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), actor, op, after::text \
                     FROM im_history WHERE incident_id = $1 ORDER BY seq",
                    &[&id],
                )
                .await
                .map_err(pg)?;
            Ok(rows
                .iter()
                .map(|r| HistoryEntry {
                    version: r.get::<_, i64>(0) as u64,
                    at: r.get(1),
                    actor: r.get(2),
                    op: r.get(3),
                    after: r.get(4),
                })
                .collect())
        })
    }

    fn changes_since(&self, since: u64) -> Result<Option<Delta>, StoreError> {
        self.block_on(async {
            let mut client = self.client().await?;
            let since_sql = since as i64;
            let (version, epoch) = {
                let tx = snapshot_tx(&mut client).await?;
                let meta = read_meta(&tx).await?;
                tx.commit().await.map_err(pg)?;
                meta
            };
            if version == since_sql && epoch == self.epoch.load(Ordering::SeqCst) {
                return Ok(Some(Delta::Changes {
                    version: since,
                    changes: Vec::new(),
                }));
            }
            let regressed = version < since_sql;
            let replaced = epoch != self.epoch.load(Ordering::SeqCst);
            if regressed {
                // The database was restored from a backup. Its versions must not reuse numbers
                // this instance already served (tile URLs and ETags carry them, and clients
                // cache those): move its version past ours. And give it a new epoch, so that
                // instances which had not got as far as the restored version (and so cannot
                // see the regression) reload too.
                let tx = client.transaction().await.map_err(pg)?;
                tx.execute(
                    "UPDATE im_meta SET value = CASE key
                         WHEN 'data_version' THEN greatest(value, $1)
                         ELSE floor(random() * 9007199254740991)::bigint END
                     WHERE key IN ('data_version', 'epoch')",
                    &[&(since_sql + 1)],
                )
                .await
                .map_err(pg)?;
                tx.execute(
                    "SELECT pg_notify($1, $2)",
                    &[&CHANNEL, &r#"{"reload":true}"#],
                )
                .await
                .map_err(pg)?;
                tx.commit().await.map_err(pg)?;
            }
            // One snapshot for the version and the rows: the delta is exactly "since → version".
            let tx = snapshot_tx(&mut client).await?;
            let (version, epoch) = read_meta(&tx).await?;
            let reload = regressed || replaced || {
                let touched: i64 = tx
                    .query_one(
                        "SELECT count(DISTINCT incident_id) FROM im_history WHERE version > $1",
                        &[&since_sql],
                    )
                    .await
                    .map_err(pg)?
                    .get(0);
                touched > RELOAD_THRESHOLD
            };
            let version = version as u64;
            let delta = if reload {
                let incidents = copy_out(&tx, "FROM incidents i").await?;
                self.epoch.store(epoch, Ordering::SeqCst);
                Delta::Reload(Loaded { incidents, version })
            } else {
                // Incidents touched after `since`, as they are now; a missing row was deleted.
                let ids: Vec<String> = tx
                    .query(
                        "SELECT DISTINCT incident_id FROM im_history WHERE version > $1",
                        &[&since_sql],
                    )
                    .await
                    .map_err(pg)?
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                let rows = tx
                    .query(
                        &format!("SELECT {COLUMNS} FROM incidents i WHERE i.id = ANY($1)"),
                        &[&ids],
                    )
                    .await
                    .map_err(pg)?;
                let mut present = std::collections::HashSet::with_capacity(rows.len());
                let mut changes = Vec::with_capacity(ids.len());
                for r in &rows {
                    let i = decode(r)?;
                    present.insert(i.id.clone());
                    changes.push(Change::Put(i));
                }
                changes.extend(
                    ids.into_iter()
                        .filter(|id| !present.contains(id))
                        .map(Change::Delete),
                );
                Delta::Changes { version, changes }
            };
            tx.commit().await.map_err(pg)?;
            Ok(Some(delta))
        })
    }

    fn watch(&self, wake: Wake) -> bool {
        self.handle.spawn(listen::run(
            self.config.clone(),
            self.connector.clone(),
            wake,
            Arc::clone(&self.up),
            self.shown.clone(),
        ));
        true
    }

    fn is_up(&self) -> bool {
        self.up.load(Ordering::SeqCst)
    }

    fn describe(&self) -> String {
        format!("PostgreSQL {}", self.shown)
    }
}

/// A read-only transaction on one snapshot of the database.
async fn snapshot_tx(
    client: &mut deadpool_postgres::Object,
) -> Result<deadpool_postgres::Transaction<'_>, StoreError> {
    client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(pg)
}

/// The data version and the database's epoch.
async fn read_meta(c: &tokio_postgres::Transaction<'_>) -> Result<(i64, i64), StoreError> {
    let rows = c
        .query(
            "SELECT key, value FROM im_meta WHERE key IN ('data_version', 'epoch')",
            &[],
        )
        .await
        .map_err(pg)?;
    let get = |k: &str| {
        rows.iter()
            .find(|r| r.get::<_, &str>(0) == k)
            .map(|r| r.get::<_, i64>(1))
            .ok_or_else(|| StoreError::Postgres(format!("im_meta has no {k} row")))
    };
    Ok((get("data_version")?, get("epoch")?))
}

/// Every incident matching `from` (a FROM clause over `incidents i`), streamed in binary.
async fn copy_out(
    c: &tokio_postgres::Transaction<'_>,
    from: &str,
) -> Result<Vec<Incident>, StoreError> {
    let stream = c
        .copy_out(&format!(
            "COPY (SELECT {COLUMNS} {from}) TO STDOUT (FORMAT binary)"
        ))
        .await
        .map_err(pg)?;
    let rows = BinaryCopyOutStream::new(stream, &COLUMN_TYPES);
    pin_mut!(rows);
    let mut out = Vec::new();
    while let Some(row) = rows.next().await {
        out.push(decode(&row.map_err(pg)?)?);
    }
    Ok(out)
}

/// A row of [`COLUMNS`] in either shape tokio-postgres hands out.
trait Cells {
    fn cell<'a, T: FromSql<'a>>(&'a self, i: usize) -> Result<T, tokio_postgres::Error>;
}

impl Cells for tokio_postgres::Row {
    fn cell<'a, T: FromSql<'a>>(&'a self, i: usize) -> Result<T, tokio_postgres::Error> {
        self.try_get(i)
    }
}

impl Cells for tokio_postgres::binary_copy::BinaryCopyOutRow {
    fn cell<'a, T: FromSql<'a>>(&'a self, i: usize) -> Result<T, tokio_postgres::Error> {
        self.try_get(i)
    }
}

fn decode(r: &impl Cells) -> Result<Incident, StoreError> {
    let id: String = r.cell(0).map_err(pg)?;
    let corrupt = |message: String| StoreError::Corrupt {
        id: id.clone(),
        message,
    };
    let count = |i: usize| -> Result<Option<u32>, StoreError> {
        match r.cell::<Option<i64>>(i).map_err(pg)? {
            None => Ok(None),
            Some(v) => u32::try_from(v)
                .map(Some)
                .map_err(|_| corrupt(format!("count {v} is out of range"))),
        }
    };
    let occurred: &str = r.cell(3).map_err(pg)?;
    let category: &str = r.cell(4).map_err(pg)?;
    let precision: &str = r.cell(10).map_err(pg)?;
    let status: &str = r.cell(13).map_err(pg)?;
    Ok(Incident {
        lon: r.cell(1).map_err(pg)?,
        lat: r.cell(2).map_err(pg)?,
        occurred_at: OccurredAt::parse(occurred).map_err(|e| corrupt(e.to_string()))?,
        category: category
            .parse()
            .map_err(|e: crate::model::ModelError| corrupt(e.to_string()))?,
        fatalities: count(5)?,
        injured: count(6)?,
        arrested: count(7)?,
        place: r.cell(8).map_err(pg)?,
        place_id: r.cell::<Option<i64>>(9).map_err(pg)?.map(|v| v as u64),
        precision: precision
            .parse()
            .map_err(|e: crate::model::ModelError| corrupt(e.to_string()))?,
        source: r.cell(11).map_err(pg)?,
        notes: r.cell(12).map_err(pg)?,
        status: status
            .parse()
            .map_err(|e: crate::model::ModelError| corrupt(e.to_string()))?,
        report_id: r.cell(14).map_err(pg)?,
        id,
        admin1: None,
    })
}

/// Writes the rows of `source` (the staging table, or parameters), replacing those with the
/// same id.
fn upsert_from(source: &str) -> String {
    format!(
        "INSERT INTO incidents AS i (id, geom, occurred_at, occurred_start, category, fatalities,
             injured, arrested, place, place_id, precision, source, notes, status, report_id)
         SELECT id, ST_SetSRID(ST_MakePoint(lon, lat), 4326), occurred_at,
             to_timestamp(start_ms / 1000.0), category, fatalities, injured, arrested, place,
             place_id, precision, source, notes, status, report_id
         FROM {source}
         ON CONFLICT (id) DO UPDATE SET geom = excluded.geom,
             occurred_at = excluded.occurred_at, occurred_start = excluded.occurred_start,
             category = excluded.category, fatalities = excluded.fatalities,
             injured = excluded.injured, arrested = excluded.arrested, place = excluded.place,
             place_id = excluded.place_id, precision = excluded.precision,
             source = excluded.source, notes = excluded.notes, status = excluded.status,
             report_id = excluded.report_id"
    )
}

/// One incident's values, in the order of the staging table and of [`upsert_from`]'s parameters.
struct Values<'a> {
    id: &'a str,
    lon: Option<f64>,
    lat: Option<f64>,
    occurred_at: Option<String>,
    start_ms: Option<i64>,
    category: Option<&'static str>,
    fatalities: Option<i64>,
    injured: Option<i64>,
    arrested: Option<i64>,
    place: Option<&'a str>,
    place_id: Option<i64>,
    precision: Option<&'static str>,
    source: Option<&'a str>,
    notes: Option<&'a str>,
    status: Option<&'static str>,
    report_id: Option<&'a str>,
    /// The incident as GeoJSON, for the history; `None` for a deletion.
    after: Option<String>,
}

impl<'a> Values<'a> {
    fn of(c: &'a Change) -> Values<'a> {
        match c {
            Change::Delete(id) => Values {
                id,
                lon: None,
                lat: None,
                occurred_at: None,
                start_ms: None,
                category: None,
                fatalities: None,
                injured: None,
                arrested: None,
                place: None,
                place_id: None,
                precision: None,
                source: None,
                notes: None,
                status: None,
                report_id: None,
                after: None,
            },
            Change::Put(i) => Values {
                id: &i.id,
                lon: Some(i.lon),
                lat: Some(i.lat),
                occurred_at: Some(i.occurred_at.to_string()),
                start_ms: Some(i.occurred_at.start_ms()),
                category: Some(i.category.as_str()),
                fatalities: i.fatalities.map(i64::from),
                injured: i.injured.map(i64::from),
                arrested: i.arrested.map(i64::from),
                place: i.place.as_deref(),
                place_id: i.place_id.map(|v| v as i64),
                precision: Some(i.precision.as_str()),
                source: i.source.as_deref(),
                notes: i.notes.as_deref(),
                status: Some(i.status.as_str()),
                report_id: i.report_id.as_deref(),
                after: Some(
                    String::from_utf8(crate::format::geojson::feature(i))
                        .expect("GeoJSON is UTF-8"),
                ),
            },
        }
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 17] {
        [
            &self.id,
            &self.lon,
            &self.lat,
            &self.occurred_at,
            &self.start_ms,
            &self.category,
            &self.fatalities,
            &self.injured,
            &self.arrested,
            &self.place,
            &self.place_id,
            &self.precision,
            &self.source,
            &self.notes,
            &self.status,
            &self.report_id,
            &self.after,
        ]
    }
}

const VALUE_TYPES: [Type; 17] = [
    Type::TEXT,   // id
    Type::FLOAT8, // lon
    Type::FLOAT8, // lat
    Type::TEXT,   // occurred_at
    Type::INT8,   // start_ms
    Type::TEXT,   // category
    Type::INT8,   // fatalities
    Type::INT8,   // injured
    Type::INT8,   // arrested
    Type::TEXT,   // place
    Type::INT8,   // place_id
    Type::TEXT,   // precision
    Type::TEXT,   // source
    Type::TEXT,   // notes
    Type::TEXT,   // status
    Type::TEXT,   // report_id
    Type::TEXT,   // after
];

/// A few changes: a statement or two each.
async fn write_rows(
    tx: &deadpool_postgres::Transaction<'_>,
    changes: &[Change],
    keep: &[bool],
    actor: &str,
    version: i64,
) -> Result<(), StoreError> {
    let upsert = tx
        .prepare_cached(&upsert_from(
            "(SELECT $1::text AS id, $2::float8 AS lon, $3::float8 AS lat,
                 $4::text AS occurred_at, $5::int8 AS start_ms, $6::text AS category,
                 $7::int8 AS fatalities, $8::int8 AS injured, $9::int8 AS arrested,
                 $10::text AS place, $11::int8 AS place_id, $12::text AS precision,
                 $13::text AS source, $14::text AS notes, $15::text AS status,
                 $16::text AS report_id) AS v",
        ))
        .await
        .map_err(pg)?;
    let history_put = tx
        .prepare_cached(
            "INSERT INTO im_history (incident_id, version, actor, op, after)
             SELECT $1, $2, $3,
                 CASE WHEN EXISTS (SELECT 1 FROM incidents WHERE id = $1)
                      THEN 'update' ELSE 'create' END,
                 $4::text::json",
        )
        .await
        .map_err(pg)?;
    let delete = tx
        .prepare_cached(
            "WITH gone AS (DELETE FROM incidents WHERE id = $1 RETURNING id)
             INSERT INTO im_history (incident_id, version, actor, op)
             SELECT id, $2, $3, 'delete' FROM gone",
        )
        .await
        .map_err(pg)?;
    for (c, _) in changes.iter().zip(keep).filter(|(_, keep)| **keep) {
        let v = Values::of(c);
        match c {
            Change::Put(_) => {
                tx.execute(&history_put, &[&v.id, &version, &actor, &v.after])
                    .await
                    .map_err(pg)?;
                tx.execute(&upsert, &v.params()[..16]).await.map_err(pg)?;
            }
            Change::Delete(id) => {
                tx.execute(&delete, &[id, &version, &actor])
                    .await
                    .map_err(pg)?;
            }
        }
    }
    Ok(())
}

/// Many changes: COPY them into a staging table, then three set-based statements.
async fn write_staged(
    tx: &deadpool_postgres::Transaction<'_>,
    changes: &[Change],
    keep: &[bool],
    actor: &str,
    version: i64,
) -> Result<(), StoreError> {
    tx.batch_execute(
        "CREATE TEMP TABLE im_stage (
            id text, lon float8, lat float8, occurred_at text, start_ms int8, category text,
            fatalities int8, injured int8, arrested int8, place text, place_id int8,
            precision text, source text, notes text, status text, report_id text, after text
         ) ON COMMIT DROP",
    )
    .await
    .map_err(pg)?;
    let sink = tx
        .copy_in("COPY im_stage FROM STDIN (FORMAT binary)")
        .await
        .map_err(pg)?;
    let writer = BinaryCopyInWriter::new(sink, &VALUE_TYPES);
    pin_mut!(writer);
    let mut staged = 0;
    for (c, _) in changes.iter().zip(keep).filter(|(_, keep)| **keep) {
        writer
            .as_mut()
            .write(&Values::of(c).params())
            .await
            .map_err(pg)?;
        staged += 1;
    }
    writer.finish().await.map_err(pg)?;
    // A bulk write into a table it outnumbers rebuilds that table's secondary indexes once
    // rather than maintaining them row by row (scripts/bench/pg_import.sh; docs/PERFORMANCE.md).
    // Both tables are locked at once, before either is read: taking the locks later would
    // mean upgrading a lock already held, which deadlocks with a reader holding one table and
    // waiting for the other. Other instances' reads of these tables wait for the commit.
    let (mut history_rebuild, mut incidents_rebuild) = (None, None);
    if staged >= BULK_THRESHOLD {
        tx.batch_execute("LOCK TABLE im_history, incidents IN ACCESS EXCLUSIVE MODE")
            .await
            .map_err(pg)?;
        if !outnumbered(tx, "im_history", staged).await? {
            history_rebuild = Some(drop_secondary_indexes(tx, "im_history").await?);
        }
        if !outnumbered(tx, "incidents", staged).await? {
            incidents_rebuild = Some(drop_secondary_indexes(tx, "incidents").await?);
        }
    }
    tx.execute(
        "INSERT INTO im_history (incident_id, version, actor, op, after)
         SELECT s.id, $1, $2,
             CASE WHEN s.lon IS NULL THEN 'delete'
                  WHEN i.id IS NULL THEN 'create' ELSE 'update' END,
             s.after::json
         FROM im_stage s LEFT JOIN incidents i ON i.id = s.id
         WHERE s.lon IS NOT NULL OR i.id IS NOT NULL",
        &[&version, &actor],
    )
    .await
    .map_err(pg)?;
    tx.execute(
        "DELETE FROM incidents i USING im_stage s WHERE s.lon IS NULL AND i.id = s.id",
        &[],
    )
    .await
    .map_err(pg)?;
    tx.execute(&upsert_from("im_stage WHERE lon IS NOT NULL"), &[])
        .await
        .map_err(pg)?;
    for (table, rebuild) in [
        ("incidents", incidents_rebuild),
        ("im_history", history_rebuild),
    ] {
        if let Some(rebuild) = rebuild {
            rebuild_indexes(tx, table, &rebuild).await?;
        }
    }
    Ok(())
}

/// Whether `table` holds more than `n` rows (reading at most n + 1 of them).
async fn outnumbered(
    tx: &deadpool_postgres::Transaction<'_>,
    table: &str,
    n: usize,
) -> Result<bool, StoreError> {
    let n = n as i64;
    let row = tx
        .query_one(
            &format!(
                "SELECT count(*) > $1::int8 FROM (SELECT 1 FROM {table} LIMIT $1::int8 + 1) t"
            ),
            &[&n],
        )
        .await
        .map_err(pg)?;
    Ok(row.get(0))
}

/// Drops `table`'s secondary indexes and returns the statements that rebuild them as they
/// were (an index an operator added too). It leaves alone whatever another object depends on
/// or that a plain `CREATE INDEX` would not restore: indexes behind constraints (the primary
/// key, unique keys, foreign keys pointing at them), the replica identity, the index a table
/// is clustered on, indexes in another tablespace or with a comment; and everything when we do
/// not own the table (the write is then merely slower).
async fn drop_secondary_indexes(
    tx: &deadpool_postgres::Transaction<'_>,
    table: &str,
) -> Result<Vec<String>, StoreError> {
    let indexes = tx
        .query(
            "SELECT x.indexrelid::regclass::text, pg_get_indexdef(x.indexrelid)
             FROM pg_index x
             JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_class t ON t.oid = x.indrelid
             WHERE x.indrelid = $1::text::regclass
               AND x.indisvalid AND NOT x.indisclustered AND NOT x.indisreplident
               AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = x.indexrelid)
               AND i.reltablespace = 0
               AND obj_description(x.indexrelid, 'pg_class') IS NULL
               AND pg_has_role(t.relowner, 'USAGE')
             ORDER BY 1",
            &[&table],
        )
        .await
        .map_err(pg)?;
    let mut rebuild = Vec::with_capacity(indexes.len());
    for i in indexes {
        let (name, def): (String, String) = (i.get(0), i.get(1));
        tx.batch_execute(&format!("DROP INDEX {name}"))
            .await
            .map_err(pg)?;
        rebuild.push(def);
    }
    Ok(rebuild)
}

/// Runs what [`drop_secondary_indexes`] returned, then refreshes the planner's statistics, which a bulk
/// write has made stale (other tools query the table too).
async fn rebuild_indexes(
    tx: &deadpool_postgres::Transaction<'_>,
    table: &str,
    rebuild: &[String],
) -> Result<(), StoreError> {
    for statement in rebuild {
        tx.batch_execute(statement).await.map_err(pg)?;
    }
    tx.batch_execute(&format!("ANALYZE {table}"))
        .await
        .map_err(pg)
}

/// `{"version": N, "ids": [...]}`; the ids are left out when they would not fit.
fn notify_payload(version: u64, changes: &[Change]) -> String {
    let with_ids = serde_json::json!({
        "version": version,
        "ids": changes.iter().map(Change::id).collect::<Vec<_>>(),
    })
    .to_string();
    if with_ids.len() <= MAX_PAYLOAD {
        with_ids
    } else {
        serde_json::json!({ "version": version, "count": changes.len() }).to_string()
    }
}

/// A PostgreSQL error as a store error: "unavailable" when the database cannot be reached or
/// is going away, so the HTTP layer answers 503 and the caller can retry.
fn pg(e: tokio_postgres::Error) -> StoreError {
    let unreachable = e.is_closed()
        || match e.code() {
            // connection exceptions, shutting down, cannot connect now, too many connections
            Some(c) => {
                let c = c.code();
                c.starts_with("08") || c.starts_with("57P") || c == "53300"
            }
            // no SQLSTATE: an I/O error or a timeout on the way to the server
            None => e.as_db_error().is_none(),
        };
    if unreachable {
        StoreError::Unavailable(describe_pg(&e))
    } else {
        StoreError::Postgres(describe_pg(&e))
    }
}

fn pool_error(e: PoolError, shown: &str) -> StoreError {
    match e {
        PoolError::Backend(e) => match pg(e) {
            StoreError::Unavailable(m) => StoreError::Unavailable(format!("{shown}: {m}")),
            other => other,
        },
        PoolError::Timeout(_) => StoreError::Unavailable(format!(
            "{shown}: no connection within {}s",
            CONNECT_TIMEOUT.as_secs()
        )),
        other => StoreError::Unavailable(format!("{shown}: {other}")),
    }
}

/// A readable message: tokio-postgres' Display says only "db error" for server errors.
pub(crate) fn describe_pg(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut s = format!("{}: {}", db.code().code(), db.message());
        if let Some(d) = db.detail() {
            s.push_str(&format!(" ({d})"));
        }
        return s;
    }
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        s.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    s
}

/// `postgres://user@host:port/db`, never the password.
fn show(c: &tokio_postgres::Config) -> String {
    let host = c
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(h) => h.clone(),
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = c.get_ports().first().copied().unwrap_or(5432);
    format!(
        "postgres://{}@{}:{}/{}",
        c.get_user().unwrap_or(""),
        host,
        port,
        c.get_dbname().unwrap_or("")
    )
}

/// A connection string with any password replaced, for messages about strings that do not
/// even parse.
pub fn redact(url: &str) -> String {
    // URL form: scheme://user:password@host...
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((creds, host)) = rest.split_once('@') {
            if let Some((user, _)) = creds.split_once(':') {
                return format!("{scheme}://{user}:********@{host}");
            }
        }
        return url.to_string();
    }
    // key=value form
    url.split_whitespace()
        .map(|kv| {
            if kv.starts_with("password=") {
                "password=********"
            } else {
                kv
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sslmode_we_cannot_read_is_refused_rather_than_weakened() {
        // A raw '?' in the password: we would read the query from the wrong place.
        let e = PgStore::connect("postgres://u:pa?ss@db/x?sslmode=require")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("cannot read unambiguously"), "{e}");
    }

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/im"),
            "postgres://app:********@db:5432/im"
        );
        assert_eq!(
            redact("host=db password=s3cret dbname=im"),
            "host=db password=******** dbname=im"
        );
        let c: tokio_postgres::Config = "postgres://app:s3cret@db:6543/im".parse().unwrap();
        assert_eq!(show(&c), "postgres://app@db:6543/im");
    }

    #[test]
    fn big_changes_leave_their_ids_out_of_the_notification() {
        let few = vec![Change::Delete("a".into()), Change::Delete("b".into())];
        let v: serde_json::Value = serde_json::from_str(&notify_payload(7, &few)).unwrap();
        assert_eq!(v, serde_json::json!({"ids": ["a", "b"], "version": 7}));
        let many: Vec<Change> = (0..2000)
            .map(|n| Change::Delete(format!("incident-{n}")))
            .collect();
        let p = notify_payload(8, &many);
        assert!(p.len() < MAX_PAYLOAD && p.contains("\"count\":2000"), "{p}");
    }
}
