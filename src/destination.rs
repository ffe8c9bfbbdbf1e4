//! Where a run writes, by what it means rather than how it was typed.
//!
//! A destination is the canonical API host (scheme and host lower-cased, the default port
//! dropped, every loopback name the same), the accounts server that issues its tokens (it
//! names the data centre), the account the credentials belong to (Zoho's client id, Zoom's
//! account id), and what selects the data set inside it (a Books organization and contact, a
//! Zoom address book, an SMS sender). The journal records it, so a resume against another
//! place is refused; the run lock is named after its account part, so two runs into one
//! account never overlap, whatever their lists.

use std::collections::BTreeMap;

/// The keys that name an account (the rest select a data set inside it).
const ACCOUNT_KEYS: [&str; 4] = ["host", "accounts", "account", "organization_id"];

/// Where a run writes: key -> canonical value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Destination {
    entries: BTreeMap<String, String>,
}

impl Destination {
    /// A destination at the API `origin` (`scheme://host[:port]`).
    pub fn at(origin: &str) -> Destination {
        let mut d = Destination::default();
        d.set("host", canonical_origin(origin));
        d
    }

    /// The destination a journal header recorded.
    pub fn from_entries(entries: &BTreeMap<String, String>) -> Destination {
        Destination {
            entries: entries.clone(),
        }
    }

    /// Sets `key` (an empty value removes it).
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        if value.trim().is_empty() {
            self.entries.remove(key);
        } else {
            self.entries.insert(key.to_string(), value);
        }
    }

    /// The same destination with `key` set.
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Destination {
        self.set(key, value);
        self
    }

    pub fn entries(&self) -> &BTreeMap<String, String> {
        &self.entries
    }

    /// The entries that name the account: what two runs must not write to at once.
    pub fn account(&self) -> BTreeMap<String, String> {
        self.entries
            .iter()
            .filter(|(k, _)| ACCOUNT_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// `key value` pairs of `entries`, comma-separated, for messages:
/// `account 1000.X, host https://voice.zoho.com`.
pub fn describe(entries: &BTreeMap<String, String>) -> String {
    if entries.is_empty() {
        return "(no destination recorded)".into();
    }
    entries
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `origin` with its scheme and host lower-cased, the scheme's default port dropped, and any
/// loopback name (`localhost`, `127.x.x.x`, `::1`) written `loopback`. Text that is not a URL
/// is kept as it is, lower-cased.
pub fn canonical_origin(origin: &str) -> String {
    let Ok(url) = url::Url::parse(origin.trim()) else {
        return origin.trim().to_ascii_lowercase();
    };
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    let host = match url.host_str() {
        _ if loopback => "loopback".to_string(),
        Some(h) => h.trim_end_matches('.').to_ascii_lowercase(),
        None => String::new(),
    };
    match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_cases;

    #[test]
    fn one_place_has_one_name() {
        let cases = [
            ("https://voice.zoho.com", "https://voice.zoho.com"),
            ("HTTPS://Voice.Zoho.COM/", "https://voice.zoho.com"),
            ("https://voice.zoho.com:443", "https://voice.zoho.com"),
            ("https://voice.zoho.com.", "https://voice.zoho.com"),
            ("http://localhost:8787", "http://loopback:8787"),
            ("http://127.0.0.1:8787", "http://loopback:8787"),
            ("http://127.1.2.3:8787/", "http://loopback:8787"),
            ("http://[::1]:8787", "http://loopback:8787"),
            ("http://LOCALHOST:8787", "http://loopback:8787"),
            ("http://example.com:80", "http://example.com"),
        ];
        assert_cases(canonical_origin, cases);
        assert_ne!(
            canonical_origin("http://localhost:8787"),
            canonical_origin("http://localhost:8788")
        );
        assert_ne!(
            canonical_origin("https://voice.zoho.com"),
            canonical_origin("https://voice.zoho.eu")
        );
    }

    #[test]
    fn the_account_part_leaves_out_what_selects_inside_it() {
        let d = Destination::at("https://www.zohoapis.com")
            .with("account", "1000.ABC")
            .with("organization_id", "42")
            .with("books_contact_id", "7")
            .with("sender_id", "");
        assert_eq!(d.entries().len(), 4);
        let account = d.account();
        assert_eq!(account.len(), 3);
        assert!(!account.contains_key("books_contact_id"));
        assert!(describe(d.entries()).contains("books_contact_id 7"));
    }
}
