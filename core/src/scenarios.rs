//! The built-in scenarios of the gallery: each a diagram (`examples/scenarios/<name>.json`, see [`content`]) plus
//! a title, the curriculum topic it teaches, and its notes: a short explanation, what to try and what to watch
//! (`scenarios/notes.json`, shipped like the diagrams, so the page's Wasm does not carry the prose).
//!
//! A scenario that compares variants puts them side by side in one diagram (one client per variant feeding
//! its own copy of the system), so one run shows the contrast. Every claim a text makes is checked by a
//! named test in `tests/tests/it/scenarios.rs` that runs the diagram headless.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::content::{self, shipped};
use crate::topology::Topology;

/// One gallery entry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scenario {
    /// URL slug, unique: the page opens it from `#scenario=<name>`
    pub name: &'static str,
    /// card title
    pub title: &'static str,
    /// the curriculum chapter it teaches
    pub topic: &'static str,
    /// the diagram, topology format v1 ([`content::lookup`] gives its text)
    json: &'static str,
    /// the lab view the gallery opens with it, if any (the diagram is then variant A or the swept design)
    pub lab: Option<Lab>,
}

/// A lab view a scenario opens with: an A/B comparison against a second diagram, or a parameter sweep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lab {
    /// Compare the scenario's diagram (A) with variant `b` on the same seeds.
    Compare {
        /// variant B, topology format v1 (`examples/scenarios/variants/<name>-b.json`; [`content::lookup`] gives its text)
        b: &'static str,
    },
    /// Sweep one parameter of one node of the scenario's diagram.
    Sweep {
        /// the node's id
        node: &'static str,
        /// the parameter's path, as [`crate::sweep::params`] names it
        param: &'static str,
        /// first value
        from: f64,
        /// last value
        to: f64,
        /// number of points
        points: u32,
        /// replications per point
        seeds: u32,
    },
}

impl Lab {
    /// Variant B of a comparison, parsed; `None` for a sweep.
    pub fn variant_b(&self) -> Option<Topology> {
        match self {
            Lab::Compare { b } => Some(
                Topology::from_json(content::lookup(b))
                    .expect("a built-in variant parses (checked by tests/it/scenarios.rs)"),
            ),
            Lab::Sweep { .. } => None,
        }
    }

    /// The sweep's spec (linear scale); `None` for a comparison.
    pub fn sweep_spec(&self) -> Option<crate::sweep::SweepSpec> {
        match *self {
            Lab::Sweep {
                node,
                param,
                from,
                to,
                points,
                seeds,
            } => Some(crate::sweep::SweepSpec {
                target: node.to_string(),
                param: param.to_string(),
                from,
                to,
                points,
                scale: crate::sweep::Scale::Linear,
                seeds,
            }),
            Lab::Compare { .. } => None,
        }
    }
}

impl Scenario {
    /// The scenario's diagram as shipped, in topology format v1. Panics in the page before
    /// [`content::ready`].
    pub fn json(&self) -> &'static str {
        content::lookup(self.json)
    }

    /// What the diagram shows and why, at most three sentences. Panics in the page before [`content::ready`].
    pub fn explanation(&self) -> &'static str {
        &self.notes().explanation
    }

    /// Changes to make and rerun (2–4). Panics in the page before [`content::ready`].
    pub fn try_this(&self) -> &'static [String] {
        &self.notes().try_this
    }

    /// What to look at in the metrics and "why" panels (2–4). Panics in the page before [`content::ready`].
    pub fn watch(&self) -> &'static [String] {
        &self.notes().watch
    }

    fn notes(&self) -> &'static Notes {
        notes()
            .get(self.name)
            .unwrap_or_else(|| panic!("{} has notes (checked by tests/it/scenarios.rs)", self.name))
    }

    /// The scenario's diagram.
    pub fn topology(&self) -> Topology {
        Topology::from_json(self.json())
            .expect("a built-in scenario parses (checked by tests/it/scenarios.rs)")
    }
}

/// A scenario's prose, from `scenarios/notes.json` (an object from each scenario's name to its
/// `explanation`, `try` and `watch`).
#[derive(Debug, Default)]
struct Notes {
    explanation: String,
    try_this: Vec<String>,
    watch: Vec<String>,
}

/// Every scenario's notes by name, read once. A missing or mistyped entry reads as empty, which the tests
/// catch (`tests/it/scenarios.rs`: every scenario has an explanation and 2–4 of each list, and nothing else).
fn notes() -> &'static BTreeMap<String, Notes> {
    static NOTES: OnceLock<BTreeMap<String, Notes>> = OnceLock::new();
    NOTES.get_or_init(|| {
        let text = content::lookup(shipped!("core/src/scenarios/notes.json"));
        let all: serde_json::Value =
            serde_json::from_str(text).expect("the scenarios' notes parse (checked by the tests)");
        let texts = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        };
        crate::sorting::map(all.as_object().into_iter().flatten().map(|(name, n)| {
            let notes = Notes {
                explanation: n["explanation"].as_str().unwrap_or_default().to_string(),
                try_this: texts(&n["try"]),
                watch: texts(&n["watch"]),
            };
            (name.clone(), notes)
        }))
    })
}

/// The names in the notes file, sorted (a test checks they are exactly the scenarios').
pub fn noted() -> Vec<&'static str> {
    notes().keys().map(String::as_str).collect()
}

/// Every built-in scenario, in gallery order.
pub fn all() -> &'static [Scenario] {
    SCENARIOS
}

/// The scenario with URL slug `name`, if there is one.
pub fn by_name(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name)
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "client-server",
        title: "Client-server basics",
        topic: "Basic client-server model",
        json: shipped!("examples/scenarios/client-server.json"),
        lab: None,
    },
    Scenario {
        name: "dns-ttl",
        title: "DNS with a short and a long TTL",
        topic: "Networking: DNS",
        json: shipped!("examples/scenarios/dns-ttl.json"),
        lab: None,
    },
    Scenario {
        name: "multi-region",
        title: "Multi-region latency with GeoDNS and a CDN",
        topic: "Latency: physical distance",
        json: shipped!("examples/scenarios/multi-region.json"),
        lab: None,
    },
    Scenario {
        name: "load-balancing",
        title: "Load-balancing algorithms on uneven servers",
        topic: "Load balancing",
        json: shipped!("examples/scenarios/load-balancing.json"),
        lab: None,
    },
    Scenario {
        name: "cache-patterns",
        title: "Cache-aside vs write-through vs write-behind",
        topic: "Caching patterns",
        json: shipped!("examples/scenarios/cache-patterns.json"),
        lab: None,
    },
    Scenario {
        name: "browser-cache",
        title: "Browser cache: max-age and ETags",
        topic: "Caching levels: the browser cache",
        json: shipped!("examples/scenarios/browser-cache.json"),
        lab: None,
    },
    Scenario {
        name: "cache-levels",
        title: "Four levels of cache: browser, CDN, application, database",
        topic: "Caching levels: where a read is answered",
        json: shipped!("examples/scenarios/cache-levels.json"),
        lab: None,
    },
    Scenario {
        name: "forward-proxy",
        title: "Many users behind one proxy",
        topic: "Networking: forward proxies",
        json: shipped!("examples/scenarios/forward-proxy.json"),
        lab: None,
    },
    Scenario {
        name: "eviction-policies",
        title: "Eviction policies under skewed keys",
        topic: "Caching: eviction policies",
        json: shipped!("examples/scenarios/eviction-policies.json"),
        lab: None,
    },
    Scenario {
        name: "vertical-vs-horizontal",
        title: "Vertical vs horizontal scaling",
        topic: "Scaling: vertical and horizontal",
        json: shipped!("examples/scenarios/vertical-vs-horizontal.json"),
        lab: None,
    },
    Scenario {
        name: "fixed-vs-autoscaling",
        title: "Fixed fleet vs autoscaling",
        topic: "Scaling: autoscaling",
        json: shipped!("examples/scenarios/fixed-vs-autoscaling.json"),
        lab: None,
    },
    Scenario {
        name: "slow-scale-out",
        title: "Slow scale-out loses the morning spike",
        topic: "Scaling: autoscaling",
        json: shipped!("examples/scenarios/slow-scale-out.json"),
        lab: None,
    },
    Scenario {
        name: "server-failure",
        title: "A server dies behind a health-checked load balancer",
        topic: "Load balancing: health checks",
        json: shipped!("examples/scenarios/server-failure.json"),
        lab: None,
    },
    Scenario {
        name: "queue-burst",
        title: "A queue absorbing a burst",
        topic: "Message queueing and communication",
        json: shipped!("examples/scenarios/queue-burst.json"),
        lab: None,
    },
    Scenario {
        name: "pubsub-fanout",
        title: "Pub/sub fan-out to three subscribers",
        topic: "Message queueing and communication",
        json: shipped!("examples/scenarios/pubsub-fanout.json"),
        lab: None,
    },
    Scenario {
        name: "read-replicas",
        title: "Read replicas and stale reads",
        topic: "Databases: replication",
        json: shipped!("examples/scenarios/read-replicas.json"),
        lab: None,
    },
    Scenario {
        name: "sharding-hot-key",
        title: "Sharding with a hot key",
        topic: "Databases: sharding",
        json: shipped!("examples/scenarios/sharding-hot-key.json"),
        lab: None,
    },
    Scenario {
        name: "hot-row-locks",
        title: "A hot row: lock contention",
        topic: "Data storage: transactions and locks",
        json: shipped!("examples/scenarios/hot-row-locks.json"),
        lab: None,
    },
    Scenario {
        name: "retry-storm",
        title: "A retry storm, with and without a retry budget",
        topic: "System reliability: retry mechanisms",
        json: shipped!("examples/scenarios/retry-storm.json"),
        lab: None,
    },
    Scenario {
        name: "rate-limiting",
        title: "Rate limiting: per client or for everyone",
        topic: "System reliability: rate limiting",
        json: shipped!("examples/scenarios/rate-limiting.json"),
        lab: None,
    },
    Scenario {
        name: "circuit-breaker",
        title: "Fail fast: a circuit breaker on a hanging dependency",
        topic: "System reliability: circuit breakers",
        json: shipped!("examples/scenarios/circuit-breaker.json"),
        lab: None,
    },
    Scenario {
        name: "bulkhead",
        title: "Bulkheads: isolate a slow dependency",
        topic: "System reliability: bulkhead patterns",
        json: shipped!("examples/scenarios/bulkhead.json"),
        lab: None,
    },
    Scenario {
        name: "idempotency",
        title: "Idempotency keys: retried payments charged once",
        topic: "System reliability: idempotency",
        json: shipped!("examples/scenarios/idempotency.json"),
        lab: None,
    },
    Scenario {
        name: "tail-at-scale",
        title: "The tail at scale: 100 leaves, 1 % slow, then hedging",
        topic: "Performance: fan-out and tail latency",
        json: shipped!("examples/scenarios/tail-at-scale.json"),
        lab: None,
    },
    Scenario {
        name: "sequential-vs-parallel",
        title: "Sequential vs parallel calls: a page from five services",
        topic: "Performance: latency of composed calls",
        json: shipped!("examples/scenarios/sequential-vs-parallel.json"),
        lab: None,
    },
    Scenario {
        name: "sql-vs-nosql",
        title: "Indexes, SQL and NoSQL",
        topic: "Data storage: SQL, NoSQL and indexes",
        json: shipped!("examples/scenarios/sql-vs-nosql.json"),
        lab: None,
    },
    Scenario {
        name: "firewall",
        title: "A firewall against an attacker and a botnet",
        topic: "Security: firewalls and DDoS",
        json: shipped!("examples/scenarios/firewall.json"),
        lab: None,
    },
    Scenario {
        name: "password-hashing",
        title: "bcrypt cost: logins vs attackers",
        topic: "Security: password hashing",
        json: shipped!("examples/scenarios/password-hashing.json"),
        lab: None,
    },
    Scenario {
        name: "tls-termination",
        title: "TLS termination: at the edge or on every server",
        topic: "Security: the cost of TLS",
        json: shipped!("examples/scenarios/tls-termination.json"),
        lab: None,
    },
    Scenario {
        name: "jwt-vs-session",
        title: "JWT or a session store: authenticating each request",
        topic: "Security: tokens and sessions",
        json: shipped!("examples/scenarios/jwt-vs-session.json"),
        lab: None,
    },
    Scenario {
        name: "oauth-login",
        title: "An OAuth login as round trips",
        topic: "Security: OAuth authorization code",
        json: shipped!("examples/scenarios/oauth-login.json"),
        lab: None,
    },
    Scenario {
        name: "denormalisation",
        title: "Normalised vs denormalised",
        topic: "Database scaling: denormalisation",
        json: shipped!("examples/scenarios/denormalisation.json"),
        lab: None,
    },
    Scenario {
        name: "vertical-partition",
        title: "Vertical partitioning: hot columns apart",
        topic: "Database scaling: vertical partitioning",
        json: shipped!("examples/scenarios/vertical-partition.json"),
        lab: None,
    },
    Scenario {
        name: "api-gateway",
        title: "An API gateway: one entry point",
        topic: "API management: gateways",
        json: shipped!("examples/scenarios/api-gateway.json"),
        lab: None,
    },
    Scenario {
        name: "cap-partition",
        title: "CAP: a partition between two regions, CP vs AP",
        topic: "Distributed systems: CAP theorem",
        json: shipped!("examples/scenarios/cap-partition.json"),
        lab: None,
    },
    Scenario {
        name: "tunable-consistency",
        title: "Tunable consistency: ONE vs QUORUM vs ALL",
        topic: "Distributed systems: consistency levels",
        json: shipped!("examples/scenarios/tunable-consistency.json"),
        lab: None,
    },
    Scenario {
        name: "read-repair",
        title: "Read repair after a partition",
        topic: "Distributed systems: replication and repair",
        json: shipped!("examples/scenarios/read-repair.json"),
        lab: None,
    },
    Scenario {
        name: "cache-worth-it",
        title: "Is the cache worth it?",
        topic: "Caching strategies",
        json: shipped!("examples/scenarios/cache-worth-it.json"),
        lab: Some(Lab::Compare {
            b: shipped!("examples/scenarios/variants/cache-worth-it-b.json"),
        }),
    },
    Scenario {
        name: "how-many-servers",
        title: "How many servers do I need?",
        topic: "Load balancers and reverse proxies",
        json: shipped!("examples/scenarios/how-many-servers.json"),
        lab: Some(Lab::Sweep {
            node: "servers",
            param: "instances",
            from: 4.0,
            to: 16.0,
            points: 13,
            seeds: 5,
        }),
    },
    Scenario {
        name: "http-vs-https",
        title: "HTTP vs HTTPS: what a handshake costs",
        topic: "Networking: connections, TCP and TLS handshakes",
        json: shipped!("examples/scenarios/http-vs-https.json"),
        lab: None,
    },
    Scenario {
        name: "rest-vs-graphql",
        title: "REST vs GraphQL for one screen",
        topic: "API design: REST and GraphQL",
        json: shipped!("examples/scenarios/rest-vs-graphql.json"),
        lab: None,
    },
    Scenario {
        name: "webhooks-vs-polling",
        title: "Webhooks vs polling a payment provider",
        topic: "Webhooks: retries, at-least-once delivery and dedupe, against polling",
        json: shipped!("examples/scenarios/webhooks-vs-polling.json"),
        lab: None,
    },
    Scenario {
        name: "saga-compensation",
        title: "A saga that compensates",
        topic: "Distributed systems: sagas",
        json: shipped!("examples/scenarios/saga-compensation.json"),
        lab: None,
    },
    Scenario {
        name: "cqrs-read-model",
        title: "CQRS: a read model that lags",
        topic: "Messaging: event sourcing and CQRS",
        json: shipped!("examples/scenarios/cqrs-read-model.json"),
        lab: None,
    },
    Scenario {
        name: "sticky-sessions",
        title: "Sticky sessions vs a session store when a server dies",
        topic: "Load balancing: sessions and state",
        json: shipped!("examples/scenarios/sticky-sessions.json"),
        lab: None,
    },
    Scenario {
        name: "polling-vs-websockets",
        title: "Polling vs WebSockets for a chat room",
        topic: "WebSockets: polling, long polling and held connections",
        json: shipped!("examples/scenarios/polling-vs-websockets.json"),
        lab: None,
    },
    Scenario {
        name: "upload-big-files",
        title: "Upload big files: through the app or straight to the bucket",
        topic: "File storage: object storage and pre-signed uploads",
        json: shipped!("examples/scenarios/upload-big-files.json"),
        lab: None,
    },
    Scenario {
        name: "stale-registry",
        title: "A dead instance and a stale service registry",
        topic: "Architecture: service discovery",
        json: shipped!("examples/scenarios/stale-registry.json"),
        lab: None,
    },
    Scenario {
        name: "monolith-vs-microservices",
        title: "Monolith vs microservices under a hot feature",
        topic: "Architecture: monolith and microservices",
        json: shipped!("examples/scenarios/monolith-vs-microservices.json"),
        lab: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_parse_and_are_found_by_their_slug() {
        for s in all() {
            assert!(Topology::from_json(s.json).is_ok(), "{}", s.name);
            assert_eq!(by_name(s.name), Some(s));
        }
        assert_eq!(by_name(""), None);
        assert_eq!(by_name("Client-Server"), None, "slugs are exact");
    }
}
