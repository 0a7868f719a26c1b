//! The PostGIS schema and its migrations, applied at open under an advisory lock so that
//! instances starting together migrate once.

use tokio_postgres::GenericClient;

use super::{describe_pg, pg};
use crate::store::StoreError;

/// The schema this code writes; older databases are migrated forward at open.
pub const SCHEMA_VERSION: i64 = 2;

/// Any constant; it only has to be the same for every instance.
const MIGRATION_LOCK: i64 = 0x0069_6e63_696d_6170; // "incimap"

/// Entry `n` takes the schema from version `n` to `n+1`; each runs in the opening
/// transaction, so a failed migration leaves nothing behind.
const MIGRATIONS: &[&str] = &[
    // 0 → 1. `occurred_at` keeps what the source said (a date or a date-time, with its
    // offset), `occurred_start` the instant it starts, for people querying the table in SQL.
    // Counts are bigint because the model allows any u32. `im_history` is also the change log
    // instances read to catch up: one row per incident per data version that touched it.
    r#"
    CREATE TABLE im_meta (key text PRIMARY KEY, value bigint NOT NULL);
    INSERT INTO im_meta VALUES
        ('data_version', 0),
        ('epoch', floor(random() * 9007199254740991)::bigint);
    CREATE TABLE incidents (
        id text PRIMARY KEY,
        geom geometry(Point, 4326) NOT NULL,
        occurred_at text NOT NULL,
        occurred_start timestamptz NOT NULL,
        category text NOT NULL,
        fatalities bigint CHECK (fatalities >= 0),
        injured bigint CHECK (injured >= 0),
        arrested bigint CHECK (arrested >= 0),
        place text,
        place_id bigint,
        precision text NOT NULL,
        source text,
        notes text
    );
    CREATE INDEX incidents_geom ON incidents USING gist (geom);
    CREATE INDEX incidents_occurred ON incidents (occurred_start);
    CREATE TABLE im_history (
        seq bigserial PRIMARY KEY,
        incident_id text NOT NULL,
        version bigint NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        op text NOT NULL CHECK (op IN ('create', 'update', 'delete')),
        after json
    );
    CREATE INDEX im_history_incident ON im_history (incident_id, seq);
    CREATE INDEX im_history_version ON im_history (version);
    COMMENT ON TABLE incidents IS 'Incidents mapped by incidentmap (WGS 84 points)';
    "#,
    // 1 → 2: the review queue. Incidents drafted from a report wait as 'draft' until an
    // editor publishes or rejects them; `report_id` names the report, kept in `im_reports`.
    r#"
    ALTER TABLE incidents ADD COLUMN status text NOT NULL DEFAULT 'published'
        CHECK (status IN ('draft', 'published', 'rejected'));
    ALTER TABLE incidents ADD COLUMN report_id text;
    CREATE TABLE im_reports (
        id text PRIMARY KEY,
        received_at timestamptz NOT NULL,
        actor text NOT NULL,
        text text NOT NULL,
        source text,
        url text,
        published_at text,
        language text NOT NULL,
        drafts json NOT NULL
    );
    "#,
];

/// Brings the database to [`SCHEMA_VERSION`], installing PostGIS if it is missing and the
/// role may. `shown` names the database in errors.
pub async fn migrate(client: &mut tokio_postgres::Client, shown: &str) -> Result<(), StoreError> {
    let tx = client.transaction().await.map_err(pg)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(pg)?;
    let has_postgis: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')",
            &[],
        )
        .await
        .map_err(pg)?
        .get(0);
    if !has_postgis {
        tx.batch_execute("CREATE EXTENSION postgis")
            .await
            .map_err(|e| StoreError::Open {
                path: shown.to_string(),
                message: format!(
                    "PostGIS is not installed in this database and could not be installed ({}); \
                     as a superuser run: CREATE EXTENSION postgis;",
                    describe_pg(&e)
                ),
            })?;
    }
    let found = schema_version(&tx).await?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: shown.to_string(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == 0 {
        // Someone else's table called `incidents`: refuse rather than write into it.
        let taken: bool = tx
            .query_one("SELECT to_regclass('incidents') IS NOT NULL", &[])
            .await
            .map_err(pg)?
            .get(0);
        if taken {
            return Err(StoreError::Open {
                path: shown.to_string(),
                message: "has a table named incidents that incidentmap did not create; \
                          refusing to modify it (use another database or schema)"
                    .into(),
            });
        }
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql).await.map_err(pg)?;
        tx.execute(
            "INSERT INTO im_meta (key, value) VALUES ('schema_version', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&(from as i64 + 1)],
        )
        .await
        .map_err(pg)?;
    }
    tx.commit().await.map_err(pg)?;
    Ok(())
}

async fn schema_version(c: &impl GenericClient) -> Result<i64, StoreError> {
    let has_meta: bool = c
        .query_one("SELECT to_regclass('im_meta') IS NOT NULL", &[])
        .await
        .map_err(pg)?
        .get(0);
    if !has_meta {
        return Ok(0);
    }
    let row = c
        .query_opt(
            "SELECT value FROM im_meta WHERE key = 'schema_version'",
            &[],
        )
        .await
        .map_err(pg)?;
    Ok(row.map(|r| r.get(0)).unwrap_or(0))
}
