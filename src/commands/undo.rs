//! `bulkline undo CHECKPOINT`: the command line of [`crate::undo`]. It opens the import's
//! journal, connects to the target the journal names (with the destination options left out:
//! where to delete is the journal's), hands the undo its settings and prints its summary.

use crate::scopes::Purpose;
use std::path::Path;
use std::time::Duration;

use super::api::connect;
use crate::cli::UndoArgs;
use crate::error::Result;
use crate::exit::Ended;
use crate::undo::{self, Settings};

// Its journal keeps what was deleted.
super::runs!(UndoArgs, run, resumes: true);

/// Runs `bulkline undo` with `args`; the exit code of the run.
pub fn run(args: &UndoArgs) -> Result<Ended> {
    super::json_owns_stdout(
        args.api.json,
        &[("the dry run's list of deletes", args.dry_run)],
    )?;
    let import_path = Path::new(&args.checkpoint);
    crate::paths::check_journal(import_path)?;
    let opened = undo::journal::open(import_path, args.dry_run)?;
    // The destination is the journal's (see the module docs of `crate::undo`): what picks one
    // for an import is left out.
    let api_args = crate::cli::ApiArgs {
        destination: Default::default(),
        ..args.api.clone()
    };
    let api = connect(
        &api_args,
        opened.kind,
        Some(&opened.header.target_params),
        Some(Purpose::Undo),
    )?;
    let yes = args.yes;
    let settings = Settings {
        checkpoint: args.checkpoint.clone(),
        dry_run: args.dry_run,
        restart: args.restart,
        destination: api.destination.clone(),
        late: crate::import::LateWrites {
            timeout: Duration::from_secs_f64(args.api.request_timeout),
            catch_up: Duration::from_secs_f64(args.write_catch_up),
        },
        // The report of refused deletes is always kept: in --errors, else beside the journal.
        errors: args.errors.clone().unwrap_or_else(|| {
            super::default_result_file(
                &args.checkpoint,
                "undo",
                "errors",
                args.api.report_dir.as_deref(),
            )
        }),
        confirm: Box::new(move |n, target| Ok(yes || confirm_deletes(n, target)?)),
    };
    let summary = undo::run(&settings, opened, api.remote(), &api.runtime)?;
    crate::summary::print(&summary, args.api.json, args.api.quiet)?;
    Ok(crate::summary::ended(&summary))
}

/// Asks on the terminal before deleting `n` records from `target`.
fn confirm_deletes(n: u64, target: &str) -> Result<bool> {
    super::confirm_on_terminal(
        &format!("Delete {n} records from {}?", target),
        &format!(
            "this deletes {n} records from {} and there is no terminal to confirm on: add --yes (check first with --dry-run)",
            target
        ),
    )
}
