//! The deletes: each sent through the shared [`Executor`], journaled (intent before, outcome
//! after), in rounds that send again the deletes that certainly did not happen; a record
//! already gone counts as deleted, a refused delete goes to the error file.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::plan::Delete;
use super::refused::no_columns;
use crate::checkpoint::{Action, IntentSpec, Journal, Op, RowOutcome};
use crate::connectors::{SharedTarget, Write};
use crate::error::{Error, Result};
use crate::executor::Executor;
use crate::http::HttpClient;
use crate::sink::TableWriter;

/// Rounds of "delete again what certainly was not deleted".
const ROUNDS: u32 = 4;

/// What the deletes did.
#[derive(Debug, Default)]
pub struct Deleted {
    /// Records deleted.
    pub deleted: u64,
    /// Records already gone.
    pub gone: u64,
    /// The first answer of each "gone" code, quoted.
    pub gone_answers: BTreeMap<String, String>,
    /// Deletes the target refused.
    pub failed: u64,
    /// Why the deletes stopped early, if they did.
    pub stopped: Option<String>,
}

#[derive(Default)]
struct Tally {
    deleted: AtomicU64,
    gone: AtomicU64,
    failed: AtomicU64,
    /// The first answer of each "gone" code, quoted.
    gone_answers: Mutex<BTreeMap<String, String>>,
}

/// The shared state of the deletes.
struct Deleter {
    target: SharedTarget,
    exec: Executor,
    tally: Tally,
    /// Deletes that certainly did not happen: to send again.
    retry: Mutex<Vec<Delete>>,
    /// The deletes the target refused, kept in the error file.
    refused: Mutex<Option<TableWriter>>,
}

/// Deletes `todo` on `target`, each journaled in `journal`, the refused ones written to
/// `refused` (closed when done).
pub fn delete_all(
    target: SharedTarget,
    http: HttpClient,
    journal: Journal,
    todo: Vec<Delete>,
    refused: TableWriter,
    runtime: &tokio::runtime::Runtime,
) -> Result<Deleted> {
    let deleter = Arc::new(Deleter {
        target,
        exec: Executor::new(http, journal),
        tally: Tally::default(),
        retry: Mutex::new(Vec::new()),
        refused: Mutex::new(Some(refused)),
    });
    runtime.block_on(Arc::clone(&deleter).rounds(todo));
    let writer = deleter
        .refused
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    if let Some(w) = writer {
        crate::stdout::tolerate_closed(w.finish(&no_columns()))?;
    }
    if let Some(e) = deleter.exec.take_fatal() {
        return Err(e);
    }
    let t = &deleter.tally;
    Ok(Deleted {
        deleted: t.deleted.load(Ordering::Relaxed),
        gone: t.gone.load(Ordering::Relaxed),
        gone_answers: std::mem::take(
            &mut *t.gone_answers.lock().unwrap_or_else(|e| e.into_inner()),
        ),
        failed: t.failed.load(Ordering::Relaxed),
        stopped: deleter.exec.stopped(),
    })
}

impl Deleter {
    /// Whether the target's table reads `code` as "the record does not exist".
    fn gone(&self, code: &str) -> bool {
        self.target.descriptor().is_gone(Some(code))
    }

    /// Sends the delete of `d`, journaled, and tallies its answer.
    async fn delete(self: Arc<Self>, d: Delete) {
        let rows = [d.row];
        let mut spec = IntentSpec::new(Op::Delete, &rows);
        spec.remote_id = Some(&d.id);
        spec.parent = d.parent.as_deref();
        let Some(turn) = self.exec.begin(spec).await else {
            return;
        };
        let write = self
            .target
            .delete(&turn.client, &d.id, d.parent.as_deref())
            .await;
        let done = RowOutcome::done(d.row, Action::Deleted, Some(&d.id));
        match write {
            Write::Done { .. } => {
                self.exec.record(turn.intent, &[done]);
                self.tally.deleted.fetch_add(1, Ordering::Relaxed);
            }
            Write::Failed {
                code: Some(code),
                message,
            } if self.gone(&code) => {
                self.exec.record(turn.intent, &[done]);
                self.tally.gone.fetch_add(1, Ordering::Relaxed);
                let mut answers = self
                    .tally
                    .gone_answers
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                if let Some(known) = self.target.descriptor().codes.find(&code) {
                    answers
                        .entry(known.code.to_string())
                        .or_insert_with(|| known.quote(None, Some(&message)));
                }
            }
            Write::Failed { code, message } => {
                let code = code.unwrap_or_else(|| "remote_error".into());
                crate::stop::say(&format!(
                    "bulkline: undo: record {} (row {}): {code}: {message}",
                    d.id, d.row
                ));
                let line = [
                    d.row.to_string(),
                    d.id.clone(),
                    d.parent.clone().unwrap_or_default(),
                    code.clone(),
                    message.clone(),
                ];
                self.exec
                    .record(turn.intent, &[RowOutcome::failed(d.row, code, message)]);
                self.tally.failed.fetch_add(1, Ordering::Relaxed);
                let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(w) = refused.as_mut() {
                    // Every column is a report column (the writer's extras): no input row.
                    let values = crate::source::Values::Csv(crate::source::Fields::new());
                    match w.write(&no_columns(), &values, &[], &line) {
                        Ok(()) => {}
                        // `--errors -` read by a reader that went away: the list ends there,
                        // the deletes go on (each is in the journal).
                        Err(Error::StdoutClosed) => *refused = None,
                        Err(e) => self.exec.fatal(e),
                    }
                }
            }
            Write::Ambiguous { .. } | Write::NotApplied { .. } => {
                // A delete can be sent again: a later round (or run) does.
                self.exec
                    .record(turn.intent, &[RowOutcome::not_applied(d.row)]);
                self.retry.lock().unwrap_or_else(|e| e.into_inner()).push(d);
            }
            Write::Stop { message, denied } => {
                self.exec
                    .record(turn.intent, &[RowOutcome::not_applied(d.row)]);
                if denied {
                    self.exec
                        .fatal(Error::Access(crate::preflight::refused_write(
                            self.target.kind().api(),
                            crate::scopes::Op::Delete,
                            &message,
                        )));
                } else {
                    self.exec.stop(message);
                }
            }
        }
        drop(turn);
    }

    /// Deletes `todo` in up to [`ROUNDS`] rounds; what is still to send again is left in `retry`.
    async fn rounds(self: Arc<Self>, todo: Vec<Delete>) {
        let mut batch = todo;
        // The deletes the round before sent (none yet).
        let mut tried = 0;
        for round in 0..ROUNDS {
            if batch.is_empty() || self.exec.stopped().is_some() {
                break;
            }
            let pause = crate::executor::round_pause(round, tried, batch.len());
            tried = batch.len();
            crate::executor::retry_round(pause, batch, |d| Arc::clone(&self).delete(d)).await;
            batch = std::mem::take(&mut *self.retry.lock().unwrap_or_else(|e| e.into_inner()));
        }
        self.retry
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(batch);
    }
}
