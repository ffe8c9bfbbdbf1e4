//! SMS message templates.
//!
//! A template is text with placeholders in braces:
//!
//! - `{first_name}`: a canonical field name, or `{Any Column}`: a column header of the input.
//!   The name is the exact text between the braces; which value it stands for is the
//!   caller's `lookup` (see [`find_column`] for the header-matching rule: case-sensitive
//!   first, then case-insensitive with whitespace trimmed).
//! - `{first_name|there}`: the text after the first `|` is the default, used when the value
//!   is missing or empty after trimming. The default is inserted exactly as written. An
//!   explicit empty default (`{x|}`) is allowed: a missing value then renders as nothing.
//! - `{{` and `}}`: a literal `{` and `}`.
//!
//! A placeholder with no value and no default makes [`Template::render`] fail with the
//! missing names (the row is rejected with code `template_missing`): a message is never
//! sent with a hole in it. An unterminated `{`, an empty placeholder (`{}`, `{|x}`) or a
//! lone `}` is a [`TemplateError`] at parse time, for the whole command.
//!
//! Values are inserted trimmed and as given: braces inside a value are not expanded again.

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Text as sent, escapes already resolved.
    Literal(String),
    /// `{name}` or `{name|default}`.
    Field {
        name: String,
        default: Option<String>,
    },
}

/// Why a template could not be parsed. Positions are in characters, counted from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A `{` with no `}` closing it (before the end, or before the next `{`).
    #[error(
        "message template: the '{{' at character {at} is not closed by '}}' (close the placeholder, or write {{{{ for a literal brace)"
    )]
    Unterminated { at: usize },
    /// `{}` or `{|default}`: a placeholder without a name.
    #[error(
        "message template: the placeholder at character {at} has no name (write a field or column name between the braces, or {{{{ for a literal brace)"
    )]
    EmptyPlaceholder { at: usize },
    /// A `}` that closes nothing.
    #[error(
        "message template: the '}}' at character {at} closes no placeholder (write }}}} for a literal brace)"
    )]
    StrayClose { at: usize },
}

impl TemplateError {
    /// The character position (1-based) the error points at.
    pub fn position(&self) -> usize {
        match *self {
            TemplateError::Unterminated { at }
            | TemplateError::EmptyPlaceholder { at }
            | TemplateError::StrayClose { at } => at,
        }
    }
}

impl Template {
    /// Parses `text`. Fails on an unterminated `{`, an empty placeholder or a lone `}`.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        // (1-based character position, char)
        let mut chars = text.chars().enumerate().map(|(i, c)| (i + 1, c)).peekable();

        while let Some((at, c)) = chars.next() {
            match c {
                '{' => {
                    if chars.next_if(|&(_, c)| c == '{').is_some() {
                        literal.push('{');
                        continue;
                    }
                    let mut inner = String::new();
                    let mut closed = false;
                    for (_, c) in chars.by_ref() {
                        match c {
                            '}' => {
                                closed = true;
                                break;
                            }
                            // A new placeholder opening before this one closed.
                            '{' => return Err(TemplateError::Unterminated { at }),
                            c => inner.push(c),
                        }
                    }
                    if !closed {
                        return Err(TemplateError::Unterminated { at });
                    }
                    let (name, default) = match inner.split_once('|') {
                        Some((name, default)) => (name, Some(default.to_string())),
                        None => (inner.as_str(), None),
                    };
                    if name.trim().is_empty() {
                        return Err(TemplateError::EmptyPlaceholder { at });
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Field {
                        name: name.to_string(),
                        default,
                    });
                }
                '}' => {
                    if chars.next_if(|&(_, c)| c == '}').is_some() {
                        literal.push('}');
                    } else {
                        return Err(TemplateError::StrayClose { at });
                    }
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Template { parts })
    }

    /// The placeholder names, in order of first appearance, without defaults.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for part in &self.parts {
            if let Part::Field { name, .. } = part
                && !names.contains(&name.as_str())
            {
                names.push(name);
            }
        }
        names
    }

    /// Renders with `lookup(name) -> Option<String>` giving a row's value (None or empty =
    /// missing). Values are trimmed and inserted as given (never expanded again).
    /// Err(names of the placeholders that had no value and no default, each once, in order
    /// of first appearance) when any is missing.
    pub fn render(&self, lookup: impl Fn(&str) -> Option<String>) -> Result<String, Vec<String>> {
        let mut out = String::new();
        let mut missing: Vec<String> = Vec::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Field { name, default } => {
                    let value = lookup(name);
                    let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty());
                    match (value, default) {
                        (Some(v), _) => out.push_str(v),
                        (None, Some(d)) => out.push_str(d),
                        (None, None) => {
                            if !missing.iter().any(|m| m == name) {
                                missing.push(name.clone());
                            }
                        }
                    }
                }
            }
        }
        if missing.is_empty() {
            Ok(out)
        } else {
            Err(missing)
        }
    }

    /// Whether the template has no placeholders (every recipient gets the same text: batches
    /// share requests).
    pub fn is_constant(&self) -> bool {
        !self.parts.iter().any(|p| matches!(p, Part::Field { .. }))
    }
}

/// The index of the header a placeholder `name` refers to: the first header equal to it
/// exactly (case-sensitively); failing that, the first equal to it case-insensitively with
/// whitespace trimmed from both.
pub fn find_column<S: AsRef<str>>(name: &str, headers: &[S]) -> Option<usize> {
    if let Some(i) = headers.iter().position(|h| h.as_ref() == name) {
        return Some(i);
    }
    let wanted = name.trim().to_lowercase();
    headers
        .iter()
        .position(|h| h.as_ref().trim().to_lowercase() == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn row<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        move |name| map.get(name).map(|v| v.to_string())
    }

    /// Parses `template`, asserts its placeholder names and what it makes of `pairs`.
    fn assert_renders(
        template: &str,
        names: &[&str],
        pairs: &[(&str, &str)],
        want: &str,
    ) -> Template {
        let t = Template::parse(template).unwrap();
        assert_eq!(t.names(), names);
        assert_eq!(t.render(row(pairs)).unwrap(), want);
        t
    }

    fn render(template: &str, pairs: &[(&str, &str)]) -> Result<String, Vec<String>> {
        Template::parse(template).unwrap().render(row(pairs))
    }

    #[test]
    fn plain_text() {
        let t = Template::parse("Hello, world!").unwrap();
        assert!(t.is_constant());
        assert!(t.names().is_empty());
        assert_eq!(t.render(|_| None).unwrap(), "Hello, world!");
    }

    #[test]
    fn empty_template() {
        let t = Template::parse("").unwrap();
        assert!(t.is_constant());
        assert_eq!(t.render(|_| None).unwrap(), "");
    }

    #[test]
    fn field() {
        assert_eq!(
            render("Hi {first_name}!", &[("first_name", "Ana")]).unwrap(),
            "Hi Ana!"
        );
        assert_eq!(
            render(
                "{first_name} {last_name}",
                &[("first_name", "Ana"), ("last_name", "Lee")]
            )
            .unwrap(),
            "Ana Lee"
        );
    }

    #[test]
    fn placeholder_only() {
        assert_eq!(render("{x}", &[("x", "v")]).unwrap(), "v");
    }

    #[test]
    fn column_with_spaces() {
        assert_renders(
            "Your {Order Number} ships {Ship Date}.",
            &["Order Number", "Ship Date"],
            &[("Order Number", "A-17"), ("Ship Date", "Monday")],
            "Your A-17 ships Monday.",
        );
    }

    #[test]
    fn name_is_exact_text_between_braces() {
        let t = Template::parse("{ First Name }").unwrap();
        assert_eq!(t.names(), vec![" First Name "]);
    }

    #[test]
    fn values_are_trimmed() {
        assert_eq!(
            render("Hi {first_name}!", &[("first_name", "  Ana \t")]).unwrap(),
            "Hi Ana!"
        );
    }

    #[test]
    fn default_used_when_missing_or_blank() {
        let tpl = "Hi {first_name|there}!";
        assert_eq!(render(tpl, &[]).unwrap(), "Hi there!");
        assert_eq!(render(tpl, &[("first_name", "")]).unwrap(), "Hi there!");
        assert_eq!(render(tpl, &[("first_name", "   ")]).unwrap(), "Hi there!");
        assert_eq!(render(tpl, &[("first_name", "Bo")]).unwrap(), "Hi Bo!");
    }

    #[test]
    fn default_text_after_first_pipe_verbatim() {
        let t = Template::parse("{a|b|c}").unwrap();
        assert_eq!(t.names(), vec!["a"]);
        assert_eq!(t.render(|_| None).unwrap(), "b|c");
        // The default is inserted as written, spaces included.
        assert_eq!(render("[{a| x }]", &[]).unwrap(), "[ x ]");
    }

    #[test]
    fn explicit_empty_default_is_allowed() {
        let t = Template::parse("Hi{x|}!").unwrap();
        assert_eq!(t.names(), vec!["x"]);
        assert_eq!(t.render(|_| None).unwrap(), "Hi!");
        assert_eq!(t.render(|_| Some(" Jo".into())).unwrap(), "HiJo!");
    }

    #[test]
    fn missing_lists_all_missing_names_once_in_order() {
        let err = render(
            "{b} {a|ok} {c} {b} {present} {d}",
            &[("present", "yes"), ("c", "  ")],
        )
        .unwrap_err();
        assert_eq!(err, vec!["b", "c", "d"]);
    }

    #[test]
    fn missing_without_default_even_if_same_name_has_default_elsewhere() {
        let err = render("{x|fallback} {x}", &[]).unwrap_err();
        assert_eq!(err, vec!["x"]);
    }

    #[test]
    fn escapes() {
        let t = Template::parse("{{literal}} and {{{x}}}").unwrap();
        assert_eq!(t.names(), vec!["x"]);
        assert_eq!(t.render(row(&[("x", "v")])).unwrap(), "{literal} and {v}");
        let c = Template::parse("{{}}").unwrap();
        assert!(c.is_constant());
        assert_eq!(c.render(|_| None).unwrap(), "{}");
        assert_eq!(
            Template::parse("a }} b {{")
                .unwrap()
                .render(|_| None)
                .unwrap(),
            "a } b {"
        );
    }

    #[test]
    fn value_with_braces_is_not_reexpanded() {
        let t = Template::parse("Hi {name}").unwrap();
        let out = t
            .render(|n| match n {
                "name" => Some("{other} }} {{".to_string()),
                "other" => Some("EXPANDED".to_string()),
                _ => None,
            })
            .unwrap();
        assert_eq!(out, "Hi {other} }} {{");
        // A `{` inside a placeholder is an error: defaults cannot hold braces either.
        assert_eq!(
            Template::parse("{x|{{y}}}"),
            Err(TemplateError::Unterminated { at: 1 })
        );
    }

    #[test]
    fn parse_errors_say_where() {
        use TemplateError::{EmptyPlaceholder, StrayClose, Unterminated};
        let cases = [
            // Unterminated.
            ("Hi {first_name", Unterminated { at: 4 }),
            ("{", Unterminated { at: 1 }),
            // A new `{` before the first one closed.
            ("ab {x {y}", Unterminated { at: 4 }),
            ("{{ {", Unterminated { at: 4 }),
            // Empty placeholders.
            ("x{}", EmptyPlaceholder { at: 2 }),
            ("ab{|x}", EmptyPlaceholder { at: 3 }),
            ("{  }", EmptyPlaceholder { at: 1 }),
            ("{ |}", EmptyPlaceholder { at: 1 }),
            // Stray closes.
            ("a}b", StrayClose { at: 2 }),
            // `}}}`: one escaped `}`, then a lone one.
            ("}}}", StrayClose { at: 3 }),
            // The placeholder closes at the first `}`; the next one is alone.
            ("{x}}", StrayClose { at: 4 }),
            // Positions count characters, not bytes.
            ("héllo 😀 {name", Unterminated { at: 9 }),
            ("日本語}", StrayClose { at: 4 }),
            ("😀😀{|d}", EmptyPlaceholder { at: 3 }),
        ];
        for (text, error) in cases {
            assert_eq!(Template::parse(text), Err(error), "{text}");
        }
    }

    #[test]
    fn error_messages_say_what_to_do() {
        let e = TemplateError::Unterminated { at: 7 };
        assert_eq!(e.position(), 7);
        let m = e.to_string();
        assert!(m.contains("character 7"), "{m}");
        assert!(m.contains("write {{ for a literal brace"), "{m}");

        let m = TemplateError::EmptyPlaceholder { at: 3 }.to_string();
        assert!(m.contains("character 3"), "{m}");
        assert!(m.contains("no name"), "{m}");
        assert!(m.contains("{{"), "{m}");

        let m = TemplateError::StrayClose { at: 12 }.to_string();
        assert!(m.contains("character 12"), "{m}");
        assert!(m.contains("write }} for a literal brace"), "{m}");
    }

    #[test]
    fn non_ascii_and_emoji() {
        let t = assert_renders(
            "¡Hola {nombre|amigo}! 🎉 {Ciudad Natal} — 日本",
            &["nombre", "Ciudad Natal"],
            &[("nombre", "José 👋"), ("Ciudad Natal", "Zürich")],
            "¡Hola José 👋! 🎉 Zürich — 日本",
        );
        assert_eq!(
            t.render(row(&[("Ciudad Natal", "Kyōto")])).unwrap(),
            "¡Hola amigo! 🎉 Kyōto — 日本"
        );
        // Emoji placeholder names and defaults work too.
        assert_eq!(render("{😀|🙂}", &[]).unwrap(), "🙂");
        assert_eq!(render("{😀|🙂}", &[("😀", "ok")]).unwrap(), "ok");
    }

    #[test]
    fn names_first_appearance_without_defaults() {
        let t = Template::parse("{b|x} {a} {b} {c|} {a|y}").unwrap();
        assert_eq!(t.names(), vec!["b", "a", "c"]);
    }

    #[test]
    fn is_constant() {
        assert!(Template::parse("no fields {{here}}").unwrap().is_constant());
        assert!(!Template::parse("{x|default}").unwrap().is_constant());
        assert!(!Template::parse("a {x} b").unwrap().is_constant());
    }

    #[test]
    fn multiline_text() {
        assert_eq!(
            render("Hi {n},\nsee you\r\n{when|soon}", &[("n", "Al")]).unwrap(),
            "Hi Al,\nsee you\r\nsoon"
        );
    }

    #[test]
    fn find_column_exact_then_case_insensitive_trimmed() {
        let headers = ["First Name", "first name", " EMAIL ", "Phone"];
        assert_eq!(find_column("first name", &headers), Some(1));
        assert_eq!(find_column("First Name", &headers), Some(0));
        assert_eq!(find_column("FIRST NAME", &headers), Some(0));
        assert_eq!(find_column("email", &headers), Some(2));
        assert_eq!(find_column("  phone ", &headers), Some(3));
        assert_eq!(find_column("fax", &headers), None);
        let owned: Vec<String> = vec!["Straße".into()];
        assert_eq!(find_column("STRASSE", &owned), None);
        assert_eq!(find_column("straße", &owned), Some(0));
    }

    mod props {
        use super::super::*;
        use crate::testutil::text_of_pieces;
        use proptest::prelude::*;

        /// Strings rich in the characters the parser cares about.
        fn template_text() -> impl Strategy<Value = String> {
            prop_oneof![
                any::<String>(),
                "[{}|a b é😀\n]{0,40}",
                text_of_pieces(
                    &["{", "}", "{{", "}}", "|"],
                    &["[a-zA-Z 😀]{0,5}", "\\{[a-z ]{1,6}(\\|[a-z😀]{0,3})?\\}"],
                    12,
                ),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2048))]

            /// Any text parses or errs, never panics; a parsed one renders with every value
            /// present, and an error points inside the text.
            #[test]
            fn parse_and_render_never_panic(text in template_text()) {
                match Template::parse(&text) {
                    Ok(t) => {
                        let _ = t.names();
                        let _ = t.is_constant();
                        let out = t.render(|_| Some("v".to_string()));
                        prop_assert!(out.is_ok(), "{:?} -> {:?}", text, out);
                        let _ = t.render(|_| None);
                    }
                    Err(e) => {
                        let n = text.chars().count();
                        prop_assert!(e.position() >= 1 && e.position() <= n, "{:?} -> {:?}", text, e);
                        let _ = e.to_string();
                    }
                }
            }

            /// Any text, escaped, is a constant template that renders back to itself.
            #[test]
            fn escaped_text_round_trips(text in any::<String>()) {
                let escaped = text.replace('{', "{{").replace('}', "}}");
                let t = Template::parse(&escaped);
                prop_assert!(t.is_ok(), "{:?}", t);
                if let Ok(t) = t {
                    prop_assert!(t.is_constant());
                    prop_assert_eq!(t.render(|_| None), Ok(text));
                }
            }

            /// A value is inserted trimmed and never expanded, whatever it holds.
            #[test]
            fn values_inserted_verbatim(value in any::<String>()) {
                let t = Template::parse("<{x}>").map_err(|e| TestCaseError::fail(e.to_string()))?;
                let out = t.render(|_| Some(value.clone()));
                let trimmed = value.trim();
                if trimmed.is_empty() {
                    prop_assert_eq!(out, Err(vec!["x".to_string()]));
                } else {
                    prop_assert_eq!(out, Ok(format!("<{trimmed}>")));
                }
            }
        }
    }
}
