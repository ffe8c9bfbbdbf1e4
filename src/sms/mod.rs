//! Bulk SMS through the Zoho Voice SMS API: what a message costs ([`segments`]) and how it is
//! written for each recipient ([`template`]).

pub mod segments;
pub mod suppress;
pub mod template;
