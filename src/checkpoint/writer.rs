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
    loop {
        let Ok(first) = rx.recv() else {
            // Every sender is gone without a close: sync what was written.
            if unsynced && failed.is_none() {
                let _ = file.sync_data();
            }
            return;
        };
        let mut batch = Batch::default();
        batch.take(first, &mut buf, &mut acks);
        while !batch.closing && buf.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(cmd) => batch.take(cmd, &mut buf, &mut acks),
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
    fn take(&mut self, cmd: Cmd, buf: &mut Vec<u8>, acks: &mut Vec<Ack>) {
        match cmd {
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
