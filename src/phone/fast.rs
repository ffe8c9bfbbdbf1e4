//! The fast path: the numbers most files hold, parsed without libphonenumber's regex-driven
//! parser and validated on the compiled plans ([`super::plan`]).
//!
//! It takes two shapes: `+` then digits, and digits in the row's region, each with spaces,
//! hyphens, dots and parentheses between them. It follows the parser's steps for them
//! (calling code, national prefix, lengths) and answers, valid or invalid, only when every
//! step was one it can take exactly; anything else (an extension,
//! letters, an international dialling prefix, a national prefix with a transform rule, a
//! leading zero, a length the parser refuses) returns `None` and goes to the full parser,
//! which then decides it and words the error. So an answer of this path is always the
//! parser's answer.

use super::plan;
use crate::region::Region;

/// The longest number this path reads, in digits (the parser's national numbers have at most
/// 17, plus a calling code of at most 3).
const MAX_DIGITS: usize = 20;

/// What the fast path says of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Valid: the parser would give these parts.
    Valid(Parts),
    /// The parser would read it and call it invalid (no reason: not a parse error).
    Invalid,
}

/// A valid number in E.164 parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    pub country_code: i32,
    pub national_number: u64,
    /// `+`, the calling code and the national number.
    pub e164: String,
}

/// `text` (trimmed) as libphonenumber would parse and validate it, when it has a shape this
/// path reads; `None` otherwise.
pub fn parse(text: &str, region: Option<Region>) -> Option<Answer> {
    let bytes = text.as_bytes();
    let (plus, body) = match bytes.split_first()? {
        (b'+', rest) => (true, rest),
        (b'0'..=b'9' | b'(', _) => (false, bytes),
        _ => return None,
    };
    if !bytes.last()?.is_ascii_digit() {
        return None;
    }
    let mut digits = [0u8; MAX_DIGITS];
    let mut n = 0;
    for &c in body {
        match c {
            b'0'..=b'9' => {
                *digits.get_mut(n)? = c;
                n += 1;
            }
            b' ' | b'-' | b'.' | b'(' | b')' => {}
            _ => return None,
        }
    }
    let digits = &digits[..n];
    if n < 4 {
        return None;
    }
    let (country_code, code, nsn) = if plus {
        international(digits)?
    } else {
        national(digits, region?)?
    };
    // The parser's length limits; a leading zero is kept in fields of its own (Italy).
    if !(2..=17).contains(&nsn.len()) || nsn[0] == b'0' {
        return None;
    }
    if !plan::is_valid(country_code, nsn)? {
        return Some(Answer::Invalid);
    }
    // Some valid national numbers are too long for E.164: the full path words that error.
    if code.len() + nsn.len() > 15 {
        return None;
    }
    let nsn = std::str::from_utf8(nsn).ok()?;
    let national_number = nsn.parse().ok()?;
    let mut e164 = String::with_capacity(16);
    e164.push('+');
    e164.push_str(std::str::from_utf8(code).ok()?);
    e164.push_str(nsn);
    Some(Answer::Valid(Parts {
        country_code,
        national_number,
        e164,
    }))
}

/// A calling code, its digits and a national significant number.
type Split<'a> = (i32, &'a [u8], &'a [u8]);

/// `+` then `digits`: the calling code (the first 1 to 3 digits that are one), then the
/// national number as the calling code's main region strips it.
fn international(digits: &[u8]) -> Option<Split<'_>> {
    if digits[0] == b'0' {
        return None;
    }
    let mut cc = 0;
    let len = (1..=3).find(|&len| {
        cc = cc * 10 + i32::from(digits[len - 1] - b'0');
        plan::is_calling_code(cc)
    })?;
    let plan = plan::for_calling_code(cc)?;
    Some((
        cc,
        &digits[..len],
        plan.strip_national_prefix(&digits[len..])?,
    ))
}

/// Digits dialled in `region`: its national prefix stripped. A number that starts with the
/// region's international prefix or its own calling code is left to the parser.
fn national(digits: &[u8], region: Region) -> Option<Split<'_>> {
    let plan = plan::region(region)?;
    let code = plan.code.as_bytes();
    if plan.starts_with_international_prefix(digits) || digits.starts_with(code) {
        return None;
    }
    Some((plan.country_code, code, plan.strip_national_prefix(digits)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::from_code;
    use rlibphonenumber::{PhoneNumberFormat, PhoneNumberType, PhoneNumberUtil};

    fn util() -> PhoneNumberUtil {
        super::super::metadata::util().expect("util")
    }

    /// What the full parser says, in the fast path's terms (`None`: a parse error, or an
    /// extension).
    fn full(u: &PhoneNumberUtil, text: &str, region: Option<Region>) -> Option<Answer> {
        let n = u.parse(text.trim(), region).ok()?;
        if n.extension.is_some() {
            return None;
        }
        if !u.is_valid_number(&n) {
            return Some(Answer::Invalid);
        }
        Some(Answer::Valid(Parts {
            country_code: n.country_code,
            national_number: n.national_number,
            e164: u.format(&n, PhoneNumberFormat::E164).into_owned(),
        }))
    }

    /// The E.164 of a valid answer.
    fn valid_e164(a: Option<Answer>) -> Option<String> {
        match a? {
            Answer::Valid(p) => Some(p.e164),
            Answer::Invalid => None,
        }
    }

    #[test]
    fn common_shapes() {
        let gb = from_code("GB");
        for (text, region, e164) in [
            ("+44 20 7183 8750", None, "+442071838750"),
            ("+442071838750", gb, "+442071838750"),
            ("020 7183 8750", gb, "+442071838750"),
            ("(506) 208-4704", from_code("CA"), "+15062084704"),
            ("06 12613090", from_code("NL"), "+31612613090"),
            ("+1 (650) 253-0000", None, "+16502530000"),
            ("8 (912) 345-67-89", from_code("RU"), "+79123456789"),
        ] {
            assert_eq!(
                valid_e164(parse(text, region)).as_deref(),
                Some(e164),
                "{text}"
            );
        }
        // Left to the full parser.
        for (text, region) in [
            ("+1 650 253 0000 x12", None),
            ("00 33 6 12 34 56 78", from_code("DE")),
            ("44 20 7183 8750", gb),
            ("020 7183 8750", None),
            ("+39 06 6982 1234", None),
            ("12", gb),
        ] {
            assert_eq!(parse(text, region), None, "{text}");
        }
        // Read, and invalid: the parser's answer too.
        for (text, region) in [("+44 20 7183 875", None), ("512810", from_code("PL"))] {
            assert_eq!(parse(text, region), Some(Answer::Invalid), "{text}");
        }
    }

    /// Wherever the fast path answers, the full parser gives the same number; and it answers
    /// for most of the valid numbers of every region, national and international.
    #[test]
    fn agrees_with_the_parser_on_every_region() {
        let u = util();
        let (mut answered, mut valid, mut checked) = (0, 0, 0);
        let regions: Vec<Region> = u.get_supported_regions().collect();
        for &r in &regions {
            for t in [
                PhoneNumberType::FixedLine,
                PhoneNumberType::Mobile,
                PhoneNumberType::TollFree,
                PhoneNumberType::VoIP,
            ] {
                let Ok(n) = u.get_example_number_for_type_and_region(r, t) else {
                    continue;
                };
                let shown = [
                    u.format(&n, PhoneNumberFormat::E164).into_owned(),
                    u.format(&n, PhoneNumberFormat::International).into_owned(),
                    u.format(&n, PhoneNumberFormat::National).into_owned(),
                ];
                for text in shown {
                    for tail in 0..10u8 {
                        let mut t = text.clone().into_bytes();
                        if let Some(last) = t.iter().rposition(u8::is_ascii_digit) {
                            t[last] = b'0' + tail;
                        }
                        let t = String::from_utf8(t).unwrap();
                        for region in [Some(r), None, from_code("US"), from_code("DE")] {
                            let fast = parse(&t, region);
                            let slow = full(&u, &t, region);
                            if fast.is_some() {
                                assert_eq!(fast, slow, "{t:?} in {region:?}");
                                answered += usize::from(matches!(fast, Some(Answer::Valid(_))));
                            }
                            valid += usize::from(matches!(slow, Some(Answer::Valid(_))));
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 30_000, "{checked}");
        // Most valid numbers take the fast path (the rest: leading zeros, transform rules).
        assert!(answered * 10 > valid * 8, "{answered} of {valid}");
    }

    fn regions() -> Vec<Region> {
        let mut r: Vec<Region> = util().get_supported_regions().collect();
        r.sort_by_key(|r| r.as_region_str().as_str().to_string());
        r
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// Any text of the shapes it reads, in any region or none: where the fast path
        /// answers, the full parser gives the same number.
        #[test]
        fn never_disagrees_with_the_parser(
            text in "[+(]?[0-9 ().-]{0,22}",
            region in proptest::option::of(0usize..400),
        ) {
            thread_local!(static U: (PhoneNumberUtil, Vec<Region>) = (util(), regions()));
            U.with(|(u, all)| {
                let region = region.map(|i| all[i % all.len()]);
                if let Some(a) = parse(&text, region) {
                    proptest::prop_assert_eq!(Some(a), full(u, &text, region), "{:?} in {:?}", text, region);
                }
                Ok(())
            })?;
        }

        /// Example numbers of every region with their last digits changed, written in E.164,
        /// international or national format, read in their region, another or none.
        #[test]
        fn never_disagrees_on_numbers_near_valid_ones(
            which in (0usize..400, 0usize..4, 0usize..3),
            tail in proptest::collection::vec(0u8..10, 0..6),
            read_in in 0usize..400,
            own_region in proptest::bool::ANY,
        ) {
            thread_local!(static U: (PhoneNumberUtil, Vec<Region>) = (util(), regions()));
            U.with(|(u, all)| {
                let (r, t, f) = which;
                let r = all[r % all.len()];
                let t = [PhoneNumberType::Mobile, PhoneNumberType::FixedLine,
                    PhoneNumberType::TollFree, PhoneNumberType::PremiumRate][t];
                let Ok(n) = u.get_example_number_for_type_and_region(r, t) else { return Ok(()) };
                let f = [PhoneNumberFormat::E164, PhoneNumberFormat::International,
                    PhoneNumberFormat::National][f];
                let mut text = u.format(&n, f).into_owned().into_bytes();
                let mut k = tail.len();
                for c in text.iter_mut().rev().filter(|c| c.is_ascii_digit()) {
                    if k == 0 { break }
                    k -= 1;
                    *c = b'0' + tail[k];
                }
                let text = String::from_utf8(text).unwrap();
                let region = if own_region { r } else { all[read_in % all.len()] };
                for region in [Some(region), None] {
                    if let Some(a) = parse(&text, region) {
                        proptest::prop_assert_eq!(Some(a), full(u, &text, region), "{:?} in {:?}", text, region);
                    }
                }
                Ok(())
            })?;
        }
    }
}
