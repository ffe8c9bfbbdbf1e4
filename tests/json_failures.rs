//! `--json` answers always: a command that fails (a usage error after parsing, a
//! configuration error, a fatal error, a stop) prints exactly one JSON object on stdout with
//! `command`, `exit_code` and `error` (`message`, `hint`), and still says what failed on
//! stderr.

mod common;

use std::process::{Command, Stdio};

use common::{Harness, config, rows};
use serde_json::Value;

/// Runs `c`: its exit code, its stdout as exactly one JSON object, and its stderr.
fn answer(what: &str, mut c: Command) -> (i32, Value, String) {
    let out = c.stdin(Stdio::null()).output().expect("run bulkline");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().expect("an exit code");
    assert_eq!(
        stdout.lines().count(),
        1,
        "{what}: one line on stdout: {stdout}\n{stderr}"
    );
    let v: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{what}: stdout is not one JSON value ({e}): {stdout}"));
    assert!(v.is_object(), "{what}: {stdout}");
    (code, v, stderr)
}

/// `c` fails with `code`: one object naming the command, the code and the error, which
/// stderr says too; returns the error's message.
#[track_caller]
fn fails_with(what: &str, command: &str, code: i32, c: Command) -> String {
    let (got, v, stderr) = answer(what, c);
    assert_eq!(got, code, "{what}: {v}\n{stderr}");
    assert_eq!(v["command"], command, "{what}: {v}");
    assert_eq!(v["exit_code"], code, "{what}: {v}");
    let message = v["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no error message: {v}"))
        .to_string();
    assert!(!message.is_empty(), "{what}: {v}");
    assert!(
        v["error"].get("hint").is_some(),
        "{what}: the error has a hint field (null when none): {v}"
    );
    assert!(
        stderr.contains(&format!("bulkline: error: {message}")),
        "{what}: the error is on stderr too: {stderr}"
    );
    message
}

#[test]
fn clean_of_a_missing_input() {
    let h = Harness::new(config());
    let mut c = h.command();
    c.arg("clean")
        .arg(h.path("missing.csv"))
        .arg("-o")
        .arg(h.path("out.csv"))
        .arg("--json");
    let message = fails_with("clean", "clean", 3, c);
    assert!(message.contains("missing.csv"), "{message}");
}

#[test]
fn import_with_a_bad_option_value_or_no_credentials() {
    let h = Harness::new(config());
    let input = h.write_csv("list.csv", &rows(0..3));
    let mut c = h.api_command();
    c.arg("import")
        .arg(&input)
        .args(["--to", "zoho-voice", "--default-region", "XX", "--json"])
        .args(h.url_args());
    let message = fails_with("import --default-region XX", "import", 2, c);
    assert!(message.contains("--default-region"), "{message}");

    // No credentials at all (the harness's plain command has none).
    let mut c = h.command();
    c.arg("import")
        .arg(&input)
        .args(["--to", "zoho-voice", "--json"])
        .args(h.url_args());
    let message = fails_with("import without credentials", "import", 2, c);
    assert!(message.contains("ZOHO_CLIENT_ID"), "{message}");
    assert_eq!(h.writes(), 0);
}

#[test]
fn check_with_refused_credentials() {
    let h = Harness::new(config());
    let mut c = h.api_command();
    c.env("ZOHO_CLIENT_SECRET", "not-the-secret")
        .args(["check", "--to", "zoho-voice", "--json"])
        .args(h.url_args());
    fails_with("check", "check", 2, c);
}

/// `export --json` from Zoho Voice at an address nothing answers, with no retries, writing
/// `out`; tokens come from `accounts`.
fn unreachable_export(h: &Harness, out: &std::path::Path, accounts: &str) -> Command {
    let mut c = h.api_command();
    c.args([
        "export",
        "--from",
        "zoho-voice",
        "--json",
        "--max-retries",
        "0",
    ])
    .arg("--output")
    .arg(out)
    .args([
        "--base-url",
        "http://127.0.0.1:1",
        "--accounts-url",
        accounts,
    ]);
    c
}

#[test]
fn export_from_an_unreachable_api() {
    let h = Harness::new(config());
    let c = unreachable_export(&h, &h.path("out.csv"), "http://127.0.0.1:1");
    fails_with("export", "export", 4, c);
    assert!(!h.path("out.csv").exists());
}

#[test]
fn a_bad_config_file() {
    let h = Harness::new(config());
    let file = h.path("bad.toml");
    std::fs::write(&file, "rate = [\n").expect("write the config file");
    let mut c = h.command();
    c.arg("--config").arg(&file).args(["config", "--json"]);
    let message = fails_with("config", "config", 2, c);
    assert!(message.contains("bad.toml"), "{message}");
}

#[test]
fn a_refusal_to_mix_data_and_json_on_stdout_is_an_answer_too() {
    let h = Harness::new(config());
    let input = h.write_csv("list.csv", &rows(0..3));
    let mut c = h.command();
    c.arg("clean").arg(&input).arg("--json");
    let message = fails_with("clean without -o", "clean", 2, c);
    assert!(
        message.contains("--json prints the summary on stdout"),
        "{message}"
    );
}

#[test]
fn a_stopped_run_answers_with_how_to_resume() {
    let h = Harness::new(config());
    let input = h.write_csv("list.csv", &rows(0..3));
    let cp = h.path("list.checkpoint");
    // The API is unreachable once the run has begun: the token endpoint answers, the API
    // does not.
    let mut c = h.api_command();
    c.arg("import")
        .arg(&input)
        .args(["--to", "zoho-voice", "--json", "--max-retries", "0"])
        .arg("--checkpoint")
        .arg(&cp)
        .args(["--base-url", "http://127.0.0.1:1", "--accounts-url"])
        .arg(h.sb.url());
    let (code, v, stderr) = answer("import of an unreachable API", c);
    assert_eq!(code, 4, "{v}\n{stderr}");
    assert_eq!(v["exit_code"], 4, "{v}");
    assert_eq!(v["command"], "import", "{v}");
    let resume = v["resume"]
        .as_str()
        .unwrap_or_else(|| panic!("no resume line: {v}"));
    assert!(resume.starts_with("bulkline import "), "{resume}");
    assert!(
        stderr.contains(&format!("resume with: {resume}")),
        "{stderr}"
    );
}

#[test]
fn a_stopped_command_with_no_journal_names_no_resume() {
    let h = Harness::new(config());
    let out = h.path("out.csv");
    // Export keeps no journal: the API unreachable stops it (exit 4), and running it again
    // starts again, so no "resume with" line is given.
    let c = unreachable_export(&h, &out, &h.sb.url());
    let (code, v, stderr) = answer("export of an unreachable API", c);
    assert_eq!(code, 4, "{v}\n{stderr}");
    assert_eq!(v["exit_code"], 4, "{v}");
    assert_eq!(v["command"], "export", "{v}");
    assert!(v.get("resume").is_none(), "{v}");
    assert!(!stderr.contains("resume with"), "{stderr}");
}
