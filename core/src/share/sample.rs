//! Realistic generated diagrams of any size, for measuring share-link length and for round-trip tests: the
//! kinds in sensible proportions, ids, labels and edge ids as the editor hands them out (`lb2`, `Server 3`,
//! `client1-lb1`), one node in three renamed by hand, a few non-default parameters and link overrides,
//! positions on the editor's 20 px grid. Deterministic: the same sizes give the same diagram.

use serde_json::json;

use crate::dist::Dist;
use crate::topology::{Edge, Node, Position, Topology};

/// A small xorshift generator: enough to scatter a sample diagram, and independent of the engine's RNG so
/// sample diagrams never change when the engine's stream does.
struct Scatter(u64);

impl Scatter {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in `0..n` (n > 0); the slight modulo bias does not matter for a sample layout.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A diagram of `nodes` nodes (at least 4) and up to `edges` distinct edges, shaped like a real system: about
/// one client in ten, a load balancer per six nodes, a database per five, servers for the rest; edges only
/// where the registry allows them (clients and servers call load balancers, servers and databases).
pub fn sample_diagram(nodes: usize, edges: usize) -> Topology {
    let nodes = nodes.max(4);
    let mut rng = Scatter(0x9e37_79b9_7f4a_7c15 ^ (nodes as u64) << 20 ^ edges as u64);
    let clients = (nodes / 10).max(1);
    let lbs = (nodes / 6).max(1);
    let dbs = (nodes / 5).max(1);
    let servers = nodes - clients - lbs - dbs;
    let mut t = Topology {
        name: format!("Sample system, {nodes} nodes"),
        ..Topology::default()
    };
    t.settings.seed = 20_261_127;
    t.settings.duration_s = 120.0;
    t.settings.warmup_s = 10.0;

    // Columns left to right: clients, load balancers, servers, databases; rows 120 px apart.
    // (kind, id prefix, default label, count, names people give such nodes)
    type Column<'a> = (&'a str, &'a str, &'a str, usize, &'a [&'a str]);
    let columns: [Column; 4] = [
        (
            "client",
            "client",
            "Client",
            clients,
            &["Web users", "Mobile app", "Partner API"],
        ),
        (
            "load_balancer",
            "lb",
            "Load balancer",
            lbs,
            &["Edge LB", "Internal LB"],
        ),
        (
            "server",
            "server",
            "Server",
            servers,
            &["Orders API", "Auth", "Catalog", "Search"],
        ),
        (
            "database",
            "db",
            "Database",
            dbs,
            &["Orders DB", "Users DB", "Sessions"],
        ),
    ];
    for (column, (kind, prefix, title, count, names)) in columns.iter().enumerate() {
        for row in 0..*count {
            let mut n = Node::new(&format!("{prefix}{}", row + 1), kind);
            // On the editor's 20 px grid, a little off a perfect column as after hand placement.
            n.position = Position {
                x: (60 + 240 * column + 20 * rng.below(3)) as f64,
                y: (60 + 120 * row) as f64,
            };
            // The editor labels a new node `<Title> <n>`; one in three is renamed by hand.
            n.label = if rng.below(3) == 0 {
                format!("{} {}", names[rng.below(names.len())], row + 1)
            } else {
                format!("{title} {}", row + 1)
            };
            if rng.below(8) == 0 {
                n.region = "eu-west".into();
            }
            match *kind {
                "client" => {
                    n = n.with("rate", json!(50 * (1 + rng.below(8))));
                    if rng.below(2) == 0 {
                        n = n.with("read_fraction", json!(0.9));
                    }
                }
                "server" if rng.below(2) == 0 => {
                    n = n.with("workers", json!(2 + rng.below(15)));
                    if rng.below(3) == 0 {
                        n = n.with(
                            "service_time",
                            json!({"type": "log_normal", "median_ms": 5 + rng.below(40), "sigma": 0.5}),
                        );
                    }
                }
                "database" if rng.below(3) == 0 => {
                    n = n.with("workers", json!(10 + rng.below(30)));
                }
                _ => {}
            }
            t.nodes.push(n);
        }
    }

    // Callers are clients, load balancers and servers; callees are load balancers, servers and databases.
    let callers = clients + lbs + servers;
    let callees_start = clients;
    let callees = nodes - clients;
    let mut seen = std::collections::BTreeSet::new();
    let mut attempts = 0;
    while t.edges.len() < edges && attempts < edges.saturating_mul(20) {
        attempts += 1;
        let from = rng.below(callers);
        let to = callees_start + rng.below(callees);
        if from == to || !seen.insert((from, to)) {
            continue;
        }
        let mut e = Edge::new(&t.nodes[from].id, &t.nodes[to].id);
        // The editor names an edge `<from>-<to>`.
        e.id = format!("{}-{}", e.from, e.to);
        if rng.below(12) == 0 {
            e.latency = Some(Dist::Constant {
                ms: (1 + rng.below(20)) as f64,
            });
        }
        if rng.below(20) == 0 {
            e.weight = Some(1 + rng.below(4) as u32);
        }
        t.edges.push(e);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_diagrams_have_the_asked_size_and_are_deterministic() {
        let t = sample_diagram(60, 240);
        assert_eq!(t.nodes.len(), 60);
        assert_eq!(t.edges.len(), 240);
        assert_eq!(t, sample_diagram(60, 240));
        let kinds: std::collections::BTreeSet<&str> =
            t.nodes.iter().map(|n| n.kind.as_str()).collect();
        assert_eq!(kinds.len(), 4);
    }
}
