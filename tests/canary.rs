//! The canary: a fresh import writes its first few records, reads them back and compares them
//! with what was sent before anything else is sent. A target that keeps a field otherwise (the
//! sandbox told to store `last_name` with its last character cut) stops the run after the
//! canary's writes, naming the field and both values; without it, everything is written once
//! and the summary says the canary held.

mod common;

use bulkline::sandbox::config::ConfigPatch;
use common::{Harness, Target};

fn altered(field: &str) -> ConfigPatch {
    ConfigPatch {
        store_altered: Some(Some(field.to_string())),
        ..Default::default()
    }
}

#[test]
fn a_field_stored_otherwise_stops_the_run_after_the_canary_on_every_target() {
    for t in Target::all() {
        let h = Harness::new(common::config());
        let input = h.write_csv("in.csv", &common::rows(0..20));
        let cp = h.path("in.checkpoint");
        h.patch(&altered("last_name"));

        let run = h.import(t, &input, &cp, &[]);
        run.assert_code(3);
        assert!(
            run.stderr.contains(r#"last_name "Last"#) && run.stderr.contains("was sent"),
            "{}: the field and both values are named: {run}",
            t.name()
        );
        // The canary's three creates, and nothing after them.
        assert_eq!(h.writes_of("POST"), 3, "{}: {run}", t.name());
        assert_eq!(h.mobiles(t).len(), 3, "{}", t.name());

        // Fixed, the same command goes on from the journal: no canary again, nobody twice.
        h.patch(&ConfigPatch {
            store_altered: Some(None),
            ..Default::default()
        });
        let again = h.import(t, &input, &cp, &[]);
        again.assert_code(0);
        assert_eq!(again.summary["canary"]["state"], "resumed", "{again}");
        common::assert_exactly_once(&h, t, 0..20);
    }
}

#[test]
fn without_a_fault_the_canary_holds_and_everyone_is_written_once() {
    for t in Target::all() {
        let h = Harness::new(common::config());
        let input = h.write_csv("in.csv", &common::rows(0..12));
        let cp = h.path("in.checkpoint");
        let run = h.import(t, &input, &cp, &[]);
        run.assert_code(0);
        assert_eq!(run.summary["canary"]["state"], "held", "{run}");
        assert_eq!(run.summary["canary"]["checked"], 3, "{run}");
        assert_eq!(run.num("created"), 12);
        common::assert_exactly_once(&h, t, 0..12);

        let text = h
            .import_cmd(t, &input, &h.path("other.checkpoint"), &["--dry-run"])
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&text.stderr);
        assert!(
            stderr.contains("canary: the first 3 writes will be read back"),
            "the plan says the canary will run: {stderr}"
        );
    }
}

#[test]
fn the_canary_reads_back_updates_too_and_can_be_turned_off() {
    let t = Target::VOICE;
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &common::rows(0..5));
    h.import(t, &input, &h.path("a.checkpoint"), &["--canary", "0"])
        .assert_code(0);

    // The same people, renamed: an upsert updates them, and the canary reads the updates back.
    let renamed: Vec<common::Row> = (0..5)
        .map(|n| common::Row::new(n).last("Renamed"))
        .collect();
    let input = h.write_csv("renamed.csv", &renamed);
    h.patch(&altered("last_name"));
    let run = h.import(t, &input, &h.path("b.checkpoint"), &["--canary", "2"]);
    run.assert_code(3);
    assert!(
        run.stderr
            .contains(r#"last_name "Rename" where "Renamed" was sent"#),
        "{run}"
    );
    assert_eq!(h.writes_of("PUT"), 2, "only the canary's updates: {run}");

    // Off, the run writes everything and says nothing of a canary.
    let run = h.import(t, &input, &h.path("c.checkpoint"), &["--canary", "0"]);
    run.assert_code(0);
    assert_eq!(run.summary["canary"]["state"], "off", "{run}");
}
