//! What became of a request, and how a response is classified into it.
//!
//! The APIs answer errors with a `code` and a `message` (a string or a number; `"status":"ERROR"`
//! on some). What a code means is the target's table ([`VendorCodes`]); what a status means is
//! HTTP's: a 401 renews the token once, a 429 slows down, a 5xx may have been applied.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::codes::{Meaning, VendorCodes};
use super::retry::parse_retry_after;

/// The final result of a request, after any retries.
#[derive(Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer that is not an error in disguise.
    Ok { status: u16, body: Vec<u8> },
    /// The API refused the request for good (a 4xx other than 401/429, or a 2xx error body):
    /// retrying will not help; the row goes to the error report with the API's own code.
    Permanent {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// The request may or may not have taken effect (timeout or dropped connection after it
    /// was sent, or a 5xx). A create is never repeated blindly: the caller reconciles.
    Ambiguous {
        reason: String,
        /// When no answer came at all (a timeout, a connection lost after sending, an answer
        /// cut off): when that request left, in ms since the Unix epoch. Such a request may
        /// still be applied later, so it must not be looked for at once. `None` when the API
        /// answered (a 5xx).
        lost_at: Option<u64>,
    },
    /// The request certainly did not take effect (it was never sent, or the server answered
    /// 429 each time) and the retries ran out: safe to try again later.
    NotApplied { reason: String },
    /// The API's quota is used up (Books' daily quota, Zoom's daily limit, or a `Retry-After`
    /// too long to wait out): stop the run cleanly; it can be resumed after `retry_after`.
    QuotaExhausted {
        retry_after: Option<Duration>,
        message: String,
    },
    /// No access token could be had for now (the token endpoint unreachable, or rate-limited
    /// for token requests): stop the run; the same command resumes it later.
    Unauthorized { message: String },
    /// The account does not allow the request: the credentials were refused (even after a
    /// token refresh), or the token lacks the scope the request needs, or it belongs to
    /// another data centre. A configuration error: nothing more is sent until it is fixed.
    Denied { message: String },
}

impl Outcome {
    /// True for [`Outcome::Ok`].
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok { .. })
    }

    /// Decodes the body of an [`Outcome::Ok`] as JSON; `None` for other outcomes.
    pub fn json<T: DeserializeOwned>(&self) -> Option<Result<T, serde_json::Error>> {
        match self {
            Outcome::Ok { body, .. } => Some(serde_json::from_slice(body)),
            _ => None,
        }
    }

    /// What to tell the user when this outcome stops the run: the API's message, and when
    /// to resume after a quota; `None` for outcomes that do not stop it.
    pub fn stop_message(&self) -> Option<String> {
        match self {
            Outcome::QuotaExhausted {
                retry_after: Some(d),
                message,
            } => Some(format!("{message} (resume in {} s)", d.as_secs())),
            Outcome::QuotaExhausted { message, .. }
            | Outcome::Unauthorized { message }
            | Outcome::Denied { message } => Some(message.clone()),
            _ => None,
        }
    }

    /// True when the whole run should stop (the same problem would hit every request).
    pub fn stops_run(&self) -> bool {
        matches!(
            self,
            Outcome::QuotaExhausted { .. } | Outcome::Unauthorized { .. } | Outcome::Denied { .. }
        )
    }

    /// True for [`Outcome::Denied`]: the run stops with a configuration error (exit 2).
    pub fn is_denied(&self) -> bool {
        matches!(self, Outcome::Denied { .. })
    }
}

impl fmt::Debug for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Ok { status, body } => f
                .debug_struct("Ok")
                .field("status", status)
                .field("body", &String::from_utf8_lossy(body))
                .finish(),
            Outcome::Permanent {
                status,
                code,
                message,
            } => f
                .debug_struct("Permanent")
                .field("status", status)
                .field("code", code)
                .field("message", message)
                .finish(),
            Outcome::Ambiguous { reason, lost_at } => f
                .debug_struct("Ambiguous")
                .field("reason", reason)
                .field("lost_at", lost_at)
                .finish(),
            Outcome::NotApplied { reason } => f
                .debug_struct("NotApplied")
                .field("reason", reason)
                .finish(),
            Outcome::QuotaExhausted {
                retry_after,
                message,
            } => f
                .debug_struct("QuotaExhausted")
                .field("retry_after", retry_after)
                .field("message", message)
                .finish(),
            Outcome::Unauthorized { message } => f
                .debug_struct("Unauthorized")
                .field("message", message)
                .finish(),
            Outcome::Denied { message } => {
                f.debug_struct("Denied").field("message", message).finish()
            }
        }
    }
}

/// The `code` and `message` of an API error body, when it has them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    /// The API's error code, as text (Books' and Zoom's integers become "45", "124", ...).
    pub code: Option<String>,
    /// The API's message.
    pub message: Option<String>,
    /// Zoho's `"status"` field ("ERROR" on failures).
    pub status: Option<String>,
}

impl ErrorBody {
    /// Reads `code`, `message` and `status` from a JSON object body; empty for anything else.
    pub fn parse(body: &[u8]) -> ErrorBody {
        let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
            return ErrorBody::default();
        };
        let text = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        ErrorBody {
            code: map.get("code").and_then(text),
            message: map
                .get("message")
                .or_else(|| map.get("error_description"))
                .or_else(|| map.get("error"))
                .and_then(text),
            status: map.get("status").and_then(text),
        }
    }

    /// True for a body that reports an error although the HTTP status was 2xx: Zoho's
    /// `"status":"ERROR"`, or Books' non-zero integer `code`.
    fn is_error_in_2xx(&self, body: &[u8]) -> bool {
        if self
            .status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("error"))
        {
            return true;
        }
        matches!(
            serde_json::from_slice::<Value>(body),
            // 0 (Books) and 200 (as Voice writes it in a string) are success, as numbers too.
            Ok(Value::Object(map)) if map.get("code").and_then(Value::as_i64).is_some_and(|c| c != 0 && c != 200)
        )
    }
}

/// A short, printable message for a response that has no usable `message`.
fn fallback_message(status: u16, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        format!("HTTP {status}")
    } else {
        let short: String = text.chars().take(200).collect();
        format!("HTTP {status}: {short}")
    }
}

/// How one attempt's response is to be handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handling {
    /// Final: return this outcome.
    Done(Outcome),
    /// 401 / invalid token: refresh the token once and retry (the request was not applied).
    Unauthorized { message: String },
    /// 429: the request was not applied; slow down, wait and retry (any method).
    RateLimited { retry_after: Option<Duration> },
    /// 5xx: the server may have applied the request.
    ServerError {
        status: u16,
        retry_after: Option<Duration>,
        message: String,
    },
}

/// The response headers that matter to classification.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResponseHints<'a> {
    /// `Retry-After`.
    pub retry_after: Option<&'a str>,
    /// Zoom's `X-RateLimit-Type` ("Daily-limit" when the day's quota is gone).
    pub rate_limit_type: Option<&'a str>,
}

/// Classifies a response by its status, headers and body, asking `codes` what the API's own
/// error code means (whatever status carries it): a missing scope stops the run at once (no
/// new token: it would carry the same scopes), an invalid token is renewed once, a rate limit
/// slows down, a used-up quota stops the run. The message quotes the vendor's code and words.
pub fn classify(
    status: u16,
    hints: ResponseHints<'_>,
    body: &[u8],
    now: SystemTime,
    codes: VendorCodes,
) -> Handling {
    let retry_after = hints.retry_after.and_then(|v| parse_retry_after(v, now));
    let err = ErrorBody::parse(body);
    let message = || {
        err.message
            .clone()
            .unwrap_or_else(|| fallback_message(status, body))
    };
    if let Some(known) = err.code.as_deref().and_then(|c| codes.find(c)) {
        let quoted = || known.quote(Some(status), err.message.as_deref());
        match known.meaning {
            Meaning::MissingScope => return Handling::Done(Outcome::Denied { message: quoted() }),
            Meaning::InvalidToken => return Handling::Unauthorized { message: quoted() },
            Meaning::DailyQuota => {
                return Handling::Done(Outcome::QuotaExhausted {
                    retry_after,
                    message: quoted(),
                });
            }
            Meaning::RateLimit => return Handling::RateLimited { retry_after },
            // A failure like any other here: `undo` reads it as "already deleted".
            Meaning::Gone => {}
        }
    }
    match status {
        200..=299 if err.is_error_in_2xx(body) => Handling::Done(Outcome::Permanent {
            status,
            code: err.code.clone(),
            message: message(),
        }),
        200..=299 => Handling::Done(Outcome::Ok {
            status,
            body: body.to_vec(),
        }),
        // The token was refused: renewed once (a token without the scope says so by its code).
        401 => Handling::Unauthorized { message: message() },
        429 => {
            let daily = hints
                .rate_limit_type
                .is_some_and(|t| t.to_ascii_lowercase().contains("daily"));
            if daily {
                Handling::Done(Outcome::QuotaExhausted {
                    retry_after,
                    message: message(),
                })
            } else {
                Handling::RateLimited { retry_after }
            }
        }
        500..=599 => Handling::ServerError {
            status,
            retry_after,
            message: message(),
        },
        _ => Handling::Done(Outcome::Permanent {
            status,
            code: err.code.clone(),
            message: message(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::codes::{Source, VendorCode};

    /// A table like a Zoho API's: its own limit codes, Zoho's token codes, a gone code.
    const CODES: VendorCodes = VendorCodes::new(&[
        VendorCode {
            code: "44",
            meaning: Meaning::RateLimit,
            text: "too many requests per minute",
            source: Source::Reading("a test"),
        },
        VendorCode {
            code: "45",
            meaning: Meaning::DailyQuota,
            text: "the daily limit",
            source: Source::Page("the test page"),
        },
        VendorCode {
            code: "57",
            meaning: Meaning::MissingScope,
            text: "You are not authorized to perform this operation",
            source: Source::Reading("public clients"),
        },
        VendorCode {
            code: "OAUTH_SCOPE_MISMATCH",
            meaning: Meaning::MissingScope,
            text: "invalid oauth scope to access this URL",
            source: Source::Reading("a test"),
        },
        VendorCode {
            code: "4711",
            meaning: Meaning::MissingScope,
            text: "Invalid access token, does not contain scopes",
            source: Source::Reading("a test"),
        },
        VendorCode {
            code: "INVALID_OAUTHTOKEN",
            meaning: Meaning::InvalidToken,
            text: "invalid oauth token",
            source: Source::Page("a test"),
        },
        VendorCode {
            code: "1002",
            meaning: Meaning::Gone,
            text: "does not exist",
            source: Source::Reading("a test"),
        },
    ]);

    fn at(status: u16, body: &str, codes: VendorCodes) -> Handling {
        classify(
            status,
            ResponseHints::default(),
            body.as_bytes(),
            SystemTime::now(),
            codes,
        )
    }

    fn classify_(status: u16, body: &str) -> Handling {
        at(status, body, CODES)
    }

    #[test]
    fn limit_codes_count_whatever_the_status() {
        let daily = r#"{"code":45,"message":"You have reached the daily limit"}"#;
        for status in [400, 403, 429, 200] {
            assert!(
                matches!(
                    at(status, daily, CODES),
                    Handling::Done(Outcome::QuotaExhausted { .. })
                ),
                "{status}"
            );
        }
        let rate = r#"{"code":44,"message":"Too many requests"}"#;
        assert!(matches!(at(400, rate, CODES), Handling::RateLimited { .. }));
        // Another API's code 44 is its own business.
        assert!(matches!(
            at(400, rate, VendorCodes::NONE),
            Handling::Done(Outcome::Permanent { .. })
        ));
        // A code that is no limit in the table, on a 429, is an ordinary 429.
        assert_eq!(
            at(429, r#"{"code":1070,"message":"busy"}"#, CODES),
            Handling::RateLimited { retry_after: None }
        );
    }

    #[test]
    fn the_quota_message_quotes_the_vendor() {
        let Handling::Done(Outcome::QuotaExhausted { message, .. }) = classify_(
            429,
            r#"{"code":45,"message":"You have reached the daily limit"}"#,
        ) else {
            panic!("not a quota");
        };
        assert!(
            message.contains("code 45 \"You have reached the daily limit\" (HTTP 429)"),
            "{message}"
        );
    }

    #[test]
    fn zoho_voice_error_body() {
        let v = classify_(
            400,
            r#"{"code":"INVALID_MOBILE","message":"Mobile number is invalid","status":"ERROR"}"#,
        );
        assert_eq!(
            v,
            Handling::Done(Outcome::Permanent {
                status: 400,
                code: Some("INVALID_MOBILE".into()),
                message: "Mobile number is invalid".into()
            })
        );
        // The same body with a 200 is still an error.
        assert!(matches!(
            classify_(200, r#"{"code":"X1","message":"bad","status":"ERROR"}"#),
            Handling::Done(Outcome::Permanent { status: 200, .. })
        ));
        assert!(matches!(
            classify_(200, r#"{"code":"200","contacts":{},"status":"SUCCESS"}"#),
            Handling::Done(Outcome::Ok { status: 200, .. })
        ));
        // The same code as a number is success too.
        assert!(matches!(
            classify_(200, r#"{"code":200,"contacts":{},"status":"SUCCESS"}"#),
            Handling::Done(Outcome::Ok { status: 200, .. })
        ));
    }

    #[test]
    fn zoho_books_error_bodies() {
        // A gone code is a failure like any other here (undo reads it).
        assert_eq!(
            classify_(400, r#"{"code":1002,"message":"Contact does not exist."}"#),
            Handling::Done(Outcome::Permanent {
                status: 400,
                code: Some("1002".into()),
                message: "Contact does not exist.".into()
            })
        );
        assert!(matches!(
            classify_(
                200,
                r#"{"code":0,"message":"The contactperson has been Created"}"#
            ),
            Handling::Done(Outcome::Ok { .. })
        ));
        assert!(matches!(
            classify_(200, r#"{"code":4,"message":"Invalid value"}"#),
            Handling::Done(Outcome::Permanent { status: 200, .. })
        ));
    }

    #[test]
    fn a_token_without_the_scope_is_denied_whatever_the_status() {
        for (status, body) in [
            (
                401,
                r#"{"code":"OAUTH_SCOPE_MISMATCH","message":"invalid oauth scope to access this URL","status":"error"}"#,
            ),
            (
                400,
                r#"{"code":4711,"message":"Invalid access token, does not contain scopes:[contact_center_contact:read:admin]."}"#,
            ),
            (
                401,
                r#"{"code":57,"message":"You are not authorized to perform this operation"}"#,
            ),
        ] {
            let verdict = classify_(status, body);
            assert!(
                matches!(&verdict, Handling::Done(o @ Outcome::Denied { .. }) if o.stops_run() && o.is_denied()),
                "{status} {body}: {verdict:?}"
            );
        }
        let Handling::Done(Outcome::Denied { message }) = classify_(
            400,
            r#"{"code":4711,"message":"Invalid access token, does not contain scopes:[contact_center_contact:read:admin]."}"#,
        ) else {
            panic!("not denied");
        };
        assert!(
            message.contains("contact_center_contact:read:admin"),
            "{message}"
        );
        // Books' 57: the vendor's code and words quoted, the meaning named as likely.
        let Handling::Done(Outcome::Denied { message }) = classify_(
            401,
            r#"{"code":57,"message":"You are not authorized to perform this operation"}"#,
        ) else {
            panic!("not denied");
        };
        assert!(
            message.starts_with(
                "code 57 \"You are not authorized to perform this operation\" (HTTP 401): likely a missing OAuth scope"
            ),
            "{message}"
        );
        // Without the table, a 401 is a token to renew.
        assert!(matches!(
            at(
                401,
                r#"{"code":57,"message":"You are not authorized to perform this operation"}"#,
                VendorCodes::NONE
            ),
            Handling::Unauthorized { .. }
        ));
        // An expired token is still a refresh, not a denial.
        assert!(matches!(
            classify_(
                401,
                r#"{"code":"INVALID_OAUTHTOKEN","message":"invalid oauth token"}"#
            ),
            Handling::Unauthorized { .. }
        ));
    }

    #[test]
    fn zoom_error_bodies() {
        assert_eq!(
            classify_(
                404,
                r#"{"code":1001,"message":"Address book does not exist."}"#
            ),
            Handling::Done(Outcome::Permanent {
                status: 404,
                code: Some("1001".into()),
                message: "Address book does not exist.".into()
            })
        );
        let daily = classify(
            429,
            ResponseHints {
                retry_after: Some("3600"),
                rate_limit_type: Some("Daily-limit"),
            },
            br#"{"code":429,"message":"You have reached the maximum daily rate limit"}"#,
            SystemTime::now(),
            VendorCodes::NONE,
        );
        assert!(matches!(
            daily,
            Handling::Done(Outcome::QuotaExhausted { retry_after: Some(d), .. }) if d == Duration::from_secs(3600)
        ));
        assert!(matches!(
            classify_(401, r#"{"code":124,"message":"Invalid access token."}"#),
            Handling::Unauthorized { .. }
        ));
    }

    #[test]
    fn auth_and_server_errors() {
        assert!(matches!(
            at(401, r#"{"code":"INVALID_OAUTHTOKEN","message":"invalid oauth token","status":"error"}"#, VendorCodes::NONE),
            Handling::Unauthorized { message } if message == "invalid oauth token"
        ));
        // Zoho sometimes reports a bad token with another status: its code says so.
        assert!(matches!(
            classify_(400, r#"{"code":"INVALID_OAUTHTOKEN","message":"x"}"#),
            Handling::Unauthorized { .. }
        ));
        assert_eq!(
            classify_(502, "<html>Bad Gateway</html>"),
            Handling::ServerError {
                status: 502,
                retry_after: None,
                message: "HTTP 502: <html>Bad Gateway</html>".into()
            }
        );
        let v = classify(
            429,
            ResponseHints {
                retry_after: Some("2"),
                rate_limit_type: None,
            },
            b"",
            SystemTime::now(),
            VendorCodes::NONE,
        );
        assert_eq!(
            v,
            Handling::RateLimited {
                retry_after: Some(Duration::from_secs(2))
            }
        );
        assert!(matches!(
            classify_(404, ""),
            Handling::Done(Outcome::Permanent { status: 404, code: None, message }) if message == "HTTP 404"
        ));
    }

    #[test]
    fn outcome_helpers() {
        let ok = Outcome::Ok {
            status: 201,
            body: br#"{"id":"7"}"#.to_vec(),
        };
        let id = ok
            .json::<serde_json::Value>()
            .and_then(Result::ok)
            .and_then(|v| v["id"].as_str().map(String::from));
        assert_eq!(id.as_deref(), Some("7"));
        assert!(!ok.stops_run());
        assert!(
            Outcome::Unauthorized {
                message: String::new()
            }
            .stops_run()
        );
    }
}
