//! One contract for every command: `--json` prints one JSON object on stdout, with the
//! command's name and exit code, and a command whose data would also go to stdout refuses
//! (exit 2, its answer the error) instead of mixing them.

mod common;

use std::process::{Command, Stdio};

use common::{Harness, Target, config, rows};

/// Runs `c` and returns its exit code and stdout.
fn run(mut c: Command) -> (Option<i32>, String, String) {
    let out = c.stdin(Stdio::null()).output().expect("run bulkline");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// stdout is exactly one JSON object, with the command's name and exit code.
fn one_object(what: &str, stdout: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{what}: stdout is not one JSON value ({e}): {stdout}"));
    assert!(v.is_object(), "{what}: {stdout}");
    let command = what.split(' ').next().unwrap_or(what);
    assert_eq!(v["command"], command, "{what}: {stdout}");
    assert!(v["exit_code"].is_u64(), "{what}: {stdout}");
    v
}

#[test]
fn every_command_prints_its_json_object_on_stdout() {
    let h = Harness::new(config());
    let input = h.write_csv("list.csv", &rows(0..5));
    let cp = h.path("list.checkpoint");
    let url = h.url_args();
    let api = |args: &[&str], paths: &[&std::path::Path]| {
        let mut c = h.api_command();
        c.args(args).args(paths).args(&url);
        c
    };

    let mut c = h.command();
    c.arg("clean")
        .arg(&input)
        .arg("-o")
        .arg(h.path("clean.csv"))
        .arg("--json");
    let (code, out, err) = run(c);
    assert_eq!(code, Some(0), "{err}");
    one_object("clean", &out);

    let imported = h.import(Target::VOICE, &input, &cp, &[]);
    imported.assert_code(0);
    assert!(imported.summary.is_object(), "{}", imported.stdout);
    one_object("import", &imported.stdout);

    let (code, out, err) = run(api(&["verify", "--to", "zoho-voice", "--json"], &[&input]));
    assert_eq!(code, Some(0), "{err}");
    one_object("verify", &out);

    let undone = h.undo(&cp);
    undone.assert_code(0);
    one_object("undo", &undone.stdout);

    let sms_cp = h.path("list.sms.checkpoint");
    let mut c = api(
        &["sms", "--message", "Hi", "--yes", "--json", "--checkpoint"],
        &[&sms_cp, &input],
    );
    c.args(["--rate", "200/s", "--log-catch-up", "0"]);
    let (code, out, err) = run(c);
    assert_eq!(code, Some(0), "{err}");
    one_object("sms", &out);

    let c = api(
        &["sms-status", "--json", "-o"],
        &[&h.path("status.csv"), &sms_cp],
    );
    let (code, out, err) = run(c);
    assert_eq!(code, Some(0), "{err}");
    one_object("sms-status", &out);

    let c = api(
        &["export", "--from", "zoho-voice", "--json", "-o"],
        &[&h.path("export.csv")],
    );
    let (code, out, err) = run(c);
    assert_eq!(code, Some(0), "{err}");
    one_object("export", &out);

    let (code, out, err) = run(api(&["check", "--to", "zoho-voice", "--json"], &[]));
    assert_eq!(code, Some(0), "{err}");
    one_object("check", &out);

    let mut c = h.command();
    c.args(["config", "--json"]);
    let (code, out, err) = run(c);
    assert_eq!(code, Some(0), "{err}");
    one_object("config", &out);
}

#[test]
fn json_and_data_on_stdout_is_refused_alike() {
    let h = Harness::new(config());
    let input = h.write_csv("list.csv", &rows(0..3));
    let cp = h.path("list.checkpoint");
    h.import(Target::VOICE, &input, &cp, &[]).assert_code(0);
    let url = h.url_args();
    let input_s = input.display().to_string();
    let cp_s = cp.display().to_string();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("clean", vec!["clean", &input_s, "--json"]),
        (
            "clean --errors -",
            vec![
                "clean",
                &input_s,
                "-o",
                "/dev/null",
                "--errors",
                "-",
                "--json",
            ],
        ),
        (
            "import --dry-run",
            vec![
                "import",
                &input_s,
                "--to",
                "zoho-voice",
                "--dry-run",
                "--json",
            ],
        ),
        (
            "import --report -",
            vec![
                "import",
                &input_s,
                "--to",
                "zoho-voice",
                "--report",
                "-",
                "--json",
            ],
        ),
        ("undo --dry-run", vec!["undo", &cp_s, "--dry-run", "--json"]),
        (
            "sms --report -",
            vec![
                "sms",
                &input_s,
                "--message",
                "Hi",
                "--report",
                "-",
                "--json",
            ],
        ),
        ("sms-status", vec!["sms-status", &cp_s, "--json"]),
        (
            "export -o -",
            vec!["export", "--from", "zoho-voice", "-o", "-", "--json"],
        ),
    ];
    let before =
        h.sb.stats()
            .requests
            .values()
            .flat_map(|m| m.values())
            .sum::<u64>();
    for (what, args) in cases {
        let mut c = h.api_command();
        c.args(&args);
        if args[0] != "clean" {
            c.args(&url);
        }
        let (code, out, err) = run(c);
        assert_eq!(code, Some(2), "{what}: {err}");
        // The answer is the refusal: no data.
        let answer = one_object(what, &out);
        assert_eq!(answer["exit_code"], 2, "{what}: {out}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("--json prints the summary on stdout")),
            "{what}: {out}"
        );
        assert!(
            err.contains("--json prints the summary on stdout"),
            "{what}: {err}"
        );
    }
    // Refused before anything was asked of the API.
    let after =
        h.sb.stats()
            .requests
            .values()
            .flat_map(|m| m.values())
            .sum::<u64>();
    assert_eq!(after, before);
}
