//! What the vendors answer, and what bulkline makes of it, against the sandbox: Books' code 57
//! (a token without the scope) stops a run with exit 2 naming the scope and spends no token
//! request; the sandbox asks the scopes the pages name (mark as primary: CREATE) and refuses
//! what Zoom's spec refuses (a page_size above 300); an undo needs only its journal; a Books
//! person deleted by someone else counts as already gone.

mod common;

use bulkline::sandbox::{SandboxConfig, seed};
use common::{Harness, Run, Target, config, rows};
use serde_json::Value;

/// The sandbox's Zoho tokens carry these scopes: Books may be read, not written.
const BOOKS_READ_ONLY: &str = "ZohoVoice.contacts.ALL ZohoVoice.sms.ALL ZohoBooks.contacts.READ";

fn with_zoho_scope(scope: &str) -> SandboxConfig {
    SandboxConfig {
        zoho_scope: scope.into(),
        ..config()
    }
}

/// Zoho access tokens the sandbox issued so far.
fn zoho_tokens(h: &Harness) -> u64 {
    h.sb.tokens_issued().0
}

/// The line of stderr that carries the error.
fn error_line(run: &Run) -> String {
    run.stderr
        .lines()
        .find(|l| l.starts_with("bulkline: error:"))
        .unwrap_or_else(|| panic!("no error line: {run}"))
        .to_string()
}

#[test]
fn books_code_57_stops_the_import_naming_the_scope_and_asks_for_no_new_token() {
    let h = Harness::new(with_zoho_scope(BOOKS_READ_ONLY));
    let contact = seed::BOOKS_CONTACTS[0].0.to_string();
    // A read-only run leaves a token in the cache: the import takes it from there, so a
    // refused write could tempt the client into renewing it.
    let export = h
        .api_command()
        .args([
            "export",
            "--from",
            "zoho-books",
            "--books-contact-id",
            &contact,
        ])
        .arg("-o")
        .arg(h.path("persons.csv"))
        .args(h.url_args())
        .output()
        .expect("run bulkline export");
    assert_eq!(export.status.code(), Some(0), "{export:?}");
    let tokens = zoho_tokens(&h);
    assert_eq!(tokens, 1);

    let input = h.write_csv("in.csv", &rows(0..5));
    let cp = h.path("in.checkpoint");
    let before = h.ids(Target::BOOKS);
    let run = h.import(Target::BOOKS, &input, &cp, &["--concurrency", "1"]);
    run.assert_code(2);
    let line = error_line(&run);
    for said in [
        "ZohoBooks.contacts.CREATE",
        "code 57",
        "You are not authorized to perform this operation",
        "HTTP 401",
        "likely",
    ] {
        assert!(line.contains(said), "{said:?} missing from: {line}");
    }
    // One create, answered 57; no token asked for (the cached one went on being used).
    assert_eq!(
        h.sb.request_count("POST /books/v3/contacts/contactpersons", 401),
        1
    );
    assert_eq!(h.writes(), 1);
    assert_eq!(zoho_tokens(&h), tokens, "a token was asked for");
    assert_eq!(h.ids(Target::BOOKS), before);
    assert_eq!(common::in_flight(&cp), 0);
}

#[test]
fn books_answers_a_missing_scope_with_code_57_and_marks_primary_only_with_create() {
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    rt.block_on(async {
        let ask = |scope: &'static str| async move {
            let sb = bulkline::sandbox::Sandbox::start(with_zoho_scope(scope))
                .await
                .expect("the sandbox starts");
            let url = sb.url();
            let c = reqwest::Client::new();
            let token = common::tokens::zoho_token(&c, &url)
                .await
                .expect("a token");
            // A person that does not exist: past the scope check, the sandbox says so.
            let answer = c
                .post(format!(
                    "{url}/books/v3/contacts/contactpersons/460000000099999/primary?organization_id={}",
                    seed::BOOKS_ORGANIZATION_ID
                ))
                .header("Authorization", format!("Zoho-oauthtoken {token}"))
                .send()
                .await
                .expect("an answer");
            let status = answer.status().as_u16();
            let body: Value = answer.json().await.expect("JSON");
            (status, body)
        };
        // Update and read are not enough: the page names CREATE.
        let (status, body) = ask("ZohoBooks.contacts.READ ZohoBooks.contacts.UPDATE").await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["code"], 57, "{body}");
        assert_eq!(
            body["message"],
            "You are not authorized to perform this operation"
        );
        let (status, body) = ask("ZohoBooks.contacts.CREATE").await;
        assert_eq!((status, &body["code"]), (404, &Value::from(1003)), "{body}");
    });
}

#[test]
fn zoom_refuses_a_page_size_above_300_as_it_refuses_a_bad_parameter() {
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    rt.block_on(async {
        let sb = bulkline::sandbox::Sandbox::start(config())
            .await
            .expect("the sandbox starts");
        let url = sb.url();
        let c = reqwest::Client::new();
        let token = common::tokens::zoom_token(&c, &url).await.expect("a token");
        let list = |size: &'static str| {
            c.get(format!(
                "{url}/v2/contact_center/address_books/{}/contacts",
                seed::ZOOM_ADDRESS_BOOK_ID
            ))
            .query(&[("page_size", size)])
            .bearer_auth(&token)
            .send()
        };
        let ok = list("300").await.expect("an answer");
        assert_eq!(ok.status().as_u16(), 200);
        let refused = list("301").await.expect("an answer");
        assert_eq!(refused.status().as_u16(), 400);
        let body: Value = refused.json().await.expect("JSON");
        assert_eq!(body["code"], 300, "{body}");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("page_size")),
            "{body}"
        );
    });
}

/// `bulkline import` of rows 0..5 into the Books contact `contact`, at the sandbox.
fn import_into_books_contact(h: &Harness, contact: &str) -> std::path::PathBuf {
    let input = h.write_csv("in.csv", &rows(0..5));
    let cp = h.path("in.checkpoint");
    let out = h
        .api_command()
        .arg("import")
        .arg(&input)
        .args(["--to", "zoho-books", "--books-contact-id", contact])
        .arg("--checkpoint")
        .arg(&cp)
        .args(h.url_args())
        .args(["--rate", "200/s", "--json"])
        .output()
        .expect("run bulkline import");
    let run = Run::from_output(out);
    run.assert_code(0);
    assert_eq!(run.num("created"), 5, "{run}");
    cp
}

#[test]
fn undo_of_a_books_import_needs_only_the_journal() {
    // Not the contact the sandbox's defaults name: only the journal knows it.
    let contact = seed::BOOKS_CONTACTS[1].0.to_string();
    for stray in [None, Some("999")] {
        let h = Harness::new(config());
        let before = h.ids(Target::BOOKS);
        let cp = import_into_books_contact(&h, &contact);
        assert_eq!(h.ids(Target::BOOKS).len(), before.len() + 5);
        // No contact id and no organization id from the environment; or a contact id left
        // there by another job, which names a contact that does not exist.
        let mut undo = h.undo_cmd(&cp, &[]);
        undo.env_remove("ZOHO_BOOKS_ORGANIZATION_ID")
            .env_remove("ZOHO_BOOKS_CONTACT_ID");
        if let Some(id) = stray {
            undo.env("ZOHO_BOOKS_CONTACT_ID", id);
        }
        let run = Run::from_output(undo.arg("--json").output().expect("run bulkline undo"));
        run.assert_code(0);
        assert_eq!(run.num("deleted"), 5, "{stray:?}: {run}");
        assert_eq!(h.ids(Target::BOOKS), before, "{stray:?}");
    }
}

#[test]
fn undo_counts_a_books_person_deleted_meanwhile_as_already_gone() {
    let h = Harness::new(config());
    let input = h.write_csv("in.csv", &rows(0..4));
    let cp = h.path("in.checkpoint");
    h.import(Target::BOOKS, &input, &cp, &[]).assert_code(0);
    // Someone else deletes them first: the sandbox answers 1003 for each.
    h.sb.reset();
    let run = h.undo(&cp);
    run.assert_code(0);
    assert_eq!(run.num("deleted"), 0, "{run}");
    assert_eq!(run.num("already_gone"), 4, "{run}");
    // The vendor's code and words, read as likely.
    let answer = run.summary["gone_answers"]["1003"]
        .as_str()
        .unwrap_or_else(|| panic!("no 1003 answer: {run}"));
    assert!(
        answer.contains("The contact person does not exist") && answer.contains("likely"),
        "{answer}"
    );
    let again = h.undo(&cp);
    again.assert_code(0);
    assert_eq!(again.num("resumed"), 4, "{again}");
}
