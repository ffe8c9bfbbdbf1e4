//! Writes `samples/contacts.xlsx`, the spreadsheet sample: `cargo run --example make_sample_xlsx`;
//! or converts a CSV file into a one-sheet workbook, every cell as text, to measure large
//! sheets: `cargo run --release --example make_sample_xlsx -- --from-csv IN.csv OUT.xlsx`
//! (`--from-csv-shared`: with a shared-string table, as Excel saves).
//!
//! Two sheets. "Contacts" holds phones typed as numbers (stored as floats, as Excel stores
//! them, a German mobile that lost its leading zero among them), phones typed as text, a date
//! column, and a formula whose cached value is the full name. "Notes" is a second sheet with
//! contacts of its own, read with `--sheet Notes` or `--sheet 2`.

use std::process::ExitCode;

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, XlsxError};

fn build(path: &str) -> Result<(), XlsxError> {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet().set_name("Contacts")?;
    let header = [
        "First Name",
        "Last Name",
        "Full Name",
        "Mobile",
        "Country",
        "Birthday",
        "Email",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    // (first, last, mobile as a number or text, country, birthday)
    enum Phone {
        Number(f64),
        Text(&'static str),
    }
    let rows = [
        (
            "Ann",
            "Smith",
            Phone::Number(447_400_123_456.0),
            "GB",
            (1985, 3, 14),
            "ann@example.com",
        ),
        (
            "Bob",
            "Jones",
            Phone::Number(14_155_552_671.0),
            "US",
            (1979, 11, 2),
            "bob@example.com",
        ),
        (
            "Chloé",
            "Martin",
            Phone::Text("06 12 34 56 78"),
            "France",
            (1990, 7, 21),
            "chloe@example.fr",
        ),
        // 0151 23456789 typed into a number cell: Excel drops the leading zero.
        (
            "Dieter",
            "Müller",
            Phone::Number(15_123_456_789.0),
            "Germany",
            (1968, 1, 30),
            "dieter@example.de",
        ),
        (
            "Eve",
            "Brown",
            Phone::Text("+1 (415) 555-2672"),
            "US",
            (2001, 12, 31),
            "eve@example.com",
        ),
        // Too short to be a number anywhere: rejected.
        (
            "Frank",
            "Short",
            Phone::Number(12_345.0),
            "GB",
            (1975, 5, 5),
            "frank@example.com",
        ),
    ];
    for (i, (first, last, phone, country, (y, m, d), email)) in rows.into_iter().enumerate() {
        let r = (i + 1) as u32;
        sheet.write_string(r, 0, first)?;
        sheet.write_string(r, 1, last)?;
        let full = format!("{first} {last}");
        sheet.write_formula(
            r,
            2,
            Formula::new(format!("=A{0}&\" \"&B{0}", r + 1)).set_result(full),
        )?;
        match phone {
            Phone::Number(n) => sheet.write_number(r, 3, n)?,
            Phone::Text(t) => sheet.write_string(r, 3, t)?,
        };
        sheet.write_string(r, 4, country)?;
        sheet.write_date_with_format(r, 5, &ExcelDateTime::from_ymd(y, m, d)?, &date)?;
        sheet.write_string(r, 6, email)?;
    }
    let notes = book.add_worksheet().set_name("Notes")?;
    notes.write_string(0, 0, "Name")?;
    notes.write_string(0, 1, "Phone")?;
    notes.write_string(0, 2, "Country")?;
    notes.write_string(1, 0, "Grace Hopper")?;
    notes.write_number(1, 1, 447_400_123_457.0)?;
    notes.write_string(1, 2, "GB")?;
    book.save(path)
}

/// Copies a CSV file's cells into the first sheet of a workbook, a row at a time; with
/// `shared`, as Excel saves them (a shared-string table) rather than inline.
fn convert(input: &str, output: &str, shared: bool) -> Result<(), Box<dyn std::error::Error>> {
    let mut book = Workbook::new();
    let sheet = if shared {
        book.add_worksheet()
    } else {
        book.add_worksheet_with_constant_memory()?
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(input)?;
    for (r, record) in reader.records().enumerate() {
        for (c, cell) in record?.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, cell)?;
        }
    }
    book.save(output)?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, input, output] = args.as_slice()
        && (flag == "--from-csv" || flag == "--from-csv-shared")
    {
        return match convert(input, output, flag == "--from-csv-shared") {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("make_sample_xlsx: {e}");
                ExitCode::from(3)
            }
        };
    }
    let path = args
        .first()
        .cloned()
        .unwrap_or_else(|| "samples/contacts.xlsx".to_string());
    match build(&path) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("make_sample_xlsx: {path}: {e}");
            ExitCode::from(3)
        }
    }
}
