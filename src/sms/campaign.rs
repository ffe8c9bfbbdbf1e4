//! A campaign run: the input through the clean pipeline, each kept row made a recipient
//! ([`super::recipient`]), then either a plan (`--dry-run`: nothing sent) or the sends
//! ([`super::send`]), resumable from the journal.
//!
//! The input is read twice: a first pass plans (how many recipients, segments, requests,
//! countries; what is rejected), which is the whole of a dry run and what a real send asks
//! confirmation on; the second pass sends. Neither holds the file in memory.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::mpsc;

use crate::checkpoint::{Journal, Resume, RowState, RunHeader};
use crate::contact::Contact;
use crate::dedupe::{Deduper, Keep};
use crate::error::{Error, ExitCode, Result};
use crate::http::HttpClient;
use crate::input::InputPlan;
use crate::phone;
use crate::pipeline::{self, RowSink, RunInfo};
use crate::progress::{Counters, Progress, ProgressMode};
use crate::reject::{Code, Rejection, Stage};
use crate::report::Counts;
use crate::sink::{Done, Reports};
use crate::sms::api::SendOptions;
use crate::source::{self, RawRow, Schema, Values};
use crate::transform::{Processed, Verdict};

use super::batch::{BatchKey, Batcher};
use super::recipient::{Composer, Recipient};
use super::segments::Encoding;
use super::send::{OutBatch, Outgoing, Sender, Unknown};
use super::summary::{CampaignPlan, Rendered, Sample, SmsSummary};
use crate::journaled::{Files, JournaledRun, Opening};

/// The target name in the journal header.
pub const TARGET: &str = super::API;
/// Columns of the success report (and of a dry run's plan).
pub const REPORT_COLUMNS: [&str; 4] = ["number", "_action", "_logid", "message"];
/// Recipients above which a real send asks for confirmation.
pub const CONFIRM_ABOVE: u64 = 100;
/// Batches waiting between the planner and the senders.
const QUEUE: usize = 256;
/// Rendered samples a dry run shows.
const SAMPLES: usize = 3;

/// The header options that make another campaign of the same list (part of the run lock's
/// identity): another message, sender or timing is another campaign.
const CAMPAIGN_OPTIONS: [&str; 6] = [
    "message",
    "sender_id",
    "schedule",
    "send_window",
    "media",
    "flash",
];

/// Asks whether to go on with a send of the plan.
pub type Confirm = Box<dyn Fn(&CampaignPlan) -> Result<bool> + Send + Sync>;

/// Everything a campaign needs besides the API.
pub struct Settings {
    /// The input, the journal and the reports.
    pub files: Files,
    pub composer: Composer,
    pub send_options: SendOptions,
    pub batch_size: usize,
    pub resend_unknown: bool,
    /// How long the SMS logs may take to show an accepted send (`--log-catch-up`).
    pub log_catch_up: std::time::Duration,
    /// What else identifies the campaign in the journal header (template digest, sender...).
    pub header_options: Vec<(String, String)>,
    /// Where the campaign sends from (host, account, sender; see [`crate::destination`]).
    pub destination: crate::destination::Destination,
    /// What the account's outgoing logs show it texted within `--repeat-window`.
    pub texted: super::texted::Texted,
    /// The log ids of test sends (`--test-to`) made from this machine.
    pub test_sends: Arc<super::test_ledger::TestSends>,
    /// The rate the sends start at: a dry run's time estimate.
    pub rate: crate::http::Rate,
    pub progress: ProgressMode,
    /// Asked before a real send to more than [`CONFIRM_ABOVE`] recipients; false stops.
    pub confirm: Confirm,
}

/// Numbers a pass has given a message: a later row with one of them is rejected (one
/// message a number).
#[derive(Default)]
pub(crate) struct Claims(HashSet<u64>);

impl Claims {
    /// The contact of a kept row, or why the row is rejected: an earlier row has its number.
    fn claim(&mut self, row: Processed) -> (RawRow, Result<Contact, Rejection>) {
        let Processed { raw, outcome } = row;
        let Verdict::Clean(clean) = outcome else {
            let why = Rejection::new(Stage::Validate, "", Code::FieldInvalid, "not a clean row");
            return (raw, Err(why));
        };
        let number = clean.contact().primary_phone().map(|p| p.e164.clone());
        let key = number.as_deref().and_then(phone::e164_key);
        if let Some(k) = key
            && !self.0.insert(k)
        {
            let rejection = Rejection::new(
                Stage::Validate,
                "",
                Code::DuplicateNumber,
                format!(
                    "an earlier row has the same number ({}): it gets one message",
                    number.unwrap_or_default()
                ),
            );
            return (raw, Err(rejection));
        }
        (raw, Ok(clean.into_contact()))
    }
}

/// A pass over the campaign's rows: what it does with a rejected row and with a recipient.
pub(crate) trait Pass: Send {
    /// The pass's counts, and the numbers it has given a message.
    fn tally(&mut self) -> (&mut Counts, &mut Claims);
    fn note_schema(&mut self, schema: &Arc<Schema>) {
        let _ = schema;
    }
    fn reject(&mut self, schema: &Arc<Schema>, raw: &RawRow, why: &[Rejection]) -> Result<()>;
    fn recipient(&mut self, schema: &Arc<Schema>, raw: RawRow, contact: Contact) -> Result<()>;
    /// A row dedupe dropped as a repeat of row `of`.
    fn duplicate(&mut self, schema: &Arc<Schema>, raw: &RawRow, of: u64) -> Result<()> {
        let _ = (schema, raw, of);
        Ok(())
    }
}

/// A pass as the pipeline's row sink.
struct Walk<'p, P>(&'p mut P);

impl<P: Pass> RowSink for Walk<'_, P> {
    fn counts(&mut self) -> &mut Counts {
        self.0.tally().0
    }

    fn batch(&mut self, schema: &Arc<Schema>, _rows: usize) {
        self.0.note_schema(schema);
    }

    fn rejected(&mut self, schema: &Arc<Schema>, raw: RawRow, why: Vec<Rejection>) -> Result<()> {
        self.0.reject(schema, &raw, &why)
    }

    fn duplicate(&mut self, schema: &Arc<Schema>, row: Processed, of: u64) -> Result<()> {
        self.0.duplicate(schema, &row.raw, of)
    }

    fn kept(&mut self, schema: &Arc<Schema>, row: Processed) -> Result<()> {
        match self.0.tally().1.claim(row) {
            (raw, Err(rejection)) => self.0.reject(schema, &raw, &[rejection]),
            (raw, Ok(contact)) => {
                self.0.tally().0.clean += 1;
                self.0.recipient(schema, raw, contact)
            }
        }
    }
}

/// Runs the input through the clean pipeline and dedupe, handing every row to `pass` in
/// input order.
fn walk<P: Pass>(settings: &Settings, pass: &mut P) -> Result<RunInfo> {
    walk_list(
        &settings.files.input_path,
        &settings.files.input,
        settings.files.keep,
        pass,
    )
}

/// [`walk`] of the list at `input_path`, read as `input` says, dedupe keeping `keep`.
pub(crate) fn walk_list<P: Pass>(
    input_path: &str,
    input: &InputPlan,
    keep: Keep,
    pass: &mut P,
) -> Result<RunInfo> {
    let src = source::open(input_path, &input.source)?;
    let deduper = Deduper::new(input.transform.dedupe_by, keep)?;
    pipeline::drive(src, input, deduper, &mut Walk(pass))
}

/// A 64-bit digest of a batch key, for counting requests without keeping the texts.
fn key_digest(key: &BatchKey) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// The first pass: counts what would be sent.
struct Planner<'a> {
    settings: &'a Settings,
    resume: &'a Resume,
    counts: Counts,
    plan: CampaignPlan,
    groups: HashMap<u64, u64>,
    /// A dry run writes its reports in this pass.
    reports: Option<&'a Mutex<Reports>>,
    claims: Claims,
}

impl Pass for Planner<'_> {
    fn tally(&mut self) -> (&mut Counts, &mut Claims) {
        (&mut self.counts, &mut self.claims)
    }

    fn reject(&mut self, schema: &Arc<Schema>, raw: &RawRow, why: &[Rejection]) -> Result<()> {
        self.counts.reject(why);
        if why.first().is_some_and(|r| r.code == Code::Suppressed) {
            self.plan.suppressed += 1;
        }
        match self.reports {
            Some(r) => lock(r).rejected(schema, raw.row, &raw.values, why),
            None => Ok(()),
        }
    }

    fn duplicate(&mut self, schema: &Arc<Schema>, raw: &RawRow, of: u64) -> Result<()> {
        match self.reports {
            Some(r) => lock(r).duplicate(schema, &raw.values, raw.row, of),
            None => Ok(()),
        }
    }

    fn recipient(&mut self, schema: &Arc<Schema>, raw: RawRow, contact: Contact) -> Result<()> {
        match self.resume.state(raw.row) {
            Some(RowState::Done { .. }) => {
                self.plan.already_sent += 1;
                return Ok(());
            }
            Some(RowState::Failed(_)) => {
                self.plan.failed_before += 1;
                return Ok(());
            }
            Some(RowState::InFlight(_) | RowState::Unknown(_)) => {
                self.plan.to_check += 1;
                return Ok(());
            }
            None => {}
        }
        let composed = self.settings.composer.compose(
            raw.row,
            schema,
            &raw.values,
            &contact,
            jiff::Timestamp::now(),
        );
        let r = match composed {
            Ok(r) => r,
            Err(rejection) => return self.reject(schema, &raw, &[rejection]),
        };
        if let Some(hit) = self.settings.composer.suppression(&r) {
            self.plan.count_suppressed(&hit);
            let rejection = self.settings.composer.rejection(&hit);
            return self.reject(schema, &raw, &[rejection]);
        }
        if let Some(rejection) = self.settings.texted.rejection(&r.number, &r.message) {
            self.plan.already_texted += 1;
            return self.reject(schema, &raw, &[rejection]);
        }
        self.add(&r);
        if let Some(reports) = self.reports {
            let action = if r.schedule.is_some() {
                "schedule"
            } else {
                "send"
            };
            lock(reports).success(&Done {
                row: r.row,
                key: &r.number,
                action,
                remote_id: "",
                changes: Some(&r.message),
            })?;
        }
        Ok(())
    }
}

impl Planner<'_> {
    fn add(&mut self, r: &Recipient) {
        let p = &mut self.plan;
        p.recipients += 1;
        p.segments += r.segments.segments as u64;
        match r.segments.encoding {
            Encoding::Gsm7 => p.gsm7 += 1,
            Encoding::Ucs2 => p.ucs2 += 1,
        }
        if r.schedule.is_some() {
            p.scheduled += 1;
        }
        let country = if r.region.is_empty() {
            "unknown".to_string()
        } else {
            r.region.clone()
        };
        *p.by_country.entry(country).or_default() += 1;
        *self.groups.entry(key_digest(&BatchKey::of(r))).or_default() += 1;
        if p.samples.len() < SAMPLES {
            p.samples.push(Sample {
                row: r.row,
                number: r.number.clone(),
                rendered: Rendered::of(r),
                scheduled: r
                    .schedule
                    .as_ref()
                    .map(|s| format!("{} {}", s.time, s.zone)),
            });
        }
    }

    fn finish(mut self) -> (Counts, CampaignPlan) {
        let size = self.settings.batch_size.max(1) as u64;
        self.plan.planned_requests = self.groups.values().map(|n| n.div_ceil(size)).sum();
        (self.counts, self.plan)
    }
}

fn lock<X>(m: &Mutex<X>) -> std::sync::MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The second pass: sends, and reports every row.
struct SendPass<'a> {
    settings: &'a Settings,
    resume: &'a Resume,
    counts: Counts,
    reports: &'a Mutex<Reports>,
    sender: &'a Arc<Sender>,
    tx: mpsc::Sender<OutBatch>,
    batcher: Batcher,
    /// The input rows of recipients waiting in open batches.
    waiting: HashMap<u64, (Arc<Schema>, Values)>,
    /// Rows an earlier run saw refused.
    resumed_failed: u64,
    /// When each maybe-sent row's request could last have reached the API (ms).
    maybe_at: HashMap<u64, u64>,
    /// The schema of the rows seen so far (for the reports of a run a signal stopped).
    last_schema: Arc<Schema>,
    claims: Claims,
}

impl Pass for SendPass<'_> {
    fn tally(&mut self) -> (&mut Counts, &mut Claims) {
        (&mut self.counts, &mut self.claims)
    }

    fn note_schema(&mut self, schema: &Arc<Schema>) {
        if !Arc::ptr_eq(&self.last_schema, schema) {
            self.last_schema = Arc::clone(schema);
        }
    }

    fn reject(&mut self, schema: &Arc<Schema>, raw: &RawRow, why: &[Rejection]) -> Result<()> {
        self.counts.reject(why);
        lock(self.reports).rejected(schema, raw.row, &raw.values, why)
    }

    fn duplicate(&mut self, schema: &Arc<Schema>, raw: &RawRow, of: u64) -> Result<()> {
        lock(self.reports).duplicate(schema, &raw.values, raw.row, of)
    }

    fn recipient(&mut self, schema: &Arc<Schema>, raw: RawRow, contact: Contact) -> Result<()> {
        let composer = &self.settings.composer;
        let composed = composer.compose(
            raw.row,
            schema,
            &raw.values,
            &contact,
            jiff::Timestamp::now(),
        );
        match self.resume.state(raw.row) {
            Some(RowState::Done { remote_id, .. }) => {
                let number = self
                    .resume
                    .key(raw.row)
                    .map(|k| super::journal_key::decode(k).number.to_string())
                    .or_else(|| contact.primary_phone().map(|p| p.e164.clone()))
                    .unwrap_or_default();
                let message = composed
                    .as_ref()
                    .map(|r| r.message.to_string())
                    .unwrap_or_default();
                let id = remote_id.as_deref().unwrap_or("");
                return lock(self.reports).success(&Done {
                    row: raw.row,
                    key: &number,
                    action: "sent",
                    remote_id: id,
                    changes: Some(&message),
                });
            }
            Some(RowState::Failed(f)) => {
                self.resumed_failed += 1;
                return lock(self.reports).remote_failure(
                    schema,
                    raw.row,
                    &raw.values,
                    &f.code,
                    &f.message,
                );
            }
            Some(RowState::InFlight(intent) | RowState::Unknown(intent)) => {
                // The message as it was composed when it was sent: its schedule is the one the
                // lost request asked for.
                let at_ms = self.maybe_at.get(&raw.row).copied().unwrap_or(0);
                let composed = match jiff::Timestamp::from_millisecond(at_ms as i64) {
                    Ok(then) if at_ms > 0 => {
                        composer.compose(raw.row, schema, &raw.values, &contact, then)
                    }
                    _ => composed,
                };
                return match composed {
                    Ok(r) => {
                        let blocked = composer.suppressed(&r);
                        self.sender.add_unknown(Unknown {
                            at_ms: self.maybe_at.get(&raw.row).copied().unwrap_or(0),
                            intent: *intent,
                            item: Outgoing {
                                recipient: r,
                                schema: Arc::clone(schema),
                                values: raw.values,
                            },
                            blocked,
                        });
                        Ok(())
                    }
                    // The row changed so that it cannot be composed: it stays in flight.
                    Err(rejection) => self.reject(schema, &raw, &[rejection]),
                };
            }
            None => {}
        }
        let r = match composed {
            Ok(r) => r,
            Err(rejection) => return self.reject(schema, &raw, &[rejection]),
        };
        if let Some(rejection) = composer.suppressed(&r) {
            return self.reject(schema, &raw, &[rejection]);
        }
        if let Some(rejection) = self.settings.texted.rejection(&r.number, &r.message) {
            return self.reject(schema, &raw, &[rejection]);
        }
        self.waiting.insert(r.row, (Arc::clone(schema), raw.values));
        let ready = self.batcher.push(r);
        self.send(ready)
    }
}

impl SendPass<'_> {
    fn send(&mut self, batches: Vec<super::batch::Batch>) -> Result<()> {
        for batch in batches {
            let out = OutBatch::new(batch, |row| self.waiting.remove(&row));
            if self.tx.blocking_send(out).is_err() {
                return Err(Error::Internal("the senders stopped".into()));
            }
        }
        Ok(())
    }

    /// Sends the batches still open.
    fn finish(&mut self) -> Result<()> {
        let rest = self.batcher.finish();
        self.send(rest)
    }
}

/// The error and success reports of the run, at the paths the settings name.
fn open_reports(settings: &Settings) -> Result<Mutex<Reports>> {
    let src = source::open(&settings.files.input_path, &settings.files.input.source)?;
    let reports = Reports::open(&settings.files.reports, src.info(), &REPORT_COLUMNS)?;
    Ok(Mutex::new(reports))
}

/// The journal header of the campaign: the input, and everything that changes what a row
/// becomes or where it goes (mapping, regions, dedupe, the message, sender, schedule...).
fn header(settings: &Settings) -> Result<RunHeader> {
    let src = source::open(&settings.files.input_path, &settings.files.input.source)?;
    let mut h = settings
        .files
        .header(TARGET, "sms", &src.schema())?
        .destination(settings.destination.entries());
    for (k, v) in &settings.header_options {
        h = h.option(k, v);
    }
    Ok(h)
}

/// Runs the campaign through `http` (absent only for a dry run that reads nothing remote).
pub fn run(
    settings: &Settings,
    http: Option<HttpClient>,
    runtime: &tokio::runtime::Runtime,
) -> Result<SmsSummary> {
    let started = Instant::now();
    settings.files.check("sms")?;
    let header = header(settings)?;
    // `run` holds the run's lock to its end.
    let run = open_journal(settings, &header, http.is_some())?;
    let (journal, resume, damaged) = (run.journal.as_ref(), &run.resume, &run.damage);

    // Pass 1: the plan.
    let dry_reports = if settings.files.dry_run {
        Some(open_reports(settings)?)
    } else {
        None
    };
    let mut planner = Planner {
        settings,
        resume,
        counts: Counts::default(),
        plan: CampaignPlan::with_suppressions(&settings.composer.suppressions),
        groups: HashMap::new(),
        reports: dry_reports.as_ref(),
        claims: Claims::default(),
    };
    let info = walk(settings, &mut planner)?;
    let (counts, mut plan) = planner.finish();
    plan.repeat_window_seconds = settings.texted.window.as_secs();
    plan.repeat_log_entries = settings.texted.read;
    plan.repeat_log_requests = settings.texted.requests;
    if let Some(reports) = dry_reports {
        let mut r = reports.into_inner().unwrap_or_else(|e| e.into_inner());
        r.note_schema(&info.schema);
        r.finish()?;
        return Ok(SmsSummary::planned(
            &settings.files,
            counts,
            plan,
            settings.rate,
            started.elapsed(),
        ));
    }
    let (Some(journal), Some(http)) = (journal, http) else {
        return Err(Error::Internal(
            "a send without a journal or a client".into(),
        ));
    };
    if plan.recipients > CONFIRM_ABOVE && !(settings.confirm)(&plan)? {
        journal.close()?;
        return Err(Error::Usage(format!(
            "not confirmed: nothing was sent to the {} recipients",
            plan.recipients
        )));
    }

    // Pass 2: the sends.
    let reports = Arc::new(open_reports(settings)?);
    let counters = Arc::new(Counters::default());
    let progress = Progress::start(
        settings.progress,
        "sending",
        Some(plan.recipients + plan.to_check),
        Arc::clone(&counters),
        Some(Arc::clone(http.stats())),
        Some(Arc::clone(http.pacer())),
    );
    progress.announce_resume(resume, &settings.files.checkpoint);
    let sender = new_sender(settings, &http, journal, &reports, &counters, resume);
    let (tx, rx) = mpsc::channel::<OutBatch>(QUEUE);
    let senders = runtime.spawn(Arc::clone(&sender).run(rx));
    let mut pass = SendPass {
        settings,
        resume,
        counts: Counts::default(),
        reports: &reports,
        sender: &sender,
        tx,
        batcher: Batcher::new(settings.batch_size),
        waiting: HashMap::new(),
        resumed_failed: 0,
        maybe_at: resume
            .in_flight()
            .iter()
            .flat_map(|f| f.rows.iter().map(move |&r| (r, f.at_ms)))
            .collect(),
        last_schema: Arc::new(Schema::default()),
        claims: Claims::default(),
    };
    let walked = walk(settings, &mut pass).and_then(|info| pass.finish().map(|()| info));
    // The pass ends and its sending end closes: the senders finish what they have.
    let SendPass {
        counts: send_counts,
        resumed_failed,
        tx,
        last_schema,
        ..
    } = pass;
    drop(tx);
    runtime
        .block_on(senders)
        .map_err(|e| Error::Internal(format!("the senders failed: {e}")))?;
    // A signal stops the reading: what was batched is sent, the rest is left for the resume.
    let final_schema = match walked {
        Ok(info) => info.schema,
        Err(Error::Interrupted(_)) => last_schema,
        Err(e) => return Err(e),
    };
    runtime.block_on(Arc::clone(&sender).settle());
    if let Some(e) = sender.exec.take_fatal() {
        return Err(e);
    }
    progress.finish();
    let stopped = sender.exec.stopped();
    let totals = sender.counts.totals();
    drop(sender);
    Reports::finish_shared(reports, &final_schema)?;
    if damaged.is_some() && stopped.is_none() && totals.left == 0 {
        journal.reconciled();
    }
    journal.close()?;

    let not_done = send_counts.rejected + totals.failed + resumed_failed + totals.unknown;
    let exit_code = ExitCode::of_run(stopped.is_some() || totals.left > 0, not_done);
    Ok(SmsSummary::sent(super::summary::SentParts {
        files: &settings.files,
        counts: send_counts,
        plan,
        totals,
        stats: http.stats().snapshot(),
        rate: http.pacer().configured_rate(),
        resumed_failed,
        stopped,
        elapsed: started.elapsed(),
        exit_code,
    }))
}

/// The campaign's journal: opened, after the run's lock, by a run that sends (`sends`, not a
/// dry run), with whether it lost texts since the last run; read, if there is one, by a dry
/// run, which changes nothing.
fn open_journal(settings: &Settings, header: &RunHeader, sends: bool) -> Result<JournaledRun> {
    // One run of this campaign at a time, whatever path its list is reached by: the lock
    // follows the list's content, the account and the campaign (message, sender, timing).
    let campaign: Vec<(&str, &str)> = header
        .options
        .iter()
        .filter(|(k, _)| CAMPAIGN_OPTIONS.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let when_damaged = format!(
        "Texts it lost are not taken as \"not sent\": the account's outgoing logs since the campaign began ({} requests) keep anyone who got this text from getting it again",
        settings.texted.requests
    );
    if sends && !settings.files.dry_run {
        return JournaledRun::open(&Opening {
            header,
            checkpoint: &settings.files.checkpoint,
            restart: settings.files.restart,
            creates: true,
            extra: &campaign,
            limit: settings.files.input.source.limit,
            when_damaged: &when_damaged,
        });
    }
    // A dry run changes nothing, the journal included; an existing one is read.
    Ok(JournaledRun::dry(
        match crate::checkpoint::read_journal(&settings.files.checkpoint) {
            Ok((h, r)) if crate::checkpoint::check_header(&h, header).is_ok() => r,
            _ => Resume::default(),
        },
    ))
}

/// The senders' shared state: the client, the journal and the reports, and how a lost
/// answer is looked for in the logs since the campaign began.
fn new_sender(
    settings: &Settings,
    http: &HttpClient,
    journal: &Journal,
    reports: &Arc<Mutex<Reports>>,
    counters: &Arc<Counters>,
    resume: &Resume,
) -> Arc<Sender> {
    let since_ms = resume.created_unix.saturating_mul(1000);
    Arc::new(Sender::new(
        http.clone(),
        journal.clone(),
        Arc::clone(reports),
        Arc::clone(counters),
        settings.send_options.clone(),
        super::send::Reconciling {
            since_ms,
            catch_up: settings.log_catch_up,
            resend_unknown: settings.resend_unknown,
            timing: settings.composer.timing.clone(),
            test_sends: Arc::clone(&settings.test_sends),
        },
    ))
}

/// The (number, text) of every incoming message in the account's SMS logs: where the
/// opt-outs (STOP, ...) are found.
pub fn opt_out_numbers(
    http: &HttpClient,
    runtime: &tokio::runtime::Runtime,
) -> Result<Vec<(String, String)>> {
    let query = crate::sms::api::LogQuery {
        direction: Some(crate::sms::api::Direction::Incoming),
        ..Default::default()
    };
    let entries = runtime
        .block_on(crate::sms::api::fetch_logs(http, &query))
        .map_err(|e| {
            Error::Remote(format!(
                "{e} (needed for the opt-outs; --no-opt-out-check skips them)"
            ))
        })?;
    Ok(entries.into_iter().map(|e| (e.number, e.message)).collect())
}
