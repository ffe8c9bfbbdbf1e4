//! The config file: what a user would otherwise type on every run. It lives at
//! `$XDG_CONFIG_HOME/bulkline/config.toml` (else `~/.config/bulkline/config.toml`), or where
//! `--config` / `BULKLINE_CONFIG` says. Precedence, for every setting: the flag, then its
//! environment variable, then this file, then the built-in default.
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

use clap::ArgMatches;
use clap::parser::ValueSource;
use serde::Deserialize;

use crate::cli::{Cli, Command};
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
pub struct Settings {
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
    pub profile: BTreeMap<String, Settings>,
}

impl Settings {
    /// The settings of `profile` (its table over the top-level settings), or the top-level
    /// ones when `profile` is `None` or the file has no table for it.
    pub fn for_profile(&self, profile: Option<&str>) -> Settings {
        let top = Settings {
            profile: BTreeMap::new(),
            default_profile: None,
            ..self.clone()
        };
        let Some(p) = profile.and_then(|name| self.profile.get(name)) else {
            return top;
        };
        let mut rate = top.rate.clone();
        rate.extend(p.rate.clone());
        Settings {
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
    pub settings: Settings,
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
                    settings: Settings::default(),
                });
            }
            Err(e) => {
                return Err(Error::Usage(format!("config file {}: {e}", path.display())));
            }
        };
        let settings: Settings = toml::from_str(&text).map_err(|e| {
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

/// Whether the argument `id` was given on the command line or by its environment variable.
fn given(m: &ArgMatches, id: &str) -> bool {
    matches!(
        m.try_get_raw(id).ok().flatten().and(m.value_source(id)),
        Some(ValueSource::CommandLine | ValueSource::EnvVariable)
    )
}

/// Fills the settings the command line and the environment left unset from the config file
/// (the settings of the profile in force: see [`profile_in_force`]), and hands the profile to
/// the command.
pub fn apply(cli: &mut Cli, matches: &ArgMatches, config: &Settings) {
    let profile = profile_in_force(cli, config);
    let config = &config.for_profile(profile.as_deref());
    let Some((_, m)) = matches.subcommand() else {
        return;
    };
    let region = |slot: &mut Option<String>| {
        if !given(m, "default_region")
            && let Some(r) = &config.default_region
        {
            *slot = Some(r.clone());
        }
    };
    let api = |api: &mut crate::cli::ApiArgs, rate_key: Option<&str>| {
        api.profile = profile.clone();
        if !given(m, "dc")
            && let Some(dc) = &config.dc
        {
            api.dc = Some(dc.clone());
        }
        if !given(m, "credentials")
            && let Some(c) = &config.credentials
        {
            api.credentials = Some(c.clone());
        }
        if !given(m, "rate")
            && let Some(rate) = rate_key.and_then(|k| config.rate.get(k))
        {
            api.rate = Some(rate.clone());
        }
        if !given(m, "report_dir")
            && let Some(d) = &config.report_dir
        {
            api.report_dir = Some(d.clone());
        }
    };
    match &mut cli.command {
        Command::Clean(a) => region(&mut a.input.default_region),
        Command::Import(a) => {
            region(&mut a.input.default_region);
            let to = a.to.as_str();
            api(&mut a.api, Some(to));
        }
        Command::Verify(a) => {
            region(&mut a.input.default_region);
            let to = a.to.as_str();
            api(&mut a.api, Some(to));
        }
        Command::Sms(a) => {
            region(&mut a.input.default_region);
            api(&mut a.api, Some(crate::sms::API));
            // The environment's sender id comes before the file's.
            if !given(m, "sender_id")
                && std::env::var_os(crate::sms::SENDER_ID_VAR).is_none()
                && let Some(s) = &config.sender_id
            {
                a.sender_id = Some(s.clone());
            }
        }
        Command::Export(a) => {
            let key = match a.from {
                crate::export::fetch::ExportFrom::SmsLogs => crate::sms::API,
                other => other.as_str(),
            };
            api(&mut a.api, Some(key));
        }
        Command::Undo(a) => api(&mut a.api, None),
        Command::SmsStatus(a) => api(&mut a.api, Some(crate::sms::API)),
        Command::Check(a) => {
            api(&mut a.api, Some(a.to.as_str()));
        }
        Command::Auth(a) => {
            let file = match &mut a.action {
                crate::cli::AuthAction::Login(l) => &mut l.file,
                crate::cli::AuthAction::Status(s) => s,
                crate::cli::AuthAction::Logout(l) => &mut l.file,
            };
            file.profile = profile.clone();
            if file.credentials.is_none() {
                file.credentials = config.credentials.clone();
            }
        }
        Command::Completions(_) | Command::Man(_) | Command::Sandbox(_) | Command::Config(_) => {}
    }
}

/// The profile in force: `--profile` (or `BULKLINE_PROFILE`), else the config file's
/// `default_profile`.
pub fn profile_in_force(cli: &Cli, config: &Settings) -> Option<String> {
    cli.profile
        .clone()
        .or_else(|| config.default_profile.clone())
        .filter(|p| !p.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::dir_with_file;

    fn parsed(args: &[&str], settings: &Settings) -> Cli {
        use clap::FromArgMatches;
        let matches = crate::cli::command()
            .try_get_matches_from(args)
            .expect("valid arguments");
        let mut cli = Cli::from_arg_matches(&matches).expect("a command line");
        apply(&mut cli, &matches, settings);
        cli
    }

    /// The import arguments of `args` after `settings` are applied.
    fn parsed_import(args: &[&str], settings: &Settings) -> crate::cli::ImportArgs {
        let Command::Import(a) = parsed(args, settings).command else {
            panic!("import");
        };
        *a
    }

    #[test]
    fn the_file_fills_what_the_flags_leave_unset() {
        let settings = Settings {
            default_region: Some("DE".into()),
            dc: Some("eu".into()),
            rate: [("zoom-cc".to_string(), "40/s".to_string())].into(),
            ..Settings::default()
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
        let settings: Settings = toml::from_str(
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
        // The file's default profile applies when no flag names one.
        let cli = parsed(
            &["bulkline", "import", "in.csv", "--to", "zoho-voice"],
            &settings,
        );
        assert_eq!(profile_in_force(&cli, &settings).as_deref(), Some("acme"));
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
