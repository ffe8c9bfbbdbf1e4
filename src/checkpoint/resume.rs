//! Reading a journal back: what is done, what failed, what was in flight.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use super::CheckpointError;
use super::header::RunHeader;
use super::record::{self, Action, FORMAT_NAME, Frame, HeaderFrame, Op, RunFrame, Status};

/// The id of an intent: unique and increasing within a journal, across resumed runs.
pub type IntentId = u64;

/// A permanent failure of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: String,
    pub message: String,
}

/// What the journal says about one input row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowState {
    /// An intent was recorded and no outcome: the request may have been on the wire when the
    /// run ended. The command must reconcile it against the target before any retry.
    InFlight(IntentId),
    /// The request was answered ambiguously (a 5xx, a timeout after sending): it is no longer
    /// in flight, but whether the change happened is unknown until it is reconciled.
    Unknown(IntentId),
    /// Done: the action and the remote id (record id, or message log id for SMS).
    Done {
        action: Action,
        remote_id: Option<Box<str>>,
    },
    /// Refused for good by the target.
    Failed(Box<Failure>),
}

/// An intent whose rows are not settled: in flight (no outcome) or answered ambiguously.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlight {
    pub id: IntentId,
    pub op: Op,
    /// The rows of the intent whose outcome is unknown.
    pub rows: Vec<u64>,
    /// The remote record the intent was about (updates and deletes).
    pub remote_id: Option<String>,
    /// The parent record of the rows (Books).
    pub parent: Option<String>,
    /// When the request could last have reached the API, in ms since the epoch: the intent's
    /// time, or the ambiguous answer's (0 when the journal does not say).
    pub at_ms: u64,
    /// True when the request was answered ambiguously; false when it was still in flight.
    pub answered: bool,
    /// When the request of a write whose answer never came left, in ms since the epoch: the
    /// intent's time when it is still in flight (a killed run), the time of the request that
    /// got no answer when it timed out or lost its connection. `None` when an answer came (a
    /// 5xx): nothing is in transit. Such a write may still land until it is older than the
    /// request timeout plus a catch-up (0: the journal does not say, long ago).
    pub late_from_ms: Option<u64>,
}

/// How many rows are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub done: u64,
    pub failed: u64,
    /// Rows of requests that were on the wire when a run ended (no outcome recorded).
    pub in_flight: u64,
    /// Rows of requests answered ambiguously, still to reconcile.
    pub unknown: u64,
    /// Done rows by [`Action::index`].
    pub by_action: [u64; 6],
}

impl Counts {
    /// Done rows with this action.
    pub fn action(&self, action: Action) -> u64 {
        self.by_action[action.index()]
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} done", self.done)?;
        let parts: Vec<String> = Action::ALL
            .iter()
            .filter(|a| self.action(**a) > 0)
            .map(|a| format!("{} {}", self.action(*a), a.as_str()))
            .collect();
        if !parts.is_empty() {
            write!(f, " ({})", parts.join(", "))?;
        }
        write!(f, ", {} failed, {} in flight", self.failed, self.in_flight)?;
        if self.unknown > 0 {
            write!(f, ", {} unknown", self.unknown)?;
        }
        Ok(())
    }
}

/// What a journal holds, as a resumed run needs it. Rows the journal does not mention are
/// still to do.
#[derive(Debug, Default)]
pub struct Resume {
    rows: RowTable,
    in_flight: Vec<InFlight>,
    counts: Counts,
    /// Records read (header excluded).
    pub records: u64,
    /// Outcomes of intents already settled or unknown, which changed nothing.
    pub ignored: u64,
    /// Bytes of a torn last record that were dropped (and truncated, when opened to write).
    pub dropped_tail_bytes: u64,
    /// Where `--restart` moved the old journal (this run).
    pub moved_aside: Option<PathBuf>,
    /// The journal this one replaced when a `--restart` started it (see
    /// [`Resume::moved_aside`]), as its header says.
    pub replaces: Option<PathBuf>,
    /// The largest intent id in the journal (0 when none).
    pub(crate) last_intent: IntentId,
    /// The key of each row whose latest intent gave one (see [`crate::checkpoint::Journal::intent_keyed`]).
    keys: FxHashMap<u64, Box<str>>,
    /// When the journal was created, in seconds since the Unix epoch (0 when unknown).
    pub created_unix: u64,
    /// Complete records in the torn tail that was dropped (beside its partial last line).
    pub dropped_tail_records: u64,
    /// The runs that wrote to the journal before, in order (none in a journal written before
    /// they were recorded).
    pub runs: Vec<RunFrame>,
    /// Every record the journal says was created, with its id, whatever happened to it later
    /// (an undo deleting it, or failing to): what `undo --restart` tries again.
    created_ids: FxHashMap<u64, Box<str>>,
}

impl Resume {
    /// The state of a row; `None` when the row is still to do.
    pub fn state(&self, row: u64) -> Option<&RowState> {
        self.rows.get(row)
    }

    /// True when the row was done (its action and remote id are in [`Resume::state`]).
    pub fn is_done(&self, row: u64) -> bool {
        matches!(self.rows.get(row), Some(RowState::Done { .. }))
    }

    /// Every row the journal knows about, in no particular order.
    pub fn rows(&self) -> impl Iterator<Item = (u64, &RowState)> {
        self.rows.iter()
    }

    /// Intents whose outcome is unknown (in flight or answered ambiguously), by id.
    pub fn in_flight(&self) -> &[InFlight] {
        &self.in_flight
    }

    /// The id of the record `row` created, if the journal says it created one (even if it was
    /// deleted since).
    pub fn created_id(&self, row: u64) -> Option<&str> {
        self.created_ids.get(&row).map(|id| &**id)
    }

    /// Every row the journal says created a record, with the record's id, by row.
    pub fn ever_created(&self) -> Vec<(u64, &str)> {
        let mut v: Vec<(u64, &str)> = self
            .created_ids
            .iter()
            .map(|(row, id)| (*row, &**id))
            .collect();
        v.sort_unstable_by_key(|(row, _)| *row);
        v
    }

    /// Rows deleted (or being deleted) by an undo of this journal's run.
    pub fn undone(&self) -> u64 {
        let in_flight = self
            .in_flight
            .iter()
            .filter(|f| f.op == Op::Delete)
            .map(|f| f.rows.len() as u64)
            .sum::<u64>();
        self.counts.action(Action::Deleted) + in_flight
    }

    /// The key the latest intent of `row` gave it (an SMS intent: the row's number).
    pub fn key(&self, row: u64) -> Option<&str> {
        self.keys.get(&row).map(|k| &**k)
    }

    /// How many rows are done, failed, in flight.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// True when the journal held nothing but its header.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The records the run created, with their remote ids, by row: what `undo` deletes.
    pub fn created(&self) -> Vec<(u64, &str)> {
        let mut v: Vec<(u64, &str)> = self
            .rows
            .iter()
            .filter_map(|(row, s)| match s {
                RowState::Done {
                    action: Action::Created,
                    remote_id: Some(id),
                } => Some((row, &**id)),
                _ => None,
            })
            .collect();
        v.sort_unstable_by_key(|(row, _)| *row);
        v
    }

    /// A one-line summary for the user, e.g. `resuming: 10 done (10 created), 0 failed, 1 in flight`.
    pub fn summary(&self) -> String {
        format!("resuming: {}", self.counts)
    }

    /// The trials among the earlier runs ("2 earlier runs, the first with --limit 5"), for a
    /// run that goes on from them; `None` when none was a trial.
    pub fn trials(&self) -> Option<String> {
        let limited: Vec<String> = self
            .runs
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.limit.map(|n| format!("run {} with --limit {n}", i + 1)))
            .collect();
        (!limited.is_empty()).then(|| {
            format!(
                "{} earlier run(s) of this journal, {}: the rows they settled are not sent again",
                self.runs.len(),
                limited.join(", ")
            )
        })
    }
}

/// Row states: a vector indexed by row number for the usual dense 1..n rows (compact, and
/// read in file order without cache misses), a hash map for row numbers far beyond them.
#[derive(Debug, Default)]
struct RowTable {
    dense: Vec<Option<RowState>>,
    sparse: FxHashMap<u64, RowState>,
    len: usize,
}

impl RowTable {
    /// How far past the dense part a row may be and still extend it.
    const GROWTH: u64 = 1 << 20;

    fn get(&self, row: u64) -> Option<&RowState> {
        match usize::try_from(row).ok().and_then(|i| self.dense.get(i)) {
            Some(slot) => slot.as_ref(),
            None => self.sparse.get(&row),
        }
    }

    fn get_mut(&mut self, row: u64) -> Option<&mut RowState> {
        match usize::try_from(row)
            .ok()
            .and_then(|i| self.dense.get_mut(i))
        {
            Some(slot) => slot.as_mut(),
            None => self.sparse.get_mut(&row),
        }
    }

    fn insert(&mut self, row: u64, state: RowState) {
        let dense_len = self.dense.len() as u64;
        if row < dense_len + Self::GROWTH
            && let Ok(i) = usize::try_from(row)
        {
            if i >= self.dense.len() {
                self.dense.resize_with(i + 1, || None);
            }
            if self.dense[i].replace(state).is_none() {
                self.len += 1;
            }
        } else if self.sparse.insert(row, state).is_none() {
            self.len += 1;
        }
    }

    fn remove(&mut self, row: u64) {
        let removed = match usize::try_from(row)
            .ok()
            .and_then(|i| self.dense.get_mut(i))
        {
            Some(slot) => slot.take().is_some(),
            None => self.sparse.remove(&row).is_some(),
        };
        if removed {
            self.len -= 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn iter(&self) -> impl Iterator<Item = (u64, &RowState)> {
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|s| (i as u64, s)));
        dense.chain(self.sparse.iter().map(|(r, s)| (*r, s)))
    }
}

/// An intent seen while loading, until every row is settled.
struct Pending {
    op: Op,
    rows: Vec<u64>,
    /// Rows not settled yet (no outcome, or an unknown one).
    waiting: usize,
    remote_id: Option<String>,
    parent: Option<String>,
    /// The intent's time, or its latest unknown outcome's.
    at_ms: u64,
    answered: bool,
    /// The intent's time.
    sent_ms: u64,
    /// When the latest request that got no answer at all left, if one did.
    lost_ms: Option<u64>,
}

/// A journal read from disk.
pub(crate) struct Loaded {
    pub header: HeaderFrame,
    pub resume: Resume,
    /// The length of the valid prefix: where the next record goes.
    pub valid_len: u64,
}

/// Applies records to the resume state.
#[derive(Default)]
struct Builder {
    rows: RowTable,
    pending: FxHashMap<IntentId, Pending>,
    last_intent: IntentId,
    records: u64,
    ignored: u64,
    keys: FxHashMap<u64, Box<str>>,
    created_ids: FxHashMap<u64, Box<str>>,
    runs: Vec<RunFrame>,
}

impl Builder {
    fn apply(&mut self, frame: Frame<'_>) -> Result<(), String> {
        self.records += 1;
        match frame {
            Frame::Header(_) => Err("a second header".into()),
            Frame::Run(run) => {
                self.runs.push(run);
                Ok(())
            }
            Frame::Intent(i) => {
                // Concurrent intents reach the file out of id order: ids are unique, not sorted.
                if self.pending.contains_key(&i.id) {
                    return Err(format!("intent id {} is repeated", i.id));
                }
                self.last_intent = self.last_intent.max(i.id);
                for &row in &i.rows {
                    self.rows.insert(row, RowState::InFlight(i.id));
                }
                for (&row, key) in i.rows.iter().zip(&i.keys) {
                    self.keys.insert(row, Box::from(&**key));
                }
                self.pending.insert(
                    i.id,
                    Pending {
                        op: i.op,
                        waiting: i.rows.len(),
                        rows: i.rows,
                        remote_id: i.remote_id.map(|c| c.into_owned()),
                        parent: i.parent.map(|c| c.into_owned()),
                        at_ms: i.at,
                        answered: false,
                        sent_ms: i.at,
                        lost_ms: None,
                    },
                );
                Ok(())
            }
            Frame::Outcome(o) => {
                let Some(pending) = self.pending.get_mut(&o.id) else {
                    // An outcome of an intent already settled (or not in this journal): it
                    // changes nothing.
                    self.ignored += 1;
                    return Ok(());
                };
                for w in o.rows {
                    // Only rows of the intent that still wait for it: a stale or repeated
                    // outcome changes nothing.
                    if !pending.rows.contains(&w.row) {
                        continue;
                    }
                    let Some(state) = self.rows.get_mut(w.row) else {
                        continue;
                    };
                    if *state != RowState::InFlight(o.id) && *state != RowState::Unknown(o.id) {
                        continue;
                    }
                    if w.status == Status::Unknown {
                        *state = RowState::Unknown(o.id);
                        pending.answered = true;
                        pending.at_ms = pending.at_ms.max(o.at);
                        if w.lost {
                            pending.lost_ms = Some(pending.lost_ms.unwrap_or(0).max(o.at));
                        }
                        continue;
                    }
                    pending.waiting = pending.waiting.saturating_sub(1);
                    match w.status {
                        Status::Unknown => {}
                        Status::Done => {
                            let Some(action) = w.action else {
                                return Err(format!("done row {} without an action", w.row));
                            };
                            let remote_id: Option<Box<str>> = w.remote_id.map(|c| Box::from(&*c));
                            if action == Action::Created
                                && let Some(id) = &remote_id
                            {
                                self.created_ids.insert(w.row, id.clone());
                            }
                            *state = RowState::Done { action, remote_id };
                        }
                        Status::Failed => {
                            let failure = Failure {
                                code: w.code.map(|c| c.into_owned()).unwrap_or_default(),
                                message: w.message.map(|c| c.into_owned()).unwrap_or_default(),
                            };
                            *state = RowState::Failed(Box::new(failure));
                        }
                        Status::NotApplied => {
                            self.rows.remove(w.row);
                        }
                    }
                }
                // (A row taken over by a later intent keeps `waiting` above zero; `finish`
                // reports only rows still waiting for this intent.)
                if pending.waiting == 0 {
                    self.pending.remove(&o.id);
                }
                Ok(())
            }
        }
    }

    fn finish(self) -> Resume {
        let mut counts = Counts::default();
        for (_, state) in self.rows.iter() {
            match state {
                RowState::InFlight(_) => counts.in_flight += 1,
                RowState::Unknown(_) => counts.unknown += 1,
                RowState::Done { action, .. } => {
                    counts.done += 1;
                    counts.by_action[action.index()] += 1;
                }
                RowState::Failed(_) => counts.failed += 1,
            }
        }
        let mut in_flight: Vec<InFlight> = self
            .pending
            .into_iter()
            .filter_map(|(id, p)| {
                let rows: Vec<u64> = p
                    .rows
                    .iter()
                    .copied()
                    .filter(|r| {
                        matches!(self.rows.get(*r),
                            Some(RowState::InFlight(i) | RowState::Unknown(i)) if *i == id)
                    })
                    .collect();
                (!rows.is_empty()).then_some(InFlight {
                    id,
                    op: p.op,
                    rows,
                    remote_id: p.remote_id,
                    parent: p.parent,
                    at_ms: p.at_ms,
                    answered: p.answered,
                    late_from_ms: match (p.answered, p.lost_ms) {
                        (false, _) => Some(p.sent_ms),
                        (true, Some(lost)) => Some(lost.max(p.sent_ms)),
                        (true, None) => None,
                    },
                })
            })
            .collect();
        in_flight.sort_unstable_by_key(|f| f.id);
        Resume {
            rows: self.rows,
            in_flight,
            counts,
            records: self.records,
            ignored: self.ignored,
            dropped_tail_bytes: 0,
            moved_aside: None,
            replaces: None,
            last_intent: self.last_intent,
            keys: self.keys,
            created_unix: 0,
            dropped_tail_records: 0,
            created_ids: self.created_ids,
            runs: self.runs,
        }
    }
}

/// Reads a whole journal from `file` (positioned at its start), in 8 MiB blocks.
///
/// The first damaged record ends the journal when nothing valid follows it (a torn tail: its
/// bytes are counted in `dropped_tail_bytes`); a damaged record followed by a valid one is
/// [`CheckpointError::Corrupt`], since dropping it would forget durable work.
pub(crate) fn load(path: &Path, file: &mut File) -> Result<Loaded, CheckpointError> {
    const BLOCK: usize = 8 << 20;
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK * 2);
    let mut chunk = vec![0u8; BLOCK];
    let mut offset = 0u64; // file offset of buf[0]
    let mut header: Option<HeaderFrame> = None;
    let mut builder = Builder::default();
    let mut valid_len = 0u64;
    // Offset and reason of the first damaged record, if any.
    let mut damaged: Option<(u64, String)> = None;
    // Lines of the damaged tail.
    let mut tail_lines = 0u64;
    let mut eof = false;
    while !eof {
        let n = match file.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CheckpointError::io("read the checkpoint journal", path, e)),
        };
        eof = n == 0;
        buf.extend_from_slice(&chunk[..n]);
        let mut start = 0usize;
        while let Some(nl) = memchr::memchr(b'\n', &buf[start..]) {
            let line = &buf[start..start + nl];
            let line_offset = offset + start as u64;
            start += nl + 1;
            let decoded = record::decode(line);
            if let Some((at, reason)) = &damaged {
                if decoded.is_ok() {
                    return Err(CheckpointError::Corrupt {
                        path: path.to_owned(),
                        offset: *at,
                        reason: format!("{reason}, and valid records follow it"),
                    });
                }
                tail_lines += 1;
                continue;
            }
            match (decoded, &header) {
                (Ok(Frame::Header(h)), None) => {
                    if h.format != FORMAT_NAME {
                        return Err(not_a_journal(path, "its header names another format"));
                    }
                    header = Some(h);
                }
                (Err(e), None) => return Err(not_a_journal(path, &e.to_string())),
                (Ok(_), None) => {
                    return Err(not_a_journal(path, "it does not start with a header"));
                }
                (Ok(frame), Some(_)) => {
                    builder
                        .apply(frame)
                        .map_err(|reason| CheckpointError::Corrupt {
                            path: path.to_owned(),
                            offset: line_offset,
                            reason,
                        })?;
                }
                (Err(e), Some(_)) => {
                    tail_lines += 1;
                    damaged = Some((line_offset, e.to_string()));
                }
            }
            if damaged.is_none() {
                valid_len = offset + start as u64;
            }
        }
        buf.drain(..start);
        offset += start as u64;
    }
    // `buf` now holds a last line with no newline: torn, whatever it holds.
    let file_len = offset + buf.len() as u64;
    let Some(header) = header else {
        return Err(not_a_journal(path, "its header is incomplete"));
    };
    let mut resume = builder.finish();
    resume.dropped_tail_bytes = file_len - valid_len;
    resume.dropped_tail_records = tail_lines + u64::from(!buf.is_empty());
    Ok(Loaded {
        header,
        resume,
        valid_len,
    })
}

fn not_a_journal(path: &Path, reason: &str) -> CheckpointError {
    CheckpointError::NotAJournal {
        path: path.to_owned(),
        reason: reason.to_owned(),
    }
}

/// Reads a journal without changing it (a torn tail is ignored, not truncated), e.g. the
/// journal of an import that `undo` reverts. Fails if a run is writing it.
pub fn read_journal(path: &Path) -> Result<(RunHeader, Resume), CheckpointError> {
    let mut file = File::open(path)
        .map_err(|e| CheckpointError::io("open the checkpoint journal", path, e))?;
    super::lock(&file, path, false)?;
    let mut loaded = load(path, &mut file)?;
    loaded.resume.created_unix = loaded.header.created_unix;
    loaded.resume.replaces = loaded.header.replaces.map(PathBuf::from);
    Ok((loaded.header.run, loaded.resume))
}
