//! What every token request shares: the endpoint's URL, and how its answer reads (a token,
//! its lifetime and grant, or an error). Each service describes its own request
//! ([`super::service::Service::request`]), which [`super::service::Service::ask_token`] sends.

use std::time::Duration;

use serde::Deserialize;

use super::AuthError;
use super::secret::Secret;
use crate::http::request::BaseUrl;

/// The token lifetime assumed when the server does not say (every service's: one hour).
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// A token endpoint's answer, success or error.
#[derive(Deserialize, Default)]
struct TokenResponse {
    access_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    error: Option<String>,
    error_description: Option<String>,
    reason: Option<String>,
    scope: Option<String>,
    api_domain: Option<String>,
}

/// What a token endpoint says about the token it issued, besides the token: the scopes it
/// carries (most endpoints list them) and, for a service with data centres, the API domain
/// of the account's data centre. Both help explain a refusal; neither decides anything alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grant {
    /// The scopes, as the endpoint lists them (space- or comma-separated).
    pub scope: Option<String>,
    /// The API domain of the data centre the account lives in, where the endpoint says.
    pub api_domain: Option<String>,
}

impl Grant {
    /// The scopes, one by one.
    pub fn scopes(&self) -> Vec<&str> {
        self.scope
            .as_deref()
            .unwrap_or_default()
            .split([' ', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// A fresh token, its lifetime and what came with it.
pub struct Issued {
    pub token: Secret,
    /// The refresh token, when the grant issues one (an authorization-code grant).
    pub refresh_token: Option<Secret>,
    pub lifetime: Duration,
    pub grant: Grant,
}

/// The token endpoint `path` of `base`.
pub(super) fn token_url(base: &BaseUrl, path: &str) -> Result<reqwest::Url, AuthError> {
    base.join(path)
        .map_err(|e| AuthError::Network(e.to_string()))
}

/// Reads the answer of a token request to `service` (its title, for messages).
pub(super) async fn read_token(
    response: Result<reqwest::Response, reqwest::Error>,
    service: &'static str,
) -> Result<Issued, AuthError> {
    let response = response.map_err(|e| AuthError::Network(e.without_url().to_string()))?;
    let status = response.status().as_u16();
    let body = response
        .bytes()
        .await
        .map_err(|e| AuthError::Network(e.without_url().to_string()))?;
    let parsed: TokenResponse =
        serde_json::from_slice(&body).map_err(|_| AuthError::BadResponse {
            service,
            message: format!("HTTP {status}, not a JSON token response"),
        })?;
    interpret(status, parsed, service)
}

fn interpret(status: u16, r: TokenResponse, service: &'static str) -> Result<Issued, AuthError> {
    if let Some(error) = r.error {
        let description = r.error_description.or(r.reason).unwrap_or_default();
        let too_many = super::titled(service)
            .and_then(|s| s.token_limit.as_ref())
            .is_some_and(|limit| (limit.reached)(&error, &description));
        if too_many {
            return Err(AuthError::TokenRateLimited);
        }
        return Err(AuthError::Refused {
            service,
            status,
            error,
            description,
        });
    }
    match r.access_token.filter(|t| !t.is_empty()) {
        Some(token) if (200..300).contains(&status) => {
            let seconds = match r.expires_in {
                Some(serde_json::Value::Number(n)) => n.as_u64(),
                Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
                _ => None,
            };
            Ok(Issued {
                token: Secret::new(token),
                refresh_token: r
                    .refresh_token
                    .filter(|t| !t.trim().is_empty())
                    .map(Secret::new),
                lifetime: seconds
                    .filter(|s| *s > 0)
                    .map_or(DEFAULT_LIFETIME, Duration::from_secs),
                grant: Grant {
                    scope: r.scope.filter(|s| !s.trim().is_empty()),
                    api_domain: r.api_domain.filter(|s| !s.trim().is_empty()),
                },
            })
        }
        _ => Err(AuthError::BadResponse {
            service,
            message: format!("HTTP {status} without an access token"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, body: &str, service: &'static str) -> Result<Issued, AuthError> {
        let r: TokenResponse = serde_json::from_str(body).unwrap_or_default();
        interpret(status, r, service)
    }

    #[test]
    fn zoho_success_and_default_lifetime() {
        let ok = parse(
            200,
            r#"{"access_token":"1000.a","api_domain":"https://www.zohoapis.com","token_type":"Bearer","expires_in":3600}"#,
            "Zoho",
        )
        .expect("token");
        assert_eq!(ok.token.expose(), "1000.a");
        assert_eq!(ok.lifetime, Duration::from_secs(3600));
        assert_eq!(
            ok.grant.api_domain.as_deref(),
            Some("https://www.zohoapis.com")
        );
        let zoom = parse(
            200,
            r#"{"access_token":"z","scope":"contact_center_contact:read:admin contact_center_contact:write:admin"}"#,
            "Zoom",
        )
        .expect("token");
        assert_eq!(
            zoom.grant.scopes(),
            [
                "contact_center_contact:read:admin",
                "contact_center_contact:write:admin"
            ]
        );
        let ok = parse(200, r#"{"access_token":"1000.b"}"#, "Zoho").expect("token");
        assert_eq!(ok.lifetime, DEFAULT_LIFETIME);
        let ok = parse(200, r#"{"access_token":"z","expires_in":"3599"}"#, "Zoom").expect("token");
        assert_eq!(ok.lifetime, Duration::from_secs(3599));
    }

    #[test]
    fn zoho_access_denied_is_token_rate_limit() {
        let err = parse(
            400,
            r#"{"error_description":"You have made too many requests continuously. Please try again after some time.","error":"Access Denied","status":"failure"}"#,
            "Zoho",
        )
        .err();
        assert!(matches!(err, Some(AuthError::TokenRateLimited)));
        let text = AuthError::TokenRateLimited.to_string();
        assert!(text.contains("10 minutes"), "{text}");
    }

    #[test]
    fn refused_and_malformed() {
        // Zoho answers 200 with an error for a bad refresh token.
        let err = parse(200, r#"{"error":"invalid_code"}"#, "Zoho").err();
        assert!(
            matches!(err, Some(AuthError::Refused { ref error, .. }) if error == "invalid_code")
        );
        let err = parse(
            401,
            r#"{"reason":"Invalid client_id or client_secret","error":"invalid_client"}"#,
            "Zoom",
        )
        .err();
        assert!(
            matches!(err, Some(AuthError::Refused { status: 401, ref description, .. }) if description.contains("client_id"))
        );
        assert!(matches!(
            parse(200, "{}", "Zoom"),
            Err(AuthError::BadResponse { .. })
        ));
        assert!(matches!(
            parse(500, r#"{"access_token":"x"}"#, "Zoom"),
            Err(AuthError::BadResponse { .. })
        ));
    }
}
