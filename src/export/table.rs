//! Writes exported records to a CSV, JSON Lines or XLSX file, in flat memory.
//!
//! The columns of an export are only known once every record was seen, and a CSV needs its
//! header first, so records are spooled: [`Spool::push`] flattens each record (see
//! [`super::flatten`]), remembers its column names and appends it to a temporary file as one
//! JSON line of `[column index, value]` pairs; [`Spool::write`] reads the spool back and writes
//! the output in the chosen columns. Memory holds one record and the column names, whatever
//! the number of records.
//!
//! The output appears whole or not at all: it is written to a temporary file beside the
//! destination (`.bulkline-*.part`), flushed to disk and renamed into place at the end, so a
//! failure never leaves a file, let alone a partial one, at the destination. `-` writes to
//! standard output (CSV and JSON Lines only). A destination that exists and is not a regular
//! file (a FIFO, `/dev/null`) or is a symbolic link is written in place, since renaming over
//! it would replace the device, pipe or link.
//!
//! - CSV: UTF-8 with a BOM in a file (unless [`TableOptions::bom`] is off; never on stdout or
//!   a pipe, whose reader is a program) so spreadsheets read it as UTF-8, a header row, `,` between fields, lists joined with `;`. Unless
//!   [`TableOptions::raw`], every cell, header included, goes through [`neutralise`] so a
//!   spreadsheet never runs it as a formula.
//! - JSON Lines: one object per record, keys in column order, values as strings (lists as
//!   arrays of strings); a column the record lacks is left out of its line. Not neutralised.
//! - XLSX: one worksheet `export`, a bold, frozen header row with an autofilter, every value a
//!   string cell (a phone keeps its `+` and leading zeros, nothing is ever a formula), lists
//!   joined with `;`. An XLSX sheet holds at most 1,048,575 records and 16,384 columns, a cell
//!   at most 32,767 characters: an export beyond that is refused (use CSV or JSON Lines).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::{Map, Value};

use super::flatten::{Flat, flatten};
use crate::error::{Error, Result};
use crate::sink::{Part, open_special, part_beside, persist};

/// The format of an export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    Csv,
    Jsonl,
    Xlsx,
}

impl OutFormat {
    /// The format named by `path`'s extension (`.csv`, `.jsonl` or `.ndjson`, `.xlsx`; any
    /// case), or `None`.
    pub fn from_path(path: &str) -> Option<OutFormat> {
        let ext = Path::new(path).extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(OutFormat::Csv),
            "jsonl" | "ndjson" => Some(OutFormat::Jsonl),
            "xlsx" => Some(OutFormat::Xlsx),
            _ => None,
        }
    }
}

/// How an export file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableOptions {
    pub format: OutFormat,
    /// CSV only: start with a UTF-8 byte order mark.
    pub bom: bool,
    /// CSV only: write cells as they are, without [`neutralise`].
    pub raw: bool,
}

/// The most data rows an XLSX worksheet holds under its header row.
const XLSX_MAX_RECORDS: u64 = 1_048_575;
/// The most columns of an XLSX worksheet.
const XLSX_MAX_COLUMNS: usize = 16_384;
/// The most characters (UTF-16 code units) of an XLSX cell.
const XLSX_MAX_CELL: usize = 32_767;
/// Above this estimate of the sheet's size, the XLSX zip uses ZIP64 (a part over 4 GiB).
const XLSX_ZIP64_BYTES: u64 = 3 << 30;
/// Column widths of an XLSX sheet, from the header length.
const XLSX_MIN_WIDTH: usize = 10;
const XLSX_MAX_WIDTH: usize = 50;
/// The name of an XLSX export's worksheet.
const SHEET: &str = "export";

/// Makes a CSV cell safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return, which a spreadsheet may run as a formula, gets a leading `'`,
/// unless it is a plain number.
///
/// A plain number is an optional sign, then one or more ASCII digits, then optionally a `.`
/// and one or more digits: `+14155550123`, `-12.5` and `+0044` are kept as they are;
/// `=1+2`, `+1 (415) 555-0100`, `-`, `-.5`, `@x` and `=HYPERLINK(...)` become `'=1+2` and so
/// on. Any other cell is kept as it is.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') if !is_plain_number(cell) => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

/// An optional sign, digits, and optionally `.` and more digits.
fn is_plain_number(cell: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    match unsigned.split_once('.') {
        Some((int, frac)) => digits(int) && digits(frac),
        None => digits(unsigned),
    }
}

/// Flattened records kept in a temporary file until the columns are known.
pub struct Spool {
    file: BufWriter<File>,
    /// Every column name, in first-seen order.
    seen: Vec<String>,
    index: HashMap<String, usize>,
    /// For each column, the number of the last record that had it (to drop repeats).
    last: Vec<u64>,
    records: u64,
}

impl Spool {
    /// An empty spool in a temporary file of the system's temporary directory (removed when
    /// the spool is dropped).
    pub fn new() -> Result<Spool> {
        let file = tempfile::tempfile()
            .map_err(|e| Error::io("cannot create a temporary file in", std::env::temp_dir(), e))?;
        Ok(Spool {
            file: BufWriter::with_capacity(1 << 16, file),
            seen: Vec::new(),
            index: HashMap::new(),
            last: Vec::new(),
            records: 0,
        })
    }

    /// Flattens `record` and appends it. When two of its cells flatten to the same name (a key
    /// `a.b` beside an object `a` with a key `b`), the first one is kept.
    pub fn push(&mut self, record: &Map<String, Value>) -> Result<()> {
        self.records += 1;
        let mut cells: Vec<(usize, Flat)> = Vec::with_capacity(record.len());
        for (name, flat) in flatten(record) {
            let i = self.column(name);
            if self.last[i] != self.records {
                self.last[i] = self.records;
                cells.push((i, flat));
            }
        }
        let res = serde_json::to_writer(&mut self.file, &cells)
            .map_err(io::Error::from)
            .and_then(|()| self.file.write_all(b"\n"));
        res.map_err(|e| Error::io("cannot write a temporary file in", std::env::temp_dir(), e))
    }

    /// The index of column `name`, added when new.
    fn column(&mut self, name: String) -> usize {
        if let Some(&i) = self.index.get(&name) {
            return i;
        }
        let i = self.seen.len();
        self.seen.push(name.clone());
        self.index.insert(name, i);
        self.last.push(0);
        i
    }

    /// Every column name seen, in first-seen order.
    pub fn seen(&self) -> &[String] {
        &self.seen
    }

    /// The number of records pushed.
    pub fn len(&self) -> u64 {
        self.records
    }

    /// Whether no record was pushed.
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    /// Writes every record to `path` (`-` for standard output) in `columns`, and returns the
    /// number of records written. A column no record had is empty; a seen column not in
    /// `columns` is left out. With no columns at all, a CSV holds only its BOM and an XLSX an
    /// empty sheet, while JSON Lines has an empty object per record.
    pub fn write(self, path: &str, columns: &[String], options: &TableOptions) -> Result<u64> {
        let to_stdout = path == "-" || path == "/dev/stdout";
        if to_stdout && options.format == OutFormat::Xlsx {
            return Err(Error::Usage(
                "an XLSX file cannot be written to standard output: give a file name, \
                 such as contacts.xlsx"
                    .into(),
            ));
        }
        if let Some(dup) = first_duplicate(columns) {
            return Err(Error::Usage(format!("column `{dup}` is named twice")));
        }
        if options.format == OutFormat::Xlsx {
            check_xlsx_size(self.records, columns.len())?;
        }
        let positions = self.positions(columns);
        let records = self.records;
        let mut rows = self.read_back(positions, columns.len())?;
        let dest = Dest::open(path)?;
        let name = dest.name();
        // A byte-order mark tells a spreadsheet that a file is UTF-8; stdout and pipes carry
        // data for programs, which would read it as part of the first header.
        let options = &TableOptions {
            bom: options.bom && dest.is_file(),
            ..*options
        };
        let mut out = BufWriter::with_capacity(1 << 18, dest.writer()?);
        let written = match options.format {
            OutFormat::Csv => write_csv(&mut out, &mut rows, columns, options, &name),
            OutFormat::Jsonl => write_jsonl(&mut out, &mut rows, columns, &name),
            OutFormat::Xlsx => {
                let large = rows.bytes + records * columns.len() as u64 * 48 > XLSX_ZIP64_BYTES;
                write_xlsx(&mut out, &mut rows, columns, large, &name)
            }
        }
        .and_then(|n| {
            out.flush()
                .map_err(|e| Error::io("cannot write", &name, e))?;
            Ok(n)
        })
        // A reader of stdout that went away (`| head`) ends the export quietly.
        .map_err(|e| {
            if to_stdout {
                crate::stdout::classify(e)
            } else {
                e
            }
        })?;
        drop(out);
        dest.finish()?;
        Ok(written)
    }

    /// For each seen column, its position in `columns`, if chosen.
    fn positions(&self, columns: &[String]) -> Vec<Option<usize>> {
        let mut positions = vec![None; self.seen.len()];
        for (pos, name) in columns.iter().enumerate() {
            if let Some(&i) = self.index.get(name) {
                positions[i] = Some(pos);
            }
        }
        positions
    }

    /// A reader of the spooled records, from the first.
    fn read_back(self, positions: Vec<Option<usize>>, width: usize) -> Result<Rows> {
        let mut file = self
            .file
            .into_inner()
            .map_err(|e| spool_err(e.into_error()))?;
        let bytes = file.stream_position().map_err(spool_err)?;
        file.seek(SeekFrom::Start(0)).map_err(spool_err)?;
        Ok(Rows {
            reader: BufReader::with_capacity(1 << 16, file),
            line: String::new(),
            positions,
            row: vec![None; width],
            bytes,
        })
    }
}

fn spool_err(e: io::Error) -> Error {
    Error::io(
        "cannot read back a temporary file in",
        std::env::temp_dir(),
        e,
    )
}

/// The first name that appears twice in `columns`.
fn first_duplicate(columns: &[String]) -> Option<&str> {
    let mut taken = std::collections::HashSet::new();
    columns
        .iter()
        .find(|c| !taken.insert(c.as_str()))
        .map(String::as_str)
}

/// Refuses an XLSX export that does not fit one worksheet.
fn check_xlsx_size(records: u64, columns: usize) -> Result<()> {
    if records > XLSX_MAX_RECORDS {
        return Err(Error::Usage(format!(
            "{records} records do not fit an XLSX worksheet (at most {XLSX_MAX_RECORDS} under \
             the header): export to .csv or .jsonl instead"
        )));
    }
    if columns > XLSX_MAX_COLUMNS {
        return Err(Error::Usage(format!(
            "{columns} columns do not fit an XLSX worksheet (at most {XLSX_MAX_COLUMNS}): \
             choose fewer with --columns, or export to .csv or .jsonl"
        )));
    }
    Ok(())
}

/// The spooled records, read back one at a time as rows of the chosen columns.
struct Rows {
    reader: BufReader<File>,
    line: String,
    /// For each seen column, its position in the row.
    positions: Vec<Option<usize>>,
    row: Vec<Option<Flat>>,
    /// The size of the spool.
    bytes: u64,
}

impl Rows {
    /// The next record's row (`None` for a column it lacks), or `None` after the last.
    fn next_row(&mut self) -> Result<Option<&[Option<Flat>]>> {
        self.line.clear();
        if self.reader.read_line(&mut self.line).map_err(spool_err)? == 0 {
            return Ok(None);
        }
        let cells: Vec<(usize, Flat)> =
            serde_json::from_str(&self.line).map_err(|e| spool_err(e.into()))?;
        self.row.iter_mut().for_each(|c| *c = None);
        for (i, flat) in cells {
            if let Some(&Some(pos)) = self.positions.get(i) {
                self.row[pos] = Some(flat);
            }
        }
        Ok(Some(&self.row))
    }
}

/// Where the output goes.
enum Dest {
    Stdout,
    /// An existing special file or symbolic link, written in place.
    InPlace(File, PathBuf),
    /// A temporary file beside the destination, renamed onto it at the end.
    Temp(Part, PathBuf),
}

impl Dest {
    fn open(path: &str) -> Result<Dest> {
        if path == "-" || path == "/dev/stdout" {
            // The process's own stdout: opening /dev/stdout anew would start at offset 0 of a
            // redirected file, over what is already there.
            return Ok(Dest::Stdout);
        }
        let p = PathBuf::from(path);
        if let Some(file) = open_special(&p)? {
            return Ok(Dest::InPlace(file, p));
        }
        Ok(Dest::Temp(part_beside(&p)?, p))
    }

    /// Whether the destination is a file (a regular file, perhaps through a link), not stdout,
    /// a pipe or a device.
    fn is_file(&self) -> bool {
        match self {
            Dest::Stdout => false,
            Dest::InPlace(f, _) => f.metadata().is_ok_and(|m| m.is_file()),
            Dest::Temp(..) => true,
        }
    }

    /// The destination's name for messages.
    fn name(&self) -> PathBuf {
        match self {
            Dest::Stdout => PathBuf::from("standard output"),
            Dest::InPlace(_, p) | Dest::Temp(_, p) => p.clone(),
        }
    }

    fn writer(&self) -> Result<Box<dyn Write + Send>> {
        match self {
            Dest::Stdout => Ok(Box::new(io::stdout())),
            Dest::InPlace(f, p) => f
                .try_clone()
                .map(|f| Box::new(f) as Box<dyn Write + Send>)
                .map_err(|e| Error::io("cannot write", p, e)),
            Dest::Temp(t, p) => t
                .file
                .as_file()
                .try_clone()
                .map(|f| Box::new(f) as Box<dyn Write + Send>)
                .map_err(|e| Error::io("cannot write", p, e)),
        }
    }

    /// Moves a temporary file into place, once it is safely on disk.
    fn finish(self) -> Result<()> {
        if let Dest::Temp(temp, path) = self {
            persist(temp, &path)?;
        }
        Ok(())
    }
}

type Out = BufWriter<Box<dyn Write + Send>>;

fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// The text of a CSV cell: lists joined, neutralised unless `raw`.
fn csv_cell(text: Cow<'_, str>, raw: bool) -> Cow<'_, str> {
    if raw {
        return text;
    }
    match neutralise(&text) {
        Cow::Owned(safe) => Cow::Owned(safe),
        Cow::Borrowed(_) => text,
    }
}

fn write_csv(
    out: &mut Out,
    rows: &mut Rows,
    columns: &[String],
    options: &TableOptions,
    name: &Path,
) -> Result<u64> {
    let err = |e: io::Error| Error::io("cannot write", name, e);
    if options.bom {
        out.write_all(b"\xEF\xBB\xBF").map_err(err)?;
    }
    let mut w = csv::WriterBuilder::new().from_writer(&mut *out);
    if !columns.is_empty() {
        for column in columns {
            let text = csv_cell(Cow::Borrowed(column), options.raw);
            w.write_field(text.as_bytes()).map_err(|e| err(csv_io(e)))?;
        }
        w.write_record(None::<&[u8]>).map_err(|e| err(csv_io(e)))?;
    }
    let mut written = 0;
    while let Some(row) = rows.next_row()? {
        written += 1;
        if columns.is_empty() {
            continue;
        }
        for cell in row {
            let text = match cell {
                None => Cow::Borrowed(""),
                Some(Flat::Text(t)) => Cow::Borrowed(t.as_str()),
                Some(list) => Cow::Owned(list.joined()),
            };
            let text = csv_cell(text, options.raw);
            w.write_field(text.as_bytes()).map_err(|e| err(csv_io(e)))?;
        }
        w.write_record(None::<&[u8]>).map_err(|e| err(csv_io(e)))?;
    }
    w.flush().map_err(err)?;
    Ok(written)
}

fn write_jsonl(out: &mut Out, rows: &mut Rows, columns: &[String], name: &Path) -> Result<u64> {
    let err = |e: io::Error| Error::io("cannot write", name, e);
    let mut written = 0;
    while let Some(row) = rows.next_row()? {
        written += 1;
        let mut obj = Map::new();
        for (column, cell) in columns.iter().zip(row) {
            let value = match cell {
                None => continue,
                Some(Flat::Text(t)) => Value::String(t.clone()),
                Some(Flat::List(items)) => {
                    Value::Array(items.iter().cloned().map(Value::String).collect())
                }
            };
            obj.insert(column.clone(), value);
        }
        serde_json::to_writer(&mut *out, &obj).map_err(|e| err(e.into()))?;
        out.write_all(b"\n").map_err(err)?;
    }
    Ok(written)
}

/// An XLSX library error as the tool's error.
fn xlsx_err(name: &Path, e: XlsxError) -> Error {
    match e {
        XlsxError::IoError(e) => Error::io("cannot write", name, e),
        XlsxError::TempFileError(dir, e) => Error::io("cannot create a temporary file in", dir, e),
        other => Error::Internal(format!("writing the XLSX file {}: {other}", name.display())),
    }
}

/// A cell's text as an XLSX string cell holds it, or an error naming where it does not fit.
fn xlsx_text<'a>(text: &'a str, record: u64, column: &str) -> Result<&'a str> {
    // UTF-8 bytes are never fewer than UTF-16 units: count the units of long cells only.
    if text.len() > XLSX_MAX_CELL && text.encode_utf16().count() > XLSX_MAX_CELL {
        return Err(Error::Usage(format!(
            "record {record}, column `{column}`: {} characters do not fit an XLSX cell (at \
             most {XLSX_MAX_CELL}): export to .csv or .jsonl instead",
            text.chars().count()
        )));
    }
    Ok(text)
}

fn write_xlsx(
    out: &mut Out,
    rows: &mut Rows,
    columns: &[String],
    large: bool,
    name: &Path,
) -> Result<u64> {
    let xerr = |e: XlsxError| xlsx_err(name, e);
    let mut book = Workbook::new();
    book.use_zip_large_file(large);
    let sheet = book.add_worksheet_with_constant_memory().map_err(xerr)?;
    sheet.set_name(SHEET).map_err(xerr)?;
    let bold = Format::new().set_bold();
    // Columns are at most XLSX_MAX_COLUMNS (checked before), so they fit a u16.
    for (c, column) in (0u16..).zip(columns) {
        let width = column.chars().count().clamp(XLSX_MIN_WIDTH, XLSX_MAX_WIDTH);
        sheet.set_column_width(c, width as f64).map_err(xerr)?;
        let text = xlsx_text(column, 0, column)?;
        sheet
            .write_string_with_format(0, c, text, &bold)
            .map_err(xerr)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xerr)?;
    let mut written: u32 = 0;
    while let Some(row) = rows.next_row()? {
        // Records are at most XLSX_MAX_RECORDS (checked before), so rows fit a u32.
        written += 1;
        for ((c, column), cell) in (0u16..).zip(columns).zip(row) {
            let text = match cell {
                None => continue,
                Some(Flat::Text(t)) => Cow::Borrowed(t.as_str()),
                Some(list) => Cow::Owned(list.joined()),
            };
            if text.is_empty() {
                continue;
            }
            let text = xlsx_text(&text, u64::from(written), column)?;
            sheet.write_string(written, c, text).map_err(xerr)?;
        }
    }
    if let Some(last) = columns.len().checked_sub(1) {
        let last = u16::try_from(last).map_err(|_| Error::Internal("too many columns".into()))?;
        sheet.autofilter(0, 0, written, last).map_err(xerr)?;
    }
    book.save_to_writer(&mut *out).map_err(xerr)?;
    Ok(u64::from(written))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::testutil::{
        assert_cases, assert_pipe, assert_symlink, linked_file, pipe_with_reader,
    };

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn opts(format: OutFormat) -> TableOptions {
        TableOptions {
            format,
            bom: true,
            raw: false,
        }
    }

    fn read_text(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    /// Writes `spool` to `path` with `columns`, in `format` with the default options.
    fn write_to(
        spool: Spool,
        path: &Path,
        columns: &[impl AsRef<str>],
        format: OutFormat,
    ) -> Result<u64> {
        let columns: Vec<String> = columns.iter().map(|c| c.as_ref().to_string()).collect();
        spool.write(path.to_str().unwrap(), &columns, &opts(format))
    }

    /// A spool of three records: a formula, an E.164 number, a list, a big id, nesting.
    fn sample() -> Spool {
        let mut spool = Spool::new().unwrap();
        let records = [
            r#"{"id": 460000000026049, "name": "=1+2", "mobile": "+14155550123",
                "tags": ["vip", "lead"], "owner": {"name": "Ann"}}"#,
            r#"{"id": 460000000026050, "name": "Bo, \"Jr\"", "mobile": "007",
                "note": "@x", "ok": true}"#,
            r#"{"name": "-", "mobile": null}"#,
        ];
        for r in records {
            spool.push(&serde_json::from_str(r).unwrap()).unwrap();
        }
        spool
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn formats_from_extensions() {
        for (path, format) in [
            ("a.csv", Some(OutFormat::Csv)),
            ("dir/A.CSV", Some(OutFormat::Csv)),
            ("a.jsonl", Some(OutFormat::Jsonl)),
            ("a.NDJSON", Some(OutFormat::Jsonl)),
            ("a.Xlsx", Some(OutFormat::Xlsx)),
            ("a.tsv", None),
            ("a.json", None),
            ("-", None),
            ("csv", None),
        ] {
            assert_eq!(OutFormat::from_path(path), format, "{path}");
        }
    }

    #[test]
    fn neutralise_cases() {
        let cases = [
            ("=1+2", "'=1+2"),
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+1 (415) 555-0100", "'+1 (415) 555-0100"),
            ("-", "'-"),
            ("+", "'+"),
            ("-.5", "'-.5"),
            ("-12.", "'-12."),
            ("1-2", "1-2"),
            ("@x", "'@x"),
            ("@", "'@"),
            ("\tx", "'\tx"),
            ("\r=1", "'\r=1"),
            ("--1", "'--1"),
            ("+1.2.3", "'+1.2.3"),
            ("-1e5", "'-1e5"),
            ("+14155550123", "+14155550123"),
            ("-12.5", "-12.5"),
            ("+0044", "+0044"),
            ("-0", "-0"),
            ("12.5", "12.5"),
            ("007", "007"),
            ("", ""),
            ("Ann", "Ann"),
            (" =1", " =1"),
            ("a=b", "a=b"),
            ("'=1", "'=1"),
        ];
        assert_cases(neutralise, cases);
        assert!(matches!(neutralise("+0044"), Cow::Borrowed(_)));
    }

    #[test]
    fn spool_remembers_columns_in_first_seen_order() {
        let spool = sample();
        assert_eq!(spool.len(), 3);
        assert!(!spool.is_empty());
        assert_eq!(
            spool.seen(),
            strings(&["id", "name", "mobile", "tags", "owner.name", "note", "ok"])
        );
    }

    #[test]
    fn csv_round_trip_with_bom_and_neutralising() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let p = path.to_str().unwrap();
        let columns = strings(&["id", "name", "mobile", "tags", "note", "missing"]);
        let n = sample().write(p, &columns, &opts(OutFormat::Csv)).unwrap();
        assert_eq!(n, 3);
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        assert_eq!(
            text,
            "id,name,mobile,tags,note,missing\n\
             460000000026049,'=1+2,+14155550123,vip;lead,,\n\
             460000000026050,\"Bo, \"\"Jr\"\"\",007,,'@x,\n\
             ,'-,,,,\n"
        );
        let mut r = csv::Reader::from_reader(&bytes[3..]);
        assert_eq!(r.headers().unwrap(), columns.as_slice());
        let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        assert_eq!(&rows[1][1], "Bo, \"Jr\"");
        assert_eq!(entries(dir.path()), ["out.csv"], "no temporary file left");
    }

    #[test]
    fn csv_raw_and_without_bom() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let options = TableOptions {
            format: OutFormat::Csv,
            bom: false,
            raw: true,
        };
        let columns = strings(&["name", "mobile"]);
        sample()
            .write(path.to_str().unwrap(), &columns, &options)
            .unwrap();
        assert_eq!(
            read_text(&path),
            "name,mobile\n=1+2,+14155550123\n\"Bo, \"\"Jr\"\"\",007\n-,\n"
        );
    }

    #[test]
    fn empty_exports_keep_their_header() {
        let dir = tempfile::tempdir().unwrap();
        let columns = strings(&["id", "mobile"]);
        let csv = dir.path().join("e.csv");
        let n = write_to(Spool::new().unwrap(), &csv, &columns, OutFormat::Csv).unwrap();
        assert_eq!(n, 0);
        assert_eq!(std::fs::read(&csv).unwrap(), b"\xEF\xBB\xBFid,mobile\n");

        let jsonl = dir.path().join("e.jsonl");
        write_to(Spool::new().unwrap(), &jsonl, &columns, OutFormat::Jsonl).unwrap();
        assert_eq!(std::fs::read(&jsonl).unwrap(), b"");

        let xlsx = dir.path().join("e.xlsx");
        write_to(Spool::new().unwrap(), &xlsx, &columns, OutFormat::Xlsx).unwrap();
        assert_eq!(read_xlsx(&xlsx), vec![columns]);

        let none = dir.path().join("none.csv");
        Spool::new()
            .unwrap()
            .write(none.to_str().unwrap(), &[], &opts(OutFormat::Csv))
            .unwrap();
        assert_eq!(std::fs::read(&none).unwrap(), b"\xEF\xBB\xBF");
    }

    #[test]
    fn jsonl_lines_parse_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let columns = strings(&["mobile", "id", "name", "tags", "ok", "missing"]);
        let n = write_to(sample(), &path, &columns, OutFormat::Jsonl).unwrap();
        assert_eq!(n, 3);
        let text = read_text(&path);
        assert!(!text.starts_with('\u{feff}'));
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            lines,
            [
                json!({"mobile": "+14155550123", "id": "460000000026049", "name": "=1+2",
                       "tags": ["vip", "lead"]}),
                json!({"mobile": "007", "id": "460000000026050", "name": "Bo, \"Jr\"",
                       "ok": "true"}),
                json!({"mobile": "", "name": "-"}),
            ]
        );
        let keys: Vec<&String> = lines[0].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["mobile", "id", "name", "tags"],
            "keys in column order"
        );
    }

    /// Every cell of the `export` sheet as text, rows from the top-left corner.
    fn read_xlsx(path: &Path) -> Vec<Vec<String>> {
        use calamine::{Data, Reader, Xlsx, open_workbook};
        let mut book: Xlsx<_> = open_workbook(path).unwrap();
        assert_eq!(book.sheet_names(), ["export"]);
        let range = book.worksheet_range("export").unwrap();
        let (rows, cols) = match range.end() {
            Some((r, c)) => (r + 1, c + 1),
            None => (0, 0),
        };
        (0..rows)
            .map(|r| {
                (0..cols)
                    .map(|c| match range.get_value((r, c)) {
                        None | Some(Data::Empty) => String::new(),
                        Some(Data::String(s)) => s.clone(),
                        Some(other) => panic!("cell ({r}, {c}) is not text: {other:?}"),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn xlsx_cells_are_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.xlsx");
        let mut spool = sample();
        spool
            .push(&obj(
                json!({"name": "ctl\u{1}_x0041_ & <b>", "mobile": "+0044"}),
            ))
            .unwrap();
        let columns = strings(&["id", "name", "mobile", "tags", "owner.name", "missing"]);
        let n = write_to(spool, &path, &columns, OutFormat::Xlsx).unwrap();
        assert_eq!(n, 4);
        let want: Vec<Vec<String>> = [
            &["id", "name", "mobile", "tags", "owner.name", "missing"][..],
            &[
                "460000000026049",
                "=1+2",
                "+14155550123",
                "vip;lead",
                "Ann",
                "",
            ],
            &["460000000026050", "Bo, \"Jr\"", "007", "", "", ""],
            &["", "-", "", "", "", ""],
            &["", "ctl\u{1}_x0041_ & <b>", "+0044", "", "", ""],
        ]
        .iter()
        .map(|r| strings(r))
        .collect();
        assert_eq!(read_xlsx(&path), want);
        assert_eq!(entries(dir.path()), ["out.xlsx"], "no temporary file left");
    }

    #[test]
    fn xlsx_to_stdout_is_refused() {
        let err = sample()
            .write("-", &strings(&["id"]), &opts(OutFormat::Xlsx))
            .unwrap_err();
        assert!(matches!(err, Error::Usage(_)), "{err}");
    }

    #[test]
    fn duplicate_columns_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let err = write_to(sample(), &path, &["id", "id"], OutFormat::Csv).unwrap_err();
        assert!(matches!(err, Error::Usage(_)), "{err}");
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn a_missing_directory_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope").join("out.csv");
        let err = write_to(sample(), &path, &["id"], OutFormat::Csv).unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        assert!(!path.exists());
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn a_failure_midway_leaves_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.xlsx");
        std::fs::write(&path, "the previous export").unwrap();
        let mut spool = sample();
        spool
            .push(&obj(json!({"name": "x".repeat(XLSX_MAX_CELL + 1)})))
            .unwrap();
        let err = write_to(spool, &path, &["name"], OutFormat::Xlsx).unwrap_err();
        assert!(matches!(err, Error::Usage(_)), "{err}");
        assert_eq!(entries(dir.path()), ["out.xlsx"], "no temporary file left");
        assert_eq!(read_text(&path), "the previous export");
    }

    #[test]
    fn a_directory_destination_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_to(sample(), dir.path(), &["id"], OutFormat::Csv).unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn a_symlink_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let old = "old content, longer than the new one\n".repeat(10);
        let (real, link) = linked_file(dir.path(), &old);
        let options = TableOptions {
            format: OutFormat::Csv,
            bom: false,
            raw: false,
        };
        sample()
            .write(link.to_str().unwrap(), &strings(&["mobile"]), &options)
            .unwrap();
        assert_symlink(&link);
        assert_eq!(read_text(&real), "mobile\n+14155550123\n007\n\"\"\n");
    }

    /// The sample's ids written as `format` into a named pipe: what its reader got. The
    /// pipe is written in place: it stays a pipe.
    fn through_a_pipe(format: OutFormat) -> String {
        let dir = tempfile::tempdir().unwrap();
        let (fifo, reader) = pipe_with_reader(dir.path());
        write_to(sample(), &fifo, &["id"], format).unwrap();
        let text = reader.join().unwrap();
        assert_pipe(&fifo);
        text
    }

    #[test]
    fn a_pipe_is_written_in_place() {
        assert_eq!(
            through_a_pipe(OutFormat::Jsonl),
            "{\"id\":\"460000000026049\"}\n{\"id\":\"460000000026050\"}\n{}\n"
        );
    }

    #[test]
    fn a_pipe_gets_no_byte_order_mark() {
        // The options ask for one (as `export` does by default): a file would get it.
        assert_eq!(
            through_a_pipe(OutFormat::Csv),
            "id\n460000000026049\n460000000026050\n\"\"\n"
        );
    }

    #[test]
    fn ten_thousand_records() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::new().unwrap();
        for i in 0..10_000u64 {
            let mut r = obj(json!({
                "id": 460000000000000u64 + i,
                "mobile": format!("+1415555{:04}", i % 10_000),
                "tags": ["a", "b"],
            }));
            if i % 1000 == 0 {
                r.insert(format!("rare_{i}"), json!("x"));
            }
            spool.push(&r).unwrap();
        }
        assert_eq!(spool.seen().len(), 13);
        let columns = super::super::columns::order(&["id", "mobile"], spool.seen(), None);
        assert_eq!(columns[..3], strings(&["id", "mobile", "rare_0"]));
        let path = dir.path().join("big.csv");
        let n = write_to(spool, &path, &columns, OutFormat::Csv).unwrap();
        assert_eq!(n, 10_000);
        let mut r = csv::Reader::from_path(&path).unwrap();
        let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 10_000);
        assert_eq!(&rows[9_999][0], "460000000009999");
        assert_eq!(&rows[9_999][1], "+14155559999");

        let mut spool = Spool::new().unwrap();
        for i in 0..10_000u64 {
            spool
                .push(&obj(json!({"id": i, "mobile": format!("+1{i:010}")})))
                .unwrap();
        }
        let path = dir.path().join("big.xlsx");
        let columns = strings(&["id", "mobile"]);
        let n = write_to(spool, &path, &columns, OutFormat::Xlsx).unwrap();
        assert_eq!(n, 10_000);
        let cells = read_xlsx(&path);
        assert_eq!(cells.len(), 10_001);
        assert_eq!(cells[10_000], strings(&["9999", "+10000009999"]));
    }

    #[test]
    fn repeated_names_in_a_record_keep_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::new().unwrap();
        spool
            .push(&obj(json!({"a.b": "flat", "a": {"b": "nested"}})))
            .unwrap();
        assert_eq!(spool.seen(), ["a.b"]);
        let path = dir.path().join("out.jsonl");
        write_to(spool, &path, &["a.b"], OutFormat::Jsonl).unwrap();
        assert_eq!(read_text(&path), "{\"a.b\":\"flat\"}\n");
    }

    #[test]
    fn xlsx_size_limits() {
        assert!(check_xlsx_size(XLSX_MAX_RECORDS, XLSX_MAX_COLUMNS).is_ok());
        assert!(check_xlsx_size(XLSX_MAX_RECORDS + 1, 1).is_err());
        assert!(check_xlsx_size(1, XLSX_MAX_COLUMNS + 1).is_err());
    }
}
