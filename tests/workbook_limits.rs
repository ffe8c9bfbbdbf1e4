//! Workbooks over the limits of one input (shared strings that unpack to a gigabyte, twenty
//! million of them) are refused before they take memory, and a real million-row workbook still
//! reads. In a file of their own: the peak memory of the children of `tests/memory.rs` is
//! measured over all of them.

mod common;

use std::fs::File;
use std::path::Path;

/// The address space a run is given in the bomb tests: a small workbook's run fits in it
/// (mimalloc's and the threads' reservations included), one that unpacks to gigabytes would
/// not.
const ADDRESS_SPACE: u64 = 500 << 20;

/// `bulkline clean INPUT -o OUT`, under an address-space limit of `limit` bytes when given
/// (RLIMIT_AS, set by `ulimit -v` in a shell that then runs bulkline in its place): its exit
/// code, stderr and peak RSS. (A shell rather than a `pre_exec` hook: that forks this process,
/// and a forked child's peak RSS starts from its parent's.)
fn clean_limited(input: &Path, dir: &Path, limit: Option<u64>) -> (Option<i32>, String, u64) {
    let stderr = dir.join("stderr.txt");
    let kib = limit.map_or("unlimited".to_string(), |b| (b >> 10).to_string());
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_bulkline"))
        .arg("clean")
        .arg(input)
        .arg("-o")
        .arg(dir.join("out.csv"))
        .arg("--quiet")
        .stderr(File::create(&stderr).unwrap());
    let (code, peak) = common::run_measured(cmd);
    (
        code,
        std::fs::read_to_string(&stderr).unwrap_or_default(),
        peak,
    )
}

/// Writes an xlsx whose one data row's name is shared string 0, and whose shared strings
/// part `strings` writes.
fn bomb(path: &Path, strings: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>) {
    use common::workbook::{shared, sheet, text, write_xlsx};
    let rows = [
        (1, vec![text("A1", "name"), text("B1", "mobile")]),
        (2, vec![shared("A2", 0), text("B2", "+447400123456")]),
    ];
    write_xlsx(path, &sheet(&rows), Some(strings));
}

/// Shared strings that unpack to a gigabyte (one string of 1 GiB, ~1 MB zipped), or to twenty
/// million strings, or to 300 MiB of 1 KiB strings: each is refused before calamine holds
/// it, in a few megabytes, with exit 3 and the limit named. (Before the check, the first took
/// 3.6 GB and the second 1 GB.) The run's address space is limited to 500 MB.
#[test]
fn shared_string_bombs_are_refused_under_500_mb() {
    let dir = tempfile::tempdir().unwrap();
    let head = b"<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">";
    let one_gib = dir.path().join("one-gib.xlsx");
    bomb(&one_gib, &mut |w| {
        w.write_all(head)?;
        w.write_all(b"<si><t>")?;
        let block = vec![b'A'; 1 << 20];
        for _ in 0..1024 {
            w.write_all(&block)?;
        }
        w.write_all(b"</t></si></sst>")
    });
    let many = dir.path().join("twenty-million.xlsx");
    bomb(&many, &mut |w| {
        w.write_all(head)?;
        let block = b"<si><t>a</t></si>".repeat(100_000);
        for _ in 0..200 {
            w.write_all(&block)?;
        }
        w.write_all(b"</sst>")
    });
    let text = dir.path().join("300-mib.xlsx");
    bomb(&text, &mut |w| {
        w.write_all(head)?;
        let one = format!("<si><t>{}</t></si>", "x".repeat(1024));
        let block = one.repeat(1024);
        for _ in 0..300 {
            w.write_all(block.as_bytes())?;
        }
        w.write_all(b"</sst>")
    });
    for (input, says) in [
        (&one_gib, "over 1 GiB"),
        (&many, "more than 16777216 strings"),
        (&text, "more than 256 MiB of text"),
    ] {
        assert!(
            std::fs::metadata(input).unwrap().len() < 2 << 20,
            "{input:?} is small"
        );
        let (code, stderr, peak) = clean_limited(input, dir.path(), Some(ADDRESS_SPACE));
        assert_eq!(code, Some(3), "{input:?}: {stderr}");
        assert!(stderr.contains(says), "{input:?}: {stderr}");
        assert!(stderr.contains("the limit for one input"), "{stderr}");
        assert!(stderr.contains("save the sheet as CSV"), "{stderr}");
        eprintln!("{input:?}: refused, peak RSS {} MB", peak >> 20);
        assert!(peak < 64 << 20, "{input:?} peaked at {} MB", peak >> 20);
    }
}

/// A million rows of seven text columns in an xlsx with a shared-string table, as Excel saves
/// it (the generated contacts, a string per cell: seven million strings), pass the limits and
/// read in under 400 MB of RSS. (Not under [`ADDRESS_SPACE`]: its peak RSS is about 200 MB,
/// but thread stacks and the allocator's reservations take it past 500 MB of address space.)
#[test]
fn a_million_row_xlsx_with_shared_strings_reads_within_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let input = common::generated_input(dir.path());
    let xlsx = dir.path().join("contacts.xlsx");
    let records = || {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(&input)
            .unwrap()
            .into_records()
            .map(|r| r.unwrap())
    };
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    common::workbook::write_xlsx_streamed(
        &xlsx,
        &mut |w| {
            w.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#)?;
            let mut index = 0usize;
            for (r, record) in records().enumerate() {
                write!(w, r#"<row r="{}">"#, r + 1)?;
                for (c, _) in record.iter().enumerate() {
                    let at = format!("{}{}", (b'A' + c as u8) as char, r + 1);
                    w.write_all(common::workbook::shared(&at, index).as_bytes())?;
                    index += 1;
                }
                w.write_all(b"</row>")?;
            }
            w.write_all(b"</sheetData></worksheet>")
        },
        Some(&mut |w| {
            w.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#)?;
            for record in records() {
                for cell in record.iter() {
                    write!(w, "<si><t xml:space=\"preserve\">{}</t></si>", escape(cell))?;
                }
            }
            w.write_all(b"</sst>")
        }),
    );
    let (code, stderr, peak) = clean_limited(&xlsx, dir.path(), None);
    assert_eq!(code, Some(1), "some generated rows are invalid: {stderr}");
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(out.lines().count() > 800_000, "most rows are clean");
    eprintln!(
        "a million-row xlsx with 7M shared strings: peak RSS {} MB",
        peak >> 20
    );
    assert!(peak < 400 << 20, "peaked at {} MB", peak >> 20);
}
