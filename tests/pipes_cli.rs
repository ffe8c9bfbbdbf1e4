//! A closed stdout (`bulkline ... | head`) ends every command quietly: no panic, nothing on
//! stderr, exit 0 (or the command's own code when it had finished its work). Each command that
//! writes to stdout is run 20 times into a reader that takes 10 bytes and closes the pipe;
//! outputs are made larger than a pipe's buffer where that is cheap, so that the write after
//! the close is certain. A real write error on stdout (a full disk) is still an error.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{Harness, Target, assert_exactly_once, config, rows};

/// Runs of each command.
const TIMES: usize = 20;

/// Runs `c` with its stdout read by a reader that takes 10 bytes and closes the pipe: its exit
/// code and its stderr.
fn cut_short(mut c: Command) -> (Option<i32>, String) {
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start bulkline");
    let mut stdout = child.stdout.take().expect("its stdout");
    let mut first = [0u8; 10];
    let read = stdout.read_exact(&mut first);
    drop(stdout);
    let out = child.wait_with_output().expect("wait for bulkline");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if let Err(e) = read {
        panic!(
            "no 10 bytes of output ({e}): exit {:?}\n{stderr}",
            out.status.code()
        );
    }
    (out.status.code(), stderr)
}

/// `make()`'s command, cut short [`TIMES`] times: never a panic, nothing on stderr, exit `code`.
#[track_caller]
fn quiet_every_time(what: &str, make: impl Fn() -> Command, code: i32) {
    for i in 1..=TIMES {
        let (got, stderr) = cut_short(make());
        assert_ne!(got, Some(101), "{what}, run {i}: a panic: {stderr}");
        assert!(stderr.is_empty(), "{what}, run {i}: stderr: {stderr}");
        assert_eq!(got, Some(code), "{what}, run {i}: {stderr}");
    }
}

/// The size of `make()`'s whole output, to show it outgrows a pipe's buffer (64 KiB).
fn output_size(mut c: Command) -> usize {
    let out = c.stdin(Stdio::null()).output().expect("run bulkline");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout.len()
}

/// `args` and `paths` at the sandbox, with its credentials and a fast rate.
fn at_sandbox(h: &Harness, args: &[&str], paths: &[&Path]) -> Command {
    let mut c = h.api_command();
    c.args(args)
        .args(paths)
        .args(h.url_args())
        .args(["--rate", "2000/s"]);
    c
}

#[test]
fn offline_commands_end_quietly() {
    let h = Harness::new(config());
    let input = h.write_csv("big.csv", &rows(0..3000));
    let clean = || {
        let mut c = h.command();
        c.arg("clean").arg(&input);
        c
    };
    assert!(output_size(clean()) > 1 << 16);
    quiet_every_time("clean", clean, 0);
    quiet_every_time(
        "clean -o -",
        || {
            let mut c = clean();
            c.args(["-o", "-", "--quiet"]);
            c
        },
        0,
    );
    for args in [
        &["config"][..],
        &["config", "--json"],
        &["auth", "status"],
        &["auth", "status", "--json"],
        &["completions", "bash"],
        &["man"],
        &["--help"],
        &["help", "import"],
        &["export", "--help"],
    ] {
        let run = || {
            let mut c = h.command();
            c.args(args);
            c
        };
        quiet_every_time(&args.join(" "), run, 0);
    }
}

#[test]
fn commands_at_the_sandbox_end_quietly() {
    // `check` asks for a new token each time: more than Zoho's 10 per 10 minutes.
    let h = Harness::new(bulkline::sandbox::SandboxConfig {
        zoho_token_requests_per_window: 1000,
        zoho_max_live_tokens: 1000,
        ..config()
    });
    h.sb.add_bulk_records(1000);
    // (--quiet: the progress goes to stderr.)
    let export = || {
        at_sandbox(
            &h,
            &["export", "--from", "zoho-voice", "-o", "-", "--quiet"],
            &[],
        )
    };
    assert!(output_size(export()) > 1 << 16);
    quiet_every_time("export -o -", export, 0);

    quiet_every_time(
        "check",
        || at_sandbox(&h, &["check", "--to", "zoho-voice"], &[]),
        0,
    );
    quiet_every_time(
        "check --json",
        || at_sandbox(&h, &["check", "--to", "zoho-voice", "--json"], &[]),
        0,
    );

    let small = h.write_csv("small.csv", &rows(0..5));
    h.import(Target::VOICE, &small, &h.path("small.checkpoint"), &[])
        .assert_code(0);
    quiet_every_time(
        "verify --json",
        || at_sandbox(&h, &["verify", "--to", "zoho-voice", "--json"], &[&small]),
        0,
    );

    // A dry run's plan on stdout: the plan is a report of the run, which goes on to its end
    // and exits with its own code.
    let plan_input = h.write_csv("plan.csv", &rows(10_000..11_000));
    let plan_cp = h.path("plan.checkpoint");
    // (--quiet: the summary of a dry run goes to stderr.)
    let dry_run = || {
        h.import_cmd(
            Target::VOICE,
            &plan_input,
            &plan_cp,
            &["--dry-run", "--quiet"],
        )
    };
    assert!(output_size(dry_run()) > 1 << 16);
    quiet_every_time("import --dry-run", dry_run, 0);
    let plan = h.path("plan.csv.report");
    quiet_every_time(
        "import --dry-run --json",
        || {
            let mut c = h.import_cmd(Target::VOICE, &plan_input, &plan_cp, &["--dry-run"]);
            c.args(["--json", "--quiet", "--report"]).arg(&plan);
            c
        },
        0,
    );
    assert!(
        !plan_cp.exists(),
        "a dry run keeps no journal: {}",
        plan_cp.display()
    );
}

#[test]
fn undo_dry_run_ends_quietly() {
    let h = Harness::new(config());
    let input = h.write_csv("list.csv", &rows(0..2500));
    let cp = h.path("list.checkpoint");
    h.import(Target::VOICE, &input, &cp, &["--rate", "5000/s"])
        .assert_code(0);
    let undo = || {
        let mut c = h.undo_cmd(&cp, &[]);
        c.arg("--dry-run");
        c
    };
    assert!(output_size(undo()) > 1 << 16);
    quiet_every_time("undo --dry-run", undo, 0);
    // Nothing was deleted.
    assert_exactly_once(&h, Target::VOICE, 0..2500);
}

#[test]
fn sms_status_and_a_dry_run_plan_end_quietly() {
    let h = Harness::new(config());
    let input = h.write_names_and_mobiles("list.csv", 0..1200);
    let cp = h.path("list.sms.checkpoint");
    h.sms(
        &input,
        &cp,
        &[
            "--message",
            "Hi {first_name}",
            "--yes",
            "--log-catch-up",
            "0",
        ],
    )
    .assert_code(0);
    let status = || at_sandbox(&h, &["sms-status"], &[&cp]);
    assert!(output_size(status()) > 1 << 16);
    quiet_every_time("sms-status", status, 0);
    quiet_every_time(
        "sms --dry-run",
        || {
            let mut c = h.sms_cmd(
                &input,
                &h.path("dry.sms.checkpoint"),
                &["--message", "Hello {first_name}", "--dry-run"],
            );
            c.args(["--report", "-"]);
            c
        },
        0,
    );
}

#[test]
fn an_import_whose_report_reader_goes_away_finishes_and_records_every_outcome() {
    let h = Harness::new(config());
    let input = h.write_csv("list.csv", &rows(0..1000));
    let cp = h.path("list.checkpoint");
    let mut c = h.import_cmd(Target::VOICE, &input, &cp, &["--rate", "5000/s"]);
    c.args(["--report", "-", "--quiet"]);
    let (code, stderr) = cut_short(c);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert_exactly_once(&h, Target::VOICE, 0..1000);
    assert_eq!(common::in_flight(&cp), 0);
    // The journal holds every outcome: the same command has nothing left to write.
    let writes = h.writes();
    let again = h.import(Target::VOICE, &input, &cp, &["--rate", "5000/s"]);
    again.assert_code(0);
    assert_eq!(h.writes(), writes, "{again}");
}

#[test]
fn a_full_disk_behind_stdout_is_still_an_error() {
    let h = Harness::new(config());
    let input = h.write_csv("list.csv", &rows(0..50));
    let full = || std::fs::File::create("/dev/full").expect("/dev/full");
    let mut clean = h.command();
    clean.arg("clean").arg(&input);
    let mut config_cmd = h.command();
    config_cmd.arg("config");
    for (what, mut c) in [("clean", clean), ("config", config_cmd)] {
        let out = c
            .stdin(Stdio::null())
            .stdout(full())
            .output()
            .expect("run bulkline");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{what}: {stderr}");
        assert!(
            stderr.contains("cannot write standard output") && stderr.contains("No space left"),
            "{what}: {stderr}"
        );
    }
}

#[test]
fn export_to_stdout_has_no_byte_order_mark() {
    let h = Harness::new(config());
    h.sb.add_bulk_records(3);
    let out = at_sandbox(
        &h,
        &["export", "--from", "zoho-voice", "-o", "-", "--quiet"],
        &[],
    )
    .stdin(Stdio::null())
    .output()
    .expect("run bulkline");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !out.stdout.starts_with(b"\xEF\xBB\xBF"),
        "{:?}",
        String::from_utf8_lossy(&out.stdout[..out.stdout.len().min(40)])
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let header = common::parse_table(&text);
    assert_eq!(header.len(), 3);
    assert!(header[0].contains_key("first_name"), "{text}");
    // A file for a spreadsheet keeps its mark.
    let file = h.path("contacts.csv");
    let mut c = at_sandbox(
        &h,
        &["export", "--from", "zoho-voice", "--quiet", "-o"],
        &[&file],
    );
    assert_eq!(c.status().expect("run bulkline").code(), Some(0));
    let bytes = std::fs::read(&file).expect("the export");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
}
