//! `bulkline sms --test-to`: one row's message to test numbers only, against the sandbox.
//! The test numbers get it and nobody else; no journal is written or changed; the campaign run
//! afterwards texts every recipient exactly once, a test number that is also a recipient
//! included (a test never keeps a recipient from the campaign's text).

use std::process::Stdio;

use common::{Harness, Run, mobile, texts};

mod common;

/// The outgoing texts per number, for the numbers of rows `ns`.
fn counts_of(h: &Harness, ns: impl IntoIterator<Item = u32>) -> Vec<usize> {
    let by = texts(h);
    ns.into_iter()
        .map(|n| by.get(&mobile(n)).copied().unwrap_or(0))
        .collect()
}

const TEMPLATE: &str = "Hi {first_name}, the sale starts today";

#[test]
fn test_to_texts_only_the_test_numbers_and_the_campaign_still_texts_everyone_once() {
    let h = Harness::new(common::config());
    let input = h.write_names_and_mobiles("list.csv", 0..12);
    let cp = h.path("c.checkpoint");
    // One test number in international form, one national (read with --default-region).
    let test = h.sms(
        &input,
        &cp,
        &[
            "--message",
            TEMPLATE,
            "--default-region",
            "GB",
            "--test-to",
            &mobile(90_000),
            "--test-to",
            "07400 190001",
        ],
    );
    test.assert_code(0);
    assert_eq!(test.summary["command"], "sms-test", "{test}");
    assert_eq!(test.num("row"), 1);
    assert_eq!(test.summary["message"], "Hi First0, the sale starts today");
    assert_eq!(test.num("sent"), 2, "{test}");
    let results = test.summary["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .all(|r| r["status"] == "sent" && r["logid"].is_string())
    );
    let all = texts(&h);
    assert_eq!(all.len(), 2, "only the test numbers: {all:?}");
    assert_eq!(counts_of(&h, [90_000, 90_001]), [1, 1]);
    assert!(!cp.exists(), "a test send writes no journal");

    // --test-row: that row's message.
    let row3 = h.sms(
        &input,
        &cp,
        &[
            "--message",
            TEMPLATE,
            "--test-to",
            &mobile(90_000),
            "--test-row",
            "3",
        ],
    );
    row3.assert_code(0);
    assert_eq!(row3.summary["message"], "Hi First2, the sale starts today");
    assert_eq!(counts_of(&h, [90_000]), [2]);

    // The campaign: every recipient once; the test numbers are no recipients.
    let campaign = h.sms(&input, &cp, &["--message", TEMPLATE]);
    campaign.assert_code(0);
    assert_eq!(campaign.num("sent"), 12, "{campaign}");
    assert_eq!(counts_of(&h, 0..12), vec![1; 12]);
    assert_eq!(counts_of(&h, [90_000, 90_001]), [2, 1]);
    assert_eq!(texts(&h).len(), 14);

    // A test send after the campaign leaves its journal as it was, and the campaign run again
    // sends nothing.
    let before = std::fs::read(&cp).expect("the journal");
    let again = h.sms(
        &input,
        &cp,
        &["--message", TEMPLATE, "--test-to", &mobile(90_001)],
    );
    again.assert_code(0);
    assert_eq!(std::fs::read(&cp).expect("the journal"), before);
    let rerun = h.sms(&input, &cp, &["--message", TEMPLATE]);
    rerun.assert_code(0);
    assert_eq!(rerun.num("sent"), 0, "{rerun}");
    assert_eq!(counts_of(&h, 0..12), vec![1; 12]);
}

/// A test number that is also a recipient, with the same text: the campaign still texts it
/// (the test is not taken for the campaign's message by the repeat guard), once.
#[test]
fn a_test_to_a_recipient_does_not_keep_the_campaign_from_texting_it() {
    let h = Harness::new(common::config());
    let input = h.write_names_and_mobiles("list.csv", 0..5);
    let cp = h.path("c.checkpoint");
    let text = "The sale starts today";
    let test = h.sms(&input, &cp, &["--message", text, "--test-to", &mobile(0)]);
    test.assert_code(0);
    assert_eq!(counts_of(&h, 0..5), [1, 0, 0, 0, 0]);
    let campaign = h.sms(&input, &cp, &["--message", text]);
    campaign.assert_code(0);
    assert_eq!(campaign.num("sent"), 5, "{campaign}");
    assert_eq!(
        counts_of(&h, 0..5),
        [2, 1, 1, 1, 1],
        "the test, then the campaign's one"
    );
}

#[test]
fn test_numbers_that_cannot_be_texted_stop_before_anything_is_sent() {
    let h = Harness::new(common::config());
    let input = h.write_names_and_mobiles("list.csv", 0..3);
    let cp = h.path("c.checkpoint");
    let suppress = h.path("suppress.txt");
    std::fs::write(&suppress, format!("{}\n", mobile(90_002))).expect("write");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--test-to".into(), "not a number".into()],
            "cannot be read as a phone number",
        ),
        // National, and no region to read it in.
        (
            vec!["--test-to".into(), "07400 190001".into()],
            "--default-region",
        ),
        // A London landline.
        (
            vec!["--test-to".into(), "+44 20 7946 0958".into()],
            "is not a mobile number",
        ),
        (
            vec![
                "--test-to".into(),
                mobile(90_002),
                "--suppress".into(),
                suppress.to_string_lossy().into_owned(),
            ],
            "is on --suppress",
        ),
        (
            vec![
                "--test-to".into(),
                mobile(90_000),
                "--test-row".into(),
                "9".into(),
            ],
            "--test-row 9",
        ),
    ];
    for (extra, says) in cases {
        let mut args: Vec<&str> = vec!["--message", TEMPLATE];
        args.extend(extra.iter().map(String::as_str));
        let run = h.sms(&input, &cp, &args);
        run.assert_code(2);
        assert!(run.stderr.contains(says), "{says}: {run}");
    }
    assert!(texts(&h).is_empty(), "nothing was sent");
    assert!(!cp.exists());
}

/// A test send needs the sender id like the campaign; a refusal of it stops with the vendor's
/// code quoted.
#[test]
fn a_test_send_needs_and_quotes_the_sender_id() {
    let h = Harness::new(common::config());
    let input = h.write_names_and_mobiles("list.csv", 0..3);
    let cp = h.path("c.checkpoint");
    let out = h
        .api_command()
        .env_remove("ZOHO_VOICE_SENDER_ID")
        .arg("sms")
        .arg(&input)
        .arg("--checkpoint")
        .arg(&cp)
        .args(h.url_args())
        .args(["--message", TEMPLATE, "--test-to", &mobile(90_000)])
        .stdin(Stdio::null())
        .output()
        .expect("run bulkline sms");
    let run = Run::from_output(out);
    run.assert_code(2);
    assert!(run.stderr.contains("requires a sender id"), "{run}");
    let refused = h.sms(
        &input,
        &cp,
        &[
            "--message",
            TEMPLATE,
            "--sender-id",
            "NOPE",
            "--test-to",
            &mobile(90_000),
            "--test-to",
            &mobile(90_001),
        ],
    );
    refused.assert_code(2);
    assert!(
        refused.stderr.contains("ZVSMS-4027 \"Bad Request"),
        "{refused}"
    );
    assert_eq!(
        h.writes_of("POST"),
        1,
        "stopped after the first refusal: {refused}"
    );
    assert!(texts(&h).is_empty());
}
