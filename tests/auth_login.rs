//! `bulkline auth`: a sign-in against the sandbox's OAuth servers stores a private credentials
//! file that the next command uses with no variable set; profiles select accounts; a file
//! others may read is warned about; logout removes what it names.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use bulkline::sandbox::seed;
use common::{Harness, Run, Target, config, rows};
use serde_json::Value;

/// The credentials file of a harness's commands (`XDG_CONFIG_HOME` is the test's own).
fn credentials_file(h: &Harness) -> PathBuf {
    h.path("config").join("bulkline").join("credentials.toml")
}

/// `bulkline [--profile P] auth login --to SERVICE` against `at`'s OAuth server, with the
/// client secret in the environment (never a flag), plus `extra`.
fn login(h: &Harness, at: &Harness, profile: Option<&str>, service: &str, extra: &[&str]) -> Run {
    let mut c = h.command();
    if let Some(p) = profile {
        c.args(["--profile", p]);
    }
    c.args(["auth", "login", "--to", service, "--json"])
        .args(["--client-id", seed::CLIENT_ID])
        .args(["--accounts-url", &at.sb.url()])
        .env(
            if service == "zoom" {
                "ZOOM_CLIENT_SECRET"
            } else {
                "ZOHO_CLIENT_SECRET"
            },
            seed::CLIENT_SECRET,
        )
        .args(extra)
        .stdin(std::process::Stdio::null());
    Run::from_output(c.output().expect("run bulkline auth login"))
}

fn zoho_login(h: &Harness, at: &Harness, profile: Option<&str>) -> Run {
    login(
        h,
        at,
        profile,
        "zoho",
        &[
            "--code",
            seed::GRANT_CODE,
            "--organization-id",
            seed::BOOKS_ORGANIZATION_ID,
        ],
    )
}

/// `bulkline [--profile P] import INPUT --to T` at `at`, with no credential in the
/// environment: what it uses comes from the credentials file.
fn import_at(h: &Harness, at: &Harness, profile: Option<&str>, t: Target, name: &str) -> Run {
    let input = h.write_csv(name, &rows(0..3));
    let mut c = h.command();
    if let Some(p) = profile {
        c.args(["--profile", p]);
    }
    c.arg("import")
        .arg(&input)
        .args([
            "--to",
            t.name(),
            "--json",
            "--canary",
            "0",
            "--rate",
            "200/s",
        ])
        .arg("--checkpoint")
        .arg(h.path(&format!("{name}.ck")))
        .args(["--base-url", &at.sb.url(), "--accounts-url", &at.sb.url()])
        .args(seed::destination_args(t.name()));
    Run::from_output(c.output().expect("run bulkline import"))
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path)
        .expect("the file")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn a_zoho_sign_in_is_stored_private_and_used_by_the_next_import() {
    let h = Harness::new(config());
    let run = zoho_login(&h, &h, None);
    run.assert_code(0);
    assert_eq!(run.summary["command"], "auth login", "{run}");
    let file = credentials_file(&h);
    assert_eq!(mode(&file), 0o600, "the credentials file is private");
    assert_eq!(mode(file.parent().expect("its directory")), 0o700);
    let text = std::fs::read_to_string(&file).expect("read it");
    assert!(text.contains("ZOHO_REFRESH_TOKEN"), "{text}");
    assert!(
        !text.contains(seed::REFRESH_TOKEN),
        "the refresh token is the one the grant code gave, not the seeded one"
    );
    // The grant code works once.
    let again = zoho_login(&h, &h, None);
    again.assert_code(2);
    assert!(again.stderr.contains("invalid_code"), "{again}");
    // With no terminal to ask on, a value not given names its flag.
    let no_code = login(&h, &h, None, "zoho", &[]);
    no_code.assert_code(2);
    assert!(no_code.stderr.contains("pass --code"), "{no_code}");
    // No variable set: the import signs in with what the file holds.
    let imported = import_at(&h, &h, None, Target::VOICE, "voice.csv");
    imported.assert_code(0);
    assert_eq!(imported.num("created"), 3, "{imported}");
    assert!(
        !imported.stderr.contains("warning"),
        "a private file is not warned about: {imported}"
    );
    // Status shows what is stored, masked.
    let status = h
        .command()
        .args(["auth", "status", "--json"])
        .output()
        .expect("run bulkline auth status");
    let status = Run::from_output(status);
    status.assert_code(0);
    let shown = status.stdout.clone();
    assert!(shown.contains("ZOHO_REFRESH_TOKEN"), "{status}");
    assert!(!shown.contains(seed::CLIENT_SECRET), "{status}");
    let stored = std::fs::read_to_string(&file).expect("read it");
    let refresh = stored
        .lines()
        .find_map(|l| l.strip_prefix("ZOHO_REFRESH_TOKEN = "))
        .expect("a refresh token line")
        .trim_matches('"');
    assert!(!shown.contains(refresh), "{status}");
}

#[test]
fn two_profiles_select_two_accounts() {
    let a = Harness::new(config());
    // Another account: another seed, so its refresh tokens are not the first one's.
    let b = Harness::new(bulkline::sandbox::SandboxConfig {
        seed: 7,
        ..config()
    });
    // Both sign-ins land in the credentials file of `a`'s commands, as two profiles.
    zoho_login(&a, &a, Some("first")).assert_code(0);
    zoho_login(&a, &b, Some("second")).assert_code(0);
    let before_b = b.mobiles(Target::VOICE).len();
    import_at(&a, &a, Some("first"), Target::VOICE, "one.csv").assert_code(0);
    assert_eq!(a.mobiles(Target::VOICE).len(), 3);
    assert_eq!(b.mobiles(Target::VOICE).len(), before_b);
    // The second profile's refresh token is the second account's: the first refuses it.
    let crossed = import_at(&a, &a, Some("second"), Target::VOICE, "two.csv");
    crossed.assert_code(2);
    assert!(crossed.stderr.contains("invalid_code"), "{crossed}");
    let second = import_at(&a, &b, Some("second"), Target::VOICE, "three.csv");
    second.assert_code(0);
    assert_eq!(b.mobiles(Target::VOICE).len(), before_b + 3);
    // The config file's default_profile selects one when no flag does.
    let config_file = a.path("config").join("bulkline").join("config.toml");
    std::fs::write(&config_file, "default_profile = \"second\"\n").expect("write the config");
    let by_default = import_at(&a, &b, None, Target::VOICE, "four.csv");
    by_default.assert_code(0);
    // A profile nobody signed in to is named in the error.
    let unknown = import_at(&a, &a, Some("third"), Target::VOICE, "five.csv");
    unknown.assert_code(2);
    assert!(
        unknown.stderr.contains("third") && unknown.stderr.contains("first, second"),
        "{unknown}"
    );
}

#[test]
fn a_credentials_file_others_may_read_is_warned_about_and_logout_removes_keys() {
    let h = Harness::new(config());
    login(
        &h,
        &h,
        None,
        "zoom",
        &["--account-id", seed::ZOOM_ACCOUNT_ID],
    )
    .assert_code(0);
    let file = credentials_file(&h);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let run = import_at(&h, &h, None, Target::ZOOM, "zoom.csv");
    run.assert_code(0);
    let warning = run
        .stderr
        .lines()
        .find(|l| l.contains("warning"))
        .unwrap_or_else(|| panic!("no warning: {run}"));
    assert!(
        warning.contains("mode 644") && warning.contains(&format!("chmod 600 {}", file.display())),
        "{warning}"
    );
    // Logout of Zoom leaves nothing: the file goes.
    let out = h
        .command()
        .args(["auth", "logout", "--to", "zoom", "--json"])
        .output()
        .expect("run bulkline auth logout");
    let out = Run::from_output(out);
    out.assert_code(0);
    assert_eq!(out.summary["removed"], Value::from(3), "{out}");
    assert!(!file.exists(), "an empty credentials file is removed");
}
