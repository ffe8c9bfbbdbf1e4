//! The credentials file: where `bulkline auth login` keeps what it obtained, and where every
//! command looks for credentials the environment does not give.
//!
//! It lives at `$XDG_CONFIG_HOME/bulkline/credentials.toml` (else
//! `~/.config/bulkline/credentials.toml`) unless `--credentials` or the config file names
//! another. Its top-level keys are the default profile; `[profile.NAME]` tables are the other
//! profiles (one account each: a profile never borrows a key of another):
//!
//! ```toml
//! ZOHO_CLIENT_ID = "1000.ABC"
//! ZOHO_CLIENT_SECRET = "..."
//! ZOHO_REFRESH_TOKEN = "1000.xyz"
//! ZOHO_DC = "eu"
//!
//! [profile.acme]
//! ZOOM_ACCOUNT_ID = "..."
//! ```
//!
//! It is written with mode 0600 (its directory 0700), atomically; like ssh with a private key,
//! reading one that group or others may read prints a warning with the `chmod` that fixes it.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::AuthError;

/// The table of profiles.
const PROFILES: &str = "profile";

/// The default location: `$XDG_CONFIG_HOME/bulkline/credentials.toml`, else
/// `$HOME/.config/bulkline/credentials.toml`.
pub fn default_path(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    crate::config::default_path(env).map(|p| p.with_file_name("credentials.toml"))
}

/// A credentials file as read (or about to be written).
#[derive(Debug, Clone)]
pub struct CredentialsFile {
    pub path: PathBuf,
    table: toml::Table,
}

impl CredentialsFile {
    /// Reads `path`; a file that is not there reads as empty.
    pub fn read(path: &Path) -> Result<CredentialsFile, AuthError> {
        let fail = |message: String| AuthError::Config {
            path: path.display().to_string(),
            message,
        };
        let table = match std::fs::read_to_string(path) {
            Ok(text) => text
                .parse::<toml::Table>()
                .map_err(|e| fail(format!("not valid TOML: {}", e.message())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => toml::Table::new(),
            Err(e) => return Err(fail(e.to_string())),
        };
        Ok(CredentialsFile {
            path: path.to_path_buf(),
            table,
        })
    }

    /// The keys of `profile` (`None`: the default profile, the top-level keys), or `None` when
    /// the file has no such profile.
    pub fn profile(&self, profile: Option<&str>) -> Option<toml::Table> {
        match profile {
            None => Some(
                self.table
                    .iter()
                    .filter(|(k, _)| k.as_str() != PROFILES)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            Some(name) => self
                .table
                .get(PROFILES)?
                .as_table()?
                .get(name)?
                .as_table()
                .cloned(),
        }
    }

    /// The names of the profiles besides the default one.
    pub fn profile_names(&self) -> Vec<String> {
        self.table
            .get(PROFILES)
            .and_then(toml::Value::as_table)
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Sets `key` to `value` in `profile`.
    pub fn set(&mut self, profile: Option<&str>, key: &str, value: &str) {
        self.section(profile)
            .insert(key.to_string(), toml::Value::String(value.to_string()));
    }

    /// Removes the keys of `profile` that `which` selects; removes the profile once empty.
    /// How many keys went.
    pub fn remove(&mut self, profile: Option<&str>, which: impl Fn(&str) -> bool) -> usize {
        let section = self.section(profile);
        let before = section.len();
        section.retain(|k, v| v.is_table() || !which(k));
        let removed = before - section.len();
        if let Some(name) = profile
            && let Some(profiles) = self
                .table
                .get_mut(PROFILES)
                .and_then(toml::Value::as_table_mut)
        {
            if profiles
                .get(name)
                .and_then(toml::Value::as_table)
                .is_some_and(toml::Table::is_empty)
            {
                profiles.remove(name);
            }
            if profiles.is_empty() {
                self.table.remove(PROFILES);
            }
        }
        removed
    }

    /// Whether nothing is left in the file.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    fn section(&mut self, profile: Option<&str>) -> &mut toml::Table {
        match profile {
            None => &mut self.table,
            Some(name) => table_in(table_in(&mut self.table, PROFILES), name),
        }
    }

    /// Writes the file with mode 0600 (its directory created with 0700), replacing it at once;
    /// an empty file is removed instead.
    pub fn write(&self) -> std::io::Result<()> {
        if self.is_empty() {
            return match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)?;
        }
        let text = format!(
            "# bulkline credentials: written by `bulkline auth login`; keep this file private (mode 600).\n{}",
            toml::to_string(&self.table).map_err(std::io::Error::other)?
        );
        let mut tmp = tempfile::Builder::new()
            .prefix(".credentials")
            .permissions(std::fs::Permissions::from_mode(0o600))
            .tempfile_in(&dir)?;
        tmp.write_all(text.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// The table `key` of `table`, made (or made a table) if it is not one.
fn table_in<'a>(table: &'a mut toml::Table, key: &str) -> &'a mut toml::Table {
    let value = table
        .entry(key)
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if !value.is_table() {
        *value = toml::Value::Table(toml::Table::new());
    }
    value.as_table_mut().expect("made a table just above")
}

/// The warning for a credentials file that group or others may read, like ssh's for a
/// private key: the file, its mode and the `chmod` that fixes it. `None` when it is private
/// (or cannot be looked at).
pub fn loose_permissions(path: &Path) -> Option<String> {
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "warning: the credentials file {} can be read by others (mode {mode:03o}); \
             run: chmod 600 {}",
            path.display(),
            crate::stop::shell_quote(&path.display().to_string())
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{dir_with_file, dir_with_path};

    #[test]
    fn profiles_are_tables_and_never_borrow_the_default_keys() {
        let (_dir, path) = dir_with_file(
            "c.toml",
            "ZOHO_CLIENT_ID = \"a\"\n[profile.acme]\nZOOM_ACCOUNT_ID = \"z\"\n",
        );
        let file = CredentialsFile::read(&path).unwrap();
        let default = file.profile(None).unwrap();
        assert_eq!(default.keys().collect::<Vec<_>>(), ["ZOHO_CLIENT_ID"]);
        let acme = file.profile(Some("acme")).unwrap();
        assert_eq!(acme.keys().collect::<Vec<_>>(), ["ZOOM_ACCOUNT_ID"]);
        assert!(file.profile(Some("other")).is_none());
        assert_eq!(file.profile_names(), ["acme"]);
    }

    #[test]
    fn written_private_read_back_and_removed_when_empty() {
        let (_dir, path) = dir_with_path("sub/credentials.toml");
        let mut file = CredentialsFile::read(&path).unwrap();
        assert!(file.is_empty());
        file.set(None, "ZOHO_CLIENT_ID", "a");
        file.set(Some("b"), "ZOHO_CLIENT_ID", "b");
        file.write().unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dir_mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700);
        assert_eq!(loose_permissions(&path), None);
        let mut again = CredentialsFile::read(&path).unwrap();
        assert_eq!(
            again.profile(Some("b")).unwrap()["ZOHO_CLIENT_ID"].as_str(),
            Some("b")
        );
        assert_eq!(again.remove(Some("b"), |_| true), 1);
        assert!(again.profile_names().is_empty());
        assert_eq!(again.remove(None, |k| k.starts_with("ZOHO_")), 1);
        again.write().unwrap();
        assert!(!path.exists(), "an empty file is removed");
    }

    #[test]
    fn a_file_others_may_read_is_warned_about_with_the_fix() {
        let (_dir, path) = dir_with_file("c.toml", "");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let warning = loose_permissions(&path).expect("a warning");
        assert!(warning.contains("mode 644"), "{warning}");
        assert!(warning.contains("chmod 600"), "{warning}");
    }
}
