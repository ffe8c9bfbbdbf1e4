//! Planning: what each row becomes on the target, given the records that its key finds.

use std::fmt::Write as _;

use serde::Serialize;

use crate::connectors::{Difference, RecordFields, RemoteRecord, Target, differences};

/// What `--mode` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Create what is new, update what changed, leave identical records alone.
    Upsert,
    /// Only create (no listing first).
    Create,
    /// Only update records that exist.
    Update,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Upsert => "upsert",
            Mode::Create => "create",
            Mode::Update => "update",
        }
    }

    /// Whether the target's records must be listed before the first write.
    pub fn lists_first(self) -> bool {
        self != Mode::Create
    }
}

/// What a row becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Create,
    Update {
        id: String,
        changes: Vec<Difference>,
    },
    /// The record already holds every field: nothing is sent.
    Unchanged {
        id: String,
    },
    /// The key finds more than one record: reported, never guessed.
    Conflict {
        ids: Vec<String>,
    },
    /// Update mode, and the key finds no record.
    Missing,
}

impl Plan {
    /// The action word of the plan report.
    pub fn action(&self) -> &'static str {
        match self {
            Plan::Create => "create",
            Plan::Update { .. } => "update",
            Plan::Unchanged { .. } => "unchanged",
            Plan::Conflict { .. } => "conflict",
            Plan::Missing => "missing",
        }
    }
}

/// Decides what a row with `desired` fields becomes, given the records its key `found`
/// (`None`: the target was not listed, as in create mode).
pub fn decide<T: Target + ?Sized>(
    target: &T,
    mode: Mode,
    desired: &RecordFields,
    found: Option<&[&RemoteRecord]>,
) -> Plan {
    let found = match (mode, found) {
        (Mode::Create, _) | (_, None) => return Plan::Create,
        (_, Some(found)) => found,
    };
    match found {
        [] if mode == Mode::Update => Plan::Missing,
        [] => Plan::Create,
        [one] => {
            let changes = differences(target, desired, &one.fields.to_fields());
            if changes.is_empty() {
                Plan::Unchanged { id: one.id.clone() }
            } else {
                Plan::Update {
                    id: one.id.clone(),
                    changes,
                }
            }
        }
        many => Plan::Conflict {
            ids: many.iter().map(|r| r.id.clone()).collect(),
        },
    }
}

/// The field-level differences as the plan shows them: `mobile: +1415… -> +1628…; email: (none) -> a@b.c`.
pub fn describe(changes: &[Difference]) -> String {
    let mut out = String::new();
    for (i, d) in changes.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
        let _ = write!(
            out,
            "{}: {} -> {}",
            d.field,
            show(&d.remote),
            show(&d.desired)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::put;
    use crate::connectors::zoom_cc::ZoomCc;

    fn record(id: &str, fields: &[(&str, &str)]) -> RemoteRecord {
        let mut f = RecordFields::new();
        for (k, v) in fields {
            put(&mut f, k, v);
        }
        RemoteRecord {
            id: id.into(),
            parent: None,
            fields: f.into(),
        }
    }

    #[test]
    fn decisions_by_mode_and_matches() {
        let zoom = ZoomCc::new("book");
        let same = record(
            "1",
            &[("display_name", "Ann"), ("phone_numbers", "+14155550100")],
        );
        let desired = same.fields.to_fields();
        let other = record(
            "2",
            &[("display_name", "Ann"), ("phone_numbers", "+16285550100")],
        );

        assert_eq!(
            decide(&zoom, Mode::Upsert, &desired, Some(&[])),
            Plan::Create
        );
        assert_eq!(
            decide(&zoom, Mode::Update, &desired, Some(&[])),
            Plan::Missing
        );
        assert_eq!(
            decide(&zoom, Mode::Create, &desired, Some(&[&same])),
            Plan::Create
        );
        assert_eq!(decide(&zoom, Mode::Create, &desired, None), Plan::Create);
        assert_eq!(
            decide(&zoom, Mode::Upsert, &desired, Some(&[&same])),
            Plan::Unchanged { id: "1".into() }
        );
        let Plan::Update { id, changes } = decide(&zoom, Mode::Update, &desired, Some(&[&other]))
        else {
            panic!("expected an update")
        };
        assert_eq!(id, "2");
        assert_eq!(
            describe(&changes),
            "phone_numbers: +16285550100 -> +14155550100"
        );
        assert_eq!(
            decide(&zoom, Mode::Upsert, &desired, Some(&[&same, &other])),
            Plan::Conflict {
                ids: vec!["1".into(), "2".into()]
            }
        );
    }

    #[test]
    fn describe_shows_missing_values() {
        let changes = vec![
            Difference {
                field: "email".into(),
                remote: None,
                desired: Some("a@b.c".into()),
            },
            Difference {
                field: "company".into(),
                remote: Some("Acme".into()),
                desired: None,
            },
        ];
        assert_eq!(
            describe(&changes),
            "email: (none) -> a@b.c; company: Acme -> (none)"
        );
    }
}
