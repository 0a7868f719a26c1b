//! Serving: accepting connections within limits, and shutting down. Bind-agnostic, so tests
//! hand in a listener on port 0 and a shutdown future.
//!
//! The accept loop is ours rather than `axum::serve` because the limits that protect the
//! server from clients that never finish live at the connection: how long a request head may
//! take (which also closes idle keep-alive connections), how large it may be, and how many
//! connections may be open at once. See docs/OPERATIONS.md, "Limits".

pub mod wire;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::http::{AppState, router};

/// Serves until `shutdown` completes, then lets in-flight requests (and a running import)
/// finish.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let opts = state.opts.clone();
    let app = router(state.clone());
    let max_connections = fit_open_files(opts.max_connections);
    let open = Arc::new(Semaphore::new(max_connections));
    // Answering refused connections takes a moment each; past this many at once, a flood of
    // them is simply closed so refusing cannot use up file descriptors itself.
    let refusing = Arc::new(Semaphore::new(64));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        // hyper starts this clock as soon as a connection waits for a request head — when it
        // opens and again after each response — so it bounds slow heads and idle keep-alive
        // connections alike.
        .header_read_timeout(opts.header_read_timeout)
        .max_header_size(opts.max_header_bytes)
        // hyper's read buffer must hold the largest head we accept, or its own (smaller)
        // limit would answer first.
        .max_buf_size(opts.max_header_bytes.max(HYPER_DEFAULT_MAX_BUF))
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let (tcp, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors (or another transient failure): back off
                    // instead of spinning; the connections we hold will close.
                    accept_failed(&e);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            metrics::counter!("incidentmap_http_connections_refused_total").increment(1);
            if let Ok(slot) = refusing.clone().try_acquire_owned() {
                let limit = max_connections;
                tokio::spawn(async move {
                    refuse(tcp, limit).await;
                    drop(slot);
                });
            }
            continue;
        };
        // Without TCP_NODELAY, a response larger than one segment on a kept-alive connection
        // waits for the client's delayed ACK (Nagle): ~40 ms per GeoJSON page instead of ~2.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("cannot set TCP_NODELAY on a connection: {e}");
        }
        let io = TokioIo::new(wire::Conn::new(
            tcp,
            permit,
            opts.max_header_bytes,
            opts.request_timeout,
        ));
        let conn = builder.serve_connection(io, TowerToHyperService::new(app.clone()));
        let conn = graceful.watch(conn);
        metrics::gauge!("incidentmap_http_connections").increment(1.0);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("connection ended: {e}");
            }
            metrics::gauge!("incidentmap_http_connections").decrement(1.0);
        });
    }
    drop(listener);
    // Connections that still have a request in flight get to finish it; idle ones close now.
    // Every connection ends by itself (the header and send time limits), but a bound here
    // keeps a stuck one from holding up the exit.
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "connections still open after {} s; closing them",
            SHUTDOWN_GRACE.as_secs()
        );
    }
    // A bulk import runs as a job that outlives its request: let it commit, not die mid-way.
    if state.imports.try_lock().is_err() {
        tracing::info!("waiting for the running import to commit");
    }
    let _ = state.imports.lock().await;
    Ok(())
}

/// How long shutdown waits for open connections to finish their requests.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// hyper's own read-buffer limit (8 KiB + 100 × 4 KiB).
const HYPER_DEFAULT_MAX_BUF: usize = 8192 + 4096 * 100;

/// File descriptors kept for everything but client connections: the store, its pool, import
/// spool files, the listener, logs.
const FD_RESERVE: u64 = 128;

/// The connection cap that fits the process's open-files limit: raises the soft limit to the
/// hard one if that is needed, and lowers the cap (with a warning) if even that is too few,
/// so the server refuses connections with a 503 before it runs out of descriptors.
// rlim_t is u64 on Linux but not on every Unix: the casts are for the others.
#[allow(clippy::unnecessary_cast)]
fn fit_open_files(max_connections: usize) -> usize {
    #[cfg(unix)]
    {
        let want = max_connections as u64 + FD_RESERVE;
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit only read and write the struct we pass.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
            return max_connections;
        }
        if (lim.rlim_cur as u64) < want && lim.rlim_max > lim.rlim_cur {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max.min(want as libc::rlim_t),
                rlim_max: lim.rlim_max,
            };
            // SAFETY: as above.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                lim.rlim_cur = raised.rlim_cur;
            }
        }
        let fits = (lim.rlim_cur as u64).saturating_sub(FD_RESERVE).max(1) as usize;
        if fits < max_connections {
            tracing::warn!(
                max_connections,
                open_files_limit = lim.rlim_cur as u64,
                "max_connections lowered to {fits} to fit the open-files limit (raise it with `ulimit -n` or LimitNOFILE=)"
            );
            return fits;
        }
    }
    max_connections
}

/// Returns freed heap memory to the system (glibc keeps it in per-thread arenas otherwise,
/// so the blocking pool's threads would hold on to a burst's peak). A no-op elsewhere.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Logs a failed accept, once a second at most: out of descriptors, it fails 20 times a
/// second until connections close.
fn accept_failed(e: &std::io::Error) {
    static LAST: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    if crate::http::observe::once_a_second(&LAST) {
        tracing::warn!("cannot accept a connection: {e}");
    }
}

/// The answer to a connection over the limit: a 503 in the JSON every error has, then close.
/// Written without reading the request: the client's request is not what is wrong.
async fn refuse(mut tcp: TcpStream, limit: usize) {
    let body = serde_json::json!({
        "code": "TooManyConnections",
        "description": format!("the server already holds its limit of {limit} open connections; retry shortly"),
    })
    .to_string();
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let write = tcp.write_all(response.as_bytes());
    if let Ok(Ok(())) = tokio::time::timeout(Duration::from_secs(1), write).await {
        wire::linger(tcp).await;
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
