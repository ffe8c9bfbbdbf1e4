//! Zoom's sign-in: the Server-to-Server OAuth app's account-credentials grant
//! (`POST https://zoom.us/oauth/token?grant_type=account_credentials&account_id=...` with HTTP
//! basic auth `client_id:client_secret`). The grant has no refresh token: a new token is
//! asked for the same way as the first, and `auth login` asks for one to test the values.

use super::service::{
    Ask, AuthScheme, Endpoint, Keeps, Key, KeyUse, Login, Refusal, Service, TokenRequest,
};
use super::{AuthError, Credentials, Secret, TokenCache, TokenProvider};
use crate::http::request::BaseUrl;

/// Zoom's OAuth server.
pub const OAUTH_URL: &str = "https://zoom.us";

/// The token endpoint's path.
pub const TOKEN_PATH: &str = "/oauth/token";

/// Where a Zoom API's missing scope is granted.
pub const GRANT: &str = "add it on the Scopes page of the server-to-server OAuth app in Zoom's App Marketplace, then run again";

/// The account-credentials grant: the account id in the query, the client id and its secret
/// as HTTP basic auth.
const ACCOUNT_CREDENTIALS: TokenRequest =
    TokenRequest::query_and_basic_auth("account_credentials", "account_id");

/// Zoom, as the registry lists it.
pub static SERVICE: Service = Service {
    name: "zoom",
    title: "Zoom",
    covers: "Contact Center",
    key_prefix: "ZOOM_",
    keys: &KEYS,
    token_key: "ZOOM_ACCESS_TOKEN",
    values: ["ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"],
    cached_by: &[0, 1, 2],
    account: 0,
    endpoint: Endpoint::Fixed(OAUTH_URL),
    token_path: TOKEN_PATH,
    request: ACCOUNT_CREDENTIALS,
    scheme: AuthScheme::BEARER,
    token_limit: None,
    codes: &[],
    grant: GRANT,
    refused: "check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET (the Server-to-Server OAuth app's credentials)",
    login: Login {
        asks: [
            Ask {
                flag: Some("--account-id"),
                key: Some("ZOOM_ACCOUNT_ID"),
                label: "Account ID",
                hidden: false,
                stored: true,
            },
            Ask {
                flag: Some("--client-id"),
                key: Some("ZOOM_CLIENT_ID"),
                label: "Client ID",
                hidden: false,
                stored: true,
            },
            Ask {
                flag: None,
                key: Some("ZOOM_CLIENT_SECRET"),
                label: "Client Secret",
                hidden: true,
                stored: true,
            },
        ],
        exchange: ACCOUNT_CREDENTIALS,
        explain: |_, _| None,
        refusal: Refusal::Access,
        keeps: Keeps {
            refresh_token: None,
            flags: &[],
        },
        done: signed_in,
    },
};

/// Zoom's variables, in the man page's order.
const KEYS: [Key; 5] = [
    Key {
        name: "ZOOM_ACCOUNT_ID",
        used: KeyUse::SignIn,
        secret: false,
        about: "The Zoom server-to-server OAuth app's account id.",
    },
    Key {
        name: "ZOOM_CLIENT_ID",
        used: KeyUse::SignIn,
        secret: false,
        about: "Its client id.",
    },
    Key {
        name: "ZOOM_CLIENT_SECRET",
        used: KeyUse::SignIn,
        secret: true,
        about: "Its client secret (also read by auth login).",
    },
    Key {
        name: "ZOOM_ACCESS_TOKEN",
        used: KeyUse::SignIn,
        secret: true,
        about: "A Zoom access token to use as it is (never renewed).",
    },
    Key {
        name: "ZOOM_ADDRESS_BOOK_ID",
        used: KeyUse::Flag,
        secret: false,
        about: "The Contact Center address book (--address-book-id).",
    },
];

/// `auth login`'s line once the app's credentials are stored.
fn signed_in(_dc: &str, scopes: &str, place: &str) -> String {
    format!(
        "signed in to Zoom (the app's token was issued{scopes}); stored its credentials in {place}"
    )
}

/// How to get a Zoom access token, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoomAuth {
    /// The server-to-server OAuth flow (`account_credentials`).
    ServerToServer {
        account_id: String,
        client_id: String,
        client_secret: Secret,
    },
    /// A ready access token (`ZOOM_ACCESS_TOKEN`), used as is and never refreshed.
    AccessToken(Secret),
}

super::sign_in_conversions!(ZoomAuth::ServerToServer {
    account_id,
    client_id,
    client_secret,
});

impl Credentials {
    /// The Zoom credentials: `ZOOM_ACCESS_TOKEN` if set, else the server-to-server trio.
    pub fn zoom(&self) -> Result<ZoomAuth, AuthError> {
        self.sign_in(&SERVICE).map(ZoomAuth::from)
    }
}

impl TokenProvider {
    /// Zoom: the server-to-server flow against `oauth` (`https://zoom.us`, or
    /// `--accounts-url`), or a fixed token. The account-credentials grant has no refresh
    /// token: a new token is asked for the same way as the first.
    pub fn zoom(
        http: reqwest::Client,
        auth: ZoomAuth,
        oauth: BaseUrl,
        cache: Option<TokenCache>,
    ) -> TokenProvider {
        TokenProvider::signed_in(http, &SERVICE, auth.into(), oauth, cache)
    }
}
