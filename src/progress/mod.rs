//! Progress of a long command (`import`) on stderr.
//!
//! The workers only bump the atomic [`Counters`] (and the HTTP client its
//! [`HttpStats`](crate::http::HttpStats)); a [`Progress`] reads them from a background thread:
//!
//! * [`ProgressMode::Bar`] (stderr is a terminal): an indicatif bar, refreshed a few times a
//!   second, showing rows done / total, requests, the current rate, retries, errors and ETA;
//! * [`ProgressMode::Lines`] (stderr is a file or a pipe): one plain line every
//!   [`LINE_INTERVAL`], such as
//!   `importing: 1200/5000 rows (24%), 1210 requests, 49.8/s, 3 retries, 2 errors, eta 1m16s`;
//! * [`ProgressMode::Quiet`] (`--quiet`): nothing but warnings.
//!
//! [`Progress::finish`] stops the thread at once and prints one last line (not in quiet mode).
//!
//! `clean`, which sends nothing, has a lighter [`meter`]: rows, rows per second and bytes read.

pub mod meter;

use crate::clock::format_duration;
use std::collections::VecDeque;
use std::fmt;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::checkpoint::Action;
use crate::http::{HttpStats, Pacer, StatsSnapshot};
use crate::snapshot::load_snapshot;

/// How often [`ProgressMode::Lines`] prints a line.
pub const LINE_INTERVAL: Duration = Duration::from_secs(5);
/// How often [`ProgressMode::Bar`] redraws the bar.
pub const BAR_INTERVAL: Duration = Duration::from_millis(200);
/// The span over which the row throughput behind the ETA is measured.
const THROUGHPUT_WINDOW: Duration = Duration::from_secs(30);

const BAR_TEMPLATE: &str = "{prefix}: [{bar:30}] {msg}";
const SPINNER_TEMPLATE: &str = "{prefix}: {spinner} {msg}";

/// Where progress goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// A progress bar (stderr is a terminal).
    Bar,
    /// A plain line now and then (stderr is not a terminal).
    Lines,
    /// Nothing but warnings (`--quiet`).
    Quiet,
}

impl ProgressMode {
    /// `Quiet` when `quiet`, else `Bar` when stderr is a terminal, else `Lines`.
    pub fn detect(quiet: bool) -> ProgressMode {
        if quiet {
            ProgressMode::Quiet
        } else if std::io::stderr().is_terminal() {
            ProgressMode::Bar
        } else {
            ProgressMode::Lines
        }
    }
}

/// What the workers of a command did so far; bumped by the workers, read by [`Progress`].
#[derive(Debug, Default)]
pub struct Counters {
    /// Rows handled, whatever became of them.
    pub rows_done: AtomicU64,
    /// Contacts created.
    pub created: AtomicU64,
    /// Contacts updated.
    pub updated: AtomicU64,
    /// Contacts already up to date.
    pub unchanged: AtomicU64,
    /// Rows that failed (shown as "errors").
    pub failed: AtomicU64,
    /// Rows that matched more than one contact, or otherwise could not be applied safely.
    pub conflicts: AtomicU64,
    /// Rows whose create's outcome is unknown and cannot be looked up (`outcome_unknown`).
    pub outcome_unknown: AtomicU64,
}

/// The [`Counters`] at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CountersSnapshot {
    pub rows_done: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub failed: u64,
    pub conflicts: u64,
}

impl Counters {
    /// Zeroed counters.
    pub fn new() -> Counters {
        Counters::default()
    }

    /// One input row settled on the target, counted under its action (created, updated,
    /// anything else as unchanged).
    pub fn done(&self, action: Action) {
        let counter = match action {
            Action::Created => &self.created,
            Action::Updated => &self.updated,
            _ => &self.unchanged,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.rows_done.fetch_add(1, Ordering::Relaxed);
    }

    /// One input row the target refused.
    pub fn failed_row(&self) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        self.rows_done.fetch_add(1, Ordering::Relaxed);
    }

    /// One input row whose create's outcome stays unknown (it has no key to look it up by).
    pub fn unknown_row(&self) {
        self.outcome_unknown.fetch_add(1, Ordering::Relaxed);
        self.rows_done.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters now (each read on its own).
    pub fn snapshot(&self) -> CountersSnapshot {
        load_snapshot!(self, CountersSnapshot:
            rows_done, created, updated, unchanged, failed, conflicts)
    }
}

/// Everything one progress line shows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Status {
    /// Rows handled.
    pub rows_done: u64,
    /// Rows expected, when known.
    pub total: Option<u64>,
    /// The HTTP client's counters, when there is a client.
    pub http: Option<StatsSnapshot>,
    /// The pacer's current rate, in requests per second.
    pub rate_per_second: Option<f64>,
    /// Rows that failed.
    pub errors: u64,
    /// Rows handled per second lately (for the ETA).
    pub throughput: Option<f64>,
    /// The API's lock-out being waited out, if any (shown with its countdown).
    pub lockout: Option<crate::http::Lockout>,
}

impl Status {
    /// The time left at the current throughput; `None` when the total or the throughput is
    /// unknown, or nothing moves.
    pub fn eta(&self) -> Option<Duration> {
        let total = self.total?;
        let remaining = total.saturating_sub(self.rows_done);
        if remaining == 0 {
            return Some(Duration::ZERO);
        }
        let per_second = self.throughput.filter(|t| t.is_finite() && *t > 0.0)?;
        let seconds = (remaining as f64 / per_second).ceil();
        // Far beyond anything worth showing; also keeps the conversion in range.
        Some(Duration::from_secs_f64(seconds.min(1e9)))
    }
}

/// `1200/5000 rows (24%), 1210 requests, 49.8/s, 3 retries, 2 errors` (no label, no ETA).
fn body(status: &Status) -> String {
    let mut parts = Vec::with_capacity(5);
    parts.push(match status.total {
        Some(total) => {
            let percent = if total == 0 {
                100
            } else {
                (u128::from(status.rows_done) * 100 / u128::from(total)).min(100)
            };
            format!("{}/{total} rows ({percent}%)", status.rows_done)
        }
        None => format!("{} rows", status.rows_done),
    });
    if let Some(http) = &status.http {
        parts.push(plural(http.requests, "request", "requests"));
    }
    if let Some(rate) = status.rate_per_second {
        parts.push(format_rate(rate));
    }
    if let Some(http) = &status.http {
        parts.push(plural(http.retries, "retry", "retries"));
    }
    parts.push(plural(status.errors, "error", "errors"));
    if let Some(lock) = &status.lockout {
        parts.push(lock.progress(tokio::time::Instant::now()));
    }
    parts.join(", ")
}

/// One progress line:
/// `importing: 1200/5000 rows (24%), 1210 requests, 49.8/s, 3 retries, 2 errors, eta 1m16s`.
/// The ETA is left out when it is unknown.
pub fn line(label: &str, status: &Status) -> String {
    format!("{label}: {}", body_with_eta(status))
}

/// The last line: like [`line`], with the time taken instead of the ETA.
pub fn final_line(label: &str, status: &Status, elapsed: Duration) -> String {
    format!(
        "{label}: {}, done in {}",
        body(status),
        format_duration(elapsed)
    )
}

fn body_with_eta(status: &Status) -> String {
    let mut text = body(status);
    if let Some(eta) = status.eta() {
        text.push_str(", eta ");
        text.push_str(&format_duration(eta));
    }
    text
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `49.8/s`, or `12.0/min` below one a second.
pub fn format_rate(per_second: f64) -> String {
    if per_second >= 1.0 || per_second <= 0.0 {
        format!("{per_second:.1}/s")
    } else {
        format!("{:.1}/min", per_second * 60.0)
    }
}

/// Rows per second over the last [`THROUGHPUT_WINDOW`] (or since the start, if shorter).
#[derive(Debug)]
struct Throughput {
    samples: VecDeque<(Instant, u64)>,
    window: Duration,
}

impl Throughput {
    fn new(start: Instant, done: u64, window: Duration) -> Throughput {
        Throughput {
            samples: VecDeque::from([(start, done)]),
            window,
        }
    }

    fn observe(&mut self, now: Instant, done: u64) -> Option<f64> {
        self.samples.push_back((now, done));
        // Keep one sample at least `window` old: the rate spans the whole window.
        while self.samples.len() > 2
            && self
                .samples
                .get(1)
                .is_some_and(|(t, _)| now.saturating_duration_since(*t) >= self.window)
        {
            self.samples.pop_front();
        }
        let (since, from) = *self.samples.front()?;
        let span = now.saturating_duration_since(since).as_secs_f64();
        (span > 0.0).then(|| done.saturating_sub(from) as f64 / span)
    }
}

/// Where lines go: stderr, or a buffer in tests.
#[derive(Debug)]
enum Output {
    Stderr,
    #[cfg(test)]
    Captured(Arc<Mutex<Vec<String>>>),
}

impl Output {
    fn emit(&self, line: &str) {
        match self {
            // A progress line is not worth failing (or panicking) over.
            Output::Stderr => {
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
            #[cfg(test)]
            Output::Captured(lines) => lock(lines).push(line.to_string()),
        }
    }
}

/// The bar drawn now, if any: what [`around_bar`] takes off the terminal.
static DRAWN: Mutex<Option<indicatif::WeakProgressBar>> = Mutex::new(None);

/// Runs `write` with the bar (if one is drawn) off the terminal, then draws it again: how
/// another line (a `-v` trace) reaches stderr without breaking the bar.
pub fn around_bar(write: impl FnOnce()) {
    let bar = lock(&DRAWN).as_ref().and_then(|b| b.upgrade());
    match bar {
        Some(bar) => bar.suspend(write),
        None => write(),
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Each update is one assignment: the value stays usable after a panic elsewhere.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the reporter reads, shared with its thread.
struct Shared {
    label: Mutex<String>,
    total: Mutex<Option<u64>>,
    counters: Arc<Counters>,
    http: Option<Arc<HttpStats>>,
    rate: Option<Arc<Pacer>>,
    started: Instant,
    out: Output,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("label", &*lock(&self.label))
            .field("total", &*lock(&self.total))
            .field("started", &self.started)
            .finish_non_exhaustive()
    }
}

impl Shared {
    fn label(&self) -> String {
        lock(&self.label).clone()
    }

    fn status(&self, throughput: Option<f64>) -> Status {
        Status {
            rows_done: self.counters.rows_done.load(Ordering::Relaxed),
            total: *lock(&self.total),
            http: self.http.as_ref().map(|h| h.snapshot()),
            rate_per_second: self.rate.as_ref().map(|p| p.current_rate().as_per_second()),
            errors: self.counters.failed.load(Ordering::Relaxed),
            throughput,
            lockout: self.rate.as_ref().and_then(|p| p.lockout()),
        }
    }
}

/// The background thread; dropping `stop` ends it at once.
#[derive(Debug)]
struct Ticker {
    stop: Sender<()>,
    handle: JoinHandle<()>,
}

/// A running progress report. Stop it with [`Progress::finish`]; dropping it also stops the
/// thread and clears the bar, without a last line.
#[derive(Debug)]
pub struct Progress {
    mode: ProgressMode,
    shared: Arc<Shared>,
    bar: Option<ProgressBar>,
    ticker: Option<Ticker>,
}

fn bar_style(total: Option<u64>) -> ProgressStyle {
    match total {
        Some(_) => ProgressStyle::with_template(BAR_TEMPLATE)
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        None => ProgressStyle::with_template(SPINNER_TEMPLATE)
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    }
}

impl Progress {
    /// Starts reporting. `total`: rows expected (`None` while unknown, e.g. still reading);
    /// `label`: the phase ("importing", "listing"); `http` and `rate`: the client's counters
    /// and pacer, when there is a client. Lines come every [`LINE_INTERVAL`], the bar is
    /// redrawn every [`BAR_INTERVAL`].
    pub fn start(
        mode: ProgressMode,
        label: &str,
        total: Option<u64>,
        counters: Arc<Counters>,
        http: Option<Arc<HttpStats>>,
        rate: Option<Arc<Pacer>>,
    ) -> Progress {
        let interval = match mode {
            ProgressMode::Bar => BAR_INTERVAL,
            ProgressMode::Lines | ProgressMode::Quiet => LINE_INTERVAL,
        };
        let shared = Shared {
            label: Mutex::new(label.to_string()),
            total: Mutex::new(total),
            counters,
            http,
            rate,
            started: Instant::now(),
            out: Output::Stderr,
        };
        Progress::launch(mode, shared, interval)
    }

    fn launch(mode: ProgressMode, shared: Shared, interval: Duration) -> Progress {
        let shared = Arc::new(shared);
        let bar = (mode == ProgressMode::Bar).then(|| {
            let total = *lock(&shared.total);
            let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr())
                .with_style(bar_style(total))
                .with_prefix(shared.label())
                .with_message(body(&shared.status(None)));
            bar.tick();
            *lock(&DRAWN) = Some(bar.downgrade());
            bar
        });
        let ticker = match mode {
            ProgressMode::Quiet => None,
            ProgressMode::Bar | ProgressMode::Lines => {
                spawn_ticker(Arc::clone(&shared), bar.clone(), interval)
            }
        };
        Progress {
            mode,
            shared,
            bar,
            ticker,
        }
    }

    /// The number of rows expected, once known.
    pub fn set_total(&self, total: u64) {
        *lock(&self.shared.total) = Some(total);
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            bar.set_style(bar_style(Some(total)));
        }
    }

    /// A new phase label ("listing", then "importing").
    pub fn set_label(&self, label: &str) {
        *lock(&self.shared.label) = label.to_string();
        if let Some(bar) = &self.bar {
            bar.set_prefix(label.to_string());
        }
    }

    /// Says what a journal resumed from: where `--restart` moved the old one, and what it
    /// holds.
    pub fn announce_resume(&self, resume: &crate::checkpoint::Resume, journal: &std::path::Path) {
        if let Some(aside) = &resume.moved_aside {
            self.println(&format!(
                "--restart: the old journal was moved to {}",
                aside.display()
            ));
        }
        if !resume.is_empty() {
            self.println(&format!("{} ({})", resume.summary(), journal.display()));
        }
        if let Some(trials) = resume.trials() {
            self.println(&trials);
        }
        if resume.dropped_tail_records > 0 {
            self.warn(&format!(
                "warning: the journal's last {} record(s) ({} bytes) were incomplete or damaged (the run before was cut off while writing) and were dropped; the rows they named are reconciled or sent again",
                resume.dropped_tail_records, resume.dropped_tail_bytes
            ));
        }
    }

    /// Prints a message without breaking the bar; nothing in quiet mode.
    pub fn println(&self, line: &str) {
        if self.mode != ProgressMode::Quiet {
            self.warn(line);
        }
    }

    /// Prints a warning without breaking the bar, in every mode.
    pub fn warn(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| self.shared.out.emit(line)),
            None => self.shared.out.emit(line),
        }
    }

    /// Stops the report: clears the bar and prints one last line (nothing in quiet mode).
    pub fn finish(mut self) {
        self.stop();
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if self.mode != ProgressMode::Quiet {
            let status = self.shared.status(None);
            let last = final_line(&self.shared.label(), &status, self.shared.started.elapsed());
            self.shared.out.emit(&last);
        }
    }

    /// Ends the thread and waits for it (it wakes up at once).
    fn stop(&mut self) {
        if let Some(Ticker { stop, handle }) = self.ticker.take() {
            drop(stop);
            // A panic in the thread only lost progress lines.
            let _ = handle.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop();
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// Starts the thread that redraws the bar or prints lines every `interval`, until its sender
/// is dropped. `None` if no thread could be started (progress is then not shown).
fn spawn_ticker(
    shared: Arc<Shared>,
    bar: Option<ProgressBar>,
    interval: Duration,
) -> Option<Ticker> {
    let (stop, stopped) = mpsc::channel::<()>();
    let handle = std::thread::Builder::new()
        .name("progress".to_string())
        .spawn(move || {
            let done = shared.counters.rows_done.load(Ordering::Relaxed);
            let mut throughput = Throughput::new(shared.started, done, THROUGHPUT_WINDOW);
            loop {
                match stopped.recv_timeout(interval) {
                    Err(RecvTimeoutError::Timeout) => {}
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                }
                let done = shared.counters.rows_done.load(Ordering::Relaxed);
                let status = shared.status(throughput.observe(Instant::now(), done));
                match &bar {
                    Some(bar) => {
                        bar.set_position(status.rows_done);
                        bar.set_message(body_with_eta(&status));
                        bar.tick();
                    }
                    None => shared.out.emit(&line(&shared.label(), &status)),
                }
            }
        })
        .ok()?;
    Some(Ticker { stop, handle })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Status {
        Status {
            rows_done: 1200,
            total: Some(5000),
            http: Some(StatsSnapshot {
                requests: 1210,
                retries: 3,
                ..StatsSnapshot::default()
            }),
            rate_per_second: Some(49.8),
            errors: 2,
            throughput: Some(50.0),
            lockout: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_lock_out_shows_its_countdown_on_the_line() {
        let now = tokio::time::Instant::now();
        let status = Status {
            lockout: Some(crate::http::Lockout {
                began: now,
                until: now + Duration::from_secs(600),
                announced: Some(Duration::from_secs(600)),
                max_wait: Duration::from_secs(900),
            }),
            ..example()
        };
        let text = line("importing", &status);
        assert!(
            text.contains("locked out by the API (HTTP 429, Retry-After 600 s): 10m00s left (--max-wait 15m00s)"),
            "{text}"
        );
        assert!(!line("importing", &example()).contains("locked"));
    }

    #[test]
    fn line_with_total_and_eta() {
        assert_eq!(
            line("importing", &example()),
            "importing: 1200/5000 rows (24%), 1210 requests, 49.8/s, 3 retries, 2 errors, eta 1m16s"
        );
    }

    #[test]
    fn line_with_unknown_total_has_no_eta() {
        let status = Status {
            total: None,
            ..example()
        };
        assert_eq!(
            line("listing", &status),
            "listing: 1200 rows, 1210 requests, 49.8/s, 3 retries, 2 errors"
        );
    }

    #[test]
    fn line_without_http_or_throughput() {
        let status = Status {
            rows_done: 3,
            total: Some(10),
            errors: 1,
            ..Status::default()
        };
        assert_eq!(
            line("importing", &status),
            "importing: 3/10 rows (30%), 1 error"
        );
        let stalled = Status {
            throughput: Some(0.0),
            ..status
        };
        assert_eq!(stalled.eta(), None);
    }

    #[test]
    fn percent_and_eta_at_the_edges() {
        let over = Status {
            rows_done: 12,
            total: Some(10),
            ..Status::default()
        };
        assert_eq!(line("x", &over), "x: 12/10 rows (100%), 0 errors, eta 0s");
        let empty = Status {
            total: Some(0),
            ..Status::default()
        };
        assert_eq!(line("x", &empty), "x: 0/0 rows (100%), 0 errors, eta 0s");
        // A part of a second left is shown as a whole second.
        let nearly = Status {
            rows_done: 9,
            total: Some(10),
            throughput: Some(3.0),
            ..Status::default()
        };
        assert_eq!(nearly.eta(), Some(Duration::from_secs(1)));
        let singular = Status {
            http: Some(StatsSnapshot {
                requests: 1,
                retries: 1,
                ..StatsSnapshot::default()
            }),
            ..Status::default()
        };
        assert_eq!(
            line("x", &singular),
            "x: 0 rows, 1 request, 1 retry, 0 errors"
        );
    }

    #[test]
    fn durations_and_rates() {
        let d = |s| format_duration(Duration::from_secs(s));
        assert_eq!(d(0), "0s");
        assert_eq!(d(59), "59s");
        assert_eq!(d(60), "1m00s");
        assert_eq!(d(76), "1m16s");
        assert_eq!(d(3599), "59m59s");
        assert_eq!(d(3600), "1h00m");
        assert_eq!(d(90_061), "25h01m");
        assert_eq!(format_duration(Duration::from_millis(1999)), "1s");
        assert_eq!(format_rate(49.8), "49.8/s");
        assert_eq!(format_rate(0.5), "30.0/min");
        assert_eq!(format_rate(0.0), "0.0/s");
    }

    #[test]
    fn final_line_shows_time_taken() {
        let status = Status {
            rows_done: 5000,
            ..example()
        };
        assert_eq!(
            final_line("importing", &status, Duration::from_secs(100)),
            "importing: 5000/5000 rows (100%), 1210 requests, 49.8/s, 3 retries, 2 errors, done in 1m40s"
        );
    }

    #[test]
    fn throughput_spans_the_recent_window() {
        let t0 = Instant::now();
        let at = |s| t0 + Duration::from_secs(s);
        let mut t = Throughput::new(t0, 0, Duration::from_secs(30));
        assert_eq!(t.observe(t0, 0), None);
        assert_eq!(t.observe(at(10), 100), Some(10.0));
        assert_eq!(t.observe(at(20), 200), Some(10.0));
        // A stall lowers the rate; samples older than the window are forgotten.
        assert_eq!(t.observe(at(40), 200), Some(100.0 / 30.0));
        assert_eq!(t.observe(at(70), 200), Some(0.0));
    }

    #[test]
    fn detect_honours_quiet() {
        assert_eq!(ProgressMode::detect(true), ProgressMode::Quiet);
        assert_ne!(ProgressMode::detect(false), ProgressMode::Quiet);
    }

    /// A reporter whose lines go to a buffer; the buffer and the counters it reports.
    fn captured(
        mode: ProgressMode,
        total: Option<u64>,
        interval: Duration,
    ) -> (Progress, Arc<Mutex<Vec<String>>>, Arc<Counters>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let counters = Arc::new(Counters::new());
        let shared = Shared {
            label: Mutex::new("importing".to_string()),
            total: Mutex::new(total),
            counters: Arc::clone(&counters),
            http: Some(Arc::new(HttpStats::new())),
            rate: None,
            started: Instant::now(),
            out: Output::Captured(Arc::clone(&lines)),
        };
        (Progress::launch(mode, shared, interval), lines, counters)
    }

    fn wait_for(lines: &Mutex<Vec<String>>, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while lock(lines).len() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn lines_mode_prints_now_and_then_and_a_last_line() {
        let (progress, lines, counters) =
            captured(ProgressMode::Lines, None, Duration::from_millis(20));
        counters.rows_done.store(7, Ordering::Relaxed);
        counters.failed.store(1, Ordering::Relaxed);
        wait_for(&lines, 2);
        progress.set_total(10);
        progress.set_label("updating");
        let before = lock(&lines).len();
        wait_for(&lines, before + 2);
        progress.println("a message");
        progress.finish();
        let lines = lock(&lines).clone();
        assert!(lines.len() >= 4, "{lines:?}");
        assert!(
            lines.contains(&"importing: 7 rows, 0 requests, 0 retries, 1 error".to_string()),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("updating: 7/10 rows (70%), 0 requests, 0 retries, 1 error")),
            "{lines:?}"
        );
        assert!(lines.contains(&"a message".to_string()), "{lines:?}");
        let last = lines.last().map(String::as_str).unwrap_or_default();
        assert!(
            last.starts_with("updating: 7/10 rows (70%), 0 requests, 0 retries, 1 error, done in "),
            "{last}"
        );
    }

    #[test]
    fn finish_and_drop_stop_the_thread_at_once() {
        let hour = Duration::from_secs(3600);
        let started = Instant::now();
        let (progress, lines, _) = captured(ProgressMode::Lines, Some(5), hour);
        progress.finish();
        assert_eq!(lock(&lines).len(), 1, "only the last line");
        let (progress, lines, _) = captured(ProgressMode::Bar, None, hour);
        drop(progress);
        assert!(lock(&lines).is_empty(), "no last line on drop");
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn quiet_mode_prints_only_warnings() {
        let (progress, lines, _) = captured(ProgressMode::Quiet, Some(5), Duration::from_millis(1));
        progress.println("chatter");
        progress.warn("careful");
        std::thread::sleep(Duration::from_millis(20));
        progress.finish();
        assert_eq!(*lock(&lines), vec!["careful".to_string()]);
    }

    #[test]
    fn bar_mode_prints_messages_and_a_last_line() {
        let (progress, lines, counters) =
            captured(ProgressMode::Bar, None, Duration::from_millis(5));
        counters.rows_done.store(3, Ordering::Relaxed);
        progress.set_total(4);
        std::thread::sleep(Duration::from_millis(30));
        progress.println("between");
        progress.finish();
        let lines = lock(&lines).clone();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0], "between");
        assert!(
            lines[1].starts_with("importing: 3/4 rows (75%)"),
            "{lines:?}"
        );
    }
}
