//! The high-water mark of a journal: how much it held when it was last synced, kept beside it
//! in the user's state directory, so that a journal that lost records is noticed.
//!
//! A journal is the run's memory of what it did. Cut at half by a disk tool, emptied by a
//! script, reduced to its header, or replaced by an older copy from a backup, it would say
//! "not done" of rows that were done. The mark (`<state>/journals/<digest of the journal's
//! path>.mark`) holds the records and bytes the journal had at its last sync; a journal found
//! with fewer is **damaged**. A damaged journal's mark keeps saying so (`damaged`) until a run
//! has reconciled against the target and finished, so a run killed while reconciling does
//! not hide the damage from the next one.

use std::fmt;
use std::hash::Hasher as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use siphasher::sip::SipHasher13;

/// What a mark file holds.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    /// The journal's path, for a person reading the file.
    pub journal: String,
    /// Records after the header, and the file's length, at the last sync.
    pub records: u64,
    pub bytes: u64,
    /// When the journal was created (seconds since the epoch).
    pub created_unix: u64,
    /// Set while a damage found is not yet reconciled: why.
    #[serde(default)]
    pub damaged: Option<String>,
}

/// How a journal lost records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// What was found, for messages.
    pub reason: String,
    /// When the journal's run started, as the mark remembers it (0: unknown).
    pub created_unix: u64,
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Where the mark of `journal` lives in `state_dir`.
pub fn mark_path(state_dir: &Path, journal: &Path) -> PathBuf {
    let canonical = canonical(journal);
    let mut h = SipHasher13::new_with_keys(0x6a6f_7572_6e61_6c21, 0x6d61_726b_2121_2121);
    h.write(canonical.as_bytes());
    state_dir
        .join("journals")
        .join(format!("{:016x}.mark", h.finish()))
}

/// The journal's absolute path (its directory resolved), as text.
pub fn canonical(journal: &Path) -> String {
    crate::paths::absolute(journal)
        .to_string_lossy()
        .into_owned()
}

/// The mark at `path`, if there is a readable one.
pub fn read(path: &Path) -> Option<Mark> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Writes `mark` to `path` (a temporary file renamed over it: never half a mark).
pub fn write(path: &Path, mark: &Mark) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let body = serde_json::to_vec(mark).map_err(std::io::Error::other)?;
    let tmp = path.with_extension("mark.tmp");
    std::fs::write(&tmp, body)?;
    std::fs::rename(&tmp, path)
}

/// Whether a journal holding `records` records in `bytes` bytes has lost some of what its
/// `mark` says it held (or is still marked damaged).
pub fn check(mark: Option<&Mark>, records: u64, bytes: u64) -> Option<Damage> {
    let mark = mark?;
    let reason = if let Some(why) = &mark.damaged {
        format!("{why}, and no run has reconciled it since")
    } else if records < mark.records || bytes < mark.bytes {
        let what = if bytes == 0 {
            "empty".to_string()
        } else if records == 0 {
            "reduced to its header".to_string()
        } else {
            "cut short or replaced by an older copy".to_string()
        };
        format!(
            "the journal is {what}: it holds {records} records ({bytes} bytes), and held {} ({} bytes) when last synced",
            mark.records, mark.bytes
        )
    } else {
        return None;
    };
    Some(Damage {
        reason,
        created_unix: mark.created_unix,
    })
}

/// Whether the journal at `journal` lost records, read without opening it for writing (what a
/// command asks before it decides how far back to look on the target). `restart` starts a
/// new journal: nothing is damaged then. A file that is not a readable journal is left to the
/// opening to report. A journal at least as long as its mark is not read here (the opening
/// reads it, and checks its records against the mark again): only a shorter one is, for the
/// message.
pub fn peek(state_dir: &Path, journal: &Path, restart: bool) -> Option<Damage> {
    if restart {
        return None;
    }
    let mark = read(&mark_path(state_dir, journal))?;
    let bytes = std::fs::metadata(journal).map(|m| m.len()).unwrap_or(0);
    let records = if bytes == 0 {
        0
    } else if bytes >= mark.bytes && mark.damaged.is_none() {
        return None;
    } else {
        super::read_journal(journal).ok()?.1.records
    };
    check(Some(&mark), records, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(records: u64, bytes: u64) -> Mark {
        Mark {
            journal: "/j".into(),
            records,
            bytes,
            created_unix: 7,
            damaged: None,
        }
    }

    #[test]
    fn fewer_records_or_bytes_than_the_mark_is_damage() {
        assert_eq!(check(None, 0, 0), None);
        assert_eq!(check(Some(&mark(10, 1000)), 10, 1000), None);
        assert_eq!(check(Some(&mark(10, 1000)), 12, 1300), None);
        let cut = check(Some(&mark(10, 1000)), 4, 400).unwrap();
        assert!(cut.reason.contains("cut short"), "{cut}");
        assert_eq!(cut.created_unix, 7);
        let header = check(Some(&mark(10, 1000)), 0, 120).unwrap();
        assert!(header.reason.contains("header"), "{header}");
        let empty = check(Some(&mark(10, 1000)), 0, 0).unwrap();
        assert!(empty.reason.contains("empty"), "{empty}");
        let mut held = mark(0, 120);
        held.damaged = Some("the journal was emptied".into());
        assert!(check(Some(&held), 3, 400).is_some());
    }

    #[test]
    fn marks_round_trip_and_are_named_after_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let a = mark_path(dir.path(), &dir.path().join("a.ck"));
        let b = mark_path(dir.path(), &dir.path().join("b.ck"));
        assert_ne!(a, b);
        assert_eq!(read(&a), None);
        write(&a, &mark(3, 300)).unwrap();
        assert_eq!(read(&a), Some(mark(3, 300)));
        std::fs::write(&a, b"{half").unwrap();
        assert_eq!(read(&a), None);
    }
}
