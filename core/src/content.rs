//! Where the shipped diagrams come from: the gallery's scenarios (`examples/scenarios/`), their notes
//! (`core/src/scenarios/notes.json`: explanation, try and watch) and the challenges (`core/src/challenges/data/`). With the feature `embed` (the default: the runner, the tests) they are
//! compiled in. The page leaves it off, so its Wasm does not carry them: the build writes them into one bundle
//! file beside the site (`web/content.mjs`), which the page fetches after start and hands to [`install`].
//! Until then [`ready`] is false, the gallery lists no challenges and nothing opens a scenario.
//!
//! The bundle is a JSON object from a file's path in the repository (`examples/scenarios/<name>.json`,
//! `core/src/challenges/data/<name>.json`, …) to its text, unchanged.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The installed bundle (never set with the feature `embed`).
static BUNDLE: OnceLock<BTreeMap<String, String>> = OnceLock::new();

/// Whether the shipped diagrams are available: always with the feature `embed`, after [`install`] without.
pub fn ready() -> bool {
    cfg!(feature = "embed") || BUNDLE.get().is_some()
}

/// Installs the bundle's text (the page's fetch of the file `web/content.mjs` writes). A second call keeps
/// the first bundle. Errs, with the parser's words, when the text is not a JSON object of strings.
pub fn install(bundle: &str) -> Result<(), String> {
    let files: BTreeMap<String, String> = crate::topology::read_json(bundle)
        .map_err(|e| format!("the examples bundle is damaged: {e}"))?;
    let _ = BUNDLE.set(files);
    Ok(())
}

/// A file of the installed bundle by its path, if installed and present.
pub(crate) fn text(path: &str) -> Option<&'static str> {
    BUNDLE.get()?.get(path).map(String::as_str)
}

/// A shipped diagram's text: with the feature `embed` the file at `$path` (from the repository's root)
/// compiled in; without it, the path itself, looked up in the bundle by [`lookup`].
#[cfg(feature = "embed")]
macro_rules! shipped {
    ($path:literal) => {
        include_str!(concat!("../../", $path))
    };
}
#[cfg(not(feature = "embed"))]
macro_rules! shipped {
    ($path:literal) => {
        $path
    };
}
pub(crate) use shipped;

/// The text behind what [`shipped!`] gave: itself when compiled in, else the bundle's file at that path.
/// Panics when the bundle is not installed (or lacks the file): the page checks [`ready`] first.
pub(crate) fn lookup(shipped: &'static str) -> &'static str {
    if cfg!(feature = "embed") {
        return shipped;
    }
    text(shipped).unwrap_or_else(|| {
        panic!("{shipped} is not in the examples bundle (the page installs it before opening one)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_must_be_an_object_of_texts() {
        assert!(install("[1, 2]").unwrap_err().contains("damaged"));
        assert!(install(r#"{"a.json": 3}"#).is_err());
        // The shipped files are compiled in here, so nothing needs installing.
        assert!(ready());
    }
}
