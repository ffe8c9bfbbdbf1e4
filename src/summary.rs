//! The summary a command ends with, printed one way by every command: with `--json`, one
//! line of JSON on stdout; otherwise the text for a person on stderr (on stdout when the
//! summary is what the command is for, as a dry run's plan), or nothing with `--quiet`.

use crate::error::{Error, Result};

/// A command's summary.
pub trait Summary: serde::Serialize {
    /// The text for a person, ending with a newline.
    fn human(&self) -> String;

    /// Whether the text is the command's output (stdout) rather than a note about it.
    fn human_on_stdout(&self) -> bool {
        false
    }
}

/// The summary as one line of JSON.
pub fn to_json<T: serde::Serialize + ?Sized>(summary: &T) -> Result<String> {
    serde_json::to_string(summary)
        .map_err(|e| Error::Internal(format!("cannot encode the summary: {e}")))
}

/// Prints `summary`: as JSON with `json`, else as text unless `quiet` (a summary that is the
/// command's output is printed even then).
pub fn print<S: Summary + ?Sized>(summary: &S, json: bool, quiet: bool) -> Result<()> {
    if json {
        println!("{}", to_json(summary)?);
    } else if summary.human_on_stdout() {
        print!("{}", summary.human());
    } else if !quiet {
        eprint!("{}", summary.human());
    }
    Ok(())
}

impl Summary for crate::report::Summary {
    fn human(&self) -> String {
        crate::report::Summary::human(self)
    }
}

impl Summary for crate::import::ImportSummary {
    fn human(&self) -> String {
        crate::import::ImportSummary::human(self)
    }
}

impl Summary for crate::sms::summary::SmsSummary {
    fn human(&self) -> String {
        crate::sms::summary::SmsSummary::human(self)
    }

    /// The plan is what a dry run is for: it goes to stdout.
    fn human_on_stdout(&self) -> bool {
        self.dry_run
    }
}

impl Summary for crate::export::ExportSummary {
    fn human(&self) -> String {
        crate::export::ExportSummary::human(self)
    }
}
