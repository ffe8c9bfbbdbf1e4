//! Targets: the contact APIs bulkline writes to, one module each behind one trait.
//!
//! A target knows its endpoints, its documented rate limit, how to list the records that exist
//! (for upsert, reconciliation and export), how to turn the canonical [`Contact`] into the
//! fields it stores (checking its own rules: required fields, maximum lengths), and how to
//! create, update and delete one record. It speaks through the shared [`HttpClient`], which
//! paces, retries and authenticates; a target only builds requests and reads answers.
//!
//! Records are compared as [`RecordFields`]: the target's own field names mapped to text, with
//! phones in E.164. `desired` gives what a contact should look like on the target, `list`
//! what is there; upsert sends nothing when the two agree on every field bulkline manages.

#[macro_use]
pub mod registry;

// The registry: every target, one name each, in the order `--help` lists them.
registry!(zoho_voice, zoho_books, zoom_cc);

pub mod packed;
pub use packed::PackedFields;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::contact::Contact;
use crate::flags::FlagSource;
use crate::http::{HttpClient, Outcome, Rate, Request};
use crate::phone;
use crate::reject::Rejection;

/// The fields bulkline manages on a record, by the target's own names. Empty values are left
/// out, so that "not given" and "empty" compare equal.
pub type RecordFields = BTreeMap<String, String>;

pub use registry::TargetKind;

/// A boxed future: the trait's async methods return one, so that targets are one type
/// behind `dyn Target`.
pub type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A target, built and shared between the tasks of a run.
pub type SharedTarget = Arc<dyn Target>;

/// A target and the client that reaches it: what a run that reads or writes it is given.
#[derive(Clone)]
pub struct Remote {
    pub target: SharedTarget,
    pub http: crate::http::HttpClient,
}

/// A daily cap on requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyQuota {
    /// Requests a day on the smallest plan.
    pub requests: u64,
    /// What the plans allow, in a sentence.
    pub plans: &'static str,
}

/// The destination options of every target, each once, in the registry's order: what the
/// command line offers beside `--to`.
pub struct DestinationOptions;

impl DestinationOptions {
    /// The options as a message lists them: `--a, --b`.
    pub fn listed() -> String {
        let options: Vec<String> = DestinationOptions::flags()
            .iter()
            .map(|f| format!("--{}", f.long))
            .collect();
        options.join(", ")
    }
}

impl crate::flags::FlagSource for DestinationOptions {
    fn flags() -> Vec<&'static crate::flags::Flag> {
        crate::flags::each_once(TARGETS.iter().flat_map(|t| t.descriptor().options))
    }
}

/// What a target is, before it is built: the registry ([`TARGETS`]) lists one per
/// target, and everything outside the target's module asks it instead of naming the target.
pub struct Descriptor {
    /// The name on the command line (`--to`, `--from`), in journals and summaries.
    pub name: &'static str,
    /// One line of help for `--to` and `--from`.
    pub about: &'static str,
    /// The API whose scopes the target needs.
    pub api: crate::scopes::Api,
    /// The sign-in service that hands out its tokens (one of [`crate::auth::SERVICES`]).
    pub oauth: &'static crate::auth::Service,
    /// Column names (normalized: letters and digits, lower case) that hold its record ids in
    /// the files it exports, beside the generic ones (`id`, `record_id`).
    pub id_headers: &'static [&'static str],
    /// What `check --write` needs to make its probe under a parent, when none is given.
    pub parent_hint: Option<&'static str>,
    /// Whether each row belongs to a parent record (Books: a contact person's contact): an
    /// import lists the records under the parents its rows name.
    pub parents: bool,
    /// The API's own error codes and what each means (a limit, a quota, a token to renew, a
    /// missing scope, a record already gone): the HTTP layer classifies answers by it, and
    /// undo counts a delete answered a "gone" code as already done.
    pub codes: crate::http::VendorCodes,
    /// The fields the API page documents, in its order: they lead an export's columns.
    pub export_columns: &'static [&'static str],
    /// Requests a day on the vendor's smallest plan, for a dry run's estimate (`None`: no
    /// daily cap).
    pub daily_quota: Option<DailyQuota>,
    /// The options that pick its destination (`--address-book-id`), built into the command
    /// line of every command that takes a target.
    pub options: &'static [crate::flags::Flag],
    /// Builds the target for a run.
    pub connect: fn(&Setup<'_>) -> crate::error::Result<Connected>,
}

impl Descriptor {
    /// A target named `name` (with one line of help) on `api`, built by `connect`: by
    /// default it signs in with the first service of the registry ([`crate::auth::DEFAULT`]),
    /// its records have no parent and it has no daily cap.
    pub const fn new(
        name: &'static str,
        about: &'static str,
        api: crate::scopes::Api,
        connect: fn(&Setup<'_>) -> crate::error::Result<Connected>,
    ) -> Descriptor {
        Descriptor {
            name,
            about,
            api,
            oauth: crate::auth::DEFAULT,
            parents: false,
            parent_hint: None,
            id_headers: &[],
            codes: crate::http::VendorCodes::NONE,
            export_columns: &[],
            daily_quota: None,
            options: &[],
            connect,
        }
    }

    /// Its tokens come from the sign-in service `service`.
    pub const fn signs_in_with(mut self, service: &'static crate::auth::Service) -> Descriptor {
        self.oauth = service;
        self
    }

    /// Each record belongs to a parent record.
    pub const fn with_parents(mut self, hint: &'static str) -> Descriptor {
        self.parents = true;
        self.parent_hint = Some(hint);
        self
    }

    /// The API's own error codes, with what each means.
    pub const fn codes(mut self, codes: crate::http::VendorCodes) -> Descriptor {
        self.codes = codes;
        self
    }

    /// Whether the table reads `code` as "the record does not exist" (a delete or a read of a
    /// record that is gone).
    pub fn is_gone(&self, code: Option<&str>) -> bool {
        self.codes.means(code, crate::http::Meaning::Gone)
    }

    /// The fields the API page documents, leading an export's columns.
    pub const fn export_columns(mut self, columns: &'static [&'static str]) -> Descriptor {
        self.export_columns = columns;
        self
    }

    /// Its record ids are also in columns named `headers` (normalized).
    pub const fn id_headers(mut self, headers: &'static [&'static str]) -> Descriptor {
        self.id_headers = headers;
        self
    }

    /// The options that pick its destination.
    pub const fn options(mut self, options: &'static [crate::flags::Flag]) -> Descriptor {
        self.options = options;
        self
    }

    /// The vendor's smallest plan allows `requests` a day; `plans` says what the plans allow.
    pub const fn daily_quota(mut self, requests: u64, plans: &'static str) -> Descriptor {
        self.daily_quota = Some(DailyQuota { requests, plans });
        self
    }
}

/// What a target is built from: the data centre, the credentials and the options that pick
/// the destination, the sandbox's defaults, and an earlier run's parameters (undo).
pub struct Setup<'a> {
    pub dc: crate::auth::DataCentre,
    /// `--base-url` (or the sandbox) replaces the documented host.
    pub base_override: bool,
    /// The run is against the built-in sandbox: its seeded destinations are the defaults.
    pub sandbox: bool,
    pub credentials: &'a crate::auth::Credentials,
    /// The values of the targets' destination options ([`Descriptor::options`]).
    pub options: &'a crate::flags::FlagValues,
    /// The target parameters of an earlier run (undo), which win over the options.
    pub known: Option<&'a BTreeMap<String, String>>,
}

impl Setup<'_> {
    /// The earlier run's parameter `name`, if any.
    pub fn known(&self, name: &str) -> Option<String> {
        self.known.and_then(|k| k.get(name).cloned())
    }
}

/// A target built for a run.
pub struct Connected {
    pub target: Box<dyn Target>,
    /// The documented API host (replaced by `--base-url` or the sandbox).
    pub base_url: String,
    /// What selects the remote data set: recorded in the journal header.
    pub params: Vec<(String, String)>,
    /// The parent for rows that name none (Books: `--books-contact-id`).
    pub default_parent: Option<String>,
}

/// A record as the target holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRecord {
    /// The target's id, always as text (list and create answers disagree on number vs string).
    pub id: String,
    /// The record's parent, where the target has one (a Books contact person's contact).
    pub parent: Option<String>,
    /// The managed fields, packed: a listing holds every record of the account.
    pub fields: PackedFields,
}

/// What a row says beyond the canonical contact, for targets that need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowExtras {
    /// The parent record (Books: the contact a contact person belongs to), from a
    /// `contact_id` column or `--books-contact-id`.
    pub parent: Option<String>,
    /// Zoho Voice's contact status as the file gives it: an id or a display value ("VIP").
    pub status: Option<String>,
    /// Books: make this person the contact's primary contact person.
    pub primary: bool,
}

impl RowExtras {
    /// What `contact` says beyond its fields: its parent, status and primary flag.
    pub fn of(contact: &Contact) -> RowExtras {
        let nonempty = |s: &str| Some(s.trim().to_string()).filter(|t| !t.is_empty());
        RowExtras {
            parent: nonempty(&contact.parent_id),
            status: nonempty(&contact.status),
            primary: contact.is_primary,
        }
    }
}

/// The result of one write (create, update or delete), after the HTTP layer's retries: done
/// with the record's id (for a create, the new id), or how it did not settle.
pub type Write = crate::executor::Settle<String>;

impl Write {
    /// Maps an HTTP outcome to a write result, reading the id with `id_of` from a success body.
    pub fn from_outcome(
        outcome: Outcome,
        id_of: impl FnOnce(&serde_json::Value) -> Option<String>,
    ) -> Write {
        Write::read(outcome, |value| match id_of(&value) {
            Some(id) => Write::Done(id),
            None => Write::Ambiguous {
                reason: "the answer holds no record id".into(),
                lost_at: None,
            },
        })
    }
}

/// Why listing the target's records failed: the run cannot plan without them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{target}: cannot list existing records: {message}")]
pub struct ListError {
    pub target: &'static str,
    pub message: String,
    /// The API's own code when it refused the listing for good (Books: the parent contact
    /// does not exist), as opposed to being unreachable or out of quota.
    pub refused: Option<String>,
    /// The account was refused (credentials, scope, data centre): [`Outcome::Denied`].
    pub denied: bool,
}

impl ListError {
    pub fn new(target: &'static str, message: impl Into<String>) -> ListError {
        ListError {
            target,
            message: message.into(),
            refused: None,
            denied: false,
        }
    }

    /// The account was refused: a configuration error.
    pub fn denied(mut self) -> ListError {
        self.denied = true;
        self
    }

    /// The error that stops the command: the account refused (exit 2), the destination
    /// refused for good (it does not exist: exit 2), or the API not reachable now (exit 4).
    pub fn into_error(self) -> crate::error::Error {
        use crate::error::Error;
        if self.denied {
            Error::Access(self.to_string())
        } else if self.refused.is_some() {
            Error::Usage(format!(
                "{self}. The destination does not exist or cannot be used: check {} or the organization",
                DestinationOptions::listed()
            ))
        } else {
            Error::Remote(self.to_string())
        }
    }

    /// The API refused the listing for good, with its code.
    pub fn refused(mut self, code: impl Into<String>) -> ListError {
        self.refused = Some(code.into());
        self
    }
}

/// Where a page of a listing starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// The first page.
    Start,
    /// Zoho Voice: the `from` index.
    Offset(usize),
    /// Zoho Books: the `page` number.
    Page(u64),
    /// Zoom: the `next_page_token`.
    Token(String),
}

/// One page of a listing, as the API gives it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// The records, as JSON objects.
    pub records: Vec<serde_json::Map<String, serde_json::Value>>,
    /// How many records the listing holds, when the API says.
    pub total: Option<u64>,
    /// Where the next page starts; `None` after the last.
    pub next: Option<Cursor>,
}

/// Text of a JSON string or number: ids come as either.
pub fn id_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The JSON body of a successful list answer of `target`, or why there is none.
pub fn list_json(target: &'static str, outcome: Outcome) -> Result<serde_json::Value, ListError> {
    let fail = |message: String| Err(ListError::new(target, message));
    match outcome {
        Outcome::Ok { body, .. } => serde_json::from_slice(&body)
            .map_err(|e| ListError::new(target, format!("the answer is not JSON: {e}"))),
        // A 4xx is the API's refusal for good (an address book that does not exist).
        Outcome::Permanent { code, message, .. } => {
            let refused = code.clone().unwrap_or_else(|| "remote_error".into());
            let message = match code {
                Some(c) => format!("{c}: {message}"),
                None => message,
            };
            Err(ListError::new(target, message).refused(refused))
        }
        Outcome::Ambiguous { reason, .. } | Outcome::NotApplied { reason } => fail(reason),
        Outcome::QuotaExhausted { message, .. } | Outcome::Unauthorized { message } => {
            fail(message)
        }
        Outcome::Denied { message } => Err(ListError::new(target, message).denied()),
    }
}

/// A contact API bulkline writes to.
pub trait Target: Send + Sync {
    /// What the target is (its name, API, OAuth service, ...).
    fn descriptor(&self) -> &'static Descriptor;

    /// The target's kind, for comparisons and the journal.
    fn kind(&self) -> TargetKind {
        TargetKind::of(self.descriptor())
    }

    /// The rate the vendor documents (or a conservative one when it documents none).
    fn default_rate(&self) -> Rate;

    /// Whether [`Target::default_rate`] is a published limit. When it is not, a run with no
    /// `--rate` starts there and raises the rate while the API answers without 429s.
    fn rate_is_published(&self) -> bool {
        true
    }

    /// The fields `contact` should have on the target. A rule of the target that the contact
    /// breaks (a required field missing, a value too long) rejects the row before any request
    /// is spent on it.
    fn desired(&self, contact: &Contact, extras: &RowExtras) -> Result<RecordFields, Rejection>;

    /// The request of one page of the records at `at`, as the API defines paging.
    fn page_request(&self, at: &At<'_>) -> Request;

    /// The page the answer to [`Target::page_request`] holds.
    fn read_page(&self, at: &At<'_>, answer: Outcome) -> Result<Page, ListError>;

    /// How long to leave between two pages of a listing (Zoom's list limit).
    fn page_spacing(&self) -> Option<std::time::Duration> {
        None
    }

    /// The field of a listed record that holds its id.
    fn id_field(&self) -> &'static str;

    /// The managed fields of a listed record, compared with [`Target::desired`].
    fn fields_of(&self, record: &serde_json::Map<String, serde_json::Value>) -> RecordFields;

    /// Every existing record, page by page. `parents` names the parents to list under, for
    /// targets whose records have one (Books); others ignore it.
    fn list<'a>(
        &'a self,
        http: &'a HttpClient,
        parents: &'a [String],
    ) -> Fut<'a, Result<Vec<RemoteRecord>, ListError>> {
        Box::pin(list(self, http, parents))
    }

    /// The parents an export lists under (`[None]` for a target without parents).
    fn export_parents(&self) -> crate::error::Result<Vec<Option<String>>> {
        Ok(vec![None])
    }

    /// The request that creates a record, or, for a row that cannot be written, the refusal.
    fn create_request(&self, fields: &RecordFields, extras: &RowExtras) -> Result<Request, Write>;

    /// A request to send once record `id` is created (Books: mark it the primary contact
    /// person), if the row calls for one.
    fn after_create(&self, id: &str, extras: &RowExtras) -> Option<Request> {
        let _ = (id, extras);
        None
    }

    /// The request of [`Target::after_create`] for record `id` failed with `outcome`: the
    /// record exists; the target keeps a warning ([`Target::warning_for`]).
    fn after_create_failed(&self, id: &str, outcome: &Outcome) {
        let _ = (id, outcome);
    }

    /// The id of the record a create answer holds.
    fn created_id(&self, answer: &serde_json::Value) -> Option<String>;

    /// The request that replaces the managed fields of record `id`, or the refusal.
    fn update_request(
        &self,
        id: &str,
        fields: &RecordFields,
        extras: &RowExtras,
    ) -> Result<Request, Write>;

    /// The request that deletes record `id` (used by `undo`).
    fn delete_request(&self, id: &str, parent: Option<&str>) -> Request;

    /// The request that reads record `id` (under `parent`) alone: the canary and
    /// `check --write` read back what they wrote.
    fn read_request(&self, id: &str, parent: Option<&str>) -> Request;

    /// The record an answer to [`Target::read_request`] holds, as the JSON object a listing
    /// gives (so that [`Target::fields_of`] reads it).
    fn record_in<'a>(
        &self,
        answer: &'a serde_json::Value,
    ) -> Option<&'a serde_json::Map<String, serde_json::Value>>;

    /// What the answer to an update or delete of record `id` says (by default: done when the
    /// answer is JSON).
    fn changed(&self, outcome: Outcome, id: &str) -> Write {
        Write::from_outcome(outcome, |_| Some(id.to_string()))
    }

    /// Creates a record (never retried blindly: an unknown outcome comes back `Ambiguous`).
    fn create<'a>(
        &'a self,
        http: &'a HttpClient,
        fields: &'a RecordFields,
        extras: &'a RowExtras,
    ) -> Fut<'a, Write> {
        Box::pin(create(self, http, fields, extras))
    }

    /// Replaces the managed fields of record `id`.
    fn update<'a>(
        &'a self,
        http: &'a HttpClient,
        id: &'a str,
        fields: &'a RecordFields,
        extras: &'a RowExtras,
    ) -> Fut<'a, Write> {
        Box::pin(async move {
            match self.update_request(id, fields, extras) {
                Ok(request) => self.changed(http.send(&request).await, id),
                Err(refused) => refused,
            }
        })
    }

    /// Deletes record `id` (used by `undo`).
    fn delete<'a>(
        &'a self,
        http: &'a HttpClient,
        id: &'a str,
        parent: Option<&'a str>,
    ) -> Fut<'a, Write> {
        Box::pin(async move {
            let request = self.delete_request(id, parent);
            self.changed(http.send(&request).await, id)
        })
    }

    /// One cheap read that needs the target's read scope and, when the run names one, touches
    /// its destination (Zoom's address book, the Books contact of `--books-contact-id`): the
    /// pre-flight ([`crate::preflight`]) sends it before anything else, so that refused
    /// credentials, a missing scope, the wrong data centre or a destination that does not
    /// exist are found with one request.
    fn probe(&self) -> crate::http::Request;

    /// Takes what the pre-flight's answer tells (Zoho Voice: the account's contact statuses).
    fn read_probe(&mut self, body: &[u8]) -> Result<(), ListError> {
        let _ = body;
        Ok(())
    }

    /// RecordFields compared only when the row gives them: absent from the desired fields means
    /// "leave as it is", not "empty" (Zoho Voice's contact status when the file has none).
    fn optional_fields(&self) -> &'static [&'static str] {
        &[]
    }

    /// A warning about the write of record `id` that was reported done (Books: created, but
    /// not marked as the primary contact person), taken once.
    fn warning_for(&self, id: &str) -> Option<String> {
        let _ = id;
        None
    }
}

/// Where a page of a listing starts: under which parent (for targets whose records have one),
/// from which cursor.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub parent: Option<&'a str>,
    pub cursor: &'a Cursor,
}

/// One page of the records of `target` at `at`.
pub async fn page<T: Target + ?Sized>(
    target: &T,
    http: &HttpClient,
    at: &At<'_>,
) -> Result<Page, ListError> {
    let answer = http.send(&target.page_request(at)).await;
    target.read_page(at, answer)
}

/// Creates a record of `target`: its request, sent once (a create is not idempotent).
pub async fn create<T: Target + ?Sized>(
    target: &T,
    http: &HttpClient,
    fields: &RecordFields,
    extras: &RowExtras,
) -> Write {
    let request = match target.create_request(fields, extras) {
        Ok(request) => request.idempotent(false),
        Err(refused) => return refused,
    };
    let write = Write::from_outcome(http.send(&request).await, |v| target.created_id(v));
    if let Write::Done(id) = &write
        && let Some(next) = target.after_create(id, extras)
    {
        let outcome = http.send(&next).await;
        if !outcome.is_ok() {
            target.after_create_failed(id, &outcome);
        }
    }
    write
}

/// The managed fields of record `id` of `target` (under `parent`) as the target holds them
/// now, read alone; `None` when the target says it is not there.
pub async fn read<T: Target + ?Sized>(
    target: &T,
    http: &HttpClient,
    id: &str,
    parent: Option<&str>,
) -> Result<Option<RecordFields>, ListError> {
    let name = target.descriptor().name;
    let outcome = http.send(&target.read_request(id, parent)).await;
    if let Outcome::Permanent { status, code, .. } = &outcome
        && (*status == 404 || target.descriptor().is_gone(code.as_deref()))
    {
        return Ok(None);
    }
    let body = list_json(name, outcome)?;
    match target.record_in(&body) {
        Some(record) => Ok(Some(target.fields_of(record))),
        None => Err(ListError::new(
            name,
            format!("the answer to a read of record {id} holds no record"),
        )),
    }
}

/// Every record of `target` under `parents` (or all, for a target without parents), page by
/// page, spacing pages as the target asks.
pub async fn list<T: Target + ?Sized>(
    target: &T,
    http: &HttpClient,
    parents: &[String],
) -> Result<Vec<RemoteRecord>, ListError> {
    let name = target.descriptor().name;
    let parents: Vec<Option<&str>> = match target.descriptor().parents {
        true => parents.iter().map(|p| Some(p.trim())).collect(),
        false => vec![None],
    };
    let mut records = Vec::new();
    let mut last_page: Option<tokio::time::Instant> = None;
    for parent in parents {
        let mut cursor = Cursor::Start;
        loop {
            if let (Some(t), Some(gap)) = (last_page, target.page_spacing()) {
                tokio::time::sleep_until(t + gap).await;
            }
            last_page = Some(tokio::time::Instant::now());
            let at = At {
                parent,
                cursor: &cursor,
            };
            let page = page(target, http, &at).await?;
            for record in &page.records {
                let Some(id) = record.get(target.id_field()).and_then(id_text) else {
                    let at = parent.map(|p| format!("contact {p}: ")).unwrap_or_default();
                    return Err(ListError::new(
                        name,
                        format!("{at}a listed record has no {}", target.id_field()),
                    ));
                };
                records.push(RemoteRecord {
                    id,
                    parent: parent.map(str::to_string),
                    fields: PackedFields::new(&target.fields_of(record)),
                });
            }
            match page.next {
                Some(next) => cursor = next,
                None => break,
            }
        }
    }
    Ok(records)
}

/// One field that differs between what a row wants and what the target holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub field: String,
    pub remote: Option<String>,
    pub desired: Option<String>,
}

/// The fields where `remote` differs from `desired`, in field order; empty when an update
/// would change nothing.
pub fn differences<T: Target + ?Sized>(
    target: &T,
    desired: &RecordFields,
    remote: &RecordFields,
) -> Vec<Difference> {
    let optional = target.optional_fields();
    let mut names: Vec<&String> = desired.keys().chain(remote.keys()).collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter(|n| desired.contains_key(*n) || !optional.contains(&n.as_str()))
        .filter_map(|n| {
            let (d, r) = (desired.get(n), remote.get(n));
            (d != r).then(|| Difference {
                field: n.clone(),
                remote: r.cloned(),
                desired: d.cloned(),
            })
        })
        .collect()
}

/// Puts `value` in `fields` under `name` when it is not empty.
pub fn put(fields: &mut RecordFields, name: &str, value: &str) {
    let value = value.trim();
    if !value.is_empty() {
        fields.insert(name.to_string(), value.to_string());
    }
}

/// A phone as a target stores it, in E.164 when it can be read as an international number
/// (targets may store "+1-405-443-9562"), else as given: what matching compares.
pub fn phone_e164(text: &str) -> String {
    match phone::normalize(text, None) {
        Ok(n) => n.e164,
        Err(_) => text.trim().to_string(),
    }
}

/// A checked maximum length, in characters: the Books page documents one per field.
pub fn check_len(
    fields: &RecordFields,
    name: &str,
    max: usize,
    column: &str,
) -> Result<(), Rejection> {
    match fields.get(name) {
        Some(v) if v.chars().count() > max => Err(Rejection::new(
            crate::reject::Stage::Validate,
            column,
            crate::reject::Code::TooLong,
            format!(
                "{name} is {} characters long; the target allows {max}",
                v.chars().count()
            ),
        )),
        _ => Ok(()),
    }
}

/// Test fields from `(name, value)` pairs.
#[cfg(test)]
pub(crate) fn test_fields(pairs: &[(&str, &str)]) -> RecordFields {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A phone of a test contact.
#[cfg(test)]
pub(crate) fn test_phone(e164: &str, label: crate::contact::PhoneLabel) -> crate::contact::Phone {
    crate::contact::Phone {
        e164: e164.into(),
        label,
        extension: None,
        is_mobile: None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_deleted_books_person_is_gone_by_either_code() {
        use crate::http::Meaning::Gone;
        let books = super::zoho_books::DESCRIPTOR.codes;
        assert!(books.means(Some("1003"), Gone));
        assert!(books.means(Some("1002"), Gone));
        assert!(!books.means(Some("1001"), Gone));
        assert!(!books.means(None, Gone));
        assert!(super::zoom_cc::DESCRIPTOR.codes.means(Some("2101"), Gone));
        assert!(super::zoho_voice::DESCRIPTOR.codes.means(Some("404"), Gone));
    }

    #[test]
    fn every_target_reads_its_own_token_and_scope_codes() {
        use crate::http::Meaning;
        for t in TARGETS {
            let codes: Vec<_> = t.descriptor().codes.all().collect();
            for meaning in [Meaning::InvalidToken, Meaning::MissingScope, Meaning::Gone] {
                assert!(
                    codes.iter().any(|c| c.meaning == meaning),
                    "{}: no code for {meaning:?}",
                    t.as_str()
                );
            }
            for c in codes {
                assert!(
                    !c.text.trim().is_empty(),
                    "{}: {} has no text",
                    t.as_str(),
                    c.code
                );
            }
        }
    }

    use super::*;

    #[test]
    fn write_results_from_outcomes() {
        let ok = Outcome::Ok {
            status: 200,
            body: br#"{"contacts":{"contact_id":315000153768793}}"#.to_vec(),
        };
        let w = Write::from_outcome(ok, |v| {
            v["contacts"]["contact_id"].as_u64().map(|n| n.to_string())
        });
        assert_eq!(w, Write::Done("315000153768793".into()));
        let no_id = Outcome::Ok {
            status: 200,
            body: b"{}".to_vec(),
        };
        assert!(matches!(
            Write::from_outcome(no_id, |_| None),
            Write::Ambiguous { .. }
        ));
        let quota = Outcome::QuotaExhausted {
            retry_after: Some(std::time::Duration::from_secs(60)),
            message: "daily quota".into(),
        };
        assert_eq!(
            Write::from_outcome(quota, |_| None),
            Write::Stop {
                message: "daily quota (resume in 60 s)".into(),
                denied: false,
            }
        );
        let denied = Outcome::Denied {
            message: "no scope".into(),
        };
        assert_eq!(
            Write::from_outcome(denied, |_| None),
            Write::Stop {
                message: "no scope".into(),
                denied: true,
            }
        );
    }

    #[test]
    fn differences_skip_optional_fields_the_row_does_not_give() {
        let voice = zoho_voice::ZohoVoice::new();
        let mut desired = RecordFields::new();
        put(&mut desired, "first_name", "Ann");
        put(&mut desired, "mobile", "+447400123456");
        let mut remote = desired.clone();
        put(&mut remote, "contact_status", "1000000000031");
        assert!(differences(&voice, &desired, &remote).is_empty());
        put(&mut remote, "company", "Acme");
        put(&mut desired, "mobile", "+447400123457");
        let diff = differences(&voice, &desired, &remote);
        assert_eq!(
            diff,
            vec![
                Difference {
                    field: "company".into(),
                    remote: Some("Acme".into()),
                    desired: None
                },
                Difference {
                    field: "mobile".into(),
                    remote: Some("+447400123456".into()),
                    desired: Some("+447400123457".into())
                },
            ]
        );
    }

    #[test]
    fn phones_compare_in_e164() {
        assert_eq!(phone_e164("+1-405-443-9562"), "+14054439562");
        assert_eq!(phone_e164("not a phone"), "not a phone");
    }

    #[test]
    fn lengths_are_checked_in_characters() {
        let mut f = RecordFields::new();
        put(&mut f, "first_name", "Zoë");
        put(&mut f, "last_name", "  ");
        assert!(!f.contains_key("last_name"));
        assert!(check_len(&f, "first_name", 3, "First Name").is_ok());
        let err = check_len(&f, "first_name", 2, "First Name").unwrap_err();
        assert_eq!(err.code, crate::reject::Code::TooLong);
    }
}
