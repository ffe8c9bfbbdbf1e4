//! A parsed command line (the config file's settings are its defaults), run to its end:
//! signals, the command, and how it ends. A failure is one line on stderr (and a hint); with
//! `--json`, the command answers with one JSON object on stdout, always: its summary, or what
//! failed (`command`, `exit_code`, `error` with `message` and `hint`, and `resume` for a run
//! that stopped early). A reader of stdout that went away ends the command quietly (exit 0: see
//! [`crate::stdout`]).

use clap::ArgMatches;

use super::Run;
use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::exit::{Ended, ExitCode};
use crate::stop::say;

/// Runs `cli` (parsed into `matches`, the config file's settings as its defaults: see
/// [`crate::config::command_for`]) and returns the process's exit code.
pub fn main(cli: &Cli, matches: &ArgMatches, config: Result<Config>) -> u8 {
    let ran = match config.and_then(|config| prepare(cli).map(|()| config)) {
        Ok(config) => dispatch(&cli.command, &config),
        // The config file or the log: a usage or fatal error, never a stop to resume.
        Err(e) => Ran {
            result: Err(e),
            resumes: false,
        },
    };
    let name = matches.subcommand_name().unwrap_or("bulkline");
    end(&cli.command, name, ran).code()
}

/// What a command's run gave, and whether the same command line goes on after the error
/// that stopped it, if one did ([`Run::RESUMES`]).
struct Ran {
    result: Result<Ended>,
    resumes: bool,
}

/// Runs `command`.
fn ran<C: Run>(command: &C, config: &Config) -> Ran {
    Ran {
        result: command.run(config),
        resumes: C::RESUMES,
    }
}

/// The trace, and the process's signals.
fn prepare(cli: &Cli) -> Result<()> {
    crate::trace::init(cli.verbose, cli.log.as_deref()).map_err(|e| match e {
        crate::trace::TraceError::Open { path, source } => {
            Error::io("cannot open the log file", path, source)
        }
        other => Error::Internal(other.to_string()),
    })?;
    // A file-size limit fails the write (exit 3, naming the file) instead of killing the run.
    crate::stop::ignore_file_size_signal();
    // A signal is a stop, not a crash (the sandbox keeps the default: Ctrl-C ends it).
    if !matches!(cli.command, Command::Sandbox(_)) {
        crate::stop::install();
    }
    Ok(())
}

/// Runs the command the command line names (each says itself how it ended: [`Run`]).
fn dispatch(command: &Command, config: &Config) -> Ran {
    match command {
        Command::Clean(args) => ran(args, config),
        Command::Import(args) => ran(args.as_ref(), config),
        Command::Undo(args) => ran(args, config),
        Command::Sms(args) => ran(args.as_ref(), config),
        Command::SmsStatus(args) => ran(args, config),
        Command::Export(args) => ran(args.as_ref(), config),
        Command::Verify(args) => ran(args.as_ref(), config),
        Command::Check(args) => ran(args, config),
        Command::Auth(args) => ran(args, config),
        Command::Config(args) => ran(args, config),
        Command::Completions(args) => ran(args, config),
        Command::Man(args) => ran(args, config),
        Command::Sandbox(args) => ran(args, config),
    }
}

/// Whether the command was asked for its `--json` answer.
fn json(command: &Command) -> bool {
    match command {
        Command::Clean(args) => args.json,
        Command::Config(args) => args.json,
        Command::Import(args) => args.api.json,
        Command::Undo(args) => args.api.json,
        Command::Sms(args) => args.api.json,
        Command::SmsStatus(args) => args.api.json,
        Command::Export(args) => args.api.json,
        Command::Verify(args) => args.api.json,
        Command::Check(args) => args.api.json,
        Command::Auth(args) => match &args.action {
            crate::cli::AuthAction::Login(a) => a.file.json,
            crate::cli::AuthAction::Status(a) => a.json,
            crate::cli::AuthAction::Logout(a) => a.file.json,
        },
        Command::Completions(_) | Command::Man(_) | Command::Sandbox(_) => false,
    }
}

/// How the command `name` ends as it `ran`: the error on stderr, how to resume, the `--json`
/// answer; the exit code.
fn end(command: &Command, name: &str, ran: Ran) -> ExitCode {
    let (code, resumable, failure) = match ran.result {
        Ok(ended) => (ended.code, ended.resumable, None),
        // The reader of stdout took what it wanted (`| head`): nothing is wrong.
        Err(Error::StdoutClosed) => return ExitCode::Ok,
        Err(e) => {
            say(&format!("bulkline: error: {e}"));
            if let Some(hint) = e.hint() {
                say(&format!("  hint: {hint}"));
            }
            let code = e.exit_code();
            (code, code == ExitCode::Resumable && ran.resumes, Some(e))
        }
    };
    // Stopped early (a signal, a quota, the API unreachable): say exactly how to go on, even
    // with --quiet or --json.
    let resume = resumable.then(crate::stop::resume_command);
    if let Some(line) = &resume {
        say(&format!(
            "bulkline: stopped before the end; resume with: {line}"
        ));
    }
    if !json(command) {
        return code;
    }
    let mut answer =
        crate::stdout::final_answer(crate::stdout::take_answer(), name, code, failure.as_ref());
    if let (Some(line), Some(object)) = (resume, answer.as_object_mut()) {
        object.insert("resume".into(), line.into());
    }
    match crate::stdout::print_json(&answer) {
        Ok(()) | Err(Error::StdoutClosed) => code,
        Err(e) => {
            say(&format!("bulkline: error: {e}"));
            ExitCode::Fatal
        }
    }
}
