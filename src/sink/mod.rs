//! File writers for rows: CSV, a JSON array, or JSON Lines.
//!
//! A row is written as it was read, with its rewrites applied (phones in E.164) and any
//! report columns (`_row`, `_code`, ...) appended. Files appear whole or not at all: they are
//! written to a temporary file beside the destination and renamed into place at the end.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::mapping::is_report_column;
use crate::source::{Cell, Format, PathSeg, Schema, Values};

mod csv_line;
mod format;
mod reports;

use csv_line::CsvLine;

pub use format::{output_delimiter, output_format, report_format};
pub use reports::{Done, PLAN_COLUMNS, ReportPaths, Reports, SUCCESS_COLUMNS};

/// Buffered writer over the destination.
type Out = BufWriter<Box<dyn Write + Send>>;

/// Writes rows of one schema (plus report columns) to a file or stdout.
pub struct TableWriter {
    format: Format,
    dest_name: String,
    /// Written to the process's stdout: a reader that went away is [`Error::StdoutClosed`].
    on_stdout: bool,
    path: Option<PathBuf>,
    temp: Option<Part>,
    out: Option<Out>,
    /// CSV output: renders each record before it is written to `out`.
    csv: Option<CsvLine>,
    extra: Vec<&'static str>,
    /// The extra columns lead each row instead of following the input's columns.
    lead: bool,
    header_written: bool,
    /// Rows of a growing (JSON) schema bound for CSV wait here until the header is known.
    spool: Option<BufWriter<File>>,
    rows: u64,
}

pub(crate) use crate::atomic::Part;

/// A part file beside `dest`, with the error a command reports.
pub(crate) fn part_beside(dest: &Path) -> Result<Part> {
    Part::beside(dest)
        .map_err(|e| Error::io("cannot create a file in", crate::atomic::dir_of(dest), e))
}

/// Moves a whole part file onto `dest`, with the error a command reports.
pub(crate) fn persist(part: Part, dest: &Path) -> Result<()> {
    part.persist(dest)
        .map_err(|e| Error::io("cannot move into place", dest, e))
}

/// Opens `path` for writing in place when it exists and is not a plain regular file: a
/// device or pipe (`/dev/null`, a FIFO) or a symbolic link (`/dev/stdout`, a link to a file
/// kept elsewhere), which renaming a temporary file over it would replace. `None` for a
/// regular file or a new path, which get the atomic temporary-file treatment. A named pipe
/// is waited on until a reader opens it ([`open_fifo`]).
pub(crate) fn open_special(path: &Path) -> Result<Option<File>> {
    use std::os::unix::fs::FileTypeExt;
    let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Ok(None),
        Ok(meta) if meta.file_type().is_fifo() => open_fifo(path).map(Some),
        Ok(meta) if link || !meta.is_file() => std::fs::OpenOptions::new()
            .write(true)
            .truncate(meta.is_file())
            .open(path)
            .map(Some)
            .map_err(|e| Error::io("cannot write", path, e)),
        _ => Ok(None),
    }
}

/// How often a named pipe with no reader is tried again.
const FIFO_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// Opens the named pipe `path` for writing once a reader has it open, as a shell's `>` does,
/// but without blocking in open(2): until a reader comes, the open is tried again every
/// [`FIFO_POLL`], and a stop asked for meanwhile (a signal) ends the wait
/// ([`Error::Interrupted`], exit 4). Once open, writes block as usual (the reader sets the
/// pace).
fn open_fifo(path: &Path) -> Result<File> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    loop {
        let opened = std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path);
        match opened {
            Ok(file) => {
                // SAFETY: fcntl(2) on a descriptor that `file` owns and keeps open; F_GETFL
                // and F_SETFL only read and set its status flags.
                let cleared = unsafe {
                    let fd = file.as_raw_fd();
                    let flags = libc::fcntl(fd, libc::F_GETFL);
                    flags >= 0 && libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) == 0
                };
                if !cleared {
                    return Err(Error::io("cannot write", path, io::Error::last_os_error()));
                }
                return Ok(file);
            }
            // ENXIO: no reader has the pipe open yet.
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
                if crate::stop::requested() {
                    return Err(Error::Interrupted(format!(
                        "waiting for a reader of the named pipe {}: {}",
                        path.display(),
                        crate::stop::message()
                    )));
                }
                std::thread::sleep(FIFO_POLL);
            }
            Err(e) => return Err(Error::io("cannot write", path, e)),
        }
    }
}

impl TableWriter {
    /// A writer to `path` (`-` for stdout) in `format`, appending the `extra` columns.
    pub fn create(
        path: &str,
        format: Format,
        delimiter: u8,
        extra: &[&'static str],
    ) -> Result<Self> {
        if !format.is_writable() {
            return Err(Error::Usage(format!(
                "{path}: rows are written as CSV, JSON or JSON Lines, not as a {} (name the file .csv, .json or .jsonl; `bulkline export` writes XLSX)",
                format.as_str()
            )));
        }
        type Opened = (Box<dyn Write + Send>, Option<Part>, Option<PathBuf>);
        let dest_name = match path {
            "-" | "/dev/stdout" => "standard output".to_string(),
            "/dev/stderr" => "standard error".to_string(),
            _ => path.to_string(),
        };
        // The process's own streams are written through its handles: opening their /dev names
        // anew would start at offset 0 of a redirected file, over what is already there.
        let on_stdout = path == "-" || path == "/dev/stdout";
        let (out, temp, path): Opened = if on_stdout {
            (Box::new(io::stdout()), None, None)
        } else if path == "/dev/stderr" {
            (Box::new(io::stderr()), None, None)
        } else if let Some(file) = open_special(Path::new(path))? {
            // A device or pipe (`/dev/null`, a FIFO) is written in place: renaming a temporary
            // file over it would replace the device with a plain file.
            (Box::new(file), None, None)
        } else {
            let p = PathBuf::from(path);
            let temp = part_beside(&p)?;
            let file = temp
                .file
                .reopen()
                .map_err(|e| Error::io("cannot write", &p, e))?;
            (
                Box::new(crate::atomic::Writeback::new(file)),
                Some(temp),
                Some(p),
            )
        };
        let out = BufWriter::with_capacity(1 << 18, out);
        let csv = (format == Format::Csv).then(|| CsvLine::new(delimiter));
        let out = Some(out);
        Ok(TableWriter {
            format,
            dest_name,
            on_stdout,
            path,
            temp,
            out,
            csv,
            extra: extra.to_vec(),
            lead: false,
            header_written: false,
            spool: None,
            rows: 0,
        })
    }

    fn io_err(&self, e: io::Error) -> Error {
        if self.on_stdout {
            crate::stdout::error(e)
        } else {
            Error::io("cannot write", self.dest_name.clone(), e)
        }
    }

    /// Writes one row: its values with `rewrites` applied, then the `extra` column values.
    /// The extra columns lead each row (a report whose own columns matter most), instead of
    /// following the input's.
    pub fn leading(mut self) -> TableWriter {
        self.lead = true;
        self
    }

    pub fn write(
        &mut self,
        schema: &Schema,
        values: &Values,
        rewrites: &[(usize, Cell)],
        extra: &[String],
    ) -> Result<()> {
        self.rows += 1;
        match self.format {
            Format::Csv => {
                if !schema.fixed || matches!(values, Values::Json { .. }) {
                    let mut cells = csv_cells_indexed(schema, values, rewrites);
                    cells.retain(|(_, text)| !text.is_empty());
                    return self.spool_row(&cells, extra);
                }
                self.write_header(schema)?;
                let lead = self.lead;
                self.write_csv(|line| csv_row(line, schema, values, rewrites, extra, lead))
            }
            // Never opened (see `create`): JSON Lines, were it so.
            Format::Json | Format::Jsonl | Format::Spreadsheet | Format::Vcard => {
                let mut obj = json_object(schema, values, rewrites, &self.extra, extra);
                if self.lead
                    && let Value::Object(m) = &mut obj
                {
                    let (mut first, rest): (Map<String, Value>, Map<String, Value>) =
                        std::mem::take(m)
                            .into_iter()
                            .partition(|(k, _)| self.extra.contains(&k.as_str()));
                    first.extend(rest);
                    *m = first;
                }
                let first = self.rows == 1;
                let array = self.format == Format::Json;
                let Some(out) = self.out.as_mut() else {
                    return Ok(());
                };
                let res = (|| -> io::Result<()> {
                    if array {
                        out.write_all(if first { b"[\n" } else { b",\n" })?;
                    }
                    serde_json::to_writer(&mut *out, &obj)?;
                    if !array {
                        out.write_all(b"\n")?;
                    }
                    Ok(())
                })();
                res.map_err(|e| self.io_err(e))
            }
        }
    }

    fn write_header(&mut self, schema: &Schema) -> Result<()> {
        if self.header_written {
            return Ok(());
        }
        self.header_written = true;
        let own = schema
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .filter(|n| !is_report_column(n));
        let header: Vec<&str> = if self.lead {
            self.extra.iter().copied().chain(own).collect()
        } else {
            own.chain(self.extra.iter().copied()).collect()
        };
        self.write_csv(|line| line.record(header.iter().map(|h| h.as_bytes())))
    }

    /// Writes the record `render` makes (nothing for a writer that is not CSV).
    fn write_csv(&mut self, render: impl FnOnce(&mut CsvLine) -> &[u8]) -> Result<()> {
        let (Some(line), Some(out)) = (self.csv.as_mut(), self.out.as_mut()) else {
            return Ok(());
        };
        let res = out.write_all(render(line));
        res.map_err(|e| self.io_err(e))
    }

    /// Keeps a row (its non-empty cells by position) for a CSV whose header is not known yet
    /// (JSON input).
    fn spool_row(&mut self, cells: &[(usize, String)], extra: &[String]) -> Result<()> {
        if self.spool.is_none() {
            let f = tempfile::tempfile()
                .map_err(|e| Error::io("cannot create", "a temporary file", e))?;
            self.spool = Some(BufWriter::new(f));
        }
        let Some(spool) = self.spool.as_mut() else {
            return Ok(());
        };
        let res = (|| -> io::Result<()> {
            serde_json::to_writer(&mut *spool, &(cells, extra))?;
            spool.write_all(b"\n")
        })();
        res.map_err(|e| Error::io("cannot write", "a temporary file", e))
    }

    /// Completes the file (header of an empty CSV, closing bracket of a JSON array, spooled
    /// rows) and moves it into place.
    pub fn finish(mut self, schema: &Schema) -> Result<()> {
        match self.format {
            Format::Csv => {
                if let Some(spool) = self.spool.take() {
                    self.write_spooled(schema, spool)?;
                } else if schema.fixed || self.extra.is_empty() {
                    self.write_header(schema)?;
                } else {
                    // An empty report of a JSON input: the report columns alone.
                    let header = Schema::default();
                    self.write_header(&header)?;
                }
            }
            Format::Json => {
                let first = self.rows == 0;
                if let Some(out) = self.out.as_mut() {
                    let res = out.write_all(if first { b"[]\n" } else { b"\n]\n" });
                    res.map_err(|e| self.io_err(e))?;
                }
            }
            // Never opened (see `create`).
            Format::Jsonl | Format::Spreadsheet | Format::Vcard => {}
        }
        if let Some(mut out) = self.out.take() {
            out.flush().map_err(|e| self.io_err(e))?;
        }
        if let (Some(temp), Some(path)) = (self.temp.take(), self.path.take()) {
            persist(temp, &path)?;
        }
        Ok(())
    }

    fn write_spooled(&mut self, schema: &Schema, spool: BufWriter<File>) -> Result<()> {
        let io = |e: io::Error| Error::io("cannot read back", "a temporary file", e);
        let mut file = spool.into_inner().map_err(|e| io(e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let keep: Vec<usize> = (0..schema.columns.len())
            .filter(|&i| !is_report_column(&schema.columns[i].name))
            .collect();
        self.write_header(schema)?;
        let width = keep.len();
        for line in BufReader::new(file).lines() {
            let line = line.map_err(io)?;
            let (cells, extra): (Vec<(usize, String)>, Vec<String>) =
                serde_json::from_str(&line).map_err(|e| io(e.into()))?;
            let mut record = vec![String::new(); width];
            for (i, text) in cells {
                if let Ok(pos) = keep.binary_search(&i) {
                    record[pos] = text;
                }
            }
            if self.lead {
                record.splice(0..0, extra);
            } else {
                record.extend(extra);
            }
            self.write_csv(|line| line.record(record.iter().map(|f| f.as_bytes())))?;
        }
        Ok(())
    }
}

/// Renders the CSV record of a row (report columns dropped, rewrites applied), then `extra`.
fn csv_row<'a>(
    line: &'a mut CsvLine,
    schema: &Schema,
    values: &Values,
    rewrites: &[(usize, Cell)],
    extra: &[String],
    lead: bool,
) -> &'a [u8] {
    // A CSV row's fields, walked alongside the columns.
    let mut fields = match values {
        Values::Csv(r) => Some(r.iter()),
        Values::Json { .. } => None,
    };
    line.begin();
    if lead {
        for e in extra {
            line.field(e.as_bytes());
        }
    }
    for (i, col) in schema.columns.iter().enumerate() {
        let field = fields.as_mut().map(|f| f.next().unwrap_or(""));
        if col.name.starts_with('_') && is_report_column(&col.name) {
            continue;
        }
        match rewrites.iter().rev().find(|(j, _)| *j == i) {
            Some((_, Cell::Text(t))) => line.field(t.as_bytes()),
            Some((_, c)) => line.field(c.joined().as_bytes()),
            None => match field {
                Some(f) => line.field(f.as_bytes()),
                None => line.field(values.text(i).as_bytes()),
            },
        }
    }
    if !lead {
        for e in extra {
            line.field(e.as_bytes());
        }
    }
    line.end()
}

/// The JSON object of a row: a JSON record as read with rewrites set at their paths, or a CSV
/// row as `{header: value}`; then the report columns.
fn json_object(
    schema: &Schema,
    values: &Values,
    rewrites: &[(usize, Cell)],
    extra_names: &[&str],
    extra: &[String],
) -> Value {
    let mut obj = match values {
        Values::Json { original, .. } => {
            // A record that is not an object (or not JSON at all) is carried by the `_raw`
            // report column instead.
            let mut v = match &**original {
                Value::Object(m) => {
                    let mut m = m.clone();
                    m.retain(|k, _| !is_report_column(k));
                    Value::Object(m)
                }
                _ => Value::Object(Map::new()),
            };
            for (i, cell) in rewrites {
                if let Some(col) = schema.columns.get(*i) {
                    set_path(&mut v, &col.path, cell_value(cell));
                }
            }
            v
        }
        Values::Csv(_) => {
            let mut m = Map::new();
            for (i, text) in csv_cells_indexed(schema, values, rewrites) {
                m.insert(schema.columns[i].name.clone(), Value::String(text));
            }
            Value::Object(m)
        }
    };
    if let Value::Object(m) = &mut obj {
        for (name, value) in extra_names.iter().zip(extra) {
            if *name == "_raw" {
                // In JSON, the record is kept as the JSON value it was (a JSON Lines line that
                // is not JSON is kept as its text).
                if let Values::Json { original, .. } = values
                    && !original.is_object()
                {
                    m.insert("_raw".into(), (**original).clone());
                }
                continue;
            }
            let v = match name {
                &"_row" | &"_duplicate_of" => value
                    .parse::<u64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::String(value.clone())),
                _ => Value::String(value.clone()),
            };
            m.insert((*name).to_string(), v);
        }
    }
    obj
}

fn csv_cells_indexed(
    schema: &Schema,
    values: &Values,
    rewrites: &[(usize, Cell)],
) -> Vec<(usize, String)> {
    (0..schema.columns.len())
        .filter(|&i| !is_report_column(&schema.columns[i].name))
        .map(|i| match rewrites.iter().rev().find(|(j, _)| *j == i) {
            Some((_, c)) => (i, c.joined()),
            None => (i, values.text(i).into_owned()),
        })
        .collect()
}

fn cell_value(cell: &Cell) -> Value {
    match cell {
        Cell::Text(s) => Value::String(s.clone()),
        Cell::List(v) => Value::Array(v.iter().cloned().map(Value::String).collect()),
    }
}

/// Sets `value` at `path` inside `root`, creating objects on the way where keys are missing.
fn set_path(root: &mut Value, path: &[PathSeg], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = root;
    for seg in parents {
        cur = match seg {
            PathSeg::Key(k) => {
                if !cur.is_object() {
                    return;
                }
                match cur.as_object_mut() {
                    Some(m) => m
                        .entry(k.clone())
                        .or_insert_with(|| Value::Object(Map::new())),
                    None => return,
                }
            }
            PathSeg::Index(i) => match cur.get_mut(*i) {
                Some(v) => v,
                None => return,
            },
        };
    }
    match (last, cur) {
        (PathSeg::Key(k), Value::Object(m)) => {
            m.insert(k.clone(), value);
        }
        (PathSeg::Index(i), Value::Array(a)) if *i < a.len() => a[*i] = value,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::json::Flattener;
    use crate::testutil::{assert_pipe, assert_symlink, linked_file, pipe_with_reader};

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    /// A writer of `format` to `path`, with the report columns `extra`.
    fn create(path: &Path, format: Format, delimiter: u8, extra: &[&'static str]) -> TableWriter {
        TableWriter::create(path.to_str().unwrap(), format, delimiter, extra).unwrap()
    }

    /// Writes the one-column row "Ann" to `path` as CSV.
    fn write_ann(path: &Path) {
        let schema = Schema::from_header(["name"]);
        let mut w = create(path, Format::Csv, b',', &[]);
        let values = Values::Csv(["Ann"].into_iter().collect());
        w.write(&schema, &values, &[], &[]).unwrap();
        w.finish(&schema).unwrap();
    }

    #[test]
    fn csv_rows_with_rewrites_and_report_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let schema = Schema::from_header(["name", "phone", "_code"]);
        let mut w = create(&path, Format::Csv, b',', &["_row"]);
        let values = Values::Csv(["Ann", "0171", "old"].into_iter().collect());
        w.write(
            &schema,
            &values,
            &[(1, Cell::Text("+44".into()))],
            &["7".into()],
        )
        .unwrap();
        assert!(!path.exists(), "the file appears only when finished");
        w.finish(&schema).unwrap();
        assert_eq!(read(&path), "name,phone,_row\nAnn,+44,7\n");
    }

    #[test]
    fn a_pipe_is_written_in_place_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let (fifo, reader) = pipe_with_reader(dir.path());
        write_ann(&fifo);
        assert_eq!(reader.join().unwrap(), "name\nAnn\n");
        assert_pipe(&fifo);
    }

    #[test]
    fn a_pipe_without_a_reader_waits_for_one() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: mkfifo(3) with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(300));
                std::fs::read_to_string(fifo).unwrap()
            })
        };
        let started = std::time::Instant::now();
        write_ann(&fifo);
        assert!(started.elapsed() >= std::time::Duration::from_millis(250));
        assert_eq!(reader.join().unwrap(), "name\nAnn\n");
        assert_pipe(&fifo);
    }

    #[test]
    fn a_symlink_is_written_through_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let (real, link) = linked_file(dir.path(), "old content that is longer than the new\n");
        write_ann(&link);
        assert_symlink(&link);
        assert_eq!(read(&real), "name\nAnn\n");
    }

    #[test]
    fn empty_csv_keeps_its_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let schema = Schema::from_header(["a", "b"]);
        let w = create(&path, Format::Csv, b';', &[]);
        w.finish(&schema).unwrap();
        assert_eq!(read(&path), "a;b\n");
    }

    #[test]
    fn json_records_keep_their_shape() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = Flattener::default();
        let original = serde_json::json!({"name": {"first": "Ann"}, "phones": ["0171"], "n": 1});
        let cells = f.flatten(&original).unwrap();
        let schema = f.schema();
        let phones = schema
            .columns
            .iter()
            .position(|c| c.name == "phones")
            .unwrap();
        let values = Values::Json {
            cells,
            original: Box::new(original),
        };
        let rw = [(phones, Cell::List(vec!["+44".into()]))];

        let path = dir.path().join("out.json");
        let mut w = create(&path, Format::Json, b',', &[]);
        w.write(&schema, &values, &rw, &[]).unwrap();
        w.write(&schema, &values, &rw, &[]).unwrap();
        w.finish(&schema).unwrap();
        let v: Value = serde_json::from_str(&read(&path)).unwrap();
        assert_eq!(
            v[1],
            serde_json::json!({"name": {"first": "Ann"}, "phones": ["+44"], "n": 1})
        );

        let path = dir.path().join("out.csv");
        let mut w = create(&path, Format::Csv, b',', &["_row"]);
        w.write(&schema, &values, &rw, &["3".into()]).unwrap();
        w.finish(&schema).unwrap();
        assert_eq!(read(&path), "name.first,phones,n,_row\nAnn,+44,1,3\n");
    }

    #[test]
    fn empty_json_array() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        let w = create(&path, Format::Json, b',', &[]);
        w.finish(&Schema::default()).unwrap();
        assert_eq!(read(&path), "[]\n");
    }
}
