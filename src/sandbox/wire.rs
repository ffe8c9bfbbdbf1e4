//! Request and response plumbing shared by the emulated APIs: a parsed request, URL-encoded
//! and multipart bodies, JSON answers, and UTC date formatting (no date crate needed).

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// A request, read whole: the emulated APIs parse their parameters themselves so that every
/// error answers in the vendor's shape, never in the web framework's.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Req {
    /// The non-empty path segments.
    pub fn segments(&self) -> Vec<&str> {
        self.path.split('/').filter(|s| !s.is_empty()).collect()
    }

    /// The first query parameter named `key`.
    pub fn query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The request's content type, lowercased, without parameters.
    pub fn content_type(&self) -> String {
        self.header(header::CONTENT_TYPE.as_str())
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }

    /// A header as text, if present and valid.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body's fields when it is `application/x-www-form-urlencoded`.
    pub fn form(&self) -> Vec<(String, String)> {
        if self.content_type() == "application/x-www-form-urlencoded" {
            parse_urlencoded(&String::from_utf8_lossy(&self.body))
        } else {
            Vec::new()
        }
    }

    /// A parameter from the form body, else from the query string.
    pub fn param(&self, key: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .or_else(|| self.query(key).map(str::to_string))
    }

    /// The body as JSON, or a message saying why not.
    pub fn json(&self) -> Result<Value, String> {
        if self.body.is_empty() {
            return Err("the request body is empty".to_string());
        }
        serde_json::from_slice(&self.body).map_err(|e| format!("the body is not valid JSON: {e}"))
    }
}

/// A JSON answer.
pub fn json(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// An error in the `{"code": N, "message": ...}` shape that Zoho Books and Zoom share.
#[derive(Debug, Clone, PartialEq)]
pub struct CodedError {
    pub status: StatusCode,
    pub code: i64,
    pub message: String,
}

impl CodedError {
    pub fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        CodedError {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for CodedError {
    fn into_response(self) -> Response {
        json(
            self.status,
            serde_json::json!({"code": self.code, "message": self.message}),
        )
    }
}

/// An empty answer (e.g. Zoom's 204).
pub fn empty(status: StatusCode) -> Response {
    status.into_response()
}

/// Adds a header to an answer.
pub fn with_header(mut r: Response, name: header::HeaderName, value: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
    r
}

/// Decodes `a=1&b=x%20y+z` into pairs (`+` is a space, bad escapes are kept as they are).
pub fn parse_urlencoded(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

/// Splits a `multipart/form-data` body into its parts, or says why it cannot.
pub fn parse_multipart(req: &Req) -> Result<Vec<Part>, String> {
    let ct = req.header(header::CONTENT_TYPE.as_str()).unwrap_or("");
    if !ct.to_ascii_lowercase().starts_with("multipart/form-data") {
        return Err("the body must be multipart/form-data".to_string());
    }
    let boundary = ct
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim_matches('"').to_string())
        .ok_or("the multipart content type has no boundary")?;
    let delim = format!("--{boundary}");
    let body = &req.body[..];
    let finder = memchr::memmem::Finder::new(delim.as_bytes());
    let starts: Vec<usize> = finder.find_iter(body).collect();
    if starts.len() < 2 {
        return Err("the multipart body has no parts".to_string());
    }
    let mut parts = Vec::new();
    for w in starts.windows(2) {
        let mut chunk = &body[w[0] + delim.len()..w[1]];
        chunk = chunk.strip_prefix(b"\r\n").unwrap_or(chunk);
        chunk = chunk.strip_suffix(b"\r\n").unwrap_or(chunk);
        let Some(split) = memchr::memmem::find(chunk, b"\r\n\r\n") else {
            return Err("a multipart part has no header end".to_string());
        };
        let head = String::from_utf8_lossy(&chunk[..split]);
        let data = chunk[split + 4..].to_vec();
        let mut name = None;
        let mut filename = None;
        let mut content_type = None;
        for line in head.lines() {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                for attr in v.split(';').skip(1) {
                    if let Some((ak, av)) = attr.trim().split_once('=') {
                        let av = av.trim_matches('"').to_string();
                        match ak.trim() {
                            "name" => name = Some(av),
                            "filename" => filename = Some(av),
                            _ => {}
                        }
                    }
                }
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(v.trim().to_string());
            }
        }
        let name = name.ok_or("a multipart part has no name")?;
        parts.push(Part {
            name,
            filename,
            content_type,
            data,
        });
    }
    Ok(parts)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `yyyy-MM-dd HH:mm` in UTC, as Zoho Voice shows `sentTime`.
pub fn format_minute(ms: u64) -> String {
    let at = jiff::Timestamp::from_millisecond(i64::try_from(ms).unwrap_or(i64::MAX))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    at.strftime("%Y-%m-%d %H:%M").to_string()
}

/// Parses `yyyy-MM-dd` into a day number (days since 1970-01-01).
pub fn parse_date(s: &str) -> Option<i64> {
    let date: jiff::civil::Date = s.trim().parse().ok()?;
    let midnight = jiff::tz::TimeZone::UTC
        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .ok()?;
    Some(midnight.as_second().div_euclid(86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencoded_decodes_escapes_and_plus() {
        let p = parse_urlencoded("contact=%7B%22a%22%3A1%7D&x=a+b&bad=%zz&e");
        assert_eq!(p[0], ("contact".into(), "{\"a\":1}".into()));
        assert_eq!(p[1], ("x".into(), "a b".into()));
        assert_eq!(p[2], ("bad".into(), "%zz".into()));
        assert_eq!(p[3], ("e".into(), "".into()));
        assert_eq!(percent_decode("50%"), "50%");
        assert_eq!(percent_decode("%4"), "%4");
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(
            parse_date("2024-03-01"),
            Some(parse_date("2024-02-29").unwrap() + 1)
        );
        assert_eq!(format_minute(1_667_381_258_698), "2022-11-02 09:27");
        assert_eq!(parse_date("2022-11-02"), Some(19_298));
        assert_eq!(parse_date("2022-13-02"), None);
        assert_eq!(parse_date("nope"), None);
    }

    #[test]
    fn multipart_parts_are_split() {
        let body = "--XX\r\nContent-Disposition: form-data; name=\"sms_data\"\r\n\r\n{\"a\":1}\r\n\
                    --XX\r\nContent-Disposition: form-data; name=\"mms_media\"; filename=\"p.jpg\"\r\n\
                    Content-Type: image/jpeg\r\n\r\nJPEG\r\n--XX--\r\n";
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data; boundary=XX"),
        );
        let req = Req {
            method: Method::POST,
            path: "/".into(),
            query: vec![],
            headers,
            body: Bytes::from(body),
        };
        let parts = parse_multipart(&req).expect("parts");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "sms_data");
        assert_eq!(parts[0].data, b"{\"a\":1}");
        assert_eq!(parts[1].filename.as_deref(), Some("p.jpg"));
        assert_eq!(parts[1].content_type.as_deref(), Some("image/jpeg"));
        assert_eq!(parts[1].data, b"JPEG");
    }
}
