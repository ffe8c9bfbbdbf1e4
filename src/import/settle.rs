//! After the stream: the creates whose outcome is unknown are looked for on the target (one
//! listing per round), once a late write can no longer land; what certainly did not happen is
//! sent again, for a few rounds. What is still unsettled afterwards stays in the journal for
//! the next run.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::engine::{Engine, Unsettled, lock};
use super::key::RemoteIndex;
use crate::checkpoint::{Action, RowOutcome, now_ms};

/// Rounds of "reconcile the unknown, retry what certainly failed" after the stream.
pub const SETTLE_ROUNDS: u32 = 4;

impl Engine {
    /// Settles the unknown creates, then sends again what certainly did not happen, for a few
    /// rounds. `say` tells the user what the run waits for.
    pub async fn settle(self: Arc<Self>, say: &dyn Fn(&str)) {
        // The items the last round sent again (none yet).
        let mut tried = 0;
        for round in 0..SETTLE_ROUNDS {
            if self.exec.stopped().is_some() {
                break;
            }
            let unknown = std::mem::take(&mut *lock(&self.unknown));
            if !unknown.is_empty() {
                if !self.wait_for_late_writes(&unknown, say).await {
                    lock(&self.unknown).extend(unknown);
                    break;
                }
                let parents: BTreeSet<String> =
                    unknown.iter().map(|u| u.task.parent.clone()).collect();
                let parents: Vec<String> = parents.into_iter().collect();
                match self.index(&parents).await {
                    Ok(index) => self.reconcile(unknown, &index),
                    Err(message) => {
                        lock(&self.unknown).extend(unknown);
                        self.exec.stop(format!(
                            "cannot look for the records whose creation is unknown: {message}"
                        ));
                        break;
                    }
                }
            }
            let retry = std::mem::take(&mut *lock(&self.retry));
            if retry.is_empty() {
                if lock(&self.unknown).is_empty() {
                    break;
                }
                continue;
            }
            let pause = crate::executor::round_pause(round, tried, retry.len());
            tried = retry.len();
            crate::executor::retry_round(pause, retry, |task| Arc::clone(&self).execute(task))
                .await;
        }
        let unsettled = self.unsettled();
        self.left.fetch_add(unsettled, Ordering::Relaxed);
    }

    /// Waits until no create of `unknown` can still land (or the run stops: false), saying
    /// how long when there is a wait.
    async fn wait_for_late_writes(&self, unknown: &[Unsettled], say: &dyn Fn(&str)) -> bool {
        let now = now_ms();
        let young = unknown.iter().filter(|u| u.ready_ms > now).count();
        let ready = unknown.iter().map(|u| u.ready_ms).max().unwrap_or(0);
        let wait = Duration::from_millis(ready.saturating_sub(now));
        if wait.is_zero() {
            return true;
        }
        say(&self.late.waiting_note(young, wait));
        tokio::select! {
            biased;
            _ = self.exec.wait_stop() => false,
            _ = tokio::time::sleep(wait) => true,
        }
    }

    /// Settles creates of unknown outcome against a fresh listing: found once, it was
    /// created; not found, it was not (and goes to the retry list); found more than once,
    /// the key is ambiguous and the row is reported.
    pub fn reconcile(&self, unknown: Vec<Unsettled>, index: &RemoteIndex) {
        for Unsettled { intent, task, .. } in unknown {
            let Some(key) = task.find_key.as_deref() else {
                // Nothing to look for it by.
                self.outcome_unknown(intent, &task);
                continue;
            };
            let found = index.find(&task.parent, key);
            match found.as_slice() {
                [one] => {
                    let id = one.id.clone();
                    self.done(intent, &task, Action::Created, &id);
                }
                [] => {
                    self.record(intent, RowOutcome::not_applied(task.row));
                    lock(&self.retry).push(task);
                }
                many => {
                    let ids: Vec<&str> = many.iter().map(|r| r.id.as_str()).collect();
                    let message = format!(
                        "the create's answer was lost, and {} records now have this key ({}): check them by hand",
                        ids.len(),
                        ids.join(", ")
                    );
                    self.failed(Some(intent), &task, "conflict", &message);
                }
            }
        }
    }
}
