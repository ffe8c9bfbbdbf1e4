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

pub mod delete;
pub mod journal;
pub mod list;
pub mod plan;
pub mod refused;
pub mod settle;
pub mod summary;

use std::path::Path;

use crate::checkpoint::{Journal, Resume, RunHeader};
use crate::connectors::Remote;
use crate::destination::Destination;
use crate::error::{Error, ExitCode, Result};
use crate::import::LateWrites;

pub use journal::Opened;
pub use summary::{Replaced, UndoSummary};

/// Deletions above which a run asks for confirmation (or `--yes`).
pub const CONFIRM_ABOVE: u64 = 100;

/// Asked, with the number of records and the target, before deleting more than
/// [`CONFIRM_ABOVE`] records; false stops.
pub type Confirm = Box<dyn Fn(u64, &str) -> Result<bool>>;

/// Everything an undo needs besides the import's journal and the target.
pub struct Settings {
    /// The import's journal, as given.
    pub checkpoint: String,
    /// List what would be deleted, delete nothing.
    pub dry_run: bool,
    /// Try again the deletes an earlier undo saw refused.
    pub restart: bool,
    /// Where this undo would delete: it must be where the import wrote.
    pub destination: Destination,
    /// How long the import's creates whose answer never came may still land.
    pub late: LateWrites,
    /// The file of refused deletes.
    pub errors: String,
    /// Asked before deleting more than [`CONFIRM_ABOVE`] records.
    pub confirm: Confirm,
}

/// Undoes the import whose journal is `opened`: settles its interrupted creates, then
/// deletes every record it created (lists them, for a dry run).
pub fn run(
    settings: &Settings,
    opened: Opened,
    remote: Remote,
    runtime: &tokio::runtime::Runtime,
) -> Result<UndoSummary> {
    let Opened {
        journal,
        header,
        resume,
        ..
    } = opened;
    let import_path = Path::new(&settings.checkpoint);
    journal::check_same_account(&header.destination, &settings.destination, import_path)?;
    let _run_lock = match settings.dry_run {
        true => None,
        false => Some(crate::runlock::lock_run(
            &header,
            import_path,
            false,
            false,
            &[],
        )?),
    };
    let mut summary = UndoSummary {
        command: "undo",
        checkpoint: settings.checkpoint.clone(),
        target: header.target.clone(),
        dry_run: settings.dry_run,
        replaced: resume.replaces.as_deref().map(Replaced::read),
        ..UndoSummary::default()
    };
    let run = Run {
        settings,
        journal: journal.as_ref(),
        header: &header,
        resume: &resume,
        runtime,
    };
    let result = run.undo(&mut summary, remote);
    if let Some(j) = &journal {
        j.close()?;
    }
    result?;
    summary.exit_code = ExitCode::of_run(
        summary.left > 0 && !settings.dry_run || summary.stopped.is_some(),
        summary.failed + summary.unsettled_creates + summary.outcome_unknown_rows.len() as u64,
    );
    Ok(summary)
}

/// One undo, between opening the journal and closing it.
struct Run<'a> {
    settings: &'a Settings,
    journal: Option<&'a Journal>,
    header: &'a RunHeader,
    resume: &'a Resume,
    runtime: &'a tokio::runtime::Runtime,
}

impl Run<'_> {
    /// Settles the interrupted creates, plans the deletes and sends them (or lists them).
    fn undo(&self, summary: &mut UndoSummary, remote: Remote) -> Result<()> {
        let Remote { target, http } = remote;
        let (resume, settings) = (self.resume, self.settings);
        let settled = self.runtime.block_on(settle::settle_creates(
            &*target,
            &http,
            self.journal,
            resume,
            settle::find_by(self.header),
            settings.late,
        ))?;
        summary.found_unsettled = settled.found.len() as u64;
        summary.not_created = settled.not_created;
        summary.unsettled_creates = settled.unsettled;
        summary.outcome_unknown_rows = plan::outcome_unknown_rows(resume);
        let mut p = plan::plan(resume, settings.restart);
        p.todo.extend(settled.found);
        summary.created = resume.ever_created().len() as u64 + summary.found_unsettled;
        summary.resumed = p.resumed;
        summary.failed = p.failed_before;
        let n = p.todo.len() as u64;
        if settings.dry_run {
            list::list_deletes(&p.todo, &summary.outcome_unknown_rows)?;
            summary.left = n;
            return Ok(());
        }
        self.confirm(n)?;
        let Some(j) = self.journal.cloned() else {
            return Err(Error::Internal("an undo without its journal".into()));
        };
        let writer = refused::open(&settings.checkpoint, &settings.errors)?;
        summary.errors = Some(settings.errors.clone());
        let done = delete::delete_all(target, http, j, p.todo, writer, self.runtime)?;
        summary.deleted = done.deleted;
        summary.already_gone = done.gone;
        summary.gone_answers = done.gone_answers;
        summary.failed += done.failed;
        summary.left = n - done.deleted - done.gone - done.failed;
        summary.stopped = done.stopped;
        Ok(())
    }

    /// Asks before deleting more than [`CONFIRM_ABOVE`] records; refused, the journal is
    /// closed and nothing is deleted.
    fn confirm(&self, n: u64) -> Result<()> {
        if n > CONFIRM_ABOVE && !(self.settings.confirm)(n, &self.header.target)? {
            if let Some(j) = self.journal {
                j.close()?;
            }
            return Err(Error::Usage(format!(
                "not confirmed: nothing was deleted of the {n} records"
            )));
        }
        Ok(())
    }
}
