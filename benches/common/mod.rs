//! What the clean benches share: running the binary's `clean`, the mobiles of a generated
//! file, and counting the valid ones on a pool of threads.

use std::path::Path;
use std::process::Command;

use rayon::prelude::*;

/// Runs `bulkline clean INPUT -o OUTPUT --quiet` with `args`.
pub fn clean(input: &Path, output: &Path, args: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_bulkline"))
        .arg("clean")
        .arg(input)
        .arg("-o")
        .arg(output)
        .arg("--quiet")
        .args(args)
        .status()
        .expect("run bulkline");
    // Exit 1: the generated files hold invalid numbers on purpose.
    assert_eq!(status.code(), Some(1));
}

/// The mobile and the country of every row of a generated CSV (`bulkline::synth`'s columns).
pub fn mobiles_of(data: &[u8]) -> Vec<(String, Option<bulkline::region::Region>)> {
    csv::Reader::from_reader(data)
        .records()
        .filter_map(Result::ok)
        .map(|r| (r[3].to_string(), bulkline::region::from_code(&r[5])))
        .collect()
}

/// A pool of `threads` threads for the normalizer benches.
pub fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
}

/// How many of `numbers` normalize, on `pool`: the normalizer benches' work.
pub fn count_valid(
    pool: &rayon::ThreadPool,
    numbers: &[(String, Option<bulkline::region::Region>)],
) -> usize {
    pool.install(|| {
        numbers
            .par_iter()
            .filter(|(n, r)| bulkline::phone::normalize(n, *r).is_ok())
            .count()
    })
}
