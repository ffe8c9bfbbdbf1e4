//! Trying a list on a few rows, and the rows dropped as repeats: `--limit 5` writes exactly
//! the first five rows' records and the same command without it continues the list, each
//! once; `--duplicates` lists exactly the rows `import` and `sms` drop.

mod common;

use common::{Harness, Row, Target, assert_exactly_once, config, mobile, read_table, rows};

#[test]
fn limit_writes_the_first_rows_and_the_run_without_it_continues_the_list() {
    let h = Harness::new(config());
    let t = Target::ZOOM;
    let input = h.write_csv("in.csv", &rows(0..20));
    let cp = h.path("in.ck");
    let tried = h.import(t, &input, &cp, &["--limit", "5"]);
    tried.assert_code(0);
    assert_eq!(tried.num("rows_read"), 5, "{tried}");
    assert_exactly_once(&h, t, 0..5);
    let all = h.import(t, &input, &cp, &[]);
    all.assert_code(0);
    assert_eq!(
        all.num("resumed"),
        5,
        "the first five are not written again: {all}"
    );
    assert_eq!(all.num("rows_read"), 20, "{all}");
    assert_exactly_once(&h, t, 0..20);
    // The journal recorded each run, the trial with its limit, and the second run said so.
    assert!(
        all.stderr.contains("run 1 with --limit 5"),
        "{}",
        all.stderr
    );
    let journal = std::fs::read_to_string(&cp).expect("the journal");
    let runs: Vec<&str> = journal
        .lines()
        .filter(|l| l.contains("\"run\":{\"at\""))
        .collect();
    assert_eq!(runs.len(), 2, "{journal}");
    assert!(
        runs[0].contains("\"limit\":5") && !runs[1].contains("limit"),
        "{runs:?}"
    );
}

#[test]
fn duplicates_lists_exactly_the_rows_import_and_sms_drop() {
    let h = Harness::new(config());
    // Rows 0..8, then rows 2 and 5 again (data rows 9 and 10).
    let mut list = rows(0..8);
    list.push(Row::new(2));
    list.push(Row::new(5));
    let input = h.write_csv("in.csv", &list);
    let t = Target::VOICE;
    let dups = h.path("dups.csv");
    let run = h.import(
        t,
        &input,
        &h.path("in.ck"),
        &["--duplicates", dups.to_str().expect("a UTF-8 path")],
    );
    run.assert_code(0);
    assert_eq!(run.num("duplicates"), 2, "{run}");
    let listed = read_table(&dups);
    let got: Vec<(String, String, String)> = listed
        .iter()
        .map(|r| {
            (
                r["_row"].clone(),
                r["_duplicate_of"].clone(),
                r["Mobile"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("9".into(), "3".into(), mobile(2)),
            ("10".into(), "6".into(), mobile(5)),
        ],
        "{run}"
    );
    assert_exactly_once(&h, t, 0..8);

    // sms: by default beside its error report.
    let sms_list = h.write_names_and_mobiles("list.csv", 0..6);
    let mut text = std::fs::read_to_string(&sms_list).expect("read the list");
    let repeat = text.lines().nth(2).expect("data row 2").to_string();
    text.push_str(&repeat);
    text.push('\n');
    std::fs::write(&sms_list, text).expect("write the list");
    let sent = h.sms(&sms_list, &h.path("sms.ck"), &["--message", "Hi", "--yes"]);
    sent.assert_code(0);
    let beside = h.path("list.csv.sms.duplicates.csv");
    let listed = read_table(&beside);
    assert_eq!(listed.len(), 1, "{sent}");
    assert_eq!(listed[0]["_row"], "7");
    assert_eq!(listed[0]["_duplicate_of"], "2");
}
