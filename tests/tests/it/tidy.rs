//! Tidy checks run by `cargo test`: the core stays free of web crates, every Rust source file opens with a
//! `//!` line saying what it holds, and no `dbg!` is left behind.

use std::fs;
use std::path::{Path, PathBuf};

use playground_tests::repo_root;

/// Crates that tie code to a browser or an OS random source; `core` must build and behave the same everywhere.
const FORBIDDEN_IN_CORE: &[&str] = &[
    "web-sys",
    "js-sys",
    "wasm-bindgen",
    "gloo",
    "yew",
    "getrandom",
    "serde-wasm-bindgen",
];

/// Every `.rs` file under the project's own source folders.
fn rust_sources() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["core", "web", "tests"] {
        collect(&repo_root().join(dir), &mut out);
    }
    out.sort();
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name != "target" && name != "node_modules" && !name.starts_with('.') {
                collect(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The names of dependencies declared in a `Cargo.toml`, in any dependency table.
fn dependency_names(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_deps = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            // `[dependencies]`, `[dev-dependencies]`, `[target.'cfg(..)'.dependencies]`, and the
            // `[dependencies.name]` table form all count.
            in_deps = line.contains("dependencies");
            if let Some(rest) = line.trim_matches(['[', ']']).rsplit_once("dependencies.") {
                names.push(rest.1.trim().to_string());
                in_deps = false;
            }
            continue;
        }
        if let (true, Some((name, _))) = (in_deps, line.split_once('=')) {
            let name = name.trim();
            if !name.is_empty() && !name.starts_with('#') {
                names.push(name.trim_matches('"').to_string());
            }
        }
    }
    names
}

fn forbidden_in(manifest: &str) -> Vec<String> {
    dependency_names(manifest)
        .into_iter()
        .filter(|n| FORBIDDEN_IN_CORE.contains(&n.replace('_', "-").as_str()))
        .collect()
}

#[test]
fn core_has_no_web_dependency() {
    let manifest = fs::read_to_string(repo_root().join("core/Cargo.toml"))
        .expect("core/Cargo.toml is readable");
    let found = forbidden_in(&manifest);
    assert!(
        found.is_empty(),
        "core/Cargo.toml depends on web-only crates: {found:?}"
    );
}

#[test]
fn forbidden_dependency_detector_sees_every_table_form() {
    let manifest = "[package]\nname = \"x\"\n[dependencies]\nserde = \"1\"\nweb-sys = \"0.3\"\n\
                    [dev-dependencies]\nwasm_bindgen = \"0.2\"\n[target.'cfg(unix)'.dependencies]\n\
                    getrandom = \"0.4\"\n[dependencies.yew]\nversion = \"0.23\"\n";
    assert_eq!(
        forbidden_in(manifest),
        ["web-sys", "wasm_bindgen", "getrandom", "yew"]
    );
    assert!(forbidden_in("[dependencies]\nserde = \"1\"\nlibm = \"0.2\"\n").is_empty());
}

/// True when the file's first non-empty line is a `//!` module doc line.
fn opens_with_module_doc(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with("//!"))
}

#[test]
fn every_source_file_opens_with_a_module_doc_line() {
    let sources = rust_sources();
    assert!(
        sources.len() >= 3,
        "the tidy walk found too few files: {sources:?}"
    );
    let missing: Vec<_> = sources
        .iter()
        .filter(|p| !opens_with_module_doc(&fs::read_to_string(p).unwrap_or_default()))
        .map(|p| {
            p.strip_prefix(repo_root())
                .unwrap_or(p)
                .display()
                .to_string()
        })
        .collect();
    assert!(
        missing.is_empty(),
        "these files lack a `//!` header line: {missing:?}"
    );
}

#[test]
fn module_doc_check_rejects_a_plain_comment() {
    assert!(opens_with_module_doc("\n//! what this holds\nfn f() {}"));
    assert!(!opens_with_module_doc("// a plain comment\nfn f() {}"));
    assert!(!opens_with_module_doc("use std::fs;\n//! too late"));
}

/// The needle is built at run time so this file does not trip its own check.
fn has_dbg(text: &str) -> bool {
    let needle = format!("{}{}", "dbg", "!(");
    text.contains(&needle)
}

#[test]
fn no_dbg_macro_is_left_in() {
    let offenders: Vec<_> = rust_sources()
        .into_iter()
        .filter(|p| has_dbg(&fs::read_to_string(p).unwrap_or_default()))
        .map(|p| {
            p.strip_prefix(repo_root())
                .unwrap_or(&p)
                .display()
                .to_string()
        })
        .collect();
    assert!(offenders.is_empty(), "`dbg!` left in: {offenders:?}");
}

#[test]
fn dbg_detector_finds_a_call() {
    assert!(has_dbg(&format!("let x = {}{}1);", "dbg", "!(")));
    assert!(!has_dbg("let debug = 1;"));
}
