//! The sandbox's settings: what it listens on, which limits it enforces and which faults it
//! injects. The settings every emulator shares are declared here; each emulator adds its own
//! (its limits, its token scopes) with `emulator_settings!` in its module, and the
//! configuration is declared with all of them, in the order of the `emulators!` line (every
//! emulator's limits, then every emulator's scopes).

use serde::{Deserialize, Deserializer, Serialize};

use super::EMULATORS;
use super::SandboxError;
use crate::flags::{Flag, FlagSource, FlagValues, each_once};

/// Declares [`SandboxConfig`] and [`ConfigPatch`] from the shared settings and every
/// emulator's: asks each emulator in turn to add its own to the lists (its `settings!`), then
/// declares them, the shared settings first (`$head`) and last (`$tail`).
macro_rules! gather_settings {
    ([$first:ident $(, $rest:ident)*] $limits:tt $scopes:tt $tail:tt) => {
        super::$first::settings!(gather_settings [$($rest),*] $limits $scopes $tail);
    };
    ([] [$($limits:tt)*] [$($scopes:tt)*] [$($tail:tt)*]) => {
        declare_config!($($limits)* $($scopes)* $($tail)*);
    };
}

/// Declares the configuration from its settings, each with its doc, name, type, default and
/// the attributes of its patch field (`#[fixed]`: it has none, it cannot change while the
/// sandbox runs).
macro_rules! declare_config {
    (@config $($(#[$doc:meta])* $name:ident : $ty:ty = $default:expr $(, #[$patch:meta])* ;)*) => {
        /// How a sandbox behaves. Every field has a default (see [`SandboxConfig::default`]); most can be
        /// changed while it runs, through [`super::Sandbox::set_config`] or `POST /_sandbox/config`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct SandboxConfig {
            $($(#[$doc])* pub $name: $ty,)*
        }

        impl Default for SandboxConfig {
            fn default() -> Self {
                SandboxConfig {
                    $($name: $default,)*
                }
            }
        }
    };
    ($($settings:tt)*) => {
        declare_config!(@config $($settings)*);
        declare_patch!([] [] $($settings)*);
    };
}

/// Declares [`ConfigPatch`] from the settings ([`declare_config`]'s), leaving out the fixed
/// ones: gathers the fields (`$fields`) and the names (`$names`) of those a patch may set.
macro_rules! declare_patch {
    ([$($fields:tt)*] [$($names:ident)*]) => {
        /// A change to a running sandbox's configuration: the fields given are set, the others kept.
        /// For `rate_limit_per_sec` (and an emulator's limit that may be unset), an explicit JSON
        /// `null` removes the limit
        /// (for `store_altered` and `drop_on_update`, the tampering).
        /// The port and the seed cannot change while running.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct ConfigPatch {
            $($fields)*
        }

        impl SandboxConfig {
            /// Sets the settings that `patch` sets.
            fn patch_settings(&mut self, patch: &ConfigPatch) {
                $(if let Some(v) = &patch.$names {
                    self.$names = v.clone();
                })*
            }
        }
    };
    ([$($fields:tt)*] [$($names:ident)*]
        $(#[$doc:meta])* $name:ident : $ty:ty = $default:expr, #[fixed]; $($rest:tt)*) => {
        declare_patch!([$($fields)*] [$($names)*] $($rest)*);
    };
    ([$($fields:tt)*] [$($names:ident)*]
        $(#[$doc:meta])* $name:ident : $ty:ty = $default:expr $(, #[$patch:meta])*; $($rest:tt)*) => {
        declare_patch!(
            [$($fields)* $(#[$doc])* $(#[$patch])* pub $name: Option<$ty>,]
            [$($names)* $name]
            $($rest)*
        );
    };
}

with_emulators!(gather_settings [
    /// The port on 127.0.0.1 (0: pick a free one).
    port: u16 = 0, #[fixed];
    /// A global limit on API requests (token bucket with a burst of about one second);
    /// `None`: unlimited. Refused requests get HTTP 429 with `Retry-After`.
    rate_limit_per_sec: Option<f64> = None, #[serde(deserialize_with = "set_or_null")];
    /// A server-side window: at most this many API requests in any sliding second, every
    /// request that reaches the server counted (those it refuses too), 429 with `Retry-After`
    /// beyond; `None`: no window. A stricter model of a vendor's limit than the token bucket.
    rate_window_per_sec: Option<u32> = None, #[serde(deserialize_with = "set_or_null")];
    /// The share of API requests answered 500 without being applied (0..=1).
    fault_rate: f64 = 0.0;
    /// The share of API requests applied, then answered 502 (0..=1).
    ambiguous_rate: f64 = 0.0;
    /// A delay before every API answer, in milliseconds.
    latency_ms: u64 = 0;
    /// Contact writes (create, update, delete, mark primary) are applied this many
    /// milliseconds after they arrive, and answered then: the change happens when the delay is
    /// over even if the client has gone (killed, or timed out). 0: applied at once.
    write_delay_ms: u64 = 0;
    /// The lifetime of access tokens, in seconds (`expires_in`).
    token_ttl_secs: u64 = 3600;
    /// A delay before every answer of the token endpoints, in milliseconds (a real accounts
    /// server takes hundreds): what a client that waits for its tokens loses. 0: none.
    token_latency_ms: u64 = 0;
    /// The seed of every random choice (faults, ids, tokens): same seed, same run.
    seed: u64 = 0, #[fixed];
    /// Whether faults, latency and the global rate limit also hit the OAuth token endpoints.
    faults_on_oauth: bool = false;
] [] [
    /// A field (by the API's name) stored with its last character cut, on create and update
    /// (see [`super::tamper`]); `None`: stored as sent. `null` in a patch: none.
    store_altered: Option<String> = None, #[serde(deserialize_with = "set_or_null")];
    /// A field (by the API's name) left out of every update, so that records keep its old
    /// value (see [`super::tamper`]); `None`: updates apply every field. `null` in a patch:
    /// none.
    drop_on_update: Option<String> = None, #[serde(deserialize_with = "set_or_null")];
    /// A lock-out: after some API requests, every one refused with 429 for a while (see
    /// [`super::lockout`]); setting it starts the count again. `None`: never. A patch's is
    /// counted from now; `null`: none.
    lockout: Option<super::lockout::LockoutPlan> = None, #[serde(deserialize_with = "set_or_null")];
]);

impl SandboxConfig {
    /// Checks that the rates are probabilities and the limits are usable.
    pub fn validate(&self) -> Result<(), SandboxError> {
        let bad = |m: String| Err(SandboxError::Config(m));
        for (name, v) in [
            ("fault_rate", self.fault_rate),
            ("ambiguous_rate", self.ambiguous_rate),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return bad(format!("{name} must be between 0 and 1, not {v}"));
            }
        }
        if self.fault_rate + self.ambiguous_rate > 1.0 {
            return bad("fault_rate + ambiguous_rate must not exceed 1".to_string());
        }
        if let Some(r) = self.rate_limit_per_sec
            && !(r.is_finite() && r > 0.0)
        {
            return bad(format!(
                "rate_limit_per_sec must be a positive number, not {r}"
            ));
        }
        if self.rate_window_per_sec == Some(0) {
            return bad("rate_window_per_sec must be at least 1".to_string());
        }
        if self.token_ttl_secs == 0 {
            return bad("token_ttl_secs must be at least 1".to_string());
        }
        for e in EMULATORS {
            e.behaviour.validate(self).map_err(SandboxError::Config)?;
        }
        Ok(())
    }

    /// This configuration with the fields of `patch` that are set.
    pub fn patched(&self, patch: &ConfigPatch) -> Result<SandboxConfig, SandboxError> {
        let mut c = self.clone();
        c.patch_settings(patch);
        c.validate()?;
        Ok(c)
    }
}

/// The `bulkline sandbox` options the emulators declare: every emulator's limits, then every
/// emulator's scopes, in the order of the `emulators!` line.
#[derive(Debug, Clone, Copy)]
pub struct EmulatorOptions;

impl FlagSource for EmulatorOptions {
    fn flags() -> Vec<&'static Flag> {
        let limits = EMULATORS.iter().flat_map(|e| e.options.limits);
        let scopes = EMULATORS.iter().flat_map(|e| e.options.scopes);
        each_once(limits.chain(scopes).map(|s| &s.flag))
    }
}

impl SandboxConfig {
    /// This configuration with the settings the emulators' options give (see
    /// [`EmulatorOptions`]).
    pub fn with_options(mut self, values: &FlagValues) -> Result<SandboxConfig, SandboxError> {
        for e in EMULATORS {
            for s in e.options.limits.iter().chain(e.options.scopes) {
                if let Some(v) = values.one(s.flag.id) {
                    s.set(v, &mut self).map_err(SandboxError::Config)?;
                }
            }
        }
        Ok(self)
    }
}

/// A present field (even `null`) is `Some`, an absent one (via `default`) is `None`.
fn set_or_null<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Some(Option::deserialize(d)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(SandboxConfig::default().validate().is_ok());
    }

    #[test]
    fn rates_must_be_probabilities() {
        let c = SandboxConfig {
            fault_rate: 0.7,
            ambiguous_rate: 0.5,
            ..Default::default()
        };
        assert!(c.validate().is_err());
        let c = SandboxConfig {
            rate_limit_per_sec: Some(0.0),
            ..Default::default()
        };
        assert!(c.validate().is_err());
    }

    #[test]
    fn patch_sets_clears_and_keeps() {
        let c = SandboxConfig {
            rate_limit_per_sec: Some(5.0),
            books_daily_quota: Some(9),
            ..Default::default()
        };
        let p: ConfigPatch = serde_json::from_str(r#"{"fault_rate":0.25}"#).expect("patch");
        let d = c.patched(&p).expect("valid");
        assert_eq!(d.fault_rate, 0.25);
        assert_eq!(d.rate_limit_per_sec, Some(5.0));
        let p: ConfigPatch = serde_json::from_str(r#"{"write_delay_ms":2000}"#).expect("patch");
        assert_eq!(c.patched(&p).expect("valid").write_delay_ms, 2000);
        let p: ConfigPatch =
            serde_json::from_str(r#"{"rate_limit_per_sec":null,"books_daily_quota":null}"#)
                .expect("patch");
        let d = c.patched(&p).expect("valid");
        assert_eq!(d.rate_limit_per_sec, None);
        assert_eq!(d.books_daily_quota, None);
        assert!(serde_json::from_str::<ConfigPatch>(r#"{"port":1}"#).is_err());
        let p: ConfigPatch = serde_json::from_str(r#"{"fault_rate":2}"#).expect("patch");
        assert!(c.patched(&p).is_err());
    }
}
