//! `bulkline check`: the pre-flight alone, with a report of what the token allows. It always
//! asks the token endpoint for a new access token: it tests the credentials, and a cached
//! token says nothing about them (it still works after the client secret changed).

use serde_json::json;

use super::api::{connect_sms_with, connect_with};
use crate::cli::{CheckArgs, CheckTo};
use crate::error::{Result, exit};
use crate::preflight::{Checked, Token};
use crate::scopes;

pub fn run(args: &CheckArgs) -> Result<u8> {
    let checked = match args.to {
        CheckTo::ZohoSms => connect_sms_with(&args.api, None, Token::Fresh)?.checked,
        CheckTo::Target(kind) => connect_with(&args.api, kind, None, None, Token::Fresh)?.checked,
    };
    let name = args.to.as_str();
    if args.api.json {
        println!("{}", report_json(name, &checked));
    } else if !args.api.quiet {
        print!("{}", report_text(name, &checked));
    }
    Ok(exit::OK)
}

/// Per command of the API: the scopes the token's list lacks (`None`: no list to read).
fn per_command(checked: &Checked) -> Vec<(scopes::Command, Option<Vec<String>>)> {
    let listed = !checked.scopes().is_empty();
    scopes::commands_of(checked.api)
        .iter()
        .map(|&c| {
            let lacks = listed.then(|| checked.lacks(c).iter().map(|n| n.to_string()).collect());
            (c, lacks)
        })
        .collect()
}

fn report_text(name: &str, checked: &Checked) -> String {
    let mut out = format!("{name}: ready ({})\n", checked.api.name());
    let token = match checked.token_requests {
        // Only a fixed access token (ZOHO_ACCESS_TOKEN, ZOOM_ACCESS_TOKEN) asks for none.
        0 => "the access token of the credentials (no token request)".to_string(),
        n => format!(
            "a new access token ({n} token request{})",
            if n == 1 { "" } else { "s" }
        ),
    };
    out.push_str(&format!("  token      {token}\n"));
    let scopes = checked.scopes();
    if scopes.is_empty() {
        out.push_str("  scopes     not listed by the token endpoint: the first request that needs more says so\n");
    } else {
        out.push_str(&format!("  scopes     {}\n", scopes.join(" ")));
    }
    out.push_str(&format!(
        "  read       {}: HTTP {} in {} ms\n",
        checked.read,
        checked.status,
        checked.elapsed.as_millis()
    ));
    for (command, lacks) in per_command(checked) {
        let verdict = match lacks {
            None => "read ok; the rest is tried by the first request".to_string(),
            Some(l) if l.is_empty() => "ok".to_string(),
            Some(l) => format!("lacks {}", l.join(", ")),
        };
        out.push_str(&format!("  {:<11}{verdict}\n", command.as_str()));
    }
    out
}

fn report_json(name: &str, checked: &Checked) -> serde_json::Value {
    let commands: serde_json::Map<String, serde_json::Value> = per_command(checked)
        .into_iter()
        .map(|(c, lacks)| (c.as_str().to_string(), json!({ "lacks": lacks })))
        .collect();
    json!({
        "to": name,
        "ready": true,
        "token_requests": checked.token_requests,
        "scopes": checked.scopes(),
        "read": {
            "request": checked.read,
            "status": checked.status,
            "ms": checked.elapsed.as_millis() as u64,
        },
        "commands": commands,
    })
}
