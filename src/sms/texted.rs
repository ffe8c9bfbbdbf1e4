//! The repeat guard: what the account itself says it has texted.
//!
//! A journal says what one run sent, from one state directory. The account's outgoing SMS
//! logs say what was sent from anywhere: another copy of the list, another machine, another
//! journal. Before a campaign sends, the outgoing logs of the last `--repeat-window` (7 days
//! by default) are read once, page by page, and every (number, text) pair they hold is kept
//! as two 64-bit digests; a recipient whose number already received the same text in that
//! window is not texted again (`already_texted`).
//!
//! The logs' `fromDate`/`toDate` do not say in which time zone they are read, so the query
//! asks for a day more on each side and the entries are kept by their `submittedTime`
//! (milliseconds since the epoch), when the answer gives one.
//!
//! A test send (`sms --test-to`, its log id in [`super::test_ledger`]) is not counted: it
//! never keeps a recipient from getting the campaign's text.

use std::collections::HashSet;
use std::hash::Hasher as _;
use std::time::Duration;

use siphasher::sip::SipHasher13;

use crate::http::HttpClient;
use crate::reject::{Code, Rejection, Stage};
use crate::sms::api::{self, Direction, LogEntry, LogError, LogQuery};
use crate::sms::test_ledger::TestSends;

/// The default `--repeat-window`.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);

/// The (number, text) pairs the account texted in the window.
#[derive(Debug, Clone, Default)]
pub struct Texted {
    pairs: HashSet<(u64, u64)>,
    /// The window read (zero: the guard is off).
    pub window: Duration,
    /// Outgoing log entries read.
    pub read: u64,
    /// Requests the reading took.
    pub requests: u64,
}

/// The text as compared: line ends and surrounding blanks do not count.
pub(crate) fn text_digest(text: &str) -> u64 {
    let mut h = SipHasher13::new_with_keys(0x7465_7874_6564_2121, 0x7265_7065_6174_2121);
    for (i, line) in text.trim().lines().enumerate() {
        if i > 0 {
            h.write_u8(b'\n');
        }
        h.write(line.trim_end_matches('\r').as_bytes());
    }
    h.finish()
}

/// A number's digits as an integer (E.164 has at most 15 digits), or `None`.
fn number_key(number: &str) -> Option<u64> {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    digits.parse().ok()
}

impl Texted {
    /// Records that `number` was texted `text`.
    pub fn add(&mut self, number: &str, text: &str) {
        if let Some(n) = number_key(number) {
            self.pairs.insert((n, text_digest(text)));
        }
    }

    /// Whether `number` (E.164 or digits) was texted exactly `text` in the window.
    pub fn contains(&self, number: &str, text: &str) -> bool {
        number_key(number).is_some_and(|n| self.pairs.contains(&(n, text_digest(text))))
    }

    /// Why a recipient is not texted again, if it already was.
    pub fn rejection(&self, number: &str, text: &str) -> Option<Rejection> {
        if !self.contains(number, text) {
            return None;
        }
        Some(Rejection::new(
            Stage::Validate,
            "",
            Code::AlreadyTexted,
            format!(
                "the account's outgoing SMS logs show this number received the same text within the last {} (--repeat-window)",
                describe_window(self.window)
            ),
        ))
    }

    /// Adds the outgoing entries among `entries` submitted at or after `since_ms` (or with
    /// no time given), but test sends.
    fn add_entries(&mut self, entries: &[LogEntry], since_ms: u64, tests: &TestSends) {
        for e in entries {
            let outgoing = e.direction.is_none_or(|d| d == Direction::Outgoing);
            if outgoing
                && (e.submitted_ms == 0 || e.submitted_ms >= since_ms)
                && !tests.contains(&e.logid)
            {
                self.add(&e.number, &e.message);
                self.read += 1;
            }
        }
    }
}

/// `yyyy-MM-dd HH:mm:ss` in UTC.
fn log_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S").to_string()
}

/// Reads the outgoing logs of the `window` before `now`, but the test sends in `tests` (see
/// the module docs). A zero window reads nothing.
pub async fn read(
    http: &HttpClient,
    window: Duration,
    now: jiff::Timestamp,
    tests: &TestSends,
) -> Result<Texted, LogError> {
    let mut texted = Texted {
        window,
        ..Texted::default()
    };
    if window.is_zero() {
        return Ok(texted);
    }
    let day = jiff::SignedDuration::from_hours(24);
    let span = jiff::SignedDuration::try_from(window).unwrap_or(jiff::SignedDuration::MAX);
    let from = now
        .checked_sub(span)
        .and_then(|t| t.checked_sub(day))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let to = now.checked_add(day).unwrap_or(now);
    let since_ms = u64::try_from(now.as_millisecond())
        .unwrap_or(0)
        .saturating_sub(u64::try_from(window.as_millis()).unwrap_or(u64::MAX));
    let query = LogQuery {
        direction: Some(Direction::Outgoing),
        number: None,
        from_date: Some(log_time(from.max(jiff::Timestamp::UNIX_EPOCH))),
        to_date: Some(log_time(to)),
    };
    let mut from = 0usize;
    loop {
        let page = api::logs_page(http, &query, from).await?;
        texted.requests += 1;
        let entries: Vec<LogEntry> = page.records.iter().filter_map(LogEntry::parse).collect();
        texted.add_entries(&entries, since_ms, tests);
        match page.next {
            Some(crate::connectors::Cursor::Offset(next)) => from = next,
            _ => return Ok(texted),
        }
    }
}

/// Parses a `--repeat-window`: `0`, or a number with a unit: `s`, `m`, `h`, `d` or `w`
/// (`7d`, `36h`, `90m`), up to 3650 days. A bare number is in days.
pub fn parse_window(text: &str) -> Result<Duration, String> {
    crate::clock::parse_duration(text, &crate::clock::DurationForm::REPEAT_WINDOW)
}

/// `7 days`, `36 hours`, `90 minutes`, `45 seconds`.
pub fn describe_window(window: Duration) -> String {
    let s = window.as_secs();
    let (n, unit) = if s >= 86_400 && s.is_multiple_of(86_400) {
        (s / 86_400, "day")
    } else if s >= 3_600 && s.is_multiple_of(3_600) {
        (s / 3_600, "hour")
    } else if s >= 60 && s.is_multiple_of(60) {
        (s / 60, "minute")
    } else {
        (s, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_to_the_same_number_is_found_whatever_its_form() {
        let mut t = Texted {
            window: DEFAULT_WINDOW,
            ..Texted::default()
        };
        t.add("447400123456", "Hi Ada,\r\nsee you");
        assert!(t.contains("+447400123456", "Hi Ada,\nsee you"));
        assert!(t.contains("+44 7400 123456", " Hi Ada,\nsee you "));
        assert!(!t.contains("+447400123457", "Hi Ada,\nsee you"));
        assert!(!t.contains("+447400123456", "Hi Ada, see you"));
        let r = t.rejection("+447400123456", "Hi Ada,\nsee you").unwrap();
        assert_eq!(r.code, Code::AlreadyTexted);
        assert!(r.message.contains("7 days"), "{}", r.message);
        assert!(t.rejection("", "x").is_none());
    }

    #[test]
    fn entries_before_the_window_or_incoming_do_not_count() {
        let entry = |number: &str, ms: u64, direction| LogEntry {
            logid: format!("id-{number}"),
            number: number.into(),
            message: "x".into(),
            direction,
            status: "DELIVERED".into(),
            submitted_ms: ms,
            status_description: String::new(),
        };
        let dir = tempfile::tempdir().unwrap();
        let ledger = TestSends::path(dir.path());
        TestSends::record(&ledger, &["id-5"]).unwrap();
        let tests = TestSends::load(&ledger).unwrap();
        let mut t = Texted::default();
        t.add_entries(
            &[
                entry("1", 1_000, Some(Direction::Outgoing)),
                entry("2", 5_000, Some(Direction::Outgoing)),
                entry("3", 5_000, Some(Direction::Incoming)),
                entry("4", 0, None),
                entry("5", 5_000, Some(Direction::Outgoing)),
            ],
            2_000,
            &tests,
        );
        assert!(!t.contains("1", "x"));
        assert!(t.contains("2", "x"));
        assert!(!t.contains("3", "x"));
        assert!(t.contains("4", "x"));
        assert!(!t.contains("5", "x"), "a test send does not count");
        assert_eq!(t.read, 2);
    }

    #[test]
    fn windows_parse_and_read_back() {
        assert_eq!(parse_window("7d").unwrap(), DEFAULT_WINDOW);
        assert_eq!(parse_window("7").unwrap(), DEFAULT_WINDOW);
        assert_eq!(parse_window("36h").unwrap(), Duration::from_secs(36 * 3600));
        assert_eq!(parse_window("0").unwrap(), Duration::ZERO);
        assert_eq!(
            parse_window("2w").unwrap(),
            Duration::from_secs(14 * 86_400)
        );
        assert!(parse_window("-1d").is_err());
        assert!(parse_window("7y").is_err());
        assert!(parse_window("soon").is_err());
        assert_eq!(describe_window(DEFAULT_WINDOW), "7 days");
        assert_eq!(describe_window(Duration::from_secs(90 * 60)), "90 minutes");
        assert_eq!(describe_window(Duration::from_secs(3600)), "1 hour");
    }
}
