//! A dry run's list on stdout: the records it would delete, then the rows to check by hand.

use super::plan::Delete;
use crate::error::Result;

/// Writes the list of `todo`, then of the rows `by_hand`. A reader that went away
/// (`| head`) ends it quietly ([`crate::error::Error::StdoutClosed`]).
pub fn list_deletes(todo: &[Delete], by_hand: &[u64]) -> Result<()> {
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
