//! bulkline: move contact lists between files and contact/SMS APIs.
//!
//! The crate is a library with a thin binary on top (`main.rs`). Stages pass plain data:
//! a [`source`] yields [`source::Batch`]es of raw rows, [`transform`] turns each row into
//! a [`contact::Contact`] or a list of [`reject::Rejection`]s, [`dedupe`] drops repeats, and
//! [`sink`] writers put rows into files. [`pipeline`] wires the stages together.

/// Equality, hashing and `Debug` for a handle to a static table (a target's descriptor, an
/// API's scopes) by the table's `name`: two handles are the same when they name the same.
macro_rules! by_name {
    ($t:ty) => {
        impl PartialEq for $t {
            fn eq(&self, other: &$t) -> bool {
                self.0.name == other.0.name
            }
        }

        impl Eq for $t {}

        impl std::hash::Hash for $t {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.0.name.hash(state);
            }
        }

        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0.name)
            }
        }
    };
}

pub mod atomic;
pub mod auth;
pub mod checkpoint;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod connectors;
pub mod contact;
pub mod dedupe;
pub mod destination;
pub mod error;
pub mod examples;
pub mod executor;
pub mod exit;
pub mod export;
pub mod fingerprint;
pub mod flags;
pub mod http;
pub mod import;
pub mod input;
pub mod journaled;
pub mod keys;
pub mod manpage;
pub mod mapping;
pub mod paths;
pub mod phone;
pub mod pipeline;
pub mod preflight;
pub mod progress;
pub mod redact;
pub mod region;
pub mod reject;
pub mod report;
pub mod roundtrip;
pub mod runlock;
pub mod sandbox;
pub mod scopes;
pub mod sink;
pub mod sms;
pub mod snapshot;
pub mod source;
pub mod stdout;
pub mod stop;
pub mod summary;
pub mod synth;
#[cfg(test)]
pub(crate) mod testutil;

pub mod trace;
pub mod transform;
pub mod undo;
pub mod verify;
pub mod warnings;
