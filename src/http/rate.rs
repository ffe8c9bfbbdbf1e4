//! Request rates (`--rate 5/s`, `100/m`) and the shared pacer built on a governor limiter.
//!
//! The pacer lets requests out one at a time, evenly spaced (governor burst of 1): it never
//! bursts above the rate. It paces at [`PACING_FACTOR`] of the stated rate so that the small,
//! random delay between a permit and the request's arrival at the server can never put one
//! more request into a server's counting window than the rate allows.
//!
//! A 429 costs what it must, no more. An isolated one (a few milliseconds of jitter) pauses
//! every worker for two periods (the refused request itself waits out its `Retry-After`) and the
//! pipe resumes at the rate that was working. Only 429s that come back within
//! [`REPEAT_WINDOW`] lower the rate, and then to the rate the server was measured to accept
//! (requests answered, not refused, over the last second; by a quarter at the most), not by a
//! fixed factor; and just under the rate at which they repeated becomes the learned rate.
//! After a quiet second the rate climbs back to it quickly; above it, only slowly (it probes
//! whether the server's limit rose). So a `--rate` above the
//! server's settles within a few seconds just under the server's rate and stays there. This
//! follows the AWS SDKs' adaptive retry mode (a client-side rate measured from what the server
//! accepts, cut on throttling, then restored towards the rate at the last cut, fast at first
//! and slowly near it), simplified to a measured rate and two climbing speeds.
//!
//! A lock-out (a long `Retry-After`, or 429s to every request for seconds: [`super::lockout`])
//! is not a rate: every request is held until it ends and the rate before it is kept.

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use tokio::time::Instant;

use super::lockout::{self, Lockout, Refusal};

/// The limiter's clock: tokio's, so that the pacer waits on the runtime's timers (and on its
/// paused clock in tests) rather than on a clock of its own.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    type Instant = std::time::Instant;

    fn now(&self) -> std::time::Instant {
        Instant::now().into_std()
    }
}

/// A governor limiter on [`TokioClock`].
type Limiter = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<std::time::Instant>>;

/// The fraction of the stated rate the pacer actually uses (see the module docs).
pub const PACING_FACTOR: f64 = 0.98;

/// The most a 429 lowers the rate to, as a fraction of the configured rate.
const MIN_RATE_FRACTION: f64 = 0.1;
/// 429s of one burst (those in flight together say the same thing) count as one event when
/// they come within this long (or one period) of its first.
const BURST: Duration = Duration::from_millis(250);
/// A second 429 event within this long of the last one means the rate is too high.
pub const REPEAT_WINDOW: Duration = Duration::from_secs(3);
/// The span over which the accepted rate is measured.
const MEASURE: Duration = Duration::from_secs(1);
/// Below the learned rate, a step up every this long without a 429...
const QUICK_STEP: Duration = Duration::from_secs(1);
/// ...of this factor.
const QUICK_FACTOR: f64 = 1.05;
/// Above the learned rate (probing whether the server's limit rose, or an API that publishes
/// none), a step up every this long without a 429...
const RECOVERY_INTERVAL: Duration = Duration::from_secs(5);
/// ...of this factor when the server's rate is not known (an API that publishes none)...
const INCREASE_FACTOR: f64 = 1.1;
/// ...and of this one above a learned rate, every this long without a 429 (rarely: each
/// probe above the server's limit costs a burst of 429s).
const PROBE_FACTOR: f64 = 1.05;
const PROBE_INTERVAL: Duration = Duration::from_secs(15);
/// Repeated 429s lower the rate to at most this fraction of the rate in force...
const LOWER_AT_MOST: f64 = 0.95;
/// ...and to at least this one.
const LOWER_AT_LEAST: f64 = 0.5;
/// The rate is cut at most once in this long (the server's window still holds what came
/// before the cut).
const CUT_SETTLE: Duration = Duration::from_secs(1);
/// The quick climb stops this far under the rate at which 429s repeated.
const BELOW_FAILED: f64 = 0.97;

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
fn limiter_for(rate: Rate) -> Arc<Limiter> {
    let period = rate
        .scaled(PACING_FACTOR)
        .period()
        .max(Duration::from_nanos(1));
    // `with_period` is `None` only for a zero period, excluded above.
    let quota = Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::MIN);
    Arc::new(RateLimiter::direct_with_clock(quota, TokioClock))
}

struct PacerState {
    current: Rate,
    limiter: Arc<Limiter>,
    /// Bumped whenever `limiter` is replaced.
    generation: u64,
    /// No request leaves before this instant (set by 429s and rate changes).
    paused_until: Instant,
    /// The last time the rate changed (down or up).
    last_change: Instant,
    /// The last 429, and when the run of 429s it belongs to began (429s less than [`BURST`]
    /// apart are one run: those in flight together say the same thing).
    last_429: Option<Instant>,
    run_began: Instant,
    /// When the rate was last cut for 429s.
    last_cut: Option<Instant>,
    /// The rate a probe above the learned one started from: a 429 during the probe goes back
    /// to it.
    probe_from: Option<Rate>,
    /// The rate the server was measured to accept when 429s repeated: the quick climb stops
    /// there.
    learned: Option<Rate>,
    /// The highest rate the pacer may climb to: the configured rate, or above it when probing
    /// an API that publishes no limit.
    ceiling: Rate,
    /// When requests were answered (not refused) over the last [`MEASURE`].
    answered: std::collections::VecDeque<Instant>,
    /// The 429s since the last answer, when there were any.
    refusals: Option<Refusals>,
    /// The lock-out being waited out, if any.
    lockout: Option<Lockout>,
}

/// The 429s met since the last request the server answered.
#[derive(Debug, Clone, Copy)]
struct Refusals {
    /// The first of them.
    began: Instant,
    count: u32,
    /// The rate and the learned rate before them: a lock-out says nothing about the rate, so
    /// its end goes back to them.
    rate: Rate,
    learned: Option<Rate>,
}

impl PacerState {
    fn set_rate(&mut self, rate: Rate, now: Instant) {
        self.current = rate;
        self.limiter = limiter_for(rate);
        self.generation += 1;
        self.last_change = now;
        // The new limiter knows nothing of the last permit: keep one period of spacing.
        let spaced = now + rate.period();
        if spaced > self.paused_until {
            self.paused_until = spaced;
        }
    }

    fn pause_until(&mut self, until: Instant) {
        if until > self.paused_until {
            self.paused_until = until;
        }
    }

    /// The requests answered per second over the last [`MEASURE`].
    fn accepted(&mut self, now: Instant) -> f64 {
        while self
            .answered
            .front()
            .is_some_and(|t| now.duration_since(*t) > MEASURE)
        {
            self.answered.pop_front();
        }
        self.answered.len() as f64 / MEASURE.as_secs_f64()
    }
}

/// The rate limiter shared by every worker of one target.
pub struct Pacer {
    configured: Rate,
    /// `--max-wait`: a lock-out that would last longer stops the run.
    max_wait: Duration,
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
    /// by step up to `ceiling`: for APIs that publish no limit.
    pub fn probing(rate: Rate, ceiling: Rate) -> Pacer {
        let now = Instant::now();
        let ceiling = if ceiling > rate { ceiling } else { rate };
        Pacer {
            configured: rate,
            max_wait: lockout::DEFAULT_MAX_WAIT,
            state: Mutex::new(PacerState {
                current: rate,
                limiter: limiter_for(rate),
                generation: 0,
                paused_until: now,
                last_change: now,
                last_429: None,
                run_began: now,
                last_cut: None,
                probe_from: None,
                learned: None,
                ceiling,
                answered: std::collections::VecDeque::new(),
                refusals: None,
                lockout: None,
            }),
        }
    }

    /// The same pacer, waiting out lock-outs of up to `max_wait` (`--max-wait`).
    pub fn with_max_wait(mut self, max_wait: Duration) -> Pacer {
        self.max_wait = max_wait;
        self
    }

    /// The lock-out being waited out now, if any (for the progress line); not one that
    /// stops the run.
    pub fn lockout(&self) -> Option<Lockout> {
        let now = Instant::now();
        self.lock()
            .lockout
            .filter(|l| l.until > now && l.within_max_wait())
    }

    fn lock(&self) -> MutexGuard<'_, PacerState> {
        // The state stays consistent even if a holder panicked: every update is one assignment.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The rate the pacer was created with.
    pub fn configured_rate(&self) -> Rate {
        self.configured
    }

    /// The rate in force now (lower than the configured one after repeated 429s).
    pub fn current_rate(&self) -> Rate {
        self.lock().current
    }

    /// The rate the server was measured to accept, once 429s repeated.
    pub fn learned_rate(&self) -> Option<Rate> {
        self.lock().learned
    }

    /// Until when every request is held (a 429's pause, a lock-out being waited out).
    pub fn paused_until(&self) -> Instant {
        self.lock().paused_until
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
            while let Err(not_until) = limiter.check() {
                tokio::time::sleep(not_until.wait_time_from(TokioClock.now())).await;
            }
            let s = self.lock();
            // A 429 or a rate change while waiting: wait again under the new rules.
            if s.generation == generation && s.paused_until <= Instant::now() {
                return;
            }
        }
    }

    /// Holds every request until `until`.
    pub fn hold_until(&self, until: Instant) {
        self.lock().pause_until(until);
    }

    /// Waits until the lock-out in force (if any) ends: `Err` with it when it turned out to
    /// last beyond `--max-wait` meanwhile (a later try was refused for longer).
    pub async fn wait_lockout(&self) -> Result<(), Lockout> {
        loop {
            let now = Instant::now();
            let Some(lock) = self.lock().lockout.filter(|l| l.until > now) else {
                return Ok(());
            };
            if !lock.within_max_wait() {
                return Err(lock);
            }
            // Looked at every second: another request may find the lock-out longer.
            tokio::time::sleep_until(lock.until.min(now + Duration::from_secs(1))).await;
        }
    }

    /// Called on a 429 whose `Retry-After` (if any) was `retry_after`. An isolated 429 holds
    /// the pipe for two periods (or a `Retry-After` longer than a second: the server means it);
    /// a repeated one lowers the rate to the rate the server was measured to accept. A
    /// lock-out ([`super::lockout`]) holds every request until its end, or says the run
    /// should stop when that is beyond `--max-wait`.
    pub fn on_rate_limited(&self, retry_after: Option<Duration>) -> Refusal {
        let now = Instant::now();
        let mut s = self.lock();
        let refusals = match s.refusals {
            Some(mut r) => {
                r.count += 1;
                r
            }
            None => Refusals {
                began: now,
                count: 1,
                rate: s.current,
                learned: s.learned,
            },
        };
        s.refusals = Some(refusals);
        if let Some(lock) = s.lockout
            && lock.until > now
        {
            // Sent before the lock-out was known, or a try that came back with the others.
            return if lock.within_max_wait() {
                Refusal::Wait(lock)
            } else {
                Refusal::Stop(lock)
            };
        }
        let ongoing = s.lockout.map(|l| l.began);
        let lockout = match retry_after {
            Some(after) if after > lockout::LOCK_AFTER => Some(Lockout {
                began: ongoing.unwrap_or(now),
                until: now + after,
                announced: Some(after),
                max_wait: self.max_wait,
            }),
            // A try during an unannounced lock-out refused again: wait longer.
            _ if ongoing.is_some() => {
                let began = refusals.began;
                let next = now
                    .duration_since(began)
                    .clamp(lockout::FIRST_TRY, lockout::LONGEST_TRY);
                Some(Lockout {
                    began,
                    until: now + next,
                    announced: None,
                    max_wait: self.max_wait,
                })
            }
            _ if refusals.count >= lockout::SILENT_REFUSALS
                && now.duration_since(refusals.began) >= lockout::SILENT_FOR =>
            {
                Some(Lockout {
                    began: refusals.began,
                    until: now + lockout::FIRST_TRY,
                    announced: None,
                    max_wait: self.max_wait,
                })
            }
            _ => None,
        };
        if let Some(lock) = lockout {
            // A lock-out says nothing of the rate: its end goes back to the rate before it.
            if s.current != refusals.rate {
                s.set_rate(refusals.rate, now);
            }
            s.learned = refusals.learned;
            s.probe_from = None;
            s.lockout = Some(lock);
            if !lock.within_max_wait() {
                // The run stops: nothing is held for it (the requests waiting see the stop).
                return Refusal::Stop(lock);
            }
            s.pause_until(lock.until);
            return Refusal::Wait(lock);
        }
        let burst = s.current.period().max(BURST);
        let previous = s.last_429;
        let continues = previous.is_some_and(|t| now.duration_since(t) < burst);
        if !continues {
            s.run_began = now;
        }
        s.last_429 = Some(now);
        // Too fast: 429s that come back within the repeat window, or a run of them that goes
        // on. Cut at most once a second: the server's window still holds what came before.
        let repeated =
            !continues && previous.is_some_and(|t| now.duration_since(t) < REPEAT_WINDOW);
        let lasting = continues && now.duration_since(s.run_began) >= burst;
        let settled = s
            .last_cut
            .is_none_or(|t| now.duration_since(t) >= CUT_SETTLE);
        if (repeated || lasting) && settled {
            self.cut(&mut s, now);
        }
        // Two periods: a server whose window counts the refused request too holds one more
        // than it allows until two of ours have aged out of it; with one, every next request
        // would meet the same full window.
        let hold = match retry_after {
            Some(after) if after > Duration::from_secs(1) => after,
            _ => s.current.period() * 2,
        };
        s.pause_until(now + hold);
        Refusal::Limited
    }

    /// Lowers the rate to what the server was measured to accept (between half and 95% of the
    /// rate in force); the quick climb back stops at that, or just under the rate that failed
    /// if the measure read low (a pipe that was starting, or paused).
    fn cut(&self, s: &mut PacerState, now: Instant) {
        s.last_cut = Some(now);
        if let Some(from) = s.probe_from.take() {
            // The probe found the limit where it was: back to the rate that held.
            s.learned = Some(from);
            s.set_rate(from, now);
            return;
        }
        let floor = self.configured.scaled(MIN_RATE_FRACTION);
        let accepted = Rate::per_second(s.accepted(now)).unwrap_or(floor);
        let at_most = s.current.scaled(LOWER_AT_MOST);
        let at_least = s.current.scaled(LOWER_AT_LEAST);
        let mut next = if accepted < at_least {
            at_least
        } else if accepted > at_most {
            at_most
        } else {
            accepted
        };
        if next < floor {
            next = floor;
        }
        let below_failed = s.current.scaled(BELOW_FAILED);
        let learned = if accepted > below_failed {
            accepted
        } else {
            below_failed
        };
        s.learned = Some(if learned > next { learned } else { next });
        s.last_cut = Some(now);
        s.set_rate(next, now);
    }

    /// Called on a response that was not a 429: counts it as accepted, and raises a lowered
    /// rate: quickly back to the learned rate, slowly above it.
    pub fn on_success(&self) {
        let now = Instant::now();
        let mut s = self.lock();
        s.refusals = None;
        if s.lockout.is_some_and(|l| l.until <= now) {
            s.lockout = None;
        }
        s.answered.push_back(now);
        if s.answered.len() > 4096 {
            s.accepted(now);
        }
        if s.probe_from.is_some() && now.duration_since(s.last_change) >= PROBE_INTERVAL {
            // The probe held: its rate is the one to go back to from now on.
            s.probe_from = None;
        }
        if s.current >= s.ceiling || s.paused_until > now {
            return;
        }
        let quiet = |d: Duration| s.last_429.is_none_or(|t| now.duration_since(t) >= d);
        let below_learned = s.learned.is_some_and(|l| s.current < l);
        let (step, factor) = match s.learned {
            Some(_) if below_learned => (QUICK_STEP, QUICK_FACTOR),
            Some(_) => (PROBE_INTERVAL, PROBE_FACTOR),
            None => (RECOVERY_INTERVAL, INCREASE_FACTOR),
        };
        if now.duration_since(s.last_change) < step || !quiet(step) {
            return;
        }
        let mut next = s.current.scaled(factor);
        if let Some(learned) = s.learned
            && below_learned
            && next > learned
        {
            next = learned;
        }
        if next > s.ceiling {
            next = s.ceiling;
        }
        if let Some(learned) = s.learned
            && next > learned
        {
            // Probing above the learned rate: the server's limit may have risen.
            s.probe_from = Some(s.current);
            s.learned = Some(next);
        } else {
            s.probe_from = None;
        }
        s.set_rate(next, now);
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

    /// A server that takes at most `limit` requests in any sliding second (every request
    /// counted), for the pacer to meet on tokio's paused clock.
    struct WindowServer {
        limit: usize,
        times: std::collections::VecDeque<Instant>,
    }

    impl WindowServer {
        fn hit(&mut self, now: Instant) -> bool {
            while self
                .times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
            {
                self.times.pop_front();
            }
            self.times.push_back(now);
            self.times.len() <= self.limit
        }
    }

    /// Sends through `pacer` for `secs` seconds of paused time to a server that takes at
    /// most `limit` requests in any second: the requests accepted in each second.
    async fn drive(pacer: &Pacer, limit: usize, secs: u64) -> Vec<usize> {
        let mut server = WindowServer {
            limit,
            times: Default::default(),
        };
        let start = Instant::now();
        let mut per_second = vec![0usize; secs as usize];
        loop {
            pacer.acquire().await;
            let now = Instant::now();
            let at = now.duration_since(start).as_secs();
            if at >= secs {
                return per_second;
            }
            if server.hit(now) {
                per_second[at as usize] += 1;
                pacer.on_success();
            } else {
                pacer.on_rate_limited(Some(Duration::from_secs(1)));
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_isolated_429_costs_no_more_than_its_retry_after_and_keeps_the_rate() {
        let ten = Rate::per_second(10.0).expect("valid");
        let pacer = Pacer::new(ten);
        let start = Instant::now();
        pacer.on_rate_limited(Some(Duration::from_secs(1)));
        pacer.acquire().await;
        assert!(
            start.elapsed() <= Duration::from_secs(1),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(pacer.current_rate(), ten, "an isolated 429 keeps the rate");
        // A long Retry-After (a lock the server announces) is waited out whole.
        let start = Instant::now();
        tokio::time::advance(REPEAT_WINDOW).await;
        let start_hold = Instant::now();
        pacer.on_rate_limited(Some(Duration::from_secs(30)));
        pacer.acquire().await;
        assert!(start_hold.elapsed() >= Duration::from_secs(30));
        assert!(start.elapsed() < Duration::from_secs(40));
    }

    #[tokio::test(start_paused = true)]
    async fn repeated_429s_converge_just_under_the_servers_rate_and_stay() {
        // Asked for 30/s against a server that takes 20 in any second.
        let pacer = Pacer::new(Rate::per_second(30.0).expect("valid"));
        let per_second = drive(&pacer, 20, 40).await;
        let settled = &per_second[5..];
        let low = settled.iter().copied().min().unwrap_or(0);
        assert!(
            low >= 18,
            "every second after the first five takes at least 18: {per_second:?}"
        );
        let rate = pacer.current_rate().as_per_second();
        assert!((18.0..=21.0).contains(&rate), "{rate}");
        let total: usize = settled.iter().sum();
        assert!(
            total as f64 >= 0.92 * 20.0 * settled.len() as f64,
            "{per_second:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_under_the_servers_never_meets_a_429() {
        let pacer = Pacer::new(Rate::per_second(20.0).expect("valid"));
        let per_second = drive(&pacer, 20, 20).await;
        assert_eq!(pacer.learned_rate(), None, "no 429: {per_second:?}");
        assert!(per_second[1..].iter().all(|&n| n >= 19), "{per_second:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn rate_never_drops_below_floor() {
        let pacer = Pacer::new(Rate::per_second(10.0).expect("valid"));
        for _ in 0..50 {
            tokio::time::advance(Duration::from_millis(500)).await;
            // Some requests answered between the 429s: a limit, not a lock-out.
            pacer.on_success();
            pacer.on_rate_limited(None);
        }
        let r = pacer.current_rate().as_per_second();
        assert!((r - 1.0).abs() < 1e-9, "{r}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_probing_pacer_climbs_to_its_ceiling() {
        let five = Rate::per_second(5.0).expect("valid");
        let pacer = Pacer::probing(five, Rate::per_second(20.0).expect("valid"));
        for _ in 0..100 {
            tokio::time::advance(RECOVERY_INTERVAL).await;
            pacer.on_success();
        }
        assert_eq!(
            pacer.current_rate().as_per_second(),
            20.0,
            "climbed to the ceiling"
        );
        // A plain pacer never goes above its rate.
        let plain = Pacer::new(five);
        tokio::time::advance(RECOVERY_INTERVAL).await;
        plain.on_success();
        assert_eq!(plain.current_rate(), five);
    }

    const MINUTE: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn a_lock_out_beyond_max_wait_stops_at_once_and_holds_nothing() {
        let pacer = Pacer::new(Rate::per_second(20.0).expect("valid")).with_max_wait(MINUTE);
        let start = Instant::now();
        let refusal = pacer.on_rate_limited(Some(20 * MINUTE));
        let Refusal::Stop(lock) = refusal else {
            panic!("a 20-minute lock-out with --max-wait 1m stops: {refusal:?}");
        };
        assert_eq!(lock.announced, Some(20 * MINUTE));
        assert_eq!(lock.until - lock.began, 20 * MINUTE);
        // Those waiting see the stop; nothing waits 20 minutes for it.
        assert_eq!(pacer.wait_lockout().await, Err(lock));
        pacer.acquire().await;
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(
            pacer.lockout(),
            None,
            "a lock-out that stops the run is not waited"
        );
        // The requests still in flight when it came are refused the same way.
        assert!(matches!(
            pacer.on_rate_limited(Some(20 * MINUTE)),
            Refusal::Stop(_)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_lock_out_within_max_wait_holds_every_request_until_its_end_and_keeps_the_rate() {
        let twenty = Rate::per_second(20.0).expect("valid");
        let pacer = Pacer::new(twenty);
        let start = Instant::now();
        let Refusal::Wait(lock) = pacer.on_rate_limited(Some(2 * MINUTE)) else {
            panic!("a 2-minute lock-out is waited out under the default --max-wait");
        };
        assert_eq!(pacer.lockout(), Some(lock));
        // Answers to requests sent before it do not lengthen it.
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(
            pacer.on_rate_limited(Some(Duration::from_secs(119))),
            Refusal::Wait(lock)
        );
        assert_eq!(pacer.wait_lockout().await, Ok(()));
        pacer.acquire().await;
        let waited = start.elapsed();
        assert!(
            waited >= 2 * MINUTE && waited < 2 * MINUTE + Duration::from_secs(1),
            "{waited:?}"
        );
        assert_eq!(pacer.current_rate(), twenty, "a lock-out is not a rate");
        pacer.on_success();
        assert_eq!(pacer.lockout(), None);
        // The pipe runs at the rate again at once.
        let seconds = drive(&pacer, 20, 3).await;
        assert!(seconds.iter().all(|&n| n >= 19), "{seconds:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn refusals_without_retry_after_for_seconds_are_a_lock_out_tried_again_less_and_less_often()
     {
        let twenty = Rate::per_second(20.0).expect("valid");
        let pacer = Pacer::new(twenty);
        let start = Instant::now();
        // The server refuses everything for 40 s and says nothing of how long.
        let locked_until = start + Duration::from_secs(40);
        let mut tries_while_locked = Vec::new();
        let mut locked_at = None;
        loop {
            pacer.acquire().await;
            let now = Instant::now();
            if now >= locked_until {
                pacer.on_success();
                break;
            }
            match pacer.on_rate_limited(None) {
                Refusal::Limited => assert!(locked_at.is_none(), "a lock-out once read stays one"),
                Refusal::Wait(lock) => {
                    assert_eq!(lock.announced, None);
                    assert_eq!(lock.began, start, "it began with the first refusal");
                    locked_at.get_or_insert(now);
                    tries_while_locked.push(now - start);
                }
                Refusal::Stop(lock) => panic!("40 s is within 15 min: {lock:?}"),
            }
        }
        let locked_at = locked_at.expect("read as a lock-out") - start;
        assert!(
            locked_at >= lockout::SILENT_FOR
                && locked_at < lockout::SILENT_FOR + Duration::from_secs(1),
            "read as a lock-out after {locked_at:?}"
        );
        // Tried again after 5 s, then after what it had lasted (at most 30 s): few requests.
        let gaps: Vec<Duration> = tries_while_locked.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps.windows(2).all(|g| g[1] >= g[0]), "{gaps:?}");
        assert!(
            gaps.iter()
                .all(|g| *g >= lockout::FIRST_TRY && *g <= lockout::LONGEST_TRY),
            "{gaps:?}"
        );
        assert!(tries_while_locked.len() <= 4, "{tries_while_locked:?}");
        // Served again within one try of its end, at the rate before it.
        let served = start.elapsed();
        assert!(
            served < Duration::from_secs(40) + lockout::LONGEST_TRY,
            "{served:?}"
        );
        assert_eq!(
            pacer.current_rate(),
            twenty,
            "its end goes back to the rate before it"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn refusals_without_retry_after_beyond_max_wait_stop() {
        let pacer = Pacer::new(Rate::per_second(20.0).expect("valid")).with_max_wait(MINUTE);
        let start = Instant::now();
        let stopped = loop {
            pacer.acquire().await;
            match pacer.on_rate_limited(None) {
                Refusal::Stop(lock) => break lock,
                Refusal::Wait(_) | Refusal::Limited => {}
            }
            assert!(start.elapsed() < 2 * MINUTE, "never stopped");
        };
        assert_eq!(stopped.began, start);
        assert!(stopped.until - stopped.began > MINUTE);
        assert!(
            start.elapsed() <= MINUTE,
            "stopped within --max-wait: {:?}",
            start.elapsed()
        );
    }
}
