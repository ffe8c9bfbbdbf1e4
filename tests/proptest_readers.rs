//! Property tests against the library: readers, phone normalization, region parsing, header
//! normalization and the row transform never panic on arbitrary input, and keep their promises
//! when they succeed.

use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Once};

use bulkline::mapping::{self, MappingSpec, Roles};
use bulkline::phone;
use bulkline::region::{self, Region};
use bulkline::reject::{Code, Stage};
use bulkline::source::json::Flattener;
use bulkline::source::{self, Encoding, Format, RawRow, Schema, SourceOptions, Values};
use bulkline::transform::{self, TransformOptions, Verdict};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use rlibphonenumber::{PHONE_NUMBER_UTIL, PhoneNumberFormat, PhoneNumberType};

/// `n` cases, unless `PROPTEST_CASES` asks for another number (for a deeper run:
/// `PROPTEST_CASES=100000 cargo test --release --test proptest_readers`).
fn cases(n: u32) -> ProptestConfig {
    // Failures are not saved to files beside the tests: the bugs found are plain tests below.
    let config = ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_some() {
        config
    } else {
        ProptestConfig { cases: n, ..config }
    }
}

// ---------------------------------------------------------------------------------------------
// Panics on other threads
// ---------------------------------------------------------------------------------------------

/// Panics seen on threads other than the test's own (the JSON array reader parses on a thread
/// of its own: a panic there would otherwise look like a short file).
static BACKGROUND_PANICS: AtomicUsize = AtomicUsize::new(0);

fn watch_background_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some("json-reader") {
                BACKGROUND_PANICS.fetch_add(1, Ordering::SeqCst);
            }
            previous(info);
        }));
    });
}

// ---------------------------------------------------------------------------------------------
// Readers
// ---------------------------------------------------------------------------------------------

/// Pieces that make readers work hard: quotes, delimiters, line ends, brackets, BOMs, NULs,
/// stray UTF-8 lead and continuation bytes, Windows-1252 bytes, UTF-16 halves.
fn token() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        select(vec![
            &b"\""[..],
            b",",
            b";",
            b"\t",
            b"|",
            b"\n",
            b"\r\n",
            b"\r",
            b"{",
            b"}",
            b"[",
            b"]",
            b":",
            b"\"phone\"",
            b"\"+14155552671\"",
            b"null",
            b"1e999",
            b"-0",
            b"\\u0000",
            b"\\ud800",
            b"\\",
            b"\0",
            b"\xEF\xBB\xBF",
            b"\xFF\xFE",
            b"\xFE\xFF",
            b"\xE9",
            b"\xC3",
            b"\xC3\xA9",
            b"\x80",
            b"\xF0\x9F\x98",
            b"\xF0\x9F\x98\x80",
            b"\xED\xA0\x80",
            b"name",
            b"phone",
            b"+1 415 555 2671",
            b" ",
        ])
        .prop_map(<[u8]>::to_vec),
        vec(any::<u8>(), 0..8),
        "[a-zA-Z0-9 +()-]{0,12}".prop_map(String::into_bytes),
    ]
}

/// Good inputs of each format, to be mutated.
fn seed() -> impl Strategy<Value = Vec<u8>> {
    select(vec![
        &b"name,phone\nAnn,+14155552671\n\"Doe, Jo\",\"+1 415\n555 2672\"\n"[..],
        b"name;phone;email\nAnn;+14155552671;a@b.co\nBob;02071838750;\n",
        b"name\tphone\nAnn\t+14155552671\n",
        b"\xEF\xBB\xBFname|phone\nZo\xC3\xAB|+14155552671\n",
        b"name,phone\nJos\xE9,+14155552671\n",
        b"\xFF\xFEn\0a\0m\0e\0,\0p\0h\0o\0n\0e\0\n\0A\0,\x001\0\n\0",
        b"\xFE\xFF\0n\0a\0m\0e\0,\0p\0h\0o\0n\0e\0\n\0A\0,\x001\0\n",
        b"n\0a\0m\0e\0,\0p\0h\0o\0n\0e\0\n\0A\0,\x001\0\n\0",
        br#"[{"name":"Ann","phone":"+14155552671"},{"phones":[{"type":"mobile","value":"07911 123456"}],"address":{"country":"GB"}},7,null,[1,[2]]]"#,
        b"{\"name\":\"Ann\",\"phone\":\"+14155552671\"}\n{\"a\":{\"b\":{\"c\":[1,2,{\"d\":true}]}}}\nnot json\n\n",
        b"[]",
        b"{}",
        include_bytes!("../samples/contacts.xlsx"),
        // Old Mac line ends (a CR alone), a company's card, a NUL in a value.
        b"BEGIN:VCARD\rVERSION:3.0\rN:;;;;\rFN:Acme\rORG:Acme\rX-ABShowAs:COMPANY\rTEL;WORK:+14155552671\rNOTE:a\r b\0\rEND:VCARD\rBEGIN:VCARD\r\nFN:Ann\nEND:VCARD\r",
        b"name,phone\nA\0nn,+14155552671\nBob,+14155552672\0\n",
        b"{\"name\":\"A\0\",\"phone\":\"+14155552671\"}\n{\"name\":\"B\\u0000\"}\n",
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BC=\r\nller;J\r\nTEL;CELL:+14155552671\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ann\r\nTEL;VALUE=uri;TYPE=\"cell,voice\":tel:+1-415-555-2672\r\n ext=1\r\nEND:VCARD\r\n",
    ])
    .prop_map(<[u8]>::to_vec)
}

/// Arbitrary bytes, token soup, and good files with some bytes overwritten, inserted or cut.
fn input_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 0..2048),
        vec(token(), 0..200).prop_map(|t| t.concat()),
        (
            seed(),
            vec((any::<prop::sample::Index>(), token(), 0usize..4), 0..12),
            any::<prop::sample::Index>(),
        )
            .prop_map(|(mut bytes, edits, cut)| {
                for (at, tok, how) in edits {
                    let i = at.index(bytes.len() + 1);
                    match how {
                        0 => {
                            let end = (i + tok.len()).min(bytes.len());
                            bytes.splice(i..end, tok);
                        }
                        1 => {
                            let end = (i + tok.len()).min(bytes.len());
                            bytes.drain(i..end);
                        }
                        _ => {
                            bytes.splice(i..i, tok);
                        }
                    }
                }
                if cut.index(4) == 0 {
                    let n = cut.index(bytes.len() + 1);
                    bytes.truncate(n);
                }
                bytes
            }),
    ]
}

fn format_opt() -> impl Strategy<Value = Option<Format>> {
    select(vec![
        None,
        Some(Format::Csv),
        Some(Format::Json),
        Some(Format::Jsonl),
        Some(Format::Spreadsheet),
        Some(Format::Vcard),
    ])
}

fn encoding_opt() -> impl Strategy<Value = Option<Encoding>> {
    select(vec![
        None,
        Some("utf-8"),
        Some("utf-16le"),
        Some("utf-16be"),
        Some("windows-1252"),
        Some("latin1"),
        Some("iso-8859-15"),
        Some("shift_jis"),
        Some("gb18030"),
        Some("x-user-defined"),
    ])
    .prop_map(|label| label.map(|l| Encoding::from_label(l).expect("a known label")))
}

fn delimiter_opt() -> impl Strategy<Value = Option<u8>> {
    prop_oneof![
        4 => Just(None),
        2 => select(vec![b',', b';', b'\t', b'|']).prop_map(Some),
        // The command line takes any one ASCII character.
        1 => (0u8..128).prop_map(Some),
    ]
}

fn file_name() -> impl Strategy<Value = &'static str> {
    select(vec![
        "-", "input", "in.csv", "in.tsv", "in.json", "in.jsonl", "in.dat", "in.xlsx", "in.ods",
        "in.vcf",
    ])
}

/// Opens and drains a source, checking what every reader promises about its rows.
fn drain(
    name: &str,
    bytes: Vec<u8>,
    opts: &SourceOptions,
    max: usize,
) -> Result<(), TestCaseError> {
    let before = BACKGROUND_PANICS.load(Ordering::SeqCst);
    let opened = source::open_reader(name, Box::new(Cursor::new(bytes)), opts);
    let mut src = match opened {
        Ok(s) => s,
        Err(e) => {
            prop_assert!(!e.to_string().is_empty());
            return Ok(());
        }
    };
    let info = src.info().clone();
    prop_assert!(!info.encoding.is_empty());
    prop_assert_eq!(info.delimiter.is_some(), info.format == Format::Csv);
    let mut last_row = 0u64;
    let mut batches = 0usize;
    loop {
        batches += 1;
        // 2 KB of input cannot hold more rows than this: more batches means a reader that loops.
        prop_assert!(batches < 20_000, "the reader does not come to an end");
        let batch = match src.next_batch(max) {
            Ok(Some(b)) => b,
            Ok(None) => break,
            Err(e) => {
                prop_assert!(!e.to_string().is_empty());
                break;
            }
        };
        prop_assert!(!batch.rows.is_empty(), "an empty batch instead of None");
        prop_assert!(batch.rows.len() <= max);
        let width = batch.schema.columns.len();
        for row in &batch.rows {
            prop_assert!(
                row.row > last_row,
                "row numbers go up: {} after {}",
                row.row,
                last_row
            );
            last_row = row.row;
            if let Some(p) = &row.problem {
                prop_assert_eq!(p.stage, Stage::Read);
                if p.code == Code::EncodingInvalid && info.format != Format::Vcard {
                    // Only UTF-8 is passed through undecoded; other encodings always decode
                    // (a vCard's quoted-printable values name a charset of their own).
                    prop_assert_eq!(info.encoding.as_str(), "UTF-8");
                }
                prop_assert!(matches!(
                    p.code,
                    Code::EncodingInvalid
                        | Code::RowRagged
                        | Code::TooLong
                        | Code::JsonInvalid
                        | Code::JsonNotObject
                        | Code::CellInvalid
                ));
            }
            match &row.values {
                Values::Csv(r) => {
                    prop_assert!(info.format.is_tabular());
                    prop_assert_eq!(r.len(), width, "CSV rows are fitted to the header");
                }
                Values::Json { cells, .. } => {
                    prop_assert!(!info.format.is_tabular());
                    prop_assert!(cells.len() <= width);
                }
            }
            for i in 0..width + 1 {
                let _ = row.values.text(i);
                let _ = row.values.items(i);
            }
            let _ = row.values.all_empty();
        }
    }
    drop(src);
    prop_assert_eq!(
        BACKGROUND_PANICS.load(Ordering::SeqCst),
        before,
        "a reader thread panicked"
    );
    Ok(())
}

proptest! {
    #![proptest_config(cases(256))]

    /// Any bytes, any format, any encoding: rows or an error, never a panic.
    #[test]
    fn readers_never_panic(
        bytes in input_bytes(),
        name in file_name(),
        format in format_opt(),
        encoding in encoding_opt(),
        delimiter in delimiter_opt(),
        max in 1usize..40,
    ) {
        watch_background_panics();
        let opts = SourceOptions { format, encoding, delimiter, ..SourceOptions::default() };
        drain(name, bytes, &opts, max)?;
    }

    /// The same bytes through each of the formats in turn, auto-detected encoding.
    #[test]
    fn every_format_reads_any_bytes(bytes in input_bytes(), max in 1usize..40) {
        watch_background_panics();
        for format in [
            None,
            Some(Format::Csv),
            Some(Format::Json),
            Some(Format::Jsonl),
            Some(Format::Spreadsheet),
            Some(Format::Vcard),
        ] {
            let opts = SourceOptions { format, ..SourceOptions::default() };
            drain("input", bytes.clone(), &opts, max)?;
        }
    }

    /// The same bytes through each forced encoding, as CSV.
    #[test]
    fn every_encoding_reads_any_bytes(bytes in input_bytes()) {
        watch_background_panics();
        for label in ["utf-8", "utf-16le", "utf-16be", "windows-1252", "iso-8859-15", "shift_jis"] {
            let opts = SourceOptions {
                encoding: Encoding::from_label(label),
                ..SourceOptions::default()
            };
            drain("in.csv", bytes.clone(), &opts, 7)?;
        }
    }

    /// Detection and sniffing alone.
    #[test]
    fn detection_never_panics(bytes in input_bytes()) {
        let enc = Encoding::detect(&bytes);
        let text = enc.decode_sample(&bytes);
        let _ = Format::sniff(text.as_bytes());
        let d = source::detect_delimiter(text.as_bytes());
        prop_assert!(source::csv::DELIMITERS.contains(&d));
    }
}

// ---------------------------------------------------------------------------------------------
// Phones
// ---------------------------------------------------------------------------------------------

/// `^\+[1-9][0-9]{6,14}$`
fn is_e164(s: &str) -> bool {
    let b = s.as_bytes();
    (8..=16).contains(&b.len())
        && b[0] == b'+'
        && (b'1'..=b'9').contains(&b[1])
        && b[2..].iter().all(u8::is_ascii_digit)
}

/// Example numbers of every region and line type: (region, E.164, national format).
static EXAMPLES: LazyLock<Vec<(Region, String, String)>> = LazyLock::new(|| {
    let mut out = Vec::new();
    let mut regions: Vec<Region> = PHONE_NUMBER_UTIL.get_supported_regions().collect();
    regions.sort_by_key(|r| format!("{r:?}"));
    for r in regions {
        for t in [
            PhoneNumberType::Mobile,
            PhoneNumberType::FixedLine,
            PhoneNumberType::TollFree,
            PhoneNumberType::VoIP,
        ] {
            if let Ok(n) = PHONE_NUMBER_UTIL.get_example_number_for_type_and_region(r, t) {
                let e164 = PHONE_NUMBER_UTIL
                    .format(&n, PhoneNumberFormat::E164)
                    .to_string();
                let national = PHONE_NUMBER_UTIL
                    .format(&n, PhoneNumberFormat::National)
                    .to_string();
                out.push((r, e164, national));
            }
        }
    }
    assert!(out.len() > 200, "example numbers: {}", out.len());
    out
});

fn any_region() -> impl Strategy<Value = Option<Region>> {
    prop_oneof![
        1 => Just(None),
        3 => any::<prop::sample::Index>().prop_map(|i| Some(EXAMPLES[i.index(EXAMPLES.len())].0)),
    ]
}

/// Digits in other scripts, and characters libphonenumber treats specially.
fn phone_char() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[0-9]".prop_map(|s| s),
        2 => select(vec![" ", "-", ".", "(", ")", "/", "+", "x", "ext.", "#", "*", ";ext=", "tel:", ",", "~"])
            .prop_map(String::from),
        1 => select(vec!["０", "９", "٣", "۵", "१", "๔", "A", "Z", "\u{00A0}", "\u{2011}", "\u{FF0B}", "\u{202E}", "é", "\0"])
            .prop_map(String::from),
        1 => any::<char>().prop_map(String::from),
    ]
}

/// Text that looks like a phone number, some of it valid: example numbers with their last
/// digits changed and their formatting shuffled, national or international.
fn phone_text() -> impl Strategy<Value = (String, Option<Region>)> {
    let example = (
        any::<prop::sample::Index>(),
        any::<bool>(),
        vec(0u8..10, 0..4),
        vec(
            (
                any::<prop::sample::Index>(),
                select(vec![" ", "-", ".", "(", ")", ""]),
            ),
            0..4,
        ),
        prop_oneof![4 => Just(String::new()), 1 => "( x| ext\\.? ?| #)[0-9]{1,7}"],
        any::<bool>(),
    )
        .prop_map(|(i, national, new_tail, seps, ext, keep_region)| {
            let (region, e164, nat) = &EXAMPLES[i.index(EXAMPLES.len())];
            let mut s: Vec<char> = if national {
                nat.chars().collect()
            } else {
                e164.chars().collect()
            };
            // Overwrite the last digits.
            let mut k = new_tail.len();
            for c in s.iter_mut().rev() {
                if k == 0 {
                    break;
                }
                if c.is_ascii_digit() {
                    k -= 1;
                    *c = (b'0' + new_tail[k]) as char;
                }
            }
            for (at, sep) in seps {
                let pos = at.index(s.len() + 1);
                for (j, c) in sep.chars().enumerate() {
                    s.insert(pos + j, c);
                }
            }
            let mut text: String = s.into_iter().collect();
            text.push_str(&ext);
            let region = (national || keep_region).then_some(*region);
            (text, region)
        });
    prop_oneof![
        3 => example,
        2 => (vec(phone_char(), 0..24).prop_map(|v| v.concat()), any_region()),
        1 => (any::<String>(), any_region()),
        1 => ("\\+?[0-9]{1,20}", any_region()),
    ]
}

proptest! {
    #![proptest_config(cases(2048))]

    /// Any text: a valid E.164 number or an error, never a panic; and E.164 in, same E.164 out.
    #[test]
    fn phone_normalize_gives_e164_and_is_idempotent((text, region) in phone_text()) {
        match phone::normalize(&text, region) {
            Ok(n) => {
                prop_assert!(is_e164(&n.e164), "{:?} gave {:?}", text, n.e164);
                prop_assert!(phone::e164_key(&n.e164).is_some());
                let again = phone::normalize(&n.e164, None);
                prop_assert!(
                    matches!(&again, Ok(m) if m.e164 == n.e164),
                    "{:?} ({:?}) gave {:?}, which normalizes to {:?}", text, region, n.e164, again
                );
                prop_assert!(again.as_ref().is_ok_and(|m| m.extension.is_none()));
                let again = phone::normalize(&n.e164, region);
                prop_assert!(
                    matches!(&again, Ok(m) if m.e164 == n.e164),
                    "{:?} ({:?}) gave {:?}, which normalizes in its region to {:?}",
                    text, region, n.e164, again
                );
                if let Some(ext) = &n.extension {
                    prop_assert!(!ext.is_empty());
                }
                let _ = n.is_mobile();
                let _ = n.region_code();
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Regions and headers
// ---------------------------------------------------------------------------------------------

fn region_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[+]?[0-9]{0,5}",
        "[a-zA-Z]{0,4}",
        select(vec![
            "United Kingdom",
            "the Netherlands",
            "Côte d'Ivoire",
            "España",
            "Österreich",
            "USA",
            "Korea, Republic of",
            "Viet Nam",
            "Türkiye",
            "ZZ",
            "XK",
            "AC",
            "TA",
            "EU",
            "UN",
            "001",
            "800",
            "+881",
            "979",
            "+0",
            "-1",
            "+",
            "++44",
            " gb ",
            "İ",
            "ß",
            "ǅ",
        ])
        .prop_map(String::from),
        vec(
            prop_oneof![any::<char>().prop_map(String::from), "[a-z ]{1,6}"],
            0..6
        )
        .prop_map(|v| v.concat()),
    ]
}

proptest! {
    #![proptest_config(cases(1024))]

    #[test]
    fn region_parse_never_panics_and_gives_real_regions(text in region_text()) {
        if let Some(r) = region::parse(&text) {
            // A region it returns has phone metadata, and reads back by its code.
            let code = format!("{r:?}");
            prop_assert_eq!(
                region::from_code(&code),
                Some(r),
                "{:?} gave {:?}, which is not a region with phone metadata",
                text,
                r
            );
        }
        let _ = region::from_code(&text);
    }

    #[test]
    fn header_normalize_never_panics(text in any::<String>()) {
        let n = mapping::normalize(&text);
        prop_assert!(!n.chars().any(|c| c.is_ascii_punctuation() || c.is_whitespace()));
        prop_assert!(!n.chars().any(|c| c.is_ascii_uppercase()));
        let _ = mapping::recognise(&n);
        let _ = mapping::Field::from_name(&text);
        let _ = mapping::label_from_type(&text);
    }
}

// ---------------------------------------------------------------------------------------------
// The row transform
// ---------------------------------------------------------------------------------------------

fn header() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(vec![
            "name", "Full Name", "First Name", "Last Name", "phone", "Mobile", "Mobile 2", "cell",
            "Business Phone", "Home Phone", "Phone 1 - Type", "Phone 1 - Value", "Phone 2 - Type",
            "Phone 2 - Value", "Phone 3 - Value", "E-mail 1 - Value", "email", "Email Address",
            "country", "Country/Region", "ext", "Extension", "company", "notes", "city", "_row",
            "_code", "", "phone", "Phone",
        ])
        .prop_map(String::from),
        1 => any::<String>(),
    ]
}

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => phone_text().prop_map(|(t, _)| t),
        1 => select(vec![
            "", " ", "GB", "United States", "Germany", "+44", "zz", "Mobile", "* Work", "Work Fax",
            "Pager", "ann@example.com", "a@b", "@", "zoë@exämple.de", "Doe, Jane", ",", "x ::: y",
            " ::: ", "\n", "12", "x12",
        ])
        .prop_map(String::from),
        1 => (phone_text(), phone_text(), select(vec![" ::: ", "\n", ", ", ";"]))
            .prop_map(|((a, _), (b, _), sep)| format!("{a}{sep}{b}")),
        1 => any::<String>(),
    ]
}

fn transform_options() -> impl Strategy<Value = TransformOptions> {
    (any_region(), any::<bool>()).prop_map(|(default_region, mobile_only)| TransformOptions {
        default_region,
        mobile_only,
        ..TransformOptions::default()
    })
}

fn check_outcome(p: &transform::Processed, width: usize) -> Result<(), TestCaseError> {
    match &p.outcome {
        Verdict::Clean(c) => {
            prop_assert!(!c.contact().phones.is_empty(), "a clean row has a phone");
            for ph in &c.contact().phones {
                prop_assert!(is_e164(&ph.e164), "{:?}", ph.e164);
            }
            prop_assert!(c.contact().primary_phone().is_some());
            for (i, _) in &c.rewrites {
                prop_assert!(*i < width, "rewrite of column {} of {}", i, width);
            }
        }
        Verdict::Rejected(r) => {
            prop_assert!(!r.is_empty(), "a rejected row has a reason");
            for x in r {
                prop_assert!(!x.message.is_empty());
            }
        }
        Verdict::Blank => prop_assert!(p.raw.values.all_empty()),
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(512))]

    #[test]
    fn transform_never_panics_on_csv_rows(
        headers in vec(header(), 1..8),
        rows in vec(vec(cell(), 0..10), 1..4),
        opts in transform_options(),
        region_column in proptest::option::of(any::<prop::sample::Index>()),
        maps in vec((select(vec!["mobile", "phone", "email", "extension", "country", "ignore"]), any::<prop::sample::Index>()), 0..3),
    ) {
        let schema = Schema::from_header(headers.iter().cloned());
        let mut spec = MappingSpec::default();
        for (field, i) in maps {
            let h = &headers[i.index(headers.len())];
            if !h.trim().is_empty() {
                spec.add_map_arg(&format!("{field}={h}")).unwrap();
            }
        }
        spec.region_column = region_column.map(|i| headers[i.index(headers.len())].clone());
        let roles = Roles::resolve(&schema, &spec);
        prop_assert_eq!(roles.fields.len(), schema.columns.len());
        let _ = roles.describe(&schema);
        for (n, cells) in rows.into_iter().enumerate() {
            // Rows as the CSV reader hands them: fitted to the header's width.
            let record: bulkline::source::Fields = cells
                .iter()
                .map(String::as_str)
                .chain(std::iter::repeat(""))
                .take(headers.len())
                .collect();
            let raw = RawRow { row: n as u64 + 1, values: Values::Csv(record), problem: None };
            let p = transform::process(raw, &schema, &roles, &opts);
            check_outcome(&p, schema.columns.len())?;
        }
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        cell().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(Value::Array),
            vec((header(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(cases(256))]

    /// JSON records, flattened as the readers do, then transformed.
    #[test]
    fn transform_never_panics_on_json_records(
        records in vec(json_value(), 1..6),
        opts in transform_options(),
    ) {
        let mut flat = Flattener::default();
        let spec = MappingSpec::default();
        for (n, value) in records.into_iter().enumerate() {
            let (cells, problem) = match flat.flatten(&value) {
                Ok(c) => (c, None),
                Err(p) => (Vec::new(), Some(p)),
            };
            let schema = flat.schema();
            prop_assert!(cells.len() <= schema.columns.len());
            let roles = Roles::resolve(&schema, &spec);
            let raw = RawRow {
                row: n as u64 + 1,
                values: Values::Json { cells, original: Box::new(value) },
                problem: problem.map(Box::new),
            };
            let p = transform::process(raw, &schema, &roles, &opts);
            check_outcome(&p, schema.columns.len())?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Cases the properties above found, kept as plain tests
// ---------------------------------------------------------------------------------------------

/// E.164 has at most 15 digits, but libphonenumber calls some longer German numbers valid:
/// `normalize` must not hand them on as E.164 (they also get no dedupe key, see
/// `phone::e164_key`).
#[test]
fn normalize_never_gives_more_than_15_digits() {
    let de = region::from_code("DE");
    for (text, region) in [
        ("20100000000000", de),
        ("0201 00000000000", de),
        ("+49 20100000000000", None),
        ("+49 201 000 000 000 00", de),
    ] {
        match phone::normalize(text, region) {
            Ok(n) => assert!(
                is_e164(&n.e164) && phone::e164_key(&n.e164).is_some(),
                "{text:?} ({region:?}) gave {:?}, which is not E.164 (more than 15 digits)",
                n.e164
            ),
            Err(e) => assert!(matches!(e, phone::PhoneError::Invalid { .. }), "{e}"),
        }
    }
}

/// The non-geographic calling codes (+800 freephone, +881 satellite, ...) belong to no
/// region: they must not be read as one.
#[test]
fn region_parse_refuses_non_geographic_calling_codes() {
    for text in [
        "800", "+800", "808", "870", "878", "881", "+882", "883", "888", "979",
    ] {
        let got = region::parse(text);
        assert!(
            got.is_none(),
            "region::parse({text:?}) gave {got:?}, which is not a region"
        );
    }
    // Geographic calling codes still are.
    assert_eq!(region::parse("+44"), region::from_code("GB"));
    assert_eq!(region::parse("1"), region::from_code("US"));
}
