//! The import's journal as an undo opens it: read by a dry run, opened to be appended to by
//! an undo; refused when it is not an import's, names a target this version does not know,
//! or records another account than the one the undo would delete in.

use std::collections::BTreeMap;
use std::path::Path;

use crate::checkpoint::{Journal, Resume, RunHeader, read_journal};
use crate::connectors::TargetKind;
use crate::destination::Destination;
use crate::error::{Error, Result};

/// An import's journal, opened for its undo.
pub struct Opened {
    /// The journal to append the deletes to (`None`: a dry run, which only reads).
    pub journal: Option<Journal>,
    /// Its header: the target, its parameters, where the import wrote.
    pub header: RunHeader,
    /// What the import (and any earlier undo) did, row by row.
    pub resume: Resume,
    /// The target the header names.
    pub kind: TargetKind,
}

/// The import's journal at `import_path`, opened for an undo (only read for a `dry_run`).
pub fn open(import_path: &Path, dry_run: bool) -> Result<Opened> {
    // A dry run only reads; a real undo appends to the import's journal.
    let (journal, header, resume) = if dry_run {
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
    Ok(Opened {
        journal,
        header,
        resume,
        kind,
    })
}

/// Refuses an undo whose account is not the one the import wrote to: there, every record
/// the import created would look already gone and be counted as deleted.
pub fn check_same_account(
    journal: &BTreeMap<String, String>,
    now: &Destination,
    path: &Path,
) -> Result<()> {
    let then = Destination::from_entries(journal).account();
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
