//! A code and a name in one cell: `Germany (DE)`, `Germany [DEU]`, `DE - Germany`,
//! `DE Germany`, `Germany, DE`, `+49 Germany`. Both must name the region, else the cell names
//! none (`France (DE)`).

use super::codes::Digits;
use super::{Region, plain};

/// What separates a code from a name before or after it.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':' | '|' | '/' | ',')
}

/// The region a code-and-name cell names; `None` when it is not one, when its name names no
/// region, or when its code does not fit the name.
pub(super) fn parse(text: &str) -> Option<Region> {
    let (name, code) = splits(text).find_map(|(name, code)| Some((plain(name)?, code)))?;
    let fits = match Digits::read(code) {
        Some(digits) => digits.fits(name),
        None => plain(code) == Some(name),
    };
    fits.then_some(name)
}

/// The ways `text` reads as a name and a code: `Name (CODE)`, `Name [CODE]`, `CODE Name`,
/// `Name CODE` (with a separator such as ` - ` between them).
fn splits(text: &str) -> impl Iterator<Item = (&str, &str)> {
    let bracketed = [('(', ')'), ('[', ']')]
        .into_iter()
        .filter_map(move |(open, close)| {
            let inner = text.strip_suffix(close)?;
            let (name, code) = inner.rsplit_once(open)?;
            Some((name.trim(), code.trim()))
        });
    let first = text.split_once(is_separator).map(|(code, name)| {
        let name = name.trim_start_matches(is_separator);
        (name, code)
    });
    let last = text.rsplit_once(is_separator).map(|(name, code)| {
        let name = name.trim_end_matches(is_separator);
        (name, code)
    });
    bracketed
        .chain(first)
        .chain(last)
        .filter(|&(name, code)| !name.is_empty() && is_code(code))
}

/// Two or three ASCII letters, or a code in digits.
fn is_code(text: &str) -> bool {
    ((2..=3).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphabetic()))
        || Digits::read(text).is_some()
}
