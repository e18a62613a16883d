//! The publish/subscribe topic: every outgoing edge is a subscription, and each published message is pushed
//! to every subscriber (fan-out). The producer is acknowledged as soon as the topic accepts the message. A
//! topic keeps nothing: a delivery that fails (a dead subscriber, a full queue) is counted and lost, which is
//! why durable subscribers are queues (topic → queue per subscriber).

use serde::{Deserialize, Serialize};

use super::MsgCounters;
use crate::components::{Action, Ctx};
use crate::request::{Op, Outcome};
use crate::vocab::Vocab;

/// Topic parameters (none yet: subscribers are the topic's edges).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicParams {}

impl TopicParams {
    /// Range problems as `(field, message)`: none.
    pub fn problems(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// Per-subscriber counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SubCounters {
    pub delivered: u64,
    pub acknowledged: u64,
    pub failed: u64,
}

/// The topic's state machine.
pub(crate) struct Topic {
    pub subs: Vec<SubCounters>,
    alive: bool,
    /// counts over the whole run
    pub counters: MsgCounters,
}

impl Topic {
    pub fn new(ports: u32) -> Topic {
        Topic {
            subs: vec![SubCounters::default(); ports as usize],
            alive: true,
            counters: MsgCounters::default(),
        }
    }

    /// A producer's message arrives: acknowledge it and push a copy to every subscriber.
    pub fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, key: u64, op: Op) {
        let c = &mut self.counters;
        c.published += 1;
        c.enqueued += 1;
        ctx.out.push(Action::Respond {
            req,
            outcome: Outcome::Ok,
        });
        if !self.alive {
            return;
        }
        for (port, s) in self.subs.iter_mut().enumerate() {
            s.delivered += 1;
            c.delivered += 1;
            c.in_flight += 1;
            ctx.out.push(Action::Spawn {
                key,
                op,
                port: port as u32,
                slot: port as u32,
            });
        }
    }

    /// A subscriber answers a delivery.
    pub fn on_response(&mut self, ctx: &mut Ctx<'_>, req: u32, port: u32, outcome: Outcome) {
        ctx.out.push(Action::Absorb { req });
        self.settle(port, outcome == Outcome::Ok);
    }

    fn settle(&mut self, port: u32, ok: bool) {
        let c = &mut self.counters;
        let s = &mut self.subs[port as usize];
        c.in_flight -= 1;
        if ok {
            c.acknowledged += 1;
            s.acknowledged += 1;
        } else {
            c.failed += 1;
            s.failed += 1;
        }
    }

    /// A delivery was lost on a link.
    pub fn abandon(&mut self, port: u32) {
        self.settle(port, false);
    }

    /// The topic stops fanning out.
    pub fn kill(&mut self) {
        self.alive = false;
    }

    /// The topic fans out again.
    pub fn revive(&mut self) {
        self.alive = true;
    }
}

impl TopicParams {
    /// A topic has no parameters.
    pub const VOCAB: Vocab = Vocab { terms: &[] };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;
    use crate::time::SimTime;

    #[test]
    fn every_subscriber_gets_every_message() {
        let mut t = Topic::new(3);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        let mut ctx = Ctx {
            now: SimTime::ZERO,
            rng: &mut rng,
            out: &mut out,
            counting: true,
        };
        t.on_request(&mut ctx, 1, 42, Op::Write);
        t.on_request(&mut ctx, 2, 43, Op::Write);
        let ports: Vec<u32> = out
            .iter()
            .filter_map(|a| match a {
                Action::Spawn { port, .. } => Some(*port),
                _ => None,
            })
            .collect();
        assert_eq!(ports, [0, 1, 2, 0, 1, 2]);
        assert_eq!(t.counters.in_flight, 6);
    }
}
