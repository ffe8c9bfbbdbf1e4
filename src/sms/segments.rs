//! How many SMS segments a message takes, and in which encoding.
//!
//! A message that fits the GSM 03.38 7-bit alphabet is sent as GSM-7: 160 septets in one
//! segment, 153 per segment when it is split (the rest of each carries the concatenation
//! header). The characters of the alphabet's extension table (`^ { } \ [ ~ ] | €` and form
//! feed) take two septets, an escape and the character, and an escape pair is never split
//! across segments. Any other character makes the whole message UCS-2: 70 UTF-16 code units
//! in one segment, 67 per segment when split, a surrogate pair (an emoji) never split.
//! Zoho Voice's `dataCoding` is 0 for GSM-7 text and 2 for UCS-2 ("non-English") text.

use serde::Serialize;

/// The basic GSM 03.38 alphabet (one septet each), escape excluded.
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table (two septets each: escape and character).
const EXTENSION: &str = "^{}\\[~]|€\u{0C}";

/// GSM-7: septets in a single segment, and per segment of a split message.
const GSM_SINGLE: usize = 160;
const GSM_PART: usize = 153;
/// UCS-2: UTF-16 code units in a single segment, and per segment of a split message.
const UCS2_SINGLE: usize = 70;
const UCS2_PART: usize = 67;

/// The encoding a message is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    /// The encoding's name for a person: `GSM-7`, `UCS-2`.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }

    /// Zoho Voice's `dataCoding` value.
    pub fn data_coding(self) -> u8 {
        match self {
            Encoding::Gsm7 => 0,
            Encoding::Ucs2 => 2,
        }
    }
}

/// What a message costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Segments {
    pub encoding: Encoding,
    /// Characters (Unicode scalar values).
    pub chars: usize,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    pub units: usize,
    /// Segments billed; 0 for an empty message.
    pub segments: usize,
}

/// The septets a character takes in GSM-7, or `None` when it is not in the alphabet.
fn gsm_septets(c: char) -> Option<usize> {
    if BASIC.contains(c) {
        Some(1)
    } else if EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Segments of `costs` (units per character) at `single` units for one segment, else packed
/// greedily `part` units a segment, no character split.
fn pack(costs: impl Iterator<Item = usize> + Clone, single: usize, part: usize) -> (usize, usize) {
    let total: usize = costs.clone().sum();
    if total == 0 {
        return (0, 0);
    }
    if total <= single {
        return (total, 1);
    }
    let (mut segments, mut used) = (1, 0);
    for cost in costs {
        if used + cost > part {
            segments += 1;
            used = 0;
        }
        used += cost;
    }
    (total, segments)
}

/// Counts the segments of `text`.
pub fn count(text: &str) -> Segments {
    let chars = text.chars().count();
    let gsm: Option<Vec<usize>> = text.chars().map(gsm_septets).collect();
    let (encoding, (units, segments)) = match gsm {
        Some(costs) => (
            Encoding::Gsm7,
            pack(costs.into_iter(), GSM_SINGLE, GSM_PART),
        ),
        None => (
            Encoding::Ucs2,
            pack(text.chars().map(char::len_utf16), UCS2_SINGLE, UCS2_PART),
        ),
    };
    Segments {
        encoding,
        chars,
        units,
        segments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alphabets_have_their_sizes() {
        // 128 positions, one of which is the escape.
        assert_eq!(BASIC.chars().count(), 127);
        assert_eq!(EXTENSION.chars().count(), 10);
    }

    /// Asserts the segments of `n` times `unit`, for each `(n, segments)`.
    fn assert_segments(unit: &str, cases: &[(usize, usize)]) {
        for &(n, segments) in cases {
            assert_eq!(count(&unit.repeat(n)).segments, segments, "{n} x {unit}");
        }
    }

    #[test]
    fn gsm7_boundaries() {
        let s = |n| count(&"a".repeat(n));
        assert_segments(
            "a",
            &[(0, 0), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3)],
        );
        assert_eq!(s(160).encoding, Encoding::Gsm7);
        assert_eq!(s(160).encoding.data_coding(), 0);
    }

    #[test]
    fn extension_characters_count_double_and_are_not_split() {
        let m = count("€".repeat(80).as_str());
        assert_eq!(
            (m.encoding, m.chars, m.units, m.segments),
            (Encoding::Gsm7, 80, 160, 1)
        );
        let m = count(&format!("{}{}", "a".repeat(159), "€"));
        assert_eq!((m.units, m.segments), (161, 2));
        // 152 plain septets then an escape pair: the pair moves whole to the second segment.
        let m = count(&format!("{}€{}", "a".repeat(152), "a".repeat(153)));
        assert_eq!((m.units, m.segments), (307, 3));
        let m = count("[{x}]|^~\\");
        assert_eq!(m.units, 17);
    }

    #[test]
    fn accented_latin_in_the_alphabet_stays_gsm7() {
        let m = count("Café à Málaga? ¿Sí! Ñandú Øre £5 §3 Ü");
        // á and í are not in GSM 03.38: the whole message is UCS-2.
        assert_eq!(m.encoding, Encoding::Ucs2);
        let m = count("Café à Ølen, £5, ¿Qué? Ñandù §3 Ü ß");
        assert_eq!(m.encoding, Encoding::Gsm7);
    }

    #[test]
    fn ucs2_boundaries() {
        let s = |n| count(&"日".repeat(n));
        assert_segments("日", &[(70, 1), (71, 2), (134, 2), (135, 3)]);
        assert_eq!(s(70).encoding, Encoding::Ucs2);
        assert_eq!(s(70).encoding.data_coding(), 2);
    }

    #[test]
    fn emoji_take_two_units_and_are_not_split() {
        let m = count(&"😀".repeat(35));
        assert_eq!((m.chars, m.units, m.segments), (35, 70, 1));
        let m = count(&"😀".repeat(36));
        assert_eq!((m.units, m.segments), (72, 2));
        // 66 units, then an emoji that would straddle the 67-unit boundary: it moves whole.
        let m = count(&format!("{}😀{}", "a".repeat(66), "a".repeat(66)));
        assert_eq!((m.units, m.segments), (134, 3));
        // One emoji in an otherwise GSM message makes it all UCS-2.
        let m = count(&format!("{}😀", "a".repeat(100)));
        assert_eq!((m.encoding, m.units, m.segments), (Encoding::Ucs2, 102, 2));
    }
}
