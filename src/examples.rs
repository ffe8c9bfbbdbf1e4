//! The examples that end each command's `--help` and its man page, and the main page's: kept
//! as text in `examples.txt`, one `[command]` section each (`[bulkline]` for the main page).

/// The text the sections are read from.
const TEXT: &str = include_str!("examples.txt");

/// The examples of `command` (`import`, or `bulkline` for the main page), as the help shows
/// them: an "Examples:" line, then each command line indented by two spaces. `None` when the
/// file has no section for it.
pub fn of(command: &str) -> Option<String> {
    let heading = format!("[{command}]");
    let mut lines = TEXT.lines().skip_while(|l| l.trim() != heading).skip(1);
    let mut out = String::from("Examples:");
    let mut any = false;
    for line in lines.by_ref() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('[') {
            break;
        }
        out.push_str("\n  ");
        out.push_str(line);
        any = true;
    }
    any.then_some(out)
}

/// The commands that have a section, in the file's order.
pub fn commands() -> Vec<&'static str> {
    TEXT.lines()
        .filter_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']'))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_section_has_examples_and_reads_as_the_help_shows_them() {
        let commands = super::commands();
        assert!(commands.contains(&"import") && commands.contains(&"bulkline"));
        for c in &commands {
            let text = super::of(c).unwrap_or_else(|| panic!("{c} has no examples"));
            assert!(text.starts_with("Examples:\n  bulkline "), "{text}");
            assert!(text.lines().count() >= 3, "{c}: {text}");
        }
        assert_eq!(super::of("no-such-command"), None);
    }
}
