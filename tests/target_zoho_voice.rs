//! The Zoho Voice target against the sandbox, over real HTTP on 127.0.0.1: list, create,
//! update and delete, with the page's shapes (a JSON-string `contact` parameter, ids as
//! numbers in create answers and strings in list answers), statuses by display value, and
//! faults.

use std::sync::Arc;
use std::time::Duration;

use bulkline::auth::zoho::ZohoAuth;
use bulkline::auth::{Secret, TokenProvider};
use bulkline::connectors::zoho_voice::ZohoVoice;
use bulkline::connectors::{RowExtras, Target, Write, differences};
use bulkline::contact::{Contact, Phone, PhoneLabel};
use bulkline::http::{BaseUrl, ClientConfig, HttpClient, Rate, RetryPolicy, build_client};
use bulkline::sandbox::{ConfigPatch, Sandbox, SandboxConfig, seed};

async fn setup() -> (Sandbox, HttpClient) {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let base = BaseUrl::parse(&sandbox.url()).unwrap();
    let http = build_client(Duration::from_secs(5)).unwrap();
    let auth = ZohoAuth::RefreshToken {
        client_id: seed::CLIENT_ID.into(),
        client_secret: Secret::new(seed::CLIENT_SECRET),
        refresh_token: Secret::new(seed::REFRESH_TOKEN),
    };
    let tokens = TokenProvider::zoho(http.clone(), auth, base.clone(), None);
    let mut config = ClientConfig::new(Rate::per_second(500.0).unwrap());
    // Answers read as a run reads them: by the target's own codes.
    config.codes = bulkline::connectors::zoho_voice::DESCRIPTOR.codes;
    config.retry = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
        max_wait: bulkline::http::lockout::DEFAULT_MAX_WAIT,
    };
    let client = HttpClient::new(http, base, Some(Arc::new(tokens)), config);
    (sandbox, client)
}

fn contact(first: &str, mobile: &str) -> Contact {
    Contact {
        first_name: first.into(),
        last_name: "Lee".into(),
        emails: vec![format!("{}@example.com", first.to_lowercase())],
        phones: vec![Phone {
            e164: mobile.into(),
            label: PhoneLabel::Mobile,
            extension: None,
            is_mobile: None,
        }],
        ..Contact::default()
    }
}

#[tokio::test]
async fn create_list_update_delete() {
    let (sandbox, http) = setup().await;
    let mut voice = ZohoVoice::new();
    voice.load_statuses(&http).await.unwrap();
    assert!(voice.statuses().iter().any(|s| s.display_value == "VIP"));

    let extras = RowExtras {
        status: Some("VIP".into()),
        ..RowExtras::default()
    };
    let wanted = voice
        .desired(&contact("Ann", "+447400123456"), &extras)
        .unwrap();
    let Write::Done(id) = voice.create(&http, &wanted, &extras).await else {
        panic!("create failed")
    };
    assert!(id.chars().all(|c| c.is_ascii_digit()), "{id}");

    let listed = voice.list(&http, &[]).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].id, id,
        "list ids (strings) match create ids (numbers)"
    );
    assert_eq!(
        listed[0].fields, wanted,
        "an unchanged record compares equal"
    );

    let changed = voice
        .desired(&contact("Ann", "+447400123999"), &RowExtras::default())
        .unwrap();
    assert_eq!(
        voice
            .update(&http, &id, &changed, &RowExtras::default())
            .await,
        Write::Done(id.clone())
    );
    let listed = voice.list(&http, &[]).await.unwrap();
    assert!(
        differences(&voice, &changed, &listed[0].fields.to_fields()).is_empty(),
        "{:?}",
        listed[0].fields
    );
    // A row without a status leaves the record's status as it was.
    assert_eq!(
        listed[0].fields.get("contact_status").unwrap_or_default(),
        "1000000000031"
    );
    assert_eq!(
        listed[0].fields.get("mobile").unwrap_or_default(),
        "+447400123999"
    );

    assert_eq!(
        voice.delete(&http, &id, None).await,
        Write::Done(id.clone())
    );
    assert!(voice.list(&http, &[]).await.unwrap().is_empty());
    assert!(sandbox.voice_contacts().is_empty());
}

#[tokio::test]
async fn lists_every_page() {
    let (sandbox, http) = setup().await;
    let voice = ZohoVoice::new();
    for i in 0..123 {
        let c = contact(&format!("P{i}"), &format!("+4474001{i:05}"));
        let wanted = voice.desired(&c, &RowExtras::default()).unwrap();
        assert!(matches!(
            voice.create(&http, &wanted, &RowExtras::default()).await,
            Write::Done(_)
        ));
    }
    let listed = voice.list(&http, &[]).await.unwrap();
    assert_eq!(listed.len(), 123);
    let mut ids: Vec<&str> = listed.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 123, "no record listed twice");
    assert_eq!(sandbox.voice_contacts().len(), 123);
}

#[tokio::test]
async fn refusals_and_faults() {
    let (sandbox, http) = setup().await;
    let voice = ZohoVoice::new();

    // A permanent refusal carries the API's own code and message.
    let mut bad = voice
        .desired(&contact("Ann", "+447400123456"), &RowExtras::default())
        .unwrap();
    bad.insert("email".into(), "not an address".into());
    match voice.create(&http, &bad, &RowExtras::default()).await {
        Write::Failed { code, message, .. } => {
            assert!(code.is_some(), "{message}");
            assert!(!message.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let good = voice
        .desired(&contact("Ann", "+447400123456"), &RowExtras::default())
        .unwrap();
    assert!(matches!(
        voice
            .update(&http, "999", &good, &RowExtras::default())
            .await,
        Write::Failed { code: Some(_), .. }
    ));

    // Applied, then answered 502: the create is not repeated, and says it may have happened.
    sandbox
        .set_config(&ConfigPatch {
            ambiguous_rate: Some(1.0),
            ..ConfigPatch::default()
        })
        .unwrap();
    let wanted = voice
        .desired(&contact("Bob", "+447400123457"), &RowExtras::default())
        .unwrap();
    assert!(matches!(
        voice.create(&http, &wanted, &RowExtras::default()).await,
        Write::Ambiguous { .. }
    ));
    assert_eq!(sandbox.voice_contacts().len(), 1, "applied exactly once");
}
