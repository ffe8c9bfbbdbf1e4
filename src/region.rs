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

/// Parses an alpha-2 code the phone library knows ("GB", "gb").
pub fn from_code(code: &str) -> Option<Region> {
    let code = code.trim();
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let b = code.as_bytes();
    let upper = [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()];
    let region: Region = std::str::from_utf8(&upper).ok()?.parse().ok()?;
    // Only regions with phone metadata count (not "ZZ" and the like).
    PHONE_NUMBER_UTIL.get_country_code_for_region(region)?;
    Some(region)
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
