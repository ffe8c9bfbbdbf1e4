//! The fast path: the numbers most files hold, parsed without libphonenumber's regex-driven
//! parser and validated on the compiled plans ([`super::plan`]).
//!
//! It takes two shapes: `+` then digits, and digits in the row's region, each with spaces,
//! hyphens, dots and parentheses between them. Digits in the row's region may start with the
//! region's international (IDD) prefix as its metadata gives it (`00`, `011`, `0011`, `010`,
//! `8~10`, ...): they are then read as the parser reads them, calling code first. It follows
//! the parser's steps for them (IDD prefix, calling code, national prefix, lengths) and
//! answers, valid, invalid or with the parser's error (too short, too long, no such calling
//! code, no region), only when every step was one it can take exactly; anything else (an
//! extension, letters, a national prefix a transform rule rewrites, a leading zero, an IDD
//! prefix followed by a 0) returns `None` and goes to the full parser,
//! which then decides it. So an answer of this path is always
//! the parser's answer.

use rlibphonenumber::{NotANumberError, ParseError};

use super::plan;
use crate::region::Region;

/// The longest number this path reads, in digits: an IDD prefix (at most 8 digits), a calling
/// code (at most 3) and more than the 17 digits a national number may have, so that numbers
/// too long by far are answered too.
const MAX_DIGITS: usize = 40;

/// The parser's bounds on a national significant number (`MIN_LENGTH_FOR_NSN`,
/// `MAX_LENGTH_FOR_NSN`).
const MIN_NSN: usize = 2;
const MAX_NSN: usize = 17;

/// What the fast path says of a text the parser reads.
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

/// What the fast path says of a text: the parser's answer, or the error it parses it with.
pub type Decision = Result<Answer, ParseError>;

/// `text` (trimmed) as libphonenumber would parse and validate it, when it has a shape this
/// path reads and the parser reads it without an error; `None` otherwise ([`decide`] without
/// its parse errors: what the tests that compare it with the parser's number check).
#[cfg(test)]
pub fn parse(text: &str, region: Option<Region>) -> Option<Answer> {
    decide(text, region)?.ok()
}

/// `text` (trimmed) as libphonenumber would parse and validate it, parse errors included
/// (`Err`: the parser's own error), when it has a shape this path reads; `None` otherwise.
pub fn decide(text: &str, region: Option<Region>) -> Option<Decision> {
    let mut buffer = [0u8; MAX_DIGITS];
    let (plus, n) = read_digits(text, &mut buffer)?;
    let digits = &buffer[..n];
    if n < 3 && !two_digits_alone(text.as_bytes(), plus, n) {
        return Some(Err(ParseError::NotANumber(
            NotANumberError::NotMatchedValidNumberPattern,
        )));
    }
    let split = if plus {
        international(digits, region)?
    } else {
        match region {
            Some(region) => national(digits, region)?,
            // The parser needs a region for a number without `+`.
            None => Err(ParseError::InvalidCountryCode),
        }
    };
    match split {
        Ok((country_code, code, nsn)) => answer(country_code, code, nsn),
        Err(e) => Some(Err(e)),
    }
}

/// The digits of `text` into `buffer`, and whether it starts with `+`: `None` unless it is
/// `+` or a digit or `(`, then digits, spaces, hyphens, dots and parentheses, ending with a
/// digit (and at most [`MAX_DIGITS`] digits).
fn read_digits(text: &str, buffer: &mut [u8; MAX_DIGITS]) -> Option<(bool, usize)> {
    let bytes = text.as_bytes();
    let (plus, body) = match bytes.split_first()? {
        (b'+', rest) => (true, rest),
        (b'0'..=b'9' | b'(', _) => (false, bytes),
        _ => return None,
    };
    if !bytes.last()?.is_ascii_digit() {
        return None;
    }
    let mut n = 0;
    for &c in body {
        match c {
            b'0'..=b'9' => {
                *buffer.get_mut(n)? = c;
                n += 1;
            }
            b' ' | b'-' | b'.' | b'(' | b')' => {}
            _ => return None,
        }
    }
    Some((plus, n))
}

/// Whether a text of one or two digits is still a number to the parser: its pattern of a
/// number wants three digits, or two and nothing else (then read as any other number).
fn two_digits_alone(text: &[u8], plus: bool, n: usize) -> bool {
    n == 2 && !plus && text.len() >= 2 && text[text.len() - 2].is_ascii_digit()
}

/// The parser's verdict on a national significant number `nsn` of calling code
/// `country_code` (digits `code`): its length, then its validity; `None` for a leading zero
/// (kept in fields of its own, Italy) and for a valid number too long for E.164 (the full
/// path words that error).
fn answer(country_code: i32, code: &[u8], nsn: &[u8]) -> Option<Decision> {
    if nsn.len() < MIN_NSN {
        return Some(Err(ParseError::TooShortNsn));
    }
    if nsn.len() > MAX_NSN {
        return Some(Err(ParseError::TooLongNsn));
    }
    if nsn[0] == b'0' {
        return None;
    }
    if !plan::is_valid(country_code, nsn)? {
        return Some(Ok(Answer::Invalid));
    }
    if code.len() + nsn.len() > 15 {
        return None;
    }
    let nsn = std::str::from_utf8(nsn).ok()?;
    let national_number = nsn.parse().ok()?;
    let mut e164 = String::with_capacity(16);
    e164.push('+');
    e164.push_str(std::str::from_utf8(code).ok()?);
    e164.push_str(nsn);
    Some(Ok(Answer::Valid(Parts {
        country_code,
        national_number,
        e164,
    })))
}

/// A calling code, its digits and a national significant number.
type Split<'a> = (i32, &'a [u8], &'a [u8]);

/// The calling code `digits` start with (the first 1 to 3 digits that are one, as the
/// parser's `extract_country_code` finds it) and its length.
fn calling_code_at_start(digits: &[u8]) -> Option<(i32, usize)> {
    if digits.first() == Some(&b'0') {
        return None;
    }
    let mut cc = 0;
    for (len, &d) in digits.iter().enumerate().take(3) {
        cc = cc * 10 + i32::from(d - b'0');
        if plan::is_calling_code(cc) {
            return Some((cc, len + 1));
        }
    }
    None
}

/// `+` then `digits`: the calling code, then the national number as the calling code's main
/// region strips it. A `+` and no known calling code is the parser's "invalid country code",
/// unless the row's region could read the digits as dialled with its IDD prefix (the parser
/// tries that too): left to it.
fn international(digits: &[u8], region: Option<Region>) -> Option<Result<Split<'_>, ParseError>> {
    if digits[0] == b'0' {
        return None;
    }
    let Some((cc, len)) = calling_code_at_start(digits) else {
        return match region {
            None => Some(Err(ParseError::InvalidCountryCode)),
            Some(r) if plan::region(r)?.starts_with_international_prefix(digits) => None,
            Some(_) => Some(Err(ParseError::InvalidCountryCode)),
        };
    };
    after_calling_code(cc, &digits[..len], &digits[len..])
}

/// The national number after calling code `cc` (digits `code`): too short to strip a
/// national prefix from, or stripped as the calling code's main region strips it.
fn after_calling_code<'a>(
    cc: i32,
    code: &'a [u8],
    rest: &'a [u8],
) -> Option<Result<Split<'a>, ParseError>> {
    if rest.len() < MIN_NSN {
        return Some(Err(ParseError::TooShortNsn));
    }
    let plan = plan::for_calling_code(cc)?;
    Some(Ok((cc, code, plan.strip_national_prefix(rest)?)))
}

/// Digits dialled in `region`: after its international (IDD) prefix, a calling code and a
/// number; else a national number, its national prefix stripped (or its own calling code, as
/// the parser takes it: [`own_calling_code`]).
fn national(digits: &[u8], region: Region) -> Option<Result<Split<'_>, ParseError>> {
    let plan = plan::region(region)?;
    if let Some(end) = plan.international_prefix_end(digits) {
        return dialled_out(&digits[end..]);
    }
    let code = plan.code.as_bytes();
    if let Some(after) = digits.strip_prefix(code)
        && let Some(split) = own_calling_code(plan, digits, after)?
    {
        return Some(split);
    }
    Some(Ok((
        plan.country_code,
        code,
        plan.strip_national_prefix(digits)?,
    )))
}

/// National `digits` that start with the region's own calling code, `after` it: the parser
/// takes the code as the calling code when the number without it (its national prefix
/// stripped) fits the region's general pattern and the number with it does not, or when the
/// number with it is too long (`maybe_extract_country_code`). `Some(None)`: it does not,
/// read nationally; `None`: left to the parser.
fn own_calling_code<'a>(
    plan: &'static plan::NumberingPlan,
    digits: &'a [u8],
    after: &'a [u8],
) -> Option<Option<Result<Split<'a>, ParseError>>> {
    let potential = plan.strip_national_prefix_only(after)?;
    let takes_code = (!plan.general_matches(digits) && plan.general_matches(potential))
        || plan.is_too_long(digits.len());
    if !takes_code {
        return Some(None);
    }
    let code = &digits[..plan.code.len()];
    Some(Some(after_calling_code(
        plan.country_code,
        code,
        potential,
    )?))
}

/// The digits after an IDD prefix, as the parser reads them (`parse_prefix_as_idd`, then
/// `maybe_extract_country_code`): a 0 next means the prefix is not one (left to the parser);
/// two digits or fewer are "too short after IDD"; then a calling code, or "invalid country
/// code".
fn dialled_out(rest: &[u8]) -> Option<Result<Split<'_>, ParseError>> {
    if rest.first() == Some(&b'0') {
        return None;
    }
    if rest.len() <= MIN_NSN {
        return Some(Err(ParseError::TooShortAfterIdd));
    }
    let Some((cc, len)) = calling_code_at_start(rest) else {
        return Some(Err(ParseError::InvalidCountryCode));
    };
    after_calling_code(cc, &rest[..len], &rest[len..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::from_code;
    use proptest::test_runner::TestCaseError;
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
            ("020 7183 8750", None),
            ("+39 06 6982 1234", None),
        ] {
            assert_eq!(parse(text, region), None, "{text}");
        }
        // Dialled out with the region's IDD prefix, the region's own calling code without a
        // `+`, two digits alone: read as the parser reads them.
        for (text, region, e164) in [
            ("00 33 6 12 34 56 78", from_code("DE"), Some("+33612345678")),
            (
                "011 44 20 7183 8750",
                from_code("US"),
                Some("+442071838750"),
            ),
            (
                "0011 44 20 7183 8750",
                from_code("AU"),
                Some("+442071838750"),
            ),
            (
                "010 44 20 7183 8750",
                from_code("JP"),
                Some("+442071838750"),
            ),
            (
                "810 44 20 7183 8750",
                from_code("RU"),
                Some("+442071838750"),
            ),
            ("44 20 7183 8750", gb, Some("+442071838750")),
            ("12", gb, None),
        ] {
            let fast = parse(text, region);
            assert!(fast.is_some(), "{text}");
            assert_eq!(valid_e164(fast).as_deref(), e164, "{text}");
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

    /// What the full parser says, parse errors included (`None`: an extension).
    fn full_verdict(u: &PhoneNumberUtil, text: &str, region: Option<Region>) -> Option<Decision> {
        match u.parse(text.trim(), region) {
            Err(e) => Some(Err(e)),
            Ok(_) => full(u, text, region).map(Ok),
        }
    }

    /// IDD prefixes to dial out with: the ones regions' metadata holds, and some no region has.
    const IDDS: [&str; 14] = [
        "00", "011", "0011", "010", "001", "002", "009", "000", "810", "0014", "119", "16", "99",
        "0",
    ];

    /// Numbers dialled out of every region with every IDD prefix above (valid, a digit or more
    /// short, too long by a little or by far, with a calling code no country has, a digit or
    /// two after the prefix), and the same digits with a `+` or none: wherever the fast path
    /// answers, the full parser gives the same verdict, parse errors included; and it answers
    /// for most of them.
    #[test]
    fn decides_as_the_parser_on_dialled_out_and_broken_numbers() {
        let u = util();
        let all = regions();
        let (mut answered, mut checked, mut refused) = (0, 0, 0);
        for (i, &from) in all.iter().enumerate() {
            let to = all[(i * 7 + 3) % all.len()];
            let Ok(n) = u.get_example_number_for_type_and_region(to, PhoneNumberType::Mobile)
            else {
                continue;
            };
            let nsn = n.national_number.to_string();
            let cc = n.country_code.to_string();
            let bodies = [
                format!("{cc} {nsn}"),
                format!("{cc} {}", &nsn[..nsn.len() - 1]),
                format!("{cc} {}", &nsn[..nsn.len().min(3)]),
                format!("{cc} {nsn}{}", &nsn[..2]),
                format!("{cc} {nsn}{nsn}"),
                format!("999 {nsn}"),
                format!("28-{nsn}"),
                cc.clone(),
                "7".to_string(),
                format!("({cc}) {nsn}"),
            ];
            for body in &bodies {
                let mut texts: Vec<String> =
                    IDDS.iter().map(|idd| format!("{idd} {body}")).collect();
                texts.push(format!("+{body}"));
                texts.push(body.clone());
                texts.push(
                    u.format_out_of_country_calling_number(&n, from)
                        .into_owned(),
                );
                for text in texts {
                    for region in [Some(from), None] {
                        if let Some(v) = decide(&text, region) {
                            assert_eq!(
                                Some(v.clone()),
                                full_verdict(&u, &text, region),
                                "{text:?} in {region:?}"
                            );
                            answered += 1;
                            refused += usize::from(v.is_err());
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 50_000, "{checked}");
        assert!(answered * 10 > checked * 8, "{answered} of {checked}");
        assert!(refused * 4 > answered, "{refused} of {answered} refused");
    }

    /// The slow mix of the bench (`synth::write_slow_mix_csv`): every mobile, in its row's
    /// region, decided as the parser decides it, and almost all decided here.
    #[test]
    fn decides_as_the_parser_on_the_slow_mix() {
        let u = util();
        let mut data = Vec::new();
        crate::synth::write_slow_mix_csv(&mut data, 20_000, 5).expect("generate");
        let mut rdr = csv::Reader::from_reader(&data[..]);
        let (mut answered, mut checked) = (0, 0);
        for r in rdr.records() {
            let r = r.expect("a record");
            let (text, region) = (&r[3], from_code(&r[5]));
            for region in [region, None] {
                if let Some(v) = decide(text, region) {
                    assert_eq!(
                        Some(v),
                        full_verdict(&u, text, region),
                        "{text:?} in {region:?}"
                    );
                    answered += 1;
                }
                checked += 1;
            }
        }
        assert!(answered * 100 > checked * 95, "{answered} of {checked}");
    }

    fn regions() -> Vec<Region> {
        let mut r: Vec<Region> = util().get_supported_regions().collect();
        r.sort_by_key(|r| r.as_region_str().as_str().to_string());
        r
    }

    /// Runs `check` with the phone library and every region it knows, made once a thread.
    fn with_util(
        check: impl FnOnce(&PhoneNumberUtil, &[Region]) -> Result<(), TestCaseError>,
    ) -> Result<(), TestCaseError> {
        thread_local!(static U: (PhoneNumberUtil, Vec<Region>) = (util(), regions()));
        U.with(|(u, all)| check(u, all))
    }

    /// Where the fast path `fast` answers for `text` in `region`, asserts that the full
    /// parser's answer, `slow`, is the same.
    fn agrees<T: PartialEq + std::fmt::Debug>(
        fast: impl Fn(&str, Option<Region>) -> Option<T>,
        slow: impl Fn(&PhoneNumberUtil, &str, Option<Region>) -> Option<T>,
        u: &PhoneNumberUtil,
        text: &str,
        region: Option<Region>,
    ) -> Result<(), TestCaseError> {
        if let Some(v) = fast(text, region) {
            proptest::prop_assert_eq!(Some(v), slow(u, text, region), "{:?} in {:?}", text, region);
        }
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// Digits after an IDD prefix, a `+` or nothing, too few, too many or a calling code
        /// no country has, in any region or none: where the fast path decides, the parser
        /// decides the same, parse errors included.
        #[test]
        fn decides_as_the_parser(
            idd in proptest::sample::select(vec!["", "+", "00", "011", "0011", "010", "001", "009", "810", "119", "(0", "+0"]),
            body in "[0-9][0-9 ().-]{0,34}[0-9]|[0-9]",
            region in proptest::option::of(0usize..400),
        ) {
            with_util(|u, all| {
                let region = region.map(|i| all[i % all.len()]);
                agrees(decide, full_verdict, u, &format!("{idd}{body}"), region)
            })?;
        }

        /// Any text of the shapes it reads, in any region or none: where the fast path
        /// answers, the full parser gives the same number.
        #[test]
        fn never_disagrees_with_the_parser(
            text in "[+(]?[0-9 ().-]{0,22}",
            region in proptest::option::of(0usize..400),
        ) {
            with_util(|u, all| {
                let region = region.map(|i| all[i % all.len()]);
                agrees(parse, full, u, &text, region)
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
            with_util(|u, all| {
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
                    agrees(parse, full, u, &text, region)?;
                }
                Ok(())
            })?;
        }
    }
}
