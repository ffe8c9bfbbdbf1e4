//! The `bulkline` command: read the config file into the defaults of the command line, parse
//! the arguments, then run the command to its end ([`bulkline::commands::run`]: signals,
//! errors, the `--json` answer).

use std::process::ExitCode;

use bulkline::cli::Cli;
use clap::FromArgMatches;

// Rows are allocated on the transform threads and freed on the writer thread: glibc's malloc
// serialises that on its arena locks, mimalloc does not (measured: see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // The config file's settings are the defaults of the options they fill.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let (command, config) = bulkline::config::command_for(&args, |k| std::env::var(k).ok());
    let matches = command.get_matches_from(&args);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    ExitCode::from(bulkline::commands::run::main(&cli, &matches, config))
}
