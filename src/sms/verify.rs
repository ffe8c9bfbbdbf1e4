//! `sms-status --verify`: the proof of what landed. Every recipient the campaign's journal
//! says was sent is looked for in the account's outgoing SMS logs:
//!
//! - **landed**: the log id the send was answered with is in the logs, to the same number,
//!   with the same text (line ends and surrounding blanks do not count);
//! - **differs**: that log id is there, with another text or to another number;
//! - **missing**: it is not there (for a send answered without a log id: no outgoing message
//!   to the number since the campaign began).
//!
//! A recipient whose send was never settled (in flight, unknown) is **unsettled**: the
//! journal does not say it was sent. Refused rows are not checked (nothing was sent).
//!
//! The text sent is the digest the journal keeps beside each number
//! ([`super::journal_key`]); a journal written before it has only the number, and its
//! recipients are checked by log id and number alone (`text_unchecked`).
//!
//! The logs are read page by page over the campaign's days (from the day before the journal
//! was made to the day after now, as the reconciliation reads them), and only what the
//! journal's recipients need is kept: memory follows the journal, never the logs. Test sends
//! (`sms --test-to`, [`super::test_ledger`]) are never taken for the campaign's messages.

use std::collections::HashMap;

use serde::Serialize;

use crate::checkpoint::{Resume, RowState};
use crate::http::HttpClient;
use crate::sms::api::{Direction, LogEntry, LogError, digits, logs_page};

use super::journal_key;
use super::reconcile::{SKEW_MS, outgoing_since};
use super::test_ledger::TestSends;
use super::texted::text_digest;

/// How a recipient's send was found in the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Landing {
    Landed,
    Differs,
    Missing,
    Unsettled,
}

impl Landing {
    pub fn as_str(self) -> &'static str {
        match self {
            Landing::Landed => "landed",
            Landing::Differs => "differs",
            Landing::Missing => "missing",
            Landing::Unsettled => "unsettled",
        }
    }
}

/// One recipient, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub row: u64,
    pub number: String,
    pub logid: String,
    pub verdict: Landing,
    /// Why it did not land, in words (empty when it landed).
    pub detail: String,
}

/// What the journal says was sent to one recipient.
#[derive(Debug)]
struct Want {
    row: u64,
    number: String,
    logid: String,
    text: Option<u64>,
    settled: bool,
}

/// What the logs showed for one recipient.
#[derive(Debug, Clone)]
struct Seen {
    logid: String,
    number: String,
    text: u64,
    /// The first characters of the text the logs show (for the report).
    preview: String,
    submitted_ms: u64,
}

impl Seen {
    fn of(e: &LogEntry) -> Seen {
        const PREVIEW: usize = 60;
        let mut preview: String = e.message.chars().take(PREVIEW).collect();
        if e.message.chars().count() > PREVIEW {
            preview.push('…');
        }
        Seen {
            logid: e.logid.clone(),
            number: e.number.clone(),
            text: text_digest(&e.message),
            preview,
            submitted_ms: e.submitted_ms,
        }
    }
}

/// Matches log entries, as they come, to the journal's recipients.
pub struct Verifier<'a> {
    wants: Vec<Want>,
    seen: Vec<Option<Seen>>,
    by_logid: HashMap<String, usize>,
    /// Recipients sent without a log id, by number (digits).
    by_number: HashMap<String, Vec<usize>>,
    since_ms: u64,
    tests: &'a TestSends,
    /// Outgoing entries read.
    pub read: u64,
}

impl<'a> Verifier<'a> {
    /// The recipients of `resume` that were sent (or never settled), to look for.
    pub fn new(resume: &Resume, tests: &'a TestSends) -> Verifier<'a> {
        let mut wants: Vec<Want> = resume
            .rows()
            .filter_map(|(row, state)| {
                let key = journal_key::decode(resume.key(row).unwrap_or(""));
                let (logid, settled) = match state {
                    RowState::Done { remote_id, .. } => (remote_id.as_deref().unwrap_or(""), true),
                    RowState::InFlight(_) | RowState::Unknown(_) => ("", false),
                    RowState::Failed(_) => return None,
                };
                Some(Want {
                    row,
                    number: key.number.to_string(),
                    logid: logid.to_string(),
                    text: key.text,
                    settled,
                })
            })
            .collect();
        wants.sort_unstable_by_key(|w| w.row);
        let mut by_logid = HashMap::new();
        let mut by_number: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, w) in wants.iter().enumerate().filter(|(_, w)| w.settled) {
            if w.logid.is_empty() {
                by_number.entry(digits(&w.number)).or_default().push(i);
            } else {
                by_logid.insert(w.logid.clone(), i);
            }
        }
        Verifier {
            seen: vec![None; wants.len()],
            wants,
            by_logid,
            by_number,
            since_ms: resume.created_unix.saturating_mul(1000),
            tests,
            read: 0,
        }
    }

    /// Takes in one entry of the logs.
    pub fn observe(&mut self, e: &LogEntry) {
        if e.direction == Some(Direction::Incoming) || self.tests.contains(&e.logid) {
            return;
        }
        self.read += 1;
        if let Some(&i) = self.by_logid.get(&e.logid) {
            self.seen[i] = Some(Seen::of(e));
            return;
        }
        if e.submitted_ms.saturating_add(SKEW_MS) < self.since_ms {
            return;
        }
        let Some(rows) = self.by_number.get(&e.number) else {
            return;
        };
        for &i in rows {
            let new = Seen::of(e);
            let wanted = self.wants[i].text;
            let fits = |s: &Seen| wanted.is_none_or(|t| t == s.text);
            // The entry with the text sent wins; among equals, the newest.
            let better = match &self.seen[i] {
                None => true,
                Some(old) => (fits(&new), new.submitted_ms) > (fits(old), old.submitted_ms),
            };
            if better {
                self.seen[i] = Some(new);
            }
        }
    }

    /// Every recipient, checked, in row order.
    pub fn finish(self, scheduled: bool) -> Verification {
        let mut out = Verification::default();
        for (w, seen) in self.wants.into_iter().zip(self.seen) {
            let (verdict, logid, detail) = judge(&w, seen.as_ref(), scheduled);
            if verdict == Landing::Landed && w.text.is_none() {
                out.text_unchecked += 1;
            }
            *match verdict {
                Landing::Landed => &mut out.landed,
                Landing::Differs => &mut out.differs,
                Landing::Missing => &mut out.missing,
                Landing::Unsettled => &mut out.unsettled,
            } += 1;
            out.findings.push(Finding {
                row: w.row,
                number: w.number,
                logid,
                verdict,
                detail,
            });
        }
        out.log_entries = self.read;
        out
    }
}

/// The verdict on one recipient, the log id to name, and why.
fn judge(w: &Want, seen: Option<&Seen>, scheduled: bool) -> (Landing, String, String) {
    if !w.settled {
        return (
            Landing::Unsettled,
            String::new(),
            "the journal does not say whether it was sent (its answer was lost): run the campaign again to settle it through the logs".into(),
        );
    }
    let Some(s) = seen else {
        let mut detail = if w.logid.is_empty() {
            "no outgoing message to this number in the SMS logs since the campaign began"
                .to_string()
        } else {
            format!("log id {} is not in the outgoing SMS logs", w.logid)
        };
        if scheduled {
            detail.push_str(
                " (a scheduled message may be listed only once it goes out: check again after its time)",
            );
        }
        return (Landing::Missing, w.logid.clone(), detail);
    };
    let differs = if digits(&w.number) != s.number {
        format!(
            "the logs show log id {} sent to +{}, not to this number",
            s.logid, s.number
        )
    } else if w.text.is_some_and(|t| t != s.text) {
        format!(
            "the logs show another text under log id {}: \"{}\"",
            s.logid, s.preview
        )
    } else {
        return (Landing::Landed, s.logid.clone(), String::new());
    };
    (Landing::Differs, s.logid.clone(), differs)
}

/// What `--verify` found.
#[derive(Debug, Default)]
pub struct Verification {
    pub findings: Vec<Finding>,
    pub landed: u64,
    pub differs: u64,
    pub missing: u64,
    pub unsettled: u64,
    /// Landed recipients whose text could not be compared (a journal without text digests).
    pub text_unchecked: u64,
    pub log_entries: u64,
    pub log_requests: u64,
}

impl Verification {
    /// Whether every recipient landed with the text it was sent.
    pub fn all_landed(&self) -> bool {
        self.differs + self.missing + self.unsettled == 0
    }
}

/// Reads the outgoing logs of the campaign's days, page by page, and checks each recipient
/// of `resume` against them; `scheduled` says the campaign scheduled messages.
pub async fn verify(
    http: &HttpClient,
    resume: &Resume,
    tests: &TestSends,
    scheduled: bool,
) -> Result<Verification, LogError> {
    let mut v = Verifier::new(resume, tests);
    let query = outgoing_since(
        resume
            .created_unix
            .saturating_mul(1000)
            .saturating_sub(SKEW_MS),
        jiff::Timestamp::now(),
    );
    let mut requests = 0;
    let mut from = 0usize;
    if !v.wants.is_empty() {
        loop {
            let page = logs_page(http, &query, from).await?;
            requests += 1;
            for record in &page.records {
                if let Some(e) = LogEntry::parse(record) {
                    v.observe(&e);
                }
            }
            match page.next {
                Some(crate::connectors::Cursor::Offset(next)) => from = next,
                _ => break,
            }
        }
    }
    let mut out = v.finish(scheduled);
    out.log_requests = requests;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::{Action, Op, RowOutcome};

    fn entry(number: &str, logid: &str, message: &str, at: u64) -> LogEntry {
        LogEntry {
            logid: logid.into(),
            number: digits(number),
            message: message.into(),
            direction: Some(Direction::Outgoing),
            status: "DELIVERED".into(),
            submitted_ms: at,
            status_description: String::new(),
        }
    }

    /// A journal: rows 1-4 sent "Hi" (logids L1, L2, L3 and none), row 5 refused, row 6
    /// in flight.
    fn journal(dir: &std::path::Path) -> Resume {
        let key = |n: u64| journal_key::encode(&format!("+1415555010{n}"), "Hi");
        let keys: Vec<String> = (1..=6).map(key).collect();
        let k: Vec<&str> = keys.iter().map(String::as_str).collect();
        crate::testutil::sms_journal(dir, async |j| {
            let a = j
                .intent_keyed(Op::Send, &[1, 2, 3, 4], None, &k[..4])
                .await
                .unwrap();
            j.outcome(
                a,
                &[
                    RowOutcome::done(1, Action::Sent, Some("L1")),
                    RowOutcome::done(2, Action::Sent, Some("L2")),
                    RowOutcome::done(3, Action::Sent, Some("L3")),
                    RowOutcome::done(4, Action::Sent, None),
                ],
            )
            .unwrap();
            let b = j
                .intent_keyed(Op::Send, &[5], None, &k[4..5])
                .await
                .unwrap();
            j.outcome(b, &[RowOutcome::failed(5, "ZVSMS-4038", "no")])
                .unwrap();
            j.intent_keyed(Op::Send, &[6], None, &k[5..6])
                .await
                .unwrap();
        })
    }

    #[test]
    fn each_sent_recipient_is_landed_differs_or_missing() {
        let dir = tempfile::tempdir().unwrap();
        let resume = journal(dir.path());
        let now = resume.created_unix * 1000;
        let tests_path = TestSends::path(dir.path());
        TestSends::record(&tests_path, &["T4"]).unwrap();
        let tests = TestSends::load(&tests_path).unwrap();
        let mut v = Verifier::new(&resume, &tests);
        for e in [
            entry("+1 4155550101", "L1", "Hi\r\n", now),
            entry("+1 4155550102", "L2", "Hello", now),
            // Row 4 (no log id): a test send of the same text does not count, and an older
            // message is not the campaign's.
            entry("+1 4155550104", "T4", "Hi", now + 5),
            entry("+1 4155550104", "OLD", "Hi", now - SKEW_MS - 1),
        ] {
            v.observe(&e);
        }
        let out = v.finish(false);
        let got: Vec<(u64, Landing)> = out.findings.iter().map(|f| (f.row, f.verdict)).collect();
        assert_eq!(
            got,
            vec![
                (1, Landing::Landed),
                (2, Landing::Differs),
                (3, Landing::Missing),
                (4, Landing::Missing),
                (6, Landing::Unsettled),
            ]
        );
        assert!(
            out.findings[1].detail.contains("\"Hello\""),
            "{:?}",
            out.findings[1]
        );
        assert!(out.findings[2].detail.contains("L3"));
        assert_eq!(
            (out.landed, out.differs, out.missing, out.unsettled),
            (1, 1, 2, 1)
        );
        assert!(!out.all_landed());
    }

    #[test]
    fn a_send_without_a_log_id_is_found_by_number_and_text() {
        let dir = tempfile::tempdir().unwrap();
        let resume = journal(dir.path());
        let now = resume.created_unix * 1000;
        let tests = TestSends::default();
        let mut v = Verifier::new(&resume, &tests);
        v.observe(&entry("+1 4155550104", "X", "Hi", now + 1));
        v.observe(&entry("+1 4155550104", "Y", "Other", now + 2));
        let out = v.finish(false);
        let row4 = out.findings.iter().find(|f| f.row == 4).unwrap();
        assert_eq!((row4.verdict, row4.logid.as_str()), (Landing::Landed, "X"));
    }

    #[test]
    fn a_log_id_sent_to_another_number_differs() {
        let dir = tempfile::tempdir().unwrap();
        let resume = journal(dir.path());
        let tests = TestSends::default();
        let mut v = Verifier::new(&resume, &tests);
        v.observe(&entry("+1 4155550199", "L1", "Hi", 0));
        let out = v.finish(true);
        assert_eq!(out.findings[0].verdict, Landing::Differs);
        assert!(out.findings[0].detail.contains("+14155550199"));
        assert!(
            out.findings[2].detail.contains("scheduled"),
            "{:?}",
            out.findings[2]
        );
    }
}
