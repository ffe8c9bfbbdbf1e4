//! Credentials from the environment, or from the credentials file ([`super::store`]) with the
//! same keys: the default profile's, or those of `--profile NAME`.
//!
//! The keys are the sign-in services' ([`super::SERVICES`], each service's
//! [`Key`](super::service::Key)s): for each, the three values that obtain a token or a ready
//! access token used as is, and the settings it keeps. The environment wins over the file. In
//! the file, keys may also be written in lower case (`name_of_key = "..."`).

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use super::AuthError;
use super::secret::Secret;
use super::service::{KeyUse, Service};

/// Every key read from the environment or the file: each service's sign-in keys, then each
/// service's settings. It iterates as names (`for key in KEYS`).
pub const KEYS: Keys = Keys;

/// The list of every key ([`KEYS`]), read from the registry.
#[derive(Debug, Clone, Copy)]
pub struct Keys;

impl Keys {
    /// The names, in order.
    pub fn names(self) -> Vec<&'static str> {
        let of = |used: KeyUse| {
            super::SERVICES
                .iter()
                .flat_map(|s| s.keys)
                .filter(move |k| k.used == used)
                .map(|k| k.name)
        };
        of(KeyUse::SignIn).chain(of(KeyUse::Setting)).collect()
    }

    /// The names, joined with ", ".
    pub fn join(self, separator: &str) -> String {
        self.names().join(separator)
    }
}

impl IntoIterator for Keys {
    type Item = &'static str;
    type IntoIter = std::vec::IntoIter<&'static str>;

    fn into_iter(self) -> Self::IntoIter {
        self.names().into_iter()
    }
}

/// Warns on stderr, once a run, when the credentials file at `path` can be read by others.
fn warn_once_if_loose(path: &Path) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    if let Some(warning) = super::store::loose_permissions(path) {
        WARNED.call_once(|| crate::stop::say(&format!("bulkline: {warning}")));
    }
}

/// How to get a service's access token, as the credentials give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// A ready access token, used as is and never refreshed.
    AccessToken(Secret),
    /// The three values that obtain one, in the service's order
    /// ([`Service::values`](super::service::Service::values)).
    Values([Secret; 3]),
}

/// One of the three [`SignIn::Values`] as a service's own credentials type holds it: the
/// [`Secret`] itself, or the text of a value that is no secret (an account or client id).
pub trait SignInValue {
    fn from_secret(secret: Secret) -> Self;
    fn into_secret(self) -> Secret;
}

impl SignInValue for Secret {
    fn from_secret(secret: Secret) -> Secret {
        secret
    }

    fn into_secret(self) -> Secret {
        self
    }
}

impl SignInValue for String {
    fn from_secret(secret: Secret) -> String {
        secret.expose().to_string()
    }

    fn into_secret(self) -> Secret {
        Secret::new(self)
    }
}

/// `From` both ways between [`SignIn`] and a service's own credentials enum, which has an
/// `AccessToken(Secret)` variant and a variant holding the three values in the service's
/// order ([`Service::values`]): `sign_in_conversions!(Auth::Flow { a, b, c })`.
macro_rules! sign_in_conversions {
    ($auth:ident :: $flow:ident { $a:ident, $b:ident, $c:ident $(,)? }) => {
        impl From<$auth> for $crate::auth::SignIn {
            fn from(auth: $auth) -> $crate::auth::SignIn {
                use $crate::auth::credentials::SignInValue;
                match auth {
                    $auth::AccessToken(token) => $crate::auth::SignIn::AccessToken(token),
                    $auth::$flow { $a, $b, $c } => $crate::auth::SignIn::Values([
                        $a.into_secret(),
                        $b.into_secret(),
                        $c.into_secret(),
                    ]),
                }
            }
        }

        impl From<$crate::auth::SignIn> for $auth {
            fn from(sign_in: $crate::auth::SignIn) -> $auth {
                use $crate::auth::credentials::SignInValue;
                match sign_in {
                    $crate::auth::SignIn::AccessToken(token) => $auth::AccessToken(token),
                    $crate::auth::SignIn::Values([$a, $b, $c]) => $auth::$flow {
                        $a: SignInValue::from_secret($a),
                        $b: SignInValue::from_secret($b),
                        $c: SignInValue::from_secret($c),
                    },
                }
            }
        }
    };
}
pub(super) use sign_in_conversions;

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

    /// The data centre `auth login` stored for a service that has data centres, if any.
    pub fn stored_data_centre(&self) -> Option<String> {
        super::SERVICES
            .iter()
            .filter_map(|s| s.data_centres())
            .find_map(|dcs| self.text(dcs.key))
    }

    /// Whether `key` is set.
    pub fn has(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    fn get(&self, key: &str) -> Option<&Secret> {
        self.values.get(key)
    }

    /// The value of `key` (not a secret's), if set.
    pub(super) fn text(&self, key: &str) -> Option<String> {
        self.get(key).map(|s| s.expose().to_string())
    }

    /// The value of `key`, or a missing-credentials error that says what to do
    /// (`alternative`).
    pub(super) fn require(&self, key: &str, alternative: &str) -> Result<&Secret, AuthError> {
        self.get(key).ok_or_else(|| {
            AuthError::MissingCredentials(format!("{key} is not set ({alternative})"))
        })
    }

    /// How to get `service`'s access token: its access token if set, else the three values
    /// that obtain one (all required).
    pub fn sign_in(&self, service: &Service) -> Result<SignIn, AuthError> {
        if let Some(t) = self.get(service.token_key) {
            return Ok(SignIn::AccessToken(t.clone()));
        }
        let [a, b, c] = service.values;
        let alt = format!("set {a}, {b} and {c}, or {}", service.token_key);
        let [a, b, c] = service.values.map(|key| self.require(key, &alt));
        Ok(SignIn::Values([a?.clone(), b?.clone(), c?.clone()]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::zoho::ZohoAuth;
    use crate::auth::zoom::ZoomAuth;
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

    #[test]
    fn each_services_credentials_become_its_values_in_order_and_back() {
        let values = |v: [&str; 3]| SignIn::Values(v.map(Secret::new));
        let zoho = ZohoAuth::RefreshToken {
            client_id: "cid".into(),
            client_secret: Secret::new("secret"),
            refresh_token: Secret::new("refresh"),
        };
        assert_eq!(
            SignIn::from(zoho.clone()),
            values(["cid", "secret", "refresh"])
        );
        assert_eq!(ZohoAuth::from(values(["cid", "secret", "refresh"])), zoho);
        let zoom = ZoomAuth::ServerToServer {
            account_id: "acc".into(),
            client_id: "zcid".into(),
            client_secret: Secret::new("secret"),
        };
        assert_eq!(
            SignIn::from(zoom.clone()),
            values(["acc", "zcid", "secret"])
        );
        assert_eq!(ZoomAuth::from(values(["acc", "zcid", "secret"])), zoom);
        let token = SignIn::AccessToken(Secret::new("at"));
        let as_zoom = ZoomAuth::from(token.clone());
        assert_eq!(as_zoom, ZoomAuth::AccessToken(Secret::new("at")));
        assert_eq!(SignIn::from(as_zoom), token);
    }
}
