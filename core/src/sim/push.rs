//! Server-sent messages: a node holding a request (a long poll, an SSE or WebSocket connection) sends a message
//! back over the hop the request arrived by without answering it ([`Action::Push`]). The message takes the
//! link's latency (and its bandwidth, with the link's other responses) and reaches the caller's
//! [`crate::components::interface::Component::on_push`] with the slot the caller sent the request with. A cut
//! link or a lost message delivers nothing. Only a kind that pushes schedules one, so no other diagram
//! changes.
//!
//! [`Action::Push`]: crate::components::Action::Push

use super::{Ev, Sim, ctx, wire};

/// Messages on their way: `(caller node, the caller's slot, value)`, by index (free slots reused), so an
/// event stays as small as the others.
#[derive(Default)]
pub(super) struct Pushes {
    list: Vec<(u32, u32, u64)>,
    free: Vec<u32>,
}

impl Pushes {
    /// Bytes held.
    pub(super) fn bytes(&self) -> usize {
        self.list.capacity() * std::mem::size_of::<(u32, u32, u64)>()
            + self.free.capacity() * std::mem::size_of::<u32>()
    }
}

impl Sim {
    /// `node`, which holds `req`, sends `value` in a message of `bytes` to the node `req` came from.
    pub(super) fn push(&mut self, req: u32, value: u64, bytes: u32) {
        let Some(hop) = self.reqs.last_hop(req) else {
            return;
        };
        let edge = &self.graph.edges[hop.edge as usize];
        let caller = edge.from;
        if edge.cut {
            return;
        }
        let lost = edge.loss > 0.0 && self.rng.chance(edge.loss);
        let lat = edge.delay(&mut self.rng);
        let sent = self.on_wire(hop.edge, wire::RESPONSES, bytes);
        if lost {
            return;
        }
        let entry = (caller, hop.slot, value);
        let id = match self.pushes.free.pop() {
            Some(i) => {
                self.pushes.list[i as usize] = entry;
                i
            }
            None => {
                self.pushes.list.push(entry);
                self.pushes.list.len() as u32 - 1
            }
        };
        self.schedule(sent.add(lat), Ev::Push { id });
    }

    /// Message `id` reaches its caller.
    pub(super) fn on_push(&mut self, id: u32) {
        let (node, slot, value) = self.pushes.list[id as usize];
        self.pushes.free.push(id);
        self.touch(node);
        let mut ctx = ctx!(self);
        self.nodes[node as usize].on_push(&mut ctx, slot, value);
        self.run_actions(node);
        self.set_levels(node);
    }
}
