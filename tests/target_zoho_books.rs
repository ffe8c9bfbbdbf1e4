//! The Zoho Books contact-persons target against the in-process sandbox, over real HTTP.

use std::sync::Arc;
use std::time::Duration;

use bulkline::auth::zoho::ZohoAuth;
use bulkline::auth::{Secret, TokenProvider};
use bulkline::connectors::zoho_books::ZohoBooks;
use bulkline::connectors::{RecordFields, RemoteRecord, RowExtras, Target, Write};
use bulkline::contact::{Contact, Phone, PhoneLabel};
use bulkline::http::{BaseUrl, ClientConfig, HttpClient, Rate, RetryPolicy, build_client};
use bulkline::sandbox::{ConfigPatch, Sandbox, SandboxConfig, seed};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PARENT: u64 = seed::BOOKS_CONTACTS[0].0;
const OTHER_PARENT: u64 = seed::BOOKS_CONTACTS[1].0;

/// A sandbox whose per-minute limit does not slow the tests down (the daily quota as given).
async fn sandbox(daily_quota: Option<u64>) -> Result<Sandbox, Box<dyn std::error::Error>> {
    Ok(Sandbox::start(SandboxConfig {
        books_requests_per_minute: 100_000,
        books_daily_quota: daily_quota,
        ..SandboxConfig::default()
    })
    .await?)
}

/// A client of the sandbox with the Zoho refresh-token flow, a fast rate and quick retries.
fn client(sb: &Sandbox) -> Result<HttpClient, Box<dyn std::error::Error>> {
    let base = BaseUrl::parse(&sb.url())?;
    let http = build_client(Duration::from_secs(10))?;
    let auth = ZohoAuth::RefreshToken {
        client_id: seed::CLIENT_ID.into(),
        client_secret: Secret::new(seed::CLIENT_SECRET),
        refresh_token: Secret::new(seed::REFRESH_TOKEN),
    };
    let tokens = TokenProvider::zoho(http.clone(), auth, base.clone(), None);
    let mut config = ClientConfig::new(Rate::per_second(200.0).ok_or("rate")?);
    // Answers read as a run reads them: by the target's own codes.
    config.codes = bulkline::connectors::zoho_books::DESCRIPTOR.codes;
    config.retry = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
        max_wait: bulkline::http::lockout::DEFAULT_MAX_WAIT,
    };
    Ok(HttpClient::new(http, base, Some(Arc::new(tokens)), config))
}

fn books() -> ZohoBooks {
    ZohoBooks::new(seed::BOOKS_ORGANIZATION_ID, Some(PARENT.to_string()))
}

fn contact(first: &str, mobile: &str) -> Contact {
    Contact {
        first_name: first.into(),
        last_name: "Smith".into(),
        emails: vec![format!("{}@example.com", first.to_lowercase())],
        phones: vec![
            Phone {
                e164: mobile.into(),
                label: PhoneLabel::Mobile,
                extension: None,
                is_mobile: Some(true),
            },
            Phone {
                e164: "+19259219201".into(),
                label: PhoneLabel::Work,
                extension: None,
                is_mobile: None,
            },
        ],
        job_title: "Sales Engineer".into(),
        ..Contact::default()
    }
}

/// The target's fields for `c`, a rejection turned into a test error.
fn want(t: &ZohoBooks, c: &Contact, extras: &RowExtras) -> Result<RecordFields, String> {
    t.desired(c, extras).map_err(|r| format!("rejected: {r:?}"))
}

fn done(w: Write) -> Result<String, Box<dyn std::error::Error>> {
    match w {
        Write::Done(id) => Ok(id),
        other => Err(format!("expected Done, got {other:?}").into()),
    }
}

fn find<'a>(records: &'a [RemoteRecord], id: &str) -> Option<&'a RemoteRecord> {
    records.iter().find(|r| r.id == id)
}

#[tokio::test]
async fn create_list_update_delete() -> TestResult {
    let sb = sandbox(None).await?;
    let http = client(&sb)?;
    let t = books();
    let parents = [PARENT.to_string()];
    let extras = RowExtras::default();

    let fields = want(&t, &contact("Will", "+14054439562"), &extras)?;
    let id = done(t.create(&http, &fields, &extras).await)?;
    assert!(id.bytes().all(|b| b.is_ascii_digit()), "id {id}");

    // Listed as created: the fields compare equal, so an upsert would send nothing.
    let listed = t.list(&http, &parents).await?;
    let rec = find(&listed, &id).ok_or("created person not listed")?;
    assert_eq!(rec.parent.as_deref(), Some(PARENT.to_string().as_str()));
    assert_eq!(rec.fields, fields);

    // Update: a new mobile and title, and no more last name (cleared, not kept).
    let mut changed = contact("Will", "+14054439500");
    changed.last_name.clear();
    changed.job_title = "Director".into();
    let new_fields = want(&t, &changed, &extras)?;
    assert_eq!(
        t.update(&http, &id, &new_fields, &extras).await,
        Write::Done(id.clone())
    );
    let listed = t.list(&http, &parents).await?;
    let rec = find(&listed, &id).ok_or("updated person not listed")?;
    assert_eq!(rec.fields, new_fields);
    assert_eq!(rec.fields.get("last_name"), None);

    // Delete: gone from the list and from the sandbox.
    assert_eq!(
        t.delete(&http, &id, Some(&parents[0])).await,
        Write::Done(id.clone())
    );
    let listed = t.list(&http, &parents).await?;
    assert!(find(&listed, &id).is_none());
    assert!(sb.books_contact_persons().is_empty());

    // Deleting again: the API's own "does not exist".
    match t.delete(&http, &id, None).await {
        Write::Failed { code, .. } => assert_eq!(code.as_deref(), Some("1003")),
        other => return Err(format!("expected Failed, got {other:?}").into()),
    }
    Ok(())
}

#[tokio::test]
async fn lists_every_page_of_every_parent() -> TestResult {
    let sb = sandbox(None).await?;
    let http = client(&sb)?;
    let t = books().with_per_page(3);
    let other = RowExtras {
        parent: Some(OTHER_PARENT.to_string()),
        ..RowExtras::default()
    };
    let mut ids = Vec::new();
    for i in 0..8 {
        let extras = if i % 4 == 3 {
            other.clone()
        } else {
            RowExtras::default()
        };
        let fields = want(&t, &contact(&format!("P{i}"), "+14054439562"), &extras)?;
        ids.push(done(t.create(&http, &fields, &extras).await)?);
    }
    let before = sb.request_count("GET /books/v3/contacts/{contact_id}/contactpersons", 200);
    let listed = t
        .list(&http, &[PARENT.to_string(), OTHER_PARENT.to_string()])
        .await?;
    let pages =
        sb.request_count("GET /books/v3/contacts/{contact_id}/contactpersons", 200) - before;
    // 6 persons under PARENT (pages of 3: 3 + 3, has_more false on the second), 2 under OTHER.
    assert_eq!(pages, 3);
    assert_eq!(listed.len(), 8);
    let mut got: Vec<&str> = listed.iter().map(|r| r.id.as_str()).collect();
    got.sort_unstable();
    let mut want: Vec<&str> = ids.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(got, want);
    let under_other = listed
        .iter()
        .filter(|r| r.parent.as_deref() == Some(OTHER_PARENT.to_string().as_str()))
        .count();
    assert_eq!(under_other, 2);

    // A parent with no persons lists nothing; an unknown one is an error.
    assert!(
        t.list(&http, &[seed::BOOKS_CONTACTS[2].0.to_string()])
            .await?
            .is_empty()
    );
    let err = t
        .list(&http, &["1".to_string()])
        .await
        .err()
        .ok_or("listed an unknown contact")?;
    assert!(err.message.contains("Contact does not exist"), "{err}");
    Ok(())
}

#[tokio::test]
async fn marks_the_primary_contact_person() -> TestResult {
    let sb = sandbox(None).await?;
    let http = client(&sb)?;
    let t = books();
    let plain = RowExtras::default();
    let primary = RowExtras {
        primary: true,
        ..RowExtras::default()
    };
    let first = done(
        t.create(
            &http,
            &want(&t, &contact("Ann", "+14054439561"), &plain)?,
            &plain,
        )
        .await,
    )?;
    let second = done(
        t.create(
            &http,
            &want(&t, &contact("Bo", "+14054439562"), &primary)?,
            &primary,
        )
        .await,
    )?;
    assert_eq!(
        sb.request_count("POST /books/v3/contacts/contactpersons/{id}/primary", 200),
        1
    );
    let is_primary = |id: &str| {
        sb.books_contact_persons()
            .iter()
            .find(|p| p.contact_person_id.to_string() == id)
            .map(|p| p.is_primary_contact)
    };
    assert_eq!(is_primary(&second), Some(true));
    assert_eq!(is_primary(&first), Some(false));
    assert!(t.take_primary_failures().is_empty());

    // An update with `primary` moves it back.
    let fields: RecordFields = want(&t, &contact("Ann", "+14054439561"), &primary)?;
    assert_eq!(
        t.update(&http, &first, &fields, &primary).await,
        Write::Done(first.clone())
    );
    assert_eq!(is_primary(&first), Some(true));
    assert_eq!(is_primary(&second), Some(false));
    Ok(())
}

#[tokio::test]
async fn permanent_errors_carry_the_apis_code() -> TestResult {
    let sb = sandbox(None).await?;
    let http = client(&sb)?;
    let t = books();
    let unknown = RowExtras {
        parent: Some("460000000099999".into()),
        ..RowExtras::default()
    };
    let fields = want(&t, &contact("Will", "+14054439562"), &unknown)?;
    match t.create(&http, &fields, &unknown).await {
        Write::Failed { code, message, .. } => {
            assert_eq!(code.as_deref(), Some("1002"));
            assert!(message.contains("Contact does not exist"), "{message}");
        }
        other => return Err(format!("expected Failed, got {other:?}").into()),
    }
    // An update of a person that does not exist.
    match t
        .update(&http, "460000000099999", &fields, &RowExtras::default())
        .await
    {
        Write::Failed { code, .. } => assert_eq!(code.as_deref(), Some("1003")),
        other => return Err(format!("expected Failed, got {other:?}").into()),
    }
    assert!(sb.books_contact_persons().is_empty());
    Ok(())
}

#[tokio::test]
async fn an_ambiguous_create_is_reported_and_was_applied() -> TestResult {
    let sb = sandbox(None).await?;
    let http = client(&sb)?;
    let t = books();
    let extras = RowExtras::default();
    let fields = want(&t, &contact("Will", "+14054439562"), &extras)?;
    // Fetch the token first: the sandbox's faults do not hit the token endpoint anyway.
    assert!(t.list(&http, &[PARENT.to_string()]).await?.is_empty());
    sb.set_config(&ConfigPatch {
        ambiguous_rate: Some(1.0),
        ..ConfigPatch::default()
    })?;
    let w = t.create(&http, &fields, &extras).await;
    assert!(matches!(w, Write::Ambiguous { .. }), "{w:?}");
    // Not repeated: exactly one create reached the sandbox, and it was applied.
    assert_eq!(sb.books_contact_persons().len(), 1);
    sb.set_config(&ConfigPatch {
        ambiguous_rate: Some(0.0),
        ..ConfigPatch::default()
    })?;
    let listed = t.list(&http, &[PARENT.to_string()]).await?;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].fields, fields);
    Ok(())
}

#[tokio::test]
async fn the_daily_quota_stops_the_run() -> TestResult {
    // One request left today: the create takes it, the follow-up "primary" is refused.
    let sb = sandbox(Some(1)).await?;
    let http = client(&sb)?;
    let t = books();
    let primary = RowExtras {
        primary: true,
        ..RowExtras::default()
    };
    let fields = want(&t, &contact("Will", "+14054439562"), &primary)?;
    let id = done(t.create(&http, &fields, &primary).await)?;
    let failures = t.take_primary_failures();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].id, id);
    assert!(
        failures[0].message.contains("primary"),
        "{}",
        failures[0].message
    );
    assert!(t.take_primary_failures().is_empty(), "taken once");

    // The next write stops the run, and nothing is created.
    let fields = want(&t, &contact("Ann", "+14054439561"), &RowExtras::default())?;
    let w = t.create(&http, &fields, &RowExtras::default()).await;
    match w {
        Write::Stop { message, denied } => {
            assert!(message.contains("per day") && !denied, "{message}")
        }
        other => return Err(format!("expected Stop, got {other:?}").into()),
    }
    assert_eq!(sb.books_contact_persons().len(), 1);
    let err = t
        .list(&http, &[PARENT.to_string()])
        .await
        .err()
        .ok_or("listed past the quota")?;
    assert!(err.message.contains("per day"), "{err}");
    Ok(())
}

#[tokio::test]
async fn lists_more_than_one_full_page() -> TestResult {
    let sb = sandbox(None).await?;
    let http = client(&sb)?;
    let t = books();
    let extras = RowExtras::default();
    for i in 0..201 {
        let fields = want(&t, &contact(&format!("N{i}"), "+14054439562"), &extras)?;
        done(t.create(&http, &fields, &extras).await)?;
    }
    let before = sb.request_count("GET /books/v3/contacts/{contact_id}/contactpersons", 200);
    let listed = t.list(&http, &[PARENT.to_string()]).await?;
    let pages =
        sb.request_count("GET /books/v3/contacts/{contact_id}/contactpersons", 200) - before;
    assert_eq!((listed.len(), pages), (201, 2));
    Ok(())
}
