//! Zoho Books contact persons (`/books/v3/contacts/...`), always with `organization_id` in the
//! query string. Success answers carry `"code": 0`; errors `{"code": N, "message": ...}`.
//! A token without the operation's scope (the page's "OAuth Scope" of each call, mark as
//! primary's included: CREATE) is answered HTTP 401 code 57, as public clients meet it.
//!
//! Where the page is silent (codes, statuses), what this module does is listed in
//! `choices.rs` ([`super::choices::all`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::StoredRecord;
use super::choices::Choice;
use super::config::SandboxConfig;
use super::emulator::{
    Admitted, Behaviour, BulkRecord, Carried, Ctx, Emulator, Endpoint, Placed, Routes, Sets,
    Setting, parse,
};
use super::faults::SlidingWindow;
use super::paging::Positions;
use super::seed;
use super::state::{Shared, Store, lock};
use super::wire::{self, CodedError, Req, json};
use crate::flags::Flag;
use crate::scopes::{Access, Need};

/// Zoho Books' seeded organization and contacts.
pub mod seeded {
    /// The Zoho Books organization.
    pub const BOOKS_ORGANIZATION_ID: &str = "10234695";
    /// The Zoho Books contacts (parents of contact persons): id and name.
    pub const BOOKS_CONTACTS: [(u64, &str); 3] = [
        (460000000026049, "Bowman Furniture"),
        (460000000026050, "Zylker Traders"),
        (460000000026055, "Sandbox Sample Co"),
    ];
    /// The first contact person id handed out.
    pub const BOOKS_FIRST_PERSON_ID: u64 = 460000000030001;
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

/// The organization's contacts and contact persons: the emulator's room of the store.
#[derive(Debug)]
pub struct Books {
    pub books_contacts: BTreeMap<u64, BooksContact>,
    pub books_persons: BTreeMap<u64, BooksContactPerson>,
    pub next_person_id: u64,
    /// Where the last page of a contact's persons ended (the listing is the contact's id).
    pub books_positions: Positions,
}

impl Default for Books {
    /// The seeded contacts, no contact persons.
    fn default() -> Self {
        Books {
            books_contacts: seed::BOOKS_CONTACTS
                .iter()
                .map(|&(id, name)| {
                    let contact = BooksContact {
                        contact_id: id,
                        contact_name: name.to_string(),
                    };
                    (id, contact)
                })
                .collect(),
            books_persons: BTreeMap::new(),
            next_person_id: seed::BOOKS_FIRST_PERSON_ID,
            books_positions: Positions::default(),
        }
    }
}

/// Zoho Books' per-organization limits: the emulator's room of the limits.
#[derive(Debug, Default)]
struct BooksLimits {
    per_minute: HashMap<String, SlidingWindow>,
    /// Per organization: (UTC day number, requests that day).
    daily: HashMap<String, (i64, u64)>,
    in_flight: HashMap<String, u32>,
}

/// Error code: a field is missing, too long or of the wrong type.
pub const CODE_INVALID: i64 = 4;
/// Error code: the parent contact does not exist.
pub const CODE_NO_CONTACT: i64 = 1002;
/// Error code: the contact person does not exist (sandbox's choice of number).
pub const CODE_NO_PERSON: i64 = 1003;
/// Error code: the organization is missing or unknown.
pub const CODE_NO_ORG: i64 = 6041;
/// Error code: too many requests in a minute.
pub const CODE_PER_MINUTE: i64 = 44;
/// Error code: the daily request quota is used up.
pub const CODE_DAILY: i64 = 45;
/// Error code: too many requests in flight at once.
pub const CODE_CONCURRENT: i64 = 1070;
/// Error code: the token lacks the operation's scope (HTTP 401).
pub const CODE_NOT_AUTHORIZED: i64 = 57;

/// The text fields of a contact person and their maximum lengths (from the page).
const TEXT_FIELDS: [(&str, usize); 9] = [
    ("salutation", 25),
    ("first_name", 100),
    ("last_name", 100),
    ("email", 100),
    ("phone", 50),
    ("mobile", 50),
    ("skype", 50),
    ("designation", 50),
    ("department", 50),
];

/// The Zoho Books contact-person endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BooksRoute {
    /// `GET /books/v3/contacts`: the organization's contacts (Books' "List contacts").
    Contacts,
    Create,
    Update(String),
    Delete(String),
    Primary(String),
    List(String),
    Get(String, String),
}

impl Routes for BooksRoute {
    /// The route of `method` on the segments after `/books/v3/contacts`.
    fn parse(method: &Method, rest: &[&str]) -> Option<BooksRoute> {
        match (method.as_str(), rest) {
            ("GET", []) => Some(BooksRoute::Contacts),
            ("POST", ["contactpersons"]) => Some(BooksRoute::Create),
            ("PUT", ["contactpersons", id]) => Some(BooksRoute::Update(id.to_string())),
            ("DELETE", ["contactpersons", id]) => Some(BooksRoute::Delete(id.to_string())),
            ("POST", ["contactpersons", id, "primary"]) => {
                Some(BooksRoute::Primary(id.to_string()))
            }
            ("GET", [cid, "contactpersons"]) => Some(BooksRoute::List(cid.to_string())),
            ("GET", [cid, "contactpersons", id]) => {
                Some(BooksRoute::Get(cid.to_string(), id.to_string()))
            }
            _ => None,
        }
    }
}

/// Zoho Books' error shape.
pub fn error(status: StatusCode, code: i64, message: &str) -> Response {
    CodedError::new(status, code, message).into_response()
}

/// Books' answer to a token without the scope of the operation: HTTP 401, code 57.
pub fn not_authorized() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        CODE_NOT_AUTHORIZED,
        "You are not authorized to perform this operation",
    )
}

fn invalid(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, CODE_INVALID, message)
}

fn no_contact() -> Response {
    error(
        StatusCode::NOT_FOUND,
        CODE_NO_CONTACT,
        "Contact does not exist.",
    )
}

fn no_person() -> Response {
    error(
        StatusCode::NOT_FOUND,
        CODE_NO_PERSON,
        "The contact person does not exist.",
    )
}

/// The id of an existing contact person, from the path.
fn person_id(store: &Books, id: &str) -> Option<u64> {
    id.parse::<u64>()
        .ok()
        .filter(|i| store.books_persons.contains_key(i))
}

/// The id of an existing contact, from the path.
fn path_contact_id(store: &Books, cid: &str) -> Option<u64> {
    cid.parse::<u64>()
        .ok()
        .filter(|c| store.books_contacts.contains_key(c))
}

/// Answers one Zoho Books request.
pub fn handle(store: &mut Books, route: &BooksRoute, req: &Req) -> Response {
    if req.query("organization_id") != Some(seed::BOOKS_ORGANIZATION_ID) {
        return error(
            StatusCode::BAD_REQUEST,
            CODE_NO_ORG,
            "This organization does not exist or the organization_id is missing.",
        );
    }
    match route {
        BooksRoute::Create => create(store, req),
        BooksRoute::Update(id) => update(store, id, req),
        BooksRoute::Delete(id) => {
            match id
                .parse::<u64>()
                .ok()
                .and_then(|i| store.books_persons.remove(&i))
            {
                Some(_) => {
                    store.books_positions.forget();
                    json(
                        StatusCode::OK,
                        json!({"code": 0, "message": "The contact person has been deleted."}),
                    )
                }
                None => no_person(),
            }
        }
        BooksRoute::Primary(id) => {
            let Some(pid) = person_id(store, id) else {
                return no_person();
            };
            make_primary(store, pid);
            json(
                StatusCode::OK,
                json!({"code": 0, "message": "This contact person has been marked as your primary contact person."}),
            )
        }
        BooksRoute::List(cid) => list(store, cid, req),
        BooksRoute::Contacts => contacts(store, req),
        BooksRoute::Get(cid, id) => {
            let Some(cid) = path_contact_id(store, cid) else {
                return no_contact();
            };
            match id
                .parse::<u64>()
                .ok()
                .and_then(|i| store.books_persons.get(&i))
            {
                Some(p) if p.contact_id == cid => json(
                    StatusCode::OK,
                    json!({"code": 0, "message": "success", "contact_person": person_json(p, true)}),
                ),
                _ => no_person(),
            }
        }
    }
}

/// The body of a create or an update, and its existing contact's id.
fn body_and_contact(store: &Books, req: &Req) -> Result<(Map<String, Value>, u64), CodedError> {
    let body = body_object(req)?;
    let cid = contact_id(store, &body)?;
    Ok((body, cid))
}

/// The answer to a create or an update: the contact person `pid`, with `message`.
fn person_answer(store: &Books, pid: u64, status: StatusCode, message: &str) -> Response {
    let Some(p) = store.books_persons.get(&pid) else {
        return no_person();
    };
    json(
        status,
        json!({
            "code": 0,
            "message": message,
            "contact_person": [person_json(p, true)],
        }),
    )
}

fn create(store: &mut Books, req: &Req) -> Response {
    let (body, cid) = match body_and_contact(store, req) {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let mut p = BooksContactPerson {
        contact_id: cid,
        ..Default::default()
    };
    if let Err(m) = apply(&mut p, &body, true) {
        return invalid(&m);
    }
    let pid = store.next_person_id;
    store.next_person_id += 1;
    p.contact_person_id = pid;
    let first_of_contact = !store.books_persons.values().any(|o| o.contact_id == cid);
    let wants_primary = body.get("is_primary_contact") == Some(&Value::Bool(true));
    store.books_persons.insert(pid, p);
    if first_of_contact || wants_primary {
        make_primary(store, pid);
    }
    let message = "The contactperson has been Created";
    person_answer(store, pid, StatusCode::CREATED, message)
}

fn update(store: &mut Books, id: &str, req: &Req) -> Response {
    let (body, cid) = match body_and_contact(store, req) {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let Some(pid) = person_id(store, id) else {
        return no_person();
    };
    let Some(p) = store.books_persons.get_mut(&pid) else {
        return no_person();
    };
    if p.contact_id != cid {
        return invalid("The contact person does not belong to this contact_id.");
    }
    // Checked on a copy: a refused update changes nothing.
    let mut updated = p.clone();
    if let Err(m) = apply(&mut updated, &body, true) {
        return invalid(&m);
    }
    *p = updated;
    if body.get("is_primary_contact") == Some(&Value::Bool(true)) {
        make_primary(store, pid);
    }
    let message = "The contactperson details has been updated.";
    person_answer(store, pid, StatusCode::OK, message)
}

/// `page` and `per_page` (Books: 1 and 200 by default, at most 200), or the message of the
/// answer to bad ones.
fn paging(req: &Req) -> Result<(usize, usize), &'static str> {
    let page = match req.query("page").map(str::parse::<usize>) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n,
        Some(_) => return Err("Invalid value passed for page"),
    };
    let per_page = match req.query("per_page").map(str::parse::<usize>) {
        None => 200,
        Some(Ok(n)) if (1..=200).contains(&n) => n,
        Some(_) => return Err("Invalid value passed for per_page"),
    };
    Ok((page, per_page))
}

/// `GET /books/v3/contacts`: the contacts (id and name), paged like the contact persons.
fn contacts(store: &Books, req: &Req) -> Response {
    let (page, per_page) = match paging(req) {
        Ok(p) => p,
        Err(message) => return invalid(message),
    };
    let start = (page - 1).saturating_mul(per_page);
    let items: Vec<Value> = store
        .books_contacts
        .values()
        .skip(start)
        .take(per_page)
        .map(|c| json!({"contact_id": c.contact_id.to_string(), "contact_name": c.contact_name}))
        .collect();
    let has_more = store.books_contacts.len() > start.saturating_add(per_page);
    json(
        StatusCode::OK,
        json!({
            "code": 0,
            "message": "success",
            "contacts": items,
            "page_context": {"page": page, "per_page": per_page, "has_more_page": has_more},
        }),
    )
}

fn list(store: &mut Books, cid: &str, req: &Req) -> Response {
    let Some(cid) = path_contact_id(store, cid) else {
        return no_contact();
    };
    let (page, per_page) = match paging(req) {
        Ok(p) => p,
        Err(message) => return invalid(message),
    };
    let start = (page - 1).saturating_mul(per_page);
    let ids = persons_page(store, cid, start, per_page);
    let has_more = ids.len() > per_page;
    let items: Vec<Value> = ids
        .iter()
        .take(per_page)
        .filter_map(|id| store.books_persons.get(id))
        .map(|p| person_json(p, false))
        .collect();
    json(
        StatusCode::OK,
        json!({
            "code": 0,
            "message": "success",
            "contact_persons": items,
            "page_context": {
                "page": page,
                "per_page": per_page,
                "has_more_page": has_more,
                "sort_column": "contact_person_id",
                "sort_order": "A",
            },
        }),
    )
}

/// The ids of contact `cid`'s persons at positions `start..=start + size` among its persons
/// in id order: a page and one more, which tells whether more follow.
fn persons_page(store: &mut Books, cid: u64, start: usize, size: usize) -> Vec<u64> {
    let of_contact = |p: &BooksContactPerson| p.contact_id == cid;
    store
        .books_positions
        .page(&store.books_persons, cid, of_contact, start, size)
}

fn make_primary(store: &mut Books, pid: u64) {
    let Some(cid) = store.books_persons.get(&pid).map(|p| p.contact_id) else {
        return;
    };
    for p in store.books_persons.values_mut() {
        if p.contact_id == cid {
            p.is_primary_contact = p.contact_person_id == pid;
        }
    }
}

fn body_object(req: &Req) -> Result<Map<String, Value>, CodedError> {
    match req.json() {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(CodedError::new(
            StatusCode::BAD_REQUEST,
            CODE_INVALID,
            "Invalid value passed for JSONString",
        )),
    }
}

/// The body's `contact_id` (a number or a numeric string) of an existing contact.
fn contact_id(store: &Books, body: &Map<String, Value>) -> Result<u64, CodedError> {
    let id = match body.get("contact_id") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let Some(id) = id else {
        return Err(CodedError::new(
            StatusCode::BAD_REQUEST,
            CODE_INVALID,
            "Invalid value passed for contact_id",
        ));
    };
    if !store.books_contacts.contains_key(&id) {
        return Err(CodedError::new(
            StatusCode::NOT_FOUND,
            CODE_NO_CONTACT,
            "Contact does not exist.",
        ));
    }
    Ok(id)
}

/// Sets the body's fields on `p`, checking types, the required first name and maximum lengths.
fn apply(
    p: &mut BooksContactPerson,
    body: &Map<String, Value>,
    require_first: bool,
) -> Result<(), String> {
    for (field, max) in TEXT_FIELDS {
        let Some(v) = body.get(field) else { continue };
        let s = match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            _ => return Err(format!("Invalid value passed for {field}")),
        };
        if s.chars().count() > max {
            return Err(format!(
                "Invalid value passed for {field}: it can have at most {max} characters."
            ));
        }
        let slot = match field {
            "salutation" => &mut p.salutation,
            "first_name" => &mut p.first_name,
            "last_name" => &mut p.last_name,
            "email" => &mut p.email,
            "phone" => &mut p.phone,
            "mobile" => &mut p.mobile,
            "skype" => &mut p.skype,
            "designation" => &mut p.designation,
            _ => &mut p.department,
        };
        *slot = s;
    }
    if require_first && p.first_name.trim().is_empty() {
        return Err("first_name is required: please enter the first name.".to_string());
    }
    if !p.email.is_empty() && !super::checks::is_email(&p.email) {
        return Err("Invalid value passed for email".to_string());
    }
    match body.get("enable_portal") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => p.is_added_in_portal = *b,
        Some(_) => return Err("Invalid value passed for enable_portal".to_string()),
    }
    match body.get("is_primary_contact") {
        None | Some(Value::Null) | Some(Value::Bool(_)) => {}
        Some(_) => return Err("Invalid value passed for is_primary_contact".to_string()),
    }
    match body.get("communication_preference") {
        None | Some(Value::Null) => {}
        Some(Value::Object(cp)) => {
            for (k, slot) in [
                ("is_sms_enabled", &mut p.is_sms_enabled),
                ("is_whatsapp_enabled", &mut p.is_whatsapp_enabled),
            ] {
                match cp.get(k) {
                    None => {}
                    Some(Value::Bool(b)) => *slot = *b,
                    Some(_) => return Err(format!("Invalid value passed for {k}")),
                }
            }
        }
        Some(_) => return Err("Invalid value passed for communication_preference".to_string()),
    }
    Ok(())
}

/// A contact person as the page shows it (the list leaves out `contact_id`).
pub fn person_json(p: &BooksContactPerson, with_contact_id: bool) -> Value {
    let mut m = Map::new();
    if with_contact_id {
        m.insert("contact_id".into(), json!(p.contact_id));
    }
    m.insert("contact_person_id".into(), json!(p.contact_person_id));
    for (k, v) in [
        ("salutation", &p.salutation),
        ("first_name", &p.first_name),
        ("last_name", &p.last_name),
        ("email", &p.email),
        ("phone", &p.phone),
        ("mobile", &p.mobile),
    ] {
        m.insert(k.into(), json!(v));
    }
    m.insert("is_primary_contact".into(), json!(p.is_primary_contact));
    for (k, v) in [
        ("skype", &p.skype),
        ("designation", &p.designation),
        ("department", &p.department),
    ] {
        m.insert(k.into(), json!(v));
    }
    m.insert("is_added_in_portal".into(), json!(p.is_added_in_portal));
    m.insert(
        "communication_preference".into(),
        json!({"is_sms_enabled": p.is_sms_enabled, "is_whatsapp_enabled": p.is_whatsapp_enabled}),
    );
    Value::Object(m)
}

impl Endpoint for BooksRoute {
    fn label(&self) -> &'static str {
        match self {
            BooksRoute::Contacts => "GET /books/v3/contacts",
            BooksRoute::Create => "POST /books/v3/contacts/contactpersons",
            BooksRoute::Update(_) => "PUT /books/v3/contacts/contactpersons/{id}",
            BooksRoute::Delete(_) => "DELETE /books/v3/contacts/contactpersons/{id}",
            BooksRoute::Primary(_) => "POST /books/v3/contacts/contactpersons/{id}/primary",
            BooksRoute::List(_) => "GET /books/v3/contacts/{contact_id}/contactpersons",
            BooksRoute::Get(..) => "GET /books/v3/contacts/{contact_id}/contactpersons/{id}",
        }
    }

    /// What the endpoint does, for its scope.
    fn op(&self) -> Option<Access> {
        Some(match self {
            // The page gives "Mark as primary contact person" the CREATE scope.
            BooksRoute::Create | BooksRoute::Primary(_) => Access::Create,
            BooksRoute::Update(_) => Access::Update,
            BooksRoute::Delete(_) => Access::Delete,
            BooksRoute::Contacts | BooksRoute::List(_) | BooksRoute::Get(..) => Access::Read,
        })
    }

    fn answer(&self, store: &mut Store, ctx: &Ctx<'_>) -> Response {
        handle(store.rooms.get::<Books>(), self, ctx.req)
    }
}

/// Releases an organization's in-flight slot when dropped.
struct InFlight {
    shared: Arc<Shared>,
    org: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut limits = lock(&self.shared.limits);
        if let Some(n) = limits.get::<BooksLimits>().in_flight.get_mut(&self.org) {
            *n = n.saturating_sub(1);
        }
    }
}

/// The organization a request names.
fn organization(req: &Req) -> String {
    req.query("organization_id").unwrap_or("").to_string()
}

/// Zoho Books' per-minute and daily limits of an organization.
fn books_limits(shared: &Shared, org: &str, config: &SandboxConfig) -> Result<(), CodedError> {
    let now_ms = wire::now_ms();
    let today = (now_ms / 86_400_000) as i64;
    let mut limits = lock(&shared.limits);
    let b = limits.get::<BooksLimits>();
    let used = match b.daily.get(org) {
        Some(&(day, n)) if day == today => n,
        _ => 0,
    };
    if let Some(quota) = config.books_daily_quota
        && used >= quota
    {
        let left_min = (86_400_000 - now_ms % 86_400_000).div_ceil(60_000);
        let status = StatusCode::from_u16(config.books_daily_quota_status)
            .unwrap_or(StatusCode::TOO_MANY_REQUESTS);
        return Err(CodedError::new(
            status,
            CODE_DAILY,
            format!(
                "You have reached the maximum number of API requests allowed per day ({quota}) for this organization. The limit resets at 00:00 UTC (in {}h {}m).",
                left_min / 60,
                left_min % 60
            ),
        ));
    }
    let window = b.per_minute.entry(org.to_string()).or_default();
    if window
        .try_record(
            Instant::now(),
            Duration::from_secs(60),
            config.books_requests_per_minute,
        )
        .is_err()
    {
        return Err(CodedError::new(
            StatusCode::TOO_MANY_REQUESTS,
            CODE_PER_MINUTE,
            format!(
                "You have made too many requests per minute (limit {}). Please try again after some time.",
                config.books_requests_per_minute
            ),
        ));
    }
    b.daily.insert(org.to_string(), (today, used + 1));
    Ok(())
}

emulator_settings! {
    limits {
        /// Zoho Books: requests per minute per organization (Zoho: 100), answered code 44 beyond.
        books_requests_per_minute: u32 = 100;
        /// Zoho Books: requests in flight at once per organization (Zoho: 10), code 1070 beyond.
        books_max_concurrent: u32 = 10;
        /// Zoho Books: requests per day per organization (code 45 beyond); `None`: unlimited
        /// (`null` in a patch removes it).
        books_daily_quota: Option<u64> = None, #[serde(deserialize_with = "set_or_null")];
        /// Zoho Books: the HTTP status of the daily-quota answer (code 45). Zoho does not document
        /// it; 429 by default, another one to test a client that reads the code, not the status.
        books_daily_quota_status: u16 = 429;
    }
}

/// `--books-daily-quota`.
static OPTIONS: [Setting; 1] = [Setting {
    flag: Flag::new(
        "books_daily_quota",
        "books-daily-quota",
        "N",
        "Zoho Books' daily request quota per organization (default: unlimited)",
    )
    .heading(""),
    sets: Sets::Read(|v, config| {
        let quota = v
            .parse::<u64>()
            .map_err(|e| format!("invalid value '{v}' for '--books-daily-quota <N>': {e}"))?;
        config.books_daily_quota = Some(quota);
        Ok(())
    }),
}];

/// The emulator.
pub static EMULATOR: Emulator = Emulator::new("zoho_books", &ZohoBooks, &["books"])
    .endpoints(&["books", "v3", "contacts"], parse::<BooksRoute>)
    .serves(
        &crate::connectors::zoho_books::DESCRIPTOR,
        &super::zoho::Zoho,
        Carried::Body,
    )
    .limit_options(&OPTIONS)
    .choices(CHOICES);

/// The Zoho Books contact persons API.
#[derive(Debug)]
pub struct ZohoBooks;

impl Behaviour for ZohoBooks {
    fn error(&self, status: StatusCode, message: &str) -> Response {
        error(status, i64::from(status.as_u16()), message)
    }

    fn scope_refused(&self, _need: &Need) -> Option<Response> {
        Some(not_authorized())
    }

    /// At most `books_max_concurrent` requests in flight per organization (code 1070 beyond).
    fn admit(&self, shared: &Arc<Shared>, req: &Req, config: &SandboxConfig) -> Admitted {
        let org = organization(req);
        let mut limits = lock(&shared.limits);
        let n = limits
            .get::<BooksLimits>()
            .in_flight
            .entry(org.clone())
            .or_default();
        if *n >= config.books_max_concurrent {
            return Err(Box::new(error(
                StatusCode::TOO_MANY_REQUESTS,
                CODE_CONCURRENT,
                "You have exceeded the maximum number of concurrent API requests. Please try again after some time.",
            )));
        }
        *n += 1;
        Ok(Some(Box::new(InFlight {
            shared: Arc::clone(shared),
            org,
        })))
    }

    fn limit(&self, shared: &Shared, req: &Req, config: &SandboxConfig) -> Option<Response> {
        books_limits(shared, &organization(req), config)
            .err()
            .map(IntoResponse::into_response)
    }

    fn reset_limits(&self, shared: &Shared) {
        let mut limits = lock(&shared.limits);
        let books = limits.get::<BooksLimits>();
        books.per_minute.clear();
        books.daily.clear();
    }

    fn validate(&self, config: &SandboxConfig) -> Result<(), String> {
        if !(400..=599).contains(&config.books_daily_quota_status) {
            return Err(
                "books_daily_quota_status must be an error status (400 to 599)".to_string(),
            );
        }
        if config.books_max_concurrent == 0 {
            return Err("token and concurrency limits must be at least 1".to_string());
        }
        Ok(())
    }

    fn snapshot(&self, store: &mut Store) -> Option<Value> {
        let books = store.rooms.get::<Books>();
        let persons: Vec<Value> = books
            .books_persons
            .values()
            .map(|p| person_json(p, true))
            .collect();
        Some(json!({
            "organization_id": seed::BOOKS_ORGANIZATION_ID,
            "contacts": books.books_contacts.values().collect::<Vec<_>>(),
            "count": persons.len(),
            "contact_persons": persons,
        }))
    }

    fn credentials(&self) -> Vec<Placed<Value>> {
        let ids: Vec<u64> = seed::BOOKS_CONTACTS.iter().map(|(id, _)| *id).collect();
        vec![
            Placed {
                place: 4,
                name: "books_organization_id",
                value: json!(seed::BOOKS_ORGANIZATION_ID),
            },
            Placed {
                place: 5,
                name: "books_contact_ids",
                value: json!(ids),
            },
        ]
    }

    fn env(&self) -> Vec<Placed<String>> {
        let contact = seed::BOOKS_CONTACTS[0].0.to_string();
        super::emulator::env_lines(&[
            (5, "ZOHO_BOOKS_ORGANIZATION_ID", seed::BOOKS_ORGANIZATION_ID),
            (10, "ZOHO_BOOKS_CONTACT_ID", &contact),
        ])
    }

    fn records(&self, store: &mut Store) -> Vec<StoredRecord> {
        store
            .rooms
            .get::<Books>()
            .books_persons
            .values()
            .map(|p| StoredRecord {
                id: p.contact_person_id.to_string(),
                phones: vec![p.mobile.clone()],
            })
            .collect()
    }

    fn destination_args(&self) -> Vec<String> {
        vec![
            "--books-contact-id".to_string(),
            seed::BOOKS_CONTACTS[0].0.to_string(),
        ]
    }

    /// A contact person of the first seeded contact; record 0 is its primary.
    fn add_bulk(&self, store: &mut Store, r: &BulkRecord, _now_ms: u64) {
        let books = store.rooms.get::<Books>();
        let pid = books.next_person_id;
        books.next_person_id += 1;
        let person = BooksContactPerson {
            contact_id: seed::BOOKS_CONTACTS[0].0,
            contact_person_id: pid,
            first_name: r.first.clone(),
            last_name: r.last.clone(),
            email: r.email.clone(),
            mobile: r.mobile.clone(),
            is_primary_contact: r.i == 0,
            ..BooksContactPerson::default()
        };
        books.books_persons.insert(pid, person);
    }
}

impl super::Sandbox {
    /// The Zoho Books contact persons, by id.
    pub fn books_contact_persons(&self) -> Vec<BooksContactPerson> {
        self.read_room(|b: &Books| b.books_persons.values().cloned().collect())
    }
}

const BOOKS_PAGE: &str = "Zoho Books contact persons page";

/// What the sandbox answers where the page is silent.
const CHOICES: &[Choice] = &[
    Choice {
        target: "zoho-books",
        point: "the code of a contact person that does not exist (update, delete, mark primary, get)",
        sandbox: "HTTP 404, code 1003 \"The contact person does not exist.\" (bulkline's undo counts 1003 and 1002 as already gone)",
        silent: "Zoho Books contact persons page; Zoho's errors page gives 1002 for \"does not exist\" in general",
    },
    Choice {
        target: "zoho-books",
        point: "the status of a parent contact that does not exist",
        sandbox: "HTTP 404, code 1002 \"Contact does not exist.\"",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "a token without the operation's scope",
        sandbox: "HTTP 401, code 57 \"You are not authorized to perform this operation\" (as public clients meet it)",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "an expired, revoked or missing access token",
        sandbox: "HTTP 401, code INVALID_OAUTHTOKEN \"invalid oauth token\" (Zoho's OAuth answer)",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "a field of the wrong type, too long, or a missing first name",
        sandbox: "HTTP 400, code 4 \"Invalid value passed for <field>\"",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "a missing or unknown organization_id",
        sandbox: "HTTP 400, code 6041",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "the per-minute limit (100 requests per organization)",
        sandbox: "HTTP 429, code 44; only requests with a valid token count",
        silent: "Zoho Books contact persons page (the limit and code are a reading of Zoho's current pages, 2026)",
    },
    Choice {
        target: "zoho-books",
        point: "the status that carries the daily quota's code 45",
        sandbox: "HTTP 429 by default (books_daily_quota_status changes it); the quota is off unless set",
        silent: "Zoho's current pages (2026): which HTTP status carries code 45 is not documented",
    },
    Choice {
        target: "zoho-books",
        point: "more than 10 requests in flight for one organization",
        sandbox: "HTTP 429, code 1070",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "per_page outside 1..=200, or a page below 1",
        sandbox: "HTTP 400, code 4 \"Invalid value passed for per_page\" (or page)",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "the first contact person of a contact",
        sandbox: "becomes the contact's primary contact person",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "GET /books/v3/contacts (the organization's contacts, for the pre-flight)",
        sandbox: "answers contact_id and contact_name only, paged like the contact persons",
        silent: "Zoho Books contact persons page (the call is on Books' contacts page)",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_in_turn_are_the_pages_counted_from_the_start() {
        let mut all = Store::seeded(1);
        crate::sandbox::bulk::add(
            &mut all,
            crate::sandbox::bulk::Apis::Only(EMULATOR.name),
            700,
            0,
        );
        let store = all.rooms.get::<Books>();
        let cid = seed::BOOKS_CONTACTS[0].0;
        let counted = |store: &Books, start: usize, size: usize| -> Vec<u64> {
            let of_contact = store.books_persons.values().filter(|p| p.contact_id == cid);
            of_contact
                .map(|p| p.contact_person_id)
                .skip(start)
                .take(size + 1)
                .collect()
        };
        assert!(
            counted(store, 0, 1000).len() > 200,
            "the contact holds many"
        );
        let mut start = 0;
        while start < 400 {
            let expected = counted(store, start, 40);
            assert_eq!(persons_page(store, cid, start, 40), expected, "at {start}");
            if start == 80 {
                // A delete before the cursor moves every later position: counted again.
                let first = counted(store, 0, 0)[0];
                store.books_persons.remove(&first);
                store.books_positions.forget();
            }
            if start == 160 {
                // Another contact's page in between does not disturb this one's.
                let other = seed::BOOKS_CONTACTS[1].0;
                persons_page(store, other, 0, 10);
            }
            start += 40;
        }
        // A page asked out of turn is counted from the start.
        assert_eq!(persons_page(store, cid, 7, 3), counted(store, 7, 3));
        assert_eq!(persons_page(store, cid, 10, 40), counted(store, 10, 40));
    }

    #[test]
    fn routes_parse() {
        assert_eq!(
            BooksRoute::parse(&Method::POST, &["contactpersons"]),
            Some(BooksRoute::Create)
        );
        assert_eq!(
            BooksRoute::parse(&Method::POST, &["contactpersons", "9", "primary"]),
            Some(BooksRoute::Primary("9".into()))
        );
        assert_eq!(
            BooksRoute::parse(&Method::GET, &["1", "contactpersons", "9"]),
            Some(BooksRoute::Get("1".into(), "9".into()))
        );
        assert_eq!(BooksRoute::parse(&Method::GET, &["contactpersons"]), None);
    }

    #[test]
    fn each_call_needs_the_scope_its_page_names() {
        use crate::scopes::Access;
        // "Mark as primary contact person: OAuth Scope : ZohoBooks.contacts.CREATE".
        assert_eq!(BooksRoute::Primary("9".into()).op(), Some(Access::Create));
        assert_eq!(BooksRoute::Create.op(), Some(Access::Create));
        assert_eq!(BooksRoute::Update("9".into()).op(), Some(Access::Update));
        assert_eq!(BooksRoute::Delete("9".into()).op(), Some(Access::Delete));
        assert_eq!(BooksRoute::List("1".into()).op(), Some(Access::Read));
    }

    #[test]
    fn apply_enforces_lengths_and_required() {
        let mut p = BooksContactPerson::default();
        let body: Map<String, Value> =
            serde_json::from_value(json!({"first_name": "x".repeat(101)})).expect("map");
        assert!(apply(&mut p, &body, true).is_err());
        let body: Map<String, Value> =
            serde_json::from_value(json!({"last_name": "Smith"})).expect("map");
        assert!(apply(&mut p, &body, true).is_err());
        let body: Map<String, Value> = serde_json::from_value(
            json!({"first_name": "Will", "salutation": "Mr", "communication_preference": {"is_sms_enabled": true}}),
        )
        .expect("map");
        assert!(apply(&mut p, &body, true).is_ok());
        assert!(p.is_sms_enabled);
        assert_eq!(p.salutation, "Mr");
    }
}
