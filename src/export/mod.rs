//! `export`: every record of a target, page by page within its rate limit, written as a file a
//! spreadsheet opens correctly.
//!
//! The stages: [`fetch`] reads the pages (paced and retried by the HTTP client), [`flatten`]
//! turns each record into named text cells, [`table`] spools them (the columns are known only
//! once every record was seen, and memory stays flat), orders the columns ([`columns`]) and
//! writes CSV, JSON Lines or XLSX, whole or not at all.

pub mod columns;
pub mod fetch;
pub mod flatten;
pub mod table;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use serde::Serialize;

use crate::error::{Error, Result, exit};
use crate::http::HttpClient;
use crate::progress::{Counters, Progress, ProgressMode};

pub use fetch::{ExportFrom, Fetcher, Listing};
pub use table::{OutFormat, Spool, TableOptions};

/// Everything an export needs besides the API.
pub struct Settings {
    pub from: ExportFrom,
    pub output: String,
    pub table: TableOptions,
    /// `--columns`, when given.
    pub columns: Option<Vec<String>>,
    pub progress: ProgressMode,
}

/// What an export did.
#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    pub command: &'static str,
    pub from: ExportFrom,
    pub output: String,
    pub format: &'static str,
    pub records: u64,
    pub columns: usize,
    pub pages: u64,
    pub requests: u64,
    pub retries: u64,
    pub rate_limited: u64,
    /// The configured rate, requests per second.
    pub rate: f64,
    pub seconds: f64,
    pub records_per_second: f64,
    pub exit_code: crate::exit::ExitCode,
}

impl ExportSummary {
    /// The summary as text for a person.
    pub fn human(&self) -> String {
        format!(
            "exported {} records from {} to {} ({}, {} columns): {} pages, {} requests, {} retries, {} rate-limited, at {:.1}/s; {:.1} s, {:.0} records/s\n",
            self.records,
            self.from.as_str(),
            self.output,
            self.format,
            self.columns,
            self.pages,
            self.requests,
            self.retries,
            self.rate_limited,
            self.rate,
            self.seconds,
            self.records_per_second
        )
    }
}

fn format_name(f: OutFormat) -> &'static str {
    match f {
        OutFormat::Csv => "csv",
        OutFormat::Jsonl => "jsonl",
        OutFormat::Xlsx => "xlsx",
    }
}

/// Runs the export of `listing` through `http`, on `runtime`.
pub fn run(
    settings: &Settings,
    listing: Listing,
    http: &HttpClient,
    runtime: &tokio::runtime::Runtime,
) -> Result<ExportSummary> {
    let started = Instant::now();
    let counters = Arc::new(Counters::default());
    let progress = Progress::start(
        settings.progress,
        "exporting",
        None,
        Arc::clone(&counters),
        Some(Arc::clone(http.stats())),
        Some(Arc::clone(http.pacer())),
    );
    let mut spool = Spool::new()?;
    let mut fetcher = Fetcher::new(listing);
    let mut total_known = false;
    let read: Result<()> = runtime.block_on(async {
        loop {
            // A signal stops the export between pages (a page in transit is abandoned): the
            // old file stays as it was, and no part file is left.
            let next = tokio::select! {
                page = fetcher.next(http) => page,
                () = crate::stop::wait() => {
                    return Err(Error::Interrupted(crate::stop::message()));
                }
            };
            let Some(page) =
                next.map_err(|m| Error::Remote(format!("{}: {m}", settings.from.as_str())))?
            else {
                break;
            };
            if !total_known && let Some(total) = page.total {
                progress.set_total(total);
                total_known = true;
            }
            for record in &page.records {
                spool.push(record)?;
            }
            counters
                .rows_done
                .fetch_add(page.records.len() as u64, Ordering::Relaxed);
        }
        Ok(())
    });
    progress.finish();
    read?;
    if let Some(selected) = settings.columns.as_deref() {
        columns::check_selected(settings.from.documented(), spool.seen(), selected)
            .map_err(Error::Usage)?;
    }
    let columns = columns::order(
        settings.from.documented(),
        spool.seen(),
        settings.columns.as_deref(),
    );
    let records = spool.write(&settings.output, &columns, &settings.table)?;
    let stats = http.stats().snapshot();
    let seconds = started.elapsed().as_secs_f64();
    Ok(ExportSummary {
        command: "export",
        from: settings.from,
        output: settings.output.clone(),
        format: format_name(settings.table.format),
        records,
        columns: columns.len(),
        pages: fetcher.pages,
        requests: stats.requests,
        retries: stats.retries,
        rate_limited: stats.rate_limited,
        rate: http.pacer().configured_rate().as_per_second(),
        seconds,
        records_per_second: if seconds > 0.0 {
            records as f64 / seconds
        } else {
            0.0
        },
        exit_code: exit::ExitCode::Ok,
    })
}

crate::summary::impl_summary!(ExportSummary);
