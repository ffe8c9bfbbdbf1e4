//! Who must not be texted: numbers from `--suppress` files, and the numbers that answered with
//! an opt-out keyword (STOP, UNSUBSCRIBE, ...) in the account's incoming messages.
//!
//! A suppression file is either one number a line or a CSV whose columns include one that
//! looks like a phone column (a header naming phone, mobile, number or cell); every value is
//! normalized to E.164 (national numbers in `default_region`). Lines that hold no number are
//! counted, not fatal: a suppression list is never a reason to send to someone.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::phone;
use crate::region::Region;

/// The words that, as the whole text of an incoming message (any case, trimmed), opt the
/// sender out.
pub const OPT_OUT_WORDS: [&str; 6] = ["STOP", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "STOPALL"];

/// Whether an incoming message's text is an opt-out.
pub fn is_opt_out(text: &str) -> bool {
    let t = text.trim();
    OPT_OUT_WORDS.iter().any(|w| t.eq_ignore_ascii_case(w))
}

/// Why a number is suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// It is in a `--suppress` file.
    List,
    /// It texted an opt-out keyword to the account.
    OptOut,
}

/// The suppressed numbers, in E.164.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    numbers: HashMap<String, Source>,
    /// Values in the files that were not numbers.
    pub unreadable: u64,
    /// Numbers added by [`Suppressions::add_opt_outs`].
    pub opted_out: u64,
}

impl Suppressions {
    pub fn contains(&self, e164: &str) -> bool {
        self.numbers.contains_key(e164)
    }

    /// Why `e164` is suppressed, if it is.
    pub fn source(&self, e164: &str) -> Option<Source> {
        self.numbers.get(e164).copied()
    }

    /// Adds the senders of the opt-out messages among `incoming` (number, text) pairs, the
    /// numbers given as E.164 or digits.
    pub fn add_opt_outs<'a>(&mut self, incoming: impl IntoIterator<Item = (&'a str, &'a str)>) {
        for (number, text) in incoming {
            if !is_opt_out(text) {
                continue;
            }
            let digits: String = number.chars().filter(char::is_ascii_digit).collect();
            if digits.is_empty() {
                continue;
            }
            let e164 = format!("+{digits}");
            if self.numbers.insert(e164, Source::OptOut) != Some(Source::OptOut) {
                self.opted_out += 1;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    /// Adds one number as given; false when it is not a number.
    pub fn add(&mut self, text: &str, default_region: Option<Region>) -> bool {
        match phone::normalize(text, default_region) {
            Ok(n) => {
                self.numbers.entry(n.e164).or_insert(Source::List);
                true
            }
            Err(_) => false,
        }
    }

    /// Adds the numbers of a suppression file (see the module docs).
    pub fn add_file(&mut self, path: &Path, default_region: Option<Region>) -> Result<()> {
        let text = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
        let text = String::from_utf8_lossy(&text);
        self.add_text(&text, default_region);
        Ok(())
    }

    /// Adds the numbers of a suppression file's text.
    pub fn add_text(&mut self, text: &str, default_region: Option<Region>) {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty()).peekable();
        let delimiter = lines.peek().and_then(|first| {
            [b',', b';', b'\t']
                .into_iter()
                .find(|d| first.as_bytes().contains(d))
        });
        let Some(delimiter) = delimiter else {
            for line in lines {
                let value = line.trim().trim_start_matches('\u{feff}');
                if !self.add(value, default_region) {
                    self.unreadable += 1;
                }
            }
            return;
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        // The first record is a header when some column looks like a phone column; else it
        // is data, and every value of every row is a candidate.
        let mut columns: Option<Vec<usize>> = None;
        for record in reader.records() {
            let Ok(record) = record else {
                self.unreadable += 1;
                continue;
            };
            if let Some(cols) = &columns {
                self.add_record(&record, cols, default_region);
                continue;
            }
            let phone_like: Vec<usize> = record
                .iter()
                .enumerate()
                .filter(|(_, h)| is_phone_header(h))
                .map(|(i, _)| i)
                .collect();
            let cols = if phone_like.is_empty() {
                let all: Vec<usize> = (0..record.len()).collect();
                self.add_record(&record, &all, default_region);
                all
            } else {
                phone_like
            };
            columns = Some(cols);
        }
    }

    fn add_record(&mut self, record: &csv::StringRecord, cols: &[usize], region: Option<Region>) {
        let mut any = false;
        for &i in cols {
            if let Some(v) = record.get(i).filter(|v| !v.trim().is_empty()) {
                any |= self.add(v, region);
            }
        }
        if !any {
            self.unreadable += 1;
        }
    }
}

fn is_phone_header(h: &str) -> bool {
    let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
    ["phone", "mobile", "number", "cell", "msisdn", "tel"]
        .iter()
        .any(|w| h.contains(w))
        && phone::normalize(&h, None).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gb() -> Option<Region> {
        crate::region::parse("GB")
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
    fn one_number_a_line() {
        let mut s = Suppressions::default();
        s.add_text(
            "\u{feff}+44 7400 123456\n07400 123457\n\nnot a number\n",
            gb(),
        );
        assert!(s.contains("+447400123456"));
        assert!(s.contains("+447400123457"));
        assert_eq!((s.len(), s.unreadable), (2, 1));
    }

    #[test]
    fn csv_with_a_phone_column() {
        let mut s = Suppressions::default();
        s.add_text(
            "Name,Mobile Phone,Notes\nAnn,+14155552671,opted out 2024\nBen,,x\n",
            None,
        );
        assert!(s.contains("+14155552671"));
        assert_eq!((s.len(), s.unreadable), (1, 1));
    }

    #[test]
    fn csv_without_a_header_takes_every_value() {
        let mut s = Suppressions::default();
        s.add_text("+14155552671;+447400123456\n+33612345678;\n", None);
        assert_eq!(s.len(), 3);
        assert_eq!(s.unreadable, 0);
    }

    #[test]
    fn opt_outs_from_incoming_messages() {
        let mut s = Suppressions::default();
        s.add_text("+14155552671\n", None);
        s.add_opt_outs([
            ("+1 4155552672", " Stop "),
            ("+1 4155552673", "stop please"),
            ("+44 7400123456", "UNSUBSCRIBE"),
            ("+44 7400123456", "stopall"),
            ("+1 4155552671", "quit"),
            ("", "STOP"),
        ]);
        assert_eq!(s.source("+14155552671"), Some(Source::OptOut));
        assert_eq!(s.source("+14155552672"), Some(Source::OptOut));
        assert!(!s.contains("+14155552673"));
        assert_eq!(s.source("+447400123456"), Some(Source::OptOut));
        assert_eq!((s.len(), s.opted_out), (3, 3));
    }

    #[test]
    fn files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stop.txt");
        std::fs::write(&path, "+14155552671\n").unwrap();
        let mut s = Suppressions::default();
        s.add_file(&path, None).unwrap();
        assert!(s.contains("+14155552671"));
        assert!(s.add_file(&dir.path().join("missing"), None).is_err());
    }
}
