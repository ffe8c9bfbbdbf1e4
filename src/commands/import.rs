//! `bulkline import`: the command line of [`crate::import`].

use crate::scopes::Purpose;
use std::path::PathBuf;

use super::api::connect;
use crate::cli::ImportArgs;
use crate::connectors::TargetKind;
use crate::error::Result;
use crate::exit::Ended;
use crate::import::{self, Settings};
use crate::progress::ProgressMode;

/// The default journal: beside the input, named after it and the target.
pub fn default_checkpoint(input: &str, target: TargetKind) -> PathBuf {
    super::journal_beside(input, target.as_str())
}

// A journaled run goes on where it stopped.
super::runs!(ImportArgs, run, resumes: true);

pub fn run(args: &ImportArgs) -> Result<Ended> {
    let input = super::input_against_target(&args.input, &args.api, "import")?;
    super::json_owns_stdout(
        args.api.json,
        &[
            (
                "the dry run's plan (--report, stdout by default)",
                args.dry_run && args.report.as_deref().is_none_or(|r| r == "-"),
            ),
            ("--report", args.report.as_deref() == Some("-")),
            ("--errors", args.errors.as_deref() == Some("-")),
        ],
    )?;
    let api = connect(&args.api, args.to, None, Some(scope_command(args.mode)))?;
    let (checkpoint, temp_journal) = super::journal_path(
        args.journal.checkpoint.as_deref(),
        api.sandbox.is_some(),
        "import.checkpoint",
        || default_checkpoint(&args.input.input, args.to),
    )?;
    let mut files = super::run_files(input, args.files(), args.to.as_str(), checkpoint);
    // A dry run's plan goes to stdout when not told where.
    if args.dry_run && files.reports.report.is_none() {
        files.reports.report = Some("-".to_string());
    }
    let settings = Settings {
        files,
        mode: args.mode,
        matching: api.matching(args.match_by),
        params: api.params.clone(),
        destination: api.destination.clone(),
        progress: ProgressMode::detect(args.api.quiet),
        late: import::LateWrites {
            timeout: super::api::request_timeout(&args.api),
            catch_up: std::time::Duration::from_secs_f64(args.write_catch_up),
        },
        canary: args.canary,
    };
    let mut summary = import::run(&settings, api.remote(), &api.runtime)?;
    if temp_journal.is_some() {
        summary.kept.forget_journal();
    }
    crate::summary::print(&summary, args.api.json, args.api.quiet)?;
    Ok(crate::summary::ended(&summary))
}

/// The scopes an import in `mode` needs, by the command they are listed under.
fn scope_command(mode: crate::import::Mode) -> Purpose {
    match mode {
        crate::import::Mode::Upsert => Purpose::Import,
        crate::import::Mode::Create => Purpose::ImportCreate,
        crate::import::Mode::Update => Purpose::ImportUpdate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_goes_beside_the_input() {
        assert_eq!(
            default_checkpoint(
                "data/in.csv",
                TargetKind::of(&crate::connectors::zoom_cc::DESCRIPTOR)
            ),
            PathBuf::from("data/in.csv.zoom-cc.checkpoint")
        );
        assert_eq!(
            default_checkpoint(
                "in.csv",
                TargetKind::of(&crate::connectors::zoho_voice::DESCRIPTOR)
            ),
            PathBuf::from("in.csv.zoho-voice.checkpoint")
        );
    }
}
