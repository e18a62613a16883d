//! Faults as events (kill, revive, slow, cut, heal, traffic spikes, network partitions), so a faulty run replays
//! exactly, and a node's health probes of its ports (a load balancer's health checks).
//!
//! A partition has a boundary — nodes named inside it and a region — and cuts every link whose two ends sit on
//! different sides, until it heals. A node that spans regions (a replicated store) has one side per part, and
//! a link to it is cut only when none of its parts is on the caller's side; the node itself is told its parts'
//! sides through `Component::partition`. Sides are bit sets over the partitions in force: bit `p` set means
//! inside partition `p`, and two places can talk when their sets are equal.

use super::{Ev, Sim, ctx};
use crate::ids::EdgeIdx;
use crate::time::SimTime;
use crate::validate::FaultOp;

/// At most this many partitions are in force at once (one bit of a side each); a further one is ignored.
pub const MAX_PARTITIONS: usize = 64;

/// One partition in force.
struct Boundary {
    name: String,
    /// per node: named inside the boundary
    inside: Vec<bool>,
    /// every node and part placed in this region is inside (`""`: none)
    region: String,
}

/// The partitions in force and what they cut.
pub(crate) struct Partitions {
    /// per node, the regions of its parts when it spans several (else empty)
    spans: Vec<Vec<String>>,
    /// per node, its region
    regions: Vec<String>,
    active: Vec<Boundary>,
    /// per edge: cut by a `cut_link` fault (filled when the first partition comes; until then an edge's `cut`
    /// is exactly that)
    by_hand: Vec<bool>,
    /// per edge: cut by a partition
    parted: Vec<bool>,
}

impl Partitions {
    /// No partition in force, for nodes spanning `spans` (empty: one piece) in `regions`.
    pub fn new(spans: Vec<Vec<String>>, regions: Vec<String>) -> Partitions {
        Partitions {
            spans,
            regions,
            active: Vec::new(),
            by_hand: Vec::new(),
            parted: Vec::new(),
        }
    }

    /// The side of a place of node `n` in `region`.
    fn side(&self, n: usize, region: &str) -> u64 {
        self.active
            .iter()
            .enumerate()
            .filter(|(_, b)| b.inside[n] || (!b.region.is_empty() && b.region == region))
            .fold(0, |m, (p, _)| m | 1 << p)
    }

    /// The sides of node `n`'s parts (one for a node in one piece).
    fn sides(&self, n: usize) -> Vec<u64> {
        if self.spans[n].is_empty() {
            vec![self.side(n, &self.regions[n])]
        } else {
            self.spans[n].iter().map(|r| self.side(n, r)).collect()
        }
    }
}

/// What the partitions in force cut, for the canvas.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PartitionView {
    /// the partitions in force, by name, in the order they were applied
    pub names: Vec<String>,
    /// per node (engine order), the side of each of its parts: bit `p` is set when the part is inside
    /// partition `p` of `names` (one part for a node in one piece)
    pub sides: Vec<Vec<u64>>,
    /// the edges a partition cuts, by engine index
    pub cut: Vec<EdgeIdx>,
}

impl Sim {
    pub(super) fn apply_fault(&mut self, index: u32, op: FaultOp) {
        match op {
            FaultOp::Kill(n) => {
                if !self.graph.alive[n as usize] {
                    return;
                }
                self.touch(n);
                self.graph.alive[n as usize] = false;
                let mut ctx = ctx!(self);
                self.nodes[n as usize].kill(&mut ctx);
                self.run_actions(n);
                self.set_levels(n);
            }
            FaultOp::Revive(n) => {
                if self.graph.alive[n as usize] {
                    return;
                }
                self.graph.alive[n as usize] = true;
                let mut ctx = ctx!(self);
                self.nodes[n as usize].revive(&mut ctx);
                self.run_actions(n);
                self.set_levels(n);
                self.arm_client(n);
            }
            FaultOp::Slow(n, factor) => self.nodes[n as usize].slow(factor),
            FaultOp::Cut(e) => {
                if let Some(h) = self.partitions.by_hand.get_mut(e as usize) {
                    *h = true;
                }
                self.graph.edges[e as usize].cut = true;
            }
            FaultOp::Heal(e) => {
                if let Some(h) = self.partitions.by_hand.get_mut(e as usize) {
                    *h = false;
                }
                let parted = self.partitions.parted.get(e as usize).copied();
                self.graph.edges[e as usize].cut = parted.unwrap_or(false);
            }
            FaultOp::Spike { factor, duration } => {
                self.spikes.push((index, factor));
                self.plan_fault(self.queue.now.add(duration), FaultOp::SpikeEnd(index));
                self.set_boost();
            }
            FaultOp::SpikeEnd(start) => {
                self.spikes.retain(|(i, _)| *i != start);
                self.set_boost();
            }
            FaultOp::Partition {
                name,
                nodes,
                region,
            } => {
                let mut inside = vec![false; self.graph.ids.len()];
                for n in nodes {
                    inside[n as usize] = true;
                }
                let b = Boundary {
                    name,
                    inside,
                    region,
                };
                let p = &mut self.partitions;
                match p.active.iter().position(|a| a.name == b.name) {
                    Some(i) => p.active[i] = b,
                    None if p.active.len() < MAX_PARTITIONS => p.active.push(b),
                    None => return,
                }
                self.repartition();
            }
            FaultOp::HealPartition(name) => {
                let p = &mut self.partitions;
                let before = p.active.len();
                p.active.retain(|a| a.name != name);
                if p.active.len() != before {
                    self.repartition();
                }
            }
        }
    }

    /// The partitions in force changed: recut the links and tell every node its parts' sides.
    fn repartition(&mut self) {
        let p = &mut self.partitions;
        if p.by_hand.is_empty() {
            p.by_hand = self.graph.edges.iter().map(|e| e.cut).collect();
        }
        let n = self.graph.ids.len();
        let sides: Vec<Vec<u64>> = (0..n).map(|i| p.sides(i)).collect();
        p.parted = self
            .graph
            .edges
            .iter()
            .map(|e| {
                let to = &sides[e.to as usize];
                !sides[e.from as usize].iter().any(|s| to.contains(s))
            })
            .collect();
        for (i, e) in self.graph.edges.iter_mut().enumerate() {
            e.cut = p.by_hand[i] || p.parted[i];
        }
        let first: Vec<u64> = sides.iter().map(|s| s[0]).collect();
        for (i, parts) in sides.iter().enumerate() {
            let i = i as u32;
            self.touch(i);
            let mut ctx = ctx!(self);
            self.nodes[i as usize].partition(&mut ctx, parts, &first);
            self.run_actions(i);
            self.set_levels(i);
        }
    }

    /// The partitions in force, the sides of every node's parts and the links they cut (for the canvas).
    pub fn partition_view(&self) -> PartitionView {
        let p = &self.partitions;
        if p.active.is_empty() {
            return PartitionView::default();
        }
        PartitionView {
            names: p.active.iter().map(|b| b.name.clone()).collect(),
            sides: (0..self.graph.ids.len()).map(|i| p.sides(i)).collect(),
            cut: (0..p.parted.len() as u32)
                .filter(|&e| p.parted[e as usize])
                .map(EdgeIdx)
                .collect(),
        }
    }

    /// Node `node` probes each port: a port is up when its link is not cut and its target is alive. A dead
    /// node probes nothing but keeps its schedule.
    pub(super) fn on_health_check(&mut self, node: u32) {
        let Some(interval) = self.nodes[node as usize].probe_interval() else {
            return;
        };
        let g = &self.graph;
        if g.alive[node as usize] {
            let ports = g.ports(node as usize);
            self.nodes[node as usize].probe(&|b| {
                let e = &g.edges[ports[b as usize] as usize];
                g.alive[e.to as usize] && !e.cut
            });
        }
        let next = self.queue.now.add(interval.max(SimTime(1)));
        self.schedule(next, Ev::HealthCheck { node });
    }
}
