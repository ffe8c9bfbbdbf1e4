//! Run identity and the run lock.
//!
//! Two things are kept in the user's state directory (`$BULKLINE_STATE_DIR`, else
//! `$XDG_STATE_HOME/bulkline`, else `~/.local/state/bulkline`, under `runs/`):
//!
//! - **The lock of an account**: a file named after a digest of the target and the
//!   destination's account (API host, accounts server, the credentials' account, the
//!   organization; see [`crate::destination`]), held with an advisory lock for the whole run.
//!   So a second import, campaign or undo into the same account and target is refused while
//!   the first runs (exit 2, naming it), whatever its list, its journal and the way its URL is
//!   typed.
//! - **The journal a list was last run with**, named after a digest of the list's meaning
//!   (its rows as read, not its bytes), the target, the whole destination and what else tells
//!   two runs apart (an SMS campaign's message and sender). A run that is not idempotent (an
//!   SMS campaign, an import in create mode) and would start a new journal while that one
//!   still exists is refused (it would send everything a second time): it is told to resume
//!   that journal (`--checkpoint`), or to start over with `--restart`. An upsert run again
//!   with a new journal finds every record as it left it, and is let through.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::hash::Hasher as _;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use siphasher::sip::SipHasher13;

use crate::clock::now_unix;
use crate::error::{Error, Result};

/// What a run is: its list, its target and where it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The list's fingerprint hash (`rows:...`).
    pub input: String,
    pub target: String,
    /// The destination's account: what the lock is named after.
    pub account: BTreeMap<String, String>,
    /// The rest of the destination and of the run's identity (data set, campaign).
    pub rest: BTreeMap<String, String>,
}

/// A digest of `parts`, for a file name.
pub fn digest<'a>(parts: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut h = SipHasher13::new_with_keys(0x6275_6c6b_6c69_6e65, 0x7275_6e5f_6c6f_636b);
    for (k, v) in parts {
        h.write(k.as_bytes());
        h.write_u8(b'=');
        h.write(v.as_bytes());
        h.write_u8(0);
    }
    format!("{:016x}", h.finish())
}

impl Identity {
    /// The digest that names the account's lock file.
    pub fn lock_digest(&self) -> String {
        let target = std::iter::once(("target", self.target.as_str()));
        let account = self.account.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        digest(target.chain(account))
    }

    /// The digest that names the memory of the run's last journal.
    pub fn run_digest(&self) -> String {
        let head = [("input", self.input.as_str()), ("target", &self.target)];
        let rest = self
            .account
            .iter()
            .chain(&self.rest)
            .map(|(k, v)| (k.as_str(), v.as_str()));
        digest(head.into_iter().chain(rest))
    }

    /// The account, for messages.
    fn place(&self) -> String {
        crate::destination::describe(&self.account)
    }
}

/// What the lock file holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Holder {
    journal: String,
    pid: u32,
    started_unix: u64,
}

/// A held run lock; released when dropped.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    pub path: PathBuf,
}

/// The state directory, from the environment (see the module docs).
pub fn state_dir(env: impl Fn(&str) -> Option<String>) -> PathBuf {
    let absolute = |v: String| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    env("BULKLINE_STATE_DIR")
        .and_then(absolute)
        .or_else(|| {
            env("XDG_STATE_HOME")
                .and_then(absolute)
                .map(|d| d.join("bulkline"))
        })
        .or_else(|| {
            env("HOME")
                .and_then(absolute)
                .map(|h| h.join(".local/state/bulkline"))
        })
        .unwrap_or_else(|| std::env::temp_dir().join("bulkline-state"))
}

/// Takes the lock of `identity` for a run that writes `journal` (in `dir`). `fresh` is true
/// when the run starts a new journal (none existed, or `--restart`), `restart` when the user
/// asked for it.
pub fn acquire(
    dir: &Path,
    identity: &Identity,
    journal: &Path,
    fresh: bool,
    restart: bool,
) -> Result<RunLock> {
    acquire_guarded(dir, identity, journal, fresh && !restart, true)
}

/// [`acquire`], where `guard` says whether a new journal beside an existing one is refused
/// (runs that are not idempotent) and `fresh` that this run starts a new journal without
/// `--restart`.
fn acquire_guarded(
    dir: &Path,
    identity: &Identity,
    journal: &Path,
    fresh: bool,
    guard: bool,
) -> Result<RunLock> {
    let runs = dir.join("runs");
    std::fs::create_dir_all(&runs).map_err(|e| Error::io("cannot create", &runs, e))?;
    let path = runs.join(format!("{}.lock", identity.lock_digest()));
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::io("cannot open the run lock", &path, e))?;
    let held = match file.try_lock() {
        Ok(()) => false,
        Err(std::fs::TryLockError::WouldBlock) => true,
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(Error::io("cannot lock", &path, e));
        }
    };
    let journal = crate::paths::absolute(journal);
    if held {
        let mut text = String::new();
        let _ = file.read_to_string(&mut text);
        let (other, pid) = serde_json::from_str::<Holder>(&text)
            .map(|h| (h.journal, h.pid.to_string()))
            .unwrap_or_else(|_| ("(unknown)".into(), "?".into()));
        return Err(Error::Usage(format!(
            "another bulkline run (pid {pid}, journal {other}) is writing to the same {} account ({}): two runs into one place at once could write the same contacts twice. Wait for it to finish, or stop it first",
            identity.target,
            identity.place()
        )));
    }
    let memory = runs.join(format!("{}.last", identity.run_digest()));
    let before: Option<Holder> = std::fs::read(&memory)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    if let Some(h) = &before
        && fresh
        && guard
        && Path::new(&h.journal) != journal
        && Path::new(&h.journal).is_file()
    {
        return Err(Error::Usage(format!(
            "this same list was already run to the same {} with the journal {}: resume that run with --checkpoint {}, or start over with --restart (what it did is then done again)",
            identity.target, h.journal, h.journal
        )));
    }
    let holder = Holder {
        journal: journal.to_string_lossy().into_owned(),
        pid: std::process::id(),
        started_unix: now_unix(),
    };
    let body = serde_json::to_vec(&holder).map_err(|e| Error::Internal(e.to_string()))?;
    file.set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| file.write_all(&body))
        .map_err(|e| Error::io("cannot write the run lock", &path, e))?;
    std::fs::write(&memory, &body).map_err(|e| Error::io("cannot write", &memory, e))?;
    Ok(RunLock { _file: file, path })
}

/// Takes the lock of the run `header` describes (its list, target and destination) and
/// writing `journal`; `extra` adds what else tells two runs apart (an SMS campaign's message
/// and sender); `guard` refuses a new journal beside an existing one of the same identity
/// (runs that are not idempotent). The state directory comes from the environment.
pub fn lock_run(
    header: &crate::checkpoint::RunHeader,
    journal: &Path,
    restart: bool,
    guard: bool,
    extra: &[(&str, &str)],
) -> Result<RunLock> {
    let place = crate::destination::Destination::from_entries(&header.destination);
    let account = place.account();
    let mut rest: BTreeMap<String, String> = header
        .destination
        .iter()
        .filter(|(k, _)| !account.contains_key(*k))
        .chain(&header.target_params)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in extra {
        rest.insert((*k).to_string(), (*v).to_string());
    }
    let identity = Identity {
        input: header.input.hash.clone(),
        target: header.target.clone(),
        account,
        rest,
    };
    let new_journal = std::fs::metadata(journal).map_or(true, |m| m.len() == 0);
    let dir = state_dir(|k| std::env::var(k).ok());
    acquire_guarded(&dir, &identity, journal, new_journal && !restart, guard)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> Identity {
        Identity {
            input: "rows:00000000000000aa".into(),
            target: "zoho-voice".into(),
            account: BTreeMap::from([("host".into(), "https://voice.zoho.com".into())]),
            rest: BTreeMap::new(),
        }
    }

    #[test]
    fn a_second_run_is_refused_while_the_first_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.ck");
        let first = acquire(dir.path(), &identity(), &a, true, false).unwrap();
        let e = acquire(
            dir.path(),
            &identity(),
            &dir.path().join("b.ck"),
            true,
            false,
        )
        .unwrap_err();
        assert!(e.to_string().contains("another bulkline run"), "{e}");
        assert!(e.to_string().contains("a.ck"), "{e}");
        // Another list into the same account waits too.
        let mut other_list = identity();
        other_list.input = "rows:00000000000000bb".into();
        other_list.rest.insert("sender_id".into(), "X".into());
        let e = acquire(
            dir.path(),
            &other_list,
            &dir.path().join("c.ck"),
            true,
            false,
        )
        .unwrap_err();
        assert!(e.to_string().contains("same zoho-voice account"), "{e}");
        // Another account is another run.
        let mut other = identity();
        other.account.insert("organization_id".into(), "2".into());
        assert!(acquire(dir.path(), &other, &a, true, false).is_ok());
        drop(first);
        assert!(acquire(dir.path(), &identity(), &a, false, false).is_ok());
    }

    #[test]
    fn a_new_journal_for_a_list_already_run_is_refused_unless_restarting() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.ck");
        std::fs::write(&a, b"journal").unwrap();
        drop(acquire(dir.path(), &identity(), &a, true, false).unwrap());
        let b = dir.path().join("b.ck");
        let e = acquire(dir.path(), &identity(), &b, true, false).unwrap_err();
        assert!(e.to_string().contains("--checkpoint"), "{e}");
        // Resuming the same journal is fine; so is a restart.
        assert!(acquire(dir.path(), &identity(), &a, false, false).is_ok());
        assert!(acquire(dir.path(), &identity(), &b, true, true).is_ok());
        // The old journal gone, a new one may start.
        std::fs::remove_file(&a).unwrap();
        assert!(acquire(dir.path(), &identity(), &a, true, false).is_ok());
    }

    #[test]
    fn the_state_dir_follows_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            state_dir(env(&[("BULKLINE_STATE_DIR", "/s"), ("HOME", "/h")])),
            PathBuf::from("/s")
        );
        assert_eq!(
            state_dir(env(&[("XDG_STATE_HOME", "/x"), ("HOME", "/h")])),
            PathBuf::from("/x/bulkline")
        );
        assert_eq!(
            state_dir(env(&[("HOME", "/h")])),
            PathBuf::from("/h/.local/state/bulkline")
        );
    }
}
