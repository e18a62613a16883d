//! Challenges: a starting diagram (possibly broken), a brief, goals the engine measures, hints revealed one at
//! a time and a reference solution. "Check my design" ([`check::check`], or [`check::Check`] in slices)
//! runs the learner's diagram under the challenge's own traffic, faults and network on every seed of
//! [`CHECK_SEEDS`] and judges each goal on every seed, so a lucky seed cannot pass.
//!
//! Each challenge is one JSON file in `core/src/challenges/data/` (compiled in, or in the page fetched: see
//! [`crate::content`]), listed in [`FILES`] in gallery order; `docs/challenges.md` documents the format. `tests/tests/it/challenges.rs` checks that every
//! reference solution passes every goal and every starting diagram fails the goals it is meant to fail, over
//! these same seeds.

pub mod check;
pub mod goal;
pub mod progress;

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::content::{self, shipped};
pub use crate::curriculum::Chapter;
use crate::topology::{FaultAction, Topology};
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
const FILES: &[(&str, &str)] = &[
    (
        "more-workers",
        shipped!("core/src/challenges/data/more-workers.json"),
    ),
    (
        "faster-machine",
        shipped!("core/src/challenges/data/faster-machine.json"),
    ),
    ("dns-ttl", shipped!("core/src/challenges/data/dns-ttl.json")),
    (
        "dns-record",
        shipped!("core/src/challenges/data/dns-record.json"),
    ),
    (
        "near-data",
        shipped!("core/src/challenges/data/near-data.json"),
    ),
    ("regions", shipped!("core/src/challenges/data/regions.json")),
    (
        "add-index",
        shipped!("core/src/challenges/data/add-index.json"),
    ),
    (
        "write-heavy",
        shipped!("core/src/challenges/data/write-heavy.json"),
    ),
    ("no-spof", shipped!("core/src/challenges/data/no-spof.json")),
    (
        "read-replicas",
        shipped!("core/src/challenges/data/read-replicas.json"),
    ),
    (
        "stale-reads",
        shipped!("core/src/challenges/data/stale-reads.json"),
    ),
    (
        "shard-writes",
        shipped!("core/src/challenges/data/shard-writes.json"),
    ),
    (
        "hot-shard",
        shipped!("core/src/challenges/data/hot-shard.json"),
    ),
    (
        "denormalise",
        shipped!("core/src/challenges/data/denormalise.json"),
    ),
    (
        "scale-out",
        shipped!("core/src/challenges/data/scale-out.json"),
    ),
    (
        "lb-algorithm",
        shipped!("core/src/challenges/data/lb-algorithm.json"),
    ),
    (
        "health-checks",
        shipped!("core/src/challenges/data/health-checks.json"),
    ),
    (
        "add-cache",
        shipped!("core/src/challenges/data/add-cache.json"),
    ),
    (
        "eviction",
        shipped!("core/src/challenges/data/eviction.json"),
    ),
    (
        "stale-cache",
        shipped!("core/src/challenges/data/stale-cache.json"),
    ),
    (
        "write-behind",
        shipped!("core/src/challenges/data/write-behind.json"),
    ),
    (
        "stampede",
        shipped!("core/src/challenges/data/stampede.json"),
    ),
    ("cdn", shipped!("core/src/challenges/data/cdn.json")),
    (
        "queue-burst",
        shipped!("core/src/challenges/data/queue-burst.json"),
    ),
    ("fan-out", shipped!("core/src/challenges/data/fan-out.json")),
    (
        "block-injection",
        shipped!("core/src/challenges/data/block-injection.json"),
    ),
    ("flood", shipped!("core/src/challenges/data/flood.json")),
    (
        "gateway-auth",
        shipped!("core/src/challenges/data/gateway-auth.json"),
    ),
    ("retries", shipped!("core/src/challenges/data/retries.json")),
    (
        "rate-limit",
        shipped!("core/src/challenges/data/rate-limit.json"),
    ),
    (
        "circuit-breaker",
        shipped!("core/src/challenges/data/circuit-breaker.json"),
    ),
    (
        "bulkhead",
        shipped!("core/src/challenges/data/bulkhead.json"),
    ),
    (
        "retry-storm",
        shipped!("core/src/challenges/data/retry-storm.json"),
    ),
    (
        "gateway-routes",
        shipped!("core/src/challenges/data/gateway-routes.json"),
    ),
    (
        "gateway-limit",
        shipped!("core/src/challenges/data/gateway-limit.json"),
    ),
    (
        "idempotency",
        shipped!("core/src/challenges/data/idempotency.json"),
    ),
    (
        "partition-writes",
        shipped!("core/src/challenges/data/partition-writes.json"),
    ),
    (
        "n-plus-one",
        shipped!("core/src/challenges/data/n-plus-one.json"),
    ),
    (
        "webhook-duplicates",
        shipped!("core/src/challenges/data/webhook-duplicates.json"),
    ),
    (
        "chat-polling",
        shipped!("core/src/challenges/data/chat-polling.json"),
    ),
    (
        "presigned-uploads",
        shipped!("core/src/challenges/data/presigned-uploads.json"),
    ),
    (
        "stale-registry",
        shipped!("core/src/challenges/data/stale-registry.json"),
    ),
];

impl Challenge {
    /// The file names of the challenges (without `.json`), in gallery order.
    pub fn file_names() -> impl Iterator<Item = &'static str> {
        FILES.iter().map(|(n, _)| *n)
    }

    /// A node's label in the starting diagram (its id when it has none).
    fn label<'a>(&'a self, id: &'a str) -> &'a str {
        self.start
            .node(id)
            .filter(|n| !n.label.is_empty())
            .map_or(id, |n| n.label.as_str())
    }

    /// The check's conditions in words, from the starting diagram itself: how long each run lasts, on how
    /// many seeds, and every fault it applies.
    pub fn conditions(&self) -> Vec<String> {
        let s = &self.start.settings;
        let warmup = if s.warmup_s > 0.0 {
            format!(", the first {} s not measured", goal::sig3(s.warmup_s))
        } else {
            String::new()
        };
        let mut out = vec![format!(
            "The check runs the design for {} s{warmup}, on {} seeds.",
            goal::sig3(s.duration_s),
            CHECK_SEEDS.len()
        )];
        for f in &self.start.faults {
            let at = goal::sig3(f.at_s);
            out.push(match &f.action {
                FaultAction::Kill { node } => format!("At {at} s it kills {}.", self.label(node)),
                FaultAction::Revive { node } => {
                    format!("At {at} s {} comes back, empty.", self.label(node))
                }
                FaultAction::Slow { node, factor } if *factor == 1.0 => {
                    format!(
                        "At {at} s {} is back to its normal speed.",
                        self.label(node)
                    )
                }
                FaultAction::Slow { node, factor } => format!(
                    "At {at} s {} becomes {} times slower.",
                    self.label(node),
                    goal::sig3(*factor)
                ),
                FaultAction::CutLink { edge } => format!("At {at} s it cuts the link {edge}."),
                FaultAction::HealLink { edge } => format!("At {at} s the link {edge} works again."),
                FaultAction::Spike { factor, duration_s } => format!(
                    "At {at} s every client sends {} times its rate for {} s.",
                    goal::sig3(*factor),
                    goal::sig3(*duration_s)
                ),
                FaultAction::Partition {
                    name,
                    nodes,
                    region,
                } => {
                    let mut inside: Vec<String> =
                        nodes.iter().map(|n| self.label(n).to_string()).collect();
                    if !region.is_empty() {
                        inside.push(format!("the region {region}"));
                    }
                    format!(
                        "At {at} s the partition “{name}” cuts {} off from the rest.",
                        inside.join(", ")
                    )
                }
                FaultAction::HealPartition { name } => {
                    format!("At {at} s the partition “{name}” heals.")
                }
            });
        }
        out
    }
}

/// Every built-in challenge, in gallery order; none in the page until [`content::ready`].
pub fn all() -> &'static [Challenge] {
    static ALL: OnceLock<Vec<Challenge>> = OnceLock::new();
    if !content::ready() {
        return &[];
    }
    ALL.get_or_init(|| {
        FILES
            .iter()
            .map(|(name, file)| {
                crate::topology::read_json(content::lookup(file)).unwrap_or_else(|e| {
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

    #[test]
    fn conditions_say_the_runs_and_every_fault() {
        let c = by_name("circuit-breaker").expect("a built-in challenge");
        assert_eq!(
            c.conditions(),
            [
                "The check runs the design for 60 s, the first 5 s not measured, on 5 seeds.",
                "At 15 s Orders DB becomes 200 times slower.",
                "At 35 s Orders DB is back to its normal speed.",
            ]
        );
        let w = by_name("write-behind").expect("a built-in challenge");
        assert_eq!(
            w.conditions()[1..],
            [
                "At 30 s it kills Cache (write-behind).",
                "At 31 s Cache (write-behind) comes back, empty."
            ]
        );
        let r = by_name("retry-storm").expect("a built-in challenge");
        assert_eq!(
            r.conditions()[1],
            "At 20 s every client sends 3 times its rate for 5 s."
        );
    }
}
