//! The paths a run reads and writes, checked before anything happens: no path destroys data.
//!
//! - A journal must be a regular file or not exist: a device, FIFO, socket or directory is
//!   refused (renaming a journal over `/dev/null` would replace the device).
//! - An output (clean rows, a report, a journal) must not be the input, nor the same file as
//!   another output of the run, after following links (a symlink, `./x` and `x`, a hard link):
//!   one would overwrite the other.
//! - An output that is a directory is refused; one that is a device or a FIFO is written in
//!   place (`/dev/null`), and several outputs may share one.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// A path refused before anything happens: the command's usage error (see the module docs).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

type Result<T> = std::result::Result<T, Refused>;

/// What a path names, once links are followed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// Nothing yet: the run will create it.
    Missing,
    Regular,
    Directory,
    /// A device, FIFO or socket.
    Special(&'static str),
}

/// A path, resolved.
#[derive(Debug, Clone)]
struct Resolved {
    kind: Kind,
    /// The file's device and inode, when it exists.
    file_id: Option<(u64, u64)>,
    /// The absolute path with links resolved (for a missing file: its resolved directory
    /// joined with its name).
    canonical: PathBuf,
}

/// What a path that is not a regular file is, in words ("a directory", "a character
/// device"...).
/// `path` with its directory resolved (links and `..` followed) and its own name kept: the
/// same file named the same way from anywhere, whether or not it exists yet.
pub fn absolute(path: &Path) -> PathBuf {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(parent), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

pub fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_fifo() {
        "a named pipe"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

fn resolve(path: &Path) -> Resolved {
    match std::fs::metadata(path) {
        Ok(meta) => {
            let kind = if meta.is_file() {
                Kind::Regular
            } else if meta.is_dir() {
                Kind::Directory
            } else {
                Kind::Special(kind_of(&meta))
            };
            Resolved {
                kind,
                file_id: Some((meta.dev(), meta.ino())),
                canonical: std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
            }
        }
        Err(_) => {
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let dir = std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf());
            let canonical = match path.file_name() {
                Some(name) => dir.join(name),
                None => dir,
            };
            Resolved {
                kind: Kind::Missing,
                file_id: None,
                canonical,
            }
        }
    }
}

impl Resolved {
    fn same_file(&self, other: &Resolved) -> bool {
        match (self.file_id, other.file_id) {
            (Some(a), Some(b)) => a == b,
            _ => self.canonical == other.canonical,
        }
    }
}

/// Refuses a journal path that exists and is not a regular file.
pub fn check_journal(path: &Path) -> Result<()> {
    match resolve(path).kind {
        Kind::Missing | Kind::Regular => Ok(()),
        Kind::Directory => Err(Refused(format!(
            "the checkpoint journal {} is a directory: give a file name, e.g. --checkpoint {}",
            path.display(),
            path.join("run.checkpoint").display()
        ))),
        Kind::Special(what) => Err(Refused(format!(
            "the checkpoint journal {} is {what}, not a file: give a regular file with --checkpoint (a journal must be kept to resume)",
            path.display()
        ))),
    }
}

/// The checks of a `command` (`import`, `sms`) that reads `input` and writes `--errors`,
/// `--report` and a journal (`None` for a dry run, which writes none): the input is a file
/// (the journal identifies the file it belongs to), and no path destroys data.
pub fn check_reports_and_journal(
    command: &str,
    input: &str,
    errors: Option<&str>,
    report: Option<&str>,
    warnings: Option<&str>,
    journal: Option<&Path>,
) -> Result<()> {
    if input == "-" {
        return Err(Refused(format!(
            "{command} reads a file, not standard input: the checkpoint journal identifies the file it belongs to"
        )));
    }
    let mut files = RunFiles::new(input)
        .output("--errors", errors)
        .output("--report", report)
        .output("--warnings", warnings);
    if let Some(journal) = journal {
        check_journal(journal)?;
        files = files.output_path("the checkpoint journal", journal);
    }
    files.check()
}

/// The files of one run: its input, and every file it writes with what it is (`--errors`,
/// `--report`, `the checkpoint journal`...).
#[derive(Debug, Default)]
pub struct RunFiles<'a> {
    input: Option<&'a str>,
    outputs: Vec<(&'a str, &'a Path)>,
}

impl<'a> RunFiles<'a> {
    /// The files of a run that reads `input` (`-` for stdin).
    pub fn new(input: &'a str) -> RunFiles<'a> {
        RunFiles {
            input: Some(input),
            outputs: Vec::new(),
        }
    }

    /// A file the run writes, named by the option that gives it; `-` (stdout) and `None`
    /// are skipped.
    pub fn output(mut self, what: &'a str, path: Option<&'a str>) -> RunFiles<'a> {
        if let Some(p) = path
            && p != "-"
        {
            self.outputs.push((what, Path::new(p)));
        }
        self
    }

    /// A file the run writes, by path.
    pub fn output_path(mut self, what: &'a str, path: &'a Path) -> RunFiles<'a> {
        self.outputs.push((what, path));
        self
    }

    /// Refuses an output that is a directory, is the input, or is the same file as another
    /// output (see the module docs).
    pub fn check(&self) -> Result<()> {
        let input = self
            .input
            .filter(|i| *i != "-")
            .map(|i| resolve(Path::new(i)));
        let mut seen: Vec<(&str, &Path, Resolved)> = Vec::new();
        for &(what, path) in &self.outputs {
            let r = resolve(path);
            if r.kind == Kind::Directory {
                return Err(Refused(format!(
                    "{what} {} is a directory: give a file name",
                    path.display()
                )));
            }
            // Devices and pipes are written in place; sharing one destroys nothing.
            if matches!(r.kind, Kind::Special(_)) {
                continue;
            }
            if let Some(i) = &input
                && i.same_file(&r)
            {
                return Err(Refused(format!(
                    "{what} {} is the input file: it would be overwritten; write it elsewhere",
                    path.display()
                )));
            }
            if let Some((other, other_path, _)) = seen.iter().find(|(_, _, s)| s.same_file(&r)) {
                return Err(Refused(format!(
                    "{what} {} and {other} {} are the same file: one would overwrite the other; give them different names",
                    path.display(),
                    other_path.display()
                )));
            }
            seen.push((what, path, r));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that `files` are refused with an error that says `says`.
    fn assert_refused(files: RunFiles, says: &str) {
        let e = files.check().unwrap_err();
        assert!(e.to_string().contains(says), "{e}");
    }

    #[test]
    fn outputs_may_not_be_the_input_or_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, b"a\n1\n").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        let inp = input.to_str().unwrap();
        let out = dir.path().join("o.csv");
        let out = out.to_str().unwrap();
        let dotted = format!("{}/./o.csv", dir.path().display());

        assert!(RunFiles::new(inp).output("-o", Some(out)).check().is_ok());
        assert_refused(
            RunFiles::new(inp).output("--errors", Some(link.to_str().unwrap())),
            "is the input file",
        );
        assert_refused(
            RunFiles::new(inp)
                .output("-o", Some(out))
                .output("--errors", Some(&dotted)),
            "are the same file",
        );
        // Devices may be shared; stdout is not a file.
        assert!(
            RunFiles::new(inp)
                .output("-o", Some("/dev/null"))
                .output("--errors", Some("/dev/null"))
                .output("--report", Some("-"))
                .output("--duplicates", Some("-"))
                .check()
                .is_ok()
        );
        assert_refused(
            RunFiles::new(inp).output("-o", Some(dir.path().to_str().unwrap())),
            "is a directory",
        );
    }

    #[test]
    fn a_hard_link_is_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        let b = dir.path().join("b.csv");
        std::fs::write(&a, b"x").unwrap();
        std::fs::hard_link(&a, &b).unwrap();
        assert_refused(
            RunFiles::new(a.to_str().unwrap()).output("--report", Some(b.to_str().unwrap())),
            "input",
        );
    }

    #[test]
    fn journals_must_be_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_journal(&dir.path().join("new.ck")).is_ok());
        assert!(check_journal(dir.path()).is_err());
        let e = check_journal(Path::new("/dev/null")).unwrap_err();
        assert!(e.to_string().contains("character device"), "{e}");
    }
}
