//! The token provider: one shared access token, renewed in the background before it expires,
//! and single-flight when a caller must wait for one.
//!
//! A token is renewed once [`REFRESH_AT`] of its lifetime has passed, by one background task
//! that the first caller to see it due starts; every caller meanwhile gets the current token
//! at once, and the callers after the new one arrives get the new one. No caller waits for a
//! token while the current one is usable; one waits (single-flight) only when there is none:
//! the first token of a run, one within its last tenth (the background renewal failed or came
//! too late), or after a 401. In-process times are tokio's monotonic clock; the wall clock
//! only says when a token kept in the cache expires.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderValue;
use tokio::time::Instant;

use super::AuthError;
use super::cache::{CachedToken, TokenCache, cache_key};
use super::credentials::SignIn;
use super::flow::{Grant, Issued};
use super::secret::Secret;
use super::service::{AuthScheme, Service};
use crate::http::request::BaseUrl;

/// The share of a token's lifetime after which it is renewed in the background: 45 minutes
/// into the usual hour, which leaves 15 minutes (more than the 10-minute window some token
/// endpoints count requests in) for a failed renewal to be tried again before the token runs out.
pub const REFRESH_AT: f64 = 0.75;
/// Two background renewals never start closer than this (nor closer than this to any token
/// request): a server that issues very short-lived tokens cannot make the renewal spin.
pub const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(2);
/// After a failed background renewal, the next one waits this long (the current token stays
/// in use meanwhile).
pub const BACKGROUND_RETRY: Duration = Duration::from_secs(30);
/// A token is no longer handed out within this long of its expiry (less for short-lived
/// tokens: a tenth of the lifetime): a caller then waits for a new one.
const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// A 401 on a token issued less than this long ago is not answered by another refresh.
const FRESH_TOKEN_GRACE: Duration = Duration::from_secs(60);
/// After a failed token request made for waiting callers, they get the same error for this
/// long instead of asking again (50 waiting workers must not make 50 token requests).
const FAILURE_HOLD: Duration = Duration::from_secs(30);
/// Retries of a token request that failed to get any answer (network errors only).
const NETWORK_RETRIES: u32 = 2;
/// What a fixed token's lifetime is taken to be: it is never renewed.
const FIXED_TOKEN_LIFE: Duration = Duration::from_secs(100 * 365 * 86_400);

impl AuthScheme {
    /// The header value for `token`, marked sensitive (so reqwest/hyper never log it).
    pub fn header_value(self, token: &Secret) -> Result<HeaderValue, AuthError> {
        let mut value = HeaderValue::from_str(&format!("{} {}", self.prefix(), token.expose()))
            .map_err(|_| AuthError::BadToken)?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// An access token and when it expires.
#[derive(Clone)]
pub struct AccessToken {
    value: Secret,
    /// When it expires, on the wall clock (what the cache keeps).
    expires_at: SystemTime,
    /// When it expires, on this process's monotonic clock (what every decision reads).
    deadline: Instant,
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
    /// A token that expires at `expires_at` (wall clock) after a life of `lifetime`.
    fn new(
        value: Secret,
        expires_at: SystemTime,
        lifetime: Duration,
        issued_here: Option<Instant>,
        grant: Grant,
    ) -> AccessToken {
        let left = expires_at
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO);
        AccessToken {
            value,
            expires_at,
            deadline: Instant::now() + left,
            lifetime,
            issued_here,
            grant,
        }
    }

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
    fn usable(&self, now: Instant) -> bool {
        let margin = (self.lifetime / 10).min(MAX_REFRESH_MARGIN);
        self.deadline > now + margin
    }

    /// When [`REFRESH_AT`] of its lifetime has passed: from then on it is renewed in the
    /// background.
    fn renew_at(&self) -> Instant {
        let left_then = self.lifetime.mul_f64(1.0 - REFRESH_AT);
        self.deadline
            .checked_sub(left_then)
            .unwrap_or(self.deadline)
    }
}

/// The background renewal's bookkeeping.
#[derive(Debug, Default)]
struct Renewal {
    /// A background renewal is under way.
    running: bool,
    /// When the last token request started (any path): the minimum interval counts from it.
    last_request: Option<Instant>,
    /// When the last background renewal failed, if no token was issued since.
    failed_at: Option<Instant>,
}

impl Renewal {
    /// True when a background renewal of a token due at `renew_at` may start `now`.
    fn may_start(&self, renew_at: Instant, now: Instant) -> bool {
        let after = |t: Option<Instant>, gap: Duration| t.is_none_or(|t| now >= t + gap);
        now >= renew_at
            && !self.running
            && after(self.last_request, MIN_REFRESH_INTERVAL)
            && after(self.failed_at, BACKGROUND_RETRY)
    }
}

/// Where new tokens come from.
enum Source {
    /// A service's token endpoint, with the three values its request takes.
    Endpoint {
        service: &'static Service,
        endpoint: BaseUrl,
        values: [Secret; 3],
    },
    Fixed,
    /// A token endpoint in memory, for the tests of the schedule on a paused clock.
    #[cfg(test)]
    Scripted(Arc<tests::ScriptedEndpoint>),
}

impl Source {
    fn kind(&self) -> &'static str {
        match self {
            Source::Endpoint { service, .. } => service.name,
            Source::Fixed => "fixed",
            #[cfg(test)]
            Source::Scripted(_) => "scripted",
        }
    }
}

/// Hands out the one access token of a set of credentials to every worker.
pub struct TokenProvider {
    shared: Arc<Shared>,
}

/// What the provider and its background renewal share.
struct Shared {
    source: Source,
    scheme: AuthScheme,
    http: reqwest::Client,
    cache: Option<(TokenCache, String)>,
    current: RwLock<Option<AccessToken>>,
    /// Held by whoever asks the token endpoint: one request at a time.
    refresh: tokio::sync::Mutex<()>,
    requests: AtomicUsize,
    /// The last failed token request made for waiting callers, when it failed.
    failed: Mutex<Option<(Instant, AuthError)>>,
    renewal: Mutex<Renewal>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenProvider")
            .field("source", &self.shared.source.kind())
            .field("scheme", &self.shared.scheme)
            .field("token_requests", &self.token_requests())
            .finish()
    }
}

impl TokenProvider {
    /// `service`'s token flow against `endpoint` (its origin for the data centre, or
    /// `--accounts-url`) with the values `sign_in` gives, or a fixed token. `cache` keeps the
    /// token across runs.
    pub fn signed_in(
        http: reqwest::Client,
        service: &'static Service,
        sign_in: SignIn,
        endpoint: BaseUrl,
        cache: Option<TokenCache>,
    ) -> TokenProvider {
        match sign_in {
            SignIn::AccessToken(token) => TokenProvider::fixed(http, token, service.scheme),
            SignIn::Values(values) => {
                let parts: Vec<&str> = service
                    .cached_by
                    .iter()
                    .filter_map(|&i| values.get(i).map(Secret::expose))
                    .chain([endpoint.as_str()])
                    .collect();
                let key = cache_key(service.name, &parts);
                TokenProvider::new(
                    http,
                    Source::Endpoint {
                        service,
                        endpoint,
                        values,
                    },
                    service.scheme,
                    cache.map(|c| (c, key)),
                    None,
                )
            }
        }
    }

    /// A token used as is, never refreshed.
    pub fn fixed(http: reqwest::Client, token: Secret, scheme: AuthScheme) -> TokenProvider {
        // Its expiry is unknown: treat it as valid for a century.
        let token = AccessToken {
            value: token,
            expires_at: SystemTime::now() + FIXED_TOKEN_LIFE,
            deadline: Instant::now() + FIXED_TOKEN_LIFE,
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
        // Every secret the provider holds is kept out of the traces, whatever writes them.
        if let Source::Endpoint {
            service, values, ..
        } = &source
        {
            for (name, value) in service.values.iter().zip(values) {
                if service.is_secret(name) {
                    crate::redact::remember(value.expose());
                }
            }
        }
        if let Some(token) = &token {
            crate::redact::remember(token.value.expose());
        }
        TokenProvider {
            shared: Arc::new(Shared {
                source,
                scheme,
                http,
                cache,
                current: RwLock::new(token),
                refresh: tokio::sync::Mutex::new(()),
                requests: AtomicUsize::new(0),
                failed: Mutex::new(None),
                renewal: Mutex::new(Renewal::default()),
            }),
        }
    }

    /// How the token goes into the `Authorization` header.
    pub fn scheme(&self) -> AuthScheme {
        self.shared.scheme
    }

    /// How many token requests this provider has made.
    pub fn token_requests(&self) -> usize {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// True when a rejected token can be replaced by a refresh.
    pub fn can_refresh(&self) -> bool {
        self.shared.can_refresh()
    }

    fn current_usable(&self) -> Option<AccessToken> {
        self.shared.current_usable()
    }

    /// The token to use now: the one in memory, else the cached one, else a new one (one
    /// request for all concurrent callers). The one in memory is returned at once even when
    /// it is due for renewal: the renewal runs in the background.
    pub async fn token(&self) -> Result<AccessToken, AuthError> {
        if let Some(token) = self.current_usable() {
            self.renew_in_background_if_due(&token);
            return Ok(token);
        }
        let _single_flight = self.shared.refresh.lock().await;
        if let Some(token) = self.current_usable() {
            return Ok(token);
        }
        if let Some(token) = self.shared.cached_token() {
            self.shared.set_current(token.clone());
            return Ok(token);
        }
        self.shared.fetch("no usable token").await
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
        let _single_flight = self.shared.refresh.lock().await;
        self.shared.fetch("check").await
    }

    /// Called after the API answered 401 to `rejected`: returns a replacement (the one
    /// another worker already fetched, or a new one). Fails for fixed tokens, and for a token
    /// issued moments ago (another refresh would not help and would spend the token quota).
    pub async fn refresh_rejected(&self, rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        if !self.can_refresh() {
            return Err(AuthError::FixedTokenRejected);
        }
        let _single_flight = self.shared.refresh.lock().await;
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
            && rejected.usable(Instant::now())
        {
            return Err(AuthError::FreshTokenRejected);
        }
        if let Some((cache, key)) = &self.shared.cache {
            cache.remove(key);
        }
        self.shared.fetch("token refused (401)").await
    }

    /// Starts the background renewal of `token` (the current one) if it is due and may start
    /// now (see [`Renewal::may_start`]); returns at once either way.
    fn renew_in_background_if_due(&self, token: &AccessToken) {
        if !self.can_refresh() {
            return;
        }
        {
            let mut renewal = lock(&self.shared.renewal);
            if !renewal.may_start(token.renew_at(), Instant::now()) {
                return;
            }
            renewal.running = true;
        }
        let shared = Arc::clone(&self.shared);
        let due = token.value.clone();
        tokio::spawn(async move { shared.renew(&due).await });
    }
}

impl Shared {
    fn can_refresh(&self) -> bool {
        !matches!(self.source, Source::Fixed)
    }

    fn current_usable(&self) -> Option<AccessToken> {
        let guard = self.current.read().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().filter(|t| t.usable(Instant::now())).cloned()
    }

    fn set_current(&self, token: AccessToken) {
        crate::redact::remember(token.value.expose());
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(token);
    }

    /// The background renewal of the token `due`: unless it was replaced meanwhile (a 401,
    /// another run's token in the cache), one token request. A failure leaves the current
    /// token in use and is retried after [`BACKGROUND_RETRY`].
    async fn renew(&self, due: &Secret) {
        let failed = {
            let _single_flight = self.refresh.lock().await;
            let replaced = self
                .current
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
                .is_none_or(|t| t.value != *due);
            if replaced {
                false
            } else if let Some(token) = self.newer_cached_token(due) {
                self.set_current(token);
                false
            } else {
                self.issue("renewal").await.is_err()
            }
        };
        let mut renewal = lock(&self.renewal);
        renewal.running = false;
        if failed {
            renewal.failed_at = Some(Instant::now());
        }
    }

    /// A token another run put in the cache since `due` was current, not yet due itself: what
    /// a renewal adopts instead of asking (runs sharing the cache share the renewals too).
    fn newer_cached_token(&self, due: &Secret) -> Option<AccessToken> {
        self.cached_token()
            .filter(|t| t.value != *due && Instant::now() < t.renew_at())
    }

    fn cached_token(&self) -> Option<AccessToken> {
        let (cache, key) = self.cache.as_ref()?;
        let cached = cache.load(key)?;
        let token = AccessToken::new(
            cached.access_token,
            cached.expires_at,
            cached.lifetime,
            None,
            cached.grant,
        );
        token.usable(Instant::now()).then_some(token)
    }

    /// Asks the token endpoint for a new token for waiting callers (the caller holds the
    /// refresh lock), unless such a request failed moments ago: then that failure is the
    /// answer.
    async fn fetch(&self, why: &'static str) -> Result<AccessToken, AuthError> {
        if let Some((when, error)) = lock(&self.failed).as_ref()
            && when.elapsed() < FAILURE_HOLD
        {
            return Err(error.clone());
        }
        let issued = self.issue(why).await;
        *lock(&self.failed) = issued.as_ref().err().map(|e| (Instant::now(), e.clone()));
        issued
    }

    /// One token from the token endpoint (network errors retried), kept in memory and in the
    /// cache (the caller holds the refresh lock). `why`: what the trace says it was for.
    async fn issue(&self, why: &'static str) -> Result<AccessToken, AuthError> {
        let mut attempt = 0;
        let issued = loop {
            let started = Instant::now();
            let result = self.request_token().await;
            trace_token(&self.source, why, attempt + 1, started.elapsed(), &result);
            match result {
                Err(AuthError::Network(_)) if attempt < NETWORK_RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(500) * 2u32.pow(attempt)).await;
                }
                Err(error) => return Err(error),
                Ok(issued) => break issued,
            }
        };
        let token = AccessToken {
            value: issued.token,
            expires_at: SystemTime::now() + issued.lifetime,
            deadline: Instant::now() + issued.lifetime,
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
        // A new token has a schedule of its own.
        lock(&self.renewal).failed_at = None;
        Ok(token)
    }

    /// One token request.
    async fn request_token(&self) -> Result<Issued, AuthError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        lock(&self.renewal).last_request = Some(Instant::now());
        match &self.source {
            Source::Endpoint {
                service,
                endpoint,
                values,
            } => {
                service
                    .ask_token(&service.request, &self.http, endpoint, values)
                    .await
            }
            Source::Fixed => Err(AuthError::FixedTokenRejected),
            #[cfg(test)]
            Source::Scripted(endpoint) => endpoint.issue().await,
        }
    }
}

/// Traces one token request (`-v`): the endpoint, why it was made, its outcome and the time
/// it took; never the token, nor a credential (an [`AuthError`] holds none).
fn trace_token(
    source: &Source,
    why: &'static str,
    attempt: u32,
    took: Duration,
    result: &Result<Issued, AuthError>,
) {
    let (host, path) = match source {
        Source::Endpoint {
            service, endpoint, ..
        } => (endpoint.as_str(), service.token_path),
        _ => ("-", "-"),
    };
    let ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
    let (outcome, lifetime_s, error) = match result {
        Ok(issued) => ("issued", Some(issued.lifetime.as_secs()), None),
        Err(e) => ("failed", None, Some(tracing::field::display(e))),
    };
    // A field that is `None` is left out: the lifetime of a token issued, the error of a failure.
    tracing::info!(
        method = %"POST",
        path = %path,
        host = %host,
        why,
        attempt,
        ms,
        outcome,
        lifetime_s,
        error,
        "token"
    );
}

#[cfg(test)]
mod tests;
