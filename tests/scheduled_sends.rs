//! A scheduled send whose answer was lost, and that the SMS logs do not show, is unknown until
//! its scheduled time (plus the logs' catch-up) has passed; after that the logs settle it, so a
//! plain re-run texts everyone eligible, without `--resend-unknown` and never twice.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use bulkline::sandbox::{Direction, SandboxConfig};
use common::{Harness, Run, e164, mobile};

mod common;

#[test]
fn lost_scheduled_sends_are_settled_once_their_time_has_passed() {
    // A fifth of the sends answered 500 without being sent: their outcome is lost.
    let h = Harness::new(SandboxConfig {
        fault_rate: 0.2,
        seed: 7,
        ..common::config()
    });
    let mut list = String::from("First Name,Mobile\n");
    for i in 0..60 {
        list.push_str(&format!("First{i},{}\n", mobile(i)));
    }
    let input = h.path("list.csv");
    std::fs::write(&input, list).expect("write the list");
    let due = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(4))
        .expect("a time");
    let at = due.strftime("%Y-%m-%d %H:%M:%S").to_string();
    let send = || {
        let mut c = h.api_command();
        c.arg("sms")
            .arg(&input)
            .arg("--checkpoint")
            .arg(h.path("list.ck"))
            .args(h.url_args())
            .args([
                "--rate",
                "200/s",
                "--log-catch-up",
                "1",
                "--batch-size",
                "1",
            ])
            .args(["--message", "Hi {first_name}, see you at nine"])
            .args(["--schedule", &at, "--timezone", "UTC", "--json"])
            .stdin(Stdio::null());
        Run::from_output(c.output().expect("run bulkline sms"))
    };
    let texted = || {
        let mut by: BTreeMap<String, usize> = BTreeMap::new();
        for m in h.sb.sms_messages() {
            if m.direction == Direction::Outgoing {
                *by.entry(e164(&m.customer_number)).or_default() += 1;
            }
        }
        by
    };

    let first = send();
    let unknown = first.num("unknown");
    assert!(unknown > 0, "some sends lost their answer: {first}");
    first.assert_code(1);
    assert!(texted().values().all(|n| *n == 1));

    // After the scheduled time and the catch-up (1 s), the same command settles them: the
    // test waits for that moment on the clock the binary and the sandbox read (`at` is `due`
    // cut to the second, so `due` + 1 s is past it), with a quarter second to spare.
    let settled = due
        .checked_add(jiff::SignedDuration::from_millis(1250))
        .expect("a time");
    let left = jiff::Timestamp::now().duration_until(settled);
    if left.is_positive() {
        std::thread::sleep(Duration::try_from(left).expect("a positive duration"));
    }
    assert!(jiff::Timestamp::now() >= settled);
    let again = send();
    again.assert_code(0);
    assert_eq!(again.num("unknown"), 0, "{again}");
    let by = texted();
    let twice: Vec<_> = by.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "texted twice: {twice:?}");
    assert_eq!(by.len(), 60, "everyone eligible texted: {again}");
}
