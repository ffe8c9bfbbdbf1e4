//! Zoho's token server, `POST /oauth/v2/token`: the refresh-token grant (with Zoho's limits on
//! token requests and on live tokens) and the authorization-code grant of a Self Client's
//! grant code. Zoho's APIs take its tokens as `Zoho-oauthtoken <token>`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::choices::Choice;
use super::config::SandboxConfig;
use super::emulator::{Behaviour, Ctx, Emulator, Endpoint, Placed, Setting, post_to_base};
use super::faults::SlidingWindow;
use super::seed;
use super::state::Store;
use super::tokens::TokenServer;
use super::tokens::{TokenInfo, split_scopes};
use super::wire::json;
use crate::scopes::Need;

/// Zoho's credentials in the sandbox.
pub mod seeded {
    /// The Zoho refresh token.
    pub const REFRESH_TOKEN: &str = "sandbox-refresh";
    /// The grant code of the API console's Self Client: exchanged once for a new refresh
    /// token (`grant_type=authorization_code`), as Zoho's are.
    pub const GRANT_CODE: &str = "1000.sandbox-grant-code";
}

/// The scopes a sandbox Zoho token carries unless configured otherwise.
pub const ZOHO_SCOPE: &str = "ZohoVoice.contacts.ALL ZohoVoice.sms.ALL ZohoBooks.contacts.ALL";

emulator_settings! {
    limits {
        /// Zoho: access-token requests allowed per refresh token in a window (Zoho: 10).
        zoho_token_requests_per_window: u32 = 10;
        /// Zoho: that window, in seconds (Zoho: 600).
        zoho_token_window_secs: u64 = 600;
        /// Zoho: live access tokens per refresh token; one more evicts the oldest (Zoho: 10).
        zoho_max_live_tokens: usize = 10;
    }
    scopes {
        /// The scopes of the Zoho access tokens it issues (space-separated), as a refresh token
        /// granted them; an API request whose scope is missing is answered 401
        /// `OAUTH_SCOPE_MISMATCH` as Zoho Voice does (Zoho Books: 401 with code 57).
        zoho_scope: String = crate::sandbox::zoho::ZOHO_SCOPE.to_string();
    }
}

/// `--zoho-scope`.
static OPTIONS: [Setting; 1] = [Setting::scopes(
    "zoho_scope",
    "zoho-scope",
    "The scopes of the Zoho access tokens it issues, space-separated (default: every scope bulkline uses); a request beyond them is refused as Zoho refuses it",
    |config| &mut config.zoho_scope,
)];

/// The emulator.
pub static EMULATOR: Emulator = Emulator::new("zoho", &Zoho, &["oauth"])
    .endpoints(&["oauth", "v2", "token"], post_to_base::<TokenEndpoint>)
    .scope_options(&OPTIONS)
    .choices(CHOICES);

/// Zoho's token server.
#[derive(Debug)]
pub struct Zoho;

/// The grants the token server keeps besides the tokens.
#[derive(Debug, Default)]
struct Grants {
    /// Per refresh token, its live access tokens, oldest first.
    live: HashMap<String, VecDeque<String>>,
    /// Per refresh token, its recent token requests.
    requests: HashMap<String, SlidingWindow>,
    /// The grant code, once it was exchanged (it works once).
    grant_code_used: bool,
    /// The refresh tokens issued for grant codes (besides the seeded one).
    refresh_tokens: HashSet<String>,
}

/// `POST /oauth/v2/token`.
#[derive(Debug, Default)]
struct TokenEndpoint;

impl Endpoint for TokenEndpoint {
    fn label(&self) -> &'static str {
        "POST /oauth/v2/token"
    }

    fn answer(&self, store: &mut Store, ctx: &Ctx<'_>) -> Response {
        token(store, ctx)
    }
}

fn failed(error: &str) -> Response {
    json(StatusCode::OK, json!({ "error": error }))
}

/// The refresh token a grant names, or the error a bad one is answered: the seeded refresh
/// token or one issued for the grant code; the grant code itself once, for a new refresh token.
fn refresh_token(
    store: &mut Store,
    grant: &str,
    p: &dyn Fn(&str) -> String,
) -> Result<String, &'static str> {
    let grants = store.rooms.get::<Grants>();
    if grant == "authorization_code" {
        if p("code") != seeded::GRANT_CODE || grants.grant_code_used {
            return Err("invalid_code");
        }
        grants.grant_code_used = true;
        let refresh = format!("1000.{}.{}", store.rng.hex(32), store.rng.hex(32));
        grants.refresh_tokens.insert(refresh.clone());
        Ok(refresh)
    } else {
        let refresh = p("refresh_token");
        if refresh != seeded::REFRESH_TOKEN && !grants.refresh_tokens.contains(&refresh) {
            return Err("invalid_code");
        }
        Ok(refresh)
    }
}

/// Parameters in the form body or the query string. Like Zoho, a bad client, code or refresh
/// token is answered HTTP 200 with an `error` field.
fn token(store: &mut Store, ctx: &Ctx<'_>) -> Response {
    let (req, config) = (ctx.req, ctx.config);
    let p = |k: &str| req.param(k).unwrap_or_default();
    let grant = p("grant_type");
    if grant != "refresh_token" && grant != "authorization_code" {
        return failed("unsupported_grant_type");
    }
    if p("client_id") != seed::CLIENT_ID || p("client_secret") != seed::CLIENT_SECRET {
        return failed("invalid_client");
    }
    let refresh = match refresh_token(store, &grant, &p) {
        Ok(r) => r,
        Err(error) => return failed(error),
    };
    let now = store.clock.now();
    let window = Duration::from_secs(config.zoho_token_window_secs);
    let allowed = store
        .rooms
        .get::<Grants>()
        .requests
        .entry(refresh.clone())
        .or_default()
        .try_record(now, window, config.zoho_token_requests_per_window);
    if allowed.is_err() {
        return json(
            StatusCode::BAD_REQUEST,
            json!({
                "error": "Access Denied",
                "error_description": "You have made too many requests continuously. Please try again after some time.",
                "status": "failure",
            }),
        );
    }
    let token = format!("1000.{}.{}", store.rng.hex(32), store.rng.hex(32));
    let tokens = &mut store.tokens;
    tokens.add(
        &token,
        TokenInfo {
            issuer: EMULATOR.name,
            expires_at: now + Duration::from_secs(config.token_ttl_secs),
            scopes: split_scopes(&config.zoho_scope),
        },
    );
    let live = store
        .rooms
        .get::<Grants>()
        .live
        .entry(refresh.clone())
        .or_default();
    // Expired tokens are not live: they do not count towards the limit.
    live.retain(|t| tokens.tokens.get(t).is_some_and(|i| i.expires_at > now));
    live.push_back(token.clone());
    while live.len() > config.zoho_max_live_tokens {
        if let Some(old) = live.pop_front() {
            tokens.tokens.remove(&old);
            tokens.evicted += 1;
        }
    }
    let mut answer = json!({
        "access_token": token,
        "scope": config.zoho_scope,
        "api_domain": ctx.base_url,
        "token_type": "Bearer",
        "expires_in": config.token_ttl_secs,
    });
    if grant == "authorization_code" {
        answer["refresh_token"] = json!(refresh);
    }
    json(StatusCode::OK, answer)
}

impl TokenServer for Zoho {
    fn issuer(&self) -> &'static str {
        EMULATOR.name
    }

    fn scheme(&self) -> &'static str {
        "Zoho-oauthtoken"
    }

    /// Zoho's answer to a missing, expired or revoked token (HTTP 401).
    fn unauthorized(&self) -> Response {
        json(
            StatusCode::UNAUTHORIZED,
            json!({"code": "INVALID_OAUTHTOKEN", "message": "invalid oauth token", "status": "ERROR"}),
        )
    }

    /// Zoho's 401 `OAUTH_SCOPE_MISMATCH` (Zoho Voice; Books answers its own code 57).
    fn scope_refused(&self, _need: &Need) -> Response {
        json(
            StatusCode::UNAUTHORIZED,
            json!({"code": "OAUTH_SCOPE_MISMATCH", "message": "invalid oauth scope to access this URL", "status": "error"}),
        )
    }
}

impl Behaviour for Zoho {
    fn as_token_server(&self) -> Option<&dyn TokenServer> {
        Some(self)
    }

    fn validate(&self, config: &SandboxConfig) -> Result<(), String> {
        if config.zoho_max_live_tokens == 0 {
            return Err("token and concurrency limits must be at least 1".to_string());
        }
        Ok(())
    }

    fn credentials(&self) -> Vec<Placed<serde_json::Value>> {
        vec![Placed {
            place: 2,
            name: "refresh_token",
            value: json!(seeded::REFRESH_TOKEN),
        }]
    }

    fn env(&self) -> Vec<Placed<String>> {
        super::emulator::env_lines(&[
            (2, "ZOHO_CLIENT_ID", seed::CLIENT_ID),
            (3, "ZOHO_CLIENT_SECRET", seed::CLIENT_SECRET),
            (4, "ZOHO_REFRESH_TOKEN", seeded::REFRESH_TOKEN),
        ])
    }
}

const CHOICES: &[Choice] = &[
    Choice {
        target: "zoho-oauth",
        point: "the authorization-code grant of a Self Client's grant code",
        sandbox: "one grant code (seed::GRANT_CODE), taken once: a new refresh token besides the access token; a second use answers HTTP 200 {\"error\": \"invalid_code\"}",
        silent: "Zoho's token-limits page (the token limits only; the grant-code exchange is on Zoho's OAuth pages)",
    },
    Choice {
        target: "zoho-oauth",
        point: "the answer to too many token requests",
        sandbox: "HTTP 400 {\"error\":\"Access Denied\",\"error_description\":\"You have made too many requests continuously...\"}",
        silent: "Zoho's token-limits page (gives the limit, not the answer)",
    },
    Choice {
        target: "zoho-oauth",
        point: "the scopes of an issued token",
        sandbox: "listed in the token answer's `scope` field (the pre-flight reads them)",
        silent: "Zoho's OAuth token page",
    },
];

impl super::Sandbox {
    /// Access tokens issued so far: (Zoho, Zoom).
    pub fn tokens_issued(&self) -> (u64, u64) {
        let store = super::state::lock(&self.shared.store);
        (
            store.tokens.issued_by(EMULATOR.name),
            store.tokens.issued_by(super::zoom::EMULATOR.name),
        )
    }
}
