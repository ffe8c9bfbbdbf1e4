//! Text encodings: detection from the first bytes, and streaming decode to UTF-8.

use std::io::{self, Cursor, Read};

use encoding_rs::{UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use encoding_rs_io::DecodeReaderBytesBuilder;

/// How many bytes are looked at to detect the encoding, format and delimiter.
pub const SAMPLE_LEN: usize = 64 * 1024;

/// The encoding of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoding(&'static encoding_rs::Encoding);

impl Encoding {
    pub const UTF8: Encoding = Encoding(UTF_8);
    pub const UTF16LE: Encoding = Encoding(UTF_16LE);
    pub const UTF16BE: Encoding = Encoding(UTF_16BE);
    pub const WINDOWS_1252: Encoding = Encoding(WINDOWS_1252);

    /// An encoding by its WHATWG label: `utf-8`, `utf-16le`, `windows-1252`, `latin1`, `iso-8859-15`, ...
    pub fn from_label(label: &str) -> Option<Encoding> {
        encoding_rs::Encoding::for_label(label.trim().as_bytes()).map(Encoding)
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// Whether ASCII bytes stand for themselves (not so in UTF-16).
    pub fn is_ascii_compatible(self) -> bool {
        self.0.is_ascii_compatible()
    }

    /// Detects the encoding of a file from its first bytes.
    ///
    /// A byte-order mark decides. Without one: UTF-16 is recognised by its zero bytes; a sample
    /// that is valid UTF-8, or that holds at least one valid multi-byte UTF-8 sequence, is UTF-8
    /// (its invalid rows are then reported, not repaired); anything else is Windows-1252, the
    /// superset of Latin-1 that Excel and most Windows tools write.
    pub fn detect(sample: &[u8]) -> Encoding {
        if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
            return Encoding::UTF8;
        }
        if sample.starts_with(&[0xFF, 0xFE]) {
            return Encoding::UTF16LE;
        }
        if sample.starts_with(&[0xFE, 0xFF]) {
            return Encoding::UTF16BE;
        }
        if let Some(e) = detect_utf16_without_bom(sample) {
            return e;
        }
        let (valid_multibyte, invalid) = utf8_census(sample);
        if invalid == 0 || valid_multibyte > 0 {
            Encoding::UTF8
        } else {
            Encoding::WINDOWS_1252
        }
    }

    /// The sample decoded to text (lossily: only used for sniffing).
    pub fn decode_sample(self, sample: &[u8]) -> String {
        let (text, _, _) = self.0.decode(sample);
        text.into_owned()
    }

    /// Wraps a byte stream so that it reads as UTF-8 without a BOM. UTF-8 input is passed
    /// through unchanged (minus its BOM) so that invalid bytes can be reported row by row.
    pub fn stream(self, reader: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
        if self.0 == UTF_8 {
            Box::new(SkipUtf8Bom {
                inner: reader,
                checked: false,
                pending: Vec::new(),
            })
        } else {
            Box::new(
                DecodeReaderBytesBuilder::new()
                    .encoding(Some(self.0))
                    .bom_override(true)
                    .strip_bom(true)
                    .build(reader),
            )
        }
    }
}

fn detect_utf16_without_bom(sample: &[u8]) -> Option<Encoding> {
    let n = sample.len().min(4096) & !1;
    if n < 4 {
        return None;
    }
    let pairs = n / 2;
    let zero_even = sample[..n].iter().step_by(2).filter(|&&b| b == 0).count();
    let zero_odd = sample[1..n].iter().step_by(2).filter(|&&b| b == 0).count();
    // Mostly-ASCII UTF-16 text has a zero in (nearly) every pair, always on the same side.
    if zero_odd * 10 >= pairs * 7 && zero_even * 10 <= pairs {
        Some(Encoding::UTF16LE)
    } else if zero_even * 10 >= pairs * 7 && zero_odd * 10 <= pairs {
        Some(Encoding::UTF16BE)
    } else {
        None
    }
}

/// Counts (valid multi-byte sequences, invalid sequences) in `bytes`, ignoring a sequence cut
/// off at the end of the sample.
fn utf8_census(mut bytes: &[u8]) -> (usize, usize) {
    let (mut multi, mut invalid) = (0, 0);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                multi += s.chars().filter(|c| !c.is_ascii()).count();
                return (multi, invalid);
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                multi += std::str::from_utf8(good)
                    .map(|s| s.chars().filter(|c| !c.is_ascii()).count())
                    .unwrap_or(0);
                match e.error_len() {
                    Some(len) => {
                        invalid += 1;
                        bytes = &rest[len..];
                    }
                    None => return (multi, invalid),
                }
            }
        }
    }
}

/// Strips a leading UTF-8 byte-order mark from a slice.
pub fn strip_utf8_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes)
}

struct SkipUtf8Bom {
    inner: Box<dyn Read + Send>,
    checked: bool,
    pending: Vec<u8>,
}

impl Read for SkipUtf8Bom {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.checked {
            self.checked = true;
            let mut head = [0u8; 3];
            let mut got = 0;
            while got < 3 {
                match self.inner.read(&mut head[got..])? {
                    0 => break,
                    n => got += n,
                }
            }
            if head[..got] != [0xEF, 0xBB, 0xBF] {
                self.pending.extend_from_slice(&head[..got]);
            }
        }
        if !self.pending.is_empty() {
            let n = self.pending.len().min(buf.len());
            buf[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// A reader whose first bytes have been read ahead for sniffing, and can still be read whole.
pub struct Peeked {
    sample: Vec<u8>,
    rest: Option<Box<dyn Read + Send>>,
}

impl Peeked {
    pub fn new(mut reader: Box<dyn Read + Send>) -> io::Result<Self> {
        let mut sample = Vec::with_capacity(SAMPLE_LEN);
        (&mut reader)
            .take(SAMPLE_LEN as u64)
            .read_to_end(&mut sample)?;
        Ok(Peeked {
            sample,
            rest: Some(reader),
        })
    }

    pub fn sample(&self) -> &[u8] {
        &self.sample
    }

    /// The whole stream again, from its first byte.
    pub fn take_stream(&mut self) -> Box<dyn Read + Send> {
        let sample = Cursor::new(std::mem::take(&mut self.sample));
        match self.rest.take() {
            Some(rest) => Box::new(sample.chain(rest)),
            None => Box::new(sample),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(enc: Encoding, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        enc.stream(Box::new(Cursor::new(bytes.to_vec())))
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn detects_boms() {
        assert_eq!(Encoding::detect(b"\xEF\xBB\xBFa,b"), Encoding::UTF8);
        assert_eq!(Encoding::detect(b"\xFF\xFEa\0"), Encoding::UTF16LE);
        assert_eq!(Encoding::detect(b"\xFE\xFF\0a"), Encoding::UTF16BE);
    }

    #[test]
    fn detects_utf16_without_bom() {
        let le: Vec<u8> = "name,phone\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let be: Vec<u8> = "name,phone\n"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        assert_eq!(Encoding::detect(&le), Encoding::UTF16LE);
        assert_eq!(Encoding::detect(&be), Encoding::UTF16BE);
    }

    #[test]
    fn tells_utf8_from_windows_1252() {
        assert_eq!(Encoding::detect(b"name\nJos\xC3\xA9\n"), Encoding::UTF8);
        assert_eq!(Encoding::detect(b"name\nJos\xE9\n"), Encoding::WINDOWS_1252);
        assert_eq!(Encoding::detect(b"plain ascii"), Encoding::UTF8);
        // A UTF-8 file with one bad row stays UTF-8: the row is reported, not repaired.
        assert_eq!(
            Encoding::detect(b"name\nJos\xC3\xA9\nbad \xE9 row\n"),
            Encoding::UTF8
        );
        // A multi-byte character cut off by the end of the sample is not held against UTF-8.
        assert_eq!(Encoding::detect(b"name\nJos\xC3"), Encoding::UTF8);
    }

    #[test]
    fn streams_decode_to_utf8_without_bom() {
        assert_eq!(read_all(Encoding::UTF8, b"\xEF\xBB\xBFab"), b"ab");
        assert_eq!(read_all(Encoding::UTF8, b"ab"), b"ab");
        assert_eq!(read_all(Encoding::UTF8, b"a"), b"a");
        assert_eq!(
            read_all(Encoding::WINDOWS_1252, b"Jos\xE9"),
            "José".as_bytes()
        );
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Zoë".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(read_all(Encoding::UTF16LE, &le), "Zoë".as_bytes());
    }

    #[test]
    fn labels() {
        assert_eq!(Encoding::from_label("latin1"), Some(Encoding::WINDOWS_1252));
        assert_eq!(Encoding::from_label("UTF-16LE"), Some(Encoding::UTF16LE));
        assert_eq!(Encoding::from_label("nope"), None);
    }
}
