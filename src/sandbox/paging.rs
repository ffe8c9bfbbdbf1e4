//! Pages by position (`from`/`size`, `page`/`per_page`) in linear time.
//!
//! Zoho's list endpoints page by position among the records in id order. Counting from the
//! first record on every page makes a listing of N records quadratic, which a sandbox of a
//! million records cannot afford. A [`Positions`] remembers where the last page ended, so that
//! the next page in turn starts from that record's id. New records get larger ids and go
//! last, so only a delete moves positions: it forgets the place ([`Positions::forget`]).

use std::collections::BTreeMap;

/// Where the last page of one listing ended.
#[derive(Debug, Default)]
pub struct Positions {
    /// (the listing: a Books contact, 0 where there is one listing; the position the next
    /// page starts at; the id of the record at that position).
    next: Option<(u64, usize, u64)>,
}

impl Positions {
    /// A record was deleted: every later position moved.
    pub fn forget(&mut self) {
        self.next = None;
    }

    /// The ids of the records of `records` that `keep` keeps, at positions
    /// `start..=start + size` among them in id order: a page and one more, which tells whether
    /// more follow. `listing` names which listing this is (a Books contact; 0 for Voice).
    pub fn page<T>(
        &mut self,
        records: &BTreeMap<u64, T>,
        listing: u64,
        keep: impl Fn(&T) -> bool,
        start: usize,
        size: usize,
    ) -> Vec<u64> {
        let kept = |(&id, r): (&u64, &T)| keep(r).then_some(id);
        let ids: Vec<u64> = match self.next {
            Some((l, at, id)) if l == listing && at == start => records
                .range(id..)
                .filter_map(kept)
                .take(size + 1)
                .collect(),
            _ => records
                .iter()
                .filter_map(kept)
                .skip(start)
                .take(size + 1)
                .collect(),
        };
        self.next = ids.get(size).map(|&id| (listing, start + size, id));
        ids
    }
}
