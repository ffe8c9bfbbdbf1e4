//! The commands: each turns its parsed arguments into a run of the pipeline.

pub mod api;
pub mod auth;
pub mod check;
pub mod clean;
pub mod config;
pub mod docs;
pub mod export;
pub mod import;
pub mod run;
pub mod sandbox;
pub mod sms;
pub mod sms_status;
pub mod undo;
pub mod verify;

use crate::cli::InputArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::exit::Ended;
use crate::input::InputPlan;
use crate::mapping::MappingSpec;
use crate::region;
use crate::source::{Encoding, Format, SourceOptions};
use crate::transform::TransformOptions;

/// A command the command line names: it runs to its end and says how it ended ([`Ended`]:
/// its exit code, and whether a run that stopped early goes on when run again), and whether
/// a failure that stopped it (exit 4: the API unreachable, a quota, a signal) does.
pub trait Run {
    /// Whether the same command line goes on where a run that failed with a resumable error
    /// stopped (a run with a journal, an undo): the command then ends saying how to resume.
    const RESUMES: bool;

    /// Runs the command; `config` is the config file as found.
    fn run(&self, config: &Config) -> Result<Ended>;
}

/// Implements [`Run`] for a command's arguments with the function that runs them (`run`,
/// taking the arguments alone) and whether a stopped run goes on when run again.
macro_rules! runs {
    ($args:ty, $run:path, resumes: $resumes:literal) => {
        impl $crate::commands::Run for $args {
            const RESUMES: bool = $resumes;

            fn run(
                &self,
                _config: &$crate::config::Config,
            ) -> $crate::error::Result<$crate::exit::Ended> {
                $run(self)
            }
        }
    };
}
use runs;

/// An option's value read by `parse`, or the usage error `refusal` words.
fn checked<T>(
    given: Option<&str>,
    parse: impl FnOnce(&str) -> Option<T>,
    refusal: impl FnOnce(&str) -> String,
) -> Result<Option<T>> {
    given
        .map(|v| parse(v).ok_or_else(|| Error::Usage(refusal(v))))
        .transpose()
}

/// The byte of a `--delimiter`: one ASCII character, or `tab`.
fn delimiter_byte(d: &str) -> Option<u8> {
    match d {
        "tab" | "\\t" | "\t" => Some(b'\t'),
        d if d.len() == 1 && d.is_ascii() => Some(d.as_bytes()[0]),
        _ => None,
    }
}

/// The input plan of a command that compares or writes a file against a target's records
/// (`import`, `verify`), after refusing with a usage error a destination option that does not
/// apply to `command` (a write option on a read, say).
pub fn input_against_target(
    input: &InputArgs,
    api: &crate::cli::ApiArgs,
    command: &str,
) -> Result<InputPlan> {
    let plan = input_plan(input)?;
    let options = <crate::connectors::DestinationOptions as crate::flags::FlagSource>::flags();
    match api.destination.values.refused_by(&options, command) {
        Some(why) => Err(Error::Usage(why.into())),
        None => Ok(plan),
    }
}

/// The input plan of the arguments, checked.
pub fn input_plan(args: &InputArgs) -> Result<InputPlan> {
    let encoding = checked(args.encoding.as_deref(), Encoding::from_label, |label| {
        format!(
            "--encoding '{label}' is not an encoding this tool knows (try utf-8, utf-16le, windows-1252, latin1)"
        )
    })?;
    let delimiter = checked(args.delimiter.as_deref(), delimiter_byte, |d| {
        format!("--delimiter '{d}' must be one character, or 'tab'")
    })?;
    let default_region = checked(args.default_region.as_deref(), region::parse, |r| {
        format!(
            "--default-region '{r}' is not a region: give an ISO 3166-1 alpha-2 code such as US, GB or DE"
        )
    })?;
    let mut mapping = MappingSpec::default();
    // --map first: the first matching override wins, so flags beat the file.
    for m in &args.maps {
        mapping.add_map_arg(m)?;
    }
    if let Some(path) = &args.mapping {
        mapping.add_file(path)?;
    }
    mapping.region_column = args.region_column.clone();
    Ok(InputPlan {
        source: SourceOptions {
            format: args.format,
            encoding,
            delimiter,
            sheet: args.sheet.clone(),
            meter: None,
            limit: args.limit,
        },
        mapping,
        transform: TransformOptions {
            default_region,
            mobile_only: args.mobile_only,
            bare_digits: args.bare_digits,
            bad_secondary: args.bad_secondary,
            dedupe_by: args.dedupe_by,
            keys_only: false,
        },
        warnings: args.warnings.clone(),
    })
}

/// The default checkpoint journal of a run on `input`: beside it, `<input>.<kind>.checkpoint`.
pub fn journal_beside(input: &str, kind: &str) -> std::path::PathBuf {
    let path = std::path::Path::new(input);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".into());
    path.with_file_name(format!("{name}.{kind}.checkpoint"))
}

/// The journal of a run: `--checkpoint` when given; else, against the sandbox (which forgets
/// everything when the run ends), a temporary `name` that goes with it (the directory must be
/// kept alive for the run); else `beside` (next to the input).
pub fn journal_path(
    given: Option<&str>,
    sandbox: bool,
    name: &str,
    beside: impl FnOnce() -> std::path::PathBuf,
) -> Result<(std::path::PathBuf, Option<tempfile::TempDir>)> {
    if let Some(path) = given {
        return Ok((path.into(), None));
    }
    if !sandbox {
        return Ok((beside(), None));
    }
    let dir = tempfile::tempdir().map_err(|e| {
        Error::io(
            "cannot create a temporary directory in",
            std::env::temp_dir(),
            e,
        )
    })?;
    Ok((dir.path().join(name), Some(dir)))
}
/// The files of a journaled run of `kind` (its target, or `sms`) that reads `input`, with
/// its journal at `checkpoint`. The rejected and refused rows are always kept, except by a dry
/// run, which changes nothing: in `--errors`, else beside the input. The warnings and the
/// dropped duplicates go to `--warnings` and `--duplicates`, else beside the error report (the
/// warnings only when bad values are dropped).
pub fn run_files(
    mut input: InputPlan,
    given: crate::cli::FileArgs<'_>,
    kind: &str,
    checkpoint: std::path::PathBuf,
) -> crate::journaled::Files {
    let input_path = &given.input.input;
    let errors = given.errors.map(str::to_string).or_else(|| {
        (!given.dry_run && input_path != "-")
            .then(|| default_result_file(input_path, kind, "errors", given.report_dir))
    });
    input.warnings = crate::warnings::path(
        given.input.warnings.as_deref(),
        errors.as_deref(),
        given.input.bad_secondary,
    );
    let duplicates = given
        .duplicates
        .map(str::to_string)
        .or_else(|| crate::report::beside_errors(errors.as_deref(), "duplicates"));
    crate::journaled::Files {
        input,
        input_path: input_path.clone(),
        keep: given.input.keep,
        dry_run: given.dry_run,
        checkpoint,
        restart: given.journal.restart,
        reports: crate::sink::ReportPaths {
            errors,
            report: given.report.map(str::to_string),
            duplicates,
        },
    }
}

/// The result file a run keeps when not told where: `<input>.<kind>.errors.csv` (`.jsonl` for a
/// JSON input) beside the input, or in `dir` (`--report-dir`, the config's `report_dir`).
pub fn default_result_file(input: &str, kind: &str, what: &str, dir: Option<&str>) -> String {
    let path = std::path::Path::new(input);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".into());
    let ext = match Format::from_path(input) {
        Some(f) if !f.is_tabular() => "jsonl",
        _ => "csv",
    };
    let file = format!("{name}.{kind}.{what}.{ext}");
    match dir {
        Some(d) => std::path::Path::new(d).join(file),
        None => path.with_file_name(file),
    }
    .display()
    .to_string()
}

/// Asks `question` on the terminal before a large change; without a terminal to ask on, the
/// change is refused with `refusal` (which should name `--yes`).
pub fn confirm_on_terminal(question: &str, refusal: &str) -> Result<bool> {
    use std::io::{BufRead, IsTerminal, Write};
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Error::Usage(refusal.to_string()));
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::io("cannot read the answer from", "standard input", e))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// One contract for every command: `--json` prints its object on stdout, so no data may go
/// there too. `uses` names what would (the option and whether it points at stdout); the first
/// that does is a usage error (exit 2).
pub fn json_owns_stdout(json: bool, uses: &[(&str, bool)]) -> Result<()> {
    if !json {
        return Ok(());
    }
    match uses.iter().find(|(_, on_stdout)| *on_stdout) {
        Some((what, _)) => Err(Error::Usage(format!(
            "--json prints the summary on stdout, where {what} would go too: write it to a file, or drop --json"
        ))),
        None => Ok(()),
    }
}
