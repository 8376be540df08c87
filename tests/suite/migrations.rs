//! The SQLite and PostgreSQL migrations stay in step: the same versions, the same tables and
//! the same columns in the same order.

use std::collections::BTreeMap;
use std::path::Path;

fn files(dir: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dir);
    let mut names: Vec<String> = std::fs::read_dir(path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Table → columns, read from the CREATE TABLE statements (one column per line).
fn tables(dir: &str, file: &str) -> BTreeMap<String, Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dir)
        .join(file);
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = BTreeMap::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in text.lines().map(|l| l.split("--").next().unwrap().trim()) {
        if let Some(rest) = line.strip_prefix("ALTER TABLE ") {
            // ALTER TABLE t ADD COLUMN c …
            let words: Vec<&str> = rest.split_whitespace().collect();
            out.entry(format!("{} (altered)", words[0]))
                .or_insert_with(Vec::new)
                .push(words[3].to_owned());
        } else if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
            current = Some((
                rest.split_whitespace().next().unwrap().to_owned(),
                Vec::new(),
            ));
        } else if line.starts_with(");") {
            if let Some((name, cols)) = current.take() {
                out.insert(name, cols);
            }
        } else if let Some((_, cols)) = current.as_mut() {
            let word = line.split_whitespace().next().unwrap_or("");
            if !word.is_empty() && word != "UNIQUE" && word != "PRIMARY" {
                cols.push(word.to_owned());
            }
        }
    }
    out
}

#[test]
fn sqlite_and_postgres_migrations_match() {
    let sqlite = files("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite,
        files("postgres"),
        "the two backends have different migration files"
    );
    for file in &sqlite {
        let (a, b) = (tables("sqlite", file), tables("postgres", file));
        assert_eq!(a, b, "{file}: the tables or columns differ");
        assert!(
            a.values().all(|cols| !cols.is_empty()),
            "{file}: a table without columns was read"
        );
    }
}
