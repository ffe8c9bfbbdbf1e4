//! Zoho Books contact persons (`/books/v3/contacts/...`), following the vendor's Zoho Books
//! contact persons API page.
//!
//! A contact person belongs to a Books *contact* (a customer or vendor): its parent, named by
//! `contact_id`. Every request carries `organization_id` in its query string. Answers carry
//! `"code": 0` on success; errors `{"code": N, "message": ...}` (the HTTP layer turns a non-zero
//! code into a permanent failure, unless [`CODES`] gives it a meaning: 44 slows down, 45 stops,
//! 57 stops as a missing scope).
//!
//! RecordFields bulkline manages, by the page's names (empty values left out):
//!
//! | Books field   | from the contact                                            | max |
//! |---------------|-------------------------------------------------------------|-----|
//! | `first_name`  | `first_name` (required)                                     | 100 |
//! | `last_name`   | `last_name`                                                 | 100 |
//! | `email`       | the first e-mail                                            | 100 |
//! | `mobile`      | the first phone labelled mobile, E.164                      |  50 |
//! | `phone`       | the first phone that did not go to `mobile`, E.164          |  50 |
//! | `designation` | `job_title`                                                 |  50 |
//!
//! Phones: Books has two phone fields, `mobile` and `phone` (shown as "Work Phone"). bulkline
//! goes by the label the file gave: the first mobile-labelled phone is the `mobile`, and the
//! first *other* phone (work, home, a plain `phone` column, or a second mobile) is the `phone`.
//! A contact with no mobile-labelled phone has no `mobile`: a number the file does not call a
//! mobile is not promoted to one. Further phones are not sent (Books has no place for them),
//! nor are extensions (Books has no extension field; the transform keeps them in the file's
//! extension column). `department` and `salutation` have no canonical field yet and are not
//! managed.

use std::sync::Mutex;

use serde_json::{Map, Value};

use super::{
    At, Connected, Cursor, Descriptor, ListError, Page, RecordFields, RowExtras, Setup, Target,
    Write, check_len, phone_e164, put,
};
use crate::contact::{Contact, PhoneLabel};
use crate::error::{Error, Result as RunResult};
use crate::flags::Flag;
use crate::http::{Meaning, Outcome, Rate, Request, Source, VendorCode, VendorCodes};
use crate::reject::{Code, Rejection, Stage};
use crate::scopes::{Api, ApiScopes};

/// The scopes of the Zoho Books contacts API.
pub static SCOPES: ApiScopes = crate::auth::zoho::zoho_contact_scopes!(
    "Zoho Books",
    "ZohoBooks.contacts",
    "ZohoBooks.fullaccess.ALL"
);

/// Zoho Books contact persons, as the registry lists them.
pub static DESCRIPTOR: Descriptor = Descriptor::new(
    "zoho-books",
    "Zoho Books contact persons.",
    Api::of(&SCOPES),
    connect,
)
.signs_in_with(&crate::auth::zoho::SERVICE)
.with_parents("Zoho Books: give the contact with --books-contact-id")
.codes(CODES)
// The free plan's 1,000 requests a day.
.daily_quota(
    1000,
    "Zoho Books allows 1,000 to 10,000 requests a day by plan",
)
.export_columns(&EXPORT_COLUMNS)
.options(&[CONTACT_OPTION]);

/// `--books-contact-id`: the contact whose contact persons rows become (import and verify
/// take one), the contacts whose persons are exported.
pub static CONTACT_OPTION: Flag = Flag::new(
    "books_contact_id",
    "books-contact-id",
    "ID",
    "Zoho Books: the contact whose contact persons rows become, for rows with no contact_id column (import, one); the contacts whose persons are exported (export, repeatable or comma-separated)",
)
.env("ZOHO_BOOKS_CONTACT_ID")
.repeated(&[
    (
        "import",
        "import adds contact persons to one Zoho Books contact: give one --books-contact-id (or a contact_id column)",
    ),
    (
        "verify",
        "verify compares the contact persons of one Zoho Books contact: give one --books-contact-id (or a contact_id column)",
    ),
]);

/// Zoho Books' own codes that bulkline reads, whatever HTTP status carries them. The contact
/// persons page documents none of them (each code's `source` says where its reading comes
/// from): every one is a reading, quoted as *likely* in messages.
pub const CODES: VendorCodes = VendorCodes::new(&[
    VendorCode {
        code: "44",
        meaning: Meaning::RateLimit,
        text: "You have made too many requests per minute",
        source: Source::Reading(
            "read as Books' limit of 100 requests a minute per organization",
        ),
    },
    VendorCode {
        code: "45",
        meaning: Meaning::DailyQuota,
        text: "You have reached the maximum number of API requests allowed per day",
        source: Source::Reading(
            "read as the plan's daily quota, whatever the status; one third-party guide reads 45 as the per-minute limit",
        ),
    },
    VendorCode {
        code: "1070",
        meaning: Meaning::RateLimit,
        text: "You have exceeded the maximum number of concurrent API requests",
        source: Source::Reading("read as Books' limit of 10 requests in flight at once"),
    },
    VendorCode {
        code: "57",
        meaning: Meaning::MissingScope,
        text: "You are not authorized to perform this operation",
        source: Source::Reading(
            "public clients meet it for a token without the operation's scope",
        ),
    },
    VendorCode {
        code: "1002",
        meaning: Meaning::Gone,
        text: "... does not exist",
        source: Source::Reading(
            "Zoho Books' errors page gives 1002 for a record that does not exist; public clients meet it for a deleted contact person",
        ),
    },
    VendorCode {
        code: "1003",
        meaning: Meaning::Gone,
        text: "The contact person does not exist",
        source: Source::Reading("the sandbox's answer for a deleted contact person"),
    },
])
.and_shared(crate::auth::zoho::CODES);

/// The fields the API page documents, in its order.
const EXPORT_COLUMNS: [&str; 15] = [
    "contact_id",
    "contact_person_id",
    "salutation",
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile",
    "is_primary_contact",
    "skype",
    "designation",
    "department",
    "is_added_in_portal",
    "communication_preference.is_sms_enabled",
    "communication_preference.is_whatsapp_enabled",
];

/// The organization (an earlier run's, else the credentials'), and the contacts of
/// `--books-contact-id` (the sandbox's seeded ones when none is given).
fn connect(setup: &Setup<'_>) -> RunResult<Connected> {
    let org = match setup.known("organization_id") {
        Some(org) => org,
        None => setup.credentials.books_organization_id()?,
    };
    let mut contacts = setup.options.all(CONTACT_OPTION.id).to_vec();
    if contacts.is_empty() && setup.sandbox {
        contacts = crate::sandbox::seed::BOOKS_CONTACTS
            .iter()
            .map(|(id, _)| id.to_string())
            .collect();
    }
    let default_parent = contacts.first().cloned();
    let mut books = ZohoBooks::new(org.clone(), default_parent.clone());
    books.export_contacts = contacts;
    Ok(Connected {
        target: Box::new(books),
        base_url: setup.dc.books_api_url(),
        params: vec![("organization_id".to_string(), org)],
        default_parent,
    })
}

/// Books' documented limit: 100 requests per minute per organization.
pub const REQUESTS_PER_MINUTE: f64 = 100.0;

/// The largest page the list endpoint serves (and the one bulkline asks for).
pub const MAX_PER_PAGE: u32 = 200;

/// The fields bulkline manages, with the page's maximum lengths and the canonical field each
/// comes from (named in rejections).
const MANAGED: [(&str, usize, &str); 6] = [
    ("first_name", 100, "first_name"),
    ("last_name", 100, "last_name"),
    ("email", 100, "email"),
    ("mobile", 50, "mobile"),
    ("phone", 50, "phone"),
    ("designation", 50, "job_title"),
];

/// A contact person created, whose follow-up "mark as primary" request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryFailure {
    /// The new contact person's id (the create itself succeeded).
    pub id: String,
    /// What became of the `.../primary` request.
    pub message: String,
}

/// Zoho Books contact persons of one organization.
///
/// Rate: Books allows 100 requests per minute per organization ([`Target::default_rate`]), at
/// most 10 requests in flight at once (code 1070 beyond), and a daily cap of 1,000 to 10,000
/// requests depending on the plan (code 45: the run stops and can be resumed the next day).
#[derive(Debug)]
pub struct ZohoBooks {
    organization_id: String,
    default_parent: Option<String>,
    /// The contacts whose persons an export lists.
    export_contacts: Vec<String>,
    per_page: u32,
    primary_failures: Mutex<Vec<PrimaryFailure>>,
}

impl ZohoBooks {
    /// Contact persons of `organization_id`; `default_parent` (`--books-contact-id`) is the
    /// contact used for rows without a `contact_id` column value.
    pub fn new(organization_id: impl Into<String>, default_parent: Option<String>) -> ZohoBooks {
        ZohoBooks {
            organization_id: organization_id.into(),
            default_parent: default_parent
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty()),
            export_contacts: Vec::new(),
            per_page: MAX_PER_PAGE,
            primary_failures: Mutex::new(Vec::new()),
        }
    }

    /// The same target listing `per_page` records per page (1..=200; others are clamped).
    pub fn with_per_page(mut self, per_page: u32) -> ZohoBooks {
        self.per_page = per_page.clamp(1, MAX_PER_PAGE);
        self
    }

    /// The organization.
    pub fn organization_id(&self) -> &str {
        &self.organization_id
    }

    /// The contact used for rows that name none.
    pub fn default_parent(&self) -> Option<&str> {
        self.default_parent.as_deref()
    }

    /// The contact persons created (reported `Done`) whose "mark as primary" request then
    /// failed, since the last call; the caller puts them in its report. The trait's [`Write`]
    /// has no place for "done, with a warning", so they are kept here.
    pub fn take_primary_failures(&self) -> Vec<PrimaryFailure> {
        let mut guard = self
            .primary_failures
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *guard)
    }

    /// The row's parent contact: its own, else the default.
    fn parent<'a>(&'a self, extras: &'a RowExtras) -> Option<&'a str> {
        extras
            .parent
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .or(self.default_parent.as_deref())
    }

    fn org_query(&self, request: Request) -> Request {
        request.query("organization_id", self.organization_id.clone())
    }

    /// The JSON body of a create: the parent and the fields that have a value.
    pub fn create_body(parent: &str, fields: &RecordFields) -> Value {
        let mut body = Map::new();
        body.insert("contact_id".into(), contact_id_value(parent));
        for (name, _, _) in MANAGED {
            if let Some(v) = fields.get(name) {
                body.insert(name.into(), Value::String(v.clone()));
            }
        }
        Value::Object(body)
    }

    /// The JSON body of an update: the parent and every managed field, an empty string for a
    /// field without a value (an update replaces the managed fields: a value the file no
    /// longer has is cleared, not kept).
    pub fn update_body(parent: &str, fields: &RecordFields) -> Value {
        let mut body = Map::new();
        body.insert("contact_id".into(), contact_id_value(parent));
        for (name, _, _) in MANAGED {
            let v = fields.get(name).cloned().unwrap_or_default();
            body.insert(name.into(), Value::String(v));
        }
        Value::Object(body)
    }
}

/// `contact_id` as the page shows it: a number (ids are numeric), else the text as given (the
/// API then refuses it with its own message).
fn contact_id_value(parent: &str) -> Value {
    match parent.trim().parse::<u64>() {
        Ok(n) => Value::from(n),
        Err(_) => Value::String(parent.trim().to_string()),
    }
}

/// An id as text, whether the API sent a number or a string.
fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// The `contact_person_id` of a create/update answer: `contact_person` is an array on the page
/// (the first element is the person), or an object.
fn person_id(body: &Value) -> Option<String> {
    let person = match &body["contact_person"] {
        Value::Array(items) => items.first()?,
        v @ Value::Object(_) => v,
        _ => return None,
    };
    id_text(&person["contact_person_id"])
}

/// A contact person of a list answer as [`RecordFields`], normalized as [`ZohoBooks::desired`]
/// builds them.
fn fields_of(person: &Map<String, Value>) -> RecordFields {
    let mut fields = RecordFields::new();
    for (name, _, _) in MANAGED {
        let Some(Value::String(v)) = person.get(name) else {
            continue;
        };
        if name == "phone" || name == "mobile" {
            put(&mut fields, name, &phone_e164(v));
        } else {
            put(&mut fields, name, v);
        }
    }
    fields
}

/// The page a cursor names (the first: 1).
fn page_number(cursor: &Cursor) -> u64 {
    match cursor {
        Cursor::Page(n) => *n,
        _ => 1,
    }
}

/// The refusal of a row with no Books contact to belong to.
fn no_parent() -> Write {
    Write::refused("no Zoho Books contact_id for this person")
}

/// A short description of a failed request, for list errors and primary failures.
fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Ok { status, .. } => format!("HTTP {status}"),
        Outcome::Permanent { code, message, .. } => match code {
            Some(code) => format!("{message} (code {code})"),
            None => message.clone(),
        },
        Outcome::Ambiguous { reason, .. } | Outcome::NotApplied { reason } => reason.clone(),
        Outcome::QuotaExhausted { message, .. }
        | Outcome::Unauthorized { message }
        | Outcome::Denied { message } => message.clone(),
    }
}

impl Target for ZohoBooks {
    fn warning_for(&self, id: &str) -> Option<String> {
        let mut guard = self
            .primary_failures
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let i = guard.iter().position(|f| f.id == id)?;
        Some(guard.swap_remove(i).message)
    }

    fn descriptor(&self) -> &'static Descriptor {
        &DESCRIPTOR
    }

    /// One page of the contact persons of the contact `at.parent` (`page`, `per_page`, until
    /// `page_context.has_more_page` is false).
    fn page_request(&self, at: &At<'_>) -> Request {
        let parent = at.parent.unwrap_or_default();
        self.org_query(Request::get(format!(
            "/books/v3/contacts/{parent}/contactpersons"
        )))
        .query("page", page_number(at.cursor).to_string())
        .query("per_page", self.per_page.to_string())
    }

    /// A contact the API refuses to list (it does not exist) is an error carrying the API's
    /// code ([`ListError::refused`]).
    fn read_page(&self, at: &At<'_>, outcome: Outcome) -> Result<Page, ListError> {
        let fail = |message: String| ListError::new(DESCRIPTOR.name, message);
        let parent = at.parent.unwrap_or_default();
        let page = page_number(at.cursor);
        let mut body: Value = match outcome.json::<Value>() {
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                return Err(fail(format!(
                    "contact {parent}, page {page}: the answer is not JSON: {e}"
                )));
            }
            None => {
                let error = fail(format!(
                    "contact {parent}, page {page}: {}",
                    describe(&outcome)
                ));
                return Err(match &outcome {
                    Outcome::Permanent { code, .. } => {
                        error.refused(code.clone().unwrap_or_else(|| "remote_error".into()))
                    }
                    _ => error,
                });
            }
        };
        let has_more = body["page_context"]["has_more_page"]
            .as_bool()
            .unwrap_or(false);
        let Some(Value::Array(items)) = body.get_mut("contact_persons").map(Value::take) else {
            return Err(fail(format!(
                "contact {parent}, page {page}: the answer has no contact_persons list"
            )));
        };
        let mut records = Vec::with_capacity(items.len());
        for item in items {
            let Value::Object(person) = item else {
                return Err(fail(format!(
                    "contact {parent}, page {page}: a contact person is not an object"
                )));
            };
            records.push(person);
        }
        if has_more && records.is_empty() {
            return Err(fail(format!(
                "contact {parent}, page {page}: an empty page says more pages follow"
            )));
        }
        // Every person names its contact, whether the API says it or not.
        for p in &mut records {
            p.entry("contact_id")
                .or_insert_with(|| Value::String(parent.to_string()));
        }
        Ok(Page {
            records,
            total: None,
            next: has_more.then_some(Cursor::Page(page + 1)),
        })
    }

    fn id_field(&self) -> &'static str {
        "contact_person_id"
    }

    fn fields_of(&self, record: &Map<String, Value>) -> RecordFields {
        fields_of(record)
    }

    /// Books lists contact persons per contact: those of `--books-contact-id`.
    fn export_parents(&self) -> RunResult<Vec<Option<String>>> {
        if self.export_contacts.is_empty() {
            return Err(Error::Usage(
                "Zoho Books lists contact persons per contact: give --books-contact-id ID (repeatable, or comma-separated)".into(),
            ));
        }
        Ok(self.export_contacts.iter().cloned().map(Some).collect())
    }

    /// 100 requests per minute: Books' documented per-organization limit. Books also allows
    /// at most 10 requests in flight, and 1,000 to 10,000 requests a day depending on the plan.
    fn default_rate(&self) -> Rate {
        Rate::documented(REQUESTS_PER_MINUTE / 60.0)
    }

    fn desired(&self, contact: &Contact, extras: &RowExtras) -> Result<RecordFields, Rejection> {
        if contact.first_name.trim().is_empty() {
            return Err(Rejection::new(
                Stage::Validate,
                "first_name",
                Code::FieldRequired,
                "Zoho Books requires a first name for a contact person",
            ));
        }
        if self.parent(extras).is_none() {
            return Err(Rejection::new(
                Stage::Validate,
                "contact_id",
                Code::FieldRequired,
                "no Zoho Books contact to add this person to: give a contact_id column \
                 or --books-contact-id",
            ));
        }
        let mut fields = RecordFields::new();
        put(&mut fields, "first_name", &contact.first_name);
        put(&mut fields, "last_name", &contact.last_name);
        if let Some(email) = contact.primary_email() {
            put(&mut fields, "email", email);
        }
        let mobile = contact
            .phones
            .iter()
            .position(|p| p.label == PhoneLabel::Mobile);
        if let Some(i) = mobile {
            put(&mut fields, "mobile", &phone_e164(&contact.phones[i].e164));
        }
        if let Some((_, p)) = contact
            .phones
            .iter()
            .enumerate()
            .find(|(i, _)| Some(*i) != mobile)
        {
            put(&mut fields, "phone", &phone_e164(&p.e164));
        }
        put(&mut fields, "designation", &contact.job_title);
        for (name, max, column) in MANAGED {
            check_len(&fields, name, max, column)?;
        }
        Ok(fields)
    }

    fn probe(&self) -> Request {
        // The contact persons of --books-contact-id (code 1002 if it does not exist), else
        // one contact of the organization.
        let request = match &self.default_parent {
            Some(parent) => Request::get(format!("/books/v3/contacts/{parent}/contactpersons")),
            None => Request::get("/books/v3/contacts"),
        };
        self.org_query(request).query("per_page", "1")
    }

    /// When the row says so, the new person is marked as the contact's primary contact person.
    fn after_create(&self, id: &str, extras: &RowExtras) -> Option<Request> {
        extras.primary.then(|| {
            self.org_query(Request::post(format!(
                "/books/v3/contacts/contactpersons/{id}/primary"
            )))
            .idempotent(true)
        })
    }

    fn after_create_failed(&self, id: &str, outcome: &Outcome) {
        self.primary_failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(PrimaryFailure {
                id: id.to_string(),
                message: format!(
                    "created, but not marked as the primary contact person: {}",
                    describe(outcome)
                ),
            });
    }

    fn create_request(&self, fields: &RecordFields, extras: &RowExtras) -> Result<Request, Write> {
        let parent = self.parent(extras).ok_or_else(no_parent)?;
        Ok(self
            .org_query(Request::post("/books/v3/contacts/contactpersons"))
            .json_value(ZohoBooks::create_body(parent, fields)))
    }

    fn created_id(&self, answer: &Value) -> Option<String> {
        person_id(answer)
    }

    fn update_request(
        &self,
        id: &str,
        fields: &RecordFields,
        row: &RowExtras,
    ) -> Result<Request, Write> {
        let parent = self.parent(row).ok_or_else(no_parent)?;
        if !fields.contains_key("first_name") {
            return Err(Write::refused(
                "Zoho Books requires a first name to update a contact person",
            ));
        }
        let mut body = ZohoBooks::update_body(parent, fields);
        if row.primary
            && let Value::Object(m) = &mut body
        {
            // Update takes is_primary_contact directly (create does not).
            m.insert("is_primary_contact".into(), Value::Bool(true));
        }
        Ok(self
            .org_query(Request::put(format!(
                "/books/v3/contacts/contactpersons/{id}"
            )))
            .json_value(body)
            .idempotent(true))
    }

    fn delete_request(&self, id: &str, _parent: Option<&str>) -> Request {
        self.org_query(Request::delete(format!(
            "/books/v3/contacts/contactpersons/{id}"
        )))
        .idempotent(true)
    }

    /// `GET /books/v3/contacts/{contact_id}/contactpersons/{contact_person_id}`: under the
    /// record's contact, or the run's.
    fn read_request(&self, id: &str, parent: Option<&str>) -> Request {
        let parent = parent.or(self.default_parent()).unwrap_or_default();
        self.org_query(Request::get(format!(
            "/books/v3/contacts/{}/contactpersons/{id}",
            parent.trim()
        )))
    }

    /// The page's answer holds the person under `contact_person`.
    fn record_in<'a>(&self, answer: &'a Value) -> Option<&'a Map<String, Value>> {
        answer.get("contact_person")?.as_object()
    }

    /// An update answers the person; a delete only `code` 0.
    fn changed(&self, outcome: Outcome, id: &str) -> Write {
        Write::from_outcome(outcome, |v| person_id(v).or_else(|| Some(id.to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PARENT: &str = "460000000026049";

    #[test]
    fn the_preflight_reads_the_contact_of_the_run_or_one_contact() {
        let with_parent = ZohoBooks::new("10234695", Some(PARENT.into())).probe();
        assert_eq!(
            with_parent.path(),
            format!("/books/v3/contacts/{PARENT}/contactpersons")
        );
        assert_eq!(with_parent.query_value("organization_id"), Some("10234695"));
        assert_eq!(with_parent.query_value("per_page"), Some("1"));
        let without = ZohoBooks::new("10234695", None).probe();
        assert_eq!(without.path(), "/books/v3/contacts");
        assert_eq!(without.query_value("organization_id"), Some("10234695"));
    }

    use crate::connectors::test_phone as phone;

    fn will() -> Contact {
        Contact {
            first_name: "Will".into(),
            last_name: "Smith".into(),
            emails: vec!["will@example.com".into(), "w2@example.com".into()],
            phones: vec![
                phone("+19259219201", PhoneLabel::Work),
                phone("+14054439562", PhoneLabel::Mobile),
                phone("+14054439563", PhoneLabel::Home),
            ],
            job_title: "Sales Engineer".into(),
            company: "Bowman".into(),
            ..Contact::default()
        }
    }

    fn books() -> ZohoBooks {
        ZohoBooks::new("10234695", Some(PARENT.into()))
    }

    use crate::connectors::test_fields as fields;

    #[test]
    fn kind_and_rate() {
        let b = books();
        assert_eq!(b.kind().as_str(), DESCRIPTOR.name);
        assert!((b.default_rate().as_per_second() - 100.0 / 60.0).abs() < 1e-9);
    }

    #[test]
    fn maps_fields_by_the_pages_names() {
        let f = books()
            .desired(&will(), &RowExtras::default())
            .expect("valid");
        assert_eq!(
            f,
            fields(&[
                ("first_name", "Will"),
                ("last_name", "Smith"),
                ("email", "will@example.com"),
                ("mobile", "+14054439562"),
                ("phone", "+19259219201"),
                ("designation", "Sales Engineer"),
            ])
        );
    }

    #[test]
    fn phones_go_by_label() {
        let b = books();
        let ex = RowExtras::default();
        // No mobile: the first phone is the `phone`, no `mobile`. Two mobiles: the second is
        // the `phone`.
        let cases = [
            (
                [
                    ("+19259219201", PhoneLabel::Other),
                    ("+19259219202", PhoneLabel::Home),
                ],
                None,
                "+19259219201",
            ),
            (
                [
                    ("+14054439562", PhoneLabel::Mobile),
                    ("+14054439563", PhoneLabel::Mobile),
                ],
                Some("+14054439562"),
                "+14054439563",
            ),
        ];
        for (phones, mobile, other) in cases {
            let c = Contact {
                first_name: "A".into(),
                phones: phones.iter().map(|(n, l)| phone(n, *l)).collect(),
                ..Contact::default()
            };
            let f = b.desired(&c, &ex).expect("valid");
            assert_eq!(f.get("mobile").map(String::as_str), mobile);
            assert_eq!(f.get("phone").map(String::as_str), Some(other));
        }
        // No phones, no e-mail, no title: only the names; blanks are left out.
        let c = Contact {
            first_name: " Ann ".into(),
            last_name: "  ".into(),
            ..Contact::default()
        };
        assert_eq!(b.desired(&c, &ex), Ok(fields(&[("first_name", "Ann")])));
    }

    #[test]
    fn first_name_is_required() {
        let c = Contact {
            first_name: "  ".into(),
            last_name: "Smith".into(),
            ..Contact::default()
        };
        let err = books()
            .desired(&c, &RowExtras::default())
            .expect_err("no first name");
        assert_eq!(err.code, Code::FieldRequired);
        assert_eq!(err.field, "first_name");
    }

    #[test]
    fn lengths_follow_the_page() {
        let b = books();
        let ex = RowExtras::default();
        let mut c = will();
        c.first_name = "é".repeat(100);
        assert!(b.desired(&c, &ex).is_ok(), "100 characters fit");
        c.first_name = "é".repeat(101);
        let err = b.desired(&c, &ex).expect_err("too long");
        assert_eq!(
            (err.code, err.field.as_str()),
            (Code::TooLong, "first_name")
        );
        let mut c = will();
        c.last_name = "x".repeat(101);
        assert_eq!(
            b.desired(&c, &ex).map_err(|e| e.field),
            Err("last_name".into())
        );
        let mut c = will();
        c.emails = vec![format!("{}@example.com", "a".repeat(90))];
        assert_eq!(b.desired(&c, &ex).map_err(|e| e.field), Err("email".into()));
        let mut c = will();
        c.job_title = "d".repeat(50);
        assert!(b.desired(&c, &ex).is_ok());
        c.job_title = "d".repeat(51);
        assert_eq!(
            b.desired(&c, &ex).map_err(|e| e.field),
            Err("job_title".into())
        );
        let mut c = will();
        c.phones = vec![phone(&"9".repeat(51), PhoneLabel::Mobile)];
        assert_eq!(
            b.desired(&c, &ex).map_err(|e| e.field),
            Err("mobile".into())
        );
    }

    #[test]
    fn the_parent_comes_from_the_row_or_the_default() {
        let no_default = ZohoBooks::new("10234695", None);
        let err = no_default
            .desired(&will(), &RowExtras::default())
            .expect_err("no parent");
        assert_eq!(
            (err.code, err.field.as_str()),
            (Code::FieldRequired, "contact_id")
        );
        assert!(err.message.contains("contact_id") && err.message.contains("--books-contact-id"));
        let row = RowExtras {
            parent: Some("460000000026050".into()),
            ..RowExtras::default()
        };
        assert!(no_default.desired(&will(), &row).is_ok());
        assert_eq!(books().parent(&row), Some("460000000026050"));
        assert_eq!(books().parent(&RowExtras::default()), Some(PARENT));
        let blank = RowExtras {
            parent: Some("  ".into()),
            ..RowExtras::default()
        };
        assert_eq!(books().parent(&blank), Some(PARENT));
        assert!(
            ZohoBooks::new("1", Some(" ".into()))
                .default_parent()
                .is_none()
        );
    }

    #[test]
    fn request_bodies() {
        let f = fields(&[("first_name", "Will"), ("mobile", "+14054439562")]);
        assert_eq!(
            ZohoBooks::create_body(PARENT, &f),
            json!({"contact_id": 460000000026049u64, "first_name": "Will", "mobile": "+14054439562"})
        );
        assert_eq!(
            ZohoBooks::update_body(PARENT, &f),
            json!({"contact_id": 460000000026049u64, "first_name": "Will", "last_name": "",
                "email": "", "mobile": "+14054439562", "phone": "", "designation": ""})
        );
        assert_eq!(
            ZohoBooks::create_body("abc", &f)["contact_id"],
            json!("abc")
        );
    }

    #[test]
    fn ids_from_answers() {
        let page = json!({"code": 0, "contact_person": [
            {"contact_id": 460000000026049u64, "contact_person_id": 460000000026051u64}, {}]});
        assert_eq!(person_id(&page).as_deref(), Some("460000000026051"));
        let obj = json!({"code": 0, "contact_person": {"contact_person_id": "77"}});
        assert_eq!(person_id(&obj).as_deref(), Some("77"));
        assert_eq!(person_id(&json!({"code": 0, "contact_person": []})), None);
        assert_eq!(person_id(&json!({"code": 0})), None);
    }

    #[test]
    fn listed_persons_compare_like_desired_ones() {
        let listed = json!({"contact_person_id": 460000000026051u64, "salutation": "Mr",
            "first_name": "Will", "last_name": "Smith", "email": "will@example.com",
            "phone": "+1-925-921-9201", "mobile": "+1-4054439562", "is_primary_contact": true,
            "skype": "zoho", "designation": "Sales Engineer", "department": ""});
        let Value::Object(m) = listed else {
            panic!("an object")
        };
        let f = fields_of(&m);
        assert_eq!(Ok(f), books().desired(&will(), &RowExtras::default()));
    }
}
