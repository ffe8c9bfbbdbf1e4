//! Redaction of secrets from what the traces write (`-v`, `--log`), at every level.
//!
//! Two nets, both always on:
//!
//! * by name: the value of any JSON field, form field or query parameter named like a secret
//!   ([`is_secret_name`]: `access_token`, `refresh_token`, `client_secret`, `code`,
//!   `password`, `token`, `authorization`, ...), and the credentials after an `Authorization`
//!   scheme (`Bearer`, `Zoho-oauthtoken`, `Basic`), become [`REDACTED`];
//! * by value: every secret the run holds (its client secrets, refresh tokens and every access
//!   token it was given, [`remember`]ed by the token provider) is replaced wherever it
//!   appears in a trace line ([`scrub`]), whatever surrounds it.
//!
//! In JSON, numbers and booleans are kept (a vendor's numeric `code` is an error code, and no
//! token is a number); every string, object or array under a secret name goes.

use std::borrow::Cow;
use std::sync::RwLock;

/// What a secret is replaced by.
pub const REDACTED: &str = "[redacted]";

/// Field names that are secrets whatever their context (compared after lower-casing and
/// turning `-` into `_`).
const SECRET_NAMES: [&str; 12] = [
    "code",
    "token",
    "password",
    "passwd",
    "secret",
    "authorization",
    "api_key",
    "apikey",
    "grant_code",
    "auth_code",
    "authorization_code",
    "signature",
];

/// Parts that make any name containing them a secret's.
const SECRET_PARTS: [&str; 7] = [
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "password",
    "authtoken",
    "accesstoken",
];

/// `Authorization` schemes besides the sign-in services' own: the word after one of them is
/// a credential.
const AUTH_SCHEMES: [&str; 2] = ["bearer", "basic"];

/// Whether `word` is an `Authorization` scheme: a common one, or a sign-in service's.
fn is_auth_scheme(word: &str) -> bool {
    AUTH_SCHEMES.iter().any(|s| word.eq_ignore_ascii_case(s))
        || crate::auth::SERVICES
            .iter()
            .any(|s| word.eq_ignore_ascii_case(s.scheme.prefix()))
}

/// The shortest secret [`remember`] keeps: shorter strings would blot out ordinary words.
const MIN_KNOWN: usize = 6;

/// Whether a field, parameter or header named `name` holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase().replace('-', "_");
    SECRET_NAMES.contains(&name.as_str())
        || SECRET_PARTS.iter().any(|part| name.contains(part))
        || name.ends_with("_secret")
}

/// Query or form pairs as one `k=v&k2=v2` string (form-encoded), secret values redacted.
pub fn pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        if is_secret_name(key) {
            out.append_pair(key, REDACTED);
        } else {
            out.append_pair(key, value);
        }
    }
    out.finish()
}

/// Form fields as `k=v&k2=v2`, decoded for reading (a body line, not a URL), each value
/// shown as [`field`] shows it.
pub fn form<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .map(|(key, value)| format!("{key}={}", field(key, value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// One field's value as a trace shows it: [`REDACTED`] when its name is a secret's, a JSON
/// object or array redacted inside ([`json`]), else as it is.
pub fn field<'a>(name: &str, value: &'a str) -> Cow<'a, str> {
    if is_secret_name(name) {
        return Cow::Borrowed(REDACTED);
    }
    let trimmed = value.trim_start();
    if trimmed.starts_with(['{', '['])
        && let Ok(parsed) = serde_json::from_str::<serde_json::Value>(value)
    {
        return Cow::Owned(json(&parsed).to_string());
    }
    Cow::Borrowed(value)
}

/// A JSON value with the values of its secret-named fields redacted, at any depth.
pub fn json(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let hidden = is_secret_name(k)
                        && matches!(v, Value::String(_) | Value::Object(_) | Value::Array(_));
                    let v = if hidden {
                        Value::String(REDACTED.to_string())
                    } else {
                        json(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(json).collect()),
        other => other.clone(),
    }
}

/// A body (JSON, a form, or any text) with its secrets redacted ([`json`], else [`text`])
/// and known secrets scrubbed, then cut to about `limit` bytes (at a character boundary),
/// saying how long it was. Redaction comes first: a cut never splits a name from its value.
pub fn body(bytes: &[u8], limit: usize) -> String {
    let redacted = match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) => json(&value).to_string(),
        Err(_) => text(&String::from_utf8_lossy(bytes)),
    };
    let redacted = scrub(&redacted).into_owned();
    if redacted.len() <= limit {
        return redacted;
    }
    let mut cut = limit;
    while !redacted.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}... ({} bytes in all)", &redacted[..cut], redacted.len())
}

/// Free text (a form, a query, headers, JSON that does not parse) with the value after any
/// secret name (`name=v`, `"name": "v"`, `name: v`) and the credential after an
/// `Authorization` scheme redacted. The text is read as words; a name counts only as a whole
/// word (`postcode=...` is not a `code`).
pub fn text(input: &str) -> String {
    let bytes = input.as_bytes();
    // The values to redact. Scanning goes on from the start of each value, not its end, so
    // that a name inside what looked like a value (`token= "access_token":"..."`) is found
    // too; overlapping ranges are merged below.
    let mut hidden: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_word(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word(bytes[i]) {
            i += 1;
        }
        let word = &input[start..i];
        let value = if is_auth_scheme(word) {
            credential_after(bytes, i)
        } else if is_secret_name(word) {
            value_after(bytes, i, word.eq_ignore_ascii_case("authorization"))
        } else {
            None
        };
        // A value redacted before (a body redacted twice) stays as it is.
        if let Some((from, to)) = value.filter(|&(from, _)| !input[from..].starts_with(REDACTED)) {
            hidden.push((from, to));
            i = from;
        }
    }
    hidden.sort_unstable();
    let mut out = String::with_capacity(input.len());
    // Everything before `copied` is in `out`.
    let mut copied = 0;
    for (from, to) in hidden {
        if to <= copied {
            continue;
        }
        if from >= copied {
            out.push_str(&input[copied..from]);
            out.push_str(REDACTED);
        }
        copied = to;
    }
    out.push_str(&input[copied..]);
    out
}

/// Letters, digits, `_` and `-`: what names (and scheme names) are made of.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// After a secret name ending at `at`: a closing quote, spaces, `=` or `:`, spaces, then the
/// value's byte range (inside its quotes, if quoted). `to_line`: an unquoted value runs to the
/// end of the line (an `Authorization` header's scheme and credential).
fn value_after(bytes: &[u8], at: usize, to_line: bool) -> Option<(usize, usize)> {
    let mut i = at;
    if matches!(bytes.get(i), Some(b'"' | b'\'')) {
        i += 1;
    }
    i = skip_spaces(bytes, i);
    if !matches!(bytes.get(i), Some(b'=' | b':')) {
        return None;
    }
    i = skip_spaces(bytes, i + 1);
    match bytes.get(i) {
        Some(&quote @ (b'"' | b'\'')) => Some(quoted(bytes, i + 1, quote)),
        Some(_) => {
            let end = if to_line {
                scan(bytes, i, |b| matches!(b, b'\n' | b'\r' | b'"' | b'\''))
            } else {
                scan(bytes, i, ends_value)
            };
            (end > i).then_some((i, end))
        }
        None => None,
    }
}

/// After a scheme word ending at `at`: spaces (at least one), then the credential.
fn credential_after(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let i = skip_spaces(bytes, at);
    if i == at || i >= bytes.len() {
        return None;
    }
    let end = scan(bytes, i, ends_value);
    (end > i).then_some((i, end))
}

/// The content of a quoted value starting at `from` (after the opening quote): up to the
/// closing `quote` not escaped by a backslash, or the end.
fn quoted(bytes: &[u8], from: usize, quote: u8) -> (usize, usize) {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return (from, i),
            _ => i += 1,
        }
    }
    (from, bytes.len())
}

/// What ends an unquoted value.
fn ends_value(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'&' | b',' | b';' | b'"' | b'\'' | b'}' | b']' | b')' | b'<' | b'>'
        )
}

fn skip_spaces(bytes: &[u8], from: usize) -> usize {
    scan(bytes, from, |b| !matches!(b, b' ' | b'\t'))
}

/// The index of the first byte from `from` on for which `stop` holds, or the length.
fn scan(bytes: &[u8], from: usize, stop: impl Fn(u8) -> bool) -> usize {
    let from = from.min(bytes.len());
    bytes[from..]
        .iter()
        .position(|&b| stop(b))
        .map_or(bytes.len(), |p| from + p)
}

/// The secrets [`scrub`] replaces, newest last.
static KNOWN: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Adds a secret the run holds (a client secret, a refresh token, an access token) to those
/// every trace line is scrubbed of. Strings shorter than a few characters are not kept.
pub fn remember(secret: &str) {
    if secret.len() < MIN_KNOWN {
        return;
    }
    let mut known = KNOWN.write().unwrap_or_else(|e| e.into_inner());
    if !known.iter().any(|k| k == secret) {
        known.push(secret.to_string());
    }
}

/// `text` with every [`remember`]ed secret replaced by [`REDACTED`].
pub fn scrub(text: &str) -> Cow<'_, str> {
    let known = KNOWN.read().unwrap_or_else(|e| e.into_inner());
    scrub_with(text, &known)
}

/// `text` with every one of `secrets` replaced by [`REDACTED`] (longest first, so that a
/// secret containing another goes whole).
fn scrub_with<'a>(text: &'a str, secrets: &[String]) -> Cow<'a, str> {
    let mut found: Vec<&String> = secrets
        .iter()
        .filter(|s| !s.is_empty() && text.contains(s.as_str()))
        .collect();
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    found.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = text.to_string();
    for secret in found {
        out = out.replace(secret.as_str(), REDACTED);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json as j;

    /// Secret names as the vendors and the HTTP headers spell them.
    const SECRET_NAMES: [&str; 7] = [
        "access_token",
        "refresh_token",
        "client_secret",
        "code",
        "password",
        "token",
        "Authorization",
    ];

    #[test]
    fn names() {
        for name in SECRET_NAMES.into_iter().chain([
            "Access-Token",
            "zoho_refresh_token",
            "ZOOM_CLIENT_SECRET",
            "oauthtoken",
            "user_password",
        ]) {
            assert!(is_secret_name(name), "{name}");
        }
        // A paging cursor is not a credential; a postcode is not a grant code.
        for name in [
            "postcode",
            "country_code",
            "next_page_token",
            "mobile",
            "grant_type",
            "expires_in",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn query_pairs() {
        let q = pairs([
            ("grant_type", "refresh_token"),
            ("refresh_token", "1000.abc"),
            ("client_secret", "s e/c"),
            ("page", "2"),
        ]);
        assert_eq!(
            q,
            "grant_type=refresh_token&refresh_token=%5Bredacted%5D&client_secret=%5Bredacted%5D&page=2"
        );
        assert!(!q.contains("1000.abc"));
    }

    #[test]
    fn form_fields_are_decoded_and_redacted() {
        let f = form([
            ("contact", r#"{"first_name":"Ann","token":"t1"}"#),
            ("refresh_token", "r1"),
            ("note", "a b&c"),
        ]);
        assert_eq!(
            f,
            r#"contact={"first_name":"Ann","token":"[redacted]"}&refresh_token=[redacted]&note=a b&c"#
        );
        assert_eq!(field("list", "[1,"), "[1,");
    }

    #[test]
    fn json_fields_at_any_depth() {
        let v = j!({
            "access_token": "1000.tok",
            "code": "INVALID_TOKEN",
            "status": 0,
            "data": [{"token": {"value": "t"}, "name": "Ann", "code": 57}],
            "nested": {"Refresh-Token": "r", "password": null},
        });
        let shown = json(&v).to_string();
        for secret in ["1000.tok", "INVALID_TOKEN", "\"t\"", "\"r\""] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("\"code\":57"), "{shown}");
        assert!(shown.contains("\"name\":\"Ann\""), "{shown}");
        assert!(shown.contains("\"password\":null"), "{shown}");
    }

    #[test]
    fn text_forms_headers_and_broken_json() {
        let cases = [
            (
                "grant_type=refresh_token&client_id=x&client_secret=SEC1&refresh_token=REF1",
                "grant_type=refresh_token&client_id=x&client_secret=[redacted]&refresh_token=[redacted]",
            ),
            (
                "Authorization: Zoho-oauthtoken 1000.AT1\r\nAccept: */*",
                "Authorization: [redacted]\r\nAccept: */*",
            ),
            ("header Bearer AT2, more", "header Bearer [redacted], more"),
            (
                r#"{"access_token":"AT3","expires_in":3600,"api_domain":"x"#,
                r#"{"access_token":"[redacted]","expires_in":3600,"api_domain":"x"#,
            ),
            (r#"{"code" : "G\"R1" }"#, r#"{"code" : "[redacted]" }"#),
            ("postcode=12345&code=GC1", "postcode=12345&code=[redacted]"),
            ("token:", "token:"),
            (
                "token=[redacted]&code=[redacted]",
                "token=[redacted]&code=[redacted]",
            ),
            (
                r#"token= "access_token":"AT4""#,
                r#"token= "[redacted]":"[redacted]""#,
            ),
            ("token", "token"),
            ("Basic", "Basic"),
        ];
        for (input, want) in cases {
            assert_eq!(text(input), want, "{input}");
        }
    }

    #[test]
    fn bodies_are_redacted_then_cut() {
        let long = format!(
            r#"{{"refresh_token":"R9","list":"{}"}}"#,
            "x".repeat(10_000)
        );
        let shown = body(long.as_bytes(), 100);
        assert!(!shown.contains("R9"));
        assert!(shown.ends_with("bytes in all)"), "{shown}");
        assert!(shown.len() < 150);
        // A cut inside a multi-byte character moves back to its start.
        let accents = "é".repeat(100);
        let shown = body(accents.as_bytes(), 51);
        assert!(shown.starts_with(&"é".repeat(25)));
        assert_eq!(body(b"\xff\xfe plain", 100), "\u{fffd}\u{fffd} plain");
        assert_eq!(body(b"", 100), "");
    }

    #[test]
    fn known_secrets_are_scrubbed_anywhere() {
        let known = vec!["abcdef".to_string(), "abcdefgh".to_string()];
        assert_eq!(
            scrub_with("x=abcdefgh y=abcdef zabcdefz", &known),
            "x=[redacted] y=[redacted] z[redacted]z"
        );
        assert!(matches!(scrub_with("nothing", &known), Cow::Borrowed(_)));
        remember("tiny");
        remember("sandbox-test-secret-42");
        assert_eq!(scrub("a sandbox-test-secret-42 b"), "a [redacted] b");
        assert_eq!(scrub("tiny"), "tiny");
    }

    /// A secret that arbitrary text around it cannot contain by chance.
    fn secret() -> impl Strategy<Value = String> {
        "[A-Za-z0-9._~-]{12,40}".prop_map(|s| format!("SeCrEt{s}"))
    }

    fn name() -> impl Strategy<Value = String> {
        let names = SECRET_NAMES.into_iter().chain(["ZOHO_CLIENT_SECRET"]);
        prop::sample::select(names.collect::<Vec<_>>()).prop_map(str::to_string)
    }

    /// `name` and `value` written the ways a trace may meet them.
    fn embedded(name: &str, value: &str, how: usize) -> String {
        match how % 7 {
            0 => format!("{name}={value}"),
            1 => format!("\"{name}\":\"{value}\""),
            2 => format!("\"{name}\" : \"{value}\""),
            3 => format!("{name}: {value}"),
            4 => format!("'{name}': '{value}'"),
            5 => format!("Authorization: Bearer {value}"),
            _ => format!("Zoho-oauthtoken {value}"),
        }
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400), limit in 0usize..300) {
            let shown = body(&bytes, limit);
            prop_assert!(shown.len() <= limit + 40, "{} > {limit}", shown.len());
            let _ = text(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn an_embedded_secret_never_shows(
            before in ".{0,60}",
            after in ".{0,60}",
            sep in prop::sample::select(vec![" ", "&", "\n", ",", "{", "?"]),
            end in prop::sample::select(vec!["", " ", "&", "\n", ",", "}", "\""]),
            name in name(),
            value in secret(),
            how in 0usize..7,
        ) {
            let input = format!("{before}{sep}{}{end}{after}", embedded(&name, &value, how));
            let shown = text(&input);
            prop_assert!(!shown.contains(&value), "{input:?} -> {shown:?}");
            let shown = body(input.as_bytes(), 10_000);
            prop_assert!(!shown.contains(&value), "{input:?} -> {shown:?}");
        }

        #[test]
        fn a_secret_in_json_never_shows(
            name in name(),
            value in secret(),
            other in "[a-z]{1,8}",
            depth in 0usize..4,
            filler in prop::collection::vec(".{0,20}", 0..4),
        ) {
            let mut v = serde_json::json!({ name.as_str(): value.as_str() });
            for (i, f) in filler.iter().enumerate() {
                v[format!("{other}{i}")] = serde_json::Value::String(f.clone());
            }
            for _ in 0..depth {
                v = serde_json::json!({ other.as_str(): [v] });
            }
            let text = v.to_string();
            let shown = body(text.as_bytes(), 100_000);
            prop_assert!(!shown.contains(&value), "{text} -> {shown}");
        }

        #[test]
        fn a_known_secret_never_shows(before in ".{0,80}", after in ".{0,80}", value in secret()) {
            let known = vec![value.clone()];
            let input = format!("{before}{value}{after}");
            let shown = scrub_with(&input, &known);
            prop_assert!(!shown.contains(&value), "{input:?} -> {shown:?}");
        }
    }
}
