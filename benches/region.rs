//! Speed of `region::parse` on the country cells of a contact export: mostly the same few
//! strings (codes, names in English and other languages, calling codes), one call per row.
//!
//! - `region/codes`: alpha-2 codes only (the table lookup of most files).
//! - `region/mixed`: codes, names, local names, "Name (XX)" forms, calling codes and unknowns.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

// The same allocator as the binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CODES: &[&str] = &["GB", "de", "FR", "US", "es", "IT", "NL", "SE"];

const MIXED: &[&str] = &[
    "GB",
    "de",
    "Germany",
    "United Kingdom",
    "Deutschland",
    "USA",
    "+49",
    "44",
    "France (FR)",
    "DEU",
    "日本",
    "Vereinigtes Königreich",
    "España",
    "U.K.",
    "Atlantis",
    "  Netherlands ",
];

/// `rows` cells cycling through `cells`.
fn column(cells: &[&'static str], rows: usize) -> Vec<&'static str> {
    cells.iter().copied().cycle().take(rows).collect()
}

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("region");
    for (name, cells) in [("codes", CODES), ("mixed", MIXED)] {
        let rows = column(cells, 10_000);
        group.throughput(Throughput::Elements(rows.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                rows.iter()
                    .filter(|cell| bulkline::region::parse(std::hint::black_box(cell)).is_some())
                    .count()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
