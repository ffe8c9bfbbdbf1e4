//! The registry: every target bulkline can write to. `--to`, `--from`, `check --to`, the
//! config file, journals and summaries take their names from [`TARGETS`], and nothing outside
//! a target's own module names a target. The list itself is one line in `connectors/mod.rs`
//! ([`registry!`]): a target's module name there declares the module and registers it.
//!
//! Adding a target: its module (a [`Descriptor`] and a [`super::Target`]), its name in that
//! line, and its sandbox module (`src/sandbox/`). CONTRIBUTING.md's "Adding a target"
//! walks through it.

use std::fmt;

use super::{Descriptor, TARGETS};

/// Declares the target modules and [`TARGETS`], in the order `--help` lists them, from their
/// names: `registry!(zoho_voice, zoho_books)` means `pub mod zoho_voice; pub mod zoho_books;`
/// and the two targets their `DESCRIPTOR`s describe.
macro_rules! registry {
    ($($module:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// The targets, in the order `--help` lists them.
        pub static TARGETS: &[TargetKind] = &[$(TargetKind::of(&$module::DESCRIPTOR)),+];
    };
}

/// One of the [`TARGETS`]: what `--to` names.
#[derive(Clone, Copy)]
pub struct TargetKind(&'static Descriptor);

impl TargetKind {
    /// The kind described by `descriptor`.
    pub const fn of(descriptor: &'static Descriptor) -> TargetKind {
        TargetKind(descriptor)
    }

    /// The target named `name` (`zoho-voice`, ...), if there is one.
    pub fn named(name: &str) -> Option<TargetKind> {
        TARGETS.iter().copied().find(|t| t.0.name == name)
    }

    pub fn descriptor(self) -> &'static Descriptor {
        self.0
    }

    /// The API whose scopes the target needs.
    pub fn api(self) -> crate::scopes::Api {
        self.0.api
    }

    pub fn as_str(self) -> &'static str {
        self.0.name
    }
}

by_name!(TargetKind);

impl fmt::Display for TargetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

impl serde::Serialize for TargetKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name)
    }
}

impl clap::ValueEnum for TargetKind {
    fn value_variants<'a>() -> &'a [TargetKind] {
        TARGETS
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.0.name).help(self.0.about))
    }
}

/// Declares a command-line value that is a target of the registry or one more API (`check
/// --to`, `export --from`): the enum, its name, its help, its JSON form and its clap values,
/// the targets first.
#[macro_export]
macro_rules! targets_and {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $extra:ident = $value:expr, $help:expr }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            Target($crate::connectors::TargetKind),
            $extra,
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $name::Target(t) => t.as_str(),
                    $name::$extra => $value,
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl clap::ValueEnum for $name {
            fn value_variants<'a>() -> &'a [$name] {
                static ALL: std::sync::LazyLock<Vec<$name>> = std::sync::LazyLock::new(|| {
                    $crate::connectors::TARGETS
                        .iter()
                        .map(|t| $name::Target(*t))
                        .chain([$name::$extra])
                        .collect()
                });
                &ALL
            }

            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                let help = match self {
                    $name::Target(t) => t.descriptor().about,
                    $name::$extra => $help,
                };
                Some(clap::builder::PossibleValue::new(self.as_str()).help(help))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        for (i, t) in TARGETS.iter().enumerate() {
            assert_eq!(TargetKind::named(t.as_str()), Some(*t));
            assert!(TARGETS[i + 1..].iter().all(|o| o.as_str() != t.as_str()));
        }
        assert_eq!(TargetKind::named("zoho-sms"), None);
    }
}
