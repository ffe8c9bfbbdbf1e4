//! Sources: readers that stream an input file as batches of raw rows.
//!
//! Every row keeps its 1-based data row number from here to the end: it is the key of every
//! report. A row that cannot be read cleanly (bad bytes, ragged, not an object) still comes
//! through, with a [`Rejection`] attached, so that it reaches the error report.

/// The [`Source::info`] and [`Source::schema`] of a reader that keeps them in `self.info`
/// and `self.schema` (`flattened`: the schema of the JSON flattener in `self.flat`).
macro_rules! source_accessors {
    () => {
        fn info(&self) -> &$crate::source::SourceInfo {
            &self.info
        }
        fn schema(&self) -> std::sync::Arc<$crate::source::Schema> {
            std::sync::Arc::clone(&self.schema)
        }
    };
    (flattened) => {
        fn info(&self) -> &$crate::source::SourceInfo {
            &self.info
        }
        fn schema(&self) -> std::sync::Arc<$crate::source::Schema> {
            self.flat.schema()
        }
    };
}

pub mod csv;
pub mod encoding;
pub mod fields;
pub mod json;
pub mod limits;
pub mod nul;
pub mod sheet;
pub mod vcard;
pub mod workbook_check;

use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::reject::Rejection;

pub use self::csv::detect_delimiter;
pub use encoding::Encoding;
pub use fields::{Block, Fields, Span};

/// The input's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Json,
    Jsonl,
    /// A workbook: xlsx, xlsm, xlsb, xls or ods (read, never written).
    #[value(alias = "xlsx", alias = "xls", alias = "ods")]
    Spreadsheet,
    /// vCard (`.vcf`): versions 2.1, 3.0 and 4.0, a row per card.
    #[value(alias = "vcf")]
    Vcard,
}

impl Format {
    /// The format a file name's extension implies, if any.
    pub fn from_path(path: &str) -> Option<Format> {
        let lower = path.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e)?;
        match ext {
            "csv" | "tsv" | "tab" | "txt" | "psv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" | "jsonlines" => Some(Format::Jsonl),
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Some(Format::Spreadsheet),
            "vcf" | "vcard" => Some(Format::Vcard),
            _ => None,
        }
    }

    /// True for inputs whose rows have fixed columns (a header), like CSV: their reports are
    /// CSV too, and can be fed back.
    pub fn is_tabular(self) -> bool {
        !matches!(self, Format::Json | Format::Jsonl)
    }

    /// True for the formats bulkline can write a row file in.
    pub fn is_writable(self) -> bool {
        matches!(self, Format::Csv | Format::Json | Format::Jsonl)
    }

    /// Guess the format from the first bytes of the data.
    pub fn sniff(sample: &[u8]) -> Format {
        let text = encoding::strip_utf8_bom(sample);
        let start = text
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(text.len());
        if text[start..]
            .get(..11)
            .is_some_and(|h| h.eq_ignore_ascii_case(b"BEGIN:VCARD"))
        {
            return Format::Vcard;
        }
        match text.get(start) {
            Some(b'[') => Format::Json,
            Some(b'{') => Format::Jsonl,
            _ => Format::Csv,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Spreadsheet => "spreadsheet",
            Format::Vcard => "vcard",
        }
    }
}

/// One step of a path into a nested JSON record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

/// A column of the input. JSON columns are flattened paths (`address.city`, `phones.0.value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// For JSON inputs, where the value sits in the record; empty for CSV.
    pub path: Vec<PathSeg>,
}

/// The columns known so far. CSV schemas are fixed by the header; JSON schemas grow as new
/// keys appear (columns are only ever appended, so indexes stay valid).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub columns: Vec<Column>,
    /// True when the schema cannot grow (a CSV header).
    pub fixed: bool,
}

impl Schema {
    pub fn from_header<I: IntoIterator<Item = S>, S: Into<String>>(names: I) -> Self {
        Schema {
            columns: names
                .into_iter()
                .map(|n| Column {
                    name: n.into(),
                    path: Vec::new(),
                })
                .collect(),
            fixed: true,
        }
    }

    /// The name of column `i`, or "" past the last one.
    pub fn column_name(&self, i: usize) -> &str {
        self.columns.get(i).map_or("", |c| c.name.as_str())
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }
}

/// A value of a JSON record's field: a string (numbers and booleans as their JSON text) or a
/// list of them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Cell {
    Text(String),
    List(Vec<String>),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Text(s) => s.trim().is_empty(),
            Cell::List(v) => v.iter().all(|s| s.trim().is_empty()),
        }
    }

    /// The cell as one string (lists joined with " ::: ", as Google Contacts does).
    pub fn joined(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::List(v) => v.join(LIST_SEPARATOR),
        }
    }
}

/// How several values share one CSV cell (Google Contacts' convention).
pub const LIST_SEPARATOR: &str = " ::: ";

/// The values of one raw row.
#[derive(Debug, Clone)]
pub enum Values {
    /// CSV fields in header order.
    Csv(Fields),
    /// A JSON record: its flattened cells by column index, and the record as read.
    Json {
        cells: Vec<Option<Cell>>,
        /// Boxed: a row is moved between stages, and a CSV row is a third of the size.
        original: Box<serde_json::Value>,
    },
}

/// `s.trim()`, answered without decoding characters when `s` starts and ends with a visible
/// ASCII character (most cells).
pub fn trim(s: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii_graphic());
    if visible(s.as_bytes().first()) && visible(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

impl Values {
    /// The text of column `i` (lists joined), or "" when absent.
    pub fn text(&self, i: usize) -> std::borrow::Cow<'_, str> {
        match self {
            Values::Csv(r) => std::borrow::Cow::Borrowed(r.get(i).unwrap_or("")),
            Values::Json { cells, .. } => match cells.get(i).and_then(Option::as_ref) {
                Some(Cell::Text(s)) => std::borrow::Cow::Borrowed(s.as_str()),
                Some(c @ Cell::List(_)) => std::borrow::Cow::Owned(c.joined()),
                None => std::borrow::Cow::Borrowed(""),
            },
        }
    }

    /// Calls `f` with each separate value held by column `i`: JSON list items, or a CSV cell
    /// split on " ::: " and line breaks. Empty items are skipped.
    pub fn for_each_item<'a>(&'a self, i: usize, mut f: impl FnMut(&'a str)) {
        fn split<'a>(s: &'a str, f: &mut impl FnMut(&'a str)) {
            // Most cells hold one value: skip the splitting machinery for them.
            if memchr::memchr2(b':', b'\n', s.as_bytes()).is_none() {
                let t = trim(s);
                if !t.is_empty() {
                    f(t);
                }
                return;
            }
            for part in s.split(LIST_SEPARATOR).flat_map(|p| p.split('\n')) {
                let t = part.trim();
                if !t.is_empty() {
                    f(t);
                }
            }
        }
        match self {
            Values::Csv(r) => {
                if let Some(s) = r.get(i) {
                    split(s, &mut f);
                }
            }
            Values::Json { cells, .. } => match cells.get(i).and_then(Option::as_ref) {
                Some(Cell::Text(s)) => split(s, &mut f),
                Some(Cell::List(v)) => v.iter().for_each(|s| split(s, &mut f)),
                None => {}
            },
        }
    }

    /// The separate values held by column `i` (see [`Values::for_each_item`]).
    pub fn items(&self, i: usize) -> Vec<&str> {
        let mut out = Vec::new();
        self.for_each_item(i, |s| out.push(s));
        out
    }

    /// Whether every field of the row is empty.
    pub fn all_empty(&self) -> bool {
        match self {
            Values::Csv(r) => r.iter().all(|f| f.trim().is_empty()),
            Values::Json { cells, .. } => cells.iter().flatten().all(Cell::is_empty),
        }
    }
}

/// One row as read, before mapping.
#[derive(Debug, Clone)]
pub struct RawRow {
    /// 1-based data row number, the same in every format: 1 is the first row after the
    /// header: a CSV record, a JSON record, a vCard, a workbook row (a row of empty cells
    /// counts, as it does in the CSV a spreadsheet saves; an empty line of a CSV is no row).
    pub row: u64,
    pub values: Values,
    /// Set when the row could not be read cleanly; such a row goes to the error report.
    /// (Boxed: rare, and a row is moved between stages.)
    pub problem: Option<Box<Rejection>>,
}

/// Rows read together, with the schema as it stood when they were read.
#[derive(Debug, Clone)]
pub struct Batch {
    pub schema: Arc<Schema>,
    pub rows: Vec<RawRow>,
}

impl Batch {
    /// The batch of `rows`, or `None` when there are none (the end of the input).
    pub fn of(schema: Arc<Schema>, rows: Vec<RawRow>) -> Option<Batch> {
        (!rows.is_empty()).then_some(Batch { schema, rows })
    }
}

/// What a source found out about its input, for the summary.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceInfo {
    pub format: Format,
    pub encoding: String,
    /// The CSV delimiter used, as text ("," ";" "\t" "|").
    pub delimiter: Option<String>,
    /// A workbook's header row, as the sheet numbers it: a row's number in the sheet is its
    /// data row (`_row`) plus this (`_sheet_row` in the reports).
    pub sheet_header_row: Option<u64>,
}

impl SourceInfo {
    /// The CSV delimiter as a byte, `,` when there is none (JSON inputs).
    pub fn delimiter_byte(&self) -> u8 {
        self.delimiter
            .as_deref()
            .and_then(|d| d.bytes().next())
            .unwrap_or(b',')
    }
}

/// A streaming reader of raw rows.
pub trait Source: Send {
    fn info(&self) -> &SourceInfo;
    /// The columns known so far: a CSV header, or the JSON keys seen until now.
    fn schema(&self) -> Arc<Schema>;
    /// The next batch of at most `max` rows, `None` at the end.
    fn next_batch(&mut self, max: usize) -> Result<Option<Batch>>;
}

/// How to open an input.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    pub format: Option<Format>,
    pub encoding: Option<Encoding>,
    pub delimiter: Option<u8>,
    /// The sheet of a workbook: a name, or a position from 1 (default: the first).
    pub sheet: Option<String>,
    /// Counts the bytes read from a file, for a progress meter.
    pub meter: Option<Arc<crate::progress::meter::Reading>>,
    /// Only the first this many data rows (`--limit`); `None`: every row.
    pub limit: Option<u64>,
}

/// What the first bytes of a file say it is, when it is not text bulkline reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A ZIP archive: an xlsx, xlsm or ods workbook, or another archive.
    Zip,
    /// An OLE compound file: an xls workbook (or another Office file).
    Ole,
    Pdf,
    Html,
    Gzip,
    /// Another binary format, known by its signature: what it is ("a PNG image").
    Binary(&'static str),
    /// Text or something else: left to the text readers.
    Other,
}

/// Signatures of binary formats that are not contact lists, and what each is.
const SIGNATURES: [(&[u8], &str); 11] = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x7FELF", "an executable (ELF)"),
    (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
    (b"Rar!\x1A\x07", "a RAR archive"),
    (b"\xFD7zXZ\x00", "xz-compressed"),
    (b"\x28\xB5\x2F\xFD", "zstd-compressed"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xCA\xFE\xBA\xBE", "an executable (Mach-O or Java class)"),
];

impl Kind {
    /// Sniffs `sample`, the first bytes of a file.
    pub fn of(sample: &[u8]) -> Kind {
        if sample.starts_with(b"PK\x03\x04") {
            return Kind::Zip;
        }
        if sample.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return Kind::Ole;
        }
        if sample.starts_with(b"%PDF-") {
            return Kind::Pdf;
        }
        if sample.starts_with(&[0x1F, 0x8B]) {
            return Kind::Gzip;
        }
        // bzip2: "BZh", the block size, then the first block's magic number.
        if sample.starts_with(b"BZh") && sample.get(4..10) == Some(b"1AY&SY") {
            return Kind::Binary("bzip2-compressed");
        }
        if let Some((_, what)) = SIGNATURES.iter().find(|(sig, _)| sample.starts_with(sig)) {
            return Kind::Binary(what);
        }
        let text = encoding::strip_utf8_bom(sample);
        let start = text
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(text.len());
        let head: Vec<u8> = text[start..]
            .iter()
            .take(15)
            .map(u8::to_ascii_lowercase)
            .collect();
        if head.starts_with(b"<!doctype html") || head.starts_with(b"<html") {
            return Kind::Html;
        }
        Kind::Other
    }

    /// Why a file of this kind is not read, when it is not: what it looks like and what to do.
    fn refusal(self) -> Option<String> {
        match self {
            Kind::Pdf => Some(
                "is a PDF document, not a contact list: export the contacts as CSV, a spreadsheet (xlsx, ods) or vCard (.vcf)".into(),
            ),
            Kind::Html => Some(
                "is an HTML web page (saved from a browser?), not a contact list: download the export itself as CSV, a spreadsheet or vCard".into(),
            ),
            Kind::Gzip => Some("is gzip-compressed: decompress it first (gunzip)".into()),
            Kind::Binary(what) => Some(format!(
                "is a binary file ({what}), not a contact list: export the contacts as CSV, a spreadsheet or vCard"
            )),
            Kind::Zip | Kind::Ole | Kind::Other => None,
        }
    }
}

/// Opens `path` (`-` for stdin), detecting its format, encoding and delimiter; with a
/// `limit`, it ends after that many data rows.
pub fn open(path: &str, opts: &SourceOptions) -> Result<Box<dyn Source>> {
    let src = open_all(path, opts)?;
    Ok(match opts.limit {
        Some(limit) => Box::new(Limited {
            inner: src,
            left: limit,
        }),
        None => src,
    })
}

/// A source that ends after `left` more rows (`--limit`).
struct Limited {
    inner: Box<dyn Source>,
    left: u64,
}

impl Source for Limited {
    fn info(&self) -> &SourceInfo {
        self.inner.info()
    }

    fn schema(&self) -> Arc<Schema> {
        self.inner.schema()
    }

    fn next_batch(&mut self, max: usize) -> Result<Option<Batch>> {
        if self.left == 0 {
            return Ok(None);
        }
        let want = usize::try_from(self.left).unwrap_or(usize::MAX).min(max);
        let Some(mut batch) = self.inner.next_batch(want)? else {
            return Ok(None);
        };
        batch.rows.truncate(want);
        self.left -= batch.rows.len() as u64;
        Ok(Some(batch))
    }
}

/// [`open`] without the limit.
fn open_all(path: &str, opts: &SourceOptions) -> Result<Box<dyn Source>> {
    let reader: Box<dyn Read + Send> = if path == "-" {
        Box::new(io::stdin())
    } else {
        let mut file =
            File::open(Path::new(path)).map_err(|e| Error::io("cannot open", path, e))?;
        let meta = file
            .metadata()
            .map_err(|e| Error::io("cannot read", path, e))?;
        if meta.is_dir() {
            return Err(Error::BadInput {
                path: path.to_string(),
                message: "is a directory, not a file".into(),
            });
        }
        // A workbook is read from the file itself (calamine seeks in it).
        if meta.is_file() {
            let mut head = [0u8; 8];
            let n =
                read_up_to(&mut file, &mut head).map_err(|e| Error::io("cannot read", path, e))?;
            file.seek(io::SeekFrom::Start(0))
                .map_err(|e| Error::io("cannot read", path, e))?;
            if is_workbook(opts.format, path, Kind::of(&head[..n])) {
                let owned = path.to_string();
                let opener: sheet::Opener = Box::new(move || {
                    let f = File::open(&owned)?;
                    Ok(Box::new(io::BufReader::new(f)) as Box<dyn sheet::ReadSeek>)
                });
                return open_workbook(path, opener, opts);
            }
        }
        match &opts.meter {
            Some(reading) => Box::new(crate::progress::meter::Counting {
                inner: file,
                bytes: Arc::clone(reading),
            }),
            None => Box::new(file),
        }
    };
    open_reader(path, reader, opts)
}

/// Reads until `buf` is full or the end.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Whether to read the input as a workbook: `--format spreadsheet`, else a workbook's
/// extension or a ZIP or OLE file whatever its name (unless another format is named).
fn is_workbook(format: Option<Format>, name: &str, kind: Kind) -> bool {
    match format {
        Some(f) => f == Format::Spreadsheet,
        None => {
            Format::from_path(name) == Some(Format::Spreadsheet)
                || matches!(kind, Kind::Zip | Kind::Ole)
        }
    }
}

fn open_workbook(name: &str, data: sheet::Opener, opts: &SourceOptions) -> Result<Box<dyn Source>> {
    // Not a text encoding: the kind of workbook its name says, for the summary.
    let kind = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| Format::from_path(&format!("x.{e}")) == Some(Format::Spreadsheet))
        .unwrap_or_else(|| "workbook".into());
    let info = SourceInfo {
        format: Format::Spreadsheet,
        encoding: kind,
        delimiter: None,
        sheet_header_row: None,
    };
    let source = sheet::SheetSource::new(name, data, opts.sheet.clone(), info).map_err(|e| {
        match e {
            // A ZIP that calamine cannot open is some other archive.
            Error::BadInput { path, message } if message.starts_with("not a readable") => {
                Error::BadInput {
                    path,
                    message: format!(
                        "{message}. If it is another archive (a ZIP of CSV files), extract it first"
                    ),
                }
            }
            e => e,
        }
    })?;
    Ok(Box::new(source))
}

/// Opens an already-open reader; `name` is used in messages and to pick the format.
pub fn open_reader(
    name: &str,
    reader: Box<dyn Read + Send>,
    opts: &SourceOptions,
) -> Result<Box<dyn Source>> {
    let mut peeked =
        encoding::Peeked::new(reader).map_err(|e| Error::io("cannot read", name, e))?;
    let bad = |message: String| Error::BadInput {
        path: name.to_string(),
        message,
    };
    if peeked.sample().iter().all(u8::is_ascii_whitespace) {
        return Err(bad("the file is empty: there is no header row".into()));
    }
    let kind = Kind::of(peeked.sample());
    if let Some(why) = kind.refusal() {
        return Err(bad(why));
    }
    // A workbook on standard input (or a pipe) is read into memory: calamine seeks.
    if is_workbook(opts.format, name, kind) {
        let mut data = Vec::new();
        peeked
            .take_stream()
            .take(limits::STDIN_WORKBOOK_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|e| Error::io("cannot read", name, e))?;
        if data.len() as u64 > limits::STDIN_WORKBOOK_BYTES {
            return Err(bad(format!(
                "a workbook read from standard input is held in memory, and this one is over {} \
                 (the limit for one input): give the file's path instead of piping it",
                limits::size(limits::STDIN_WORKBOOK_BYTES)
            )));
        }
        let data = sheet::SharedBytes(Arc::new(data));
        let opener: sheet::Opener = Box::new(move || {
            Ok(Box::new(io::Cursor::new(data.clone())) as Box<dyn sheet::ReadSeek>)
        });
        return open_workbook(name, opener, opts);
    }
    let enc = match opts.encoding {
        Some(e) => e,
        None => Encoding::detect(peeked.sample()),
    };
    if enc.is_ascii_compatible() && nul::looks_binary(peeked.sample()) {
        return Err(bad(format!(
            "looks like a binary file (its first {} are largely control bytes, NULs among \
             them), not CSV, JSON or vCard text",
            limits::size(nul::BLOCK as u64)
        )));
    }
    let sniffed = Format::sniff(enc.decode_sample(peeked.sample()).as_bytes());
    // Cards are cards whatever the file is called (a CSV whose header is BEGIN:VCARD is not).
    let format = match opts.format {
        Some(f) => f,
        None if sniffed == Format::Vcard => Format::Vcard,
        None => Format::from_path(name).unwrap_or(sniffed),
    };
    let info = |delimiter: Option<u8>| SourceInfo {
        format,
        encoding: enc.name().to_string(),
        delimiter: delimiter.map(|d| (d as char).to_string()),
        sheet_header_row: None,
    };
    match format {
        // Taken above.
        Format::Spreadsheet => Err(bad("not a readable spreadsheet".into())),
        Format::Csv => {
            let delim = match opts.delimiter {
                Some(d) => d,
                None => detect_delimiter(enc.decode_sample(peeked.sample()).as_bytes()),
            };
            let stream = enc.stream(peeked.take_stream());
            Ok(Box::new(csv::CsvSource::new(
                name,
                stream,
                delim,
                info(Some(delim)),
            )?))
        }
        Format::Json | Format::Jsonl => {
            let stream = enc.stream(peeked.take_stream());
            Ok(if format == Format::Json {
                Box::new(json::JsonArraySource::new(name, stream, info(None))?)
            } else {
                Box::new(json::JsonLinesSource::new(name, stream, info(None)))
            })
        }
        Format::Vcard => {
            let stream = io::BufReader::new(enc.stream(peeked.take_stream()));
            Ok(Box::new(vcard::VcardSource::new(name, stream, info(None))?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "\u{a0}a",
            "a\u{a0}",
            "é",
            " é ",
            "\ta\n",
            "a b",
            "\u{3000}x\u{3000}",
            "~",
            "\u{7f}a",
            "\u{b}a",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    proptest! {
        #[test]
        fn trim_is_str_trim_on_any_text(s in "\\PC*|[ \\t\\u{a0}\\u{3000}a-z]{0,6}") {
            prop_assert_eq!(trim(&s), s.trim());
        }

        #[test]
        fn fields_iterate_as_they_are_got(fields in prop::collection::vec("\\PC{0,5}", 0..6)) {
            let row: Fields = fields.iter().map(String::as_str).collect();
            let got: Vec<&str> = (0..row.len()).map(|i| row.get(i).unwrap_or("")).collect();
            prop_assert_eq!(row.iter().collect::<Vec<_>>(), got);
            prop_assert_eq!(row.iter().collect::<Vec<_>>(), fields.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }
}
