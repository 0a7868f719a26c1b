//! The HTTP surface: one file per resource family, and here the router with every layer in
//! one place. Handlers only adapt HTTP to the synchronous core ([`crate::app`]); CPU work
//! runs on the blocking pool.

pub mod aggregate;
pub mod api;
pub mod areas;
pub mod basemap;
pub mod body;
pub mod crs;
pub mod edit;
pub mod error;
pub mod geocode;
pub mod import;
pub mod items;
pub mod jobs;
pub mod limit;
pub mod observe;
pub mod ogc;
pub mod ogc_tiles;
pub mod pages;
pub mod params;
pub mod reports;
pub mod routes;
pub mod tiles;
pub mod web;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::app::App;
use error::ApiError;
use routes::Endpoint;

/// HTTP-level settings.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// The URL clients reach this service at (`https://maps.example.org/incidents`), for
    /// absolute links. When unset, links are built from the request's `Host` (and the
    /// `X-Forwarded-*` headers, if `trust_proxy`).
    pub public_url: Option<String>,
    /// Believe `X-Forwarded-Host`, `-Proto` and `-Prefix`: only behind a proxy that sets them
    /// (and drops clients' own), since anyone can send them.
    pub trust_proxy: bool,
    /// `Cache-Control: max-age` for tiles, seconds.
    pub tile_max_age: u32,
    /// `Cache-Control: max-age` for items and other JSON, seconds.
    pub max_age: u32,
    /// Most tile renders at once; more requests wait their turn (a bounded queue, then 503).
    pub render_concurrency: usize,
    /// Bytes of encoded tiles kept in memory.
    pub tile_cache_bytes: u64,
    pub request_timeout: Duration,
    /// Who may write; empty disables writes.
    pub tokens: crate::auth::Tokens,
    /// Origins whose pages may write through CORS (reads are open to all).
    pub write_origins: Vec<String>,
    /// Largest feature write and import bodies, bytes.
    pub max_body_bytes: usize,
    pub max_import_bytes: usize,
    /// Largest text `POST /geoparse` takes, bytes, and most mentions it answers with.
    pub geoparse_max_bytes: usize,
    pub geoparse_max_mentions: usize,
    /// Geoparses at once (on the blocking pool, with a bounded queue like tile renders).
    pub geoparse_concurrency: usize,
    /// How long a connection may take to send a request head, counted from when it opens
    /// or its previous response ends: also how long an idle keep-alive connection stays.
    pub header_read_timeout: Duration,
    /// Largest request head (request line and headers), bytes.
    pub max_header_bytes: usize,
    /// Most connections open at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// The map page's base map (XYZ URL template; empty for none) and its attribution.
    pub basemap_url: String,
    pub basemap_attribution: String,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            public_url: None,
            trust_proxy: false,
            tile_max_age: 300,
            max_age: 5,
            render_concurrency: cores() * 2,
            tile_cache_bytes: 256 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            tokens: crate::auth::Tokens::default(),
            write_origins: Vec::new(),
            max_body_bytes: edit::MAX_FEATURE_BYTES,
            max_import_bytes: edit::MAX_IMPORT_BYTES,
            geoparse_max_bytes: geocode::MAX_GEOPARSE_BYTES,
            geoparse_max_mentions: geocode::MAX_MENTIONS,
            geoparse_concurrency: cores(),
            header_read_timeout: Duration::from_secs(10),
            max_header_bytes: 64 * 1024,
            max_connections: 1024,
            basemap_url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            basemap_attribution: "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a> contributors".into(),
        }
    }
}

fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    pub opts: Arc<HttpOptions>,
    pub tiles: Arc<tiles::TileService>,
    /// Held while a bulk import runs, upload and job: imports are bounded to one at a time.
    pub imports: Arc<tokio::sync::Mutex<()>>,
    /// Imports running or recently finished.
    pub jobs: Arc<jobs::Jobs>,
    /// Geoparsing's slots on the blocking pool.
    pub geoparse: Arc<limit::Limiter>,
}

impl AppState {
    pub fn new(app: Arc<App>, opts: HttpOptions) -> AppState {
        // A server over a shared store must see the other instances' writes.
        app.follow();
        let tiles = Arc::new(tiles::TileService::new(
            opts.render_concurrency,
            opts.tile_cache_bytes,
            opts.tile_max_age,
        ));
        let geoparse = Arc::new(limit::Limiter::new(
            "geoparsing",
            opts.geoparse_concurrency,
            Duration::from_secs(5),
        ));
        AppState {
            app,
            opts: Arc::new(opts),
            tiles,
            imports: Arc::new(tokio::sync::Mutex::new(())),
            jobs: Arc::default(),
            geoparse,
        }
    }

    /// The base URL for absolute links, without a trailing slash.
    pub fn base_url(&self, headers: &HeaderMap) -> String {
        if let Some(u) = &self.opts.public_url {
            return u.trim_end_matches('/').to_string();
        }
        let h = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.split(',').next().unwrap_or("").trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let forwarded = |name: &str| h(name).filter(|_| self.opts.trust_proxy);
        let proto = forwarded("x-forwarded-proto")
            .filter(|p| p == "http" || p == "https")
            .unwrap_or_else(|| "http".into());
        let host = forwarded("x-forwarded-host")
            .or_else(|| h("host"))
            .filter(|h| is_host(h))
            .unwrap_or_else(|| "localhost".into());
        let prefix = forwarded("x-forwarded-prefix")
            .filter(|p| p.starts_with('/') && p.bytes().all(|b| b.is_ascii_graphic()))
            .unwrap_or_default();
        format!("{proto}://{host}{}", prefix.trim_end_matches('/'))
    }
}

/// A host, with an optional port, that is safe to put in a link: letters, digits, `.-:[]`.
fn is_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// Every endpoint of the service: its handlers, their layers, and (from [`api`]) what the
/// OpenAPI document says of each. [`router`] serves this list and `/api` describes it.
pub fn endpoints(state: &AppState) -> Vec<Endpoint> {
    let body_limit = || DefaultBodyLimit::max(state.opts.max_body_bytes);
    // Every write route decides 401/403 from the headers before its body is read.
    let writers = || axum::middleware::from_fn_with_state(state.clone(), edit::writers_buffered);
    let no_query = || axum::middleware::from_fn(params::none);
    let page = "the map page's own file";
    let mut endpoints = vec![
        Endpoint::at("/").get(ogc::landing, api::get_landing_page()),
        Endpoint::at("/conformance").get(ogc::conformance, api::get_conformance()),
        Endpoint::at("/api").get(ogc::api, api::get_api()),
        Endpoint::at("/api.html").get(ogc::api_html, api::get_api_html()),
        Endpoint::at("/collections").get(ogc::collections, api::get_collections()),
        Endpoint::at("/collections/{collectionId}")
            .get(ogc::one_collection, api::describe_collection()),
    ];
    // The area collections: their own static routes, read-only (other methods 405), matched
    // before the incidents' `{collectionId}` routes.
    endpoints.extend(areas::endpoints());
    endpoints.extend([
        Endpoint::at("/collections/{collectionId}/queryables")
            .get(ogc::queryables, api::get_queryables()),
        Endpoint::at("/collections/{collectionId}/sortables")
            .get(ogc::sortables, api::get_sortables()),
        Endpoint::at("/collections/{collectionId}/tiles")
            .get(ogc_tiles::vector_tilesets, api::get_vector_tilesets()),
        Endpoint::at("/collections/{collectionId}/tiles/{tileMatrixSetId}").get(
            ogc_tiles::vector_tileset_metadata,
            api::get_vector_tileset(),
        ),
        Endpoint::at("/collections/{collectionId}/tiles/{tileMatrixSetId}/tilejson.json")
            .get(ogc_tiles::vector_tilejson, api::get_vector_tilejson()),
        Endpoint::at(
            "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
        )
        .get(ogc_tiles::vector_tile, api::get_vector_tile()),
        Endpoint::at("/collections/{collectionId}/map/tiles")
            .get(ogc_tiles::map_tilesets, api::get_map_tilesets()),
        Endpoint::at("/collections/{collectionId}/map/tiles/{tileMatrixSetId}")
            .get(ogc_tiles::map_tileset_metadata, api::get_map_tileset()),
        Endpoint::at(
            "/collections/{collectionId}/map/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
        )
        .get(ogc_tiles::map_tile, api::get_map_tile()),
        Endpoint::at("/tileMatrixSets")
            .get(ogc_tiles::tile_matrix_sets, api::get_tile_matrix_sets()),
        Endpoint::at("/tileMatrixSets/{tileMatrixSetId}")
            .get(ogc_tiles::tile_matrix_set, api::get_tile_matrix_set()),
        Endpoint::at("/style.json").get(ogc_tiles::style_json, api::get_style()),
        Endpoint::at("/collections/{collectionId}/aggregate")
            .get(aggregate::aggregate, api::get_aggregate()),
        Endpoint::at("/collections/{collectionId}/items")
            .get(items::list, api::get_features())
            .post(edit::create, api::create_feature())
            .layer(|m| m.layer(body_limit()).route_layer(writers())),
        Endpoint::at("/collections/{collectionId}/items/{featureId}")
            .get(items::one, api::get_feature())
            .put(edit::replace, api::replace_feature())
            .patch(edit::patch, api::update_feature())
            .delete(edit::delete, api::delete_feature())
            .layer(|m| m.layer(body_limit()).route_layer(writers())),
        Endpoint::at("/collections/{collectionId}/items/{featureId}/history")
            .get(edit::history, api::get_feature_history()),
        Endpoint::at("/collections/{collectionId}/items/{featureId}/restore")
            .post(edit::restore, api::restore_feature())
            .layer(|m| m.route_layer(writers())),
        // The handler streams the body to a file and counts it against max_import_bytes.
        Endpoint::at("/collections/{collectionId}/import")
            .post(import::import, api::import_features())
            .layer(|m| {
                m.route_layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    edit::writers_only,
                ))
            }),
        Endpoint::at("/reports")
            .post(reports::submit, api::submit_report())
            .layer(|m| m.layer(body_limit()).route_layer(writers())),
        Endpoint::at("/reports/{reportId}").get(reports::one, api::get_report()),
        Endpoint::at("/jobs/{jobId}")
            .get(jobs::one, api::get_job())
            .layer(|m| m.layer(no_query())),
        Endpoint::at("/health")
            .get(pages::health, api::health())
            .layer(|m| m.layer(no_query())),
        Endpoint::at("/ping")
            .get(pages::ping, api::ping())
            .layer(|m| m.layer(no_query())),
        Endpoint::unlisted(
            "/metrics",
            observe::metrics,
            "for the operators' Prometheus, not for clients",
        )
        .layer(|m| m.layer(no_query())),
        Endpoint::unlisted("/js/{name}", web::module, page),
        Endpoint::unlisted("/app.css", web::app_css, page),
        Endpoint::unlisted("/config.json", web::config, page).layer(|m| m.layer(no_query())),
        Endpoint::unlisted("/vendor/{*path}", web::vendor, page),
        Endpoint::at("/tiles")
            .get(tiles::styles, api::get_styles())
            .layer(|m| m.layer(no_query())),
        Endpoint::at("/tiles/{style}/tilejson.json").get(tiles::tilejson, api::get_tilejson()),
        Endpoint::at("/tiles/{style}/legend").get(tiles::legend, api::get_legend()),
        Endpoint::at("/tiles/{style}/legend.png").get(tiles::legend_png, api::get_legend_image()),
        Endpoint::at("/tiles/{style}/{z}/{x}/{y}").get(tiles::tile, api::get_tile()),
        Endpoint::at("/basemap/labels").get(basemap::labels, api::basemap_labels()),
        Endpoint::at("/basemap/tiles/{z}/{x}/{y}").get(basemap::tile, api::basemap_tile()),
        Endpoint::at("/basemap/tilejson.json").get(basemap::tilejson, api::basemap_tilejson()),
        Endpoint::at("/basemap/style.json").get(basemap::style, api::basemap_style()),
        Endpoint::at("/geocode").get(geocode::geocode, api::geocode()),
        // The handler takes a slot before reading the body, and counts it against
        // geoparse_max_bytes itself.
        Endpoint::at("/geoparse").post(geocode::geoparse, api::geoparse()),
    ]);
    endpoints
}

/// The whole application: the route table's endpoints, and the layers around all of them.
pub fn router(state: AppState) -> Router {
    observe::recorder();
    let cors = cors(&state.opts.write_origins);
    let api = routes::router(endpoints(&state))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    let vary = vary_on(&state.opts);
    api.route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        observe::observe,
    ))
    .with_state(state)
    .layer(axum::middleware::from_fn(observe::json_errors))
    .layer(axum::middleware::from_fn(move |req, next| {
        common_headers(vary.clone(), req, next)
    }))
    .layer(cors)
}

/// What responses vary on besides the URL: the headers their links are built from. `Host`
/// is part of a URL to a cache, but not to one configured to key on its upstream's name.
fn vary_on(opts: &HttpOptions) -> Option<HeaderValue> {
    if opts.public_url.is_some() {
        None
    } else if opts.trust_proxy {
        Some(HeaderValue::from_static(
            "host, x-forwarded-host, x-forwarded-proto, x-forwarded-prefix",
        ))
    } else {
        Some(HeaderValue::from_static("host"))
    }
}

/// Headers every response carries: `nosniff` (a JSON error or a CSV must never be run as a
/// script), and what the response varies on.
async fn common_headers(
    vary: Option<HeaderValue>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(v) = vary {
        h.append(header::VARY, v);
    }
    r
}

/// Reads are public: any origin may fetch them, and scripts may see the headers they need to
/// page and cache. Writes from a browser page need a preflight, which passes only for the
/// configured origins (a page elsewhere cannot even try a token).
fn cors(write_origins: &[String]) -> CorsLayer {
    let writers: Vec<HeaderValue> = write_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
        .collect();
    let predicate = move |origin: &HeaderValue, parts: &axum::http::request::Parts| {
        let method = if parts.method == Method::OPTIONS {
            parts
                .headers
                .get(header::ACCESS_CONTROL_REQUEST_METHOD)
                .and_then(|m| Method::from_bytes(m.as_bytes()).ok())
                .unwrap_or(Method::OPTIONS)
        } else {
            parts.method.clone()
        };
        // Reading, and geoparsing (a POST that changes nothing), are open to every page.
        let read = matches!(method, Method::GET | Method::HEAD | Method::OPTIONS)
            || parts.uri.path() == "/geoparse";
        read || writers.iter().any(|w| w == origin)
    };
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(predicate))
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::ACCEPT,
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            HeaderName::from_static("prefer"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::LINK,
            header::RETRY_AFTER,
            header::CONTENT_LOCATION,
            HeaderName::from_static("content-crs"),
        ])
        .vary([header::ORIGIN])
        .max_age(Duration::from_secs(3600))
}

async fn not_found(method: Method, uri: axum::http::Uri) -> ApiError {
    observe::record(&method, "unmatched", StatusCode::NOT_FOUND, Duration::ZERO);
    ApiError::not_found(format!("no resource at {}", uri.path()))
}

async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

/// A strong ETag header from the parts that decide a response's bytes.
pub fn etag(parts: &[&[u8]]) -> HeaderValue {
    HeaderValue::from_str(&crate::etag::strong(parts)).expect("hex is a valid header")
}

/// Whether the request's If-None-Match names this ETag.
pub fn not_modified(headers: &HeaderMap, tag: &HeaderValue) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == tag.to_str().unwrap_or(""))
}
