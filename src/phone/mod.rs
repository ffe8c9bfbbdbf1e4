//! E.164 normalization by libphonenumber's rules (the rlibphonenumber crate).
//!
//! Most numbers take the fast path ([`fast`]: the common shapes, validated on compiled
//! numbering plans, [`plan`]); the rest, and every number the fast path cannot answer for
//! exactly, take the crate's full parser. Both read one copy of the metadata ([`metadata`]).

mod bare;
mod fast;
pub mod metadata;
mod plan;

use rlibphonenumber::enums::NumberLengthType;
use rlibphonenumber::{
    PHONE_NUMBER_UTIL, ParseError, PhoneNumber, PhoneNumberFormat, PhoneNumberType,
    PhoneNumberUtil, ValidationError,
};

use crate::region::Region;

pub use bare::{BareDigits, How, RegionFrom, international_reading, read_value};

thread_local! {
    /// One phone-number utility per thread. The shared global one keeps its compiled regexes
    /// in pools that only their first user reads without a lock; every other thread pays a
    /// mutex per match. A utility of its own makes each worker thread that first user
    /// (measured: see docs/performance.md).
    static UTIL: Option<PhoneNumberUtil> = metadata::util();
}

/// Runs `f` with this thread's phone-number utility (the global one if it could not be built).
fn with_util<T>(f: impl FnOnce(&PhoneNumberUtil) -> T) -> T {
    let mut f = Some(f);
    let local = UTIL.try_with(|u| u.as_ref().and_then(|u| f.take().map(|f| f(u))));
    match (local, f) {
        (Ok(Some(v)), _) => v,
        (_, Some(f)) => f(&PHONE_NUMBER_UTIL),
        (_, None) => unreachable!("the closure ran and returned a value"),
    }
}

/// A number libphonenumber accepted as valid.
#[derive(Debug, Clone)]
pub struct Normalized {
    /// `+` and digits.
    pub e164: String,
    /// The extension written after the number (`x123`, `ext. 45`), if any.
    pub extension: Option<String>,
    number: PhoneNumber,
}

impl Normalized {
    /// Whether the number is a mobile line: libphonenumber types it as mobile, or as
    /// fixed-line-or-mobile where the numbering plan does not tell them apart (US, CA, ...).
    pub fn is_mobile(&self) -> bool {
        // The compiled plans type it as libphonenumber does; a number with leading zeros
        // (Italy) keeps them in fields of their own, so the library types it.
        let fast = (self.number.italian_leading_zero.is_none())
            .then(|| plan::number_type(self.number.country_code, self.national().as_bytes()))
            .flatten();
        let kind = fast.unwrap_or_else(|| with_util(|u| u.get_number_type(&self.number)));
        matches!(
            kind,
            PhoneNumberType::Mobile | PhoneNumberType::FixedLineOrMobile
        )
    }

    /// The national number's digits (without leading zeros).
    fn national(&self) -> String {
        self.number.national_number.to_string()
    }

    /// The number's country calling code (44 for +44...).
    pub fn calling_code(&self) -> i32 {
        self.number.country_code
    }

    /// The region the number belongs to, as an ISO alpha-2 code.
    pub fn region_code(&self) -> Option<String> {
        with_util(|u| u.get_region_for_number(&self.number))
            .map(|r| r.as_region_str().as_str().to_string())
    }
}

/// Why a number was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// A national-format number, and no region to read it in.
    #[error(
        "'{0}' is in national format and the row has no region (give --default-region, --region-column or a country column)"
    )]
    NoRegion(String),
    /// Digits only, and no region to read them in: an international number that lost its `+`,
    /// or a national one.
    #[error(
        "'{0}' is digits without a + and the row has no region (give --default-region, --region-column or a country column; if such numbers are international ones that lost their +, give --bare-digits international)"
    )]
    NoRegionBare(String),
    /// Digits only, valid both as a national number of the row's region and as an
    /// international number that lost its `+`.
    #[error(
        "'{text}' reads two ways: {national} as a national number of {region}, {international} as an international number that lost its + (say which with --bare-digits national or --bare-digits international)"
    )]
    Ambiguous {
        text: String,
        region: String,
        national: String,
        international: String,
    },
    /// libphonenumber could not parse it, or does not call it valid.
    #[error("'{text}' is not a valid phone number{}", reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Invalid {
        text: String,
        reason: Option<String>,
    },
}

/// Normalizes `text` to E.164, reading national-format numbers in `region`.
pub fn normalize(text: &str, region: Option<Region>) -> Result<Normalized, PhoneError> {
    let text = text.trim();
    match fast::decide(text, region) {
        Some(Ok(fast::Answer::Valid(p))) => Ok(Normalized {
            e164: p.e164,
            extension: None,
            number: PhoneNumber {
                country_code: p.country_code,
                national_number: p.national_number,
                ..PhoneNumber::default()
            },
        }),
        Some(Ok(fast::Answer::Invalid)) => Err(PhoneError::Invalid {
            text: text.to_string(),
            reason: None,
        }),
        Some(Err(e)) => Err(parse_failure(text, region, e)),
        None => with_util(|u| normalize_with(u, text, region)),
    }
}

/// The error of a (trimmed) `text` the parser refused with `e`, read in `region`.
fn parse_failure(text: &str, region: Option<Region>, e: ParseError) -> PhoneError {
    let reason = match e {
        ParseError::InvalidCountryCode if region.is_none() && !text.starts_with('+') => {
            return PhoneError::NoRegion(text.to_string());
        }
        ParseError::InvalidCountryCode => "unknown country code",
        ParseError::NotANumber(_) => "not a number",
        ParseError::TooShortNsn | ParseError::TooShortAfterIdd => "too short",
        ParseError::TooLongNsn => "too long",
    };
    PhoneError::Invalid {
        text: text.to_string(),
        reason: Some(reason.to_string()),
    }
}

fn normalize_with(
    util: &PhoneNumberUtil,
    text: &str,
    region: Option<Region>,
) -> Result<Normalized, PhoneError> {
    let text = text.trim();
    let invalid = |reason: Option<&str>| PhoneError::Invalid {
        text: text.to_string(),
        reason: reason.map(str::to_string),
    };
    let number = match util.parse(text, region) {
        Ok(n) => n,
        Err(e) => return Err(parse_failure(text, region, e)),
    };
    if !util.is_valid_number(&number) {
        return Err(invalid(None));
    }
    let e164 = util.format(&number, PhoneNumberFormat::E164).into_owned();
    // libphonenumber accepts some national numbers so long that, with their country code,
    // they exceed the 15 digits E.164 allows: such a number has no E.164 form.
    if e164.len() > 16 {
        return Err(invalid(Some("longer than the 15 digits E.164 allows")));
    }
    let extension = number.extension.clone().filter(|e| !e.is_empty());
    Ok(Normalized {
        e164,
        extension,
        number,
    })
}

/// How a number on a list that must hold (a suppression list) reads: as [`normalize`] reads
/// it and, when it does not, why, in more words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// A valid number, in E.164.
    Number(String),
    /// In national format, and no region to read it in.
    NoRegion,
    /// Not a valid number.
    Unreadable(NotANumber),
}

/// Why a text with digits is still no phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotANumber {
    #[error("no country has the calling code it starts with")]
    UnknownCountryCode,
    #[error("the phone library cannot read it as a number")]
    Unparsable,
    #[error("too few digits to be a number")]
    TooFew,
    #[error("too many digits to be a number")]
    TooMany,
    #[error("too few digits for a number of +{0}")]
    TooShort(i32),
    #[error("too many digits for a number of +{0}")]
    TooLong(i32),
    #[error("no number of +{0} has that many digits")]
    InvalidLength(i32),
    #[error("a local number of +{0}: its area code is missing")]
    LocalOnly(i32),
    #[error("not a valid number of +{0}: none of its numbers is in that range")]
    Invalid(i32),
}

/// Reads `text` as [`Reading`] says, national numbers in `region`.
pub fn read(text: &str, region: Option<Region>) -> Reading {
    match normalize(text, region) {
        Ok(n) => Reading::Number(n.e164),
        Err(PhoneError::NoRegion(_) | PhoneError::NoRegionBare(_)) => Reading::NoRegion,
        Err(PhoneError::Invalid { .. } | PhoneError::Ambiguous { .. }) => {
            with_util(|u| read_invalid(u, text.trim(), region))
        }
    }
}

/// Why [`normalize`] refused a text, as [`read`] says it.
fn read_invalid(util: &PhoneNumberUtil, text: &str, region: Option<Region>) -> Reading {
    let number = match util.parse(text, region) {
        Ok(n) => n,
        Err(ParseError::InvalidCountryCode) if region.is_none() && !text.starts_with('+') => {
            return Reading::NoRegion;
        }
        Err(e) => return Reading::Unreadable(parse_error(e)),
    };
    let cc = number.country_code;
    let why = match util.is_possible_number_with_reason(&number) {
        // Valid, but longer than the 15 digits E.164 allows.
        Ok(NumberLengthType::IsPossible) if util.is_valid_number(&number) => {
            NotANumber::TooLong(cc)
        }
        Ok(NumberLengthType::IsPossible) => NotANumber::Invalid(cc),
        Ok(NumberLengthType::IsPossibleLocalOnly) => NotANumber::LocalOnly(cc),
        Err(ValidationError::InvalidCountryCode) => NotANumber::UnknownCountryCode,
        Err(ValidationError::TooShort) => NotANumber::TooShort(cc),
        Err(ValidationError::TooLong) => NotANumber::TooLong(cc),
        Err(ValidationError::InvalidLength) => NotANumber::InvalidLength(cc),
    };
    Reading::Unreadable(why)
}

fn parse_error(e: ParseError) -> NotANumber {
    match e {
        ParseError::InvalidCountryCode => NotANumber::UnknownCountryCode,
        ParseError::NotANumber(_) => NotANumber::Unparsable,
        ParseError::TooShortNsn | ParseError::TooShortAfterIdd => NotANumber::TooFew,
        ParseError::TooLongNsn => NotANumber::TooMany,
    }
}

/// The digits of an E.164 number as one integer: at most 15 digits, so it fits in a u64.
pub fn e164_key(e164: &str) -> Option<u64> {
    let digits = e164.strip_prefix('+')?;
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region;

    fn r(code: &str) -> Option<Region> {
        region::from_code(code)
    }

    #[test]
    fn international_numbers_need_no_region() {
        let n = normalize("+44 20 7183 8750", None).unwrap();
        assert_eq!(n.e164, "+442071838750");
        assert!(!n.is_mobile());
        assert_eq!(n.region_code().as_deref(), Some("GB"));
        assert!(normalize("+49 171 1234567", None).unwrap().is_mobile());
    }

    #[test]
    fn national_numbers_use_the_region() {
        for (input, region, e164) in [
            ("020 7183 8750", "GB", "+442071838750"),
            ("(650) 253-0000", "US", "+16502530000"),
            ("8 (912) 345-67-89", "RU", "+79123456789"),
            ("00 33 6 12 34 56 78", "DE", "+33612345678"),
        ] {
            assert_eq!(normalize(input, r(region)).unwrap().e164, e164, "{input}");
        }
        assert_eq!(
            normalize("020 7183 8750", None).unwrap_err(),
            PhoneError::NoRegion("020 7183 8750".into())
        );
    }

    #[test]
    fn invalid_numbers_are_errors() {
        assert!(matches!(
            normalize("12", r("US")),
            Err(PhoneError::Invalid { .. })
        ));
        assert!(matches!(
            normalize("hello", r("US")),
            Err(PhoneError::Invalid { .. })
        ));
        assert!(matches!(
            normalize("+1 555 0100", None),
            Err(PhoneError::Invalid { .. })
        ));
        assert!(matches!(
            normalize("+999 123456", None),
            Err(PhoneError::Invalid { .. })
        ));
        assert!(matches!(
            normalize("+49 20100000000000", None),
            Err(PhoneError::Invalid { .. })
        ));
    }

    #[test]
    fn extensions_are_kept_apart() {
        let n = normalize("+1 650-253-0000 ext. 123", None).unwrap();
        assert_eq!(n.e164, "+16502530000");
        assert_eq!(n.extension.as_deref(), Some("123"));
        let n = normalize("(650) 253-0000 x45", r("US")).unwrap();
        assert_eq!(n.extension.as_deref(), Some("45"));
    }

    #[test]
    fn strict_reading_says_why_a_number_is_not_one() {
        let fr = r("FR");
        assert_eq!(
            read("06 12 34 56 78", fr),
            Reading::Number("+33612345678".into())
        );
        assert_eq!(read("06 12 34 56 78", None), Reading::NoRegion);
        assert_eq!(
            read("+44 20 7183 8750", None),
            Reading::Number("+442071838750".into())
        );
        for (text, region, why) in [
            // A digit short: libphonenumber keeps the 0 and reads nine digits, in no range.
            ("06 12 34 56 7", fr, NotANumber::Invalid(33)),
            ("+1 123 456 7890", None, NotANumber::Invalid(1)),
            ("+33 6 12 34 56", None, NotANumber::TooShort(33)),
            ("+33 6 12 34 56 78 9 0", None, NotANumber::TooLong(33)),
            ("+999 123456", None, NotANumber::UnknownCountryCode),
            ("253-0000", r("US"), NotANumber::LocalOnly(1)),
            ("1", r("US"), NotANumber::Unparsable),
        ] {
            assert_eq!(read(text, region), Reading::Unreadable(why), "{text}");
        }
    }

    /// `normalize` (fast path first) and the full path give the same number or the same
    /// error, word for word, on the bench's slow mix (invalid, dialled out, every format).
    #[test]
    fn normalize_words_every_error_as_the_full_path() {
        let mut data = Vec::new();
        crate::synth::write_slow_mix_csv(&mut data, 20_000, 9).expect("generate");
        let mut rdr = csv::Reader::from_reader(&data[..]);
        let mut errors = 0;
        for rec in rdr.records() {
            let rec = rec.expect("a record");
            for (text, region) in [
                (&rec[3], r(&rec[5])),
                (&rec[3], None),
                (&rec[4], r(&rec[5])),
            ] {
                let fast = normalize(text, region).map(|n| n.e164);
                let full = with_util(|u| normalize_with(u, text, region)).map(|n| n.e164);
                assert_eq!(fast, full, "{text:?} in {region:?}");
                if let Err(e) = fast {
                    errors += 1;
                    assert_eq!(Some(e.to_string()), full.err().map(|e| e.to_string()));
                }
            }
        }
        assert!(errors > 20_000, "{errors}");
    }

    #[test]
    fn keys_fit_in_u64() {
        assert_eq!(e164_key("+442071838750"), Some(442071838750));
        assert_eq!(e164_key("+999999999999999"), Some(999_999_999_999_999));
        assert_eq!(e164_key("442071838750"), None);
        assert_eq!(e164_key("+"), None);
    }
}
