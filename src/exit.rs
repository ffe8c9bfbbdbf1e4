//! Exit codes shared by every command, and how a command ends ([`Ended`]).

/// How a command ended, as the process's exit code says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExitCode {
    /// Every row was fine.
    #[default]
    Ok,
    /// The run completed, but some rows were rejected or failed.
    RowsRejected,
    /// Usage or configuration error.
    Usage,
    /// Fatal error: unreadable input, I/O.
    Fatal,
    /// Stopped early, but the run can be resumed.
    Resumable,
}

impl ExitCode {
    /// Every code, in the order of their numbers.
    pub const ALL: [ExitCode; 5] = [
        ExitCode::Ok,
        ExitCode::RowsRejected,
        ExitCode::Usage,
        ExitCode::Fatal,
        ExitCode::Resumable,
    ];

    /// `RowsRejected` when any of `bad` rows were rejected or failed, else `Ok`.
    pub fn rows(bad: u64) -> ExitCode {
        if bad > 0 {
            ExitCode::RowsRejected
        } else {
            ExitCode::Ok
        }
    }

    /// `Resumable` when the run stopped before the end, else `Ok`.
    pub fn stopped(stopped: bool) -> ExitCode {
        if stopped {
            ExitCode::Resumable
        } else {
            ExitCode::Ok
        }
    }

    /// The end of a run that stopped early or not, with `bad` rows rejected or failed: a run
    /// that stopped early and rejected rows is resumable first.
    pub fn of_run(stopped: bool, bad: u64) -> ExitCode {
        ExitCode::stopped(stopped).merge(ExitCode::rows(bad))
    }

    /// The one of the two that says more: resumable, then fatal, usage, rows rejected, ok
    /// (the order of their numbers).
    pub fn merge(self, other: ExitCode) -> ExitCode {
        if other.code() > self.code() {
            other
        } else {
            self
        }
    }

    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitCode::Ok => 0,
            ExitCode::RowsRejected => 1,
            ExitCode::Usage => 2,
            ExitCode::Fatal => 3,
            ExitCode::Resumable => 4,
        }
    }
}

impl From<ExitCode> for u8 {
    fn from(code: ExitCode) -> u8 {
        code.code()
    }
}

/// A summary's `exit_code` is the number.
impl serde::Serialize for ExitCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.code())
    }
}

/// How a command that ran to its end (no error) ended: its exit code, and whether the same
/// command line goes on where it stopped (a journaled run that stopped early says so).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ended {
    pub code: ExitCode,
    pub resumable: bool,
}

impl Ended {
    /// Done, nothing to report.
    pub const OK: Ended = Ended {
        code: ExitCode::Ok,
        resumable: false,
    };

    /// The end `code`, which no later run of the same command goes on from.
    pub fn with(code: ExitCode) -> Ended {
        Ended {
            code,
            resumable: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_merge_to_the_one_that_says_more() {
        assert_eq!(ExitCode::of_run(false, 0), ExitCode::Ok);
        assert_eq!(ExitCode::of_run(false, 3), ExitCode::RowsRejected);
        assert_eq!(ExitCode::of_run(true, 0), ExitCode::Resumable);
        assert_eq!(ExitCode::of_run(true, 3), ExitCode::Resumable);
        assert_eq!(
            ExitCode::RowsRejected.merge(ExitCode::Ok),
            ExitCode::RowsRejected
        );
        assert_eq!(ExitCode::Fatal.merge(ExitCode::Usage), ExitCode::Fatal);
    }

    #[test]
    fn the_numbers_are_the_documented_ones() {
        let codes: Vec<u8> = ExitCode::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(codes, [0, 1, 2, 3, 4]);
        assert_eq!(
            serde_json::to_value(ExitCode::Resumable).ok(),
            Some(serde_json::json!(4))
        );
    }
}
