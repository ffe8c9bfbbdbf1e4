//! The report of refused deletes: always kept, in `--errors`, else beside the journal.

use crate::error::Result;
use crate::sink::TableWriter;

/// The columns of undo's error file.
pub const ERROR_COLUMNS: [&str; 5] = ["_row", "_remote_id", "_parent", "_code", "_message"];

/// The (empty) input schema of undo's error file: its columns are all report columns.
pub fn no_columns() -> crate::source::Schema {
    crate::source::Schema::from_header(Vec::<String>::new())
}

/// The error file at `errors`, created; refused when it would be the journal `checkpoint`.
pub fn open(checkpoint: &str, errors: &str) -> Result<TableWriter> {
    // Never over the journal (the "input" of an undo).
    crate::paths::RunFiles::new(checkpoint)
        .output("--errors", Some(errors))
        .check()?;
    TableWriter::create(errors, crate::source::Format::Csv, b',', &ERROR_COLUMNS)
}
