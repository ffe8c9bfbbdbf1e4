//! `bulkline sms-status --verify`: every recipient the journal says was sent, checked against
//! the sandbox's outgoing SMS logs; and the sandbox as strict as the current pages (at most 10
//! numbers a send, log dates with a time), which bulkline's own requests meet.

use std::path::Path;

use common::{Harness, Run, mobile, read_table};
use serde_json::{Value, json};

mod common;

fn verify(h: &Harness, cp: &Path, extra: &[&str]) -> Run {
    let out = h
        .api_command()
        .arg("sms-status")
        .arg(cp)
        .arg("--verify")
        .args(h.url_args())
        .arg("--json")
        .args(extra)
        .output()
        .expect("run bulkline sms-status");
    Run::from_output(out)
}

/// POSTs `body` to the sandbox's `path` and returns the status and the JSON answer.
fn post(h: &Harness, path: &str, body: &Value) -> (u16, Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let url = format!("{}{path}", h.sb.url());
    rt.block_on(async {
        let r = reqwest::Client::new()
            .post(url)
            .json(body)
            .send()
            .await
            .expect("the sandbox answers");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    })
}

/// The log id of the outgoing message to row `n`'s mobile.
fn logid_of(h: &Harness, n: u32) -> String {
    h.sb.sms_messages()
        .into_iter()
        .find(|m| common::e164(&m.customer_number) == mobile(n))
        .map(|m| m.logid)
        .unwrap_or_else(|| panic!("no message to row {n}"))
}

#[test]
fn verify_finds_every_recipient_and_names_those_the_logs_do_not_show() {
    let h = Harness::new(common::config());
    let input = h.write_names_and_mobiles("list.csv", 0..15);
    let cp = h.path("c.checkpoint");
    let campaign = h.sms(&input, &cp, &["--message", "Hi {first_name}, see you"]);
    campaign.assert_code(0);

    let all = verify(&h, &cp, &[]);
    all.assert_code(0);
    assert_eq!(all.summary["mode"], "verify", "{all}");
    assert_eq!(all.num("landed"), 15, "{all}");
    assert_eq!(
        (all.num("differs"), all.num("missing"), all.num("unsettled")),
        (0, 0, 0)
    );
    assert_eq!(
        all.num("text_unchecked"),
        0,
        "the journal has the texts: {all}"
    );

    // Row 4's text changed in the logs, row 8's message gone from them.
    let (s, b) = post(
        &h,
        "/_sandbox/sms/edit",
        &json!({"logid": logid_of(&h, 3), "message": "Hi First3, see you NOT"}),
    );
    assert_eq!(s, 200, "{b}");
    let gone = logid_of(&h, 7);
    let (s, b) = post(
        &h,
        "/_sandbox/sms/edit",
        &json!({"logid": gone, "remove": true}),
    );
    assert_eq!(s, 200, "{b}");
    let (s, _) = post(
        &h,
        "/_sandbox/sms/edit",
        &json!({"logid": "nope", "remove": true}),
    );
    assert_eq!(s, 404);

    let report = h.path("not-landed.csv");
    let run = verify(&h, &cp, &["--report", report.to_str().unwrap()]);
    run.assert_code(1);
    assert_eq!(
        (run.num("landed"), run.num("differs"), run.num("missing")),
        (13, 1, 1),
        "{run}"
    );
    let lines = read_table(&report);
    let got: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["_row"].as_str(),
                l["_status"].as_str(),
                l["number"].as_str(),
            )
        })
        .collect();
    let (m3, m7) = (mobile(3), mobile(7));
    assert_eq!(
        got,
        vec![("4", "differs", m3.as_str()), ("8", "missing", m7.as_str())]
    );
    assert!(lines[0]["_message"].contains("NOT"), "{:?}", lines[0]);
    assert_eq!(lines[1]["logid"], gone);

    // The human summary names the counts.
    let out = h
        .api_command()
        .arg("sms-status")
        .arg(&cp)
        .arg("--verify")
        .args(h.url_args())
        .output()
        .expect("run sms-status");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("13 landed, 1 differs, 1 missing"), "{text}");
}

/// The sandbox refuses what the current pages refuse; bulkline's own campaign (25 numbers of
/// one text, so full batches) and its log readings pass it.
#[test]
fn the_sandbox_is_as_strict_as_the_pages_and_bulkline_meets_it() {
    let h = Harness::new(common::config());
    let numbers: Vec<String> = (0..11)
        .map(|n| mobile(n).trim_start_matches('+').to_string())
        .collect();
    let send = json!({"senderId": bulkline::sandbox::seed::SMS_SENDER_ID,
        "customerNumber": numbers.join(","), "message": "hi"});
    let (status, body) =
        h.zoho_request(reqwest::Method::POST, "/rest/json/v1/sms/send", Some(&send));
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "ZVSMS-4005", "{body}");
    assert!(h.sb.sms_messages().is_empty());

    let input = h.write_names_and_mobiles("list.csv", 0..25);
    let cp = h.path("c.checkpoint");
    let run = h.sms(&input, &cp, &["--message", "Store closed Monday"]);
    run.assert_code(0);
    assert_eq!(run.num("sent"), 25, "{run}");
    assert_eq!(run.num("send_requests"), 3, "{run}");
    let checked = verify(&h, &cp, &[]);
    checked.assert_code(0);
    assert_eq!(checked.num("landed"), 25, "{checked}");
    // The repeat guard (a campaign started over) reads the logs with dates and times too.
    let again = h.sms(
        &input,
        &cp,
        &["--message", "Store closed Monday", "--restart"],
    );
    again.assert_code(1);
    assert_eq!(
        again.summary["rejected_by_code"]["already_texted"], 25,
        "{again}"
    );
}
