//! Zoho's sign-in: one for Voice, SMS and Books. The refresh-token grant at the accounts
//! server of the account's data centre (`POST <accounts>/oauth/v2/token`, a form, so no
//! secret ends up in a URL), the Self Client's grant code that `auth login` exchanges once for
//! a refresh token, the `Zoho-oauthtoken` header, the "Access Denied" answer of a token
//! request over the limit (10 per 10 minutes), the token codes every Zoho API answers, the
//! data centres' hosts, and where a missing scope is granted.

use super::service::{
    Ask, AuthScheme, DataCentres, Endpoint, Keeps, Key, KeyUse, Login, Refusal, Service,
    TokenLimit, TokenRequest,
};
use super::{AuthError, Credentials, DataCentre, Secret, TokenCache, TokenProvider};
use crate::http::request::BaseUrl;
use crate::http::{Meaning, Source, VendorCode};

/// The token endpoint's path on the accounts server.
pub const TOKEN_PATH: &str = "/oauth/v2/token";

/// How a Zoho token goes into the `Authorization` header.
pub const SCHEME: AuthScheme = AuthScheme::named("Zoho-oauthtoken");

/// Where a Zoho API's missing scope is granted.
pub const GRANT: &str = "generate a new refresh token with it (Zoho's API console: Self Client, scopes as the table in docs/auth.md lists them), then run again";

/// The codes every Zoho API answers for its OAuth tokens (Voice, SMS and Books alike): each
/// Zoho target's table shares them ([`crate::http::VendorCodes::and_shared`]).
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

/// The permission of operation `$op` ("READ") of a Zoho service (`"ZohoVoice.contacts"`):
/// its own scope, the service's `.ALL`, and any scope in `$also` that grants it too.
macro_rules! zoho_need {
    ($service:literal, $op:literal $(, $also:literal)*) => {
        $crate::scopes::Need {
            scope: concat!($service, ".", $op),
            granted_by: &[concat!($service, ".", $op), concat!($service, ".ALL") $(, $also)*],
        }
    };
}

/// The scopes of a Zoho contacts API named `$name`, whose scopes are those of `$service`
/// (`"ZohoBooks.contacts"`) by operation, also granted by `$also`.
macro_rules! zoho_contact_scopes {
    ($name:literal, $service:literal $(, $also:literal)*) => {
        $crate::scopes::ApiScopes {
            name: $name,
            read: $crate::auth::zoho::zoho_need!($service, "READ" $(, $also)*),
            create: $crate::auth::zoho::zoho_need!($service, "CREATE" $(, $also)*),
            update: $crate::auth::zoho::zoho_need!($service, "UPDATE" $(, $also)*),
            delete: $crate::auth::zoho::zoho_need!($service, "DELETE" $(, $also)*),
            commands: $crate::scopes::CONTACT_COMMANDS,
            grant: $crate::auth::zoho::GRANT,
            write_word: None,
        }
    };
}

pub(crate) use {zoho_contact_scopes, zoho_need};

/// The refresh-token grant: the client id, its secret and the refresh token.
const REFRESH: TokenRequest = TokenRequest::form(
    "refresh_token",
    ["client_id", "client_secret", "refresh_token"],
);

/// The authorization-code grant (a Self Client's grant code, which works once): the client
/// id, its secret and the code. The answer carries the refresh token.
const GRANT_CODE: TokenRequest =
    TokenRequest::form("authorization_code", ["client_id", "client_secret", "code"]);

/// Zoho, as the registry lists it.
pub static SERVICE: Service = Service {
    name: "zoho",
    title: "Zoho",
    covers: "Voice, SMS and Books",
    key_prefix: "ZOHO_",
    keys: &KEYS,
    token_key: "ZOHO_ACCESS_TOKEN",
    values: ["ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN"],
    cached_by: &[0, 2],
    account: 0,
    endpoint: Endpoint::PerDataCentre(DataCentres {
        key: "ZOHO_DC",
        accounts: DataCentre::accounts_url,
        of_api_domain: DataCentre::of_api_domain,
        refused_here,
        lives_elsewhere,
    }),
    token_path: TOKEN_PATH,
    request: REFRESH,
    scheme: SCHEME,
    token_limit: Some(TokenLimit {
        reached: access_denied,
        message: "Zoho refused to issue an access token: the account is rate-limited for token requests \
         (at most 10 per 10 minutes). Wait about 10 minutes, then run again (the run can be resumed)",
    }),
    codes: CODES,
    grant: GRANT,
    refused: "check the client id, secret and refresh token, and the data centre (--dc) or --accounts-url",
    login: Login {
        asks: [
            Ask {
                flag: Some("--client-id"),
                key: Some("ZOHO_CLIENT_ID"),
                label: "Client ID",
                hidden: false,
                stored: true,
            },
            Ask {
                flag: None,
                key: Some("ZOHO_CLIENT_SECRET"),
                label: "Client Secret",
                hidden: true,
                stored: true,
            },
            Ask {
                flag: Some("--code"),
                key: None,
                label: "Grant code",
                hidden: false,
                stored: false,
            },
        ],
        exchange: GRANT_CODE,
        explain: explain_refusal,
        refusal: Refusal::Credentials,
        keeps: Keeps {
            refresh_token: Some((
                "ZOHO_REFRESH_TOKEN",
                "Zoho answered the grant code with an access token but no refresh token: generate a new code (a Self Client's code gives one refresh token)",
            )),
            flags: &[("--organization-id", "ZOHO_BOOKS_ORGANIZATION_ID")],
        },
        done: signed_in,
    },
};

/// Zoho's variables, in the man page's order.
const KEYS: [Key; 8] = [
    Key {
        name: "ZOHO_CLIENT_ID",
        used: KeyUse::SignIn,
        secret: false,
        about: "The Zoho API console client's id.",
    },
    Key {
        name: "ZOHO_CLIENT_SECRET",
        used: KeyUse::SignIn,
        secret: true,
        about: "Its secret (also read by auth login).",
    },
    Key {
        name: "ZOHO_REFRESH_TOKEN",
        used: KeyUse::SignIn,
        secret: true,
        about: "The refresh token auth login got from a grant code.",
    },
    Key {
        name: "ZOHO_ACCESS_TOKEN",
        used: KeyUse::SignIn,
        secret: true,
        about: "A Zoho access token to use as it is (never renewed).",
    },
    Key {
        name: "ZOHO_DC",
        used: KeyUse::SignIn,
        secret: false,
        about: "The data centre the Zoho account lives in (as --dc).",
    },
    Key {
        name: "ZOHO_BOOKS_ORGANIZATION_ID",
        used: KeyUse::SignIn,
        secret: false,
        about: "The Zoho Books organization (--organization-id of auth login).",
    },
    Key {
        name: "ZOHO_BOOKS_CONTACT_ID",
        used: KeyUse::Flag,
        secret: false,
        about: "The Books contact that contact persons are added to (--books-contact-id).",
    },
    Key {
        name: "ZOHO_VOICE_SENDER_ID",
        used: KeyUse::Setting,
        secret: false,
        about: "The sender id of SMS campaigns (--sender-id).",
    },
];

/// Whether a token endpoint's error answer is Zoho's "Access Denied": too many token
/// requests.
fn access_denied(error: &str, description: &str) -> bool {
    error.eq_ignore_ascii_case("Access Denied")
        || description
            .to_ascii_lowercase()
            .contains("too many requests")
}

/// What a refusal of the credentials adds when the accounts server is data centre `dc`'s own.
fn refused_here(dc: DataCentre, accounts: &str) -> String {
    format!(
        ". The accounts server of the {dc} data centre ({accounts}) does not know these credentials: if the Zoho account lives in another data centre, give it with --dc ({}: the address of your Zoho pages tells)",
        DataCentre::names()
    )
}

/// The message of a token whose account lives in data centre `home` (its `api_domain` says
/// so) while the run uses `dc`.
fn lives_elsewhere(home: DataCentre, domain: &str, dc: DataCentre) -> String {
    format!(
        "the Zoho account lives in the {home} data centre (the token's api_domain is {domain}), but the run uses --dc {dc}: give --dc {home}"
    )
}

/// The grant code's refusals that `auth login` explains: a used or expired code, a wrong
/// client.
fn explain_refusal(e: &AuthError, dc: &str) -> Option<String> {
    match e {
        AuthError::Refused { error, .. } if error == "invalid_code" => Some(format!(
            "Zoho refused the grant code (invalid_code): a grant code works once, lives a few minutes and belongs to the data centre it was made in (--dc {dc}); generate a new one in the API console's Self Client"
        )),
        AuthError::Refused { error, .. } if error == "invalid_client" => Some(format!(
            "Zoho refused the client id or secret (invalid_client): copy both from the Self Client's Client Secret tab, for the data centre of the account (--dc {dc})"
        )),
        _ => None,
    }
}

/// `auth login`'s line once the refresh token is stored.
fn signed_in(dc: &str, scopes: &str, place: &str) -> String {
    format!("signed in to Zoho (data centre {dc}){scopes}; stored the refresh token in {place}")
}

impl DataCentre {
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

/// How to get a Zoho access token, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZohoAuth {
    /// The refresh-token flow.
    RefreshToken {
        client_id: String,
        client_secret: Secret,
        refresh_token: Secret,
    },
    /// A ready access token (`ZOHO_ACCESS_TOKEN`), used as is and never refreshed.
    AccessToken(Secret),
}

super::sign_in_conversions!(ZohoAuth::RefreshToken {
    client_id,
    client_secret,
    refresh_token,
});

impl Credentials {
    /// The Zoho credentials: `ZOHO_ACCESS_TOKEN` if set, else the refresh-token trio.
    pub fn zoho(&self) -> Result<ZohoAuth, AuthError> {
        self.sign_in(&SERVICE).map(ZohoAuth::from)
    }

    /// The Zoho Voice sender id SMS go out from (`ZOHO_VOICE_SENDER_ID`), if set.
    pub fn voice_sender_id(&self) -> Option<String> {
        self.text("ZOHO_VOICE_SENDER_ID")
    }

    /// The Zoho Books organization id (`ZOHO_BOOKS_ORGANIZATION_ID`).
    pub fn books_organization_id(&self) -> Result<String, AuthError> {
        Ok(self
            .require(
                "ZOHO_BOOKS_ORGANIZATION_ID",
                "Zoho Books needs it on every request",
            )?
            .expose()
            .to_string())
    }
}

impl TokenProvider {
    /// Zoho: the refresh-token flow against `accounts` (a data centre's
    /// [`accounts_url`](DataCentre::accounts_url), or `--accounts-url`), or a fixed token.
    /// `cache` keeps the token across runs.
    pub fn zoho(
        http: reqwest::Client,
        auth: ZohoAuth,
        accounts: BaseUrl,
        cache: Option<TokenCache>,
    ) -> TokenProvider {
        TokenProvider::signed_in(http, &SERVICE, auth.into(), accounts, cache)
    }
}
