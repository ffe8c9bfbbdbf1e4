//! The man pages' own sections, after the ones clap_mangen draws from the command line
//! (name, synopsis, description, options, commands): EXAMPLES (the command's examples, as its
//! `--help` ends with them), EXIT STATUS and ENVIRONMENT (every variable bulkline reads).

use std::fmt::Write as _;

use crate::error::exit;

/// What each exit code means, for every command.
pub const EXIT_STATUS: [(exit::ExitCode, &str); 5] = [
    (
        exit::ExitCode::Ok,
        "Done: every row was fine (or the command had nothing to report). A reader of stdout \
         that goes away early (`| head`) is no error either.",
    ),
    (
        exit::ExitCode::RowsRejected,
        "Done, but some rows were rejected, refused by the target, in conflict, or (verify) \
         did not land as the file says: see the error report.",
    ),
    (
        exit::ExitCode::Usage,
        "Usage or configuration: a bad option; credentials, a scope or a data centre refused. \
         Fix what the message names: the same command then goes on from where it stopped.",
    ),
    (
        exit::ExitCode::Fatal,
        "Fatal: unreadable input, an I/O error (a full disk, a log that cannot be opened), a \
         canary that found a difference.",
    ),
    (
        exit::ExitCode::Resumable,
        "Stopped early and resumable (a signal, a daily quota, a lock-out longer than \
         --max-wait, the API unreachable): run the same command again.",
    ),
];

/// Every environment variable bulkline reads, and what for: the general ones, each sign-in
/// service's ([`crate::auth::Service::keys`]), then those of the places and the terminal.
pub static ENVIRONMENT: std::sync::LazyLock<Vec<(&'static str, String)>> =
    std::sync::LazyLock::new(|| {
        let services = crate::auth::SERVICES;
        let dc =
            crate::auth::with_data_centres().map_or(String::new(), |s| format!("{} ", s.title));
        let titles: Vec<&str> = services.iter().map(|s| s.title).collect();
        let mut all: Vec<(&'static str, String)> = Vec::new();
        all.extend(GENERAL.iter().map(|(k, v)| (*k, v.to_string())));
        all.push(("BULKLINE_DC", format!("The {dc}data centre (--dc).")));
        all.extend(URLS_AND_PLACES.iter().map(|(k, v)| (*k, v.to_string())));
        for service in services {
            all.extend(service.keys.iter().map(|k| (k.name, k.about.to_string())));
        }
        all.push((
            "XDG_CONFIG_HOME",
            "Where the config and credentials files are (default: ~/.config).".to_string(),
        ));
        all.push((
            "XDG_CACHE_HOME",
            format!(
                "Where the {} access tokens are kept between runs (default: ~/.cache).",
                titles.join(" and ")
            ),
        ));
        all.extend(TERMINAL.iter().map(|(k, v)| (*k, v.to_string())));
        all
    });

/// The general variables, before the data centre's.
const GENERAL: &[(&str, &str)] = &[
    ("BULKLINE_CONFIG", "The config file (--config)."),
    (
        "BULKLINE_PROFILE",
        "The profile: a [profile.NAME] of the credentials and config files (--profile).",
    ),
    (
        "BULKLINE_CREDENTIALS",
        "The credentials file (--credentials; default: $XDG_CONFIG_HOME/bulkline/credentials.toml).",
    ),
    (
        "BULKLINE_LOG",
        "Append the request trace to this file (--log).",
    ),
    ("BULKLINE_RATE", "Requests per second or minute (--rate)."),
    (
        "BULKLINE_MAX_WAIT",
        "The longest lock-out a run waits out before it stops (--max-wait).",
    ),
    (
        "BULKLINE_REQUEST_TIMEOUT",
        "Seconds a request may take (--request-timeout).",
    ),
];

/// The URLs, the region and the places, after the data centre's.
const URLS_AND_PLACES: &[(&str, &str)] = &[
    (
        "BULKLINE_BASE_URL",
        "The API's scheme, host and port (--base-url): a proxy, or `bulkline sandbox`.",
    ),
    (
        "BULKLINE_ACCOUNTS_URL",
        "The token endpoint's scheme, host and port (--accounts-url).",
    ),
    (
        "BULKLINE_DEFAULT_REGION",
        "The country of national numbers with no country of their own (--default-region).",
    ),
    (
        "BULKLINE_REPORT_DIR",
        "Where the default error reports go (--report-dir).",
    ),
    (
        "BULKLINE_STATE_DIR",
        "The state directory: run locks, the campaign marks, test sends (default: \
         $XDG_STATE_HOME/bulkline).",
    ),
    (
        "BULKLINE_STOP_GRACE_MS",
        "How long, in milliseconds, a run stopping on its first signal waits for the requests \
         already sent (default: 10000; the tests set it short).",
    ),
];

/// The state home, the home and what the terminal and the runtime read.
const TERMINAL: &[(&str, &str)] = &[
    (
        "XDG_STATE_HOME",
        "Where the state directory is (default: ~/.local/state).",
    ),
    ("HOME", "The base of the defaults above."),
    (
        "NO_COLOR",
        "Read by the progress bar's terminal library: no colours.",
    ),
    (
        "TERM",
        "Read by the progress bar's terminal library: whether the terminal can draw one.",
    ),
    (
        "RUST_BACKTRACE",
        "Read by the Rust runtime: a backtrace if bulkline ever panics (a bug: report it).",
    ),
];

/// The main page's examples: a first day, from the sandbox to a real account.
pub fn main_examples() -> String {
    crate::examples::of("bulkline").map_or_else(String::new, |e| e + "\n")
}

/// The EXAMPLES, EXIT STATUS and ENVIRONMENT sections of a page, in roff. `examples` is the
/// text a command's `--help` ends with ("Examples:" and one indented command a line).
pub fn sections(examples: Option<&str>) -> String {
    let mut out = String::new();
    let commands: Vec<&str> = examples
        .into_iter()
        .flat_map(str::lines)
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.ends_with(':'))
        .collect();
    if !commands.is_empty() {
        out.push_str(".SH EXAMPLES\n.nf\n");
        for line in commands {
            let _ = writeln!(out, "{}", escape_line(line));
        }
        out.push_str(".fi\n");
    }
    out.push_str(".SH \"EXIT STATUS\"\n");
    for (code, text) in EXIT_STATUS {
        let _ = writeln!(out, ".TP\n.B {}\n{}", code.code(), escape_line(text));
    }
    out.push_str(".SH ENVIRONMENT\n");
    for (name, text) in ENVIRONMENT.iter() {
        let _ = writeln!(out, ".TP\n.B {name}\n{}", escape_line(text));
    }
    out
}

/// A line of text as roff shows it: backslashes escaped, hyphens as hyphens (`\-`, so that
/// options copy and search as typed), and a line starting with a control character kept as
/// text.
fn escape_line(line: &str) -> String {
    let text = line.replace('\\', "\\e").replace('-', "\\-");
    if text.starts_with('.') || text.starts_with('\'') {
        format!("\\&{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_exit_status_and_environment_in_roff() {
        let page = sections(Some(
            "Examples:\n  bulkline man | man -l -\n  .hidden \\ thing\n",
        ));
        assert!(page.starts_with(".SH EXAMPLES\n.nf\nbulkline man | man \\-l \\-\n"));
        assert!(page.contains("\\&.hidden \\e thing\n.fi\n"), "{page}");
        assert!(page.contains(".SH \"EXIT STATUS\"\n.TP\n.B 0\n"), "{page}");
        assert!(page.contains(".TP\n.B 4\nStopped early"), "{page}");
        assert!(
            page.contains(".SH ENVIRONMENT\n.TP\n.B BULKLINE_CONFIG\n"),
            "{page}"
        );
        assert!(!sections(None).contains("EXAMPLES"));
    }

    #[test]
    fn every_variable_is_listed_once() {
        let mut names: Vec<&str> = ENVIRONMENT.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
    }
}
