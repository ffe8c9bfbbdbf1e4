//! Codes written as a country: ISO 3166-1 alpha-3 and numeric codes (from the `celes` crate's
//! table) and calling codes (from the phone library's metadata).

use std::sync::LazyLock;

use rlibphonenumber::PHONE_NUMBER_UTIL;
use rustc_hash::FxHashMap;

use super::{Region, known};

/// ISO codes by region: alpha-3 (upper case) and numeric.
struct Iso {
    alpha3: FxHashMap<[u8; 3], Region>,
    numeric: FxHashMap<u16, Region>,
    numeric_of: FxHashMap<Region, u16>,
}

static ISO: LazyLock<Iso> = LazyLock::new(|| {
    let mut iso = Iso {
        alpha3: FxHashMap::default(),
        numeric: FxHashMap::default(),
        numeric_of: FxHashMap::default(),
    };
    for country in celes::Country::get_countries() {
        let Ok(region) = country.alpha2.parse::<Region>() else {
            continue;
        };
        if let Ok(alpha3) = <[u8; 3]>::try_from(country.alpha3.as_bytes()) {
            iso.alpha3
                .insert(alpha3.map(|b| b.to_ascii_uppercase()), region);
        }
        if let Ok(numeric) = u16::try_from(country.value) {
            iso.numeric.insert(numeric, region);
            iso.numeric_of.insert(region, numeric);
        }
    }
    iso
});

/// The region of an ISO alpha-3 code ("DEU", "deu").
pub(super) fn from_alpha3(text: &str) -> Option<Region> {
    let code = <[u8; 3]>::try_from(text.as_bytes()).ok()?;
    if !code.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    known(*ISO.alpha3.get(&code.map(|b| b.to_ascii_uppercase()))?)
}

/// A code written in digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Digits {
    /// `+49`, `0049`, `49`: a calling code (one or two bare digits are one too).
    Calling(u16),
    /// Three digits with a leading zero (`036`): an ISO numeric code.
    Numeric(u16),
    /// Three other digits (`276`, `380`): an ISO numeric code or a calling code.
    Either(u16),
}

impl Digits {
    /// Reads `+D`, `00D` (one to three digits D, not starting with a zero), one to three bare
    /// digits; `None` for anything else.
    pub(super) fn read(text: &str) -> Option<Self> {
        let all_digits =
            |s: &str| (1..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
        let value = |s: &str| s.parse::<u16>().ok();
        // A calling code after `+` or `00` (no calling code starts with a zero).
        let calling = |rest: &str| {
            (all_digits(rest) && !rest.starts_with('0'))
                .then(|| value(rest).map(Self::Calling))
                .flatten()
        };
        if let Some(rest) = text.strip_prefix('+') {
            return calling(rest);
        }
        if let Some(rest) = text.strip_prefix("00")
            && text.len() > 3
        {
            return calling(rest);
        }
        if !all_digits(text) {
            return None;
        }
        let n = value(text)?;
        Some(match text.len() {
            3 if text.starts_with('0') => Self::Numeric(n),
            3 => Self::Either(n),
            _ => Self::Calling(n),
        })
    }

    /// The region the code names: the main region of a calling code (as libphonenumber says:
    /// `+1` is US, `+44` GB), nothing for a non-geographic one (`+800`), and nothing for three
    /// digits that are the ISO code of one region and the calling code of another.
    pub(super) fn region(self) -> Option<Region> {
        match self {
            Self::Calling(cc) => calling(cc).and_then(known),
            Self::Numeric(n) => known(*ISO.numeric.get(&n)?),
            Self::Either(n) => match (ISO.numeric.get(&n).copied(), calling(n)) {
                (Some(iso), Some(cc)) if iso == cc => known(iso),
                (Some(_), Some(_)) => None,
                (Some(only), None) | (None, Some(only)) => known(only),
                (None, None) => None,
            },
        }
    }

    /// Whether the code can stand for `region`: its calling code, or its ISO numeric code.
    pub(super) fn fits(self, region: Region) -> bool {
        let calling_code = || {
            PHONE_NUMBER_UTIL
                .get_country_code_for_region(region)
                .and_then(|cc| u16::try_from(cc).ok())
        };
        let numeric = || ISO.numeric_of.get(&region).copied();
        match self {
            Self::Calling(cc) => calling_code() == Some(cc),
            Self::Numeric(n) => numeric() == Some(n),
            Self::Either(n) => calling_code() == Some(n) || numeric() == Some(n),
        }
    }
}

/// The main region of a calling code: `Region::World` for a non-geographic one (which
/// [`known`] turns down), `None` for a code no one has.
fn calling(cc: u16) -> Option<Region> {
    PHONE_NUMBER_UTIL.get_region_for_country_code(i32::from(cc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_cases;

    #[test]
    fn reads_digit_forms() {
        assert_cases(
            Digits::read,
            [
                ("+49", Some(Digits::Calling(49))),
                ("+1", Some(Digits::Calling(1))),
                ("0049", Some(Digits::Calling(49))),
                ("00380", Some(Digits::Calling(380))),
                ("49", Some(Digits::Calling(49))),
                ("7", Some(Digits::Calling(7))),
                ("036", Some(Digits::Numeric(36))),
                ("276", Some(Digits::Either(276))),
                ("00", Some(Digits::Calling(0))),
                ("000", Some(Digits::Numeric(0))),
            ],
        );
        // Anything else is no digit form.
        for text in ["+", "+1234", "+049", "00036", "1234", "4a", "+4a", ""] {
            assert_eq!(Digits::read(text), None, "{text}");
        }
    }

    #[test]
    fn numeric_and_calling_codes_of_two_regions_are_none() {
        let region = |text: &str| Digits::read(text).and_then(Digits::region);
        // ISO numeric of Italy, calling code of Ukraine; of France and Rwanda.
        assert_eq!(region("380"), None);
        assert_eq!(region("250"), None);
        // ISO numeric of Uganda and Samoa, non-geographic calling codes.
        assert_eq!(region("800"), None);
        assert_eq!(region("882"), None);
        assert_eq!(
            region("+380").map(|r| format!("{r:?}")).as_deref(),
            Some("UA")
        );
        assert_eq!(
            region("276").map(|r| format!("{r:?}")).as_deref(),
            Some("DE")
        );
        assert_eq!(
            region("036").map(|r| format!("{r:?}")).as_deref(),
            Some("AU")
        );
        // No region has 999 or 000.
        assert_eq!(region("999"), None);
        assert_eq!(region("000"), None);
        assert_eq!(region("00"), None);
    }
}
