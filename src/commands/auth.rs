//! `bulkline auth login | status | logout`: the credentials file ([`crate::auth::store`]).
//!
//! Login asks for the values its sign-in service ([`crate::auth::SERVICES`]) names (flags,
//! variables, prompts), makes the service's token request with them (an exchange of a grant
//! code for a refresh token, or a token that tests the values), then stores them and what the
//! exchange issued. The secret is never a flag (it would show in `ps` and the shell's
//! history): its variable, else a prompt without echo, else one line of stdin.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use serde_json::json;

use crate::auth::service::{Ask, Refusal};
use crate::auth::store::{self, CredentialsFile};
use crate::auth::{DataCentre, SERVICES, Secret, Service};
use crate::cli::{AuthAction, AuthArgs, AuthFileArgs, AuthLoginArgs, AuthLogoutArgs};
use crate::connectors::{TARGETS, TargetKind};
use crate::error::{Error, Result};
use crate::exit::Ended;
use crate::http::BaseUrl;

/// The service `--to` names: a service's name, or a target or API it signs in to (the
/// registry says which: `zoom-cc` signs in with zoom).
fn service(text: &str) -> Result<&'static Service> {
    let name = text.trim().to_ascii_lowercase();
    let sms = [crate::sms::API, crate::sms::LOGS].contains(&name.as_str());
    crate::auth::named(&name)
        .or_else(|| TargetKind::named(&name).map(|t| t.descriptor().oauth))
        .or_else(|| sms.then_some(crate::sms::api::SIGNS_IN_WITH))
        .ok_or_else(|| {
            let known: Vec<String> = SERVICES
                .iter()
                .map(|s| format!("{} ({})", s.name, s.covers))
                .collect();
            Error::Usage(format!(
                "--to {:?}: sign in to {}",
                text.trim().to_ascii_lowercase(),
                known.join(" or ")
            ))
        })
}

/// What `check --to` to suggest after signing in to `service`: the first target that signs
/// in with it, with the options that pick its destination.
fn next_check(service: &Service) -> String {
    let Some(target) = TARGETS
        .iter()
        .find(|t| std::ptr::eq(t.descriptor().oauth, service))
    else {
        return String::new();
    };
    let d = target.descriptor();
    std::iter::once(d.name.to_string())
        .chain(
            d.options
                .iter()
                .map(|f| format!("--{} {}", f.long, f.value_name)),
        )
        .collect::<Vec<_>>()
        .join(" ")
}

// Nothing to go on from.
super::runs!(AuthArgs, run, resumes: false);

pub fn run(args: &AuthArgs) -> Result<Ended> {
    match &args.action {
        AuthAction::Login(a) => login(a),
        AuthAction::Status(a) => status(a),
        AuthAction::Logout(a) => logout(a),
    }
}

/// The credentials file of `args`: `--credentials`, else the default location.
fn file_path(args: &AuthFileArgs) -> Result<PathBuf> {
    match &args.credentials {
        Some(p) => Ok(PathBuf::from(p)),
        None => store::default_path(|k| std::env::var(k).ok()).ok_or_else(|| {
            Error::Usage(
                "no place for the credentials file: set HOME or XDG_CONFIG_HOME, or give --credentials FILE".into(),
            )
        }),
    }
}

fn read(path: &std::path::Path) -> Result<CredentialsFile> {
    CredentialsFile::read(path).map_err(Error::from)
}

fn write(file: &CredentialsFile) -> Result<()> {
    file.write().map_err(|e| Error::Io {
        action: "cannot write the credentials file",
        path: file.path.clone(),
        source: e,
    })
}

/// ", scopes A B" for the scopes a token came with, or "" when the endpoint listed none.
fn scopes_note(grant: &crate::auth::Grant) -> String {
    let scopes = grant.scopes().join(" ");
    if scopes.is_empty() {
        String::new()
    } else {
        format!(", scopes {scopes}")
    }
}

/// " (profile NAME)" or "".
fn profile_note(profile: Option<&str>) -> String {
    profile.map_or(String::new(), |p| format!(" (profile {p})"))
}

/// The value of login flag `flag` in `args`, if given.
fn flag<'a>(args: &'a AuthLoginArgs, flag: &str) -> Option<&'a str> {
    match flag {
        "--client-id" => args.client_id.as_deref(),
        "--code" => args.code.as_deref(),
        "--account-id" => args.account_id.as_deref(),
        "--organization-id" => args.organization_id.as_deref(),
        _ => None,
    }
}

/// One value login asks for, as `ask` says: a secret from its variable or a hidden prompt,
/// else from its flag, its variable or a prompt.
fn asked(args: &AuthLoginArgs, ask: &Ask) -> Result<Secret> {
    let env = ask.key.unwrap_or_default();
    if ask.hidden {
        return secret(env, ask.label);
    }
    let given = ask.flag.and_then(|f| flag(args, f));
    let text = value(given, ask.flag.unwrap_or_default(), env, ask.label)?;
    Ok(Secret::new(text))
}

fn login(args: &AuthLoginArgs) -> Result<Ended> {
    let service = service(&args.to)?;
    let path = file_path(&args.file)?;
    let profile = args.file.profile_in_force();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    let http = crate::http::build_client(crate::http::DEFAULT_TIMEOUT)
        .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))?;
    let mut file = read(&path)?;
    let dc_name = args.dc.trim().to_ascii_lowercase();
    let dc: DataCentre = match service.data_centres() {
        Some(_) => args.dc.parse()?,
        None => DataCentre::default(),
    };
    let endpoint = BaseUrl::resolve(&service.token_origin(dc), args.accounts_url.as_deref())?;
    let login = &service.login;
    let [a, b, c] = &login.asks;
    let values = [asked(args, a)?, asked(args, b)?, asked(args, c)?];
    let issued = runtime
        .block_on(service.ask_token(&login.exchange, &http, &endpoint, &values))
        .map_err(|e| match ((login.explain)(&e, &dc_name), login.refusal) {
            (Some(explained), _) => Error::Usage(explained),
            (None, Refusal::Access) => Error::Access(e.to_string()),
            (None, Refusal::Credentials) => Error::from(e),
        })?;
    let refresh = match login.keeps.refresh_token {
        Some((key, missing)) => Some((
            key,
            issued
                .refresh_token
                .ok_or_else(|| Error::Remote(missing.into()))?,
        )),
        None => None,
    };
    file.remove(profile, |k| k.eq_ignore_ascii_case(service.token_key));
    let mut stored: Vec<&str> = Vec::new();
    let mut keep = |key: &'static str, value: &str| {
        file.set(profile, key, value);
        stored.push(key);
    };
    for (ask, value) in login.asks.iter().zip(&values) {
        if let (true, Some(key)) = (ask.stored, ask.key) {
            keep(key, value.expose());
        }
    }
    if let Some((key, token)) = &refresh {
        keep(key, token.expose());
    }
    if let Some(dcs) = service.data_centres() {
        keep(dcs.key, &dc_name);
    }
    for (name, key) in login.keeps.flags {
        if let Some(v) = flag(args, name) {
            keep(key, v.trim());
        }
    }
    let said = (login.done)(
        &dc_name,
        &scopes_note(&issued.grant),
        &format!("{}{}", path.display(), profile_note(profile)),
    );
    write(&file)?;
    if args.file.json {
        crate::stdout::answer(json!({
            "command": "auth login",
            "exit_code": 0,
            "service": service.name,
            "file": path,
            "profile": profile,
            "stored": stored,
        }));
    } else {
        crate::stop::say(&format!("bulkline: {said}"));
        crate::stop::say(&format!(
            "  next: bulkline{} check --to {}",
            profile.map_or(String::new(), |p| format!(" --profile {p}")),
            next_check(service)
        ));
    }
    Ok(Ended::OK)
}

/// A value from its flag (`given`, the value of the flag named `flag`), else its variable
/// (`env`, when not empty), else a prompt on the terminal; a usage error when none can be had.
fn value(given: Option<&str>, flag: &str, env: &str, label: &str) -> Result<String> {
    if let Some(v) = given.map(str::trim).filter(|v| !v.is_empty()) {
        return Ok(v.to_string());
    }
    if !env.is_empty()
        && let Some(v) = std::env::var(env).ok().filter(|v| !v.trim().is_empty())
    {
        return Ok(v.trim().to_string());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::Usage(format!(
            "{label} not given, and there is no terminal to ask for it on: pass {flag}{}",
            if env.is_empty() {
                String::new()
            } else {
                format!(" or set {env}")
            }
        )));
    }
    eprint!("{label}: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::Usage(format!("{label}: {e}")))?;
    let line = line.trim().to_string();
    if line.is_empty() {
        return Err(Error::Usage(format!("{label} not given")));
    }
    Ok(line)
}

/// A secret from its variable, else a prompt without echo on a terminal, else one line of
/// stdin.
fn secret(env: &str, label: &str) -> Result<Secret> {
    if let Some(v) = std::env::var(env).ok().filter(|v| !v.trim().is_empty()) {
        return Ok(Secret::new(v.trim()));
    }
    let read = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{label} (not shown): "))
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map(|_| line)
    }
    .map_err(|e| Error::Usage(format!("{label}: {e}")))?;
    let read = read.trim();
    if read.is_empty() {
        return Err(Error::Usage(format!(
            "{label} not given: set {env}, or type it when asked"
        )));
    }
    Ok(Secret::new(read))
}

/// Masks a stored value: secrets by their length only, ids by their first characters.
pub fn mask(key: &str, value: &str) -> String {
    let key = key.to_ascii_uppercase();
    if ["SECRET", "TOKEN"].iter().any(|s| key.contains(s)) {
        format!("******** ({} characters)", value.chars().count())
    } else {
        let head: String = value.chars().take(4).collect();
        if value.chars().count() > 4 {
            format!("{head}…")
        } else {
            head
        }
    }
}

fn status(args: &AuthFileArgs) -> Result<Ended> {
    let path = file_path(args)?;
    let profile = args.profile_in_force();
    let exists = path.exists();
    let file = read(&path)?;
    let keys: Vec<(String, String)> = file
        .profile(profile)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| {
            let v = match v {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                _ => return None,
            };
            Some((k.to_ascii_uppercase(), mask(&k, &v)))
        })
        .collect();
    let loose = exists.then(|| store::loose_permissions(&path)).flatten();
    let overridden: Vec<&String> = keys
        .iter()
        .map(|(k, _)| k)
        .filter(|k| std::env::var(k).is_ok_and(|v| !v.trim().is_empty()))
        .collect();
    if args.json {
        crate::stdout::answer(json!({
            "command": "auth status",
            "exit_code": 0,
            "file": path,
            "exists": exists,
            "profile": profile,
            "profiles": file.profile_names(),
            "keys": keys.iter().map(|(k, v)| json!({"key": k, "value": v})).collect::<Vec<_>>(),
            "environment_overrides": overridden,
            "warning": loose,
        }));
    } else {
        let mut text = format!(
            "credentials file: {}{}\n",
            path.display(),
            profile_note(profile)
        );
        if !exists {
            text.push_str(&none_yet());
        } else if keys.is_empty() {
            text.push_str("  nothing stored for this profile\n");
        }
        for (k, v) in &keys {
            let over = if overridden.contains(&k) {
                "  (the environment's value is used)"
            } else {
                ""
            };
            text.push_str(&format!("  {k} = {v}{over}\n"));
        }
        let others = file.profile_names();
        if !others.is_empty() {
            text.push_str(&format!("  profiles: {}\n", others.join(", ")));
        }
        crate::stdout::write(&text)?;
        if let Some(w) = loose {
            crate::stop::say(&format!("bulkline: {w}"));
        }
    }
    Ok(Ended::OK)
}

/// The status line of a file not made yet: which `auth login` makes it.
fn none_yet() -> String {
    let logins: Vec<String> = SERVICES
        .iter()
        .enumerate()
        .map(|(i, s)| match i {
            0 => format!("`bulkline auth login --to {}`", s.name),
            _ => format!("`--to {}`", s.name),
        })
        .collect();
    format!("  (none yet: {} makes it)\n", logins.join(" or "))
}

fn logout(args: &AuthLogoutArgs) -> Result<Ended> {
    let path = file_path(&args.file)?;
    let profile = args.file.profile_in_force();
    let service = args.to.as_deref().map(service).transpose()?;
    let mut file = read(&path)?;
    let removed = file.remove(profile, |k| service.is_none_or(|s| s.owns(k)));
    write(&file)?;
    let what = service.map_or("every key".to_string(), |s| format!("the {} keys", s.title));
    if args.file.json {
        crate::stdout::answer(json!({
            "command": "auth logout",
            "exit_code": 0,
            "file": path,
            "profile": profile,
            "removed": removed,
        }));
    } else {
        crate::stop::say(&format!(
            "bulkline: removed {what} ({removed}) from {}{}",
            path.display(),
            profile_note(profile)
        ));
    }
    Ok(Ended::OK)
}
