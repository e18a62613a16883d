//! Node kinds: the registry the editor reads (name, category, hint, default parameters, allowed connections),
//! the typed parameters of each kind, and — one module per kind — the state machines the engine drives.
//!
//! Adding a kind: its module `components/<kind>.rs` (params, state machine implementing
//! `interface::Component`, report block, inspector vocabulary), a variant in [`Kind`] with its entry in
//! [`KINDS`] and its line in `kind_params!` below, and one line in the dispatch table of `node.rs`.
//!
//! Components never touch the engine. A verb gets `&mut self` and a `Ctx` (the time, the random generator
//! and an output buffer) and pushes `Action`s: forward the request, respond, or set a timer.

pub mod cache;
pub mod client;
pub(crate) mod connections;
pub mod database;
pub mod dns;
pub mod forward_proxy;
pub mod gateway;
pub(crate) mod interface;
pub mod kv;
pub mod load_balancer;
pub mod messaging;
pub(crate) mod node;
pub mod pool;
pub mod projection;
pub mod rate_limiter;
pub mod saga;
pub mod server;
pub mod waf;

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::outcomes::Requests;
use crate::vocab::Vocab;

pub use cache::{CacheParams, CacheReport, Eviction, Pattern};
pub use client::{Arrival, ClientParams, Keys};
pub use database::{DatabaseParams, DatabaseReport};
pub use dns::{DnsResolverParams, DnsRole, DnsServerParams, Record, RecordType};
pub use forward_proxy::{ForwardProxyParams, ProxyCacheParams};
pub use gateway::{Auth, GatewayParams, GatewayReport};
pub use kv::{Consistency, KvParams, KvReport, Mode, Resolution};
pub use load_balancer::{HealthCheck, LbParams, Strategy};
pub use messaging::{MessagingReport, Overflow, QueueParams, StreamParams, TopicParams};
pub use projection::{ProjectionParams, ProjectionReport};
pub use rate_limiter::{Algorithm, LimitKey, LimiterParams, LimiterReport};
pub use saga::{Coordination, SagaParams, SagaReport};
pub use server::{ServerParams, ServiceReport};
pub use waf::{WafParams, WafReport};

pub(crate) use crate::checks::{check_dist, check_num, check_prob, check_range};
pub(crate) use interface::{Action, Ctx, Incoming, NO_SLOT};

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
    /// A replicated key-value store: every key on N replicas across regions, reads and writes at a
    /// consistency level, CP or AP under a partition.
    KvStore,
    /// A proxy on the users' side: one more hop, a shared cache, one exit address for everyone behind it.
    ForwardProxy,
    /// A business transaction across services as steps with compensating actions (a saga).
    Saga,
    /// A read model built from an event log (the query side of CQRS), behind the log by its lag.
    Projection,
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
    /// the warning for a node of this kind with no outgoing edge (words after its name), if it needs one
    pub unconnected: Option<&'static str>,
    /// it forwards over its first outgoing edge only (more are warned about)
    pub single_output: bool,
    /// how the inspector names and edits its parameters
    pub vocab: &'static Vocab,
    /// a traffic source: it needs no incoming edge
    pub source: bool,
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
            Kind::KvStore,
            Kind::ForwardProxy,
            Kind::Saga,
            Kind::Projection,
        ],
        unconnected: Some("is not connected"),
        single_output: false,
        vocab: &ClientParams::VOCAB,
        source: true,
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
        unconnected: Some("has no backends"),
        single_output: false,
        vocab: &LbParams::VOCAB,
        source: false,
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
            Kind::KvStore,
            Kind::Saga,
            Kind::Projection,
        ],
        unconnected: None,
        single_output: false,
        vocab: &ServerParams::VOCAB,
        source: false,
    },
    KindInfo {
        kind: Kind::Database,
        name: "database",
        title: "Database",
        category: Category::Data,
        hint: "Stores the data: a connection pool per instance, SQL or NoSQL query costs that grow with the \
               table, read replicas with replication lag, and shards by hash, range or consistent hashing.",
        connects_to: &[],
        unconnected: None,
        single_output: false,
        vocab: &DatabaseParams::VOCAB,
        source: false,
    },
    KindInfo {
        kind: Kind::Cache,
        name: "cache",
        title: "Cache",
        category: Category::Data,
        hint: "Stores frequently accessed data in memory in front of a database; its capacity, eviction \
               policy (LRU, LFU, FIFO) and TTL decide how often it hits.",
        connects_to: &[Kind::Database, Kind::Server, Kind::LoadBalancer],
        unconnected: None,
        single_output: false,
        vocab: &CacheParams::VOCAB,
        source: false,
    },
    KindInfo {
        kind: Kind::DnsResolver,
        name: "dns_resolver",
        title: "DNS resolver",
        category: Category::Network,
        hint: "Maps a domain name to an IP address: answers from its cache until the TTL expires, \
               otherwise asks the root, TLD and authoritative nameservers in turn.",
        connects_to: &[Kind::DnsServer],
        unconnected: None,
        single_output: false,
        vocab: &DnsResolverParams::VOCAB,
        source: false,
    },
    KindInfo {
        kind: Kind::DnsServer,
        name: "dns_server",
        title: "DNS nameserver",
        category: Category::Network,
        hint: "A root, top-level domain (TLD) or authoritative nameserver; the authoritative one holds \
               the A, AAAA, CNAME and MX records.",
        connects_to: &[],
        unconnected: None,
        single_output: false,
        vocab: &DnsServerParams::VOCAB,
        source: false,
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
        unconnected: None,
        single_output: false,
        vocab: &CacheParams::VOCAB,
        source: false,
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
        unconnected: Some("has no consumer: connect it to the service that processes its messages"),
        single_output: false,
        vocab: &QueueParams::VOCAB,
        source: false,
    },
    KindInfo {
        kind: Kind::Topic,
        name: "topic",
        title: "Pub/sub topic",
        category: Category::Messaging,
        hint: "Publish/subscribe: every subscriber gets its own copy of every message (fan-out); put a \
               queue in front of a subscriber to keep its messages while it is down.",
        connects_to: &[Kind::Queue, Kind::Server, Kind::LoadBalancer, Kind::Stream],
        unconnected: Some("has no consumer: connect it to the service that processes its messages"),
        single_output: false,
        vocab: &TopicParams::VOCAB,
        source: false,
    },
    KindInfo {
        kind: Kind::Stream,
        name: "stream",
        title: "Stream",
        category: Category::Messaging,
        hint: "A partitioned log: messages with the same key keep their order in one partition; each \
               consumer group reads at its own offset, and its lag is how far behind it is.",
        connects_to: &[Kind::Server, Kind::LoadBalancer, Kind::Projection],
        unconnected: Some("has no consumer: connect it to the service that processes its messages"),
        single_output: false,
        vocab: &StreamParams::VOCAB,
        source: false,
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
            Kind::Saga,
            Kind::Projection,
        ],
        unconnected: Some("routes to no service: every request it receives fails"),
        single_output: false,
        vocab: &GatewayParams::VOCAB,
        source: false,
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
        unconnected: Some(
            "protects nothing: connect it to the service behind it (until then, what it lets through fails)",
        ),
        single_output: true,
        vocab: &WafParams::VOCAB,
        source: false,
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
        unconnected: Some(
            "guards nothing: connect it to the service it protects (until then, what it admits fails)",
        ),
        single_output: true,
        vocab: &LimiterParams::VOCAB,
        source: false,
    },
    KindInfo {
        kind: Kind::KvStore,
        name: "kv_store",
        title: "Replicated KV store",
        category: Category::Data,
        hint: "A Dynamo/Cassandra-style store: every key on N replicas spread over regions; a write waits for W \
               of them and a read for R (ONE, QUORUM, ALL). Under a network partition a CP store refuses what \
               cannot reach its quorum, an AP store accepts on both sides and reconciles after the heal.",
        connects_to: &[],
        unconnected: None,
        single_output: false,
        vocab: &KvParams::VOCAB,
        source: false,
    },
    KindInfo {
        kind: Kind::ForwardProxy,
        name: "forward_proxy",
        title: "Forward proxy",
        category: Category::Network,
        hint: "Sits on the users' side: their requests go through it (one more hop), a shared cache answers \
               what another user already fetched, and everything leaves from its one address, so a \
               per-address rate limit or firewall rule sees all the users behind it as one client.",
        connects_to: &[
            Kind::LoadBalancer,
            Kind::Server,
            Kind::CdnEdge,
            Kind::ApiGateway,
            Kind::Waf,
            Kind::RateLimiter,
            Kind::Cache,
        ],
        unconnected: Some("leads nowhere: connect it to the site its users reach through it"),
        single_output: true,
        vocab: &ForwardProxyParams::VOCAB,
        source: false,
    },
    KindInfo {
        kind: Kind::Saga,
        name: "saga",
        title: "Saga",
        category: Category::Compute,
        hint: "Runs a business transaction across services as steps, one per outgoing edge in order (order, \
               payment, stock, shipping); when a step fails, the steps already applied are undone by their \
               compensating actions in reverse order. Orchestrated by this node, or choreographed by events.",
        connects_to: &[
            Kind::Server,
            Kind::LoadBalancer,
            Kind::Database,
            Kind::KvStore,
            Kind::Queue,
            Kind::Topic,
            Kind::Stream,
        ],
        unconnected: Some("has no steps: connect it to the services it calls, in order"),
        single_output: false,
        vocab: &SagaParams::VOCAB,
        source: false,
    },
    KindInfo {
        kind: Kind::Projection,
        name: "projection",
        title: "Projection (read model)",
        category: Category::Data,
        hint: "The query side of CQRS: a read model a stream's events are applied to, some time after they \
               were appended; reads are answered from it and are stale while it lags behind the log. After a \
               crash it rebuilds by replaying the whole log.",
        connects_to: &[],
        unconnected: None,
        single_output: false,
        vocab: &ProjectionParams::VOCAB,
        source: false,
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

    /// How the inspector names and edits its parameters.
    pub fn vocab(self) -> &'static Vocab {
        self.info().vocab
    }

    /// Whether an edge from this kind to `to` is allowed.
    pub fn may_connect_to(self, to: Kind) -> bool {
        self.info().connects_to.contains(&to)
    }
}

/// The kinds' parameter types, one line each: `Kind(ParamsType) = its defaults`. Generates [`Params`] and the
/// per-kind matches that decode, default and check them.
macro_rules! kind_params {
    ($( $(#[$doc:meta])* $kind:ident($ty:ty) = $default:expr; )*) => {
        /// Typed parameters of a node.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Params {
            $( $(#[$doc])* $kind($ty), )*
        }

        impl Kind {
            /// The full default parameter object, as the editor's inspector shows it.
            pub fn default_params(self) -> serde_json::Map<String, serde_json::Value> {
                let value = match self {
                    $( Kind::$kind => serde_json::to_value($default), )*
                };
                match value {
                    Ok(serde_json::Value::Object(map)) => map,
                    // Params structs serialise to objects; an empty map would only show no fields.
                    _ => serde_json::Map::new(),
                }
            }
        }

        fn decode(
            kind: Kind,
            map: serde_json::Map<String, serde_json::Value>,
        ) -> Result<Params, serde_json::Error> {
            let value = serde_json::Value::Object(map);
            match kind {
                $( Kind::$kind => serde_json::from_value(value).map(Params::$kind), )*
            }
        }

        impl Params {
            /// Range problems (negative, non-finite, out of bounds), as `(field, message)`.
            pub fn problems(&self) -> Vec<(String, String)> {
                match self {
                    $( Params::$kind(p) => p.problems(), )*
                }
            }
        }
    };
}

kind_params! {
    /// a client
    Client(ClientParams) = ClientParams::default();
    /// a load balancer
    LoadBalancer(LbParams) = LbParams::default();
    /// a server
    Server(ServerParams) = ServerParams::default();
    /// a database
    Database(DatabaseParams) = database::default_params();
    /// a cache
    Cache(CacheParams) = CacheParams::default();
    /// a DNS resolver
    DnsResolver(DnsResolverParams) = DnsResolverParams::default();
    /// a name server
    DnsServer(DnsServerParams) = DnsServerParams::default();
    /// a CDN edge (cache parameters with CDN defaults)
    CdnEdge(CacheParams) = cache::cdn_defaults();
    /// a message queue
    Queue(QueueParams) = QueueParams::default();
    /// a pub/sub topic
    Topic(TopicParams) = TopicParams::default();
    /// a partitioned stream
    Stream(StreamParams) = StreamParams::default();
    /// an API gateway
    ApiGateway(GatewayParams) = GatewayParams::default();
    /// a web application firewall
    Waf(WafParams) = WafParams::default();
    /// a rate limiter
    RateLimiter(LimiterParams) = LimiterParams::default();
    /// a replicated key-value store
    KvStore(KvParams) = KvParams::default();
    /// a forward proxy
    ForwardProxy(ForwardProxyParams) = ForwardProxyParams::default();
    /// a saga
    Saga(SagaParams) = SagaParams::default();
    /// a projection (a read model)
    Projection(ProjectionParams) = ProjectionParams::default();
}

impl Params {
    /// Worker slots the node allocates when built (`docs/limits.md`, `total_workers`): the pool a diagram-wide
    /// cap bounds before anything is built.
    pub fn worker_slots(&self) -> u64 {
        match self {
            Params::Server(s) => {
                let fleet = s.autoscale.as_ref().map_or(s.instances, |a| a.most());
                u64::from(s.workers) * u64::from(fleet.max(1))
            }
            Params::Database(db) => {
                u64::from(db.workers) * u64::from(db.shards) * (u64::from(db.replicas) + 1)
            }
            Params::ApiGateway(g) => u64::from(g.workers),
            Params::Waf(w) => u64::from(w.workers),
            Params::ForwardProxy(p) => u64::from(p.workers),
            Params::Queue(q) => u64::from(q.consumers),
            _ => 0,
        }
    }
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

/// A node's own block of the report, by kind. Each block type is defined with its kind; the block's fields
/// are flattened into the node's JSON object (`nodes.<id>.cache`, `.database`, …, as
/// `docs/report-format.md` names them), so a kind owns its block and the report stays as it was.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NodeDetail {
    /// a client: its own requests, and its DNS cache when it looks its host up
    Client(client::ClientDetail),
    /// an API gateway: handshakes, authentication and routing, and its rate limit's decisions
    Gateway(gateway::GatewayDetail),
    /// an autoscaled server (and its resilience counts)
    Fleet(server::FleetDetail),
    /// a server that uses a resilience feature
    Service(server::ServiceDetail),
    /// a queue, topic or stream
    Messaging(messaging::MessagingDetail),
    /// a database
    Database(database::DatabaseDetail),
    /// a web application firewall
    Waf(waf::WafDetail),
    /// a rate limiter
    Limiter(rate_limiter::LimiterDetail),
    /// a cache, CDN edge or DNS resolver
    Cache(cache::CacheDetail),
    /// a replicated key-value store
    Kv(kv::KvDetail),
    /// a saga
    Saga(saga::SagaDetail),
    /// a projection
    Projection(projection::ProjectionDetail),
}

/// Where a block's line goes in the runner's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TableSection {
    /// one line per guarded node: its guard counts
    Guards,
    /// the caches' table
    Caches,
    /// the messaging table
    Messaging,
    /// a database's lines
    Databases,
}

impl TableSection {
    /// Every section, in table order.
    pub const ALL: [TableSection; 4] = [
        TableSection::Guards,
        TableSection::Caches,
        TableSection::Messaging,
        TableSection::Databases,
    ];

    /// The section's column header, if it has one.
    pub fn header(self) -> Option<String> {
        match self {
            TableSection::Caches => Some(cache::CacheReport::table_header()),
            TableSection::Messaging => Some(messaging::MessagingReport::table_header()),
            TableSection::Guards | TableSection::Databases => None,
        }
    }
}

impl NodeDetail {
    /// A cache's (or a client's or resolver's DNS cache) statistics.
    pub fn cache(&self) -> Option<&CacheReport> {
        match self {
            NodeDetail::Cache(c) => Some(&c.cache),
            NodeDetail::Client(c) => c.cache.as_ref(),
            _ => None,
        }
    }

    /// A messaging node's counts.
    pub fn messaging(&self) -> Option<&MessagingReport> {
        match self {
            NodeDetail::Messaging(m) => Some(&m.messaging),
            _ => None,
        }
    }

    /// A database's statistics.
    pub fn database(&self) -> Option<&DatabaseReport> {
        match self {
            NodeDetail::Database(d) => Some(&d.database),
            _ => None,
        }
    }

    /// A gateway's handshakes, authentication and routing.
    pub fn gateway(&self) -> Option<&GatewayReport> {
        match self {
            NodeDetail::Gateway(g) => Some(&g.gateway),
            _ => None,
        }
    }

    /// A firewall's inspections and blocks.
    pub fn waf(&self) -> Option<&WafReport> {
        match self {
            NodeDetail::Waf(w) => Some(&w.waf),
            _ => None,
        }
    }

    /// A rate limiter's (or a gateway's rate limit's) decisions.
    pub fn limiter(&self) -> Option<&LimiterReport> {
        match self {
            NodeDetail::Limiter(l) => Some(&l.limiter),
            NodeDetail::Gateway(g) => g.limiter.as_ref(),
            _ => None,
        }
    }

    /// A server's shedding, bulkhead, side-effect and idempotency counts.
    pub fn service(&self) -> Option<&ServiceReport> {
        match self {
            NodeDetail::Service(s) => Some(&s.service),
            NodeDetail::Fleet(f) => f.service.as_ref(),
            _ => None,
        }
    }

    /// An autoscaled server's fleet.
    pub fn fleet(&self) -> Option<&server::fleet::FleetReport> {
        match self {
            NodeDetail::Fleet(f) => Some(&f.fleet),
            _ => None,
        }
    }

    /// A replicated key-value store's statistics.
    pub fn kv(&self) -> Option<&KvReport> {
        match self {
            NodeDetail::Kv(k) => Some(&k.kv),
            _ => None,
        }
    }

    /// A saga node's sagas.
    pub fn saga(&self) -> Option<&SagaReport> {
        match self {
            NodeDetail::Saga(s) => Some(&s.saga),
            _ => None,
        }
    }

    /// A projection's events, reads and rebuilds.
    pub fn projection(&self) -> Option<&ProjectionReport> {
        match self {
            NodeDetail::Projection(p) => Some(&p.projection),
            _ => None,
        }
    }

    /// A client's browser HTTP cache.
    pub fn http_cache(&self) -> Option<&client::HttpCacheReport> {
        match self {
            NodeDetail::Client(c) => c.http_cache.as_ref(),
            _ => None,
        }
    }

    /// A client's own end-to-end counts.
    pub fn requests(&self) -> Option<&Requests> {
        match self {
            NodeDetail::Client(c) => Some(&c.requests),
            _ => None,
        }
    }

    /// Feeds the block to the report's digest (blocks in the order the digest has always taken them).
    pub(crate) fn digest(&self, h: &mut Digest) {
        match self {
            NodeDetail::Client(c) => {
                h.requests(&c.requests);
                if let Some(d) = &c.cache {
                    d.digest(h);
                }
                if let Some(x) = &c.http_cache {
                    x.digest(h);
                }
            }
            NodeDetail::Gateway(g) => {
                g.gateway.digest(h);
                if let Some(l) = &g.limiter {
                    l.digest(h);
                }
            }
            NodeDetail::Service(s) => s.service.digest(h),
            NodeDetail::Fleet(f) => {
                f.fleet.digest(h);
                if let Some(s) = &f.service {
                    s.digest(h);
                }
            }
            NodeDetail::Messaging(m) => m.messaging.digest(h),
            NodeDetail::Database(d) => d.database.digest(h),
            NodeDetail::Waf(w) => w.waf.digest(h),
            NodeDetail::Limiter(l) => l.limiter.digest(h),
            NodeDetail::Cache(c) => c.cache.digest(h),
            NodeDetail::Kv(k) => k.kv.digest(h),
            NodeDetail::Saga(s) => s.saga.digest(h),
            NodeDetail::Projection(p) => p.projection.digest(h),
        }
    }

    /// The block's lines in the runner's table, for node `id`, with their sections.
    pub fn table_lines(&self, id: &str) -> Vec<(TableSection, String)> {
        let guard = |parts: Vec<String>| {
            (
                TableSection::Guards,
                format!("{id:<16} {}", parts.join("; ")),
            )
        };
        match self {
            NodeDetail::Client(c) => c
                .cache
                .iter()
                .map(|d| (TableSection::Caches, d.table_row(id)))
                .chain(c.http_cache.iter().map(|h| {
                    let saved = if h.bytes_saved > 0 {
                        format!(", {} body bytes saved by 304s", h.bytes_saved)
                    } else {
                        String::new()
                    };
                    (
                        TableSection::Caches,
                        format!(
                            "{id:<16} http cache: {} fresh on the device ({:.1}%), {} revalidated ({} × 304), \
                             {} misses{saved}",
                            h.fresh_hits,
                            h.local_share * 100.0,
                            h.revalidations,
                            h.not_modified,
                            h.misses
                        ),
                    )
                }))
                .collect(),
            NodeDetail::Gateway(g) => {
                let mut parts = vec![g.gateway.table_part()];
                parts.extend(g.limiter.iter().map(LimiterReport::table_part));
                vec![guard(parts)]
            }
            NodeDetail::Service(s) => vec![guard(vec![s.service.table_part()])],
            NodeDetail::Fleet(f) => {
                let mut parts = vec![f.fleet.table_part()];
                parts.extend(f.service.iter().map(ServiceReport::table_part));
                vec![guard(parts)]
            }
            NodeDetail::Limiter(l) => vec![guard(vec![l.limiter.table_part()])],
            NodeDetail::Waf(w) => vec![guard(vec![w.waf.table_part()])],
            NodeDetail::Cache(c) => vec![(TableSection::Caches, c.cache.table_row(id))],
            NodeDetail::Messaging(m) => vec![(TableSection::Messaging, m.messaging.table_rows(id))],
            NodeDetail::Database(d) => d
                .database
                .table_lines(id)
                .map(|l| (TableSection::Databases, l))
                .into_iter()
                .collect(),
            NodeDetail::Kv(k) => vec![(TableSection::Databases, k.kv.table_lines(id))],
            NodeDetail::Saga(s) => vec![(TableSection::Guards, s.saga.table_line(id))],
            NodeDetail::Projection(p) => vec![(TableSection::Databases, p.projection.table_line(id))],
        }
    }
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
