//! What an SMS send records for each row in the campaign's journal (the intent's per-row
//! key): the number, and a digest of the text it was sent (`+447400100001 text:0123abcd...`),
//! so that `sms-status --verify` can tell the text the logs show from the one that was sent
//! without the input file. A journal written before the digest holds the number alone.

use super::texted::text_digest;

/// Between the number and the digest.
const TEXT: &str = " text:";

/// The key of a send of `text` to `number` (E.164).
pub fn encode(number: &str, text: &str) -> String {
    format!("{number}{TEXT}{:016x}", text_digest(text))
}

/// A row's key, read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowKey<'a> {
    pub number: &'a str,
    /// The digest of the text sent ([`text_digest`]), when the journal has it.
    pub text: Option<u64>,
}

/// Reads a key written by [`encode`], or an older one (the number alone).
pub fn decode(key: &str) -> RowKey<'_> {
    match key.split_once(TEXT) {
        Some((number, hex)) => RowKey {
            number,
            text: u64::from_str_radix(hex.trim(), 16).ok(),
        },
        None => RowKey {
            number: key,
            text: None,
        },
    }
}

/// Whether `text` is the text a key's digest was made of (line ends and surrounding blanks
/// do not count, as for the repeat guard).
pub fn same_text(digest: u64, text: &str) -> bool {
    text_digest(text) == digest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_carry_the_number_and_the_texts_digest() {
        let k = encode("+447400100001", "Sale starts today");
        let r = decode(&k);
        assert_eq!(r.number, "+447400100001");
        let d = r.text.expect("a digest");
        assert!(same_text(d, "Sale starts today"));
        assert!(same_text(d, "Sale starts today\r\n"));
        assert!(!same_text(d, "Sale ends today"));
        assert_eq!(
            decode("+447400100001"),
            RowKey {
                number: "+447400100001",
                text: None
            }
        );
    }
}
