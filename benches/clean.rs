//! Speed of the offline pipeline, measured on this machine (numbers in docs/performance.md).
//!
//! - `clean/1m_rows`: the `bulkline clean` binary end to end (start-up, read, decode, map,
//!   normalize, dedupe, write) on a generated 1,000,000-row CSV of mixed international numbers.
//! - `clean/1m_rows_keep_last`, `clean/1m_rows_keep_merge`: the same with `--keep last` and
//!   `--keep merge` (clean rows spooled to disk until every key is seen).
//! - `clean/python_phonenumbers`: `scripts/clean_phonenumbers.py` (Python and Google's
//!   `phonenumbers`, the same job) on a 100,000-row file generated the same way, for the rows/s
//!   side by side; skipped when `python3 -c 'import phonenumbers'` fails.
//! - `normalize/{1,2}_threads`: the E.164 normalizer alone, on 1 and 2 rayon threads.

use std::io::BufWriter;
use std::path::Path;
use std::time::Duration;

use std::process::Command;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
mod common;

// The same allocator as the binary, for the in-process normalizer bench.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROWS: u64 = 1_000_000;

fn generate(path: &Path, rows: u64) {
    let file = std::fs::File::create(path).expect("create the bench input");
    let mut out = BufWriter::new(file);
    bulkline::synth::write_contacts_csv(&mut out, rows, 42).expect("write the bench input");
}

fn bench_clean(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("contacts.csv");
    generate(&input, ROWS);
    let output = dir.path().join("clean.csv");
    let mut group = c.benchmark_group("clean");
    // Ten samples of one run each (a run takes a second or more): the median of 10 runs.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(ROWS));
    group.bench_function("1m_rows", |b| {
        b.iter(|| common::clean(&input, &output, &[]))
    });
    for keep in ["last", "merge"] {
        group.bench_function(format!("1m_rows_keep_{keep}"), |b| {
            b.iter(|| common::clean(&input, &output, &["--keep", keep]))
        });
    }
    if python_has_phonenumbers() {
        let rows = PYTHON_ROWS;
        let small = dir.path().join("contacts_small.csv");
        generate(&small, rows);
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/clean_phonenumbers.py");
        group.throughput(Throughput::Elements(rows));
        group.bench_function("python_phonenumbers", |b| {
            b.iter(|| {
                let status = Command::new("python3")
                    .arg(&script)
                    .arg(&small)
                    .arg(dir.path().join("py_clean.csv"))
                    .arg(dir.path().join("py_errors.csv"))
                    .stdout(std::process::Stdio::null())
                    .status()
                    .expect("run python3");
                assert!(status.success());
            })
        });
    } else {
        eprintln!(
            "clean/python_phonenumbers skipped: python3 cannot import phonenumbers (pip install phonenumbers)"
        );
    }
    group.finish();
}

/// Rows of the Python run (at about 25,000 rows/s, 1M rows would take 40 s a sample).
const PYTHON_ROWS: u64 = 100_000;

fn python_has_phonenumbers() -> bool {
    Command::new("python3")
        .args(["-c", "import phonenumbers"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn bench_normalize(c: &mut Criterion) {
    // The mobiles of a generated export, with the region of their row.
    let mut data = Vec::new();
    bulkline::synth::write_contacts_csv(&mut data, 200_000, 7).expect("generate");
    let numbers = common::mobiles_of(&data);
    let mut group = c.benchmark_group("normalize");
    group.sample_size(20);
    group.throughput(Throughput::Elements(numbers.len() as u64));
    for threads in [1, 2] {
        let pool = common::pool(threads);
        group.bench_function(format!("{threads}_threads"), |b| {
            b.iter(|| common::count_valid(&pool, &numbers))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_clean, bench_normalize);
criterion_main!(benches);
