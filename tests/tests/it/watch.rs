//! Every figure a scenario's "watch" lines point to is one the page shows. Each line is read for what it asks
//! to look at (`marks::watch_needs`: a node's hit ratio, a per-node p99, a chart, a finding …); a line that asks
//! for nothing the table knows fails, so a new text cannot point at a figure nobody shows. Then the scenario
//! is run headless and each need is looked up in what the page renders from that run: the node figures of the
//! inspector (`marks::node_figures`), the end-to-end figures (`marks::run_figures`), the charts, the guard
//! figures, the call edges' figures, the guard blocks, a database's per-part line and the "why" findings.

use playground_core::explain::{self, Recent};
use playground_core::marks::{
    self, CHARTS, Mechanisms, Need, edge_figures, guard_figures, node_block, node_figures,
    run_figures, watch_needs,
};
use playground_core::report::Report;
use playground_core::scenarios::{Scenario, all};
use playground_core::{Kind, Topology, run};

/// Whether the page can show `need` for this run of `t`.
fn shown(need: Need, t: &Topology, r: &Report) -> bool {
    let recent = Recent::of(r, None);
    let of_kind = |kinds: &'static [Kind]| {
        r.nodes
            .iter()
            .filter(move |(_, n)| kinds.is_empty() || kinds.contains(&n.kind))
    };
    match need {
        Need::Node(key, kinds) => of_kind(kinds).any(|(id, n)| {
            node_figures(n, recent.nodes.get(id))
                .iter()
                .any(|f| f.key == key && !f.value.is_empty())
        }),
        Need::Run(key) => run_figures(r, false)
            .iter()
            .any(|f| f.key == key && f.value != "—"),
        Need::Chart(key) => {
            CHARTS.contains(&key)
                && !r.series.points.is_empty()
                && (!matches!(key, "queue" | "busy") || !r.series.node_ids.is_empty())
        }
        Need::Guard(key) => guard_figures(&Mechanisms::of(t), r)
            .iter()
            .any(|f| f.key == key),
        Need::Finding(words) => explain::explain(t, r)
            .iter()
            .any(|f| f.text.contains(words)),
        Need::EdgeFigures => r.edges.values().any(|e| !edge_figures(e).is_empty()),
        Need::EdgeFigure(key) => r
            .edges
            .values()
            .any(|e| edge_figures(e).iter().any(|(k, _)| *k == key)),
        Need::Breaker => r.edges.values().any(|e| e.breaker_state.is_some()),
        Need::Block(kinds) => of_kind(kinds).any(|(id, n)| node_block(t, id, n).is_some()),
        Need::DatabaseParts => r
            .nodes
            .values()
            .filter_map(|n| n.database())
            .any(|d| d.shards.iter().any(|s| !s.instances.is_empty())),
    }
}

fn check(s: &Scenario) -> Vec<String> {
    let mut t = s.topology();
    t.settings.trace_capacity = 0;
    let r = run(&t).expect("a scenario runs");
    let mut missing = Vec::new();
    for line in s.watch() {
        let needs = watch_needs(line);
        if needs.is_empty() {
            missing.push(format!(
                "{}: nothing the page shows matches “{line}”",
                s.name
            ));
        }
        for need in needs {
            if !shown(need, &t, &r) {
                missing.push(format!("{}: “{line}” asks for {need:?}, not shown", s.name));
            }
        }
    }
    missing
}

#[test]
fn every_watch_line_of_every_scenario_points_at_something_the_page_shows() {
    let missing: Vec<String> = all().iter().flat_map(check).collect();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn a_watch_line_about_a_figure_nobody_shows_fails() {
    // The table knows the words, and a figure the run does not have is not taken as shown.
    assert!(watch_needs("The colour of the sky.").is_empty());
    let s = playground_core::scenarios::by_name("client-server").expect("bundled");
    let mut t = s.topology();
    t.settings.trace_capacity = 0;
    let r = run(&t).expect("runs");
    // No cache in this diagram: a hit ratio cannot be shown.
    assert!(!shown(
        Need::Node("hit_ratio", &[Kind::Cache, Kind::CdnEdge]),
        &t,
        &r
    ));
    assert!(shown(Need::Node("utilization", &[]), &t, &r));
    assert!(shown(Need::Run("network_mean"), &t, &r));
    // The per-client table is for comparisons: one client, no table.
    assert!(marks::per_client(&r).is_empty());
    let lb = playground_core::scenarios::by_name("load-balancing").expect("bundled");
    let mut t = lb.topology();
    t.settings.trace_capacity = 0;
    let r = run(&t).expect("runs");
    let rows = marks::per_client(&r);
    assert_eq!(rows.len(), 4, "four variants, four clients");
    // Each client's own counts, not the sums: they add up to the totals.
    let sent: u64 = rows
        .iter()
        .map(|(_, f)| {
            f.iter()
                .find(|f| f.key == "sent")
                .and_then(|f| f.value.parse::<u64>().ok())
                .expect("a sent count")
        })
        .sum();
    assert_eq!(sent, r.requests.sent);
}
