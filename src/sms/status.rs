//! `sms-status`: a campaign's journal joined with the SMS logs, one line per recipient: the
//! row, the number, the log id and the delivery status the logs give it (DELIVERED,
//! UNDELIVERED, EXPIRED, IN_QUEUE, ...), or FAILED with the API's refusal, or UNKNOWN for a send
//! whose outcome was never settled.
//!
//! The journal holds every row's number (its send intents carry them) and the log id of each
//! accepted send, so the input file is not needed. The outgoing logs are read once, for the
//! days since the journal was made, and matched by log id; a send the API accepted without
//! naming a log id is matched by number (its newest outgoing message since the journal).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::checkpoint::{Resume, RowState};
use crate::sms::api::{Direction, LogEntry, digits};

use super::reconcile::SKEW_MS;

/// One line of the status report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientStatus {
    pub row: u64,
    pub number: String,
    pub logid: String,
    pub status: String,
    /// The logs' status description, or the refusal's code and message.
    pub detail: String,
}

/// The report's columns, in order (`_row` follows them, as the writer's extra column).
pub const COLUMNS: [&str; 4] = ["number", "logid", "status", "detail"];

/// Status of a send the API refused.
pub const FAILED: &str = "FAILED";
/// Status of a send never settled, or accepted but absent from the logs.
pub const UNKNOWN: &str = "UNKNOWN";

/// Joins the journal's rows with the outgoing log `entries`, in row order.
pub fn join(resume: &Resume, entries: &[LogEntry]) -> Vec<RecipientStatus> {
    let since_ms = resume
        .created_unix
        .saturating_mul(1000)
        .saturating_sub(SKEW_MS);
    let outgoing = || {
        entries
            .iter()
            .filter(|e| e.direction != Some(Direction::Incoming))
    };
    let by_logid: HashMap<&str, &LogEntry> = outgoing()
        .filter(|e| !e.logid.is_empty())
        .map(|e| (e.logid.as_str(), e))
        .collect();
    let mut newest: HashMap<&str, &LogEntry> = HashMap::new();
    for e in outgoing().filter(|e| e.submitted_ms >= since_ms) {
        let slot = newest.entry(e.number.as_str()).or_insert(e);
        if e.submitted_ms > slot.submitted_ms {
            *slot = e;
        }
    }
    let mut rows: Vec<RecipientStatus> = resume
        .rows()
        .map(|(row, state)| {
            let number = super::journal_key::decode(resume.key(row).unwrap_or(""))
                .number
                .to_string();
            let of_log = |e: &LogEntry| RecipientStatus {
                row,
                number: number.clone(),
                logid: e.logid.clone(),
                status: e.status.clone(),
                detail: e.status_description.clone(),
            };
            match state {
                RowState::Done { remote_id, .. } => {
                    let logid = remote_id.as_deref().unwrap_or("");
                    let found = if logid.is_empty() {
                        newest.get(digits(&number).as_str()).copied()
                    } else {
                        by_logid.get(logid).copied()
                    };
                    match found {
                        Some(e) => of_log(e),
                        None => RecipientStatus {
                            row,
                            number: number.clone(),
                            logid: logid.to_string(),
                            status: UNKNOWN.to_string(),
                            detail: "accepted by the API, not (yet) in the SMS logs".into(),
                        },
                    }
                }
                RowState::Failed(f) => RecipientStatus {
                    row,
                    number: number.clone(),
                    logid: String::new(),
                    status: FAILED.to_string(),
                    detail: format!("{}: {}", f.code, f.message),
                },
                RowState::InFlight(_) | RowState::Unknown(_) => RecipientStatus {
                    row,
                    number: number.clone(),
                    logid: String::new(),
                    status: UNKNOWN.to_string(),
                    detail: "the send was never settled: run the campaign again to look for it in the logs".into(),
                },
            }
        })
        .collect();
    rows.sort_unstable_by_key(|r| r.row);
    rows
}

/// Recipients by status.
pub fn count(rows: &[RecipientStatus]) -> BTreeMap<String, u64> {
    let mut by = BTreeMap::new();
    for r in rows {
        *by.entry(r.status.clone()).or_default() += 1;
    }
    by
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::{Action, Op, RowOutcome};

    fn entry(number: &str, logid: &str, status: &str, at: u64) -> LogEntry {
        LogEntry {
            logid: logid.into(),
            number: digits(number),
            message: "hi".into(),
            direction: Some(Direction::Outgoing),
            status: status.into(),
            submitted_ms: at,
            status_description: String::new(),
        }
    }

    #[test]
    fn journal_rows_meet_their_logs() {
        let dir = tempfile::tempdir().unwrap();
        let resume = crate::testutil::sms_journal(dir.path(), async |j| {
            let a = j
                .intent_keyed(Op::Send, &[1, 2], None, &["+14155550101", "+14155550102"])
                .await
                .unwrap();
            j.outcome(
                a,
                &[
                    RowOutcome::done(1, Action::Sent, Some("L1")),
                    RowOutcome::done(2, Action::Sent, None),
                ],
            )
            .unwrap();
            let b = j
                .intent_keyed(Op::Send, &[3], None, &["+14155550103"])
                .await
                .unwrap();
            j.outcome(b, &[RowOutcome::failed(3, "ZVSMS-4038", "not supported")])
                .unwrap();
            j.intent_keyed(Op::Send, &[4], None, &["+14155550104"])
                .await
                .unwrap();
        });
        let now = resume.created_unix * 1000;
        let logs = vec![
            entry("+1 4155550101", "L1", "DELIVERED", now),
            entry("+1 4155550102", "L2", "UNDELIVERED", now + 1),
            entry("+1 4155550102", "L0", "DELIVERED", now - SKEW_MS - 5),
        ];
        let rows = join(&resume, &logs);
        let got: Vec<(u64, &str, &str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r.row,
                    r.number.as_str(),
                    r.logid.as_str(),
                    r.status.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (1, "+14155550101", "L1", "DELIVERED"),
                (2, "+14155550102", "L2", "UNDELIVERED"),
                (3, "+14155550103", "", FAILED),
                (4, "+14155550104", "", UNKNOWN),
            ]
        );
        let by = count(&rows);
        assert_eq!(by.get("DELIVERED"), Some(&1));
        assert_eq!(by.get(UNKNOWN), Some(&1));
    }
}
