//! `bulkline check`: the pre-flight alone, with a report of what the token allows. It always
//! asks the token endpoint for a new access token: it tests the credentials, and a cached
//! token says nothing about them (it still works after the client secret changed).

use serde_json::json;

use super::api::{connect_sms_with, connect_with};
use crate::cli::{CheckArgs, CheckTo};
use crate::error::{Error, Result, exit};
use crate::exit::Ended;
use crate::preflight::{Checked, Token};
use crate::roundtrip::{self, RoundTrip};
use crate::scopes;

// Two requests, nothing to go on from.
super::runs!(CheckArgs, run, resumes: false);

pub fn run(args: &CheckArgs) -> Result<Ended> {
    let (checked, trip) = match args.to {
        CheckTo::Sms if args.write => {
            return Err(Error::Usage(
                "check --write probes a contact API; for SMS, `bulkline sms --test-to NUMBER` sends the campaign's message to a number of yours".into(),
            ));
        }
        CheckTo::Sms => (
            connect_sms_with(&args.api, None, Token::Fresh)?.checked,
            None,
        ),
        CheckTo::Target(kind) => {
            let api = connect_with(&args.api, kind, None, None, Token::Fresh)?;
            let trip = args.write.then(|| round_trip(&api, kind)).transpose()?;
            (api.checked, trip)
        }
    };
    let name = args.to.as_str();
    let code = match &trip {
        Some(t) if !t.held => exit::ExitCode::RowsRejected,
        _ => exit::ExitCode::Ok,
    };
    if args.api.json {
        let mut report = report_json(name, &checked);
        if let Some(t) = &trip {
            report["write"] = json!(t);
            report["ready"] = json!(t.held);
        }
        report["exit_code"] = json!(code);
        crate::stdout::answer(report);
    } else if !args.api.quiet {
        let mut text = report_text(name, &checked);
        if let Some(t) = &trip {
            text.push_str(&trip_text(t));
        }
        // The check is done: a reader that went away is no error.
        crate::stdout::tolerate_closed(crate::stdout::write(&text))?;
    }
    Ok(Ended::with(code))
}

/// The write round trip on the target of `api`, its note in the state directory.
fn round_trip(api: &super::api::Api, kind: crate::connectors::TargetKind) -> Result<RoundTrip> {
    let state = crate::runlock::state_dir(|k| std::env::var(k).ok());
    let note = roundtrip::note_path(&state, kind.as_str(), api.destination.entries());
    api.runtime.block_on(roundtrip::run(
        &api.target,
        &api.http,
        &note,
        api.default_parent.as_deref(),
    ))
}

fn trip_text(trip: &RoundTrip) -> String {
    let mut out = String::new();
    for id in &trip.leftovers_removed {
        out.push_str(&format!(
            "  leftover   probe record {id} of an interrupted check: deleted\n"
        ));
    }
    out.push_str(&format!(
        "  write      {} (a probe: {} {})\n",
        if trip.held { "held" } else { "FAILED" },
        roundtrip::PROBE_FIRST_NAME,
        roundtrip::PROBE_MOBILE
    ));
    for s in &trip.steps {
        out.push_str(&format!(
            "    {:<18}{:<4}{} ({} ms)\n",
            s.step,
            if s.ok { "ok" } else { "NO" },
            s.detail,
            s.ms
        ));
    }
    out
}

/// Per command of the API: the scopes the token's list lacks (`None`: no list to read).
fn per_command(checked: &Checked) -> Vec<(scopes::Purpose, Option<Vec<String>>)> {
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
        "command": "check",
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
