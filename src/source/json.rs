//! JSON readers: an array of objects (streamed, never loaded whole) and JSON Lines.
//! Nested objects are flattened to dotted column names.

use std::collections::HashMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;
use std::thread;

use crossbeam_channel::{Receiver, bounded};
use serde::de::{Deserializer as _, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::csv::escape_invalid_utf8;
use super::{Batch, Cell, Column, PathSeg, RawRow, Schema, Source, SourceInfo, Values, nul};
use crate::error::{Error, Result};
use crate::reject::{Code, Rejection, Stage};

/// Turns JSON records into cells, interning each flattened path as a column.
#[derive(Debug, Default)]
pub struct Flattener {
    schema: Arc<Schema>,
    index: HashMap<String, usize>,
}

impl Flattener {
    pub fn schema(&self) -> Arc<Schema> {
        Arc::clone(&self.schema)
    }

    /// The cells of one record, or a rejection when the record is not an object.
    pub fn flatten(&mut self, value: &Value) -> std::result::Result<Vec<Option<Cell>>, Rejection> {
        let Value::Object(map) = value else {
            return Err(Rejection::new(
                Stage::Read,
                "",
                Code::JsonNotObject,
                format!("expected an object, found {}", kind(value)),
            ));
        };
        let mut cells = Vec::new();
        let mut path = Vec::new();
        self.walk_object("", &mut path, map, &mut cells);
        Ok(cells)
    }

    fn walk_object(
        &mut self,
        prefix: &str,
        path: &mut Vec<PathSeg>,
        map: &Map<String, Value>,
        cells: &mut Vec<Option<Cell>>,
    ) {
        for (k, v) in map {
            let name = join(prefix, k);
            path.push(PathSeg::Key(k.clone()));
            self.walk(&name, path, v, cells);
            path.pop();
        }
    }

    fn walk(
        &mut self,
        name: &str,
        path: &mut Vec<PathSeg>,
        v: &Value,
        cells: &mut Vec<Option<Cell>>,
    ) {
        match v {
            Value::Object(m) if !m.is_empty() => self.walk_object(name, path, m, cells),
            Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(PathSeg::Index(i));
                    self.walk(&join(name, &i.to_string()), path, item, cells);
                    path.pop();
                }
            }
            _ => {
                let col = self.intern(name, path);
                if cells.len() <= col {
                    cells.resize(col + 1, None);
                }
                cells[col] = scalar_cell(v);
            }
        }
    }

    fn intern(&mut self, name: &str, path: &[PathSeg]) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let schema = Arc::make_mut(&mut self.schema);
        schema.columns.push(Column {
            name: name.to_string(),
            path: path.to_vec(),
        });
        let i = schema.columns.len() - 1;
        self.index.insert(name.to_string(), i);
        i
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

fn scalar_cell(v: &Value) -> Option<Cell> {
    match v {
        Value::Array(items) => Some(Cell::List(items.iter().filter_map(scalar_text).collect())),
        Value::Object(_) => None,
        other => scalar_text(other).map(Cell::Text),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The first column of `cells` whose value holds a NUL (a `\u0000` escape, or a raw NUL
/// byte, which the readers turn into one: see [`EscapeNul`]).
fn nul_column(cells: &[Option<Cell>]) -> Option<usize> {
    cells.iter().position(|c| match c {
        Some(Cell::Text(s)) => nul::holds(s),
        Some(Cell::List(items)) => items.iter().any(|s| nul::holds(s)),
        None => false,
    })
}

fn record_row(flat: &mut Flattener, row: u64, value: Value) -> RawRow {
    match flat.flatten(&value) {
        Ok(cells) => {
            let problem = nul_column(&cells).map(|i| {
                let schema = flat.schema();
                Box::new(nul::rejection(&schema.columns[i].name))
            });
            RawRow {
                row,
                values: Values::Json {
                    cells,
                    original: Box::new(value),
                },
                problem,
            }
        }
        Err(problem) => RawRow {
            row,
            values: Values::Json {
                cells: Vec::new(),
                original: Box::new(value),
            },
            problem: Some(Box::new(problem)),
        },
    }
}

/// Streams the elements of a top-level JSON array. The array is parsed on a thread of its own
/// and handed over one element at a time, so memory holds a few records, not the file.
pub struct JsonArraySource {
    name: String,
    rx: Receiver<std::result::Result<Value, String>>,
    flat: Flattener,
    row: u64,
    info: SourceInfo,
}

impl JsonArraySource {
    pub fn new(name: &str, stream: Box<dyn Read + Send>, info: SourceInfo) -> Result<Self> {
        let (tx, rx) = bounded::<std::result::Result<Value, String>>(1024);
        thread::Builder::new()
            .name("json-reader".into())
            .spawn(move || {
                let stream = EscapeNul::new(BufReader::new(stream));
                let mut de = serde_json::Deserializer::from_reader(stream);
                let sender = tx.clone();
                let result = de
                    .deserialize_any(ElementSender { tx: sender })
                    .and_then(|()| de.end());
                if let Err(e) = result {
                    let _ = tx.send(Err(describe_json_error(&e)));
                }
            })
            .map_err(|e| Error::io("cannot start a reader thread for", name, e))?;
        Ok(JsonArraySource {
            name: name.to_string(),
            rx,
            flat: Flattener::default(),
            row: 0,
            info,
        })
    }
}

/// A JSON text with each raw NUL byte written as the escape `\u0000`. JSON allows no raw
/// control byte, so a NUL would make the whole array unreadable; escaped, a NUL inside a
/// string is a value holding one, and its record is rejected (`cell_invalid`), as in every
/// other format. A NUL outside a string is still invalid JSON.
pub struct EscapeNul<R> {
    inner: R,
    /// The rest of an escape not yet handed out.
    pending: &'static [u8],
}

impl<R: BufRead> EscapeNul<R> {
    pub fn new(inner: R) -> Self {
        EscapeNul {
            inner,
            pending: &[],
        }
    }
}

impl<R: BufRead> Read for EscapeNul<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if !self.pending.is_empty() {
            let n = self.pending.len().min(buf.len());
            buf[..n].copy_from_slice(&self.pending[..n]);
            self.pending = &self.pending[n..];
            return Ok(n);
        }
        let avail = self.inner.fill_buf()?;
        if avail.is_empty() {
            return Ok(0);
        }
        match memchr::memchr(0, avail) {
            Some(0) => {
                self.inner.consume(1);
                self.pending = b"\\u0000";
                self.read(buf)
            }
            found => {
                let n = found.unwrap_or(avail.len()).min(buf.len());
                buf[..n].copy_from_slice(&avail[..n]);
                self.inner.consume(n);
                Ok(n)
            }
        }
    }
}

fn describe_json_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    if msg.starts_with("invalid type") {
        format!(
            "expected a JSON array of objects at the top level, but {msg} \
             (for one object per line, use a .jsonl file or --format jsonl)"
        )
    } else if msg.contains("invalid unicode code point") {
        format!(
            "the file holds bytes that are not UTF-8 ({msg}); give --encoding if it is in another encoding"
        )
    } else if e.is_eof() {
        format!("the JSON ends too early: {msg}")
    } else {
        format!("invalid JSON: {msg}")
    }
}

struct ElementSender {
    tx: crossbeam_channel::Sender<std::result::Result<Value, String>>,
}

impl<'de> Visitor<'de> for ElementSender {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            if self.tx.send(Ok(v)).is_err() {
                break; // the reader was dropped: stop parsing
            }
        }
        Ok(())
    }
}

impl Source for JsonArraySource {
    source_accessors!(flattened);

    fn next_batch(&mut self, max: usize) -> Result<Option<Batch>> {
        let mut rows = Vec::with_capacity(max.min(4096));
        while rows.len() < max {
            match self.rx.recv() {
                Ok(Ok(value)) => {
                    self.row += 1;
                    rows.push(record_row(&mut self.flat, self.row, value));
                }
                Ok(Err(message)) => {
                    return Err(Error::BadInput {
                        path: self.name.clone(),
                        message: format!("{message} (after {} records)", self.row),
                    });
                }
                Err(_) => break,
            }
        }
        Ok(Batch::of(self.flat.schema(), rows))
    }
}

/// Streams JSON Lines: one object per line. A line that is not JSON is a rejected row, not a
/// failed run. Row numbers are line numbers (blank lines are skipped but counted).
pub struct JsonLinesSource {
    name: String,
    rdr: BufReader<Box<dyn Read + Send>>,
    flat: Flattener,
    line: u64,
    buf: Vec<u8>,
    info: SourceInfo,
}

impl JsonLinesSource {
    pub fn new(name: &str, stream: Box<dyn Read + Send>, info: SourceInfo) -> Self {
        JsonLinesSource {
            name: name.to_string(),
            rdr: BufReader::with_capacity(256 * 1024, stream),
            flat: Flattener::default(),
            line: 0,
            buf: Vec::new(),
            info,
        }
    }

    fn parse_line(&mut self) -> Option<RawRow> {
        let bytes = trim_ascii(&self.buf);
        if bytes.is_empty() {
            return None;
        }
        let row = self.line;
        let bad = |text: String, code: Code, message: String| RawRow {
            row,
            values: Values::Json {
                cells: Vec::new(),
                original: Box::new(Value::String(text)),
            },
            problem: Some(Box::new(Rejection::new(Stage::Read, "", code, message))),
        };
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                let (escaped, first) = escape_invalid_utf8(bytes);
                let message = format!("bytes {} are not UTF-8", first.unwrap_or_default());
                return Some(bad(escaped, Code::EncodingInvalid, message));
            }
        };
        let parsed = if nul::holds(text) {
            serde_json::from_str::<Value>(&text.replace('\0', "\\u0000"))
        } else {
            serde_json::from_str::<Value>(text)
        };
        match parsed {
            Ok(value) => Some(record_row(&mut self.flat, row, value)),
            Err(e) => Some(bad(
                text.to_string(),
                Code::JsonInvalid,
                format!("invalid JSON: {e}"),
            )),
        }
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end.max(start)]
}

impl Source for JsonLinesSource {
    source_accessors!(flattened);

    fn next_batch(&mut self, max: usize) -> Result<Option<Batch>> {
        let mut rows = Vec::with_capacity(max.min(4096));
        while rows.len() < max {
            self.buf.clear();
            let n = self
                .rdr
                .read_until(b'\n', &mut self.buf)
                .map_err(|e| Error::io("cannot read", &self.name, e))?;
            if n == 0 {
                break;
            }
            self.line += 1;
            if let Some(row) = self.parse_line() {
                rows.push(row);
            }
        }
        Ok(Batch::of(self.flat.schema(), rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Format;

    fn info() -> SourceInfo {
        SourceInfo {
            format: Format::Json,
            encoding: "UTF-8".into(),
            delimiter: None,
            sheet_header_row: None,
        }
    }

    fn all(mut s: impl Source) -> Result<Vec<Batch>> {
        let mut out = Vec::new();
        while let Some(b) = s.next_batch(2)? {
            out.push(b);
        }
        Ok(out)
    }

    #[test]
    fn a_nul_raw_or_escaped_is_a_rejected_record_early_or_late() {
        let mut text = b"[{\"name\":\"A\0n\",\"phone\":\"1\"}".to_vec();
        text.extend(
            (0..3000)
                .flat_map(|i| format!(",{{\"name\":\"P{i}\",\"phone\":\"{i}\"}}").into_bytes()),
        );
        text.extend_from_slice(b",{\"name\":\"Late\",\"phone\":[\"2\",\"3\\u0000\"]}]");
        let s = JsonArraySource::new(
            "t.json",
            Box::new(std::io::Cursor::new(text.clone())),
            info(),
        )
        .unwrap();
        let rows: Vec<RawRow> = all(s).unwrap().into_iter().flat_map(|b| b.rows).collect();
        assert_eq!(rows.len(), 3002);
        let first = rows[0].problem.as_ref().unwrap();
        assert_eq!(
            (first.code, first.field.as_str()),
            (Code::CellInvalid, "name")
        );
        let late = rows[3001].problem.as_ref().unwrap();
        assert_eq!(
            (late.code, late.field.as_str()),
            (Code::CellInvalid, "phone")
        );
        assert!(rows[1..3001].iter().all(|r| r.problem.is_none()));

        let lines = b"{\"name\":\"A\0n\",\"phone\":\"1\"}\n{\"name\":\"B\",\"phone\":\"2\"}\n{\"name\":\"C\",\"phone\":\"3\\u0000\"}\n{\"a\":1}\0\n";
        let s = JsonLinesSource::new(
            "t.jsonl",
            Box::new(std::io::Cursor::new(lines.to_vec())),
            info(),
        );
        let rows: Vec<RawRow> = all(s).unwrap().into_iter().flat_map(|b| b.rows).collect();
        let codes: Vec<Option<(Code, String)>> = rows
            .iter()
            .map(|r| r.problem.as_ref().map(|p| (p.code, p.field.clone())))
            .collect();
        assert_eq!(
            codes,
            [
                Some((Code::CellInvalid, "name".to_string())),
                None,
                Some((Code::CellInvalid, "phone".to_string())),
                Some((Code::JsonInvalid, String::new())),
            ]
        );
    }

    #[test]
    fn escape_nul_reads_in_any_pieces() {
        let text = b"a\0\0b\0";
        for cap in [1, 2, 3, 64] {
            let mut r = EscapeNul::new(std::io::BufReader::with_capacity(cap, &text[..]));
            let mut out = Vec::new();
            let mut buf = [0u8; 3];
            loop {
                let n = r.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            assert_eq!(out, b"a\\u0000\\u0000b\\u0000", "capacity {cap}");
        }
    }

    #[test]
    fn flattens_nested_objects_and_keeps_lists() {
        let mut f = Flattener::default();
        let v: Value = serde_json::json!({
            "name": {"first": "Ann", "last": "Lee"},
            "phones": ["+1 415 555 2671", "+44 20 7183 8750"],
            "age": 41, "vip": true, "note": null,
            "addresses": [{"city": "Paris"}]
        });
        let cells = f.flatten(&v).unwrap();
        let schema = f.schema();
        let col = |n: &str| schema.columns.iter().position(|c| c.name == n).unwrap();
        assert_eq!(cells[col("name.first")], Some(Cell::Text("Ann".into())));
        assert_eq!(
            cells[col("phones")],
            Some(Cell::List(vec![
                "+1 415 555 2671".into(),
                "+44 20 7183 8750".into()
            ]))
        );
        assert_eq!(cells[col("age")], Some(Cell::Text("41".into())));
        assert_eq!(cells[col("vip")], Some(Cell::Text("true".into())));
        assert_eq!(cells[col("note")], None);
        assert_eq!(
            cells[col("addresses.0.city")],
            Some(Cell::Text("Paris".into()))
        );
        assert_eq!(
            schema.columns[col("addresses.0.city")].path,
            vec![
                PathSeg::Key("addresses".into()),
                PathSeg::Index(0),
                PathSeg::Key("city".into())
            ]
        );
    }

    #[test]
    fn streams_an_array() {
        let data = br#"[{"a":"1"},{"a":"2","b":"x"},7]"#;
        let s = JsonArraySource::new("t.json", Box::new(&data[..]), info()).unwrap();
        let batches = all(s).unwrap();
        let rows: Vec<&RawRow> = batches.iter().flat_map(|b| &b.rows).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].values.text(1), "x");
        assert_eq!(rows[2].problem.as_ref().unwrap().code, Code::JsonNotObject);
        assert_eq!(rows[2].row, 3);
    }

    #[test]
    fn a_top_level_object_is_a_clear_error() {
        let data = br#"{"a":"1"}"#;
        let s = JsonArraySource::new("t.json", Box::new(&data[..]), info()).unwrap();
        let err = all(s).unwrap_err().to_string();
        assert!(err.contains("expected a JSON array"), "{err}");
    }

    #[test]
    fn broken_json_is_a_clear_error() {
        let data = br#"[{"a":"1"}, {"a": }]"#;
        let s = JsonArraySource::new("t.json", Box::new(&data[..]), info()).unwrap();
        let err = all(s).unwrap_err().to_string();
        assert!(err.contains("invalid JSON"), "{err}");
    }

    #[test]
    fn json_lines_reject_bad_lines_and_go_on() {
        let data = b"{\"a\":\"1\"}\n\nnot json\n{\"a\":\"\xE9\"}\n{\"a\":\"4\"}";
        let s = JsonLinesSource::new("t.jsonl", Box::new(&data[..]), info());
        let batches = all(s).unwrap();
        let rows: Vec<&RawRow> = batches.iter().flat_map(|b| &b.rows).collect();
        assert_eq!(
            rows.iter().map(|r| r.row).collect::<Vec<_>>(),
            vec![1, 3, 4, 5]
        );
        assert_eq!(rows[1].problem.as_ref().unwrap().code, Code::JsonInvalid);
        assert_eq!(
            rows[2].problem.as_ref().unwrap().code,
            Code::EncodingInvalid
        );
        assert!(rows[3].problem.is_none());
    }
}
