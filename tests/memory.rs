//! Streaming: cleaning a 1,000,000-row file keeps peak memory (RSS) under 300 MB, because
//! only the dedupe keys grow with the file. The same run checks the output, byte for byte,
//! against what bulkline wrote before its speed work (the fast phone path, shared row
//! blocks): a checksum per file, kept here. And an import holds the records it lists
//! compactly: planning against 200,000 of them stays small.

mod common;

use std::ffi::OsStr;
use std::fs::File;
use std::path::Path;

use std::hash::Hasher;

use siphasher::sip128::{Hasher128, SipHasher13};

/// A 128-bit checksum of a file's bytes, in hex.
fn checksum(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let mut h = SipHasher13::new_with_keys(1, 2);
    h.write(&bytes);
    format!("{:032x} ({} bytes)", h.finish128().as_u128(), bytes.len())
}

/// The checksums of the clean file, the error report and the duplicates report of the
/// generated file (seed 42), as bulkline 0.1.0 wrote them before the speed work of
/// December 2026 (sha256 4c2c4cfd.., 508c8f64.., dedb3134..).
const CLEAN: &str = "53e5dffca0e234937a9296f812f544cf (71793367 bytes)";
const ERRORS: &str = "48ea3e0d0716cc1c543a9b99730f3193 (9757665 bytes)";
const DUPLICATES: &str = "ad016b7a6c4d6b2a3792dcbd0cf1d9d0 (6144785 bytes)";

/// `bulkline clean INPUT -o DIR/clean.csv --duplicates DIR/duplicates.csv --json` and `args`:
/// its summary, and its own peak RSS in bytes (measured by wait4 for this child alone).
fn clean_measured(input: &Path, dir: &Path, args: &[&OsStr]) -> (serde_json::Value, u64) {
    let mut cmd = std::process::Command::new(common::BIN);
    cmd.arg("clean")
        .arg(input)
        .arg("-o")
        .arg(dir.join("clean.csv"))
        .arg("--duplicates")
        .arg(dir.join("duplicates.csv"))
        .arg("--json")
        .args(args);
    let (code, peak, stdout) = common::run_measured_output(cmd);
    assert_eq!(code, Some(1), "some generated rows are invalid ({args:?})");
    (serde_json::from_slice(&stdout).unwrap(), peak)
}

/// [`clean_measured`]'s summary.
fn clean(input: &Path, dir: &Path, args: &[&OsStr]) -> serde_json::Value {
    clean_measured(input, dir, args).0
}

#[test]
fn a_million_rows_clean_in_under_300_mb() {
    let dir = tempfile::tempdir().unwrap();
    let input = common::generated_input(dir.path());
    let errors = dir.path().join("errors.csv");
    let (summary, peak) = clean_measured(
        &input,
        dir.path(),
        &["--errors".as_ref(), errors.as_os_str()],
    );
    assert_eq!(summary["rows_read"], 1_000_000);
    let clean = summary["clean"].as_u64().unwrap();
    let rejected = summary["rejected"].as_u64().unwrap();
    let duplicates = summary["duplicates"].as_u64().unwrap();
    assert_eq!(clean + rejected + duplicates, 1_000_000, "no row is lost");

    let sums = [
        checksum(&dir.path().join("clean.csv")),
        checksum(&dir.path().join("errors.csv")),
        checksum(&dir.path().join("duplicates.csv")),
    ];
    assert_eq!(sums, [CLEAN, ERRORS, DUPLICATES], "the output changed");

    assert!(peak > 0);
    assert!(
        peak < 300 * 1024 * 1024,
        "peak RSS {} MB is not under 300 MB",
        peak / (1024 * 1024)
    );
}

/// `--keep last` and `--keep merge` hold clean rows in a spool until every key is seen: the
/// same file cleaned each way gives, byte for byte, what bulkline wrote before the spool
/// became binary (December 2026), and no row is lost.
#[test]
fn keep_last_and_merge_write_what_they_wrote_before() {
    let dir = tempfile::tempdir().unwrap();
    let input = common::generated_input(dir.path());
    for (keep, clean_sum, duplicates_sum) in [
        ("last", KEEP_LAST_CLEAN, KEEP_LAST_DUPLICATES),
        ("merge", KEEP_MERGE_CLEAN, KEEP_MERGE_DUPLICATES),
    ] {
        let summary = clean(&input, dir.path(), &["--keep".as_ref(), keep.as_ref()]);
        let count = |k: &str| summary[k].as_u64().unwrap();
        assert_eq!(
            count("clean") + count("rejected") + count("duplicates"),
            1_000_000,
            "--keep {keep}: no row is lost"
        );
        let sums = [
            checksum(&dir.path().join("clean.csv")),
            checksum(&dir.path().join("duplicates.csv")),
        ];
        assert_eq!(
            sums,
            [clean_sum, duplicates_sum],
            "--keep {keep}: the output changed"
        );
    }
}

/// The checksums of `--keep last` and `--keep merge` output of the same file, as bulkline wrote
/// them with its JSON spool (the `--keep first` error report is the same for all three).
const KEEP_LAST_CLEAN: &str = "b8287f7bf3ccb7ed0a329fe73474bd90 (71796434 bytes)";
const KEEP_LAST_DUPLICATES: &str = "f96db17e4fa282bb3c682c37ef394380 (6142231 bytes)";
const KEEP_MERGE_CLEAN: &str = "6f0684fe33e2a8559c881bfb6ea175a2 (71961488 bytes)";
/// The same duplicates as `--keep first`: the first row of a set is kept either way.
const KEEP_MERGE_DUPLICATES: &str = DUPLICATES;

/// A `bulkline sandbox` of its own process, holding `records` generated records in each API
/// (in another process than the test's, so that the child measured does not start from this
/// process's memory: a child's peak RSS counts its parent's at the moment it is spawned).
struct SandboxProcess {
    child: std::process::Child,
    url: String,
}

impl SandboxProcess {
    fn start(h: &common::Harness, records: u32) -> SandboxProcess {
        let log = h.path("sandbox.log");
        let child = h
            .command()
            .args(["sandbox", "--port", "0", "--records", &records.to_string()])
            .stdout(File::create(&log).unwrap())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut sandbox = SandboxProcess {
            child,
            url: String::new(),
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while std::time::Instant::now() < deadline {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(url) = text
                .lines()
                .find_map(|l| l.strip_prefix("export BULKLINE_BASE_URL="))
            {
                sandbox.url = url.to_string();
                return sandbox;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the sandbox did not start");
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An import's dry run against a Zoho Voice account of 200,000 contacts lists them all and
/// holds them while it plans: packed, they take a few hundred bytes each (as maps of strings
/// with an index keyed by strings they took 1.3 KB, 260 MB here).
#[test]
fn planning_against_200_000_listed_records_stays_under_160_mb() {
    let h = common::Harness::new(common::config());
    let sandbox = SandboxProcess::start(&h, 200_000);
    let input = h.write_csv("in.csv", &common::rows(0..2_000));
    let mut cmd = h.api_command();
    cmd.arg("import")
        .arg(&input)
        .args(["--to", "zoho-voice", "--dry-run", "--rate", "100000/s"])
        .args(["--base-url", &sandbox.url, "--accounts-url", &sandbox.url])
        .arg("--checkpoint")
        .arg(h.path("x.checkpoint"))
        .arg("--report")
        .arg(h.path("plan.csv"));
    cmd.stderr(std::process::Stdio::null());
    let (code, peak) = common::run_measured(cmd);
    assert_eq!(code, Some(0));
    let planned = common::read_table(&h.path("plan.csv"));
    assert_eq!(planned.len(), 2_000, "every row is planned");
    assert!(
        peak < 160 << 20,
        "planning against 200,000 listed records peaked at {} MB",
        peak >> 20
    );
}

/// `verify` of 100,000 rows against an account of 100,000 contacts lists them all, holds them
/// as planning does, and writes a line per row and record that does not match: within the
/// planning bound above.
#[test]
fn verify_of_100_000_rows_against_100_000_records_stays_under_160_mb() {
    let h = common::Harness::new(common::config());
    let sandbox = SandboxProcess::start(&h, 100_000);
    let input = h.write_csv("in.csv", &common::rows(0..100_000));
    let mut cmd = h.api_command();
    cmd.arg("verify")
        .arg(&input)
        .args(["--to", "zoho-voice", "--rate", "100000/s", "--json"])
        .args(["--base-url", &sandbox.url, "--accounts-url", &sandbox.url])
        .arg("--report")
        .arg(h.path("verify.csv"));
    cmd.stderr(std::process::Stdio::null());
    let (code, peak) = common::run_measured(cmd);
    assert_eq!(
        code,
        Some(1),
        "the generated records are not the file's rows"
    );
    let report = common::read_table(&h.path("verify.csv"));
    let rows = report.iter().filter(|l| !l["_row"].is_empty()).count();
    let extra = report.iter().filter(|l| l["_status"] == "extra").count();
    assert_eq!(rows, 100_000, "no generated record holds a row of the file");
    assert_eq!(extra, 100_000, "every generated record is extra");
    assert!(
        peak < 160 << 20,
        "verify against 100,000 listed records peaked at {} MB",
        peak >> 20
    );
}
