//! What an input means, as a hash: the identity of a run's list.
//!
//! A list is known by the rows it holds once read, never by its bytes: the same rows saved
//! again by a spreadsheet (CRLF line ends, a byte-order mark, another encoding, other quoting,
//! the columns in another order, an empty column added) have the same fingerprint, so a
//! campaign or an import of that copy is the same run as the original's. What does change it is
//! what changes a row's meaning or its number: a cell's text (surrounding blanks aside), a
//! column's name, a row added, removed or moved (rows are the journal's keys).
//!
//! The hash walks every row once: for each row that is not blank, its number and its non-empty
//! cells as `(column name, trimmed text)` pairs in column-name order.

use std::hash::Hasher as _;
use std::path::Path;
use std::sync::Arc;

use siphasher::sip128::{Hasher128 as _, SipHasher13};

use crate::checkpoint::InputFingerprint;
use crate::error::{Error, Result};
use crate::source::{self, Schema, SourceOptions, Values};

/// Fixed keys: the hash only has to tell contents apart, it guards nothing.
const KEYS: (u64, u64) = (0x6d65_616e_696e_6721, 0x726f_7773_5f6f_6e6c);

/// Rows read at a time.
const BATCH: usize = 4096;

/// The fingerprint of the input at `path` read with `options`, every row of it (see the
/// module docs). A stop
/// asked for while it reads is [`Error::Interrupted`].
pub fn of_input(path: &str, options: &SourceOptions) -> Result<InputFingerprint> {
    // The whole list, whatever `--limit` says: a later run without it continues the same list.
    let options = SourceOptions {
        limit: None,
        ..options.clone()
    };
    let mut src = source::open(path, &options)?;
    let mut content = Content::default();
    while let Some(batch) = src.next_batch(BATCH)? {
        content.add_batch(&batch.schema, &batch.rows);
        if crate::stop::requested() {
            return Err(Error::Interrupted("stopped while reading the input".into()));
        }
    }
    let canonical = std::fs::canonicalize(Path::new(path))
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| path.to_string());
    Ok(content.finish(canonical))
}

/// The running hash of a list's rows.
pub struct Content {
    hasher: SipHasher13,
    rows: u64,
    /// Column indexes in name order, for the schema they were made for (its length).
    order: Vec<usize>,
    order_for: usize,
    /// A row's cells before sorting, reused.
    cells: Vec<(usize, String)>,
}

impl Default for Content {
    fn default() -> Self {
        Content {
            hasher: SipHasher13::new_with_keys(KEYS.0, KEYS.1),
            rows: 0,
            order: Vec::new(),
            order_for: 0,
            cells: Vec::new(),
        }
    }
}

impl Content {
    /// Adds the rows of one batch, read under `schema`.
    pub fn add_batch(&mut self, schema: &Arc<Schema>, rows: &[source::RawRow]) {
        if self.order_for != schema.columns.len() || self.order.is_empty() {
            self.order = (0..schema.columns.len()).collect();
            self.order
                .sort_by(|&a, &b| schema.columns[a].name.cmp(&schema.columns[b].name));
            self.order_for = schema.columns.len();
        }
        for row in rows {
            self.add_row(schema, row.row, &row.values);
        }
    }

    fn add_row(&mut self, schema: &Schema, number: u64, values: &Values) {
        self.cells.clear();
        for &i in &self.order {
            let text = values.text(i);
            let text = source::trim(&text);
            if !text.is_empty() {
                self.cells.push((i, text.to_string()));
            }
        }
        if self.cells.is_empty() {
            return;
        }
        let h = &mut self.hasher;
        h.write_u64(number);
        h.write_usize(self.cells.len());
        for (i, text) in &self.cells {
            let name = schema.columns[*i].name.trim();
            h.write_usize(name.len());
            h.write(name.as_bytes());
            h.write_usize(text.len());
            h.write(text.as_bytes());
        }
        self.rows += 1;
    }

    /// The fingerprint of the rows added, for the input at `path`.
    pub fn finish(self, path: String) -> InputFingerprint {
        let hash = self.hasher.finish128();
        InputFingerprint {
            path,
            rows: self.rows,
            hash: format!("rows:{:016x}{:016x}", hash.h1, hash.h2),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint(name: &str, bytes: &[u8]) -> InputFingerprint {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        of_input(path.to_str().unwrap(), &SourceOptions::default()).unwrap()
    }

    const LIST: &str = "first_name,mobile,country\nAda,07400 123456,GB\n\nBen,+14155552671,US\n";

    #[test]
    fn a_list_saved_again_by_a_spreadsheet_is_the_same_list() {
        let plain = fingerprint("a.csv", LIST.as_bytes());
        assert_eq!(plain.rows, 2);
        let crlf = LIST.replace('\n', "\r\n");
        assert_eq!(fingerprint("b.csv", crlf.as_bytes()).hash, plain.hash);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(LIST.as_bytes());
        assert_eq!(fingerprint("c.csv", &bom).hash, plain.hash);
        // UTF-16 as Excel writes it.
        let mut utf16 = vec![0xFF, 0xFE];
        for u in LIST.encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(fingerprint("d.csv", &utf16).hash, plain.hash);
        let quoted = "\"first_name\",\"mobile\",\"country\"\n\"Ada\",\"07400 123456\",\"GB\"\n\n\"Ben\",\"+14155552671\",\"US\"\n";
        assert_eq!(fingerprint("e.csv", quoted.as_bytes()).hash, plain.hash);
        let reordered =
            "country;mobile;first_name;notes\nGB;07400 123456;Ada;\n\nUS;+14155552671;Ben; \n";
        assert_eq!(fingerprint("f.csv", reordered.as_bytes()).hash, plain.hash);
    }

    #[test]
    fn what_a_row_says_or_where_it_sits_changes_the_list() {
        let plain = fingerprint("a.csv", LIST.as_bytes()).hash;
        let other_cell = LIST.replace("Ada", "Adam");
        assert_ne!(fingerprint("b.csv", other_cell.as_bytes()).hash, plain);
        let other_column = LIST.replace("country", "region");
        assert_ne!(fingerprint("c.csv", other_column.as_bytes()).hash, plain);
        let moved = "first_name,mobile,country\nBen,+14155552671,US\n\nAda,07400 123456,GB\n";
        assert_ne!(fingerprint("d.csv", moved.as_bytes()).hash, plain);
        // An empty line is no row (the reader skips it); a row of empty cells is one, and
        // the rows after it get other numbers.
        let no_blank = LIST.replace("\n\n", "\n");
        assert_eq!(fingerprint("e.csv", no_blank.as_bytes()).hash, plain);
        let empty_row = LIST.replace("\n\n", "\n,,\n");
        assert_ne!(fingerprint("f.csv", empty_row.as_bytes()).hash, plain);
    }
}
