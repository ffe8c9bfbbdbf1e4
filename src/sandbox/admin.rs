//! The admin surface under `/_sandbox/` (no token, no faults, not counted), for tests that run
//! the sandbox in another process:
//!
//! - `GET /_sandbox/state`: every record per API, counts, request counters, tokens issued.
//! - `GET /_sandbox/config`, `POST /_sandbox/config` (a [`ConfigPatch`] as JSON): the settings.
//! - `POST /_sandbox/reset`: back to the seeded state (the settings stay).
//! - `POST /_sandbox/sms/incoming` (`{"customerNumber": "...", "message": "STOP",
//!   "senderId": "..."}`): an incoming SMS.
//! - `POST /_sandbox/sms/edit` (`{"logid": "...", "message": "new text"}` or
//!   `{"logid": "...", "remove": true}`): a message of the logs changed or gone, as a log that
//!   does not show what was sent (404 when no message has that log id).
//! - `POST /_sandbox/tokens/expire`: every access token expires now.
//! - `GET /_sandbox/credentials`: the sandbox credentials and seeded ids.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::EMULATORS;
use super::config::ConfigPatch;
use super::seed;
use super::sms;
use super::state::{Shared, lock};
use super::wire::{self, Req, json};

/// The admin endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminRoute {
    State,
    GetConfig,
    SetConfig,
    Reset,
    IncomingSms,
    EditSms,
    ExpireTokens,
    Credentials,
}

impl AdminRoute {
    /// The route of `method` on the segments after `/_sandbox`.
    pub fn parse(method: &Method, rest: &[&str]) -> Option<AdminRoute> {
        match (method.as_str(), rest) {
            ("GET", ["state"]) => Some(AdminRoute::State),
            ("GET", ["config"]) => Some(AdminRoute::GetConfig),
            ("POST", ["config"]) => Some(AdminRoute::SetConfig),
            ("POST", ["reset"]) => Some(AdminRoute::Reset),
            ("POST", ["sms", "incoming"]) => Some(AdminRoute::IncomingSms),
            ("POST", ["sms", "edit"]) => Some(AdminRoute::EditSms),
            ("POST", ["tokens", "expire"]) => Some(AdminRoute::ExpireTokens),
            ("GET", ["credentials"]) => Some(AdminRoute::Credentials),
            _ => None,
        }
    }
}

fn bad(message: &str) -> Response {
    json(StatusCode::BAD_REQUEST, json!({"error": message}))
}

/// Answers one admin request.
pub fn handle(shared: &Shared, route: &AdminRoute, req: &Req) -> Response {
    match route {
        AdminRoute::State => json(StatusCode::OK, snapshot(shared)),
        AdminRoute::GetConfig => json(StatusCode::OK, json!(shared.config())),
        AdminRoute::SetConfig => {
            let patch: ConfigPatch = match serde_json::from_slice(&req.body) {
                Ok(p) => p,
                Err(e) => return bad(&format!("invalid configuration patch: {e}")),
            };
            match shared.config().patched(&patch) {
                Ok(c) => {
                    shared.set_config(c.clone());
                    json(StatusCode::OK, json!(c))
                }
                Err(e) => bad(&e.to_string()),
            }
        }
        AdminRoute::Reset => {
            shared.reset();
            json(StatusCode::OK, json!({"reset": true}))
        }
        AdminRoute::IncomingSms => {
            let body: Value = match req.json() {
                Ok(v) => v,
                Err(m) => return bad(&m),
            };
            let number = body.get("customerNumber").map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            let message = body.get("message").and_then(Value::as_str);
            let (Some(number), Some(message)) = (number, message) else {
                return bad("customerNumber and message are required");
            };
            let sender = body.get("senderId").and_then(Value::as_str);
            let mut store = lock(&shared.store);
            match sms::add_incoming(&mut store, &number, message, sender, wire::now_ms()) {
                Ok(logid) => json(StatusCode::OK, json!({"logid": logid})),
                Err(m) => bad(&m),
            }
        }
        AdminRoute::EditSms => {
            let body: Value = match req.json() {
                Ok(v) => v,
                Err(m) => return bad(&m),
            };
            let Some(logid) = body.get("logid").and_then(Value::as_str) else {
                return bad("logid is required");
            };
            let remove = body.get("remove").and_then(Value::as_bool).unwrap_or(false);
            let edit = match (remove, body.get("message").and_then(Value::as_str)) {
                (true, None) => sms::LogEdit::Remove,
                (false, Some(t)) => sms::LogEdit::Text(t.to_string()),
                _ => return bad("give either \"message\" (the new text) or \"remove\": true"),
            };
            let mut store = lock(&shared.store);
            if sms::edit_log(&mut store, logid, &edit) {
                json(StatusCode::OK, json!({"logid": logid, "edited": true}))
            } else {
                json(
                    StatusCode::NOT_FOUND,
                    json!({"error": format!("no message has the log id {logid}")}),
                )
            }
        }
        AdminRoute::ExpireTokens => json(StatusCode::OK, json!({"expired": expire_tokens(shared)})),
        AdminRoute::Credentials => json(StatusCode::OK, seed::credentials_json()),
    }
}

/// Makes every live access token expire now; returns how many there were.
pub fn expire_tokens(shared: &Shared) -> usize {
    let mut store = lock(&shared.store);
    let now = store.clock.now();
    store.tokens.expire_all(now)
}

/// Everything the sandbox holds, as JSON: the configuration, the credentials, each emulator's
/// records under its name, the request counters and the tokens (how many each token server
/// issued, under `<name>_issued`).
pub fn snapshot(shared: &Shared) -> Value {
    let config = shared.config();
    let stats = lock(&shared.stats).clone();
    let mut store = lock(&shared.store);
    let total: u64 = stats.requests.values().flat_map(|m| m.values()).sum();
    let mut out = serde_json::Map::new();
    out.insert("config".into(), json!(config));
    out.insert("credentials".into(), seed::credentials_json());
    for e in EMULATORS {
        if let Some(part) = e.behaviour.snapshot(&mut store) {
            out.insert(e.name.into(), part);
        }
    }
    out.insert(
        "requests".into(),
        json!({
            "total": total,
            "by_endpoint": stats.requests,
            "injected_500": stats.injected_500,
            "ambiguous_502": stats.ambiguous_502,
            "rate_limited_429": stats.rate_limited_429,
            "delayed_writes": stats.delayed_writes,
            "delayed_applied": stats.delayed_applied,
            "api_by_second": stats.api_by_second,
        }),
    );
    let mut tokens = serde_json::Map::new();
    for e in EMULATORS
        .iter()
        .filter(|e| e.behaviour.as_token_server().is_some())
    {
        let issued = store.tokens.issued_by(e.name);
        tokens.insert(format!("{}_issued", e.name), json!(issued));
    }
    tokens.insert("live".into(), json!(store.tokens.live(store.clock.now())));
    tokens.insert("evicted".into(), json!(store.tokens.evicted));
    out.insert("tokens".into(), Value::Object(tokens));
    Value::Object(out)
}
