//! The sandbox's settings: what it listens on, which limits it enforces and which faults it
//! injects. The settings every emulator shares are declared here; each emulator adds its own
//! (its limits, its token scopes) with `emulator_settings!` in its module, and the
//! configuration is declared with all of them, in the order of the `emulators!` line (every
//! emulator's limits, then every emulator's scopes).

use serde::{Deserialize, Deserializer, Serialize};

use super::EMULATORS;
use super::SandboxError;
use crate::flags::{Flag, FlagSource, FlagValues, each_once};

/// Declares [`SandboxConfig`] and [`ConfigPatch`] from every emulator's settings: asks each
/// emulator in turn to add its own to the lists (its `settings!`), then declares them.
macro_rules! gather_settings {
    ([$first:ident $(, $rest:ident)*] $limits:tt $scopes:tt) => {
        super::$first::settings!(gather_settings [$($rest),*] $limits $scopes);
    };
    ([] [$($limits:tt)*] [$($scopes:tt)*]) => {
        declare_config!($($limits)* $($scopes)*);
    };
}

/// Declares the configuration: the shared settings, with the emulators' settings (each with
/// its doc, name, type, default and the attributes of its patch field) after
/// `faults_on_oauth`.
macro_rules! declare_config {
    ($($(#[$doc:meta])* $name:ident : $ty:ty = $default:expr $(, #[$patch:meta])* ;)*) => {
        /// How a sandbox behaves. Every field has a default (see [`SandboxConfig::default`]); most can be
        /// changed while it runs, through [`super::Sandbox::set_config`] or `POST /_sandbox/config`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct SandboxConfig {
            /// The port on 127.0.0.1 (0: pick a free one).
            pub port: u16,
            /// A global limit on API requests (token bucket with a burst of about one second);
            /// `None`: unlimited. Refused requests get HTTP 429 with `Retry-After`.
            pub rate_limit_per_sec: Option<f64>,
            /// A server-side window: at most this many API requests in any sliding second, every
            /// request that reaches the server counted (those it refuses too), 429 with `Retry-After`
            /// beyond; `None`: no window. A stricter model of a vendor's limit than the token bucket.
            pub rate_window_per_sec: Option<u32>,
            /// The share of API requests answered 500 without being applied (0..=1).
            pub fault_rate: f64,
            /// The share of API requests applied, then answered 502 (0..=1).
            pub ambiguous_rate: f64,
            /// A delay before every API answer, in milliseconds.
            pub latency_ms: u64,
            /// Contact writes (create, update, delete, mark primary) are applied this many
            /// milliseconds after they arrive, and answered then: the change happens when the delay is
            /// over even if the client has gone (killed, or timed out). 0: applied at once.
            pub write_delay_ms: u64,
            /// The lifetime of access tokens, in seconds (`expires_in`).
            pub token_ttl_secs: u64,
            /// A delay before every answer of the token endpoints, in milliseconds (a real accounts
            /// server takes hundreds): what a client that waits for its tokens loses. 0: none.
            pub token_latency_ms: u64,
            /// The seed of every random choice (faults, ids, tokens): same seed, same run.
            pub seed: u64,
            /// Whether faults, latency and the global rate limit also hit the OAuth token endpoints.
            pub faults_on_oauth: bool,
            $($(#[$doc])* pub $name: $ty,)*
            /// A field (by the API's name) stored with its last character cut, on create and update
            /// (see [`super::tamper`]); `None`: stored as sent.
            pub store_altered: Option<String>,
            /// A field (by the API's name) left out of every update, so that records keep its old
            /// value (see [`super::tamper`]); `None`: updates apply every field.
            pub drop_on_update: Option<String>,
            /// A lock-out: after some API requests, every one refused with 429 for a while (see
            /// [`super::lockout`]); setting it starts the count again. `None`: never.
            pub lockout: Option<super::lockout::LockoutPlan>,
        }

        impl Default for SandboxConfig {
            fn default() -> Self {
                SandboxConfig {
                    port: 0,
                    rate_limit_per_sec: None,
                    rate_window_per_sec: None,
                    fault_rate: 0.0,
                    ambiguous_rate: 0.0,
                    latency_ms: 0,
                    write_delay_ms: 0,
                    token_ttl_secs: 3600,
                    token_latency_ms: 0,
                    seed: 0,
                    faults_on_oauth: false,
                    $($name: $default,)*
                    store_altered: None,
                    drop_on_update: None,
                    lockout: None,
                }
            }
        }

        impl SandboxConfig {
            /// Sets the emulators' settings that `patch` sets.
            fn patch_emulator_settings(&mut self, patch: &ConfigPatch) {
                $(if let Some(v) = &patch.$name {
                    self.$name = v.clone();
                })*
            }
        }

        /// A change to a running sandbox's configuration: the fields given are set, the others kept.
        /// For `rate_limit_per_sec` (and an emulator's limit that may be unset), an explicit JSON
        /// `null` removes the limit
        /// (for `store_altered` and `drop_on_update`, the tampering).
        /// The port and the seed cannot change while running.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct ConfigPatch {
            #[serde(deserialize_with = "set_or_null")]
            pub rate_limit_per_sec: Option<Option<f64>>,
            #[serde(deserialize_with = "set_or_null")]
            pub rate_window_per_sec: Option<Option<u32>>,
            pub fault_rate: Option<f64>,
            pub ambiguous_rate: Option<f64>,
            pub latency_ms: Option<u64>,
            pub write_delay_ms: Option<u64>,
            pub token_ttl_secs: Option<u64>,
            pub token_latency_ms: Option<u64>,
            pub faults_on_oauth: Option<bool>,
            $($(#[$doc])* $(#[$patch])* pub $name: Option<$ty>,)*
            /// A field stored altered, or `null` for none.
            #[serde(deserialize_with = "set_or_null")]
            pub store_altered: Option<Option<String>>,
            /// A field left out of updates, or `null` for none.
            #[serde(deserialize_with = "set_or_null")]
            pub drop_on_update: Option<Option<String>>,
            /// A lock-out plan (counted from now), or `null` for none.
            #[serde(deserialize_with = "set_or_null")]
            pub lockout: Option<Option<super::lockout::LockoutPlan>>,
        }

    };
}

with_emulators!(gather_settings [] []);

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
        if let Some(v) = patch.rate_limit_per_sec {
            c.rate_limit_per_sec = v;
        }
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = &patch.$f { c.$f = v.clone(); } )* };
        }
        set!(
            fault_rate,
            ambiguous_rate,
            latency_ms,
            write_delay_ms,
            token_ttl_secs,
            token_latency_ms,
            faults_on_oauth
        );
        c.patch_emulator_settings(patch);
        if let Some(v) = patch.rate_window_per_sec {
            c.rate_window_per_sec = v;
        }
        if let Some(v) = &patch.store_altered {
            c.store_altered = v.clone();
        }
        if let Some(v) = &patch.drop_on_update {
            c.drop_on_update = v.clone();
        }
        if let Some(v) = patch.lockout {
            c.lockout = v;
        }
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
