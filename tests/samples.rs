//! End-to-end tests of `bulkline clean` on the hand-written exports in `samples/`.
//!
//! Every test runs the real binary and checks exact results: the clean rows (the input rows that
//! passed, phones rewritten to E.164, everything else as read), the `_row`/`_code` of every
//! rejected row, the `_row`/`_duplicate_of` of every dropped duplicate, the exit code and the
//! `--json` summary. Outputs go to a temporary directory, never into the repository.
//!
//! The sample tests collect every mismatch before failing, so that one wrong row does not hide
//! the others.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Map, Value, json};
use tempfile::TempDir;

const ERROR_COLUMNS: [&str; 5] = ["_row", "_stage", "_field", "_code", "_message"];
const DUPLICATE_COLUMNS: [&str; 2] = ["_row", "_duplicate_of"];

// ---------------------------------------------------------------------------------------------
// Running the binary

fn sample(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn sample_bytes(name: &str) -> Vec<u8> {
    std::fs::read(sample(name)).unwrap_or_else(|e| panic!("cannot read sample {name}: {e}"))
}

/// A temporary directory for one test's outputs.
struct Dir(TempDir);

impl Dir {
    fn new() -> Self {
        Dir(tempfile::tempdir().expect("tempdir"))
    }

    fn path(&self, name: &str) -> String {
        self.0.path().join(name).to_string_lossy().into_owned()
    }

    fn read(&self, name: &str) -> Vec<u8> {
        let p: PathBuf = self.0.path().join(name);
        std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read output {}: {e}", p.display()))
    }
}

/// What a run of the binary gave.
struct Ran {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Ran {
    fn summary(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "--json did not print one JSON object on stdout ({e}):\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&self.stdout),
                self.stderr
            )
        })
    }
}

fn clean_with(args: &[&str], stdin: Option<Vec<u8>>) -> Ran {
    let mut cmd = Command::cargo_bin("bulkline").expect("the bulkline binary");
    cmd.arg("clean").args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().expect("run bulkline");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn clean(args: &[&str]) -> Ran {
    clean_with(args, None)
}

// ---------------------------------------------------------------------------------------------
// Soft assertions: collect every mismatch, fail once at the end.

#[derive(Default)]
struct Checks(Vec<String>);

impl Checks {
    fn eq<T: PartialEq + Debug>(&mut self, what: &str, actual: T, expected: T) {
        if actual != expected {
            self.0.push(format!(
                "{what}:\n    actual:   {actual:?}\n    expected: {expected:?}"
            ));
        }
    }

    fn check(&mut self, what: &str, ok: bool) {
        if !ok {
            self.0.push(what.to_string());
        }
    }

    fn done(self, ran: &Ran) {
        if !self.0.is_empty() {
            panic!(
                "{} check(s) failed:\n\n{}\n\nstderr of the run:\n{}",
                self.0.len(),
                self.0.join("\n\n"),
                ran.stderr
            );
        }
    }
}

/// Checks the key fields of a `--json` summary.
#[allow(clippy::too_many_arguments)]
fn check_summary(
    c: &mut Checks,
    s: &Value,
    format: &str,
    encoding: &str,
    delimiter: Option<&str>,
    rows_read: u64,
    clean: u64,
    rejected: &[(u64, &str)],
    duplicates: u64,
) {
    c.eq("summary.format", s["format"].as_str(), Some(format));
    c.eq("summary.encoding", s["encoding"].as_str(), Some(encoding));
    c.eq(
        "summary.delimiter",
        s.get("delimiter").and_then(Value::as_str),
        delimiter,
    );
    c.eq(
        "summary.rows_read",
        s["rows_read"].as_u64(),
        Some(rows_read),
    );
    c.eq("summary.clean", s["clean"].as_u64(), Some(clean));
    c.eq(
        "summary.rejected",
        s["rejected"].as_u64(),
        Some(rejected.len() as u64),
    );
    c.eq(
        "summary.duplicates",
        s["duplicates"].as_u64(),
        Some(duplicates),
    );
    let mut by_code: BTreeMap<String, u64> = BTreeMap::new();
    for (_, code) in rejected {
        *by_code.entry(code.to_string()).or_default() += 1;
    }
    let actual: BTreeMap<String, u64> = s["rejected_by_code"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    c.eq("summary.rejected_by_code", actual, by_code);
    let expected_exit = if rejected.is_empty() { 0 } else { 1 };
    c.eq(
        "summary.exit_code",
        s["exit_code"].as_u64(),
        Some(expected_exit),
    );
}

// ---------------------------------------------------------------------------------------------
// Tables (CSV / TSV)

#[derive(Debug, Clone, PartialEq)]
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn parse(text: &str, delimiter: u8) -> Table {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = rdr.records().map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        });
        let header = records.next().unwrap_or_default();
        Table {
            header,
            rows: records.collect(),
        }
    }

    fn parse_output(bytes: &[u8], delimiter: u8) -> Table {
        let text = std::str::from_utf8(bytes).expect("outputs are UTF-8");
        Table::parse(text, delimiter)
    }

    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name:?} in {:?}", self.header))
    }

    /// Data row `n` (1-based, as in the reports).
    fn row(&self, n: u64) -> &Vec<String> {
        &self.rows[n as usize - 1]
    }

    /// Data row `n` with some cells replaced.
    fn row_with(&self, n: u64, cells: &[(&str, &str)]) -> Vec<String> {
        let mut r = self.row(n).clone();
        for (name, value) in cells {
            r[self.col(name)] = value.to_string();
        }
        r
    }

    /// The report columns of every row: (`_row`, `other`) as numbers/strings.
    fn report_pairs(&self, other: &str) -> Vec<(u64, String)> {
        let (r, o) = (self.col("_row"), self.col(other));
        self.rows
            .iter()
            .map(|row| (row[r].parse().unwrap_or(0), row[o].clone()))
            .collect()
    }

    /// The row without its report columns (`_row`, ...).
    fn without_report_columns(&self, row: &[String]) -> Vec<String> {
        self.header
            .iter()
            .zip(row)
            .filter(|(h, _)| !h.starts_with('_'))
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// Decodes a sample as the test knows it is encoded (not as the tool guesses).
fn sample_text(name: &str) -> String {
    let bytes = sample_bytes(name);
    match name {
        "crm_semicolon_cp1252.csv" => {
            let (text, _, bad) = encoding_rs::WINDOWS_1252.decode(&bytes);
            assert!(!bad);
            text.into_owned()
        }
        "excel_unicode.txt" => {
            assert_eq!(&bytes[..2], &[0xFF, 0xFE], "UTF-16LE BOM");
            let units: Vec<u16> = bytes[2..]
                .chunks(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).expect("UTF-16")
        }
        _ => String::from_utf8(bytes).expect("UTF-8"),
    }
}

fn with_report_columns(header: &[String], extra: &[&str]) -> Vec<String> {
    header
        .iter()
        .cloned()
        .chain(extra.iter().map(|s| s.to_string()))
        .collect()
}

/// The expected outcome of cleaning one CSV sample.
struct CsvCase<'a> {
    file: &'a str,
    delimiter: u8,
    /// Extension of the output files (`csv` or `txt`).
    ext: &'a str,
    args: &'a [&'a str],
    encoding: &'a str,
    /// Data rows read (blank ones included).
    rows_read: u64,
    /// Clean rows, in output order: (input row, phone cells rewritten to E.164).
    kept: Vec<(u64, Vec<(&'a str, &'a str)>)>,
    /// Rejected rows: (input row, code).
    rejected: &'a [(u64, &'a str)],
    /// Dropped duplicates: (input row, row it duplicates).
    duplicates: &'a [(u64, u64)],
    /// The columns the tool may rewrite (phones): other columns of reported rows are as read.
    phone_columns: &'a [&'a str],
}

/// Runs a CSV case and checks every output exactly.
fn check_csv_case(case: &CsvCase) {
    let dir = Dir::new();
    let (out, err, dup) = (
        format!("clean.{}", case.ext),
        format!("errors.{}", case.ext),
        format!("dups.{}", case.ext),
    );
    let input_path = sample(case.file);
    let (out_p, err_p, dup_p) = (dir.path(&out), dir.path(&err), dir.path(&dup));
    let mut args = vec![
        input_path.as_str(),
        "-o",
        &out_p,
        "--errors",
        &err_p,
        "--duplicates",
        &dup_p,
        "--json",
    ];
    args.extend_from_slice(case.args);
    let ran = clean(&args);
    let mut c = Checks::default();
    let expected_exit = if case.rejected.is_empty() { 0 } else { 1 };
    c.eq("exit code", ran.code, expected_exit);

    let input = Table::parse(&sample_text(case.file), case.delimiter);
    let delim = (case.delimiter as char).to_string();
    check_summary(
        &mut c,
        &ran.summary(),
        "csv",
        case.encoding,
        Some(&delim),
        case.rows_read,
        case.kept.len() as u64,
        case.rejected,
        case.duplicates.len() as u64,
    );

    // Clean rows: the input's header, the kept rows as read with their phones in E.164.
    let clean = Table::parse_output(&dir.read(&out), case.delimiter);
    c.eq("clean header", &clean.header, &input.header);
    let expected: Vec<Vec<String>> = case
        .kept
        .iter()
        .map(|(n, cells)| input.row_with(*n, cells))
        .collect();
    if clean.rows != expected {
        report_row_differences(&mut c, &input, &clean, case, &expected);
    }

    // Error report: the original columns as read, then _row, _stage, _field, _code, _message.
    let errors = Table::parse_output(&dir.read(&err), case.delimiter);
    c.eq(
        "error report header",
        errors.header.clone(),
        with_report_columns(&input.header, &ERROR_COLUMNS),
    );
    let got: Vec<(u64, String)> = errors.report_pairs("_code");
    let want: Vec<(u64, String)> = case
        .rejected
        .iter()
        .map(|(n, code)| (*n, code.to_string()))
        .collect();
    c.eq("error report (_row, _code)", got, want);
    let code_col = errors.col("_code");
    for row in &errors.rows {
        let n: u64 = row[errors.col("_row")].parse().unwrap_or(0);
        if n == 0 || n as usize > input.rows.len() || row[code_col] == "row_ragged" {
            continue;
        }
        c.eq(
            &format!("error report row {n}: original columns as read"),
            errors.without_report_columns(row),
            input.row(n).clone(),
        );
    }

    // Duplicates report: the row (phones may be in E.164), then _row and _duplicate_of.
    let dups = Table::parse_output(&dir.read(&dup), case.delimiter);
    c.eq(
        "duplicates header",
        dups.header.clone(),
        with_report_columns(&input.header, &DUPLICATE_COLUMNS),
    );
    let got: Vec<(u64, u64)> = dups
        .report_pairs("_duplicate_of")
        .into_iter()
        .map(|(r, of)| (r, of.parse().unwrap_or(0)))
        .collect();
    c.eq(
        "duplicates (_row, _duplicate_of)",
        got,
        case.duplicates.to_vec(),
    );
    for row in &dups.rows {
        let n: u64 = row[dups.col("_row")].parse().unwrap_or(0);
        if n == 0 || n as usize > input.rows.len() {
            continue;
        }
        let strip = |t: &Table, r: &[String]| -> Vec<String> {
            t.header
                .iter()
                .zip(r)
                .filter(|(h, _)| !h.starts_with('_') && !case.phone_columns.contains(&h.as_str()))
                .map(|(_, v)| v.clone())
                .collect()
        };
        c.eq(
            &format!("duplicate row {n}: non-phone columns as read"),
            strip(&dups, row),
            strip(&input, input.row(n)),
        );
    }
    c.done(&ran);
}

/// Explains how the clean rows differ from the expected ones: which input rows came out, and
/// which cells of a row differ.
fn report_row_differences(
    c: &mut Checks,
    input: &Table,
    clean: &Table,
    case: &CsvCase,
    expected: &[Vec<String>],
) {
    // An output row is identified by its columns other than phones.
    let key = |t: &Table, r: &[String]| -> Vec<String> {
        t.header
            .iter()
            .zip(r)
            .filter(|(h, _)| !case.phone_columns.contains(&h.as_str()))
            .map(|(_, v)| v.clone())
            .collect()
    };
    let identify = |r: &[String]| -> Option<u64> {
        (1..=input.rows.len() as u64).find(|&n| key(input, input.row(n)) == key(clean, r))
    };
    let actual_ids: Vec<Option<u64>> = clean.rows.iter().map(|r| identify(r)).collect();
    let expected_ids: Vec<Option<u64>> = case.kept.iter().map(|(n, _)| Some(*n)).collect();
    c.eq(
        "clean rows, as input row numbers (None: not an input row as read)",
        &actual_ids,
        &expected_ids,
    );
    for (pos, (row, id)) in clean.rows.iter().zip(&actual_ids).enumerate() {
        let want = match id {
            Some(n) => case
                .kept
                .iter()
                .position(|(k, _)| k == n)
                .map(|i| &expected[i]),
            None => expected.get(pos),
        };
        let Some(want) = want else { continue };
        if row != want {
            let diff: Vec<String> = input
                .header
                .iter()
                .zip(row.iter().zip(want))
                .filter(|(_, (a, e))| a != e)
                .map(|(h, (a, e))| format!("{h}: {a:?}, expected {e:?}"))
                .collect();
            c.check(
                &format!("clean row {} (input row {id:?}) differs: {diff:?}", pos + 1),
                false,
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The samples

const GOOGLE_PHONES: [&str; 3] = ["Phone 1 - Value", "Phone 2 - Value", "Phone 3 - Value"];

/// The E.164 rewrites of every Google row that can come out clean.
fn google_phones(row: u64) -> Vec<(&'static str, &'static str)> {
    const P1: &str = "Phone 1 - Value";
    const P2: &str = "Phone 2 - Value";
    match row {
        1 => vec![(P1, "+447400123456"), (P2, "+442079460018")],
        2 | 11 => vec![(P1, "+16502530000")],
        3 => vec![(P1, "+34612345678")],
        // Two mobiles in one cell; Phone 2 is a "Work Fax": left as it is.
        4 => vec![(P1, "+491711234567 ::: +4915123456789")],
        5 => vec![(P1, "+447400123456")],
        6 => vec![(P1, "+33612345678"), (P2, "+33142685300")],
        8 => vec![(P1, "+819012345678")],
        9 => vec![(P1, "+14155552671"), (P2, "+12125550123")],
        10 => vec![(P1, "+442079460991")], // only with --default-region GB
        // Phone 1 is a "Work Fax": left as it is.
        14 => vec![(P2, "+491605551234")],
        16 => vec![(P1, "+491711234567")],
        17 => vec![(P1, "+33698765432")],
        19 => vec![(P1, "+34655123456"), (P2, "+34934123456")],
        20 => vec![(P1, "+61412345678")],
        21 => vec![(P1, "+420601123456")],
        23 => vec![(P1, "+33612345678")],
        24 => vec![(P2, "+12024561111")],
        _ => panic!("row {row} of google_contacts.csv is never clean"),
    }
}

const GOOGLE_KEPT_FIRST: [u64; 13] = [1, 2, 3, 4, 6, 8, 9, 14, 17, 19, 20, 21, 24];
const GOOGLE_REJECTED: [(u64, &str); 7] = [
    (7, "phone_invalid"),    // 07400 12345: too short
    (10, "phone_no_region"), // 020 7946 0991 and no country
    (12, "phone_missing"),
    (13, "email_invalid"),   // mia.rossi@example
    (15, "phone_extension"), // +44 20 7946 0018 ext. 204, no extension column
    (18, "phone_invalid"),   // 555-0100
    (22, "phone_invalid"),   // second phone 12345
];
const GOOGLE_DUPLICATES: [(u64, u64); 4] = [(5, 1), (11, 2), (16, 4), (23, 6)];

#[test]
fn google_contacts_csv() {
    check_csv_case(&CsvCase {
        file: "google_contacts.csv",
        delimiter: b',',
        ext: "csv",
        args: &[],
        encoding: "UTF-8",
        rows_read: 24,
        kept: GOOGLE_KEPT_FIRST
            .iter()
            .map(|&n| (n, google_phones(n)))
            .collect(),
        rejected: &GOOGLE_REJECTED,
        duplicates: &GOOGLE_DUPLICATES,
        phone_columns: &GOOGLE_PHONES,
    });
}

const OUTLOOK_PHONES: [&str; 12] = [
    "Assistant's Phone",
    "Business Phone",
    "Business Phone 2",
    "Callback",
    "Car Phone",
    "Company Main Phone",
    "Home Phone",
    "Home Phone 2",
    "Mobile Phone",
    "Other Phone",
    "Primary Phone",
    "Radio Phone",
];

#[test]
fn outlook_contacts_csv() {
    const BP: &str = "Business Phone";
    const MP: &str = "Mobile Phone";
    const HP: &str = "Home Phone";
    check_csv_case(&CsvCase {
        file: "outlook_contacts.csv",
        delimiter: b',',
        ext: "csv",
        args: &["--default-region", "US"],
        encoding: "UTF-8",
        rows_read: 21,
        kept: vec![
            (1, vec![(BP, "+14258828080"), (MP, "+12065550134")]),
            (
                2,
                vec![
                    (BP, "+442079460018"),
                    (HP, "+442079460991"),
                    (MP, "+447911123456"),
                ],
            ),
            (3, vec![(MP, "+447400123456")]),
            (
                6,
                vec![
                    (BP, "+498912345678"),
                    ("Business Phone 2", "+498912345679"),
                    (MP, "+4915123456789"),
                ],
            ),
            (7, vec![(BP, "+33142685300"), (MP, "+33612345678")]),
            // A private contact: Business Country/Region is empty, Home Country/Region is
            // Germany. The row's own country must beat --default-region US.
            (9, vec![(HP, "+49301234567"), (MP, "+491711234567")]),
            (12, vec![(BP, "+34911234567"), (MP, "+34612345678")]),
            (13, vec![(MP, "+971501234567")]),
            (16, vec![(BP, "+81661234567"), (MP, "+818023456789")]),
            (
                18,
                vec![("Primary Phone", "+13035550142"), (HP, "+13035550177")],
            ),
            (19, vec![(BP, "+61293744000"), (MP, "+61412345678")]),
            (20, vec![(MP, "+919876543210")]),
        ],
        rejected: &[
            (4, "phone_invalid"),   // (512) 555-01
            (8, "phone_extension"), // +1 (425) 555-0100 x204
            (10, "phone_missing"),  // only a Business Fax
            (14, "phone_invalid"),  // mobile (416) 555-019
            (17, "email_invalid"),  // olga.novak@margiestravel
        ],
        duplicates: &[(5, 1), (11, 3), (15, 7), (21, 6)],
        phone_columns: &OUTLOOK_PHONES,
    });
}

#[test]
fn outlook_notes_keep_embedded_quotes_and_line_breaks() {
    let dir = Dir::new();
    let out = dir.path("clean.csv");
    let ran = clean(&[
        &sample("outlook_contacts.csv"),
        "-o",
        &out,
        "--default-region",
        "US",
        "--quiet",
    ]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let t = Table::parse_output(&dir.read("clean.csv"), b',');
    assert_eq!(
        t.rows[0][t.col("Notes")],
        "Met at \"Build\" 2023.\nPrefers texts after 5pm, says \"call me Johnny\"."
    );
    assert_eq!(t.rows[0][t.col("Birthday")], "0/0/00");
}

fn crm_kept(kept: &[u64]) -> Vec<(u64, Vec<(&'static str, &'static str)>)> {
    const T: &str = "Telefon";
    const H: &str = "Handy";
    kept.iter()
        .map(|&n| {
            let cells = match n {
                1 => vec![(T, "+49301234567"), (H, "+491711234567")],
                2 => vec![(T, "+33142685300"), (H, "+33612345678")],
                3 => vec![(T, "+34911234567"), (H, "+34612345678")],
                6 => vec![(T, "+498912345678")],
                7 => vec![(H, "+34655123456")],
                8 => vec![(T, "+33491123456"), (H, "+33781234567")],
                9 => vec![(T, "+4315123456"), (H, "+436641234567")],
                13 => vec![(T, "+4930901820"), (H, "+4915123456789")],
                15 => vec![(H, "+34699123456")],
                16 => vec![(T, "+4930901821")],
                20 => vec![(T, "+34934123456")],
                _ => panic!("row {n} of the CRM export is never clean"),
            };
            (n, cells)
        })
        .collect()
}

const CRM_KEPT: [u64; 11] = [1, 2, 3, 6, 7, 8, 9, 13, 15, 16, 20];
const CRM_REJECTED: [(u64, &str); 6] = [
    (5, "phone_invalid"),    // 06 12 34 5
    (10, "row_ragged"),      // Schmidt; Partner KG, unquoted
    (12, "phone_no_region"), // empty Land
    (14, "email_invalid"),   // andre.lefebvre@
    (17, "phone_missing"),
    (19, "phone_invalid"), // 07 00 00 00 00
];
const CRM_DUPLICATES: [(u64, u64); 3] = [(4, 1), (11, 2), (18, 3)];

fn crm_case<'a>(args: &'a [&'a str]) -> CsvCase<'a> {
    CsvCase {
        file: "crm_semicolon_cp1252.csv",
        delimiter: b';',
        ext: "csv",
        args,
        encoding: "windows-1252",
        rows_read: 20,
        kept: crm_kept(&CRM_KEPT),
        rejected: &CRM_REJECTED,
        duplicates: &CRM_DUPLICATES,
        phone_columns: &["Telefon", "Handy"],
    }
}

/// `--map` names the phone column the tool does not recognise, `--region-column` the country.
#[test]
fn crm_semicolon_cp1252_csv_with_map_and_region_column() {
    check_csv_case(&crm_case(&[
        "--map",
        "phone=Telefon",
        "--region-column",
        "Land",
    ]));
}

#[test]
fn crm_mapping_file() {
    let dir = Dir::new();
    let toml = dir.path("crm.toml");
    std::fs::write(
        &toml,
        "# columns of the CRM export\n[columns]\nphone = \"Telefon\"\nmobile = [\"Handy\"]\ncompany = \"Firma\"\ncountry = \"Land\"\n",
    )
    .unwrap();
    check_csv_case(&crm_case(&["--mapping", &toml]));
}

#[test]
fn crm_mobile_only() {
    check_csv_case(&CsvCase {
        args: &[
            "--map",
            "phone=Telefon",
            "--region-column",
            "Land",
            "--mobile-only",
        ],
        kept: crm_kept(&[1, 2, 3, 7, 8, 9, 13, 15]),
        rejected: &[
            (5, "phone_invalid"),
            (6, "phone_not_mobile"), // only a Munich landline
            (10, "row_ragged"),
            (12, "phone_no_region"),
            (14, "email_invalid"),
            (16, "phone_not_mobile"), // only a Berlin landline
            (17, "phone_missing"),
            (19, "phone_invalid"),
            (20, "phone_not_mobile"), // only a Barcelona landline
        ],
        ..crm_case(&[])
    });
}

fn excel_kept(kept: &[u64], with_phone: bool) -> Vec<(u64, Vec<(&'static str, &'static str)>)> {
    kept.iter()
        .map(|&n| {
            let (m, p) = match n {
                1 => ("+306912345678", "+302101234567"),
                2 => ("+79123456789", "+74951234567"),
                3 => ("+819012345678", "+81312345678"),
                4 => ("+8613800138000", ""),
                6 => ("+79161234567", ""),
                10 => ("+818023456789", "+81661234567"),
                12 => ("+8613912345678", "+861065529988"),
                15 => ("+821012345678", "+8223123456"),
                16 => ("+46701234567", "+46812345678"),
                17 => ("+78005553535", ""),
                _ => panic!("row {n} of the Excel export is never clean"),
            };
            let mut cells = vec![("Mobile", m)];
            if with_phone && !p.is_empty() {
                cells.push(("Phone", p));
            }
            (n, cells)
        })
        .collect()
}

const EXCEL_KEPT: [u64; 10] = [1, 2, 3, 4, 6, 10, 12, 15, 16, 17];
const EXCEL_REJECTED: [(u64, &str); 4] = [
    (7, "phone_invalid"),   // 691 234
    (9, "phone_no_region"), // 8 916 555-12-34, no country
    (11, "phone_missing"),
    (13, "email_invalid"), // nikos.antoniou@example
];
const EXCEL_DUPLICATES: [(u64, u64); 3] = [(5, 1), (8, 3), (14, 2)];

fn excel_case<'a>(args: &'a [&'a str], with_phone: bool) -> CsvCase<'a> {
    CsvCase {
        file: "excel_unicode.txt",
        delimiter: b'\t',
        ext: "txt",
        args,
        encoding: "UTF-16LE",
        rows_read: 18, // 17 contacts and the empty row Excel leaves at the end
        kept: excel_kept(&EXCEL_KEPT, with_phone),
        rejected: &EXCEL_REJECTED,
        duplicates: &EXCEL_DUPLICATES,
        phone_columns: &["Mobile", "Phone"],
    }
}

#[test]
fn excel_unicode_text_utf16_tabs() {
    check_csv_case(&excel_case(&[], true));
}

/// `--encoding` and `--delimiter` given instead of detected: the same results.
#[test]
fn explicit_encoding_and_delimiter() {
    check_csv_case(&crm_case(&[
        "--encoding",
        "latin1",
        "--delimiter",
        ";",
        "--map",
        "phone=Telefon",
        "--region-column",
        "Land",
    ]));
    check_csv_case(&excel_case(
        &["--encoding", "utf-16le", "--delimiter", "tab"],
        true,
    ));
}

/// `--map ignore=Phone`: the column is carried through as read, not validated.
#[test]
fn excel_map_ignore_column() {
    check_csv_case(&excel_case(&["--map", "ignore=Phone"], false));
}

// ---------------------------------------------------------------------------------------------
// JSON samples

fn read_json_lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8(bytes.to_vec())
        .expect("UTF-8")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn loose_u64(v: &Value) -> u64 {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0)
}

fn without_underscore_keys(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('_'))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

/// `record` with its top-level keys in `patch` replaced.
fn patched(record: &Value, patch: &Value) -> Value {
    let mut r = record.clone();
    for (k, v) in patch.as_object().expect("a patch object") {
        r[k] = v.clone();
    }
    r
}

/// Checks the error report and duplicates of a JSON input against its records (by row).
fn check_json_reports(
    c: &mut Checks,
    records: &BTreeMap<u64, Value>,
    errors: &[Value],
    dups: &[Value],
    rejected: &[(u64, &str)],
    duplicates: &[(u64, u64)],
) {
    let got: Vec<(u64, String)> = errors
        .iter()
        .map(|e| {
            (
                loose_u64(&e["_row"]),
                e["_code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want: Vec<(u64, String)> = rejected.iter().map(|(n, c)| (*n, c.to_string())).collect();
    c.eq("error report (_row, _code)", got, want);
    for e in errors {
        let n = loose_u64(&e["_row"]);
        if let Some(original @ Value::Object(_)) = records.get(&n) {
            c.eq(
                &format!("error report row {n}: the record as read"),
                without_underscore_keys(e),
                original.clone(),
            );
        }
    }
    let got: Vec<(u64, u64)> = dups
        .iter()
        .map(|d| (loose_u64(&d["_row"]), loose_u64(&d["_duplicate_of"])))
        .collect();
    c.eq("duplicates (_row, _duplicate_of)", got, duplicates.to_vec());
    for d in dups {
        let n = loose_u64(&d["_row"]);
        c.eq(
            &format!("duplicate row {n}: its id"),
            d.get("id"),
            records.get(&n).and_then(|r| r.get("id")),
        );
    }
}

fn json_records() -> BTreeMap<u64, Value> {
    let v: Value = serde_json::from_slice(&sample_bytes("contacts.json")).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, r)| (i as u64 + 1, r.clone()))
        .collect()
}

/// The clean records of contacts.json: nested shape as read, phones (string or array) in E.164.
fn json_expected(records: &BTreeMap<u64, Value>) -> Vec<Value> {
    let kept = [
        (
            1,
            json!({"mobile": "+14155552671", "phones": ["+16502530000", "+12125550123"]}),
        ),
        (2, json!({"phones": ["+447400123456"]})),
        (
            3,
            json!({"mobile": "+491711234567", "phones": ["+49301234567"]}),
        ),
        (4, json!({"mobile": "+33612345678"})),
        (6, json!({"phones": ["+34612345678", "+34911234567"]})),
        (7, json!({"mobile": "+819012345678"})),
        (
            11,
            json!({"mobile": "+212612345678", "phones": ["+212522123456"]}),
        ),
        (
            17,
            json!({"mobile": "+61412345678", "phones": ["+61293744000"]}),
        ),
        (
            19,
            json!({"mobile": "+79161234567", "phones": ["+74951234567"]}),
        ),
        (20, json!({"mobile": "+201001234567"})),
    ];
    kept.iter()
        .map(|(n, patch)| patched(&records[n], patch))
        .collect()
}

#[test]
fn contacts_json_keeps_the_nested_shape() {
    let dir = Dir::new();
    let (out, err, dup) = (
        dir.path("clean.json"),
        dir.path("errors.jsonl"),
        dir.path("dups.jsonl"),
    );
    let ran = clean(&[
        &sample("contacts.json"),
        "-o",
        &out,
        "--errors",
        &err,
        "--duplicates",
        &dup,
        "--json",
    ]);
    let mut c = Checks::default();
    c.eq("exit code", ran.code, 1);
    let rejected = [
        (8, "phone_no_region"),  // 070-123 45 67, no address.country
        (9, "phone_missing"),    // "phones": []
        (12, "phone_invalid"),   // "12" in the phones array
        (14, "phone_invalid"),   // 06 12 34 5
        (15, "email_invalid"),   // daniel.kim@example
        (16, "json_not_object"), // null
    ];
    let duplicates = [(5, 1), (10, 2), (13, 3), (18, 6)];
    check_summary(
        &mut c,
        &ran.summary(),
        "json",
        "UTF-8",
        None,
        20,
        10,
        &rejected,
        4,
    );
    let records = json_records();
    let got: Value = serde_json::from_slice(&dir.read("clean.json")).expect("a JSON array");
    c.eq("clean records", got, Value::Array(json_expected(&records)));
    check_json_reports(
        &mut c,
        &records,
        &read_json_lines(&dir.read("errors.jsonl")),
        &read_json_lines(&dir.read("dups.jsonl")),
        &rejected,
        &duplicates,
    );
    c.done(&ran);
}

/// contacts.jsonl by line number; lines that are not JSON are left out.
fn jsonl_records() -> BTreeMap<u64, Value> {
    sample_bytes("contacts.jsonl")
        .split(|&b| b == b'\n')
        .enumerate()
        .filter_map(|(i, line)| {
            let text = std::str::from_utf8(line).ok()?;
            let v: Value = serde_json::from_str(text).ok()?;
            Some((i as u64 + 1, v))
        })
        .collect()
}

fn jsonl_expected(records: &BTreeMap<u64, Value>, kept: &[u64]) -> Vec<Value> {
    kept.iter()
        .map(|&n| {
            let patch = match n {
                2 => json!({"mobile": "+19075550183", "phone": "+19079212010"}),
                3 => json!({"mobile": "+447400123456"}), // "phone": "" stays ""
                4 => json!({"mobile": "+447911123456", "phone": "+442079460018"}),
                5 => json!({"mobile": "+4915123456789", "phone": "+492211234567"}),
                7 => json!({"mobile": "+16313353414"}), // "phone": null stays null
                8 => json!({"mobile": "+819012345678", "phone": "+81312345678"}),
                11 => json!({"mobile": "+447400123456"}),
                13 => json!({"mobile": "+34655123456", "phone": "+34934123456"}),
                17 => json!({"mobile": "+491605551234", "phone": "+498912345678"}),
                18 => json!({"mobile": "+33781234567"}),
                20 => json!({"mobile": "+61412345678", "phone": "+61293744000"}),
                22 => json!({"mobile": "+19075550199", "phone": "+19079212010"}),
                _ => panic!("line {n} of contacts.jsonl is never clean"),
            };
            patched(&records[&n], &patch)
        })
        .collect()
}

const JSONL_REJECTED: [(u64, &str); 8] = [
    (1, "phone_invalid"),     // +1 (555) 555-1212
    (9, "json_invalid"),      // truncated line
    (10, "phone_missing"),    // mobile and phone empty
    (12, "encoding_invalid"), // a Latin-1 byte in a UTF-8 file
    (14, "phone_extension"),  // (931) 313-9635 ext 12
    (15, "email_invalid"),    // gladys.rim@example
    (16, "phone_no_region"),  // 080-2345-6789, country null
    (21, "phone_invalid"),    // +1 555 0100
];

fn run_jsonl(args: &[&str]) -> (Dir, Ran) {
    let dir = Dir::new();
    let (out, err, dup) = (
        dir.path("clean.jsonl"),
        dir.path("errors.jsonl"),
        dir.path("dups.jsonl"),
    );
    let input = sample("contacts.jsonl");
    let mut all = vec![
        input.as_str(),
        "-o",
        &out,
        "--errors",
        &err,
        "--duplicates",
        &dup,
        "--json",
    ];
    all.extend_from_slice(args);
    let ran = clean(&all);
    (dir, ran)
}

#[test]
fn contacts_jsonl_zoho_style() {
    let (dir, ran) = run_jsonl(&[]);
    let mut c = Checks::default();
    c.eq("exit code", ran.code, 1);
    let duplicates = [(11, 3), (19, 5)];
    check_summary(
        &mut c,
        &ran.summary(),
        "jsonl",
        "UTF-8",
        None,
        21, // 22 lines, one blank
        11,
        &JSONL_REJECTED,
        2,
    );
    let records = jsonl_records();
    c.eq(
        "clean records",
        read_json_lines(&dir.read("clean.jsonl")),
        jsonl_expected(&records, &[2, 3, 4, 5, 7, 8, 13, 17, 18, 20, 22]),
    );
    let errors = read_json_lines(&dir.read("errors.jsonl"));
    check_json_reports(
        &mut c,
        &records,
        &errors,
        &read_json_lines(&dir.read("dups.jsonl")),
        &JSONL_REJECTED,
        &duplicates,
    );
    // A line that could not be read must still be in the report, so that it can be fixed and
    // fed back in: its text has to be there.
    for (n, id) in [(9, "4876876000000224009"), (12, "4876876000000224012")] {
        let entry = errors.iter().find(|e| loose_u64(&e["_row"]) == n);
        let text = entry.map(Value::to_string).unwrap_or_default();
        c.check(
            &format!("error report row {n} keeps the unreadable line's text (id {id}), got {text}"),
            text.contains(id),
        );
    }
    c.done(&ran);
}

#[test]
fn dedupe_by_email() {
    let (dir, ran) = run_jsonl(&["--dedupe-by", "email"]);
    let mut c = Checks::default();
    c.eq("exit code", ran.code, 1);
    // Sage Wieser: same address; Capla Paprocki: same address in other case, new number.
    // Simon Morasca (same number, another address) is no longer a duplicate.
    let duplicates = [(19, 5), (22, 2)];
    check_summary(
        &mut c,
        &ran.summary(),
        "jsonl",
        "UTF-8",
        None,
        21,
        11,
        &JSONL_REJECTED,
        2,
    );
    let records = jsonl_records();
    c.eq(
        "clean records",
        read_json_lines(&dir.read("clean.jsonl")),
        jsonl_expected(&records, &[2, 3, 4, 5, 7, 8, 11, 13, 17, 18, 20]),
    );
    check_json_reports(
        &mut c,
        &records,
        &read_json_lines(&dir.read("errors.jsonl")),
        &read_json_lines(&dir.read("dups.jsonl")),
        &JSONL_REJECTED,
        &duplicates,
    );
    c.done(&ran);

    // Both keys: only Sage Wieser has the same mobile and the same e-mail.
    let (dir, ran) = run_jsonl(&["--dedupe-by", "mobile,email"]);
    let mut c = Checks::default();
    c.eq("exit code (mobile,email)", ran.code, 1);
    let got: Vec<(u64, u64)> = read_json_lines(&dir.read("dups.jsonl"))
        .iter()
        .map(|d| (loose_u64(&d["_row"]), loose_u64(&d["_duplicate_of"])))
        .collect();
    c.eq("duplicates by mobile,email", got, vec![(19, 5)]);
    c.eq(
        "clean records (mobile,email)",
        read_json_lines(&dir.read("clean.jsonl")),
        jsonl_expected(&records, &[2, 3, 4, 5, 7, 8, 11, 13, 17, 18, 20, 22]),
    );
    c.done(&ran);
}

// ---------------------------------------------------------------------------------------------
// Dedupe policies, reports fed back, stdin, idempotence

#[test]
fn keep_last() {
    check_csv_case(&CsvCase {
        file: "google_contacts.csv",
        delimiter: b',',
        ext: "csv",
        args: &["--keep", "last"],
        encoding: "UTF-8",
        rows_read: 24,
        // The last of each set is kept, in its own place.
        kept: [3, 5, 8, 9, 11, 14, 16, 17, 19, 20, 21, 23, 24]
            .iter()
            .map(|&n| (n, google_phones(n)))
            .collect(),
        rejected: &GOOGLE_REJECTED,
        duplicates: &[(1, 5), (2, 11), (4, 16), (6, 23)],
        phone_columns: &GOOGLE_PHONES,
    });
}

#[test]
fn keep_merge() {
    let mut kept: Vec<(u64, Vec<(&str, &str)>)> = GOOGLE_KEPT_FIRST
        .iter()
        .map(|&n| (n, google_phones(n)))
        .collect();
    // Alice Johnson (row 1) takes the note of row 5; Bob Smith (row 2) takes the e-mail,
    // street and organization of row 11. Fields the first row has are not overwritten.
    kept[0]
        .1
        .push(("Notes", "Personal number, same phone as work profile"));
    kept[1].1.extend([
        ("E-mail 1 - Type", "* Work"),
        ("E-mail 1 - Value", "bob.smith@work.example.com"),
        ("Address 1 - Street", "1600 Amphitheatre Pkwy"),
        ("Organization 1 - Name", "Example Inc."),
        ("Organization 1 - Title", "Product Manager"),
    ]);
    check_csv_case(&CsvCase {
        file: "google_contacts.csv",
        delimiter: b',',
        ext: "csv",
        args: &["--keep", "merge"],
        encoding: "UTF-8",
        rows_read: 24,
        kept,
        rejected: &GOOGLE_REJECTED,
        duplicates: &GOOGLE_DUPLICATES,
        phone_columns: &GOOGLE_PHONES,
    });
}

#[test]
fn error_report_fed_back_in() {
    let dir = Dir::new();
    let errors = dir.path("errors.csv");
    let ran = clean(&[
        &sample("google_contacts.csv"),
        "-o",
        &dir.path("clean.csv"),
        "--errors",
        &errors,
        "--quiet",
    ]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);

    // Fixed by giving the region: Jack Wilson's national number is now read as British.
    let (out, errors2) = (dir.path("clean2.csv"), dir.path("errors2.csv"));
    let ran = clean(&[
        &errors,
        "-o",
        &out,
        "--errors",
        &errors2,
        "--default-region",
        "GB",
        "--json",
    ]);
    let mut c = Checks::default();
    c.eq("exit code", ran.code, 1);
    let rejected = [
        (1, "phone_invalid"),
        (3, "phone_missing"),
        (4, "email_invalid"),
        (5, "phone_extension"),
        (6, "phone_invalid"),
        (7, "phone_invalid"),
    ];
    check_summary(
        &mut c,
        &ran.summary(),
        "csv",
        "UTF-8",
        Some(","),
        7,
        1,
        &rejected,
        0,
    );
    let input = Table::parse(&sample_text("google_contacts.csv"), b',');
    // The report columns are ignored and dropped: the clean file has the original header.
    let clean = Table::parse_output(&dir.read("clean2.csv"), b',');
    c.eq("clean header", &clean.header, &input.header);
    c.eq(
        "clean rows",
        clean.rows.clone(),
        vec![input.row_with(10, &google_phones(10))],
    );
    // Rows rejected again carry the new report columns once, numbered in the report they came from.
    let again = Table::parse_output(&dir.read("errors2.csv"), b',');
    c.eq(
        "error report header",
        again.header.clone(),
        with_report_columns(&input.header, &ERROR_COLUMNS),
    );
    c.eq(
        "error report (_row, _code)",
        again.report_pairs("_code"),
        rejected
            .iter()
            .map(|(n, code)| (*n, code.to_string()))
            .collect::<Vec<_>>(),
    );
    let originals: Vec<Vec<String>> = again
        .rows
        .iter()
        .map(|r| again.without_report_columns(r))
        .collect();
    c.eq(
        "error report rows as first read",
        originals,
        [7, 12, 13, 15, 18, 22]
            .iter()
            .map(|&n| input.row(n).clone())
            .collect::<Vec<_>>(),
    );
    c.done(&ran);
}

#[test]
fn stdin_input() {
    // CSV from stdin to stdout.
    let ran = clean_with(&["-", "--quiet"], Some(sample_bytes("google_contacts.csv")));
    let mut c = Checks::default();
    c.eq("exit code (google on stdin)", ran.code, 1);
    let input = Table::parse(&sample_text("google_contacts.csv"), b',');
    let out = Table::parse_output(&ran.stdout, b',');
    c.eq("clean header (stdout)", &out.header, &input.header);
    c.eq(
        "clean rows (stdout)",
        out.rows.clone(),
        GOOGLE_KEPT_FIRST
            .iter()
            .map(|&n| input.row_with(n, &google_phones(n)))
            .collect::<Vec<_>>(),
    );
    c.done(&ran);

    // Windows-1252 with semicolons from stdin: encoding and delimiter are still detected.
    let dir = Dir::new();
    let ran = clean_with(
        &[
            "-",
            "-o",
            &dir.path("clean.csv"),
            "--map",
            "phone=Telefon",
            "--region-column",
            "Land",
            "--json",
        ],
        Some(sample_bytes("crm_semicolon_cp1252.csv")),
    );
    let mut c = Checks::default();
    c.eq("exit code (CRM on stdin)", ran.code, 1);
    let s = ran.summary();
    c.eq("summary.input", s["input"].as_str(), Some("-"));
    check_summary(
        &mut c,
        &s,
        "csv",
        "windows-1252",
        Some(";"),
        20,
        11,
        &CRM_REJECTED,
        3,
    );
    let input = Table::parse(&sample_text("crm_semicolon_cp1252.csv"), b';');
    let out = Table::parse_output(&dir.read("clean.csv"), b';');
    c.eq(
        "clean rows (CRM on stdin)",
        out.rows.clone(),
        crm_kept(&CRM_KEPT)
            .iter()
            .map(|(n, cells)| input.row_with(*n, cells))
            .collect::<Vec<_>>(),
    );
    c.done(&ran);

    // JSON Lines from stdin: the format is sniffed.
    let dir = Dir::new();
    let ran = clean_with(
        &["-", "-o", &dir.path("clean.jsonl"), "--json"],
        Some(sample_bytes("contacts.jsonl")),
    );
    let mut c = Checks::default();
    c.eq("exit code (JSONL on stdin)", ran.code, 1);
    check_summary(
        &mut c,
        &ran.summary(),
        "jsonl",
        "UTF-8",
        None,
        21,
        11,
        &JSONL_REJECTED,
        2,
    );
    c.eq(
        "clean records (JSONL on stdin)",
        read_json_lines(&dir.read("clean.jsonl")),
        jsonl_expected(&jsonl_records(), &[2, 3, 4, 5, 7, 8, 13, 17, 18, 20, 22]),
    );
    c.done(&ran);
}

/// Cleaning a clean output again changes nothing, rejects nothing and finds no duplicates.
#[test]
fn clean_output_cleans_to_itself() {
    let cases: [(&str, &str, &[&str]); 6] = [
        ("google_contacts.csv", "csv", &[]),
        ("outlook_contacts.csv", "csv", &["--default-region", "US"]),
        (
            "crm_semicolon_cp1252.csv",
            "csv",
            &["--map", "phone=Telefon", "--region-column", "Land"],
        ),
        ("excel_unicode.txt", "txt", &[]),
        ("contacts.json", "json", &[]),
        ("contacts.jsonl", "jsonl", &[]),
    ];
    let mut failures = Vec::new();
    for (file, ext, extra) in cases {
        let dir = Dir::new();
        let (first, second) = (
            dir.path(&format!("first.{ext}")),
            dir.path(&format!("second.{ext}")),
        );
        let input = sample(file);
        let mut args = vec![input.as_str(), "-o", &first, "--quiet"];
        args.extend_from_slice(extra);
        let ran = clean(&args);
        if ran.code != 1 {
            failures.push(format!(
                "{file}: first run exited {}: {}",
                ran.code, ran.stderr
            ));
            continue;
        }
        let mut args = vec![first.as_str(), "-o", &second, "--json"];
        args.extend_from_slice(extra);
        let ran = clean(&args);
        if ran.code != 0 {
            failures.push(format!(
                "{file}: second run exited {}: {}",
                ran.code, ran.stderr
            ));
            continue;
        }
        let s = ran.summary();
        if s["rejected"] != 0 || s["duplicates"] != 0 || s["clean"] != s["rows_read"] {
            failures.push(format!("{file}: second run summary {s}"));
        }
        let (a, b) = (
            dir.read(&format!("first.{ext}")),
            dir.read(&format!("second.{ext}")),
        );
        if a != b {
            failures.push(format!(
                "{file}: the clean output changed when cleaned again:\n{}\n---\n{}",
                String::from_utf8_lossy(&a),
                String::from_utf8_lossy(&b)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn usage_errors_exit_2() {
    // --json prints on stdout, where the clean rows go without -o.
    let ran = clean(&[&sample("google_contacts.csv"), "--json"]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    // No clean rows: the answer is the refusal.
    let answer = ran.summary();
    assert_eq!(answer["exit_code"], 2, "{answer}");
    assert!(answer["error"]["message"].is_string(), "{answer}");
    // --map naming a column the file does not have.
    let ran = clean(&[
        &sample("crm_semicolon_cp1252.csv"),
        "--map",
        "phone=Telephone",
        "--quiet",
    ]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("Telefon"), "{}", ran.stderr);
}
