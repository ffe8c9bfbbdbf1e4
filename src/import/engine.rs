//! Executing the writes: one task per row, through the journaled [`Executor`] (a turn to send,
//! then the intent, then the request, then the outcome), paced and retried by the HTTP
//! client; the creates whose outcome is unknown are reconciled against the target (one
//! listing per round, see [`super::settle`]) before they are tried again, once a late write
//! can no longer land.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::OUTCOME_UNKNOWN;
use super::canary::{self, Held, Written};
use super::key::{MatchBy, RemoteIndex};
use super::late::LateWrites;
use crate::checkpoint::{Action, IntentId, IntentSpec, Journal, Op, RowOutcome};
use crate::connectors::{ListError, RecordFields, RowExtras, SharedTarget};
use crate::error::Result;
use crate::executor::{Change, Executor, Next, Pending};
use crate::http::HttpClient;
use crate::progress::Counters;
use crate::sink::{Done, Reports};
use crate::source::{Schema, Values};

/// Tasks that may be spawned at once (each waits for the HTTP client's own concurrency slot
/// and pacing; this only bounds the memory of rows waiting for one).
const MAX_TASKS: usize = 512;

/// What a task does to the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskOp {
    Create,
    Update { id: String },
}

/// One row bound for the target.
#[derive(Debug, Clone)]
pub struct Task {
    pub row: u64,
    /// The match key, shown in the reports.
    pub key: String,
    /// The key that finds the record again when a create's outcome is unknown.
    pub find_key: Option<String>,
    /// The row's parent record ("" for targets without parents).
    pub parent: String,
    pub fields: RecordFields,
    pub extras: RowExtras,
    pub op: TaskOp,
    pub schema: Arc<Schema>,
    pub values: Values,
}

/// A create whose outcome is unknown, with its intent: to look for on the target once a
/// late write can no longer land.
#[derive(Debug)]
pub struct Unsettled {
    pub intent: IntentId,
    pub task: Task,
    /// Until then (ms since the epoch) the create may still land: 0 when its answer came (a
    /// 5xx), or when its request is old enough.
    pub ready_ms: u64,
}

/// The state every task of a run shares.
pub struct Engine {
    pub target: SharedTarget,
    pub reports: Arc<Mutex<Reports>>,
    pub counters: Arc<Counters>,
    /// The key records are found by.
    pub by: MatchBy,
    /// The journal, the turns to send, and why the run stopped early (a signal, a quota,
    /// credentials, a fatal error).
    pub exec: Executor,
    /// Tasks certainly not applied, to send again, and creates whose outcome is unknown, to
    /// look for on the target first.
    pub(super) pending: Pending<Task, Unsettled>,
    /// How long a create whose answer never came may still land.
    pub(super) late: LateWrites,
    /// Rows left undone because the run stopped.
    pub left: AtomicU64,
    /// When the first write was sent and the last one answered: the write phase.
    window: Mutex<Option<(Instant, Instant)>>,
    /// Writes answered in this run.
    pub writes: AtomicU64,
    /// How many of the first writes the canary reads back (0: none).
    canary: usize,
    /// What the canary found, once it ran.
    held: Mutex<Option<Held>>,
}

pub(super) fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Engine {
    pub fn new(
        target: SharedTarget,
        http: HttpClient,
        journal: Journal,
        reports: Arc<Mutex<Reports>>,
        counters: Arc<Counters>,
        by: MatchBy,
        late: LateWrites,
    ) -> Engine {
        Engine {
            target,
            exec: Executor::new(http, journal),
            reports,
            counters,
            by,
            pending: Pending::default(),
            late,
            left: AtomicU64::new(0),
            window: Mutex::new(None),
            writes: AtomicU64::new(0),
            canary: 0,
            held: Mutex::new(None),
        }
    }

    /// The first `size` writes are read back and compared before any other is sent.
    pub fn with_canary(mut self, size: usize) -> Engine {
        self.canary = size;
        self
    }

    /// What the canary found, if it ran and held.
    pub fn canary_held(&self) -> Option<Held> {
        *lock(&self.held)
    }

    /// The target's records under `parents`, indexed by the match key.
    pub async fn index(&self, parents: &[String]) -> std::result::Result<RemoteIndex, ListError> {
        let records = self.target.list(&self.exec.http, parents).await?;
        Ok(RemoteIndex::new(self.by, records))
    }

    /// How long the writes took, from the first sent to the last answered.
    pub fn write_time(&self) -> Option<Duration> {
        lock(&self.window).map(|(first, last)| last.duration_since(first))
    }

    /// Rows still unsettled: unknown creates and tasks to retry.
    pub fn unsettled(&self) -> u64 {
        self.pending.rows(|_| 1)
    }

    pub(super) fn report(&self, f: impl FnOnce(&mut Reports) -> Result<()>) {
        if let Err(e) = f(&mut lock(&self.reports)) {
            self.exec.fatal(e);
        }
    }

    pub(super) fn record(&self, intent: IntentId, outcome: RowOutcome) {
        self.exec.record(intent, &[outcome]);
    }

    /// A row done: journal, report, counters.
    pub fn done(&self, intent: IntentId, task: &Task, action: Action, id: &str) {
        self.record(intent, RowOutcome::done(task.row, action, Some(id)));
        self.report(|r| {
            let done = Done {
                row: task.row,
                key: &task.key,
                action: action.as_str(),
                remote_id: id,
                changes: None,
            };
            r.done(&task.schema, &task.values, &done)
        });
        self.counters.done(action);
    }

    /// A row the target refused for good: journaled, reported, counted.
    pub fn failed(&self, intent: IntentId, task: &Task, code: &str, message: &str) {
        self.record(intent, RowOutcome::failed(task.row, code, message));
        self.refused(task, code, message);
    }

    /// A row the target refused for good, already journaled: reported and counted.
    pub fn refused(&self, task: &Task, code: &str, message: &str) {
        self.report(|r| r.remote_failure(&task.schema, task.row, &task.values, code, message));
        self.counters.failed_row();
    }

    /// A create whose outcome is unknown and cannot be looked for (the row has no key): it is
    /// settled as `outcome_unknown`, in the journal (a resume reports it again), the error
    /// report and the counts, for the user to check on the target.
    pub fn outcome_unknown(&self, intent: IntentId, task: &Task) {
        let message = unknown_message(self.by);
        self.record(
            intent,
            RowOutcome::failed(task.row, OUTCOME_UNKNOWN, &message),
        );
        self.report(|r| {
            r.remote_failure(
                &task.schema,
                task.row,
                &task.values,
                OUTCOME_UNKNOWN,
                &message,
            )
        });
        self.counters.unknown_row();
    }

    /// Hands over a create an earlier run left unknown and that may still land until
    /// `ready_ms`: it is looked for after the stream, once that time has passed.
    pub fn defer(&self, intent: IntentId, task: Task, ready_ms: u64) {
        self.pending.unknown([Unsettled {
            intent,
            task,
            ready_ms,
        }]);
    }

    /// Sends one task and records what became of it.
    pub async fn execute(self: Arc<Self>, task: Task) {
        self.write(task).await;
    }

    /// Sends one task and records what became of it; the record's id when it was done.
    async fn write(self: Arc<Self>, task: Task) -> Option<String> {
        let (op, remote) = match &task.op {
            TaskOp::Create => (Op::Create, None),
            TaskOp::Update { id } => (Op::Update, Some(id.as_str())),
        };
        // A create keeps its key (and parent) in the journal: a later run, or `undo`, finds
        // the record by it when the answer was lost.
        let key = [task.find_key.as_deref().unwrap_or("")];
        let rows = [task.row];
        let spec = IntentSpec {
            op,
            rows: &rows,
            remote_id: remote,
            keys: if task.find_key.is_some() { &key } else { &[] },
            parent: (!task.parent.is_empty()).then_some(task.parent.as_str()),
        };
        let Some(turn) = self.exec.begin(spec).await else {
            self.left.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        let intent = turn.intent;
        let sent = Instant::now();
        let write = match &task.op {
            TaskOp::Create => {
                self.target
                    .create(&turn.client, &task.fields, &task.extras)
                    .await
            }
            TaskOp::Update { id } => {
                self.target
                    .update(&turn.client, id, &task.fields, &task.extras)
                    .await
            }
        };
        {
            let mut window = lock(&self.window);
            let (first, _) = window.get_or_insert((sent, sent));
            *window = Some(((*first).min(sent), Instant::now()));
        }
        self.writes.fetch_add(1, Ordering::Relaxed);
        let (action, op) = match task.op {
            TaskOp::Create => (Action::Created, crate::scopes::Access::Create),
            TaskOp::Update { .. } => (Action::Updated, crate::scopes::Access::Update),
        };
        let change = Change {
            rows: &rows,
            api: self.target.kind().api(),
            op,
            // An update can be sent again safely; a create is looked for first.
            repeatable: task.op != TaskOp::Create,
        };
        let mut written = None;
        match self.exec.apply(&turn, &change, write) {
            Next::Done(id) => {
                self.done(intent, &task, action, &id);
                if let Some(warning) = self.target.warning_for(&id) {
                    self.report(|r| {
                        r.remote_failure(&task.schema, task.row, &task.values, "warning", &warning)
                    });
                }
                written = Some(id);
            }
            Next::Failed { code, message } => self.refused(&task, &code, &message),
            Next::Unknown { lost_at } => {
                // The create may have been applied: unknown until the record is looked for
                // on the target; when no answer came, once it can no longer land.
                if task.find_key.is_none() {
                    self.outcome_unknown(intent, &task);
                } else {
                    let ready_ms = lost_at.map_or(0, |sent_ms| self.late.ready_ms(sent_ms));
                    self.defer(intent, task, ready_ms);
                }
            }
            Next::Again => self.pending.again(task),
            Next::Stopped => {
                self.left.fetch_add(1, Ordering::Relaxed);
            }
        }
        // The turn (its concurrency slot) ends only now, with the outcome recorded.
        drop(turn);
        written
    }

    /// Runs every task that arrives on `rx`, at most [`MAX_TASKS`] at a time, until the
    /// channel closes and every task has finished. The canary's writes go first, alone: the
    /// others wait until they are read back and found as sent.
    pub async fn run(self: Arc<Self>, mut rx: mpsc::Receiver<Task>) {
        if self.canary > 0 {
            Arc::clone(&self).canary(&mut rx).await;
        }
        crate::executor::run_all(rx, MAX_TASKS, |task| Arc::clone(&self).execute(task)).await;
    }

    /// Sends the first writes, reads back those done and compares them. A difference stops
    /// the run (the tasks still to come are left, journaled as nothing).
    async fn canary(self: Arc<Self>, rx: &mut mpsc::Receiver<Task>) {
        let mut set = tokio::task::JoinSet::new();
        while set.len() < self.canary {
            let Some(task) = rx.recv().await else { break };
            let sent = Written {
                row: task.row,
                id: String::new(),
                parent: (!task.parent.is_empty()).then(|| task.parent.clone()),
                fields: task.fields.clone(),
            };
            let engine = Arc::clone(&self);
            set.spawn(async move { engine.write(task).await.map(|id| Written { id, ..sent }) });
        }
        let mut written = Vec::new();
        while let Some(done) = set.join_next().await {
            if let Ok(Some(w)) = done {
                written.push(w);
            }
        }
        if written.is_empty() || self.exec.stopped().is_some() {
            return;
        }
        written.sort_by_key(|w| w.row);
        match canary::check(&self.target, &self.exec.http, &written).await {
            Ok(held) => *lock(&self.held) = Some(held),
            Err(e) => self.exec.fatal(e),
        }
    }
}

/// Why a create is `outcome_unknown`.
pub fn unknown_message(by: MatchBy) -> String {
    format!(
        "the create's outcome is unknown (a 5xx, a timeout, a lost connection, or a run killed while it was on the wire), and the row has no {} to look for the record by: it may or may not have been created; check the target by hand",
        by.as_str()
    )
}
