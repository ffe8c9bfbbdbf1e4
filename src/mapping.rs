//! Header -> canonical field resolution.
//!
//! Common export headers are recognised without configuration, comparing names with case,
//! spaces and punctuation ignored. `--map FIELD=HEADER` and a TOML mapping file override them.
//! Columns starting with `_` (the report columns `_row`, `_code`, ...) are never mapped, except
//! `_remote_id`, the record id an import report gives each row.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::contact::{ORG_AND_ADDRESS, PhoneLabel, concat_names};
use crate::error::{Error, Result};
use crate::source::{PathSeg, Schema};

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    FirstName,
    LastName,
    FullName,
    Email,
    /// A phone number column with the label the column name implies.
    Phone(PhoneLabel),
    /// A phone of someone else's (assistant, switchboard, car): checked and rewritten, but
    /// the row's required phone only when it has no other.
    SecondaryPhone,
    /// The value half of a type/value pair ("Phone 1 - Value", `phones.0.number`); the group
    /// names the pair.
    PhoneValue(String),
    /// The type half of a type/value pair ("Phone 1 - Type": Mobile, Work, ...).
    PhoneType(String),
    Company,
    JobTitle,
    Street,
    City,
    State,
    PostalCode,
    /// A country: ISO code, name, or calling code. The first one gives national numbers their region.
    Country,
    Extension,
    Notes,
    /// The target's own id of the record the row is (`--match-by id`).
    RecordId,
    /// The parent record (Zoho Books: the contact a contact person belongs to).
    ParentId,
    /// Zoho Voice's contact status: an id or a display value ("VIP").
    Status,
    /// Zoho Books: whether the person is the primary contact person (a yes/no flag).
    Primary,
    /// Explicitly not mapped (`--map ignore=HEADER`); carried through untouched.
    Ignore,
}

impl Field {
    /// The names users give fields in `--map` and mapping files.
    pub const NAMES: &'static [&'static str] = &concat_names::<22>(&[
        &[
            "first_name",
            "last_name",
            "full_name",
            "email",
            "mobile",
            "phone",
            "work_phone",
            "home_phone",
        ],
        &ORG_AND_ADDRESS,
        &[
            "extension",
            "notes",
            "record_id",
            "parent_id",
            "status",
            "is_primary_contact",
            "ignore",
        ],
    ]);

    pub fn from_name(name: &str) -> Option<Field> {
        Some(match normalize(name).as_str() {
            "firstname" => Field::FirstName,
            "lastname" => Field::LastName,
            "fullname" | "name" => Field::FullName,
            "email" => Field::Email,
            "mobile" => Field::Phone(PhoneLabel::Mobile),
            "phone" => Field::Phone(PhoneLabel::Other),
            "workphone" => Field::Phone(PhoneLabel::Work),
            "homephone" => Field::Phone(PhoneLabel::Home),
            "company" => Field::Company,
            "jobtitle" => Field::JobTitle,
            "street" => Field::Street,
            "city" => Field::City,
            "state" => Field::State,
            "postalcode" | "zip" => Field::PostalCode,
            "country" => Field::Country,
            "extension" => Field::Extension,
            "notes" => Field::Notes,
            "recordid" => Field::RecordId,
            "parentid" | "contactid" => Field::ParentId,
            "status" => Field::Status,
            "isprimarycontact" => Field::Primary,
            "ignore" => Field::Ignore,
            _ => return None,
        })
    }

    /// Whether the column holds phone numbers to validate and rewrite.
    pub fn is_phone(&self) -> bool {
        matches!(
            self,
            Field::Phone(_) | Field::PhoneValue(_) | Field::SecondaryPhone
        )
    }

    /// Whether the field says which record the row is or how to file it (ids, status, the
    /// primary flag) rather than what the contact holds. Such fields are recognised only from
    /// a top-level column: a nested `contact.id` or `owner.status` belongs to another record.
    fn is_record_meta(&self) -> bool {
        matches!(
            self,
            Field::RecordId | Field::ParentId | Field::Status | Field::Primary
        )
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::FirstName => f.write_str("first_name"),
            Field::LastName => f.write_str("last_name"),
            Field::FullName => f.write_str("full_name (split)"),
            Field::Email => f.write_str("email"),
            Field::Phone(PhoneLabel::Mobile) => f.write_str("mobile"),
            Field::Phone(PhoneLabel::Work) => f.write_str("work_phone"),
            Field::Phone(PhoneLabel::Home) => f.write_str("home_phone"),
            Field::Phone(PhoneLabel::Other) => f.write_str("phone"),
            Field::SecondaryPhone => f.write_str("phone (secondary)"),
            Field::PhoneValue(g) => write!(f, "phone (type from {g})"),
            Field::PhoneType(g) => write!(f, "phone type of {g}"),
            Field::Company => f.write_str("company"),
            Field::JobTitle => f.write_str("job_title"),
            Field::Street => f.write_str("street"),
            Field::City => f.write_str("city"),
            Field::State => f.write_str("state"),
            Field::PostalCode => f.write_str("postal_code"),
            Field::Country => f.write_str("country"),
            Field::Extension => f.write_str("extension"),
            Field::Notes => f.write_str("notes"),
            Field::RecordId => f.write_str("record_id"),
            Field::ParentId => f.write_str("parent_id"),
            Field::Status => f.write_str("status"),
            Field::Primary => f.write_str("is_primary_contact"),
            Field::Ignore => f.write_str("ignored"),
        }
    }
}

/// Lower-cases and keeps only letters and digits: "E-mail 1 - Value" -> "email1value".
pub fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Splits a normalized name into its letters and a trailing number: "mobile2" -> ("mobile", Some(2)).
fn stem(norm: &str) -> (&str, bool) {
    let trimmed = norm.trim_end_matches(|c: char| c.is_ascii_digit());
    (trimmed, trimmed.len() != norm.len())
}

/// The field a header names, without configuration.
pub fn recognise(norm: &str) -> Option<Field> {
    use PhoneLabel::*;
    let exact = match norm {
        "firstname" | "givenname" | "fname" | "first" | "forename" | "vorname" | "prenom"
        | "prénom" | "nombre" => Some(Field::FirstName),
        "lastname" | "familyname" | "surname" | "lname" | "last" | "nachname" | "apellido"
        | "apellidos" | "nomdefamille" => Some(Field::LastName),
        "name" | "fullname" | "displayname" | "contactname" | "contact" | "customername" => {
            Some(Field::FullName)
        }
        "title" => None, // Outlook's "Title" is Mr./Ms., not a job title
        // What the import command needs besides the contact: exact names only, no numbered
        // variants ("ID 2", "Status 3" are something else).
        "id" | "recordid" | "remoteid" | "contactpersonid" => Some(Field::RecordId),
        "contactid" | "parentid" | "customerid" => Some(Field::ParentId),
        "status" | "contactstatus" => Some(Field::Status),
        "isprimarycontact" | "primarycontact" | "isprimary" | "primary" => Some(Field::Primary),
        // A target's own name for its record id ("Zoom Contact ID").
        _ if crate::connectors::TARGETS
            .iter()
            .any(|t| t.descriptor().id_headers.contains(&norm)) =>
        {
            Some(Field::RecordId)
        }
        _ => None,
    };
    if exact.is_some() {
        return exact;
    }
    // Names that may carry a number: "Mobile 2", "E-mail 2 Address", "phone1".
    let (base, _numbered) = stem(norm);
    let field = match base {
        "email" | "emailaddress" | "mail" | "emailid" | "primaryemail" | "secondaryemail"
        | "workemail" | "homeemail" | "personalemail" | "otheremail" | "emails" => Field::Email,
        "mobile" | "mobilephone" | "mobilenumber" | "mobileno" | "cell" | "cellphone"
        | "cellular" | "cellnumber" | "cellularphone" | "whatsapp" | "whatsappnumber"
        | "whatsappphone" | "sms" | "handy" | "mobiles" | "mobilephonenumber" | "mobil"
        | "mobiltelefon" | "handynummer" | "portable" | "telportable" | "movil" | "móvil"
        | "celular" | "cellulare" => Field::Phone(Mobile),
        "businessphone"
        | "workphone"
        | "officephone"
        | "companyphone"
        | "büro"
        | "buro"
        | "geschäftlich"
        | "directline"
        | "workphonenumber"
        | "businessphonenumber" => Field::Phone(Work),
        "homephone" | "personalphone" | "landline" | "homephonenumber" => Field::Phone(Home),
        "phone" | "phonenumber" | "phoneno" | "telephone" | "tel" | "telephonenumber"
        | "otherphone" | "primaryphone" | "mainphone" | "contactnumber" | "phones"
        | "phonenumbers" | "telefon" | "telefonnummer" | "téléphone" | "telefono" | "teléfono" => {
            Field::Phone(Other)
        }
        // Someone else's line (an assistant's, a switchboard): checked, but never the row's
        // required phone while it has another.
        "assistantsphone" | "callback" | "carphone" | "radiophone" | "companymainphone"
        | "ttytddphone" | "isdn" => Field::SecondaryPhone,
        "company" | "companyname" | "organization" | "organisation" | "organizationname"
        | "organisationname" | "org" | "accountname" | "employer" | "firma" | "unternehmen"
        | "société" | "societe" | "entreprise" | "empresa" => Field::Company,
        "jobtitle" | "designation" | "position" | "role" | "organizationtitle" => Field::JobTitle,
        "street" | "address" | "streetaddress" | "businessstreet" | "homestreet"
        | "mailingstreet" | "billingstreet" | "addressline" | "straße" | "strasse" | "rue"
        | "calle" => Field::Street,
        "city" | "town" | "businesscity" | "homecity" | "mailingcity" | "billingcity" | "ort"
        | "stadt" | "ville" | "ciudad" => Field::City,
        "state" | "province" | "businessstate" | "homestate" | "mailingstate" | "billingstate"
        | "stateprovince" => Field::State,
        "zip" | "zipcode" | "postalcode" | "postcode" | "businesspostalcode" | "homepostalcode"
        | "mailingzip" | "billingcode" | "billingzip" | "plz" | "postleitzahl" | "codepostal"
        | "codigopostal" => Field::PostalCode,
        "country"
        | "countrycode"
        | "countryregion"
        | "businesscountryregion"
        | "homecountryregion"
        | "othercountryregion"
        | "mailingcountry"
        | "billingcountry"
        | "countryname"
        | "countryiso"
        | "isocountry"
        | "nation"
        | "land"
        | "pays"
        | "pais"
        | "país" => Field::Country,
        "extension" | "ext" | "phoneextension" | "businessphoneextension" => Field::Extension,
        "notes" | "note" | "description" | "comments" => Field::Notes,
        _ => return recognise_pair(norm),
    };
    Some(field)
}

/// Google Contacts' numbered type/value pairs: "Phone 1 - Value", "E-mail 2 - Value",
/// "Organization 1 - Name", "Address 1 - Country".
fn recognise_pair(norm: &str) -> Option<Field> {
    let split = |prefix: &str| -> Option<(String, &str)> {
        let rest = norm.strip_prefix(prefix)?;
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        Some((format!("{prefix} {}", &rest[..digits]), &rest[digits..]))
    };
    if let Some((group, what)) = split("phone") {
        return match what {
            "value" | "number" => Some(Field::PhoneValue(group)),
            "type" | "label" => Some(Field::PhoneType(group)),
            _ => None,
        };
    }
    if let Some((_, what)) = split("email") {
        return (what == "value" || what == "address").then_some(Field::Email);
    }
    if let Some((_, what)) = split("organization") {
        return match what {
            "name" => Some(Field::Company),
            "title" => Some(Field::JobTitle),
            _ => None,
        };
    }
    if let Some((_, what)) = split("address") {
        return match what {
            "street" | "streetaddress" => Some(Field::Street),
            "city" => Some(Field::City),
            "region" => Some(Field::State),
            "postalcode" => Some(Field::PostalCode),
            "country" => Some(Field::Country),
            _ => None,
        };
    }
    None
}

/// The field of a flattened JSON column (`contact.mobile`, `phones.0.number`, `company.name`).
fn recognise_path(path: &[PathSeg]) -> Option<Field> {
    let keys: Vec<String> = path
        .iter()
        .map(|s| match s {
            PathSeg::Key(k) => normalize(k),
            PathSeg::Index(i) => i.to_string(),
        })
        .collect();
    let n = keys.len();
    if n < 2 {
        return None;
    }
    let last = keys[n - 1].as_str();
    let parent = keys[n - 2].as_str();
    // A list of typed objects: phones.0.number + phones.0.type, emails.0.value.
    if let Ok(i) = parent.parse::<usize>()
        && n >= 3
    {
        let list = keys[n - 3].as_str();
        let group = format!("{list} {i}");
        let phoneish = ["phone", "mobile", "tel", "number"]
            .iter()
            .any(|p| list.contains(p));
        if phoneish {
            return match last {
                "value" | "number" | "phone" | "phonenumber" | "e164" => {
                    Some(Field::PhoneValue(group))
                }
                "type" | "label" | "kind" => Some(Field::PhoneType(group)),
                _ => None,
            };
        }
        if list.contains("mail") && matches!(last, "value" | "address" | "email") {
            return Some(Field::Email);
        }
        return None;
    }
    // Generic leaf names take their meaning from the parent: company.name, name.first.
    let joined = format!("{parent}{last}");
    if let Some(f) = recognise(&joined) {
        return Some(f);
    }
    let reversed = format!("{last}{parent}");
    if parent == "name"
        && let Some(f) = recognise(&reversed)
    {
        return Some(f);
    }
    match last {
        "name" | "value" | "type" | "id" => None,
        _ => recognise(last),
    }
}

/// User overrides: header -> field, from `--map` and a mapping file.
#[derive(Debug, Clone, Default)]
pub struct MappingSpec {
    pub overrides: Vec<(Field, String)>,
    /// `--region-column`: the column holding each row's ISO 3166-1 alpha-2 region.
    pub region_column: Option<String>,
}

impl MappingSpec {
    /// Parses one `--map FIELD=HEADER`.
    pub fn add_map_arg(&mut self, arg: &str) -> Result<()> {
        let (field, header) = arg.split_once('=').ok_or_else(|| {
            Error::Usage(format!(
                "--map '{arg}': expected FIELD=HEADER, e.g. mobile=\"Cell #\""
            ))
        })?;
        self.add(field, header, "--map")
    }

    fn add(&mut self, field: &str, header: &str, origin: &str) -> Result<()> {
        let f = Field::from_name(field).ok_or_else(|| {
            Error::Usage(format!(
                "{origin}: unknown field '{field}'; fields are: {}",
                Field::NAMES.join(", ")
            ))
        })?;
        if header.trim().is_empty() {
            return Err(Error::Usage(format!(
                "{origin}: field '{field}' names no column"
            )));
        }
        self.overrides.push((f, header.trim().to_string()));
        Ok(())
    }

    /// Loads a TOML mapping file: `mobile = "Cell #"`, `phone = ["Office", "Home"]`, either at
    /// the top level or in a `[columns]` table.
    pub fn add_file(&mut self, path: &str) -> Result<()> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("cannot read", path, e))?;
        let value: toml::Table = text
            .parse()
            .map_err(|e| Error::Usage(format!("mapping file {path}: {e}")))?;
        let table = match value.get("columns") {
            Some(toml::Value::Table(t)) => t.clone(),
            _ => value,
        };
        let origin = format!("mapping file {path}");
        for (field, v) in &table {
            match v {
                toml::Value::String(h) => self.add(field, h, &origin)?,
                toml::Value::Array(items) => {
                    for item in items {
                        let h = item.as_str().ok_or_else(|| {
                            Error::Usage(format!("{origin}: '{field}' must list column names"))
                        })?;
                        self.add(field, h, &origin)?;
                    }
                }
                _ => {
                    return Err(Error::Usage(format!(
                        "{origin}: '{field}' must be a column name or a list of them"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Checks that every override names a column of a fixed (CSV) header.
    pub fn check_against(&self, schema: &Schema) -> Result<()> {
        if !schema.fixed {
            return Ok(());
        }
        let names: Vec<&str> = schema.names().collect();
        let wanted = self
            .overrides
            .iter()
            .map(|(_, h)| h)
            .chain(self.region_column.as_ref());
        for header in wanted {
            if find_column(schema, header).is_none() {
                return Err(Error::Usage(format!(
                    "no column named '{header}'; the columns are: {}",
                    names.join(", ")
                )));
            }
        }
        Ok(())
    }
}

fn find_column(schema: &Schema, header: &str) -> Option<usize> {
    schema
        .columns
        .iter()
        .position(|c| c.name == header)
        .or_else(|| {
            let n = normalize(header);
            schema.columns.iter().position(|c| normalize(&c.name) == n)
        })
}

/// Whether a column is one of the report columns bulkline adds (`_row`, `_code`, ...): such
/// columns are ignored when a report is fed back in, and dropped from outputs.
pub fn is_report_column(name: &str) -> bool {
    matches!(
        name,
        "_row" | "_stage" | "_field" | "_code" | "_message" | "_duplicate_of" | "_raw"
    )
}

/// The resolved role of every column of a schema.
#[derive(Debug, Clone, Default)]
pub struct Roles {
    /// Per column: its field, or `None` when it is carried through untouched.
    pub fields: Vec<Option<Field>>,
    /// Type column of each phone type/value pair, by group.
    pub phone_types: HashMap<String, usize>,
    /// The columns giving each row's region, in order of preference: `--region-column`, or
    /// every country column (Outlook has three); the first that names a region wins.
    pub region_columns: Vec<usize>,
    pub extension_column: Option<usize>,
}

/// One line of the resolved mapping, for the summary.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MappedColumn {
    pub column: String,
    pub field: String,
}

impl Roles {
    pub fn resolve(schema: &Schema, spec: &MappingSpec) -> Roles {
        let mut fields: Vec<Option<Field>> = schema
            .columns
            .iter()
            .map(|c| {
                if c.name.starts_with('_') && normalize(&c.name) != "remoteid" {
                    return None;
                }
                let over = spec
                    .overrides
                    .iter()
                    .find(|(_, h)| *h == c.name)
                    .or_else(|| {
                        let n = normalize(&c.name);
                        spec.overrides.iter().find(|(_, h)| normalize(h) == n)
                    });
                if let Some((f, _)) = over {
                    return Some(f.clone());
                }
                let norm = normalize(&c.name);
                let nested = c.path.len() > 1;
                let keep = |f: &Field| !(nested && f.is_record_meta());
                recognise(&norm)
                    .filter(keep)
                    .or_else(|| recognise_path(&c.path).filter(keep))
            })
            .collect();
        let mut phone_types = HashMap::new();
        for (i, f) in fields.iter().enumerate() {
            if let Some(Field::PhoneType(g)) = f {
                phone_types.entry(g.clone()).or_insert(i);
            }
        }
        // A value column without its type column is a plain phone column.
        for f in fields.iter_mut() {
            if let Some(Field::PhoneValue(g)) = f
                && !phone_types.contains_key(g)
            {
                *f = Some(Field::Phone(PhoneLabel::Other));
            }
        }
        let region_columns = match &spec.region_column {
            Some(h) => find_column(schema, h).into_iter().collect(),
            None => fields
                .iter()
                .enumerate()
                .filter(|(_, f)| **f == Some(Field::Country))
                .map(|(i, _)| i)
                .collect(),
        };
        let extension_column = fields.iter().position(|f| *f == Some(Field::Extension));
        Roles {
            fields,
            phone_types,
            region_columns,
            extension_column,
        }
    }

    /// The mapped columns, for the summary.
    pub fn describe(&self, schema: &Schema) -> Vec<MappedColumn> {
        let mut out: Vec<MappedColumn> = self
            .fields
            .iter()
            .zip(&schema.columns)
            .filter_map(|(f, c)| {
                f.as_ref().map(|f| MappedColumn {
                    column: c.name.clone(),
                    field: f.to_string(),
                })
            })
            .collect();
        for &i in &self.region_columns {
            if let Some(c) = schema.columns.get(i) {
                out.push(MappedColumn {
                    column: c.name.clone(),
                    field: "region of national numbers".into(),
                });
            }
        }
        out
    }
}

/// The label a pair's type value gives its phone ("Mobile", "* Work"); `None` for fax and pager.
pub fn label_from_type(t: &str) -> Option<PhoneLabel> {
    let t = t.trim().trim_start_matches('*').trim().to_lowercase();
    if t.contains("fax") || t.contains("pager") {
        return None;
    }
    Some(
        if t.contains("mobile") || t.contains("cell") || t.contains("whatsapp") || t == "iphone" {
            PhoneLabel::Mobile
        } else if t.contains("work") || t.contains("business") || t.contains("office") {
            PhoneLabel::Work
        } else if t.contains("home") {
            PhoneLabel::Home
        } else {
            PhoneLabel::Other
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Column;

    fn roles(headers: &[&str]) -> (Schema, Roles) {
        let schema = Schema::from_header(headers.iter().copied());
        let roles = Roles::resolve(&schema, &MappingSpec::default());
        (schema, roles)
    }

    #[test]
    fn recognises_google_contacts() {
        let (_, r) = roles(&[
            "Given Name",
            "Family Name",
            "E-mail 1 - Value",
            "Phone 1 - Type",
            "Phone 1 - Value",
            "Phone 2 - Type",
            "Phone 2 - Value",
            "Organization 1 - Name",
            "Address 1 - Country",
        ]);
        assert_eq!(r.fields[0], Some(Field::FirstName));
        assert_eq!(r.fields[1], Some(Field::LastName));
        assert_eq!(r.fields[2], Some(Field::Email));
        assert_eq!(r.fields[3], Some(Field::PhoneType("phone 1".into())));
        assert_eq!(r.fields[4], Some(Field::PhoneValue("phone 1".into())));
        assert_eq!(r.phone_types["phone 2"], 5);
        assert_eq!(r.fields[7], Some(Field::Company));
        assert_eq!(r.region_columns, vec![8]);
    }

    /// Resolves the headers of `cases` together and asserts each one's field (`None`: none).
    fn assert_fields(cases: &[(&str, Option<Field>)]) {
        let headers: Vec<&str> = cases.iter().map(|(h, _)| *h).collect();
        let (_, r) = roles(&headers);
        for (i, (header, want)) in cases.iter().enumerate() {
            assert_eq!(r.fields[i], *want, "{header}");
        }
    }

    #[test]
    fn recognises_outlook_and_zoho_and_plain_names() {
        use PhoneLabel::{Home, Mobile, Other, Work};
        assert_fields(&[
            ("First Name", Some(Field::FirstName)),
            ("Last Name", Some(Field::LastName)),
            ("Mobile Phone", Some(Field::Phone(Mobile))),
            ("Business Phone", Some(Field::Phone(Work))),
            ("Home Phone", Some(Field::Phone(Home))),
            ("E-mail Address", Some(Field::Email)),
            ("Company", Some(Field::Company)),
            ("Job Title", Some(Field::JobTitle)),
            ("Title", None),
            ("Business Fax", None),
        ]);
        assert_fields(&[
            ("first_name", Some(Field::FirstName)),
            ("mobile", Some(Field::Phone(Mobile))),
            ("mobile1", Some(Field::Phone(Mobile))),
            ("phone", Some(Field::Phone(Other))),
            ("WhatsApp", Some(Field::Phone(Mobile))),
            ("CELL", Some(Field::Phone(Mobile))),
            ("tel", Some(Field::Phone(Other))),
            ("Full Name", Some(Field::FullName)),
            ("country_code", Some(Field::Country)),
            ("_row", None),
            ("notes_x", None),
        ]);
    }

    #[test]
    fn recognises_common_german_headers_and_every_country_column() {
        let (_, r) = roles(&[
            "Vorname", "Telefon", "Mobil", "Firma", "PLZ", "Land", "Büro",
        ]);
        assert_eq!(r.fields[0], Some(Field::FirstName));
        assert_eq!(r.fields[1], Some(Field::Phone(PhoneLabel::Other)));
        assert_eq!(r.fields[2], Some(Field::Phone(PhoneLabel::Mobile)));
        assert_eq!(r.fields[3], Some(Field::Company));
        assert_eq!(r.fields[4], Some(Field::PostalCode));
        assert_eq!(r.region_columns, vec![5]);
        assert_eq!(r.fields[6], Some(Field::Phone(PhoneLabel::Work)));
        let (_, r) = roles(&[
            "Business Country/Region",
            "Home Country/Region",
            "Assistant's Phone",
        ]);
        assert_eq!(r.region_columns, vec![0, 1]);
        assert_eq!(r.fields[2], Some(Field::SecondaryPhone));
    }

    #[test]
    fn overrides_win() {
        let schema = Schema::from_header(["Cell #", "Mobile"]);
        let mut spec = MappingSpec::default();
        spec.add_map_arg("mobile=Cell #").unwrap();
        spec.add_map_arg("ignore=mobile").unwrap();
        let r = Roles::resolve(&schema, &spec);
        assert_eq!(r.fields[0], Some(Field::Phone(PhoneLabel::Mobile)));
        assert_eq!(r.fields[1], Some(Field::Ignore));
        assert!(spec.check_against(&schema).is_ok());
        spec.add_map_arg("email=Nope").unwrap();
        assert!(spec.check_against(&schema).is_err());
        assert!(spec.add_map_arg("bogus=Cell").is_err());
        assert!(spec.add_map_arg("no-equals").is_err());
    }

    /// Resolves JSON columns at `cases`' paths (numeric segments are array indexes), asserts
    /// each one's field, and returns their schema.
    fn assert_json_fields(cases: &[(&[&str], Option<Field>)]) -> Schema {
        let columns = cases
            .iter()
            .map(|(path, _)| Column {
                name: path.join("."),
                path: path
                    .iter()
                    .map(|p| match p.parse::<usize>() {
                        Ok(i) => PathSeg::Index(i),
                        Err(_) => PathSeg::Key(p.to_string()),
                    })
                    .collect(),
            })
            .collect();
        let schema = Schema {
            columns,
            fixed: false,
        };
        let r = Roles::resolve(&schema, &MappingSpec::default());
        for (i, (path, want)) in cases.iter().enumerate() {
            assert_eq!(r.fields[i], *want, "{path:?}");
        }
        schema
    }

    #[test]
    fn json_paths() {
        assert_json_fields(&[
            (&["name", "first"], Some(Field::FirstName)),
            (&["name", "last"], Some(Field::LastName)),
            (&["company", "name"], Some(Field::Company)),
            (
                &["contact", "mobile"],
                Some(Field::Phone(PhoneLabel::Mobile)),
            ),
            (
                &["phones", "0", "type"],
                Some(Field::PhoneType("phones 0".into())),
            ),
            (
                &["phones", "0", "number"],
                Some(Field::PhoneValue("phones 0".into())),
            ),
            (&["emails", "0", "value"], Some(Field::Email)),
            (&["address", "country"], Some(Field::Country)),
            (&["meta", "id"], None),
        ]);
    }

    #[test]
    fn recognises_import_columns() {
        let (_, r) = roles(&[
            "id",
            "Record ID",
            "remote_id",
            "_remote_id",
            "contact_person_id",
            "Zoom Contact ID",
            "contact_id",
            "Parent ID",
            "Customer ID",
            "Status",
            "Contact Status",
            "is_primary_contact",
            "Primary Contact",
            "Is Primary",
            "PRIMARY",
        ]);
        use Field::*;
        assert_eq!(
            r.fields,
            [
                RecordId, RecordId, RecordId, RecordId, RecordId, RecordId, ParentId, ParentId,
                ParentId, Status, Status, Primary, Primary, Primary, Primary,
            ]
            .map(Some)
        );
        // Only the exact names: no numbered variants, no near misses, no other report column.
        let (_, r) = roles(&[
            "ID 2",
            "Government ID Number",
            "Status 1",
            "Status Reason",
            "Primary Phone",
            "Priority",
            "_row",
            "_id",
            "Contact",
        ]);
        assert_eq!(r.fields[0], None);
        assert_eq!(r.fields[1], None);
        assert_eq!(r.fields[2], None);
        assert_eq!(r.fields[3], None);
        assert_eq!(r.fields[4], Some(Field::Phone(PhoneLabel::Other)));
        assert_eq!(r.fields[5], None);
        assert_eq!(r.fields[6], None);
        assert_eq!(r.fields[7], None);
        assert_eq!(r.fields[8], Some(Field::FullName));
    }

    #[test]
    fn import_columns_only_from_top_level_json_keys() {
        let schema = assert_json_fields(&[
            (&["id"], Some(Field::RecordId)),
            (&["contact_id"], Some(Field::ParentId)),
            (&["status"], Some(Field::Status)),
            (&["is_primary_contact"], Some(Field::Primary)),
            (&["contact", "id"], None),
            (&["customer", "id"], None),
            (&["owner", "status"], None),
            (&["record", "id"], None),
            (&["flags", "primary"], None),
        ]);
        // An override still maps a nested one.
        let mut spec = MappingSpec::default();
        spec.add_map_arg("parent_id=contact.id").unwrap();
        let r = Roles::resolve(&schema, &spec);
        assert_eq!(r.fields[4], Some(Field::ParentId));
    }

    #[test]
    fn import_field_names_for_map() {
        assert_eq!(Field::from_name("record_id"), Some(Field::RecordId));
        assert_eq!(Field::from_name("parent_id"), Some(Field::ParentId));
        assert_eq!(Field::from_name("contact_id"), Some(Field::ParentId));
        assert_eq!(Field::from_name("status"), Some(Field::Status));
        assert_eq!(Field::from_name("is_primary_contact"), Some(Field::Primary));
        for name in ["record_id", "parent_id", "status", "is_primary_contact"] {
            assert!(Field::NAMES.contains(&name), "{name}");
            // The summary names the field as --map does.
            assert_eq!(Field::from_name(name).unwrap().to_string(), name);
        }
        let schema = Schema::from_header(["Kontakt", "Zustand", "Haupt", "Ref"]);
        let mut spec = MappingSpec::default();
        spec.add_map_arg("contact_id=Kontakt").unwrap();
        spec.add_map_arg("status=Zustand").unwrap();
        spec.add_map_arg("is_primary_contact=Haupt").unwrap();
        spec.add_map_arg("record_id=Ref").unwrap();
        assert!(spec.check_against(&schema).is_ok());
        let r = Roles::resolve(&schema, &spec);
        assert_eq!(
            r.fields,
            [
                Field::ParentId,
                Field::Status,
                Field::Primary,
                Field::RecordId
            ]
            .map(Some)
        );
        let err = spec
            .add_map_arg("primary_flag=Haupt")
            .unwrap_err()
            .to_string();
        assert!(err.contains("is_primary_contact"), "{err}");
    }

    #[test]
    fn type_labels() {
        assert_eq!(label_from_type("* Mobile"), Some(PhoneLabel::Mobile));
        assert_eq!(label_from_type("Work"), Some(PhoneLabel::Work));
        assert_eq!(label_from_type("Work Fax"), None);
        assert_eq!(label_from_type("Main"), Some(PhoneLabel::Other));
    }
}
