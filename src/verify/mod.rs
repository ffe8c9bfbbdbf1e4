//! `verify`: what the target holds, compared with what the file says. The file is cleaned and
//! mapped exactly as `import` would; the target is listed (once per parent, held packed as in
//! planning); each clean row is `landed` (a record with its key holds every field `import`
//! writes), `differs` (which fields, with both values) or `missing`; records with no row are
//! `extra` (reported, not a failure: a target often holds more than one file).

pub mod summary;

use std::sync::Arc;

use tokio::runtime::Runtime;

use crate::connectors::{Difference, Remote, RowExtras, differences};
use crate::dedupe::{Deduper, Keep};
use crate::error::{Result, exit};
use crate::import::{Listings, Matching, row_key};
use crate::input::InputPlan;
use crate::pipeline::{self, RowSink};
use crate::reject::Rejection;
use crate::report::Counts;
use crate::sink::TableWriter;
use crate::source::{self, RawRow, Schema, Values};
use crate::transform::{Processed, Verdict};

pub use summary::{Tally, VerifySummary};

/// The columns of the report, before the input's own.
pub const REPORT_COLUMNS: [&str; 4] = ["_row", "_status", "_fields", "_target_id"];

/// Everything a verify run needs besides the target.
pub struct Settings {
    pub input: InputPlan,
    pub input_path: String,
    pub keep: Keep,
    /// How a row's record is found: the key, and the parent.
    pub matching: Matching,
    /// Where to write the rows that did not land and the extra records.
    pub report: Option<String>,
}

/// What became of one row.
enum Status {
    Landed,
    Differs(Vec<Difference>),
    Missing(String),
}

struct Checker<'a> {
    settings: &'a Settings,
    remote: &'a Remote,
    runtime: &'a tokio::runtime::Handle,
    counts: &'a mut Counts,
    listings: Listings,
    /// Per listed record: a row found it.
    seen: Vec<bool>,
    tally: Tally,
    report: Option<TableWriter>,
}

impl RowSink for Checker<'_> {
    fn counts(&mut self) -> &mut Counts {
        self.counts
    }

    fn rejected(&mut self, _schema: &Arc<Schema>, _raw: RawRow, why: Vec<Rejection>) -> Result<()> {
        self.counts.reject(&why);
        Ok(())
    }

    fn kept(&mut self, schema: &Arc<Schema>, row: Processed) -> Result<()> {
        self.counts.clean += 1;
        self.check(schema, row)
    }
}

impl Checker<'_> {
    /// Lists the records under `parent` unless already done (see [`Listings::ensure`]): the
    /// message of a parent the API refuses for good.
    fn ensure_listed(&mut self, parent: &str) -> Result<Option<String>> {
        let refusal = self.listings.ensure(self.remote, self.runtime, parent)?;
        self.seen.resize(self.listings.index.len(), false);
        Ok(refusal.map(|(_, message)| message))
    }

    fn check(&mut self, schema: &Arc<Schema>, p: Processed) -> Result<()> {
        let Verdict::Clean(clean) = &p.outcome else {
            return Ok(());
        };
        let contact = clean.contact();
        let extras = RowExtras::of(contact);
        let fields = match self.remote.target.desired(contact, &extras) {
            Ok(f) => f,
            // A row the target's rules refuse is never written: `import` rejects it too.
            Err(rejection) => {
                self.counts.reject(&[rejection]);
                return Ok(());
            }
        };
        let parent = self.listings.parent_of(&extras);
        let by = self.settings.matching.by;
        let (status, id) = match row_key(contact, by) {
            None => (
                Status::Missing(format!(
                    "the row has no {} to find its record by",
                    by.as_str()
                )),
                String::new(),
            ),
            Some(key) => match self.ensure_listed(&parent)? {
                Some(refusal) => (Status::Missing(refusal), String::new()),
                None => self.compare(&parent, &key, &fields),
            },
        };
        let (word, text) = match &status {
            Status::Landed => {
                self.tally.landed += 1;
                return Ok(());
            }
            Status::Differs(d) => {
                self.tally.differs += 1;
                ("differs", crate::import::describe(d))
            }
            Status::Missing(why) => {
                self.tally.missing += 1;
                ("missing", why.clone())
            }
        };
        if let Some(w) = &mut self.report {
            let lead = [p.raw.row.to_string(), word.to_string(), text, id];
            w.write(schema, &p.raw.values, &[], &lead)?;
        }
        Ok(())
    }

    /// What the records with `key` under `parent` say of a row that wants `fields`: one that
    /// holds them all is the row's (landed); else the closest differs; none is missing. Only
    /// that record counts as found: others with the key stay `extra` (a duplicate on the target).
    fn compare(
        &mut self,
        parent: &str,
        key: &str,
        fields: &crate::connectors::RecordFields,
    ) -> (Status, String) {
        let mut best: Option<(usize, Vec<Difference>)> = None;
        for i in self.listings.index.positions(parent, key) {
            let Some(record) = self.listings.index.get(i) else {
                continue;
            };
            let diffs = differences(&*self.remote.target, fields, &record.fields.to_fields());
            if best.as_ref().is_none_or(|(_, b)| diffs.len() < b.len()) {
                best = Some((i, diffs));
            }
        }
        let Some((i, diffs)) = best else {
            return (
                Status::Missing(format!(
                    "no record on the target has this {}",
                    self.settings.matching.by.as_str()
                )),
                String::new(),
            );
        };
        // Two rows may want one record: the first to find it holds it.
        let id = self
            .listings
            .index
            .get(i)
            .map(|r| r.id.clone())
            .unwrap_or_default();
        if let Some(seen) = self.seen.get_mut(i) {
            *seen = true;
        }
        match diffs.is_empty() {
            true => (Status::Landed, id),
            false => (Status::Differs(diffs), id),
        }
    }

    /// The records no row found: reported as `extra`, in the columns of `schema` (the input's
    /// last).
    fn extras(&mut self, schema: &Arc<Schema>) -> Result<()> {
        let empty = Values::Json {
            cells: Vec::new(),
            original: Box::new(serde_json::Value::Object(Default::default())),
        };
        for (i, seen) in self.seen.iter().enumerate() {
            if *seen {
                continue;
            }
            self.tally.extra += 1;
            let (Some(w), Some(record)) = (&mut self.report, self.listings.index.get(i)) else {
                continue;
            };
            let mut text: Vec<String> = Vec::new();
            if let Some(parent) = &record.parent {
                text.push(format!("parent: {parent}"));
            }
            text.extend(record.fields.iter().map(|(k, v)| format!("{k}: {v}")));
            let lead = [
                String::new(),
                "extra".into(),
                text.join("; "),
                record.id.clone(),
            ];
            w.write(schema, &empty, &[], &lead)?;
        }
        Ok(())
    }
}

/// Verifies `settings.input_path` against `remote`, on `runtime`.
pub fn run(settings: &Settings, remote: Remote, runtime: &Runtime) -> Result<VerifySummary> {
    let target = &remote.target;
    let started = std::time::Instant::now();
    crate::paths::check_reports_and_journal(
        "verify",
        &settings.input_path,
        None,
        settings.report.as_deref(),
        settings.input.warnings.as_deref(),
        None,
    )?;
    let src = source::open(&settings.input_path, &settings.input.source)?;
    settings.input.mapping.check_against(&src.schema())?;
    let report = settings
        .report
        .as_deref()
        .map(|path| {
            let format = crate::sink::report_format(path, src.info().format);
            let delimiter = crate::sink::output_delimiter(path, src.info().delimiter_byte());
            TableWriter::create(path, format, delimiter, &REPORT_COLUMNS).map(TableWriter::leading)
        })
        .transpose()?;
    let mut counts = Counts::default();
    let deduper = Deduper::new(settings.input.transform.dedupe_by, settings.keep)?;
    let handle = runtime.handle().clone();
    let mut checker = Checker {
        settings,
        remote: &remote,
        runtime: &handle,
        counts: &mut counts,
        listings: Listings::new(&settings.matching),
        seen: Vec::new(),
        tally: Tally::default(),
        report,
    };
    // Targets without parents are listed once, before the first row.
    if !settings.matching.parents {
        checker.ensure_listed("")?;
    }
    let info = pipeline::drive(src, &settings.input, deduper, &mut checker)?;
    // With --limit, the records of the rows not read are not extra.
    if settings.input.source.limit.is_none() {
        checker.extras(&info.schema)?;
    }
    let (tally, listed, report) = (
        checker.tally,
        checker.listings.index.len(),
        checker.report.take(),
    );
    drop(checker);
    if let Some(w) = report {
        w.finish(&info.schema)?;
    }
    let exit_code = match tally.differs + tally.missing {
        0 => exit::ExitCode::Ok,
        _ => exit::ExitCode::RowsRejected,
    };
    Ok(VerifySummary::new(
        settings,
        target.kind(),
        &counts,
        tally,
        listed,
        started.elapsed(),
        exit_code,
    ))
}
