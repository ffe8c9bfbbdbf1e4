//! `bulkline completions` and `bulkline man`.

mod common;

use common::{Harness, config};

#[test]
fn every_shell_gets_a_completion_script_naming_the_commands() {
    let h = Harness::new(config());
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = h
            .command()
            .args(["completions", shell])
            .output()
            .expect("run bulkline completions");
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.len() > 1000, "{shell}: {} bytes", script.len());
        // Long options as each shell writes them (`--sheet`, fish: `-l sheet`).
        for word in [
            "import",
            "sms-status",
            "checkpoint",
            "sheet",
            "address-book-id",
        ] {
            assert!(script.contains(word), "{shell}: no {word}");
        }
    }
    let out = h
        .command()
        .args(["completions", "tcsh"])
        .output()
        .expect("run bulkline completions");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_man_page_and_one_per_command() {
    let h = Harness::new(config());
    let out = h.command().arg("man").output().expect("run bulkline man");
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH bulkline 1"), "{page}");
    assert!(page.contains("import"), "{page}");
    let dir = man_pages(&h);
    for name in [
        "bulkline",
        "bulkline-import",
        "bulkline-sms",
        "bulkline-check",
    ] {
        let text = std::fs::read_to_string(dir.join(format!("{name}.1"))).expect(name);
        assert!(text.contains(".SH NAME"), "{name}");
    }
    let import = std::fs::read_to_string(dir.join("bulkline-import.1")).expect("import page");
    assert!(import.contains("checkpoint"), "{import}");
}

/// `bulkline man --dir`: the directory of the pages it wrote.
fn man_pages(h: &Harness) -> std::path::PathBuf {
    let dir = h.path("man");
    let out = h
        .command()
        .args(["man", "--dir"])
        .arg(&dir)
        .output()
        .expect("run bulkline man --dir");
    assert_eq!(out.status.code(), Some(0));
    dir
}

/// The environment variables the source reads: every string literal that names one.
fn variables_in_source() -> std::collections::BTreeSet<String> {
    fn walk(dir: &std::path::Path, found: &mut std::collections::BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("read src").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for part in text.split('"').skip(1).step_by(2) {
                let named = ["BULKLINE_", "ZOHO_", "ZOOM_", "XDG_"]
                    .iter()
                    .any(|p| part.starts_with(p) && part.len() > p.len());
                if (named || part == "HOME")
                    && part.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
                {
                    found.insert(part.to_string());
                }
            }
        }
    }
    let mut found = std::collections::BTreeSet::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    found
}

#[test]
fn every_man_page_has_examples_exit_status_and_every_variable_bulkline_reads() {
    let h = Harness::new(config());
    let dir = man_pages(&h);
    let variables = variables_in_source();
    // The test reads the source: it found the variables the README's credentials list names.
    for known in [
        "BULKLINE_CONFIG",
        "ZOHO_REFRESH_TOKEN",
        "ZOOM_ACCOUNT_ID",
        "XDG_STATE_HOME",
    ] {
        assert!(variables.contains(known), "{known}: {variables:?}");
    }
    let mut pages = 0;
    for entry in std::fs::read_dir(&dir).expect("the pages").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let page = std::fs::read_to_string(entry.path()).expect("a page");
        pages += 1;
        for section in [
            ".SH EXAMPLES\n",
            ".SH \"EXIT STATUS\"\n",
            ".SH ENVIRONMENT\n",
        ] {
            assert_eq!(page.matches(section).count(), 1, "{name}: {section}");
        }
        assert!(!page.contains(".SH EXTRA"), "{name}");
        let examples = &page[page.find(".SH EXAMPLES").unwrap_or(0)..];
        assert!(examples.contains("\nbulkline "), "{name}: {examples}");
        for code in 0..=4 {
            assert!(
                page.contains(&format!(".TP\n.B {code}\n")),
                "{name}: exit {code}"
            );
        }
        let environment = &page[page.find(".SH ENVIRONMENT").unwrap_or(0)..];
        for variable in &variables {
            assert!(
                environment.contains(&format!(".B {variable}\n")),
                "{name}: {variable} is read but not listed"
            );
        }
    }
    assert_eq!(pages, 14, "a page per command and the main one");
    // The main page on stdout is the same as bulkline.1.
    let out = h.command().arg("man").output().expect("run bulkline man");
    let main = std::fs::read_to_string(dir.join("bulkline.1")).expect("bulkline.1");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).replace("BULKLINE 1", "bulkline 1"),
        main.replace("BULKLINE 1", "bulkline 1")
    );
}

#[test]
fn every_command_help_ends_with_examples_and_groups_its_options() {
    let h = Harness::new(config());
    let commands = [
        "clean",
        "import",
        "verify",
        "undo",
        "sms",
        "sms-status",
        "export",
        "check",
        "config",
        "completions",
        "man",
        "sandbox",
    ];
    for name in commands {
        let out = h
            .command()
            .args([name, "--help"])
            .output()
            .expect("run bulkline --help");
        assert_eq!(out.status.code(), Some(0), "{name}");
        let help = String::from_utf8_lossy(&out.stdout);
        let examples = help
            .rfind("Examples:")
            .unwrap_or_else(|| panic!("{name}: {help}"));
        let lines = help[examples..]
            .lines()
            .skip(1)
            .filter(|l| l.trim_start().starts_with("bulkline "));
        assert!(lines.count() >= 2, "{name}: {help}");
    }
    let help = |name: &str| {
        let out = h.command().args([name, "--help"]).output().expect("help");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let import = help("import");
    for heading in [
        "Input:", "Phones:", "Mapping:", "API:", "Journal:", "Output:",
    ] {
        assert!(import.contains(heading), "import: no {heading}");
    }
    // Options a command does not use are not listed; a journaled run says it needs a file.
    let undo = help("undo");
    assert!(!undo.contains("--address-book-id"), "{undo}");
    assert!(!help("sms-status").contains("--books-contact-id"));
    assert!(import.contains("not stdin"), "{import}");
    assert!(help("clean").contains("`-` reads stdin"));
}
