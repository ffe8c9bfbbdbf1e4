//! The HTTP layer shared by every target: one reqwest client, a rate limiter, a concurrency
//! limit sized to keep that rate busy, retries with backoff, and authentication.
//!
//! [`HttpClient::send`] turns a [`Request`] into one [`Outcome`]. Each attempt waits for a
//! concurrency slot ([`Concurrency`]) and a rate permit ([`Pacer`]), then its result is sorted:
//!
//! | attempt result                                  | idempotent request   | create / send (POST) |
//! |-------------------------------------------------|----------------------|----------------------|
//! | 2xx                                             | `Ok`                 | `Ok`                 |
//! | 4xx (not 401/429), or a 2xx error body          | `Permanent`          | `Permanent`          |
//! | 401, or a code the target's table reads as an invalid token | refresh once, retry | refresh once, retry |
//! | a code the table reads as a missing scope (any status)      | `Denied`, no refresh | `Denied`, no refresh |
//! | 429, or a code the table reads as a rate limit  | slow down, retry     | slow down, retry     |
//! | a code the table reads as a used-up quota, or Zoom's daily 429 | `QuotaExhausted` | `QuotaExhausted` |
//! | connection refused / DNS (never sent)           | retry                | retry                |
//! | 5xx, timeout or reset after sending             | retry                | `Ambiguous`          |
//!
//! The table is the target's ([`VendorCodes`], `connectors::<target>::CODES`): this layer
//! names no vendor code. A 5xx the API documents as "not applied" ([`ClientConfig::not_applied_statuses`]) is
//! retried for any method. When retries run out: `NotApplied` if no attempt can have taken
//! effect, else `Ambiguous`.
//!
//! [`HttpClient::stats`] counts what the attempts met ([`StatsSnapshot`] says what each
//! counter holds), for progress reports and the run summary.

mod codes;
mod concurrency;
pub mod lockout;
mod outcome;
mod rate;
pub mod request;
mod retry;
mod stats;
mod trace;

use std::error::Error as _;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

pub use codes::{Meaning, Source, VendorCode, VendorCodes};
pub use concurrency::{
    ASSUMED_LATENCY, Concurrency, ConcurrencyMode, MAX_AUTO_CONCURRENCY, Slot, auto_size,
};
pub use lockout::{Lockout, Refusal};
pub use outcome::{ErrorBody, Handling, Outcome, ResponseHints, classify};
pub use rate::{PACING_FACTOR, Pacer, Rate, RateError};
pub use request::{BaseUrl, Body, Part, Request, UrlError};
pub use retry::{RetryPolicy, parse_http_date, parse_retry_after};
pub use stats::{HttpStats, StatsSnapshot};

use stats::Counted;

use crate::auth::{AccessToken, TokenProvider};

/// The default time limit of one attempt, from connecting to the end of the response body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The default time limit for connecting.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds the one reqwest client of a run (shared by every target and the token requests).
/// Redirects are not followed (a redirected POST would silently become a GET).
pub fn build_client(timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(concat!("bulkline/", env!("CARGO_PKG_VERSION")))
        .timeout(timeout)
        .connect_timeout(DEFAULT_CONNECT_TIMEOUT.min(timeout))
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// How a target's requests are paced and retried.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The target's documented rate limit, or `--rate`.
    pub rate: Rate,
    /// `--concurrency N`, or automatic.
    pub concurrency: ConcurrencyMode,
    /// `--max-retries` and the backoff.
    pub retry: RetryPolicy,
    /// 5xx statuses the API documents as "the request was not applied" (safe to retry for
    /// any method). Empty by default: a 5xx is ambiguous.
    pub not_applied_statuses: Vec<u16>,
    /// For an API that publishes no limit: raise the rate while it answers without 429s, up
    /// to this (see [`Pacer::probing`]). `None`: the rate is a limit.
    pub probe_to: Option<Rate>,
    /// The API's own error codes and what each means, whatever status carries them.
    pub codes: VendorCodes,
}

impl ClientConfig {
    /// Automatic concurrency, default retries, every 5xx ambiguous.
    pub fn new(rate: Rate) -> ClientConfig {
        ClientConfig {
            rate,
            concurrency: ConcurrencyMode::Auto,
            retry: RetryPolicy::default(),
            not_applied_statuses: Vec::new(),
            probe_to: None,
            codes: VendorCodes::NONE,
        }
    }
}

/// The result of one attempt, before retry decisions.
#[derive(Debug)]
enum Attempt {
    /// A response arrived (and was read).
    Response(Handling),
    /// The request certainly did not reach the server (connection refused, DNS, connect
    /// timeout).
    NotSent(String),
    /// The request may have reached the server: timeout or dropped connection after sending.
    /// `sent_ms`: when it left (ms since the Unix epoch).
    MaybeSent { reason: String, sent_ms: u64 },
    /// The request could not be built: a bug or a bad value, not worth retrying.
    Invalid(String),
    /// No access token could be had: nothing was sent.
    NoToken(crate::auth::AuthError),
}

/// A request's turn, taken before its intent is journaled ([`HttpClient::reserve`]): a
/// concurrency slot held until the last clone of the reserved client is dropped, and a rate
/// permit already waited for, which the first attempt uses.
struct Turn {
    _slot: Slot,
    prepaid: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Turn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Turn")
            .field("prepaid", &self.prepaid)
            .finish_non_exhaustive()
    }
}

/// A target's HTTP client: base URL, auth, pacing, concurrency and retries.
#[derive(Debug, Clone)]
pub struct HttpClient {
    http: reqwest::Client,
    base: BaseUrl,
    auth: Option<Arc<TokenProvider>>,
    pacer: Arc<Pacer>,
    concurrency: Arc<Concurrency>,
    retry: RetryPolicy,
    not_applied: Vec<u16>,
    codes: VendorCodes,
    stats: Arc<HttpStats>,
    /// Set on a reserved client: its requests use this turn's slot, not one of their own.
    turn: Option<Arc<Turn>>,
}

impl HttpClient {
    /// A client for the API at `base`, sending through `http` (the run's one reqwest client),
    /// authenticated by `auth` when given.
    pub fn new(
        http: reqwest::Client,
        base: BaseUrl,
        auth: Option<Arc<TokenProvider>>,
        config: ClientConfig,
    ) -> HttpClient {
        let per_second = config.rate.as_per_second();
        HttpClient {
            http,
            base,
            auth,
            pacer: Arc::new(
                match config.probe_to {
                    Some(ceiling) => Pacer::probing(config.rate, ceiling),
                    None => Pacer::new(config.rate),
                }
                .with_max_wait(config.retry.max_wait),
            ),
            concurrency: Concurrency::new(config.concurrency, per_second),
            retry: config.retry,
            not_applied: config.not_applied_statuses,
            codes: config.codes,
            stats: Arc::new(HttpStats::new()),
            turn: None,
        }
    }

    /// Waits for a turn to send: a concurrency slot, a rate permit and a live access token,
    /// in that order. The client it returns sends with that turn: its first attempt leaves at
    /// once, and every attempt of every request it sends (retries, a second request of the
    /// same change) uses the one slot, which is freed when the last clone is dropped. So a
    /// change is journaled only when its request can leave now, and the changes open at any
    /// instant never outnumber the concurrency.
    ///
    /// Fails only when no access token can be had (the token request was refused).
    pub async fn reserve(&self) -> Result<HttpClient, Outcome> {
        let slot = self.concurrency.acquire().await;
        self.pacer.acquire().await;
        if let Some(provider) = &self.auth
            && let Err(e) = provider.token().await
        {
            return Err(token_outcome(&e, None));
        }
        let mut reserved = self.clone();
        reserved.turn = Some(Arc::new(Turn {
            _slot: slot,
            prepaid: std::sync::atomic::AtomicBool::new(true),
        }));
        Ok(reserved)
    }

    /// The provider of its access tokens (`None`: requests go without one).
    pub fn auth(&self) -> Option<&Arc<TokenProvider>> {
        self.auth.as_ref()
    }

    /// The API's base URL.
    pub fn base_url(&self) -> &BaseUrl {
        &self.base
    }

    /// The rate limiter (for progress reports: the current rate).
    pub fn pacer(&self) -> &Arc<Pacer> {
        &self.pacer
    }

    /// The concurrency limit (for progress reports).
    pub fn concurrency(&self) -> &Arc<Concurrency> {
        &self.concurrency
    }

    /// The counters of attempts, retries, 429s and server errors (shared by every clone).
    pub fn stats(&self) -> &Arc<HttpStats> {
        &self.stats
    }

    /// Sends `request`, retrying as the module docs describe, and says what became of it.
    pub async fn send(&self, request: &Request) -> Outcome {
        let mut retries = 0u32;
        let mut refreshed = false;
        // Whether any attempt may have reached the server and been applied.
        let mut maybe_applied = false;
        // When the latest attempt that got no answer at all left.
        let mut lost_at: Option<u64> = None;
        // Whether the next attempt is the first of this call (for the retry counter).
        let mut first = true;
        // The next attempt's number and why it is made, for the trace.
        let mut next = trace::Try {
            number: 1,
            retry: None,
        };
        loop {
            // A journaled write (a turn) never waits out a backoff in place: its failure comes
            // back at once, so that its concurrency slot goes to the next row and the row is
            // sent again later (the engine's rounds); the pipe does not stall behind it.
            let can_retry = self.turn.is_none() && retries < self.retry.max_retries;
            let (attempt, token) = self.attempt(request, next).await;
            self.count(&attempt, !first);
            first = false;
            next = trace::Try {
                number: next.number + 1,
                retry: trace::retry_reason(&attempt),
            };
            let wait = match attempt {
                Attempt::Invalid(reason) => return Outcome::NotApplied { reason },
                Attempt::NoToken(e) => return token_outcome(&e, None),
                Attempt::Response(Handling::Done(outcome)) => {
                    self.pacer.on_success();
                    return outcome;
                }
                Attempt::Response(Handling::Unauthorized { message }) => {
                    self.pacer.on_success();
                    match (&self.auth, &token) {
                        (Some(provider), Some(token)) if !refreshed => {
                            refreshed = true;
                            match provider.refresh_rejected(token).await {
                                // Not applied: the server refused it before doing anything.
                                Ok(_) => continue,
                                Err(e) => return token_outcome(&e, Some(&message)),
                            }
                        }
                        _ => return Outcome::Denied { message },
                    }
                }
                Attempt::Response(Handling::RateLimited { retry_after }) => {
                    match self.pacer.on_rate_limited(retry_after) {
                        Refusal::Limited => {}
                        // Not applied (refused): sent again once the lock-out ends (the pacer
                        // holds every request until then), without counting as a retry.
                        Refusal::Wait(_) => {
                            next.retry = Some(trace::LOCKOUT);
                            let ended = tokio::select! {
                                biased;
                                _ = crate::stop::wait() => None,
                                ended = self.pacer.wait_lockout() => Some(ended),
                            };
                            match ended {
                                Some(Ok(())) => continue,
                                Some(Err(lock)) => {
                                    return Outcome::QuotaExhausted {
                                        retry_after: None,
                                        message: lock.stop_message(tokio::time::Instant::now()),
                                    };
                                }
                                None => {
                                    return self.give_up(
                                        (maybe_applied, lost_at),
                                        "HTTP 429 (a lock-out), and the run was stopped",
                                        retries,
                                    );
                                }
                            }
                        }
                        Refusal::Stop(lock) => {
                            return Outcome::QuotaExhausted {
                                // The message says when to run again.
                                retry_after: None,
                                message: lock.stop_message(tokio::time::Instant::now()),
                            };
                        }
                    }
                    let wait = self.retry.wait(retries, retry_after);
                    if !can_retry {
                        return self.give_up(
                            (maybe_applied, lost_at),
                            "HTTP 429 (rate limited)",
                            retries,
                        );
                    }
                    wait
                }
                Attempt::Response(Handling::ServerError {
                    status,
                    retry_after,
                    message,
                }) => {
                    self.pacer.on_success();
                    let reason = format!("HTTP {status}: {message}");
                    let not_applied = self.not_applied.contains(&status);
                    maybe_applied |= !not_applied;
                    if !(request.is_idempotent() || not_applied) {
                        return Outcome::Ambiguous {
                            reason,
                            lost_at: None,
                        };
                    }
                    if !can_retry {
                        return self.give_up((maybe_applied, lost_at), &reason, retries);
                    }
                    let capped = retry_after.map(|d| d.min(self.retry.max_retry_after));
                    self.retry.wait(retries, capped)
                }
                Attempt::NotSent(reason) => {
                    if !can_retry {
                        return self.give_up((maybe_applied, lost_at), &reason, retries);
                    }
                    self.retry.wait(retries, None)
                }
                Attempt::MaybeSent { reason, sent_ms } => {
                    maybe_applied = true;
                    lost_at = Some(sent_ms);
                    if !request.is_idempotent() {
                        return Outcome::Ambiguous {
                            reason,
                            lost_at: Some(sent_ms),
                        };
                    }
                    if !can_retry {
                        return self.give_up((maybe_applied, lost_at), &reason, retries);
                    }
                    self.retry.wait(retries, None)
                }
            };
            retries += 1;
            tokio::time::sleep(wait).await;
        }
    }

    /// Counts one attempt in [`HttpClient::stats`]; `retry` when it was not the first of its
    /// `send` call. An attempt that could not be built was not made and is not counted.
    fn count(&self, attempt: &Attempt, retry: bool) {
        let counted = match attempt {
            Attempt::Invalid(_) | Attempt::NoToken(_) => return,
            Attempt::NotSent(_) => Counted::NotSent,
            Attempt::MaybeSent { .. } | Attempt::Response(Handling::ServerError { .. }) => {
                Counted::ServerError
            }
            // Quota exhaustion is only ever a 429.
            Attempt::Response(
                Handling::RateLimited { .. } | Handling::Done(Outcome::QuotaExhausted { .. }),
            ) => Counted::RateLimited,
            Attempt::Response(_) => Counted::Answered,
        };
        self.stats.record(counted, retry);
    }

    /// The outcome when retries ran out: `maybe` says whether an attempt may have been
    /// applied, and when the latest one that got no answer at all left.
    fn give_up(&self, maybe: (bool, Option<u64>), last: &str, retries: u32) -> Outcome {
        let (maybe_applied, lost_at) = maybe;
        let reason = if retries == 0 {
            last.to_string()
        } else {
            format!("{last} (after {retries} retries)")
        };
        if maybe_applied {
            Outcome::Ambiguous { reason, lost_at }
        } else {
            Outcome::NotApplied { reason }
        }
    }

    /// One attempt: a concurrency slot, a rate permit, the access token, the request, the
    /// whole response. The token is taken last, just before sending, so that a request that
    /// waited its turn for long does not carry a token that expired meanwhile; it comes back
    /// with the attempt, for a 401 to say which token was refused.
    async fn attempt(&self, request: &Request, nth: trace::Try) -> (Attempt, Option<AccessToken>) {
        let _slot = match &self.turn {
            Some(_) => None,
            None => Some(self.concurrency.acquire().await),
        };
        let prepaid = self
            .turn
            .as_ref()
            .is_some_and(|t| t.prepaid.swap(false, std::sync::atomic::Ordering::AcqRel));
        if !prepaid {
            self.pacer.acquire().await;
        }
        let (header, token) = match &self.auth {
            None => (None, None),
            Some(provider) => {
                let token = match provider.token().await {
                    Ok(token) => token,
                    Err(e) => return (Attempt::NoToken(e), None),
                };
                match provider.scheme().header_value(token.secret()) {
                    Ok(h) => (Some(h), Some(token)),
                    Err(e) => return (Attempt::NoToken(e), None),
                }
            }
        };
        let builder = match request.build(&self.http, &self.base, header) {
            Ok(b) => b,
            Err(reason) => return (Attempt::Invalid(reason), token),
        };
        (self.exchange(builder, request, nth).await, token)
    }

    /// Sends a built request (attempt `nth` of `request`), reads the whole answer, and traces
    /// it.
    async fn exchange(
        &self,
        builder: reqwest::RequestBuilder,
        request: &Request,
        nth: trace::Try,
    ) -> Attempt {
        let started = Instant::now();
        let sent_ms = crate::clock::now_ms();
        // The answer's status and body, for the trace.
        let mut answer = (None, None);
        let attempt = match builder.send().await {
            Err(e) => classify_error(&e, sent_ms),
            Ok(response) => {
                let status = response.status().as_u16();
                answer.0 = Some(status);
                let header = |name: &str| {
                    response
                        .headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                let retry_after = header("retry-after");
                let rate_limit_type = header("x-ratelimit-type");
                let hints = ResponseHints {
                    retry_after: retry_after.as_deref(),
                    rate_limit_type: rate_limit_type.as_deref(),
                };
                match response.bytes().await {
                    Ok(body) => {
                        let verdict = classify(status, hints, &body, SystemTime::now(), self.codes);
                        answer.1 = Some(body);
                        Attempt::Response(verdict)
                    }
                    // The status says it all, except for a 2xx: its result is lost.
                    Err(e) if (200..300).contains(&status) => Attempt::MaybeSent {
                        reason: format!(
                            "HTTP {status}, but the response was cut off: {}",
                            describe(&e)
                        ),
                        sent_ms,
                    },
                    Err(_) => Attempt::Response(classify(
                        status,
                        hints,
                        b"",
                        SystemTime::now(),
                        self.codes,
                    )),
                }
            }
        };
        let took = started.elapsed();
        self.concurrency.observe(took);
        trace::sent(request, nth, answer.0, took, &attempt, answer.1.as_deref());
        attempt
    }
}

/// Sorts a transport error: never sent, or maybe sent.
fn classify_error(e: &reqwest::Error, sent_ms: u64) -> Attempt {
    if e.is_builder() {
        Attempt::Invalid(describe(e))
    } else if e.is_connect() {
        Attempt::NotSent(format!("could not connect: {}", describe(e)))
    } else if e.is_timeout() {
        Attempt::MaybeSent {
            reason: "timed out waiting for the response".to_string(),
            sent_ms,
        }
    } else {
        Attempt::MaybeSent {
            reason: format!(
                "the connection failed after the request was sent: {}",
                describe(e)
            ),
            sent_ms,
        }
    }
}

/// An error with its causes, without the URL (it may carry query values).
fn describe(e: &reqwest::Error) -> String {
    let mut text = String::from("request failed");
    let mut source = e.source();
    let mut seen = 0;
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
        seen += 1;
        if seen > 4 {
            break;
        }
    }
    text
}

#[cfg(test)]
pub(crate) mod tests;

/// The outcome of a request that could not be sent for want of a token, or whose token was
/// refused and could not be replaced (`prefix`: the API's own words, if any).
fn token_outcome(e: &crate::auth::AuthError, prefix: Option<&str>) -> Outcome {
    let message = match prefix {
        Some(p) => format!("{p}; {e}"),
        None => e.to_string(),
    };
    if e.is_transient() {
        Outcome::Unauthorized { message }
    } else {
        Outcome::Denied { message }
    }
}
