//! Credentials from the environment, or from the credentials file ([`super::store`]) with the
//! same keys: the default profile's, or those of `--profile NAME`.
//!
//! Keys: `ZOHO_CLIENT_ID`, `ZOHO_CLIENT_SECRET`, `ZOHO_REFRESH_TOKEN` (or `ZOHO_ACCESS_TOKEN`,
//! used as is), `ZOHO_DC` (the data centre the refresh token belongs to),
//! `ZOHO_BOOKS_ORGANIZATION_ID`, `ZOOM_ACCOUNT_ID`, `ZOOM_CLIENT_ID`, `ZOOM_CLIENT_SECRET` (or
//! `ZOOM_ACCESS_TOKEN`), `ZOHO_VOICE_SENDER_ID`. The environment wins over the file. In the
//! file, keys may also be written in lower case (`zoho_client_id = "..."`).

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use super::AuthError;
use super::secret::Secret;

/// Every key read from the environment or the file.
pub const KEYS: [&str; 11] = [
    "ZOHO_CLIENT_ID",
    "ZOHO_CLIENT_SECRET",
    "ZOHO_REFRESH_TOKEN",
    "ZOHO_ACCESS_TOKEN",
    "ZOHO_DC",
    "ZOHO_BOOKS_ORGANIZATION_ID",
    "ZOOM_ACCOUNT_ID",
    "ZOOM_CLIENT_ID",
    "ZOOM_CLIENT_SECRET",
    "ZOOM_ACCESS_TOKEN",
    "ZOHO_VOICE_SENDER_ID",
];

/// Warns on stderr, once a run, when the credentials file at `path` can be read by others.
fn warn_once_if_loose(path: &Path) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    if let Some(warning) = super::store::loose_permissions(path) {
        WARNED.call_once(|| crate::stop::say(&format!("bulkline: {warning}")));
    }
}

/// How to get a Zoho access token.
#[derive(Clone, PartialEq, Eq)]
pub enum ZohoAuth {
    /// The refresh-token flow.
    RefreshToken {
        client_id: String,
        client_secret: Secret,
        refresh_token: Secret,
    },
    /// A ready access token (`ZOHO_ACCESS_TOKEN`), used as is and never refreshed.
    AccessToken(Secret),
}

/// How to get a Zoom access token.
#[derive(Clone, PartialEq, Eq)]
pub enum ZoomAuth {
    /// The server-to-server OAuth flow (`account_credentials`).
    ServerToServer {
        account_id: String,
        client_id: String,
        client_secret: Secret,
    },
    /// A ready access token (`ZOOM_ACCESS_TOKEN`), used as is and never refreshed.
    AccessToken(Secret),
}

/// The variables of a service's access token and of the three values that obtain one.
struct Names {
    token: &'static str,
    trio: [&'static str; 3],
}

const ZOHO_NAMES: Names = Names {
    token: "ZOHO_ACCESS_TOKEN",
    trio: ["ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN"],
};

const ZOOM_NAMES: Names = Names {
    token: "ZOOM_ACCESS_TOKEN",
    trio: ["ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"],
};

/// Credentials as given: a ready access token, or the three values that obtain one.
enum Given<'a> {
    Token(&'a Secret),
    Trio([&'a Secret; 3]),
}

impl fmt::Debug for ZohoAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZohoAuth::RefreshToken {
                client_id,
                client_secret,
                refresh_token,
            } => f
                .debug_struct("RefreshToken")
                .field("client_id", client_id)
                .field("client_secret", client_secret)
                .field("refresh_token", refresh_token)
                .finish(),
            ZohoAuth::AccessToken(token) => f.debug_tuple("AccessToken").field(token).finish(),
        }
    }
}

impl fmt::Debug for ZoomAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZoomAuth::ServerToServer {
                account_id,
                client_id,
                client_secret,
            } => f
                .debug_struct("ServerToServer")
                .field("account_id", account_id)
                .field("client_id", client_id)
                .field("client_secret", client_secret)
                .finish(),
            ZoomAuth::AccessToken(token) => f.debug_tuple("AccessToken").field(token).finish(),
        }
    }
}

/// The credential settings found, every value kept as a [`Secret`] until it is asked for.
#[derive(Clone, Default)]
pub struct Credentials {
    values: BTreeMap<&'static str, Secret>,
}

impl fmt::Debug for Credentials {
    /// Names the keys that are set, never their values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("set", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Credentials {
    /// Reads the process environment, over the credentials file: `file` when given (it must
    /// exist), else the default one when there is one; its default profile, or `profile`.
    pub fn load(file: Option<&Path>, profile: Option<&str>) -> Result<Credentials, AuthError> {
        let env = |key: &str| std::env::var(key).ok();
        let found = match file {
            Some(path) => Some(path.to_path_buf()),
            None => super::store::default_path(env).filter(|p| p.exists()),
        };
        Credentials::from_sources(env, found.as_deref(), profile)
    }

    /// Reads `env` (a lookup such as `std::env::var`), over the credentials file at `file`
    /// (which must exist), its default profile or `profile`. A file that group or others may
    /// read is warned about (once a run).
    pub fn from_sources(
        env: impl Fn(&str) -> Option<String>,
        file: Option<&Path>,
        profile: Option<&str>,
    ) -> Result<Credentials, AuthError> {
        let mut creds = match file {
            Some(path) => {
                let config = |message: String| AuthError::Config {
                    path: path.display().to_string(),
                    message,
                };
                if !path.exists() {
                    return Err(config("no such file".into()));
                }
                warn_once_if_loose(path);
                let read = super::store::CredentialsFile::read(path)?;
                let table = read.profile(profile).ok_or_else(|| {
                    let known = read.profile_names();
                    config(format!(
                        "no profile {:?} in it (profiles: {}); `bulkline auth login --profile {}` adds it",
                        profile.unwrap_or_default(),
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        },
                        profile.unwrap_or_default()
                    ))
                })?;
                Credentials::from_table(table).map_err(config)?
            }
            None => match profile {
                Some(name) => {
                    return Err(AuthError::MissingCredentials(format!(
                        "profile {name:?}: there is no credentials file (`bulkline auth login --profile {name}` makes one)"
                    )));
                }
                None => Credentials::default(),
            },
        };
        for key in KEYS {
            if let Some(value) = env(key).map(|v| v.trim().to_string())
                && !value.is_empty()
            {
                creds.values.insert(key, Secret::new(value));
            }
        }
        Ok(creds)
    }

    /// Reads the keys of a TOML text (strings or integers). Unknown keys are an error, so
    /// that a typo is noticed; the message never quotes a value.
    pub fn from_toml(text: &str) -> Result<Credentials, String> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| format!("not valid TOML: {}", e.message()))?;
        Credentials::from_table(table)
    }

    /// Reads the keys of one profile's table (strings or integers).
    fn from_table(table: toml::Table) -> Result<Credentials, String> {
        let mut values = BTreeMap::new();
        for (name, value) in table {
            if name == "profile" && value.is_table() {
                continue;
            }
            let key = KEYS
                .into_iter()
                .find(|k| k.eq_ignore_ascii_case(&name))
                .ok_or_else(|| format!("unknown key {name:?} (known: {})", KEYS.join(", ")))?;
            let value = match value {
                toml::Value::String(s) => s.trim().to_string(),
                toml::Value::Integer(n) => n.to_string(),
                _ => return Err(format!("{name}: expected a string")),
            };
            if !value.is_empty() {
                values.insert(key, Secret::new(value));
            }
        }
        Ok(Credentials { values })
    }

    /// The data centre the stored Zoho refresh token belongs to (`ZOHO_DC`), if set.
    pub fn zoho_dc(&self) -> Option<String> {
        self.get("ZOHO_DC").map(|s| s.expose().to_string())
    }

    /// Whether `key` is set.
    pub fn has(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    fn get(&self, key: &str) -> Option<&Secret> {
        self.values.get(key)
    }

    fn require(&self, key: &'static str, alternative: &str) -> Result<&Secret, AuthError> {
        self.get(key).ok_or_else(|| {
            AuthError::MissingCredentials(format!("{key} is not set ({alternative})"))
        })
    }

    /// The service's access token if set, else the three values that obtain one (all
    /// required).
    fn given(&self, names: &Names) -> Result<Given<'_>, AuthError> {
        if let Some(t) = self.get(names.token) {
            return Ok(Given::Token(t));
        }
        let [a, b, c] = names.trio;
        let alt = format!("set {a}, {b} and {c}, or {}", names.token);
        let [a, b, c] = names.trio.map(|key| self.require(key, &alt));
        Ok(Given::Trio([a?, b?, c?]))
    }

    /// The Zoho credentials: `ZOHO_ACCESS_TOKEN` if set, else the refresh-token trio.
    pub fn zoho(&self) -> Result<ZohoAuth, AuthError> {
        Ok(match self.given(&ZOHO_NAMES)? {
            Given::Token(token) => ZohoAuth::AccessToken(token.clone()),
            Given::Trio([id, secret, refresh]) => ZohoAuth::RefreshToken {
                client_id: id.expose().to_string(),
                client_secret: secret.clone(),
                refresh_token: refresh.clone(),
            },
        })
    }

    /// The Zoho Voice sender id SMS go out from (`ZOHO_VOICE_SENDER_ID`), if set.
    pub fn voice_sender_id(&self) -> Option<String> {
        self.get("ZOHO_VOICE_SENDER_ID")
            .map(|s| s.expose().to_string())
    }

    /// The Zoho Books organization id (`ZOHO_BOOKS_ORGANIZATION_ID`).
    pub fn books_organization_id(&self) -> Result<String, AuthError> {
        Ok(self
            .require(
                "ZOHO_BOOKS_ORGANIZATION_ID",
                "Zoho Books needs it on every request",
            )?
            .expose()
            .to_string())
    }

    /// The Zoom credentials: `ZOOM_ACCESS_TOKEN` if set, else the server-to-server trio.
    pub fn zoom(&self) -> Result<ZoomAuth, AuthError> {
        Ok(match self.given(&ZOOM_NAMES)? {
            Given::Token(token) => ZoomAuth::AccessToken(token.clone()),
            Given::Trio([account, id, secret]) => ZoomAuth::ServerToServer {
                account_id: account.expose().to_string(),
                client_id: id.expose().to_string(),
                client_secret: secret.clone(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::dir_with_file;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn zoho_from_env() {
        let c = Credentials::from_sources(
            env(&[
                ("ZOHO_CLIENT_ID", "1000.CID"),
                ("ZOHO_CLIENT_SECRET", "topsecret"),
                ("ZOHO_REFRESH_TOKEN", "1000.refresh"),
                ("ZOHO_BOOKS_ORGANIZATION_ID", "10234695"),
            ]),
            None,
            None,
        )
        .expect("loads");
        match c.zoho() {
            Ok(ZohoAuth::RefreshToken {
                client_id,
                client_secret,
                refresh_token,
            }) => {
                assert_eq!(client_id, "1000.CID");
                assert_eq!(client_secret.expose(), "topsecret");
                assert_eq!(refresh_token.expose(), "1000.refresh");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(c.books_organization_id().ok().as_deref(), Some("10234695"));
        assert!(matches!(c.zoom(), Err(AuthError::MissingCredentials(_))));
    }

    #[test]
    fn access_tokens_win() {
        let c = Credentials::from_sources(
            env(&[
                ("ZOHO_ACCESS_TOKEN", "1000.at"),
                ("ZOOM_ACCESS_TOKEN", "zat"),
            ]),
            None,
            None,
        )
        .expect("loads");
        assert!(matches!(c.zoho(), Ok(ZohoAuth::AccessToken(t)) if t.expose() == "1000.at"));
        assert!(matches!(c.zoom(), Ok(ZoomAuth::AccessToken(t)) if t.expose() == "zat"));
    }

    #[test]
    fn file_under_env() {
        let (_dir, path) = dir_with_file(
            "bulkline.toml",
            "zoom_account_id = \"acc\"\nZOOM_CLIENT_ID = \"cid\"\nZOOM_CLIENT_SECRET = \"filesecret\"\nZOHO_BOOKS_ORGANIZATION_ID = 42\n",
        );
        let c = Credentials::from_sources(
            env(&[("ZOOM_CLIENT_SECRET", "envsecret")]),
            Some(&path),
            None,
        )
        .expect("loads");
        match c.zoom() {
            Ok(ZoomAuth::ServerToServer {
                account_id,
                client_id,
                client_secret,
            }) => {
                assert_eq!((account_id.as_str(), client_id.as_str()), ("acc", "cid"));
                assert_eq!(client_secret.expose(), "envsecret");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(c.books_organization_id().ok().as_deref(), Some("42"));
    }

    #[test]
    fn bad_files_are_clear_errors_without_values() {
        assert!(Credentials::from_toml("ZOHO_CLIENT_SECRET = [1]").is_err());
        let err = Credentials::from_toml("ZOHO_CLIENT_SECRETT = \"s3cr3t\"").err();
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("unknown key") && !e.contains("s3cr3t"))
        );
        let err = Credentials::from_toml("ZOHO_CLIENT_SECRET = \"s3cr3t").err();
        assert!(
            err.as_deref().is_some_and(|e| !e.contains("s3cr3t")),
            "{err:?}"
        );
        let missing =
            Credentials::from_sources(|_| None, Some(Path::new("/nonexistent/x.toml")), None);
        assert!(matches!(missing, Err(AuthError::Config { .. })));
    }

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::from_sources(
            env(&[
                ("ZOHO_CLIENT_ID", "cid"),
                ("ZOHO_CLIENT_SECRET", "s3cr3t-client"),
                ("ZOHO_REFRESH_TOKEN", "s3cr3t-refresh"),
                ("ZOOM_ACCOUNT_ID", "acc"),
                ("ZOOM_CLIENT_ID", "zcid"),
                ("ZOOM_CLIENT_SECRET", "s3cr3t-zoom"),
            ]),
            None,
            None,
        )
        .expect("loads");
        let shown = format!("{c:?} {:?} {:?}", c.zoho(), c.zoom());
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("cid") && shown.contains("ZOHO_CLIENT_SECRET"));
        let token = format!("{:?}", ZohoAuth::AccessToken(Secret::new("s3cr3t-at")));
        assert!(!token.contains("s3cr3t"));
    }
}
