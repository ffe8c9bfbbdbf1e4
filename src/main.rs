//! The `bulkline` command: parse the arguments, run the command, map errors to exit codes.

use std::process::ExitCode;

use bulkline::cli::{Cli, Command};
use bulkline::commands;
use clap::FromArgMatches;

// Rows are allocated on the transform threads and freed on the writer thread: glibc's malloc
// serialises that on its arena locks, mimalloc does not (measured: see the README).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let matches = bulkline::cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // The config file fills what the flags and the environment left unset.
    let config =
        match bulkline::config::Config::load(cli.config.as_deref(), |k| std::env::var(k).ok()) {
            Ok(c) => c,
            Err(e) => {
                bulkline::stop::say(&format!("bulkline: error: {e}"));
                return ExitCode::from(e.exit_code());
            }
        };
    bulkline::config::apply(&mut cli, &matches, &config.settings);
    if let Err(e) = bulkline::trace::init(cli.verbose, cli.log.as_deref()) {
        bulkline::stop::say(&format!("bulkline: error: {e}"));
        return ExitCode::from(e.exit_code());
    }
    // A file-size limit fails the write (exit 3, naming the file) instead of killing the run.
    bulkline::stop::ignore_file_size_signal();
    // A signal is a stop, not a crash (the sandbox keeps the default: Ctrl-C ends it).
    if !matches!(cli.command, Command::Sandbox(_)) {
        bulkline::stop::install();
    }
    let result = match &cli.command {
        Command::Clean(args) => commands::clean::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Undo(args) => commands::undo::run(args),
        Command::Sms(args) => commands::sms::run(args),
        Command::SmsStatus(args) => commands::sms_status::run(args),
        Command::Export(args) => commands::export::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Check(args) => commands::check::run(args),
        Command::Auth(args) => commands::auth::run(args),
        Command::Config(args) => commands::config::run(args, &config),
        Command::Completions(args) => commands::docs::completions(args),
        Command::Man(args) => commands::docs::man(args),
        Command::Sandbox(args) => commands::sandbox::run(args),
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            bulkline::stop::say(&format!("bulkline: error: {e}"));
            if let Some(hint) = e.hint() {
                bulkline::stop::say(&format!("  hint: {hint}"));
            }
            e.exit_code()
        }
    };
    // Stopped early (a signal, a quota, the API unreachable): say exactly how to go on, even
    // with --quiet or --json.
    if code == bulkline::error::exit::RESUMABLE
        && !matches!(
            cli.command,
            Command::Clean(_)
                | Command::Config(_)
                | Command::Export(_)
                | Command::Verify(_)
                | Command::Check(_)
                | Command::Auth(_)
                | Command::Completions(_)
                | Command::Man(_)
        )
    {
        bulkline::stop::say(&format!(
            "bulkline: stopped before the end; resume with: {}",
            bulkline::stop::resume_command()
        ));
    }
    ExitCode::from(code)
}
