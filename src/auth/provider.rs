//! The token provider: one shared access token, refreshed single-flight.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderValue;

use super::AuthError;
use super::cache::{CachedToken, TokenCache, cache_key};
use super::credentials::{ZohoAuth, ZoomAuth};
use super::flow::{self, Grant, Issued};
use super::secret::Secret;
use crate::http::BaseUrl;

/// Refresh at most this long before expiry (less for short-lived tokens: a tenth of the
/// lifetime).
const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// A 401 on a token issued less than this long ago is not answered by another refresh.
const FRESH_TOKEN_GRACE: Duration = Duration::from_secs(60);
/// After a failed token request, callers get the same error for this long instead of
/// asking again (50 waiting workers must not make 50 token requests).
const FAILURE_HOLD: Duration = Duration::from_secs(30);
/// Retries of a token request that failed to get any answer (network errors only).
const NETWORK_RETRIES: u32 = 2;

/// How the token goes into the `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Authorization: Zoho-oauthtoken <token>`.
    ZohoOauthtoken,
    /// `Authorization: Bearer <token>` (Zoom).
    Bearer,
}

impl AuthScheme {
    /// The header value for `token`, marked sensitive (so reqwest/hyper never log it).
    pub fn header_value(self, token: &Secret) -> Result<HeaderValue, AuthError> {
        let prefix = match self {
            AuthScheme::ZohoOauthtoken => "Zoho-oauthtoken",
            AuthScheme::Bearer => "Bearer",
        };
        let mut value = HeaderValue::from_str(&format!("{prefix} {}", token.expose()))
            .map_err(|_| AuthError::BadToken)?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// An access token and when it expires.
#[derive(Clone)]
pub struct AccessToken {
    value: Secret,
    expires_at: SystemTime,
    lifetime: Duration,
    /// When it was issued to this process (`None`: from the cache or the environment).
    issued_here: Option<Instant>,
    /// What the token endpoint said with it (nothing for a fixed token).
    grant: Grant,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &self.value)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl AccessToken {
    /// The token itself.
    pub fn secret(&self) -> &Secret {
        &self.value
    }

    /// When it expires.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// Its scopes and API domain, as the token endpoint gave them.
    pub fn grant(&self) -> &Grant {
        &self.grant
    }

    /// True when the token came from the token endpoint in this process (not from the cache
    /// or the environment).
    pub fn issued_here(&self) -> bool {
        self.issued_here.is_some()
    }

    /// True while the token is not within its refresh margin of expiry.
    fn usable(&self, now: SystemTime) -> bool {
        let margin = (self.lifetime / 10).min(MAX_REFRESH_MARGIN);
        self.expires_at > now + margin
    }
}

enum Source {
    Zoho {
        accounts: BaseUrl,
        client_id: String,
        client_secret: Secret,
        refresh_token: Secret,
    },
    Zoom {
        oauth: BaseUrl,
        account_id: String,
        client_id: String,
        client_secret: Secret,
    },
    Fixed,
}

/// Hands out the one access token of a set of credentials to every worker.
pub struct TokenProvider {
    source: Source,
    scheme: AuthScheme,
    http: reqwest::Client,
    cache: Option<(TokenCache, String)>,
    current: RwLock<Option<AccessToken>>,
    refresh: tokio::sync::Mutex<()>,
    requests: AtomicUsize,
    /// The last failed token request, when it failed.
    failed: Mutex<Option<(Instant, AuthError)>>,
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.source {
            Source::Zoho { .. } => "zoho",
            Source::Zoom { .. } => "zoom",
            Source::Fixed => "fixed",
        };
        f.debug_struct("TokenProvider")
            .field("source", &kind)
            .field("scheme", &self.scheme)
            .field("token_requests", &self.token_requests())
            .finish()
    }
}

impl TokenProvider {
    /// Zoho: the refresh-token flow against `accounts` (a data centre's
    /// [`accounts_url`](super::DataCentre::accounts_url), or `--accounts-url`), or a fixed
    /// token. `cache` keeps the token across runs.
    pub fn zoho(
        http: reqwest::Client,
        auth: ZohoAuth,
        accounts: BaseUrl,
        cache: Option<TokenCache>,
    ) -> TokenProvider {
        match auth {
            ZohoAuth::AccessToken(token) => {
                TokenProvider::fixed(http, token, AuthScheme::ZohoOauthtoken)
            }
            ZohoAuth::RefreshToken {
                client_id,
                client_secret,
                refresh_token,
            } => {
                let key = cache_key(
                    "zoho",
                    &[&client_id, refresh_token.expose(), accounts.as_str()],
                );
                TokenProvider::new(
                    http,
                    Source::Zoho {
                        accounts,
                        client_id,
                        client_secret,
                        refresh_token,
                    },
                    AuthScheme::ZohoOauthtoken,
                    cache.map(|c| (c, key)),
                    None,
                )
            }
        }
    }

    /// Zoom: the server-to-server flow against `oauth` (`https://zoom.us`, or
    /// `--accounts-url`), or a fixed token.
    pub fn zoom(
        http: reqwest::Client,
        auth: ZoomAuth,
        oauth: BaseUrl,
        cache: Option<TokenCache>,
    ) -> TokenProvider {
        match auth {
            ZoomAuth::AccessToken(token) => TokenProvider::fixed(http, token, AuthScheme::Bearer),
            ZoomAuth::ServerToServer {
                account_id,
                client_id,
                client_secret,
            } => {
                let key = cache_key(
                    "zoom",
                    &[
                        &account_id,
                        &client_id,
                        client_secret.expose(),
                        oauth.as_str(),
                    ],
                );
                TokenProvider::new(
                    http,
                    Source::Zoom {
                        oauth,
                        account_id,
                        client_id,
                        client_secret,
                    },
                    AuthScheme::Bearer,
                    cache.map(|c| (c, key)),
                    None,
                )
            }
        }
    }

    /// A token used as is, never refreshed.
    pub fn fixed(http: reqwest::Client, token: Secret, scheme: AuthScheme) -> TokenProvider {
        let token = AccessToken {
            value: token,
            // Unknown: treat as valid for a century.
            expires_at: SystemTime::now() + Duration::from_secs(100 * 365 * 86_400),
            lifetime: Duration::ZERO,
            issued_here: None,
            grant: Grant::default(),
        };
        TokenProvider::new(http, Source::Fixed, scheme, None, Some(token))
    }

    fn new(
        http: reqwest::Client,
        source: Source,
        scheme: AuthScheme,
        cache: Option<(TokenCache, String)>,
        token: Option<AccessToken>,
    ) -> TokenProvider {
        TokenProvider {
            source,
            scheme,
            http,
            cache,
            current: RwLock::new(token),
            refresh: tokio::sync::Mutex::new(()),
            requests: AtomicUsize::new(0),
            failed: Mutex::new(None),
        }
    }

    /// How the token goes into the `Authorization` header.
    pub fn scheme(&self) -> AuthScheme {
        self.scheme
    }

    /// How many token requests this provider has made.
    pub fn token_requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// True when a rejected token can be replaced by a refresh.
    pub fn can_refresh(&self) -> bool {
        !matches!(self.source, Source::Fixed)
    }

    fn current_usable(&self) -> Option<AccessToken> {
        let guard = self.current.read().unwrap_or_else(|e| e.into_inner());
        guard
            .as_ref()
            .filter(|t| t.usable(SystemTime::now()))
            .cloned()
    }

    fn set_current(&self, token: AccessToken) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(token);
    }

    /// The token to use now: the one in memory, else the cached one, else a new one (one
    /// request for all concurrent callers).
    pub async fn token(&self) -> Result<AccessToken, AuthError> {
        if let Some(token) = self.current_usable() {
            return Ok(token);
        }
        let _single_flight = self.refresh.lock().await;
        if let Some(token) = self.current_usable() {
            return Ok(token);
        }
        if let Some(token) = self.cached_token() {
            self.set_current(token.clone());
            return Ok(token);
        }
        self.fetch().await
    }

    /// A new token from the token endpoint, whatever the memory or the cache hold: what
    /// `bulkline check` uses, since it tests the credentials, not a token they were once
    /// given (a cached token still works after its client secret changed). It is kept and
    /// cached like any new token. A fixed token is returned as it is: there is no endpoint
    /// to ask.
    pub async fn fresh_token(&self) -> Result<AccessToken, AuthError> {
        if !self.can_refresh() {
            return self.token().await;
        }
        let _single_flight = self.refresh.lock().await;
        self.fetch().await
    }

    /// Called after the API answered 401 to `rejected`: returns a replacement (the one
    /// another worker already fetched, or a new one). Fails for fixed tokens, and for a token
    /// issued moments ago (another refresh would not help and would spend Zoho's quota).
    pub async fn refresh_rejected(&self, rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        if !self.can_refresh() {
            return Err(AuthError::FixedTokenRejected);
        }
        let _single_flight = self.refresh.lock().await;
        if let Some(token) = self.current_usable()
            && token.value != rejected.value
        {
            return Ok(token);
        }
        // A token issued moments ago and still well within its lifetime was refused for
        // another reason than age (scopes, a revoked grant). One that has expired, or that
        // lives so briefly that "moments ago" is most of its life, is simply renewed.
        let grace = FRESH_TOKEN_GRACE.min(rejected.lifetime / 2);
        if rejected.issued_here.is_some_and(|t| t.elapsed() < grace)
            && rejected.usable(SystemTime::now())
        {
            return Err(AuthError::FreshTokenRejected);
        }
        if let Some((cache, key)) = &self.cache {
            cache.remove(key);
        }
        self.fetch().await
    }

    fn cached_token(&self) -> Option<AccessToken> {
        let (cache, key) = self.cache.as_ref()?;
        let cached = cache.load(key)?;
        let token = AccessToken {
            value: cached.access_token,
            expires_at: cached.expires_at,
            lifetime: cached.lifetime,
            issued_here: None,
            grant: cached.grant,
        };
        token.usable(SystemTime::now()).then_some(token)
    }

    /// Asks the token endpoint for a new token (the caller holds the refresh lock), unless a
    /// request failed moments ago: then that failure is the answer.
    async fn fetch(&self) -> Result<AccessToken, AuthError> {
        {
            let failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((when, error)) = failed.as_ref()
                && when.elapsed() < FAILURE_HOLD
            {
                return Err(error.clone());
            }
        }
        let mut attempt = 0;
        let issued = loop {
            match self.request_token().await {
                Err(AuthError::Network(_)) if attempt < NETWORK_RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(500) * 2u32.pow(attempt)).await;
                }
                Err(error) => {
                    *self.failed.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some((Instant::now(), error.clone()));
                    return Err(error);
                }
                Ok(issued) => break issued,
            }
        };
        *self.failed.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let token = AccessToken {
            value: issued.token,
            expires_at: SystemTime::now() + issued.lifetime,
            lifetime: issued.lifetime,
            issued_here: Some(Instant::now()),
            grant: issued.grant,
        };
        if let Some((cache, key)) = &self.cache {
            let cached = CachedToken {
                access_token: token.value.clone(),
                expires_at: token.expires_at,
                lifetime: token.lifetime,
                grant: token.grant.clone(),
            };
            // The cache only saves token requests: a run goes on without it.
            let _ = cache.store(key, &cached);
        }
        self.set_current(token.clone());
        Ok(token)
    }

    /// One token request.
    async fn request_token(&self) -> Result<Issued, AuthError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        match &self.source {
            Source::Zoho {
                accounts,
                client_id,
                client_secret,
                refresh_token,
            } => {
                flow::zoho_refresh(
                    &self.http,
                    accounts,
                    client_id,
                    client_secret,
                    refresh_token,
                )
                .await
            }
            Source::Zoom {
                oauth,
                account_id,
                client_id,
                client_secret,
            } => {
                flow::zoom_server_to_server(&self.http, oauth, account_id, client_id, client_secret)
                    .await
            }
            Source::Fixed => Err(AuthError::FixedTokenRejected),
        }
    }
}

#[cfg(test)]
mod tests;
