//! Access tokens from the sandbox's token endpoints, asked for as another tool would (Zoho's
//! refresh-token flow, Zoom's account credentials), with the seeded credentials.

use std::error::Error;

use bulkline::sandbox::seed;
use serde_json::Value;

/// A Zoho access token from the sandbox at `url`.
pub async fn zoho_token(c: &reqwest::Client, url: &str) -> Result<String, Box<dyn Error>> {
    let answer = c
        .post(format!("{url}/oauth/v2/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", seed::CLIENT_ID),
            ("client_secret", seed::CLIENT_SECRET),
            ("refresh_token", seed::REFRESH_TOKEN),
        ])
        .send()
        .await?;
    access_token(answer.json().await?)
}

/// A Zoom access token from the sandbox at `url`.
pub async fn zoom_token(c: &reqwest::Client, url: &str) -> Result<String, Box<dyn Error>> {
    let answer = c
        .post(format!("{url}/oauth/token"))
        .query(&[
            ("grant_type", "account_credentials"),
            ("account_id", seed::ZOOM_ACCOUNT_ID),
        ])
        .basic_auth(seed::CLIENT_ID, Some(seed::CLIENT_SECRET))
        .send()
        .await?;
    access_token(answer.json().await?)
}

fn access_token(answer: Value) -> Result<String, Box<dyn Error>> {
    Ok(answer["access_token"]
        .as_str()
        .ok_or_else(|| format!("no token in {answer}"))?
        .to_string())
}
