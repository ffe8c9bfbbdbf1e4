//! The summary of an import: printed as text on stderr, or as one JSON object with `--json`.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::Serialize;

use super::{MatchBy, Mode, Settings, Settled};
use crate::connectors::TargetKind;
use crate::http::{Rate, StatsSnapshot};
use crate::progress::Counters;
use crate::report::Counts;

/// What a dry run would send, and how long that would take.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    pub creates: u64,
    pub updates: u64,
    /// Write requests the run would send (creates, updates).
    pub requests: u64,
    /// At the run's rate.
    pub seconds: f64,
    /// Days the requests take at the target's daily cap on its smallest plan, if it has one.
    pub days_at_free_quota: Option<u64>,
    /// That cap.
    #[serde(skip)]
    pub quota: Option<crate::connectors::DailyQuota>,
}

/// What the run did about the canary (see [`super::canary`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CanaryLine {
    /// How many of the first writes are read back (`--canary`; 0: off).
    pub size: usize,
    /// `planned` (a dry run), `held` (read back as sent), `resumed` (not repeated: the journal
    /// was not fresh), `no_writes` (nothing was written to check), `off`.
    pub state: &'static str,
    /// Writes read back and found as sent.
    pub checked: usize,
}

impl CanaryLine {
    /// The line of a run asked for `size`, fresh or not, and what the canary found.
    pub fn of(size: usize, dry_run: bool, fresh: bool, held: Option<usize>) -> CanaryLine {
        let state = match (size, dry_run, fresh, held) {
            (0, ..) => "off",
            (_, true, ..) => "planned",
            (_, _, false, _) => "resumed",
            (_, _, _, Some(_)) => "held",
            _ => "no_writes",
        };
        CanaryLine {
            size,
            state,
            checked: held.unwrap_or(0),
        }
    }

    fn text(&self) -> Option<String> {
        let n = self.size;
        let writes = if n == 1 { "write" } else { "writes" };
        Some(match self.state {
            "planned" => format!(
                "canary: the first {n} {writes} will be read back and compared before the rest are sent"
            ),
            "held" => format!(
                "canary held: the first {} {} read back as sent",
                self.checked,
                if self.checked == 1 {
                    "write was"
                } else {
                    "writes were"
                }
            ),
            "resumed" => "canary: not repeated (this run resumed a journal)".to_string(),
            "no_writes" => "canary: nothing was written to read back".to_string(),
            _ => return None,
        })
    }
}

/// The end-of-run summary.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub command: &'static str,
    pub input: String,
    pub target: TargetKind,
    pub mode: Mode,
    pub match_by: MatchBy,
    pub dry_run: bool,
    pub rows_read: u64,
    pub blank: u64,
    pub rejected: u64,
    pub duplicates: u64,
    /// Records the target held when the run listed them.
    pub listed: usize,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows the target refused (and rows with no record to update).
    pub failed: u64,
    /// Rows whose key matched several records, or repeated another row's.
    pub conflicts: u64,
    /// Rows whose create's outcome is unknown and that have no key to look it up by
    /// (`outcome_unknown` in the error report): to check on the target by hand.
    pub outcome_unknown: u64,
    /// Rows an earlier run of the same journal had already settled.
    pub resumed: u64,
    /// Rows not done because the run stopped or their outcome is still unknown: resume.
    pub left: u64,
    pub stopped: Option<String>,
    #[serde(flatten)]
    pub traffic: crate::summary::Traffic,
    /// From the first write sent to the last answered, and the writes per second over it:
    /// how much of the rate the run used.
    pub write_seconds: f64,
    pub writes_per_second: f64,
    pub estimate: Option<Estimate>,
    pub canary: CanaryLine,
    /// Rejected rows by the code of their first rejection, as `clean` counts them.
    pub rejected_by_code: std::collections::BTreeMap<&'static str, u64>,
    /// Numbers read by a rule other than the plain one, as `clean` counts them.
    pub readings: crate::transform::Readings,
    #[serde(flatten)]
    pub kept: crate::summary::Kept,
    pub exit_code: crate::exit::ExitCode,
}

/// What the planner counted: the writes a dry run would send, and the rows an earlier run of
/// the journal did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Planned {
    pub creates: u64,
    pub updates: u64,
    pub resumed: u64,
}

/// What [`ImportSummary::new`] is made from.
pub struct Parts<'a> {
    pub settings: &'a Settings,
    pub target: TargetKind,
    pub rate: Rate,
    pub counts: Counts,
    pub counters: &'a Counters,
    pub stats: StatsSnapshot,
    pub listed_records: usize,
    pub planned: Planned,
    /// What the writers left when they finished.
    pub settled: Settled,
    pub elapsed: Duration,
    pub canary: CanaryLine,
    pub exit_code: crate::exit::ExitCode,
}

impl ImportSummary {
    pub fn new(p: Parts<'_>) -> ImportSummary {
        let s = p.settings;
        let rate = p.rate.as_per_second();
        let estimate = s.files.dry_run.then(|| {
            let requests = p.planned.creates + p.planned.updates;
            Estimate {
                creates: p.planned.creates,
                updates: p.planned.updates,
                requests,
                seconds: if rate > 0.0 {
                    requests as f64 / rate
                } else {
                    0.0
                },
                days_at_free_quota: p
                    .target
                    .descriptor()
                    .daily_quota
                    .map(|quota| requests.div_ceil(quota.requests).max(1)),
                quota: p.target.descriptor().daily_quota,
            }
        });
        let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
        let write_seconds = p.settled.write_time.map(|d| d.as_secs_f64()).unwrap_or(0.0);

        ImportSummary {
            command: "import",
            input: s.files.input_path.clone(),
            target: p.target,
            mode: s.mode,
            match_by: s.matching.by,
            dry_run: s.files.dry_run,
            rows_read: p.counts.rows_read,
            blank: p.counts.blank,
            rejected: p.counts.rejected,
            duplicates: p.counts.duplicates,
            listed: p.listed_records,
            created: load(&p.counters.created),
            updated: load(&p.counters.updated),
            unchanged: load(&p.counters.unchanged),
            failed: load(&p.counters.failed),
            conflicts: load(&p.counters.conflicts),
            outcome_unknown: load(&p.counters.outcome_unknown),
            resumed: p.planned.resumed,
            left: p.settled.left,
            stopped: p.settled.stopped,
            traffic: crate::summary::Traffic::of(&p.stats, p.rate, p.elapsed),
            write_seconds,
            writes_per_second: if write_seconds > 0.0 {
                p.settled.writes as f64 / write_seconds
            } else {
                0.0
            },
            estimate,
            canary: p.canary,
            rejected_by_code: p.counts.rejected_by_code.clone(),
            readings: p.counts.readings,
            kept: s.files.kept(),
            exit_code: p.exit_code,
        }
    }

    /// The summary as text for a person.
    pub fn human(&self) -> String {
        let (created, updated, unchanged) = (self.created, self.updated, self.unchanged);
        let (failed, conflicts, rows_read) = (self.failed, self.conflicts, self.rows_read);
        let (rejected, duplicates, blank, listed) =
            (self.rejected, self.duplicates, self.blank, self.listed);
        let (mode, by) = (self.mode.as_str(), self.match_by.as_str());
        let (target, t) = (self.target.as_str(), &self.traffic);
        let what = if self.dry_run {
            "plan for"
        } else {
            "import into"
        };
        let mut out = String::new();
        let seconds = t.seconds;
        let _ = writeln!(
            out,
            "{what} {target} ({mode} by {by}): {rows_read} rows read in {seconds:.1} s"
        );
        if let Some(e) = &self.estimate {
            let (creates, updates) = (e.creates, e.updates);
            let _ = writeln!(
                out,
                "  would create {creates}, update {updates}; {unchanged} unchanged, {conflicts} conflicts, {failed} failed"
            );
            let about = crate::clock::duration_text(e.seconds);
            let _ = writeln!(
                out,
                "  {} write requests, about {about} at {:.2} requests/s",
                e.requests, t.rate
            );
            if let (Some(days), Some(quota)) = (e.days_at_free_quota, e.quota) {
                let cap = grouped(quota.requests);
                let _ = writeln!(out, "  {}: {days} day(s) at {cap}", quota.plans);
            }
        } else {
            let _ = writeln!(
                out,
                "  created {created}, updated {updated}, unchanged {unchanged}, failed {failed}, conflicts {conflicts}"
            );
        }
        let _ = writeln!(
            out,
            "  rejected {rejected}, duplicates {duplicates}, blank {blank}; {listed} records listed"
        );
        let _ = write!(
            out,
            "  {} requests ({} retries, {} answered 429); rate {:.2}/s",
            t.requests, t.retries, t.rate_limited, t.rate
        );
        if self.write_seconds > 0.0 {
            let (rate, seconds) = (self.writes_per_second, self.write_seconds);
            let _ = write!(out, ", writes at {rate:.2}/s over {seconds:.1} s");
        }
        out.push('\n');
        if let Some(text) = self.canary.text() {
            let _ = writeln!(out, "  {text}");
        }
        if let Some(text) = crate::report::by_code_text(&self.rejected_by_code) {
            let _ = writeln!(out, "  rejected by reason: {text}");
        }
        if let Some(text) =
            crate::report::readings_text(&self.readings, self.kept.warnings.as_deref())
        {
            let _ = writeln!(out, "  numbers read by rule: {text}");
        }
        if self.outcome_unknown > 0 {
            let _ = writeln!(
                out,
                "  outcome unknown {}: creates whose answer never said whether they happened, with no {} to look them up by (outcome_unknown in the errors): check them on the target by hand",
                self.outcome_unknown,
                self.match_by.as_str()
            );
        }
        if self.resumed > 0 {
            let _ = writeln!(
                out,
                "  {} rows were settled by an earlier run",
                self.resumed
            );
        }
        if let Some(why) = &self.stopped {
            let _ = writeln!(out, "  stopped: {why}");
        }
        if self.left > 0 || self.stopped.is_some() {
            let _ = writeln!(out, "  {} rows are not done yet", self.left);
        }
        if let Some(path) = &self.kept.errors {
            let _ = writeln!(out, "  errors: {path}");
        }
        if let Some(path) = &self.kept.report {
            let what = if self.dry_run { "plan" } else { "report" };
            let path = if path == "-" { "standard output" } else { path };
            let _ = writeln!(out, "  {what}: {path}");
        }
        if let Some(line) = self.kept.journal_line() {
            let _ = writeln!(out, "  {line}");
        }
        out
    }
}

crate::summary::impl_summary!(ImportSummary);

/// `n` with its thousands grouped by commas (`10000` is `10,000`).
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::grouped(0), "0");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::grouped(1000), "1,000");
        assert_eq!(super::grouped(1234567), "1,234,567");
    }
}
