//! vCard inputs end to end: line ends of every kind, and companies' cards.

use std::path::Path;

use assert_cmd::Command;

mod common;

/// `bulkline clean INPUT -o DIR/out.csv` of the cards `text`; the rows written.
fn clean(dir: &Path, text: &[u8]) -> Vec<std::collections::BTreeMap<String, String>> {
    let input = dir.join("cards.vcf");
    std::fs::write(&input, text).unwrap();
    let out = dir.join("out.csv");
    Command::cargo_bin("bulkline")
        .unwrap()
        .arg("clean")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--dedupe-by", "none", "--quiet"])
        .assert()
        .code(0);
    common::read_table(&out)
}

#[test]
fn cards_with_bare_cr_line_ends_read_as_with_lf() {
    let dir = tempfile::tempdir().unwrap();
    let cards = "BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nTEL;TYPE=CELL:+1 650 253 0000\nEMAIL:ann@example.com\nEND:VCARD\n\
                 BEGIN:VCARD\nVERSION:3.0\nFN:Bob Roe\nTEL;TYPE=CELL:+1 650 253 0001\nNOTE:one\n  two\nEND:VCARD\n";
    let lf = clean(dir.path(), cards.as_bytes());
    let cr = clean(dir.path(), cards.replace('\n', "\r").as_bytes());
    let crlf = clean(dir.path(), cards.replace('\n', "\r\n").as_bytes());
    assert_eq!(lf.len(), 2);
    assert_eq!(lf[0]["mobile"], "+16502530000");
    assert_eq!(lf[0]["email"], "ann@example.com");
    assert_eq!(lf[1]["notes"], "one two");
    assert_eq!(cr, lf, "a bare CR ends a line");
    assert_eq!(crlf, lf);
}

#[test]
fn a_company_card_keeps_its_company_and_no_person_name() {
    let dir = tempfile::tempdir().unwrap();
    let cards = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:Acme Plumbing Ltd\r\nORG:Acme Plumbing Ltd;\r\n\
                 TEL;TYPE=WORK:+1 650 253 0002\r\nX-ABShowAs:COMPANY\r\nEND:VCARD\r\n\
                 BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Ann;;;\r\nFN:Ann Lee\r\nORG:Acme Plumbing Ltd\r\n\
                 TEL;TYPE=CELL:+1 650 253 0003\r\nEND:VCARD\r\n";
    let rows = clean(dir.path(), cards.as_bytes());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["company"], "Acme Plumbing Ltd");
    assert_eq!(rows[0]["full_name"], "");
    assert_eq!(rows[0]["first_name"], "");
    assert_eq!(rows[0]["last_name"], "");
    assert_eq!(rows[0]["work_phone"], "+16502530002");
    assert_eq!(rows[1]["first_name"], "Ann");
    assert_eq!(rows[1]["last_name"], "Lee");
    assert_eq!(rows[1]["company"], "Acme Plumbing Ltd");
}
