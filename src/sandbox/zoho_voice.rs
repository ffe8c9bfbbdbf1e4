//! Zoho Voice contacts (`/rest/json/zv/contacts`): the `contact` parameter is a JSON *string*
//! (form body or query string); list answers give ids as strings and the owner as an object,
//! create/get/update answers give them as numbers.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::seed;
use super::state::{Store, VoiceContact};
use super::wire::{Req, json};

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

impl VoiceRoute {
    /// The route of `method` on the segments after `/rest/json/zv/contacts`.
    pub fn parse(method: &Method, rest: &[&str]) -> Option<VoiceRoute> {
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

    /// What the endpoint does, for its scope.
    pub fn op(&self) -> crate::scopes::Op {
        use crate::scopes::Op;
        match self {
            VoiceRoute::Create => Op::Create,
            VoiceRoute::List | VoiceRoute::Statuses | VoiceRoute::Get(_) => Op::Read,
            VoiceRoute::Update(_) => Op::Update,
            VoiceRoute::Delete(_) => Op::Delete,
        }
    }

    /// The endpoint's name in the request counters.
    pub fn label(&self) -> &'static str {
        match self {
            VoiceRoute::Create => "POST /rest/json/zv/contacts",
            VoiceRoute::List => "GET /rest/json/zv/contacts",
            VoiceRoute::Statuses => "GET /rest/json/zv/contacts/contact_status",
            VoiceRoute::Get(_) => "GET /rest/json/zv/contacts/{id}",
            VoiceRoute::Update(_) => "PUT /rest/json/zv/contacts/{id}",
            VoiceRoute::Delete(_) => "DELETE /rest/json/zv/contacts/{id}",
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
pub fn handle(store: &mut Store, route: &VoiceRoute, req: &Req, now_ms: u64) -> Response {
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

fn find<'a>(store: &'a Store, id: &str) -> Option<&'a VoiceContact> {
    id.parse::<u64>().ok().and_then(|i| store.voice.get(&i))
}

fn ok_contact(contact: Value) -> Response {
    json(
        StatusCode::OK,
        json!({"code": "200", "contacts": contact, "status": "SUCCESS"}),
    )
}

fn list(store: &mut Store, req: &Req) -> Response {
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
fn page(store: &mut Store, from: usize, size: usize) -> Vec<u64> {
    let mut ids = store
        .voice_positions
        .page(&store.voice, 0, |_| true, from, size);
    ids.truncate(size);
    ids
}

/// A new contact, created at `now_ms`, with the next free id: `given` set over empty fields.
pub fn new_contact(
    store: &mut Store,
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

/// A contact as create/get/update answer it: numeric ids, `number`, `created_time`.
pub fn detail(c: &VoiceContact) -> Value {
    let f = |k: &str| Value::String(c.fields.get(k).cloned().unwrap_or_default());
    let numbers: Vec<Value> = PHONE_FIELDS
        .iter()
        .filter_map(|k| c.fields.get(*k).filter(|v| !v.is_empty()))
        .map(|v| Value::String(v.clone()))
        .collect();
    let mut m = Map::new();
    for key in [
        "country",
        "created_time",
        "is_spam",
        "address",
        "mobile",
        "mobile1",
        "phone2",
        "last_name",
        "phone3",
        "is_favourite",
        "contact_id",
        "phone1",
        "number",
        "phone",
        "mobile3",
        "mobile2",
        "contact_owner",
        "company",
        "state",
        "first_name",
        "email",
    ] {
        let v = match key {
            "created_time" => json!(c.created_time),
            "contact_id" => json!(c.contact_id),
            "number" => Value::Array(numbers.clone()),
            "contact_owner" => json!(seed::VOICE_OWNER_ID),
            k => f(k),
        };
        m.insert(key.to_string(), v);
    }
    add_status(&mut m, c);
    Value::Object(m)
}

/// A contact as the list answers it: string ids, the owner as an object.
pub fn summary(c: &VoiceContact) -> Value {
    let f = |k: &str| Value::String(c.fields.get(k).cloned().unwrap_or_default());
    let mut m = Map::new();
    for key in [
        "country",
        "is_spam",
        "address",
        "mobile",
        "mobile1",
        "phone2",
        "last_name",
        "phone3",
        "is_favourite",
        "contact_id",
        "phone1",
        "phone",
        "mobile3",
        "contact_owner",
        "mobile2",
        "company",
        "state",
        "first_name",
        "email",
    ] {
        let v = match key {
            "contact_id" => Value::String(c.contact_id.to_string()),
            "contact_owner" => json!({
                "display_value": seed::VOICE_OWNER_NAME,
                "id": seed::VOICE_OWNER_ID.to_string(),
            }),
            k => f(k),
        };
        m.insert(key.to_string(), v);
    }
    add_status(&mut m, c);
    Value::Object(m)
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

/// Digits with the usual punctuation, at least 3 digits.
pub fn is_phone(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        && s.chars().filter(char::is_ascii_digit).count() >= 3
}

/// `local@domain.tld`, roughly.
pub fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((l, d)) => {
            !l.is_empty()
                && d.contains('.')
                && !d.starts_with('.')
                && !d.ends_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_in_turn_are_the_pages_counted_from_the_start() {
        let mut store = Store::seeded(1);
        crate::sandbox::bulk::add(&mut store, crate::sandbox::bulk::Apis::Voice, 230, 0);
        let counted = |store: &Store, from: usize, size: usize| -> Vec<u64> {
            store.voice.keys().skip(from).take(size).copied().collect()
        };
        let mut from = 0;
        while from < 240 {
            let expected = counted(&store, from, 50);
            assert_eq!(page(&mut store, from, 50), expected, "from {from}");
            if from == 100 {
                // A delete before the cursor moves every later position: counted again.
                let first = *store.voice.keys().next().unwrap();
                store.voice.remove(&first);
                store.voice_positions.forget();
            }
            if from == 150 {
                // A new contact goes last: positions stay.
                let c = new_contact(&mut store, [("first_name".to_string(), "N".to_string())], 0);
                store.voice.insert(c.contact_id, c);
            }
            from += 50;
        }
        // A page asked out of turn is counted from the start.
        assert_eq!(page(&mut store, 7, 3), counted(&store, 7, 3));
        assert_eq!(page(&mut store, 10, 50), counted(&store, 10, 50));
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
    fn phones_and_emails() {
        assert!(is_phone("+1 (201) 555-0123"));
        assert!(!is_phone("call me"));
        assert!(!is_phone("+1"));
        assert!(is_email("a@b.co"));
        assert!(!is_email("a@b"));
        assert!(!is_email("@b.co"));
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
