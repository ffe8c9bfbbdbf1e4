//! Data centres: where an account lives, by the domain suffix of its hosts. The service
//! that has them (its [`super::service::DataCentres`]) gives each one's URLs.

use std::fmt;
use std::str::FromStr;

/// A data centre: where the account lives. The token endpoint and the APIs of a service with
/// data centres each have a host per data centre.
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
    /// United Arab Emirates (`.ae`): listed by the vendor's multi-DC pages of its other
    /// products.
    Ae,
}

/// An unknown data centre name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown {vendor}data centre {0:?}: use one of {names}",
    vendor = super::with_data_centres().map_or(String::new(), |s| format!("{} ", s.title)),
    names = DataCentre::names()
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

    /// Every data centre's name, as `--dc` takes them: "com, eu, ..., ae".
    pub fn names() -> String {
        DataCentre::ALL.map(DataCentre::tld).join(", ")
    }

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
