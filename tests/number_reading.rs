//! How a number is read, through the real binary: a country cell in any language or form
//! gives national numbers their region, a cell that names none is `country_unknown` (never
//! the default region), digits that read two valid ways are `phone_ambiguous` unless
//! `--bare-digits` says how, a row's own international numbers give its national ones a
//! region, and `--bad-secondary drop` keeps a row without its bad secondary value. `import`
//! and `sms` read by the same rules, judged by the sandbox's store and its SMS log.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;

use common::{Harness, Run, Target, read_table, texts};

mod common;

/// One row of the table: the number cell, the country cell, and what `clean --default-region
/// GB` makes of it (E.164, or the rejection code).
struct Case {
    phone: &'static str,
    country: &'static str,
    want: Result<&'static str, &'static str>,
}

const fn case(
    phone: &'static str,
    country: &'static str,
    want: Result<&'static str, &'static str>,
) -> Case {
    Case {
        phone,
        country,
        want,
    }
}

/// The table: the reported reproductions and every country form they use.
const CASES: &[Case] = &[
    // Country names in other languages and forms: national numbers take their region.
    case("090-1234-5678", "日本", Ok("+819012345678")),
    case("06 12 34 56 78", "Frankreich", Ok("+33612345678")),
    case("06 12 34 56 78", "France (FR)", Ok("+33612345678")),
    case("070-123 45 67", "Sverige", Ok("+46701234567")),
    case(
        "07911 123456",
        "Vereinigtes Königreich",
        Ok("+447911123456"),
    ),
    case("0412 345 678", "Australien", Ok("+61412345678")),
    case("612 34 56 78", "Espagne", Ok("+34612345678")),
    case("612 34 56 78", "España", Ok("+34612345678")),
    case("0151 23456789", "Germany (DE)", Ok("+4915123456789")),
    case("0151 23456789", "DEU", Ok("+4915123456789")),
    case("0151 23456789", "Deutschland", Ok("+4915123456789")),
    case("07911 123456", "U.K.", Ok("+447911123456")),
    case("0151 23456789", "+49", Ok("+4915123456789")),
    // A cell that names no region: national numbers are refused, never read in GB.
    case("06 12 34 56 78", "Atlantis", Err("country_unknown")),
    case("06 12 34 56 78", "France (DE)", Err("country_unknown")),
    // International numbers are read as written, whatever the cell.
    case("+33 6 12 34 56 78", "Atlantis", Ok("+33612345678")),
    // Bare digits: two valid readings are a question; one is an answer.
    case("4915123456789", "DE", Err("phone_ambiguous")),
    case("62812345678", "ID", Err("phone_ambiguous")),
    case("14155552671", "US", Ok("+14155552671")),
    case("447911123456", "GB", Ok("+447911123456")),
    // No country at all: the default region.
    case("07911 123457", "", Ok("+447911123457")),
];

/// `bulkline clean INPUT -o DIR/clean.csv --errors DIR/errors.csv --dedupe-by none --json`
/// and `extra` (the table repeats numbers on purpose).
fn clean(h: &Harness, input: &Path, extra: &[&str]) -> Run {
    let out = h
        .command()
        .arg("clean")
        .arg(input)
        .arg("-o")
        .arg(h.path("clean.csv"))
        .arg("--errors")
        .arg(h.path("errors.csv"))
        .args(["--dedupe-by", "none", "--json"])
        .args(extra)
        .output()
        .expect("run bulkline clean");
    Run::from_output(out)
}

/// What became of each row of the last `clean`: its phone (E.164) or its code, by name.
fn outcomes(h: &Harness) -> BTreeMap<String, Result<String, String>> {
    let mut by = BTreeMap::new();
    for r in read_table(&h.path("clean.csv")) {
        by.insert(r["name"].clone(), Ok(r["phone"].clone()));
    }
    for r in read_table(&h.path("errors.csv")) {
        by.insert(r["name"].clone(), Err(r["_code"].clone()));
    }
    by
}

#[test]
fn clean_reads_every_number_by_its_rules_or_says_why() {
    let h = Harness::new(common::config());
    let input = h.path("list.csv");
    let mut w = csv::Writer::from_path(&input).unwrap();
    w.write_record(["name", "phone", "country"]).unwrap();
    for (i, c) in CASES.iter().enumerate() {
        w.write_record([format!("r{i}").as_str(), c.phone, c.country])
            .unwrap();
    }
    w.flush().unwrap();

    let run = clean(&h, &input, &["--default-region", "GB"]);
    run.assert_code(1);
    let got = outcomes(&h);
    for (i, c) in CASES.iter().enumerate() {
        let want = c.want.map(str::to_string).map_err(str::to_string);
        assert_eq!(
            got.get(&format!("r{i}")),
            Some(&want),
            "{} / {:?}\n{run}",
            c.phone,
            c.country
        );
    }
    // The messages quote the cell, and give both readings.
    let errors = read_table(&h.path("errors.csv"));
    let message = |code: &str| {
        errors
            .iter()
            .find(|r| r["_code"] == code)
            .map(|r| r["_message"].clone())
            .unwrap_or_default()
    };
    assert!(message("country_unknown").contains("'Atlantis'"));
    let ambiguous = message("phone_ambiguous");
    assert!(
        ambiguous.contains("+494915123456789") && ambiguous.contains("+4915123456789"),
        "{ambiguous}"
    );
    assert_eq!(run.summary["readings"]["bare_digits_international"], 0);

    // Told how: the bare digits become the international numbers, counted.
    let run = clean(
        &h,
        &input,
        &["--default-region", "GB", "--bare-digits", "international"],
    );
    let got = outcomes(&h);
    let phone_of = |phone: &str| {
        let i = CASES.iter().position(|c| c.phone == phone).unwrap();
        got[&format!("r{i}")].clone()
    };
    assert_eq!(phone_of("4915123456789"), Ok("+4915123456789".into()));
    assert_eq!(phone_of("62812345678"), Ok("+62812345678".into()));
    assert_eq!(
        run.summary["readings"]["bare_digits_international"], 2,
        "{run}"
    );
}

#[test]
fn a_google_row_takes_its_region_from_its_own_international_number() {
    let h = Harness::new(common::config());
    let input = h.path("google.csv");
    std::fs::write(
        &input,
        "Name,Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value\n\
         g,Mobile,+1 415-555-2671,Work,(650) 253-0000\n\
         x,Mobile,+1 415-555-2672,Work,+44 20 7183 8750 ::: (650) 253-0001\n",
    )
    .unwrap();
    let run = clean(&h, &input, &[]);
    run.assert_code(1);
    let rows = read_table(&h.path("clean.csv"));
    assert_eq!(rows.len(), 1, "{run}");
    assert_eq!(rows[0]["Phone 2 - Value"], "+16502530000");
    assert_eq!(run.summary["readings"]["region_from_row"], 1, "{run}");
    // Its international numbers disagree: no region for the national one.
    let errors = read_table(&h.path("errors.csv"));
    assert_eq!(errors[0]["_code"], "phone_no_region");
}

/// A list for `import` and `sms` (no default region): rows 1 to 4 clean (row 4's national
/// work phone read in the region of its +1 mobile), row 5 a bad work phone, row 6 a bare
/// German number that reads two ways, row 7 a national number with an unknown country.
fn write_list(h: &Harness) -> std::path::PathBuf {
    let path = h.path("list.csv");
    let mut text = String::from("First Name,Last Name,Mobile,Work Phone,Country\n");
    text.push_str("Ann,One,+44 7400 100001,,\n");
    text.push_str("Ben,Two,07400 100002,,United Kingdom\n");
    text.push_str("Cleo,Three,06 12 34 56 78,,Frankreich\n");
    text.push_str("Dan,Four,+1 415-555-2671,(650) 253-0000,\n");
    text.push_str("Eve,Five,+44 7400 100005,12,\n");
    text.push_str("Fay,Six,4915123456789,,DE\n");
    text.push_str("Gus,Seven,0612345679,,Atlantis\n");
    std::fs::write(&path, text).expect("write the list");
    path
}

#[test]
fn import_reads_by_the_same_rules_and_drops_only_what_it_is_told_to() {
    let h = Harness::new(common::config());
    let t = Target::VOICE;
    let list = write_list(&h);
    let errors = h.path("errors.csv");
    let cp = h.path("i.checkpoint");
    let run = h.import(
        t,
        &list,
        &cp,
        &[
            "--bad-secondary",
            "drop",
            "--errors",
            errors.to_str().unwrap(),
        ],
    );
    run.assert_code(1);
    // The store (a Zoho Voice contact keeps one number): rows 1 to 5, row 5 without its
    // bad work phone; never rows 6 or 7.
    let mut want = vec![
        "+447400100001",
        "+447400100002",
        "+33612345678",
        "+14155552671",
        "+447400100005",
    ];
    want.sort();
    assert_eq!(h.mobiles(t), want, "{run}");
    let codes: Vec<(String, String)> = read_table(&errors)
        .iter()
        .map(|r| (r["_row"].clone(), r["_code"].clone()))
        .collect();
    assert_eq!(
        codes,
        [
            ("6".to_string(), "phone_ambiguous".to_string()),
            ("7".to_string(), "country_unknown".to_string())
        ]
    );
    // The dropped value is listed beside the error report, and counted.
    let warnings = read_table(&h.path("errors.csv").with_file_name("warnings.csv"));
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        (
            warnings[0]["_row"].as_str(),
            warnings[0]["_field"].as_str(),
            warnings[0]["_value"].as_str(),
            warnings[0]["_code"].as_str()
        ),
        ("5", "Work Phone", "12", "phone_invalid")
    );
    assert_eq!(run.summary["readings"]["dropped_values"], 1, "{run}");
    // Rows 4 and 5: their national numbers read in the region of their +1 / +44 mobiles.
    assert_eq!(run.summary["readings"]["region_from_row"], 2, "{run}");
    assert!(run.summary["warnings"].as_str().is_some(), "{run}");
    // The journal remembers how the rows were read: a resume that reads them another way
    // is refused, and the store is left as it was.
    let again = h.import(t, &list, &cp, &["--errors", errors.to_str().unwrap()]);
    again.assert_code(2);
    assert!(again.stderr.contains("bad_secondary"), "{again}");
    assert_eq!(h.mobiles(t), want);
}

#[test]
fn sms_never_texts_a_number_read_from_an_ambiguous_or_unknown_cell() {
    let h = Harness::new(common::config());
    let list = write_list(&h);
    let errors = h.path("sms-errors.csv");
    let out = h
        .api_command()
        .arg("sms")
        .arg(&list)
        .args(["--message", "Spring sale", "--rate", "200/s", "--json"])
        .arg("--checkpoint")
        .arg(h.path("s.checkpoint"))
        .arg("--errors")
        .arg(&errors)
        .args(h.url_args())
        .stdin(Stdio::null())
        .output()
        .expect("run bulkline sms");
    let run = Run::from_output(out);
    run.assert_code(1);
    let texted = texts(&h);
    let mut want: Vec<&str> = vec![
        "+447400100001",
        "+447400100002",
        "+33612345678",
        "+14155552671",
    ];
    want.sort();
    assert_eq!(texted.keys().collect::<Vec<_>>(), want, "{run}");
    assert!(texted.values().all(|&n| n == 1), "{texted:?}");
    let codes: Vec<String> = read_table(&errors)
        .iter()
        .map(|r| r["_code"].clone())
        .collect();
    assert_eq!(
        codes,
        ["phone_invalid", "phone_ambiguous", "country_unknown"],
        "{run}"
    );
}

mod generated {
    //! For generated valid numbers of the 60 regions whose numbers are most common, written
    //! in the region's national format with the region's name in any language CLDR has in
    //! the country cell, `clean` gives the original E.164.

    use super::*;
    use bulkline::region::{self, COMMON_REGIONS, Region};
    use proptest::prelude::*;
    use rlibphonenumber::{PHONE_NUMBER_UTIL, PhoneNumberFormat, PhoneNumberType};

    /// A valid number of `region` near its example mobile (or fixed line) number.
    fn number_near(
        region: Region,
        mobile: bool,
        salt: u64,
    ) -> Option<rlibphonenumber::PhoneNumber> {
        let kind = if mobile {
            PhoneNumberType::Mobile
        } else {
            PhoneNumberType::FixedLine
        };
        let example = PHONE_NUMBER_UTIL
            .get_example_number_for_type_and_region(region, kind)
            .ok()?;
        // Vary the last three digits; keep the example when the variation is not valid.
        let mut n = example.clone();
        n.national_number = example.national_number - example.national_number % 1000 + salt % 1000;
        Some(if PHONE_NUMBER_UTIL.is_valid_number(&n) {
            n
        } else {
            example
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        #[test]
        fn national_numbers_with_a_country_name_in_any_language_keep_their_number(
            rows in proptest::collection::vec((0..60usize, any::<bool>(), any::<u64>(), any::<prop::sample::Index>()), 40)
        ) {
            let h = Harness::new(common::config());
            let input = h.path("generated.csv");
            let mut w = csv::Writer::from_path(&input).unwrap();
            w.write_record(["name", "phone", "country"]).unwrap();
            let mut want = BTreeMap::new();
            for (i, (r, mobile, salt, pick)) in rows.iter().enumerate() {
                let region = region::from_code(COMMON_REGIONS[*r]).expect("a region with metadata");
                let Some(number) = number_near(region, *mobile, *salt) else { continue };
                let names = region::names_of(region);
                prop_assert!(!names.is_empty(), "{:?} has no names", region);
                let name = names[pick.index(names.len())];
                let national = number.format_as(PhoneNumberFormat::National).into_owned();
                let e164 = number.format_as(PhoneNumberFormat::E164).into_owned();
                w.write_record([format!("r{i}").as_str(), &national, name]).unwrap();
                want.insert(format!("r{i}"), (e164, national, name));
            }
            w.flush().unwrap();
            let run = clean(&h, &input, &["--default-region", "GB"]);
            let got = outcomes(&h);
            for (row, (e164, national, name)) in &want {
                prop_assert_eq!(
                    got.get(row),
                    Some(&Ok(e164.clone())),
                    "{} / {} ({}): {}",
                    national,
                    name,
                    e164,
                    run
                );
            }
        }
    }
}
