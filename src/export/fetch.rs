//! Where an export reads from, one page at a time, exactly as each API page defines its
//! pagination (each target's [`crate::connectors::Target::page`], under each parent in turn and
//! spaced as the target asks), and the SMS logs `from`/`size` over a date range.

use crate::connectors::{At, Cursor, Page, SharedTarget};
use crate::http::HttpClient;
use crate::sms::api::{LOG_COLUMNS, LogQuery, logs_page};

crate::targets_and! {
    /// What `export --from` names: a target of the registry, or the Zoho Voice SMS logs.
    pub enum ExportFrom {
        SmsLogs = crate::sms::LOGS,
        crate::sms::LOGS_ABOUT
    }
}

impl ExportFrom {
    /// The fields each API page documents, in its order: they lead the columns.
    pub fn documented(self) -> &'static [&'static str] {
        match self {
            ExportFrom::Target(t) => t.descriptor().export_columns,
            ExportFrom::SmsLogs => &LOG_COLUMNS,
        }
    }
}

/// What is listed.
pub enum Listing {
    /// A target's records, under each of `parents` in turn (`[None]` for a target without
    /// parents); `at` is the one being read.
    Target {
        target: SharedTarget,
        parents: Vec<Option<String>>,
        at: usize,
    },
    SmsLogs(LogQuery),
}

/// Reads a listing page by page.
pub struct Fetcher {
    listing: Listing,
    cursor: Option<Cursor>,
    last_page: Option<tokio::time::Instant>,
    /// Pages read.
    pub pages: u64,
}

impl Fetcher {
    pub fn new(listing: Listing) -> Fetcher {
        Fetcher {
            listing,
            cursor: Some(Cursor::Start),
            last_page: None,
            pages: 0,
        }
    }

    /// The next page's records and, when the API says, the listing's total; `None` at the end.
    pub async fn next(&mut self, http: &HttpClient) -> Result<Option<Page>, String> {
        loop {
            let Some(cursor) = self.cursor.take() else {
                // The next parent, if any.
                if let Listing::Target { parents, at, .. } = &mut self.listing
                    && *at + 1 < parents.len()
                {
                    *at += 1;
                    self.cursor = Some(Cursor::Start);
                    continue;
                }
                return Ok(None);
            };
            let page = match &self.listing {
                Listing::Target {
                    target,
                    parents,
                    at,
                } => {
                    let Some(parent) = parents.get(*at) else {
                        return Ok(None);
                    };
                    if let (Some(t), Some(gap)) = (self.last_page, target.page_spacing()) {
                        tokio::time::sleep_until(t + gap).await;
                    }
                    self.last_page = Some(tokio::time::Instant::now());
                    let at = At {
                        parent: parent.as_deref(),
                        cursor: &cursor,
                    };
                    crate::connectors::page(&**target, http, &at)
                        .await
                        .map_err(|e| e.to_string())?
                }
                Listing::SmsLogs(query) => {
                    let from = match cursor {
                        Cursor::Offset(n) => n,
                        _ => 0,
                    };
                    logs_page(http, query, from)
                        .await
                        .map_err(|e| e.to_string())?
                }
            };
            self.pages += 1;
            self.cursor = page.next.clone();
            return Ok(Some(page));
        }
    }
}
