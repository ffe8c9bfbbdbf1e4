//! Zoho data centres and their URLs.

use std::fmt;
use std::str::FromStr;

/// A Zoho data centre: where the account lives. Accounts (OAuth), the Books API and Zoho
/// Voice each have a host per data centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DataCentre {
    /// United States (`.com`).
    #[default]
    Com,
    /// Europe (`.eu`).
    Eu,
    /// India (`.in`).
    In,
    /// Australia (`.com.au`).
    ComAu,
    /// Japan (`.jp`).
    Jp,
    /// Saudi Arabia (`.sa`).
    Sa,
    /// China (`.com.cn`).
    ComCn,
    /// United Kingdom (`.uk`).
    Uk,
    /// Canada: the `zohocloud.ca` domain.
    Ca,
    /// United Arab Emirates (`.ae`): listed by the multi-DC pages of Zoho's other products
    /// (`accounts.zoho.ae`, `www.zohoapis.ae`).
    Ae,
}

/// An unknown data centre name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown Zoho data centre {0:?}: use one of com, eu, in, com.au, jp, sa, com.cn, uk, ca, ae"
)]
pub struct UnknownDataCentre(pub String);

impl DataCentre {
    /// Every data centre.
    pub const ALL: [DataCentre; 10] = [
        DataCentre::Com,
        DataCentre::Eu,
        DataCentre::In,
        DataCentre::ComAu,
        DataCentre::Jp,
        DataCentre::Sa,
        DataCentre::ComCn,
        DataCentre::Uk,
        DataCentre::Ca,
        DataCentre::Ae,
    ];

    /// The domain suffix: "com", "eu", ..., "ca".
    pub fn tld(self) -> &'static str {
        match self {
            DataCentre::Com => "com",
            DataCentre::Eu => "eu",
            DataCentre::In => "in",
            DataCentre::ComAu => "com.au",
            DataCentre::Jp => "jp",
            DataCentre::Sa => "sa",
            DataCentre::ComCn => "com.cn",
            DataCentre::Uk => "uk",
            DataCentre::Ca => "ca",
            DataCentre::Ae => "ae",
        }
    }

    /// The accounts server (OAuth): `https://accounts.zoho.<tld>`, or
    /// `https://accounts.zohocloud.ca` for Canada.
    pub fn accounts_url(self) -> String {
        match self {
            DataCentre::Ca => "https://accounts.zohocloud.ca".to_string(),
            dc => format!("https://accounts.zoho.{}", dc.tld()),
        }
    }

    /// The API server of Zoho Books: `https://www.zohoapis.<tld>`.
    pub fn books_api_url(self) -> String {
        format!("https://www.zohoapis.{}", self.tld())
    }

    /// The Zoho Voice server, where it is confirmed: `voice.zoho.com` (the pages) and
    /// `voice.zoho.eu` (Zoho Voice is offered in the US and EU data centres). `None`
    /// elsewhere: a run there needs `--base-url` (Zoho's current pages, 2026, confirm no other host).
    pub fn voice_url(self) -> Option<&'static str> {
        match self {
            DataCentre::Com => Some("https://voice.zoho.com"),
            DataCentre::Eu => Some("https://voice.zoho.eu"),
            _ => None,
        }
    }

    /// The Zoho Voice server the data centre's naming would give (`voice.zoho.<tld>`,
    /// `voice.zohocloud.ca`): unconfirmed outside com and eu, and only a suggestion there.
    pub fn guessed_voice_url(self) -> String {
        match self {
            DataCentre::Ca => "https://voice.zohocloud.ca".to_string(),
            dc => format!("https://voice.zoho.{}", dc.tld()),
        }
    }
}

impl DataCentre {
    /// The data centre of a Zoho API domain, as a token answer's `api_domain` gives it
    /// (`https://www.zohoapis.eu`, `https://www.zohoapis.ca`, `https://www.zohocloud.ca`).
    pub fn of_api_domain(domain: &str) -> Option<DataCentre> {
        let host = domain
            .trim()
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split(['/', ':'])
            .next()?
            .to_ascii_lowercase();
        if host.ends_with("zohocloud.ca") {
            return Some(DataCentre::Ca);
        }
        let tld = host.split_once("zohoapis.")?.1;
        DataCentre::ALL.into_iter().find(|dc| dc.tld() == tld)
    }
}

impl FromStr for DataCentre {
    type Err = UnknownDataCentre;

    /// Reads "com" (or "us"), "eu", "in", "com.au" (or "au"), "jp", "sa", "com.cn" (or "cn"),
    /// "uk", "ca"; a leading dot and case are ignored.
    fn from_str(text: &str) -> Result<DataCentre, UnknownDataCentre> {
        let key = text.trim().trim_start_matches('.').to_ascii_lowercase();
        let dc = match key.as_str() {
            "com" | "us" => DataCentre::Com,
            "au" => DataCentre::ComAu,
            "cn" => DataCentre::ComCn,
            _ => DataCentre::ALL
                .into_iter()
                .find(|dc| dc.tld() == key)
                .ok_or_else(|| UnknownDataCentre(text.to_string()))?,
        };
        Ok(dc)
    }
}

impl fmt::Display for DataCentre {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tld())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_centre_of_an_api_domain() {
        let dc = |d: &str| DataCentre::of_api_domain(d);
        assert_eq!(dc("https://www.zohoapis.com"), Some(DataCentre::Com));
        assert_eq!(dc("https://www.zohoapis.eu"), Some(DataCentre::Eu));
        assert_eq!(dc("https://www.zohoapis.com.au/"), Some(DataCentre::ComAu));
        assert_eq!(dc("https://www.zohocloud.ca"), Some(DataCentre::Ca));
        assert_eq!(dc("http://127.0.0.1:8787"), None);
        assert_eq!(dc(""), None);
    }

    #[test]
    fn urls_per_data_centre() {
        let expected = [
            (
                "com",
                "https://accounts.zoho.com",
                "https://www.zohoapis.com",
                "https://voice.zoho.com",
            ),
            (
                "eu",
                "https://accounts.zoho.eu",
                "https://www.zohoapis.eu",
                "https://voice.zoho.eu",
            ),
            (
                "in",
                "https://accounts.zoho.in",
                "https://www.zohoapis.in",
                "https://voice.zoho.in",
            ),
            (
                "com.au",
                "https://accounts.zoho.com.au",
                "https://www.zohoapis.com.au",
                "https://voice.zoho.com.au",
            ),
            (
                "jp",
                "https://accounts.zoho.jp",
                "https://www.zohoapis.jp",
                "https://voice.zoho.jp",
            ),
            (
                "sa",
                "https://accounts.zoho.sa",
                "https://www.zohoapis.sa",
                "https://voice.zoho.sa",
            ),
            (
                "com.cn",
                "https://accounts.zoho.com.cn",
                "https://www.zohoapis.com.cn",
                "https://voice.zoho.com.cn",
            ),
            (
                "uk",
                "https://accounts.zoho.uk",
                "https://www.zohoapis.uk",
                "https://voice.zoho.uk",
            ),
            (
                "ca",
                "https://accounts.zohocloud.ca",
                "https://www.zohoapis.ca",
                "https://voice.zohocloud.ca",
            ),
            (
                "ae",
                "https://accounts.zoho.ae",
                "https://www.zohoapis.ae",
                "https://voice.zoho.ae",
            ),
        ];
        assert_eq!(expected.len(), DataCentre::ALL.len());
        for (name, accounts, books, voice) in expected {
            let dc: DataCentre = name.parse().expect("known");
            assert_eq!(dc.to_string(), name);
            assert_eq!(dc.accounts_url(), accounts);
            assert_eq!(dc.books_api_url(), books);
            assert_eq!(dc.guessed_voice_url(), voice);
            let confirmed = matches!(name, "com" | "eu");
            assert_eq!(dc.voice_url() == Some(voice), confirmed, "{name}");
            assert_eq!(dc.voice_url().is_some(), confirmed, "{name}");
        }
    }

    #[test]
    fn parses_aliases_and_rejects_unknown() {
        assert_eq!("US".parse(), Ok(DataCentre::Com));
        assert_eq!(".eu".parse(), Ok(DataCentre::Eu));
        assert_eq!("au".parse(), Ok(DataCentre::ComAu));
        assert_eq!("cn".parse(), Ok(DataCentre::ComCn));
        assert!("de".parse::<DataCentre>().is_err());
        assert!("".parse::<DataCentre>().is_err());
    }
}
