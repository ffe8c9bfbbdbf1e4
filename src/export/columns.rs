//! The columns of an export and their order.
//!
//! With `--columns a,b,c` the file has exactly those columns, in that order, whether or not
//! any record had them. Otherwise it has every column seen: first the API's documented fields
//! that were seen, in documented order, then every other seen column sorted by name (byte
//! order), so the same data always gives the same header. A documented name only matches a
//! seen (dotted) column of exactly that name: `contact_owner` does not pull in
//! `contact_owner.display_value`.

use std::collections::HashSet;

/// The export's columns: `selected` (duplicates dropped) when given, else the documented
/// fields that were `seen`, in `documented` order, then the other `seen` columns sorted.
pub fn order(documented: &[&str], seen: &[String], selected: Option<&[String]>) -> Vec<String> {
    let mut taken: HashSet<&str> = HashSet::new();
    if let Some(selected) = selected {
        return selected
            .iter()
            .filter(|name| taken.insert(name.as_str()))
            .cloned()
            .collect();
    }
    let seen_set: HashSet<&str> = seen.iter().map(String::as_str).collect();
    let mut out: Vec<String> = documented
        .iter()
        .filter(|name| seen_set.contains(**name) && taken.insert(name))
        .map(|name| (*name).to_string())
        .collect();
    let mut rest: Vec<&str> = seen
        .iter()
        .map(String::as_str)
        .filter(|name| taken.insert(name))
        .collect();
    rest.sort_unstable();
    out.extend(rest.into_iter().map(str::to_string));
    out
}

/// Refuses a `--columns` name that is neither a documented field nor a column any record
/// had (a typo would otherwise give an empty column), suggesting the closest known name.
pub fn check_selected(
    documented: &[&str],
    seen: &[String],
    selected: &[String],
) -> Result<(), String> {
    let known: Vec<&str> = documented
        .iter()
        .copied()
        .chain(seen.iter().map(String::as_str))
        .collect();
    let Some(unknown) = selected.iter().find(|s| !known.contains(&s.as_str())) else {
        return Ok(());
    };
    let closest = known
        .iter()
        .map(|k| (edit_distance(unknown, k), *k))
        .filter(|(d, _)| *d <= 3)
        .min();
    Err(match closest {
        Some((_, k)) => format!(
            "--columns: no field or column {unknown:?} (did you mean {k:?}?); the fields: {}",
            documented.join(", ")
        ),
        None => format!(
            "--columns: no field or column {unknown:?}; the fields: {}",
            documented.join(", ")
        ),
    })
}

/// Levenshtein distance, for suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// The names of a `--columns` list: `a, b ,c` split on commas, trimmed, empty names dropped.
pub fn parse_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn documented_first_then_the_rest_sorted() {
        let documented = ["id", "first_name", "last_name", "mobile", "contact_owner"];
        let seen = strings(&[
            "mobile",
            "zeta",
            "id",
            "contact_owner.display_value",
            "Alpha",
            "last_name",
            "beta",
            "mobile",
        ]);
        assert_eq!(
            order(&documented, &seen, None),
            strings(&[
                "id",
                "last_name",
                "mobile",
                "Alpha",
                "beta",
                "contact_owner.display_value",
                "zeta",
            ])
        );
    }

    #[test]
    fn an_unknown_selected_name_is_refused_with_the_closest_one() {
        let seen = vec!["phone_numbers.0.number".to_string()];
        assert!(check_selected(&["first_name", "mobile"], &seen, &["mobile".into()]).is_ok());
        assert!(check_selected(&["first_name"], &seen, &["phone_numbers.0.number".into()]).is_ok());
        let err = check_selected(&["first_name", "mobile"], &seen, &["mobil".into()])
            .expect_err("refused");
        assert!(err.contains("did you mean \"mobile\""), "{err}");
        let err =
            check_selected(&["first_name"], &seen, &["zzzzzzzz".into()]).expect_err("refused");
        assert!(!err.contains("did you mean"), "{err}");
    }

    #[test]
    fn nothing_seen_is_no_columns() {
        assert!(order(&["id"], &[], None).is_empty());
    }

    #[test]
    fn a_selection_is_exactly_those_in_its_order() {
        let seen = strings(&["id", "mobile", "email"]);
        let selected = strings(&["email", "never_seen", "id", "email"]);
        assert_eq!(
            order(&["id", "mobile"], &seen, Some(&selected)),
            strings(&["email", "never_seen", "id"])
        );
        assert!(order(&["id"], &seen, Some(&[])).is_empty());
    }

    #[test]
    fn lists_are_split_and_trimmed() {
        assert_eq!(parse_list("a, b ,c"), strings(&["a", "b", "c"]));
        assert_eq!(parse_list(" ,x,,  y.z ,"), strings(&["x", "y.z"]));
        assert!(parse_list("").is_empty());
    }
}
