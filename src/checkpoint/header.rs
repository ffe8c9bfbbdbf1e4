//! The run header: what a journal belongs to, and the check that a journal fits this run.

use std::collections::BTreeMap;
use std::fmt;
use std::hash::Hasher as _;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use siphasher::sip::SipHasher13;

use super::CheckpointError;
use super::record::SIP_KEYS;

/// The version of the journal format written by this build. A journal of another version is
/// refused (as a header mismatch).
pub const FORMAT_VERSION: u32 = 1;

/// Words that, in a target parameter or option name, suggest a secret: such keys are refused,
/// since nothing secret may be written into a journal.
const SECRET_WORDS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "authorization",
    "api_key",
    "apikey",
    "credential",
];

/// Identifies an input file by its path and its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFingerprint {
    /// The path as the command names it (canonical when made by [`InputFingerprint::of`]).
    pub path: String,
    /// The file's size in bytes.
    pub size: u64,
    /// `sip13:` and the SipHash-1-3 of the whole content as 16 hex digits.
    pub hash: String,
}

impl InputFingerprint {
    /// Reads the file once, in 1 MiB blocks, and fingerprints it (about 2 GB/s: 100 MB take
    /// around 50 ms once the file is in the page cache).
    pub fn of(path: &Path) -> Result<Self, CheckpointError> {
        let canonical = std::fs::canonicalize(path)
            .map_err(|e| CheckpointError::io("find the input", path, e))?;
        let mut file = std::fs::File::open(&canonical)
            .map_err(|e| CheckpointError::io("open the input", path, e))?;
        let mut hasher = SipHasher13::new_with_keys(SIP_KEYS.0, SIP_KEYS.1);
        let mut buf = vec![0u8; 1 << 20];
        let mut size = 0u64;
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(CheckpointError::io("read the input", path, e)),
            };
            hasher.write(&buf[..n]);
            size += n as u64;
        }
        Ok(InputFingerprint {
            path: canonical.to_string_lossy().into_owned(),
            size,
            hash: format!("sip13:{:016x}", hasher.finish()),
        })
    }
}

/// Identifies a run: a journal is only resumed by a run with an equal header.
///
/// Nothing secret goes here: target parameters are ids (organization, address book), never
/// tokens; [`RunHeader::validate`] refuses keys that look like secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunHeader {
    /// [`FORMAT_VERSION`] when made by [`RunHeader::new`].
    pub version: u32,
    pub input: InputFingerprint,
    /// The target's name, e.g. `zoho-voice`.
    pub target: String,
    /// What selects the remote data set, e.g. `organization_id`, `address_book_id`.
    pub target_params: BTreeMap<String, String>,
    /// The command's mode, e.g. `import`, `upsert`, `undo`, `sms`.
    pub mode: String,
    /// Any other option that changes what the run does (dedupe key, message template hash...).
    pub options: BTreeMap<String, String>,
}

impl RunHeader {
    /// A header of the current format version, with no parameters or options.
    pub fn new(
        input: InputFingerprint,
        target: impl Into<String>,
        mode: impl Into<String>,
    ) -> Self {
        RunHeader {
            version: FORMAT_VERSION,
            input,
            target: target.into(),
            target_params: BTreeMap::new(),
            mode: mode.into(),
            options: BTreeMap::new(),
        }
    }

    /// Adds a target parameter.
    pub fn param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.target_params.insert(key.into(), value.into());
        self
    }

    /// Adds an option.
    pub fn option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.insert(key.into(), value.into());
        self
    }

    /// Refuses a header whose parameter or option names look like secrets.
    pub fn validate(&self) -> Result<(), CheckpointError> {
        for key in self.target_params.keys().chain(self.options.keys()) {
            let lower = key.to_ascii_lowercase();
            if SECRET_WORDS.iter().any(|w| lower.contains(w)) {
                return Err(CheckpointError::Invalid(format!(
                    "the journal header may not hold `{key}`: secrets are never written to a \
                     checkpoint"
                )));
            }
        }
        Ok(())
    }
}

/// One way in which a journal's header differs from the current run's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    Version {
        journal: u32,
        now: u32,
    },
    InputPath {
        journal: String,
        now: String,
    },
    /// Same path, other content.
    InputContent {
        journal: InputFingerprint,
        now: InputFingerprint,
    },
    Target {
        journal: String,
        now: String,
    },
    TargetParam {
        key: String,
        journal: Option<String>,
        now: Option<String>,
    },
    Mode {
        journal: String,
        now: String,
    },
    Option {
        key: String,
        journal: Option<String>,
        now: Option<String>,
    },
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("(not set)")
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Version { journal, now } => {
                write!(
                    f,
                    "format version {journal}, this bulkline writes version {now}"
                )
            }
            Difference::InputPath { journal, now } => {
                write!(f, "input file `{journal}`, this run reads `{now}`")
            }
            Difference::InputContent { journal, now } => write!(
                f,
                "input `{}` has changed since the journal was started ({} bytes then, {} now)",
                now.path, journal.size, now.size
            ),
            Difference::Target { journal, now } => {
                write!(f, "target `{journal}`, this run targets `{now}`")
            }
            Difference::TargetParam { key, journal, now } => write!(
                f,
                "target parameter {key} = {}, this run has {}",
                opt(journal),
                opt(now)
            ),
            Difference::Mode { journal, now } => {
                write!(f, "mode `{journal}`, this run is `{now}`")
            }
            Difference::Option { key, journal, now } => {
                write!(
                    f,
                    "option {key} = {}, this run has {}",
                    opt(journal),
                    opt(now)
                )
            }
        }
    }
}

/// A journal was made by another run: every difference found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", join(.differences))]
pub struct HeaderMismatch {
    pub differences: Vec<Difference>,
}

fn join(d: &[Difference]) -> String {
    d.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Adds `make(journal, now)` to `out` when the two differ; whether they did.
fn value_diff<T: PartialEq + Clone>(
    journal: &T,
    now: &T,
    make: impl FnOnce(T, T) -> Difference,
    out: &mut Vec<Difference>,
) -> bool {
    let differs = journal != now;
    if differs {
        out.push(make(journal.clone(), now.clone()));
    }
    differs
}

fn map_diffs(
    a: &BTreeMap<String, String>,
    b: &BTreeMap<String, String>,
    mut make: impl FnMut(String, Option<String>, Option<String>) -> Difference,
    out: &mut Vec<Difference>,
) {
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for k in keys {
        let (x, y) = (a.get(k), b.get(k));
        if x != y {
            out.push(make(k.clone(), x.cloned(), y.cloned()));
        }
    }
}

/// Checks that a journal's header (`journal`) fits the current run (`now`); the error names
/// every field that differs.
pub fn check_header(journal: &RunHeader, now: &RunHeader) -> Result<(), HeaderMismatch> {
    let mut d = Vec::new();
    let version = |journal, now| Difference::Version { journal, now };
    value_diff(&journal.version, &now.version, version, &mut d);
    let path = |journal, now| Difference::InputPath { journal, now };
    if !value_diff(&journal.input.path, &now.input.path, path, &mut d) {
        let content = |journal, now| Difference::InputContent { journal, now };
        value_diff(&journal.input, &now.input, content, &mut d);
    }
    let target = |journal, now| Difference::Target { journal, now };
    value_diff(&journal.target, &now.target, target, &mut d);
    let param = |key, journal, now| Difference::TargetParam { key, journal, now };
    map_diffs(&journal.target_params, &now.target_params, param, &mut d);
    let mode = |journal, now| Difference::Mode { journal, now };
    value_diff(&journal.mode, &now.mode, mode, &mut d);
    let option = |key, journal, now| Difference::Option { key, journal, now };
    map_diffs(&journal.options, &now.options, option, &mut d);
    if d.is_empty() {
        Ok(())
    } else {
        Err(HeaderMismatch { differences: d })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> RunHeader {
        let input = InputFingerprint {
            path: "/data/contacts.csv".into(),
            size: 100,
            hash: "sip13:00000000000000aa".into(),
        };
        RunHeader::new(input, "zoho-voice", "import")
            .param("organization_id", "42")
            .option("dedupe", "mobile")
    }

    fn only_difference(now: &RunHeader) -> Difference {
        let err = check_header(&header(), now).unwrap_err();
        assert_eq!(err.differences.len(), 1, "{err}");
        err.differences[0].clone()
    }

    #[test]
    fn equal_headers_match() {
        assert_eq!(check_header(&header(), &header()), Ok(()));
    }

    #[test]
    fn each_field_is_named() {
        let mut h = header();
        h.version = 2;
        assert!(matches!(
            only_difference(&h),
            Difference::Version { journal: 1, now: 2 }
        ));

        let mut h = header();
        h.input.path = "/data/other.csv".into();
        assert!(matches!(only_difference(&h), Difference::InputPath { .. }));

        let mut h = header();
        h.input.hash = "sip13:00000000000000bb".into();
        assert!(matches!(
            only_difference(&h),
            Difference::InputContent { .. }
        ));
        let mut h = header();
        h.input.size = 101;
        let d = only_difference(&h);
        assert!(d.to_string().contains("has changed"), "{d}");

        let mut h = header();
        h.target = "zoom-cc".into();
        assert!(matches!(only_difference(&h), Difference::Target { .. }));

        let h = header().param("organization_id", "43");
        let d = only_difference(&h);
        assert!(d.to_string().contains("organization_id = 42"), "{d}");

        let h = header().param("address_book_id", "7");
        assert_eq!(
            only_difference(&h),
            Difference::TargetParam {
                key: "address_book_id".into(),
                journal: None,
                now: Some("7".into())
            }
        );

        let mut h = header();
        h.mode = "upsert".into();
        assert!(matches!(only_difference(&h), Difference::Mode { .. }));

        let mut h = header();
        h.options.clear();
        assert!(matches!(only_difference(&h), Difference::Option { .. }));
    }

    #[test]
    fn several_differences_are_all_listed() {
        let mut h = header();
        h.target = "zoom-cc".into();
        h.mode = "sms".into();
        let err = check_header(&header(), &h).unwrap_err();
        assert_eq!(err.differences.len(), 2);
        let text = err.to_string();
        assert!(text.contains("zoom-cc") && text.contains("sms"), "{text}");
    }

    #[test]
    fn secret_looking_keys_are_refused() {
        assert!(header().validate().is_ok());
        assert!(header().option("access_token", "x").validate().is_err());
        assert!(header().param("Client-Secret", "x").validate().is_err());
    }

    #[test]
    fn fingerprint_follows_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.csv");
        std::fs::write(&p, b"a,b\n1,2\n").unwrap();
        let a = InputFingerprint::of(&p).unwrap();
        assert_eq!(a, InputFingerprint::of(&p).unwrap());
        std::fs::write(&p, b"a,b\n1,3\n").unwrap();
        let b = InputFingerprint::of(&p).unwrap();
        assert_eq!(a.size, b.size);
        assert_ne!(a.hash, b.hash);
    }
}
