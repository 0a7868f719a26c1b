//! Bounded CPU work: a fixed number of slots on the blocking pool, a short queue in front of
//! them, and a 503 with `Retry-After` past either. Tile renders and geoparsing each have one,
//! so a burst of one kind cannot starve the other, pile up memory in an unbounded queue, or
//! slow the cheap endpoints (health checks, cached tiles) that never take a slot.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::ApiError;

pub struct Limiter {
    /// What the slots are for, in messages ("tile renders").
    what: &'static str,
    slots: Arc<Semaphore>,
    /// Requests waiting for a slot; beyond `max_queue` new ones get a 503 at once.
    queued: AtomicUsize,
    max_queue: usize,
    max_wait: Duration,
}

impl Limiter {
    /// `concurrency` slots (at least one) and a queue of 16 waiting requests per slot, each
    /// waiting at most `max_wait`.
    pub fn new(what: &'static str, concurrency: usize, max_wait: Duration) -> Limiter {
        let concurrency = concurrency.max(1);
        Limiter {
            what,
            slots: Arc::new(Semaphore::new(concurrency)),
            queued: AtomicUsize::new(0),
            max_queue: concurrency * 16,
            max_wait,
        }
    }

    /// A slot, or a 503 saying when to retry. The slot is owned, so it can travel with the
    /// work onto the blocking pool: a client that hangs up does not free it while the work
    /// still runs.
    pub async fn slot(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        if let Ok(p) = self.slots.clone().try_acquire_owned() {
            return Ok(p);
        }
        if self.queued.fetch_add(1, Ordering::SeqCst) >= self.max_queue {
            self.queued.fetch_sub(1, Ordering::SeqCst);
            return Err(self.busy("the queue is full"));
        }
        // Leaves the queue however the wait ends, also when the request is dropped mid-wait
        // (its client hung up): a count that only went up would shed everything in the end.
        let _in_queue = Queued(&self.queued);
        match tokio::time::timeout(self.max_wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(p)) => Ok(p),
            Ok(Err(_)) => Err(ApiError::internal(format!(
                "{} are shutting down",
                self.what
            ))),
            Err(_) => Err(self.busy("no slot came free in time")),
        }
    }

    fn busy(&self, why: &str) -> ApiError {
        ApiError::overloaded(format!("{}: {why}; retry in a second", self.what))
    }
}

/// A place in a [`Limiter`]'s queue, given up on drop.
struct Queued<'a>(&'a AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl ApiError {
    /// Load shedding: a 503 with `Retry-After: 1`, logged as a warning (rate-limited), not as
    /// an error — the server is doing what it should.
    pub fn overloaded(description: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            description,
        )
        .with_retry_after(1);
        e.shed = true;
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_sheds_at_once() {
        let l = std::sync::Arc::new(Limiter::new("test work", 1, Duration::from_secs(5)));
        let held = l.slot().await.unwrap();
        // Fill the queue (16 per slot) with waiters.
        let waiters: Vec<_> = (0..16)
            .map(|_| {
                let l = l.clone();
                tokio::spawn(async move { l.slot().await.map(drop) })
            })
            .collect();
        while l.queued.load(Ordering::SeqCst) < 16 {
            tokio::task::yield_now().await;
        }
        let e = l.slot().await.unwrap_err();
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(e.description.contains("queue is full"), "{}", e.description);
        drop(held);
        for w in waiters {
            assert!(w.await.unwrap().is_ok());
        }
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_leaves_the_queue() {
        let l = Limiter::new("test work", 1, Duration::from_secs(5));
        let held = l.slot().await.unwrap();
        for _ in 0..100 {
            // Dropped mid-wait, as when a client hangs up.
            let _ = tokio::time::timeout(Duration::from_millis(1), l.slot()).await;
        }
        assert_eq!(l.queued.load(Ordering::SeqCst), 0);
        drop(held);
        assert!(l.slot().await.is_ok());
    }

    #[tokio::test]
    async fn a_slow_slot_sheds_after_the_wait() {
        let l = Limiter::new("test work", 1, Duration::from_millis(20));
        let _held = l.slot().await.unwrap();
        let e = l.slot().await.unwrap_err();
        assert_eq!(e.retry_after, Some(1));
        assert!(e.description.contains("in time"));
    }
}
