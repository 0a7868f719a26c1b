//! The change feed: a dedicated connection LISTENing on the changes channel, waking the
//! instance on every NOTIFY and after every (re)connection, reconnecting with backoff.
//!
//! Notifications are only a prompt: the instance then reads the change log from its own data
//! version onwards, so a notification lost while the connection was down costs nothing — the
//! wake-up after reconnecting catches up on everything.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio_postgres::AsyncMessage;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::{CHANNEL, describe_pg};
use crate::store::Wake;

const FIRST_RETRY: Duration = Duration::from_millis(100);
const LAST_RETRY: Duration = Duration::from_secs(2);

/// Runs until the store's runtime shuts down. `up` says whether the feed is connected.
pub async fn run(
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    wake: Wake,
    up: Arc<AtomicBool>,
    shown: String,
) {
    let mut delay = FIRST_RETRY;
    // Log an outage once, and its end once, however many retries it takes.
    let mut down_since: Option<std::time::Instant> = None;
    loop {
        let reason = match config.connect(tls.clone()).await {
            Err(e) => describe_pg(&e),
            Ok((client, mut connection)) => {
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Option<u64>>();
                // The connection only makes progress while polled; it hands notifications
                // over and ends when the server goes away.
                let driver = tokio::spawn(async move {
                    let end = loop {
                        match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                            Some(Ok(AsyncMessage::Notification(n))) => {
                                if tx.send(announced_version(n.payload())).is_err() {
                                    break "the listener stopped".to_string();
                                }
                            }
                            Some(Ok(_)) => {}
                            Some(Err(e)) => break describe_pg(&e),
                            None => break "the server closed the connection".to_string(),
                        }
                    };
                    tracing::debug!("change feed connection ended: {end}");
                });
                match client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
                    Err(e) => {
                        driver.abort();
                        describe_pg(&e)
                    }
                    Ok(()) => {
                        up.store(true, Ordering::SeqCst);
                        if let Some(t) = down_since.take() {
                            tracing::info!(
                                "the database {shown} is reachable again after {:.1?}; catching up",
                                t.elapsed()
                            );
                        }
                        delay = FIRST_RETRY;
                        // Whatever happened while we were not listening is in the change log.
                        wake(None);
                        while let Some(version) = rx.recv().await {
                            wake(version);
                        }
                        drop(client);
                        "the change feed connection closed".to_string()
                    }
                }
            }
        };
        up.store(false, Ordering::SeqCst);
        if down_since.is_none() {
            down_since = Some(std::time::Instant::now());
            tracing::warn!(
                "the database {shown} is unreachable ({reason}); reads are served from memory, \
                 writes answer 503 until it is back"
            );
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(LAST_RETRY);
    }
}

/// The data version a notification announces (`{"version": N, ...}`), if it says.
fn announced_version(payload: &str) -> Option<u64> {
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()?
        .get("version")?
        .as_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_announced_version() {
        assert_eq!(announced_version(r#"{"ids":["a"],"version":7}"#), Some(7));
        assert_eq!(announced_version(r#"{"reload":true}"#), None);
        assert_eq!(announced_version("garbage"), None);
    }
}
