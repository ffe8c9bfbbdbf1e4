//! The write round trip of `check --write`: one probe record (its name says what it is, its
//! number is fictitious) created, read back, updated, read back, deleted and confirmed gone,
//! each answer compared field by field with what was sent. It sends every request shape
//! `import` and `undo` use, so a wrong guess about a vendor's API shows on one record.
//!
//! Nothing is left behind: a failed step still deletes the probe, and a probe a killed check
//! left is removed by the next one. A note in the state directory says which probe may be
//! out there (written before its create, with its id once known, removed once it is gone);
//! when it has no id (the run was killed before the create's answer), the target is listed
//! and the probe found by its name.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::connectors::{self, Difference, RecordFields, RowExtras, SharedTarget, Write};
use crate::contact::{Contact, Phone, PhoneLabel};
use crate::error::{Error, Result};
use crate::http::HttpClient;

/// The probe's first name: what it is.
pub const PROBE_FIRST_NAME: &str = "bulkline-probe";
/// Fictitious: 555-0100 to 555-0199 are reserved for fiction in the North American plan.
pub const PROBE_MOBILE: &str = "+12015550199";

/// One step of the round trip and what it found.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub step: &'static str,
    pub ok: bool,
    /// What was found: the record's id, or the field that differs with both values, or the
    /// API's answer.
    pub detail: String,
    pub ms: u64,
}

/// The round trip's result.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RoundTrip {
    /// Probes an earlier, interrupted check left, now deleted.
    pub leftovers_removed: Vec<String>,
    pub steps: Vec<Step>,
    /// Every step held, and the probe is gone.
    pub held: bool,
}

/// The note of the probe that may be on the target.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Note {
    marker: String,
    parent: Option<String>,
    id: Option<String>,
}

/// Where the note of a target's probe lives: one per target and destination.
pub fn note_path(
    state_dir: &Path,
    target: &str,
    destination: &std::collections::BTreeMap<String, String>,
) -> PathBuf {
    let hash = crate::runlock::digest(destination.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    state_dir.join(format!("probe-{target}-{hash}.json"))
}

fn read_note(path: &Path) -> Option<Note> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

fn write_note(path: &Path, note: &Note) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    }
    let text = serde_json::to_string(note).map_err(|e| Error::Internal(e.to_string()))?;
    crate::atomic::write_whole(path, text.as_bytes(), |_| Ok(()))
        .map_err(|e| Error::io("cannot write", path, e))
}

fn remove_note(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("cannot remove", path, e)),
    }
}

/// The probe's contact: `marker` as its last name.
fn probe_contact(marker: &str, parent: Option<&str>) -> Contact {
    Contact {
        first_name: PROBE_FIRST_NAME.into(),
        last_name: marker.into(),
        emails: vec!["probe@example.com".into()],
        phones: vec![Phone {
            e164: PROBE_MOBILE.into(),
            label: PhoneLabel::Mobile,
            extension: None,
            is_mobile: None,
        }],
        company: "safe to delete".into(),
        parent_id: parent.unwrap_or_default().into(),
        ..Contact::default()
    }
}

/// `last_name "x" where "y" was sent (and 1 more field)`.
fn described(diffs: &[Difference]) -> String {
    let Some(first) = diffs.first() else {
        return String::new();
    };
    let more = match diffs.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    format!("{}{more}", crate::import::canary::describe(first))
}

/// The write round trip on `target` through `http`, its note at `note`; `parent` is the
/// record's parent (Books: `--books-contact-id`).
pub async fn run(
    target: &SharedTarget,
    http: &HttpClient,
    note: &Path,
    parent: Option<&str>,
) -> Result<RoundTrip> {
    let mut trip = RoundTrip {
        leftovers_removed: remove_leftovers(target, http, note).await?,
        ..RoundTrip::default()
    };
    let marker = format!("check --write {}", crate::clock::now_ms());
    let extras = RowExtras {
        parent: parent.map(str::to_string),
        ..RowExtras::default()
    };
    let sent = target
        .desired(&probe_contact(&marker, parent), &extras)
        .map_err(|r| {
            let hint = target
                .descriptor()
                .parent_hint
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            Error::Usage(format!(
                "check --write cannot make its probe: {}{hint}",
                r.message
            ))
        })?;
    write_note(
        note,
        &Note {
            marker: marker.clone(),
            parent: parent.map(str::to_string),
            id: None,
        },
    )?;

    let mut clock = Instant::now();
    let mut step = |trip: &mut RoundTrip, step: &'static str, ok: bool, detail: String| {
        trip.steps.push(Step {
            step,
            ok,
            detail,
            ms: clock.elapsed().as_millis() as u64,
        });
        clock = Instant::now();
        ok
    };

    let id = match target.create(http, &sent, &extras).await {
        Write::Done(id) => {
            step(&mut trip, "create", true, format!("record {id}"));
            id
        }
        other => {
            step(&mut trip, "create", false, write_text(&other));
            // Its answer may have been lost: the next check looks for it by its name.
            return Ok(trip);
        }
    };
    write_note(
        note,
        &Note {
            marker: marker.clone(),
            parent: parent.map(str::to_string),
            id: Some(id.clone()),
        },
    )?;

    let mut holds = compare(target, http, &id, parent, &sent).await;
    let read_ok = step(&mut trip, "read", holds.is_ok(), text(&holds));
    if read_ok && !crate::stop::requested() {
        // One field changed; the others sent as they were (as an import's update sends them).
        let mut changed = sent.clone();
        connectors::put(&mut changed, "last_name", &format!("{marker} updated"));
        let update = target.update(http, &id, &changed, &extras).await;
        let updated = matches!(update, Write::Done(_));
        step(&mut trip, "update", updated, write_text(&update));
        if updated {
            holds = compare(target, http, &id, parent, &changed).await;
            step(&mut trip, "read after update", holds.is_ok(), text(&holds));
        }
    }

    let delete = target.delete(http, &id, parent).await;
    let gone_code = match &delete {
        Write::Failed { code, .. } => target.descriptor().is_gone(code.as_deref()),
        _ => false,
    };
    let deleted = matches!(delete, Write::Done(_)) || gone_code;
    step(&mut trip, "delete", deleted, write_text(&delete));
    if deleted {
        let gone = match connectors::read(&**target, http, &id, parent).await {
            Ok(None) => Ok("the record is gone".to_string()),
            Ok(Some(_)) => Err("the record is still there after its delete".to_string()),
            Err(e) => Err(e.to_string()),
        };
        let ok = step(&mut trip, "confirm gone", gone.is_ok(), text(&gone));
        if ok {
            remove_note(note)?;
        }
    }
    trip.held = trip.steps.iter().all(|s| s.ok) && trip.steps.len() == 6;
    Ok(trip)
}

/// Reads record `id` back and compares it with `sent`.
async fn compare(
    target: &SharedTarget,
    http: &HttpClient,
    id: &str,
    parent: Option<&str>,
    sent: &RecordFields,
) -> std::result::Result<String, String> {
    match connectors::read(&**target, http, id, parent).await {
        Ok(Some(remote)) => {
            let diffs = connectors::differences(&**target, sent, &remote);
            match diffs.is_empty() {
                true => Ok(format!("{} fields as sent", sent.len())),
                false => Err(described(&diffs)),
            }
        }
        Ok(None) => Err(format!("record {id} is not there")),
        Err(e) => Err(e.to_string()),
    }
}

fn text(r: &std::result::Result<String, String>) -> String {
    match r {
        Ok(s) | Err(s) => s.clone(),
    }
}

fn write_text(w: &Write) -> String {
    match w {
        Write::Done(id) => format!("record {id}"),
        Write::Failed { code, message, .. } => match code {
            Some(c) => format!("refused: {c}: {message}"),
            None => format!("refused: {message}"),
        },
        Write::Ambiguous { reason, .. } => format!("no clear answer: {reason}"),
        Write::NotApplied { reason } => format!("not applied: {reason}"),
        Write::Stop { message, .. } => message.clone(),
    }
}

/// Deletes the probe an interrupted check left (by its id, or found by its name), and the
/// note of it; the ids deleted.
async fn remove_leftovers(
    target: &SharedTarget,
    http: &HttpClient,
    note: &Path,
) -> Result<Vec<String>> {
    let Some(left) = read_note(note) else {
        return Ok(Vec::new());
    };
    let parent = left.parent.as_deref();
    let ids = match &left.id {
        Some(id) => vec![id.clone()],
        None => {
            let parents: Vec<String> = left.parent.iter().cloned().collect();
            let records = target
                .list(http, &parents)
                .await
                .map_err(|e| e.into_error())?;
            records
                .into_iter()
                .filter(|r| {
                    r.fields.get("last_name") == Some(left.marker.as_str())
                        && r.fields.get("first_name") == Some(PROBE_FIRST_NAME)
                })
                .map(|r| r.id)
                .collect()
        }
    };
    let mut removed = Vec::new();
    for id in ids {
        match target.delete(http, &id, parent).await {
            Write::Done(_) => removed.push(id),
            Write::Failed { code, .. } if target.descriptor().is_gone(code.as_deref()) => {}
            other => {
                return Err(Error::Remote(format!(
                    "an earlier check --write left probe record {id}, and deleting it failed: {}. Delete it by hand (its first name is {PROBE_FIRST_NAME}), or run the check again",
                    write_text(&other)
                )));
            }
        }
    }
    remove_note(note)?;
    Ok(removed)
}
