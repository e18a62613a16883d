//! Asynchronous messaging: the broker kinds, which acknowledge a producer as soon as they accept its message
//! and deliver it later to consumer nodes as requests of their own (`Action::Spawn`, answered back to the
//! broker and freed with `Action::Absorb`). `queue` is point to point with a poller pool, visibility
//! timeout, redelivery and a dead-letter queue; `topic` fans every message out to every subscriber;
//! `stream` is a partitioned log read by consumer groups. [`Broker`] is the one face the engine sees.

pub mod queue;
pub mod stream;
pub mod topic;

use serde::{Deserialize, Serialize};

use crate::components::interface::{Build, Component, Incoming, Levels, mismatch};
use crate::components::{Ctx, NodeDetail, Params};
use crate::digest::Digest;
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

/// A messaging node's counts over the whole run (warm-up included, so they balance at every moment): for a
/// queue `published = acknowledged + dead_lettered + depth + in_flight + dropped`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MessagingReport {
    /// messages producers sent to the node
    pub published: u64,
    /// messages accepted
    pub enqueued: u64,
    /// messages refused (back-pressure) or discarded because the queue was full
    pub dropped: u64,
    /// deliveries to consumers, first and repeated
    pub delivered: u64,
    /// deliveries of a message delivered before (after a visibility timeout or a failed attempt)
    pub redelivered: u64,
    /// a queue: messages acknowledged, each counted once; a topic or stream: successful deliveries
    pub acknowledged: u64,
    /// a queue: successful deliveries of a message already acknowledged or dead-lettered (duplicates that
    /// at-least-once delivery lets through)
    pub duplicates: u64,
    /// deliveries answered with an error or lost on a link
    pub failed_deliveries: u64,
    /// messages moved to the dead-letter queue after `max_receives` deliveries
    pub dead_lettered: u64,
    /// messages waiting to be delivered at the end [messages]
    pub depth: u64,
    /// a queue: messages delivered and not yet acknowledged; a topic or stream: deliveries out
    pub in_flight: u64,
    /// the most messages waiting at once
    pub max_depth: u64,
    /// age of the oldest message not yet acknowledged (a stream: not committed by every group) [ms]
    pub oldest_age_ms: f64,
    /// a queue: mean time from enqueue to first delivery [ms]
    pub mean_wait_ms: f64,
    /// a queue: first deliveries of messages that had to wait for a poller
    pub waited: u64,
    /// consumer lag: messages not yet acknowledged (a stream: summed over groups and partitions)
    pub lag: u64,
    /// a topic's subscribers or a stream's consumer groups, in edge order
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consumers: Vec<ConsumerReport>,
}

/// One subscriber of a topic or consumer group of a stream.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConsumerReport {
    /// the consuming node's id
    pub node: String,
    /// deliveries made to it
    pub delivered: u64,
    /// successful deliveries (a stream: committed offsets)
    pub acknowledged: u64,
    /// failed deliveries
    pub failed: u64,
    /// messages not yet consumed (a topic: deliveries out)
    pub lag: u64,
    /// a stream: the most messages the group was ever behind
    pub max_lag: u64,
    /// a stream: the lag on each partition (end offset − committed offset)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partition_lag: Vec<u64>,
}

impl MessagingReport {
    pub(crate) fn digest(&self, h: &mut Digest) {
        h.u64s(&[
            self.published,
            self.enqueued,
            self.dropped,
            self.delivered,
            self.redelivered,
            self.acknowledged,
            self.duplicates,
            self.failed_deliveries,
            self.dead_lettered,
            self.depth,
            self.in_flight,
            self.max_depth,
            self.waited,
            self.lag,
        ]);
        h.f64(self.oldest_age_ms);
        h.f64(self.mean_wait_ms);
        for g in &self.consumers {
            h.str(&g.node);
            h.u64s(&[g.delivered, g.acknowledged, g.failed, g.lag, g.max_lag]);
            h.u64s(&g.partition_lag);
        }
    }

    /// The messaging table's header in the runner's table.
    pub fn table_header() -> String {
        format!(
            "{:<16} {:>9} {:>8} {:>9} {:>9} {:>9} {:>6} {:>6} {:>7} {:>7} {:>9} {:>8}",
            "messaging",
            "published",
            "dropped",
            "delivered",
            "redeliver",
            "acked",
            "dup",
            "dlq",
            "depth",
            "lag",
            "oldest ms",
            "wait ms"
        )
    }

    /// This node's row in that table, with a line per consumer.
    pub fn table_rows(&self, id: &str) -> String {
        let mut s = format!(
            "{:<16} {:>9} {:>8} {:>9} {:>9} {:>9} {:>6} {:>6} {:>7} {:>7} {:>9.1} {:>8.3}",
            id,
            self.published,
            self.dropped,
            self.delivered,
            self.redelivered,
            self.acknowledged,
            self.duplicates,
            self.dead_lettered,
            self.depth,
            self.lag,
            self.oldest_age_ms,
            self.mean_wait_ms
        );
        for g in &self.consumers {
            s.push_str(&format!(
                "\n  -> {:<11} delivered {}  acked {}  failed {}  lag {} (max {}){}",
                g.node,
                g.delivered,
                g.acknowledged,
                g.failed,
                g.lag,
                g.max_lag,
                if g.partition_lag.is_empty() {
                    String::new()
                } else {
                    format!("  per partition {:?}", g.partition_lag)
                }
            ));
        }
        s
    }
}

/// A messaging node's block of the report: `messaging`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagingDetail {
    /// message counts (over the whole run, warm-up included)
    pub messaging: MessagingReport,
}

impl Component for Broker {
    fn build(b: &Build<'_>) -> Result<Broker, String> {
        let ports = b.ports.len() as u32;
        match b.params {
            Params::Queue(p) => Ok(Broker::Queue(queue::Queue::new(p, ports))),
            Params::Topic(_) => Ok(Broker::Topic(topic::Topic::new(ports))),
            Params::Stream(p) => {
                let mut s = stream::Stream::new(p, ports);
                s.event_store = b
                    .ports
                    .iter()
                    .any(|p| p.kind == crate::components::Kind::Projection);
                Ok(Broker::Stream(s))
            }
            other => Err(mismatch("broker", other)),
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool {
        Broker::on_request(self, ctx, req, inc.key, inc.op);
        false
    }

    fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: u32,
        slot: u32,
        outcome: Outcome,
        _version: u64,
    ) {
        Broker::on_response(self, ctx, req, slot, outcome);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        Broker::on_timer(self, ctx, slot, token);
    }

    fn abandon(&mut self, ctx: &mut Ctx<'_>, _req: u32, slot: u32) {
        Broker::abandon(self, ctx, slot);
    }

    fn kill(&mut self, _ctx: &mut Ctx<'_>) {
        Broker::kill(self);
    }

    fn revive(&mut self, ctx: &mut Ctx<'_>) {
        Broker::revive(self, ctx);
    }

    fn workers(&self) -> u32 {
        self.levels().0
    }

    fn levels(&self) -> Option<Levels> {
        let (_, busy, queue) = Broker::levels(self);
        Some(Levels { busy, queue })
    }

    fn holds_work(&self) -> bool {
        true
    }

    /// A message held (its record and its place in line): 48 bytes each.
    fn queued_bytes(&self) -> usize {
        usize::try_from(Broker::backlog(self)).unwrap_or(usize::MAX / 2) * 48
    }

    fn backlog(&self) -> u64 {
        Broker::backlog(self)
    }

    /// A stream that feeds a projection is the data's store (an event store): each write it appends is a
    /// committed version of its key, which the projection's reads are checked against.
    fn stores_data(&self) -> bool {
        matches!(self, Broker::Stream(s) if s.event_store)
    }

    fn detail(&self, now: SimTime, _window_ns: u64, targets: &[&str]) -> Option<NodeDetail> {
        Some(NodeDetail::Messaging(MessagingDetail {
            messaging: self.report(now, targets),
        }))
    }
}
