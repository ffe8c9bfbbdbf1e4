//! `bulkline completions` and `bulkline man`: documents generated from the command line's own
//! definition, so they never drift from it.

use std::path::Path;

use crate::cli::{CompletionsArgs, ManArgs};
use crate::error::{Error, Result, exit};

/// Prints the completion script of `args.shell` on stdout (a reader that went away ends it
/// quietly, see [`crate::stdout`]).
pub fn completions(args: &CompletionsArgs) -> Result<u8> {
    let mut command = crate::cli::command();
    // `generate` panics on a write error: render into memory, then write.
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut command, "bulkline", &mut buf);
    crate::stdout::write_bytes(&buf)?;
    Ok(exit::OK)
}

/// Prints the main man page, or writes every page into `args.dir`.
pub fn man(args: &ManArgs) -> Result<u8> {
    let command = crate::cli::command();
    match &args.dir {
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut buf)
                .map_err(|e| Error::io("cannot render", "the man page", e))?;
            crate::stdout::write_bytes(&buf)?;
            Ok(exit::OK)
        }
        Some(dir) => write_pages(command, dir).map(|()| exit::OK),
    }
}

/// `bulkline.1`, and `bulkline-<command>.1` for each command.
fn write_pages(command: clap::Command, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    let mut command = command;
    command.build();
    let page = |cmd: clap::Command, name: String| -> Result<()> {
        let path = dir.join(format!("{name}.1"));
        let mut buf = Vec::new();
        clap_mangen::Man::new(cmd)
            .title(name.to_uppercase())
            .render(&mut buf)
            .map_err(|e| Error::io("cannot render", &path, e))?;
        std::fs::write(&path, buf).map_err(|e| Error::io("cannot write", &path, e))
    };
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let name = format!("bulkline-{}", sub.get_name());
        page(sub.clone(), name)?;
    }
    page(command, "bulkline".into())
}
