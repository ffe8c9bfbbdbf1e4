//! The pre-flight: before a run sends anything, an access token and one cheap read of the
//! API (two requests at most; for a run, none for the token when a cached one is still good;
//! `bulkline check` always asks for a new one, [`Token::Fresh`]). A refusal
//! becomes a message that says what to fix: the credentials, the scope the read needs (and
//! the token lacks), the data centre, or the destination. `bulkline check` runs it alone.

use std::time::{Duration, Instant};

use crate::auth::{AuthError, DataCentre, Grant};
use crate::error::Error;
use crate::http::{HttpClient, Outcome, Request};
use crate::scopes::{self, Access, Api, Need};

/// Which access token the pre-flight uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// The one in memory or in the cache while it is good, else a new one (a run: it saves
    /// token requests).
    Reuse,
    /// Always a new one from the token endpoint (`bulkline check`: it tests the credentials,
    /// which a cached token says nothing about).
    Fresh,
}

/// What the pre-flight reads, and where the run's settings point.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The API, for the scope the read needs and for messages.
    pub api: Api,
    /// Which access token it uses.
    pub token: Token,
    /// The read.
    pub request: Request,
    /// The data centre of `--dc`, when the service has data centres and the accounts server
    /// is the data centre's own (not `--accounts-url` or the sandbox): then a token from
    /// another data centre is named.
    pub dc: Option<DataCentre>,
    /// The token endpoint's base URL, for messages.
    pub accounts: String,
}

/// What the pre-flight found.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The API it read.
    pub api: Api,
    /// Token requests it made (0: the token in memory or the cache was still good).
    pub token_requests: usize,
    /// The scopes and API domain that came with the token.
    pub grant: Grant,
    /// The read's path, status and time.
    pub read: String,
    pub status: u16,
    pub elapsed: Duration,
    /// The read's answer.
    pub body: Vec<u8>,
}

impl Checked {
    /// The token's scopes, one by one (empty when the token endpoint listed none).
    pub fn scopes(&self) -> Vec<&str> {
        self.grant.scopes()
    }

    /// What `command` needs that the token's scope list lacks; empty when the list has it
    /// all, or when there is no list (then the first request that needs more says so).
    pub fn lacks(&self, command: scopes::Purpose) -> Vec<Need> {
        let have = self.scopes();
        if have.is_empty() {
            return Vec::new();
        }
        scopes::missing(&have, &scopes::for_command(command, self.api))
    }
}

/// Runs the pre-flight through `http`: a token, then `probe`'s read.
pub async fn run(http: &HttpClient, probe: &Probe) -> Result<Checked, Error> {
    let name = probe.api.name();
    let (grant, token_requests) = match http.auth() {
        None => (Grant::default(), 0),
        Some(provider) => {
            let before = provider.token_requests();
            let token = match probe.token {
                Token::Reuse => provider.token().await,
                Token::Fresh => provider.fresh_token().await,
            };
            let token = token.map_err(|e| token_error(&e, probe))?;
            (
                token.grant().clone(),
                provider.token_requests().saturating_sub(before),
            )
        }
    };
    check_data_centre(&grant, probe)?;
    let started = Instant::now();
    let outcome = http.send(&probe.request).await;
    let elapsed = started.elapsed();
    let read = format!("{} {}", probe.request.method(), probe.request.path());
    let need = scopes::need(probe.api, Access::Read);
    match outcome {
        Outcome::Ok { status, body } => Ok(Checked {
            api: probe.api,
            token_requests,
            grant,
            read,
            status,
            elapsed,
            body,
        }),
        Outcome::Denied { message } => Err(Error::Access(denied(
            name, &read, &message, &need, &grant, probe,
        ))),
        Outcome::Permanent {
            status: status @ (401 | 403),
            code,
            message,
        } => {
            let said = match code {
                Some(c) => format!("HTTP {status}, {c}: {message}"),
                None => format!("HTTP {status}: {message}"),
            };
            Err(Error::Access(denied(
                name, &read, &said, &need, &grant, probe,
            )))
        }
        Outcome::Permanent { code, message, .. } => {
            let code = code.unwrap_or_else(|| "remote_error".into());
            Err(Error::Usage(format!(
                "{name} refused {read} ({code}: {message}): the destination does not exist or cannot be used; check {} or the organization id",
                crate::connectors::DestinationOptions::listed()
            )))
        }
        Outcome::QuotaExhausted { .. }
        | Outcome::Unauthorized { .. }
        | Outcome::Ambiguous { .. }
        | Outcome::NotApplied { .. } => {
            let why = outcome
                .stop_message()
                .or_else(|| match &outcome {
                    Outcome::Ambiguous { reason, .. } | Outcome::NotApplied { reason } => {
                        Some(reason.clone())
                    }
                    _ => None,
                })
                .unwrap_or_default();
            Err(Error::Remote(format!(
                "{name} could not be reached for its first read ({read}): {why}"
            )))
        }
    }
}

/// The message of a token request that failed: transient (exit 4) or the credentials
/// refused (exit 2, with the data centre named for a service that has data centres).
fn token_error(e: &AuthError, probe: &Probe) -> Error {
    if e.is_transient() {
        return Error::Remote(format!("no access token from {}: {e}", probe.accounts));
    }
    let hint = match (e, probe.dc) {
        (AuthError::Refused { service, .. }, Some(dc)) => crate::auth::titled(service)
            .and_then(|s| s.data_centres())
            .map(|dcs| (dcs.refused_here)(dc, &probe.accounts))
            .unwrap_or_default(),
        _ => String::new(),
    };
    Error::Access(format!("{e}{hint}"))
}

/// A token of a service with data centres may say which one its account lives in
/// (`api_domain`): a run pointed at another one would be refused on every request.
fn check_data_centre(grant: &Grant, probe: &Probe) -> Result<(), Error> {
    let (Some(dc), Some(domain)) = (probe.dc, grant.api_domain.as_deref()) else {
        return Ok(());
    };
    let home = crate::auth::SERVICES
        .iter()
        .filter_map(|s| s.data_centres())
        .find_map(|dcs| (dcs.of_api_domain)(domain).map(|home| (dcs, home)));
    match home {
        Some((dcs, home)) if home != dc => {
            Err(Error::Access((dcs.lives_elsewhere)(home, domain, dc)))
        }
        _ => Ok(()),
    }
}

/// The message of a read refused for the account: the scope it needs, what the token has,
/// and where to grant it; or the data centre, when the token itself was refused.
fn denied(name: &str, read: &str, said: &str, need: &Need, grant: &Grant, probe: &Probe) -> String {
    let have = grant.scopes();
    let listed = if have.is_empty() {
        "the token endpoint did not list the token's scopes".to_string()
    } else {
        format!("the token has {}", have.join(", "))
    };
    let lacks_it = !have.is_empty() && !scopes::grants(&have, need);
    let scope_refusal = scopes_refusal(said);
    if lacks_it || scope_refusal {
        format!(
            "{name} refused {read}: {said}. It needs the scope {need}; {listed}: {}",
            probe.api.scopes().grant
        )
    } else {
        format!(
            "{name} refused {read}: {said}. The token ({listed}) was not accepted: it lacks the scope {need}, or it was issued by {} for another data centre than the API's (check --dc, --base-url and --accounts-url)",
            probe.accounts
        )
    }
}

/// Whether the API's words are about a scope.
fn scopes_refusal(said: &str) -> bool {
    let said = said.to_ascii_lowercase();
    said.contains("scope")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(api: Api, dc: Option<DataCentre>) -> Probe {
        Probe {
            api,
            token: Token::Reuse,
            request: Request::get("/rest/json/zv/contacts/contact_status"),
            dc,
            accounts: "https://accounts.zoho.com".into(),
        }
    }

    #[test]
    fn a_token_of_another_data_centre_is_named() {
        let grant = Grant {
            scope: None,
            api_domain: Some("https://www.zohoapis.eu".into()),
        };
        let err = check_data_centre(
            &grant,
            &probe(
                crate::connectors::zoho_voice::DESCRIPTOR.api,
                Some(DataCentre::Com),
            ),
        )
        .expect_err("another data centre");
        assert!(
            matches!(&err, Error::Access(m) if m.contains("--dc eu")),
            "{err}"
        );
        assert!(
            check_data_centre(
                &grant,
                &probe(
                    crate::connectors::zoho_voice::DESCRIPTOR.api,
                    Some(DataCentre::Eu)
                )
            )
            .is_ok()
        );
        // With --accounts-url (or the sandbox) there is no data centre to compare with.
        assert!(
            check_data_centre(
                &grant,
                &probe(crate::connectors::zoho_voice::DESCRIPTOR.api, None)
            )
            .is_ok()
        );
    }

    #[test]
    fn a_scope_refusal_names_the_scope_and_what_the_token_has() {
        let grant = Grant {
            scope: Some("ZohoVoice.sms.ALL".into()),
            api_domain: None,
        };
        let need = scopes::need(crate::connectors::zoho_voice::DESCRIPTOR.api, Access::Read);
        let text = denied(
            "Zoho Voice",
            "GET /rest/json/zv/contacts/contact_status",
            "invalid oauth scope to access this URL (OAUTH_SCOPE_MISMATCH)",
            &need,
            &grant,
            &probe(
                crate::connectors::zoho_voice::DESCRIPTOR.api,
                Some(DataCentre::Com),
            ),
        );
        assert!(text.contains("ZohoVoice.contacts.READ"), "{text}");
        assert!(text.contains("the token has ZohoVoice.sms.ALL"), "{text}");
        assert!(text.contains("refresh token"), "{text}");
    }

    #[test]
    fn a_refused_refresh_token_names_the_data_centre() {
        let e = AuthError::Refused {
            service: "Zoho",
            status: 200,
            error: "invalid_code".into(),
            description: String::new(),
        };
        let err = token_error(
            &e,
            &probe(
                crate::connectors::zoho_books::DESCRIPTOR.api,
                Some(DataCentre::Com),
            ),
        );
        assert!(
            matches!(&err, Error::Access(m) if m.contains("com data centre") && m.contains("--dc")),
            "{err}"
        );
        assert_eq!(err.exit_code(), crate::error::exit::ExitCode::Usage);
        let err = token_error(
            &AuthError::Network("connection refused".into()),
            &probe(
                crate::connectors::zoho_books::DESCRIPTOR.api,
                Some(DataCentre::Com),
            ),
        );
        assert_eq!(err.exit_code(), crate::error::exit::ExitCode::Resumable);
    }
}
