//! Every target of the connectors' registry, through the real binary and its sandbox: a new
//! target gets these runs from its registry line alone. The command line offers it
//! (`--to`, `export --from`, `check --to`, the config file's `[rate]` keys), the pre-flight
//! passes, an import creates every row once and a second run changes nothing, an undo deletes
//! what the import created, and an export writes its documented columns first.

mod common;

use common::{Harness, Target, rows};

#[test]
fn the_command_line_offers_every_target() {
    let h = Harness::new(common::config());
    let help = |args: &[&str]| {
        let out = h.command().args(args).output().expect("run bulkline");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let import = help(&["import", "--help"]);
    let export = help(&["export", "--help"]);
    let check = help(&["check", "--help"]);
    for t in Target::all() {
        for (command, text) in [("import", &import), ("export", &export), ("check", &check)] {
            assert!(
                text.contains(t.name()),
                "`{command} --help` does not offer {}:\n{text}",
                t.name()
            );
        }
    }
    let config = h.path("bulkline.toml");
    let rates: String = Target::all()
        .iter()
        .map(|t| format!("\"{}\" = \"5/s\"\n", t.name()))
        .collect();
    std::fs::write(&config, format!("[rate]\n{rates}")).expect("write the config");
    let out = h
        .command()
        .arg("--config")
        .arg(&config)
        .arg("config")
        .output()
        .expect("run bulkline config");
    assert!(
        out.status.success(),
        "a [rate] key of the registry was refused: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `args` at the harness's sandbox and `t`'s seeded destination; it must succeed.
fn succeeds(h: &Harness, t: Target, args: &[&str]) {
    let out = h
        .api_command()
        .args(args)
        .args(h.url_args())
        .args(bulkline::sandbox::seed::destination_args(t.name()))
        .output()
        .expect("run bulkline");
    assert!(
        out.status.success(),
        "{}: `{}` failed: {}",
        t.name(),
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_target_imports_once_undoes_and_exports() {
    for t in Target::all() {
        let h = Harness::new(common::config());
        succeeds(&h, t, &["check", "--to", t.name(), "--json"]);

        let before = h.ids(t);
        let input = h.write_csv("in.csv", &rows(0..12));
        let cp = h.path("in.checkpoint");
        let run = h.import(t, &input, &cp, &[]);
        run.assert_code(0);
        assert_eq!(run.num("created"), 12, "{}: {run}", t.name());
        assert_eq!(h.ids(t).len(), before.len() + 12, "{}", t.name());
        let again = h.import(t, &input, &h.path("again.checkpoint"), &[]);
        again.assert_code(0);
        assert_eq!(again.num("unchanged"), 12, "{}: {again}", t.name());

        let out = h.path("export.csv");
        let path = out.to_string_lossy();
        succeeds(&h, t, &["export", "--from", t.name(), "-o", &path]);
        let text = std::fs::read_to_string(&out).expect("read the export");
        let header = text
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches('\u{feff}');
        let first = t.0.descriptor().export_columns[0];
        assert!(
            header.starts_with(first),
            "{}: the export's columns do not lead with {first}: {header}",
            t.name()
        );
        assert!(
            text.lines().count() > 12,
            "{}: the export holds fewer rows than were imported",
            t.name()
        );

        let undo = h.undo(&cp);
        undo.assert_code(0);
        assert_eq!(undo.num("deleted"), 12, "{}: {undo}", t.name());
        assert_eq!(
            h.ids(t),
            before,
            "{}: the undo left other records",
            t.name()
        );
    }
}
