//! The access tokens every token server issues, and the check of the token an API request
//! carries. Each token server (an emulator that is a [`TokenServer`]) keeps its own grants in its
//! room; the tokens themselves, and their counts, are kept here.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Instant;

use axum::response::Response;

use super::wire::Req;
use crate::scopes::Need;

/// An emulator that issues access tokens.
pub trait TokenServer: Sync {
    /// The name its tokens are issued under (its emulator's name).
    fn issuer(&self) -> &'static str;

    /// The scheme of the `Authorization` header its tokens travel in.
    fn scheme(&self) -> &'static str;

    /// The answer to a missing, expired or unknown token.
    fn unauthorized(&self) -> Response;

    /// The answer to a token that lacks the scope `need`.
    fn scope_refused(&self, need: &Need) -> Response;
}

/// A live access token.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    /// The token server that issued it ([`TokenServer::issuer`]).
    pub issuer: &'static str,
    pub expires_at: Instant,
    /// The scopes it was issued with.
    pub scopes: Vec<String>,
}

/// The access tokens issued so far.
#[derive(Debug, Default)]
pub struct Tokens {
    /// The tokens that may still be live, by token.
    pub tokens: HashMap<String, TokenInfo>,
    /// How many each token server issued.
    pub issued_by: BTreeMap<&'static str, u64>,
    /// Live tokens pushed out by newer ones.
    pub evicted: u64,
    /// The access tokens issued, oldest first (the last [`Tokens::KEPT`]), expired and
    /// evicted ones too: what a test searches a client's traces for.
    pub issued: VecDeque<String>,
}

impl Tokens {
    /// How many issued tokens [`Tokens::issued`] keeps.
    pub const KEPT: usize = 10_000;

    /// Keeps a token just issued.
    pub fn add(&mut self, token: &str, info: TokenInfo) {
        *self.issued_by.entry(info.issuer).or_default() += 1;
        self.tokens.insert(token.to_string(), info);
        if self.issued.len() >= Tokens::KEPT {
            self.issued.pop_front();
        }
        self.issued.push_back(token.to_string());
    }

    /// How many tokens `issuer` issued.
    pub fn issued_by(&self, issuer: &str) -> u64 {
        self.issued_by.get(issuer).copied().unwrap_or(0)
    }

    /// How many tokens are live at `now`.
    pub fn live(&self, now: Instant) -> usize {
        self.tokens.values().filter(|t| t.expires_at > now).count()
    }

    /// Makes every token live at `now` expire then; returns how many there were.
    pub fn expire_all(&mut self, now: Instant) -> usize {
        let mut n = 0;
        for t in self.tokens.values_mut() {
            if t.expires_at > now {
                n += 1;
            }
            t.expires_at = now;
        }
        n
    }

    /// The scopes of the live token of `server` the request carries (in the server's
    /// `Authorization` scheme) at `now`; `None` without one. Expired tokens are forgotten
    /// when seen.
    pub fn authorized(
        &mut self,
        req: &Req,
        server: &dyn TokenServer,
        now: Instant,
    ) -> Option<Vec<String>> {
        let h = req.header("authorization")?;
        let (scheme, token) = h.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case(server.scheme()) {
            return None;
        }
        let token = token.trim();
        match self.tokens.get(token) {
            Some(info) if info.issuer == server.issuer() && info.expires_at > now => {
                Some(info.scopes.clone())
            }
            Some(info) if info.expires_at <= now => {
                self.tokens.remove(token);
                None
            }
            _ => None,
        }
    }
}

/// The scopes of a configured scope list (space- or comma-separated).
pub fn split_scopes(text: &str) -> Vec<String> {
    text.split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
