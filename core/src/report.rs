//! The run report: end-to-end outcomes and latency, per-node statistics and the time series, as the
//! runner prints it (table or JSON, documented in `docs/report-format.md`), plus a digest of every number
//! for the native-versus-wasm determinism check.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::components::{Kind, NodeDetail, TableSection};
// Each kind's block is defined with its kind; the report names them where readers look for them.
pub use crate::components::database::{InstanceReport, ShardReport};
pub use crate::components::messaging::ConsumerReport;
pub use crate::components::{
    CacheReport, DatabaseReport, GatewayReport, LimiterReport, MessagingReport, ServiceReport,
    WafReport,
};
use crate::digest::Digest;
pub use crate::outcomes::{Outcome, OutcomeCounts, Requests};

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
    /// bytes on the links and each link's load (diagrams with a bandwidth on some edge only)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkReport>,
    /// the fixed-grid time series
    pub series: Series,
}

/// Bytes on the wire over the measurement window (by send time): every link's, and every node's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NetworkReport {
    /// per edge, by edge name
    pub links: BTreeMap<String, LinkReport>,
    /// per node with a link, by id
    pub nodes: BTreeMap<String, NodeBytes>,
}

/// One link: requests go `from → to`, their responses come back `to → from`; each direction is a FIFO of bits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkReport {
    /// the calling node
    pub from: String,
    /// the called node
    pub to: String,
    /// bandwidth each way [Mbit/s]; 0 = unlimited
    pub bandwidth_mbps: f64,
    /// the requests' direction
    pub requests: LinkDirection,
    /// the responses' direction
    pub responses: LinkDirection,
}

/// One direction of a link.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkDirection {
    /// bytes sent
    pub bytes: u64,
    /// messages sent
    pub messages: u64,
    /// fraction of the window the link spent sending [0..1]
    pub utilization: f64,
    /// mean time a message waited for the messages ahead of it [ms]
    pub mean_wait_ms: f64,
    /// mean time from ready to its last bit sent (waiting + size ÷ bandwidth), before the latency [ms]
    pub mean_transfer_ms: f64,
}

impl NetworkReport {
    /// The table output's block: one row per link (bytes and utilisation each way, the responses' wait for
    /// the link), then each node's bytes.
    fn table(&self, s: &mut String) {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{:<24} {:>9} {:>12} {:>7} {:>12} {:>7} {:>10}",
            "link", "Mbit/s", "req bytes", "util", "resp bytes", "util", "wait ms"
        );
        for (name, l) in &self.links {
            let bw = if l.bandwidth_mbps > 0.0 {
                format!("{}", l.bandwidth_mbps)
            } else {
                "unlimited".into()
            };
            let _ = writeln!(
                s,
                "{:<24} {:>9} {:>12} {:>6.1}% {:>12} {:>6.1}% {:>10.3}",
                name,
                bw,
                l.requests.bytes,
                l.requests.utilization * 100.0,
                l.responses.bytes,
                l.responses.utilization * 100.0,
                l.responses.mean_wait_ms
            );
        }
        for (id, b) in &self.nodes {
            let _ = writeln!(s, "bytes {id}: sent {}  received {}", b.sent, b.received);
        }
    }
}

/// A node's bytes over all its links.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeBytes {
    /// bytes it sent (its requests and its responses)
    pub sent: u64,
    /// bytes it received
    pub received: u64,
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
    /// what hedging did, for an edge with a hedge
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hedge: Option<HedgeReport>,
}

/// A hedged edge: the second copies it sent, what they won, and the latency of one copy (what each call
/// would have waited without the hedge, load aside) beside the latency its calls had.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HedgeReport {
    /// second copies sent
    pub hedges: u64,
    /// calls the second copy answered first
    pub hedge_wins: u64,
    /// losing copies removed from a queue before being served (tied requests)
    pub cancelled: u64,
    /// second copies per attempt: the extra requests the hedge cost [0..1]
    pub extra_load: f64,
    /// the delay before a second copy at the end of the run [ms]; 0 while a percentile has too few answers
    pub delay_ms: f64,
    /// one copy's latency, send to successful answer, every copy (orphans and losers too) [ms]: median
    pub copy_p50_ms: f64,
    /// … 99th percentile
    pub copy_p99_ms: f64,
    /// … 99.9th percentile
    pub copy_p999_ms: f64,
    /// a successful call's latency as its caller waited it, with the hedge [ms]: median
    pub call_p50_ms: f64,
    /// … 99th percentile
    pub call_p99_ms: f64,
    /// … 99.9th percentile
    pub call_p999_ms: f64,
}

/// A node's parallel call plan (`parallel` or `first_k`): how its plans ended, how long they waited, and the
/// latency of one of their calls.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanReport {
    /// `parallel` or `first_k`
    pub plan: String,
    /// calls each plan sends (edges × `fan_out`)
    pub calls_per_request: u64,
    /// successful answers that end a plan (all calls for `parallel`, k for `first_k`)
    pub answers_needed: u64,
    /// plans that ended (started inside the measurement window)
    pub plans: u64,
    /// plans that failed (a call failed; `first_k`: too many did; partial: none arrived)
    pub failed: u64,
    /// plans answered at their `partial_ms` deadline with some calls missing
    pub partial: u64,
    /// calls the partial answers went without
    pub missing: u64,
    /// a successful plan's wait, from its calls leaving to its end [ms]: mean
    pub wait_mean_ms: f64,
    /// … median
    pub wait_p50_ms: f64,
    /// … 99th percentile
    pub wait_p99_ms: f64,
    /// one call's latency, send to successful answer (calls that outlived their plan too) [ms]: median
    pub call_p50_ms: f64,
    /// … 90th percentile
    pub call_p90_ms: f64,
    /// … 99th percentile
    pub call_p99_ms: f64,
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
    /// the kind (its registry name in JSON)
    pub kind: Kind,
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
    /// its parallel call plan, for a node with one
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanReport>,
    /// the kind's own block: a cache's statistics, a database's, a client's own requests, … (flattened: its
    /// fields `cache`, `database`, `requests`, … sit in the node's object, as the report format names them)
    #[serde(default, flatten, skip_serializing_if = "Option::is_none")]
    pub detail: Option<NodeDetail>,
}

impl NodeReport {
    /// A cache's, CDN edge's or resolver's statistics (or a client's DNS cache).
    pub fn cache(&self) -> Option<&CacheReport> {
        self.detail.as_ref()?.cache()
    }
    /// A messaging node's counts.
    pub fn messaging(&self) -> Option<&MessagingReport> {
        self.detail.as_ref()?.messaging()
    }
    /// A database's statistics.
    pub fn database(&self) -> Option<&DatabaseReport> {
        self.detail.as_ref()?.database()
    }
    /// An API gateway's handshakes, authentication and routing.
    pub fn gateway(&self) -> Option<&GatewayReport> {
        self.detail.as_ref()?.gateway()
    }
    /// A firewall's inspections and blocks.
    pub fn waf(&self) -> Option<&WafReport> {
        self.detail.as_ref()?.waf()
    }
    /// A rate limiter's (or a gateway's rate limit's) decisions.
    pub fn limiter(&self) -> Option<&LimiterReport> {
        self.detail.as_ref()?.limiter()
    }
    /// A server's shedding, bulkhead, side-effect and idempotency counts (servers that use one).
    pub fn service(&self) -> Option<&ServiceReport> {
        self.detail.as_ref()?.service()
    }
    /// A client's own end-to-end counts.
    pub fn requests(&self) -> Option<&Requests> {
        self.detail.as_ref()?.requests()
    }
    /// A client's browser HTTP cache.
    pub fn http_cache(&self) -> Option<&crate::components::client::HttpCacheReport> {
        self.detail.as_ref()?.http_cache()
    }
    /// A replicated key-value store's statistics.
    pub fn kv(&self) -> Option<&crate::components::KvReport> {
        self.detail.as_ref()?.kv()
    }
    /// A client's connections (`connections`).
    pub fn connections(&self) -> Option<&crate::components::client::ConnReport> {
        self.detail.as_ref()?.connections()
    }
    /// A client's screens (REST or GraphQL): round trips, bytes, back-end calls and time per screen.
    pub fn screen(&self) -> Option<&crate::components::client::ScreenReport> {
        match self.detail.as_ref()? {
            crate::components::NodeDetail::Client(c) => c.screen.as_ref(),
            _ => None,
        }
    }
}

fn is_zero(v: &u64) -> bool {
    *v == 0
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
    /// responses and deadlines received in the interval, by outcome (`completed`, `failed`, `timed_out`,
    /// `rejected`, `rate_limited`, `shed`, `blocked`)
    #[serde(flatten)]
    pub outcomes: OutcomeCounts,
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

impl Report {
    /// FNV-1a over the bit patterns of every number and name in a fixed order (fields as declared, nodes by
    /// id, series in time order), leaving out `wall_ms`. Equal digests mean equal reports, bit for bit.
    pub fn digest(&self) -> u64 {
        let mut h = Digest::new();
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
            if let Some(x) = &e.hedge {
                h.u64s(&[x.hedges, x.hedge_wins, x.cancelled]);
                h.f64s(&[
                    x.extra_load,
                    x.delay_ms,
                    x.copy_p50_ms,
                    x.copy_p99_ms,
                    x.copy_p999_ms,
                    x.call_p50_ms,
                    x.call_p99_ms,
                    x.call_p999_ms,
                ]);
            }
        }
        if let Some(n) = &self.network {
            for (name, l) in &n.links {
                h.str(name);
                h.f64(l.bandwidth_mbps);
                for d in [&l.requests, &l.responses] {
                    h.u64s(&[d.bytes, d.messages]);
                    h.f64s(&[d.utilization, d.mean_wait_ms, d.mean_transfer_ms]);
                }
            }
            for (id, b) in &n.nodes {
                h.str(id);
                h.u64s(&[b.sent, b.received]);
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
            h.str(n.kind.name());
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
            if let Some(d) = &n.detail {
                d.digest(&mut h);
            }
            if let Some(p) = &n.plan {
                h.str(&p.plan);
                h.u64s(&[
                    p.calls_per_request,
                    p.answers_needed,
                    p.plans,
                    p.failed,
                    p.partial,
                    p.missing,
                ]);
                h.f64s(&[
                    p.wait_mean_ms,
                    p.wait_p50_ms,
                    p.wait_p99_ms,
                    p.call_p50_ms,
                    p.call_p90_ms,
                    p.call_p99_ms,
                ]);
            }
        }
        h.f64(self.series.interval_s);
        for id in &self.series.node_ids {
            h.str(id);
        }
        h.u64(self.series.points.len() as u64);
        for p in &self.series.points {
            h.f64(p.t_s);
            let o = &p.outcomes;
            h.u64s(&[
                o[Outcome::Ok],
                o[Outcome::Error],
                o[Outcome::TimedOut],
                o[Outcome::Rejected],
            ]);
            if o.guards().iter().any(|&v| v > 0) {
                h.u64s(&o.guards());
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
            r.sent,
            r.completed(),
            r.failed(),
            r.timed_out(),
            r.rejected(),
            r.in_flight
        );
        if r.outcomes.guards().iter().any(|&v| v > 0) {
            let _ = writeln!(
                s,
                "          rate limited {}  shed {}  blocked {}",
                r.rate_limited(),
                r.shed(),
                r.blocked()
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
                n.kind.name(),
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
            for (name, e) in &self.edges {
                let Some(x) = &e.hedge else { continue };
                let _ = writeln!(
                    s,
                    "hedge {name}: {} second copies ({:.1} % extra), {} won, {} cancelled, delay {:.3} ms; a call \
                     p99 {:.3} ms and p99.9 {:.3} ms against one copy's {:.3} and {:.3} ms",
                    x.hedges,
                    x.extra_load * 100.0,
                    x.hedge_wins,
                    x.cancelled,
                    x.delay_ms,
                    x.call_p99_ms,
                    x.call_p999_ms,
                    x.copy_p99_ms,
                    x.copy_p999_ms
                );
            }
        }
        if let Some(n) = &self.network {
            n.table(&mut s);
        }
        let plans: Vec<_> = self
            .nodes
            .iter()
            .filter_map(|(id, n)| Some((id, n.plan.as_ref()?)))
            .collect();
        if !plans.is_empty() {
            let _ = writeln!(s);
            for (id, p) in plans {
                let _ = writeln!(
                    s,
                    "plan {id}: {} over {} calls (needs {}), {} plans, {} failed, {} partial ({} calls missing); \
                     wait mean {:.3} p50 {:.3} p99 {:.3} ms; one call p50 {:.3} p90 {:.3} p99 {:.3} ms",
                    p.plan,
                    p.calls_per_request,
                    p.answers_needed,
                    p.plans,
                    p.failed,
                    p.partial,
                    p.missing,
                    p.wait_mean_ms,
                    p.wait_p50_ms,
                    p.wait_p99_ms,
                    p.call_p50_ms,
                    p.call_p90_ms,
                    p.call_p99_ms
                );
            }
        }
        // Each kind's block adds its lines to a section: guard counts, the caches' table, the messaging
        // table, the databases' lines.
        let mut lines: BTreeMap<TableSection, Vec<String>> = BTreeMap::new();
        for (id, n) in &self.nodes {
            for (section, line) in n.detail.iter().flat_map(|d| d.table_lines(id)) {
                lines.entry(section).or_default().push(line);
            }
        }
        for section in TableSection::ALL {
            let Some(rows) = lines.get(&section) else {
                continue;
            };
            if section != TableSection::Databases {
                let _ = writeln!(s);
            }
            if let Some(header) = section.header() {
                let _ = writeln!(s, "{header}");
            }
            for row in rows {
                let _ = writeln!(s, "{row}");
            }
        }
        s
    }
}
