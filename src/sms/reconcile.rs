//! Was it sent? A send whose answer was lost (a timeout, a dropped connection, a 5xx, a run
//! killed between the journal's intent and the answer) is looked for in the SMS logs: an
//! outgoing message to that number, since the campaign's journal was made, with the same
//! text. Found, it was sent (and its log id is the proof).
//!
//! [`scan`] settles many such sends at once: one paged listing of the campaign's outgoing
//! messages, matched locally by number and text; when that listing would take more pages than
//! there are numbers to look for (an account that sends far more than this campaign), it
//! looks each number up instead. A test send (`sms --test-to`, its log id in
//! [`super::test_ledger`]) is never taken for the campaign's.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;

use crate::connectors::Cursor;
use crate::http::HttpClient;
use crate::sms::api::{
    Direction, LOG_PAGE, LogEntry, LogError, LogQuery, digits, fetch_logs, logs_page,
};
use crate::sms::test_ledger::TestSends;

/// How far before the journal's creation a logged send still counts (clock skew between this
/// machine and the API).
pub const SKEW_MS: u64 = 10 * 60 * 1000;

/// The date range to ask the logs for: from the day before `since_ms` to the day after now,
/// so that neither time zone nor midnight hides a message.
pub fn date_range(since_ms: u64, now: Timestamp) -> (String, String) {
    let day = |ts: Timestamp, days: i64| {
        let shifted = ts
            .checked_add(jiff::SignedDuration::from_hours(24 * days))
            .unwrap_or(ts);
        shifted.strftime("%Y-%m-%d").to_string()
    };
    let since = Timestamp::from_millisecond(since_ms as i64).unwrap_or(Timestamp::UNIX_EPOCH);
    (day(since, -1), day(now, 1))
}

/// The query of every outgoing message from the day before `since_ms` to the day after now
/// (see [`date_range`]).
pub fn outgoing_since(since_ms: u64, now: Timestamp) -> LogQuery {
    let (from_date, to_date) = date_range(since_ms, now);
    LogQuery {
        direction: Some(Direction::Outgoing),
        number: None,
        from_date: Some(from_date),
        to_date: Some(to_date),
    }
}

/// The outgoing message among `entries` that is the send of `message` to `number` made at or
/// after `since_ms` (less [`SKEW_MS`]); the newest when there are several.
pub fn find<'a>(
    entries: &'a [LogEntry],
    number: &str,
    message: &str,
    since_ms: u64,
) -> Option<&'a LogEntry> {
    let number = digits(number);
    entries
        .iter()
        .filter(|e| {
            e.direction != Some(Direction::Incoming)
                && e.number == number
                && e.message == message
                && e.submitted_ms.saturating_add(SKEW_MS) >= since_ms
        })
        .max_by_key(|e| e.submitted_ms)
}

/// What a scan found: the outgoing messages by (number as digits, text), and how many log
/// requests it took.
#[derive(Debug, Default)]
pub struct Found {
    entries: HashMap<(String, String), Vec<LogEntry>>,
    pub requests: u64,
}

impl Found {
    fn add(&mut self, e: LogEntry, tests: &TestSends) {
        if e.direction == Some(Direction::Incoming) || tests.contains(&e.logid) {
            return;
        }
        self.entries
            .entry((e.number.clone(), e.message.clone()))
            .or_default()
            .push(e);
    }

    /// The send of `message` to `number` made at or after `since_ms` (less [`SKEW_MS`]).
    pub fn get(&self, number: &str, message: &str, since_ms: u64) -> Option<&LogEntry> {
        let list = self.entries.get(&(digits(number), message.to_string()))?;
        find(list, number, message, since_ms)
    }
}

/// Looks for the sends of `wanted` (number, text) in the logs since `since_ms`, but the test
/// sends in `tests`, with as few requests as it can (see the module docs).
pub async fn scan(
    http: &HttpClient,
    wanted: &[(&str, &str)],
    since_ms: u64,
    tests: &TestSends,
) -> Result<Found, LogError> {
    let mut found = Found::default();
    if wanted.is_empty() {
        return Ok(found);
    }
    let numbers: HashSet<String> = wanted.iter().map(|(n, _)| digits(n)).collect();
    let span = outgoing_since(since_ms, Timestamp::now());
    let first = logs_page(http, &span, 0).await?;
    found.requests += 1;
    let pages = first
        .total
        .map(|t| t.div_ceil(LOG_PAGE as u64))
        .unwrap_or(u64::MAX);
    if pages.saturating_sub(1) <= numbers.len() as u64 {
        let mut page = first;
        loop {
            for record in &page.records {
                if let Some(e) = LogEntry::parse(record) {
                    found.add(e, tests);
                }
            }
            match page.next {
                Some(Cursor::Offset(from)) => {
                    page = logs_page(http, &span, from).await?;
                    found.requests += 1;
                }
                _ => return Ok(found),
            }
        }
    }
    for number in numbers {
        let query = LogQuery {
            number: Some(number),
            ..span.clone()
        };
        for e in fetch_logs(http, &query).await? {
            found.add(e, tests);
        }
        found.requests += 1;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(number: &str, message: &str, at: u64, dir: Direction) -> LogEntry {
        LogEntry {
            logid: format!("{number}-{at}"),
            number: digits(number),
            message: message.into(),
            direction: Some(dir),
            status: "DELIVERED".into(),
            submitted_ms: at,
            status_description: String::new(),
        }
    }

    #[test]
    fn the_same_text_to_the_same_number_since_the_journal_is_found() {
        let since = 1_000_000_000_000;
        let logs = vec![
            entry(
                "+1 4155550100",
                "Hi",
                since - SKEW_MS - 1,
                Direction::Outgoing,
            ),
            entry("+1 4155550100", "Hi", since + 5, Direction::Outgoing),
            entry("+1 4155550100", "Hi", since + 9, Direction::Incoming),
            entry("+1 4155550100", "Other", since + 10, Direction::Outgoing),
            entry("+1 4155550101", "Hi", since + 11, Direction::Outgoing),
        ];
        let found = find(&logs, "+14155550100", "Hi", since).map(|e| e.logid.as_str());
        assert_eq!(found, Some("+1 4155550100-1000000000005"));
        assert!(find(&logs, "+14155550102", "Hi", since).is_none());
        assert!(find(&logs[..1], "+14155550100", "Hi", since).is_none());
    }

    #[test]
    fn the_date_range_spans_a_day_either_side() {
        let now: Timestamp = "2026-03-10T12:00:00Z".parse().unwrap();
        let since: Timestamp = "2026-03-09T00:30:00Z".parse().unwrap();
        let (from, to) = date_range(since.as_millisecond() as u64, now);
        assert_eq!((from.as_str(), to.as_str()), ("2026-03-08", "2026-03-11"));
    }
}
