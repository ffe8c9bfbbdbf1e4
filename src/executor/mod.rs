//! The journaled executor that `import`, `sms` and `undo` share. Every change to remote state
//! goes through four steps, in this order:
//!
//! 1. **reserve**: a concurrency slot, a rate permit and a live access token
//!    ([`HttpClient::reserve`]). A change waits here, not in the journal, for its turn; the
//!    wait is abandoned as soon as the run stops (a signal, a quota, a fatal error).
//! 2. **intent**: the change is recorded in the journal and made durable.
//! 3. **send**: through the reserved client, which leaves at once.
//! 4. **outcome**: every answer reads into one [`Settle`]; [`Executor::apply`] journals it
//!    (failed, unknown, not applied) and stops the run when it must, and the caller records
//!    what it alone knows (the ids of a change done) before it drops its [`Turn`], which
//!    frees the slot.
//!
//! So the intents open at any instant (recorded, with no outcome) are never more than the
//! concurrency in use: a run killed at any moment leaves at most that many changes "in
//! flight", and everything else is simply still to do. An answer that does not say whether
//! the change happened is recorded as unknown ([`RowOutcome::unknown`]): no longer in flight,
//! reconciled against the target before anything is sent again.
//!
//! After the stream, one loop ([`settle_rounds`]) looks for the unknown changes and sends
//! again what certainly did not happen, for import, sms and undo alike ([`Settling`]).

mod rounds;
mod settle;

pub use rounds::{Pending, Settling, round_pause, run_all, settle_rounds};
pub use settle::{Next, Settle};

use crate::checkpoint::{IntentId, IntentSpec, Journal, RowOutcome};
use crate::error::Error;
use crate::http::HttpClient;
use crate::scopes::{Access, Api};
use crate::stop;
use crate::stop::Halt;

/// A change whose intent is durable and whose request may leave now.
#[derive(Debug)]
pub struct Turn {
    pub intent: IntentId,
    /// The reserved client: send the change's requests through it.
    pub client: HttpClient,
}

/// What a change is, as [`Executor::apply`] journals its answer.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// The input rows the change carries.
    pub rows: &'a [u64],
    /// The API and the kind of change: what a refused account is told it needs.
    pub api: Api,
    pub op: Access,
    /// Whether a change whose answer was lost may simply be sent again (an update, a
    /// delete); otherwise (a create, a send) it is looked for on the target first.
    pub repeatable: bool,
}

/// The journal, the client and the stop state of a run.
#[derive(Debug)]
pub struct Executor {
    pub http: HttpClient,
    pub journal: Journal,
    halt: Halt,
}

impl Executor {
    pub fn new(http: HttpClient, journal: Journal) -> Executor {
        Executor {
            http,
            journal,
            halt: Halt::default(),
        }
    }

    /// Why the run stopped, if it did (a signal counts from the moment it arrives).
    pub fn stopped(&self) -> Option<String> {
        if stop::requested() {
            self.halt.stop(stop::message());
        }
        self.halt.stopped()
    }

    /// Stops the run for `message` (the first reason is kept).
    pub fn stop(&self, message: String) {
        self.halt.stop(message);
    }

    /// Records a fatal error and stops the run.
    pub fn fatal(&self, e: Error) {
        self.halt.fatal(e);
    }

    /// Takes the fatal error, if one happened.
    pub fn take_fatal(&self) -> Option<Error> {
        self.halt.take_fatal()
    }

    /// Waits until the run stops, by a signal or a reason of its own.
    pub async fn wait_stop(&self) {
        tokio::select! {
            _ = stop::wait() => {}
            _ = self.halt.wait() => {}
        }
    }

    /// Steps 1 and 2: waits for a turn, then records the intent. `None` when the run stopped
    /// first (nothing was recorded or sent: the rows are still to do).
    pub async fn begin(&self, spec: IntentSpec<'_>) -> Option<Turn> {
        if self.stopped().is_some() {
            return None;
        }
        let reserved = tokio::select! {
            biased;
            _ = self.wait_stop() => return None,
            r = self.http.reserve() => r,
        };
        let client = match reserved {
            Ok(client) => client,
            Err(outcome) => {
                let message = outcome
                    .stop_message()
                    .unwrap_or_else(|| "no access token could be had".to_string());
                if outcome.is_denied() {
                    self.fatal(Error::Access(message));
                } else {
                    self.stop(message);
                }
                return None;
            }
        };
        if self.stopped().is_some() {
            return None;
        }
        match self.journal.record_intent(&spec).await {
            Ok(intent) => Some(Turn { intent, client }),
            Err(e) => {
                self.fatal(e.into());
                None
            }
        }
    }

    /// Step 4: records the outcome of `intent` for some or all of its rows (a failure to
    /// write it is fatal: the run stops).
    pub fn record(&self, intent: IntentId, outcomes: &[RowOutcome]) {
        if outcomes.is_empty() {
            return;
        }
        if let Err(e) = self.journal.outcome(intent, outcomes) {
            self.fatal(e.into());
        }
    }
}

impl Executor {
    /// Step 4 for the answers every change shares: journals `settle` for the change's rows and
    /// stops the run when it says so (an account refused is fatal); what is left to do is the
    /// caller's ([`Next`]). A change done is journaled by the caller, which knows its ids.
    pub fn apply<T>(&self, turn: &Turn, change: &Change<'_>, settle: Settle<T>) -> Next<T> {
        let each = |outcome: &dyn Fn(u64) -> RowOutcome| -> Vec<RowOutcome> {
            change.rows.iter().map(|&row| outcome(row)).collect()
        };
        match settle {
            Settle::Done(done) => Next::Done(done),
            Settle::Failed { code, message, .. } => {
                let code = code.unwrap_or_else(|| "remote_error".into());
                self.record(
                    turn.intent,
                    &each(&|row| RowOutcome::failed(row, &code, &message)),
                );
                Next::Failed { code, message }
            }
            Settle::Ambiguous { lost_at, .. } if !change.repeatable => {
                let outcome = |row| match lost_at {
                    Some(sent_ms) => RowOutcome::lost(row, sent_ms),
                    None => RowOutcome::unknown(row),
                };
                self.record(turn.intent, &each(&outcome));
                Next::Unknown { lost_at }
            }
            Settle::Ambiguous { .. } | Settle::NotApplied { .. } => {
                self.not_applied(turn, change.rows);
                Next::Again
            }
            Settle::Stop { message, denied } => {
                self.not_applied(turn, change.rows);
                if denied {
                    let told = crate::scopes::refused_write(change.api, change.op, &message);
                    self.fatal(Error::Access(told));
                } else {
                    self.stop(message);
                }
                Next::Stopped
            }
        }
    }

    /// Journals `rows` of `turn`'s change as not applied: nothing of it happened.
    pub fn not_applied(&self, turn: &Turn, rows: &[u64]) {
        let outcomes: Vec<RowOutcome> = rows.iter().map(|&r| RowOutcome::not_applied(r)).collect();
        self.record(turn.intent, &outcomes);
    }
}
