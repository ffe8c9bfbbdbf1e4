//! Standard output, written one way by every command.
//!
//! - A reader that went away (`bulkline export -o - | head`: the pipe is closed, EPIPE) is not
//!   an error: a write it refuses becomes [`Error::StdoutClosed`], which ends the command
//!   quietly (no message, exit 0). Where a command had finished its work and only output was
//!   left, or where stopping would cut a run that writes to an API short, the writer drops
//!   what was bound for stdout ([`tolerate_closed`]) and the command ends with its own code.
//!   Any other write error (a full disk behind `> file`) stays an I/O error (exit 3).
//! - `println!` panics on a closed stdout: nothing in the crate uses it; text goes through
//!   [`write`] or [`buffered`] and [`error`].
//! - The `--json` answer of a command is kept here ([`answer`]) and printed once, when the
//!   command ends (with its `exit_code`, and its `error` if it failed), so that stdout holds
//!   exactly one object whatever happens after the summary.

use std::io::{self, Write};
use std::sync::{Mutex, MutexGuard, OnceLock};

use serde_json::Value;

use crate::error::{Error, Result};

/// Whether `e` is a write refused because the reader of the pipe went away (EPIPE).
pub fn is_closed(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// The error of a failed write to stdout: [`Error::StdoutClosed`] when the reader went away,
/// else an I/O error naming standard output.
pub fn error(e: io::Error) -> Error {
    if is_closed(&e) {
        Error::StdoutClosed
    } else {
        Error::io("cannot write", "standard output", e)
    }
}

/// `e`, an error of a writer to stdout, with an I/O error that is the reader going away made
/// [`Error::StdoutClosed`].
pub fn classify(e: Error) -> Error {
    match e {
        Error::Io { source, .. } if is_closed(&source) => Error::StdoutClosed,
        other => other,
    }
}

/// The result of an output that is not the command's work (a summary at its end, a report of
/// a run that writes to an API): a closed stdout is `Ok`, and the command goes on.
pub fn tolerate_closed(result: Result<()>) -> Result<()> {
    match result {
        Err(Error::StdoutClosed) => Ok(()),
        other => other,
    }
}

/// Writes `text` to stdout, whole, and flushes it.
pub fn write(text: &str) -> Result<()> {
    write_bytes(text.as_bytes())
}

/// Writes `bytes` to stdout, whole, and flushes them.
pub fn write_bytes(bytes: &[u8]) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(error)
}

/// stdout, locked and buffered, for output written a line at a time (map errors with
/// [`error`], and flush at the end).
pub fn buffered() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::with_capacity(1 << 16, io::stdout().lock())
}

fn answer_slot() -> MutexGuard<'static, Option<Value>> {
    static ANSWER: OnceLock<Mutex<Option<Value>>> = OnceLock::new();
    ANSWER
        .get_or_init(|| Mutex::new(None))
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// Keeps `value` as the command's `--json` answer (replacing an earlier one), to be printed
/// when the command ends.
pub fn answer(value: Value) {
    *answer_slot() = Some(value);
}

/// Takes the command's `--json` answer, if it gave one.
pub fn take_answer() -> Option<Value> {
    answer_slot().take()
}

/// The `--json` answer a command ends with: its own object (or an empty one), with `command`
/// when it lacks one, `exit_code`, and when it failed `error` (`message`, `hint`).
pub fn final_answer(
    own: Option<Value>,
    command: &str,
    exit_code: crate::exit::ExitCode,
    failure: Option<&Error>,
) -> Value {
    let mut object = match own {
        Some(Value::Object(m)) => m,
        Some(other) => {
            let mut m = serde_json::Map::new();
            m.insert("answer".into(), other);
            m
        }
        None => serde_json::Map::new(),
    };
    object
        .entry("command")
        .or_insert_with(|| Value::from(command));
    object.insert("exit_code".into(), Value::from(exit_code.code()));
    if let Some(e) = failure {
        object.insert(
            "error".into(),
            serde_json::json!({ "message": e.to_string(), "hint": e.hint() }),
        );
    }
    Value::Object(object)
}

/// Prints `value` as one line of JSON.
pub fn print_json(value: &Value) -> Result<()> {
    write(&format!("{value}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_told_apart_from_other_write_errors() {
        let epipe = io::Error::from_raw_os_error(libc::EPIPE);
        assert!(matches!(error(epipe), Error::StdoutClosed));
        let full = error(io::Error::from_raw_os_error(libc::ENOSPC));
        assert!(matches!(full, Error::Io { .. }), "{full}");
        assert_eq!(full.exit_code(), crate::error::exit::ExitCode::Fatal);
        assert!(
            full.to_string()
                .starts_with("cannot write standard output: ")
        );
        let wrapped = Error::io(
            "cannot write",
            "standard output",
            io::Error::from_raw_os_error(libc::EPIPE),
        );
        assert!(matches!(classify(wrapped), Error::StdoutClosed));
        assert_eq!(
            Error::StdoutClosed.exit_code(),
            crate::error::exit::ExitCode::Ok
        );
        assert!(tolerate_closed(Err(Error::StdoutClosed)).is_ok());
        assert!(tolerate_closed(Err(Error::Usage("x".into()))).is_err());
    }

    #[test]
    fn every_answer_has_its_command_and_exit_code() {
        let ok = final_answer(
            Some(serde_json::json!({"command": "clean", "rows": 3})),
            "clean",
            crate::exit::ExitCode::RowsRejected,
            None,
        );
        assert_eq!(ok["command"], "clean");
        assert_eq!(ok["exit_code"], 1);
        assert_eq!(ok["rows"], 3);
        assert!(ok.get("error").is_none());

        let failed = final_answer(
            None,
            "import",
            crate::exit::ExitCode::Usage,
            Some(&Error::Usage("bad --rate".into())),
        );
        assert_eq!(failed["command"], "import");
        assert_eq!(failed["exit_code"], 2);
        assert_eq!(failed["error"]["message"], "bad --rate");
        assert!(failed["error"]["hint"].is_string());

        let internal = final_answer(
            None,
            "check",
            crate::exit::ExitCode::Fatal,
            Some(&Error::Journal("damaged".into())),
        );
        assert_eq!(internal["error"]["message"], "damaged");
    }
}
