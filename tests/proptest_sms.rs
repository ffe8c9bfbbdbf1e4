//! Property tests of the SMS readers and counters: templates, suppression files, send windows
//! and segment counts never panic on arbitrary input, and keep their promises when they
//! succeed.

use bulkline::sms::segments::{self, Encoding};
use bulkline::sms::suppress::{ReadOptions, Suppressions};
use bulkline::sms::template::Template;
use bulkline::sms::window::{Placement, SendWindow};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            ProptestConfig::default().cases
        } else {
            512
        },
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Any text parses or is refused with a position inside it; a parsed template renders
    /// without a hole when every name has a value.
    #[test]
    fn templates_never_panic(text in ".{0,200}", value in "[a-zA-Z ]{0,10}") {
        match Template::parse(&text) {
            Ok(t) => {
                let filled = t.render(|_| Some(format!("x{value}")));
                prop_assert!(filled.is_ok());
                let empty = t.render(|_| None);
                if t.is_constant() {
                    prop_assert!(empty.is_ok());
                }
            }
            Err(e) => prop_assert!(e.position() >= 1 && e.position() <= text.chars().count()),
        }
    }

    /// Segment counts agree with the encoding's limits.
    #[test]
    fn segments_fit_their_limits(text in "\\PC{0,400}") {
        let s = segments::count(&text);
        prop_assert_eq!(s.chars, text.chars().count());
        if text.is_empty() {
            prop_assert_eq!(s.segments, 0);
        } else {
            let (single, part) = match s.encoding {
                Encoding::Gsm7 => (160, 153),
                Encoding::Ucs2 => (70, 67),
            };
            if s.units <= single {
                prop_assert_eq!(s.segments, 1);
            } else {
                // Characters are never split, so a segment may hold one unit less.
                prop_assert!(s.segments >= s.units.div_ceil(part));
                prop_assert!(s.segments <= s.units.div_ceil(part - 1));
            }
        }
    }

    /// Arbitrary bytes as a suppression file never panic.
    #[test]
    fn suppression_files_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut s = Suppressions::default();
        let text = String::from_utf8_lossy(&bytes);
        let opts = ReadOptions { skip_unreadable: true, ..ReadOptions::default() };
        prop_assert!(s.add_text("fuzz.txt", &text, opts).is_ok());
        let _ = Suppressions::default().add_text("fuzz.txt", &text, ReadOptions::default());
        s.add_opt_outs([(text.as_ref(), "STOP")]);
        prop_assert!(s.len() as u64 <= s.opted_out() + bytes.len() as u64);
    }

    /// Any window text parses or is refused; a parsed window places any region at any time
    /// without panicking, and a scheduled time lies ahead, within a day.
    #[test]
    fn send_windows_never_panic(
        text in "[0-9:\\- ]{0,14}",
        start in 0u16..1440,
        len in 1u16..1439,
        secs in 0i64..4_102_444_800,
        region in prop::sample::select(vec!["US", "GB", "JP", "IN", "AU", "NP", "BR", "XX", "001", ""]),
    ) {
        let _ = text.parse::<SendWindow>();
        let end = (start + len) % 1440;
        let w = format!("{:02}:{:02}-{:02}:{:02}", start / 60, start % 60, end / 60, end % 60);
        let window: SendWindow = w.parse().map_err(|e| TestCaseError::fail(format!("{w}: {e}")))?;
        let now = jiff::Timestamp::from_second(secs).map_err(|e| TestCaseError::fail(e.to_string()))?;
        match window.place(region, now) {
            Ok(Placement::At { scheduled_time, time_zone }) => {
                let at: jiff::civil::DateTime = scheduled_time
                    .parse()
                    .map_err(|e| TestCaseError::fail(format!("{scheduled_time}: {e}")))?;
                let tz = jiff::tz::db()
                    .get(time_zone)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let ts = tz.to_timestamp(at).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let ahead = ts.as_second() - now.as_second();
                prop_assert!(
                    ahead > 0 && ahead <= 25 * 3600,
                    "{} {}: {} s ahead", scheduled_time, time_zone, ahead
                );
            }
            Ok(Placement::Now) => prop_assert!(!region.is_empty()),
            Err(_) => prop_assert!(matches!(region, "XX" | "001" | "")),
        }
    }
}
