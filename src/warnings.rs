//! The warnings file: the values `--bad-secondary drop` dropped from rows that were kept, one
//! line each, with the row, the column, the value, the code and the reason.

use crate::error::{Error, Result};
use crate::sink::{TableWriter, output_delimiter, output_format};
use crate::source::{Format, Schema, Values};
use crate::transform::{BadSecondary, Dropped};

/// The columns of the warnings file.
pub const WARNING_COLUMNS: &[&str] = &["_row", "_field", "_value", "_code", "_message"];

/// Where the warnings go: `given` (`--warnings`), else, when values may be dropped, beside the
/// error report (its file name with `warnings` for `errors`, or `.warnings` added); `None`
/// when there is no such file to be beside.
pub fn path(given: Option<&str>, errors: Option<&str>, bad: BadSecondary) -> Option<String> {
    if let Some(given) = given {
        return Some(given.to_string());
    }
    crate::report::beside_errors(errors.filter(|_| bad == BadSecondary::Drop), "warnings")
}

/// The warnings file being written (whole or not at all, like every report). On stdout, a
/// reader that went away ends the list there, quietly, and the run goes on.
pub struct WarningsFile {
    writer: Option<TableWriter>,
    schema: Schema,
    /// Lines written.
    pub lines: u64,
}

impl WarningsFile {
    pub fn create(path: &str) -> Result<WarningsFile> {
        let format = output_format(path, Format::Csv);
        Ok(WarningsFile {
            writer: Some(TableWriter::create(
                path,
                format,
                output_delimiter(path, b','),
                WARNING_COLUMNS,
            )?),
            schema: Schema::from_header(std::iter::empty::<String>()),
            lines: 0,
        })
    }

    /// Lists the values dropped from row `row`.
    pub fn write(&mut self, row: u64, dropped: &[Dropped]) -> Result<()> {
        let none = Values::Csv(std::iter::empty::<&str>().collect());
        for d in dropped {
            let Some(writer) = self.writer.as_mut() else {
                return Ok(());
            };
            let extra = [
                row.to_string(),
                d.field.clone(),
                d.value.clone(),
                d.code.as_str().to_string(),
                d.message.clone(),
            ];
            match writer.write(&self.schema, &none, &[], &extra) {
                Err(Error::StdoutClosed) => self.writer = None,
                other => other?,
            }
            self.lines += 1;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<()> {
        match self.writer {
            Some(w) => crate::stdout::tolerate_closed(w.finish(&self.schema)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warnings_go_beside_the_error_report() {
        let drop = BadSecondary::Drop;
        for (errors, want) in [
            (
                "out/list.csv.zoho-voice.errors.csv",
                "out/list.csv.zoho-voice.warnings.csv",
            ),
            ("refused.csv", "refused.warnings.csv"),
            ("errors", "warnings"),
            ("bad", "bad.warnings"),
        ] {
            assert_eq!(
                path(None, Some(errors), drop).as_deref(),
                Some(want),
                "{errors}"
            );
        }
        assert_eq!(path(None, Some("e.csv"), BadSecondary::Reject), None);
        assert_eq!(path(None, Some("-"), drop), None);
        assert_eq!(path(None, None, drop), None);
        assert_eq!(
            path(Some("w.csv"), None, BadSecondary::Reject).as_deref(),
            Some("w.csv")
        );
    }
}
