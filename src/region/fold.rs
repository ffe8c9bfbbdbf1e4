//! The key a country name is looked up by: the same for the data and for a cell, and folded
//! into a buffer on the stack (a cell is read once per row).
//!
//! Folding: Unicode lower case; accents dropped (the canonical decomposition, without its
//! diacritics); `&` read as `and`; final sigma as sigma; and only letters, digits and the marks
//! that are part of letters (Indic vowel signs) kept, so `Côte d’Ivoire` and `cote d'ivoire`
//! fold the same, and `日本`, `Россия` or `भारत` keep their script. `scripts/country-names.py`
//! folds the same way (its `fold`).

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Bytes of the longest key: the longest folded name in the data is 172 bytes.
const CAPACITY: usize = 256;

/// A folded key, on the stack.
pub(super) struct Folded {
    bytes: [u8; CAPACITY],
    len: usize,
}

impl Folded {
    /// Folds `text`; `None` when its key is longer than any name's.
    pub(super) fn new(text: &str) -> Option<Self> {
        let mut folded = Self {
            bytes: [0; CAPACITY],
            len: 0,
        };
        let mut fits = true;
        for c in text.chars() {
            if c.is_ascii() {
                match c {
                    '&' => fits &= folded.push_str("and"),
                    _ if c.is_ascii_alphanumeric() => {
                        fits &= folded.push(c.to_ascii_lowercase());
                    }
                    _ => {}
                }
            } else {
                for low in c.to_lowercase() {
                    decompose_canonical(low, |d| {
                        if let Some(kept) = kept(d) {
                            fits &= folded.push(kept);
                        }
                    });
                }
            }
            if !fits {
                return None;
            }
        }
        Some(folded)
    }

    /// The key.
    pub(super) fn as_str(&self) -> &str {
        // Only whole characters are pushed.
        std::str::from_utf8(self.bytes.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }

    /// Appends `c`; false when it does not fit.
    fn push(&mut self, c: char) -> bool {
        let width = c.len_utf8();
        match self.bytes.get_mut(self.len..self.len + width) {
            Some(slot) => {
                c.encode_utf8(slot);
                self.len += width;
                true
            }
            None => false,
        }
    }

    fn push_str(&mut self, s: &str) -> bool {
        s.chars().all(|c| self.push(c))
    }
}

/// What a non-ASCII character of the decomposed lower case becomes in the key.
fn kept(c: char) -> Option<char> {
    if is_diacritic(c) {
        None
    } else if c == 'ς' {
        Some('σ')
    } else if c.is_alphanumeric() || is_combining_mark(c) {
        Some(c)
    } else {
        None
    }
}

/// The marks an accent is made of: the combining diacritics of the Latin, Greek and Cyrillic
/// letters (what the decomposition splits off an accented letter), Hebrew points and Arabic
/// vowel marks. Not the vowel signs of Indic, Thai or Tibetan scripts, which are part of the
/// letters (without them Hindi's Ghana and Guinea, गाना and गिनी, would read the same).
fn is_diacritic(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0300..=0x036F
            | 0x0591..=0x05C7
            | 0x064B..=0x065F
            | 0x1AB0..=0x1AFF
            | 0x1DC0..=0x1DFF
            | 0x20D0..=0x20FF
            | 0xFE20..=0xFE2F
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_cases;

    fn key(text: &str) -> String {
        Folded::new(text)
            .map(|f| f.as_str().to_string())
            .unwrap_or_default()
    }

    #[test]
    fn folds_case_accents_punctuation_and_ampersands() {
        let cases = [
            ("Côte d’Ivoire", "cotedivoire"),
            ("COTE D'IVOIRE", "cotedivoire"),
            ("Bosnia & Herzegovina", "bosniaandherzegovina"),
            ("U.K.", "uk"),
            ("  Vereinigtes Königreich ", "vereinigteskonigreich"),
            ("Türkiye", "turkiye"),
            ("日本", "日本"),
            ("РОССИЯ", "россия"),
            ("Россия", "россия"),
            ("ΕΛΛΆΣ", "ελλασ"),
            ("Ελλάς", "ελλασ"),
            ("المغرب", "المغرب"),
            ("भारत", "भारत"),
            ("İtalya", "italya"),
            ("", ""),
            ("-- .", ""),
        ];
        assert_cases(key, cases);
        // Hindi's vowel signs are kept: Ghana and Guinea differ.
        assert_ne!(key("गाना"), key("गिनी"));
    }

    #[test]
    fn a_key_longer_than_any_name_is_none() {
        assert!(Folded::new(&"a".repeat(CAPACITY)).is_some());
        assert!(Folded::new(&"a".repeat(CAPACITY + 1)).is_none());
        assert!(Folded::new(&"日".repeat(CAPACITY)).is_none());
    }
}
