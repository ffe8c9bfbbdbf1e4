//! `bulkline config`: every setting in effect and where it comes from, secrets masked.

use serde_json::json;

use super::auth::mask;
use crate::auth::KEYS;
use crate::cli::ConfigArgs;
use crate::config::{Config, rate_keys};
use crate::error::{Result, exit};
use crate::exit::Ended;

/// One setting: its name, value (masked when secret) and where it comes from.
struct Line {
    name: String,
    value: String,
    source: String,
}

/// The first value among (source, value) pairs, else `fallback`.
fn first(name: &str, found: &[(String, Option<String>)], fallback: (&str, &str)) -> Line {
    for (source, value) in found {
        if let Some(v) = value.as_ref().filter(|v| !v.trim().is_empty()) {
            return Line {
                name: name.to_string(),
                value: v.clone(),
                source: source.clone(),
            };
        }
    }
    Line {
        name: name.to_string(),
        value: fallback.0.to_string(),
        source: fallback.1.to_string(),
    }
}

fn lines(config: &Config) -> Vec<Line> {
    let env = |k: &str| std::env::var(k).ok();
    let s = &config.settings;
    let file = || match &config.path {
        Some(p) => format!("config file {}", p.display()),
        None => "config file".to_string(),
    };
    let from_env = |k: &str| (format!("environment {k}"), env(k));
    let from_file = |v: &Option<String>| (file(), v.clone());
    let mut out = vec![
        first(
            "default_region",
            &[
                from_env("BULKLINE_DEFAULT_REGION"),
                from_file(&s.default_region),
            ],
            ("(none)", "built-in: national numbers need a country column"),
        ),
        first(
            "dc",
            &[from_env("BULKLINE_DC"), from_file(&s.dc)],
            ("com", "built-in default"),
        ),
        first(
            "credentials",
            &[from_env("BULKLINE_CREDENTIALS"), from_file(&s.credentials)],
            ("(none)", "built-in: the environment only"),
        ),
        first(
            "report_dir",
            &[from_file(&s.report_dir)],
            ("(beside the journal)", "built-in default"),
        ),
    ];
    for api in rate_keys() {
        out.push(first(
            &format!("rate.{api}"),
            &[
                from_env("BULKLINE_RATE"),
                from_file(&s.rate.get(api).cloned()),
            ],
            ("(the API's published limit)", "built-in default"),
        ));
    }
    // The credentials: the environment over the credentials file.
    let cred_path = env("BULKLINE_CREDENTIALS").or_else(|| s.credentials.clone());
    let in_file: Vec<(String, String)> = cred_path
        .as_deref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
        .map(|t| {
            t.into_iter()
                .filter_map(|(k, v)| {
                    let v = match v {
                        toml::Value::String(s) => s,
                        toml::Value::Integer(i) => i.to_string(),
                        _ => return None,
                    };
                    Some((k, v))
                })
                .collect()
        })
        .unwrap_or_default();
    for key in KEYS {
        let (value, source) = match env(key).filter(|v| !v.trim().is_empty()) {
            Some(v) => (mask(key, v.trim()), format!("environment {key}")),
            None => match in_file.iter().find(|(k, _)| k == key) {
                Some((_, v)) => (
                    mask(key, v.trim()),
                    format!("credentials file {}", cred_path.clone().unwrap_or_default()),
                ),
                None => ("(unset)".to_string(), String::new()),
            },
        };
        out.push(Line {
            name: key.to_string(),
            value,
            source,
        });
    }
    // The sender id: the environment or the credentials file, else the config file.
    if let Some(line) = out.iter_mut().find(|l| l.name == crate::sms::SENDER_ID_VAR)
        && line.value == "(unset)"
        && let Some(id) = &s.sender_id
    {
        line.value = id.clone();
        line.source = file();
    }
    out
}

/// Nothing to go on from.
impl super::Run for ConfigArgs {
    const RESUMES: bool = false;

    fn run(&self, config: &crate::config::Config) -> Result<Ended> {
        run(self, config)
    }
}

pub fn run(args: &ConfigArgs, config: &Config) -> Result<Ended> {
    let lines = lines(config);
    let file = match (&config.path, config.found) {
        (Some(p), true) => format!("{} (read)", p.display()),
        (Some(p), false) => format!("{} (none there)", p.display()),
        (None, _) => "(no location: neither XDG_CONFIG_HOME nor HOME is set)".to_string(),
    };
    if args.json {
        let settings: serde_json::Map<String, serde_json::Value> = lines
            .iter()
            .map(|l| {
                (
                    l.name.clone(),
                    json!({"value": l.value, "source": l.source}),
                )
            })
            .collect();
        crate::stdout::answer(json!({
            "command": "config",
            "config_file": config.path.as_ref().map(|p| p.display().to_string()),
            "config_file_found": config.found,
            "settings": settings,
            "exit_code": exit::ExitCode::Ok,
        }));
        return Ok(Ended::OK);
    }
    let mut text = format!("config file  {file}\n");
    let width = lines.iter().map(|l| l.name.len()).max().unwrap_or(0);
    for l in &lines {
        if l.source.is_empty() {
            text.push_str(&format!("  {:<width$}  {}\n", l.name, l.value));
        } else {
            text.push_str(&format!(
                "  {:<width$}  {}  ({})\n",
                l.name, l.value, l.source
            ));
        }
    }
    // A reader that went away (`| head`) ends the list quietly.
    crate::stdout::write(&text)?;
    Ok(Ended::OK)
}
