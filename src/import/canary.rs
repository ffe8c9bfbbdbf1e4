//! The canary: the first writes of a fresh import are read back from the target and compared,
//! field by field, with what was sent, before anything else is sent. A service that keeps a
//! field otherwise (truncates it, ignores it, reads a number another way) shows after a few
//! rows instead of after a million.

use crate::connectors::{self, Difference, RecordFields, SharedTarget};
use crate::error::Error;
use crate::http::HttpClient;

/// The canary's default size: how many writes are read back.
pub const DEFAULT_SIZE: usize = 3;

/// A write of the canary the target reported done.
#[derive(Debug, Clone)]
pub struct Written {
    pub row: u64,
    pub id: String,
    pub parent: Option<String>,
    /// What was sent.
    pub fields: RecordFields,
}

/// What the canary found, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Held {
    /// Writes read back and found as sent.
    pub checked: usize,
}

/// Reads each write back and compares it with what was sent: `Ok` when every one holds, or
/// the error that stops the run, naming the row, the field and both values.
pub async fn check(
    target: &SharedTarget,
    http: &HttpClient,
    written: &[Written],
) -> Result<Held, Error> {
    for w in written {
        let remote = connectors::read(&**target, http, &w.id, w.parent.as_deref())
            .await
            .map_err(|e| {
                Error::Remote(format!(
                    "the canary could not read back record {} (row {}): {e}. Nothing more was sent",
                    w.id, w.row
                ))
            })?;
        let Some(remote) = remote else {
            return Err(Error::Mismatch(format!(
                "canary: row {} was reported created as record {}, but reading it back finds no such record. Nothing more was sent",
                w.row, w.id
            )));
        };
        let diffs = connectors::differences(&**target, &w.fields, &remote);
        if let Some(first) = diffs.first() {
            return Err(Error::Mismatch(format!(
                "canary: row {} (record {}) was read back with {}{}. Nothing more was sent",
                w.row,
                w.id,
                describe(first),
                match diffs.len() {
                    1 => String::new(),
                    n => format!(
                        " (and {} more field{})",
                        n - 1,
                        if n == 2 { "" } else { "s" }
                    ),
                }
            )));
        }
    }
    Ok(Held {
        checked: written.len(),
    })
}

/// `last_name "Smit" where "Smith" was sent`.
pub fn describe(d: &Difference) -> String {
    let shown = |v: &Option<String>| match v {
        Some(v) => format!("{v:?}"),
        None => "nothing".to_string(),
    };
    format!(
        "{} {} where {} was sent",
        d.field,
        shown(&d.remote),
        shown(&d.desired)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_difference_names_the_field_and_both_values() {
        let d = Difference {
            field: "last_name".into(),
            remote: Some("Smit".into()),
            desired: Some("Smith".into()),
        };
        assert_eq!(describe(&d), r#"last_name "Smit" where "Smith" was sent"#);
        let gone = Difference {
            field: "company".into(),
            remote: None,
            desired: Some("Acme".into()),
        };
        assert_eq!(describe(&gone), r#"company nothing where "Acme" was sent"#);
    }
}
