//! A string that must never be printed: client secrets, refresh and access tokens.

use std::fmt;

/// A secret value. Its `Debug` prints `Secret(***)`; it has no `Display`, and serializes
/// nowhere. Read it with [`Secret::expose`] only where it is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("1000.abcdef.refresh");
        let shown = format!("{s:?} {s:#?}");
        assert!(!shown.contains("abcdef"), "{shown}");
        assert!(shown.contains("***"));
        assert_eq!(s.expose(), "1000.abcdef.refresh");
    }
}
