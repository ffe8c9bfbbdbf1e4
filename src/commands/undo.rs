//! `bulkline undo CHECKPOINT`: deletes exactly the records an import created, as its journal
//! lists them. The undo keeps a journal of its own, so that it is resumable too.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::api::{connect, with_target};
use crate::checkpoint::{Action, Journal, Op, RowOutcome, RowState, RunHeader, read_journal};
use crate::cli::UndoArgs;
use crate::error::{Error, Result, exit};
use crate::http::HttpClient;
use crate::target::{Target, TargetKind, Write};

/// The code each target answers a delete of a record that is not there (any more).
fn gone_code(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::ZohoVoice => "404",
        TargetKind::ZohoBooks => "1003",
        TargetKind::ZoomCc => "2101",
    }
}

/// What an undo did.
#[derive(Debug, Default, Serialize)]
pub struct UndoSummary {
    pub command: &'static str,
    pub checkpoint: String,
    pub target: String,
    /// Records the import created.
    pub created: u64,
    pub deleted: u64,
    /// Already deleted by someone else: nothing to do.
    pub already_gone: u64,
    /// Deleted by an earlier run of this undo.
    pub resumed: u64,
    pub failed: u64,
    /// Not done: the run stopped, or the delete's outcome is unknown.
    pub left: u64,
    /// Creates of the import whose outcome is still unknown: run the import again first.
    pub unsettled_creates: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    pub exit_code: u8,
}

#[derive(Default)]
struct Tally {
    deleted: AtomicU64,
    gone: AtomicU64,
    failed: AtomicU64,
    left: AtomicU64,
    stop: std::sync::Mutex<Option<String>>,
}

async fn delete_one<T: Target>(
    target: &T,
    http: &HttpClient,
    journal: &Journal,
    tally: &Tally,
    row: u64,
    id: &str,
) -> Result<()> {
    let stopped = tally.stop.lock().map(|s| s.is_some()).unwrap_or(true);
    if stopped {
        tally.left.fetch_add(1, Ordering::Relaxed);
        return Ok(());
    }
    let intent = journal.intent(Op::Delete, &[row], Some(id)).await?;
    match target.delete(http, id, None).await {
        Write::Done { .. } => {
            journal.outcome(intent, &[RowOutcome::done(row, Action::Deleted, Some(id))])?;
            tally.deleted.fetch_add(1, Ordering::Relaxed);
        }
        Write::Failed { code, .. } if code.as_deref() == Some(gone_code(target.kind())) => {
            journal.outcome(intent, &[RowOutcome::done(row, Action::Deleted, Some(id))])?;
            tally.gone.fetch_add(1, Ordering::Relaxed);
        }
        Write::Failed { code, message } => {
            let code = code.unwrap_or_else(|| "remote_error".into());
            eprintln!("bulkline: undo: record {id} (row {row}): {code}: {message}");
            journal.outcome(intent, &[RowOutcome::failed(row, code, message)])?;
            tally.failed.fetch_add(1, Ordering::Relaxed);
        }
        Write::Ambiguous { .. } | Write::NotApplied { .. } => {
            // A delete can be sent again: the next run does.
            journal.outcome(intent, &[RowOutcome::not_applied(row)])?;
            tally.left.fetch_add(1, Ordering::Relaxed);
        }
        Write::Stop { message } => {
            journal.outcome(intent, &[RowOutcome::not_applied(row)])?;
            if let Ok(mut s) = tally.stop.lock() {
                s.get_or_insert(message);
            }
            tally.left.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

async fn delete_all<T: Target + 'static>(
    target: Arc<T>,
    http: HttpClient,
    journal: Journal,
    todo: Vec<(u64, String)>,
    tally: Arc<Tally>,
) -> Result<()> {
    let permits = Arc::new(Semaphore::new(256));
    let mut set = JoinSet::new();
    for (row, id) in todo {
        let permit = Arc::clone(&permits)
            .acquire_owned()
            .await
            .map_err(|e| Error::Internal(e.to_string()))?;
        let (target, http, journal, tally) = (
            Arc::clone(&target),
            http.clone(),
            journal.clone(),
            Arc::clone(&tally),
        );
        set.spawn(async move {
            let r = delete_one(&*target, &http, &journal, &tally, row, &id).await;
            drop(permit);
            r
        });
    }
    let mut first_error = None;
    while let Some(joined) = set.join_next().await {
        let result = joined.map_err(|e| Error::Internal(format!("a delete task failed: {e}")))?;
        if let Err(e) = result {
            first_error.get_or_insert(e);
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

pub fn run(args: &UndoArgs) -> Result<u8> {
    let import_path = Path::new(&args.checkpoint);
    let (header, import) = read_journal(import_path)?;
    if header.mode != "import" {
        return Err(Error::Usage(format!(
            "{} is the journal of a `{}` run, not of an import",
            import_path.display(),
            header.mode
        )));
    }
    let kind = <TargetKind as clap::ValueEnum>::from_str(&header.target, false).map_err(|_| {
        Error::Usage(format!(
            "{} names a target this version does not know: {}",
            import_path.display(),
            header.target
        ))
    })?;
    let api = connect(&args.api, kind, Some(&header.target_params))?;
    let undo_path = match &args.undo_checkpoint {
        Some(p) => PathBuf::from(p),
        None => {
            let mut name = import_path.as_os_str().to_owned();
            name.push(".undo");
            PathBuf::from(name)
        }
    };
    let undo_header = RunHeader::for_undo(import_path, &header)?;
    let (journal, done) = Journal::open_or_create(&undo_path, &undo_header, false)?;
    let created = import.created();
    let mut summary = UndoSummary {
        command: "undo",
        checkpoint: args.checkpoint.clone(),
        target: header.target.clone(),
        created: created.len() as u64,
        unsettled_creates: import
            .in_flight()
            .iter()
            .filter(|f| f.op == Op::Create)
            .map(|f| f.rows.len() as u64)
            .sum(),
        ..UndoSummary::default()
    };
    let todo: Vec<(u64, String)> = created
        .iter()
        .filter(|(row, _)| match done.state(*row) {
            Some(RowState::Done { .. }) => {
                summary.resumed += 1;
                false
            }
            Some(RowState::Failed(_)) => {
                summary.failed += 1;
                false
            }
            _ => true,
        })
        .map(|(row, id)| (*row, id.to_string()))
        .collect();
    let tally = Arc::new(Tally::default());
    let runtime = &api.runtime;
    let result = with_target!(api.target, t => runtime.block_on(delete_all(
        Arc::new(t),
        api.http,
        journal.clone(),
        todo,
        Arc::clone(&tally),
    )));
    journal.close()?;
    result?;
    summary.deleted = tally.deleted.load(Ordering::Relaxed);
    summary.already_gone = tally.gone.load(Ordering::Relaxed);
    summary.failed += tally.failed.load(Ordering::Relaxed);
    summary.left = tally.left.load(Ordering::Relaxed);
    summary.stopped = tally.stop.lock().ok().and_then(|s| s.clone());
    summary.exit_code = if summary.left > 0 || summary.stopped.is_some() {
        exit::RESUMABLE
    } else if summary.failed > 0 {
        exit::ROWS_REJECTED
    } else {
        exit::OK
    };
    if args.api.json {
        let text = super::summary_json(&summary)?;
        println!("{text}");
    } else if !args.api.quiet {
        eprintln!(
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
        if summary.unsettled_creates > 0 {
            eprintln!(
                "  {} creates of the import have an unknown outcome: run the import again to settle them, then undo again",
                summary.unsettled_creates
            );
        }
        if let Some(why) = &summary.stopped {
            eprintln!("  stopped: {why}; run the same command again to resume");
        }
    }
    Ok(summary.exit_code)
}
