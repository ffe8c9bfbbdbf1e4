//! Regions: what a country cell of a contact export names, as a libphonenumber region.
//!
//! [`parse`] reads ISO 3166-1 codes (alpha-2, alpha-3, numeric), calling codes, and names in
//! every language CLDR has (`names`), with a code beside the name or not. A cell names one
//! region or none: a name that means different regions in different languages, a code that
//! does not fit its name, or three digits that are one region's ISO code and another's
//! calling code name none.

mod cache;
mod codes;
mod compound;
mod fold;
mod names;

use rlibphonenumber::PHONE_NUMBER_UTIL;
pub use rlibphonenumber::enums::Region;

pub use names::names_of;

use codes::Digits;

/// The 60 regions whose numbers are most common (by population and phone subscriptions), all
/// with phone metadata: the regions the tests check every name of.
pub const COMMON_REGIONS: [&str; 60] = [
    "CN", "IN", "US", "ID", "PK", "NG", "BR", "BD", "RU", "MX", "JP", "ET", "PH", "EG", "VN", "CD",
    "TR", "IR", "DE", "TH", "GB", "FR", "IT", "TZ", "ZA", "MM", "KE", "KR", "CO", "ES", "UG", "AR",
    "DZ", "SD", "UA", "IQ", "AF", "PL", "CA", "MA", "SA", "UZ", "PE", "AO", "MY", "MZ", "GH", "YE",
    "NP", "VE", "MG", "AU", "KP", "CM", "NE", "TW", "LK", "CL", "KZ", "NL",
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

/// `region` if the phone library has metadata for it (not `Region::World` and the like).
fn known(region: Region) -> Option<Region> {
    *BY_LETTERS.get(index(region)?)?
}

/// Reads a country as written in a contact export: an ISO 3166-1 code (`DE`, `DEU`, `276`,
/// `036`), a calling code (`+49`, `0049`, `49`), a name in any language CLDR has (`Germany`,
/// `Deutschland`, `ドイツ`) or an English short form (`UK`, `USA`), or a name with its code
/// (`Germany (DE)`, `DE - Germany`). `None` when the cell names no region, or no one region.
pub fn parse(text: &str) -> Option<Region> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    // Most cells: a two-letter code, looked up.
    if let Some(region) = from_code(text) {
        return Some(region);
    }
    if let Some(digits) = Digits::read(text) {
        return digits.region();
    }
    cache::cached(text, |text| plain(text).or_else(|| compound::parse(text)))
}

/// A code in letters or a name, alone: an alpha-2 or alpha-3 code (which win over any name
/// that reads the same), else a name.
fn plain(text: &str) -> Option<Region> {
    from_code(text)
        .or_else(|| codes::from_alpha3(text))
        .or_else(|| names::find(text))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

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

    #[test]
    fn reads_names_in_other_languages_codes_and_short_forms() {
        let cases: &[(&str, &str)] = &[
            // Country cells real exports hold.
            ("Frankreich", "FR"),
            ("Sverige", "SE"),
            ("日本", "JP"),
            ("Vereinigtes Königreich", "GB"),
            ("Australien", "AU"),
            ("Espagne", "ES"),
            ("Germany (DE)", "DE"),
            ("DEU", "DE"),
            ("Deutschland", "DE"),
            ("España", "ES"),
            ("U.K.", "GB"),
            ("France (FR)", "FR"),
            ("+49", "DE"),
            // ISO codes.
            ("de", "DE"),
            ("deu", "DE"),
            ("GBR", "GB"),
            ("USA", "US"),
            ("276", "DE"),
            ("036", "AU"),
            ("840", "US"),
            ("826", "GB"),
            // Calling codes: the main region of a shared one.
            ("+1", "US"),
            ("+44", "GB"),
            ("+7", "RU"),
            ("0049", "DE"),
            ("44", "GB"),
            ("+380", "UA"),
            // English names, short and common forms.
            ("united states of america", "US"),
            ("U.S.A.", "US"),
            ("U.S.", "US"),
            ("Great Britain", "GB"),
            ("England", "GB"),
            ("Scotland", "GB"),
            ("Wales", "GB"),
            ("Northern Ireland", "GB"),
            ("Czechia", "CZ"),
            ("Czech Republic", "CZ"),
            ("Korea", "KR"),
            ("South Korea", "KR"),
            ("Republic of Korea", "KR"),
            ("Korea, Republic of", "KR"),
            ("North Korea", "KP"),
            ("Russia", "RU"),
            ("Russian Federation", "RU"),
            ("Iran", "IR"),
            ("Vietnam", "VN"),
            ("Viet Nam", "VN"),
            ("Turkey", "TR"),
            ("Türkiye", "TR"),
            ("Turkiye", "TR"),
            ("Ivory Coast", "CI"),
            ("Côte d’Ivoire", "CI"),
            ("Cote d'Ivoire", "CI"),
            ("Burma", "MM"),
            ("Myanmar", "MM"),
            ("Swaziland", "SZ"),
            ("Eswatini", "SZ"),
            ("Macedonia", "MK"),
            ("North Macedonia", "MK"),
            ("Holland", "NL"),
            ("The Netherlands", "NL"),
            ("UAE", "AE"),
            ("Hong Kong", "HK"),
            ("Macau", "MO"),
            ("Macao", "MO"),
            ("Taiwan", "TW"),
            ("Bolivia", "BO"),
            ("Venezuela", "VE"),
            ("Tanzania", "TZ"),
            ("Syria", "SY"),
            ("Laos", "LA"),
            ("Moldova", "MD"),
            ("Palestine", "PS"),
            ("DR Congo", "CD"),
            ("DRC", "CD"),
            ("Congo - Kinshasa", "CD"),
            ("Republic of the Congo", "CG"),
            ("Vatican", "VA"),
            ("Vatican City", "VA"),
            ("Bosnia and Herzegovina", "BA"),
            ("Bosnia & Herzegovina", "BA"),
            ("Trinidad and Tobago", "TT"),
            ("Saint Lucia", "LC"),
            ("St. Lucia", "LC"),
            ("St Kitts & Nevis", "KN"),
            ("America", "US"),
            ("Britain", "GB"),
            ("The Philippines", "PH"),
            ("Netherlands (the)", "NL"),
            ("Trinidad", "TT"),
            ("Burkina", "BF"),
            ("  germany  ", "DE"),
            ("GERMANY", "DE"),
            // Other languages and scripts.
            ("Allemagne", "DE"),
            ("Alemania", "DE"),
            ("Deutschland", "DE"),
            ("Германия", "DE"),
            ("ドイツ", "DE"),
            ("Россия", "RU"),
            ("المغرب", "MA"),
            ("中国", "CN"),
            ("भारत", "IN"),
            ("Brasil", "BR"),
            ("México", "MX"),
            ("Mexico", "MX"),
            ("Österreich", "AT"),
            ("Schweiz", "CH"),
            ("Suisse", "CH"),
            ("Italia", "IT"),
            ("Nederland", "NL"),
            ("Polska", "PL"),
            ("Magyarország", "HU"),
            ("Ελλάδα", "GR"),
            ("대한민국", "KR"),
            ("Estados Unidos", "US"),
            ("Royaume-Uni", "GB"),
            // A name with its code.
            ("DE - Germany", "DE"),
            ("DE Germany", "DE"),
            ("Germany - DE", "DE"),
            ("Germany, DE", "DE"),
            ("Germany [DEU]", "DE"),
            ("Deutschland (DE)", "DE"),
            ("United Kingdom (UK)", "GB"),
            ("Canada (+1)", "CA"),
            ("+1 Canada", "CA"),
            ("Germany (+49)", "DE"),
            ("Italy (380)", "IT"),
            ("Ukraine (380)", "UA"),
        ];
        for &(text, want) in cases {
            assert_eq!(code(parse(text)).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn names_no_region_rather_than_guess() {
        let cases = [
            "Atlantis",
            "France (DE)",
            "DE - France",
            "France, DE",
            "Canada (+44)",
            "Narnia (DE)",
            "Germany (Europe)",
            "ZZ",
            "800",
            "+882",
            "+800",
            "Narnia",
            // ISO numeric of Italy, calling code of Ukraine.
            "380",
            // A name that means the Democratic Republic of the Congo in some languages and the
            // Republic of the Congo in others.
            "Kongo",
            "Конго",
            // No phone metadata: Antarctica.
            "AQ",
            "Antarctica",
            "+",
            "00",
            "+0",
            "1234",
            "Germ",
            "()",
            "(DE)",
            "N/A",
            "n/a",
            "Unknown",
            "Other",
            "none",
            "TBD",
            "-",
        ];
        for text in cases {
            assert_eq!(code(parse(text)), None, "{text}");
        }
    }

    #[test]
    fn common_regions_have_metadata_and_every_name_reads_back() {
        let mut seen = std::collections::HashSet::new();
        for code in COMMON_REGIONS {
            assert!(seen.insert(code), "{code} twice");
            let region = from_code(code).unwrap_or_else(|| panic!("{code}: no metadata"));
            let names = names_of(region);
            assert!(names.len() > 20, "{code}: {} names", names.len());
            for name in names {
                assert_eq!(parse(name), Some(region), "{code}: {name:?}");
            }
        }
    }

    #[test]
    fn every_name_of_every_region_with_metadata_reads_back() {
        let mut names = 0;
        let mut wrong = Vec::new();
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                let Some(region) = std::str::from_utf8(&[a, b]).ok().and_then(from_code) else {
                    continue;
                };
                for name in names_of(region) {
                    if parse(name) != Some(region) {
                        wrong.push(format!("{name:?}: {:?}, not {region:?}", parse(name)));
                    }
                    names += 1;
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "{} names read wrong: {wrong:#?}",
            wrong.len()
        );
        assert!(names > 30_000, "{names} names");
    }

    proptest! {
        #[test]
        fn never_panics(text in ".*") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_code_and_name_shapes(
            text in "[ (\\[+0-9A-Za-zé日,:/|-]{0,24}[)\\]]?"
        ) {
            let _ = parse(&text);
        }

        #[test]
        fn a_common_region_s_name_reads_back(pick in 0usize..60, nth in any::<usize>()) {
            let region = from_code(COMMON_REGIONS[pick]);
            let names = region.map(names_of).unwrap_or_default();
            prop_assume!(!names.is_empty());
            let name = names[nth % names.len()];
            prop_assert_eq!(parse(name), region, "{:?}", name);
        }
    }
}
