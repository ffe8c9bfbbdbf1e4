//! Regions: ISO 3166-1 alpha-2 codes, country names and calling codes -> libphonenumber regions.

use rlibphonenumber::PHONE_NUMBER_UTIL;
pub use rlibphonenumber::enums::Region;

/// A few names people write that are not in the ISO tables.
const EXTRA_ALIASES: &[(&str, &str)] = &[
    ("uk", "GB"),
    ("greatbritain", "GB"),
    ("britain", "GB"),
    ("scotland", "GB"),
    ("wales", "GB"),
    ("northernireland", "GB"),
    ("unitedstatesofamerica", "US"),
    ("america", "US"),
    ("deutschland", "DE"),
    ("espana", "ES"),
    ("españa", "ES"),
    ("italia", "IT"),
    ("nederland", "NL"),
    ("holland", "NL"),
    ("schweiz", "CH"),
    ("suisse", "CH"),
    ("österreich", "AT"),
    ("osterreich", "AT"),
    ("brasil", "BR"),
    ("méxico", "MX"),
    ("southkorea", "KR"),
    ("korea", "KR"),
    ("russia", "RU"),
    ("czechia", "CZ"),
    ("uae", "AE"),
    ("turkey", "TR"),
    ("türkiye", "TR"),
    ("vietnam", "VN"),
];

/// Regions by the index of their two letters ([`index`]).
pub const LETTER_PAIRS: usize = 26 * 26;

/// The place of a region's two letters among all pairs (`AA` is 0, `ZZ` 675); `None` for the
/// non-geographic entity.
pub fn index(region: Region) -> Option<usize> {
    // The crate numbers each region by its letters: the first in the high byte.
    let [a, b] = (region as u16).to_be_bytes();
    pair_index(a, b)
}

/// The place of two upper-case letters among all pairs; `None` for anything else.
fn pair_index(a: u8, b: u8) -> Option<usize> {
    (a.is_ascii_uppercase() && b.is_ascii_uppercase())
        .then(|| usize::from(a - b'A') * 26 + usize::from(b - b'A'))
}

/// The regions with phone metadata, by letter pair: a code is looked up, not parsed (every
/// row of most files names one).
static BY_LETTERS: std::sync::LazyLock<Vec<Option<Region>>> = std::sync::LazyLock::new(|| {
    let mut table = vec![None; LETTER_PAIRS];
    for a in b'A'..=b'Z' {
        for b in b'A'..=b'Z' {
            let Some(region) = std::str::from_utf8(&[a, b])
                .ok()
                .and_then(|code| code.parse::<Region>().ok())
                .filter(|&r| PHONE_NUMBER_UTIL.get_country_code_for_region(r).is_some())
            else {
                continue;
            };
            if let Some(slot) = index(region).and_then(|i| table.get_mut(i)) {
                *slot = Some(region);
            }
        }
    }
    table
});

/// Parses an alpha-2 code the phone library knows ("GB", "gb").
pub fn from_code(code: &str) -> Option<Region> {
    let [a, b] = code.trim().as_bytes() else {
        return None;
    };
    // Only regions with phone metadata count (not "ZZ" and the like).
    *BY_LETTERS.get(pair_index(a.to_ascii_uppercase(), b.to_ascii_uppercase())?)?
}

/// Reads a country as written in a contact export: an ISO alpha-2 or alpha-3 code, an English
/// (or common local) name, or a calling code such as "+44".
pub fn parse(text: &str) -> Option<Region> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some(r) = from_code(text) {
        return Some(r);
    }
    let digits = text.trim_start_matches('+');
    if !digits.is_empty()
        && digits.len() <= 3
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(cc) = digits.parse::<i32>()
    {
        // Non-geographic codes (800, 808, 870, 88x, 979) map to no country ("001").
        return PHONE_NUMBER_UTIL
            .get_region_for_country_code(cc)
            .filter(|r| r.as_region_str().as_str().len() == 2);
    }
    let key: String = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if let Some((_, code)) = EXTRA_ALIASES.iter().find(|(k, _)| *k == key) {
        return from_code(code);
    }
    let country = key
        .parse::<celes::Country>()
        .or_else(|_| celes::Country::from_alias(&key))
        .or_else(|_| celes::Country::from_name(format!("the{key}")))
        .ok()?;
    from_code(country.alpha2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_letter_table_knows_what_the_crate_knows() {
        let mut known = 0;
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                let code = String::from_utf8(vec![a, b]).unwrap();
                let theirs = code
                    .parse::<Region>()
                    .ok()
                    .filter(|&r| PHONE_NUMBER_UTIL.get_country_code_for_region(r).is_some());
                assert_eq!(from_code(&code), theirs, "{code}");
                assert_eq!(from_code(&code.to_lowercase()), theirs, "{code}");
                if let Some(r) = theirs {
                    known += 1;
                    assert_eq!(r.as_region_str().as_str(), code);
                    assert_eq!(
                        index(r),
                        Some(usize::from(a - b'A') * 26 + usize::from(b - b'A'))
                    );
                }
            }
        }
        assert!(known > 200, "{known} regions");
        assert_eq!(index(Region::World), None);
        for bad in ["", "G", "GBR", "G1", "é", " gb ", "\u{0}B"] {
            assert_eq!(
                from_code(bad),
                bad.trim()
                    .parse::<Region>()
                    .ok()
                    .filter(|_| bad.trim().len() == 2
                        && bad.trim().bytes().all(|c| c.is_ascii_alphabetic())),
                "{bad:?}"
            );
        }
    }

    fn code(r: Option<Region>) -> Option<String> {
        r.map(|r| format!("{r:?}"))
    }

    #[test]
    fn reads_codes_names_and_calling_codes() {
        let cases: [(Option<&str>, &[&str]); 6] = [
            (Some("GB"), &["GB", "gb", "United Kingdom", "UK", "+44"]),
            (Some("DE"), &["DEU", "Germany", "49"]),
            (Some("US"), &["United States", "USA"]),
            (Some("NL"), &["Netherlands"]),
            (Some("FR"), &["France"]),
            (None, &["Atlantis", "800", "+882", "", "ZZ"]),
        ];
        for (want, texts) in cases {
            for text in texts {
                assert_eq!(code(parse(text)).as_deref(), want, "{text}");
            }
        }
    }
}
