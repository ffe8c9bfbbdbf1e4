//! The layering the layout in docs/design-decisions.md promises: below the command line, no
//! module imports the commands or the clap definitions; settings are handed down as plain data.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("read the source folder") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn no_module_below_the_command_line_imports_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = sources(&src);
    assert!(
        files.len() > 50,
        "the sources were not found in {}",
        src.display()
    );
    let mut upward = Vec::new();
    for path in &files {
        let name = path
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let command_line = name == "main.rs" || name.starts_with("commands/");
        let text = std::fs::read_to_string(path).expect("read a source file");
        if !command_line && text.contains("crate::commands") {
            upward.push(format!("{name} imports crate::commands"));
        }
        let clap_layer = command_line || name == "cli.rs" || name == "config.rs";
        if !clap_layer && text.contains("crate::cli") {
            upward.push(format!("{name} imports crate::cli"));
        }
    }
    assert!(upward.is_empty(), "upward imports: {upward:#?}");
}
