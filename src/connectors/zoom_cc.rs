//! Zoom Contact Center address-book contacts
//! (`/v2/contact_center/address_books/{addressBookId}/contacts` on `https://api.zoom.us`).
//!
//! Create is `POST` (201, the contact with its `contact_id`), list is `GET` paged with
//! `page_size` (at most 300) and `next_page_token` (valid for 15 minutes), update is `PATCH
//! .../contacts/{contactId}` (204, no body) and delete is `DELETE` (204). Errors answer
//! `{"code": N, "message": ...}`: 2001 no such address book, 2101 no such contact, 2102
//! neither email nor phone, 2104 empty display name.
//!
//! # Managed fields
//!
//! Records are compared as flat [`RecordFields`]:
//!
//! | field           | from the contact                                    | on the wire          |
//! |-----------------|-----------------------------------------------------|----------------------|
//! | `display_name`  | "First Last" (else the company): required by Zoom    | string               |
//! | `first_name`    | first name                                           | string               |
//! | `last_name`     | last name                                            | string               |
//! | `phone_numbers` | every phone, E.164, in column order, repeats removed, joined with `,` | array (at most 5) |
//! | `emails`        | every e-mail, in order, repeats (any case) removed, joined with `,` | array (at most 4) |
//! | `company`       | company                                              | string               |
//! | `role`          | job title                                            | string               |
//! | `location`      | "City, State, CC" (see below)                        | string               |
//!
//! `location` is the city and state joined with ", ", followed by the contact's country code
//! when the row gives a city or a state. The country alone never makes a location: bulkline
//! sets it from a country column *or* from `--region`, so on its own it says where the
//! numbers were read, not where the contact is. Street and postal code are not sent (Zoom has
//! one free-text location).
//!
//! `account_number` and `variables` are left as they are on the target: the canonical contact
//! has nothing to put there.
//!
//! Nothing is dropped silently: a contact with more than 4 e-mails or 5 phones, with a phone
//! extension (Zoom's phone numbers have no place for one), with neither phone nor e-mail (Zoom's
//! 2102) or with no name and no company to show (Zoom's 2104) is rejected before any request.

use std::time::Duration;

use serde_json::{Map, Value};

use super::{
    At, Connected, Cursor, Descriptor, ListError, Page, RecordFields, RowExtras, Setup, Target,
    Write, check_len, id_text, list_json, phone_e164, put,
};
use crate::contact::Contact;
use crate::error::{Error, Result as RunResult};
use crate::flags::Flag;
use crate::http::{Meaning, Outcome, Rate, Request, Source, VendorCode, VendorCodes};
use crate::reject::{Code, Rejection, Stage};
use crate::scopes::{self, Api, ApiScopes, Need};

/// The documented API host of Zoom.
pub const API_URL: &str = "https://api.zoom.us";

/// The scopes of Zoom Contact Center's contacts: the classic scopes, or the granular one of the
/// operation (the Contact Center spec's table of granular scopes).
pub static SCOPES: ApiScopes = ApiScopes {
    name: "Zoom Contact Center",
    read: Need {
        scope: "contact_center_contact:read:admin",
        granted_by: &[
            "contact_center_contact:read:admin",
            "contact_center:read:list_address_book_contacts:admin",
        ],
    },
    create: Need {
        scope: "contact_center_contact:write:admin",
        granted_by: &[
            "contact_center_contact:write:admin",
            "contact_center:write:address_book_contact:admin",
        ],
    },
    update: Need {
        scope: "contact_center_contact:write:admin",
        granted_by: &[
            "contact_center_contact:write:admin",
            "contact_center:update:address_book_contact:admin",
        ],
    },
    delete: Need {
        scope: "contact_center_contact:write:admin",
        granted_by: &[
            "contact_center_contact:write:admin",
            "contact_center:delete:address_book_contact:admin",
        ],
    },
    commands: scopes::CONTACT_COMMANDS,
    grant: crate::auth::zoom::GRANT,
    write_word: None,
};

/// Zoom Contact Center address-book contacts, as the registry lists them.
pub static DESCRIPTOR: Descriptor = Descriptor::new(
    "zoom-cc",
    "Zoom Contact Center address-book contacts.",
    Api::of(&SCOPES),
    connect,
)
.signs_in_with(&crate::auth::zoom::SERVICE)
.codes(CODES)
.export_columns(&EXPORT_COLUMNS)
.options(&[ADDRESS_BOOK_OPTION])
.id_headers(&["zoomcontactid"]);

/// `--address-book-id`: the address book of the run.
pub static ADDRESS_BOOK_OPTION: Flag = Flag::new(
    "address_book_id",
    "address-book-id",
    "ID",
    "Zoom Contact Center: the address book (the one written to, read from or checked)",
)
.env("ZOOM_ADDRESS_BOOK_ID");

/// Zoom's own codes that bulkline reads, whatever HTTP status carries them.
pub const CODES: VendorCodes = VendorCodes::new(&[
    VendorCode {
        code: "124",
        meaning: Meaning::InvalidToken,
        text: "Invalid access token.",
        source: Source::Page("Zoom's API error codes"),
    },
    VendorCode {
        code: "4711",
        meaning: Meaning::MissingScope,
        text: "Invalid access token, does not contain scopes:[...]",
        source: Source::Reading(
            "Zoom answers it, with HTTP 400, for a token without the scope it names",
        ),
    },
    VendorCode {
        code: "2101",
        meaning: Meaning::Gone,
        text: "Contact does not exist",
        source: Source::Page("Zoom's Contact Center spec (update and delete)"),
    },
]);

/// The fields the API page documents, in its order.
const EXPORT_COLUMNS: [&str; 12] = [
    "contact_id",
    "display_name",
    "first_name",
    "last_name",
    "phone_numbers",
    "emails",
    "location",
    "account_number",
    "company",
    "role",
    "address_book_id",
    "address_book_name",
];

/// The address book of the run: an earlier run's (undo), `--address-book-id`, or the
/// sandbox's.
fn connect(setup: &Setup<'_>) -> RunResult<Connected> {
    let book = setup
        .known("address_book_id")
        .or_else(|| setup.options.one(ADDRESS_BOOK_OPTION.id).map(str::to_string))
        .or_else(|| {
            setup
                .sandbox
                .then(|| crate::sandbox::seed::ZOOM_ADDRESS_BOOK_ID.to_string())
        })
        .ok_or_else(|| {
            Error::Usage(
                "Zoom Contact Center needs the address book to import into: give --address-book-id ID".into(),
            )
        })?;
    Ok(Connected {
        params: vec![("address_book_id".to_string(), book.clone())],
        target: Box::new(ZoomCc::new(book)),
        base_url: API_URL.to_string(),
        default_parent: None,
    })
}

/// The largest `page_size` the list endpoint accepts.
pub const PAGE_SIZE: usize = 300;
/// The most e-mails a contact may have.
pub const MAX_EMAILS: usize = 4;
/// The most phone numbers a contact may have.
pub const MAX_PHONES: usize = 5;
/// The longest values Zoom's Contact Center spec allows, in characters.
pub const FIELD_LIMITS: [(&str, usize); 6] = [
    ("first_name", 36),
    ("last_name", 36),
    ("display_name", 125),
    ("location", 256),
    ("company", 256),
    ("role", 256),
];
/// The list endpoint is "Medium" (10/s on Pro): list pages are spaced at least this far apart,
/// whatever the client's rate.
pub const LIST_PAGE_SPACING: Duration = Duration::from_millis(100);

/// The string fields sent as they are.
const TEXT_FIELDS: [&str; 6] = [
    "display_name",
    "first_name",
    "last_name",
    "company",
    "role",
    "location",
];
/// The list fields, flattened with [`SEPARATOR`] in [`RecordFields`].
const LIST_FIELDS: [&str; 2] = ["phone_numbers", "emails"];
/// How list fields are joined in [`RecordFields`].
const SEPARATOR: char = ',';

/// The Zoom Contact Center address-book contacts target, for one address book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoomCc {
    address_book_id: String,
}

impl ZoomCc {
    /// The target for the address book `address_book_id` (`ZOOM_ADDRESS_BOOK_ID`).
    pub fn new(address_book_id: impl Into<String>) -> ZoomCc {
        ZoomCc {
            address_book_id: address_book_id.into().trim().to_string(),
        }
    }

    /// The address book written to.
    pub fn address_book_id(&self) -> &str {
        &self.address_book_id
    }

    /// `/v2/contact_center/address_books/{id}/contacts`.
    fn contacts_path(&self) -> String {
        format!(
            "/v2/contact_center/address_books/{}/contacts",
            escape_segment(&self.address_book_id)
        )
    }

    /// `/v2/contact_center/address_books/{id}/contacts/{contactId}`.
    fn contact_path(&self, id: &str) -> String {
        format!("{}/{}", self.contacts_path(), escape_segment(id))
    }
}

/// Percent-encodes everything in a path segment but unreserved characters, so that an id can
/// never change the path.
fn escape_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn reject(field: &str, code: Code, message: String) -> Rejection {
    Rejection::new(Stage::Validate, field, code, message)
}

/// Rejects a row with more different `values` of list field `field` (`what`, in messages)
/// than Zoom keeps in one contact (`max`).
fn check_count(field: &str, values: &[&str], max: usize, what: &str) -> Result<(), Rejection> {
    if values.len() > max {
        return Err(reject(
            field,
            Code::TooManyValues,
            format!(
                "the row has {} different {what}; Zoom Contact Center keeps at most {max} per \
                 contact",
                values.len()
            ),
        ));
    }
    Ok(())
}

/// The items of a flattened list field.
fn split_list(value: Option<&String>) -> Vec<String> {
    value
        .map(|v| {
            v.split(SEPARATOR)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// `"City, State, CC"`: see the module docs.
fn location(contact: &Contact) -> String {
    let parts: Vec<&str> = [contact.city.trim(), contact.state.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    let mut out = parts.join(", ");
    let country = contact.country.trim();
    if !country.is_empty() {
        out.push_str(", ");
        out.push_str(country);
    }
    out
}

/// The JSON body for `fields`. A create sends what is given; an update (`replace`) sends every
/// managed field, empty ones as `""` or `[]`, so that a field emptied in the file is emptied on
/// the target too (PATCH leaves absent keys alone).
fn body(fields: &RecordFields, replace: bool) -> Value {
    let mut m = Map::new();
    for name in TEXT_FIELDS {
        match fields.get(name) {
            Some(v) => {
                m.insert(name.into(), Value::String(v.clone()));
            }
            // Zoom answers 2104 for a missing display name: let it say so rather than guess.
            None if replace || name == "display_name" => {
                m.insert(name.into(), Value::String(String::new()));
            }
            None => {}
        }
    }
    for name in LIST_FIELDS {
        let items = split_list(fields.get(name));
        if replace || !items.is_empty() {
            m.insert(
                name.into(),
                Value::Array(items.into_iter().map(Value::String).collect()),
            );
        }
    }
    Value::Object(m)
}

/// The managed fields of a contact as the list answers it, normalized like `desired`.
fn remote_fields(record: &Map<String, Value>) -> RecordFields {
    let mut fields = RecordFields::new();
    for name in TEXT_FIELDS {
        if let Some(Value::String(v)) = record.get(name) {
            put(&mut fields, name, v);
        }
    }
    let strings = |name: &str| -> Vec<String> {
        record
            .get(name)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    };
    let phones: Vec<String> = strings("phone_numbers")
        .iter()
        .map(|p| phone_e164(p))
        .collect();
    put(&mut fields, "phone_numbers", &phones.join(","));
    put(&mut fields, "emails", &strings("emails").join(","));
    fields
}

/// The `next_page_token` a cursor holds (none for the first page).
fn token_of(cursor: &Cursor) -> &str {
    match cursor {
        Cursor::Token(t) => t.as_str(),
        _ => "",
    }
}

/// The result of an update or delete, answered 204 with no body: done, with the id sent.
fn no_content(outcome: Outcome, id: &str) -> Write {
    match outcome {
        Outcome::Ok { .. } => Write::Done(id.to_string()),
        other => Write::from_outcome(other, |_| None),
    }
}

impl Target for ZoomCc {
    fn descriptor(&self) -> &'static Descriptor {
        &DESCRIPTOR
    }

    /// The list endpoint is "Medium": pages are spaced by [`LIST_PAGE_SPACING`].
    fn page_spacing(&self) -> Option<Duration> {
        Some(LIST_PAGE_SPACING)
    }

    /// One page of the address book's contacts ([`PAGE_SIZE`] a page, by `next_page_token`).
    fn page_request(&self, at: &At<'_>) -> Request {
        let request = Request::get(self.contacts_path()).query("page_size", PAGE_SIZE.to_string());
        match token_of(at.cursor) {
            "" => request,
            token => request.query("next_page_token", token),
        }
    }

    fn read_page(&self, at: &At<'_>, answer: Outcome) -> Result<Page, ListError> {
        let token = token_of(at.cursor);
        let mut body = list_json(DESCRIPTOR.name, answer)?;
        let contacts = match body.get_mut("contacts").map(Value::take) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items,
            Some(_) => {
                return Err(ListError::new(
                    DESCRIPTOR.name,
                    "the answer's contacts is not a list",
                ));
            }
        };
        let mut records = Vec::with_capacity(contacts.len());
        for c in contacts {
            let Value::Object(record) = c else {
                return Err(ListError::new(
                    DESCRIPTOR.name,
                    "a listed contact is not an object",
                ));
            };
            records.push(record);
        }
        let next = body
            .get("next_page_token")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_string();
        if !next.is_empty() && next == token {
            return Err(ListError::new(
                DESCRIPTOR.name,
                "the API answered the same next_page_token twice; stopping to avoid a loop",
            ));
        }
        let total = body.get("total_records").and_then(Value::as_u64);
        Ok(Page {
            records,
            total,
            next: (!next.is_empty()).then_some(Cursor::Token(next)),
        })
    }

    fn id_field(&self) -> &'static str {
        "contact_id"
    }

    fn fields_of(&self, record: &Map<String, Value>) -> RecordFields {
        remote_fields(record)
    }

    /// Zoom limits requests per account by endpoint label. Create, update and delete are
    /// "Light": 20/s on Pro, 40/s on Business and above. The list endpoint is "Medium": 10/s
    /// on Pro (20/s on Business+); [`ZoomCc::list`] spaces its pages by [`LIST_PAGE_SPACING`]
    /// on its own. The default is the Pro Light rate, 20/s; `--rate 40/s` suits Business+.
    fn default_rate(&self) -> Rate {
        Rate::documented(20.0)
    }

    fn desired(&self, contact: &Contact, _extras: &RowExtras) -> Result<RecordFields, Rejection> {
        let mut fields = RecordFields::new();
        let first = contact.first_name.trim();
        let last = contact.last_name.trim();
        put(&mut fields, "first_name", first);
        put(&mut fields, "last_name", last);
        let name = [first, last]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let display = if name.is_empty() {
            contact.company.trim()
        } else {
            name.as_str()
        };
        if display.is_empty() {
            return Err(reject(
                "display_name",
                Code::FieldRequired,
                "Zoom Contact Center requires a display name (error 2104): the row has no first \
                 name, last name or company to build it from"
                    .into(),
            ));
        }
        put(&mut fields, "display_name", display);
        put(&mut fields, "company", &contact.company);
        put(&mut fields, "role", &contact.job_title);
        put(&mut fields, "location", &location(contact));
        // The lengths of Zoom's Contact Center spec (its OpenAPI file).
        for (name, max) in FIELD_LIMITS {
            check_len(&fields, name, max, name)?;
        }

        let mut phones: Vec<&str> = Vec::new();
        for p in &contact.phones {
            if let Some(ext) = p.extension.as_deref().filter(|e| !e.trim().is_empty()) {
                return Err(reject(
                    "phone_numbers",
                    Code::PhoneExtension,
                    format!(
                        "{} has extension {ext}, and Zoom Contact Center phone numbers have no \
                         place for one: remove the extension to import the number without it",
                        p.e164
                    ),
                ));
            }
            let e164 = p.e164.trim();
            if !e164.is_empty() && !phones.contains(&e164) {
                phones.push(e164);
            }
        }
        check_count("phone_numbers", &phones, MAX_PHONES, "phone numbers")?;

        let mut emails: Vec<&str> = Vec::new();
        for e in &contact.emails {
            let e = e.trim();
            if e.is_empty() || emails.iter().any(|k| k.eq_ignore_ascii_case(e)) {
                continue;
            }
            if e.contains(SEPARATOR) {
                return Err(reject(
                    "emails",
                    Code::EmailInvalid,
                    format!("{e:?} is not one e-mail address"),
                ));
            }
            emails.push(e);
        }
        check_count("emails", &emails, MAX_EMAILS, "e-mail addresses")?;
        if phones.is_empty() && emails.is_empty() {
            return Err(reject(
                "",
                Code::FieldRequired,
                "Zoom Contact Center requires a phone number or an e-mail address (error 2102); \
                 the row has neither"
                    .into(),
            ));
        }
        put(&mut fields, "phone_numbers", &phones.join(","));
        put(&mut fields, "emails", &emails.join(","));
        Ok(fields)
    }

    fn probe(&self) -> Request {
        // One contact of the address book: a 2001 if it does not exist.
        Request::get(self.contacts_path()).query("page_size", "1")
    }

    fn create_request(&self, fields: &RecordFields, _extras: &RowExtras) -> Result<Request, Write> {
        Ok(Request::post(self.contacts_path()).json_value(body(fields, false)))
    }

    /// The id of the contact in a create answer: `contact_id`.
    fn created_id(&self, answer: &Value) -> Option<String> {
        id_text(answer.get("contact_id")?).filter(|id| !id.trim().is_empty())
    }

    fn update_request(
        &self,
        id: &str,
        fields: &RecordFields,
        _: &RowExtras,
    ) -> Result<Request, Write> {
        Ok(Request::patch(self.contact_path(id)).json_value(body(fields, true)))
    }

    /// A contact that is not there answers 2101, reported as such like the other targets'
    /// "not found" (undo counts it as already gone).
    fn delete_request(&self, id: &str, _parent: Option<&str>) -> Request {
        Request::delete(self.contact_path(id))
    }

    /// `GET /v2/contact_center/address_books/{id}/contacts/{contactId}`.
    fn read_request(&self, id: &str, _parent: Option<&str>) -> Request {
        Request::get(self.contact_path(id))
    }

    /// The answer is the contact itself.
    fn record_in<'a>(&self, answer: &'a Value) -> Option<&'a Map<String, Value>> {
        answer.as_object()
    }

    /// Updates and deletes answer 204 with no body: done, with the id sent.
    fn changed(&self, outcome: Outcome, id: &str) -> Write {
        no_content(outcome, id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{Phone, PhoneLabel};

    fn phone(e164: &str) -> Phone {
        crate::connectors::test_phone(e164, PhoneLabel::Mobile)
    }

    fn jane() -> Contact {
        Contact {
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            emails: vec!["jane@example.com".into(), "j.doe@example.org".into()],
            phones: vec![phone("+14054439562"), phone("+442071838750")],
            company: "Acme".into(),
            job_title: "Buyer".into(),
            city: "Austin".into(),
            state: "TX".into(),
            country: "US".into(),
            ..Contact::default()
        }
    }

    #[test]
    fn no_list_request_asks_for_more_than_the_spec_allows() {
        let zoom = ZoomCc::new("ab1");
        let token = Cursor::Token("t".into());
        let requests = [
            zoom.page_request(&At {
                parent: None,
                cursor: &Cursor::Start,
            }),
            zoom.page_request(&At {
                parent: None,
                cursor: &token,
            }),
            zoom.probe(),
        ];
        for r in requests {
            let size: usize = r
                .query_value("page_size")
                .and_then(|v| v.parse().ok())
                .expect("a page_size");
            assert!((1..=300).contains(&size), "{size}");
        }
    }

    fn desired(c: &Contact) -> Result<RecordFields, Rejection> {
        ZoomCc::new("ab1").desired(c, &RowExtras::default())
    }

    use crate::connectors::test_fields as fields;

    #[test]
    fn desired_encodes_every_managed_field() {
        assert_eq!(
            desired(&jane()),
            Ok(fields(&[
                ("company", "Acme"),
                ("display_name", "Jane Doe"),
                ("emails", "jane@example.com,j.doe@example.org"),
                ("first_name", "Jane"),
                ("last_name", "Doe"),
                ("location", "Austin, TX, US"),
                ("phone_numbers", "+14054439562,+442071838750"),
                ("role", "Buyer"),
            ]))
        );
    }

    #[test]
    fn display_name_is_built_from_the_names_or_the_company() {
        let display_name =
            |c: &Contact| desired(c).ok().and_then(|f| f.get("display_name").cloned());
        let mut c = jane();
        c.last_name = " ".into();
        assert_eq!(display_name(&c), Some("Jane".into()));
        c.first_name.clear();
        c.last_name = "Doe".into();
        assert_eq!(display_name(&c), Some("Doe".into()));
        c.last_name.clear();
        let f = desired(&c).expect("the company names it");
        assert_eq!(f.get("display_name").map(String::as_str), Some("Acme"));
        assert!(!f.contains_key("first_name"));
        c.company.clear();
        let err = desired(&c).expect_err("nothing to show");
        assert_eq!(err.code, Code::FieldRequired);
        assert_eq!(err.field, "display_name");
    }

    #[test]
    fn location_needs_a_city_or_state() {
        let mut c = jane();
        c.city.clear();
        assert_eq!(location(&c), "TX, US");
        c.state.clear();
        assert_eq!(location(&c), "");
        assert!(!desired(&c).expect("valid").contains_key("location"));
        c.city = "Paris".into();
        c.country.clear();
        assert_eq!(location(&c), "Paris");
    }

    #[test]
    fn repeats_are_removed_in_order() {
        let mut c = jane();
        c.phones.push(phone("+14054439562"));
        c.emails.push("JANE@example.com".into());
        c.emails.push("  ".into());
        let f = desired(&c).expect("valid");
        assert_eq!(f["phone_numbers"], "+14054439562,+442071838750");
        assert_eq!(f["emails"], "jane@example.com,j.doe@example.org");
    }

    #[test]
    fn neither_phone_nor_email_is_rejected() {
        let mut c = jane();
        c.phones.clear();
        c.emails.clear();
        let err = desired(&c).expect_err("2102");
        assert_eq!(err.code, Code::FieldRequired);
        assert!(err.message.contains("2102"));
        c.emails.push("a@b.co".into());
        assert!(desired(&c).is_ok());
        c.emails.clear();
        c.phones.push(phone("+14054439562"));
        assert!(desired(&c).is_ok());
    }

    #[test]
    fn too_many_emails_or_phones_are_rejected_not_dropped() {
        let mut c = jane();
        c.emails = (0..4).map(|i| format!("a{i}@b.co")).collect();
        assert!(desired(&c).is_ok());
        c.emails.push("a4@b.co".into());
        let err = desired(&c).expect_err("5 emails");
        assert_eq!(
            (err.code, err.field.as_str()),
            (Code::TooManyValues, "emails")
        );
        assert!(err.message.contains("at most 4"));

        let mut c = jane();
        c.phones = (0..5).map(|i| phone(&format!("+1405443956{i}"))).collect();
        assert!(desired(&c).is_ok());
        c.phones.push(phone("+14054439569"));
        let err = desired(&c).expect_err("6 phones");
        assert_eq!(
            (err.code, err.field.as_str()),
            (Code::TooManyValues, "phone_numbers")
        );
        assert!(err.message.contains("at most 5"));
    }

    #[test]
    fn extensions_and_commas_are_rejected() {
        let mut c = jane();
        c.phones[1].extension = Some("42".into());
        assert_eq!(desired(&c).map_err(|e| e.code), Err(Code::PhoneExtension));
        let mut c = jane();
        c.emails.push("a@b.co,c@d.co".into());
        assert_eq!(desired(&c).map_err(|e| e.code), Err(Code::EmailInvalid));
    }

    /// [`jane`] as the API holds her: every managed field, in the wire's types.
    fn jane_on_the_wire() -> Value {
        serde_json::json!({
            "display_name": "Jane Doe",
            "first_name": "Jane",
            "last_name": "Doe",
            "company": "Acme",
            "role": "Buyer",
            "location": "Austin, TX, US",
            "phone_numbers": ["+14054439562", "+442071838750"],
            "emails": ["jane@example.com", "j.doe@example.org"],
        })
    }

    #[test]
    fn create_body_sends_what_is_given() {
        let f = desired(&jane()).expect("valid");
        assert_eq!(body(&f, false), jane_on_the_wire());
        let f = fields(&[("display_name", "X"), ("emails", "x@y.co")]);
        assert_eq!(
            body(&f, false),
            serde_json::json!({"display_name": "X", "emails": ["x@y.co"]})
        );
        // No display name: sent empty, for Zoom's own 2104.
        assert_eq!(
            body(&RecordFields::new(), false),
            serde_json::json!({"display_name": ""})
        );
    }

    #[test]
    fn update_body_empties_what_is_gone() {
        let f = fields(&[("display_name", "X"), ("phone_numbers", "+14054439562")]);
        assert_eq!(
            body(&f, true),
            serde_json::json!({
                "display_name": "X",
                "first_name": "",
                "last_name": "",
                "company": "",
                "role": "",
                "location": "",
                "phone_numbers": ["+14054439562"],
                "emails": [],
            })
        );
    }

    #[test]
    fn listed_contacts_compare_with_desired() {
        // A listing also gives the fields bulkline does not manage, and the phones as typed in.
        let mut listed = jane_on_the_wire();
        let record = listed.as_object_mut().expect("object");
        let as_listed = serde_json::json!({
            "contact_id": "abc",
            "phone_numbers": ["+1-405-443-9562", " +44 20 7183 8750 "],
            "account_number": "A-1",
            "address_book_id": "ab1",
            "address_book_name": "Book",
            "variables": [],
        });
        record.extend(as_listed.as_object().expect("object").clone());
        assert_eq!(Ok(remote_fields(record)), desired(&jane()));
        let sparse = serde_json::json!({"contact_id": 7, "display_name": "X", "emails": null});
        assert_eq!(
            remote_fields(sparse.as_object().expect("object")),
            fields(&[("display_name", "X")])
        );
        let zoom = ZoomCc::new("ab1");
        assert_eq!(
            zoom.created_id(&serde_json::json!({"contact_id": 7})),
            Some("7".into())
        );
        assert_eq!(
            zoom.created_id(&serde_json::json!({"contact_id": ""})),
            None
        );
    }

    #[test]
    fn paths_escape_ids() {
        let t = ZoomCc::new("ab1");
        assert_eq!(
            t.contacts_path(),
            "/v2/contact_center/address_books/ab1/contacts"
        );
        assert_eq!(
            t.contact_path("a/b?c"),
            "/v2/contact_center/address_books/ab1/contacts/a%2Fb%3Fc"
        );
    }

    #[test]
    fn updates_and_deletes_answered_204_are_done() {
        let ok = Outcome::Ok {
            status: 204,
            body: Vec::new(),
        };
        assert_eq!(no_content(ok, "c1"), Write::Done("c1".into()));
        let gone = Outcome::Permanent {
            status: 404,
            code: Some("2101".into()),
            message: "Contact does not exist".into(),
        };
        assert!(matches!(
            no_content(gone, "c1"),
            Write::Failed { code: Some(c), .. } if c == "2101"
        ));
    }

    #[test]
    fn kind_and_rate() {
        let t = ZoomCc::new(" ab1 ");
        assert_eq!(t.kind().as_str(), DESCRIPTOR.name);
        assert_eq!(t.address_book_id(), "ab1");
        assert_eq!(t.default_rate().as_per_second(), 20.0);
    }

    #[test]
    fn values_longer_than_the_spec_allows_are_rejected_naming_the_field() {
        let mut c = jane();
        c.first_name = "A".repeat(36);
        assert!(desired(&c).is_ok());
        c.first_name = "Ä".repeat(37);
        let err = desired(&c).unwrap_err();
        assert_eq!(
            (err.code, err.field.as_str()),
            (Code::TooLong, "first_name")
        );
        assert_eq!(err.code.as_str(), "field_too_long");
        let mut c = jane();
        c.company = "x".repeat(257);
        assert_eq!(desired(&c).unwrap_err().field, "company");
        let mut c = jane();
        c.job_title = "x".repeat(257);
        assert_eq!(desired(&c).unwrap_err().field, "role");
        let mut c = jane();
        c.first_name = "y".repeat(30);
        c.last_name = "z".repeat(30);
        assert!(
            desired(&c).is_ok(),
            "61 characters of display name fit in 125"
        );
    }
}
