//! How many requests may be in flight at once.
//!
//! The rule (Little's law): to keep `rate` requests per second going when each takes
//! `latency` seconds, `rate × latency` requests must be in flight. The limit is
//!
//! ```text
//! in flight = ceil(rate × latency × 1.25) + 2, between 1 and 256
//! ```
//!
//! where `latency` starts at an assumed 1 s and then follows the observed latency of each
//! attempt (a moving average that rises fast and falls slowly). The 25% and the 2 extra cover
//! the spread of latencies. More slots than needed cost nothing: the rate limiter still paces
//! every request. A fixed `--concurrency N` replaces the rule.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The latency assumed before any has been observed.
pub const ASSUMED_LATENCY: Duration = Duration::from_secs(1);
/// The most requests in flight the automatic rule allows.
pub const MAX_AUTO_CONCURRENCY: usize = 256;
const HEADROOM: f64 = 1.25;
const MARGIN: usize = 2;
/// Weight of a new sample when it is above the average (rise fast) or below (fall slowly).
const ALPHA_UP: f64 = 0.5;
const ALPHA_DOWN: f64 = 0.1;

/// The concurrency limit asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConcurrencyMode {
    /// Sized from the rate and the observed latency (see the module docs).
    #[default]
    Auto,
    /// A fixed number of requests in flight (`--concurrency N`; 0 is taken as 1).
    Fixed(usize),
}

/// The automatic limit for `per_second` requests per second that take `latency` each.
pub fn auto_size(per_second: f64, latency: Duration) -> usize {
    let needed = (per_second * latency.as_secs_f64() * HEADROOM).ceil();
    let needed = if needed.is_finite() && needed > 0.0 {
        needed.min(MAX_AUTO_CONCURRENCY as f64) as usize
    } else {
        0
    };
    (needed + MARGIN).clamp(1, MAX_AUTO_CONCURRENCY)
}

struct State {
    /// Smoothed latency, in seconds.
    latency: f64,
    /// Permits that exist (held or available).
    issued: usize,
    /// Permits that should exist.
    target: usize,
}

/// A semaphore whose size follows [`auto_size`] (or stays fixed).
pub struct Concurrency {
    semaphore: Arc<Semaphore>,
    per_second: f64,
    auto: bool,
    state: Mutex<State>,
}

impl std::fmt::Debug for Concurrency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Concurrency")
            .field("limit", &self.limit())
            .field("auto", &self.auto)
            .finish()
    }
}

/// A slot for one request in flight; freed on drop.
pub struct Slot {
    permit: Option<OwnedSemaphorePermit>,
    owner: Arc<Concurrency>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let Some(permit) = self.permit.take() else {
            return;
        };
        let mut s = self.owner.lock();
        if s.issued > s.target {
            // Shrinking: this permit goes away instead of back to the pool.
            permit.forget();
            s.issued -= 1;
        }
    }
}

impl Concurrency {
    /// A limit for a target paced at `per_second` requests per second.
    pub fn new(mode: ConcurrencyMode, per_second: f64) -> Arc<Concurrency> {
        let (size, auto) = match mode {
            ConcurrencyMode::Auto => (auto_size(per_second, ASSUMED_LATENCY), true),
            ConcurrencyMode::Fixed(n) => (n.max(1), false),
        };
        Arc::new(Concurrency {
            semaphore: Arc::new(Semaphore::new(size)),
            per_second,
            auto,
            state: Mutex::new(State {
                latency: ASSUMED_LATENCY.as_secs_f64(),
                issued: size,
                target: size,
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current limit.
    pub fn limit(&self) -> usize {
        self.lock().target
    }

    /// Waits for a free slot.
    pub async fn acquire(self: &Arc<Self>) -> Slot {
        // The semaphore is never closed, so `acquire_owned` cannot fail; if it ever did, the
        // request would go out without a slot rather than not at all.
        let permit = Arc::clone(&self.semaphore).acquire_owned().await.ok();
        Slot {
            permit,
            owner: Arc::clone(self),
        }
    }

    /// Records the latency of one attempt and resizes the limit.
    pub fn observe(&self, latency: Duration) {
        if !self.auto {
            return;
        }
        let mut s = self.lock();
        let sample = latency.as_secs_f64();
        let alpha = if sample > s.latency {
            ALPHA_UP
        } else {
            ALPHA_DOWN
        };
        s.latency += alpha * (sample - s.latency);
        s.target = auto_size(self.per_second, Duration::from_secs_f64(s.latency));
        if s.target > s.issued {
            self.semaphore.add_permits(s.target - s.issued);
            s.issued = s.target;
        }
        // Shrinking: free permits go now, held ones when their slot is dropped.
        while s.issued > s.target {
            match self.semaphore.try_acquire() {
                Ok(permit) => {
                    permit.forget();
                    s.issued -= 1;
                }
                Err(_) => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_size_rule() {
        assert_eq!(auto_size(20.0, Duration::from_millis(200)), 7); // ceil(5) + 2
        assert_eq!(auto_size(50.0, Duration::from_secs(1)), 65); // ceil(62.5) + 2
        assert_eq!(auto_size(0.5, Duration::from_millis(100)), 3); // ceil(0.0625) + 2
        assert_eq!(
            auto_size(10_000.0, Duration::from_secs(5)),
            MAX_AUTO_CONCURRENCY
        );
        assert_eq!(auto_size(10.0, Duration::ZERO), 2);
    }

    #[tokio::test]
    async fn grows_and_shrinks_with_latency() {
        let c = Concurrency::new(ConcurrencyMode::Auto, 20.0);
        assert_eq!(c.limit(), auto_size(20.0, ASSUMED_LATENCY));
        let held: Vec<Slot> = futures_join(&c, 5).await;
        for _ in 0..60 {
            c.observe(Duration::from_millis(10));
        }
        let small = c.limit();
        assert!(small < 10, "{small}");
        drop(held);
        assert_eq!(c.semaphore.available_permits(), small);
        for _ in 0..10 {
            c.observe(Duration::from_secs(3));
        }
        assert!(c.limit() > 60);
        assert_eq!(c.semaphore.available_permits(), c.limit());
    }

    #[tokio::test]
    async fn fixed_mode_ignores_latency() {
        let c = Concurrency::new(ConcurrencyMode::Fixed(3), 100.0);
        c.observe(Duration::from_secs(10));
        assert_eq!(c.limit(), 3);
        assert_eq!(Concurrency::new(ConcurrencyMode::Fixed(0), 1.0).limit(), 1);
    }

    async fn futures_join(c: &Arc<Concurrency>, n: usize) -> Vec<Slot> {
        let mut slots = Vec::new();
        for _ in 0..n {
            slots.push(c.acquire().await);
        }
        slots
    }
}
