//! Share format v1: the binary layout of a [`Topology`] before compression (see `docs/share-format.md`).
//!
//! ```text
//! payload  = varint version · text name · settings · nodes · edges · faults        (nothing may follow)
//! settings = varint mask · the fields whose bit is set, in field order             (others: V1 baseline)
//! nodes    = count n · n×name id · n×text kind · n×name label · n×text region
//!            · varint grid · n×(coord x, coord y) · n×object params                 (column by column)
//! edges    = count m · m×ref from · m×ref to · m×flags
//!            · ids (flag id mode 3) · latencies · losses · weights                  (column by column)
//! faults   = count k · k×(float at_s · tag · target [· float factor]); tags 5 (spike), 6 (partition: name,
//!            region, count · refs) and 7 (heal_partition: name) came after v1 shipped, so older links hold none
//! ref      = varint i: i < n is node i's id; i = n is a text that follows; i > n is invalid
//! ```
//!
//! Columns instead of records put alike bytes next to each other (all kinds, then all labels, …), which is
//! what deflate's back-references feed on. Architecture invariant: once released, this layout and
//! [`v1_baseline`] never change; a new field means a v2 module beside this one, and this decoder stays.

use std::collections::BTreeMap;

use serde_json::{Map, Number, Value};

use super::ShareError;
use super::wire::{Counter, Reader, Writer, garbled};
use crate::dist::Dist;
use crate::topology::{Edge, Fault, FaultAction, LinkDefaults, Node, Position, Settings, Topology};

/// Deepest nesting of arrays and objects inside node parameters a link may carry; real parameters nest two
/// levels (`service_time.type`), and the cap keeps a hostile link from exhausting the stack.
const MAX_VALUE_DEPTH: usize = 32;

/// Edge flag bits: which optional link overrides follow, and how the edge id is stored.
const HAS_LATENCY: u8 = 1;
const HAS_LOSS: u8 = 1 << 1;
const HAS_WEIGHT: u8 = 1 << 2;
const ID_SHIFT: u8 = 3;
/// id mode: empty
const ID_EMPTY: u8 = 0;
/// id mode: `{from}-{to}`
const ID_DASH: u8 = 1;
/// id mode: `{from}->{to}`
const ID_ARROW: u8 = 2;
/// id mode: written out as a name
const ID_EXPLICIT: u8 = 3;
const KNOWN_EDGE_FLAGS: u8 = HAS_LATENCY | HAS_LOSS | HAS_WEIGHT | (3 << ID_SHIFT);

/// JSON value tags.
const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const UINT: u8 = 3;
const NEG_INT: u8 = 4;
const FLOAT: u8 = 5;
const STRING: u8 = 6;
const ARRAY: u8 = 7;
const OBJECT: u8 = 8;

/// The settings a v1 link leaves out when equal. Written as literals, not `Settings::default()`: a link made
/// today must decode to the same settings even after the application's defaults change.
pub(crate) fn v1_baseline() -> Settings {
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

/// The v1 payload of `t`.
pub(crate) fn encode(t: &Topology) -> Vec<u8> {
    write(t).into_bytes()
}

/// `t` in the v1 layout, left open for a later version to append to.
pub(crate) fn write(t: &Topology) -> Writer {
    // Destructured so that a new field is a compile error here: the share format has to decide how to carry
    // it (a v2), or links would silently drop it.
    let Topology {
        version,
        name,
        settings,
        nodes,
        edges,
        faults,
    } = t;
    let mut w = Writer::default();
    w.varint(u64::from(*version));
    w.text(name);
    write_settings(&mut w, settings);

    // First index of each id: edges and faults point at nodes by index, which is what keeps 240 edges small.
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        index.entry(n.id.as_str()).or_insert(i);
    }
    write_nodes(&mut w, nodes);
    write_edges(&mut w, edges, &index, nodes.len());
    w.len(faults.len());
    let (mut refs, mut edge_names) = (Counter::default(), Counter::default());
    let mut partition_names = Counter::default();
    for f in faults {
        let Fault { at_s, action } = f;
        w.f64(*at_s);
        match action {
            FaultAction::Kill { node } => {
                w.byte(0);
                write_ref(&mut w, node, &index, nodes.len(), &mut refs);
            }
            FaultAction::Revive { node } => {
                w.byte(1);
                write_ref(&mut w, node, &index, nodes.len(), &mut refs);
            }
            FaultAction::Slow { node, factor } => {
                w.byte(2);
                write_ref(&mut w, node, &index, nodes.len(), &mut refs);
                w.f64(*factor);
            }
            FaultAction::CutLink { edge } => {
                w.byte(3);
                w.name(edge, &mut edge_names);
            }
            FaultAction::HealLink { edge } => {
                w.byte(4);
                w.name(edge, &mut edge_names);
            }
            FaultAction::Spike { factor, duration_s } => {
                w.byte(5);
                w.f64(*factor);
                w.f64(*duration_s);
            }
            FaultAction::Partition {
                name,
                nodes: inside,
                region,
            } => {
                w.byte(6);
                w.name(name, &mut partition_names);
                w.text(region);
                w.len(inside.len());
                for id in inside {
                    write_ref(&mut w, id, &index, nodes.len(), &mut refs);
                }
            }
            FaultAction::HealPartition { name } => {
                w.byte(7);
                w.name(name, &mut partition_names);
            }
        }
    }
    w
}

/// The topology in a v1 payload. Structural checks (references in range) happen here; semantic ones are
/// the caller's.
pub(crate) fn decode(bytes: &[u8], budget: usize) -> Result<Topology, ShareError> {
    let mut r = Reader::new(bytes, budget);
    let t = read(&mut r)?;
    r.finish()?;
    Ok(t)
}

/// A topology in the v1 layout from `r`, which a later version may go on reading.
pub(crate) fn read(r: &mut Reader) -> Result<Topology, ShareError> {
    let version = r.u32("the topology version")?;
    let name = r.text()?;
    let settings = read_settings(r)?;
    let nodes = read_nodes(r)?;
    let edges = read_edges(r, &nodes)?;
    // Each fault takes at least a float, a tag and a target.
    let n = r.count(3, "faults")?;
    if n > crate::limits::MAX_FAULTS {
        return Err(over_limit(0, 0, n));
    }
    r.charge(n.saturating_mul(std::mem::size_of::<Fault>()))?;
    let mut faults = Vec::with_capacity(n);
    let (mut refs, mut edge_names) = (Counter::default(), Counter::default());
    let mut partition_names = Counter::default();
    for _ in 0..n {
        let at_s = r.f64()?;
        let action = match r.byte()? {
            0 => FaultAction::Kill {
                node: read_ref(r, &nodes, "a fault", &mut refs)?,
            },
            1 => FaultAction::Revive {
                node: read_ref(r, &nodes, "a fault", &mut refs)?,
            },
            2 => FaultAction::Slow {
                node: read_ref(r, &nodes, "a fault", &mut refs)?,
                factor: r.f64()?,
            },
            3 => FaultAction::CutLink {
                edge: r.name(&mut edge_names)?,
            },
            4 => FaultAction::HealLink {
                edge: r.name(&mut edge_names)?,
            },
            5 => FaultAction::Spike {
                factor: r.f64()?,
                duration_s: r.f64()?,
            },
            6 => {
                let name = r.name(&mut partition_names)?;
                let region = r.text()?;
                // Each node of the boundary takes at least one byte.
                let k = r.count(1, "partition nodes")?;
                r.charge(k.saturating_mul(std::mem::size_of::<String>()))?;
                let mut inside = Vec::with_capacity(k);
                for _ in 0..k {
                    inside.push(read_ref(r, &nodes, "a partition", &mut refs)?);
                }
                FaultAction::Partition {
                    name,
                    nodes: inside,
                    region,
                }
            }
            7 => FaultAction::HealPartition {
                name: r.name(&mut partition_names)?,
            },
            tag => return Err(garbled(format!("unknown fault type {tag}"))),
        };
        faults.push(Fault { at_s, action });
    }
    Ok(Topology {
        version,
        name,
        settings,
        nodes,
        edges,
        faults,
    })
}

fn write_settings(w: &mut Writer, s: &Settings) {
    let Settings {
        seed,
        duration_s,
        warmup_s,
        series_interval_s,
        hop_limit,
        trace_capacity,
        drain_limit_s,
        link,
        inter_region_link,
    } = s;
    let b = v1_baseline();
    // Bits compare exactly (to_bits), so −0 or a NaN is never mistaken for the baseline.
    let differs = [
        *seed != b.seed,
        duration_s.to_bits() != b.duration_s.to_bits(),
        warmup_s.to_bits() != b.warmup_s.to_bits(),
        series_interval_s.to_bits() != b.series_interval_s.to_bits(),
        *hop_limit != b.hop_limit,
        *trace_capacity != b.trace_capacity,
        drain_limit_s.to_bits() != b.drain_limit_s.to_bits(),
        !same_link(link, &b.link),
        !same_link(inter_region_link, &b.inter_region_link),
    ];
    let mask = differs
        .iter()
        .enumerate()
        .fold(0u64, |m, (i, &d)| if d { m | (1 << i) } else { m });
    w.varint(mask);
    if differs[0] {
        w.varint(*seed);
    }
    for (i, x) in [(1, duration_s), (2, warmup_s), (3, series_interval_s)] {
        if differs[i] {
            w.f64(*x);
        }
    }
    if differs[4] {
        w.varint(u64::from(*hop_limit));
    }
    if differs[5] {
        w.varint(u64::from(*trace_capacity));
    }
    if differs[6] {
        w.f64(*drain_limit_s);
    }
    for (i, l) in [(7, link), (8, inter_region_link)] {
        if differs[i] {
            write_dist(w, &l.latency);
            w.f64(l.loss);
        }
    }
}

fn read_settings(r: &mut Reader) -> Result<Settings, ShareError> {
    let mask = r.varint()?;
    if mask >> 9 != 0 {
        return Err(garbled("unknown settings are present"));
    }
    let has = |i: u32| mask & (1 << i) != 0;
    let mut s = v1_baseline();
    if has(0) {
        s.seed = r.varint()?;
    }
    if has(1) {
        s.duration_s = r.f64()?;
    }
    if has(2) {
        s.warmup_s = r.f64()?;
    }
    if has(3) {
        s.series_interval_s = r.f64()?;
    }
    if has(4) {
        s.hop_limit = r.u32("the hop limit")?;
    }
    if has(5) {
        s.trace_capacity = r.u32("the trace capacity")?;
    }
    if has(6) {
        s.drain_limit_s = r.f64()?;
    }
    if has(7) {
        s.link = LinkDefaults {
            latency: read_dist(r)?,
            loss: r.f64()?,
        };
    }
    if has(8) {
        s.inter_region_link = LinkDefaults {
            latency: read_dist(r)?,
            loss: r.f64()?,
        };
    }
    Ok(s)
}

fn same_link(a: &LinkDefaults, b: &LinkDefaults) -> bool {
    a.loss.to_bits() == b.loss.to_bits() && same_dist(&a.latency, &b.latency)
}

/// Exact equality, NaN and −0 included.
fn same_dist(a: &Dist, b: &Dist) -> bool {
    let bits = |d: &Dist| -> (u8, Vec<u64>) {
        let (tag, values) = dist_parts(d);
        (tag, values.iter().map(|v| v.to_bits()).collect())
    };
    bits(a) == bits(b)
}

/// The tag and parameters of a distribution, in the order the format stores them.
fn dist_parts(d: &Dist) -> (u8, Vec<f64>) {
    match *d {
        Dist::Constant { ms } => (0, vec![ms]),
        Dist::Exponential { mean_ms } => (1, vec![mean_ms]),
        Dist::Uniform { min_ms, max_ms } => (2, vec![min_ms, max_ms]),
        Dist::LogNormal { median_ms, sigma } => (3, vec![median_ms, sigma]),
        Dist::Bimodal {
            fast_ms,
            slow_ms,
            slow_probability,
        } => (4, vec![fast_ms, slow_ms, slow_probability]),
    }
}

fn write_dist(w: &mut Writer, d: &Dist) {
    let (tag, values) = dist_parts(d);
    w.byte(tag);
    for v in values {
        w.f64(v);
    }
}

fn read_dist(r: &mut Reader) -> Result<Dist, ShareError> {
    Ok(match r.byte()? {
        0 => Dist::Constant { ms: r.f64()? },
        1 => Dist::Exponential { mean_ms: r.f64()? },
        2 => Dist::Uniform {
            min_ms: r.f64()?,
            max_ms: r.f64()?,
        },
        3 => Dist::LogNormal {
            median_ms: r.f64()?,
            sigma: r.f64()?,
        },
        4 => Dist::Bimodal {
            fast_ms: r.f64()?,
            slow_ms: r.f64()?,
            slow_probability: r.f64()?,
        },
        tag => return Err(garbled(format!("unknown distribution type {tag}"))),
    })
}

fn write_nodes(w: &mut Writer, nodes: &[Node]) {
    w.len(nodes.len());
    let mut column = Counter::default();
    for n in nodes {
        w.name(&n.id, &mut column);
    }
    for n in nodes {
        w.text(&n.kind);
    }
    let mut column = Counter::default();
    for n in nodes {
        w.name(&n.label, &mut column);
    }
    for n in nodes {
        w.text(&n.region);
    }
    let grid = grid_of(nodes);
    w.varint(grid);
    for n in nodes {
        write_coord(w, n.position.x, grid);
        write_coord(w, n.position.y, grid);
    }
    for n in nodes {
        write_object(w, &n.params);
    }
}

fn read_nodes(r: &mut Reader) -> Result<Vec<Node>, ShareError> {
    // Each node takes at least 9 bytes: 2 for the id, 1 kind, 2 label, 1 region, 2 coordinates, 1 params.
    let n = r.count(9, "nodes")?;
    if n > crate::limits::MAX_NODES {
        return Err(over_limit(n, 0, 0));
    }
    r.charge(n.saturating_mul(std::mem::size_of::<Node>()))?;
    let mut ids = Vec::with_capacity(n);
    let mut column = Counter::default();
    for _ in 0..n {
        ids.push(r.name(&mut column)?);
    }
    let mut kinds = Vec::with_capacity(n);
    for _ in 0..n {
        kinds.push(r.text()?);
    }
    let mut labels = Vec::with_capacity(n);
    let mut column = Counter::default();
    for _ in 0..n {
        labels.push(r.name(&mut column)?);
    }
    let mut regions = Vec::with_capacity(n);
    for _ in 0..n {
        regions.push(r.text()?);
    }
    let grid = r.varint()?;
    if grid == 0 || grid > MAX_GRID {
        return Err(garbled("the position grid is invalid"));
    }
    let mut positions = Vec::with_capacity(n);
    for _ in 0..n {
        let x = read_coord(r, grid)?;
        let y = read_coord(r, grid)?;
        positions.push(Position { x, y });
    }
    let mut nodes = Vec::with_capacity(n);
    for ((((id, kind), label), region), position) in ids
        .into_iter()
        .zip(kinds)
        .zip(labels)
        .zip(regions)
        .zip(positions)
    {
        let params = read_object(r, 0)?;
        nodes.push(Node {
            id,
            kind,
            label,
            position,
            region,
            params,
        });
    }
    Ok(nodes)
}

/// Largest grid step the format allows [px]; it keeps `k · grid` exact in i64 and f64 arithmetic.
const MAX_GRID: u64 = 1 << 20;

/// Largest magnitude of a coordinate stored on the grid [px]: every integer up to 2^53 is an exact f64.
const MAX_GRID_COORD: f64 = 9_007_199_254_740_992.0;

/// Whether `x` is an integer the grid encoding reproduces exactly (−0 is not: its sign would be lost).
fn on_integer(x: f64) -> bool {
    x.is_finite()
        && x.fract() == 0.0
        && x.abs() <= MAX_GRID_COORD
        && !(x == 0.0 && x.is_sign_negative())
}

/// The grid the positions sit on: the greatest common divisor of the integral coordinates (an editor snaps
/// to one, e.g. 20 px), so that `480` is stored as `24`. 1 when nothing is on a coarser grid.
fn grid_of(nodes: &[Node]) -> u64 {
    let mut g = 0u64;
    for n in nodes {
        for v in [n.position.x, n.position.y] {
            if on_integer(v) {
                g = gcd(g, v.abs() as u64);
            }
        }
    }
    if g == 0 || g > MAX_GRID { 1 } else { g }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A coordinate: `zigzag(x / grid) << 1` when it is a multiple of the grid, else `1` and a float.
fn write_coord(w: &mut Writer, x: f64, grid: u64) {
    if on_integer(x) {
        let v = x as i64;
        // grid ≤ 2^20 so it converts exactly.
        let g = grid as i64;
        if v % g == 0 {
            w.varint(super::wire::zigzag(v / g) << 1);
            return;
        }
    }
    w.varint(1);
    w.f64(x);
}

fn read_coord(r: &mut Reader, grid: u64) -> Result<f64, ShareError> {
    let h = r.varint()?;
    if h == 1 {
        return r.f64();
    }
    if h & 1 == 1 {
        return Err(garbled("a position is malformed"));
    }
    let k = super::wire::unzigzag(h >> 1);
    let g = i64::try_from(grid).map_err(|_| garbled("the position grid is invalid"))?;
    let v = k
        .checked_mul(g)
        .filter(|v| v.unsigned_abs() <= 1 << 53)
        .ok_or_else(|| garbled("a position is out of range"))?;
    Ok(v as f64)
}

/// A node reference: its index, or the node count (one past the last index) and the id as a name when no
/// node has that id (a dangling edge in a half-built diagram).
fn write_ref(
    w: &mut Writer,
    id: &str,
    index: &BTreeMap<&str, usize>,
    n: usize,
    names: &mut Counter,
) {
    match index.get(id) {
        Some(&i) => w.len(i),
        None => {
            w.len(n);
            w.name(id, names);
        }
    }
}

fn read_ref(
    r: &mut Reader,
    nodes: &[Node],
    what: &str,
    names: &mut Counter,
) -> Result<String, ShareError> {
    let i = r.varint()?;
    let n = nodes.len() as u64;
    if i == n {
        return r.name(names);
    }
    let node = usize::try_from(i)
        .ok()
        .and_then(|i| nodes.get(i))
        .ok_or_else(|| {
            ShareError::InvalidTopology(format!(
                "{what} refers to node #{i}, but the diagram has only {n} nodes"
            ))
        })?;
    r.charge(node.id.len())?;
    Ok(node.id.clone())
}

fn write_edges(w: &mut Writer, edges: &[Edge], index: &BTreeMap<&str, usize>, n: usize) {
    w.len(edges.len());
    let mut names = Counter::default();
    for e in edges {
        write_ref(w, &e.from, index, n, &mut names);
    }
    for e in edges {
        write_ref(w, &e.to, index, n, &mut names);
    }
    for e in edges {
        w.byte(edge_flags(e));
    }
    let mut column = Counter::default();
    for e in edges {
        if (edge_flags(e) >> ID_SHIFT) & 3 == ID_EXPLICIT {
            w.name(&e.id, &mut column);
        }
    }
    for e in edges {
        if let Some(d) = &e.latency {
            write_dist(w, d);
        }
    }
    for e in edges {
        if let Some(l) = e.loss {
            w.f64(l);
        }
    }
    for e in edges {
        if let Some(weight) = e.weight {
            w.varint(u64::from(weight));
        }
    }
}

fn edge_flags(e: &Edge) -> u8 {
    let Edge {
        id,
        from,
        to,
        latency,
        loss,
        weight,
        // Call policies are not in the v1 layout: `share::encode` writes a v2 (or v3) link for an edge with one.
        timeout_ms: _,
        retry: _,
        breaker: _,
        hedge: _,
        // Nor bandwidths: `share::encode` writes a v4 link for a diagram with one.
        bandwidth_mbps: _,
    } = e;
    let mode = if id.is_empty() {
        ID_EMPTY
    } else if id.len() == from.len() + 1 + to.len() && *id == format!("{from}-{to}") {
        ID_DASH
    } else if id.len() == from.len() + 2 + to.len() && *id == format!("{from}->{to}") {
        ID_ARROW
    } else {
        ID_EXPLICIT
    };
    let mut f = mode << ID_SHIFT;
    if latency.is_some() {
        f |= HAS_LATENCY;
    }
    if loss.is_some() {
        f |= HAS_LOSS;
    }
    if weight.is_some() {
        f |= HAS_WEIGHT;
    }
    f
}

fn read_edges(r: &mut Reader, nodes: &[Node]) -> Result<Vec<Edge>, ShareError> {
    // Each edge takes at least 3 bytes: from, to, flags.
    let m = r.count(3, "edges")?;
    if m > crate::limits::MAX_EDGES {
        return Err(over_limit(0, m, 0));
    }
    r.charge(m.saturating_mul(std::mem::size_of::<Edge>()))?;
    let mut edges = Vec::with_capacity(m);
    let mut names = Counter::default();
    for _ in 0..m {
        let mut e = Edge::new("", "");
        e.from = read_ref(r, nodes, "an edge", &mut names)?;
        edges.push(e);
    }
    for e in edges.iter_mut() {
        e.to = read_ref(r, nodes, "an edge", &mut names)?;
    }
    let mut flags = Vec::with_capacity(m);
    for _ in 0..m {
        let f = r.byte()?;
        if f & !KNOWN_EDGE_FLAGS != 0 {
            return Err(garbled("an edge has unknown flags"));
        }
        flags.push(f);
    }
    let mut column = Counter::default();
    for (e, &f) in edges.iter_mut().zip(&flags) {
        e.id = match (f >> ID_SHIFT) & 3 {
            ID_EMPTY => String::new(),
            ID_DASH => format!("{}-{}", e.from, e.to),
            ID_ARROW => format!("{}->{}", e.from, e.to),
            _ => r.name(&mut column)?,
        };
        r.charge(e.id.len())?;
    }
    for (e, &f) in edges.iter_mut().zip(&flags) {
        if f & HAS_LATENCY != 0 {
            e.latency = Some(read_dist(r)?);
        }
    }
    for (e, &f) in edges.iter_mut().zip(&flags) {
        if f & HAS_LOSS != 0 {
            e.loss = Some(r.f64()?);
        }
    }
    for (e, &f) in edges.iter_mut().zip(&flags) {
        if f & HAS_WEIGHT != 0 {
            e.weight = Some(r.u32("an edge weight")?);
        }
    }
    Ok(edges)
}

/// An object: the entry count, then key and value per entry, in the map's own order. Exactly the map the
/// node has is stored — never a difference from the kind's defaults — so a link stays identical even if those
/// defaults change.
pub(crate) fn write_object(w: &mut Writer, map: &Map<String, Value>) {
    w.len(map.len());
    for (k, v) in map {
        w.text(k);
        write_value(w, v);
    }
}

fn write_value(w: &mut Writer, v: &Value) {
    match v {
        Value::Null => w.byte(NULL),
        Value::Bool(false) => w.byte(FALSE),
        Value::Bool(true) => w.byte(TRUE),
        Value::Number(n) => {
            // serde_json keeps integers and floats apart (`15` ≠ `15.0`), so the tag does too.
            if let Some(u) = n.as_u64() {
                w.byte(UINT);
                w.varint(u);
            } else if let Some(i) = n.as_i64() {
                // Negative: store −(i + 1), which is 0 for −1 and never overflows.
                w.byte(NEG_INT);
                w.varint(!(i as u64));
            } else {
                w.byte(FLOAT);
                w.f64(n.as_f64().unwrap_or(f64::NAN));
            }
        }
        Value::String(s) => {
            w.byte(STRING);
            w.text(s);
        }
        Value::Array(items) => {
            w.byte(ARRAY);
            w.len(items.len());
            for item in items {
                write_value(w, item);
            }
        }
        Value::Object(map) => {
            w.byte(OBJECT);
            write_object(w, map);
        }
    }
}

pub(crate) fn read_object(r: &mut Reader, depth: usize) -> Result<Map<String, Value>, ShareError> {
    // Each entry takes at least a key and a value byte.
    let n = r.count(2, "parameters")?;
    let mut map = Map::new();
    for _ in 0..n {
        let key = r.text()?;
        let value = read_value(r, depth + 1)?;
        r.charge(std::mem::size_of::<(String, Value)>())?;
        map.insert(key, value);
    }
    Ok(map)
}

fn read_value(r: &mut Reader, depth: usize) -> Result<Value, ShareError> {
    if depth > MAX_VALUE_DEPTH {
        return Err(garbled("parameters are nested too deeply"));
    }
    Ok(match r.byte()? {
        NULL => Value::Null,
        FALSE => Value::Bool(false),
        TRUE => Value::Bool(true),
        UINT => Value::Number(Number::from(r.varint()?)),
        NEG_INT => {
            let v = r.varint()?;
            let i = i64::try_from(v).map_err(|_| garbled("a parameter is out of range"))?;
            Value::Number(Number::from(!i))
        }
        FLOAT => {
            let x = r.f64()?;
            // JSON has no NaN or infinity; a float that is one cannot have come from a real diagram.
            Value::Number(
                Number::from_f64(x).ok_or_else(|| garbled("a parameter is not a finite number"))?,
            )
        }
        STRING => Value::String(r.text()?),
        ARRAY => {
            let n = r.count(1, "list items")?;
            r.charge(n.saturating_mul(std::mem::size_of::<Value>()))?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(read_value(r, depth + 1)?);
            }
            Value::Array(items)
        }
        OBJECT => Value::Object(read_object(r, depth)?),
        tag => return Err(garbled(format!("unknown parameter type {tag}"))),
    })
}

/// The refusal of a diagram past the size caps, as soon as a count is read.
fn over_limit(nodes: usize, edges: usize, faults: usize) -> ShareError {
    ShareError::OverLimit(crate::limits::check_counts(nodes, edges, faults).unwrap_or_default())
}
