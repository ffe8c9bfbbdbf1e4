//! Flattening of a JSON record from a contact API into named cells.
//!
//! A record is a JSON object; a file row is a list of named text cells. Nested objects become
//! dotted names (`contact_owner.display_value`), an array of scalars becomes one list cell
//! (`tags` = `vip;lead`), an array holding any object or array becomes indexed names
//! (`phones.0.number`, `phones.1.number`). Every value ends up as text: a number is its JSON
//! text (an id such as `460000000026049` stays exactly that, never `4.6e14`), a boolean
//! `true`/`false`, and `null` empty text. An empty object is one empty cell and an empty array
//! one empty list, so their column is kept.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One flattened cell: text, or the items of an array of scalars.
///
/// It (de)serialises as a JSON string or a JSON array of strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Flat {
    Text(String),
    List(Vec<String>),
}

impl Flat {
    /// The cell as one text: a list's items joined with `;`, the way CSV and XLSX show arrays.
    pub fn joined(&self) -> String {
        match self {
            Flat::Text(t) => t.clone(),
            Flat::List(items) => items.join(";"),
        }
    }
}

/// The cells of `record` in its key order, nested names dotted (see the module doc).
pub fn flatten(record: &Map<String, Value>) -> Vec<(String, Flat)> {
    let mut out = Vec::with_capacity(record.len());
    for (key, value) in record {
        flatten_value(key.clone(), value, &mut out);
    }
    out
}

/// Appends the cells of `value`, named `name` or under it, to `out`.
fn flatten_value(name: String, value: &Value, out: &mut Vec<(String, Flat)>) {
    match value {
        Value::Object(map) if map.is_empty() => out.push((name, Flat::Text(String::new()))),
        Value::Object(map) => {
            for (key, v) in map {
                flatten_value(format!("{name}.{key}"), v, out);
            }
        }
        Value::Array(items) if items.iter().all(is_scalar) => {
            out.push((name, Flat::List(items.iter().map(scalar_text).collect())));
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten_value(format!("{name}.{i}"), v, out);
            }
        }
        scalar => out.push((name, Flat::Text(scalar_text(scalar)))),
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Object(_) | Value::Array(_))
}

/// The text of a scalar: a string as is, a number as its JSON text, `true`/`false`, null empty.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        // Not reached for scalars; kept total so a caller's mistake shows as JSON, not a panic.
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn flat(v: Value) -> Vec<(String, Flat)> {
        match v {
            Value::Object(m) => flatten(&m),
            _ => panic!("not an object"),
        }
    }

    fn text(s: &str) -> Flat {
        Flat::Text(s.into())
    }

    fn names(cells: &[(String, Flat)]) -> Vec<&str> {
        cells.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Nested objects become dotted names in key order; arrays of objects are indexed.
    #[test]
    fn objects_become_dotted_names_and_arrays_of_objects_indexed() {
        let cases = [
            (
                json!({
                    "last_name": "Ng",
                    "contact_owner": {"id": "7", "display_value": "Ann"},
                    "communication_preference": {"is_sms_enabled": true, "is_email_enabled": false},
                    "a": {"b": {"c": "deep"}},
                }),
                &[
                    "last_name",
                    "contact_owner.id",
                    "contact_owner.display_value",
                    "communication_preference.is_sms_enabled",
                    "communication_preference.is_email_enabled",
                    "a.b.c",
                ][..],
                &[(3, "true"), (4, "false"), (5, "deep")][..],
            ),
            (
                json!({"phones": [
                    {"type": "mobile", "number": "+14155550123"},
                    {"type": "work", "number": "+14155550100", "ext": null},
                ]}),
                &[
                    "phones.0.type",
                    "phones.0.number",
                    "phones.1.type",
                    "phones.1.number",
                    "phones.1.ext",
                ][..],
                &[(1, "+14155550123"), (4, "")][..],
            ),
        ];
        for (record, expected, texts) in cases {
            let cells = flat(record);
            assert_eq!(names(&cells), expected);
            for &(i, t) in texts {
                assert_eq!(cells[i].1, text(t), "{expected:?}");
            }
        }
    }

    #[test]
    fn arrays_of_scalars_are_lists() {
        let cells = flat(json!({"tags": ["vip", 3, true, null], "none": []}));
        assert_eq!(
            cells,
            [
                (
                    "tags".to_string(),
                    Flat::List(vec!["vip".into(), "3".into(), "true".into(), "".into()])
                ),
                ("none".to_string(), Flat::List(vec![])),
            ]
        );
        assert_eq!(cells[0].1.joined(), "vip;3;true;");
        assert_eq!(cells[1].1.joined(), "");
    }

    #[test]
    fn mixed_and_nested_arrays_are_indexed() {
        let cells = flat(json!({"m": [1, {"a": "x"}, [2, 3], {}]}));
        assert_eq!(
            cells,
            [
                ("m.0".to_string(), text("1")),
                ("m.1.a".to_string(), text("x")),
                ("m.2".to_string(), Flat::List(vec!["2".into(), "3".into()])),
                ("m.3".to_string(), text("")),
            ]
        );
    }

    #[test]
    fn numbers_keep_their_json_text() {
        let record: Map<String, Value> = serde_json::from_str(
            r#"{"id": 460000000026049, "big": 18446744073709551615, "neg": -42, "f": 12.5}"#,
        )
        .unwrap();
        let cells = flatten(&record);
        assert_eq!(cells[0].1, text("460000000026049"));
        assert_eq!(cells[1].1, text("18446744073709551615"));
        assert_eq!(cells[2].1, text("-42"));
        assert_eq!(cells[3].1, text("12.5"));
    }

    #[test]
    fn null_bool_and_empty_keep_their_column() {
        let cells = flat(json!({"n": null, "t": true, "f": false, "o": {}, "s": ""}));
        assert_eq!(
            cells,
            [
                ("n".to_string(), text("")),
                ("t".to_string(), text("true")),
                ("f".to_string(), text("false")),
                ("o".to_string(), text("")),
                ("s".to_string(), text("")),
            ]
        );
    }

    #[test]
    fn flat_round_trips_through_json() {
        for f in [text("a"), Flat::List(vec!["x".into(), "".into()])] {
            let s = serde_json::to_string(&f).unwrap();
            assert_eq!(serde_json::from_str::<Flat>(&s).unwrap(), f);
        }
        assert_eq!(serde_json::to_string(&text("a")).unwrap(), "\"a\"");
    }
}
