//! The sandbox: an in-process emulator of every API bulkline talks to, on 127.0.0.1, holding
//! its records in memory. It follows the vendors' pages (in `api/`): the same paths,
//! parameters, answers and errors, plus the OAuth token endpoints, the vendors' limits, a global
//! rate limit and injected faults. Users run it with `bulkline sandbox`; tests start it in
//! process with [`Sandbox::start`].
//!
//! Endpoints (all on one host):
//!
//! - Zoho OAuth `POST /oauth/v2/token`; Zoom OAuth `POST /oauth/token` ([`oauth`]).
//! - Zoho Voice contacts `/rest/json/zv/contacts...` ([`zoho_voice`]).
//! - Zoho Books contact persons `/books/v3/contacts/...` ([`zoho_books`]).
//! - Zoom Contact Center contacts `/v2/contact_center/address_books/{id}/contacts...`
//!   ([`zoom_cc`]).
//! - Zoho Voice SMS `/rest/json/v1/sms/send`, `/rest/json/v2/sms/send`,
//!   `/rest/json/v1/sms/logs` ([`sms`]).
//! - The admin surface `/_sandbox/...` ([`admin`]).
//!
//! The credentials it accepts and the records it starts with are in [`seed`]. Where the pages
//! are silent (an error code, its status, a limit, a paging detail), what the sandbox answers
//! is listed in one table: see `choices.rs` ([`choices::CHOICES`]).

pub mod admin;
pub mod bulk;
pub mod choices;
pub mod config;
pub mod faults;
pub mod lockout;
pub mod oauth;
pub mod paging;
mod router;
pub mod seed;
pub mod sms;
pub mod state;
pub mod tamper;
pub mod wire;
pub mod zoho_books;
pub mod zoho_voice;
pub mod zoom_cc;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{ConfigPatch, SandboxConfig};
pub use state::{BooksContactPerson, Direction, SmsMessage, Stats, VoiceContact, ZoomContact};

use state::{Shared, lock};

/// Why a sandbox could not start or change.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A setting is out of range.
    #[error("invalid sandbox configuration: {0}")]
    Config(String),
    /// The port could not be opened.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    /// The server stopped with an error.
    #[error("the sandbox server failed: {0}")]
    Serve(#[source] std::io::Error),
    /// An argument to a store operation was invalid.
    #[error("{0}")]
    Invalid(String),
}

/// A running sandbox. It stops on [`Sandbox::shutdown`] or when dropped.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// A record of a target's store, as the tests compare them: its id, and its mobile (Zoom:
/// every phone number) as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub id: String,
    pub phones: Vec<String>,
}

impl Sandbox {
    /// Starts a sandbox on 127.0.0.1 (on a free port when `config.port` is 0). Must be called
    /// within a tokio runtime: the server runs as a task of it.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        config.validate()?;
        let port = config.port;
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|source| SandboxError::Bind { port, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SandboxError::Bind { port, source })?;
        let shared = Arc::new(Shared::new(config, format!("http://{addr}")));
        let app = axum::Router::new()
            .fallback(router::handle)
            .with_state(Arc::clone(&shared));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Sandbox {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`: the base of every endpoint.
    pub fn url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server: no new connections; requests in flight get up to 5 seconds.
    pub async fn shutdown(mut self) -> Result<(), SandboxError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let Some(mut task) = self.task.take() else {
            return Ok(());
        };
        match tokio::time::timeout(Duration::from_secs(5), &mut task).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => Err(SandboxError::Serve(e)),
            Ok(Err(join)) => Err(SandboxError::Serve(std::io::Error::other(join.to_string()))),
            Err(_) => {
                task.abort();
                Ok(())
            }
        }
    }

    /// The current configuration.
    pub fn config(&self) -> SandboxConfig {
        self.shared.config()
    }

    /// Changes the configuration while running; returns the new one.
    pub fn set_config(&self, patch: &ConfigPatch) -> Result<SandboxConfig, SandboxError> {
        let c = self.shared.config().patched(patch)?;
        self.shared.set_config(c.clone());
        Ok(c)
    }

    /// Back to the seeded state (records, tokens, limits, counters); the configuration stays.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Everything held, as `GET /_sandbox/state` answers it.
    pub fn state(&self) -> serde_json::Value {
        admin::snapshot(&self.shared)
    }

    /// The Zoho Voice contacts, by id.
    pub fn voice_contacts(&self) -> Vec<VoiceContact> {
        lock(&self.shared.store).voice.values().cloned().collect()
    }

    /// The Zoho Books contact persons, by id.
    pub fn books_contact_persons(&self) -> Vec<BooksContactPerson> {
        lock(&self.shared.store)
            .books_persons
            .values()
            .cloned()
            .collect()
    }

    /// The Zoom address-book contacts, in creation order.
    pub fn zoom_contacts(&self) -> Vec<ZoomContact> {
        lock(&self.shared.store)
            .zoom_contacts
            .values()
            .cloned()
            .collect()
    }

    /// The records of the target named `target` (a name of the connectors' registry), as the
    /// tests compare them; none for a name the sandbox does not serve.
    pub fn records(&self, target: &str) -> Vec<StoredRecord> {
        let record = |id: String, phones: Vec<String>| StoredRecord { id, phones };
        match target {
            "zoho-voice" => self
                .voice_contacts()
                .into_iter()
                .map(|c| {
                    let mobile = c.fields.get("mobile").cloned().unwrap_or_default();
                    record(c.contact_id.to_string(), vec![mobile])
                })
                .collect(),
            "zoho-books" => self
                .books_contact_persons()
                .into_iter()
                .map(|p| record(p.contact_person_id.to_string(), vec![p.mobile]))
                .collect(),
            "zoom-cc" => self
                .zoom_contacts()
                .into_iter()
                .map(|c| record(c.contact_id, c.phone_numbers))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The SMS log (sent and received), in arrival order.
    pub fn sms_messages(&self) -> Vec<SmsMessage> {
        lock(&self.shared.store).sms.clone()
    }

    /// Records an incoming SMS (e.g. "STOP") from `number`; returns its log id.
    pub fn add_incoming_sms(&self, number: &str, message: &str) -> Result<String, SandboxError> {
        let mut store = lock(&self.shared.store);
        sms::add_incoming(&mut store, number, message, None, wire::now_ms())
            .map_err(SandboxError::Invalid)
    }

    /// Adds `n` records to every API (see [`bulk`]).
    pub fn add_bulk_records(&self, n: u64) {
        self.add_bulk_records_to(bulk::Apis::All, n);
    }

    /// Adds `n` records to the APIs `apis` (see [`bulk`]).
    pub fn add_bulk_records_to(&self, apis: bulk::Apis, n: u64) {
        let mut store = lock(&self.shared.store);
        bulk::add(&mut store, apis, n, wire::now_ms());
    }

    /// The request counters and fault counts.
    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).clone()
    }

    /// How many requests to `endpoint` (e.g. `"POST /rest/json/zv/contacts"`) got `status`.
    pub fn request_count(&self, endpoint: &str, status: u16) -> u64 {
        lock(&self.shared.stats)
            .requests
            .get(endpoint)
            .and_then(|m| m.get(&status))
            .copied()
            .unwrap_or(0)
    }

    /// Access tokens issued so far: (Zoho, Zoom).
    pub fn tokens_issued(&self) -> (u64, u64) {
        let store = lock(&self.shared.store);
        (store.oauth.zoho_issued, store.oauth.zoom_issued)
    }

    /// Every access token issued so far (Zoho's and Zoom's, expired ones too), oldest first.
    pub fn access_tokens(&self) -> Vec<String> {
        lock(&self.shared.store)
            .oauth
            .issued
            .iter()
            .cloned()
            .collect()
    }

    /// Makes every access token expire now; returns how many were live.
    pub fn expire_tokens(&self) -> usize {
        admin::expire_tokens(&self.shared)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
