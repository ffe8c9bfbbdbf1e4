//! `bulkline auth login | status | logout`: the credentials file ([`crate::auth::store`]).
//!
//! Zoho: the API console's Self Client generates a grant code (with the scopes ticked); login
//! exchanges it once, at the account's data centre, for a refresh token, and stores the client
//! id, secret, refresh token and data centre. Zoom: login asks the Server-to-Server OAuth app
//! for a token to test its account id, client id and secret, then stores them. The secret is
//! never a flag (it would show in `ps` and the shell's history): its variable, else a prompt
//! without echo, else one line of stdin.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use serde_json::json;

use crate::auth::store::{self, CredentialsFile};
use crate::auth::{DataCentre, Secret, ZOOM_OAUTH_URL};
use crate::cli::{AuthAction, AuthArgs, AuthFileArgs, AuthLoginArgs, AuthLogoutArgs};
use crate::error::{Error, Result};
use crate::http::BaseUrl;

/// The services one sign-in covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Zoho,
    Zoom,
}

impl Service {
    fn parse(text: &str) -> Result<Service> {
        match text.trim().to_ascii_lowercase().as_str() {
            "zoho" | "zoho-voice" | "zoho-books" | "zoho-sms" | "zoho-sms-logs" => {
                Ok(Service::Zoho)
            }
            "zoom" | "zoom-cc" => Ok(Service::Zoom),
            other => Err(Error::Usage(format!(
                "--to {other:?}: sign in to zoho (Voice, SMS and Books) or zoom (Contact Center)"
            ))),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Service::Zoho => "Zoho",
            Service::Zoom => "Zoom",
        }
    }

    /// Whether `key` of the credentials file belongs to this service.
    fn owns(self, key: &str) -> bool {
        let key = key.to_ascii_uppercase();
        match self {
            Service::Zoho => key.starts_with("ZOHO_"),
            Service::Zoom => key.starts_with("ZOOM_"),
        }
    }
}

pub fn run(args: &AuthArgs) -> Result<u8> {
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

fn login(args: &AuthLoginArgs) -> Result<u8> {
    let service = Service::parse(&args.to)?;
    let path = file_path(&args.file)?;
    let profile = args.file.profile.as_deref();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    let http = crate::http::build_client(crate::http::DEFAULT_TIMEOUT)
        .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))?;
    let mut file = read(&path)?;
    let mut stored: Vec<&str> = Vec::new();
    let said = match service {
        Service::Zoho => {
            let dc: DataCentre = args.dc.parse()?;
            let dc_name = args.dc.trim().to_ascii_lowercase();
            let accounts = BaseUrl::resolve(&dc.accounts_url(), args.accounts_url.as_deref())?;
            let client_id = value(
                args.client_id.as_deref(),
                "--client-id",
                "ZOHO_CLIENT_ID",
                "Client ID",
            )?;
            let secret = secret("ZOHO_CLIENT_SECRET", "Client Secret")?;
            let code = Secret::new(value(args.code.as_deref(), "--code", "", "Grant code")?);
            let issued = runtime
                .block_on(crate::auth::zoho_grant_code(
                    &http, &accounts, &client_id, &secret, &code,
                ))
                .map_err(|e| match e {
                    crate::auth::AuthError::Refused { error, .. } if error == "invalid_code" => {
                        Error::Usage(format!(
                            "Zoho refused the grant code (invalid_code): a grant code works once, lives a few minutes and belongs to the data centre it was made in (--dc {dc_name}); generate a new one in the API console's Self Client"
                        ))
                    }
                    crate::auth::AuthError::Refused { error, .. } if error == "invalid_client" => {
                        Error::Usage(format!(
                            "Zoho refused the client id or secret (invalid_client): copy both from the Self Client's Client Secret tab, for the data centre of the account (--dc {dc_name})"
                        ))
                    }
                    other => Error::from(other),
                })?;
            let refresh = issued.refresh_token.ok_or_else(|| {
                Error::Remote(
                    "Zoho answered the grant code with an access token but no refresh token: generate a new code (a Self Client's code gives one refresh token)".into(),
                )
            })?;
            file.remove(profile, |k| k.eq_ignore_ascii_case("ZOHO_ACCESS_TOKEN"));
            file.set(profile, "ZOHO_CLIENT_ID", &client_id);
            file.set(profile, "ZOHO_CLIENT_SECRET", secret.expose());
            file.set(profile, "ZOHO_REFRESH_TOKEN", refresh.expose());
            file.set(profile, "ZOHO_DC", &dc_name);
            stored.extend([
                "ZOHO_CLIENT_ID",
                "ZOHO_CLIENT_SECRET",
                "ZOHO_REFRESH_TOKEN",
                "ZOHO_DC",
            ]);
            if let Some(org) = &args.organization_id {
                file.set(profile, "ZOHO_BOOKS_ORGANIZATION_ID", org.trim());
                stored.push("ZOHO_BOOKS_ORGANIZATION_ID");
            }
            format!(
                "signed in to Zoho (data centre {dc_name}){}; stored the refresh token in {}{}",
                scopes_note(&issued.grant),
                path.display(),
                profile_note(profile)
            )
        }
        Service::Zoom => {
            let oauth = BaseUrl::resolve(ZOOM_OAUTH_URL, args.accounts_url.as_deref())?;
            let account_id = value(
                args.account_id.as_deref(),
                "--account-id",
                "ZOOM_ACCOUNT_ID",
                "Account ID",
            )?;
            let client_id = value(
                args.client_id.as_deref(),
                "--client-id",
                "ZOOM_CLIENT_ID",
                "Client ID",
            )?;
            let secret = secret("ZOOM_CLIENT_SECRET", "Client Secret")?;
            let issued = runtime
                .block_on(crate::auth::zoom_server_to_server(
                    &http,
                    &oauth,
                    &account_id,
                    &client_id,
                    &secret,
                ))
                .map_err(|e| Error::Access(e.to_string()))?;
            file.remove(profile, |k| k.eq_ignore_ascii_case("ZOOM_ACCESS_TOKEN"));
            file.set(profile, "ZOOM_ACCOUNT_ID", &account_id);
            file.set(profile, "ZOOM_CLIENT_ID", &client_id);
            file.set(profile, "ZOOM_CLIENT_SECRET", secret.expose());
            stored.extend(["ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"]);
            format!(
                "signed in to Zoom (the app's token was issued{}); stored its credentials in {}{}",
                scopes_note(&issued.grant),
                path.display(),
                profile_note(profile)
            )
        }
    };
    write(&file)?;
    if args.file.json {
        crate::stdout::answer(json!({
            "command": "auth login",
            "exit_code": 0,
            "service": service.name().to_ascii_lowercase(),
            "file": path,
            "profile": profile,
            "stored": stored,
        }));
    } else {
        crate::stop::say(&format!("bulkline: {said}"));
        crate::stop::say(&format!(
            "  next: bulkline{} check --to {}",
            profile.map_or(String::new(), |p| format!(" --profile {p}")),
            match service {
                Service::Zoho => "zoho-voice",
                Service::Zoom => "zoom-cc --address-book-id ID",
            }
        ));
    }
    Ok(crate::error::exit::OK)
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

fn status(args: &AuthFileArgs) -> Result<u8> {
    let path = file_path(args)?;
    let profile = args.profile.as_deref();
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
            text.push_str(
                "  (none yet: `bulkline auth login --to zoho` or `--to zoom` makes it)\n",
            );
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
    Ok(crate::error::exit::OK)
}

fn logout(args: &AuthLogoutArgs) -> Result<u8> {
    let path = file_path(&args.file)?;
    let profile = args.file.profile.as_deref();
    let service = args.to.as_deref().map(Service::parse).transpose()?;
    let mut file = read(&path)?;
    let removed = file.remove(profile, |k| service.is_none_or(|s| s.owns(k)));
    write(&file)?;
    let what = service.map_or("every key".to_string(), |s| {
        format!("the {} keys", s.name())
    });
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
    Ok(crate::error::exit::OK)
}
