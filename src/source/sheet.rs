//! Spreadsheet reader (xlsx, xlsm, xlsb, xls, ods) through calamine. One sheet (the first, or
//! `--sheet NAME|N`); its first non-empty row is the header. Cells become text as a person
//! sees them in the spreadsheet: a phone typed as a number stays its digits, a date is ISO,
//! a formula is its cached value. A row keeps its number in the sheet, so a report's `_row`
//! finds it in Excel.
//!
//! The workbook is read on a thread of its own that hands rows over a bounded channel: an
//! xlsx sheet is streamed cell by cell (only the shared strings stay in memory); xls, xlsb and
//! ods sheets are read whole by calamine first.

use std::io::{Read, Seek};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use calamine::{Data, DataRef, DataType, Ods, Reader, Sheets, Xls, Xlsb, Xlsx};

use super::{Batch, Fields, RawRow, Schema, Source, SourceInfo, Values};
use crate::error::{Error, Result};

/// Rows handed over at a time, and how many such chunks may wait.
const CHUNK: usize = 1024;
const CHUNKS_AHEAD: usize = 4;

/// Something calamine can read a workbook from.
pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

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

/// What the reading thread sends.
enum Msg {
    /// The header row: its sheet row number and names.
    Header(Vec<String>),
    /// Data rows: (sheet row number, cells as text).
    Rows(Vec<(u64, Vec<String>)>),
    /// The workbook or the sheet could not be read.
    Fail(String),
}

/// A sheet of a workbook, row by row.
pub struct SheetSource {
    name: String,
    info: SourceInfo,
    schema: Arc<Schema>,
    rx: Receiver<Msg>,
    pending: std::collections::VecDeque<(u64, Vec<String>)>,
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
/// 15 significant digits (`0.3`, not `0.30000000000000004`).
pub fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return String::new();
    }
    if f.fract() == 0.0 && f.abs() < 1e17 {
        return format!("{}", f as i64);
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    format!("{rounded}")
}

/// An Excel serial date (days since 1899-12-30, the time as the fraction) as ISO text: the
/// date alone when there is no time. Serials before 1900-03-01 follow Excel's 1900 calendar
/// (which counts a 29 February 1900). A duration is `H:MM:SS`.
pub fn date_text(serial: f64, duration: bool) -> String {
    if !serial.is_finite() {
        return String::new();
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

fn text_of(v: Value<'_>) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Float(f) => number_text(f),
        Value::Text(s) => s.to_string(),
        Value::Bool(true) => "TRUE".into(),
        Value::Bool(false) => "FALSE".into(),
        Value::Date { serial, duration } => date_text(serial, duration),
        Value::Error(e) => e,
        Value::Empty => String::new(),
    }
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

/// Collects the rows of a sheet and sends them: the first non-empty row as the header, the
/// others as data. Returns false when the receiver is gone.
struct Emitter {
    tx: SyncSender<Msg>,
    header_sent: bool,
    chunk: Vec<(u64, Vec<String>)>,
}

impl Emitter {
    fn row(&mut self, number: u64, cells: Vec<String>) -> bool {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return true;
        }
        if !self.header_sent {
            self.header_sent = true;
            return self.tx.send(Msg::Header(cells)).is_ok();
        }
        self.chunk.push((number, cells));
        if self.chunk.len() >= CHUNK {
            let chunk = std::mem::take(&mut self.chunk);
            return self.tx.send(Msg::Rows(chunk)).is_ok();
        }
        true
    }

    fn finish(mut self) {
        if !self.header_sent {
            let _ = self.tx.send(Msg::Fail(
                "the sheet is empty: there is no header row".into(),
            ));
            return;
        }
        if !self.chunk.is_empty() {
            let _ = self.tx.send(Msg::Rows(std::mem::take(&mut self.chunk)));
        }
    }
}

/// Reads the sheet on the calling thread, sending rows through `emit`.
fn read_workbook(open: Opener, ext: Option<&str>, sheet: Option<&str>, mut emit: Emitter) {
    let fail = |tx: &SyncSender<Msg>, m: String| {
        let _ = tx.send(Msg::Fail(m));
    };
    let mut book = match open_book(&open, ext) {
        Ok(b) => b,
        Err(e) => {
            return fail(
                &emit.tx,
                format!("not a readable spreadsheet (xlsx, xlsm, xlsb, xls or ods): {e}"),
            );
        }
    };
    let name = match pick_sheet(&book.sheet_names(), sheet) {
        Ok(n) => n,
        Err(m) => return fail(&emit.tx, m),
    };
    if let Sheets::Xlsx(xlsx) = &mut book {
        // Streamed: cells arrive row by row.
        let mut cells = match xlsx.worksheet_cells_reader(&name) {
            Ok(c) => c,
            Err(e) => return fail(&emit.tx, format!("sheet {name:?}: {e}")),
        };
        let mut current: Option<u32> = None;
        let mut row: Vec<String> = Vec::new();
        loop {
            match cells.next_cell() {
                Ok(Some(cell)) => {
                    let (r, c) = cell.get_position();
                    if current != Some(r) {
                        if let Some(prev) = current
                            && !emit.row(u64::from(prev) + 1, std::mem::take(&mut row))
                        {
                            return;
                        }
                        current = Some(r);
                        row.clear();
                    }
                    let c = c as usize;
                    if c >= 16_384 {
                        continue;
                    }
                    if row.len() <= c {
                        row.resize(c + 1, String::new());
                    }
                    row[c] = text_of(Value::from(cell.get_value()));
                }
                Ok(None) => break,
                Err(e) => return fail(&emit.tx, format!("sheet {name:?}: {e}")),
            }
        }
        if let Some(prev) = current
            && !emit.row(u64::from(prev) + 1, row)
        {
            return;
        }
        return emit.finish();
    }
    let range = match book.worksheet_range(&name) {
        Ok(r) => r,
        Err(e) => return fail(&emit.tx, format!("sheet {name:?}: {e}")),
    };
    let (top, left) = range.start().unwrap_or((0, 0));
    for (i, cells) in range.rows().enumerate() {
        let mut row: Vec<String> = vec![String::new(); left as usize];
        row.extend(cells.iter().map(|d| text_of(Value::from(d))));
        if !emit.row(u64::from(top) + i as u64 + 1, row) {
            return;
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
                let emit = Emitter {
                    tx,
                    header_sent: false,
                    chunk: Vec::new(),
                };
                read_workbook(open, ext.as_deref(), sheet.as_deref(), emit);
            })
            .map_err(|e| Error::Internal(format!("cannot start the sheet reader: {e}")))?;
        let bad = |message: String| Error::BadInput {
            path: name.to_string(),
            message,
        };
        let header = match rx.recv() {
            Ok(Msg::Header(h)) => h,
            Ok(Msg::Fail(m)) => return Err(bad(m)),
            Ok(Msg::Rows(_)) | Err(_) => {
                return Err(bad("the sheet reader stopped before the header".into()));
            }
        };
        // The header's width: up to its last named column.
        let width = header
            .iter()
            .rposition(|h| !h.trim().is_empty())
            .map_or(0, |i| i + 1);
        let names: Vec<String> = header
            .into_iter()
            .take(width)
            .map(|h| h.trim().to_string())
            .collect();
        Ok(SheetSource {
            name: name.to_string(),
            info,
            schema: Arc::new(Schema::from_header(names)),
            rx,
            pending: std::collections::VecDeque::new(),
            finished: false,
            _thread: Some(thread),
        })
    }
}

impl Source for SheetSource {
    source_accessors!();

    fn next_batch(&mut self, max: usize) -> Result<Option<Batch>> {
        let width = self.schema.columns.len();
        let mut rows = Vec::with_capacity(max.min(CHUNK));
        while rows.len() < max {
            let Some((number, mut cells)) = self.pending.pop_front() else {
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
                    Ok(Msg::Header(_)) | Err(_) => self.finished = true,
                }
                continue;
            };
            cells.resize(width, String::new());
            rows.push(RawRow {
                row: number,
                values: Values::Csv(Fields::from(cells)),
                problem: None,
            });
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
            (f64::NAN, ""),
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
