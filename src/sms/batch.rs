//! Grouping recipients into send requests: the API takes up to 10 comma-separated numbers per
//! call for one text, so recipients of the same rendered text, the same schedule and the same
//! destination country share a request (a country the account cannot text then fails only
//! its own batch). Groups fill as rows stream in; a full group goes out at once, and the
//! oldest open group goes out when too many are open (personalised texts rarely repeat), so
//! memory stays bounded whatever the input.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::sms::api::Schedule;

use super::recipient::Recipient;

/// Groups open at once before the oldest is sent as it is.
pub const MAX_OPEN: usize = 256;

/// What recipients of one request share.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BatchKey {
    pub message: Arc<str>,
    pub schedule: Option<Schedule>,
    pub region: String,
}

impl BatchKey {
    pub fn of(r: &Recipient) -> BatchKey {
        BatchKey {
            message: Arc::clone(&r.message),
            schedule: r.schedule.clone(),
            region: r.region.clone(),
        }
    }
}

/// Recipients sent in one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub recipients: Vec<Recipient>,
}

impl Batch {
    pub fn rows(&self) -> Vec<u64> {
        self.recipients.iter().map(|r| r.row).collect()
    }

    pub fn numbers(&self) -> Vec<String> {
        self.recipients.iter().map(|r| r.number.clone()).collect()
    }

    /// The text, schedule and region every recipient shares (those of the first).
    pub fn first(&self) -> Option<&Recipient> {
        self.recipients.first()
    }

    /// One batch per recipient.
    pub fn split(self) -> Vec<Batch> {
        self.recipients
            .into_iter()
            .map(|r| Batch {
                recipients: vec![r],
            })
            .collect()
    }
}

/// Fills batches of at most `size` recipients.
#[derive(Debug)]
pub struct Batcher {
    size: usize,
    open: HashMap<BatchKey, Vec<Recipient>>,
    /// Keys in the order their group opened.
    order: VecDeque<BatchKey>,
}

impl Batcher {
    /// `size` is clamped to 1..=10.
    pub fn new(size: usize) -> Batcher {
        Batcher {
            size: size.clamp(1, crate::sms::api::MAX_NUMBERS),
            open: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Adds a recipient; returns the batches that are ready to send.
    pub fn push(&mut self, r: Recipient) -> Vec<Batch> {
        let key = BatchKey::of(&r);
        let mut ready = Vec::new();
        let group = match self.open.get_mut(&key) {
            Some(g) => g,
            None => {
                if self.open.len() >= MAX_OPEN
                    && let Some(oldest) = self.order.pop_front()
                    && let Some(g) = self.open.remove(&oldest)
                {
                    ready.push(Batch { recipients: g });
                }
                self.order.push_back(key.clone());
                self.open.entry(key.clone()).or_default()
            }
        };
        group.push(r);
        if group.len() >= self.size {
            let recipients = std::mem::take(group);
            self.open.remove(&key);
            self.order.retain(|k| k != &key);
            ready.push(Batch { recipients });
        }
        ready
    }

    /// Every group still open, oldest first.
    pub fn finish(&mut self) -> Vec<Batch> {
        let mut out = Vec::new();
        while let Some(key) = self.order.pop_front() {
            if let Some(recipients) = self.open.remove(&key) {
                out.push(Batch { recipients });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::segments;

    fn r(row: u64, message: &str, region: &str) -> Recipient {
        Recipient {
            row,
            number: format!("+4474001{row:05}"),
            region: region.into(),
            message: Arc::from(message),
            segments: segments::count(message),
            schedule: None,
        }
    }

    /// Pushes a GB recipient of `text(row)` for each of `rows`; the batches sent on the way.
    fn push_rows(
        b: &mut Batcher,
        rows: impl IntoIterator<Item = u64>,
        text: impl Fn(u64) -> String,
    ) -> Vec<Batch> {
        let mut sent = Vec::new();
        for row in rows {
            sent.extend(b.push(r(row, &text(row), "GB")));
        }
        sent
    }

    #[test]
    fn one_text_fills_batches_of_the_size() {
        let mut b = Batcher::new(10);
        let sent = push_rows(&mut b, 1..=25, |_| "same".into());
        assert_eq!(sent.len(), 2);
        assert!(sent.iter().all(|s| s.recipients.len() == 10));
        let rest = b.finish();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].rows(), (21..=25).collect::<Vec<_>>());
    }

    #[test]
    fn texts_regions_and_schedules_do_not_mix() {
        let mut b = Batcher::new(10);
        assert!(b.push(r(1, "a", "GB")).is_empty());
        assert!(b.push(r(2, "b", "GB")).is_empty());
        assert!(b.push(r(3, "a", "US")).is_empty());
        let mut later = r(4, "a", "GB");
        later.schedule = Some(Schedule {
            time: "2026-01-01 09:00:00".into(),
            zone: "Europe/London".into(),
        });
        assert!(b.push(later).is_empty());
        assert!(b.push(r(5, "a", "GB")).is_empty());
        let rest = b.finish();
        let rows: Vec<Vec<u64>> = rest.iter().map(Batch::rows).collect();
        assert_eq!(rows, vec![vec![1, 5], vec![2], vec![3], vec![4]]);
    }

    #[test]
    fn the_size_is_clamped_and_open_groups_are_bounded() {
        let mut b = Batcher::new(50);
        let sent = push_rows(&mut b, 1..=10, |_| "x".into());
        assert_eq!(sent.len(), 1);
        let mut b = Batcher::new(0);
        assert_eq!(b.push(r(1, "x", "GB")).len(), 1);

        let mut b = Batcher::new(10);
        let sent = push_rows(&mut b, 0..(MAX_OPEN as u64 + 5), |row| format!("m{row}"));
        assert_eq!(sent.len(), 5);
        assert_eq!(sent[0].rows(), vec![0]);
        assert_eq!(b.finish().len(), MAX_OPEN);
    }
}
