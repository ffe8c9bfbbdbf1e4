//! Where the request traces go. `-v`: one line per HTTP request and per token request;
//! `-vv`: their bodies too (events written in `http/trace.rs` and the token provider). On
//! stderr (between redraws of the progress bar), or with `--log FILE` into that file only,
//! at the level of `-v` at least; without either, no subscriber is installed and the events
//! cost nothing.
//!
//! Every line is scrubbed of the run's known secrets ([`crate::redact::scrub`]) on its way
//! out, whatever wrote it: the events redact by name, this is the net behind them.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{Layer, fmt};

/// Why the trace could not start.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// `--log FILE` cannot be opened for appending.
    #[error("cannot open the log file {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Another trace was installed first (a bug: `init` runs once).
    #[error("cannot start the trace: {0}")]
    Install(String),
}

impl TraceError {
    /// An I/O error (exit 3), like any file the run cannot write.
    pub fn exit_code(&self) -> crate::exit::ExitCode {
        crate::error::exit::ExitCode::Fatal
    }
}

/// Starts the trace for `-v` given `verbose` times and `--log`: nothing when neither is
/// given. The log file is opened for appending, and created readable by its owner only.
pub fn init(verbose: u8, log: Option<&Path>) -> Result<(), TraceError> {
    let level = match (verbose, log) {
        (0, None) => return Ok(()),
        (0 | 1, _) => Level::INFO,
        _ => Level::DEBUG,
    };
    let sink = match log {
        Some(path) => Sink::File(Arc::new(open(path)?)),
        None => Sink::Stderr,
    };
    let layer = fmt::layer()
        .with_writer(sink)
        .with_target(false)
        .with_filter(Targets::new().with_target("bulkline", level));
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
        .map_err(|e| TraceError::Install(e.to_string()))
}

/// Opens `path` for appending, creating it with mode 0600.
fn open(path: &Path) -> Result<File, TraceError> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|source| TraceError::Open {
        path: path.display().to_string(),
        source,
    })
}

/// Where the lines go.
#[derive(Debug, Clone)]
enum Sink {
    Stderr,
    File(Arc<File>),
}

impl<'a> MakeWriter<'a> for Sink {
    type Writer = Line<'a>;

    fn make_writer(&'a self) -> Line<'a> {
        Line {
            sink: self,
            text: Vec::new(),
        }
    }
}

/// One event's text, written whole (scrubbed) when dropped: one `write` per line, so that
/// lines of concurrent requests never mix. A failed write is dropped: a trace never stops a
/// run.
struct Line<'a> {
    sink: &'a Sink,
    text: Vec<u8>,
}

impl Write for Line<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line<'_> {
    fn drop(&mut self) {
        if self.text.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&self.text);
        let line = crate::redact::scrub(&text);
        match self.sink {
            Sink::File(file) => {
                let _ = (&**file).write_all(line.as_bytes());
            }
            Sink::Stderr => crate::progress::around_bar(|| {
                let _ = std::io::stderr().lock().write_all(line.as_bytes());
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{dir_with_file, dir_with_path};

    #[test]
    fn a_line_is_scrubbed_and_appended_whole() {
        let (_dir, path) = dir_with_file("trace.log", "before\n");
        let sink = Sink::File(Arc::new(open(&path).expect("open")));
        crate::redact::remember("trace-test-secret-7");
        {
            let mut line = sink.make_writer();
            line.write_all(b"INFO token ").expect("buffered");
            line.write_all(b"trace-test-secret-7 issued\n")
                .expect("buffered");
        }
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text, "before\nINFO token [redacted] issued\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_log_is_private_and_a_bad_path_is_an_io_error() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, path) = dir_with_path("new.log");
        open(&path).expect("open");
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let err = open(&dir.path().join("missing/x.log")).expect_err("an error");
        assert!(
            err.to_string().starts_with("cannot open the log file "),
            "{err}"
        );
        assert_eq!(err.exit_code(), crate::error::exit::ExitCode::Fatal);
    }
}
