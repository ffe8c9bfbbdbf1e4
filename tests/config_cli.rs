//! The config file: flag > environment > config file > built-in default, and `bulkline config`.

mod common;

use common::{Harness, config};

fn write_config(h: &Harness, text: &str) {
    let dir = h.path("config").join("bulkline");
    std::fs::create_dir_all(&dir).expect("the config directory");
    std::fs::write(dir.join("config.toml"), text).expect("the config file");
}

/// The mobile `clean` makes of a German national number, with `extra` arguments and `env`.
fn cleaned(h: &Harness, extra: &[&str], env: &[(&str, &str)]) -> String {
    let input = h.path("de.csv");
    std::fs::write(&input, "Name,Mobile\nA,0151 23456789\n").expect("the input");
    let out = h
        .command()
        .arg("clean")
        .arg(&input)
        .args(["-o", "-", "-q"])
        .args(extra)
        .envs(env.iter().copied())
        .output()
        .expect("run bulkline clean");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn flag_then_environment_then_config_file_then_default() {
    let h = Harness::new(config());
    // Built-in: no region, the national number is rejected.
    assert_eq!(cleaned(&h, &[], &[]), "");
    write_config(&h, "default_region = \"DE\"\n");
    assert_eq!(cleaned(&h, &[], &[]), "A,+4915123456789");
    // The environment beats the file (FR cannot read a German mobile).
    assert_eq!(cleaned(&h, &[], &[("BULKLINE_DEFAULT_REGION", "FR")]), "");
    // The flag beats both.
    assert_eq!(
        cleaned(
            &h,
            &["--default-region", "DE"],
            &[("BULKLINE_DEFAULT_REGION", "FR")]
        ),
        "A,+4915123456789"
    );
    // --config names another file.
    let other = h.path("other.toml");
    std::fs::write(&other, "default_region = \"FR\"\n").expect("write");
    let other = other.to_string_lossy().to_string();
    assert_eq!(cleaned(&h, &["--config", &other], &[]), "");
}

#[test]
fn a_bad_config_file_is_a_usage_error_naming_the_setting() {
    let h = Harness::new(config());
    write_config(&h, "default_regoin = \"DE\"\n");
    let out = h
        .command()
        .args(["config"])
        .output()
        .expect("run bulkline config");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("default_regoin"), "{stderr}");
    let missing = h.path("missing.toml");
    let out = h
        .command()
        .arg("config")
        .arg("--config")
        .arg(&missing)
        .output()
        .expect("run bulkline config");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn config_shows_each_setting_and_its_source_with_secrets_masked() {
    let h = Harness::new(config());
    write_config(
        &h,
        "dc = \"eu\"\nsender_id = \"ZYLKER\"\n[rate]\nzoom-cc = \"40/s\"\n",
    );
    let out = h
        .command()
        .args(["config", "--json"])
        .env("BULKLINE_DC", "in")
        .env("ZOHO_CLIENT_SECRET", "s3cr3t-value-never-shown")
        .env("ZOHO_CLIENT_ID", "1000.ABCDEFGHIJ")
        .output()
        .expect("run bulkline config");
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("s3cr3t"), "{stdout}");
    assert!(!stdout.contains("ABCDEFGHIJ"), "{stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let s = &v["settings"];
    assert_eq!(s["dc"]["value"], "in");
    assert_eq!(s["dc"]["source"], "environment BULKLINE_DC");
    assert_eq!(s["rate.zoom-cc"]["value"], "40/s");
    assert!(
        s["rate.zoom-cc"]["source"]
            .as_str()
            .unwrap_or_default()
            .starts_with("config file")
    );
    assert_eq!(s["rate.zoho-voice"]["source"], "built-in default");
    assert_eq!(s["ZOHO_VOICE_SENDER_ID"]["value"], "ZYLKER");
    assert_eq!(
        s["ZOHO_CLIENT_SECRET"]["source"],
        "environment ZOHO_CLIENT_SECRET"
    );
    assert_eq!(v["config_file_found"], true);
}

#[test]
fn import_keeps_its_rejected_rows_without_being_asked() {
    let h = Harness::new(config());
    let input = h.path("list.csv");
    std::fs::write(
        &input,
        "First Name,Mobile\nAnn,+447400123456\nBad,12345\nNone,\n",
    )
    .expect("the input");
    let run = h.import(
        common::Target::VOICE,
        &input,
        &h.path("list.checkpoint"),
        &[],
    );
    run.assert_code(1);
    let errors = h.path("list.csv.zoho-voice.errors.csv");
    assert_eq!(run.summary["errors"], errors.display().to_string());
    let rows = common::read_table(&errors);
    let codes: Vec<&str> = rows.iter().map(|r| r["_code"].as_str()).collect();
    assert_eq!(codes, ["phone_no_region", "phone_missing"]);
    assert_eq!(run.summary["rejected_by_code"]["phone_no_region"], 1);
    assert_eq!(run.summary["rejected_by_code"]["phone_missing"], 1);

    // --report-dir, or the config file's report_dir, puts them elsewhere.
    let dir = h.path("reports");
    std::fs::create_dir_all(&dir).expect("the directory");
    write_config(
        &h,
        &format!("report_dir = {:?}\n", dir.display().to_string()),
    );
    let run = h.import(
        common::Target::VOICE,
        &input,
        &h.path("list2.checkpoint"),
        &[],
    );
    run.assert_code(1);
    let elsewhere = dir.join("list.csv.zoho-voice.errors.csv");
    assert_eq!(run.summary["errors"], elsewhere.display().to_string());
    assert_eq!(common::read_table(&elsewhere).len(), 2);
}

#[test]
fn undo_keeps_its_refused_deletes_beside_the_journal_and_never_over_it() {
    let h = Harness::new(config());
    let input = h.write_csv("list.csv", &common::rows(0..3));
    let cp = h.path("list.checkpoint");
    let before = h.ids(common::Target::VOICE).len();
    h.import(common::Target::VOICE, &input, &cp, &[])
        .assert_code(0);
    // --errors naming the journal itself is refused before anything is deleted.
    let cp_s = cp.display().to_string();
    let run = h.undo_with(&cp, &["--errors", &cp_s]);
    run.assert_code(2);
    assert!(run.stderr.contains("is the input file"), "{}", run.stderr);
    assert_eq!(h.ids(common::Target::VOICE).len(), before + 3);
    let run = h.undo(&cp);
    run.assert_code(0);
    let errors = h.path("list.checkpoint.undo.errors.csv");
    assert_eq!(run.summary["errors"], errors.display().to_string());
    let text = std::fs::read_to_string(&errors).expect("the error file");
    assert_eq!(text.trim(), "_row,_remote_id,_parent,_code,_message");
    assert_eq!(h.ids(common::Target::VOICE).len(), before);
}
