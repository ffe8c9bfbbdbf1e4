//! `bulkline export`, the real binary, against a sandbox started in this process holding 1,234
//! generated records in every API: every record exported once, in every format (the XLSX read
//! back with calamine), pages retried through faults, formulas neutralised in CSV and kept as
//! text in XLSX, a failed export leaving the old file alone, and the round trip from one
//! target into another without a mapping file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use bulkline::sandbox::SandboxConfig;
use bulkline::sandbox::bulk::{Apis, FORMULA_NAME, mobile};
use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{Harness, Run, e164};

mod common;

const N: u64 = 1_234;

/// Every source, with the column holding each record's id and the one holding its first name.
const SOURCES: [(&str, &str, &str); 4] = [
    ("zoho-voice", "contact_id", "first_name"),
    ("zoho-books", "contact_person_id", "first_name"),
    ("zoom-cc", "contact_id", "first_name"),
    ("zoho-sms-logs", "logid", "message"),
];

fn harness(config: SandboxConfig) -> Harness {
    let h = Harness::new(config);
    h.sb.add_bulk_records(N);
    h
}

fn export(h: &Harness, from: &str, out: &Path, extra: &[&str]) -> Run {
    let mut c = h.api_command();
    c.arg("export")
        .args(["--from", from])
        .arg("-o")
        .arg(out)
        .args(h.url_args())
        .args(["--books-contact-id", "460000000026049"])
        .args([
            "--address-book-id",
            bulkline::sandbox::seed::ZOOM_ADDRESS_BOOK_ID,
        ]);
    if !extra.contains(&"--rate") {
        c.args(["--rate", "500/s"]);
    }
    c.args(extra).arg("--json");
    Run::from_output(c.output().expect("run bulkline export"))
}

/// The ids in the store of `from`.
fn store_ids(h: &Harness, from: &str) -> BTreeSet<String> {
    match from {
        "zoho-voice" => {
            h.sb.voice_contacts()
                .iter()
                .map(|c| c.contact_id.to_string())
                .collect()
        }
        "zoho-books" => {
            h.sb.books_contact_persons()
                .iter()
                .map(|p| p.contact_person_id.to_string())
                .collect()
        }
        "zoom-cc" => {
            h.sb.zoom_contacts()
                .iter()
                .map(|c| c.contact_id.clone())
                .collect()
        }
        _ => {
            h.sb.sms_messages()
                .iter()
                .map(|m| m.logid.clone())
                .collect()
        }
    }
}

/// A CSV file's rows, with the BOM checked.
fn read_csv(path: &Path, bom: bool) -> Vec<BTreeMap<String, String>> {
    let bytes = std::fs::read(path).expect("the export");
    assert_eq!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        bom,
        "the byte-order mark"
    );
    let text = String::from_utf8(bytes).expect("UTF-8");
    common::parse_table(text.trim_start_matches('\u{feff}'))
}

/// An XLSX file's rows (header, then every row) as text.
fn read_xlsx(path: &Path) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook(path).expect("an XLSX file");
    let range = book.worksheet_range("export").expect("the export sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => panic!("a cell that is not text: {other:?}"),
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_record_once_in_every_format() {
    let h = harness(common::config());
    for (from, id, name) in SOURCES {
        let expected = store_ids(&h, from);
        assert_eq!(
            expected.len() as u64,
            N,
            "{from}: the sandbox holds N records"
        );

        // CSV.
        let csv_path = h.path(&format!("{from}.csv"));
        let run = export(&h, from, &csv_path, &[]);
        run.assert_code(0);
        assert_eq!(run.num("records"), N, "{run}");
        let rows = read_csv(&csv_path, true);
        let ids: Vec<&str> = rows.iter().map(|r| r[id].as_str()).collect();
        let unique: BTreeSet<String> = ids.iter().map(|s| s.to_string()).collect();
        assert_eq!(ids.len(), unique.len(), "{from}: an id exported twice");
        assert_eq!(unique, expected, "{from}: the ids exported");

        // The formula record is neutralised; E.164 numbers stay as they are.
        let formula: Vec<&BTreeMap<String, String>> = rows
            .iter()
            .filter(|r| r[name].contains("HYPERLINK"))
            .collect();
        assert_eq!(formula.len(), 1, "{from}");
        assert!(
            formula[0][name].starts_with('\''),
            "{from}: {:?}",
            formula[0][name]
        );
        if from != "zoho-sms-logs" {
            let phone_col = if from == "zoom-cc" {
                "phone_numbers"
            } else {
                "mobile"
            };
            let phones: BTreeSet<&str> = rows.iter().map(|r| r[phone_col].as_str()).collect();
            assert!(
                phones.contains(mobile(7).as_str()),
                "{from}: {phone_col} lost its +"
            );
        }

        // JSON Lines: the same records, not neutralised.
        let jsonl_path = h.path(&format!("{from}.jsonl"));
        export(&h, from, &jsonl_path, &[]).assert_code(0);
        let text = std::fs::read_to_string(&jsonl_path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        assert_eq!(lines.len() as u64, N, "{from}");
        let json_ids: BTreeSet<String> = lines
            .iter()
            .map(|l| l[id].as_str().expect("ids as text").to_string())
            .collect();
        assert_eq!(json_ids, expected, "{from}");
        assert!(
            lines.iter().any(|l| l[name]
                .as_str()
                .is_some_and(|v| v.starts_with('=') || v.contains(FORMULA_NAME))),
            "{from}: the formula record as it is"
        );

        // XLSX: read back, the same cells as the raw CSV, every one text.
        let xlsx_path = h.path(&format!("{from}.xlsx"));
        export(&h, from, &xlsx_path, &[]).assert_code(0);
        let raw_path = h.path(&format!("{from}.raw.csv"));
        export(&h, from, &raw_path, &["--raw", "--no-bom"]).assert_code(0);
        let raw = read_csv(&raw_path, false);
        let sheet = read_xlsx(&xlsx_path);
        assert_eq!(sheet.len() as u64, N + 1, "{from}: header and rows");
        let header = &sheet[0];
        for (i, row) in sheet[1..].iter().enumerate() {
            for (col, cell) in header
                .iter()
                .zip(row.iter().chain(std::iter::repeat(&String::new())))
            {
                assert_eq!(
                    cell,
                    raw[i].get(col).unwrap_or(&String::new()),
                    "{from}: row {i}, column {col}"
                );
            }
        }
        let formula_cell = sheet
            .iter()
            .flatten()
            .find(|c| c.contains("HYPERLINK"))
            .expect("the formula record");
        assert!(
            !formula_cell.starts_with('\''),
            "XLSX keeps the text as it is: {formula_cell}"
        );
    }
}

#[test]
fn pages_are_retried_through_faults_and_rate_limits() {
    let h = harness(SandboxConfig {
        fault_rate: 0.2,
        rate_limit_per_sec: Some(40.0),
        ..common::config()
    });
    for (from, id, _) in SOURCES {
        let out = h.path(&format!("{from}.csv"));
        let run = export(&h, from, &out, &["--rate", "100/s", "--max-retries", "10"]);
        run.assert_code(0);
        let rows = read_csv(&out, true);
        let ids: BTreeSet<String> = rows.iter().map(|r| r[id].clone()).collect();
        assert_eq!(rows.len(), ids.len(), "{from}");
        assert_eq!(ids, store_ids(&h, from), "{from}");
    }
    assert!(h.sb.stats().injected_500 > 0, "no fault was injected");
}

#[test]
fn columns_dates_and_usage() {
    let h = harness(common::config());
    let out = h.path("v.csv");
    export(
        &h,
        "zoho-voice",
        &out,
        &[
            "--columns",
            "mobile, first_name,contact_owner.display_value",
        ],
    )
    .assert_code(0);
    let text = std::fs::read_to_string(&out).unwrap();
    let first = text.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert_eq!(first, "mobile,first_name,contact_owner.display_value");
    // A name no field or column has is a typo: refused, with the closest name.
    let typo = export(
        &h,
        "zoho-voice",
        &h.path("typo.csv"),
        &["--columns", "first_name,mobil"],
    );
    typo.assert_code(2);
    assert!(typo.stderr.contains("did you mean \"mobile\""), "{typo}");

    // The logs of a day with none: an empty export with its header.
    let logs = h.path("logs.csv");
    let run = export(
        &h,
        "zoho-sms-logs",
        &logs,
        &["--from-date", "2001-01-01", "--to-date", "2001-01-02"],
    );
    run.assert_code(0);
    assert_eq!(run.num("records"), 0, "{run}");
    assert_eq!(read_csv(&logs, true).len(), 0);

    for bad in [
        vec!["--from-date", "yesterday"],
        vec!["--from-date", "2026-02-02", "--to-date", "2026-02-01"],
    ] {
        export(&h, "zoho-sms-logs", &logs, &bad).assert_code(2);
    }
    export(&h, "zoho-voice", &logs, &["--from-date", "2026-01-01"]).assert_code(2);
    export(&h, "zoho-voice", &h.path("v.txt"), &[]).assert_code(2);
}

#[test]
fn a_failed_export_leaves_the_old_file_alone() {
    let h = harness(SandboxConfig {
        fault_rate: 1.0,
        ..common::config()
    });
    let out = h.path("nightly.csv");
    std::fs::write(&out, "yesterday's export\n").unwrap();
    let run = export(&h, "zoho-voice", &out, &["--max-retries", "1"]);
    run.assert_code(4);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "yesterday's export\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(h.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "a temporary file was left: {leftovers:?}"
    );
}

#[test]
fn books_contact_persons_import_into_zoom_without_a_mapping_file() {
    let h = Harness::new(common::config());
    h.sb.add_bulk_records_to(Apis::Only("zoho_books"), 50);
    assert!(h.sb.zoom_contacts().is_empty());
    for (format, extra) in [("jsonl", vec![]), ("csv", vec!["--raw"])] {
        let exported = h.path(&format!("persons.{format}"));
        export(&h, "zoho-books", &exported, &extra).assert_code(0);
        let mut c = h.api_command();
        c.arg("import")
            .arg(&exported)
            .args(["--to", "zoom-cc", "--checkpoint"])
            .arg(h.path(&format!("{format}.checkpoint")))
            .args(h.url_args())
            .args([
                "--address-book-id",
                bulkline::sandbox::seed::ZOOM_ADDRESS_BOOK_ID,
            ])
            .args(["--rate", "200/s", "--json"]);
        let run = Run::from_output(c.output().expect("run bulkline import"));
        run.assert_code(0);
        // The first import creates them all; the second, of the same people, finds them.
        let done = run.num("created") + run.num("unchanged");
        assert_eq!(done, 50, "{format}: {run}");
    }
    let zoom: BTreeMap<String, (String, String, Vec<String>)> =
        h.sb.zoom_contacts()
            .iter()
            .map(|c| {
                (
                    e164(&c.phone_numbers[0]),
                    (
                        c.text("first_name").to_string(),
                        c.text("last_name").to_string(),
                        c.emails.clone(),
                    ),
                )
            })
            .collect();
    assert_eq!(zoom.len(), 50, "each person once");
    for p in h.sb.books_contact_persons() {
        let got = &zoom[&e164(&p.mobile)];
        assert_eq!(
            got,
            &(
                p.first_name.clone(),
                p.last_name.clone(),
                vec![p.email.clone()]
            )
        );
    }
}
