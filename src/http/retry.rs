//! Retry policy: exponential backoff with jitter, and `Retry-After` parsing.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::RngExt;

/// How failed attempts are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (`--max-retries`).
    pub max_retries: u32,
    /// The backoff before the first retry (before jitter).
    pub base_delay: Duration,
    /// The backoff never grows beyond this (before jitter).
    pub max_delay: Duration,
    /// A 5xx's `Retry-After` is waited out up to this.
    pub max_retry_after: Duration,
    /// `--max-wait`: a lock-out ([`super::lockout`]) that would last longer is not waited
    /// out: the request ends as [`QuotaExhausted`](super::Outcome::QuotaExhausted) so that
    /// the run stops, resumable.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
            max_wait: super::lockout::DEFAULT_MAX_WAIT,
        }
    }
}

impl RetryPolicy {
    /// The backoff before retry number `retry` (0 for the first retry), before jitter:
    /// `base_delay × 2^retry`, at most `max_delay`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(31));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The backoff with "equal jitter": uniformly in `[backoff / 2, backoff]`, so that workers
    /// that failed together do not retry together, yet every wait still grows.
    pub fn jittered_backoff(&self, retry: u32) -> Duration {
        let full = self.backoff(retry);
        let half = full / 2;
        let spread = (full - half).as_nanos().min(u128::from(u64::MAX)) as u64;
        let extra = if spread == 0 {
            0
        } else {
            rand::rng().random_range(0..=spread)
        };
        half + Duration::from_nanos(extra)
    }

    /// How long to wait before retry number `retry`: the server's `Retry-After` when it gave
    /// one (plus up to 10% of jitter), else the jittered backoff.
    pub fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(after) => {
                let spread = (after / 10).as_millis().min(u128::from(u64::MAX)) as u64;
                let extra = if spread == 0 {
                    0
                } else {
                    rand::rng().random_range(0..=spread)
                };
                after + Duration::from_millis(extra)
            }
            None => self.jittered_backoff(retry),
        }
    }
}

/// Parses a `Retry-After` value: delay seconds ("120") or an HTTP date
/// ("Wed, 21 Oct 2015 07:28:00 GMT"; also the RFC 850 and asctime forms), relative to `now`.
/// A date in the past means "now" (zero). `None` for anything else.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(Duration::from_secs);
    }
    let when = parse_http_date(value)?;
    let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(when.saturating_sub(now)))
}

/// Parses an HTTP date (IMF-fixdate, or the obsolete RFC 850 and asctime forms a server may
/// still send, RFC 9110 5.6.7) into seconds since the Unix epoch.
pub fn parse_http_date(text: &str) -> Option<u64> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (day, month, year, time) = match words.as_slice() {
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        [_, day, month, year, time, "GMT"] => (*day, *month, year.parse::<i64>().ok()?, *time),
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        [_, date, time, "GMT"] => {
            let mut parts = date.split('-');
            let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
            let y: i64 = y.parse().ok()?;
            let y = match y {
                0..70 => 2000 + y,
                70..100 => 1900 + y,
                _ => y,
            };
            (d, m, y, *time)
        }
        // asctime: Sun Nov  6 08:49:37 1994
        [_, month, day, time, year] => (*day, *month, year.parse::<i64>().ok()?, *time),
        _ => return None,
    };
    // The date's words in one form jiff reads (and checks: no 31 November, no 25:00).
    let day: u32 = day.parse().ok()?;
    let at = jiff::fmt::strtime::parse(
        "%d %b %Y %H:%M:%S %z",
        format!("{day:02} {month} {year:04} {time} +0000"),
    )
    .ok()?
    .to_timestamp()
    .ok()?;
    u64::try_from(at.as_second()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_cases;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(0), Duration::from_millis(500));
        assert_eq!(p.backoff(1), Duration::from_secs(1));
        assert_eq!(p.backoff(3), Duration::from_secs(4));
        assert_eq!(p.backoff(10), Duration::from_secs(30));
        assert_eq!(p.backoff(u32::MAX), Duration::from_secs(30));
    }

    #[test]
    fn jitter_stays_within_bounds() {
        let p = RetryPolicy::default();
        for retry in 0..8 {
            let full = p.backoff(retry);
            let mut seen_low = false;
            let mut seen_high = false;
            for _ in 0..500 {
                let d = p.jittered_backoff(retry);
                assert!(
                    d >= full / 2 && d <= full,
                    "{d:?} outside [{:?}, {full:?}]",
                    full / 2
                );
                seen_low |= d < full * 3 / 4;
                seen_high |= d > full * 3 / 4;
            }
            assert!(seen_low && seen_high, "jitter should spread over the range");
        }
    }

    #[test]
    fn wait_honours_retry_after() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let d = p.wait(0, Some(Duration::from_secs(10)));
            assert!(
                d >= Duration::from_secs(10) && d <= Duration::from_secs(11),
                "{d:?}"
            );
        }
        assert_eq!(p.wait(0, Some(Duration::ZERO)), Duration::ZERO);
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_cases(
            |text| parse_retry_after(text, now),
            [
                ("120", Some(Duration::from_secs(120))),
                (" 0 ", Some(Duration::ZERO)),
                (
                    "Sun, 06 Nov 1994 08:50:37 GMT",
                    Some(Duration::from_secs(60)),
                ),
                (
                    "Sunday, 06-Nov-94 08:49:47 GMT",
                    Some(Duration::from_secs(10)),
                ),
                ("Sun Nov  6 08:49:39 1994", Some(Duration::from_secs(2))),
                // A date in the past: retry now.
                ("Sat, 05 Nov 1994 08:49:37 GMT", Some(Duration::ZERO)),
                // Junk: no wait of the server's.
                ("", None),
                ("-1", None),
                ("1.5", None),
                ("soon", None),
                ("Sun, 06 Foo 1994 08:49:37 GMT", None),
                ("Sun, 32 Nov 1994 08:49:37 GMT", None),
                ("Sun, 06 Nov 1994 25:00:00 GMT", None),
            ],
        );
    }

    #[test]
    fn http_dates() {
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(1_445_412_480)
        );
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2028 12:00:00 GMT"),
            Some(1_835_438_400)
        );
        // The obsolete forms RFC 9110 asks a recipient to read.
        assert_eq!(
            parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date("Sun Nov  6 08:49:37 1994"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_http_date("Tue, 29 Feb 2027 12:00:00 GMT"), None);
    }
}
