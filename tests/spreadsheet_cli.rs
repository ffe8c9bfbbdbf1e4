//! Spreadsheet inputs: `clean`, `import` and the round trip of `export -o x.xlsx`, and the
//! files bulkline does not read, named.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Harness, Run, config, read_table};

const SAMPLE: &str = "samples/contacts.xlsx";

fn clean(h: &Harness, input: &Path, extra: &[&str]) -> (Run, Vec<BTreeMap<String, String>>) {
    let out = h.path("clean.csv");
    let errors = h.path("errors.csv");
    let run = Run::from_output(
        h.command()
            .arg("clean")
            .arg(input)
            .arg("-o")
            .arg(&out)
            .arg("--errors")
            .arg(&errors)
            .args(extra)
            .arg("--json")
            .output()
            .expect("run bulkline clean"),
    );
    let rows = if out.exists() {
        read_table(&out)
    } else {
        Vec::new()
    };
    (run, rows)
}

#[test]
fn the_sample_cleans_to_e164_with_numbers_dates_and_formulas_as_a_person_sees_them() {
    let h = Harness::new(config());
    let (run, rows) = clean(&h, Path::new(SAMPLE), &[]);
    run.assert_code(1);
    let got: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["First Name"].as_str(),
                r["Mobile"].as_str(),
                r["Birthday"].as_str(),
                r["Full Name"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Ann", "+447400123456", "1985-03-14", "Ann Smith"),
            ("Bob", "+14155552671", "1979-11-02", "Bob Jones"),
            ("Chloé", "+33612345678", "1990-07-21", "Chloé Martin"),
            // Typed as a number, the leading zero lost: the row's country reads it.
            ("Dieter", "+4915123456789", "1968-01-30", "Dieter Müller"),
            ("Eve", "+14155552672", "2001-12-31", "Eve Brown"),
        ]
    );
    // The error report is CSV; `_row` is the data row (as in a CSV), `_sheet_row` the row in
    // the spreadsheet (the header is row 1).
    let errors = read_table(&h.path("errors.csv"));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["First Name"], "Frank");
    assert_eq!(errors[0]["Mobile"], "12345");
    assert_eq!(errors[0]["_row"], "6");
    assert_eq!(errors[0]["_sheet_row"], "7");
    assert_eq!(errors[0]["_code"], "phone_invalid");
    assert_eq!(run.summary["format"], "spreadsheet", "{}", run.summary);
}

#[test]
fn another_sheet_by_name_or_position() {
    let h = Harness::new(config());
    for sheet in ["Notes", "notes", "2"] {
        let (run, rows) = clean(&h, Path::new(SAMPLE), &["--sheet", sheet]);
        run.assert_code(0);
        assert_eq!(rows.len(), 1, "{sheet}");
        assert_eq!(rows[0]["Phone"], "+447400123457", "{sheet}");
    }
    let (run, _) = clean(&h, Path::new(SAMPLE), &["--sheet", "3"]);
    run.assert_code(3);
    assert!(
        run.stderr.contains("\"Contacts\", \"Notes\""),
        "{}",
        run.stderr
    );
}

#[test]
fn a_spreadsheet_read_from_standard_input_or_under_another_name() {
    let h = Harness::new(config());
    // Content decides when the name does not.
    let renamed = h.path("contacts.dat");
    std::fs::copy(SAMPLE, &renamed).expect("copy the sample");
    let (run, rows) = clean(&h, &renamed, &[]);
    run.assert_code(1);
    assert_eq!(rows.len(), 5);
    let out = h
        .command()
        .args(["clean", "-", "-o", "-"])
        .stdin(std::fs::File::open(SAMPLE).expect("the sample"))
        .output()
        .expect("run bulkline clean");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("First Name,Last Name"), "{text}");
    assert!(text.contains("+4915123456789"), "{text}");
}

#[test]
fn files_that_are_not_contact_lists_are_named() {
    let h = Harness::new(config());
    let cases: [(&str, &[u8], &str); 4] = [
        (
            "report.pdf",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
            "PDF document",
        ),
        (
            "export.csv",
            b"\n<!DOCTYPE html>\n<html><head><title>Contacts</title></head><body></body></html>\n",
            "HTML web page",
        ),
        (
            "archive.zip",
            b"PK\x03\x04\x14\x00\x00\x00\x08\x00garbage that is not a workbook",
            "not a readable spreadsheet",
        ),
        (
            "contacts.csv.gz",
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
            "gzip",
        ),
    ];
    for (name, bytes, says) in cases {
        let path = h.path(name);
        std::fs::write(&path, bytes).expect("write the file");
        let (run, _) = clean(&h, &path, &[]);
        run.assert_code(3);
        assert!(run.stderr.contains(says), "{name}: {}", run.stderr);
    }
    // Rows are written as CSV or JSON, never into a file named .xlsx.
    let (run, _) = {
        let out = h
            .command()
            .args(["clean", SAMPLE, "-o"])
            .arg(h.path("clean.xlsx"))
            .output()
            .expect("run bulkline clean");
        (Run::from_output(out), ())
    };
    run.assert_code(2);
    assert!(run.stderr.contains("bulkline export"), "{}", run.stderr);
}

#[test]
fn the_sample_imports_into_zoom() {
    let h = Harness::new(config());
    let out = h
        .api_command()
        .args(["import", SAMPLE, "--to", "zoom-cc", "--sandbox", "--json"])
        .arg("--checkpoint")
        .arg(h.path("zoom.checkpoint"))
        .arg("--report")
        .arg(h.path("report.csv"))
        .output()
        .expect("run bulkline import");
    let run = Run::from_output(out);
    run.assert_code(1);
    assert_eq!(run.num("created"), 5, "{run}");
    assert_eq!(run.num("rejected"), 1, "{run}");
    // The success report joins back to the sheet: its own columns, then the outcome.
    let report = read_table(&h.path("report.csv"));
    assert_eq!(report.len(), 5);
    let dieter = report
        .iter()
        .find(|r| r["First Name"] == "Dieter")
        .expect("Dieter's line");
    assert_eq!(dieter["Mobile"], "15123456789");
    assert_eq!(dieter["_key"], "+4915123456789");
    assert_eq!(dieter["_action"], "created");
    assert_eq!(dieter["_row"], "4");
    // The sheet's own row number beside it (the header is sheet row 1).
    assert_eq!(dieter["_sheet_row"], "5");
    assert!(!dieter["_remote_id"].is_empty());
}

#[test]
fn an_exported_spreadsheet_cleans_back_to_every_phone() {
    let h = Harness::new(config());
    h.sb.add_bulk_records(300);
    let export = |out: &Path| {
        Run::from_output(
            h.api_command()
                .args(["export", "--from", "zoho-voice", "-o"])
                .arg(out)
                .args(h.url_args())
                .args(["--rate", "500/s", "--json"])
                .output()
                .expect("run bulkline export"),
        )
    };
    let xlsx = h.path("voice.xlsx");
    let csv = h.path("voice.csv");
    export(&xlsx).assert_code(0);
    export(&csv).assert_code(0);
    let mut exported: Vec<String> = read_table(&csv)
        .into_iter()
        .map(|r| r["mobile"].clone())
        .filter(|m| !m.is_empty())
        .collect();
    exported.sort();
    assert!(exported.len() >= 300);
    let (run, rows) = clean(&h, &xlsx, &["--dedupe-by", "none"]);
    assert!(run.code == Some(0) || run.code == Some(1), "{run}");
    let errors = read_table(&h.path("errors.csv"));
    let mut cleaned: Vec<String> = rows.iter().map(|r| r["mobile"].clone()).collect();
    // A phone the export holds comes back, cleaned or (if the API held an invalid one) with
    // its text intact in the error report: none is lost or mangled.
    cleaned.extend(errors.iter().map(|r| r["mobile"].clone()));
    cleaned.retain(|m| !m.is_empty());
    cleaned.sort();
    assert_eq!(cleaned, exported);
}

#[test]
fn the_vcard_sample_cleans_to_e164_whatever_its_name() {
    let h = Harness::new(config());
    let renamed = h.path("phone-export.csv");
    std::fs::copy("samples/contacts.vcf", &renamed).expect("copy the sample");
    for input in [Path::new("samples/contacts.vcf"), renamed.as_path()] {
        let (run, rows) = clean(&h, input, &[]);
        run.assert_code(1);
        assert_eq!(run.summary["format"], "vcard", "{}", run.summary);
        let got: Vec<(&str, &str, &str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r["full_name"].as_str(),
                    r["mobile"].as_str(),
                    r["work_phone"].as_str(),
                    r["home_phone"].as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                // 2.1, quoted-printable UTF-8 name, national number, ADR country Germany.
                ("Jürgen Müller", "+4915123456789", "", ""),
                ("Amelia Clarke", "+447400123456", "", ""),
                // 4.0, national number, country France.
                ("Sophie Martin", "+33612345678", "", ""),
                ("Michael Chen", "+14155552671", "+14155552672", ""),
                ("Emma Wilson", "+447400123458", "", ""),
                ("Daniel Garcia", "", "", "+14155552673"),
                ("Lukas Schmidt", "+4915123456790", "+447400123459", ""),
            ]
        );
        // The card with only a fax: rejected, `_row` is its number in the file.
        let errors = read_table(&h.path("errors.csv"));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0]["_row"], "5");
        assert_eq!(errors[0]["_code"], "phone_missing");
    }
}

/// (row, `_code`, `_field`) of each line of the error report, in order.
fn error_codes(h: &Harness) -> Vec<(String, String, String)> {
    read_table(&h.path("errors.csv"))
        .into_iter()
        .map(|r| (r["_row"].clone(), r["_code"].clone(), r["_field"].clone()))
        .collect()
}

fn owned(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[test]
fn row_numbers_are_the_data_rows_of_a_csv_with_the_sheet_row_beside_them() {
    let h = Harness::new(config());
    // The header on sheet row 3, a blank row inside the table, a bad number, a repeat.
    let table: [&[&str]; 6] = [
        &["name", "mobile"],
        &["Ann", "+447400123456"],
        &[],
        &["Bob", "12345"],
        &["Cat", "+447400123458"],
        &["Ann again", "+447400123456"],
    ];
    let xlsx = h.path("offset.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, cells) in table.iter().enumerate() {
        for (c, text) in cells.iter().enumerate() {
            sheet
                .write_string(r as u32 + 2, c as u16, *text)
                .expect("a cell");
        }
    }
    book.save(&xlsx).expect("save the workbook");
    // The CSV a spreadsheet saves of the same table: the blank row as empty fields.
    let csv = h.path("offset.csv");
    let lines: Vec<String> = table
        .iter()
        .map(|r| {
            if r.is_empty() {
                ",".to_string()
            } else {
                r.join(",")
            }
        })
        .collect();
    std::fs::write(&csv, lines.join("\r\n") + "\r\n").expect("write the csv");
    let mut numbers = Vec::new();
    for input in [&csv, &xlsx] {
        let (run, _) = clean(
            &h,
            input,
            &["--duplicates", h.path("dups.csv").to_str().expect("a path")],
        );
        run.assert_code(1);
        let errors = read_table(&h.path("errors.csv"));
        let dups = read_table(&h.path("dups.csv"));
        let sheet_row = |r: &BTreeMap<String, String>| r.get("_sheet_row").cloned();
        numbers.push((
            errors[0]["_row"].clone(),
            sheet_row(&errors[0]),
            dups[0]["_row"].clone(),
            dups[0]["_duplicate_of"].clone(),
            sheet_row(&dups[0]),
        ));
    }
    let row = |e: &str, es: Option<&str>, d: &str, of: &str, ds: Option<&str>| {
        (
            e.to_string(),
            es.map(str::to_string),
            d.to_string(),
            of.to_string(),
            ds.map(str::to_string),
        )
    };
    assert_eq!(
        numbers,
        [
            row("3", None, "5", "1", None),
            row("3", Some("6"), "5", "1", Some("8")),
        ]
    );
}

#[test]
fn cells_beyond_the_header_make_a_ragged_row_in_xlsx_and_ods_as_in_csv() {
    let h = Harness::new(config());
    // Written by a spreadsheet library: the header is A:B.
    let xlsx = h.path("ragged.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows: [&[(u16, &str)]; 5] = [
        &[(0, "name"), (1, "mobile")],
        &[(0, "Ann"), (1, "+447400123456")],
        &[(0, "Bob"), (1, "+447400123457"), (3, "stray note")],
        &[(4, "only out here")],
        &[(0, "Cat"), (1, "+447400123458"), (2, "")],
    ];
    for (r, cells) in rows.iter().enumerate() {
        for (c, text) in cells.iter() {
            sheet.write_string(r as u32, *c, *text).expect("a cell");
        }
    }
    book.save(&xlsx).expect("save the workbook");
    let ods = h.path("ragged.ods");
    common::workbook::write_ods(
        &ods,
        &[
            vec![Some("name"), Some("mobile")],
            vec![Some("Ann"), Some("+447400123456")],
            vec![Some("Bob"), Some("+447400123457"), None, Some("stray note")],
            vec![None, None, None, None, Some("only out here")],
            vec![Some("Cat"), Some("+447400123458"), None],
        ],
    );
    for input in [&xlsx, &ods] {
        let (run, rows) = clean(&h, input, &[]);
        run.assert_code(1);
        let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str()).collect();
        assert_eq!(names, ["Ann", "Cat"], "{}", input.display());
        assert_eq!(run.num("blank"), 0, "{run}");
        let errors = read_table(&h.path("errors.csv"));
        assert_eq!(
            error_codes(&h),
            owned(&[("2", "row_ragged", ""), ("3", "row_ragged", "")]),
            "{}",
            input.display()
        );
        assert!(
            errors[0]["_message"].contains("the extra cells were: D: stray note"),
            "{}",
            errors[0]["_message"]
        );
        assert!(
            errors[1]["_message"].contains("E: only out here"),
            "{}",
            errors[1]["_message"]
        );
        assert_eq!(errors[0]["name"], "Bob");
    }
}

#[test]
fn number_cells_that_are_not_numbers_are_reported_with_their_value() {
    use common::workbook::{number, sheet, text, write_xlsx};
    let h = Harness::new(config());
    let path = h.path("odd.xlsx");
    let mut rows = vec![(1, vec![text("A1", "name"), text("B1", "mobile")])];
    for (r, raw) in [
        (2, "NaN"),
        (3, "inf"),
        (4, "1e400"),
        (5, "-inf"),
        (6, "447400123456"),
    ] {
        rows.push((
            r,
            vec![
                text(&format!("A{r}"), &format!("P{r}")),
                number(&format!("B{r}"), raw),
            ],
        ));
    }
    rows.push((
        7,
        vec![text("A7", "Nul\0Byte"), text("B7", "+447400123459")],
    ));
    write_xlsx(&path, &sheet(&rows), None);
    let (run, clean_rows) = clean(&h, &path, &["--default-region", "GB"]);
    run.assert_code(1);
    assert_eq!(clean_rows.len(), 1);
    assert_eq!(clean_rows[0]["mobile"], "+447400123456");
    assert_eq!(
        error_codes(&h),
        owned(&[
            ("1", "cell_invalid", "mobile"),
            ("2", "cell_invalid", "mobile"),
            ("3", "cell_invalid", "mobile"),
            ("4", "cell_invalid", "mobile"),
            ("6", "cell_invalid", "name"),
        ])
    );
    let errors = read_table(&h.path("errors.csv"));
    let shown: Vec<&str> = errors.iter().map(|r| r["mobile"].as_str()).collect();
    // 1e400 is read as infinity: the report shows the value as read.
    assert_eq!(&shown[..4], ["NaN", "inf", "inf", "-inf"]);
    assert!(
        errors[0]["_message"].contains("cell B2"),
        "{}",
        errors[0]["_message"]
    );
    assert_eq!(errors[4]["name"], "Nul\\x00Byte");
    assert!(
        errors[4]["_message"].contains("NUL"),
        "{}",
        errors[4]["_message"]
    );
}
