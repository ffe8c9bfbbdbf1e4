//! After the stream: the creates whose outcome is unknown are looked for on the target (one
//! listing per round), once a late write can no longer land; what certainly did not happen is
//! sent again, for a few rounds. What is still unsettled afterwards stays in the journal for
//! the next run.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::engine::{Engine, Task, Unsettled};
use super::key::RemoteIndex;
use crate::checkpoint::{Action, RowOutcome};
use crate::executor::{Executor, Pending, Settling};

/// Rounds of "reconcile the unknown, retry what certainly failed" after the stream.
pub const SETTLE_ROUNDS: u32 = 4;

impl Engine {
    /// Settles the unknown creates, then sends again what certainly did not happen, for a few
    /// rounds. `say` tells the user what the run waits for.
    pub async fn settle(self: Arc<Self>, say: &dyn Fn(&str)) {
        crate::executor::settle_rounds(Arc::clone(&self), SETTLE_ROUNDS, say).await;
        let unsettled = self.unsettled();
        self.left.fetch_add(unsettled, Ordering::Relaxed);
    }

    /// Looks for `unknown` in one listing of their parents' records (see [`Engine::reconcile`]);
    /// when the listing fails, the run stops and they all stay unknown.
    async fn look_for(&self, unknown: Vec<Unsettled>) -> Vec<Unsettled> {
        let parents: BTreeSet<String> = unknown.iter().map(|u| u.task.parent.clone()).collect();
        let parents: Vec<String> = parents.into_iter().collect();
        match self.index(&parents).await {
            Ok(index) => {
                self.reconcile(unknown, &index);
                Vec::new()
            }
            Err(message) => {
                self.exec.stop(format!(
                    "cannot look for the records whose creation is unknown: {message}"
                ));
                unknown
            }
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
                    self.pending.again(task);
                }
                many => {
                    let ids: Vec<&str> = many.iter().map(|r| r.id.as_str()).collect();
                    let message = format!(
                        "the create's answer was lost, and {} records now have this key ({}): check them by hand",
                        ids.len(),
                        ids.join(", ")
                    );
                    self.failed(intent, &task, "conflict", &message);
                }
            }
        }
    }
}

impl Settling for Engine {
    type Item = Task;
    type Unknown = Unsettled;

    fn executor(&self) -> &Executor {
        &self.exec
    }

    fn send(self: Arc<Self>, task: Task) -> impl Future<Output = ()> + Send + 'static {
        self.execute(task)
    }

    fn pending(&self) -> &Pending<Task, Unsettled> {
        &self.pending
    }

    fn ready_ms(&self, u: &Unsettled) -> u64 {
        u.ready_ms
    }

    fn waiting_note(&self, young: usize, wait: Duration) -> Option<String> {
        Some(self.late.waiting_note(young, wait))
    }

    fn look_up(&self, unknown: Vec<Unsettled>) -> impl Future<Output = Vec<Unsettled>> + Send {
        self.look_for(unknown)
    }
}
