//! `bulkline sms-status`: the command line of [`crate::sms::status`].

use crate::scopes::Purpose;
use std::path::Path;

use serde::Serialize;

use super::api::connect_sms;
use crate::checkpoint::read_journal;
use crate::cli::SmsStatusArgs;
use crate::error::{Error, Result, exit};
use crate::exit::Ended;
use crate::sink::TableWriter;
use crate::sms::api::fetch_logs;
use crate::sms::campaign::TARGET;
use crate::sms::reconcile::outgoing_since;
use crate::sms::status::{self, COLUMNS};
use crate::sms::test_ledger::TestSends;
use crate::source::{Format, Schema, Values};

/// The summary of a status run.
#[derive(Debug, Serialize)]
struct StatusSummary {
    command: &'static str,
    checkpoint: String,
    recipients: usize,
    by_status: std::collections::BTreeMap<String, u64>,
    log_entries: usize,
    output: String,
    exit_code: crate::exit::ExitCode,
}

// The same command reads the logs again where a read stopped (the API unreachable).
super::runs!(SmsStatusArgs, run, resumes: true);

pub fn run(args: &SmsStatusArgs) -> Result<Ended> {
    super::json_owns_stdout(
        args.api.json,
        &[(
            "the report (-o, stdout by default)",
            !args.verify && args.output == "-",
        )],
    )?;
    let path = Path::new(&args.checkpoint);
    let (header, resume) = read_journal(path)?;
    if header.target != TARGET {
        return Err(Error::Usage(format!(
            "{} is the journal of a `{}` run into {}, not of an SMS campaign",
            args.checkpoint, header.mode, header.target
        )));
    }
    let api = connect_sms(&args.api, Some(Purpose::SmsStatus))?;
    if args.verify {
        return verify(args, &header, &resume, &api);
    }
    let query = outgoing_since(
        resume.created_unix.saturating_mul(1000),
        jiff::Timestamp::now(),
    );
    let entries = api
        .runtime
        .block_on(fetch_logs(&api.http, &query))
        .map_err(crate::sms::api::LogError::into_error)?;
    let rows = status::join(&resume, &entries);

    let schema = Schema::from_header(COLUMNS);
    let mut out = TableWriter::create(&args.output, Format::Csv, b',', &["_row"])?;
    for r in &rows {
        let record = vec![
            r.number.as_str(),
            r.logid.as_str(),
            r.status.as_str(),
            r.detail.as_str(),
        ];
        out.write(
            &schema,
            &Values::Csv(record.into()),
            &[],
            &[r.row.to_string()],
        )?;
    }
    out.finish(&schema)?;

    let by_status = status::count(&rows);
    let summary = StatusSummary {
        command: "sms-status",
        checkpoint: args.checkpoint.clone(),
        recipients: rows.len(),
        by_status,
        log_entries: entries.len(),
        output: args.output.clone(),
        exit_code: exit::ExitCode::Ok,
    };
    crate::summary::print(&summary, args.api.json, args.api.quiet)?;
    Ok(Ended::OK)
}

/// The summary of `--verify`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Serialize)]
struct VerifySummary {
    command: &'static str,
    mode: &'static str,
    checkpoint: String,
    /// Recipients the journal says were sent, or never settled.
    checked: usize,
    landed: u64,
    differs: u64,
    missing: u64,
    unsettled: u64,
    text_unchecked: u64,
    log_entries: u64,
    log_requests: u64,
    report: Option<String>,
    exit_code: crate::exit::ExitCode,
}

impl VerifySummary {
    /// The text for a person.
    pub fn human(&self) -> String {
        let mut out = format!(
            "verified {} recipients against the outgoing SMS logs: {} landed, {} differs, {} missing, {} unsettled ({} log entries read in {} requests)\n",
            self.checked,
            self.landed,
            self.differs,
            self.missing,
            self.unsettled,
            self.log_entries,
            self.log_requests
        );
        if self.text_unchecked > 0 {
            out.push_str(&format!(
                "{} landed by log id and number only: the journal predates the text digests\n",
                self.text_unchecked
            ));
        }
        if let Some(r) = &self.report {
            out.push_str(&format!("not landed: {r}\n"));
        }
        out
    }
}

crate::summary::impl_summary!(VerifySummary);

/// The columns of the `--verify` report.
const VERIFY_COLUMNS: [&str; 5] = ["_row", "_status", "_message", "number", "logid"];

/// `--verify`: each recipient the journal says was sent, against the outgoing logs.
fn verify(
    args: &SmsStatusArgs,
    header: &crate::checkpoint::RunHeader,
    resume: &crate::checkpoint::Resume,
    api: &super::api::SmsApi,
) -> Result<Ended> {
    if let Some(report) = &args.report
        && same_file(report, &args.checkpoint)
    {
        return Err(Error::Usage(format!(
            "--report {report} is the campaign's journal: name another file"
        )));
    }
    let tests = TestSends::load_or_warn(&crate::runlock::state_dir(|k| std::env::var(k).ok()));
    let scheduled = ["schedule", "send_window"]
        .iter()
        .any(|k| header.options.contains_key(*k));
    let found = api
        .runtime
        .block_on(crate::sms::verify::verify(
            &api.http, resume, &tests, scheduled,
        ))
        .map_err(crate::sms::api::LogError::into_error)?;
    if let Some(path) = &args.report {
        let schema = Schema::from_header(Vec::<String>::new());
        let mut out = TableWriter::create(path, Format::Csv, b',', &VERIFY_COLUMNS)?;
        for f in found
            .findings
            .iter()
            .filter(|f| f.verdict != crate::sms::verify::Landing::Landed)
        {
            out.write(
                &schema,
                &Values::Csv(Vec::<&str>::new().into()),
                &[],
                &[
                    f.row.to_string(),
                    f.verdict.as_str().to_string(),
                    f.detail.clone(),
                    f.number.clone(),
                    f.logid.clone(),
                ],
            )?;
        }
        out.finish(&schema)?;
    }
    let exit_code = if found.all_landed() {
        exit::ExitCode::Ok
    } else {
        exit::ExitCode::RowsRejected
    };
    let summary = VerifySummary {
        command: "sms-status",
        mode: "verify",
        checkpoint: args.checkpoint.clone(),
        checked: found.findings.len(),
        landed: found.landed,
        differs: found.differs,
        missing: found.missing,
        unsettled: found.unsettled,
        text_unchecked: found.text_unchecked,
        log_entries: found.log_entries,
        log_requests: found.log_requests,
        report: args.report.clone(),
        exit_code,
    };
    crate::summary::print(&summary, args.api.json, args.api.quiet)?;
    Ok(crate::summary::ended(&summary))
}

/// Whether two paths name one file (the same text, or the same file on disk).
fn same_file(a: &str, b: &str) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => Path::new(a) == Path::new(b),
    }
}

impl StatusSummary {
    /// The text for a person.
    pub fn human(&self) -> String {
        let parts: Vec<String> = self
            .by_status
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        format!(
            "{} recipients: {} ({} log entries read)\n",
            self.recipients,
            parts.join(", "),
            self.log_entries
        )
    }
}

crate::summary::impl_summary!(StatusSummary);
