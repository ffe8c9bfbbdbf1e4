//! The deletes: each sent through the shared [`Executor`], journaled (intent before, outcome
//! after), in rounds that send again the deletes that certainly did not happen; a record
//! already gone counts as deleted, a refused delete goes to the error file.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::plan::Delete;
use super::refused::no_columns;
use crate::checkpoint::{Action, IntentSpec, Journal, Op, RowOutcome};
use crate::connectors::{SharedTarget, Write};
use crate::error::{Error, Result};
use crate::executor::{Change, Executor, Next, Pending, Settling};
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
    pending: Pending<Delete, ()>,
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
        pending: Pending::default(),
        refused: Mutex::new(Some(refused)),
    });
    // Deletes `todo` in up to [`ROUNDS`] rounds; what is still to send again stays pending.
    deleter.pending.again_all(todo);
    runtime.block_on(crate::executor::settle_rounds(
        Arc::clone(&deleter),
        ROUNDS,
        &|_| {},
    ));
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
        // A record already gone counts as deleted, whatever the code's wording.
        if let Write::Failed {
            code: Some(code),
            message,
            ..
        } = &write
            && self.gone(code)
        {
            self.exec.record(turn.intent, &[done]);
            self.already_gone(code, message);
            return;
        }
        let change = Change {
            rows: &rows,
            api: self.target.kind().api(),
            op: crate::scopes::Access::Delete,
            // A delete can be sent again: a later round (or run) does.
            repeatable: true,
        };
        match self.exec.apply(&turn, &change, write) {
            Next::Done(_) => {
                self.exec.record(turn.intent, &[done]);
                self.tally.deleted.fetch_add(1, Ordering::Relaxed);
            }
            Next::Failed { code, message } => self.refused(&d, code, message),
            Next::Again => self.pending.again(d),
            Next::Unknown { .. } | Next::Stopped => {}
        }
        drop(turn);
    }

    /// A record already gone: counted, with the first answer of its code quoted.
    fn already_gone(&self, code: &str, message: &str) {
        self.tally.gone.fetch_add(1, Ordering::Relaxed);
        let mut answers = self
            .tally
            .gone_answers
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(known) = self.target.descriptor().codes.find(code) {
            answers
                .entry(known.code.to_string())
                .or_insert_with(|| known.quote(None, Some(message)));
        }
    }

    /// A delete the target refused (journaled already): said, counted, and kept in the error
    /// file.
    fn refused(&self, d: &Delete, code: String, message: String) {
        crate::stop::say(&format!(
            "bulkline: undo: record {} (row {}): {code}: {message}",
            d.id, d.row
        ));
        let line = [
            d.row.to_string(),
            d.id.clone(),
            d.parent.clone().unwrap_or_default(),
            code,
            message,
        ];
        self.tally.failed.fetch_add(1, Ordering::Relaxed);
        let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(w) = refused.as_mut() {
            // Every column is a report column (the writer's extras): no input row.
            let values = crate::source::Values::Csv(crate::source::Fields::new());
            match w.write(&no_columns(), &values, &[], &line) {
                Ok(()) => {}
                // `--errors -` read by a reader that went away: the list ends there, the
                // deletes go on (each is in the journal).
                Err(Error::StdoutClosed) => *refused = None,
                Err(e) => self.exec.fatal(e),
            }
        }
    }
}

impl Settling for Deleter {
    type Item = Delete;
    type Unknown = ();

    fn executor(&self) -> &Executor {
        &self.exec
    }

    fn send(self: Arc<Self>, d: Delete) -> impl Future<Output = ()> + Send + 'static {
        self.delete(d)
    }

    fn pending(&self) -> &Pending<Delete, ()> {
        &self.pending
    }
}
