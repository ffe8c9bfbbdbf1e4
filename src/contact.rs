//! The canonical contact every source row is mapped to and every target is fed from.

use serde::{Deserialize, Serialize};

/// What kind of line a phone number was given as, by the column it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhoneLabel {
    Mobile,
    Work,
    Home,
    Other,
}

/// A normalized phone number.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// The number in E.164 form, `+` and digits.
    pub e164: String,
    /// The label of the column (or of the Google "Phone N - Type") it came from.
    pub label: PhoneLabel,
    /// An extension, kept apart because E.164 has no place for it.
    pub extension: Option<String>,
    /// Whether libphonenumber types the number as a mobile (or fixed-line-or-mobile) line.
    /// `None` when the type was not looked up.
    pub is_mobile: Option<bool>,
}

/// The names of the organization and address fields of a [`Contact`], in the order every
/// list of field names gives them.
pub const ORG_AND_ADDRESS: [&str; 7] = [
    "company",
    "job_title",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
];

/// `parts` one after the other, as an array of `N` names (`N` must be their total length).
pub const fn concat_names<const N: usize>(parts: &[&[&'static str]]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut n = 0;
    let mut i = 0;
    while i < parts.len() {
        let mut j = 0;
        while j < parts[i].len() {
            out[n] = parts[i][j];
            n += 1;
            j += 1;
        }
        i += 1;
    }
    assert!(n == N, "the parts do not add up to N names");
    out
}

/// The canonical contact. Empty strings mean "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub first_name: String,
    pub last_name: String,
    pub emails: Vec<String>,
    /// Phones in column order; the first is the row's required phone (see [`Contact::primary_phone`]).
    pub phones: Vec<Phone>,
    pub company: String,
    pub job_title: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 code of the region the numbers were read in, when known.
    pub country: String,
    pub notes: String,
    /// The target's own id of the record this row is (what `--match-by id` matches on).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub record_id: String,
    /// The parent record (Zoho Books: the contact the contact person belongs to).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub parent_id: String,
    /// Zoho Voice's contact status as the file gives it: an id or a display value ("VIP").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    /// Zoho Books: make this person the primary contact person of its contact.
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_primary: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Contact {
    /// The row's required phone: the first mobile, else the first phone.
    pub fn primary_phone(&self) -> Option<&Phone> {
        self.phones
            .iter()
            .find(|p| p.label == PhoneLabel::Mobile)
            .or_else(|| self.phones.first())
    }

    /// The first e-mail address, if any.
    pub fn primary_email(&self) -> Option<&str> {
        self.emails.first().map(String::as_str)
    }

    /// "First Last", or whichever of the two is given.
    pub fn display_name(&self) -> String {
        match (self.first_name.is_empty(), self.last_name.is_empty()) {
            (false, false) => format!("{} {}", self.first_name, self.last_name),
            (false, true) => self.first_name.clone(),
            (true, false) => self.last_name.clone(),
            (true, true) => String::new(),
        }
    }
}

/// Splits a full name into (first, last): "Doe, Jane" and "Jane Q. Doe" both give ("Jane…", "Doe").
pub fn split_full_name(full: &str) -> (String, String) {
    let full = full.trim();
    if let Some((last, first)) = full.split_once(',') {
        let (first, last) = (first.trim(), last.trim());
        if !first.is_empty() && !last.is_empty() {
            return (first.to_string(), last.to_string());
        }
    }
    match full.rsplit_once(char::is_whitespace) {
        Some((first, last)) => (first.trim().to_string(), last.trim().to_string()),
        None => (full.to_string(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_full_names() {
        assert_eq!(split_full_name("Jane Doe"), ("Jane".into(), "Doe".into()));
        assert_eq!(
            split_full_name("Jane Q. Doe"),
            ("Jane Q.".into(), "Doe".into())
        );
        assert_eq!(split_full_name("Doe, Jane"), ("Jane".into(), "Doe".into()));
        assert_eq!(split_full_name("  Cher "), ("Cher".into(), "".into()));
        assert_eq!(split_full_name(""), ("".into(), "".into()));
    }

    #[test]
    fn primary_phone_prefers_the_first_mobile() {
        let p = |e: &str, label| Phone {
            e164: e.into(),
            label,
            extension: None,
            is_mobile: None,
        };
        let c = Contact {
            phones: vec![p("+1", PhoneLabel::Work), p("+2", PhoneLabel::Mobile)],
            ..Contact::default()
        };
        assert_eq!(c.primary_phone().map(|p| p.e164.as_str()), Some("+2"));
        let c = Contact {
            phones: vec![p("+1", PhoneLabel::Work), p("+3", PhoneLabel::Home)],
            ..Contact::default()
        };
        assert_eq!(c.primary_phone().map(|p| p.e164.as_str()), Some("+1"));
    }

    #[test]
    fn import_fields_are_left_out_of_json_when_not_given() {
        let plain = Contact {
            first_name: "Ann".into(),
            ..Contact::default()
        };
        let json = serde_json::to_value(&plain).unwrap();
        for key in ["record_id", "parent_id", "status", "is_primary"] {
            assert!(json.get(key).is_none(), "{key} in {json}");
        }
        // Older JSON without the fields still reads.
        let back: Contact = serde_json::from_value(json).unwrap();
        assert_eq!(back, plain);

        let full = Contact {
            record_id: "r1".into(),
            parent_id: "p1".into(),
            status: "VIP".into(),
            is_primary: true,
            ..plain
        };
        let json = serde_json::to_value(&full).unwrap();
        assert_eq!(json["record_id"], "r1");
        assert_eq!(json["parent_id"], "p1");
        assert_eq!(json["status"], "VIP");
        assert_eq!(json["is_primary"], true);
        assert_eq!(serde_json::from_value::<Contact>(json).unwrap(), full);
    }
}
