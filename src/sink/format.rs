//! Which format and delimiter an output file is written in, by its name and the input's.

use crate::source::Format;

/// The format to write `path` in: by its extension, else `fallback`.
pub fn output_format(path: &str, fallback: Format) -> Format {
    // A spreadsheet input's rows are written as CSV.
    let fallback = if fallback.is_writable() {
        fallback
    } else {
        Format::Csv
    };
    if path == "-" {
        return fallback;
    }
    Format::from_path(path).unwrap_or(fallback)
}

/// The format of a report (errors, duplicates, success) at `path`: by its extension, else
/// CSV for a CSV input and JSON Lines for a JSON one (whose rows may not fit in columns).
pub fn report_format(path: &str, input: Format) -> Format {
    output_format(
        path,
        if input.is_tabular() {
            Format::Csv
        } else {
            Format::Jsonl
        },
    )
}

/// The CSV delimiter to write `path` with: tab for `.tsv`/`.tab`, `|` for `.psv`, and for
/// `.csv` the input's delimiter unless that was a tab (a `.csv` holding tabs confuses
/// spreadsheets); stdout and other names keep the input's.
pub fn output_delimiter(path: &str, input: u8) -> u8 {
    let lower = path.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "tsv" | "tab" => b'\t',
        "psv" => b'|',
        "csv" if input == b'\t' || input == b'|' => b',',
        _ => input,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_delimiters_follow_the_extension() {
        assert_eq!(output_delimiter("out.csv", b';'), b';');
        assert_eq!(output_delimiter("out.csv", b'\t'), b',');
        assert_eq!(output_delimiter("out.tsv", b','), b'\t');
        assert_eq!(output_delimiter("-", b'\t'), b'\t');
        assert_eq!(output_delimiter("out.txt", b'\t'), b'\t');
    }
}
