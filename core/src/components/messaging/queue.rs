//! The point-to-point message queue: a producer's message is acknowledged as soon as the queue accepts it;
//! a pool of pollers (`consumers`) pulls messages and hands each to a consumer node over the queue's
//! outgoing edges, in turn. A delivered message is invisible for `visibility_timeout_ms`; the consumer's
//! successful response acknowledges (deletes) it. A failed delivery, a consumer that died mid-message or one
//! that takes longer than the timeout leaves the message to reappear when the timeout expires and be
//! delivered again (at-least-once: a late acknowledgement of an already acknowledged message is a
//! duplicate). After `max_receives` deliveries without an acknowledgement it moves to the dead-letter queue.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::MsgCounters;
use crate::components::{Action, Ctx, check_num, check_range};
use crate::request::{Op, Outcome};
use crate::time::SimTime;
use crate::vocab::{Choices, Term, Vocab, choices};

/// What a full queue does with a new message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overflow {
    /// back-pressure: the producer's request is rejected, so it knows to slow down or retry
    #[default]
    Reject,
    /// load shedding: the producer is acknowledged but the message is discarded
    Drop,
}

/// Queue parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueParams {
    /// messages the queue holds (waiting and in delivery); `null` = unbounded, default 10 000
    pub capacity: Option<u32>,
    /// what happens to a message arriving at a full queue, default `reject` (back-pressure)
    pub when_full: Overflow,
    /// pollers pulling messages: deliveries in progress at once [≥ 1], default 4
    pub consumers: u32,
    /// how long a delivered message stays invisible before it is delivered again [ms] (> 0), default 30 000
    pub visibility_timeout_ms: f64,
    /// deliveries without an acknowledgement before a message is dead-lettered; `null` = never, default 5
    pub max_receives: Option<u32>,
}

impl Default for QueueParams {
    fn default() -> Self {
        QueueParams {
            capacity: Some(10_000),
            when_full: Overflow::Reject,
            consumers: 4,
            visibility_timeout_ms: 30_000.0,
            max_receives: Some(5),
        }
    }
}

impl QueueParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.consumers == 0 {
            out.push(("consumers".into(), "`consumers` must be at least 1".into()));
        }
        check_num(
            &mut out,
            "visibility_timeout_ms",
            self.visibility_timeout_ms,
            0.0,
        );
        if self.visibility_timeout_ms.is_finite() && self.visibility_timeout_ms <= 0.0 {
            out.push((
                "visibility_timeout_ms".into(),
                "`visibility_timeout_ms` must be positive".into(),
            ));
        }
        if self.max_receives == Some(0) {
            out.push((
                "max_receives".into(),
                "`max_receives` must be at least 1 (or empty: never dead-letter)".into(),
            ));
        }
        let mut ranges = vec![
            ("consumers", f64::from(self.consumers)),
            ("visibility_timeout_ms", self.visibility_timeout_ms),
        ];
        if let Some(c) = self.capacity {
            ranges.push(("capacity", f64::from(c)));
        }
        if let Some(m) = self.max_receives {
            ranges.push(("max_receives", f64::from(m)));
        }
        for (field, v) in ranges {
            check_range(&mut out, field, v);
        }
        out
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MsgState {
    /// waiting to be delivered
    Visible,
    /// delivered, waiting for an acknowledgement or the visibility timeout
    Invisible,
    /// acknowledged or dead-lettered; the slot is free
    Gone,
}

#[derive(Clone, Copy, Debug)]
struct Msg {
    /// unique over the run, so late answers and stale queue entries are recognised after slot reuse
    id: u64,
    enqueued: SimTime,
    key: u64,
    op: Op,
    receives: u32,
    /// the token of the current delivery's visibility timer
    token: u32,
    state: MsgState,
}

#[derive(Clone, Copy, Debug)]
struct Poller {
    busy: bool,
    msg: u32,
    id: u64,
}

/// The queue's state machine.
pub(crate) struct Queue {
    capacity: Option<u32>,
    when_full: Overflow,
    visibility: SimTime,
    max_receives: Option<u32>,
    ports: u32,
    next_port: u32,
    msgs: Vec<Msg>,
    free: Vec<u32>,
    /// visible messages in delivery order, as `(slot, id)`; entries of messages gone since are skipped
    visible: VecDeque<(u32, u64)>,
    pollers: Vec<Poller>,
    idle: Vec<u32>,
    next_id: u64,
    next_token: u32,
    alive: bool,
    /// counts over the whole run
    pub counters: MsgCounters,
}

impl Queue {
    pub fn new(p: &QueueParams, ports: u32) -> Queue {
        let consumers = p.consumers.max(1);
        Queue {
            capacity: p.capacity,
            when_full: p.when_full,
            visibility: SimTime::from_ms(p.visibility_timeout_ms).max(SimTime(1)),
            max_receives: p.max_receives,
            ports,
            next_port: 0,
            msgs: Vec::new(),
            free: Vec::new(),
            visible: VecDeque::new(),
            pollers: vec![
                Poller {
                    busy: false,
                    msg: 0,
                    id: 0
                };
                consumers as usize
            ],
            idle: (0..consumers).rev().collect(),
            next_id: 0,
            next_token: 0,
            alive: true,
            counters: MsgCounters::default(),
        }
    }

    /// Pollers.
    pub fn consumers(&self) -> u32 {
        self.pollers.len() as u32
    }

    /// Pollers with a delivery out.
    pub fn busy(&self) -> u32 {
        self.pollers.len() as u32 - self.idle.len() as u32
    }

    /// Messages held, waiting or in delivery.
    fn held(&self) -> u64 {
        self.counters.depth + self.counters.in_flight
    }

    /// The enqueue time of the oldest message held.
    pub fn oldest(&self) -> Option<SimTime> {
        self.msgs
            .iter()
            .filter(|m| m.state != MsgState::Gone)
            .map(|m| m.enqueued)
            .min()
    }

    /// A producer's message arrives.
    pub fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, key: u64, op: Op) {
        let full = self
            .capacity
            .is_some_and(|cap| self.held() >= u64::from(cap));
        let c = &mut self.counters;
        c.published += 1;
        if full {
            c.dropped += 1;
            let outcome = match self.when_full {
                Overflow::Reject => {
                    ctx.out.push(Action::Fail {
                        req,
                        outcome: Outcome::Rejected,
                    });
                    return;
                }
                Overflow::Drop => Outcome::Ok,
            };
            ctx.out.push(Action::Respond { req, outcome });
            return;
        }
        // Accepted: the producer's acknowledgement leaves at once.
        ctx.out.push(Action::Respond {
            req,
            outcome: Outcome::Ok,
        });
        c.enqueued += 1;
        c.depth += 1;
        c.max_depth = c.max_depth.max(c.depth);
        let id = self.next_id;
        self.next_id += 1;
        let m = Msg {
            id,
            enqueued: ctx.now,
            key,
            op,
            receives: 0,
            token: 0,
            state: MsgState::Visible,
        };
        let slot = match self.free.pop() {
            Some(s) => {
                self.msgs[s as usize] = m;
                s
            }
            None => {
                self.msgs.push(m);
                self.msgs.len() as u32 - 1
            }
        };
        self.visible.push_back((slot, id));
        self.pump(ctx);
    }

    /// Hands visible messages to idle pollers.
    fn pump(&mut self, ctx: &mut Ctx<'_>) {
        if !self.alive || self.ports == 0 {
            return;
        }
        while !self.idle.is_empty() {
            let Some((slot, id)) = self.visible.pop_front() else {
                return;
            };
            let m = &mut self.msgs[slot as usize];
            if m.id != id || m.state != MsgState::Visible {
                continue; // acknowledged while visible again, or the slot was reused
            }
            let poller = self.idle.pop().expect("checked non-empty");
            let c = &mut self.counters;
            if m.receives == 0 {
                let wait = ctx.now.since(m.enqueued).0;
                c.wait_sum_ns += u128::from(wait);
                c.first_deliveries += 1;
                c.waited += u64::from(wait > 0);
            } else {
                c.redelivered += 1;
            }
            c.delivered += 1;
            c.depth -= 1;
            c.in_flight += 1;
            m.receives += 1;
            m.state = MsgState::Invisible;
            self.next_token = self.next_token.wrapping_add(1);
            m.token = self.next_token;
            self.pollers[poller as usize] = Poller {
                busy: true,
                msg: slot,
                id,
            };
            ctx.out.push(Action::ServiceDone {
                at: ctx.now.add(self.visibility),
                slot,
                token: m.token,
            });
            let port = self.next_port;
            self.next_port = (self.next_port + 1) % self.ports;
            ctx.out.push(Action::Spawn {
                key: m.key,
                op: m.op,
                port,
                slot: poller,
            });
        }
    }

    fn release_poller(&mut self, poller: u32) -> Option<(u32, u64)> {
        let p = &mut self.pollers[poller as usize];
        if !p.busy {
            return None;
        }
        p.busy = false;
        self.idle.push(poller);
        Some((p.msg, p.id))
    }

    fn remove(&mut self, slot: u32) {
        self.msgs[slot as usize].state = MsgState::Gone;
        self.free.push(slot);
    }

    /// A consumer answers a delivery.
    pub fn on_response(&mut self, ctx: &mut Ctx<'_>, req: u32, poller: u32, outcome: Outcome) {
        ctx.out.push(Action::Absorb { req });
        let Some((slot, id)) = self.release_poller(poller) else {
            return;
        };
        let m = self.msgs[slot as usize];
        let current = m.id == id && m.state != MsgState::Gone;
        let c = &mut self.counters;
        if outcome != Outcome::Ok {
            // No acknowledgement: the message reappears when its visibility timeout expires.
            c.failed += 1;
        } else if !current {
            // Processed again after another delivery was acknowledged (or it was dead-lettered).
            c.duplicates += 1;
        } else {
            c.acknowledged += 1;
            match m.state {
                MsgState::Visible => c.depth -= 1,
                MsgState::Invisible => c.in_flight -= 1,
                MsgState::Gone => unreachable!("checked current"),
            }
            self.remove(slot);
        }
        self.pump(ctx);
    }

    /// A delivery's visibility timeout expires.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        let m = &mut self.msgs[slot as usize];
        if m.state != MsgState::Invisible || m.token != token {
            return; // acknowledged, or a later delivery's timer is the live one
        }
        let c = &mut self.counters;
        c.in_flight -= 1;
        c.timeouts += 1;
        if self.max_receives.is_some_and(|max| m.receives >= max) {
            c.dead_lettered += 1;
            self.remove(slot);
        } else {
            m.state = MsgState::Visible;
            c.depth += 1;
            c.max_depth = c.max_depth.max(c.depth);
            self.visible.push_back((slot, m.id));
            self.pump(ctx);
        }
    }

    /// A delivery was lost on a link: the poller is free; the message waits for its visibility timeout.
    pub fn abandon(&mut self, ctx: &mut Ctx<'_>, poller: u32) {
        if self.release_poller(poller).is_some() {
            self.counters.failed += 1;
        }
        self.pump(ctx);
    }

    /// The broker stops delivering (messages are durable and stay).
    pub fn kill(&mut self) {
        self.alive = false;
    }

    /// The broker delivers again.
    pub fn revive(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = true;
        self.pump(ctx);
    }
}

impl Choices for Overflow {
    const ALL: &'static [Overflow] = &[Overflow::Reject, Overflow::Drop];
}

impl QueueParams {
    /// How the inspector names a queue's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("capacity", "Capacity")
                .integer()
                .empty("unlimited"),
            Term::new("when_full", "When full").choices(choices::<Overflow>),
            Term::new("consumers", "Consumers (pollers)"),
            Term::new("visibility_timeout_ms", "Visibility timeout"),
            Term::new("max_receives", "Dead-letter after deliveries")
                .integer()
                .empty("never"),
        ],
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    fn ctx<'a>(now: SimTime, rng: &'a mut SimRng, out: &'a mut Vec<Action>) -> Ctx<'a> {
        Ctx {
            now,
            rng,
            out,
            counting: true,
        }
    }

    fn spawned(out: &[Action]) -> Vec<u32> {
        out.iter()
            .filter_map(|a| match a {
                Action::Spawn { slot, .. } => Some(*slot),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn acknowledges_at_once_and_delivers_to_idle_pollers() {
        let p = QueueParams {
            consumers: 1,
            ..QueueParams::default()
        };
        let mut q = Queue::new(&p, 1);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        q.on_request(&mut ctx(SimTime::ZERO, &mut rng, &mut out), 7, 1, Op::Write);
        q.on_request(&mut ctx(SimTime::ZERO, &mut rng, &mut out), 8, 2, Op::Write);
        assert!(out.contains(&Action::Respond {
            req: 7,
            outcome: Outcome::Ok
        }));
        assert_eq!(spawned(&out), [0], "one poller, one delivery");
        assert_eq!((q.counters.depth, q.counters.in_flight), (1, 1));
        out.clear();
        q.on_response(
            &mut ctx(SimTime(5), &mut rng, &mut out),
            100,
            0,
            Outcome::Ok,
        );
        assert_eq!(out[0], Action::Absorb { req: 100 });
        assert_eq!(spawned(&out), [0], "the freed poller takes the next");
        assert_eq!(q.counters.acknowledged, 1);
    }

    #[test]
    fn timeout_redelivers_then_dead_letters() {
        let p = QueueParams {
            consumers: 1,
            max_receives: Some(2),
            ..QueueParams::default()
        };
        let mut q = Queue::new(&p, 1);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        q.on_request(&mut ctx(SimTime::ZERO, &mut rng, &mut out), 1, 1, Op::Write);
        let timer = |out: &[Action]| {
            out.iter()
                .find_map(|a| match a {
                    Action::ServiceDone { slot, token, .. } => Some((*slot, *token)),
                    _ => None,
                })
                .expect("a visibility timer")
        };
        let (slot, token) = timer(&out);
        // The consumer fails; the message stays invisible until the timer.
        q.on_response(
            &mut ctx(SimTime(1), &mut rng, &mut out),
            9,
            0,
            Outcome::Error,
        );
        assert_eq!(q.counters.in_flight, 1);
        out.clear();
        q.on_timer(&mut ctx(SimTime(2), &mut rng, &mut out), slot, token);
        assert_eq!(q.counters.redelivered, 1);
        let (slot, token) = timer(&out);
        q.on_timer(&mut ctx(SimTime(3), &mut rng, &mut out), slot, token);
        assert_eq!(q.counters.dead_lettered, 1);
        assert_eq!((q.counters.depth, q.counters.in_flight), (0, 0));
        // The slow consumer's late success is a duplicate, not an acknowledgement.
        q.on_response(&mut ctx(SimTime(4), &mut rng, &mut out), 9, 0, Outcome::Ok);
        assert_eq!((q.counters.acknowledged, q.counters.duplicates), (0, 1));
    }

    #[test]
    fn full_queue_rejects_or_drops() {
        for (when_full, outcome) in [
            (Overflow::Reject, Outcome::Rejected),
            (Overflow::Drop, Outcome::Ok),
        ] {
            let p = QueueParams {
                capacity: Some(1),
                when_full,
                ..QueueParams::default()
            };
            let mut q = Queue::new(&p, 0);
            let (mut rng, mut out) = (SimRng::new(1), Vec::new());
            q.on_request(&mut ctx(SimTime::ZERO, &mut rng, &mut out), 1, 1, Op::Write);
            q.on_request(&mut ctx(SimTime::ZERO, &mut rng, &mut out), 2, 1, Op::Write);
            assert!(matches!(
                out[1],
                Action::Respond { req: 2, outcome: o } | Action::Fail { req: 2, outcome: o } if o == outcome
            ));
            assert_eq!((q.counters.published, q.counters.dropped), (2, 1));
        }
    }
}
