//! The journal's record format: one checksummed JSON object per line.
//!
//! A line is `<checksum> <json>\n`, where `<checksum>` is the SipHash-1-3 (fixed keys) of the
//! JSON bytes as 16 lower-case hex digits. JSON never holds a raw newline, so a line is a record;
//! a line with no final newline, a wrong checksum or JSON that does not parse is torn or damaged.
//! The first line is a [`HeaderFrame`]; every other line is an intent or an outcome.

use std::borrow::Cow;
use std::hash::Hasher as _;

use serde::{Deserialize, Serialize};
use siphasher::sip::SipHasher13;

use super::header::RunHeader;

/// Keys of the record checksum: fixed, as the hash only has to
/// detect damage, not resist an attacker.
const SIP_KEYS: (u64, u64) = (0x6275_6c6b_6c69_6e65, 0x6a6f_7572_6e61_6c31);

/// The value of the header's `format` field.
pub(crate) const FORMAT_NAME: &str = "bulkline-journal";

/// Bytes before the JSON on each line: 16 hex digits and a space.
const PREFIX: usize = 17;

/// What an intent is about to do to the remote state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Create a record.
    Create,
    /// Update an existing record (its remote id is in the intent).
    Update,
    /// Create or update, whichever the target decides.
    Upsert,
    /// Delete a record (its remote id is in the intent): what `undo` does.
    Delete,
    /// Send a message (SMS) to the rows' numbers.
    Send,
}

/// What was done to a row, as the target reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Created,
    Updated,
    /// The target already held the same data: nothing was changed.
    Unchanged,
    Deleted,
    Sent,
    /// The row was deliberately not sent (e.g. an existing record kept by policy).
    Skipped,
}

impl Action {
    /// Every action, in the order of [`Action::index`].
    pub const ALL: [Action; 6] = [
        Action::Created,
        Action::Updated,
        Action::Unchanged,
        Action::Deleted,
        Action::Sent,
        Action::Skipped,
    ];

    /// The stable name written in the journal and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Unchanged => "unchanged",
            Action::Deleted => "deleted",
            Action::Sent => "sent",
            Action::Skipped => "skipped",
        }
    }

    /// A dense index, for per-action counters.
    pub fn index(self) -> usize {
        match self {
            Action::Created => 0,
            Action::Updated => 1,
            Action::Unchanged => 2,
            Action::Deleted => 3,
            Action::Sent => 4,
            Action::Skipped => 5,
        }
    }
}

/// The result of an intent for one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowResult {
    /// The change happened; `remote_id` is the record's id (or an SMS message log id).
    Done {
        action: Action,
        remote_id: Option<String>,
    },
    /// The target refused the change for good (a retry would fail the same way).
    Failed { code: String, message: String },
    /// The change is known not to have happened (e.g. an in-flight intent reconciled against
    /// the target and not found, or a transient failure given up on): the row is pending again.
    NotApplied,
    /// The request was answered, but the answer does not say whether the change happened (a
    /// 5xx or a timeout after sending): the request is no longer in flight, and the row waits
    /// to be reconciled against the target.
    Unknown,
    /// No answer came at all (a timeout, a connection lost after sending): unknown like
    /// [`RowResult::Unknown`], and the request, which left at `sent_ms` (ms since the Unix
    /// epoch), may still be applied later: it is looked for only once it is old enough.
    Lost { sent_ms: u64 },
}

/// The result of an intent for one of its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowOutcome {
    pub row: u64,
    pub result: RowResult,
}

impl RowOutcome {
    /// A successful change.
    pub fn done(row: u64, action: Action, remote_id: Option<&str>) -> Self {
        RowOutcome {
            row,
            result: RowResult::Done {
                action,
                remote_id: remote_id.map(str::to_owned),
            },
        }
    }

    /// A permanent failure. The message must not hold secrets (tokens, request headers).
    pub fn failed(row: u64, code: impl Into<String>, message: impl Into<String>) -> Self {
        RowOutcome {
            row,
            result: RowResult::Failed {
                code: code.into(),
                message: message.into(),
            },
        }
    }

    /// A change known not to have happened.
    pub fn not_applied(row: u64) -> Self {
        RowOutcome {
            row,
            result: RowResult::NotApplied,
        }
    }

    /// A change whose answer was ambiguous: no longer in flight, still to reconcile.
    pub fn unknown(row: u64) -> Self {
        RowOutcome {
            row,
            result: RowResult::Unknown,
        }
    }

    /// A change whose request, sent at `sent_ms`, got no answer at all: still to reconcile,
    /// once a late write can no longer land.
    pub fn lost(row: u64, sent_ms: u64) -> Self {
        RowOutcome {
            row,
            result: RowResult::Lost { sent_ms },
        }
    }
}

/// One line of the journal.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Frame<'a> {
    Header(HeaderFrame),
    #[serde(borrow)]
    Intent(IntentFrame<'a>),
    #[serde(borrow)]
    Outcome(OutcomeFrame<'a>),
    /// A run of the journal began (each run that writes to it, the first included).
    Run(RunFrame),
}

/// A run that began writing to the journal: when, and as what trial.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunFrame {
    /// When it began, in milliseconds since the Unix epoch.
    pub at: u64,
    /// `--limit N`: the run read only the first N data rows.
    #[serde(default)]
    pub limit: Option<u64>,
}

/// The first line: what run the journal belongs to.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct HeaderFrame {
    /// Always [`FORMAT_NAME`]: tells a journal from any other file.
    pub format: String,
    pub run: RunHeader,
    /// The bulkline version that created the journal (informative, not checked).
    #[serde(default)]
    pub tool: String,
    /// When the journal was created, in seconds since the Unix epoch (informative).
    #[serde(default)]
    pub created_unix: u64,
    /// The journal `--restart` moved aside to start this one (its path then), if any: where
    /// the earlier runs' records are.
    #[serde(default)]
    pub replaces: Option<String>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct IntentFrame<'a> {
    pub id: u64,
    pub op: Op,
    pub rows: Vec<u64>,
    #[serde(default, borrow)]
    pub remote_id: Option<Cow<'a, str>>,
    /// What each row is about on the remote side, parallel to `rows` (an SMS intent: each
    /// row's number), so that a later run can reconcile and report it without the input.
    #[serde(default, skip_serializing_if = "Vec::is_empty", borrow)]
    pub keys: Vec<Cow<'a, str>>,
    /// The parent record the rows belong to (a Zoho Books contact), to find them again.
    #[serde(default, borrow)]
    pub parent: Option<Cow<'a, str>>,
    /// When the intent was recorded, in milliseconds since the Unix epoch (0: unknown, in
    /// journals written before it was kept).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub at: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct OutcomeFrame<'a> {
    pub id: u64,
    #[serde(borrow)]
    pub rows: Vec<WireRow<'a>>,
    /// For unknown outcomes, when the request could last have reached the API (ms since the
    /// epoch): when the outcome was recorded (the logs' catch-up window counts from it), or,
    /// for a request that got no answer at all (`lost` rows), when it left.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub at: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    Done,
    Failed,
    NotApplied,
    Unknown,
}

/// A row result as written: flat, so that it parses fast.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireRow<'a> {
    pub row: u64,
    pub status: Status,
    #[serde(default)]
    pub action: Option<Action>,
    #[serde(default, borrow)]
    pub remote_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub code: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub message: Option<Cow<'a, str>>,
    /// An unknown row whose request got no answer at all ([`RowResult::Lost`]).
    #[serde(default, skip_serializing_if = "is_false")]
    pub lost: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl<'a> WireRow<'a> {
    pub fn from_outcome(o: &'a RowOutcome) -> Self {
        let mut w = WireRow {
            row: o.row,
            status: Status::Done,
            action: None,
            remote_id: None,
            code: None,
            message: None,
            lost: false,
        };
        match &o.result {
            RowResult::Done { action, remote_id } => {
                w.action = Some(*action);
                w.remote_id = remote_id.as_deref().map(Cow::Borrowed);
            }
            RowResult::Failed { code, message } => {
                w.status = Status::Failed;
                w.code = Some(Cow::Borrowed(code));
                w.message = Some(Cow::Borrowed(message));
            }
            RowResult::NotApplied => w.status = Status::NotApplied,
            RowResult::Unknown => w.status = Status::Unknown,
            RowResult::Lost { .. } => {
                w.status = Status::Unknown;
                w.lost = true;
            }
        }
        w
    }
}

/// The checksum of a record's JSON bytes.
pub(crate) fn checksum(json: &[u8]) -> u64 {
    let mut h = SipHasher13::new_with_keys(SIP_KEYS.0, SIP_KEYS.1);
    h.write(json);
    h.finish()
}

/// Appends one record line (with its newline) to `out`.
pub(crate) fn encode(frame: &Frame<'_>, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    let start = out.len();
    out.extend_from_slice(&[b'0'; PREFIX]);
    if let Err(e) = serde_json::to_writer(&mut *out, frame) {
        out.truncate(start);
        return Err(e);
    }
    let sum = checksum(&out[start + PREFIX..]);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in 0..16 {
        out[start + i] = HEX[((sum >> (60 - 4 * i)) & 0xf) as usize];
    }
    out[start + 16] = b' ';
    out.push(b'\n');
    Ok(())
}

/// Why a line is not a valid record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LineError {
    Malformed,
    BadChecksum,
    BadJson(String),
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineError::Malformed => f.write_str("not a record line"),
            LineError::BadChecksum => f.write_str("checksum mismatch"),
            LineError::BadJson(e) => write!(f, "record is not valid JSON: {e}"),
        }
    }
}

/// Decodes one line (without its newline).
pub(crate) fn decode(line: &[u8]) -> Result<Frame<'_>, LineError> {
    if line.len() < PREFIX + 2 || line[PREFIX - 1] != b' ' {
        return Err(LineError::Malformed);
    }
    let mut sum = 0u64;
    for &c in &line[..16] {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return Err(LineError::BadChecksum),
        };
        sum = (sum << 4) | u64::from(d);
    }
    let json = &line[PREFIX..];
    if checksum(json) != sum {
        return Err(LineError::BadChecksum);
    }
    serde_json::from_slice(json).map_err(|e| LineError::BadJson(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intent_and_outcome_round_trip() {
        let mut out = Vec::new();
        let intent = Frame::Intent(IntentFrame {
            id: 7,
            op: Op::Send,
            rows: vec![3, 4],
            remote_id: None,
            keys: Vec::new(),
            parent: None,
            at: 5,
        });
        encode(&intent, &mut out).unwrap();
        let outcome = RowOutcome::failed(4, "invalid_number", "the \"number\"\nis bad");
        let frame = Frame::Outcome(OutcomeFrame {
            id: 7,
            rows: vec![WireRow::from_outcome(&outcome)],
            at: 0,
        });
        encode(&frame, &mut out).unwrap();
        let lines: Vec<&[u8]> = out.split(|&b| b == b'\n').collect();
        assert_eq!(lines.len(), 3, "two records and the empty rest");
        match decode(lines[0]).unwrap() {
            Frame::Intent(i) => {
                assert_eq!((i.id, i.op, i.rows, i.at), (7, Op::Send, vec![3, 4], 5))
            }
            other => panic!("{other:?}"),
        }
        match decode(lines[1]).unwrap() {
            Frame::Outcome(o) => {
                assert_eq!(o.rows[0].status, Status::Failed);
                assert_eq!(o.rows[0].message.as_deref(), Some("the \"number\"\nis bad"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn damaged_lines_are_refused() {
        let mut out = Vec::new();
        let frame = Frame::Intent(IntentFrame {
            id: 1,
            op: Op::Create,
            rows: vec![1],
            remote_id: Some("abc".into()),
            keys: Vec::new(),
            parent: None,
            at: 0,
        });
        encode(&frame, &mut out).unwrap();
        let line = &out[..out.len() - 1];
        assert!(decode(line).is_ok());
        let mut flipped = line.to_vec();
        let last = flipped.len() - 2;
        flipped[last] ^= 1;
        assert_eq!(decode(&flipped).unwrap_err(), LineError::BadChecksum);
        assert_eq!(decode(&line[..10]).unwrap_err(), LineError::Malformed);
        assert_eq!(decode(&[0u8; 40]).unwrap_err(), LineError::Malformed);
    }
}
