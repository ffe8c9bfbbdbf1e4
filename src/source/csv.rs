//! CSV reader: delimiter detection, header, and rows that are checked, never repaired.

use std::io::Read;
use std::sync::Arc;

use csv::{ByteRecord, ReaderBuilder, StringRecord};

use super::fields::{Block, Fields, Span};
use super::{Batch, RawRow, Schema, Source, SourceInfo, Values, nul};
use crate::error::{Error, Result};
use crate::reject::{Code, Rejection, Stage};

/// The delimiters recognised without `--delimiter`, in order of preference on a tie.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Picks the delimiter that splits the first records of `text` into the same, largest number
/// of fields. Quoted fields (with embedded delimiters and line breaks) are honoured.
pub fn detect_delimiter(text: &[u8]) -> u8 {
    let records = split_records(text, 50);
    let Some(header) = records.first() else {
        return b',';
    };
    let mut best = (b',', 0usize, 0usize);
    for (i, &d) in DELIMITERS.iter().enumerate() {
        let n = header[i];
        if n == 0 {
            continue;
        }
        let consistent = records.iter().filter(|r| r[i] == n).count();
        if consistent > best.1 || (consistent == best.1 && n > best.2) {
            best = (d, consistent, n);
        }
    }
    best.0
}

/// Counts of each candidate delimiter outside quotes, per record, for the first `max` records.
fn split_records(text: &[u8], max: usize) -> Vec<[usize; 4]> {
    let mut out = Vec::new();
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    let mut any = false;
    for &b in text {
        if b == b'"' {
            in_quotes = !in_quotes;
            any = true;
            continue;
        }
        if in_quotes {
            continue;
        }
        if b == b'\n' {
            if any {
                out.push(counts);
                if out.len() == max {
                    return out;
                }
            }
            counts = [0; 4];
            any = false;
            continue;
        }
        if b != b'\r' {
            any = true;
        }
        if let Some(i) = DELIMITERS.iter().position(|&d| d == b) {
            counts[i] += 1;
        }
    }
    // The last record may be cut off by the end of the sample: only count it when alone.
    if any && out.is_empty() {
        out.push(counts);
    }
    out
}

/// Streams a CSV file as batches of rows.
pub struct CsvSource {
    name: String,
    rdr: csv::Reader<Box<dyn Read + Send>>,
    schema: Arc<Schema>,
    row: u64,
    info: SourceInfo,
    done: bool,
    /// The record read into, reused.
    rec: ByteRecord,
    /// The text of the last batch, to size the next one's block.
    block_bytes: usize,
}

impl CsvSource {
    pub fn new(
        name: &str,
        stream: Box<dyn Read + Send>,
        delimiter: u8,
        info: SourceInfo,
    ) -> Result<Self> {
        let mut rdr = ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(stream);
        let mut header = ByteRecord::new();
        let got = rdr
            .read_byte_record(&mut header)
            .map_err(|e| csv_error(name, e))?;
        if !got {
            return Err(Error::BadInput {
                path: name.to_string(),
                message: "the file has no header row".into(),
            });
        }
        let names: Vec<String> = header
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect();
        if let Some(i) = names.iter().position(|n| nul::holds(n)) {
            return Err(Error::BadInput {
                path: name.to_string(),
                message: format!(
                    "the header's field {} holds a NUL byte: fix the header row",
                    i + 1
                ),
            });
        }
        Ok(CsvSource {
            name: name.to_string(),
            rdr,
            schema: Arc::new(Schema::from_header(names)),
            row: 0,
            info,
            done: false,
            rec: ByteRecord::new(),
            block_bytes: 0,
        })
    }

    /// The fields of a record that is not a clean row of the header's width (bytes that are
    /// not UTF-8, a NUL, too few or too many fields), fitted to the header, and what is wrong.
    fn repair(&self, rec: &ByteRecord) -> (StringRecord, Option<Rejection>) {
        let width = self.schema.columns.len();
        let (mut record, mut problem) = match StringRecord::from_byte_record(rec.clone()) {
            Ok(r) => (r, None),
            Err(e) => {
                let bytes = e.into_byte_record();
                let (record, problem) = self.invalid_utf8(&bytes);
                (record, Some(problem))
            }
        };
        let nul_at = record.iter().position(nul::holds);
        if nul_at.is_some() {
            record = record.iter().map(nul::escape).collect();
        }
        if record.len() > width && record.iter().skip(width).all(str::is_empty) {
            // Trailing empty fields (a stray delimiter at the end of the line) lose nothing.
            record = record.iter().take(width).collect();
        }
        if record.len() != width {
            let message = if record.len() < width {
                format!("row has {} fields, the header has {}", record.len(), width)
            } else {
                let extra: Vec<&str> = record.iter().skip(width).collect();
                format!(
                    "row has {} fields, the header has {}; the extra fields were: {}",
                    record.len(),
                    width,
                    extra.join(" | ")
                )
            };
            record = record
                .iter()
                .chain(std::iter::repeat(""))
                .take(width)
                .collect();
            problem.get_or_insert(Rejection::new(Stage::Read, "", Code::RowRagged, message));
        }
        if let Some(i) = nul_at.filter(|&i| i < width) {
            problem.get_or_insert_with(|| nul::rejection(&self.schema.columns[i].name));
        }
        (record, problem)
    }

    /// A row with bytes that are not UTF-8: shown with the bad bytes escaped as `\xNN`.
    fn invalid_utf8(&self, rec: &ByteRecord) -> (StringRecord, Rejection) {
        let mut first_bad: Option<(usize, String)> = None;
        let fields: StringRecord = rec
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let (text, bad) = escape_invalid_utf8(f);
                if let (None, Some(bad)) = (&first_bad, bad) {
                    first_bad = Some((i, bad));
                }
                text
            })
            .collect();
        let (col, bad) = first_bad.unwrap_or((0, String::new()));
        let field = self.schema.column_name(col);
        let message = format!(
            "bytes {bad} in column '{field}' are not UTF-8 (the file was read as UTF-8; \
             fix the row, or give --encoding if the whole file is in another encoding)"
        );
        (
            fields,
            Rejection::new(Stage::Read, field, Code::EncodingInvalid, message),
        )
    }
}

/// Decodes `bytes` as UTF-8 with each invalid byte shown as `\xNN`; also returns the first
/// invalid bytes so escaped.
pub fn escape_invalid_utf8(mut bytes: &[u8]) -> (String, Option<String>) {
    let mut out = String::with_capacity(bytes.len() + 8);
    let mut first_bad = None;
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return (out, first_bad);
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let len = e.error_len().unwrap_or(rest.len()).max(1).min(rest.len());
                let escaped: String = rest[..len].iter().map(|b| format!("\\x{b:02X}")).collect();
                out.push_str(&escaped);
                first_bad.get_or_insert(escaped);
                bytes = &rest[len..];
            }
        }
    }
}

fn csv_error(name: &str, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io("cannot read", name, io),
        other => Error::BadInput {
            path: name.to_string(),
            message: format!("{other:?}"),
        },
    }
}

impl Source for CsvSource {
    source_accessors!();

    fn next_batch(&mut self, max: usize) -> Result<Option<Batch>> {
        if self.done {
            return Ok(None);
        }
        let width = self.schema.columns.len();
        // One block of text for the batch's rows, sized by the last batch.
        let mut block = Block::with_capacity(self.block_bytes, max * width);
        let mut rows = Vec::with_capacity(max);
        let mut rec = std::mem::take(&mut self.rec);
        while rows.len() < max {
            let got = self
                .rdr
                .read_byte_record(&mut rec)
                .map_err(|e| csv_error(&self.name, e))?;
            if !got {
                self.done = true;
                break;
            }
            self.row += 1;
            let clean = (rec.len() == width && memchr::memchr(0, rec.as_slice()).is_none())
                .then(|| utf8(&rec))
                .flatten();
            let (place, problem) = match clean {
                Some(text) => {
                    let ends = || (0..rec.len()).filter_map(|i| rec.range(i)).map(|r| r.end);
                    (
                        Place::new(&mut block, |b| b.push_joined(text, ends())),
                        None,
                    )
                }
                None => {
                    let (record, problem) = self.repair(&rec);
                    (Place::new(&mut block, |b| b.push(record.iter())), problem)
                }
            };
            let place = place.ok_or_else(|| Error::BadInput {
                path: self.name.clone(),
                message: format!("row {} is longer than 4 GiB", self.row),
            })?;
            rows.push((self.row, place, problem));
        }
        self.rec = rec;
        self.block_bytes = block.len();
        let block = Arc::new(block);
        let rows = rows
            .into_iter()
            .map(|(row, place, problem)| RawRow {
                row,
                values: Values::Csv(match place {
                    Place::Block(span) => Fields::of(&block, span),
                    Place::Own(fields) => fields,
                }),
                problem: problem.map(Box::new),
            })
            .collect();
        Ok(Batch::of(Arc::clone(&self.schema), rows))
    }
}

/// Where a row's fields went: the batch's block, or a block of their own when the batch's is
/// full (4 GiB).
enum Place {
    Block(Span),
    Own(Fields),
}

impl Place {
    fn new(block: &mut Block, push: impl Fn(&mut Block) -> Option<Span>) -> Option<Place> {
        if let Some(span) = push(block) {
            return Some(Place::Block(span));
        }
        let mut own = Block::default();
        let span = push(&mut own)?;
        Some(Place::Own(Fields::of(&Arc::new(own), span)))
    }
}

/// The record as text when every field is UTF-8 (as the csv crate checks it: field by field,
/// so that a character cannot straddle two fields).
fn utf8(rec: &ByteRecord) -> Option<&str> {
    let text = std::str::from_utf8(rec.as_slice()).ok()?;
    // Valid as a whole, each field is valid when no field ends inside a character.
    (0..rec.len())
        .filter_map(|i| rec.range(i))
        .all(|r| text.is_char_boundary(r.end))
        .then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Format;

    fn source(text: &[u8]) -> CsvSource {
        let info = SourceInfo {
            format: Format::Csv,
            encoding: "UTF-8".into(),
            delimiter: Some(",".into()),
            sheet_header_row: None,
        };
        let delim = detect_delimiter(text);
        CsvSource::new(
            "t.csv",
            Box::new(std::io::Cursor::new(text.to_vec())),
            delim,
            info,
        )
        .unwrap()
    }

    #[test]
    fn a_character_split_across_two_fields_is_not_utf8() {
        let split = ByteRecord::from(vec![&b"caf\xC3"[..], &b"\xA9"[..]]);
        assert_eq!(utf8(&split), None);
        let whole = ByteRecord::from(vec![&b"caf\xC3\xA9"[..], &b""[..], &b"x"[..]]);
        assert_eq!(utf8(&whole), Some("café".to_string() + "x").as_deref());
        assert_eq!(utf8(&ByteRecord::from(vec![&b"\xFF"[..]])), None);
        assert_eq!(utf8(&ByteRecord::new()), Some(""));
    }

    #[test]
    fn detects_delimiters() {
        assert_eq!(detect_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(detect_delimiter(b"a;b;c\n1;2,5;3\n"), b';');
        assert_eq!(detect_delimiter(b"a\tb\tc\n1\t2\t3\n"), b'\t');
        assert_eq!(detect_delimiter(b"a|b\n1|2\n"), b'|');
        assert_eq!(detect_delimiter(b"name;note\n\"x\";\"a,b,c\nd,e\"\n"), b';');
        assert_eq!(detect_delimiter(b"phone\n123\n"), b',');
        assert_eq!(detect_delimiter(b""), b',');
    }

    #[test]
    fn reads_quoted_fields_with_newlines() {
        let mut s = source(b"name,note\n\"Doe, Jane\",\"line1\nline2 \"\"q\"\"\"\nBob,x\n");
        let b = s.next_batch(10).unwrap().unwrap();
        assert_eq!(b.rows.len(), 2);
        assert_eq!(b.rows[0].values.text(0), "Doe, Jane");
        assert_eq!(b.rows[0].values.text(1), "line1\nline2 \"q\"");
        assert_eq!(b.rows[1].row, 2);
        assert!(s.next_batch(10).unwrap().is_none());
    }

    #[test]
    fn invalid_utf8_row_is_reported_and_neighbours_go_on() {
        let mut s = source(b"name,phone\nAnn,1\nJos\xE9,2\nBob,3\n");
        let b = s.next_batch(10).unwrap().unwrap();
        assert!(b.rows[0].problem.is_none());
        let p = b.rows[1].problem.as_ref().unwrap();
        assert_eq!(p.code, Code::EncodingInvalid);
        assert!(p.message.contains("\\xE9"), "{}", p.message);
        assert_eq!(b.rows[1].values.text(0), "Jos\\xE9");
        assert!(b.rows[2].problem.is_none());
    }

    #[test]
    fn a_nul_is_a_rejected_row_wherever_it_is() {
        let mut text = b"name,phone\nA\0nn,1\n".to_vec();
        text.extend((0..2000).flat_map(|i| format!("P{i},{i}\n").into_bytes()));
        text.extend_from_slice(b"Late,2\0\nBob,3,\0\n");
        let mut s = source(&text);
        let mut rows = Vec::new();
        while let Some(b) = s.next_batch(500).unwrap() {
            rows.extend(b.rows);
        }
        assert_eq!(rows.len(), 2003);
        let first = rows[0].problem.as_ref().unwrap();
        assert_eq!(
            (first.code, first.field.as_str()),
            (Code::CellInvalid, "name")
        );
        assert_eq!(rows[0].values.text(0), "A\\x00nn");
        let late = rows[2001].problem.as_ref().unwrap();
        assert_eq!(
            (late.code, late.field.as_str()),
            (Code::CellInvalid, "phone")
        );
        assert_eq!(rows[2001].values.text(1), "2\\x00");
        // In a field beyond the header, the row is ragged and the message shows it.
        let extra = rows[2002].problem.as_ref().unwrap();
        assert_eq!(extra.code, Code::RowRagged);
        assert!(extra.message.contains("\\x00"), "{}", extra.message);
        assert!(rows[1..2001].iter().all(|r| r.problem.is_none()));
    }

    #[test]
    fn a_nul_in_the_header_is_fatal() {
        let info = SourceInfo {
            format: Format::Csv,
            encoding: "UTF-8".into(),
            delimiter: Some(",".into()),
            sheet_header_row: None,
        };
        let r = CsvSource::new(
            "t.csv",
            Box::new(std::io::Cursor::new(b"na\0me,phone\n".to_vec())),
            b',',
            info,
        );
        assert!(matches!(r, Err(Error::BadInput { message, .. }) if message.contains("NUL")));
    }

    #[test]
    fn ragged_rows_are_rejected_rows() {
        let mut s = source(b"a,b,c\n1,2\n1,2,3,4\n1,2,3,,\n");
        let b = s.next_batch(10).unwrap().unwrap();
        assert_eq!(b.rows[0].problem.as_ref().unwrap().code, Code::RowRagged);
        let long = b.rows[1].problem.as_ref().unwrap();
        assert_eq!(long.code, Code::RowRagged);
        assert!(long.message.contains("4"));
        assert!(b.rows[2].problem.is_none());
    }
}
