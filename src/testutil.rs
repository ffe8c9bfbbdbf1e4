//! Helpers shared by unit tests: tables of cases, special files to write into, and
//! journals of sends.

use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

/// Asserts that `f` maps the input of each case to its wanted output; a failure names the
/// input.
pub fn assert_cases<I: Debug, O: PartialEq<W> + Debug, W: Debug>(
    f: impl Fn(I) -> O,
    cases: impl IntoIterator<Item = (I, W)>,
) {
    for (input, want) in cases {
        let name = format!("{input:?}");
        assert_eq!(f(input), want, "{name}");
    }
}

/// Makes the named pipe `dir/pipe` and starts a thread that reads it to the end.
pub fn pipe_with_reader(dir: &Path) -> (PathBuf, JoinHandle<String>) {
    let fifo = dir.join("pipe");
    // Made in-process: a forked `mkfifo` would hold other tests' open files (and their
    // locks) until it execs.
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: mkfifo(3) with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    (fifo, reader)
}

/// Asserts that `path` is (still) a named pipe.
pub fn assert_pipe(path: &Path) {
    let kind = std::fs::symlink_metadata(path).unwrap().file_type();
    assert!(
        std::os::unix::fs::FileTypeExt::is_fifo(&kind),
        "still a pipe"
    );
}

/// The file `dir/real.csv` holding `old`, and the symbolic link `dir/link.csv` to it.
pub fn linked_file(dir: &Path, old: &str) -> (PathBuf, PathBuf) {
    let real = dir.join("real.csv");
    std::fs::write(&real, old).unwrap();
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    (real, link)
}

/// Asserts that `path` is (still) a symbolic link.
pub fn assert_symlink(path: &Path) {
    assert!(
        std::fs::symlink_metadata(path)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// A temporary directory, and the path `name` in it (nothing made there yet).
pub fn dir_with_path(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    (dir, path)
}

/// A temporary directory holding the file `name` with `text`, and the file's path.
pub fn dir_with_file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, path) = dir_with_path(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Text of fewer than `max` parts, each one of the `pieces` or a match of one of the
/// regex `patterns`, every choice as likely: input rich in what a parser cares about.
pub fn text_of_pieces(
    pieces: &[&'static str],
    patterns: &[&'static str],
    max: usize,
) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::strategy::{BoxedStrategy, Just, Strategy, Union};
    let choices: Vec<BoxedStrategy<String>> = pieces
        .iter()
        .map(|p| Just(p.to_string()).boxed())
        .chain(patterns.iter().map(|p| (*p).boxed()))
        .collect();
    proptest::collection::vec(Union::new(choices), 0..max).prop_map(|v| v.concat())
}

/// An `sms` journal in `dir` (of a one-line input beside it) holding what `write` records,
/// read back as a later command reads it.
pub fn sms_journal(
    dir: &Path,
    write: impl AsyncFnOnce(&crate::checkpoint::Journal),
) -> crate::checkpoint::Resume {
    use crate::checkpoint::{Journal, RunHeader};
    let input = dir.join("in.csv");
    std::fs::write(&input, "x\n").unwrap();
    let path = dir.join("j");
    let header = RunHeader::new(
        crate::fingerprint::of_input(input.to_str().unwrap(), &Default::default()).unwrap(),
        "zoho-sms",
        "sms",
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (j, _) = Journal::open_or_create(&path, &header, false).unwrap();
    rt.block_on(write(&j));
    j.close().unwrap();
    crate::checkpoint::read_journal(&path).unwrap().1
}
