//! The log ids of test sends (`sms --test-to`), kept apart from every campaign journal.
//!
//! A test send goes to numbers the user names, with a campaign's text. The campaign reads
//! the account's outgoing logs three ways (the repeat guard, the search for a send whose
//! answer was lost, `sms-status --verify`), and must not take a test message for one of its
//! own: a test must never keep a recipient from being texted, nor mark them texted. So each
//! accepted test send's log id is appended here (`<state dir>/sms-test-sends`, one log id a
//! line), and those readings skip the log entries it lists.
//!
//! The file is this machine's: a campaign sent from another machine does not know the test
//! sends made here, and a test number that is also a recipient with the same text is then
//! held back by the repeat guard (`already_texted`) rather than texted twice.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The file's name in the state directory.
const FILE: &str = "sms-test-sends";

/// Why the file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("the test-send list {}: {source}", path.display())]
pub struct LedgerError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// The log ids of the test sends made from this machine.
#[derive(Debug, Clone, Default)]
pub struct TestSends {
    ids: HashSet<String>,
}

impl TestSends {
    /// The file in `state_dir`.
    pub fn path(state_dir: &Path) -> PathBuf {
        state_dir.join(FILE)
    }

    /// The log ids in the file at `path` (none when there is no file yet).
    pub fn load(path: &Path) -> Result<TestSends, LedgerError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(LedgerError {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        Ok(TestSends::parse(&text))
    }

    /// The log ids of a file's text: one a line, blank lines skipped.
    fn parse(text: &str) -> TestSends {
        let ids = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        TestSends { ids }
    }

    /// Appends `logids` to the file at `path` (made, with its directory, if missing), synced
    /// to disk before it returns.
    pub fn record(path: &Path, logids: &[&str]) -> Result<(), LedgerError> {
        let err = |source| LedgerError {
            path: path.to_path_buf(),
            source,
        };
        let ids: Vec<&str> = logids
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty() && !l.contains('\n'))
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(err)?;
        let mut text = String::new();
        for id in ids {
            text.push_str(id);
            text.push('\n');
        }
        file.write_all(text.as_bytes()).map_err(err)?;
        file.sync_all().map_err(err)
    }

    /// The test sends known on this machine; an unreadable file is said once on stderr and
    /// read as empty (the campaign then treats every logged message as possibly its own,
    /// which never texts anyone twice).
    pub fn load_or_warn(state_dir: &Path) -> TestSends {
        let path = TestSends::path(state_dir);
        TestSends::load(&path).unwrap_or_else(|e| {
            crate::stop::say(&format!(
                "bulkline: warning: {e}: test sends are not told apart from the campaign's messages in the logs"
            ));
            TestSends::default()
        })
    }

    /// Whether `logid` is a test send's.
    pub fn contains(&self, logid: &str) -> bool {
        !logid.is_empty() && self.ids.contains(logid)
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ids_are_recorded_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = TestSends::path(&dir.path().join("state"));
        assert!(TestSends::load(&path).unwrap().is_empty());
        TestSends::record(&path, &["a-1", " ", "b-2"]).unwrap();
        TestSends::record(&path, &["c-3"]).unwrap();
        let t = TestSends::load(&path).unwrap();
        assert_eq!(t.len(), 3);
        assert!(t.contains("a-1") && t.contains("c-3"));
        assert!(!t.contains("") && !t.contains("d-4"));
    }

    #[test]
    fn blank_lines_and_spaces_do_not_count() {
        let t = TestSends::parse("x\n\n  y  \r\n");
        assert_eq!(t.len(), 2);
        assert!(t.contains("y"));
    }
}
