//! Who must not be texted: the numbers of `--suppress` files, and the numbers that answered
//! with an opt-out keyword (STOP, UNSUBSCRIBE, ...) in the account's incoming messages.
//!
//! Files are read with the list's rules ([`read`]): a line that holds no number refuses the
//! campaign (or is counted, with `--suppress-skip-unreadable`). A national number with no
//! region of its own is kept as its digits and read, when a recipient is checked, in the
//! recipient's region (built once per region, on first use): `0612345678` suppresses the
//! French `+33612345678`, and `07400 123456` the British `+447400123456`.

mod read;

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use serde::Serialize;

use crate::phone::{self, Reading};
use crate::region::{self, Region};

pub use read::{ReadOptions, SuppressError, Unreadable};

/// The words that, as the whole text of an incoming message (any case, trimmed), opt the
/// sender out.
pub const OPT_OUT_WORDS: [&str; 6] = ["STOP", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "STOPALL"];

/// Whether an incoming message's text is an opt-out.
pub fn is_opt_out(text: &str) -> bool {
    let t = text.trim();
    OPT_OUT_WORDS.iter().any(|w| t.eq_ignore_ascii_case(w))
}

/// The numbers of one `--suppress` file.
#[derive(Debug, Clone, Default)]
pub struct SuppressFile {
    /// The path as given.
    pub path: String,
    /// Numbers with a region (their own, their row's or the default): E.164 digits.
    numbers: HashSet<u64>,
    /// National numbers with no region: their digits.
    national: Vec<String>,
    /// `national` read in each region (by [`region::index`]), on first use; empty when
    /// `national` is.
    by_region: Box<[OnceLock<HashSet<u64>>]>,
    /// Lines that hold no number, skipped (`--suppress-skip-unreadable`).
    pub unreadable: u64,
}

impl SuppressFile {
    fn new(path: &str, numbers: HashSet<u64>, national: Vec<String>, unreadable: u64) -> Self {
        let by_region = if national.is_empty() {
            Box::default()
        } else {
            (0..region::LETTER_PAIRS).map(|_| OnceLock::new()).collect()
        };
        SuppressFile {
            path: path.to_string(),
            numbers,
            national,
            by_region,
            unreadable,
        }
    }

    /// Whether the file holds the number `key` (E.164 digits) of `region`.
    fn holds(&self, key: u64, region: Option<Region>) -> bool {
        self.numbers.contains(&key)
            || region
                .and_then(|r| self.national_in(r))
                .is_some_and(|set| set.contains(&key))
    }

    /// The national numbers read in `region`.
    fn national_in(&self, region: Region) -> Option<&HashSet<u64>> {
        let slot = self.by_region.get(region::index(region)?)?;
        Some(slot.get_or_init(|| {
            self.national
                .iter()
                .filter_map(|digits| match phone::read(digits, Some(region)) {
                    Reading::Number(e164) => phone::e164_key(&e164),
                    Reading::NoRegion | Reading::Unreadable(_) => None,
                })
                .collect()
        }))
    }

    /// What the summary says of the file (no row counted yet).
    pub fn counts(&self) -> FileCounts {
        FileCounts {
            file: self.path.clone(),
            numbers: (self.numbers.len() + self.national.len()) as u64,
            national: self.national.len() as u64,
            rows_suppressed: 0,
            unreadable: self.unreadable,
        }
    }
}

/// What the summary says of one `--suppress` file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileCounts {
    pub file: String,
    /// Numbers read (each once).
    pub numbers: u64,
    /// Of those, national numbers with no region, read in each recipient's.
    pub national: u64,
    /// Rows of this campaign the file suppressed (a row on two files counts in both).
    pub rows_suppressed: u64,
    /// Lines that hold no number, skipped.
    pub unreadable: u64,
}

/// Why a number is suppressed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hit {
    /// The files that hold it (indexes into [`Suppressions::files`]).
    pub files: Vec<usize>,
    /// It texted an opt-out keyword to the account.
    pub opted_out: bool,
}

/// The suppressed numbers.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    files: Vec<SuppressFile>,
    /// The senders of opt-out messages: E.164 digits.
    opt_outs: HashSet<u64>,
}

impl Suppressions {
    /// Adds a `--suppress` file (see [`read`]).
    pub fn add_file(&mut self, path: &Path, opts: ReadOptions) -> Result<(), SuppressError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| SuppressError::Io {
            path: name.clone(),
            source,
        })?;
        self.add_text(&name, &String::from_utf8_lossy(&bytes), opts)
    }

    /// Adds the text of the suppression file `name`.
    pub fn add_text(
        &mut self,
        name: &str,
        text: &str,
        opts: ReadOptions,
    ) -> Result<(), SuppressError> {
        self.files.push(read::read_text(name, text, opts)?);
        Ok(())
    }

    /// Adds the senders of the opt-out messages among `incoming` (number, text) pairs, the
    /// numbers given as E.164 or digits.
    pub fn add_opt_outs<'a>(&mut self, incoming: impl IntoIterator<Item = (&'a str, &'a str)>) {
        for (number, text) in incoming {
            if !is_opt_out(text) {
                continue;
            }
            let digits: String = number.chars().filter(char::is_ascii_digit).collect();
            // A number of more than 15 digits is no recipient's.
            if let Some(key) = phone::e164_key(&format!("+{digits}")) {
                self.opt_outs.insert(key);
            }
        }
    }

    /// Why the recipient `e164` of `region` (ISO alpha-2, or "" when it has none) must not
    /// be texted, if it must not.
    pub fn check(&self, e164: &str, region: &str) -> Option<Hit> {
        let key = phone::e164_key(e164)?;
        let region = region::from_code(region);
        let files: Vec<usize> = (0..self.files.len())
            .filter(|&i| self.files[i].holds(key, region))
            .collect();
        let opted_out = self.opt_outs.contains(&key);
        (opted_out || !files.is_empty()).then_some(Hit { files, opted_out })
    }

    /// Why a hit is suppressed, in words.
    pub fn why(&self, hit: &Hit) -> String {
        let files: Vec<&str> = hit
            .files
            .iter()
            .filter_map(|&i| self.files.get(i))
            .map(|f| f.path.as_str())
            .collect();
        let listed = format!("is on --suppress {}", files.join(" and "));
        let opted = "texted an opt-out keyword (STOP, UNSUBSCRIBE, ...) to the account";
        match (files.is_empty(), hit.opted_out) {
            (false, false) => format!("the number {listed}"),
            (true, _) => format!("the number {opted}"),
            (false, true) => format!("the number {opted}, and {listed}"),
        }
    }

    pub fn files(&self) -> &[SuppressFile] {
        &self.files
    }

    /// Numbers that texted an opt-out keyword.
    pub fn opted_out(&self) -> u64 {
        self.opt_outs.len() as u64
    }

    /// Lines of the files that hold no number, skipped.
    pub fn unreadable(&self) -> u64 {
        self.files.iter().map(|f| f.unreadable).sum()
    }

    /// The numbers suppressed, each once: from the files (a national number as its digits)
    /// and the opt-outs.
    pub fn len(&self) -> usize {
        let mut numbers: HashSet<u64> = self.opt_outs.clone();
        let mut national: HashSet<&str> = HashSet::new();
        for f in &self.files {
            numbers.extend(&f.numbers);
            national.extend(f.national.iter().map(String::as_str));
        }
        numbers.len() + national.len()
    }

    pub fn is_empty(&self) -> bool {
        self.opt_outs.is_empty()
            && self
                .files
                .iter()
                .all(|f| f.numbers.is_empty() && f.national.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gb() -> ReadOptions {
        ReadOptions {
            default_region: region::from_code("GB"),
            skip_unreadable: false,
        }
    }

    fn skip() -> ReadOptions {
        ReadOptions {
            skip_unreadable: true,
            ..ReadOptions::default()
        }
    }

    fn read(text: &str, opts: ReadOptions) -> Suppressions {
        let mut s = Suppressions::default();
        if let Err(e) = s.add_text("stop.txt", text, opts) {
            panic!("{e}");
        }
        s
    }

    /// The line, value and reason of a refused file.
    fn refused(text: &str, opts: ReadOptions) -> (u64, String, Unreadable, u64) {
        match Suppressions::default().add_text("stop.txt", text, opts) {
            Err(SuppressError::Unreadable {
                line,
                value,
                why,
                more,
                ..
            }) => (line, value, why, more),
            other => panic!("not refused: {other:?}"),
        }
    }

    /// Asserts that `text`, read with the default options, is refused at the line and value
    /// `want` names, for its reason.
    fn assert_refused(text: &str, want: (u64, &str, Unreadable)) {
        let (line, value, why, _) = refused(text, ReadOptions::default());
        assert_eq!((line, value.as_str(), why), want);
    }

    #[test]
    fn opt_out_words_in_any_case() {
        for t in [
            "STOP",
            " stop ",
            "Unsubscribe",
            "cancel",
            "END",
            "quit",
            "StopAll",
        ] {
            assert!(is_opt_out(t), "{t}");
        }
        for t in ["stop it", "please stop", "STOPP", "", "yes"] {
            assert!(!is_opt_out(t), "{t}");
        }
    }

    #[test]
    fn one_number_a_line_with_a_header_and_blank_lines() {
        let s = read("\u{feff}Phone\n+44 7400 123456\n07400 123457\n\n  \n", gb());
        assert!(s.check("+447400123456", "GB").is_some());
        assert!(s.check("+447400123457", "GB").is_some());
        assert_eq!((s.len(), s.unreadable()), (2, 0));
    }

    #[test]
    fn a_line_that_holds_no_number_refuses_the_file() {
        let text = "+447400123456\n\nnot a number\n12\n";
        let (line, value, why, more) = refused(text, gb());
        assert_eq!(
            (line, value.as_str(), why, more),
            (3, "not a number", Unreadable::Letters, 1)
        );
        let e = Suppressions::default()
            .add_text("stop.txt", text, gb())
            .map(|()| "read")
            .map_err(|e| e.to_string());
        let message = e.err().unwrap_or_default();
        assert!(
            message.starts_with("--suppress stop.txt, line 3: 'not a number' is not a phone number (letters mixed in) (and 1 more line like it)"),
            "{message}"
        );
        assert!(message.contains("--suppress-skip-unreadable"), "{message}");
        // Skipped, they are counted.
        let s = read(
            text,
            ReadOptions {
                skip_unreadable: true,
                ..gb()
            },
        );
        assert_eq!((s.len(), s.unreadable()), (1, 2));
        assert_eq!(s.files()[0].counts().unreadable, 2);
    }

    #[test]
    fn csv_with_a_phone_column() {
        let text = "Name,Mobile Phone,Notes\nAnn,+14155552671,opted out 2024\nBen,,x\n,,\n";
        assert_refused(text, (3, "Ben,,x", Unreadable::NoNumber));
        let s = read(text, skip());
        assert!(s.check("+14155552671", "US").is_some());
        assert_eq!((s.len(), s.unreadable()), (1, 1));
    }

    #[test]
    fn csv_without_a_header_takes_every_value() {
        let s = read(
            "+14155552671;+447400123456\n+33612345678;\n",
            ReadOptions::default(),
        );
        assert_eq!(s.len(), 3);
        assert_eq!(s.unreadable(), 0);
    }

    #[test]
    fn a_country_column_gives_national_numbers_their_region() {
        let text = "country,phone\nFrance,06 12 34 56 78\n,+44 7400 123456\nAtlantis,07400 123457\nGB,07400 123458\n";
        // Atlantis is no country: refused, the cell quoted.
        assert_refused(text, (4, "Atlantis", Unreadable::Country));
        let s = read(
            &text.replace("Atlantis", "United Kingdom"),
            ReadOptions::default(),
        );
        for (n, r) in [
            ("+33612345678", "FR"),
            ("+447400123456", "GB"),
            ("+447400123457", "GB"),
            ("+447400123458", "GB"),
        ] {
            assert!(s.check(n, r).is_some(), "{n}");
        }
        let counts = s.files()[0].counts();
        assert_eq!((counts.numbers, counts.national), (4, 0));
    }

    #[test]
    fn digits_that_lost_their_plus_suppress_both_readings() {
        // 4915123456789 in DE is +494915123456789 read nationally, +4915123456789 read as an
        // international number whose + a spreadsheet dropped: neither is texted.
        let s = read("country,phone\nDE,4915123456789\n", ReadOptions::default());
        assert!(s.check("+4915123456789", "DE").is_some());
        assert!(s.check("+494915123456789", "DE").is_some());
        // Without a region: the international reading, and the national one in the
        // recipient's region.
        let s = read("4915123456789\n", ReadOptions::default());
        assert!(s.check("+4915123456789", "DE").is_some());
        assert!(s.check("+494915123456789", "DE").is_some());
        assert!(s.check("+4915123456780", "DE").is_none());
    }

    #[test]
    fn a_country_column_and_no_phone_header() {
        let s = read(
            "Country Code;Value\nFR;0612345678\n",
            ReadOptions::default(),
        );
        assert!(s.check("+33612345678", "FR").is_some());
    }

    #[test]
    fn national_numbers_without_a_region_are_read_in_each_recipients() {
        let s = read("0612345678\n07400 123456\n", ReadOptions::default());
        let counts = s.files()[0].counts();
        assert_eq!((counts.numbers, counts.national), (2, 2));
        assert_eq!(
            s.check("+33612345678", "FR"),
            Some(Hit {
                files: vec![0],
                opted_out: false
            })
        );
        assert!(s.check("+447400123456", "GB").is_some());
        // Another country's number with the same national digits is not theirs.
        assert!(s.check("+447400123456", "FR").is_none());
        assert!(s.check("+33612345678", "").is_none());
        assert!(s.check("+33612345679", "FR").is_none());
        // With --default-region, a national number is read there once and for all.
        let s = read("07400 123456\n", gb());
        assert_eq!(s.files()[0].counts().national, 0);
        assert!(s.check("+447400123456", "GB").is_some());
    }

    #[test]
    fn the_regions_are_read_once_from_any_thread() {
        let s = read("0612345678\n07400 123456\n", ReadOptions::default());
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    assert!(s.check("+33612345678", "FR").is_some());
                    assert!(s.check("+447400123456", "GB").is_some());
                });
            }
        });
        let f = &s.files()[0];
        let fr = region::from_code("FR").and_then(region::index);
        let read_in: Vec<usize> = (0..f.by_region.len())
            .filter(|&i| f.by_region[i].get().is_some())
            .collect();
        assert_eq!(read_in.len(), 2);
        assert!(fr.is_some_and(|i| read_in.contains(&i)));
    }

    #[test]
    fn opt_outs_from_incoming_messages() {
        let mut s = read("+14155552671\n", ReadOptions::default());
        s.add_opt_outs([
            ("+1 4155552672", " Stop "),
            ("+1 4155552673", "stop please"),
            ("+44 7400123456", "UNSUBSCRIBE"),
            ("+44 7400123456", "stopall"),
            ("+1 4155552671", "quit"),
            ("", "STOP"),
        ]);
        let hit = s.check("+14155552671", "US");
        assert_eq!(
            hit,
            Some(Hit {
                files: vec![0],
                opted_out: true
            })
        );
        assert!(s.check("+14155552672", "US").is_some_and(|h| h.opted_out));
        assert!(s.check("+14155552673", "US").is_none());
        assert!(
            s.check("+447400123456", "GB")
                .is_some_and(|h| h.files.is_empty())
        );
        assert_eq!((s.len(), s.opted_out()), (3, 3));
        assert_eq!(
            s.why(&Hit {
                files: vec![0],
                opted_out: false
            }),
            "the number is on --suppress stop.txt"
        );
        assert!(
            s.why(&Hit {
                files: vec![0],
                opted_out: true
            })
            .contains("opt-out keyword")
        );
    }

    #[test]
    fn files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stop.txt");
        std::fs::write(&path, "+14155552671\n").unwrap();
        let mut s = Suppressions::default();
        s.add_file(&path, ReadOptions::default()).unwrap();
        assert!(s.check("+14155552671", "US").is_some());
        let missing = s.add_file(&dir.path().join("missing"), ReadOptions::default());
        assert!(matches!(missing, Err(SuppressError::Io { .. })));
    }
}
