//! The import's creates whose outcome is unknown (a kill, a lost answer), looked for on the
//! target: once any still in transit can no longer land, the target is listed once and each
//! is looked for by the key its intent kept.

use std::collections::BTreeSet;
use std::time::Duration;

use super::plan::Delete;
use crate::checkpoint::{Action, InFlight, Journal, Op, Resume, RowOutcome, RunHeader, now_ms};
use crate::connectors::Target;
use crate::error::{Error, Result};
use crate::import::{LateWrites, MatchBy, RemoteIndex};

/// What settling the import's interrupted creates found.
#[derive(Default)]
pub struct Settled {
    /// Found on the target: created, to delete.
    pub found: Vec<Delete>,
    /// Not found: they never happened.
    pub not_created: u64,
    /// Cannot be told apart (no key, or several records with it).
    pub unsettled: u64,
}

/// The key kind an import's creates were found by: its `--match-by`, or the mobile for `id`.
pub fn find_by(header: &RunHeader) -> MatchBy {
    match header.options.get("match_by").map(String::as_str) {
        Some("email") => MatchBy::Email,
        _ => MatchBy::Mobile,
    }
}

/// Looks for the import's interrupted creates on the target (one listing under their
/// parents), recording what it finds in the journal unless `journal` is `None` (a dry run).
pub async fn settle_creates<T: Target + ?Sized>(
    target: &T,
    exec_http: &crate::http::HttpClient,
    journal: Option<&Journal>,
    resume: &Resume,
    by: MatchBy,
    late: LateWrites,
) -> Result<Settled> {
    let creates: Vec<&InFlight> = resume
        .in_flight()
        .iter()
        .filter(|f| f.op == Op::Create)
        .collect();
    let mut settled = Settled::default();
    if creates.is_empty() {
        return Ok(settled);
    }
    wait_for_late_creates(&creates, late).await?;
    let parents: BTreeSet<String> = creates
        .iter()
        .map(|f| f.parent.clone().unwrap_or_default())
        .collect();
    let parents: Vec<String> = parents.into_iter().filter(|p| !p.is_empty()).collect();
    let records = target
        .list(exec_http, &parents)
        .await
        .map_err(crate::connectors::ListError::into_error)?;
    let index = RemoteIndex::new(by, records);
    let record = |intent, outcome: RowOutcome| -> Result<()> {
        match journal {
            Some(j) => j.outcome(intent, &[outcome]).map_err(Error::from),
            None => Ok(()),
        }
    };
    for f in creates {
        let parent = f.parent.clone().unwrap_or_default();
        for &row in &f.rows {
            let Some(key) = resume.key(row).filter(|k| !k.is_empty()) else {
                settled.unsettled += 1;
                continue;
            };
            let found = index.find(&parent, key);
            match found.as_slice() {
                [one] => {
                    record(f.id, RowOutcome::done(row, Action::Created, Some(&one.id)))?;
                    settled.found.push(Delete {
                        row,
                        id: one.id.clone(),
                        parent: f.parent.clone(),
                    });
                }
                [] => {
                    record(f.id, RowOutcome::not_applied(row))?;
                    settled.not_created += 1;
                }
                _ => settled.unsettled += 1,
            }
        }
    }
    Ok(settled)
}

/// Waits until the newest of `creates` can no longer land: a create in transit when the
/// import was killed may still land until it is older than the request timeout plus the
/// catch-up; let it, or it would be left behind.
async fn wait_for_late_creates(creates: &[&InFlight], late: LateWrites) -> Result<()> {
    let newest = creates.iter().map(|f| f.at_ms).max().unwrap_or(0);
    let wait = late.ready_ms(newest).saturating_sub(now_ms());
    if wait > 0 {
        crate::stop::say(&format!(
            "bulkline: waiting {:.1} s for {} create(s) of the import whose answer never came, so that none lands after the undo looked",
            wait as f64 / 1000.0,
            creates.len()
        ));
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(wait)) => {}
            _ = crate::stop::wait() => {
                return Err(Error::Interrupted(
                    "stopped while waiting for the import's creates in transit".into(),
                ));
            }
        }
    }
    Ok(())
}
