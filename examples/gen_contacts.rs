//! Writes a synthetic contact export: `cargo run --release --example gen_contacts -- ROWS FILE [SEED] [mix]`
//! (`mix`: the slow mix of `benches/clean_slow.rs`, half invalid, a tenth dialled out).

use std::fs::File;
use std::io::BufWriter;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(rows), Some(path)) = (args.get(1).and_then(|r| r.parse().ok()), args.get(2)) else {
        eprintln!("usage: gen_contacts ROWS FILE [SEED] [mix]");
        return ExitCode::from(2);
    };
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(42);
    let mix = args.get(4).is_some_and(|a| a == "mix");
    let result = File::create(path).and_then(|f| {
        let mut out = BufWriter::new(f);
        if mix {
            bulkline::synth::write_slow_mix_csv(&mut out, rows, seed)
        } else {
            bulkline::synth::write_contacts_csv(&mut out, rows, seed)
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_contacts: {path}: {e}");
            ExitCode::from(3)
        }
    }
}
