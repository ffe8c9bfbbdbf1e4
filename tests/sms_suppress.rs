//! `bulkline sms --suppress`, the real binary, against a sandbox started in this process over
//! real HTTP on 127.0.0.1: suppression files are read with the list's rules (a country column,
//! national numbers read in each recipient's region), a line that holds no number refuses the
//! campaign before anything is sent, and with `--suppress-skip-unreadable` nobody suppressed
//! gets a message (as the emulator's store shows) while everyone else gets exactly one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::{Harness, Run, mobile, read_table, texts as outgoing};

mod common;

/// The list: row 1 a French national number with its country, row 2 a British national
/// number with its country, row 3 another French one, row 4 a French number in international
/// form with no country, row 5 no number, rows 6 to 9 British mobiles.
fn write_list(h: &Harness) -> PathBuf {
    let path = h.path("list.csv");
    let mut text = String::from("First Name,Mobile,Country\n");
    text.push_str("Ann,06 12 34 56 78,France\n");
    text.push_str("Ben,07400 100002,United Kingdom\n");
    text.push_str("Cleo,06 98 76 54 32,FR\n");
    text.push_str("Dan,+33 6 11 22 33 44,\n");
    text.push_str("Eve,not a phone,UK\n");
    for n in 6..10 {
        text.push_str(&format!("P{n},{},UK\n", mobile(n)));
    }
    std::fs::write(&path, text).expect("write the list");
    path
}

/// The numbers the list's rows 1 to 9 are texted at (row 5 has none).
fn number_of_row(row: u32) -> Option<String> {
    match row {
        1 => Some("+33612345678".into()),
        2 => Some(mobile(2)),
        3 => Some("+33698765432".into()),
        4 => Some("+33611223344".into()),
        5 => None,
        n => Some(mobile(n)),
    }
}

/// The suppression files: a CSV whose country column gives its national number a region,
/// and a file of one number a line (a header, national numbers, a blank line and, at line
/// 5, a line that holds no number). No --default-region: the national numbers of the second
/// file are read in each recipient's region.
fn write_suppressions(h: &Harness) -> (PathBuf, PathBuf) {
    let csv = h.path("dnc.csv");
    std::fs::write(&csv, "country,phone\nFrance,06 12 34 56 78\n").expect("write dnc.csv");
    let lines = h.path("dnc.txt");
    std::fs::write(
        &lines,
        "phone\n07400 100002\n\n06 98 76 54 32\nnot a number\n",
    )
    .expect("write dnc.txt");
    (csv, lines)
}

/// `bulkline sms LIST --json` at the sandbox with both suppression files, plus `extra`.
fn sms(h: &Harness, list: &Path, files: &(PathBuf, PathBuf), extra: &[&str]) -> Run {
    let out = h
        .api_command()
        .arg("sms")
        .arg(list)
        .args(["--message", "Spring sale", "--rate", "200/s", "--json"])
        .arg("--checkpoint")
        .arg(h.path("c.checkpoint"))
        .args(h.url_args())
        .arg("--suppress")
        .arg(&files.0)
        .arg("--suppress")
        .arg(&files.1)
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .expect("run bulkline sms");
    Run::from_output(out)
}

#[test]
fn a_line_that_holds_no_number_refuses_the_campaign_before_anything_is_sent() {
    let h = Harness::new(common::config());
    let list = write_list(&h);
    let files = write_suppressions(&h);
    for extra in [&[][..], &["--dry-run"][..]] {
        let run = sms(&h, &list, &files, extra);
        run.assert_code(2);
        let want = format!(
            "--suppress {}, line 5: 'not a number' is not a phone number (letters mixed in)",
            files.1.display()
        );
        assert!(run.stderr.contains(&want), "{extra:?}: {run}");
        assert!(
            run.stderr.contains("--suppress-skip-unreadable"),
            "{extra:?}: {run}"
        );
    }
    assert!(outgoing(&h).is_empty(), "{:?}", outgoing(&h));
    assert_eq!(h.writes_of("POST"), 0, "no send request");
    assert!(!h.path("c.checkpoint").exists(), "no journal was made");

    // A country that names no region refuses it too, quoting the cell.
    let odd = h.path("odd.csv");
    std::fs::write(
        &odd,
        "country,phone\nFrance,0612345678\nAtlantis,0698765432\n",
    )
    .unwrap();
    let run = sms(&h, &list, &(odd.clone(), odd.clone()), &[]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains(&format!("--suppress {}, line 3: 'Atlantis'", odd.display())),
        "{run}"
    );
    assert_eq!(h.writes_of("POST"), 0, "no send request");
}

#[test]
fn skipped_unreadable_lines_leave_every_suppression_in_force() {
    let h = Harness::new(common::config());
    let list = write_list(&h);
    let files = write_suppressions(&h);
    let errors = h.path("errors.csv");
    let report = h.path("report.csv");
    let run = sms(
        &h,
        &list,
        &files,
        &[
            "--suppress-skip-unreadable",
            "--errors",
            errors.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
    );
    run.assert_code(1);

    // The emulator's store: nobody suppressed texted, every other number exactly once.
    let texted = outgoing(&h);
    let mut expected: Vec<String> = [4, 6, 7, 8, 9]
        .into_iter()
        .filter_map(number_of_row)
        .collect();
    expected.sort();
    assert_eq!(
        texted.keys().cloned().collect::<Vec<_>>(),
        expected,
        "{run}"
    );
    assert!(texted.values().all(|&n| n == 1), "texted twice: {texted:?}");
    for row in [1, 2, 3] {
        let number = number_of_row(row).unwrap_or_default();
        assert!(!texted.contains_key(&number), "suppressed row {row} texted");
    }

    // Every row ends in the report or the error file; the suppressed ones as `suppressed`.
    let sent: Vec<String> = read_table(&report)
        .iter()
        .map(|r| r["_row"].clone())
        .collect();
    let rejected = read_table(&errors);
    let mut code_of: BTreeMap<String, String> = rejected
        .iter()
        .map(|r| (r["_row"].clone(), r["_code"].clone()))
        .collect();
    for row in &sent {
        assert!(
            code_of.insert(row.clone(), "sent".into()).is_none(),
            "row {row} twice"
        );
    }
    let codes: Vec<(u32, &str)> = code_of
        .iter()
        .map(|(k, v)| (k.parse().unwrap_or(0), v.as_str()))
        .collect::<BTreeMap<_, _>>()
        .into_iter()
        .collect();
    assert_eq!(
        codes,
        vec![
            (1, "suppressed"),
            (2, "suppressed"),
            (3, "suppressed"),
            (4, "sent"),
            (5, "phone_invalid"),
            (6, "sent"),
            (7, "sent"),
            (8, "sent"),
            (9, "sent"),
        ]
    );
    let why: Vec<&str> = rejected
        .iter()
        .filter(|r| r["_code"] == "suppressed")
        .map(|r| r["_message"].as_str())
        .collect();
    assert!(
        why[0].contains("dnc.csv") && why[1].contains("dnc.txt"),
        "{why:?}"
    );

    // The summary counts each file.
    assert_eq!(run.num("sent"), 5, "{run}");
    assert_eq!(run.num("suppressed"), 3, "{run}");
    let per_file = &run.summary["suppression_files"];
    let counts = |i: usize| {
        let f = &per_file[i];
        let n = |k: &str| f[k].as_u64().unwrap_or(u64::MAX);
        (
            n("numbers"),
            n("national"),
            n("rows_suppressed"),
            n("unreadable"),
        )
    };
    assert_eq!(per_file[0]["file"], files.0.display().to_string(), "{run}");
    assert_eq!(counts(0), (1, 0, 1, 0), "{run}");
    assert_eq!(per_file[1]["file"], files.1.display().to_string(), "{run}");
    assert_eq!(counts(1), (2, 2, 2, 1), "{run}");
}
