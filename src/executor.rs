//! The journaled executor that `import`, `sms` and `undo` share. Every change to remote state
//! goes through four steps, in this order:
//!
//! 1. **reserve**: a concurrency slot, a rate permit and a live access token
//!    ([`HttpClient::reserve`]). A change waits here, not in the journal, for its turn; the
//!    wait is abandoned as soon as the run stops (a signal, a quota, a fatal error).
//! 2. **intent**: the change is recorded in the journal and made durable.
//! 3. **send**: through the reserved client, which leaves at once.
//! 4. **outcome**: the caller records what became of each row ([`Executor::record`]) before
//!    it drops its [`Turn`], which frees the slot.
//!
//! So the intents open at any instant (recorded, with no outcome) are never more than the
//! concurrency in use: a run killed at any moment leaves at most that many changes "in
//! flight", and everything else is simply still to do. An answer that does not say whether
//! the change happened is recorded as unknown ([`RowOutcome::unknown`]): no longer in flight,
//! reconciled against the target before anything is sent again.

use crate::checkpoint::{IntentId, IntentSpec, Journal, RowOutcome};
use crate::error::Error;
use crate::halt::Halt;
use crate::http::HttpClient;
use crate::stop;

/// A change whose intent is durable and whose request may leave now.
#[derive(Debug)]
pub struct Turn {
    pub intent: IntentId,
    /// The reserved client: send the change's requests through it.
    pub client: HttpClient,
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

/// Runs `work` on every item that arrives on `rx`, at most `max` at a time, until the channel
/// closes and every run has finished (or a stop's grace ran out).
pub async fn run_all<T, F, Fut>(mut rx: tokio::sync::mpsc::Receiver<T>, max: usize, work: F)
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(max));
    let mut set = tokio::task::JoinSet::new();
    while let Some(item) = rx.recv().await {
        let Ok(permit) = std::sync::Arc::clone(&permits).acquire_owned().await else {
            break;
        };
        let run = work(item);
        set.spawn(async move {
            run.await;
            drop(permit);
        });
        while set.try_join_next().is_some() {}
    }
    stop::join_within_grace(&mut set).await;
}

/// The pause before round `round` of retries, when the round before it sent `tried` items
/// and `failed` of them are to be sent again: none before the first round, nor when the round
/// before failed only here and there (the odd fault: the pacer already spaces the requests,
/// and a pause would only leave the rate unused); when most of it failed (the API is
/// struggling), 500 ms times the round.
pub fn round_pause(round: u32, tried: usize, failed: usize) -> std::time::Duration {
    if round == 0 || failed * 2 <= tried {
        return std::time::Duration::ZERO;
    }
    std::time::Duration::from_millis(500 * u64::from(round))
}

/// One round of "again, what certainly did not happen": after `pause` (see [`round_pause`]),
/// runs `work` on every item at once and waits for them all.
pub async fn retry_round<T, F, Fut>(pause: std::time::Duration, items: Vec<T>, work: F)
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    if !pause.is_zero() {
        tokio::time::sleep(pause).await;
    }
    let mut set = tokio::task::JoinSet::new();
    for item in items {
        set.spawn(work(item));
    }
    stop::join_within_grace(&mut set).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_round_pauses_only_after_a_round_that_mostly_failed() {
        assert_eq!(
            round_pause(0, 0, 50),
            Duration::ZERO,
            "the first round goes at once"
        );
        assert_eq!(
            round_pause(1, 23, 2),
            Duration::ZERO,
            "the odd fault: no pause"
        );
        assert_eq!(round_pause(1, 10, 5), Duration::ZERO);
        assert_eq!(round_pause(1, 10, 6), Duration::from_millis(500));
        assert_eq!(round_pause(3, 1, 1), Duration::from_millis(1500));
    }
}
