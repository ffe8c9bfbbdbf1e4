//! Bulk SMS through the Zoho Voice SMS API (`bulkline sms`, `bulkline sms-status`).
//!
//! The stages, in the order a row meets them:
//! - the clean pipeline (with `--mobile-only` on by default) and dedupe by mobile;
//! - [`recipient`]: the row's message from the [`template`] (or a column), what it costs
//!   ([`segments`]), whether the number is suppressed ([`suppress`]), and when it goes out
//!   ([`window`], with each region's main time zone from [`zones`]), and whether the account's
//!   own logs show the same text already went to the number ([`texted`]);
//! - [`batch`]: recipients of one text share a request;
//! - [`send`]: journaled sends, at most once, with lost answers looked for in the logs
//!   ([`reconcile`]);
//! - [`campaign`] wires them (a planning pass, then the sending pass), [`summary`] reports,
//!   and [`status`] joins a campaign's journal with the delivery logs, [`verify`] checks
//!   each recipient the journal says was sent against them;
//! - [`test_send`]: one row's message to test numbers only, kept out of the campaign (its
//!   log ids in [`test_ledger`]).

pub mod api;
pub mod batch;
pub mod campaign;
pub mod journal_key;
pub mod recipient;
pub mod reconcile;
pub mod segments;
pub mod send;
pub mod status;
pub mod summary;
pub mod suppress;
pub mod template;
pub mod test_ledger;
pub mod test_send;
pub mod texted;
pub mod verify;
pub mod window;
pub mod zones;

/// The SMS API's name on the command line (`check --to`), in the config file's `[rate]` table
/// and in a campaign's journal.
pub const API: &str = "zoho-sms";
/// One line of help for [`API`].
pub const API_ABOUT: &str = "Zoho Voice SMS (sms, sms-status, export --from zoho-sms-logs).";
/// What `export --from` calls the SMS logs.
pub const LOGS: &str = "zoho-sms-logs";
/// One line of help for [`LOGS`].
pub const LOGS_ABOUT: &str = "The Zoho Voice SMS logs.";
/// The variable (environment or credentials file) that gives the sender id.
pub const SENDER_ID_VAR: &str = "ZOHO_VOICE_SENDER_ID";
/// Why a send cannot go out without a sender id, and where the account's are listed.
pub const SENDER_ID_MISSING: &str = "Zoho Voice requires a sender id on every send: give --sender-id ID, or set ZOHO_VOICE_SENDER_ID in the environment or the credentials file. Your sender ids (a registered sender id, or one of the account's SMS-enabled numbers) are listed in Zoho Voice under Settings > SMS > Sender IDs";
