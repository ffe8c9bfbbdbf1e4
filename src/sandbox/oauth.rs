//! The OAuth servers: Zoho's refresh-token grant (with Zoho's limits on token requests and on
//! live tokens) and Zoom's server-to-server account-credentials grant; and the check of the
//! access token on every API request. Its answers where Zoho's and Zoom's pages are silent are
//! listed in `choices.rs`.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use serde_json::json;

use super::config::SandboxConfig;
use super::seed;
use super::state::{Store, TokenInfo, TokenKind};
use super::wire::{Req, json};

/// `POST /oauth/v2/token` (Zoho): parameters in the form body or the query string. Like Zoho,
/// a bad client, code or refresh token is answered HTTP 200 with an `error` field. The
/// refresh-token grant takes the seeded refresh token or one issued for the grant code; the
/// authorization-code grant takes [`seed::GRANT_CODE`] once and answers with a new refresh
/// token besides the access token.
pub fn zoho_token(
    store: &mut Store,
    config: &SandboxConfig,
    base_url: &str,
    req: &Req,
) -> Response {
    let p = |k: &str| req.param(k).unwrap_or_default();
    let grant = p("grant_type");
    if grant != "refresh_token" && grant != "authorization_code" {
        return json(StatusCode::OK, json!({"error": "unsupported_grant_type"}));
    }
    if p("client_id") != seed::CLIENT_ID || p("client_secret") != seed::CLIENT_SECRET {
        return json(StatusCode::OK, json!({"error": "invalid_client"}));
    }
    let refresh = if grant == "authorization_code" {
        if p("code") != seed::GRANT_CODE || store.oauth.grant_code_used {
            return json(StatusCode::OK, json!({"error": "invalid_code"}));
        }
        store.oauth.grant_code_used = true;
        let refresh = format!("1000.{}.{}", store.rng.hex(32), store.rng.hex(32));
        store.oauth.refresh_tokens.insert(refresh.clone());
        refresh
    } else {
        let refresh = p("refresh_token");
        if refresh != seed::REFRESH_TOKEN && !store.oauth.refresh_tokens.contains(&refresh) {
            return json(StatusCode::OK, json!({"error": "invalid_code"}));
        }
        refresh
    };
    let now = Instant::now();
    let window = Duration::from_secs(config.zoho_token_window_secs);
    let allowed = store
        .oauth
        .zoho_requests
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
    let oauth = &mut store.oauth;
    oauth.tokens.insert(
        token.clone(),
        TokenInfo {
            kind: TokenKind::Zoho,
            expires_at: now + Duration::from_secs(config.token_ttl_secs),
            scopes: split_scopes(&config.zoho_scope),
        },
    );
    let live = oauth.zoho_live.entry(refresh.clone()).or_default();
    // Expired tokens are not live: they do not count towards the limit.
    live.retain(|t| oauth.tokens.get(t).is_some_and(|i| i.expires_at > now));
    live.push_back(token.clone());
    while live.len() > config.zoho_max_live_tokens {
        if let Some(old) = live.pop_front() {
            oauth.tokens.remove(&old);
            oauth.evicted += 1;
        }
    }
    oauth.zoho_issued += 1;
    oauth.note_issued(&token);
    let mut answer = json!({
        "access_token": token,
        "scope": config.zoho_scope,
        "api_domain": base_url,
        "token_type": "Bearer",
        "expires_in": config.token_ttl_secs,
    });
    if grant == "authorization_code" {
        answer["refresh_token"] = json!(refresh);
    }
    json(StatusCode::OK, answer)
}

/// `POST /oauth/token?grant_type=account_credentials&account_id=...` (Zoom), with HTTP basic
/// authentication by the client id and secret.
pub fn zoom_token(store: &mut Store, config: &SandboxConfig, req: &Req) -> Response {
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
    if param("account_id") != seed::ZOOM_ACCOUNT_ID {
        return bad("invalid_request", "Invalid account_id");
    }
    let token = format!("eyJzYW5kYm94Ijp0cnVlfQ.{}", store.rng.alnum(64));
    store.oauth.tokens.insert(
        token.clone(),
        TokenInfo {
            kind: TokenKind::Zoom,
            expires_at: Instant::now() + Duration::from_secs(config.token_ttl_secs),
            scopes: split_scopes(&config.zoom_scope),
        },
    );
    store.oauth.zoom_issued += 1;
    store.oauth.note_issued(&token);
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

fn split_scopes(text: &str) -> Vec<String> {
    text.split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The scopes of the live access token of `kind` the request carries (`Zoho-oauthtoken <t>`
/// for Zoho, `Bearer <t>` for Zoom); `None` without one. Expired tokens are forgotten when
/// seen.
pub fn authorized(store: &mut Store, req: &Req, kind: TokenKind) -> Option<Vec<String>> {
    let h = req.header("authorization")?;
    let (scheme, token) = h.trim().split_once(' ')?;
    let scheme_ok = match kind {
        TokenKind::Zoho => scheme.eq_ignore_ascii_case("Zoho-oauthtoken"),
        TokenKind::Zoom => scheme.eq_ignore_ascii_case("Bearer"),
    };
    if !scheme_ok {
        return None;
    }
    let token = token.trim();
    match store.oauth.tokens.get(token) {
        Some(info) if info.kind == kind && info.expires_at > Instant::now() => {
            Some(info.scopes.clone())
        }
        Some(info) if info.expires_at <= Instant::now() => {
            store.oauth.tokens.remove(token);
            None
        }
        _ => None,
    }
}

/// The answer to a token that lacks the scope `need`: Zoho's 401 `OAUTH_SCOPE_MISMATCH` (Zoho
/// Voice; Books answers its own code 57, `zoho_books::not_authorized`), or Zoom's 400 with
/// code 4711 naming the scopes that would do.
pub fn scope_refused(kind: TokenKind, need: &crate::scopes::Need) -> Response {
    match kind {
        TokenKind::Zoho => json(
            StatusCode::UNAUTHORIZED,
            json!({"code": "OAUTH_SCOPE_MISMATCH", "message": "invalid oauth scope to access this URL", "status": "error"}),
        ),
        TokenKind::Zoom => json(
            StatusCode::BAD_REQUEST,
            json!({"code": 4711, "message": format!("Invalid access token, does not contain scopes:[{}].", need.granted_by.join(", "))}),
        ),
    }
}

/// Zoho's answer to a missing, expired or revoked token (HTTP 401).
pub fn zoho_unauthorized() -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        json!({"code": "INVALID_OAUTHTOKEN", "message": "invalid oauth token", "status": "ERROR"}),
    )
}

/// Zoom's answer to a missing, expired or invalid token (HTTP 401).
pub fn zoom_unauthorized() -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        json!({"code": 124, "message": "Invalid access token."}),
    )
}
