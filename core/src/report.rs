//! The run report: end-to-end outcomes and latency, per-node statistics and the time series, as the
//! runner prints it (table or JSON, documented in `docs/report-format.md`), plus a digest of every number
//! for the native-versus-wasm determinism check.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// Everything a run measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// report format version, 1
    pub format: u32,
    /// the seed the run used
    pub seed: u64,
    /// traffic duration [s]
    pub duration_s: f64,
    /// warm-up excluded from statistics [s]
    pub warmup_s: f64,
    /// simulated time reached [s]
    pub end_s: f64,
    /// whether the run is over (traffic ended and nothing is in flight, or the drain limit passed)
    pub finished: bool,
    /// end-to-end outcomes of requests started after the warm-up
    pub requests: Requests,
    /// end-to-end latency of completed requests [ms]
    pub latency_ms: Latency,
    /// completed requests per second of measured traffic time [req/s]
    pub throughput_rps: f64,
    /// events processed
    pub events: u64,
    /// wall-clock time of the run [ms]; filled by the runner, 0 from the library, not in the digest
    pub wall_ms: f64,
    /// per node, by id
    pub nodes: BTreeMap<String, NodeReport>,
    /// per call edge with a policy (a timeout, retries or a breaker, including a retrying client's edges), by
    /// edge name
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub edges: BTreeMap<String, EdgeReport>,
    /// retries, amplification, breakers and duplicate effects over the whole diagram (diagrams that use a
    /// resilience or security mechanism only)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resilience: Option<ResilienceReport>,
    /// the fixed-grid time series
    pub series: Series,
}

/// Totals of the resilience mechanisms (over the measurement window).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ResilienceReport {
    /// first attempts clients made over edges with a retry policy
    pub client_calls: u64,
    /// attempts clients made over them, first ones included
    pub client_attempts: u64,
    /// retries at every layer (client and call edges): attempts beyond the first
    pub retries: u64,
    /// attempts per original request at the clients' layer (1 = no retries) [≥ 1]; 0 without retrying clients
    pub amplification: f64,
    /// attempts that timed out, at every layer
    pub call_timeouts: u64,
    /// retries a retry budget refused
    pub budget_refused: u64,
    /// times circuit breakers opened
    pub breaker_opens: u64,
    /// calls open breakers failed at once, without sending them
    pub short_circuited: u64,
    /// side effects that repeated a logical request (retries without idempotency)
    pub duplicate_effects: u64,
    /// repeats answered from an idempotency store instead
    pub deduplicated: u64,
}

/// One call edge's calls and attempts (the amplification at that layer) and its breaker.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EdgeReport {
    /// the caller's id
    pub from: String,
    /// the callee's id
    pub to: String,
    /// calls made over it (each may take several attempts)
    pub calls: u64,
    /// attempts sent, first ones included
    pub attempts: u64,
    /// attempts beyond the first
    pub retries: u64,
    /// attempts per call [≥ 1]; 0 without calls
    pub amplification: f64,
    /// attempts that outlived the timeout
    pub timeouts: u64,
    /// calls that ended failed after their last attempt
    pub failed: u64,
    /// retries the retry budget refused
    pub budget_refused: u64,
    /// the breaker's state at the end (`closed`, `open`, `half-open`), without a breaker `null`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaker_state: Option<String>,
    /// times the breaker opened
    pub breaker_opens: u64,
    /// calls the open breaker failed at once
    pub short_circuited: u64,
    /// time the breaker spent in each state over the whole run [s]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaker_state_time: Option<BreakerStateTime>,
}

/// Time in each breaker state [s].
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BreakerStateTime {
    /// closed: calls go out
    pub closed_s: f64,
    /// open: calls fail at once
    pub open_s: f64,
    /// half-open: trial calls only
    pub half_open_s: f64,
}

/// End-to-end counts; `sent = completed + failed + timed_out + rejected + rate_limited + shed + blocked +
/// in_flight` always.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requests {
    /// requests clients sent
    pub sent: u64,
    /// successful responses received before the deadline
    pub completed: u64,
    /// error responses received before the deadline
    pub failed: u64,
    /// deadline passed first
    pub timed_out: u64,
    /// turned away by a full queue (or a full bulkhead), received before the deadline
    pub rejected: u64,
    /// refused by a rate limiter (HTTP 429)
    #[serde(default)]
    pub rate_limited: u64,
    /// dropped unserved by a service because their deadline had passed (load shedding)
    #[serde(default)]
    pub shed: u64,
    /// blocked by a web application firewall (HTTP 403)
    #[serde(default)]
    pub blocked: u64,
    /// still unresolved
    pub in_flight: u64,
    /// of the failed, those stopped by the hop limit
    pub hop_limited: u64,
    /// messages lost on links (a lost request ends as timed out)
    pub lost: u64,
    /// of the sent, those carrying an attack payload
    #[serde(default)]
    pub attacks_sent: u64,
    /// of those, the ones that completed: attacks that reached a service and got an answer
    #[serde(default)]
    pub attacks_served: u64,
}

impl Requests {
    /// Every outcome plus what is still in flight: equals `sent` at every step (the accounting invariant).
    pub fn accounted(&self) -> u64 {
        self.completed
            + self.failed
            + self.timed_out
            + self.rejected
            + self.rate_limited
            + self.shed
            + self.blocked
            + self.in_flight
    }

    /// The counts the resilience and security mechanisms added (all zero without them).
    pub fn resilience_counts(&self) -> [u64; 5] {
        [
            self.rate_limited,
            self.shed,
            self.blocked,
            self.attacks_sent,
            self.attacks_served,
        ]
    }
}

/// Latency summary [ms].
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// mean (exact, not from the histogram)
    pub mean: f64,
    /// median
    pub p50: f64,
    /// 90th percentile
    pub p90: f64,
    /// 95th percentile
    pub p95: f64,
    /// 99th percentile
    pub p99: f64,
    /// 99.9th percentile
    pub p999: f64,
    /// maximum
    pub max: f64,
    /// of the mean, the time on links (request and response legs, every hop) [ms]: network latency
    pub network_mean: f64,
    /// of the mean, the time inside nodes (queueing, service, cache lookups): `mean − network_mean` [ms]
    pub in_nodes_mean: f64,
}

/// One node's statistics over the measurement window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeReport {
    /// the kind's registry name
    pub kind: String,
    /// requests that arrived
    pub arrivals: u64,
    /// requests it answered successfully
    pub served: u64,
    /// requests it turned away (full queue) or lost by being dead
    pub dropped: u64,
    /// requests it failed (its error probability, no healthy backend, the hop limit, a refused link)
    pub errors: u64,
    /// arrivals that found every worker taken and waited in the queue (their share estimates the waiting
    /// probability, Erlang C for M/M/c)
    pub waited: u64,
    /// fraction of worker time taken (serving or waiting on calls) [0..1]; 0 for nodes without workers
    pub utilization: f64,
    /// time-average queue length [requests]
    pub mean_queue: f64,
    /// time-average number of requests in the node, queued or in service or waiting on calls [requests]
    pub mean_in_node: f64,
    /// mean time from arrival to the response leaving [ms]
    pub mean_time_ms: f64,
    /// 99th percentile of that [ms]
    pub p99_time_ms: f64,
    /// requests it refused by rate limit (429)
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rate_limited: u64,
    /// requests it dropped unserved, past their deadline
    #[serde(default, skip_serializing_if = "is_zero")]
    pub shed: u64,
    /// requests it blocked as hostile (403)
    #[serde(default, skip_serializing_if = "is_zero")]
    pub blocked: u64,
    /// a server's shedding, bulkhead, side effects and idempotency counts (servers that use one)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<crate::components::server::ServiceReport>,
    /// cache statistics (caches only)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheReport>,
    /// message counts (queues, topics and streams only; over the whole run, warm-up included)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging: Option<MessagingReport>,
    /// database statistics (databases only)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseReport>,
    /// an API gateway's handshakes, authentication and routing (gateways only; whole run)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<crate::components::gateway::GatewayReport>,
    /// a firewall's inspections and blocks (firewalls only; whole run)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waf: Option<crate::components::waf::WafReport>,
    /// a client's own requests: the end-to-end counts of what it sent (clients only)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<Requests>,
    /// a rate limiter's (or a gateway's rate limit's) decisions (whole run)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limiter: Option<crate::components::rate_limiter::LimiterReport>,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
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

/// A database's statistics over the measurement window (counted when a query completes).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DatabaseReport {
    /// whether the database uses more than the plain server preset (preset, replicas, shards, multi-primary
    /// or a primary failure); only then does this section enter the digest
    pub modelled: bool,
    /// reads completed (a cross-shard read counts once)
    pub reads: u64,
    /// writes committed
    pub writes: u64,
    /// reads that returned a value older than the last write to their key (a replica behind by the lag)
    pub stale_reads: u64,
    /// acknowledged writes a failed primary had not yet replicated, lost when a replica was promoted
    pub lost_writes: u64,
    /// multi-primary: writes to a key another primary wrote less than the lag before
    pub conflicts: u64,
    /// writes failed because the primary was down and no replica was promoted yet
    pub failed_writes: u64,
    /// reads sent to every shard (`cross_shard_reads`)
    pub cross_shard_reads: u64,
    /// replicas promoted to primary
    pub failovers: u64,
    /// per shard, in shard order
    pub shards: Vec<ShardReport>,
}

/// One shard of a database.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardReport {
    /// queries its instances completed (reads and writes, cross-shard sub-queries included)
    pub queries: u64,
    /// share of the database's queries [0..1]
    pub share: f64,
    /// rows at the end (the start plus one per committed write)
    pub rows: u64,
    /// its primary and replicas, primary first as configured
    pub instances: Vec<InstanceReport>,
}

/// One primary or replica of a shard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceReport {
    /// `primary`, `replica`, or `failed` (now)
    pub role: String,
    /// reads it served
    pub reads: u64,
    /// writes it committed
    pub writes: u64,
    /// of its reads, the stale ones
    pub stale_reads: u64,
    /// service time started in the window ÷ (connections × window length) [0..1]
    pub utilization: f64,
}

impl DatabaseReport {
    pub(crate) fn new(
        db: &crate::components::database::Database,
        window_ns: u64,
    ) -> DatabaseReport {
        let c = &db.counters;
        let cap = window_ns as f64 * f64::from(db.pool());
        let mut shards: Vec<ShardReport> = db
            .rows()
            .map(|rows| ShardReport {
                rows,
                ..ShardReport::default()
            })
            .collect();
        for i in &db.instances {
            let sh = &mut shards[i.shard as usize];
            sh.queries += i.reads + i.writes;
            sh.instances.push(InstanceReport {
                role: i.role.name().to_string(),
                reads: i.reads,
                writes: i.writes,
                stale_reads: i.stale_reads,
                utilization: if cap > 0.0 {
                    i.busy_ns as f64 / cap
                } else {
                    0.0
                },
            });
        }
        let total: u64 = shards.iter().map(|s| s.queries).sum();
        for s in &mut shards {
            s.share = if total > 0 {
                s.queries as f64 / total as f64
            } else {
                0.0
            };
        }
        DatabaseReport {
            modelled: db.modelled,
            reads: c.reads,
            writes: c.writes,
            stale_reads: c.stale_reads,
            lost_writes: c.lost_writes,
            conflicts: c.conflicts,
            failed_writes: c.failed_writes,
            cross_shard_reads: c.cross_shard_reads,
            failovers: c.failovers,
            shards,
        }
    }
}

/// A cache's statistics over the measurement window. Reads are hits or misses; writes are neither.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CacheReport {
    /// reads answered from a live entry
    pub hits: u64,
    /// reads that found no live entry (absent, evicted or expired)
    pub misses: u64,
    /// hits ÷ (hits + misses) [0..1]; 0 without reads
    pub hit_ratio: f64,
    /// live entries removed to make room
    pub evictions: u64,
    /// entries found expired by a read, or removed expired to make room
    pub expirations: u64,
    /// hits whose value was older than the database's (a write had committed since it was loaded)
    pub stale_reads: u64,
    /// write-behind: acknowledged writes lost because the cache crashed before flushing them
    pub lost_writes: u64,
    /// misses that waited for another request's database read of the same key (`coalesce`)
    pub coalesced: u64,
    /// background reloads started by refresh-ahead
    pub refreshes: u64,
    /// entries held at the end
    pub entries: u64,
}

impl CacheReport {
    pub(crate) fn new(c: &crate::components::cache::CacheCounters, entries: u32) -> CacheReport {
        let reads = c.hits + c.misses;
        CacheReport {
            hits: c.hits,
            misses: c.misses,
            hit_ratio: if reads > 0 {
                c.hits as f64 / reads as f64
            } else {
                0.0
            },
            evictions: c.evictions,
            expirations: c.expirations,
            stale_reads: c.stale_reads,
            lost_writes: c.lost_writes,
            coalesced: c.coalesced,
            refreshes: c.refreshes,
            entries: u64::from(entries),
        }
    }
}

/// Samples on a fixed simulated-time grid.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// grid spacing [s]
    pub interval_s: f64,
    /// node ids, in the order of each point's `nodes`
    pub node_ids: Vec<String>,
    /// one point per interval
    pub points: Vec<SeriesPoint>,
}

/// One interval of the series (counts by event time, warm-up included).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// end of the interval [s]
    pub t_s: f64,
    /// successes received in the interval
    pub completed: u64,
    /// errors received in the interval
    pub failed: u64,
    /// deadlines passed in the interval
    pub timed_out: u64,
    /// rejections received in the interval
    pub rejected: u64,
    /// rate-limit refusals received in the interval
    #[serde(default)]
    pub rate_limited: u64,
    /// shed requests received in the interval
    #[serde(default)]
    pub shed: u64,
    /// blocks received in the interval
    #[serde(default)]
    pub blocked: u64,
    /// median latency of the interval's successes [ms]
    pub p50_ms: f64,
    /// 95th percentile of the interval's successes [ms]
    pub p95_ms: f64,
    /// 99th percentile of the interval's successes [ms]
    pub p99_ms: f64,
    /// per node, in `node_ids` order
    pub nodes: Vec<NodeSample>,
}

/// A node at a grid point.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeSample {
    /// queue length at the grid point [requests]
    pub queue: u32,
    /// requests in the node at the grid point
    pub in_node: u32,
    /// fraction of worker time taken during the interval [0..1]
    pub utilization: f64,
}

/// FNV-1a, 64 bits, fed with bit patterns.
struct Fnv(u64);

impl Fnv {
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }
    fn u64s(&mut self, vs: &[u64]) {
        for &v in vs {
            self.u64(v);
        }
    }
    /// End-to-end counts: the resilience counts enter only when a mechanism produced one, so older diagrams
    /// keep their pinned digests.
    fn requests(&mut self, r: &Requests) {
        self.u64s(&[
            r.sent,
            r.completed,
            r.failed,
            r.timed_out,
            r.rejected,
            r.in_flight,
            r.hop_limited,
            r.lost,
        ]);
        if r.resilience_counts().iter().any(|&v| v > 0) {
            self.u64s(&r.resilience_counts());
        }
    }
    fn f64s(&mut self, vs: &[f64]) {
        for &v in vs {
            self.f64(v);
        }
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
}

impl Report {
    /// FNV-1a over the bit patterns of every number and name in a fixed order (fields as declared, nodes by
    /// id, series in time order), leaving out `wall_ms`. Equal digests mean equal reports, bit for bit.
    pub fn digest(&self) -> u64 {
        let mut h = Fnv(0xcbf2_9ce4_8422_2325);
        h.u64(u64::from(self.format));
        h.u64(self.seed);
        h.f64(self.duration_s);
        h.f64(self.warmup_s);
        h.f64(self.end_s);
        h.u64(u64::from(self.finished));
        h.requests(&self.requests);
        if let Some(x) = &self.resilience {
            h.u64s(&[
                x.client_calls,
                x.client_attempts,
                x.retries,
                x.call_timeouts,
                x.budget_refused,
                x.breaker_opens,
                x.short_circuited,
                x.duplicate_effects,
                x.deduplicated,
            ]);
            h.f64(x.amplification);
        }
        for (name, e) in &self.edges {
            h.str(name);
            h.str(&e.from);
            h.str(&e.to);
            h.u64s(&[
                e.calls,
                e.attempts,
                e.retries,
                e.timeouts,
                e.failed,
                e.budget_refused,
                e.breaker_opens,
                e.short_circuited,
            ]);
            h.f64(e.amplification);
            h.str(e.breaker_state.as_deref().unwrap_or(""));
            if let Some(t) = &e.breaker_state_time {
                h.f64s(&[t.closed_s, t.open_s, t.half_open_s]);
            }
        }
        let l = &self.latency_ms;
        h.f64s(&[
            l.mean,
            l.p50,
            l.p90,
            l.p95,
            l.p99,
            l.p999,
            l.max,
            l.network_mean,
            l.in_nodes_mean,
            self.throughput_rps,
        ]);
        h.u64(self.events);
        h.u64(self.nodes.len() as u64);
        for (id, n) in &self.nodes {
            h.str(id);
            h.str(&n.kind);
            h.u64s(&[n.arrivals, n.served, n.dropped, n.errors, n.waited]);
            h.f64s(&[
                n.utilization,
                n.mean_queue,
                n.mean_in_node,
                n.mean_time_ms,
                n.p99_time_ms,
            ]);
            if n.rate_limited + n.shed + n.blocked > 0 {
                h.u64s(&[n.rate_limited, n.shed, n.blocked]);
            }
            if let Some(x) = &n.service {
                h.u64s(&[
                    x.shed,
                    x.bulkhead_rejected,
                    x.effects,
                    x.duplicate_effects,
                    x.deduplicated,
                    x.in_progress_conflicts,
                ]);
            }
            if let Some(g) = &n.gateway {
                h.u64s(&[
                    g.handshakes,
                    g.connections,
                    g.auth_checks,
                    g.session_lookups,
                    g.auth_failures,
                    g.unrouted,
                ]);
                h.u64s(&g.routed);
            }
            if let Some(q) = &n.requests {
                h.requests(q);
            }
            if let Some(l) = &n.limiter {
                h.u64s(&[
                    l.admitted,
                    l.delayed,
                    l.rate_limited,
                    l.over_admitted,
                    l.keys,
                ]);
            }
            if let Some(f) = &n.waf {
                h.u64s(&[
                    f.inspected,
                    f.blocked_signature,
                    f.blocked_rate,
                    f.blocked_listed,
                    f.attacks_passed,
                    f.blocked_addresses,
                ]);
            }
            // Only caches add to the digest, so diagrams without one keep their pinned digests.
            if let Some(c) = &n.cache {
                h.u64s(&[
                    c.hits,
                    c.misses,
                    c.evictions,
                    c.expirations,
                    c.stale_reads,
                    c.lost_writes,
                    c.coalesced,
                    c.refreshes,
                    c.entries,
                ]);
                h.f64(c.hit_ratio);
            }
            // Likewise only messaging nodes.
            if let Some(m) = &n.messaging {
                h.u64s(&[
                    m.published,
                    m.enqueued,
                    m.dropped,
                    m.delivered,
                    m.redelivered,
                    m.acknowledged,
                    m.duplicates,
                    m.failed_deliveries,
                    m.dead_lettered,
                    m.depth,
                    m.in_flight,
                    m.max_depth,
                    m.waited,
                    m.lag,
                ]);
                h.f64(m.oldest_age_ms);
                h.f64(m.mean_wait_ms);
                for g in &m.consumers {
                    h.str(&g.node);
                    h.u64s(&[g.delivered, g.acknowledged, g.failed, g.lag, g.max_lag]);
                    h.u64s(&g.partition_lag);
                }
            }
            // A plain database (the server preset it used to be) leaves its section out, so diagrams from
            // before keep their pinned digests.
            if let Some(d) = n.database.as_ref().filter(|d| d.modelled) {
                h.u64s(&[
                    d.reads,
                    d.writes,
                    d.stale_reads,
                    d.lost_writes,
                    d.conflicts,
                    d.failed_writes,
                    d.cross_shard_reads,
                    d.failovers,
                    d.shards.len() as u64,
                ]);
                for s in &d.shards {
                    h.u64(s.queries);
                    h.f64(s.share);
                    h.u64(s.rows);
                    for i in &s.instances {
                        h.str(&i.role);
                        h.u64s(&[i.reads, i.writes, i.stale_reads]);
                        h.f64(i.utilization);
                    }
                }
            }
        }
        h.f64(self.series.interval_s);
        for id in &self.series.node_ids {
            h.str(id);
        }
        h.u64(self.series.points.len() as u64);
        for p in &self.series.points {
            h.f64(p.t_s);
            h.u64s(&[p.completed, p.failed, p.timed_out, p.rejected]);
            if p.rate_limited + p.shed + p.blocked > 0 {
                h.u64s(&[p.rate_limited, p.shed, p.blocked]);
            }
            h.f64(p.p50_ms);
            h.f64(p.p95_ms);
            h.f64(p.p99_ms);
            for s in &p.nodes {
                h.u64(u64::from(s.queue));
                h.u64(u64::from(s.in_node));
                h.f64(s.utilization);
            }
        }
        h.0
    }

    /// Compact JSON (the series included).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a report has string keys and finite numbers")
    }

    /// A human-readable table.
    pub fn to_table(&self) -> String {
        let mut s = String::new();
        let r = &self.requests;
        let l = &self.latency_ms;
        let _ = writeln!(
            s,
            "simulated {:.3} s (traffic {:.3} s, warm-up {:.3} s), seed {}, {} events, {:.1} ms wall",
            self.end_s, self.duration_s, self.warmup_s, self.seed, self.events, self.wall_ms
        );
        let _ = writeln!(
            s,
            "requests  sent {}  completed {}  failed {}  timed out {}  rejected {}  in flight {}",
            r.sent, r.completed, r.failed, r.timed_out, r.rejected, r.in_flight
        );
        if r.rate_limited + r.shed + r.blocked > 0 {
            let _ = writeln!(
                s,
                "          rate limited {}  shed {}  blocked {}",
                r.rate_limited, r.shed, r.blocked
            );
        }
        if r.attacks_sent > 0 {
            let _ = writeln!(
                s,
                "          attacks sent {}  answered {}",
                r.attacks_sent, r.attacks_served
            );
        }
        if let Some(x) = &self.resilience {
            let _ = writeln!(
                s,
                "resilience  retries {}  amplification {:.3}  call timeouts {}  budget refused {}  breaker opens {}  \
                 short-circuited {}  duplicate effects {}  deduplicated {}",
                x.retries,
                x.amplification,
                x.call_timeouts,
                x.budget_refused,
                x.breaker_opens,
                x.short_circuited,
                x.duplicate_effects,
                x.deduplicated
            );
        }
        if r.hop_limited > 0 || r.lost > 0 {
            let _ = writeln!(
                s,
                "          hop limit hit {}  messages lost {}",
                r.hop_limited, r.lost
            );
        }
        let _ = writeln!(
            s,
            "latency   mean {:.3}  p50 {:.3}  p90 {:.3}  p95 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3} ms",
            l.mean, l.p50, l.p90, l.p95, l.p99, l.p999, l.max
        );
        let _ = writeln!(
            s,
            "          of the mean: network {:.3} ms, in nodes {:.3} ms",
            l.network_mean, l.in_nodes_mean
        );
        let _ = writeln!(s, "throughput {:.1} req/s", self.throughput_rps);
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{:<16} {:<14} {:>10} {:>10} {:>8} {:>8} {:>6} {:>9} {:>10} {:>10}",
            "node",
            "kind",
            "arrivals",
            "served",
            "dropped",
            "errors",
            "util",
            "queue",
            "mean ms",
            "p99 ms"
        );
        for (id, n) in &self.nodes {
            let _ = writeln!(
                s,
                "{:<16} {:<14} {:>10} {:>10} {:>8} {:>8} {:>5.1}% {:>9.3} {:>10.3} {:>10.3}",
                id,
                n.kind,
                n.arrivals,
                n.served,
                n.dropped,
                n.errors,
                n.utilization * 100.0,
                n.mean_queue,
                n.mean_time_ms,
                n.p99_time_ms
            );
        }
        if !self.edges.is_empty() {
            let _ = writeln!(s);
            let _ = writeln!(
                s,
                "{:<24} {:>8} {:>9} {:>6} {:>9} {:>7} {:>10} {:>6} {:>9} {:>7}",
                "call edge",
                "calls",
                "attempts",
                "amp",
                "timeouts",
                "failed",
                "breaker",
                "opens",
                "fast-fail",
                "open s"
            );
            for (name, e) in &self.edges {
                let _ = writeln!(
                    s,
                    "{:<24} {:>8} {:>9} {:>6.3} {:>9} {:>7} {:>10} {:>6} {:>9} {:>7.1}",
                    name,
                    e.calls,
                    e.attempts,
                    e.amplification,
                    e.timeouts,
                    e.failed,
                    e.breaker_state.as_deref().unwrap_or("-"),
                    e.breaker_opens,
                    e.short_circuited,
                    e.breaker_state_time.map_or(0.0, |t| t.open_s)
                );
            }
        }
        let guards: Vec<String> = self
            .nodes
            .iter()
            .filter_map(|(id, n)| {
                let mut parts = Vec::new();
                if let Some(v) = &n.service {
                    parts.push(format!(
                        "shed {}  bulkhead rejected {}  effects {}  duplicate effects {}  deduplicated {}  \
                         in-progress conflicts {}",
                        v.shed,
                        v.bulkhead_rejected,
                        v.effects,
                        v.duplicate_effects,
                        v.deduplicated,
                        v.in_progress_conflicts
                    ));
                }
                if let Some(g) = &n.gateway {
                    parts.push(format!(
                        "handshakes {}  connections {}  auth checks {}  session lookups {}  auth failures {}  \
                         unrouted {}",
                        g.handshakes,
                        g.connections,
                        g.auth_checks,
                        g.session_lookups,
                        g.auth_failures,
                        g.unrouted
                    ));
                }
                if let Some(l) = &n.limiter {
                    parts.push(format!(
                        "admitted {}  delayed {}  rate limited {}  over-admitted {}  keys {}",
                        l.admitted, l.delayed, l.rate_limited, l.over_admitted, l.keys
                    ));
                }
                if let Some(w) = &n.waf {
                    parts.push(format!(
                        "inspected {}  blocked: signature {}, rate {}, listed {}  attacks passed {}  \
                         addresses blocked {}",
                        w.inspected,
                        w.blocked_signature,
                        w.blocked_rate,
                        w.blocked_listed,
                        w.attacks_passed,
                        w.blocked_addresses
                    ));
                }
                (!parts.is_empty()).then(|| format!("{id:<16} {}", parts.join("; ")))
            })
            .collect();
        if !guards.is_empty() {
            let _ = writeln!(s);
            for line in guards {
                let _ = writeln!(s, "{line}");
            }
        }
        let caches: Vec<_> = self
            .nodes
            .iter()
            .filter_map(|(id, n)| n.cache.map(|c| (id, c)))
            .collect();
        if !caches.is_empty() {
            let _ = writeln!(s);
            let _ = writeln!(
                s,
                "{:<16} {:>10} {:>10} {:>7} {:>9} {:>8} {:>7} {:>6} {:>9} {:>8} {:>8}",
                "cache",
                "hits",
                "misses",
                "hit %",
                "evictions",
                "expired",
                "stale",
                "lost",
                "coalesced",
                "refresh",
                "entries"
            );
            for (id, c) in caches {
                let _ = writeln!(
                    s,
                    "{:<16} {:>10} {:>10} {:>6.1}% {:>9} {:>8} {:>7} {:>6} {:>9} {:>8} {:>8}",
                    id,
                    c.hits,
                    c.misses,
                    c.hit_ratio * 100.0,
                    c.evictions,
                    c.expirations,
                    c.stale_reads,
                    c.lost_writes,
                    c.coalesced,
                    c.refreshes,
                    c.entries
                );
            }
        }
        let brokers: Vec<_> = self
            .nodes
            .iter()
            .filter_map(|(id, n)| n.messaging.as_ref().map(|m| (id, m)))
            .collect();
        if !brokers.is_empty() {
            let _ = writeln!(s);
            let _ = writeln!(
                s,
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
            );
            for (id, m) in brokers {
                let _ = writeln!(
                    s,
                    "{:<16} {:>9} {:>8} {:>9} {:>9} {:>9} {:>6} {:>6} {:>7} {:>7} {:>9.1} {:>8.3}",
                    id,
                    m.published,
                    m.dropped,
                    m.delivered,
                    m.redelivered,
                    m.acknowledged,
                    m.duplicates,
                    m.dead_lettered,
                    m.depth,
                    m.lag,
                    m.oldest_age_ms,
                    m.mean_wait_ms
                );
                for g in &m.consumers {
                    let _ = writeln!(
                        s,
                        "  -> {:<11} delivered {}  acked {}  failed {}  lag {} (max {}){}",
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
                    );
                }
            }
        }
        for (id, d) in self
            .nodes
            .iter()
            .filter_map(|(id, n)| n.database.as_ref().filter(|d| d.modelled).map(|d| (id, d)))
        {
            let _ = writeln!(s);
            let _ = writeln!(
                s,
                "database {id}: reads {}  writes {}  stale reads {}  lost writes {}  conflicts {}  failed \
                 writes {}  cross-shard reads {}  failovers {}",
                d.reads,
                d.writes,
                d.stale_reads,
                d.lost_writes,
                d.conflicts,
                d.failed_writes,
                d.cross_shard_reads,
                d.failovers
            );
            for (k, sh) in d.shards.iter().enumerate() {
                let _ = write!(
                    s,
                    "  shard {k}: {} queries ({:.1}%), {} rows;",
                    sh.queries,
                    sh.share * 100.0,
                    sh.rows
                );
                for i in &sh.instances {
                    let _ = write!(
                        s,
                        "  {} r{} w{} stale {} util {:.1}%",
                        i.role,
                        i.reads,
                        i.writes,
                        i.stale_reads,
                        i.utilization * 100.0
                    );
                }
                let _ = writeln!(s);
            }
        }
        s
    }
}
