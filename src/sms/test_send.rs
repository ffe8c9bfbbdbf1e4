//! `sms --test-to NUMBER`: one row's message, as the campaign would write it (the same
//! template, sender id and options), sent now to the given numbers only, like a "send a test
//! to yourself". It is no part of the campaign: no journal is made or changed, no run lock is
//! taken, and the campaign run afterwards texts every recipient as if no test had been sent.
//!
//! - The row is `--test-row N`, or the first row that makes a recipient (a clean row whose
//!   message can be written). A row that is rejected, or is not in the list, is a usage error.
//! - Test numbers are read as the campaign reads a number (`--default-region`,
//!   `--bare-digits`; a number that is not a mobile needs `--allow-landline`); one that cannot
//!   be read is a usage error, before anything is sent.
//! - Suppression holds for tests too: a test number in a `--suppress` file, or that texted an
//!   opt-out keyword (unless `--no-opt-out-check`), refuses the test before anything is sent.
//! - A test goes out now: a `--send-window` or `--schedule` of the campaign is shown, not
//!   applied. The repeat guard does not apply (a test may be sent again).
//! - Each accepted send's log id goes to the test-send list ([`super::test_ledger`]), so that
//!   the campaign never takes it for one of its own messages.

use serde::Serialize;

use crate::contact::Contact;
use crate::dedupe::Keep;
use crate::error::{Error, exit};
use crate::http::HttpClient;
use crate::input::InputPlan;
use crate::phone::{self, BareDigits, RegionFrom};
use crate::region::Region;
use crate::reject::Rejection;
use crate::report::Counts;
use crate::source::{RawRow, Schema};

use super::api::{Refusal, SendOptions, SendRequest, SendResult, account_refusal, digits};
use super::campaign::{Claims, Pass, walk_list};
use super::recipient::{Composer, Recipient};
use super::summary::Rendered;
use super::test_ledger::TestSends;

/// At most this many test numbers (a test, not a campaign).
pub const MAX_TEST_NUMBERS: usize = 10;

/// Why a test send cannot go out (nothing was sent).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TestSendError {
    #[error(
        "--test-to: give at most {MAX_TEST_NUMBERS} numbers ({0} given): a test is not a campaign"
    )]
    TooMany(usize),
    #[error("--test-to '{text}' cannot be read as a phone number: {why}")]
    Unreadable { text: String, why: String },
    #[error(
        "--test-to '{text}' ({e164}) is not a mobile number: the campaign would not text it either (give --allow-landline to text it)"
    )]
    NotMobile { text: String, e164: String },
    #[error("--test-to '{text}' ({e164}) is not texted: {why}; nothing was sent")]
    Suppressed {
        text: String,
        e164: String,
        why: String,
    },
    #[error(
        "--test-row {0}: no such recipient in the list (a blank row, a repeat dedupe dropped, or past the end)"
    )]
    RowNotFound(u64),
    #[error("--test-row {row} is not texted by the campaign ({code}: {message}): pick another row")]
    RowRejected {
        row: u64,
        code: String,
        message: String,
    },
    #[error("no row of the list makes a recipient: nothing to test (see `--dry-run`)")]
    NoRecipient,
}

impl From<TestSendError> for Error {
    fn from(e: TestSendError) -> Error {
        Error::Usage(e.to_string())
    }
}

/// A test number as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestNumber {
    /// As given.
    pub text: String,
    pub e164: String,
    /// ISO alpha-2, or "".
    pub region: String,
}

/// Reads the `--test-to` values as the campaign reads a number: national numbers in
/// `default_region`, bare digits as `bare` says, mobiles only unless `allow_landline`. A
/// number given twice is texted once.
pub fn read_numbers(
    texts: &[String],
    default_region: Option<Region>,
    bare: BareDigits,
    allow_landline: bool,
) -> Result<Vec<TestNumber>, TestSendError> {
    if texts.len() > MAX_TEST_NUMBERS {
        return Err(TestSendError::TooMany(texts.len()));
    }
    let mut out: Vec<TestNumber> = Vec::new();
    for text in texts {
        let region = default_region.map(|r| (r, RegionFrom::Guess));
        let (n, _) =
            phone::read_value(text, region, bare).map_err(|e| TestSendError::Unreadable {
                text: text.clone(),
                why: e.to_string(),
            })?;
        if n.extension.is_some() {
            return Err(TestSendError::Unreadable {
                text: text.clone(),
                why: "it has an extension, which a text message cannot reach".into(),
            });
        }
        if !allow_landline && !n.is_mobile() {
            return Err(TestSendError::NotMobile {
                text: text.clone(),
                e164: n.e164,
            });
        }
        if out.iter().any(|o| o.e164 == n.e164) {
            continue;
        }
        out.push(TestNumber {
            text: text.clone(),
            region: n.region_code().unwrap_or_default(),
            e164: n.e164,
        });
    }
    Ok(out)
}

/// Refuses the test when a number must not be texted (a `--suppress` file, an opt-out).
pub fn check_suppressed(numbers: &[TestNumber], composer: &Composer) -> Result<(), TestSendError> {
    for n in numbers {
        if let Some(hit) = composer.suppressions.check(&n.e164, &n.region) {
            return Err(TestSendError::Suppressed {
                text: n.text.clone(),
                e164: n.e164.clone(),
                why: composer.suppressions.why(&hit),
            });
        }
    }
    Ok(())
}

/// Looks for the row to test.
struct Finder<'a> {
    composer: &'a Composer,
    want: Option<u64>,
    counts: Counts,
    claims: Claims,
    found: Option<Result<Recipient, TestSendError>>,
}

impl Pass for Finder<'_> {
    fn tally(&mut self) -> (&mut Counts, &mut Claims) {
        (&mut self.counts, &mut self.claims)
    }

    fn reject(
        &mut self,
        _schema: &std::sync::Arc<Schema>,
        raw: &RawRow,
        why: &[Rejection],
    ) -> crate::error::Result<()> {
        if self.found.is_none() && self.want == Some(raw.row) {
            let first = why.first();
            self.found = Some(Err(TestSendError::RowRejected {
                row: raw.row,
                code: first
                    .map(|r| r.code.as_str().to_string())
                    .unwrap_or_default(),
                message: first.map(|r| r.message.clone()).unwrap_or_default(),
            }));
        }
        Ok(())
    }

    fn recipient(
        &mut self,
        schema: &std::sync::Arc<Schema>,
        raw: RawRow,
        contact: Contact,
    ) -> crate::error::Result<()> {
        if self.found.is_some() || self.want.is_some_and(|w| w != raw.row) {
            return Ok(());
        }
        let composed = self.composer.compose(
            raw.row,
            schema,
            &raw.values,
            &contact,
            jiff::Timestamp::now(),
        );
        match composed {
            Ok(r) => self.found = Some(Ok(r)),
            Err(why) if self.want.is_some() => self.reject(schema, &raw, &[why])?,
            // Not this one: the first row that makes a recipient is wanted.
            Err(_) => {}
        }
        Ok(())
    }
}

/// The recipient row `want` makes (or the first row that makes one), with its message as
/// the campaign writes it.
pub fn find_row(
    input_path: &str,
    input: &InputPlan,
    keep: Keep,
    composer: &Composer,
    want: Option<u64>,
) -> crate::error::Result<Recipient> {
    let mut finder = Finder {
        composer,
        want,
        counts: Counts::default(),
        claims: Claims::default(),
        found: None,
    };
    walk_list(input_path, input, keep, &mut finder)?;
    match finder.found {
        Some(Ok(r)) => Ok(r),
        Some(Err(e)) => Err(e.into()),
        None => Err(match want {
            Some(row) => TestSendError::RowNotFound(row),
            None => TestSendError::NoRecipient,
        }
        .into()),
    }
}

/// What became of one test number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestResult {
    pub number: String,
    /// `sent`, `refused`, `unknown` (the answer was lost: it may have gone out) or `not_sent`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub logid: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub code: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
}

impl TestResult {
    fn new(number: &str, status: &'static str) -> TestResult {
        TestResult {
            number: number.to_string(),
            status,
            logid: String::new(),
            code: String::new(),
            message: String::new(),
        }
    }
}

/// The test sends, and what stopped them (the account refused a send, the API is gone).
pub struct Sent {
    pub results: Vec<TestResult>,
    pub stop: Option<Error>,
}

/// Sends `r`'s message to each number (one request each, now, never again after a lost
/// answer), and records each accepted send's log id in the test-send list at `ledger`.
pub async fn send(
    http: &HttpClient,
    numbers: &[TestNumber],
    r: &Recipient,
    options: &SendOptions,
    ledger: &std::path::Path,
) -> Sent {
    let mut results = Vec::new();
    let mut stop = None;
    for n in numbers {
        if stop.is_some() {
            let mut left = TestResult::new(&n.e164, "not_sent");
            left.message = "not sent: the test stopped before it".into();
            results.push(left);
            continue;
        }
        let one = [n.e164.clone()];
        let request = SendRequest {
            numbers: &one,
            message: &r.message,
            data_coding: r.segments.encoding.data_coding(),
            schedule: None,
            options,
        }
        .build();
        let mut res = TestResult::new(&n.e164, "sent");
        let result = SendResult::from_outcome(http.send(&request).await);
        let reach = result.refusal();
        match result {
            SendResult::Done(logids) => {
                let d = digits(&n.e164);
                res.logid = logids
                    .iter()
                    .find(|(num, _)| *num == d)
                    .or(logids.first())
                    .map(|(_, id)| id.clone())
                    .unwrap_or_default();
                if let Err(e) = TestSends::record(ledger, &[&res.logid]) {
                    res.message = format!(
                        "sent, but not recorded as a test ({e}): a campaign with the same text may take it for its own"
                    );
                }
            }
            SendResult::Failed { code, message, .. } if reach == Some(Refusal::Run) => {
                res.status = "refused";
                res.code = code.clone().unwrap_or_default();
                res.message = message.clone();
                stop = Some(Error::Usage(account_refusal(
                    code.as_deref(),
                    &message,
                    options.sender_id.as_deref(),
                )));
            }
            SendResult::Failed { code, message, .. } => {
                res.status = "refused";
                res.code = code.unwrap_or_default();
                res.message = message;
            }
            SendResult::Ambiguous { reason, .. } => {
                res.status = "unknown";
                res.message = format!(
                    "the answer was lost ({reason}): it may have gone out; it is not sent again"
                );
            }
            SendResult::NotApplied { reason } => {
                res.status = "not_sent";
                res.message = reason;
            }
            SendResult::Stop { message, denied } => {
                res.status = "not_sent";
                res.message = message.clone();
                stop = Some(if denied {
                    Error::Access(crate::scopes::refused_write(
                        super::api::API,
                        crate::scopes::Access::Create,
                        &message,
                    ))
                } else {
                    Error::Remote(message)
                });
            }
        }
        results.push(res);
    }
    Sent { results, stop }
}

/// The summary of a test send.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
pub struct TestSummary {
    pub command: &'static str,
    pub input: String,
    /// The row whose message was sent.
    pub row: u64,
    /// The row's own number (not texted by the test).
    pub row_number: String,
    #[serde(flatten)]
    pub rendered: Rendered,
    pub sender_id: Option<String>,
    /// When the campaign would send this row's message (`None`: now); the test went now.
    pub campaign_schedule: Option<String>,
    pub sent: usize,
    pub results: Vec<TestResult>,
    pub exit_code: crate::exit::ExitCode,
}

impl TestSummary {
    pub fn new(
        input: &str,
        r: &Recipient,
        sender_id: Option<String>,
        results: Vec<TestResult>,
    ) -> TestSummary {
        let sent = results.iter().filter(|t| t.status == "sent").count();
        let clean = sent == results.len() && results.iter().all(|t| t.message.is_empty());
        TestSummary {
            command: "sms-test",
            input: input.to_string(),
            row: r.row,
            row_number: r.number.clone(),
            rendered: Rendered::of(r),
            sender_id,
            campaign_schedule: r
                .schedule
                .as_ref()
                .map(|s| format!("{} {}", s.time, s.zone)),
            sent,
            results,
            exit_code: if clean {
                exit::ExitCode::Ok
            } else {
                exit::ExitCode::RowsRejected
            },
        }
    }

    pub fn human(&self) -> String {
        let when = match &self.campaign_schedule {
            Some(s) => format!("sent now (the campaign schedules it for {s})"),
            None => "sent now".to_string(),
        };
        let mut out = format!(
            "test send: the message of row {} (to {} in the campaign), {}, {when}\n  {}\n",
            self.row,
            self.row_number,
            self.rendered.cost(),
            self.rendered.indented(),
        );
        for t in &self.results {
            let line = match t.status {
                "sent" if t.logid.is_empty() => {
                    format!("sent to {} (the answer gave no log id)", t.number)
                }
                "sent" => format!("sent to {}: log id {}", t.number, t.logid),
                "refused" if !t.code.is_empty() => {
                    format!("refused for {}: {}: {}", t.number, t.code, t.message)
                }
                status => format!("{status} for {}: {}", t.number, t.message),
            };
            out.push_str(&line);
            if t.status == "sent" && !t.message.is_empty() {
                out.push_str(&format!(" ({})", t.message));
            }
            out.push('\n');
        }
        out.push_str(&format!(
            "{} of {} test numbers texted; not part of the campaign: no journal was written, and the campaign still texts every recipient once\n",
            self.sent,
            self.results.len()
        ));
        out
    }
}

crate::summary::impl_summary!(TestSummary);

#[cfg(test)]
mod tests {
    use super::*;

    fn gb() -> Option<Region> {
        crate::region::from_code("GB")
    }

    #[test]
    fn test_numbers_are_read_as_the_campaign_reads_them() {
        let texts = vec![
            "07400 123456".to_string(),
            "+44 7400 123456".to_string(),
            "+1 415 555 2671".to_string(),
        ];
        let got = read_numbers(&texts, gb(), BareDigits::Reject, false).unwrap();
        let e164: Vec<&str> = got.iter().map(|n| n.e164.as_str()).collect();
        assert_eq!(
            e164,
            ["+447400123456", "+14155552671"],
            "a repeat is texted once"
        );
        assert_eq!(got[0].region, "GB");
    }

    #[test]
    fn unreadable_or_landline_test_numbers_are_refused() {
        let one = |t: &str, allow| read_numbers(&[t.to_string()], gb(), BareDigits::Reject, allow);
        assert!(matches!(
            one("not a number", false),
            Err(TestSendError::Unreadable { .. })
        ));
        assert!(matches!(
            read_numbers(&["07400 123456".into()], None, BareDigits::Reject, false),
            Err(TestSendError::Unreadable { .. })
        ));
        // A London landline.
        assert!(matches!(
            one("020 7946 0958", false),
            Err(TestSendError::NotMobile { .. })
        ));
        assert!(one("020 7946 0958", true).is_ok());
        let many: Vec<String> = (0..11).map(|i| format!("+4474001000{i:02}")).collect();
        assert_eq!(
            read_numbers(&many, None, BareDigits::Reject, false),
            Err(TestSendError::TooMany(11))
        );
    }
}
