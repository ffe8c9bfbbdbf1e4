//! Streaming: cleaning a 1,000,000-row file keeps peak memory (RSS) under 300 MB, because
//! only the dedupe keys grow with the file.

use std::fs::File;
use std::io::BufWriter;

use assert_cmd::Command;

/// The largest peak RSS, in bytes, of the children this process has waited for.
fn children_peak_rss() -> u64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_CHILDREN is a valid target.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
    assert_eq!(rc, 0, "getrusage failed");
    // SAFETY: getrusage succeeded, so the struct is initialised. On Linux ru_maxrss is in KiB.
    let usage = unsafe { usage.assume_init() };
    u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024
}

#[test]
fn a_million_rows_clean_in_under_300_mb() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("contacts.csv");
    let mut out = BufWriter::new(File::create(&input).unwrap());
    bulkline::synth::write_contacts_csv(&mut out, 1_000_000, 42).unwrap();
    drop(out);

    let output = Command::cargo_bin("bulkline")
        .unwrap()
        .arg("clean")
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("clean.csv"))
        .arg("--errors")
        .arg(dir.path().join("errors.csv"))
        .arg("--duplicates")
        .arg(dir.path().join("duplicates.csv"))
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "some generated rows are invalid"
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["rows_read"], 1_000_000);
    let clean = summary["clean"].as_u64().unwrap();
    let rejected = summary["rejected"].as_u64().unwrap();
    let duplicates = summary["duplicates"].as_u64().unwrap();
    assert_eq!(clean + rejected + duplicates, 1_000_000, "no row is lost");

    let peak = children_peak_rss();
    assert!(peak > 0);
    assert!(
        peak < 300 * 1024 * 1024,
        "peak RSS {} MB is not under 300 MB",
        peak / (1024 * 1024)
    );
}
