//! The sandbox's memory: the emulators' rooms (their records, their limits' bookkeeping), the
//! access tokens and the request counters. One lock per concern, never held across an await.

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use serde::Serialize;

use super::config::SandboxConfig;
use super::faults::{SplitMix, TokenBucket};
use super::tokens::Tokens;

/// Locks a mutex, going on with the data if another thread panicked while holding it (the
/// sandbox's data stays usable: every change is made in one step).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The emulators' rooms: one value of each type an emulator keeps (its records, or its limits'
/// bookkeeping), made from its `Default` (its seeded state) when first asked for.
#[derive(Default)]
pub struct Rooms(HashMap<TypeId, Box<dyn Any + Send>>);

impl Rooms {
    /// The room of type `T`.
    pub fn get<T: Any + Send + Default>(&mut self) -> &mut T {
        let room = self
            .0
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(T::default()));
        room.downcast_mut::<T>()
            .expect("a room is kept under its own type's id")
    }
}

impl std::fmt::Debug for Rooms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rooms({})", self.0.len())
    }
}

/// Every record the emulators hold.
#[derive(Debug)]
pub struct Store {
    /// Every random choice of the emulators (ids, tokens), in the order they are made.
    pub rng: SplitMix,
    /// The clock lifetimes are measured on (tokens, page tokens).
    pub clock: Clock,
    /// The access tokens of every token server.
    pub tokens: Tokens,
    /// Each emulator's records.
    pub rooms: Rooms,
}

impl Store {
    /// The seeded state: no tokens, each room as its emulator seeds it.
    pub fn seeded(seed_value: u64) -> Self {
        Store {
            rng: SplitMix::new(seed_value ^ 0x5EED_0000_0000_0001),
            clock: Clock::default(),
            tokens: Tokens::default(),
            rooms: Rooms::default(),
        }
    }
}

/// The clock the sandbox measures lifetimes on (access tokens, page tokens): the machine's,
/// moved ahead by [`Clock::advance`], so that a test of a lifetime does not wait it out.
#[derive(Debug, Default, Clone, Copy)]
pub struct Clock {
    ahead: std::time::Duration,
}

impl Clock {
    /// Now, on the sandbox's clock.
    pub fn now(&self) -> std::time::Instant {
        std::time::Instant::now() + self.ahead
    }

    /// Moves the clock ahead by `by`.
    pub fn advance(&mut self, by: std::time::Duration) {
        self.ahead += by;
    }
}

/// Requests counted by endpoint (`METHOD /path/{template}`) and HTTP status, and the faults
/// injected.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Stats {
    pub requests: BTreeMap<String, BTreeMap<u16, u64>>,
    pub injected_500: u64,
    pub ambiguous_502: u64,
    pub rate_limited_429: u64,
    /// Contact writes held by `write_delay_ms`, and those of them applied since (whether or
    /// not their client was still there for the answer).
    pub delayed_writes: u64,
    pub delayed_applied: u64,
    /// API requests (neither the token endpoints nor the admin surface), whatever their
    /// answer, by the Unix second they arrived in: the throughput the server saw.
    pub api_by_second: BTreeMap<u64, u64>,
}

impl Stats {
    pub fn record(&mut self, endpoint: &str, status: u16) {
        *self
            .requests
            .entry(endpoint.to_string())
            .or_default()
            .entry(status)
            .or_default() += 1;
    }

    /// Counts an API request that arrived at `unix_ms`.
    pub fn record_api_arrival(&mut self, unix_ms: u64) {
        *self.api_by_second.entry(unix_ms / 1000).or_default() += 1;
    }
}

/// Everything the request handlers share.
#[derive(Debug)]
pub struct Shared {
    pub config: Mutex<SandboxConfig>,
    pub store: Mutex<Store>,
    pub bucket: Mutex<Option<TokenBucket>>,
    /// The requests of the last second, for `rate_window_per_sec`.
    pub window: Mutex<super::faults::CountingWindow>,
    /// Where the configured lock-out has got to.
    pub lockout: Mutex<super::lockout::LockoutState>,
    /// The emulators' limits' bookkeeping (what a reset keeps apart from the records).
    pub limits: Mutex<Rooms>,
    pub faults: Mutex<SplitMix>,
    pub stats: Mutex<Stats>,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
}

impl Shared {
    pub fn new(config: SandboxConfig, base_url: String) -> Self {
        let seed_value = config.seed;
        let bucket = config
            .rate_limit_per_sec
            .map(|r| TokenBucket::new(r, Instant::now()));
        Shared {
            config: Mutex::new(config),
            store: Mutex::new(Store::seeded(seed_value)),
            bucket: Mutex::new(bucket),
            window: Mutex::new(Default::default()),
            lockout: Mutex::new(Default::default()),
            limits: Mutex::new(Rooms::default()),
            faults: Mutex::new(SplitMix::new(seed_value ^ 0xFA17_0000_0000_0002)),
            stats: Mutex::new(Stats::default()),
            base_url,
        }
    }

    /// A copy of the current configuration.
    pub fn config(&self) -> SandboxConfig {
        lock(&self.config).clone()
    }

    /// Replaces the configuration; a changed rate limit starts a fresh bucket.
    pub fn set_config(&self, new: SandboxConfig) {
        let mut c = lock(&self.config);
        if c.rate_limit_per_sec != new.rate_limit_per_sec {
            *lock(&self.bucket) = new
                .rate_limit_per_sec
                .map(|r| TokenBucket::new(r, Instant::now()));
        }
        if c.lockout != new.lockout {
            *lock(&self.lockout) = Default::default();
        }
        *c = new;
    }

    /// Back to the seeded state: records, tokens, limits, counters and the fault sequence.
    /// The configuration stays.
    pub fn reset(&self) {
        let c = self.config();
        *lock(&self.store) = Store::seeded(c.seed);
        *lock(&self.bucket) = c
            .rate_limit_per_sec
            .map(|r| TokenBucket::new(r, Instant::now()));
        for e in super::EMULATORS {
            e.behaviour.reset_limits(self);
        }
        *lock(&self.faults) = SplitMix::new(c.seed ^ 0xFA17_0000_0000_0002);
        *lock(&self.lockout) = Default::default();
        *lock(&self.stats) = Stats::default();
    }
}
