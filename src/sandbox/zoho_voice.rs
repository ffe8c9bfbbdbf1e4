//! Zoho Voice contacts (`/rest/json/zv/contacts`): the `contact` parameter is a JSON *string*
//! (form body or query string); list answers give ids as strings and the owner as an object,
//! create/get/update answers give them as numbers.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::StoredRecord;
use super::checks::{is_email, is_phone};
use super::choices::Choice;
use super::emulator::{
    Behaviour, BulkRecord, Carried, Ctx, Emulator, Endpoint, Placed, Routes, parse,
};
use super::paging::Positions;
use super::seed;
use super::state::Store;
use super::wire::{Req, json};
use crate::scopes::Access;

/// Zoho Voice's seeded ids.
pub mod seeded {
    /// The first Zoho Voice contact id handed out.
    pub const VOICE_FIRST_CONTACT_ID: u64 = 315000153769001;
    /// The owner of every Zoho Voice contact (and the SMS user).
    pub const VOICE_OWNER_ID: u64 = 415005010526109;
    /// The owner's name.
    pub const VOICE_OWNER_NAME: &str = "Sandbox User";
    /// The Zoho Voice contact statuses (id, display value), as on the page.
    pub const VOICE_CONTACT_STATUSES: [(&str, &str); 3] = [
        ("1000000000027", "Active"),
        ("1000000000029", "In Active"),
        ("1000000000031", "VIP"),
    ];
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

/// The Zoho Voice contacts: the emulator's room of the store.
#[derive(Debug)]
pub struct Contacts {
    pub voice: BTreeMap<u64, VoiceContact>,
    pub next_voice_id: u64,
    /// Where the last page of the contact list ended.
    pub voice_positions: Positions,
    /// Changes to the contacts so far (creates, updates, deletes): what the SMS logs' cached
    /// customer names are checked against.
    pub voice_changes: u64,
}

impl Default for Contacts {
    /// No contacts yet.
    fn default() -> Self {
        Contacts {
            voice: BTreeMap::new(),
            next_voice_id: seed::VOICE_FIRST_CONTACT_ID,
            voice_positions: Positions::default(),
            voice_changes: 0,
        }
    }
}

/// The string fields of a contact, in the order the page's answers show them.
pub const FIELDS: [&str; 17] = [
    "first_name",
    "last_name",
    "email",
    "mobile",
    "mobile1",
    "mobile2",
    "mobile3",
    "phone",
    "phone1",
    "phone2",
    "phone3",
    "company",
    "address",
    "state",
    "country",
    "is_favourite",
    "is_spam",
];

const PHONE_FIELDS: [&str; 8] = [
    "mobile", "mobile1", "mobile2", "mobile3", "phone", "phone1", "phone2", "phone3",
];

/// The Zoho Voice contact endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoiceRoute {
    Create,
    List,
    Statuses,
    Get(String),
    Update(String),
    Delete(String),
}

impl Routes for VoiceRoute {
    /// The route of `method` on the segments after `/rest/json/zv/contacts`.
    fn parse(method: &Method, rest: &[&str]) -> Option<VoiceRoute> {
        match (method.as_str(), rest) {
            ("POST", []) => Some(VoiceRoute::Create),
            ("GET", []) => Some(VoiceRoute::List),
            ("GET", ["contact_status"]) => Some(VoiceRoute::Statuses),
            ("GET", [id]) => Some(VoiceRoute::Get(id.to_string())),
            ("PUT", [id]) => Some(VoiceRoute::Update(id.to_string())),
            ("DELETE", [id]) => Some(VoiceRoute::Delete(id.to_string())),
            _ => None,
        }
    }
}

/// Zoho Voice's error shape.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    json(
        status,
        json!({"code": code, "message": message, "status": "ERROR"}),
    )
}

fn bad(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "400", message)
}

fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "404",
        "The contact does not exist or has been deleted.",
    )
}

/// Answers one Zoho Voice contacts request.
pub fn handle(store: &mut Contacts, route: &VoiceRoute, req: &Req, now_ms: u64) -> Response {
    match route {
        VoiceRoute::Statuses => {
            let statuses: Vec<Value> = seed::VOICE_CONTACT_STATUSES
                .iter()
                .map(|(id, name)| json!({"display_value": name, "id": id}))
                .collect();
            json(
                StatusCode::OK,
                json!({"code": "200", "contact_status": statuses, "status": "SUCCESS"}),
            )
        }
        VoiceRoute::Create => {
            let input = match parse_contact(req) {
                Ok(c) => c,
                Err(m) => return bad(&m),
            };
            let mut c = new_contact(store, input.fields, now_ms);
            c.contact_status = input.status;
            let body = detail(&c);
            store.voice.insert(c.contact_id, c);
            store.voice_changes += 1;
            ok_contact(body)
        }
        VoiceRoute::Get(id) => match find(store, id) {
            Some(c) => ok_contact(detail(c)),
            None => not_found(),
        },
        VoiceRoute::Update(id) => {
            let input = match parse_contact(req) {
                Ok(c) => c,
                Err(m) => return bad(&m),
            };
            store.voice_changes += 1;
            let Some(c) = id.parse::<u64>().ok().and_then(|i| store.voice.get_mut(&i)) else {
                return not_found();
            };
            c.fields.extend(input.fields);
            if input.status.is_some() {
                c.contact_status = input.status;
            }
            ok_contact(detail(c))
        }
        VoiceRoute::Delete(id) => {
            match id.parse::<u64>().ok().and_then(|i| store.voice.remove(&i)) {
                Some(c) => {
                    store.voice_positions.forget();
                    store.voice_changes += 1;
                    json(
                        StatusCode::OK,
                        json!({"code": "200", "contacts": c.contact_id.to_string(), "status": "SUCCESS"}),
                    )
                }
                None => not_found(),
            }
        }
        VoiceRoute::List => list(store, req),
    }
}

fn find<'a>(store: &'a Contacts, id: &str) -> Option<&'a VoiceContact> {
    id.parse::<u64>().ok().and_then(|i| store.voice.get(&i))
}

fn ok_contact(contact: Value) -> Response {
    json(
        StatusCode::OK,
        json!({"code": "200", "contacts": contact, "status": "SUCCESS"}),
    )
}

fn list(store: &mut Contacts, req: &Req) -> Response {
    let from = match req.query("from").map(str::parse::<usize>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return bad("Invalid value for the parameter 'from'."),
    };
    let size = match req.query("size").map(str::parse::<usize>) {
        None => 50,
        Some(Ok(n)) if (1..=50).contains(&n) => n,
        Some(_) => return bad("Invalid value for the parameter 'size': it must be 1-50."),
    };
    let total = match req.query("totalCount") {
        Some(t) if t.eq_ignore_ascii_case("true") => store.voice.len() as i64,
        _ => -1,
    };
    let contacts: Vec<Value> = page(store, from, size)
        .iter()
        .filter_map(|id| store.voice.get(id))
        .map(summary)
        .collect();
    json(
        StatusCode::OK,
        json!({"code": "200", "meta": {"total": total}, "contacts": contacts, "status": "SUCCESS"}),
    )
}

/// The ids of the contacts at positions `from..from + size`, in id order.
fn page(store: &mut Contacts, from: usize, size: usize) -> Vec<u64> {
    let mut ids = store
        .voice_positions
        .page(&store.voice, 0, |_| true, from, size);
    ids.truncate(size);
    ids
}

/// A new contact, created at `now_ms`, with the next free id: `given` set over empty fields.
pub fn new_contact(
    store: &mut Contacts,
    given: impl IntoIterator<Item = (String, String)>,
    now_ms: u64,
) -> VoiceContact {
    let id = store.next_voice_id;
    store.next_voice_id += 1;
    let mut fields: BTreeMap<String, String> = FIELDS
        .iter()
        .map(|f| (f.to_string(), String::new()))
        .collect();
    fields.extend(given);
    VoiceContact {
        contact_id: id,
        fields,
        contact_status: None,
        created_time: now_ms,
    }
}

/// Which of a contact's answers a key stands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Both.
    Both,
    /// Create, get and update's ([`detail`]).
    Detail,
    /// The list's ([`summary`]).
    Summary,
}

/// The keys of a contact's answers, in the page's orders: the detail has `created_time` and
/// `number` besides, and places `mobile2` before `contact_owner`, the summary after it.
const ANSWER_KEYS: [(&str, Shape); 22] = [
    ("country", Shape::Both),
    ("created_time", Shape::Detail),
    ("is_spam", Shape::Both),
    ("address", Shape::Both),
    ("mobile", Shape::Both),
    ("mobile1", Shape::Both),
    ("phone2", Shape::Both),
    ("last_name", Shape::Both),
    ("phone3", Shape::Both),
    ("is_favourite", Shape::Both),
    ("contact_id", Shape::Both),
    ("phone1", Shape::Both),
    ("number", Shape::Detail),
    ("phone", Shape::Both),
    ("mobile3", Shape::Both),
    ("mobile2", Shape::Detail),
    ("contact_owner", Shape::Both),
    ("mobile2", Shape::Summary),
    ("company", Shape::Both),
    ("state", Shape::Both),
    ("first_name", Shape::Both),
    ("email", Shape::Both),
];

/// A contact's answer in `shape`: the value `own` gives a key, else the field of that name
/// (empty when not set); its status last, if it has one.
fn answer(c: &VoiceContact, shape: Shape, own: impl Fn(&str) -> Option<Value>) -> Value {
    let mut m = Map::new();
    for (key, _) in ANSWER_KEYS
        .iter()
        .filter(|(_, s)| *s == Shape::Both || *s == shape)
    {
        let v = own(key)
            .unwrap_or_else(|| Value::String(c.fields.get(*key).cloned().unwrap_or_default()));
        m.insert(key.to_string(), v);
    }
    add_status(&mut m, c);
    Value::Object(m)
}

/// A contact as create/get/update answer it: numeric ids, `number`, `created_time`.
pub fn detail(c: &VoiceContact) -> Value {
    let numbers: Vec<Value> = PHONE_FIELDS
        .iter()
        .filter_map(|k| c.fields.get(*k).filter(|v| !v.is_empty()))
        .map(|v| Value::String(v.clone()))
        .collect();
    answer(c, Shape::Detail, |key| match key {
        "created_time" => Some(json!(c.created_time)),
        "contact_id" => Some(json!(c.contact_id)),
        "number" => Some(Value::Array(numbers.clone())),
        "contact_owner" => Some(json!(seed::VOICE_OWNER_ID)),
        _ => None,
    })
}

/// A contact as the list answers it: string ids, the owner as an object.
pub fn summary(c: &VoiceContact) -> Value {
    answer(c, Shape::Summary, |key| match key {
        "contact_id" => Some(Value::String(c.contact_id.to_string())),
        "contact_owner" => Some(json!({
            "display_value": seed::VOICE_OWNER_NAME,
            "id": seed::VOICE_OWNER_ID.to_string(),
        })),
        _ => None,
    })
}

fn add_status(m: &mut Map<String, Value>, c: &VoiceContact) {
    if let Some((id, name)) = &c.contact_status {
        m.insert(
            "contact_status".to_string(),
            json!({"id": id, "display_value": name}),
        );
    }
}

/// The fields of a `contact` parameter, checked.
#[derive(Debug)]
struct ContactInput {
    fields: BTreeMap<String, String>,
    status: Option<(String, String)>,
}

fn parse_contact(req: &Req) -> Result<ContactInput, String> {
    let raw = req
        .param("contact")
        .ok_or("The parameter 'contact' is mandatory: the contact as a JSON string.")?;
    let value: Value = serde_json::from_str(&raw)
        .map_err(|e| format!("The parameter 'contact' is not valid JSON: {e}"))?;
    let Value::Object(obj) = value else {
        return Err("The parameter 'contact' must be a JSON object.".to_string());
    };
    let mut fields = BTreeMap::new();
    let mut status = None;
    for (k, v) in obj {
        if k == "contact_status" {
            let id = v
                .get("id")
                .and_then(Value::as_str)
                .ok_or("contact_status must be an object with an 'id' string.")?;
            let known = seed::VOICE_CONTACT_STATUSES
                .iter()
                .find(|(sid, _)| *sid == id)
                .ok_or_else(|| format!("Invalid contact_status id '{id}'."))?;
            status = Some((known.0.to_string(), known.1.to_string()));
            continue;
        }
        if !FIELDS.contains(&k.as_str()) {
            return Err(format!("Unknown key '{k}' in the parameter 'contact'."));
        }
        let Value::String(s) = v else {
            return Err(format!("The value of '{k}' must be a string."));
        };
        if PHONE_FIELDS.contains(&k.as_str()) && !s.is_empty() && !is_phone(&s) {
            return Err(format!("Invalid phone number in '{k}'."));
        }
        if k == "email" && !s.is_empty() && !is_email(&s) {
            return Err("Invalid email address.".to_string());
        }
        fields.insert(k, s);
    }
    for key in ["first_name", "mobile"] {
        if fields.get(key).is_none_or(|v| v.trim().is_empty()) {
            return Err(format!("The key '{key}' is mandatory."));
        }
    }
    Ok(ContactInput { fields, status })
}

impl Endpoint for VoiceRoute {
    fn label(&self) -> &'static str {
        match self {
            VoiceRoute::Create => "POST /rest/json/zv/contacts",
            VoiceRoute::List => "GET /rest/json/zv/contacts",
            VoiceRoute::Statuses => "GET /rest/json/zv/contacts/contact_status",
            VoiceRoute::Get(_) => "GET /rest/json/zv/contacts/{id}",
            VoiceRoute::Update(_) => "PUT /rest/json/zv/contacts/{id}",
            VoiceRoute::Delete(_) => "DELETE /rest/json/zv/contacts/{id}",
        }
    }

    /// What the endpoint does, for its scope.
    fn op(&self) -> Option<Access> {
        Some(match self {
            VoiceRoute::Create => Access::Create,
            VoiceRoute::List | VoiceRoute::Statuses | VoiceRoute::Get(_) => Access::Read,
            VoiceRoute::Update(_) => Access::Update,
            VoiceRoute::Delete(_) => Access::Delete,
        })
    }

    fn answer(&self, store: &mut Store, ctx: &Ctx<'_>) -> Response {
        handle(store.rooms.get::<Contacts>(), self, ctx.req, ctx.now_ms)
    }
}

emulator_settings! {}

/// The emulator.
pub static EMULATOR: Emulator = Emulator::new("zoho_voice", &ZohoVoice, &["rest", "json"])
    .endpoints(&["rest", "json", "zv", "contacts"], parse::<VoiceRoute>)
    .serves(
        &crate::connectors::zoho_voice::DESCRIPTOR,
        &super::zoho::Zoho,
        Carried::Parameter,
    )
    .choices(CHOICES);

/// The Zoho Voice contacts API.
#[derive(Debug)]
pub struct ZohoVoice;

impl Behaviour for ZohoVoice {
    fn error(&self, status: StatusCode, message: &str) -> Response {
        error(status, &status.as_u16().to_string(), message)
    }

    fn snapshot(&self, store: &mut Store) -> Option<Value> {
        let voice: Vec<Value> = store
            .rooms
            .get::<Contacts>()
            .voice
            .values()
            .map(detail)
            .collect();
        Some(json!({"count": voice.len(), "contacts": voice}))
    }

    fn credentials(&self) -> Vec<Placed<Value>> {
        let statuses: Vec<Value> = seed::VOICE_CONTACT_STATUSES
            .iter()
            .map(|(id, name)| json!({"id": id, "display_value": name}))
            .collect();
        vec![Placed {
            place: 7,
            name: "voice_contact_statuses",
            value: Value::Array(statuses),
        }]
    }

    fn records(&self, store: &mut Store) -> Vec<StoredRecord> {
        store
            .rooms
            .get::<Contacts>()
            .voice
            .values()
            .map(|c| StoredRecord {
                id: c.contact_id.to_string(),
                phones: vec![c.fields.get("mobile").cloned().unwrap_or_default()],
            })
            .collect()
    }

    fn add_bulk(&self, store: &mut Store, r: &BulkRecord, now_ms: u64) {
        let given = [
            ("first_name".to_string(), r.first.clone()),
            ("last_name".to_string(), r.last.clone()),
            ("mobile".to_string(), r.mobile.clone()),
            ("email".to_string(), r.email.clone()),
        ];
        let contacts = store.rooms.get::<Contacts>();
        let c = new_contact(contacts, given, now_ms);
        contacts.voice.insert(c.contact_id, c);
        contacts.voice_changes += 1;
    }
}

impl super::Sandbox {
    /// The Zoho Voice contacts, by id.
    pub fn voice_contacts(&self) -> Vec<VoiceContact> {
        self.read_room(|c: &Contacts| c.voice.values().cloned().collect())
    }
}

const VOICE_PAGE: &str = "Zoho Voice contacts page";

/// What the sandbox answers where the page is silent.
const CHOICES: &[Choice] = &[
    Choice {
        target: "zoho-voice",
        point: "what a lock-out answers (\"lock period is 10 min\" on the call-logs page)",
        sandbox: "only when configured (`lockout`): HTTP 429 to every API request for its length, with a Retry-After of what is left, or with none (`retry_after: false`); on every API alike",
        silent: "Zoho's current pages, 2026 (the lock period is quoted from the call-logs page; no page shows its answer)",
    },
    Choice {
        target: "zoho-voice",
        point: "what a contact that does not exist (or was deleted) answers",
        sandbox: "HTTP 404, code \"404\" \"The contact does not exist or has been deleted.\" (bulkline's undo counts it as already gone)",
        silent: "Zoho Voice contacts page (errors only as \"<App Error Code>\"; Zoho's current pages, 2026: already-gone codes not documented)",
    },
    Choice {
        target: "zoho-voice",
        point: "the code of a request it refuses (bad contact JSON, a missing key, paging out of range)",
        sandbox: "HTTP 400, code \"400\" with the reason in message",
        silent: VOICE_PAGE,
    },
    Choice {
        target: "zoho-voice",
        point: "how the `contact` parameter travels on POST and PUT",
        sandbox: "taken from a form body or the query string, for both methods",
        silent: "Zoho Voice contacts page (Zoho's current pages, 2026: a form body on PUT may not arrive)",
    },
    Choice {
        target: "zoho-voice",
        point: "a rate limit for contacts",
        sandbox: "none of its own (only the global --rate-limit, answered 429 with Retry-After)",
        silent: "Zoho Voice contacts page (the call-logs page's \"30 calls per min, lock 10 min\" may hold here too)",
    },
    Choice {
        target: "zoho-voice",
        point: "an update that leaves keys out",
        sandbox: "keys not sent keep their values (first_name and mobile are still required)",
        silent: VOICE_PAGE,
    },
    Choice {
        target: "zoho-voice",
        point: "paging: `from` and `size`",
        sandbox: "`from` counts from 0 in id order; `size` 1..=50, else 400; meta.total is -1 unless totalCount=true",
        silent: VOICE_PAGE,
    },
    Choice {
        target: "zoho-voice",
        point: "a token without the operation's scope",
        sandbox: "HTTP 401, code OAUTH_SCOPE_MISMATCH \"invalid oauth scope to access this URL\"",
        silent: VOICE_PAGE,
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
            230,
            0,
        );
        let store = all.rooms.get::<Contacts>();
        let counted = |store: &Contacts, from: usize, size: usize| -> Vec<u64> {
            store.voice.keys().skip(from).take(size).copied().collect()
        };
        let mut from = 0;
        while from < 240 {
            let expected = counted(store, from, 50);
            assert_eq!(page(store, from, 50), expected, "from {from}");
            if from == 100 {
                // A delete before the cursor moves every later position: counted again.
                let first = *store.voice.keys().next().unwrap();
                store.voice.remove(&first);
                store.voice_positions.forget();
            }
            if from == 150 {
                // A new contact goes last: positions stay.
                let c = new_contact(store, [("first_name".to_string(), "N".to_string())], 0);
                store.voice.insert(c.contact_id, c);
            }
            from += 50;
        }
        // A page asked out of turn is counted from the start.
        assert_eq!(page(store, 7, 3), counted(store, 7, 3));
        assert_eq!(page(store, 10, 50), counted(store, 10, 50));
    }

    #[test]
    fn routes_parse() {
        assert_eq!(VoiceRoute::parse(&Method::GET, &[]), Some(VoiceRoute::List));
        assert_eq!(
            VoiceRoute::parse(&Method::GET, &["contact_status"]),
            Some(VoiceRoute::Statuses)
        );
        assert_eq!(
            VoiceRoute::parse(&Method::PUT, &["12"]),
            Some(VoiceRoute::Update("12".into()))
        );
        assert_eq!(VoiceRoute::parse(&Method::PATCH, &["12"]), None);
    }

    #[test]
    fn shapes_differ_between_detail_and_summary() {
        let c = VoiceContact {
            contact_id: 7,
            fields: [("first_name".to_string(), "A".to_string())].into(),
            contact_status: None,
            created_time: 1,
        };
        assert_eq!(detail(&c)["contact_id"], json!(7));
        assert_eq!(summary(&c)["contact_id"], json!("7"));
        assert!(summary(&c)["contact_owner"].is_object());
        assert!(detail(&c)["contact_owner"].is_u64());
    }
}
