//! The summary of `verify`: printed as text on stderr, or as one JSON object with `--json`.

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use super::Settings;
use crate::connectors::TargetKind;
use crate::import::MatchBy;
use crate::report::Counts;

/// The rows by what became of them, and the records no row found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub landed: u64,
    pub differs: u64,
    pub missing: u64,
    pub extra: u64,
}

/// The end-of-run summary.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize)]
pub struct VerifySummary {
    pub command: &'static str,
    pub input: String,
    pub target: TargetKind,
    pub match_by: MatchBy,
    pub rows_read: u64,
    pub blank: u64,
    /// Rows the clean pipeline or the target's rules reject: `import` never writes them.
    pub rejected: u64,
    pub duplicates: u64,
    /// Records the target held when it was listed.
    pub listed: usize,
    #[serde(flatten)]
    pub tally: Tally,
    pub seconds: f64,
    pub report: Option<String>,
    pub exit_code: crate::exit::ExitCode,
}

impl VerifySummary {
    pub fn new(
        s: &Settings,
        target: TargetKind,
        counts: &Counts,
        tally: Tally,
        listed: usize,
        elapsed: Duration,
        exit_code: crate::exit::ExitCode,
    ) -> VerifySummary {
        VerifySummary {
            command: "verify",
            input: s.input_path.clone(),
            target,
            match_by: s.matching.by,
            rows_read: counts.rows_read,
            blank: counts.blank,
            rejected: counts.rejected,
            duplicates: counts.duplicates,
            listed,
            tally,
            seconds: elapsed.as_secs_f64(),
            report: s.report.clone(),
            exit_code,
        }
    }

    /// The summary as text for a person.
    pub fn human(&self) -> String {
        let (input, rows_read, listed, seconds) =
            (&self.input, self.rows_read, self.listed, self.seconds);
        let (rejected, duplicates, blank) = (self.rejected, self.duplicates, self.blank);
        let (target, by) = (self.target.as_str(), self.match_by.as_str());
        let t = &self.tally;
        let (landed, differs, missing, extra) = (t.landed, t.differs, t.missing, t.extra);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "verify of {input} against {target} (by {by}): {rows_read} rows read, {listed} records listed in {seconds:.1} s"
        );
        let _ = writeln!(
            out,
            "  landed {landed}, differs {differs}, missing {missing}; extra {extra} (records on the target no row names)"
        );
        let _ = writeln!(
            out,
            "  not compared: rejected {rejected}, duplicates {duplicates}, blank {blank}"
        );
        if t.differs + t.missing > 0 {
            let _ = writeln!(
                out,
                "  to repair: run the import again with --restart (it updates what differs and creates what is missing), then verify again"
            );
        }
        if let Some(path) = &self.report {
            let path = if path == "-" { "standard output" } else { path };
            let _ = writeln!(out, "  report: {path}");
        }
        out
    }
}

crate::summary::impl_summary!(VerifySummary);
