//! Zoom's token server, `POST /oauth/token`: the server-to-server account-credentials grant,
//! with HTTP basic authentication by the client id and secret. Zoom's APIs take its tokens as
//! `Bearer <token>`.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use serde_json::json;

use super::choices::Choice;
use super::emulator::{Behaviour, Ctx, Emulator, Endpoint, Placed, Setting, post_to_base};
use super::seed;
use super::state::Store;
use super::tokens::TokenServer;
use super::tokens::{TokenInfo, split_scopes};
use super::wire::json;
use crate::scopes::Need;

/// Zoom's credentials in the sandbox.
pub mod seeded {
    /// The Zoom account id (server-to-server OAuth).
    pub const ZOOM_ACCOUNT_ID: &str = "sandbox-account";
}

/// The scopes a sandbox Zoom token carries unless configured otherwise.
pub const ZOOM_SCOPE: &str = "contact_center_contact:read:admin contact_center_contact:write:admin";

emulator_settings! {
    scopes {
        /// The scopes of the Zoom access tokens it issues; a request whose scope is missing is
        /// answered 400 with code 4711 naming the scopes, as Zoom does.
        zoom_scope: String = crate::sandbox::zoom::ZOOM_SCOPE.to_string();
    }
}

/// `--zoom-scope`.
static OPTIONS: [Setting; 1] = [Setting::scopes(
    "zoom_scope",
    "zoom-scope",
    "The scopes of the Zoom access tokens it issues (default: read and write)",
    |config| &mut config.zoom_scope,
)];

/// The emulator.
pub static EMULATOR: Emulator = Emulator::new("zoom", &Zoom, &["oauth"])
    .endpoints(&["oauth", "token"], post_to_base::<TokenEndpoint>)
    .scope_options(&OPTIONS)
    .choices(CHOICES);

/// Zoom's token server.
#[derive(Debug)]
pub struct Zoom;

/// `POST /oauth/token?grant_type=account_credentials&account_id=...`.
#[derive(Debug, Default)]
struct TokenEndpoint;

impl Endpoint for TokenEndpoint {
    fn label(&self) -> &'static str {
        "POST /oauth/token"
    }

    fn answer(&self, store: &mut Store, ctx: &Ctx<'_>) -> Response {
        token(store, ctx)
    }
}

fn token(store: &mut Store, ctx: &Ctx<'_>) -> Response {
    let (req, config) = (ctx.req, ctx.config);
    let bad = |error: &str, reason: &str| {
        json(
            StatusCode::BAD_REQUEST,
            json!({"reason": reason, "error": error}),
        )
    };
    let basic = req
        .header("authorization")
        .and_then(|h| {
            h.strip_prefix("Basic ")
                .or_else(|| h.strip_prefix("basic "))
        })
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok());
    let credentials_ok = basic
        .as_deref()
        .and_then(|s| s.split_once(':'))
        .is_some_and(|(id, secret)| id == seed::CLIENT_ID && secret == seed::CLIENT_SECRET);
    if !credentials_ok {
        return bad("invalid_client", "Invalid client_id or client_secret");
    }
    let param = |k: &str| req.param(k).unwrap_or_default();
    if param("grant_type") != "account_credentials" {
        return bad("unsupported_grant_type", "Unsupported grant type");
    }
    if param("account_id") != seeded::ZOOM_ACCOUNT_ID {
        return bad("invalid_request", "Invalid account_id");
    }
    let token = format!("eyJzYW5kYm94Ijp0cnVlfQ.{}", store.rng.alnum(64));
    store.tokens.add(
        &token,
        TokenInfo {
            issuer: EMULATOR.name,
            expires_at: store.clock.now() + Duration::from_secs(config.token_ttl_secs),
            scopes: split_scopes(&config.zoom_scope),
        },
    );
    json(
        StatusCode::OK,
        json!({
            "access_token": token,
            "token_type": "bearer",
            "expires_in": config.token_ttl_secs,
            "scope": config.zoom_scope,
            "api_url": "",
        }),
    )
}

impl TokenServer for Zoom {
    fn issuer(&self) -> &'static str {
        EMULATOR.name
    }

    fn scheme(&self) -> &'static str {
        "Bearer"
    }

    /// Zoom's answer to a missing, expired or invalid token (HTTP 401).
    fn unauthorized(&self) -> Response {
        json(
            StatusCode::UNAUTHORIZED,
            json!({"code": 124, "message": "Invalid access token."}),
        )
    }

    /// Zoom's 400 with code 4711 naming the scopes that would do.
    fn scope_refused(&self, need: &Need) -> Response {
        json(
            StatusCode::BAD_REQUEST,
            json!({"code": 4711, "message": format!("Invalid access token, does not contain scopes:[{}].", need.granted_by.join(", "))}),
        )
    }
}

impl Behaviour for Zoom {
    fn as_token_server(&self) -> Option<&dyn TokenServer> {
        Some(self)
    }

    fn credentials(&self) -> Vec<Placed<serde_json::Value>> {
        vec![Placed {
            place: 3,
            name: "zoom_account_id",
            value: json!(seeded::ZOOM_ACCOUNT_ID),
        }]
    }

    fn env(&self) -> Vec<Placed<String>> {
        super::emulator::env_lines(&[
            (6, "ZOOM_ACCOUNT_ID", seeded::ZOOM_ACCOUNT_ID),
            (7, "ZOOM_CLIENT_ID", seed::CLIENT_ID),
            (8, "ZOOM_CLIENT_SECRET", seed::CLIENT_SECRET),
        ])
    }
}

const CHOICES: &[Choice] = &[Choice {
    target: "zoom-oauth",
    point: "the answer to bad client credentials or account id",
    sandbox: "HTTP 400 {\"reason\": ..., \"error\": \"invalid_client\" | \"invalid_request\"}",
    silent: "Zoom's server-to-server OAuth page",
}];
