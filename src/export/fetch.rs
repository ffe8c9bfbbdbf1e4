//! Where an export reads from, one page at a time, exactly as each API page defines its
//! pagination: Zoho Voice `from`/`size` (50) with `totalCount`, Zoho Books `page`/`per_page`
//! per contact until `has_more_page` is false, Zoom `next_page_token` (pages spaced for its
//! "Medium" list limit), and the SMS logs `from`/`size` over a date range.

use serde_json::Value;

use crate::http::HttpClient;
use crate::target::zoho_books::ZohoBooks;
use crate::target::zoho_sms::{LogQuery, logs_page};
use crate::target::zoom_cc::{LIST_PAGE_SPACING, ZoomCc};
use crate::target::{Cursor, Page, zoho_voice};

/// What `export --from` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
pub enum ExportFrom {
    /// Zoho Voice contacts.
    #[value(name = "zoho-voice")]
    #[serde(rename = "zoho-voice")]
    ZohoVoice,
    /// Zoho Books contact persons.
    #[value(name = "zoho-books")]
    #[serde(rename = "zoho-books")]
    ZohoBooks,
    /// Zoom Contact Center address-book contacts.
    #[value(name = "zoom-cc")]
    #[serde(rename = "zoom-cc")]
    ZoomCc,
    /// The Zoho Voice SMS logs.
    #[value(name = "zoho-sms-logs")]
    #[serde(rename = "zoho-sms-logs")]
    ZohoSmsLogs,
}

impl ExportFrom {
    /// The fields each API page documents, in its order: they lead the columns.
    pub fn documented(self) -> &'static [&'static str] {
        match self {
            ExportFrom::ZohoVoice => &[
                "contact_id",
                "first_name",
                "last_name",
                "email",
                "mobile",
                "phone",
                "company",
                "address",
                "state",
                "country",
                "contact_owner.display_value",
                "contact_owner.id",
                "contact_status.display_value",
                "contact_status.id",
                "is_favourite",
                "is_spam",
            ],
            ExportFrom::ZohoBooks => &[
                "contact_id",
                "contact_person_id",
                "salutation",
                "first_name",
                "last_name",
                "email",
                "phone",
                "mobile",
                "is_primary_contact",
                "skype",
                "designation",
                "department",
                "is_added_in_portal",
                "communication_preference.is_sms_enabled",
                "communication_preference.is_whatsapp_enabled",
            ],
            ExportFrom::ZoomCc => &[
                "contact_id",
                "display_name",
                "first_name",
                "last_name",
                "phone_numbers",
                "emails",
                "location",
                "account_number",
                "company",
                "role",
                "address_book_id",
                "address_book_name",
            ],
            ExportFrom::ZohoSmsLogs => &[
                "logid",
                "messageType",
                "customerNumber",
                "customerName",
                "message",
                "status",
                "statusDescription",
                "sentTime",
                "submittedTime",
                "country",
                "multipartCount",
                "senderId",
                "senderIdName",
                "senderIdCountry",
                "userName",
                "emailId",
                "isMMS",
                "isBlocked",
                "isLongCode",
                "zuid",
                "zsoid",
            ],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFrom::ZohoVoice => "zoho-voice",
            ExportFrom::ZohoBooks => "zoho-books",
            ExportFrom::ZoomCc => "zoom-cc",
            ExportFrom::ZohoSmsLogs => "zoho-sms-logs",
        }
    }
}

/// The API-specific state of a listing.
pub enum Listing {
    Voice,
    /// The contacts whose persons are exported, and the one being read.
    Books {
        target: ZohoBooks,
        parents: Vec<String>,
        at: usize,
    },
    Zoom(ZoomCc),
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
                // Books: the next contact, if any.
                if let Listing::Books { parents, at, .. } = &mut self.listing
                    && *at + 1 < parents.len()
                {
                    *at += 1;
                    self.cursor = Some(Cursor::Start);
                    continue;
                }
                return Ok(None);
            };
            let page = match &self.listing {
                Listing::Voice => zoho_voice::page(http, &cursor)
                    .await
                    .map_err(|e| e.to_string())?,
                Listing::Books {
                    target,
                    parents,
                    at,
                } => {
                    let Some(parent) = parents.get(*at) else {
                        return Ok(None);
                    };
                    let mut page = target
                        .page(http, parent, &cursor)
                        .await
                        .map_err(|e| e.to_string())?;
                    // Every person names its contact, whether the API says it or not.
                    for p in &mut page.records {
                        p.entry("contact_id")
                            .or_insert_with(|| Value::String(parent.clone()));
                    }
                    page
                }
                Listing::Zoom(zoom) => {
                    if let Some(t) = self.last_page {
                        tokio::time::sleep_until(t + LIST_PAGE_SPACING).await;
                    }
                    self.last_page = Some(tokio::time::Instant::now());
                    zoom.page(http, &cursor).await.map_err(|e| e.to_string())?
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
