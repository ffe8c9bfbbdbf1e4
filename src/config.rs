//! The config file: what a user would otherwise type on every run. It lives at
//! `$XDG_CONFIG_HOME/bulkline/config.toml` (else `~/.config/bulkline/config.toml`), or where
//! `--config` / `BULKLINE_CONFIG` says. Precedence, for every setting: the flag, then its
//! environment variable, then this file, then the built-in default: the file's settings are
//! the command line's defaults, set before it is parsed ([`command_for`]).
//!
//! ```toml
//! default_region = "GB"
//! dc = "eu"
//! credentials = "/home/me/.config/bulkline/credentials.toml"
//! sender_id = "ZYLKER"
//! report_dir = "/home/me/bulkline-reports"
//!
//! [rate]
//! zoho-voice = "10/s"
//! zoom-cc = "40/s"
//!
//! # A profile's settings (`--profile acme`) over the ones above.
//! [profile.acme]
//! dc = "com"
//! report_dir = "/home/me/acme-reports"
//! ```
//!
//! `default_profile = "NAME"` selects a profile when neither `--profile` nor
//! `BULKLINE_PROFILE` does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::ffi::OsString;

use serde::Deserialize;

use crate::cli::named;
use crate::error::{Error, Result};

/// The APIs a `[rate]` entry may name: the targets, and the SMS API.
pub fn rate_keys() -> Vec<&'static str> {
    crate::connectors::TARGETS
        .iter()
        .map(|t| t.as_str())
        .chain([crate::sms::API])
        .collect()
}

/// The settings of the file (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `--default-region`.
    pub default_region: Option<String>,
    /// `--dc`.
    pub dc: Option<String>,
    /// `--credentials`.
    pub credentials: Option<String>,
    /// `--sender-id` of `sms`.
    pub sender_id: Option<String>,
    /// Where the result files a run keeps by default go (else beside the journal).
    pub report_dir: Option<String>,
    /// `--rate` per API: `zoho-voice`, `zoho-books`, `zoom-cc`, `zoho-sms`.
    #[serde(default)]
    pub rate: BTreeMap<String, String>,
    /// The profile used when `--profile` and `BULKLINE_PROFILE` name none.
    pub default_profile: Option<String>,
    /// The profiles' settings, each over the ones above (`[profile.NAME]`).
    #[serde(default)]
    pub profile: BTreeMap<String, FileConfig>,
}

impl FileConfig {
    /// The settings of `profile` (its table over the top-level settings), or the top-level
    /// ones when `profile` is `None` or the file has no table for it.
    pub fn for_profile(&self, profile: Option<&str>) -> FileConfig {
        let top = FileConfig {
            profile: BTreeMap::new(),
            default_profile: None,
            ..self.clone()
        };
        let Some(p) = profile.and_then(|name| self.profile.get(name)) else {
            return top;
        };
        let mut rate = top.rate.clone();
        rate.extend(p.rate.clone());
        FileConfig {
            default_region: p.default_region.clone().or(top.default_region),
            dc: p.dc.clone().or(top.dc),
            credentials: p.credentials.clone().or(top.credentials),
            sender_id: p.sender_id.clone().or(top.sender_id),
            report_dir: p.report_dir.clone().or(top.report_dir),
            rate,
            default_profile: None,
            profile: BTreeMap::new(),
        }
    }
}

/// The config file as found.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was looked for (`None`: no location, neither XDG_CONFIG_HOME nor HOME).
    pub path: Option<PathBuf>,
    /// Whether a file was there.
    pub found: bool,
    pub settings: FileConfig,
}

/// The default location: `$XDG_CONFIG_HOME/bulkline/config.toml`, else
/// `$HOME/.config/bulkline/config.toml`.
pub fn default_path(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let absolute = |v: String| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let base = env("XDG_CONFIG_HOME")
        .and_then(absolute)
        .or_else(|| env("HOME").and_then(absolute).map(|h| h.join(".config")))?;
    Some(base.join("bulkline").join("config.toml"))
}

impl Config {
    /// Reads the file named by `explicit` (which must exist), else the default one if there is
    /// one. A file that is not valid TOML, or names an unknown setting, is a usage error.
    pub fn load(explicit: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Config> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => default_path(env),
        };
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {
                return Ok(Config {
                    path: Some(path),
                    found: false,
                    settings: FileConfig::default(),
                });
            }
            Err(e) => {
                return Err(Error::Usage(format!("config file {}: {e}", path.display())));
            }
        };
        let settings: FileConfig = toml::from_str(&text).map_err(|e| {
            Error::Usage(format!("config file {}: {}", path.display(), e.message()))
        })?;
        if let Some((name, _)) = settings
            .profile
            .iter()
            .find(|(_, p)| !p.profile.is_empty() || p.default_profile.is_some())
        {
            return Err(Error::Usage(format!(
                "config file {}: [profile.{name}] cannot hold profiles of its own",
                path.display()
            )));
        }
        if let Some(bad) = std::iter::once(&settings)
            .chain(settings.profile.values())
            .flat_map(|s| s.rate.keys())
            .find(|k| !rate_keys().contains(&k.as_str()))
        {
            return Err(Error::Usage(format!(
                "config file {}: [rate] {bad:?} is not an API: use {}",
                path.display(),
                rate_keys().join(", ")
            )));
        }
        Ok(Config {
            path: Some(path),
            found: true,
            settings,
        })
    }
}

/// The profile in force: `given` (`--profile` or `BULKLINE_PROFILE`), else the config file's
/// `default_profile`; none when blank.
pub fn profile_in_force<'a>(given: Option<&'a str>, config: &'a FileConfig) -> Option<&'a str> {
    named(given.or(config.default_profile.as_deref()))
}

/// The command line's definition with the config file's settings as the defaults of the
/// options they fill, and the file as found. `args` are read once for `--config` and
/// `--profile` (and their variables) to find the file and the profile; since the file gives
/// defaults, a flag and its environment variable win over it, and it wins over the built-in
/// default. A file that cannot be read is the command's error after parsing (`--help` and a
/// usage error come first, as when the arguments do not parse here: they fail again then).
pub fn command_for(
    args: &[OsString],
    env: impl Fn(&str) -> Option<String>,
) -> (clap::Command, Result<Config>) {
    let plain = crate::cli::command();
    let Ok(first) = plain.clone().try_get_matches_from(args) else {
        return (plain, Ok(Config::default()));
    };
    let explicit = first.get_one::<PathBuf>("config").map(PathBuf::as_path);
    match Config::load(explicit, env) {
        Ok(config) => {
            let given = first.get_one::<String>("profile").map(String::as_str);
            (with_defaults(plain, &config.settings, given), Ok(config))
        }
        Err(e) => (plain, Err(e)),
    }
}

/// The commands that reach an API: the ones that take `--dc`, `--credentials`, `--rate`.
const API_COMMANDS: [&str; 7] = [
    "import",
    "undo",
    "sms",
    "sms-status",
    "verify",
    "export",
    "check",
];

/// `command` with the settings of `file` for the profile in force (see [`profile_in_force`])
/// as defaults, hidden from the help: the region, the data centre, the credentials file, the
/// report directory, the rate of the API a command reaches (by the value of `--to`, or of
/// `--from` for export, whose SMS logs take the SMS API's), the sender id (when the
/// environment names none: it comes before the file's) and the default profile.
pub fn with_defaults(
    command: clap::Command,
    file: &FileConfig,
    given_profile: Option<&str>,
) -> clap::Command {
    let s = file.for_profile(profile_in_force(given_profile, file));
    let mut command = default_to(command, "profile", named(file.default_profile.as_deref()));
    for name in ["clean", "import", "verify", "sms"] {
        command = command.mut_subcommand(name, |c| {
            default_to(c, "default_region", s.default_region.as_deref())
        });
    }
    for name in API_COMMANDS {
        command = command.mut_subcommand(name, |c| {
            let c = default_to(c, "dc", s.dc.as_deref());
            let c = default_to(c, "credentials", s.credentials.as_deref());
            default_to(c, "report_dir", s.report_dir.as_deref())
        });
    }
    let sms_rate = s.rate.get(crate::sms::API).map(String::as_str);
    for name in ["import", "verify", "check"] {
        command = command.mut_subcommand(name, |c| rate_by(c, "to", &s.rate));
    }
    // `export --from zoho-sms-logs` reads the SMS API.
    let export_rates: BTreeMap<String, String> = s
        .rate
        .iter()
        .map(|(k, v)| match k.as_str() {
            crate::sms::API => (crate::sms::LOGS.to_string(), v.clone()),
            _ => (k.clone(), v.clone()),
        })
        .collect();
    command = command.mut_subcommand("export", |c| rate_by(c, "from", &export_rates));
    for name in ["sms", "sms-status"] {
        command = command.mut_subcommand(name, |c| default_to(c, "rate", sms_rate));
    }
    // The environment's sender id comes before the file's.
    if std::env::var_os(crate::sms::SENDER_ID_VAR).is_none() {
        command = command.mut_subcommand("sms", |c| {
            default_to(c, "sender_id", s.sender_id.as_deref())
        });
    }
    command.mut_subcommand("auth", |auth| {
        ["login", "status", "logout"]
            .into_iter()
            .fold(auth, |auth, name| {
                auth.mut_subcommand(name, |c| {
                    default_to(c, "credentials", s.credentials.as_deref())
                })
            })
    })
}

/// `command` with `value` as the hidden default of its argument `id`, if it has one.
fn default_to(command: clap::Command, id: &str, value: Option<&str>) -> clap::Command {
    match value {
        Some(v) if command.get_arguments().any(|a| a.get_id() == id) => command.mut_arg(id, |a| {
            a.default_value(v.to_string()).hide_default_value(true)
        }),
        _ => command,
    }
}

/// `command` whose `--rate` defaults to `rates[V]` when its argument `on` is `V`.
fn rate_by(command: clap::Command, on: &str, rates: &BTreeMap<String, String>) -> clap::Command {
    if rates.is_empty() || !command.get_arguments().any(|a| a.get_id() == "rate") {
        return command;
    }
    command.mut_arg("rate", |a| {
        a.default_value_ifs(rates.iter().map(|(value, rate)| {
            (
                on.to_string(),
                clap::builder::ArgPredicate::from(value.clone()),
                rate.clone(),
            )
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use crate::testutil::dir_with_file;

    /// `args` parsed with `settings` as the config file's.
    fn parsed(args: &[&str], settings: &FileConfig) -> Cli {
        use clap::FromArgMatches;
        let first = crate::cli::command()
            .try_get_matches_from(args)
            .expect("valid arguments");
        let given = first.get_one::<String>("profile").map(String::as_str);
        let matches = with_defaults(crate::cli::command(), settings, given)
            .try_get_matches_from(args)
            .expect("valid arguments");
        Cli::from_arg_matches(&matches).expect("a command line")
    }

    /// The import arguments of `args` after `settings` are applied.
    fn parsed_import(args: &[&str], settings: &FileConfig) -> crate::cli::ImportArgs {
        let Command::Import(a) = parsed(args, settings).command else {
            panic!("import");
        };
        *a
    }

    #[test]
    fn the_file_fills_what_the_flags_leave_unset() {
        let settings = FileConfig {
            default_region: Some("DE".into()),
            dc: Some("eu".into()),
            rate: [("zoom-cc".to_string(), "40/s".to_string())].into(),
            ..FileConfig::default()
        };
        let a = parsed_import(
            &["bulkline", "import", "in.csv", "--to", "zoom-cc"],
            &settings,
        );
        assert_eq!(a.input.default_region.as_deref(), Some("DE"));
        assert_eq!(a.api.dc.as_deref(), Some("eu"));
        assert_eq!(a.api.rate.as_deref(), Some("40/s"));
        // A flag wins, the built-in default does not.
        let args = [
            "bulkline",
            "import",
            "in.csv",
            "--to",
            "zoho-voice",
            "--dc",
            "com",
            "--default-region",
            "GB",
        ];
        let a = parsed_import(&args, &settings);
        assert_eq!(a.input.default_region.as_deref(), Some("GB"));
        assert_eq!(a.api.dc.as_deref(), Some("com"));
        // No rate for Zoho Voice in the file: the published one.
        assert_eq!(a.api.rate, None);
    }

    #[test]
    fn a_profile_table_overrides_the_top_level_settings() {
        let settings: FileConfig = toml::from_str(
            "dc = \"eu\"\ndefault_region = \"DE\"\ndefault_profile = \"acme\"\n[rate]\nzoom-cc = \"10/s\"\n[profile.acme]\ndc = \"com\"\n[profile.acme.rate]\nzoho-voice = \"2/s\"\n",
        )
        .expect("valid");
        let acme = settings.for_profile(Some("acme"));
        assert_eq!(acme.dc.as_deref(), Some("com"));
        assert_eq!(acme.default_region.as_deref(), Some("DE"));
        assert_eq!(acme.rate.get("zoom-cc").map(String::as_str), Some("10/s"));
        assert_eq!(acme.rate.get("zoho-voice").map(String::as_str), Some("2/s"));
        assert_eq!(settings.for_profile(None).dc.as_deref(), Some("eu"));
        assert_eq!(
            settings.for_profile(Some("other")).dc.as_deref(),
            Some("eu")
        );
        // The file's default profile applies when no flag names one, with its settings.
        let a = parsed_import(
            &["bulkline", "import", "in.csv", "--to", "zoho-voice"],
            &settings,
        );
        assert_eq!(a.api.profile_in_force(), Some("acme"));
        assert_eq!(a.api.dc.as_deref(), Some("com"));
        assert_eq!(a.api.rate.as_deref(), Some("2/s"));
        // A flag names another (a blank one: none), whose settings are the top-level ones.
        let a = parsed_import(
            &[
                "bulkline",
                "import",
                "in.csv",
                "--to",
                "zoho-voice",
                "--profile",
                " ",
            ],
            &settings,
        );
        assert_eq!(a.api.profile_in_force(), None);
        assert_eq!(a.api.dc.as_deref(), Some("eu"));
        assert_eq!(a.api.rate, None);
    }

    /// The rate and the credentials file `args` run with under `settings`.
    fn rate_and_credentials(
        args: &[&str],
        settings: &FileConfig,
    ) -> (Option<String>, Option<String>) {
        let api = |a: &crate::cli::ApiArgs| (a.rate.clone(), a.credentials.clone());
        match parsed(args, settings).command {
            Command::Import(a) => api(&a.api),
            Command::Verify(a) => api(&a.api),
            Command::Export(a) => api(&a.api),
            Command::Check(a) => api(&a.api),
            Command::Sms(a) => api(&a.api),
            Command::SmsStatus(a) => api(&a.api),
            Command::Undo(a) => api(&a.api),
            Command::Auth(a) => match a.action {
                crate::cli::AuthAction::Status(f) => (None, f.credentials),
                _ => panic!("auth status"),
            },
            _ => panic!("a command that reaches an API"),
        }
    }

    #[test]
    fn the_rate_is_the_one_of_the_api_the_command_reaches() {
        let settings: FileConfig = toml::from_str(
            "credentials = \"/c.toml\"\n[rate]\nzoho-sms = \"3/s\"\nzoom-cc = \"40/s\"\n",
        )
        .expect("valid");
        let rate = |args: &[&str]| rate_and_credentials(args, &settings).0;
        let some = |r: &str| Some(r.to_string());
        assert_eq!(
            rate(&["bulkline", "import", "i.csv", "--to", "zoom-cc"]),
            some("40/s")
        );
        assert_eq!(
            rate(&["bulkline", "import", "i.csv", "--to", "zoho-voice"]),
            None
        );
        assert_eq!(
            rate(&["bulkline", "verify", "i.csv", "--to", "zoom-cc"]),
            some("40/s")
        );
        assert_eq!(
            rate(&["bulkline", "check", "--to", "zoho-sms"]),
            some("3/s")
        );
        assert_eq!(
            rate(&["bulkline", "check", "--to", "zoom-cc"]),
            some("40/s")
        );
        let export = |from: &str| rate(&["bulkline", "export", "--from", from, "-o", "x.csv"]);
        assert_eq!(export("zoho-sms-logs"), some("3/s"));
        assert_eq!(export("zoom-cc"), some("40/s"));
        assert_eq!(export("zoho-books"), None);
        assert_eq!(
            rate(&["bulkline", "sms-status", "c.checkpoint"]),
            some("3/s")
        );
        assert_eq!(rate(&["bulkline", "undo", "c.checkpoint"]), None);
        // A flag wins.
        let flagged = [
            "bulkline", "import", "i.csv", "--to", "zoom-cc", "--rate", "1/s",
        ];
        assert_eq!(rate(&flagged), some("1/s"));
        // auth reads the credentials file the config file names.
        let (_, credentials) = rate_and_credentials(&["bulkline", "auth", "status"], &settings);
        if std::env::var_os("BULKLINE_CREDENTIALS").is_none() {
            assert_eq!(credentials, some("/c.toml"));
        }
    }

    #[test]
    fn the_default_location_follows_xdg() {
        let env = |xdg: Option<&str>, home: Option<&str>| {
            let (xdg, home) = (xdg.map(str::to_string), home.map(str::to_string));
            move |k: &str| match k {
                "XDG_CONFIG_HOME" => xdg.clone(),
                "HOME" => home.clone(),
                _ => None,
            }
        };
        assert_eq!(
            default_path(env(Some("/x"), Some("/home/u"))),
            Some(PathBuf::from("/x/bulkline/config.toml"))
        );
        assert_eq!(
            default_path(env(None, Some("/home/u"))),
            Some(PathBuf::from("/home/u/.config/bulkline/config.toml"))
        );
        assert_eq!(default_path(env(Some("relative"), None)), None);
    }

    #[test]
    fn unknown_settings_and_apis_are_refused() {
        let (dir, path) = dir_with_file(
            "config.toml",
            "default_region = \"GB\"\n[rate]\nzoom-cc = \"40/s\"\n",
        );
        let c = Config::load(Some(&path), |_| None).expect("a good file");
        assert!(c.found);
        assert_eq!(c.settings.default_region.as_deref(), Some("GB"));
        assert_eq!(
            c.settings.rate.get("zoom-cc").map(String::as_str),
            Some("40/s")
        );
        std::fs::write(&path, "default_regoin = \"GB\"\n").expect("write");
        let err = Config::load(Some(&path), |_| None).expect_err("a typo");
        assert!(err.to_string().contains("default_regoin"), "{err}");
        std::fs::write(&path, "[rate]\nzoom = \"40/s\"\n").expect("write");
        assert!(Config::load(Some(&path), |_| None).is_err());
        // No file at the default location is no config; a named file must exist.
        let missing = dir.path().join("nope.toml");
        assert!(Config::load(Some(&missing), |_| None).is_err());
        let none = Config::load(None, |k| {
            (k == "XDG_CONFIG_HOME").then(|| dir.path().display().to_string())
        })
        .expect("no file is fine");
        assert!(!none.found);
    }
}
