//! The tool's top-level error type and its exit codes.

use std::path::PathBuf;

/// Exit codes shared by every command.
pub use crate::exit;

/// How a command ended, as its exit code says.
pub use crate::exit::ExitCode;

/// An error that stops a command. Bad rows are never errors: they are reported and the run goes on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line or a configuration file is wrong.
    #[error("{0}")]
    Usage(String),
    /// The input could not be read as the format it claims to be.
    #[error("{path}: {message}")]
    BadInput { path: String, message: String },
    /// The remote API could not be used (listing failed, quota used up, credentials refused):
    /// nothing is lost, and the same command resumes.
    #[error("{0}")]
    Remote(String),
    /// The account refused the run: credentials, their scopes, or the data centre. A
    /// configuration error (exit 2); what was done is kept, and the same command goes on once
    /// it is fixed.
    #[error("{0}")]
    Access(String),
    /// A checkpoint journal was damaged (not by a kill: by something outside bulkline).
    #[error("{0}")]
    Journal(String),
    /// The run was stopped by a signal before it finished.
    #[error("{0}")]
    Interrupted(String),
    /// The credentials are missing, unreadable or incomplete (a configuration error).
    #[error(transparent)]
    Credentials(#[from] crate::auth::AuthError),
    /// A URL option (`--base-url`, `--accounts-url`) is not a URL.
    #[error(transparent)]
    Url(#[from] crate::http::UrlError),
    /// `--dc` names no Zoho data centre.
    #[error(transparent)]
    DataCentre(#[from] crate::auth::UnknownDataCentre),
    /// The target keeps what was written otherwise than it was sent (the canary read a field
    /// back different): nothing more is sent until the cause is found.
    #[error("{0}")]
    Mismatch(String),
    /// A bug: something that should not happen did.
    #[error("internal error: {0}")]
    Internal(String),
    /// The reader of standard output went away (`| head` took what it wanted): not a
    /// failure. The command ends quietly, exit 0 (see [`crate::stdout`]).
    #[error("standard output was closed by its reader")]
    StdoutClosed,
    /// Reading or writing a file failed (for a file that outgrew the file-size limit, the
    /// message says so: see [`file_too_large`]).
    #[error("{action} {path}: {}", io_reason(.source))]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The hint of a credentials error: how to sign in to each service of the registry.
fn sign_in_hint() -> &'static str {
    static HINT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HINT.get_or_init(|| {
        let mut names = crate::auth::SERVICES.iter().map(|s| format!("--to {}", s.name));
        let first = names.next().unwrap_or_default();
        let others: Vec<String> = names.map(|n| format!("`{n}`")).collect();
        let also = if others.is_empty() {
            String::new()
        } else {
            format!(" (or {})", others.join(", "))
        };
        format!(
            "sign in with `bulkline auth login {first}`{also}, or set the credentials in the environment (`bulkline auth status` shows what is stored)"
        )
    })
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Usage(_)
            | Error::Access(_)
            | Error::Credentials(_)
            | Error::Url(_)
            | Error::DataCentre(_) => ExitCode::Usage,
            Error::Remote(_) | Error::Interrupted(_) => ExitCode::Resumable,
            Error::BadInput { .. }
            | Error::Io { .. }
            | Error::Journal(_)
            | Error::Mismatch(_)
            | Error::Internal(_) => ExitCode::Fatal,
            Error::StdoutClosed => ExitCode::Ok,
        }
    }

    /// A short hint on what the user can do about the error.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Error::Usage(_) | Error::Url(_) | Error::DataCentre(_) => {
                Some("see `bulkline help` for the options")
            }
            Error::Credentials(_) => Some(sign_in_hint()),
            Error::Access(_) => Some(
                "fix the credentials, their scopes or --dc (`bulkline check --to TARGET` tests them with two requests), then run the same command (a journaled run goes on where it stopped)",
            ),
            Error::Remote(_) => Some(
                "check the target settings and credentials, then run the same command again to resume",
            ),
            Error::BadInput { .. } => {
                Some("check the file, or name its format with --format / --encoding")
            }
            Error::Io { source, .. } if file_too_large(source) => Some(
                "raise the file-size limit (`ulimit -f`) or write the file where it may grow this large, then run the same command again",
            ),
            Error::Io { .. } => Some("check the path, its permissions and the free disk space"),
            Error::Journal(_) => Some(
                "the journal was changed outside bulkline: restore it from a backup, or start over with --restart (what it recorded is then done again)",
            ),
            Error::Interrupted(_) => Some("run the same command again"),
            Error::Mismatch(_) => Some(
                "find why the target keeps the field otherwise (a field it truncates or ignores, a mapping), fix it, then run the same command: the records written are in the journal, and `bulkline verify` lists what differs",
            ),
            Error::Internal(_) => Some("please report this as a bug, with the command you ran"),
            Error::StdoutClosed => None,
        }
    }

    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// True when `e` is a write refused because the file would outgrow the process's file-size
/// limit (`EFBIG`, "File too large"; the process ignores SIGXFSZ so that such a write fails
/// instead of killing it).
pub fn file_too_large(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::FileTooLarge
}

/// What an I/O error says in a message.
fn io_reason(e: &std::io::Error) -> String {
    if file_too_large(e) {
        "the file-size limit was exceeded (File too large)".to_string()
    } else {
        e.to_string()
    }
}

/// A path a run refuses (a journal that is a directory, an output that is the input): the
/// command's usage error.
impl From<crate::paths::Refused> for Error {
    fn from(e: crate::paths::Refused) -> Self {
        Error::Usage(e.0)
    }
}

/// A journal's error as the command's: a journal that is another run's, or locked, is a
/// usage error; one that cannot be written or read is I/O.
impl From<crate::checkpoint::CheckpointError> for Error {
    fn from(e: crate::checkpoint::CheckpointError) -> Self {
        use crate::checkpoint::CheckpointError;
        use std::io;
        match e {
            CheckpointError::Io {
                action,
                path,
                source,
            } => Error::Io {
                action,
                path,
                source,
            },
            CheckpointError::Write { path, source } => Error::Io {
                action: "write the checkpoint journal",
                path,
                source: io::Error::new(source.kind(), source.to_string()),
            },
            CheckpointError::Mismatch { .. }
            | CheckpointError::NotAJournal { .. }
            | CheckpointError::NotAFile { .. }
            | CheckpointError::Locked { .. } => Error::Usage(e.to_string()),
            CheckpointError::Corrupt { .. } => Error::Journal(e.to_string()),
            CheckpointError::Closed | CheckpointError::Invalid(_) => Error::Internal(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_the_size_limit_is_fatal_and_named() {
        let efbig = std::io::Error::from_raw_os_error(libc::EFBIG);
        let e = Error::io("cannot write", "/data/out.csv", efbig);
        assert_eq!(e.exit_code(), ExitCode::Fatal);
        let text = e.to_string();
        assert_eq!(
            text,
            "cannot write /data/out.csv: the file-size limit was exceeded (File too large)"
        );
        assert!(e.hint().is_some_and(|h| h.contains("file-size limit")));
        // Copied without its OS code (as the journal's writer hands it on), it is the same.
        let copied = std::io::Error::new(std::io::ErrorKind::FileTooLarge, "File too large");
        assert!(file_too_large(&copied));
        // A journal whose writer failed on it.
        let journal: Error = crate::checkpoint::CheckpointError::Write {
            path: "/data/x.checkpoint".into(),
            source: std::sync::Arc::new(std::io::Error::from_raw_os_error(libc::EFBIG)),
        }
        .into();
        assert_eq!(journal.exit_code(), ExitCode::Fatal);
        assert!(
            journal
                .to_string()
                .contains("/data/x.checkpoint: the file-size limit was exceeded"),
            "{journal}"
        );
        let other = Error::io(
            "cannot write",
            "/data/out.csv",
            std::io::Error::other("disk on fire"),
        );
        assert_eq!(
            other.to_string(),
            "cannot write /data/out.csv: disk on fire"
        );
    }
}
