//! What an emulated API is to the rest of the sandbox: an [`Emulator`] (one per module of the
//! `emulators!` line in `mod.rs`) states what it is (its name, its part of the URL space, the
//! tokens and scopes its endpoints take, its options, its choices) and behaves as its
//! [`Behaviour`] says: it answers the requests of its part of the URL space through its
//! [`Endpoint`]s, keeps its records in a room of the [`Store`], starts from its seed, adds its
//! limits and its part of the admin JSON. A token server is an emulator whose behaviour is
//! also a [`TokenServer`]. The router, the admin surface and the rest only ask the registry
//! ([`super::EMULATORS`]).

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
use crate::flags::Flag;
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

/// A generated record for [`Behaviour::add_bulk`] (see [`super::bulk`]).
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
    pub limits: &'static [Setting],
    pub scopes: &'static [Setting],
}

/// One of an emulator's `bulkline sandbox` options (`--zoho-scope`), and how its value sets
/// the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub flag: Flag,
    pub sets: Sets,
}

/// How an option's value sets the configuration.
#[derive(Debug, Clone, Copy)]
pub enum Sets {
    /// The scopes of the tokens a token server issues (this setting), as given.
    Scopes(fn(&mut SandboxConfig) -> &mut String),
    /// Any other setting: read from the value, or the value refused with the reason.
    Read(fn(&str, &mut SandboxConfig) -> Result<(), String>),
}

impl Setting {
    /// The option `--long`, kept as `id`, with one line of help, that sets the scopes of the
    /// tokens a token server issues (the setting `scopes` returns).
    pub const fn scopes(
        id: &'static str,
        long: &'static str,
        help: &'static str,
        scopes: fn(&mut SandboxConfig) -> &mut String,
    ) -> Setting {
        Setting {
            flag: Flag::new(id, long, "SCOPES", help).heading(""),
            sets: Sets::Scopes(scopes),
        }
    }

    /// Sets the configuration from the option's value.
    pub fn set(&self, value: &str, config: &mut SandboxConfig) -> Result<(), String> {
        match self.sets {
            Sets::Scopes(scopes) => {
                *scopes(config) = value.to_string();
                Ok(())
            }
            Sets::Read(read) => read(value, config),
        }
    }
}

/// A guard an emulator holds while one of its requests is served (released when dropped).
pub type Admission = Box<dyn Send>;

/// What an emulator's limits on requests in flight make of a request: admitted (with the guard
/// it holds while the request is served, if any), or refused with the answer.
pub type Admitted = Result<Option<Admission>, Box<Response>>;

/// The generic error shape (`{"error": message}`): the token servers' and the sandbox's own.
pub fn plain_error(status: StatusCode, message: &str) -> Response {
    super::wire::json(status, json!({"error": message}))
}

/// Endpoints read from a path: an emulator's routes.
pub trait Routes: Endpoint + Sized + 'static {
    /// The endpoint `method` names on the segments after its emulator's base, if any.
    fn parse(method: &Method, rest: &[&str]) -> Option<Self>;
}

/// How an emulator reads the rest of a path under its endpoints' base: the endpoint the
/// method and the rest name, if they name one.
pub type Parse = fn(&Method, &[&str]) -> Option<Found>;

/// The [`Parse`] of the routes `R`.
pub fn parse<R: Routes>(method: &Method, rest: &[&str]) -> Option<Found> {
    R::parse(method, rest).map(|r| Arc::new(r) as Found)
}

/// The [`Parse`] of a token server's one endpoint `E`: a POST to the base itself.
pub fn post_to_base<E: Endpoint + Default + 'static>(
    method: &Method,
    rest: &[&str],
) -> Option<Found> {
    (rest.is_empty() && method == Method::POST).then(|| Arc::new(E::default()) as Found)
}

/// An emulated API or token server, as its module states it (with [`Emulator::new`] and the
/// calls after it): what the router, the configuration, the seed and the choices table read,
/// and its behaviour.
#[derive(Clone, Copy)]
pub struct Emulator {
    /// Its module name: its key in `GET /_sandbox/state`, and a token server's issuer name.
    pub name: &'static str,
    /// What it does besides what it states.
    pub behaviour: &'static dyn Behaviour,
    /// The first segments of every path in its part of the URL space: a path no emulator
    /// routes is answered not found in the shape of the first one that owns it.
    pub space: &'static [&'static str],
    /// The first segments of every path of its endpoints.
    pub base: &'static [&'static str],
    /// Reads the rest of a path under `base`.
    pub parse: Parse,
    /// The token server whose access tokens its endpoints take, if they take any.
    pub token_server: Option<&'static dyn TokenServer>,
    /// Its API in the scope table, if its endpoints need scopes.
    pub scope_api: Option<Api>,
    /// How its contacts travel in writes, if it is a contact API.
    pub contacts: Option<Carried>,
    /// Its `bulkline sandbox` options.
    pub options: Options,
    /// What it answers where its vendor's pages are silent.
    pub choices: &'static [Choice],
    /// The target of the connectors' registry it serves, if it serves one.
    pub target: Option<&'static str>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// The emulator `name`, that behaves as `behaviour` and owns the paths that start with
    /// `space`, with no endpoints yet, no tokens, no options and no choices.
    pub const fn new(
        name: &'static str,
        behaviour: &'static dyn Behaviour,
        space: &'static [&'static str],
    ) -> Emulator {
        Emulator {
            name,
            behaviour,
            space,
            base: space,
            parse: |_, _| None,
            token_server: None,
            scope_api: None,
            contacts: None,
            options: Options {
                limits: &[],
                scopes: &[],
            },
            choices: &[],
            target: None,
        }
    }

    /// Its endpoints: the paths that start with `base`, read by `parse`.
    pub const fn endpoints(mut self, base: &'static [&'static str], parse: Parse) -> Emulator {
        self.base = base;
        self.parse = parse;
        self
    }

    /// Its endpoints take the access tokens of `server`, with the scopes of `api`.
    pub const fn takes_tokens(mut self, server: &'static dyn TokenServer, api: Api) -> Emulator {
        self.token_server = Some(server);
        self.scope_api = Some(api);
        self
    }

    /// It serves the connectors' target `target`, whose API it is: a contact API whose writes
    /// carry the contact as `carried` says, and whose endpoints take the access tokens of
    /// `server`, with the scopes of the target's API.
    pub const fn serves(
        self,
        target: &'static crate::connectors::Descriptor,
        server: &'static dyn TokenServer,
        carried: Carried,
    ) -> Emulator {
        let mut emulator = self.takes_tokens(server, target.api);
        emulator.target = Some(target.name);
        emulator.contacts = Some(carried);
        emulator
    }

    /// The options of its limits.
    pub const fn limit_options(mut self, options: &'static [Setting]) -> Emulator {
        self.options.limits = options;
        self
    }

    /// The options of the scopes of the tokens it issues.
    pub const fn scope_options(mut self, options: &'static [Setting]) -> Emulator {
        self.options.scopes = options;
        self
    }

    /// Its answers where its vendor's pages are silent.
    pub const fn choices(mut self, choices: &'static [Choice]) -> Emulator {
        self.choices = choices;
        self
    }

    /// The endpoint a request names, if it is one of this emulator's.
    pub fn route(&self, method: &Method, segs: &[&str]) -> Option<Found> {
        (self.parse)(method, segs.strip_prefix(self.base)?)
    }

    /// Whether a path lies in its part of the URL space ([`Emulator::space`]).
    pub fn owns(&self, segs: &[&str]) -> bool {
        segs.starts_with(self.space)
    }
}

/// What an emulator does besides what it states: every method has a default, for an
/// emulator that does not do it.
pub trait Behaviour: Sync {
    /// A generic error (a fault, a limit, a missing endpoint) in its vendor's shape.
    fn error(&self, status: StatusCode, message: &str) -> Response {
        plain_error(status, message)
    }

    /// Itself as a token server, if it is one.
    fn as_token_server(&self) -> Option<&dyn TokenServer> {
        None
    }

    /// Its answer to a token that lacks the scope `need`, if not its token server's.
    fn scope_refused(&self, _need: &Need) -> Option<Response> {
        None
    }

    /// Its limits on requests in flight: a guard held while the request is served, or the
    /// refusal. Asked first, before any delay.
    fn admit(&self, _shared: &Arc<Shared>, _req: &Req, _config: &SandboxConfig) -> Admitted {
        Ok(None)
    }

    /// Its limits on authorised requests (asked after the token check): the refusal, if the
    /// request is refused.
    fn limit(&self, _shared: &Shared, _req: &Req, _config: &SandboxConfig) -> Option<Response> {
        None
    }

    /// Forgets the bookkeeping of its limits (on reset; its records go with the store).
    fn reset_limits(&self, _shared: &Shared) {}

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
