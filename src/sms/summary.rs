//! What a campaign did (or, in a dry run, would do): printed as text, or as one JSON object
//! with `--json`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use crate::clock::format_duration;
use crate::http::{Rate, StatsSnapshot};
use crate::report::Counts;

use super::recipient::Recipient;
use super::segments::Encoding;
use super::send::SendTotals;
use super::suppress::{FileCounts, Hit, Suppressions};

/// A message as rendered for one row: its text, and what it costs. A dry run's samples and
/// a test send show it the same way.
#[derive(Debug, Clone, Serialize)]
pub struct Rendered {
    pub message: String,
    pub characters: usize,
    pub segments: usize,
    pub encoding: Encoding,
}

impl Rendered {
    pub fn of(r: &Recipient) -> Rendered {
        Rendered {
            message: r.message.to_string(),
            characters: r.segments.chars,
            segments: r.segments.segments,
            encoding: r.segments.encoding,
        }
    }

    /// What the message costs, for a person: `12 chars, 1 segment, GSM-7`.
    pub fn cost(&self) -> String {
        let plural = if self.segments == 1 { "" } else { "s" };
        format!(
            "{} chars, {} segment{plural}, {}",
            self.characters,
            self.segments,
            self.encoding.name()
        )
    }

    /// The text, indented under the line that introduces it.
    pub fn indented(&self) -> String {
        self.message.replace('\n', "\n  ")
    }
}

/// A rendered message, as a dry run shows it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub row: u64,
    pub number: String,
    #[serde(flatten)]
    pub rendered: Rendered,
    pub scheduled: Option<String>,
}

/// What the first pass found: the recipients still to text and what that costs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CampaignPlan {
    /// Recipients to text in this run.
    pub recipients: u64,
    /// Their segments, added up.
    pub segments: u64,
    /// Send requests (recipients of one text, schedule and country share one, up to the batch size).
    pub planned_requests: u64,
    pub gsm7: u64,
    pub ucs2: u64,
    /// Of the recipients, the ones `--send-window` or `--schedule` schedules for later.
    pub scheduled: u64,
    pub by_country: BTreeMap<String, u64>,
    /// Rows rejected as suppressed.
    pub suppressed: u64,
    /// Numbers suppressed: from the files and the opt-outs.
    pub suppression_list: u64,
    /// Of those, numbers that texted an opt-out keyword.
    pub opted_out: u64,
    /// Each `--suppress` file: its numbers, the rows it suppressed, its lines skipped.
    pub suppression_files: Vec<FileCounts>,
    /// Rows suppressed because their number texted an opt-out keyword.
    pub opt_out_rows: u64,
    /// Rows whose number the account's outgoing logs show got the same text in the window.
    pub already_texted: u64,
    /// The repeat guard's window in seconds (0: off, or not read in a dry run without the
    /// account).
    pub repeat_window_seconds: u64,
    /// Outgoing log entries the guard read, and the requests that took.
    pub repeat_log_entries: u64,
    pub repeat_log_requests: u64,
    /// Rows an earlier run of the journal sent.
    pub already_sent: u64,
    /// Rows an earlier run saw refused.
    pub failed_before: u64,
    /// Rows whose earlier send is to be looked for in the logs.
    pub to_check: u64,
    pub samples: Vec<Sample>,
}

impl CampaignPlan {
    /// An empty plan that knows the suppressions.
    pub fn with_suppressions(s: &Suppressions) -> CampaignPlan {
        CampaignPlan {
            suppression_list: s.len() as u64,
            opted_out: s.opted_out(),
            suppression_files: s.files().iter().map(|f| f.counts()).collect(),
            ..CampaignPlan::default()
        }
    }

    /// Counts a row suppressed for `hit` against its files and the opt-outs.
    pub fn count_suppressed(&mut self, hit: &Hit) {
        for &i in &hit.files {
            if let Some(f) = self.suppression_files.get_mut(i) {
                f.rows_suppressed += 1;
            }
        }
        if hit.opted_out {
            self.opt_out_rows += 1;
        }
    }

    /// The suppression lines of the summary.
    fn suppression_text(&self, o: &mut String) {
        let _ = writeln!(
            o,
            "suppression: {} numbers ({} opted out by keyword), {} rows suppressed ({} for an opt-out)",
            self.suppression_list, self.opted_out, self.suppressed, self.opt_out_rows
        );
        for f in &self.suppression_files {
            let national = match f.national {
                0 => String::new(),
                n => format!(" ({n} national, read in each recipient's region)"),
            };
            let skipped = match f.unreadable {
                0 => String::new(),
                n => format!(", {n} unreadable lines skipped"),
            };
            let _ = writeln!(
                o,
                "  --suppress {}: {} numbers{national}, {} rows suppressed{skipped}",
                f.file, f.numbers, f.rows_suppressed
            );
        }
    }
}

/// The end-of-run summary.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize)]
pub struct SmsSummary {
    pub command: &'static str,
    pub input: String,
    pub dry_run: bool,
    pub rows_read: u64,
    pub blank: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub rejected_by_code: BTreeMap<&'static str, u64>,
    /// Numbers read by a rule other than the plain one, as `clean` counts them.
    pub readings: crate::transform::Readings,
    #[serde(flatten)]
    pub plan: CampaignPlan,
    /// Recipients the API accepted in this run (scheduled ones included).
    pub sent: u64,
    /// Earlier sends whose answer was lost, found in the SMS logs.
    pub found_in_logs: u64,
    /// Sends that may or may not have gone out, not found in the logs.
    pub unknown: u64,
    /// Unknown sends sent again (`--resend-unknown`).
    pub resent: u64,
    /// Recipients the API refused (this run and earlier ones).
    pub failed: u64,
    /// Recipients not done because the run stopped: run the same command again.
    pub left: u64,
    pub stopped: Option<String>,
    /// Segments of the messages accepted in this run.
    pub segments_sent: u64,
    pub send_requests: u64,
    pub log_lookups: u64,
    #[serde(flatten)]
    pub traffic: crate::summary::Traffic,
    pub messages_per_second: f64,
    /// A dry run's time estimate: its send requests at the rate the sends start at.
    pub estimate: Option<Estimate>,
    #[serde(flatten)]
    pub kept: crate::summary::Kept,
    pub exit_code: crate::exit::ExitCode,
}

/// How long a campaign's sends would take, as a dry run says.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    /// Send requests the campaign would make.
    pub requests: u64,
    /// Requests per second the sends start at (`--rate`, else Zoho Voice's default).
    pub rate: f64,
    pub seconds: f64,
}

impl Estimate {
    fn of(requests: u64, rate: crate::http::Rate) -> Estimate {
        let rate = rate.as_per_second();
        Estimate {
            requests,
            rate,
            seconds: if rate > 0.0 {
                requests as f64 / rate
            } else {
                0.0
            },
        }
    }
}

/// What [`SmsSummary::sent`] is made from.
pub struct SentParts<'a> {
    pub files: &'a crate::journaled::Files,
    pub counts: Counts,
    pub plan: CampaignPlan,
    pub totals: SendTotals,
    pub stats: StatsSnapshot,
    pub rate: Rate,
    pub resumed_failed: u64,
    pub stopped: Option<String>,
    pub elapsed: Duration,
    pub exit_code: crate::exit::ExitCode,
}

impl SmsSummary {
    fn base(
        files: &crate::journaled::Files,
        counts: Counts,
        plan: CampaignPlan,
        elapsed: Duration,
    ) -> SmsSummary {
        SmsSummary {
            command: "sms",
            input: files.input_path.clone(),
            dry_run: files.dry_run,
            rows_read: counts.rows_read,
            blank: counts.blank,
            duplicates: counts.duplicates,
            rejected: counts.rejected,
            rejected_by_code: counts.rejected_by_code,
            readings: counts.readings,
            plan,
            sent: 0,
            found_in_logs: 0,
            unknown: 0,
            resent: 0,
            failed: 0,
            left: 0,
            stopped: None,
            segments_sent: 0,
            send_requests: 0,
            log_lookups: 0,
            traffic: crate::summary::Traffic {
                seconds: elapsed.as_secs_f64(),
                ..Default::default()
            },
            messages_per_second: 0.0,
            estimate: None,
            kept: files.kept(),
            exit_code: crate::exit::ExitCode::Ok,
        }
    }

    /// The summary of a dry run.
    pub fn planned(
        files: &crate::journaled::Files,
        counts: Counts,
        plan: CampaignPlan,
        rate: crate::http::Rate,
        elapsed: Duration,
    ) -> SmsSummary {
        let requests = plan.planned_requests;
        let mut s = SmsSummary::base(files, counts, plan, elapsed);
        s.estimate = Some(Estimate::of(requests, rate));
        s.exit_code = crate::error::ExitCode::rows(s.rejected);
        s
    }

    /// The summary of a real run.
    pub fn sent(p: SentParts<'_>) -> SmsSummary {
        let mut s = SmsSummary::base(p.files, p.counts, p.plan, p.elapsed);
        let t = p.totals;
        s.sent = t.sent;
        s.found_in_logs = t.found_in_logs;
        s.unknown = t.unknown;
        s.resent = t.resent;
        s.failed = t.failed + p.resumed_failed;
        s.left = t.left;
        s.stopped = p.stopped;
        s.segments_sent = t.segments;
        s.send_requests = t.requests;
        s.log_lookups = t.lookups;
        s.traffic = crate::summary::Traffic::of(&p.stats, p.rate, p.elapsed);
        let secs = p.elapsed.as_secs_f64();
        s.messages_per_second = if secs > 0.0 {
            s.sent as f64 / secs
        } else {
            0.0
        };
        s.exit_code = p.exit_code;
        s
    }

    /// The summary as text for a person.
    pub fn human(&self) -> String {
        let mut o = String::new();
        let p = &self.plan;
        if self.dry_run {
            let _ = writeln!(o, "dry run: nothing was sent");
        }
        let _ = writeln!(
            o,
            "rows read: {} ({} blank, {} duplicates dropped, {} rejected)",
            self.rows_read, self.blank, self.duplicates, self.rejected
        );
        if let Some(text) = crate::report::by_code_text(&self.rejected_by_code) {
            let _ = writeln!(o, "rejected by reason: {text}");
        }
        if let Some(text) =
            crate::report::readings_text(&self.readings, self.kept.warnings.as_deref())
        {
            let _ = writeln!(o, "numbers read by rule: {text}");
        }
        p.suppression_text(&mut o);
        if p.repeat_window_seconds == 0 {
            let _ = writeln!(
                o,
                "repeat guard: off (the account's outgoing logs were not read)"
            );
        } else {
            let _ = writeln!(
                o,
                "repeat guard: {} messages in the outgoing logs of the last {} ({} requests), {} rows already texted",
                p.repeat_log_entries,
                crate::sms::texted::describe_window(Duration::from_secs(p.repeat_window_seconds)),
                p.repeat_log_requests,
                p.already_texted
            );
        }
        if p.already_sent + p.failed_before + p.to_check > 0 {
            let _ = writeln!(
                o,
                "from the journal: {} already sent, {} refused before, {} to look for in the logs",
                p.already_sent, p.failed_before, p.to_check
            );
        }
        let verb = if self.dry_run {
            "would text"
        } else {
            "to text"
        };
        let _ = writeln!(
            o,
            "recipients {verb}: {} ({} now, {} scheduled)",
            p.recipients,
            p.recipients - p.scheduled,
            p.scheduled
        );
        let _ = writeln!(
            o,
            "messages: {} segments in all ({} GSM-7, {} UCS-2), about {} send requests",
            p.segments, p.gsm7, p.ucs2, p.planned_requests
        );
        if let Some(e) = &self.estimate {
            let _ = writeln!(
                o,
                "time: about {} at {:.2} requests/s (the rate the sends start at)",
                crate::clock::duration_text(e.seconds),
                e.rate
            );
        }
        if !p.by_country.is_empty() {
            let mut countries: Vec<(&String, &u64)> = p.by_country.iter().collect();
            countries.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let parts: Vec<String> = countries.iter().map(|(k, v)| format!("{k} {v}")).collect();
            let _ = writeln!(o, "by destination country: {}", parts.join(", "));
        }
        if self.dry_run {
            for s in &p.samples {
                let when = s
                    .scheduled
                    .as_ref()
                    .map(|w| format!(", scheduled {w}"))
                    .unwrap_or_default();
                let _ = writeln!(
                    o,
                    "sample (row {}) to {}: {}{when}\n  {}",
                    s.row,
                    s.number,
                    s.rendered.cost(),
                    s.rendered.indented()
                );
            }
            return o;
        }
        let _ = writeln!(
            o,
            "sent: {} ({} segments) in {} requests; {} found in the logs, {} unknown, {} resent, {} refused",
            self.sent,
            self.segments_sent,
            self.send_requests,
            self.found_in_logs,
            self.unknown,
            self.resent,
            self.failed
        );
        let _ = writeln!(
            o,
            "http: {} requests ({} log lookups), {} retries, {} rate-limited, at {:.1}/s; {:.1} messages/s in {}",
            self.traffic.requests,
            self.log_lookups,
            self.traffic.retries,
            self.traffic.rate_limited,
            self.traffic.rate,
            self.messages_per_second,
            format_duration(Duration::from_secs_f64(self.traffic.seconds))
        );
        if let Some(why) = &self.stopped {
            let _ = writeln!(o, "stopped early: {why}; {} recipients left", self.left);
        } else if self.left > 0 {
            let _ = writeln!(o, "{} recipients left unsettled", self.left);
        }
        if self.unknown > 0 {
            let _ = writeln!(
                o,
                "{} sends are unknown (see the error report, code `unknown`): run the same command later to look again, or add --resend-unknown to send them again",
                self.unknown
            );
        }
        if let Some(path) = &self.kept.errors {
            let _ = writeln!(o, "errors: {path}");
        }
        if let Some(path) = self.kept.report.as_deref().filter(|p| *p != "-") {
            let _ = writeln!(o, "report: {path}");
        }
        if let Some(line) = self.kept.journal_line() {
            let _ = writeln!(o, "{line}");
        }
        o
    }
}

crate::summary::impl_summary!(SmsSummary, on_stdout: dry_run);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::suppress::ReadOptions;

    #[test]
    fn each_suppression_file_is_counted() {
        let mut s = Suppressions::default();
        let opts = ReadOptions {
            skip_unreadable: true,
            ..ReadOptions::default()
        };
        let read = s
            .add_text("dnc.csv", "country,phone\nFrance,06 12 34 56 78\n", opts)
            .and_then(|()| s.add_text("dnc.txt", "0612345678\n07400 123456\nn/a\n", opts));
        assert!(read.is_ok(), "{read:?}");
        s.add_opt_outs([("+14155552671", "STOP")]);
        let mut plan = CampaignPlan::with_suppressions(&s);
        for number in ["+33612345678", "+14155552671"] {
            let region = if number.starts_with("+33") {
                "FR"
            } else {
                "US"
            };
            if let Some(hit) = s.check(number, region) {
                plan.suppressed += 1;
                plan.count_suppressed(&hit);
            }
        }
        let files: Vec<(&str, u64, u64, u64, u64)> = plan
            .suppression_files
            .iter()
            .map(|f| {
                let n = (f.numbers, f.national, f.rows_suppressed, f.unreadable);
                (f.file.as_str(), n.0, n.1, n.2, n.3)
            })
            .collect();
        assert_eq!(
            files,
            vec![("dnc.csv", 1, 0, 1, 0), ("dnc.txt", 2, 2, 1, 1)]
        );
        assert_eq!((plan.opted_out, plan.opt_out_rows), (1, 1));
        // +33612345678 and 0612345678 are counted apart: one is read in each region.
        assert_eq!(plan.suppression_list, 4);
        let mut text = String::new();
        plan.suppression_text(&mut text);
        assert_eq!(
            text,
            "suppression: 4 numbers (1 opted out by keyword), 2 rows suppressed (1 for an opt-out)\n  \
             --suppress dnc.csv: 1 numbers, 1 rows suppressed\n  \
             --suppress dnc.txt: 2 numbers (2 national, read in each recipient's region), 1 rows suppressed, 1 unreadable lines skipped\n"
        );
        let json = serde_json::to_value(&plan).unwrap_or_default();
        assert_eq!(json["suppression_files"][1]["rows_suppressed"], 1);
        assert_eq!(json["suppression_files"][1]["file"], "dnc.txt");
    }
}
