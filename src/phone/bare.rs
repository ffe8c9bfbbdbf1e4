//! Digits that lost their `+`: a spreadsheet stores a phone number as a number, and drops its
//! leading `+` (or `0`). Such a value may read two ways, as a national number of the row's
//! region and as an international number; when both are valid and differ, the tool does not
//! guess (see [`read_value`]).

use super::{Normalized, PhoneError, normalize, plan};
use crate::region::Region;

/// How to read digits that are valid both as a national and as an international number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum BareDigits {
    /// Reject the value (`phone_ambiguous`), with both readings in the message.
    #[default]
    Reject,
    /// Read it as an international number whose `+` was lost.
    International,
    /// Read it as a national number of the row's region.
    National,
}

impl BareDigits {
    pub fn as_str(self) -> &'static str {
        match self {
            BareDigits::Reject => "reject",
            BareDigits::International => "international",
            BareDigits::National => "national",
        }
    }
}

/// Which reading of a value was taken, when it was not the plain one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// As written: `+`, IDD, a national prefix, or digits with one valid reading, the
    /// national one (or both readings the same number).
    Plain,
    /// Bare digits read as an international number (its `+` was lost).
    BareInternational,
    /// Bare digits valid both ways, read as a national number (`--bare-digits national`).
    BareNational,
}

/// Where a row's region comes from, for reading bare digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionFrom {
    /// The row's own country cell: it says where the row's numbers are.
    Cell,
    /// A default (`--default-region`), or the row's other numbers: a guess.
    Guess,
}

/// Reads a phone value by the rules of "How a number is read" (docs/clean.md): a value that is not
/// bare digits is read as [`normalize`] reads it; bare digits that start with a calling code
/// are read both ways, and a question (both valid, different numbers) is settled by `bare`
/// or refused ([`PhoneError::Ambiguous`]). The question is only asked when the international
/// reading could be the row's: a number of another country than the one the row's country
/// cell names is not (`15123456789` with country DE is a German mobile whose 0 was lost, not
/// +1 512 345 6789). Without a region, bare digits are read as an international number only
/// when `bare` says so.
#[inline]
pub fn read_value(
    text: &str,
    region: Option<(Region, RegionFrom)>,
    bare: BareDigits,
) -> Result<(Normalized, How), PhoneError> {
    let (region, from) = match region {
        Some((r, from)) => (Some(r), from),
        None => (None, RegionFrom::Guess),
    };
    let trimmed = text.trim();
    if !is_bare(trimmed) {
        return normalize(text, region).map(|n| (n, How::Plain));
    }
    let text = trimmed;
    let Some(region) = region else {
        if bare == BareDigits::International
            && let Ok(n) = with_plus(text)
        {
            return Ok((n, How::BareInternational));
        }
        return Err(match normalize(text, None) {
            Err(PhoneError::NoRegion(t)) => PhoneError::NoRegionBare(t),
            Err(e) => e,
            // Digits with no + never read without a region; should the parser differ, the
            // row is still refused rather than read as some country's number.
            Ok(_) => PhoneError::NoRegionBare(text.to_string()),
        });
    };
    if starts_with_national_prefix(text, region) || !starts_with_calling_code(text) {
        return normalize(text, Some(region)).map(|n| (n, How::Plain));
    }
    let national = normalize(text, Some(region));
    let international = with_plus(text);
    match (national, international) {
        (Ok(n), Ok(i)) if n.e164 == i.e164 => Ok((n, How::Plain)),
        // The row's country cell names another country than the international reading's.
        (Ok(n), Ok(i)) if from == RegionFrom::Cell && i.calling_code() != n.calling_code() => {
            Ok((n, How::Plain))
        }
        (Ok(n), Ok(i)) => match bare {
            BareDigits::Reject => Err(PhoneError::Ambiguous {
                text: text.to_string(),
                region: region.as_region_str().as_str().to_string(),
                national: n.e164,
                international: i.e164,
            }),
            BareDigits::International => Ok((i, How::BareInternational)),
            BareDigits::National => Ok((n, How::BareNational)),
        },
        (Ok(n), Err(_)) => Ok((n, How::Plain)),
        (Err(_), Ok(i)) => Ok((i, How::BareInternational)),
        (Err(e), Err(_)) => Err(e),
    }
}

/// The international reading of bare digits (`4915123456789` as `+4915123456789`), when the
/// value is bare digits and that reading is valid: a list that must hold (suppressions)
/// holds both readings of such a value.
pub fn international_reading(text: &str) -> Option<Normalized> {
    let text = text.trim();
    is_bare(text).then(|| with_plus(text).ok()).flatten()
}

/// `digits` read as an international number: with the `+` they may have lost.
fn with_plus(digits: &str) -> Result<Normalized, PhoneError> {
    normalize(&format!("+{digits}"), None)
}

/// Digits only, not starting with 0 (a national prefix or an international one: no calling
/// code starts with 0).
#[inline]
fn is_bare(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 2 && b[0] != b'0' && b.iter().all(u8::is_ascii_digit)
}

/// Whether `digits` start with `region`'s national (trunk) prefix: `1` in the US, `8` in
/// Russia. Such a value is written nationally, and read as written.
fn starts_with_national_prefix(digits: &str, region: Region) -> bool {
    plan::region(region).is_some_and(|p| p.starts_with_trunk_prefix(digits.as_bytes()))
}

/// Whether `digits` start with a calling code some region has.
fn starts_with_calling_code(digits: &str) -> bool {
    (1..=3).any(|n| {
        digits
            .get(..n)
            .and_then(|p| p.parse::<i32>().ok())
            .is_some_and(plan::is_calling_code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region;

    fn read(text: &str, region: &str, bare: BareDigits) -> Result<(String, How), PhoneError> {
        read_from(text, region, RegionFrom::Cell, bare)
    }

    fn read_from(
        text: &str,
        region: &str,
        from: RegionFrom,
        bare: BareDigits,
    ) -> Result<(String, How), PhoneError> {
        let region = region::from_code(region).map(|r| (r, from));
        read_value(text, region, bare).map(|(n, how)| (n.e164, how))
    }

    #[test]
    fn digits_that_read_two_valid_ways_are_not_guessed() {
        use BareDigits::*;
        for (text, region, national, international) in [
            ("4915123456789", "DE", "+494915123456789", "+4915123456789"),
            ("62812345678", "ID", "+6262812345678", "+62812345678"),
        ] {
            let err = read(text, region, Reject).expect_err(text);
            assert_eq!(
                err,
                PhoneError::Ambiguous {
                    text: text.into(),
                    region: region.into(),
                    national: national.into(),
                    international: international.into(),
                },
                "{text}"
            );
            let msg = err.to_string();
            assert!(
                msg.contains(national) && msg.contains(international),
                "{msg}"
            );
            assert_eq!(
                read(text, region, International),
                Ok((international.into(), How::BareInternational))
            );
            assert_eq!(
                read(text, region, National),
                Ok((national.into(), How::BareNational))
            );
        }
    }

    #[test]
    fn a_country_cell_answers_for_a_reading_of_another_country() {
        use BareDigits::*;
        // A German mobile whose leading 0 a spreadsheet dropped: +1 512 345 6789 is valid
        // too, but the row says DE.
        assert_eq!(
            read("15123456789", "DE", Reject),
            Ok(("+4915123456789".into(), How::Plain))
        );
        // With only a default region, that is a question.
        assert!(matches!(
            read_from("15123456789", "DE", RegionFrom::Guess, Reject),
            Err(PhoneError::Ambiguous { .. })
        ));
        assert_eq!(
            read_from("15123456789", "DE", RegionFrom::Guess, International),
            Ok(("+15123456789".into(), How::BareInternational))
        );
    }

    #[test]
    fn digits_with_one_valid_reading_take_it() {
        for bare in [BareDigits::Reject, BareDigits::National] {
            for (text, region, e164, how) in [
                // The national prefix 1: written nationally.
                ("14155552671", "US", "+14155552671", How::Plain),
                // libphonenumber already strips the region's own calling code.
                ("447911123456", "GB", "+447911123456", How::Plain),
                // Only the international reading is valid.
                ("33612345678", "GB", "+33612345678", How::BareInternational),
                // Only the national reading is valid.
                ("7911123456", "GB", "+447911123456", How::Plain),
                ("6502530000", "US", "+16502530000", How::Plain),
                // Not bare: a national prefix, IDD, a plus, separators.
                ("015123456789", "DE", "+4915123456789", How::Plain),
                ("0049 151 23456789", "DE", "+4915123456789", How::Plain),
                ("+49 151 23456789", "DE", "+4915123456789", How::Plain),
                ("89123456789", "RU", "+79123456789", How::Plain),
            ] {
                assert_eq!(read(text, region, bare), Ok((e164.into(), how)), "{text}");
            }
        }
    }

    #[test]
    fn without_a_region_bare_digits_need_to_be_told() {
        let none = |bare| read_value("447911123456", None, bare).map(|(n, h)| (n.e164, h));
        assert_eq!(
            none(BareDigits::Reject),
            read_from("447911123456", "", RegionFrom::Cell, BareDigits::Reject)
        );
        assert_eq!(
            none(BareDigits::Reject),
            Err(PhoneError::NoRegionBare("447911123456".into()))
        );
        assert!(
            PhoneError::NoRegionBare("1".into())
                .to_string()
                .contains("--bare-digits international")
        );
        assert_eq!(
            none(BareDigits::International),
            Ok(("+447911123456".into(), How::BareInternational))
        );
        assert_eq!(
            none(BareDigits::National),
            Err(PhoneError::NoRegionBare("447911123456".into()))
        );
    }

    #[test]
    fn the_international_reading_of_bare_digits() {
        let e164 = |t| international_reading(t).map(|n| n.e164);
        assert_eq!(e164("4915123456789").as_deref(), Some("+4915123456789"));
        assert_eq!(e164(" 447911123456 ").as_deref(), Some("+447911123456"));
        for not in [
            "+4915123456789",
            "015123456789",
            "49 151 23456789",
            "12",
            "x",
        ] {
            assert_eq!(e164(not), None, "{not}");
        }
    }

    #[test]
    fn neither_reading_valid_keeps_the_plain_error() {
        assert!(matches!(
            read("12345", "DE", BareDigits::Reject),
            Err(PhoneError::Invalid { .. })
        ));
    }
}
