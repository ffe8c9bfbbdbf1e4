//! `bulkline undo CHECKPOINT`: deletes exactly the records an import created, as its journal
//! lists them, and records every delete in that same journal (intent before, outcome after,
//! through the journaled executor), so that the undo is resumable and the import knows it
//! was undone.
//!
//! First it settles the import's creates whose outcome is unknown (a kill, a lost answer):
//! the target is listed once and each is looked for by the key its intent kept; found, it was
//! created, and is deleted with the others. So after an undo no record the import created
//! remains, killed or not. The creates the import itself settled as `outcome_unknown` (no key
//! to look them up by) cannot be found this way: the undo names their rows, to check by hand.
//!
//! Where to delete is the journal's: its header names the target, the account and what
//! selects the data set (the Books organization, the Zoom address book). The options and
//! environment that pick a destination for an import (`--books-contact-id`,
//! `ZOHO_BOOKS_CONTACT_ID`, `--address-book-id`) are not read: an undo needs only the journal
//! and the credentials.

use crate::scopes::Command;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;

use super::api::connect;
use crate::checkpoint::{
    Action, InFlight, IntentSpec, Journal, Op, Resume, RowOutcome, RowState, RunHeader, now_ms,
    read_journal,
};
use crate::cli::UndoArgs;
use crate::connectors::{SharedTarget, Target, TargetKind, Write};
use crate::error::{Error, ExitCode, Result};
use crate::executor::Executor;
use crate::import::{MatchBy, OUTCOME_UNKNOWN, RemoteIndex};

/// Deletions above which a run asks for confirmation (or `--yes`).
pub const CONFIRM_ABOVE: u64 = 100;
/// Rounds of "delete again what certainly was not deleted".
const ROUNDS: u32 = 4;

/// What an undo did.
#[derive(Debug, Default, Serialize)]
pub struct UndoSummary {
    pub command: &'static str,
    pub checkpoint: String,
    pub target: String,
    pub dry_run: bool,
    /// Records the import created (settled creates included).
    pub created: u64,
    /// Interrupted creates of the import found on the target now (and so deleted).
    pub found_unsettled: u64,
    /// Interrupted creates that never happened.
    pub not_created: u64,
    /// Interrupted creates that cannot be settled (no key, or several records with it).
    pub unsettled_creates: u64,
    /// Rows the import settled as `outcome_unknown`: a create that may or may not have
    /// happened, with no key to look it up by. Not deleted: to check by hand.
    pub outcome_unknown_rows: Vec<u64>,
    pub deleted: u64,
    /// Already deleted by someone else: nothing to do.
    pub already_gone: u64,
    /// The answers read as "already gone", one per code: the vendor's code and words, and
    /// whether a page says so.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub gone_answers: BTreeMap<String, String>,
    /// Deleted by an earlier run of this undo.
    pub resumed: u64,
    pub failed: u64,
    /// Not done: the run stopped, or the delete's outcome is unknown.
    pub left: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// The file of refused deletes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<String>,
    /// The journal this one replaced (`import --restart` moved it aside): the records the
    /// runs before the restart created are in it, not here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced: Option<Replaced>,
    pub exit_code: u8,
}

/// A journal that `--restart` moved aside, as undo points to it.
#[derive(Debug, Serialize)]
pub struct Replaced {
    pub journal: String,
    /// The records it says were created (`None`: it cannot be read now).
    pub created: Option<u64>,
}

impl Replaced {
    /// The journal at `path`, and what it holds.
    fn read(path: &Path) -> Replaced {
        Replaced {
            journal: path.display().to_string(),
            created: read_journal(path)
                .ok()
                .map(|(_, r)| r.ever_created().len() as u64),
        }
    }

    fn text(&self) -> String {
        match self.created {
            Some(n) => format!(
                "  this journal was started by --restart: the {n} records created before it are in {} (bulkline undo {} to delete them)",
                self.journal, self.journal
            ),
            None => format!(
                "  this journal was started by --restart, which moved the one before it to {}: it cannot be read now",
                self.journal
            ),
        }
    }
}

#[derive(Default)]
struct Tally {
    deleted: AtomicU64,
    gone: AtomicU64,
    failed: AtomicU64,
    /// The first answer of each "gone" code, quoted.
    gone_answers: std::sync::Mutex<BTreeMap<String, String>>,
}

/// One record to delete.
#[derive(Debug, Clone)]
struct Delete {
    row: u64,
    id: String,
    parent: Option<String>,
}

/// Why the import's journal holds the creates it does, as `undo` needs it.
struct Plan {
    /// Records to delete now.
    todo: Vec<Delete>,
    /// Created rows an earlier undo deleted.
    resumed: u64,
    /// Created rows whose delete failed for good (tried again with `--restart`).
    failed_before: u64,
}

/// The created records still to delete.
fn plan(resume: &Resume, restart: bool) -> Plan {
    let mut p = Plan {
        todo: Vec::new(),
        resumed: 0,
        failed_before: 0,
    };
    let parent_of = |row: u64| {
        resume
            .in_flight()
            .iter()
            .find(|f| f.rows.contains(&row))
            .and_then(|f| f.parent.clone())
    };
    for (row, id) in resume.ever_created() {
        let delete = Delete {
            row,
            id: id.to_string(),
            parent: parent_of(row),
        };
        match resume.state(row) {
            Some(RowState::Done {
                action: Action::Deleted,
                ..
            }) => p.resumed += 1,
            Some(RowState::Failed(_)) if !restart => p.failed_before += 1,
            _ => p.todo.push(delete),
        }
    }
    p
}

/// The rows the import settled as `outcome_unknown`, in order.
fn outcome_unknown_rows(resume: &Resume) -> Vec<u64> {
    let mut rows: Vec<u64> = resume
        .rows()
        .filter_map(|(row, state)| match state {
            RowState::Failed(f) if f.code == OUTCOME_UNKNOWN => Some(row),
            _ => None,
        })
        .collect();
    rows.sort_unstable();
    rows
}

/// "3, 8, 12" (the first 20, then how many more).
fn row_list(rows: &[u64]) -> String {
    const SHOWN: usize = 20;
    let mut text: Vec<String> = rows.iter().take(SHOWN).map(u64::to_string).collect();
    if rows.len() > SHOWN {
        text.push(format!("and {} more", rows.len() - SHOWN));
    }
    text.join(", ")
}

/// A dry run's list on stdout: the records it would delete, then the rows to check by hand.
/// A reader that went away (`| head`) ends it quietly ([`Error::StdoutClosed`]).
fn list_deletes(todo: &[Delete], by_hand: &[u64]) -> Result<()> {
    use std::io::Write as _;
    let mut out = crate::stdout::buffered();
    let mut list = || -> std::io::Result<()> {
        for d in todo {
            writeln!(out, "delete {} (row {})", d.id, d.row)?;
        }
        for row in by_hand {
            writeln!(
                out,
                "check by hand: row {row} (the import's create has an unknown outcome and no key to look it up by)"
            )?;
        }
        out.flush()
    };
    list().map_err(crate::stdout::error)
}

/// The key kind an import's creates were found by: its `--match-by`, or the mobile for `id`.
fn find_by(header: &RunHeader) -> MatchBy {
    match header.options.get("match_by").map(String::as_str) {
        Some("email") => MatchBy::Email,
        _ => MatchBy::Mobile,
    }
}

/// The shared state of the deletes.
struct Deleter {
    target: SharedTarget,
    exec: Executor,
    tally: Tally,
    /// Deletes that certainly did not happen: to send again.
    retry: std::sync::Mutex<Vec<Delete>>,
    /// The deletes the target refused, kept in the error file.
    refused: std::sync::Mutex<Option<crate::sink::TableWriter>>,
}

/// The columns of undo's error file.
const ERROR_COLUMNS: [&str; 5] = ["_row", "_remote_id", "_parent", "_code", "_message"];

/// The (empty) input schema of undo's error file: its columns are all report columns.
fn no_columns() -> crate::source::Schema {
    crate::source::Schema::from_header(Vec::<String>::new())
}

impl Deleter {
    /// Whether the target's table reads `code` as "the record does not exist".
    fn gone(&self, code: &str) -> bool {
        self.target.descriptor().is_gone(Some(code))
    }

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

    async fn delete_all(self: Arc<Self>, todo: Vec<Delete>) {
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

/// What settling the import's interrupted creates found.
#[derive(Default)]
struct Settled {
    /// Found on the target: created, to delete.
    found: Vec<Delete>,
    not_created: u64,
    unsettled: u64,
}

/// Looks for the import's interrupted creates on the target (one listing under their
/// parents), recording what it finds in the journal unless `journal` is `None` (a dry run).
async fn settle_creates<T: Target + ?Sized>(
    target: &T,
    exec_http: &crate::http::HttpClient,
    journal: Option<&Journal>,
    resume: &Resume,
    by: MatchBy,
    late: crate::import::LateWrites,
) -> Result<Settled> {
    let creates: Vec<&InFlight> = resume
        .in_flight()
        .iter()
        .filter(|f| f.op == Op::Create)
        .collect();
    let mut settled = Settled::default();
    if creates.is_empty() {
        return Ok(settled);
    }
    // A create in transit when the import was killed may still land until it is older than
    // the request timeout plus the catch-up: let it, or it would be left behind.
    let newest = creates.iter().map(|f| f.at_ms).max().unwrap_or(0);
    let wait = late.ready_ms(newest).saturating_sub(now_ms());
    if wait > 0 {
        crate::stop::say(&format!(
            "bulkline: waiting {:.1} s for {} create(s) of the import whose answer never came, so that none lands after the undo looked",
            wait as f64 / 1000.0,
            creates.len()
        ));
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(wait)) => {}
            _ = crate::stop::wait() => {
                return Err(Error::Interrupted(
                    "stopped while waiting for the import's creates in transit".into(),
                ));
            }
        }
    }
    let parents: BTreeSet<String> = creates
        .iter()
        .map(|f| f.parent.clone().unwrap_or_default())
        .collect();
    let parents: Vec<String> = parents.into_iter().filter(|p| !p.is_empty()).collect();
    let records = target
        .list(exec_http, &parents)
        .await
        .map_err(crate::connectors::ListError::into_error)?;
    let index = RemoteIndex::new(by, records);
    let record = |intent, outcome: RowOutcome| -> Result<()> {
        match journal {
            Some(j) => j.outcome(intent, &[outcome]).map_err(Error::from),
            None => Ok(()),
        }
    };
    for f in creates {
        let parent = f.parent.clone().unwrap_or_default();
        for &row in &f.rows {
            let Some(key) = resume.key(row).filter(|k| !k.is_empty()) else {
                settled.unsettled += 1;
                continue;
            };
            let found = index.find(&parent, key);
            match found.as_slice() {
                [one] => {
                    record(f.id, RowOutcome::done(row, Action::Created, Some(&one.id)))?;
                    settled.found.push(Delete {
                        row,
                        id: one.id.clone(),
                        parent: f.parent.clone(),
                    });
                }
                [] => {
                    record(f.id, RowOutcome::not_applied(row))?;
                    settled.not_created += 1;
                }
                _ => settled.unsettled += 1,
            }
        }
    }
    Ok(settled)
}

/// Refuses an undo whose account is not the one the import wrote to: there, every record
/// the import created would look already gone and be counted as deleted.
fn check_same_account(
    journal: &std::collections::BTreeMap<String, String>,
    now: &crate::destination::Destination,
    path: &std::path::Path,
) -> Result<()> {
    let then = crate::destination::Destination::from_entries(journal).account();
    let now = now.account();
    if then == now {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{} records an import into {}, but this undo would delete in {}: give the same API options (--base-url, --dc, credentials) as the import",
        path.display(),
        crate::destination::describe(&then),
        crate::destination::describe(&now),
    )))
}

pub fn run(args: &UndoArgs) -> Result<u8> {
    super::json_owns_stdout(
        args.api.json,
        &[("the dry run's list of deletes", args.dry_run)],
    )?;
    let import_path = Path::new(&args.checkpoint);
    crate::paths::check_journal(import_path)?;
    // A dry run only reads; a real undo appends to the import's journal.
    let (journal, header, resume) = if args.dry_run {
        let (header, resume) = read_journal(import_path)?;
        (None, header, resume)
    } else {
        let (journal, header, resume) = Journal::open_existing(import_path)?;
        (Some(journal), header, resume)
    };
    if header.mode != "import" {
        return Err(Error::Usage(format!(
            "{} is the journal of a `{}` run, not of an import",
            import_path.display(),
            header.mode
        )));
    }
    let kind = TargetKind::named(&header.target).ok_or_else(|| {
        Error::Usage(format!(
            "{} names a target this version does not know: {}",
            import_path.display(),
            header.target
        ))
    })?;
    // The destination is the journal's (see the module docs): what picks one for an import
    // is left out.
    let api_args = crate::cli::ApiArgs {
        destination: Default::default(),
        ..args.api.clone()
    };
    let api = connect(
        &api_args,
        kind,
        Some(&header.target_params),
        Some(Command::Undo),
    )?;
    check_same_account(&header.destination, &api.destination, import_path)?;
    let _run_lock = match args.dry_run {
        true => None,
        false => Some(crate::runlock::lock_run(
            &header,
            import_path,
            false,
            false,
            &[],
        )?),
    };
    let by = find_by(&header);
    let runtime = &api.runtime;
    let mut summary = UndoSummary {
        command: "undo",
        checkpoint: args.checkpoint.clone(),
        target: header.target.clone(),
        dry_run: args.dry_run,
        replaced: resume.replaces.as_deref().map(Replaced::read),
        ..UndoSummary::default()
    };
    let http = api.http.clone();
    let mut run = || -> Result<()> {
        let target = api.target.clone();
        let settled = runtime.block_on(settle_creates(
            &*target,
            &http,
            journal.as_ref(),
            &resume,
            by,
            crate::import::LateWrites {
                timeout: Duration::from_secs_f64(args.api.request_timeout),
                catch_up: Duration::from_secs_f64(args.write_catch_up),
            },
        ))?;
        summary.found_unsettled = settled.found.len() as u64;
        summary.not_created = settled.not_created;
        summary.unsettled_creates = settled.unsettled;
        summary.outcome_unknown_rows = outcome_unknown_rows(&resume);
        let mut p = plan(&resume, args.restart);
        p.todo.extend(settled.found);
        summary.created = resume.ever_created().len() as u64 + summary.found_unsettled;
        summary.resumed = p.resumed;
        summary.failed = p.failed_before;
        let n = p.todo.len() as u64;
        if args.dry_run {
            list_deletes(&p.todo, &summary.outcome_unknown_rows)?;
            summary.left = n;
            Ok(())
        } else {
            if n > CONFIRM_ABOVE && !args.yes {
                let ok = super::confirm_on_terminal(
                    &format!("Delete {n} records from {}?", header.target),
                    &format!(
                        "this deletes {n} records from {} and there is no terminal to confirm on: add --yes (check first with --dry-run)",
                        header.target
                    ),
                )?;
                if !ok {
                    if let Some(j) = &journal {
                        j.close()?;
                    }
                    return Err(Error::Usage(format!(
                        "not confirmed: nothing was deleted of the {n} records"
                    )));
                }
            }
            let Some(j) = journal.clone() else {
                return Err(Error::Internal("an undo without its journal".into()));
            };
            // The refused deletes are always kept: in --errors, else beside the journal.
            let errors_path = args.errors.clone().unwrap_or_else(|| {
                super::default_result_file(
                    &args.checkpoint,
                    "undo",
                    "errors",
                    args.api.report_dir.as_deref(),
                )
            });
            // Never over the journal (the "input" of an undo).
            crate::paths::RunFiles::new(&args.checkpoint)
                .output("--errors", Some(&errors_path))
                .check()?;
            let writer = crate::sink::TableWriter::create(
                &errors_path,
                crate::source::Format::Csv,
                b',',
                &ERROR_COLUMNS,
            )?;
            summary.errors = Some(errors_path);
            let deleter = Arc::new(Deleter {
                target,
                exec: Executor::new(http.clone(), j),
                tally: Tally::default(),
                retry: std::sync::Mutex::new(Vec::new()),
                refused: std::sync::Mutex::new(Some(writer)),
            });
            runtime.block_on(Arc::clone(&deleter).delete_all(p.todo));
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
            summary.deleted = t.deleted.load(Ordering::Relaxed);
            summary.already_gone = t.gone.load(Ordering::Relaxed);
            summary.gone_answers =
                std::mem::take(&mut *t.gone_answers.lock().unwrap_or_else(|e| e.into_inner()));
            summary.failed += t.failed.load(Ordering::Relaxed);
            summary.left =
                n - summary.deleted - summary.already_gone - t.failed.load(Ordering::Relaxed);
            summary.stopped = deleter.exec.stopped();
            Ok(())
        }
    };
    let result = run();
    if let Some(j) = &journal {
        j.close()?;
    }
    result?;
    summary.exit_code = ExitCode::of_run(
        summary.left > 0 && !args.dry_run || summary.stopped.is_some(),
        summary.failed + summary.unsettled_creates + summary.outcome_unknown_rows.len() as u64,
    )
    .code();
    crate::summary::print(&summary, args.api.json, args.api.quiet)?;
    Ok(summary.exit_code)
}

impl crate::summary::Summary for UndoSummary {
    fn human(&self) -> String {
        let summary = self;
        use std::fmt::Write as _;
        let mut out = String::new();
        if summary.dry_run {
            let _ = writeln!(
                out,
                "dry run: nothing was deleted; {} of the {} records the import created would be deleted ({} by an earlier undo, {} whose delete failed)",
                summary.left, summary.created, summary.resumed, summary.failed
            );
        } else {
            let _ = writeln!(
                out,
                "undo of {} on {}: {} created by the import; {} deleted now, {} by an earlier undo, {} already gone, {} failed, {} left",
                summary.checkpoint,
                summary.target,
                summary.created,
                summary.deleted,
                summary.resumed,
                summary.already_gone,
                summary.failed,
                summary.left
            );
        }
        if summary.found_unsettled + summary.not_created > 0 {
            let _ = writeln!(
                out,
                "  interrupted creates of the import: {} found on the target (deleted with the others), {} never happened",
                summary.found_unsettled, summary.not_created
            );
        }
        if let Some(replaced) = &summary.replaced {
            let _ = writeln!(out, "{}", replaced.text());
        }
        for answer in summary.gone_answers.values() {
            let _ = writeln!(
                out,
                "  counted as already gone: the delete was answered {answer}"
            );
        }
        if let Some(path) = summary.errors.as_ref().filter(|_| summary.failed > 0) {
            let _ = writeln!(out, "  refused deletes: {path}");
        }
        if summary.unsettled_creates > 0 {
            let _ = writeln!(
                out,
                "  {} interrupted creates cannot be told apart on the target (no key, or several records with it): check them by hand",
                summary.unsettled_creates
            );
        }
        if !summary.outcome_unknown_rows.is_empty() {
            let _ = writeln!(
                out,
                "  {} creates of the import have an unknown outcome and no key to find them by (outcome_unknown), so they are not deleted: check rows {} on the target by hand",
                summary.outcome_unknown_rows.len(),
                row_list(&summary.outcome_unknown_rows)
            );
        }
        if summary.failed > 0 && !summary.dry_run {
            let _ = writeln!(
                out,
                "  deletes that failed are tried again by `bulkline undo --restart`"
            );
        }
        if let Some(why) = &summary.stopped {
            let _ = writeln!(out, "  stopped: {why}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_lists_name_the_first_twenty() {
        assert_eq!(row_list(&[3, 8]), "3, 8");
        let many: Vec<u64> = (1..=25).collect();
        let text = row_list(&many);
        assert!(text.starts_with("1, 2, 3"), "{text}");
        assert!(text.ends_with("20, and 5 more"), "{text}");
    }
}
