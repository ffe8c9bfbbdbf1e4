//! The `bulkline` command: parse the arguments, then run the command to its end
//! ([`bulkline::commands::run`]: the config file, signals, errors, the `--json` answer).

use std::process::ExitCode;

use bulkline::cli::Cli;
use clap::FromArgMatches;

// Rows are allocated on the transform threads and freed on the writer thread: glibc's malloc
// serialises that on its arena locks, mimalloc does not (measured: see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let matches = bulkline::cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    ExitCode::from(bulkline::commands::run::main(&mut cli, &matches))
}
