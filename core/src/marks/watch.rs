//! The words of the gallery scenarios' "watch" lines and what each asks the page to show (`Need`),
//! checked against every scenario by `tests/it/watch.rs`.

use crate::components::Kind;

/// Something a scenario's "watch" line asks the learner to look at, which the page must be able to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// a node figure (`node_figures` key) of some node of one of these kinds (any kind when empty)
    Node(&'static str, &'static [Kind]),
    /// an end-to-end figure (`run_figures` key)
    Run(&'static str),
    /// a chart (`CHARTS` key)
    Chart(&'static str),
    /// a guard figure (`guard_figures` key)
    Guard(&'static str),
    /// a "why" finding whose text contains this
    Finding(&'static str),
    /// a call edge's figures (`edge_figures`)
    EdgeFigures,
    /// a circuit breaker's state on its edge
    Breaker,
    /// a node's guard block (`node_block`) of one of these kinds
    Block(&'static [Kind]),
    /// a database's per-shard or per-instance line
    DatabaseParts,
    /// a call edge's figure (`edge_figures` key) on some edge
    EdgeFigure(&'static str),
}

/// The words of a watch line and what each asks the page to show. Checked by `tests/it/watch.rs` against every
/// scenario: each line must match at least one entry, and each match must be shown for that scenario's run.
pub const WATCH_WORDS: &[(&str, Need)] = &[
    ("lock waits", Need::Node("lock_waits", &[Kind::Database])),
    ("deadlocks", Need::Node("deadlocks", &[Kind::Database])),
    ("aborts", Need::Node("tx_aborts", &[Kind::Database])),
    ("lock contention finding", Need::Finding("lock contention")),
    ("guesses offline", Need::Block(&[Kind::Server])),
    (
        "logins are cpu-bound",
        Need::Finding("logins are CPU-bound"),
    ),
    (
        "tls handshakes",
        Need::Block(&[Kind::ApiGateway, Kind::Server]),
    ),
    ("terminates tls", Need::Finding("terminates TLS")),
    ("session lookups", Need::Block(&[Kind::ApiGateway])),
    ("on the device", Need::Node("http_fresh", &[Kind::Client])),
    (
        "revalidations",
        Need::Node("http_revalidated", &[Kind::Client]),
    ),
    ("sent uncached", Need::Node("http_misses", &[Kind::Client])),
    ("latency split", Need::Run("network_mean")),
    (
        "network part of the mean latency",
        Need::Run("network_mean"),
    ),
    ("network versus in nodes", Need::Run("in_nodes_mean")),
    ("utilisation", Need::Node("utilization", &[])),
    ("arrivals at each", Need::Node("arrivals", &[])),
    ("dns cache", Need::Node("dns_misses", &[Kind::Client])),
    ("mean time", Need::Node("mean_time", &[])),
    (
        "where each read was answered",
        Need::Node("answered_here", &[]),
    ),
    (
        "buffer cache hit ratio",
        Need::Node("buffer_hit_ratio", &[Kind::Database]),
    ),
    (
        "hit ratio",
        Need::Node(
            "hit_ratio",
            &[Kind::Cache, Kind::CdnEdge, Kind::ForwardProxy],
        ),
    ),
    ("p99", Need::Node("p99_time", &[])),
    ("queue", Need::Node("mean_queue", &[])),
    ("dropped", Need::Node("dropped", &[])),
    ("lost writes", Need::Node("lost_writes", &[Kind::Cache])),
    (
        "failed requests in the time series",
        Need::Chart("unsuccessful"),
    ),
    ("throughput", Need::Chart("throughput")),
    ("falling to zero", Need::Chart("busy")),
    ("depth", Need::Chart("queue")),
    ("mean wait", Need::Node("mean_wait", &[Kind::Queue])),
    ("end-to-end latency", Need::Run("p99")),
    (
        "delivered counts",
        Need::Node("consumer_delivered", &[Kind::Topic]),
    ),
    (
        "oldest message age",
        Need::Node("oldest_age", &[Kind::Queue]),
    ),
    ("latency in the metrics panel", Need::Run("p99")),
    (
        "stale reads",
        Need::Node("stale_reads", &[Kind::Database, Kind::KvStore]),
    ),
    ("which replicas", Need::DatabaseParts),
    ("replicas' share", Need::DatabaseParts),
    ("primary's reads", Need::DatabaseParts),
    ("per-shard", Need::DatabaseParts),
    ("amplification", Need::Guard("amplification")),
    ("call figures", Need::EdgeFigures),
    ("retry-storm finding", Need::Finding("retry storm")),
    (
        "sent, completed and rate limited",
        Need::Node("rate_limited", &[Kind::Client]),
    ),
    (
        "admitted and rate-limited",
        Need::Block(&[Kind::RateLimiter, Kind::ApiGateway]),
    ),
    ("breaker's state", Need::Breaker),
    ("fast failures in the edge figures", Need::EdgeFigures),
    ("circuit-breaker finding", Need::Finding("circuit breaker")),
    ("requests served", Need::Node("served", &[Kind::Server])),
    ("bulkhead rejections", Need::Block(&[Kind::Server])),
    ("why panel", Need::Finding("")),
    ("duplicate effects", Need::Guard("duplicate_effects")),
    ("dedupe store", Need::Block(&[Kind::Server])),
    ("refused while the first", Need::Block(&[Kind::Server])),
    (
        "call plan figures",
        Need::Node("plan_wait_p99", &[Kind::Server]),
    ),
    ("second copies", Need::EdgeFigure("hedges")),
    ("the ones that won", Need::EdgeFigure("hedge_wins")),
    ("fan-out tail finding", Need::Finding("fan-out tail")),
    (
        "reads and writes",
        Need::Node("db_reads", &[Kind::Database]),
    ),
    ("blocked counts", Need::Node("blocked", &[Kind::Client])),
    ("blocks by rule", Need::Block(&[Kind::Waf])),
    ("routed counts", Need::Block(&[Kind::ApiGateway])),
    (
        "refused (no quorum)",
        Need::Node("kv_refused", &[Kind::KvStore]),
    ),
    ("lost updates", Need::Node("lost_updates", &[Kind::KvStore])),
    (
        "keys diverged",
        Need::Node("diverged_keys", &[Kind::KvStore]),
    ),
    ("time to converge", Need::Node("converge", &[Kind::KvStore])),
    ("instances ready", Need::Node("instances", &[Kind::Server])),
    (
        "mean instances",
        Need::Node("mean_instances", &[Kind::Server]),
    ),
    (
        "scaling actions",
        Need::Node("scale_events", &[Kind::Server]),
    ),
    (
        "read latency p50",
        Need::Node("kv_read_p50", &[Kind::KvStore]),
    ),
    // A client's connections (conn).
    (
        "paid a handshake",
        Need::Node("conn_handshake_share", &[Kind::Client]),
    ),
    (
        "handshake round trips",
        Need::Node("conn_round_trips", &[Kind::Client]),
    ),
    (
        "connections opened",
        Need::Node("conn_opened", &[Kind::Client]),
    ),
    (
        "requests per connection",
        Need::Node("conn_per_connection", &[Kind::Client]),
    ),
    (
        "waits for a free connection",
        Need::Node("conn_pool_waits", &[Kind::Client]),
    ),
    (
        "mean request time",
        Need::Node("conn_mean", &[Kind::Client]),
    ),
    // REST vs GraphQL: a client's screens.
    (
        "round trips per screen",
        Need::Node("screen_round_trips", &[Kind::Client]),
    ),
    (
        "bytes per screen",
        Need::Node("screen_bytes", &[Kind::Client]),
    ),
    (
        "back-end calls per screen",
        Need::Node("screen_backend_calls", &[Kind::Client]),
    ),
    ("screen time", Need::Node("screen_time", &[Kind::Client])),
    (
        "dead events",
        Need::Node("wh_dead", &[Kind::WebhookProvider]),
    ),
    (
        "delivered after retries",
        Need::Node("wh_delivered", &[Kind::WebhookProvider]),
    ),
    (
        "delivery delay",
        Need::Node("wh_delay", &[Kind::WebhookProvider]),
    ),
    (
        "empty polls",
        Need::Node("wh_empty_polls", &[Kind::WebhookProvider]),
    ),
    (
        "duplicates sent",
        Need::Node("wh_duplicates", &[Kind::WebhookProvider]),
    ),
    (
        "attempts per event",
        Need::Node("wh_attempts", &[Kind::WebhookProvider]),
    ),
    ("webhook finding", Need::Finding("redelivered")),
    (
        "sagas completed",
        Need::Node("saga_completed", &[Kind::Saga]),
    ),
    (
        "sagas compensated",
        Need::Node("saga_compensated", &[Kind::Saga]),
    ),
    (
        "compensations run",
        Need::Node("saga_compensations", &[Kind::Saga]),
    ),
    (
        "time inconsistent",
        Need::Node("saga_inconsistent", &[Kind::Saga]),
    ),
    ("saga messages", Need::Node("saga_messages", &[Kind::Saga])),
    (
        "projection lag",
        Need::Node("proj_lag", &[Kind::Projection]),
    ),
    ("stale share", Need::Node("proj_stale", &[Kind::Projection])),
    (
        "events behind",
        Need::Node("proj_behind", &[Kind::Projection]),
    ),
    (
        "rebuild time",
        Need::Node("proj_rebuild", &[Kind::Projection]),
    ),
    (
        "logged-out users",
        Need::Node("logged_out", &[Kind::Server]),
    ),
    (
        "sessions held",
        Need::Node("sessions_held", &[Kind::Server]),
    ),
    (
        "update delay",
        Need::Node("rt_delay_mean", &[Kind::Subscribers]),
    ),
    (
        "empty responses",
        Need::Node("rt_empty", &[Kind::Subscribers]),
    ),
    (
        "poll requests a second",
        Need::Node("rt_requests_per_s", &[Kind::Subscribers]),
    ),
    (
        "bytes a second",
        Need::Node("rt_bytes_per_s", &[Kind::Subscribers]),
    ),
    (
        "reconnects",
        Need::Node("rt_reconnects", &[Kind::Subscribers]),
    ),
    (
        "connections held",
        Need::Node("rt_connections", &[Kind::EventFeed]),
    ),
    ("events missed", Need::Node("rt_missed", &[Kind::EventFeed])),
    ("uploads", Need::Node("obj_uploads", &[Kind::ObjectStore])),
    (
        "bytes avoided",
        Need::Node("obj_app_bytes_avoided", &[Kind::ObjectStore]),
    ),
    (
        "time per mb",
        Need::Node("obj_ms_per_mb", &[Kind::ObjectStore]),
    ),
    (
        "multipart",
        Need::Node("obj_multipart", &[Kind::ObjectStore]),
    ),
    (
        "stale window",
        Need::Node("stale_window", &[Kind::ServiceRegistry]),
    ),
    (
        "sent to expired",
        Need::Node("stale_sends", &[Kind::ServiceRegistry]),
    ),
    ("module share", Need::Node("module_share", &[Kind::Server])),
    (
        "dead instance finding",
        Need::Finding("sent to a dead instance"),
    ),
    (
        "monolith finding",
        Need::Finding("is a monolith whose module"),
    ),
];

/// What a watch line asks the page to show (lower-cased matching of [`WATCH_WORDS`]).
pub fn watch_needs(line: &str) -> Vec<Need> {
    let lower = line.to_lowercase();
    WATCH_WORDS
        .iter()
        .filter(|(w, _)| lower.contains(w))
        .map(|(_, n)| *n)
        .collect()
}
