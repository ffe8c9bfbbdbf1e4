//! A lock-out on demand: after a number of API requests, every API request is refused with
//! 429 for a while, as a vendor limit with a "lock period" does (Zoho documents "lock period is
//! 10 min" for some URLs; no page says what the answer carries, so the `Retry-After` is a
//! choice: given, or left out).

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// When and how long the sandbox locks requests out (`lockout` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockoutPlan {
    /// API requests answered normally (counted from when the plan was set) before it begins.
    #[serde(default)]
    pub after_requests: u64,
    /// How long it lasts, in seconds.
    pub secs: u64,
    /// Whether the 429s say how long is left (`Retry-After`); `false`: they say nothing.
    #[serde(default = "yes")]
    pub retry_after: bool,
}

fn yes() -> bool {
    true
}

/// Where a plan has got to.
#[derive(Debug, Clone, Default)]
pub struct LockoutState {
    /// API requests seen since the plan was set.
    seen: u64,
    /// When the lock-out ends, once it began.
    until: Option<Instant>,
}

impl LockoutState {
    /// Counts one API request arriving `now` under `plan`: `Some(left)` when it is locked out
    /// (`left` is what remains of the lock-out).
    pub fn hit(&mut self, plan: Option<&LockoutPlan>, now: Instant) -> Option<Duration> {
        let plan = plan?;
        self.seen += 1;
        if self.until.is_none() && self.seen > plan.after_requests {
            self.until = Some(now + Duration::from_secs(plan.secs));
        }
        let left = self.until?.checked_duration_since(now)?;
        (!left.is_zero()).then_some(left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_requests_it_lets_through_and_for_its_length() {
        let plan = LockoutPlan {
            after_requests: 2,
            secs: 10,
            retry_after: true,
        };
        let mut state = LockoutState::default();
        let t0 = Instant::now();
        assert_eq!(state.hit(Some(&plan), t0), None);
        assert_eq!(state.hit(Some(&plan), t0), None);
        assert_eq!(state.hit(Some(&plan), t0), Some(Duration::from_secs(10)));
        let later = t0 + Duration::from_secs(4);
        assert_eq!(state.hit(Some(&plan), later), Some(Duration::from_secs(6)));
        assert_eq!(state.hit(Some(&plan), t0 + Duration::from_secs(10)), None);
        assert_eq!(state.hit(Some(&plan), t0 + Duration::from_secs(11)), None);
        assert_eq!(LockoutState::default().hit(None, t0), None);
    }

    #[test]
    fn a_plan_reads_from_json_with_retry_after_by_default() {
        let plan: LockoutPlan = serde_json::from_str(r#"{"secs": 1200}"#).expect("plan");
        assert_eq!(plan.after_requests, 0);
        assert!(plan.retry_after);
        assert!(serde_json::from_str::<LockoutPlan>(r#"{"secs": 1, "x": 1}"#).is_err());
    }
}
