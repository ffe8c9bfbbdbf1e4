//! Why a row was rejected: the stage, the field, a stable code and a human message.

use serde::Serialize;

/// The pipeline stage at which a row was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Read,
    Map,
    Validate,
    Normalize,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Read => "read",
            Stage::Map => "map",
            Stage::Validate => "validate",
            Stage::Normalize => "normalize",
        }
    }
}

/// Stable rejection codes: scripts match on these, so they never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// A row of a UTF-8 file holds bytes that are not UTF-8.
    EncodingInvalid,
    /// A CSV row has a different number of fields than the header.
    RowRagged,
    /// A row whose every field is empty.
    RowEmpty,
    /// A JSON Lines line that is not valid JSON.
    JsonInvalid,
    /// A JSON record that is not an object.
    JsonNotObject,
    /// A cell that holds no value a person could have typed: a spreadsheet number that is not
    /// a number (NaN, infinity), or a NUL byte.
    CellInvalid,
    /// The row has no phone number at all.
    PhoneMissing,
    /// A national-format number with no region to read it in.
    PhoneNoRegion,
    /// libphonenumber does not call the number valid.
    PhoneInvalid,
    /// A country cell that names no region the tool knows: the row's national-format numbers
    /// have no region to be read in (the default region is never used for them).
    CountryUnknown,
    /// Digits only, readable both as a national number and as an international number that
    /// lost its `+`, and both valid: `--bare-digits` says which.
    PhoneAmbiguous,
    /// `--mobile-only` and the required phone is not a mobile number.
    PhoneNotMobile,
    /// A phone extension with no column to keep it in.
    PhoneExtension,
    /// An e-mail address that is not of the form local@domain.tld.
    EmailInvalid,
    /// A field the target requires is empty.
    FieldRequired,
    /// A value longer than the target allows.
    TooLong,
    /// More values (phone numbers, e-mails) than the target keeps on one record.
    TooManyValues,
    /// A value the target does not accept (an unknown contact status, say).
    FieldInvalid,
    /// SMS: the message uses a placeholder this row has no value for, and no default.
    TemplateMissing,
    /// SMS: the row's message (from `--message-column`) is empty.
    MessageEmpty,
    /// SMS: the message is longer than the API takes.
    MessageTooLong,
    /// SMS: the number is on a suppression list or texted an opt-out keyword.
    Suppressed,
    /// SMS: `--send-window`, and no time zone is known for the number's region.
    NoTimeZone,
    /// SMS: an earlier row of the file has the same number (a message goes out once).
    DuplicateNumber,
    /// SMS: the account's outgoing logs show the number got the same text within
    /// `--repeat-window`.
    AlreadyTexted,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::EncodingInvalid => "encoding_invalid",
            Code::RowRagged => "row_ragged",
            Code::RowEmpty => "row_empty",
            Code::JsonInvalid => "json_invalid",
            Code::JsonNotObject => "json_not_object",
            Code::CellInvalid => "cell_invalid",
            Code::PhoneMissing => "phone_missing",
            Code::PhoneNoRegion => "phone_no_region",
            Code::PhoneInvalid => "phone_invalid",
            Code::CountryUnknown => "country_unknown",
            Code::PhoneAmbiguous => "phone_ambiguous",
            Code::PhoneNotMobile => "phone_not_mobile",
            Code::PhoneExtension => "phone_extension",
            Code::EmailInvalid => "email_invalid",
            Code::FieldRequired => "field_required",
            Code::TooLong => "field_too_long",
            Code::TooManyValues => "too_many_values",
            Code::FieldInvalid => "field_invalid",
            Code::TemplateMissing => "template_missing",
            Code::MessageEmpty => "message_empty",
            Code::MessageTooLong => "message_too_long",
            Code::Suppressed => "suppressed",
            Code::NoTimeZone => "no_time_zone",
            Code::DuplicateNumber => "duplicate_number",
            Code::AlreadyTexted => "already_texted",
        }
    }
}

/// One reason a row was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub stage: Stage,
    /// The column the problem is in (empty when it is about the whole row).
    pub field: String,
    pub code: Code,
    pub message: String,
}

impl Rejection {
    pub fn new(
        stage: Stage,
        field: impl Into<String>,
        code: Code,
        message: impl Into<String>,
    ) -> Self {
        Rejection {
            stage,
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}
