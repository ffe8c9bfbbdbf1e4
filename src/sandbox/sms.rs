//! Zoho Voice SMS: `POST /rest/json/v1/sms/send` (JSON, form or query parameters),
//! `POST /rest/json/v2/sms/send` (multipart: `sms_data` JSON and an `mms_media` file) and
//! `GET /rest/json/v1/sms/logs`. Sent messages are delivered at once (`DELIVERED` in the logs)
//! unless scheduled; incoming messages are added by the admin API.
//!
//! Zoho's current send pages (2026) make `senderId` required and allow
//! 1,000 characters: a send without a sender id, or with one the account does not have, is
//! refused `ZVSMS-4027 Bad Request` (the page's error sample), as is a longer message
//! (`ZVSMS-4003`). Error codes other than the pages' `ZVSMS-4027` and `ZVSMS-4038` are the
//! sandbox's own: `ZVSMS-4001` missing or invalid number, `ZVSMS-4002` missing message,
//! `ZVSMS-4003` message too long, `ZVSMS-4005` another invalid parameter.
//!
//! Stricter where the current pages are: a send of more than [`MAX_NUMBERS`] numbers is
//! refused (`ZVSMS-4005`, the page's "Maximum allowed is 10"), and the logs' `fromDate` and
//! `toDate` must carry a time (`yyyy-MM-dd HH:mm:ss`, or `HH:mm`): a date alone is refused
//! (`ZVSMS-4005`). Which code the live API answers for either is not on the pages.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::choices::Choice;
use super::emulator::{Behaviour, BulkRecord, Ctx, Emulator, Endpoint, Placed, Routes, parse};
use super::seed;
use super::state::{Store, lock};
use super::wire::{self, Req, json};
use super::zoho_voice::Contacts;
use crate::scopes::Access;

/// The SMS account's seeded sender and user.
pub mod seeded {
    /// The default SMS sender id.
    pub const SMS_SENDER_ID: &str = "+14845550100";
    /// The SMS user's email.
    pub const SMS_EMAIL: &str = "sandbox@example.com";
    /// The SMS user's zuid.
    pub const SMS_ZUID: u64 = 669069956;
    /// The SMS organization's zsoid.
    pub const SMS_ZSOID: &str = "697950588";
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

/// The messages a log query matched (their indexes in [`SmsLog::sms`], newest first), for the
/// query `key` over the first `len` messages.
#[derive(Debug, Clone, Default)]
pub struct LogMatches {
    pub key: String,
    pub len: usize,
    pub hits: Vec<usize>,
}

/// The SMS log: the emulator's room of the store.
#[derive(Debug, Default)]
pub struct SmsLog {
    /// In arrival order.
    pub sms: Vec<SmsMessage>,
    /// The last log query's matches, newest first, so that reading its pages in turn does not
    /// filter and sort every message again for each page.
    pub sms_query: Option<LogMatches>,
    /// The logs' customer names by mobile, as of a count of changes to the contacts.
    pub sms_names: Option<(u64, Arc<HashMap<String, String>>)>,
}

/// The longest message.
pub const MAX_MESSAGE_CHARS: usize = 1_000;
/// The most numbers one send takes (the current send pages: "Maximum allowed is 10").
pub const MAX_NUMBERS: usize = 10;

/// Calling codes and their ISO country codes; longest match wins.
const CALLING_CODES: [(&str, &str); 33] = [
    ("1", "us"),
    ("7", "ru"),
    ("20", "eg"),
    ("27", "za"),
    ("30", "gr"),
    ("31", "nl"),
    ("32", "be"),
    ("33", "fr"),
    ("34", "es"),
    ("39", "it"),
    ("41", "ch"),
    ("44", "gb"),
    ("45", "dk"),
    ("46", "se"),
    ("47", "no"),
    ("48", "pl"),
    ("49", "de"),
    ("52", "mx"),
    ("55", "br"),
    ("61", "au"),
    ("64", "nz"),
    ("65", "sg"),
    ("81", "jp"),
    ("82", "kr"),
    ("86", "cn"),
    ("90", "tr"),
    ("91", "in"),
    ("98", "ir"),
    ("234", "ng"),
    ("254", "ke"),
    ("353", "ie"),
    ("971", "ae"),
    ("972", "il"),
];

/// The SMS endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsRoute {
    SendV1,
    SendV2,
    Logs,
}

impl Routes for SmsRoute {
    /// The route of `method` on the segments after `/rest/json`.
    fn parse(method: &Method, rest: &[&str]) -> Option<SmsRoute> {
        match (method.as_str(), rest) {
            ("POST", ["v1", "sms", "send"]) => Some(SmsRoute::SendV1),
            ("POST", ["v2", "sms", "send"]) => Some(SmsRoute::SendV2),
            ("GET", ["v1", "sms", "logs"]) => Some(SmsRoute::Logs),
            _ => None,
        }
    }
}

/// Zoho Voice SMS's error shape (HTTP 400).
pub fn error(code: &str, message: &str) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        json!({"code": code, "message": message, "status": "ERROR"}),
    )
}

/// How sends are answered (from the sandbox's configuration).
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// Calling codes answered `ZVSMS-4038`.
    pub unsupported: &'a [String],
    /// The answer to several numbers names only the first.
    pub first_number_only: bool,
}

/// Answers one SMS request.
pub fn handle(
    store: &mut Store,
    route: SmsRoute,
    req: &Req,
    rules: &Rules<'_>,
    now_ms: u64,
) -> Response {
    match route {
        SmsRoute::SendV1 => match v1_params(req) {
            Ok(p) => send(store, &p, None, rules, now_ms),
            Err(m) => error("ZVSMS-4005", &m),
        },
        SmsRoute::SendV2 => {
            let parts = match wire::parse_multipart(req) {
                Ok(p) => p,
                Err(m) => return error("ZVSMS-4005", &m),
            };
            let Some(data) = parts.iter().find(|p| p.name == "sms_data") else {
                return error("ZVSMS-4005", "The parameter 'sms_data' is mandatory.");
            };
            let mut params = match serde_json::from_slice::<Value>(&data.data) {
                Ok(Value::Object(m)) => m,
                _ => return error("ZVSMS-4005", "'sms_data' must be a JSON object."),
            };
            for key in ["scheduledTime", "timeZone"] {
                if let Some(p) = parts.iter().find(|p| p.name == key) {
                    let v = String::from_utf8_lossy(&p.data).into_owned();
                    params.insert(key.to_string(), Value::String(v));
                }
            }
            let media = parts.iter().find(|p| p.name == "mms_media").map(|p| {
                let file = p.filename.clone().unwrap_or_else(|| "media".to_string());
                let ext = file
                    .rsplit_once('.')
                    .map(|(_, e)| e.to_string())
                    .unwrap_or_default();
                (file, ext, p.data.len())
            });
            let mms_flag = params.get("mms").and_then(Value::as_bool).unwrap_or(false);
            let meta = if media.is_some() || mms_flag {
                let (file, ext, size) = media.unwrap_or_default();
                Some(json!({
                    "bucketName": "zohovoice-mms-sandbox",
                    "fileName": file,
                    "fileSize": size,
                    "objectName": format!("{file}-{now_ms}"),
                    "fileExtn": ext,
                    "mmsId": store.rng.uuid(),
                }))
            } else {
                None
            };
            send(store, &params, meta, rules, now_ms)
        }
        SmsRoute::Logs => logs(store, req),
    }
}

/// The v1 parameters: a JSON body, else the form body and the query string.
fn v1_params(req: &Req) -> Result<Map<String, Value>, String> {
    if req.content_type() == "application/json" {
        return match req.json()? {
            Value::Object(m) => Ok(m),
            _ => Err("The body must be a JSON object.".to_string()),
        };
    }
    let mut m = Map::new();
    for (k, v) in req.query.iter().cloned().chain(req.form()) {
        m.insert(k, Value::String(v));
    }
    Ok(m)
}

/// A parameter as text: strings as they are, numbers and booleans written out.
fn text(p: &Map<String, Value>, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A number as E.164 (`+13239205839`), or `None` when it is not one.
pub fn normalize_number(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(|c| !" -().".contains(*c)).collect();
    let digits = digits.strip_prefix('+').unwrap_or(&digits);
    let digits = digits.strip_prefix("00").unwrap_or(digits);
    if (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Some(format!("+{digits}"))
    } else {
        None
    }
}

/// The calling code and ISO country of an E.164 number.
pub fn country_of(e164: &str) -> (String, String) {
    let digits = e164.trim_start_matches('+');
    CALLING_CODES
        .iter()
        .filter(|(cc, _)| digits.starts_with(cc))
        .max_by_key(|(cc, _)| cc.len())
        .map(|(cc, iso)| (cc.to_string(), iso.to_string()))
        .unwrap_or_else(|| (digits.chars().take(3).collect(), "xx".to_string()))
}

/// `+1 3239205839`, as Zoho Voice shows numbers.
pub fn display_number(e164: &str) -> String {
    let (cc, _) = country_of(e164);
    let digits = e164.trim_start_matches('+');
    format!("+{cc} {}", digits.get(cc.len()..).unwrap_or(""))
}

/// SMS segments: 160/153 GSM characters, 70/67 otherwise.
fn multipart_count(message: &str) -> u32 {
    let n = message.chars().count();
    let (single, part) = if message.is_ascii() {
        (160, 153)
    } else {
        (70, 67)
    };
    if n <= single {
        1
    } else {
        n.div_ceil(part) as u32
    }
}

fn send(
    store: &mut Store,
    p: &Map<String, Value>,
    mms_meta: Option<Value>,
    rules: &Rules<'_>,
    now_ms: u64,
) -> Response {
    let Some(numbers) = text(p, "customerNumber").filter(|s| !s.trim().is_empty()) else {
        return error("ZVSMS-4001", "The parameter 'customerNumber' is mandatory.");
    };
    let mut targets = Vec::new();
    for raw in numbers.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match normalize_number(raw) {
            Some(n) => targets.push(n),
            None => return error("ZVSMS-4001", &format!("Invalid customerNumber '{raw}'.")),
        }
    }
    if targets.is_empty() {
        return error("ZVSMS-4001", "The parameter 'customerNumber' is mandatory.");
    }
    if targets.len() > MAX_NUMBERS {
        return error(
            "ZVSMS-4005",
            &format!(
                "customerNumber: Maximum allowed is {MAX_NUMBERS} numbers per request ({} given).",
                targets.len()
            ),
        );
    }
    let Some(message) = text(p, "message").filter(|m| !m.is_empty()) else {
        return error("ZVSMS-4002", "The parameter 'message' is mandatory.");
    };
    if message.chars().count() > MAX_MESSAGE_CHARS {
        return error(
            "ZVSMS-4003",
            "The message can have at most 1,000 characters.",
        );
    }
    if let Some(d) = text(p, "dataCoding")
        && !matches!(d.as_str(), "0" | "1" | "2")
    {
        return error("ZVSMS-4005", "dataCoding must be 0, 1 or 2.");
    }
    if let Some(v) = text(p, "validityPeriod")
        && !v.parse::<u32>().is_ok_and(|m| m <= 14_400)
    {
        return error(
            "ZVSMS-4005",
            "validityPeriod must be between 0 and 14400 minutes.",
        );
    }
    let scheduled = text(p, "scheduledTime").filter(|s| !s.is_empty());
    if let Some(s) = &scheduled
        && wire::parse_date(s.split(' ').next().unwrap_or("")).is_none()
    {
        return error(
            "ZVSMS-4005",
            "scheduledTime must look like yyyy-MM-dd HH:mm:ss.",
        );
    }
    if targets
        .iter()
        .any(|t| rules.unsupported.contains(&country_of(t).0))
    {
        return error(
            "ZVSMS-4038",
            "Destination country not supported. Kindly contact zohovoice support",
        );
    }
    let Some(sender) = text(p, "senderId").filter(|s| !s.trim().is_empty()) else {
        return error(
            "ZVSMS-4027",
            "Bad Request: the parameter 'senderId' is mandatory.",
        );
    };
    if sender.trim() != seed::SMS_SENDER_ID {
        return error(
            "ZVSMS-4027",
            &format!("Bad Request: '{sender}' is not a sender id of this account."),
        );
    }
    let names = names_by_mobile(store.rooms.get::<Contacts>());
    let mut sent = Vec::new();
    for number in targets {
        let msg = SmsMessage {
            logid: store.rng.uuid(),
            country: country_of(&number).1,
            customer_number: number,
            message: message.clone(),
            sender_id: sender.clone(),
            direction: Direction::Outgoing,
            status: if scheduled.is_some() {
                "SCHEDULED"
            } else {
                "DELIVERED"
            }
            .to_string(),
            submitted_time: now_ms,
            scheduled_time: scheduled.clone(),
            time_zone: text(p, "timeZone"),
            multipart_count: multipart_count(&message),
            is_mms: mms_meta.is_some(),
            mms_meta: mms_meta.iter().cloned().collect(),
        };
        let mut out = json!({
            "multipartCount": msg.multipart_count,
            "country": msg.country,
            "submittedTime": msg.submitted_time,
            "customerNumber": display_number(&msg.customer_number),
            "message": msg.message,
            "userName": seed::VOICE_OWNER_NAME,
            "customerName": customer_name(&names, &msg.customer_number),
            "senderId": msg.sender_id,
            "messageType": "OUTGOING",
        });
        if let Some(o) = out.as_object_mut() {
            if msg.is_mms {
                o.insert("isMMS".into(), Value::Bool(true));
                o.insert("mmsMeta".into(), Value::Array(msg.mms_meta.clone()));
            }
            o.insert("sentTime".into(), json!(wire::format_minute(now_ms)));
            o.insert("logid".into(), json!(msg.logid));
            o.insert("email".into(), json!(seed::SMS_EMAIL));
            o.insert("status".into(), json!("IN_QUEUE"));
        }
        sent.push(out);
        store.rooms.get::<SmsLog>().sms.push(msg);
    }
    let send = if sent.len() == 1 {
        sent.pop().unwrap_or(Value::Null)
    } else {
        if rules.first_number_only {
            sent.truncate(1);
        }
        Value::Array(sent)
    };
    json(
        StatusCode::OK,
        json!({"code": "ZVSMS-2000", "send": send, "status": "SUCCESS"}),
    )
}

/// The names of the Zoho Voice contacts by mobile (E.164), the first contact winning.
fn names_by_mobile(contacts: &Contacts) -> HashMap<String, String> {
    let mut names = HashMap::new();
    for c in contacts.voice.values() {
        if let Some(m) = c.fields.get("mobile").and_then(|m| normalize_number(m)) {
            names.entry(m).or_insert_with(|| {
                let first = c.fields.get("first_name").cloned().unwrap_or_default();
                let last = c.fields.get("last_name").cloned().unwrap_or_default();
                format!("{first} {last}").trim().to_string()
            });
        }
    }
    names
}

/// The name of the Zoho Voice contact with this mobile, else the number.
fn customer_name(names: &HashMap<String, String>, e164: &str) -> String {
    names
        .get(e164)
        .cloned()
        .unwrap_or_else(|| display_number(e164))
}

/// Records an incoming SMS from `number`; returns its log id.
pub fn add_incoming(
    store: &mut Store,
    number: &str,
    message: &str,
    sender_id: Option<&str>,
    now_ms: u64,
) -> Result<String, String> {
    let n = normalize_number(number).ok_or_else(|| format!("invalid number '{number}'"))?;
    let logid = store.rng.uuid();
    store.rooms.get::<SmsLog>().sms.push(SmsMessage {
        logid: logid.clone(),
        country: country_of(&n).1,
        customer_number: n,
        message: message.to_string(),
        sender_id: sender_id.unwrap_or(seed::SMS_SENDER_ID).to_string(),
        direction: Direction::Incoming,
        status: "DELIVERED".to_string(),
        submitted_time: now_ms,
        scheduled_time: None,
        time_zone: None,
        multipart_count: multipart_count(message),
        is_mms: false,
        mms_meta: Vec::new(),
    });
    Ok(logid)
}

/// What the admin API does to a message of the logs (for tests of `sms-status --verify`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEdit {
    /// The message is gone from the logs.
    Remove,
    /// The message's text becomes this.
    Text(String),
}

/// Changes or removes the message with `logid`; false when there is none.
pub fn edit_log(store: &mut Store, logid: &str, edit: &LogEdit) -> bool {
    let log = store.rooms.get::<SmsLog>();
    let Some(i) = log.sms.iter().position(|m| m.logid == logid) else {
        return false;
    };
    match edit {
        LogEdit::Remove => {
            log.sms.remove(i);
        }
        LogEdit::Text(t) => log.sms[i].message = t.clone(),
    }
    // The cached matches of the last query hold indexes and texts: they are stale now.
    log.sms_query = None;
    true
}

/// `yyyy-MM-dd HH:mm:ss` (or `HH:mm`, or a `T` between), UTC, in ms since the epoch (the
/// last millisecond of that second when `end`). A date alone is refused: the current logs
/// page wants a date and a time.
fn parse_when(text: &str, end: bool) -> Option<i64> {
    let text = text.trim();
    let (date, time) = text.split_once([' ', 'T'])?;
    let time = time.trim();
    let day = wire::parse_date(date)?;
    let start = day * 86_400_000;
    let mut parts = time.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let s: i64 = match parts.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some()
        || !(0..24).contains(&h)
        || !(0..60).contains(&m)
        || !(0..61).contains(&s)
    {
        return None;
    }
    Some(start + ((h * 60 + m) * 60 + s) * 1000 + if end { 999 } else { 0 })
}

/// The logs' customer names by mobile, as of the contacts' last change (cached until the next).
fn names_as_of_now(store: &mut Store) -> Arc<HashMap<String, String>> {
    let changes = store.rooms.get::<Contacts>().voice_changes;
    if let Some((at, names)) = &store.rooms.get::<SmsLog>().sms_names
        && *at == changes
    {
        return Arc::clone(names);
    }
    let names = Arc::new(names_by_mobile(store.rooms.get::<Contacts>()));
    store.rooms.get::<SmsLog>().sms_names = Some((changes, Arc::clone(&names)));
    names
}

fn logs(store: &mut Store, req: &Req) -> Response {
    let num = |k: &str, default: usize| match req.query(k) {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| format!("Invalid value for '{k}'.")),
    };
    let (from, size) = match (num("from", 0), num("size", 100)) {
        (Ok(f), Ok(s)) if s >= 1 => (f, s),
        (Err(m), _) | (_, Err(m)) => return error("ZVSMS-4005", &m),
        _ => return error("ZVSMS-4005", "Invalid value for 'size'."),
    };
    // The current page sends a date and a time (`yyyy-MM-dd HH:mm:ss`); a date alone (the
    // older page's form) is refused, as the live logs refuse it.
    let when = |k: &str, end: bool| match req.query(k) {
        None | Some("") => Ok(None),
        Some(v) => parse_when(v, end).map(Some).ok_or(format!(
            "'{k}' must be yyyy-MM-dd HH:mm:ss, a date and a time."
        )),
    };
    let (from_ms, to_ms) = match (when("fromDate", false), when("toDate", true)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(m), _) | (_, Err(m)) => return error("ZVSMS-4005", &m),
    };
    let direction = match req
        .query("messageType")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("all") | Some("") => None,
        Some("incoming") => Some(Direction::Incoming),
        Some("outgoing") => Some(Direction::Outgoing),
        Some(_) => {
            return error(
                "ZVSMS-4005",
                "messageType must be All, Incoming or Outgoing.",
            );
        }
    };
    let number = req
        .query("customerNumber")
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().filter(char::is_ascii_digit).collect::<String>());
    let country = req
        .query("country")
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase);
    // Messages are only ever appended: the last query's matches hold while none is added.
    let key = format!("{from_ms:?}|{to_ms:?}|{direction:?}|{number:?}|{country:?}");
    let log = store.rooms.get::<SmsLog>();
    let fresh = log
        .sms_query
        .as_ref()
        .is_some_and(|q| q.key == key && q.len == log.sms.len());
    if !fresh {
        let mut hits: Vec<usize> = log
            .sms
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                let at = m.submitted_time as i64;
                from_ms.is_none_or(|t| at >= t)
                    && to_ms.is_none_or(|t| at <= t)
                    && direction.is_none_or(|d| m.direction == d)
                    && number
                        .as_deref()
                        .is_none_or(|n| m.customer_number.trim_start_matches('+') == n)
                    && country.as_deref().is_none_or(|c| m.country == c)
            })
            .map(|(i, _)| i)
            .collect();
        // Newest first; among equal times, the later arrival first.
        hits.reverse();
        hits.sort_by_key(|&i| std::cmp::Reverse(log.sms[i].submitted_time));
        log.sms_query = Some(LogMatches {
            key,
            len: log.sms.len(),
            hits,
        });
    }
    let total = log.sms_query.as_ref().map_or(0, |q| q.hits.len());
    let names = names_as_of_now(store);
    let log = store.rooms.get::<SmsLog>();
    let Some(matches) = log.sms_query.as_ref() else {
        return error("ZVSMS-4005", "the query could not be run");
    };
    let items: Vec<Value> = matches
        .hits
        .iter()
        .skip(from)
        .take(size)
        .map(|&i| log_json(&names, &log.sms[i]))
        .collect();
    json(
        StatusCode::OK,
        json!({"smsLogQuery": items, "meta": {"total": total}, "status": "success"}),
    )
}

/// A message as the logs show it, named from `names` ([`names_by_mobile`]).
fn log_json(names: &HashMap<String, String>, m: &SmsMessage) -> Value {
    let mut o = json!({
        "country": m.country,
        "multipartCount": m.multipart_count,
        "submittedTime": m.submitted_time,
        "isBlocked": false,
        "emailId": seed::SMS_EMAIL,
        "customerNumber": display_number(&m.customer_number),
        "message": m.message,
        "userName": seed::VOICE_OWNER_NAME,
        "customerName": customer_name(names, &m.customer_number),
        "zuid": seed::SMS_ZUID,
        "senderId": m.sender_id,
        "messageType": m.direction,
        "isMMS": m.is_mms,
    });
    if let Some(obj) = o.as_object_mut() {
        if m.is_mms {
            obj.insert("mmsMeta".into(), Value::Array(m.mms_meta.clone()));
        }
        obj.insert("isLongCode".into(), json!(true));
        obj.insert(
            "sentTime".into(),
            json!(wire::format_minute(m.submitted_time)),
        );
        obj.insert("logid".into(), json!(m.logid));
        obj.insert("zsoid".into(), json!(seed::SMS_ZSOID));
        obj.insert("senderIdCountry".into(), json!("us"));
        obj.insert("senderIdName".into(), json!(m.sender_id));
        if let Some(s) = &m.scheduled_time {
            obj.insert("scheduledTime".into(), json!(s));
        }
        obj.insert("status".into(), json!(m.status));
    }
    o
}

impl Endpoint for SmsRoute {
    fn label(&self) -> &'static str {
        match self {
            SmsRoute::SendV1 => "POST /rest/json/v1/sms/send",
            SmsRoute::SendV2 => "POST /rest/json/v2/sms/send",
            SmsRoute::Logs => "GET /rest/json/v1/sms/logs",
        }
    }

    /// What the endpoint does, for its scope.
    fn op(&self) -> Option<Access> {
        Some(match self {
            SmsRoute::SendV1 | SmsRoute::SendV2 => Access::Create,
            SmsRoute::Logs => Access::Read,
        })
    }

    fn answer(&self, store: &mut Store, ctx: &Ctx<'_>) -> Response {
        let rules = Rules {
            unsupported: &ctx.config.sms_unsupported_country_codes,
            first_number_only: ctx.config.sms_answer_first_number_only,
        };
        handle(store, *self, ctx.req, &rules, ctx.now_ms)
    }
}

emulator_settings! {
    limits {
        /// Zoho Voice SMS: country calling codes (digits, e.g. "7") answered `ZVSMS-4038`.
        sms_unsupported_country_codes: Vec<String> = vec!["7".to_string(), "98".to_string()];
        /// Zoho Voice SMS: the answer to a send of several numbers names only the first (the pages
        /// show no such answer: a client must not count on one log id per number).
        sms_answer_first_number_only: bool = false;
    }
}

/// The emulator.
pub static EMULATOR: Emulator = Emulator::new("sms", &Sms, &["rest", "json"])
    .endpoints(&["rest", "json"], parse::<SmsRoute>)
    .takes_tokens(&super::zoho::Zoho, crate::sms::api::API)
    .choices(CHOICES);

/// The Zoho Voice SMS API.
#[derive(Debug)]
pub struct Sms;

impl Behaviour for Sms {
    /// Zoho Voice's shape: the SMS API is part of it.
    fn error(&self, status: StatusCode, message: &str) -> Response {
        super::zoho_voice::ZohoVoice.error(status, message)
    }

    fn validate(&self, config: &super::SandboxConfig) -> Result<(), String> {
        if config
            .sms_unsupported_country_codes
            .iter()
            .any(|c| c.is_empty() || !c.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err("sms_unsupported_country_codes must be calling codes (digits)".to_string());
        }
        Ok(())
    }

    fn snapshot(&self, store: &mut Store) -> Option<Value> {
        let log = store.rooms.get::<SmsLog>();
        Some(json!({"count": log.sms.len(), "messages": log.sms}))
    }

    fn env(&self) -> Vec<Placed<String>> {
        super::emulator::env_lines(&[(11, "ZOHO_VOICE_SENDER_ID", seed::SMS_SENDER_ID)])
    }

    /// An outgoing message, delivered, to the record's mobile; record 0's text is its first
    /// name (a formula).
    fn add_bulk(&self, store: &mut Store, r: &BulkRecord, now_ms: u64) {
        let number = normalize_number(&r.mobile).unwrap_or_else(|| r.mobile.clone());
        let logid = store.rng.uuid();
        store.rooms.get::<SmsLog>().sms.push(SmsMessage {
            logid,
            country: country_of(&number).1,
            customer_number: number,
            message: if r.i == 0 {
                r.first.clone()
            } else {
                format!("Hello {}", r.first)
            },
            sender_id: seed::SMS_SENDER_ID.to_string(),
            direction: Direction::Outgoing,
            status: "DELIVERED".to_string(),
            submitted_time: now_ms + r.i,
            scheduled_time: None,
            time_zone: None,
            multipart_count: 1,
            is_mms: false,
            mms_meta: Vec::new(),
        });
    }
}

impl super::Sandbox {
    /// The SMS log (sent and received), in arrival order.
    pub fn sms_messages(&self) -> Vec<SmsMessage> {
        self.read_room(|log: &SmsLog| log.sms.clone())
    }

    /// Records an incoming SMS (e.g. "STOP") from `number`; returns its log id.
    pub fn add_incoming_sms(
        &self,
        number: &str,
        message: &str,
    ) -> Result<String, super::SandboxError> {
        let mut store = lock(&self.shared.store);
        add_incoming(&mut store, number, message, None, wire::now_ms())
            .map_err(super::SandboxError::Invalid)
    }
}

const SMS_PAGES: &str = "Zoho Voice SMS page and the current send/logs pages";

/// What the sandbox answers where the page is silent.
const CHOICES: &[Choice] = &[
    Choice {
        target: "zoho-voice-sms",
        point: "error codes other than ZVSMS-4027 and ZVSMS-4038",
        sandbox: "ZVSMS-4001 missing or invalid number, ZVSMS-4002 missing message, ZVSMS-4003 message too long, ZVSMS-4005 any other bad parameter; all HTTP 400",
        silent: SMS_PAGES,
    },
    Choice {
        target: "zoho-voice-sms",
        point: "what ZVSMS-4027 means",
        sandbox: "a send with no sender id, or one the account does not have",
        silent: "the send pages (ZVSMS-4027 \"Bad Request\" is only their error sample)",
    },
    Choice {
        target: "zoho-voice-sms",
        point: "which countries a send is refused for",
        sandbox: "calling codes 7 and 98 answer ZVSMS-4038 (sms_unsupported_country_codes)",
        silent: SMS_PAGES,
    },
    Choice {
        target: "zoho-voice-sms",
        point: "the answer to a send of several numbers",
        sandbox: "one log id per number, in order (sms_answer_first_number_only names only the first)",
        silent: "the send pages (one sample, one number)",
    },
    Choice {
        target: "zoho-voice-sms",
        point: "delivery",
        sandbox: "a message is DELIVERED at once unless scheduled",
        silent: SMS_PAGES,
    },
    Choice {
        target: "zoho-voice-sms",
        point: "the time zone of the logs' fromDate and toDate, and the answer to a date alone",
        sandbox: "UTC; a date alone (no time) is refused: HTTP 400 ZVSMS-4005 naming the parameter and the form yyyy-MM-dd HH:mm:ss",
        silent: "the logs page (time zone not stated; the form is given, not the refusal)",
    },
    Choice {
        target: "zoho-voice-sms",
        point: "the answer to a send of more than 10 numbers",
        sandbox: "HTTP 400 ZVSMS-4005 \"customerNumber: Maximum allowed is 10 numbers per request (N given).\"; nothing is sent",
        silent: "the current send pages (they give the limit, not the answer)",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_normalize_and_map_to_countries() {
        assert_eq!(
            normalize_number("13239205839").as_deref(),
            Some("+13239205839")
        );
        assert_eq!(
            normalize_number("+44 20 7946 0958").as_deref(),
            Some("+442079460958")
        );
        assert_eq!(normalize_number("abc"), None);
        assert_eq!(country_of("+13239205839"), ("1".into(), "us".into()));
        assert_eq!(country_of("+97150123456"), ("971".into(), "ae".into()));
        assert_eq!(display_number("+13239205839"), "+1 3239205839");
    }

    #[test]
    fn segments() {
        assert_eq!(multipart_count("hi"), 1);
        assert_eq!(multipart_count(&"a".repeat(161)), 2);
        assert_eq!(multipart_count(&"é".repeat(71)), 2);
    }

    #[test]
    fn log_dates_need_a_time() {
        let day = 20_426 * 86_400_000i64; // 2025-12-04
        assert_eq!(parse_when("2025-12-04", false), None);
        assert_eq!(parse_when("2025-12-04", true), None);
        assert_eq!(parse_when("2025-12-04 ", true), None);
        assert_eq!(
            parse_when("2025-12-04 01:02:03", false),
            Some(day + 3_723_000)
        );
        assert_eq!(parse_when("2025-12-04T01:02", true), Some(day + 3_720_999));
        assert_eq!(parse_when("2025-12-04 25:00:00", false), None);
        assert_eq!(parse_when("yesterday", false), None);
    }
}
