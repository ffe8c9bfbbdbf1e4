//! Reports: the columns added to error and duplicate reports, and the run summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use crate::mapping::MappedColumn;
use crate::reject::Rejection;
use crate::source::{SourceInfo, Values};

/// Columns appended to each row of the error report.
pub const ERROR_COLUMNS: &[&str] = &["_row", "_stage", "_field", "_code", "_message"];
/// The error-report columns of a workbook: the row's number in the sheet beside `_row`.
pub const ERROR_COLUMNS_SHEET: &[&str] = &[
    "_row",
    "_sheet_row",
    "_stage",
    "_field",
    "_code",
    "_message",
];
/// The error-report columns of a JSON input: `_raw` holds a record that is not an object,
/// or a line that is not JSON, as read.
pub const ERROR_COLUMNS_JSON: &[&str] = &["_row", "_stage", "_field", "_code", "_message", "_raw"];
/// Columns appended to each row of the duplicates report.
pub const DUPLICATE_COLUMNS: &[&str] = &["_row", "_duplicate_of"];
/// The duplicates-report columns of a workbook.
pub const DUPLICATE_COLUMNS_SHEET: &[&str] = &["_row", "_sheet_row", "_duplicate_of"];

/// How the reports number a row: `_row` is its data row in every format (1 = the first row
/// after the header); a workbook's reports put the row's number in the sheet beside it
/// (`_sheet_row`), which is where Excel shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowNumbers {
    /// The sheet row of a workbook's header; `None` for every other input.
    sheet_header_row: Option<u64>,
    json: bool,
}

impl RowNumbers {
    /// The numbering of the reports of an input read as `info` says.
    pub fn of(info: &SourceInfo) -> RowNumbers {
        RowNumbers {
            sheet_header_row: info.sheet_header_row,
            json: !info.format.is_tabular(),
        }
    }

    /// The error report's columns.
    pub fn error_columns(self) -> &'static [&'static str] {
        match (self.sheet_header_row, self.json) {
            (Some(_), _) => ERROR_COLUMNS_SHEET,
            (None, false) => ERROR_COLUMNS,
            (None, true) => ERROR_COLUMNS_JSON,
        }
    }

    /// The duplicates report's columns.
    pub fn duplicate_columns(self) -> &'static [&'static str] {
        match self.sheet_header_row {
            Some(_) => DUPLICATE_COLUMNS_SHEET,
            None => DUPLICATE_COLUMNS,
        }
    }

    /// The number columns: `_row`, and a workbook's `_sheet_row`.
    pub fn row_columns(self) -> &'static [&'static str] {
        match self.sheet_header_row {
            Some(_) => &["_row", "_sheet_row"],
            None => &["_row"],
        }
    }

    /// The number cells of data row `row`: `_row`, and a workbook's `_sheet_row`.
    pub fn cells(self, row: u64) -> Vec<String> {
        let mut cells = vec![row.to_string()];
        if let Some(header) = self.sheet_header_row {
            cells.push((row + header).to_string());
        }
        cells
    }

    /// The duplicates report's cells of data row `row`, a repeat of data row `of`.
    pub fn duplicate_cells(self, row: u64, of: u64) -> Vec<String> {
        let mut cells = self.cells(row);
        cells.push(of.to_string());
        cells
    }
}

/// The file beside the error report `errors` named with `word` for "errors"
/// (`list.csv.zoho-voice.errors.csv` -> `list.csv.zoho-voice.duplicates.csv`); `None` for no
/// report, stdout or a device.
pub fn beside_errors(errors: Option<&str>, word: &str) -> Option<String> {
    let errors = errors.filter(|e| !e.starts_with("/dev/") && *e != "-")?;
    let path = std::path::Path::new(errors);
    let name = path.file_name()?.to_string_lossy();
    let file = match name.rfind("errors") {
        Some(at) => format!("{}{word}{}", &name[..at], &name[at + "errors".len()..]),
        None => match name.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}.{word}.{ext}"),
            None => format!("{name}.{word}"),
        },
    };
    Some(path.with_file_name(file).display().to_string())
}

/// The values of the error-report columns of a rejected row (before a JSON input's `_raw`).
/// The first rejection gives the stage, field and code; the message lists every reason.
pub fn error_columns(numbers: RowNumbers, row: u64, rejections: &[Rejection]) -> Vec<String> {
    let mut cells = numbers.cells(row);
    let Some(first) = rejections.first() else {
        cells.resize(cells.len() + 4, String::new());
        return cells;
    };
    let mut message = first.message.clone();
    for r in &rejections[1..] {
        let _ = write!(message, "; {}: {}", r.code.as_str(), r.message);
    }
    cells.extend([
        first.stage.as_str().to_string(),
        first.field.clone(),
        first.code.as_str().to_string(),
        message,
    ]);
    cells
}

/// The text of a JSON record that is not an object (or of a line that is not JSON), for the
/// `_raw` report column; empty for objects and CSV rows.
pub fn raw_text(values: &Values) -> String {
    match values {
        Values::Json { original, .. } => match &**original {
            serde_json::Value::Object(_) => String::new(),
            serde_json::Value::String(line) => line.clone(),
            other => other.to_string(),
        },
        Values::Csv(_) => String::new(),
    }
}

/// Counts kept while rows go through.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub rows_read: u64,
    pub clean: u64,
    pub rejected: u64,
    /// Rejected rows by the code of their first rejection.
    pub rejected_by_code: BTreeMap<&'static str, u64>,
    pub duplicates: u64,
    /// Rows whose every field was empty: skipped.
    pub blank: u64,
    /// How many numbers were read by a rule other than the plain one, by rule.
    pub readings: crate::transform::Readings,
}

/// "phone_invalid 2, phone_missing 1": rejections by code, for a summary line; `None` when
/// there are none.
pub fn by_code_text(by_code: &BTreeMap<&'static str, u64>) -> Option<String> {
    if by_code.is_empty() {
        return None;
    }
    let parts: Vec<String> = by_code.iter().map(|(k, v)| format!("{k} {v}")).collect();
    Some(parts.join(", "))
}

/// "region_from_row 3, bare_digits_international 2": the numbers read by a rule other than
/// the plain one, for a summary line (with where the dropped values went); `None` when there
/// are none.
pub fn readings_text(r: &crate::transform::Readings, warnings: Option<&str>) -> Option<String> {
    let named = r.named();
    if named.is_empty() {
        return None;
    }
    let parts: Vec<String> = named.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let went = match (r.dropped_values, warnings) {
        (0, _) => String::new(),
        (_, Some(w)) => format!(" (dropped values listed in {w})"),
        (_, None) => " (dropped values not listed: give --warnings FILE)".to_string(),
    };
    Some(format!("{}{went}", parts.join(", ")))
}

impl Counts {
    pub fn reject(&mut self, rejections: &[Rejection]) {
        self.rejected += 1;
        let code = rejections
            .first()
            .map(|r| r.code.as_str())
            .unwrap_or("unknown");
        *self.rejected_by_code.entry(code).or_default() += 1;
    }
}

/// Where the outputs went.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outputs {
    pub clean: String,
    pub errors: Option<String>,
    pub duplicates: Option<String>,
    pub warnings: Option<String>,
}

/// The summary printed at the end of `clean`.
#[derive(Debug, Clone, Serialize)]
pub struct CleanSummary {
    pub command: &'static str,
    pub input: String,
    #[serde(flatten)]
    pub source: SourceInfo,
    #[serde(flatten)]
    pub counts: Counts,
    pub seconds: f64,
    pub rows_per_second: f64,
    pub mapping: Vec<MappedColumn>,
    pub outputs: Outputs,
    pub exit_code: crate::exit::ExitCode,
}

impl CleanSummary {
    /// Sets the time taken, and the rate it gives.
    pub fn timed(mut self, elapsed: Duration) -> Self {
        let seconds = elapsed.as_secs_f64();
        self.rows_per_second = if seconds > 0.0 {
            (self.counts.rows_read as f64 / seconds).round()
        } else {
            0.0
        };
        self.seconds = (seconds * 1000.0).round() / 1000.0;
        self
    }

    /// The summary as text for a person, on stderr.
    pub fn human(&self) -> String {
        let mut s = String::new();
        let c = &self.counts;
        let delim = match self.source.delimiter.as_deref() {
            Some("\t") => ", delimiter tab".to_string(),
            Some(d) => format!(", delimiter '{d}'"),
            None => String::new(),
        };
        let _ = writeln!(
            s,
            "bulkline {}: {} ({}, {}{delim})",
            self.command,
            self.input,
            self.source.format.as_str(),
            self.source.encoding
        );
        let _ = writeln!(
            s,
            "  rows read   {:>10}   in {:.2} s ({:.0} rows/s)",
            c.rows_read, self.seconds, self.rows_per_second
        );
        let _ = writeln!(
            s,
            "  clean       {:>10}   -> {}",
            c.clean, self.outputs.clean
        );
        s.push_str(&count_line(
            "rejected",
            c.rejected,
            self.outputs.errors.as_deref(),
            "not written: give --errors FILE to keep them",
        ));
        for (code, n) in &c.rejected_by_code {
            let _ = writeln!(s, "    {code:<20} {n:>8}");
        }
        s.push_str(&count_line(
            "duplicates",
            c.duplicates,
            self.outputs.duplicates.as_deref(),
            "dropped; give --duplicates FILE to list them",
        ));
        if c.blank > 0 {
            let _ = writeln!(s, "  blank rows  {:>10}   (skipped)", c.blank);
        }
        if let Some(text) = readings_text(&c.readings, self.outputs.warnings.as_deref()) {
            let _ = writeln!(s, "  numbers read by rule: {text}");
        }
        let _ = writeln!(s, "  mapping:");
        if self.mapping.is_empty() {
            let _ = writeln!(s, "    (no column recognised: use --map FIELD=HEADER)");
        }
        for m in &self.mapping {
            let _ = writeln!(s, "    {:<28} -> {}", m.column, m.field);
        }
        s
    }
}

/// Where the `n` rows of one kind went, for the summary: nothing when there are none, the
/// file when one was written, else `unwritten` in brackets.
/// The line of `n` rows that went to `path` (or were `unwritten`, when it is `None`).
fn count_line(label: &str, n: u64, path: Option<&str>, unwritten: &str) -> String {
    let went = match (path, n) {
        (_, 0) => String::new(),
        (Some(p), _) => format!("   -> {p}"),
        (None, _) => format!("   ({unwritten})"),
    };
    format!("  {label:<12}{n:>10}{went}\n")
}

crate::summary::impl_summary!(CleanSummary);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reject::{Code, Stage};

    #[test]
    fn error_columns_list_every_reason() {
        let r = vec![
            Rejection::new(
                Stage::Normalize,
                "Mobile",
                Code::PhoneInvalid,
                "'1' is not valid",
            ),
            Rejection::new(
                Stage::Validate,
                "Email",
                Code::EmailInvalid,
                "'x' is not an e-mail",
            ),
        ];
        let cols = error_columns(RowNumbers::default(), 7, &r);
        assert_eq!(cols[0], "7");
        assert_eq!(cols[1], "normalize");
        assert_eq!(cols[2], "Mobile");
        assert_eq!(cols[3], "phone_invalid");
        assert_eq!(
            cols[4],
            "'1' is not valid; email_invalid: 'x' is not an e-mail"
        );
        let mut counts = Counts::default();
        counts.reject(&r);
        assert_eq!(counts.rejected_by_code["phone_invalid"], 1);
    }

    #[test]
    fn a_workbook_numbers_its_rows_in_the_sheet_too() {
        let info = |format, sheet_header_row| SourceInfo {
            format,
            encoding: String::new(),
            delimiter: None,
            sheet_header_row,
        };
        let sheet = RowNumbers::of(&info(crate::source::Format::Spreadsheet, Some(3)));
        assert_eq!(sheet.error_columns()[..2], ["_row", "_sheet_row"]);
        assert_eq!(
            sheet.duplicate_cells(1, 0).len(),
            sheet.duplicate_columns().len()
        );
        // Data row 1 under a header on sheet row 3 is sheet row 4.
        assert_eq!(sheet.duplicate_cells(1, 0), ["1", "4", "0"]);
        let none = error_columns(sheet, 2, &[]);
        assert_eq!(
            (none.len(), none[1].as_str()),
            (sheet.error_columns().len(), "5")
        );
        let csv = RowNumbers::of(&info(crate::source::Format::Csv, None));
        assert_eq!(csv.error_columns(), ERROR_COLUMNS);
        assert_eq!(csv.cells(9), ["9"]);
        let json = RowNumbers::of(&info(crate::source::Format::Jsonl, None));
        assert_eq!(json.error_columns(), ERROR_COLUMNS_JSON);
        assert_eq!(json.duplicate_columns(), DUPLICATE_COLUMNS);
    }
}
