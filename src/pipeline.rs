//! Wires the stages: a reader thread, the transform on all cores (rayon, batch by batch, order
//! kept), and a consumer thread, joined by bounded channels so that memory stays flat however
//! large the input.

use std::sync::Arc;
use std::thread;

use crossbeam_channel::bounded;
use rayon::prelude::*;

use crate::dedupe::{Decision, Deduper};
use crate::error::{Error, Result};
use crate::input::InputPlan;
use crate::mapping::{MappedColumn, MappingSpec, Roles};
use crate::reject::Rejection;
use crate::report::Counts;
use crate::source::{RawRow, Schema, Source, SourceInfo};
use crate::transform::{Processed, TransformOptions, Verdict, process};
use crate::warnings::WarningsFile;

/// Rows per batch handed between stages.
pub const BATCH_ROWS: usize = 4096;
/// Batches that may wait between two stages.
const QUEUE: usize = 4;

/// What the pipeline learned about its input.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub source: SourceInfo,
    /// The final schema (JSON schemas grow while reading).
    pub schema: Arc<Schema>,
    pub mapping: Vec<MappedColumn>,
    /// The warnings file written, when there was one.
    pub warnings: Option<String>,
}

/// Runs `source` through the transform and hands each processed batch, in input order, to
/// `consume` on a thread of its own.
pub fn run<F>(
    mut source: Box<dyn Source>,
    spec: &MappingSpec,
    opts: &TransformOptions,
    consume: F,
) -> Result<RunInfo>
where
    F: FnMut(&Arc<Schema>, Vec<Processed>) -> Result<()> + Send,
{
    let info = source.info().clone();
    let initial_schema = source.schema();
    let (raw_tx, raw_rx) = bounded(QUEUE);
    let (done_tx, done_rx) = bounded::<(Arc<Schema>, Vec<Processed>)>(QUEUE);

    thread::scope(|scope| {
        let reader = thread::Builder::new()
            .name("reader".into())
            .spawn_scoped(scope, move || {
                loop {
                    if crate::stop::requested() {
                        let _ = raw_tx.send(Err(Error::Interrupted(crate::stop::message())));
                        return;
                    }
                    match source.next_batch(BATCH_ROWS) {
                        Ok(Some(batch)) => {
                            if raw_tx.send(Ok(batch)).is_err() {
                                return; // downstream stopped
                            }
                        }
                        Ok(None) => return,
                        Err(e) => {
                            let _ = raw_tx.send(Err(e));
                            return;
                        }
                    }
                }
            })
            .map_err(|e| Error::io("cannot start a thread for", "the reader", e))?;

        let mut consume = consume;
        let consumer = thread::Builder::new()
            .name("consumer".into())
            .spawn_scoped(scope, move || -> Result<()> {
                for (schema, rows) in done_rx {
                    consume(&schema, rows)?;
                }
                Ok(())
            })
            .map_err(|e| Error::io("cannot start a thread for", "the writer", e))?;

        let mut roles_for: Option<(Arc<Schema>, Roles)> = None;
        let mut last_schema = initial_schema;
        let mut read_error = None;
        for batch in raw_rx {
            let batch = match batch {
                Ok(b) => b,
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            };
            let fresh = !matches!(&roles_for, Some((s, _)) if Arc::ptr_eq(s, &batch.schema));
            if fresh {
                let roles = Roles::resolve(&batch.schema, spec);
                roles_for = Some((Arc::clone(&batch.schema), roles));
            }
            let Some((schema, roles)) = &roles_for else {
                continue;
            };
            let processed: Vec<Processed> = batch
                .rows
                .into_par_iter()
                .map(|raw| process(raw, schema, roles, opts))
                .collect();
            last_schema = Arc::clone(schema);
            if done_tx.send((Arc::clone(schema), processed)).is_err() {
                break; // the consumer failed: its error is reported below
            }
        }
        drop(done_tx);
        let consumed = consumer
            .join()
            .unwrap_or_else(|_| Err(Error::Internal("the writer thread panicked".into())));
        let _ = reader.join();
        consumed?;
        if let Some(e) = read_error {
            return Err(e);
        }
        let mapping = match &roles_for {
            Some((schema, roles)) => roles.describe(schema),
            None => Roles::resolve(&last_schema, spec).describe(&last_schema),
        };
        Ok(RunInfo {
            source: info,
            schema: last_schema,
            mapping,
            warnings: None,
        })
    })
}

/// A consumer of a run's rows, pushed in input order once the transform and dedupe have
/// decided each (ripgrep's `Sink`, for rows). `clean`, `import` and `sms` each implement it;
/// [`drive`] walks the input and counts what every command counts the same way (rows read,
/// blank, duplicates). A sink counts the rows it takes (clean) and the rows it rejects.
pub trait RowSink: Send {
    /// The counts the driver adds to.
    fn counts(&mut self) -> &mut Counts;

    /// A batch of `rows` rows of `schema` is about to come (JSON schemas grow while reading).
    fn batch(&mut self, schema: &Arc<Schema>, rows: usize) {
        let _ = (schema, rows);
    }

    /// A row whose every field was empty: skipped.
    fn blank(&mut self, schema: &Arc<Schema>, raw: RawRow) -> Result<()> {
        let _ = (schema, raw);
        Ok(())
    }

    /// A row the transform rejected, and `why` (the reasons, most important first).
    fn rejected(&mut self, schema: &Arc<Schema>, raw: RawRow, why: Vec<Rejection>) -> Result<()>;

    /// A clean row dedupe dropped as a repeat of row `of`.
    fn duplicate(&mut self, schema: &Arc<Schema>, row: Processed, of: u64) -> Result<()> {
        let _ = (schema, row, of);
        Ok(())
    }

    /// A clean row dedupe kept (a `keep last` dedupe decides some only at the end).
    fn kept(&mut self, schema: &Arc<Schema>, row: Processed) -> Result<()>;
}

/// Runs `source` through the transform and `deduper`, pushing every row to `sink`. A run that
/// fails or is stopped (a signal: [`Error::Interrupted`]) returns the error without deciding
/// the rows dedupe still holds.
///
/// The values `--bad-secondary drop` drops go to the input's warnings file, and the rules its
/// numbers were read by are counted in the sink's counts, before dedupe (they are facts of
/// the row as read).
pub fn drive<S: RowSink>(
    source: Box<dyn Source>,
    input: &InputPlan,
    mut deduper: Deduper,
    sink: &mut S,
) -> Result<RunInfo> {
    let (spec, opts) = (&input.mapping, &input.transform);
    let mut warnings = input
        .warnings
        .as_deref()
        .map(WarningsFile::create)
        .transpose()?;
    let mut last_schema = Arc::new(Schema::default());
    let decided = |sink: &mut S, schema: &Arc<Schema>, d: Decision| match d {
        Decision::Kept(p) => sink.kept(schema, p),
        Decision::Dropped { row, of } => {
            sink.counts().duplicates += 1;
            sink.duplicate(schema, row, of)
        }
    };
    let info = run(source, spec, opts, |schema, rows| {
        last_schema = Arc::clone(schema);
        sink.batch(schema, rows.len());
        for p in rows {
            sink.counts().rows_read += 1;
            let Processed { raw, outcome } = p;
            match outcome {
                Verdict::Blank => {
                    sink.counts().blank += 1;
                    sink.blank(schema, raw)?;
                }
                Verdict::Rejected(why) => sink.rejected(schema, raw, why)?,
                Verdict::Clean(mut clean) => {
                    if let Some(notes) = clean.notes.take() {
                        sink.counts().readings.add(&notes.readings);
                        if let Some(w) = &mut warnings {
                            w.write(raw.row, &notes.dropped)?;
                        }
                    }
                    let p = Processed {
                        raw,
                        outcome: Verdict::Clean(clean),
                    };
                    match deduper.decide_now(&p) {
                        Some(None) => sink.kept(schema, p)?,
                        Some(Some(of)) => {
                            sink.counts().duplicates += 1;
                            sink.duplicate(schema, p, of)?;
                        }
                        None => deduper.push(p, &mut |d| decided(sink, schema, d))?,
                    }
                }
            }
        }
        Ok(())
    })?;
    let schema = if info.schema.columns.len() >= last_schema.columns.len() {
        Arc::clone(&info.schema)
    } else {
        last_schema
    };
    deduper.finish(&mut |d| decided(sink, &schema, d))?;
    if let Some(w) = warnings {
        w.finish()?;
    }
    Ok(RunInfo {
        schema,
        warnings: input.warnings.clone(),
        ..info
    })
}
