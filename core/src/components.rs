//! Node kinds: the registry the editor reads (name, category, hint, default parameters, allowed connections),
//! the typed parameters of each kind, and — one module per kind — the state machines the engine drives.
//!
//! Adding a kind: a variant in [`Kind`], an entry in [`KINDS`], a params struct and a state machine in
//! `components/<kind>.rs`, and an arm in the engine's dispatch.
//!
//! Components never touch the engine. A handler gets `&mut self` and a [`Ctx`] (the time, the random
//! generator and an output buffer) and pushes [`Action`]s: forward the request, respond, or schedule the end
//! of a service.

pub mod cache;
pub mod client;
pub mod database;
pub mod dns;
pub mod gateway;
pub mod load_balancer;
pub mod messaging;
pub mod pool;
pub mod rate_limiter;
pub mod server;
pub mod waf;

use serde::{Deserialize, Serialize};

use crate::request::{Op, Outcome};
use crate::rng::SimRng;
use crate::time::SimTime;

pub use cache::{CacheParams, Eviction, Pattern};
pub use client::{Arrival, ClientParams, Keys};
pub use database::DatabaseParams;
pub use dns::{DnsResolverParams, DnsRole, DnsServerParams, Record, RecordType};
pub use gateway::{Auth, GatewayParams};
pub use load_balancer::{HealthCheck, LbParams, Strategy};
pub use messaging::{Overflow, QueueParams, StreamParams, TopicParams};
pub use rate_limiter::{Algorithm, LimitKey, LimiterParams};
pub use server::ServerParams;
pub use waf::WafParams;

/// A node kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A traffic source.
    Client,
    /// Spreads calls over backends.
    LoadBalancer,
    /// A service with workers, a queue and a service time.
    Server,
    /// Shards of a primary and replicas, each with a connection pool; query cost from the data.
    Database,
    /// A key store with capacity, eviction and TTL in front of a database.
    Cache,
    /// A recursive DNS resolver with a TTL cache.
    DnsResolver,
    /// A root, TLD or authoritative name server.
    DnsServer,
    /// A CDN edge: a cache for static content near the users, pulling from its origin on a miss.
    CdnEdge,
    /// A point-to-point message queue with a poller pool, visibility timeout and dead-letter queue.
    Queue,
    /// A publish/subscribe topic: every subscriber gets every message.
    Topic,
    /// A partitioned log read by consumer groups.
    Stream,
    /// One entry point: TLS, authentication, rate limits and routing to services.
    ApiGateway,
    /// A web application firewall: blocks attack payloads and flooding addresses.
    Waf,
    /// Admits requests up to a limit per window (fixed or sliding window, token or leaky bucket).
    RateLimiter,
}

/// The palette group a kind belongs to (one colour family each in the UI).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Where requests come from.
    Traffic,
    /// Routing and links.
    Network,
    /// Services that do work.
    Compute,
    /// Storage.
    Data,
    /// Queues and streams.
    Messaging,
    /// Rate limiters, breakers and friends.
    Resilience,
}

/// What the editor needs to know about a kind.
#[derive(Clone, Copy, Debug)]
pub struct KindInfo {
    /// the kind
    pub kind: Kind,
    /// the name used in the topology format
    pub name: &'static str,
    /// the palette title
    pub title: &'static str,
    /// palette group
    pub category: Category,
    /// one-line hint for the palette tooltip
    pub hint: &'static str,
    /// kinds an edge from this kind may point to
    pub connects_to: &'static [Kind],
}

/// The registry, in palette order.
pub const KINDS: &[KindInfo] = &[
    KindInfo {
        kind: Kind::Client,
        name: "client",
        title: "Client",
        category: Category::Traffic,
        hint: "Sends requests at a chosen rate and pattern, and measures what comes back.",
        connects_to: &[
            Kind::LoadBalancer,
            Kind::Server,
            Kind::Database,
            Kind::Cache,
            Kind::DnsResolver,
            Kind::CdnEdge,
            Kind::Queue,
            Kind::Topic,
            Kind::Stream,
            Kind::ApiGateway,
            Kind::Waf,
            Kind::RateLimiter,
        ],
    },
    KindInfo {
        kind: Kind::LoadBalancer,
        name: "load_balancer",
        title: "Load balancer",
        category: Category::Network,
        hint: "Spreads requests over its backends and stops sending to ones its health checks find dead.",
        connects_to: &[
            Kind::LoadBalancer,
            Kind::Server,
            Kind::Database,
            Kind::Cache,
            Kind::ApiGateway,
            Kind::Waf,
            Kind::RateLimiter,
        ],
    },
    KindInfo {
        kind: Kind::Server,
        name: "server",
        title: "Server",
        category: Category::Compute,
        hint: "Workers take requests from a bounded queue; each may call the next hop and wait for it.",
        connects_to: &[
            Kind::RateLimiter,
            Kind::LoadBalancer,
            Kind::Server,
            Kind::Database,
            Kind::Cache,
            Kind::Queue,
            Kind::Topic,
            Kind::Stream,
        ],
    },
    KindInfo {
        kind: Kind::Database,
        name: "database",
        title: "Database",
        category: Category::Data,
        hint: "Stores the data: a connection pool per instance, SQL or NoSQL query costs that grow with the \
               table, read replicas with replication lag, and shards by hash, range or consistent hashing.",
        connects_to: &[],
    },
    KindInfo {
        kind: Kind::Cache,
        name: "cache",
        title: "Cache",
        category: Category::Data,
        hint: "Stores frequently accessed data in memory in front of a database; its capacity, eviction \
               policy (LRU, LFU, FIFO) and TTL decide how often it hits.",
        connects_to: &[Kind::Database, Kind::Server, Kind::LoadBalancer],
    },
    KindInfo {
        kind: Kind::DnsResolver,
        name: "dns_resolver",
        title: "DNS resolver",
        category: Category::Network,
        hint: "Maps a domain name to an IP address: answers from its cache until the TTL expires, \
               otherwise asks the root, TLD and authoritative nameservers in turn.",
        connects_to: &[Kind::DnsServer],
    },
    KindInfo {
        kind: Kind::DnsServer,
        name: "dns_server",
        title: "DNS nameserver",
        category: Category::Network,
        hint: "A root, top-level domain (TLD) or authoritative nameserver; the authoritative one holds \
               the A, AAAA, CNAME and MX records.",
        connects_to: &[],
    },
    KindInfo {
        kind: Kind::CdnEdge,
        name: "cdn_edge",
        title: "CDN edge",
        category: Category::Network,
        hint: "Delivers static content (images, scripts, videos) from a server near the users; a miss \
               fetches it from the origin, however far away.",
        connects_to: &[
            Kind::Server,
            Kind::LoadBalancer,
            Kind::Database,
            Kind::Cache,
            Kind::ApiGateway,
            Kind::Waf,
            Kind::RateLimiter,
        ],
    },
    KindInfo {
        kind: Kind::Queue,
        name: "queue",
        title: "Message queue",
        category: Category::Messaging,
        hint: "Decouples producers from consumers: a producer is acknowledged at once, consumers pull \
               messages at their own pace, so a burst waits in the queue instead of overloading them. \
               At-least-once: an unacknowledged message is redelivered after the visibility timeout.",
        connects_to: &[Kind::Server, Kind::LoadBalancer, Kind::Database],
    },
    KindInfo {
        kind: Kind::Topic,
        name: "topic",
        title: "Pub/sub topic",
        category: Category::Messaging,
        hint: "Publish/subscribe: every subscriber gets its own copy of every message (fan-out); put a \
               queue in front of a subscriber to keep its messages while it is down.",
        connects_to: &[Kind::Queue, Kind::Server, Kind::LoadBalancer, Kind::Stream],
    },
    KindInfo {
        kind: Kind::Stream,
        name: "stream",
        title: "Stream",
        category: Category::Messaging,
        hint: "A partitioned log: messages with the same key keep their order in one partition; each \
               consumer group reads at its own offset, and its lag is how far behind it is.",
        connects_to: &[Kind::Server, Kind::LoadBalancer],
    },
    KindInfo {
        kind: Kind::ApiGateway,
        name: "api_gateway",
        title: "API gateway",
        category: Category::Network,
        hint: "A single entry point for all client requests: terminates TLS (a handshake on each new \
               connection), authenticates (a local JWT check, or a session lookup in a store), applies rate \
               limits and routes each request by method and path to the right service.",
        connects_to: &[
            Kind::Server,
            Kind::LoadBalancer,
            Kind::Cache,
            Kind::Database,
            Kind::Queue,
            Kind::Topic,
        ],
    },
    KindInfo {
        kind: Kind::Waf,
        name: "waf",
        title: "Web application firewall",
        category: Category::Resilience,
        hint: "Inspects every request before the service sees it: its signature rules block attack payloads \
               (SQL injection, XSS) and its rate rule blocks an address that floods; a botnet spread over many \
               addresses slips under a per-address limit.",
        connects_to: &[
            Kind::ApiGateway,
            Kind::LoadBalancer,
            Kind::Server,
            Kind::RateLimiter,
        ],
    },
    KindInfo {
        kind: Kind::RateLimiter,
        name: "rate_limiter",
        title: "Rate limiter",
        category: Category::Resilience,
        hint: "Lets each client address, API key or everyone send at most `limit` requests per window and \
               refuses the rest with 429 Too Many Requests; fixed window, sliding window log or counter, token \
               bucket or leaky bucket, and N instances that share their counts every sync interval.",
        connects_to: &[
            Kind::Server,
            Kind::LoadBalancer,
            Kind::ApiGateway,
            Kind::Cache,
            Kind::Database,
            Kind::Queue,
        ],
    },
];

impl Kind {
    /// The registry entry.
    pub fn info(self) -> &'static KindInfo {
        KINDS
            .iter()
            .find(|k| k.kind == self)
            .expect("every kind has a registry entry")
    }

    /// The kind with this format name.
    pub fn from_name(name: &str) -> Option<Kind> {
        KINDS.iter().find(|k| k.name == name).map(|k| k.kind)
    }

    /// The format name.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Whether an edge from this kind to `to` is allowed.
    pub fn may_connect_to(self, to: Kind) -> bool {
        self.info().connects_to.contains(&to)
    }

    /// The full default parameter object, as the editor's inspector shows it.
    pub fn default_params(self) -> serde_json::Map<String, serde_json::Value> {
        let value = match self {
            Kind::Client => serde_json::to_value(ClientParams::default()),
            Kind::LoadBalancer => serde_json::to_value(LbParams::default()),
            Kind::Server => serde_json::to_value(ServerParams::default()),
            Kind::Database => serde_json::to_value(database::default_params()),
            Kind::Cache => serde_json::to_value(CacheParams::default()),
            Kind::DnsResolver => serde_json::to_value(DnsResolverParams::default()),
            Kind::DnsServer => serde_json::to_value(DnsServerParams::default()),
            Kind::CdnEdge => serde_json::to_value(cache::cdn_defaults()),
            Kind::Queue => serde_json::to_value(QueueParams::default()),
            Kind::Topic => serde_json::to_value(TopicParams::default()),
            Kind::Stream => serde_json::to_value(StreamParams::default()),
            Kind::ApiGateway => serde_json::to_value(GatewayParams::default()),
            Kind::Waf => serde_json::to_value(WafParams::default()),
            Kind::RateLimiter => serde_json::to_value(LimiterParams::default()),
        };
        match value.expect("default params serialise") {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("params structs serialise to objects"),
        }
    }
}

/// Typed parameters of a node.
#[derive(Clone, Debug, PartialEq)]
pub enum Params {
    /// a client
    Client(ClientParams),
    /// a load balancer
    LoadBalancer(LbParams),
    /// a server
    Server(ServerParams),
    /// a database
    Database(DatabaseParams),
    /// a cache
    Cache(CacheParams),
    /// a DNS resolver
    DnsResolver(DnsResolverParams),
    /// a name server
    DnsServer(DnsServerParams),
    /// a CDN edge (cache parameters with CDN defaults)
    CdnEdge(CacheParams),
    /// a message queue
    Queue(QueueParams),
    /// a pub/sub topic
    Topic(TopicParams),
    /// a partitioned stream
    Stream(StreamParams),
    /// an API gateway
    ApiGateway(GatewayParams),
    /// a web application firewall
    Waf(WafParams),
    /// a rate limiter
    RateLimiter(LimiterParams),
}

/// A parameter that could not be decoded or is out of range.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamProblem {
    /// the field, dotted for nested ones (`service_time.mean_ms`), empty when unknown
    pub field: String,
    /// what is wrong, lowercase
    pub message: String,
}

/// Decodes `params` for `kind`: the kind's defaults overlaid with the given fields. Unknown fields and wrong
/// types are reported with the field's name.
pub fn parse_params(
    kind: Kind,
    params: &serde_json::Map<String, serde_json::Value>,
) -> Result<Params, ParamProblem> {
    let mut merged = kind.default_params();
    for (k, v) in params {
        if kind == Kind::Database && k == "blocking_calls" {
            // Saved when the database was a server preset; a database calls nothing, so it never mattered.
            continue;
        }
        if !merged.contains_key(k) {
            return Err(ParamProblem {
                field: k.clone(),
                message: format!("unknown parameter `{k}`"),
            });
        }
        merged.insert(k.clone(), v.clone());
    }
    decode(kind, merged).map_err(|e| {
        let message = e.to_string();
        // serde's type errors do not name the field: find the one given field that breaks the defaults.
        let field = params
            .iter()
            .find(|(k, v)| {
                let mut one = kind.default_params();
                one.insert((*k).clone(), (*v).clone());
                decode(kind, one).is_err()
            })
            .map(|(k, _)| k.clone())
            .unwrap_or_default();
        ParamProblem { field, message }
    })
}

fn decode(
    kind: Kind,
    map: serde_json::Map<String, serde_json::Value>,
) -> Result<Params, serde_json::Error> {
    let value = serde_json::Value::Object(map);
    match kind {
        Kind::Client => serde_json::from_value(value).map(Params::Client),
        Kind::LoadBalancer => serde_json::from_value(value).map(Params::LoadBalancer),
        Kind::Server => serde_json::from_value(value).map(Params::Server),
        Kind::Database => serde_json::from_value(value).map(Params::Database),
        Kind::Cache => serde_json::from_value(value).map(Params::Cache),
        Kind::DnsResolver => serde_json::from_value(value).map(Params::DnsResolver),
        Kind::DnsServer => serde_json::from_value(value).map(Params::DnsServer),
        Kind::CdnEdge => serde_json::from_value(value).map(Params::CdnEdge),
        Kind::Queue => serde_json::from_value(value).map(Params::Queue),
        Kind::Topic => serde_json::from_value(value).map(Params::Topic),
        Kind::Stream => serde_json::from_value(value).map(Params::Stream),
        Kind::ApiGateway => serde_json::from_value(value).map(Params::ApiGateway),
        Kind::Waf => serde_json::from_value(value).map(Params::Waf),
        Kind::RateLimiter => serde_json::from_value(value).map(Params::RateLimiter),
    }
}

impl Params {
    /// Range problems (negative, non-finite, out of bounds), as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        match self {
            Params::Client(p) => p.problems(),
            Params::LoadBalancer(p) => p.problems(),
            Params::Server(p) => p.problems(),
            Params::Database(p) => p.problems(),
            Params::Cache(p) | Params::CdnEdge(p) => p.problems(),
            Params::DnsResolver(p) => p.problems(),
            Params::DnsServer(p) => p.problems(),
            Params::Queue(p) => p.problems(),
            Params::Topic(p) => p.problems(),
            Params::Stream(p) => p.problems(),
            Params::ApiGateway(p) => p.problems(),
            Params::Waf(p) => p.problems(),
            Params::RateLimiter(p) => p.problems(),
        }
    }
}

/// Checks that `v` is finite and at least `min`; pushes a problem naming `field` otherwise.
pub(crate) fn check_num(out: &mut Vec<(String, String)>, field: &str, v: f64, min: f64) {
    if !v.is_finite() {
        out.push((
            field.to_string(),
            format!("`{field}` must be a finite number"),
        ));
    } else if v < min {
        if min == 0.0 {
            out.push((
                field.to_string(),
                format!("`{field}` must not be negative (got {v})"),
            ));
        } else {
            out.push((
                field.to_string(),
                format!("`{field}` must be at least {min} (got {v})"),
            ));
        }
    }
}

/// Checks `v` against the documented range of `field` ([`crate::limits::PARAMS`], found by the field's last
/// dotted segment), unless `field` already has a problem (a negative or non-finite value has its own message).
pub(crate) fn check_range(out: &mut Vec<(String, String)>, field: &str, v: f64) {
    if out.iter().any(|(f, _)| f == field) {
        return;
    }
    if let Some(m) =
        crate::limits::param(field).and_then(|l| crate::limits::out_of_range(field, v, l))
    {
        out.push((field.to_string(), m));
    }
}

/// Checks a probability.
pub(crate) fn check_prob(out: &mut Vec<(String, String)>, field: &str, v: f64) {
    check_num(out, field, v, 0.0);
    if v.is_finite() && v > 1.0 {
        out.push((
            field.to_string(),
            format!("`{field}` is a probability and must be at most 1 (got {v})"),
        ));
    }
}

/// Problems of a distribution parameter, with the field prefixed.
pub(crate) fn check_dist(out: &mut Vec<(String, String)>, field: &str, d: &crate::dist::Dist) {
    for (f, m) in d.problems() {
        out.push((format!("{field}.{f}"), format!("`{field}`: {m}")));
    }
}

/// Marks a path entry that holds no worker slot.
pub(crate) const NO_SLOT: u32 = u32::MAX;

/// What a component asks the engine to do.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Action {
    /// Send request `req` over the node's `port`-th outgoing edge; `slot` comes back with the response.
    Forward { req: u32, port: u32, slot: u32 },
    /// Send `req`'s response back to its caller, passing on `outcome` (the node did not cause it).
    Respond { req: u32, outcome: Outcome },
    /// Send `req`'s response back with an outcome this node caused (its error or its rejection).
    Fail { req: u32, outcome: Outcome },
    /// The service in worker `slot` (started with `token`) ends at `at`; for a cache, any timer.
    ServiceDone { at: SimTime, slot: u32, token: u32 },
    /// A cache answers `req` from an entry holding `version` (the engine checks it for staleness).
    Hit { req: u32, version: u64 },
    /// Start a request of the node's own (a cache's flush or refresh) for `key` over `port`; its response
    /// comes back to the node with `slot`.
    Spawn {
        key: u64,
        op: Op,
        port: u32,
        slot: u32,
    },
    /// A request the node started itself is answered and done: free it.
    Absorb { req: u32 },
    /// A resolver answers a lookup with `value` (a packed TTL and GeoDNS flag, see `dns::pack`).
    Answer { req: u32, value: u64 },
}

/// What a component handler may use: the time, the random generator, and where to put its actions.
pub(crate) struct Ctx<'a> {
    /// now
    pub now: SimTime,
    /// the run's random generator
    pub rng: &'a mut SimRng,
    /// actions, executed by the engine in order after the handler returns
    pub out: &'a mut Vec<Action>,
}

/// What a node may know about a request it receives (copied from the request by the engine).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Incoming {
    /// the key it reads or writes
    pub key: u64,
    pub op: Op,
    /// the originating client's node index
    pub client: u32,
    /// the client address it came from
    pub addr: u32,
    /// the client's API key index (0..api_keys)
    pub api_key: u32,
    /// index of the client's request path in the engine's path table (`route_paths` below)
    pub route: u32,
    /// an attack payload (SQL injection, XSS) a signature rule recognises
    pub malicious: bool,
    /// started by a node, not a client (a cache flush, a queue delivery, a session lookup)
    pub internal: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registry_name_round_trips() {
        for info in KINDS {
            assert_eq!(Kind::from_name(info.name), Some(info.kind));
            assert!(!info.hint.is_empty());
            let params = info.kind.default_params();
            assert!(parse_params(info.kind, &params).is_ok(), "{}", info.name);
        }
        assert_eq!(Kind::from_name("mainframe"), None);
    }

    #[test]
    fn database_defaults_differ_from_server_defaults() {
        let Ok(Params::Database(db)) = parse_params(Kind::Database, &serde_json::Map::new()) else {
            panic!("database params decode")
        };
        assert!(db.service_time.mean_ms() < ServerParams::default().service_time.mean_ms());
    }

    #[test]
    fn unknown_and_mistyped_params_name_their_field() {
        let mut m = serde_json::Map::new();
        m.insert("wrokers".into(), serde_json::json!(3));
        assert_eq!(
            parse_params(Kind::Server, &m).expect_err("unknown").field,
            "wrokers"
        );
        let mut m = serde_json::Map::new();
        m.insert("workers".into(), serde_json::json!("many"));
        assert_eq!(
            parse_params(Kind::Server, &m).expect_err("mistyped").field,
            "workers"
        );
    }
}
