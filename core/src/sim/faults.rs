//! Faults as events (kill, revive, slow, cut, heal, traffic spikes), so a faulty run replays exactly, and a
//! node's health probes of its ports (a load balancer's health checks).

use super::{Ev, Sim, ctx};
use crate::time::SimTime;
use crate::validate::FaultOp;

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
            FaultOp::Cut(e) => self.graph.edges[e as usize].cut = true,
            FaultOp::Heal(e) => self.graph.edges[e as usize].cut = false,
            FaultOp::Spike { factor, duration } => {
                self.spikes.push((index, factor));
                self.plan_fault(self.queue.now.add(duration), FaultOp::SpikeEnd(index));
                self.set_boost();
            }
            FaultOp::SpikeEnd(start) => {
                self.spikes.retain(|(i, _)| *i != start);
                self.set_boost();
            }
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
