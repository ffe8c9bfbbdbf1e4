//! The sandbox over real HTTP: every endpoint of every emulated API, with the vendors' exact
//! shapes, validation errors, pagination, OAuth limits, token expiry, rate limiting and faults.

mod common;

use std::time::Duration;

use bulkline::sandbox::{ConfigPatch, Direction, Sandbox, SandboxConfig, seed};
use common::tokens::{zoho_token, zoom_token};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// The sandbox's sender id: the current pages make it required.
const SENDER: &str = seed::SMS_SENDER_ID;

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn start(config: SandboxConfig) -> Sandbox {
    match Sandbox::start(config).await {
        Ok(s) => s,
        Err(e) => panic!("sandbox did not start: {e}"),
    }
}

fn zoho(t: &str) -> String {
    format!("Zoho-oauthtoken {t}")
}

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

async fn send_json(
    rb: reqwest::RequestBuilder,
) -> Result<(StatusCode, Value), Box<dyn std::error::Error>> {
    let r = rb.send().await?;
    let status = r.status();
    let text = r.text().await?;
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Ok((status, body))
}

const VOICE: &str = "/rest/json/zv/contacts";

fn books_url(url: &str, path: &str) -> String {
    format!(
        "{url}/books/v3/contacts{path}?organization_id={}",
        seed::BOOKS_ORGANIZATION_ID
    )
}

fn zoom_url(url: &str, rest: &str) -> String {
    format!(
        "{url}/v2/contact_center/address_books/{}/contacts{rest}",
        seed::ZOOM_ADDRESS_BOOK_ID
    )
}

// ---------------------------------------------------------------- Zoho Voice contacts

#[tokio::test]
async fn voice_contacts_crud_with_exact_shapes() -> TestResult {
    let sb = start(SandboxConfig::default()).await;
    let (c, url) = (Client::new(), sb.url());
    let t = zoho_token(&c, &url).await?;

    // Create with the contact as a JSON string in a form body.
    let contact = json!({"first_name": "Ann", "last_name": "Lee", "mobile": "+12015550123",
        "email": "ann@example.com", "contact_status": {"id": "1000000000031", "display_value": "VIP"}});
    let (s, b) = send_json(
        c.post(format!("{url}{VOICE}"))
            .header("Authorization", zoho(&t))
            .form(&[("contact", contact.to_string())]),
    )
    .await?;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["code"], "200");
    assert_eq!(b["status"], "SUCCESS");
    let created = &b["contacts"];
    assert!(
        created["contact_id"].is_u64(),
        "create gives a numeric id: {b}"
    );
    assert!(created["contact_owner"].is_u64());
    assert!(created["created_time"].is_u64());
    assert_eq!(created["number"], json!(["+12015550123"]));
    assert_eq!(created["mobile2"], "");
    assert_eq!(created["contact_status"]["display_value"], "VIP");
    let id = created["contact_id"].as_u64().ok_or("id")?;

    // Create with the contact in the query string.
    let (s, b) = send_json(
        c.post(format!("{url}{VOICE}"))
            .header("Authorization", zoho(&t))
            .query(&[("contact", r#"{"first_name":"Bo","mobile":"+14155550100"}"#)]),
    )
    .await?;
    assert_eq!(s, StatusCode::OK, "{b}");

    // List: ids as strings, the owner as an object.
    let (s, b) = send_json(
        c.get(format!("{url}{VOICE}"))
            .header("Authorization", zoho(&t))
            .query(&[("from", "0"), ("size", "50")]),
    )
    .await?;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["meta"]["total"], -1);
    let list = b["contacts"].as_array().ok_or("contacts")?;
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["contact_id"], json!(id.to_string()));
    assert_eq!(
        list[0]["contact_owner"]["display_value"],
        seed::VOICE_OWNER_NAME
    );
    assert!(list[0]["contact_owner"]["id"].is_string());
    assert!(list[0].get("created_time").is_none());

    // Get: numbers again.
    let (s, b) = send_json(
        c.get(format!("{url}{VOICE}/{id}"))
            .header("Authorization", zoho(&t)),
    )
    .await?;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["contacts"]["contact_id"], json!(id));
    assert_eq!(b["contacts"]["email"], "ann@example.com");

    // Update.
    let (s, b) = send_json(
        c.put(format!("{url}{VOICE}/{id}"))
            .header("Authorization", zoho(&t))
            .form(&[(
                "contact",
                r#"{"first_name":"Anne","mobile":"+12015550124","company":"Zylker"}"#,
            )]),
    )
    .await?;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["contacts"]["first_name"], "Anne");
    assert_eq!(b["contacts"]["company"], "Zylker");
    assert_eq!(
        b["contacts"]["last_name"], "Lee",
        "fields not given are kept"
    );
    assert_eq!(sb.voice_contacts()[0].fields["mobile"], "+12015550124");

    // Delete, then it is gone.
    let (s, b) = send_json(
        c.delete(format!("{url}{VOICE}/{id}"))
            .header("Authorization", zoho(&t)),
    )
    .await?;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        b,
        json!({"code": "200", "contacts": id.to_string(), "status": "SUCCESS"})
    );
    let (s, b) = send_json(
        c.get(format!("{url}{VOICE}/{id}"))
            .header("Authorization", zoho(&t)),
    )
    .await?;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(b["status"], "ERROR");
    assert_eq!(sb.voice_contacts().len(), 1);

    // Statuses, as on the page.
    let (s, b) = send_json(
        c.get(format!("{url}{VOICE}/contact_status"))
            .header("Authorization", zoho(&t)),
    )
    .await?;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        b["contact_status"],
        json!([{"display_value": "Active", "id": "1000000000027"},
               {"display_value": "In Active", "id": "1000000000029"},
               {"display_value": "VIP", "id": "1000000000031"}])
    );
    sb.shutdown().await?;
    Ok(())
}

#[tokio::test]
async fn voice_contacts_validation_errors() -> TestResult {
    let sb = start(SandboxConfig::default()).await;
    let (c, url) = (Client::new(), sb.url());
    let t = zoho_token(&c, &url).await?;
    let post = |form: Vec<(&'static str, &'static str)>| {
        c.post(format!("{url}{VOICE}"))
            .header("Authorization", zoho(&t))
            .form(&form)
    };
    for form in [
        vec![],
        vec![("contact", "not json")],
        vec![("contact", r#"["a"]"#)],
        vec![("contact", r#"{"first_name":"A"}"#)],
        vec![("contact", r#"{"mobile":"+12015550123"}"#)],
        vec![("contact", r#"{"first_name":"A","mobile":"call me"}"#)],
        vec![(
            "contact",
            r#"{"first_name":"A","mobile":"+12015550123","email":"nope"}"#,
        )],
        vec![(
            "contact",
            r#"{"first_name":"A","mobile":"+12015550123","contact_status":{"id":"9"}}"#,
        )],
        vec![(
            "contact",
            r#"{"first_name":"A","mobile":"+12015550123","nickname":"x"}"#,
        )],
        vec![("contact", r#"{"first_name":1,"mobile":"+12015550123"}"#)],
    ] {
        let (s, b) = send_json(post(form.clone())).await?;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{form:?}: {b}");
        assert_eq!(b["status"], "ERROR");
        assert!(b["code"].is_string() && b["message"].is_string(), "{b}");
    }
    for size in ["0", "51", "x"] {
        let (s, _) = send_json(
            c.get(format!("{url}{VOICE}"))
                .header("Authorization", zoho(&t))
                .query(&[("size", size)]),
        )
        .await?;
        assert_eq!(s, StatusCode::BAD_REQUEST, "size={size}");
    }
    let (s, _) = send_json(
        c.put(format!("{url}{VOICE}/999"))
            .header("Authorization", zoho(&t))
            .form(&[("contact", r#"{"first_name":"A","mobile":"+12015550123"}"#)]),
    )
    .await?;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(sb.voice_contacts().is_empty());
    Ok(())
}

#[tokio::test]
async fn voice_contacts_paginate_with_from_and_size() -> TestResult {
    let sb = start(SandboxConfig::default()).await;
    let (c, url) = (Client::new(), sb.url());
    let t = zoho_token(&c, &url).await?;
    for i in 0..7 {
        let contact = json!({"first_name": format!("P{i}"), "mobile": format!("+1201555010{i}")});
        let (s, _) = send_json(
            c.post(format!("{url}{VOICE}"))
                .header("Authorization", zoho(&t))
                .form(&[("contact", contact.to_string())]),
        )
        .await?;
        assert_eq!(s, StatusCode::OK);
    }
    let mut names = Vec::new();
    for from in [0, 3, 6, 9] {
        let (_, b) = send_json(
            c.get(format!("{url}{VOICE}"))
                .header("Authorization", zoho(&t))
                .query(&[
                    ("from", from.to_string()),
                    ("size", "3".into()),
                    ("totalCount", "true".into()),
                ]),
        )
        .await?;
        assert_eq!(b["meta"]["total"], 7);
        for item in b["contacts"].as_array().ok_or("contacts")? {
            names.push(item["first_name"].as_str().unwrap_or("").to_string());
        }
    }
    assert_eq!(names, ["P0", "P1", "P2", "P3", "P4", "P5", "P6"]);
    Ok(())
}

// ---------------------------------------------------------------- Zoho Books contact persons

#[tokio::test]
async fn books_contact_persons_crud_and_paging() -> TestResult {
    let sb = start(SandboxConfig::default()).await;
    let (c, url) = (Client::new(), sb.url());
    let t = zoho_token(&c, &url).await?;
    let parent = seed::BOOKS_CONTACTS[0].0;

    let (s, b) = send_json(
        c.post(books_url(&url, "/contactpersons"))
            .header("Authorization", zoho(&t))
            .json(&json!({"contact_id": parent, "salutation": "Mr", "first_name": "Will",
                "last_name": "Smith", "email": "willsmith@bowmanfurniture.com",
                "mobile": "+1-4054439562", "enable_portal": true,
                "communication_preference": {"is_sms_enabled": true, "is_whatsapp_enabled": false}})),
    )
    .await?;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["code"], 0);
    assert_eq!(b["message"], "The contactperson has been Created");
    let first = &b["contact_person"][0];
    assert_eq!(first["contact_id"], json!(parent));
    assert!(first["contact_person_id"].is_u64());
    assert_eq!(
        first["is_primary_contact"], true,
        "the first person is primary"
    );
    assert_eq!(first["is_added_in_portal"], true);
    assert_eq!(first["communication_preference"]["is_sms_enabled"], true);
    let will = first["contact_person_id"].as_u64().ok_or("id")?;

    // contact_id as a string works too.
    let (s, b) = send_json(
        c.post(books_url(&url, "/contactpersons"))
            .header("Authorization", zoho(&t))
            .json(&json!({"contact_id": parent.to_string(), "first_name": "Jada"})),
    )
    .await?;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["contact_person"][0]["is_primary_contact"], false);
    let jada = b["contact_person"][0]["contact_person_id"]
        .as_u64()
        .ok_or("id")?;

    // Paging.
    let (s, b) = send_json(
        c.get(books_url(&url, &format!("/{parent}/contactpersons")))
            .header("Authorization", zoho(&t))
            .query(&[("page", "1"), ("per_page", "1")]),
    )
    .await?;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["code"], 0);
    assert_eq!(b["contact_persons"].as_array().map(Vec::len), Some(1));
    assert!(b["contact_persons"][0].get("contact_id").is_none());
    assert_eq!(b["page_context"]["has_more_page"], true);
    assert_eq!(b["page_context"]["per_page"], 1);
    let (_, b) = send_json(
        c.get(books_url(&url, &format!("/{parent}/contactpersons")))
            .header("Authorization", zoho(&t))
            .query(&[("page", "2"), ("per_page", "1")]),
    )
    .await?;
    assert_eq!(b["page_context"]["has_more_page"], false);
    assert_eq!(b["contact_persons"][0]["first_name"], "Jada");

    // Get, update, primary, delete.
    let (s, b) = send_json(
        c.get(books_url(&url, &format!("/{parent}/contactpersons/{will}")))
            .header("Authorization", zoho(&t)),
    )
    .await?;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["contact_person"]["first_name"], "Will");
    assert_eq!(b["contact_person"]["contact_id"], json!(parent));

    let (s, b) = send_json(
        c.put(books_url(&url, &format!("/contactpersons/{jada}")))
            .header("Authorization", zoho(&t))
            .json(&json!({"contact_id": parent, "first_name": "Jada", "designation": "CTO"})),
    )
    .await?;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["message"], "The contactperson details has been updated.");
    assert_eq!(b["contact_person"][0]["designation"], "CTO");

    let (s, b) = send_json(
        c.post(books_url(&url, &format!("/contactpersons/{jada}/primary")))
            .header("Authorization", zoho(&t)),
    )
    .await?;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        b,
        json!({"code": 0, "message": "This contact person has been marked as your primary contact person."})
    );
    let persons = sb.books_contact_persons();
    assert!(
        persons
            .iter()
            .all(|p| p.is_primary_contact == (p.contact_person_id == jada))
    );

    let (s, b) = send_json(
        c.delete(books_url(&url, &format!("/contactpersons/{will}")))
            .header("Authorization", zoho(&t)),
    )
    .await?;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        b,
        json!({"code": 0, "message": "The contact person has been deleted."})
    );
    let (s, b) = send_json(
        c.get(books_url(&url, &format!("/{parent}/contactpersons/{will}")))
            .header("Authorization", zoho(&t)),
    )
    .await?;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(b["code"].as_i64().is_some_and(|c| c != 0));
    assert_eq!(sb.books_contact_persons().len(), 1);
    Ok(())
}

#[tokio::test]
async fn books_validation_errors() -> TestResult {
    let sb = start(SandboxConfig::default()).await;
    let (c, url) = (Client::new(), sb.url());
    let t = zoho_token(&c, &url).await?;
    let parent = seed::BOOKS_CONTACTS[0].0;
    let cases = [
        (json!({"contact_id": parent}), StatusCode::BAD_REQUEST),
        (
            json!({"contact_id": parent, "first_name": "x".repeat(101)}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"contact_id": parent, "first_name": "A", "salutation": "x".repeat(26)}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"contact_id": parent, "first_name": "A", "mobile": "1".repeat(51)}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"contact_id": parent, "first_name": "A", "email": "nope"}),
            StatusCode::BAD_REQUEST,
        ),
        (json!({"first_name": "A"}), StatusCode::BAD_REQUEST),
        (
            json!({"contact_id": 1, "first_name": "A"}),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (body, status) in cases {
        let (s, b) = send_json(
            c.post(books_url(&url, "/contactpersons"))
                .header("Authorization", zoho(&t))
                .json(&body),
        )
        .await?;
        assert_eq!(s, status, "{body}: {b}");
        assert!(b["code"].as_i64().is_some_and(|c| c != 0), "{b}");
        assert!(b["message"].is_string());
    }
    // A maximum-length name is fine.
    let (s, _) = send_json(
        c.post(books_url(&url, "/contactpersons"))
            .header("Authorization", zoho(&t))
            .json(&json!({"contact_id": parent, "first_name": "x".repeat(100)})),
    )
    .await?;
    assert_eq!(s, StatusCode::CREATED);
    // No or a wrong organization.
    for org in ["", "?organization_id=1"] {
        let (s, b) = send_json(
            c.post(format!("{url}/books/v3/contacts/contactpersons{org}"))
                .header("Authorization", zoho(&t))
                .json(&json!({"contact_id": parent, "first_name": "A"})),
        )
        .await?;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
        assert_eq!(b["code"], 6041);
    }
    assert_eq!(sb.books_contact_persons().len(), 1);
    Ok(())
}

#[tokio::test]
async fn books_per_minute_limit_is_code_44() -> TestResult {
    let sb = start(SandboxConfig {
        books_requests_per_minute: 5,
        ..Default::default()
    })
    .await;
    let (c, url) = (Client::new(), sb.url());
    let t = zoho_token(&c, &url).await?;
    let list = books_url(
        &url,
        &format!("/{}/contactpersons", seed::BOOKS_CONTACTS[0].0),
    );
    for _ in 0..5 {
        let (s, _) = send_json(c.get(&list).header("Authorization", zoho(&t))).await?;
        assert_eq!(s, StatusCode::OK);
    }
    let (s, b) = send_json(c.get(&list).header("Authorization", zoho(&t))).await?;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(b["code"], 44);
    Ok(())
}

#[tokio::test]
async fn books_concurrency_limit_is_code_1070() -> TestResult {
    let sb = start(SandboxConfig {
        latency_ms: 400,
        ..Default::default()
    })
    .await;
    let (c, url) = (Client::new(), sb.url());
    let t = zoho_token(&c, &url).await?;
    let list = books_url(
        &url,
        &format!("/{}/contactpersons", seed::BOOKS_CONTACTS[0].0),
    );
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..14 {
        let rb = c.get(&list).header("Authorization", zoho(&t));
        set.spawn(async move { send_json(rb).await.map_err(|e| e.to_string()) });
    }
    let (mut ok, mut refused) = (0, 0);
    while let Some(r) = set.join_next().await {
        let (s, b) = r??;
        match s {
            StatusCode::OK => ok += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(b["code"], 1070, "{b}");
                refused += 1;
            }
            other => panic!("unexpected {other}: {b}"),
        }
    }
    assert!(ok <= 10, "{ok} in flight at once");
    assert!(refused >= 4, "{refused} refused");
    Ok(())
}

#[tokio::test]
async fn books_daily_quota_is_code_45() -> TestResult {
    let sb = start(SandboxConfig::default()).await;
    let (c, url) = (Client::new(), sb.url());
    let t = zoho_token(&c, &url).await?;
    sb.set_config(&ConfigPatch {
        books_daily_quota: Some(Some(3)),
        ..Default::default()
    })?;
    let list = books_url(
        &url,
        &format!("/{}/contactpersons", seed::BOOKS_CONTACTS[0].0),
    );
    for _ in 0..3 {
        let (s, _) = send_json(c.get(&list).header("Authorization", zoho(&t))).await?;
        assert_eq!(s, StatusCode::OK);
    }
    let (s, b) = send_json(c.get(&list).header("Authorization", zoho(&t))).await?;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(b["code"], 45);
    assert!(
        b["message"].as_str().unwrap_or("").contains("resets"),
        "{b}"
    );
    Ok(())
}

// ---------------------------------------------------------------- Zoom Contact Center

#[tokio::test]
async fn zoom_contacts_crud_and_errors() -> TestResult {
    let sb = start(SandboxConfig::default()).await;
    let (c, url) = (Client::new(), sb.url());
    let t = zoom_token(&c, &url).await?;

    let (s, b) = send_json(
        c.post(zoom_url(&url, ""))
            .header("Authorization", bearer(&t))
            .json(
                &json!({"display_name": "Ann Lee", "first_name": "Ann", "last_name": "Lee",
                "phone_numbers": ["+12015550123"], "emails": ["ann@example.com"],
                "company": "Zylker", "role": "CTO", "location": "NYC", "account_number": "42",
                "variables": [{"variable_id": "tier", "variable_value": "gold"}]}),
            ),
    )
    .await?;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["contact_id"].as_str().ok_or("string id")?.to_string();
    assert_eq!(b["address_book_id"], seed::ZOOM_ADDRESS_BOOK_ID);
    assert_eq!(b["address_book_name"], seed::ZOOM_ADDRESS_BOOK_NAME);
    assert_eq!(b["variables"][0]["variable_value"], "gold");
    assert_eq!(b["variables"][0]["data_type"], "string");

    let (s, b) = send_json(
        c.get(zoom_url(&url, &format!("/{id}")))
            .header("Authorization", bearer(&t)),
    )
    .await?;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["display_name"], "Ann Lee");

    let r = c
        .patch(zoom_url(&url, &format!("/{id}")))
        .header("Authorization", bearer(&t))
        .json(&json!({"company": "Acme", "emails": ["a@x.io", "b@x.io"]}))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(r.text().await?.is_empty());
    assert_eq!(sb.zoom_contacts()[0].text("company"), "Acme");
    assert_eq!(sb.zoom_contacts()[0].emails.len(), 2);

    // Validation: patch refused changes nothing.
    let six: Vec<String> = (0..6).map(|i| format!("+1201555010{i}")).collect();
    let (s, b) = send_json(
        c.patch(zoom_url(&url, &format!("/{id}")))
            .header("Authorization", bearer(&t))
            .json(&json!({"phone_numbers": six, "company": "Nope"})),
    )
    .await?;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(sb.zoom_contacts()[0].text("company"), "Acme");
    let (s, b) = send_json(
        c.patch(zoom_url(&url, &format!("/{id}")))
            .header("Authorization", bearer(&t))
            .json(&json!({"display_name": ""})),
    )
    .await?;
    assert_eq!(
        (s, b["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(2104))
    );

    let cases = [
        (json!({"display_name": "", "emails": ["a@b.co"]}), 2104),
        (json!({"emails": ["a@b.co"]}), 2104),
        (json!({"display_name": "X"}), 2102),
        (
            json!({"display_name": "X", "emails": [], "phone_numbers": []}),
            2102,
        ),
        (
            json!({"display_name": "X", "emails": ["1@b.co", "2@b.co", "3@b.co", "4@b.co", "5@b.co"]}),
            300,
        ),
    ];
    for (body, code) in cases {
        let (s, b) = send_json(
            c.post(zoom_url(&url, ""))
                .header("Authorization", bearer(&t))
                .json(&body),
        )
        .await?;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {b}");
        assert_eq!(b["code"], code, "{body}: {b}");
        assert!(b["message"].is_string());
    }
    let (s, b) = send_json(
        c.post(format!(
            "{url}/v2/contact_center/address_books/nope/contacts"
        ))
        .header("Authorization", bearer(&t))
        .json(&json!({"display_name": "X", "emails": ["a@b.co"]})),
    )
    .await?;
    assert_eq!((s, b["code"].clone()), (StatusCode::NOT_FOUND, json!(2001)));

    let r = c
        .delete(zoom_url(&url, &format!("/{id}")))
        .header("Authorization", bearer(&t))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (s, b) = send_json(
        c.get(zoom_url(&url, &format!("/{id}")))
            .header("Authorization", bearer(&t)),
    )
    .await?;
    assert_eq!((s, b["code"].clone()), (StatusCode::NOT_FOUND, json!(2101)));
    assert!(sb.zoom_contacts().is_empty());
    Ok(())
}

#[tokio::test]
async fn zoom_contacts_paginate_with_expiring_tokens() -> TestResult {
    let sb = start(SandboxConfig::default()).await;
    let (c, url) = (Client::new(), sb.url());
    let t = zoom_token(&c, &url).await?;
    for i in 0..7 {
        let (s, _) = send_json(
            c.post(zoom_url(&url, ""))
                .header("Authorization", bearer(&t))
                .json(&json!({"display_name": format!("P{i}"), "phone_numbers": [format!("+1201555010{i}")]})),
        )
        .await?;
        assert_eq!(s, StatusCode::CREATED);
    }
    let mut names = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let mut q = vec![("page_size", "3".to_string())];
        if !token.is_empty() {
            q.push(("next_page_token", token.clone()));
        }
        let (s, b) = send_json(
            c.get(zoom_url(&url, ""))
                .header("Authorization", bearer(&t))
                .query(&q),
        )
        .await?;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["total_records"], 7);
        pages += 1;
        for item in b["contacts"].as_array().ok_or("contacts")? {
            names.push(item["display_name"].as_str().unwrap_or("").to_string());
        }
        token = b["next_page_token"].as_str().unwrap_or("").to_string();
        if token.is_empty() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names, ["P0", "P1", "P2", "P3", "P4", "P5", "P6"]);

    // An unknown token, and an expired one.
    let (s, b) = send_json(
        c.get(zoom_url(&url, ""))
            .header("Authorization", bearer(&t))
            .query(&[("next_page_token", "bogus")]),
    )
    .await?;
    assert_eq!(
        (s, b["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(300))
    );
    sb.set_config(&ConfigPatch {
        zoom_page_token_ttl_secs: Some(1),
        ..Default::default()
    })?;
    let (_, b) = send_json(
        c.get(zoom_url(&url, ""))
            .header("Authorization", bearer(&t))
            .query(&[("page_size", "2")]),
    )
    .await?;
    let next = b["next_page_token"].as_str().ok_or("token")?.to_string();
    // Past the 1 s lifetime, on the sandbox's clock: no waiting.
    sb.advance_clock(Duration::from_millis(1100));
    let (s, _) = send_json(
        c.get(zoom_url(&url, ""))
            .header("Authorization", bearer(&t))
            .query(&[("next_page_token", next)]),
    )
    .await?;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // page_size above the spec's 300 is refused, as Zoom refuses a bad parameter.
    let (s, b) = send_json(
        c.get(zoom_url(&url, ""))
            .header("Authorization", bearer(&t))
            .query(&[("page_size", "1000")]),
    )
    .await?;
    assert_eq!(
        (s, b["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(300))
    );
    Ok(())
}

// ---------------------------------------------------------------- OAuth

#[tokio::test]
async fn zoho_oauth_checks_credentials_and_limits_requests() -> TestResult {
    let sb = start(SandboxConfig::default()).await;
    let (c, url) = (Client::new(), sb.url());
    let (s, b) = send_json(c.post(format!("{url}/oauth/v2/token")).form(&[
        ("grant_type", "refresh_token"),
        ("client_id", "wrong"),
        ("client_secret", seed::CLIENT_SECRET),
        ("refresh_token", seed::REFRESH_TOKEN),
    ]))
    .await?;
    assert_eq!((s, b), (StatusCode::OK, json!({"error": "invalid_client"})));
    let (_, b) = send_json(c.post(format!("{url}/oauth/v2/token")).form(&[
        ("grant_type", "refresh_token"),
        ("client_id", seed::CLIENT_ID),
        ("client_secret", seed::CLIENT_SECRET),
        ("refresh_token", "stolen"),
    ]))
    .await?;
    assert_eq!(b["error"], "invalid_code");

    // The parameters may also come in the query string.
    let (s, b) = send_json(c.post(format!("{url}/oauth/v2/token")).query(&[
        ("grant_type", "refresh_token"),
        ("client_id", seed::CLIENT_ID),
        ("client_secret", seed::CLIENT_SECRET),
        ("refresh_token", seed::REFRESH_TOKEN),
    ]))
    .await?;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["token_type"], "Bearer");
    assert_eq!(b["expires_in"], 3600);
    assert_eq!(b["api_domain"], json!(url));
    for _ in 1..10 {
        zoho_token(&c, &url).await?;
    }
    let (s, b) = send_json(c.post(format!("{url}/oauth/v2/token")).form(&[
        ("grant_type", "refresh_token"),
        ("client_id", seed::CLIENT_ID),
        ("client_secret", seed::CLIENT_SECRET),
        ("refresh_token", seed::REFRESH_TOKEN),
    ]))
    .await?;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"], "Access Denied");
    assert_eq!(
        b["error_description"],
        "You have made too many requests continuously. Please try again after some time."
    );
    assert_eq!(sb.tokens_issued().0, 10);
    Ok(())
}

#[tokio::test]
async fn zoho_eleventh_token_evicts_the_oldest() -> TestResult {
    let sb = start(SandboxConfig {
        zoho_token_requests_per_window: 100,
        ..Default::default()
    })
    .await;
    let (c, url) = (Client::new(), sb.url());
    let mut tokens = Vec::new();
    for _ in 0..11 {
        tokens.push(zoho_token(&c, &url).await?);
    }
    let (s, b) = send_json(
        c.get(format!("{url}{VOICE}"))
            .header("Authorization", zoho(&tokens[0])),
    )
    .await?;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(b["code"], "INVALID_OAUTHTOKEN");
    for t in &tokens[1..] {
        let (s, _) = send_json(
            c.get(format!("{url}{VOICE}"))
                .header("Authorization", zoho(t)),
        )
        .await?;
        assert_eq!(s, StatusCode::OK);
    }
    assert_eq!(sb.state()["tokens"]["evicted"], 1);
    Ok(())
}

#[tokio::test]
async fn tokens_expire_and_are_checked() -> TestResult {
    let sb = start(SandboxConfig {
        token_ttl_secs: 1,
        ..Default::default()
    })
    .await;
    let (c, url) = (Client::new(), sb.url());
    let zt = zoho_token(&c, &url).await?;
    let mt = zoom_token(&c, &url).await?;
    let (s, _) = send_json(
        c.get(format!("{url}{VOICE}"))
            .header("Authorization", zoho(&zt)),
    )
    .await?;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = send_json(
        c.get(zoom_url(&url, ""))
            .header("Authorization", bearer(&mt)),
    )
    .await?;
    assert_eq!(s, StatusCode::OK);
    // The wrong scheme, the wrong API, no header.
    let (s, _) = send_json(
        c.get(format!("{url}{VOICE}"))
            .header("Authorization", bearer(&zt)),
    )
    .await?;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, b) = send_json(
        c.get(zoom_url(&url, ""))
            .header("Authorization", bearer(&zt)),
    )
    .await?;
    assert_eq!(
        (s, b),
        (
            StatusCode::UNAUTHORIZED,
            json!({"code": 124, "message": "Invalid access token."})
        )
    );
    let (s, _) = send_json(c.get(books_url(
        &url,
        &format!("/{}/contactpersons", seed::BOOKS_CONTACTS[0].0),
    )))
    .await?;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Past the 1 s lifetime, on the sandbox's clock: no waiting.
    sb.advance_clock(Duration::from_millis(1100));
    let (s, b) = send_json(
        c.get(format!("{url}{VOICE}"))
            .header("Authorization", zoho(&zt)),
    )
    .await?;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(b["code"], "INVALID_OAUTHTOKEN");
    let (s, b) = send_json(
        c.get(zoom_url(&url, ""))
            .header("Authorization", bearer(&mt)),
    )
    .await?;
    assert_eq!(
        (s, b["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!(124))
    );

    // Expiring on demand, through the admin API.
    sb.set_config(&ConfigPatch {
        token_ttl_secs: Some(3600),
        ..Default::default()
    })?;
    let zt = zoho_token(&c, &url).await?;
    let (_, b) = send_json(c.post(format!("{url}/_sandbox/tokens/expire"))).await?;
    assert_eq!(b["expired"], 1);
    let (s, _) = send_json(
        c.get(format!("{url}{VOICE}"))
            .header("Authorization", zoho(&zt)),
    )
    .await?;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    Ok(())
}

#[tokio::test]
async fn zoom_oauth_checks_basic_auth_and_account() -> TestResult {
    let sb = start(SandboxConfig::default()).await;
    let (c, url) = (Client::new(), sb.url());
    let q = [
        ("grant_type", "account_credentials"),
        ("account_id", seed::ZOOM_ACCOUNT_ID),
    ];
    let (s, b) = send_json(
        c.post(format!("{url}/oauth/token"))
            .query(&q)
            .basic_auth("x", Some("y")),
    )
    .await?;
    assert_eq!(
        (s, b["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_client"))
    );
    let (s, _) = send_json(c.post(format!("{url}/oauth/token")).query(&q)).await?;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, b) = send_json(
        c.post(format!("{url}/oauth/token"))
            .query(&[
                ("grant_type", "account_credentials"),
                ("account_id", "other"),
            ])
            .basic_auth(seed::CLIENT_ID, Some(seed::CLIENT_SECRET)),
    )
    .await?;
    assert_eq!(
        (s, b["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_request"))
    );
    let (s, b) = send_json(
        c.post(format!("{url}/oauth/token"))
            .query(&q)
            .basic_auth(seed::CLIENT_ID, Some(seed::CLIENT_SECRET)),
    )
    .await?;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["token_type"], "bearer");
    assert_eq!(b["expires_in"], 3600);
    assert!(
        b["scope"]
            .as_str()
            .unwrap_or("")
            .contains("contact_center_contact")
    );
    assert_eq!(sb.tokens_issued().1, 1);
    Ok(())
}

// ---------------------------------------------------------------- Rate limit and faults

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() -> TestResult {
    let sb = start(SandboxConfig {
        rate_limit_per_sec: Some(2.0),
        ..Default::default()
    })
    .await;
    let (c, url) = (Client::new(), sb.url());
    let t = zoho_token(&c, &url).await?; // OAuth is not limited.
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..3 {
        let r = c
            .get(format!("{url}{VOICE}"))
            .header("Authorization", zoho(&t))
            .send()
            .await?;
        statuses.push(r.status());
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            retry_after = r
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
        }
    }
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    assert_eq!(retry_after.as_deref(), Some("1"));
    assert_eq!(sb.stats().rate_limited_429, 1);
    assert_eq!(sb.request_count("GET /rest/json/zv/contacts", 429), 1);

    // A client pacing itself at exactly the limit is never refused.
    sb.set_config(&ConfigPatch {
        rate_limit_per_sec: Some(Some(20.0)),
        ..Default::default()
    })?;
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    for _ in 0..40 {
        tick.tick().await;
        let r = c
            .get(format!("{url}{VOICE}"))
            .header("Authorization", zoho(&t))
            .send()
            .await?;
        assert_eq!(r.status(), StatusCode::OK);
    }
    Ok(())
}

#[tokio::test]
async fn faults_500_are_not_applied_and_502_are() -> TestResult {
    let sb = start(SandboxConfig {
        fault_rate: 1.0,
        ..Default::default()
    })
    .await;
    let (c, url) = (Client::new(), sb.url());
    let zt = zoho_token(&c, &url).await?;
    let mt = zoom_token(&c, &url).await?;
    let create_voice = || {
        c.post(format!("{url}{VOICE}"))
            .header("Authorization", zoho(&zt))
            .form(&[("contact", r#"{"first_name":"A","mobile":"+12015550123"}"#)])
    };
    let create_zoom = || {
        c.post(zoom_url(&url, ""))
            .header("Authorization", bearer(&mt))
            .json(&json!({"display_name": "A", "emails": ["a@b.co"]}))
    };
    let create_books = || {
        c.post(books_url(&url, "/contactpersons"))
            .header("Authorization", zoho(&zt))
            .json(&json!({"contact_id": seed::BOOKS_CONTACTS[0].0, "first_name": "A"}))
    };
    for rb in [create_voice(), create_zoom(), create_books()] {
        let (s, _) = send_json(rb).await?;
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
    }
    assert!(sb.voice_contacts().is_empty());
    assert!(sb.zoom_contacts().is_empty());
    assert!(sb.books_contact_persons().is_empty());

    sb.set_config(&ConfigPatch {
        fault_rate: Some(0.0),
        ambiguous_rate: Some(1.0),
        ..Default::default()
    })?;
    for rb in [create_voice(), create_zoom(), create_books()] {
        let (s, _) = send_json(rb).await?;
        assert_eq!(s, StatusCode::BAD_GATEWAY);
    }
    assert_eq!(sb.voice_contacts().len(), 1);
    assert_eq!(sb.zoom_contacts().len(), 1);
    assert_eq!(sb.books_contact_persons().len(), 1);
    let stats = sb.stats();
    assert_eq!((stats.injected_500, stats.ambiguous_502), (3, 3));
    Ok(())
}

#[tokio::test]
async fn faults_are_deterministic_for_a_seed() -> TestResult {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sb = start(SandboxConfig {
            fault_rate: 0.3,
            ambiguous_rate: 0.2,
            seed: 42,
            ..Default::default()
        })
        .await;
        let (c, url) = (Client::new(), sb.url());
        let t = zoho_token(&c, &url).await?;
        let mut statuses = Vec::new();
        for _ in 0..40 {
            let r = c
                .get(format!("{url}{VOICE}"))
                .header("Authorization", zoho(&t))
                .send()
                .await?;
            statuses.push(r.status().as_u16());
        }
        runs.push((statuses, t));
        sb.shutdown().await?;
    }
    assert_eq!(runs[0], runs[1]);
    let s = &runs[0].0;
    assert!(
        s.contains(&200) && s.contains(&500) && s.contains(&502),
        "{s:?}"
    );
    Ok(())
}

// ---------------------------------------------------------------- SMS

#[tokio::test]
async fn sms_send_v1_shapes_and_errors() -> TestResult {
    let sb = start(SandboxConfig::default()).await;
    let (c, url) = (Client::new(), sb.url());
    let t = zoho_token(&c, &url).await?;
    let send = format!("{url}/rest/json/v1/sms/send");

    let (s, b) = send_json(c.post(&send).header("Authorization", zoho(&t)).json(
        &json!({"senderId": SENDER, "customerNumber": "13239205839", "message": "test single SMS",
                "statusCallback": "https://example.com/cb", "flash": true}),
    ))
    .await?;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["code"], "ZVSMS-2000");
    assert_eq!(b["status"], "SUCCESS");
    assert_eq!(b["send"]["status"], "IN_QUEUE");
    assert_eq!(b["send"]["messageType"], "OUTGOING");
    assert_eq!(b["send"]["country"], "us");
    assert_eq!(b["send"]["customerNumber"], "+1 3239205839");
    assert_eq!(b["send"]["logid"].as_str().map(str::len), Some(36));

    // Several numbers (a number in JSON too): one logid each.
    let (s, b) = send_json(
        c.post(&send)
            .header("Authorization", zoho(&t))
            .json(&json!({"senderId": SENDER, "customerNumber": "+14155550100,+442079460958", "message": "hi"})),
    )
    .await?;
    assert_eq!(s, StatusCode::OK, "{b}");
    let sent = b["send"].as_array().ok_or("array")?;
    assert_eq!(sent.len(), 2);
    assert_ne!(sent[0]["logid"], sent[1]["logid"]);
    assert_eq!(sent[1]["country"], "gb");
    let (s, _) = send_json(c.post(&send).header("Authorization", zoho(&t)).json(
        &json!({"senderId": SENDER, "customerNumber": 14155550101u64, "message": "numeric"}),
    ))
    .await?;
    assert_eq!(s, StatusCode::OK);
    // Form parameters work too.
    let (s, _) = send_json(c.post(&send).header("Authorization", zoho(&t)).form(&[
        ("senderId", SENDER),
        ("customerNumber", "14155550102"),
        ("message", "form"),
    ]))
    .await?;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(sb.sms_messages().len(), 5);

    let long = "x".repeat(1_001);
    let cases = [
        json!({"senderId": SENDER, "customerNumber": "+79161234567", "message": "hi"}),
        json!({"senderId": SENDER, "customerNumber": "+14155550100", "message": long}),
        json!({"message": "hi"}),
        json!({"senderId": SENDER, "customerNumber": "+14155550100"}),
        json!({"senderId": SENDER, "customerNumber": "nope", "message": "hi"}),
        json!({"senderId": SENDER, "customerNumber": "+14155550100", "message": "hi", "validityPeriod": 20000}),
        json!({"senderId": SENDER, "customerNumber": "+14155550100", "message": "hi", "dataCoding": 7}),
        json!({"customerNumber": "+14155550100", "message": "hi"}),
        json!({"senderId": "NOPE", "customerNumber": "+14155550100", "message": "hi"}),
    ];
    for (i, body) in cases.iter().enumerate() {
        let (s, b) = send_json(c.post(&send).header("Authorization", zoho(&t)).json(body)).await?;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(b["status"], "ERROR");
        if i == 0 {
            assert_eq!(
                b,
                json!({"code": "ZVSMS-4038", "message": "Destination country not supported. Kindly contact zohovoice support", "status": "ERROR"})
            );
        }
    }
    // Without a sender id, or with one the account does not have: the page's error sample.
    for body in &cases[7..] {
        let (_, b) = send_json(c.post(&send).header("Authorization", zoho(&t)).json(body)).await?;
        assert_eq!(b["code"], "ZVSMS-4027", "{body}");
    }
    let ok = "y".repeat(1_000);
    let (s, b) = send_json(
        c.post(&send)
            .header("Authorization", zoho(&t))
            .json(&json!({"senderId": SENDER, "customerNumber": "+14155550100", "message": ok})),
    )
    .await?;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["send"]["multipartCount"], 7);
    assert_eq!(sb.sms_messages().len(), 6);
    Ok(())
}

#[tokio::test]
async fn sms_send_v2_multipart_mms() -> TestResult {
    let sb = start(SandboxConfig::default()).await;
    let (c, url) = (Client::new(), sb.url());
    let t = zoho_token(&c, &url).await?;
    let part = reqwest::multipart::Part::bytes(vec![0u8; 1234])
        .file_name("photo.jpg")
        .mime_str("image/jpeg")?;
    let form = reqwest::multipart::Form::new()
        .text(
            "sms_data",
            json!({"senderId": SENDER, "customerNumber": "14155550100", "message": "Hello,world!", "mms": true})
                .to_string(),
        )
        .part("mms_media", part);
    let (s, b) = send_json(
        c.post(format!("{url}/rest/json/v2/sms/send"))
            .header("Authorization", zoho(&t))
            .multipart(form),
    )
    .await?;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["code"], "ZVSMS-2000");
    assert_eq!(b["send"]["isMMS"], true);
    assert_eq!(b["send"]["mmsMeta"][0]["fileName"], "photo.jpg");
    assert_eq!(b["send"]["mmsMeta"][0]["fileSize"], 1234);
    assert_eq!(b["send"]["mmsMeta"][0]["fileExtn"], "jpg");
    let msgs = sb.sms_messages();
    assert!(msgs[0].is_mms);

    // No sms_data: an error.
    let form = reqwest::multipart::Form::new().text("other", "x");
    let (s, b) = send_json(
        c.post(format!("{url}/rest/json/v2/sms/send"))
            .header("Authorization", zoho(&t))
            .multipart(form),
    )
    .await?;
    assert_eq!(
        (s, b["status"].clone()),
        (StatusCode::BAD_REQUEST, json!("ERROR"))
    );
    Ok(())
}

#[tokio::test]
async fn sms_logs_filter_page_and_show_incoming() -> TestResult {
    let sb = start(SandboxConfig::default()).await;
    let (c, url) = (Client::new(), sb.url());
    let t = zoho_token(&c, &url).await?;
    for n in ["+14155550100", "+14155550101", "+14155550100"] {
        let (s, _) = send_json(
            c.post(format!("{url}/rest/json/v1/sms/send"))
                .header("Authorization", zoho(&t))
                .json(&json!({"senderId": SENDER, "customerNumber": n, "message": "promo"})),
        )
        .await?;
        assert_eq!(s, StatusCode::OK);
    }
    // An incoming STOP, through the admin API and the library.
    let (s, b) = send_json(
        c.post(format!("{url}/_sandbox/sms/incoming"))
            .json(&json!({"customerNumber": "+14155550100", "message": "STOP"})),
    )
    .await?;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b["logid"].is_string());
    sb.add_incoming_sms("+14155550101", "hello")?;
    let logs = format!("{url}/rest/json/v1/sms/logs");

    let (s, b) = send_json(c.get(&logs).header("Authorization", zoho(&t))).await?;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["status"], "success");
    assert_eq!(b["meta"]["total"], 5);

    let (_, b) = send_json(
        c.get(&logs)
            .header("Authorization", zoho(&t))
            .query(&[("customerNumber", "14155550100")]),
    )
    .await?;
    assert_eq!(b["meta"]["total"], 3);
    let items = b["smsLogQuery"].as_array().ok_or("logs")?;
    assert_eq!(items[0]["messageType"], "INCOMING", "newest first");
    assert_eq!(items[0]["message"], "STOP");
    assert!(
        items[1..]
            .iter()
            .all(|m| m["status"] == "DELIVERED" && m["messageType"] == "OUTGOING")
    );

    let (_, b) = send_json(
        c.get(&logs)
            .header("Authorization", zoho(&t))
            .query(&[("messageType", "incoming")]),
    )
    .await?;
    assert_eq!(b["meta"]["total"], 2);

    // Paging with from/size.
    let (_, b) = send_json(
        c.get(&logs)
            .header("Authorization", zoho(&t))
            .query(&[("from", "4"), ("size", "2")]),
    )
    .await?;
    assert_eq!(b["smsLogQuery"].as_array().map(Vec::len), Some(1));
    assert_eq!(b["meta"]["total"], 5);

    // Dates, with a time as the current page wants: today holds everything, an old range
    // nothing; a date alone is refused.
    let today = bulkline::sandbox::wire::format_minute(bulkline::sandbox::wire::now_ms());
    let today = &today[..10];
    let (from, to) = (format!("{today} 00:00:00"), format!("{today} 23:59:59"));
    let (_, b) = send_json(
        c.get(&logs)
            .header("Authorization", zoho(&t))
            .query(&[("fromDate", from.as_str()), ("toDate", to.as_str())]),
    )
    .await?;
    assert_eq!(b["meta"]["total"], 5);
    let (_, b) = send_json(c.get(&logs).header("Authorization", zoho(&t)).query(&[
        ("fromDate", "2020-01-01 00:00:00"),
        ("toDate", "2020-01-31 23:59:59"),
    ]))
    .await?;
    assert_eq!(b["meta"]["total"], 0);
    let (s, b) = send_json(
        c.get(&logs)
            .header("Authorization", zoho(&t))
            .query(&[("fromDate", today), ("toDate", today)]),
    )
    .await?;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a date alone: {b}");
    assert_eq!(b["code"], "ZVSMS-4005", "{b}");
    let (s, _) = send_json(
        c.get(&logs)
            .header("Authorization", zoho(&t))
            .query(&[("fromDate", "yesterday")]),
    )
    .await?;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let incoming: Vec<_> = sb
        .sms_messages()
        .into_iter()
        .filter(|m| m.direction == Direction::Incoming)
        .collect();
    assert_eq!(incoming.len(), 2);
    Ok(())
}

// ---------------------------------------------------------------- Admin surface

#[tokio::test]
async fn admin_state_config_and_reset_over_http() -> TestResult {
    let sb = start(SandboxConfig::default()).await;
    let (c, url) = (Client::new(), sb.url());
    let t = zoho_token(&c, &url).await?;
    let (s, _) = send_json(
        c.post(format!("{url}{VOICE}"))
            .header("Authorization", zoho(&t))
            .form(&[("contact", r#"{"first_name":"A","mobile":"+12015550123"}"#)]),
    )
    .await?;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = send_json(c.get(format!("{url}/_sandbox/state"))).await?;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["zoho_voice"]["count"], 1);
    assert_eq!(b["zoho_books"]["count"], 0);
    assert_eq!(
        b["zoho_books"]["organization_id"],
        seed::BOOKS_ORGANIZATION_ID
    );
    assert_eq!(
        b["zoom_cc"]["address_books"][0]["address_book_id"],
        seed::ZOOM_ADDRESS_BOOK_ID
    );
    assert_eq!(
        b["requests"]["by_endpoint"]["POST /rest/json/zv/contacts"]["200"],
        1
    );
    assert_eq!(
        b["requests"]["by_endpoint"]["POST /oauth/v2/token"]["200"],
        1
    );
    assert_eq!(b["tokens"]["zoho_issued"], 1);

    let (s, b) = send_json(
        c.post(format!("{url}/_sandbox/config"))
            .json(&json!({"fault_rate": 0.5, "rate_limit_per_sec": 100, "latency_ms": 1, "books_daily_quota": 50})),
    )
    .await?;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(sb.config().fault_rate, 0.5);
    assert_eq!(sb.config().rate_limit_per_sec, Some(100.0));
    assert_eq!(sb.config().books_daily_quota, Some(50));
    let (s, _) = send_json(
        c.post(format!("{url}/_sandbox/config"))
            .json(&json!({"fault_rate": 3})),
    )
    .await?;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = send_json(
        c.post(format!("{url}/_sandbox/config"))
            .json(&json!({"bogus": 1})),
    )
    .await?;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let (s, _) = send_json(c.post(format!("{url}/_sandbox/reset"))).await?;
    assert_eq!(s, StatusCode::OK);
    let (_, b) = send_json(c.get(format!("{url}/_sandbox/state"))).await?;
    assert_eq!(b["zoho_voice"]["count"], 0);
    assert_eq!(b["requests"]["total"], 0);
    assert_eq!(
        b["config"]["fault_rate"], 0.5,
        "reset keeps the configuration"
    );
    let (_, b) = send_json(c.get(format!("{url}/_sandbox/credentials"))).await?;
    assert_eq!(b["client_id"], seed::CLIENT_ID);
    // Tokens are gone after a reset.
    let (s, _) = send_json(
        c.get(format!("{url}{VOICE}"))
            .header("Authorization", zoho(&t)),
    )
    .await?;
    assert!(s == StatusCode::UNAUTHORIZED || s == StatusCode::INTERNAL_SERVER_ERROR);
    Ok(())
}

#[tokio::test]
async fn unknown_endpoints_answer_404_in_the_vendor_shape() -> TestResult {
    let sb = start(SandboxConfig::default()).await;
    let c = Client::new();
    let url = sb.url();
    let (s, b) = send_json(c.get(format!("{url}/v2/contact_center/queues"))).await?;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(b["code"], 404);
    let (s, b) = send_json(c.patch(format!("{url}{VOICE}/1"))).await?;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(b["status"], "ERROR");
    let (s, _) = send_json(c.get(format!("{url}/nothing"))).await?;
    assert_eq!(s, StatusCode::NOT_FOUND);
    Ok(())
}
