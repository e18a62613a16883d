//! Small named topologies: the shipped examples (compiled in, so the wasm build runs exactly the same
//! diagrams as the native runner) and builders for the theory tests and benchmarks.

use serde_json::json;

use crate::dist::Dist;
use crate::topology::{Edge, Node, Topology};

/// `examples/mm1.json`: one Poisson client, one single-worker exponential server at ρ = 0.8.
pub const MM1_JSON: &str = include_str!("../../examples/mm1.json");
/// `examples/mmc.json`: an M/M/4 pool at ρ = 0.8.
pub const MMC_JSON: &str = include_str!("../../examples/mmc.json");
/// `examples/three-tier.json`: client → load balancer → three servers → database.
pub const THREE_TIER_JSON: &str = include_str!("../../examples/three-tier.json");

/// The M/M/1 example.
pub fn mm1() -> Topology {
    Topology::from_json(MM1_JSON).expect("examples/mm1.json parses (checked by a test)")
}

/// The M/M/c example.
pub fn mmc() -> Topology {
    Topology::from_json(MMC_JSON).expect("examples/mmc.json parses (checked by a test)")
}

/// `Report::digest()` of [`three_tier()`]'s run. The native test (`tests/it/determinism.rs`) and the browser
/// test (`web/tests/determinism.rs`, the wasm build in Chromium) both compare against it, which proves the two
/// builds give the same numbers bit for bit. Re-pin only on purpose, when a change is meant to alter numbers.
pub const THREE_TIER_DIGEST: u64 = 11_974_800_841_816_364_672;

/// The three-tier example.
pub fn three_tier() -> Topology {
    Topology::from_json(THREE_TIER_JSON)
        .expect("examples/three-tier.json parses (checked by a test)")
}

/// Zero-latency, lossless links, no trace: the setting of textbook queueing results.
fn ideal(duration_s: f64, warmup_s: f64, seed: u64) -> Topology {
    let mut t = Topology::default();
    t.settings.seed = seed;
    t.settings.duration_s = duration_s;
    t.settings.warmup_s = warmup_s;
    t.settings.link.latency = Dist::Constant { ms: 0.0 };
    t.settings.trace_capacity = 0;
    t
}

/// A Poisson client at `rate_per_s` with a timeout long enough never to fire in a stable queue.
pub fn poisson_client(id: &str, rate_per_s: f64) -> Node {
    Node::new(id, "client")
        .with("rate", json!(rate_per_s))
        .with("timeout_ms", json!(1.0e9))
}

/// A server with `workers`, a queue of `queue` places (`None` = unbounded) and service time `service`.
pub fn server(id: &str, workers: u32, queue: Option<u32>, service: &Dist) -> Node {
    Node::new(id, "server")
        .with("workers", json!(workers))
        .with("queue_capacity", json!(queue))
        .with(
            "service_time",
            serde_json::to_value(service).expect("a distribution serialises"),
        )
}

/// Client → one station: M/M/c/K and M/G/c families. `queue` = K − c, `None` for unbounded.
pub fn single_station(
    rate_per_s: f64,
    workers: u32,
    queue: Option<u32>,
    service: Dist,
    duration_s: f64,
    seed: u64,
) -> Topology {
    let mut t = ideal(duration_s, duration_s * 0.05, seed);
    t.name = "single station".into();
    t.nodes = vec![
        poisson_client("c", rate_per_s),
        server("s", workers, queue, &service),
    ];
    t.edges = vec![Edge::new("c", "s")];
    t
}

/// Client → `stations` single-worker exponential stations in series, each non-blocking (its worker is freed
/// as it forwards), so the network is a Jackson tandem.
pub fn tandem(rate_per_s: f64, mean_ms: &[f64], duration_s: f64, seed: u64) -> Topology {
    let mut t = ideal(duration_s, duration_s * 0.05, seed);
    t.name = "tandem".into();
    t.nodes.push(poisson_client("c", rate_per_s));
    let mut prev = "c".to_string();
    for (i, &m) in mean_ms.iter().enumerate() {
        let id = format!("s{}", i + 1);
        t.nodes.push(
            server(&id, 1, None, &Dist::Exponential { mean_ms: m })
                .with("blocking_calls", json!(false)),
        );
        t.edges.push(Edge::new(&prev, &id));
        prev = id;
    }
    t
}

/// Client → cache alone (a memo cache: a miss stores the key at once), every request a read of a key drawn
/// from `keys` (`{"type": "zipf", …}` or `{"type": "uniform", …}`), zero hit and miss time, zero-latency
/// links: the setting of the hit-ratio approximations. `cache` holds extra cache parameters (`capacity`,
/// `eviction`, `ttl_ms`, …). Warm-up 1 s.
pub fn read_cache(
    keys: serde_json::Value,
    cache: serde_json::Value,
    rate_per_s: f64,
    duration_s: f64,
    seed: u64,
) -> Topology {
    let mut t = ideal(duration_s, 1.0, seed);
    t.name = "read cache".into();
    t.settings.series_interval_s = 0.0;
    let mut c = Node::new("cache", "cache")
        .with("hit_time", json!({"type": "constant", "ms": 0}))
        .with("miss_time", json!({"type": "constant", "ms": 0}));
    if let serde_json::Value::Object(m) = cache {
        for (k, v) in m {
            c = c.with(&k, v);
        }
    }
    t.nodes = vec![
        poisson_client("c", rate_per_s)
            .with("keys", keys)
            .with("read_fraction", json!(1.0)),
        c,
    ];
    t.edges = vec![Edge::new("c", "cache")];
    t
}

/// Client → load balancer with `strategy` → `n` single-worker exponential servers (unbounded queues).
pub fn balanced(
    rate_per_s: f64,
    n: u32,
    strategy: &str,
    mean_ms: f64,
    duration_s: f64,
    seed: u64,
) -> Topology {
    let mut t = ideal(duration_s, duration_s * 0.05, seed);
    t.name = format!("{strategy} over {n}");
    t.nodes.push(poisson_client("c", rate_per_s));
    t.nodes
        .push(Node::new("lb", "load_balancer").with("strategy", json!(strategy)));
    t.edges.push(Edge::new("c", "lb"));
    for i in 0..n {
        let id = format!("s{i}");
        t.nodes
            .push(server(&id, 1, None, &Dist::Exponential { mean_ms }));
        t.edges.push(Edge::new("lb", &id));
    }
    t
}

/// The benchmark's three-tier scenario: Poisson client at `rate_per_s` → least-connections balancer →
/// `servers` servers (8 workers, 2 ms exponential CPU, blocking calls) → a database pool (32 connections,
/// 1 ms exponential queries). Links 0.2 ms.
pub fn three_tier_bench(rate_per_s: f64, servers: u32, duration_s: f64, seed: u64) -> Topology {
    let mut t = Topology {
        name: "three tier (bench)".into(),
        ..Topology::default()
    };
    t.settings.seed = seed;
    t.settings.duration_s = duration_s;
    t.settings.link.latency = Dist::Constant { ms: 0.2 };
    t.settings.trace_capacity = 0;
    t.nodes
        .push(Node::new("c", "client").with("rate", json!(rate_per_s)));
    t.nodes
        .push(Node::new("lb", "load_balancer").with("strategy", json!("least_connections")));
    t.edges.push(Edge::new("c", "lb"));
    t.nodes
        .push(Node::new("db", "database").with("workers", json!(32)).with(
            "service_time",
            json!({"type": "exponential", "mean_ms": 1.0}),
        ));
    for i in 0..servers {
        let id = format!("s{i}");
        t.nodes.push(server(
            &id,
            8,
            Some(1000),
            &Dist::Exponential { mean_ms: 2.0 },
        ));
        t.edges.push(Edge::new("lb", &id));
        t.edges.push(Edge::new(&id, "db"));
    }
    t
}

/// `clients` independent client → server pairs (2 nodes each), each at `rate_per_s` with ρ = 0.5, to
/// measure how the engine scales with the number of nodes.
pub fn many_pairs(pairs: u32, rate_per_s: f64, duration_s: f64, seed: u64) -> Topology {
    let mut t = ideal(duration_s, 0.0, seed);
    t.name = format!("{pairs} pairs");
    let mean_ms = 500.0 / rate_per_s;
    for i in 0..pairs {
        let (c, s) = (format!("c{i}"), format!("s{i}"));
        t.nodes.push(poisson_client(&c, rate_per_s));
        t.nodes
            .push(server(&s, 1, None, &Dist::Exponential { mean_ms }));
        t.edges.push(Edge::new(&c, &s));
    }
    t
}
