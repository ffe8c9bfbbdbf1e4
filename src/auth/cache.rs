//! The access-token cache: one small JSON file per credential set, so that a token is reused
//! across runs (Zoho issues at most 10 tokens per 10 minutes).
//!
//! The directory is `$XDG_CACHE_HOME/bulkline` or `~/.cache/bulkline` (mode 0700). A file
//! holds only the access token and its expiry, never the client secret or refresh token; it
//! is named by a SHA-256 of the credentials (never the secrets themselves), is readable by the
//! user only (mode 0600), and is replaced atomically (write to a temporary file, then rename).
//! A file that others can read is ignored.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::flow::Grant;
use super::secret::Secret;

/// A token as stored in the cache.
#[derive(Clone, PartialEq, Eq)]
pub struct CachedToken {
    pub access_token: Secret,
    /// When it expires.
    pub expires_at: SystemTime,
    /// Its lifetime when issued (`expires_in`).
    pub lifetime: Duration,
    /// What the token endpoint said about it (scopes, API domain).
    pub grant: Grant,
}

impl std::fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedToken")
            .field("access_token", &self.access_token)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
struct OnDisk {
    access_token: String,
    /// Seconds since the Unix epoch.
    expires_at: u64,
    /// Seconds.
    lifetime: u64,
    /// Absent from caches written before it was kept.
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    api_domain: Option<String>,
}

/// A directory of cached tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCache {
    dir: PathBuf,
}

impl TokenCache {
    /// A cache in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> TokenCache {
        TokenCache { dir: dir.into() }
    }

    /// The default cache: `$XDG_CACHE_HOME/bulkline`, else `$HOME/.cache/bulkline`; `None`
    /// when neither is set (or is not absolute).
    pub fn default_location(env: impl Fn(&str) -> Option<String>) -> Option<TokenCache> {
        let absolute = |v: String| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
        let base = env("XDG_CACHE_HOME")
            .and_then(absolute)
            .or_else(|| env("HOME").and_then(absolute).map(|h| h.join(".cache")))?;
        Some(TokenCache::new(base.join("bulkline")))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file for a key (see [`cache_key`]).
    pub fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The cached token for `key`, if there is a readable, private, well-formed one.
    pub fn load(&self, key: &str) -> Option<CachedToken> {
        let path = self.path(key);
        let meta = fs::metadata(&path).ok()?;
        if !is_private(&meta) {
            return None;
        }
        let text = fs::read(&path).ok()?;
        let disk: OnDisk = serde_json::from_slice(&text).ok()?;
        Some(CachedToken {
            access_token: Secret::new(disk.access_token),
            expires_at: UNIX_EPOCH + Duration::from_secs(disk.expires_at),
            lifetime: Duration::from_secs(disk.lifetime),
            grant: Grant {
                scope: disk.scope,
                api_domain: disk.api_domain,
            },
        })
    }

    /// Stores `token` for `key`, atomically, readable by the user only.
    pub fn store(&self, key: &str, token: &CachedToken) -> std::io::Result<()> {
        create_private_dir(&self.dir)?;
        let disk = OnDisk {
            access_token: token.access_token.expose().to_string(),
            expires_at: token
                .expires_at
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            lifetime: token.lifetime.as_secs(),
            scope: token.grant.scope.clone(),
            api_domain: token.grant.api_domain.clone(),
        };
        let json = serde_json::to_vec(&disk).map_err(std::io::Error::other)?;
        // NamedTempFile is created with mode 0600 on Unix; set it again to be sure.
        crate::atomic::write_whole(&self.path(key), &json, set_private)
    }

    /// Forgets the token for `key` (a missing file is fine).
    pub fn remove(&self, key: &str) {
        // Best effort: a stale file is ignored anyway once it has expired.
        let _ = fs::remove_file(self.path(key));
    }
}

#[cfg(unix)]
fn is_private(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.is_file() && meta.permissions().mode() & 0o077 == 0
}

#[cfg(not(unix))]
fn is_private(meta: &fs::Metadata) -> bool {
    meta.is_file()
}

#[cfg(unix)]
fn set_private(file: &fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn set_private(_file: &fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

/// The cache key of a credential set: `<kind>-<first 128 bits of SHA-256, hex>` over the
/// parts (separated by NUL bytes). The secrets go into the hash, never into the name.
pub fn cache_key(kind: &str, parts: &[&str]) -> String {
    let mut input = Vec::new();
    input.extend_from_slice(kind.as_bytes());
    for part in parts {
        input.push(0);
        input.extend_from_slice(part.as_bytes());
    }
    let digest = sha256(&input);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{kind}-{hex}")
}

/// SHA-256 (FIPS 180-4), enough for naming cache files without new dependencies.
fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A token "1000.at" of one hour, expiring at 2,000,000,000 s after the epoch.
    fn token() -> CachedToken {
        CachedToken {
            access_token: Secret::new("1000.at"),
            expires_at: UNIX_EPOCH + Duration::from_secs(2_000_000_000),
            lifetime: Duration::from_secs(3600),
            grant: Grant::default(),
        }
    }

    #[test]
    fn sha256_vectors() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn keys_hide_secrets_and_differ() {
        let k = cache_key(
            "zoho",
            &["cid", "1000.refresh-secret", "https://accounts.zoho.com"],
        );
        assert!(k.starts_with("zoho-") && k.len() == 5 + 32, "{k}");
        assert!(!k.contains("refresh") && !k.contains("cid"));
        assert_ne!(
            k,
            cache_key("zoho", &["cid", "other", "https://accounts.zoho.com"])
        );
        assert_ne!(
            k,
            cache_key(
                "zoho",
                &["cid", "1000.refresh-secret", "https://accounts.zoho.eu"]
            )
        );
        // Parts are separated: ("ab", "c") is not ("a", "bc").
        assert_ne!(cache_key("x", &["ab", "c"]), cache_key("x", &["a", "bc"]));
    }

    #[test]
    fn default_location_follows_xdg_then_home() {
        // An absolute XDG_CACHE_HOME wins; a relative one is ignored for HOME.
        for (xdg, expected) in [
            ("/xdg", "/xdg/bulkline"),
            ("relative", "/home/u/.cache/bulkline"),
        ] {
            let cache = TokenCache::default_location(|k| match k {
                "XDG_CACHE_HOME" => Some(xdg.into()),
                "HOME" => Some("/home/u".into()),
                _ => None,
            });
            assert_eq!(
                cache.map(|c| c.dir().to_path_buf()),
                Some(PathBuf::from(expected))
            );
        }
        assert_eq!(TokenCache::default_location(|_| None), None);
    }

    /// A cache in the directory `sub` of a temporary one, holding [`token`] under `key`.
    fn cache_holding(sub: &str, key: &str) -> (tempfile::TempDir, TokenCache, CachedToken) {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = TokenCache::new(dir.path().join(sub));
        let token = token();
        cache.store(key, &token).expect("stores");
        (dir, cache, token)
    }

    #[test]
    fn store_and_load_round_trip() {
        let (_dir, cache, token) = cache_holding("nested/bulkline", "zoho-k");
        assert_eq!(cache.load("zoho-k"), Some(token.clone()));
        assert_eq!(cache.load("zoho-other"), None);
        let text = fs::read_to_string(cache.path("zoho-k")).expect("reads");
        assert!(text.contains("1000.at") && text.contains("2000000000"));
        // Only the token file is left (the temporary file was renamed).
        assert_eq!(fs::read_dir(cache.dir()).map(|d| d.count()).ok(), Some(1));
        cache.remove("zoho-k");
        assert_eq!(cache.load("zoho-k"), None);
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private_and_shared_files_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let (_dir, cache, token) = cache_holding("bulkline", "k");
        let mode = |p: &Path| fs::metadata(p).map(|m| m.permissions().mode() & 0o777).ok();
        assert_eq!(mode(&cache.path("k")), Some(0o600));
        assert_eq!(mode(cache.dir()), Some(0o700));
        fs::set_permissions(cache.path("k"), fs::Permissions::from_mode(0o644)).expect("chmod");
        assert_eq!(
            cache.load("k"),
            None,
            "a world-readable cache file is not trusted"
        );
        cache.store("k", &token).expect("stores again");
        assert_eq!(mode(&cache.path("k")), Some(0o600));
        fs::write(cache.path("k"), "not json").expect("write");
        fs::set_permissions(cache.path("k"), fs::Permissions::from_mode(0o600)).expect("chmod");
        assert_eq!(cache.load("k"), None);
    }
}
