//! Match keys: what ties a row of the file to a record of the target, and the index of the
//! target's records by that key.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use crate::connectors::{PackedFields, RemoteRecord};
use crate::contact::Contact;

/// What `--match-by` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchBy {
    /// The row's required phone (E.164) against the record's phones.
    Mobile,
    /// The row's first e-mail against the record's e-mails, ignoring case.
    Email,
    /// The row's record id column against the record's id.
    Id,
}

impl MatchBy {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchBy::Mobile => "mobile",
            MatchBy::Email => "email",
            MatchBy::Id => "id",
        }
    }
}

/// The row's key, or `None` when the row has nothing to match on.
pub fn row_key(contact: &Contact, by: MatchBy) -> Option<String> {
    let key = match by {
        MatchBy::Mobile => contact.primary_phone()?.e164.clone(),
        MatchBy::Email => contact.primary_email()?.trim().to_lowercase(),
        MatchBy::Id => contact.record_id.trim().to_string(),
    };
    (!key.is_empty()).then_some(key)
}

/// Field names that hold phones, and e-mails, across the targets (Zoom keeps lists joined by
/// commas; Voice has numbered slots).
fn is_phone_field(name: &str) -> bool {
    name.starts_with("mobile") || name.starts_with("phone")
}

fn is_email_field(name: &str) -> bool {
    name == "email" || name == "emails"
}

/// Every key a remote record can be found by. A record with two phones is found by either,
/// so that a row whose mobile the record holds as its second number still matches it.
pub fn remote_keys(record: &RemoteRecord, by: MatchBy) -> Vec<String> {
    let from = |pick: fn(&str) -> bool, lower: bool, fields: &PackedFields| -> Vec<String> {
        let mut keys: Vec<String> = fields
            .iter()
            .filter(|(name, _)| pick(name))
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| {
                if lower {
                    v.to_lowercase()
                } else {
                    v.to_string()
                }
            })
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    };
    match by {
        MatchBy::Mobile => from(is_phone_field, false, &record.fields),
        MatchBy::Email => from(is_email_field, true, &record.fields),
        MatchBy::Id => vec![record.id.clone()],
    }
}

/// No further entry in a chain of [`RemoteIndex`].
const END: usize = usize::MAX;

/// The target's records, indexed by parent and key.
///
/// A listing can hold millions of records, so the index keeps no key text of its own: it maps
/// a hash of (parent, key) to a chain of the records that have a key with that hash, and a
/// lookup checks each record of the chain against the key itself.
#[derive(Debug, Default)]
pub struct RemoteIndex {
    by: Option<MatchBy>,
    records: Vec<RemoteRecord>,
    /// The hash of (parent, key) -> the first entry of its chain in `chain`.
    heads: HashMap<u64, usize>,
    /// Entries: (the record, the next entry of the same hash or [`END`]).
    chain: Vec<(usize, usize)>,
    hasher: RandomState,
}

impl RemoteIndex {
    pub fn new(by: MatchBy, records: Vec<RemoteRecord>) -> RemoteIndex {
        let mut index = RemoteIndex::default();
        index.extend(by, records);
        index
    }

    /// Adds records (another parent's, listed later).
    pub fn extend(&mut self, by: MatchBy, records: Vec<RemoteRecord>) {
        self.by = Some(by);
        let first = self.records.len();
        // The first listing is moved in whole, not copied: it can hold millions of records.
        if self.records.is_empty() {
            self.records = records;
        } else {
            self.records.extend(records);
        }
        for i in first..self.records.len() {
            let record = &self.records[i];
            let parent = record.parent.as_deref().unwrap_or_default();
            for key in remote_keys(record, by) {
                let hash = self.hasher.hash_one((parent, key.as_str()));
                let next = self.heads.insert(hash, self.chain.len()).unwrap_or(END);
                self.chain.push((i, next));
            }
        }
    }

    /// The records under `parent` ("" for targets without parents) that `key` finds, in the
    /// order they were listed.
    pub fn find(&self, parent: &str, key: &str) -> Vec<&RemoteRecord> {
        self.positions(parent, key)
            .into_iter()
            .map(|i| &self.records[i])
            .collect()
    }

    /// Where the records [`RemoteIndex::find`] gives are, in [`RemoteIndex::get`]'s order.
    pub fn positions(&self, parent: &str, key: &str) -> Vec<usize> {
        let Some(by) = self.by else {
            return Vec::new();
        };
        let mut found: Vec<usize> = Vec::new();
        let mut at = self
            .heads
            .get(&self.hasher.hash_one((parent, key)))
            .copied()
            .unwrap_or(END);
        while let Some(&(i, next)) = self.chain.get(at) {
            let record = &self.records[i];
            if record.parent.as_deref().unwrap_or_default() == parent
                && remote_keys(record, by).iter().any(|k| k == key)
                && found.last() != Some(&i)
            {
                found.push(i);
            }
            at = next;
        }
        // The chain runs from the last record listed to the first.
        found.reverse();
        found
    }

    /// The record at position `i` (in listing order).
    pub fn get(&self, i: usize) -> Option<&RemoteRecord> {
        self.records.get(i)
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::{RecordFields, put};
    use crate::contact::{Phone, PhoneLabel};

    fn record(id: &str, parent: Option<&str>, fields: &[(&str, &str)]) -> RemoteRecord {
        let mut f = RecordFields::new();
        for (k, v) in fields {
            put(&mut f, k, v);
        }
        RemoteRecord {
            id: id.into(),
            parent: parent.map(str::to_string),
            fields: f.into(),
        }
    }

    #[test]
    fn row_keys_by_each_match() {
        let c = Contact {
            emails: vec![" Ann@Example.COM ".into()],
            phones: vec![Phone {
                e164: "+447400123456".into(),
                label: PhoneLabel::Mobile,
                extension: None,
                is_mobile: None,
            }],
            record_id: "42".into(),
            ..Contact::default()
        };
        assert_eq!(
            row_key(&c, MatchBy::Mobile).as_deref(),
            Some("+447400123456")
        );
        assert_eq!(
            row_key(&c, MatchBy::Email).as_deref(),
            Some("ann@example.com")
        );
        assert_eq!(row_key(&c, MatchBy::Id).as_deref(), Some("42"));
        assert_eq!(row_key(&Contact::default(), MatchBy::Email), None);
        assert_eq!(row_key(&Contact::default(), MatchBy::Id), None);
    }

    #[test]
    fn remote_records_are_found_by_any_phone_or_email() {
        let zoom = record(
            "z1",
            None,
            &[
                ("phone_numbers", "+14054439562,+442071838750"),
                ("emails", "A@x.io"),
            ],
        );
        let voice = record(
            "v1",
            None,
            &[("mobile", "+447400123456"), ("phone_2", "+33612345678")],
        );
        let index = RemoteIndex::new(MatchBy::Mobile, vec![zoom, voice]);
        assert_eq!(index.find("", "+442071838750")[0].id, "z1");
        assert_eq!(index.find("", "+33612345678")[0].id, "v1");
        assert!(index.find("", "+10000000000").is_empty());
        let emails = RemoteIndex::new(
            MatchBy::Email,
            vec![record("z1", None, &[("emails", "A@x.io,b@y.io")])],
        );
        assert_eq!(emails.find("", "a@x.io").len(), 1);
        assert_eq!(emails.find("", "b@y.io").len(), 1);
    }

    #[test]
    fn parents_keep_keys_apart_and_repeats_are_all_found() {
        let a = record("p1", Some("c1"), &[("mobile", "+447400123456")]);
        let b = record("p2", Some("c2"), &[("mobile", "+447400123456")]);
        let c = record("p3", Some("c1"), &[("mobile", "+447400123456")]);
        let index = RemoteIndex::new(MatchBy::Mobile, vec![a, b, c]);
        let ids: Vec<&str> = index
            .find("c1", "+447400123456")
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(ids, ["p1", "p3"]);
        assert_eq!(index.find("c2", "+447400123456").len(), 1);
        assert_eq!(index.len(), 3);
    }

    #[test]
    fn a_hash_shared_by_another_key_finds_nothing() {
        let a = record("p1", None, &[("mobile", "+447400123456")]);
        let mut index = RemoteIndex::new(MatchBy::Mobile, vec![a]);
        // Make "+447400999999" collide with the record's key: its hash leads to the chain.
        let hash = index.hasher.hash_one(("", "+447400999999"));
        index.heads.insert(hash, 0);
        assert!(index.find("", "+447400999999").is_empty());
        assert_eq!(index.find("", "+447400123456").len(), 1);
        // Under another parent the same key is another key.
        let hash = index.hasher.hash_one(("c1", "+447400123456"));
        index.heads.insert(hash, 0);
        assert!(index.find("c1", "+447400123456").is_empty());
    }
}
