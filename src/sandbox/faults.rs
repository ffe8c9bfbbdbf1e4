//! Injected trouble: the global token-bucket rate limit, sliding-window limits (Zoho OAuth,
//! Zoho Books), and the seeded choice of which requests fail (500) or succeed unseen (502).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// A small deterministic random generator (SplitMix64): the sandbox's choices follow its seed.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `n` lowercase hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n + 16);
        while s.len() < n {
            s.push_str(&format!("{:016x}", self.next_u64()));
        }
        s.truncate(n);
        s
    }

    /// `n` characters from `[A-Za-z0-9]`.
    pub fn alnum(&mut self, n: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..n)
            .map(|_| A[(self.next_u64() % A.len() as u64) as usize] as char)
            .collect()
    }

    /// A version-4-shaped UUID.
    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }
}

/// What the fault injector decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Handle it normally.
    None,
    /// Answer 500 and change nothing.
    Fail,
    /// Apply it, then answer 502.
    Ambiguous,
}

/// Draws the fault of the next request: `Fail` with probability `fault_rate`, `Ambiguous` with
/// `ambiguous_rate`.
pub fn draw(rng: &mut SplitMix, fault_rate: f64, ambiguous_rate: f64) -> Fault {
    if fault_rate <= 0.0 && ambiguous_rate <= 0.0 {
        return Fault::None;
    }
    let x = rng.next_f64();
    if x < fault_rate {
        Fault::Fail
    } else if x < fault_rate + ambiguous_rate {
        Fault::Ambiguous
    } else {
        Fault::None
    }
}

/// A token bucket holding at most about one second of requests (at least one), refilled
/// continuously: a client that paces itself at the rate is never refused.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub fn new(rate_per_sec: f64, now: Instant) -> Self {
        let capacity = rate_per_sec.max(1.0);
        TokenBucket {
            rate: rate_per_sec,
            capacity,
            tokens: capacity,
            last: now,
        }
    }

    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Takes a token, or says how long until one is there.
    pub fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / self.rate))
        }
    }
}

/// The `Retry-After` value (whole seconds, at least 1) for a wait.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

/// A window that counts every event, admitted or not: the times of those in the last `window`.
#[derive(Debug, Clone, Default)]
pub struct CountingWindow {
    times: VecDeque<Instant>,
}

impl CountingWindow {
    /// Counts an event at `now`; refuses it (with the wait until the oldest event leaves the
    /// window) when the window then holds more than `limit`.
    pub fn hit(&mut self, now: Instant, window: Duration, limit: u32) -> Result<(), Duration> {
        while let Some(&t) = self.times.front() {
            if now.saturating_duration_since(t) >= window {
                self.times.pop_front();
            } else {
                break;
            }
        }
        self.times.push_back(now);
        if self.times.len() > limit as usize {
            let oldest = self.times.front().copied().unwrap_or(now);
            return Err(window.saturating_sub(now.saturating_duration_since(oldest)));
        }
        Ok(())
    }
}

/// At most `limit` events in any `window`: the times of the recent ones.
#[derive(Debug, Clone, Default)]
pub struct SlidingWindow {
    times: VecDeque<Instant>,
}

impl SlidingWindow {
    /// Records an event if fewer than `limit` happened in the last `window`; else says when the
    /// oldest of them leaves the window.
    pub fn try_record(
        &mut self,
        now: Instant,
        window: Duration,
        limit: u32,
    ) -> Result<(), Duration> {
        while let Some(&t) = self.times.front() {
            if now.saturating_duration_since(t) >= window {
                self.times.pop_front();
            } else {
                break;
            }
        }
        if self.times.len() >= limit as usize {
            let oldest = self.times.front().copied().unwrap_or(now);
            return Err(window.saturating_sub(now.saturating_duration_since(oldest)));
        }
        self.times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_deterministic() {
        let mut a = SplitMix::new(7);
        let mut b = SplitMix::new(7);
        assert_eq!(a.next_u64(), b.next_u64());
        let u = a.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(a.alnum(22).bytes().all(|c| c.is_ascii_alphanumeric()));
        assert!((0..1000).all(|_| (0.0..1.0).contains(&a.next_f64())));
    }

    #[test]
    fn draw_follows_the_rates() {
        let mut r = SplitMix::new(1);
        assert!((0..100).all(|_| draw(&mut r, 0.0, 0.0) == Fault::None));
        assert!((0..100).all(|_| draw(&mut r, 1.0, 0.0) == Fault::Fail));
        assert!((0..100).all(|_| draw(&mut r, 0.0, 1.0) == Fault::Ambiguous));
        let fails = (0..10_000)
            .filter(|_| draw(&mut r, 0.3, 0.0) == Fault::Fail)
            .count();
        assert!((2500..3500).contains(&fails), "{fails}");
    }

    #[test]
    fn bucket_allows_a_burst_then_paced_requests() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(5.0, t0);
        for _ in 0..5 {
            assert!(b.take(t0).is_ok());
        }
        let wait = b.take(t0).expect_err("empty");
        assert!(wait <= Duration::from_millis(200));
        assert_eq!(retry_after_secs(wait), 1);
        // Paced at exactly the rate: never refused.
        for i in 1..=50 {
            assert!(b.take(t0 + Duration::from_millis(200 * i)).is_ok());
        }
        // Below one request per second, the bucket still holds one.
        let mut slow = TokenBucket::new(0.5, t0);
        assert!(slow.take(t0).is_ok());
        assert_eq!(retry_after_secs(slow.take(t0).expect_err("empty")), 2);
    }

    #[test]
    fn a_counting_window_counts_refused_events_too() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let w = Duration::from_secs(1);
        let mut c = CountingWindow::default();
        assert!(c.hit(t0, w, 2).is_ok());
        assert!(c.hit(t0, w, 2).is_ok());
        assert!(c.hit(t0 + ms(400), w, 2).is_err());
        // The first two have left the window; the refused one has not.
        assert!(c.hit(t0 + ms(1000), w, 2).is_ok());
        // A window of admitted requests would hold one here and take it; this one holds the
        // refused request too.
        assert!(c.hit(t0 + ms(1100), w, 2).is_err());
    }

    #[test]
    fn window_counts_recent_events() {
        let t0 = Instant::now();
        let w = Duration::from_secs(60);
        let mut s = SlidingWindow::default();
        for _ in 0..3 {
            assert!(s.try_record(t0, w, 3).is_ok());
        }
        assert!(s.try_record(t0 + Duration::from_secs(59), w, 3).is_err());
        assert!(s.try_record(t0 + Duration::from_secs(60), w, 3).is_ok());
    }
}
