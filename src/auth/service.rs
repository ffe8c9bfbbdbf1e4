//! A sign-in service: everything bulkline knows about getting a vendor's access tokens, as
//! one descriptor. Each service has its own module (`auth/<name>.rs`) with a `SERVICE`
//! built of data and functions; the registry line in `auth/mod.rs` lists them in
//! [`super::SERVICES`], and the shared code (the credentials, the token provider, `auth
//! login`, the pre-flight, the man page) asks the registry instead of naming a vendor.

use super::AuthError;
use super::datacentre::DataCentre;
use super::flow::{Issued, read_token, token_url};
use super::secret::Secret;
use crate::http::VendorCode;
use crate::http::request::BaseUrl;

/// A token request: the grant it asks for, and where the service's three values go.
#[derive(Debug, Clone, Copy)]
pub struct TokenRequest {
    /// The `grant_type`.
    pub grant_type: &'static str,
    /// Where the values go.
    pub values: GrantValues,
}

/// Where a token request's three values go, in the service's order.
#[derive(Debug, Clone, Copy)]
pub enum GrantValues {
    /// A form body, after `grant_type`, each under its name (no secret ends up in a URL).
    Form([&'static str; 3]),
    /// The first in the query string, after `grant_type`, under its name; the other two as
    /// HTTP basic auth (the user, then the password).
    QueryAndBasicAuth(&'static str),
}

impl TokenRequest {
    /// The grant `grant_type` with the values in a form, under `names`.
    pub const fn form(grant_type: &'static str, names: [&'static str; 3]) -> TokenRequest {
        TokenRequest {
            grant_type,
            values: GrantValues::Form(names),
        }
    }

    /// The grant `grant_type` with the first value in the query, under `name`, and the other
    /// two as HTTP basic auth.
    pub const fn query_and_basic_auth(
        grant_type: &'static str,
        name: &'static str,
    ) -> TokenRequest {
        TokenRequest {
            grant_type,
            values: GrantValues::QueryAndBasicAuth(name),
        }
    }
}

/// How the token goes into the `Authorization` header: `<prefix> <token>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthScheme(&'static str);

impl AuthScheme {
    /// `Authorization: Bearer <token>`.
    pub const BEARER: AuthScheme = AuthScheme("Bearer");

    /// The scheme whose header value starts with `prefix`.
    pub const fn named(prefix: &'static str) -> AuthScheme {
        AuthScheme(prefix)
    }

    /// The word before the token.
    pub fn prefix(self) -> &'static str {
        self.0
    }
}

/// What a key is read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// A credential: read from the environment or the credentials file, written by `auth
    /// login`.
    SignIn,
    /// A setting a command reads from the environment or the credentials file.
    Setting,
    /// The variable of a command-line flag only: listed in the man page, not a credential.
    Flag,
}

/// One variable of a service: its name (in the environment and the credentials file), what
/// it is read for, whether it is a secret, and its line in the man page's ENVIRONMENT.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub name: &'static str,
    pub used: KeyUse,
    pub secret: bool,
    pub about: &'static str,
}

/// A service whose token endpoint depends on the data centre of the account.
pub struct DataCentres {
    /// The credentials key that keeps the data centre `auth login` signed in at.
    pub key: &'static str,
    /// The token endpoint's origin in a data centre.
    pub accounts: fn(DataCentre) -> String,
    /// The data centre of an API domain a token answer names, if it is one of this service's.
    pub of_api_domain: fn(&str) -> Option<DataCentre>,
    /// What a refusal of the credentials adds: that the accounts server of data centre `dc`
    /// (at the second argument) does not know them, and how to name another one.
    pub refused_here: fn(DataCentre, &str) -> String,
    /// The message of a token whose account lives elsewhere: the account's data centre, the
    /// API domain that says so, and the run's data centre.
    pub lives_elsewhere: fn(DataCentre, &str, DataCentre) -> String,
}

/// Where the token endpoint is.
pub enum Endpoint {
    /// One origin for every account.
    Fixed(&'static str),
    /// One origin per data centre.
    PerDataCentre(DataCentres),
}

/// A limit on token requests that the token endpoint reports with an error answer.
pub struct TokenLimit {
    /// Whether the error answer (its `error`, its description) says the limit was reached.
    pub reached: fn(&str, &str) -> bool,
    /// The whole message: what happened and what to do.
    pub message: &'static str,
}

/// One value `auth login` asks for: from its flag, else its variable, else a prompt.
#[derive(Debug, Clone, Copy)]
pub struct Ask {
    /// The flag that gives it (`--client-id`), if any (a secret has none).
    pub flag: Option<&'static str>,
    /// The variable that gives it, which is also its credentials key, if any.
    pub key: Option<&'static str>,
    /// Its name in prompts and messages ("Client ID").
    pub label: &'static str,
    /// A secret: prompted for without echo.
    pub hidden: bool,
    /// Kept in the credentials file under `key`.
    pub stored: bool,
}

/// What `auth login` adds to the values it asked for: a token it keeps, and the key a flag
/// is stored under.
#[derive(Debug, Clone, Copy)]
pub struct Keeps {
    /// The key of the refresh token the exchange issues, and the message when it issues none.
    pub refresh_token: Option<(&'static str, &'static str)>,
    /// Flags stored as they are: (flag, key).
    pub flags: &'static [(&'static str, &'static str)],
}

/// How a refusal of `auth login`'s token request is reported, beyond the explained ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// As a credentials error.
    Credentials,
    /// As an access error (the values were refused).
    Access,
}

/// What `auth login` does for a service.
pub struct Login {
    /// The values asked for, in order: they are also the exchange's three values.
    pub asks: [Ask; 3],
    /// The token request that tests the values (and may issue a refresh token).
    pub exchange: TokenRequest,
    /// A refusal explained for the user, given the data centre's name: a usage error.
    pub explain: fn(&AuthError, &str) -> Option<String>,
    /// How other refusals are reported.
    pub refusal: Refusal,
    /// What is stored besides the asked values.
    pub keeps: Keeps,
    /// The line that says it is done: from the data centre's name, the scopes note and the
    /// place (file and profile).
    pub done: fn(&str, &str, &str) -> String,
}

/// A sign-in service.
pub struct Service {
    /// Its name on the command line (`auth login --to NAME`) and in the token cache.
    pub name: &'static str,
    /// Its name in messages.
    pub title: &'static str,
    /// What one sign-in covers, for the error of an unknown `--to`.
    pub covers: &'static str,
    /// The prefix of its keys: `auth logout --to NAME` removes the keys that start with it.
    pub key_prefix: &'static str,
    /// Its variables, in the man page's order.
    pub keys: &'static [Key],
    /// The variable of a ready access token, used as it is and never renewed.
    pub token_key: &'static str,
    /// The three values that obtain a token, in the order the token request takes them.
    pub values: [&'static str; 3],
    /// Which of the values name the token in the cache, with the token endpoint.
    pub cached_by: &'static [usize],
    /// Which of the values names the account a run writes to.
    pub account: usize,
    /// Where its token endpoint is.
    pub endpoint: Endpoint,
    /// The token endpoint's path.
    pub token_path: &'static str,
    /// How it asks its token endpoint for a token.
    pub request: TokenRequest,
    /// How its tokens go into the `Authorization` header.
    pub scheme: AuthScheme,
    /// Its limit on token requests, if its token endpoint reports one.
    pub token_limit: Option<TokenLimit>,
    /// The codes every API of the service answers about its tokens and scopes.
    pub codes: &'static [VendorCode],
    /// Where a missing scope is granted.
    pub grant: &'static str,
    /// What to check when the token endpoint refuses the credentials.
    pub refused: &'static str,
    /// What `auth login` asks for and keeps.
    pub login: Login,
}

impl PartialEq for Service {
    /// Services are told apart by their names.
    fn eq(&self, other: &Service) -> bool {
        self.name == other.name
    }
}

impl Eq for Service {}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Service").field(&self.name).finish()
    }
}

impl Service {
    /// Whether `name` names it (in any case).
    pub fn is_named(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.trim())
    }

    /// Whether `key` of the credentials file belongs to it.
    pub fn owns(&self, key: &str) -> bool {
        key.to_ascii_uppercase().starts_with(self.key_prefix)
    }

    /// Whether its key `name` holds a secret.
    pub fn is_secret(&self, name: &str) -> bool {
        self.keys.iter().any(|k| k.name == name && k.secret)
    }

    /// Its data centres, when its token endpoint depends on them.
    pub fn data_centres(&self) -> Option<&DataCentres> {
        match &self.endpoint {
            Endpoint::PerDataCentre(dcs) => Some(dcs),
            Endpoint::Fixed(_) => None,
        }
    }

    /// The token endpoint's origin for an account in data centre `dc` (ignored by a service
    /// without data centres).
    pub fn token_origin(&self, dc: DataCentre) -> String {
        match &self.endpoint {
            Endpoint::Fixed(origin) => origin.to_string(),
            Endpoint::PerDataCentre(dcs) => (dcs.accounts)(dc),
        }
    }

    /// `POST`s `request` (its own [`Service::request`], or its login's exchange) with
    /// `values` to its token endpoint at `base`, and reads the answer.
    pub async fn ask_token(
        &self,
        request: &TokenRequest,
        http: &reqwest::Client,
        base: &BaseUrl,
        values: &[Secret; 3],
    ) -> Result<Issued, AuthError> {
        let url = token_url(base, self.token_path)?;
        let [first, second, third] = values.each_ref().map(Secret::expose);
        let grant_type = ("grant_type", request.grant_type);
        let post = http.post(url);
        let post = match request.values {
            GrantValues::Form([a, b, c]) => {
                post.form(&[grant_type, (a, first), (b, second), (c, third)])
            }
            GrantValues::QueryAndBasicAuth(name) => post
                .query(&[grant_type, (name, first)])
                .basic_auth(second, Some(third)),
        };
        read_token(post.send().await, self.title).await
    }
}

#[cfg(test)]
mod tests {
    use crate::auth::{KEYS, SERVICES, named, titled};

    #[test]
    fn names_and_aliases_find_their_service() {
        let name = |text: &str| named(text).map(|s| s.name);
        assert_eq!(name("zoho"), Some("zoho"));
        assert_eq!(name(" ZOOM "), Some("zoom"));
        assert_eq!(name("acme"), None);
        assert_eq!(titled("Zoom").map(|s| s.name), Some("zoom"));
        let mut all: Vec<&str> = SERVICES.iter().map(|s| s.name).collect();
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), count, "a name names two services");
    }

    #[test]
    fn the_keys_keep_their_order_and_belong_to_their_service() {
        assert_eq!(
            KEYS.names(),
            [
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
            ]
        );
        for s in SERVICES {
            let known = |k: &str| s.keys.iter().any(|key| key.name == k);
            assert!(s.keys.iter().all(|k| s.owns(k.name)), "{}", s.name);
            assert!(known(s.token_key) && s.values.iter().all(|v| known(v)));
            assert!(s.is_secret(s.token_key));
            assert!(s.cached_by.iter().all(|&i| i < s.values.len()));
            assert!(s.account < s.values.len());
        }
    }
}
