//! The `bulkline` command: parse the arguments, run the command, map errors to exit codes.

use std::process::ExitCode;

use bulkline::cli::{Cli, Command};
use bulkline::commands;
use clap::Parser;

// Rows are allocated on the transform threads and freed on the writer thread: glibc's malloc
// serialises that on its arena locks, mimalloc does not (measured: see the README).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Clean(args) => commands::clean::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Undo(args) => commands::undo::run(args),
        Command::Sms(args) => commands::sms::run(args),
        Command::SmsStatus(args) => commands::sms_status::run(args),
        Command::Export(args) => commands::export::run(args),
        Command::Sandbox(args) => commands::sandbox::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("bulkline: error: {e}");
            if let Some(hint) = e.hint() {
                eprintln!("  hint: {hint}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}
