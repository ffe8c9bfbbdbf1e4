//! The rounds of a run: every change of the stream at most so many at a time, then, after
//! the stream, rounds of "look for what is unknown, send again what certainly did not
//! happen", the same for import, sms and undo ([`settle_rounds`]).

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::Executor;
use crate::checkpoint::now_ms;
use crate::stop;

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

/// What a run still has to settle: changes certainly not applied, to send again, and changes
/// whose outcome is unknown, to look for on the target first.
#[derive(Debug)]
pub struct Pending<I, U> {
    again: Mutex<Vec<I>>,
    unknown: Mutex<Vec<U>>,
}

impl<I, U> Default for Pending<I, U> {
    fn default() -> Self {
        Pending {
            again: Mutex::new(Vec::new()),
            unknown: Mutex::new(Vec::new()),
        }
    }
}

fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<I, U> Pending<I, U> {
    /// A change to send again.
    pub fn again(&self, item: I) {
        lock(&self.again).push(item);
    }

    /// Changes to send again.
    pub fn again_all(&self, items: impl IntoIterator<Item = I>) {
        lock(&self.again).extend(items);
    }

    /// Changes whose outcome is unknown.
    pub fn unknown(&self, items: impl IntoIterator<Item = U>) {
        lock(&self.unknown).extend(items);
    }

    /// The changes to send again (taken).
    pub fn take_again(&self) -> Vec<I> {
        std::mem::take(&mut *lock(&self.again))
    }

    /// The changes whose outcome is unknown (taken).
    pub fn take_unknown(&self) -> Vec<U> {
        std::mem::take(&mut *lock(&self.unknown))
    }

    /// Whether changes whose outcome is unknown wait to be looked for.
    pub fn has_unknown(&self) -> bool {
        !lock(&self.unknown).is_empty()
    }

    /// The rows still to settle, `rows` counting those of a change to send again (an unknown
    /// change is one row).
    pub fn rows(&self, rows: impl Fn(&I) -> u64) -> u64 {
        lock(&self.again).iter().map(rows).sum::<u64>() + lock(&self.unknown).len() as u64
    }
}

/// A run's way of settling what it sent: what it looks for on the target, and what it sends
/// again. Undo has nothing to look for (a delete can be repeated): the defaults say so.
pub trait Settling: Send + Sync + Sized + 'static {
    /// A change to send (again).
    type Item: Send + 'static;
    /// A change whose outcome is unknown, to look for on the target.
    type Unknown: Send;

    fn executor(&self) -> &Executor;

    /// What is still to settle.
    fn pending(&self) -> &Pending<Self::Item, Self::Unknown>;

    /// Sends `item` and records what became of it.
    fn send(self: Arc<Self>, item: Self::Item) -> impl Future<Output = ()> + Send + 'static;

    /// Until when (ms since the epoch) `unknown` may still land, or the target may not show it
    /// yet: it is looked for only then.
    fn ready_ms(&self, unknown: &Self::Unknown) -> u64 {
        let _ = unknown;
        0
    }

    /// What to tell the user while `young` changes are waited for, `wait` long.
    fn waiting_note(&self, young: usize, wait: Duration) -> Option<String> {
        let _ = (young, wait);
        None
    }

    /// Looks for `unknown` on the target: settles what it finds, queues what certainly did
    /// not happen to be sent again; returns what is still unknown (all of it when the look
    /// failed and stopped the run).
    fn look_up(
        &self,
        unknown: Vec<Self::Unknown>,
    ) -> impl Future<Output = Vec<Self::Unknown>> + Send {
        async move { unknown }
    }

    /// What a look left unknown while the run goes on: kept aside for the end of the run.
    fn unresolved(&self, unknown: Vec<Self::Unknown>) {
        self.pending().unknown(unknown);
    }
}

/// Up to `rounds` rounds of "look for the unknown changes (once they can no longer land),
/// send again what certainly did not happen", until nothing is left to do or the run stops.
/// What is left stays with `run` (its retry and unknown lists) for the next run. `say` tells
/// the user what the run waits for.
pub async fn settle_rounds<S: Settling>(run: Arc<S>, rounds: u32, say: &dyn Fn(&str)) {
    // The changes the last round sent (none yet).
    let mut tried = 0;
    for round in 0..rounds {
        if run.executor().stopped().is_some() {
            break;
        }
        let unknown = run.pending().take_unknown();
        if !unknown.is_empty() {
            if !wait_until_ready(&*run, &unknown, say).await {
                run.pending().unknown(unknown);
                break;
            }
            let still = run.look_up(unknown).await;
            if run.executor().stopped().is_some() {
                run.pending().unknown(still);
                break;
            }
            run.unresolved(still);
        }
        let again = run.pending().take_again();
        if again.is_empty() {
            if !run.pending().has_unknown() {
                break;
            }
            continue;
        }
        let pause = round_pause(round, tried, again.len());
        tried = again.len();
        retry_round(pause, again, |item| Arc::clone(&run).send(item)).await;
    }
}

/// Waits until no change of `unknown` can still land (or the run stops: false), saying how
/// long when there is a wait.
async fn wait_until_ready<S: Settling>(
    run: &S,
    unknown: &[S::Unknown],
    say: &dyn Fn(&str),
) -> bool {
    let now = now_ms();
    let young = unknown.iter().filter(|u| run.ready_ms(u) > now).count();
    let ready = unknown.iter().map(|u| run.ready_ms(u)).max().unwrap_or(0);
    let wait = Duration::from_millis(ready.saturating_sub(now));
    if wait.is_zero() {
        return true;
    }
    if let Some(note) = run.waiting_note(young, wait) {
        say(&note);
    }
    tokio::select! {
        biased;
        _ = run.executor().wait_stop() => false,
        _ = tokio::time::sleep(wait) => true,
    }
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
