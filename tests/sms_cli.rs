//! `bulkline sms` and `bulkline sms-status`, the real binary, against a sandbox started in this
//! process over real HTTP on 127.0.0.1. Every test checks the messages in the emulator's store:
//! each recipient gets exactly one message, suppressed and rejected rows get none, and faults
//! (a 500 that sent nothing, a 502 after sending, SIGKILL at random moments) never make a
//! second message or lose one.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;

use bulkline::sandbox::{Direction, SandboxConfig, SmsMessage};
use common::{Harness, Run, e164, in_flight, mobile, read_table, signal};

mod common;

/// The outgoing messages in the store, by number (E.164).
fn outgoing(h: &Harness) -> BTreeMap<String, Vec<SmsMessage>> {
    let mut by: BTreeMap<String, Vec<SmsMessage>> = BTreeMap::new();
    for m in h.sb.sms_messages() {
        if m.direction == Direction::Outgoing {
            by.entry(e164(&m.customer_number)).or_default().push(m);
        }
    }
    by
}

/// Checks that the mobiles of `rows` each got exactly one message and nobody else got any.
#[track_caller]
fn assert_each_once(h: &Harness, rows: impl IntoIterator<Item = u32>) {
    let by = outgoing(h);
    let twice: Vec<(&String, usize)> = by
        .iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(k, v)| (k, v.len()))
        .collect();
    assert!(twice.is_empty(), "texted more than once: {twice:?}");
    let expected: Vec<String> = rows.into_iter().map(mobile).collect();
    let got: Vec<String> = by.keys().cloned().collect();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(got, expected_sorted, "the numbers texted");
}

/// A CSV of rows `n` with names, mobiles and a city.
fn write_list(h: &Harness, name: &str, ns: impl IntoIterator<Item = u32>) -> PathBuf {
    let path = h.path(name);
    let mut w = csv::Writer::from_path(&path).expect("create the input");
    w.write_record(["First Name", "Last Name", "Mobile", "City"])
        .expect("write");
    for n in ns {
        w.write_record([
            format!("First{n}"),
            format!("Last{n}"),
            mobile(n),
            format!("City{}", n % 3),
        ])
        .expect("write");
    }
    w.flush().expect("flush");
    path
}

fn config() -> SandboxConfig {
    common::config()
}

#[test]
fn one_text_goes_out_in_batches_and_a_rerun_sends_nothing() {
    let h = Harness::new(config());
    let input = write_list(&h, "list.csv", 0..55);
    let cp = h.path("c.checkpoint");
    let report = h.path("report.csv");
    let run = h.sms(
        &input,
        &cp,
        &[
            "--message",
            "Sale starts today",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    run.assert_code(0);
    assert_eq!(run.num("sent"), 55, "{run}");
    assert_eq!(run.num("send_requests"), 6, "10 numbers a request: {run}");
    assert_eq!(h.writes_of("POST"), 6);
    assert_each_once(&h, 0..55);
    let lines = read_table(&report);
    assert_eq!(lines.len(), 55);
    assert!(
        lines
            .iter()
            .all(|l| l["_action"] == "sent" && !l["_logid"].is_empty())
    );

    // The same journal: every row is done; nothing is sent again.
    let again = h.sms(&input, &cp, &["--message", "Sale starts today"]);
    again.assert_code(0);
    assert_eq!(again.num("already_sent"), 55, "{again}");
    assert_eq!(again.num("sent"), 0, "{again}");
    assert_eq!(h.writes_of("POST"), 6, "a finished campaign sent again");

    // Another message is another campaign: the journal refuses it.
    let other = h.sms(&input, &cp, &["--message", "Sale ends today"]);
    other.assert_code(2);
    assert!(other.stderr.contains("belongs to another run"), "{other}");
    assert_eq!(h.writes_of("POST"), 6);
}

#[test]
fn batch_size_caps_the_numbers_per_request() {
    let h = Harness::new(config());
    let input = write_list(&h, "list.csv", 0..7);
    let run = h.sms(
        &input,
        &h.path("c.checkpoint"),
        &["--message", "Hello", "--batch-size", "3"],
    );
    run.assert_code(0);
    assert_eq!(run.num("send_requests"), 3, "{run}");
    assert_each_once(&h, 0..7);
    let bad = h.sms(
        &input,
        &h.path("d.checkpoint"),
        &["--message", "Hello", "--batch-size", "11"],
    );
    bad.assert_code(2);
}

#[test]
fn templates_fill_each_message_and_missing_values_reject_the_row() {
    let h = Harness::new(config());
    let path = h.path("list.csv");
    std::fs::write(
        &path,
        "First Name,Mobile,Order No\n\
         Ann,+447400100001,A-1\n\
         ,+447400100002,A-2\n\
         Cy,+447400100003,\n\
         Di,+447400100004,A-4\n",
    )
    .unwrap();
    let errors = h.path("errors.csv");
    let run = h.sms(
        &path,
        &h.path("c.checkpoint"),
        &[
            "--message",
            "Hi {first_name|there}, order {Order No} ships today",
            "--errors",
            errors.to_str().unwrap(),
        ],
    );
    run.assert_code(1);
    assert_eq!(run.num("sent"), 3, "{run}");
    let texts: BTreeMap<String, String> = outgoing(&h)
        .into_iter()
        .map(|(k, v)| (k, v[0].message.clone()))
        .collect();
    assert_eq!(texts["+447400100001"], "Hi Ann, order A-1 ships today");
    assert_eq!(texts["+447400100002"], "Hi there, order A-2 ships today");
    assert_eq!(texts["+447400100004"], "Hi Di, order A-4 ships today");
    assert!(
        !texts.contains_key("+447400100003"),
        "a message with a hole went out"
    );
    let rejected = read_table(&errors);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["_code"], "template_missing");
    assert_eq!(rejected[0]["_row"], "3");

    // A placeholder that is no field and no column is a usage error, before anything is sent.
    let before = h.writes_of("POST");
    let typo = h.sms(
        &path,
        &h.path("d.checkpoint"),
        &["--message", "Hi {frist_name}"],
    );
    typo.assert_code(2);
    assert!(typo.stderr.contains("{frist_name}"), "{typo}");
    assert_eq!(h.writes_of("POST"), before);
}

#[test]
fn non_mobiles_are_rejected_unless_allowed() {
    let h = Harness::new(config());
    let path = h.path("list.csv");
    // A UK landline and two mobiles.
    std::fs::write(
        &path,
        "Name,Phone\nAnn,+442079460958\nBo,+447400100001\nCy,+447400100002\n",
    )
    .unwrap();
    let errors = h.path("errors.csv");
    let run = h.sms(
        &path,
        &h.path("c.checkpoint"),
        &["--message", "Hi", "--errors", errors.to_str().unwrap()],
    );
    run.assert_code(1);
    assert_eq!(run.num("sent"), 2, "{run}");
    assert_eq!(read_table(&errors)[0]["_code"], "phone_not_mobile");
    assert!(!outgoing(&h).contains_key("+442079460958"));

    let allowed = h.sms(
        &path,
        &h.path("d.checkpoint"),
        &["--message", "Hi again", "--allow-landline"],
    );
    allowed.assert_code(0);
    assert_eq!(allowed.num("sent"), 3, "{allowed}");
    assert_eq!(outgoing(&h)["+442079460958"].len(), 1);
}

#[test]
fn suppression_files_and_stop_replies_keep_numbers_out() {
    let h = Harness::new(config());
    let input = write_list(&h, "list.csv", 0..10);
    // Row 1 in a CSV with a phone column, row 2 national in a one-number-a-line file (with a
    // line that holds no number: skipped, with --suppress-skip-unreadable).
    let list = h.path("dnc.csv");
    std::fs::write(&list, format!("Name,Mobile\nX,{}\n", mobile(1))).unwrap();
    let national = format!("0{}", &mobile(2)[3..]);
    let lines = h.path("dnc.txt");
    std::fs::write(&lines, format!("{national}\nnot a number\n")).unwrap();
    // Rows 3 and 4 texted opt-out words; row 5 texted something else.
    h.sb.add_incoming_sms(&mobile(3), " stop ").unwrap();
    h.sb.add_incoming_sms(&mobile(4), "Unsubscribe").unwrap();
    h.sb.add_incoming_sms(&mobile(5), "stop by tomorrow?")
        .unwrap();
    let errors = h.path("errors.csv");
    let run = h.sms(
        &input,
        &h.path("c.checkpoint"),
        &[
            "--message",
            "News",
            "--default-region",
            "GB",
            "--suppress",
            list.to_str().unwrap(),
            "--suppress",
            lines.to_str().unwrap(),
            "--suppress-skip-unreadable",
            "--errors",
            errors.to_str().unwrap(),
        ],
    );
    run.assert_code(1);
    assert_eq!(run.num("sent"), 6, "{run}");
    assert_eq!(run.num("suppressed"), 4, "{run}");
    assert_eq!(run.num("opted_out"), 2, "{run}");
    assert_eq!(run.num("opt_out_rows"), 2, "{run}");
    assert_eq!(
        run.summary["suppression_files"][1]["unreadable"], 1,
        "{run}"
    );
    assert_each_once(&h, [0, 5, 6, 7, 8, 9]);
    let rejected = read_table(&errors);
    let mut rows: Vec<&str> = rejected
        .iter()
        .filter(|r| r["_code"] == "suppressed")
        .map(|r| r["_row"].as_str())
        .collect();
    rows.sort();
    assert_eq!(rows, vec!["2", "3", "4", "5"]);

    // --no-opt-out-check does not read the logs: the STOP senders would be texted.
    let dry = h.sms(
        &input,
        &h.path("d.checkpoint"),
        &["--message", "News", "--dry-run", "--no-opt-out-check"],
    );
    dry.assert_code(0);
    assert_eq!(dry.num("recipients"), 10, "{dry}");
}

#[test]
fn a_dry_run_plans_and_sends_nothing() {
    let h = Harness::new(config());
    let path = h.path("list.csv");
    std::fs::write(
        &path,
        format!(
            "First Name,Mobile\nAnn,{}\nBo,{}\nCy,+14155552671\nDi,+8190{}\nEd,+442079460958\n",
            mobile(1),
            mobile(2),
            "12345678"
        ),
    )
    .unwrap();
    let out = h
        .sms_cmd(
            &path,
            &h.path("c.checkpoint"),
            &[
                "--message",
                "Hi {first_name}, 50% off: €5 coupons ☺",
                "--dry-run",
            ],
        )
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("dry run: nothing was sent"), "{stdout}");
    assert!(stdout.contains("recipients would text: 4"), "{stdout}");
    assert!(stdout.contains("UCS-2"), "{stdout}");
    assert!(
        stdout.contains("by destination country: GB 2, JP 1, US 1"),
        "{stdout}"
    );
    assert!(stdout.contains("phone_not_mobile 1"), "{stdout}");
    assert_eq!(stdout.matches("sample (row").count(), 3, "{stdout}");
    assert!(stdout.contains("Hi Ann, 50% off"), "{stdout}");
    // How long the sends would take, at the rate they start at (200/s here), as import says.
    assert!(
        stdout.contains("time: about 0.0 s at 200.00 requests/s"),
        "{stdout}"
    );
    assert_eq!(h.writes_of("POST"), 0, "a dry run sent something");
    assert!(
        !h.path("c.checkpoint").exists(),
        "a dry run wrote a journal"
    );

    let json = h.sms(
        &path,
        &h.path("c.checkpoint"),
        &["--message", "Hi {first_name}", "--dry-run"],
    );
    assert_eq!(json.num("recipients"), 4, "{json}");
    assert_eq!(json.num("segments"), 4, "{json}");
    assert_eq!(json.summary["samples"].as_array().map(Vec::len), Some(3));
    assert_eq!(h.writes_of("POST"), 0);
    // At a slower rate, the estimate is the send requests over it.
    let slow = h.sms(
        &path,
        &h.path("c.checkpoint"),
        &["--message", "Hi", "--dry-run", "--rate", "2/m"],
    );
    let estimate = &slow.summary["estimate"];
    let requests = slow.num("planned_requests");
    assert!(requests >= 1, "{slow}");
    assert_eq!(estimate["requests"].as_u64(), Some(requests), "{slow}");
    let seconds = estimate["seconds"].as_f64().unwrap_or(-1.0);
    assert!((seconds - requests as f64 * 30.0).abs() < 1e-6, "{slow}");
}

#[test]
fn more_than_a_hundred_recipients_need_yes() {
    let h = Harness::new(config());
    let input = write_list(&h, "list.csv", 0..101);
    let cp = h.path("c.checkpoint");
    let refused = h.sms(&input, &cp, &["--message", "Hi"]);
    refused.assert_code(2);
    assert!(refused.stderr.contains("--yes"), "{refused}");
    assert_eq!(h.writes_of("POST"), 0);
    let run = h.sms(&input, &cp, &["--message", "Hi", "--yes"]);
    run.assert_code(0);
    assert_eq!(run.num("sent"), 101, "{run}");
    assert_each_once(&h, 0..101);
}

#[test]
fn an_unsupported_country_fails_its_rows_only() {
    let h = Harness::new(SandboxConfig {
        sms_unsupported_country_codes: vec!["49".into()],
        ..config()
    });
    let path = h.path("list.csv");
    std::fs::write(
        &path,
        format!(
            "Name,Mobile\nA,{}\nB,+491711234567\nC,{}\nD,+491711234568\n",
            mobile(1),
            mobile(2)
        ),
    )
    .unwrap();
    let errors = h.path("errors.csv");
    let cp = h.path("c.checkpoint");
    let run = h.sms(
        &path,
        &cp,
        &["--message", "Hi", "--errors", errors.to_str().unwrap()],
    );
    run.assert_code(1);
    assert_eq!(run.num("sent"), 2, "{run}");
    assert_eq!(run.num("failed"), 2, "{run}");
    let rejected = read_table(&errors);
    assert_eq!(rejected.len(), 2);
    assert!(
        rejected
            .iter()
            .all(|r| r["_code"] == "ZVSMS-4038" && r["_stage"] == "remote"),
        "{rejected:?}"
    );
    assert_each_once(&h, [1, 2]);

    // sms-status: delivered, and the refused ones with the API's code.
    let status = h.path("status.csv");
    let out = h
        .api_command()
        .arg("sms-status")
        .arg(&cp)
        .arg("-o")
        .arg(&status)
        .args(h.url_args())
        .output()
        .expect("run sms-status");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = read_table(&status);
    let got: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["_row"].as_str(),
                l["number"].as_str(),
                l["status"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("1", mobile(1).as_str(), "DELIVERED"),
            ("2", "+491711234567", "FAILED"),
            ("3", mobile(2).as_str(), "DELIVERED"),
            ("4", "+491711234568", "FAILED"),
        ]
    );
    assert!(lines[1]["detail"].contains("ZVSMS-4038"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("DELIVERED 2, FAILED 2"), "{stderr}");
}

#[test]
fn applied_then_502_is_found_in_the_logs_not_sent_again() {
    let h = Harness::new(SandboxConfig {
        ambiguous_rate: 0.3,
        seed: 7,
        ..config()
    });
    let input = write_list(&h, "list.csv", 0..60);
    let run = h.sms(
        &input,
        &h.path("c.checkpoint"),
        &["--message", "Hi {first_name}", "--batch-size", "10"],
    );
    run.assert_code(0);
    assert!(
        run.num("found_in_logs") > 0,
        "no ambiguous answer was met: {run}"
    );
    assert_eq!(run.num("unknown"), 0, "{run}");
    assert_eq!(run.num("sent") + run.num("found_in_logs"), 60, "{run}");
    assert_each_once(&h, 0..60);
}

/// A 500 to a send says nothing of whether it went out. Once the logs have had their catch-up
/// window and do not show it, it was not sent, and goes out again, with no flag: everyone is
/// texted once.
#[test]
fn a_500_is_settled_through_the_logs_and_sent_again_once() {
    let h = Harness::new(SandboxConfig {
        fault_rate: 0.3,
        seed: 11,
        ..config()
    });
    let input = write_list(&h, "list.csv", 0..40);
    let cp = h.path("c.checkpoint");
    let args = [
        "--message",
        "Hello",
        "--batch-size",
        "1",
        "--log-catch-up",
        "0.5",
    ];
    let mut last = None;
    for _ in 0..4 {
        let run = h.sms(&input, &cp, &args);
        assert!(outgoing(&h).values().all(|v| v.len() == 1), "{run}");
        let code = run.code;
        last = Some(run);
        if code != Some(4) {
            break;
        }
    }
    let run = last.expect("a run");
    run.assert_code(0);
    assert_eq!(run.num("unknown"), 0, "{run}");
    assert!(h.sb.stats().injected_500 > 0, "no fault was injected");
    assert_each_once(&h, 0..40);
}

/// A scheduled send whose answer was lost and that the logs do not show stays unknown (the
/// live logs may not list scheduled sends): reported, never sent again without
/// --resend-unknown; with it, sent once.
#[test]
fn a_lost_scheduled_send_is_unknown_until_resend_unknown() {
    let h = Harness::new(SandboxConfig {
        fault_rate: 0.3,
        seed: 11,
        ..config()
    });
    let input = write_list(&h, "list.csv", 0..40);
    let cp = h.path("c.checkpoint");
    let errors = h.path("errors.csv");
    let at = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(48))
        .unwrap()
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string();
    let args = [
        "--message",
        "Hello",
        "--schedule",
        &at,
        "--timezone",
        "UTC",
        "--log-catch-up",
        "0.5",
    ];
    let mut with_errors = args.to_vec();
    with_errors.extend(["--errors", errors.to_str().unwrap()]);
    let first = h.sms(&input, &cp, &with_errors);
    first.assert_code(1);
    let unknown = first.num("unknown");
    assert!(unknown > 0, "no send was left unknown: {first}");
    assert_eq!(first.num("sent") + unknown, 40, "{first}");
    let rejected = read_table(&errors);
    assert!(rejected.iter().all(|r| r["_code"] == "unknown"));
    assert_eq!(rejected.len() as u64, unknown);
    let by = outgoing(&h);
    assert!(by.values().all(|v| v.len() == 1));
    assert_eq!(by.len() as u64, 40 - unknown);

    // Again without the flag: looked for again, still not sent.
    h.patch(&bulkline::sandbox::ConfigPatch {
        fault_rate: Some(0.0),
        ..Default::default()
    });
    let again = h.sms(&input, &cp, &args);
    again.assert_code(1);
    assert_eq!(again.num("unknown"), unknown, "{again}");
    assert_eq!(outgoing(&h).len() as u64, 40 - unknown);

    // With it: sent, once.
    let mut resend = args.to_vec();
    resend.push("--resend-unknown");
    let last = h.sms(&input, &cp, &resend);
    last.assert_code(0);
    assert_eq!(last.num("resent"), unknown, "{last}");
    assert_each_once(&h, 0..40);
}

#[test]
fn send_window_schedules_recipients_outside_it() {
    let h = Harness::new(config());
    let input = write_list(&h, "list.csv", 0..3);
    // A one-hour window starting two hours from now, London time: every UK number is outside.
    let now =
        jiff::Timestamp::now().to_zoned_datetime(jiff::tz::db().get("Europe/London").unwrap());
    let start = now
        .datetime()
        .checked_add(jiff::SignedDuration::from_hours(2))
        .unwrap();
    let end = start
        .checked_add(jiff::SignedDuration::from_hours(1))
        .unwrap();
    let window = format!(
        "{:02}:{:02}-{:02}:{:02}",
        start.hour(),
        start.minute(),
        end.hour(),
        end.minute()
    );
    let run = h.sms(
        &input,
        &h.path("c.checkpoint"),
        &["--message", "Later", "--send-window", &window],
    );
    run.assert_code(0);
    assert_eq!(run.num("scheduled"), 3, "{run}");
    for msgs in outgoing(&h).values() {
        let m = &msgs[0];
        assert_eq!(m.time_zone.as_deref(), Some("Europe/London"));
        let expected = format!(
            "{} {:02}:{:02}:00",
            start.date(),
            start.hour(),
            start.minute()
        );
        assert_eq!(
            m.scheduled_time.as_deref(),
            Some(expected.as_str()),
            "{m:?}"
        );
    }

    // A window that holds every hour sends now.
    let now_run = h.sms(
        &write_list(&h, "now.csv", 10..12),
        &h.path("d.checkpoint"),
        &["--message", "Now", "--send-window", "00:00-24:00"],
    );
    now_run.assert_code(0);
    assert_eq!(now_run.num("scheduled"), 0, "{now_run}");
}

#[test]
fn media_goes_out_as_mms() {
    let h = Harness::new(config());
    let input = write_list(&h, "list.csv", 0..2);
    let media = h.path("promo.png");
    std::fs::write(&media, [0x89, b'P', b'N', b'G', 1, 2, 3]).unwrap();
    let run = h.sms(
        &input,
        &h.path("c.checkpoint"),
        &["--message", "Look", "--media", media.to_str().unwrap()],
    );
    run.assert_code(0);
    assert_eq!(h.writes_of("POST"), 1);
    let by = outgoing(&h);
    assert!(by.values().all(|v| v[0].is_mms), "{by:?}");
    assert_each_once(&h, 0..2);
}

/// The campaign of the kill tests: personalised (one request per recipient, so that a kill
/// lands among many sends), 20/s, 4 in flight, a short catch-up window for the sandbox's
/// logs, which list a send at once.
const CAMPAIGN: [&str; 11] = [
    "--message",
    "Hi {first_name}",
    "--rate",
    "20/s",
    "--concurrency",
    "4",
    "--log-catch-up",
    "1",
    "--yes",
    "--errors",
    "errors.csv",
];

fn campaign_args(h: &Harness) -> Vec<String> {
    let mut a: Vec<String> = CAMPAIGN.iter().map(|s| s.to_string()).collect();
    let last = a.len() - 1;
    a[last] = h.path("errors.csv").to_string_lossy().into_owned();
    a.push("--report".into());
    a.push(h.path("sent.csv").to_string_lossy().into_owned());
    a
}

#[test]
fn killed_campaigns_resume_and_text_everyone_exactly_once() {
    let h = Harness::new(SandboxConfig {
        latency_ms: 20,
        ambiguous_rate: 0.03,
        ..config()
    });
    let input = write_list(&h, "list.csv", 0..300);
    let cp = h.path("c.checkpoint");
    let args = campaign_args(&h);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut killed = 0;
    let delays = common::kill_delays(3);
    // Printed with the test's output when it fails.
    eprintln!("{delays}");
    for &delay in &delays.delays {
        let before = h.sb.sms_messages().len();
        let mut child = h
            .sms_cmd(&input, &cp, &args)
            .arg("--quiet")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start bulkline sms");
        // Killed `delay` after its first text (however long a loaded machine takes to start
        // it), so that the kill lands in the middle of the run.
        common::wait_until(
            &format!("a first text or the end ({delays})"),
            std::time::Duration::from_secs(60),
            || h.sb.sms_messages().len() > before || child.try_wait().expect("wait").is_some(),
        );
        std::thread::sleep(std::time::Duration::from_millis(delay));
        if child.try_wait().expect("wait").is_none() {
            child.kill().expect("SIGKILL");
            killed += 1;
        }
        let _ = child.wait();
        // Nobody is texted twice, whatever the moment of the kill, and only what could leave
        // at once was journaled: at most the concurrency is in flight.
        assert!(
            outgoing(&h).values().all(|v| v.len() == 1),
            "texted twice ({delays})"
        );
        let open = in_flight(&cp);
        assert!(
            open <= 4,
            "{open} recipients in flight after a kill ({delays})"
        );
    }
    assert!(
        killed > 0,
        "every run finished before it could be killed ({delays})"
    );
    // The same command once more, no extra flag: everyone eligible is texted, once.
    let run = h.sms(&input, &cp, &args);
    run.assert_code(0);
    assert_eq!(run.num("left"), 0, "{run}");
    assert_eq!(run.num("failed"), 0, "{run}");
    assert_eq!(run.num("unknown"), 0, "{run}");
    assert_each_once(&h, 0..300);
    let texts = outgoing(&h);
    for n in [0u32, 150, 299] {
        assert_eq!(texts[&mobile(n)][0].message, format!("Hi First{n}"));
    }
}

/// Ctrl-C is a stop, not a crash: the run finishes what it sent, records it, writes its
/// reports, removes its part files, says how to resume and exits 4; the same command then
/// texts everyone else, once. SIGTERM the same.
#[test]
fn an_interrupted_campaign_stops_cleanly_and_resumes() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        let h = Harness::new(SandboxConfig {
            latency_ms: 20,
            ambiguous_rate: 0.03,
            ..config()
        });
        let input = write_list(&h, "list.csv", 0..300);
        let cp = h.path("c.checkpoint");
        let args = campaign_args(&h);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let delays = common::kill_delays(1);
        eprintln!("{delays}");
        let mut child = h
            .sms_cmd(&input, &cp, &args)
            .arg("--quiet")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start bulkline sms");
        // Signalled a moment after its first text, in the middle of its 15 s.
        common::wait_until(
            &format!("a first text ({delays})"),
            std::time::Duration::from_secs(60),
            || !h.sb.sms_messages().is_empty() || child.try_wait().expect("wait").is_some(),
        );
        std::thread::sleep(std::time::Duration::from_millis(delays.delays[0]));
        signal(&child, sig);
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{stderr}");
        assert!(stderr.contains("resume with:"), "{stderr}");
        assert!(h.part_files().is_empty(), "{:?}", h.part_files());
        let sent = outgoing(&h).len();
        assert!(sent > 0 && sent < 300, "{sent} texted before the signal");
        assert!(in_flight(&cp) <= 4);
        let run = h.sms(&input, &cp, &args);
        run.assert_code(0);
        assert_each_once(&h, 0..300);
    }
}

/// Two runs of one campaign at once, the second through a symbolic link and another journal:
/// one is refused, nobody is texted twice.
#[test]
fn two_runs_of_one_campaign_through_a_symlink_do_not_both_send() {
    let h = Harness::new(SandboxConfig {
        latency_ms: 20,
        ..config()
    });
    let input = write_list(&h, "list.csv", 0..100);
    let link = h.path("link.csv");
    std::os::unix::fs::symlink(&input, &link).expect("symlink");
    let args = ["--message", "Hi {first_name}", "--rate", "20/s", "--yes"];
    let mut first = h
        .sms_cmd(&input, &h.path("a.checkpoint"), &args)
        .arg("--quiet")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the first run");
    // Once the first run texts it holds its lock (and has 5 s of work left).
    common::wait_until(
        "the first run's first text",
        std::time::Duration::from_secs(60),
        || !h.sb.sms_messages().is_empty() || first.try_wait().expect("wait").is_some(),
    );
    let second = h.sms(&link, &h.path("b.checkpoint"), &args);
    let first = first.wait_with_output().expect("the first run");
    second.assert_code(2);
    assert!(second.stderr.contains("another bulkline run"), "{second}");
    assert_eq!(first.status.code(), Some(0));
    assert_each_once(&h, 0..100);
    // Another message is another campaign: it may run.
    let other = h.sms(
        &link,
        &h.path("c.checkpoint"),
        &["--message", "Bye", "--rate", "200/s", "--yes"],
    );
    other.assert_code(0);
    assert_eq!(h.sb.sms_messages().len(), 200);
}

/// Zoho Voice requires a sender id (the current send pages): a real send without one is a
/// usage error before anything is sent; a dry run notes it and goes on.
#[test]
fn a_send_needs_a_sender_id() {
    let h = Harness::new(config());
    let input = write_list(&h, "list.csv", 0..3);
    let out = h
        .sms_cmd(&input, &h.path("c.checkpoint"), &["--message", "Hi"])
        .env_remove("ZOHO_VOICE_SENDER_ID")
        .output()
        .expect("run bulkline sms");
    let run = Run::from_output(out);
    run.assert_code(2);
    assert!(run.stderr.contains("sender id"), "{run}");
    assert!(h.sb.sms_messages().is_empty());
    assert_eq!(h.writes_of("POST"), 0);
    let out = h
        .sms_cmd(
            &input,
            &h.path("c.checkpoint"),
            &["--message", "Hi", "--dry-run"],
        )
        .env_remove("ZOHO_VOICE_SENDER_ID")
        .output()
        .expect("run bulkline sms");
    let run = Run::from_output(out);
    run.assert_code(0);
    assert!(
        run.stderr.contains("note: Zoho Voice requires a sender id"),
        "{run}"
    );
}

/// A refusal of the whole request (a sender id the account does not have) is never retried
/// number by number, and stops the run: every later batch would be refused the same way.
#[test]
fn a_refused_sender_id_stops_the_run_without_fanning_out() {
    let h = Harness::new(config());
    let input = write_list(&h, "list.csv", 0..25);
    let run = h.sms(
        &input,
        &h.path("c.checkpoint"),
        &[
            "--message",
            "Hi",
            "--sender-id",
            "NOPE",
            "--concurrency",
            "1",
        ],
    );
    run.assert_code(2);
    // The vendor's code and text quoted; the causes only as likely (the pages document the
    // code as "Bad Request" and nothing more); what the run did, and that it resumes.
    assert!(run.stderr.contains("ZVSMS-4027 \"Bad Request"), "{run}");
    assert!(
        run.stderr
            .contains("document ZVSMS-4027 only as \"Bad Request\""),
        "{run}"
    );
    assert!(
        run.stderr.contains("Likely causes (not confirmed by Zoho)"),
        "{run}"
    );
    assert!(run.stderr.contains("this run gave 'NOPE'"), "{run}");
    assert!(run.stderr.contains("resumable"), "{run}");
    assert!(h.sb.sms_messages().is_empty());
    assert_eq!(
        h.writes_of("POST"),
        1,
        "one refused request, not one per number: {run}"
    );
}

/// The current pages allow 1,000 characters: a longer rendered message is rejected in planning
/// (and shown by the dry run), never sent.
#[test]
fn messages_over_a_thousand_characters_are_rejected_before_sending() {
    let h = Harness::new(config());
    let input = write_list(&h, "list.csv", 0..2);
    let long = format!("{{first_name}} {}", "x".repeat(995));
    let errors = h.path("errors.csv");
    let run = h.sms(
        &input,
        &h.path("c.checkpoint"),
        &["--message", &long, "--errors", errors.to_str().unwrap()],
    );
    run.assert_code(1);
    assert!(h.sb.sms_messages().is_empty());
    let rejected = read_table(&errors);
    assert_eq!(rejected.len(), 2);
    assert!(rejected.iter().all(|r| r["_code"] == "message_too_long"));
    assert!(
        rejected[0]["_message"].contains("1000"),
        "{:?}",
        rejected[0]
    );
}

/// A send to several numbers whose answer names only the first (the pages show no answer for
/// several numbers): the others are found in the logs, so that every recipient has a log id,
/// and nobody is texted twice.
#[test]
fn numbers_the_answer_does_not_name_get_their_log_id_from_the_logs() {
    let h = Harness::new(SandboxConfig {
        sms_answer_first_number_only: true,
        ..config()
    });
    let input = write_list(&h, "list.csv", 0..25);
    let cp = h.path("c.checkpoint");
    let run = h.sms(
        &input,
        &cp,
        &["--message", "Hello", "--log-catch-up", "0.5"],
    );
    run.assert_code(0);
    assert_each_once(&h, 0..25);
    let (_, resume) = bulkline::checkpoint::read_journal(&cp).expect("the journal");
    let logids: Vec<String> = resume
        .rows()
        .filter_map(|(_, s)| match s {
            bulkline::checkpoint::RowState::Done { remote_id, .. } => {
                remote_id.as_deref().map(str::to_string)
            }
            _ => None,
        })
        .collect();
    assert_eq!(logids.len(), 25, "a recipient without a log id: {run}");
    let stored: std::collections::BTreeSet<String> =
        h.sb.sms_messages().into_iter().map(|m| m.logid).collect();
    assert!(logids.iter().all(|l| stored.contains(l)));
    assert_eq!(run.num("found_in_logs"), 22, "{run}");
}
