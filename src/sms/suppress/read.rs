//! Reading one `--suppress` file, with the rules the list is read with.
//!
//! A file is one number a line (a first line naming a phone column, such as `phone`, is its
//! header), or a CSV (`,`, `;` or tab) whose first row is a header when a column names a
//! phone (`phone`, `mobile`, `number`, `cell`, `msisdn`, `tel`) or a country (the list's
//! country headers, `country_code`, `region`); without one, every value is a number.
//!
//! A number's region is its own (`+33 ...`), else its row's country (read as the list reads
//! a country column), else `--default-region`; a national number with none of these is kept
//! as its digits, to be read in the region of each recipient it is compared against.
//!
//! A line that holds no number (no digits, letters mixed in, too few or too many digits, a
//! country that names no region, a row whose phone cells are empty) refuses the campaign,
//! naming the file, the line and the value, unless `skip_unreadable` (then it is counted):
//! a suppression list is never a reason to text someone. Blank lines are skipped.

use std::collections::HashSet;

use crate::mapping::{self, Field};
use crate::phone::{self, NotANumber, Reading};
use crate::region::{self, Region};

use super::SuppressFile;

/// The fewest digits a number is written with: the shortest national numbers have four
/// (Niue, Saint Helena).
const MIN_DIGITS: usize = 4;
/// The most: the 15 of E.164 behind a three-digit international prefix (`011`).
const MAX_DIGITS: usize = 18;
/// The characters a number may be written with besides digits, spaces and a leading `+`.
const SEPARATORS: [char; 10] = [
    '-', '.', '(', ')', '/', '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2212}',
];
/// At most this many characters of a value are quoted in an error.
const QUOTED: usize = 60;

/// How suppression files are read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// `--default-region`: the region of national numbers whose row names none.
    pub default_region: Option<Region>,
    /// `--suppress-skip-unreadable`: count the lines that hold no number instead of refusing.
    pub skip_unreadable: bool,
}

/// Why a value of a suppression file is no phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    #[error("no digits")]
    NoDigits,
    #[error("letters mixed in")]
    Letters,
    #[error("'{0}' is not written in phone numbers")]
    Character(char),
    #[error("{0} digits: too few to be a number")]
    TooFew(usize),
    #[error("{0} digits: too many to be a number")]
    TooMany(usize),
    #[error("{0}")]
    Phone(#[from] NotANumber),
    #[error("the country names no region: give an ISO code such as FR, or a country name")]
    Country,
    #[error("the row has no number in its phone column")]
    NoNumber,
    #[error("{0}")]
    Csv(String),
}

/// A suppression file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SuppressError {
    #[error("cannot read --suppress {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "--suppress {path}, line {line}: '{value}' is not a phone number ({why}){}; nothing was sent: correct or delete the line, or add --suppress-skip-unreadable to count such lines and go on",
        others(*more)
    )]
    Unreadable {
        path: String,
        line: u64,
        value: String,
        why: Unreadable,
        /// Further lines of the file that hold no number.
        more: u64,
    },
}

fn others(more: u64) -> String {
    match more {
        0 => String::new(),
        1 => " (and 1 more line like it)".into(),
        n => format!(" (and {n} more lines like it)"),
    }
}

impl From<SuppressError> for crate::error::Error {
    fn from(e: SuppressError) -> Self {
        match e {
            SuppressError::Io { path, source } => Self::io("cannot read", path, source),
            e @ SuppressError::Unreadable { .. } => Self::Usage(e.to_string()),
        }
    }
}

/// What a readable value is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    /// A number with a region: its E.164 digits ([`phone::e164_key`]).
    Number(u64),
    /// A national number with no region: its digits.
    National(String),
}

/// Reads one value, national numbers in `region`.
fn read_value(text: &str, region: Option<Region>) -> Result<Entry, Unreadable> {
    let digits = digits_of(text)?;
    match phone::read(text, region) {
        Reading::Number(e164) => phone::e164_key(&e164)
            .map(Entry::Number)
            .ok_or(Unreadable::TooMany(digits.len())),
        Reading::NoRegion => Ok(Entry::National(digits)),
        Reading::Unreadable(why) => Err(why.into()),
    }
}

/// The digits of a value written as numbers are (digits, spaces, separators, one leading
/// `+`), or why it is not written so.
fn digits_of(text: &str) -> Result<String, Unreadable> {
    let mut digits = String::new();
    for (i, c) in text.char_indices() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            c if c.is_whitespace() || SEPARATORS.contains(&c) => {}
            c if c.is_alphabetic() => return Err(Unreadable::Letters),
            c => return Err(Unreadable::Character(c)),
        }
    }
    match digits.len() {
        0 => Err(Unreadable::NoDigits),
        n if n < MIN_DIGITS => Err(Unreadable::TooFew(n)),
        n if n > MAX_DIGITS => Err(Unreadable::TooMany(n)),
        _ => Ok(digits),
    }
}

/// Whether a header names a phone column (and is not itself a number).
pub(super) fn is_phone_header(h: &str) -> bool {
    let h = h.trim().to_lowercase();
    ["phone", "mobile", "number", "cell", "msisdn", "tel"]
        .iter()
        .any(|w| h.contains(w))
        && phone::normalize(&h, None).is_err()
}

/// Whether a header names a country column: as the list's do, or `region`.
fn is_country_header(h: &str) -> bool {
    let n = mapping::normalize(h);
    mapping::recognise(&n) == Some(Field::Country) || n == "region" || n == "regioncode"
}

/// The columns of a CSV file that matter.
struct Columns {
    /// The phone columns; `None`: every column (a file with no header).
    phones: Option<Vec<usize>>,
    countries: Vec<usize>,
}

impl Columns {
    /// The columns the first row names, and whether it is a header: it is when it names a
    /// phone or a country column and no cell is written as a number.
    fn of(first: &csv::StringRecord) -> (Columns, bool) {
        let named = |f: fn(&str) -> bool| -> Vec<usize> {
            first
                .iter()
                .enumerate()
                .filter(|(_, h)| f(h))
                .map(|(i, _)| i)
                .collect()
        };
        let countries = named(is_country_header);
        let phones: Vec<usize> = named(is_phone_header)
            .into_iter()
            .filter(|i| !countries.contains(i))
            .collect();
        // A row with a cell written as a number is data, whatever its other cells say.
        let data = first.iter().any(|c| digits_of(c.trim()).is_ok());
        if data || (phones.is_empty() && countries.is_empty()) {
            let columns = Columns {
                phones: None,
                countries: Vec::new(),
            };
            return (columns, false);
        }
        // A country column and no phone column: the numbers are in the other columns.
        let phones = if phones.is_empty() {
            (0..first.len())
                .filter(|i| !countries.contains(i))
                .collect()
        } else {
            phones
        };
        let columns = Columns {
            phones: Some(phones),
            countries,
        };
        (columns, true)
    }

    /// The non-blank phone cells of a row.
    fn phones<'r>(&'r self, record: &'r csv::StringRecord) -> Vec<&'r str> {
        let cells: Vec<&str> = match &self.phones {
            Some(cols) => cols.iter().filter_map(|&i| record.get(i)).collect(),
            None => record.iter().collect(),
        };
        cells
            .into_iter()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// The row's own region: the first country cell that is not blank, read as the list
    /// reads its country column; `Err` with the cell when it names no region.
    fn region<'r>(&self, record: &'r csv::StringRecord) -> Result<Option<Region>, &'r str> {
        let cell = self
            .countries
            .iter()
            .filter_map(|&i| record.get(i))
            .map(str::trim)
            .find(|v| !v.is_empty());
        match cell {
            None => Ok(None),
            Some(c) => region::parse(c).map(Some).ok_or(c),
        }
    }
}

/// The first line that holds no number, and how many do.
#[derive(Debug, Default)]
struct Problems {
    first: Option<(u64, String, Unreadable)>,
    count: u64,
}

impl Problems {
    fn note(&mut self, line: u64, value: &str, why: Unreadable) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some((line, quoted(value), why));
        }
    }
}

/// At most [`QUOTED`] characters of `value`.
fn quoted(value: &str) -> String {
    match value.char_indices().nth(QUOTED) {
        Some((cut, _)) => format!("{}...", &value[..cut]),
        None => value.to_string(),
    }
}

/// One file being read.
struct Reader {
    numbers: HashSet<u64>,
    national: HashSet<String>,
    problems: Problems,
    default_region: Option<Region>,
}

impl Reader {
    fn value(&mut self, line: u64, value: &str, region: Option<Region>) -> bool {
        // Digits that may be an international number that lost its +: that reading is
        // suppressed too, whatever the other one (a suppression list errs on the side of not
        // texting).
        if let Some(key) =
            phone::international_reading(value).and_then(|n| phone::e164_key(&n.e164))
        {
            self.numbers.insert(key);
        }
        match read_value(value, region) {
            Ok(Entry::Number(key)) => {
                self.numbers.insert(key);
                true
            }
            Ok(Entry::National(digits)) => {
                self.national.insert(digits);
                true
            }
            Err(why) => {
                self.problems.note(line, value, why);
                false
            }
        }
    }

    /// One number a line.
    fn lines(&mut self, text: &str) {
        let mut first = true;
        for (i, line) in (1u64..).zip(text.lines()) {
            let value = line.trim();
            if value.is_empty() {
                continue;
            }
            let header = std::mem::replace(&mut first, false)
                && !value.bytes().any(|b| b.is_ascii_digit())
                && is_phone_header(value);
            if !header {
                self.value(i, value, self.default_region);
            }
        }
    }

    /// A CSV file.
    fn csv(&mut self, text: &str, delimiter: u8) {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut columns: Option<Columns> = None;
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    self.problems.note(line, "", Unreadable::Csv(e.to_string()));
                    continue;
                }
            };
            if record.iter().all(|v| v.trim().is_empty()) {
                continue;
            }
            let line = record.position().map_or(0, |p| p.line());
            let cols = match columns.take() {
                Some(c) => c,
                None => {
                    let (c, header) = Columns::of(&record);
                    if header {
                        columns = Some(c);
                        continue;
                    }
                    c
                }
            };
            self.record(line, &record, &cols, delimiter);
            columns = Some(cols);
        }
    }

    /// One row of a CSV file.
    fn record(&mut self, line: u64, record: &csv::StringRecord, cols: &Columns, delimiter: u8) {
        let region = match cols.region(record) {
            Ok(r) => r.or(self.default_region),
            Err(country) => return self.problems.note(line, country, Unreadable::Country),
        };
        let cells = cols.phones(record);
        if cells.is_empty() {
            let row: Vec<&str> = record.iter().collect();
            let row = row.join(&char::from(delimiter).to_string());
            return self.problems.note(line, &row, Unreadable::NoNumber);
        }
        for cell in cells {
            if !self.value(line, cell, region) {
                return;
            }
        }
    }

    fn finish(self, path: &str, skip_unreadable: bool) -> Result<SuppressFile, SuppressError> {
        let Problems { first, count } = self.problems;
        if let Some((line, value, why)) = first
            && !skip_unreadable
        {
            return Err(SuppressError::Unreadable {
                path: path.to_string(),
                line,
                value,
                why,
                more: count.saturating_sub(1),
            });
        }
        let mut national: Vec<String> = self.national.into_iter().collect();
        national.sort_unstable();
        Ok(SuppressFile::new(path, self.numbers, national, count))
    }
}

/// The delimiter of a CSV file: the first of `,`, `;` and tab in its first line that is not
/// blank; `None` for one number a line.
fn delimiter(text: &str) -> Option<u8> {
    let first = text.lines().find(|l| !l.trim().is_empty())?;
    [b',', b';', b'\t']
        .into_iter()
        .find(|d| first.as_bytes().contains(d))
}

/// Reads the text of the suppression file `path`.
pub(super) fn read_text(
    path: &str,
    text: &str,
    opts: ReadOptions,
) -> Result<SuppressFile, SuppressError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader {
        numbers: HashSet::new(),
        national: HashSet::new(),
        problems: Problems::default(),
        default_region: opts.default_region,
    };
    match delimiter(text) {
        None => reader.lines(text),
        Some(d) => reader.csv(text, d),
    }
    reader.finish(path, opts.skip_unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_cases;

    fn fr() -> Option<Region> {
        region::from_code("FR")
    }

    #[test]
    fn values_with_a_region_are_numbers_and_without_one_digits() {
        assert_cases(
            |(text, region)| read_value(text, region),
            [
                (("06 12 34 56 78", fr()), Ok(Entry::Number(33_612_345_678))),
                (
                    ("+33 (0)6 12-34-56-78", None),
                    Ok(Entry::Number(33_612_345_678)),
                ),
                (
                    ("06.12.34.56.78", None),
                    Ok(Entry::National("0612345678".into())),
                ),
            ],
        );
    }

    #[test]
    fn values_that_are_no_number_say_why() {
        for (text, why) in [
            ("n/a", Unreadable::Letters),
            ("---", Unreadable::NoDigits),
            ("0612345678 (mobile)", Unreadable::Letters),
            ("+33 6 12 34 56 78 ext 2", Unreadable::Letters),
            ("06#12345678", Unreadable::Character('#')),
            ("6+12345678", Unreadable::Character('+')),
            ("123", Unreadable::TooFew(3)),
            ("1234567890123456789", Unreadable::TooMany(19)),
            (
                "+999 123456",
                Unreadable::Phone(NotANumber::UnknownCountryCode),
            ),
        ] {
            assert_eq!(read_value(text, None), Err(why), "{text}");
        }
        assert_eq!(
            read_value("06 12 34 56 7", fr()),
            Err(Unreadable::Phone(NotANumber::Invalid(33)))
        );
    }

    #[test]
    fn headers_name_phones_and_countries() {
        for h in ["Phone", "Mobile Number", "MSISDN", "tel"] {
            assert!(is_phone_header(h), "{h}");
        }
        for h in ["country", "Country Code", "country_code", "Region", "Pays"] {
            assert!(is_country_header(h), "{h}");
        }
        assert!(!is_phone_header("+14155552671"));
        assert!(!is_country_header("city"));
    }

    #[test]
    fn a_first_row_with_a_number_is_data() {
        let record = |cells: &[&str]| csv::StringRecord::from(cells.to_vec());
        let (cols, header) = Columns::of(&record(&["+14155552671", "Hotel"]));
        assert!(!header);
        assert!(cols.phones.is_none());
        let (cols, header) = Columns::of(&record(&["Name", "Phone 1", "Country"]));
        assert!(header);
        assert_eq!((cols.phones, cols.countries), (Some(vec![1]), vec![2]));
        let (cols, header) = Columns::of(&record(&["country_code", "value"]));
        assert!(header);
        assert_eq!((cols.phones, cols.countries), (Some(vec![1]), vec![0]));
    }

    #[test]
    fn delimiters_come_from_the_first_line() {
        assert_eq!(delimiter("\n\nphone;country\n"), Some(b';'));
        assert_eq!(delimiter("0612345678\n1,2\n"), None);
        assert_eq!(delimiter(""), None);
    }

    #[test]
    fn long_values_are_cut_when_quoted() {
        assert_eq!(quoted("abc"), "abc");
        let long = "é".repeat(100);
        assert_eq!(quoted(&long).chars().count(), QUOTED + 3);
    }
}
