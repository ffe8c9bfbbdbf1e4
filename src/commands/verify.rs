//! `bulkline verify`: the command line of [`crate::verify`].

use super::api::connect;
use crate::cli::VerifyArgs;
use crate::error::Result;
use crate::exit::Ended;
use crate::scopes::Purpose;
use crate::verify::{self, Settings};

// A comparison keeps no journal: it starts again.
super::runs!(VerifyArgs, run, resumes: false);

pub fn run(args: &VerifyArgs) -> Result<Ended> {
    let input = super::input_against_target(&args.input, &args.api, "verify")?;
    super::json_owns_stdout(
        args.api.json,
        &[("--report", args.report.as_deref() == Some("-"))],
    )?;
    let api = connect(&args.api, args.to, None, Some(Purpose::Verify))?;
    let settings = Settings {
        input,
        input_path: args.input.input.clone(),
        keep: args.input.keep,
        matching: api.matching(args.match_by),
        report: args.report.clone(),
    };
    let summary = verify::run(&settings, api.remote(), &api.runtime)?;
    crate::summary::print(&summary, args.api.json, args.api.quiet)?;
    Ok(crate::summary::ended(&summary))
}
