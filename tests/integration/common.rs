//! A test server: a fresh data directory (or a PostgreSQL database), the demo loaded, the real
//! router on 127.0.0.1:0.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use incidentmap::app::{App, StoreSpec};
use incidentmap::gazetteer::Gazetteer;
use incidentmap::http::{AppState, HttpOptions};
use incidentmap::tiles::style::Styles;

/// The gazetteer takes a moment to load; every test shares one.
pub fn gazetteer() -> Arc<Gazetteer> {
    static G: OnceLock<Arc<Gazetteer>> = OnceLock::new();
    G.get_or_init(|| Arc::new(Gazetteer::embedded().expect("embedded gazetteer loads")))
        .clone()
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub app: Arc<App>,
    pub state: AppState,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl TestServer {
    /// A server holding the demo dataset.
    pub async fn demo() -> TestServer {
        let s = TestServer::empty().await;
        let app = s.app.clone();
        tokio::task::spawn_blocking(move || app.load_demo_if_empty())
            .await
            .unwrap()
            .expect("demo loads");
        s
    }

    /// A server with no incidents.
    pub async fn empty() -> TestServer {
        TestServer::start(HttpOptions::default()).await
    }

    /// A server holding the demo, that accepts writes with [`TOKEN`] (named `alice`) from any
    /// client and from pages at [`EDITOR_ORIGIN`], over the PostgreSQL database at `url`
    /// (`None`: a GeoPackage in a fresh directory).
    pub async fn writable_on(url: Option<&str>) -> TestServer {
        let tokens = incidentmap::auth::Tokens::default()
            .with_file("test", &format!("alice {TOKEN}\nbob {TOKEN_B}\n"))
            .unwrap();
        let s = TestServer::start_on(
            url,
            HttpOptions {
                tokens,
                write_origins: vec![EDITOR_ORIGIN.to_string()],
                ..HttpOptions::default()
            },
        )
        .await;
        let app = s.app.clone();
        tokio::task::spawn_blocking(move || app.load_demo_if_empty())
            .await
            .unwrap()
            .expect("demo loads");
        s
    }

    pub async fn start(opts: HttpOptions) -> TestServer {
        TestServer::start_on(None, opts).await
    }

    pub async fn start_on(url: Option<&str>, opts: HttpOptions) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let spec = match url {
            Some(u) => StoreSpec::Postgres(u.to_string()),
            None => StoreSpec::Dir(dir.path().to_path_buf()),
        };
        // Opening a PostgreSQL store blocks on its own runtime: not on this one's thread.
        let app = tokio::task::spawn_blocking(move || {
            let store = spec.open().unwrap();
            Arc::new(App::new(store, gazetteer(), Styles::embedded().unwrap()).unwrap())
        })
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = AppState::new(app.clone(), opts);
        tokio::spawn(incidentmap::server::run(listener, state.clone(), async {
            let _ = rx.await;
        }));
        TestServer {
            addr,
            app,
            state,
            client: reqwest::Client::new(),
            _dir: dir,
            _shutdown: tx,
        }
    }

    pub fn app_state_tiles(&self) -> &incidentmap::http::tiles::TileService {
        &self.state.tiles
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        let v = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}"));
        (status, v)
    }

    /// Asserts a JSON error with this status whose description contains `needle`.
    pub async fn expect_error(&self, path: &str, status: u16, needle: &str) {
        let r = self.get(path).await;
        assert_eq!(r.status().as_u16(), status, "{path}");
        assert_eq!(
            r.headers()["content-type"],
            "application/json",
            "{path}: errors are JSON"
        );
        let v: serde_json::Value = r.json().await.unwrap();
        let code = v["code"].as_str().unwrap_or_default();
        let d = v["description"].as_str().unwrap_or_default();
        assert!(!code.is_empty(), "{path}: error has a code: {v}");
        assert!(
            d.contains(needle),
            "{path}: {d:?} should mention {needle:?}"
        );
    }
}

pub const TOKEN: &str = "alice-secret-token-0001";
pub const TOKEN_B: &str = "bob-secret-token-00002";
pub const EDITOR_ORIGIN: &str = "https://editor.example.org";

/// GeoNames id of Almaty (the city).
pub const ALMATY_ID: u64 = 1526384;

/// A place's point in the gazetteer.
pub fn point_of(id: u64) -> (f64, f64) {
    let g = gazetteer();
    let p = g.place(id).expect("place in gazetteer");
    (p.lon, p.lat)
}

/// Every write test runs on both stores: the GeoPackage file and PostgreSQL/PostGIS.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod gpkg {
            $(#[tokio::test]
            async fn $name() {
                super::$name(None).await
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                if crate::postgres::not_installed() {
                    return;
                }
                let db = tokio::task::spawn_blocking(|| {
                    crate::postgres::Cluster::shared().database()
                })
                .await
                .unwrap();
                super::$name(Some(db)).await
            })*
        }
    };
}
pub(crate) use on_both_stores;
