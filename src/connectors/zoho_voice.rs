//! Zoho Voice contacts (`/rest/json/zv/contacts`).
//!
//! The `contact` parameter is the contact as a JSON *string*; `first_name` and `mobile` are
//! mandatory. List answers give ids as strings, create answers as numbers: ids are always
//! text here. Zoho Voice publishes no rate limit, so the default is a conservative 5/s that
//! the HTTP layer slows further on any 429.
//!
//! Managed fields: first_name, last_name, email, mobile, mobile1–3, phone, phone1–3, company
//! and contact_status (as its id). Address, state and country are left as they are on the
//! target: the file's country is a region code, and the target's free text would never
//! compare equal to it.

use serde_json::{Map, Value};

use super::{
    At, Connected, Cursor, Descriptor, ListError, Page, RecordFields, RowExtras, Setup, Target,
    Write, id_text, list_json, phone_e164, put,
};
use crate::auth::DataCentre;
use crate::contact::{Contact, PhoneLabel};
use crate::error::{Error, Result as RunResult};
use crate::http::{HttpClient, Meaning, Outcome, Rate, Request, Source, VendorCode, VendorCodes};
use crate::reject::{Code, Rejection, Stage};
use crate::scopes::{Api, ApiScopes};

/// The scopes of the Zoho Voice contacts API.
pub static SCOPES: ApiScopes =
    crate::auth::zoho::zoho_contact_scopes!("Zoho Voice", "ZohoVoice.contacts");

/// Zoho Voice contacts, as the registry lists them.
pub static DESCRIPTOR: Descriptor = Descriptor::new(
    "zoho-voice",
    "Zoho Voice contacts.",
    Api::of(&SCOPES),
    connect,
)
.signs_in_with(&crate::auth::zoho::SERVICE)
.codes(CODES)
.export_columns(&EXPORT_COLUMNS);

/// Zoho Voice's own codes that bulkline reads, whatever HTTP status carries them. Its pages
/// show errors only as `"code": "<App Error Code>"`. The SMS API shares the host and the tokens,
/// and reads its answers by this table too.
pub const CODES: VendorCodes = VendorCodes::new(&[VendorCode {
    code: "404",
    meaning: Meaning::Gone,
    text: "The contact does not exist or has been deleted.",
    source: Source::Reading(
        "no page says what a delete of a deleted contact answers; the sandbox answers 404",
    ),
}])
.and_shared(crate::auth::zoho::CODES);

/// The fields the API page documents, in its order.
const EXPORT_COLUMNS: [&str; 16] = [
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
];

fn connect(setup: &Setup<'_>) -> RunResult<Connected> {
    Ok(Connected {
        target: Box::new(ZohoVoice::new()),
        base_url: host(setup.dc, setup.base_override)?,
        params: Vec::new(),
        default_parent: None,
    })
}

/// The Zoho Voice host of the data centre (contacts and SMS): confirmed for com and eu;
/// elsewhere only when `--base-url` (or the sandbox) replaces it anyway.
pub fn host(dc: DataCentre, overridden: bool) -> RunResult<String> {
    match dc.voice_url() {
        Some(url) => Ok(url.to_string()),
        None if overridden => Ok(dc.guessed_voice_url()),
        None => Err(Error::Usage(format!(
            "Zoho Voice's host for the {dc} data centre is not confirmed: Zoho documents voice.zoho.com, and offers Zoho Voice in the US and EU data centres (voice.zoho.com, voice.zoho.eu). If your Zoho Voice account lives in {dc}, give its host with --base-url (perhaps {})",
            dc.guessed_voice_url(),
        ))),
    }
}

/// The most records one list page holds.
pub const PAGE_SIZE: usize = 50;
const PATH: &str = "/rest/json/zv/contacts";
const MOBILES: [&str; 4] = ["mobile", "mobile1", "mobile2", "mobile3"];
const PHONES: [&str; 4] = ["phone", "phone1", "phone2", "phone3"];
/// The text fields this target writes and compares, besides the phones.
const TEXT: [&str; 4] = ["first_name", "last_name", "email", "company"];

/// Every field this target writes and compares (the status aside).
fn managed() -> impl Iterator<Item = &'static str> {
    TEXT.into_iter().chain(MOBILES).chain(PHONES)
}

/// A contact status of the account: its id and display value ("VIP").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub id: String,
    pub display_value: String,
}

/// The Zoho Voice contacts target.
#[derive(Debug, Clone, Default)]
pub struct ZohoVoice {
    statuses: Vec<Status>,
}

impl ZohoVoice {
    pub fn new() -> ZohoVoice {
        ZohoVoice::default()
    }

    /// Loads the account's contact statuses (`GET /rest/json/zv/contacts/contact_status`), so
    /// that a `status` column holding a display value ("VIP") can be sent as its id.
    pub async fn load_statuses(&mut self, http: &HttpClient) -> Result<(), ListError> {
        let outcome = http.send(&statuses_request()).await;
        let body: Value = list_json(DESCRIPTOR.name, outcome)?;
        self.set_statuses(&body)
    }

    /// Takes the statuses from an answer of `GET .../contact_status` (the pre-flight's read).
    pub fn set_statuses(&mut self, body: &Value) -> Result<(), ListError> {
        let list = array_in(
            body,
            "contact_status",
            "the contact_status answer holds no list",
        )?;
        self.statuses = list
            .iter()
            .filter_map(|s| {
                Some(Status {
                    id: id_text(s.get("id")?)?,
                    display_value: id_text(s.get("display_value")?)?,
                })
            })
            .collect();
        Ok(())
    }

    /// The statuses loaded by [`ZohoVoice::load_statuses`].
    pub fn statuses(&self) -> &[Status] {
        &self.statuses
    }

    /// The id of a status given as an id or a display value (any case).
    fn status_id(&self, given: &str) -> Option<&str> {
        let given = given.trim();
        self.statuses
            .iter()
            .find(|s| s.id == given || s.display_value.eq_ignore_ascii_case(given))
            .map(|s| s.id.as_str())
    }

    /// The `contact` parameter: the fields as a JSON string, the status as an object.
    fn contact_param(&self, fields: &RecordFields) -> String {
        let mut m = Map::new();
        for (k, v) in fields {
            if k == "contact_status" {
                let display = self
                    .statuses
                    .iter()
                    .find(|s| &s.id == v)
                    .map(|s| s.display_value.clone())
                    .unwrap_or_default();
                m.insert(
                    k.clone(),
                    serde_json::json!({"id": v, "display_value": display}),
                );
            } else {
                m.insert(k.clone(), Value::String(v.clone()));
            }
        }
        Value::Object(m).to_string()
    }
}

/// Where a page starts: the `from` index.
fn from_of(cursor: &Cursor) -> usize {
    match cursor {
        Cursor::Offset(n) => *n,
        _ => 0,
    }
}

/// The list under `key` of an answer, or the error `missing` says.
fn array_in<'a>(body: &'a Value, key: &str, missing: &str) -> Result<&'a Vec<Value>, ListError> {
    body.get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| ListError::new(DESCRIPTOR.name, missing))
}

/// The contacts of the answer to a page request (`from`, `size` of [`PAGE_SIZE`]).
fn read_page(from: usize, answer: crate::http::Outcome) -> Result<Page, ListError> {
    let mut body = list_json(DESCRIPTOR.name, answer)?;
    let total = body
        .get("meta")
        .and_then(|m| m.get("total"))
        .and_then(Value::as_i64)
        .and_then(|t| u64::try_from(t).ok());
    let Some(Value::Array(items)) = body.get_mut("contacts").map(Value::take) else {
        return Err(ListError::new(
            DESCRIPTOR.name,
            "the list answer holds no 'contacts' list",
        ));
    };
    let listed = items.len();
    let records: Vec<Map<String, Value>> = items
        .into_iter()
        .filter_map(|item| match item {
            Value::Object(record) => Some(record),
            _ => None,
        })
        .collect();
    let end = from + listed;
    let more = listed >= PAGE_SIZE && total.is_none_or(|t| (end as u64) < t);
    Ok(Page {
        records,
        total,
        next: more.then_some(Cursor::Offset(end)),
    })
}

/// The managed fields of a record as the list answers give it.
fn remote_fields(record: &Map<String, Value>) -> RecordFields {
    let mut fields = RecordFields::new();
    for name in managed() {
        if let Some(Value::String(v)) = record.get(name) {
            let v = if TEXT.contains(&name) {
                v.clone()
            } else {
                phone_e164(v)
            };
            put(&mut fields, name, &v);
        }
    }
    if let Some(id) = record
        .get("contact_status")
        .and_then(|s| s.get("id"))
        .and_then(id_text)
    {
        put(&mut fields, "contact_status", &id);
    }
    fields
}

fn reject(field: &str, code: Code, message: String) -> Rejection {
    Rejection::new(Stage::Validate, field, code, message)
}

/// `GET /rest/json/zv/contacts/contact_status`: the account's contact statuses.
fn statuses_request() -> Request {
    Request::get(format!("{PATH}/contact_status"))
}

impl Target for ZohoVoice {
    fn probe(&self) -> Request {
        // Small, read-only, and needed anyway: the statuses come from its answer.
        statuses_request()
    }

    fn descriptor(&self) -> &'static Descriptor {
        &DESCRIPTOR
    }

    /// One page of the contacts (`from`, `size` of [`PAGE_SIZE`]); the first asks for the
    /// `totalCount`.
    fn page_request(&self, at: &At<'_>) -> Request {
        let from = from_of(at.cursor);
        let request = Request::get(PATH)
            .query("from", from.to_string())
            .query("size", PAGE_SIZE.to_string());
        match from {
            0 => request.query("totalCount", "true"),
            _ => request,
        }
    }

    fn read_page(&self, at: &At<'_>, answer: Outcome) -> Result<Page, ListError> {
        read_page(from_of(at.cursor), answer)
    }

    fn id_field(&self) -> &'static str {
        "contact_id"
    }

    fn fields_of(&self, record: &Map<String, Value>) -> RecordFields {
        remote_fields(record)
    }

    /// The pre-flight's read is the contact-status list: the statuses come from it.
    fn read_probe(&mut self, body: &[u8]) -> Result<(), ListError> {
        let body: Value = serde_json::from_slice(body).map_err(|e| {
            ListError::new(
                DESCRIPTOR.name,
                format!("the contact-status answer is not JSON: {e}"),
            )
        })?;
        self.set_statuses(&body)
    }

    fn optional_fields(&self) -> &'static [&'static str] {
        &["contact_status"]
    }

    fn default_rate(&self) -> Rate {
        Rate::documented(5.0)
    }

    /// Zoho Voice publishes no rate limit.
    fn rate_is_published(&self) -> bool {
        false
    }

    fn desired(&self, contact: &Contact, extras: &RowExtras) -> Result<RecordFields, Rejection> {
        let mut fields = RecordFields::new();
        if contact.first_name.trim().is_empty() {
            return Err(reject(
                "first_name",
                Code::FieldRequired,
                "Zoho Voice requires a first name; the row has none (map a name column with --map first_name=COLUMN)".into(),
            ));
        }
        put(&mut fields, "first_name", &contact.first_name);
        put(&mut fields, "last_name", &contact.last_name);
        if let Some(email) = contact.primary_email() {
            put(&mut fields, "email", email);
        }
        put(&mut fields, "company", &contact.company);
        // The required phone is `mobile`; further mobiles and other phones fill the numbered
        // slots. A number with no slot left would be lost: the row is rejected instead.
        let Some(primary) = contact.primary_phone() else {
            return Err(reject(
                "mobile",
                Code::FieldRequired,
                "Zoho Voice requires a mobile number; the row has none".into(),
            ));
        };
        put(&mut fields, "mobile", &primary.e164);
        let mut mobiles = MOBILES[1..].iter();
        let mut phones = PHONES.iter();
        for p in contact.phones.iter().filter(|p| p.e164 != primary.e164) {
            let slot = if p.label == PhoneLabel::Mobile {
                mobiles.next().or_else(|| phones.next())
            } else {
                phones.next().or_else(|| mobiles.next())
            };
            match slot {
                Some(name) => put(&mut fields, name, &p.e164),
                None => {
                    return Err(reject(
                        "phone",
                        Code::TooLong,
                        format!(
                            "Zoho Voice holds at most 8 numbers per contact; {} has no slot left",
                            p.e164
                        ),
                    ));
                }
            }
        }
        if let Some(status) = extras.status.as_deref().filter(|s| !s.trim().is_empty()) {
            match self.status_id(status) {
                Some(id) => put(&mut fields, "contact_status", id),
                None => {
                    let known: Vec<&str> = self
                        .statuses
                        .iter()
                        .map(|s| s.display_value.as_str())
                        .collect();
                    return Err(reject(
                        "status",
                        Code::FieldInvalid,
                        format!(
                            "'{status}' is not a contact status of this account (they are: {})",
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(fields)
    }

    fn create_request(&self, fields: &RecordFields, _extras: &RowExtras) -> Result<Request, Write> {
        Ok(Request::post(PATH).form(vec![("contact".to_string(), self.contact_param(fields))]))
    }

    /// The id of the record in a create answer: `contacts.contact_id`, a number there.
    fn created_id(&self, answer: &Value) -> Option<String> {
        id_text(answer.get("contacts")?.get("contact_id")?)
    }

    /// `PUT` with the `contact` JSON in the query string (a servlet container may drop a form
    /// body on a PUT; the query string arrives whatever the method). RecordFields bulkline
    /// manages but the row no longer has are cleared, not left behind.
    fn update_request(
        &self,
        id: &str,
        fields: &RecordFields,
        _: &RowExtras,
    ) -> Result<Request, Write> {
        let mut all = fields.clone();
        for name in managed() {
            all.entry(name.to_string()).or_default();
        }
        Ok(Request::put(format!("{PATH}/{id}")).query("contact", self.contact_param(&all)))
    }

    fn delete_request(&self, id: &str, _parent: Option<&str>) -> Request {
        Request::delete(format!("{PATH}/{id}"))
    }

    /// `GET /rest/json/zv/contacts/<contact_id>`.
    fn read_request(&self, id: &str, _parent: Option<&str>) -> Request {
        Request::get(format!("{PATH}/{id}"))
    }

    /// The page's answer holds the record under `contacts`, an object here.
    fn record_in<'a>(&self, answer: &'a Value) -> Option<&'a Map<String, Value>> {
        answer.get("contacts")?.as_object()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::connectors::test_phone as phone;

    fn voice() -> ZohoVoice {
        ZohoVoice {
            statuses: vec![Status {
                id: "1000000000031".into(),
                display_value: "VIP".into(),
            }],
        }
    }

    #[test]
    fn desired_fills_the_numbered_slots() {
        let c = Contact {
            first_name: "Ann".into(),
            emails: vec!["ann@example.com".into()],
            phones: vec![
                phone("+447400123456", PhoneLabel::Mobile),
                phone("+447400123457", PhoneLabel::Mobile),
                phone("+442071838750", PhoneLabel::Work),
            ],
            ..Contact::default()
        };
        let extras = RowExtras {
            status: Some("vip".into()),
            ..RowExtras::default()
        };
        let f = voice().desired(&c, &extras).unwrap();
        assert_eq!(f["mobile"], "+447400123456");
        assert_eq!(f["mobile1"], "+447400123457");
        assert_eq!(f["phone"], "+442071838750");
        assert_eq!(f["email"], "ann@example.com");
        assert_eq!(f["contact_status"], "1000000000031");
        assert!(!f.contains_key("last_name"));
    }

    #[test]
    fn desired_enforces_the_mandatory_fields_and_statuses() {
        let no_name = Contact {
            phones: vec![phone("+447400123456", PhoneLabel::Mobile)],
            ..Contact::default()
        };
        let err = voice()
            .desired(&no_name, &RowExtras::default())
            .unwrap_err();
        assert_eq!(err.code, Code::FieldRequired);
        let no_phone = Contact {
            first_name: "Ann".into(),
            ..Contact::default()
        };
        let err = voice()
            .desired(&no_phone, &RowExtras::default())
            .unwrap_err();
        assert_eq!(err.field, "mobile");
        let ok = Contact {
            first_name: "Ann".into(),
            phones: vec![phone("+447400123456", PhoneLabel::Other)],
            ..Contact::default()
        };
        let extras = RowExtras {
            status: Some("Gold".into()),
            ..RowExtras::default()
        };
        let err = voice().desired(&ok, &extras).unwrap_err();
        assert_eq!(err.code, Code::FieldInvalid);
        assert!(err.message.contains("VIP"), "{}", err.message);
    }

    #[test]
    fn the_contact_parameter_is_a_json_string() {
        let mut f = RecordFields::new();
        put(&mut f, "first_name", "Ann");
        put(&mut f, "contact_status", "1000000000031");
        let param: Value = serde_json::from_str(&voice().contact_param(&f)).unwrap();
        assert_eq!(param["first_name"], "Ann");
        assert_eq!(param["contact_status"]["id"], "1000000000031");
        assert_eq!(param["contact_status"]["display_value"], "VIP");
    }

    #[test]
    fn listed_records_compare_like_desired_ones() {
        let record: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "contact_id": "347000014281004", "first_name": "Andrej", "last_name": "",
            "mobile": "+1 513-549-3562", "phone": "", "email": "",
            "contact_owner": {"display_value": "Vignesh", "id": "347000000003015"},
            "contact_status": {"id": "1000000000031", "display_value": "VIP"}
        }))
        .unwrap();
        let f = remote_fields(&record);
        assert_eq!(f.len(), 3);
        assert_eq!(f["mobile"], "+15135493562");
        assert_eq!(f["contact_status"], "1000000000031");
    }

    #[test]
    fn an_update_carries_the_contact_in_the_query_string() {
        let voice = ZohoVoice::new();
        let mut fields = RecordFields::new();
        put(&mut fields, "first_name", "Ann");
        put(&mut fields, "mobile", "+447400123456");
        let req = voice
            .update_request("315000", &fields, &RowExtras::default())
            .expect("a request");
        assert_eq!(req.method(), &reqwest::Method::PUT);
        assert_eq!(req.path(), "/rest/json/zv/contacts/315000");
        let contact: serde_json::Value =
            serde_json::from_str(req.query_value("contact").expect("a contact parameter"))
                .expect("JSON");
        assert_eq!(contact["first_name"], "Ann");
        assert!(matches!(req.body(), crate::http::Body::Empty));
    }
}
