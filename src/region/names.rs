//! Region names in every language CLDR has, and the English short forms contact exports write:
//! `data/country-names.tsv`, written by `scripts/country-names.py` from CLDR 46 (Babel 2.17.0).
//! Read into a map on first use, by the key the script wrote (the name folded, as [`Folded`]
//! folds a cell): the keys are slices of the embedded data, nothing is folded or allocated per
//! name.

use std::collections::hash_map::Entry;
use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::fold::Folded;
use super::{Region, from_code};

/// `CODE<TAB>name<TAB>key` lines, one per key (the name folded); `#` comments.
static DATA: &str = include_str!("../../data/country-names.tsv");

/// A line of the data: the code, a name, and the name folded (written by the script, so the
/// names are not folded at start; a test checks it is what [`Folded`] gives).
struct Line {
    code: &'static str,
    name: &'static str,
    key: &'static str,
}

/// The lines of the data.
fn lines() -> impl Iterator<Item = Line> {
    DATA.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split('\t');
            Some(Line {
                code: fields.next()?,
                name: fields.next()?,
                key: fields.next()?,
            })
        })
}

/// Regions by folded name; `None` for a key two lines share with different regions (the
/// script writes each key once: see the tests).
static BY_KEY: LazyLock<FxHashMap<&'static str, Option<Region>>> = LazyLock::new(|| {
    let mut map = FxHashMap::with_capacity_and_hasher(32_768, Default::default());
    for line in lines() {
        // Only regions with phone metadata count.
        let Some(region) = from_code(line.code) else {
            continue;
        };
        match map.entry(line.key) {
            Entry::Vacant(slot) => {
                slot.insert(Some(region));
            }
            Entry::Occupied(mut slot) => {
                if *slot.get() != Some(region) {
                    slot.insert(None);
                }
            }
        }
    }
    map
});

/// The region a name means, with or without an English article (`The Bahamas`, as ISO
/// 3166 writes it `Bahamas (the)`, or `Gambia, The`).
pub(super) fn find(text: &str) -> Option<Region> {
    let lookup = |text: &str| BY_KEY.get(Folded::new(text)?.as_str()).copied().flatten();
    lookup(text).or_else(|| lookup(without_article(text)?))
}

/// `text` without a leading `the ` or a trailing `(the)` or `, the`.
fn without_article(text: &str) -> Option<&str> {
    let starts = |n: usize| text.get(..n).is_some_and(|s| s.eq_ignore_ascii_case("the"));
    if starts(3)
        && text
            .get(3..)
            .is_some_and(|rest| rest.starts_with(char::is_whitespace))
    {
        return text.get(3..).map(str::trim_start);
    }
    ["(the)", ", the"].into_iter().find_map(|article| {
        let at = text.len().checked_sub(article.len())?;
        text.get(at..)
            .filter(|end| end.eq_ignore_ascii_case(article))
            .and_then(|_| text.get(..at))
            .map(str::trim_end)
    })
}

/// The names of `region` in the data (each a spelling of one folded name): in every language
/// CLDR has, and English short forms. Each one [`super::parse`]s back to `region` when the
/// phone library has metadata for it.
pub fn names_of(region: Region) -> Vec<&'static str> {
    let code = region.as_region_str();
    let code = code.as_str();
    lines()
        .filter(|line| line.code == code)
        .map(|line| line.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_name_with_an_english_article() {
        let code = |text: &str| find(text).map(|r| format!("{r:?}"));
        for (text, want) in [
            ("The Philippines", Some("PH")),
            ("the  Netherlands", Some("NL")),
            ("Bahamas (the)", Some("BS")),
            ("Russian Federation (The)", Some("RU")),
            ("Gambia, the", Some("GM")),
            ("Thailand", Some("TH")),
            ("The", None),
            ("Theiran", None),
            ("the Narnia", None),
        ] {
            assert_eq!(code(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn every_line_is_a_region_a_name_and_its_key() {
        let mut lines_read = 0;
        for line in DATA.lines().filter(|line| !line.starts_with('#')) {
            let fields: Vec<&str> = line.split('\t').collect();
            let [code, name, key] = fields[..] else {
                panic!("{line:?}: not three fields");
            };
            assert!(
                code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()),
                "{line:?}"
            );
            assert!(!name.trim().is_empty() && !key.is_empty(), "{line:?}");
            // The script folds as the cells are folded.
            let folded = Folded::new(name).map(|k| k.as_str().to_string());
            assert_eq!(folded.as_deref(), Some(key), "{line:?}");
            lines_read += 1;
        }
        assert!(lines_read > 30_000, "{lines_read} names");
    }

    #[test]
    fn no_two_lines_share_a_key() {
        let mut seen: FxHashMap<&str, &str> = FxHashMap::default();
        for line in lines() {
            if let Some(other) = seen.insert(line.key, line.name) {
                panic!("{:?} and {other:?} fold to {:?}", line.name, line.key);
            }
        }
        assert!(BY_KEY.values().all(Option::is_some));
    }
}
