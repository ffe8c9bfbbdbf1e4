//! Files that appear whole or not at all: written to a temporary `.bulkline-*.part` file
//! beside the destination, synced, and renamed onto it. Outputs, exports, a journal's header
//! and the token cache are all written this way.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A temporary `.bulkline-*.part` file beside a destination, renamed onto it when the output
/// is whole. It is removed if dropped before, and also by a second signal's immediate exit
/// ([`crate::stop::TempFile`]).
#[derive(Debug)]
pub struct Part {
    pub file: NamedTempFile,
    _registered: crate::stop::TempFile,
}

/// The directory a file at `dest` goes in (`.` for a bare name).
pub fn dir_of(dest: &Path) -> PathBuf {
    match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

impl Part {
    /// A new part file in the directory of `dest`.
    pub fn beside(dest: &Path) -> io::Result<Part> {
        let file = tempfile::Builder::new()
            .prefix(".bulkline-")
            .suffix(".part")
            .tempfile_in(dir_of(dest))?;
        let registered = crate::stop::TempFile::register(file.path());
        Ok(Part {
            file,
            _registered: registered,
        })
    }

    /// Syncs the file and renames it onto `dest`.
    pub fn persist(self, dest: &Path) -> io::Result<()> {
        self.file.as_file().sync_all()?;
        self.file.persist(dest).map(drop).map_err(|e| e.error)
    }
}

/// Writes `bytes` to `dest` whole or not at all; `prepare` sees the temporary file first
/// (to set its permissions).
pub fn write_whole(
    dest: &Path,
    bytes: &[u8],
    prepare: impl FnOnce(&File) -> io::Result<()>,
) -> io::Result<()> {
    let mut part = Part::beside(dest)?;
    prepare(part.file.as_file())?;
    part.file.write_all(bytes)?;
    part.persist(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_file_replaces_the_old_and_leaves_no_part() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("out.txt");
        std::fs::write(&dest, "old").expect("write");
        write_whole(&dest, b"new", |_| Ok(())).expect("write_whole");
        assert_eq!(std::fs::read_to_string(&dest).expect("read"), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.txt")]);
    }

    #[test]
    fn a_dropped_part_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("out.txt");
        let part = Part::beside(&dest).expect("part");
        let path = part.file.path().to_path_buf();
        assert!(path.exists());
        drop(part);
        assert!(!path.exists() && !dest.exists());
    }
}
