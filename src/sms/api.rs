//! Zoho Voice SMS (`/rest/json/v1/sms/send`, `/rest/json/v2/sms/send`, `/rest/json/v1/sms/logs`).
//!
//! Not a contact target: a message is sent, never listed back as a record, so this module
//! builds the send requests and reads the send and log answers, and the SMS engine
//! ([`crate::sms::send`]) does the journaling. `customerNumber` takes several numbers separated
//! by commas; numbers go out as digits without the `+` (the page's examples), and come back in
//! the display form `+1 4155550100`, which [`digits`] compares. A send answer's `send` is one
//! object for one number; for several it is read as an array of such objects (one per number).
//! Log ids are UUID strings.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::http::{HttpClient, Outcome, Part, Rate, Request};
use crate::scopes::{Api, ApiScopes, Need, Purpose};

/// The v1 send endpoint (JSON body).
pub const SEND_V1: &str = "/rest/json/v1/sms/send";
/// The v2 send endpoint (multipart, for MMS).
pub const SEND_V2: &str = "/rest/json/v2/sms/send";
/// The SMS logs.
pub const LOGS: &str = "/rest/json/v1/sms/logs";
/// The most numbers one send takes, by the vendor's current page.
pub const MAX_NUMBERS: usize = 10;
/// The longest message the vendor's current send pages allow (the older API page said 10,000).
pub const MAX_MESSAGE_CHARS: usize = 1_000;
/// The fields the logs page documents, in its order: they lead an export's columns.
pub const LOG_COLUMNS: [&str; 21] = [
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
];
/// Log entries asked for per page (the API's default).
pub const LOG_PAGE: usize = 100;

/// Zoho Voice publishes no SMS rate limit: the same conservative start as its contacts API.
pub fn default_rate() -> Rate {
    Rate::documented(5.0)
}

/// The scopes of the Zoho Voice SMS API: the logs page's current name is READ (the older page
/// said GET); every other operation is a send.
pub static SCOPES: ApiScopes = ApiScopes {
    name: "Zoho Voice SMS",
    // The logs page's current name is READ; the older page said GET.
    read: Need {
        scope: "ZohoVoice.sms.READ",
        granted_by: &[
            "ZohoVoice.sms.READ",
            "ZohoVoice.sms.GET",
            "ZohoVoice.sms.ALL",
        ],
    },
    create: SEND,
    update: SEND,
    delete: SEND,
    commands: &[Purpose::Sms, Purpose::SmsStatus, Purpose::Export],
    grant: crate::auth::zoho::GRANT,
    write_word: Some("a send"),
};

/// Every SMS operation but reading the logs is a send.
const SEND: Need = crate::auth::zoho::zoho_need!("ZohoVoice.sms", "CREATE");

/// The Zoho Voice SMS API.
pub const API: Api = Api::of(&SCOPES);

/// The sign-in service of the SMS API: Zoho's, as Zoho Voice's.
pub const SIGNS_IN_WITH: &crate::auth::Service = &crate::auth::zoho::SERVICE;

/// The SMS API's codes: it shares Zoho Voice's host and tokens, and so its answers about them.
pub const CODES: crate::http::VendorCodes = crate::connectors::zoho_voice::CODES;

/// The SMS API's host for data centre `dc` (Zoho Voice's), or the one `--base-url` or the
/// sandbox gives (`overridden`).
pub fn host(dc: crate::auth::DataCentre, overridden: bool) -> crate::error::Result<String> {
    crate::connectors::zoho_voice::host(dc, overridden)
}

/// The digits of a number, whatever its format (`+1 415-555 0100` -> `14155550100`).
pub fn digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

/// A media file sent with `--media` (MMS, through the v2 endpoint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub file_name: String,
    pub mime: String,
    pub data: Vec<u8>,
}

impl Media {
    /// The MIME type of a file name, by its extension.
    pub fn mime_of(file_name: &str) -> &'static str {
        let ext = file_name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "jpg" | "jpeg" => "image/jpeg",
            "png" => "image/png",
            "gif" => "image/gif",
            "webp" => "image/webp",
            "mp4" => "video/mp4",
            "3gp" => "video/3gpp",
            "mp3" => "audio/mpeg",
            "wav" => "audio/wav",
            "pdf" => "application/pdf",
            "vcf" => "text/vcard",
            "txt" => "text/plain",
            _ => "application/octet-stream",
        }
    }
}

/// What every message of a campaign shares.
#[derive(Debug, Clone, Default)]
pub struct SendOptions {
    pub sender_id: Option<String>,
    pub validity_minutes: Option<u32>,
    pub status_callback: Option<String>,
    pub flash: bool,
    pub media: Option<Arc<Media>>,
}

/// When to deliver: now, or at a local time in a time zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Schedule {
    /// `yyyy-MM-dd HH:mm:ss`.
    pub time: String,
    /// An IANA zone name, such as `Asia/Kolkata`.
    pub zone: String,
}

/// One send request: one text to one or more numbers.
#[derive(Debug, Clone)]
pub struct SendRequest<'a> {
    /// E.164 numbers.
    pub numbers: &'a [String],
    pub message: &'a str,
    /// `dataCoding`: 0 for GSM-7 text, 2 for other text.
    pub data_coding: u8,
    pub schedule: Option<&'a Schedule>,
    pub options: &'a SendOptions,
}

impl SendRequest<'_> {
    fn customer_numbers(&self) -> String {
        let list: Vec<String> = self.numbers.iter().map(|n| digits(n)).collect();
        list.join(",")
    }

    /// The HTTP request: v1 with a JSON body, or v2 multipart when there is media. Never
    /// repeated blindly by the HTTP layer (a send is not idempotent).
    pub fn build(&self) -> Request {
        let o = self.options;
        match &o.media {
            None => {
                let mut body = Map::new();
                body.insert("customerNumber".into(), json!(self.customer_numbers()));
                body.insert("message".into(), json!(self.message));
                body.insert("dataCoding".into(), json!(self.data_coding));
                if let Some(s) = &o.sender_id {
                    body.insert("senderId".into(), json!(s));
                }
                if let Some(v) = o.validity_minutes {
                    body.insert("validityPeriod".into(), json!(v));
                }
                if let Some(url) = &o.status_callback {
                    body.insert("statusCallback".into(), json!(url));
                }
                if o.flash {
                    body.insert("flash".into(), json!(true));
                }
                if let Some(s) = self.schedule {
                    body.insert("scheduledTime".into(), json!(s.time));
                    body.insert("timeZone".into(), json!(s.zone));
                }
                Request::post(SEND_V1)
                    .json_value(Value::Object(body))
                    .idempotent(false)
            }
            Some(media) => {
                let mut data = Map::new();
                data.insert("customerNumber".into(), json!(self.customer_numbers()));
                data.insert("message".into(), json!(self.message));
                if let Some(s) = &o.sender_id {
                    data.insert("senderId".into(), json!(s));
                }
                data.insert("mms".into(), json!(true));
                let mut parts = vec![
                    Part::text("sms_data", Value::Object(data).to_string()),
                    Part::file(
                        "mms_media",
                        media.file_name.clone(),
                        media.data.clone(),
                        media.mime.clone(),
                    ),
                ];
                if let Some(s) = self.schedule {
                    parts.push(Part::text("scheduledTime", s.time.clone()));
                    parts.push(Part::text("timeZone", s.zone.clone()));
                }
                Request::post(SEND_V2).multipart(parts).idempotent(false)
            }
        }
    }
}

/// What a refused send is about, which decides what is done with its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// One of the numbers (`ZVSMS-4001`, an invalid number): each number of the batch is tried
    /// on its own, so that the refusal lands on the rows it belongs to.
    Numbers,
    /// The request itself (the message, its country, a parameter): the rows of the batch fail
    /// with the API's code; nothing is tried again.
    Batch,
    /// The account (the sender id, the credentials or their scope): every later send would be
    /// refused the same way, so the run stops.
    Run,
}

impl Refusal {
    /// The reach of a refusal with the API's `code`, answered with HTTP `status`.
    pub fn of(code: Option<&str>, status: u16) -> Refusal {
        match code {
            Some("ZVSMS-4001") => Refusal::Numbers,
            Some(SENDER_ID_REFUSED) => Refusal::Run,
            _ if status == 401 || status == 403 => Refusal::Run,
            _ => Refusal::Batch,
        }
    }
}

/// The code the send pages show as their only error sample, documented as "Bad Request" and
/// nothing more. The sandbox answers it for a missing or unknown sender id; what the live API
/// means by it is not on the pages, so it is read as a refusal of every later send too (the run
/// stops), and the message says what is known and what is only likely.
pub const SENDER_ID_REFUSED: &str = "ZVSMS-4027";

/// The message of a run stopped by a refusal that every later send would meet
/// ([`Refusal::Run`]): the vendor's code and text quoted, what the run did, what to do, and
/// the likely causes as likely, never as fact.
pub fn account_refusal(code: Option<&str>, message: &str, sender_id: Option<&str>) -> String {
    let quoted = match code {
        Some(c) => format!("{c} \"{message}\""),
        None => format!("\"{message}\""),
    };
    let done = "The run stopped: that request was recorded as not sent, nothing was sent again, and no later request went out. Messages already accepted stay done in the journal; the rest are resumable: run the same command again once the cause is fixed";
    let sender = match sender_id {
        Some(id) => format!("'{id}'"),
        None => "none".to_string(),
    };
    match code {
        Some(SENDER_ID_REFUSED) => format!(
            "Zoho Voice refused a send: {quoted}. Its pages document {SENDER_ID_REFUSED} only as \"Bad Request\", so the cause is not known for certain. {done}. Likely causes (not confirmed by Zoho): a sender id the account does not have, or none given (this run gave {sender}; Zoho Voice lists the account's sender ids under Settings > SMS > Sender IDs), or another parameter of the request the API did not accept"
        ),
        _ => format!(
            "Zoho Voice refused a send for the whole account: {quoted}. {done}. Likely causes: the credentials or their scopes (a send needs ZohoVoice.sms.CREATE), or the sender id (this run gave {sender})"
        ),
    }
}

/// What a send answered, after the HTTP layer's retries: done with the log id of each number
/// (E.164 digits -> log id) that the answer names, or how it did not settle. A refusal's
/// reach ([`SendResult::refusal`]) decides what is done with the batch's rows.
pub type SendResult = crate::executor::Settle<Vec<(String, String)>>;

impl SendResult {
    /// Reads an HTTP outcome of a send.
    pub fn from_outcome(outcome: Outcome) -> SendResult {
        SendResult::read(outcome, |value| {
            let status = value.get("status").and_then(Value::as_str).unwrap_or("");
            if !status.eq_ignore_ascii_case("success") {
                let text = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_string);
                return SendResult::Failed {
                    code: text("code"),
                    message: text("message")
                        .unwrap_or_else(|| format!("the API answered status '{status}'")),
                    status: 200,
                };
            }
            let entries: Vec<&Value> = match value.get("send") {
                Some(Value::Array(a)) => a.iter().collect(),
                Some(v @ Value::Object(_)) => vec![v],
                _ => Vec::new(),
            };
            let logids = entries
                .into_iter()
                .filter_map(|e| {
                    let number = digits(e.get("customerNumber")?.as_str()?);
                    let logid = e.get("logid")?.as_str()?.to_string();
                    Some((number, logid))
                })
                .collect();
            SendResult::Done(logids)
        })
    }

    /// What a refused send is about (`None` unless it was refused for good).
    pub fn refusal(&self) -> Option<Refusal> {
        match self {
            SendResult::Failed { code, status, .. } => Some(Refusal::of(code.as_deref(), *status)),
            _ => None,
        }
    }
}

/// Direction of a logged message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Incoming,
    Outgoing,
}

impl Direction {
    /// As the current logs page writes it (`All`, `Incoming`, `Outgoing`).
    fn as_query(self) -> &'static str {
        match self {
            Direction::Incoming => "Incoming",
            Direction::Outgoing => "Outgoing",
        }
    }
}

/// One entry of the SMS logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub logid: String,
    /// The customer's number as digits.
    pub number: String,
    pub message: String,
    pub direction: Option<Direction>,
    /// DELIVERED, UNDELIVERED, EXPIRED, IN_QUEUE, ...
    pub status: String,
    /// Milliseconds since the epoch.
    pub submitted_ms: u64,
    pub status_description: String,
}

impl LogEntry {
    pub(crate) fn parse(v: &Map<String, Value>) -> Option<LogEntry> {
        let text = |k: &str| {
            v.get(k)
                .and_then(|x| match x {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .unwrap_or_default()
        };
        let direction = match text("messageType").to_ascii_uppercase().as_str() {
            "INCOMING" => Some(Direction::Incoming),
            "OUTGOING" => Some(Direction::Outgoing),
            _ => None,
        };
        let submitted_ms = match v.get("submittedTime") {
            Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
            Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
            _ => 0,
        };
        Some(LogEntry {
            logid: text("logid"),
            number: digits(v.get("customerNumber")?.as_str()?),
            message: text("message"),
            direction,
            status: text("status"),
            submitted_ms,
            status_description: text("statusDescription"),
        })
    }
}

/// A query of the SMS logs.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    pub direction: Option<Direction>,
    /// E.164 or digits.
    pub number: Option<String>,
    /// `yyyy-MM-dd`.
    pub from_date: Option<String>,
    pub to_date: Option<String>,
}

/// Why the logs could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read the Zoho Voice SMS logs: {message}")]
pub struct LogError {
    pub message: String,
    /// The run should stop: the same would happen to every request.
    pub stops_run: bool,
    /// The account was refused (credentials, scope): a configuration error.
    pub denied: bool,
}

impl LogError {
    /// The error that stops the command: exit 2 when the account was refused, else 4 (the
    /// logs not readable now; the same command goes on).
    pub fn into_error(self) -> crate::error::Error {
        if self.denied {
            crate::error::Error::Access(self.to_string())
        } else {
            crate::error::Error::Remote(self.to_string())
        }
    }
}

/// `day` (`yyyy-MM-dd`) at `time`, as the logs page's `fromDate`/`toDate` take it
/// (`yyyy-MM-dd HH:mm:ss`); a value that already has a time is kept.
pub fn with_time(day: &str, time: &str) -> String {
    let day = day.trim();
    if day.contains(' ') {
        day.to_string()
    } else {
        format!("{day} {time}")
    }
}

/// The request of one page of the logs (see [`logs_page`]).
pub fn logs_request(query: &LogQuery, from: usize) -> Request {
    let mut req = Request::get(LOGS)
        .query("from", from.to_string())
        .query("size", LOG_PAGE.to_string());
    if let Some(d) = query.direction {
        req = req.query("messageType", d.as_query());
    }
    if let Some(n) = &query.number {
        req = req.query("customerNumber", digits(n));
    }
    // The current page takes a date and a time: a day alone becomes its first and last second.
    if let Some(d) = &query.from_date {
        req = req.query("fromDate", with_time(d, "00:00:00"));
    }
    if let Some(d) = &query.to_date {
        req = req.query("toDate", with_time(d, "23:59:59"));
    }
    req
}

/// The pre-flight's read: at most one outgoing log entry of the last minute (UTC), which
/// needs the logs' read scope and costs one small answer.
pub fn probe_request(now: jiff::Timestamp) -> Request {
    let format = |t: jiff::Timestamp| t.strftime("%Y-%m-%d %H:%M:%S").to_string();
    let minute_ago = now
        .checked_sub(jiff::SignedDuration::from_secs(60))
        .unwrap_or(now);
    Request::get(LOGS)
        .query("from", "0")
        .query("size", "1")
        .query("messageType", Direction::Outgoing.as_query())
        .query("fromDate", format(minute_ago))
        .query("toDate", format(now))
}

/// One page of the logs the query finds, from index `from` ([`LOG_PAGE`] entries; `meta.total`
/// says how many there are).
pub async fn logs_page(
    http: &HttpClient,
    query: &LogQuery,
    from: usize,
) -> Result<crate::connectors::Page, LogError> {
    let req = logs_request(query, from);
    let outcome = http.send(&req).await;
    let stops_run = outcome.stops_run();
    let denied = outcome.is_denied();
    let body: Value = match outcome {
        Outcome::Ok { body, .. } => serde_json::from_slice(&body).map_err(|e| LogError {
            message: format!("the answer is not JSON: {e}"),
            stops_run: false,
            denied: false,
        })?,
        Outcome::Permanent { code, message, .. } => {
            return Err(LogError {
                message: match code {
                    Some(c) => format!("{c}: {message}"),
                    None => message,
                },
                stops_run: false,
                denied: false,
            });
        }
        Outcome::Ambiguous { reason, .. } | Outcome::NotApplied { reason } => {
            return Err(LogError {
                message: reason,
                stops_run,
                denied,
            });
        }
        Outcome::QuotaExhausted { message, .. }
        | Outcome::Unauthorized { message }
        | Outcome::Denied { message } => {
            return Err(LogError {
                message,
                stops_run,
                denied,
            });
        }
    };
    let records: Vec<Map<String, Value>> = body
        .get("smsLogQuery")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_object().cloned()).collect())
        .unwrap_or_default();
    let total = body
        .get("meta")
        .and_then(|m| m.get("total"))
        .and_then(|t| match t {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        });
    let end = from + records.len();
    let more = match total {
        Some(t) => (end as u64) < t && !records.is_empty(),
        None => records.len() >= LOG_PAGE,
    };
    Ok(crate::connectors::Page {
        records,
        total,
        next: more.then_some(crate::connectors::Cursor::Offset(end)),
    })
}

/// Reads every entry the query finds, page by page (`from`/`size`, until `meta.total`).
pub async fn fetch_logs(http: &HttpClient, query: &LogQuery) -> Result<Vec<LogEntry>, LogError> {
    let mut out = Vec::new();
    let mut from = 0usize;
    loop {
        let page = logs_page(http, query, from).await?;
        out.extend(page.records.iter().filter_map(LogEntry::parse));
        match page.next {
            Some(crate::connectors::Cursor::Offset(next)) => from = next,
            _ => return Ok(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(v: Value) -> Outcome {
        Outcome::Ok {
            status: 200,
            body: v.to_string().into_bytes(),
        }
    }

    #[test]
    fn a_v1_send_is_json_with_digits() {
        let numbers = vec!["+14155550100".to_string(), "+447400123456".to_string()];
        let options = SendOptions {
            sender_id: Some("ZYLKER".into()),
            validity_minutes: Some(60),
            flash: true,
            ..SendOptions::default()
        };
        let schedule = Schedule {
            time: "2026-01-02 09:00:00".into(),
            zone: "Europe/London".into(),
        };
        let req = SendRequest {
            numbers: &numbers,
            message: "Hi",
            data_coding: 0,
            schedule: Some(&schedule),
            options: &options,
        }
        .build();
        assert_eq!(req.path(), SEND_V1);
        assert!(!req.is_idempotent());
        let crate::http::Body::Json(body) = req.body() else {
            panic!("not JSON: {req:?}");
        };
        assert_eq!(body["customerNumber"], "14155550100,447400123456");
        assert_eq!(body["dataCoding"], 0);
        assert_eq!(body["senderId"], "ZYLKER");
        assert_eq!(body["validityPeriod"], 60);
        assert_eq!(body["flash"], true);
        assert_eq!(body["scheduledTime"], "2026-01-02 09:00:00");
        assert_eq!(body["timeZone"], "Europe/London");
    }

    #[test]
    fn media_goes_to_v2_multipart() {
        let numbers = vec!["+14155550100".to_string()];
        let options = SendOptions {
            media: Some(Arc::new(Media {
                file_name: "a.png".into(),
                mime: Media::mime_of("a.png").into(),
                data: vec![1, 2, 3],
            })),
            ..SendOptions::default()
        };
        let req = SendRequest {
            numbers: &numbers,
            message: "Look",
            data_coding: 0,
            schedule: None,
            options: &options,
        }
        .build();
        assert_eq!(req.path(), SEND_V2);
        assert!(matches!(req.body(), crate::http::Body::Multipart(p) if p.len() == 2));
    }

    #[test]
    fn send_answers_are_read() {
        let one = ok(json!({"code": "ZVSMS-2000", "status": "SUCCESS",
            "send": {"customerNumber": "+1 4155550100", "logid": "l-1", "status": "IN_QUEUE"}}));
        assert_eq!(
            SendResult::from_outcome(one),
            SendResult::Done(vec![("14155550100".into(), "l-1".into())])
        );
        let many = ok(json!({"code": "ZVSMS-2000", "status": "SUCCESS", "send": [
            {"customerNumber": "+1 4155550100", "logid": "a"},
            {"customerNumber": "+44 7400123456", "logid": "b"}]}));
        let SendResult::Done(logids) = SendResult::from_outcome(many) else {
            panic!()
        };
        assert_eq!(logids.len(), 2);
        let refused = ok(
            json!({"code": "ZVSMS-4038", "message": "Destination country not supported", "status": "ERROR"}),
        );
        let refused = SendResult::from_outcome(refused);
        assert_eq!(
            refused,
            SendResult::Failed {
                code: Some("ZVSMS-4038".into()),
                message: "Destination country not supported".into(),
                status: 200,
            }
        );
        assert_eq!(refused.refusal(), Some(Refusal::Batch));
        assert_eq!(Refusal::of(Some("ZVSMS-4001"), 400), Refusal::Numbers);
        assert_eq!(Refusal::of(Some(SENDER_ID_REFUSED), 400), Refusal::Run);
        assert_eq!(Refusal::of(None, 403), Refusal::Run);
        assert_eq!(Refusal::of(Some("ZVSMS-4003"), 400), Refusal::Batch);
        let told = account_refusal(Some(SENDER_ID_REFUSED), "Bad Request", Some("NOPE"));
        assert!(told.contains("ZVSMS-4027 \"Bad Request\""), "{told}");
        assert!(told.contains("Likely causes (not confirmed"), "{told}");
        assert!(
            told.contains("'NOPE'") && told.contains("resumable"),
            "{told}"
        );
        assert!(!told.contains("because"), "no cause given as fact: {told}");
        let denied = account_refusal(None, "Forbidden", None);
        assert!(denied.contains("\"Forbidden\"") && denied.contains("gave none"));
        let garbage = Outcome::Ok {
            status: 200,
            body: b"<html>".to_vec(),
        };
        assert!(matches!(
            SendResult::from_outcome(garbage),
            SendResult::Ambiguous { .. }
        ));
    }

    #[test]
    fn log_entries_are_read() {
        let v = json!({"customerNumber": "+1 46555 0100", "message": "STOP", "messageType": "INCOMING",
            "logid": "x", "status": "DELIVERED", "submittedTime": 1702035249667u64});
        let e = LogEntry::parse(v.as_object().unwrap()).unwrap();
        assert_eq!(e.number, "1465550100");
        assert_eq!(e.direction, Some(Direction::Incoming));
        assert_eq!(e.submitted_ms, 1_702_035_249_667);
        let none = json!({"message": "no number"});
        assert!(LogEntry::parse(none.as_object().unwrap()).is_none());
    }

    #[test]
    fn the_preflight_reads_one_log_entry_of_the_last_minute() {
        let now: jiff::Timestamp = "2025-12-04T10:00:30Z".parse().expect("a timestamp");
        let req = probe_request(now);
        assert_eq!(req.path(), LOGS);
        assert_eq!(req.query_value("fromDate"), Some("2025-12-04 09:59:30"));
        assert_eq!(req.query_value("toDate"), Some("2025-12-04 10:00:30"));
        assert_eq!(req.query_value("size"), Some("1"));
        assert_eq!(req.query_value("messageType"), Some("Outgoing"));
    }

    #[test]
    fn log_queries_send_a_date_and_a_time_and_the_pages_casing() {
        let query = LogQuery {
            direction: Some(Direction::Outgoing),
            number: Some("+14155550100".into()),
            from_date: Some("2025-12-04".into()),
            to_date: Some("2025-12-05".into()),
        };
        let req = logs_request(&query, 200);
        assert_eq!(req.query_value("fromDate"), Some("2025-12-04 00:00:00"));
        assert_eq!(req.query_value("toDate"), Some("2025-12-05 23:59:59"));
        assert_eq!(req.query_value("messageType"), Some("Outgoing"));
        assert_eq!(req.query_value("customerNumber"), Some("14155550100"));
        assert_eq!(req.query_value("from"), Some("200"));
        assert_eq!(
            with_time("2025-12-04 08:30:00", "00:00:00"),
            "2025-12-04 08:30:00"
        );
    }
}
