//! The summary a command ends with, printed one way by every command: with `--json`, one
//! line of JSON on stdout (when the command ends, with its exit code); otherwise the text for
//! a person on stderr (on stdout when the summary is what the command is for, as a dry run's
//! plan), or nothing with `--quiet`.

use crate::error::{Error, Result};

/// The requests a run sent, as its summary counts them.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Traffic {
    pub requests: u64,
    pub retries: u64,
    pub rate_limited: u64,
    /// The configured rate, requests per second.
    pub rate: f64,
    pub seconds: f64,
}

impl Traffic {
    /// The traffic of `stats` at `rate` over `elapsed`.
    pub fn of(
        stats: &crate::http::StatsSnapshot,
        rate: crate::http::Rate,
        elapsed: std::time::Duration,
    ) -> Traffic {
        Traffic {
            requests: stats.requests,
            retries: stats.retries,
            rate_limited: stats.rate_limited,
            rate: rate.as_per_second(),
            seconds: elapsed.as_secs_f64(),
        }
    }
}

/// The files a run kept, as its summary names them (a dry run keeps no journal).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Kept {
    pub checkpoint: Option<String>,
    pub errors: Option<String>,
    pub report: Option<String>,
    /// The warnings file (`--bad-secondary drop`'s dropped values).
    pub warnings: Option<String>,
    /// The journal was a temporary one, gone with the command (`--sandbox`).
    #[serde(skip)]
    pub journal_gone: bool,
}

impl Kept {
    /// The journal was temporary (`--sandbox`, whose records end with the command too): no
    /// path to name, since none is left to resume from.
    pub fn forget_journal(&mut self) {
        self.checkpoint = None;
        self.journal_gone = true;
    }

    /// The line a summary gives about the journal, if any.
    pub fn journal_line(&self) -> Option<String> {
        match (&self.checkpoint, self.journal_gone) {
            (Some(path), _) => Some(format!("checkpoint: {path}")),
            (None, true) => Some(
                "checkpoint: none kept (--sandbox: the sandbox's records and the journal end \
                 with the command)"
                    .to_string(),
            ),
            (None, false) => None,
        }
    }
}

/// A command's summary.
pub trait Summary: serde::Serialize {
    /// The text for a person, ending with a newline.
    fn human(&self) -> String;

    /// Whether the text is the command's output (stdout) rather than a note about it.
    fn human_on_stdout(&self) -> bool {
        false
    }

    /// The command's exit code, as the summary's `exit_code` says it.
    fn exit_code(&self) -> crate::exit::ExitCode;

    /// Whether the same command line goes on where this run stopped: a journaled run that
    /// stopped early says so (and the command ends telling how to resume). Only the journaled
    /// commands (import, sms, undo) ever end `Resumable`.
    fn resumable(&self) -> bool {
        self.exit_code() == crate::exit::ExitCode::Resumable
    }
}

/// Implements [`Summary`] for a summary struct with an `exit_code` field and an inherent
/// `human()`; `on_stdout: field` names the flag that sends the text to stdout (a dry run's
/// plan, which is what the run is for).
macro_rules! impl_summary {
    ($summary:ty $(, on_stdout: $flag:ident)?) => {
        impl $crate::summary::Summary for $summary {
            fn exit_code(&self) -> $crate::exit::ExitCode {
                self.exit_code
            }

            fn human(&self) -> String {
                <$summary>::human(self)
            }

            $(
                fn human_on_stdout(&self) -> bool {
                    self.$flag
                }
            )?
        }
    };
}
pub(crate) use impl_summary;

/// How the command whose summary is `summary` ended.
pub fn ended<S: Summary + ?Sized>(summary: &S) -> crate::exit::Ended {
    crate::exit::Ended {
        code: summary.exit_code(),
        resumable: summary.resumable(),
    }
}

/// Prints `summary`: as JSON with `json` (the command's answer, printed when it ends: see
/// [`crate::stdout`]), else as text unless `quiet` (a summary that is the command's output is
/// printed even then). The command's work is done: a reader of stdout that went away is no
/// error.
pub fn print<S: Summary + ?Sized>(summary: &S, json: bool, quiet: bool) -> Result<()> {
    if json {
        let value = serde_json::to_value(summary)
            .map_err(|e| Error::Internal(format!("cannot encode the summary: {e}")))?;
        crate::stdout::answer(value);
    } else if summary.human_on_stdout() {
        crate::stdout::tolerate_closed(crate::stdout::write(&summary.human()))?;
    } else if !quiet {
        // Not `eprint!`: a terminal that hung up (SIGHUP) must not turn a stop into a panic.
        use std::io::Write;
        let _ = write!(std::io::stderr().lock(), "{}", summary.human());
    }
    Ok(())
}
