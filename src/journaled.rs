//! The opening of a run that changes remote state (`import`, `sms`): its run lock, its
//! journal (new, or read back for a resume), the mark that tells a journal which lost records,
//! and the record of this run, in that order, the same for every such command.

use std::path::Path;

use crate::checkpoint::mark::Damage;
use crate::checkpoint::{Journal, Resume, RunHeader};
use crate::error::{Error, Result};
use crate::runlock::RunLock;

/// What a journaled run is opened with.
pub struct Opening<'a> {
    /// The run's header: what the journal must match.
    pub header: &'a RunHeader,
    /// The journal's path.
    pub checkpoint: &'a Path,
    /// `--restart`: an existing journal is moved aside.
    pub restart: bool,
    /// The run creates records or sends texts: a second run at once would repeat them, so
    /// the lock refuses it.
    pub creates: bool,
    /// What else names the run for its lock (an SMS campaign's message, sender, timing).
    pub extra: &'a [(&'a str, &'a str)],
    /// `--limit`, recorded with the run.
    pub limit: Option<u64>,
    /// What the run does about the records a damaged journal lost, said after the warning.
    pub when_damaged: &'a str,
}

/// A journaled run, opened: keep it (its lock) for the run. A dry run has neither journal
/// nor lock, only what an existing journal says ([`JournaledRun::dry`]).
pub struct JournaledRun {
    pub journal: Option<Journal>,
    pub resume: Resume,
    /// The journal lost records since the last run (a copy put back, a truncation).
    pub damage: Option<Damage>,
    /// One run of this list to this place at a time: released when dropped.
    pub lock: Option<RunLock>,
}

impl JournaledRun {
    /// Takes the lock, opens the journal, checks its mark and records this run. A journal
    /// whose records were undone is refused: it no longer says what the target holds.
    pub fn open(o: &Opening<'_>) -> Result<JournaledRun> {
        let lock = crate::runlock::lock_run(o.header, o.checkpoint, o.restart, o.creates, o.extra)?;
        let (journal, resume) = Journal::open_or_create(o.checkpoint, o.header, o.restart)?;
        let undone = resume.undone();
        if undone > 0 {
            return Err(Error::Usage(format!(
                "this {} was undone: `bulkline undo` deleted {undone} of the records it created, so its journal {} no longer says what the target holds. Start over with --restart (the journal is moved aside), or finish the undo first",
                o.header.mode,
                o.checkpoint.display()
            )));
        }
        let state = crate::runlock::state_dir(|k| std::env::var(k).ok());
        let damage = journal.keep_mark(&state, &resume, o.restart);
        journal.note_run(o.limit)?;
        if let Some(d) = &damage {
            crate::stop::say(&format!(
                "bulkline: warning: {}: {d}. {}",
                o.checkpoint.display(),
                o.when_damaged
            ));
        }
        Ok(JournaledRun {
            journal: Some(journal),
            resume,
            damage,
            lock: Some(lock),
        })
    }

    /// A dry run: nothing is opened, locked or written; `resume` is what an existing journal
    /// says, if the run reads one.
    pub fn dry(resume: Resume) -> JournaledRun {
        JournaledRun {
            journal: None,
            resume,
            damage: None,
            lock: None,
        }
    }
}
