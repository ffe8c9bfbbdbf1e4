//! What an undo did ([`UndoSummary`]), the journal a `--restart` moved aside ([`Replaced`]),
//! and how both read.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::checkpoint::read_journal;

/// What an undo did.
#[serde_with::skip_serializing_none]
#[derive(Debug, Default, Serialize)]
pub struct UndoSummary {
    /// Always `undo`.
    pub command: &'static str,
    /// The import's journal.
    pub checkpoint: String,
    /// The target the journal names.
    pub target: String,
    /// Whether nothing was deleted (`--dry-run`).
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
    /// Records deleted by this run.
    pub deleted: u64,
    /// Already deleted by someone else: nothing to do.
    pub already_gone: u64,
    /// The answers read as "already gone", one per code: the vendor's code and words, and
    /// whether a page says so.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub gone_answers: BTreeMap<String, String>,
    /// Deleted by an earlier run of this undo.
    pub resumed: u64,
    /// Deletes the target refused (now or in an earlier run).
    pub failed: u64,
    /// Not done: the run stopped, or the delete's outcome is unknown.
    pub left: u64,
    /// Why the run stopped early, if it did.
    pub stopped: Option<String>,
    /// The file of refused deletes.
    pub errors: Option<String>,
    /// The journal this one replaced (`import --restart` moved it aside): the records the
    /// runs before the restart created are in it, not here.
    pub replaced: Option<Replaced>,
    /// The run's exit code.
    pub exit_code: crate::exit::ExitCode,
}

/// A journal that `--restart` moved aside, as undo points to it.
#[derive(Debug, Serialize)]
pub struct Replaced {
    /// Where it is.
    pub journal: String,
    /// The records it says were created (`None`: it cannot be read now).
    pub created: Option<u64>,
}

impl Replaced {
    /// The journal at `path`, and what it holds.
    pub fn read(path: &Path) -> Replaced {
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

/// "3, 8, 12" (the first 20, then how many more).
fn row_list(rows: &[u64]) -> String {
    const SHOWN: usize = 20;
    let mut text: Vec<String> = rows.iter().take(SHOWN).map(u64::to_string).collect();
    if rows.len() > SHOWN {
        text.push(format!("and {} more", rows.len() - SHOWN));
    }
    text.join(", ")
}

impl UndoSummary {
    /// The text for a person.
    pub fn human(&self) -> String {
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

crate::summary::impl_summary!(UndoSummary);

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
