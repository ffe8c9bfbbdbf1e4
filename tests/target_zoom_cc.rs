//! The Zoom Contact Center target against the in-process sandbox, over real HTTP.

use std::sync::Arc;
use std::time::Duration;

use bulkline::auth::zoom::ZoomAuth;
use bulkline::auth::{Secret, TokenProvider};
use bulkline::connectors::zoom_cc::ZoomCc;
use bulkline::connectors::{RecordFields, RowExtras, Target, Write};
use bulkline::contact::{Contact, Phone, PhoneLabel};
use bulkline::http::{BaseUrl, ClientConfig, HttpClient, Rate, RetryPolicy, build_client};
use bulkline::sandbox::{ConfigPatch, Sandbox, SandboxConfig, seed};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const LIST: &str = "GET /v2/contact_center/address_books/{id}/contacts";

async fn setup() -> Result<(Sandbox, HttpClient), Box<dyn std::error::Error>> {
    let sb = Sandbox::start(SandboxConfig::default()).await?;
    let base = BaseUrl::parse(&sb.url())?;
    let http = build_client(Duration::from_secs(10))?;
    let auth = TokenProvider::zoom(
        http.clone(),
        ZoomAuth::ServerToServer {
            account_id: seed::ZOOM_ACCOUNT_ID.into(),
            client_id: seed::CLIENT_ID.into(),
            client_secret: Secret::new(seed::CLIENT_SECRET),
        },
        base.clone(),
        None,
    );
    let mut config = ClientConfig::new(Rate::per_second(2000.0).ok_or("rate")?);
    // Answers read as a run reads them: by the target's own codes.
    config.codes = bulkline::connectors::zoom_cc::DESCRIPTOR.codes;
    config.retry = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(5),
        max_wait: bulkline::http::lockout::DEFAULT_MAX_WAIT,
    };
    Ok((
        sb,
        HttpClient::new(http, base, Some(Arc::new(auth)), config),
    ))
}

fn target() -> ZoomCc {
    ZoomCc::new(seed::ZOOM_ADDRESS_BOOK_ID)
}

fn phone(e164: &str) -> Phone {
    Phone {
        e164: e164.into(),
        label: PhoneLabel::Mobile,
        extension: None,
        is_mobile: None,
    }
}

fn jane() -> Contact {
    Contact {
        first_name: "Jane".into(),
        last_name: "Doe".into(),
        emails: vec!["jane@example.com".into(), "j.doe@example.org".into()],
        phones: vec![phone("+14054439562"), phone("+442071838750")],
        company: "Acme".into(),
        job_title: "Buyer".into(),
        city: "Austin".into(),
        state: "TX".into(),
        country: "US".into(),
        ..Contact::default()
    }
}

/// The target's fields for `c`, or the rejection's message.
fn desired(t: &ZoomCc, c: &Contact) -> Result<RecordFields, String> {
    t.desired(c, &RowExtras::default())
        .map_err(|r| format!("rejected: {:?}: {}", r.code, r.message))
}

fn done(w: Write) -> Result<String, String> {
    match w {
        Write::Done(id) => Ok(id),
        other => Err(format!("expected Done, got {other:?}")),
    }
}

#[tokio::test]
async fn create_list_update_delete() -> TestResult {
    let (sb, http) = setup().await?;
    let t = target();
    let x = RowExtras::default();
    let want = desired(&t, &jane())?;
    let id = done(t.create(&http, &want, &x).await)?;
    assert!(!id.is_empty());
    assert_eq!(sb.zoom_contacts().len(), 1);
    assert_eq!(sb.zoom_contacts()[0].contact_id, id);
    assert_eq!(sb.zoom_contacts()[0].text("display_name"), "Jane Doe");

    let listed = t.list(&http, &[]).await?;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);
    assert_eq!(listed[0].parent, None);
    assert_eq!(
        listed[0].fields, want,
        "an unchanged contact compares equal"
    );

    // Fewer phones, no company, a new title: the update replaces every managed field.
    let mut changed = jane();
    changed.phones.truncate(1);
    changed.company.clear();
    changed.job_title = "Head of Buying".into();
    let want2 = desired(&t, &changed)?;
    assert_eq!(done(t.update(&http, &id, &want2, &x).await)?, id);
    let listed = t.list(&http, &[]).await?;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].fields, want2);
    assert_eq!(sb.zoom_contacts()[0].text("company"), "");
    assert_eq!(sb.zoom_contacts()[0].phone_numbers, vec!["+14054439562"]);

    assert_eq!(done(t.delete(&http, &id, None).await)?, id);
    assert!(t.list(&http, &[]).await?.is_empty());
    assert!(sb.zoom_contacts().is_empty());
    // Deleting again: the API says it is not there (2101), which undo counts as already gone.
    assert!(matches!(
        t.delete(&http, &id, None).await,
        Write::Failed { code: Some(c), .. } if c == "2101"
    ));
    Ok(())
}

#[tokio::test]
async fn list_pages_through_more_than_300() -> TestResult {
    let (sb, http) = setup().await?;
    let t = target();
    let n = 650;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let (t, http) = (t.clone(), http.clone());
        tasks.spawn(async move {
            let c = Contact {
                first_name: format!("Person{i}"),
                phones: vec![phone(&format!("+1405555{i:04}"))],
                ..Contact::default()
            };
            let x = RowExtras::default();
            match t.desired(&c, &x) {
                Ok(f) => t.create(&http, &f, &x).await,
                Err(e) => Write::refused(e.message),
            }
        });
    }
    while let Some(w) = tasks.join_next().await {
        done(w?)?;
    }
    assert_eq!(sb.zoom_contacts().len(), n);

    let listed = t.list(&http, &[]).await?;
    assert_eq!(listed.len(), n);
    assert_eq!(sb.request_count(LIST, 200), 3, "300 + 300 + 50");
    let mut ids: Vec<&str> = listed.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "no record listed twice");
    let mut names: Vec<&str> = listed
        .iter()
        .filter_map(|r| r.fields.get("display_name"))
        .collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n);
    Ok(())
}

#[tokio::test]
async fn unknown_address_book_fails_with_2001() -> TestResult {
    let (sb, http) = setup().await?;
    let t = ZoomCc::new("noSuchBook");
    let x = RowExtras::default();
    let f = desired(&t, &jane())?;
    match t.create(&http, &f, &x).await {
        Write::Failed { code, .. } => assert_eq!(code.as_deref(), Some("2001")),
        other => panic!("expected Failed 2001, got {other:?}"),
    }
    let err = t.list(&http, &[]).await.expect_err("no such book");
    assert!(err.message.contains("2001"), "{err}");
    assert!(sb.zoom_contacts().is_empty());
    Ok(())
}

#[tokio::test]
async fn update_of_an_unknown_contact_fails_with_2101() -> TestResult {
    let (_sb, http) = setup().await?;
    let t = target();
    let x = RowExtras::default();
    let f = desired(&t, &jane())?;
    match t.update(&http, "noSuchContact", &f, &x).await {
        Write::Failed { code, .. } => assert_eq!(code.as_deref(), Some("2101")),
        other => panic!("expected Failed 2101, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn refusals_by_the_api_are_failures() -> TestResult {
    let (sb, http) = setup().await?;
    let t = target();
    let x = RowExtras::default();
    // RecordFields that `desired` would never give: the API's own checks answer.
    let mut no_name = RecordFields::new();
    no_name.insert("emails".into(), "a@b.co".into());
    match t.create(&http, &no_name, &x).await {
        Write::Failed { code, .. } => assert_eq!(code.as_deref(), Some("2104")),
        other => panic!("expected Failed 2104, got {other:?}"),
    }
    let mut no_contact = RecordFields::new();
    no_contact.insert("display_name".into(), "X".into());
    match t.create(&http, &no_contact, &x).await {
        Write::Failed { code, .. } => assert_eq!(code.as_deref(), Some("2102")),
        other => panic!("expected Failed 2102, got {other:?}"),
    }
    assert!(sb.zoom_contacts().is_empty());
    Ok(())
}

#[tokio::test]
async fn ambiguous_create_is_reported_and_the_record_exists() -> TestResult {
    let (sb, http) = setup().await?;
    let t = target();
    let x = RowExtras::default();
    let want = desired(&t, &jane())?;
    // Fetch the token first, so the fault hits the create itself.
    assert!(t.list(&http, &[]).await?.is_empty());
    sb.set_config(&ConfigPatch {
        ambiguous_rate: Some(1.0),
        ..ConfigPatch::default()
    })?;
    let w = t.create(&http, &want, &x).await;
    assert!(matches!(w, Write::Ambiguous { .. }), "{w:?}");
    sb.set_config(&ConfigPatch {
        ambiguous_rate: Some(0.0),
        ..ConfigPatch::default()
    })?;
    assert_eq!(sb.zoom_contacts().len(), 1, "applied once, not repeated");
    let listed = t.list(&http, &[]).await?;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].fields, want, "reconciliation can find it");
    Ok(())
}
