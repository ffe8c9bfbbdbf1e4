//! Dedupe: compact keys, and the policies that decide which of a set of repeats is kept.
//!
//! `--keep first` streams: a row is kept or dropped the moment it is seen. `--keep last` and
//! `--keep merge` cannot know a row's fate until the end, so clean rows are spooled to a
//! temporary file ([`spool`]) and replayed in their original order once every key has been
//! seen. Memory
//! holds one small entry per key either way (plus, for merge, the values duplicates bring).

mod spool;

use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::contact::Contact;
use crate::error::Result;
use crate::source::{Cell, Values};
use crate::transform::{Clean, Processed, Verdict};

use self::spool::{SpoolWriter, Spooled};

pub use crate::keys::{DedupeBy, Key, key, key_of};

/// Which row of a set of duplicates is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Keep {
    First,
    Last,
    /// The first row, with its empty fields filled from its duplicates.
    Merge,
}

/// What the dedupe stage decided for a clean row.
#[derive(Debug)]
pub enum Decision {
    /// Kept; `fills` are extra cell rewrites merged in from its duplicates.
    Kept(Processed),
    /// Dropped as a duplicate of the row `of`.
    Dropped { row: Processed, of: u64 },
}

/// The dedupe stage.
pub struct Deduper {
    keep: Keep,
    /// First (or, for `Last`, latest) row number seen per key.
    seen: Seen,
    /// For `Merge`: cells and contact fields brought by duplicates, per key.
    fills: FxHashMap<Key, (Vec<(usize, Cell)>, Contact)>,
    spool: Option<SpoolWriter>,
}

impl Deduper {
    pub fn new(by: DedupeBy, keep: Keep) -> Result<Self> {
        let spool = if by != DedupeBy::None && keep != Keep::First {
            Some(SpoolWriter::create()?)
        } else {
            None
        };
        Ok(Deduper {
            keep,
            seen: Seen::default(),
            fills: FxHashMap::default(),
            spool,
        })
    }

    /// The decision on a row when it can be made without holding the row (every row but the
    /// clean rows of `--keep last` and `--keep merge`, which wait in the spool):
    /// `Some(None)` kept, `Some(Some(of))` a duplicate of row `of`; `None` when the row must go
    /// through [`Deduper::push`]. The row stays where it is: the writer moves each row once
    /// instead of four times.
    pub fn decide_now(&mut self, p: &Processed) -> Option<Option<u64>> {
        let Verdict::Clean(clean) = &p.outcome else {
            return Some(None);
        };
        if self.spool.is_some() {
            return None;
        }
        // No spool: `--keep first`, or no dedupe (no keys).
        Some(clean.key.and_then(|k| self.seen.first(k, p.raw.row)))
    }

    /// Takes a clean row; calls `emit` with every decision that can be made now.
    pub fn push(
        &mut self,
        p: Processed,
        emit: &mut impl FnMut(Decision) -> Result<()>,
    ) -> Result<()> {
        if let Some(decided) = self.decide_now(&p) {
            return emit(match decided {
                None => Decision::Kept(p),
                Some(of) => Decision::Dropped { row: p, of },
            });
        }
        // A clean row of `--keep last` or `--keep merge`.
        let Verdict::Clean(clean) = &p.outcome else {
            return emit(Decision::Kept(p));
        };
        let Some(k) = clean.key else {
            return self.spool_row(&p, None);
        };
        let row = p.raw.row;
        match self.keep {
            // (`--keep first` keeps no spool: its rows never come here.)
            Keep::First | Keep::Last => {
                self.seen.insert(k, row);
                self.spool_row(&p, Some(k))
            }
            Keep::Merge => match self.seen.first(k, row) {
                Some(of) => {
                    let (cells, contact) = self.fills.entry(k).or_default();
                    for (i, cell) in effective_cells(&p.raw.values, &clean.rewrites) {
                        if !cells.iter().any(|(j, _)| *j == i) {
                            cells.push((i, cell));
                        }
                    }
                    fill_contact(contact, clean.contact());
                    emit(Decision::Dropped { of, row: p })
                }
                None => self.spool_row(&p, Some(k)),
            },
        }
    }

    fn spool_row(&mut self, p: &Processed, key: Option<Key>) -> Result<()> {
        match &mut self.spool {
            Some(spool) => spool.push(p, key),
            None => Ok(()),
        }
    }

    /// Emits the decisions held back until every key was seen (`last` and `merge`). The spool
    /// is read back on a thread of its own, a chunk ahead of the decisions and their writing.
    pub fn finish(mut self, emit: &mut impl FnMut(Decision) -> Result<()>) -> Result<()> {
        let Some(spool) = self.spool.take() else {
            return Ok(());
        };
        let mut spooled = spool.into_reader()?;
        std::thread::scope(|scope| {
            let (tx, rx) = crossbeam_channel::bounded(2);
            scope.spawn(move || {
                loop {
                    let next = spooled.next_chunk();
                    let last = !matches!(next, Ok(Some(_)));
                    // A closed channel: the decisions stopped on an error, reported there.
                    if tx.send(next).is_err() || last {
                        return;
                    }
                }
            });
            for chunk in rx {
                let Some(chunk) = chunk? else {
                    break;
                };
                for Spooled { key, row } in chunk {
                    self.decide(key, row, emit)?;
                }
            }
            Ok(())
        })
    }

    /// The decision on a spooled row.
    fn decide(
        &mut self,
        key: Option<Key>,
        mut p: Processed,
        emit: &mut impl FnMut(Decision) -> Result<()>,
    ) -> Result<()> {
        match (key, self.keep) {
            (Some(k), Keep::Last) => {
                let last = self.seen.get(k).unwrap_or(p.raw.row);
                if last != p.raw.row {
                    return emit(Decision::Dropped { row: p, of: last });
                }
            }
            (Some(k), Keep::Merge) => {
                if let (Some((cells, contact)), Verdict::Clean(clean)) =
                    (self.fills.remove(&k), &mut p.outcome)
                {
                    apply_fills(&p.raw.values, clean, cells);
                    fill_contact(clean.contact_mut(), &contact);
                }
            }
            _ => {}
        }
        emit(Decision::Kept(p))
    }
}

/// Row numbers by key. A phone key ([`crate::keys::key_of_number`]: the top bit, then the
/// number) is held as its 64-bit number: half the memory of a 128-bit key, and fewer cache
/// misses on a table of millions.
#[derive(Default)]
struct Seen {
    phones: FxHashMap<u64, u64>,
    hashes: FxHashMap<Key, u64>,
}

/// The number of a phone key, `None` for any other key.
fn phone_of(k: Key) -> Option<u64> {
    (k >> 64 == 1 << 63).then_some(k as u64)
}

impl Seen {
    /// The row `k` was first seen on; else records `row` as that row.
    fn first(&mut self, k: Key, row: u64) -> Option<u64> {
        match phone_of(k) {
            Some(n) => first_in(&mut self.phones, n, row),
            None => first_in(&mut self.hashes, k, row),
        }
    }

    /// Records `row` as the latest row of `k`.
    fn insert(&mut self, k: Key, row: u64) {
        match phone_of(k) {
            Some(n) => self.phones.insert(n, row),
            None => self.hashes.insert(k, row),
        };
    }

    fn get(&self, k: Key) -> Option<u64> {
        match phone_of(k) {
            Some(n) => self.phones.get(&n).copied(),
            None => self.hashes.get(&k).copied(),
        }
    }
}

fn first_in<K: std::hash::Hash + Eq>(map: &mut FxHashMap<K, u64>, k: K, row: u64) -> Option<u64> {
    match map.entry(k) {
        Entry::Occupied(e) => Some(*e.get()),
        Entry::Vacant(e) => {
            e.insert(row);
            None
        }
    }
}

/// The non-empty cells of a row as they will be written (rewrites applied).
fn effective_cells(values: &Values, rewrites: &[(usize, Cell)]) -> Vec<(usize, Cell)> {
    let n = match values {
        Values::Csv(r) => r.len(),
        Values::Json { cells, .. } => cells.len(),
    };
    let mut out: Vec<(usize, Cell)> = (0..n)
        .filter_map(|i| {
            let cell = match values {
                Values::Csv(r) => Cell::Text(r.get(i)?.to_string()),
                Values::Json { cells, .. } => cells.get(i)?.clone()?,
            };
            Some((i, cell))
        })
        .collect();
    for (i, c) in rewrites {
        match out.iter_mut().find(|(j, _)| j == i) {
            Some(slot) => slot.1 = c.clone(),
            None => out.push((*i, c.clone())),
        }
    }
    out.retain(|(_, c)| !c.is_empty());
    out
}

/// Adds to `clean.rewrites` the fills for cells that are empty in the kept row.
fn apply_fills(values: &Values, clean: &mut Clean, fills: Vec<(usize, Cell)>) {
    let present = effective_cells(values, &clean.rewrites);
    for (i, cell) in fills {
        if !present.iter().any(|(j, _)| *j == i) {
            clean.rewrites.push((i, cell));
        }
    }
}

/// Fills the empty fields of `into` from `from`.
fn fill_contact(into: &mut Contact, from: &Contact) {
    for (a, b) in [
        (&mut into.first_name, &from.first_name),
        (&mut into.last_name, &from.last_name),
        (&mut into.company, &from.company),
        (&mut into.job_title, &from.job_title),
        (&mut into.street, &from.street),
        (&mut into.city, &from.city),
        (&mut into.state, &from.state),
        (&mut into.postal_code, &from.postal_code),
        (&mut into.country, &from.country),
        (&mut into.notes, &from.notes),
    ] {
        if a.is_empty() {
            a.clone_from(b);
        }
    }
    for e in &from.emails {
        if !into.emails.iter().any(|x| x.eq_ignore_ascii_case(e)) {
            into.emails.push(e.clone());
        }
    }
    for p in &from.phones {
        if !into.phones.iter().any(|x| x.e164 == p.e164) {
            into.phones.push(p.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{Phone, PhoneLabel};
    use crate::source::RawRow;

    fn row(n: u64, phone: &str, email: &str, city: &str) -> Processed {
        let contact = Contact {
            phones: vec![Phone {
                e164: phone.into(),
                label: PhoneLabel::Mobile,
                extension: None,
                is_mobile: None,
            }],
            emails: if email.is_empty() {
                vec![]
            } else {
                vec![email.into()]
            },
            city: city.into(),
            ..Contact::default()
        };
        Processed {
            raw: RawRow {
                row: n,
                values: Values::Csv([phone, email, city].into_iter().collect()),
                problem: None,
            },
            outcome: Verdict::Clean(Clean::new(contact, vec![], None)),
        }
    }

    fn run(
        by: DedupeBy,
        keep: Keep,
        rows: Vec<Processed>,
    ) -> (Vec<u64>, Vec<(u64, u64)>, Vec<Processed>) {
        let mut d = Deduper::new(by, keep).unwrap();
        let mut kept = Vec::new();
        let mut dropped = Vec::new();
        let mut kept_rows = Vec::new();
        let mut emit = |dec: Decision| {
            match dec {
                Decision::Kept(p) => {
                    kept.push(p.raw.row);
                    kept_rows.push(p);
                }
                Decision::Dropped { row, of } => dropped.push((row.raw.row, of)),
            }
            Ok(())
        };
        for mut r in rows {
            // The transform computes each clean row's key.
            if let Verdict::Clean(c) = &mut r.outcome {
                c.key = key(c.contact(), by);
            }
            d.push(r, &mut emit).unwrap();
        }
        d.finish(&mut emit).unwrap();
        (kept, dropped, kept_rows)
    }

    fn sample() -> Vec<Processed> {
        vec![
            row(1, "+447911123456", "a@x.com", ""),
            row(2, "+447911123457", "B@x.com", "Leeds"),
            row(3, "+447911123456", "c@x.com", "York"),
            row(4, "+447911123458", " b@X.com ", "Hull"),
        ]
    }

    #[test]
    fn keeps_and_drops_the_sample_by_key_and_policy() {
        // (by, keep, kept rows, dropped (row, of)).
        let cases = [
            (DedupeBy::Mobile, Keep::First, vec![1, 2, 4], vec![(3, 1)]),
            // The email key ignores case and spaces.
            (DedupeBy::Email, Keep::First, vec![1, 2, 3], vec![(4, 2)]),
            // Mobile and email: a duplicate needs both.
            (DedupeBy::MobileEmail, Keep::First, vec![1, 2, 3, 4], vec![]),
            (DedupeBy::None, Keep::First, vec![1, 2, 3, 4], vec![]),
            // Keeping the last keeps the rows' order.
            (DedupeBy::Mobile, Keep::Last, vec![2, 3, 4], vec![(1, 3)]),
        ];
        for (by, keep, kept, dropped) in cases {
            let (got_kept, got_dropped, _) = run(by, keep, sample());
            assert_eq!(got_kept, kept, "{by:?} {keep:?}");
            assert_eq!(got_dropped, dropped, "{by:?} {keep:?}");
        }
    }

    #[test]
    fn merge_fills_empty_fields_of_the_first() {
        let (kept, dropped, rows) = run(DedupeBy::Mobile, Keep::Merge, sample());
        assert_eq!(kept, vec![1, 2, 4]);
        assert_eq!(dropped, vec![(3, 1)]);
        let Verdict::Clean(c) = &rows[0].outcome else {
            panic!()
        };
        assert_eq!(c.contact().city, "York");
        assert!(c.rewrites.contains(&(2, Cell::Text("York".into()))));
        // The kept row's own e-mail is not overwritten.
        assert!(!c.rewrites.iter().any(|(i, _)| *i == 1));
    }

    #[test]
    fn phone_keys_and_hashed_keys_never_meet() {
        let mut seen = Seen::default();
        let phone = crate::keys::key_of_number(Some(447911123456), None, DedupeBy::Mobile).unwrap();
        let email = crate::keys::key_of_number(None, Some("a@x.com"), DedupeBy::Email).unwrap();
        // A hash whose low half is the phone's number is another key.
        let lookalike = phone & !(1 << 127);
        assert_eq!(seen.first(phone, 1), None);
        assert_eq!(seen.first(email, 2), None);
        assert_eq!(seen.first(lookalike, 3), None);
        assert_eq!(seen.first(phone, 4), Some(1));
        assert_eq!(seen.first(lookalike, 5), Some(3));
        seen.insert(phone, 6);
        assert_eq!(seen.get(phone), Some(6));
        assert_eq!(seen.get(email), Some(2));
        assert_eq!(seen.get(u128::MAX), None);
    }
}
