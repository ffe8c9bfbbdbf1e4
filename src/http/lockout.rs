//! Lock-outs: an API that refuses every request for minutes rather than one request at a time
//! (Zoho documents "lock period is 10 min" for some URLs). The [`Pacer`](super::Pacer) holds
//! every request while one lasts and says when the run should stop instead of waiting.
//!
//! A lock-out is a 429 whose `Retry-After` is longer than [`LOCK_AFTER`] (the API said how
//! long), or 429s answering every request for [`SILENT_FOR`] with no `Retry-After` (it did
//! not: the pacer tries one request after [`FIRST_TRY`], then after twice as long each time,
//! up to [`LONGEST_TRY`]). It is waited out while its end stays within `--max-wait` of its
//! beginning; beyond that the run stops, resumable.

use std::fmt;
use std::time::Duration;

use tokio::time::Instant;

/// A `Retry-After` longer than this is a lock-out, not a request-by-request limit.
pub const LOCK_AFTER: Duration = Duration::from_secs(10);
/// 429s to every request for this long, without a `Retry-After`: a lock-out.
pub const SILENT_FOR: Duration = Duration::from_secs(5);
/// The 429s it takes (besides [`SILENT_FOR`]) to read a silence as a lock-out.
pub const SILENT_REFUSALS: u32 = 3;
/// How long an unannounced lock-out is first waited before one request tries again.
pub const FIRST_TRY: Duration = Duration::from_secs(5);
/// The longest wait between two tries of an unannounced lock-out.
pub const LONGEST_TRY: Duration = Duration::from_secs(30);
/// `--max-wait`'s default: a lock-out longer than this stops the run.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(15 * 60);

/// One lock-out being waited out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lockout {
    /// The first 429 of it.
    pub began: Instant,
    /// No request leaves before this: the announced end, or the next try.
    pub until: Instant,
    /// The `Retry-After` that announced it; `None` when 429s came without one.
    pub announced: Option<Duration>,
    /// The `--max-wait` it is measured against.
    pub max_wait: Duration,
}

/// What a 429 means for the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// An ordinary rate limit: the pacer holds or slows the pipe, the request is retried.
    Limited,
    /// A lock-out within `--max-wait`: the request waits for its end and is sent again.
    Wait(Lockout),
    /// A lock-out that would last beyond `--max-wait`: the run stops, resumable.
    Stop(Lockout),
}

impl Lockout {
    /// How long is left until the next request may leave.
    pub fn left(&self, now: Instant) -> Duration {
        self.until.saturating_duration_since(now)
    }

    /// How long it has lasted so far.
    pub fn lasted(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.began)
    }

    /// Whether waiting until [`Lockout::until`] stays within `--max-wait`.
    pub fn within_max_wait(&self) -> bool {
        self.until.saturating_duration_since(self.began) <= self.max_wait
    }

    /// What the progress line says while it lasts:
    /// `locked out by the API (HTTP 429, Retry-After 600 s): 9m32s left, stops after 15m`.
    pub fn progress(&self, now: Instant) -> String {
        let left = crate::clock::format_duration(self.left(now));
        let max = crate::clock::format_duration(self.max_wait);
        match self.announced {
            Some(_) => format!("locked out by the API ({self}): {left} left (--max-wait {max})"),
            None => format!(
                "locked out by the API ({self}) for {}: next try in {left} (--max-wait {max})",
                crate::clock::format_duration(self.lasted(now))
            ),
        }
    }

    /// Why the run stops: the lock, its length, `--max-wait`, and when to run again.
    pub fn stop_message(&self, now: Instant) -> String {
        let max = crate::clock::format_duration(self.max_wait);
        match self.announced {
            Some(after) => format!(
                "the API locked requests out ({self}): {} is longer than --max-wait {max}; \
                 run the same command again after {} (or give a longer --max-wait)",
                crate::clock::format_duration(after),
                wall_clock_after(self.left(now)),
            ),
            None => format!(
                "the API refused every request for {} ({self}), longer than --max-wait {max}; \
                 run the same command again later (or give a longer --max-wait)",
                crate::clock::format_duration(self.lasted(now)),
            ),
        }
    }
}

impl fmt::Display for Lockout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.announced {
            Some(after) => write!(f, "HTTP 429, Retry-After {} s", after.as_secs()),
            None => f.write_str("HTTP 429 to every request, no Retry-After"),
        }
    }
}

/// The UTC time of day `d` from now: `03:45:12 UTC`.
fn wall_clock_after(d: Duration) -> String {
    let at = crate::clock::now_ms() / 1000 + d.as_secs();
    let day = at % 86_400;
    format!(
        "{:02}:{:02}:{:02} UTC",
        day / 3600,
        day % 3600 / 60,
        day % 60
    )
}

/// Reads a `--max-wait` value: `90s`, `15m`, `1h`, or bare seconds, up to 7 days.
pub fn parse_max_wait(text: &str) -> Result<Duration, String> {
    crate::clock::parse_duration(text, &crate::clock::DurationForm::MAX_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_wait_reads_units() {
        assert_eq!(parse_max_wait("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_max_wait("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_max_wait("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_max_wait("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_max_wait("0"), Ok(Duration::ZERO));
        assert!(parse_max_wait("1d").is_err());
        assert!(parse_max_wait("m").is_err());
        assert!(parse_max_wait("-1m").is_err());
        assert!(parse_max_wait("100000h").is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn a_lock_reads_as_its_announcement_and_its_limit() {
        let now = Instant::now();
        let lock = Lockout {
            began: now,
            until: now + Duration::from_secs(1200),
            announced: Some(Duration::from_secs(1200)),
            max_wait: Duration::from_secs(60),
        };
        assert!(!lock.within_max_wait());
        let message = lock.stop_message(now);
        assert!(message.contains("Retry-After 1200 s"), "{message}");
        assert!(message.contains("--max-wait 1m"), "{message}");
        assert!(message.contains("UTC"), "{message}");
        let line = lock.progress(now + Duration::from_secs(60));
        assert!(line.contains("19m") && line.contains("left"), "{line}");
        let unannounced = Lockout {
            announced: None,
            until: now + Duration::from_secs(10),
            ..lock
        };
        assert!(unannounced.within_max_wait());
        assert!(unannounced.progress(now).contains("next try in"));
    }
}
