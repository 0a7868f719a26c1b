//! Throwaway PostgreSQL/PostGIS clusters for the tests: initdb into a fresh directory, a
//! server on a free loopback port, a fresh database per test (copied from a template that
//! already has PostGIS). A watchdog process stops the server and deletes the directory when
//! the test binary exits, however it exits.
//!
//! Needs PostgreSQL with PostGIS: Debian's postgresql-15 and postgresql-15-postgis-3 (when they
//! are missing and we are root on Debian, `scripts/ci/postgres.sh` installs them first, so
//! `cargo test` works on a fresh machine), or the programs in `$INCIDENTMAP_POSTGRES_BIN`.
//!
//! Where PostgreSQL cannot be had (another OS, no root), every PostgreSQL test calls
//! [`not_installed`] first and returns at once, after one line on stderr says what was not
//! run and how to run it; the rest of `cargo test` runs. CI sets
//! `INCIDENTMAP_REQUIRE_POSTGRES=1` (`.ci/run`), which makes missing PostgreSQL a failure, so
//! the PostgreSQL tests can never silently stop running there.

use std::io::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
    /// The user the server runs as, when we are root (initdb refuses to run as root).
    owner: Option<(u32, u32)>,
    /// Holds the watchdog's stdin open; closing it (our exit) stops the server.
    _watchdog: Child,
    created: Mutex<()>,
}

/// Set to make missing PostgreSQL fail the PostgreSQL tests instead of skipping them.
pub const REQUIRE: &str = "INCIDENTMAP_REQUIRE_POSTGRES";
/// A directory of PostgreSQL's programs (initdb, pg_ctl, psql) to use instead of Debian's.
pub const BIN: &str = "INCIDENTMAP_POSTGRES_BIN";

fn env_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0")
}

/// Whether PostgreSQL is missing, so the calling PostgreSQL test must return at once:
/// `if crate::postgres::not_installed() { return; }` first in every test that starts or
/// shares a cluster. Panics instead when [`REQUIRE`] is set.
pub fn not_installed() -> bool {
    bin_dir().is_none()
}

/// The newest Debian PostgreSQL whose PostGIS is installed too.
fn debian_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").exists())
        .filter(|b| {
            let v = b.parent().unwrap().file_name().unwrap().to_owned();
            Path::new("/usr/share/postgresql")
                .join(v)
                .join("extension/postgis.control")
                .exists()
        })
        .collect();
    found.sort();
    found.pop()
}

/// The directory of PostgreSQL's programs (installing Debian's first if we can), or `None`
/// after saying once, on stderr, that the PostgreSQL tests do not run.
fn bin_dir() -> Option<&'static Path> {
    static BIN_DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN_DIR
        .get_or_init(|| {
            let (found, looked) = match std::env::var_os(BIN).filter(|v| !v.is_empty()) {
                Some(dir) => {
                    let dir = PathBuf::from(dir);
                    let looked = format!("{BIN}={}", dir.display());
                    (dir.join("initdb").exists().then_some(dir), looked)
                }
                None => {
                    let looked = "/usr/lib/postgresql/*/bin (with PostGIS)".to_string();
                    let found = debian_bin().or_else(|| {
                        let debian_root =
                            id(&["-u"]) == Some(0) && Path::new("/usr/bin/apt-get").exists();
                        if !debian_root {
                            return None;
                        }
                        let script =
                            Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/ci/postgres.sh");
                        let _ = writeln!(
                            std::io::stderr(),
                            "PostgreSQL with PostGIS not found: running {}",
                            script.display()
                        );
                        let ok = Command::new("bash")
                            .arg(script)
                            .status()
                            .is_ok_and(|s| s.success());
                        if ok { debian_bin() } else { None }
                    });
                    (found, looked)
                }
            };
            if found.is_none() {
                let what = format!("no PostgreSQL with PostGIS in {looked}");
                let how = format!(
                    "run `sudo bash scripts/ci/postgres.sh` (Debian) or set {BIN}=DIR, then rerun"
                );
                assert!(!env_set(REQUIRE), "{what}, and {REQUIRE} is set: {how}");
                // Straight to stderr: libtest would swallow a test's eprintln! when it passes.
                let _ = writeln!(
                    std::io::stderr(),
                    "note: the PostgreSQL tests (the PostGIS store, write, scale-out, TLS and \
                     crash tests) were NOT run — they return at once: {what}; to run them, {how}; \
                     {REQUIRE}=1 makes this a failure"
                );
            }
            found
        })
        .as_deref()
}

fn id(args: &[&str]) -> Option<u32> {
    let out = Command::new("id").args(args).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn postgres_user() -> Option<(u32, u32)> {
    if id(&["-u"]) != Some(0) {
        return None;
    }
    Some((id(&["-u", "postgres"])?, id(&["-g", "postgres"])?))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

impl Cluster {
    /// The cluster most tests share.
    pub fn shared() -> &'static Cluster {
        static C: OnceLock<Cluster> = OnceLock::new();
        C.get_or_init(Cluster::start)
    }

    /// A cluster of one's own (for a test that stops and starts the server).
    pub fn start() -> Cluster {
        let bin = bin_dir()
            .expect("no PostgreSQL: call `postgres::not_installed()` first in this test")
            .to_path_buf();
        let owner = postgres_user();
        let dir = std::env::temp_dir().join(format!(
            "incidentmap-pg-{}-{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).unwrap();
        }
        let port = free_port();
        let c = Cluster {
            _watchdog: Self::watchdog(&bin, &dir, owner),
            dir,
            bin,
            port,
            owner,
            created: Mutex::new(()),
        };
        c.run(
            "initdb",
            &[
                "-D",
                c.data().to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        );
        c.start_server();
        c.psql("postgres", "CREATE DATABASE im_template");
        c.psql("im_template", "CREATE EXTENSION postgis");
        c
    }

    /// Stops the server and deletes the directory once this process is gone.
    fn watchdog(bin: &Path, dir: &Path, owner: Option<(u32, u32)>) -> Child {
        let script = format!(
            "cat >/dev/null; '{}' -D '{}/data' -m immediate stop >/dev/null 2>&1; rm -rf '{}'",
            bin.join("pg_ctl").display(),
            dir.display(),
            dir.display()
        );
        let mut cmd = Command::new("sh");
        cmd.args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group: a ^C on the test run must not stop the cleanup.
        cmd.process_group(0);
        if let Some((uid, gid)) = owner {
            cmd.uid(uid).gid(gid);
        }
        cmd.spawn().expect("start the cluster watchdog")
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin.join(program));
        if let Some((uid, gid)) = self.owner {
            cmd.uid(uid).gid(gid);
        }
        // HOME: libpq looks for client certificates under ~/.postgresql, and root's home is
        // not readable by the server's user.
        cmd.env("HOME", &self.dir)
            .env("PGHOST", "127.0.0.1")
            .env("PGPORT", self.port.to_string())
            .env("PGUSER", "postgres")
            .current_dir(&self.dir);
        cmd
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs SQL through psql, failing the test on any error.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let mut child = self
            .command("psql")
            .args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(sql.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "psql {sql:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Starts (or restarts) the server and waits until it accepts connections.
    pub fn start_server(&self) {
        self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-l",
                self.dir.join("server.log").to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "-o",
                &format!(
                    "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300",
                    self.port,
                    self.dir.display()
                ),
                "start",
            ],
        );
    }

    /// Stops the server the way an operator restarting it would (fast: disconnects clients,
    /// finishes nothing half-way).
    pub fn stop_server(&self) {
        self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }

    /// Turns TLS on and refuses unencrypted TCP connections (pg_hba.conf `hostssl` only),
    /// then restarts the server. Its certificate is issued by a throwaway CA for the name
    /// `localhost` only, so connecting to 127.0.0.1 fails a host-name check. Returns the CA's
    /// certificate and that of an unrelated CA, for the client side.
    pub fn enable_tls(&self) -> (PathBuf, PathBuf) {
        let dir = self.dir.join("tls");
        std::fs::create_dir_all(&dir).unwrap();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .output()
                .expect("openssl (apt-get install -y openssl)");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        for ca in ["ca", "other-ca"] {
            openssl(&[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                &format!("/CN=incidentmap test {ca}"),
                "-keyout",
                &format!("{ca}.key"),
                "-out",
                &format!("{ca}.pem"),
            ]);
        }
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ]);
        std::fs::write(dir.join("ext.cnf"), "subjectAltName=DNS:localhost\n").unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-out",
            "server.pem",
        ]);
        // The server refuses a key others can read, and must own it.
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(
            dir.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        if let Some((uid, gid)) = self.owner {
            // All of it, so that the watchdog (running as the server's user) can delete it.
            for e in std::fs::read_dir(&dir).unwrap() {
                std::os::unix::fs::chown(e.unwrap().path(), Some(uid), Some(gid)).unwrap();
            }
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).unwrap();
        }
        let conf = self.data().join("postgresql.conf");
        let mut settings = std::fs::read_to_string(&conf).unwrap();
        settings.push_str(&format!(
            "\nssl = on\nssl_cert_file = '{0}/server.pem'\nssl_key_file = '{0}/server.key'\n",
            dir.display()
        ));
        std::fs::write(&conf, settings).unwrap();
        std::fs::write(
            self.data().join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n",
        )
        .unwrap();
        self.stop_server();
        self.start_server();
        (dir.join("ca.pem"), dir.join("other-ca.pem"))
    }

    /// A fresh, empty database with PostGIS; returns its URL.
    pub fn database(&self) -> String {
        let name = format!("t{}", NEXT_DB.fetch_add(1, Ordering::SeqCst));
        {
            // Two CREATE DATABASEs from one template at once can fail: one at a time.
            let _one = self.created.lock().unwrap_or_else(|p| p.into_inner());
            self.psql(
                "postgres",
                &format!("CREATE DATABASE {name} TEMPLATE im_template"),
            );
        }
        self.url(&name)
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

/// Without PostgreSQL (here: `INCIDENTMAP_POSTGRES_BIN` naming an empty directory), the
/// PostgreSQL tests pass at once after one line saying they did not run and how to run them;
/// with `INCIDENTMAP_REQUIRE_POSTGRES=1` (as in CI) they fail. Runs this test binary itself on
/// some of them.
#[test]
fn without_postgresql_its_tests_say_so_once_and_fail_only_when_required() {
    let empty = tempfile::tempdir().unwrap();
    let run = |require: bool| {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args(["store::postgres::", "pg_tls::", "scaleout::"])
            .args(["--test-threads=4", "--color=never"])
            .env(BIN, empty.path())
            .env_remove(REQUIRE);
        if require {
            cmd.env(REQUIRE, "1");
        }
        let out = cmd.output().unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.success(), text(&out.stdout), text(&out.stderr))
    };

    let (ok, stdout, stderr) = run(false);
    assert!(ok, "the skipped tests must pass:\n{stdout}\n{stderr}");
    let notes: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("PostgreSQL tests"))
        .collect();
    assert_eq!(notes.len(), 1, "one line, once per process:\n{stderr}");
    for needle in ["NOT run", "scripts/ci/postgres.sh", REQUIRE, BIN] {
        assert!(notes[0].contains(needle), "{needle:?} in {:?}", notes[0]);
    }
    let ran = stdout.lines().filter(|l| l.ends_with("... ok")).count();
    assert!(
        ran >= 10,
        "expected the PostgreSQL tests to run (and skip):\n{stdout}"
    );

    let (ok, stdout, stderr) = run(true);
    assert!(
        !ok,
        "with {REQUIRE}=1 missing PostgreSQL must fail:\n{stdout}"
    );
    assert!(
        format!("{stdout}{stderr}").contains(&format!("{REQUIRE} is set")),
        "the failure names the variable:\n{stdout}\n{stderr}"
    );
}
