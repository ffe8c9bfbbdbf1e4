//! The harness of the integration tests that run the binary against the API emulator: a
//! sandbox in the test process (on its own tokio runtime, alive for the whole test), a
//! temporary directory, and the real binary pointed at both. Each test file uses a part of it.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod tokens;
pub mod workbook;

use bulkline::connectors::{self, TargetKind};
use bulkline::sandbox::{ConfigPatch, Sandbox, SandboxConfig, seed};
use serde_json::Value;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_bulkline");

/// A target of the connectors' registry, as the tests name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target(pub TargetKind);

impl Target {
    pub const VOICE: Target = Target(TargetKind::of(&connectors::zoho_voice::DESCRIPTOR));
    pub const BOOKS: Target = Target(TargetKind::of(&connectors::zoho_books::DESCRIPTOR));
    pub const ZOOM: Target = Target(TargetKind::of(&connectors::zoom_cc::DESCRIPTOR));

    /// Every target of the registry: what the shared tests loop over.
    pub fn all() -> Vec<Target> {
        connectors::TARGETS.iter().map(|t| Target(*t)).collect()
    }

    /// The first target of each OAuth service: what the token tests loop over.
    pub fn one_per_oauth() -> Vec<Target> {
        let mut seen = Vec::new();
        Target::all()
            .into_iter()
            .filter(|t| {
                let oauth = t.0.descriptor().oauth;
                let new = !seen.contains(&oauth);
                seen.push(oauth);
                new
            })
            .collect()
    }

    pub fn name(self) -> &'static str {
        self.0.as_str()
    }

    /// Whether its tokens come from Zoom's OAuth server (else Zoho's).
    pub fn zoom_oauth(self) -> bool {
        self.0.descriptor().oauth == &bulkline::auth::zoom::SERVICE
    }
}

/// The mobile of row `n` (0..=99999): +447400100000 + n, a valid UK mobile.
pub fn mobile(n: u32) -> String {
    assert!(n < 100_000);
    format!("+4474001{n:05}")
}

/// The row number of a mobile made by [`mobile`], in whatever format the store holds it.
pub fn number_of(m: &str) -> u32 {
    let digits: String = m.chars().filter(char::is_ascii_digit).collect();
    assert!(
        digits.len() == 12 && digits.starts_with("4474001"),
        "not a test mobile: {m:?}"
    );
    digits[7..].parse().unwrap_or_else(|e| panic!("{m:?}: {e}"))
}

/// `+` and the digits: how the tests compare phone numbers whatever the store's format.
pub fn e164(m: &str) -> String {
    let digits: String = m.chars().filter(char::is_ascii_digit).collect();
    format!("+{digits}")
}

/// One input row.
#[derive(Debug, Clone)]
pub struct Row {
    pub n: u32,
    pub first: String,
    pub last: String,
    pub mobile: String,
    pub email: String,
    /// The Zoho Books `contact_id` column (written only when a row of the file has one).
    pub parent: Option<String>,
}

impl Row {
    pub fn new(n: u32) -> Row {
        Row {
            n,
            first: format!("First{n}"),
            last: format!("Last{n}"),
            mobile: mobile(n),
            email: format!("person{n}@example.com"),
            parent: None,
        }
    }

    pub fn last(mut self, last: &str) -> Row {
        self.last = last.to_string();
        self
    }

    pub fn first(mut self, first: &str) -> Row {
        self.first = first.to_string();
        self
    }

    pub fn parent(mut self, parent: &str) -> Row {
        self.parent = Some(parent.to_string());
        self
    }
}

/// Rows `range`, each with its own mobile, name and e-mail.
pub fn rows(range: Range<u32>) -> Vec<Row> {
    range.map(Row::new).collect()
}

/// The sandbox's defaults, but with Zoho Books' per-minute limit out of the way (the
/// tests send more than 100 requests a minute; the limit is not what they test).
pub fn config() -> SandboxConfig {
    SandboxConfig {
        books_requests_per_minute: 1_000_000,
        ..SandboxConfig::default()
    }
}

/// A finished run of the binary.
pub struct Run {
    pub code: Option<i32>,
    /// The `--json` summary (the last line of stdout), or null.
    pub summary: Value,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(out: Output) -> Run {
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let summary = stdout
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .and_then(|l| serde_json::from_str(l).ok())
            .unwrap_or(Value::Null);
        Run {
            code: out.status.code(),
            summary,
            stdout,
            stderr,
        }
    }

    #[track_caller]
    pub fn assert_code(&self, code: i32) {
        assert_eq!(self.code, Some(code), "unexpected exit code: {self}");
    }

    /// A number of the summary.
    #[track_caller]
    pub fn num(&self, field: &str) -> u64 {
        self.summary[field]
            .as_u64()
            .unwrap_or_else(|| panic!("the summary has no number {field}: {self}"))
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A sandbox on 127.0.0.1 in this process and a temporary directory.
pub struct Harness {
    // Declared before the runtime: the server is told to stop before its runtime goes.
    pub sb: Sandbox,
    /// Runs the sandbox's server on its worker threads while the test thread waits for
    /// the binary.
    _rt: tokio::runtime::Runtime,
    pub dir: tempfile::TempDir,
}

/// The binary with no BULKLINE_/ZOHO_/ZOOM_ variable of ours, its token cache, config
/// directory and run locks in `dir`: what it does depends on the test alone.
pub fn isolated_command(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    for (k, _) in std::env::vars_os() {
        if let Some(k) = k.to_str()
            && ["BULKLINE_", "ZOHO_", "ZOOM_"]
                .iter()
                .any(|p| k.starts_with(p))
        {
            c.env_remove(k);
        }
    }
    c.env("XDG_CACHE_HOME", dir.join("cache"));
    // No config file of the machine's user: only the test's own.
    c.env("XDG_CONFIG_HOME", dir.join("config"));
    // Run locks live in the test's own directory.
    c.env("BULKLINE_STATE_DIR", dir.join("state"));
    c
}

impl Harness {
    pub fn new(config: SandboxConfig) -> Harness {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let sb = rt
            .block_on(Sandbox::start(config))
            .expect("the sandbox starts");
        let dir = tempfile::tempdir().expect("a temporary directory");
        Harness { sb, _rt: rt, dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `.part` files left anywhere in the test's directory.
    pub fn part_files(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.dir.path())
            .expect("read the directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with(".part"))
            .collect()
    }

    /// Changes the running sandbox's configuration.
    pub fn patch(&self, patch: &ConfigPatch) {
        self.sb.set_config(patch).expect("a valid patch");
    }

    /// Writes `rows` as a CSV file (with a `contact_id` column if a row has a parent).
    pub fn write_csv(&self, name: &str, rows: &[Row]) -> PathBuf {
        let path = self.path(name);
        let parents = rows.iter().any(|r| r.parent.is_some());
        let mut w = csv::Writer::from_path(&path).expect("create the input");
        let mut header = vec!["First Name", "Last Name", "Mobile", "Email"];
        if parents {
            header.push("contact_id");
        }
        w.write_record(&header).expect("write");
        for r in rows {
            let mut rec = vec![
                r.first.clone(),
                r.last.clone(),
                r.mobile.clone(),
                r.email.clone(),
            ];
            if parents {
                rec.push(r.parent.clone().unwrap_or_default());
            }
            w.write_record(&rec).expect("write");
        }
        w.flush().expect("flush");
        path
    }

    /// The binary, with no BULKLINE_/ZOHO_/ZOOM_ variable of ours and its token cache in
    /// the temporary directory (see [`isolated_command`]).
    pub fn command(&self) -> Command {
        isolated_command(self.dir.path())
    }

    /// The binary with the sandbox's credentials in its environment.
    pub fn api_command(&self) -> Command {
        let mut c = self.command();
        c.env("ZOHO_CLIENT_ID", seed::CLIENT_ID)
            .env("ZOHO_CLIENT_SECRET", seed::CLIENT_SECRET)
            .env("ZOHO_REFRESH_TOKEN", seed::REFRESH_TOKEN)
            .env("ZOHO_BOOKS_ORGANIZATION_ID", seed::BOOKS_ORGANIZATION_ID)
            .env("ZOOM_ACCOUNT_ID", seed::ZOOM_ACCOUNT_ID)
            .env("ZOOM_CLIENT_ID", seed::CLIENT_ID)
            .env("ZOOM_CLIENT_SECRET", seed::CLIENT_SECRET)
            .env("ZOHO_VOICE_SENDER_ID", seed::SMS_SENDER_ID);
        c
    }

    /// `--base-url` and `--accounts-url` of the sandbox.
    pub fn url_args(&self) -> Vec<String> {
        let url = self.sb.url();
        vec![
            "--base-url".into(),
            url.clone(),
            "--accounts-url".into(),
            url,
        ]
    }

    /// `bulkline import INPUT --to T --checkpoint CP` at the sandbox, with a fast rate
    /// (unless `extra` sets one) and `extra`.
    pub fn import_cmd(&self, t: Target, input: &Path, cp: &Path, extra: &[&str]) -> Command {
        let mut c = self.api_command();
        c.arg("import")
            .arg(input)
            .args(["--to", t.name()])
            .arg("--checkpoint")
            .arg(cp)
            .args(self.url_args());
        c.args(seed::destination_args(t.name()));
        if !extra.contains(&"--rate") {
            c.args(["--rate", "200/s"]);
        }
        c.args(extra);
        c
    }

    /// Runs an import with `--json` and returns its outcome.
    pub fn import(&self, t: Target, input: &Path, cp: &Path, extra: &[&str]) -> Run {
        let out = self
            .import_cmd(t, input, cp, extra)
            .arg("--json")
            .output()
            .expect("run bulkline import");
        Run::from_output(out)
    }

    /// `bulkline undo CP` at the sandbox, with a fast rate (unless `extra` sets one).
    pub fn undo_cmd(&self, cp: &Path, extra: &[&str]) -> Command {
        let mut c = self.api_command();
        c.arg("undo").arg(cp).args(self.url_args());
        if !extra.contains(&"--rate") {
            c.args(["--rate", "200/s"]);
        }
        // No terminal to confirm large undos on.
        c.arg("--yes");
        // The sandbox's writes land at once or never: no need to wait for late ones (a test
        // of the wait itself gives its own values).
        if !extra.contains(&"--write-catch-up") && !extra.contains(&"--request-timeout") {
            c.args(["--request-timeout", "2", "--write-catch-up", "0"]);
        }
        c.args(extra);
        c
    }

    /// `bulkline undo CP --json` at the sandbox.
    pub fn undo(&self, cp: &Path) -> Run {
        self.undo_with(cp, &[])
    }

    /// `bulkline undo CP --json EXTRA` at the sandbox.
    pub fn undo_with(&self, cp: &Path, extra: &[&str]) -> Run {
        let out = self
            .undo_cmd(cp, extra)
            .arg("--json")
            .output()
            .expect("run bulkline undo");
        Run::from_output(out)
    }

    /// A list of rows `ns` with a first name and a mobile (an SMS campaign's), at `name`.
    #[allow(dead_code)] // not every test binary needs it
    pub fn write_names_and_mobiles(
        &self,
        name: &str,
        ns: impl IntoIterator<Item = u32>,
    ) -> PathBuf {
        let path = self.path(name);
        let mut w = csv::Writer::from_path(&path).expect("create the input");
        w.write_record(["First Name", "Mobile"]).expect("write");
        for n in ns {
            w.write_record([format!("First{n}"), mobile(n)])
                .expect("write");
        }
        w.flush().expect("flush");
        path
    }

    /// `bulkline sms INPUT --checkpoint CP` at the sandbox, fast (unless `extra` sets a rate),
    /// with no stdin, plus `extra`.
    pub fn sms_cmd(&self, input: &Path, cp: &Path, extra: &[&str]) -> Command {
        let mut c = self.api_command();
        c.arg("sms")
            .arg(input)
            .arg("--checkpoint")
            .arg(cp)
            .args(self.url_args());
        if !extra.contains(&"--rate") {
            c.args(["--rate", "200/s"]);
        }
        c.args(extra);
        c.stdin(std::process::Stdio::null());
        c
    }

    /// Runs `bulkline sms ... --json` ([`Harness::sms_cmd`]).
    pub fn sms(&self, input: &Path, cp: &Path, extra: &[&str]) -> Run {
        let out = self
            .sms_cmd(input, cp, extra)
            .arg("--json")
            .output()
            .expect("run bulkline sms");
        Run::from_output(out)
    }

    /// Sends `method path` (with a JSON body, if any) to the sandbox's Zoho APIs as another
    /// tool would, with a token of its own: the status and the JSON answer (null if none).
    #[allow(dead_code)] // not every test binary needs it
    pub fn zoho_request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let url = self.sb.url();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        rt.block_on(async {
            let c = reqwest::Client::new();
            let token = tokens::zoho_token(&c, &url).await.expect("a token");
            let mut request = c
                .request(method, format!("{url}{path}"))
                .header("Authorization", format!("Zoho-oauthtoken {token}"));
            if let Some(body) = body {
                request = request.json(body);
            }
            let r = request.send().await.expect("an answer");
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or(Value::Null),
            )
        })
    }

    /// The mobiles in the store of `t` (every one, duplicates included), sorted, as E.164.
    pub fn mobiles(&self, t: Target) -> Vec<String> {
        let mut m: Vec<String> = self
            .sb
            .records(t.name())
            .iter()
            .flat_map(|r| r.phones.iter().map(|p| e164(p)))
            .collect();
        m.sort();
        m
    }

    /// The ids of the records in the store of `t`.
    pub fn ids(&self, t: Target) -> BTreeSet<String> {
        self.sb
            .records(t.name())
            .into_iter()
            .map(|r| r.id)
            .collect()
    }

    /// API write requests (POST, PUT, PATCH, DELETE) the sandbox received, whatever their
    /// answer; token requests excluded.
    pub fn writes(&self) -> u64 {
        ["POST ", "PUT ", "PATCH ", "DELETE "]
            .iter()
            .map(|m| self.writes_of(m.trim()))
            .sum()
    }

    /// API requests with `method` the sandbox received; token requests excluded.
    pub fn writes_of(&self, method: &str) -> u64 {
        let prefix = format!("{method} ");
        self.sb
            .stats()
            .requests
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix) && !k.contains("/oauth/"))
            .flat_map(|(_, by_status)| by_status.values())
            .sum()
    }
}

/// The store of `t` holds exactly the mobiles of rows `range`, each once.
#[track_caller]
pub fn assert_exactly_once(h: &Harness, t: Target, range: Range<u32>) {
    let got = h.mobiles(t);
    let mut seen = BTreeSet::new();
    let dups: Vec<&String> = got.iter().filter(|m| !seen.insert(*m)).collect();
    assert!(
        dups.is_empty(),
        "{}: {} records for {} people, duplicated: {dups:?}",
        t.name(),
        got.len(),
        range.len()
    );
    let wanted: Vec<String> = range.map(mobile).collect();
    assert_eq!(got, wanted, "{}: wrong records", t.name());
}

/// The outgoing messages in the sandbox's store, counted by number (E.164).
pub fn texts(h: &Harness) -> BTreeMap<String, usize> {
    let mut by = BTreeMap::new();
    for m in h.sb.sms_messages() {
        if m.direction == bulkline::sandbox::Direction::Outgoing {
            *by.entry(e164(&m.customer_number)).or_default() += 1;
        }
    }
    by
}

/// A CSV report as rows of column -> value.
pub fn parse_table(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().expect("a header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("a CSV record");
            header
                .iter()
                .zip(rec.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

pub fn read_table(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    parse_table(&text)
}

/// The seed of [`kill_delays`]: fixed, so that a failing run kills at the same moments again.
/// `KILL_SEED=N cargo test ...` tries other moments; the seed is in every failure message.
const KILL_SEED: u64 = 0x6275_6c6b_6c69_6e65;

/// Delays of 150 to 1,050 ms before a SIGKILL, the same on every run (from [`KILL_SEED`], or
/// the `KILL_SEED` variable of the test process), never from the clock.
#[derive(Debug)]
pub struct KillDelays {
    pub seed: u64,
    pub delays: Vec<u64>,
}

impl fmt::Display for KillDelays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "kill delays {:?} ms (KILL_SEED={})",
            self.delays, self.seed
        )
    }
}

/// `n` [`KillDelays`].
pub fn kill_delays(n: usize) -> KillDelays {
    let seed = std::env::var("KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(KILL_SEED);
    let mut x = seed;
    let delays = (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            150 + (x >> 33) % 900
        })
        .collect();
    KillDelays { seed, delays }
}

/// Polls `ready` every 10 ms until it holds. `limit` only bounds a failure (a run that never
/// gets there): a passing test waits for the event, not for the limit.
#[track_caller]
pub fn wait_until(what: &str, limit: std::time::Duration, mut ready: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + limit;
    while !ready() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: not within {limit:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// The rows (import) or recipients (sms) of the journal at `cp` whose request was on the wire
/// when the run ended (0 when the run was killed before the journal was made).
pub fn in_flight(cp: &Path) -> u64 {
    match bulkline::checkpoint::read_journal(cp) {
        Ok((_, resume)) => resume.counts().in_flight,
        Err(_) => 0,
    }
}

/// Sends the signal `sig` (SIGINT, SIGTERM) to a child.
pub fn signal(child: &std::process::Child, sig: i32) {
    // SAFETY: kill(2) on the pid of a child this test started and has not reaped.
    let r = unsafe { libc::kill(child.id() as i32, sig) };
    assert_eq!(r, 0, "kill failed");
}

/// Runs `cmd` to its end: its exit code (128 + the signal that ended it, if one did) and its
/// own peak RSS in bytes (wait4: this child's, whatever else the test process has run).
#[allow(dead_code)] // not every test binary measures
pub fn run_measured(cmd: std::process::Command) -> (Option<i32>, u64) {
    let (code, peak, _) = run_measured_output(cmd);
    (code, peak)
}

/// [`run_measured`], with what the child wrote on stdout.
#[allow(dead_code)] // not every test binary measures
#[expect(clippy::zombie_processes, reason = "the child is reaped by wait4")]
pub fn run_measured_output(mut cmd: std::process::Command) -> (Option<i32>, u64, Vec<u8>) {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let pid = i32::try_from(child.id()).unwrap();
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 on the pid of a child this test started and has not reaped; it fills the
    // status and the struct it is given.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
    assert_eq!(rc, pid, "wait4 failed");
    // SAFETY: wait4 succeeded, so the struct is initialised. On Linux ru_maxrss is in KiB.
    let usage = unsafe { usage.assume_init() };
    let status = std::process::ExitStatus::from_raw(status);
    let code = status.code().or(status.signal().map(|s| 128 + s));
    let out = reader.join().unwrap();
    (
        code,
        u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024,
        out,
    )
}

/// The generated 1,000,000-row contacts file (seed 42), written in `dir`.
#[allow(dead_code)] // not every test binary needs it
pub fn generated_input(dir: &Path) -> PathBuf {
    let input = dir.join("contacts.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
    bulkline::synth::write_contacts_csv(&mut out, 1_000_000, 42).unwrap();
    drop(out);
    input
}
