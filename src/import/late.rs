//! Writes whose answer never came: a create that timed out or lost its connection, or whose
//! run was killed while it was on the wire, may still be applied by the API afterwards (a
//! slow network, a busy server). It is unknown until it is older than the client's request
//! timeout plus a catch-up; only then does a listing of the target say whether it landed.

use std::time::Duration;

/// How long a write whose answer never came may still land.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LateWrites {
    /// The time limit of one request (`--request-timeout`).
    pub timeout: Duration,
    /// How long after that a write may still land (`--write-catch-up`).
    pub catch_up: Duration,
}

impl Default for LateWrites {
    fn default() -> Self {
        LateWrites {
            timeout: crate::http::DEFAULT_TIMEOUT,
            catch_up: DEFAULT_CATCH_UP,
        }
    }
}

/// The default of `--write-catch-up`.
pub const DEFAULT_CATCH_UP: Duration = Duration::from_secs(30);

impl LateWrites {
    /// From its request's departure, how long a write may still land.
    pub fn window(&self) -> Duration {
        self.timeout.saturating_add(self.catch_up)
    }

    /// When a write whose request left at `sent_ms` can no longer land (ms since the epoch).
    pub fn ready_ms(&self, sent_ms: u64) -> u64 {
        let window = u64::try_from(self.window().as_millis()).unwrap_or(u64::MAX);
        sent_ms.saturating_add(window)
    }

    /// True when a write whose request left at `sent_ms` may still land at `now_ms`.
    pub fn young(&self, sent_ms: u64, now_ms: u64) -> bool {
        self.ready_ms(sent_ms) > now_ms
    }

    /// What the wait for `n` such writes is, for the user: how long, and why.
    pub fn waiting_note(&self, n: usize, wait: Duration) -> String {
        format!(
            "waiting {:.1} s for {n} create(s) whose answer never came: one may still land until {} s after it was sent (request timeout {} s plus write catch-up {} s); then they are looked for on the target, and only the missing ones are created",
            wait.as_secs_f64(),
            seconds(self.window()),
            seconds(self.timeout),
            seconds(self.catch_up),
        )
    }
}

/// "90", "2.5": seconds as a person writes them.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_is_young_until_timeout_plus_catch_up() {
        let late = LateWrites {
            timeout: Duration::from_secs(2),
            catch_up: Duration::from_millis(1500),
        };
        assert_eq!(late.window(), Duration::from_millis(3500));
        assert_eq!(late.ready_ms(10_000), 13_500);
        assert!(late.young(10_000, 13_499));
        assert!(!late.young(10_000, 13_500));
        // A journal that kept no time: long ago.
        assert!(!late.young(0, 10_000));
        let note = late.waiting_note(3, Duration::from_millis(2500));
        assert!(note.starts_with("waiting 2.5 s for 3 create(s)"), "{note}");
        assert!(note.contains("3.5 s after it was sent"), "{note}");
        assert!(
            note.contains("request timeout 2 s plus write catch-up 1.5 s"),
            "{note}"
        );
    }

    #[test]
    fn the_defaults_are_a_minute_and_a_half() {
        assert_eq!(LateWrites::default().window(), Duration::from_secs(90));
    }
}
