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
