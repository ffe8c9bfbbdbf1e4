//! Authentication: Zoho's OAuth refresh-token flow, Zoom's server-to-server flow, fixed
//! access tokens, and the token cache.
//!
//! Zoho issues at most 10 access tokens per 10 minutes and keeps at most 10 live tokens per
//! refresh token, so a [`TokenProvider`] holds ONE token for every worker: it is renewed once,
//! in the background, when three quarters of its life have passed (workers keep using it
//! meanwhile), or single-flight when there is none to use (the first, one that ran out, or
//! after a 401), and it is reused across runs through the [`TokenCache`].
//! Secrets live in [`Secret`]s, whose `Debug` is redacted; nothing here prints them.

mod cache;
mod credentials;
mod datacentre;
mod flow;
mod provider;
mod secret;
pub mod store;

pub use cache::{CachedToken, TokenCache, cache_key};
pub use credentials::{Credentials, KEYS, ZohoAuth, ZoomAuth};
pub use datacentre::{DataCentre, UnknownDataCentre};
pub use flow::{
    DEFAULT_LIFETIME, Grant, Issued, ZOHO_TOKEN_PATH, ZOOM_OAUTH_URL, ZOOM_TOKEN_PATH,
    zoho_grant_code, zoom_server_to_server,
};
pub use provider::{AccessToken, AuthScheme, TokenProvider};
pub use secret::Secret;

/// Why no usable access token could be had. No variant ever holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// A credential is not set.
    #[error("missing credentials: {0}")]
    MissingCredentials(String),
    /// The credentials file could not be read.
    #[error("credentials file {path}: {message}")]
    Config { path: String, message: String },
    /// Zoho's "Access Denied": too many token requests.
    #[error(
        "Zoho refused to issue an access token: the account is rate-limited for token requests \
         (at most 10 per 10 minutes). Wait about 10 minutes, then run again (the run can be resumed)"
    )]
    TokenRateLimited,
    /// The token endpoint refused the credentials.
    #[error(
        "{service} refused the credentials (HTTP {status}): {error}{}; {}",
        if description.is_empty() { String::new() } else { format!(" ({description})") },
        if *service == "Zoom" {
            "check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET (the Server-to-Server OAuth app's credentials)"
        } else {
            "check the client id, secret and refresh token, and the data centre (--dc) or --accounts-url"
        }
    )]
    Refused {
        service: &'static str,
        status: u16,
        error: String,
        description: String,
    },
    /// The token endpoint answered something that is not a token.
    #[error("{service} token endpoint: {message}")]
    BadResponse {
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
    /// A token given as is (`ZOHO_ACCESS_TOKEN`, `ZOOM_ACCESS_TOKEN`) was refused.
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
