//! Dedupe keys: what makes two contacts the same (`--dedupe-by`), as a compact 128-bit key.
//! The transform computes each clean row's key; [`crate::dedupe`] decides with them.

use std::hash::Hasher;

use serde::Serialize;
use siphasher::sip128::{Hasher128, SipHasher13};

use crate::contact::Contact;
use crate::phone::e164_key;

/// What makes two contacts the same.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, Serialize)]
pub enum DedupeBy {
    /// The E.164 mobile (the first phone when there is no mobile).
    #[default]
    Mobile,
    /// The first e-mail, trimmed and lower-cased.
    Email,
    /// The same mobile and the same e-mail.
    #[value(name = "mobile,email")]
    #[serde(rename = "mobile,email")]
    MobileEmail,
    /// No dedupe.
    None,
}

/// A dedupe key: 128 bits, whatever it is made of.
pub type Key = u128;

fn email_key(email: &str) -> u128 {
    let mut h = SipHasher13::new_with_keys(0x6275_6c6b, 0x6c69_6e65);
    h.write(email.trim().to_lowercase().as_bytes());
    h.finish128().as_u128()
}

/// The key of a contact, or `None` when it has nothing to key on (never a duplicate).
pub fn key(contact: &Contact, by: DedupeBy) -> Option<Key> {
    key_of(
        contact.primary_phone().map(|p| p.e164.as_str()),
        contact.primary_email(),
        by,
    )
}

/// The key made of a required phone (E.164) and a first e-mail.
pub fn key_of(phone: Option<&str>, email: Option<&str>, by: DedupeBy) -> Option<Key> {
    key_of_number(phone.and_then(e164_key), email, by)
}

/// The key made of a required phone (its E.164 digits as a number, see [`e164_key`]) and a
/// first e-mail.
pub fn key_of_number(phone: Option<u64>, email: Option<&str>, by: DedupeBy) -> Option<Key> {
    let email = || email.map(email_key);
    match by {
        DedupeBy::None => None,
        // The top bit tells a phone key from an e-mail hash, so they can never collide.
        DedupeBy::Mobile => phone.map(|m| u128::from(m) | 1 << 127),
        DedupeBy::Email => email().map(|e| e & !(1 << 127)),
        DedupeBy::MobileEmail => {
            let m = phone?;
            let mut h = SipHasher13::new_with_keys(0x6d6f_6269, 0x656d_6169);
            h.write_u64(m);
            h.write_u128(email().unwrap_or(0));
            Some(h.finish128().as_u128())
        }
    }
}
