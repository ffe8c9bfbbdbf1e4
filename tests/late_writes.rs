//! Writes that land late, the real binary against a sandbox in this process: the sandbox
//! applies every contact write some seconds after it arrives (`write_delay_ms`), whether or
//! not its client is still there. A run killed during the delay, or a create answered after
//! the client's timeout, must still leave every contact on the target exactly once: the
//! resume (or the run) waits until such a write can no longer land, then looks for it. And a
//! create whose outcome stays unknown with no key to look it up by ends in the error file as
//! `outcome_unknown`, never in limbo. The harness is in `tests/common`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use bulkline::sandbox::SandboxConfig;
use common::{Harness, Row, Target, assert_exactly_once, in_flight, read_table, rows};

mod common;

/// The `_row` of every line of a CSV report (none when the file is missing).
fn report_rows(path: &Path) -> Vec<u64> {
    if !path.exists() {
        return Vec::new();
    }
    read_table(path)
        .iter()
        .map(|line| {
            line["_row"]
                .parse()
                .unwrap_or_else(|e| panic!("{}: _row: {e}", path.display()))
        })
        .collect()
}

/// Every data row 1..=n once across `reports`.
#[track_caller]
fn assert_every_row_once(n: u32, reports: &[&Path]) {
    let mut all: Vec<u64> = reports.iter().flat_map(|p| report_rows(p)).collect();
    all.sort_unstable();
    let want: Vec<u64> = (1..=u64::from(n)).collect();
    assert_eq!(all, want, "not every row once in the reports");
}

/// Waits until the sandbox holds at least one delayed write (so that a kill lands during the
/// delay, however long a loaded machine takes to start the binary).
fn wait_for_a_held_write(h: &Harness) {
    let started = Instant::now();
    while h.sb.stats().delayed_writes == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no write reached the sandbox"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `cmd` (an import, quiet) and SIGKILLs it 300 ms after the sandbox first holds one of
/// its writes: the kill lands while that write is in transit.
fn kill_during_a_held_write(h: &Harness, mut cmd: std::process::Command) {
    let mut child = cmd
        .arg("--quiet")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start bulkline import");
    wait_for_a_held_write(h);
    std::thread::sleep(Duration::from_millis(300));
    child.kill().expect("SIGKILL");
    let _ = child.wait();
}

/// Waits until every write the sandbox held has been applied (at most 15 s): what a run sent
/// late lands after it ended, and must be judged too.
fn wait_for_every_held_write(h: &Harness) {
    let started = Instant::now();
    loop {
        let stats = h.sb.stats();
        if stats.delayed_applied == stats.delayed_writes {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "delayed writes never landed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Writes delayed 2 s by the sandbox; the import is killed (SIGKILL) during the delay, with
/// creates on the wire; the same command run again must wait for them to land, then find
/// them, and create only the rest: every contact once, every row in the report.
fn a_killed_import_waits_for_its_late_writes(t: Target, n: u32, concurrency: &str) {
    let h = Harness::new(SandboxConfig {
        write_delay_ms: 2_000,
        ..common::config()
    });
    let input = h.write_csv("in.csv", &rows(0..n));
    let cp = h.path("x.checkpoint");
    let report = h.path("report.csv");
    let errors = h.path("errors.csv");
    let report_arg = report.to_string_lossy().into_owned();
    let errors_arg = errors.to_string_lossy().into_owned();
    // A short request timeout and catch-up, so that the test takes seconds, not 90; no canary,
    // so that the kill finds the run's full concurrency on the wire, not the canary's three.
    let args = [
        "--canary",
        "0",
        "--rate",
        "100/s",
        "--concurrency",
        concurrency,
        "--request-timeout",
        "4",
        "--write-catch-up",
        "1",
        "--report",
        &report_arg,
        "--errors",
        &errors_arg,
    ];
    kill_during_a_held_write(&h, h.import_cmd(t, &input, &cp, &args));
    let open = in_flight(&cp);
    assert!(open > 0, "{}: nothing was in flight at the kill", t.name());

    let rerun = h.import(t, &input, &cp, &args);
    let stats = h.sb.stats();
    wait_for_every_held_write(&h);
    assert_exactly_once(&h, t, 0..n);
    rerun.assert_code(0);
    assert!(
        rerun.stderr.contains("waiting") && rerun.stderr.contains("whose answer never came"),
        "{}: the re-run did not say it waits: {rerun}",
        t.name()
    );
    assert_eq!(
        stats.delayed_applied,
        stats.delayed_writes,
        "{}: the re-run ended before every delayed write landed",
        t.name()
    );
    assert_eq!(rerun.num("left"), 0, "{rerun}");
    assert_eq!(rerun.num("failed"), 0, "{rerun}");
    assert_eq!(rerun.num("conflicts"), 0, "{rerun}");
    assert_every_row_once(n, &[&report]);
    assert!(report_rows(&errors).is_empty(), "rows in the error file");
}

#[test]
fn a_killed_import_waits_for_its_late_writes_zoho_voice() {
    a_killed_import_waits_for_its_late_writes(Target::VOICE, 60, "20");
}

#[test]
fn a_killed_import_waits_for_its_late_writes_zoom_cc() {
    a_killed_import_waits_for_its_late_writes(Target::ZOOM, 60, "20");
}

/// Books takes at most 10 requests in flight per organization: fewer rows, fewer at once.
#[test]
fn a_killed_import_waits_for_its_late_writes_zoho_books() {
    a_killed_import_waits_for_its_late_writes(Target::BOOKS, 24, "8");
}

/// A signal while the resume waits for the late writes stops it at once and cleanly: exit 4,
/// how to resume, the rows still open in the journal; the next run finishes the job.
#[test]
fn a_signal_during_the_wait_stops_cleanly() {
    use std::io::BufRead as _;
    let t = Target::ZOOM;
    let n = 30;
    let h = Harness::new(SandboxConfig {
        write_delay_ms: 2_000,
        ..common::config()
    });
    let input = h.write_csv("in.csv", &rows(0..n));
    let cp = h.path("x.checkpoint");
    let args = [
        "--rate",
        "100/s",
        "--concurrency",
        "10",
        "--request-timeout",
        "4",
    ];
    let mut first = h.import_cmd(t, &input, &cp, &args);
    first.args(["--write-catch-up", "30"]);
    kill_during_a_held_write(&h, first);
    assert!(in_flight(&cp) > 0, "nothing was in flight at the kill");

    // The resume would wait half a minute: a SIGINT as soon as it says so.
    let mut resume = h
        .import_cmd(t, &input, &cp, &args)
        .args(["--write-catch-up", "30"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the resume");
    let stderr = resume.stderr.take().expect("stderr");
    let mut lines = std::io::BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("a line of stderr");
        let waiting = line.starts_with("waiting");
        seen.push(line);
        if waiting {
            break;
        }
    }
    assert!(
        seen.last().is_some_and(|l| l.starts_with("waiting")),
        "the resume never said it waits: {seen:#?}"
    );
    let signalled = Instant::now();
    common::signal(&resume, libc::SIGINT);
    seen.extend(lines.map_while(Result::ok));
    let status = resume.wait().expect("wait");
    let stopped_in = signalled.elapsed();
    let text = seen.join("\n");
    assert_eq!(status.code(), Some(4), "{text}");
    assert!(
        stopped_in < Duration::from_secs(5),
        "{stopped_in:?}: {text}"
    );
    assert!(text.contains("resume with:"), "{text}");
    let (_, journal) = bulkline::checkpoint::read_journal(&cp).expect("the journal");
    let counts = journal.counts();
    assert!(
        counts.unknown > 0 && counts.in_flight == 0,
        "the rows waited for stay open, as unknown, no longer in flight: {counts}"
    );

    // Resumed (with a shorter catch-up: the writes are old enough now), it finishes the job.
    let mut again = args.to_vec();
    again.extend(["--write-catch-up", "1"]);
    let last = h.import(t, &input, &cp, &again);
    last.assert_code(0);
    assert_eq!(last.num("left"), 0, "{last}");
    wait_for_every_held_write(&h);
    assert_exactly_once(&h, t, 0..n);
}

/// Every create is applied 3 s after it arrives and the client gives up after 1 s: each is a
/// timeout, with no kill. The run waits until they can no longer land, finds them all, and
/// creates nothing twice.
#[test]
fn creates_answered_after_the_timeout_are_found_not_sent_again() {
    let t = Target::ZOOM;
    let n = 20;
    let h = Harness::new(SandboxConfig {
        write_delay_ms: 3_000,
        ..common::config()
    });
    let input = h.write_csv("in.csv", &rows(0..n));
    let report = h.path("report.csv");
    let started = Instant::now();
    let run = h.import(
        t,
        &input,
        &h.path("x.checkpoint"),
        &[
            "--concurrency",
            "10",
            "--request-timeout",
            "1",
            "--write-catch-up",
            "3",
            "--report",
            &report.to_string_lossy(),
        ],
    );
    let took = started.elapsed();
    wait_for_every_held_write(&h);
    assert_exactly_once(&h, t, 0..n);
    run.assert_code(0);
    assert_eq!(run.num("created"), u64::from(n), "{run}");
    assert_eq!(run.num("left"), 0, "{run}");
    assert!(run.stderr.contains("waiting"), "{run}");
    // Each create's answer was lost at 1 s: it could land until 1 + 3 s after it was sent.
    assert!(took >= Duration::from_secs(4), "{took:?}: {run}");
    assert_every_row_once(n, &[&report]);
}

/// The rows of a `--match-by email` create with no e-mail, `n` in all: rows whose number is
/// odd have none.
fn rows_half_without_email(n: u32) -> Vec<Row> {
    rows(0..n)
        .into_iter()
        .map(|mut r| {
            if r.n % 2 == 1 {
                r.email = String::new();
            }
            r
        })
        .collect()
}

/// The lines of the error file with `_code` = `code`, by `_row`.
fn lines_with_code(path: &Path, code: &str) -> BTreeMap<u64, BTreeMap<String, String>> {
    read_table(path)
        .into_iter()
        .filter(|l| l["_code"] == code)
        .map(|l| {
            let row = l["_row"].parse().expect("a row number");
            (row, l)
        })
        .collect()
}

/// `--mode create --match-by email`, rows without an e-mail, creates applied then answered
/// 502: a row whose create is unknown and that has no e-mail to look it up by ends in the
/// error file as `outcome_unknown`, counted in the summary; every row ends somewhere; the
/// resume reports them again and does not exit 4; `undo --dry-run` names them.
#[test]
fn unknown_creates_without_a_key_end_in_the_error_file() {
    let t = Target::ZOOM;
    let n = 40;
    let h = Harness::new(SandboxConfig {
        ambiguous_rate: 0.4,
        ..common::config()
    });
    let input = h.write_csv("in.csv", &rows_half_without_email(n));
    let cp = h.path("x.checkpoint");
    let report = h.path("report.csv");
    let errors = h.path("errors.csv");
    let report_arg = report.to_string_lossy().into_owned();
    let errors_arg = errors.to_string_lossy().into_owned();
    let args = [
        "--mode",
        "create",
        "--match-by",
        "email",
        "--report",
        &report_arg,
        "--errors",
        &errors_arg,
    ];
    let first = h.import(t, &input, &cp, &args);
    assert!(h.sb.stats().ambiguous_502 > 0, "no 502 was injected");
    first.assert_code(1);
    assert_eq!(first.num("left"), 0, "{first}");
    let unknown = lines_with_code(&errors, "outcome_unknown");
    assert!(!unknown.is_empty(), "no outcome_unknown row: {first}");
    assert_eq!(
        first.num("outcome_unknown"),
        unknown.len() as u64,
        "{first}"
    );
    for (row, line) in &unknown {
        assert_eq!(line["Email"], "", "row {row} has an e-mail");
        assert!(
            !line["Mobile"].is_empty(),
            "row {row}: its columns are kept"
        );
        assert_eq!(line["_stage"], "remote");
    }
    assert_every_row_once(n, &[&report, &errors]);
    let records = h.mobiles(t).len();

    // The resume has nothing to send: it reports the same rows again, and does not exit 4.
    let writes = h.writes();
    let again = h.import(t, &input, &cp, &args);
    again.assert_code(1);
    assert_eq!(
        again.num("outcome_unknown"),
        unknown.len() as u64,
        "{again}"
    );
    assert_eq!(h.writes(), writes, "the resume sent writes");
    assert_eq!(h.mobiles(t).len(), records);
    assert_eq!(
        lines_with_code(&errors, "outcome_unknown")
            .keys()
            .collect::<Vec<_>>(),
        unknown.keys().collect::<Vec<_>>()
    );
    assert_every_row_once(n, &[&report, &errors]);

    // The undo names them, to check by hand.
    let out = h
        .undo_cmd(&cp, &["--dry-run"])
        .output()
        .expect("run bulkline undo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for row in unknown.keys() {
        assert!(
            stdout.contains(&format!("check by hand: row {row} ")),
            "row {row} not named:\n{stdout}\n{stderr}"
        );
    }
    assert!(stderr.contains("check rows"), "{stderr}");
}

/// An undo after a kill waits for the import's creates still in transit, however long the
/// request timeout plus the catch-up make that (here longer than the 10 s an undo used to
/// allow): after it, no record the import created remains, even one that landed late.
#[test]
fn an_undo_waits_for_creates_still_in_transit() {
    let t = Target::ZOOM;
    let h = Harness::new(SandboxConfig {
        write_delay_ms: 11_000,
        ..common::config()
    });
    let input = h.write_csv("in.csv", &rows(0..20));
    let cp = h.path("x.checkpoint");
    kill_during_a_held_write(
        &h,
        h.import_cmd(t, &input, &cp, &["--rate", "100/s", "--concurrency", "8"]),
    );
    assert!(in_flight(&cp) > 0, "nothing was in flight at the kill");
    // The creates on the wire stay held; the undo's deletes are answered at once.
    h.patch(&bulkline::sandbox::ConfigPatch {
        write_delay_ms: Some(0),
        ..Default::default()
    });
    let undo = h.undo_with(&cp, &["--request-timeout", "1", "--write-catch-up", "11"]);
    undo.assert_code(0);
    assert!(
        undo.stderr.contains("waiting"),
        "the undo says it waits: {undo}"
    );
    wait_for_every_held_write(&h);
    assert!(
        h.mobiles(t).is_empty(),
        "records the import created remain after the undo: {:?}",
        h.mobiles(t)
    );
}
