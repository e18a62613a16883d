//! Tidy checks run by `cargo test`: the core stays free of web crates, no file under `core/src` grows past
//! 1,500 lines, every Rust source file opens with a `//!` line saying what it holds, and no `dbg!` is left
//! behind. Each check has a test of its own detector on made-up input, so a blind check cannot pass unseen.

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

/// The dependency tables of a manifest: `[dependencies]`, `[dev-dependencies]`, `[build-dependencies]`.
const DEPENDENCY_TABLES: &[&str] = &["dependencies", "dev-dependencies", "build-dependencies"];

/// The crates a `Cargo.toml` depends on, in every dependency table (also under `[target.'cfg(..)']`), each by
/// the package it names: `foo = { package = "yew" }` depends on `yew`. The manifest is read by the `toml`
/// crate, so every way TOML can spell a table is one table here: `yew.workspace = true` (a dotted key),
/// `yew = { workspace = true }` (an inline table) and `[dependencies.yew]` (a table header) all give the key
/// `yew` with a table value. Names come back with `_` read as `-`, as Cargo treats them.
fn dependency_names(manifest: &str) -> Result<Vec<String>, toml::de::Error> {
    let doc: toml::Table = manifest.parse()?;
    // The manifest itself and each `[target.<platform>]` table hold dependency tables.
    let platforms = doc
        .get("target")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|t| t.values())
        .filter_map(toml::Value::as_table);
    let tables = std::iter::once(&doc).chain(platforms).flat_map(|scope| {
        DEPENDENCY_TABLES
            .iter()
            .filter_map(|name| scope.get(*name).and_then(toml::Value::as_table))
    });
    let mut names = Vec::new();
    for deps in tables {
        for (key, spec) in deps {
            let package = spec
                .as_table()
                .and_then(|t| t.get("package"))
                .and_then(toml::Value::as_str)
                .unwrap_or(key);
            names.push(package.replace('_', "-"));
        }
    }
    Ok(names)
}

fn forbidden_in(manifest: &str) -> Vec<String> {
    dependency_names(manifest)
        .expect("the manifest is valid TOML")
        .into_iter()
        .filter(|n| FORBIDDEN_IN_CORE.contains(&n.as_str()))
        .collect()
}

#[test]
fn core_has_no_web_dependency() {
    let manifest = fs::read_to_string(repo_root().join("core/Cargo.toml"))
        .expect("core/Cargo.toml is readable");
    let names = dependency_names(&manifest).expect("core/Cargo.toml is valid TOML");
    // The reader sees core's real dependencies (so an empty answer below is not a blind reader).
    assert!(
        names.iter().any(|n| n == "serde") && names.iter().any(|n| n == "libm"),
        "{names:?}"
    );
    let found = forbidden_in(&manifest);
    assert!(
        found.is_empty(),
        "core/Cargo.toml depends on web-only crates: {found:?}"
    );
}

/// A manifest with `dep` spelled in one of the forms Cargo accepts, next to an allowed crate.
fn manifest_with(dep: &str) -> String {
    format!(
        "[package]\nname = \"x\"\n\n{dep}\n\n[target.'cfg(windows)'.dependencies]\nlibm = \"0.2\"\n"
    )
}

#[test]
fn forbidden_dependency_detector_sees_every_manifest_form() {
    let forms = [
        // the form this repository uses: a dotted key
        (
            "dotted key",
            "[dev-dependencies]\nyew.workspace = true",
            "yew",
        ),
        (
            "dotted keys with a feature list",
            "[build-dependencies]\ngloo.version = \"0.12\"\ngloo.features = [\"timers\"]",
            "gloo",
        ),
        (
            "plain version",
            "[dev-dependencies]\nweb-sys = \"0.3\"",
            "web-sys",
        ),
        (
            "underscore spelling",
            "[dev-dependencies]\nwasm_bindgen = \"0.2\"",
            "wasm-bindgen",
        ),
        (
            "quoted key",
            "[dev-dependencies]\n\"js-sys\" = \"0.3\"",
            "js-sys",
        ),
        (
            "inline table",
            "[dev-dependencies]\nserde-wasm-bindgen = { version = \"0.6\", optional = true }",
            "serde-wasm-bindgen",
        ),
        (
            "table header",
            "[dependencies.yew]\nversion = \"0.23\"\nfeatures = [\"csr\"]",
            "yew",
        ),
        (
            "target table",
            "[target.'cfg(target_arch = \"wasm32\")'.dependencies]\n\
             getrandom = { version = \"0.3\", features = [\"wasm_js\"] }",
            "getrandom",
        ),
        (
            "target table header",
            "[target.wasm32-unknown-unknown.dependencies.getrandom]\nworkspace = true",
            "getrandom",
        ),
        (
            "target dotted key",
            "[target.'cfg(unix)'.dev-dependencies]\ngetrandom.workspace = true",
            "getrandom",
        ),
        (
            "renamed package",
            "[dependencies]\nui = { package = \"yew\", version = \"0.23\" }",
            "yew",
        ),
        (
            "renamed by dotted keys",
            "[dependencies]\nrng.package = \"getrandom\"\nrng.version = \"0.3\"",
            "getrandom",
        ),
    ];
    for (form, dep, crate_name) in forms {
        let manifest = manifest_with(dep);
        let names = dependency_names(&manifest).expect("valid TOML");
        assert!(names.contains(&"libm".to_string()), "{form}: {names:?}");
        assert_eq!(forbidden_in(&manifest), [crate_name], "{form}:\n{manifest}");
    }
    // Allowed crates pass, whatever the form; a forbidden name used only as an alias for an allowed crate is
    // not that crate; a forbidden name elsewhere in the manifest (a feature) is no dependency.
    let clean = manifest_with(
        "[dependencies.serde]\nversion = \"1\"\n[dev-dependencies]\n\
         yew = { package = \"serde_json\", version = \"1\" }\n\
         [features]\nyew = []\n[target.'cfg(unix)'.dependencies]\nrand_core = \"0.10\"",
    );
    let mut names = dependency_names(&clean).expect("valid TOML");
    names.sort();
    assert_eq!(names, ["libm", "rand-core", "serde", "serde-json"]);
    assert!(forbidden_in(&clean).is_empty());
    // A manifest that is not TOML is an error, not an empty list.
    assert!(dependency_names("[dependencies\nyew = 1").is_err());
}

/// The most lines a file under `core/src` may have: past it a file holds more than one concern (split it into a
/// folder of modules, as `components/` and `share/` are).
const MAX_CORE_LINES: usize = 1_500;

/// Files under `core/src` allowed past [`MAX_CORE_LINES`] for now, as paths from the repository root: they are
/// being split. Empty the list when they are, and the check covers every file. A listed file that is no longer
/// too long (or is gone) fails the check, so the list cannot outlive its reason.
const TOO_LONG_ALLOWED: &[&str] = &[];

/// The files of `files` (path from the repository root, text) that pass `max` lines and are not in `allowed`,
/// with their line counts; and the entries of `allowed` that are not too long, or not there at all.
fn too_long<'a>(
    files: &'a [(String, String)],
    max: usize,
    allowed: &[&'a str],
) -> (Vec<(&'a str, usize)>, Vec<&'a str>) {
    let count = |text: &str| text.lines().count();
    let offenders = files
        .iter()
        .map(|(path, text)| (path.as_str(), count(text)))
        .filter(|&(path, lines)| lines > max && !allowed.contains(&path))
        .collect();
    let stale = allowed
        .iter()
        .copied()
        .filter(|a| !files.iter().any(|(p, t)| p == a && count(t) > max))
        .collect();
    (offenders, stale)
}

#[test]
fn no_core_file_passes_fifteen_hundred_lines() {
    let mut paths = Vec::new();
    collect(&repo_root().join("core/src"), &mut paths);
    paths.sort();
    let files: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(repo_root()).unwrap_or(p);
            let text = fs::read_to_string(p).expect("a source file is readable");
            (rel.display().to_string().replace('\\', "/"), text)
        })
        .collect();
    assert!(
        files.iter().any(|(p, _)| p == "core/src/lib.rs"),
        "the walk found core: {paths:?}"
    );
    let (offenders, stale) = too_long(&files, MAX_CORE_LINES, TOO_LONG_ALLOWED);
    assert!(
        offenders.is_empty(),
        "split these files, each past {MAX_CORE_LINES} lines: {offenders:?}"
    );
    assert!(
        stale.is_empty(),
        "no longer past {MAX_CORE_LINES} lines (or gone): remove them from TOO_LONG_ALLOWED: {stale:?}"
    );
}

#[test]
fn line_count_check_finds_a_long_file_and_a_stale_allowance() {
    let lines = |n: usize| "fn f() {}\n".repeat(n);
    let files = vec![
        ("core/src/short.rs".to_string(), lines(MAX_CORE_LINES)),
        ("core/src/long.rs".to_string(), lines(MAX_CORE_LINES + 1)),
        ("core/src/known.rs".to_string(), lines(3 * MAX_CORE_LINES)),
    ];
    assert_eq!(
        too_long(&files, MAX_CORE_LINES, &[]),
        (
            vec![
                ("core/src/long.rs", MAX_CORE_LINES + 1),
                ("core/src/known.rs", 3 * MAX_CORE_LINES)
            ],
            vec![]
        )
    );
    // An allowance covers its file; one for a file that is short, or gone, is reported as stale.
    assert_eq!(
        too_long(
            &files,
            MAX_CORE_LINES,
            &["core/src/known.rs", "core/src/short.rs", "core/src/gone.rs"]
        ),
        (
            vec![("core/src/long.rs", MAX_CORE_LINES + 1)],
            vec!["core/src/short.rs", "core/src/gone.rs"]
        )
    );
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
