//! One entry for every request: find the endpoint, then apply in order the Books concurrency
//! limit, the latency (and the token endpoints' own), the global rate limit, the token check,
//! the Books per-minute and daily limits, the injected fault, the write delay, and finally the
//! endpoint itself. Counts every answer, and the API requests by the second they arrived in. What it answers where the vendors' pages are silent is listed in `choices.rs`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::admin::{self, AdminRoute};
use super::faults::{self, Fault};
use super::oauth;
use super::sms::{self, SmsRoute};
use super::state::{Shared, TokenKind, lock};
use super::wire::{self, CodedError, Req, json};
use super::zoho_books::{self, BooksRoute};
use super::zoho_voice::{self, VoiceRoute};
use super::zoom_cc::{self, ZoomRoute};

/// The largest body read (MMS media included).
const MAX_BODY: usize = 32 * 1024 * 1024;

/// Which vendor's conventions an endpoint follows (for the shape of generic errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    ZohoVoice,
    ZohoBooks,
    Zoom,
    OAuth,
    Other,
}

/// Every endpoint the sandbox knows.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Admin(AdminRoute),
    ZohoToken,
    ZoomToken,
    Voice(VoiceRoute),
    Books(BooksRoute),
    Zoom(ZoomRoute),
    Sms(SmsRoute),
    Unknown(Family),
}

impl Route {
    fn parse(method: &Method, segs: &[&str]) -> Route {
        match segs {
            ["_sandbox", rest @ ..] => AdminRoute::parse(method, rest)
                .map(Route::Admin)
                .unwrap_or(Route::Unknown(Family::Other)),
            ["oauth", "v2", "token"] if method == Method::POST => Route::ZohoToken,
            ["oauth", "token"] if method == Method::POST => Route::ZoomToken,
            ["oauth", ..] => Route::Unknown(Family::OAuth),
            ["rest", "json", "zv", "contacts", rest @ ..] => VoiceRoute::parse(method, rest)
                .map(Route::Voice)
                .unwrap_or(Route::Unknown(Family::ZohoVoice)),
            ["rest", "json", rest @ ..] => SmsRoute::parse(method, rest)
                .map(Route::Sms)
                .unwrap_or(Route::Unknown(Family::ZohoVoice)),
            ["books", "v3", "contacts", rest @ ..] => BooksRoute::parse(method, rest)
                .map(Route::Books)
                .unwrap_or(Route::Unknown(Family::ZohoBooks)),
            ["books", ..] => Route::Unknown(Family::ZohoBooks),
            ["v2", "contact_center", "address_books", rest @ ..] => ZoomRoute::parse(method, rest)
                .map(Route::Zoom)
                .unwrap_or(Route::Unknown(Family::Zoom)),
            ["v2", ..] => Route::Unknown(Family::Zoom),
            _ => Route::Unknown(Family::Other),
        }
    }

    fn family(&self) -> Family {
        match self {
            Route::Admin(_) => Family::Other,
            Route::ZohoToken | Route::ZoomToken => Family::OAuth,
            Route::Voice(_) | Route::Sms(_) => Family::ZohoVoice,
            Route::Books(_) => Family::ZohoBooks,
            Route::Zoom(_) => Family::Zoom,
            Route::Unknown(f) => *f,
        }
    }

    /// The scope the endpoint needs (the table in [`crate::scopes`]).
    fn need(&self) -> Option<crate::scopes::Need> {
        use crate::connectors::{zoho_books, zoho_voice, zoom_cc};
        use crate::scopes::need;
        let (api, op) = match self {
            Route::Voice(r) => (zoho_voice::DESCRIPTOR.api, r.op()),
            Route::Books(r) => (zoho_books::DESCRIPTOR.api, r.op()),
            Route::Zoom(r) => (zoom_cc::DESCRIPTOR.api, r.op()),
            Route::Sms(r) => (crate::sms::api::API, r.op()),
            _ => return None,
        };
        Some(need(api, op))
    }

    /// True for a request to one of the emulated APIs (not a token endpoint, not unknown).
    fn is_api(&self) -> bool {
        matches!(
            self,
            Route::Voice(_) | Route::Books(_) | Route::Zoom(_) | Route::Sms(_)
        )
    }

    /// True for a request that changes a contact API's records (create, update, delete, mark
    /// primary): what `write_delay_ms` holds back.
    fn is_contact_write(&self) -> bool {
        let op = match self {
            Route::Voice(r) => r.op(),
            Route::Books(r) => r.op(),
            Route::Zoom(r) => r.op(),
            _ => return false,
        };
        op != crate::scopes::Op::Read
    }

    /// The endpoint's name in the request counters.
    fn label(&self) -> &'static str {
        match self {
            Route::Admin(_) => "ADMIN",
            Route::ZohoToken => "POST /oauth/v2/token",
            Route::ZoomToken => "POST /oauth/token",
            Route::Voice(r) => r.label(),
            Route::Books(r) => r.label(),
            Route::Zoom(r) => r.label(),
            Route::Sms(r) => r.label(),
            Route::Unknown(_) => "UNKNOWN",
        }
    }
}

impl Family {
    fn error(self, status: StatusCode, message: &str) -> Response {
        let code = status.as_u16();
        match self {
            Family::ZohoVoice => zoho_voice::error(status, &code.to_string(), message),
            Family::ZohoBooks => zoho_books::error(status, i64::from(code), message),
            Family::Zoom => zoom_cc::error(status, i64::from(code), message),
            Family::OAuth | Family::Other => json(status, json!({"error": message})),
        }
    }

    fn not_found(self) -> Response {
        self.error(
            StatusCode::NOT_FOUND,
            "No such endpoint in the sandbox (check the method and the path).",
        )
    }
}

/// The axum handler of every request.
pub async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                "request body too large or unreadable",
            )
                .into_response();
        }
    };
    let req = Req {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: wire::parse_urlencoded(parts.uri.query().unwrap_or("")),
        headers: parts.headers,
        body,
    };
    let route = Route::parse(&req.method, &req.segments());
    if let Route::Admin(a) = &route {
        return admin::handle(&shared, a, &req);
    }
    let arrived_ms = wire::now_ms();
    let response = serve(&shared, &route, &req).await;
    let mut stats = lock(&shared.stats);
    stats.record(route.label(), response.status().as_u16());
    if route.is_api() {
        stats.record_api_arrival(arrived_ms);
    }
    drop(stats);
    response
}

/// Releases a Books in-flight slot when dropped.
struct InFlight<'a> {
    shared: &'a Shared,
    org: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut b = lock(&self.shared.books);
        if let Some(n) = b.in_flight.get_mut(&self.org) {
            *n = n.saturating_sub(1);
        }
    }
}

async fn serve(shared: &Arc<Shared>, route: &Route, req: &Req) -> Response {
    let config = shared.config();
    let family = route.family();
    let troubled = family != Family::OAuth || config.faults_on_oauth;
    let books_org = req.query("organization_id").unwrap_or("").to_string();

    let _in_flight = if matches!(route, Route::Books(_)) {
        let mut b = lock(&shared.books);
        let n = b.in_flight.entry(books_org.clone()).or_default();
        if *n >= config.books_max_concurrent {
            return zoho_books::error(
                StatusCode::TOO_MANY_REQUESTS,
                zoho_books::CODE_CONCURRENT,
                "You have exceeded the maximum number of concurrent API requests. Please try again after some time.",
            );
        }
        *n += 1;
        Some(InFlight {
            shared,
            org: books_org.clone(),
        })
    } else {
        None
    };

    if troubled && config.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(config.latency_ms)).await;
    }
    if family == Family::OAuth && config.token_latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(config.token_latency_ms)).await;
    }
    if troubled
        && let Some(left) = lock(&shared.lockout).hit(config.lockout.as_ref(), Instant::now())
    {
        lock(&shared.stats).rate_limited_429 += 1;
        let r = family.error(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests: the sandbox locks requests out for a while.",
        );
        return match config.lockout {
            Some(plan) if plan.retry_after => wire::with_header(
                r,
                header::RETRY_AFTER,
                &faults::retry_after_secs(left).to_string(),
            ),
            _ => r,
        };
    }
    if troubled && let Some(wait) = rate_limited(shared, config.rate_window_per_sec) {
        lock(&shared.stats).rate_limited_429 += 1;
        let secs = faults::retry_after_secs(wait);
        let r = family.error(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests: the sandbox's rate limit is exceeded. Retry after the Retry-After seconds.",
        );
        return wire::with_header(r, header::RETRY_AFTER, &secs.to_string());
    }
    if let Route::Unknown(f) = route {
        return f.not_found();
    }

    // The token, then the Books limits (which only count authorised requests).
    let kind = match route {
        Route::Voice(_) | Route::Sms(_) | Route::Books(_) => Some(TokenKind::Zoho),
        Route::Zoom(_) => Some(TokenKind::Zoom),
        _ => None,
    };
    if let Some(kind) = kind {
        let Some(scopes) = oauth::authorized(&mut lock(&shared.store), req, kind) else {
            return match kind {
                TokenKind::Zoho => oauth::zoho_unauthorized(),
                TokenKind::Zoom => oauth::zoom_unauthorized(),
            };
        };
        if let Some(need) = route.need() {
            let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            if !crate::scopes::grants(&scopes, &need) {
                return match route {
                    Route::Books(_) => zoho_books::not_authorized(),
                    _ => oauth::scope_refused(kind, &need),
                };
            }
        }
    }
    if matches!(route, Route::Books(_))
        && let Err(e) = books_limits(shared, &books_org, &config)
    {
        return e.into_response();
    }

    let fault = if troubled {
        faults::draw(
            &mut lock(&shared.faults),
            config.fault_rate,
            config.ambiguous_rate,
        )
    } else {
        Fault::None
    };
    if fault == Fault::Fail {
        lock(&shared.stats).injected_500 += 1;
        return family.error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal server error (injected by the sandbox; nothing was changed).",
        );
    }
    if config.write_delay_ms > 0 && route.is_contact_write() {
        let delay = Duration::from_millis(config.write_delay_ms);
        return apply_late(shared, route, req, config, fault, delay).await;
    }
    answer(shared, route, req, &config, fault)
}

/// Runs the endpoint, then answers 502 instead if the fault says so.
fn answer(
    shared: &Shared,
    route: &Route,
    req: &Req,
    config: &super::SandboxConfig,
    fault: Fault,
) -> Response {
    let response = apply(shared, route, req, config);
    if fault == Fault::Ambiguous {
        lock(&shared.stats).ambiguous_502 += 1;
        return (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response();
    }
    response
}

/// A write applied `delay` after it arrived, as a slow network or a busy server makes it: in
/// a task of its own, so that the change happens when the delay is over even if the client
/// has gone (killed, or timed out and dropped the connection); the answer waits for it.
async fn apply_late(
    shared: &Arc<Shared>,
    route: &Route,
    req: &Req,
    config: super::SandboxConfig,
    fault: Fault,
    delay: Duration,
) -> Response {
    lock(&shared.stats).delayed_writes += 1;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (held, route, req) = (Arc::clone(shared), route.clone(), req.clone());
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let response = answer(&held, &route, &req, &config, fault);
        lock(&held.stats).delayed_applied += 1;
        // Nobody may be waiting any more: the change is made all the same.
        let _ = tx.send(response);
    });
    match rx.await {
        Ok(response) => response,
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the sandbox lost a delayed write",
        )
            .into_response(),
    }
}

/// Runs the endpoint itself.
fn apply(shared: &Shared, route: &Route, req: &Req, config: &super::SandboxConfig) -> Response {
    let tamper = super::tamper::Tamper {
        store_altered: config.store_altered.as_deref(),
        drop_on_update: config.drop_on_update.as_deref(),
    };
    let tampered = match route {
        Route::Voice(r) => tamper.rewrite(r.op(), true, req),
        Route::Books(r) => tamper.rewrite(r.op(), false, req),
        Route::Zoom(r) => tamper.rewrite(r.op(), false, req),
        _ => None,
    };
    let req = tampered.as_ref().unwrap_or(req);
    let mut store = lock(&shared.store);
    let now = wire::now_ms();
    match route {
        Route::ZohoToken => oauth::zoho_token(&mut store, config, &shared.base_url, req),
        Route::ZoomToken => oauth::zoom_token(&mut store, config, req),
        Route::Voice(r) => zoho_voice::handle(&mut store, r, req, now),
        Route::Books(r) => zoho_books::handle(&mut store, r, req),
        Route::Zoom(r) => zoom_cc::handle(
            &mut store,
            r,
            req,
            Duration::from_secs(config.zoom_page_token_ttl_secs),
        ),
        Route::Sms(r) => sms::handle(
            &mut store,
            *r,
            req,
            &sms::Rules {
                unsupported: &config.sms_unsupported_country_codes,
                first_number_only: config.sms_answer_first_number_only,
            },
            now,
        ),
        Route::Admin(_) | Route::Unknown(_) => route.family().not_found(),
    }
}

/// How long to wait, if the global bucket is empty.
fn rate_limited(shared: &Shared, window: Option<u32>) -> Option<Duration> {
    let now = Instant::now();
    if let Some(limit) = window
        && let Err(wait) = lock(&shared.window).hit(now, Duration::from_secs(1), limit)
    {
        return Some(wait);
    }
    let mut bucket = lock(&shared.bucket);
    bucket.as_mut()?.take(now).err()
}

/// Zoho Books' per-minute and daily limits of an organization.
fn books_limits(
    shared: &Shared,
    org: &str,
    config: &super::SandboxConfig,
) -> Result<(), CodedError> {
    let now_ms = wire::now_ms();
    let today = (now_ms / 86_400_000) as i64;
    let mut b = lock(&shared.books);
    let used = match b.daily.get(org) {
        Some(&(day, n)) if day == today => n,
        _ => 0,
    };
    if let Some(quota) = config.books_daily_quota
        && used >= quota
    {
        let left_min = (86_400_000 - now_ms % 86_400_000).div_ceil(60_000);
        let status = StatusCode::from_u16(config.books_daily_quota_status)
            .unwrap_or(StatusCode::TOO_MANY_REQUESTS);
        return Err(CodedError::new(
            status,
            zoho_books::CODE_DAILY,
            format!(
                "You have reached the maximum number of API requests allowed per day ({quota}) for this organization. The limit resets at 00:00 UTC (in {}h {}m).",
                left_min / 60,
                left_min % 60
            ),
        ));
    }
    let window = b.per_minute.entry(org.to_string()).or_default();
    if window
        .try_record(
            Instant::now(),
            Duration::from_secs(60),
            config.books_requests_per_minute,
        )
        .is_err()
    {
        return Err(CodedError::new(
            StatusCode::TOO_MANY_REQUESTS,
            zoho_books::CODE_PER_MINUTE,
            format!(
                "You have made too many requests per minute (limit {}). Please try again after some time.",
                config.books_requests_per_minute
            ),
        ));
    }
    b.daily.insert(org.to_string(), (today, used + 1));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_classified() {
        let r = |m: Method, p: &str| {
            let segs: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
            Route::parse(&m, &segs)
        };
        assert_eq!(r(Method::POST, "/oauth/v2/token"), Route::ZohoToken);
        assert_eq!(r(Method::POST, "/oauth/token"), Route::ZoomToken);
        assert_eq!(
            r(Method::GET, "/rest/json/zv/contacts/contact_status"),
            Route::Voice(VoiceRoute::Statuses)
        );
        assert_eq!(
            r(Method::GET, "/rest/json/v1/sms/logs"),
            Route::Sms(SmsRoute::Logs)
        );
        assert_eq!(
            r(Method::GET, "/books/v3/contacts/1/contactpersons"),
            Route::Books(BooksRoute::List("1".into()))
        );
        assert_eq!(
            r(
                Method::DELETE,
                "/v2/contact_center/address_books/a/contacts/b"
            ),
            Route::Zoom(ZoomRoute::Delete("a".into(), "b".into()))
        );
        assert_eq!(r(Method::GET, "/v2/nope"), Route::Unknown(Family::Zoom));
        assert_eq!(r(Method::GET, "/"), Route::Unknown(Family::Other));
    }
}
