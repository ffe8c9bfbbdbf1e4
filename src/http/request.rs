//! Base URLs (replaceable by `--base-url`) and the description of one request.
//!
//! A request is kept as plain data, not as a reqwest builder, so that every attempt can be
//! built afresh (a multipart body cannot be cloned once built).

use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde::Serialize;

/// Why a base URL or a path could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("{0:?} is not a URL")]
    Invalid(String),
    #[error("{0:?}: only http and https URLs are supported")]
    Scheme(String),
    #[error(
        "{0:?}: give only the scheme, host and port (e.g. http://127.0.0.1:8080); the API's path is kept"
    )]
    HasPath(String),
    #[error("path {0:?} must start with '/'")]
    Path(String),
}

/// The scheme, host and port of an API: `https://voice.zoho.com`, or what `--base-url` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    origin: String,
}

impl BaseUrl {
    /// Parses `http(s)://host[:port]` (a trailing `/` is fine; a path, query, fragment or
    /// user name is not).
    pub fn parse(text: &str) -> Result<BaseUrl, UrlError> {
        let url = Url::parse(text.trim()).map_err(|_| UrlError::Invalid(text.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(UrlError::Scheme(text.to_string()));
        }
        if url.host_str().is_none() {
            return Err(UrlError::Invalid(text.to_string()));
        }
        if url.path() != "/"
            || url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(UrlError::HasPath(text.to_string()));
        }
        Ok(BaseUrl {
            origin: url.origin().ascii_serialization(),
        })
    }

    /// The documented base, unless the user replaced it (`--base-url`, `--accounts-url`).
    pub fn resolve(documented: &str, replacement: Option<&str>) -> Result<BaseUrl, UrlError> {
        BaseUrl::parse(replacement.unwrap_or(documented))
    }

    /// `scheme://host[:port]`, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.origin
    }

    /// The full URL of `path` (which starts with `/`) on this base.
    pub fn join(&self, path: &str) -> Result<Url, UrlError> {
        if !path.starts_with('/') {
            return Err(UrlError::Path(path.to_string()));
        }
        Url::parse(&format!("{}{}", self.origin, path))
            .map_err(|_| UrlError::Path(path.to_string()))
    }
}

impl std::fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.origin)
    }
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub(super) name: String,
    pub(super) data: Vec<u8>,
    pub(super) file_name: Option<String>,
    mime: Option<String>,
}

impl Part {
    /// A text field.
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Part {
        Part {
            name: name.into(),
            data: value.into().into_bytes(),
            file_name: None,
            mime: None,
        }
    }

    /// A file: its bytes, file name and MIME type (e.g. "text/csv").
    pub fn file(
        name: impl Into<String>,
        file_name: impl Into<String>,
        data: Vec<u8>,
        mime: impl Into<String>,
    ) -> Part {
        Part {
            name: name.into(),
            data,
            file_name: Some(file_name.into()),
            mime: Some(mime.into()),
        }
    }
}

/// A request body.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Body {
    #[default]
    Empty,
    Json(serde_json::Value),
    Form(Vec<(String, String)>),
    Multipart(Vec<Part>),
}

/// One API request: method, path on the target's base URL, query, body, and whether it is
/// safe to repeat. Authentication is added by the client.
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Body,
    headers: Vec<(HeaderName, HeaderValue)>,
    idempotent: bool,
}

impl Request {
    /// A request; idempotent by default for GET, HEAD, PUT, PATCH and DELETE (which the
    /// supported APIs apply to one record by id), not for POST.
    pub fn new(method: Method, path: impl Into<String>) -> Request {
        let idempotent = method != Method::POST;
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: Body::Empty,
            headers: Vec::new(),
            idempotent,
        }
    }

    pub fn get(path: impl Into<String>) -> Request {
        Request::new(Method::GET, path)
    }

    pub fn post(path: impl Into<String>) -> Request {
        Request::new(Method::POST, path)
    }

    pub fn put(path: impl Into<String>) -> Request {
        Request::new(Method::PUT, path)
    }

    pub fn patch(path: impl Into<String>) -> Request {
        Request::new(Method::PATCH, path)
    }

    pub fn delete(path: impl Into<String>) -> Request {
        Request::new(Method::DELETE, path)
    }

    /// Adds a query parameter.
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Request {
        self.query.push((key.into(), value.into()));
        self
    }

    /// A JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Request, serde_json::Error> {
        self.body = Body::Json(serde_json::to_value(body)?);
        Ok(self)
    }

    /// A JSON body, already a value.
    pub fn json_value(mut self, body: serde_json::Value) -> Request {
        self.body = Body::Json(body);
        self
    }

    /// A form (`application/x-www-form-urlencoded`) body.
    pub fn form(mut self, fields: Vec<(String, String)>) -> Request {
        self.body = Body::Form(fields);
        self
    }

    /// A multipart body.
    pub fn multipart(mut self, parts: Vec<Part>) -> Request {
        self.body = Body::Multipart(parts);
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Request {
        self.headers.push((name, value));
        self
    }

    /// Says whether repeating the request is harmless, overriding the method's default.
    pub fn idempotent(mut self, idempotent: bool) -> Request {
        self.idempotent = idempotent;
        self
    }

    /// Whether repeating the request is harmless.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent
    }

    pub fn method(&self) -> &Method {
        &self.method
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn body(&self) -> &Body {
        &self.body
    }

    /// The query parameters, in order.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// The value of the query parameter `key`, if set.
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Builds one attempt of this request on `base`, with `auth` as the Authorization header.
    pub(crate) fn build(
        &self,
        client: &reqwest::Client,
        base: &BaseUrl,
        auth: Option<HeaderValue>,
    ) -> Result<reqwest::RequestBuilder, String> {
        let url = base.join(&self.path).map_err(|e| e.to_string())?;
        let mut builder = client
            .request(self.method.clone(), url)
            .header(reqwest::header::ACCEPT, "application/json");
        if !self.query.is_empty() {
            builder = builder.query(&self.query);
        }
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        if let Some(auth) = auth {
            builder = builder.header(reqwest::header::AUTHORIZATION, auth);
        }
        builder = match &self.body {
            Body::Empty => builder,
            Body::Json(value) => builder.json(value),
            Body::Form(fields) => builder.form(fields),
            Body::Multipart(parts) => {
                let mut form = reqwest::multipart::Form::new();
                for part in parts {
                    let mut p = reqwest::multipart::Part::bytes(part.data.clone());
                    if let Some(file_name) = &part.file_name {
                        p = p.file_name(file_name.clone());
                    }
                    if let Some(mime) = &part.mime {
                        p = p
                            .mime_str(mime)
                            .map_err(|_| format!("bad MIME type {mime:?}"))?;
                    }
                    form = form.part(part.name.clone(), p);
                }
                builder.multipart(form)
            }
        };
        Ok(builder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let b = BaseUrl::parse("https://voice.zoho.com").expect("valid");
        assert_eq!(b.as_str(), "https://voice.zoho.com");
        for (text, shown) in [
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
            ("https://example.com:443", "https://example.com"),
        ] {
            assert_eq!(
                BaseUrl::parse(text).map(|b| b.to_string()),
                Ok(shown.to_string())
            );
        }
        assert!(matches!(
            BaseUrl::parse("ftp://x"),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(
            BaseUrl::parse("nonsense"),
            Err(UrlError::Invalid(_))
        ));
        for text in ["http://x/api", "http://u:p@x", "http://x/?a=1"] {
            let parsed = BaseUrl::parse(text);
            assert!(matches!(parsed, Err(UrlError::HasPath(_))), "{parsed:?}");
        }
    }

    #[test]
    fn resolve_keeps_the_documented_path() {
        let b = BaseUrl::resolve("https://voice.zoho.com", Some("http://127.0.0.1:9000"))
            .expect("valid");
        let url = b.join("/rest/json/zv/contacts").expect("valid");
        assert_eq!(url.as_str(), "http://127.0.0.1:9000/rest/json/zv/contacts");
        let b = BaseUrl::resolve("https://voice.zoho.com", None).expect("valid");
        assert_eq!(
            b.join("/rest/json/zv/contacts").map(String::from),
            Ok("https://voice.zoho.com/rest/json/zv/contacts".to_string())
        );
        assert!(matches!(b.join("rest"), Err(UrlError::Path(_))));
    }

    #[test]
    fn idempotency_defaults() {
        assert!(!Request::post("/x").is_idempotent());
        assert!(Request::put("/x").is_idempotent());
        assert!(Request::get("/x").is_idempotent());
        assert!(Request::delete("/x").is_idempotent());
        assert!(Request::patch("/x").is_idempotent());
        assert!(Request::post("/x").idempotent(true).is_idempotent());
    }

    #[test]
    fn builds_query_body_and_auth() {
        let client = reqwest::Client::new();
        let base = BaseUrl::parse("http://127.0.0.1:1").expect("valid");
        let req = Request::post("/books/v3/contacts/contactpersons")
            .query("organization_id", "10234695")
            .json(&serde_json::json!({"first_name": "Will"}))
            .expect("serializable");
        let built = req
            .build(
                &client,
                &base,
                Some(HeaderValue::from_static("Zoho-oauthtoken abc")),
            )
            .and_then(|b| b.build().map_err(|e| e.to_string()))
            .expect("builds");
        assert_eq!(
            built.url().as_str(),
            "http://127.0.0.1:1/books/v3/contacts/contactpersons?organization_id=10234695"
        );
        assert_eq!(
            built
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok()),
            Some("Zoho-oauthtoken abc")
        );
        assert_eq!(
            built.body().and_then(|b| b.as_bytes()),
            Some(&br#"{"first_name":"Will"}"#[..])
        );
        let multipart = Request::post("/upload").multipart(vec![Part::file(
            "file",
            "a.csv",
            b"x".to_vec(),
            "not a mime",
        )]);
        assert!(multipart.build(&client, &base, None).is_err());
    }
}
