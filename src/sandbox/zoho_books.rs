//! Zoho Books contact persons (`/books/v3/contacts/...`), always with `organization_id` in the
//! query string. Success answers carry `"code": 0`; errors `{"code": N, "message": ...}`.
//! A token without the operation's scope (the page's "OAuth Scope" of each call, mark as
//! primary's included: CREATE) is answered HTTP 401 code 57, as public clients meet it.
//!
//! Where the page is silent (codes, statuses), what this module does is listed in
//! `choices.rs` ([`super::choices::CHOICES`]).

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::seed;
use super::state::{BooksContactPerson, Store};
use super::wire::{CodedError, Req, json};

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

impl BooksRoute {
    /// The route of `method` on the segments after `/books/v3/contacts`.
    pub fn parse(method: &Method, rest: &[&str]) -> Option<BooksRoute> {
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

    /// What the endpoint does, for its scope.
    pub fn op(&self) -> crate::scopes::Op {
        use crate::scopes::Op;
        match self {
            // The page gives "Mark as primary contact person" the CREATE scope.
            BooksRoute::Create | BooksRoute::Primary(_) => Op::Create,
            BooksRoute::Update(_) => Op::Update,
            BooksRoute::Delete(_) => Op::Delete,
            BooksRoute::Contacts | BooksRoute::List(_) | BooksRoute::Get(..) => Op::Read,
        }
    }

    /// The endpoint's name in the request counters.
    pub fn label(&self) -> &'static str {
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
fn person_id(store: &Store, id: &str) -> Option<u64> {
    id.parse::<u64>()
        .ok()
        .filter(|i| store.books_persons.contains_key(i))
}

/// The id of an existing contact, from the path.
fn path_contact_id(store: &Store, cid: &str) -> Option<u64> {
    cid.parse::<u64>()
        .ok()
        .filter(|c| store.books_contacts.contains_key(c))
}

/// Answers one Zoho Books request.
pub fn handle(store: &mut Store, route: &BooksRoute, req: &Req) -> Response {
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
fn body_and_contact(store: &Store, req: &Req) -> Result<(Map<String, Value>, u64), CodedError> {
    let body = body_object(req)?;
    let cid = contact_id(store, &body)?;
    Ok((body, cid))
}

/// The answer to a create or an update: the contact person `pid`, with `message`.
fn person_answer(store: &Store, pid: u64, status: StatusCode, message: &str) -> Response {
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

fn create(store: &mut Store, req: &Req) -> Response {
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

fn update(store: &mut Store, id: &str, req: &Req) -> Response {
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
fn contacts(store: &Store, req: &Req) -> Response {
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

fn list(store: &mut Store, cid: &str, req: &Req) -> Response {
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
fn persons_page(store: &mut Store, cid: u64, start: usize, size: usize) -> Vec<u64> {
    let of_contact = |p: &BooksContactPerson| p.contact_id == cid;
    store
        .books_positions
        .page(&store.books_persons, cid, of_contact, start, size)
}

fn make_primary(store: &mut Store, pid: u64) {
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
fn contact_id(store: &Store, body: &Map<String, Value>) -> Result<u64, CodedError> {
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
    if !p.email.is_empty() && !super::zoho_voice::is_email(&p.email) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_in_turn_are_the_pages_counted_from_the_start() {
        let mut store = Store::seeded(1);
        crate::sandbox::bulk::add(&mut store, crate::sandbox::bulk::Apis::Books, 700, 0);
        let cid = seed::BOOKS_CONTACTS[0].0;
        let counted = |store: &Store, start: usize, size: usize| -> Vec<u64> {
            let of_contact = store.books_persons.values().filter(|p| p.contact_id == cid);
            of_contact
                .map(|p| p.contact_person_id)
                .skip(start)
                .take(size + 1)
                .collect()
        };
        assert!(
            counted(&store, 0, 1000).len() > 200,
            "the contact holds many"
        );
        let mut start = 0;
        while start < 400 {
            let expected = counted(&store, start, 40);
            assert_eq!(
                persons_page(&mut store, cid, start, 40),
                expected,
                "at {start}"
            );
            if start == 80 {
                // A delete before the cursor moves every later position: counted again.
                let first = counted(&store, 0, 0)[0];
                store.books_persons.remove(&first);
                store.books_positions.forget();
            }
            if start == 160 {
                // Another contact's page in between does not disturb this one's.
                let other = seed::BOOKS_CONTACTS[1].0;
                persons_page(&mut store, other, 0, 10);
            }
            start += 40;
        }
        // A page asked out of turn is counted from the start.
        assert_eq!(persons_page(&mut store, cid, 7, 3), counted(&store, 7, 3));
        assert_eq!(
            persons_page(&mut store, cid, 10, 40),
            counted(&store, 10, 40)
        );
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
        use crate::scopes::Op;
        // "Mark as primary contact person: OAuth Scope : ZohoBooks.contacts.CREATE".
        assert_eq!(BooksRoute::Primary("9".into()).op(), Op::Create);
        assert_eq!(BooksRoute::Create.op(), Op::Create);
        assert_eq!(BooksRoute::Update("9".into()).op(), Op::Update);
        assert_eq!(BooksRoute::Delete("9".into()).op(), Op::Delete);
        assert_eq!(BooksRoute::List("1".into()).op(), Op::Read);
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
