//! Request rates (`--rate 5/s`, `100/m`) and the shared pacer built on a governor limiter.
//!
//! The pacer lets requests out one at a time, evenly spaced (governor burst of 1): it never
//! bursts above the rate. It paces at [`PACING_FACTOR`] of the stated rate so that the small,
//! random delay between a permit and the request's arrival at the server can never put one
//! more request into a server's counting window than the rate allows. A 429 pauses every
//! worker (for the `Retry-After` or the backoff) and lowers the rate; the rate climbs back to
//! the configured one after a while without 429s.

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

/// The fraction of the stated rate the pacer actually uses (see the module docs).
pub const PACING_FACTOR: f64 = 0.98;

/// The most a 429 lowers the rate to, as a fraction of the configured rate.
const MIN_RATE_FRACTION: f64 = 0.1;
/// What a 429 multiplies the current rate by.
const DECREASE_FACTOR: f64 = 0.75;
/// What each recovery step multiplies the current rate by.
const INCREASE_FACTOR: f64 = 1.1;
/// How long without a 429 before each recovery step.
const RECOVERY_INTERVAL: Duration = Duration::from_secs(5);
/// Where a 429 puts the ceiling of a probing pacer, as a fraction of the rate it hit.
const CEILING_AFTER_429: f64 = 0.9;

/// 429s closer together than this (or one period) lower the rate only once.
const DECREASE_DEBOUNCE: Duration = Duration::from_secs(1);

/// The highest rate accepted: 100 000 requests per second.
const MAX_PER_SECOND: f64 = 100_000.0;

/// A request rate: a number of requests per second (fractions allowed, e.g. 0.5/s).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Rate {
    per_second: f64,
}

/// Why a `--rate` value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    #[error("rate {0:?}: expected N/s, N/m or N/h, e.g. 5/s, 100/m, 0.5/s")]
    Syntax(String),
    #[error("rate {0:?}: unknown unit (use s, m or h)")]
    Unit(String),
    #[error("rate {0:?}: the number must be positive and at most 100000 per second")]
    OutOfRange(String),
}

impl Rate {
    /// A rate of `n` requests per second; `None` unless `n` is positive, finite and at most
    /// 100 000.
    pub fn per_second(n: f64) -> Option<Rate> {
        (n.is_finite() && n > 0.0 && n <= MAX_PER_SECOND).then_some(Rate { per_second: n })
    }

    /// A rate a vendor documents, written in the code: `per_second` must be positive (a
    /// constant's value is checked by the tests of the target that uses it).
    pub const fn documented(per_second: f64) -> Rate {
        Rate { per_second }
    }

    /// A rate of `n` requests per minute.
    pub fn per_minute(n: f64) -> Option<Rate> {
        Rate::per_second(n / 60.0)
    }

    /// Requests per second.
    pub fn as_per_second(self) -> f64 {
        self.per_second
    }

    /// The time between two requests at this rate.
    pub fn period(self) -> Duration {
        Duration::from_secs_f64(1.0 / self.per_second)
    }

    /// This rate multiplied by `factor`, kept in range.
    fn scaled(self, factor: f64) -> Rate {
        Rate {
            per_second: (self.per_second * factor).clamp(f64::MIN_POSITIVE, MAX_PER_SECOND),
        }
    }
}

impl FromStr for Rate {
    type Err = RateError;

    /// Parses `N/s`, `N/m` or `N/h` (also `sec`, `min`, `hour`); N may have a fraction.
    fn from_str(text: &str) -> Result<Rate, RateError> {
        let trimmed = text.trim();
        let (number, unit) = trimmed
            .split_once('/')
            .ok_or_else(|| RateError::Syntax(text.to_string()))?;
        let number = number.trim();
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(RateError::Syntax(text.to_string()));
        }
        let n: f64 = number
            .parse()
            .map_err(|_| RateError::Syntax(text.to_string()))?;
        let seconds = match unit.trim().to_ascii_lowercase().as_str() {
            "s" | "sec" | "second" => 1.0,
            "m" | "min" | "minute" => 60.0,
            "h" | "hour" => 3600.0,
            _ => return Err(RateError::Unit(text.to_string())),
        };
        Rate::per_second(n / seconds).ok_or_else(|| RateError::OutOfRange(text.to_string()))
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.per_second >= 1.0 {
            write!(f, "{}/s", round3(self.per_second))
        } else {
            write!(f, "{}/m", round3(self.per_second * 60.0))
        }
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A governor limiter letting one request out every `period`, with no burst.
fn limiter_for(rate: Rate) -> Arc<DefaultDirectRateLimiter> {
    let period = rate
        .scaled(PACING_FACTOR)
        .period()
        .max(Duration::from_nanos(1));
    // `with_period` is `None` only for a zero period, excluded above.
    let quota = Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::MIN);
    Arc::new(RateLimiter::direct(quota))
}

struct PacerState {
    current: Rate,
    limiter: Arc<DefaultDirectRateLimiter>,
    /// Bumped whenever `limiter` is replaced.
    generation: u64,
    /// No request leaves before this instant (set by 429s and rate changes).
    paused_until: Instant,
    /// The last time the rate changed (down or up).
    last_change: Instant,
    /// The last time a 429 lowered the rate.
    last_decrease: Option<Instant>,
    /// The highest rate successes may raise the rate to: the configured rate, or above it
    /// when probing an API that publishes no limit (lowered below the rate a 429 hit).
    ceiling: Rate,
}

/// The rate limiter shared by every worker of one target.
pub struct Pacer {
    configured: Rate,
    state: Mutex<PacerState>,
}

impl fmt::Debug for Pacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pacer")
            .field("configured", &self.configured)
            .field("current", &self.current_rate())
            .finish()
    }
}

impl Pacer {
    /// A pacer at `rate`.
    pub fn new(rate: Rate) -> Pacer {
        Pacer::probing(rate, rate)
    }

    /// A pacer that starts at `rate` and, while the API answers without 429s, raises it step
    /// by step up to `ceiling`: for APIs that publish no limit. A 429 lowers the rate and puts
    /// the ceiling just under the rate it hit.
    pub fn probing(rate: Rate, ceiling: Rate) -> Pacer {
        let now = Instant::now();
        let ceiling = if ceiling > rate { ceiling } else { rate };
        Pacer {
            configured: rate,
            state: Mutex::new(PacerState {
                current: rate,
                limiter: limiter_for(rate),
                generation: 0,
                paused_until: now,
                last_change: now,
                last_decrease: None,
                ceiling,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, PacerState> {
        // The state stays consistent even if a holder panicked: every update is one assignment.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The rate the pacer was created with.
    pub fn configured_rate(&self) -> Rate {
        self.configured
    }

    /// The rate in force now (lower than the configured one after a 429).
    pub fn current_rate(&self) -> Rate {
        self.lock().current
    }

    /// Waits until a request may be sent.
    pub async fn acquire(&self) {
        loop {
            let (limiter, generation, paused_until) = {
                let s = self.lock();
                (Arc::clone(&s.limiter), s.generation, s.paused_until)
            };
            if paused_until > Instant::now() {
                tokio::time::sleep_until(paused_until).await;
                continue;
            }
            limiter.until_ready().await;
            let s = self.lock();
            // A 429 or a rate change while waiting: wait again under the new rules.
            if s.generation == generation && s.paused_until <= Instant::now() {
                return;
            }
        }
    }

    /// Called on a 429: pauses every worker for `wait` and lowers the rate.
    pub fn on_rate_limited(&self, wait: Duration) {
        let now = Instant::now();
        let mut s = self.lock();
        let floor = self.configured.scaled(MIN_RATE_FRACTION);
        let lowered = s.current.scaled(DECREASE_FACTOR);
        let next = if lowered < floor { floor } else { lowered };
        // One lowering per burst of 429s: those already in flight say the same thing.
        let debounce = s.current.period().max(DECREASE_DEBOUNCE);
        if s.last_decrease
            .is_none_or(|t| now.duration_since(t) >= debounce)
        {
            let below = s.current.scaled(CEILING_AFTER_429);
            if s.ceiling > self.configured {
                s.ceiling = if below > self.configured {
                    below
                } else {
                    self.configured
                };
            }
            s.current = next;
            s.limiter = limiter_for(next);
            s.generation += 1;
            s.last_change = now;
            s.last_decrease = Some(now);
        }
        let until = now + wait.max(s.current.period());
        if until > s.paused_until {
            s.paused_until = until;
        }
    }

    /// Called on a response that was not a 429: raises a lowered rate step by step.
    pub fn on_success(&self) {
        let now = Instant::now();
        let mut s = self.lock();
        if s.current >= s.ceiling
            || now.duration_since(s.last_change) < RECOVERY_INTERVAL
            || s.paused_until > now
        {
            return;
        }
        let raised = s.current.scaled(INCREASE_FACTOR);
        let next = if raised > s.ceiling {
            s.ceiling
        } else {
            raised
        };
        s.current = next;
        s.limiter = limiter_for(next);
        s.generation += 1;
        s.last_change = now;
        // The new limiter knows nothing of the last permit: keep one period of spacing.
        s.paused_until = now + next.period();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(s: &str) -> f64 {
        s.parse::<Rate>()
            .map(Rate::as_per_second)
            .unwrap_or(f64::NAN)
    }

    #[test]
    fn parses_rates() {
        assert_eq!(rate("5/s"), 5.0);
        assert_eq!(rate("100/m"), 100.0 / 60.0);
        assert_eq!(rate("0.5/s"), 0.5);
        assert_eq!(rate(" 3600 / h "), 1.0);
        assert_eq!(rate("10/sec"), 10.0);
        assert_eq!(rate("60/MIN"), 1.0);
        assert_eq!(rate(".5/s"), 0.5);
    }

    #[test]
    fn rejects_junk() {
        for junk in [
            "", "5", "/s", "5/", "5/x", "abc/s", "-5/s", "0/s", "0.0/m", "1e3/s", "5/s/s", "nan/s",
            "inf/s", "1.2.3/s", "200000/s", "5 per s",
        ] {
            assert!(junk.parse::<Rate>().is_err(), "{junk:?} should be rejected");
        }
        assert!(matches!("5/d".parse::<Rate>(), Err(RateError::Unit(_))));
        assert!(matches!(
            "0/s".parse::<Rate>(),
            Err(RateError::OutOfRange(_))
        ));
        assert!(matches!(
            "five/s".parse::<Rate>(),
            Err(RateError::Syntax(_))
        ));
    }

    #[test]
    fn displays_rates() {
        assert_eq!(
            "5/s".parse::<Rate>().map(|r| r.to_string()).ok(),
            Some("5/s".into())
        );
        assert_eq!(
            "30/m".parse::<Rate>().map(|r| r.to_string()).ok(),
            Some("30/m".into())
        );
    }

    #[test]
    fn period_matches_rate() {
        let r = Rate::per_second(20.0).expect("valid");
        assert_eq!(r.period(), Duration::from_millis(50));
        assert_eq!(
            Rate::per_minute(30.0).map(Rate::period),
            Some(Duration::from_secs(2))
        );
    }

    #[tokio::test]
    async fn rate_limit_lowers_and_pauses() {
        let pacer = Pacer::new(Rate::per_second(10.0).expect("valid"));
        pacer.on_rate_limited(Duration::from_millis(200));
        assert!(pacer.current_rate().as_per_second() < 10.0);
        assert!(pacer.current_rate().as_per_second() >= 1.0);
        let start = Instant::now();
        pacer.acquire().await;
        assert!(start.elapsed() >= Duration::from_millis(190));
    }

    #[tokio::test]
    async fn rate_never_drops_below_floor() {
        let pacer = Pacer::new(Rate::per_second(10.0).expect("valid"));
        for _ in 0..50 {
            pacer.lock().last_decrease = None;
            pacer.on_rate_limited(Duration::ZERO);
        }
        let r = pacer.current_rate().as_per_second();
        assert!((r - 1.0).abs() < 1e-9, "{r}");
    }

    #[tokio::test]
    async fn recovers_after_quiet_interval() {
        let pacer = Pacer::new(Rate::per_second(10.0).expect("valid"));
        pacer.on_rate_limited(Duration::ZERO);
        let lowered = pacer.current_rate();
        pacer.on_success();
        assert_eq!(pacer.current_rate(), lowered, "too soon to recover");
        {
            let mut s = pacer.lock();
            s.last_change = Instant::now() - RECOVERY_INTERVAL;
            s.paused_until = Instant::now();
        }
        pacer.on_success();
        assert!(pacer.current_rate() > lowered);
        assert!(pacer.current_rate() <= pacer.configured_rate());
    }

    /// Lets the quiet interval pass, as if `RECOVERY_INTERVAL` had gone by.
    fn quiet(pacer: &Pacer) {
        let mut s = pacer.lock();
        s.last_change = Instant::now() - RECOVERY_INTERVAL;
        s.paused_until = Instant::now();
    }

    #[tokio::test]
    async fn a_probing_pacer_climbs_to_its_ceiling_and_backs_off_below_a_429() {
        let five = Rate::per_second(5.0).expect("valid");
        let pacer = Pacer::probing(five, Rate::per_second(20.0).expect("valid"));
        for _ in 0..100 {
            quiet(&pacer);
            pacer.on_success();
        }
        assert_eq!(
            pacer.current_rate().as_per_second(),
            20.0,
            "climbed to the ceiling"
        );
        // The API says 429 at 20/s: the rate drops, and never climbs back to where it hit.
        pacer.on_rate_limited(Duration::ZERO);
        assert_eq!(pacer.current_rate().as_per_second(), 15.0);
        for _ in 0..100 {
            quiet(&pacer);
            pacer.on_success();
        }
        let r = pacer.current_rate().as_per_second();
        assert!((r - 18.0).abs() < 1e-9, "{r}");
        // A plain pacer never goes above its rate.
        let plain = Pacer::new(five);
        quiet(&plain);
        plain.on_success();
        assert_eq!(plain.current_rate(), five);
    }
}
