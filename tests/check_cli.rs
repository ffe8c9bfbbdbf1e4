//! `bulkline check` and the pre-flight of every real run: a token and one read, and a
//! refusal turned into what to fix (exit 2), against the sandbox over real HTTP.

mod common;

use bulkline::sandbox::{ConfigPatch, SandboxConfig};
use common::{Harness, Target, config, rows};

/// Every request the sandbox received, token requests included.
fn all_requests(h: &Harness) -> u64 {
    h.sb.stats()
        .requests
        .values()
        .flat_map(|by_status| by_status.values())
        .sum()
}

fn check(h: &Harness, to: &str, extra: &[&str]) -> std::process::Output {
    h.api_command()
        .args(["check", "--to", to])
        .args(h.url_args())
        .args(extra)
        .output()
        .expect("run bulkline check")
}

fn with_scopes(zoho: &str, zoom: &str) -> SandboxConfig {
    SandboxConfig {
        zoho_scope: zoho.into(),
        zoom_scope: zoom.into(),
        ..config()
    }
}

#[test]
fn check_passes_with_two_requests_and_reports_each_command() {
    let h = Harness::new(config());
    let out = check(&h, "zoho-voice", &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("zoho-voice: ready"), "{stdout}");
    for command in ["import", "undo", "export"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.trim_start().starts_with(command) && l.ends_with(" ok")),
            "{command}: {stdout}"
        );
    }
    // The token and the read: two requests, no more.
    assert_eq!(all_requests(&h), 2);
    // A second check asks for a new token too (it tests the credentials, not the cache).
    let out = check(&h, "zoho-voice", &["--json"]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(report["token_requests"], 1);
    assert_eq!(report["read"]["status"], 200);
    assert_eq!(all_requests(&h), 4);
}

#[test]
fn check_names_the_scope_a_zoho_token_lacks() {
    let h = Harness::new(with_scopes(
        "ZohoVoice.contacts.ALL ZohoVoice.sms.ALL",
        "contact_center_contact:read:admin contact_center_contact:write:admin",
    ));
    let books = seed_books_contact();
    let out = check(&h, "zoho-books", &["--books-contact-id", &books]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("ZohoBooks.contacts.READ"), "{stderr}");
    // Books' own answer to a token without the scope: code 57, quoted.
    assert!(
        stderr.contains("code 57 \"You are not authorized to perform this operation\""),
        "{stderr}"
    );
    assert!(!stderr.contains("run the same command again"), "{stderr}");
    // One token request and the one refused read: nothing retried, no refresh loop.
    assert_eq!(all_requests(&h), 2);
}

#[test]
fn check_names_the_scope_a_zoom_token_lacks() {
    let h = Harness::new(with_scopes(
        "ZohoVoice.contacts.ALL",
        "contact_center_contact:write:admin",
    ));
    let out = check(
        &h,
        "zoom-cc",
        &[
            "--address-book-id",
            bulkline::sandbox::seed::ZOOM_ADDRESS_BOOK_ID,
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("contact_center_contact:read:admin"),
        "{stderr}"
    );
    assert!(stderr.contains("4711"), "{stderr}");
    assert!(stderr.contains("Scopes page"), "{stderr}");
    assert_eq!(all_requests(&h), 2);
}

#[test]
fn check_reports_the_write_scopes_a_read_only_token_lacks() {
    let h = Harness::new(with_scopes("ZohoVoice.contacts.READ", ""));
    let out = check(&h, "zoho-voice", &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let line = |c: &str| {
        stdout
            .lines()
            .find(|l| l.trim_start().starts_with(c))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        line("import").contains("lacks ZohoVoice.contacts.CREATE"),
        "{stdout}"
    );
    assert!(
        line("undo").contains("lacks ZohoVoice.contacts.DELETE"),
        "{stdout}"
    );
    assert!(line("export").ends_with(" ok"), "{stdout}");
}

#[test]
fn refused_credentials_are_a_configuration_error() {
    let h = Harness::new(config());
    let out = h
        .api_command()
        .env("ZOHO_REFRESH_TOKEN", "not-the-refresh-token")
        .args(["check", "--to", "zoho-voice"])
        .args(h.url_args())
        .output()
        .expect("run bulkline check");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("invalid_code"), "{stderr}");
    // Only the token request: no API request with no token.
    assert_eq!(all_requests(&h), 1);
}

#[test]
fn an_import_without_the_write_scope_stops_at_its_first_write_and_goes_on_once_granted() {
    let h = Harness::new(with_scopes("ZohoVoice.contacts.READ", ""));
    let input = h.write_csv("in.csv", &rows(0..20));
    let cp = h.path("in.checkpoint");
    let before = h.ids(Target::VOICE);
    let run = h.import(Target::VOICE, &input, &cp, &["--concurrency", "1"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("ZohoVoice.contacts.CREATE"),
        "{}",
        run.stderr
    );
    // The pre-flight warned before the first write.
    assert!(run.stderr.contains("warning"), "{}", run.stderr);
    // One refused create, nothing created, nothing left in flight.
    assert_eq!(h.writes(), 1);
    assert_eq!(h.ids(Target::VOICE), before);
    assert_eq!(common::in_flight(&cp), 0);

    // The scope is granted (a new token: the old one is dropped with the cache), and the
    // same command finishes the job: everyone, once.
    h.patch(&ConfigPatch {
        zoho_scope: Some("ZohoVoice.contacts.ALL".into()),
        ..ConfigPatch::default()
    });
    std::fs::remove_dir_all(h.path("cache")).expect("drop the token cache");
    let run = h.import(Target::VOICE, &input, &cp, &[]);
    run.assert_code(0);
    let mut wanted: Vec<String> = rows(0..20)
        .iter()
        .map(|r| common::e164(&r.mobile))
        .collect();
    wanted.sort();
    let mobiles = h.mobiles(Target::VOICE);
    for m in &wanted {
        assert_eq!(mobiles.iter().filter(|x| *x == m).count(), 1, "{m}");
    }
}

/// A Books contact of the sandbox's seed.
fn seed_books_contact() -> String {
    bulkline::sandbox::seed::BOOKS_CONTACTS[0].0.to_string()
}
