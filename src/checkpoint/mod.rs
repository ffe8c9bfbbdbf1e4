//! The checkpoint journal: an append-only file that makes a run resumable.
//!
//! Before each change to remote state a worker records an **intent** (the rows it is about to
//! send, and what it will do), and after the response an **outcome** (per row: done with its
//! action and remote id, failed for good, or known not to have happened). A resumed run reads
//! the journal back as a [`Resume`]: rows done, rows failed, and intents **in flight** (an
//! intent with no outcome: the request may or may not have taken effect, so the command must
//! reconcile it against the target before any retry; the journal only reports them).
//!
//! # Durability
//!
//! [`Journal::intent`] returns only once the intent is on disk (fdatasync). Many concurrent
//! workers share one sync: a dedicated writer thread writes every record waiting in its channel
//! at once and syncs once (group commit). Outcomes ([`Journal::outcome`]) do not wait: they are
//! written in order and made durable by the next sync, a [`Journal::flush`], or
//! [`Journal::close`]. Killed at any instant, the journal loses at most records that nobody had
//! waited for; a torn last record is detected and cut off on the next open. A damaged record
//! with valid records after it is not a torn tail (it can only come from outside damage) and
//! is refused ([`CheckpointError::Corrupt`]) rather than skipped. One process writes a journal
//! at a time (an advisory file lock, [`CheckpointError::Locked`]).
//!
//! # File format (version [`FORMAT_VERSION`])
//!
//! UTF-8 text, one record per line: `<checksum> <json>\n`, the checksum being the SipHash-1-3
//! of the JSON bytes in 16 hex digits. The first line is the header, created atomically
//! (written to a temporary file, synced, renamed):
//!
//! ```text
//! {"header":{"format":"bulkline-journal","run":{"version":1,"input":{"path":"/d/in.csv","size":123,"hash":"sip13:…"},
//!   "target":"zoho-voice","target_params":{"organization_id":"42"},"mode":"import","options":{}},"tool":"0.1.0","created_unix":1760000000}}
//! {"intent":{"id":1,"op":"create","rows":[17]}}
//! {"intent":{"id":2,"op":"send","rows":[18,19,20]}}
//! {"outcome":{"id":1,"rows":[{"row":17,"status":"done","action":"created","remote_id":"4711"}]}}
//! {"outcome":{"id":2,"rows":[{"row":18,"status":"done","action":"sent","remote_id":"log-1"},{"row":19,"status":"failed","code":"invalid_number","message":"…"}]}}
//! ```
//!
//! (Row 20 above is still in flight.) Rows are the 1-based data row numbers of the input. An
//! intent may cover several rows (one SMS request to up to 10 numbers) and its outcome may
//! carry a result per row; rows missing from an outcome stay in flight.
//!
//! Intents carry `at`, when they were recorded (ms since the epoch). An `unknown` row is one
//! whose answer did not say whether the change happened; `"lost":true` marks one that got no
//! answer at all (a timeout, a lost connection), and the outcome's `at` is then when its
//! request left: such a write may still land later (see [`InFlight::late_from_ms`]):
//!
//! ```text
//! {"intent":{"id":3,"op":"create","rows":[21],"keys":["+447400100021"],"at":1760000000120}}
//! {"outcome":{"id":3,"rows":[{"row":21,"status":"unknown","lost":true}],"at":1760000000121}}
//! ```
//!
//! # Secrets
//!
//! Nothing in this API takes a secret: records hold row numbers, remote ids, actions and error
//! codes/messages, and the header holds ids and options. Callers must not put tokens into
//! failure messages; [`RunHeader::validate`] refuses header keys that look like secrets.
//!
//! # Undo
//!
//! An import's journal lists what it created ([`Resume::created`], read with
//! [`read_journal`]). The undo run appends to that same journal ([`Journal::open_existing`]):
//! `Op::Delete` intents with the remote id, and their outcomes, so that undo is itself
//! resumable and the import's journal knows it was undone ([`Resume::undone`]).

mod header;
pub mod mark;
mod record;
mod resume;
mod writer;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crossbeam_channel::Sender;
use tokio::sync::oneshot;

use crate::clock::now_unix;

/// Milliseconds since the Unix epoch: the time of intents and outcomes.
pub use crate::clock::now_ms;

pub use header::{
    Difference, FORMAT_VERSION, HeaderMismatch, InputFingerprint, RunHeader, check_header,
};
pub use record::{Action, Op, RowOutcome, RowResult, RunFrame};
pub use resume::{Counts, Failure, InFlight, IntentId, Resume, RowState, read_journal};

use record::{FORMAT_NAME, Frame, HeaderFrame, IntentFrame, OutcomeFrame, WireRow};

/// Why a journal could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The journal belongs to another run.
    #[error(
        "the checkpoint journal {path} belongs to another run: {mismatch}. \
         Use --restart to start over (the old journal is moved aside)"
    )]
    Mismatch {
        path: PathBuf,
        #[source]
        mismatch: HeaderMismatch,
    },
    /// The file is not a journal (or its header is damaged): it is left alone, even with
    /// `--restart`, which only ever moves a journal aside.
    #[error(
        "{path} is not a bulkline checkpoint journal ({reason}): it is left as it is; \
         give the run another --checkpoint path"
    )]
    NotAJournal { path: PathBuf, reason: String },
    /// The path exists and is not a regular file (a device, a FIFO, a directory).
    #[error(
        "the checkpoint journal {path} is {what}, not a regular file: give a file path with --checkpoint"
    )]
    NotAFile { path: PathBuf, what: &'static str },
    /// A damaged record that is not the last one.
    #[error("the checkpoint journal {path} is damaged at byte {offset}: {reason}")]
    Corrupt {
        path: PathBuf,
        offset: u64,
        reason: String,
    },
    #[error("the checkpoint journal {path} is in use by another bulkline run")]
    Locked { path: PathBuf },
    /// A write or sync failed earlier: the journal takes nothing more.
    #[error("writing the checkpoint journal {path} failed: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: Arc<io::Error>,
    },
    #[error("the checkpoint journal is closed")]
    Closed,
    /// A misuse of the API (an intent with no rows, a secret-looking header key).
    #[error("{0}")]
    Invalid(String),
}

impl CheckpointError {
    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        CheckpointError::Io {
            action,
            path: path.to_owned(),
            source,
        }
    }
}

/// Takes an advisory lock on the journal (exclusive to write, shared to read).
pub(crate) fn lock(file: &File, path: &Path, exclusive: bool) -> Result<(), CheckpointError> {
    let r = if exclusive {
        file.try_lock()
    } else {
        file.try_lock_shared()
    };
    match r {
        Ok(()) => Ok(()),
        Err(fs::TryLockError::WouldBlock) => Err(CheckpointError::Locked {
            path: path.to_owned(),
        }),
        Err(fs::TryLockError::Error(e)) => Err(CheckpointError::io("lock", path, e)),
    }
}

/// What a caller waits on until its record is durable.
type AckReceiver = oneshot::Receiver<Result<(), Arc<io::Error>>>;

/// Counters of a journal's writer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JournalStats {
    /// Records written by this process (header excluded).
    pub records: u64,
    pub bytes: u64,
    /// fdatasync calls: fewer than intents when group commit batched them.
    pub syncs: u64,
}

struct Shared {
    path: PathBuf,
    tx: Sender<writer::Cmd>,
    next_id: AtomicU64,
    counters: Arc<writer::Counters>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        let handle = match self.thread.get_mut() {
            Ok(h) => h.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(handle) = handle {
            let (ack, _rx) = oneshot::channel();
            let _ = self.tx.send(writer::Cmd::Close { ack });
            let _ = handle.join();
        }
    }
}

/// An open journal. Cheap to clone; every clone appends to the same file through one writer
/// thread. Dropping the last clone closes it (syncing); [`Journal::close`] does so and reports
/// errors.
#[derive(Clone)]
pub struct Journal {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.shared.path)
            .finish_non_exhaustive()
    }
}

/// What an intent is about: its rows, and what a later run needs to find them again.
#[derive(Debug, Clone, Copy)]
pub struct IntentSpec<'a> {
    pub op: Op,
    pub rows: &'a [u64],
    /// The remote record it changes (updates and deletes).
    pub remote_id: Option<&'a str>,
    /// A key per row (parallel to `rows`): an SMS number, or the match key of a create.
    pub keys: &'a [&'a str],
    /// The parent record of the rows (a Zoho Books contact).
    pub parent: Option<&'a str>,
}

impl<'a> IntentSpec<'a> {
    pub fn new(op: Op, rows: &'a [u64]) -> IntentSpec<'a> {
        IntentSpec {
            op,
            rows,
            remote_id: None,
            keys: &[],
            parent: None,
        }
    }

    /// The intent of `op` on `rows` against the remote record `remote_id`, if any.
    pub fn on_remote(op: Op, rows: &'a [u64], remote_id: Option<&'a str>) -> IntentSpec<'a> {
        IntentSpec {
            remote_id,
            ..IntentSpec::new(op, rows)
        }
    }
}

/// The first free `<name>.<n>.old` beside `path`.
fn aside_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "journal".into());
    let mut n = 1u32;
    loop {
        let candidate = path.with_file_name(format!("{name}.{n}.old"));
        if !candidate.exists() {
            return candidate;
        }
        n += 1;
    }
}

fn sync_parent(path: &Path) -> Result<(), CheckpointError> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Directories can be opened (and synced) read-only on Unix; elsewhere this is a no-op.
    if cfg!(unix) {
        File::open(parent)
            .and_then(|d| d.sync_all())
            .map_err(|e| CheckpointError::io("sync the directory of", path, e))?;
    }
    Ok(())
}

/// Writes the header to a temporary file, syncs it and renames it to `path`: a journal never
/// exists with a partial header.
/// Returns the creation time it wrote.
fn create(
    path: &Path,
    header: &RunHeader,
    replaces: Option<&Path>,
) -> Result<u64, CheckpointError> {
    let created_unix = now_unix();
    let frame = Frame::Header(HeaderFrame {
        format: FORMAT_NAME.to_owned(),
        run: header.clone(),
        tool: env!("CARGO_PKG_VERSION").to_owned(),
        created_unix,
        replaces: replaces.map(|p| crate::paths::absolute(p).display().to_string()),
    });
    let mut line = Vec::new();
    record::encode(&frame, &mut line)
        .map_err(|e| CheckpointError::Invalid(format!("cannot encode the header: {e}")))?;
    crate::atomic::write_whole(path, &line, |_| Ok(()))
        .map_err(|e| CheckpointError::io("create", path, e))?;
    sync_parent(path)?;
    Ok(created_unix)
}

impl Journal {
    /// Opens the journal at `path` for the run `header`, creating it if it does not exist (or
    /// is empty), and returns what it already holds.
    ///
    /// An existing journal must have been made for an equal header
    /// ([`CheckpointError::Mismatch`] names every difference). A torn last record is cut off
    /// (see [`Resume::dropped_tail_bytes`]). With `restart`, an existing file is first moved
    /// aside to `<name>.<n>.old` ([`Resume::moved_aside`]) and a new journal is started.
    /// The journal is locked against other runs while open.
    pub fn open_or_create(
        path: &Path,
        header: &RunHeader,
        restart: bool,
    ) -> Result<(Journal, Resume), CheckpointError> {
        header.validate()?;
        let mut moved_aside = None;
        let exists = match fs::metadata(path) {
            Ok(m) if !m.is_file() => {
                return Err(CheckpointError::NotAFile {
                    path: path.to_owned(),
                    what: crate::paths::kind_of(&m),
                });
            }
            Ok(m) => m.len() > 0 || restart,
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(CheckpointError::io("look at", path, e)),
        };
        if exists && restart {
            let mut old = File::open(path).map_err(|e| CheckpointError::io("open", path, e))?;
            lock(&old, path, true)?;
            // Only a journal is moved aside: a file that is not one (the input named as the
            // journal by mistake) is left where it is.
            if fs::metadata(path).is_ok_and(|m| m.len() > 0) {
                resume::load(path, &mut old)
                    .map(drop)
                    .or_else(|e| match e {
                        CheckpointError::Corrupt { .. } => Ok(()),
                        other => Err(other),
                    })?;
            }
            let aside = aside_path(path);
            fs::rename(path, &aside).map_err(|e| CheckpointError::io("move aside", path, e))?;
            drop(old);
            moved_aside = Some(aside);
        }
        let mut resume = if exists && !restart {
            let (journal, found, resume) = Self::open_existing(path)?;
            check_header(&found, header).map_err(|mismatch| CheckpointError::Mismatch {
                path: path.to_owned(),
                mismatch,
            })?;
            return Ok((journal, resume));
        } else {
            Resume::default()
        };
        let created_unix = create(path, header, moved_aside.as_deref())?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| CheckpointError::io("open the checkpoint journal", path, e))?;
        lock(&file, path, true)?;
        file.seek(SeekFrom::End(0))
            .map_err(|e| CheckpointError::io("seek in", path, e))?;
        resume.moved_aside = moved_aside;
        resume.created_unix = created_unix;
        Ok(Self::start(path, file, resume))
    }

    /// Opens an existing journal to append to it, whatever run it belongs to (what `undo`
    /// does to the journal of the import it reverts), and returns its header and what it
    /// holds. A torn last record is cut off; the journal is locked while open.
    pub fn open_existing(path: &Path) -> Result<(Journal, RunHeader, Resume), CheckpointError> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| CheckpointError::io("open the checkpoint journal", path, e))?;
        if let Ok(meta) = file.metadata()
            && !meta.is_file()
        {
            return Err(CheckpointError::NotAFile {
                path: path.to_owned(),
                what: crate::paths::kind_of(&meta),
            });
        }
        lock(&file, path, true)?;
        let loaded = resume::load(path, &mut file)?;
        if loaded.resume.dropped_tail_bytes > 0 {
            file.set_len(loaded.valid_len)
                .and_then(|()| file.sync_all())
                .map_err(|e| CheckpointError::io("cut the torn tail of", path, e))?;
        }
        file.seek(SeekFrom::Start(loaded.valid_len))
            .map_err(|e| CheckpointError::io("seek in", path, e))?;
        let mut resume = loaded.resume;
        resume.created_unix = loaded.header.created_unix;
        resume.replaces = loaded.header.replaces.map(PathBuf::from);
        let (journal, resume) = Self::start(path, file, resume);
        Ok((journal, loaded.header.run, resume))
    }

    fn start(path: &Path, file: File, resume: Resume) -> (Journal, Resume) {
        let (tx, rx) = crossbeam_channel::unbounded();
        let counters = Arc::new(writer::Counters::default());
        let c = Arc::clone(&counters);
        let handle = std::thread::Builder::new()
            .name("checkpoint-writer".into())
            .spawn(move || writer::run(file, rx, c));
        // Without a thread every call reports `Closed`: the receiver is dropped.
        let thread = handle.ok();
        let journal = Journal {
            shared: Arc::new(Shared {
                path: path.to_owned(),
                tx,
                next_id: AtomicU64::new(resume.last_intent + 1),
                counters,
                thread: Mutex::new(thread),
            }),
        };
        (journal, resume)
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Counters of what this process wrote.
    pub fn stats(&self) -> JournalStats {
        let c = &self.shared.counters;
        JournalStats {
            records: c.records.load(Ordering::Relaxed),
            bytes: c.bytes.load(Ordering::Relaxed),
            syncs: c.syncs.load(Ordering::Relaxed),
        }
    }

    fn write_error(&self, source: Arc<io::Error>) -> CheckpointError {
        CheckpointError::Write {
            path: self.shared.path.clone(),
            source,
        }
    }

    /// Encodes an intent and queues it; the receiver fires once it is durable.
    fn send_intent(
        &self,
        spec: &IntentSpec<'_>,
    ) -> Result<(IntentId, AckReceiver), CheckpointError> {
        let IntentSpec {
            op,
            rows,
            remote_id,
            keys,
            parent,
        } = *spec;
        if rows.is_empty() {
            return Err(CheckpointError::Invalid(
                "an intent needs at least one row".into(),
            ));
        }
        if !keys.is_empty() && keys.len() != rows.len() {
            return Err(CheckpointError::Invalid(format!(
                "an intent of {} rows with {} keys",
                rows.len(),
                keys.len()
            )));
        }
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let frame = Frame::Intent(IntentFrame {
            id,
            op,
            rows: rows.to_vec(),
            remote_id: remote_id.map(Into::into),
            keys: keys
                .iter()
                .map(|k| std::borrow::Cow::Borrowed(*k))
                .collect(),
            parent: parent.map(Into::into),
            at: now_ms(),
        });
        let mut line = Vec::with_capacity(96);
        record::encode(&frame, &mut line)
            .map_err(|e| CheckpointError::Invalid(format!("cannot encode an intent: {e}")))?;
        let (ack, rx) = oneshot::channel();
        self.shared
            .tx
            .send(writer::Cmd::Durable { line, ack })
            .map_err(|_| CheckpointError::Closed)?;
        Ok((id, rx))
    }

    /// Records the intent `spec` and waits until it is durable. Send the request only after
    /// this returns, and only once it can leave at once (see [`crate::executor`]).
    ///
    /// Intent ids are allocated in call order, but concurrent intents reach the file in the
    /// order the writer receives them; resuming does not depend on it.
    pub async fn record_intent(&self, spec: &IntentSpec<'_>) -> Result<IntentId, CheckpointError> {
        let (id, rx) = self.send_intent(spec)?;
        match rx.await {
            Ok(Ok(())) => Ok(id),
            Ok(Err(e)) => Err(self.write_error(e)),
            Err(_) => Err(CheckpointError::Closed),
        }
    }

    /// Records an intent to apply `op` to `rows` (to the record `remote_id` for updates and
    /// deletes) and waits until it is durable.
    pub async fn intent(
        &self,
        op: Op,
        rows: &[u64],
        remote_id: Option<&str>,
    ) -> Result<IntentId, CheckpointError> {
        self.record_intent(&IntentSpec::on_remote(op, rows, remote_id))
            .await
    }

    /// [`Journal::intent`] with a key per row (parallel to `rows`), kept in the journal for
    /// later runs ([`Resume::key`]): an SMS intent names each row's number.
    pub async fn intent_keyed(
        &self,
        op: Op,
        rows: &[u64],
        remote_id: Option<&str>,
        keys: &[&str],
    ) -> Result<IntentId, CheckpointError> {
        let spec = IntentSpec {
            keys,
            ..IntentSpec::on_remote(op, rows, remote_id)
        };
        self.record_intent(&spec).await
    }

    /// [`Journal::intent`] for threads outside an async runtime (it blocks; calling it from
    /// async code panics).
    pub fn intent_blocking(
        &self,
        op: Op,
        rows: &[u64],
        remote_id: Option<&str>,
    ) -> Result<IntentId, CheckpointError> {
        let (id, rx) = self.send_intent(&IntentSpec::on_remote(op, rows, remote_id))?;
        match rx.blocking_recv() {
            Ok(Ok(())) => Ok(id),
            Ok(Err(e)) => Err(self.write_error(e)),
            Err(_) => Err(CheckpointError::Closed),
        }
    }

    /// Records the outcome of intent `id` for some or all of its rows. It does not wait: the
    /// record is written in order and made durable by the next sync.
    pub fn outcome(&self, id: IntentId, results: &[RowOutcome]) -> Result<(), CheckpointError> {
        if results.is_empty() {
            return Err(CheckpointError::Invalid(
                "an outcome needs at least one row".into(),
            ));
        }
        if id == 0 || id >= self.shared.next_id.load(Ordering::Relaxed) {
            return Err(CheckpointError::Invalid(format!(
                "outcome of intent {id}, which this journal never recorded"
            )));
        }
        let lost = results
            .iter()
            .filter_map(|r| match r.result {
                RowResult::Lost { sent_ms } => Some(sent_ms),
                _ => None,
            })
            .max();
        let unknown = results.iter().any(|r| r.result == RowResult::Unknown);
        // (Both in one outcome: the later time, now, holds for both.)
        let at = if unknown { now_ms() } else { lost.unwrap_or(0) };
        let frame = Frame::Outcome(OutcomeFrame {
            id,
            rows: results.iter().map(WireRow::from_outcome).collect(),
            at,
        });
        self.append_lazy(&frame, "an outcome")
    }

    /// Records that a run begins writing to the journal, reading only the first `limit` data
    /// rows when given (`--limit`): a later run knows what the earlier ones were.
    pub fn note_run(&self, limit: Option<u64>) -> Result<(), CheckpointError> {
        let frame: Frame<'_> = Frame::Run(record::RunFrame {
            at: now_ms(),
            limit,
        });
        self.append_lazy(&frame, "a run")
    }

    /// Appends `frame` (`what` it is, for the error) in order, made durable by the next sync.
    fn append_lazy(&self, frame: &Frame<'_>, what: &str) -> Result<(), CheckpointError> {
        let mut line = Vec::with_capacity(128);
        record::encode(frame, &mut line)
            .map_err(|e| CheckpointError::Invalid(format!("cannot encode {what}: {e}")))?;
        self.shared
            .tx
            .send(writer::Cmd::Lazy { line })
            .map_err(|_| CheckpointError::Closed)
    }

    fn send_sync(&self) -> Result<AckReceiver, CheckpointError> {
        let (ack, rx) = oneshot::channel();
        self.shared
            .tx
            .send(writer::Cmd::Sync { ack })
            .map_err(|_| CheckpointError::Closed)?;
        Ok(rx)
    }

    /// Keeps this journal's high-water mark in `state_dir` from now on (see [`mark`]), and
    /// says whether the journal, as opened (`resume`), lost records since the mark was last
    /// written. A damaged journal stays marked damaged until [`Journal::reconciled`]. A
    /// journal started over (`restart`) starts a new mark.
    pub fn keep_mark(
        &self,
        state_dir: &Path,
        resume: &Resume,
        restart: bool,
    ) -> Option<mark::Damage> {
        let path = mark::mark_path(state_dir, self.path());
        let before = mark::read(&path).filter(|_| !restart);
        let bytes = fs::metadata(self.path()).map(|m| m.len()).unwrap_or(0);
        let damage = mark::check(before.as_ref(), resume.records, bytes);
        let base = mark::Mark {
            journal: mark::canonical(self.path()),
            records: resume.records,
            bytes,
            created_unix: resume.created_unix,
            damaged: damage.as_ref().map(|d| d.reason.clone()),
        };
        let _ = self
            .shared
            .tx
            .send(writer::Cmd::Mark(writer::MarkSink { path, base }));
        damage
    }

    /// The run reconciled a damaged journal against the target and finished: its mark stops
    /// saying it is damaged.
    pub fn reconciled(&self) {
        let _ = self.shared.tx.send(writer::Cmd::Reconciled);
    }

    /// Waits until every record sent so far (outcomes included) is durable.
    pub async fn flush(&self) -> Result<(), CheckpointError> {
        match self.send_sync()?.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(self.write_error(e)),
            Err(_) => Err(CheckpointError::Closed),
        }
    }

    /// [`Journal::flush`] for threads outside an async runtime.
    pub fn flush_blocking(&self) -> Result<(), CheckpointError> {
        match self.send_sync()?.blocking_recv() {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(self.write_error(e)),
            Err(_) => Err(CheckpointError::Closed),
        }
    }

    /// Makes everything durable, stops the writer and releases the lock. Later calls on any
    /// clone return [`CheckpointError::Closed`]. Blocks for one sync (it may be called from async
    /// code, though `spawn_blocking` is kinder to the runtime).
    pub fn close(&self) -> Result<JournalStats, CheckpointError> {
        let handle = match self.shared.thread.lock() {
            Ok(mut h) => h.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        let Some(handle) = handle else {
            return Err(CheckpointError::Closed);
        };
        let (ack, mut rx) = oneshot::channel();
        let sent = self.shared.tx.send(writer::Cmd::Close { ack }).is_ok();
        let _ = handle.join();
        // The writer has answered (or dropped the ack) before ending: no need to block on it.
        let reply = if sent { rx.try_recv().ok() } else { None };
        match reply {
            Some(Ok(())) => Ok(self.stats()),
            Some(Err(e)) => Err(self.write_error(e)),
            None => Err(CheckpointError::Closed),
        }
    }
}

/// Writes a finished journal of `n` single-row create intents (rows 1..=n), each followed by
/// its outcome (`created`, remote id `r<row>`), with one sync at the end. For benches and tests
/// of resuming large journals; a real run writes through [`Journal`].
#[doc(hidden)]
pub fn write_synthetic(path: &Path, header: &RunHeader, n: u64) -> Result<(), CheckpointError> {
    create(path, header, None)?;
    let file = OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| CheckpointError::io("open", path, e))?;
    let mut out = io::BufWriter::with_capacity(1 << 20, file);
    let mut line = Vec::with_capacity(256);
    for row in 1..=n {
        line.clear();
        let intent = Frame::Intent(IntentFrame {
            id: row,
            op: Op::Create,
            rows: vec![row],
            remote_id: None,
            keys: Vec::new(),
            parent: None,
            at: 0,
        });
        let remote = format!("r{row}");
        let done = RowOutcome::done(row, Action::Created, Some(&remote));
        let outcome = Frame::Outcome(OutcomeFrame {
            id: row,
            rows: vec![WireRow::from_outcome(&done)],
            at: 0,
        });
        record::encode(&intent, &mut line)
            .and_then(|()| record::encode(&outcome, &mut line))
            .map_err(|e| CheckpointError::Invalid(e.to_string()))?;
        out.write_all(&line)
            .map_err(|e| CheckpointError::io("write", path, e))?;
    }
    out.into_inner()
        .map_err(|e| CheckpointError::io("write", path, e.into_error()))?
        .sync_all()
        .map_err(|e| CheckpointError::io("sync", path, e))
}

#[cfg(test)]
mod tests;
