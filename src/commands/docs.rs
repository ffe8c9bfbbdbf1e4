//! `bulkline completions` and `bulkline man`: documents generated from the command line's own
//! definition, so they never drift from it.

use std::path::Path;

use crate::cli::{CompletionsArgs, ManArgs};
use crate::error::{Error, Result};
use crate::exit::Ended;
use crate::manpage;

// A script or a page, nothing to go on from.
super::runs!(CompletionsArgs, completions, resumes: false);

// A page or a directory of pages, nothing to go on from.
super::runs!(ManArgs, man, resumes: false);

/// Prints the completion script of `args.shell` on stdout (a reader that went away ends it
/// quietly, see [`crate::stdout`]).
pub fn completions(args: &CompletionsArgs) -> Result<Ended> {
    let mut command = crate::cli::command();
    // `generate` panics on a write error: render into memory, then write.
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut command, "bulkline", &mut buf);
    crate::stdout::write_bytes(&buf)?;
    Ok(Ended::OK)
}

/// Prints the main man page, or writes every page into `args.dir`.
pub fn man(args: &ManArgs) -> Result<Ended> {
    let command = crate::cli::command();
    match &args.dir {
        None => {
            let buf = render(command, None, Some(&manpage::main_examples()))
                .map_err(|e| Error::io("cannot render", "the man page", e))?;
            crate::stdout::write_bytes(&buf)?;
            Ok(Ended::OK)
        }
        Some(dir) => write_pages(command, dir).map(|()| Ended::OK),
    }
}

/// The page of `cmd` (titled `title`, else by its name): clap_mangen's sections of the command
/// line (its "EXTRA" section, the help's closing text, left out), then EXAMPLES, EXIT STATUS
/// and ENVIRONMENT.
fn render(
    cmd: clap::Command,
    title: Option<String>,
    examples: Option<&str>,
) -> std::io::Result<Vec<u8>> {
    let has_commands = cmd.get_subcommands().any(|c| !c.is_hide_set());
    let has_version = cmd.get_version().is_some() || cmd.get_long_version().is_some();
    let mut man = clap_mangen::Man::new(cmd);
    if let Some(title) = title {
        man = man.title(title);
    }
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    man.render_options_section(&mut buf)?;
    if has_commands {
        man.render_subcommands_section(&mut buf)?;
    }
    buf.extend_from_slice(manpage::sections(examples).as_bytes());
    if has_version {
        man.render_version_section(&mut buf)?;
    }
    Ok(buf)
}

/// `bulkline.1`, and `bulkline-<command>.1` for each command.
fn write_pages(command: clap::Command, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    let mut command = command;
    command.build();
    let page = |cmd: clap::Command, name: String, examples: Option<&str>| -> Result<()> {
        let path = dir.join(format!("{name}.1"));
        let buf = render(cmd, Some(name.to_uppercase()), examples)
            .map_err(|e| Error::io("cannot render", &path, e))?;
        std::fs::write(&path, buf).map_err(|e| Error::io("cannot write", &path, e))
    };
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let name = format!("bulkline-{}", sub.get_name());
        let examples = sub.get_after_help().map(|t| t.to_string());
        page(sub.clone(), name, examples.as_deref())?;
    }
    page(command, "bulkline".into(), Some(&manpage::main_examples()))
}
