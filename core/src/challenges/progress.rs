//! The learner's progress, kept in the browser under [`PROGRESS_KEY`]: which challenges are solved (with the
//! design that passed, as a share payload, so it can be reopened and shared) and how many hints of each have
//! been revealed. Reading never fails: unreadable or foreign text is no progress, and entries for challenges
//! that no longer exist are kept but not counted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Chapter;
use crate::share;
use crate::topology::Topology;

/// The `localStorage` key of the progress.
pub const PROGRESS_KEY: &str = "sdp.challenges.v1";

/// Most characters of progress text read; past it the text is ignored as foreign (a few hundred solved
/// designs take far less).
pub const MAX_PROGRESS_CHARS: usize = 4 << 20;

/// A solved challenge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Solved {
    /// the design that passed, as a share-link payload (`v1.…`)
    pub design: String,
}

/// Which challenges are solved, and the hints revealed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Progress {
    /// solved challenges by name
    pub solved: BTreeMap<String, Solved>,
    /// hints revealed, by challenge name
    pub hints: BTreeMap<String, u32>,
}

impl Progress {
    /// The progress in `text` (what [`PROGRESS_KEY`] holds); nothing, garbage or a huge text is none.
    pub fn decode(text: Option<&str>) -> Progress {
        text.filter(|t| t.len() <= MAX_PROGRESS_CHARS)
            .and_then(|t| crate::topology::read_json(t).ok())
            .unwrap_or_default()
    }

    /// The text to store.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("progress has string keys only")
    }

    /// Whether challenge `name` is solved.
    pub fn is_solved(&self, name: &str) -> bool {
        self.solved.contains_key(name)
    }

    /// Records `design` as the solution of `name` (the latest passing design replaces an earlier one).
    pub fn solve(&mut self, name: &str, design: &Topology) {
        self.solved.insert(
            name.to_string(),
            Solved {
                design: share::encode(design),
            },
        );
    }

    /// The passing design of `name`, if it is solved and the stored link still reads.
    pub fn solution(&self, name: &str) -> Option<Topology> {
        share::decode(&self.solved.get(name)?.design).ok()
    }

    /// Hints of `name` revealed so far.
    pub fn hints_shown(&self, name: &str) -> usize {
        self.hints.get(name).map_or(0, |&n| n as usize)
    }

    /// One more hint of `name` revealed, up to `available`.
    pub fn reveal_hint(&mut self, name: &str, available: usize) {
        let n = (self.hints_shown(name) + 1).min(available);
        self.hints.insert(name.to_string(), n as u32);
    }

    /// Built-in challenges of `chapter` solved, and how many it has.
    pub fn chapter_count(&self, chapter: Chapter) -> (usize, usize) {
        let of: Vec<_> = super::all()
            .iter()
            .filter(|c| c.chapter == chapter)
            .collect();
        let solved = of.iter().filter(|c| self.is_solved(&c.name)).count();
        (solved, of.len())
    }

    /// Built-in challenges solved, and how many there are.
    pub fn total_count(&self) -> (usize, usize) {
        let all = super::all();
        let solved = all.iter().filter(|c| self.is_solved(&c.name)).count();
        (solved, all.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_round_trips_and_garbage_is_no_progress() {
        let mut p = Progress::default();
        let t = Topology::from_json(r#"{"nodes":[{"id":"a","kind":"server"}]}"#).expect("topology");
        p.solve("x", &t);
        p.reveal_hint("x", 2);
        p.reveal_hint("x", 2);
        p.reveal_hint("x", 2);
        assert_eq!(p.hints_shown("x"), 2, "never past the hints there are");
        let back = Progress::decode(Some(&p.encode()));
        assert_eq!(back, p);
        assert!(back.is_solved("x") && !back.is_solved("y"));
        assert_eq!(back.solution("x"), Some(t));
        for bad in [None, Some(""), Some("{oops"), Some("[1,2]"), Some("null")] {
            assert_eq!(Progress::decode(bad), Progress::default(), "{bad:?}");
        }
        let huge = "x".repeat(MAX_PROGRESS_CHARS + 1);
        assert_eq!(Progress::decode(Some(&huge)), Progress::default());
        // A damaged stored design is no solution, and says so without failing.
        let mut d = Progress::default();
        d.solved.insert(
            "x".into(),
            Solved {
                design: "v1.@@".into(),
            },
        );
        assert!(d.is_solved("x") && d.solution("x").is_none());
    }
}
