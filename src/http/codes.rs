//! A vendor's own error codes and what each means to a run, as one table per target
//! (`connectors::<target>::CODES`): the classification ([`super::classify`]) asks it whether a
//! code is a rate limit, a quota, a token to renew, a missing scope, and `undo` whether it
//! says a record is already gone. This module knows no vendor: the tables live with their
//! targets.

use std::fmt;

/// What a vendor's error code means to a run, whatever HTTP status carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// Too many requests for now: slow down and try again (as after a 429).
    RateLimit,
    /// The day's request quota is used up: the run stops; the same command resumes later.
    DailyQuota,
    /// The access token expired or was revoked: a new one is asked for once, and the request
    /// sent again.
    InvalidToken,
    /// The access token lacks the scope the request needs: the run stops (a configuration
    /// error) without asking for a new token, which would carry the same scopes.
    MissingScope,
    /// The record is not there (any more): a delete of it has nothing left to do.
    Gone,
}

impl Meaning {
    /// What the code says, in a few words, for messages.
    pub fn words(self) -> &'static str {
        match self {
            Meaning::RateLimit => "a rate limit",
            Meaning::DailyQuota => "the day's request quota used up",
            Meaning::InvalidToken => "an expired or revoked access token",
            Meaning::MissingScope => "a missing OAuth scope",
            Meaning::Gone => "a record that does not exist",
        }
    }
}

/// Where a code's meaning comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A page of the vendor gives the code this meaning (named here).
    Page(&'static str),
    /// No vendor page gives it: bulkline's reading (public clients, a generic line of an
    /// errors page, a third-party guide; named here). Messages call the meaning *likely*.
    Reading(&'static str),
}

/// One code of a vendor's API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VendorCode {
    /// The code as the API writes it (numbers as text: `"45"`).
    pub code: &'static str,
    pub meaning: Meaning,
    /// The vendor's own words for it, as its page or the clients that met it quote them.
    pub text: &'static str,
    pub source: Source,
}

impl VendorCode {
    /// Whether a vendor page gives the code its meaning.
    pub fn documented(&self) -> bool {
        matches!(self.source, Source::Page(_))
    }

    /// The vendor's answer quoted, with what bulkline reads in it: `code 57 "You are not
    /// authorized to perform this operation" (HTTP 401): likely a missing OAuth scope (...)`.
    /// `said` is the answer's own message (the table's text when it had none); `status` its
    /// HTTP status, when known.
    pub fn quote(&self, status: Option<u16>, said: Option<&str>) -> String {
        let said = said.unwrap_or(self.text);
        let meaning = self.meaning.words();
        let status = status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
        match self.source {
            Source::Page(page) => {
                format!(
                    "code {} \"{said}\"{status}: {meaning}, as {page} says",
                    self.code
                )
            }
            Source::Reading(from) => format!(
                "code {} \"{said}\"{status}: likely {meaning} (no vendor page explains this code; {from})",
                self.code
            ),
        }
    }
}

/// The codes of one API: the table a target declares, which the HTTP layer and `undo` ask:
/// its own codes, and those it shares with the other APIs of its vendor (the OAuth codes of
/// every Zoho API).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct VendorCodes {
    own: &'static [VendorCode],
    shared: &'static [VendorCode],
}

impl VendorCodes {
    /// No codes: every answer is read by its HTTP status alone.
    pub const NONE: VendorCodes = VendorCodes::new(&[]);

    pub const fn new(codes: &'static [VendorCode]) -> VendorCodes {
        VendorCodes {
            own: codes,
            shared: &[],
        }
    }

    /// The same table with the codes its vendor's APIs share.
    pub const fn and_shared(self, shared: &'static [VendorCode]) -> VendorCodes {
        VendorCodes {
            own: self.own,
            shared,
        }
    }

    /// Every code of the table, its own first.
    pub fn all(&self) -> impl Iterator<Item = &'static VendorCode> + use<> {
        self.own.iter().chain(self.shared.iter())
    }

    /// The entry of `code` (compared ignoring ASCII case, as Zoho's codes come in either).
    pub fn find(&self, code: &str) -> Option<&'static VendorCode> {
        let code = code.trim();
        self.all().find(|c| c.code.eq_ignore_ascii_case(code))
    }

    /// Whether `code` is one of the table's codes with `meaning`.
    pub fn means(&self, code: Option<&str>, meaning: Meaning) -> bool {
        code.and_then(|c| self.find(c))
            .is_some_and(|c| c.meaning == meaning)
    }
}

impl Default for VendorCodes {
    fn default() -> Self {
        VendorCodes::NONE
    }
}

impl fmt::Debug for VendorCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.all().map(|c| (c.code, c.meaning)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: VendorCodes = VendorCodes::new(&[
        VendorCode {
            code: "45",
            meaning: Meaning::DailyQuota,
            text: "daily limit",
            source: Source::Page("the API's limits page"),
        },
        VendorCode {
            code: "INVALID_OAUTHTOKEN",
            meaning: Meaning::InvalidToken,
            text: "invalid oauth token",
            source: Source::Reading("the sandbox's answer"),
        },
    ]);

    #[test]
    fn codes_are_found_by_their_text_whatever_the_case() {
        assert_eq!(
            TABLE.find("invalid_oauthtoken").map(|c| c.meaning),
            Some(Meaning::InvalidToken)
        );
        assert!(TABLE.means(Some("45"), Meaning::DailyQuota));
        assert!(!TABLE.means(Some("45"), Meaning::RateLimit));
        assert!(!TABLE.means(None, Meaning::DailyQuota));
        assert!(!VendorCodes::NONE.means(Some("45"), Meaning::DailyQuota));
    }

    #[test]
    fn a_reading_is_quoted_as_likely_and_a_page_as_the_page() {
        let reading = TABLE.find("INVALID_OAUTHTOKEN").expect("listed");
        let text = reading.quote(Some(400), Some("bad token"));
        assert!(text.starts_with("code INVALID_OAUTHTOKEN \"bad token\" (HTTP 400)"));
        assert!(text.contains("likely an expired or revoked access token"));
        let page = TABLE.find("45").expect("listed");
        let text = page.quote(None, None);
        assert!(text.contains("\"daily limit\""), "{text}");
        assert!(!text.contains("likely"), "{text}");
    }
}
