//! The token provider against small axum token endpoints and APIs on 127.0.0.1.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{Form, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{any, post};

use super::*;
use crate::auth::zoho::{self, ZohoAuth};
use crate::auth::zoom::ZoomAuth;
use crate::http::tests::{send_concurrently, serve};
use crate::http::{BaseUrl, ClientConfig, HttpClient, Outcome, Rate, Request, build_client};

fn zoho_auth(refresh: &str) -> ZohoAuth {
    ZohoAuth::RefreshToken {
        client_id: "1000.CLIENT".to_string(),
        client_secret: Secret::new("s3cr3t-client"),
        refresh_token: Secret::new(refresh.to_string()),
    }
}

fn http() -> reqwest::Client {
    build_client(Duration::from_secs(5)).expect("client")
}

/// A Zoho provider of the test client for the refresh token `refresh`.
fn zoho(refresh: &str, accounts: BaseUrl, cache: Option<TokenCache>) -> TokenProvider {
    TokenProvider::zoho(http(), zoho_auth(refresh), accounts, cache)
}

/// Stores `token` for the refresh token "r1" at `accounts`, expiring in `expires_in` (of a
/// 1-hour lifetime); its cache key.
fn seed_cache(cache: &TokenCache, accounts: &BaseUrl, token: &str, expires_in: u64) -> String {
    let key = cache_key("zoho", &["1000.CLIENT", "r1", accounts.as_str()]);
    cache
        .store(
            &key,
            &CachedToken {
                access_token: Secret::new(token),
                expires_at: SystemTime::now() + Duration::from_secs(expires_in),
                lifetime: Duration::from_secs(3600),
                grant: Default::default(),
            },
        )
        .expect("seed cache");
    key
}

/// A count of requests, and a second handle on it for a handler to bump.
fn request_count() -> (Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    (Arc::clone(&count), count)
}

/// A Zoho accounts server: issues "tok-1", "tok-2", ... (after `delay`), checks the form.
/// Its base URL and the count of tokens issued.
async fn zoho_accounts(delay: Duration) -> (BaseUrl, Arc<AtomicUsize>) {
    let (issued, counter) = request_count();
    let router = Router::new().route(
        "/oauth/v2/token",
        post(move |Form(form): Form<HashMap<String, String>>| {
            let counter = Arc::clone(&counter);
            async move {
                let ok = form.get("grant_type").map(String::as_str) == Some("refresh_token")
                    && form.get("client_id").map(String::as_str) == Some("1000.CLIENT")
                    && form.get("client_secret").map(String::as_str) == Some("s3cr3t-client")
                    && form.contains_key("refresh_token");
                if !ok {
                    return r#"{"error":"invalid_client"}"#.to_string();
                }
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(delay).await;
                format!(r#"{{"access_token":"tok-{n}","api_domain":"x","token_type":"Bearer","expires_in":3600}}"#)
            }
        }),
    );
    (serve(router).await, issued)
}

/// An API that accepts `Zoho-oauthtoken <good>` and answers 401 INVALID_OAUTHTOKEN otherwise.
fn zoho_api(good: &'static str) -> Router {
    Router::new().route(
        "/rest/json/zv/contacts",
        any(move |headers: HeaderMap| async move {
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
            if auth == Some(&format!("Zoho-oauthtoken {good}")) {
                (StatusCode::OK, r#"{"code":"200","status":"SUCCESS"}"#).into_response()
            } else {
                (
                    StatusCode::UNAUTHORIZED,
                    r#"{"code":"INVALID_OAUTHTOKEN","message":"invalid oauth token","status":"error"}"#,
                )
                    .into_response()
            }
        }),
    )
}

fn api_client(base: BaseUrl, provider: Arc<TokenProvider>) -> HttpClient {
    HttpClient::new(
        http(),
        base,
        Some(provider),
        ClientConfig::new(Rate::per_second(1000.0).expect("rate")),
    )
}

#[tokio::test]
async fn fifty_concurrent_requests_one_token_request() {
    let (accounts, issued) = zoho_accounts(Duration::from_millis(100)).await;
    let api = serve(zoho_api("tok-1")).await;
    let provider = Arc::new(zoho("r1", accounts, None));
    let client = api_client(api, Arc::clone(&provider));
    let get = Request::get("/rest/json/zv/contacts");
    for outcome in send_concurrently(&client, 50, get).await {
        assert!(outcome.is_ok(), "{outcome:?}");
    }
    assert_eq!(issued.load(Ordering::SeqCst), 1);
    assert_eq!(provider.token_requests(), 1);
}

#[tokio::test]
async fn refreshes_once_on_401_for_all_workers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = TokenCache::new(dir.path());
    let (accounts, issued) = zoho_accounts(Duration::from_millis(50)).await;
    // A token from an earlier run, revoked since: the API refuses it.
    let key = seed_cache(&cache, &accounts, "revoked", 3000);
    let api = serve(zoho_api("tok-1")).await;
    let provider = Arc::new(zoho("r1", accounts, Some(cache.clone())));
    let client = api_client(api, Arc::clone(&provider));
    // A create: a 401 means "not applied", so it is safe to send again.
    let create = Request::post("/rest/json/zv/contacts");
    for outcome in send_concurrently(&client, 20, create).await {
        assert!(outcome.is_ok(), "{outcome:?}");
    }
    assert_eq!(issued.load(Ordering::SeqCst), 1);
    assert_eq!(
        cache
            .load(&key)
            .map(|t| t.access_token.expose().to_string()),
        Some("tok-1".to_string())
    );
}

#[tokio::test]
async fn a_fresh_token_refused_is_denied_without_a_refresh_loop() {
    let (accounts, issued) = zoho_accounts(Duration::ZERO).await;
    let api = serve(zoho_api("never")).await;
    let client = api_client(api, Arc::new(zoho("r1", accounts, None)));
    for _ in 0..3 {
        let outcome = client.send(&Request::get("/rest/json/zv/contacts")).await;
        assert!(
            matches!(&outcome, Outcome::Denied { message } if message.contains("freshly issued")),
            "{outcome:?}"
        );
    }
    assert_eq!(issued.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn fixed_token_refused_is_denied() {
    let api = serve(zoho_api("good")).await;
    let provider = Arc::new(TokenProvider::zoho(
        http(),
        ZohoAuth::AccessToken(Secret::new("bad")),
        BaseUrl::parse("http://127.0.0.1:1").expect("url"),
        None,
    ));
    let client = api_client(api.clone(), provider);
    assert!(matches!(
        client.send(&Request::get("/rest/json/zv/contacts")).await,
        Outcome::Denied { .. }
    ));
    let provider = Arc::new(TokenProvider::fixed(
        http(),
        Secret::new("good"),
        zoho::SCHEME,
    ));
    assert!(
        api_client(api, provider)
            .send(&Request::get("/rest/json/zv/contacts"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn cache_is_reused_by_the_next_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = TokenCache::new(dir.path().join("bulkline"));
    let (accounts, issued) = zoho_accounts(Duration::ZERO).await;
    let first = zoho("r1", accounts.clone(), Some(cache.clone()));
    let t1 = first.token().await.expect("token");
    assert_eq!(first.token_requests(), 1);
    // A second run: a new provider, same credentials.
    let second = zoho("r1", accounts.clone(), Some(cache.clone()));
    let t2 = second.token().await.expect("token");
    assert_eq!(second.token_requests(), 0);
    assert_eq!(t1.secret(), t2.secret());
    assert_eq!(issued.load(Ordering::SeqCst), 1);
    // Other credentials do not share it.
    let other = zoho("r2", accounts, Some(cache));
    let t3 = other.token().await.expect("token");
    assert_ne!(t3.secret(), t1.secret());
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_fresh_token_asks_the_endpoint_whatever_the_cache_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = TokenCache::new(dir.path());
    let (accounts, issued) = zoho_accounts(Duration::ZERO).await;
    let key = seed_cache(&cache, &accounts, "cached", 3000);
    let provider = zoho("r1", accounts.clone(), Some(cache.clone()));
    let t = provider.fresh_token().await.expect("token");
    assert_eq!(t.secret().expose(), "tok-1");
    assert!(t.issued_here());
    assert_eq!(provider.token_requests(), 1);
    // It is kept, in memory and in the cache.
    assert_eq!(
        provider.token().await.expect("token").secret().expose(),
        "tok-1"
    );
    let cached = cache.load(&key).expect("cached");
    assert_eq!(cached.access_token.expose(), "tok-1");

    // A wrong client secret is refused, though the cache holds a good token for the key.
    let wrong = ZohoAuth::RefreshToken {
        client_id: "1000.CLIENT".to_string(),
        client_secret: Secret::new("not-the-secret"),
        refresh_token: Secret::new("r1"),
    };
    let provider = TokenProvider::zoho(http(), wrong, accounts, Some(cache));
    let e = provider.fresh_token().await.expect_err("refused");
    assert!(e.to_string().contains("invalid_client"), "{e}");
    assert_eq!(issued.load(Ordering::SeqCst), 1);

    // A fixed token has no endpoint to ask: it is used as it is.
    let fixed = TokenProvider::fixed(http(), Secret::new("fixed"), AuthScheme::BEARER);
    assert_eq!(
        fixed.fresh_token().await.expect("token").secret().expose(),
        "fixed"
    );
    assert_eq!(fixed.token_requests(), 0);
}

#[cfg(unix)]
#[tokio::test]
async fn cache_file_is_private_and_holds_no_credentials() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = TokenCache::new(dir.path().join("bulkline"));
    let (accounts, _) = zoho_accounts(Duration::ZERO).await;
    let provider = zoho("1000.r3fr3sh", accounts, Some(cache.clone()));
    provider.token().await.expect("token");
    let entries: Vec<_> = std::fs::read_dir(cache.dir())
        .expect("dir")
        .filter_map(Result::ok)
        .collect();
    assert_eq!(entries.len(), 1);
    let path = entries[0].path();
    let name = entries[0].file_name().to_string_lossy().to_string();
    assert!(
        !name.contains("r3fr3sh") && !name.contains("s3cr3t"),
        "{name}"
    );
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains("tok-1"));
    assert!(
        !text.contains("r3fr3sh") && !text.contains("s3cr3t") && !text.contains("CLIENT"),
        "{text}"
    );
}

#[tokio::test]
async fn expiring_cached_token_is_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = TokenCache::new(dir.path());
    let (accounts, issued) = zoho_accounts(Duration::ZERO).await;
    // Within the refresh margin (5 min of a 1-hour token).
    seed_cache(&cache, &accounts, "old", 60);
    let provider = zoho("r1", accounts, Some(cache));
    let t = provider.token().await.expect("token");
    assert_eq!(t.secret().expose(), "tok-1");
    assert_eq!(issued.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn access_denied_says_wait_ten_minutes() {
    let (asked, counter) = request_count();
    let router = Router::new().route(
        "/oauth/v2/token",
        post(move || async move {
            counter.fetch_add(1, Ordering::SeqCst);
            (
                StatusCode::BAD_REQUEST,
                r#"{"error_description":"You have made too many requests continuously. Please try again after some time.","error":"Access Denied","status":"failure"}"#,
            )
        }),
    );
    let accounts = serve(router).await;
    let provider = Arc::new(zoho("r1", accounts, None));
    assert_eq!(
        provider.token().await.err(),
        Some(AuthError::TokenRateLimited)
    );
    let api = serve(zoho_api("x")).await;
    let outcome = api_client(api, provider)
        .send(&Request::get("/rest/json/zv/contacts"))
        .await;
    assert!(
        matches!(&outcome, Outcome::Unauthorized { message } if message.contains("10 minutes")),
        "{outcome:?}"
    );
    assert_eq!(asked.load(Ordering::SeqCst), 1, "asked only once");
}

#[tokio::test]
async fn zoom_server_to_server_flow() {
    let (issued, counter) = request_count();
    let oauth = Router::new().route(
        "/oauth/token",
        post(move |Query(q): Query<HashMap<String, String>>, headers: HeaderMap| {
            let counter = Arc::clone(&counter);
            async move {
                use base64::Engine;
                let expected = format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode("zcid:zs3cr3t")
                );
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
                if auth != Some(expected.as_str())
                    || q.get("grant_type").map(String::as_str) != Some("account_credentials")
                    || q.get("account_id").map(String::as_str) != Some("acc-1")
                {
                    return (
                        StatusCode::BAD_REQUEST,
                        r#"{"reason":"Invalid client_id or client_secret","error":"invalid_client"}"#,
                    )
                        .into_response();
                }
                counter.fetch_add(1, Ordering::SeqCst);
                r#"{"access_token":"ztok","token_type":"bearer","expires_in":3599,"scope":"x","api_url":"https://api.zoom.us"}"#
                    .into_response()
            }
        }),
    );
    let oauth = serve(oauth).await;
    let api = serve(Router::new().route(
        "/v2/contact_center/address_books/ab1/contacts",
        post(|headers: HeaderMap| async move {
            if headers.get("authorization").and_then(|v| v.to_str().ok()) == Some("Bearer ztok") {
                (StatusCode::CREATED, r#"{"contact_id":"c1"}"#).into_response()
            } else {
                (
                    StatusCode::UNAUTHORIZED,
                    r#"{"code":124,"message":"Invalid access token."}"#,
                )
                    .into_response()
            }
        }),
    ))
    .await;
    let auth = |secret: &str| ZoomAuth::ServerToServer {
        account_id: "acc-1".to_string(),
        client_id: "zcid".to_string(),
        client_secret: Secret::new(secret),
    };
    let provider = Arc::new(TokenProvider::zoom(
        http(),
        auth("zs3cr3t"),
        oauth.clone(),
        None,
    ));
    let outcome = api_client(api, Arc::clone(&provider))
        .send(&Request::post(
            "/v2/contact_center/address_books/ab1/contacts",
        ))
        .await;
    assert!(
        matches!(outcome, Outcome::Ok { status: 201, .. }),
        "{outcome:?}"
    );
    assert_eq!(issued.load(Ordering::SeqCst), 1);
    let err = TokenProvider::zoom(http(), auth("wrong"), oauth, None)
        .token()
        .await
        .err();
    assert!(
        matches!(
            &err,
            Some(AuthError::Refused {
                service: "Zoom",
                status: 400,
                ..
            })
        ),
        "{err:?}"
    );
    assert!(
        !err.map(|e| e.to_string())
            .unwrap_or_default()
            .contains("wrong")
    );
}

#[test]
fn header_values_and_debug_are_redacted() {
    let secret = Secret::new("1000.s3cr3t");
    let zoho = zoho::SCHEME.header_value(&secret).expect("header");
    assert_eq!(zoho.to_str().ok(), Some("Zoho-oauthtoken 1000.s3cr3t"));
    assert!(zoho.is_sensitive());
    assert!(!format!("{zoho:?}").contains("s3cr3t"));
    let bearer = AuthScheme::BEARER.header_value(&secret).expect("header");
    assert_eq!(bearer.to_str().ok(), Some("Bearer 1000.s3cr3t"));
    assert!(matches!(
        AuthScheme::BEARER.header_value(&Secret::new("bad\ntoken")),
        Err(AuthError::BadToken)
    ));
    let provider = TokenProvider::zoho(
        reqwest::Client::new(),
        zoho_auth("1000.r3fr3sh"),
        BaseUrl::parse("https://accounts.zoho.com").expect("url"),
        None,
    );
    let fixed = TokenProvider::fixed(reqwest::Client::new(), secret.clone(), AuthScheme::BEARER);
    let token = fixed.current_usable().expect("fixed token");
    let shown = format!(
        "{provider:?} {fixed:?} {token:?} {:?}",
        zoho_auth("1000.r3fr3sh")
    );
    assert!(
        !shown.contains("s3cr3t") && !shown.contains("r3fr3sh"),
        "{shown}"
    );
}

/// A token endpoint in memory: issues "tok-1", "tok-2", ... of one lifetime, after a delay on
/// tokio's clock; refuses the next requests when told to.
pub(super) struct ScriptedEndpoint {
    lifetime: Duration,
    delay: Duration,
    issued: AtomicUsize,
    refuse_next: AtomicU32,
}

impl ScriptedEndpoint {
    pub(super) async fn issue(&self) -> Result<Issued, AuthError> {
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        let refuse = self
            .refuse_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if refuse {
            return Err(AuthError::BadResponse {
                service: "Scripted",
                message: "HTTP 503".to_string(),
            });
        }
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(Issued {
            token: Secret::new(format!("tok-{n}")),
            refresh_token: None,
            lifetime: self.lifetime,
            grant: Grant::default(),
        })
    }

    fn refuse_next(&self, n: u32) {
        self.refuse_next.store(n, Ordering::SeqCst);
    }
}

/// A provider of tokens of `lifetime` from an endpoint that answers after `delay`, sharing
/// `cache` (under one key) if given.
fn scripted_with_cache(
    lifetime: Duration,
    delay: Duration,
    cache: Option<TokenCache>,
) -> (Arc<ScriptedEndpoint>, TokenProvider) {
    let endpoint = Arc::new(ScriptedEndpoint {
        lifetime,
        delay,
        issued: AtomicUsize::new(0),
        refuse_next: AtomicU32::new(0),
    });
    let provider = TokenProvider::new(
        http(),
        Source::Scripted(Arc::clone(&endpoint)),
        AuthScheme::BEARER,
        cache.map(|c| (c, "scripted".to_string())),
        None,
    );
    (endpoint, provider)
}

fn scripted(lifetime: Duration, delay: Duration) -> (Arc<ScriptedEndpoint>, TokenProvider) {
    scripted_with_cache(lifetime, delay, None)
}

/// The lifetime of the scripted tokens in most tests (its margin, a tenth, is 100 s).
const LIFE: Duration = Duration::from_secs(1000);

/// The token a caller gets now, which must come without waiting on the clock.
async fn token_at_once(provider: &TokenProvider) -> String {
    let before = tokio::time::Instant::now();
    let token = provider.token().await.expect("a token");
    assert_eq!(
        tokio::time::Instant::now(),
        before,
        "the caller waited for a token"
    );
    token.secret().expose().to_string()
}

/// Lets a background renewal that has nothing to wait for run to its end.
async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

async fn first_token(provider: &TokenProvider) -> String {
    let token = provider.token().await.expect("a token");
    token.secret().expose().to_string()
}

/// Asserts that a caller who finds `tok-1` due still gets it at once, that the renewal
/// beside it makes `requests` token requests in all, and that the next caller gets `tok-2`.
async fn renewed_beside_a_caller(provider: &TokenProvider, requests: usize) {
    assert_eq!(token_at_once(provider).await, "tok-1");
    settle().await;
    assert_eq!(provider.token_requests(), requests);
    assert_eq!(token_at_once(provider).await, "tok-2");
}

#[tokio::test(start_paused = true)]
async fn renewal_starts_at_three_quarters_of_the_lifetime() {
    let (_, provider) = scripted(LIFE, Duration::ZERO);
    assert_eq!(first_token(&provider).await, "tok-1");
    tokio::time::advance(LIFE.mul_f64(REFRESH_AT) - Duration::from_millis(1)).await;
    assert_eq!(token_at_once(&provider).await, "tok-1");
    settle().await;
    assert_eq!(provider.token_requests(), 1, "renewed too early");
    tokio::time::advance(Duration::from_millis(1)).await;
    // The caller that finds the token due still gets it; the renewal runs beside.
    renewed_beside_a_caller(&provider, 2).await;
}

#[tokio::test(start_paused = true)]
async fn callers_get_the_current_token_while_the_renewal_runs() {
    let delay = Duration::from_secs(5);
    let (_, provider) = scripted(LIFE, delay);
    assert_eq!(first_token(&provider).await, "tok-1");
    tokio::time::advance(LIFE.mul_f64(REFRESH_AT)).await;
    for _ in 0..50 {
        assert_eq!(token_at_once(&provider).await, "tok-1");
        settle().await;
    }
    assert_eq!(provider.token_requests(), 2, "one renewal for every caller");
    tokio::time::advance(delay).await;
    settle().await;
    assert_eq!(token_at_once(&provider).await, "tok-2");
    assert_eq!(provider.token_requests(), 2);
}

#[tokio::test(start_paused = true)]
async fn each_token_is_renewed_once() {
    let (_, provider) = scripted(LIFE, Duration::ZERO);
    assert_eq!(first_token(&provider).await, "tok-1");
    let mut seen = vec!["tok-1".to_string()];
    // Nearly three lifetimes, a caller every second: a renewal every 750 s, none between.
    for _ in 0..2900 {
        tokio::time::advance(Duration::from_secs(1)).await;
        let token = token_at_once(&provider).await;
        if seen.last() != Some(&token) {
            seen.push(token);
        }
        settle().await;
    }
    assert_eq!(seen, ["tok-1", "tok-2", "tok-3", "tok-4"]);
    assert_eq!(provider.token_requests(), 4);
}

#[tokio::test(start_paused = true)]
async fn short_lived_tokens_do_not_make_the_renewal_spin() {
    // 4-s tokens: renewed in the background at 3 s, callers never wait.
    let (_, provider) = scripted(Duration::from_secs(4), Duration::ZERO);
    first_token(&provider).await;
    for _ in 0..1150 {
        tokio::time::advance(Duration::from_millis(10)).await;
        token_at_once(&provider).await;
        settle().await;
    }
    // Renewed at 3, 6 and 9 s.
    assert_eq!(provider.token_requests(), 4);

    // 1-s tokens: due at 0.75 s, but never two requests within the minimum interval, so
    // they run out (each is replaced once, by a caller who waits): one request per token.
    let (_, provider) = scripted(Duration::from_secs(1), Duration::ZERO);
    first_token(&provider).await;
    for _ in 0..1000 {
        tokio::time::advance(Duration::from_millis(10)).await;
        provider.token().await.expect("a token");
        settle().await;
    }
    let requests = provider.token_requests();
    // A token is handed out until its last tenth: 0.9 s each.
    assert!(
        (11..=12).contains(&requests),
        "{requests} token requests in 10 s"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_renewal_keeps_the_token_and_is_retried_later() {
    let (endpoint, provider) = scripted(LIFE, Duration::ZERO);
    assert_eq!(first_token(&provider).await, "tok-1");
    endpoint.refuse_next(1);
    tokio::time::advance(LIFE.mul_f64(REFRESH_AT)).await;
    assert_eq!(token_at_once(&provider).await, "tok-1");
    settle().await;
    assert_eq!(provider.token_requests(), 2, "the renewal was tried");
    // Not retried in a loop: for the next 10 s of callers, the current token serves.
    let quiet = Duration::from_secs(10);
    for _ in 0..100 {
        tokio::time::advance(quiet / 100).await;
        assert_eq!(token_at_once(&provider).await, "tok-1");
        settle().await;
    }
    assert_eq!(provider.token_requests(), 2, "retried too soon");
    tokio::time::advance(BACKGROUND_RETRY.saturating_sub(quiet)).await;
    renewed_beside_a_caller(&provider, 3).await;
}

#[tokio::test(start_paused = true)]
async fn an_expired_token_is_replaced_on_a_401_and_when_asked_for() {
    let (_, provider) = scripted(LIFE, Duration::ZERO);
    let first = provider.token().await.expect("a token");
    // Nobody asked for a token for a whole lifetime: no renewal ran.
    tokio::time::advance(LIFE + Duration::from_secs(1)).await;
    settle().await;
    assert_eq!(provider.token_requests(), 1);
    // The API refused the expired token: one new one, for every worker that saw the 401.
    let second = provider
        .refresh_rejected(&first)
        .await
        .expect("a new token");
    assert_eq!(second.secret().expose(), "tok-2");
    let again = provider
        .refresh_rejected(&first)
        .await
        .expect("the new token");
    assert_eq!(again.secret().expose(), "tok-2");
    assert_eq!(provider.token_requests(), 2);
    // Past its expiry, the next caller waits for a new one.
    tokio::time::advance(LIFE).await;
    assert_eq!(first_token(&provider).await, "tok-3");
    assert_eq!(provider.token_requests(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_fixed_token_is_never_renewed() {
    let provider = TokenProvider::fixed(http(), Secret::new("fixed"), AuthScheme::BEARER);
    for _ in 0..100 {
        tokio::time::advance(Duration::from_secs(86_400)).await;
        assert_eq!(token_at_once(&provider).await, "fixed");
        settle().await;
    }
    assert_eq!(provider.token_requests(), 0);
}

#[tokio::test(start_paused = true)]
async fn runs_sharing_the_cache_share_the_renewal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = TokenCache::new(dir.path());
    let (endpoint, first) = scripted_with_cache(LIFE, Duration::ZERO, Some(cache.clone()));
    assert_eq!(first_token(&first).await, "tok-1");
    // A second run starts with the cached token.
    let second = TokenProvider::new(
        http(),
        Source::Scripted(Arc::clone(&endpoint)),
        AuthScheme::BEARER,
        Some((cache, "scripted".to_string())),
        None,
    );
    assert_eq!(token_at_once(&second).await, "tok-1");
    assert_eq!(second.token_requests(), 0);
    tokio::time::advance(LIFE.mul_f64(REFRESH_AT)).await;
    token_at_once(&first).await;
    settle().await;
    assert_eq!(token_at_once(&first).await, "tok-2");
    // The second run's renewal finds the first one's token in the cache and asks nothing.
    token_at_once(&second).await;
    settle().await;
    assert_eq!(token_at_once(&second).await, "tok-2");
    assert_eq!(second.token_requests(), 0);
    assert_eq!(endpoint.issued.load(Ordering::SeqCst), 2);
}
