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
    let open = Arc::new(Semaphore::new(opts.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        // hyper starts this clock as soon as a connection waits for a request head — when it
        // opens and again after each response — so it bounds slow heads and idle keep-alive
        // connections alike.
        .header_read_timeout(opts.header_read_timeout)
        .max_header_size(opts.max_header_bytes)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let (tcp, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors (or another transient failure): back off
                    // instead of spinning; the connections we hold will close.
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            metrics::counter!("incidentmap_http_connections_refused_total").increment(1);
            tokio::spawn(refuse(tcp, opts.max_connections));
            continue;
        };
        // Without TCP_NODELAY, a response larger than one segment on a kept-alive connection
        // waits for the client's delayed ACK (Nagle): ~40 ms per GeoJSON page instead of ~2.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("cannot set TCP_NODELAY on a connection: {e}");
        }
        let io = TokioIo::new(wire::JsonParseErrors::new(tcp, opts.max_header_bytes));
        let conn = builder.serve_connection(io, TowerToHyperService::new(app.clone()));
        let conn = graceful.watch(conn);
        metrics::gauge!("incidentmap_http_connections").increment(1.0);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("connection ended: {e}");
            }
            metrics::gauge!("incidentmap_http_connections").decrement(1.0);
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    // A bulk import runs as a job that outlives its request: let it commit, not die mid-way.
    let _ = state.imports.lock().await;
    Ok(())
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
    let write = async {
        tcp.write_all(response.as_bytes()).await?;
        tcp.shutdown().await
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), write).await;
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
