//! Asynchronous messaging: the broker kinds, which acknowledge a producer as soon as they accept its message
//! and deliver it later to consumer nodes as requests of their own (`Action::Spawn`, answered back to the
//! broker and freed with `Action::Absorb`). `queue` is point to point with a poller pool, visibility
//! timeout, redelivery and a dead-letter queue; `topic` fans every message out to every subscriber;
//! `stream` is a partitioned log read by consumer groups. [`Broker`] is the one face the engine sees.

pub mod queue;
pub mod stream;
pub mod topic;

use crate::components::{Ctx, Kind};
use crate::report::{ConsumerReport, MessagingReport};
use crate::request::{Op, Outcome};
use crate::time::SimTime;

pub use queue::{Overflow, QueueParams};
pub use stream::StreamParams;
pub use topic::TopicParams;

/// A broker's message counts over the whole run (warm-up included, so they balance at every moment).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct MsgCounters {
    /// messages producers sent
    pub published: u64,
    /// messages accepted
    pub enqueued: u64,
    /// messages refused or discarded because the queue was full
    pub dropped: u64,
    /// deliveries to consumers, first and repeated
    pub delivered: u64,
    /// deliveries of a message delivered before
    pub redelivered: u64,
    /// messages acknowledged (each once) — for a topic or stream, successful deliveries
    pub acknowledged: u64,
    /// successful deliveries of a message already acknowledged or dead-lettered
    pub duplicates: u64,
    /// deliveries answered with an error, or lost on a link
    pub failed: u64,
    /// visibility timeouts that expired
    pub timeouts: u64,
    /// messages moved to the dead-letter queue
    pub dead_lettered: u64,
    /// messages waiting to be delivered now
    pub depth: u64,
    /// messages (a queue) or deliveries (a topic, a stream) out with a consumer now
    pub in_flight: u64,
    /// the most messages waiting at once
    pub max_depth: u64,
    /// first deliveries that found the message had waited
    pub waited: u64,
    /// first deliveries
    pub first_deliveries: u64,
    /// enqueue to first delivery, summed [ns]
    pub wait_sum_ns: u128,
}

/// A messaging node's state machine.
pub(crate) enum Broker {
    Queue(queue::Queue),
    Topic(topic::Topic),
    Stream(stream::Stream),
}

impl Broker {
    /// A producer's message arrives.
    pub fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, key: u64, op: Op) {
        match self {
            Broker::Queue(q) => q.on_request(ctx, req, key, op),
            Broker::Topic(t) => t.on_request(ctx, req, key, op),
            Broker::Stream(s) => s.on_request(ctx, req, key, op),
        }
    }

    /// A consumer answers a delivery made with `slot`.
    pub fn on_response(&mut self, ctx: &mut Ctx<'_>, req: u32, slot: u32, outcome: Outcome) {
        match self {
            Broker::Queue(q) => q.on_response(ctx, req, slot, outcome),
            Broker::Topic(t) => t.on_response(ctx, req, slot, outcome),
            Broker::Stream(s) => s.on_response(ctx, req, slot, outcome),
        }
    }

    /// A timer (a visibility timeout, a retry) fires.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        match self {
            Broker::Queue(q) => q.on_timer(ctx, slot, token),
            Broker::Topic(_) => {}
            Broker::Stream(s) => s.on_timer(ctx, slot, token),
        }
    }

    /// A delivery made with `slot` was lost on a link.
    pub fn abandon(&mut self, ctx: &mut Ctx<'_>, slot: u32) {
        match self {
            Broker::Queue(q) => q.abandon(ctx, slot),
            Broker::Topic(t) => t.abandon(slot),
            Broker::Stream(s) => s.abandon(ctx, slot),
        }
    }

    /// The node dies: it stops delivering; what it holds is durable.
    pub fn kill(&mut self) {
        match self {
            Broker::Queue(q) => q.kill(),
            Broker::Topic(t) => t.kill(),
            Broker::Stream(s) => s.kill(),
        }
    }

    /// The node comes back and delivers what it holds.
    pub fn revive(&mut self, ctx: &mut Ctx<'_>) {
        match self {
            Broker::Queue(q) => q.revive(ctx),
            Broker::Topic(t) => t.revive(),
            Broker::Stream(s) => s.revive(ctx),
        }
    }

    /// The counters.
    pub fn counters(&self) -> &MsgCounters {
        match self {
            Broker::Queue(q) => &q.counters,
            Broker::Topic(t) => &t.counters,
            Broker::Stream(s) => &s.counters,
        }
    }

    /// `(workers, busy, waiting)` for the node's gauges: a queue's pollers and depth; a stream's
    /// partitions per group with a delivery out and its total lag; a topic has none.
    pub fn levels(&self) -> (u32, u32, u32) {
        let c = self.counters();
        match self {
            Broker::Queue(q) => (
                q.consumers(),
                q.busy(),
                u32::try_from(c.depth).unwrap_or(u32::MAX),
            ),
            Broker::Topic(_) => (0, 0, 0),
            Broker::Stream(s) => (
                0,
                0,
                u32::try_from(s.backlog() - c.in_flight).unwrap_or(u32::MAX),
            ),
        }
    }

    /// Work still to do: messages held by a queue, deliveries out of a topic, uncommitted stream messages.
    /// A run is not over while any broker has some.
    pub fn backlog(&self) -> u64 {
        let c = self.counters();
        match self {
            Broker::Queue(_) => c.depth + c.in_flight,
            Broker::Topic(_) => c.in_flight,
            Broker::Stream(s) => s.backlog(),
        }
    }

    /// The report section; `consumers` are the node ids at the ends of the broker's edges, in port order.
    pub fn report(&self, now: SimTime, consumers: &[&str]) -> MessagingReport {
        let c = self.counters();
        let age = |t: Option<SimTime>| t.map_or(0.0, |t| now.since(t).as_ms());
        let (oldest_age_ms, lag, groups) = match self {
            Broker::Queue(q) => (age(q.oldest()), c.depth + c.in_flight, Vec::new()),
            Broker::Topic(t) => (
                0.0,
                c.in_flight,
                t.subs
                    .iter()
                    .zip(consumers)
                    .map(|(s, id)| ConsumerReport {
                        node: (*id).to_string(),
                        delivered: s.delivered,
                        acknowledged: s.acknowledged,
                        failed: s.failed,
                        lag: s.delivered - s.acknowledged - s.failed,
                        max_lag: 0,
                        partition_lag: Vec::new(),
                    })
                    .collect(),
            ),
            Broker::Stream(s) => (
                age(s.oldest()),
                s.backlog(),
                s.groups
                    .iter()
                    .zip(consumers)
                    .enumerate()
                    .map(|(g, (gc, id))| {
                        let partition_lag = s.lag(g as u32);
                        debug_assert_eq!(partition_lag.iter().sum::<u64>(), gc.lag);
                        ConsumerReport {
                            node: (*id).to_string(),
                            delivered: gc.delivered,
                            acknowledged: gc.acknowledged,
                            failed: gc.failed,
                            lag: gc.lag,
                            max_lag: gc.max_lag,
                            partition_lag,
                        }
                    })
                    .collect(),
            ),
        };
        MessagingReport {
            published: c.published,
            enqueued: c.enqueued,
            dropped: c.dropped,
            delivered: c.delivered,
            redelivered: c.redelivered,
            acknowledged: c.acknowledged,
            duplicates: c.duplicates,
            failed_deliveries: c.failed,
            dead_lettered: c.dead_lettered,
            depth: c.depth,
            in_flight: c.in_flight,
            max_depth: c.max_depth,
            oldest_age_ms,
            mean_wait_ms: if c.first_deliveries > 0 {
                c.wait_sum_ns as f64 / c.first_deliveries as f64 / 1e6
            } else {
                0.0
            },
            waited: c.waited,
            lag,
            consumers: groups,
        }
    }
}

/// Builds the broker for a messaging kind's parameters, with `ports` outgoing edges.
pub(crate) fn broker(params: &crate::components::Params, ports: u32) -> Option<Broker> {
    use crate::components::Params;
    match params {
        Params::Queue(p) => Some(Broker::Queue(queue::Queue::new(p, ports))),
        Params::Topic(_) => Some(Broker::Topic(topic::Topic::new(ports))),
        Params::Stream(p) => Some(Broker::Stream(stream::Stream::new(p, ports))),
        _ => None,
    }
}

/// Whether `kind` is a messaging kind.
pub fn is_messaging(kind: Kind) -> bool {
    matches!(kind, Kind::Queue | Kind::Topic | Kind::Stream)
}
