//! `bulkline clean`: the offline pipeline from a messy export to a clean file and reports.

use std::sync::Arc;
use std::time::Instant;

use super::input_plan;
use crate::cli::CleanArgs;
use crate::dedupe::Deduper;
use crate::error::{ExitCode, Result};
use crate::exit::Ended;
use crate::pipeline::{self, RowSink};
use crate::reject::Rejection;
use crate::report::{self, CleanSummary, Counts, Outputs};
use crate::sink::TableWriter;
use crate::sink::{output_delimiter, output_format, report_format};
use crate::source::{self, RawRow, Schema, Values};
use crate::transform::{Processed, Verdict};

/// The writers of a clean run: the clean rows, and the reports.
struct Writers {
    clean: TableWriter,
    errors: Option<TableWriter>,
    duplicates: Option<TableWriter>,
    counts: Counts,
    /// How the reports number a row.
    numbers: report::RowNumbers,
    /// What the progress meter shows.
    reading: Arc<crate::progress::meter::Reading>,
}

impl RowSink for Writers {
    fn counts(&mut self) -> &mut Counts {
        &mut self.counts
    }

    fn batch(&mut self, _schema: &Arc<Schema>, rows: usize) {
        self.reading
            .rows
            .fetch_add(rows as u64, std::sync::atomic::Ordering::Relaxed);
    }

    fn rejected(&mut self, schema: &Arc<Schema>, raw: RawRow, why: Vec<Rejection>) -> Result<()> {
        self.counts.reject(&why);
        let Some(w) = &mut self.errors else {
            return Ok(());
        };
        let mut extra = report::error_columns(self.numbers, raw.row, &why);
        if matches!(raw.values, Values::Json { .. }) {
            extra.push(report::raw_text(&raw.values));
        }
        w.write(schema, &raw.values, &[], &extra)
    }

    fn duplicate(&mut self, schema: &Arc<Schema>, row: Processed, of: u64) -> Result<()> {
        let Some(w) = &mut self.duplicates else {
            return Ok(());
        };
        let rewrites = match &row.outcome {
            Verdict::Clean(c) => c.rewrites.as_slice(),
            _ => &[],
        };
        let extra = self.numbers.duplicate_cells(row.raw.row, of);
        w.write(schema, &row.raw.values, rewrites, &extra)
    }

    fn kept(&mut self, schema: &Arc<Schema>, row: Processed) -> Result<()> {
        let Verdict::Clean(c) = &row.outcome else {
            return Ok(());
        };
        self.counts.clean += 1;
        self.clean.write(schema, &row.raw.values, &c.rewrites, &[])
    }
}

// A local run, nothing to go on from.
super::runs!(CleanArgs, run, resumes: false);

pub fn run(args: &CleanArgs) -> Result<Ended> {
    let started = Instant::now();
    let input = &args.input;
    let mut plan = input_plan(input)?;
    // Clean rewrites files: it needs phones and e-mails checked and keyed, not names.
    plan.transform.keys_only = true;
    super::json_owns_stdout(
        args.json,
        &[
            ("the clean rows (-o, stdout by default)", args.output == "-"),
            ("--errors", args.errors.as_deref() == Some("-")),
            ("--duplicates", args.duplicates.as_deref() == Some("-")),
            ("--warnings", input.warnings.as_deref() == Some("-")),
        ],
    )?;
    plan.warnings = crate::warnings::path(
        input.warnings.as_deref(),
        args.errors.as_deref(),
        input.bad_secondary,
    );
    crate::paths::RunFiles::new(&input.input)
        .output("-o", Some(&args.output))
        .output("--errors", args.errors.as_deref())
        .output("--duplicates", args.duplicates.as_deref())
        .output("--warnings", plan.warnings.as_deref())
        .check()?;
    // A meter on the terminal when the run takes more than a second: rows, rows/s, bytes.
    let reading = std::sync::Arc::new(crate::progress::meter::Reading::default());
    plan.source.meter = Some(std::sync::Arc::clone(&reading));
    let total_bytes = (input.input != "-")
        .then(|| std::fs::metadata(&input.input).ok())
        .flatten()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let src = source::open(&input.input, &plan.source)?;
    // A workbook's bytes are read by calamine: its meter counts rows only.
    let total_bytes = total_bytes.filter(|_| src.info().format != source::Format::Spreadsheet);
    let meter = crate::progress::meter::Meter::start(
        std::sync::Arc::clone(&reading),
        total_bytes,
        args.quiet,
    );
    plan.mapping.check_against(&src.schema())?;
    let in_format = src.info().format;
    let delim = src.info().delimiter_byte();
    let report_format = |p: &str| report_format(p, in_format);
    let numbers = report::RowNumbers::of(src.info());
    let mut writers = Writers {
        clean: TableWriter::create(
            &args.output,
            output_format(&args.output, in_format),
            output_delimiter(&args.output, delim),
            &[],
        )?,
        errors: args
            .errors
            .as_deref()
            .map(|p| {
                TableWriter::create(
                    p,
                    report_format(p),
                    output_delimiter(p, delim),
                    numbers.error_columns(),
                )
            })
            .transpose()?,
        duplicates: args
            .duplicates
            .as_deref()
            .map(|p| {
                TableWriter::create(
                    p,
                    report_format(p),
                    output_delimiter(p, delim),
                    numbers.duplicate_columns(),
                )
            })
            .transpose()?,
        counts: Counts::default(),
        numbers,
        reading: Arc::clone(&reading),
    };
    let deduper = Deduper::new(input.dedupe_by, input.keep)?;
    let info = pipeline::drive(src, &plan, deduper, &mut writers)?;
    let schema = info.schema;
    meter.finish();
    writers.clean.finish(&schema)?;
    if let Some(w) = writers.errors.take() {
        w.finish(&schema)?;
    }
    if let Some(w) = writers.duplicates.take() {
        w.finish(&schema)?;
    }

    let counts = std::mem::take(&mut writers.counts);
    let code = ExitCode::rows(counts.rejected);
    let outputs = Outputs {
        clean: if args.output == "-" {
            "standard output".into()
        } else {
            args.output.clone()
        },
        errors: args.errors.clone(),
        duplicates: args.duplicates.clone(),
        warnings: info.warnings.clone(),
    };
    let summary = CleanSummary {
        command: "clean",
        input: input.input.clone(),
        source: info.source,
        counts,
        seconds: 0.0,
        rows_per_second: 0.0,
        mapping: info.mapping,
        outputs,
        exit_code: code,
    }
    .timed(started.elapsed());
    crate::summary::print(&summary, args.json, args.quiet)?;
    Ok(crate::summary::ended(&summary))
}
