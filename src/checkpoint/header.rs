//! The run header: what a journal belongs to, and the check that a journal fits this run.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::CheckpointError;

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

/// Identifies an input by what its rows say (see `crate::fingerprint`), not by its bytes or
/// its path: the path is kept to name the file in messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFingerprint {
    /// The path as the run that made the journal named it (canonical).
    pub path: String,
    /// The rows that hold something.
    pub rows: u64,
    /// `rows:` and a 128-bit SipHash-1-3 of the rows' meaning, as 32 hex digits.
    pub hash: String,
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
    /// Where the run writes: the canonical API host, the accounts server, the account the
    /// credentials belong to, and what selects the data set (see `crate::destination`).
    #[serde(default)]
    pub destination: BTreeMap<String, String>,
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
            destination: BTreeMap::new(),
            mode: mode.into(),
            options: BTreeMap::new(),
        }
    }

    /// Adds a target parameter.
    pub fn param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.target_params.insert(key.into(), value.into());
        self
    }

    /// Records where the run writes.
    pub fn destination(mut self, entries: &BTreeMap<String, String>) -> Self {
        self.destination = entries.clone();
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
    /// Other rows.
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
    /// Another place: another host, account or data set.
    Destination {
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
            Difference::InputContent { journal, now } => write!(
                f,
                "the journal's list `{}` ({} rows) holds other rows than `{}` ({} rows): the input has changed since the journal was started",
                journal.path, journal.rows, now.path, now.rows
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
            Difference::Destination { key, journal, now } => write!(
                f,
                "the journal wrote to {key} {}, this run writes to {key} {}",
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
    if (&journal.input.hash, journal.input.rows) != (&now.input.hash, now.input.rows) {
        d.push(Difference::InputContent {
            journal: journal.input.clone(),
            now: now.input.clone(),
        });
    }
    let target = |journal, now| Difference::Target { journal, now };
    value_diff(&journal.target, &now.target, target, &mut d);
    let param = |key, journal, now| Difference::TargetParam { key, journal, now };
    map_diffs(&journal.target_params, &now.target_params, param, &mut d);
    let place = |key, journal, now| Difference::Destination { key, journal, now };
    map_diffs(&journal.destination, &now.destination, place, &mut d);
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
            rows: 100,
            hash: "rows:00000000000000aa".into(),
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

        // The same rows through another path are the same list.
        let mut h = header();
        h.input.path = "/data/copy of contacts.csv".into();
        assert_eq!(check_header(&header(), &h), Ok(()));

        let mut h = header();
        h.input.hash = "rows:00000000000000bb".into();
        assert!(matches!(
            only_difference(&h),
            Difference::InputContent { .. }
        ));
        let mut h = header();
        h.input.rows = 101;
        let d = only_difference(&h);
        assert!(d.to_string().contains("has changed"), "{d}");

        let mut h = header();
        h.destination
            .insert("host".into(), "https://voice.zoho.eu".into());
        let d = only_difference(&h);
        assert!(
            d.to_string()
                .contains("writes to host https://voice.zoho.eu"),
            "{d}"
        );

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
}
