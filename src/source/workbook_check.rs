//! Checks a workbook against the [limits](super::limits) before calamine reads it.
//!
//! calamine believes what a workbook declares and holds what it reads: a 1 MB xlsx whose
//! shared strings unpack to a gigabyte, or that declares twenty million of them, would take
//! gigabytes before the first row. So the parts calamine reads are first streamed out of the
//! ZIP here, a block at a time, and measured as they unpack: the shared strings (their count,
//! their text, each string), every cell's text in a worksheet (an xlsx worksheet is streamed,
//! but calamine holds each cell whole), the cells an ods sheet spans (read whole, repeats
//! expanded), and the size of every other part read whole. An xls file is read whole by
//! calamine: its size is bounded. The first limit passed stops the check, so a bomb is never
//! unpacked past it.

use std::io::{Read, Seek, SeekFrom};

use super::limits::{self, size};

/// Something a workbook is read from (by this check, then by calamine).
pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// The most elements one part read whole may hold besides the shared strings and the sheets
/// (calamine keeps a record per style: a real styles part holds a few thousand).
const WHOLE_PART_ELEMENTS: u64 = 1 << 20;

/// The most bytes a part read whole may unpack to besides the shared strings and the sheets
/// (styles, the workbook's sheet list, relationships: a few kilobytes in a real file).
const SMALL_PART_BYTES: u64 = 32 << 20;

/// How many bytes of a tag are kept to read its attributes.
const TAG_KEPT: usize = 4096;

/// Why a workbook is refused: what went over which limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} (the limit for one input): {}", limits::SAVE_AS_CSV)]
pub struct OverLimit {
    what: String,
}

fn over(what: String) -> OverLimit {
    OverLimit { what }
}

/// Checks the workbook that `data` reads, from its first byte. A file that is not a ZIP or
/// OLE file, or that cannot be read as one, passes: calamine says what is wrong with it.
pub fn check(data: &mut dyn ReadSeek) -> Result<(), OverLimit> {
    let mut head = [0u8; 8];
    let n = read_full(data, &mut head);
    let kind = super::Kind::of(&head[..n]);
    if data.seek(SeekFrom::Start(0)).is_err() {
        return Ok(());
    }
    match kind {
        super::Kind::Ole => {
            let len = data.seek(SeekFrom::End(0)).unwrap_or(0);
            let _ = data.seek(SeekFrom::Start(0));
            if len > limits::XLS_BYTES {
                return Err(over(format!(
                    "the xls file is {}, over {}",
                    limits::approx(len),
                    size(limits::XLS_BYTES)
                )));
            }
            Ok(())
        }
        super::Kind::Zip => check_zip(data),
        _ => Ok(()),
    }
}

/// Reads until `buf` is full or the end (or an error); how many bytes were read.
fn read_full(r: &mut dyn ReadSeek, buf: &mut [u8]) -> usize {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    n
}

/// What a part of a zipped workbook is, for what is measured in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// xlsx `sharedStrings.xml`: the count and text of its strings.
    SharedStrings,
    /// An xlsx worksheet: streamed, each cell's text measured.
    Sheet,
    /// ods `content.xml`: every sheet, read whole.
    OdsContent,
    /// Another XML part calamine reads whole (styles, workbook, relationships).
    OtherXml,
    /// xlsb shared strings (binary): their size.
    SharedStringsBin,
    /// Another binary xlsb part read whole.
    OtherBin,
}

impl Part {
    /// What the part named `name` (lower case) is; `None` for the parts calamine never reads
    /// (pictures, printer settings, xlsb worksheets, which it streams record by record).
    fn of(name: &str) -> Option<Part> {
        let file = name.rsplit('/').next().unwrap_or(name);
        let in_sheets = name.contains("worksheets/");
        if name.ends_with(".xml") || name.ends_with(".rels") {
            Some(if file == "sharedstrings.xml" {
                Part::SharedStrings
            } else if in_sheets && !name.contains("_rels/") {
                Part::Sheet
            } else if name == "content.xml" {
                Part::OdsContent
            } else {
                Part::OtherXml
            })
        } else if name.ends_with(".bin") {
            if file == "sharedstrings.bin" {
                Some(Part::SharedStringsBin)
            } else if in_sheets || file == "vbaproject.bin" || name.contains("printersettings") {
                None
            } else {
                Some(Part::OtherBin)
            }
        } else {
            None
        }
    }

    /// The most bytes the part may unpack to (`u64::MAX`: streamed, so no bound).
    fn max_bytes(self) -> u64 {
        match self {
            Part::Sheet => u64::MAX,
            // Its text is bounded below; the markup around a string is bounded here.
            Part::SharedStrings => limits::SHARED_STRINGS_BYTES * 4,
            Part::SharedStringsBin => limits::SHARED_STRINGS_BYTES,
            Part::OdsContent => limits::WHOLE_PART_BYTES,
            Part::OtherXml | Part::OtherBin => SMALL_PART_BYTES,
        }
    }

    /// How a person names the part in a message.
    fn label(self, name: &str) -> String {
        match self {
            Part::SharedStrings | Part::SharedStringsBin => "the workbook's shared strings".into(),
            Part::Sheet => format!("the worksheet {name}"),
            Part::OdsContent => "the ods sheets (content.xml)".into(),
            Part::OtherXml | Part::OtherBin => format!("the workbook part {name}"),
        }
    }
}

fn check_zip(data: &mut dyn ReadSeek) -> Result<(), OverLimit> {
    let Ok(mut zip) = zip::ZipArchive::new(data) else {
        return Ok(());
    };
    for i in 0..zip.len() {
        let Ok(file) = zip.by_index(i) else {
            continue;
        };
        let Ok(original) = file.name().map(|n| n.into_owned()) else {
            continue;
        };
        let Some(part) = Part::of(&original.to_ascii_lowercase()) else {
            continue;
        };
        let label = part.label(&original);
        let max = part.max_bytes();
        if file.size() > max {
            return Err(over(format!(
                "{label} unpack to {}, over {}",
                limits::approx(file.size()),
                size(max)
            )));
        }
        let mut file = file.take(max.saturating_add(1));
        let mut scan = match part {
            Part::SharedStringsBin | Part::OtherBin => None,
            _ => Some(Scanner::new(part)),
        };
        let mut buf = vec![0u8; 64 << 10];
        let mut total: u64 = 0;
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                // A damaged part: calamine reports it.
                Err(_) => break,
            };
            total += n as u64;
            if total > max {
                return Err(over(format!("{label} unpack to more than {}", size(max))));
            }
            if let Some(scan) = scan.as_mut() {
                scan.feed(&buf[..n])
                    .map_err(|what| over(format!("{label}: {what}")))?;
            }
        }
        if let Some(scan) = scan.as_mut() {
            scan.finish()
                .map_err(|what| over(format!("{label}: {what}")))?;
        }
    }
    Ok(())
}

/// Where the scanner is in the XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    /// Inside `<...>`; the quote character when inside an attribute value.
    Tag(Option<u8>),
    Comment,
    CData,
    Instruction,
}

/// Measures an XML part as it streams by: the longest run of text or markup, each cell's (or
/// shared string's) text, and what its kind of part counts.
#[derive(Debug)]
struct Scanner {
    part: Part,
    state: State,
    /// The bytes of the current token (text run, tag, comment) so far.
    token: u64,
    /// The first bytes of the current tag.
    tag: Vec<u8>,
    /// The text of the current cell or shared string.
    item: u64,
    /// Shared strings: strings and text seen.
    strings: u64,
    text: u64,
    /// Start tags seen.
    elements: u64,
    ods: OdsSpan,
}

impl Scanner {
    fn new(part: Part) -> Scanner {
        Scanner {
            part,
            state: State::Text,
            token: 0,
            tag: Vec::new(),
            item: 0,
            strings: 0,
            text: 0,
            elements: 0,
            ods: OdsSpan::default(),
        }
    }

    fn feed(&mut self, mut bytes: &[u8]) -> Result<(), String> {
        while !bytes.is_empty() {
            match self.state {
                State::Text => {
                    let (run, rest) = match memchr::memchr(b'<', bytes) {
                        Some(i) => (i, Some(i + 1)),
                        None => (bytes.len(), None),
                    };
                    self.text_bytes(run as u64)?;
                    match rest {
                        Some(i) => {
                            self.state = State::Tag(None);
                            self.token = 0;
                            self.tag.clear();
                            bytes = &bytes[i..];
                        }
                        None => bytes = &[],
                    }
                }
                State::CData => {
                    let (run, rest) = match memchr::memchr(b'>', bytes) {
                        Some(i) => (i + 1, Some(i + 1)),
                        None => (bytes.len(), None),
                    };
                    self.keep_tail(&bytes[..run]);
                    self.text_bytes(run as u64)?;
                    if rest.is_some() && self.tag.ends_with(b"]]>") {
                        self.state = State::Text;
                        self.token = 0;
                    }
                    bytes = &bytes[run..];
                }
                State::Comment | State::Instruction => {
                    let (run, rest) = match memchr::memchr(b'>', bytes) {
                        Some(i) => (i + 1, Some(i + 1)),
                        None => (bytes.len(), None),
                    };
                    self.keep_tail(&bytes[..run]);
                    self.markup_bytes(run as u64)?;
                    let close: &[u8] = if self.state == State::Comment {
                        b"-->"
                    } else {
                        b"?>"
                    };
                    if rest.is_some() && self.tag.ends_with(close) {
                        self.state = State::Text;
                        self.token = 0;
                    }
                    bytes = &bytes[run..];
                }
                State::Tag(quote) => {
                    let b = bytes[0];
                    bytes = &bytes[1..];
                    self.markup_bytes(1)?;
                    match quote {
                        Some(q) if b == q => self.state = State::Tag(None),
                        Some(_) => {}
                        None if b == b'"' || b == b'\'' => self.state = State::Tag(Some(b)),
                        None if b == b'>' => {
                            self.end_tag()?;
                            self.state = State::Text;
                            self.token = 0;
                            continue;
                        }
                        None => {}
                    }
                    if self.tag.len() < TAG_KEPT {
                        self.tag.push(b);
                    }
                    if self.tag.len() <= 8 && self.state == State::Tag(None) {
                        if self.tag.starts_with(b"!--") {
                            self.state = State::Comment;
                        } else if self.tag.starts_with(b"![CDATA[") {
                            self.state = State::CData;
                            self.token = 0;
                        } else if self.tag == b"?" {
                            self.state = State::Instruction;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Keeps the last three bytes seen of a comment, CDATA or instruction (to find its end).
    fn keep_tail(&mut self, run: &[u8]) {
        self.tag
            .extend_from_slice(&run[run.len().saturating_sub(3)..]);
        let cut = self.tag.len().saturating_sub(3);
        self.tag.drain(..cut);
    }

    fn markup_bytes(&mut self, n: u64) -> Result<(), String> {
        self.token += n;
        if self.token > limits::CELL_BYTES as u64 {
            return Err(format!(
                "a tag or comment is longer than {}",
                size(limits::CELL_BYTES as u64)
            ));
        }
        Ok(())
    }

    fn text_bytes(&mut self, n: u64) -> Result<(), String> {
        if n == 0 {
            return Ok(());
        }
        self.item += n;
        self.text += n;
        if self.item > limits::CELL_BYTES as u64 {
            return Err(match self.part {
                Part::SharedStrings => format!(
                    "shared string {} holds more than {} of text",
                    self.strings,
                    size(limits::CELL_BYTES as u64)
                ),
                _ => format!(
                    "a cell holds more than {} of text",
                    size(limits::CELL_BYTES as u64)
                ),
            });
        }
        if self.part == Part::SharedStrings && self.text > limits::SHARED_STRINGS_BYTES {
            return Err(format!(
                "the strings hold more than {} of text",
                size(limits::SHARED_STRINGS_BYTES)
            ));
        }
        Ok(())
    }

    /// A whole tag has been read (its first bytes are in `self.tag`, without `<` and `>`).
    fn end_tag(&mut self) -> Result<(), String> {
        let tag = std::mem::take(&mut self.tag);
        let closing = tag.first() == Some(&b'/');
        let body = if closing { &tag[1..] } else { &tag[..] };
        let name_end = body
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(body.len());
        let qname = &body[..name_end];
        let local = match memchr::memrchr(b':', qname) {
            Some(i) => &qname[i + 1..],
            None => qname,
        };
        let empty = tag.last() == Some(&b'/');
        if !closing {
            self.elements += 1;
            if self.part == Part::OtherXml && self.elements > WHOLE_PART_ELEMENTS {
                return Err(format!("it holds more than {WHOLE_PART_ELEMENTS} elements"));
            }
        }
        match (self.part, local) {
            (Part::SharedStrings, b"si") if !closing => {
                self.strings += 1;
                self.item = 0;
                if self.strings > limits::SHARED_STRINGS_COUNT {
                    return Err(format!(
                        "more than {} strings",
                        limits::SHARED_STRINGS_COUNT
                    ));
                }
            }
            (Part::SharedStrings, b"sst") if !closing => {
                // calamine reserves room for the count the table declares.
                if let Some(n) = attr_number(body, b"uniqueCount")
                    && n > limits::SHARED_STRINGS_COUNT
                {
                    return Err(format!(
                        "the table declares {n} strings, more than {}",
                        limits::SHARED_STRINGS_COUNT
                    ));
                }
            }
            (Part::Sheet, b"c") if !closing => self.item = 0,
            (Part::OdsContent, _) => {
                if matches!(local, b"table-cell" | b"covered-table-cell") && !closing {
                    self.item = 0;
                }
                self.ods.tag(local, body, closing, empty);
                if self.ods.cells() > limits::WHOLE_SHEET_CELLS {
                    return Err(format!(
                        "the sheets span more than {} cells (counting the empty cells within \
                         them and repeated rows and columns)",
                        limits::WHOLE_SHEET_CELLS
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), String> {
        if self.part == Part::OdsContent {
            self.ods.end_table();
            if self.ods.cells() > limits::WHOLE_SHEET_CELLS {
                return Err(format!(
                    "the sheets span more than {} cells",
                    limits::WHOLE_SHEET_CELLS
                ));
            }
        }
        Ok(())
    }
}

/// The number in attribute `name` (its local name) of a tag's bytes.
fn attr_number(tag: &[u8], name: &[u8]) -> Option<u64> {
    let mut at = 0;
    while let Some(i) = memchr::memmem::find(&tag[at..], name) {
        let start = at + i;
        let before = start.checked_sub(1).map(|j| tag[j]);
        let after = &tag[start + name.len()..];
        at = start + name.len();
        if !matches!(
            before,
            Some(b':') | Some(b' ') | Some(b'\t') | Some(b'\n') | Some(b'\r')
        ) {
            continue;
        }
        let Some(value) = after
            .strip_prefix(b"=\"")
            .or_else(|| after.strip_prefix(b"='"))
        else {
            continue;
        };
        let digits: Vec<u8> = value
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .copied()
            .collect();
        return Some(
            std::str::from_utf8(&digits)
                .ok()
                .and_then(|d| d.parse().ok())
                .unwrap_or(u64::MAX),
        );
    }
    None
}

/// The cells calamine lays out for the sheets of an ods file: each sheet is read into a
/// rectangle from its first row and column to its last non-empty ones, repeats expanded.
#[derive(Debug, Default)]
struct OdsSpan {
    /// Rows of the current sheet so far, repeats counted.
    rows: u64,
    /// Repeats of the current row.
    row_repeat: u64,
    /// Columns of the current row so far; the end of its last non-empty cell.
    col: u64,
    row_width: u64,
    /// The end of the last non-empty row of the sheet, and its widest row.
    last_row: u64,
    width: u64,
    /// The cells of the sheets finished.
    done: u64,
}

impl OdsSpan {
    fn tag(&mut self, local: &[u8], body: &[u8], closing: bool, empty: bool) {
        match local {
            b"table" if closing => self.end_table(),
            b"table" => {}
            b"table-row" if !closing => {
                self.row_repeat = attr_number(body, b"number-rows-repeated")
                    .unwrap_or(1)
                    .max(1);
                self.col = 0;
                self.row_width = 0;
                if empty {
                    self.end_row();
                }
            }
            b"table-row" => self.end_row(),
            b"table-cell" | b"covered-table-cell" if !closing => {
                let repeat = attr_number(body, b"number-columns-repeated")
                    .unwrap_or(1)
                    .max(1);
                let filled = !empty || memchr::memmem::find(body, b"value-type").is_some();
                self.col = self.col.saturating_add(repeat);
                if filled {
                    self.row_width = self.col;
                }
            }
            _ => {}
        }
    }

    fn end_row(&mut self) {
        self.rows = self.rows.saturating_add(self.row_repeat);
        if self.row_width > 0 {
            self.last_row = self.rows;
            self.width = self.width.max(self.row_width);
        }
        self.row_repeat = 1;
        self.row_width = 0;
        self.col = 0;
    }

    fn end_table(&mut self) {
        self.done = self
            .done
            .saturating_add(self.last_row.saturating_mul(self.width));
        *self = OdsSpan {
            done: self.done,
            ..OdsSpan::default()
        };
    }

    /// The cells of the finished sheets and of the current one so far.
    fn cells(&self) -> u64 {
        self.done
            .saturating_add(self.last_row.saturating_mul(self.width))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(part: Part, xml: &[u8], chunk: usize) -> Result<Scanner, String> {
        let mut s = Scanner::new(part);
        for piece in xml.chunks(chunk.max(1)) {
            s.feed(piece)?;
        }
        s.finish()?;
        Ok(s)
    }

    #[test]
    fn counts_shared_strings_and_their_text_in_any_chunks() {
        let xml = br#"<?xml version="1.0"?><sst xmlns="x" uniqueCount="3"><si><t>Ann</t></si><!-- a > b --><si><r><rPr/><t xml:space="preserve">Bob </t></r></si><x:si><x:t><![CDATA[<C>]]></x:t></x:si></sst>"#;
        for chunk in [1, 2, 3, 7, 1000] {
            let s = scan(Part::SharedStrings, xml, chunk).unwrap();
            assert_eq!(s.strings, 3, "chunk {chunk}");
            assert_eq!(s.state, State::Text);
        }
    }

    #[test]
    fn a_declared_count_over_the_limit_is_refused() {
        let xml = format!(
            "<sst uniqueCount=\"{}\"><si><t>a</t></si></sst>",
            limits::SHARED_STRINGS_COUNT + 1
        );
        let err = scan(Part::SharedStrings, xml.as_bytes(), 5).unwrap_err();
        assert!(err.contains("declares"), "{err}");
    }

    #[test]
    fn a_long_cell_is_refused_however_it_is_cut() {
        let mut xml = b"<sheetData><row><c t=\"inlineStr\"><is>".to_vec();
        for _ in 0..(limits::CELL_BYTES / (1 << 16) + 1) {
            xml.extend_from_slice(b"<r><t>");
            xml.extend(std::iter::repeat_n(b'x', 1 << 16));
            xml.extend_from_slice(b"</t></r>");
        }
        let err = scan(Part::Sheet, &xml, 1 << 16).unwrap_err();
        assert!(err.contains("a cell holds more than 16 MiB"), "{err}");
        // Many cells of that size together are fine: each is measured alone.
        let cell = format!(
            "<c t=\"inlineStr\"><is><t>{}</t></is></c>",
            "y".repeat(1 << 20)
        );
        let many = cell.repeat(20);
        assert!(scan(Part::Sheet, many.as_bytes(), 4096).is_ok());
    }

    #[test]
    fn ods_repeats_count_as_cells() {
        let row = |repeat: u64| {
            format!(
                "<table:table-row table:number-rows-repeated=\"{repeat}\">\
                 <table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell>\
                 <table:table-cell table:number-columns-repeated=\"3\" office:value-type=\"float\" office:value=\"1\"/>\
                 <table:table-cell table:number-columns-repeated=\"1020\"/></table:table-row>"
            )
        };
        let small = format!(
            "<table:table>{}<table:table-row table:number-rows-repeated=\"1048570\">\
             <table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row></table:table>",
            row(10)
        );
        let s = scan(Part::OdsContent, small.as_bytes(), 64).unwrap();
        // 10 rows of 4 cells: the empty rows and columns after them are not laid out.
        assert_eq!(s.ods.cells(), 40);
        let big = format!("<table:table>{}</table:table>", row(5_000_000));
        let err = scan(Part::OdsContent, big.as_bytes(), 64).unwrap_err();
        assert!(err.contains("cells"), "{err}");
    }

    #[test]
    fn attributes_by_local_name() {
        assert_eq!(
            attr_number(b"sst count=\"5\" uniqueCount=\"3\"", b"uniqueCount"),
            Some(3)
        );
        assert_eq!(
            attr_number(b"x:sst x:uniqueCount='7'", b"uniqueCount"),
            Some(7)
        );
        assert_eq!(
            attr_number(b"sst nonuniqueCount=\"7\"", b"uniqueCount"),
            None
        );
        assert_eq!(
            attr_number(
                b"sst uniqueCount=\"99999999999999999999999\"",
                b"uniqueCount"
            ),
            Some(u64::MAX)
        );
    }

    #[test]
    fn parts_by_name() {
        assert_eq!(Part::of("xl/sharedstrings.xml"), Some(Part::SharedStrings));
        assert_eq!(Part::of("xl/worksheets/sheet1.xml"), Some(Part::Sheet));
        assert_eq!(
            Part::of("xl/worksheets/_rels/sheet1.xml.rels"),
            Some(Part::OtherXml)
        );
        assert_eq!(Part::of("content.xml"), Some(Part::OdsContent));
        assert_eq!(Part::of("xl/styles.xml"), Some(Part::OtherXml));
        assert_eq!(Part::of("xl/worksheets/sheet1.bin"), None);
        assert_eq!(
            Part::of("xl/sharedstrings.bin"),
            Some(Part::SharedStringsBin)
        );
        assert_eq!(Part::of("xl/media/image1.png"), None);
    }
}
