//! Speed of `bulkline clean` on numbers a plain file rarely holds (numbers in
//! docs/performance.md, "A slow mix"):
//!
//! - `clean_slow/1m_rows_mix`: the binary end to end, as `benches/clean.rs` runs it, on a
//!   generated 1,000,000-row CSV of 40 regions where half the mobiles are invalid and a tenth
//!   are dialled out with the IDD prefix of the row's country
//!   ([`bulkline::synth::write_slow_mix_csv`]).
//! - `normalize_mix/2_threads`: the normalizer alone on the same mix's mobiles.

use std::io::BufWriter;
use std::time::Duration;

mod common;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

// The same allocator as the binary, for the in-process normalizer bench.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROWS: u64 = 1_000_000;

fn bench_clean_mix(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("mix.csv");
    let file = std::fs::File::create(&input).expect("create the bench input");
    bulkline::synth::write_slow_mix_csv(&mut BufWriter::new(file), ROWS, 24)
        .expect("write the bench input");
    let output = dir.path().join("clean.csv");
    let mut group = c.benchmark_group("clean_slow");
    // Ten samples of one run each: the median of 10 runs, kept short.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(5));
    group.warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(ROWS));
    group.bench_function("1m_rows_mix", |b| {
        b.iter(|| common::clean(&input, &output, &[]))
    });
    group.finish();
}

fn bench_normalize_mix(c: &mut Criterion) {
    let mut data = Vec::new();
    bulkline::synth::write_slow_mix_csv(&mut data, 200_000, 7).expect("generate");
    let numbers = common::mobiles_of(&data);
    let pool = common::pool(2);
    let mut group = c.benchmark_group("normalize_mix");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(3));
    group.warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(numbers.len() as u64));
    group.bench_function("2_threads", |b| {
        b.iter(|| common::count_valid(&pool, &numbers))
    });
    group.finish();
}

criterion_group!(benches, bench_clean_mix, bench_normalize_mix);
criterion_main!(benches);
