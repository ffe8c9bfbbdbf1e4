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
    let mut rng = Rng::new(seed);
    let mut recent: Vec<(usize, u64)> = Vec::with_capacity(1024);
    writeln!(
        out,
        "first_name,last_name,email,mobile,phone,country,company"
    )?;
    for i in 0..rows {
        let first = rng.pick(FIRST);
        let last = rng.pick(LAST);
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
        let email = format!(
            "{}.{}{}@example.com",
            first.to_lowercase(),
            last.to_lowercase().replace('\'', ""),
            i
        );
        writeln!(
            out,
            "{first},{last},{email},{},{phone},{country},\"{last} & Co, Ltd\"",
            csv_quote(&mobile)
        )?;
    }
    Ok(())
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

    #[test]
    fn is_reproducible_and_well_formed() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        write_contacts_csv(&mut a, 200, 7).unwrap();
        write_contacts_csv(&mut b, 200, 7).unwrap();
        assert_eq!(a, b);
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
}
