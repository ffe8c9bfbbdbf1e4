//! The codes every Zoho API answers for its OAuth tokens (Voice, SMS and Books alike): each
//! Zoho target's table shares them ([`crate::http::VendorCodes::and_shared`]).

use crate::http::{Meaning, Source, VendorCode};

/// Zoho's token and scope codes.
pub const CODES: &[VendorCode] = &[
    VendorCode {
        code: "INVALID_OAUTHTOKEN",
        meaning: Meaning::InvalidToken,
        text: "invalid oauth token",
        source: Source::Page("Zoho's OAuth pages (an expired access token)"),
    },
    VendorCode {
        code: "OAUTH_SCOPE_MISMATCH",
        meaning: Meaning::MissingScope,
        text: "invalid oauth scope to access this URL",
        source: Source::Reading("Zoho's answer to a token without the scope on its other APIs"),
    },
    VendorCode {
        code: "INVALID_OAUTHSCOPE",
        meaning: Meaning::MissingScope,
        text: "invalid oauth scope",
        source: Source::Reading("Zoho's answer to a token without the scope on its other APIs"),
    },
];
