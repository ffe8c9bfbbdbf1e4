//! One entry for every request: find the endpoint (asking each emulator of the registry),
//! then apply in order the emulator's limits on requests in flight, the latency (and the
//! token servers' own), the global rate limit, the token check, the emulator's limits on
//! authorised requests, the injected fault, the write delay, and finally the endpoint itself.
//! Counts every answer, and the API requests by the second they arrived in. What it answers
//! where the vendors' pages are silent is listed in `choices.rs`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::EMULATORS;
use super::admin::{self, AdminRoute};
use super::emulator::{Carried, Ctx, Emulator, Found, plain_error};
use super::faults::{self, Fault};
use super::state::{Shared, lock};
use super::wire::{self, Req};
use crate::scopes::Access;

/// The largest body read (MMS media included).
const MAX_BODY: usize = 32 * 1024 * 1024;

/// What a request asks for.
#[derive(Clone)]
enum Route {
    Admin(AdminRoute),
    /// An endpoint of an emulator.
    Endpoint(&'static Emulator, Found),
    /// No endpoint: in the part of the URL space of an emulator, if one owns the path.
    Unknown(Option<&'static Emulator>),
}

impl Route {
    fn parse(method: &Method, segs: &[&str]) -> Route {
        if let ["_sandbox", rest @ ..] = segs {
            return AdminRoute::parse(method, rest)
                .map(Route::Admin)
                .unwrap_or(Route::Unknown(None));
        }
        for e in EMULATORS {
            if let Some(found) = e.route(method, segs) {
                return Route::Endpoint(e, found);
            }
        }
        Route::Unknown(EMULATORS.iter().copied().find(|e| e.owns(segs)))
    }

    /// The emulator whose conventions the request follows, if any.
    fn emulator(&self) -> Option<&'static Emulator> {
        match self {
            Route::Admin(_) => None,
            Route::Endpoint(e, _) => Some(*e),
            Route::Unknown(e) => *e,
        }
    }

    /// True for a request to a token server (an endpoint or not).
    fn is_token_server(&self) -> bool {
        self.emulator()
            .is_some_and(|e| e.behaviour.as_token_server().is_some())
    }

    /// True for a request to one of the emulated APIs (not a token endpoint, not unknown).
    fn is_api(&self) -> bool {
        matches!(self, Route::Endpoint(e, _) if e.behaviour.as_token_server().is_none())
    }

    /// The write of a contact API's records (create, update, delete, mark primary), if the
    /// request is one: what `write_delay_ms` holds back and tampering rewrites.
    fn contact_write(&self) -> Option<(Access, Carried)> {
        let Route::Endpoint(e, found) = self else {
            return None;
        };
        let op = found.op().filter(|op| *op != Access::Read)?;
        Some((op, e.contacts?))
    }

    /// The endpoint's name in the request counters.
    fn label(&self) -> &'static str {
        match self {
            Route::Admin(_) => "ADMIN",
            Route::Endpoint(_, found) => found.label(),
            Route::Unknown(_) => "UNKNOWN",
        }
    }

    /// A generic error in the shape of the request's emulator.
    fn error(&self, status: StatusCode, message: &str) -> Response {
        match self.emulator() {
            Some(e) => e.behaviour.error(status, message),
            None => plain_error(status, message),
        }
    }

    fn not_found(&self) -> Response {
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

async fn serve(shared: &Arc<Shared>, route: &Route, req: &Req) -> Response {
    let config = shared.config();
    let token_server = route.is_token_server();
    let troubled = !token_server || config.faults_on_oauth;

    let _admission = match route {
        Route::Endpoint(e, _) => match e.behaviour.admit(shared, req, &config) {
            Ok(admission) => admission,
            Err(refused) => return *refused,
        },
        _ => None,
    };

    if troubled && config.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(config.latency_ms)).await;
    }
    if token_server && config.token_latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(config.token_latency_ms)).await;
    }
    if troubled
        && let Some(left) = lock(&shared.lockout).hit(config.lockout.as_ref(), Instant::now())
    {
        lock(&shared.stats).rate_limited_429 += 1;
        let r = route.error(
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
        let r = route.error(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests: the sandbox's rate limit is exceeded. Retry after the Retry-After seconds.",
        );
        return wire::with_header(r, header::RETRY_AFTER, &secs.to_string());
    }
    let Route::Endpoint(emulator, found) = route else {
        return route.not_found();
    };

    // The token, then the emulator's limits (which only count authorised requests).
    if let Some(server) = emulator.token_server {
        let authorized = {
            let mut store = lock(&shared.store);
            let now = store.clock.now();
            store.tokens.authorized(req, server, now)
        };
        let Some(scopes) = authorized else {
            return server.unauthorized();
        };
        if let (Some(api), Some(op)) = (emulator.scope_api, found.op()) {
            let need = crate::scopes::need(api, op);
            let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            if !crate::scopes::grants(&scopes, &need) {
                return emulator
                    .behaviour
                    .scope_refused(&need)
                    .unwrap_or_else(|| server.scope_refused(&need));
            }
        }
    }
    if let Some(refused) = emulator.behaviour.limit(shared, req, &config) {
        return refused;
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
        return route.error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal server error (injected by the sandbox; nothing was changed).",
        );
    }
    if config.write_delay_ms > 0 && route.contact_write().is_some() {
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
    let Route::Endpoint(_, found) = route else {
        return route.not_found();
    };
    let tamper = super::tamper::Tamper {
        store_altered: config.store_altered.as_deref(),
        drop_on_update: config.drop_on_update.as_deref(),
    };
    let tampered = route
        .contact_write()
        .and_then(|(op, carried)| tamper.rewrite(op, carried == Carried::Parameter, req));
    let req = tampered.as_ref().unwrap_or(req);
    let mut store = lock(&shared.store);
    let ctx = Ctx {
        req,
        config,
        base_url: &shared.base_url,
        now_ms: wire::now_ms(),
    };
    found.answer(&mut store, &ctx)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_classified() {
        // A request: the emulator that owns its path, and its label ("UNKNOWN": no endpoint).
        let cases = [
            ("POST /oauth/v2/token", Some("zoho"), "POST /oauth/v2/token"),
            ("POST /oauth/token", Some("zoom"), "POST /oauth/token"),
            (
                "GET /rest/json/zv/contacts/contact_status",
                Some("zoho_voice"),
                "GET /rest/json/zv/contacts/contact_status",
            ),
            (
                "GET /rest/json/v1/sms/logs",
                Some("sms"),
                "GET /rest/json/v1/sms/logs",
            ),
            (
                "GET /books/v3/contacts/1/contactpersons",
                Some("zoho_books"),
                "GET /books/v3/contacts/{contact_id}/contactpersons",
            ),
            (
                "DELETE /v2/contact_center/address_books/a/contacts/b",
                Some("zoom_cc"),
                "DELETE /v2/contact_center/address_books/{id}/contacts/{contactId}",
            ),
            ("GET /v2/nope", Some("zoom_cc"), "UNKNOWN"),
            ("GET /", None, "UNKNOWN"),
        ];
        for (request, owner, label) in cases {
            let (method, path) = request.split_once(' ').expect("a method and a path");
            let method = Method::from_bytes(method.as_bytes()).expect("a method");
            let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            let route = Route::parse(&method, &segs);
            assert_eq!(route.emulator().map(|e| e.name), owner, "{request}");
            let found = label != "UNKNOWN";
            assert_eq!(matches!(route, Route::Endpoint(..)), found, "{request}");
            assert_eq!(route.label(), label, "{request}");
        }
    }
}
