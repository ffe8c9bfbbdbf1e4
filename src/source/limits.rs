//! What one input may hold, whatever it declares: the bounds that keep a small file from
//! taking the machine's memory (a workbook that unpacks a gigabyte of text, a sheet whose
//! every cell repeats one long shared string). A real contact export is far below each of them;
//! an input over one is refused with [`crate::error::Error::BadInput`] (exit 3), naming the
//! limit and what to do.

/// The most text one spreadsheet cell may hold (Excel itself stops at 32,767 characters).
pub const CELL_BYTES: usize = 16 << 20;

/// The most text one spreadsheet row may hold, all its cells together.
pub const ROW_BYTES: usize = 16 << 20;

/// The most text a workbook's shared strings table may hold, all its strings together.
pub const SHARED_STRINGS_BYTES: u64 = 256 << 20;

/// The most strings a workbook's shared strings table may hold (a million rows of 16 distinct
/// texts each).
pub const SHARED_STRINGS_COUNT: u64 = 16 << 20;

/// The most bytes one part of a zipped workbook (xlsx, xlsb, ods) may unpack to when it is
/// read whole (everything but an xlsx or xlsb worksheet, which is streamed).
pub const WHOLE_PART_BYTES: u64 = 512 << 20;

/// The most cells a sheet read whole (xls, ods) may span, counting the empty cells inside its
/// used area and the repeats an ods file declares: a million rows of 16 columns.
pub const WHOLE_SHEET_CELLS: u64 = 16 << 20;

/// The largest xls file read (calamine reads one whole into memory; the format stops at
/// 65,536 rows).
pub const XLS_BYTES: u64 = 512 << 20;

/// The largest workbook read from standard input (it is held in memory: calamine seeks).
pub const STDIN_WORKBOOK_BYTES: u64 = 512 << 20;

/// A batch of spreadsheet rows is handed on once it holds this much text, however few rows
/// it has (not a limit on the input: it bounds what waits between the stages).
pub const BATCH_BYTES: usize = 8 << 20;

/// `n` bytes as a person reads a limit: `16 MiB`, `512 KiB`, `100 bytes`.
pub fn size(n: u64) -> String {
    if n >= 1 << 30 && n.is_multiple_of(1 << 30) {
        format!("{} GiB", n >> 30)
    } else if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

/// `n` bytes to one decimal: `1.0 GiB`, `3.5 MiB`, `900 bytes`.
pub fn approx(n: u64) -> String {
    let f = n as f64;
    if n >= 1 << 30 {
        format!("{:.1} GiB", f / f64::from(1u32 << 30))
    } else if n >= 1 << 20 {
        format!("{:.1} MiB", f / f64::from(1u32 << 20))
    } else if n >= 1 << 10 {
        format!("{:.1} KiB", f / f64::from(1u32 << 10))
    } else {
        format!("{n} bytes")
    }
}

/// What to do about a spreadsheet over a limit.
pub const SAVE_AS_CSV: &str = "save the sheet as CSV (File > Save As > CSV UTF-8) and read that";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_limits() {
        assert_eq!(size(CELL_BYTES as u64), "16 MiB");
        assert_eq!(size(SHARED_STRINGS_BYTES), "256 MiB");
        assert_eq!(size(1 << 30), "1 GiB");
        assert_eq!(size(8 << 10), "8 KiB");
        assert_eq!(size(1000), "1000 bytes");
        assert_eq!(approx((1 << 30) + 119), "1.0 GiB");
        assert_eq!(approx(3 << 19), "1.5 MiB");
        assert_eq!(approx(900), "900 bytes");
    }
}
