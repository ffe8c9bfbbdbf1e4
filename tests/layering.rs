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

/// One token of Rust source that can name something: an identifier or a string literal's text.
/// Comments are dropped, punctuation is kept only as far as brace matching needs it.
#[derive(Debug, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Punct(char),
}

/// The tokens of `code`, without comments.
fn tokens(code: &str) -> Vec<Token> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && (at(i + 1) == '#' || at(i + 1) == '"') && {
            let mut j = i + 1;
            while at(j) == '#' {
                j += 1;
            }
            at(j) == '"'
        } {
            // A raw string: r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            let start = j;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
                    break;
                }
                j += 1;
            }
            out.push(Token::Text(
                chars[start..j.min(chars.len())].iter().collect(),
            ));
            i = j + 1 + hashes;
        } else if c == '"' || (c == 'b' && at(i + 1) == '"') {
            let mut j = if c == 'b' { i + 2 } else { i + 1 };
            let start = j;
            while j < chars.len() && chars[j] != '"' {
                if chars[j] == '\\' {
                    j += 1;
                }
                j += 1;
            }
            out.push(Token::Text(
                chars[start..j.min(chars.len())].iter().collect(),
            ));
            i = j + 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\'') or a lifetime ('a): a lifetime has no closing quote.
            if at(i + 1) == '\\' {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            if !c.is_whitespace() {
                out.push(Token::Punct(c));
            }
            i += 1;
        }
    }
    out
}

/// `tokens` without the items marked `#[cfg(test)]`: a test module, function or impl.
fn without_tests(tokens: Vec<Token>) -> Vec<Token> {
    let cfg_test = [
        Token::Punct('#'),
        Token::Punct('['),
        Token::Word("cfg".into()),
        Token::Punct('('),
        Token::Word("test".into()),
        Token::Punct(')'),
        Token::Punct(']'),
    ];
    let mut skipped: Vec<std::ops::Range<usize>> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !tokens[i..].starts_with(&cfg_test) {
            i += 1;
            continue;
        }
        // Skip to the end of the item: its first `;` or its balanced braces.
        let mut j = i + cfg_test.len();
        let mut depth = 0usize;
        while j < tokens.len() {
            match tokens[j] {
                Token::Punct(';') if depth == 0 => break,
                Token::Punct('{') => depth += 1,
                Token::Punct('}') => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        skipped.push(i..j + 1);
        i = j + 1;
    }
    tokens
        .into_iter()
        .enumerate()
        .filter(|(k, _)| !skipped.iter().any(|r| r.contains(k)))
        .map(|(_, t)| t)
        .collect()
}

/// The registry lines (`registry!(...)`, `services!(...)`, `emulators!(...)`): they name each
/// vendor's module, which is what they are for.
const REGISTRY_MACROS: [&str; 3] = ["registry", "services", "emulators"];

/// `tokens` without the registry lines' names.
fn without_registry_lines(tokens: Vec<Token>) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut inside = false;
    let mut iter = tokens.into_iter().peekable();
    while let Some(t) = iter.next() {
        if inside {
            inside = t != Token::Punct(')');
            continue;
        }
        if let Token::Word(w) = &t
            && REGISTRY_MACROS.contains(&w.as_str())
            && iter.peek() == Some(&Token::Punct('!'))
        {
            iter.next();
            if iter.peek() == Some(&Token::Punct('(')) {
                inside = true;
                continue;
            }
        }
        out.push(t);
    }
    out
}

/// The vendors' names as code spells them: `zoho` and `zoom` anywhere in a word, `books` as a
/// word of its own (`zoho_books`, `BooksContact`, not `X-ADDRESSBOOKSERVER`).
fn names_a_vendor(text: &str) -> bool {
    let lower = text.to_lowercase();
    if lower.contains("zoho") || lower.contains("zoom") {
        return true;
    }
    // Words split at anything not a letter or a digit, and where a lower-case letter meets a
    // capital (`BooksContact` is `Books` and `Contact`).
    let mut words = Vec::new();
    let mut word = String::new();
    let mut last_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() || (c.is_uppercase() && last_lower) {
            words.push(std::mem::take(&mut word));
        }
        if c.is_alphanumeric() {
            word.push(c);
        }
        last_lower = c.is_lowercase();
    }
    words.push(word);
    words.iter().any(|w| w.eq_ignore_ascii_case("books"))
}

/// The module names a registry line declares (`registry!(a, b)` in `file`), if it has one.
fn registered(file: &Path, registry: &str) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(file).expect("read a registry file");
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{registry}!(")))?;
    let inner = line
        .trim_start_matches(&format!("{registry}!("))
        .trim_end_matches(';')
        .trim_end_matches(')');
    Some(
        inner
            .split(',')
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .collect(),
    )
}

/// The files that are a vendor's own rooms, under `src`: each target's connector
/// (`registry!` in `connectors/mod.rs`), each sign-in service's descriptor (`services!` in
/// `auth/mod.rs`), each emulator (`emulators!` in `sandbox/mod.rs`), and the SMS folder (one
/// vendor's API).
fn vendor_rooms(src: &Path) -> Vec<String> {
    let mut rooms = vec!["sms/".to_string()];
    let targets = registered(&src.join("connectors/mod.rs"), "registry")
        .expect("the registry line in connectors/mod.rs");
    rooms.extend(targets.iter().map(|t| format!("connectors/{t}.rs")));
    let services = registered(&src.join("auth/mod.rs"), "services").unwrap_or_default();
    rooms.extend(services.iter().map(|s| format!("auth/{s}.rs")));
    let emulators = registered(&src.join("sandbox/mod.rs"), "emulators").unwrap_or_else(|| {
        // Until the sandbox has its registry line: an emulator per target, and the SMS one.
        targets.iter().cloned().chain(["sms".to_string()]).collect()
    });
    rooms.extend(emulators.iter().map(|e| format!("sandbox/{e}.rs")));
    rooms
}

#[test]
fn no_file_outside_a_vendors_rooms_names_a_vendor() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rooms = vendor_rooms(&src);
    assert!(rooms.len() > 6, "{rooms:?}");
    let mut named = Vec::new();
    for path in sources(&src) {
        let name = path
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let test_file =
            name.ends_with("tests.rs") || name.contains("/tests/") || name == "testutil.rs";
        if test_file
            || rooms
                .iter()
                .any(|r| name == *r || (r.ends_with('/') && name.starts_with(r.as_str())))
        {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read a source file");
        let hits: std::collections::BTreeSet<String> =
            without_registry_lines(without_tests(tokens(&text)))
                .into_iter()
                .filter_map(|t| match t {
                    Token::Word(w) | Token::Text(w) => names_a_vendor(&w).then_some(w),
                    Token::Punct(_) => None,
                })
                .collect();
        if !hits.is_empty() {
            let first: Vec<&String> = hits.iter().take(4).collect();
            named.push(format!("{name} ({} names): {first:?}", hits.len()));
        }
    }
    assert!(
        named.is_empty(),
        "files outside a vendor's rooms that name a vendor in code:\n{}",
        named.join("\n")
    );
}

#[test]
fn the_vendor_scan_reads_code_not_comments_or_tests() {
    let code = "// zoho in a comment\n/* zoom */ fn a() {}\n#[cfg(test)]\nmod tests { const Z: &str = \"zoho\"; }\nconst K: &str = \"X-ADDRESSBOOKSERVER-KIND\";";
    let found: Vec<Token> = without_tests(tokens(code))
        .into_iter()
        .filter(|t| matches!(t, Token::Word(w) | Token::Text(w) if names_a_vendor(w)))
        .collect();
    assert!(found.is_empty(), "{found:?}");
    let registry = "registry!(zoho_voice, zoom_cc);\nfn f() {}";
    assert_eq!(
        without_registry_lines(tokens(registry)),
        tokens("; fn f() {}"),
        "a registry line names its vendors"
    );
    for named in [
        "const A: &str = \"zoho-voice\";",
        "struct BooksContact;",
        "let r#\"x\"# = ZOOM_URL;",
        "fn zoho_books() {}",
    ] {
        assert!(
            without_tests(tokens(named))
                .iter()
                .any(|t| matches!(t, Token::Word(w) | Token::Text(w) if names_a_vendor(w))),
            "{named}"
        );
    }
}

#[test]
fn no_file_but_a_targets_own_two_names_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = registered(&src.join("connectors/mod.rs"), "registry")
        .expect("the registry line in connectors/mod.rs");
    let names: Vec<&str> = bulkline::connectors::TARGETS
        .iter()
        .map(|t| t.as_str())
        .collect();
    assert_eq!(modules.len(), names.len(), "{modules:?} {names:?}");
    let mut named = Vec::new();
    for path in sources(&src) {
        let file = path
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        if file.ends_with("tests.rs") || file.contains("/tests/") || file == "testutil.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read a source file");
        let code = without_registry_lines(without_tests(tokens(&text)));
        for (module, name) in modules.iter().zip(&names) {
            // Its connector and its emulator; and the SMS API's files, which belong to the
            // account of the contacts target they send from.
            let own = [
                format!("connectors/{module}.rs"),
                format!("sandbox/{module}.rs"),
            ];
            if own.contains(&file) || file.starts_with("sms/") || file == "sandbox/sms.rs" {
                continue;
            }
            let hit = code.iter().find(|t| match t {
                Token::Word(w) => w == module,
                Token::Text(t) => t.contains(name),
                Token::Punct(_) => false,
            });
            if let Some(hit) = hit {
                named.push(format!("{file} names {name}: {hit:?}"));
            }
        }
    }
    assert!(
        named.is_empty(),
        "a target is named outside its connector and its emulator:\n{}",
        named.join("\n")
    );
}
