//! What an emulated API is to the rest of the sandbox: an [`Emulator`] (one per module of the
//! `emulators!` line in `mod.rs`) answers the requests of its part of the URL space through
//! its [`Endpoint`]s, keeps its records in a room of the [`Store`], starts from its seed, adds
//! its limits, its part of the admin JSON and its rows of the choices table. A token server
//! is an emulator that is also a [`TokenServer`]. The router, the admin surface and the rest
//! only ask the registry ([`super::EMULATORS`]).

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::StoredRecord;
use super::choices::Choice;
use super::config::SandboxConfig;
use super::state::{Shared, Store};
use super::tokens::TokenServer;
use super::wire::Req;
use crate::flags::{Flag, FlagValues};
use crate::scopes::{Access, Api, Need};

/// What an endpoint's answer may read besides the store.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub req: &'a Req,
    pub config: &'a SandboxConfig,
    /// `http://127.0.0.1:PORT`.
    pub base_url: &'a str,
    /// Milliseconds since the epoch, when the endpoint runs.
    pub now_ms: u64,
}

/// One endpoint of an emulator (a method on a path template), as parsed from a request.
pub trait Endpoint: Send + Sync + std::fmt::Debug {
    /// Its name in the request counters (`POST /oauth/token`, `GET /v2/.../{id}`).
    fn label(&self) -> &'static str;

    /// What it does to the API's records, for its scope and for tampering; `None` for an
    /// endpoint outside the scope table (a token endpoint).
    fn op(&self) -> Option<Access> {
        None
    }

    /// Runs it.
    fn answer(&self, store: &mut Store, ctx: &Ctx<'_>) -> Response;
}

/// A parsed endpoint, shared with a delayed write's task.
pub type Found = Arc<dyn Endpoint>;

/// How a contact API carries the contact of a write (what tampering rewrites).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carried {
    /// A JSON string in the `contact` parameter (query or form).
    Parameter,
    /// A JSON body.
    Body,
}

/// A line of the sandbox's credentials (the banner's `export` lines, the credentials JSON):
/// its place among all of them (they are listed by place), its name and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed<T> {
    pub place: u8,
    pub name: &'static str,
    pub value: T,
}

/// Environment lines from their places, names and values.
pub fn env_lines(lines: &[(u8, &'static str, &str)]) -> Vec<Placed<String>> {
    lines
        .iter()
        .map(|&(place, name, value)| Placed {
            place,
            name,
            value: value.to_string(),
        })
        .collect()
}

/// A generated record for [`Emulator::add_bulk`] (see [`super::bulk`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRecord {
    /// Its number, from 0.
    pub i: u64,
    pub first: String,
    pub last: String,
    /// E.164.
    pub mobile: String,
    pub email: String,
}

/// The `bulkline sandbox` options an emulator declares: those of its limits, and those of its
/// tokens' scopes (listed after every emulator's limits, as in the configuration).
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub limits: &'static [Flag],
    pub scopes: &'static [Flag],
}

/// A guard an emulator holds while one of its requests is served (released when dropped).
pub type Admission = Box<dyn Send>;

/// The generic error shape (`{"error": message}`): the token servers' and the sandbox's own.
pub fn plain_error(status: StatusCode, message: &str) -> Response {
    super::wire::json(status, json!({"error": message}))
}

/// An emulated API or token server.
pub trait Emulator: Sync {
    /// Its module name: its key in `GET /_sandbox/state`, and a token server's issuer name.
    fn name(&self) -> &'static str;

    /// The endpoint a request names, if it is one of this emulator's.
    fn route(&self, method: &Method, segs: &[&str]) -> Option<Found>;

    /// Whether a path lies in its part of the URL space: a path no emulator routes is answered
    /// not found in the shape of the first one that owns it.
    fn owns(&self, segs: &[&str]) -> bool;

    /// A generic error (a fault, a limit, a missing endpoint) in its vendor's shape.
    fn error(&self, status: StatusCode, message: &str) -> Response {
        plain_error(status, message)
    }

    /// Itself as a token server, if it is one.
    fn as_token_server(&self) -> Option<&dyn TokenServer> {
        None
    }

    /// The token server whose access tokens its endpoints take, if they take any.
    fn token_server(&self) -> Option<&'static dyn TokenServer> {
        None
    }

    /// Its API in the scope table, if its endpoints need scopes.
    fn scope_api(&self) -> Option<Api> {
        None
    }

    /// Its answer to a token that lacks the scope `need`, if not its token server's.
    fn scope_refused(&self, _need: &Need) -> Option<Response> {
        None
    }

    /// How its contacts travel in writes, if it is a contact API.
    fn contacts(&self) -> Option<Carried> {
        None
    }

    /// Its limits on requests in flight: a guard held while the request is served, or the
    /// refusal. Asked first, before any delay.
    fn admit(
        &self,
        _shared: &Arc<Shared>,
        _req: &Req,
        _config: &SandboxConfig,
    ) -> Result<Option<Admission>, Box<Response>> {
        Ok(None)
    }

    /// Its limits on authorised requests (asked after the token check): the refusal, if the
    /// request is refused.
    fn limit(&self, _shared: &Shared, _req: &Req, _config: &SandboxConfig) -> Option<Response> {
        None
    }

    /// Forgets the bookkeeping of its limits (on reset; its records go with the store).
    fn reset_limits(&self, _shared: &Shared) {}

    /// Its `bulkline sandbox` options.
    fn options(&self) -> Options {
        Options::default()
    }

    /// Sets its settings from the values given to its options.
    fn set_options(&self, _values: &FlagValues, _config: &mut SandboxConfig) -> Result<(), String> {
        Ok(())
    }

    /// Checks its settings in the configuration.
    fn validate(&self, _config: &SandboxConfig) -> Result<(), String> {
        Ok(())
    }

    /// Its part of `GET /_sandbox/state`, under [`Emulator::name`], if it holds records.
    fn snapshot(&self, _store: &mut Store) -> Option<Value> {
        None
    }

    /// Its credentials and seeded ids in the credentials JSON.
    fn credentials(&self) -> Vec<Placed<Value>> {
        Vec::new()
    }

    /// Its lines of the environment a client needs (`NAME=value`, the banner's).
    fn env(&self) -> Vec<Placed<String>> {
        Vec::new()
    }

    /// What it answers where its vendor's pages are silent.
    fn choices(&self) -> &'static [Choice] {
        &[]
    }

    /// The target of the connectors' registry it serves, if it serves one.
    fn target(&self) -> Option<&'static str> {
        None
    }

    /// Its records, as the tests compare them.
    fn records(&self, _store: &mut Store) -> Vec<StoredRecord> {
        Vec::new()
    }

    /// The options that point a run of its target at its seeded destination.
    fn destination_args(&self) -> Vec<String> {
        Vec::new()
    }

    /// Adds a generated record to its store (see [`super::bulk`]).
    fn add_bulk(&self, _store: &mut Store, _record: &BulkRecord, _now_ms: u64) {}
}
