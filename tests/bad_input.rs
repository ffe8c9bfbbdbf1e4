//! Bad input end to end: every kind of broken file either becomes rejected rows with a reason
//! (and the run goes on), or one clear error message with the right exit code. Never a panic.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn bulkline() -> Command {
    Command::cargo_bin("bulkline").expect("the bulkline binary is built")
}

/// A scratch directory holding one input file.
struct Case {
    dir: TempDir,
    input: PathBuf,
}

impl Case {
    fn new(name: &str, bytes: &[u8]) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join(name);
        fs::write(&input, bytes).unwrap();
        Case { dir, input }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn input(&self) -> &str {
        self.input.to_str().unwrap()
    }

    /// `bulkline clean INPUT -o OUT --errors ERRORS --json` plus `extra`.
    fn clean(&self, out: &str, errors: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
        let out = self.path(out);
        let errors = self.path(errors);
        bulkline()
            .arg("clean")
            .arg(self.input())
            .arg("-o")
            .arg(&out)
            .arg("--errors")
            .arg(&errors)
            .arg("--json")
            .args(extra)
            .assert()
    }

    /// Names of the files in the scratch directory, sorted.
    fn files(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

/// The `--json` summary printed on stdout.
fn summary(assert: &assert_cmd::assert::Assert) -> Value {
    let out = &assert.get_output().stdout;
    serde_json::from_slice(out).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON summary ({e}): {:?}\nstderr: {}",
            String::from_utf8_lossy(out),
            String::from_utf8_lossy(&assert.get_output().stderr)
        )
    })
}

/// A CSV file as (header, rows as column -> value).
fn read_csv(path: &Path, delimiter: u8) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_path(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let rows = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

/// A JSON Lines file as objects.
fn read_jsonl(path: &Path) -> Vec<Value> {
    fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSONL line {l:?}: {e}")))
        .collect()
}

/// The (row, code) pairs of a CSV error report, in file order.
fn csv_error_codes(path: &Path) -> Vec<(String, String)> {
    read_csv(path, b',')
        .1
        .iter()
        .map(|r| (r["_row"].clone(), r["_code"].clone()))
        .collect()
}

/// Checks that a run ended with one clear, fatal error: the `bulkline: error:` line, every one
/// of `needles` (case-insensitive), no panic, and no data on stdout: nothing, or with `--json`
/// the one object that answers with the same error.
fn assert_clear_error(assert: assert_cmd::assert::Assert, code: i32, needles: &[&str]) {
    let assert = assert.code(code);
    let out = assert.get_output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("bulkline: error: "),
        "stderr should start with 'bulkline: error: ', got:\n{stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "the tool panicked:\n{stderr}"
    );
    let lower = stderr.to_lowercase();
    for n in needles {
        assert!(
            lower.contains(&n.to_lowercase()),
            "stderr should mention {n:?}, got:\n{stderr}"
        );
    }
    if out.stdout.is_empty() {
        return;
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let answer: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!("stdout holds no data, only a --json answer; got ({e}): {stdout:?}")
    });
    assert_eq!(answer["exit_code"], code, "{stdout}");
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(
        !message.is_empty() && stderr.starts_with(&format!("bulkline: error: {message}")),
        "the answer's error is the one on stderr: {stdout}\n{stderr}"
    );
}

/// A little deterministic pseudo-random byte generator (xorshift).
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for u in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Files that cannot be read at all: exit 3, one clear message
// ---------------------------------------------------------------------------------------------

#[test]
fn empty_file_is_a_clear_fatal_error() {
    let case = Case::new("empty.csv", b"");
    let a = case.clean("out.csv", "errors.csv", &[]);
    assert_clear_error(a, 3, &["empty.csv", "empty"]);
    assert!(!case.path("out.csv").exists());
}

#[test]
fn binary_garbage_is_a_clear_fatal_error() {
    // A PNG signature and IHDR chunk, then a few KB of noise holding NUL bytes.
    let mut bytes =
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"
            .to_vec();
    bytes.extend(noise(4096, 0x9E37_79B9_7F4A_7C15));
    bytes.extend_from_slice(&[0u8; 64]);
    for name in ["contacts.csv", "contacts.json", "contacts.png"] {
        let case = Case::new(name, &bytes);
        let a = case.clean("out.csv", "errors.csv", &[]);
        assert_clear_error(a, 3, &[name, "binary"]);
        assert!(!case.path("out.csv").exists(), "{name}: no output file");
    }
}

#[test]
fn nonexistent_input_is_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-file.csv");
    let a = bulkline()
        .arg("clean")
        .arg(&missing)
        .arg("-o")
        .arg(dir.path().join("out.csv"))
        .assert();
    assert_clear_error(a, 3, &["no-such-file.csv", "no such file"]);
    assert!(!dir.path().join("out.csv").exists());
}

#[test]
fn directory_input_is_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("contacts.csv");
    fs::create_dir(&sub).unwrap();
    let a = bulkline()
        .arg("clean")
        .arg(&sub)
        .arg("-o")
        .arg(dir.path().join("out.csv"))
        .assert();
    assert_clear_error(a, 3, &["contacts.csv", "directory"]);
    assert!(!dir.path().join("out.csv").exists());
}

#[test]
fn json_top_level_object_is_a_clear_fatal_error() {
    let case = Case::new(
        "contacts.json",
        br#"{"name": "Ann", "phone": "+14155552671"}"#,
    );
    let a = case.clean("out.csv", "errors.csv", &[]);
    assert_clear_error(a, 3, &["contacts.json", "expected a JSON array"]);
    assert!(!case.path("out.csv").exists());
}

#[test]
fn json_bare_string_is_a_clear_fatal_error() {
    let case = Case::new("contacts.json", br#""just a string""#);
    let a = case.clean("out.csv", "errors.csv", &[]);
    assert_clear_error(a, 3, &["contacts.json", "expected a JSON array"]);
    assert!(!case.path("out.csv").exists());
}

#[test]
fn truncated_json_is_a_clear_fatal_error() {
    let case = Case::new(
        "contacts.json",
        br#"[{"name": "Ann", "phone": "+14155552671"}, {"name": "Bob", "pho"#,
    );
    let a = case.clean("out.csv", "errors.csv", &[]);
    assert_clear_error(a, 3, &["contacts.json", "ends too early"]);
    assert!(!case.path("out.csv").exists());
}

// ---------------------------------------------------------------------------------------------
// Files that can be read: bad rows are reported, the rest go on
// ---------------------------------------------------------------------------------------------

#[test]
fn header_only_is_an_empty_clean_run() {
    let case = Case::new("contacts.csv", b"name,phone\n");
    let a = case.clean("out.csv", "errors.csv", &[]).code(0);
    let s = summary(&a);
    assert_eq!(s["rows_read"], 0);
    assert_eq!(s["clean"], 0);
    assert_eq!(s["rejected"], 0);
    assert_eq!(s["exit_code"], 0);
    assert_eq!(
        fs::read_to_string(case.path("out.csv")).unwrap(),
        "name,phone\n"
    );
    let (header, rows) = read_csv(&case.path("errors.csv"), b',');
    assert_eq!(
        header,
        [
            "name", "phone", "_row", "_stage", "_field", "_code", "_message"
        ]
    );
    assert!(rows.is_empty());
}

#[test]
fn invalid_utf8_row_is_reported_and_its_neighbours_are_clean() {
    let case = Case::new(
        "contacts.csv",
        b"name,phone\nZo\xC3\xAB,+14155552671\nJos\xE9,+14155552672\nBob,+14155552673\n",
    );
    let a = case.clean("out.csv", "errors.csv", &[]).code(1);
    let s = summary(&a);
    assert_eq!(s["encoding"], "UTF-8");
    assert_eq!(s["rows_read"], 3);
    assert_eq!(s["clean"], 2);
    assert_eq!(s["rejected"], 1);
    assert_eq!(s["rejected_by_code"]["encoding_invalid"], 1);

    let (_, clean) = read_csv(&case.path("out.csv"), b',');
    let names: Vec<&str> = clean.iter().map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["Zoë", "Bob"]);

    let (_, errors) = read_csv(&case.path("errors.csv"), b',');
    assert_eq!(errors.len(), 1);
    let e = &errors[0];
    assert_eq!(e["_row"], "2");
    assert_eq!(e["_stage"], "read");
    assert_eq!(e["_code"], "encoding_invalid");
    assert_eq!(e["_field"], "name");
    assert_eq!(e["name"], "Jos\\xE9", "the bad byte is shown escaped");
    assert_eq!(e["phone"], "+14155552672");
    assert!(e["_message"].contains("\\xE9"), "{}", e["_message"]);
    // The error report itself is valid UTF-8 (it was read above as strings by the csv crate).
}

#[test]
fn ten_megabyte_field_is_processed_normally() {
    let big = "x".repeat(10 * 1024 * 1024);
    let mut text = String::from("name,phone,notes\n");
    text.push_str(&format!("Ann,+1 650 253 0000,{big}\n"));
    text.push_str("Bob,+1 650 253 0001,short\n");
    let case = Case::new("contacts.csv", text.as_bytes());
    let a = case.clean("out.csv", "errors.csv", &[]).code(0);
    let s = summary(&a);
    assert_eq!(s["rows_read"], 2);
    assert_eq!(s["clean"], 2);
    let (_, clean) = read_csv(&case.path("out.csv"), b',');
    assert_eq!(clean.len(), 2);
    assert_eq!(clean[0]["name"], "Ann");
    assert_eq!(clean[0]["phone"], "+16502530000", "the phone is normalized");
    assert_eq!(clean[0]["notes"].len(), big.len());
    assert!(clean[0]["notes"] == big);
    assert_eq!(clean[1]["phone"], "+16502530001");
}

#[test]
fn ragged_rows_are_reported_and_the_others_are_clean() {
    let case = Case::new(
        "contacts.csv",
        b"name,phone,email\n\
          Ann,+14155552671,ann@example.com\n\
          Bob,+14155552672\n\
          Cid,+14155552673,cid@example.com,surplus\n\
          Dee,+14155552674,dee@example.com\n",
    );
    let a = case.clean("out.csv", "errors.csv", &[]).code(1);
    let s = summary(&a);
    assert_eq!(s["rows_read"], 4);
    assert_eq!(s["clean"], 2);
    assert_eq!(s["rejected_by_code"]["row_ragged"], 2);

    let (_, clean) = read_csv(&case.path("out.csv"), b',');
    let names: Vec<&str> = clean.iter().map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["Ann", "Dee"]);

    assert_eq!(
        csv_error_codes(&case.path("errors.csv")),
        [
            ("2".to_string(), "row_ragged".to_string()),
            ("3".to_string(), "row_ragged".to_string())
        ]
    );
    let (_, errors) = read_csv(&case.path("errors.csv"), b',');
    assert!(
        errors[0]["_message"].contains("2 fields"),
        "{}",
        errors[0]["_message"]
    );
    assert!(
        errors[1]["_message"].contains("surplus"),
        "{}",
        errors[1]["_message"]
    );
}

#[test]
fn phone_longer_than_e164_allows_is_rejected() {
    // libphonenumber calls this German number valid, but it has 16 digits: it has no E.164
    // form (at most 15 digits), so the row is rejected rather than written out.
    let case = Case::new(
        "contacts.csv",
        b"name,phone\nAnn,+49 20100000000000\nBob,+14155552671\nCid,+4920100000000000\n",
    );
    let a = case.clean("out.csv", "errors.csv", &[]).code(1);
    let s = summary(&a);
    assert_eq!(s["clean"], 1);
    assert_eq!(s["rejected_by_code"]["phone_invalid"], 2);
    let (_, clean) = read_csv(&case.path("out.csv"), b',');
    let phones: Vec<&str> = clean.iter().map(|r| r["phone"].as_str()).collect();
    assert_eq!(phones, ["+14155552671"]);
    assert_eq!(
        csv_error_codes(&case.path("errors.csv")),
        [
            ("1".to_string(), "phone_invalid".to_string()),
            ("3".to_string(), "phone_invalid".to_string())
        ]
    );
}

#[test]
fn json_array_non_object_elements_are_rejected_rows() {
    let case = Case::new(
        "contacts.json",
        br#"[{"name": "Ann", "phone": "+14155552671"}, 42, "Bob +14155552672", [1, 2], {"name": "Dee", "phone": "+14155552674"}]"#,
    );
    let a = case.clean("out.jsonl", "errors.jsonl", &[]).code(1);
    let s = summary(&a);
    assert_eq!(s["format"], "json");
    assert_eq!(s["rows_read"], 5);
    assert_eq!(s["clean"], 2);
    assert_eq!(s["rejected_by_code"]["json_not_object"], 3);

    let clean = read_jsonl(&case.path("out.jsonl"));
    let names: Vec<&str> = clean.iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Ann", "Dee"]);

    let errors = read_jsonl(&case.path("errors.jsonl"));
    let got: Vec<(u64, &str)> = errors
        .iter()
        .map(|e| (e["_row"].as_u64().unwrap(), e["_code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            (2, "json_not_object"),
            (3, "json_not_object"),
            (4, "json_not_object")
        ]
    );
    // The rejected elements are kept (under `_raw`, as they are not objects), so that the
    // report shows what was wrong and can be fixed.
    let raws: Vec<&Value> = errors.iter().map(|e| &e["_raw"]).collect();
    assert_eq!(
        raws,
        [
            &serde_json::json!(42),
            &serde_json::json!("Bob +14155552672"),
            &serde_json::json!([1, 2])
        ],
        "the error report keeps the rejected elements: {errors:?}"
    );
}

#[test]
fn jsonl_broken_line_is_a_rejected_row() {
    let case = Case::new(
        "contacts.jsonl",
        b"{\"name\": \"Ann\", \"phone\": \"+14155552671\"}\n\
          {\"name\": \"Bob\", \"phone\": \n\
          {\"name\": \"Cid\", \"phone\": \"+14155552673\"}\n",
    );
    let a = case.clean("out.jsonl", "errors.jsonl", &[]).code(1);
    let s = summary(&a);
    assert_eq!(s["format"], "jsonl");
    assert_eq!(s["rows_read"], 3);
    assert_eq!(s["clean"], 2);
    assert_eq!(s["rejected_by_code"]["json_invalid"], 1);

    let clean = read_jsonl(&case.path("out.jsonl"));
    let names: Vec<&str> = clean.iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Ann", "Cid"]);

    let errors = read_jsonl(&case.path("errors.jsonl"));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["_row"], 2);
    assert_eq!(errors[0]["_code"], "json_invalid");
    assert_eq!(errors[0]["_stage"], "read");
    assert!(
        errors[0]["_raw"]
            .as_str()
            .is_some_and(|raw| raw.contains("\"Bob\"")),
        "the broken line is kept: {}",
        errors[0]
    );
}

// ---------------------------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------------------------

#[test]
fn windows_1252_is_detected_and_decoded() {
    // é = 0xE9, € = 0x80 (the byte where Windows-1252 and Latin-1 differ); no UTF-8 anywhere.
    let case = Case::new(
        "contacts.csv",
        b"name,phone,notes\nJos\xE9,+14155552671,costs \x805\nRen\xE9e,+14155552672,caf\xE9\n",
    );
    let a = case.clean("out.csv", "errors.csv", &[]).code(0);
    let s = summary(&a);
    assert_eq!(s["encoding"], "windows-1252");
    assert_eq!(s["clean"], 2);
    let text = String::from_utf8(fs::read(case.path("out.csv")).unwrap())
        .expect("the clean output is UTF-8");
    assert_eq!(
        text,
        "name,phone,notes\nJosé,+14155552671,costs €5\nRenée,+14155552672,café\n"
    );
}

fn check_unicode_input(name: &str, bytes: &[u8], encoding: &str) {
    let case = Case::new(name, bytes);
    let a = case.clean("out.csv", "errors.csv", &[]).code(0);
    let s = summary(&a);
    assert_eq!(s["encoding"], encoding);
    assert_eq!(s["delimiter"], ",");
    assert_eq!(s["rows_read"], 2);
    assert_eq!(s["clean"], 2);
    // The first header is "name", not "\u{feff}name": it is recognised as the name column.
    let mapping = s["mapping"].as_array().unwrap();
    assert!(
        mapping.iter().any(|m| m["column"] == "name"),
        "the first column is 'name' without a BOM: {mapping:?}"
    );
    let out = fs::read(case.path("out.csv")).unwrap();
    assert_eq!(
        String::from_utf8(out).expect("the clean output is UTF-8"),
        "name,phone\nZoë,+14155552671\nJosé,+14155552672\n",
        "the output is UTF-8 without a BOM"
    );
}

const UNICODE_TEXT: &str = "name,phone\r\nZoë,+1 415 555 2671\r\nJosé,+1 415 555 2672\r\n";

#[test]
fn utf16le_with_bom_is_decoded() {
    check_unicode_input("contacts.csv", &utf16(UNICODE_TEXT, false), "UTF-16LE");
}

#[test]
fn utf16be_with_bom_is_decoded() {
    check_unicode_input("contacts.csv", &utf16(UNICODE_TEXT, true), "UTF-16BE");
}

#[test]
fn utf8_bom_is_not_part_of_the_first_header() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(UNICODE_TEXT.as_bytes());
    check_unicode_input("contacts.csv", &bytes, "UTF-8");
}

// ---------------------------------------------------------------------------------------------
// Delimiters
// ---------------------------------------------------------------------------------------------

fn check_delimiter(d: char) {
    // Names with commas for the other delimiters: the detector must not be fooled by them.
    let ann = if d == ',' { "\"Doe, Ann\"" } else { "Doe, Ann" };
    let text = format!(
        "name{d}phone{d}email\n{ann}{d}+1 415 555 2671{d}ann@example.com\nBob Roe{d}+1 415 555 2672{d}bob@example.com\n"
    );
    let case = Case::new("contacts.csv", text.as_bytes());
    let a = case.clean("out.csv", "errors.csv", &[]).code(0);
    let s = summary(&a);
    assert_eq!(s["delimiter"], d.to_string());
    assert_eq!(s["rows_read"], 2);
    assert_eq!(s["clean"], 2);
    // A `.csv` output keeps a `,` or `;` input's delimiter; tab and `|` become `,`.
    let out_delimiter = if d == '\t' || d == '|' { b',' } else { d as u8 };
    let (header, rows) = read_csv(&case.path("out.csv"), out_delimiter);
    assert_eq!(header, ["name", "phone", "email"]);
    assert_eq!(rows[0]["name"], "Doe, Ann");
    assert_eq!(rows[0]["phone"], "+14155552671");
    assert_eq!(rows[1]["email"], "bob@example.com");
}

#[test]
fn detects_comma() {
    check_delimiter(',');
}

#[test]
fn detects_semicolon() {
    check_delimiter(';');
}

#[test]
fn detects_tab() {
    check_delimiter('\t');
}

#[test]
fn detects_pipe() {
    check_delimiter('|');
}

// ---------------------------------------------------------------------------------------------
// Usage errors: exit 2
// ---------------------------------------------------------------------------------------------

const SIMPLE: &[u8] = b"name,phone\nAnn,+14155552671\n";

#[test]
fn unknown_default_region_is_a_usage_error() {
    let case = Case::new("contacts.csv", SIMPLE);
    let a = case.clean("out.csv", "errors.csv", &["--default-region", "Narnia"]);
    assert_clear_error(a, 2, &["--default-region", "Narnia"]);
    assert!(!case.path("out.csv").exists());
}

#[test]
fn non_geographic_calling_code_is_not_a_default_region() {
    // +800 is the international freephone code: it belongs to no region.
    let case = Case::new("contacts.csv", b"name,phone\nAnn,020 7183 8750\n");
    let a = case.clean("out.csv", "errors.csv", &["--default-region", "800"]);
    assert_clear_error(a, 2, &["--default-region", "800"]);
    assert!(!case.path("out.csv").exists());
}

#[test]
fn map_without_equals_is_a_usage_error() {
    let case = Case::new("contacts.csv", SIMPLE);
    let a = case.clean("out.csv", "errors.csv", &["--map", "mobile"]);
    assert_clear_error(a, 2, &["--map", "FIELD=HEADER"]);
    assert!(!case.path("out.csv").exists());
}

#[test]
fn map_to_unknown_field_is_a_usage_error() {
    let case = Case::new("contacts.csv", SIMPLE);
    let a = case.clean("out.csv", "errors.csv", &["--map", "telefax=phone"]);
    assert_clear_error(a, 2, &["--map", "unknown field", "telefax"]);
    assert!(!case.path("out.csv").exists());
}

#[test]
fn map_to_missing_column_is_a_usage_error() {
    let case = Case::new("contacts.csv", SIMPLE);
    let a = case.clean("out.csv", "errors.csv", &["--map", "mobile=Cell #"]);
    assert_clear_error(a, 2, &["Cell #", "name, phone"]);
    assert!(!case.path("out.csv").exists());
}

#[test]
fn unknown_encoding_is_a_usage_error() {
    let case = Case::new("contacts.csv", SIMPLE);
    let a = case.clean("out.csv", "errors.csv", &["--encoding", "klingon-8"]);
    assert_clear_error(a, 2, &["--encoding", "klingon-8"]);
    assert!(!case.path("out.csv").exists());
}

#[test]
fn json_summary_with_clean_rows_on_stdout_is_a_usage_error() {
    let case = Case::new("contacts.csv", SIMPLE);
    for out in [None, Some("-")] {
        let mut cmd = bulkline();
        cmd.arg("clean").arg(case.input()).arg("--json");
        if let Some(o) = out {
            cmd.arg("-o").arg(o);
        }
        assert_clear_error(cmd.assert(), 2, &["--json", "-o"]);
    }
}

// ---------------------------------------------------------------------------------------------
// Atomic outputs
// ---------------------------------------------------------------------------------------------

/// A JSON array of `n` good records that breaks off in the middle of the next one.
fn json_breaking_after(n: usize) -> Vec<u8> {
    let mut s = String::from("[");
    for i in 0..n {
        s.push_str(&format!(
            "{{\"name\": \"Person {i}\", \"phone\": \"+1 650 2{:02} {:04}\"}},\n",
            i / 10_000 % 100,
            i % 10_000
        ));
    }
    s.push_str("{\"name\": \"Last\", \"phone\": ");
    s.into_bytes()
}

#[test]
fn failed_run_leaves_no_output_file() {
    // Enough rows that whole batches are written before the input breaks.
    let case = Case::new("contacts.json", &json_breaking_after(20_000));
    let a = bulkline()
        .arg("clean")
        .arg(case.input())
        .arg("-o")
        .arg(case.path("out.csv"))
        .arg("--errors")
        .arg(case.path("errors.csv"))
        .arg("--duplicates")
        .arg(case.path("dups.csv"))
        .assert();
    assert_clear_error(a, 3, &["contacts.json", "ends too early"]);
    assert_eq!(
        case.files(),
        ["contacts.json"],
        "no output, report or temporary file is left behind"
    );
}

#[test]
fn failed_run_leaves_an_existing_output_untouched() {
    let case = Case::new("contacts.json", &json_breaking_after(20_000));
    fs::write(case.path("out.jsonl"), "previous run\n").unwrap();
    let a = bulkline()
        .arg("clean")
        .arg(case.input())
        .arg("-o")
        .arg(case.path("out.jsonl"))
        .assert();
    assert_clear_error(a, 3, &["contacts.json"]);
    assert_eq!(
        fs::read_to_string(case.path("out.jsonl")).unwrap(),
        "previous run\n"
    );
    assert_eq!(case.files(), ["contacts.json", "out.jsonl"]);
}

#[test]
fn the_good_prefix_of_the_breaking_json_is_valid() {
    // Guard for the two tests above: the same records, closed properly, make a clean run (so
    // the failure there comes from the break alone).
    let mut bytes = json_breaking_after(20_000);
    let cut = bytes.len() - "{\"name\": \"Last\", \"phone\": ".len() - 2;
    bytes.truncate(cut);
    bytes.extend_from_slice(b"]");
    let case = Case::new("contacts.json", &bytes);
    let a = case.clean("out.csv", "errors.csv", &[]).code(0);
    let s = summary(&a);
    assert_eq!(s["rows_read"], 20_000);
    assert_eq!(s["clean"], 20_000);
    assert!(predicate::path::exists().eval(&case.path("out.csv")));
}

// ---------------------------------------------------------------------------------------------
// Outputs that would destroy data
// ---------------------------------------------------------------------------------------------

/// Two outputs that are one file, or an output that is the input (also through a link), are
/// refused before anything is written: nothing is lost.
#[test]
fn outputs_that_are_one_file_or_the_input_are_refused() {
    let c = Case::new("in.csv", b"name,mobile\nAnn,+447400100001\nBob,12\n");
    let out = c.path("o.csv");
    let out = out.to_str().unwrap();
    let a = bulkline()
        .args(["clean", c.input(), "-o", out, "--errors", out])
        .assert();
    assert_clear_error(a, 2, &["same file"]);
    assert!(!Path::new(out).exists(), "a refused run wrote its output");

    let link = c.path("link.csv");
    std::os::unix::fs::symlink(&c.input, &link).unwrap();
    let before = fs::read(&c.input).unwrap();
    let a = bulkline()
        .args(["clean", c.input(), "-o", link.to_str().unwrap()])
        .assert();
    assert_clear_error(a, 2, &["input file"]);
    assert_eq!(fs::read(&c.input).unwrap(), before);

    let a = bulkline()
        .args(["clean", c.input(), "-o", c.dir.path().to_str().unwrap()])
        .assert();
    assert_clear_error(a, 2, &["directory"]);
}

// ---------------------------------------------------------------------------------------------
// NUL bytes: the same in the first row and the 900,000th
// ---------------------------------------------------------------------------------------------

/// A CSV of `rows` data rows, with a NUL in the name of data row `nul_row` (from 1).
fn csv_with_nul_at(rows: usize, nul_row: usize) -> Vec<u8> {
    let mut out = b"name,phone\n".to_vec();
    for i in 1..=rows {
        let nul = if i == nul_row { "\0" } else { "" };
        out.extend_from_slice(format!("P{nul}{i},+1 650 253 {:04}\n", i % 10_000).as_bytes());
    }
    out
}

#[test]
fn a_nul_early_or_late_rejects_its_row_and_the_rest_is_read() {
    for (name, bytes, nul_row) in [
        ("early.csv", csv_with_nul_at(1_000, 1), 1),
        ("late.csv", csv_with_nul_at(900_000, 900_000), 900_000),
        ("middle.csv", csv_with_nul_at(5, 3), 3),
    ] {
        let case = Case::new(name, &bytes);
        let a = case
            .clean("out.csv", "errors.csv", &["--dedupe-by", "none"])
            .code(1);
        let s = summary(&a);
        let rows = s["rows_read"].as_u64().unwrap();
        assert_eq!(s["rejected"], 1, "{name}: {s}");
        assert_eq!(s["clean"].as_u64().unwrap(), rows - 1, "{name}");
        let (_, errors) = read_csv(&case.path("errors.csv"), b',');
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0]["_row"], nul_row.to_string(), "{name}");
        assert_eq!(errors[0]["_code"], "cell_invalid");
        assert_eq!(errors[0]["_field"], "name");
        assert_eq!(errors[0]["name"], format!("P\\x00{nul_row}"));
        let out = fs::read(case.path("out.csv")).unwrap();
        assert!(!out.contains(&0), "{name}: no NUL is passed on");
    }
}

#[test]
fn a_nul_in_json_lines_early_or_late_rejects_its_record() {
    let mut text = String::new();
    for i in 1..=20_000 {
        let name = if i == 1 || i == 19_999 {
            format!("N\0{i}")
        } else {
            format!("N{i}")
        };
        text.push_str(&format!(
            "{{\"name\":\"{name}\",\"phone\":\"+1 650 253 {:04}\"}}\n",
            i % 10_000
        ));
    }
    let case = Case::new("people.jsonl", text.as_bytes());
    let a = case
        .clean("out.jsonl", "errors.jsonl", &["--dedupe-by", "none"])
        .code(1);
    let s = summary(&a);
    assert_eq!(s["rows_read"], 20_000);
    assert_eq!(s["rejected"], 2);
    let errors = read_jsonl(&case.path("errors.jsonl"));
    let got: Vec<(String, String)> = errors
        .iter()
        .map(|e| {
            (
                e["_row"].to_string(),
                e["_code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("1".to_string(), "cell_invalid".to_string()),
            ("19999".to_string(), "cell_invalid".to_string())
        ]
    );
    assert!(!fs::read(case.path("out.jsonl")).unwrap().contains(&0));
}

#[test]
fn binary_without_a_signature_is_still_refused_and_utf16_still_reads() {
    // Mostly control bytes and NULs, as in a database or an executable's data.
    let mut bytes = Vec::new();
    for i in 0..4096u32 {
        bytes.extend_from_slice(&i.to_le_bytes());
    }
    let case = Case::new("contacts.csv", &bytes);
    assert_clear_error(case.clean("out.csv", "errors.csv", &[]), 3, &["binary"]);
    // UTF-16 without a BOM is mostly NULs, and is text.
    let le: Vec<u8> = "name,phone\nAnn,+1 650 253 0000\n"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let case = Case::new("utf16.csv", &le);
    let a = case.clean("out.csv", "errors.csv", &[]).code(0);
    assert_eq!(summary(&a)["clean"], 1);
}
