//! Speed of the export's file half, measured on this machine (numbers in docs/performance.md): 10,000
//! Zoho Books-shaped contact persons flattened, spooled and written as CSV, JSON Lines and XLSX
//! (`export_write/{csv,jsonl,xlsx}`), throughput in records. The network half is paced by the
//! API's rate limit and measured by `scripts/export_throughput.sh`.

use bulkline::export::columns;
use bulkline::export::table::{OutFormat, Spool, TableOptions};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Map, Value, json};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RECORDS: u64 = 10_000;

fn person(i: u64) -> Map<String, Value> {
    let v = json!({
        "contact_id": 460000000026049u64,
        "contact_person_id": 460000000030000u64 + i,
        "salutation": "Ms",
        "first_name": format!("First{i}"),
        "last_name": format!("Last{i}"),
        "email": format!("person{i}@example.com"),
        "phone": "+1-925-921-9201",
        "mobile": format!("+4474005{:05}", i % 100_000),
        "is_primary_contact": i == 0,
        "designation": if i.is_multiple_of(97) { "=HYPERLINK(\"http://x.test\")" } else { "Sales" },
        "department": "Sales",
        "communication_preference": {"is_sms_enabled": true, "is_whatsapp_enabled": false},
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn bench(c: &mut Criterion) {
    let records: Vec<Map<String, Value>> = (0..RECORDS).map(person).collect();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut group = c.benchmark_group("export_write");
    group.throughput(Throughput::Elements(RECORDS));
    group.sample_size(10);
    for (name, format) in [
        ("csv", OutFormat::Csv),
        ("jsonl", OutFormat::Jsonl),
        ("xlsx", OutFormat::Xlsx),
    ] {
        let path = dir.path().join(format!("out.{name}"));
        let path = path.to_string_lossy().into_owned();
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut spool = Spool::new().expect("spool");
                for r in &records {
                    spool.push(r).expect("push");
                }
                let cols = columns::order(
                    bulkline::connectors::zoho_books::DESCRIPTOR.export_columns,
                    spool.seen(),
                    None,
                );
                let options = TableOptions {
                    format,
                    bom: true,
                    raw: false,
                };
                spool.write(&path, &cols, &options).expect("write")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
