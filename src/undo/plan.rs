//! Which records to delete, from the import's journal: the ones it created, less those an
//! earlier undo deleted (or saw refused, unless `--restart`); and the rows the import
//! settled as `outcome_unknown`, to check by hand.

use crate::checkpoint::{Action, Resume, RowState};
use crate::import::OUTCOME_UNKNOWN;

/// One record to delete.
#[derive(Debug, Clone)]
pub struct Delete {
    /// The input row that created it.
    pub row: u64,
    /// Its id on the target.
    pub id: String,
    /// The record it belongs to, for targets whose records have parents.
    pub parent: Option<String>,
}

/// Why the import's journal holds the creates it does, as `undo` needs it.
pub struct UndoPlan {
    /// Records to delete now.
    pub todo: Vec<Delete>,
    /// Created rows an earlier undo deleted.
    pub resumed: u64,
    /// Created rows whose delete failed for good (tried again with `--restart`).
    pub failed_before: u64,
}

/// The created records still to delete.
pub fn plan(resume: &Resume, restart: bool) -> UndoPlan {
    let mut p = UndoPlan {
        todo: Vec::new(),
        resumed: 0,
        failed_before: 0,
    };
    let parent_of = |row: u64| {
        resume
            .in_flight()
            .iter()
            .find(|f| f.rows.contains(&row))
            .and_then(|f| f.parent.clone())
    };
    for (row, id) in resume.ever_created() {
        let delete = Delete {
            row,
            id: id.to_string(),
            parent: parent_of(row),
        };
        match resume.state(row) {
            Some(RowState::Done {
                action: Action::Deleted,
                ..
            }) => p.resumed += 1,
            Some(RowState::Failed(_)) if !restart => p.failed_before += 1,
            _ => p.todo.push(delete),
        }
    }
    p
}

/// The rows the import settled as `outcome_unknown`, in order.
pub fn outcome_unknown_rows(resume: &Resume) -> Vec<u64> {
    let mut rows: Vec<u64> = resume
        .rows()
        .filter_map(|(row, state)| match state {
            RowState::Failed(f) if f.code == OUTCOME_UNKNOWN => Some(row),
            _ => None,
        })
        .collect();
    rows.sort_unstable();
    rows
}
