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
    let dir = h.path("man");
    let out = h
        .command()
        .args(["man", "--dir"])
        .arg(&dir)
        .output()
        .expect("run bulkline man --dir");
    assert_eq!(out.status.code(), Some(0));
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

#[test]
fn every_command_help_ends_with_examples_and_groups_its_options() {
    let h = Harness::new(config());
    let commands = [
        "clean",
        "import",
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
