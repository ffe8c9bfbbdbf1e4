//! `bulkline verify`: the command line of [`crate::verify`].

use super::api::connect;
use crate::cli::VerifyArgs;
use crate::error::{Error, Result};
use crate::exit::Ended;
use crate::scopes::Purpose;
use crate::verify::{self, Settings};

/// A comparison keeps no journal: it starts again.
impl super::Run for VerifyArgs {
    const RESUMES: bool = false;

    fn run(&self, _config: &crate::config::Config) -> Result<Ended> {
        run(self)
    }
}

pub fn run(args: &VerifyArgs) -> Result<Ended> {
    let input = super::input_plan(&args.input)?;
    let options = <crate::connectors::DestinationOptions as crate::flags::FlagSource>::flags();
    if let Some(why) = args.api.destination.values.refused_by(&options, "verify") {
        return Err(Error::Usage(why.into()));
    }
    super::json_owns_stdout(
        args.api.json,
        &[("--report", args.report.as_deref() == Some("-"))],
    )?;
    let api = connect(&args.api, args.to, None, Some(Purpose::Verify))?;
    let settings = Settings {
        input,
        input_path: args.input.input.clone(),
        keep: args.input.keep,
        by: args.match_by,
        report: args.report.clone(),
        parents: args.to.descriptor().parents,
        default_parent: api.default_parent.clone(),
    };
    let summary = verify::run(&settings, api.target, api.http, &api.runtime)?;
    crate::summary::print(&summary, args.api.json, args.api.quiet)?;
    Ok(crate::summary::ended(&summary))
}
