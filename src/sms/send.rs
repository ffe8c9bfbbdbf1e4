//! Sending: one request per batch, through the journaled [`Executor`]: a turn to send (slot,
//! rate permit, token), then the batch's intent (with every row's number), durable, then the
//! request, then the outcome per row. At most once, then reconciled: a batch whose answer is
//! lost (maybe sent) is never sent again blindly. Once it is older than the logs' catch-up
//! window, the campaign's outgoing messages are listed ([`super::reconcile::scan`]): found
//! means sent; not found means it was not sent, and an unscheduled send goes out again. A
//! scheduled send the logs do not show stays `unknown` (the logs may not list scheduled
//! sends), and is sent again only with `--resend-unknown`.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::checkpoint::{Action, IntentId, IntentSpec, Journal, Op, RowOutcome, now_ms};
use crate::error::{Error, Result};
use crate::executor::{Change, Executor, Next, Pending, Settling};
use crate::http::HttpClient;
use crate::progress::Counters;
use crate::reject::Rejection;
use crate::sink::{Done, Reports};
use crate::sms::api::{Refusal, SendOptions, SendRequest, SendResult, digits};
use crate::source::{Schema, Values};

use super::batch::Batch;
use super::recipient::Recipient;
use super::reconcile;

/// Batches that may be spawned at once (each waits for the client's own slot and pacing).
const MAX_TASKS: usize = 256;
/// Rounds of "look up the unknown, send again what certainly failed" after the stream.
pub const SETTLE_ROUNDS: u32 = 4;
/// How long the SMS logs may take to list a send the API accepted (the default of
/// `--log-catch-up`): a maybe-sent batch the logs do not show once its request is older than
/// this was not sent.
pub const LOG_CATCH_UP: Duration = Duration::from_secs(30);

/// The report code of a send that may or may not have happened.
pub const UNKNOWN: &str = "unknown";

/// A recipient with the input row it came from (for the error report).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub recipient: Recipient,
    pub schema: Arc<Schema>,
    pub values: Values,
}

/// A batch of outgoing messages.
#[derive(Debug, Clone)]
pub struct OutBatch {
    pub items: Vec<Outgoing>,
}

impl OutBatch {
    /// Pairs a batch with the rows its recipients came from.
    pub fn new(
        batch: Batch,
        mut row_of: impl FnMut(u64) -> Option<(Arc<Schema>, Values)>,
    ) -> OutBatch {
        let items = batch
            .recipients
            .into_iter()
            .map(|recipient| {
                let (schema, values) = row_of(recipient.row).unwrap_or_else(|| {
                    (
                        Arc::new(Schema::default()),
                        Values::Csv(crate::source::Fields::new()),
                    )
                });
                Outgoing {
                    recipient,
                    schema,
                    values,
                }
            })
            .collect();
        OutBatch { items }
    }
}

/// A send whose outcome is not known yet: to look for in the logs.
#[derive(Debug, Clone)]
pub struct Unknown {
    pub intent: IntentId,
    pub item: Outgoing,
    /// Why it must not be sent again (it is suppressed now).
    pub blocked: Option<Rejection>,
    /// When its request could last have reached the API (ms since the epoch; 0: long ago).
    pub at_ms: u64,
}

/// What the sender counts.
#[derive(Debug, Default)]
pub struct SendCounts {
    /// Recipients whose message the API accepted in this run.
    pub sent: AtomicU64,
    /// Of those, the ones scheduled for later.
    pub scheduled: AtomicU64,
    /// Earlier sends found in the logs.
    pub found_in_logs: AtomicU64,
    /// Sends still unknown at the end.
    pub unknown: AtomicU64,
    /// Maybe-sent sends the logs showed were not sent, sent again.
    pub resent: AtomicU64,
    /// Recipients the API refused.
    pub failed: AtomicU64,
    /// Send requests answered.
    pub requests: AtomicU64,
    /// Segments of the messages accepted.
    pub segments: AtomicU64,
    /// Log lookups.
    pub lookups: AtomicU64,
    /// Recipients left undone because the run stopped.
    pub left: AtomicU64,
}

/// [`SendCounts`] at the end of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendTotals {
    pub sent: u64,
    pub scheduled: u64,
    pub found_in_logs: u64,
    pub unknown: u64,
    pub resent: u64,
    pub failed: u64,
    pub requests: u64,
    pub segments: u64,
    pub lookups: u64,
    pub left: u64,
}

impl SendCounts {
    pub fn totals(&self) -> SendTotals {
        crate::snapshot::load_snapshot!(self, SendTotals:
            sent, scheduled, found_in_logs, unknown, resent, failed, requests, segments, lookups, left)
    }
}

fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How lost answers are settled.
#[derive(Debug, Clone)]
pub struct Reconciling {
    /// Sends logged before this (ms since the epoch, less skew) are not this campaign's.
    pub since_ms: u64,
    /// How long the logs may take to show an accepted send ([`LOG_CATCH_UP`]).
    pub catch_up: Duration,
    /// Send again what stays unknown (scheduled sends the logs do not show).
    pub resend_unknown: bool,
    /// When the campaign's messages go out: a scheduled send whose time has passed is placed
    /// again by it.
    pub timing: super::recipient::Timing,
    /// Test sends (`--test-to`): never taken for the campaign's messages.
    pub test_sends: Arc<super::test_ledger::TestSends>,
}

/// The state every send of a run shares.
pub struct Sender {
    pub exec: Executor,
    pub reports: Arc<Mutex<Reports>>,
    pub counters: Arc<Counters>,
    pub options: SendOptions,
    pub reconciling: Reconciling,
    pub counts: SendCounts,
    /// Batches certainly not sent, to send again, and sends whose outcome is unknown, to look
    /// for in the logs first.
    pending: Pending<OutBatch, Unknown>,
    /// Scheduled sends a look at the logs left unknown: reported at the end.
    still_unknown: Mutex<Vec<Unknown>>,
}

impl Sender {
    pub fn new(
        http: HttpClient,
        journal: Journal,
        reports: Arc<Mutex<Reports>>,
        counters: Arc<Counters>,
        options: SendOptions,
        reconciling: Reconciling,
    ) -> Sender {
        Sender {
            exec: Executor::new(http, journal),
            reports,
            counters,
            options,
            reconciling,
            counts: SendCounts::default(),
            pending: Pending::default(),
            still_unknown: Mutex::new(Vec::new()),
        }
    }

    fn report(&self, f: impl FnOnce(&mut Reports) -> Result<()>) {
        if let Err(e) = f(&mut lock(&self.reports)) {
            self.exec.fatal(e);
        }
    }

    fn record(&self, intent: IntentId, outcomes: &[RowOutcome]) {
        self.exec.record(intent, outcomes);
    }

    /// A recipient sent: journal (done by the caller, for the whole batch), report, counters.
    fn sent(&self, item: &Outgoing, logid: &str) {
        let r = &item.recipient;
        let action = if r.schedule.is_some() {
            "scheduled"
        } else {
            "sent"
        };
        self.report(|rep| {
            rep.success(&Done {
                row: r.row,
                key: &r.number,
                action,
                remote_id: logid,
                changes: Some(&r.message),
            })
        });
        self.counters.done(Action::Sent);
    }

    /// A recipient the API refused, or that cannot be sent.
    fn failed(&self, item: &Outgoing, code: &str, message: &str) {
        self.report(|r| {
            r.remote_failure(
                &item.schema,
                item.recipient.row,
                &item.values,
                code,
                message,
            )
        });
        self.counters.failed_row();
    }

    /// Queues a send whose outcome is unknown (an earlier run's in-flight intent).
    pub fn add_unknown(&self, unknown: Unknown) {
        self.pending.unknown([unknown]);
    }

    /// A batch the API accepted: each row done with its log id, or, when the answer does not
    /// name a number of a batch of several, settled through the logs like a lost answer.
    fn settle_sent(&self, intent: IntentId, batch: &OutBatch, logids: &[(String, String)]) {
        let mut outcomes = Vec::with_capacity(batch.items.len());
        let mut unnamed = Vec::new();
        for item in &batch.items {
            let d = digits(&item.recipient.number);
            let logid = logids
                .iter()
                .find(|(num, _)| *num == d)
                .map(|(_, id)| id.as_str())
                .unwrap_or("");
            if logid.is_empty() && batch.items.len() > 1 {
                // Accepted, but the answer does not name this number (the pages show
                // no answer for several numbers): it is settled through the logs like a
                // lost answer, so that every recipient gets its log id.
                outcomes.push(RowOutcome::unknown(item.recipient.row));
                unnamed.push(item.clone());
                continue;
            }
            outcomes.push(RowOutcome::done(
                item.recipient.row,
                Action::Sent,
                (!logid.is_empty()).then_some(logid),
            ));
            self.sent(item, logid);
            self.counts.sent.fetch_add(1, Ordering::Relaxed);
            if item.recipient.schedule.is_some() {
                self.counts.scheduled.fetch_add(1, Ordering::Relaxed);
            }
            self.counts
                .segments
                .fetch_add(item.recipient.segments.segments as u64, Ordering::Relaxed);
        }
        self.record(intent, &outcomes);
        let at_ms = now_ms();
        self.pending
            .unknown(unnamed.into_iter().map(|item| Unknown {
                intent,
                item,
                blocked: None,
                at_ms,
            }));
    }

    /// Sends one batch and records what became of it.
    pub async fn execute(self: Arc<Self>, batch: OutBatch) {
        let n = batch.items.len() as u64;
        if n == 0 {
            return;
        }
        let rows: Vec<u64> = batch.items.iter().map(|i| i.recipient.row).collect();
        let numbers: Vec<String> = batch
            .items
            .iter()
            .map(|i| i.recipient.number.clone())
            .collect();
        // Each row's number and the digest of its text: what `sms-status --verify` checks.
        let keys: Vec<String> = batch
            .items
            .iter()
            .map(|i| super::journal_key::encode(&i.recipient.number, &i.recipient.message))
            .collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let mut spec = IntentSpec::new(Op::Send, &rows);
        spec.keys = &keys;
        let Some(turn) = self.exec.begin(spec).await else {
            self.counts.left.fetch_add(n, Ordering::Relaxed);
            return;
        };
        let intent = turn.intent;
        let first = &batch.items[0].recipient;
        let request = SendRequest {
            numbers: &numbers,
            message: &first.message,
            data_coding: first.segments.encoding.data_coding(),
            schedule: first.schedule.as_ref(),
            options: &self.options,
        }
        .build();
        let result = SendResult::from_outcome(turn.client.send(&request).await);
        self.counts.requests.fetch_add(1, Ordering::Relaxed);
        match result.refusal() {
            Some(Refusal::Numbers) if batch.items.len() > 1 => {
                // Nothing was sent, and the API names a number: each is tried on its own, so
                // that the refusal lands on the rows it belongs to (each with a turn of its
                // own: this one ends first).
                self.exec.not_applied(&turn, &rows);
                drop(turn);
                for item in batch.items {
                    Box::pin(Arc::clone(&self).execute(OutBatch { items: vec![item] })).await;
                }
                return;
            }
            Some(Refusal::Run) => {
                // The account is refused (sender id, credentials, scope): every later send
                // would be refused the same way. Nothing was sent; the run stops.
                if let SendResult::Failed { code, message, .. } = &result {
                    let told = super::api::account_refusal(
                        code.as_deref(),
                        message,
                        self.options.sender_id.as_deref(),
                    );
                    self.exec.not_applied(&turn, &rows);
                    self.exec.fatal(Error::Usage(told));
                }
                self.counts.left.fetch_add(n, Ordering::Relaxed);
                return;
            }
            _ => {}
        }
        let change = Change {
            rows: &rows,
            api: super::api::API,
            op: crate::scopes::Access::Create,
            repeatable: false,
        };
        match self.exec.apply(&turn, &change, result) {
            Next::Done(logids) => self.settle_sent(intent, &batch, &logids),
            Next::Failed { code, message } => {
                // The request itself is refused (its message, its country): the batch's rows
                // fail with the API's code, and nothing is tried again.
                for item in &batch.items {
                    self.failed(item, &code, &message);
                    self.counts.failed.fetch_add(1, Ordering::Relaxed);
                }
            }
            Next::Unknown { .. } => {
                // Maybe sent: unknown until the logs say.
                let at_ms = now_ms();
                self.pending
                    .unknown(batch.items.into_iter().map(|item| Unknown {
                        intent,
                        item,
                        blocked: None,
                        at_ms,
                    }));
            }
            Next::Again => self.pending.again(batch),
            Next::Stopped => {
                self.counts.left.fetch_add(n, Ordering::Relaxed);
            }
        }
        // The turn (its concurrency slot) ends only now, with the outcome recorded.
        drop(turn);
    }

    /// Sends every batch that arrives on `rx`, at most [`MAX_TASKS`] at a time, until the
    /// channel closes and every send has finished.
    pub async fn run(self: Arc<Self>, rx: mpsc::Receiver<OutBatch>) {
        crate::executor::run_all(rx, MAX_TASKS, |batch| Arc::clone(&self).execute(batch)).await;
    }

    /// Settles the unknown sends against one scan of the logs: found, sent; not found (the
    /// logs have had their catch-up window), not sent, and an unscheduled send goes out again;
    /// a scheduled one stays unknown (or is sent again with `--resend-unknown`); a number that
    /// is suppressed now is not texted. Returns what stays unknown.
    async fn reconcile(&self, unknown: Vec<Unknown>) -> Vec<Unknown> {
        let wanted: Vec<(&str, &str)> = unknown
            .iter()
            .map(|u| (u.item.recipient.number.as_str(), &*u.item.recipient.message))
            .collect();
        let found = match reconcile::scan(
            &self.exec.http,
            &wanted,
            self.reconciling.since_ms,
            &self.reconciling.test_sends,
        )
        .await
        {
            Ok(found) => found,
            Err(e) => {
                if e.denied {
                    self.exec.fatal(e.into_error());
                } else if e.stops_run {
                    self.exec.stop(e.to_string());
                }
                return unknown;
            }
        };
        self.counts
            .lookups
            .fetch_add(found.requests, Ordering::Relaxed);
        let mut still = Vec::new();
        let mut resend = Vec::new();
        for u in unknown {
            let r = &u.item.recipient;
            if let Some(entry) = found.get(&r.number, &r.message, self.reconciling.since_ms) {
                let logid = (!entry.logid.is_empty()).then_some(entry.logid.as_str());
                self.record(u.intent, &[RowOutcome::done(r.row, Action::Sent, logid)]);
                self.sent(&u.item, &entry.logid);
                self.counts.found_in_logs.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            if let Some(b) = &u.blocked {
                // Not sent, and not to be: the number is suppressed now.
                let message = format!(
                    "not sent (an earlier send's answer was lost, and the SMS logs show it did not go out); not sent now: {}",
                    b.message
                );
                self.record(
                    u.intent,
                    &[RowOutcome::failed(r.row, b.code.as_str(), &message)],
                );
                self.failed(&u.item, b.code.as_str(), &message);
                self.counts.failed.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            // A scheduled send the logs do not show once its time and the catch-up have
            // passed did not go out: the logs list a scheduled send once it is sent.
            let catch_up = self.reconciling.catch_up.as_millis() as i64;
            let past_due = r
                .schedule
                .as_ref()
                .and_then(super::recipient::due_ms)
                .is_some_and(|due| due.saturating_add(catch_up) <= now_ms() as i64);
            if r.schedule.is_none() || self.reconciling.resend_unknown || past_due {
                self.record(u.intent, &[RowOutcome::not_applied(r.row)]);
                self.counts.resent.fetch_add(1, Ordering::Relaxed);
                let mut item = u.item;
                if past_due {
                    item.recipient.schedule = self
                        .reconciling
                        .timing
                        .again(&item.recipient.region, jiff::Timestamp::now());
                }
                resend.push(OutBatch { items: vec![item] });
            } else {
                still.push(u);
            }
        }
        self.pending.again_all(resend);
        still
    }

    /// After the stream: settles the unknown sends through the logs (waiting out their
    /// catch-up window), sends again what certainly did not go out, for a few rounds. What is
    /// unknown at the end is reported as `unknown` and stays in the journal, so that a later
    /// run looks again.
    pub async fn settle(self: Arc<Self>) {
        crate::executor::settle_rounds(Arc::clone(&self), SETTLE_ROUNDS, &|_| {}).await;
        // Whatever is left: never sent twice, never forgotten.
        let still_unknown = std::mem::take(&mut *lock(&self.still_unknown));
        for u in still_unknown {
            let message = "a scheduled send's answer was lost and the SMS logs do not show it: it may or may not go out (check later with `bulkline sms-status`, or send it again with --resend-unknown)";
            self.failed(&u.item, UNKNOWN, message);
            self.counts.unknown.fetch_add(1, Ordering::Relaxed);
        }
        let left = self.pending.rows(|b| b.items.len() as u64);
        self.counts.left.fetch_add(left, Ordering::Relaxed);
    }
}

impl Settling for Sender {
    type Item = OutBatch;
    type Unknown = Unknown;

    fn executor(&self) -> &Executor {
        &self.exec
    }

    fn send(self: Arc<Self>, batch: OutBatch) -> impl Future<Output = ()> + Send + 'static {
        self.execute(batch)
    }

    fn pending(&self) -> &Pending<OutBatch, Unknown> {
        &self.pending
    }

    /// A send is looked for once it is older than the logs' catch-up window.
    fn ready_ms(&self, u: &Unknown) -> u64 {
        u.at_ms
            .saturating_add(self.reconciling.catch_up.as_millis() as u64)
    }

    fn look_up(&self, unknown: Vec<Unknown>) -> impl Future<Output = Vec<Unknown>> + Send {
        self.reconcile(unknown)
    }

    /// A scheduled send the logs do not show stays unknown to the end of the run.
    fn unresolved(&self, unknown: Vec<Unknown>) {
        lock(&self.still_unknown).extend(unknown);
    }
}
