//! The dedupe spool: clean rows held on disk while `--keep last` and `--keep merge` wait for
//! every key, in a compact binary record per row so that writing and reading them back costs
//! little more than copying their bytes. A CSV row is its field text and where each field ends;
//! rows read back share one block of text per chunk, as the CSV reader's rows do. JSON records
//! and the contact (empty for `clean`) are kept as JSON inside the record.
//!
//! A record, little-endian: row `u64`; flags `u8` (1 key, 2 JSON values, 4 contact); the key
//! `u128` when flagged; the values (CSV: field count `u32`, each field's end `u32`, the text;
//! JSON: a length-prefixed JSON text); the rewrites (count `u32`, each: column `u32`, tag `u8`,
//! a text or a counted list of texts); the contact as a length-prefixed JSON text when flagged.
//! A text is its length `u32` and its UTF-8 bytes.

use std::fs::File;
use std::io::{BufReader, BufWriter, ErrorKind, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

use crate::contact::Contact;
use crate::error::{Error, Result};
use crate::keys::Key;
use crate::source::{Block, Cell, Fields, RawRow, Values};
use crate::transform::{Clean, Processed, Verdict};

/// Rows read back per chunk (one shared block of text each).
const CHUNK_ROWS: usize = 4096;

const HAS_KEY: u8 = 1;
const JSON: u8 = 2;
const HAS_CONTACT: u8 = 4;

const WHAT: &str = "the dedupe spool";

fn write_err(e: std::io::Error) -> Error {
    Error::io("cannot write", WHAT, e)
}

fn read_err(e: std::io::Error) -> Error {
    Error::io("cannot read back", WHAT, e)
}

fn corrupt(what: &str) -> Error {
    read_err(std::io::Error::new(
        ErrorKind::InvalidData,
        what.to_string(),
    ))
}

/// Rows written to a temporary file (removed by the system when it is closed).
pub struct SpoolWriter {
    out: BufWriter<File>,
    /// One record, built before it is written.
    buf: Vec<u8>,
}

impl SpoolWriter {
    pub fn create() -> Result<SpoolWriter> {
        let f = tempfile::tempfile()
            .map_err(|e| Error::io("cannot create", "a temporary spool file", e))?;
        Ok(SpoolWriter {
            out: BufWriter::with_capacity(1 << 20, f),
            buf: Vec::with_capacity(256),
        })
    }

    /// Appends a clean row (any other row is spooled as clean, with no contact or rewrites).
    pub fn push(&mut self, p: &Processed, key: Option<Key>) -> Result<()> {
        let buf = &mut self.buf;
        buf.clear();
        let (contact, rewrites) = match &p.outcome {
            Verdict::Clean(c) => (c.contact.as_deref(), c.rewrites.as_slice()),
            _ => (None, &[][..]),
        };
        let contact = contact.filter(|c| **c != Contact::default());
        let mut flags = 0;
        if key.is_some() {
            flags |= HAS_KEY;
        }
        if matches!(p.raw.values, Values::Json { .. }) {
            flags |= JSON;
        }
        if contact.is_some() {
            flags |= HAS_CONTACT;
        }
        buf.extend_from_slice(&p.raw.row.to_le_bytes());
        buf.push(flags);
        if let Some(k) = key {
            buf.extend_from_slice(&k.to_le_bytes());
        }
        match &p.raw.values {
            Values::Csv(fields) => {
                put_u32(buf, fields.len())?;
                let mut end = 0;
                for f in fields.iter() {
                    end += f.len();
                    put_u32(buf, end)?;
                }
                for f in fields.iter() {
                    buf.extend_from_slice(f.as_bytes());
                }
            }
            Values::Json { cells, original } => {
                let json =
                    serde_json::to_vec(&(cells, original)).map_err(|e| write_err(e.into()))?;
                put_bytes(buf, &json)?;
            }
        }
        put_u32(buf, rewrites.len())?;
        for (col, cell) in rewrites {
            put_u32(buf, *col)?;
            match cell {
                Cell::Text(s) => {
                    buf.push(0);
                    put_bytes(buf, s.as_bytes())?;
                }
                Cell::List(items) => {
                    buf.push(1);
                    put_u32(buf, items.len())?;
                    for s in items {
                        put_bytes(buf, s.as_bytes())?;
                    }
                }
            }
        }
        if let Some(c) = contact {
            let json = serde_json::to_vec(c).map_err(|e| write_err(e.into()))?;
            put_bytes(buf, &json)?;
        }
        self.out.write_all(buf).map_err(write_err)
    }

    /// Ends writing; the rows are read back from the start, in the order they were pushed.
    pub fn into_reader(self) -> Result<SpoolReader> {
        let mut file = self
            .out
            .into_inner()
            .map_err(|e| write_err(e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(read_err)?;
        Ok(SpoolReader {
            input: BufReader::with_capacity(1 << 20, file),
            text: Vec::new(),
        })
    }
}

fn put_u32(buf: &mut Vec<u8>, n: usize) -> Result<()> {
    let n = u32::try_from(n)
        .map_err(|_| write_err(std::io::Error::other("a row too large to spool (4 GiB)")))?;
    buf.extend_from_slice(&n.to_le_bytes());
    Ok(())
}

fn put_bytes(buf: &mut Vec<u8>, bytes: &[u8]) -> Result<()> {
    put_u32(buf, bytes.len())?;
    buf.extend_from_slice(bytes);
    Ok(())
}

/// A spooled row read back, with its key.
pub struct Spooled {
    pub key: Option<Key>,
    pub row: Processed,
}

/// Reads a spool back in chunks of rows.
pub struct SpoolReader {
    input: BufReader<File>,
    /// Scratch space for one row's text.
    text: Vec<u8>,
}

/// A record read back, its CSV text not yet shared.
struct Record {
    row: u64,
    key: Option<Key>,
    values: Pending,
    rewrites: Vec<(usize, Cell)>,
    /// Spooled only when not empty.
    contact: Option<Box<Contact>>,
}

/// A row's values before its block is shared.
enum Pending {
    /// A CSV row: its place in the chunk's block, or its own fields when the block was full.
    Csv(crate::source::Span),
    Own(Values),
}

impl SpoolReader {
    /// The next rows, in the order they were spooled; `None` at the end.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<Spooled>>> {
        let mut block = Block::default();
        let mut pending = Vec::new();
        while pending.len() < CHUNK_ROWS {
            let Some(record) = self.read_record(&mut block)? else {
                break;
            };
            pending.push(record);
        }
        if pending.is_empty() {
            return Ok(None);
        }
        let block = Arc::new(block);
        let rows = pending
            .into_iter()
            .map(|r| {
                let Record {
                    row,
                    key,
                    values,
                    rewrites,
                    contact,
                } = r;
                let values = match values {
                    Pending::Csv(span) => Values::Csv(Fields::of(&block, span)),
                    Pending::Own(v) => v,
                };
                Spooled {
                    key,
                    row: Processed {
                        raw: RawRow {
                            row,
                            values,
                            problem: None,
                        },
                        outcome: Verdict::Clean(Clean {
                            contact,
                            rewrites,
                            key,
                            ..Clean::default()
                        }),
                    },
                }
            })
            .collect();
        Ok(Some(rows))
    }

    fn read_record(&mut self, block: &mut Block) -> Result<Option<Record>> {
        let mut head = [0u8; 9];
        match self.input.read_exact(&mut head[..1]) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(read_err(e)),
        }
        self.input.read_exact(&mut head[1..]).map_err(read_err)?;
        let row = u64::from_le_bytes(head[..8].try_into().unwrap_or_default());
        let flags = head[8];
        let key = if flags & HAS_KEY != 0 {
            let mut k = [0u8; 16];
            self.input.read_exact(&mut k).map_err(read_err)?;
            Some(u128::from_le_bytes(k))
        } else {
            None
        };
        let values = if flags & JSON != 0 {
            let bytes = self.bytes()?;
            let (cells, original) =
                serde_json::from_slice(&bytes).map_err(|e| read_err(e.into()))?;
            Pending::Own(Values::Json { cells, original })
        } else {
            let n = self.u32()?;
            let mut ends = Vec::with_capacity(n.min(1 << 16));
            for _ in 0..n {
                ends.push(self.u32()?);
            }
            let len = ends.last().copied().unwrap_or(0);
            if ends.windows(2).any(|w| w[0] > w[1]) {
                return Err(corrupt("field ends out of order"));
            }
            let text = self.text_of(len)?;
            match block.push_joined(text, ends.iter().copied()) {
                Some(span) => Pending::Csv(span),
                None => {
                    let mut start = 0;
                    let fields: Fields = ends
                        .iter()
                        .map(|&e| {
                            let f = text.get(start..e).unwrap_or("");
                            start = e;
                            f
                        })
                        .collect();
                    Pending::Own(Values::Csv(fields))
                }
            }
        };
        let count = self.u32()?;
        let mut rewrites = Vec::with_capacity(count.min(1 << 16));
        for _ in 0..count {
            let col = self.u32()?;
            let mut tag = [0u8; 1];
            self.input.read_exact(&mut tag).map_err(read_err)?;
            let cell = match tag[0] {
                0 => Cell::Text(self.string()?),
                1 => {
                    let n = self.u32()?;
                    let mut items = Vec::with_capacity(n.min(1 << 16));
                    for _ in 0..n {
                        items.push(self.string()?);
                    }
                    Cell::List(items)
                }
                _ => return Err(corrupt("an unknown cell tag")),
            };
            rewrites.push((col, cell));
        }
        let contact = if flags & HAS_CONTACT != 0 {
            let bytes = self.bytes()?;
            Some(serde_json::from_slice(&bytes).map_err(|e| read_err(e.into()))?)
        } else {
            None
        };
        Ok(Some(Record {
            row,
            key,
            values,
            rewrites,
            contact,
        }))
    }

    fn u32(&mut self) -> Result<usize> {
        let mut b = [0u8; 4];
        self.input.read_exact(&mut b).map_err(read_err)?;
        Ok(u32::from_le_bytes(b) as usize)
    }

    /// `len` bytes of UTF-8 text, in the scratch buffer.
    fn text_of(&mut self, len: usize) -> Result<&str> {
        self.text.clear();
        self.text.resize(len, 0);
        self.input.read_exact(&mut self.text).map_err(read_err)?;
        std::str::from_utf8(&self.text).map_err(|_| corrupt("text that is not UTF-8"))
    }

    fn bytes(&mut self) -> Result<Vec<u8>> {
        let len = self.u32()?;
        let mut b = vec![0u8; len];
        self.input.read_exact(&mut b).map_err(read_err)?;
        Ok(b)
    }

    fn string(&mut self) -> Result<String> {
        String::from_utf8(self.bytes()?).map_err(|_| corrupt("text that is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{Phone, PhoneLabel};

    fn clean(
        row: u64,
        values: Values,
        rewrites: Vec<(usize, Cell)>,
        contact: Contact,
    ) -> Processed {
        Processed {
            raw: RawRow {
                row,
                values,
                problem: None,
            },
            outcome: Verdict::Clean(Clean::new(contact, rewrites, None)),
        }
    }

    fn parts(p: &Processed) -> (u64, String, Vec<(usize, Cell)>, Contact) {
        let Verdict::Clean(c) = &p.outcome else {
            panic!("not clean")
        };
        (
            p.raw.row,
            format!("{:?}", p.raw.values),
            c.rewrites.clone(),
            c.contact().clone(),
        )
    }

    #[test]
    fn rows_come_back_as_they_went_in() {
        let contact = Contact {
            city: "Leeds".into(),
            phones: vec![Phone {
                e164: "+447911123456".into(),
                label: PhoneLabel::Mobile,
                extension: Some("12".into()),
                is_mobile: Some(true),
            }],
            ..Contact::default()
        };
        let json: serde_json::Value = serde_json::json!({"phone": ["1", "2"], "n": 3});
        let rows = vec![
            (
                clean(
                    1,
                    Values::Csv(vec!["Zoë", "", "+44 7911, \"x\"", ""].into()),
                    vec![(2, Cell::Text("+447911123456".into()))],
                    Contact::default(),
                ),
                Some(u128::MAX - 7),
            ),
            (
                clean(2, Values::Csv(Fields::new()), vec![], contact.clone()),
                None,
            ),
            (
                clean(
                    7,
                    Values::Json {
                        cells: vec![None, Some(Cell::List(vec!["1".into(), "2".into()]))],
                        original: Box::new(json),
                    },
                    vec![(1, Cell::List(vec!["+1".into(), "".into()]))],
                    contact,
                ),
                Some(3),
            ),
        ];
        // Enough rows to take more than one chunk.
        let many: Vec<(Processed, Option<Key>)> = (0..CHUNK_ROWS as u64 + 10)
            .map(|i| {
                let f = format!("row {i}");
                (
                    clean(
                        100 + i,
                        Values::Csv(vec![f.as_str(), "é"].into()),
                        vec![],
                        Contact::default(),
                    ),
                    Some(u128::from(i)),
                )
            })
            .collect();
        let all: Vec<_> = rows.into_iter().chain(many).collect();
        let mut spool = SpoolWriter::create().unwrap();
        for (p, k) in &all {
            spool.push(p, *k).unwrap();
        }
        let mut reader = spool.into_reader().unwrap();
        let mut back = Vec::new();
        while let Some(chunk) = reader.next_chunk().unwrap() {
            back.extend(chunk);
        }
        assert_eq!(back.len(), all.len());
        for ((p, k), s) in all.iter().zip(&back) {
            assert_eq!(s.key, *k);
            assert_eq!(parts(&s.row), parts(p));
        }
    }

    #[test]
    fn a_truncated_spool_is_an_error_not_a_panic() {
        let mut spool = SpoolWriter::create().unwrap();
        let p = clean(
            1,
            Values::Csv(vec!["a", "b"].into()),
            vec![],
            Contact::default(),
        );
        spool.push(&p, Some(1)).unwrap();
        let mut file = spool.out.into_inner().unwrap();
        let len = file.seek(SeekFrom::End(0)).unwrap();
        file.set_len(len - 1).unwrap();
        file.seek(SeekFrom::Start(0)).unwrap();
        let mut reader = SpoolReader {
            input: BufReader::new(file),
            text: Vec::new(),
        };
        assert!(reader.next_chunk().is_err());
    }
}
