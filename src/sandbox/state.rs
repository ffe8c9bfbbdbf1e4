//! The sandbox's memory: the records of every emulated API, the OAuth tokens, the limits'
//! bookkeeping and the request counters. One lock per concern, never held across an await.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use serde::Serialize;

use super::config::SandboxConfig;
use super::faults::{SlidingWindow, SplitMix, TokenBucket};
use super::paging::Positions;
use super::seed;

/// Locks a mutex, going on with the data if another thread panicked while holding it (the
/// sandbox's data stays usable: every change is made in one step).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A Zoho Voice contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoiceContact {
    pub contact_id: u64,
    /// The string fields of the page's schema (first_name, mobile, ...), empty when unset.
    pub fields: BTreeMap<String, String>,
    /// The status (id, display value), if one was set.
    pub contact_status: Option<(String, String)>,
    /// Milliseconds since the epoch.
    pub created_time: u64,
}

/// A Zoho Books contact (the parent of contact persons); seeded, not created through the API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BooksContact {
    pub contact_id: u64,
    pub contact_name: String,
}

/// A Zoho Books contact person.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct BooksContactPerson {
    pub contact_id: u64,
    pub contact_person_id: u64,
    pub salutation: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub mobile: String,
    pub skype: String,
    pub designation: String,
    pub department: String,
    pub is_primary_contact: bool,
    pub is_added_in_portal: bool,
    pub is_sms_enabled: bool,
    pub is_whatsapp_enabled: bool,
}

/// A Zoom Contact Center address book; seeded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoomAddressBook {
    pub address_book_id: String,
    pub address_book_name: String,
}

/// A variable on a Zoom contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoomVariable {
    pub variable_id: String,
    pub variable_value: String,
}

/// A Zoom Contact Center address-book contact.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ZoomContact {
    pub contact_id: String,
    pub address_book_id: String,
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
    pub phone_numbers: Vec<String>,
    pub emails: Vec<String>,
    pub location: String,
    pub account_number: String,
    pub company: String,
    pub role: String,
    pub variables: Vec<ZoomVariable>,
}

/// Where a Zoom `next_page_token` resumes a listing.
#[derive(Debug, Clone)]
pub struct PageCursor {
    pub address_book_id: String,
    /// The creation sequence number after which the next page starts.
    pub after_seq: u64,
    pub issued: Instant,
}

/// The direction of an SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Direction {
    Outgoing,
    Incoming,
}

/// One SMS in the Zoho Voice log, sent through the API or received (seeded by the admin API).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmsMessage {
    pub logid: String,
    /// E.164, e.g. `+13239205839`.
    pub customer_number: String,
    /// The ISO country code in lowercase (`us`), from the calling code.
    pub country: String,
    pub message: String,
    pub sender_id: String,
    pub direction: Direction,
    /// `IN_QUEUE`, `SCHEDULED`, `DELIVERED`, ...
    pub status: String,
    pub submitted_time: u64,
    pub scheduled_time: Option<String>,
    pub time_zone: Option<String>,
    pub multipart_count: u32,
    pub is_mms: bool,
    pub mms_meta: Vec<serde_json::Value>,
}

/// Which API an access token was issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TokenKind {
    Zoho,
    Zoom,
}

/// A live access token.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub kind: TokenKind,
    pub expires_at: Instant,
    /// The scopes it was issued with.
    pub scopes: Vec<String>,
}

/// The OAuth servers' memory.
#[derive(Debug, Default)]
pub struct OAuthState {
    pub tokens: HashMap<String, TokenInfo>,
    /// Per Zoho refresh token, its live access tokens, oldest first.
    pub zoho_live: HashMap<String, VecDeque<String>>,
    /// Per Zoho refresh token, its recent token requests.
    pub zoho_requests: HashMap<String, SlidingWindow>,
    pub zoho_issued: u64,
    pub zoom_issued: u64,
    pub evicted: u64,
    /// The grant code, once it was exchanged (it works once).
    pub grant_code_used: bool,
    /// The refresh tokens issued for grant codes (besides the seeded one).
    pub refresh_tokens: std::collections::HashSet<String>,
    /// The access tokens issued, oldest first (the last [`OAuthState::KEPT`]), expired and
    /// evicted ones too: what a test searches a client's traces for.
    pub issued: VecDeque<String>,
}

impl OAuthState {
    /// How many issued tokens [`OAuthState::issued`] keeps.
    pub const KEPT: usize = 10_000;

    /// Notes a token just issued.
    pub fn note_issued(&mut self, token: &str) {
        if self.issued.len() >= OAuthState::KEPT {
            self.issued.pop_front();
        }
        self.issued.push_back(token.to_string());
    }
}

/// Every record the emulated APIs hold.
#[derive(Debug)]
pub struct Store {
    pub rng: SplitMix,
    pub voice: BTreeMap<u64, VoiceContact>,
    pub next_voice_id: u64,
    /// Where the last page of the contact list ended.
    pub voice_positions: Positions,
    pub books_contacts: BTreeMap<u64, BooksContact>,
    pub books_persons: BTreeMap<u64, BooksContactPerson>,
    pub next_person_id: u64,
    /// Where the last page of a contact's persons ended (the listing is the contact's id).
    pub books_positions: Positions,
    pub zoom_books: Vec<ZoomAddressBook>,
    /// By creation sequence number. Added and removed through [`Store::add_zoom_contact`] and
    /// [`Store::remove_zoom_contact`], which keep `zoom_book_sizes`.
    pub zoom_contacts: BTreeMap<u64, ZoomContact>,
    /// How many contacts each address book holds (a list page's `total_records`).
    pub zoom_book_sizes: HashMap<String, usize>,
    pub zoom_ids: HashMap<String, u64>,
    pub zoom_cursors: HashMap<String, PageCursor>,
    pub next_zoom_seq: u64,
    /// In arrival order.
    pub sms: Vec<SmsMessage>,
    /// The last log query's matches, newest first, so that reading its pages in turn does not
    /// filter and sort every message again for each page.
    pub sms_query: Option<LogMatches>,
    /// Changes to the Zoho Voice contacts so far (creates, updates, deletes): what the logs'
    /// cached customer names are checked against.
    pub voice_changes: u64,
    /// The logs' customer names by mobile, as of `voice_changes`.
    pub sms_names: Option<(u64, std::sync::Arc<HashMap<String, String>>)>,
    pub oauth: OAuthState,
}

/// The messages a log query matched (their indexes in [`Store::sms`], newest first), for the
/// query `key` over the first `len` messages.
#[derive(Debug, Clone, Default)]
pub struct LogMatches {
    pub key: String,
    pub len: usize,
    pub hits: Vec<usize>,
}

impl Store {
    /// The seeded state: the Books organization's contacts, the Zoom address book, no records.
    pub fn seeded(seed_value: u64) -> Self {
        Store {
            rng: SplitMix::new(seed_value ^ 0x5EED_0000_0000_0001),
            voice: BTreeMap::new(),
            next_voice_id: seed::VOICE_FIRST_CONTACT_ID,
            voice_positions: Positions::default(),
            books_contacts: seed::BOOKS_CONTACTS
                .iter()
                .map(|&(id, name)| {
                    (
                        id,
                        BooksContact {
                            contact_id: id,
                            contact_name: name.to_string(),
                        },
                    )
                })
                .collect(),
            books_persons: BTreeMap::new(),
            next_person_id: seed::BOOKS_FIRST_PERSON_ID,
            books_positions: Positions::default(),
            zoom_books: vec![ZoomAddressBook {
                address_book_id: seed::ZOOM_ADDRESS_BOOK_ID.to_string(),
                address_book_name: seed::ZOOM_ADDRESS_BOOK_NAME.to_string(),
            }],
            zoom_contacts: BTreeMap::new(),
            zoom_book_sizes: HashMap::new(),
            zoom_ids: HashMap::new(),
            zoom_cursors: HashMap::new(),
            next_zoom_seq: 1,
            sms: Vec::new(),
            sms_query: None,
            voice_changes: 0,
            sms_names: None,
            oauth: OAuthState::default(),
        }
    }

    /// Adds a Zoom contact under sequence number `seq`.
    pub fn add_zoom_contact(&mut self, seq: u64, contact: ZoomContact) {
        *self
            .zoom_book_sizes
            .entry(contact.address_book_id.clone())
            .or_default() += 1;
        let id = contact.contact_id.clone();
        self.zoom_ids.insert(id.clone(), seq);
        if let Some(old) = self.zoom_contacts.insert(seq, contact) {
            if old.contact_id != id {
                self.zoom_ids.remove(&old.contact_id);
            }
            self.forget_zoom_contact(&old);
        }
    }

    /// Removes the Zoom contact with sequence number `seq`, if there is one.
    pub fn remove_zoom_contact(&mut self, seq: u64) {
        if let Some(old) = self.zoom_contacts.remove(&seq) {
            self.zoom_ids.remove(&old.contact_id);
            self.forget_zoom_contact(&old);
        }
    }

    fn forget_zoom_contact(&mut self, old: &ZoomContact) {
        if let Some(n) = self.zoom_book_sizes.get_mut(&old.address_book_id) {
            *n = n.saturating_sub(1);
        }
    }
}

/// Requests counted by endpoint (`METHOD /path/{template}`) and HTTP status, and the faults
/// injected.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Stats {
    pub requests: BTreeMap<String, BTreeMap<u16, u64>>,
    pub injected_500: u64,
    pub ambiguous_502: u64,
    pub rate_limited_429: u64,
    /// Contact writes held by `write_delay_ms`, and those of them applied since (whether or
    /// not their client was still there for the answer).
    pub delayed_writes: u64,
    pub delayed_applied: u64,
    /// API requests (neither the token endpoints nor the admin surface), whatever their
    /// answer, by the Unix second they arrived in: the throughput the server saw.
    pub api_by_second: BTreeMap<u64, u64>,
}

impl Stats {
    pub fn record(&mut self, endpoint: &str, status: u16) {
        *self
            .requests
            .entry(endpoint.to_string())
            .or_default()
            .entry(status)
            .or_default() += 1;
    }

    /// Counts an API request that arrived at `unix_ms`.
    pub fn record_api_arrival(&mut self, unix_ms: u64) {
        *self.api_by_second.entry(unix_ms / 1000).or_default() += 1;
    }
}

/// Zoho Books' per-organization limits.
#[derive(Debug, Default)]
pub struct BooksLimits {
    pub per_minute: HashMap<String, SlidingWindow>,
    /// Per organization: (UTC day number, requests that day).
    pub daily: HashMap<String, (i64, u64)>,
    pub in_flight: HashMap<String, u32>,
}

/// Everything the request handlers share.
#[derive(Debug)]
pub struct Shared {
    pub config: Mutex<SandboxConfig>,
    pub store: Mutex<Store>,
    pub bucket: Mutex<Option<TokenBucket>>,
    /// The requests of the last second, for `rate_window_per_sec`.
    pub window: Mutex<super::faults::CountingWindow>,
    /// Where the configured lock-out has got to.
    pub lockout: Mutex<super::lockout::LockoutState>,
    pub books: Mutex<BooksLimits>,
    pub faults: Mutex<SplitMix>,
    pub stats: Mutex<Stats>,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
}

impl Shared {
    pub fn new(config: SandboxConfig, base_url: String) -> Self {
        let seed_value = config.seed;
        let bucket = config
            .rate_limit_per_sec
            .map(|r| TokenBucket::new(r, Instant::now()));
        Shared {
            config: Mutex::new(config),
            store: Mutex::new(Store::seeded(seed_value)),
            bucket: Mutex::new(bucket),
            window: Mutex::new(Default::default()),
            lockout: Mutex::new(Default::default()),
            books: Mutex::new(BooksLimits::default()),
            faults: Mutex::new(SplitMix::new(seed_value ^ 0xFA17_0000_0000_0002)),
            stats: Mutex::new(Stats::default()),
            base_url,
        }
    }

    /// A copy of the current configuration.
    pub fn config(&self) -> SandboxConfig {
        lock(&self.config).clone()
    }

    /// Replaces the configuration; a changed rate limit starts a fresh bucket.
    pub fn set_config(&self, new: SandboxConfig) {
        let mut c = lock(&self.config);
        if c.rate_limit_per_sec != new.rate_limit_per_sec {
            *lock(&self.bucket) = new
                .rate_limit_per_sec
                .map(|r| TokenBucket::new(r, Instant::now()));
        }
        if c.lockout != new.lockout {
            *lock(&self.lockout) = Default::default();
        }
        *c = new;
    }

    /// Back to the seeded state: records, tokens, limits, counters and the fault sequence.
    /// The configuration stays.
    pub fn reset(&self) {
        let c = self.config();
        *lock(&self.store) = Store::seeded(c.seed);
        *lock(&self.bucket) = c
            .rate_limit_per_sec
            .map(|r| TokenBucket::new(r, Instant::now()));
        let mut books = lock(&self.books);
        books.per_minute.clear();
        books.daily.clear();
        drop(books);
        *lock(&self.faults) = SplitMix::new(c.seed ^ 0xFA17_0000_0000_0002);
        *lock(&self.lockout) = Default::default();
        *lock(&self.stats) = Stats::default();
    }
}
