//! TLS to PostgreSQL with libpq's `sslmode` and `sslrootcert`, against a server that refuses
//! unencrypted connections and whose certificate names `localhost` only.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use incidentmap::model::{Category, Incident, OccurredAt, Precision};
use incidentmap::store::postgres::PgStore;
use incidentmap::store::{Change, Store};

use crate::postgres::Cluster;

struct Tls {
    cluster: Cluster,
    ca: PathBuf,
    other_ca: PathBuf,
}

fn tls() -> &'static Tls {
    static T: OnceLock<Tls> = OnceLock::new();
    T.get_or_init(|| {
        let cluster = Cluster::start();
        let (ca, other_ca) = cluster.enable_tls();
        Tls {
            cluster,
            ca,
            other_ca,
        }
    })
}

/// A fresh database's URL, through `host`, with `params` appended.
fn url(host: &str, params: &str) -> String {
    let t = tls();
    let db = t.cluster.database();
    let db = db.rsplit('/').next().unwrap();
    format!(
        "postgres://postgres@{host}:{}/{db}{}{params}",
        t.cluster.port,
        if params.is_empty() { "" } else { "?" }
    )
}

fn connect(url: &str) -> Result<PgStore, String> {
    PgStore::connect(url).map_err(|e| e.to_string())
}

fn incident(id: &str) -> Incident {
    Incident {
        id: id.into(),
        lon: 76.9,
        lat: 43.25,
        occurred_at: OccurredAt::parse("2022-01-05").unwrap(),
        category: Category::Protest,
        fatalities: None,
        injured: None,
        arrested: Some(12),
        place: Some("Алматы".into()),
        place_id: Some(1526384),
        precision: Precision::City,
        source: None,
        notes: None,
        status: Default::default(),
        report_id: None,
        admin1: None,
    }
}

#[test]
fn verify_full_connects_and_the_change_feed_follows_over_tls() {
    if crate::postgres::not_installed() {
        return;
    }
    let ca = tls().ca.display().to_string();
    let u = url(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    let a = connect(&u).unwrap();
    let b = connect(&u).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = Mutex::new(tx);
    // The feed is a connection of its own: it too must speak TLS to be let in.
    assert!(b.watch(Arc::new(move |v| {
        let _ = tx.lock().unwrap().send(v);
    })));
    // The feed says it is connected (and listening) with a wake-up that names no version.
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(None));
    let v = a.apply(&[Change::Put(incident("tls-1"))], "t").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(Some(seen)) if seen == v => break,
            Ok(_) => continue,
            Err(e) => panic!("no notification of version {v} over TLS: {e}"),
        }
    }
    assert_eq!(b.load().unwrap().incidents, vec![incident("tls-1")]);
}

#[test]
fn without_tls_the_server_refuses_and_by_default_tls_is_used() {
    if crate::postgres::not_installed() {
        return;
    }
    let e = connect(&url("127.0.0.1", "sslmode=disable")).err().unwrap();
    assert!(e.contains("no encryption"), "{e}");
    // No sslmode: libpq's default, prefer — encrypted when the server offers it.
    let s = connect(&url("127.0.0.1", "")).unwrap();
    s.apply(&[Change::Put(incident("tls-2"))], "t").unwrap();
}

#[test]
fn only_verify_full_checks_the_host_name() {
    if crate::postgres::not_installed() {
        return;
    }
    let ca = tls().ca.display().to_string();
    // The certificate names localhost, not 127.0.0.1.
    let e = connect(&url(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    ))
    .err()
    .unwrap();
    assert!(
        e.contains("certificate not valid for name \"127.0.0.1\""),
        "{e}"
    );
    connect(&url(
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={ca}"),
    ))
    .unwrap();
    connect(&url(
        "127.0.0.1",
        &format!("sslmode=require&sslrootcert={ca}"),
    ))
    .unwrap();
}

#[test]
fn a_server_our_ca_did_not_sign_is_refused_unless_nothing_is_checked() {
    if crate::postgres::not_installed() {
        return;
    }
    let other = tls().other_ca.display().to_string();
    for mode in ["verify-full", "verify-ca", "require"] {
        let e = connect(&url(
            "localhost",
            &format!("sslmode={mode}&sslrootcert={other}"),
        ))
        .err()
        .unwrap_or_else(|| panic!("sslmode={mode} accepted a server signed by another CA"));
        assert!(e.contains("UnknownIssuer"), "{mode}: {e}");
    }
    // The system's CAs (scripts/ci/postgres.sh installs ca-certificates) did not sign it
    // either.
    let e = connect(&url("localhost", "sslmode=verify-full"))
        .err()
        .unwrap();
    assert!(e.contains("UnknownIssuer"), "{e}");
    // And a chain to the system's CAs without the name would prove nothing: refused.
    let e = connect(&url("localhost", "sslmode=verify-ca"))
        .err()
        .unwrap();
    assert!(
        e.contains("sslmode=verify-ca needs sslrootcert=FILE"),
        "{e}"
    );
    // require without a root certificate encrypts without checking, as in libpq.
    connect(&url("localhost", "sslmode=require")).unwrap();
}

#[test]
fn tls_options_that_cannot_be_honoured_stop_the_start_by_name() {
    if crate::postgres::not_installed() {
        return;
    }
    let e = connect(&url(
        "localhost",
        "sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
    ))
    .err()
    .unwrap();
    assert!(e.contains("sslrootcert /nonexistent/ca.pem"), "{e}");
    let e = connect(&url("localhost", "sslcert=/c.pem")).err().unwrap();
    assert!(e.contains("sslcert is not supported"), "{e}");
}
