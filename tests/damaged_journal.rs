//! A journal that lost records (cut at half, emptied, reduced to its header, replaced by an
//! older copy) is noticed through its high-water mark in the state directory, and what it
//! lost is never taken as "not done": an import in create mode looks each row up on the
//! target, a campaign reads the account's outgoing logs over its whole span (even with the
//! repeat guard off). Judged by the sandbox's store.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{Harness, Run, Target, mobile, read_table, texts};

mod common;

/// The ways a journal is damaged from outside.
const DAMAGES: [&str; 4] = ["cut at half", "emptied", "header only", "older copy"];

/// Damages the journal at `cp` as `how` says.
fn damage(cp: &Path, how: &str) {
    let bytes = std::fs::read(cp).expect("read the journal");
    let lines: Vec<&[u8]> = bytes.split_inclusive(|b| *b == b'\n').collect();
    assert!(lines.len() > 10, "a journal with records");
    let kept: Vec<u8> = match how {
        "cut at half" => bytes[..bytes.len() / 2].to_vec(),
        "emptied" => Vec::new(),
        "header only" => lines[0].to_vec(),
        "older copy" => lines[..lines.len() / 3].concat(),
        other => panic!("no such damage: {other}"),
    };
    std::fs::write(cp, kept).expect("damage the journal");
}

fn run(mut c: Command) -> Run {
    Run::from_output(c.stdin(Stdio::null()).output().expect("run bulkline"))
}

#[test]
fn a_damaged_journal_never_makes_a_create_mode_import_create_twice() {
    for how in DAMAGES {
        let h = Harness::new(common::config());
        let t = Target::ZOOM;
        let input = h.write_csv("in.csv", &common::rows(0..60));
        let cp = h.path("in.ck");
        let first = h.import(t, &input, &cp, &["--mode", "create"]);
        first.assert_code(0);
        assert_eq!(first.num("created"), 60, "{first}");
        damage(&cp, how);

        let report = h.path("report.csv");
        // A cut can leave intents without their outcome: nothing is on the wire any more, so
        // the resume need not wait for late writes.
        let quick = ["--request-timeout", "2", "--write-catch-up", "0"];
        let mut args = vec!["--mode", "create", "--report", report.to_str().unwrap()];
        args.extend(quick);
        let again = h.import(t, &input, &cp, &args);
        again.assert_code(0);
        assert!(
            again.stderr.contains("lost") && again.stderr.contains("looked for there"),
            "{how}: the damage is said: {again}"
        );
        let mut expected: Vec<String> = (0..60).map(mobile).collect();
        expected.sort();
        assert_eq!(h.mobiles(t), expected, "{how}: nobody created twice");
        let lines = read_table(&report);
        assert_eq!(lines.len(), 60, "{how}: every row in the report");
        assert!(lines.iter().all(|l| l["_action"] == "created"));

        // Reconciled: the next run trusts the journal again, and still creates nothing.
        let mut args = vec!["--mode", "create"];
        args.extend(quick);
        let third = h.import(t, &input, &cp, &args);
        third.assert_code(0);
        assert!(!third.stderr.contains("lost"), "{how}: {third}");
        assert_eq!(h.mobiles(t), expected);
    }
}

/// `bulkline sms INPUT --checkpoint CP --json` at the sandbox, fast.
fn sms(h: &Harness, input: &Path, cp: &Path, extra: &[&str]) -> Run {
    let mut c = h.api_command();
    c.arg("sms")
        .arg(input)
        .arg("--checkpoint")
        .arg(cp)
        .args(h.url_args())
        .args(["--rate", "200/s", "--log-catch-up", "1"])
        .args(["--message", "Hi {first_name}, doors open at 9"])
        .args(extra)
        .arg("--json");
    run(c)
}

fn list(h: &Harness, n: u32) -> PathBuf {
    let mut s = String::from("First Name,Mobile\n");
    for i in 0..n {
        s.push_str(&format!("First{i},{}\n", mobile(i)));
    }
    let p = h.path("list.csv");
    std::fs::write(&p, s).expect("write the list");
    p
}

#[test]
fn a_damaged_journal_never_makes_a_campaign_text_twice() {
    for how in DAMAGES {
        let h = Harness::new(common::config());
        let input = list(&h, 60);
        let cp = h.path("list.ck");
        // The repeat guard off: the damaged journal alone must make the run read the logs.
        let first = sms(&h, &input, &cp, &["--repeat-window", "0"]);
        first.assert_code(0);
        assert_eq!(first.num("sent"), 60, "{first}");
        damage(&cp, how);

        let report = h.path("report.csv");
        let errors = h.path("errors.csv");
        let again = sms(
            &h,
            &input,
            &cp,
            &[
                "--repeat-window",
                "0",
                "--report",
                report.to_str().unwrap(),
                "--errors",
                errors.to_str().unwrap(),
            ],
        );
        assert!(again.stderr.contains("lost"), "{how}: {again}");
        assert_eq!(again.num("sent"), 0, "{how}: {again}");
        let by = texts(&h);
        assert_eq!(by.len(), 60, "{how}");
        assert!(by.values().all(|n| *n == 1), "{how}: texted twice: {by:?}");
        // Every row is in the report (sent, from what the journal kept) or the error file
        // (already texted, from the logs).
        let reported = read_table(&report).len() + read_table(&errors).len();
        assert_eq!(reported, 60, "{how}: every row ends somewhere");
    }
}
