//! A run is known by what its rows mean and where they go, and the target's own record is the
//! guard: a list saved again by a spreadsheet, run from another state directory, resumed
//! against another account, or run twice at once through another spelling of the URL never
//! texts or creates anything twice. Judged by the sandbox's store, then a plain re-run must
//! serve everyone eligible.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bulkline::sandbox::{SandboxConfig, seed};
use common::{Harness, Run, Target, mobile, read_table, texts};

mod common;

/// `bulkline sms INPUT --checkpoint CP` at the sandbox of `h` (its URL as `url`), fast.
fn sms_cmd(h: &Harness, url: &str, input: &Path, cp: &Path, extra: &[&str]) -> Command {
    let mut c = h.api_command();
    c.arg("sms")
        .arg(input)
        .arg("--checkpoint")
        .arg(cp)
        .args(["--base-url", url, "--accounts-url", url, "--rate", "200/s"])
        .args(["--message", "Hi {first_name}, the sale starts today"])
        .args(extra)
        .arg("--json")
        .stdin(Stdio::null());
    c
}

/// `bulkline import INPUT --to T --checkpoint CP --json` with the environment of `h`, at the
/// sandbox reached through `url`, fast.
fn import_at(h: &Harness, url: &str, t: Target, input: &Path, cp: &Path, extra: &[&str]) -> Run {
    let mut c = h.api_command();
    c.arg("import")
        .arg(input)
        .args(["--to", t.name()])
        .arg("--checkpoint")
        .arg(cp)
        .args(["--base-url", url, "--accounts-url", url, "--rate", "200/s"])
        .args(seed::destination_args(t.name()))
        .args(extra)
        .arg("--json")
        .stdin(Stdio::null());
    run(c)
}

fn run(mut c: Command) -> Run {
    Run::from_output(c.output().expect("run bulkline"))
}

/// A CSV of rows `ns` (names, mobiles), with `\n` line ends.
fn list(ns: impl IntoIterator<Item = u32>) -> String {
    let mut s = String::from("First Name,Last Name,Mobile\n");
    for n in ns {
        s.push_str(&format!("First{n},Last{n},{}\n", mobile(n)));
    }
    s
}

fn write(h: &Harness, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = h.path(name);
    std::fs::write(&p, bytes).expect("write the list");
    p
}

/// Every number of `ns` texted exactly once, and nobody else.
#[track_caller]
fn assert_each_texted_once(h: &Harness, ns: impl IntoIterator<Item = u32>) {
    let by = texts(h);
    let twice: Vec<_> = by.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "texted twice: {twice:?}");
    let mut expected: Vec<String> = ns.into_iter().map(mobile).collect();
    expected.sort();
    assert_eq!(by.keys().cloned().collect::<Vec<_>>(), expected);
}

#[test]
fn a_list_saved_again_or_run_from_elsewhere_texts_nobody_twice() {
    let h = Harness::new(common::config());
    let url = h.sb.url();
    let plain = list(0..90);
    let original = write(&h, "list.csv", &plain);
    let first = run(sms_cmd(&h, &url, &original, &h.path("a.ck"), &[]));
    first.assert_code(0);
    assert_eq!(first.num("sent"), 90, "{first}");
    assert_each_texted_once(&h, 0..90);

    // The same rows saved with CRLF line ends, under another name and journal: the same list.
    let crlf = write(&h, "list (1).csv", plain.replace('\n', "\r\n"));
    let again = run(sms_cmd(&h, &url, &crlf, &h.path("b.ck"), &[]));
    again.assert_code(2);
    assert!(
        again.stderr.contains("already run") && again.stderr.contains("a.ck"),
        "{again}"
    );

    // With a byte-order mark, from another state directory (another machine): the state
    // directory knows nothing, the account's logs do.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(plain.as_bytes());
    let bom = write(&h, "list-bom.csv", bom);
    let errors = h.path("errors.csv");
    let mut c = sms_cmd(
        &h,
        &url,
        &bom,
        &h.path("c.ck"),
        &["--errors", errors.to_str().unwrap()],
    );
    c.env("BULKLINE_STATE_DIR", h.path("other-state"));
    let elsewhere = run(c);
    elsewhere.assert_code(1);
    assert_eq!(elsewhere.num("sent"), 0, "{elsewhere}");
    assert_eq!(elsewhere.num("already_texted"), 90, "{elsewhere}");
    let rejected = read_table(&errors);
    assert_eq!(rejected.len(), 90);
    assert!(rejected.iter().all(|r| r["_code"] == "already_texted"));
    assert_each_texted_once(&h, 0..90);

    // Liveness: the list grown by ten rows, from that other directory, texts the ten only.
    let grown = write(&h, "grown.csv", list(0..100).replace('\n', "\r\n"));
    let mut c = sms_cmd(&h, &url, &grown, &h.path("d.ck"), &[]);
    c.env("BULKLINE_STATE_DIR", h.path("other-state"));
    let more = run(c);
    more.assert_code(1);
    assert_eq!(more.num("sent"), 10, "{more}");
    assert_eq!(more.num("already_texted"), 90, "{more}");
    assert_each_texted_once(&h, 0..100);

    // A plain re-run of the first command sends nothing and says everyone was sent.
    let rerun = run(sms_cmd(&h, &url, &original, &h.path("a.ck"), &[]));
    rerun.assert_code(0);
    assert_eq!(rerun.num("sent"), 0, "{rerun}");
    assert_eq!(rerun.num("already_sent"), 90, "{rerun}");
    assert_each_texted_once(&h, 0..100);

    // The guard can be turned off: a restart with --repeat-window 0 texts again, knowingly.
    let off = run(sms_cmd(
        &h,
        &url,
        &original,
        &h.path("a.ck"),
        &["--restart", "--repeat-window", "0", "--yes"],
    ));
    off.assert_code(0);
    assert_eq!(off.num("sent"), 90, "{off}");
}

#[test]
fn a_resume_against_another_account_is_refused_and_a_restart_serves_it() {
    let a = Harness::new(common::config());
    let b = Harness::new(common::config());
    let input = a.write_csv("in.csv", &common::rows(0..30));
    for t in [Target::VOICE, Target::ZOOM] {
        let cp = a.path(&format!("{}.ck", t.name()));
        // Try on one sandbox, then run the same command against another account.
        a.import(t, &input, &cp, &[]).assert_code(0);
        assert_eq!(a.mobiles(t).len(), 30);
        let other = import_at(&a, &b.sb.url(), t, &input, &cp, &[]);
        other.assert_code(2);
        let host_a = format!("http://loopback:{}", a.sb.addr().port());
        let host_b = format!("http://loopback:{}", b.sb.addr().port());
        assert!(
            other.stderr.contains(&host_a) && other.stderr.contains(&host_b),
            "both places named: {other}"
        );
        assert!(other.stderr.contains("--restart"), "{other}");
        assert!(
            b.mobiles(t).is_empty(),
            "nothing written to the other account"
        );

        let restarted = import_at(&a, &b.sb.url(), t, &input, &cp, &["--restart"]);
        restarted.assert_code(0);
        assert_eq!(restarted.num("created"), 30, "{restarted}");
        let mut expected: Vec<String> = (0..30).map(mobile).collect();
        expected.sort();
        assert_eq!(b.mobiles(t), expected);
        assert_eq!(a.mobiles(t), expected, "the first account untouched");
    }

    // A campaign, likewise: its journal says 30 sent on the first account, none on the other.
    let list = write(&a, "list.csv", list(0..30));
    let cp = a.path("sms.ck");
    run(sms_cmd(&a, &a.sb.url(), &list, &cp, &[])).assert_code(0);
    let other = run(sms_cmd(&a, &b.sb.url(), &list, &cp, &[]));
    other.assert_code(2);
    assert!(texts(&b).is_empty());
    let restarted = run(sms_cmd(&a, &b.sb.url(), &list, &cp, &["--restart"]));
    restarted.assert_code(0);
    assert_each_texted_once(&b, 0..30);
    assert_each_texted_once(&a, 0..30);
}

#[test]
fn two_lists_into_one_account_at_once_never_overlap() {
    let h = Harness::new(SandboxConfig {
        latency_ms: 40,
        ..common::config()
    });
    let t = Target::ZOOM;
    let input = h.write_csv("in.csv", &common::rows(0..120));
    let bytes = std::fs::read(&input).expect("read the list");
    let text = String::from_utf8(bytes).expect("UTF-8");
    let copy = write(&h, "copy.csv", text.replace('\n', "\r\n"));
    // The first run, slow enough to still be running when the second starts.
    let mut first = h
        .import_cmd(t, &input, &h.path("a.ck"), &["--rate", "60/s"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the first import");
    let deadline = Instant::now() + Duration::from_secs(20);
    while h.sb.records(t.name()).is_empty() {
        assert!(Instant::now() < deadline, "the first import never wrote");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The CRLF copy, through `localhost` where the first typed 127.0.0.1.
    let localhost = format!("http://localhost:{}", h.sb.addr().port());
    let second = import_at(&h, &localhost, t, &copy, &h.path("b.ck"), &[]);
    second.assert_code(2);
    assert!(
        second.stderr.contains("another bulkline run") && second.stderr.contains("a.ck"),
        "{second}"
    );
    // Another list into the same account waits too.
    let other = h.write_csv("other.csv", &common::rows(500..510));
    let third = h.import(t, &other, &h.path("c.ck"), &[]);
    third.assert_code(2);
    let status = first.wait().expect("wait for the first import");
    assert_eq!(status.code(), Some(0));

    // Afterwards both go through, and each contact exists once.
    let second = h.import(t, &copy, &h.path("b.ck"), &[]);
    second.assert_code(0);
    assert_eq!(second.num("created"), 0, "{second}");
    h.import(t, &other, &h.path("c.ck"), &[]).assert_code(0);
    let mut expected: Vec<String> = (0..120).chain(500..510).map(mobile).collect();
    expected.sort();
    assert_eq!(h.mobiles(t), expected);
}
