//! The documented caps on what a diagram may be (`docs/limits.md`): how many nodes, edges and faults, and the
//! range of every numeric parameter. One table, [`PARAMS`], read by every params struct's `problems()` through
//! [`crate::components::check_range`], by validation (the diagram-wide caps in [`DIAGRAM`]), by the share
//! decoder and the JSON import (the counts, before anything is built) and so by the inspector, which refuses
//! a value its kind's `problems()` names.
//!
//! Why caps at all: a value that passes validation must never crash or hang the engine, and the page runs
//! diagrams from strangers' links. A cap is chosen far above any teaching diagram and below what would
//! allocate without bound at build time (workers, rings, tables), stop the clock (a rate whose gap between
//! requests rounds to zero nanoseconds) or overflow simulated time (durations past 10⁷ s).
//!
//! What a run may grow to while it runs (queues, requests in flight) is not a parameter: the memory guard
//! ([`run_guarded`], [`over_memory`], [`MAX_RUN_MEMORY`]) stops a run whose engine holds more than the cap.

use crate::sim::{MemoryUse, Sim};

/// Most nodes in a diagram.
pub const MAX_NODES: usize = 1_000;
/// Most edges in a diagram.
pub const MAX_EDGES: usize = 4_000;
/// Most scheduled faults in a diagram.
pub const MAX_FAULTS: usize = 1_000;
/// Most worker slots the whole diagram may allocate: every server's, gateway's and firewall's workers, a
/// database's workers × shards × (replicas + 1), a queue's consumers.
pub const MAX_TOTAL_WORKERS: u64 = 1_000_000;
/// Longest time parameter in milliseconds [ms]: 10¹⁰ ms = 10⁷ s, the longest run.
pub const MAX_MS: f64 = 1e10;
/// Longest time parameter in seconds [s]: 10⁷ s (about 116 days).
pub const MAX_SECONDS: f64 = 1e7;
/// Most requests per second one client may send [req/s]. At this rate the gap between two requests is
/// 1 µs, so simulated time always advances.
pub const MAX_RATE: f64 = 1e6;
/// Most bytes of memory the engine may hold in a run (by its own accounting, [`Sim::memory`]) before the
/// memory guard stops it: 256 MiB.
pub const MAX_RUN_MEMORY: usize = 256 << 20;

/// A documented range: the inclusive bounds of one parameter, wherever it appears.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit {
    /// the parameter's name: the last segment of its dotted path (`workers`, `mean_ms`), or a dotted name
    /// for diagram-wide settings (`settings.trace_capacity`, `fault.factor`)
    pub name: &'static str,
    /// the smallest value allowed
    pub min: f64,
    /// the largest value allowed
    pub max: f64,
    /// the unit, empty for a count
    pub unit: &'static str,
    /// where it appears
    pub used_by: &'static str,
}

const fn lim(
    name: &'static str,
    min: f64,
    max: f64,
    unit: &'static str,
    used_by: &'static str,
) -> Limit {
    Limit {
        name,
        min,
        max,
        unit,
        used_by,
    }
}

/// The range of every numeric node and edge parameter, by its name (the last segment of its path). A
/// parameter that may be empty (`queue_capacity`, `bulkhead`) is bounded when it is set.
pub const PARAMS: &[Limit] = &[
    // Traffic.
    lim(
        "rate",
        0.0,
        MAX_RATE,
        "req/s",
        "client (a REST screen: rate × resources)",
    ),
    lim("to_rate", 0.0, MAX_RATE, "req/s", "client `arrival` ramp"),
    lim("on_s", 0.001, MAX_SECONDS, "s", "client `arrival` bursty"),
    lim("off_s", 0.0, MAX_SECONDS, "s", "client `arrival` bursty"),
    lim(
        "period_s",
        0.001,
        MAX_SECONDS,
        "s",
        "client `arrival` diurnal",
    ),
    lim("amplitude", 0.0, 1.0, "", "client `arrival` diurnal"),
    lim("read_fraction", 0.0, 1.0, "", "client"),
    lim("static_fraction", 0.0, 1.0, "", "client"),
    lim("malicious_fraction", 0.0, 1.0, "", "client"),
    lim(
        "count",
        1.0,
        1e12,
        "keys",
        "client `keys` (a Zipf law: at most 1 000 000)",
    ),
    lim("s", 0.0, 10.0, "", "client `keys` Zipf exponent"),
    lim("addresses", 1.0, 1e6, "", "client"),
    lim("api_keys", 1.0, 1e6, "", "client"),
    lim("size_bytes", 0.0, 1e9, "bytes", "client"),
    lim("response_bytes", 0.0, 1e9, "bytes", "server"),
    lim(
        "timeout_ms",
        0.001,
        MAX_MS,
        "ms",
        "client, edge (a call's timeout), replicated store",
    ),
    // Retries and breakers.
    lim(
        "max_attempts",
        1.0,
        crate::resilience::MAX_ATTEMPTS as f64,
        "",
        "`retry` (client, edge)",
    ),
    lim("delay_ms", 0.0, MAX_MS, "ms", "`retry.backoff` fixed"),
    lim("base_ms", 0.0, MAX_MS, "ms", "`retry.backoff` exponential"),
    lim("cap_ms", 0.0, MAX_MS, "ms", "`retry.backoff` exponential"),
    lim("ratio", 0.0, 1.0, "", "`retry.budget`"),
    lim("budget.burst", 0.0, 1e9, "tokens", "`retry.budget`"),
    lim(
        "burst",
        1.0,
        1e9,
        "requests",
        "rate limiter, API gateway `rate_limit`",
    ),
    lim("window_size", 1.0, 10_000.0, "calls or s", "edge `breaker`"),
    lim("minimum_calls", 1.0, 10_000.0, "calls", "edge `breaker`"),
    lim("half_open_calls", 1.0, 10_000.0, "calls", "edge `breaker`"),
    lim("failure_rate", 0.0, 1.0, "", "edge `breaker`"),
    lim("slow_call_rate", 0.0, 1.0, "", "edge `breaker`"),
    lim("slow_call_ms", 0.0, MAX_MS, "ms", "edge `breaker`"),
    lim("open_ms", 0.0, MAX_MS, "ms", "edge `breaker`"),
    // Workers and queues.
    lim(
        "workers",
        1.0,
        100_000.0,
        "",
        "server, database, API gateway, firewall, forward proxy",
    ),
    lim(
        "queue_capacity",
        0.0,
        1e7,
        "requests",
        "server, database, API gateway, firewall, forward proxy",
    ),
    lim("speed", 0.001, 1000.0, "×", "server, database"),
    lim("error_probability", 0.0, 1.0, "", "server, database"),
    lim("bulkhead", 1.0, 100_000.0, "workers", "server"),
    lim(
        "retention_s",
        0.001,
        MAX_SECONDS,
        "s",
        "server `idempotency`",
    ),
    lim(
        "target_utilization",
        0.01,
        1.0,
        "",
        "server `autoscale.track` cpu",
    ),
    lim(
        "target_queue",
        0.01,
        1e6,
        "requests",
        "server `autoscale.track` queue_per_instance",
    ),
    lim(
        "target_rps",
        0.001,
        MAX_RATE,
        "req/s",
        "server `autoscale.track` rps_per_instance",
    ),
    lim(
        "autoscale.min",
        1.0,
        1000.0,
        "instances",
        "server `autoscale`",
    ),
    lim(
        "autoscale.max",
        1.0,
        1000.0,
        "instances",
        "server `autoscale`",
    ),
    lim(
        "autoscale.boot_s",
        0.0,
        MAX_SECONDS,
        "s",
        "server `autoscale`",
    ),
    lim(
        "autoscale.cooldown_s",
        0.0,
        MAX_SECONDS,
        "s",
        "server `autoscale`",
    ),
    lim(
        "autoscale.interval_s",
        0.1,
        MAX_SECONDS,
        "s",
        "server `autoscale`",
    ),
    // Distributions (service times, latencies).
    lim("ms", 0.0, MAX_MS, "ms", "a constant distribution"),
    lim("mean_ms", 0.0, MAX_MS, "ms", "an exponential distribution"),
    lim("min_ms", 0.0, MAX_MS, "ms", "a uniform distribution"),
    lim("max_ms", 0.0, MAX_MS, "ms", "a uniform distribution"),
    lim("median_ms", 0.0, MAX_MS, "ms", "a log-normal distribution"),
    lim("sigma", 0.0, 4.0, "", "a log-normal distribution"),
    lim("fast_ms", 0.0, MAX_MS, "ms", "a bimodal distribution"),
    lim("slow_ms", 0.0, MAX_MS, "ms", "a bimodal distribution"),
    lim("slow_probability", 0.0, 1.0, "", "a bimodal distribution"),
    // Load balancer.
    lim(
        "virtual_nodes",
        1.0,
        1000.0,
        "",
        "load balancer (IP hash), database (consistent hashing)",
    ),
    lim(
        "interval_ms",
        1.0,
        MAX_MS,
        "ms",
        "load balancer `health_check`",
    ),
    lim(
        "unhealthy_threshold",
        1.0,
        1000.0,
        "checks",
        "load balancer `health_check`",
    ),
    lim(
        "healthy_threshold",
        1.0,
        1000.0,
        "checks",
        "load balancer `health_check`",
    ),
    // Database.
    lim("rows", 0.0, 1e12, "rows", "database"),
    lim("indexes", 0.0, 100.0, "", "database"),
    lim("join_tables", 1.0, 100.0, "tables", "database"),
    lim("replicas", 0.0, 64.0, "", "database"),
    lim("lag_ms", 0.0, MAX_MS, "ms", "database, replicated store"),
    lim("primary_failure_s", 0.0, MAX_SECONDS, "s", "database"),
    lim("failover_ms", 0.0, MAX_MS, "ms", "database"),
    lim("shards", 1.0, 1024.0, "", "database"),
    lim("key_space", 1.0, 1e12, "keys", "database"),
    lim("tx_rows", 1.0, 16.0, "rows", "database"),
    lim("tx_retries", 0.0, 100.0, "retries", "database"),
    lim(
        "copies_per_update",
        1.0,
        1000.0,
        "rows",
        "database (denormalised)",
    ),
    lim("max_age_s", 0.0, MAX_SECONDS, "s", "client `http_cache`"),
    lim("password_hash_ms", 0.0, 60_000.0, "ms", "server"),
    lim("row_bytes", 0.0, 1e6, "bytes", "database"),
    lim("hot_bytes", 0.0, 1e6, "bytes", "database"),
    lim(
        "buffer_cache.pages",
        0.0,
        1e7,
        "pages",
        "database `buffer_cache`",
    ),
    lim("disk_ms", 0.0, MAX_MS, "ms", "database `buffer_cache`"),
    lim("forward_ms", 0.0, MAX_MS, "ms", "forward proxy"),
    // Caches.
    lim(
        "capacity",
        0.0,
        1e7,
        "entries or messages",
        "cache, CDN edge, DNS resolver, queue, forward proxy `cache`",
    ),
    lim(
        "ttl_ms",
        0.001,
        MAX_MS,
        "ms",
        "cache, CDN edge, forward proxy `cache`",
    ),
    lim("refresh_ahead", 0.0, 1.0, "", "cache, CDN edge"),
    lim("warm_keys", 0.0, 1e6, "keys", "cache, CDN edge"),
    lim("flush_interval_ms", 1.0, MAX_MS, "ms", "cache, CDN edge"),
    // Messaging.
    lim("consumers", 1.0, 10_000.0, "", "queue"),
    lim("visibility_timeout_ms", 1.0, MAX_MS, "ms", "queue"),
    lim("max_receives", 1.0, 1000.0, "deliveries", "queue"),
    lim("partitions", 1.0, 1024.0, "", "stream"),
    lim("retry_ms", 1.0, MAX_MS, "ms", "stream"),
    // Gateway, firewall, rate limiter.
    lim("process_ms", 0.0, MAX_MS, "ms", "API gateway"),
    lim("jwt_verify_ms", 0.0, MAX_MS, "ms", "API gateway"),
    lim("tls_handshake_ms", 0.0, MAX_MS, "ms", "API gateway, server"),
    lim(
        "keepalive_s",
        0.0,
        MAX_SECONDS,
        "s",
        "API gateway, server (> 0 with TLS)",
    ),
    lim("inspect_ms", 0.0, MAX_MS, "ms", "firewall"),
    lim("ip_rate_limit", 1.0, 1e9, "requests", "firewall"),
    lim(
        "ip_window_s",
        0.0,
        MAX_SECONDS,
        "s",
        "firewall (> 0 with `ip_rate_limit`)",
    ),
    lim(
        "block_s",
        0.0,
        MAX_SECONDS,
        "s",
        "firewall (> 0 with `ip_rate_limit`)",
    ),
    lim(
        "limit",
        1.0,
        1e9,
        "requests",
        "rate limiter, API gateway `rate_limit`",
    ),
    lim(
        "window_ms",
        0.001,
        MAX_MS,
        "ms",
        "rate limiter, API gateway `rate_limit`",
    ),
    lim(
        "instances",
        1.0,
        1000.0,
        "",
        "rate limiter, API gateway `rate_limit`, server",
    ),
    lim(
        "sync_ms",
        0.0,
        MAX_MS,
        "ms",
        "rate limiter, API gateway `rate_limit`",
    ),
    // Replicated key-value store.
    lim("store_nodes", 1.0, 64.0, "", "replicated store (kv_store)"),
    lim(
        "replication",
        1.0,
        64.0,
        "replicas",
        "replicated store (at most `store_nodes`)",
    ),
    lim(
        "r",
        1.0,
        64.0,
        "replicas",
        "replicated store (at most `replication`)",
    ),
    lim(
        "w",
        1.0,
        64.0,
        "replicas",
        "replicated store (at most `replication`)",
    ),
    lim("handoff_per_s", 0.001, 1e6, "hints/s", "replicated store"),
    lim("anti_entropy_s", 0.1, 1e6, "s", "replicated store"),
    // Edges.
    lim("loss", 0.0, 1.0, "", "edge, `settings.link`"),
    lim("weight", 1.0, 1000.0, "", "edge"),
    lim(
        "bandwidth_mbps",
        0.001,
        1e6,
        "Mbit/s",
        "edge (0 or none = unlimited)",
    ),
    // Call plans and hedging.
    lim(
        "fan_out",
        1.0,
        crate::components::server::MAX_FAN_OUT as f64,
        "calls per edge",
        "server `parallel` and `first_k` plans",
    ),
    lim(
        "first_k",
        1.0,
        crate::components::server::MAX_FIRST_K as f64,
        "answers",
        "server `first_k` plan (at most the calls it sends)",
    ),
    lim(
        "partial_ms",
        0.001,
        crate::components::server::MAX_PARTIAL_MS,
        "ms",
        "server `parallel` plan (empty: wait for all)",
    ),
    lim("after.p", 50.0, 99.9, "%", "edge `hedge` percentile"),
    lim(
        "after.ms",
        0.0,
        crate::resilience::hedge::MAX_HEDGE_MS,
        "ms",
        "edge `hedge` fixed delay",
    ),
    // Client connections (conn).
    lim(
        "connections.pool_size",
        1.0,
        1000.0,
        "connections",
        "client `connections` (per user and host)",
    ),
    lim(
        "connections.keepalive_s",
        0.0,
        MAX_SECONDS,
        "s",
        "client `connections`",
    ),
    // REST vs GraphQL: a client's screen, a server's resolver.
    lim(
        "screen.resource_bytes",
        0.0,
        1e9,
        "bytes",
        "client `screen.resources` (each resource's size and used size)",
    ),
    lim(
        "graphql.items",
        0.0,
        crate::components::server::graphql::MAX_ITEMS as f64,
        "items",
        "server `graphql` (1 + items back-end calls per query)",
    ),
    // Webhook provider.
    lim("event_rate", 0.0, 1e5, "events/s", "webhook provider"),
    lim(
        "delivery_timeout_ms",
        0.001,
        MAX_MS,
        "ms",
        "webhook provider",
    ),
    lim(
        "poll_interval_ms",
        1.0,
        MAX_MS,
        "ms",
        "webhook provider, subscribers",
    ),
    lim("max_events", 1.0, 1e9, "events", "webhook provider"),
    // Object storage.
    lim("object_sizes.bytes", 1.0, 4e9, "bytes", "object store"),
    lim("object_sizes.min_bytes", 1.0, 4e9, "bytes", "object store"),
    lim(
        "object_sizes.max_bytes",
        1.0,
        4e9,
        "bytes",
        "object store (at least `min_bytes`)",
    ),
    lim("request_ms", 0.0, MAX_MS, "ms", "object store"),
    lim(
        "stream_mbps",
        0.0,
        1e6,
        "Mbit/s",
        "object store (0 = unlimited)",
    ),
    lim(
        "part_bytes",
        0.0,
        4e9,
        "bytes",
        "object store (0 = never multipart, else at least 100 000)",
    ),
    lim("parallel_parts", 1.0, 1000.0, "parts", "object store"),
    // Sagas and projections.
    lim("compensation_retry_ms", 1.0, MAX_MS, "ms", "saga"),
    lim("event_delay_ms", 0.0, MAX_MS, "ms", "projection"),
    lim("apply_ms", 0.0, 60_000.0, "ms", "projection"),
    // Real-time updates.
    lim("subscribers", 1.0, 100_000.0, "", "subscribers"),
    lim("reconnect_ms", 1.0, MAX_MS, "ms", "subscribers"),
    lim("reconnect_cap_ms", 1.0, MAX_MS, "ms", "subscribers"),
    lim("header_bytes", 0.0, 1e6, "bytes", "subscribers"),
    lim("events_per_s", 0.0, 1000.0, "events/s", "event feed"),
    lim("message_bytes", 0.0, 1e8, "bytes", "event feed"),
    lim("hold_timeout_ms", 1.0, MAX_MS, "ms", "event feed"),
    lim("max_connections", 0.0, 1e7, "", "event feed"),
    lim("memory_per_connection_kb", 0.0, 1e6, "KB", "event feed"),
    // Service discovery, monolith modules.
    lim("ttl_s", 0.001, MAX_SECONDS, "s", "service registry"),
    lim("heartbeat_s", 0.001, MAX_SECONDS, "s", "service registry"),
    lim(
        "refresh_s",
        0.0,
        MAX_SECONDS,
        "s",
        "service registry (0 = no cached copy)",
    ),
    lim("serialisation_ms", 0.0, MAX_MS, "ms", "server"),
];

/// A run's traffic duration (`settings.duration_s`, and the run controls' duration).
pub const DURATION_S: Limit = lim(
    "settings.duration_s",
    0.0,
    MAX_SECONDS,
    "s",
    "settings, the run controls",
);
/// `settings.warmup_s`.
pub const WARMUP_S: Limit = lim("settings.warmup_s", 0.0, MAX_SECONDS, "s", "settings");
/// `settings.drain_limit_s`.
pub const DRAIN_LIMIT_S: Limit = lim("settings.drain_limit_s", 0.0, MAX_SECONDS, "s", "settings");
/// `settings.series_interval_s`.
pub const SERIES_INTERVAL_S: Limit = lim(
    "settings.series_interval_s",
    0.0,
    MAX_SECONDS,
    "s",
    "settings (0 = no series; at most 1 000 000 points)",
);
/// `settings.hop_limit`.
pub const HOP_LIMIT: Limit = lim("settings.hop_limit", 1.0, 255.0, "hops", "settings");
/// `settings.trace_capacity`: the hop-record ring is allocated at build time.
pub const TRACE_CAPACITY: Limit = lim("settings.trace_capacity", 0.0, 1e6, "records", "settings");
/// A fault's time.
pub const FAULT_AT_S: Limit = lim("fault.at_s", 0.0, MAX_SECONDS, "s", "a fault");
/// A slow-down's or a spike's factor.
pub const FAULT_FACTOR: Limit = lim(
    "fault.factor",
    0.001,
    1000.0,
    "×",
    "a `slow` or `spike` fault",
);
/// A spike's length.
pub const FAULT_DURATION_S: Limit = lim(
    "fault.duration_s",
    0.001,
    MAX_SECONDS,
    "s",
    "a `spike` fault",
);
/// A DNS record's TTL.
pub const RECORD_TTL_S: Limit = lim(
    "records.ttl_s",
    0.001,
    MAX_SECONDS,
    "s",
    "a DNS record (`records`)",
);

/// A monolith module's time (`modules` of a server: `search 24ms`).
pub const MODULE_MS: Limit = lim("modules.time", 0.0, MAX_MS, "ms", "a server's `modules`");
/// A monolith module's memory (`search 24ms 8GiB`).
pub const MODULE_GIB: Limit = lim("modules.memory", 0.0, 4096.0, "GiB", "a server's `modules`");

/// The diagram-wide caps: counts, settings and faults.
pub const DIAGRAM: &[Limit] = &[
    lim("nodes", 0.0, MAX_NODES as f64, "", "the diagram"),
    lim("edges", 0.0, MAX_EDGES as f64, "", "the diagram"),
    lim("faults", 0.0, MAX_FAULTS as f64, "", "the diagram"),
    lim(
        "total_workers",
        0.0,
        MAX_TOTAL_WORKERS as f64,
        "",
        "the diagram (every node's worker slots together)",
    ),
    DURATION_S,
    WARMUP_S,
    DRAIN_LIMIT_S,
    SERIES_INTERVAL_S,
    HOP_LIMIT,
    TRACE_CAPACITY,
    FAULT_AT_S,
    FAULT_FACTOR,
    FAULT_DURATION_S,
    RECORD_TTL_S,
    MODULE_MS,
    MODULE_GIB,
];

/// The documented range of the parameter at the dotted `path`: a row named by the path's last two segments
/// (`budget.burst`) if there is one, else the row named by its last segment (`workers`, `mean_ms`).
///
/// Among several rows that fit, the first in [`PARAMS`]; found by binary search in [`by_name`] (building a
/// 1,000-node diagram checks tens of thousands of parameters).
pub fn param(path: &str) -> Option<&'static Limit> {
    let name = path.rsplit('.').next().unwrap_or(path);
    // A dotted row matches the whole path or a tail of it that starts after a dot and holds a dot itself.
    let mut dotted: Option<usize> = None;
    let mut tail = path;
    while let Some(dot) = tail.find('.') {
        if let Some(i) = first_named(tail) {
            dotted = Some(dotted.map_or(i, |d| d.min(i)));
        }
        tail = &tail[dot + 1..];
    }
    dotted.or_else(|| first_named(name)).map(|i| &PARAMS[i])
}

/// [`PARAMS`]' names with their rows' indices, sorted by name, then index.
fn by_name() -> &'static [(&'static str, usize)] {
    static INDEX: std::sync::OnceLock<Vec<(&'static str, usize)>> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut v: Vec<(&'static str, usize)> = PARAMS
            .iter()
            .enumerate()
            .map(|(i, l)| (l.name, i))
            .collect();
        v.sort_unstable();
        v
    })
}

/// The index of the first row of [`PARAMS`] called exactly `name`.
fn first_named(name: &str) -> Option<usize> {
    let index = by_name();
    let k = index.partition_point(|&(n, _)| n < name);
    index.get(k).filter(|&&(n, _)| n == name).map(|&(_, i)| i)
}

/// The diagram-wide cap called `name` (`nodes`, `settings.trace_capacity`, `fault.factor`).
pub fn diagram(name: &str) -> Option<&'static Limit> {
    DIAGRAM.iter().find(|l| l.name == name)
}

/// A number as the limits table and messages write it: thousands separated by thin spaces, powers of ten past
/// a billion (`10¹⁰`), decimals as typed.
pub fn show(v: f64) -> String {
    if v >= 1e9 && v == libm::floor(v) && is_power_of_ten(v) {
        let exp = libm::round(libm::log10(v)) as u32;
        return format!("10{}", superscript(exp));
    }
    if v == libm::floor(v) && v.abs() < 1e15 {
        let digits = format!("{}", v as i64);
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        return out;
    }
    format!("{v}")
}

fn is_power_of_ten(v: f64) -> bool {
    let e = libm::round(libm::log10(v));
    (libm::pow(10.0, e) - v).abs() < 0.5
}

fn superscript(n: u32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    n.to_string()
        .chars()
        .map(|c| DIGITS[c.to_digit(10).unwrap_or(0) as usize])
        .collect()
}

/// The problem with `v` for the parameter named `field` (dotted), against `limit`, or `None` when it is in
/// range. Non-finite values are not this check's business (they have a message of their own).
pub fn out_of_range(field: &str, v: f64, limit: &Limit) -> Option<String> {
    if !v.is_finite() {
        return None;
    }
    let unit = if limit.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", limit.unit)
    };
    if v > limit.max {
        Some(format!(
            "`{field}` must be at most {}{unit} (got {})",
            show(limit.max),
            show(v)
        ))
    } else if v < limit.min {
        Some(format!(
            "`{field}` must be at least {}{unit} (got {})",
            show(limit.min),
            show(v)
        ))
    } else {
        None
    }
}

/// Why a diagram with this many nodes, edges and faults cannot be opened, or `None`.
pub fn check_counts(nodes: usize, edges: usize, faults: usize) -> Option<String> {
    let over = |n: usize, max: usize, what: &str| {
        (n > max).then(|| {
            format!(
                "it has {} {what}; a diagram may have at most {}",
                show(n as f64),
                show(max as f64)
            )
        })
    };
    over(nodes, MAX_NODES, "nodes")
        .or_else(|| over(edges, MAX_EDGES, "edges"))
        .or_else(|| over(faults, MAX_FAULTS, "faults"))
}

/// The run controls' duration [s], or why it is refused (not a positive number of seconds up to the cap).
pub fn run_duration(d: f64) -> Result<f64, String> {
    if d.is_finite() && d > 0.0 && d <= DURATION_S.max {
        Ok(d)
    } else if d.is_finite() && d > 0.0 {
        Err(format!(
            "The duration must be at most {} s (got {}); the run keeps its duration",
            show(DURATION_S.max),
            show(d)
        ))
    } else {
        Err("The duration must be a positive number of seconds; the run keeps its duration".into())
    }
}

/// Events between two looks at the engine's memory in [`run_guarded`]: a slice adds at most a few MB.
pub const MEMORY_CHECK_EVENTS: u64 = 1 << 16;

/// A run stopped by the memory guard: where, how much the engine held and of what, and the longest queue.
#[derive(Clone, Debug, PartialEq)]
pub struct MemoryStop {
    /// the simulation clock when it stopped [s]
    pub at_s: f64,
    /// bytes the engine held ([`Sim::memory`])
    pub held: usize,
    /// the cap it passed [bytes]
    pub cap: usize,
    /// what held the most
    pub most: &'static str,
    /// the node with the longest queue and its length, when any queue is not empty
    pub queue: Option<(String, u32)>,
}

fn mb(b: usize) -> String {
    format!("{:.0} MB", b as f64 / 1_048_576.0)
}

impl MemoryStop {
    /// One line for the page's run controls.
    pub fn short(&self) -> String {
        let queue = self
            .queue
            .as_ref()
            .map(|(id, q)| format!(": `{id}` queues {} requests", show(f64::from(*q))))
            .unwrap_or_default();
        format!(
            "Stopped at {:.2} s, before the {} memory limit{queue}",
            self.at_s,
            mb(self.cap)
        )
    }
}

impl std::fmt::Display for MemoryStop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "stopped at {:.2} s of simulated time: the simulation holds {} (most of it {}) and its next growth \
             could pass the {} memory limit",
            self.at_s,
            mb(self.held),
            self.most,
            mb(self.cap)
        )?;
        if let Some((id, q)) = &self.queue {
            write!(
                f,
                "; the longest queue is at `{id}` ({} requests)",
                show(f64::from(*q))
            )?;
        }
        write!(
            f,
            ". The diagram takes in more than it can serve: add capacity, bound a queue, or shorten the run"
        )
    }
}

/// The memory guard: why the run must stop before the engine holds `cap` bytes, or `None`. The engine's
/// tables grow by doubling, so one more slice could double what it holds: the run stops once it holds more
/// than half the cap, and never reaches the cap itself.
pub fn over_memory(sim: &Sim, cap: usize) -> Option<MemoryStop> {
    let m: MemoryUse = sim.memory();
    if m.total() <= cap / 2 {
        return None;
    }
    let parts = [
        (m.requests, "requests in flight"),
        (m.events, "scheduled events"),
        (m.queues, "queued requests and messages"),
        (m.deadlines, "clients' deadlines"),
        (m.exemplars, "requests recorded for their waterfall"),
    ];
    let most = parts
        .iter()
        .copied()
        .max_by_key(|(b, _)| *b)
        .map_or("requests in flight", |(_, what)| what);
    let queue = (0..sim.node_ids().len())
        .map(|i| (sim.gauge(crate::ids::NodeIdx(i as u32)).queue, i))
        .max()
        .filter(|(q, _)| *q > 0)
        .map(|(q, i)| (sim.node_ids()[i].clone(), q));
    Some(MemoryStop {
        at_s: sim.now().as_secs(),
        held: m.total(),
        cap,
        most,
        queue,
    })
}

/// [`Sim::run_until`] with the memory guard: the same events in slices of [`MEMORY_CHECK_EVENTS`] (a run's
/// report does not depend on how it is sliced), the engine's memory looked at after each ([`over_memory`]),
/// so however large the frame's budget the engine never holds `cap`. The progress adds up the slices'.
pub fn run_guarded(
    sim: &mut Sim,
    until: crate::time::SimTime,
    event_budget: u64,
    cap: usize,
) -> (crate::sim::RunProgress, Option<MemoryStop>) {
    let mut events = 0u64;
    loop {
        let left = event_budget.saturating_sub(events);
        let p = sim.run_until(until, left.min(MEMORY_CHECK_EVENTS));
        events += p.events;
        let stop = over_memory(sim, cap);
        let budget_exhausted = events >= event_budget && !p.finished && p.reached < until;
        if stop.is_some() || p.finished || !p.budget_exhausted || budget_exhausted {
            return (
                crate::sim::RunProgress {
                    reached: p.reached,
                    events,
                    budget_exhausted,
                    finished: p.finished,
                },
                stop,
            );
        }
    }
}

/// The Markdown table of [`PARAMS`] and [`DIAGRAM`] that `docs/limits.md` holds (a test keeps them equal).
pub fn markdown_table() -> String {
    let mut out = String::from("| parameter | min | max | unit | where |\n|---|---|---|---|---|\n");
    for l in DIAGRAM.iter().chain(PARAMS) {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            l.name,
            show(l.min),
            show(l.max),
            l.unit,
            l.used_by
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    /// The lookup as a plain scan of the table, what [`super::param`] must agree with.
    fn param_by_scan(path: &str) -> Option<&'static super::Limit> {
        use super::PARAMS;
        let name = path.rsplit('.').next().unwrap_or(path);
        let dotted = |l: &&super::Limit| {
            l.name.contains('.')
                && (path == l.name
                    || path
                        .strip_suffix(l.name)
                        .is_some_and(|head| head.ends_with('.')))
        };
        PARAMS
            .iter()
            .find(dotted)
            .or_else(|| PARAMS.iter().find(|l| l.name == name))
    }

    #[test]
    fn param_finds_the_row_a_scan_of_the_table_finds() {
        let mut paths = vec![
            String::new(),
            ".".into(),
            "..".into(),
            "nope".into(),
            "a.nope".into(),
        ];
        for l in super::PARAMS {
            let last = l.name.rsplit('.').next().unwrap_or(l.name);
            for p in [
                l.name.to_string(),
                format!("x.{}", l.name),
                format!("retry.{}", l.name),
                format!("a.b.{}", l.name),
                format!("x{}", l.name),
                format!("{}.x", l.name),
                format!("budget.{last}"),
                format!("autoscale.{last}"),
                format!("edge.budget.{last}"),
                last.to_string(),
                format!(".{last}"),
            ] {
                paths.push(p);
            }
        }
        let mut found = 0;
        for p in &paths {
            let (a, b) = (super::param(p), param_by_scan(p));
            assert_eq!(a.map(|l| l.name), b.map(|l| l.name), "{p}");
            found += usize::from(a.is_some());
        }
        assert!(found > super::PARAMS.len(), "{found} paths found a row");
    }

    use super::*;

    #[test]
    fn names_are_unique_and_ranges_are_ordered() {
        let mut seen = std::collections::BTreeSet::new();
        for l in DIAGRAM.iter().chain(PARAMS) {
            assert!(seen.insert(l.name), "{} twice", l.name);
            assert!(l.min <= l.max && l.min >= 0.0, "{}", l.name);
        }
    }

    #[test]
    fn a_two_segment_row_wins_over_a_name() {
        assert_eq!(param("retry.budget.burst").map(|l| l.min), Some(0.0));
        assert_eq!(param("burst").map(|l| l.min), Some(1.0));
        assert_eq!(param("rate_limit.burst").map(|l| l.min), Some(1.0));
        assert_eq!(
            param("service_time.mean_ms").map(|l| l.name),
            Some("mean_ms")
        );
    }

    #[test]
    fn numbers_read_as_written() {
        assert_eq!(show(100_000.0), "100 000");
        assert_eq!(show(1e10), "10¹⁰");
        assert_eq!(show(1e12), "10¹²");
        assert_eq!(show(0.001), "0.001");
        assert_eq!(show(255.0), "255");
        assert_eq!(show(60_000_000.0), "60 000 000");
    }

    #[test]
    fn out_of_range_names_the_field_the_bound_and_the_value() {
        let w = param("workers").expect("workers");
        assert_eq!(
            out_of_range("workers", 60_000_000.0, w).as_deref(),
            Some("`workers` must be at most 100 000 (got 60 000 000)")
        );
        assert_eq!(out_of_range("workers", 100_000.0, w), None);
        let r = param("service_time.mean_ms").expect("a distribution's mean");
        assert!(
            out_of_range("service_time.mean_ms", 1e308, r)
                .expect("too long")
                .contains("at most 10¹⁰ ms")
        );
        assert_eq!(out_of_range("rate", f64::NAN, param("rate").unwrap()), None);
    }

    #[test]
    fn the_run_duration_is_refused_past_the_cap_with_a_message() {
        assert_eq!(run_duration(60.0), Ok(60.0));
        let e = run_duration(1e308).expect_err("1e308 s");
        assert!(
            e.contains("at most 10 000 000 s") && e.contains("10³⁰⁸"),
            "{e}"
        );
        assert!(run_duration(0.0).is_err() && run_duration(f64::NAN).is_err());
    }

    #[test]
    fn counts_over_the_caps_are_named() {
        assert_eq!(check_counts(MAX_NODES, MAX_EDGES, MAX_FAULTS), None);
        let m = check_counts(20_000, 0, 0).expect("too many nodes");
        assert!(
            m.contains("20 000 nodes") && m.contains("at most 1 000"),
            "{m}"
        );
        assert!(
            check_counts(1, MAX_EDGES + 1, 0)
                .expect("edges")
                .contains("edges")
        );
    }
}
