//! The diagram as data: the versioned, serde-serialisable topology format documented in
//! `docs/topology-format.md`. It is the single source of truth the editor edits, the share link encodes and
//! the engine is built from. Kind-specific parameters stay a JSON object here and are decoded per kind by
//! [`crate::components::parse_params`], so a diagram with an unknown kind still loads and is diagnosed.

use serde::{Deserialize, Serialize};

use crate::dist::Dist;
use crate::resilience::{BreakerParams, HedgePolicy, RetryPolicy};
use crate::tagged;

/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// A whole diagram: global settings, nodes, edges and scheduled faults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// format version, default 1 (the only one so far)
    #[serde(default = "default_version")]
    pub version: u32,
    /// a human name for the diagram, default empty
    #[serde(default)]
    pub name: String,
    /// run-wide settings
    #[serde(default)]
    pub settings: Settings,
    /// the components, in a stable order (their order fixes engine indices and so tie-breaks)
    #[serde(default)]
    pub nodes: Vec<Node>,
    /// directed connections, caller → callee
    #[serde(default)]
    pub edges: Vec<Edge>,
    /// faults scheduled at fixed simulated times
    #[serde(default)]
    pub faults: Vec<Fault>,
}

fn default_version() -> u32 {
    FORMAT_VERSION
}

impl Default for Topology {
    fn default() -> Self {
        Topology {
            version: FORMAT_VERSION,
            name: String::new(),
            settings: Settings::default(),
            nodes: Vec::new(),
            edges: Vec::new(),
            faults: Vec::new(),
        }
    }
}

/// Reads JSON text into `T` through a `serde_json::Value`, as every parse of the page's formats does (diagrams,
/// challenges, autosaves, the content bundle): the Wasm then carries the `Value` deserializer of each type, not
/// a second one for text. Syntax errors keep their line and column; other errors have no position.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    text: &str,
) -> Result<T, serde_json::Error> {
    serde_json::from_value(serde_json::from_str::<serde_json::Value>(text)?)
}

impl Topology {
    /// Parses the JSON format. A syntax error names its line and column; a value of the wrong type or a
    /// missing or unknown field is named without a position ([`read_json`]: the text is read into a `Value`
    /// first; a key given twice counts once, the last).
    pub fn from_json(text: &str) -> Result<Topology, serde_json::Error> {
        read_json(text)
    }

    /// Pretty JSON in the documented format.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .expect("a topology has only string keys and finite-or-null numbers")
    }

    /// The node with this id, if any.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// Run-wide settings. Every field has a default, so `{}` is valid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// seed of the run's single random generator, default 1
    pub seed: u64,
    /// how long clients generate traffic [s], default 60
    pub duration_s: f64,
    /// statistics ignore requests started before this time [s], default 0
    pub warmup_s: f64,
    /// spacing of the metrics time series [s], default 1; 0 disables the series
    pub series_interval_s: f64,
    /// a request forwarded more than this many times fails (stops loops around cycles), default 16
    pub hop_limit: u32,
    /// hop records kept for animation (a ring buffer; oldest overwritten), default 4096; 0 disables tracing
    pub trace_capacity: u32,
    /// after `duration_s`, the run stops once no request is in flight, or at most this long after [s],
    /// default 120
    pub drain_limit_s: f64,
    /// link parameters for edges between nodes in the same region (an edge may override them)
    pub link: LinkDefaults,
    /// link parameters for edges between nodes in different regions (an edge may override them)
    pub inter_region_link: LinkDefaults,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            seed: 1,
            duration_s: 60.0,
            warmup_s: 0.0,
            series_interval_s: 1.0,
            hop_limit: 16,
            trace_capacity: 4096,
            drain_limit_s: 120.0,
            link: LinkDefaults {
                latency: Dist::Constant { ms: 0.5 },
                loss: 0.0,
            },
            inter_region_link: LinkDefaults {
                latency: Dist::Constant { ms: 40.0 },
                loss: 0.0,
            },
        }
    }
}

/// Default link behaviour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkDefaults {
    /// one-way latency, paid by the request and again by its response; default constant 0.5 ms in a region,
    /// 40 ms across regions
    pub latency: Dist,
    /// probability that a message (request or response) is lost [0..1], default 0
    #[serde(default)]
    pub loss: f64,
}

impl Default for LinkDefaults {
    fn default() -> Self {
        Settings::default().link
    }
}

/// A component on the canvas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// unique id, referenced by edges and faults; non-empty
    pub id: String,
    /// the kind's registry name (`client`, `load_balancer`, `server`, `database`, …)
    pub kind: String,
    /// text shown on the card, default empty (the editor then shows the id)
    #[serde(default)]
    pub label: String,
    /// where the card sits on the canvas [px], default (0, 0)
    #[serde(default)]
    pub position: Position,
    /// region name; edges between different regions use `settings.inter_region_link`, default `""`
    #[serde(default)]
    pub region: String,
    /// kind-specific parameters; omitted ones take the kind's defaults (see the format doc)
    #[serde(default)]
    pub params: serde_json::Map<String, serde_json::Value>,
}

impl Node {
    /// A node of `kind` with default parameters.
    pub fn new(id: &str, kind: &str) -> Node {
        Node {
            id: id.to_string(),
            kind: kind.to_string(),
            label: String::new(),
            position: Position::default(),
            region: String::new(),
            params: serde_json::Map::new(),
        }
    }

    /// This node with a parameter set.
    pub fn with(mut self, key: &str, value: serde_json::Value) -> Node {
        self.params.insert(key.to_string(), value);
        self
    }
}

/// A canvas position [px].
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// horizontal [px]
    pub x: f64,
    /// vertical [px]
    pub y: f64,
}

/// A directed connection: `from` calls `to`; responses travel back over the same edge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// unique id, referenced by link faults; default empty (then the edge is named `from->to`)
    #[serde(default)]
    pub id: String,
    /// the calling node's id
    pub from: String,
    /// the called node's id
    pub to: String,
    /// one-way latency; default from `settings.link` (or `settings.inter_region_link`)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Dist>,
    /// message loss probability [0..1]; default from the settings
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss: Option<f64>,
    /// the link's bandwidth in each direction [Mbit/s, 0.001..1000000]: a message then also takes its size ÷
    /// bandwidth to send, after the messages ahead of it on the link (a FIFO of bits per direction). Default
    /// none (or 0): unlimited, a message takes only the latency
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_mbps: Option<f64>,
    /// weight for a weighted-round-robin load balancer calling over this edge [positive integer], default 1
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
    /// the caller stops waiting for a call over this edge after this long [ms, > 0]; the call then fails as
    /// timed out (and may be retried). Default none: the caller waits as long as its own caller does
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<f64>,
    /// retries of failed calls over this edge, with backoff and jitter; default none
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryPolicy>,
    /// a circuit breaker on calls over this edge; default none
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaker: Option<BreakerParams>,
    /// hedged requests: a second copy of a call that has not answered after a delay; default none
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hedge: Option<HedgePolicy>,
}

impl Edge {
    /// An edge with default link parameters.
    pub fn new(from: &str, to: &str) -> Edge {
        Edge {
            id: String::new(),
            from: from.to_string(),
            to: to.to_string(),
            latency: None,
            loss: None,
            bandwidth_mbps: None,
            weight: None,
            timeout_ms: None,
            retry: None,
            breaker: None,
            hedge: None,
        }
    }

    /// Whether the edge carries a call policy (a timeout, retries, a breaker or a hedge), which share links
    /// of format v1 cannot hold.
    pub fn has_policy(&self) -> bool {
        self.timeout_ms.is_some()
            || self.retry.is_some()
            || self.breaker.is_some()
            || self.hedge.is_some()
    }

    /// The name used in messages and link faults: the id, or `from->to` when the id is empty.
    pub fn name(&self) -> String {
        if self.id.is_empty() {
            format!("{}->{}", self.from, self.to)
        } else {
            self.id.clone()
        }
    }
}

/// A fault scheduled at a simulated time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// when [s of simulated time]
    pub at_s: f64,
    /// what happens
    pub action: FaultAction,
}

/// What a fault does. JSON: `{"type": "kill", "node": "s1"}` (read by [`crate::tagged`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FaultAction {
    /// The node stops: it fails what it holds and everything that arrives, and generates nothing.
    Kill {
        /// node id
        node: String,
    },
    /// The node comes back empty.
    Revive {
        /// node id
        node: String,
    },
    /// Service times at the node are multiplied by `factor` (1 = normal speed).
    Slow {
        /// node id
        node: String,
        /// service-time multiplier [positive], e.g. 3 = three times slower
        factor: f64,
    },
    /// The link is partitioned: sending over it fails at once (connection refused), and responses already
    /// on their way back over it are lost.
    CutLink {
        /// edge id (or `from->to`)
        edge: String,
    },
    /// The link works again.
    HealLink {
        /// edge id (or `from->to`)
        edge: String,
    },
    /// A traffic spike: every client sends `factor` times its rate for `duration_s` seconds from the fault's
    /// time, then returns to its own rate.
    Spike {
        /// rate multiplier [> 0], e.g. 5
        factor: f64,
        /// how long the spike lasts [s of simulated time, > 0]
        duration_s: f64,
    },
    /// A network partition: every link between the boundary's inside — the listed nodes and every node in
    /// `region` — and the rest of the diagram is cut (as `cut_link` cuts one), until a `heal_partition` of the
    /// same name. A replicated store whose replicas sit in several regions is split too: its replicas on
    /// either side go on talking to their own side only. At least one of `nodes` and `region` is given.
    Partition {
        /// the partition's name, which `heal_partition` names [non-empty]; applying a name already in force
        /// moves its boundary
        name: String,
        /// ids of the nodes inside the boundary, default none
        #[serde(skip_serializing_if = "Vec::is_empty")]
        nodes: Vec<String>,
        /// a region inside the boundary (every node and replica placed there), default none
        #[serde(skip_serializing_if = "String::is_empty")]
        region: String,
    },
    /// The partition of this name heals: its links work again (a partition not in force: nothing happens).
    HealPartition {
        /// the partition's name
        name: String,
    },
}

static FAULT_ACTION: tagged::Shape = tagged::Shape {
    name: "FaultAction",
    tag: "type",
    variants: &[
        "kill",
        "revive",
        "slow",
        "cut_link",
        "heal_link",
        "spike",
        "partition",
        "heal_partition",
    ],
    fields: Some(&[
        &["node"],
        &["node"],
        &["node", "factor"],
        &["edge"],
        &["edge"],
        &["factor", "duration_s"],
        &["name", "nodes", "region"],
        &["name"],
    ]),
};

impl<'de> Deserialize<'de> for FaultAction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        tagged::read(d, &FAULT_ACTION, |variant, f| {
            Ok(match variant {
                0 => FaultAction::Kill {
                    node: f.req("node")?,
                },
                1 => FaultAction::Revive {
                    node: f.req("node")?,
                },
                2 => FaultAction::Slow {
                    node: f.req("node")?,
                    factor: f.req("factor")?,
                },
                3 => FaultAction::CutLink {
                    edge: f.req("edge")?,
                },
                4 => FaultAction::HealLink {
                    edge: f.req("edge")?,
                },
                5 => FaultAction::Spike {
                    factor: f.req("factor")?,
                    duration_s: f.req("duration_s")?,
                },
                6 => FaultAction::Partition {
                    name: f.req("name")?,
                    nodes: f.or("nodes", Vec::new)?,
                    region: f.or("region", String::new)?,
                },
                _ => FaultAction::HealPartition {
                    name: f.req("name")?,
                },
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_through_a_value_gives_what_reading_directly_gives() {
        // Every shipped diagram goes through `from_json` in the golden test; here the two readers are compared
        // on the fixture, whose floats and nesting cover the format.
        let direct: Topology =
            serde_json::from_str(crate::fixtures::THREE_TIER_JSON).expect("parses");
        assert_eq!(
            Topology::from_json(crate::fixtures::THREE_TIER_JSON).ok(),
            Some(direct)
        );
    }

    #[test]
    fn a_syntax_error_names_its_line_and_column_and_a_type_error_its_problem() {
        let e = Topology::from_json("{\n  \"name\": \"x\",\n  \"nodes\": [ }").unwrap_err();
        assert!(e.to_string().contains("line 3 column"), "{e}");
        let e = Topology::from_json(r#"{"version": 1, "name": 3, "nodes": [], "edges": []}"#)
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("invalid type: integer `3`, expected a string"),
            "{e}"
        );
    }
}
