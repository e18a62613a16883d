//! The curriculum the gallery follows: the 17 chapters of the course (`../shared/seed/`) in its order, which
//! of them the engine models, and the gallery's sections — each chapter's scenarios and challenges, filtered
//! by a search. A chapter whose mechanisms the engine does not model yet is listed as coming later, with no
//! content made up for it.

use serde::{Deserialize, Serialize};

use crate::challenges::{self, Challenge};
use crate::scenarios::{self, Scenario};

/// A chapter of the curriculum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Chapter {
    /// 1. Client-server architecture
    ClientServer,
    /// 2. Networking fundamentals: IP, DNS, protocols, proxies
    Networking,
    /// 3. Latency
    Latency,
    /// 4. API design: REST, GraphQL, real-time APIs
    ApiDesign,
    /// 5. Data storage and management: SQL and NoSQL, indexes
    DataStorage,
    /// 6. Database scaling: vertical and horizontal, indexes, replication, sharding, denormalisation
    DatabaseScaling,
    /// 7. Load balancers and reverse proxies
    LoadBalancing,
    /// 8. Caching strategies
    Caching,
    /// 9. File storage: blobs, object stores
    FileStorage,
    /// 10. WebSockets
    WebSockets,
    /// 11. Webhooks
    Webhooks,
    /// 12. System architecture patterns: monolith and microservices
    ArchitecturePatterns,
    /// 13. Message queueing and communication
    Messaging,
    /// 14. Distributed systems: CAP
    DistributedSystems,
    /// 15. Security
    Security,
    /// 16. System reliability
    Reliability,
    /// 17. API management
    ApiManagement,
}

/// What the gallery says about a chapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChapterInfo {
    /// the chapter
    pub chapter: Chapter,
    /// its number in the course, 1–17
    pub number: u8,
    /// its title, in the course's words
    pub title: &'static str,
    /// what the playground covers of it (modelled chapters), or what is still to come
    pub note: &'static str,
    /// whether the engine models its mechanisms; `false`: coming later, listed without content
    pub modelled: bool,
}

/// Every chapter, in the course's order.
pub static CHAPTERS: [ChapterInfo; 17] = [
    info(
        Chapter::ClientServer,
        1,
        "Client-server architecture",
        "Requests, responses, workers and queues.",
        true,
    ),
    info(
        Chapter::Networking,
        2,
        "Networking fundamentals",
        "DNS: the walk from root to authoritative nameserver, records and TTLs.",
        true,
    ),
    info(
        Chapter::Latency,
        3,
        "Latency",
        "Network and server latency, distance between regions, CDNs.",
        true,
    ),
    info(
        Chapter::ApiDesign,
        4,
        "API design",
        "REST and GraphQL for one screen: round trips, bytes, over-fetching, the N+1 resolver and batching, \
         and what a cache may keep; real-time API styles are still to come.",
        true,
    ),
    info(
        Chapter::DataStorage,
        5,
        "Data storage and management",
        "SQL and NoSQL query costs, indexes; transactions, row locks, deadlocks and isolation levels.",
        true,
    ),
    info(
        Chapter::DatabaseScaling,
        6,
        "Database scaling strategies",
        "Vertical and horizontal scaling, replication, sharding, denormalisation.",
        true,
    ),
    info(
        Chapter::LoadBalancing,
        7,
        "Load balancers and reverse proxies",
        "Algorithms and health checks.",
        true,
    ),
    info(
        Chapter::Caching,
        8,
        "Caching strategies",
        "Patterns, levels (browser, CDN, application), eviction, warming.",
        true,
    ),
    info(
        Chapter::FileStorage,
        9,
        "File storage",
        "Object storage: multipart uploads, pre-signed URLs instead of streaming through the app.",
        true,
    ),
    info(
        Chapter::WebSockets,
        10,
        "WebSockets",
        "Real-time updates: polling, long polling, server-sent events and WebSockets against a chat room — \
         requests, update delay, held connections and the reconnect storm when the server dies.",
        true,
    ),
    info(
        Chapter::Webhooks,
        11,
        "Webhooks",
        "A provider calling your endpoint when an event occurs: signed deliveries, retries with backoff, \
         at-least-once duplicates and dedupe, against polling.",
        true,
    ),
    info(
        Chapter::ArchitecturePatterns,
        12,
        "System architecture patterns",
        "Monolith modules against microservices, service discovery through a registry and its stale copies.",
        true,
    ),
    info(
        Chapter::Messaging,
        13,
        "Message queueing and communication",
        "Queues, pub/sub and streams; event sourcing, CQRS and sagas come later.",
        true,
    ),
    info(
        Chapter::DistributedSystems,
        14,
        "Distributed systems: CAP",
        "A replicated key-value store: N, R and W, partitions, CP against AP, read repair.",
        true,
    ),
    info(
        Chapter::Security,
        15,
        "Security",
        "Firewalls, authentication at the gateway, floods, password hashing, TLS termination, JWT or sessions.",
        true,
    ),
    info(
        Chapter::Reliability,
        16,
        "System reliability",
        "Rate limiting, circuit breakers, bulkheads, retries, jitter, idempotency.",
        true,
    ),
    info(
        Chapter::ApiManagement,
        17,
        "API management",
        "API gateways: one entry point, routing, limits; idempotency.",
        true,
    ),
];

const fn info(
    chapter: Chapter,
    number: u8,
    title: &'static str,
    note: &'static str,
    modelled: bool,
) -> ChapterInfo {
    ChapterInfo {
        chapter,
        number,
        title,
        note,
        modelled,
    }
}

impl Chapter {
    /// The gallery's words about this chapter.
    pub fn info(self) -> &'static ChapterInfo {
        CHAPTERS
            .iter()
            .find(|c| c.chapter == self)
            .expect("every chapter is listed in CHAPTERS")
    }
}

/// The chapter each built-in scenario belongs to, by slug. A scenario missing here is a test failure
/// (`every_scenario_has_a_chapter`), so a new one is placed when it is added.
const SCENARIO_CHAPTERS: &[(&str, Chapter)] = &[
    ("client-server", Chapter::ClientServer),
    ("dns-ttl", Chapter::Networking),
    ("multi-region", Chapter::Latency),
    ("sql-vs-nosql", Chapter::DataStorage),
    ("hot-row-locks", Chapter::DataStorage),
    ("vertical-vs-horizontal", Chapter::DatabaseScaling),
    ("fixed-vs-autoscaling", Chapter::DatabaseScaling),
    ("slow-scale-out", Chapter::DatabaseScaling),
    ("read-replicas", Chapter::DatabaseScaling),
    ("sharding-hot-key", Chapter::DatabaseScaling),
    ("denormalisation", Chapter::DatabaseScaling),
    ("vertical-partition", Chapter::DatabaseScaling),
    ("load-balancing", Chapter::LoadBalancing),
    ("server-failure", Chapter::LoadBalancing),
    ("how-many-servers", Chapter::LoadBalancing),
    ("cache-patterns", Chapter::Caching),
    ("eviction-policies", Chapter::Caching),
    ("browser-cache", Chapter::Caching),
    ("cache-levels", Chapter::Caching),
    ("forward-proxy", Chapter::Networking),
    ("cache-worth-it", Chapter::Caching),
    ("queue-burst", Chapter::Messaging),
    ("pubsub-fanout", Chapter::Messaging),
    ("firewall", Chapter::Security),
    ("password-hashing", Chapter::Security),
    ("tls-termination", Chapter::Security),
    ("jwt-vs-session", Chapter::Security),
    ("oauth-login", Chapter::Security),
    ("rate-limiting", Chapter::Reliability),
    ("circuit-breaker", Chapter::Reliability),
    ("bulkhead", Chapter::Reliability),
    ("retry-storm", Chapter::Reliability),
    ("idempotency", Chapter::Reliability),
    ("api-gateway", Chapter::ApiManagement),
    ("tail-at-scale", Chapter::Latency),
    ("sequential-vs-parallel", Chapter::Latency),
    ("cap-partition", Chapter::DistributedSystems),
    ("tunable-consistency", Chapter::DistributedSystems),
    ("read-repair", Chapter::DistributedSystems),
    ("http-vs-https", Chapter::Networking),
    ("rest-vs-graphql", Chapter::ApiDesign),
    ("webhooks-vs-polling", Chapter::Webhooks),
    ("saga-compensation", Chapter::DistributedSystems),
    ("cqrs-read-model", Chapter::Messaging),
    ("sticky-sessions", Chapter::LoadBalancing),
    ("polling-vs-websockets", Chapter::WebSockets),
    ("upload-big-files", Chapter::FileStorage),
    ("stale-registry", Chapter::ArchitecturePatterns),
    ("monolith-vs-microservices", Chapter::ArchitecturePatterns),
];

/// The chapter of a built-in scenario, if it has been placed in one.
pub fn scenario_chapter(name: &str) -> Option<Chapter> {
    SCENARIO_CHAPTERS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|&(_, c)| c)
}

/// One chapter of the gallery: its scenarios and challenges that match the search.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// the chapter
    pub chapter: &'static ChapterInfo,
    /// its scenarios, in gallery order
    pub scenarios: Vec<&'static Scenario>,
    /// its challenges, in gallery order
    pub challenges: Vec<&'static Challenge>,
}

/// The gallery, chapter by chapter in the course's order, keeping what matches `query`: every word of it
/// (case-insensitive) must occur in a card's texts or its chapter's title. An empty query keeps everything,
/// and then every chapter is listed (those coming later with no cards); with a query only chapters with a
/// match are.
pub fn sections(query: &str) -> Vec<Section> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let matches = |texts: &[&str]| {
        let hay = texts.join(" ").to_lowercase();
        words.iter().all(|w| hay.contains(w.as_str()))
    };
    CHAPTERS
        .iter()
        .filter_map(|ch| {
            let scenarios: Vec<&'static Scenario> = scenarios::all()
                .iter()
                .filter(|s| scenario_chapter(s.name) == Some(ch.chapter))
                .filter(|s| matches(&[ch.title, s.title, s.topic, s.explanation()]))
                .collect();
            let challenges: Vec<&'static Challenge> = challenges::all()
                .iter()
                .filter(|c| c.chapter == ch.chapter)
                .filter(|c| matches(&[ch.title, &c.title, &c.brief]))
                .collect();
            let keep = words.is_empty() || !scenarios.is_empty() || !challenges.is_empty();
            keep.then_some(Section {
                chapter: ch,
                scenarios,
                challenges,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapters_are_numbered_in_order() {
        for (i, c) in CHAPTERS.iter().enumerate() {
            assert_eq!(usize::from(c.number), i + 1);
            assert!(std::ptr::eq(c.chapter.info(), c));
        }
        assert!(CHAPTERS.windows(2).all(|w| w[0].chapter < w[1].chapter));
    }

    #[test]
    fn an_empty_search_lists_every_chapter_and_a_word_narrows_it() {
        assert_eq!(sections("").len(), CHAPTERS.len());
        assert_eq!(sections("   ").len(), CHAPTERS.len());
        let dns = sections("dns");
        assert!(!dns.is_empty() && dns.len() < CHAPTERS.len());
        assert!(
            dns.iter()
                .all(|s| !s.scenarios.is_empty() || !s.challenges.is_empty())
        );
        assert!(sections("zzzz-no-such-word").is_empty());
        // Case does not matter, and every word must match.
        assert_eq!(sections("DNS"), dns);
        assert!(sections("dns zzzz-no-such-word").is_empty());
    }
}
