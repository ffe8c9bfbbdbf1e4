//! `bulkline import` and `bulkline undo`, the real binary, against a sandbox started in this
//! process over real HTTP on 127.0.0.1: idempotent upserts (a re-run sends no writes), the
//! modes, dry runs, undo, the `--sandbox` smoke run, the usage errors, then the faults the
//! sandbox injects (429, 500, applied-then-502, expired tokens, refusals, quota) and SIGKILL at
//! random moments. Every test checks the emulator's store, not only the exit code. The
//! harness is in `tests/common`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Child;

use bulkline::sandbox::{ConfigPatch, SandboxConfig, seed};
use common::{Harness, Row, Run, Target, assert_exactly_once, in_flight, mobile, rows, signal};

mod common;

/// Upsert of `t`: 20 rows create exactly 20 records; running again (same journal, a fresh one,
/// `--restart`) sends zero writes and reports every row settled or unchanged.
fn upsert_then_rerun_sends_no_writes(t: Target) {
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..20));
    let cp = h.path("x.checkpoint");

    let first = h.import(t, &input, &cp, &[]);
    first.assert_code(0);
    assert_eq!(first.num("created"), 20, "{first}");
    assert_eq!(first.num("failed"), 0, "{first}");
    assert_eq!(h.mobiles(t), expected_mobiles(0..20));
    let ids = h.ids(t);
    assert_eq!(ids.len(), 20);
    let writes = h.writes();
    assert_eq!(writes, 20, "one create request per row, no more");

    // The same journal: every row is settled already.
    let again = h.import(t, &input, &cp, &[]);
    again.assert_code(0);
    assert_eq!(again.num("resumed"), 20, "{again}");
    assert_eq!(again.num("updated"), 0, "{again}");
    assert_eq!(h.writes(), writes, "a resumed, finished run sent writes");
    assert_eq!(h.ids(t), ids);

    // A fresh journal: everything is listed and found identical.
    let fresh = h.path("fresh.checkpoint");
    let unchanged = h.import(t, &input, &fresh, &[]);
    unchanged.assert_code(0);
    assert_eq!(unchanged.num("unchanged"), 20, "{unchanged}");
    assert_eq!(unchanged.num("created"), 0, "{unchanged}");
    assert_eq!(unchanged.num("updated"), 0, "{unchanged}");
    assert_eq!(unchanged.num("listed"), 20, "{unchanged}");
    assert_eq!(
        h.writes(),
        writes,
        "an upsert of existing records sent writes"
    );
    assert_eq!(h.ids(t), ids);

    // --restart on the first journal: the same.
    let restarted = h.import(t, &input, &cp, &["--restart"]);
    restarted.assert_code(0);
    assert_eq!(restarted.num("unchanged"), 20, "{restarted}");
    assert_eq!(restarted.num("resumed"), 0, "{restarted}");
    assert_eq!(
        h.writes(),
        writes,
        "--restart of a finished import sent writes"
    );
    assert_eq!(h.ids(t), ids);
    assert_eq!(h.mobiles(t), expected_mobiles(0..20));
}

fn expected_mobiles(range: std::ops::Range<u32>) -> Vec<String> {
    range.map(mobile).collect()
}

#[test]
fn upsert_is_idempotent_on_every_target() {
    for t in Target::all() {
        upsert_then_rerun_sends_no_writes(t);
    }
}

#[test]
fn create_mode_creates_without_listing() {
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..10));
    let run = h.import(
        Target::ZOOM,
        &input,
        &h.path("x.checkpoint"),
        &["--mode", "create"],
    );
    run.assert_code(0);
    assert_eq!(run.num("created"), 10, "{run}");
    assert_eq!(run.num("listed"), 0, "{run}");
    assert_eq!(h.mobiles(Target::ZOOM), expected_mobiles(0..10));
    // One request of one contact checks that the address book exists; nothing is listed.
    assert_eq!(
        h.sb.request_count("GET /v2/contact_center/address_books/{id}/contacts", 200),
        1,
        "create mode listed the address book"
    );
}

#[test]
fn update_mode_updates_matches_and_reports_the_missing() {
    let t = Target::VOICE;
    let h = Harness::new(common::config());
    let seeded = h.write_csv("seed.csv", &rows(0..10));
    h.import(t, &seeded, &h.path("seed.checkpoint"), &[])
        .assert_code(0);
    let ids = h.ids(t);

    // Rows 0..10 with a new last name, and 3 rows nobody has.
    let mut changed: Vec<Row> = rows(0..10)
        .into_iter()
        .map(|r| {
            let last = format!("Renamed{}", r.n);
            r.last(&last)
        })
        .collect();
    changed.extend(rows(50..53));
    let input = h.write_csv("update.csv", &changed);
    let errors = h.path("errors.csv");
    let errors_arg = errors.to_string_lossy().into_owned();
    let run = h.import(
        t,
        &input,
        &h.path("x.checkpoint"),
        &["--mode", "update", "--errors", &errors_arg],
    );
    run.assert_code(1);
    assert_eq!(run.num("updated"), 10, "{run}");
    assert_eq!(run.num("created"), 0, "{run}");
    assert_eq!(run.num("failed"), 3, "{run}");

    assert_eq!(h.ids(t), ids, "update mode created or deleted records");
    for c in h.sb.voice_contacts() {
        let m = &c.fields["mobile"];
        let n = common::number_of(m);
        assert_eq!(c.fields["last_name"], format!("Renamed{n}"), "record {m}");
    }
    let report = common::read_table(&errors);
    assert_eq!(report.len(), 3, "{report:?}");
    let mut reported = BTreeSet::new();
    for r in &report {
        assert_eq!(r["_code"], "not_found", "{r:?}");
        assert_eq!(r["_stage"], "remote", "{r:?}");
        reported.insert(r["Mobile"].clone());
    }
    assert_eq!(
        reported,
        (50..53).map(mobile).collect::<BTreeSet<_>>(),
        "the error report names other rows"
    );
}

#[test]
fn upsert_updates_only_the_changed_rows() {
    let t = Target::BOOKS;
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..20));
    h.import(t, &input, &h.path("a.checkpoint"), &[])
        .assert_code(0);
    let ids = h.ids(t);
    let writes = h.writes();

    let changed: Vec<Row> = rows(0..20)
        .into_iter()
        .map(|r| {
            if r.n.is_multiple_of(4) {
                r.last("Changed")
            } else {
                r
            }
        })
        .collect();
    let input = h.write_csv("changed.csv", &changed);
    let run = h.import(t, &input, &h.path("b.checkpoint"), &[]);
    run.assert_code(0);
    assert_eq!(run.num("updated"), 5, "{run}");
    assert_eq!(run.num("unchanged"), 15, "{run}");
    assert_eq!(run.num("created"), 0, "{run}");
    assert_eq!(h.writes() - writes, 5, "one write per changed row, no more");
    assert_eq!(h.ids(t), ids);
    for p in h.sb.books_contact_persons() {
        let n = common::number_of(&p.mobile);
        let want = if n.is_multiple_of(4) {
            "Changed".to_string()
        } else {
            format!("Last{n}")
        };
        assert_eq!(p.last_name, want, "person {}", p.mobile);
    }
}

#[test]
fn dry_run_changes_nothing_and_prints_the_plan() {
    let t = Target::VOICE;
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..10));
    h.import(t, &input, &h.path("a.checkpoint"), &[])
        .assert_code(0);
    let before = h.sb.voice_contacts();
    let writes = h.writes();

    let mut changed: Vec<Row> = rows(0..10)
        .into_iter()
        .map(|r| if r.n < 3 { r.last("New") } else { r })
        .collect();
    changed.extend(rows(20..22));
    let input = h.write_csv("changed.csv", &changed);
    let cp = h.path("dry.checkpoint");
    let out = h
        .import_cmd(t, &input, &cp, &["--dry-run", "--quiet"])
        .output()
        .expect("run bulkline");
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(h.sb.voice_contacts(), before, "a dry run changed the store");
    assert_eq!(h.writes(), writes, "a dry run sent writes");
    assert!(!cp.exists(), "a dry run wrote a journal");

    let plan = common::parse_table(&String::from_utf8_lossy(&out.stdout));
    let by_action = |a: &str| plan.iter().filter(|r| r["_action"] == a).count();
    assert_eq!(by_action("update"), 3, "{plan:?}");
    assert_eq!(by_action("create"), 2, "{plan:?}");
    assert_eq!(by_action("unchanged"), 7, "{plan:?}");
    for r in plan.iter().filter(|r| r["_action"] == "update") {
        let n = common::number_of(&r["_key"]);
        assert_eq!(
            r["_changes"],
            format!("last_name: Last{n} -> New"),
            "plan line {r:?}"
        );
        assert!(!r["_remote_id"].is_empty(), "{r:?}");
    }

    // --dry-run --json with the plan nowhere to go: a usage error.
    let refused = h.import(t, &input, &cp, &["--dry-run"]);
    refused.assert_code(2);
    assert!(refused.stderr.contains("--report"), "{refused}");

    // --dry-run --json --report: the summary's estimate, still no writes.
    let report = h.path("plan.csv");
    let report_arg = report.to_string_lossy().into_owned();
    let run = h.import(t, &input, &cp, &["--dry-run", "--report", &report_arg]);
    run.assert_code(0);
    assert_eq!(run.summary["estimate"]["updates"], 3, "{run}");
    assert_eq!(run.summary["estimate"]["creates"], 2, "{run}");
    assert_eq!(common::read_table(&report).len(), 12);
    assert_eq!(h.sb.voice_contacts(), before);
    assert_eq!(h.writes(), writes);
}

/// Undo of an import into a store that held 3 records before: exactly those 3 are left (one of
/// them updated by the import, which undo does not delete); a second undo does nothing.
fn undo_leaves_the_records_that_were_there(t: Target) {
    let h = Harness::new(common::config());
    let before = h.write_csv("before.csv", &rows(0..3));
    h.import(t, &before, &h.path("before.checkpoint"), &[])
        .assert_code(0);
    let original = h.ids(t);
    assert_eq!(original.len(), 3);

    // Row 0 exists (an update), rows 100..119 are new.
    let mut import_rows = vec![rows(0..1).remove(0).last("Updated")];
    import_rows.extend(rows(100..119));
    let input = h.write_csv("in.csv", &import_rows);
    let cp = h.path("x.checkpoint");
    let run = h.import(t, &input, &cp, &[]);
    run.assert_code(0);
    assert_eq!(run.num("created"), 19, "{run}");
    assert_eq!(run.num("updated"), 1, "{run}");
    assert_eq!(h.ids(t).len(), 22);

    let undo = h.undo(&cp);
    undo.assert_code(0);
    assert_eq!(undo.num("deleted"), 19, "{undo}");
    assert_eq!(
        h.ids(t),
        original,
        "undo did not leave exactly the original records"
    );
    assert_eq!(h.mobiles(t), expected_mobiles(0..3));

    let deletes = h.writes_of("DELETE");
    let again = h.undo(&cp);
    again.assert_code(0);
    assert_eq!(again.num("deleted"), 0, "{again}");
    assert_eq!(again.num("resumed"), 19, "{again}");
    assert_eq!(h.writes_of("DELETE"), deletes, "a second undo sent deletes");
    assert_eq!(h.ids(t), original);

    // The import knows it was undone: running it again is refused, not reported as done.
    let rerun = h.import(t, &input, &cp, &[]);
    rerun.assert_code(2);
    assert!(
        rerun.stderr.contains("undone") && rerun.stderr.contains("--restart"),
        "{rerun}"
    );
    assert_eq!(h.ids(t), original);
    // --restart imports the rows again, as new.
    let fresh = h.import(t, &input, &cp, &["--restart"]);
    fresh.assert_code(0);
    assert_eq!(fresh.num("created"), 19, "{fresh}");
    assert_eq!(h.ids(t).len(), 22);
}

/// The undo summary tells records it deleted from records that were already gone (Zoom
/// answers 2101 for those).
#[test]
fn undo_counts_records_already_gone_zoom_cc() {
    let t = Target::ZOOM;
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..5));
    let cp = h.path("x.checkpoint");
    h.import(t, &input, &cp, &[]).assert_code(0);
    // Someone else deletes the records first.
    h.sb.reset();
    let undo = h.undo(&cp);
    undo.assert_code(0);
    assert_eq!(undo.num("deleted"), 0, "{undo}");
    assert_eq!(undo.num("already_gone"), 5, "{undo}");
    let again = h.undo(&cp);
    again.assert_code(0);
    assert_eq!(again.num("resumed"), 5, "{again}");
}

#[test]
fn undo_leaves_the_records_that_were_there_on_every_target() {
    for t in Target::all() {
        undo_leaves_the_records_that_were_there(t);
    }
}

#[test]
fn sandbox_flag_imports_the_google_sample() {
    let h = Harness::new(common::config());
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/google_contacts.csv");
    let out = h
        .command()
        .args([
            "import",
            sample,
            "--to",
            "zoho-voice",
            "--sandbox",
            "--json",
        ])
        .args(["--rate", "200/s"])
        .output()
        .expect("run bulkline");
    let run = common::Run::from_output(out);
    run.assert_code(1);
    assert_eq!(run.num("created"), 13, "{run}");
    assert_eq!(run.num("rejected"), 7, "{run}");
    assert_eq!(run.num("duplicates"), 4, "{run}");
    assert_eq!(run.num("failed"), 0, "{run}");
    // The in-process sandbox of --sandbox is not ours: ours saw nothing.
    assert!(h.sb.voice_contacts().is_empty());
    assert_eq!(h.writes(), 0);
    // Its journal went with it: no path is named that is not there.
    assert!(run.summary.get("checkpoint").is_none(), "{run}");
    let out = h
        .command()
        .args(["import", sample, "--to", "zoho-voice", "--sandbox"])
        .args(["--rate", "200/s"])
        .output()
        .expect("run bulkline");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("checkpoint: none kept (--sandbox"), "{text}");
    for line in text.lines().filter(|l| l.contains(".checkpoint")) {
        let path = line.rsplit(' ').next().unwrap_or("");
        assert!(
            std::path::Path::new(path).exists(),
            "a path that is gone: {line}"
        );
    }
}

#[test]
fn undo_of_a_restarted_journal_points_to_the_journal_that_holds_the_creates() {
    let t = Target::VOICE;
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..4));
    let cp = h.path("x.checkpoint");
    h.import(t, &input, &cp, &[]).assert_code(0);
    // Started over: the records are there already, so this journal creates nothing.
    let again = h.import(t, &input, &cp, &["--restart"]);
    again.assert_code(0);
    assert_eq!(again.num("created"), 0, "{again}");
    let old = h.path("x.checkpoint.1.old");
    assert!(old.exists());

    let undo = h.undo(&cp);
    undo.assert_code(0);
    assert_eq!(undo.num("created"), 0, "{undo}");
    let replaced = &undo.summary["replaced"];
    assert_eq!(replaced["created"].as_u64(), Some(4), "{undo}");
    let named = replaced["journal"].as_str().unwrap_or("");
    assert!(named.ends_with("x.checkpoint.1.old"), "{undo}");
    let text = h.undo_cmd(&cp, &[]).output().expect("run bulkline undo");
    let text = String::from_utf8_lossy(&text.stderr);
    assert!(
        text.contains("the 4 records created before it are in") && text.contains("bulkline undo"),
        "{text}"
    );
    assert_eq!(h.mobiles(t), expected_mobiles(0..4));
    // The journal it names undoes them.
    let undone = h.undo(std::path::Path::new(named));
    undone.assert_code(0);
    assert_eq!(undone.num("deleted"), 4, "{undone}");
    assert!(h.mobiles(t).is_empty());
}

#[test]
fn a_journal_of_another_mode_or_target_is_refused() {
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..5));
    let cp = h.path("x.checkpoint");
    h.import(Target::VOICE, &input, &cp, &[]).assert_code(0);
    let writes = h.writes();

    let other_mode = h.import(Target::VOICE, &input, &cp, &["--mode", "create"]);
    other_mode.assert_code(2);
    assert!(other_mode.stderr.contains("--restart"), "{other_mode}");

    let other_target = h.import(Target::ZOOM, &input, &cp, &[]);
    other_target.assert_code(2);
    assert!(other_target.stderr.contains("--restart"), "{other_target}");
    assert_eq!(h.writes(), writes, "a refused run sent writes");
    assert!(h.sb.zoom_contacts().is_empty());

    // With --restart the old journal is moved aside and the run goes on.
    let restarted = h.import(Target::ZOOM, &input, &cp, &["--restart"]);
    restarted.assert_code(0);
    assert_eq!(h.mobiles(Target::ZOOM), expected_mobiles(0..5));
}

#[test]
fn a_changed_input_does_not_resume_the_old_journal() {
    let t = Target::VOICE;
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..5));
    let cp = h.path("x.checkpoint");
    h.import(t, &input, &cp, &[]).assert_code(0);
    let writes = h.writes();
    // The same file name, other rows: the journal's row numbers mean nothing for it.
    h.write_csv("in.csv", &rows(10..16));
    let run = h.import(t, &input, &cp, &[]);
    run.assert_code(2);
    assert!(run.stderr.contains("--restart"), "{run}");
    assert_eq!(h.writes(), writes, "a refused run sent writes");
    assert_eq!(h.mobiles(t), expected_mobiles(0..5));
}

#[test]
fn a_journal_in_use_is_refused() {
    let t = Target::ZOOM;
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..40));
    let cp = h.path("x.checkpoint");
    let mut slow = h
        .import_cmd(t, &input, &cp, &["--rate", "10/s", "--quiet"])
        .spawn()
        .expect("start bulkline import");
    // Wait until the first run has created something (it holds the journal by then).
    common::wait_until(
        "the first run's first create",
        std::time::Duration::from_secs(60),
        || !h.sb.zoom_contacts().is_empty() || slow.try_wait().expect("wait").is_some(),
    );
    let second = h.import(t, &input, &cp, &[]);
    slow.kill().expect("kill");
    let _ = slow.wait();
    assert_eq!(second.code, Some(2), "{second}");
    assert!(second.stderr.contains("another bulkline run"), "{second}");
    // The journal is free again once its owner died: the same command finishes the job.
    let rerun = h.import(t, &input, &cp, &SHORT_LATE_WRITES);
    rerun.assert_code(0);
    assert_exactly_once(&h, t, 0..40);
}

#[test]
fn repeated_keys_in_the_file_are_sent_once() {
    let t = Target::VOICE;
    let h = Harness::new(common::config());
    let mut input_rows = rows(0..5);
    let mut again = Row::new(2).first("Other");
    again.email = "other@example.com".into();
    input_rows.push(again);
    let input = h.write_csv("in.csv", &input_rows);
    let errors = h.path("errors.csv");
    let errors_arg = errors.to_string_lossy().into_owned();
    let run = h.import(
        t,
        &input,
        &h.path("x.checkpoint"),
        &["--dedupe-by", "none", "--errors", &errors_arg],
    );
    run.assert_code(1);
    assert_eq!(run.num("created"), 5, "{run}");
    assert_eq!(run.num("conflicts"), 1, "{run}");
    assert_exactly_once(&h, t, 0..5);
    let report = common::read_table(&errors);
    assert_eq!(report.len(), 1, "{report:?}");
    assert_eq!(report[0]["_code"], "duplicate_key", "{report:?}");
    assert_eq!(report[0]["First Name"], "Other", "{report:?}");
}

#[test]
fn zoom_without_an_address_book_is_a_usage_error() {
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..2));
    let out = h
        .command()
        .arg("import")
        .arg(&input)
        .args(["--to", "zoom-cc", "--json", "--rate", "200/s"])
        .args(["--base-url", &h.sb.url(), "--accounts-url", &h.sb.url()])
        .arg("--checkpoint")
        .arg(h.path("x.checkpoint"))
        .output()
        .expect("run bulkline");
    let run = common::Run::from_output(out);
    run.assert_code(2);
    assert!(run.stderr.contains("--address-book-id"), "{run}");
    assert!(h.sb.zoom_contacts().is_empty());
    assert_eq!(h.writes(), 0);
}

// ---------------------------------------------------------------------------------------------
// Faults: every one set on the sandbox before the run; every row must end up exactly once.
// ---------------------------------------------------------------------------------------------

/// A short wait for the creates a killed or stopped run left on the wire: they may land until
/// the request timeout plus the catch-up after they left (90 s by default), and the sandbox's
/// land at once or never. (`tests/late_writes.rs` tests the wait itself.)
const SHORT_LATE_WRITES: [&str; 4] = ["--request-timeout", "2", "--write-catch-up", "0"];

fn patch(f: impl FnOnce(&mut ConfigPatch)) -> ConfigPatch {
    let mut p = ConfigPatch::default();
    f(&mut p);
    p
}

#[test]
fn rate_limited_rows_are_all_created_once() {
    let t = Target::VOICE;
    let h = Harness::new(common::config());
    h.patch(&patch(|p| p.rate_limit_per_sec = Some(Some(20.0))));
    let input = h.write_csv("in.csv", &rows(0..40));
    let run = h.import(t, &input, &h.path("x.checkpoint"), &["--rate", "100/s"]);
    run.assert_code(0);
    assert_eq!(run.num("created"), 40, "{run}");
    assert!(run.num("rate_limited") > 0, "no 429 was seen: {run}");
    assert!(h.sb.stats().rate_limited_429 > 0);
    assert_exactly_once(&h, t, 0..40);
}

fn server_errors_are_retried(t: Target) {
    let h = Harness::new(common::config());
    h.patch(&patch(|p| p.fault_rate = Some(0.2)));
    let input = h.write_csv("in.csv", &rows(0..50));
    let run = h.import(t, &input, &h.path("x.checkpoint"), &[]);
    run.assert_code(0);
    assert_eq!(run.num("created"), 50, "{run}");
    assert!(h.sb.stats().injected_500 > 0, "no 500 was injected");
    assert!(run.num("requests") > 50, "{run}");
    assert_exactly_once(&h, t, 0..50);
}

#[test]
fn server_errors_are_retried_on_every_target() {
    for t in Target::all() {
        server_errors_are_retried(t);
    }
}

/// Writes applied, then answered 502: the key exactly-once test. A create whose answer was
/// lost must be found on the target, never sent again blindly.
fn ambiguous_answers_create_nothing_twice(t: Target) {
    let h = Harness::new(common::config());
    h.patch(&patch(|p| p.ambiguous_rate = Some(0.2)));
    let input = h.write_csv("in.csv", &rows(0..60));
    let run = h.import(t, &input, &h.path("x.checkpoint"), &[]);
    assert!(
        h.sb.stats().ambiguous_502 > 0,
        "no ambiguous fault was injected"
    );
    run.assert_code(0);
    assert_eq!(run.num("created"), 60, "{run}");
    assert_eq!(run.num("left"), 0, "{run}");
    assert_exactly_once(&h, t, 0..60);

    // And the re-run (fresh journal) finds all of them unchanged, still with no duplicate.
    h.patch(&patch(|p| p.ambiguous_rate = Some(0.0)));
    let again = h.import(t, &input, &h.path("y.checkpoint"), &[]);
    again.assert_code(0);
    assert_eq!(again.num("unchanged"), 60, "{again}");
    assert_exactly_once(&h, t, 0..60);
}

#[test]
fn ambiguous_answers_create_nothing_twice_on_every_target() {
    for t in Target::all() {
        ambiguous_answers_create_nothing_twice(t);
    }
}

/// Every live access token expires in the middle of the run (the admin endpoint): the
/// client gets a new one and every row is created once. The run starts with a cached token,
/// as after an earlier run (see `short_lived_tokens_are_renewed` for a token issued in the run).
fn expired_tokens_are_renewed(t: Target) {
    let h = Harness::new(common::config());
    // An earlier run leaves a cached token.
    let warm = h.write_csv("warm.csv", &rows(60..61));
    h.import(t, &warm, &h.path("warm.checkpoint"), &[])
        .assert_code(0);
    let input = h.write_csv("in.csv", &rows(0..61));
    let before = h.sb.tokens_issued();
    let written = h.writes();
    let (run, expired) = std::thread::scope(|s| {
        // Once the run has written with its token (at 40/s, 60 rows: 1.5 s to go).
        let expirer = s.spawn(|| {
            common::wait_until(
                "the run's first write",
                std::time::Duration::from_secs(60),
                || h.writes() > written,
            );
            h.sb.expire_tokens()
        });
        let run = h.import(t, &input, &h.path("x.checkpoint"), &["--rate", "40/s"]);
        (run, expirer.join().expect("the expiring thread"))
    });
    assert!(expired > 0, "no token was live to expire");
    run.assert_code(0);
    assert_eq!(run.num("created"), 60, "{run}");
    assert_eq!(run.num("unchanged"), 1, "{run}");
    let after = h.sb.tokens_issued();
    let issued = if t.zoom_oauth() {
        after.1 - before.1
    } else {
        after.0 - before.0
    };
    assert!(issued >= 1, "the token was never renewed: {run}");
    assert_exactly_once(&h, t, 0..61);
}

#[test]
fn expired_tokens_are_renewed_for_every_oauth_service() {
    for t in Target::one_per_oauth() {
        expired_tokens_are_renewed(t);
    }
}

/// Tokens that live one second, in a run of about 1.5 s: each is renewed when it runs out.
fn short_lived_tokens_are_renewed(t: Target) {
    let h = Harness::new(SandboxConfig {
        // The Zoho limit of 10 token requests per 10 minutes is not what this tests.
        zoho_token_requests_per_window: 10_000,
        token_ttl_secs: 1,
        ..common::config()
    });
    let input = h.write_csv("in.csv", &rows(0..60));
    let run = h.import(t, &input, &h.path("x.checkpoint"), &["--rate", "40/s"]);
    run.assert_code(0);
    assert_eq!(run.num("created"), 60, "{run}");
    assert_exactly_once(&h, t, 0..60);
}

#[test]
fn short_lived_tokens_are_renewed_for_every_oauth_service() {
    for t in Target::one_per_oauth() {
        short_lived_tokens_are_renewed(t);
    }
}

/// A row the target refuses for good (a Books contact that does not exist: code 1002) goes
/// to the error report with `_stage` remote and the API's code; a row too long for Books is
/// rejected before sending; the others are created; exit 1.
fn permanent_refusals_are_reported(mode: &str) {
    let t = Target::BOOKS;
    let h = Harness::new(common::config());
    let mut input_rows = rows(0..6);
    input_rows[2] = input_rows[2].clone().parent("460000000099999");
    input_rows[4] = input_rows[4].clone().first(&"A".repeat(101));
    let input = h.write_csv("in.csv", &input_rows);
    let errors = h.path("errors.csv");
    let errors_arg = errors.to_string_lossy().into_owned();
    let run = h.import(
        t,
        &input,
        &h.path("x.checkpoint"),
        &["--mode", mode, "--errors", &errors_arg],
    );
    run.assert_code(1);
    assert_eq!(run.num("created"), 4, "{run}");
    assert_eq!(run.num("failed"), 1, "{run}");
    assert_eq!(run.num("rejected"), 1, "{run}");
    let created: Vec<String> = [0, 1, 3, 5].into_iter().map(mobile).collect();
    assert_eq!(h.mobiles(t), created);
    assert!(
        h.sb.books_contact_persons()
            .iter()
            .all(|p| p.contact_id == seed::BOOKS_CONTACTS[0].0)
    );

    let report = common::read_table(&errors);
    assert_eq!(report.len(), 2, "{report:?}");
    let remote = report
        .iter()
        .find(|r| r["Mobile"] == mobile(2))
        .unwrap_or_else(|| panic!("row 2 is not in the error report: {report:?}"));
    assert_eq!(remote["_stage"], "remote", "{remote:?}");
    assert_eq!(remote["_code"], "1002", "{remote:?}");
    let local = report
        .iter()
        .find(|r| r["Mobile"] == mobile(4))
        .unwrap_or_else(|| panic!("row 4 is not in the error report: {report:?}"));
    assert_ne!(local["_stage"], "remote", "{local:?}");
    assert_eq!(local["_field"], "first_name", "{local:?}");
}

#[test]
fn permanent_refusals_are_reported_create_mode() {
    permanent_refusals_are_reported("create");
}

#[test]
fn permanent_refusals_are_reported_upsert_mode() {
    permanent_refusals_are_reported("upsert");
}

/// Zoho Books' daily quota runs out: the run stops (exit 4, `stopped`), and the same command
/// after the quota is raised finishes the job, every row once.
#[test]
fn a_spent_quota_stops_the_run_and_the_rerun_finishes_it() {
    a_spent_quota_stops_the_run(429);
}

/// Which status carries Books' code 45 is not documented: the code decides, not the status.
#[test]
fn a_spent_quota_answered_400_stops_the_run_too() {
    a_spent_quota_stops_the_run(400);
}

fn a_spent_quota_stops_the_run(status: u16) {
    let t = Target::BOOKS;
    let h = Harness::new(SandboxConfig {
        books_daily_quota: Some(10),
        books_daily_quota_status: status,
        ..common::config()
    });
    let input = h.write_csv("in.csv", &rows(0..20));
    let cp = h.path("x.checkpoint");
    let run = h.import(t, &input, &cp, &[]);
    run.assert_code(4);
    assert!(
        run.summary["stopped"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{run}"
    );
    let part = h.mobiles(t).len();
    assert!(part < 20, "the quota did not stop anything: {run}");
    assert_eq!(run.num("created") as usize, part, "{run}");

    h.patch(&patch(|p| p.books_daily_quota = Some(None)));
    let rerun = h.import(t, &input, &cp, &[]);
    rerun.assert_code(0);
    assert_eq!(rerun.num("created"), 20, "{rerun}");
    assert_eq!(rerun.num("resumed") as usize, part, "{rerun}");
    assert!(rerun.summary.get("stopped").is_none(), "{rerun}");
    assert_exactly_once(&h, t, 0..20);
}

// ---------------------------------------------------------------------------------------------
// SIGKILL: the process dies at a random moment, three times; the same command resumes.
// ---------------------------------------------------------------------------------------------

fn killed_imports_resume_exactly_once(t: Target) {
    let h = Harness::new(SandboxConfig {
        latency_ms: 20,
        ambiguous_rate: 0.05,
        ..common::config()
    });
    let input = h.write_csv("in.csv", &rows(0..300));
    let cp = h.path("x.checkpoint");
    let mut args = vec!["--rate", "100/s", "--concurrency", "4", "--quiet"];
    args.extend(SHORT_LATE_WRITES);
    let mut killed = 0;
    let delays = common::kill_delays(3);
    // Printed with the test's output when it fails.
    eprintln!("{}: {delays}", t.name());
    for &delay in &delays.delays {
        let before = h.writes();
        let mut child = h
            .import_cmd(t, &input, &cp, &args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start bulkline import");
        // Killed `delay` after its first write (however long a loaded machine takes to start
        // it), so that the kill lands in the middle of the run.
        common::wait_until(
            &format!("{}: a first write or the end ({delays})", t.name()),
            std::time::Duration::from_secs(60),
            || h.writes() > before || child.try_wait().expect("wait").is_some(),
        );
        std::thread::sleep(std::time::Duration::from_millis(delay));
        if child.try_wait().expect("wait").is_none() {
            child.kill().expect("SIGKILL");
            killed += 1;
        }
        let _ = child.wait();
        // Only requests that could leave are journaled: at most the concurrency is in flight.
        let open = in_flight(&cp);
        assert!(
            open <= 4,
            "{open} rows in flight after a kill, concurrency 4 ({delays})"
        );
    }
    assert!(
        killed > 0,
        "every run finished before it could be killed ({delays})"
    );
    let mut last = None;
    for _ in 0..6 {
        let mut again = vec!["--rate", "100/s", "--concurrency", "4"];
        again.extend(SHORT_LATE_WRITES);
        let run = h.import(t, &input, &cp, &again);
        let code = run.code;
        last = Some(run);
        if code != Some(4) {
            break;
        }
    }
    let run = last.expect("a run");
    run.assert_code(0);
    assert_eq!(run.num("left"), 0, "{run}");
    assert_eq!(run.num("failed"), 0, "{run}");
    assert_eq!(run.num("conflicts"), 0, "{run}");
    assert_exactly_once(&h, t, 0..300);
}

#[test]
fn killed_imports_resume_exactly_once_on_every_target() {
    for t in Target::all() {
        killed_imports_resume_exactly_once(t);
    }
}

/// An undo killed midway resumes from its own journal: every created record is deleted, and
/// nothing else.
#[test]
fn a_killed_undo_resumes() {
    let t = Target::ZOOM;
    let h = Harness::new(SandboxConfig {
        latency_ms: 10,
        ..common::config()
    });
    let keep = h.write_csv("keep.csv", &rows(1000..1002));
    h.import(t, &keep, &h.path("keep.checkpoint"), &[])
        .assert_code(0);
    let kept = h.ids(t);
    let input = h.write_csv("in.csv", &rows(0..150));
    let cp = h.path("x.checkpoint");
    h.import(t, &input, &cp, &["--rate", "1000/s"])
        .assert_code(0);
    assert_eq!(h.ids(t).len(), 152);

    let delays = common::kill_delays(1);
    eprintln!("{delays}");
    let mut child = h
        .undo_cmd(&cp, &["--rate", "100/s", "--quiet"])
        .spawn()
        .expect("start bulkline undo");
    // Killed a moment after its first delete, in the middle of its 1.5 s.
    common::wait_until(
        &format!("a first delete or the end ({delays})"),
        std::time::Duration::from_secs(60),
        || h.writes_of("DELETE") > 0 || child.try_wait().expect("wait").is_some(),
    );
    std::thread::sleep(std::time::Duration::from_millis(delays.delays[0].min(800)));
    let _ = child.kill();
    let _ = child.wait();
    let mut last = None;
    for _ in 0..4 {
        let run = h.undo_with(&cp, &["--rate", "500/s"]);
        let code = run.code;
        last = Some(run);
        if code != Some(4) {
            break;
        }
    }
    let run = last.expect("a run");
    run.assert_code(0);
    assert_eq!(run.num("failed"), 0, "{run}");
    assert_eq!(
        run.num("deleted") + run.num("resumed") + run.num("already_gone"),
        150,
        "{run}"
    );
    assert_eq!(
        h.ids(t),
        kept,
        "the undo did not leave exactly the other records"
    );
}

/// import -> kill -> undo: the undo settles the creates the kill left unknown (one listing) and
/// deletes them with the others, so that no record the import created remains; the import
/// then refuses to run again on its undone journal.
#[test]
fn undo_after_a_killed_import_removes_every_created_record() {
    let t = Target::VOICE;
    let h = Harness::new(SandboxConfig {
        latency_ms: 20,
        ambiguous_rate: 0.1,
        ..common::config()
    });
    let keep = h.write_csv("keep.csv", &rows(1000..1003));
    h.import(t, &keep, &h.path("keep.checkpoint"), &[])
        .assert_code(0);
    let kept = h.ids(t);
    let input = h.write_csv("in.csv", &rows(0..200));
    let cp = h.path("x.checkpoint");
    let mut child = h
        .import_cmd(t, &input, &cp, &["--rate", "100/s", "--quiet"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start bulkline import");
    // Killed a moment (from a fixed seed) after its first create (however long a loaded
    // machine takes to start it), so that the kill lands in the middle of the run.
    let delays = common::kill_delays(1);
    eprintln!("{delays}");
    common::wait_until(
        &format!("the import's first create ({delays})"),
        std::time::Duration::from_secs(60),
        || h.ids(t).len() > kept.len() || child.try_wait().expect("wait").is_some(),
    );
    std::thread::sleep(std::time::Duration::from_millis(delays.delays[0] / 3));
    let _ = child.kill();
    let _ = child.wait();
    let created_before = h.ids(t).len() - kept.len();
    assert!(
        created_before > 0,
        "the import created nothing before the kill"
    );

    let undo = h.undo(&cp);
    undo.assert_code(0);
    assert_eq!(
        h.ids(t),
        kept,
        "records the killed import created remain after the undo: {undo}"
    );
    let rerun = h.import(t, &input, &cp, &[]);
    rerun.assert_code(2);
    assert!(rerun.stderr.contains("undone"), "{rerun}");
    assert_eq!(h.ids(t), kept);
}

/// A dry-run undo lists what it would delete and deletes nothing.
#[test]
fn a_dry_run_undo_deletes_nothing() {
    let t = Target::ZOOM;
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..4));
    let cp = h.path("x.checkpoint");
    h.import(t, &input, &cp, &[]).assert_code(0);
    let ids = h.ids(t);
    let out = h
        .undo_cmd(&cp, &["--dry-run"])
        .output()
        .expect("run bulkline undo");
    let run = Run::from_output(out);
    run.assert_code(0);
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.starts_with("delete "))
            .count(),
        4,
        "{run}"
    );
    assert_eq!(h.ids(t), ids);
    assert_eq!(h.writes_of("DELETE"), 0);
}

/// Two runs of one list to one place at once, the second through a symbolic link and its own
/// journal: one is refused, and every contact exists once.
#[test]
fn two_runs_of_one_list_through_a_symlink_do_not_both_write() {
    let t = Target::ZOOM;
    let h = Harness::new(SandboxConfig {
        latency_ms: 20,
        ..common::config()
    });
    let input = h.write_csv("in.csv", &rows(0..100));
    let link = h.path("link.csv");
    std::os::unix::fs::symlink(&input, &link).expect("symlink");
    let mut first = h
        .import_cmd(
            t,
            &input,
            &h.path("a.checkpoint"),
            &["--rate", "20/s", "--quiet"],
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the first run");
    // Once the first run writes it holds its lock (and has 5 s of work left).
    common::wait_until(
        "the first run's first write",
        std::time::Duration::from_secs(60),
        || h.writes() > 0 || first.try_wait().expect("wait").is_some(),
    );
    let second = h.import(t, &link, &h.path("b.checkpoint"), &["--rate", "200/s"]);
    let first = first.wait_with_output().expect("the first run");
    second.assert_code(2);
    assert!(
        second.stderr.contains("another bulkline run") && second.stderr.contains("a.checkpoint"),
        "{second}"
    );
    assert_eq!(first.status.code(), Some(0));
    assert_exactly_once(&h, t, 0..100);
    // Once the first is done, a new journal for the same list in create mode is refused too:
    // it would create everyone a second time.
    let third = h.import(t, &link, &h.path("b.checkpoint"), &["--mode", "create"]);
    third.assert_code(2);
    assert!(third.stderr.contains("--checkpoint"), "{third}");
}

/// A resume with another mapping is refused, naming the option and both values.
#[test]
fn a_resume_with_another_mapping_is_refused() {
    let t = Target::ZOOM;
    let h = Harness::new(SandboxConfig {
        books_daily_quota: None,
        ..common::config()
    });
    let input = h.write_csv("in.csv", &rows(0..5));
    let cp = h.path("x.checkpoint");
    h.import(t, &input, &cp, &[]).assert_code(0);
    let other = h.import(t, &input, &cp, &["--map", "company=Email"]);
    other.assert_code(2);
    assert!(
        other.stderr.contains("option map") || other.stderr.contains("option mapping"),
        "{other}"
    );
    assert!(other.stderr.contains("--restart"), "{other}");
}

/// Paths that would destroy data are refused before anything happens.
#[test]
fn paths_that_destroy_data_are_refused() {
    let t = Target::ZOOM;
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..3));
    let original = std::fs::read(&input).expect("read");
    // The journal is the input: refused, even with --restart, and the input stays.
    for extra in [&[][..], &["--restart"][..]] {
        let run = h.import(t, &input, &input, extra);
        run.assert_code(2);
        assert_eq!(std::fs::read(&input).expect("read"), original, "{run}");
    }
    // A report that is the input, or two outputs that are one file.
    let cp = h.path("x.checkpoint");
    let inp = input.to_string_lossy().into_owned();
    let r = h.path("r.csv").to_string_lossy().into_owned();
    h.import(t, &input, &cp, &["--errors", &inp]).assert_code(2);
    let both = h.import(t, &input, &cp, &["--errors", &r, "--report", &r]);
    both.assert_code(2);
    assert!(both.stderr.contains("same file"), "{both}");
    assert!(h.ids(t).is_empty(), "a refused run sent something");
    // A journal that is a directory.
    h.import(t, &input, h.dir.path(), &[]).assert_code(2);
    assert_eq!(std::fs::read(&input).expect("read"), original);
}

/// A journal path that is a character device is refused and left as it is (needs root to
/// make one; skipped otherwise).
#[test]
fn a_journal_that_is_a_device_is_refused_and_left_alone() {
    let h = Harness::new(common::config());
    let dev = h.path("null");
    let c = std::ffi::CString::new(dev.to_string_lossy().as_bytes()).expect("path");
    // SAFETY: mknod with a valid NUL-terminated path; the device is /dev/null's (1, 3).
    let made = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
    if made != 0 {
        eprintln!("skipped: cannot make a character device here (not root?)");
        return;
    }
    let input = h.write_csv("in.csv", &rows(0..2));
    for extra in [&[][..], &["--restart"][..]] {
        let run = h.import(Target::ZOOM, &input, &dev, extra);
        run.assert_code(2);
        assert!(run.stderr.contains("character device"), "{run}");
        let meta = std::fs::symlink_metadata(&dev).expect("the device is still there");
        use std::os::unix::fs::FileTypeExt;
        assert!(meta.file_type().is_char_device(), "{run}");
    }
    assert!(h.ids(Target::ZOOM).is_empty());
}

/// An address book or a Books contact that does not exist is a configuration error (exit 2),
/// found before anything is sent, not "run the same command again".
#[test]
fn a_destination_that_does_not_exist_is_a_configuration_error() {
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..3));
    for (to, flag, mode) in [
        ("zoom-cc", "--address-book-id", "upsert"),
        ("zoom-cc", "--address-book-id", "create"),
        ("zoho-books", "--books-contact-id", "upsert"),
    ] {
        let out = h
            .api_command()
            .arg("import")
            .arg(&input)
            .args(["--to", to, flag, "999999", "--mode", mode, "--json"])
            .arg("--checkpoint")
            .arg(h.path(&format!("{to}-{mode}.checkpoint")))
            .args(h.url_args())
            .output()
            .expect("run bulkline import");
        let run = Run::from_output(out);
        run.assert_code(2);
        assert!(run.stderr.contains("999999"), "{run}");
        assert!(!run.stderr.contains("resume with"), "{run}");
    }
    assert_eq!(h.writes(), 0);
}

/// Starts an import into Zoom CC (20/s, 2 in flight, `extra`), lets it create 5 contacts, then
/// has the sandbox hold every answer for 30 s, and returns the running child (stderr piped).
fn start_then_hang(
    h: &Harness,
    input: &Path,
    cp: &Path,
    extra: &[&str],
    grace: Option<&str>,
) -> std::process::Child {
    let mut args = vec!["--rate", "20/s", "--concurrency", "2", "--quiet"];
    args.extend_from_slice(extra);
    let mut cmd = h.import_cmd(Target::ZOOM, input, cp, &args);
    if let Some(ms) = grace {
        cmd.env("BULKLINE_STOP_GRACE_MS", ms);
    }
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start bulkline import");
    common::wait_until(
        "5 contacts created",
        std::time::Duration::from_secs(60),
        || h.sb.zoom_contacts().len() >= 5 || child.try_wait().expect("wait").is_some(),
    );
    h.patch(&patch(|p| p.latency_ms = Some(30_000)));
    std::thread::sleep(std::time::Duration::from_millis(500));
    child
}

/// The first signal lets the requests already sent finish, but not forever: with every
/// answer held for 30 s, a SIGINT stops the run after its grace (10 s, set to 1 s here by
/// BULKLINE_STOP_GRACE_MS so that the test does not wait 10 s), exit 4, and the same
/// command then finishes the job with every contact once.
#[test]
fn a_signal_does_not_wait_forever_for_a_hung_request() {
    let t = Target::ZOOM;
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..100));
    let cp = h.path("x.checkpoint");
    let child = start_then_hang(&h, &input, &cp, &[], Some("1000"));
    let signalled = std::time::Instant::now();
    signal(&child, libc::SIGINT);
    let out = child.wait_with_output().expect("wait");
    let waited = signalled.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        waited < std::time::Duration::from_secs(25),
        "the run waited {waited:?} for answers held 30 s"
    );
    assert!(stderr.contains("resume with:"), "{stderr}");
    assert!(in_flight(&cp) <= 2);
    h.patch(&patch(|p| p.latency_ms = Some(0)));
    let run = h.import(t, &input, &cp, &SHORT_LATE_WRITES);
    run.assert_code(0);
    assert_exactly_once(&h, t, 0..100);
}

/// Starts a 60-row Zoom import that writes both reports, then hangs it (see
/// [`start_then_hang`]): its input, its checkpoint, the report options and the process.
fn start_with_reports_then_hang(h: &Harness) -> (PathBuf, PathBuf, Vec<String>, Child) {
    let input = h.write_csv("in.csv", &rows(0..60));
    let cp = h.path("x.checkpoint");
    let mut reports = Vec::new();
    for (option, name) in [("--errors", "errors.csv"), ("--report", "report.csv")] {
        reports.push(option.to_string());
        reports.push(h.path(name).to_string_lossy().into_owned());
    }
    let args: Vec<&str> = reports.iter().map(String::as_str).collect();
    let child = start_then_hang(h, &input, &cp, &args, None);
    (input, cp, reports, child)
}

/// A second signal stops at once: no waiting for the hung requests, still exit 4, no part
/// file left, and the same command finishes the job.
#[test]
fn a_second_signal_stops_at_once() {
    let t = Target::ZOOM;
    let h = Harness::new(common::config());
    let (input, cp, _, child) = start_with_reports_then_hang(&h);
    let signalled = std::time::Instant::now();
    for _ in 0..2 {
        signal(&child, libc::SIGINT);
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let out = child.wait_with_output().expect("wait");
    let waited = signalled.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        waited < std::time::Duration::from_secs(8),
        "a second signal still waited {waited:?}"
    );
    assert!(stderr.contains("at once"), "{stderr}");
    assert!(h.part_files().is_empty(), "{:?}", h.part_files());
    h.patch(&patch(|p| p.latency_ms = Some(0)));
    let run = h.import(t, &input, &cp, &SHORT_LATE_WRITES);
    run.assert_code(0);
    assert_exactly_once(&h, t, 0..60);
}

/// SIGKILL leaves the reports' part files behind (nothing can remove them then); the next
/// run in that directory removes them once they are a minute old, and finishes the job.
#[test]
fn a_killed_runs_part_files_are_removed_by_the_next_run() {
    let t = Target::ZOOM;
    let h = Harness::new(common::config());
    let (input, cp, reports, mut child) = start_with_reports_then_hang(&h);
    let mut extra: Vec<&str> = reports.iter().map(String::as_str).collect();
    extra.extend(SHORT_LATE_WRITES);
    child.kill().expect("SIGKILL");
    child.wait().expect("wait");
    let parts = || {
        let mut parts = h.part_files();
        parts.sort();
        parts
    };
    let left = parts();
    assert!(!left.is_empty(), "the killed run had its reports open");
    // Just left, they might be a run's that is starting: the next run keeps them.
    h.patch(&patch(|p| p.latency_ms = Some(0)));
    let again = h.import(t, &input, &cp, &extra);
    again.assert_code(0);
    assert_eq!(parts(), left, "a part a moment old is not removed");
    for part in &left {
        let file = std::fs::File::options().write(true).open(part).unwrap();
        let written = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
        file.set_modified(written).unwrap();
    }
    let last = h.import(t, &input, &cp, &extra);
    last.assert_code(0);
    assert!(h.part_files().is_empty(), "{:?}", h.part_files());
    assert_exactly_once(&h, t, 0..60);
}

/// An undo of more than 100 records with no terminal to confirm on is refused without --yes,
/// and deletes nothing.
#[test]
fn a_large_undo_needs_a_confirmation() {
    let t = Target::ZOOM;
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..101));
    let cp = h.path("x.checkpoint");
    h.import(t, &input, &cp, &["--rate", "1000/s"])
        .assert_code(0);
    let out = h
        .api_command()
        .arg("undo")
        .arg(&cp)
        .args(h.url_args())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run bulkline undo");
    let run = Run::from_output(out);
    run.assert_code(2);
    assert!(run.stderr.contains("--yes"), "{run}");
    assert_eq!(h.ids(t).len(), 101);
    assert_eq!(h.writes_of("DELETE"), 0);
}
