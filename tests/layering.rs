//! The layering the layout in docs/design-decisions.md promises: below the command line, no
//! module imports the commands or the clap definitions; settings are handed down as plain data;
//! and no two source files import each other, directly or in a loop.

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

/// The file a module path names, from the folder of the crate root (`segments` after `crate`):
/// the deepest file the path reaches (`http::request::BaseUrl` is `http/request.rs`).
fn file_of(src: &Path, segments: &[&str]) -> Option<PathBuf> {
    let mut dir = src.to_path_buf();
    let mut found = None;
    for seg in segments {
        let file = dir.join(format!("{seg}.rs"));
        let folder = dir.join(seg);
        if file.is_file() {
            found = Some(file);
        } else if folder.join("mod.rs").is_file() {
            found = Some(folder.join("mod.rs"));
        } else {
            break;
        }
        dir = folder;
    }
    found
}

/// The module path of a file under `src` (`http/request.rs` is `["http", "request"]`).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file
        .strip_prefix(src)
        .expect("under src")
        .with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// The files `file` imports through `crate::` and `super::` paths, outside comments and its
/// test module.
fn imports(src: &Path, file: &Path) -> std::collections::BTreeSet<PathBuf> {
    let text = std::fs::read_to_string(file).expect("read a source file");
    let code = text.split("\n#[cfg(test)]\nmod tests").next().unwrap_or("");
    let module = module_of(src, file);
    let mut found = std::collections::BTreeSet::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or("");
        for (at, _) in line.match_indices("::") {
            // The word before this `::` starts a path only when nothing path-like precedes it.
            let start = line[..at]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            let head = &line[start..at];
            if !(head == "crate" || head == "super")
                || (start >= 2 && &line[start - 2..start] == "::")
            {
                continue;
            }
            let mut segments: Vec<String> = Vec::new();
            let mut rest = &line[at..];
            while let Some(tail) = rest.strip_prefix("::") {
                let end = tail
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(tail.len());
                if end == 0 {
                    break;
                }
                segments.push(tail[..end].to_string());
                rest = &tail[end..];
            }
            let mut base: Vec<String> = if head == "crate" {
                Vec::new()
            } else {
                module.clone()
            };
            if head == "super" {
                base.pop();
            }
            while segments.first().is_some_and(|s| s == "super") {
                segments.remove(0);
                base.pop();
            }
            let path: Vec<&str> = base.iter().chain(&segments).map(String::as_str).collect();
            let target = file_of(src, &path).or_else(|| {
                // `super::X` of a module with no file of X: its parent's own file.
                let parent = src.join(base.join("/"));
                [
                    parent.join("mod.rs"),
                    parent.with_extension("rs"),
                    src.join("lib.rs"),
                ]
                .into_iter()
                .find(|p| p.is_file())
            });
            if let Some(t) = target.filter(|t| t != file) {
                found.insert(t);
            }
        }
    }
    found
}

#[test]
fn no_modules_import_each_other_directly_or_in_a_loop() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = sources(&src);
    let graph: std::collections::BTreeMap<PathBuf, std::collections::BTreeSet<PathBuf>> = files
        .iter()
        .map(|f| (f.clone(), imports(&src, f)))
        .collect();
    // The test reads the imports it means to: one it must see.
    assert!(
        graph[&src.join("auth/flow.rs")].contains(&src.join("http/request.rs")),
        "{:?}",
        graph[&src.join("auth/flow.rs")]
    );
    // (A folder's mod.rs naming its children by relative paths declares them: no edge is read
    // there, so a child's `super::` import of its folder is not a circle.)
    let mut circles = Vec::new();
    for start in &files {
        // Depth-first from `start`, looking for a path back to it.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = std::collections::BTreeSet::new();
        while let Some((at, trail)) = stack.pop() {
            for next in graph.get(&at).into_iter().flatten() {
                if next == start {
                    let names: Vec<String> = trail
                        .iter()
                        .map(|p| p.strip_prefix(&src).unwrap_or(p).display().to_string())
                        .collect();
                    circles.push(names.join(" -> "));
                } else if seen.insert(next.clone()) {
                    let mut t = trail.clone();
                    t.push(next.clone());
                    stack.push((next.clone(), t));
                }
            }
        }
    }
    assert!(circles.is_empty(), "import circles: {circles:#?}");
}
