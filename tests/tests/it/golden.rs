//! Diagrams that use none of a newer mechanism run exactly as before: every shipped example and gallery
//! scenario listed in `tests/golden/reports.txt` gives the same event count and report digest as when the list
//! was written. A new mechanism that is off by default must change neither (the events show the engine did
//! the same work, the digest that every number is the same). A file added later is not in the list and is not
//! checked here; a deliberate change re-pins with `GOLDEN_UPDATE=1 cargo test -p playground-tests golden`
//! and says why in its commit.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use playground_core::{Topology, run};

const LIST: &str = "tests/golden/reports.txt";

/// Every `.json` diagram under `examples/`, sorted, as paths relative to the repository root.
fn shipped_diagrams(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs = vec![root.join("examples")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("examples/ is readable") {
            let path: PathBuf = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let rel = path.strip_prefix(root).expect("under the root");
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// `events digest` of one diagram run to its end with its own seed.
fn fingerprint(root: &Path, rel: &str) -> String {
    let text = std::fs::read_to_string(root.join(rel)).expect("readable");
    let t = Topology::from_json(&text).unwrap_or_else(|e| panic!("{rel} parses: {e}"));
    let r = run(&t).unwrap_or_else(|e| panic!("{rel} builds: {e:?}"));
    format!("{} {:016x}", r.events, r.digest())
}

#[test]
fn diagrams_without_newer_mechanisms_run_exactly_as_before() {
    let root = playground_tests::repo_root();
    if std::env::var_os("GOLDEN_UPDATE").is_some() {
        let mut list = String::from(
            "# path events digest: written by GOLDEN_UPDATE=1 cargo test -p playground-tests golden\n",
        );
        for rel in shipped_diagrams(&root) {
            writeln!(list, "{rel} {}", fingerprint(&root, &rel)).expect("a string");
        }
        std::fs::write(root.join(LIST), list).expect("the list is writable");
        return;
    }
    let list = std::fs::read_to_string(root.join(LIST)).expect("tests/golden/reports.txt");
    let mut checked = 0;
    let mut changed = Vec::new();
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (rel, want) = line.split_once(' ').expect("path events digest");
        let got = fingerprint(&root, rel);
        if got != want {
            changed.push(format!("{rel}: was {want}, now {got}"));
        }
        checked += 1;
    }
    assert!(
        checked >= 60,
        "the list holds every shipped diagram ({checked})"
    );
    assert!(changed.is_empty(), "changed:\n{}", changed.join("\n"));
}
