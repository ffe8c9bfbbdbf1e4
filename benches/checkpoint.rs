//! Speed of the checkpoint journal, measured on this machine (numbers in docs/performance.md).
//!
//! - `checkpoint_append/{threads_1,threads_32,tasks_256}`: intents (each durable before the call
//!   returns) and their outcomes appended by 1 or 32 threads, or 256 tokio tasks, sharing group
//!   commits; throughput is in intents (each intent also writes one outcome).
//! - `checkpoint_resume/1m_rows`: opening a journal of 1,000,000 intents and 1,000,000
//!   outcomes and loading its resume state.
//! - `checkpoint_fingerprint/1m_rows`: fingerprinting the rows of a 1,000,000-row contact CSV
//!   (page cache warm): the extra pass an import or a campaign makes before it starts.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bulkline::checkpoint::{Action, Journal, Op, RowOutcome, RunHeader};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn header(input: &Path) -> RunHeader {
    RunHeader::new(
        bulkline::fingerprint::of_input(&input.to_string_lossy(), &Default::default())
            .expect("fingerprint"),
        "zoho-voice",
        "import",
    )
    .param("organization_id", "42")
}

/// Appends `per_worker` intents and outcomes from each of `workers` threads to a new journal.
fn append_threads(dir: &Path, h: &RunHeader, workers: u64, per_worker: u64) -> Duration {
    let path = dir.join("threads.journal");
    let (j, _) = Journal::open_or_create(&path, h, true).expect("open");
    let start = Instant::now();
    let handles: Vec<_> = (0..workers)
        .map(|w| {
            let j = j.clone();
            std::thread::spawn(move || {
                for k in 0..per_worker {
                    let row = w * per_worker + k + 1;
                    let id = j.intent_blocking(Op::Create, &[row], None).expect("intent");
                    j.outcome(
                        id,
                        &[RowOutcome::done(
                            row,
                            Action::Created,
                            Some("4711000000001"),
                        )],
                    )
                    .expect("outcome");
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("worker");
    }
    j.close().expect("close");
    start.elapsed()
}

fn append_tasks(
    rt: &tokio::runtime::Runtime,
    dir: &Path,
    h: &RunHeader,
    tasks: u64,
    per_task: u64,
) -> Duration {
    let path = dir.join("tasks.journal");
    let (j, _) = Journal::open_or_create(&path, h, true).expect("open");
    let start = Instant::now();
    rt.block_on(async {
        let handles: Vec<_> = (0..tasks)
            .map(|t| {
                let j = j.clone();
                tokio::spawn(async move {
                    for k in 0..per_task {
                        let row = t * per_task + k + 1;
                        let id = j.intent(Op::Create, &[row], None).await.expect("intent");
                        j.outcome(
                            id,
                            &[RowOutcome::done(
                                row,
                                Action::Created,
                                Some("4711000000001"),
                            )],
                        )
                        .expect("outcome");
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.expect("task");
        }
    });
    j.close().expect("close");
    start.elapsed()
}

fn bench_append(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("contacts.csv");
    std::fs::write(&input, b"name,mobile\n").expect("input");
    let h = Arc::new(header(&input));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("checkpoint_append");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for (name, workers, each) in [("threads_1", 1u64, 200u64), ("threads_32", 32, 100)] {
        group.throughput(Throughput::Elements(workers * each));
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| append_threads(dir.path(), &h, workers, each))
                    .sum()
            })
        });
    }
    group.throughput(Throughput::Elements(256 * 40));
    group.bench_function("tasks_256", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| append_tasks(&rt, dir.path(), &h, 256, 40))
                .sum()
        })
    });
    group.finish();
}

fn bench_resume(c: &mut Criterion) {
    const ROWS: u64 = 1_000_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("contacts.csv");
    std::fs::write(&input, b"name,mobile\n").expect("input");
    let h = header(&input);
    let path = dir.path().join("big.journal");
    bulkline::checkpoint::write_synthetic(&path, &h, ROWS).expect("journal");
    let mut group = c.benchmark_group("checkpoint_resume");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(2 * ROWS));
    group.bench_function("1m_rows", |b| {
        b.iter(|| {
            let (j, r) = Journal::open_or_create(&path, &h, false).expect("open");
            assert_eq!(r.counts().done, ROWS);
            j.close().expect("close");
        })
    });
    group.finish();
}

fn bench_fingerprint(c: &mut Criterion) {
    const ROWS: u64 = 1_000_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("big.csv");
    let mut data = String::from("First Name,Last Name,Mobile,Email,Country\n");
    for i in 0..ROWS {
        data.push_str(&format!(
            "First{i},Last{i},+4474{i:08},p{i}@example.com,GB\n"
        ));
    }
    std::fs::write(&input, &data).expect("input");
    let path = input.to_string_lossy().into_owned();
    let mut group = c.benchmark_group("checkpoint_fingerprint");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS));
    group.bench_function("1m_rows", |b| {
        b.iter(|| bulkline::fingerprint::of_input(&path, &Default::default()).expect("fingerprint"))
    });
    group.finish();
}

criterion_group!(benches, bench_append, bench_resume, bench_fingerprint);
criterion_main!(benches);
