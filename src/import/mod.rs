//! `import`: streams the clean contacts of a file into a contact API, as fast as its rate
//! limit allows, exactly once.
//!
//! The rows go through the clean pipeline (rejects to the error report, duplicates dropped);
//! each kept row is turned into the target's fields ([`crate::connectors::Target::desired`]),
//! matched by its key against the target's records listed first ([`key`]), and planned
//! ([`plan`]): create, update, unchanged, conflict. The writes run concurrently
//! ([`engine`]), paced by the HTTP client, each journaled in the checkpoint before it is sent.
//! A create whose answer was lost is looked for on the target before it is sent again, once
//! a late write can no longer land ([`late`], [`settle`]); a re-run of the same command resumes
//! from the journal.

pub mod canary;
pub mod engine;
pub mod key;
pub mod late;
pub mod listing;
pub mod plan;
pub mod settle;
pub mod summary;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::runtime::{Handle, Runtime};
use tokio::sync::mpsc;

use crate::checkpoint::{Action, IntentId, Journal, Op, Resume, RowOutcome, RowState, now_ms};
use crate::connectors::{Remote, RemoteRecord, RowExtras, SharedTarget};
use crate::dedupe::Deduper;
use crate::error::{Error, ExitCode, Result};
use crate::http::HttpClient;
use crate::journaled::{Files, JournaledRun, Opening};
use crate::pipeline::{self, RowSink};
use crate::progress::{Counters, Progress, ProgressMode};
use crate::reject::{Code, Rejection, Stage};
use crate::report::Counts;
use crate::source::{self, RawRow, Schema};
use crate::transform::{Processed, Verdict};

use crate::sink::Done;
pub use crate::sink::Reports;
pub use engine::{Engine, Task, TaskOp};
pub use key::{MatchBy, RemoteIndex, row_key};
pub use late::LateWrites;
pub use listing::{Listings, Matching};
pub use plan::{Mode, Plan, decide, describe};
pub use summary::ImportSummary;

/// The code of a row whose create's outcome is unknown and cannot be looked up on the target
/// (it has no key): in the error report, the journal (settled, so that a resume reports it
/// again) and `undo`'s list of rows to check by hand.
pub const OUTCOME_UNKNOWN: &str = "outcome_unknown";

/// Everything an import run needs besides the target.
pub struct Settings {
    /// The input, the journal and the reports.
    pub files: Files,
    pub mode: Mode,
    /// How a row's record is found: the key, and the parent.
    pub matching: Matching,
    /// The target's parameters (organization, address book): part of the journal header.
    pub params: Vec<(String, String)>,
    /// Where the run writes (see [`crate::destination`]): in the journal header and the lock.
    pub destination: crate::destination::Destination,
    pub progress: ProgressMode,
    /// How long a create whose answer never came may still land.
    pub late: LateWrites,
    /// How many of a fresh run's first writes are read back before the rest are sent (0: none).
    pub canary: usize,
}

/// Rows in flight between the planner and the writers.
const QUEUE: usize = 1024;

/// An intent an earlier run left open for a row: in flight, or answered ambiguously.
#[derive(Debug, Clone, Copy)]
struct Open {
    intent: IntentId,
    op: Op,
    /// When its request left, if no answer came (see [`crate::checkpoint::InFlight`]).
    late_from_ms: Option<u64>,
}

/// The planner: runs on the pipeline's consumer thread, turns each kept row into a task or a
/// report line.
/// Where a row's outcome goes in the journal: to its earlier intent, or to a new one.
#[derive(Clone, Copy)]
enum Record {
    Intent(IntentId),
    New,
}

/// What the target's listing says of a key.
enum Lookup {
    /// The listing of the parent was refused (code, message): the parent is gone.
    Refused(String, String),
    /// The ids of the records that have the key.
    Ids(Vec<String>),
}

struct Planner<'a> {
    settings: &'a Settings,
    remote: &'a Remote,
    runtime: &'a Handle,
    reports: &'a Arc<Mutex<Reports>>,
    counters: &'a Arc<Counters>,
    counts: &'a mut Counts,
    journal: Option<&'a Journal>,
    resume: &'a Resume,
    in_flight: &'a HashMap<u64, Open>,
    /// The writers: creates an earlier run left unknown and that may still land are handed
    /// to them, to be looked for after the stream.
    engine: Option<&'a Arc<Engine>>,
    /// The target's records, listed as the rows name their parents.
    listings: Listings,
    lists: bool,
    /// The journal lost records (see `checkpoint::mark`): in create mode, a row it says nothing
    /// of is looked for on the target before it is created.
    damaged: bool,
    /// Keys this run has planned a write for, by parent: a second row with one is a conflict.
    claimed: HashSet<(String, String)>,
    tx: Option<mpsc::Sender<Task>>,
    /// The writes a dry run would send, and the rows an earlier run of the journal did.
    planned: summary::Planned,
    /// The schema of the rows seen so far (for the reports of a run a signal stopped).
    last_schema: Arc<Schema>,
}

impl RowSink for Planner<'_> {
    fn counts(&mut self) -> &mut Counts {
        self.counts
    }

    fn batch(&mut self, schema: &Arc<Schema>, _rows: usize) {
        self.last_schema = Arc::clone(schema);
    }

    fn blank(&mut self, _schema: &Arc<Schema>, _raw: RawRow) -> Result<()> {
        self.settled();
        Ok(())
    }

    fn rejected(&mut self, schema: &Arc<Schema>, raw: RawRow, why: Vec<Rejection>) -> Result<()> {
        self.counts.reject(&why);
        self.settled();
        self.report(|rep| rep.rejected(schema, raw.row, &raw.values, &why))
    }

    fn duplicate(&mut self, schema: &Arc<Schema>, row: Processed, of: u64) -> Result<()> {
        self.settled();
        self.report(|rep| rep.duplicate(schema, &row.raw.values, row.raw.row, of))
    }

    /// Kept rows are planned.
    fn kept(&mut self, schema: &Arc<Schema>, row: Processed) -> Result<()> {
        self.counts.clean += 1;
        self.plan_row(schema, row)
    }
}

impl Planner<'_> {
    fn report(&self, f: impl FnOnce(&mut Reports) -> Result<()>) -> Result<()> {
        f(&mut self.reports.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Writes row `p` to the success report (the plan in a dry run), with its own values.
    fn report_done(
        &self,
        schema: &Arc<Schema>,
        p: &Processed,
        key: &str,
        action: &str,
        remote_id: &str,
        changes: Option<&str>,
    ) -> Result<()> {
        self.report(|r| {
            let done = Done {
                row: p.raw.row,
                key,
                action,
                remote_id,
                changes,
            };
            r.done(schema, &p.raw.values, &done)
        })
    }

    /// Lists the records under `parent` unless already done (see [`Listings::ensure`]).
    fn ensure_listed(&mut self, parent: &str) -> Result<Option<(String, String)>> {
        self.listings.ensure(self.remote, self.runtime, parent)
    }

    fn journal_outcome(&self, intent: IntentId, outcome: RowOutcome) -> Result<()> {
        match self.journal {
            Some(j) => j.outcome(intent, &[outcome]).map_err(Error::from),
            None => Ok(()),
        }
    }

    /// A row a damaged journal says nothing of, in create mode: it may have been created by a
    /// run whose record was lost. Found once by its key on the target, it is recorded as
    /// created; found several times, a conflict; with no key to look for, it is not guessed
    /// (`outcome_unknown`). True when the row is settled here; false when it is to be created.
    fn settle_lost(
        &mut self,
        schema: &Arc<Schema>,
        p: &Processed,
        parent: &str,
        find_key: Option<&str>,
        key: &Option<String>,
        shown: &str,
    ) -> Result<bool> {
        let row = p.raw.row;
        let record = Record::New;
        let Some(k) = find_key else {
            let message = "the journal lost records and the row has no key to look for it on the target by: it may have been created. Check by hand, then run with --restart";
            self.record(record, RowOutcome::failed(row, OUTCOME_UNKNOWN, message))?;
            self.outcome_unknown(schema, p, message)?;
            return Ok(true);
        };
        let lookup = self.look_up(parent, k)?;
        if let Lookup::Refused(code, message) = &lookup {
            self.failed(schema, p, code, message)?;
            return Ok(true);
        }
        let why = "the journal lost records";
        self.settle_found(schema, p, parent, key, shown, lookup, why, record)
    }

    /// What the target's listing under `parent` says of the key `k` (listing it first).
    fn look_up(&mut self, parent: &str, k: &str) -> Result<Lookup> {
        if let Some((code, message)) = self.ensure_listed(parent)? {
            return Ok(Lookup::Refused(code, message));
        }
        let ids = self
            .listings
            .index
            .find(parent, k)
            .iter()
            .map(|r| r.id.clone())
            .collect();
        Ok(Lookup::Ids(ids))
    }

    /// A create whose outcome an earlier run does not say (`why`), settled by what the
    /// listing found (`record` writes its outcome): found once, it was created; found several
    /// times, a conflict to check by hand. True when the row is settled; false when nothing
    /// was found (nothing is recorded then).
    #[allow(clippy::too_many_arguments)]
    fn settle_found(
        &mut self,
        schema: &Arc<Schema>,
        p: &Processed,
        parent: &str,
        key: &Option<String>,
        shown: &str,
        lookup: Lookup,
        why: &str,
        record: Record,
    ) -> Result<bool> {
        let row = p.raw.row;
        let ids = match lookup {
            Lookup::Ids(ids) => ids,
            Lookup::Refused(..) => return Ok(false),
        };
        match ids.as_slice() {
            [] => Ok(false),
            [id] => {
                self.record(record, RowOutcome::done(row, Action::Created, Some(id)))?;
                if let Some(k) = key {
                    self.claimed.insert((parent.to_string(), k.clone()));
                }
                self.counters.done(Action::Created);
                self.report_done(schema, p, shown, "created", id, None)?;
                Ok(true)
            }
            many => {
                let message = format!(
                    "{why}, and {} records now have this key ({}): check them by hand",
                    many.len(),
                    many.join(", ")
                );
                self.record(record, RowOutcome::failed(row, "conflict", &message))?;
                self.failed(schema, p, "conflict", &message)?;
                Ok(true)
            }
        }
    }

    /// Records in the journal what became of a row: as the outcome of its earlier intent, or
    /// (settled without a request) of a new one.
    fn record(&self, how: Record, outcome: RowOutcome) -> Result<()> {
        match (how, self.journal) {
            (Record::Intent(intent), _) => self.journal_outcome(intent, outcome),
            (Record::New, Some(j)) => {
                let intent = j.intent_blocking(Op::Create, &[outcome.row], None)?;
                j.outcome(intent, &[outcome]).map_err(Error::from)
            }
            (Record::New, None) => Ok(()),
        }
    }

    fn failed(&self, schema: &Arc<Schema>, p: &Processed, code: &str, message: &str) -> Result<()> {
        self.counters.failed_row();
        self.report(|r| r.remote_failure(schema, p.raw.row, &p.raw.values, code, message))
    }

    /// A row whose create's outcome is unknown and cannot be looked up: reported for the
    /// user to check.
    fn outcome_unknown(&self, schema: &Arc<Schema>, p: &Processed, message: &str) -> Result<()> {
        self.counters.unknown_row();
        self.report(|r| {
            r.remote_failure(schema, p.raw.row, &p.raw.values, OUTCOME_UNKNOWN, message)
        })
    }

    /// A row not sent because its key is not unique (`code`: in the file or on the target).
    fn conflict(
        &self,
        schema: &Arc<Schema>,
        p: &Processed,
        code: &str,
        message: &str,
    ) -> Result<()> {
        self.counters.conflicts.fetch_add(1, Ordering::Relaxed);
        self.settled();
        self.report(|r| r.remote_failure(schema, p.raw.row, &p.raw.values, code, message))
    }

    /// One more input row settled, whatever became of it: the progress counts input rows.
    fn settled(&self) {
        self.counters.rows_done.fetch_add(1, Ordering::Relaxed);
    }

    fn reject(&mut self, schema: &Arc<Schema>, p: &Processed, rejection: Rejection) -> Result<()> {
        self.settled();
        let rejections = [rejection];
        self.counts.reject(&rejections);
        self.report(|r| r.rejected(schema, p.raw.row, &p.raw.values, &rejections))
    }

    /// A create an earlier run left in flight: it may have landed. Looked for on the target
    /// (or, while it may still land, deferred until it cannot); found, the row is done; not
    /// found, it is planned afresh. Says whether the row is settled.
    #[allow(clippy::too_many_arguments)]
    fn settle_interrupted_create(
        &mut self,
        schema: &Arc<Schema>,
        p: &Processed,
        open: Open,
        parent: &str,
        key: &Option<String>,
        find_key: &Option<String>,
        shown: &str,
        fields: &crate::connectors::RecordFields,
        extras: &RowExtras,
    ) -> Result<bool> {
        let Open {
            intent,
            late_from_ms,
            ..
        } = open;
        let row = p.raw.row;
        let by = self.settings.matching.by;
        let Some(k) = find_key.as_deref() else {
            // Nothing to look for it by: its outcome stays unknown, for the
            // user to check (and for every later run to report again).
            let message = engine::unknown_message(by);
            self.journal_outcome(intent, RowOutcome::failed(row, OUTCOME_UNKNOWN, &message))?;
            self.outcome_unknown(schema, p, &message)?;
            return Ok(true);
        };
        let late = self.settings.late;
        if let (Some(sent_ms), Some(engine)) = (late_from_ms, self.engine)
            && late.young(sent_ms, now_ms())
        {
            // It may still land: looked for after the stream, once it cannot.
            // Its request is no longer on the wire (the run that sent it
            // ended): unknown, not in flight, so that what a kill of this run
            // leaves in flight is never more than its own concurrency.
            self.journal_outcome(intent, RowOutcome::lost(row, sent_ms))?;
            if let Some(k) = &key {
                self.claimed.insert((parent.to_string(), k.clone()));
            }
            // A copy of the row: only the few rows a kill left in flight come here.
            let task = Task {
                row,
                key: shown.to_string(),
                find_key: find_key.clone(),
                parent: parent.to_string(),
                fields: fields.clone(),
                extras: extras.clone(),
                op: TaskOp::Create,
                schema: Arc::clone(schema),
                values: p.raw.values.clone(),
            };
            engine.defer(intent, task, late.ready_ms(sent_ms));
            return Ok(true);
        }
        let lookup = self.look_up(parent, k)?;
        let record = Record::Intent(intent);
        if let Lookup::Refused(code, message) = &lookup {
            // The parent is gone: the interrupted create cannot have happened.
            self.record(record, RowOutcome::failed(row, code, message))?;
            self.failed(schema, p, code, message)?;
            return Ok(true);
        }
        let why = "an earlier run's create was interrupted";
        if self.settle_found(schema, p, parent, key, shown, lookup, why, record)? {
            return Ok(true);
        }
        self.record(record, RowOutcome::not_applied(row))?;
        Ok(false)
    }

    /// A dry run's line for a row: what would be sent (a create, or an update and its
    /// changes).
    fn report_planned(
        &mut self,
        schema: &Arc<Schema>,
        p: &Processed,
        shown: &str,
        plan: &Plan,
    ) -> Result<()> {
        self.settled();
        let (action, id, changes) = match plan {
            Plan::Update { id, changes } => {
                self.planned.updates += 1;
                ("update", id.as_str(), describe(changes))
            }
            _ => {
                self.planned.creates += 1;
                ("create", "", String::new())
            }
        };
        self.report_done(schema, p, shown, action, id, Some(&changes))
    }

    fn plan_row(&mut self, schema: &Arc<Schema>, p: Processed) -> Result<()> {
        let Verdict::Clean(clean) = &p.outcome else {
            return Ok(());
        };
        let contact = clean.contact();
        let row = p.raw.row;
        let extras = RowExtras::of(contact);
        let fields = match self.remote.target.desired(contact, &extras) {
            Ok(f) => f,
            Err(rejection) => return self.reject(schema, &p, rejection),
        };
        let parent = self.listings.parent_of(&extras);
        let by = self.settings.matching.by;
        let key = row_key(contact, by);
        let find_key = if by == MatchBy::Id {
            row_key(contact, MatchBy::Mobile)
        } else {
            key.clone()
        };
        if key.is_none() && self.settings.mode != Mode::Create {
            return self.reject(schema, &p, no_key(by));
        }
        let shown = key.clone().or_else(|| find_key.clone()).unwrap_or_default();

        // What an earlier run of this journal did with the row.
        match self.resume.state(row) {
            Some(RowState::Done { action, remote_id }) => {
                self.planned.resumed += 1;
                if let Some(k) = &key {
                    self.claimed.insert((parent, k.clone()));
                }
                let id = remote_id.as_deref().unwrap_or("");
                self.counters.done(*action);
                return self.report_done(schema, &p, &shown, action.as_str(), id, None);
            }
            Some(RowState::Failed(f)) => {
                self.planned.resumed += 1;
                if f.code == OUTCOME_UNKNOWN {
                    return self.outcome_unknown(schema, &p, &f.message);
                }
                return self.failed(schema, &p, &f.code, &f.message);
            }
            Some(RowState::InFlight(_) | RowState::Unknown(_)) => {
                if let Some(&open) = self.in_flight.get(&row) {
                    if open.op == Op::Create {
                        let found = self.settle_interrupted_create(
                            schema, &p, open, &parent, &key, &find_key, &shown, &fields, &extras,
                        )?;
                        if found {
                            return Ok(());
                        }
                    } else {
                        // Updates can be sent again: planned afresh below.
                        self.journal_outcome(open.intent, RowOutcome::not_applied(row))?;
                    }
                }
            }
            None => {}
        }

        if self.damaged
            && self.settings.mode == Mode::Create
            && self.resume.state(row).is_none()
            && self.settle_lost(schema, &p, &parent, find_key.as_deref(), &key, &shown)?
        {
            return Ok(());
        }
        let found: Option<Vec<RemoteRecord>> = match (&key, self.lists) {
            (Some(k), true) => {
                if let Some((code, message)) = self.ensure_listed(&parent)? {
                    return self.failed(schema, &p, &code, &message);
                }
                Some(
                    self.listings
                        .index
                        .find(&parent, k)
                        .into_iter()
                        .cloned()
                        .collect(),
                )
            }
            _ => None,
        };
        if let Some(k) = &key
            && !self.claimed.insert((parent.clone(), k.clone()))
        {
            let message = format!(
                "another row of the file has the same {} ({k}); only the first is sent",
                by.as_str()
            );
            return self.conflict(schema, &p, "duplicate_key", &message);
        }
        let refs: Option<Vec<&RemoteRecord>> = found.as_ref().map(|v| v.iter().collect());
        let plan = decide(
            &*self.remote.target,
            self.settings.mode,
            &fields,
            refs.as_deref(),
        );
        let op = match plan {
            Plan::Create => TaskOp::Create,
            Plan::Update { ref id, .. } => TaskOp::Update { id: id.clone() },
            Plan::Unchanged { id } => {
                self.counters.done(Action::Unchanged);
                return self.report_done(schema, &p, &shown, "unchanged", &id, Some(""));
            }
            Plan::Conflict { ids } => {
                let message = format!(
                    "{} records on the target have this {} ({}): not guessing which to update",
                    ids.len(),
                    by.as_str(),
                    ids.join(", ")
                );
                return self.conflict(schema, &p, "conflict", &message);
            }
            Plan::Missing => {
                let message = format!("no record on the target has this {}", by.as_str());
                return self.failed(schema, &p, "not_found", &message);
            }
        };
        if self.settings.files.dry_run {
            return self.report_planned(schema, &p, &shown, &plan);
        }
        let task = Task {
            row,
            key: shown,
            find_key,
            parent,
            fields,
            extras,
            op,
            schema: Arc::clone(schema),
            values: p.raw.values,
        };
        if let Some(tx) = &self.tx
            && tx.blocking_send(task).is_err()
        {
            return Err(Error::Internal("the writers stopped".into()));
        }
        Ok(())
    }
}

/// The number of data rows in the input (read, not transformed).
fn count_rows(path: &str, options: &source::SourceOptions) -> Result<u64> {
    let mut src = source::open(path, options)?;
    let mut rows = 0u64;
    while let Some(batch) = src.next_batch(pipeline::BATCH_ROWS)? {
        rows += batch.rows.len() as u64;
        if crate::stop::requested() {
            break;
        }
    }
    Ok(rows)
}

/// Runs an import of `settings.files.input_path` into `remote`, on `runtime`.
pub fn run(settings: &Settings, remote: Remote, runtime: &Runtime) -> Result<ImportSummary> {
    let (target, http) = (&remote.target, &remote.http);
    let started = Instant::now();
    settings.files.check("import")?;
    let src = source::open(&settings.files.input_path, &settings.files.input.source)?;
    settings.files.input.mapping.check_against(&src.schema())?;
    let reports = open_reports(settings, src.as_ref())?;

    // `run` holds the run's lock to its end.
    let run = open_journal(settings, target, &src.schema())?;
    let (journal, resume, damaged) = (&run.journal, &run.resume, run.damage.is_some());
    let counters = Arc::new(Counters::default());
    let progress = Progress::start(
        settings.progress,
        if settings.files.dry_run {
            "planning"
        } else {
            "importing"
        },
        None,
        Arc::clone(&counters),
        Some(Arc::clone(http.stats())),
        Some(Arc::clone(http.pacer())),
    );
    progress.announce_resume(resume, &settings.files.checkpoint);
    let in_flight = in_flight_rows(resume);

    let (tx, rx) = mpsc::channel(QUEUE);
    // The canary runs once, in a fresh run: a resume does not repeat it.
    let fresh = resume.is_empty();
    let engine = journal.as_ref().map(|j| {
        let canary = if fresh { settings.canary } else { 0 };
        new_engine(settings, target, http, j, &reports, &counters, canary)
    });
    let writers = engine
        .as_ref()
        .map(|e| runtime.spawn(Arc::clone(e).run(rx)));

    let lists = settings.mode.lists_first() || damaged;
    let mut counts = Counts::default();
    let deduper = Deduper::new(
        settings.files.input.transform.dedupe_by,
        settings.files.keep,
    )?;
    let handle = runtime.handle().clone();
    let mut planner = Planner {
        settings,
        remote: &remote,
        runtime: &handle,
        reports: &reports,
        counters: &counters,
        counts: &mut counts,
        journal: journal.as_ref(),
        resume,
        in_flight: &in_flight,
        engine: engine.as_ref(),
        listings: Listings::new(&settings.matching),
        lists,
        damaged,
        claimed: HashSet::new(),
        tx: engine.is_some().then_some(tx),
        planned: summary::Planned::default(),
        last_schema: Arc::new(Schema::default()),
    };
    // Targets without parents are listed once, before the first row.
    if lists && !settings.matching.parents {
        // No parents, so no refusal for a parent: a failure is an error.
        planner.ensure_listed("")?;
    }
    // The total for the progress comes from a quick count of the rows, beside the run.
    let info = std::thread::scope(|scope| {
        scope.spawn(|| {
            if let Ok(rows) = count_rows(&settings.files.input_path, &settings.files.input.source) {
                progress.set_total(rows);
            }
        });
        pipeline::drive(src, &settings.files.input, deduper, &mut planner)
    });
    // A signal stops the reading: what was planned is sent, the rest is left for the resume.
    let final_schema = match info {
        Ok(info) => info.schema,
        Err(Error::Interrupted(_)) => Arc::clone(&planner.last_schema),
        Err(e) => {
            drop(planner.tx.take());
            if let Some(w) = writers {
                let _ = runtime.block_on(w);
            }
            return Err(e);
        }
    };
    let planned = planner.planned;
    let listed_records = planner.listings.index.len();
    drop(planner);

    // Let the writers finish, then settle the unknown and the retryable.
    let settled = match (engine, writers) {
        (Some(engine), Some(writers)) => settle_writers(engine, writers, runtime, &progress)?,
        _ => Settled::default(),
    };
    progress.finish();
    Reports::finish_shared(reports, &final_schema)?;
    if let Some(j) = &journal {
        if damaged && settled.stopped.is_none() && settled.left == 0 {
            j.reconciled();
        }
        j.close()?;
    }

    let exit_code = exit_code(&counts, &counters, &settled);
    let stats = http.stats().snapshot();
    Ok(ImportSummary::new(summary::Parts {
        settings,
        target: target.kind(),
        rate: http.pacer().configured_rate(),
        counts,
        counters: &counters,
        stats,
        listed_records,
        planned,
        canary: summary::CanaryLine::of(
            settings.canary,
            settings.files.dry_run,
            fresh,
            settled.held,
        ),
        settled,
        elapsed: started.elapsed(),
        exit_code,
    }))
}

/// The run's exit code: stopped with work left, rows not done, or all done.
fn exit_code(counts: &Counts, counters: &Counters, settled: &Settled) -> ExitCode {
    let failed = counters.failed.load(Ordering::Relaxed);
    let conflicts = counters.conflicts.load(Ordering::Relaxed);
    let unknown = counters.outcome_unknown.load(Ordering::Relaxed);
    ExitCode::of_run(
        settled.stopped.is_some() || settled.left > 0,
        counts.rejected + failed + conflicts + unknown,
    )
}

/// The rows of the writes a killed run left in flight, each with its intent: they are looked
/// for on the target before anything is written again.
fn in_flight_rows(resume: &Resume) -> HashMap<u64, Open> {
    resume
        .in_flight()
        .iter()
        .flat_map(|f| {
            let open = Open {
                intent: f.id,
                op: f.op,
                late_from_ms: f.late_from_ms,
            };
            f.rows.iter().map(move |&r| (r, open))
        })
        .collect()
}

/// The writers' engine of a run that writes, with the canary of a fresh run.
fn new_engine(
    settings: &Settings,
    target: &SharedTarget,
    http: &HttpClient,
    journal: &Journal,
    reports: &Arc<Mutex<Reports>>,
    counters: &Arc<Counters>,
    canary: usize,
) -> Arc<Engine> {
    Arc::new(
        Engine::new(
            Arc::clone(target),
            http.clone(),
            journal.clone(),
            Arc::clone(reports),
            Arc::clone(counters),
            settings.matching.by,
            settings.late,
        )
        .with_canary(canary),
    )
}

/// The run's reports: the errors, the success report (the plan, in a dry run) and the
/// duplicates, shared by the planner and the writers.
fn open_reports(settings: &Settings, src: &dyn source::Source) -> Result<Arc<Mutex<Reports>>> {
    let columns: &'static [&'static str] = if settings.files.dry_run {
        &crate::sink::PLAN_COLUMNS
    } else {
        &crate::sink::SUCCESS_COLUMNS
    };
    let reports = Reports::open_echoing(&settings.files.reports, src.info(), columns)?;
    Ok(Arc::new(Mutex::new(reports)))
}

/// The journal of the run (none in a dry run: it changes nothing), after the run's lock: one
/// run of this list to this place at a time, whatever path it is reached by; with whether the
/// journal lost records since the last run.
fn open_journal(
    settings: &Settings,
    target: &SharedTarget,
    schema: &Schema,
) -> Result<JournaledRun> {
    if settings.files.dry_run {
        return Ok(JournaledRun::dry(Resume::default()));
    }
    let mut header = settings
        .files
        .header(target.kind().as_str(), "import", schema)?
        .destination(settings.destination.entries())
        .option("mode", settings.mode.as_str())
        .option("match_by", settings.matching.by.as_str());
    for (k, v) in &settings.params {
        header = header.param(k, v);
    }
    JournaledRun::open(&Opening {
        header: &header,
        checkpoint: &settings.files.checkpoint,
        restart: settings.files.restart,
        creates: settings.mode == Mode::Create,
        extra: &[],
        limit: settings.files.input.source.limit,
        when_damaged: "Records it lost are not taken as \"not done\": the target is listed and each row looked for there before anything is written",
    })
}

/// What the writers left when they finished.
#[derive(Default)]
pub struct Settled {
    stopped: Option<String>,
    held: Option<usize>,
    left: u64,
    write_time: Option<std::time::Duration>,
    writes: u64,
}

/// Lets the writers finish, then settles the unknown and the retryable.
fn settle_writers(
    engine: Arc<Engine>,
    writers: tokio::task::JoinHandle<()>,
    runtime: &tokio::runtime::Runtime,
    progress: &Progress,
) -> Result<Settled> {
    runtime
        .block_on(writers)
        .map_err(|e| Error::Internal(format!("the writers failed: {e}")))?;
    let say = |line: &str| progress.println(line);
    runtime.block_on(Arc::clone(&engine).settle(&say));
    if let Some(e) = engine.exec.take_fatal() {
        return Err(e);
    }
    Ok(Settled {
        stopped: engine.exec.stopped(),
        held: engine.canary_held().map(|h| h.checked),
        left: engine.left.load(Ordering::Relaxed),
        write_time: engine.write_time(),
        writes: engine.writes.load(Ordering::Relaxed),
    })
}

/// Why a row with no key cannot be upserted: nothing to match existing records by.
fn no_key(by: MatchBy) -> Rejection {
    Rejection::new(
        Stage::Validate,
        by.as_str(),
        Code::FieldRequired,
        format!(
            "the row has no {} to match existing records by (choose another --match-by, or --mode create)",
            by.as_str()
        ),
    )
}
