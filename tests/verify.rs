//! `verify`: after an import, records deleted, changed and added behind the tool's back are
//! found exactly (the right rows, the right fields, exit 1); `import --restart` repairs them,
//! and `verify` then exits 0 with the added records reported as `extra`.

mod common;

use std::collections::BTreeMap;

use bulkline::sandbox::seed;
use common::{Harness, Row, Target};

/// Deletes Zoho Voice contact `id` through the API, as another tool would.
fn delete_behind_the_back(h: &Harness, id: &str) {
    let path = format!("/rest/json/zv/contacts/{id}");
    let (status, body) = h.zoho_request(reqwest::Method::DELETE, &path, None);
    assert_eq!(status, 200, "{body}");
}

fn verify(
    h: &Harness,
    t: Target,
    input: &std::path::Path,
    report: &std::path::Path,
) -> common::Run {
    let mut c = h.api_command();
    c.arg("verify")
        .arg(input)
        .args(["--to", t.name(), "--json", "--rate", "200/s"])
        .arg("--report")
        .arg(report)
        .args(h.url_args())
        .args(seed::destination_args(t.name()));
    common::Run::from_output(c.output().expect("run bulkline verify"))
}

/// The report's lines by status, each as (row, fields, target id).
fn by_status(report: &std::path::Path) -> BTreeMap<String, Vec<(String, String, String)>> {
    let mut out: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    for line in common::read_table(report) {
        out.entry(line["_status"].clone()).or_default().push((
            line["_row"].clone(),
            line["_fields"].clone(),
            line["_target_id"].clone(),
        ));
    }
    out
}

#[test]
fn changes_behind_the_tools_back_are_found_exactly_and_repaired_by_a_restart() {
    let t = Target::VOICE;
    let h = Harness::new(common::config());
    let input = h.write_csv("in.csv", &common::rows(0..10));
    let cp = h.path("in.checkpoint");
    h.import(t, &input, &cp, &[]).assert_code(0);

    let report = h.path("verify.csv");
    let clean = verify(&h, t, &input, &report);
    clean.assert_code(0);
    assert_eq!(clean.num("landed"), 10, "{clean}");
    assert_eq!(clean.num("extra"), 0, "{clean}");

    // Behind the tool's back: row 3's record deleted (data row 4: rows are 1-based), rows 5
    // and 6 renamed by another import, and two people added that the file does not have.
    let record_of = |n: u32| -> String {
        let wanted = common::e164(&common::mobile(n));
        h.sb.records(t.name())
            .into_iter()
            .find(|r| r.phones.iter().any(|p| common::e164(p) == wanted))
            .map(|r| r.id)
            .expect("the record")
    };
    delete_behind_the_back(&h, &record_of(3));
    let renamed: Vec<Row> = (5..7).map(|n| Row::new(n).last("Changed")).collect();
    let other = h.write_csv("other.csv", &renamed);
    h.import(t, &other, &h.path("other.checkpoint"), &[])
        .assert_code(0);
    let added = h.write_csv("added.csv", &common::rows(100..102));
    h.import(t, &added, &h.path("added.checkpoint"), &[])
        .assert_code(0);
    let added_ids: Vec<String> = (100..102).map(record_of).collect();

    let found = verify(&h, t, &input, &report);
    found.assert_code(1);
    assert_eq!(
        (
            found.num("landed"),
            found.num("differs"),
            found.num("missing"),
            found.num("extra")
        ),
        (7, 2, 1, 2),
        "{found}"
    );
    let lines = by_status(&report);
    let missing: Vec<&str> = lines["missing"].iter().map(|l| l.0.as_str()).collect();
    assert_eq!(missing, ["4"], "data row 4 holds person 3");
    let differs: Vec<(&str, &str)> = lines["differs"]
        .iter()
        .map(|l| (l.0.as_str(), l.1.as_str()))
        .collect();
    assert_eq!(
        differs,
        [
            ("6", "last_name: Changed -> Last5"),
            ("7", "last_name: Changed -> Last6")
        ]
    );
    let mut extra: Vec<String> = lines["extra"].iter().map(|l| l.2.clone()).collect();
    extra.sort();
    let mut want = added_ids.clone();
    want.sort();
    assert_eq!(extra, want, "the added records, by id");
    assert!(
        lines["extra"]
            .iter()
            .all(|l| l.0.is_empty() && l.1.contains("last_name: Last10")),
        "an extra record has no row, and shows its fields: {lines:?}"
    );

    // The loop: import --restart repairs what verify found; verify then holds.
    let repair = h.import(t, &input, &cp, &["--restart"]);
    repair.assert_code(0);
    assert_eq!(
        (repair.num("created"), repair.num("updated")),
        (1, 2),
        "{repair}"
    );
    let after = verify(&h, t, &input, &report);
    after.assert_code(0);
    assert_eq!(
        (after.num("landed"), after.num("extra")),
        (10, 2),
        "{after}"
    );
}

#[test]
fn every_target_verifies_what_an_import_wrote() {
    for t in Target::all() {
        let h = Harness::new(common::config());
        let input = h.write_csv("in.csv", &common::rows(0..6));
        let report = h.path("verify.csv");
        let before = verify(&h, t, &input, &report);
        before.assert_code(1);
        assert_eq!(before.num("missing"), 6, "{}: {before}", t.name());
        h.import(t, &input, &h.path("in.checkpoint"), &[])
            .assert_code(0);
        let after = verify(&h, t, &input, &report);
        after.assert_code(0);
        assert_eq!(after.num("landed"), 6, "{}: {after}", t.name());
    }
}
