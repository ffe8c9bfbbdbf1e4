//! The fixed credentials the sandbox accepts and the records it starts with. They are public
//! on purpose: they unlock nothing but the sandbox. Each emulator seeds its own (its module's
//! `seeded` values, re-exported here); the client credentials are every token server's.

pub use super::seeds::*;

use super::EMULATORS;
use super::emulator::Placed;

/// The OAuth client id (every token server's).
pub const CLIENT_ID: &str = "sandbox-client";
/// The OAuth client secret (every token server's).
pub const CLIENT_SECRET: &str = "sandbox-secret";

/// Every emulator's lines, and `own`, in order of place.
fn in_place<T>(
    own: Vec<Placed<T>>,
    each: impl Fn(&dyn super::emulator::Behaviour) -> Vec<Placed<T>>,
) -> Vec<Placed<T>> {
    let mut all = own;
    for e in EMULATORS {
        all.extend(each(e.behaviour));
    }
    all.sort_by_key(|p| p.place);
    all
}

/// The environment a client needs to talk to a sandbox at `url`, as `NAME=value` lines.
pub fn env_lines(url: &str) -> Vec<String> {
    let own = super::emulator::env_lines(&[
        (0, "BULKLINE_BASE_URL", url),
        (1, "BULKLINE_ACCOUNTS_URL", url),
    ]);
    in_place(own, |e| e.env())
        .into_iter()
        .map(|p| format!("{}={}", p.name, p.value))
        .collect()
}

/// The credentials and seeded ids as JSON (for `GET /_sandbox/credentials` and the state).
pub fn credentials_json() -> serde_json::Value {
    let own = vec![
        Placed {
            place: 0,
            name: "client_id",
            value: serde_json::json!(CLIENT_ID),
        },
        Placed {
            place: 1,
            name: "client_secret",
            value: serde_json::json!(CLIENT_SECRET),
        },
    ];
    let fields: serde_json::Map<String, serde_json::Value> = in_place(own, |e| e.credentials())
        .into_iter()
        .map(|p| (p.name.to_string(), p.value))
        .collect();
    serde_json::Value::Object(fields)
}

/// The options that point a run of `target` at its seeded destination (its first contact, its
/// address book, ...); none for a target that has no destination to name.
pub fn destination_args(target: &str) -> Vec<String> {
    EMULATORS
        .iter()
        .find(|e| e.target == Some(target))
        .map(|e| e.behaviour.destination_args())
        .unwrap_or_default()
}
