//! Lock-outs: an API that refuses every request with 429 for a while. One longer than
//! `--max-wait` stops the run at once (exit 4, naming the lock-out, with the resume line) and
//! the same command afterwards finishes the list, each contact once; one within it is waited
//! out (announced by `Retry-After` or not) and the run finishes, each contact once.

mod common;

use bulkline::sandbox::ConfigPatch;
use bulkline::sandbox::lockout::LockoutPlan;
use common::{Harness, Target, assert_exactly_once, config, rows};

const ROWS: u32 = 60;

fn lock_after(h: &Harness, after_requests: u64, secs: u64, retry_after: bool) {
    h.patch(&ConfigPatch {
        lockout: Some(Some(LockoutPlan {
            after_requests,
            secs,
            retry_after,
        })),
        ..ConfigPatch::default()
    });
}

#[test]
fn a_lock_out_beyond_max_wait_stops_with_exit_4_and_the_same_command_finishes() {
    let t = Target::VOICE;
    let h = Harness::new(config());
    let input = h.write_csv("in.csv", &rows(0..ROWS));
    let cp = h.path("run.ck");
    // A 20-minute lock-out after 20 requests; the run waits at most a minute.
    lock_after(&h, 20, 20 * 60, true);
    let args = ["--rate", "20/s", "--max-wait", "1m"];
    let started = std::time::Instant::now();
    let run = h.import(t, &input, &cp, &args);
    run.assert_code(4);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(50),
        "stopped at once, not after --max-wait: {:?}",
        started.elapsed()
    );
    let stopped = run.summary["stopped"].as_str().unwrap_or_default();
    assert!(
        stopped.contains("locked requests out")
            && stopped.contains("Retry-After 1200 s")
            && stopped.contains("--max-wait 1m"),
        "{run}"
    );
    assert!(run.stderr.contains("resume with: "), "{run}");
    assert!(run.num("left") > 0, "{run}");
    // Nothing is held on the target twice, and after the lock-out the same command ends it.
    let mobiles = h.mobiles(t);
    let mut unique = mobiles.clone();
    unique.dedup();
    assert_eq!(mobiles, unique, "a record twice during the lock-out");
    h.patch(&ConfigPatch {
        lockout: Some(None),
        ..ConfigPatch::default()
    });
    let again = h.import(t, &input, &cp, &args);
    again.assert_code(0);
    assert_exactly_once(&h, t, 0..ROWS);
}

#[test]
fn a_lock_out_within_max_wait_is_waited_out_announced_or_not() {
    for (target, retry_after) in [(Target::ZOOM, true), (Target::BOOKS, false)] {
        let h = Harness::new(config());
        let input = h.write_csv("in.csv", &rows(0..ROWS));
        let cp = h.path("run.ck");
        lock_after(&h, 20, 6, retry_after);
        let run = h.import(target, &input, &cp, &["--rate", "20/s"]);
        run.assert_code(0);
        assert_eq!(run.num("created"), u64::from(ROWS), "{run}");
        assert!(run.num("rate_limited") >= 1, "met the lock-out: {run}");
        assert_exactly_once(&h, target, 0..ROWS);
        // A lock-out without Retry-After is tried again every few seconds, not hammered.
        let refused = h.sb.state()["requests"]["rate_limited_429"]
            .as_u64()
            .unwrap_or(0);
        assert!(refused <= 40, "{} refused requests: {run}", refused);
    }
}
