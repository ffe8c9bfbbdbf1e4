//! vCard reader (versions 2.1, 3.0 and 4.0): one card, one row, in a fixed schema.
//!
//! The file is streamed a line at a time and only the properties that become columns are kept
//! until the card ends, so memory is bounded by one card (and each line by [`MAX_LINE`]).
//! A line ends with LF, CRLF or a CR alone (as old Macs wrote). Lines are unfolded (a line starting with a space or tab continues the one before, and a
//! 2.1 quoted-printable line ending in `=` continues on the next). Property and parameter names
//! and TYPE values are case-insensitive; group prefixes (`item1.TEL`) are ignored.
//!
//! A card that cannot be read cleanly (no END:VCARD, a line that is not a property, a NUL byte
//! in a value) still becomes a row, with a [`Rejection`] attached. Lines outside cards are
//! ignored. A company's card (its FN is its ORG, Apple's `X-ABShowAs:COMPANY`, or vCard 4.0's
//! `KIND:org`) has no person's name: the company is its `company` (its FN, or its N, when it
//! has no ORG), and is not split into a first and last name.

use std::io::{BufRead, ErrorKind};
use std::sync::Arc;

use super::csv::escape_invalid_utf8;
use super::{Batch, LIST_SEPARATOR, RawRow, Schema, Source, SourceInfo, Values, nul};
use crate::contact::{ORG_AND_ADDRESS, concat_names};
use crate::error::{Error, Result};
use crate::reject::{Code, Rejection, Stage};

/// The columns every vCard row has, in order.
pub const COLUMNS: [&str; 16] = concat_names(&[
    &[
        "full_name",
        "first_name",
        "last_name",
        "mobile",
        "work_phone",
        "home_phone",
        "phone",
        "email",
    ],
    &ORG_AND_ADDRESS,
    &["notes"],
]);

const FULL_NAME: usize = 0;
const FIRST_NAME: usize = 1;
const LAST_NAME: usize = 2;
const MOBILE: usize = 3;
const WORK_PHONE: usize = 4;
const HOME_PHONE: usize = 5;
const PHONE: usize = 6;
const EMAIL: usize = 7;
const COMPANY: usize = 8;
const JOB_TITLE: usize = 9;
const STREET: usize = 10;
const CITY: usize = 11;
const STATE: usize = 12;
const POSTAL_CODE: usize = 13;
const COUNTRY: usize = 14;
const NOTES: usize = 15;

/// The longest line (physical or unfolded) kept; the rest of a longer one is dropped.
pub const MAX_LINE: usize = 1 << 20;
/// The most property text kept for one card; further properties are dropped.
const MAX_CARD: usize = 8 << 20;
/// How much of a bad line a message quotes.
const SNIPPET: usize = 60;

/// The properties that become columns; every other one is dropped as soon as it is read.
const KEPT: [&str; 9] = [
    "VERSION", "FN", "N", "TEL", "EMAIL", "ORG", "TITLE", "ADR", "NOTE",
];

/// Properties whose values are binary data (skipped without being kept).
const BINARY: [&str; 4] = ["PHOTO", "LOGO", "SOUND", "KEY"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V21,
    V30,
    V40,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueEncoding {
    Text,
    QuotedPrintable,
    Binary,
}

/// One line as read from the file, without its line ending.
#[derive(Debug)]
struct Line {
    text: String,
    /// 1-based line number in the file.
    number: u64,
    /// The first bytes that were not UTF-8, escaped as `\xNN`.
    bad_utf8: Option<String>,
    /// The line was longer than [`MAX_LINE`] and was cut.
    truncated: bool,
}

/// One parsed property.
#[derive(Debug)]
struct Prop {
    /// Upper case, group prefix removed.
    name: String,
    /// TYPE values (and 2.1 bare parameters), lower case.
    types: Vec<String>,
    encoding: ValueEncoding,
    charset: Option<String>,
    /// `PREF=n` (4.0), or 1 for a `pref` type.
    pref: Option<u32>,
    /// The value as written (still escaped or encoded).
    value: String,
}

impl Prop {
    fn has_type(&self, t: &str) -> bool {
        self.types.iter().any(|x| x == t)
    }

    /// Lower ranks first; properties with no preference last.
    fn pref_rank(&self) -> u32 {
        match self.pref {
            Some(n) => n.clamp(1, 100),
            None if self.has_type("pref") => 1,
            None => u32::MAX,
        }
    }
}

/// The card being read.
#[derive(Debug)]
struct Card {
    number: u64,
    /// The line of its BEGIN:VCARD.
    line: u64,
    version: Option<Version>,
    props: Vec<Prop>,
    bytes: usize,
    problem: Option<Rejection>,
    /// Inside a nested 2.1 AGENT card: its depth.
    nested: u32,
    /// The last property was binary data: 2.1 writers may continue it on unindented lines.
    after_binary: bool,
    /// The last property was an empty AGENT: a BEGIN:VCARD now opens a nested card.
    after_agent: bool,
    /// Apple's `X-ABShowAs:COMPANY`, or vCard 4.0's `KIND:org`: the card is an organisation's,
    /// so its FN (and N) is the organisation's name, not a person's.
    shown_as_company: bool,
}

impl Card {
    fn new(number: u64, line: u64) -> Self {
        Card {
            number,
            line,
            version: None,
            props: Vec::new(),
            bytes: 0,
            problem: None,
            nested: 0,
            after_binary: false,
            after_agent: false,
            shown_as_company: false,
        }
    }

    fn flag(&mut self, code: Code, message: String) {
        self.problem
            .get_or_insert_with(|| Rejection::new(Stage::Read, "", code, message));
    }

    /// Takes one unfolded line of the card's body.
    fn add_line(&mut self, line: Line) {
        let trimmed = line.text.trim();
        if trimmed.is_empty() {
            self.after_binary = false;
            self.after_agent = false;
            return;
        }
        let Some(prop) = parse_property(&line.text) else {
            if self.after_binary && is_base64_text(trimmed) {
                return;
            }
            self.flag(
                Code::RowRagged,
                format!(
                    "line {} of the card starting on line {} is not a vCard property \
                     (it has no ':'): {}",
                    line.number,
                    self.line,
                    snippet(trimmed)
                ),
            );
            return;
        };
        self.after_binary =
            prop.encoding == ValueEncoding::Binary || BINARY.contains(&prop.name.as_str());
        self.after_agent = prop.name == "AGENT" && prop.value.trim().is_empty();
        if is_organisation_flag(&prop) {
            self.shown_as_company = true;
        }
        if self.after_binary || !KEPT.contains(&prop.name.as_str()) {
            return;
        }
        if let Some(bad) = &line.bad_utf8 {
            self.flag(
                Code::EncodingInvalid,
                format!(
                    "bytes {bad} on line {} ({}) are not UTF-8 (the file was read as UTF-8; \
                     fix the card, or give --encoding if the whole file is in another encoding)",
                    line.number, prop.name
                ),
            );
        }
        if line.truncated {
            self.flag(
                Code::TooLong,
                format!(
                    "the {} property on line {} is longer than {} bytes; it was cut",
                    prop.name, line.number, MAX_LINE
                ),
            );
        }
        if prop.name == "VERSION" {
            self.version = Some(match prop.value.trim() {
                "2.1" => Version::V21,
                "4.0" => Version::V40,
                _ => Version::V30,
            });
            return;
        }
        let size = prop.value.len() + 64;
        if self.bytes + size > MAX_CARD {
            self.flag(
                Code::TooLong,
                format!(
                    "the card starting on line {} holds more than {} bytes of text; \
                     the rest of it was dropped",
                    self.line, MAX_CARD
                ),
            );
            return;
        }
        self.bytes += size;
        self.props.push(prop);
    }

    /// The card as a row.
    fn into_row(mut self) -> RawRow {
        let version = self.version.unwrap_or(Version::V30);
        let mut cells: [String; 16] = Default::default();
        // (column, preference rank, value): sorted by rank, file order kept on ties.
        let mut lists: Vec<(usize, u32, String)> = Vec::new();
        let mut adr: Option<(u32, Vec<String>)> = None;
        let mut notes: Vec<String> = Vec::new();
        let mut bad_charset: Option<String> = None;
        let props = std::mem::take(&mut self.props);
        for prop in &props {
            let (value, ok) = decode_value(prop);
            if !ok && bad_charset.is_none() {
                bad_charset = Some(format!(
                    "the quoted-printable {} value is not valid {}",
                    prop.name,
                    prop.charset.as_deref().unwrap_or("UTF-8")
                ));
            }
            match prop.name.as_str() {
                "FN" => set_once(&mut cells[FULL_NAME], unescape(&value, version)),
                "N" => {
                    let parts = split_structured(&value, version);
                    if cells[LAST_NAME].is_empty() && cells[FIRST_NAME].is_empty() {
                        set_once(&mut cells[LAST_NAME], component(&parts, 0));
                        set_once(&mut cells[FIRST_NAME], component(&parts, 1));
                    }
                }
                "TEL" => {
                    if let Some(col) = phone_column(prop) {
                        let number = phone_value(&unescape(&value, version));
                        if !number.is_empty() {
                            lists.push((col, prop.pref_rank(), number));
                        }
                    }
                }
                "EMAIL" => {
                    let email = unescape(&value, version);
                    let email = email.trim();
                    let email = strip_prefix_ignore_case(email, "mailto:").unwrap_or(email);
                    if !email.trim().is_empty() {
                        lists.push((EMAIL, prop.pref_rank(), email.trim().to_string()));
                    }
                }
                "ORG" => {
                    let parts = split_structured(&value, version);
                    set_once(&mut cells[COMPANY], component(&parts, 0));
                }
                "TITLE" => set_once(&mut cells[JOB_TITLE], unescape(&value, version)),
                "ADR" => {
                    let rank = prop.pref_rank();
                    if adr.as_ref().is_none_or(|(r, _)| rank < *r) {
                        adr = Some((rank, split_structured(&value, version)));
                    }
                }
                "NOTE" => {
                    let note = unescape(&value, version);
                    if !note.trim().is_empty() {
                        notes.push(note.trim().to_string());
                    }
                }
                _ => {}
            }
        }
        if let Some(message) = bad_charset {
            self.flag(Code::EncodingInvalid, message);
        }
        lists.sort_by_key(|(col, rank, _)| (*col, *rank));
        for (col, _, value) in lists {
            let cell = &mut cells[col];
            if cell.split(LIST_SEPARATOR).any(|v| v == value) {
                continue;
            }
            if !cell.is_empty() {
                cell.push_str(LIST_SEPARATOR);
            }
            cell.push_str(&value);
        }
        if let Some((_, parts)) = adr {
            let street: Vec<String> = [2, 1, 0]
                .iter()
                .map(|&i| component(&parts, i))
                .filter(|s| !s.is_empty())
                .collect();
            cells[STREET] = street.join(", ");
            cells[CITY] = component(&parts, 3);
            cells[STATE] = component(&parts, 4);
            cells[POSTAL_CODE] = component(&parts, 5);
            cells[COUNTRY] = component(&parts, 6);
        }
        cells[NOTES] = notes.join(LIST_SEPARATOR);
        self.drop_company_as_name(&mut cells);
        if let Some(i) = nul::escape_cells(&mut cells) {
            self.problem
                .get_or_insert_with(|| nul::rejection(COLUMNS[i]));
        }
        RawRow {
            row: self.number,
            values: Values::Csv(cells.iter().map(String::as_str).collect()),
            problem: self.problem.map(Box::new),
        }
    }
}

impl Card {
    /// A company's card has no person's name: phones write the company as its FN (and some
    /// as its N too), with `X-ABShowAs:COMPANY` on Apple's. Such a name is the company's, in
    /// `company`, and is not split into a first and last name. A person's name in N beside
    /// the company (a contact person) is kept.
    fn drop_company_as_name(&self, cells: &mut [String; 16]) {
        if self.shown_as_company && cells[COMPANY].trim().is_empty() {
            // An organisation's card with no ORG: its name is the FN, else the N as written.
            let from_n = format!("{} {}", cells[FIRST_NAME].trim(), cells[LAST_NAME].trim());
            let name = match cells[FULL_NAME].trim() {
                "" => from_n.trim().to_string(),
                full => full.to_string(),
            };
            cells[COMPANY] = name;
        }
        let company = cells[COMPANY].trim().to_string();
        if company.is_empty() {
            return;
        }
        let is_company = |s: &str| s.trim().eq_ignore_ascii_case(&company);
        if self.shown_as_company || is_company(&cells[FULL_NAME]) {
            cells[FULL_NAME].clear();
        }
        let given_family = format!("{} {}", cells[FIRST_NAME], cells[LAST_NAME]);
        if is_company(&given_family)
            || is_company(&cells[LAST_NAME]) && cells[FIRST_NAME].is_empty()
        {
            cells[FIRST_NAME].clear();
            cells[LAST_NAME].clear();
        }
    }
}

/// Whether a property says the card is an organisation's: Apple's `X-ABShowAs:COMPANY`, or
/// vCard 4.0's `KIND:org` (RFC 6350 6.1.4; `organization` as some writers spell it).
fn is_organisation_flag(prop: &Prop) -> bool {
    let value = prop.value.trim();
    match prop.name.as_str() {
        "X-ABSHOWAS" => value.eq_ignore_ascii_case("COMPANY"),
        "KIND" | "X-ADDRESSBOOKSERVER-KIND" => {
            value.eq_ignore_ascii_case("org") || value.eq_ignore_ascii_case("organization")
        }
        _ => false,
    }
}

fn set_once(cell: &mut String, value: String) {
    let value = value.trim();
    if cell.is_empty() && !value.is_empty() {
        *cell = value.to_string();
    }
}

fn component(parts: &[String], i: usize) -> String {
    parts
        .get(i)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// The column a TEL goes to, or `None` for a fax or pager.
fn phone_column(prop: &Prop) -> Option<usize> {
    let has = |t: &str| prop.has_type(t);
    if has("pager") {
        None
    } else if has("cell") || has("mobile") || has("iphone") {
        Some(MOBILE)
    } else if has("fax") {
        None
    } else if has("work") {
        Some(WORK_PHONE)
    } else if has("home") {
        Some(HOME_PHONE)
    } else {
        Some(PHONE)
    }
}

/// A TEL value as a number: `tel:` URIs lose their scheme, an `ext=` becomes ` ext. N`.
fn phone_value(value: &str) -> String {
    let value = value.trim();
    let Some(uri) = strip_prefix_ignore_case(value, "tel:") else {
        return value.to_string();
    };
    let mut parts = uri.split(';');
    let mut number = parts.next().unwrap_or("").trim().to_string();
    for param in parts {
        if let Some((k, v)) = param.split_once('=')
            && k.trim().eq_ignore_ascii_case("ext")
            && !v.trim().is_empty()
        {
            number.push_str(" ext. ");
            number.push_str(v.trim());
        }
    }
    number
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// The value as text: quoted-printable decoded in its charset. The flag is false when the
/// decoded bytes were not valid in that charset.
fn decode_value(prop: &Prop) -> (String, bool) {
    if prop.encoding != ValueEncoding::QuotedPrintable {
        return (prop.value.clone(), true);
    }
    let bytes = quoted_printable(&prop.value);
    let enc = prop
        .charset
        .as_deref()
        .and_then(|c| encoding_rs::Encoding::for_label(c.trim().as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    let (text, had_errors) = enc.decode_without_bom_handling(&bytes);
    (text.into_owned(), !had_errors)
}

/// Decodes `=XX` escapes; an `=` not followed by two hex digits is kept as it is.
fn quoted_printable(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'='
            && let (Some(h), Some(l)) = (
                b.get(i + 1).and_then(|c| hex(*c)),
                b.get(i + 2).and_then(|c| hex(*c)),
            )
        {
            out.push(h << 4 | l);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Unescapes a text value: `\,` `\;` `\\` `\n` in 3.0 and 4.0; only `\;` in 2.1.
fn unescape(s: &str, version: Version) -> String {
    let mut out = Vec::with_capacity(1);
    unescape_into(s, version, false, &mut out);
    out.pop().unwrap_or_default()
}

/// Splits a structured value (N, ADR, ORG) on unescaped `;` and unescapes each component.
fn split_structured(s: &str, version: Version) -> Vec<String> {
    let mut out = Vec::new();
    unescape_into(s, version, true, &mut out);
    out
}

fn unescape_into(s: &str, version: Version, split: bool, out: &mut Vec<String>) {
    let mut cur = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(';') => cur.push(';'),
                Some(n) if version == Version::V21 => {
                    cur.push('\\');
                    cur.push(n);
                }
                Some('n' | 'N') => cur.push('\n'),
                Some(n @ (',' | '\\' | ':')) => cur.push(n),
                Some(n) => {
                    cur.push('\\');
                    cur.push(n);
                }
                None => cur.push('\\'),
            },
            ';' if split => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
}

/// Where the value starts: the first `:` outside double quotes (or the first `:` at all
/// when the quotes are unbalanced).
fn value_colon(line: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, b) in line.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b':' if !quoted => return Some(i),
            _ => {}
        }
    }
    line.find(':')
}

/// The name and parameters of a line (all of it when it has no `:`).
fn head_of(line: &str) -> &str {
    value_colon(line).map_or(line, |i| &line[..i])
}

/// Splits a property's name and parameters on `;` outside double quotes.
fn split_head(head: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, b) in head.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b';' if !quoted => {
                out.push(&head[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&head[start..]);
    out
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    let s = s.strip_prefix('"').unwrap_or(s);
    s.strip_suffix('"').unwrap_or(s)
}

/// What a bare (2.1) or `ENCODING=` parameter says about the value's encoding.
fn encoding_of(word: &str) -> Option<ValueEncoding> {
    let w = word.trim();
    if w.eq_ignore_ascii_case("quoted-printable") {
        Some(ValueEncoding::QuotedPrintable)
    } else if w.eq_ignore_ascii_case("b") || w.eq_ignore_ascii_case("base64") {
        Some(ValueEncoding::Binary)
    } else if w.eq_ignore_ascii_case("8bit") || w.eq_ignore_ascii_case("7bit") {
        Some(ValueEncoding::Text)
    } else {
        None
    }
}

/// Parses `[group.]NAME[;param...]:value`; `None` when the line has no `:`.
fn parse_property(line: &str) -> Option<Prop> {
    let colon = value_colon(line)?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = split_head(head).into_iter();
    let full_name = parts.next().unwrap_or("").trim();
    let name = full_name
        .rsplit('.')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase();
    let mut prop = Prop {
        name,
        types: Vec::new(),
        encoding: ValueEncoding::Text,
        charset: None,
        pref: None,
        value: value.to_string(),
    };
    for param in parts {
        let param = param.trim();
        if param.is_empty() {
            continue;
        }
        let Some((key, val)) = param.split_once('=') else {
            // 2.1 bare parameters: an encoding or a type.
            match encoding_of(param) {
                Some(e) => prop.encoding = e,
                None => prop.types.push(unquote(param).to_ascii_lowercase()),
            }
            continue;
        };
        let key = key.trim();
        if key.eq_ignore_ascii_case("TYPE") {
            prop.types.extend(
                unquote(val)
                    .split(',')
                    .map(|t| unquote(t).to_ascii_lowercase())
                    .filter(|t| !t.is_empty()),
            );
        } else if key.eq_ignore_ascii_case("ENCODING") {
            if let Some(e) = encoding_of(unquote(val)) {
                prop.encoding = e;
            }
        } else if key.eq_ignore_ascii_case("CHARSET") {
            prop.charset = Some(unquote(val).to_string());
        } else if key.eq_ignore_ascii_case("PREF") {
            prop.pref = Some(unquote(val).parse().unwrap_or(1));
        }
    }
    Some(prop)
}

/// Whether the head of a line says its value is quoted-printable.
fn head_is_qp(head: &str) -> bool {
    split_head(head).iter().skip(1).any(|p| {
        let v = p.split_once('=').map_or(*p, |(_, v)| v);
        encoding_of(unquote(v)) == Some(ValueEncoding::QuotedPrintable)
    })
}

/// Whether the head of a line says its value is binary data (not worth keeping).
fn head_is_binary(head: &str) -> bool {
    let parts = split_head(head);
    let name = parts[0].rsplit('.').next().unwrap_or("").trim();
    BINARY.iter().any(|b| b.eq_ignore_ascii_case(name))
        || parts.iter().skip(1).any(|p| {
            let v = p.split_once('=').map_or(*p, |(_, v)| v);
            encoding_of(unquote(v)) == Some(ValueEncoding::Binary)
        })
}

fn is_base64_text(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b' ' | b'\t'))
}

fn is_begin(line: &str) -> bool {
    line.trim().eq_ignore_ascii_case("BEGIN:VCARD")
}

fn is_end(line: &str) -> bool {
    line.trim().eq_ignore_ascii_case("END:VCARD")
}

fn snippet(s: &str) -> String {
    if s.chars().count() <= SNIPPET {
        s.to_string()
    } else {
        let cut: String = s.chars().take(SNIPPET).collect();
        format!("{cut}...")
    }
}

/// Streams a vCard file as batches of rows, one row per card.
pub struct VcardSource {
    name: String,
    rdr: Box<dyn BufRead + Send>,
    schema: Arc<Schema>,
    info: SourceInfo,
    /// A line read ahead to see whether it continued the one before.
    pending: Option<Line>,
    /// The last line ended with a CR at the end of the buffer: a LF first thing is its end.
    after_cr: bool,
    /// Physical lines read so far.
    lines: u64,
    /// Cards begun so far.
    cards: u64,
    card: Option<Card>,
    buf: Vec<u8>,
}

impl VcardSource {
    /// Reads up to the first BEGIN:VCARD; an input with none is [`Error::BadInput`].
    pub fn new(
        name: &str,
        reader: impl BufRead + Send + 'static,
        info: SourceInfo,
    ) -> Result<VcardSource> {
        let mut source = VcardSource {
            name: name.to_string(),
            rdr: Box::new(reader),
            schema: Arc::new(Schema::from_header(COLUMNS)),
            info,
            pending: None,
            after_cr: false,
            lines: 0,
            cards: 0,
            card: None,
            buf: Vec::new(),
        };
        loop {
            match source.next_logical()? {
                Some(line) if is_begin(&line.text) => {
                    source.begin_card(line.number);
                    return Ok(source);
                }
                Some(_) => {}
                None => {
                    return Err(Error::BadInput {
                        path: name.to_string(),
                        message: "no BEGIN:VCARD card found".into(),
                    });
                }
            }
        }
    }

    fn begin_card(&mut self, line: u64) {
        self.cards += 1;
        self.card = Some(Card::new(self.cards, line));
    }

    /// One physical line, without its line ending (LF, CRLF, or a CR alone as old Macs
    /// wrote); `None` at the end of the input.
    fn read_physical(&mut self) -> Result<Option<Line>> {
        self.buf.clear();
        let mut truncated = false;
        let mut any = false;
        loop {
            let avail = match self.rdr.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io("cannot read", &self.name, e)),
            };
            if avail.is_empty() {
                break;
            }
            if std::mem::take(&mut self.after_cr) && avail[0] == b'\n' {
                // The LF of a CRLF split from its CR by the end of the buffer.
                self.rdr.consume(1);
                continue;
            }
            any = true;
            let (take, done) = match memchr::memchr2(b'\n', b'\r', avail) {
                Some(i) if avail[i] == b'\r' => match avail.get(i + 1) {
                    Some(b'\n') => (i + 2, true),
                    Some(_) => (i + 1, true),
                    None => {
                        self.after_cr = true;
                        (i + 1, true)
                    }
                },
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            let room = MAX_LINE.saturating_sub(self.buf.len());
            if take > room {
                truncated = true;
            }
            self.buf.extend_from_slice(&avail[..take.min(room)]);
            self.rdr.consume(take);
            if done {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        self.lines += 1;
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        if truncated
            && let Err(e) = std::str::from_utf8(&self.buf)
            && e.error_len().is_none()
        {
            // A character cut in two by the truncation.
            self.buf.truncate(e.valid_up_to());
        }
        let (mut text, bad_utf8) = match std::str::from_utf8(&self.buf) {
            Ok(s) => (s.to_string(), None),
            Err(_) => escape_invalid_utf8(&self.buf),
        };
        if self.lines == 1 && text.starts_with('\u{FEFF}') {
            text.drain(..'\u{FEFF}'.len_utf8());
        }
        Ok(Some(Line {
            text,
            number: self.lines,
            bad_utf8,
            truncated,
        }))
    }

    /// One unfolded line; `None` at the end of the input.
    fn next_logical(&mut self) -> Result<Option<Line>> {
        let mut line = match self.pending.take() {
            Some(l) => l,
            None => match self.read_physical()? {
                Some(l) => l,
                None => return Ok(None),
            },
        };
        let head = head_of(&line.text);
        let qp = head_is_qp(head);
        let binary = head_is_binary(head);
        loop {
            let soft_break = qp && line.text.ends_with('=');
            let Some(next) = self.read_physical()? else {
                break;
            };
            if soft_break && !is_begin(&next.text) && !is_end(&next.text) {
                line.text.pop();
                append(&mut line, next, 0, binary);
            } else if next.text.starts_with([' ', '\t']) {
                append(&mut line, next, 1, binary);
            } else {
                self.pending = Some(next);
                break;
            }
        }
        Ok(Some(line))
    }

    /// The next card as a row; `None` at the end of the input.
    fn next_card(&mut self) -> Result<Option<RawRow>> {
        loop {
            let Some(line) = self.next_logical()? else {
                return Ok(self.card.take().map(|mut card| {
                    card.flag(
                        Code::RowRagged,
                        format!(
                            "the card starting on line {} has no END:VCARD: the file ends \
                             inside it",
                            card.line
                        ),
                    );
                    card.into_row()
                }));
            };
            let Some(card) = self.card.as_mut() else {
                if is_begin(&line.text) {
                    self.begin_card(line.number);
                }
                continue;
            };
            if card.nested > 0 {
                if is_end(&line.text) {
                    card.nested -= 1;
                } else if is_begin(&line.text) {
                    card.nested += 1;
                }
                continue;
            }
            if is_end(&line.text) {
                return Ok(self.card.take().map(Card::into_row));
            }
            if is_begin(&line.text) {
                if card.after_agent {
                    card.nested = 1;
                    card.after_agent = false;
                    continue;
                }
                let mut done = self.card.take().expect("a card is open");
                done.flag(
                    Code::RowRagged,
                    format!(
                        "the card starting on line {} has no END:VCARD before the next \
                         BEGIN:VCARD on line {}",
                        done.line, line.number
                    ),
                );
                self.begin_card(line.number);
                return Ok(Some(done.into_row()));
            }
            card.add_line(line);
        }
    }
}

/// Appends a continuation line, dropping its first `skip` bytes (the folding space); binary
/// values are not kept at all.
fn append(line: &mut Line, next: Line, skip: usize, binary: bool) {
    if line.bad_utf8.is_none() {
        line.bad_utf8 = next.bad_utf8;
    }
    line.truncated |= next.truncated;
    if binary {
        return;
    }
    let rest = &next.text[skip.min(next.text.len())..];
    let room = MAX_LINE.saturating_sub(line.text.len());
    if rest.len() <= room {
        line.text.push_str(rest);
    } else {
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        line.text.push_str(&rest[..cut]);
        line.truncated = true;
    }
}

impl Source for VcardSource {
    source_accessors!();

    fn next_batch(&mut self, max: usize) -> Result<Option<Batch>> {
        let mut rows = Vec::with_capacity(max.min(4096));
        while rows.len() < max {
            match self.next_card()? {
                Some(row) => rows.push(row),
                None => break,
            }
        }
        Ok(Batch::of(Arc::clone(&self.schema), rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Format;

    fn info() -> SourceInfo {
        SourceInfo {
            format: Format::Csv,
            encoding: "UTF-8".into(),
            delimiter: None,
            sheet_header_row: None,
        }
    }

    fn source(text: &str) -> VcardSource {
        VcardSource::new(
            "t.vcf",
            std::io::Cursor::new(text.as_bytes().to_vec()),
            info(),
        )
        .unwrap()
    }

    fn rows(text: &str) -> Vec<RawRow> {
        let mut s = source(text);
        let mut out = Vec::new();
        while let Some(b) = s.next_batch(3).unwrap() {
            assert_eq!(b.schema.columns.len(), COLUMNS.len());
            out.extend(b.rows);
        }
        out
    }

    fn cell<'a>(row: &'a RawRow, name: &str) -> std::borrow::Cow<'a, str> {
        let i = COLUMNS.iter().position(|c| *c == name).unwrap();
        row.values.text(i)
    }

    /// Asserts the cells `(column, value)` of `row`.
    fn assert_cells(row: &RawRow, expected: &[(&str, &str)]) {
        for &(name, value) in expected {
            assert_eq!(cell(row, name), value, "{name}");
        }
    }

    #[test]
    fn schema_is_recognised_by_the_mapping() {
        for name in COLUMNS {
            let norm = crate::mapping::normalize(name);
            assert!(
                crate::mapping::recognise(&norm).is_some(),
                "{name} is not recognised"
            );
        }
    }

    #[test]
    fn v21_quoted_printable_utf8_name_with_soft_line_break() {
        let text = "BEGIN:VCARD\nVERSION:2.1\n\
                    N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;Zo=C3=AB;;;\n\
                    FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Zo=C3=AB M=C3=BC=\n\
                    ller\n\
                    NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Caf=E9 =3D ok\n\
                    TEL;CELL:+44 7400 123456\n\
                    END:VCARD\n";
        let r = rows(text);
        assert_eq!(r.len(), 1);
        assert!(r[0].problem.is_none(), "{:?}", r[0].problem);
        assert_cells(
            &r[0],
            &[
                ("full_name", "Zoë Müller"),
                ("last_name", "Müller"),
                ("first_name", "Zoë"),
                ("notes", "Café = ok"),
                ("mobile", "+44 7400 123456"),
            ],
        );
    }

    #[test]
    fn v21_bare_type_parameters() {
        let text = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;John\r\n\
                    TEL;CELL:+1 415 555 2671\r\nTEL;WORK;VOICE:+1 415 555 2672\r\n\
                    TEL;VOICE:+1 415 555 2673\r\nTEL;HOME:+1 415 555 2674\r\n\
                    TEL;PAGER:+1 415 555 2675\r\nEND:VCARD\r\n";
        let r = rows(text);
        assert_cells(
            &r[0],
            &[
                ("mobile", "+1 415 555 2671"),
                ("work_phone", "+1 415 555 2672"),
                ("phone", "+1 415 555 2673"),
                ("home_phone", "+1 415 555 2674"),
                ("last_name", "Doe"),
                ("first_name", "John"),
            ],
        );
    }

    #[test]
    fn v30_type_lists_folding_and_escapes() {
        let text = "BEGIN:VCARD\nVERSION:3.0\nFN:Jane\n  Doe\n\
                    item1.TEL;TYPE=CELL,VOICE:+49 151 \n 23456789\n\
                    tel;type=work;type=voice:030 1234567\n\
                    NOTE:Met at FOSDEM\\, Brussels\\; ask about\\nthe \\\\ thing\n\
                    ORG:Acme\\, Inc.;Sales\nTITLE:Engineer\n\
                    EMAIL;TYPE=INTERNET:jane@example.com\nEND:VCARD\n";
        let r = rows(text);
        assert!(r[0].problem.is_none());
        assert_cells(
            &r[0],
            &[
                ("full_name", "Jane Doe"),
                ("mobile", "+49 151 23456789"),
                ("work_phone", "030 1234567"),
                ("notes", "Met at FOSDEM, Brussels; ask about\nthe \\ thing"),
                ("company", "Acme, Inc."),
                ("job_title", "Engineer"),
                ("email", "jane@example.com"),
            ],
        );
    }

    #[test]
    fn v40_uri_phone_and_address_country() {
        let text = "BEGIN:VCARD\nVERSION:4.0\nFN:Ann Lee\n\
                    TEL;VALUE=uri;TYPE=\"cell,voice\":tel:+1-555-555-0100\n\
                    TEL;VALUE=uri;TYPE=work:tel:+1-555-555-0101;ext=42\n\
                    ADR;TYPE=work:;Suite 5;1 Main St;Springfield;IL;62701;United States\n\
                    ADR;TYPE=home;PREF=1:;;9 Elm St;Shelbyville;IL;62565;USA\n\
                    END:VCARD\n";
        let r = rows(text);
        assert_cells(
            &r[0],
            &[
                ("mobile", "+1-555-555-0100"),
                ("work_phone", "+1-555-555-0101 ext. 42"),
                // The PREF address wins over the first one.
                ("street", "9 Elm St"),
                ("city", "Shelbyville"),
                ("state", "IL"),
                ("postal_code", "62565"),
                ("country", "USA"),
            ],
        );

        let r = rows(
            "BEGIN:VCARD\nVERSION:4.0\n\
             ADR:;Suite 5;1 Main St;Springfield;IL;62701;United States\nEND:VCARD\n",
        );
        assert_eq!(cell(&r[0], "street"), "1 Main St, Suite 5");
        assert_eq!(cell(&r[0], "country"), "United States");
    }

    #[test]
    fn several_values_share_a_cell_pref_first() {
        let text = "BEGIN:VCARD\nVERSION:3.0\nFN:Two Phones\n\
                    TEL;TYPE=CELL:+44 7400 123456\nTEL;TYPE=CELL,PREF:+44 7400 123457\n\
                    TEL;TYPE=CELL:+44 7400 123456\n\
                    EMAIL:a@example.com\nEMAIL;TYPE=INTERNET:b@example.com\nEND:VCARD\n";
        let r = rows(text);
        assert_eq!(cell(&r[0], "mobile"), "+44 7400 123457 ::: +44 7400 123456");
        assert_eq!(r[0].values.items(3), ["+44 7400 123457", "+44 7400 123456"]);
        assert_eq!(cell(&r[0], "email"), "a@example.com ::: b@example.com");
    }

    #[test]
    fn fax_and_pager_are_skipped() {
        let text = "BEGIN:VCARD\nVERSION:3.0\nFN:Fax Only\n\
                    TEL;TYPE=WORK,FAX:+1 415 555 2679\nTEL;TYPE=FAX:+1 415 555 2678\n\
                    TEL;TYPE=PAGER:+1 415 555 2677\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:2.1\nTEL;FAX;CELL:+1 415 555 2676\nEND:VCARD\n";
        let r = rows(text);
        for col in ["mobile", "work_phone", "home_phone", "phone"] {
            assert_eq!(cell(&r[0], col), "", "{col}");
        }
        assert_eq!(cell(&r[1], "mobile"), "+1 415 555 2676");
        assert_eq!(r[1].row, 2);
    }

    #[test]
    fn missing_end_at_end_of_file_is_a_row_with_a_problem() {
        let text = "BEGIN:VCARD\nVERSION:3.0\nFN:Good\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:3.0\nFN:Cut\nTEL:+1 415 555 2671\n";
        let r = rows(text);
        assert_eq!(r.len(), 2);
        assert!(r[0].problem.is_none());
        let p = r[1].problem.as_ref().unwrap();
        assert_eq!(p.code, Code::RowRagged);
        assert!(p.message.contains("END:VCARD"), "{}", p.message);
        assert!(p.message.contains("line 5"), "{}", p.message);
        assert_eq!(r[1].row, 2);
        assert_eq!(cell(&r[1], "full_name"), "Cut");
        assert_eq!(cell(&r[1], "phone"), "+1 415 555 2671");
    }

    #[test]
    fn missing_end_before_next_card_and_lines_without_colon() {
        let text = "BEGIN:VCARD\nFN:A\nBEGIN:VCARD\nFN:B\nthis is junk\nEND:VCARD\n\
                    BEGIN:VCARD\nFN:C\nEND:VCARD\n";
        let r = rows(text);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].problem.as_ref().unwrap().code, Code::RowRagged);
        let p = r[1].problem.as_ref().unwrap();
        assert!(p.message.contains("this is junk"), "{}", p.message);
        assert_eq!(cell(&r[1], "full_name"), "B");
        assert!(r[2].problem.is_none());
        assert_eq!(r.iter().map(|r| r.row).collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn crlf_line_endings_bom_and_junk_outside_cards() {
        let text = "\u{FEFF}junk before\r\n\r\nBEGIN:VCARD\r\nVERSION:3.0\r\n\
                    FN:Crlf Person\r\nTEL;TYPE=HOME:+33 1 23 45 67 89\r\n\
                    NOTE:one\r\n  two\r\nEND:VCARD\r\n\r\nmore junk\r\n\
                    begin:vcard\r\nfn:Lower\r\nend:vcard";
        let r = rows(text);
        assert_eq!(r.len(), 2);
        assert!(r.iter().all(|r| r.problem.is_none()));
        assert_cells(
            &r[0],
            &[
                ("full_name", "Crlf Person"),
                ("home_phone", "+33 1 23 45 67 89"),
                ("notes", "one two"),
            ],
        );
        assert_eq!(cell(&r[1], "full_name"), "Lower");
    }

    #[test]
    fn a_bare_cr_ends_a_line_as_lf_and_crlf_do() {
        let text = "BEGIN:VCARD\rVERSION:3.0\rFN:Old Mac\rTEL;TYPE=CELL:+1 415 555 2671\r\
                    NOTE:one\r  two\rEMAIL:a@example.com\rEND:VCARD\r\
                    BEGIN:VCARD\r\nFN:Mixed\nTEL:+1 415 555 2672\r\nEND:VCARD\r";
        for cap in [1, 2, 5, 4096] {
            let reader = std::io::BufReader::with_capacity(cap, text.as_bytes());
            let mut s = VcardSource::new("t.vcf", reader, info()).unwrap();
            let mut r = Vec::new();
            while let Some(b) = s.next_batch(10).unwrap() {
                r.extend(b.rows);
            }
            assert_eq!(r.len(), 2, "capacity {cap}");
            assert!(r.iter().all(|r| r.problem.is_none()), "capacity {cap}");
            assert_cells(
                &r[0],
                &[
                    ("full_name", "Old Mac"),
                    ("mobile", "+1 415 555 2671"),
                    ("notes", "one two"),
                    ("email", "a@example.com"),
                ],
            );
            assert_cells(
                &r[1],
                &[("full_name", "Mixed"), ("phone", "+1 415 555 2672")],
            );
        }
    }

    /// Asserts each card's full, first and last name and company.
    fn assert_names(text: &str, want: &[[&str; 4]]) {
        let names: Vec<[String; 4]> = rows(text)
            .iter()
            .map(|r| {
                ["full_name", "first_name", "last_name", "company"].map(|c| cell(r, c).into_owned())
            })
            .collect();
        assert_eq!(names, want);
    }

    /// The names of a card with no person name, only a company's.
    fn company(name: &str) -> [&str; 4] {
        ["", "", "", name]
    }

    #[test]
    fn a_company_card_has_no_person_name() {
        let text = "BEGIN:VCARD\nVERSION:3.0\nN:;;;;\nFN:Acme Corp\nORG:Acme Corp;\n\
                    TEL;TYPE=WORK:+1 415 555 2600\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:3.0\nFN:Globex\nORG:Globex\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:3.0\nN:Initech Ltd;;;;\nFN:Initech Ltd\nORG:Initech Ltd\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:3.0\nN:;;;;\nFN:Umbrella\nORG:Umbrella Inc\n\
                    X-ABShowAs:COMPANY\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:3.0\nN:Smith;John;;;\nFN:Hooli\nORG:Hooli\n\
                    X-ABShowAs:COMPANY\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:3.0\nN:Lee;Ann;;;\nFN:Ann Lee\nORG:Acme Corp\nEND:VCARD\n";
        assert_names(
            text,
            &[
                company("Acme Corp"),
                company("Globex"),
                company("Initech Ltd"),
                company("Umbrella Inc"),
                // Shown as its company, with a contact person: the person's name stays.
                ["", "John", "Smith", "Hooli"],
                // A person who works at a company.
                ["Ann Lee", "Ann", "Lee", "Acme Corp"],
            ],
        );
    }

    #[test]
    fn an_organisations_card_without_org_keeps_its_name_as_the_company() {
        let text = "BEGIN:VCARD\nVERSION:4.0\nKIND:org\nFN:Cobalt Inc\nTEL:+1 415 555 2601\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:4.0\nKIND:Organization\nN:Delta Co;;;;\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:3.0\nFN:Echo LLC\nX-ABShowAs:COMPANY\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:4.0\nKIND:org\nFN:Foxtrot\nORG:Foxtrot GmbH\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:4.0\nKIND:individual\nFN:Gina Hale\nN:Hale;Gina;;;\nEND:VCARD\n";
        assert_names(
            text,
            &[
                company("Cobalt Inc"),
                company("Delta Co"),
                company("Echo LLC"),
                // An ORG of its own is the company's name; the FN (shown name) is dropped.
                company("Foxtrot GmbH"),
                ["Gina Hale", "Gina", "Hale", ""],
            ],
        );
    }

    #[test]
    fn a_nul_in_a_property_is_cell_invalid() {
        let r = rows("BEGIN:VCARD\nFN:A\0n\nEND:VCARD\nBEGIN:VCARD\nFN:Ok\nTEL:+1\0\nEND:VCARD\n");
        let p = r[0].problem.as_ref().unwrap();
        assert_eq!((p.code, p.field.as_str()), (Code::CellInvalid, "full_name"));
        assert_eq!(cell(&r[0], "full_name"), "A\\x00n");
        let p = r[1].problem.as_ref().unwrap();
        assert_eq!((p.code, p.field.as_str()), (Code::CellInvalid, "phone"));
    }

    #[test]
    fn binary_values_are_skipped() {
        let text = "BEGIN:VCARD\nVERSION:2.1\nFN:Pic\n\
                    PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQEASABIAAD\n \
                    AAQSkZJRgABAQEASABIAAD:x\n\
                    AAQSkZJRgABAQEASABIAAD==\n\n\
                    TEL;CELL:+44 7400 123456\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:3.0\nPHOTO;ENCODING=b;TYPE=JPEG:QUJD\n RA==\n\
                    FN:Pic2\nEND:VCARD\n";
        let r = rows(text);
        assert!(r[0].problem.is_none(), "{:?}", r[0].problem);
        assert_eq!(cell(&r[0], "mobile"), "+44 7400 123456");
        assert!(r[1].problem.is_none());
        assert_eq!(cell(&r[1], "full_name"), "Pic2");
    }

    #[test]
    fn nested_agent_card_is_not_a_row() {
        let text = "BEGIN:VCARD\nVERSION:2.1\nFN:Boss\nAGENT:\nBEGIN:VCARD\nVERSION:2.1\n\
                    FN:Assistant\nTEL:+1 415 555 2600\nEND:VCARD\nTEL;WORK:+1 415 555 2601\n\
                    END:VCARD\n";
        let r = rows(text);
        assert_eq!(r.len(), 1);
        assert!(r[0].problem.is_none());
        assert_cells(
            &r[0],
            &[
                ("full_name", "Boss"),
                ("phone", ""),
                ("work_phone", "+1 415 555 2601"),
            ],
        );
    }

    #[test]
    fn no_card_is_bad_input() {
        for text in ["", "\n\n", "name,phone\nA,1\n", "END:VCARD\n"] {
            let r = VcardSource::new("t.vcf", std::io::Cursor::new(text.to_string()), info());
            match r {
                Err(Error::BadInput { message, .. }) => {
                    assert!(message.contains("no BEGIN:VCARD"), "{message}")
                }
                other => panic!("{text:?}: {:?}", other.map(|_| ())),
            }
        }
    }

    #[test]
    fn invalid_utf8_is_reported_on_the_card() {
        let mut bytes = b"BEGIN:VCARD\nFN:Jos".to_vec();
        bytes.extend_from_slice(b"\xE9\nEND:VCARD\nBEGIN:VCARD\nFN:Ok\nEND:VCARD\n");
        let mut s = VcardSource::new("t.vcf", std::io::Cursor::new(bytes), info()).unwrap();
        let b = s.next_batch(10).unwrap().unwrap();
        let p = b.rows[0].problem.as_ref().unwrap();
        assert_eq!(p.code, Code::EncodingInvalid);
        assert_eq!(b.rows[0].values.text(FULL_NAME), "Jos\\xE9");
        assert!(b.rows[1].problem.is_none());
    }

    /// A reader that fails once its text is used up: reading past it is an error.
    struct Fails(std::io::Cursor<Vec<u8>>);

    impl std::io::Read for Fails {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(std::io::Error::other("read past the end")),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn streams_a_card_at_a_time() {
        let text = "BEGIN:VCARD\nFN:One\nEND:VCARD\nBEGIN:VCARD\nFN:Two\nEND:VCARD\n\
                    BEGIN:VCARD\nFN:Three\nEND:VCARD\n";
        let reader = std::io::BufReader::with_capacity(8, Fails(std::io::Cursor::new(text.into())));
        let mut s = VcardSource::new("t.vcf", reader, info()).unwrap();
        let b = s.next_batch(1).unwrap().unwrap();
        assert_eq!(b.rows.len(), 1);
        assert_eq!(b.rows[0].values.text(FULL_NAME), "One");
        let b = s.next_batch(1).unwrap().unwrap();
        assert_eq!(b.rows[0].values.text(FULL_NAME), "Two");
        // The third card's END:VCARD needs a look past it, which this reader refuses.
        assert!(s.next_batch(1).is_err());
    }

    #[test]
    fn overlong_lines_are_cut() {
        let long = "x".repeat(MAX_LINE + 10);
        let text = format!("BEGIN:VCARD\nNOTE:{long}\nFN:After\nEND:VCARD\n");
        let r = rows(&text);
        assert_eq!(r[0].problem.as_ref().unwrap().code, Code::TooLong);
        assert_eq!(cell(&r[0], "full_name"), "After");
        assert!(cell(&r[0], "notes").len() <= MAX_LINE);
    }

    #[test]
    fn sample_file_reads_and_normalizes() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/contacts.vcf");
        let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        let mut s = VcardSource::new(path, file, info()).unwrap();
        let mut rows = Vec::new();
        while let Some(b) = s.next_batch(100).unwrap() {
            rows.extend(b.rows);
        }
        assert_eq!(rows.len(), 8);
        assert!(rows.iter().all(|r| r.problem.is_none()));
        assert_eq!(cell(&rows[0], "full_name"), "Jürgen Müller");
        assert_eq!(cell(&rows[0], "street"), "Hauptstraße 5");
        // (card, column, E.164 after normalization with the card's country as region)
        let expected = [
            (0, "mobile", "+4915123456789"),
            (1, "mobile", "+447400123456"),
            (2, "mobile", "+33612345678"),
            (3, "mobile", "+14155552671"),
            (3, "work_phone", "+14155552672"),
            (5, "mobile", "+447400123458"),
            (6, "home_phone", "+14155552673"),
            (7, "mobile", "+4915123456790"),
            (7, "work_phone", "+447400123459"),
        ];
        for (i, row) in rows.iter().enumerate() {
            let region = crate::region::parse(&cell(row, "country"));
            for col in ["mobile", "work_phone", "home_phone", "phone"] {
                let want: Vec<&str> = expected
                    .iter()
                    .filter(|(r, c, _)| *r == i && *c == col)
                    .map(|(_, _, e)| *e)
                    .collect();
                let got: Vec<String> = row
                    .values
                    .items(COLUMNS.iter().position(|c| *c == col).unwrap())
                    .into_iter()
                    .map(|t| match crate::phone::normalize(t, region) {
                        Ok(n) => n.e164,
                        Err(e) => format!("{e}"),
                    })
                    .collect();
                assert_eq!(got, want, "card {} {col}", i + 1);
            }
        }
    }

    mod props {
        use super::*;
        use crate::testutil::text_of_pieces;
        use proptest::prelude::*;

        fn drain(bytes: Vec<u8>) {
            let Ok(mut s) = VcardSource::new("p.vcf", std::io::Cursor::new(bytes), info()) else {
                return;
            };
            let mut next = 1;
            while let Some(b) = s.next_batch(2).unwrap() {
                for row in b.rows {
                    assert_eq!(row.row, next);
                    next += 1;
                    match &row.values {
                        Values::Csv(r) => assert_eq!(r.len(), COLUMNS.len()),
                        Values::Json { .. } => panic!("not a CSV row"),
                    }
                }
            }
        }

        /// Text made of the pieces the parser cares about.
        fn vcard_text() -> impl Strategy<Value = String> {
            text_of_pieces(
                &[
                    "BEGIN:VCARD\r\n",
                    "END:VCARD\n",
                    "END:VCARD\r",
                    "\r",
                    "\r ",
                    "ORG:Acme\r",
                    "X-ABShowAs:COMPANY\r\n",
                    "\0",
                    "VERSION:2.1\n",
                    "VERSION:4.0\n",
                    "AGENT:\n",
                    "N;ENCODING=QUOTED-PRINTABLE;CHARSET=",
                    "TEL;TYPE=\"cell,voice\";PREF=",
                    "PHOTO;ENCODING=b:",
                    "ADR;HOME:",
                    "tel:",
                    ";ext=",
                ],
                &["[=:;,\"\\\\ \t\nA-F0-9a-zé😀]{0,12}"],
                24,
            )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1024))]

            #[test]
            fn arbitrary_strings_never_panic(text in any::<String>()) {
                drain(text.into_bytes());
            }

            #[test]
            fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
                let mut input = b"BEGIN:VCARD\n".to_vec();
                input.extend(bytes);
                drain(input);
            }

            #[test]
            fn vcard_like_text_never_panics(text in vcard_text()) {
                drain(text.into_bytes());
            }
        }
    }
}
