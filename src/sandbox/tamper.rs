//! Tampering: a service that keeps a field otherwise than it was sent. It is what the canary
//! and `check --write` exist to catch on a real service (a field truncated, a field an update
//! ignores), so the sandbox can play it: the request of a contact write is rewritten before the
//! endpoint sees it, which stays the pages' own behaviour.
//!
//! - `store_altered`: the named field is stored with its last character cut (on create and
//!   update), as a service that truncates does;
//! - `drop_on_update`: the named field is left out of every update, so that the record keeps
//!   its old value, as a service that ignores the field on update does.
//!
//! The field is named as the API names it (`last_name`, `company`; Zoom's `phone_numbers` and
//! `emails` lists are altered in their first element).

use serde_json::{Map, Value};

use super::wire::Req;
use crate::scopes::Access;

/// What to tamper with, from the sandbox's configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tamper<'a> {
    pub store_altered: Option<&'a str>,
    pub drop_on_update: Option<&'a str>,
}

impl Tamper<'_> {
    fn is_off(&self) -> bool {
        self.store_altered.is_none() && self.drop_on_update.is_none()
    }

    /// The request a write of `op` becomes, or `None` when it is left as it came. Voice
    /// carries the contact as a JSON string in its `contact` parameter (query or form); the
    /// other APIs as a JSON body.
    pub fn rewrite(&self, op: Access, voice: bool, req: &Req) -> Option<Req> {
        if self.is_off() || !matches!(op, Access::Create | Access::Update) {
            return None;
        }
        let mut out = req.clone();
        if voice {
            let contact = req.param("contact")?;
            let mut value: Value = serde_json::from_str(&contact).ok()?;
            self.fields(op, value.as_object_mut()?);
            let text = value.to_string();
            if let Some(q) = out.query.iter_mut().find(|(k, _)| k == "contact") {
                q.1 = text.clone();
            }
            let form = req.form();
            if form.iter().any(|(k, _)| k == "contact") {
                let mut body = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in &form {
                    body.append_pair(k, if k == "contact" { &text } else { v });
                }
                out.body = body.finish().into_bytes().into();
            }
        } else {
            let mut value = req.json().ok()?;
            self.fields(op, value.as_object_mut()?);
            out.body = value.to_string().into_bytes().into();
        }
        Some(out)
    }

    fn fields(&self, op: Access, fields: &mut Map<String, Value>) {
        if op == Access::Update
            && let Some(name) = self.drop_on_update
        {
            fields.remove(name);
        }
        if let Some(name) = self.store_altered
            && let Some(value) = fields.get_mut(name)
        {
            alter(value);
        }
    }
}

/// Cuts the last character of a text, or of a list's first text.
fn alter(value: &mut Value) {
    match value {
        Value::String(s) => {
            s.pop();
        }
        Value::Array(items) => {
            if let Some(first) = items.first_mut() {
                alter(first);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue, Method, header};

    fn req(query: Vec<(String, String)>, body: &str, form: bool) -> Req {
        let mut headers = HeaderMap::new();
        let ct = if form {
            "application/x-www-form-urlencoded"
        } else {
            "application/json"
        };
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        Req {
            method: Method::POST,
            path: "/x".into(),
            query,
            headers,
            body: body.to_string().into_bytes().into(),
        }
    }

    #[test]
    fn a_json_body_is_altered_and_an_update_drops_the_field() {
        let t = Tamper {
            store_altered: Some("last_name"),
            drop_on_update: Some("company"),
        };
        let r = req(vec![], r#"{"last_name":"Smith","company":"Acme"}"#, false);
        let created = t.rewrite(Access::Create, false, &r).expect("rewritten");
        let v = created.json().expect("json");
        assert_eq!(v["last_name"], "Smit");
        assert_eq!(v["company"], "Acme");
        let updated = t.rewrite(Access::Update, false, &r).expect("rewritten");
        let v = updated.json().expect("json");
        assert_eq!(v.get("company"), None);
        assert!(t.rewrite(Access::Read, false, &r).is_none());
        assert!(
            Tamper::default()
                .rewrite(Access::Create, false, &r)
                .is_none()
        );
    }

    #[test]
    fn voice_contact_parameter_is_rewritten_where_it_travels() {
        let t = Tamper {
            store_altered: Some("first_name"),
            drop_on_update: None,
        };
        let contact = r#"{"first_name":"Ann","mobile":"+12015550123"}"#;
        let q = req(vec![("contact".into(), contact.into())], "", false);
        let out = t.rewrite(Access::Update, true, &q).expect("rewritten");
        assert!(out.param("contact").expect("contact").contains("\"An\""));
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("contact", contact)
            .finish();
        let f = req(vec![], &body, true);
        let out = t.rewrite(Access::Create, true, &f).expect("rewritten");
        assert!(out.param("contact").expect("contact").contains("\"An\""));
    }

    #[test]
    fn lists_are_altered_in_their_first_element() {
        let mut v = serde_json::json!(["+12015550123", "+12015550124"]);
        alter(&mut v);
        assert_eq!(v, serde_json::json!(["+1201555012", "+12015550124"]));
    }
}
