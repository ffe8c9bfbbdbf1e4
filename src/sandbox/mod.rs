//! The sandbox: an in-process emulator of every API bulkline talks to, on 127.0.0.1, holding
//! its records in memory. It follows the vendors' pages (in `api/`): the same paths,
//! parameters, answers and errors, plus the OAuth token endpoints, the vendors' limits, a global
//! rate limit and injected faults. Users run it with `bulkline sandbox`; tests start it in
//! process with [`Sandbox::start`].
//!
//! Each API (and each token server) is an emulator of its own, in its own module: its
//! endpoints, its records, its seed, its limits and its part of the admin JSON. The module
//! states what the emulator is once, in its [`emulator::Emulator`], and what it does in its
//! [`emulator::Behaviour`]. The `emulators!` line below lists them: the router
//! ([`router`]), the admin surface `/_sandbox/...` ([`admin`]), the seed ([`seed`]), the bulk
//! records ([`bulk`]), the configuration ([`config`]) and the choices table ([`choices`]) only
//! ask that list. Today's emulators (all on one host):
//!
//! - Zoho's token server `POST /oauth/v2/token` ([`zoho`]); Zoom's `POST /oauth/token`
//!   ([`zoom`]).
//! - Zoho Voice contacts `/rest/json/zv/contacts...` ([`zoho_voice`]).
//! - Zoho Books contact persons `/books/v3/contacts/...` ([`zoho_books`]).
//! - Zoom Contact Center contacts `/v2/contact_center/address_books/{id}/contacts...`
//!   ([`zoom_cc`]).
//! - Zoho Voice SMS `/rest/json/v1/sms/send`, `/rest/json/v2/sms/send`,
//!   `/rest/json/v1/sms/logs` ([`sms`]).
//!
//! The admin surface `/_sandbox/...` is the sandbox's own ([`admin`]).
//!
//! The credentials it accepts and the records it starts with are in [`seed`]. Where the pages
//! are silent (an error code, its status, a limit, a paging detail), what the sandbox answers
//! is listed in one table: see `choices.rs` ([`choices::all`]).

/// Declares an emulator's settings in the sandbox's configuration (see `config.rs`): its
/// limits (placed with every emulator's limits) and its token scopes (placed after them), each
/// as `/// doc`, `name: Type = default` and, for its field of the patch, attributes after a
/// comma. Either part may be left out where the emulator has none (`emulator_settings! {}`).
/// Defines the module's `settings!`, which adds them to the lists being gathered.
macro_rules! emulator_settings {
    ($(limits { $($limits:tt)* })? $(scopes { $($scopes:tt)* })?) => {
        emulator_settings!(@ [$($($limits)*)?] [$($($scopes)*)?] $);
    };
    (@ [$($limits:tt)*] [$($scopes:tt)*] $d:tt) => {
        /// Adds this emulator's settings to the lists being gathered, then goes on (with the
        /// arguments after the lists as they are).
        macro_rules! settings {
            (
                $d next:ident $d rest:tt [$d($d all_limits:tt)*] [$d($d all_scopes:tt)*]
                $d($d more:tt)*
            ) => {
                $d next!(
                    $d rest
                    [$d($d all_limits)* $($limits)*]
                    [$d($d all_scopes)* $($scopes)*]
                    $d($d more)*
                );
            };
        }
        pub(crate) use settings;
    };
}

/// Declares the emulator modules and [`EMULATORS`], from their names: `emulators!(a, b)`
/// means `pub mod a; pub mod b;` and the emulators their `EMULATOR`s are, in that order (the
/// order of the state JSON's parts, of the configuration's settings, of the choices and of a
/// bulk record's writes). Defines `with_emulators!(callback args...)`, which calls
/// `callback!([a, b] args...)`, for what is declared from every emulator (the configuration).
macro_rules! emulators {
    ($($module:ident),+ $(,)?) => {
        emulators!(@ [$($module),+] $);
    };
    (@ [$($module:ident),+] $d:tt) => {
        $(pub mod $module;)+

        /// Every emulator, in the order of the `emulators!` line.
        pub static EMULATORS: &[&emulator::Emulator] = &[$(&$module::EMULATOR),+];

        /// Every emulator's seeded values (what [`seed`] re-exports).
        mod seeds {
            $(pub use super::$module::seeded::*;)+
        }

        /// Calls `callback!([every emulator's module] args...)`.
        macro_rules! with_emulators {
            ($d callback:ident $d($d args:tt)*) => {
                $d callback!([$($module),+] $d($d args)*);
            };
        }
    };
}

emulators!(zoho, zoom, zoho_voice, zoho_books, zoom_cc, sms);

pub mod admin;
pub mod bulk;
pub mod checks;
pub mod choices;
pub mod config;
pub mod emulator;
pub mod faults;
pub mod lockout;
pub mod paging;
mod router;
pub mod seed;
pub mod state;
pub mod tamper;
pub mod tokens;
pub mod wire;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{ConfigPatch, SandboxConfig};
pub use sms::{Direction, SmsMessage};
pub use state::Stats;

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

    /// The records of the target named `target` (a name of the connectors' registry), as the
    /// tests compare them; none for a name the sandbox does not serve.
    pub fn records(&self, target: &str) -> Vec<StoredRecord> {
        let mut store = lock(&self.shared.store);
        EMULATORS
            .iter()
            .find(|e| e.target == Some(target))
            .map(|e| e.behaviour.records(&mut store))
            .unwrap_or_default()
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

    /// What `read` makes of the room `R` of the store (an emulator's records).
    fn read_room<R: std::any::Any + Send + Default, T>(&self, read: impl FnOnce(&R) -> T) -> T {
        read(lock(&self.shared.store).rooms.get::<R>())
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

    /// Every access token issued so far (expired ones too), oldest first.
    pub fn access_tokens(&self) -> Vec<String> {
        lock(&self.shared.store)
            .tokens
            .issued
            .iter()
            .cloned()
            .collect()
    }

    /// Makes every access token expire now; returns how many were live.
    pub fn expire_tokens(&self) -> usize {
        admin::expire_tokens(&self.shared)
    }

    /// Moves the clock its lifetimes are measured on (access tokens, page tokens) ahead by
    /// `by`: a test of a lifetime need not wait it out.
    pub fn advance_clock(&self, by: std::time::Duration) {
        lock(&self.shared.store).clock.advance(by);
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
