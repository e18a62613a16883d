//! Random diagrams for the fuzz harness (`fuzz.rs`) and the limits tests (`limits.rs`): every kind in the
//! registry, parameters reached the way the inspector reaches them (optional objects added, every variant of a
//! distribution, arrival or key law chosen) and then set to their documented bounds, anywhere in between, or —
//! when `wild` — past them; cycles and self-loops; every fault and spikes; call policies on edges; ids, labels,
//! regions and text that carry markup payloads. Deterministic: everything comes from one [`SimRng`].

use playground_core::components::{KINDS, Kind};
use playground_core::editor::edge_defaults;
use playground_core::editor::schema::{self, Control, EditValue, FieldValue};
use playground_core::limits;
use playground_core::regions::REGIONS;
use playground_core::rng::SimRng;
use playground_core::vocab::Vocab;
use playground_core::{Edge, Fault, FaultAction, Node, Position, Topology};
use serde_json::{Map, Value};

/// Script and markup that must only ever show as text (the payload e2e test uses the same ones).
pub const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"><svg onload=alert(1)>",
    "javascript:alert(1)",
    "</text><script>alert(1)</script>",
    "{{7*7}} ${7*7} <b>bold</b>",
    "'; DROP TABLE nodes; --",
    "Ω≈ç√ 🙂 \u{202e}reversed",
];

/// Numbers that are past every documented range or awkward for a parser.
const WILD_NUMBERS: &[f64] = &[
    -1.0,
    -0.0,
    1e308,
    -1e308,
    4_294_967_296.0,
    18_446_744_073_709_551_615.0,
    1e-300,
    5e-324,
    0.5,
    1e15,
    60_000_000.0,
];

/// A draw in `0..n`.
pub fn below(rng: &mut SimRng, n: usize) -> usize {
    rng.below(n.max(1) as u64) as usize
}

/// One of `items`.
pub fn pick<'a, T>(rng: &mut SimRng, items: &'a [T]) -> &'a T {
    &items[below(rng, items.len())]
}

/// How parameters are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// within the documented ranges (bounds included): the diagram should build and run
    InRange,
    /// anything, past the ranges and of the wrong type too: the diagram must be diagnosed, never crash
    Wild,
}

/// A number for the parameter `name` (the last segment of its path): its bound, a value in range, the
/// current one scaled, zero, or — wild — something past every range.
fn number(rng: &mut SimRng, name: &str, integer: bool, current: f64, mode: Mode) -> Option<f64> {
    let limit = limits::param(name);
    let (lo, hi) = limit.map_or((0.0, current.max(1.0) * 8.0), |l| (l.min, l.max));
    let x = match below(rng, 20) {
        0..=8 => return None,
        9 | 10 => lo,
        11 | 12 => hi,
        13..=15 => {
            // Log-uniform over the range, so small and large values are both common.
            let a = lo.max(1e-3);
            let b = hi.max(a);
            (a.ln() + rng.unit() * (b.ln() - a.ln())).exp()
        }
        16 | 17 => current * 4.0 * rng.unit(),
        18 => 0.0,
        _ if mode == Mode::Wild => *pick(rng, WILD_NUMBERS),
        _ => return None,
    };
    let x = if mode == Mode::InRange {
        x.clamp(lo, hi)
    } else {
        x
    };
    Some(if integer && mode == Mode::InRange {
        x.round().clamp(lo, hi)
    } else {
        x
    })
}

fn json_number(x: f64, integer: bool) -> Value {
    if integer && x >= 0.0 && x.fract() == 0.0 && x < 1.8e19 {
        Value::from(x as u64)
    } else if integer && x.fract() == 0.0 && x > -9.2e18 && x < 0.0 {
        Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

/// Sets the value at a dotted path inside a parameter object (the path must exist).
pub fn set_path(params: &mut Map<String, Value>, path: &str, value: Value) -> bool {
    let mut parts = path.split('.');
    let Some(first) = parts.next() else {
        return false;
    };
    let Some(mut at) = params.get_mut(first) else {
        return false;
    };
    for p in parts {
        match at.as_object_mut().and_then(|o| o.get_mut(p)) {
            Some(next) => at = next,
            None => return false,
        }
    }
    *at = value;
    true
}

/// The vocabulary of the parameter object whose defaults are `defaults`: a kind's, or else an edge's.
pub fn vocab_of(defaults: &Map<String, Value>) -> &'static Vocab {
    playground_core::KINDS
        .iter()
        .find(|k| k.kind.default_params() == *defaults)
        .map_or(&playground_core::editor::EDGE_VOCAB, |k| k.vocab)
}

/// The inspector's rows for `current` over `defaults`.
fn rows(defaults: &Map<String, Value>, current: &Map<String, Value>) -> Vec<schema::Field> {
    schema::fields(vocab_of(defaults), defaults, current)
}

/// Adds optional objects (retry, budget, breaker, idempotency, rate limit) and switches choices (variants of a
/// distribution, arrival or key law, strategies, policies), each with probability `p`, as the inspector would.
pub fn reshape(
    rng: &mut SimRng,
    defaults: &Map<String, Value>,
    current: &mut Map<String, Value>,
    p: f64,
) {
    // Twice: a retry policy's budget appears once the policy is there.
    for _ in 0..2 {
        for f in rows(defaults, current) {
            let edit = match &f.control {
                Control::Optional if f.value == FieldValue::Bool(false) && rng.chance(p) => {
                    EditValue::Bool(true)
                }
                Control::Choice { choices, .. } if rng.chance(p) => {
                    EditValue::Text(pick(rng, choices).clone())
                }
                _ => continue,
            };
            if let Ok(next) =
                schema::apply_edit(vocab_of(defaults), defaults, current, &f.path, &edit)
            {
                *current = next;
            }
        }
    }
}

/// The numeric rows of a parameter object: (dotted path, whole numbers only).
pub fn numeric_paths(
    defaults: &Map<String, Value>,
    current: &Map<String, Value>,
) -> Vec<(String, bool)> {
    rows(defaults, current)
        .into_iter()
        .filter_map(|f| match f.control {
            Control::Number { integer, .. } => Some((f.path, integer)),
            _ => None,
        })
        .collect()
}

/// The current value at a dotted path as a number (0 when empty).
pub fn value_at(params: &Map<String, Value>, path: &str) -> f64 {
    let mut parts = path.split('.');
    let first = parts.next().unwrap_or_default();
    let mut at = params.get(first);
    for p in parts {
        at = at.and_then(|v| v.get(p));
    }
    at.and_then(Value::as_f64).unwrap_or(0.0)
}

/// Parameters for a node of `kind` (or an edge, with `edge_defaults()`): reshaped, then numbers drawn.
pub fn params(rng: &mut SimRng, defaults: &Map<String, Value>, mode: Mode) -> Map<String, Value> {
    let mut p = Map::new();
    reshape(rng, defaults, &mut p, 0.25);
    // Fill what the reshaping left implicit, so every numeric row is present to be set.
    let mut full = defaults.clone();
    for (k, v) in &p {
        full.insert(k.clone(), v.clone());
    }
    for (path, integer) in numeric_paths(defaults, &full) {
        let name = path.rsplit('.').next().unwrap_or(&path).to_string();
        let current = value_at(&full, &path);
        if let Some(x) = number(rng, &name, integer, current, mode) {
            let top = path.split('.').next().unwrap_or(&path).to_string();
            if let Some(v) = full.get(&top).cloned() {
                p.insert(top, v);
            }
            set_path(&mut p, &path, json_number(x, integer));
        }
    }
    // Free text: hostnames and labels may carry payloads; a wild diagram may break the tables too.
    for f in rows(defaults, &p) {
        if let Control::Text { .. } = f.control {
            let text = match (f.path.as_str(), mode) {
                ("hostname", _) if rng.chance(0.2) => pick(rng, PAYLOADS).to_string(),
                (_, Mode::Wild) if rng.chance(0.1) => pick(rng, PAYLOADS).to_string(),
                _ => continue,
            };
            p.insert(f.path.clone(), Value::String(text));
        }
    }
    if mode == Mode::Wild && rng.chance(0.05) {
        p.insert("no_such_parameter".into(), Value::from(1));
    }
    if mode == Mode::InRange {
        for v in p.values_mut() {
            tie(v);
        }
        // A primary failure needs a replica to promote.
        if p.get("primary_failure_s").is_some_and(|v| !v.is_null())
            && p.get("replicas").and_then(Value::as_u64).unwrap_or(0) == 0
        {
            p.insert("replicas".into(), Value::from(1));
        }
    }
    p
}

/// Puts tied fields in order, as a person would: a uniform's ends, a backoff's base and cap, a Zipf law's
/// key count (at most 1 000 000).
fn tie(v: &mut Value) {
    let Some(o) = v.as_object_mut() else {
        return;
    };
    for (lo, hi) in [("min_ms", "max_ms"), ("base_ms", "cap_ms")] {
        if let (Some(a), Some(b)) = (
            o.get(lo).and_then(Value::as_f64),
            o.get(hi).and_then(Value::as_f64),
        ) && a > b
        {
            o.insert(lo.into(), json_number(b, false));
            o.insert(hi.into(), json_number(a, false));
        }
    }
    if o.get("type").and_then(Value::as_str) == Some("zipf")
        && o.get("count").and_then(Value::as_u64).unwrap_or(0) > 1_000_000
    {
        o.insert("count".into(), Value::from(1_000_000u64));
    }
    for child in o.values_mut() {
        tie(child);
    }
}

/// What a drawn diagram may be.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// most nodes (at least 2)
    pub max_nodes: usize,
    /// parameters in range or anything
    pub mode: Mode,
    /// longest traffic duration [s]
    pub max_duration_s: f64,
}

/// A random diagram: the first node a client, kinds from the whole registry, edges mostly the allowed ones
/// (with cycles and self-loops), call policies, faults of every type, and settings drawn too.
pub fn diagram(rng: &mut SimRng, shape: Shape) -> Topology {
    let n = 2 + below(rng, shape.max_nodes.max(2) - 1);
    let wild = shape.mode == Mode::Wild;
    let mut t = Topology {
        name: if rng.chance(0.2) {
            pick(rng, PAYLOADS).to_string()
        } else {
            format!("fuzz {}", rng.next_u64() % 1000)
        },
        ..Topology::default()
    };
    let mut kinds = Vec::with_capacity(n);
    for i in 0..n {
        let kind = if i == 0 {
            Kind::Client
        } else {
            pick(rng, KINDS).kind
        };
        kinds.push(kind);
        let id = if rng.chance(0.1) {
            format!("{}{i}", pick(rng, PAYLOADS))
        } else {
            format!("n{i}")
        };
        let mut node = Node::new(&id, kind.name());
        if rng.chance(0.3) {
            node.label = pick(rng, PAYLOADS).to_string();
        }
        node.region = match below(rng, 6) {
            0 => pick(rng, REGIONS).to_string(),
            1 if wild => pick(rng, PAYLOADS).to_string(),
            _ => String::new(),
        };
        let span = if wild && rng.chance(0.1) { 1e7 } else { 2000.0 };
        node.position = Position {
            x: (rng.unit() - 0.5) * span,
            y: (rng.unit() - 0.5) * span,
        };
        node.params = params(rng, &kind.default_params(), shape.mode);
        t.nodes.push(node);
    }
    // Edges: the allowed ones from a random pair, a self-loop now and then, and — wild — any pair.
    let m = below(rng, 3 * n + 1);
    for _ in 0..m {
        let (a, b) = if rng.chance(0.05) {
            let a = below(rng, n);
            (a, a)
        } else {
            (below(rng, n), below(rng, n))
        };
        let refused_allowed = wild && rng.chance(0.2);
        if !kinds[a].may_connect_to(kinds[b]) && !refused_allowed {
            continue;
        }
        let mut e = Edge::new(&t.nodes[a].id, &t.nodes[b].id);
        if rng.chance(0.5) {
            e.id = format!("e{}", t.edges.len());
        }
        if rng.chance(0.3) {
            let p = params(rng, &edge_defaults(), shape.mode);
            e = edge_with(&e, &p).unwrap_or(e);
        }
        t.edges.push(e);
    }
    // Keep edge names unique unless wild (a duplicate is a validation error, tested elsewhere).
    if !wild {
        let mut seen = std::collections::BTreeSet::new();
        t.edges.retain(|e| seen.insert(e.name()));
    }
    let duration = shape.max_duration_s * (0.05 + 0.95 * rng.unit());
    for _ in 0..below(rng, 5) {
        let node = t.nodes[below(rng, n)].id.clone();
        let edge = t
            .edges
            .get(below(rng, t.edges.len().max(1)))
            .map(Edge::name);
        let factor = *pick(rng, &[0.001, 0.5, 3.0, 10.0, 1000.0]);
        // Partitions: around a node or a region, under one of two names, healed by name.
        let name = format!("p{}", below(rng, 2));
        let action = match (below(rng, 8), edge) {
            (0, _) => FaultAction::Kill { node },
            (1, _) => FaultAction::Revive { node },
            (2, _) => FaultAction::Slow { node, factor },
            (3, Some(edge)) => FaultAction::CutLink { edge },
            (4, Some(edge)) => FaultAction::HealLink { edge },
            (5, _) if rng.chance(0.5) => FaultAction::Partition {
                name,
                nodes: vec![node],
                region: String::new(),
            },
            (5, _) => FaultAction::Partition {
                name,
                nodes: Vec::new(),
                region: pick(rng, &["us-east", "eu-west", "ap-southeast"]).to_string(),
            },
            (6, _) => FaultAction::HealPartition { name },
            _ => FaultAction::Spike {
                factor,
                duration_s: duration * rng.unit() + 0.001,
            },
        };
        t.faults.push(Fault {
            at_s: duration * rng.unit(),
            action,
        });
    }
    let s = &mut t.settings;
    s.seed = rng.next_u64();
    s.duration_s = duration;
    s.warmup_s = if rng.chance(0.3) {
        duration * rng.unit()
    } else {
        0.0
    };
    s.drain_limit_s = 5.0 * rng.unit();
    s.series_interval_s = *pick(rng, &[0.0, 0.01, 0.1, 1.0]);
    s.hop_limit = 1 + below(rng, 32) as u32;
    s.trace_capacity = if rng.chance(0.02) {
        1_000_000
    } else {
        below(rng, 5000) as u32
    };
    if wild && rng.chance(0.2) {
        match below(rng, 5) {
            0 => s.duration_s = *pick(rng, WILD_NUMBERS),
            1 => s.trace_capacity = u32::MAX,
            2 => s.hop_limit = 0,
            3 => s.drain_limit_s = 1e308,
            _ => s.series_interval_s = 1e-9,
        }
    }
    t
}

/// `e` with the inspector's edge parameters `p` (link and call policy), when they decode.
fn edge_with(e: &Edge, p: &Map<String, Value>) -> Option<Edge> {
    let mut obj = serde_json::json!({ "id": e.id, "from": e.from, "to": e.to });
    let o = obj.as_object_mut()?;
    for (k, v) in p {
        if !v.is_null() {
            o.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(obj).ok()
}
