//! Spreadsheet reader (xlsx, xlsm, xlsb, xls, ods) through calamine. One sheet (the first, or
//! `--sheet NAME|N`); its first non-empty row is the header. Cells become text as a person
//! sees them in the spreadsheet: a phone typed as a number stays its digits, a date is ISO,
//! a formula is its cached value. A row's `_row` is its data row, as in every format (1 = the
//! first row after the header, blank rows counted as the CSV a spreadsheet saves counts
//! them); the reports put its number in the sheet beside it (`_sheet_row`), to find it in Excel.
//!
//! Every cell is read or reported, as CSV fields are: a row with non-empty cells to the right
//! of the header's last column is `row_ragged` (the extra cells listed), a number that is not
//! finite (NaN, infinity) or a text holding a NUL byte is `cell_invalid`. A row is blank only
//! when every cell of it, beyond the header too, is empty.
//!
//! The workbook is first checked against the [limits](super::limits) (see
//! [`super::workbook_check`]), then read on a thread of its own that hands rows over a bounded
//! channel: an xlsx or xlsb sheet is streamed cell by cell (only the shared strings stay in
//! memory); xls and ods sheets are read whole by calamine first. Rows are kept sparse (the
//! cells that hold something), and handed on in chunks bounded in rows and in bytes.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use calamine::{Cell, Data, DataRef, DataType, Ods, Reader, Sheets, Xls, Xlsb, Xlsx};

use super::limits::{self, size};
use super::{Batch, Fields, RawRow, Schema, Source, SourceInfo, Values, nul};
use crate::error::{Error, Result};
use crate::reject::{Code, Rejection, Stage};

/// Rows handed over at a time (at most: a chunk is also closed at [`limits::BATCH_BYTES`]),
/// and how many such chunks may wait.
const CHUNK: usize = 1024;
const CHUNKS_AHEAD: usize = 4;

/// The columns a sheet has (A to XFD): a header cell beyond them is refused.
const MAX_COLUMNS: u32 = 16_384;

/// How much of an extra cell's text a ragged row's message quotes.
const QUOTED: usize = 60;

pub use super::workbook_check::ReadSeek;

/// Opens the workbook's bytes from the start, as many times as it takes to find its format.
pub type Opener = Box<dyn Fn() -> std::io::Result<Box<dyn ReadSeek>> + Send>;

type Book = Sheets<Box<dyn ReadSeek>>;

/// A workbook held in memory (read from standard input), shared by every opening.
#[derive(Debug, Clone)]
pub struct SharedBytes(pub Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Opens the workbook as the format its extension names first, then as the others.
fn open_book(open: &Opener, ext: Option<&str>) -> std::result::Result<Book, String> {
    const ALL: [&str; 4] = ["xlsx", "ods", "xlsb", "xls"];
    let first = match ext {
        Some("xlsm") => Some("xlsx"),
        Some(e) if ALL.contains(&e) => Some(e),
        _ => None,
    };
    let order = first
        .into_iter()
        .chain(ALL.into_iter().filter(|k| Some(*k) != first));
    let mut errors = Vec::new();
    for kind in order {
        let data = open().map_err(|e| format!("cannot read: {e}"))?;
        let book = match kind {
            "xlsx" => Xlsx::new(data).map(Sheets::Xlsx).map_err(|e| e.to_string()),
            "ods" => Ods::new(data).map(Sheets::Ods).map_err(|e| e.to_string()),
            "xlsb" => Xlsb::new(data).map(Sheets::Xlsb).map_err(|e| e.to_string()),
            _ => Xls::new(data).map(Sheets::Xls).map_err(|e| e.to_string()),
        };
        match book {
            Ok(b) => return Ok(b),
            Err(e) => errors.push(format!("as {kind}: {e}")),
        }
    }
    Err(errors.join("; "))
}

/// One row as read: its cells that hold something, by column.
#[derive(Debug, Clone, Default, PartialEq)]
struct SheetRow {
    /// The row's number in the sheet (from 1).
    number: u64,
    /// (column from 0, text), in the order read; empty cells are left out.
    cells: Vec<(u32, String)>,
    /// The column of the first cell holding a value no person could have typed (a number
    /// that is not finite); its text is the value as shown.
    odd: Option<u32>,
    /// The text of its cells, all together.
    bytes: usize,
}

impl SheetRow {
    fn new(number: u64) -> SheetRow {
        SheetRow {
            number,
            ..SheetRow::default()
        }
    }

    /// Adds the cell at column `col`; an error when the cell or the row holds more text than
    /// one may.
    fn add(&mut self, col: u32, value: Value<'_>) -> std::result::Result<(), String> {
        let at = || format!("{}{}", column_letters(col), self.number);
        if let Value::Text(s) = &value
            && s.len() > limits::CELL_BYTES
        {
            return Err(format!(
                "cell {} holds {} bytes of text, over {} (the limit for one cell): {}",
                at(),
                s.len(),
                size(limits::CELL_BYTES as u64),
                limits::SAVE_AS_CSV
            ));
        }
        let (text, odd) = match cell_text(value) {
            Ok(text) => (text, false),
            Err(shown) => (shown, true),
        };
        if text.is_empty() {
            return Ok(());
        }
        self.bytes += text.len();
        if self.bytes > limits::ROW_BYTES {
            return Err(format!(
                "row {} holds more than {} of text (the limit for one row): {}",
                self.number,
                size(limits::ROW_BYTES as u64),
                limits::SAVE_AS_CSV
            ));
        }
        if odd {
            self.odd.get_or_insert(col);
        }
        self.cells.push((col, text));
        Ok(())
    }

    /// Whether every cell is empty (or blank space).
    fn is_blank(&self) -> bool {
        self.odd.is_none() && self.cells.iter().all(|(_, t)| t.trim().is_empty())
    }
}

/// A column's letters: 0 is `A`, 25 `Z`, 26 `AA`, 16383 `XFD`.
pub fn column_letters(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// What the reading thread sends.
enum Msg {
    /// The header row's number in the sheet and its names, in column order.
    Header(u64, Vec<String>),
    /// Data rows.
    Rows(Vec<SheetRow>),
    /// The workbook or the sheet could not be read.
    Fail(String),
}

/// A sheet of a workbook, row by row.
pub struct SheetSource {
    name: String,
    info: SourceInfo,
    schema: Arc<Schema>,
    rx: Receiver<Msg>,
    pending: std::collections::VecDeque<SheetRow>,
    finished: bool,
    _thread: Option<JoinHandle<()>>,
}

/// A value of a cell, whichever reader gave it.
enum Value<'a> {
    Int(i64),
    Float(f64),
    Text(&'a str),
    Bool(bool),
    Date { serial: f64, duration: bool },
    Error(String),
    Empty,
}

impl<'a> From<&'a DataRef<'a>> for Value<'a> {
    fn from(d: &'a DataRef<'a>) -> Value<'a> {
        value_of(d)
    }
}

impl<'a> From<&'a Data> for Value<'a> {
    fn from(d: &'a Data) -> Value<'a> {
        value_of(d)
    }
}

/// The value of a cell of either reader's type (exactly one getter answers for a cell).
fn value_of<T: DataType>(d: &T) -> Value<'_> {
    let text = || {
        d.get_string()
            .or_else(|| d.get_datetime_iso())
            .or_else(|| d.get_duration_iso())
    };
    if let Some(i) = d.get_int() {
        Value::Int(i)
    } else if let Some(f) = d.get_float() {
        Value::Float(f)
    } else if let Some(s) = text() {
        Value::Text(s)
    } else if let Some(b) = d.get_bool() {
        Value::Bool(b)
    } else if let Some(t) = d.get_datetime() {
        Value::Date {
            serial: t.as_f64(),
            duration: t.is_duration(),
        }
    } else if let Some(e) = d.get_error() {
        Value::Error(e.to_string())
    } else {
        Value::Empty
    }
}

/// A number as a spreadsheet shows it in a general cell: whole numbers without a decimal
/// point or an exponent (`14155552671`, not `1.4155552671E10` or `14155552671.0`), others to
/// 15 significant digits (`0.3`, not `0.30000000000000004`). A number that is not finite (a
/// cell no spreadsheet shows: see [`cell_text`]) is as Rust writes it: `NaN`, `inf`, `-inf`.
pub fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return format!("{f}");
    }
    if f.fract() == 0.0 && f.abs() < 1e17 {
        return format!("{}", f as i64);
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    format!("{rounded}")
}

/// An Excel serial date (days since 1899-12-30, the time as the fraction) as ISO text: the
/// date alone when there is no time. Serials before 1900-03-01 follow Excel's 1900 calendar
/// (which counts a 29 February 1900). A duration is `H:MM:SS`. A serial that is not finite
/// is shown as a number (see [`number_text`]).
pub fn date_text(serial: f64, duration: bool) -> String {
    if !serial.is_finite() {
        return number_text(serial);
    }
    let total_seconds = (serial * 86_400.0).round() as i64;
    let (days, secs) = (
        total_seconds.div_euclid(86_400),
        total_seconds.rem_euclid(86_400),
    );
    let clock = format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    );
    if duration {
        let hours = total_seconds / 3600;
        let rest = total_seconds.rem_euclid(3600);
        return format!("{hours}:{:02}:{:02}", rest / 60, rest % 60);
    }
    // Excel's day 60 is the 29 February 1900 that never was; before it, the epoch is a day later.
    let epoch = if days < 61 {
        jiff::civil::date(1899, 12, 31)
    } else {
        jiff::civil::date(1899, 12, 30)
    };
    let Ok(date) = epoch.checked_add(jiff::Span::new().days(days)) else {
        return number_text(serial);
    };
    if secs == 0 {
        date.to_string()
    } else {
        format!("{date} {clock}")
    }
}

/// A cell's text, or `Err` with the value as shown when the cell holds a number (or a date's
/// serial) that is not finite: NaN or infinity, which calamine gives for `NaN`, `inf` or
/// `1e400` in the file. No spreadsheet program writes one.
fn cell_text(v: Value<'_>) -> std::result::Result<String, String> {
    Ok(match v {
        Value::Int(i) => i.to_string(),
        Value::Float(f) if !f.is_finite() => return Err(number_text(f)),
        Value::Float(f) => number_text(f),
        Value::Text(s) => s.to_string(),
        Value::Bool(true) => "TRUE".into(),
        Value::Bool(false) => "FALSE".into(),
        Value::Date { serial, .. } if !serial.is_finite() => return Err(number_text(serial)),
        Value::Date { serial, duration } => date_text(serial, duration),
        Value::Error(e) => e,
        Value::Empty => String::new(),
    })
}

/// Which sheet `wanted` names among `names`: by name (any case), else by its 1-based position.
fn pick_sheet(names: &[String], wanted: Option<&str>) -> std::result::Result<String, String> {
    let Some(wanted) = wanted.map(str::trim) else {
        return names
            .first()
            .cloned()
            .ok_or_else(|| "the workbook has no sheet".to_string());
    };
    if let Some(n) = names.iter().find(|n| n.eq_ignore_ascii_case(wanted)) {
        return Ok(n.clone());
    }
    if let Ok(i) = wanted.parse::<usize>()
        && (1..=names.len()).contains(&i)
    {
        return Ok(names[i - 1].clone());
    }
    Err(format!(
        "no sheet {wanted:?}: the workbook has {} (give --sheet NAME, or its position from 1)",
        names
            .iter()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// Collects the rows of a sheet and sends them: the first non-blank row as the header, the
/// others as data, in chunks bounded in rows and bytes.
struct Emitter {
    tx: SyncSender<Msg>,
    header_sent: bool,
    chunk: Vec<SheetRow>,
    chunk_bytes: usize,
}

impl Emitter {
    fn new(tx: SyncSender<Msg>) -> Emitter {
        Emitter {
            tx,
            header_sent: false,
            chunk: Vec::new(),
            chunk_bytes: 0,
        }
    }

    /// Takes a row; `Err` with a message when the sheet cannot be read on, `Ok(false)` when the
    /// receiver is gone.
    fn row(&mut self, row: SheetRow) -> std::result::Result<bool, String> {
        if row.is_blank() {
            return Ok(true);
        }
        if !self.header_sent {
            self.header_sent = true;
            let number = row.number;
            return Ok(self
                .tx
                .send(Msg::Header(number, header_names(row)?))
                .is_ok());
        }
        self.chunk_bytes += row.bytes;
        self.chunk.push(row);
        if self.chunk.len() >= CHUNK || self.chunk_bytes >= limits::BATCH_BYTES {
            self.chunk_bytes = 0;
            let chunk = std::mem::take(&mut self.chunk);
            return Ok(self.tx.send(Msg::Rows(chunk)).is_ok());
        }
        Ok(true)
    }

    fn fail(&self, message: String) {
        let _ = self.tx.send(Msg::Fail(message));
    }

    fn finish(mut self) {
        if !self.header_sent {
            return self.fail("the sheet is empty: there is no header row".into());
        }
        if !self.chunk.is_empty() {
            let _ = self.tx.send(Msg::Rows(std::mem::take(&mut self.chunk)));
        }
    }
}

/// The header's names, up to its last non-empty cell.
fn header_names(row: SheetRow) -> std::result::Result<Vec<String>, String> {
    let last = row
        .cells
        .iter()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(c, _)| *c)
        .max()
        .unwrap_or(0);
    if last >= MAX_COLUMNS {
        return Err(format!(
            "the header row (row {}) has a cell in column {}, beyond the {MAX_COLUMNS} columns \
             of a sheet",
            row.number,
            column_letters(last)
        ));
    }
    let mut names = vec![String::new(); last as usize + 1];
    for (c, text) in row.cells {
        if let Some(name) = names.get_mut(c as usize) {
            *name = text;
        }
    }
    if let Some(i) = names.iter().position(|n| nul::holds(n)) {
        return Err(format!(
            "the header's column {} holds a NUL byte: fix the header row",
            column_letters(i as u32)
        ));
    }
    Ok(names)
}

/// Streams a sheet through `next`, calamine's cell reader of an xlsx or xlsb sheet.
fn stream_cells<'a, E: std::fmt::Display>(
    sheet: &str,
    mut next: impl FnMut() -> std::result::Result<Option<Cell<DataRef<'a>>>, E>,
    emit: &mut Emitter,
) -> std::result::Result<(), String> {
    let mut row: Option<SheetRow> = None;
    loop {
        let cell = match next() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => return Err(format!("sheet {sheet:?}: {e}")),
        };
        let (r, c) = cell.get_position();
        let number = u64::from(r) + 1;
        if row.as_ref().is_some_and(|row| row.number != number)
            && let Some(done) = row.take()
            && !emit.row(done)?
        {
            return Ok(());
        }
        row.get_or_insert_with(|| SheetRow::new(number))
            .add(c, Value::from(cell.get_value()))?;
    }
    if let Some(done) = row {
        emit.row(done)?;
    }
    Ok(())
}

/// Reads the sheet on the calling thread, sending rows through `emit`.
fn read_workbook(open: Opener, ext: Option<&str>, sheet: Option<&str>, mut emit: Emitter) {
    match open() {
        Ok(mut data) => {
            if let Err(e) = super::workbook_check::check(&mut *data) {
                return emit.fail(e.to_string());
            }
        }
        Err(e) => return emit.fail(format!("cannot read: {e}")),
    }
    let mut book = match open_book(&open, ext) {
        Ok(b) => b,
        Err(e) => {
            return emit.fail(format!(
                "not a readable spreadsheet (xlsx, xlsm, xlsb, xls or ods): {e}"
            ));
        }
    };
    let name = match pick_sheet(&book.sheet_names(), sheet) {
        Ok(n) => n,
        Err(m) => return emit.fail(m),
    };
    let streamed = match &mut book {
        Sheets::Xlsx(xlsx) => Some(match xlsx.worksheet_cells_reader(&name) {
            Ok(mut cells) => stream_cells(&name, || cells.next_cell(), &mut emit),
            Err(e) => Err(format!("sheet {name:?}: {e}")),
        }),
        Sheets::Xlsb(xlsb) => Some(match xlsb.worksheet_cells_reader(&name) {
            Ok(mut cells) => stream_cells(&name, || cells.next_cell(), &mut emit),
            Err(e) => Err(format!("sheet {name:?}: {e}")),
        }),
        _ => None,
    };
    match streamed {
        Some(Ok(())) => return emit.finish(),
        Some(Err(m)) => return emit.fail(m),
        None => {}
    }
    let range = match book.worksheet_range(&name) {
        Ok(r) => r,
        Err(e) => return emit.fail(format!("sheet {name:?}: {e}")),
    };
    let (top, left) = range.start().unwrap_or((0, 0));
    for (i, cells) in range.rows().enumerate() {
        let mut row = SheetRow::new(u64::from(top) + i as u64 + 1);
        for (j, d) in cells.iter().enumerate() {
            let col = left.saturating_add(u32::try_from(j).unwrap_or(u32::MAX));
            if let Err(m) = row.add(col, Value::from(d)) {
                return emit.fail(m);
            }
        }
        match emit.row(row) {
            Ok(true) => {}
            Ok(false) => return,
            Err(m) => return emit.fail(m),
        }
    }
    emit.finish();
}

impl SheetSource {
    /// Opens the workbook that `open` reads (named `name` in messages, whose extension is
    /// tried first) and reads the header of `sheet` (the first when `None`).
    pub fn new(
        name: &str,
        open: Opener,
        sheet: Option<String>,
        info: SourceInfo,
    ) -> Result<SheetSource> {
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        let (tx, rx) = sync_channel(CHUNKS_AHEAD);
        let thread = std::thread::Builder::new()
            .name("sheet-reader".into())
            .spawn(move || {
                read_workbook(open, ext.as_deref(), sheet.as_deref(), Emitter::new(tx));
            })
            .map_err(|e| Error::Internal(format!("cannot start the sheet reader: {e}")))?;
        let bad = |message: String| Error::BadInput {
            path: name.to_string(),
            message,
        };
        let (header_row, header) = match rx.recv() {
            Ok(Msg::Header(number, h)) => (number, h),
            Ok(Msg::Fail(m)) => return Err(bad(m)),
            Ok(Msg::Rows(_)) | Err(_) => {
                return Err(bad("the sheet reader stopped before the header".into()));
            }
        };
        let names: Vec<String> = header.into_iter().map(|h| h.trim().to_string()).collect();
        Ok(SheetSource {
            name: name.to_string(),
            info: SourceInfo {
                sheet_header_row: Some(header_row),
                ..info
            },
            schema: Arc::new(Schema::from_header(names)),
            rx,
            pending: std::collections::VecDeque::new(),
            finished: false,
            _thread: Some(thread),
        })
    }

    /// The header's row in the sheet.
    fn header_row(&self) -> u64 {
        self.info.sheet_header_row.unwrap_or(1)
    }

    /// A sheet row as a raw row of the header's width, with what is wrong with it.
    fn raw_row(&self, row: SheetRow) -> RawRow {
        let width = self.schema.columns.len();
        let column = |c: usize| self.schema.column_name(c);
        let mut cells = vec![String::new(); width];
        let mut extra = Vec::new();
        for (c, text) in row.cells {
            match cells.get_mut(c as usize) {
                Some(cell) => *cell = text,
                None if text.trim().is_empty() => {}
                None => extra.push((c, text)),
            }
        }
        let mut problem = None;
        if !extra.is_empty() {
            extra.sort_by_key(|(c, _)| *c);
            let list: Vec<String> = extra
                .iter()
                .map(|(c, t)| format!("{}: {}", column_letters(*c), quote(t)))
                .collect();
            problem = Some(Rejection::new(
                Stage::Read,
                "",
                Code::RowRagged,
                format!(
                    "row has {} beyond the header's {} columns (to the right of column {}); \
                     the extra cells were: {}",
                    match extra.len() {
                        1 => "a cell".to_string(),
                        n => format!("{n} cells"),
                    },
                    width,
                    column_letters(width.saturating_sub(1) as u32),
                    list.join(" | ")
                ),
            ));
        }
        if let Some(c) = row.odd.map(|c| c as usize).filter(|&c| c < width) {
            problem.get_or_insert_with(|| {
                Rejection::new(
                    Stage::Read,
                    column(c),
                    Code::CellInvalid,
                    format!(
                        "cell {}{} (column '{}') holds the number {}, which is not a finite \
                         number: no spreadsheet shows one (the file may say NaN, inf or a \
                         number too large such as 1e400); fix the cell",
                        column_letters(c as u32),
                        row.number,
                        column(c),
                        cells[c]
                    ),
                )
            });
        }
        if let Some(c) = nul::escape_cells(&mut cells) {
            problem.get_or_insert_with(|| nul::rejection(column(c)));
        }
        RawRow {
            row: row.number.saturating_sub(self.header_row()),
            values: Values::Csv(Fields::from(cells)),
            problem: problem.map(Box::new),
        }
    }
}

/// An extra cell's text as a ragged row's message quotes it: NULs shown, cut when long.
fn quote(text: &str) -> String {
    let text = nul::escape(text);
    if text.chars().count() <= QUOTED {
        text.into_owned()
    } else {
        let cut: String = text.chars().take(QUOTED).collect();
        format!("{cut}...")
    }
}

impl Source for SheetSource {
    source_accessors!();

    fn next_batch(&mut self, max: usize) -> Result<Option<Batch>> {
        let mut rows = Vec::with_capacity(max.min(CHUNK));
        let mut bytes = 0;
        while rows.len() < max && bytes < limits::BATCH_BYTES {
            let Some(row) = self.pending.pop_front() else {
                if self.finished {
                    break;
                }
                match self.rx.recv() {
                    Ok(Msg::Rows(chunk)) => self.pending.extend(chunk),
                    Ok(Msg::Fail(message)) => {
                        self.finished = true;
                        return Err(Error::BadInput {
                            path: self.name.clone(),
                            message,
                        });
                    }
                    Ok(Msg::Header(..)) | Err(_) => self.finished = true,
                }
                continue;
            };
            bytes += row.bytes;
            rows.push(self.raw_row(row));
        }
        Ok(Batch::of(Arc::clone(&self.schema), rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_person_sees_them() {
        for (number, shown) in [
            (14_155_552_671.0, "14155552671"),
            (447_400_123_456.0, "447400123456"),
            (0.1 + 0.2, "0.3"),
            (-3.0, "-3"),
            (2.5, "2.5"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(number_text(number), shown, "{number}");
        }
    }

    #[test]
    fn dates_are_iso() {
        assert_eq!(date_text(45_943.0, false), "2025-10-13");
        assert_eq!(date_text(45_943.5, false), "2025-10-13 12:00:00");
        // Excel's 1900 calendar: serial 1 is 1900-01-01, serial 61 is 1900-03-01.
        assert_eq!(date_text(1.0, false), "1900-01-01");
        assert_eq!(date_text(61.0, false), "1900-03-01");
        assert_eq!(date_text(1.5, true), "36:00:00");
    }

    #[test]
    fn column_letters_as_excel_names_them() {
        for (col, letters) in [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")] {
            assert_eq!(column_letters(col), letters);
        }
        assert_eq!(column_letters(16_383), "XFD");
        assert!(
            column_letters(u32::MAX)
                .bytes()
                .all(|b| b.is_ascii_uppercase())
        );
    }

    /// A source of the header `names` that reads nothing (for [`SheetSource::raw_row`]).
    fn source(names: &[&str]) -> SheetSource {
        let (_, rx) = sync_channel(1);
        SheetSource {
            name: "t.xlsx".into(),
            info: SourceInfo {
                format: crate::source::Format::Spreadsheet,
                encoding: "xlsx".into(),
                delimiter: None,
                sheet_header_row: Some(1),
            },
            schema: Arc::new(Schema::from_header(names.iter().copied())),
            rx,
            pending: Default::default(),
            finished: true,
            _thread: None,
        }
    }

    fn row(number: u64, cells: &[(u32, Value<'_>)]) -> SheetRow {
        let mut row = SheetRow::new(number);
        for (c, v) in cells {
            let v = match v {
                Value::Text(s) => Value::Text(s),
                Value::Float(f) => Value::Float(*f),
                Value::Date { serial, duration } => Value::Date {
                    serial: *serial,
                    duration: *duration,
                },
                _ => Value::Empty,
            };
            row.add(*c, v).unwrap();
        }
        row
    }

    #[test]
    fn cells_beyond_the_header_make_a_ragged_row_empty_ones_do_not() {
        let s = source(&["name", "phone"]);
        let r = s.raw_row(row(
            3,
            &[
                (0, Value::Text("Ann")),
                (3, Value::Text("x")),
                (5, Value::Float(7.0)),
            ],
        ));
        let p = r.problem.as_ref().unwrap();
        assert_eq!(p.code, Code::RowRagged);
        assert!(
            p.message.contains("2 cells beyond the header's 2 columns"),
            "{}",
            p.message
        );
        assert!(p.message.contains("D: x | F: 7"), "{}", p.message);
        assert_eq!(r.values.text(0), "Ann");
        // Sheet row 3 under a header on row 1: the second data row.
        assert_eq!(r.row, 2);
        // A cell of blank space beyond the header is empty, as a trailing empty CSV field.
        let r = s.raw_row(row(4, &[(0, Value::Text("Ann")), (4, Value::Text("  "))]));
        assert!(r.problem.is_none());
        // A row whose only cells lie beyond the header is not blank.
        let only = row(5, &[(7, Value::Text("lost"))]);
        assert!(!only.is_blank());
        let r = s.raw_row(only);
        assert_eq!(r.problem.as_ref().unwrap().code, Code::RowRagged);
        assert!(row(6, &[(1, Value::Text(" ")), (9, Value::Text(""))]).is_blank());
    }

    #[test]
    fn numbers_that_are_not_finite_are_cell_invalid_with_their_value() {
        let s = source(&["name", "phone", "born"]);
        for (value, shown) in [
            (Value::Float(f64::NAN), "NaN"),
            (Value::Float(f64::INFINITY), "inf"),
            (Value::Float(f64::NEG_INFINITY), "-inf"),
            (
                Value::Date {
                    serial: f64::INFINITY,
                    duration: false,
                },
                "inf",
            ),
        ] {
            let col = if matches!(value, Value::Date { .. }) {
                2
            } else {
                1
            };
            let r = s.raw_row(row(2, &[(0, Value::Text("Ann")), (col, value)]));
            let p = r.problem.as_ref().unwrap();
            assert_eq!(p.code, Code::CellInvalid);
            assert_eq!(p.stage, Stage::Read);
            assert_eq!(p.field, ["name", "phone", "born"][col as usize]);
            assert!(
                p.message.contains(&format!("holds the number {shown},")),
                "{}",
                p.message
            );
            assert_eq!(
                r.values.text(col as usize),
                shown,
                "the report shows the value"
            );
        }
    }

    #[test]
    fn a_nul_in_a_text_cell_is_cell_invalid_and_shown() {
        let s = source(&["name", "phone"]);
        let r = s.raw_row(row(2, &[(0, Value::Text("A\0n")), (1, Value::Text("+1"))]));
        let p = r.problem.as_ref().unwrap();
        assert_eq!((p.code, p.field.as_str()), (Code::CellInvalid, "name"));
        assert_eq!(r.values.text(0), "A\\x00n");
    }

    #[test]
    fn a_cell_or_a_row_over_its_limit_stops_the_read() {
        let long = "x".repeat(limits::CELL_BYTES + 1);
        let err = SheetRow::new(9).add(2, Value::Text(&long)).unwrap_err();
        assert!(err.contains("cell C9") && err.contains("16 MiB"), "{err}");
        let half = "y".repeat(limits::ROW_BYTES / 2 + 1);
        let mut row = SheetRow::new(4);
        row.add(0, Value::Text(&half)).unwrap();
        let err = row.add(1, Value::Text(&half)).unwrap_err();
        assert!(err.contains("row 4 holds more than 16 MiB"), "{err}");
    }

    #[test]
    fn the_header_names_its_columns_up_to_the_last_one() {
        let names = header_names(row(1, &[(0, Value::Text("a")), (2, Value::Text("c"))]));
        assert_eq!(names.unwrap(), ["a", "", "c"]);
        let far = header_names(row(1, &[(MAX_COLUMNS, Value::Text("far"))]));
        assert!(far.unwrap_err().contains("XFE"));
        let nul = header_names(row(1, &[(1, Value::Text("p\0"))]));
        assert!(nul.unwrap_err().contains("NUL"));
    }

    #[test]
    fn sheets_by_name_or_position() {
        let names = vec!["Contacts".to_string(), "Notes".to_string()];
        assert_eq!(pick_sheet(&names, None).as_deref(), Ok("Contacts"));
        assert_eq!(pick_sheet(&names, Some("notes")).as_deref(), Ok("Notes"));
        assert_eq!(pick_sheet(&names, Some("2")).as_deref(), Ok("Notes"));
        let err = pick_sheet(&names, Some("3")).expect_err("no third sheet");
        assert!(err.contains("\"Contacts\", \"Notes\""), "{err}");
        assert!(pick_sheet(&[], None).is_err());
    }
}
