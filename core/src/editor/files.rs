//! Diagram files: the JSON a user exports and imports (topology format v1, `docs/topology-format.md`), the
//! size limit on what is read, and file names. The web crate only moves bytes to and from the browser.

use crate::share;
use crate::topology::Topology;

/// Largest diagram file or paste read [bytes], 2 MiB: a 200-node diagram is about 60 KB of pretty JSON, so
/// anything near this is not a diagram, and reading it would only freeze the tab.
pub const MAX_IMPORT_BYTES: usize = 2 << 20;

/// The exported file's contents: pretty topology JSON, exactly what [`import_json`] reads back.
pub fn export_json(doc: &Topology) -> String {
    doc.to_json()
}

/// Refuses a file by its size before reading it: `Err` with the message to show.
pub fn check_size(bytes: f64) -> Result<(), String> {
    if bytes.is_finite() && bytes <= MAX_IMPORT_BYTES as f64 {
        Ok(())
    } else {
        Err(format!(
            "This file is too large to be a diagram ({}; the most that is read is {}). Nothing was changed.",
            human_bytes(bytes),
            human_bytes(MAX_IMPORT_BYTES as f64)
        ))
    }
}

/// The diagram in an imported or pasted text, or a message saying what is wrong with it. The same structural
/// checks as a share link (unique non-empty node ids, finite positions); anything else a diagram can get
/// wrong is a diagnostic the editor shows after opening it.
pub fn import_json(text: &str) -> Result<Topology, String> {
    check_size(text.len() as f64)?;
    if text.trim().is_empty() {
        return Err("This file is empty. Nothing was changed.".into());
    }
    let t = Topology::from_json(text).map_err(|e| {
        format!("This file is not a playground diagram (topology JSON): {e}. Nothing was changed.")
    })?;
    if let Some(m) = crate::limits::check_counts(t.nodes.len(), t.edges.len(), t.faults.len()) {
        return Err(format!(
            "This file holds a larger diagram than the playground opens ({m}). Nothing was changed."
        ));
    }
    share::check_structure(&t)
        .map_err(|e| format!("This file cannot be opened: {e}. Nothing was changed."))?;
    Ok(t)
}

/// A file name for the diagram: its name as a lowercase slug (`diagram` when it has none) and `ext`.
pub fn file_name(doc: &Topology, ext: &str) -> String {
    let mut slug = String::new();
    for c in doc.name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let stem = if slug.is_empty() { "diagram" } else { slug };
    format!("{stem}.{ext}")
}

fn human_bytes(b: f64) -> String {
    if b >= 1_048_576.0 {
        format!("{:.1} MB", b / 1_048_576.0)
    } else {
        format!("{:.0} KB", (b / 1024.0).ceil())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::storage;

    #[test]
    fn export_then_import_is_the_same_diagram() {
        for t in [
            storage::example(),
            crate::fixtures::three_tier(),
            crate::scenarios::all()[0].topology(),
        ] {
            assert_eq!(import_json(&export_json(&t)), Ok(t));
        }
    }

    #[test]
    fn bad_files_are_refused_with_a_message() {
        let too_big = " ".repeat(10 << 20);
        let e = import_json(&too_big).expect_err("10 MB");
        assert!(e.contains("too large") && e.contains("10.0 MB"), "{e}");
        assert!(check_size(10.0 * 1_048_576.0).is_err());
        assert!(check_size(50_000.0).is_ok());
        assert!(import_json("").expect_err("empty").contains("empty"));
        let e = import_json("{\"nodes\": [oops").expect_err("bad json");
        assert!(e.contains("not a playground diagram"), "{e}");
        let e = import_json("[1, 2]").expect_err("not an object");
        assert!(e.contains("not a playground diagram"), "{e}");
        let e = import_json(r#"{"nodes":[{"id":"a","kind":"server"},{"id":"a","kind":"server"}]}"#)
            .expect_err("duplicate ids");
        assert!(e.contains("two nodes are called `a`"), "{e}");
    }

    #[test]
    fn file_names_are_slugs() {
        let mut t = storage::example();
        assert_eq!(
            file_name(&t, "json"),
            "example-a-load-balanced-web-app.json"
        );
        t.name = "  ".into();
        assert_eq!(file_name(&t, "svg"), "diagram.svg");
        t.name = "Café ☕ v2!".into();
        assert_eq!(file_name(&t, "png"), "caf-v2.png");
    }
}
