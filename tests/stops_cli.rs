//! How runs stop, against the real binary: SIGHUP is a stop like SIGINT and SIGTERM, a
//! file-size limit is a fatal error naming the file (not a kill by SIGXFSZ), an output that is
//! a named pipe nobody reads does not outlast the first signal, and `check` asks for a new
//! token every time (wrong credentials are found even when a good token is cached). The
//! harness is in `tests/common`.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use bulkline::sandbox::SandboxConfig;
use common::{Harness, Row, Run, Target, assert_exactly_once, rows, signal};

mod common;

/// Waits for `child` at most `limit`; kills it and fails the test when it is still running.
fn wait_within(mut child: Child, limit: Duration, what: &str) -> (Output, Duration) {
    let started = Instant::now();
    loop {
        match child.try_wait().expect("wait for the child") {
            Some(_) => break,
            None if started.elapsed() > limit => {
                let _ = child.kill();
                let out = child.wait_with_output().expect("wait");
                panic!(
                    "{what}: still running {limit:?} later (killed)\n--- stderr\n{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let waited = started.elapsed();
    (child.wait_with_output().expect("wait"), waited)
}

/// SIGHUP (the terminal closed, or `kill -HUP`) is a stop like the first SIGINT: the requests
/// already sent finish, the reports are written and no part file is left, the run says how to
/// resume and exits 4; the same command then finishes the job with every contact once.
#[test]
fn sighup_stops_an_import_cleanly_and_it_resumes() {
    let t = Target::ZOOM;
    let h = Harness::new(SandboxConfig {
        latency_ms: 40,
        ..common::config()
    });
    let input = h.write_csv("in.csv", &rows(0..200));
    let cp = h.path("x.checkpoint");
    let errors = h.path("errors.csv");
    let report = h.path("report.csv");
    let reports: Vec<String> = vec![
        "--errors".into(),
        errors.to_string_lossy().into_owned(),
        "--report".into(),
        report.to_string_lossy().into_owned(),
    ];
    let mut extra: Vec<&str> = reports.iter().map(String::as_str).collect();
    extra.extend(["--rate", "40/s", "--quiet"]);
    let child = h
        .import_cmd(t, &input, &cp, &extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start bulkline import");
    common::wait_until(
        "the import's first 10 creates",
        Duration::from_secs(60),
        || h.sb.zoom_contacts().len() >= 10,
    );
    signal(&child, libc::SIGHUP);
    let (out, _) = wait_within(child, Duration::from_secs(30), "an import after SIGHUP");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{:?}: {stderr}", out.status);
    assert!(stderr.contains("SIGHUP"), "{stderr}");
    assert!(stderr.contains("resume with:"), "{stderr}");
    assert!(h.part_files().is_empty(), "{:?}", h.part_files());
    assert!(report.exists(), "the report was written");
    let created = h.sb.zoom_contacts().len();
    assert!(created < 200, "the run stopped before the end ({created})");
    assert!(common::in_flight(&cp) == 0, "the requests sent finished");

    let again = h.import(t, &input, &cp, &extra[..4]);
    again.assert_code(0);
    assert_exactly_once(&h, t, 0..200);
}

/// A CSV of `n` generated rows in the harness's directory.
fn big_csv(h: &Harness, name: &str, n: u32) -> PathBuf {
    let all: Vec<Row> = rows(0..n);
    h.write_csv(name, &all)
}

/// `bulkline clean` with the file-size limit (RLIMIT_FSIZE) at `limit` bytes.
fn clean_limited(h: &Harness, input: &Path, args: &[&str], limit: u64) -> Run {
    let mut c = h.command();
    c.arg("clean").arg(input).args(args);
    // SAFETY: setrlimit(2) is async-signal-safe; the closure touches nothing else.
    unsafe {
        c.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    Run::from_output(c.output().expect("run bulkline clean"))
}

/// A file-size limit that an output outgrows is a fatal error (exit 3) that names the file
/// and the limit, not a kill by SIGXFSZ; no part file is left and no output appears.
#[test]
fn a_file_size_limit_is_a_fatal_error_naming_the_file() {
    let h = Harness::new(common::config());
    let input = big_csv(&h, "in.csv", 20_000);
    assert!(std::fs::metadata(&input).expect("input").len() > 1 << 20);
    let limit = 256 << 10;

    // The clean rows outgrow the limit.
    let out = h.path("out.csv");
    let run = clean_limited(&h, &input, &["-o", &out.to_string_lossy()], limit);
    run.assert_code(3);
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("bulkline: error:"))
        .unwrap_or_else(|| panic!("no error line: {run}"));
    assert!(line.contains(&*out.to_string_lossy()), "{run}");
    assert!(line.contains("file-size limit"), "{run}");
    assert!(!out.exists(), "{run}");
    assert!(h.part_files().is_empty(), "{:?}", h.part_files());

    // So does the error report (every row rejected: the clean rows go to stdout, unlimited).
    std::fs::write(
        h.path("bad.csv"),
        std::iter::once("name,phone\n".to_string())
            .chain((0..20_000).map(|n| format!("Person {n},not a number {n}\n")))
            .collect::<String>(),
    )
    .expect("write the input");
    let errors = h.path("errors.csv");
    let run = clean_limited(
        &h,
        &h.path("bad.csv"),
        &["-o", "-", "--errors", &errors.to_string_lossy()],
        limit,
    );
    run.assert_code(3);
    assert!(run.stderr.contains(&*errors.to_string_lossy()), "{run}");
    assert!(run.stderr.contains("file-size limit"), "{run}");
    assert!(!errors.exists(), "{run}");
    assert!(h.part_files().is_empty(), "{:?}", h.part_files());
}

/// Makes a named pipe at `path`.
fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("a path");
    // SAFETY: mkfifo(3) with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

/// An output that is a named pipe nobody opens for reading waits for a reader, but not past
/// the first signal: SIGTERM ends the run within moments, exit 4, and leaves no part file.
/// `-o` and `--errors` of `clean`, and `-o` of `export`.
#[test]
fn a_named_pipe_without_a_reader_does_not_outlast_a_signal() {
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..50));
    let fifo = h.path("pipe");
    mkfifo(&fifo);
    let fifo_arg = fifo.to_string_lossy().into_owned();
    let out = h.path("out.csv").to_string_lossy().into_owned();
    let zoom_book = bulkline::sandbox::seed::ZOOM_ADDRESS_BOOK_ID;
    let url_args = h.url_args();
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("clean -o FIFO", vec!["clean", "-o", &fifo_arg]),
        (
            "clean --errors FIFO",
            vec!["clean", "-o", &out, "--errors", &fifo_arg],
        ),
    ];
    for (what, args) in runs {
        let child = h
            .command()
            .args(&args[..1])
            .arg(&input)
            .args(&args[1..])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start bulkline");
        std::thread::sleep(Duration::from_millis(700));
        signal(&child, libc::SIGTERM);
        let (done, waited) = wait_within(child, Duration::from_secs(5), what);
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(4), "{what}: {stderr}");
        assert!(waited < Duration::from_secs(3), "{what}: {waited:?}");
        assert!(h.part_files().is_empty(), "{what}: {:?}", h.part_files());
    }

    // `export` picks its format from the extension.
    let fifo_csv = h.path("pipe.csv");
    mkfifo(&fifo_csv);
    let child = h
        .api_command()
        .args(["export", "--from", "zoom-cc", "-o"])
        .arg(&fifo_csv)
        .args(&url_args)
        .args(["--address-book-id", zoom_book])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start bulkline export");
    std::thread::sleep(Duration::from_millis(1500));
    signal(&child, libc::SIGTERM);
    let (done, waited) = wait_within(child, Duration::from_secs(5), "export -o FIFO");
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(4), "export: {stderr}");
    assert!(waited < Duration::from_secs(3), "export: {waited:?}");
    assert!(h.part_files().is_empty(), "{:?}", h.part_files());
}

/// Writing to a named pipe is legitimate: a reader that opens it after the run started gets
/// every row, and the pipe stays a pipe.
#[test]
fn a_named_pipe_gets_the_rows_once_a_reader_opens_it() {
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..50));
    let fifo = h.path("pipe");
    mkfifo(&fifo);
    let child = h
        .command()
        .arg("clean")
        .arg(&input)
        .arg("-o")
        .arg(&fifo)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start bulkline clean");
    std::thread::sleep(Duration::from_millis(500));
    let text = std::fs::read_to_string(&fifo).expect("read the pipe");
    let (done, _) = wait_within(child, Duration::from_secs(10), "clean -o FIFO");
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(text.lines().count(), 51, "{text}");
    let kind = std::fs::symlink_metadata(&fifo)
        .expect("the pipe")
        .file_type();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&kind));
}

/// `check` asks the token endpoint for a new token every time: a wrong client secret is
/// found (exit 2) even when a run with the right one left a good token in the cache.
#[test]
fn check_with_a_wrong_secret_fails_even_with_a_cached_token() {
    let t = Target::VOICE;
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &rows(0..3));
    h.import(t, &input, &h.path("x.checkpoint"), &[])
        .assert_code(0);
    let cached = std::fs::read_dir(h.path("cache").join("bulkline"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(cached > 0, "the import cached its token");

    let out = h
        .api_command()
        .env("ZOHO_CLIENT_SECRET", "not-the-secret")
        .args(["check", "--to", t.name()])
        .args(h.url_args())
        .output()
        .expect("run bulkline check");
    let run = Run::from_output(out);
    run.assert_code(2);
    assert!(run.stderr.contains("invalid_client"), "{run}");
    assert!(!run.stdout.contains("ready"), "{run}");

    // The right credentials pass, with a new token too.
    let out = h
        .api_command()
        .args(["check", "--to", t.name(), "--json"])
        .args(h.url_args())
        .output()
        .expect("run bulkline check");
    let run = Run::from_output(out);
    run.assert_code(0);
    assert_eq!(run.summary["token_requests"], 1, "{run}");
}
