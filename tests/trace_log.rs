//! The request trace (`-v`, `-vv`, `--log`): every request the sandbox received is in the log,
//! token renewals included, and no secret is: not the client secret, not the refresh token,
//! not one of the access tokens the sandbox issued, at any level. With `--log`, the terminal
//! gets no trace line.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use bulkline::sandbox::{SandboxConfig, seed};
use common::{Harness, Target, assert_exactly_once, rows};

/// The secrets a trace must never hold: the seeded credentials (and Zoom's basic
/// authentication made of them) and every access token the sandbox issued.
fn secrets(h: &Harness) -> Vec<String> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        seed::CLIENT_ID,
        seed::CLIENT_SECRET
    ));
    let mut all = vec![
        seed::CLIENT_SECRET.to_string(),
        seed::REFRESH_TOKEN.to_string(),
        basic,
    ];
    all.extend(h.sb.access_tokens());
    all
}

#[track_caller]
fn assert_no_secret(h: &Harness, text: &str, what: &str) {
    let tokens = h.sb.access_tokens();
    assert!(!tokens.is_empty(), "the sandbox issued no token");
    for secret in secrets(h) {
        assert!(
            !text.contains(&secret),
            "{what} holds the secret {secret:?}:\n{text}"
        );
    }
}

/// One traced request or token request: its method, its path without the query, its status
/// (none for a token request).
#[derive(Debug)]
struct Traced {
    method: String,
    path: String,
    status: Option<u16>,
}

/// The `request` and `token` lines of a trace (not `-vv`'s `body` lines).
fn traced(log: &str) -> Vec<Traced> {
    log.lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            if words.get(1) != Some(&"INFO") || !matches!(words.get(2), Some(&"request" | &"token"))
            {
                return None;
            }
            let field = |name: &str| {
                words
                    .iter()
                    .find_map(|w| w.strip_prefix(name)?.strip_prefix('='))
            };
            let path = field("path")?;
            Some(Traced {
                method: field("method")?.to_string(),
                path: path.split('?').next().unwrap_or(path).to_string(),
                status: field("status").and_then(|s| s.parse().ok()),
            })
        })
        .collect()
}

/// The sandbox's endpoint label (`GET /rest/json/zv/contacts/{id}`) that `t` was counted
/// under: the one whose literal segments match most.
fn label_of<'a>(t: &Traced, labels: &[&'a str]) -> Option<&'a str> {
    let segments: Vec<&str> = t.path.split('/').collect();
    labels
        .iter()
        .filter_map(|label| {
            let (method, path) = label.split_once(' ')?;
            let wanted: Vec<&str> = path.split('/').collect();
            if method != t.method || wanted.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (w, s) in wanted.iter().zip(&segments) {
                if w.starts_with('{') {
                    continue;
                }
                if w != s {
                    return None;
                }
                literal += 1;
            }
            Some((literal, *label))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, label)| label)
}

/// Requests per endpoint label, as the sandbox counted them and as the trace shows them.
fn per_endpoint(h: &Harness, log: &str) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let counted: BTreeMap<String, u64> =
        h.sb.stats()
            .requests
            .iter()
            .filter(|(label, _)| !matches!(label.as_str(), "ADMIN" | "UNKNOWN"))
            .map(|(label, by_status)| (label.clone(), by_status.values().sum()))
            .collect();
    let labels: Vec<&str> = counted.keys().map(String::as_str).collect();
    let mut seen = BTreeMap::new();
    for t in traced(log) {
        let label = label_of(&t, &labels).map_or_else(
            || format!("{} {} (unknown)", t.method, t.path),
            str::to_string,
        );
        *seen.entry(label).or_default() += 1;
    }
    (counted, seen)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Lines a trace writes (on stderr they must not be).
fn trace_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.contains(" method=") || l.contains(" INFO ") || l.contains(" DEBUG "))
        .collect()
}

fn every_request_is_logged(t: Target) {
    let h = Harness::new(SandboxConfig {
        // Renewed at three quarters of their life: several tokens in a run of 5 s or more.
        token_ttl_secs: 4,
        fault_rate: 0.1,
        ..common::config()
    });
    let input = h.write_csv("in.csv", &rows(0..60));
    let log = h.path("trace.log");
    let run = h.import(
        t,
        &input,
        &h.path("x.checkpoint"),
        &["--rate", "12/s", "-v", "--log", &log.to_string_lossy()],
    );
    run.assert_code(0);
    assert_eq!(run.num("created"), 60, "{run}");
    assert_exactly_once(&h, t, 0..60);
    let (zoho, zoom) = h.sb.tokens_issued();
    assert!(
        zoho + zoom >= 2,
        "{}: no token was renewed during the run ({zoho} + {zoom}): {run}",
        t.name()
    );
    assert!(h.sb.stats().injected_500 > 0, "no fault was injected");

    let text = read(&log);
    let (counted, seen) = per_endpoint(&h, &text);
    assert_eq!(
        seen,
        counted,
        "{}: the log and the sandbox differ",
        t.name()
    );
    let errors = traced(&text)
        .iter()
        .filter(|t| t.status == Some(500))
        .count() as u64;
    assert_eq!(errors, h.sb.stats().injected_500, "500s in the log");
    assert!(
        text.contains("retry=\"5xx\""),
        "no retry was traced:\n{text}"
    );
    assert!(!text.contains(" DEBUG "), "-v wrote -vv's bodies:\n{text}");
    assert_no_secret(&h, &text, "the log");
    assert_no_secret(&h, &run.stderr, "stderr");
    let on_terminal = trace_lines(&run.stderr);
    assert!(
        on_terminal.is_empty(),
        "trace lines on stderr with --log: {on_terminal:#?}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&log)
            .expect("the log")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the log's mode");
    }
}

#[test]
fn a_zoho_log_holds_every_request_and_no_secret() {
    every_request_is_logged(Target::VOICE);
}

#[test]
fn a_zoom_log_holds_every_request_and_no_secret() {
    every_request_is_logged(Target::ZOOM);
}

/// `-vv` with the log named by `BULKLINE_LOG`: the bodies are there, redacted; the log is
/// appended to.
#[test]
fn very_verbose_logs_bodies_but_no_secret() {
    let t = Target::VOICE;
    let h = Harness::new(SandboxConfig {
        token_ttl_secs: 3,
        fault_rate: 0.1,
        ..common::config()
    });
    let input = h.write_csv("in.csv", &rows(0..30));
    let log = h.path("trace.log");
    std::fs::write(&log, "an earlier line\n").expect("write");
    let out = h
        .import_cmd(
            t,
            &input,
            &h.path("x.checkpoint"),
            &["--rate", "10/s", "-vv"],
        )
        .arg("--json")
        .env("BULKLINE_LOG", &log)
        .output()
        .expect("run bulkline import");
    let run = common::Run::from_output(out);
    run.assert_code(0);
    assert_eq!(run.num("created"), 30, "{run}");
    let text = read(&log);
    assert!(
        text.starts_with("an earlier line\n"),
        "not appended:\n{text}"
    );
    let bodies: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" DEBUG body "))
        .collect();
    assert!(
        bodies
            .iter()
            .any(|l| l.contains("answer={") && l.contains("First1")),
        "no answer body in the log:\n{text}"
    );
    assert!(
        bodies
            .iter()
            .any(|l| l.contains("request=contact=") && l.contains("Last2")),
        "no request body in the log:\n{text}"
    );
    let (counted, seen) = per_endpoint(&h, &text);
    assert_eq!(seen, counted, "the log and the sandbox differ");
    assert_no_secret(&h, &text, "the -vv log");
    assert_no_secret(&h, &run.stderr, "stderr");
    assert!(trace_lines(&run.stderr).is_empty(), "{run}");
}

/// `-v` without `--log`: the trace is on stderr, beside the progress, and still holds no
/// secret.
#[test]
fn verbose_alone_traces_on_stderr() {
    let t = Target::ZOOM;
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..3));
    let run = h.import(t, &input, &h.path("x.checkpoint"), &["-v"]);
    run.assert_code(0);
    let traced = traced(&run.stderr);
    assert!(
        traced
            .iter()
            .any(|t| t.method == "POST" && t.status == Some(201)),
        "{run}"
    );
    assert!(traced.iter().any(|t| t.path == "/oauth/token"), "{run}");
    assert_no_secret(&h, &run.stderr, "stderr");
}

/// A log that cannot be opened stops the command before anything is sent: exit 3 (an I/O
/// error), one line naming the file.
#[test]
fn a_log_that_cannot_be_opened_is_an_io_error() {
    let t = Target::VOICE;
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..3));
    let log = h.path("missing/trace.log");
    let run = h.import(
        t,
        &input,
        &h.path("x.checkpoint"),
        &["--log", &log.to_string_lossy()],
    );
    run.assert_code(3);
    assert!(
        run.stderr.contains("cannot open the log file") && run.stderr.contains("missing"),
        "{run}"
    );
    assert!(
        h.sb.stats().requests.is_empty(),
        "requests were sent: {run}"
    );
}
