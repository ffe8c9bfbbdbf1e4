//! The documentation's command lines parse, its links lead somewhere, and the README stays short.
//!
//! Which text is read as command lines, in `README.md`, `CONTRIBUTING.md` and `docs/*.md`:
//!
//! - fenced code blocks marked `sh`, `bash`, `shell`, or not marked at all: every line (a line
//!   ending in `\` goes on in the next one);
//! - blocks marked `console`: the lines that start with `$ `;
//! - blocks marked `cron`: every line that is not a comment, without its five time fields;
//! - inline code that starts with `bulkline ` or `cargo run --release -- `, after any
//!   environment assignments (`ZOHO_CLIENT_SECRET=... bulkline auth login ...`).
//!
//! Blocks marked anything else (`text`, `toml`, ...) are not read: write a synopsis (with
//! `[--option ...]` or `a|b` alternatives) or a program's output in a block marked `text`.
//!
//! In what is read, a command whose first word is `bulkline`, or which starts with
//! `cargo run --release --` (bulkline and its arguments), is checked; other commands (`cargo
//! test`, `curl`, `sleep`) are not. Its words are split as a shell splits them (quotes,
//! backslashes), without the environment assignments in front of it
//! (`ZOHO_CLIENT_SECRET=... bulkline ...`), its comment (`# ...`), its redirections
//! (`> file`, `2>&1`) and what follows a pipe or `;` / `&&` / `&` (each command of the line is
//! checked on its own). A `$(...)` substitution whose text is a bulkline command is checked as
//! one; inside a bulkline command, a substitution stands for a value and is replaced by `1`.
//!
//! Each command is run as the built binary with its words and `--help`: clap answers `--help`
//! with exit 0 only when every word before it parses, so an unknown flag, a flag that lost its
//! value, an unknown subcommand or a value an option does not take (`--to nowhere`) fails.
//! `bulkline help COMMAND` is run as it is (it takes no `--help`, and fails for an unknown
//! command).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// The README's length limit: a newcomer reads it in five minutes.
const README_MAX_LINES: usize = 400;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The documents: README.md, CONTRIBUTING.md and every `docs/*.md`.
fn documents() -> Vec<PathBuf> {
    let mut out = vec![root().join("README.md"), root().join("CONTRIBUTING.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("read docs/")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    assert!(!docs.is_empty(), "no docs/*.md found");
    out.extend(docs);
    out
}

fn display(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A piece of a document: its text, and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq)]
struct Snippet {
    line: usize,
    text: String,
}

/// How a fenced block is read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Block {
    /// Every line is a shell line.
    Shell,
    /// Only `$ ` lines are.
    Console,
    /// Crontab lines: five time fields, then a shell line.
    Cron,
    /// Not read.
    Skip,
}

fn block_kind(info: &str) -> Block {
    match info.split_whitespace().next().unwrap_or("") {
        "" | "sh" | "bash" | "shell" => Block::Shell,
        "console" => Block::Console,
        "cron" => Block::Cron,
        _ => Block::Skip,
    }
}

/// The opening or closing fence of a line (``` or ~~~, indented or not): its marker and the
/// rest of the line.
fn fence(line: &str) -> Option<(&str, &str)> {
    let t = line.trim_start();
    for marker in ["```", "~~~"] {
        if let Some(rest) = t.strip_prefix(marker) {
            return Some((marker, rest.trim()));
        }
    }
    None
}

/// A document's text outside fenced blocks (fenced lines blanked, so line numbers hold), and
/// the shell lines of its fenced blocks that are read.
fn split_document(text: &str) -> (Vec<String>, Vec<Snippet>) {
    let mut prose = Vec::new();
    let mut shell = Vec::new();
    let mut open: Option<(&str, Block)> = None;
    let mut pending: Option<Snippet> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        match open {
            None => {
                if let Some((marker, info)) = fence(line) {
                    open = Some((marker, block_kind(info)));
                    prose.push(String::new());
                } else {
                    prose.push(line.to_string());
                }
            }
            Some((marker, kind)) => {
                prose.push(String::new());
                if fence(line).is_some_and(|(m, rest)| m == marker && rest.is_empty()) {
                    open = None;
                    if let Some(p) = pending.take() {
                        shell.push(p);
                    }
                    continue;
                }
                let t = line.trim();
                let content = match (kind, pending.is_some()) {
                    (Block::Skip, _) => continue,
                    (_, true) => Some(t.to_string()),
                    (Block::Shell, false) => Some(t.to_string()),
                    (Block::Console, false) => t.strip_prefix("$ ").map(str::to_string),
                    (Block::Cron, false) => cron_command(t),
                };
                let Some(content) = content else { continue };
                let snippet = match pending.take() {
                    Some(mut p) => {
                        p.text.push(' ');
                        p.text.push_str(&content);
                        p
                    }
                    None => Snippet {
                        line: n,
                        text: content,
                    },
                };
                if let Some(joined) = snippet.text.strip_suffix('\\') {
                    pending = Some(Snippet {
                        line: snippet.line,
                        text: joined.trim_end().to_string(),
                    });
                } else {
                    shell.push(snippet);
                }
            }
        }
    }
    if let Some(p) = pending {
        shell.push(p);
    }
    (prose, shell)
}

/// The command of a crontab line: without its five time fields (or one `@daily`-style field).
fn cron_command(line: &str) -> Option<String> {
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let fields = if line.starts_with('@') { 1 } else { 5 };
    let mut rest = line;
    for _ in 0..fields {
        rest = rest.trim_start();
        let end = rest.find(char::is_whitespace)?;
        rest = &rest[end..];
    }
    Some(rest.trim().to_string())
}

/// The inline code spans of the prose that hold a command line, with the line each starts on.
/// A span does not cross a blank line (the end of a paragraph).
fn inline_commands(prose: &[String]) -> Vec<Snippet> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < prose.len() {
        if prose[start].trim().is_empty() {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < prose.len() && !prose[end].trim().is_empty() {
            end += 1;
        }
        // One paragraph: its characters, each with its line.
        let mut chars: Vec<(char, usize)> = Vec::new();
        for (i, line) in prose[start..end].iter().enumerate() {
            chars.extend(line.chars().map(|c| (c, start + i + 1)));
            chars.push(('\n', start + i + 1));
        }
        let mut i = 0;
        while i < chars.len() {
            if chars[i].0 != '`' {
                i += 1;
                continue;
            }
            let run = chars[i..].iter().take_while(|(c, _)| *c == '`').count();
            let open_line = chars[i].1;
            let body_start = i + run;
            // The closing run: exactly as many backticks.
            let mut j = body_start;
            let mut close = None;
            while j < chars.len() {
                if chars[j].0 == '`' {
                    let r = chars[j..].iter().take_while(|(c, _)| *c == '`').count();
                    if r == run {
                        close = Some(j);
                        break;
                    }
                    j += r;
                } else {
                    j += 1;
                }
            }
            let Some(close) = close else {
                i = body_start;
                continue;
            };
            let body: String = chars[body_start..close]
                .iter()
                .map(|(c, _)| if *c == '\n' { ' ' } else { *c })
                .collect();
            let body = body.trim();
            if is_command(body) {
                out.push(Snippet {
                    line: open_line,
                    text: body.to_string(),
                });
            }
            i = close + run;
        }
        start = end;
    }
    out
}

/// Whether inline code is a command line: `bulkline ` or `cargo run --release -- ` after any
/// `NAME=value` words.
fn is_command(code: &str) -> bool {
    let mut rest = code.trim_start();
    while let Some((first, after)) = rest.split_once(char::is_whitespace) {
        if !is_assignment(first) {
            break;
        }
        rest = after.trim_start();
    }
    rest.starts_with("bulkline ") || rest.starts_with("cargo run --release -- ")
}

/// A shell word that sets an environment variable (`NAME=value`).
fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// A shell line split into its commands' words, and the text of its `$(...)` substitutions.
#[derive(Debug, Default, PartialEq)]
struct ShellLine {
    commands: Vec<Vec<String>>,
    substitutions: Vec<String>,
}

/// Splits a shell line as a shell would, enough for documentation: quotes, backslashes,
/// comments, `$(...)`, redirections (dropped with their target) and `|`, `;`, `&` (which
/// end a command).
fn split_shell(line: &str) -> Result<ShellLine, String> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = ShellLine::default();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    // The next word is a redirection's target, to drop.
    let mut drop_next = false;
    let mut i = 0;

    fn end_word(
        words: &mut Vec<String>,
        word: &mut String,
        in_word: &mut bool,
        drop_next: &mut bool,
    ) {
        if *in_word {
            if *drop_next {
                *drop_next = false;
            } else {
                words.push(std::mem::take(word));
            }
        }
        word.clear();
        *in_word = false;
    }

    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => {
                end_word(&mut words, &mut word, &mut in_word, &mut drop_next);
                i += 1;
            }
            '#' if !in_word => break,
            '\\' => {
                if let Some(&next) = chars.get(i + 1) {
                    word.push(next);
                }
                in_word = true;
                i += 2;
            }
            '\'' => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|&c| c == '\'')
                    .ok_or_else(|| format!("unclosed ' in {line:?}"))?;
                word.extend(&chars[i + 1..i + 1 + close]);
                in_word = true;
                i += close + 2;
            }
            '"' => {
                in_word = true;
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(format!("unclosed \" in {line:?}")),
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') if matches!(chars.get(i + 1), Some('"' | '\\' | '$' | '`')) => {
                            word.push(chars[i + 1]);
                            i += 2;
                        }
                        Some('$') if chars.get(i + 1) == Some(&'(') => {
                            let (inner, next) = substitution(&chars, i)?;
                            out.substitutions.push(inner);
                            word.push('1');
                            i = next;
                        }
                        Some(&c) => {
                            word.push(c);
                            i += 1;
                        }
                    }
                }
            }
            '$' if chars.get(i + 1) == Some(&'(') => {
                let (inner, next) = substitution(&chars, i)?;
                out.substitutions.push(inner);
                word.push('1');
                in_word = true;
                i = next;
            }
            '>' | '<' => {
                // `2>`: the digits were the file descriptor, not a word.
                if in_word && !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()) {
                    word.clear();
                    in_word = false;
                }
                end_word(&mut words, &mut word, &mut in_word, &mut drop_next);
                i += 1;
                while matches!(chars.get(i), Some('>' | '&')) {
                    i += 1;
                }
                drop_next = true;
            }
            '|' | ';' | '&' => {
                end_word(&mut words, &mut word, &mut in_word, &mut drop_next);
                drop_next = false;
                if !words.is_empty() {
                    out.commands.push(std::mem::take(&mut words));
                }
                i += 1;
            }
            c => {
                word.push(c);
                in_word = true;
                i += 1;
            }
        }
    }
    end_word(&mut words, &mut word, &mut in_word, &mut drop_next);
    if !words.is_empty() {
        out.commands.push(words);
    }
    Ok(out)
}

/// The text of the `$(...)` that starts at `start`, and the index after its `)`.
fn substitution(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    let mut i = start + 1;
    while i < chars.len() {
        let c = chars[i];
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '\\') => i += 1,
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    let inner: String = chars[start + 2..i].iter().collect();
                    return Ok((inner, i + 1));
                }
            }
            _ => {}
        }
        i += 1;
    }
    Err("unclosed $(".to_string())
}

/// bulkline's arguments in a command's words, or `None` when the command is not bulkline.
fn bulkline_args(words: &[String]) -> Option<Vec<String>> {
    let words: Vec<&String> = words.iter().skip_while(|w| is_assignment(w)).collect();
    let first = words.first()?;
    if first.as_str() == "bulkline" {
        return Some(words[1..].iter().map(|w| w.to_string()).collect());
    }
    let cargo = ["cargo", "run", "--release", "--"];
    if words.len() >= cargo.len() && words.iter().zip(cargo).all(|(w, c)| w.as_str() == c) {
        return Some(words[cargo.len()..].iter().map(|w| w.to_string()).collect());
    }
    None
}

/// Every bulkline argument list in a shell line, substitutions included.
fn bulkline_commands(line: &str) -> Result<Vec<Vec<String>>, String> {
    let split = split_shell(line)?;
    let mut out: Vec<Vec<String>> = split
        .commands
        .iter()
        .filter_map(|words| bulkline_args(words))
        .collect();
    for inner in &split.substitutions {
        out.extend(bulkline_commands(inner)?);
    }
    Ok(out)
}

/// Runs the binary with `args` and `--help`: `Ok` when it exits 0, else what it said.
fn parses(args: &[String]) -> Result<(), String> {
    let home = tempfile::tempdir().expect("a temporary directory");
    let mut c = common::isolated_command(home.path());
    c.env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .args(args)
        .stdin(Stdio::null());
    if args.first().is_none_or(|a| a != "help") {
        c.arg("--help");
    }
    let out = c.output().expect("run bulkline");
    if out.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(3)
            .collect();
        Err(format!(
            "exit {:?}: {}",
            out.status.code(),
            first.join(" / ")
        ))
    }
}

/// Every command line of a document, with the line it is on.
fn command_lines(text: &str) -> Vec<Snippet> {
    let (prose, mut lines) = split_document(text);
    lines.extend(inline_commands(&prose));
    lines.sort_by_key(|s| s.line);
    lines
}

#[test]
fn every_command_line_in_the_documentation_parses() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in documents() {
        let text = std::fs::read_to_string(&path).expect("read a document");
        for snippet in command_lines(&text) {
            let at = format!("{}:{}", display(&path), snippet.line);
            match bulkline_commands(&snippet.text) {
                Err(e) => failures.push(format!("{at}: {}\n    {e}", snippet.text)),
                Ok(commands) => {
                    for args in commands {
                        checked += 1;
                        if let Err(e) = parses(&args) {
                            failures.push(format!("{at}: {}\n    {e}", snippet.text));
                        }
                    }
                }
            }
        }
    }
    eprintln!("{checked} command lines checked");
    assert!(
        failures.is_empty(),
        "{} command line(s) in the documentation do not parse (a synopsis goes in a ```text block):\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The README alone shows more than this: fewer means the reading broke, not the docs.
    assert!(checked >= 40, "only {checked} command lines found");
}

#[test]
fn a_wrong_command_line_fails() {
    for wrong in [
        "bulkline import x --to nowhere",
        "bulkline clean x.csv --no-such-flag",
        "bulkline no-such-command",
        "bulkline auth logout [--to zoho|zoom]",
        "cargo run --release -- export --from zoho-voice -o",
        "bulkline help no-such-command",
    ] {
        let commands = bulkline_commands(wrong).expect("split");
        assert_eq!(commands.len(), 1, "{wrong}");
        assert!(parses(&commands[0]).is_err(), "{wrong} parsed");
    }
    for right in ["bulkline import x --to zoho-voice", "bulkline help import"] {
        let commands = bulkline_commands(right).expect("split");
        assert_eq!(parses(&commands[0]), Ok(()), "{right}");
    }
}

#[test]
fn shell_lines_are_split_as_a_shell_would() {
    let words = |line: &str| bulkline_commands(line).expect("split");
    let v = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        words("ZOHO_CLIENT_SECRET=... bulkline auth login --to zoho --code 1000.9f2e..."),
        vec![v(&[
            "auth",
            "login",
            "--to",
            "zoho",
            "--code",
            "1000.9f2e..."
        ])]
    );
    assert_eq!(
        words("bulkline completions zsh  > \"${fpath[1]}/_bulkline\"          # or any directory"),
        vec![v(&["completions", "zsh"])]
    );
    assert_eq!(words("bulkline man | man -l -"), vec![v(&["man"])]);
    assert_eq!(
        words("cargo run --release -- sandbox --port 8787 > sandbox.log 2>&1 &"),
        vec![v(&["sandbox", "--port", "8787"])]
    );
    assert_eq!(
        words("bulkline sms l.csv --message \"Hi {first_name|there}, it's 20% off\" --dry-run"),
        vec![v(&[
            "sms",
            "l.csv",
            "--message",
            "Hi {first_name|there}, it's 20% off",
            "--dry-run"
        ])]
    );
    assert_eq!(
        words("bulkline export --from-date $(date -d yesterday +\\%F) -o 'a b.csv'"),
        vec![v(&["export", "--from-date", "1", "-o", "a b.csv"])]
    );
    assert_eq!(
        words("eval \"$(bulkline sandbox --port 1)\"; cargo test --release"),
        vec![v(&["sandbox", "--port", "1"])]
    );
    assert!(words("sleep 2; eval \"$(grep '^export' sandbox.log)\"").is_empty());
}

#[test]
fn blocks_and_inline_code_are_read_as_the_header_says() {
    let doc = "\
Run `bulkline clean a.csv`, or `clean b.csv`, or `cargo run --release -- check
--to zoom-cc` split over two lines, or `A=1 B=x bulkline config`.

```text
bulkline clean INPUT [-o CLEAN]
```

```sh
bulkline export --from zoho-voice \\
    -o x.csv   # a comment
cargo test --release
```

```console
$ bulkline config
config file  (none)
```

```cron
# m h dom mon dow   command
15 2 * * *  bulkline export --from zoom-cc -o /tmp/z.csv
```

```toml
x = \"bulkline import\"
```
";
    let lines: Vec<(usize, String)> = command_lines(doc)
        .into_iter()
        .map(|s| (s.line, s.text))
        .collect();
    let want: Vec<(usize, String)> = vec![
        (1, "bulkline clean a.csv".into()),
        (1, "cargo run --release -- check --to zoom-cc".into()),
        (2, "A=1 B=x bulkline config".into()),
        (
            9,
            "bulkline export --from zoho-voice -o x.csv   # a comment".into(),
        ),
        (11, "cargo test --release".into()),
        (15, "bulkline config".into()),
        (21, "bulkline export --from zoom-cc -o /tmp/z.csv".into()),
    ];
    assert_eq!(lines, want);
}

/// GitHub's anchor of a heading: lower case, punctuation dropped (but `-` and `_`), spaces
/// as `-`; inline code and link text kept, link targets dropped.
fn slug(heading: &str) -> String {
    let mut text = String::new();
    let mut rest = heading;
    while let Some(open) = rest.find('[') {
        let Some(mid) = rest[open..].find("](") else {
            break;
        };
        let Some(close) = rest[open + mid..].find(')') else {
            break;
        };
        text.push_str(&rest[..open]);
        text.push_str(&rest[open + 1..open + mid]);
        rest = &rest[open + mid + close + 1..];
    }
    text.push_str(rest);
    text.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a document's headings (outside fenced blocks), numbered as GitHub numbers
/// repeated ones (`-1`, `-2`).
fn anchors(text: &str) -> BTreeSet<String> {
    let (prose, _) = split_document(text);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for line in prose {
        let t = line.trim_start();
        let hashes = t.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&hashes) || !t[hashes..].starts_with(' ') {
            continue;
        }
        let base = slug(t[hashes..].trim().trim_end_matches('#').trim());
        let n = seen.entry(base.clone()).or_insert(0);
        out.insert(if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        });
        *n += 1;
    }
    out
}

/// The targets of a document's links (`](target)`) outside fenced blocks and inline code.
fn links(text: &str) -> Vec<(usize, String)> {
    let (prose, _) = split_document(text);
    let mut out = Vec::new();
    for (i, line) in prose.iter().enumerate() {
        // Inline code is not a link.
        let mut plain = String::new();
        let mut in_code = false;
        for c in line.chars() {
            if c == '`' {
                in_code = !in_code;
            } else if !in_code {
                plain.push(c);
            }
        }
        let mut rest = plain.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            out.push((i + 1, after[..end].trim().to_string()));
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn every_relative_link_leads_to_a_file_and_a_heading() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in documents() {
        let text = std::fs::read_to_string(&path).expect("read a document");
        let dir = path.parent().expect("a document's folder");
        for (line, target) in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let at = format!("{}:{line}: ({target})", display(&path));
            let (file, anchor) = target.split_once('#').unwrap_or((target.as_str(), ""));
            let file = if file.is_empty() {
                path.clone()
            } else {
                dir.join(file)
            };
            if !file.exists() {
                failures.push(format!("{at}: no such file {}", display(&file)));
                continue;
            }
            if !anchor.is_empty() && file.extension().is_some_and(|e| e == "md") {
                let target_text = std::fs::read_to_string(&file).expect("read a link's file");
                if !anchors(&target_text).contains(anchor) {
                    failures.push(format!("{at}: no heading #{anchor} in {}", display(&file)));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "broken links:\n{}",
        failures.join("\n")
    );
    assert!(checked >= 20, "only {checked} relative links found");
}

#[test]
fn anchors_follow_github() {
    let doc = "# `bulkline clean`\n## Exactly once, and resuming\n## A test to yourself first: `sms --test-to`\n## `-v`, `-vv` and `--log`\n```sh\n# not a heading\n```\n## Notes\n## Notes\n";
    let want: BTreeSet<String> = [
        "bulkline-clean",
        "exactly-once-and-resuming",
        "a-test-to-yourself-first-sms---test-to",
        "-v--vv-and---log",
        "notes",
        "notes-1",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(anchors(doc), want);
}

#[test]
fn the_readme_is_short() {
    let text = std::fs::read_to_string(root().join("README.md")).expect("read README.md");
    let lines = text.lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines, at most {README_MAX_LINES}: move the details to docs/"
    );
}
