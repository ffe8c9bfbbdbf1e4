//! The fields of a listed record, packed into one string.
//!
//! An import lists every record of the target before it plans (a million of them is an
//! ordinary account), and holds them all while it runs. As a [`RecordFields`] map a record costs
//! a tree node and two strings per field, about a kilobyte; packed it is one allocation the
//! size of its text. Each field is written as netstrings, `<len>:<name><len>:<value>`, in
//! name order, so that any text (commas, colons, NULs) round-trips.

use std::fmt;

use super::RecordFields;

/// A record's fields, packed: read them with [`PackedFields::get`] and
/// [`PackedFields::iter`], or unpack them with [`PackedFields::to_fields`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PackedFields(Box<str>);

impl PackedFields {
    /// Packs `fields`.
    pub fn new(fields: &RecordFields) -> PackedFields {
        let size: usize = fields.iter().map(|(n, v)| n.len() + v.len() + 8).sum();
        let mut text = String::with_capacity(size);
        for (name, value) in fields {
            push(&mut text, name);
            push(&mut text, value);
        }
        PackedFields(text.into_boxed_str())
    }

    /// The fields in name order.
    pub fn iter(&self) -> Iter<'_> {
        Iter { rest: &self.0 }
    }

    /// The value of field `name`, if the record has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The fields as a map, for comparing with what a row wants.
    pub fn to_fields(&self) -> RecordFields {
        self.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }
}

impl From<RecordFields> for PackedFields {
    fn from(fields: RecordFields) -> PackedFields {
        PackedFields::new(&fields)
    }
}

impl PartialEq<RecordFields> for PackedFields {
    fn eq(&self, other: &RecordFields) -> bool {
        self.iter()
            .eq(other.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    }
}

impl fmt::Debug for PackedFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Appends `s` as a netstring: its length in bytes, a colon, the text.
fn push(text: &mut String, s: &str) {
    use std::fmt::Write;
    let _ = write!(text, "{}:", s.len());
    text.push_str(s);
}

/// Reads one netstring from the front of `rest`: the text, and what follows it.
fn pop(rest: &str) -> Option<(&str, &str)> {
    let (len, tail) = rest.split_once(':')?;
    let len: usize = len.parse().ok()?;
    Some((tail.get(..len)?, tail.get(len..)?))
}

/// The fields of a [`PackedFields`], in name order.
pub struct Iter<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        let (name, rest) = pop(self.rest)?;
        let (value, rest) = pop(rest)?;
        self.rest = rest;
        Some((name, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields(pairs: &[(&str, &str)]) -> RecordFields {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_back_what_it_packed() {
        let f = fields(&[
            ("mobile", "+447400123456"),
            ("first_name", "Ann: 12:x"),
            ("emails", "a@x.io,b@y.io"),
        ]);
        let packed = PackedFields::new(&f);
        assert_eq!(packed.get("first_name"), Some("Ann: 12:x"));
        assert_eq!(packed.get("mobile"), Some("+447400123456"));
        assert_eq!(packed.get("phone"), None);
        assert_eq!(packed.to_fields(), f);
        assert_eq!(packed, f);
        let names: Vec<&str> = packed.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["emails", "first_name", "mobile"]);
        assert_eq!(PackedFields::default().iter().count(), 0);
    }

    #[test]
    fn packs_as_netstrings() {
        let f = fields(&[("mobile", "+447400123456"), ("first_name", "Ann")]);
        assert_eq!(
            &*PackedFields::new(&f).0,
            "10:first_name3:Ann6:mobile13:+447400123456"
        );
    }

    proptest! {
        #[test]
        fn any_text_round_trips(f in proptest::collection::btree_map(".*", ".*", 0..8)) {
            let packed = PackedFields::new(&f);
            prop_assert_eq!(packed.to_fields(), f.clone());
            for (n, v) in &f {
                prop_assert_eq!(packed.get(n), Some(v.as_str()));
            }
        }
    }
}
