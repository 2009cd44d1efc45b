//! The layers of `src/` and their one direction of dependency
//! (docs/architecture.md): front ends → domain (`library`) → storage (`db`,
//! `blobs`). This test reads the sources and fails when a module names a
//! layer above it, when SQL appears outside `db/`, or when a page reaches
//! for the sendspace wire types, so the knot cannot grow back.

use std::path::{Path, PathBuf};

/// The front ends and everything that assembles them.
const FRONT: &[&str] = &[
    "api",
    "file_send",
    "pages",
    "transfer",
    "http",
    "server",
    "cli",
    "client_cli",
    "ops",
    "background",
    "state",
    "error",
];

/// (files under `src/` this rule covers, crate modules they must not name).
fn rules() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut above_domain: Vec<&str> = FRONT.to_vec();
    above_domain.push("abuse");
    let mut above_storage = above_domain.clone();
    above_storage.extend(["library", "accounts", "mail"]);
    let mut above_plumbing: Vec<&str> = FRONT.to_vec();
    above_plumbing.retain(|m| !["http", "state", "error"].contains(m));
    vec![
        ("db/", above_storage.clone()),
        ("blobs.rs", above_storage.clone()),
        ("clamd.rs", above_storage.clone()),
        ("config.rs", above_storage.clone()),
        ("secrets.rs", above_storage.clone()),
        ("library/", above_domain.clone()),
        ("mail.rs", [above_domain.clone(), vec!["library"]].concat()),
        ("abuse.rs", FRONT.to_vec()),
        ("state.rs", above_plumbing.clone()),
        ("http/", above_plumbing),
    ]
}

/// Words that only front ends may use: HTTP types and the sendspace wire.
const WIRE_WORDS: &[&str] = &["axum::", "hyper::", "Node::", "Params", "ApiError"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments (doc comments name modules
/// freely).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every top-level crate module a piece of code names: `crate::x…` and the
/// members of `crate::{x, y::z}` groups.
fn crate_modules(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            let mut at_top = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        if !item.is_empty() {
                            found.push(std::mem::take(&mut item));
                        }
                        at_top = true;
                        continue;
                    }
                    _ => {}
                }
                if c.is_whitespace() && item.is_empty() {
                    continue;
                }
                if depth == 1 && at_top && (c.is_alphanumeric() || c == '_') {
                    item.push(c);
                } else if !item.is_empty() {
                    found.push(std::mem::take(&mut item));
                    at_top = false;
                }
            }
            if !item.is_empty() {
                found.push(item);
            }
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
        rest = after;
    }
    found
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn sources() -> Vec<(String, String)> {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            (rel, code(&text))
        })
        .collect()
}

fn layer_violations(files: &[(String, String)]) -> Vec<String> {
    let mut bad = Vec::new();
    for (rel, code) in files {
        for (prefix, banned) in rules() {
            let covered = if prefix.ends_with('/') {
                rel.starts_with(prefix)
            } else {
                rel == prefix
            };
            if !covered {
                continue;
            }
            for module in crate_modules(code) {
                if banned.contains(&module.as_str()) {
                    bad.push(format!("src/{rel} names crate::{module}"));
                }
            }
            if prefix == "db/" || prefix == "library/" {
                for word in WIRE_WORDS {
                    if code.contains(word) {
                        bad.push(format!("src/{rel} uses {word}"));
                    }
                }
            }
        }
    }
    bad
}

#[test]
fn layers_depend_downwards_only() {
    let files = sources();
    assert!(files.len() > 40, "read the sources: {}", files.len());
    let bad = layer_violations(&files);
    assert!(
        bad.is_empty(),
        "imports against the layers:\n{}",
        bad.join("\n")
    );
}

#[test]
fn sql_lives_in_the_storage_layer() {
    let bad: Vec<String> = sources()
        .into_iter()
        .filter(|(rel, code)| !rel.starts_with("db/") && code.contains("sqlx::query"))
        .map(|(rel, _)| format!("src/{rel}"))
        .collect();
    assert!(bad.is_empty(), "SQL outside src/db/:\n{}", bad.join("\n"));
}

#[test]
fn pages_use_the_typed_domain() {
    let bad: Vec<String> = sources()
        .into_iter()
        .filter(|(rel, _)| rel.starts_with("pages/"))
        .filter(|(_, code)| {
            code.contains("call_as") || code.contains("envelope::Node") || code.contains(".attrs")
        })
        .map(|(rel, _)| format!("src/{rel}"))
        .collect();
    assert!(
        bad.is_empty(),
        "pages calling the API by name or reading its XML:\n{}",
        bad.join("\n")
    );
}

/// The checker itself: it must see a violation in every form an import
/// can take, and not in comments.
#[test]
fn the_checker_catches_upward_imports() {
    let sample = |rel: &str, text: &str| vec![(rel.to_string(), code(text))];
    assert_eq!(
        crate_modules("use crate::{db::Db, api::{x, y}, library};"),
        ["db", "api", "library"]
    );
    assert!(
        !layer_violations(&sample("db/files.rs", "use crate::api::envelope::Node;")).is_empty()
    );
    assert!(!layer_violations(&sample("library/x.rs", "use crate::{db, state::App};")).is_empty());
    assert!(!layer_violations(&sample("library/x.rs", "fn f(p: &Params) {}")).is_empty());
    assert!(!layer_violations(&sample("state.rs", "x: crate::transfer::Board,")).is_empty());
    assert!(layer_violations(&sample(
        "db/files.rs",
        "// see crate::api\nuse crate::db::Db;"
    ))
    .is_empty());
    assert!(layer_violations(&sample("api/files.rs", "use crate::library::Error;")).is_empty());
}
