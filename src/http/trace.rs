//! The trace of the client's attempts ([`crate::trace`] says where it goes).
//!
//! `-v` (INFO): one line per attempt that went out, `request method=.. path=.. status=..
//! ms=.. attempt=N`, with `retry="why"` on an attempt made again (429, 5xx, timeout,
//! connection, lock-out, token renewal) and `error=".."` when no answer came. `-vv` (DEBUG):
//! then a `body` line with the request's and the answer's bodies, cut to [`BODY_LIMIT`].
//! The query and the bodies are redacted by name ([`crate::redact`]); the `Authorization`
//! header is never written. Nothing is formatted unless the level is on.

use std::fmt;
use std::time::Duration;

use super::{Attempt, Body, Handling, Request};
use crate::redact;

/// How much of a body a `-vv` line shows, in bytes.
pub const BODY_LIMIT: usize = 4096;

/// What a retry after a lock-out is called.
pub(super) const LOCKOUT: &str = "lock-out";

/// Which attempt of one `send` this is (from 1), and why it is made again.
#[derive(Debug, Clone, Copy)]
pub(super) struct Try {
    pub number: u32,
    pub retry: Option<&'static str>,
}

/// Why another attempt would follow `attempt` (`None`: none would).
pub(super) fn retry_reason(attempt: &Attempt) -> Option<&'static str> {
    match attempt {
        Attempt::Response(Handling::Unauthorized { .. }) => Some("token renewal"),
        Attempt::Response(Handling::RateLimited { .. }) => Some("429"),
        Attempt::Response(Handling::ServerError { .. }) => Some("5xx"),
        Attempt::MaybeSent { reason, .. } if reason.starts_with("timed out") => Some("timeout"),
        Attempt::NotSent(_) | Attempt::MaybeSent { .. } => Some("connection"),
        _ => None,
    }
}

/// Records an attempt that went out: its answer's status (none if no answer came), the time
/// it took, and at `-vv` the bodies.
pub(super) fn sent(
    request: &Request,
    attempt: Try,
    status: Option<u16>,
    took: Duration,
    result: &Attempt,
    answer: Option<&[u8]>,
) {
    let error = match result {
        Attempt::NotSent(reason) | Attempt::MaybeSent { reason, .. } => Some(reason.as_str()),
        _ => None,
    };
    let ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
    tracing::info!(
        method = %request.method(),
        path = %Target(request),
        status,
        ms,
        attempt = attempt.number,
        retry = attempt.retry,
        error,
        "request"
    );
    tracing::debug!(
        method = %request.method(),
        path = %Target(request),
        request = %Sent(request),
        answer = %Answer(answer),
        "body"
    );
}

/// The path and the query, secrets redacted.
struct Target<'a>(&'a Request);

impl fmt::Display for Target<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.path())?;
        let query = self.0.query_pairs();
        if query.is_empty() {
            return Ok(());
        }
        let pairs = query.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        write!(f, "?{}", redact::pairs(pairs))
    }
}

/// A request's body, redacted and cut.
struct Sent<'a>(&'a Request);

impl fmt::Display for Sent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self.0.body() {
            Body::Empty => return f.write_str("-"),
            Body::Json(value) => value.to_string(),
            Body::Form(fields) => {
                redact::form(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            }
            Body::Multipart(parts) => parts
                .iter()
                .map(|p| match &p.file_name {
                    Some(file) => format!("{}: {file} ({} bytes)", p.name, p.data.len()),
                    None => {
                        let value = String::from_utf8_lossy(&p.data);
                        format!("{}={}", p.name, redact::field(&p.name, &value))
                    }
                })
                .collect::<Vec<_>>()
                .join("; "),
        };
        f.write_str(&redact::body(text.as_bytes(), BODY_LIMIT))
    }
}

/// An answer's body, redacted and cut (`-` when none came).
struct Answer<'a>(Option<&'a [u8]>);

impl fmt::Display for Answer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("-"),
            Some(bytes) => f.write_str(&redact::body(bytes, BODY_LIMIT)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Part;

    #[test]
    fn targets_and_bodies_are_redacted() {
        let r = Request::post("/oauth/v2/token")
            .query("grant_type", "refresh_token")
            .query("refresh_token", "1000.r")
            .query("page", "2");
        assert_eq!(
            Target(&r).to_string(),
            "/oauth/v2/token?grant_type=refresh_token&refresh_token=%5Bredacted%5D&page=2"
        );
        assert_eq!(Target(&Request::get("/x")).to_string(), "/x");
        assert_eq!(Sent(&Request::get("/x")).to_string(), "-");
        let form = Request::post("/t").form(vec![
            ("client_secret".into(), "s3".into()),
            ("client_id".into(), "id".into()),
            ("contact".into(), r#"{"code":"c7","mobile":"+44"}"#.into()),
        ]);
        assert_eq!(
            Sent(&form).to_string(),
            r#"client_secret=[redacted]&client_id=id&contact={"code":"[redacted]","mobile":"+44"}"#
        );
        let json = Request::post("/t").json_value(serde_json::json!({"password": "p4", "n": 1}));
        assert_eq!(
            Sent(&json).to_string(),
            r#"{"password":"[redacted]","n":1}"#
        );
        let parts = Request::post("/t").multipart(vec![
            Part::text("token", "t5"),
            Part::text("message", "hi"),
            Part::file("media", "a.png", vec![0; 10], "image/png"),
        ]);
        assert_eq!(
            Sent(&parts).to_string(),
            "token=[redacted]; message=hi; media: a.png (10 bytes)"
        );
        assert_eq!(Answer(None).to_string(), "-");
        assert_eq!(
            Answer(Some(br#"{"access_token":"a6"}"#)).to_string(),
            r#"{"access_token":"[redacted]"}"#
        );
    }
}
