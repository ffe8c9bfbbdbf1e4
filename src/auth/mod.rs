//! Authentication: the sign-in services (each vendor's token flow, in its own module), fixed
//! access tokens, and the token cache.
//!
//! A service's token endpoint may limit token requests (one allows 10 per 10 minutes and 10
//! live tokens per refresh token), so a [`TokenProvider`] holds ONE token for every worker: it
//! is renewed once, in the background, when three quarters of its life have passed (workers
//! keep using it meanwhile), or single-flight when there is none to use (the first, one that
//! ran out, or after a 401), and it is reused across runs through the [`TokenCache`].
//! Secrets live in [`Secret`]s, whose `Debug` is redacted; nothing here prints them.

mod cache;
mod credentials;
mod datacentre;
mod flow;
mod provider;
mod secret;
pub mod service;
pub mod store;

/// Declares the sign-in service modules and [`SERVICES`], from their names:
/// `services!(a, b)` means `pub mod a; pub mod b;` and the two services their `SERVICE`s
/// describe; the first is [`DEFAULT`], the one a target signs in with unless it names another.
macro_rules! services {
    ($first:ident $(, $module:ident)* $(,)?) => {
        pub mod $first;
        $(pub mod $module;)*

        /// Every sign-in service, in the order messages list them.
        pub static SERVICES: &[&Service] = &[&$first::SERVICE $(, &$module::SERVICE)*];

        /// The service a target signs in with unless it names another.
        pub const DEFAULT: &Service = &$first::SERVICE;
    };
}

// The registry: every sign-in service, one name each.
services!(zoho, zoom);

pub use cache::{CachedToken, TokenCache, cache_key};
use credentials::sign_in_conversions;
pub use credentials::{Credentials, KEYS, Keys, SignIn};
pub use datacentre::{DataCentre, UnknownDataCentre};
pub use flow::{DEFAULT_LIFETIME, Grant, Issued};
pub use provider::{AccessToken, TokenProvider};
pub use secret::Secret;
pub use service::{AuthScheme, Service};

/// The service `name` names on the command line (its name or an alias), if any.
pub fn named(name: &str) -> Option<&'static Service> {
    SERVICES.iter().copied().find(|s| s.is_named(name))
}

/// The service whose title (its name in messages) is `title`, if any.
pub fn titled(title: &str) -> Option<&'static Service> {
    SERVICES.iter().copied().find(|s| s.title == title)
}

/// The service whose token endpoint depends on the data centre, if one does.
pub fn with_data_centres() -> Option<&'static Service> {
    SERVICES
        .iter()
        .copied()
        .find(|s| s.data_centres().is_some())
}

/// The message of a refused token request for lack of token requests left.
fn rate_limit_message() -> &'static str {
    SERVICES
        .iter()
        .find_map(|s| s.token_limit.as_ref())
        .map_or("the token endpoint refused to issue an access token: too many token requests; wait, then run again (the run can be resumed)", |l| l.message)
}

/// What to check when `service`'s token endpoint refuses the credentials.
fn refused_hint(service: &str) -> &'static str {
    titled(service).map_or(
        "check the client id, secret and refresh token, and the data centre (--dc) or --accounts-url",
        |s| s.refused,
    )
}

/// Why no usable access token could be had. No variant ever holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// A credential is not set.
    #[error("missing credentials: {0}")]
    MissingCredentials(String),
    /// The credentials file could not be read.
    #[error("credentials file {path}: {message}")]
    Config { path: String, message: String },
    /// Too many token requests: the token endpoint refused to issue another for now (the
    /// service's [`service::TokenLimit`]).
    #[error("{}", rate_limit_message())]
    TokenRateLimited,
    /// The token endpoint refused the credentials.
    #[error(
        "{service} refused the credentials (HTTP {status}): {error}{}; {}",
        if description.is_empty() { String::new() } else { format!(" ({description})") },
        refused_hint(service)
    )]
    Refused {
        /// The service's title ([`Service::title`]): its hint is the service's.
        service: &'static str,
        status: u16,
        error: String,
        description: String,
    },
    /// The token endpoint answered something that is not a token.
    #[error("{service} token endpoint: {message}")]
    BadResponse {
        /// The service's title ([`Service::title`]).
        service: &'static str,
        message: String,
    },
    /// The token endpoint could not be reached.
    #[error("token request failed: {0}")]
    Network(String),
    /// The API refused a token just issued: refreshing again would not help.
    #[error(
        "the API refused a freshly issued access token: check the OAuth scopes of the client \
         and that the API and accounts URLs are in the same data centre"
    )]
    FreshTokenRejected,
    /// A token given as is (a service's access-token variable) was refused.
    #[error(
        "the access token from the environment was refused (expired or revoked?); set a new \
         one, or use the client id / secret / refresh token instead"
    )]
    FixedTokenRejected,
    /// The token has characters that cannot go into a header.
    #[error("the access token contains characters that cannot be sent in a header")]
    BadToken,
}

impl AuthError {
    /// True when asking again later may work (the token endpoint unreachable, rate-limited or
    /// answering garbage); false when the account itself is refused: a configuration error.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            AuthError::Network(_) | AuthError::TokenRateLimited | AuthError::BadResponse { .. }
        )
    }
}
