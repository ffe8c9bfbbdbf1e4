//! The files an import writes besides the journal: the error report (rows rejected by the
//! clean pipeline, and rows the target refused, `_stage` = remote) and the success report
//! (the input's own columns, then `_key`, `_action`, `_remote_id` and `_row`, so that it joins
//! back to the source), or in a dry run the plan.

use std::sync::Arc;

use super::TableWriter;
use crate::error::Result;
use crate::reject::Rejection;
use crate::report;
use crate::report::RowNumbers;
use crate::source::{Format, Schema, SourceInfo, Values};

/// Columns of the success report after the input's own (`_row` last).
pub const SUCCESS_COLUMNS: [&str; 4] = ["_key", "_action", "_remote_id", "_row"];
/// Columns of a dry run's plan after the input's own.
pub const PLAN_COLUMNS: [&str; 5] = ["_key", "_action", "_remote_id", "_changes", "_row"];
/// [`SUCCESS_COLUMNS`] of a workbook: the row's number in the sheet after `_row`.
const SUCCESS_COLUMNS_SHEET: [&str; 5] = ["_key", "_action", "_remote_id", "_row", "_sheet_row"];
/// [`PLAN_COLUMNS`] of a workbook.
const PLAN_COLUMNS_SHEET: [&str; 6] = [
    "_key",
    "_action",
    "_remote_id",
    "_changes",
    "_row",
    "_sheet_row",
];

/// A report at `path` for an input in `format` with `delimiter` (see [`Reports::open`]).
fn report_writer(
    path: &str,
    format: Format,
    delimiter: u8,
    extra: &[&'static str],
) -> Result<TableWriter> {
    TableWriter::create(
        path,
        super::report_format(path, format),
        super::output_delimiter(path, delimiter),
        extra,
    )
}

/// The error report and the success (or plan) report, either of which may be absent.
pub struct Reports {
    errors: Option<TableWriter>,
    success: Option<(TableWriter, Arc<Schema>)>,
    /// The success report of an import: the input's columns, then these.
    echo: Option<(TableWriter, &'static [&'static str])>,
    /// The widest input schema seen: the error report's header.
    schema: Arc<Schema>,
    json_input: bool,
    /// How the error and duplicates reports number a row.
    numbers: RowNumbers,
    /// The rows dedupe dropped: made at the first one (no file when there is none).
    duplicates: Option<Duplicates>,
}

/// The duplicates file: where, how, and its writer once a row came.
struct Duplicates {
    path: String,
    format: Format,
    delimiter: u8,
    writer: Option<TableWriter>,
}

/// What a success report says of a row done (or, in a dry run, planned).
#[derive(Debug, Clone, Copy)]
pub struct Done<'a> {
    pub row: u64,
    /// The row's key (an import's match key, an SMS's number).
    pub key: &'a str,
    pub action: &'a str,
    /// The record's id, or the SMS's log id.
    pub remote_id: &'a str,
    /// In a plan: what an update would change (the SMS's text for a campaign).
    pub changes: Option<&'a str>,
}

/// Where a journaled run's reports go: `--errors`, `--report` and `--duplicates` (or their
/// defaults); an absent one is not written.
#[derive(Debug, Clone, Default)]
pub struct ReportPaths {
    pub errors: Option<String>,
    pub report: Option<String>,
    pub duplicates: Option<String>,
}

impl Reports {
    /// Opens the error report, the success report and the duplicates list at `paths` (any
    /// may be absent) for an input read as `info` says: CSV inputs get CSV reports in their
    /// delimiter, JSON inputs JSON Lines, unless a path's extension says otherwise. The
    /// success report has `columns` (see [`Reports::with_columns`]).
    pub fn open(paths: &ReportPaths, info: &SourceInfo, columns: &[&str]) -> Result<Reports> {
        let (format, delimiter) = (info.format, info.delimiter_byte());
        let numbers = RowNumbers::of(info);
        let writer =
            |path: &str, extra: &[&'static str]| report_writer(path, format, delimiter, extra);
        let errors = (paths.errors.as_deref())
            .map(|p| writer(p, numbers.error_columns()))
            .transpose()?;
        let success = (paths.report.as_deref())
            .map(|p| writer(p, numbers.row_columns()))
            .transpose()?;
        let mut reports = Reports::with_columns(errors, success, columns, !format.is_tabular());
        reports.numbers = numbers;
        Ok(reports.with_duplicates(paths.duplicates.as_deref(), info))
    }

    /// The reports of an import: the success report (or the plan) carries each row's own
    /// columns, then `columns` ([`SUCCESS_COLUMNS`] or [`PLAN_COLUMNS`]).
    pub fn open_echoing(
        paths: &ReportPaths,
        info: &SourceInfo,
        columns: &'static [&'static str],
    ) -> Result<Reports> {
        let without_success = ReportPaths {
            report: None,
            ..paths.clone()
        };
        let mut reports = Reports::open(&without_success, info, &[])?;
        let (format, delimiter) = (info.format, info.delimiter_byte());
        // A workbook's lines carry the row's number in the sheet after `_row`.
        let columns: &'static [&'static str] = match info.sheet_header_row {
            Some(_) if columns.contains(&"_changes") => &PLAN_COLUMNS_SHEET,
            Some(_) => &SUCCESS_COLUMNS_SHEET,
            None => columns,
        };
        reports.echo = (paths.report.as_deref())
            .map(|path| report_writer(path, format, delimiter, columns).map(|w| (w, columns)))
            .transpose()?;
        Ok(reports)
    }

    /// A row of an import done (or, in a dry run, planned), with its own values.
    pub fn done(&mut self, schema: &Arc<Schema>, values: &Values, done: &Done) -> Result<()> {
        self.note_schema(schema);
        let Some((w, columns)) = &mut self.echo else {
            return Ok(());
        };
        let mut extra = vec![
            done.key.to_string(),
            done.action.to_string(),
            done.remote_id.to_string(),
        ];
        if columns.contains(&"_changes") {
            extra.push(done.changes.unwrap_or("").to_string());
        }
        extra.extend(self.numbers.cells(done.row));
        let written = w.write(schema, values, &[], &extra);
        unless_closed(&mut self.echo, written)
    }

    /// Reports whose success file has `columns` (3 or 4: key, action, remote id, and the
    /// text [`Reports::success`] calls `changes`).
    pub fn with_columns(
        errors: Option<TableWriter>,
        success: Option<TableWriter>,
        columns: &[&str],
        json_input: bool,
    ) -> Reports {
        Reports {
            errors,
            success: success.map(|w| (w, Arc::new(Schema::from_header(columns.iter().copied())))),
            echo: None,
            schema: Arc::new(Schema::default()),
            json_input,
            numbers: RowNumbers::default(),
            duplicates: None,
        }
    }

    /// The same reports, listing the rows dedupe drops at `path` (the input's columns, then
    /// `_row` and `_duplicate_of`, as `clean --duplicates` does), written only if one comes.
    fn with_duplicates(mut self, path: Option<&str>, info: &SourceInfo) -> Self {
        self.duplicates = path.map(|path| Duplicates {
            path: path.to_string(),
            format: info.format,
            delimiter: info.delimiter_byte(),
            writer: None,
        });
        self
    }

    /// A row dedupe dropped as a repeat of row `of`.
    pub fn duplicate(
        &mut self,
        schema: &Arc<Schema>,
        values: &Values,
        row: u64,
        of: u64,
    ) -> Result<()> {
        self.note_schema(schema);
        let Some(d) = &mut self.duplicates else {
            return Ok(());
        };
        let writer = match &mut d.writer {
            Some(w) => w,
            None => d.writer.insert(report_writer(
                &d.path,
                d.format,
                d.delimiter,
                self.numbers.duplicate_columns(),
            )?),
        };
        writer.write(schema, values, &[], &self.numbers.duplicate_cells(row, of))
    }

    /// The duplicates file, when a row went to it.
    pub fn duplicates_written(&self) -> Option<&str> {
        self.duplicates
            .as_ref()
            .filter(|d| d.writer.is_some())
            .map(|d| d.path.as_str())
    }

    pub fn note_schema(&mut self, schema: &Arc<Schema>) {
        if schema.columns.len() > self.schema.columns.len() {
            self.schema = Arc::clone(schema);
        }
    }

    /// A row the clean pipeline rejected.
    pub fn rejected(
        &mut self,
        schema: &Arc<Schema>,
        row: u64,
        values: &Values,
        rejections: &[Rejection],
    ) -> Result<()> {
        self.note_schema(schema);
        let extra = report::error_columns(self.numbers, row, rejections);
        self.error_row(schema, values, extra)
    }

    /// A row the target refused (or that could not be planned: a conflict, no record to
    /// update), with the API's own code and message.
    pub fn remote_failure(
        &mut self,
        schema: &Arc<Schema>,
        row: u64,
        values: &Values,
        code: &str,
        message: &str,
    ) -> Result<()> {
        self.note_schema(schema);
        let mut extra = self.numbers.cells(row);
        extra.extend([
            "remote".to_string(),
            String::new(),
            code.to_string(),
            message.to_string(),
        ]);
        self.error_row(schema, values, extra)
    }

    fn error_row(
        &mut self,
        schema: &Schema,
        values: &Values,
        mut extra: Vec<String>,
    ) -> Result<()> {
        let Some(w) = &mut self.errors else {
            return Ok(());
        };
        if self.json_input {
            extra.push(report::raw_text(values));
        }
        let written = w.write(schema, values, &[], &extra);
        unless_closed(&mut self.errors, written)
    }

    /// A row done (or, in a dry run, planned), in the report's own columns.
    pub fn success(&mut self, done: &Done) -> Result<()> {
        let Some((w, schema)) = &mut self.success else {
            return Ok(());
        };
        let mut record = vec![done.key, done.action, done.remote_id];
        if schema.columns.len() > 3 {
            record.push(done.changes.unwrap_or(""));
        }
        let written = w.write(
            schema,
            &Values::Csv(record.into()),
            &[],
            &self.numbers.cells(done.row),
        );
        unless_closed(&mut self.success, written)
    }

    /// Closes reports the planner and the writers shared, once both are done with them,
    /// with the last schema the input had (a report's header names its columns).
    pub fn finish_shared(
        shared: Arc<std::sync::Mutex<Reports>>,
        schema: &Arc<Schema>,
    ) -> Result<()> {
        let mut reports = Arc::try_unwrap(shared)
            .map_err(|_| crate::error::Error::Internal("the reports are still in use".into()))?
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        reports.note_schema(schema);
        reports.finish()
    }

    /// Finishes both files (moving them into place).
    pub fn finish(self) -> Result<()> {
        let finished = |r: Result<()>| crate::stdout::tolerate_closed(r);
        if let Some(w) = self.errors {
            finished(w.finish(&self.schema))?;
        }
        if let Some((w, schema)) = self.success {
            finished(w.finish(&schema))?;
        }
        if let Some((w, _)) = self.echo {
            finished(w.finish(&self.schema))?;
        }
        if let Some(w) = self.duplicates.and_then(|d| d.writer) {
            w.finish(&self.schema)?;
        }
        Ok(())
    }
}

/// The result of a write to the report in `slot`. A report on stdout whose reader went away
/// (`| head`) ends there, quietly, and alone: the run (an import, a campaign) goes on to its
/// end and records every outcome in its journal.
fn unless_closed<T>(slot: &mut Option<T>, written: Result<()>) -> Result<()> {
    match written {
        Err(crate::error::Error::StdoutClosed) => {
            *slot = None;
            Ok(())
        }
        other => other,
    }
}
