//! NUL bytes. No contact field holds one, and a NUL passed on cuts a value short in the tools
//! that read the output (C strings, many APIs), so wherever one appears, in the first row or
//! the millionth, of CSV, JSON, a vCard or a spreadsheet cell, its row is rejected
//! (`cell_invalid`, naming the column) and the NUL is shown as `\x00` in the error report.
//!
//! A file that is binary is refused whole instead (exit 3), known by what it is rather than by
//! one NUL: a signature of a format that is not text (see [`super::Kind`]), or a first block
//! whose bytes are largely control characters (see [`looks_binary`]).

use std::borrow::Cow;

use crate::reject::{Code, Rejection, Stage};

/// How much of a file's start [`looks_binary`] looks at.
pub const BLOCK: usize = 8 << 10;

/// Whether the first bytes of a file (in an encoding where ASCII is ASCII) are binary rather
/// than text with a stray NUL: the first [`BLOCK`] bytes hold a NUL and at least 8 control
/// bytes (NUL and the other C0 controls but tab, line feed, vertical tab, form feed, carriage
/// return and escape) making up more than 5% of them. Text holds a handful of control bytes
/// at most; executables, images, archives and databases hold them by the hundred.
pub fn looks_binary(sample: &[u8]) -> bool {
    let block = &sample[..sample.len().min(BLOCK)];
    if memchr::memchr(0, block).is_none() {
        return false;
    }
    let controls = block
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | 0x1B))
        .count();
    controls >= 8 && controls * 20 > block.len()
}

/// Whether `s` holds a NUL.
pub fn holds(s: &str) -> bool {
    memchr::memchr(0, s.as_bytes()).is_some()
}

/// `s` with each NUL shown as `\x00` (as bytes that are not UTF-8 are shown as `\xNN`).
pub fn escape(s: &str) -> Cow<'_, str> {
    if holds(s) {
        Cow::Owned(s.replace('\0', "\\x00"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The rejection of a row whose column `column` holds a NUL.
pub fn rejection(column: &str) -> Rejection {
    Rejection::new(
        Stage::Read,
        column,
        Code::CellInvalid,
        format!(
            "column '{column}' holds a NUL byte (shown as \\x00): no contact field has one; \
             fix the cell"
        ),
    )
}

/// Escapes the NULs of `cells` in place; the index of the first cell that held one.
pub fn escape_cells(cells: &mut [String]) -> Option<usize> {
    let mut first = None;
    for (i, cell) in cells.iter_mut().enumerate() {
        if holds(cell) {
            *cell = escape(cell).into_owned();
            first.get_or_insert(i);
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_nul_in_text_is_not_binary() {
        assert!(!looks_binary(b"name,phone\nAnn\0,+14155552671\n"));
        assert!(!looks_binary(b"name,phone\n\x0BAnn\x1A,1\n\0"));
        let mut long = b"name,phone\n".repeat(1000);
        long[5000] = 0;
        assert!(!looks_binary(&long));
        assert!(!looks_binary(
            b"no nul \x01\x02\x03\x04\x05\x06\x07\x08\x0E\x0F"
        ));
    }

    #[test]
    fn control_heavy_blocks_are_binary() {
        assert!(looks_binary(&[0u8; 100]));
        assert!(looks_binary(
            b"\x7FELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0"
        ));
        let mut sqlite = b"SQLite format 3\0".to_vec();
        sqlite.extend([0x10, 0, 1, 1, 0, 0x40, 0x20, 0x20, 0, 0, 0, 3, 0, 0, 0, 2]);
        assert!(looks_binary(&sqlite));
    }

    #[test]
    fn escapes_and_names_the_first_cell() {
        let mut cells = vec!["a".to_string(), "b\0c".to_string(), "\0".to_string()];
        assert_eq!(escape_cells(&mut cells), Some(1));
        assert_eq!(cells, ["a", "b\\x00c", "\\x00"]);
        assert_eq!(escape_cells(&mut cells), None);
        let r = rejection("Mobile");
        assert_eq!(r.code, Code::CellInvalid);
        assert_eq!(r.field, "Mobile");
        assert!(r.message.contains("NUL"), "{}", r.message);
    }
}
