//! Synthetic contact exports for benchmarks and tests: realistic mixes of international,
//! national-format, invalid and duplicate numbers, reproducible from a seed.

use std::io::{self, Write};

use rlibphonenumber::{PHONE_NUMBER_UTIL, PhoneNumberFormat, PhoneNumberType};

use crate::region::Region;

/// The regions numbers are drawn from.
pub const REGIONS: &[&str] = &[
    "US", "GB", "DE", "FR", "IN", "BR", "AU", "JP", "MX", "ES", "IT", "NL", "RU", "ZA", "NG", "CA",
    "SE", "PL", "TR", "ID",
];

const FIRST: &[&str] = &[
    "Ana", "Ben", "Chloé", "Dmitri", "Emma", "Farid", "Grace", "Hiro", "Ines", "João", "Kofi",
    "Lena", "Mateo", "Nia", "Olga", "Priya", "Quinn", "Raúl", "Sofia", "Tomás",
];
const LAST: &[&str] = &[
    "Smith",
    "Müller",
    "Dubois",
    "Rossi",
    "García",
    "Kowalski",
    "Tanaka",
    "Silva",
    "Okafor",
    "Ivanova",
    "Jansen",
    "Nguyen",
    "Kumar",
    "O'Brien",
    "Andersson",
    "Yilmaz",
];

/// A small, fast, reproducible random number generator (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Per region: its code, and an example mobile and fixed-line number.
fn seeds() -> Vec<(&'static str, Region, u64, u64)> {
    REGIONS
        .iter()
        .filter_map(|code| {
            let region: Region = code.parse().ok()?;
            let mobile = PHONE_NUMBER_UTIL
                .get_example_number_for_type_and_region(region, PhoneNumberType::Mobile)
                .ok()?;
            let fixed = PHONE_NUMBER_UTIL
                .get_example_number_for_type_and_region(region, PhoneNumberType::FixedLine)
                .ok()?;
            Some((*code, region, mobile.national_number, fixed.national_number))
        })
        .collect()
}

/// Writes a CSV contact export of `rows` rows: `first_name,last_name,email,mobile,phone,country,company`.
///
/// About 85% of mobiles are valid numbers in E.164, international or national format (the
/// national ones with their country in the `country` column), 5% repeat an earlier number in
/// another format, 5% are too short to be valid, and the rest are written without a region.
pub fn write_contacts_csv(out: &mut impl Write, rows: u64, seed: u64) -> io::Result<()> {
    let seeds = seeds();
    let mut recent: Vec<(usize, u64)> = Vec::with_capacity(1024);
    write_export(out, rows, seed, |rng, i| {
        let roll = rng.below(100);
        let (si, national) = if roll < 5 && !recent.is_empty() {
            *rng.pick(&recent)
        } else {
            let si = rng.below(seeds.len() as u64) as usize;
            let base = seeds[si].2;
            // Vary the last six digits of the example number: mostly stays in a valid range.
            (si, base - base % 1_000_000 + rng.below(1_000_000))
        };
        if recent.len() < 1024 {
            recent.push((si, national));
        } else {
            recent[(i % 1024) as usize] = (si, national);
        }
        let (code, region, _, fixed) = seeds[si];
        let mut number = rlibphonenumber::PhoneNumber {
            country_code: PHONE_NUMBER_UTIL
                .get_country_code_for_region(region)
                .unwrap_or(1),
            national_number: national,
            ..Default::default()
        };
        if matches!(code, "IT") {
            number.italian_leading_zero = Some(false);
        }
        let (mobile, country) = match rng.below(20) {
            0 => (format!("{}", national / 1000), code.to_string()), // too short: invalid
            1..=6 => (
                number.format_as(PhoneNumberFormat::E164).into_owned(),
                String::new(),
            ),
            7..=12 => (
                number
                    .format_as(PhoneNumberFormat::International)
                    .into_owned(),
                String::new(),
            ),
            _ => (
                number.format_as(PhoneNumberFormat::National).into_owned(),
                code.to_string(),
            ),
        };
        let phone = if rng.below(4) == 0 {
            let mut f = number.clone();
            f.national_number = fixed;
            f.format_as(PhoneNumberFormat::E164).into_owned()
        } else {
            String::new()
        };
        (mobile, phone, country)
    })
}

/// The 40 regions of [`write_slow_mix_csv`]: [`REGIONS`] and 20 more, with every kind of
/// international (IDD) prefix (`00`, `011`, `0011`, `010`, `001`, `009`, `000`, `810`, ...).
pub const MIX_REGIONS: &[&str] = &[
    "US", "GB", "DE", "FR", "IN", "BR", "AU", "JP", "MX", "ES", "IT", "NL", "RU", "ZA", "NG", "CA",
    "SE", "PL", "TR", "ID", "CN", "KR", "AR", "CO", "CL", "PE", "EG", "SA", "AE", "IL", "CH", "AT",
    "BE", "PT", "IE", "NZ", "SG", "TH", "KE", "UA",
];

/// International (IDD) prefixes people dial, tried in this order for each region: the first
/// one the region's metadata reads as its IDD is the one its numbers are dialled out with.
const IDD_CANDIDATES: &[&str] = &[
    "00", "011", "0011", "010", "001", "009", "000", "810", "005", "008", "0014", "0021", "119",
];

/// Codes no country has (libphonenumber knows none of them).
const UNKNOWN_CODES: &[&str] = &["999", "888", "801", "28", "690", "835", "210", "375"];

/// One region of the mix: its code, calling code, IDD prefix, and example numbers.
struct MixRegion {
    code: &'static str,
    calling_code: i32,
    idd: &'static str,
    examples: [rlibphonenumber::PhoneNumber; 2],
}

fn mix_regions() -> Vec<MixRegion> {
    MIX_REGIONS
        .iter()
        .filter_map(|code| {
            let region: Region = code.parse().ok()?;
            let example = |t| {
                PHONE_NUMBER_UTIL
                    .get_example_number_for_type_and_region(region, t)
                    .ok()
            };
            let mobile = example(PhoneNumberType::Mobile)?;
            let fixed = example(PhoneNumberType::FixedLine)?;
            Some(MixRegion {
                code,
                calling_code: mobile.country_code,
                idd: idd_of(region)?,
                examples: [mobile, fixed],
            })
        })
        .collect()
}

/// The first of [`IDD_CANDIDATES`] the parser strips as `region`'s international prefix.
fn idd_of(region: Region) -> Option<&'static str> {
    IDD_CANDIDATES.iter().copied().find(|idd| {
        PHONE_NUMBER_UTIL
            .parse(format!("{idd}442071838750"), Some(region))
            .is_ok_and(|n| n.country_code == 44 && n.national_number == 2_071_838_750)
    })
}

/// What is wrong with a number of the mix, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flaw {
    None,
    /// 1 to 4 digits missing.
    TooShort,
    /// 1 to 4 digits too many.
    TooLong,
    /// 6 to 12 digits too many: more than any national number has.
    FarTooLong,
    /// Only a digit or two after the calling code.
    Stub,
    /// A calling code no country has.
    UnknownCode,
    /// The right length, in no range of the plan (its first digits changed).
    OutOfRange,
}

const FLAWS: [Flaw; 6] = [
    Flaw::TooShort,
    Flaw::TooLong,
    Flaw::FarTooLong,
    Flaw::Stub,
    Flaw::UnknownCode,
    Flaw::OutOfRange,
];

/// How a number of the mix is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    E164,
    International,
    /// With the national (trunk) prefix where the region has one.
    National,
    /// With the IDD prefix of the row's region.
    DialledOut,
    /// Digits only: a spreadsheet dropped the `+`.
    Bare,
}

/// Writes a CSV contact export of `rows` rows (the columns of [`write_contacts_csv`]) made to
/// miss the fast path of a plain file: 40 regions ([`MIX_REGIONS`]), every row with its
/// country; half the mobiles invalid (too short, too long, far too long, a digit after the
/// calling code, an unknown calling code, out of range), a tenth dialled out of the row's
/// country with its international (IDD) prefix (`00`, `011`, `0011`, `010`, ...), the rest in
/// E.164, international or national format (with the trunk prefix), a few as bare digits; the
/// digits grouped by spaces, hyphens, dots, parentheses or nothing.
pub fn write_slow_mix_csv(out: &mut impl Write, rows: u64, seed: u64) -> io::Result<()> {
    let regions = mix_regions();
    write_export(out, rows, seed, |rng, _| {
        let row = rng.pick(&regions);
        let written = match rng.below(100) {
            0..10 => Written::DialledOut,
            10..30 => Written::E164,
            30..55 => Written::International,
            55..98 => Written::National,
            _ => Written::Bare,
        };
        // A dialled-out number is another country's.
        let own = match written {
            Written::DialledOut => loop {
                let r = rng.pick(&regions);
                if r.calling_code != row.calling_code {
                    break r;
                }
            },
            _ => row,
        };
        // Some flawed numbers are still valid (a plan with numbers of several lengths): a few
        // more than half are flawed, for half invalid.
        let flaw = if rng.below(100) < 43 {
            Flaw::None
        } else {
            *rng.pick(&FLAWS)
        };
        let mobile = mix_number(rng, own, row, written, flaw);
        let phone = if rng.below(4) == 0 {
            mix_number(rng, row, row, Written::E164, Flaw::None)
        } else {
            String::new()
        };
        (mobile, phone, row.code.to_string())
    })
}

/// A number of `own`'s, written as `written` says by someone in `row`'s country, with `flaw`.
fn mix_number(
    rng: &mut Rng,
    own: &MixRegion,
    row: &MixRegion,
    written: Written,
    flaw: Flaw,
) -> String {
    let number = valid_number(rng, own);
    let mut national = number.national_number.to_string();
    match flaw {
        Flaw::None | Flaw::UnknownCode => {}
        Flaw::TooShort => {
            let drop = 1 + rng.below(4) as usize;
            national.truncate(national.len().saturating_sub(drop).max(3));
        }
        Flaw::TooLong => {
            let count = 1 + rng.below(4);
            push_digits(rng, &mut national, count);
        }
        Flaw::FarTooLong => {
            let count = 6 + rng.below(7);
            push_digits(rng, &mut national, count);
        }
        Flaw::Stub => national.truncate(1 + rng.below(2) as usize),
        Flaw::OutOfRange => {
            let mut b = national.into_bytes();
            b[0] = b'1' + (b[0] - b'0' + 1 + rng.below(7) as u8) % 9;
            national = String::from_utf8(b).unwrap_or_default();
        }
    }
    let code = if flaw == Flaw::UnknownCode {
        rng.pick(UNKNOWN_CODES).to_string()
    } else {
        number.country_code.to_string()
    };
    let formatted = |format| {
        let mut n = number.clone();
        n.national_number = national.parse().unwrap_or(n.national_number);
        n.italian_leading_zero = number.italian_leading_zero;
        // The library formats the digits of its calling code; an unknown one is put in.
        let text = n.format_as(format).into_owned();
        if flaw == Flaw::UnknownCode {
            text.replacen(&number.country_code.to_string(), &code, 1)
        } else {
            text
        }
    };
    let text = match written {
        Written::E164 => format!("+{code}{}", leading_zero(&number) + &national),
        Written::Bare => format!("{code}{}", leading_zero(&number) + &national),
        Written::International => formatted(PhoneNumberFormat::International),
        Written::National if flaw == Flaw::UnknownCode => {
            formatted(PhoneNumberFormat::International)
        }
        Written::National => formatted(PhoneNumberFormat::National),
        Written::DialledOut => {
            let international = formatted(PhoneNumberFormat::International);
            format!("{}{}", row.idd, &international[1..])
        }
    };
    regroup(rng, &text)
}

/// A valid number of `region`: one of its examples with the last six digits changed.
fn valid_number(rng: &mut Rng, region: &MixRegion) -> rlibphonenumber::PhoneNumber {
    let number = rng.pick(&region.examples).clone();
    let base = number.national_number;
    for _ in 0..8 {
        let mut n = number.clone();
        n.national_number = base - base % 1_000_000 + rng.below(1_000_000);
        if PHONE_NUMBER_UTIL.is_valid_number(&n) {
            return n;
        }
    }
    number
}

/// The `0` an Italian fixed-line number keeps after its calling code.
fn leading_zero(number: &rlibphonenumber::PhoneNumber) -> String {
    if number.italian_leading_zero == Some(true) {
        "0".into()
    } else {
        String::new()
    }
}

fn push_digits(rng: &mut Rng, digits: &mut String, count: u64) {
    for _ in 0..count {
        digits.push(char::from(b'0' + rng.below(10) as u8));
    }
}

/// `text` with its groups of digits separated the way people write them: spaces as the
/// library puts them, hyphens, dots, no separator, or the first group in parentheses.
fn regroup(rng: &mut Rng, text: &str) -> String {
    match rng.below(6) {
        0 | 1 => text.to_string(),
        2 => text.replace(' ', "-"),
        3 => text.replace(' ', "."),
        4 => text.replace(' ', ""),
        _ => match text.split_once(' ') {
            Some((head, tail)) if !head.starts_with('+') => format!("({head}) {tail}"),
            Some((head, tail)) => match tail.split_once(' ') {
                Some((area, rest)) => format!("{head} ({area}) {rest}"),
                None => text.to_string(),
            },
            None => text.to_string(),
        },
    }
}

/// Writes the header and `rows` rows of a contact export from `seed`: each row's names, then
/// its mobile, phone and country from `numbers` (given the generator and the row's index).
fn write_export(
    out: &mut impl Write,
    rows: u64,
    seed: u64,
    mut numbers: impl FnMut(&mut Rng, u64) -> (String, String, String),
) -> io::Result<()> {
    let mut rng = Rng::new(seed);
    writeln!(
        out,
        "first_name,last_name,email,mobile,phone,country,company"
    )?;
    for i in 0..rows {
        let first = rng.pick(FIRST);
        let last = rng.pick(LAST);
        let (mobile, phone, country) = numbers(&mut rng, i);
        write_row(out, first, last, i, &mobile, &phone, &country)?;
    }
    Ok(())
}

/// One row of a generated file: names, an e-mail made of them and the row number, the mobile
/// (quoted when it needs it), the phone, the country and the company.
fn write_row(
    out: &mut impl Write,
    first: &str,
    last: &str,
    i: u64,
    mobile: &str,
    phone: &str,
    country: &str,
) -> io::Result<()> {
    let email = format!(
        "{}.{}{}@example.com",
        first.to_lowercase(),
        last.to_lowercase().replace('\'', ""),
        i
    );
    writeln!(
        out,
        "{first},{last},{email},{},{phone},{country},\"{last} & Co, Ltd\"",
        csv_quote(mobile)
    )
}

fn csv_quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `write` makes of `rows` rows from `seed`, checked to be the same on a second run.
    fn reproducible(
        write: fn(&mut Vec<u8>, u64, u64) -> io::Result<()>,
        rows: u64,
        seed: u64,
    ) -> Vec<u8> {
        let mut a = Vec::new();
        let mut b = Vec::new();
        write(&mut a, rows, seed).unwrap();
        write(&mut b, rows, seed).unwrap();
        assert_eq!(a, b, "the same seed writes the same file");
        a
    }

    #[test]
    fn is_reproducible_and_well_formed() {
        let a = reproducible(write_contacts_csv, 200, 7);
        let mut rdr = csv::Reader::from_reader(&a[..]);
        let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 200);
        assert!(rows.iter().all(|r| r.len() == 7));
        // Most numbers are valid.
        let valid = rows
            .iter()
            .filter(|r| {
                let region = crate::region::from_code(&r[5]);
                crate::phone::normalize(&r[3], region).is_ok()
            })
            .count();
        assert!(valid > 150, "{valid} valid of 200");
    }

    #[test]
    fn the_slow_mix_is_reproducible_and_as_described() {
        let a = reproducible(write_slow_mix_csv, 4000, 11);
        assert_eq!(
            mix_regions().len(),
            40,
            "every region has examples and an IDD"
        );
        let mut rdr = csv::Reader::from_reader(&a[..]);
        let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 4000);
        assert!(rows.iter().all(|r| r.len() == 7));
        let mut valid = 0;
        let mut dialled_out = 0;
        for r in &rows {
            let region = crate::region::from_code(&r[5]);
            let mobile = &r[3];
            valid += usize::from(crate::phone::normalize(mobile, region).is_ok());
            let digits: String = mobile.chars().filter(char::is_ascii_digit).collect();
            let idd = region
                .and_then(idd_of)
                .expect("every row's country has an IDD");
            dialled_out += usize::from(!mobile.starts_with('+') && digits.starts_with(idd));
        }
        // Half valid, half invalid; a tenth dialled out (and a few national numbers that
        // start with the IDD's digits).
        assert!((1800..2200).contains(&valid), "{valid} valid of 4000");
        assert!(
            (350..600).contains(&dialled_out),
            "{dialled_out} dialled out of 4000"
        );
    }
}
