//! `bulkline export`: the command line of [`crate::export`].

use super::api::{connect, connect_sms};
use crate::cli::ExportArgs;
use crate::error::{Error, Result};
use crate::exit::Ended;
use crate::export::{self, ExportFrom, Listing, OutFormat, Settings, TableOptions};
use crate::progress::ProgressMode;
use crate::scopes::Purpose;
use crate::sms::api::LogQuery;

fn usage(message: impl Into<String>) -> Error {
    Error::Usage(message.into())
}

/// A `--from-date` / `--to-date`, checked.
fn date(flag: &str, value: &Option<String>) -> Result<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) => {
            let d: jiff::civil::Date = v
                .trim()
                .parse()
                .map_err(|_| usage(format!("{flag} '{v}' must be a date such as 2026-12-01")))?;
            Ok(Some(d.to_string()))
        }
    }
}

// An export keeps no journal: it starts again.
super::runs!(ExportArgs, run, resumes: false);

pub fn run(args: &ExportArgs) -> Result<Ended> {
    super::json_owns_stdout(args.api.json, &[("the records (-o -)", args.output == "-")])?;
    let format = if args.output == "-" {
        OutFormat::Csv
    } else {
        OutFormat::from_path(&args.output).ok_or_else(|| {
            usage(format!(
                "-o {}: name a .csv, .jsonl or .xlsx file (the extension picks the format)",
                args.output
            ))
        })?
    };
    let (from_date, to_date) = (
        date("--from-date", &args.from_date)?,
        date("--to-date", &args.to_date)?,
    );
    if (from_date.is_some() || to_date.is_some()) && args.from != ExportFrom::SmsLogs {
        return Err(usage(format!(
            "--from-date and --to-date select SMS logs: use them with --from {}",
            crate::sms::LOGS
        )));
    }
    if let (Some(a), Some(b)) = (&from_date, &to_date)
        && a > b
    {
        return Err(usage(format!("--from-date {a} is after --to-date {b}")));
    }
    let columns = args
        .columns
        .as_deref()
        .map(export::columns::parse_list)
        .filter(|c| !c.is_empty());
    let settings = Settings {
        from: args.from,
        output: args.output.clone(),
        table: TableOptions {
            format,
            bom: !args.no_bom,
            raw: args.raw,
        },
        columns,
        progress: ProgressMode::detect(args.api.quiet),
    };

    let summary = match args.from {
        ExportFrom::Target(kind) => {
            let api = connect(&args.api, kind, None, Some(Purpose::Export))?;
            if let Some(sb) = &api.sandbox {
                sb.add_bulk_records(args.sandbox_records);
            }
            let listing = Listing::Target {
                parents: api.target.export_parents()?,
                target: api.target,
                at: 0,
            };
            export::run(&settings, listing, &api.http, &api.runtime)?
        }
        ExportFrom::SmsLogs => {
            let api = connect_sms(&args.api, Some(Purpose::Export))?;
            if let Some(sb) = &api.sandbox {
                sb.add_bulk_records(args.sandbox_records);
            }
            let listing = Listing::SmsLogs(LogQuery {
                direction: None,
                number: None,
                from_date,
                to_date,
            });
            export::run(&settings, listing, &api.http, &api.runtime)?
        }
    };
    crate::summary::print(&summary, args.api.json, args.api.quiet)?;
    Ok(crate::summary::ended(&summary))
}
