//! The progress of `clean` on a terminal: rows, rows per second and bytes read of the file,
//! shown only when the run takes more than a second, never when stderr is not a terminal or
//! with `--quiet` (a pipeline's log stays clean). The workers only bump two atomics.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before the meter appears.
const DELAY: Duration = Duration::from_secs(1);
const REDRAW: Duration = Duration::from_millis(150);

/// What the meter reads.
#[derive(Debug, Default)]
pub struct Reading {
    pub rows: AtomicU64,
    /// Bytes of the input read so far (0 when they cannot be counted).
    pub bytes: AtomicU64,
}

/// A running meter; [`Meter::finish`] (or dropping it) clears it.
pub struct Meter {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Meter {
    /// Starts a meter over `reading` for an input of `total_bytes` (when known), unless
    /// `quiet` or stderr is not a terminal.
    pub fn start(reading: Arc<Reading>, total_bytes: Option<u64>, quiet: bool) -> Meter {
        if quiet || !std::io::stderr().is_terminal() {
            return Meter {
                stop: None,
                thread: None,
            };
        }
        Meter::spawn(reading, total_bytes, ProgressDrawTarget::stderr())
    }

    fn spawn(reading: Arc<Reading>, total_bytes: Option<u64>, target: ProgressDrawTarget) -> Meter {
        let (tx, rx) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("meter".into())
            .spawn(move || {
                let started = Instant::now();
                if !matches!(rx.recv_timeout(DELAY), Err(RecvTimeoutError::Timeout)) {
                    return;
                }
                let bar = match total_bytes.filter(|t| *t > 0) {
                    Some(total) => ProgressBar::with_draw_target(Some(total), target).with_style(
                        ProgressStyle::with_template(
                            "cleaning: [{bar:30}] {bytes}/{total_bytes}, {msg}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                    ),
                    None => ProgressBar::with_draw_target(None, target).with_style(
                        ProgressStyle::with_template("cleaning: {spinner} {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    ),
                };
                loop {
                    let rows = reading.rows.load(Ordering::Relaxed);
                    let secs = started.elapsed().as_secs_f64().max(0.001);
                    bar.set_position(reading.bytes.load(Ordering::Relaxed));
                    bar.set_message(format!(
                        "{} rows, {} rows/s",
                        rows,
                        (rows as f64 / secs) as u64
                    ));
                    match rx.recv_timeout(REDRAW) {
                        Err(RecvTimeoutError::Timeout) => {}
                        _ => break,
                    }
                }
                bar.finish_and_clear();
            })
            .ok();
        Meter {
            stop: Some(tx),
            thread,
        }
    }

    /// Stops the meter and clears its line.
    pub fn finish(mut self) {
        self.close();
    }

    fn close(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        self.close();
    }
}

/// A reader that counts the bytes read through it into `bytes`.
pub struct Counting<R> {
    pub inner: R,
    pub bytes: Arc<Reading>,
}

impl<R: std::io::Read> std::io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_short_run_shows_nothing_and_stops_at_once() {
        let reading = Arc::new(Reading::default());
        let started = Instant::now();
        let meter = Meter::spawn(Arc::clone(&reading), Some(10), ProgressDrawTarget::hidden());
        meter.finish();
        assert!(started.elapsed() < DELAY);
    }

    #[test]
    fn bytes_are_counted_as_read() {
        let reading = Arc::new(Reading::default());
        let mut r = Counting {
            inner: &b"hello world"[..],
            bytes: Arc::clone(&reading),
        };
        let mut out = String::new();
        r.read_to_string(&mut out).expect("read");
        assert_eq!(reading.bytes.load(Ordering::Relaxed), 11);
    }
}
