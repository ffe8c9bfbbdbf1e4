//! The writer thread: appends records in arrival order, and group-commits intents.
//!
//! It takes every command waiting in its channel (up to [`MAX_BATCH`] bytes), writes them
//! with one `write`, and, when the batch holds an intent or a flush, makes them durable with one
//! `fdatasync` before acknowledging each waiting caller. While it syncs, new commands queue up
//! and form the next batch, so the number of syncs follows the disk, not the number of workers.

use std::fs::File;
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crossbeam_channel::Receiver;
use tokio::sync::oneshot;

/// What a caller waits for: `Ok` once its record is durable.
pub(crate) type Ack = oneshot::Sender<Result<(), Arc<io::Error>>>;

/// The most bytes written per batch.
const MAX_BATCH: usize = 4 << 20;

pub(crate) enum Cmd {
    /// A record that must be durable before the caller goes on.
    Durable { line: Vec<u8>, ack: Ack },
    /// A record written in order, made durable by the next sync.
    Lazy { line: Vec<u8> },
    /// Make everything written so far durable.
    Sync { ack: Ack },
    /// Sync, acknowledge and stop.
    Close { ack: Ack },
    /// Keep the journal's high-water mark from now on (see [`super::mark`]).
    Mark(MarkSink),
    /// The damage the mark recorded is reconciled: clear it at the next write of the mark.
    Reconciled,
}

/// Where and from what base the writer keeps the journal's mark.
pub(crate) struct MarkSink {
    pub path: std::path::PathBuf,
    /// The mark as of the opening: records and bytes then, creation time, damage.
    pub base: super::mark::Mark,
}

/// How often, at most, the mark is written while syncs go on (and always at the close).
const MARK_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// The writer's mark, and when it was last written.
#[derive(Default)]
struct Marker {
    sink: Option<MarkSink>,
    written: Option<std::time::Instant>,
}

impl Marker {
    /// Writes the mark (records and bytes of the base plus what this process wrote) when due.
    fn after_sync(&mut self, counters: &Counters, closing: bool) {
        let Some(sink) = &self.sink else { return };
        if !closing && self.written.is_some_and(|t| t.elapsed() < MARK_EVERY) {
            return;
        }
        let mut mark = sink.base.clone();
        mark.records += counters.records.load(Ordering::Relaxed);
        mark.bytes += counters.bytes.load(Ordering::Relaxed);
        // A mark that cannot be written only makes damage harder to notice: not an error of
        // the journal.
        let _ = super::mark::write(&sink.path, &mark);
        self.written = Some(std::time::Instant::now());
    }
}

/// Counters, readable while the writer runs.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub records: AtomicU64,
    pub bytes: AtomicU64,
    pub syncs: AtomicU64,
}

pub(crate) fn run(mut file: File, rx: Receiver<Cmd>, counters: Arc<Counters>) {
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut acks: Vec<Ack> = Vec::new();
    // Once a write or sync fails, nothing more is written: what reached the disk is unknown.
    let mut failed: Option<Arc<io::Error>> = None;
    let mut unsynced = false;
    let mut marker = Marker::default();
    loop {
        let Ok(first) = rx.recv() else {
            // Every sender is gone without a close: sync what was written.
            if unsynced && failed.is_none() {
                let _ = file.sync_data();
            }
            return;
        };
        let mut batch = Batch::default();
        batch.take(first, &mut buf, &mut acks, &mut marker);
        while !batch.closing && buf.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(cmd) => batch.take(cmd, &mut buf, &mut acks, &mut marker),
                Err(_) => break,
            }
        }
        let Batch {
            need_sync,
            closing,
            records,
        } = batch;
        if failed.is_none() {
            let result = file.write_all(&buf).and_then(|()| {
                unsynced |= !buf.is_empty();
                if need_sync && unsynced {
                    file.sync_data()?;
                    counters.syncs.fetch_add(1, Ordering::Relaxed);
                    unsynced = false;
                }
                Ok(())
            });
            match result {
                Ok(()) => {
                    counters.records.fetch_add(records, Ordering::Relaxed);
                    counters
                        .bytes
                        .fetch_add(buf.len() as u64, Ordering::Relaxed);
                    if need_sync {
                        marker.after_sync(&counters, closing);
                    }
                }
                Err(e) => failed = Some(Arc::new(e)),
            }
        }
        buf.clear();
        let reply = match &failed {
            None => Ok(()),
            Some(e) => Err(Arc::clone(e)),
        };
        for ack in acks.drain(..) {
            // A caller that stopped waiting is no error.
            let _ = ack.send(reply.clone());
        }
        if closing {
            return;
        }
    }
}

/// What a batch of commands asks for.
#[derive(Default)]
struct Batch {
    need_sync: bool,
    closing: bool,
    records: u64,
}

impl Batch {
    fn take(&mut self, cmd: Cmd, buf: &mut Vec<u8>, acks: &mut Vec<Ack>, marker: &mut Marker) {
        match cmd {
            Cmd::Mark(sink) => {
                marker.sink = Some(sink);
                marker.written = None;
                self.need_sync = true;
            }
            Cmd::Reconciled => {
                if let Some(sink) = &mut marker.sink {
                    sink.base.damaged = None;
                    marker.written = None;
                }
            }
            Cmd::Durable { line, ack } => {
                buf.extend_from_slice(&line);
                acks.push(ack);
                self.records += 1;
                self.need_sync = true;
            }
            Cmd::Lazy { line } => {
                buf.extend_from_slice(&line);
                self.records += 1;
            }
            Cmd::Sync { ack } => {
                acks.push(ack);
                self.need_sync = true;
            }
            Cmd::Close { ack } => {
                acks.push(ack);
                self.need_sync = true;
                self.closing = true;
            }
        }
    }
}
