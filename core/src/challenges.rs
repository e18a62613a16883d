//! Challenges: a starting diagram (possibly broken), a brief, goals the engine measures, hints revealed one at
//! a time and a reference solution. "Check my design" ([`check::check`], or [`check::Check`] in slices)
//! runs the learner's diagram under the challenge's own traffic, faults and network on every seed of
//! [`CHECK_SEEDS`] and judges each goal on every seed, so a lucky seed cannot pass.
//!
//! Each challenge is one JSON file in `core/src/challenges/data/`, compiled in and listed in [`FILES`] in
//! gallery order; `docs/challenges.md` documents the format. `tests/tests/it/challenges.rs` checks that every
//! reference solution passes every goal and every starting diagram fails the goals it is meant to fail, over
//! these same seeds.

pub mod check;
pub mod goal;
pub mod progress;
pub mod stats;

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

pub use crate::curriculum::Chapter;
use crate::topology::Topology;
pub use check::{Check, CheckResult, GoalResult, Refusal, check};
pub use goal::{Goal, Measure, Percentile};
pub use progress::Progress;

/// The seeds every check runs on, the page's and the tests' alike.
pub const CHECK_SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

/// One challenge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// URL slug, unique: `#challenge=<name>` opens it
    pub name: String,
    /// the curriculum chapter it belongs to
    pub chapter: Chapter,
    /// card title
    pub title: String,
    /// the situation, the traffic and the constraint, in a few sentences
    pub brief: String,
    /// what the check measures, each judged on every seed
    pub goals: Vec<Goal>,
    /// hints, revealed one at a time
    pub hints: Vec<String>,
    /// nodes (besides the clients) the learner may wire but not change: their kind, region and parameters
    /// are part of the challenge
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub given: Vec<String>,
    /// the diagram the learner starts from; its settings, clients and faults are the challenge's conditions
    pub start: Topology,
    /// a diagram that meets every goal
    pub reference: Topology,
}

/// The challenge files, in gallery order (each chapter's challenges in the order they appear here).
const FILES: &[(&str, &str)] = &[(
    "more-workers",
    include_str!("challenges/data/more-workers.json"),
)];

impl Challenge {
    /// The file names the challenges are compiled from (without `.json`), in gallery order.
    pub fn file_names() -> impl Iterator<Item = &'static str> {
        FILES.iter().map(|(n, _)| *n)
    }
}

/// Every built-in challenge, in gallery order.
pub fn all() -> &'static [Challenge] {
    static ALL: OnceLock<Vec<Challenge>> = OnceLock::new();
    ALL.get_or_init(|| {
        FILES
            .iter()
            .map(|(name, text)| {
                serde_json::from_str(text).unwrap_or_else(|e| {
                    panic!("challenge {name} parses (checked by tests/it/challenges.rs): {e}")
                })
            })
            .collect()
    })
}

/// The challenge with URL slug `name`, if there is one.
pub fn by_name(name: &str) -> Option<&'static Challenge> {
    all().iter().find(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_parse_and_are_found_by_their_slug() {
        for (file, c) in Challenge::file_names().zip(all()) {
            assert_eq!(file, c.name, "a file is named after its challenge");
            assert_eq!(by_name(&c.name), Some(c));
        }
        assert_eq!(by_name(""), None);
    }
}
