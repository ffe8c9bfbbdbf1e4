//! Counters of what an [`HttpClient`](super::HttpClient) did, for progress reports and the
//! run summary. One [`HttpStats`] is shared (through an `Arc`) by every clone of a client.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::snapshot::load_snapshot;

/// Live counters of one client's attempts. Each attempt is counted once, when its result is
/// known (a response was read, or the transport failed).
#[derive(Debug, Default)]
pub struct HttpStats {
    requests: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
    server_errors: AtomicU64,
    not_sent: AtomicU64,
}

/// The counters of an [`HttpStats`] at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatsSnapshot {
    /// Attempts that reached the network: a response came back, or the connection timed out
    /// or broke after the request was sent. Includes retries; excludes `not_sent`.
    pub requests: u64,
    /// Attempts after the first of one [`send`](super::HttpClient::send) call, sent or not:
    /// retries after a 429, a 5xx, a timeout or a failed connection, and the repeat after a
    /// token refresh.
    pub retries: u64,
    /// 429 answers, including those that report a used-up daily quota.
    pub rate_limited: u64,
    /// 5xx answers, timeouts and connections dropped after sending (the transient failures
    /// that may have reached the server).
    pub server_errors: u64,
    /// Attempts that certainly never reached the server (connection refused, DNS, connect
    /// timeout).
    pub not_sent: u64,
}

/// How one attempt ended, as far as counting goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counted {
    /// A response other than 429 or 5xx.
    Answered,
    /// A 429.
    RateLimited,
    /// A 5xx, or a timeout / dropped connection after sending.
    ServerError,
    /// Never reached the server.
    NotSent,
}

impl HttpStats {
    /// Zeroed counters.
    pub fn new() -> HttpStats {
        HttpStats::default()
    }

    /// Counts one attempt; `retry` when it was not the first attempt of its `send` call.
    pub(crate) fn record(&self, counted: Counted, retry: bool) {
        let bump = |c: &AtomicU64| {
            c.fetch_add(1, Ordering::Relaxed);
        };
        if retry {
            bump(&self.retries);
        }
        match counted {
            Counted::NotSent => bump(&self.not_sent),
            Counted::Answered => bump(&self.requests),
            Counted::RateLimited => {
                bump(&self.requests);
                bump(&self.rate_limited);
            }
            Counted::ServerError => {
                bump(&self.requests);
                bump(&self.server_errors);
            }
        }
    }

    /// The counters now. Each field is read on its own: while requests are in flight, the
    /// fields may be a few counts apart.
    pub fn snapshot(&self) -> StatsSnapshot {
        load_snapshot!(self, StatsSnapshot: requests, retries, rate_limited, server_errors, not_sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_counts_each_kind() {
        let stats = HttpStats::new();
        stats.record(Counted::RateLimited, false);
        stats.record(Counted::Answered, true);
        stats.record(Counted::ServerError, false);
        stats.record(Counted::NotSent, true);
        assert_eq!(
            stats.snapshot(),
            StatsSnapshot {
                requests: 3,
                retries: 2,
                rate_limited: 1,
                server_errors: 1,
                not_sent: 1,
            }
        );
    }

    #[test]
    fn snapshot_serializes_as_plain_numbers() {
        let json = serde_json::to_value(StatsSnapshot {
            requests: 5,
            ..StatsSnapshot::default()
        })
        .expect("serialize");
        assert_eq!(json["requests"], 5);
        assert_eq!(json["rate_limited"], 0);
    }
}
