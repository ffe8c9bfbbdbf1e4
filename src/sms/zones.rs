//! The main time zone of each region, for sending at a civil hour of the recipient's day.
//!
//! Regions are named as libphonenumber names them: ISO 3166-1 alpha-2 codes plus the few
//! territories the phone plan gives their own code (`AC` Ascension, `TA` Tristan da Cunha,
//! `XK` Kosovo). A region with one time zone maps to that zone; a region with several maps to
//! the zone most of its people live in (`US` to `America/New_York`, `RU` to `Europe/Moscow`,
//! `AU` to `Australia/Sydney`, ...), so a message to a Californian scheduled by this table
//! arrives three hours "early" in local terms: the table is a best guess from the region, not
//! from the number. The non-geographic region `001` (satellite and global services) has no
//! zone.
//!
//! Zone names are IANA names, the ones `zone.tab` lists for the country where there is one
//! (`Europe/Vaduz` for `LI`, not the zone it links to), and the tests check that every one
//! resolves in jiff's bundled time zone database.

/// Region code -> IANA zone name, sorted by region code (binary searched).
const ZONES: &[(&str, &str)] = &[
    ("AC", "Atlantic/St_Helena"),
    ("AD", "Europe/Andorra"),
    ("AE", "Asia/Dubai"),
    ("AF", "Asia/Kabul"),
    ("AG", "America/Antigua"),
    ("AI", "America/Anguilla"),
    ("AL", "Europe/Tirane"),
    ("AM", "Asia/Yerevan"),
    ("AO", "Africa/Luanda"),
    ("AR", "America/Argentina/Buenos_Aires"),
    ("AS", "Pacific/Pago_Pago"),
    ("AT", "Europe/Vienna"),
    ("AU", "Australia/Sydney"),
    ("AW", "America/Aruba"),
    ("AX", "Europe/Mariehamn"),
    ("AZ", "Asia/Baku"),
    ("BA", "Europe/Sarajevo"),
    ("BB", "America/Barbados"),
    ("BD", "Asia/Dhaka"),
    ("BE", "Europe/Brussels"),
    ("BF", "Africa/Ouagadougou"),
    ("BG", "Europe/Sofia"),
    ("BH", "Asia/Bahrain"),
    ("BI", "Africa/Bujumbura"),
    ("BJ", "Africa/Porto-Novo"),
    ("BL", "America/St_Barthelemy"),
    ("BM", "Atlantic/Bermuda"),
    ("BN", "Asia/Brunei"),
    ("BO", "America/La_Paz"),
    ("BQ", "America/Kralendijk"),
    ("BR", "America/Sao_Paulo"),
    ("BS", "America/Nassau"),
    ("BT", "Asia/Thimphu"),
    ("BW", "Africa/Gaborone"),
    ("BY", "Europe/Minsk"),
    ("BZ", "America/Belize"),
    ("CA", "America/Toronto"),
    ("CC", "Indian/Cocos"),
    ("CD", "Africa/Kinshasa"),
    ("CF", "Africa/Bangui"),
    ("CG", "Africa/Brazzaville"),
    ("CH", "Europe/Zurich"),
    ("CI", "Africa/Abidjan"),
    ("CK", "Pacific/Rarotonga"),
    ("CL", "America/Santiago"),
    ("CM", "Africa/Douala"),
    ("CN", "Asia/Shanghai"),
    ("CO", "America/Bogota"),
    ("CR", "America/Costa_Rica"),
    ("CU", "America/Havana"),
    ("CV", "Atlantic/Cape_Verde"),
    ("CW", "America/Curacao"),
    ("CX", "Indian/Christmas"),
    ("CY", "Asia/Nicosia"),
    ("CZ", "Europe/Prague"),
    ("DE", "Europe/Berlin"),
    ("DJ", "Africa/Djibouti"),
    ("DK", "Europe/Copenhagen"),
    ("DM", "America/Dominica"),
    ("DO", "America/Santo_Domingo"),
    ("DZ", "Africa/Algiers"),
    ("EC", "America/Guayaquil"),
    ("EE", "Europe/Tallinn"),
    ("EG", "Africa/Cairo"),
    ("EH", "Africa/El_Aaiun"),
    ("ER", "Africa/Asmara"),
    ("ES", "Europe/Madrid"),
    ("ET", "Africa/Addis_Ababa"),
    ("FI", "Europe/Helsinki"),
    ("FJ", "Pacific/Fiji"),
    ("FK", "Atlantic/Stanley"),
    // Chuuk and Yap (UTC+10) hold more people than Pohnpei and Kosrae (UTC+11).
    ("FM", "Pacific/Chuuk"),
    ("FO", "Atlantic/Faroe"),
    ("FR", "Europe/Paris"),
    ("GA", "Africa/Libreville"),
    ("GB", "Europe/London"),
    ("GD", "America/Grenada"),
    ("GE", "Asia/Tbilisi"),
    ("GF", "America/Cayenne"),
    ("GG", "Europe/Guernsey"),
    ("GH", "Africa/Accra"),
    ("GI", "Europe/Gibraltar"),
    ("GL", "America/Nuuk"),
    ("GM", "Africa/Banjul"),
    ("GN", "Africa/Conakry"),
    ("GP", "America/Guadeloupe"),
    ("GQ", "Africa/Malabo"),
    ("GR", "Europe/Athens"),
    ("GT", "America/Guatemala"),
    ("GU", "Pacific/Guam"),
    ("GW", "Africa/Bissau"),
    ("GY", "America/Guyana"),
    ("HK", "Asia/Hong_Kong"),
    ("HN", "America/Tegucigalpa"),
    ("HR", "Europe/Zagreb"),
    ("HT", "America/Port-au-Prince"),
    ("HU", "Europe/Budapest"),
    ("ID", "Asia/Jakarta"),
    ("IE", "Europe/Dublin"),
    ("IL", "Asia/Jerusalem"),
    ("IM", "Europe/Isle_of_Man"),
    ("IN", "Asia/Kolkata"),
    ("IO", "Indian/Chagos"),
    ("IQ", "Asia/Baghdad"),
    ("IR", "Asia/Tehran"),
    ("IS", "Atlantic/Reykjavik"),
    ("IT", "Europe/Rome"),
    ("JE", "Europe/Jersey"),
    ("JM", "America/Jamaica"),
    ("JO", "Asia/Amman"),
    ("JP", "Asia/Tokyo"),
    ("KE", "Africa/Nairobi"),
    ("KG", "Asia/Bishkek"),
    ("KH", "Asia/Phnom_Penh"),
    ("KI", "Pacific/Tarawa"),
    ("KM", "Indian/Comoro"),
    ("KN", "America/St_Kitts"),
    ("KP", "Asia/Pyongyang"),
    ("KR", "Asia/Seoul"),
    ("KW", "Asia/Kuwait"),
    ("KY", "America/Cayman"),
    ("KZ", "Asia/Almaty"),
    ("LA", "Asia/Vientiane"),
    ("LB", "Asia/Beirut"),
    ("LC", "America/St_Lucia"),
    ("LI", "Europe/Vaduz"),
    ("LK", "Asia/Colombo"),
    ("LR", "Africa/Monrovia"),
    ("LS", "Africa/Maseru"),
    ("LT", "Europe/Vilnius"),
    ("LU", "Europe/Luxembourg"),
    ("LV", "Europe/Riga"),
    ("LY", "Africa/Tripoli"),
    ("MA", "Africa/Casablanca"),
    ("MC", "Europe/Monaco"),
    ("MD", "Europe/Chisinau"),
    ("ME", "Europe/Podgorica"),
    ("MF", "America/Marigot"),
    ("MG", "Indian/Antananarivo"),
    ("MH", "Pacific/Majuro"),
    ("MK", "Europe/Skopje"),
    ("ML", "Africa/Bamako"),
    ("MM", "Asia/Yangon"),
    ("MN", "Asia/Ulaanbaatar"),
    ("MO", "Asia/Macau"),
    ("MP", "Pacific/Saipan"),
    ("MQ", "America/Martinique"),
    ("MR", "Africa/Nouakchott"),
    ("MS", "America/Montserrat"),
    ("MT", "Europe/Malta"),
    ("MU", "Indian/Mauritius"),
    ("MV", "Indian/Maldives"),
    ("MW", "Africa/Blantyre"),
    ("MX", "America/Mexico_City"),
    ("MY", "Asia/Kuala_Lumpur"),
    ("MZ", "Africa/Maputo"),
    ("NA", "Africa/Windhoek"),
    ("NC", "Pacific/Noumea"),
    ("NE", "Africa/Niamey"),
    ("NF", "Pacific/Norfolk"),
    ("NG", "Africa/Lagos"),
    ("NI", "America/Managua"),
    ("NL", "Europe/Amsterdam"),
    ("NO", "Europe/Oslo"),
    ("NP", "Asia/Kathmandu"),
    ("NR", "Pacific/Nauru"),
    ("NU", "Pacific/Niue"),
    ("NZ", "Pacific/Auckland"),
    ("OM", "Asia/Muscat"),
    ("PA", "America/Panama"),
    ("PE", "America/Lima"),
    ("PF", "Pacific/Tahiti"),
    ("PG", "Pacific/Port_Moresby"),
    ("PH", "Asia/Manila"),
    ("PK", "Asia/Karachi"),
    ("PL", "Europe/Warsaw"),
    ("PM", "America/Miquelon"),
    ("PR", "America/Puerto_Rico"),
    // The West Bank (Asia/Hebron) holds more people than Gaza (Asia/Gaza).
    ("PS", "Asia/Hebron"),
    ("PT", "Europe/Lisbon"),
    ("PW", "Pacific/Palau"),
    ("PY", "America/Asuncion"),
    ("QA", "Asia/Qatar"),
    ("RE", "Indian/Reunion"),
    ("RO", "Europe/Bucharest"),
    ("RS", "Europe/Belgrade"),
    ("RU", "Europe/Moscow"),
    ("RW", "Africa/Kigali"),
    ("SA", "Asia/Riyadh"),
    ("SB", "Pacific/Guadalcanal"),
    ("SC", "Indian/Mahe"),
    ("SD", "Africa/Khartoum"),
    ("SE", "Europe/Stockholm"),
    ("SG", "Asia/Singapore"),
    ("SH", "Atlantic/St_Helena"),
    ("SI", "Europe/Ljubljana"),
    ("SJ", "Arctic/Longyearbyen"),
    ("SK", "Europe/Bratislava"),
    ("SL", "Africa/Freetown"),
    ("SM", "Europe/San_Marino"),
    ("SN", "Africa/Dakar"),
    ("SO", "Africa/Mogadishu"),
    ("SR", "America/Paramaribo"),
    ("SS", "Africa/Juba"),
    ("ST", "Africa/Sao_Tome"),
    ("SV", "America/El_Salvador"),
    ("SX", "America/Lower_Princes"),
    ("SY", "Asia/Damascus"),
    ("SZ", "Africa/Mbabane"),
    // Tristan da Cunha keeps GMT, as St Helena does.
    ("TA", "Atlantic/St_Helena"),
    ("TC", "America/Grand_Turk"),
    ("TD", "Africa/Ndjamena"),
    ("TG", "Africa/Lome"),
    ("TH", "Asia/Bangkok"),
    ("TJ", "Asia/Dushanbe"),
    ("TK", "Pacific/Fakaofo"),
    ("TL", "Asia/Dili"),
    ("TM", "Asia/Ashgabat"),
    ("TN", "Africa/Tunis"),
    ("TO", "Pacific/Tongatapu"),
    ("TR", "Europe/Istanbul"),
    ("TT", "America/Port_of_Spain"),
    ("TV", "Pacific/Funafuti"),
    ("TW", "Asia/Taipei"),
    ("TZ", "Africa/Dar_es_Salaam"),
    ("UA", "Europe/Kyiv"),
    ("UG", "Africa/Kampala"),
    ("US", "America/New_York"),
    ("UY", "America/Montevideo"),
    ("UZ", "Asia/Tashkent"),
    ("VA", "Europe/Vatican"),
    ("VC", "America/St_Vincent"),
    ("VE", "America/Caracas"),
    ("VG", "America/Tortola"),
    ("VI", "America/St_Thomas"),
    ("VN", "Asia/Ho_Chi_Minh"),
    ("VU", "Pacific/Efate"),
    ("WF", "Pacific/Wallis"),
    ("WS", "Pacific/Apia"),
    // Kosovo has no zone.tab entry; it keeps Central European Time with its neighbours.
    ("XK", "Europe/Belgrade"),
    ("YE", "Asia/Aden"),
    ("YT", "Indian/Mayotte"),
    ("ZA", "Africa/Johannesburg"),
    ("ZM", "Africa/Lusaka"),
    ("ZW", "Africa/Harare"),
];

/// The IANA name of `region`'s main time zone, or `None` for a region with no zone in the
/// table (the non-geographic `001`, or a code that is not a region).
///
/// `region` is matched without regard to ASCII case and surrounding whitespace: `"US"`,
/// `"us"` and `" Us "` all give `America/New_York`.
pub fn main_zone(region: &str) -> Option<&'static str> {
    let region = region.trim();
    ZONES
        .binary_search_by(|(code, _)| {
            code.bytes()
                .cmp(region.bytes().map(|b| b.to_ascii_uppercase()))
        })
        .ok()
        .map(|i| ZONES[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rlibphonenumber::PHONE_NUMBER_UTIL;

    #[test]
    fn the_table_is_sorted_with_no_repeats() {
        for pair in ZONES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} then {}", pair[0].0, pair[1].0);
        }
    }

    #[test]
    fn every_zone_resolves_in_the_bundled_database() {
        let missing: Vec<_> = ZONES
            .iter()
            .filter(|(_, zone)| jiff::tz::db().get(zone).is_err())
            .collect();
        assert!(missing.is_empty(), "unknown to jiff's tzdb: {missing:?}");
    }

    #[test]
    fn every_region_the_phone_library_supports_has_a_zone() {
        let mut missing: Vec<String> = PHONE_NUMBER_UTIL
            .get_supported_regions()
            .map(|r| r.as_region_str().as_str().to_string())
            .filter(|r| r != "001" && main_zone(r).is_none())
            .collect();
        missing.sort();
        assert!(missing.is_empty(), "no zone for: {missing:?}");
    }

    #[test]
    fn every_region_in_the_table_is_a_phone_region() {
        let supported: Vec<String> = PHONE_NUMBER_UTIL
            .get_supported_regions()
            .map(|r| r.as_region_str().as_str().to_string())
            .collect();
        assert!(supported.len() > 240, "{} regions", supported.len());
        let extra: Vec<_> = ZONES
            .iter()
            .filter(|(code, _)| !supported.iter().any(|s| s == code))
            .collect();
        assert!(extra.is_empty(), "not a libphonenumber region: {extra:?}");
    }

    #[test]
    fn known_mappings() {
        for (region, zone) in [
            ("US", "America/New_York"),
            ("CA", "America/Toronto"),
            ("AU", "Australia/Sydney"),
            ("BR", "America/Sao_Paulo"),
            ("RU", "Europe/Moscow"),
            ("MX", "America/Mexico_City"),
            ("ID", "Asia/Jakarta"),
            ("KZ", "Asia/Almaty"),
            ("CN", "Asia/Shanghai"),
            ("AR", "America/Argentina/Buenos_Aires"),
            ("ES", "Europe/Madrid"),
            ("PT", "Europe/Lisbon"),
            ("CD", "Africa/Kinshasa"),
            ("MN", "Asia/Ulaanbaatar"),
            ("UA", "Europe/Kyiv"),
            ("GB", "Europe/London"),
            ("JP", "Asia/Tokyo"),
            ("IN", "Asia/Kolkata"),
            ("PR", "America/Puerto_Rico"),
            ("GU", "Pacific/Guam"),
            ("XK", "Europe/Belgrade"),
            ("AC", "Atlantic/St_Helena"),
        ] {
            assert_eq!(main_zone(region), Some(zone), "{region}");
        }
        // The first and last rows, at the edges of the binary search.
        assert_eq!(main_zone("AC"), Some(ZONES[0].1));
        assert_eq!(main_zone("ZW"), Some("Africa/Harare"));
    }

    #[test]
    fn case_and_whitespace_do_not_matter() {
        assert_eq!(main_zone("us"), Some("America/New_York"));
        assert_eq!(main_zone("Jp"), Some("Asia/Tokyo"));
        assert_eq!(main_zone(" de\t"), Some("Europe/Berlin"));
    }

    #[test]
    fn unknown_and_non_geographic_regions_have_no_zone() {
        for region in ["001", "ZZ", "", "U", "USA", "QQ", "é", "U\u{0}"] {
            assert_eq!(main_zone(region), None, "{region:?}");
        }
    }
}
