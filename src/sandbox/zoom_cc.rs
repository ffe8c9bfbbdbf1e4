//! Zoom Contact Center address-book contacts
//! (`/v2/contact_center/address_books/{addressBookId}/contacts`). Errors answer
//! `{"code": N, "message": ...}`: 2001 no such address book, 2101 no such contact, 2102 neither
//! email nor phone, 2104 empty display name, 300 any other invalid field or parameter (a
//! `page_size` above the spec's 300 included).
//!
//! Where the spec is silent (which code, which status), what this module does is listed in
//! `choices.rs` ([`super::choices::all`]).

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::StoredRecord;
use super::checks::{is_email, is_phone};
use super::choices::Choice;
use super::emulator::{
    Behaviour, BulkRecord, Carried, Ctx, Emulator, Endpoint, Placed, Routes, parse,
};
use super::faults::SplitMix;
use super::seed;
use super::state::Store;
use super::wire::{CodedError, Req, empty, json};
use crate::scopes::Access;

/// Zoom Contact Center's seeded address book.
pub mod seeded {
    /// The Zoom Contact Center address book.
    pub const ZOOM_ADDRESS_BOOK_ID: &str = "sbxAddressBook00000001";
    /// Its name.
    pub const ZOOM_ADDRESS_BOOK_NAME: &str = "Sandbox Address Book";
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

/// A Zoom contact's text fields, by their names in the API: each a string, `""` when unset.
pub const TEXT_FIELDS: [&str; 7] = [
    "display_name",
    "first_name",
    "last_name",
    "location",
    "account_number",
    "company",
    "role",
];

/// A Zoom Contact Center address-book contact.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ZoomContact {
    pub contact_id: String,
    pub address_book_id: String,
    /// The [`TEXT_FIELDS`] the contact was given, by name (see [`ZoomContact::text`]).
    #[serde(flatten)]
    pub texts: BTreeMap<&'static str, String>,
    pub phone_numbers: Vec<String>,
    pub emails: Vec<String>,
    pub variables: Vec<ZoomVariable>,
}

impl ZoomContact {
    /// The text field `name` ([`TEXT_FIELDS`]), `""` when unset.
    pub fn text(&self, name: &str) -> &str {
        self.texts.get(name).map_or("", String::as_str)
    }
}

/// Where a Zoom `next_page_token` resumes a listing.
#[derive(Debug, Clone)]
pub struct PageCursor {
    pub address_book_id: String,
    /// The creation sequence number after which the next page starts.
    pub after_seq: u64,
    pub issued: Instant,
}

/// The address books and their contacts: the emulator's room of the store.
#[derive(Debug)]
pub struct ZoomState {
    pub zoom_books: Vec<ZoomAddressBook>,
    /// By creation sequence number. Added and removed through [`ZoomState::add_zoom_contact`]
    /// and [`ZoomState::remove_zoom_contact`], which keep `zoom_book_sizes`.
    pub zoom_contacts: BTreeMap<u64, ZoomContact>,
    /// How many contacts each address book holds (a list page's `total_records`).
    pub zoom_book_sizes: HashMap<String, usize>,
    pub zoom_ids: HashMap<String, u64>,
    pub zoom_cursors: HashMap<String, PageCursor>,
    pub next_zoom_seq: u64,
}

impl Default for ZoomState {
    /// The seeded address book, no contacts.
    fn default() -> Self {
        ZoomState {
            zoom_books: vec![ZoomAddressBook {
                address_book_id: seed::ZOOM_ADDRESS_BOOK_ID.to_string(),
                address_book_name: seed::ZOOM_ADDRESS_BOOK_NAME.to_string(),
            }],
            zoom_contacts: BTreeMap::new(),
            zoom_book_sizes: HashMap::new(),
            zoom_ids: HashMap::new(),
            zoom_cursors: HashMap::new(),
            next_zoom_seq: 1,
        }
    }
}

impl ZoomState {
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

    /// The name of the address book `id` ("" for none).
    fn book_name(&self, id: &str) -> &str {
        self.zoom_books
            .iter()
            .find(|b| b.address_book_id == id)
            .map(|b| b.address_book_name.as_str())
            .unwrap_or("")
    }
}

/// At most this many emails on a contact.
pub const MAX_EMAILS: usize = 4;
/// At most this many phone numbers on a contact.
pub const MAX_PHONES: usize = 5;
/// The largest `page_size`.
pub const MAX_PAGE_SIZE: usize = 300;

/// The Zoom address-book contact endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoomRoute {
    Create(String),
    List(String),
    Get(String, String),
    Update(String, String),
    Delete(String, String),
}

impl Routes for ZoomRoute {
    /// The route of `method` on the segments after `/v2/contact_center/address_books`.
    fn parse(method: &Method, rest: &[&str]) -> Option<ZoomRoute> {
        match (method.as_str(), rest) {
            ("POST", [ab, "contacts"]) => Some(ZoomRoute::Create(ab.to_string())),
            ("GET", [ab, "contacts"]) => Some(ZoomRoute::List(ab.to_string())),
            ("GET", [ab, "contacts", id]) => Some(ZoomRoute::Get(ab.to_string(), id.to_string())),
            ("PATCH", [ab, "contacts", id]) => {
                Some(ZoomRoute::Update(ab.to_string(), id.to_string()))
            }
            ("DELETE", [ab, "contacts", id]) => {
                Some(ZoomRoute::Delete(ab.to_string(), id.to_string()))
            }
            _ => None,
        }
    }
}

impl ZoomRoute {
    fn address_book(&self) -> &str {
        match self {
            ZoomRoute::Create(ab) | ZoomRoute::List(ab) => ab,
            ZoomRoute::Get(ab, _) | ZoomRoute::Update(ab, _) | ZoomRoute::Delete(ab, _) => ab,
        }
    }
}

/// Zoom's error shape.
pub fn error(status: StatusCode, code: i64, message: &str) -> Response {
    CodedError::new(status, code, message).into_response()
}

/// Zoom's generic validation error (code 300).
fn invalid(message: &str) -> CodedError {
    CodedError::new(StatusCode::BAD_REQUEST, 300, message)
}

fn no_contact(id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        2101,
        &format!("Contact does not exist: {id}."),
    )
}

/// How long a `next_page_token` lives, and the time on the sandbox's clock.
#[derive(Debug, Clone, Copy)]
pub struct PageTokens {
    pub ttl: Duration,
    pub now: Instant,
}

/// Answers one Zoom request.
pub fn handle(
    store: &mut ZoomState,
    rng: &mut SplitMix,
    route: &ZoomRoute,
    req: &Req,
    pages: PageTokens,
) -> Response {
    let ab = route.address_book();
    let Some(book_name) = store
        .zoom_books
        .iter()
        .find(|b| b.address_book_id == ab)
        .map(|b| b.address_book_name.clone())
    else {
        return error(
            StatusCode::NOT_FOUND,
            2001,
            &format!("Address book does not exist: {ab}."),
        );
    };
    match route {
        ZoomRoute::Create(ab) => {
            let body = match body_object(req) {
                Ok(b) => b,
                Err(e) => return e.into_response(),
            };
            let mut c = ZoomContact {
                address_book_id: ab.clone(),
                ..Default::default()
            };
            if body.get("display_name").is_none() {
                return error(
                    StatusCode::BAD_REQUEST,
                    2104,
                    "Display name cannot be empty.",
                );
            }
            if let Err(e) = apply(&mut c, &body) {
                return e.into_response();
            }
            let seq = store.next_zoom_seq;
            store.next_zoom_seq += 1;
            c.contact_id = rng.alnum(22);
            let out = contact_json(&c, &book_name);
            store.add_zoom_contact(seq, c);
            json(StatusCode::CREATED, out)
        }
        ZoomRoute::Get(ab, id) => match find(store, ab, id) {
            Some(seq) => match store.zoom_contacts.get(&seq) {
                Some(c) => json(StatusCode::OK, contact_json(c, &book_name)),
                None => no_contact(id),
            },
            None => no_contact(id),
        },
        ZoomRoute::Update(ab, id) => {
            let body = match body_object(req) {
                Ok(b) => b,
                Err(e) => return e.into_response(),
            };
            let Some(seq) = find(store, ab, id) else {
                return no_contact(id);
            };
            let Some(c) = store.zoom_contacts.get_mut(&seq) else {
                return no_contact(id);
            };
            // Checked on a copy: a refused update changes nothing.
            let mut updated = c.clone();
            if let Err(e) = apply(&mut updated, &body) {
                return e.into_response();
            }
            *c = updated;
            empty(StatusCode::NO_CONTENT)
        }
        ZoomRoute::Delete(ab, id) => {
            let Some(seq) = find(store, ab, id) else {
                return no_contact(id);
            };
            store.remove_zoom_contact(seq);
            empty(StatusCode::NO_CONTENT)
        }
        ZoomRoute::List(ab) => list(store, rng, ab, &book_name, req, pages),
    }
}

fn find(store: &ZoomState, ab: &str, id: &str) -> Option<u64> {
    let seq = *store.zoom_ids.get(id)?;
    store
        .zoom_contacts
        .get(&seq)
        .filter(|c| c.address_book_id == ab)
        .map(|_| seq)
}

fn list(
    store: &mut ZoomState,
    rng: &mut SplitMix,
    ab: &str,
    book_name: &str,
    req: &Req,
    pages: PageTokens,
) -> Response {
    let PageTokens { ttl, now } = pages;
    let page_size = match req.query("page_size").map(str::parse::<usize>) {
        None => 10,
        Some(Ok(n)) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
        Some(_) => {
            return invalid(&format!(
                "Invalid parameter: page_size must be between 1 and {MAX_PAGE_SIZE}."
            ))
            .into_response();
        }
    };
    store
        .zoom_cursors
        .retain(|_, c| now.saturating_duration_since(c.issued) < ttl);
    let after = match req.query("next_page_token").filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) => match store.zoom_cursors.get(t) {
            Some(c) if c.address_book_id == ab => c.after_seq,
            _ => return invalid("The next page token is invalid or expired.").into_response(),
        },
    };
    let total = store.zoom_book_sizes.get(ab).copied().unwrap_or(0);
    let page: Vec<(u64, &ZoomContact)> = store
        .zoom_contacts
        .range(after + 1..)
        .filter(|(_, c)| c.address_book_id == ab)
        .take(page_size + 1)
        .map(|(s, c)| (*s, c))
        .collect();
    let more = page.len() > page_size;
    let items: Vec<Value> = page
        .iter()
        .take(page_size)
        .map(|(_, c)| contact_json(c, book_name))
        .collect();
    let last_seq = page
        .get(..page_size.min(page.len()))
        .and_then(|p| p.last())
        .map(|(s, _)| *s);
    let token = match (more, last_seq) {
        (true, Some(last)) => {
            let t = rng.alnum(32);
            store.zoom_cursors.insert(
                t.clone(),
                PageCursor {
                    address_book_id: ab.to_string(),
                    after_seq: last,
                    issued: now,
                },
            );
            t
        }
        _ => String::new(),
    };
    json(
        StatusCode::OK,
        json!({
            "next_page_token": token,
            "page_size": page_size,
            "total_records": total,
            "contacts": items,
        }),
    )
}

fn body_object(req: &Req) -> Result<Map<String, Value>, CodedError> {
    match req.json() {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(invalid("Request Body should be a valid JSON object.")),
    }
}

fn string_list(v: &Value, field: &str) -> Result<Vec<String>, CodedError> {
    let Value::Array(items) = v else {
        return Err(invalid(&format!(
            "Invalid field: {field} must be an array."
        )));
    };
    items
        .iter()
        .map(|i| match i {
            Value::String(s) => Ok(s.trim().to_string()),
            _ => Err(invalid(&format!(
                "Invalid field: {field} must hold strings."
            ))),
        })
        .collect()
}

/// The list `field` of at most `max` strings, each a valid `what` (an email, a phone number).
fn checked_list(
    v: &Value,
    field: &str,
    max: usize,
    what: &str,
    valid: fn(&str) -> bool,
) -> Result<Vec<String>, CodedError> {
    let items = string_list(v, field)?;
    if items.len() > max {
        return Err(invalid(&format!("Invalid field: at most {max} {what}s.")));
    }
    if let Some(bad) = items.iter().find(|i| !valid(i)) {
        return Err(invalid(&format!("Invalid {what}: {bad}.")));
    }
    Ok(items)
}

/// Sets the body's fields on `c` and checks the result.
fn apply(c: &mut ZoomContact, body: &Map<String, Value>) -> Result<(), CodedError> {
    for (k, v) in body {
        match k.as_str() {
            "phone_numbers" => {
                c.phone_numbers = checked_list(v, k, MAX_PHONES, "phone number", is_phone)?;
            }
            "emails" => c.emails = checked_list(v, k, MAX_EMAILS, "email", is_email)?,
            "variables" => {
                let Value::Array(items) = v else {
                    return Err(invalid("Invalid field: variables must be an array."));
                };
                let mut vars = Vec::new();
                for item in items {
                    let id = item.get("variable_id").and_then(Value::as_str);
                    let val = item.get("variable_value").and_then(Value::as_str);
                    let (Some(id), Some(val)) = (id, val) else {
                        return Err(invalid(
                            "Invalid field: each variable needs variable_id and variable_value.",
                        ));
                    };
                    vars.push(ZoomVariable {
                        variable_id: id.to_string(),
                        variable_value: val.to_string(),
                    });
                }
                c.variables = vars;
            }
            name => {
                let Some(field) = TEXT_FIELDS.iter().find(|f| **f == name) else {
                    return Err(invalid(&format!("Invalid field: {k}.")));
                };
                let Value::String(s) = v else {
                    return Err(invalid(&format!("Invalid field: {k} must be a string.")));
                };
                c.texts.insert(field, s.clone());
            }
        }
    }
    if c.text("display_name").trim().is_empty() {
        return Err(CodedError::new(
            StatusCode::BAD_REQUEST,
            2104,
            "Display name cannot be empty.",
        ));
    }
    if c.emails.is_empty() && c.phone_numbers.is_empty() {
        return Err(CodedError::new(
            StatusCode::BAD_REQUEST,
            2102,
            "Either email or phone number is required.",
        ));
    }
    Ok(())
}

/// A contact as Zoom answers it.
pub fn contact_json(c: &ZoomContact, book_name: &str) -> Value {
    let vars: Vec<Value> = c
        .variables
        .iter()
        .map(|v| {
            json!({
                "variable_group_id": "sandbox_group",
                "variable_id": v.variable_id,
                "variable_name": v.variable_id,
                "data_type": "string",
                "variable_value": v.variable_value,
            })
        })
        .collect();
    let mut out = Map::new();
    out.insert("contact_id".into(), json!(c.contact_id));
    for name in TEXT_FIELDS {
        out.insert(name.into(), json!(c.text(name)));
    }
    out.insert("phone_numbers".into(), json!(c.phone_numbers));
    out.insert("emails".into(), json!(c.emails));
    out.insert("address_book_id".into(), json!(c.address_book_id));
    out.insert("address_book_name".into(), json!(book_name));
    out.insert("variables".into(), Value::Array(vars));
    Value::Object(out)
}

impl Endpoint for ZoomRoute {
    fn label(&self) -> &'static str {
        match self {
            ZoomRoute::Create(_) => "POST /v2/contact_center/address_books/{id}/contacts",
            ZoomRoute::List(_) => "GET /v2/contact_center/address_books/{id}/contacts",
            ZoomRoute::Get(..) => "GET /v2/contact_center/address_books/{id}/contacts/{contactId}",
            ZoomRoute::Update(..) => {
                "PATCH /v2/contact_center/address_books/{id}/contacts/{contactId}"
            }
            ZoomRoute::Delete(..) => {
                "DELETE /v2/contact_center/address_books/{id}/contacts/{contactId}"
            }
        }
    }

    /// What the endpoint does, for its scope.
    fn op(&self) -> Option<Access> {
        Some(match self {
            ZoomRoute::Create(_) => Access::Create,
            ZoomRoute::List(_) | ZoomRoute::Get(..) => Access::Read,
            ZoomRoute::Update(..) => Access::Update,
            ZoomRoute::Delete(..) => Access::Delete,
        })
    }

    fn answer(&self, store: &mut Store, ctx: &Ctx<'_>) -> Response {
        let pages = PageTokens {
            ttl: Duration::from_secs(ctx.config.zoom_page_token_ttl_secs),
            now: store.clock.now(),
        };
        let room = store.rooms.get::<ZoomState>();
        handle(room, &mut store.rng, self, ctx.req, pages)
    }
}

emulator_settings! {
    limits {
        /// Zoom: how long a `next_page_token` stays valid, in seconds (Zoom: 15 minutes).
        zoom_page_token_ttl_secs: u64 = 900;
    }
}

/// The emulator.
pub static EMULATOR: Emulator = Emulator::new("zoom_cc", &ZoomCc, &["v2"])
    .endpoints(
        &["v2", "contact_center", "address_books"],
        parse::<ZoomRoute>,
    )
    .serves(
        &crate::connectors::zoom_cc::DESCRIPTOR,
        &super::zoom::Zoom,
        Carried::Body,
    )
    .choices(CHOICES);

/// The Zoom Contact Center address-book contacts API.
#[derive(Debug)]
pub struct ZoomCc;

impl Behaviour for ZoomCc {
    fn error(&self, status: StatusCode, message: &str) -> Response {
        error(status, i64::from(status.as_u16()), message)
    }

    fn snapshot(&self, store: &mut Store) -> Option<Value> {
        let room = store.rooms.get::<ZoomState>();
        let contacts: Vec<Value> = room
            .zoom_contacts
            .values()
            .map(|c| contact_json(c, room.book_name(&c.address_book_id)))
            .collect();
        Some(json!({
            "address_books": room.zoom_books,
            "count": contacts.len(),
            "contacts": contacts,
        }))
    }

    fn credentials(&self) -> Vec<Placed<Value>> {
        vec![Placed {
            place: 6,
            name: "zoom_address_book_id",
            value: json!(seed::ZOOM_ADDRESS_BOOK_ID),
        }]
    }

    fn env(&self) -> Vec<Placed<String>> {
        super::emulator::env_lines(&[(9, "ZOOM_ADDRESS_BOOK_ID", seed::ZOOM_ADDRESS_BOOK_ID)])
    }

    fn records(&self, store: &mut Store) -> Vec<StoredRecord> {
        store
            .rooms
            .get::<ZoomState>()
            .zoom_contacts
            .values()
            .map(|c| StoredRecord {
                id: c.contact_id.clone(),
                phones: c.phone_numbers.clone(),
            })
            .collect()
    }

    fn destination_args(&self) -> Vec<String> {
        vec![
            "--address-book-id".to_string(),
            seed::ZOOM_ADDRESS_BOOK_ID.to_string(),
        ]
    }

    /// A contact of the seeded address book.
    fn add_bulk(&self, store: &mut Store, r: &BulkRecord, _now_ms: u64) {
        let room = store.rooms.get::<ZoomState>();
        let seq = room.next_zoom_seq;
        room.next_zoom_seq += 1;
        let contact_id = store.rng.alnum(22);
        room.add_zoom_contact(
            seq,
            ZoomContact {
                contact_id,
                address_book_id: seed::ZOOM_ADDRESS_BOOK_ID.to_string(),
                texts: BTreeMap::from([
                    ("display_name", format!("{} {}", r.first, r.last)),
                    ("first_name", r.first.clone()),
                    ("last_name", r.last.clone()),
                ]),
                phone_numbers: vec![r.mobile.clone()],
                emails: vec![r.email.clone()],
                ..ZoomContact::default()
            },
        );
    }
}

impl super::Sandbox {
    /// The Zoom address-book contacts, in creation order.
    pub fn zoom_contacts(&self) -> Vec<ZoomContact> {
        self.read_room(|z: &ZoomState| z.zoom_contacts.values().cloned().collect())
    }
}

const ZOOM_PAGE: &str =
    "Zoom Contact Center address book contacts page and Zoom's Contact Center spec";

/// What the sandbox answers where the page is silent.
const CHOICES: &[Choice] = &[
    Choice {
        target: "zoom-cc",
        point: "a page_size above 300 (the spec's maximum) or below 1",
        sandbox: "HTTP 400, code 300 \"Invalid parameter: page_size must be between 1 and 300.\"",
        silent: "Zoom's Contact Center spec (gives the maximum, not the answer to more)",
    },
    Choice {
        target: "zoom-cc",
        point: "a next_page_token that expired (15 minutes) or belongs to another address book",
        sandbox: "HTTP 400, code 300 \"The next page token is invalid or expired.\"",
        silent: ZOOM_PAGE,
    },
    Choice {
        target: "zoom-cc",
        point: "an invalid field other than the spec's 2102 and 2104 (too many e-mails or phones, a bad type, an unknown key)",
        sandbox: "HTTP 400, code 300 naming the field",
        silent: ZOOM_PAGE,
    },
    Choice {
        target: "zoom-cc",
        point: "the default page_size",
        sandbox: "10",
        silent: ZOOM_PAGE,
    },
    Choice {
        target: "zoom-cc",
        point: "clearing a field on PATCH with \"\" or []",
        sandbox: "clears it (an empty display_name is then refused 2104, neither e-mail nor phone left 2102)",
        silent: "Zoom's Contact Center spec (neither allowed nor forbidden)",
    },
    Choice {
        target: "zoom-cc",
        point: "a token without the operation's scope",
        sandbox: "HTTP 400, code 4711 \"Invalid access token, does not contain scopes:[...]\"",
        silent: ZOOM_PAGE,
    },
    Choice {
        target: "zoom-cc",
        point: "the form of a new contact_id",
        sandbox: "22 letters and digits",
        silent: ZOOM_PAGE,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_book_sizes_follow_adds_and_removes() {
        let mut store = ZoomState::default();
        let contact = |id: &str, book: &str| ZoomContact {
            contact_id: id.into(),
            address_book_id: book.into(),
            ..ZoomContact::default()
        };
        store.add_zoom_contact(1, contact("a1", "A"));
        store.add_zoom_contact(2, contact("a2", "A"));
        store.add_zoom_contact(3, contact("b1", "B"));
        store.remove_zoom_contact(1);
        store.remove_zoom_contact(1);
        store.remove_zoom_contact(9);
        // The same sequence number again replaces: the old contact leaves its book and ids.
        store.add_zoom_contact(3, contact("a3", "A"));
        assert_eq!(store.zoom_book_sizes.get("A"), Some(&2));
        assert_eq!(store.zoom_book_sizes.get("B"), Some(&0));
        let mut ids: Vec<&str> = store.zoom_ids.keys().map(String::as_str).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["a2", "a3"]);
    }

    fn map(v: Value) -> Map<String, Value> {
        serde_json::from_value(v).expect("object")
    }

    #[tokio::test]
    async fn a_page_size_above_300_is_refused_as_zoom_refuses_a_bad_parameter() {
        let mut store = Store::seeded(1);
        let book = crate::sandbox::seed::ZOOM_ADDRESS_BOOK_ID;
        let list = |store: &mut Store, size: &str| {
            let req = Req {
                method: Method::GET,
                path: format!("/v2/contact_center/address_books/{book}/contacts"),
                query: vec![("page_size".into(), size.into())],
                headers: Default::default(),
                body: Default::default(),
            };
            handle(
                store.rooms.get::<ZoomState>(),
                &mut store.rng,
                &ZoomRoute::List(book.into()),
                &req,
                PageTokens {
                    ttl: Duration::from_secs(900),
                    now: Instant::now(),
                },
            )
        };
        assert_eq!(list(&mut store, "300").status(), StatusCode::OK);
        for size in ["301", "0", "many"] {
            let answer = list(&mut store, size);
            assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{size}");
            let body = axum::body::to_bytes(answer.into_body(), usize::MAX)
                .await
                .expect("a body");
            let body: Value = serde_json::from_slice(&body).expect("JSON");
            assert_eq!(body["code"], 300, "{size}: {body}");
            assert!(
                body["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("page_size")),
                "{body}"
            );
        }
    }

    #[test]
    fn routes_parse() {
        assert_eq!(
            ZoomRoute::parse(&Method::PATCH, &["ab", "contacts", "c"]),
            Some(ZoomRoute::Update("ab".into(), "c".into()))
        );
        assert_eq!(
            ZoomRoute::parse(&Method::PUT, &["ab", "contacts", "c"]),
            None
        );
    }

    #[test]
    fn apply_checks_limits() {
        let mut c = ZoomContact::default();
        assert!(apply(&mut c, &map(json!({"display_name": "A"}))).is_err());
        assert!(
            apply(
                &mut c,
                &map(json!({"display_name": "A", "emails": ["a@b.co"]}))
            )
            .is_ok()
        );
        let six: Vec<String> = (0..6).map(|i| format!("+1555000000{i}")).collect();
        assert!(apply(&mut c, &map(json!({"phone_numbers": six}))).is_err());
        let five: Vec<String> = (0..5).map(|i| format!("a{i}@b.co")).collect();
        assert!(apply(&mut c, &map(json!({"emails": five}))).is_err());
        assert!(apply(&mut c, &map(json!({"nickname": "x"}))).is_err());
    }
}
