//! What became of one change sent to a target: the one answer that a create, an update, a
//! delete and an SMS send all settle into, whatever the API, and what the executor leaves for
//! its caller once it has journaled it ([`Next`]).

use crate::http::Outcome;

/// The answer to one change (a write, a delete, a send), read from the HTTP outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settle<T> {
    /// Applied, with what the answer says of it: a record's id, a send's log ids.
    Done(T),
    /// Refused for good, with the API's own code and message and the HTTP status (0 when
    /// bulkline refused it before sending): nothing was applied, and sending it again would
    /// be refused the same way.
    Failed {
        code: Option<String>,
        message: String,
        status: u16,
    },
    /// Unknown whether it was applied: looked for on the target before anything is sent
    /// again. `lost_at`: no answer came at all, and the request left then (ms since the Unix
    /// epoch): it may still land late (see [`Outcome::Ambiguous`]).
    Ambiguous {
        reason: String,
        lost_at: Option<u64>,
    },
    /// Certainly not applied, and the retries ran out: safe to send again later.
    NotApplied { reason: String },
    /// The run must stop (quota used up, the token endpoint unreachable): the same command
    /// resumes it; or, when `denied`, the account refused it (credentials, scope, data
    /// centre): a configuration error to fix first.
    Stop { message: String, denied: bool },
}

impl<T> Settle<T> {
    /// Reads an HTTP outcome: a 2xx answer's JSON body through `read` (a body that is not
    /// JSON leaves the change unknown); every other outcome by what HTTP's layer made of it.
    pub fn read(outcome: Outcome, read: impl FnOnce(serde_json::Value) -> Settle<T>) -> Settle<T> {
        match outcome {
            Outcome::Ok { body, .. } => match serde_json::from_slice(&body) {
                Ok(value) => read(value),
                Err(e) => Settle::Ambiguous {
                    reason: format!("the answer is not JSON: {e}"),
                    lost_at: None,
                },
            },
            Outcome::Permanent {
                status,
                code,
                message,
            } => Settle::Failed {
                code,
                message,
                status,
            },
            Outcome::Ambiguous { reason, lost_at } => Settle::Ambiguous { reason, lost_at },
            Outcome::NotApplied { reason } => Settle::NotApplied { reason },
            // The quota, the token endpoint, or the account's refusal.
            stop => Settle::Stop {
                denied: stop.is_denied(),
                message: stop.stop_message().unwrap_or_default(),
            },
        }
    }

    /// A refusal for good, before anything was sent.
    pub fn refused(message: impl Into<String>) -> Settle<T> {
        Settle::Failed {
            code: None,
            message: message.into(),
            status: 0,
        }
    }
}

/// What a change's answer leaves for its caller once [`super::Executor::apply`] has journaled
/// it (and stopped the run when it must).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next<T> {
    /// Applied: the caller journals each row's outcome (it knows the ids) and reports it.
    Done(T),
    /// Refused for good, journaled as failed with this code (`remote_error` when the API gave
    /// none): the caller reports the rows.
    Failed { code: String, message: String },
    /// Maybe applied, journaled as unknown: the caller looks for it on the target before
    /// anything is sent again; `lost_at` as in [`Settle::Ambiguous`].
    Unknown { lost_at: Option<u64> },
    /// Certainly not applied (or safe to repeat), journaled so: the caller sends it again.
    Again,
    /// The run stops, or the account was refused: journaled as not applied; the rows are
    /// left for the next run.
    Stopped,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(v: serde_json::Value) -> Settle<String> {
        match v.get("id").and_then(serde_json::Value::as_str) {
            Some(id) => Settle::Done(id.to_string()),
            None => Settle::refused("no id"),
        }
    }

    #[test]
    fn an_answer_reads_into_one_settle() {
        let ok = |body: &str| Outcome::Ok {
            status: 200,
            body: body.as_bytes().to_vec(),
        };
        assert_eq!(
            Settle::read(ok(r#"{"id":"7"}"#), id),
            Settle::Done("7".into())
        );
        assert!(matches!(
            Settle::read(ok("<html>"), id),
            Settle::Ambiguous { lost_at: None, .. }
        ));
        let refused = Outcome::Permanent {
            status: 400,
            code: Some("E1".into()),
            message: "no".into(),
        };
        assert_eq!(
            Settle::read(refused, id),
            Settle::Failed {
                code: Some("E1".into()),
                message: "no".into(),
                status: 400
            }
        );
        let lost = Outcome::Ambiguous {
            reason: "timeout".into(),
            lost_at: Some(5),
        };
        assert!(matches!(
            Settle::read(lost, id),
            Settle::Ambiguous {
                lost_at: Some(5),
                ..
            }
        ));
        let denied = Outcome::Denied {
            message: "scope".into(),
        };
        assert!(matches!(
            Settle::read(denied, id),
            Settle::Stop { denied: true, .. }
        ));
        let quota = Outcome::QuotaExhausted {
            retry_after: None,
            message: "quota".into(),
        };
        assert!(matches!(
            Settle::read(quota, id),
            Settle::Stop { denied: false, .. }
        ));
    }
}
