//! The opening of a run that changes remote state (`import`, `sms`): its run lock, its
//! journal (new, or read back for a resume), the mark that tells a journal which lost records,
//! and the record of this run, in that order, the same for every such command; and the files
//! such a run reads and writes ([`Files`]).

use std::path::{Path, PathBuf};

use crate::checkpoint::mark::Damage;
use crate::checkpoint::{Journal, Resume, RunHeader};
use crate::dedupe::Keep;
use crate::error::{Error, Result};
use crate::input::InputPlan;
use crate::runlock::RunLock;
use crate::sink::ReportPaths;
use crate::source::Schema;

/// What a journaled run reads and where it keeps what it did: the options `import` and `sms`
/// share about their input, their journal and their reports.
pub struct Files {
    pub input: InputPlan,
    /// The input file: a file, since the journal identifies the file it belongs to.
    pub input_path: String,
    /// Which row of a group of duplicates is kept (`--keep`).
    pub keep: Keep,
    /// `--dry-run`: nothing is changed, so no journal is written.
    pub dry_run: bool,
    /// The journal (`--checkpoint`, else beside the input).
    pub checkpoint: PathBuf,
    /// `--restart`: an existing journal is moved aside.
    pub restart: bool,
    /// The rows rejected or refused (`--errors`, else beside the input; none in a dry run),
    /// the rows done or, in a dry run, planned (`--report`), and the rows dedupe drops
    /// (`--duplicates`, else beside the errors).
    pub reports: ReportPaths,
}

impl Files {
    /// Refuses, before anything is read or written, a `command` whose paths would destroy data:
    /// the input is a file, and no output is the input or another output (a dry run writes no
    /// journal). See [`crate::paths::check_reports_and_journal`].
    pub fn check(&self, command: &str) -> Result<()> {
        Ok(crate::paths::check_reports_and_journal(
            command,
            &self.input_path,
            self.reports.errors.as_deref(),
            self.reports.report.as_deref(),
            self.input.warnings.as_deref(),
            (!self.dry_run).then_some(self.checkpoint.as_path()),
        )?)
    }

    /// The journal header of a `mode` run to `target` of the input read with `schema`: the
    /// input's fingerprint and what changes what a row becomes (mapping, regions, dedupe).
    pub fn header(&self, target: &str, mode: &str, schema: &Schema) -> Result<RunHeader> {
        let mut header = RunHeader::new(
            crate::fingerprint::of_input(&self.input_path, &self.input.source)?,
            target,
            mode,
        )
        .option("dedupe_by", format!("{:?}", self.input.transform.dedupe_by))
        .option("keep", format!("{:?}", self.keep));
        for (k, v) in self.input.journal_options(schema) {
            header = header.option(k, v);
        }
        Ok(header)
    }

    /// What the run's summary says of the files it kept.
    pub fn kept(&self) -> crate::summary::Kept {
        crate::summary::Kept {
            checkpoint: (!self.dry_run).then(|| self.checkpoint.display().to_string()),
            errors: self.reports.errors.clone(),
            report: self.reports.report.clone(),
            warnings: self.input.warnings.clone(),
            journal_gone: false,
        }
    }
}

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
