//! The layering of the crate, checked on its source: which module may use which.
//!
//! [`ALLOWED`] is the table of directions. Every `.rs` file under `src/` is read, comments and
//! string literals are blanked, and every reference to another top-level module is collected:
//! `use crate::…` (grouped or not, `pub use` too), inline `crate::…` paths, `super::` paths
//! that climb out of the module, and the crate's macros (`t!` is `i18n`'s; `with_pool!` and
//! `with_tx!` are `store`'s). A reference the table does not allow fails the test, listed as
//! `file:line: X uses Y`, with a count by pair of modules.
//!
//! The table is the one `src/lib.rs` describes in its "Layout"; change both together. The
//! scanner's own tests check that what it collects is what a reader would.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Which modules each module may use, besides itself. A key is a top-level module (`bot`), or
/// a module below one (`sender::governor`) to give it a narrower list than its parent; a file
/// takes the longest key that contains it. An entry allows that module and everything in it.
/// `"*"` allows everything. `lib` is the crate root, `main` the binary.
#[rustfmt::skip]
const ALLOWED: &[(&str, &[&str])] = &[
    // 1. The bottom: pure rules, and the injected clock.
    ("domain",    &[]),
    ("clock",     &[]),
    // 2. The database.
    ("store",     &["domain"]),
    // 3. The use cases: never rendering, the catalogue or a messenger.
    ("service",   &["domain", "store", "clock"]),
    // 4. Presentation and plumbing beside the adapters.
    ("i18n",      &["domain"]),
    ("render",    &["domain", "i18n"]),
    ("platform",  &["domain"]),
    ("config",    &["domain", "platform"]),
    ("telemetry", &["config"]),
    ("ops",       &["domain", "store"]),
    // 5. The adapters: none uses another; the bot reaches the store only through services.
    ("bot",       &["service", "domain", "render", "i18n", "platform", "config", "clock",
                    "ops"]),
    ("sender",    &["service", "store", "domain", "platform", "clock", "ops"]),
    ("scheduler", &["service", "store", "domain", "clock"]),
    ("web",       &["service", "domain", "render", "i18n", "platform", "config", "clock"]),
    ("cli",       &["service", "store", "domain", "render", "i18n", "platform", "config", "clock",
                    "telemetry", "app", "demo"]),
    // 6. Assembly.
    ("app",       &["*"]),
    ("demo",      &["*"]),
    ("lib",       &["*"]),
    ("main",      &["cli"]),
];

/// The crate's macros (exported at the crate root) and the module that defines each.
const MACROS: &[(&str, &str)] = &[("t", "i18n"), ("with_pool", "store"), ("with_tx", "store")];

/// One reference from a file to another top-level module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Reference {
    /// 1-based.
    line: usize,
    /// The module path used, from the crate root (`["store", "rows"]`); at least one segment.
    target: Vec<String>,
}

#[test]
fn every_module_uses_only_what_the_table_allows() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for file in rust_files(&src) {
        let relative = file.strip_prefix(&src).unwrap();
        let source = std::fs::read_to_string(&file).unwrap();
        let module = module_of(relative);
        let Some((key, allowed)) = rule_for(&module) else {
            violations.push(format!(
                "src/{}: module `{}` is not in ALLOWED",
                relative.display(),
                module.join("::")
            ));
            continue;
        };
        for r in references(relative, &source) {
            if !permits(allowed, &r.target) {
                let used = r.target[0].clone();
                violations.push(format!(
                    "src/{}:{}: {key} uses {used} ({})",
                    relative.display(),
                    r.line,
                    r.target.join("::")
                ));
                *counts.entry((key.to_owned(), used)).or_default() += 1;
            }
        }
    }
    let summary: Vec<String> = counts
        .iter()
        .map(|((from, to), n)| format!("  {from} → {to}: {n}"))
        .collect();
    assert!(
        violations.is_empty(),
        "{} references against the layering:\n{}\nby pair:\n{}",
        violations.len(),
        violations.join("\n"),
        summary.join("\n")
    );
}

/// The table is a layering: no module may reach itself again through what it allows.
#[test]
fn the_allowed_directions_have_no_cycle() {
    let keys: BTreeSet<&str> = ALLOWED.iter().map(|(key, _)| *key).collect();
    assert_eq!(keys.len(), ALLOWED.len(), "a module is listed twice");
    if let Some(cycle) = cycle(ALLOWED) {
        panic!("a cycle in ALLOWED: {cycle}");
    }
}

/// A cycle of `table` (`a → b → a`), if it has one. `"*"` is not followed.
fn cycle(table: &[(&str, &[&str])]) -> Option<String> {
    fn visit<'a>(
        node: &'a str,
        edges: &BTreeMap<&'a str, &'a [&'a str]>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<String> {
        if let Some(start) = path.iter().position(|n| *n == node) {
            return Some(format!("{} → {node}", path[start..].join(" → ")));
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for next in edges.get(node).copied().unwrap_or_default() {
            if *next != "*"
                && let Some(cycle) = visit(next, edges, path, done)
            {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let edges: BTreeMap<&str, &[&str]> = table.iter().copied().collect();
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, &edges, &mut Vec::new(), &mut done))
}

/// The longest key of [`ALLOWED`] that contains `module`, and its list.
fn rule_for(module: &[String]) -> Option<(&'static str, &'static [&'static str])> {
    ALLOWED
        .iter()
        .filter(|(key, _)| starts_with(module, key))
        .max_by_key(|(key, _)| key.split("::").count())
        .copied()
}

fn permits(allowed: &[&str], target: &[String]) -> bool {
    allowed
        .iter()
        .any(|entry| *entry == "*" || starts_with(target, entry))
}

/// Whether the module path `path` is `prefix` (`a::b`) or inside it.
fn starts_with(path: &[String], prefix: &str) -> bool {
    let prefix: Vec<&str> = prefix.split("::").collect();
    path.len() >= prefix.len() && path.iter().zip(&prefix).all(|(a, b)| a == b)
}

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The module a file under `src/` holds: `bot/handle.rs` → `bot::handle`, `bot/mod.rs` →
/// `bot`, `lib.rs` → `lib`, `main.rs` → `main`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.strip_suffix(".rs").unwrap_or(&last);
    if stem != "mod" {
        parts.push(stem.to_owned());
    }
    parts
}

/// The references of a file (at `relative` under `src/`) to top-level modules other than its
/// own.
fn references(relative: &Path, source: &str) -> Vec<Reference> {
    let own = module_of(relative);
    let binary = own == ["main"];
    let tokens = tokens(&blank_comments_and_strings(source));
    // The inline modules (`mod tests { … }`) open at this point, with the brace depth inside.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut out = BTreeSet::new();
    let text = |i: usize| tokens.get(i).map(|t: &Token| t.text.as_str());
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        match t.text.as_str() {
            "{" => depth += 1,
            "}" => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth -= 1;
            }
            "mod" if text(i + 2) == Some("{") => {
                inline.push((tokens[i + 1].text.clone(), depth + 1));
            }
            _ => {}
        }
        let path_start = i == 0 || text(i - 1) != Some("::");
        // A path's base, from the crate root, and where its next segment stands.
        let base: Option<(Vec<String>, usize)> = match t.text.as_str() {
            "crate" | "$crate" if path_start && !binary => Some((Vec::new(), i + 1)),
            "setad" if path_start && binary => Some((Vec::new(), i + 1)),
            "super" if path_start && !binary && text(i + 1) == Some("::") => {
                // The module this point is in, then one level up per `super`.
                let mut base: Vec<String> = own.clone();
                base.extend(inline.iter().map(|(m, _)| m.clone()));
                let mut j = i;
                while text(j) == Some("super") && text(j + 1) == Some("::") {
                    base.pop();
                    j += 2;
                }
                Some((base, j - 1))
            }
            name if text(i + 1) == Some("!") => {
                if let Some((_, owner)) = MACROS.iter().find(|(m, _)| *m == name) {
                    out.insert(Reference {
                        line: t.line,
                        target: vec![owner.to_string()],
                    });
                }
                None
            }
            _ => None,
        };
        if let Some((base, colons)) = base
            && text(colons) == Some("::")
        {
            for (line, segments) in next_segments(&tokens, colons + 1) {
                let mut target = base.clone();
                target.extend(segments);
                if let Some(target) = resolve(target) {
                    out.insert(Reference { line, target });
                }
            }
        }
        i += 1;
    }
    out.into_iter()
        .filter(|r| own.first() != r.target.first())
        .collect()
}

/// A path from the crate root made a module path: a crate macro becomes its module, anything
/// else stays as it is (an item the root re-exported would show as a module of its own name,
/// and so as a reference no table allows, until this scanner learns of it); `None` for an
/// empty path (`crate::{self}`).
fn resolve(target: Vec<String>) -> Option<Vec<String>> {
    let first = target.first()?;
    match MACROS.iter().find(|(m, _)| m == first) {
        Some((_, owner)) => Some(vec![owner.to_string()]),
        None => Some(target),
    }
}

/// The segments that follow `::` at `start`: one path (`a::b::C`), or one path per element of
/// a group (`{a, b::c, d::{e, f}}`; only each element's own leading segments), each with the
/// line of its first segment.
fn next_segments(tokens: &[Token], start: usize) -> Vec<(usize, Vec<String>)> {
    let Some(first) = tokens.get(start) else {
        return Vec::new();
    };
    if first.text != "{" {
        return vec![(first.line, path_at(tokens, start))];
    }
    let mut out = Vec::new();
    let mut depth = 0;
    let mut element_start = true;
    for (i, t) in tokens.iter().enumerate().skip(start) {
        match t.text.as_str() {
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            "," if depth == 1 => element_start = true,
            _ if depth == 1 && element_start => {
                element_start = false;
                if is_ident(&t.text) {
                    out.push((t.line, path_at(tokens, i)));
                }
            }
            _ => {}
        }
    }
    out
}

/// The identifiers of the path that starts at `start` (`a :: b :: c` → `[a, b, c]`).
fn path_at(tokens: &[Token], start: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = start;
    while let Some(t) = tokens.get(i) {
        if !is_ident(&t.text) || t.text == "self" {
            break;
        }
        out.push(t.text.clone());
        if tokens.get(i + 1).map(|t| t.text.as_str()) != Some("::") {
            break;
        }
        i += 2;
    }
    out
}

fn is_ident(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

#[derive(Debug)]
struct Token {
    text: String,
    line: usize,
}

/// Identifiers (`$crate` included, `r#` dropped), `::`, `!` (not `!=`) and single punctuation,
/// with their 1-based lines. Numbers and other characters come out as tokens no rule matches.
fn tokens(code: &str) -> Vec<Token> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let word = |c: char| c.is_alphanumeric() || c == '_';
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if word(c) || (c == '$' && chars.get(i + 1).is_some_and(|c| word(*c))) {
            let start = i;
            i += 1;
            while i < chars.len() && word(chars[i]) {
                i += 1;
            }
            let mut text: String = chars[start..i].iter().collect();
            if text == "r" && chars.get(i) == Some(&'#') {
                // A raw identifier: `r#type` is `type`.
                let after = i + 1;
                i = after;
                while i < chars.len() && word(chars[i]) {
                    i += 1;
                }
                text = chars[after..i].iter().collect();
            }
            out.push(Token { text, line });
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push(Token {
                text: "::".into(),
                line,
            });
            i += 2;
        } else if c == '!' && chars.get(i + 1) == Some(&'=') {
            out.push(Token {
                text: "!=".into(),
                line,
            });
            i += 2;
        } else {
            out.push(Token {
                text: c.to_string(),
                line,
            });
            i += 1;
        }
    }
    out
}

/// `source` with every comment and the contents of every string and character literal
/// replaced by spaces (newlines kept, so lines stay where they were). Macro names, paths and
/// lifetimes stay.
fn blank_comments_and_strings(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out: Vec<char> = chars.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for c in &mut out[from..to] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let after_word = i > 0 && word(chars[i - 1]);
        if c == '/' && next == Some('/') {
            let end = (i..chars.len())
                .find(|&j| chars[j] == '\n')
                .unwrap_or(chars.len());
            blank(&mut out, i, end);
            i = end;
        } else if c == '/' && next == Some('*') {
            // Block comments nest.
            let (mut j, mut open) = (i + 2, 1);
            while j < chars.len() && open > 0 {
                if chars[j] == '/' && chars.get(j + 1) == Some(&'*') {
                    open += 1;
                    j += 2;
                } else if chars[j] == '*' && chars.get(j + 1) == Some(&'/') {
                    open -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if let Some(end) = (!after_word).then(|| raw_string_end(&chars, i)).flatten() {
            blank(&mut out, i, end);
            i = end;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(chars.len());
            blank(&mut out, i, end);
            i = end;
        } else if c == '\'' {
            // A character literal (`'x'`, `'\n'`, `'\u{30}'`), or a lifetime (`'a`), left alone.
            let end = if next == Some('\\') {
                (i + 3..chars.len())
                    .find(|&j| chars[j] == '\'')
                    .map(|j| j + 1)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 3)
            } else {
                None
            };
            match end {
                Some(end) => {
                    blank(&mut out, i, end);
                    i = end;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    out.into_iter().collect()
}

/// If a raw string (`r"…"`, `r#"…"#`, with a `b` or `c` before it or not) starts at `i`, the
/// index after it.
fn raw_string_end(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if matches!(chars.get(j), Some('b' | 'c')) {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|c| **c == '#').count();
    j += hashes;
    if chars.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < chars.len() {
        if chars[j] == '"'
            && chars[j + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == '#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(chars.len())
}

/// The scanner itself, on small pieces of source.
mod scanner {
    use super::*;

    /// The references `source` makes, as `line: target` strings.
    fn refs(file: &str, source: &str) -> Vec<String> {
        references(Path::new(file), source)
            .into_iter()
            .map(|r| format!("{}: {}", r.line, r.target.join("::")))
            .collect()
    }

    #[test]
    fn a_use_line_is_a_reference() {
        assert_eq!(
            refs("bot/handle.rs", "use crate::store::Store;\n"),
            ["1: store::Store"]
        );
    }

    #[test]
    fn a_grouped_use_counts_each_element_on_its_line() {
        let source = "use crate::{\n    domain::{Lang, member::Role},\n    render,\n    t,\n};\n";
        assert_eq!(
            refs("cli.rs", source),
            ["2: domain", "3: render", "4: i18n"]
        );
        assert_eq!(
            refs("cli.rs", "use crate::{self, store::Tx as T};"),
            ["1: store::Tx"]
        );
    }

    #[test]
    fn an_inline_path_is_a_reference() {
        let source = "fn f() {\n    let link = crate::platform::deep_link(p, &bot, &code);\n}\n";
        assert_eq!(refs("cli.rs", source), ["2: platform::deep_link"]);
    }

    #[test]
    fn a_t_macro_is_a_use_of_i18n() {
        let source =
            "let a = t!(lang, \"key\");\nlet b = crate::t!(lang, \"key\");\nif t != 2 {}\n";
        assert_eq!(refs("render.rs", source), ["1: i18n", "2: i18n"]);
        assert_eq!(
            refs("bot/mod.rs", "with_tx!(tx, t => t.execute().await)"),
            ["1: store"]
        );
    }

    #[test]
    fn a_pub_use_is_a_reference() {
        assert_eq!(
            refs("store/mod.rs", "pub use crate::domain::Lang;"),
            ["1: domain::Lang"]
        );
    }

    #[test]
    fn references_inside_the_module_do_not_count() {
        let source = "use crate::store::rows::Row;
use super::Store;
macro_rules! with_tx { () => { $crate::store::Tx } }
";
        assert!(refs("store/outbox.rs", source).is_empty());
        // `mod tests { use super::*; }` in `cli.rs` is still `cli`.
        assert!(refs("cli.rs", "mod tests {\n    use super::*;\n}\n").is_empty());
    }

    #[test]
    fn super_paths_that_climb_out_count() {
        assert_eq!(
            refs(
                "bot/handle.rs",
                "use super::super::store::Store;\nuse super::command::parse;"
            ),
            ["1: store::Store"]
        );
        assert_eq!(refs("cli.rs", "use super::store;"), ["1: store"]);
        assert_eq!(
            refs(
                "cli.rs",
                "mod tests {\n    use super::super::domain::Lang;\n}\n"
            ),
            ["2: domain::Lang"]
        );
        // After an inline module closes, `super` is the file's parent again.
        assert_eq!(
            refs("bot/handle.rs", "mod a { }\nuse super::super::render;"),
            ["2: render"]
        );
    }

    #[test]
    fn comments_and_strings_do_not_count() {
        let source = r##"//! Uses [`crate::store`] (doc text).
/// See crate::store::Store and t!(…).
// use crate::store::Store;
/* crate::store::x /* nested crate::render */ still a comment crate::store */
let a = "crate::store::Store and t!(x)";
let b = r#"crate::store "quoted" t!(x)"#;
let c = '"'; let d = '\''; let e: &'static str = "{";
let f = b"crate::store";
"##;
        assert!(
            refs("bot/handle.rs", source).is_empty(),
            "{:?}",
            refs("bot/handle.rs", source)
        );
        // What follows them still counts, on its own line.
        let source = format!("{source}use crate::store::Store;\n");
        assert_eq!(refs("bot/handle.rs", &source), ["9: store::Store"]);
    }

    #[test]
    fn the_binary_refers_to_the_library_by_its_name() {
        assert_eq!(
            refs("main.rs", "fn main() { setad::cli::main(); }"),
            ["1: cli::main"]
        );
    }

    #[test]
    fn a_cycle_in_the_table_is_found() {
        let cyclic: &[(&str, &[&str])] = &[
            ("domain", &[]),
            ("config", &["domain", "platform"]),
            ("platform", &["domain", "config"]),
        ];
        assert_eq!(cycle(cyclic).as_deref(), Some("config → platform → config"));
        let layered: &[(&str, &[&str])] =
            &[("domain", &[]), ("app", &["*"]), ("store", &["domain"])];
        assert_eq!(cycle(layered), None);
    }

    #[test]
    fn files_are_modules() {
        let module = |p: &str| module_of(Path::new(p)).join("::");
        assert_eq!(module("bot/handle.rs"), "bot::handle");
        assert_eq!(module("bot/mod.rs"), "bot");
        assert_eq!(module("cli.rs"), "cli");
        assert_eq!(module("domain/report/x.rs"), "domain::report::x");
    }

    #[test]
    fn a_file_takes_the_longest_key_of_the_table() {
        let path = |p: &str| p.split("::").map(String::from).collect::<Vec<_>>();
        assert_eq!(rule_for(&path("bot::handle")).map(|(k, _)| k), Some("bot"));
        assert_eq!(rule_for(&path("nowhere")), None);
        assert!(permits(&["domain"], &path("domain::calendar::Period")));
        assert!(!permits(&["domain"], &path("domainx")));
        assert!(permits(&["*"], &path("store")));
    }
}
