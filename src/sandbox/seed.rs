//! The fixed credentials the sandbox accepts and the records it starts with. They are public
//! on purpose: they unlock nothing but the sandbox.

/// The OAuth client id (Zoho and Zoom).
pub const CLIENT_ID: &str = "sandbox-client";
/// The OAuth client secret (Zoho and Zoom).
pub const CLIENT_SECRET: &str = "sandbox-secret";
/// The Zoho refresh token.
pub const REFRESH_TOKEN: &str = "sandbox-refresh";
/// The grant code of the API console's Self Client: exchanged once for a new refresh token
/// (`grant_type=authorization_code`), as Zoho's are.
pub const GRANT_CODE: &str = "1000.sandbox-grant-code";
/// The Zoom account id (server-to-server OAuth).
pub const ZOOM_ACCOUNT_ID: &str = "sandbox-account";
/// The Zoho Books organization.
pub const BOOKS_ORGANIZATION_ID: &str = "10234695";
/// The Zoho Books contacts (parents of contact persons): id and name.
pub const BOOKS_CONTACTS: [(u64, &str); 3] = [
    (460000000026049, "Bowman Furniture"),
    (460000000026050, "Zylker Traders"),
    (460000000026055, "Sandbox Sample Co"),
];
/// The first contact person id handed out.
pub const BOOKS_FIRST_PERSON_ID: u64 = 460000000030001;
/// The Zoom Contact Center address book.
pub const ZOOM_ADDRESS_BOOK_ID: &str = "sbxAddressBook00000001";
/// Its name.
pub const ZOOM_ADDRESS_BOOK_NAME: &str = "Sandbox Address Book";
/// The first Zoho Voice contact id handed out.
pub const VOICE_FIRST_CONTACT_ID: u64 = 315000153769001;
/// The owner of every Zoho Voice contact (and the SMS user).
pub const VOICE_OWNER_ID: u64 = 415005010526109;
/// The owner's name.
pub const VOICE_OWNER_NAME: &str = "Sandbox User";
/// The Zoho Voice contact statuses (id, display value), as on the page.
pub const VOICE_CONTACT_STATUSES: [(&str, &str); 3] = [
    ("1000000000027", "Active"),
    ("1000000000029", "In Active"),
    ("1000000000031", "VIP"),
];
/// The default SMS sender id.
pub const SMS_SENDER_ID: &str = "+14845550100";
/// The SMS user's email.
pub const SMS_EMAIL: &str = "sandbox@example.com";
/// The SMS user's zuid.
pub const SMS_ZUID: u64 = 669069956;
/// The SMS organization's zsoid.
pub const SMS_ZSOID: &str = "697950588";

/// The environment a client needs to talk to a sandbox at `url`, as `NAME=value` lines.
pub fn env_lines(url: &str) -> Vec<String> {
    let books_contact = BOOKS_CONTACTS[0].0.to_string();
    [
        ("BULKLINE_BASE_URL", url),
        ("BULKLINE_ACCOUNTS_URL", url),
        ("ZOHO_CLIENT_ID", CLIENT_ID),
        ("ZOHO_CLIENT_SECRET", CLIENT_SECRET),
        ("ZOHO_REFRESH_TOKEN", REFRESH_TOKEN),
        ("ZOHO_BOOKS_ORGANIZATION_ID", BOOKS_ORGANIZATION_ID),
        ("ZOOM_ACCOUNT_ID", ZOOM_ACCOUNT_ID),
        ("ZOOM_CLIENT_ID", CLIENT_ID),
        ("ZOOM_CLIENT_SECRET", CLIENT_SECRET),
        ("ZOOM_ADDRESS_BOOK_ID", ZOOM_ADDRESS_BOOK_ID),
        ("ZOHO_BOOKS_CONTACT_ID", &books_contact),
        ("ZOHO_VOICE_SENDER_ID", SMS_SENDER_ID),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={v}"))
    .collect()
}

/// The credentials and seeded ids as JSON (for `GET /_sandbox/credentials` and the state).
pub fn credentials_json() -> serde_json::Value {
    serde_json::json!({
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN,
        "zoom_account_id": ZOOM_ACCOUNT_ID,
        "books_organization_id": BOOKS_ORGANIZATION_ID,
        "books_contact_ids": BOOKS_CONTACTS.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        "zoom_address_book_id": ZOOM_ADDRESS_BOOK_ID,
        "voice_contact_statuses": VOICE_CONTACT_STATUSES
            .iter()
            .map(|(id, name)| serde_json::json!({"id": id, "display_value": name}))
            .collect::<Vec<_>>(),
    })
}

/// The options that point a run of `target` at its seeded destination (Books: the first
/// contact; Zoom: the address book); none for a target that has no destination to name.
pub fn destination_args(target: &str) -> Vec<String> {
    match target {
        "zoho-books" => vec![
            "--books-contact-id".to_string(),
            BOOKS_CONTACTS[0].0.to_string(),
        ],
        "zoom-cc" => vec![
            "--address-book-id".to_string(),
            ZOOM_ADDRESS_BOOK_ID.to_string(),
        ],
        _ => Vec::new(),
    }
}
