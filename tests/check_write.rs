//! `check --write`: one probe record created, read back, updated, read back, deleted and
//! confirmed gone on every target, nothing left behind; a sandbox that drops a field on update
//! fails the check naming the field; a probe a killed check left is removed by the next one.

mod common;

use std::time::{Duration, Instant};

use bulkline::sandbox::config::ConfigPatch;
use bulkline::sandbox::seed;
use common::{Harness, Target};

fn check_cmd(h: &Harness, t: Target) -> std::process::Command {
    let mut c = h.api_command();
    c.args(["check", "--to", t.name(), "--write", "--json"])
        .args(h.url_args())
        .args(seed::destination_args(t.name()));
    c
}

fn check(h: &Harness, t: Target) -> common::Run {
    common::Run::from_output(check_cmd(h, t).output().expect("run bulkline check"))
}

#[test]
fn the_round_trip_holds_on_every_target_and_leaves_nothing() {
    for t in Target::all() {
        let h = Harness::new(common::config());
        let before = h.ids(t);
        let run = check(&h, t);
        run.assert_code(0);
        let write = &run.summary["write"];
        assert_eq!(write["held"], true, "{}: {run}", t.name());
        let steps: Vec<&str> = write["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .map(|s| s["step"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(
            steps,
            [
                "create",
                "read",
                "update",
                "read after update",
                "delete",
                "confirm gone"
            ]
        );
        assert_eq!(h.ids(t), before, "{}: nothing is left behind", t.name());
        assert_eq!(h.writes_of("DELETE"), 1, "{}", t.name());
    }
}

#[test]
fn a_field_an_update_drops_fails_the_check_naming_it() {
    for t in Target::all() {
        let h = Harness::new(common::config());
        h.patch(&ConfigPatch {
            drop_on_update: Some(Some("last_name".into())),
            ..Default::default()
        });
        let before = h.ids(t);
        let run = check(&h, t);
        run.assert_code(1);
        let steps = run.summary["write"]["steps"]
            .as_array()
            .expect("steps")
            .clone();
        let failed: Vec<&serde_json::Value> = steps.iter().filter(|s| s["ok"] != true).collect();
        assert_eq!(failed.len(), 1, "{}: {run}", t.name());
        assert_eq!(failed[0]["step"], "read after update");
        let detail = failed[0]["detail"].as_str().unwrap_or("");
        assert!(
            detail.starts_with("last_name \"check --write ")
                && detail.ends_with(" updated\" was sent"),
            "{detail}"
        );
        assert_eq!(
            h.ids(t),
            before,
            "{}: the probe is deleted all the same",
            t.name()
        );
    }
}

/// Kills a `check --write` once the probe exists on the target (its writes held `delay_ms` by
/// the sandbox, so that the kill lands between the create and the delete), then runs the
/// check again: the leftover probe is deleted, and nothing is left.
fn killed_then_cleaned(delay: ConfigPatch) {
    let t = Target::VOICE;
    let h = Harness::new(common::config());
    h.patch(&delay);
    let mut child = check_cmd(&h, t)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(30);
    while h.ids(t).is_empty() {
        assert!(Instant::now() < deadline, "the probe never appeared");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("kill");
    child.wait().expect("wait");
    let leftover = h.ids(t);
    assert_eq!(leftover.len(), 1, "the killed check left its probe");

    h.patch(&ConfigPatch {
        latency_ms: Some(0),
        write_delay_ms: Some(0),
        ..Default::default()
    });
    let run = check(&h, t);
    run.assert_code(0);
    let removed: Vec<String> = run.summary["write"]["leftovers_removed"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    assert_eq!(removed, leftover.into_iter().collect::<Vec<_>>(), "{run}");
    assert!(h.ids(t).is_empty(), "nothing is left behind");
}

#[test]
fn a_probe_a_killed_check_left_is_removed_by_the_next_one() {
    // Killed after the create's answer (the probe's id is known).
    killed_then_cleaned(ConfigPatch {
        latency_ms: Some(400),
        ..Default::default()
    });
}

#[test]
fn a_probe_whose_create_answer_a_kill_lost_is_found_by_its_name() {
    // Killed while the create is held: the probe lands with no answer, and the next check
    // finds it on the target by its name.
    killed_then_cleaned(ConfigPatch {
        write_delay_ms: Some(400),
        ..Default::default()
    });
}
