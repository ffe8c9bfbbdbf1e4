//! Stopping on a signal. A signal is a stop, not a crash:
//!
//! - the first SIGINT, SIGTERM or SIGHUP (the terminal closed) asks the run to stop
//!   ([`requested`], [`wait`]): it takes no new rows, lets the requests already sent finish
//!   (at most [`grace`]), records their outcomes, removes its temporary files, prints its
//!   summary and how to resume, and exits 4;
//! - a second one exits at once with code 4 (the journal tolerates a cut at any byte), after
//!   removing every temporary file still registered ([`TempFile`]).
//!
//! [`install`] starts the watcher thread; without it nothing is ever requested (tests of the
//! library). A run's own reasons to stop (a quota, an account refused, a fatal error) are kept
//! by its [`Halt`].

mod halt;

pub use halt::Halt;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use tokio::sync::watch;

/// How long a stopping run waits for the requests already sent (unless [`GRACE_VAR`] says).
pub const GRACE: Duration = Duration::from_secs(10);

/// The variable that sets the grace in milliseconds instead of [`GRACE`]: the signal tests run
/// the binary with a short one, so that they do not wait 10 s (a hook for them, listed in the
/// man page; not set, or not a number, the grace is [`GRACE`]).
pub const GRACE_VAR: &str = "BULKLINE_STOP_GRACE_MS";

/// The grace: [`GRACE_VAR`]'s milliseconds, else [`GRACE`].
pub fn grace() -> Duration {
    grace_from(std::env::var(GRACE_VAR).ok().as_deref())
}

fn grace_from(value: Option<&str>) -> Duration {
    value
        .and_then(|v| v.trim().parse().ok())
        .map_or(GRACE, Duration::from_millis)
}

static REQUESTED: AtomicBool = AtomicBool::new(false);
/// The signal that asked for the stop (0 when none).
static SIGNAL: AtomicUsize = AtomicUsize::new(0);

fn channel() -> &'static watch::Sender<bool> {
    static CHANNEL: OnceLock<watch::Sender<bool>> = OnceLock::new();
    CHANNEL.get_or_init(|| watch::channel(false).0)
}

/// True once a stop was asked for.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Acquire)
}

/// The name of the signal that asked for the stop, if one did.
pub fn signal_name() -> Option<&'static str> {
    match SIGNAL.load(Ordering::Relaxed) {
        0 => None,
        1 => Some("SIGHUP"),
        2 => Some("SIGINT"),
        15 => Some("SIGTERM"),
        _ => Some("a signal"),
    }
}

/// Asks the run to stop (what the first signal does).
pub fn request() {
    REQUESTED.store(true, Ordering::Release);
    channel().send_replace(true);
}

/// Waits until a stop is asked for (forever if none is).
pub async fn wait() {
    let mut rx = channel().subscribe();
    // The sender lives in a static: `wait_for` cannot fail while the process runs.
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Waits for every task of `set`; once a stop is asked for, for at most [`grace`] more, then
/// cancels the rest and waits until they are gone (their intents stay in flight in the
/// journal, for the resume to reconcile). Returns how many tasks were cancelled.
pub async fn join_within_grace<T: 'static>(set: &mut tokio::task::JoinSet<T>) -> usize {
    let grace = async {
        wait().await;
        tokio::time::sleep(grace()).await;
    };
    tokio::pin!(grace);
    loop {
        tokio::select! {
            next = set.join_next() => {
                if next.is_none() {
                    return 0;
                }
            }
            () = &mut grace => {
                let cancelled = set.len();
                set.abort_all();
                while set.join_next().await.is_some() {}
                return cancelled;
            }
        }
    }
}

/// The message of a run that stopped on a signal.
pub fn message() -> String {
    format!(
        "stopped by {} (a second one stops at once)",
        signal_name().unwrap_or("a signal")
    )
}

fn temp_files() -> MutexGuard<'static, HashMap<u64, PathBuf>> {
    static FILES: OnceLock<Mutex<HashMap<u64, PathBuf>>> = OnceLock::new();
    FILES
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// A temporary file that a second signal must not leave behind. The registration ends when
/// this is dropped (the file was renamed into place, or removed by its owner).
#[derive(Debug)]
pub struct TempFile {
    id: u64,
}

impl TempFile {
    /// Registers `path`.
    pub fn register(path: &Path) -> TempFile {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        temp_files().insert(id, path.to_path_buf());
        TempFile { id }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        temp_files().remove(&self.id);
    }
}

/// Removes every registered temporary file (the second signal's last act).
fn remove_temp_files() {
    for path in temp_files().values() {
        let _ = std::fs::remove_file(path);
    }
}

/// Ignores SIGXFSZ, for the whole process: a write past the file-size limit (`ulimit -f`)
/// then fails with `EFBIG` and becomes an error that names the file (exit 3, part files
/// removed) instead of killing the run where it stands.
pub fn ignore_file_size_signal() {
    // SAFETY: setting SIGXFSZ's disposition to SIG_IGN installs no handler and touches no
    // memory; it is done at start-up, before any thread could be writing a file.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// Writes `line` to stderr, ignoring a failure: after SIGHUP the terminal may be gone, and
/// a stop must still record, clean up and exit 4 without it (`eprintln!` would panic).
pub fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Starts watching SIGINT, SIGTERM and SIGHUP (once; later calls do nothing).
pub fn install() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
        else {
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    if requested() {
                        remove_temp_files();
                        say(
                            "\nbulkline: stopped at once by a second signal; run the same command again to resume",
                        );
                        std::process::exit(i32::from(crate::exit::ExitCode::Resumable.code()));
                    }
                    SIGNAL.store(signal as usize, Ordering::Relaxed);
                    request();
                    say(&format!(
                        "\nbulkline: stopping cleanly on {}: no new rows, the requests already sent finish (a second Ctrl-C stops at once)",
                        signal_name().unwrap_or("a signal")
                    ));
                }
            });
        // Without the thread, signals keep their default action: the run is killed, and the
        // journal still resumes it.
        drop(spawned);
    });
}

/// The command line that resumes this run: the same one, without `--restart` (a resume
/// must not start over), quoted for a POSIX shell.
pub fn resume_command() -> String {
    let quote = shell_quote;
    let mut args = std::env::args();
    let program = args.next().unwrap_or_else(|| "bulkline".into());
    let program = std::path::Path::new(&program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or(program);
    std::iter::once(program)
        .chain(args.filter(|a| a != "--restart"))
        .map(|a| quote(&a))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `a` as a POSIX shell word: as is when it holds only safe characters, else single-quoted.
pub fn shell_quote(a: &str) -> String {
    if !a.is_empty()
        && a.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b))
    {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::dir_with_file;

    #[test]
    fn temp_files_are_registered_until_dropped() {
        let (_dir, p) = dir_with_file("x.part", "x");
        let reg = TempFile::register(&p);
        assert!(temp_files().values().any(|v| v == &p));
        drop(reg);
        assert!(!temp_files().values().any(|v| v == &p));
    }

    #[test]
    fn the_grace_is_ten_seconds_unless_the_variable_says() {
        assert_eq!(grace_from(None), GRACE);
        assert_eq!(grace_from(Some("250")), Duration::from_millis(250));
        assert_eq!(grace_from(Some(" 0 ")), Duration::ZERO);
        assert_eq!(grace_from(Some("soon")), GRACE);
    }
}
