//! The target's records, listed as the rows come: once per parent (Books' contacts; one
//! listing for targets without parents), indexed by the match key. A parent the API refuses for
//! good (a Books contact that does not exist) is remembered with its code and message, for the
//! rows that name it.

use std::collections::{HashMap, HashSet};

use super::key::{MatchBy, RemoteIndex};
use crate::connectors::{Remote, RowExtras};
use crate::error::Result;

/// How a run finds the record of a row on the target: by which key, under which parent.
#[derive(Debug, Clone)]
pub struct Matching {
    pub by: MatchBy,
    /// Whether the target's records have parents (Books).
    pub parents: bool,
    /// The parent of the rows that name none.
    pub default_parent: Option<String>,
}

/// The listings of a run so far.
pub struct Listings {
    pub index: RemoteIndex,
    matching: Matching,
    listed: HashSet<String>,
    /// Parents the API refused to list: its code and message.
    refused: HashMap<String, (String, String)>,
}

impl Listings {
    pub fn new(matching: &Matching) -> Listings {
        Listings {
            index: RemoteIndex::default(),
            matching: matching.clone(),
            listed: HashSet::new(),
            refused: HashMap::new(),
        }
    }

    /// The parent a row's records are under: its own, else the default one ("" for a target
    /// without parents).
    pub fn parent_of(&self, extras: &RowExtras) -> String {
        match self.matching.parents {
            true => extras
                .parent
                .clone()
                .or_else(|| self.matching.default_parent.clone())
                .unwrap_or_default(),
            false => String::new(),
        }
    }

    /// Lists the records under `parent` unless already done. A parent the API refuses for
    /// good comes back as its code and message; any other failure is the run's error.
    pub fn ensure(
        &mut self,
        remote: &Remote,
        runtime: &tokio::runtime::Handle,
        parent: &str,
    ) -> Result<Option<(String, String)>> {
        if let Some(refusal) = self.refused.get(parent) {
            return Ok(Some(refusal.clone()));
        }
        if self.listed.contains(parent) {
            return Ok(None);
        }
        let parents = match self.matching.parents {
            true => vec![parent.to_string()],
            false => Vec::new(),
        };
        match runtime.block_on(remote.target.list(&remote.http, &parents)) {
            Ok(records) => {
                self.index.extend(self.matching.by, records);
                self.listed.insert(parent.to_string());
                Ok(None)
            }
            Err(e) if self.matching.parents && e.refused.is_some() => {
                let refusal = (e.refused.clone().unwrap_or_default(), e.to_string());
                self.refused.insert(parent.to_string(), refusal.clone());
                Ok(Some(refusal))
            }
            Err(e) => Err(e.into_error()),
        }
    }
}
