//! `bulkline sms-status`: the command line of [`crate::sms::status`].

use crate::scopes::Command;
use std::path::Path;

use serde::Serialize;

use super::api::connect_sms;
use crate::checkpoint::read_journal;
use crate::cli::SmsStatusArgs;
use crate::error::{Error, Result, exit};
use crate::sink::TableWriter;
use crate::sms::api::{Direction, LogQuery, fetch_logs};
use crate::sms::campaign::TARGET;
use crate::sms::reconcile::date_range;
use crate::sms::status::{self, COLUMNS};
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
}

pub fn run(args: &SmsStatusArgs) -> Result<u8> {
    super::json_owns_stdout(
        args.api.json,
        &[("the report (-o, stdout by default)", args.output == "-")],
    )?;
    let path = Path::new(&args.checkpoint);
    let (header, resume) = read_journal(path)?;
    if header.target != TARGET {
        return Err(Error::Usage(format!(
            "{} is the journal of a `{}` run into {}, not of an SMS campaign",
            args.checkpoint, header.mode, header.target
        )));
    }
    let api = connect_sms(&args.api, Some(Command::SmsStatus))?;
    let (from_date, to_date) = date_range(
        resume.created_unix.saturating_mul(1000),
        jiff::Timestamp::now(),
    );
    let query = LogQuery {
        direction: Some(Direction::Outgoing),
        number: None,
        from_date: Some(from_date),
        to_date: Some(to_date),
    };
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
    };
    crate::summary::print(&summary, args.api.json, args.api.quiet)?;
    Ok(exit::OK)
}

impl crate::summary::Summary for StatusSummary {
    fn human(&self) -> String {
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
